//! Vector semantics (spec: Execution › Numerics, the vector operators and the relaxed
//! operations): what every SIMD instruction of Wasm 2.0 and relaxed SIMD of Wasm 3.0
//! computes from its operands, lane by lane. This module owns the lane semantics only:
//! it touches no memory, no stack and no store, and nothing here traps (the only SIMD
//! traps are out-of-bounds loads and stores, which the caller checks before handing
//! [`load`] the bytes it read).
//!
//! Values are `u128` in little-endian lane order (lane 0 in the lowest bits); scalars
//! are in slot representation (an `i32` or `f32` bit pattern zero-extended into a
//! `u64`; `i64` and `f64` use all 64 bits). Each entry point matches on the
//! instruction and is `#[inline(always)]`: the interpreter calls it with a constant
//! instruction from that instruction's own handler, so the match folds away and only
//! the arm's lane loop remains. Lane loops run over fixed-size arrays (`[i8; 16]`,
//! `[f32; 4]`, ...) so that LLVM can vectorize them (on x86-64 the arrays are moved
//! in and out of the `u128` through SSE2, and two bitmasks use `pmovmskb`; other
//! targets use the portable code, which the tests check against). No function
//! panics: an instruction of the wrong kind for the function (which validated code
//! never produces) gives 0, and lane indices are masked to the lane count.
//!
//! Float arithmetic uses the host's IEEE operations, so NaN results are whatever
//! arithmetic NaN the host produces (the spec allows any; results from canonical NaN
//! operands stay canonical); `min`, `max`, `nearest` and the rounding of signalling
//! NaNs follow [`super::numeric`].
//!
//! Relaxed SIMD: every relaxed instruction takes the result of the spec's
//! *deterministic profile* (each relaxed parameter is 0), which is also among the
//! alternatives the spec tests accept, and depends on nothing about the host:
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (an index of 16 or more gives 0);
//! - `i32x4.relaxed_trunc_*` are the matching `trunc_sat` instructions (NaN gives 0,
//!   out-of-range values saturate);
//! - `relaxed_madd(a, b, c)` is `a * b + c` and `relaxed_nmadd(a, b, c)` is
//!   `-a * b + c`, both rounded twice (never fused);
//! - `relaxed_laneselect` is `v128.bitselect` (every mask bit selects on its own);
//! - `relaxed_min` and `relaxed_max` are the wasm `min` and `max` (NaN propagates,
//!   -0 is below +0);
//! - `i16x8.relaxed_q15mulr_s` is `i16x8.q15mulr_sat_s` (`-32768 * -32768` gives
//!   32767);
//! - `i16x8.relaxed_dot_i8x16_i7x16_s` multiplies both operands as signed bytes and
//!   adds each pair of products with signed saturation to i16;
//!   `i32x4.relaxed_dot_i8x16_i7x16_add_s` takes those i16 sums, adds them in pairs
//!   (sign-extended to i32) and adds the third operand's i32 lanes, wrapping.

use core::array::from_fn;

use super::numeric::{f32_max, f32_min, f32_nearest, f64_max, f64_min, f64_nearest, quiet};
use crate::syntax::{LaneOp, SimdOp, V128LoadOp};

// ---------------------------------------------------------------------------------
// Lanes: u128 <-> fixed-size arrays
//
// Through `to_le_bytes`, LLVM keeps a `u128` as an integer and takes each lane out
// with shifts, and then vectorizes none of the lane loops (an `i8x16.add` becomes a
// hundred scalar instructions). On x86-64 the bytes go through an SSE2 store and load
// instead, which LLVM sees as a vector: the loops then compile to the SSE2
// instruction for the operation (`paddb`, `pcmpgtd`, `packsswb`, ...). Elsewhere the
// portable byte conversion is used; the tests check that both agree.

/// The lanes of a vector as an array: `[u8; 16]`, `[i16; 8]`, ..., `[f64; 2]`.
///
/// # Safety
///
/// Implemented only for 16-byte arrays of primitive integers or floats, for which
/// every bit pattern is a valid value and whose layout is the lanes in order.
unsafe trait Lanes: Copy + Default {
    /// The lanes stored little-endian in `b` (lane 0 in the first bytes).
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
    fn from_le(b: [u8; 16]) -> Self;
    /// The lanes as little-endian bytes.
    #[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
    fn to_le(self) -> [u8; 16];
}

macro_rules! impl_lanes {
    ($( $t:ty, $n:literal; )*) => {$(
        // SAFETY: a 16-byte array of a primitive number type (checked below).
        unsafe impl Lanes for [$t; $n] {
            #[inline(always)]
            fn from_le(b: [u8; 16]) -> Self {
                const SIZE: usize = 16 / $n;
                from_fn(|i| <$t>::from_le_bytes(from_fn(|k| b[i * SIZE + k])))
            }

            #[inline(always)]
            fn to_le(self) -> [u8; 16] {
                const SIZE: usize = 16 / $n;
                let mut b = [0u8; 16];
                for (chunk, x) in b.chunks_exact_mut(SIZE).zip(self) {
                    chunk.copy_from_slice(&x.to_le_bytes());
                }
                b
            }
        }
        const _: () = assert!(core::mem::size_of::<[$t; $n]>() == 16);
    )*};
}

