#!/usr/bin/env bash
# The stated MSRV (rust-version = 1.89 in Cargo.toml): everything builds on it, and the
# library crates' tests pass on it (the CLI and C tests run on stable in the other steps).
set -euo pipefail
rustup toolchain install 1.89 --profile minimal >/dev/null
export CARGO_TARGET_DIR=target/msrv
cargo +1.89 build --workspace --all-targets
cargo +1.89 test -p ssim-core -p ssim-std --lib --tests
