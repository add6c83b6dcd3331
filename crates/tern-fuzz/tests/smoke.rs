//! A short, deterministic run of each fuzz harness over fixed pseudo-random inputs, so
//! that `cargo test` catches a regression the fuzzers would find. The long runs live in
//! `fuzz/` (see `fuzz/README.md`).

use tern_fuzz::{
    decode_validate, differential_vs_wasmi, smoke_inputs, validate_vs_wasmparser, DecodeOutcome,
    DiffOutcome,
};

#[test]
fn decode_validate_smoke() {
    let mut counts = [0usize; 4];
    for input in smoke_inputs(400, 0, 512) {
        let i = match decode_validate(&input) {
            DecodeOutcome::Malformed => 0,
            DecodeOutcome::Invalid => 1,
            DecodeOutcome::Unsupported => 2,
            DecodeOutcome::Valid => 3,
        };
        counts[i] += 1;
    }
    // Generated modules, each byte-flipped, reach far deeper than random bytes.
    for input in smoke_inputs(200, 64, 2048) {
        if let Some(mut wasm) = tern_fuzz::smith_module_for_validation(&input) {
            decode_validate(&wasm);
            for k in 0..wasm.len().min(32) {
                let at = 8 + (k * 7919) % wasm.len().saturating_sub(8).max(1);
                if at < wasm.len() {
                    wasm[at] ^= 0x5a;
                    decode_validate(&wasm);
                    wasm[at] ^= 0x5a;
                }
            }
        }
    }
    eprintln!("decode_validate: malformed/invalid/unsupported/valid = {counts:?}");
}

#[test]
fn validate_vs_wasmparser_smoke() {
    let mut counts = std::collections::BTreeMap::new();
    for (seed, input) in smoke_inputs(200, 256, 4096).into_iter().enumerate() {
        eprintln!("seed {seed}");
        *counts
            .entry(format!("{:?}", validate_vs_wasmparser(&input)))
            .or_insert(0) += 1;
    }
    eprintln!("validate_vs_wasmparser: {counts:?}");
    assert!(
        counts.get("BothAccept").copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
}

#[test]
fn differential_vs_wasmi_smoke() {
    let mut counts = std::collections::BTreeMap::new();
    let mut calls = 0;
    for (seed, input) in smoke_inputs(200, 256, 4096).into_iter().enumerate() {
        eprintln!("seed {seed}");
        let out = differential_vs_wasmi(&input);
        let key = match out {
            DiffOutcome::Compared { calls: c, .. } => {
                calls += c;
                "Compared".to_string()
            }
            other => format!("{other:?}"),
        };
        *counts.entry(key).or_insert(0) += 1;
    }
    eprintln!("differential_vs_wasmi: {counts:?}, {calls} export calls compared");
    assert!(
        counts.get("Compared").copied().unwrap_or(0) > 0,
        "{counts:?}"
    );
}

#[test]
fn differential_tiers_smoke() {
    let mut counts = std::collections::BTreeMap::new();
    let mut calls = 0;
    // Fewer inputs than the other harnesses: each compiles every function twice.
    for (seed, input) in smoke_inputs(60, 256, 4096).into_iter().enumerate() {
        eprintln!("seed {seed}");
        let outcome = tern_fuzz::differential_tiers(&input);
        if let tern_fuzz::TiersOutcome::Compared { calls: c } = outcome {
            calls += c;
        }
        let key = format!("{outcome:?}");
        let key = key.split(' ').next().unwrap_or("").to_string();
        *counts.entry(key).or_insert(0) += 1;
    }
    eprintln!("differential_tiers: {counts:?}, {calls} calls");
    assert!(calls > 0, "{counts:?}");
}
