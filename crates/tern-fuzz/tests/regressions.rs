//! Replays every input the fuzzers once crashed on, kept in `regressions/<target>/`
//! (raw fuzzer inputs, named after what they found), through the same harness.

use std::path::Path;

fn replay(target: &str, harness: impl Fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    paths.sort();
    for path in paths {
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        eprintln!("replaying {}", path.display());
        harness(&bytes);
    }
}

#[test]
fn decode_validate_regressions() {
    replay("decode_validate", |b| {
        tern_fuzz::decode_validate(b);
    });
}

#[test]
fn validate_vs_wasmparser_regressions() {
    replay("validate_vs_wasmparser", |b| {
        tern_fuzz::validate_vs_wasmparser(b);
    });
}

#[test]
fn differential_vs_wasmi_regressions() {
    replay("differential_vs_wasmi", |b| {
        tern_fuzz::differential_vs_wasmi(b);
    });
}

#[test]
fn differential_tiers_regressions() {
    replay("differential_tiers", |b| {
        tern_fuzz::differential_tiers(b);
    });
}

/// The oracle itself: wasmi 2.0.0 ignores an `i32.eqz` feeding `select` (it returns 1
/// here, for 7 / 1). This keeps the oracle on a version without that bug.
#[test]
fn oracle_select_of_eqz() {
    let wasm = wat::parse_str(
        r#"(module
             (func (export "f") (result i32)
               (local i32)
               (local.set 0 (i32.const 3))
               (i32.div_u
                 (i32.const 7)
                 (select (i32.const 1) (local.get 0) (i32.eqz (local.get 0))))))"#,
    )
    .unwrap();
    assert!(matches!(
        tern_fuzz::compare_execution(&wasm),
        tern_fuzz::DiffOutcome::Compared { calls: 1, traps: 0 }
    ));
}
