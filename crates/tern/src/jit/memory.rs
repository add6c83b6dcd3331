//! Memory instructions in Cranelift IR (spec: Memory Instructions), for memory 0 with
//! 32-bit addresses: loads and stores, their forms whose address is a sum of two slots,
//! the binary operations with an operand loaded from memory (`BinLd`, `BinLdX`) and the
//! read-modify-writes (`Rmw`). Every access is checked against memory 0's length,
//! passed in by the interpreter, before the unchecked access, or, where memory 0 has
//! guard pages, left to fault (`jit::fault`); an access out of bounds traps at its
//! instruction either way. Other memories, 64-bit memories and the bulk and grow
//! instructions are left to the interpreter.
//!
//! Knows nothing of blocks, entries or exits beyond `Tx::trap_if`.

use std::mem::offset_of;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Value};

use super::numeric::bin;
use super::slots::Ty;
use super::translate::{Tx, Unsupported};
use crate::compile::isa::{Instr, LdBinOp, NativeCtx, RmwOp, Slot, NATIVE_GUARD};
use crate::error::TrapCode;
use crate::syntax::NumericOp;

/// How a load reads memory: its width in bytes, whether it sign-extends, and the
/// type of its result.
#[derive(Clone, Copy)]
struct Load(u32, bool, Ty);

/// How a store writes memory: its width in bytes and the type of its value.
#[derive(Clone, Copy)]
struct Store(u32, Ty);

fn load_of(i: &Instr) -> Option<Load> {
    use Instr as I;
    Some(match i {
        I::I32Load(_) | I::I32LoadX(_) => Load(4, false, Ty::I32),
        I::I64Load(_) | I::I64LoadX(_) => Load(8, false, Ty::I64),
        I::F32Load(_) | I::F32LoadX(_) => Load(4, false, Ty::F32),
        I::F64Load(_) | I::F64LoadX(_) => Load(8, false, Ty::F64),
        I::I32Load8S(_) | I::I32Load8SX(_) => Load(1, true, Ty::I32),
        I::I32Load8U(_) | I::I32Load8UX(_) => Load(1, false, Ty::I32),
        I::I32Load16S(_) | I::I32Load16SX(_) => Load(2, true, Ty::I32),
        I::I32Load16U(_) | I::I32Load16UX(_) => Load(2, false, Ty::I32),
        I::I64Load8S(_) | I::I64Load8SX(_) => Load(1, true, Ty::I64),
        I::I64Load8U(_) | I::I64Load8UX(_) => Load(1, false, Ty::I64),
        I::I64Load16S(_) | I::I64Load16SX(_) => Load(2, true, Ty::I64),
        I::I64Load16U(_) | I::I64Load16UX(_) => Load(2, false, Ty::I64),
        I::I64Load32S(_) | I::I64Load32SX(_) => Load(4, true, Ty::I64),
        I::I64Load32U(_) | I::I64Load32UX(_) => Load(4, false, Ty::I64),
        _ => return None,
    })
}

fn store_of(i: &Instr) -> Option<Store> {
    use Instr as I;
    Some(match i {
        I::I32Store(_) | I::I32StoreX(_) => Store(4, Ty::I32),
        I::I64Store(_) | I::I64StoreX(_) => Store(8, Ty::I64),
        I::F32Store(_) | I::F32StoreX(_) => Store(4, Ty::F32),
        I::F64Store(_) | I::F64StoreX(_) => Store(8, Ty::F64),
        I::I32Store8(_) | I::I32Store8X(_) => Store(1, Ty::I32),
        I::I32Store16(_) | I::I32Store16X(_) => Store(2, Ty::I32),
        I::I64Store8(_) | I::I64Store8X(_) => Store(1, Ty::I64),
        I::I64Store16(_) | I::I64Store16X(_) => Store(2, Ty::I64),
        I::I64Store32(_) | I::I64Store32X(_) => Store(4, Ty::I64),
        _ => return None,
    })
}

