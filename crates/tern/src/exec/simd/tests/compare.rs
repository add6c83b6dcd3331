//! Tests of `compare`: integer and float lane comparisons, `any_true`, `all_true` and
//! `bitmask`.

use super::*;

#[test]
fn tests_and_bitmasks() {
    assert_eq!(test(SimdOp::V128AnyTrue, 0), 0);
    assert_eq!(test(SimdOp::V128AnyTrue, 1 << 127), 1);
    assert_eq!(test(SimdOp::I8x16AllTrue, u128::MAX >> 8), 0);
    assert_eq!(test(SimdOp::I8x16AllTrue, u128::from_le_bytes([1; 16])), 1);
    assert_eq!(test(SimdOp::I16x8AllTrue, v16([1, 1, 1, 1, 1, 1, 1, 0])), 0);
    assert_eq!(test(SimdOp::I16x8AllTrue, u128::from_le_bytes([1; 16])), 1);
    assert_eq!(test(SimdOp::I32x4AllTrue, v32([1, -1, 1 << 31, 0x100])), 1);
    assert_eq!(test(SimdOp::I32x4AllTrue, v32([1, -1, 0, 0x100])), 0);
    assert_eq!(test(SimdOp::I64x2AllTrue, v64([1 << 40, 0])), 0);
    assert_eq!(test(SimdOp::I64x2AllTrue, v64([1 << 40, -1])), 1);

    let mut l = [0i8; 16];
    l[0] = -1;
    l[5] = -128;
    l[15] = -2;
    l[7] = 127;
    assert_eq!(test(SimdOp::I8x16Bitmask, v8(l)), 0x8021);
    assert_eq!(test(SimdOp::I8x16Bitmask, u128::MAX), 0xffff);
    assert_eq!(
        test(SimdOp::I16x8Bitmask, v16([-1, 1, -1, 0, 0, 0, 0, i16::MIN])),
        0x85
    );
    assert_eq!(
        test(SimdOp::I32x4Bitmask, v32([0, -1, i32::MAX, i32::MIN])),
        0b1010
    );
    assert_eq!(test(SimdOp::I64x2Bitmask, v64([-1, 0])), 1);
    assert_eq!(test(SimdOp::I64x2Bitmask, v64([0, i64::MIN])), 2);
}

