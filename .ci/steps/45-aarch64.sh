#!/usr/bin/env bash
# The NEON backend for real, and the whole workspace's tests on aarch64: cross-compiled and run
# under qemu-aarch64 (linker and runner are set in .cargo/config.toml). The CLI tests spawn the
# aarch64 `ssim` through the runner and the C API tests build their C programs with the cross
# compiler (test-support's `command` and `c_compiler`), so both need the variables below.
set -euo pipefail
need=()
for pkg in gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
rustup target add aarch64-unknown-linux-gnu >/dev/null
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export SSIM_REQUIRE_BACKENDS=neon
# A target dir of its own keeps the host build intact.
cargo test --workspace --target aarch64-unknown-linux-gnu --target-dir target/aarch64
