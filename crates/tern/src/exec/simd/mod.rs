//! Vector semantics (spec: Execution › Numerics, the vector operators and the relaxed
//! operations): what every SIMD instruction of Wasm 2.0 and relaxed SIMD of Wasm 3.0
//! computes from its operands, lane by lane. This module owns the lane semantics only:
//! it touches no memory, no stack and no store, and nothing here traps (the only SIMD
//! traps are out-of-bounds loads and stores, which the caller checks before handing
//! [`load`] the bytes it read).
//!
//! Values are `u128` in little-endian lane order (lane 0 in the lowest bits); scalars
//! are in slot representation (an `i32` or `f32` bit pattern zero-extended into a
//! `u64`; `i64` and `f64` use all 64 bits). Each entry point asks every instruction
//! family (listed below) that has instructions of its kind, each family matches on
//! the instruction, and all of it is `#[inline(always)]`: the interpreter calls an
//! entry point with a constant instruction from that instruction's own handler, so
//! the matches fold away and only the arm's lane loop remains. Lane loops run over fixed-size arrays (`[i8; 16]`,
//! `[f32; 4]`, ...) so that LLVM can vectorize them (on x86-64 the arrays are moved
//! in and out of the `u128` through SSE2, and two bitmasks use `pmovmskb`; other
//! targets use the portable code, which the tests check against). No function
//! panics: an instruction of the wrong kind for the function (which validated code
//! never produces) gives 0, and lane indices are masked to the lane count.
//!
//! Float arithmetic uses the host's IEEE operations, so NaN results are whatever
//! arithmetic NaN the host produces (the spec allows any; results from canonical NaN
//! operands stay canonical); `min`, `max`, `nearest` and the rounding of signalling
//! NaNs follow [`super::numeric`].
//!
//! Relaxed SIMD: every relaxed instruction takes the result of the spec's
//! *deterministic profile* (each relaxed parameter is 0), which is also among the
//! alternatives the spec tests accept, and depends on nothing about the host;
//! `relaxed.rs` lists what that makes of each relaxed instruction.
//!
//! The semantics are split by instruction family (the spec's groups of vector
//! instructions, Structure › Instructions › Vector Instructions), one room each:
//! - `lanes`: the `u128` <-> lane-array views and `map`/`zip`/`zip3`, under all the
//!   others;
//! - `bitwise`: `v128.not`, `and`, `andnot`, `or`, `xor`, `bitselect`;
//! - `integer`: integer lane arithmetic and shifts;
//! - `float`: float lane arithmetic and rounding;
//! - `compare`: lane comparisons, `any_true`, `all_true`, `bitmask`;
//! - `convert`: `extend`, `narrow`, `convert`, `trunc_sat`, `demote`, `promote`;
//! - `shuffle`: `shuffle`, `swizzle`, `splat`, `extract_lane`, `replace_lane`;
//! - `memory`: what the `v128` loads make of the bytes they read;
//! - `relaxed`: the relaxed instructions with no deterministic counterpart
//!   (`relaxed_madd`, `relaxed_nmadd`, the dot products); the others share their
//!   counterpart's arm in its family.
//!
//! A family answers each kind of instruction it has (`[v128] -> v128`,
//! `[v128 v128] -> v128`, ...) with a `try_unary`, `try_binary`, ... that gives `None`
//! for an instruction not its own, and this module asks the families that have that
//! kind. The families use `lanes` and not each other; only this module knows them
//! all. A new family is a new room and one line in each kind it has.

use crate::syntax::SimdOp;

mod bitwise;
mod compare;
mod convert;
mod float;
mod integer;
mod lanes;
mod memory;
mod relaxed;
mod shuffle;

pub use memory::load;
pub use shuffle::{extract_lane, replace_lane, shuffle};

// ---------------------------------------------------------------------------------
// The entry points

/// Every `[v128] -> v128` instruction applied to `a`; 0 for any other instruction.
#[inline(always)]
pub fn unary(op: SimdOp, a: u128) -> u128 {
    try_unary(op, a).unwrap_or(0)
}

