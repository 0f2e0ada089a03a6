#!/usr/bin/env bash
# The stated MSRV (rust-version = 1.89 in Cargo.toml): every crate and target (tests,
# benches, examples) type-checks on it. `SSIM_CI_FULL=1` builds everything and runs the
# ssim-core and ssim-std tests on it too (about 10 more minutes on 2 cores).
set -euo pipefail
rustup toolchain install 1.89 --profile minimal >/dev/null
export CARGO_TARGET_DIR=target/msrv
if [ "${SSIM_CI_FULL:-0}" = 1 ]; then
    cargo +1.89 build --workspace --all-targets
    cargo +1.89 test -p ssim-core -p ssim-std --lib --tests
else
    cargo +1.89 check --workspace --all-targets
fi
