//! Memory instructions (spec: Memory Instructions): loads and stores, `memory.size`,
//! `memory.grow`, and the bulk memory instructions `memory.fill`, `memory.copy`,
//! `memory.init` and `data.drop` (whose handler, `SegmentDrop`, also serves
//! `elem.drop`); and the compiler's fused forms that take an operand from memory 0:
//! loads and stores whose address is the sum of two slots (`…X`), binary operations
//! with an operand loaded from memory (`BinLd`, `BinLdX`) and read-modify-writes
//! (`Rmw`).
//!
//! Memory 0 of the running instance, with 32-bit addresses, is reached through the
//! `mem` and `len` registers: one bounds check, then an unchecked access. Other
//! memories and 64-bit memories go through the store and checked slices (`load`,
//! `store`).
//!
//! The invariant it relies on and keeps (memory 0, see the interpreter's module
//! docs): every access is checked against the cached length `len` before the
//! unchecked read or write, and after anything that may reallocate or re-borrow a
//! memory (grow, bulk memory operations, accesses to other memories) a handler
//! reloads the cache and its registers (`refresh!`).
//!
//! This room knows nothing of tables (but for dropping element segments), calls or
//! frames beyond their slots.

use std::hint::unreachable_unchecked;

use super::address::{addr, ea, minus_one, range};
use super::dispatch::{by_acc, Invalid, TAIL};
use super::state::{ex, mem0, trap};
use super::values::{f32_of, f64_of, of_f32, of_f64, u32v, u64v, w32};
use crate::compile::isa::{
    BinLd, BinLdX, ExecCtx, Exit, Handler, Instr, Ld, LdBinOp, LdX, Op, Rmw, RmwOp, St, StX, ACC,
};
use crate::error::TrapCode;
use crate::syntax::{LoadOp, StoreOp};

