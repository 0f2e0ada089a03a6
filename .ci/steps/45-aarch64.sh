#!/usr/bin/env bash
# The NEON backend for real: cross-compile for aarch64 and run the tests under qemu-aarch64
# (linker and runner are set in .cargo/config.toml).
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
export SSIM_REQUIRE_BACKENDS=neon
cargo test -p ssim-core --target aarch64-unknown-linux-gnu
# The engine against the reference vectors on every backend aarch64 has (scalar, portable, neon).
cargo test -p ssim-std --target aarch64-unknown-linux-gnu --test vectors engine_
