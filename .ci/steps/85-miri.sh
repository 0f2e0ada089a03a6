#!/usr/bin/env bash
# miri (the undefined-behaviour interpreter) on the scalar engine: the small test files of
# ssim-core written for it (tiny images through every path, and the error cases). The SIMD
# backends are out of miri's reach (no cpuid, few intrinsics); the tests force Scalar there.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
rustup +nightly component add miri rust-src >/dev/null
cargo +nightly miri setup >/dev/null
cargo +nightly miri test -p ssim-core --test miri_small --test errors
