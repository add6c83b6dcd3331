//! Tests of `float`: IEEE arithmetic, `min`/`max` (and their relaxed twins) with NaN
//! and -0, `pmin`/`pmax`, and the rounding instructions, signalling NaNs included.

use super::*;

#[test]
fn float_arithmetic() {
    use SimdOp::*;
    let a = vf32([1.5, -2.0, f32::INFINITY, 0.0]);
    let b = vf32([0.5, 4.0, f32::INFINITY, 0.0]);
    assert_eq!(f32s(binary(F32x4Add, a, b))[..3], [2.0, 2.0, f32::INFINITY]);
    let d = f32s(binary(F32x4Sub, a, b));
    assert_eq!(d[..2], [1.0, -6.0]);
    assert!(d[2].is_nan(), "inf - inf");
    assert_eq!(
        f32s(binary(F32x4Mul, a, b))[..3],
        [0.75, -8.0, f32::INFINITY]
    );
    let q = f32s(binary(F32x4Div, a, b));
    assert_eq!(q[..2], [3.0, -0.5]);
    assert!(q[2].is_nan() && q[3].is_nan());
    assert_eq!(
        f32s(unary(F32x4Sqrt, vf32([4.0, 2.25, 0.0, 1.0]))),
        [2.0, 1.5, 0.0, 1.0]
    );
    assert!(f32s(unary(F32x4Sqrt, vf32([-1.0; 4])))[0].is_nan());
    let nan = f32::from_bits(0x7fa0_0001);
    assert_eq!(
        bits32(unary(
            F32x4Abs,
            vf32([-1.0, -0.0, f32::from_bits(0xffa0_0001), nan])
        )),
        [0x3f80_0000, 0, 0x7fa0_0001, 0x7fa0_0001],
        "abs is a bit operation"
    );
    assert_eq!(
        bits32(unary(F32x4Neg, vf32([1.0, 0.0, nan, -2.0]))),
        [0xbf80_0000, 0x8000_0000, 0xffa0_0001, 0x4000_0000]
    );

    let a = vf64([1.5, 1e308]);
    let b = vf64([0.25, 1e308]);
    assert_eq!(f64s(binary(F64x2Add, a, b)), [1.75, f64::INFINITY]);
    assert_eq!(f64s(binary(F64x2Sub, a, b)), [1.25, 0.0]);
    assert_eq!(f64s(binary(F64x2Mul, a, b)), [0.375, f64::INFINITY]);
    assert_eq!(f64s(binary(F64x2Div, a, b)), [6.0, 1.0]);
    assert_eq!(f64s(unary(F64x2Sqrt, vf64([9.0, 0.25]))), [3.0, 0.5]);
    assert_eq!(
        bits64(unary(F64x2Abs, vf64([-0.0, -3.0]))),
        [0, 3.0f64.to_bits()]
    );
    assert_eq!(
        bits64(unary(
            F64x2Neg,
            vf64([0.0, f64::from_bits(0xfff0_0000_0000_0001)])
        )),
        [1 << 63, 0x7ff0_0000_0000_0001]
    );
}

#[test]
fn min_max_nan_and_zero() {
    use SimdOp::*;
    let a = vf32([f32::NAN, 1.0, 0.0, -0.0]);
    let b = vf32([1.0, f32::NAN, -0.0, 0.0]);
    for op in [F32x4Min, F32x4RelaxedMin] {
        let r = bits32(binary(op, a, b));
        assert_eq!(r[0] & 0x7fff_ffff, F32_CANON, "{op:?}");
        assert_eq!(r[1] & 0x7fff_ffff, F32_CANON, "{op:?}");
        assert_eq!(
            r[2..],
            [0x8000_0000, 0x8000_0000],
            "{op:?}: min(+0, -0) = -0"
        );
    }
    for op in [F32x4Max, F32x4RelaxedMax] {
        let r = bits32(binary(op, a, b));
        assert_eq!(r[0] & 0x7fff_ffff, F32_CANON, "{op:?}");
        assert_eq!(r[1] & 0x7fff_ffff, F32_CANON, "{op:?}");
        assert_eq!(r[2..], [0, 0], "{op:?}: max(+0, -0) = +0");
    }
    let r = f32s(binary(
        F32x4Min,
        vf32([1.0, -5.0, 3.0, f32::NEG_INFINITY]),
        vf32([2.0, 5.0, -3.0, 0.0]),
    ));
    assert_eq!(r, [1.0, -5.0, -3.0, f32::NEG_INFINITY]);

    let a = vf64([f64::NAN, -0.0]);
    let b = vf64([-1.0, 0.0]);
    for op in [F64x2Min, F64x2RelaxedMin] {
        let r = bits64(binary(op, a, b));
        assert_eq!(r[0] & !(1 << 63), F64_CANON, "{op:?}");
        assert_eq!(r[1], 1 << 63, "{op:?}");
    }
    for op in [F64x2Max, F64x2RelaxedMax] {
        let r = bits64(binary(op, b, a));
        assert_eq!(r[0] & !(1 << 63), F64_CANON, "{op:?}");
        assert_eq!(r[1], 0, "{op:?}");
    }
    assert_eq!(
        f64s(binary(F64x2Max, vf64([1.0, -2.0]), vf64([0.5, 7.0]))),
        [1.0, 7.0]
    );
}

