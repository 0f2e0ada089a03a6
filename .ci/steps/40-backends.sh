#!/usr/bin/env bash
# Every x86-64 SIMD backend, against the scalar kernels. The CI machine (AMD Zen 4) runs
# AVX2 and AVX-512, so a backend that is not detected is a failure here, not a skip.
set -euo pipefail
export SSIM_REQUIRE_BACKENDS="${SSIM_REQUIRE_BACKENDS:-avx2,avx512}"
cargo test -p ssim-core --lib kernels::
cargo test -p ssim-core --test backends
cargo test -p ssim-core --test downsample
# The reference vectors through the SSIM_BACKEND override (maps included) on the portable
# baseline, which the default (fastest) choice never picks on this machine.
SSIM_BACKEND=portable cargo test -p ssim-std --test vectors engine_
