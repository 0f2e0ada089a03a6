#!/usr/bin/env bash
# The no_std C library (ssim-capi --no-default-features): its unit tests on the host (the
# static last-error buffer), clippy and a build for the Cortex-M33 target, then the firmware
# of examples/firmware/ on QEMU's Cortex-M4F (mps2-an386) and Cortex-M7 (mps2-an500):
# run.sh installs the cross compiler, newlib and QEMU when missing, builds, runs, compares
# every value with the host scalar result bit for bit.
set -euo pipefail
rustup target add thumbv7em-none-eabihf thumbv8m.main-none-eabihf >/dev/null 2>&1 || true
cargo test -p ssim-capi --no-default-features --lib
cargo clippy -p ssim-capi --no-default-features --features panic-hook \
    --target thumbv7em-none-eabihf -- -D warnings
cargo build --release -p ssim-capi --no-default-features --features panic-hook \
    --target thumbv8m.main-none-eabihf
# The no_std library with everything (u16 kernels, the portable table) still builds.
cargo clippy -p ssim-capi --no-default-features --features panic-hook,u16,portable \
    --target thumbv7em-none-eabihf -- -D warnings
# Every value must match the host bit for bit. Of the targets of issue 13, the met ones are
# enforced (library flash <= 48 KB for the SSIM firmware, static RAM, stack <= 4 KB, box-7 u8
# <= 120 instructions per pixel), so a regression fails CI; the Gaussian-11 u8 target (<= 350)
# is not met yet and only reported, as MISS lines (BENCHMARKS.md "Firmware").
# `sh examples/firmware/run.sh` without FIRMWARE_TARGETS enforces all of them.
FIRMWARE_TARGETS=flash,ram,stack,box sh examples/firmware/run.sh mps2-an386 mps2-an500
