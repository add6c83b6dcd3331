#!/bin/sh
# Rebuilds the WASI test programs: tests/programs/NAME.c -> tests/programs/NAME.wasm.
# Needs clang and lld with the wasm32 target, wasi-libc, and the wasm32 builtins
# (Debian/Ubuntu: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32).
# Set CC to use another clang; pass names to rebuild only some programs.
set -eu
cd "$(dirname "$0")"
CC=${CC:-clang}
if [ $# -eq 0 ]; then
    set -- *.c
fi
for src in "$@"; do
    name=${src%.c}
    $CC --target=wasm32-wasi -O2 -Wall -Wl,--strip-debug -o "$name.wasm" "$name.c"
    echo "built $name.wasm"
done