#[test]
fn pmin_pmax_return_an_operand() {
    use SimdOp::*;
    let nan = 0x7fc0_1234u32;
    let a = vf32([f32::from_bits(nan), 1.0, 0.0, -0.0]);
    let b = vf32([1.0, f32::from_bits(nan), -0.0, 0.0]);
    // pmin = b < a ? b : a; pmax = a < b ? b : a (comparisons with NaN are false,
    // and -0 < +0 is false).
    assert_eq!(
        bits32(binary(F32x4Pmin, a, b)),
        [nan, 1.0f32.to_bits(), 0, 0x8000_0000]
    );
    assert_eq!(
        bits32(binary(F32x4Pmax, a, b)),
        [nan, 1.0f32.to_bits(), 0, 0x8000_0000]
    );
    assert_eq!(
        f32s(binary(
            F32x4Pmin,
            vf32([1.0, 2.0, -1.0, 5.0]),
            vf32([2.0, 1.0, -2.0, 5.0])
        )),
        [1.0, 1.0, -2.0, 5.0]
    );
    assert_eq!(
        f32s(binary(
            F32x4Pmax,
            vf32([1.0, 2.0, -1.0, 5.0]),
            vf32([2.0, 1.0, -2.0, 5.0])
        )),
        [2.0, 2.0, -1.0, 5.0]
    );
    let nan = 0xfff0_0000_0000_0001u64;
    let a = vf64([f64::from_bits(nan), -0.0]);
    let b = vf64([3.0, 0.0]);
    assert_eq!(bits64(binary(F64x2Pmin, a, b)), [nan, 1 << 63]);
    assert_eq!(bits64(binary(F64x2Pmax, a, b)), [nan, 1 << 63]);
    // With the operands swapped, the first operand (now 3.0 and +0) comes back.
    assert_eq!(bits64(binary(F64x2Pmin, b, a)), [3.0f64.to_bits(), 0]);
    assert_eq!(bits64(binary(F64x2Pmax, b, a)), [3.0f64.to_bits(), 0]);
    assert_eq!(
        f64s(binary(F64x2Pmax, vf64([1.0, 4.0]), vf64([2.0, 3.0]))),
        [2.0, 4.0]
    );
    assert_eq!(
        f64s(binary(F64x2Pmin, vf64([1.0, 4.0]), vf64([2.0, 3.0]))),
        [1.0, 3.0]
    );
}

#[test]
fn rounding() {
    use SimdOp::*;
    let v = vf32([2.5, -2.5, 1.5, -0.4]);
    assert_eq!(f32s(unary(F32x4Nearest, v)), [2.0, -2.0, 2.0, -0.0]);
    assert!(
        f32s(unary(F32x4Nearest, v))[3].is_sign_negative(),
        "nearest(-0.4) = -0"
    );
    assert_eq!(f32s(unary(F32x4Ceil, v)), [3.0, -2.0, 2.0, -0.0]);
    assert!(f32s(unary(F32x4Ceil, v))[3].is_sign_negative());
    assert_eq!(f32s(unary(F32x4Floor, v)), [2.0, -3.0, 1.0, -1.0]);
    assert_eq!(f32s(unary(F32x4Trunc, v)), [2.0, -2.0, 1.0, -0.0]);
    let big = vf32([8388609.0, -0.5, 0.5, 3.5]);
    assert_eq!(f32s(unary(F32x4Nearest, big)), [8388609.0, -0.0, 0.0, 4.0]);

    let v = vf64([0.5, -3.5]);
    assert_eq!(f64s(unary(F64x2Nearest, v)), [0.0, -4.0]);
    assert_eq!(f64s(unary(F64x2Ceil, v)), [1.0, -3.0]);
    assert_eq!(f64s(unary(F64x2Floor, v)), [0.0, -4.0]);
    assert_eq!(f64s(unary(F64x2Trunc, v)), [0.0, -3.0]);
    assert_eq!(
        f64s(unary(F64x2Nearest, vf64([4503599627370497.0, 2.5])))[..],
        [4503599627370497.0, 2.0]
    );

    // Signalling NaNs come out quiet (arithmetic NaNs).
    let snan32 = vf32([f32::from_bits(0x7fa0_0000); 4]);
    for op in [F32x4Ceil, F32x4Floor, F32x4Trunc, F32x4Nearest] {
        assert_eq!(bits32(unary(op, snan32)), [0x7fe0_0000; 4], "{op:?}");
    }
    let snan64 = vf64([f64::from_bits(0x7ff4_0000_0000_0000); 2]);
    for op in [F64x2Ceil, F64x2Floor, F64x2Trunc, F64x2Nearest] {
        assert_eq!(
            bits64(unary(op, snan64)),
            [0x7ffc_0000_0000_0000; 2],
            "{op:?}"
        );
    }
}