/// Every `[v128 v128] -> v128` instruction applied to `a` and `b` (`a` pushed first);
/// 0 for any other instruction.
#[inline(always)]
pub fn binary(op: SimdOp, a: u128, b: u128) -> u128 {
    try_binary(op, a, b).unwrap_or(0)
}

/// Every `[v128 v128 v128] -> v128` instruction (`v128.bitselect`, `relaxed_madd`,
/// `relaxed_nmadd`, `relaxed_laneselect`, `i32x4.relaxed_dot_i8x16_i7x16_add_s`)
/// applied to `a`, `b` and `c` in stack order (`a` pushed first); 0 for any other
/// instruction.
#[inline(always)]
pub fn ternary(op: SimdOp, a: u128, b: u128, c: u128) -> u128 {
    try_ternary(op, a, b, c).unwrap_or(0)
}

/// Every `[v128] -> i32` instruction (`v128.any_true`, `all_true`, `bitmask`) applied
/// to `a`; 0 for any other instruction.
#[inline(always)]
pub fn test(op: SimdOp, a: u128) -> u32 {
    try_test(op, a).unwrap_or(0)
}

/// Every `[v128 i32] -> v128` instruction (`shl`, `shr_s`, `shr_u`) applied to `a` and
/// the shift count `count` (taken modulo the lane width); 0 for any other instruction.
#[inline(always)]
pub fn shift(op: SimdOp, a: u128, count: u32) -> u128 {
    try_shift(op, a, count).unwrap_or(0)
}

/// The six `splat` instructions applied to the scalar `x` (slot representation); 0
/// for any other instruction.
#[inline(always)]
pub fn splat(op: SimdOp, x: u64) -> u128 {
    try_splat(op, x).unwrap_or(0)
}

// ---------------------------------------------------------------------------------
// The instructions, by kind: each asks the families that have instructions of that
// kind and returns `None` for an instruction of another kind (the tests check that
// every instruction has exactly the kind its signature says, and exactly one family).

/// The first of the families' answers that is `Some` (at most one family has any
/// instruction). Every family is asked, in order, before any answer is looked at: in
/// a handler the instruction is a constant, so each family's `try_*` (all
/// `#[inline(always)]`) is inlined with its match already folded to the one arm or
/// to `None`, and the live arm is then on the handler's straight path. Asking the
/// next family only on `None` (nested matches, or `Option::or_else`, whose closures
/// LLVM does not even inline) puts the live arm behind one unresolved test per
/// earlier family, and LLVM can then take a late family's arm for a cold call site
/// and leave its lane loop (`core::array::from_fn`) out of line (it did so for
/// `i16x8.relaxed_dot_i8x16_i7x16_s`, whose helper two handlers share).
macro_rules! first_some {
    ($e:expr $(,)?) => {
        $e
    };
    ($e:expr, $($rest:expr),+ $(,)?) => {{
        let (first, rest) = ($e, first_some!($($rest),+));
        match first {
            Some(v) => Some(v),
            None => rest,
        }
    }};
}

#[inline(always)]
fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    first_some!(
        bitwise::try_unary(op, a),
        integer::try_unary(op, a),
        float::try_unary(op, a),
        convert::try_unary(op, a),
    )
}

#[inline(always)]
fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    first_some!(
        bitwise::try_binary(op, a, b),
        integer::try_binary(op, a, b),
        float::try_binary(op, a, b),
        compare::try_binary(op, a, b),
        convert::try_binary(op, a, b),
        shuffle::try_binary(op, a, b),
        relaxed::try_binary(op, a, b),
    )
}

#[inline(always)]
fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    first_some!(
        bitwise::try_ternary(op, a, b, c),
        relaxed::try_ternary(op, a, b, c),
    )
}

#[inline(always)]
fn try_test(op: SimdOp, a: u128) -> Option<u32> {
    compare::try_test(op, a)
}

#[inline(always)]
fn try_shift(op: SimdOp, a: u128, count: u32) -> Option<u128> {
    integer::try_shift(op, a, count)
}

#[inline(always)]
fn try_splat(op: SimdOp, x: u64) -> Option<u128> {
    shuffle::try_splat(op, x)
}

#[cfg(test)]
mod tests;