impl_lanes! {
    i8, 16; u8, 16; i16, 8; u16, 8; i32, 4; u32, 4; i64, 2; u64, 2; f32, 4; f64, 2;
}

/// The lanes of `v`, lane 0 first.
#[inline(always)]
fn unpack<L: Lanes>(v: u128) -> L {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_storeu_si128};
        let mut l = L::default();
        // SAFETY: `u128` and `__m128i` are both 16 plain bytes; `l` is 16 bytes that
        // any bit pattern is valid for (the `Lanes` contract), the store is unaligned,
        // and SSE2 is enabled. x86-64 is little-endian, so lane 0 is the low bits.
        unsafe {
            let x = core::mem::transmute::<u128, __m128i>(v);
            _mm_storeu_si128((&mut l as *mut L).cast::<__m128i>(), x);
        }
        l
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        L::from_le(v.to_le_bytes())
    }
}

/// The vector whose lanes are `l`, lane 0 first.
#[inline(always)]
fn pack<L: Lanes>(l: L) -> u128 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_loadu_si128};
        // SAFETY: `l` is 16 readable bytes (the `Lanes` contract) and the load is
        // unaligned; SSE2 is enabled; `__m128i` and `u128` are both 16 plain bytes.
        unsafe {
            let x = _mm_loadu_si128((&l as *const L).cast::<__m128i>());
            core::mem::transmute::<__m128i, u128>(x)
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        u128::from_le_bytes(l.to_le())
    }
}

macro_rules! lane_views {
    ($( $get:ident, $put:ident : $t:ty, $n:literal; )*) => {$(
        #[inline(always)]
        fn $get(v: u128) -> [$t; $n] {
            unpack(v)
        }

        #[inline(always)]
        fn $put(l: [$t; $n]) -> u128 {
            pack(l)
        }
    )*};
}

lane_views! {
    i8s, from_i8s: i8, 16;
    u8s, from_u8s: u8, 16;
    i16s, from_i16s: i16, 8;
    u16s, from_u16s: u16, 8;
    i32s, from_i32s: i32, 4;
    u32s, from_u32s: u32, 4;
    i64s, from_i64s: i64, 2;
    u64s, from_u64s: u64, 2;
    f32s, from_f32s: f32, 4;
    f64s, from_f64s: f64, 2;
}

/// `f` applied to each lane.
#[inline(always)]
fn map<T: Copy, U, const N: usize>(a: [T; N], f: impl Fn(T) -> U) -> [U; N] {
    from_fn(|i| f(a[i]))
}

/// `f` applied to each pair of corresponding lanes.
#[inline(always)]
fn zip<T: Copy, U, const N: usize>(a: [T; N], b: [T; N], f: impl Fn(T, T) -> U) -> [U; N] {
    from_fn(|i| f(a[i], b[i]))
}

/// `f` applied to each triple of corresponding lanes.
#[inline(always)]
fn zip3<T: Copy, U, const N: usize>(
    a: [T; N],
    b: [T; N],
    c: [T; N],
    f: impl Fn(T, T, T) -> U,
) -> [U; N] {
    from_fn(|i| f(a[i], b[i], c[i]))
}

/// A comparison result lane: all ones if `c`, else all zeros.
#[inline(always)]
fn m8(c: bool) -> u8 {
    (c as u8).wrapping_neg()
}

#[inline(always)]
fn m16(c: bool) -> u16 {
    (c as u16).wrapping_neg()
}

#[inline(always)]
fn m32(c: bool) -> u32 {
    (c as u32).wrapping_neg()
}

#[inline(always)]
fn m64(c: bool) -> u64 {
    (c as u64).wrapping_neg()
}

/// `v128.bitselect`: the bits of `a` where `c` is 1, of `b` where it is 0.
#[inline(always)]
fn bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}

/// `i8x16.swizzle`: lane `i` is `a[b[i]]`, or 0 if `b[i]` is 16 or more.
#[inline(always)]
fn swizzle(a: u128, b: u128) -> u128 {
    let (a, b) = (u8s(a), u8s(b));
    // Select first, then clear the out-of-range lanes: the clearing vectorizes.
    let picked = map(b, |j| a[(j & 15) as usize]);
    from_u8s(zip(picked, b, |x, j| if j < 16 { x } else { 0 }))
}

// The two bitmasks LLVM does not turn into `pmovmskb` by itself (measured: about 3x
// faster with it).

