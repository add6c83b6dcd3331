//! Tests of `integer`: shifts (count modulo the lane width), `abs`/`neg`/`popcnt`,
//! wrapping and saturating arithmetic, `avgr_u`, `q15mulr_sat_s` (and its relaxed
//! twin), `dot` and `extmul`.

use super::*;

#[test]
fn shifts_take_the_count_modulo_the_lane_width() {
    let v = v8([1, -128, 64, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]);
    assert_eq!(
        shift(SimdOp::I8x16Shl, v, 1),
        v8([2, 0, -128, -2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6])
    );
    assert_eq!(shift(SimdOp::I8x16Shl, v, 9), shift(SimdOp::I8x16Shl, v, 1));
    assert_eq!(shift(SimdOp::I8x16Shl, v, 8), v);
    assert_eq!(
        shift(SimdOp::I8x16ShrS, v, 7),
        v8([0, -1, 0, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        shift(SimdOp::I8x16ShrU, v, 7 + 8),
        v8([0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    );

    let v = v16([-2, 0x4000, 1, 0, 0, 0, 0, -32768]);
    assert_eq!(
        shift(SimdOp::I16x8Shl, v, 17),
        v16([-4, -32768, 2, 0, 0, 0, 0, 0])
    );
    assert_eq!(shift(SimdOp::I16x8ShrS, v, 16), v);
    assert_eq!(
        shift(SimdOp::I16x8ShrS, v, 15),
        v16([-1, 0, 0, 0, 0, 0, 0, -1])
    );
    assert_eq!(
        shift(SimdOp::I16x8ShrU, v, 15),
        v16([1, 0, 0, 0, 0, 0, 0, 1])
    );

    let v = v32([-8, 1, i32::MIN, 12]);
    assert_eq!(shift(SimdOp::I32x4Shl, v, 33), v32([-16, 2, 0, 24]));
    assert_eq!(shift(SimdOp::I32x4ShrS, v, 2), v32([-2, 0, -(1 << 29), 3]));
    assert_eq!(
        shift(SimdOp::I32x4ShrU, v, 32 + 2),
        v32([0x3fff_fffe, 0, 1 << 29, 3])
    );
    assert_eq!(shift(SimdOp::I32x4ShrU, v, u32::MAX), v32([1, 0, 1, 0]));

    let v = v64([-1, 1]);
    assert_eq!(
        shift(SimdOp::I64x2Shl, v, 64 + 63),
        v64([i64::MIN, i64::MIN])
    );
    assert_eq!(shift(SimdOp::I64x2ShrS, v, 63), v64([-1, 0]));
    assert_eq!(shift(SimdOp::I64x2ShrU, v, 63), v64([1, 0]));
    assert_eq!(shift(SimdOp::I64x2ShrU, v, 64), v);
}

#[test]
fn integer_unary() {
    let v = v8([
        i8::MIN,
        -1,
        0,
        1,
        i8::MAX,
        -100,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ]);
    assert_eq!(
        i8s(unary(SimdOp::I8x16Abs, v))[..6],
        [i8::MIN, 1, 0, 1, i8::MAX, 100],
        "abs(MIN) stays MIN"
    );
    assert_eq!(
        i8s(unary(SimdOp::I8x16Neg, v))[..6],
        [i8::MIN, 1, 0, -1, -i8::MAX, 100]
    );
    assert_eq!(
        u8s(unary(
            SimdOp::I8x16Popcnt,
            u128::from_le_bytes([0xff, 0, 0x55, 0x80, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0f])
        )),
        [8, 0, 4, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4]
    );
    let v = v16([i16::MIN, -5, 5, 0, 0, 0, 0, 0]);
    assert_eq!(
        unary(SimdOp::I16x8Abs, v),
        v16([i16::MIN, 5, 5, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        unary(SimdOp::I16x8Neg, v),
        v16([i16::MIN, 5, -5, 0, 0, 0, 0, 0])
    );
    let v = v32([i32::MIN, -5, 5, i32::MAX]);
    assert_eq!(unary(SimdOp::I32x4Abs, v), v32([i32::MIN, 5, 5, i32::MAX]));
    assert_eq!(
        unary(SimdOp::I32x4Neg, v),
        v32([i32::MIN, 5, -5, -i32::MAX])
    );
    let v = v64([i64::MIN, -5]);
    assert_eq!(unary(SimdOp::I64x2Abs, v), v64([i64::MIN, 5]));
    assert_eq!(unary(SimdOp::I64x2Neg, v), v64([i64::MIN, 5]));
}

#[test]
fn integer_arithmetic_wraps_and_saturates() {
    let a = v8([127, -128, 100, -100, 0, 1, -1, 50, 0, 0, 0, 0, 0, 0, 0, -1]);
    let b = v8([1, -1, 100, -100, 0, -1, -1, -50, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(
        i8s(binary(SimdOp::I8x16Add, a, b))[..8],
        [-128, 127, -56, 56, 0, 0, -2, 0]
    );
    assert_eq!(
        i8s(binary(SimdOp::I8x16AddSatS, a, b))[..8],
        [127, -128, 127, -128, 0, 0, -2, 0]
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16AddSatU, a, b))[..8],
        [128, 255, 200, 255, 0, 255, 255, 255]
    );
    assert_eq!(
        i8s(binary(SimdOp::I8x16Sub, a, b))[..8],
        [126, -127, 0, 0, 0, 2, 0, 100]
    );
    assert_eq!(
        i8s(binary(SimdOp::I8x16SubSatS, b, a))[..8],
        [-126, 127, 0, 0, 0, -2, 0, -100]
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16SubSatU, a, b))[..8],
        [126, 0, 0, 0, 0, 0, 0, 0]
    );
    assert_eq!(u8s(binary(SimdOp::I8x16SubSatU, a, b))[15], 254);
    assert_eq!(
        i8s(binary(SimdOp::I8x16MinS, a, b))[..4],
        [1, -128, 100, -100]
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16MinU, a, b))[..4],
        [1, 128, 100, 156]
    );
    assert_eq!(
        i8s(binary(SimdOp::I8x16MaxS, a, b))[..4],
        [127, -1, 100, -100]
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16MaxU, a, b))[..4],
        [127, 255, 100, 156]
    );
    assert_eq!(
        u8s(binary(
            SimdOp::I8x16AvgrU,
            u128::MAX,
            v8([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1])
        ))[..2],
        [128, 128],
        "rounds up, no overflow"
    );
    assert_eq!(
        u8s(binary(SimdOp::I8x16AvgrU, u128::MAX, u128::MAX))[15],
        255
    );

    let a = v16([i16::MAX, i16::MIN, 300, -300, 1, 0, 0, -1]);
    let b = v16([1, -1, 300, 300, -1, 0, 0, -1]);
    assert_eq!(
        binary(SimdOp::I16x8Add, a, b),
        v16([i16::MIN, i16::MAX, 600, 0, 0, 0, 0, -2])
    );
    assert_eq!(
        binary(SimdOp::I16x8AddSatS, a, b),
        v16([i16::MAX, i16::MIN, 600, 0, 0, 0, 0, -2])
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8AddSatU, a, b))[..3],
        [32768, 65535, 600]
    );
    assert_eq!(
        binary(SimdOp::I16x8Sub, a, b),
        v16([32766, -32767, 0, -600, 2, 0, 0, 0])
    );
    assert_eq!(
        i16s(binary(SimdOp::I16x8SubSatS, b, a))[..2],
        [-32766, i16::MAX]
    );
    assert_eq!(u16s(binary(SimdOp::I16x8SubSatU, b, a))[..2], [0, 32767]);
    assert_eq!(
        i16s(binary(SimdOp::I16x8Mul, a, b))[..4],
        [i16::MAX, i16::MIN, 24464, -24464]
    );
    assert_eq!(
        i16s(binary(SimdOp::I16x8MinS, a, b))[..4],
        [1, i16::MIN, 300, -300]
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8MinU, a, b))[..4],
        [1, 32768, 300, 300]
    );
    assert_eq!(
        i16s(binary(SimdOp::I16x8MaxS, a, b))[..4],
        [i16::MAX, -1, 300, 300]
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8MaxU, a, b))[..4],
        [32767, 65535, 300, 65236]
    );
    assert_eq!(u16s(binary(SimdOp::I16x8AvgrU, u128::MAX, 0))[0], 32768);

    let a = v32([i32::MAX, i32::MIN, 0x10000, -3]);
    let b = v32([1, -1, 0x10000, 7]);
    assert_eq!(
        binary(SimdOp::I32x4Add, a, b),
        v32([i32::MIN, i32::MAX, 0x20000, 4])
    );
    assert_eq!(
        binary(SimdOp::I32x4Sub, a, b),
        v32([i32::MAX - 1, i32::MIN + 1, 0, -10])
    );
    assert_eq!(
        binary(SimdOp::I32x4Mul, a, b),
        v32([i32::MAX, i32::MIN, 0, -21])
    );
    assert_eq!(
        binary(SimdOp::I32x4MinS, a, b),
        v32([1, i32::MIN, 0x10000, -3])
    );
    assert_eq!(
        binary(SimdOp::I32x4MinU, a, b),
        v32([1, i32::MIN, 0x10000, 7])
    );
    assert_eq!(
        binary(SimdOp::I32x4MaxS, a, b),
        v32([i32::MAX, -1, 0x10000, 7])
    );
    assert_eq!(
        binary(SimdOp::I32x4MaxU, a, b),
        v32([i32::MAX, -1, 0x10000, -3])
    );

    let a = v64([i64::MAX, 1 << 32]);
    let b = v64([1, 1 << 32]);
    assert_eq!(binary(SimdOp::I64x2Add, a, b), v64([i64::MIN, 1 << 33]));
    assert_eq!(binary(SimdOp::I64x2Sub, b, a), v64([i64::MIN + 2, 0]));
    assert_eq!(binary(SimdOp::I64x2Mul, a, b), v64([i64::MAX, 0]));
}

