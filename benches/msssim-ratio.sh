#!/usr/bin/env bash
# MS-SSIM / SSIM cost at one thread, as BENCHMARKS.md reports it: N alternating rounds of the
# CLI (`--repeat 61`, its median), then the medians over the rounds and the ratio's range.
#   benches/msssim-ratio.sh [ssim binary] [rounds] [size]
# (build first: cargo build --release -p ssim-cli). The pair is ../shared/bench's.
set -euo pipefail
bin=${1:-target/release/ssim}
rounds=${2:-6}
size=${3:-1920x1080}
dir=${SSIM_BENCH_DIR:-$(dirname "$0")/../../shared/bench}
ref=$dir/ref_$size.pgm
dist=$dir/dist_$size.pgm
ms() { "$bin" --json --metric "$1" --threads 1 --repeat 61 "$ref" "$dist" |
    grep -o '"elapsed_ms":[0-9.]*' | cut -d: -f2; }
for _ in $(seq "$rounds"); do
    echo "$(ms ssim) $(ms ms-ssim)"
done | python3 -c '
import sys, statistics as st
rows = [tuple(map(float, l.split())) for l in sys.stdin]
r = [m / s for s, m in rows]
print("ssim median %.3f ms, ms-ssim median %.3f ms, ratio median %.3f [%.3f..%.3f]" % (
    st.median(s for s, _ in rows), st.median(m for _, m in rows), st.median(r), min(r), max(r)))'