/// `i8x16.bitmask`: bit `i` is the sign bit of byte lane `i`.
#[inline(always)]
fn bitmask_i8(a: u128) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_movemask_epi8};
        // SAFETY: SSE2 is enabled; `u128` and `__m128i` are both 16 plain bytes.
        unsafe { _mm_movemask_epi8(core::mem::transmute::<u128, __m128i>(a)) as u32 }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        bitmask_i8_portable(a)
    }
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn bitmask_i8_portable(a: u128) -> u32 {
    let l = u8s(a);
    (0..16).fold(0, |m, i| m | ((l[i] >> 7) as u32) << i)
}

/// `i16x8.bitmask`: bit `i` is the sign bit of i16 lane `i`.
#[inline(always)]
fn bitmask_i16(a: u128) -> u32 {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        use core::arch::x86_64::{__m128i, _mm_movemask_epi8, _mm_packs_epi16};
        // SAFETY: SSE2 is enabled; `u128` and `__m128i` are both 16 plain bytes.
        // Narrowing with signed saturation keeps each lane's sign in its byte.
        unsafe {
            let x = core::mem::transmute::<u128, __m128i>(a);
            (_mm_movemask_epi8(_mm_packs_epi16(x, x)) & 0xff) as u32
        }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        bitmask_i16_portable(a)
    }
}

#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
#[inline(always)]
fn bitmask_i16_portable(a: u128) -> u32 {
    let l = u16s(a);
    (0..8).fold(0, |m, i| m | ((l[i] >> 15) as u32) << i)
}

/// `i16x8.q15mulr_sat_s` on one lane.
#[inline(always)]
fn q15mulr(x: i16, y: i16) -> i16 {
    let p = ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32);
    p as i16
}

/// The i16 lanes of `i16x8.relaxed_dot_i8x16_i7x16_s` (signed bytes, saturating sums).
#[inline(always)]
fn relaxed_dot_i8(a: u128, b: u128) -> [i16; 8] {
    let (a, b) = (i8s(a), i8s(b));
    from_fn(|k| {
        let lo = a[2 * k] as i16 * b[2 * k] as i16;
        let hi = a[2 * k + 1] as i16 * b[2 * k + 1] as i16;
        lo.saturating_add(hi)
    })
}

// Float-to-integer conversions with saturation: Rust's `as` casts from floats are
// exactly wasm's `trunc_sat` (toward zero, NaN to 0, out of range to the bound).

#[inline(always)]
fn trunc_sat_f32x4_s(a: u128) -> u128 {
    from_i32s(map(f32s(a), |x| x as i32))
}

#[inline(always)]
fn trunc_sat_f32x4_u(a: u128) -> u128 {
    from_u32s(map(f32s(a), |x| x as u32))
}

#[inline(always)]
fn trunc_sat_f64x2_s_zero(a: u128) -> u128 {
    let x = f64s(a);
    from_i32s([x[0] as i32, x[1] as i32, 0, 0])
}

#[inline(always)]
fn trunc_sat_f64x2_u_zero(a: u128) -> u128 {
    let x = f64s(a);
    from_u32s([x[0] as u32, x[1] as u32, 0, 0])
}

const F32_SIGNS: u128 = 0x8000_0000_8000_0000_8000_0000_8000_0000;
const F64_SIGNS: u128 = 0x8000_0000_0000_0000_8000_0000_0000_0000;

// ---------------------------------------------------------------------------------
// The entry points

/// Every `[v128] -> v128` instruction applied to `a`; 0 for any other instruction.
#[inline(always)]
pub fn unary(op: SimdOp, a: u128) -> u128 {
    try_unary(op, a).unwrap_or(0)
}

/// Every `[v128 v128] -> v128` instruction applied to `a` and `b` (`a` pushed first);
/// 0 for any other instruction.
#[inline(always)]
pub fn binary(op: SimdOp, a: u128, b: u128) -> u128 {
    try_binary(op, a, b).unwrap_or(0)
}

/// Every `[v128 v128 v128] -> v128` instruction (`v128.bitselect`, `relaxed_madd`,
/// `relaxed_nmadd`, `relaxed_laneselect`, `i32x4.relaxed_dot_i8x16_i7x16_add_s`)
/// applied to `a`, `b` and `c` in stack order (`a` pushed first); 0 for any other
/// instruction.
#[inline(always)]
pub fn ternary(op: SimdOp, a: u128, b: u128, c: u128) -> u128 {
    try_ternary(op, a, b, c).unwrap_or(0)
}

/// Every `[v128] -> i32` instruction (`v128.any_true`, `all_true`, `bitmask`) applied
/// to `a`; 0 for any other instruction.
#[inline(always)]
pub fn test(op: SimdOp, a: u128) -> u32 {
    try_test(op, a).unwrap_or(0)
}