#[test]
fn integer_comparisons() {
    let a = v8([-1, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let b = v8([1, -1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let lanes4 = |op| u8s(binary(op, a, b))[..4].to_vec();
    use SimdOp::*;
    assert_eq!(lanes4(I8x16Eq), [0, 0, 255, 0]);
    assert_eq!(lanes4(I8x16Ne), [255, 255, 0, 255]);
    assert_eq!(lanes4(I8x16LtS), [255, 0, 0, 255]);
    assert_eq!(lanes4(I8x16LtU), [0, 255, 0, 255]);
    assert_eq!(lanes4(I8x16GtS), [0, 255, 0, 0]);
    assert_eq!(lanes4(I8x16GtU), [255, 0, 0, 0]);
    assert_eq!(lanes4(I8x16LeS), [255, 0, 255, 255]);
    assert_eq!(lanes4(I8x16LeU), [0, 255, 255, 255]);
    assert_eq!(lanes4(I8x16GeS), [0, 255, 255, 0]);
    assert_eq!(lanes4(I8x16GeU), [255, 0, 255, 0]);

    let a = v16([-1, 1, 0, 5, 0, 0, 0, 0]);
    let b = v16([1, -1, 0, 6, 0, 0, 0, 0]);
    let lanes4 = |op| u16s(binary(op, a, b))[..4].to_vec();
    assert_eq!(lanes4(I16x8Eq), [0, 0, 0xffff, 0]);
    assert_eq!(lanes4(I16x8Ne), [0xffff, 0xffff, 0, 0xffff]);
    assert_eq!(lanes4(I16x8LtS), [0xffff, 0, 0, 0xffff]);
    assert_eq!(lanes4(I16x8LtU), [0, 0xffff, 0, 0xffff]);
    assert_eq!(lanes4(I16x8GtS), [0, 0xffff, 0, 0]);
    assert_eq!(lanes4(I16x8GtU), [0xffff, 0, 0, 0]);
    assert_eq!(lanes4(I16x8LeS), [0xffff, 0, 0xffff, 0xffff]);
    assert_eq!(lanes4(I16x8LeU), [0, 0xffff, 0xffff, 0xffff]);
    assert_eq!(lanes4(I16x8GeS), [0, 0xffff, 0xffff, 0]);
    assert_eq!(lanes4(I16x8GeU), [0xffff, 0, 0xffff, 0]);

    let a = v32([-1, 1, 0, 5]);
    let b = v32([1, -1, 0, 6]);
    let t = u32::MAX;
    assert_eq!(bits32(binary(I32x4Eq, a, b)), [0, 0, t, 0]);
    assert_eq!(bits32(binary(I32x4Ne, a, b)), [t, t, 0, t]);
    assert_eq!(bits32(binary(I32x4LtS, a, b)), [t, 0, 0, t]);
    assert_eq!(bits32(binary(I32x4LtU, a, b)), [0, t, 0, t]);
    assert_eq!(bits32(binary(I32x4GtS, a, b)), [0, t, 0, 0]);
    assert_eq!(bits32(binary(I32x4GtU, a, b)), [t, 0, 0, 0]);
    assert_eq!(bits32(binary(I32x4LeS, a, b)), [t, 0, t, t]);
    assert_eq!(bits32(binary(I32x4LeU, a, b)), [0, t, t, t]);
    assert_eq!(bits32(binary(I32x4GeS, a, b)), [0, t, t, 0]);
    assert_eq!(bits32(binary(I32x4GeU, a, b)), [t, 0, t, 0]);

    let a = v64([-1, 7]);
    let b = v64([1, 7]);
    let t = u64::MAX;
    assert_eq!(bits64(binary(I64x2Eq, a, b)), [0, t]);
    assert_eq!(bits64(binary(I64x2Ne, a, b)), [t, 0]);
    assert_eq!(bits64(binary(I64x2LtS, a, b)), [t, 0], "signed");
    assert_eq!(bits64(binary(I64x2GtS, a, b)), [0, 0]);
    assert_eq!(bits64(binary(I64x2LeS, a, b)), [t, t]);
    assert_eq!(bits64(binary(I64x2GeS, a, b)), [0, t]);
}

#[test]
fn float_comparisons() {
    use SimdOp::*;
    let nan = f32::NAN;
    let a = vf32([nan, 1.0, -0.0, 2.0]);
    let b = vf32([nan, 2.0, 0.0, 1.0]);
    let t = u32::MAX;
    assert_eq!(bits32(binary(F32x4Eq, a, b)), [0, 0, t, 0], "-0 == +0");
    assert_eq!(
        bits32(binary(F32x4Ne, a, b)),
        [t, t, 0, t],
        "ne is true for NaN"
    );
    assert_eq!(bits32(binary(F32x4Lt, a, b)), [0, t, 0, 0]);
    assert_eq!(bits32(binary(F32x4Gt, a, b)), [0, 0, 0, t]);
    assert_eq!(bits32(binary(F32x4Le, a, b)), [0, t, t, 0]);
    assert_eq!(bits32(binary(F32x4Ge, a, b)), [0, 0, t, t]);

    let a = vf64([f64::NAN, -0.0]);
    let b = vf64([1.0, 0.0]);
    let t = u64::MAX;
    assert_eq!(bits64(binary(F64x2Eq, a, b)), [0, t]);
    assert_eq!(bits64(binary(F64x2Ne, a, b)), [t, 0]);
    assert_eq!(bits64(binary(F64x2Lt, a, b)), [0, 0]);
    assert_eq!(bits64(binary(F64x2Gt, a, b)), [0, 0]);
    assert_eq!(bits64(binary(F64x2Le, a, b)), [0, t]);
    assert_eq!(bits64(binary(F64x2Ge, b, a)), [0, t]);
}
