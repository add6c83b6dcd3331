#!/usr/bin/env python3
"""Guard pages against bounds checks: times `tern run` on each program of the shared
suite as shipped (native code's memory accesses left to guard pages, where the host
has them) and with `--bounds-checks` (native code checks every access), in turn,
A B A B ..., and prints the medians and their ratio.

    python3 bench/bounds.py [-n RUNS] [--tier auto|opt] [PROGRAM ...]

PROGRAMs are names from ../shared/bench's suite.txt (default: all); `TERN_BENCH`
points elsewhere. Needs a release build (`cargo build --release -p tern-cli`). Wall
time of the whole process, as `compare.py` measures it; stdout is checked against the
suite's expected output.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", type=int, default=5, help="runs of each (default 5)")
    ap.add_argument("--tier", default="auto", help="tern's --tier (default auto)")
    ap.add_argument("programs", nargs="*")
    a = ap.parse_args()
    bench = os.environ.get("TERN_BENCH", os.path.join(ROOT, "..", "shared", "bench"))
    tern = os.path.join(ROOT, "target", "release", "tern")
    if not os.path.exists(tern):
        sys.exit("no release build: cargo build --release -p tern-cli")
    progs = a.programs
    if not progs:
        with open(os.path.join(bench, "suite.txt")) as f:
            progs = [l.split()[0] for l in f if l.strip() and not l.startswith("#")]
    modes = [("guard pages", []), ("bounds checks", ["--bounds-checks"])]
    print(f"| program | guard pages (s) | bounds checks (s) | guard / checks |")
    print("|---|---:|---:|---:|")
    ratios = []
    for p in progs:
        wasm = os.path.join(bench, "wasm", p + ".wasm")
        with open(os.path.join(bench, "expected", p + ".stdout"), "rb") as f:
            expected = f.read()
        times = {m: [] for m, _ in modes}
        for _ in range(a.n):
            for m, extra in modes:
                cmd = [tern, "run", "--tier", a.tier, *extra, wasm]
                t = time.perf_counter()
                r = subprocess.run(cmd, cwd=bench, stdin=subprocess.DEVNULL,
                                   capture_output=True)
                times[m].append(time.perf_counter() - t)
                if r.returncode != 0 or r.stdout != expected:
                    sys.exit(f"FAIL {p} ({m}): exit {r.returncode}")
        g, c = (statistics.median(times[m]) for m, _ in modes)
        ratios.append(g / c)
        print(f"| {p} | {g:.3f} | {c:.3f} | {g / c:.2f} |")
    gm = statistics.geometric_mean(ratios)
    print(f"| geometric mean | | | {gm:.2f} |")


if __name__ == "__main__":
    main()
