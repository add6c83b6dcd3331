//! Float lane arithmetic (spec: Structure › Instructions › Vector Instructions,
//! *vfunop* `abs`, `neg`, `sqrt`, `ceil`, `floor`, `trunc`, `nearest` and *vfbinop*
//! `add`, `sub`, `mul`, `div`, `min`, `max`, `pmin`, `pmax` on `f32x4` and `f64x2`):
//! the host's IEEE operations lane by lane, with `min`, `max`, `nearest` and the
//! quieting of signalling NaNs taken from `exec::numeric`, and `abs`/`neg` as sign-bit
//! operations. Pure lane arithmetic on `u128`: it knows nothing of memory or the
//! interpreter, and uses only `lanes` (and `exec::numeric`).
//!
//! `relaxed_min` and `relaxed_max` share the `min` and `max` arms (their deterministic
//! profile; see `relaxed`). Each `try_*` function returns `None` for an instruction of
//! another family or kind.

use super::lanes::{f32s, f64s, from_f32s, from_f64s, map, zip};
use crate::exec::numeric::{f32_max, f32_min, f32_nearest, f64_max, f64_min, f64_nearest, quiet};
use crate::syntax::SimdOp;

const F32_SIGNS: u128 = 0x8000_0000_8000_0000_8000_0000_8000_0000;
const F64_SIGNS: u128 = 0x8000_0000_0000_0000_8000_0000_0000_0000;

#[inline(always)]
pub(super) fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        F32x4Abs => a & !F32_SIGNS,
        F32x4Neg => a ^ F32_SIGNS,
        F32x4Sqrt => from_f32s(map(f32s(a), f32::sqrt)),
        F32x4Ceil => from_f32s(map(f32s(a), |x| quiet(x.ceil()))),
        F32x4Floor => from_f32s(map(f32s(a), |x| quiet(x.floor()))),
        F32x4Trunc => from_f32s(map(f32s(a), |x| quiet(x.trunc()))),
        F32x4Nearest => from_f32s(map(f32s(a), f32_nearest)),
        F64x2Abs => a & !F64_SIGNS,
        F64x2Neg => a ^ F64_SIGNS,
        F64x2Sqrt => from_f64s(map(f64s(a), f64::sqrt)),
        F64x2Ceil => from_f64s(map(f64s(a), |x| quiet(x.ceil()))),
        F64x2Floor => from_f64s(map(f64s(a), |x| quiet(x.floor()))),
        F64x2Trunc => from_f64s(map(f64s(a), |x| quiet(x.trunc()))),
        F64x2Nearest => from_f64s(map(f64s(a), f64_nearest)),

        _ => return None,
    })
}

#[inline(always)]
pub(super) fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        // Float arithmetic.
        F32x4Add => from_f32s(zip(f32s(a), f32s(b), |x, y| x + y)),
        F32x4Sub => from_f32s(zip(f32s(a), f32s(b), |x, y| x - y)),
        F32x4Mul => from_f32s(zip(f32s(a), f32s(b), |x, y| x * y)),
        F32x4Div => from_f32s(zip(f32s(a), f32s(b), |x, y| x / y)),
        F32x4Min | F32x4RelaxedMin => from_f32s(zip(f32s(a), f32s(b), f32_min)),
        F32x4Max | F32x4RelaxedMax => from_f32s(zip(f32s(a), f32s(b), f32_max)),
        F32x4Pmin => from_f32s(zip(f32s(a), f32s(b), |x, y| if y < x { y } else { x })),
        F32x4Pmax => from_f32s(zip(f32s(a), f32s(b), |x, y| if x < y { y } else { x })),
        F64x2Add => from_f64s(zip(f64s(a), f64s(b), |x, y| x + y)),
        F64x2Sub => from_f64s(zip(f64s(a), f64s(b), |x, y| x - y)),
        F64x2Mul => from_f64s(zip(f64s(a), f64s(b), |x, y| x * y)),
        F64x2Div => from_f64s(zip(f64s(a), f64s(b), |x, y| x / y)),
        F64x2Min | F64x2RelaxedMin => from_f64s(zip(f64s(a), f64s(b), f64_min)),
        F64x2Max | F64x2RelaxedMax => from_f64s(zip(f64s(a), f64s(b), f64_max)),
        F64x2Pmin => from_f64s(zip(f64s(a), f64s(b), |x, y| if y < x { y } else { x })),
        F64x2Pmax => from_f64s(zip(f64s(a), f64s(b), |x, y| if x < y { y } else { x })),

        _ => return None,
    })
}
