//! Whole-vector bitwise instructions (spec: Structure › Instructions › Vector
//! Instructions, *vvunop* `v128.not`, *vvbinop* `v128.and`, `v128.andnot`, `v128.or`,
//! `v128.xor` and *vvternop* `v128.bitselect`): the `u128` as 128 bits, with no lanes.
//! Pure bit arithmetic on `u128`: it knows nothing of lanes, memory or the
//! interpreter.
//!
//! The four `relaxed_laneselect` instructions share the `v128.bitselect` arm (their
//! deterministic profile; see `relaxed`). Each `try_*` function returns `None` for an
//! instruction of another family or kind.

use crate::syntax::SimdOp;

#[inline(always)]
pub(super) fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        V128Not => !a,
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        V128And => a & b,
        V128Andnot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,
        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        V128Bitselect
        | I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitselect(a, b, c),
        _ => return None,
    })
}

/// `v128.bitselect`: the bits of `a` where `c` is 1, of `b` where it is 0.
#[inline(always)]
fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}
