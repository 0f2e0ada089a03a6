#!/usr/bin/env bash
# The no_std C library in a Cortex-M4F firmware under QEMU (mps2-an386) and on the Cortex-M7
# board (mps2-an500): examples/firmware/run.sh installs the cross compiler, newlib and QEMU
# when missing, builds, runs, compares every value with the host scalar result bit for bit
# and fails when flash, stack or instructions per pixel miss the targets of issue 13.
set -euo pipefail
sh examples/firmware/run.sh mps2-an386 mps2-an500
