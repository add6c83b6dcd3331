//! The shared benchmark programs, run with their `--small` argument; stdout must
//! match the expected output byte for byte. The bench directory is `$TERN_BENCH`,
//! or `../shared/bench` beside the workspace; the test is skipped (with a note)
//! when neither exists.

mod common;

use std::path::PathBuf;
use std::time::Instant;

use common::*;
use tern_wasi::WasiCtxBuilder;

fn bench_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("TERN_BENCH") {
        Some(d) => PathBuf::from(d),
        None => {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../..")).join("../shared/bench")
        }
    };
    dir.join("suite.txt").exists().then_some(dir)
}

/// `(name, small argument)` from suite.txt.
fn suite(dir: &std::path::Path) -> Vec<(String, String)> {
    std::fs::read_to_string(dir.join("suite.txt"))
        .unwrap()
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut w = l.split_whitespace();
            (
                w.next().unwrap().to_string(),
                w.next().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn run_bench(name: &str) {
    let Some(dir) = bench_dir() else {
        eprintln!("bench directory not found (set TERN_BENCH); skipping {name}");
        return;
    };
    let (_, small) = suite(&dir)
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not in suite.txt"));
    let wasm = dir.join(format!("wasm/{name}.wasm"));
    let expected = std::fs::read(dir.join(format!("expected/{name}.small.stdout"))).unwrap();
    let start = Instant::now();
    let o = run_file(
        &wasm,
        WasiCtxBuilder::new().args(&[format!("{name}.wasm"), small]),
    );
    eprintln!("{name}: {:?}", start.elapsed());
    assert_eq!(o.status, Ok(0), "stderr: {}", o.stderr_str());
    assert!(
        o.stdout == expected,
        "{name}: stdout {:?}, expected {:?}",
        o.stdout_str(),
        String::from_utf8_lossy(&expected)
    );
}

#[test]
fn every_suite_entry_has_a_test() {
    let Some(dir) = bench_dir() else { return };
    let known = [
        "fib", "sieve", "nbody", "matmul", "hash", "memops", "sort", "interp", "strings",
        "bintrees",
    ];
    for (name, _) in suite(&dir) {
        assert!(
            known.contains(&name.as_str()),
            "no test for benchmark {name}"
        );
    }
}

macro_rules! bench_tests {
    ($($name:ident)*) => {$(
        #[test]
        fn $name() {
            run_bench(stringify!($name));
        }
    )*};
}

bench_tests!(fib sieve nbody matmul hash memops sort interp strings bintrees);
