//! Relaxed SIMD (spec: Execution › Numerics › Relaxed Operations, and the relaxed
//! vector instructions of Wasm 3.0): what each relaxed instruction computes, lane by
//! lane. Pure lane arithmetic on `u128`: it knows nothing of memory, the host or the
//! interpreter. It is the one family room that takes from its siblings: a relaxed
//! instruction is its deterministic counterpart, so it reuses that counterpart's lane
//! helper (`bitwise::bitselect`, `convert::trunc_sat_*`, `integer::q15mulr`,
//! `shuffle::swizzle`); nothing in the folder but `mod.rs` takes from it.
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
//!
//! Each `try_*` function returns `None` for an instruction of another family or kind.

use core::array::from_fn;

use super::bitwise::bitselect;
use super::convert::{
    trunc_sat_f32x4_s, trunc_sat_f32x4_u, trunc_sat_f64x2_s_zero, trunc_sat_f64x2_u_zero,
};
use super::integer::q15mulr;
use super::lanes::{
    f32s, f64s, from_f32s, from_f64s, from_i16s, from_i32s, i16s, i32s, i8s, zip, zip3,
};
use super::shuffle::swizzle;
use crate::exec::numeric::{f32_max, f32_min, f64_max, f64_min};
use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I32x4RelaxedTruncF32x4S => trunc_sat_f32x4_s(a),
        I32x4RelaxedTruncF32x4U => trunc_sat_f32x4_u(a),
        I32x4RelaxedTruncF64x2SZero => trunc_sat_f64x2_s_zero(a),
        I32x4RelaxedTruncF64x2UZero => trunc_sat_f64x2_u_zero(a),
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16RelaxedSwizzle => swizzle(a, b),
        F32x4RelaxedMin => from_f32s(zip(f32s(a), f32s(b), f32_min)),
        F32x4RelaxedMax => from_f32s(zip(f32s(a), f32s(b), f32_max)),
        F64x2RelaxedMin => from_f64s(zip(f64s(a), f64s(b), f64_min)),
        F64x2RelaxedMax => from_f64s(zip(f64s(a), f64s(b), f64_max)),
        I16x8RelaxedQ15mulrS => from_i16s(zip(i16s(a), i16s(b), q15mulr)),
        I16x8RelaxedDotI8x16I7x16S => from_i16s(relaxed_dot_i8(a, b)),
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitselect(a, b, c),
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
        _ => return None,
    })
}

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
