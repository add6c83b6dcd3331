//! Tests of `convert`: `extend` (checked alongside `extadd_pairwise` of `integer`),
//! `narrow`, `trunc_sat` (and `relaxed_trunc`), `convert`, `demote` and `promote`.

use super::*;

#[test]
fn extend_and_extadd_pairwise() {
    let v = v8([-1, 2, -128, 127, 0, 0, 0, 5, -2, 3, 0, 0, 0, 0, 0, -128]);
    assert_eq!(
        unary(SimdOp::I16x8ExtendLowI8x16S, v),
        v16([-1, 2, -128, 127, 0, 0, 0, 5])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtendHighI8x16S, v),
        v16([-2, 3, 0, 0, 0, 0, 0, -128])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtendLowI8x16U, v),
        v16([255, 2, 128, 127, 0, 0, 0, 5])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtendHighI8x16U, v),
        v16([254, 3, 0, 0, 0, 0, 0, 128])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtaddPairwiseI8x16S, v),
        v16([1, -1, 0, 5, 1, 0, 0, -128])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtaddPairwiseI8x16U, v),
        v16([257, 255, 0, 5, 257, 0, 0, 128])
    );
    assert_eq!(
        unary(SimdOp::I16x8ExtaddPairwiseI8x16U, u128::MAX),
        v16([510; 8])
    );

    let v = v16([-1, i16::MIN, 3, 4, i16::MIN, i16::MIN, -7, 8]);
    assert_eq!(
        unary(SimdOp::I32x4ExtendLowI16x8S, v),
        v32([-1, -32768, 3, 4])
    );
    assert_eq!(
        unary(SimdOp::I32x4ExtendHighI16x8S, v),
        v32([-32768, -32768, -7, 8])
    );
    assert_eq!(
        unary(SimdOp::I32x4ExtendLowI16x8U, v),
        v32([65535, 32768, 3, 4])
    );
    assert_eq!(
        unary(SimdOp::I32x4ExtendHighI16x8U, v),
        v32([32768, 32768, 65529, 8])
    );
    assert_eq!(
        unary(SimdOp::I32x4ExtaddPairwiseI16x8S, v),
        v32([-32769, 7, -65536, 1])
    );
    assert_eq!(
        unary(SimdOp::I32x4ExtaddPairwiseI16x8U, u128::MAX),
        v32([131070; 4])
    );

    let v = v32([-1, 2, i32::MIN, -4]);
    assert_eq!(unary(SimdOp::I64x2ExtendLowI32x4S, v), v64([-1, 2]));
    assert_eq!(
        unary(SimdOp::I64x2ExtendHighI32x4S, v),
        v64([i32::MIN as i64, -4])
    );
    assert_eq!(
        unary(SimdOp::I64x2ExtendLowI32x4U, v),
        v64([0xffff_ffff, 2])
    );
    assert_eq!(
        unary(SimdOp::I64x2ExtendHighI32x4U, v),
        v64([0x8000_0000, 0xffff_fffc])
    );
}

#[test]
fn narrow_saturates() {
    let a = v16([128, -129, 127, -128, 255, 256, -1, 0]);
    let b = v16([i16::MAX, i16::MIN, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        i8s(binary(SimdOp::I8x16NarrowI16x8S, a, b)),
        [127, -128, 127, -128, 127, 127, -1, 0, 127, -128, 1, 2, 3, 4, 5, 6]
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16NarrowI16x8U, a, b)),
        [128, 0, 127, 0, 255, 255, 0, 0, 255, 0, 1, 2, 3, 4, 5, 6]
    );
    let a = v32([32768, -32769, 65535, 65536]);
    let b = v32([i32::MIN, i32::MAX, -1, 7]);
    assert_eq!(
        i16s(binary(SimdOp::I16x8NarrowI32x4S, a, b)),
        [
            i16::MAX,
            i16::MIN,
            i16::MAX,
            i16::MAX,
            i16::MIN,
            i16::MAX,
            -1,
            7
        ]
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8NarrowI32x4U, a, b)),
        [32768, 0, 65535, 65535, 0, 65535, 0, 7]
    );
}

