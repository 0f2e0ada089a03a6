#!/usr/bin/env bash
# Video: the per-frame values of `ssim --preset ffmpeg` against the stats file of the real
# ffmpeg binary's `ssim` filter, on clips ffmpeg generates during the test
# (ssim-cli/tests/ffmpeg_real.rs). In `cargo test --workspace` that test skips itself when
# ffmpeg is missing; here ffmpeg is installed and the test must run.
set -euo pipefail
if ! command -v ffmpeg >/dev/null; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ffmpeg >/dev/null
fi
ffmpeg -version | head -1
SSIM_REQUIRE_FFMPEG=1 cargo test -p ssim-cli --test ffmpeg_real -- --nocapture
