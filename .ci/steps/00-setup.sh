#!/usr/bin/env bash
# Toolchain pieces every later step needs.
set -euo pipefail
rustup component add rustfmt clippy >/dev/null
rustup target add thumbv7em-none-eabihf >/dev/null
