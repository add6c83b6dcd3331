//! Lane moves (spec: Structure › Instructions › Vector Instructions, `i8x16.shuffle`,
//! `i8x16.swizzle`, *shape*`.splat`, *shape*`.extract_lane` and
//! *shape*`.replace_lane`): instructions that copy lanes or scalars into other lanes
//! without computing on them. Pure lane work on `u128` and scalars in slot
//! representation: it knows nothing of memory, the stack or the interpreter, and uses
//! only `lanes`.
//!
//! `i8x16.relaxed_swizzle` shares the `swizzle` arm (its deterministic profile; see
//! `relaxed`). Each `try_*` function returns `None` for an instruction of another
//! family or kind.

use core::array::from_fn;

use super::lanes::{
    from_u16s, from_u32s, from_u64s, from_u8s, i16s, i8s, map, u16s, u32s, u64s, u8s, zip,
};
use crate::syntax::{LaneOp, SimdOp};

#[inline(always)]
pub(super) fn try_splat(op: SimdOp, x: u64) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16Splat => x as u8 as u128 * 0x0101_0101_0101_0101_0101_0101_0101_0101,
        I16x8Splat => x as u16 as u128 * 0x0001_0001_0001_0001_0001_0001_0001_0001,
        I32x4Splat | F32x4Splat => x as u32 as u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001,
        I64x2Splat | F64x2Splat => x as u128 * 0x0000_0000_0000_0001_0000_0000_0000_0001,
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16Swizzle | I8x16RelaxedSwizzle => swizzle(a, b),
        _ => return None,
    })
}

/// `i8x16.swizzle`: lane `i` is `a[b[i]]`, or 0 if `b[i]` is 16 or more.
#[inline(always)]
fn swizzle(a: u128, b: u128) -> u128 {
    let (a, b) = (u8s(a), u8s(b));
    // Select first, then clear the out-of-range lanes: the clearing vectorizes.
    let picked = map(b, |j| a[(j & 15) as usize]);
    from_u8s(zip(picked, b, |x, j| if j < 16 { x } else { 0 }))
}

/// `i8x16.shuffle`: lane `i` of the result is byte `lanes[i]` of the 32 bytes of `a`
/// (0 to 15) followed by `b` (16 to 31). Indices are taken modulo 32.
#[inline(always)]
pub fn shuffle(a: u128, b: u128, lanes: &[u8; 16]) -> u128 {
    let (a, b) = (u8s(a), u8s(b));
    let both: [u8; 32] = from_fn(|i| if i < 16 { a[i] } else { b[i - 16] });
    from_u8s(map(*lanes, |j| both[(j & 31) as usize]))
}

/// `extract_lane` of shape `op`: the lane's value in slot representation (i8 and i16
/// lanes sign- or zero-extended to i32 as `op` says). `lane` is taken modulo the lane
/// count.
#[inline(always)]
pub fn extract_lane(op: LaneOp, a: u128, lane: u8) -> u64 {
    match op {
        LaneOp::I8x16S => i8s(a)[(lane & 15) as usize] as i32 as u32 as u64,
        LaneOp::I8x16U => u8s(a)[(lane & 15) as usize] as u64,
        LaneOp::I16x8S => i16s(a)[(lane & 7) as usize] as i32 as u32 as u64,
        LaneOp::I16x8U => u16s(a)[(lane & 7) as usize] as u64,
        LaneOp::I32x4 | LaneOp::F32x4 => u32s(a)[(lane & 3) as usize] as u64,
        LaneOp::I64x2 | LaneOp::F64x2 => u64s(a)[(lane & 1) as usize],
    }
}

/// `replace_lane` of shape `op`: `a` with lane `lane` (modulo the lane count) set to
/// the low bits of the scalar `x` (slot representation).
#[inline(always)]
pub fn replace_lane(op: LaneOp, a: u128, x: u64, lane: u8) -> u128 {
    match op {
        LaneOp::I8x16S | LaneOp::I8x16U => {
            let mut l = u8s(a);
            l[(lane & 15) as usize] = x as u8;
            from_u8s(l)
        }
        LaneOp::I16x8S | LaneOp::I16x8U => {
            let mut l = u16s(a);
            l[(lane & 7) as usize] = x as u16;
            from_u16s(l)
        }
        LaneOp::I32x4 | LaneOp::F32x4 => {
            let mut l = u32s(a);
            l[(lane & 3) as usize] = x as u32;
            from_u32s(l)
        }
        LaneOp::I64x2 | LaneOp::F64x2 => {
            let mut l = u64s(a);
            l[(lane & 1) as usize] = x;
            from_u64s(l)
        }
    }
}
