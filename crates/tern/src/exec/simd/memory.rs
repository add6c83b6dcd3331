//! Vector memory instructions (spec: Execution › Instructions › Memory Instructions,
//! `v128.load`, `v128.load`*M*`x`*N*`_`*sx*, `v128.load`*N*`_splat` and
//! `v128.load`*N*`_zero`): the vector each kind of `v128` load makes of the bytes it
//! read. It is handed bytes already read and bounds-checked by the caller: it knows
//! nothing of memories, addresses or traps. `v128.store` and the lane loads and stores
//! need no lane semantics of their own (the handlers store the `u128`'s bytes, or use
//! `extract_lane` and `replace_lane`).

use core::array::from_fn;

use super::lanes::{from_i16s, from_i32s, from_i64s, from_u16s, from_u32s, from_u64s};
use crate::syntax::V128LoadOp;

/// The vector a `v128` load of kind `op` produces from the `op.bytes()` bytes it read
/// (little-endian, as in memory). Bytes beyond those are ignored; if fewer are given
/// the result is 0.
#[inline(always)]
pub fn load(op: V128LoadOp, bytes: &[u8]) -> u128 {
    match op {
        V128LoadOp::Load => match bytes.first_chunk::<16>() {
            Some(b) => u128::from_le_bytes(*b),
            None => 0,
        },
        V128LoadOp::Load8x8S => match bytes.first_chunk::<8>() {
            Some(b) => from_i16s(from_fn(|i| b[i] as i8 as i16)),
            None => 0,
        },
        V128LoadOp::Load8x8U => match bytes.first_chunk::<8>() {
            Some(b) => from_u16s(from_fn(|i| b[i] as u16)),
            None => 0,
        },
        V128LoadOp::Load16x4S => match bytes.first_chunk::<8>() {
            Some(b) => from_i32s(from_fn(|i| {
                i16::from_le_bytes([b[2 * i], b[2 * i + 1]]) as i32
            })),
            None => 0,
        },
        V128LoadOp::Load16x4U => match bytes.first_chunk::<8>() {
            Some(b) => from_u32s(from_fn(|i| {
                u16::from_le_bytes([b[2 * i], b[2 * i + 1]]) as u32
            })),
            None => 0,
        },
        V128LoadOp::Load32x2S => match bytes.first_chunk::<8>() {
            Some(b) => from_i64s(from_fn(|i| {
                i32::from_le_bytes(from_fn(|k| b[4 * i + k])) as i64
            })),
            None => 0,
        },
        V128LoadOp::Load32x2U => match bytes.first_chunk::<8>() {
            Some(b) => from_u64s(from_fn(|i| {
                u32::from_le_bytes(from_fn(|k| b[4 * i + k])) as u64
            })),
            None => 0,
        },
        V128LoadOp::Load8Splat => match bytes.first() {
            Some(&b) => b as u128 * 0x0101_0101_0101_0101_0101_0101_0101_0101,
            None => 0,
        },
        V128LoadOp::Load16Splat => match bytes.first_chunk::<2>() {
            Some(b) => u16::from_le_bytes(*b) as u128 * 0x0001_0001_0001_0001_0001_0001_0001_0001,
            None => 0,
        },
        V128LoadOp::Load32Splat => match bytes.first_chunk::<4>() {
            Some(b) => u32::from_le_bytes(*b) as u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001,
            None => 0,
        },
        V128LoadOp::Load64Splat => match bytes.first_chunk::<8>() {
            Some(b) => u64::from_le_bytes(*b) as u128 * 0x0000_0000_0000_0001_0000_0000_0000_0001,
            None => 0,
        },
        V128LoadOp::Load32Zero => match bytes.first_chunk::<4>() {
            Some(b) => u32::from_le_bytes(*b) as u128,
            None => 0,
        },
        V128LoadOp::Load64Zero => match bytes.first_chunk::<8>() {
            Some(b) => u64::from_le_bytes(*b) as u128,
            None => 0,
        },
    }
}
