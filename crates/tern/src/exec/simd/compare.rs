//! Comparisons and tests (spec: Structure › Instructions › Vector Instructions,
//! *vrelop* `eq`, `ne`, `lt`, `gt`, `le`, `ge` on integer and float lanes, *vvtestop*
//! `v128.any_true`, *vitestop* `all_true` and `bitmask`): lanes turned into
//! all-ones/all-zeros masks, or the whole vector into one `i32`. Pure lane
//! arithmetic on `u128`: it knows nothing of memory or the interpreter, and uses only
//! `lanes`.
//!
//! Each `try_*` function returns `None` for an instruction of another family or kind.

use super::lanes::{
    f32s, f64s, from_u16s, from_u32s, from_u64s, from_u8s, i16s, i32s, i64s, i8s, u16s, u32s, u64s,
    u8s, zip,
};
use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_test(op: SimdOp, a: u128) -> Option<u32> {
    use SimdOp::*;
    Some(match op {
        V128AnyTrue => (a != 0) as u32,
        I8x16AllTrue => u8s(a).iter().all(|&x| x != 0) as u32,
        I16x8AllTrue => u16s(a).iter().all(|&x| x != 0) as u32,
        I32x4AllTrue => u32s(a).iter().all(|&x| x != 0) as u32,
        I64x2AllTrue => u64s(a).iter().all(|&x| x != 0) as u32,
        I8x16Bitmask => bitmask_i8(a),
        I16x8Bitmask => bitmask_i16(a),
        I32x4Bitmask => {
            let l = u32s(a);
            (0..4).fold(0, |m, i| m | (l[i] >> 31) << i)
        }
        I64x2Bitmask => {
            let l = u64s(a);
            (0..2).fold(0, |m, i| m | ((l[i] >> 63) as u32) << i)
        }
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        // Integer comparisons.
        I8x16Eq => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x == y))),
        I8x16Ne => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x != y))),
        I8x16LtS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x < y))),
        I8x16LtU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x < y))),
        I8x16GtS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x > y))),
        I8x16GtU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x > y))),
        I8x16LeS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x <= y))),
        I8x16LeU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x <= y))),
        I8x16GeS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x >= y))),
        I8x16GeU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x >= y))),
        I16x8Eq => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x == y))),
        I16x8Ne => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x != y))),
        I16x8LtS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x < y))),
        I16x8LtU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x < y))),
        I16x8GtS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x > y))),
        I16x8GtU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x > y))),
        I16x8LeS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x <= y))),
        I16x8LeU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x <= y))),
        I16x8GeS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x >= y))),
        I16x8GeU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x >= y))),
        I32x4Eq => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x == y))),
        I32x4Ne => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x != y))),
        I32x4LtS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x < y))),
        I32x4LtU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x < y))),
        I32x4GtS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x > y))),
        I32x4GtU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x > y))),
        I32x4LeS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x <= y))),
        I32x4LeU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x <= y))),
        I32x4GeS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x >= y))),
        I32x4GeU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x >= y))),
        I64x2Eq => from_u64s(zip(u64s(a), u64s(b), |x, y| m64(x == y))),
        I64x2Ne => from_u64s(zip(u64s(a), u64s(b), |x, y| m64(x != y))),
        I64x2LtS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x < y))),
        I64x2GtS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x > y))),
        I64x2LeS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x <= y))),
        I64x2GeS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x >= y))),

        // Float comparisons: false for NaN, except `ne`.
        F32x4Eq => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x == y))),
        F32x4Ne => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x != y))),
        F32x4Lt => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x < y))),
        F32x4Gt => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x > y))),
        F32x4Le => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x <= y))),
        F32x4Ge => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x >= y))),
        F64x2Eq => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x == y))),
        F64x2Ne => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x != y))),
        F64x2Lt => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x < y))),
        F64x2Gt => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x > y))),
        F64x2Le => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x <= y))),
        F64x2Ge => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x >= y))),

        _ => return None,
    })
}

/// A comparison result lane: all ones if `c`, else all zeros.
#[inline(always)]
fn m8(c: bool) -> u8 {
    (c as u8).wrapping_neg()
}

#[inline(always)]
fn m16(c: bool) -> u16 {
    (c as u16).wrapping_neg()
}

#[inline(always)]
fn m32(c: bool) -> u32 {
    (c as u32).wrapping_neg()
}

#[inline(always)]
fn m64(c: bool) -> u64 {
    (c as u64).wrapping_neg()
}

// The two bitmasks LLVM does not turn into `pmovmskb` by itself (measured: about 3x
// faster with it).

/// `i8x16.bitmask`: bit `i` is the sign bit of byte lane `i`.
#[inline(always)]
pub(super) fn bitmask_i8(a: u128) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_movemask_epi8};
        // SAFETY: SSE2 is enabled; `u128` and `__m128i` are both 16 plain bytes.
        unsafe { _mm_movemask_epi8(core::mem::transmute::<u128, __m128i>(a)) as u32 }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        bitmask_i8_portable(a)
    }
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
pub(super) fn bitmask_i8_portable(a: u128) -> u32 {
    let l = u8s(a);
    (0..16).fold(0, |m, i| m | ((l[i] >> 7) as u32) << i)
}

/// `i16x8.bitmask`: bit `i` is the sign bit of i16 lane `i`.
#[inline(always)]
pub(super) fn bitmask_i16(a: u128) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_movemask_epi8, _mm_packs_epi16};
        // SAFETY: SSE2 is enabled; `u128` and `__m128i` are both 16 plain bytes.
        // Narrowing with signed saturation keeps each lane's sign in its byte.
        unsafe {
            let x = core::mem::transmute::<u128, __m128i>(a);
            (_mm_movemask_epi8(_mm_packs_epi16(x, x)) & 0xff) as u32
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        bitmask_i16_portable(a)
    }
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
pub(super) fn bitmask_i16_portable(a: u128) -> u32 {
    let l = u16s(a);
    (0..8).fold(0, |m, i| m | ((l[i] >> 15) as u32) << i)
}
