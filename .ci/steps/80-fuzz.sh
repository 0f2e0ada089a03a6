#!/usr/bin/env bash
# Every cargo-fuzz target (fuzz/, its own workspace), built with AddressSanitizer, debug
# assertions and overflow checks, then run for about 20 s from the committed regression
# corpus. New inputs go to a scratch directory so the committed corpus is only read. A crash
# fails the step; its input is in fuzz/artifacts/<target>/ (see FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
    cargo install cargo-fuzz --locked
fi
cd fuzz
cargo +nightly fuzz build -O -a
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $(cargo +nightly fuzz list); do
    mkdir -p "corpus/$t" "$scratch/$t"
    log="$scratch/$t.log"
    if cargo +nightly fuzz run -O -a "$t" "$scratch/$t" "corpus/$t" -- \
        -max_total_time=20 -print_final_stats=1 >"$log" 2>&1; then
        runs=$(grep -h 'stat::number_of_executed_units' "$log" | awk '{print $2}')
        echo "fuzz $t: ${runs:-?} executions in 20 s, no crash"
    else
        grep -v '^#' "$log" | tail -n 60
        echo "fuzz $t: FAILED (input saved under fuzz/artifacts/$t/)"
        exit 1
    fi
done
