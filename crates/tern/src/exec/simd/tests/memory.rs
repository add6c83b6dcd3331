//! Tests of `memory`: what every kind of `v128` load makes of the bytes it read.

use super::*;

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
