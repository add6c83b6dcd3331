//! Tests of `lanes`: the lane views are little-endian, and the SSE2 and portable
//! conversions (and the two `pmovmskb` bitmasks against their portable versions) agree.

use super::*;
use crate::exec::simd::compare::{
    bitmask_i16, bitmask_i16_portable, bitmask_i8, bitmask_i8_portable,
};

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
