#!/usr/bin/env python3
"""Times the two example programs of bench/examples (recursive fib, a hot loop) under
tern and every peer interpreter found on PATH (wasmi, wasm-interp), interleaved, and
prints each one's median wall-clock time and its ratio to tern.

    python3 bench/examples.py            # 5 runs each
    RUNS=9 python3 bench/examples.py

Needs wat2wasm (Debian's wabt) to turn the .wat files into .wasm for the peers.
"""
import os, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(os.environ.get("RUNS", "5"))


def main():
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tern-cli"], cwd=ROOT, check=True)
    tern = os.path.join(ROOT, "target", "release", "tern")
    tmp = tempfile.mkdtemp()
    peers = {
        "wasmi": shutil.which("wasmi") or os.path.expanduser("~/.cargo/bin/wasmi"),
        "wasm-interp": shutil.which("wasm-interp"),
    }
    peers = {k: v for k, v in peers.items() if v and os.path.exists(v)}
    print(f"# {RUNS} runs each, interleaved; median wall seconds; ratio = runtime / tern")
    print(f"{'program':10} {'runtime':12} {'median s':>9} {'ratio':>7}")
    for name in ("fib", "loop"):
        wat = os.path.join(ROOT, "bench", "examples", f"{name}.wat")
        wasm = os.path.join(tmp, f"{name}.wasm")
        subprocess.run(["wat2wasm", wat, "-o", wasm], check=True)
        cmds = {"tern": [tern, "run", wasm, "--invoke", "run"]}
        if "wasmi" in peers:
            cmds["wasmi"] = [peers["wasmi"], "run", "--invoke", "run", wasm]
        if "wasm-interp" in peers:
            cmds["wasm-interp"] = [peers["wasm-interp"], wasm, "--run-all-exports"]
        times = {k: [] for k in cmds}
        outputs = {}
        for _ in range(RUNS):
            for k, c in cmds.items():
                t0 = time.perf_counter()
                p = subprocess.run(c, capture_output=True, text=True)
                times[k].append(time.perf_counter() - t0)
                if p.returncode != 0:
                    sys.exit(f"{k} failed on {name}: {p.stderr.strip()}")
                outputs[k] = p.stdout.strip()
        base = statistics.median(times["tern"])
        for k, ts in times.items():
            m = statistics.median(ts)
            print(f"{name:10} {k:12} {m:9.3f} {m / base:7.2f}   ({outputs[k].splitlines()[-1] if outputs[k] else ''})")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
