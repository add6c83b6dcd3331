//! Fuzzing harnesses for tern, shared by the cargo-fuzz targets in `fuzz/` and by this
//! crate's deterministic smoke and regression tests (`cargo test -p tern-fuzz`).
//!
//! Each harness takes raw fuzzer bytes, **panics** when it finds a bug (a panic inside
//! tern, or a disagreement with the oracle), and otherwise returns an outcome that the
//! smoke tests count:
//!
//! - [`decode_validate`]: arbitrary bytes into `binary::decode` and `validate::validate`;
//! - [`validate_vs_wasmparser`]: `wasm-smith` modules (some with invalid function bodies,
//!   some with a few bytes overwritten) validated by tern and by `wasmparser`: both must
//!   accept or both reject;
//! - [`differential_vs_wasmi`]: `wasm-smith` modules restricted to the features tern
//!   executes, run in tern and in `wasmi`, comparing instantiation, every exported
//!   function's results or trap, and the final exported memories, globals and tables;
//! - [`differential_tiers`]: `wasm-smith` modules with everything tern executes, run in
//!   tern's interpreter and with its optimizing tier forced on, compared exactly.
//!
//! `wasmparser` and `wasmi` are oracles only: nothing here is used by `tern` itself.

mod decode;
mod differential;
mod tiers;
mod validate;

pub use decode::{decode_validate, DecodeOutcome};
pub use differential::{
    compare_execution, differential_vs_wasmi, smith_module_for_execution, smith_module_for_tern,
    DiffOutcome,
};
pub use tiers::{compare_tiers, differential_tiers, TiersOutcome};
pub use validate::{
    compare_validation, smith_module_for_validation, validate_vs_wasmparser, ValidateOutcome,
};

/// A small deterministic PRNG (xorshift64*), so that smoke tests need no extra crate
/// and give the same inputs on every machine.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `len` pseudo-random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut v = Vec::with_capacity(len + 8);
        while v.len() < len {
            v.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        v.truncate(len);
        v
    }
}

/// The deterministic inputs of the smoke tests: `count` byte strings of lengths between
/// `min_len` and `max_len`, from seed 0, 1, 2, ...
pub fn smoke_inputs(count: u64, min_len: usize, max_len: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|seed| {
            let mut rng = Rng::new(seed);
            let span = (max_len - min_len + 1) as u64;
            let len = min_len + (rng.next_u64() % span) as usize;
            rng.bytes(len)
        })
        .collect()
}
