#!/usr/bin/env bash
# Rebuilds the C examples to wasm32-wasi. Needs Debian's clang, lld, wasi-libc and
# libclang-rt-14-dev-wasm32 (or any clang >= 14 with a wasi sysroot; CLANG=... picks one).
set -euo pipefail
cd "$(dirname "$0")"
CLANG=${CLANG:-clang}
for c in *.c; do
    "$CLANG" --target=wasm32-wasi -O2 -o "${c%.c}.wasm" "$c" -Wl,--strip-debug
done
