//! Harness (d): the same `wasm-smith` module (SIMD, tail calls, memory64, multi-memory,
//! bulk memory and reference types included) run by tern's interpreter alone, with
//! every function compiled by the optimizing tier first, and with tier-up.
//!
//! Both runs are tern, so everything is compared exactly: instantiation, each exported
//! function's results (bit for bit; wasm-smith canonicalizes NaNs) or its whole error
//! text (the trap message and the wasm backtrace with offsets) and the fuel it left,
//! and then every exported global, memory (all bytes) and table. Termination comes from
//! `wasm-smith`'s fuel global and from tern's own fuel (`Config::consume_fuel`), both
//! of which native code charges as the interpreter does.

use crate::differential::{default_args, smith_module_for_tern};

/// tern's own fuel for each call: the tiers must charge it alike, to the unit (some
/// calls run out, which compares where they stop).
const FUEL: u64 = 20_000;

/// The comparison's result when the tiers agree (a disagreement panics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TiersOutcome {
    /// The fuzzer input was too short to make a module.
    NoModule,
    /// tern reported an unsupported feature.
    Unsupported,
    /// Both tiers failed to instantiate, with the same error.
    BothFailedInstantiation,
    /// Compared; `calls` exported functions were called.
    Compared { calls: usize },
}

/// Runs one generated module in every tier; panics if they disagree.
pub fn differential_tiers(data: &[u8]) -> TiersOutcome {
    match smith_module_for_tern(data) {
        Some(bytes) => compare_tiers(&bytes),
        None => TiersOutcome::NoModule,
    }
}

/// What one tier did with a module: instantiation's error, or each export's outcome
/// and the final exported state, as text.
fn run(bytes: &[u8], tier: tern::Tier) -> Result<Vec<String>, String> {
    let mut config = tern::Config::new();
    config.tier(tier).lazy_compilation(false).consume_fuel(true);
    let engine = tern::Engine::new(&config);
    let module = tern::Module::new(&engine, bytes).map_err(|e| format!("module: {e}"))?;
    let mut store = tern::Store::new(&engine, ());
    store.set_fuel(FUEL).map_err(|e| format!("fuel: {e}"))?;
    let inst = tern::Linker::new(&engine)
        .instantiate(&mut store, &module)
        .map_err(|e| format!("instantiation: {e}"))?;
    let exports = inst.exports(&store);
    let mut out = Vec::new();
    for (name, ext) in &exports {
        let tern::Extern::Func(f) = ext else { continue };
        let ty = f.ty(&store);
        let Some(args) = default_args(&ty) else {
            continue;
        };
        let mut results = vec![tern::Val::I32(0); ty.results.len()];
        let r = f.call(&mut store, &args, &mut results);
        let left = store.get_fuel().unwrap_or(0);
        match r {
            Ok(()) => out.push(format!("call {name}: {} (fuel {left})", show(&results))),
            Err(e) => out.push(format!("call {name}: error {e} (fuel {left})")),
        }
        // Each call starts with the same fuel, so running out in one does not hide
        // the next.
        let _ = store.set_fuel(FUEL);
    }
    for (name, ext) in &exports {
        match ext {
            tern::Extern::Global(g) => {
                out.push(format!("global {name}: {}", show(&[g.get(&store)])));
            }
            tern::Extern::Memory(m) => {
                // Its length and a digest of every byte (FNV-1a), not the bytes as text.
                let data = m.data(&store);
                let digest = data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                    (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
                });
                out.push(format!(
                    "memory {name}: {} bytes, {digest:#018x}",
                    data.len()
                ));
            }
            tern::Extern::Table(t) => {
                let n = t.size(&store);
                let nulls: Vec<bool> = (0..n)
                    .map(|i| {
                        matches!(
                            t.get(&store, i),
                            Some(tern::Val::FuncRef(None)) | Some(tern::Val::ExternRef(None))
                        )
                    })
                    .collect();
                out.push(format!("table {name}: {n} {nulls:?}"));
            }
            tern::Extern::Func(_) => {}
        }
    }
    Ok(out)
}

/// Compares the tiers on one module binary: the interpreter against every function
/// compiled first (`Tier::Opt`) and against tier-up (`Tier::Auto`, where loops and
/// calls that pass the threshold move to native code mid-run); panics if they
/// disagree.
pub fn compare_tiers(bytes: &[u8]) -> TiersOutcome {
    let interp = run(bytes, tern::Tier::Interp);
    if let Err(e) = &interp {
        if e.starts_with("module:") && e.contains("unsupported") {
            return TiersOutcome::Unsupported;
        }
    }
    let opt = run(bytes, tern::Tier::Opt);
    agree(&interp, &opt, "opt");
    let auto = run(bytes, tern::Tier::Auto);
    agree(&interp, &auto, "auto");
    match &interp {
        Ok(a) => TiersOutcome::Compared {
            calls: a.iter().filter(|l| l.starts_with("call ")).count(),
        },
        Err(_) => TiersOutcome::BothFailedInstantiation,
    }
}

/// Panics unless tier `name`'s run `other` did what the interpreter's did.
fn agree(interp: &Result<Vec<String>, String>, other: &Result<Vec<String>, String>, name: &str) {
    match (interp, other) {
        (Ok(a), Ok(b)) => {
            for (x, y) in a.iter().zip(b) {
                assert_eq!(x, y, "the interpreter and {name} disagree");
            }
            assert_eq!(
                a.len(),
                b.len(),
                "the interpreter and {name} ran different calls"
            );
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "the interpreter and {name} fail differently"),
        _ => panic!("one tier fails: interp {interp:?}, {name} {other:?}"),
    }
}

/// Values as text, references by whether they are null (a function reference names
/// its store, which differs between the two runs).
fn show(vals: &[tern::Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            tern::Val::FuncRef(f) => format!("FuncRef(null={})", f.is_none()),
            tern::Val::ExternRef(e) => format!("ExternRef(null={})", e.is_none()),
            other => format!("{other:?}"),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}
