//! Runs the built `tern` binary.

use std::path::PathBuf;
use std::process::{Command, Output};

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");

/// Runs tern, killing it if it has not finished within a minute (so a regression in
/// the interruption tests fails instead of hanging the test run).
fn tern(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tern"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("cannot run tern");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        if child.try_wait().expect("cannot wait for tern").is_some() {
            return child.wait_with_output().expect("cannot read tern's output");
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("tern {args:?} did not finish within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

fn example(name: &str) -> String {
    format!("{EXAMPLES}/{name}")
}

/// A fresh scratch folder for one test.
fn scratch(test: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tern-cli-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn run_fib() {
    let o = tern(&["run", &example("fib.wat"), "--invoke", "fib", "20"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "6765\n");
}

#[test]
fn run_loop() {
    let o = tern(&[
        "run",
        &example("loop.wat"),
        "--invoke",
        "sum_squares",
        "1000",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "332833500\n");
}

#[test]
fn run_start_and_hello() {
    let o = tern(&["run", &example("hello.wat")]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "");
    let o = tern(&["run", &example("hello.wat"), "--invoke", "greeting_len"]);
    assert_eq!(stdout(&o), "13\n");
}

#[test]
fn run_parses_arguments_by_type() {
    let d = scratch("args");
    let f = d.join("args.wat");
    std::fs::write(
        &f,
        r#"(module
          (func (export "id32") (param i32) (result i32) local.get 0)
          (func (export "id64") (param i64) (result i64) local.get 0)
          (func (export "addf") (param f32 f64) (result f64)
            (f64.add (f64.promote_f32 (local.get 0)) (local.get 1)))
          (func (export "addv") (param v128 v128) (result v128)
            (i32x4.add (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let f = f.to_str().unwrap();
    let out = |args: &[&str]| {
        let mut a = vec!["run", f, "--invoke"];
        a.extend_from_slice(args);
        let o = tern(&a);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    assert_eq!(out(&["id32", "-5"]), "-5\n");
    assert_eq!(out(&["id32", "0xffffffff"]), "-1\n");
    assert_eq!(out(&["id32", "4294967295"]), "-1\n");
    assert_eq!(
        out(&["id64", "-9223372036854775808"]),
        "-9223372036854775808\n"
    );
    assert_eq!(out(&["addf", "1.5", "2.25"]), "3.75\n");
    assert_eq!(out(&["addf", "inf", "1"]), "inf\n");
    assert_eq!(out(&["addf", "nan", "1"]), "NaN\n");
    assert_eq!(
        out(&["addv", "0x00000004000000030000000200000001", "0x10"]),
        "0x00000004000000030000000200000011\n"
    );
    let o = tern(&["run", f, "--invoke", "addv", "12", "0x1"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "a v128 argument needs its 0x form"
    );
    let o = tern(&["run", f, "--invoke", "id32", "4294967296"]);
    assert_eq!(o.status.code(), Some(1));
    let o = tern(&["run", f, "--invoke", "id32"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn run_trap_exits_134() {
    let d = scratch("trap");
    let f = d.join("trap.wat");
    std::fs::write(
        &f,
        r#"(module (func (export "div") (param i32) (result i32)
             (i32.div_u (i32.const 1) (local.get 0))))"#,
    )
    .unwrap();
    let o = tern(&["run", f.to_str().unwrap(), "--invoke", "div", "0"]);
    assert_eq!(o.status.code(), Some(134), "stderr: {}", stderr(&o));
    let e = stderr(&o);
    assert!(e.starts_with("error: "), "{e}");
    assert!(e.contains("integer divide by zero"), "{e}");
}

#[test]
fn run_names_mistyped_wasi_import() {
    let d = scratch("wasi");
    let f = d.join("wasi.wat");
    std::fs::write(
        &f,
        r#"(module
             (import "wasi_snapshot_preview1" "fd_write" (func (param i32)))
             (memory (export "memory") 1)
             (func (export "_start")))"#,
    )
    .unwrap();
    let o = tern(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("wasi_snapshot_preview1::fd_write"), "{e}");
    assert!(e.contains("(func (param i32))"), "expected type named: {e}");
    assert!(
        e.contains("(func (param i32 i32 i32 i32) (result i32))"),
        "actual type: {e}"
    );
}

#[test]
fn validate_valid() {
    let o = tern(&["validate", &example("fib.wat")]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert!(stdout(&o).ends_with(": valid\n"));
}

#[test]
fn validate_corrupted_file() {
    let d = scratch("corrupt");
    let f = d.join("bad.wasm");
    // A type section that claims one entry and then ends.
    std::fs::write(&f, b"\0asm\x01\0\0\0\x01\x05\x01\x60\x01\x7f").unwrap();
    let o = tern(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = format!("{}{}", stdout(&o), stderr(&o));
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("error: "), "{out}");
    assert!(out.contains("offset"), "{out}");
}

#[test]
fn validate_invalid_module() {
    let d = scratch("invalid");
    let f = d.join("bad.wat");
    std::fs::write(&f, "(module (func (result i32) (i64.const 1)))").unwrap();
    let o = tern(&["validate", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("offset"), "{e}");
}

#[test]
fn validate_missing_file() {
    let o = tern(&["validate", "/nonexistent/definitely-missing.wasm"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("definitely-missing.wasm"), "{e}");
}

#[test]
fn inspect_lists_sections() {
    let o = tern(&["inspect", &example("hello.wat")]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let s = stdout(&o);
    for want in [
        "types: 2",
        "functions: 2",
        "memories: 1",
        "func \"_start\": (func)",
        "data segments: 1 (13 bytes)",
    ] {
        assert!(s.contains(want), "missing {want:?} in:\n{s}");
    }
}

#[test]
fn wast_counts() {
    let d = scratch("wast");
    let f = d.join("tiny.wast");
    std::fs::write(
        &f,
        r#"(module
             (func (export "add") (param i32 i32) (result i32)
               (i32.add (local.get 0) (local.get 1))))
           (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
           (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
           (assert_malformed (module quote "(func") "unexpected end")
        "#,
    )
    .unwrap();
    let o = tern(&["wast", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    let s = stdout(&o);
    assert_eq!(s.lines().last(), Some("3 passed, 1 failed"), "{s}");
    assert!(s.contains("tiny.wast: 3 passed, 1 failed"), "{s}");

    let o = tern(&["wast", "-v", f.to_str().unwrap()]);
    let s = stdout(&o);
    assert!(s.contains("line 5: assert_return"), "{s}");

    let ok = d.join("ok.wast");
    std::fs::write(
        &ok,
        "(module (func (export \"f\") (result i32) (i32.const 7)))\n\
         (assert_return (invoke \"f\") (i32.const 7))\n",
    )
    .unwrap();
    // A folder is searched for scripts.
    std::fs::remove_file(&f).unwrap();
    let o = tern(&["wast", d.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert_eq!(stdout(&o).lines().last(), Some("2 passed, 0 failed"));
}

#[test]
fn help_has_examples() {
    for sub in ["run", "validate", "inspect", "wast"] {
        let o = tern(&[sub, "--help"]);
        assert!(o.status.success());
        let s = stdout(&o);
        assert!(s.contains("Example"), "{sub} --help:\n{s}");
    }
}

#[test]
fn run_wasi_command_with_args() {
    let o = tern(&["run", &example("primes.wasm"), "100"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "25 primes below 100; the largest: 97 89 83 79 73\n"
    );
}

#[test]
fn run_reports_unsatisfied_import() {
    let d = scratch("unlinkable");
    let f = d.join("needs.wat");
    std::fs::write(
        &f,
        r#"(module (import "env" "missing" (func (param i32))))"#,
    )
    .unwrap();
    let o = tern(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.contains("env::missing") && e.contains("(func (param i32))"),
        "{e}"
    );
}

#[test]
fn run_exit_status_and_trap_code() {
    let d = scratch("exit");
    let f = d.join("exit.wat");
    std::fs::write(
        &f,
        r#"(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
             (memory (export "memory") 1)
             (func (export "_start") (call $exit (i32.const 7))))"#,
    )
    .unwrap();
    assert_eq!(tern(&["run", f.to_str().unwrap()]).status.code(), Some(7));
    let t = d.join("trap.wat");
    std::fs::write(&t, r#"(module (func $boom (export "_start") unreachable))"#).unwrap();
    let o = tern(&["run", t.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134));
    assert!(
        stderr(&o).contains("wasm trap: unreachable"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("boom"),
        "backtrace names the function: {}",
        stderr(&o)
    );
}

#[test]
fn run_fuel_and_max_memory() {
    let d = scratch("limits");
    let spin = d.join("spin.wat");
    std::fs::write(
        &spin,
        r#"(module (func (export "_start") (loop $l (br $l))))"#,
    )
    .unwrap();
    let o = tern(&["run", "--fuel", "1000000", spin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("all fuel consumed"), "{}", stderr(&o));

    let grow = d.join("grow.wat");
    std::fs::write(
        &grow,
        r#"(module (memory 1)
             (func (export "grow_all") (result i32) (local i32)
               (loop $l (br_if $l (i32.ne (memory.grow (i32.const 1)) (i32.const -1))))
               (memory.size)))"#,
    )
    .unwrap();
    let o = tern(&[
        "run",
        "--max-memory",
        "1MiB",
        grow.to_str().unwrap(),
        "--invoke",
        "grow_all",
    ]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "16\n", "1 MiB is 16 pages");
    let o = tern(&["run", "--max-memory", "12parsecs", grow.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "clap rejects a bad size: {}",
        stderr(&o)
    );
}

#[test]
fn run_reactor_initializes_before_invoke() {
    let d = scratch("reactor");
    let f = d.join("reactor.wat");
    std::fs::write(
        &f,
        r#"(module (global $ready (mut i32) (i32.const 0))
             (func (export "_initialize") (global.set $ready (i32.const 41)))
             (func (export "answer") (result i32) (i32.add (global.get $ready) (i32.const 1))))"#,
    )
    .unwrap();
    let o = tern(&["run", f.to_str().unwrap(), "--invoke", "answer"]);
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    assert_eq!(stdout(&o), "42\n");
}

#[test]
fn run_missing_and_non_wasm_files_fail_in_one_line() {
    let o = tern(&["run", "definitely-missing.wasm"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).lines().count(), 1, "{}", stderr(&o));
    let d = scratch("notwasm");
    let f = d.join("notes.txt");
    std::fs::write(&f, "this is not a module").unwrap();
    let o = tern(&["run", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("notes.txt"), "{e}");
}

#[test]
fn run_timeout_stops_an_infinite_loop() {
    let d = scratch("timeout");
    let spin = d.join("spin.wat");
    std::fs::write(
        &spin,
        r#"(module (func (export "_start") (loop $l (br $l))))"#,
    )
    .unwrap();
    let start = std::time::Instant::now();
    let o = tern(&["run", "--timeout", "1s", spin.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(134), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn run_deterministic_repeats_clocks_and_randomness() {
    let d = scratch("deterministic");
    let f = d.join("entropy.wat");
    std::fs::write(
        &f,
        r#"(module
             (import "wasi_snapshot_preview1" "random_get" (func $rand (param i32 i32) (result i32)))
             (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
             (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
             (memory (export "memory") 1)
             (func (export "_start")
               (drop (call $rand (i32.const 64) (i32.const 16)))
               (drop (call $clock (i32.const 0) (i64.const 1) (i32.const 80)))
               (i32.store (i32.const 0) (i32.const 64))
               (i32.store (i32.const 4) (i32.const 24))
               (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#,
    )
    .unwrap();
    let run = |det: bool| {
        let mut args = vec!["run"];
        if det {
            args.push("--deterministic");
        }
        args.push(f.to_str().unwrap());
        let o = tern(&args);
        assert!(o.status.success(), "stderr: {}", stderr(&o));
        o.stdout
    };
    assert_eq!(run(true), run(true));
    assert_eq!(run(true).len(), 24);
    assert_ne!(run(false), run(false), "host entropy differs between runs");
}

/// Every tier prints the same output for the README's example, the same trap (with its
/// backtrace) for a division by zero, and an unknown tier is a one-line error.
#[test]
fn run_tiers_agree() {
    let primes = example("primes.wasm");
    let interp = tern(&["run", "--tier", "interp", &primes, "100000"]);
    assert_eq!(interp.status.code(), Some(0), "{}", stderr(&interp));
    for tier in ["opt", "auto"] {
        let o = tern(&["run", "--tier", tier, &primes, "100000"]);
        assert_eq!(o.status.code(), Some(0), "{tier}: {}", stderr(&o));
        assert_eq!(stdout(&o), stdout(&interp), "{tier}");
    }
    let d = scratch("tiers");
    let f = d.join("trap.wat");
    std::fs::write(
        &f,
        r#"(module $m
             (func $div (export "div") (param i32) (result i32)
               (local $i i32)
               (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
                        (br_if $l (i32.lt_u (local.get $i) (i32.const 100))))
               (i32.div_u (local.get $i) (local.get 0))))"#,
    )
    .unwrap();
    let f = f.to_str().unwrap();
    let interp = tern(&["run", "--tier", "interp", f, "--invoke", "div", "0"]);
    let opt = tern(&["run", "--tier", "opt", f, "--invoke", "div", "0"]);
    assert_eq!(opt.status.code(), Some(134));
    assert!(
        stderr(&opt).contains("integer divide by zero"),
        "{}",
        stderr(&opt)
    );
    assert_eq!(stderr(&opt), stderr(&interp));
    let bad = tern(&["run", "--tier", "fast", f]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("expected interp, opt or auto"),
        "{}",
        stderr(&bad)
    );
    let v = tern(&["--version"]);
    assert!(stdout(&v).contains("tiers: interpreter"), "{}", stdout(&v));
}