/// Translates `i` if it is a memory instruction this tier handles (`Ok(true)`), else
/// `Ok(false)`.
pub(super) fn memory(tx: &mut Tx, i: &Instr) -> Result<bool, Unsupported> {
    let mut m = *i;
    if let Some(l) = load_of(i) {
        let (dst, a, offset) = if let Some(o) = m.load_mut().copied() {
            (o.dst, tx.get_as(o.addr, Ty::I32), o.offset)
        } else if let Some(o) = m.load_sum_mut().copied() {
            (o.dst, sum(tx, o.a, o.b), o.offset)
        } else {
            return Err(Unsupported);
        };
        let v = read(tx, a, offset, l);
        tx.set_as(dst, v, l.2);
        return Ok(true);
    }
    if let Some(s) = store_of(i) {
        let (a, value, offset) = if let Some(o) = m.store_mut().copied() {
            (tx.get_as(o.addr, Ty::I32), o.value, o.offset)
        } else if let Some(o) = m.store_sum_mut().copied() {
            (sum(tx, o.a, o.b), o.value, o.offset)
        } else {
            return Err(Unsupported);
        };
        let v = tx.get_as(value, s.1);
        write(tx, a, offset, s, v);
        return Ok(true);
    }
    match *i {
        Instr::BinLd(o) => {
            let a = tx.get_as(o.addr, Ty::I32);
            bin_ld(tx, o.op, o.dst, o.a, a, o.offset)?;
        }
        Instr::BinLdX(o) => {
            let a = sum(tx, o.x, o.y);
            bin_ld(tx, o.op, o.dst, o.a, a, o.offset as u32)?;
        }
        Instr::Rmw(o) => {
            let (ty, op, size) = match o.op {
                RmwOp::F64Add => (Ty::F64, NumericOp::F64Add, 8),
                RmwOp::F64Sub => (Ty::F64, NumericOp::F64Sub, 8),
                RmwOp::F32Add => (Ty::F32, NumericOp::F32Add, 4),
                RmwOp::F32Sub => (Ty::F32, NumericOp::F32Sub, 4),
                RmwOp::I32Add => (Ty::I32, NumericOp::I32Add, 4),
                RmwOp::I32Sub => (Ty::I32, NumericOp::I32Sub, 4),
                RmwOp::I64Add => (Ty::I64, NumericOp::I64Add, 8),
                RmwOp::I64Sub => (Ty::I64, NumericOp::I64Sub, 8),
            };
            let a = tx.get_as(o.addr, Ty::I32);
            let (p, f) = address(tx, a, o.offset, size);
            let old = tx.b.ins().load(ty.clif(), f, p, 0);
            let v = tx.get_as(o.value, ty);
            let new = bin(tx, op, old, v).ok_or(Unsupported)?;
            tx.b.ins().store(f, new, p, 0);
        }
        Instr::MemoryFill {
            args,
            mem: 0,
            is64: false,
        } => bulk(tx, args, false),
        Instr::MemoryCopy {
            args,
            dst_mem: 0,
            src_mem: 0,
            dst64: false,
            src64: false,
        } => bulk(tx, args, true),
        _ => return Ok(false),
    }
    Ok(true)
}

/// `memory.fill` (`copy` false: destination, value, length in slots `args..`) or
/// `memory.copy` (destination, source, length) of memory 0 with 32-bit addresses:
/// the ranges checked (a trap here otherwise, as the interpreter's), then the host's
/// fill or copy through `NativeCtx`.
fn bulk(tx: &mut Tx, args: Slot, copy: bool) {
    let d = tx.get_as(args, Ty::I32);
    let x = tx.get_as(args + 1, Ty::I32);
    let n = tx.get_as(args + 2, Ty::I32);
    let n = tx.b.ins().uextend(types::I64, n);
    let len = tx.ctx_ptr(offset_of!(NativeCtx, len));
    // Each end is below 2^33: no overflow.
    let check = |tx: &mut Tx, at: Value| {
        let at = tx.b.ins().uextend(types::I64, at);
        let end = tx.b.ins().iadd(at, n);
        let out = tx.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        tx.trap_if(out, TrapCode::MemoryOutOfBounds);
        at
    };
    if copy {
        // The source is checked first, as the interpreter does (the same trap).
        let s = check(tx, x);
        let d = check(tx, d);
        let mem = tx.ctx_ptr(offset_of!(NativeCtx, mem));
        let dp = tx.b.ins().iadd(mem, d);
        let sp = tx.b.ins().iadd(mem, s);
        let f = tx.ctx_ptr(offset_of!(NativeCtx, copy));
        let sig = tx.copy_sig;
        tx.b.ins().call_indirect(sig, f, &[dp, sp, n]);
    } else {
        let d = check(tx, d);
        let mem = tx.ctx_ptr(offset_of!(NativeCtx, mem));
        let dp = tx.b.ins().iadd(mem, d);
        let f = tx.ctx_ptr(offset_of!(NativeCtx, fill));
        let sig = tx.fill_sig;
        tx.b.ins().call_indirect(sig, f, &[dp, x, n]);
    }
}

