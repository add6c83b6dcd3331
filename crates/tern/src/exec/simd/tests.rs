//! Unit tests of the vector semantics: each instruction's lanes checked against
//! hand-computed results (edge cases of saturation, NaN, -0 and rounding), that every
//! instruction has exactly the kind its signature says, and that the SSE2 and portable
//! lane conversions agree. Tests only; nothing here is compiled into tern.

use super::compare::{bitmask_i16, bitmask_i16_portable, bitmask_i8, bitmask_i8_portable};
use super::lanes::*;
use super::*;
use crate::syntax::{LaneOp, V128LoadOp, ValType};
use core::array::from_fn;

// Builders and views for writing vectors lane by lane.
fn v8(l: [i8; 16]) -> u128 {
    from_i8s(l)
}
fn v16(l: [i16; 8]) -> u128 {
    from_i16s(l)
}
fn v32(l: [i32; 4]) -> u128 {
    from_i32s(l)
}
fn v64(l: [i64; 2]) -> u128 {
    from_i64s(l)
}
fn vf32(l: [f32; 4]) -> u128 {
    from_f32s(l)
}
fn vf64(l: [f64; 2]) -> u128 {
    from_f64s(l)
}
fn bits32(v: u128) -> [u32; 4] {
    u32s(v)
}
fn bits64(v: u128) -> [u64; 2] {
    u64s(v)
}

const F32_CANON: u32 = 0x7fc0_0000;
const F64_CANON: u64 = 0x7ff8_0000_0000_0000;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Unary,
    Binary,
    Ternary,
    Test,
    Shift,
    Splat,
}

fn kind_from_signature(op: SimdOp) -> Kind {
    use ValType::*;
    match op.signature() {
        ([V128], V128) => Kind::Unary,
        ([V128, V128], V128) => Kind::Binary,
        ([V128, V128, V128], V128) => Kind::Ternary,
        ([V128], I32) => Kind::Test,
        ([V128, I32], V128) => Kind::Shift,
        ([_], V128) => Kind::Splat,
        sig => panic!("{op:?} has an unexpected signature {sig:?}"),
    }
}

#[test]
fn every_op_has_exactly_the_kind_its_signature_implies() {
    let x = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
    for &op in SimdOp::ALL {
        let handled: Vec<Kind> = [
            (Kind::Unary, try_unary(op, x).is_some()),
            (Kind::Binary, try_binary(op, x, x).is_some()),
            (Kind::Ternary, try_ternary(op, x, x, x).is_some()),
            (Kind::Test, try_test(op, x).is_some()),
            (Kind::Shift, try_shift(op, x, 1).is_some()),
            (Kind::Splat, try_splat(op, 7).is_some()),
        ]
        .into_iter()
        .filter_map(|(k, some)| some.then_some(k))
        .collect();
        assert_eq!(handled, [kind_from_signature(op)], "{op:?}");
    }
}

#[test]
fn wrong_kind_gives_zero() {
    let x = u128::MAX;
    assert_eq!(unary(SimdOp::I8x16Add, x), 0);
    assert_eq!(binary(SimdOp::V128Not, x, x), 0);
    assert_eq!(ternary(SimdOp::I8x16Add, x, x, x), 0);
    assert_eq!(test(SimdOp::V128Not, x), 0);
    assert_eq!(shift(SimdOp::I8x16Add, x, 1), 0);
    assert_eq!(splat(SimdOp::I8x16Add, 1), 0);
}

#[test]
fn lane_conversions_are_little_endian() {
    let v = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    assert_eq!(u8s(v), from_fn(|i| i as u8));
    assert_eq!(u16s(v)[0], 0x0100);
    assert_eq!(u16s(v)[7], 0x0f0e);
    assert_eq!(
        u32s(v),
        [0x0302_0100, 0x0706_0504, 0x0b0a_0908, 0x0f0e_0d0c]
    );
    assert_eq!(u64s(v), [0x0706_0504_0302_0100, 0x0f0e_0d0c_0b0a_0908]);
    assert_eq!(from_u16s(u16s(v)), v);
    assert_eq!(from_u32s(u32s(v)), v);
    assert_eq!(from_f64s(f64s(v)), v);
    assert_eq!(from_i8s(i8s(v)), v);
}

