#!/usr/bin/env bash
# ssim-core must build for a Cortex-M4F with no allocator.
set -euo pipefail
cargo build -p ssim-core --target thumbv7em-none-eabihf --release
