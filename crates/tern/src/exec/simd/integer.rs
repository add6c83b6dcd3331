//! Integer lane arithmetic (spec: Structure › Instructions › Vector Instructions,
//! *viunop* `abs`, `neg`, `popcnt`, *vibinop* `add`, `sub`, *viminmaxop* `min`, `max`,
//! *visatbinop* `add_sat`, `sub_sat`, `mul`, `avgr_u`, `q15mulr_sat_s`,
//! `extadd_pairwise`, `extmul_low`/`extmul_high`, `dot` and *vishiftop* `shl`,
//! `shr_s`, `shr_u`): wrapping, saturating and widening arithmetic on integer lanes.
//! Pure lane arithmetic on `u128`: it knows nothing of memory or the interpreter, and
//! uses only `lanes`.
//!
//! `i16x8.relaxed_q15mulr_s` shares the `q15mulr_sat_s` arm (its deterministic
//! profile; see `relaxed`). Each `try_*` function returns `None` for an instruction of
//! another family or kind.

use core::array::from_fn;

use super::lanes::{
    from_i16s, from_i32s, from_i64s, from_i8s, from_u16s, from_u32s, from_u64s, from_u8s, i16s,
    i32s, i64s, i8s, map, u16s, u32s, u64s, u8s, zip,
};
use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_shift(op: SimdOp, a: u128, count: u32) -> Option<u128> {
    use SimdOp::*;
    // `wrapping_shl` and `wrapping_shr` take the count modulo the lane width, as wasm does.
    Some(match op {
        I8x16Shl => from_u8s(map(u8s(a), |x| x.wrapping_shl(count))),
        I8x16ShrS => from_i8s(map(i8s(a), |x| x.wrapping_shr(count))),
        I8x16ShrU => from_u8s(map(u8s(a), |x| x.wrapping_shr(count))),
        I16x8Shl => from_u16s(map(u16s(a), |x| x.wrapping_shl(count))),
        I16x8ShrS => from_i16s(map(i16s(a), |x| x.wrapping_shr(count))),
        I16x8ShrU => from_u16s(map(u16s(a), |x| x.wrapping_shr(count))),
        I32x4Shl => from_u32s(map(u32s(a), |x| x.wrapping_shl(count))),
        I32x4ShrS => from_i32s(map(i32s(a), |x| x.wrapping_shr(count))),
        I32x4ShrU => from_u32s(map(u32s(a), |x| x.wrapping_shr(count))),
        I64x2Shl => from_u64s(map(u64s(a), |x| x.wrapping_shl(count))),
        I64x2ShrS => from_i64s(map(i64s(a), |x| x.wrapping_shr(count))),
        I64x2ShrU => from_u64s(map(u64s(a), |x| x.wrapping_shr(count))),
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16Abs => from_i8s(map(i8s(a), i8::wrapping_abs)),
        I8x16Neg => from_i8s(map(i8s(a), i8::wrapping_neg)),
        I8x16Popcnt => from_u8s(map(u8s(a), |x| x.count_ones() as u8)),
        I16x8Abs => from_i16s(map(i16s(a), i16::wrapping_abs)),
        I16x8Neg => from_i16s(map(i16s(a), i16::wrapping_neg)),
        I32x4Abs => from_i32s(map(i32s(a), i32::wrapping_abs)),
        I32x4Neg => from_i32s(map(i32s(a), i32::wrapping_neg)),
        I64x2Abs => from_i64s(map(i64s(a), i64::wrapping_abs)),
        I64x2Neg => from_i64s(map(i64s(a), i64::wrapping_neg)),

        I16x8ExtaddPairwiseI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|k| l[2 * k] as i16 + l[2 * k + 1] as i16))
        }
        I16x8ExtaddPairwiseI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|k| l[2 * k] as u16 + l[2 * k + 1] as u16))
        }
        I32x4ExtaddPairwiseI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|k| l[2 * k] as i32 + l[2 * k + 1] as i32))
        }
        I32x4ExtaddPairwiseI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|k| l[2 * k] as u32 + l[2 * k + 1] as u32))
        }

        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        // Integer arithmetic.
        I8x16Add => from_u8s(zip(u8s(a), u8s(b), u8::wrapping_add)),
        I8x16AddSatS => from_i8s(zip(i8s(a), i8s(b), i8::saturating_add)),
        I8x16AddSatU => from_u8s(zip(u8s(a), u8s(b), u8::saturating_add)),
        I8x16Sub => from_u8s(zip(u8s(a), u8s(b), u8::wrapping_sub)),
        I8x16SubSatS => from_i8s(zip(i8s(a), i8s(b), i8::saturating_sub)),
        I8x16SubSatU => from_u8s(zip(u8s(a), u8s(b), u8::saturating_sub)),
        I8x16MinS => from_i8s(zip(i8s(a), i8s(b), i8::min)),
        I8x16MinU => from_u8s(zip(u8s(a), u8s(b), u8::min)),
        I8x16MaxS => from_i8s(zip(i8s(a), i8s(b), i8::max)),
        I8x16MaxU => from_u8s(zip(u8s(a), u8s(b), u8::max)),
        I8x16AvgrU => from_u8s(zip(u8s(a), u8s(b), |x, y| {
            ((x as u16 + y as u16 + 1) >> 1) as u8
        })),
        I16x8Add => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_add)),
        I16x8AddSatS => from_i16s(zip(i16s(a), i16s(b), i16::saturating_add)),
        I16x8AddSatU => from_u16s(zip(u16s(a), u16s(b), u16::saturating_add)),
        I16x8Sub => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_sub)),
        I16x8SubSatS => from_i16s(zip(i16s(a), i16s(b), i16::saturating_sub)),
        I16x8SubSatU => from_u16s(zip(u16s(a), u16s(b), u16::saturating_sub)),
        I16x8Mul => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_mul)),
        I16x8MinS => from_i16s(zip(i16s(a), i16s(b), i16::min)),
        I16x8MinU => from_u16s(zip(u16s(a), u16s(b), u16::min)),
        I16x8MaxS => from_i16s(zip(i16s(a), i16s(b), i16::max)),
        I16x8MaxU => from_u16s(zip(u16s(a), u16s(b), u16::max)),
        I16x8AvgrU => from_u16s(zip(u16s(a), u16s(b), |x, y| {
            ((x as u32 + y as u32 + 1) >> 1) as u16
        })),
        I16x8Q15mulrSatS | I16x8RelaxedQ15mulrS => from_i16s(zip(i16s(a), i16s(b), q15mulr)),
        I32x4Add => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_add)),
        I32x4Sub => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_sub)),
        I32x4Mul => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_mul)),
        I32x4MinS => from_i32s(zip(i32s(a), i32s(b), i32::min)),
        I32x4MinU => from_u32s(zip(u32s(a), u32s(b), u32::min)),
        I32x4MaxS => from_i32s(zip(i32s(a), i32s(b), i32::max)),
        I32x4MaxU => from_u32s(zip(u32s(a), u32s(b), u32::max)),
        I32x4DotI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|k| {
                let lo = x[2 * k] as i32 * y[2 * k] as i32;
                let hi = x[2 * k + 1] as i32 * y[2 * k + 1] as i32;
                lo.wrapping_add(hi)
            }))
        }
        I64x2Add => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_add)),
        I64x2Sub => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_sub)),
        I64x2Mul => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_mul)),

        // Extending multiplication: the products fit the wider lanes.
        I16x8ExtmulLowI8x16S => {
            let (x, y) = (i8s(a), i8s(b));
            from_i16s(from_fn(|i| x[i] as i16 * y[i] as i16))
        }
        I16x8ExtmulHighI8x16S => {
            let (x, y) = (i8s(a), i8s(b));
            from_i16s(from_fn(|i| x[i + 8] as i16 * y[i + 8] as i16))
        }
        I16x8ExtmulLowI8x16U => {
            let (x, y) = (u8s(a), u8s(b));
            from_u16s(from_fn(|i| x[i] as u16 * y[i] as u16))
        }
        I16x8ExtmulHighI8x16U => {
            let (x, y) = (u8s(a), u8s(b));
            from_u16s(from_fn(|i| x[i + 8] as u16 * y[i + 8] as u16))
        }
        I32x4ExtmulLowI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|i| x[i] as i32 * y[i] as i32))
        }
        I32x4ExtmulHighI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|i| x[i + 4] as i32 * y[i + 4] as i32))
        }
        I32x4ExtmulLowI16x8U => {
            let (x, y) = (u16s(a), u16s(b));
            from_u32s(from_fn(|i| x[i] as u32 * y[i] as u32))
        }
        I32x4ExtmulHighI16x8U => {
            let (x, y) = (u16s(a), u16s(b));
            from_u32s(from_fn(|i| x[i + 4] as u32 * y[i + 4] as u32))
        }
        I64x2ExtmulLowI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i64s(from_fn(|i| x[i] as i64 * y[i] as i64))
        }
        I64x2ExtmulHighI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i64s(from_fn(|i| x[i + 2] as i64 * y[i + 2] as i64))
        }
        I64x2ExtmulLowI32x4U => {
            let (x, y) = (u32s(a), u32s(b));
            from_u64s(from_fn(|i| x[i] as u64 * y[i] as u64))
        }
        I64x2ExtmulHighI32x4U => {
            let (x, y) = (u32s(a), u32s(b));
            from_u64s(from_fn(|i| x[i + 2] as u64 * y[i + 2] as u64))
        }

        _ => return None,
    })
}

/// `i16x8.q15mulr_sat_s` on one lane.
#[inline(always)]
fn q15mulr(x: i16, y: i16) -> i16 {
    let p = ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32);
    p as i16
}