/// `dst = a OP [addr + offset]` (or the other order).
fn bin_ld(
    tx: &mut Tx,
    op: LdBinOp,
    dst: Slot,
    a: Slot,
    addr: Value,
    offset: u32,
) -> Result<(), Unsupported> {
    use LdBinOp as L;
    use NumericOp as N;
    // The type, the operation, and whether the loaded value is the left operand.
    let (ty, num, loaded_first) = match op {
        L::F64AddLd => (Ty::F64, N::F64Add, false),
        L::F64SubLd => (Ty::F64, N::F64Sub, false),
        L::F64LdSub => (Ty::F64, N::F64Sub, true),
        L::F64MulLd => (Ty::F64, N::F64Mul, false),
        L::F64DivLd => (Ty::F64, N::F64Div, false),
        L::F64LdDiv => (Ty::F64, N::F64Div, true),
        L::F32AddLd => (Ty::F32, N::F32Add, false),
        L::F32SubLd => (Ty::F32, N::F32Sub, false),
        L::F32LdSub => (Ty::F32, N::F32Sub, true),
        L::F32MulLd => (Ty::F32, N::F32Mul, false),
        L::F32DivLd => (Ty::F32, N::F32Div, false),
        L::F32LdDiv => (Ty::F32, N::F32Div, true),
        L::I32AddLd => (Ty::I32, N::I32Add, false),
        L::I32SubLd => (Ty::I32, N::I32Sub, false),
        L::I32LdSub => (Ty::I32, N::I32Sub, true),
        L::I32AndLd => (Ty::I32, N::I32And, false),
        L::I32OrLd => (Ty::I32, N::I32Or, false),
        L::I32XorLd => (Ty::I32, N::I32Xor, false),
        L::I64AddLd => (Ty::I64, N::I64Add, false),
        L::I64SubLd => (Ty::I64, N::I64Sub, false),
        L::I64LdSub => (Ty::I64, N::I64Sub, true),
    };
    let size = if matches!(ty, Ty::I64 | Ty::F64) {
        8
    } else {
        4
    };
    let x = tx.get_as(a, ty);
    let m = read(tx, addr, offset, Load(size, false, ty));
    let v = if loaded_first {
        bin(tx, num, m, x)
    } else {
        bin(tx, num, x, m)
    };
    tx.set_as(dst, v.ok_or(Unsupported)?, ty);
    Ok(())
}

/// The i32 sum of slots `a` and `b` (an address).
fn sum(tx: &mut Tx, a: Slot, b: Slot) -> Value {
    let x = tx.get_as(a, Ty::I32);
    let y = tx.get_as(b, Ty::I32);
    tx.b.ins().iadd(x, y)
}

/// Native code's memory accesses checked before, so they never trap; unaligned
/// accesses are allowed, as in wasm.
pub(super) fn flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The flags of an access left unchecked in a memory with guard pages: out of
/// bounds it faults, and the fault is the out-of-bounds trap at this access (see
/// `jit::fault`). The code generator keeps it in place and records where it may
/// fault, with its trap code; the machine instruction is marked with the position of
/// the instruction whose value it computes, which is a later one when the load is
/// merged into its user. So each access is numbered (`Tx::accesses`, its position
/// in order) and its trap code is its number modulo [`ACCESS_CODES`]: the access is
/// the last one of that number at or before the marked position (`jit::sites`;
/// nothing with a side effect, so no other access, lies between a merged load and
/// its user).
fn guarded_flags(tx: &mut Tx) -> MemFlagsData {
    let k = (tx.accesses.len() % ACCESS_CODES as usize) as u8;
    tx.accesses.push(tx.pc as u32);
    MemFlagsData::new().with_trap_code(ir::TrapCode::user(k + 1))
}

