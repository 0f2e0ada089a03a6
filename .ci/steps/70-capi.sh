#!/usr/bin/env bash
# C API (ssim-capi): release libraries, header freshness, the C tests linked statically,
# dynamically and (static) under AddressSanitizer + UndefinedBehaviorSanitizer, and the
# README's "Using from C" example run verbatim in a clean copy of the checkout.
# Needs only the system C compiler (gcc ships the ASan/UBSan runtimes) and pkg-config.
set -euo pipefail
cc --version | head -n 1
command -v pkg-config >/dev/null || apt-get install -y pkg-config >/dev/null

cargo build --release -p ssim-capi
release=${CARGO_TARGET_DIR:-target}/release
for f in libssim.a libssim.so; do
    test -f "$release/$f" || { echo "$release/$f was not built" >&2; exit 1; }
done

# The header check (fails when include/ssim.h differs from what cbindgen generates) and the C
# programs: tests/c_api.rs compiles ssim-capi/tests/c/capi_test.c three times (libssim.a,
# libssim.so, libssim.a with -fsanitize=address,undefined -fno-sanitize-recover=all) and runs
# each over every reference vector and bad-argument status. Sanitizers are required here.
SSIM_CAPI_REQUIRE_SANITIZERS=1 cargo test --release -p ssim-capi -- --nocapture

# The README example, exactly as written, from the root of a clean copy of the checkout.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf - | tar -xf - -C "$tmp"
awk '/^## Using from C/ { in_section = 1 }
     in_section && /^```sh$/ { in_block = 1; next }
     in_block && /^```$/ { exit }
     in_block { print }' README.md > "$tmp/readme-example.sh"
test -s "$tmp/readme-example.sh" || { echo "no sh block under '## Using from C' in README.md" >&2; exit 1; }
(cd "$tmp" && env -u CARGO_TARGET_DIR bash -euo pipefail readme-example.sh) | tee "$tmp/readme-example.out"
# ...and it prints what the README says it prints (twice: shared, then static), up to the
# backend's name.
awk '/^## Using from C/ { in_section = 1 }
     in_section && /^```text$/ { in_block = 1; next }
     in_block && /^```$/ { exit }
     in_block { print }' README.md > "$tmp/readme-expected.txt"
normalise() { sed -E 's/pixels, [a-z0-9]+\)/pixels, BACKEND)/'; }
normalise < "$tmp/readme-expected.txt" > "$tmp/expected"
normalise < "$tmp/readme-expected.txt" >> "$tmp/expected"
grep -v "^installed ssim " "$tmp/readme-example.out" | normalise > "$tmp/actual"
diff -u "$tmp/expected" "$tmp/actual"
echo "README 'Using from C' example: OK"
