//! Tests of relaxed SIMD: `relaxed_laneselect` selects bit by bit, `relaxed_madd` and
//! `relaxed_nmadd` round twice, and the relaxed dot products.

use super::*;

#[test]
fn laneselect_is_bitselect() {
    // relaxed_laneselect.wast: a mask with mixed bits selects bit by bit.
    let a = v16([0, 1, 0x1234, 0x1234, 4, 5, 6, 7]);
    let b = v16([8, 9, 0x5678, 0x5678, 12, 13, 14, 15]);
    let m = v16([-1, 0, 0xff00u16 as i16, 0x0080, 0, 0, 0, 0]);
    let want = v16([0, 9, 0x1278, 0x5678, 12, 13, 14, 15]);
    for op in [
        SimdOp::I8x16RelaxedLaneselect,
        SimdOp::I16x8RelaxedLaneselect,
        SimdOp::I32x4RelaxedLaneselect,
        SimdOp::I64x2RelaxedLaneselect,
    ] {
        assert_eq!(ternary(op, a, b, m), want, "{op:?}");
    }
}

#[test]
fn relaxed_madd_rounds_twice() {
    use SimdOp::*;
    // relaxed_madd_nmadd.wast: both accepted answers are fused or not; ours is not.
    let max = f32::MAX;
    let r = f32s(ternary(
        F32x4RelaxedMadd,
        vf32([max; 4]),
        vf32([2.0; 4]),
        vf32([-max; 4]),
    ));
    assert_eq!(r, [f32::INFINITY; 4]);
    let (x, y, z) = (
        1.0 + 2f32.powi(-22),
        1.0 + 2f32.powi(-15),
        -(1.0 + 2f32.powi(-15) + 2f32.powi(-22)),
    );
    assert_eq!(
        f32s(ternary(
            F32x4RelaxedMadd,
            vf32([x; 4]),
            vf32([y; 4]),
            vf32([z; 4])
        )),
        [0.0; 4]
    );
    assert_eq!(
        f32s(ternary(
            F32x4RelaxedNmadd,
            vf32([-x; 4]),
            vf32([y; 4]),
            vf32([z; 4])
        )),
        [0.0; 4]
    );
    assert_eq!(
        f32s(ternary(
            F32x4RelaxedNmadd,
            vf32([x; 4]),
            vf32([-y; 4]),
            vf32([z; 4])
        )),
        [0.0; 4]
    );
    assert_eq!(
        f32s(ternary(
            F32x4RelaxedMadd,
            vf32([2.0, 3.0, -1.0, 0.5]),
            vf32([3.0, 3.0, 4.0, 4.0]),
            vf32([1.0, -9.0, 0.0, 0.25])
        )),
        [7.0, 0.0, -4.0, 2.25]
    );
    assert_eq!(
        f32s(ternary(
            F32x4RelaxedNmadd,
            vf32([2.0, 3.0, -1.0, 0.5]),
            vf32([3.0, 3.0, 4.0, 4.0]),
            vf32([1.0, -9.0, 0.0, 0.25])
        )),
        [-5.0, -18.0, 4.0, -1.75]
    );

    let max = f64::MAX;
    let r = f64s(ternary(
        F64x2RelaxedMadd,
        vf64([max; 2]),
        vf64([2.0; 2]),
        vf64([-max; 2]),
    ));
    assert_eq!(r, [f64::INFINITY; 2]);
    let (x, y, z) = (
        1.0 + 2f64.powi(-30),
        1.0 + 2f64.powi(-23),
        -(1.0 + 2f64.powi(-23) + 2f64.powi(-30)),
    );
    assert_eq!(
        f64s(ternary(
            F64x2RelaxedMadd,
            vf64([x; 2]),
            vf64([y; 2]),
            vf64([z; 2])
        )),
        [0.0; 2]
    );
    assert_eq!(
        f64s(ternary(
            F64x2RelaxedNmadd,
            vf64([-x; 2]),
            vf64([y; 2]),
            vf64([z; 2])
        )),
        [0.0; 2]
    );
    assert_eq!(
        f64s(ternary(
            F64x2RelaxedNmadd,
            vf64([1.5, 2.0]),
            vf64([2.0, 2.0]),
            vf64([1.0, 4.0])
        )),
        [-2.0, 0.0]
    );
}

#[test]
fn relaxed_dot_products() {
    use SimdOp::*;
    let iota = u128::from_le_bytes(from_fn(|i| i as u8));
    assert_eq!(
        binary(I16x8RelaxedDotI8x16I7x16S, iota, iota),
        v16([1, 13, 41, 85, 145, 221, 313, 421])
    );
    let a = v8([-128, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = v8([127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        binary(I16x8RelaxedDotI8x16I7x16S, a, b),
        v16([-32512, 32258, 0, 0, 0, 0, 0, 0])
    );
    // Second operand negative: signed × signed (32512) is among the accepted results.
    let a = v8([-128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = v8([-127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        binary(I16x8RelaxedDotI8x16I7x16S, a, b),
        v16([32512, 0, 0, 0, 0, 0, 0, 0])
    );
    // Saturates to i16 (only reachable with a second operand outside i7).
    let a = v8([-128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(i16s(binary(I16x8RelaxedDotI8x16I7x16S, a, a))[0], i16::MAX);

    assert_eq!(
        ternary(I32x4RelaxedDotI8x16I7x16AddS, iota, iota, v32([0, 1, 2, 3])),
        v32([14, 127, 368, 737])
    );
    let a = v8([
        -128, -128, -128, -128, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    let b = v8([127; 16]);
    assert_eq!(
        ternary(I32x4RelaxedDotI8x16I7x16AddS, a, b, v32([1, 2, 3, 4])),
        v32([-65023, 64518, 3, 4])
    );
    let a = v8([-128, -128, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = v8([-127, -127, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert_eq!(
        ternary(I32x4RelaxedDotI8x16I7x16AddS, a, b, v32([1, 2, 3, 4])),
        v32([65025, 2, 3, 4])
    );
    assert_eq!(
        ternary(
            I32x4RelaxedDotI8x16I7x16AddS,
            0,
            0,
            v32([i32::MAX, 0, 0, 0])
        ),
        v32([i32::MAX, 0, 0, 0])
    );
    let ones = v8([1; 16]);
    assert_eq!(
        ternary(
            I32x4RelaxedDotI8x16I7x16AddS,
            ones,
            ones,
            v32([i32::MAX, 0, 0, 0])
        ),
        v32([i32::MIN + 3, 4, 4, 4]),
        "the accumulation wraps"
    );
}