/// How many distinct trap codes number the unchecked accesses (Cranelift's user
/// codes: 1 to 250).
pub(super) const ACCESS_CODES: u32 = 250;

/// The host address of the `size` bytes at i32 address `a32` plus `offset` in memory
/// 0, and the flags to access them with. Where memory 0 has guard pages and `offset`
/// plus `size` lies within the guard region, unchecked (an access out of bounds
/// faults); else after checking they lie inside memory 0 (a trap at the current
/// instruction otherwise; no check when an access at `a32` that reaches as far was
/// checked since the last label, see `Tx::checked`).
pub(super) fn address(tx: &mut Tx, a32: Value, offset: u32, size: u32) -> (Value, MemFlagsData) {
    let a = tx.b.ins().uextend(types::I64, a32);
    // Both terms are below 2^32, so the sums cannot overflow 64 bits.
    let reach = offset as u64 + size as u64;
    let guarded = tx.module.guard_pages && reach <= NATIVE_GUARD as u64;
    let covered = guarded || tx.checked.get(&a32).is_some_and(|&r| r >= reach);
    if !covered {
        let end = tx.b.ins().iadd_imm_u(a, reach as i64);
        let len = tx.ctx_ptr(offset_of!(NativeCtx, len));
        let out = tx.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        tx.trap_if(out, TrapCode::MemoryOutOfBounds);
        tx.checked.insert(a32, reach);
    }
    let ea = if offset == 0 {
        a
    } else {
        tx.b.ins().iadd_imm_u(a, offset as i64)
    };
    let mem = tx.ctx_ptr(offset_of!(NativeCtx, mem));
    let p = tx.b.ins().iadd(mem, ea);
    let f = if guarded { guarded_flags(tx) } else { flags() };
    (p, f)
}

/// A checked load of `l` at i32 address `a` plus `offset`.
fn read(tx: &mut Tx, a: Value, offset: u32, l: Load) -> Value {
    let Load(size, signed, ty) = l;
    let (p, f) = address(tx, a, offset, size);
    let ins = tx.b.ins();
    let t = ty.clif();
    match (size, signed, ty) {
        (_, _, Ty::F32 | Ty::F64) => ins.load(t, f, p, 0),
        (1, true, _) => ins.sload8(t, f, p, 0),
        (1, false, _) => ins.uload8(t, f, p, 0),
        (2, true, _) => ins.sload16(t, f, p, 0),
        (2, false, _) => ins.uload16(t, f, p, 0),
        (4, true, Ty::I64) => ins.sload32(f, p, 0),
        (4, false, Ty::I64) => ins.uload32(f, p, 0),
        _ => ins.load(t, f, p, 0),
    }
}

/// A checked store of `v` (of `s`'s type) at i32 address `a` plus `offset`.
fn write(tx: &mut Tx, a: Value, offset: u32, s: Store, v: Value) {
    let Store(size, ty) = s;
    let (p, f) = address(tx, a, offset, size);
    let ins = tx.b.ins();
    match (size, ty) {
        (1, _) => ins.istore8(f, v, p, 0),
        (2, _) => ins.istore16(f, v, p, 0),
        (4, Ty::I64) => ins.istore32(f, v, p, 0),
        _ => ins.store(f, v, p, 0),
    };
}

/// A checked load of one byte (for `BrTableLoad8U`), as an i32.
pub(super) fn load_u8(tx: &mut Tx, addr: Slot, offset: u32) -> Value {
    let a = tx.get_as(addr, Ty::I32);
    read(tx, a, offset, Load(1, false, Ty::I32))
}
