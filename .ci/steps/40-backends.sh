#!/usr/bin/env bash
# Every x86-64 SIMD backend, against the scalar kernels. AVX2 is required on every CI
# machine; AVX-512 is required where the CPU reports it (the project's machines are AMD Zen 4
# or Zen 5, but some of their VMs hide AVX-512: there its kernels cannot run natively, which is
# said here loudly, and the codegen step still proves their zmm code). A backend the CPU has
# but the detection misses is a failure, not a skip.
set -euo pipefail
if [ -z "${SSIM_REQUIRE_BACKENDS:-}" ]; then
    if grep -qw avx512f /proc/cpuinfo; then
        export SSIM_REQUIRE_BACKENDS=avx2,avx512
    else
        echo "NOTE: this CPU does not report avx512f: the AVX-512 kernels are NOT run here"
        export SSIM_REQUIRE_BACKENDS=avx2
    fi
fi
echo "required backends: $SSIM_REQUIRE_BACKENDS"
cargo test -p ssim-core --lib kernels::
cargo test -p ssim-core --test backends
cargo test -p ssim-core --test downsample
# The reference vectors through the SSIM_BACKEND override (maps included) on the portable
# baseline, which the default (fastest) choice never picks on this machine.
SSIM_BACKEND=portable cargo test -p ssim-std --test vectors engine_