/// Every `[v128 i32] -> v128` instruction (`shl`, `shr_s`, `shr_u`) applied to `a` and
/// the shift count `count` (taken modulo the lane width); 0 for any other instruction.
#[inline(always)]
pub fn shift(op: SimdOp, a: u128, count: u32) -> u128 {
    try_shift(op, a, count).unwrap_or(0)
}

/// The six `splat` instructions applied to the scalar `x` (slot representation); 0
/// for any other instruction.
#[inline(always)]
pub fn splat(op: SimdOp, x: u64) -> u128 {
    try_splat(op, x).unwrap_or(0)
}

/// `extract_lane` of shape `op`: the lane's value in slot representation (i8 and i16
/// lanes sign- or zero-extended to i32 as `op` says). `lane` is taken modulo the lane
/// count.
#[inline(always)]
pub fn extract_lane(op: LaneOp, a: u128, lane: u8) -> u64 {
    match op {
        LaneOp::I8x16S => i8s(a)[(lane & 15) as usize] as i32 as u32 as u64,
        LaneOp::I8x16U => u8s(a)[(lane & 15) as usize] as u64,
        LaneOp::I16x8S => i16s(a)[(lane & 7) as usize] as i32 as u32 as u64,
        LaneOp::I16x8U => u16s(a)[(lane & 7) as usize] as u64,
        LaneOp::I32x4 | LaneOp::F32x4 => u32s(a)[(lane & 3) as usize] as u64,
        LaneOp::I64x2 | LaneOp::F64x2 => u64s(a)[(lane & 1) as usize],
    }
}

/// `replace_lane` of shape `op`: `a` with lane `lane` (modulo the lane count) set to
/// the low bits of the scalar `x` (slot representation).
#[inline(always)]
pub fn replace_lane(op: LaneOp, a: u128, x: u64, lane: u8) -> u128 {
    match op {
        LaneOp::I8x16S | LaneOp::I8x16U => {
            let mut l = u8s(a);
            l[(lane & 15) as usize] = x as u8;
            from_u8s(l)
        }
        LaneOp::I16x8S | LaneOp::I16x8U => {
            let mut l = u16s(a);
            l[(lane & 7) as usize] = x as u16;
            from_u16s(l)
        }
        LaneOp::I32x4 | LaneOp::F32x4 => {
            let mut l = u32s(a);
            l[(lane & 3) as usize] = x as u32;
            from_u32s(l)
        }
        LaneOp::I64x2 | LaneOp::F64x2 => {
            let mut l = u64s(a);
            l[(lane & 1) as usize] = x;
            from_u64s(l)
        }
    }
}

/// `i8x16.shuffle`: lane `i` of the result is byte `lanes[i]` of the 32 bytes of `a`
/// (0 to 15) followed by `b` (16 to 31). Indices are taken modulo 32.
#[inline(always)]
pub fn shuffle(a: u128, b: u128, lanes: &[u8; 16]) -> u128 {
    let (a, b) = (u8s(a), u8s(b));
    let both: [u8; 32] = from_fn(|i| if i < 16 { a[i] } else { b[i - 16] });
    from_u8s(map(*lanes, |j| both[(j & 31) as usize]))
}

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

// ---------------------------------------------------------------------------------
// The instructions, by kind. Each returns `None` for an instruction of another kind
// (the tests check that every instruction has exactly the kind its signature says).

#[inline(always)]
fn try_splat(op: SimdOp, x: u64) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16Splat => x as u8 as u128 * 0x0101_0101_0101_0101_0101_0101_0101_0101,
        I16x8Splat => x as u16 as u128 * 0x0001_0001_0001_0001_0001_0001_0001_0001,
        I32x4Splat | F32x4Splat => x as u32 as u128 * 0x0000_0001_0000_0001_0000_0001_0000_0001,
        I64x2Splat | F64x2Splat => x as u128 * 0x0000_0000_0000_0001_0000_0000_0000_0001,
        _ => return None,
    })
}

#[inline(always)]
fn try_test(op: SimdOp, a: u128) -> Option<u32> {
    use SimdOp::*;
    Some(match op {
        V128AnyTrue => (a != 0) as u32,
        I8x16AllTrue => u8s(a).iter().all(|&x| x != 0) as u32,
        I16x8AllTrue => u16s(a).iter().all(|&x| x != 0) as u32,
        I32x4AllTrue => u32s(a).iter().all(|&x| x != 0) as u32,
        I64x2AllTrue => u64s(a).iter().all(|&x| x != 0) as u32,
        I8x16Bitmask => bitmask_i8(a),
        I16x8Bitmask => bitmask_i16(a),
        I32x4Bitmask => {
            let l = u32s(a);
            (0..4).fold(0, |m, i| m | (l[i] >> 31) << i)
        }
        I64x2Bitmask => {
            let l = u64s(a);
            (0..2).fold(0, |m, i| m | ((l[i] >> 63) as u32) << i)
        }
        _ => return None,
    })
}

