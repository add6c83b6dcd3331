//! Tests of `shuffle`: `splat`, `extract_lane`/`replace_lane` of every shape,
//! `shuffle` and `swizzle` (and `relaxed_swizzle`).

use super::*;

#[test]
fn splats() {
    assert_eq!(
        splat(SimdOp::I8x16Splat, 0x1ff),
        u128::from_le_bytes([0xff; 16])
    );
    assert_eq!(splat(SimdOp::I16x8Splat, 0xabcd_1234), v16([0x1234; 8]));
    assert_eq!(splat(SimdOp::I32x4Splat, 0xffff_ffff), u128::MAX);
    assert_eq!(splat(SimdOp::I64x2Splat, 1 << 63), v64([i64::MIN; 2]));
    assert_eq!(
        splat(SimdOp::F32x4Splat, (-1.5f32).to_bits() as u64),
        vf32([-1.5; 4])
    );
    assert_eq!(
        splat(SimdOp::F64x2Splat, 2.25f64.to_bits()),
        vf64([2.25; 2])
    );
}

#[test]
fn extract_and_replace_every_shape() {
    let v = v8([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, -1]);
    assert_eq!(extract_lane(LaneOp::I8x16S, v, 15), 0xffff_ffff);
    assert_eq!(extract_lane(LaneOp::I8x16U, v, 15), 0xff);
    assert_eq!(extract_lane(LaneOp::I8x16U, v, 3), 3);
    assert_eq!(extract_lane(LaneOp::I8x16U, v, 16 + 3), 3, "masked");
    let v = v16([1, 2, 3, 4, 5, 6, 7, -2]);
    assert_eq!(extract_lane(LaneOp::I16x8S, v, 7), 0xffff_fffe);
    assert_eq!(extract_lane(LaneOp::I16x8U, v, 7), 0xfffe);
    assert_eq!(extract_lane(LaneOp::I16x8U, v, 1), 2);
    let v = v32([10, -20, 30, 40]);
    assert_eq!(
        extract_lane(LaneOp::I32x4, v, 1),
        0xffff_ffec,
        "zero-extended slot"
    );
    let v = vf32([1.0, 2.0, -0.0, 4.0]);
    assert_eq!(extract_lane(LaneOp::F32x4, v, 2), 0x8000_0000);
    let v = v64([5, -6]);
    assert_eq!(extract_lane(LaneOp::I64x2, v, 1), -6i64 as u64);
    let v = vf64([1.0, f64::INFINITY]);
    assert_eq!(extract_lane(LaneOp::F64x2, v, 1), f64::INFINITY.to_bits());

    let z = 0u128;
    assert_eq!(
        replace_lane(LaneOp::I8x16S, z, 0x1_23, 15),
        0x23 << 120,
        "truncated to the lane"
    );
    assert_eq!(
        replace_lane(LaneOp::I8x16U, u128::MAX, 0, 0),
        u128::MAX << 8
    );
    assert_eq!(replace_lane(LaneOp::I16x8S, z, 0xfff_ffff, 6), 0xffff << 96);
    assert_eq!(replace_lane(LaneOp::I16x8U, z, 7, 8 + 1), 7 << 16);
    assert_eq!(
        replace_lane(LaneOp::I32x4, v32([1, 2, 3, 4]), 9, 2),
        v32([1, 2, 9, 4])
    );
    assert_eq!(
        replace_lane(LaneOp::F32x4, vf32([1.0; 4]), 0.5f32.to_bits() as u64, 3),
        vf32([1.0, 1.0, 1.0, 0.5])
    );
    assert_eq!(
        replace_lane(LaneOp::I64x2, v64([1, 2]), u64::MAX, 0),
        v64([-1, 2])
    );
    assert_eq!(
        replace_lane(LaneOp::F64x2, vf64([1.0, 2.0]), 3.0f64.to_bits(), 1),
        vf64([1.0, 3.0])
    );
}

#[test]
fn shuffle_and_swizzle() {
    let a = u128::from_le_bytes(from_fn(|i| i as u8));
    let b = u128::from_le_bytes(from_fn(|i| 0x10 + i as u8));
    let lanes: [u8; 16] = [31, 0, 16, 1, 17, 15, 30, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    assert_eq!(
        u8s(shuffle(a, b, &lanes)),
        [0x1f, 0, 0x10, 1, 0x11, 15, 0x1e, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    );
    assert_eq!(
        shuffle(a, b, &[32 + 16; 16]),
        u128::from_le_bytes([0x10; 16])
    );

    let idx = u128::from_le_bytes([15, 16, 0, 255, 128, 1, 17, 14, 0, 0, 0, 0, 0, 0, 0, 3]);
    let want = [15, 0, 0, 0, 0, 1, 0, 14, 0, 0, 0, 0, 0, 0, 0, 3];
    assert_eq!(u8s(binary(SimdOp::I8x16Swizzle, a, idx)), want);
    assert_eq!(u8s(binary(SimdOp::I8x16RelaxedSwizzle, a, idx)), want);
}