#[test]
fn q15mulr_and_dot() {
    let a = v16([i16::MIN, -32767, 32767, 0x4000, -0x4000, 1, 0, 0]);
    let b = v16([i16::MIN, i16::MIN, 32767, 0x4000, 0x4000, 0x4000, 0, 0]);
    let want = v16([i16::MAX, 32767, 32766, 0x2000, -0x2000, 1, 0, 0]);
    assert_eq!(binary(SimdOp::I16x8Q15mulrSatS, a, b), want);
    assert_eq!(binary(SimdOp::I16x8RelaxedQ15mulrS, a, b), want);

    let a = v16([i16::MIN, i16::MIN, 1, 2, -3, 4, 1000, 1000]);
    let b = v16([i16::MIN, i16::MIN, 3, 4, 5, 6, -1000, 1000]);
    assert_eq!(
        binary(SimdOp::I32x4DotI16x8S, a, b),
        v32([i32::MIN, 11, 9, 0]),
        "2^31 wraps"
    );
}

#[test]
fn extmul() {
    let a = v8([-128, 127, -1, 2, 0, 0, 0, 0, -128, 3, 0, 0, 0, 0, 0, -1]);
    let b = v8([-128, 127, -1, -2, 0, 0, 0, 0, 127, 3, 0, 0, 0, 0, 0, -1]);
    assert_eq!(
        binary(SimdOp::I16x8ExtmulLowI8x16S, a, b),
        v16([16384, 16129, 1, -4, 0, 0, 0, 0])
    );
    assert_eq!(
        binary(SimdOp::I16x8ExtmulHighI8x16S, a, b),
        v16([-16256, 9, 0, 0, 0, 0, 0, 1])
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8ExtmulLowI8x16U, a, b)),
        [16384, 16129, 65025, 508, 0, 0, 0, 0]
    );
    assert_eq!(
        u16s(binary(SimdOp::I16x8ExtmulHighI8x16U, a, b)),
        [16256, 9, 0, 0, 0, 0, 0, 65025]
    );

    let a = v16([i16::MIN, -1, 3, 0, i16::MIN, -1, 0, 0]);
    let b = v16([i16::MIN, -1, -3, 0, i16::MAX, 2, 0, 0]);
    assert_eq!(
        binary(SimdOp::I32x4ExtmulLowI16x8S, a, b),
        v32([1 << 30, 1, -9, 0])
    );
    assert_eq!(
        binary(SimdOp::I32x4ExtmulHighI16x8S, a, b),
        v32([-32768 * 32767, -2, 0, 0])
    );
    assert_eq!(
        u32s(binary(SimdOp::I32x4ExtmulLowI16x8U, a, b)),
        [1 << 30, 0xfffe_0001, 3 * 65533, 0]
    );
    assert_eq!(
        u32s(binary(SimdOp::I32x4ExtmulHighI16x8U, a, b)),
        [32768 * 32767, 65535 * 2, 0, 0]
    );

    let a = v32([i32::MIN, -1, -1, 5]);
    let b = v32([i32::MIN, 2, -1, -5]);
    assert_eq!(
        binary(SimdOp::I64x2ExtmulLowI32x4S, a, b),
        v64([1 << 62, -2])
    );
    assert_eq!(binary(SimdOp::I64x2ExtmulHighI32x4S, a, b), v64([1, -25]));
    assert_eq!(
        u64s(binary(SimdOp::I64x2ExtmulLowI32x4U, a, b)),
        [1 << 62, 0xffff_ffff * 2]
    );
    assert_eq!(
        u64s(binary(SimdOp::I64x2ExtmulHighI32x4U, a, b)),
        [0xffff_fffe_0000_0001, 5 * 0xffff_fffb]
    );
}