#[inline(always)]
fn try_shift(op: SimdOp, a: u128, count: u32) -> Option<u128> {
    use SimdOp::*;
    // `wrapping_shl` and `wrapping_shr` take the count modulo the lane width, as wasm does.
    Some(match op {
        I8x16Shl => from_u8s(map(u8s(a), |x| x.wrapping_shl(count))),
        I8x16ShrS => from_i8s(map(i8s(a), |x| x.wrapping_shr(count))),
        I8x16ShrU => from_u8s(map(u8s(a), |x| x.wrapping_shr(count))),
        I16x8Shl => from_u16s(map(u16s(a), |x| x.wrapping_shl(count))),
        I16x8ShrS => from_i16s(map(i16s(a), |x| x.wrapping_shr(count))),
        I16x8ShrU => from_u16s(map(u16s(a), |x| x.wrapping_shr(count))),
        I32x4Shl => from_u32s(map(u32s(a), |x| x.wrapping_shl(count))),
        I32x4ShrS => from_i32s(map(i32s(a), |x| x.wrapping_shr(count))),
        I32x4ShrU => from_u32s(map(u32s(a), |x| x.wrapping_shr(count))),
        I64x2Shl => from_u64s(map(u64s(a), |x| x.wrapping_shl(count))),
        I64x2ShrS => from_i64s(map(i64s(a), |x| x.wrapping_shr(count))),
        I64x2ShrU => from_u64s(map(u64s(a), |x| x.wrapping_shr(count))),
        _ => return None,
    })
}

#[inline(always)]
fn try_unary(op: SimdOp, a: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        V128Not => !a,

        I8x16Abs => from_i8s(map(i8s(a), i8::wrapping_abs)),
        I8x16Neg => from_i8s(map(i8s(a), i8::wrapping_neg)),
        I8x16Popcnt => from_u8s(map(u8s(a), |x| x.count_ones() as u8)),
        I16x8Abs => from_i16s(map(i16s(a), i16::wrapping_abs)),
        I16x8Neg => from_i16s(map(i16s(a), i16::wrapping_neg)),
        I32x4Abs => from_i32s(map(i32s(a), i32::wrapping_abs)),
        I32x4Neg => from_i32s(map(i32s(a), i32::wrapping_neg)),
        I64x2Abs => from_i64s(map(i64s(a), i64::wrapping_abs)),
        I64x2Neg => from_i64s(map(i64s(a), i64::wrapping_neg)),

        I16x8ExtaddPairwiseI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|k| l[2 * k] as i16 + l[2 * k + 1] as i16))
        }
        I16x8ExtaddPairwiseI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|k| l[2 * k] as u16 + l[2 * k + 1] as u16))
        }
        I32x4ExtaddPairwiseI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|k| l[2 * k] as i32 + l[2 * k + 1] as i32))
        }
        I32x4ExtaddPairwiseI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|k| l[2 * k] as u32 + l[2 * k + 1] as u32))
        }

        I16x8ExtendLowI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|i| l[i] as i16))
        }
        I16x8ExtendHighI8x16S => {
            let l = i8s(a);
            from_i16s(from_fn(|i| l[i + 8] as i16))
        }
        I16x8ExtendLowI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|i| l[i] as u16))
        }
        I16x8ExtendHighI8x16U => {
            let l = u8s(a);
            from_u16s(from_fn(|i| l[i + 8] as u16))
        }
        I32x4ExtendLowI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|i| l[i] as i32))
        }
        I32x4ExtendHighI16x8S => {
            let l = i16s(a);
            from_i32s(from_fn(|i| l[i + 4] as i32))
        }
        I32x4ExtendLowI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|i| l[i] as u32))
        }
        I32x4ExtendHighI16x8U => {
            let l = u16s(a);
            from_u32s(from_fn(|i| l[i + 4] as u32))
        }
        I64x2ExtendLowI32x4S => {
            let l = i32s(a);
            from_i64s(from_fn(|i| l[i] as i64))
        }
        I64x2ExtendHighI32x4S => {
            let l = i32s(a);
            from_i64s(from_fn(|i| l[i + 2] as i64))
        }
        I64x2ExtendLowI32x4U => {
            let l = u32s(a);
            from_u64s(from_fn(|i| l[i] as u64))
        }
        I64x2ExtendHighI32x4U => {
            let l = u32s(a);
            from_u64s(from_fn(|i| l[i + 2] as u64))
        }

        F32x4Abs => a & !F32_SIGNS,
        F32x4Neg => a ^ F32_SIGNS,
        F32x4Sqrt => from_f32s(map(f32s(a), f32::sqrt)),
        F32x4Ceil => from_f32s(map(f32s(a), |x| quiet(x.ceil()))),
        F32x4Floor => from_f32s(map(f32s(a), |x| quiet(x.floor()))),
        F32x4Trunc => from_f32s(map(f32s(a), |x| quiet(x.trunc()))),
        F32x4Nearest => from_f32s(map(f32s(a), f32_nearest)),
        F64x2Abs => a & !F64_SIGNS,
        F64x2Neg => a ^ F64_SIGNS,
        F64x2Sqrt => from_f64s(map(f64s(a), f64::sqrt)),
        F64x2Ceil => from_f64s(map(f64s(a), |x| quiet(x.ceil()))),
        F64x2Floor => from_f64s(map(f64s(a), |x| quiet(x.floor()))),
        F64x2Trunc => from_f64s(map(f64s(a), |x| quiet(x.trunc()))),
        F64x2Nearest => from_f64s(map(f64s(a), f64_nearest)),

        F32x4DemoteF64x2Zero => {
            let x = f64s(a);
            from_f32s([x[0] as f32, x[1] as f32, 0.0, 0.0])
        }
        F64x2PromoteLowF32x4 => {
            let x = f32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        F32x4ConvertI32x4S => from_f32s(map(i32s(a), |x| x as f32)),
        F32x4ConvertI32x4U => from_f32s(map(u32s(a), |x| x as f32)),
        F64x2ConvertLowI32x4S => {
            let x = i32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        F64x2ConvertLowI32x4U => {
            let x = u32s(a);
            from_f64s([x[0] as f64, x[1] as f64])
        }
        I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => trunc_sat_f32x4_s(a),
        I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => trunc_sat_f32x4_u(a),
        I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => trunc_sat_f64x2_s_zero(a),
        I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => trunc_sat_f64x2_u_zero(a),

        _ => return None,
    })
}

