#!/usr/bin/env bash
# Proof from the machine code that the wide backends are really wide: for every kernel of the
# kernel list (`ssim-core/src/backend/list.rs`), the AVX2 entry point
# `backend::avx2::entry::<name>::tf` must exist and use ymm registers, and the AVX-512 one
# (`backend::avx512::entry::<name>::tf`) zmm registers. `wide` under run-time dispatch would
# silently emit SSE (see docs/ARCHITECTURE.md); this catches that, a kernel that stopped
# vectorising, or an entry point that is missing.
#
# CODEGEN_DISASSEMBLY=file checks that `objdump -d --demangle` output instead of building
# (to test this check itself on doctored machine code).
set -euo pipefail
list=ssim-core/src/backend/list.rs
names=$(sed -n 's/^ *fn \([a-z0-9_]*\) = .*/\1/p' "$list")
count=$(echo "$names" | grep -c . || true)
if [ "$count" -lt 1 ]; then
    echo "FAIL: no kernel names found in $list"
    exit 1
fi
dis=${CODEGEN_DISASSEMBLY:-}
if [ -z "$dis" ]; then
    if ! command -v objdump >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq binutils
    fi
    cargo build -p ssim-core --release --quiet
    lib="${CARGO_TARGET_DIR:-target}/release/libssim_core.rlib"
    dis=$(mktemp)
    trap 'rm -f "$dis"' EXIT
    objdump -d --no-show-raw-insn --demangle "$lib" 2>/dev/null >"$dis" || true
fi
# One line per entry point found: "<module> <kernel> <ymm count> <zmm count>".
found=$(awk '
    /^[0-9a-f]+ <.*>:$/ {
        if (name != "") print mod, name, ymm, zmm
        name = ""; ymm = 0; zmm = 0
        if (match($0, /backend::(avx2|avx512)::entry::[a-z0-9_]+::tf>:$/)) {
            split(substr($0, RSTART, RLENGTH), p, "::")
            mod = p[2]; name = p[4]
        }
        next
    }
    name != "" && /%ymm/ { ymm++ }
    name != "" && /%zmm/ { zmm++ }
    END { if (name != "") print mod, name, ymm, zmm }
' "$dis")
status=0
for mod in avx2 avx512; do
    for name in $names; do
        line=$(echo "$found" | awk -v m="$mod" -v n="$name" '$1 == m && $2 == n' | head -n 1)
        if [ -z "$line" ]; then
            echo "FAIL: backend::$mod::entry::$name::tf not found"
            status=1
            continue
        fi
        read -r _ _ ymm zmm <<<"$line"
        if [ "$mod" = avx2 ]; then hits=$ymm reg=ymm; else hits=$zmm reg=zmm; fi
        if [ "$hits" -eq 0 ]; then
            echo "FAIL: backend::$mod::entry::$name::tf has no $reg instruction"
            status=1
        else
            printf "ok: %-55s %5d %s instructions\n" "backend::$mod::entry::$name::tf" "$hits" "$reg"
        fi
    done
done
# The horizontal passes spread their prefetch hints through their loops (`push_rows_ahead`):
# a build where they vanished would lose the colour path's speed without failing a test.
for entry in avx2::entry::horizontal avx512::entry::horizontal avx2::entry::horizontal_ud \
    avx512::entry::horizontal_ud; do
    n=$(awk -v e="backend::$entry::tf>:" '
        /^[0-9a-f]+ <.*>:$/ { on = index($0, e) > 0; next }
        on && /prefetcht0/ { c++ }
        END { print c + 0 }' "$dis")
    if [ "$n" -eq 0 ]; then
        echo "FAIL: backend::$entry::tf has no prefetcht0"
        status=1
    else
        echo "ok: backend::$entry::tf prefetches ($n prefetcht0)"
    fi
done
echo "$count kernels in the list, $((2 * count)) entry points checked"
exit $status
