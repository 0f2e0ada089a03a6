#!/usr/bin/env bash
# The NEON backend for real: cross-compile for aarch64 and run tests under qemu-aarch64
# (linker and runner are set in .cargo/config.toml; test-support runs the CLI and C programs
# through the same qemu and builds C with aarch64-linux-gnu-gcc).
#
# CI runs the quick version (ssim-core, the engine against the vectors, the C API): about 5
# minutes. `SSIM_CI_FULL=1` runs `cargo test --workspace` for aarch64, which passes too but
# takes about 15 minutes on 2 cores (the CLI's image decoders and the literal f64 oracle under
# qemu).
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
t=(--target aarch64-unknown-linux-gnu --target-dir target/aarch64)
if [ "${SSIM_CI_FULL:-0}" = 1 ]; then
    cargo test --workspace "${t[@]}"
else
    cargo test -p ssim-core "${t[@]}"
    # The engine against the reference vectors on every backend aarch64 has (scalar,
    # portable, neon), and the C programs built by the cross compiler, run under qemu.
    cargo test -p ssim-std "${t[@]}" --test vectors engine_
    cargo test -p ssim-capi "${t[@]}" --test c_api
fi
