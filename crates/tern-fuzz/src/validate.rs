//! Harness (b): tern's validator against `wasmparser`'s on `wasm-smith` modules.
//!
//! The module comes from an arbitrary `wasm_smith::Config` (all of Wasm 3.0 that
//! wasm-smith generates: GC, exceptions, SIMD, threads, memory64, tail calls, ...). To
//! get rejections as well as acceptances, some modules are generated with
//! `allow_invalid_funcs` (random function bodies) and some have a few bytes overwritten.
//! `wasmparser` validates with a fixed feature set ([`ORACLE_FEATURES`]) since tern has
//! no feature switches. A module tern reports as *unsupported* is not compared.

use arbitrary::{Arbitrary, Unstructured};
use wasmparser::{Validator, WasmFeatures};

/// What `wasmparser` is allowed to accept: Wasm 3.0 (which includes GC, exceptions,
/// SIMD, relaxed SIMD, threads, memory64, multi-memory, tail calls, extended const and
/// function references).
pub const ORACLE_FEATURES: WasmFeatures = WasmFeatures::WASM3;

/// The comparison's result when tern and wasmparser agree (a disagreement panics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidateOutcome {
    /// The fuzzer input was too short to make a module.
    NoModule,
    BothAccept,
    BothReject,
    /// tern reported an unsupported feature: not compared.
    Unsupported,
}

/// A `wasm-smith` module (possibly mutated) from fuzzer bytes, for [`validate_vs_wasmparser`].
pub fn smith_module_for_validation(data: &[u8]) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let mut config = wasm_smith::Config::arbitrary(&mut u).ok()?;
    // Proposals past Wasm 3.0 that the oracle's feature set does not include.
    config.compact_imports_enabled = false;
    config.custom_page_sizes_enabled = false;
    config.wide_arithmetic_enabled = false;
    config.shared_everything_threads_enabled = false;
    config.custom_descriptors_enabled = false;
    config.multibyte_array_access_enabled = false;
    config.acquire_release_atomics_enabled = false;
    config.allow_invalid_funcs = u.arbitrary().ok()?;
    let module = wasm_smith::Module::new(config, &mut u).ok()?;
    let mut bytes = module.to_bytes();
    // Overwrite up to 3 bytes past the header.
    let mutations: u8 = u.int_in_range(0..=3).unwrap_or(0);
    for _ in 0..mutations {
        if bytes.len() <= 8 {
            break;
        }
        let Ok(at) = u.int_in_range(8..=bytes.len() - 1) else {
            break;
        };
        let Ok(b) = u.arbitrary::<u8>() else { break };
        bytes[at] = b;
    }
    Some(bytes)
}

/// Validates one generated module with tern and with `wasmparser`; panics if they
/// disagree.
pub fn validate_vs_wasmparser(data: &[u8]) -> ValidateOutcome {
    let Some(bytes) = smith_module_for_validation(data) else {
        return ValidateOutcome::NoModule;
    };
    compare_validation(&bytes)
}

/// Compares tern's and wasmparser's verdicts on one binary; panics if they disagree.
pub fn compare_validation(bytes: &[u8]) -> ValidateOutcome {
    let tern =
        tern::binary::decode(bytes).and_then(|m| tern::validate::validate(&m, bytes).map(drop));
    let oracle = Validator::new_with_features(ORACLE_FEATURES).validate_all(bytes);
    match (tern, oracle) {
        (Err(tern::Error::Unsupported { .. }), _) => ValidateOutcome::Unsupported,
        (Ok(()), Ok(_)) => ValidateOutcome::BothAccept,
        (Err(_), Err(_)) => ValidateOutcome::BothReject,
        (Ok(()), Err(e)) => {
            if oracle_limit(&e) {
                return ValidateOutcome::BothReject;
            }
            panic!("tern accepts a module that wasmparser rejects: {e}")
        }
        (Err(e), Ok(_)) => panic!("tern rejects a module that wasmparser accepts: {e}"),
    }
}

/// wasmparser rejections that come from its implementation limits (number of locals,
/// types, function size, ...) rather than from the spec; tern is allowed to differ.
fn oracle_limit(e: &wasmparser::BinaryReaderError) -> bool {
    let _ = e;
    false
}
