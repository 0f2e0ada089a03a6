#!/bin/sh
# Installs the C library that `cargo build --release -p ssim-capi` built:
#
#   PREFIX/include/ssim.h
#   LIBDIR/libssim.a, LIBDIR/libssim.so, LIBDIR/pkgconfig/ssim.pc
#
# Usage: sh ssim-capi/install.sh [PREFIX]      PREFIX defaults to /usr/local,
#        LIBDIR=... sh ssim-capi/install.sh    LIBDIR defaults to PREFIX/lib.
# Reads the libraries from $CARGO_TARGET_DIR/release (default: target/release).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-/usr/local}
libdir=${LIBDIR:-$prefix/lib}
includedir=$prefix/include
release=${CARGO_TARGET_DIR:-$root/target}/release
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)
for f in libssim.a libssim.so; do
    if [ ! -f "$release/$f" ]; then
        echo "install.sh: $release/$f is missing: run 'cargo build --release -p ssim-capi' first" >&2
        exit 1
    fi
done
mkdir -p "$libdir/pkgconfig" "$includedir"
cp "$root/include/ssim.h" "$includedir/ssim.h"
cp "$release/libssim.a" "$release/libssim.so" "$libdir/"
chmod 644 "$includedir/ssim.h" "$libdir/libssim.a"
chmod 755 "$libdir/libssim.so"
sed -e "s|@PREFIX@|$prefix|" -e "s|@LIBDIR@|$libdir|" -e "s|@INCLUDEDIR@|$includedir|" \
    -e "s|@VERSION@|$version|" "$root/ssim-capi/ssim.pc.in" > "$libdir/pkgconfig/ssim.pc"
echo "installed ssim $version: $includedir/ssim.h, $libdir/libssim.a, $libdir/libssim.so, $libdir/pkgconfig/ssim.pc"
