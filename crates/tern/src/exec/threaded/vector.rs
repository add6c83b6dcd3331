//! Handlers of the vector instructions: one per `SimdOp` (generated from the
//! `for_each_simd_op!` table, each calling the lane semantics of [`crate::exec::simd`]
//! with a constant operation, so no handler dispatches again), plus vector constants'
//! neighbours: `select`, globals, lanes, shuffles, loads and stores.
//!
//! A vector operand is the slot pair `s, s + 1` (low half first); the verifier proved
//! both slots of every pair lie inside the frame. Vector instructions never read or
//! write the accumulator; they pass it on untouched.
//!
//! Memory 0 is reached through the cached base and length (`mem`, `len`), which are
//! current (the interpreter's memory 0 invariant); every access is checked by `ea`
//! against the memory's length, and an access to another memory goes through the
//! store, after which the handler reloads the cache (`refresh!`).

use std::hint::unreachable_unchecked;

use super::address::ea;
use super::dispatch::TAIL;
use super::state::{ex, mem0, trap};
use crate::compile::isa::{ExecCtx, Exit, Handler, Instr, Op};
use crate::exec::simd;
use crate::syntax::{LaneOp, SimdOp};

/// Reads the vector in slots `s, s + 1` as one 16-byte load (so that the lane
/// semantics receive it from memory, which keeps their code vectorized).
macro_rules! rd128 {
    ($sp:expr, $s:expr) => {
        // SAFETY: the verifier proved both slots `s, s + 1` lie inside the frame; the
        // read is unaligned (slots are 8-byte aligned); x86-64 and AArch64 are
        // little-endian, elsewhere the halves are combined explicitly.
        if cfg!(target_endian = "little") {
            unsafe { ($sp.add($s as usize) as *const u128).read_unaligned() }
        } else {
            (rd!($sp, $s as usize) as u128) | ((rd!($sp, $s as usize + 1) as u128) << 64)
        }
    };
}

/// Writes a vector to slots `s, s + 1` (low half first).
macro_rules! wr128 {
    ($sp:expr, $s:expr, $v:expr) => {{
        let v: u128 = $v;
        if cfg!(target_endian = "little") {
            // SAFETY: as for `rd128!`.
            unsafe { ($sp.add($s as usize) as *mut u128).write_unaligned(v) }
        } else {
            wr!($sp, $s as usize, v as u64);
            wr!($sp, $s as usize + 1, (v >> 64) as u64);
        }
    }};
}

