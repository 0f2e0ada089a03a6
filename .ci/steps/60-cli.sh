#!/usr/bin/env bash
# The README's first command on a fresh clone: the release `ssim` binary on the shipped
# samples must print the reference value (testdata case
# rgb8_colorblobs_161x161__jpeg30__gaussian11 = 0.88751093), and its exit codes must hold.
# (Everything else about the CLI runs in `cargo test --workspace`: ssim-cli/tests/.)
set -euo pipefail
cargo build --release -p ssim-cli
out=$(cargo run --quiet --release -p ssim-cli -- samples/ref.png samples/dist.png)
echo "$out"
case "$out" in
    "SSIM 0.88751093 "*) ;;
    *) echo "unexpected output of the README command" >&2; exit 1 ;;
esac
set +e
cargo run --quiet --release -p ssim-cli -- --threshold 0.9 samples/ref.png samples/dist.png >/dev/null
below=$?
cargo run --quiet --release -p ssim-cli -- samples/ref.png samples/missing.png 2>/dev/null
missing=$?
# A result that cannot be written must not pass a gate (issue 17): disk full is exit 2.
# (Closed pipes and NaN results are covered by ssim-cli/tests/exit_codes.rs.)
full=2
if [ -w /dev/full ]; then
    cargo run --quiet --release -p ssim-cli -- --threshold 0.99 samples/ref.png samples/dist.png >/dev/full 2>/dev/null
    full=$?
fi
set -e
[ "$below" -eq 1 ] || { echo "--threshold above the value: exit $below, expected 1" >&2; exit 1; }
[ "$missing" -eq 2 ] || { echo "missing file: exit $missing, expected 2" >&2; exit 1; }
[ "$full" -eq 2 ] || { echo "stdout on /dev/full: exit $full, expected 2" >&2; exit 1; }
echo "ssim CLI: README command and exit codes OK"
