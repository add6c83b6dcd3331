#!/usr/bin/env bash
# Where each benchmark's time goes, by tier: samples (Linux `perf`) of `tern run` in
# native code (the optimizing tier's), in compiling (Cranelift, regalloc2, tern's own
# compilers), in the interpreter (tern's handlers), in libc (memmove and memset for
# bulk memory, malloc) and elsewhere (start-up, WASI, the kernel).
#
#   bench/tiers.sh [--tier auto|opt|interp] [PROGRAM...]
#
# PROGRAMs are names from ../shared/bench (default: all of suite.txt). Needs `perf`
# (apt-get install linux-perf) and a release build (cargo build --release -p tern-cli).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
bench="${TERN_BENCH:-$root/../shared/bench}"
tern="$root/target/release/tern"
tier=auto
if [[ "${1:-}" == "--tier" ]]; then
    tier="$2"
    shift 2
fi
progs=("$@")
if [[ ${#progs[@]} -eq 0 ]]; then
    mapfile -t progs < <(grep -v '^#' "$bench/suite.txt" | awk 'NF {print $1}')
fi
data="$(mktemp)"
trap 'rm -f "$data"' EXIT
printf '| program | native | compiling | interpreter | libc | other |\n|---|---:|---:|---:|---:|---:|\n'
for p in "${progs[@]}"; do
    perf record -q -o "$data" "$tern" run --tier "$tier" "$bench/wasm/$p.wasm" >/dev/null 2>&1
    perf report -i "$data" --no-children --stdio --sort dso,sym 2>/dev/null |
        grep -v '^#' | grep '%' |
        awk -v p="$p" '{
            x = $1; sub("%", "", x)
            if ($2 ~ /JIT/) n += x
            else if ($0 ~ /cranelift|regalloc2|tern::jit|tern::compile|tern::validate|tern::binary/) c += x
            else if ($0 ~ /tern::exec/) i += x
            else if ($2 ~ /libc/) l += x
            else o += x
        } END { printf "| %s | %.1f%% | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n", p, n, c, i, l, o }'
done