#[test]
fn vector_and_portable_conversions_agree() {
    let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
    for _ in 0..64 {
        assert_eq!(u8s(x), <[u8; 16]>::from_le(x.to_le_bytes()));
        assert_eq!(i16s(x), <[i16; 8]>::from_le(x.to_le_bytes()));
        assert_eq!(u32s(x), <[u32; 4]>::from_le(x.to_le_bytes()));
        assert_eq!(i64s(x), <[i64; 2]>::from_le(x.to_le_bytes()));
        assert_eq!(
            bits32(from_f32s(f32s(x))),
            u32s(x),
            "f32 lanes keep their bits"
        );
        assert_eq!(from_f64s(f64s(x)), x);
        assert_eq!(u128::from_le_bytes(i8s(x).to_le()), x);
        assert_eq!(u128::from_le_bytes(u16s(x).to_le()), x);
        assert_eq!(u128::from_le_bytes(f32s(x).to_le()), x);
        assert_eq!(u128::from_le_bytes(u64s(x).to_le()), x);
        assert_eq!(bitmask_i8(x), bitmask_i8_portable(x));
        assert_eq!(bitmask_i16(x), bitmask_i16_portable(x));
        x = x.rotate_left(29).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ (x >> 7);
    }
}

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

#[test]
fn loads() {
    let mem: [u8; 16] = from_fn(|i| 0x80 + i as u8);
    assert_eq!(load(V128LoadOp::Load, &mem), u128::from_le_bytes(mem));
    assert_eq!(
        i16s(load(V128LoadOp::Load8x8S, &mem[..8])),
        [-128, -127, -126, -125, -124, -123, -122, -121]
    );
    assert_eq!(
        u16s(load(V128LoadOp::Load8x8U, &mem[..8])),
        [0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87]
    );
    assert_eq!(
        i32s(load(V128LoadOp::Load16x4S, &mem[..8])),
        [
            0x8180u16 as i16 as i32,
            0x8382u16 as i16 as i32,
            0x8584u16 as i16 as i32,
            0x8786u16 as i16 as i32
        ]
    );
    assert_eq!(
        u32s(load(V128LoadOp::Load16x4U, &mem[..8])),
        [0x8180, 0x8382, 0x8584, 0x8786]
    );
    assert_eq!(
        i64s(load(V128LoadOp::Load32x2S, &mem[..8])),
        [0x8382_8180u32 as i32 as i64, 0x8786_8584u32 as i32 as i64]
    );
    assert_eq!(
        u64s(load(V128LoadOp::Load32x2U, &mem[..8])),
        [0x8382_8180, 0x8786_8584]
    );
    assert_eq!(
        load(V128LoadOp::Load8Splat, &mem[..1]),
        u128::from_le_bytes([0x80; 16])
    );
    assert_eq!(u16s(load(V128LoadOp::Load16Splat, &mem[..2])), [0x8180; 8]);
    assert_eq!(
        u32s(load(V128LoadOp::Load32Splat, &mem[..4])),
        [0x8382_8180; 4]
    );
    assert_eq!(
        u64s(load(V128LoadOp::Load64Splat, &mem[..8])),
        [0x8786_8584_8382_8180; 2]
    );
    assert_eq!(
        u32s(load(V128LoadOp::Load32Zero, &mem[..4])),
        [0x8382_8180, 0, 0, 0]
    );
    assert_eq!(
        u64s(load(V128LoadOp::Load64Zero, &mem[..8])),
        [0x8786_8584_8382_8180, 0]
    );
    // Too few bytes (never passed by a correct caller) gives 0 instead of a panic.
    assert_eq!(load(V128LoadOp::Load, &mem[..15]), 0);
    assert_eq!(load(V128LoadOp::Load8Splat, &[]), 0);
}

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
