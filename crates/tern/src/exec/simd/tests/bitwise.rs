//! Tests of `bitwise`: `v128.not`, `and`, `andnot`, `or`, `xor` and `bitselect`.

use super::*;

#[test]
fn bitwise() {
    let (a, b, c) = (0xff00_ff00u128, 0x0ff0_0ff0u128, 0xffff_0000u128);
    assert_eq!(unary(SimdOp::V128Not, 0), u128::MAX);
    assert_eq!(binary(SimdOp::V128And, a, b), 0x0f00_0f00);
    assert_eq!(binary(SimdOp::V128Andnot, a, b), 0xf000_f000);
    assert_eq!(binary(SimdOp::V128Or, a, b), 0xfff0_fff0);
    assert_eq!(binary(SimdOp::V128Xor, a, b), 0xf0f0_f0f0);
    assert_eq!(ternary(SimdOp::V128Bitselect, a, b, c), 0xff00_0ff0);
}
