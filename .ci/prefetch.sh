#!/usr/bin/env bash
# Downloads what the later CI steps install (Debian packages, extra Rust toolchains and
# targets) while step 10 compiles: the downloads are network-bound, the compile CPU-bound, so
# running them side by side takes minutes off a run. Every step still checks for and
# installs what it needs itself, so a step run alone (or after a failed prefetch) works.
# .ci/run waits for this script before the first step that needs these packages.
set -uo pipefail
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
packages=(
    gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user   # 45-aarch64
    nodejs                                                   # 47-wasm
    binutils pkg-config                                      # 50-codegen, 70-capi
    ffmpeg                                                   # 62-video-ffmpeg
    gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm # 75-firmware
)
status=0
$sudo apt-get update -qq || status=1
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${packages[@]}" >/dev/null || status=1
rustup target add aarch64-unknown-linux-gnu wasm32-wasip1 thumbv8m.main-none-eabihf \
    >/dev/null 2>&1 || status=1
rustup toolchain install 1.89 --profile minimal >/dev/null 2>&1 || status=1
rustup toolchain install nightly --profile minimal --component miri,rust-src \
    >/dev/null 2>&1 || status=1
exit $status
