#!/usr/bin/env bash
# The test command of README.md.
set -euo pipefail
cargo test --workspace
