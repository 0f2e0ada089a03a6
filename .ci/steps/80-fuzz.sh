#!/usr/bin/env bash
# Every fuzz target (fuzz/, its own workspace), built with libFuzzer's coverage
# instrumentation, AddressSanitizer, debug assertions and overflow checks, then run from the
# committed regression corpus, two targets at a time (one per core), 15 s each. New inputs go
# to a scratch directory so the committed corpus is only read. A crash fails the step; its input
# is in fuzz/artifacts/<target>/ (see FUZZING.md).
#
# The build uses the flags `cargo fuzz build -O -a` sets (cargo-fuzz 0.13, src/project.rs),
# except codegen-units=1, so CI needs no `cargo install cargo-fuzz` (two minutes of compiling)
# and builds on both cores. Developers use cargo-fuzz as FUZZING.md says; the binaries are the
# same libFuzzer programs.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
triple=x86_64-unknown-linux-gnu
flags="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4"
flags+=" -Cllvm-args=-sanitizer-coverage-inline-8bit-counters"
flags+=" -Cllvm-args=-sanitizer-coverage-pc-table"
flags+=" -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
flags+=" -Cllvm-args=-simplifycfg-branch-fold-threshold=0 -Zsanitizer=address"
flags+=" -Cllvm-args=-sanitizer-coverage-stack-depth -Cdebug-assertions -Coverflow-checks"
# --target keeps these flags away from build scripts and proc macros.
(cd fuzz && RUSTFLAGS="$flags" cargo +nightly build --locked --release --bins --target "$triple" \
    --config 'profile.release.debug="line-tables-only"')
bin=fuzz/target/$triple/release
targets=$(sed -n '/^\[\[bin\]\]/,/^name/ s/^name = "\(.*\)"/\1/p' fuzz/Cargo.toml)
[ -n "$targets" ] || { echo "no [[bin]] targets in fuzz/Cargo.toml" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export ASAN_OPTIONS=detect_odr_violation=0
seconds=${SSIM_FUZZ_SECONDS:-15}
run() {
    local t=$1
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "$scratch/$t"
    if "$bin/$t" -max_total_time="$seconds" -print_final_stats=1 \
        -artifact_prefix="fuzz/artifacts/$t/" "$scratch/$t" "fuzz/corpus/$t" >"$scratch/$t.log" 2>&1; then
        runs=$(grep -h 'stat::number_of_executed_units' "$scratch/$t.log" | awk '{print $2}')
        echo "fuzz $t: ${runs:-?} executions in $seconds s, no crash"
    else
        grep -v '^#' "$scratch/$t.log" | tail -n 60
        echo "fuzz $t: FAILED (input saved under fuzz/artifacts/$t/)"
        return 1
    fi
}
failed=0
set -- $targets
while [ $# -gt 0 ]; do
    pids=()
    for t in "$1" "${2:-}"; do
        [ -n "$t" ] || continue
        run "$t" & pids+=($!)
    done
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    shift; [ $# -gt 0 ] && shift
done
[ "$failed" -eq 0 ] || { echo "a fuzz target failed" >&2; exit 1; }
echo "fuzz: $(echo $targets | wc -w) targets, no crash"