#[inline(always)]
fn try_binary(op: SimdOp, a: u128, b: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        I8x16Swizzle | I8x16RelaxedSwizzle => swizzle(a, b),

        V128And => a & b,
        V128Andnot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,

        // Integer comparisons.
        I8x16Eq => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x == y))),
        I8x16Ne => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x != y))),
        I8x16LtS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x < y))),
        I8x16LtU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x < y))),
        I8x16GtS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x > y))),
        I8x16GtU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x > y))),
        I8x16LeS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x <= y))),
        I8x16LeU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x <= y))),
        I8x16GeS => from_u8s(zip(i8s(a), i8s(b), |x, y| m8(x >= y))),
        I8x16GeU => from_u8s(zip(u8s(a), u8s(b), |x, y| m8(x >= y))),
        I16x8Eq => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x == y))),
        I16x8Ne => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x != y))),
        I16x8LtS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x < y))),
        I16x8LtU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x < y))),
        I16x8GtS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x > y))),
        I16x8GtU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x > y))),
        I16x8LeS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x <= y))),
        I16x8LeU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x <= y))),
        I16x8GeS => from_u16s(zip(i16s(a), i16s(b), |x, y| m16(x >= y))),
        I16x8GeU => from_u16s(zip(u16s(a), u16s(b), |x, y| m16(x >= y))),
        I32x4Eq => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x == y))),
        I32x4Ne => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x != y))),
        I32x4LtS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x < y))),
        I32x4LtU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x < y))),
        I32x4GtS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x > y))),
        I32x4GtU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x > y))),
        I32x4LeS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x <= y))),
        I32x4LeU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x <= y))),
        I32x4GeS => from_u32s(zip(i32s(a), i32s(b), |x, y| m32(x >= y))),
        I32x4GeU => from_u32s(zip(u32s(a), u32s(b), |x, y| m32(x >= y))),
        I64x2Eq => from_u64s(zip(u64s(a), u64s(b), |x, y| m64(x == y))),
        I64x2Ne => from_u64s(zip(u64s(a), u64s(b), |x, y| m64(x != y))),
        I64x2LtS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x < y))),
        I64x2GtS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x > y))),
        I64x2LeS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x <= y))),
        I64x2GeS => from_u64s(zip(i64s(a), i64s(b), |x, y| m64(x >= y))),

        // Float comparisons: false for NaN, except `ne`.
        F32x4Eq => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x == y))),
        F32x4Ne => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x != y))),
        F32x4Lt => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x < y))),
        F32x4Gt => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x > y))),
        F32x4Le => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x <= y))),
        F32x4Ge => from_u32s(zip(f32s(a), f32s(b), |x, y| m32(x >= y))),
        F64x2Eq => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x == y))),
        F64x2Ne => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x != y))),
        F64x2Lt => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x < y))),
        F64x2Gt => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x > y))),
        F64x2Le => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x <= y))),
        F64x2Ge => from_u64s(zip(f64s(a), f64s(b), |x, y| m64(x >= y))),

        // Narrowing: signed inputs, saturated to the narrower signed or unsigned range.
        I8x16NarrowI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i8s(from_fn(|i| {
                let v = if i < 8 { x[i] } else { y[i - 8] };
                v.clamp(i8::MIN as i16, i8::MAX as i16) as i8
            }))
        }
        I8x16NarrowI16x8U => {
            let (x, y) = (i16s(a), i16s(b));
            from_u8s(from_fn(|i| {
                let v = if i < 8 { x[i] } else { y[i - 8] };
                v.clamp(0, u8::MAX as i16) as u8
            }))
        }
        I16x8NarrowI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i16s(from_fn(|i| {
                let v = if i < 4 { x[i] } else { y[i - 4] };
                v.clamp(i16::MIN as i32, i16::MAX as i32) as i16
            }))
        }
        I16x8NarrowI32x4U => {
            let (x, y) = (i32s(a), i32s(b));
            from_u16s(from_fn(|i| {
                let v = if i < 4 { x[i] } else { y[i - 4] };
                v.clamp(0, u16::MAX as i32) as u16
            }))
        }

        // Integer arithmetic.
        I8x16Add => from_u8s(zip(u8s(a), u8s(b), u8::wrapping_add)),
        I8x16AddSatS => from_i8s(zip(i8s(a), i8s(b), i8::saturating_add)),
        I8x16AddSatU => from_u8s(zip(u8s(a), u8s(b), u8::saturating_add)),
        I8x16Sub => from_u8s(zip(u8s(a), u8s(b), u8::wrapping_sub)),
        I8x16SubSatS => from_i8s(zip(i8s(a), i8s(b), i8::saturating_sub)),
        I8x16SubSatU => from_u8s(zip(u8s(a), u8s(b), u8::saturating_sub)),
        I8x16MinS => from_i8s(zip(i8s(a), i8s(b), i8::min)),
        I8x16MinU => from_u8s(zip(u8s(a), u8s(b), u8::min)),
        I8x16MaxS => from_i8s(zip(i8s(a), i8s(b), i8::max)),
        I8x16MaxU => from_u8s(zip(u8s(a), u8s(b), u8::max)),
        I8x16AvgrU => from_u8s(zip(u8s(a), u8s(b), |x, y| {
            ((x as u16 + y as u16 + 1) >> 1) as u8
        })),
        I16x8Add => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_add)),
        I16x8AddSatS => from_i16s(zip(i16s(a), i16s(b), i16::saturating_add)),
        I16x8AddSatU => from_u16s(zip(u16s(a), u16s(b), u16::saturating_add)),
        I16x8Sub => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_sub)),
        I16x8SubSatS => from_i16s(zip(i16s(a), i16s(b), i16::saturating_sub)),
        I16x8SubSatU => from_u16s(zip(u16s(a), u16s(b), u16::saturating_sub)),
        I16x8Mul => from_u16s(zip(u16s(a), u16s(b), u16::wrapping_mul)),
        I16x8MinS => from_i16s(zip(i16s(a), i16s(b), i16::min)),
        I16x8MinU => from_u16s(zip(u16s(a), u16s(b), u16::min)),
        I16x8MaxS => from_i16s(zip(i16s(a), i16s(b), i16::max)),
        I16x8MaxU => from_u16s(zip(u16s(a), u16s(b), u16::max)),
        I16x8AvgrU => from_u16s(zip(u16s(a), u16s(b), |x, y| {
            ((x as u32 + y as u32 + 1) >> 1) as u16
        })),
        I16x8Q15mulrSatS | I16x8RelaxedQ15mulrS => from_i16s(zip(i16s(a), i16s(b), q15mulr)),
        I32x4Add => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_add)),
        I32x4Sub => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_sub)),
        I32x4Mul => from_u32s(zip(u32s(a), u32s(b), u32::wrapping_mul)),
        I32x4MinS => from_i32s(zip(i32s(a), i32s(b), i32::min)),
        I32x4MinU => from_u32s(zip(u32s(a), u32s(b), u32::min)),
        I32x4MaxS => from_i32s(zip(i32s(a), i32s(b), i32::max)),
        I32x4MaxU => from_u32s(zip(u32s(a), u32s(b), u32::max)),
        I32x4DotI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|k| {
                let lo = x[2 * k] as i32 * y[2 * k] as i32;
                let hi = x[2 * k + 1] as i32 * y[2 * k + 1] as i32;
                lo.wrapping_add(hi)
            }))
        }
        I64x2Add => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_add)),
        I64x2Sub => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_sub)),
        I64x2Mul => from_u64s(zip(u64s(a), u64s(b), u64::wrapping_mul)),

        // Extending multiplication: the products fit the wider lanes.
        I16x8ExtmulLowI8x16S => {
            let (x, y) = (i8s(a), i8s(b));
            from_i16s(from_fn(|i| x[i] as i16 * y[i] as i16))
        }
        I16x8ExtmulHighI8x16S => {
            let (x, y) = (i8s(a), i8s(b));
            from_i16s(from_fn(|i| x[i + 8] as i16 * y[i + 8] as i16))
        }
        I16x8ExtmulLowI8x16U => {
            let (x, y) = (u8s(a), u8s(b));
            from_u16s(from_fn(|i| x[i] as u16 * y[i] as u16))
        }
        I16x8ExtmulHighI8x16U => {
            let (x, y) = (u8s(a), u8s(b));
            from_u16s(from_fn(|i| x[i + 8] as u16 * y[i + 8] as u16))
        }
        I32x4ExtmulLowI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|i| x[i] as i32 * y[i] as i32))
        }
        I32x4ExtmulHighI16x8S => {
            let (x, y) = (i16s(a), i16s(b));
            from_i32s(from_fn(|i| x[i + 4] as i32 * y[i + 4] as i32))
        }
        I32x4ExtmulLowI16x8U => {
            let (x, y) = (u16s(a), u16s(b));
            from_u32s(from_fn(|i| x[i] as u32 * y[i] as u32))
        }
        I32x4ExtmulHighI16x8U => {
            let (x, y) = (u16s(a), u16s(b));
            from_u32s(from_fn(|i| x[i + 4] as u32 * y[i + 4] as u32))
        }
        I64x2ExtmulLowI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i64s(from_fn(|i| x[i] as i64 * y[i] as i64))
        }
        I64x2ExtmulHighI32x4S => {
            let (x, y) = (i32s(a), i32s(b));
            from_i64s(from_fn(|i| x[i + 2] as i64 * y[i + 2] as i64))
        }
        I64x2ExtmulLowI32x4U => {
            let (x, y) = (u32s(a), u32s(b));
            from_u64s(from_fn(|i| x[i] as u64 * y[i] as u64))
        }
        I64x2ExtmulHighI32x4U => {
            let (x, y) = (u32s(a), u32s(b));
            from_u64s(from_fn(|i| x[i + 2] as u64 * y[i + 2] as u64))
        }

        I16x8RelaxedDotI8x16I7x16S => from_i16s(relaxed_dot_i8(a, b)),

        // Float arithmetic.
        F32x4Add => from_f32s(zip(f32s(a), f32s(b), |x, y| x + y)),
        F32x4Sub => from_f32s(zip(f32s(a), f32s(b), |x, y| x - y)),
        F32x4Mul => from_f32s(zip(f32s(a), f32s(b), |x, y| x * y)),
        F32x4Div => from_f32s(zip(f32s(a), f32s(b), |x, y| x / y)),
        F32x4Min | F32x4RelaxedMin => from_f32s(zip(f32s(a), f32s(b), f32_min)),
        F32x4Max | F32x4RelaxedMax => from_f32s(zip(f32s(a), f32s(b), f32_max)),
        F32x4Pmin => from_f32s(zip(f32s(a), f32s(b), |x, y| if y < x { y } else { x })),
        F32x4Pmax => from_f32s(zip(f32s(a), f32s(b), |x, y| if x < y { y } else { x })),
        F64x2Add => from_f64s(zip(f64s(a), f64s(b), |x, y| x + y)),
        F64x2Sub => from_f64s(zip(f64s(a), f64s(b), |x, y| x - y)),
        F64x2Mul => from_f64s(zip(f64s(a), f64s(b), |x, y| x * y)),
        F64x2Div => from_f64s(zip(f64s(a), f64s(b), |x, y| x / y)),
        F64x2Min | F64x2RelaxedMin => from_f64s(zip(f64s(a), f64s(b), f64_min)),
        F64x2Max | F64x2RelaxedMax => from_f64s(zip(f64s(a), f64s(b), f64_max)),
        F64x2Pmin => from_f64s(zip(f64s(a), f64s(b), |x, y| if y < x { y } else { x })),
        F64x2Pmax => from_f64s(zip(f64s(a), f64s(b), |x, y| if x < y { y } else { x })),

        _ => return None,
    })
}

#[inline(always)]
fn try_ternary(op: SimdOp, a: u128, b: u128, c: u128) -> Option<u128> {
    use SimdOp::*;
    Some(match op {
        V128Bitselect
        | I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitselect(a, b, c),
        F32x4RelaxedMadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| x * y + z)),
        F32x4RelaxedNmadd => from_f32s(zip3(f32s(a), f32s(b), f32s(c), |x, y, z| -x * y + z)),
        F64x2RelaxedMadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| x * y + z)),
        F64x2RelaxedNmadd => from_f64s(zip3(f64s(a), f64s(b), f64s(c), |x, y, z| -x * y + z)),
        I32x4RelaxedDotI8x16I7x16AddS => {
            let d = relaxed_dot_i8(a, b);
            let c = i32s(c);
            from_i32s(from_fn(|k| {
                (d[2 * k] as i32 + d[2 * k + 1] as i32).wrapping_add(c[k])
            }))
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::ValType;

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
}
