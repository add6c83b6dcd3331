//! Lanes (spec: the shapes `i8x16` ... `f64x2` of Structure › Instructions › Vector
//! Instructions, and `lanes` of Execution › Numerics): a `u128` seen as a fixed-size
//! array of lanes and back, lane 0 in the lowest bits, and the lane-wise `map`, `zip`
//! and `zip3` that every instruction family builds on. This is the bottom of
//! `exec::simd`: it knows no instruction and uses nothing else in the folder.
//!
//! Through `to_le_bytes`, LLVM keeps a `u128` as an integer and takes each lane out
//! with shifts, and then vectorizes none of the lane loops (an `i8x16.add` becomes a
//! hundred scalar instructions). On x86-64 the bytes go through an SSE2 store and load
//! instead, which LLVM sees as a vector: the loops then compile to the SSE2
//! instruction for the operation (`paddb`, `pcmpgtd`, `packsswb`, ...). Elsewhere the
//! portable byte conversion is used; the tests check that both agree.

use core::array::from_fn;

/// The lanes of a vector as an array: `[u8; 16]`, `[i16; 8]`, ..., `[f64; 2]`.
///
/// # Safety
///
/// Implemented only for 16-byte arrays of primitive integers or floats, for which
/// every bit pattern is a valid value and whose layout is the lanes in order.
pub(super) unsafe trait Lanes: Copy + Default {
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
        pub(super) fn $get(v: u128) -> [$t; $n] {
            unpack(v)
        }

        #[inline(always)]
        pub(super) fn $put(l: [$t; $n]) -> u128 {
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
pub(super) fn map<T: Copy, U, const N: usize>(a: [T; N], f: impl Fn(T) -> U) -> [U; N] {
    from_fn(|i| f(a[i]))
}

/// `f` applied to each pair of corresponding lanes.
#[inline(always)]
pub(super) fn zip<T: Copy, U, const N: usize>(
    a: [T; N],
    b: [T; N],
    f: impl Fn(T, T) -> U,
) -> [U; N] {
    from_fn(|i| f(a[i], b[i]))
}

/// `f` applied to each triple of corresponding lanes.
#[inline(always)]
pub(super) fn zip3<T: Copy, U, const N: usize>(
    a: [T; N],
    b: [T; N],
    c: [T; N],
    f: impl Fn(T, T, T) -> U,
) -> [U; N] {
    from_fn(|i| f(a[i], b[i], c[i]))
}
