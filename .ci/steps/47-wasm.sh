#!/usr/bin/env bash
# The portable backend on its promised wasm32 target: ssim-core's tests built for
# wasm32-wasip1 with simd128 and run under Node's WASI (Debian's nodejs; no wasmtime build).
set -euo pipefail
if ! command -v node >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs
fi
rustup target add wasm32-wasip1 >/dev/null
export CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/.ci/wasi/run.mjs"
export CARGO_TARGET_WASM32_WASIP1_RUSTFLAGS="-C target-feature=+simd128"
# The portable backend must be there (and tested), not skipped.
export SSIM_REQUIRE_BACKENDS=portable
cargo test -p ssim-core --target wasm32-wasip1 --target-dir target/wasm