macro_rules! simd_handlers {
    ($( $name:ident = $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        $( simd_handlers!(@one $name [$($p)*] $r); )*

        /// The handler of vector instruction `op`.
        pub(super) fn handler(op: SimdOp) -> Handler {
            match op {
                $( SimdOp::$name => $name, )*
            }
        }
    };
    (@one $name:ident [v128] v128) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, .. });
            wr128!(sp, dst, simd::unary(SimdOp::$name, rd128!(sp, a)));
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@one $name:ident [v128 v128] v128) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, b, .. });
            wr128!(sp, dst, simd::binary(SimdOp::$name, rd128!(sp, a), rd128!(sp, b)));
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@one $name:ident [v128 v128 v128] v128) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, b, c, .. });
            let v = simd::ternary(SimdOp::$name, rd128!(sp, a), rd128!(sp, b), rd128!(sp, c));
            wr128!(sp, dst, v);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@one $name:ident [v128] i32) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, .. });
            wr!(sp, dst, simd::test(SimdOp::$name, rd128!(sp, a)) as u64);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@one $name:ident [v128 i32] v128) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, b, .. });
            wr128!(sp, dst, simd::shift(SimdOp::$name, rd128!(sp, a), rd!(sp, b) as u32));
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@one $name:ident [$t:ident] v128) => {
        handler_fn!($name(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Simd { dst, a, .. });
            wr128!(sp, dst, simd::splat(SimdOp::$name, rd!(sp, a)));
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

crate::for_each_simd_op!(simd_handlers);

/// The bytes of memory `m`: memory 0 through the cached base and length, any other
/// through the store (after which the cached memory 0 is refreshed by the caller).
///
/// # Safety
/// `cx` is live, and `(mem, len)` is the current instance's memory 0 as last loaded.
#[inline(always)]
unsafe fn memory<'a>(cx: *mut ExecCtx, m: u16, mem: *mut u8, len: usize) -> &'a mut [u8] {
    if m == 0 && !mem.is_null() {
        // SAFETY: `mem` points to the `len` bytes of memory 0, refreshed after anything
        // that could move them (see the interpreter's module docs).
        unsafe { std::slice::from_raw_parts_mut(mem, len) }
    } else {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        e.data.memories[e.inst.memories[m as usize] as usize].data_mut()
    }
}

/// The effective address's operands: the address (and, for a 64-bit memory, the
/// offset from its constant slot).
macro_rules! address {
    ($sp:ident, $is64:expr, $addr:expr, $offset:expr) => {
        if $is64 {
            (rd!($sp, $addr), rd!($sp, $offset as usize))
        } else {
            (rd!($sp, $addr) as u32 as u64, $offset as u64)
        }
    };
}

/// The lane shape of an `N`-byte lane access.
fn lane_op(bytes: u8) -> LaneOp {
    match bytes {
        1 => LaneOp::I8x16U,
        2 => LaneOp::I16x8U,
        4 => LaneOp::I32x4,
        _ => LaneOp::I64x2,
    }
}

handlers! {
    CanonNan128(ip, sp, mem, len, cx, acc) Instr::CanonNan128 { slot, is64 } => {
        let mut v = rd128!(sp, slot).to_le_bytes();
        if is64 {
            for l in v.chunks_exact_mut(8) {
                let mut x = [0u8; 8];
                x.copy_from_slice(l);
                if f64::from_le_bytes(x).is_nan() {
                    l.copy_from_slice(&0x7ff8_0000_0000_0000u64.to_le_bytes());
                }
            }
        } else {
            for l in v.chunks_exact_mut(4) {
                let mut x = [0u8; 4];
                x.copy_from_slice(l);
                if f32::from_le_bytes(x).is_nan() {
                    l.copy_from_slice(&0x7fc0_0000u32.to_le_bytes());
                }
            }
        }
        wr128!(sp, slot, u128::from_le_bytes(v));
        step!(ip, sp, mem, len, cx, acc)
    }
    Select128(ip, sp, mem, len, cx, acc) Instr::Select128 { dst, cond, a, b } => {
        let v = if rd!(sp, cond) as u32 != 0 { rd128!(sp, a) } else { rd128!(sp, b) };
        wr128!(sp, dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
    GlobalGet128(ip, sp, mem, len, cx, acc) Instr::GlobalGet128 { dst, global } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        wr128!(sp, dst, e.data.globals[e.inst.globals[global as usize] as usize].value);
        step!(ip, sp, mem, len, cx, acc)
    }
    GlobalSet128(ip, sp, mem, len, cx, acc) Instr::GlobalSet128 { src, global } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        e.data.globals[e.inst.globals[global as usize] as usize].value = rd128!(sp, src);
        step!(ip, sp, mem, len, cx, acc)
    }
    Shuffle(ip, sp, mem, len, cx, acc) Instr::Shuffle { dst, a, b, lanes } => {
        let l = rd128!(sp, lanes).to_le_bytes();
        wr128!(sp, dst, simd::shuffle(rd128!(sp, a), rd128!(sp, b), &l));
        step!(ip, sp, mem, len, cx, acc)
    }
    ExtractLane(ip, sp, mem, len, cx, acc) Instr::ExtractLane { op, lane, dst, src } => {
        wr!(sp, dst, simd::extract_lane(op, rd128!(sp, src), lane));
        step!(ip, sp, mem, len, cx, acc)
    }
    ReplaceLane(ip, sp, mem, len, cx, acc) Instr::ReplaceLane { op, lane, dst, src, x } => {
        wr128!(sp, dst, simd::replace_lane(op, rd128!(sp, src), rd!(sp, x), lane));
        step!(ip, sp, mem, len, cx, acc)
    }
    V128Load(ip, sp, mem, len, cx, acc) Instr::V128Load { op, is64, mem: m, dst, addr, offset } => {
        let (a, off) = address!(sp, is64, addr, offset);
        let n = op.bytes() as usize;
        // SAFETY: `cx` is live and `(mem, len)` is memory 0 as last loaded.
        let bytes = unsafe { memory(cx, m, mem, len) };
        let s = tri!(ea(a, off, n, bytes.len()), ip, cx);
        wr128!(sp, dst, simd::load(op, &bytes[s..s + n]));
        if m != 0 {
            refresh!(cx, mem, len);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    V128Store(ip, sp, mem, len, cx, acc) Instr::V128Store { is64, mem: m, addr, src, offset } => {
        let (a, off) = address!(sp, is64, addr, offset);
        // SAFETY: as for `V128Load`.
        let bytes = unsafe { memory(cx, m, mem, len) };
        let s = tri!(ea(a, off, 16, bytes.len()), ip, cx);
        bytes[s..s + 16].copy_from_slice(&rd128!(sp, src).to_le_bytes());
        if m != 0 {
            refresh!(cx, mem, len);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    V128LoadLane(ip, sp, mem, len, cx, acc) Instr::V128LoadLane { bytes: n, lane, is64, mem: m, dst, addr, src, offset } => {
        let (a, off) = address!(sp, is64, addr, offset);
        let n = (n as usize).min(8);
        // SAFETY: as for `V128Load`.
        let bytes = unsafe { memory(cx, m, mem, len) };
        let s = tri!(ea(a, off, n, bytes.len()), ip, cx);
        let mut x = [0u8; 8];
        x[..n].copy_from_slice(&bytes[s..s + n]);
        let v = simd::replace_lane(lane_op(n as u8), rd128!(sp, src), u64::from_le_bytes(x), lane);
        wr128!(sp, dst, v);
        if m != 0 {
            refresh!(cx, mem, len);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    V128StoreLane(ip, sp, mem, len, cx, acc) Instr::V128StoreLane { bytes: n, lane, is64, mem: m, addr, src, offset } => {
        let (a, off) = address!(sp, is64, addr, offset);
        let n = (n as usize).min(8);
        let x = simd::extract_lane(lane_op(n as u8), rd128!(sp, src), lane).to_le_bytes();
        // SAFETY: as for `V128Load`.
        let bytes = unsafe { memory(cx, m, mem, len) };
        let s = tri!(ea(a, off, n, bytes.len()), ip, cx);
        bytes[s..s + n].copy_from_slice(&x[..n]);
        if m != 0 {
            refresh!(cx, mem, len);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
}

/// The handler of a vector instruction other than a `SimdOp` (`None` for any other).
pub(super) fn other_handler(i: &Instr) -> Option<Handler> {
    Some(match i {
        Instr::Select128 { .. } => Select128,
        Instr::CanonNan128 { .. } => CanonNan128,
        Instr::GlobalGet128 { .. } => GlobalGet128,
        Instr::GlobalSet128 { .. } => GlobalSet128,
        Instr::Shuffle { .. } => Shuffle,
        Instr::ExtractLane { .. } => ExtractLane,
        Instr::ReplaceLane { .. } => ReplaceLane,
        Instr::V128Load { .. } => V128Load,
        Instr::V128Store { .. } => V128Store,
        Instr::V128LoadLane { .. } => V128LoadLane,
        Instr::V128StoreLane { .. } => V128StoreLane,
        _ => return None,
    })
}
