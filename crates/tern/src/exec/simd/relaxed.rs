//! Relaxed SIMD (spec: Execution › Numerics › Relaxed Operations, and the relaxed
//! vector instructions of Wasm 3.0): what each relaxed instruction computes, lane by
//! lane. Pure lane arithmetic on `u128`: it knows nothing of memory, the host or the
//! interpreter, and uses only `lanes`.
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
//! A relaxed instruction that is, in that profile, a deterministic instruction shares
//! that instruction's match arm in its family, so both run the very same code:
//! `relaxed_swizzle` in `shuffle`, `relaxed_trunc` in `convert`, `relaxed_laneselect`
//! in `bitwise`, `relaxed_min` and `relaxed_max` in `float`, `relaxed_q15mulr_s` in
//! `integer`. This room computes the ones with no deterministic counterpart
//! (`relaxed_madd`, `relaxed_nmadd` and the two dot products); each `try_*` function
//! returns `None` for any other instruction.

use core::array::from_fn;

use super::lanes::{f32s, f64s, from_f32s, from_f64s, from_i16s, from_i32s, i32s, i8s, zip3};
use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I16x8RelaxedDotI8x16I7x16S => from_i16s(relaxed_dot_i8(a, b)),
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
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
