#!/usr/bin/env bash
# Proof from the machine code that the wide backends are really wide: every AVX2 entry point
# (a `#[target_feature]` function `arch::x86_64::avx2::entry::*_tf`) must use ymm registers
# and every AVX-512 one zmm registers. `wide` under run-time dispatch would silently emit SSE
# (DESIGN.md section 4); this catches that, or a kernel that stopped vectorising.
set -euo pipefail
if ! command -v objdump >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils
fi
cargo build -p ssim-core --release --quiet
lib="${CARGO_TARGET_DIR:-target}/release/libssim_core.rlib"
dis=$(mktemp)
objdump -d --no-show-raw-insn --demangle "$lib" 2>/dev/null >"$dis" || true
check() { # $1: module (avx2|avx512), $2: register name that must appear
    awk -v mod="$1" -v reg="$2" '
        /^[0-9a-f]+ <.*>:$/ {
            if (name != "") report()
            name = ""; hits = 0
            if ($0 ~ ("x86_64::" mod "::entry::[a-z0-9_]+_tf")) {
                name = $0; sub(/^[0-9a-f]+ </, "", name); sub(/>:$/, "", name)
            }
            next
        }
        name != "" && $0 ~ ("%" reg) { hits++ }
        function report() {
            n++
            if (hits == 0) { print "FAIL: " name " has no " reg " instruction"; bad++ }
            else printf "ok: %-70s %5d %s instructions\n", name, hits, reg
        }
        END {
            if (name != "") report()
            if (n < 10) { print "FAIL: found " n " " mod " entry points, expected 10"; bad++ }
            exit bad > 0
        }' "$dis"
}
# Entry points that must be there by name (the count above would not notice one missing).
required() { # $1: module
    for name in downsample_u8 downsample_u16 downsample_f32; do
        if ! grep -q "x86_64::$1::entry::${name}_tf>:" "$dis"; then
            echo "FAIL: x86_64::$1::entry::${name}_tf not found"
            return 1
        fi
    done
}
status=0
check avx2 ymm || status=1
check avx512 zmm || status=1
required avx2 || status=1
required avx512 || status=1
rm -f "$dis"
exit $status