/// Handlers of loads and stores on memory 0, one per operand mode (as for
/// `brcmp_handlers!` in `control`): loads `dst_addr` in {`s_s`, `a_s`, `s_a`, `a_a`};
/// stores `addr_value` in {`s_s`, `a_s`, `s_a`}; loads from an address sum (`…X`)
/// `s`/`a` for the destination; stores to an address sum `s`/`a` for the value.
///
/// SAFETY (of the unchecked accesses): `a + N <= len` is checked first, and `mem`
/// points to `len` bytes (refreshed after anything that could move them).
macro_rules! mem_handlers {
    (loads { $( $name:ident / $xname:ident: $n:literal, |$x:ident| $conv:expr; )* }
     stores { $( $sname:ident / $sxname:ident: $sn:literal, |$v:ident| $bytes:expr; )* }) => {
        $(
            pub(super) mod $name {
                use super::*;
                mem_handlers!(@ld $name s_s S S $n, |$x| $conv);
                mem_handlers!(@ld $name a_s A S $n, |$x| $conv);
                mem_handlers!(@ld $name s_a S A $n, |$x| $conv);
                mem_handlers!(@ld $name a_a A A $n, |$x| $conv);
                pub(in crate::exec::threaded) fn pick(o: &Ld) -> Handler {
                    match (o.dst == ACC, o.addr == ACC) {
                        (false, false) => s_s,
                        (true, false) => a_s,
                        (false, true) => s_a,
                        (true, true) => a_a,
                    }
                }
            }
            pub(super) mod $xname {
                use super::*;
                mem_handlers!(@ldx $xname s S $n, |$x| $conv);
                mem_handlers!(@ldx $xname a A $n, |$x| $conv);
                pub(in crate::exec::threaded) fn pick(o: &LdX) -> Handler {
                    match (o.dst == ACC, o.a == ACC || o.b == ACC) {
                        (false, false) => s,
                        (true, false) => a,
                        (_, true) => Invalid,
                    }
                }
            }
        )*
        $(
            pub(super) mod $sname {
                use super::*;
                mem_handlers!(@st $sname s_s S S $sn, |$v| $bytes);
                mem_handlers!(@st $sname a_s A S $sn, |$v| $bytes);
                mem_handlers!(@st $sname s_a S A $sn, |$v| $bytes);
                pub(in crate::exec::threaded) fn pick(o: &St) -> Handler {
                    match (o.addr == ACC, o.value == ACC) {
                        (false, false) => s_s,
                        (true, false) => a_s,
                        (false, true) => s_a,
                        (true, true) => Invalid,
                    }
                }
            }
            pub(super) mod $sxname {
                use super::*;
                mem_handlers!(@stx $sxname s S $sn, |$v| $bytes);
                mem_handlers!(@stx $sxname a A $sn, |$v| $bytes);
                pub(in crate::exec::threaded) fn pick(o: &StX) -> Handler {
                    match (o.value == ACC, o.a == ACC || o.b == ACC) {
                        (false, false) => s,
                        (true, false) => a,
                        (_, true) => Invalid,
                    }
                }
            }
        )*
    };
    (@access $ip:ident, $cx:ident, $a:expr, $n:literal, $len:ident) => {{
        let a: u64 = $a;
        if a + $n > $len as u64 {
            return trap($ip, $cx, TrapCode::MemoryOutOfBounds);
        }
        a as usize
    }};
    (@ld $name:ident $fname:ident $d:ident $ad:ident $n:literal, |$x:ident| $conv:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let a = mem_handlers!(@access ip, cx, opnd!($ad, sp, acc, o.addr) as u32 as u64 + o.offset as u64, $n, len);
            let $x: [u8; $n] = unsafe { std::ptr::read_unaligned(mem.add(a) as *const [u8; $n]) };
            let acc = result!($d, sp, acc, o.dst, $conv);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@ldx $name:ident $fname:ident $d:ident $n:literal, |$x:ident| $conv:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let sum = (rd!(sp, o.a) as u32).wrapping_add(rd!(sp, o.b) as u32);
            let a = mem_handlers!(@access ip, cx, sum as u64 + o.offset as u64, $n, len);
            let $x: [u8; $n] = unsafe { std::ptr::read_unaligned(mem.add(a) as *const [u8; $n]) };
            let acc = result!($d, sp, acc, o.dst, $conv);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@st $name:ident $fname:ident $ad:ident $vd:ident $n:literal, |$v:ident| $bytes:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let a = mem_handlers!(@access ip, cx, opnd!($ad, sp, acc, o.addr) as u32 as u64 + o.offset as u64, $n, len);
            let $v = opnd!($vd, sp, acc, o.value);
            let bytes: [u8; $n] = $bytes;
            unsafe { std::ptr::write_unaligned(mem.add(a) as *mut [u8; $n], bytes) };
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@stx $name:ident $fname:ident $vd:ident $n:literal, |$v:ident| $bytes:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let sum = (rd!(sp, o.a) as u32).wrapping_add(rd!(sp, o.b) as u32);
            let a = mem_handlers!(@access ip, cx, sum as u64 + o.offset as u64, $n, len);
            let $v = opnd!($vd, sp, acc, o.value);
            let bytes: [u8; $n] = $bytes;
            unsafe { std::ptr::write_unaligned(mem.add(a) as *mut [u8; $n], bytes) };
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

mem_handlers! {
    loads {
        I32Load / I32LoadX: 4, |x| u32::from_le_bytes(x) as u64;
        I64Load / I64LoadX: 8, |x| u64::from_le_bytes(x);
        F32Load / F32LoadX: 4, |x| u32::from_le_bytes(x) as u64;
        F64Load / F64LoadX: 8, |x| u64::from_le_bytes(x);
        I32Load8S / I32Load8SX: 1, |x| x[0] as i8 as i32 as u32 as u64;
        I32Load8U / I32Load8UX: 1, |x| x[0] as u64;
        I32Load16S / I32Load16SX: 2, |x| i16::from_le_bytes(x) as i32 as u32 as u64;
        I32Load16U / I32Load16UX: 2, |x| u16::from_le_bytes(x) as u64;
        I64Load8S / I64Load8SX: 1, |x| x[0] as i8 as i64 as u64;
        I64Load8U / I64Load8UX: 1, |x| x[0] as u64;
        I64Load16S / I64Load16SX: 2, |x| i16::from_le_bytes(x) as i64 as u64;
        I64Load16U / I64Load16UX: 2, |x| u16::from_le_bytes(x) as u64;
        I64Load32S / I64Load32SX: 4, |x| i32::from_le_bytes(x) as i64 as u64;
        I64Load32U / I64Load32UX: 4, |x| u32::from_le_bytes(x) as u64;
    }
    stores {
        I32Store / I32StoreX: 4, |v| (v as u32).to_le_bytes();
        I64Store / I64StoreX: 8, |v| v.to_le_bytes();
        F32Store / F32StoreX: 4, |v| (v as u32).to_le_bytes();
        F64Store / F64StoreX: 8, |v| v.to_le_bytes();
        I32Store8 / I32Store8X: 1, |v| [v as u8];
        I32Store16 / I32Store16X: 2, |v| (v as u16).to_le_bytes();
        I64Store8 / I64Store8X: 1, |v| [v as u8];
        I64Store16 / I64Store16X: 2, |v| (v as u16).to_le_bytes();
        I64Store32 / I64Store32X: 4, |v| (v as u32).to_le_bytes();
    }
}

/// A load from any memory, through a checked slice (the slow path for memories other
/// than the cached memory 0 and for 64-bit memories).
fn load(bytes: &[u8], op: LoadOp, addr: u64, offset: u64) -> Result<u64, TrapCode> {
    macro_rules! rd {
        ($n:literal) => {{
            let s = ea(addr, offset, $n, bytes.len())?;
            let mut b = [0u8; $n];
            b.copy_from_slice(&bytes[s..s + $n]);
            b
        }};
    }
    Ok(match op {
        LoadOp::I32Load | LoadOp::F32Load => u32::from_le_bytes(rd!(4)) as u64,
        LoadOp::I64Load | LoadOp::F64Load => u64::from_le_bytes(rd!(8)),
        LoadOp::I32Load8S => rd!(1)[0] as i8 as i32 as u32 as u64,
        LoadOp::I32Load8U => rd!(1)[0] as u64,
        LoadOp::I32Load16S => i16::from_le_bytes(rd!(2)) as i32 as u32 as u64,
        LoadOp::I32Load16U => u16::from_le_bytes(rd!(2)) as u64,
        LoadOp::I64Load8S => rd!(1)[0] as i8 as i64 as u64,
        LoadOp::I64Load8U => rd!(1)[0] as u64,
        LoadOp::I64Load16S => i16::from_le_bytes(rd!(2)) as i64 as u64,
        LoadOp::I64Load16U => u16::from_le_bytes(rd!(2)) as u64,
        LoadOp::I64Load32S => i32::from_le_bytes(rd!(4)) as i64 as u64,
        LoadOp::I64Load32U => u32::from_le_bytes(rd!(4)) as u64,
    })
}

/// A store to any memory, through a checked slice.
fn store(bytes: &mut [u8], op: StoreOp, addr: u64, offset: u64, v: u64) -> Result<(), TrapCode> {
    macro_rules! wr {
        ($bytes_of:expr) => {{
            let b = $bytes_of;
            let s = ea(addr, offset, b.len(), bytes.len())?;
            bytes[s..s + b.len()].copy_from_slice(&b);
        }};
    }
    match op {
        StoreOp::I32Store | StoreOp::F32Store => wr!((v as u32).to_le_bytes()),
        StoreOp::I64Store | StoreOp::F64Store => wr!(v.to_le_bytes()),
        StoreOp::I32Store8 | StoreOp::I64Store8 => wr!([v as u8]),
        StoreOp::I32Store16 | StoreOp::I64Store16 => wr!((v as u16).to_le_bytes()),
        StoreOp::I64Store32 => wr!((v as u32).to_le_bytes()),
    }
    Ok(())
}

handlers! {
    LoadMem(ip, sp, mem, len, cx, acc) Instr::LoadMem { op, mem: m, dst, addr: a, offset } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = &e.data.memories[e.inst.memories[m as usize] as usize];
        let v = tri!(load(m.data(), op, rd!(sp, a) as u32 as u64, offset as u64), ip, cx);
        wr!(sp, dst, v);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    StoreMem(ip, sp, mem, len, cx, acc) Instr::StoreMem { op, mem: m, addr: a, value, offset } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = &mut e.data.memories[e.inst.memories[m as usize] as usize];
        tri!(store(m.data_mut(), op, rd!(sp, a) as u32 as u64, offset as u64, rd!(sp, value)), ip, cx);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    Load64(ip, sp, mem, len, cx, acc) Instr::Load64 { op, mem: m, dst, addr: a, offset } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = &e.data.memories[e.inst.memories[m as usize] as usize];
        let v = tri!(load(m.data(), op, rd!(sp, a), rd!(sp, offset)), ip, cx);
        wr!(sp, dst, v);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    Store64(ip, sp, mem, len, cx, acc) Instr::Store64 { op, mem: m, addr: a, value, offset } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = &mut e.data.memories[e.inst.memories[m as usize] as usize];
        tri!(store(m.data_mut(), op, rd!(sp, a), rd!(sp, offset), rd!(sp, value)), ip, cx);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    MemorySize(ip, sp, mem, len, cx, acc) Instr::MemorySize { dst, mem: m } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        wr!(sp, dst, e.data.memories[e.inst.memories[m as usize] as usize].pages());
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    MemoryGrow(ip, sp, mem, len, cx, acc) Instr::MemoryGrow { dst, delta, mem: m, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = e.inst.memories[m as usize] as usize;
        let r = match e.data.grow_memory(m, addr(rd!(sp, delta), is64)) {
            Some(old) => old,
            None => minus_one(is64),
        };
        wr!(sp, dst, r);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    MemoryFill(ip, sp, mem, len, cx, acc) Instr::MemoryFill { args, mem: m, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let m = &mut e.data.memories[e.inst.memories[m as usize] as usize];
        let d = addr(rd!(sp, args), is64);
        let v = rd!(sp, args + 1) as u8;
        let n = addr(rd!(sp, args + 2), is64);
        let (start, n) = tri!(range(d, n, m.byte_len()), ip, cx);
        m.data_mut()[start..start + n].fill(v);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    MemoryCopy(ip, sp, mem, len, cx, acc) Instr::MemoryCopy { args, dst_mem, src_mem, dst64, src64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let d = addr(rd!(sp, args), dst64);
        let sa = addr(rd!(sp, args + 1), src64);
        let n = addr(rd!(sp, args + 2), dst64 && src64);
        let dm = e.inst.memories[dst_mem as usize] as usize;
        let sm = e.inst.memories[src_mem as usize] as usize;
        let (ss, n) = tri!(range(sa, n, e.data.memories[sm].byte_len()), ip, cx);
        let (ds, _) = tri!(range(d, n as u64, e.data.memories[dm].byte_len()), ip, cx);
        if dm == sm {
            e.data.memories[dm].data_mut().copy_within(ss..ss + n, ds);
        } else {
            let src: Vec<u8> = e.data.memories[sm].data()[ss..ss + n].to_vec();
            e.data.memories[dm].data_mut()[ds..ds + n].copy_from_slice(&src);
        }
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    MemoryInit(ip, sp, mem, len, cx, acc) Instr::MemoryInit { args, data: seg, mem: m, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let d = addr(rd!(sp, args), is64);
        let sa = rd!(sp, args + 1) as u32 as u64;
        let n = rd!(sp, args + 2) as u32 as u64;
        let bytes = &e.data.datas[e.inst.datas[seg as usize] as usize].bytes;
        let m = &mut e.data.memories[e.inst.memories[m as usize] as usize];
        let (ss, n) = tri!(range(sa, n, bytes.len()), ip, cx);
        let (ds, _) = tri!(range(d, n as u64, m.byte_len()), ip, cx);
        m.data_mut()[ds..ds + n].copy_from_slice(&bytes[ss..ss + n]);
        refresh!(cx, mem, len);
        step!(ip, sp, mem, len, cx, acc)
    }
    SegmentDrop(ip, sp, mem, len, cx, acc) Instr::SegmentDrop { index, elem } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let i = index as usize;
        if elem {
            e.data.elems[e.inst.elems[i] as usize].items = Vec::new();
        } else {
            e.data.datas[e.inst.datas[i] as usize].bytes = std::sync::Arc::from([]);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
}

/// Handlers of the binary instructions with an operand loaded from memory 0
/// (`Name: bytes, loader, conversion, |a, m| result`, `m` the loaded operand), one
/// per operand mode `dst_a_addr` as for the binary instructions (`s_ss`, `a_ss`,
/// `s_as`, `s_sa`, `a_as`, `a_sa`), and with the address a sum of two slots, one per
/// mode `x_dst_a`; and of the read-modify-write instructions
/// (`[m] = [m] OP value`), one per mode of the value (`s`, `a`; the address is a slot).
///
/// SAFETY (of the unchecked accesses): as for `mem_handlers`.
macro_rules! mem_operand_handlers {
    (binary { $( $name:ident: $n:literal, $ld:ident, $conv:ident, |$x:ident, $m:ident| $body:expr; )* }
     rmw { $( $rname:ident = $rop:ident: $rn:literal, $rld:ident / $rst:ident, $rconv:ident, |$rm:ident, $rv:ident| $rbody:expr; )* }) => {
        $(
            mod $name {
                use super::*;
                mem_operand_handlers!(@bin $name s_ss S S S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@bin $name a_ss A S S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@bin $name s_as S A S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@bin $name s_sa S S A $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@bin $name a_as A A S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@bin $name a_sa A S A $n $ld $conv, |$x, $m| $body);
                pub(super) fn pick(o: &BinLd) -> Handler {
                    super::by_acc(o.dst, o.a, o.addr, [s_ss, a_ss, s_as, s_sa, a_as, a_sa])
                }
                mem_operand_handlers!(@binx x_s_s S S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@binx x_a_s A S $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@binx x_s_a S A $n $ld $conv, |$x, $m| $body);
                mem_operand_handlers!(@binx x_a_a A A $n $ld $conv, |$x, $m| $body);
                pub(super) fn pick_x(o: &BinLdX) -> Handler {
                    match (o.dst == ACC, o.a == ACC, o.x == ACC || o.y == ACC) {
                        (false, false, false) => x_s_s,
                        (true, false, false) => x_a_s,
                        (false, true, false) => x_s_a,
                        (true, true, false) => x_a_a,
                        (_, _, true) => Invalid,
                    }
                }
            }
        )*
        $(
            mod $rname {
                use super::*;
                mem_operand_handlers!(@rmw $rname s S $rn $rld $rst $rconv, |$rm, $rv| $rbody);
                mem_operand_handlers!(@rmw $rname a A $rn $rld $rst $rconv, |$rm, $rv| $rbody);
                pub(super) fn pick(o: &Rmw) -> Handler {
                    match (o.addr == ACC, o.value == ACC) {
                        (false, false) => s,
                        (false, true) => a,
                        (true, _) => Invalid,
                    }
                }
            }
        )*

        /// The handler of a binary instruction with a memory operand.
        pub(super) fn load_operand_handler(o: &BinLd) -> Handler {
            match o.op {
                $( LdBinOp::$name => $name::pick(o), )*
            }
        }

        /// The handler of a binary instruction with a memory operand at a sum of slots.
        pub(super) fn load_sum_operand_handler(o: &BinLdX) -> Handler {
            match o.op {
                $( LdBinOp::$name => $name::pick_x(o), )*
            }
        }

        /// The handler of a read-modify-write instruction.
        pub(super) fn rmw_handler(o: &Rmw) -> Handler {
            match o.op {
                $( RmwOp::$rop => $rname::pick(o), )*
            }
        }
    };
    (@bin $name:ident $fname:ident $d:ident $xa:ident $ad:ident $n:literal $ld:ident $conv:ident, |$x:ident, $m:ident| $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::BinLd(o));
            let a = mem_handlers!(@access ip, cx, opnd!($ad, sp, acc, o.addr) as u32 as u64 + o.offset as u64, $n, len);
            let bytes: [u8; $n] = unsafe { std::ptr::read_unaligned(mem.add(a) as *const [u8; $n]) };
            let $m = $conv($ld(bytes));
            let $x = $conv(opnd!($xa, sp, acc, o.a));
            let acc = result!($d, sp, acc, o.dst, $body);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@binx $fname:ident $d:ident $xa:ident $n:literal $ld:ident $conv:ident, |$x:ident, $m:ident| $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::BinLdX(o));
            let sum = (rd!(sp, o.x) as u32).wrapping_add(rd!(sp, o.y) as u32);
            let a = mem_handlers!(@access ip, cx, sum as u64 + o.offset as u64, $n, len);
            let bytes: [u8; $n] = unsafe { std::ptr::read_unaligned(mem.add(a) as *const [u8; $n]) };
            let $m = $conv($ld(bytes));
            let $x = $conv(opnd!($xa, sp, acc, o.a));
            let acc = result!($d, sp, acc, o.dst, $body);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@rmw $name:ident $fname:ident $vd:ident $n:literal $ld:ident $st:ident $conv:ident, |$m:ident, $v:ident| $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::Rmw(o));
            let a = mem_handlers!(@access ip, cx, rd!(sp, o.addr) as u32 as u64 + o.offset as u64, $n, len);
            let p = unsafe { mem.add(a) as *mut [u8; $n] };
            let $m = $conv($ld(unsafe { std::ptr::read_unaligned(p) }));
            let $v = $conv(opnd!($vd, sp, acc, o.value));
            unsafe { std::ptr::write_unaligned(p, $st($body)) };
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

#[inline(always)]
fn le32(b: [u8; 4]) -> u64 {
    u32::from_le_bytes(b) as u64
}
#[inline(always)]
fn le64(b: [u8; 8]) -> u64 {
    u64::from_le_bytes(b)
}
#[inline(always)]
fn to_le32(v: u64) -> [u8; 4] {
    (v as u32).to_le_bytes()
}
#[inline(always)]
fn to_le64(v: u64) -> [u8; 8] {
    v.to_le_bytes()
}

mem_operand_handlers! {
    binary {
        F64AddLd: 8, le64, f64_of, |x, m| of_f64(x + m);
        F64SubLd: 8, le64, f64_of, |x, m| of_f64(x - m);
        F64LdSub: 8, le64, f64_of, |x, m| of_f64(m - x);
        F64MulLd: 8, le64, f64_of, |x, m| of_f64(x * m);
        F64DivLd: 8, le64, f64_of, |x, m| of_f64(x / m);
        F64LdDiv: 8, le64, f64_of, |x, m| of_f64(m / x);
        F32AddLd: 4, le32, f32_of, |x, m| of_f32(x + m);
        F32SubLd: 4, le32, f32_of, |x, m| of_f32(x - m);
        F32LdSub: 4, le32, f32_of, |x, m| of_f32(m - x);
        F32MulLd: 4, le32, f32_of, |x, m| of_f32(x * m);
        F32DivLd: 4, le32, f32_of, |x, m| of_f32(x / m);
        F32LdDiv: 4, le32, f32_of, |x, m| of_f32(m / x);
        I32AddLd: 4, le32, u32v, |x, m| w32(x.wrapping_add(m));
        I32SubLd: 4, le32, u32v, |x, m| w32(x.wrapping_sub(m));
        I32LdSub: 4, le32, u32v, |x, m| w32(m.wrapping_sub(x));
        I32AndLd: 4, le32, u32v, |x, m| w32(x & m);
        I32OrLd: 4, le32, u32v, |x, m| w32(x | m);
        I32XorLd: 4, le32, u32v, |x, m| w32(x ^ m);
        I64AddLd: 8, le64, u64v, |x, m| x.wrapping_add(m);
        I64SubLd: 8, le64, u64v, |x, m| x.wrapping_sub(m);
        I64LdSub: 8, le64, u64v, |x, m| m.wrapping_sub(x);
    }
    rmw {
        F64AddStore = F64Add: 8, le64 / to_le64, f64_of, |m, v| of_f64(m + v);
        F64SubStore = F64Sub: 8, le64 / to_le64, f64_of, |m, v| of_f64(m - v);
        F32AddStore = F32Add: 4, le32 / to_le32, f32_of, |m, v| of_f32(m + v);
        F32SubStore = F32Sub: 4, le32 / to_le32, f32_of, |m, v| of_f32(m - v);
        I32AddStore = I32Add: 4, le32 / to_le32, u32v, |m, v| w32(m.wrapping_add(v));
        I32SubStore = I32Sub: 4, le32 / to_le32, u32v, |m, v| w32(m.wrapping_sub(v));
        I64AddStore = I64Add: 8, le64 / to_le64, u64v, |m, v| m.wrapping_add(v);
        I64SubStore = I64Sub: 8, le64 / to_le64, u64v, |m, v| m.wrapping_sub(v);
    }
}