#[test]
fn trunc_sat_and_relaxed_trunc() {
    use SimdOp::*;
    let v = vf32([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, -1.9]);
    let w = vf32([2147483648.0, -2147483904.0, 4294967296.0, 1.9]);
    for op in [I32x4TruncSatF32x4S, I32x4RelaxedTruncF32x4S] {
        assert_eq!(unary(op, v), v32([0, i32::MAX, i32::MIN, -1]), "{op:?}");
        assert_eq!(
            unary(op, w),
            v32([i32::MAX, i32::MIN, i32::MAX, 1]),
            "{op:?}"
        );
    }
    for op in [I32x4TruncSatF32x4U, I32x4RelaxedTruncF32x4U] {
        assert_eq!(u32s(unary(op, v)), [0, u32::MAX, 0, 0], "{op:?}");
        assert_eq!(u32s(unary(op, w)), [2147483648, 0, u32::MAX, 1], "{op:?}");
    }
    let v = vf64([f64::NAN, -2147483648.9]);
    let w = vf64([2147483647.9, 1e300]);
    for op in [I32x4TruncSatF64x2SZero, I32x4RelaxedTruncF64x2SZero] {
        assert_eq!(unary(op, v), v32([0, i32::MIN, 0, 0]), "{op:?}");
        assert_eq!(unary(op, w), v32([i32::MAX, i32::MAX, 0, 0]), "{op:?}");
    }
    for op in [I32x4TruncSatF64x2UZero, I32x4RelaxedTruncF64x2UZero] {
        assert_eq!(u32s(unary(op, v)), [0, 0, 0, 0], "{op:?}");
        assert_eq!(u32s(unary(op, w)), [2147483647, u32::MAX, 0, 0], "{op:?}");
        assert_eq!(
            u32s(unary(op, vf64([-0.9, 4294967295.5]))),
            [0, u32::MAX, 0, 0],
            "{op:?}"
        );
    }
}

#[test]
fn conversions() {
    use SimdOp::*;
    let v = v32([-1, i32::MIN, 16777217, 3]);
    assert_eq!(
        f32s(unary(F32x4ConvertI32x4S, v)),
        [-1.0, -2147483648.0, 16777216.0, 3.0],
        "ties to even"
    );
    assert_eq!(
        f32s(unary(F32x4ConvertI32x4U, v)),
        [4294967296.0, 2147483648.0, 16777216.0, 3.0]
    );
    assert_eq!(f64s(unary(F64x2ConvertLowI32x4S, v)), [-1.0, -2147483648.0]);
    assert_eq!(
        f64s(unary(F64x2ConvertLowI32x4U, v)),
        [4294967295.0, 2147483648.0]
    );

    let v = vf64([1.0 + f64::EPSILON, 1e300]);
    assert_eq!(
        bits32(unary(F32x4DemoteF64x2Zero, v)),
        [1.0f32.to_bits(), f32::INFINITY.to_bits(), 0, 0]
    );
    let r = bits32(unary(F32x4DemoteF64x2Zero, vf64([f64::NAN, -0.0])));
    assert_eq!(r[0] & 0x7fff_ffff, F32_CANON);
    assert_eq!(r[1..], [0x8000_0000, 0, 0]);
    let v = vf32([0.1, f32::NEG_INFINITY, 7.0, 8.0]);
    assert_eq!(
        f64s(unary(F64x2PromoteLowF32x4, v)),
        [0.1f32 as f64, f64::NEG_INFINITY]
    );
    let r = bits64(unary(
        F64x2PromoteLowF32x4,
        vf32([f32::NAN, -0.0, 0.0, 0.0]),
    ));
    assert_eq!(r[0] & !(1 << 63), F64_CANON);
    assert_eq!(r[1], 1 << 63);
}
