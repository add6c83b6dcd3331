//! Vector semantics (spec: Execution › Numerics, the vector operators and the relaxed
//! operations): what every SIMD instruction of Wasm 2.0 and relaxed SIMD of Wasm 3.0
//! computes from its operands, lane by lane. This module owns the lane semantics only:
//! it touches no memory, no stack and no store, and nothing here traps (the only SIMD
//! traps are out-of-bounds loads and stores, which the caller checks before handing
//! [`load`] the bytes it read).
//!
//! Values are `u128` in little-endian lane order (lane 0 in the lowest bits); scalars
//! are in slot representation (an `i32` or `f32` bit pattern zero-extended into a
//! `u64`; `i64` and `f64` use all 64 bits). Each entry point matches on the
//! instruction and is `#[inline(always)]`: the interpreter calls it with a constant
//! instruction from that instruction's own handler, so the match folds away and only
//! the arm's lane loop remains. Lane loops run over fixed-size arrays (`[i8; 16]`,
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
//! alternatives the spec tests accept, and depends on nothing about the host:
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (an index of 16 or more gives 0);
//! - `i32x4.relaxed_trunc_*` are the matching `trunc_sat` instructions (NaN gives 0,
//!   out-of-range values saturate);
//! - `relaxed_madd(a, b, c)` is `a * b + c` and `relaxed_nmadd(a, b, c)` is
//!   `-a * b + c`, both rounded twice (never fused);
//! - `relaxed_laneselect` is `v128.bitselect` (every mask bit selects on its own);
//! - `relaxed_min` and `relaxed_max` are the wasm `min` and `max` (NaN propagates,
//!   -0 is below +0);
//! - `i16x8.relaxed_q15mulr_s` is `i16x8.q15mulr_sat_s` (`-32768 * -32768` gives
//!   32767);
//! - `i16x8.relaxed_dot_i8x16_i7x16_s` multiplies both operands as signed bytes and
//!   adds each pair of products with signed saturation to i16;
//!   `i32x4.relaxed_dot_i8x16_i7x16_add_s` takes those i16 sums, adds them in pairs
//!   (sign-extended to i32) and adds the third operand's i32 lanes, wrapping.

use core::array::from_fn;

use super::numeric::{f32_max, f32_min, f64_max, f64_min};
use crate::syntax::SimdOp;

mod bitwise;
mod compare;
mod convert;
mod float;
mod integer;
mod lanes;
mod memory;
mod shuffle;

use lanes::*;
pub use memory::load;
pub use shuffle::{extract_lane, replace_lane, shuffle};

/// The i16 lanes of `i16x8.relaxed_dot_i8x16_i7x16_s` (signed bytes, saturating sums).
#[inline(always)]
fn relaxed_dot_i8(a: u128, b: u128) -> [i16; 8] {
    let (a, b) = (i8s(a), i8s(b));
    from_fn(|k| {
        let lo = a[2 * k] as i16 * b[2 * k] as i16;
        let hi = a[2 * k + 1] as i16 * b[2 * k + 1] as i16;
        lo.saturating_add(hi)
    })
}

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

#[inline(always)]
fn try_test(op: SimdOp, a: u128) -> Option<u32> {
    compare::try_test(op, a)
}

/// Every `[v128 i32] -> v128` instruction (`shl`, `shr_s`, `shr_u`) applied to `a` and
/// the shift count `count` (taken modulo the lane width); 0 for any other instruction.
#[inline(always)]
pub fn shift(op: SimdOp, a: u128, count: u32) -> u128 {
    try_shift(op, a, count).unwrap_or(0)
}

#[inline(always)]
fn try_shift(op: SimdOp, a: u128, count: u32) -> Option<u128> {
    integer::try_shift(op, a, count)
}

/// The six `splat` instructions applied to the scalar `x` (slot representation); 0
/// for any other instruction.
#[inline(always)]
pub fn splat(op: SimdOp, x: u64) -> u128 {
    try_splat(op, x).unwrap_or(0)
}

#[inline(always)]
fn try_splat(op: SimdOp, x: u64) -> Option<u128> {
    shuffle::try_splat(op, x)
}

// ---------------------------------------------------------------------------------
// The instructions, by kind. Each returns `None` for an instruction of another kind
// (the tests check that every instruction has exactly the kind its signature says).

#[inline(always)]
fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I32x4RelaxedTruncF32x4S => convert::trunc_sat_f32x4_s(a),
        I32x4RelaxedTruncF32x4U => convert::trunc_sat_f32x4_u(a),
        I32x4RelaxedTruncF64x2SZero => convert::trunc_sat_f64x2_s_zero(a),
        I32x4RelaxedTruncF64x2UZero => convert::trunc_sat_f64x2_u_zero(a),

        _ => {
            return bitwise::try_unary(op, a)
                .or_else(|| integer::try_unary(op, a))
                .or_else(|| float::try_unary(op, a))
                .or_else(|| convert::try_unary(op, a))
        }
    })
}

#[inline(always)]
fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16RelaxedSwizzle => shuffle::swizzle(a, b),
        I16x8RelaxedQ15mulrS => from_i16s(zip(i16s(a), i16s(b), integer::q15mulr)),

        I16x8RelaxedDotI8x16I7x16S => from_i16s(relaxed_dot_i8(a, b)),

        F32x4RelaxedMin => from_f32s(zip(f32s(a), f32s(b), f32_min)),
        F32x4RelaxedMax => from_f32s(zip(f32s(a), f32s(b), f32_max)),
        F64x2RelaxedMin => from_f64s(zip(f64s(a), f64s(b), f64_min)),
        F64x2RelaxedMax => from_f64s(zip(f64s(a), f64s(b), f64_max)),

        _ => {
            return shuffle::try_binary(op, a, b)
                .or_else(|| bitwise::try_binary(op, a, b))
                .or_else(|| integer::try_binary(op, a, b))
                .or_else(|| compare::try_binary(op, a, b))
                .or_else(|| float::try_binary(op, a, b))
                .or_else(|| convert::try_binary(op, a, b))
        }
    })
}

#[inline(always)]
fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitwise::bitselect(a, b, c),
        F32x4RelaxedMadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| x * y + z)),
        F32x4RelaxedNmadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| -x * y + z)),
        F64x2RelaxedMadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| x * y + z)),
        F64x2RelaxedNmadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| -x * y + z)),
        I32x4RelaxedDotI8x16I7x16AddS => {
            let d = relaxed_dot_i8(a, b);
            let c = i32s(c);
            from_i32s(from_fn(|k| {
                (d[2 * k] as i32 + d[2 * k + 1] as i32).wrapping_add(c[k])
            }))
        }
        _ => return bitwise::try_ternary(op, a, b, c),
    })
}

#[cfg(test)]
mod tests;
