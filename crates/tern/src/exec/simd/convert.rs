//! Conversions (spec: Structure › Instructions › Vector Instructions, *vcvtop*
//! `extend_low`/`extend_high`, `convert`, `convert_low`, `trunc_sat`,
//! `trunc_sat_zero`, `demote_zero` and `promote_low`, and the `narrow` instructions):
//! lanes of one shape turned into lanes of another, widening, narrowing with
//! saturation, or between integers and floats. Pure lane arithmetic on `u128`: it
//! knows nothing of memory or the interpreter, and uses only `lanes`.
//!
//! The four `i32x4.relaxed_trunc` instructions share the `trunc_sat` arms (their
//! deterministic profile; see `relaxed`). Each `try_*` function returns `None` for an
//! instruction of another family or kind.

use core::array::from_fn;

use super::lanes::{
    f32s, f64s, from_f32s, from_f64s, from_i16s, from_i32s, from_i64s, from_i8s, from_u16s,
    from_u32s, from_u64s, from_u8s, i16s, i32s, i8s, map, u16s, u32s, u8s,
};
use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I16x8ExtendLowI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|i| l[i] as i16))
        }
        I16x8ExtendHighI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|i| l[i + 8] as i16))
        }
        I16x8ExtendLowI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|i| l[i] as u16))
        }
        I16x8ExtendHighI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|i| l[i + 8] as u16))
        }
        I32x4ExtendLowI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|i| l[i] as i32))
        }
        I32x4ExtendHighI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|i| l[i + 4] as i32))
        }
        I32x4ExtendLowI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|i| l[i] as u32))
        }
        I32x4ExtendHighI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|i| l[i + 4] as u32))
        }
        I64x2ExtendLowI32x4S => {
            let l = i32s(a);
            from_i64s(from_fn(|i| l[i] as i64))
        }
        I64x2ExtendHighI32x4S => {
            let l = i32s(a);
            from_i64s(from_fn(|i| l[i + 2] as i64))
        }
        I64x2ExtendLowI32x4U => {
            let l = u32s(a);
            from_u64s(from_fn(|i| l[i] as u64))
        }
        I64x2ExtendHighI32x4U => {
            let l = u32s(a);
            from_u64s(from_fn(|i| l[i + 2] as u64))
        }

        F32x4DemoteF64x2Zero => {
            let x = f64s(a);
            from_f32s([x[0] as f32, x[1] as f32, 0.0, 0.0])
        }
        F64x2PromoteLowF32x4 => {
            let x = f32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        F32x4ConvertI32x4S => from_f32s(map(i32s(a), |x| x as f32)),
        F32x4ConvertI32x4U => from_f32s(map(u32s(a), |x| x as f32)),
        F64x2ConvertLowI32x4S => {
            let x = i32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        F64x2ConvertLowI32x4U => {
            let x = u32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => trunc_sat_f32x4_s(a),
        I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => trunc_sat_f32x4_u(a),
        I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => trunc_sat_f64x2_s_zero(a),
        I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => trunc_sat_f64x2_u_zero(a),

        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        // Narrowing: signed inputs, saturated to the narrower signed or unsigned range.
        I8x16NarrowI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i8s(from_fn(|i| {
                let v = if i < 8 { x[i] } else { y[i - 8] };
                v.clamp(i8::MIN as i16, i8::MAX as i16) as i8
            }))
        }
        I8x16NarrowI16x8U => {
            let (x, y) = (i16s(a), i16s(b));
            from_u8s(from_fn(|i| {
                let v = if i < 8 { x[i] } else { y[i - 8] };
                v.clamp(0, u8::MAX as i16) as u8
            }))
        }
        I16x8NarrowI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i16s(from_fn(|i| {
                let v = if i < 4 { x[i] } else { y[i - 4] };
                v.clamp(i16::MIN as i32, i16::MAX as i32) as i16
            }))
        }
        I16x8NarrowI32x4U => {
            let (x, y) = (i32s(a), i32s(b));
            from_u16s(from_fn(|i| {
                let v = if i < 4 { x[i] } else { y[i - 4] };
                v.clamp(0, u16::MAX as i32) as u16
            }))
        }

        _ => return None,
    })
}

// Float-to-integer conversions with saturation: Rust's `as` casts from floats are
// exactly wasm's `trunc_sat` (toward zero, NaN to 0, out of range to the bound).

#[inline(always)]
fn trunc_sat_f32x4_s(a: u128) -> u128 {
    from_i32s(map(f32s(a), |x| x as i32))
}

#[inline(always)]
fn trunc_sat_f32x4_u(a: u128) -> u128 {
    from_u32s(map(f32s(a), |x| x as u32))
}

#[inline(always)]
fn trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    let x = f64s(a);
    from_i32s([x[0] as i32, x[1] as i32, 0, 0])
}

#[inline(always)]
fn trunc_sat_f64x2_u_zero(a: u128) -> u128 {
    let x = f64s(a);
    from_u32s([x[0] as u32, x[1] as u32, 0, 0])
}
