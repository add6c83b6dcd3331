//! Calls and returns in Cranelift IR (spec: the call instructions among Control
//! Instructions): a direct call of a defined function of the module whose native
//! code exists calls that code natively, on the callee's frame in the interpreter's
//! stack; `return` returns natively (to the interpreter, if it entered the
//! function, which then pops the frame).
//!
//! A native call is made only when the interpreter would make it the same way and
//! native code can finish it: the callee has native code (it was entered once through
//! the interpreter, which compiled it); the callee itself checks, first thing, that
//! the stack has room for its frame and another frame (the same checks as the
//! interpreter's, so a stack overflow traps at the same call) and that the host stack
//! has room for native frames (else the interpreter, which uses no host stack per
//! wasm frame, makes the call), and refuses the call otherwise. A call native code
//! does not make is left to the interpreter, at the call.
//!
//! `call_indirect` through table 0 (32-bit) is native too when the element is a
//! function of the running instance with native code and the type expected; anything
//! else (an index out of bounds, a null element, another type, which trap) is left
//! to the interpreter, which traps exactly as it would have.
//!
//! A callee that leaves other than by returning (it trapped, or left an instruction
//! to the interpreter) hands its frame back: the caller records it with its slots
//! (`unwound`) and leaves at the call itself, so that the interpreter finds every
//! frame as it would have made it.
//!
//! Calls of imported functions, other tables, `call_ref` and tail calls are left to
//! the interpreter.

use std::mem::offset_of;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, MemFlagsData, Value};

use super::slots::Ty;
use super::translate::{Tx, Unsupported};
use crate::compile::isa::{
    Instr, NativeCallee, NativeCtx, NativeExit, Slot, NATIVE_CALL_ENTRY, NATIVE_CONTINUE,
    NATIVE_REFUSED, NATIVE_RETURN,
};

/// Translates `i` if it is a call or a return (`Ok(false)`: it is not).
pub(super) fn call(tx: &mut Tx, i: &Instr) -> Result<bool, Unsupported> {
    match *i {
        Instr::Call { func, base } => {
            let arity = callee(tx, func, base)?;
            direct(tx, func, base, arity);
        }
        Instr::CallCopy {
            func,
            base,
            dst,
            src,
            dst2,
            src2,
        } => {
            let arity = callee(tx, func, base)?;
            // As the interpreter does: neither copy writes a slot either reads.
            tx.copy(dst, src);
            if (dst, src) != (dst2, src2) {
                tx.copy(dst2, src2);
            }
            direct(tx, func, base, arity);
        }
        Instr::CallIndirect {
            type_id,
            table: 0,
            index,
            base,
            is64: false,
        } => {
            let arity = (tx.module.type_arity)(type_id).ok_or(Unsupported)?;
            frame_at(tx, base, arity)?;
            indirect(tx, type_id, index, base, arity);
        }
        Instr::Return => ret(tx, None)?,
        Instr::ReturnOne { src } => ret(tx, Some(src))?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// The slots the parameters and results of defined function `func`, called with its
/// frame at `base`, take; unsupported if native code does not call it.
fn callee(tx: &mut Tx, func: u32, base: Slot) -> Result<(u32, u32), Unsupported> {
    if func < tx.module.imported_funcs {
        return Err(Unsupported);
    }
    let arity = (tx.module.arity)(func).ok_or(Unsupported)?;
    frame_at(tx, base, arity)?;
    Ok(arity)
}

/// Checks that a callee's frame at `base` lies above the caller's locals and
/// constants (which the exit of a natively called caller writes), and that its
/// arguments and results are slots of the caller's frame.
fn frame_at(tx: &Tx, base: Slot, (params, results): (u32, u32)) -> Result<(), Unsupported> {
    let c = tx.code;
    let size = c.frame_size as u64;
    let fixed = c.locals_end as u64 + c.consts.len() as u64;
    if (base as u64) < fixed
        || base as u64 + params as u64 > size
        || base as u64 + results as u64 > size
    {
        return Err(Unsupported);
    }
    Ok(())
}

/// The callee of a native call: its record (`NativeCallee`) and how to name it to
/// `unwound` (its store index, or its index in the running instance).
enum Callee {
    Local(u32),
    Store(Value),
}

/// Calls defined function `func` with its frame at `base` natively, or leaves the
/// call to the interpreter (see the module docs).
fn direct(tx: &mut Tx, func: u32, base: Slot, arity: (u32, u32)) {
    spill_args(tx, base, arity.0);
    let callees = tx.ctx_ptr(offset_of!(NativeCtx, local_callees));
    let at = (func as usize * std::mem::size_of::<NativeCallee>()) as i32;
    let code = record(tx, callees, at);
    let none = tx.b.ins().icmp_imm_u(IntCC::Equal, code, 0);
    finish(tx, Callee::Local(func), code, none, base, arity.1);
}

/// `call_indirect` through table 0 (32-bit) of type `type_id` with the element index
/// in `index` and the callee's frame at `base`.
fn indirect(tx: &mut Tx, type_id: u32, index: Slot, base: Slot, arity: (u32, u32)) {
    let ptr = tx.b.func.dfg.value_type(tx.sp);
    let i = tx.get_as(index, Ty::I32);
    spill_args(tx, base, arity.0);
    // The element: in bounds and not null, or the interpreter traps.
    let i = tx.b.ins().uextend(ptr, i);
    let len = tx.ctx_ptr(offset_of!(NativeCtx, table0_len));
    let out = tx.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, i, len);
    tx.leave_if(out);
    let elems = tx.ctx_ptr(offset_of!(NativeCtx, table0));
    let off = tx.b.ins().ishl_imm_u(i, 3);
    let at = tx.b.ins().iadd(elems, off);
    let fref = tx.b.ins().load(types::I64, MemFlagsData::trusted(), at, 0);
    let null = tx.b.ins().icmp_imm_u(IntCC::Equal, fref, 0);
    tx.leave_if(null);
    let callee = tx.b.ins().iadd_imm_s(fref, -1);
    let callee = tx.b.ins().ireduce(types::I32, callee);
    // Its record: native code, the type, the running instance.
    let callees = tx.ctx_ptr(offset_of!(NativeCtx, callees));
    let idx = tx.b.ins().uextend(ptr, callee);
    let off =
        tx.b.ins()
            .imul_imm_u(idx, std::mem::size_of::<NativeCallee>() as i64);
    let rec = tx.b.ins().iadd(callees, off);
    let code = record(tx, rec, 0);
    let f = MemFlagsData::trusted().with_readonly();
    let tid =
        tx.b.ins()
            .load(types::I32, f, rec, offset_of!(NativeCallee, type_id) as i32);
    let inst =
        tx.b.ins()
            .load(types::I32, f, rec, offset_of!(NativeCallee, inst) as i32);
    let running = tx.ctx_load(types::I32, offset_of!(NativeCtx, inst));
    let none = tx.b.ins().icmp_imm_u(IntCC::Equal, code, 0);
    let other = tx.b.ins().icmp_imm_u(IntCC::NotEqual, tid, type_id as i64);
    let away = tx.b.ins().icmp(IntCC::NotEqual, inst, running);
    let a = tx.b.ins().bor(none, other);
    let bad = tx.b.ins().bor(a, away);
    finish(tx, Callee::Store(callee), code, bad, base, arity.1);
}

/// Stores a call's arguments (slots `base..base + params`) in the frame.
fn spill_args(tx: &mut Tx, base: Slot, params: u32) {
    tx.spill(base, base + params as Slot);
}

/// A callee's native code (null if none), from its record at `rec + at`.
fn record(tx: &mut Tx, rec: Value, at: i32) -> Value {
    let ptr = tx.b.func.dfg.value_type(tx.sp);
    let f = MemFlagsData::trusted().with_readonly();
    tx.b.ins()
        .load(ptr, f, rec, at + offset_of!(NativeCallee, func) as i32)
}

/// The rest of a native call of `callee` (native code `code`, frame at `base`),
/// unless `bad` (an integer flag) says it is the interpreter's to make, or the callee
/// refuses it; then its results (`results` slots) are reloaded.
fn finish(tx: &mut Tx, callee: Callee, code: Value, bad: Value, base: Slot, results: u32) {
    let callee_sp = tx.b.ins().iadd_imm_u(tx.sp, base as i64 * 8);
    // Every way this call leaves native code goes through one block, `(status)`, and
    // from there to the exit (fewer edges into the exit, whose arguments
    // are every written slot, keep compiling fast).
    let out = tx.b.create_block();
    tx.b.set_cold_block(out);
    tx.b.append_block_param(out, types::I32);
    let go = tx.b.create_block();
    // A call native code does not make: the interpreter makes it. (The block that
    // says so makes its own constants: made before the branch, they would be hoisted
    // out of a loop around the call and live, spilled, across the call.)
    let left = tx.b.create_block();
    tx.b.set_cold_block(left);
    tx.b.ins().brif(bad, left, &[], go, &[]);
    // (Blocks of one predecessor are sealed at once: see `Tx::trap_if`.)
    tx.b.seal_block(go);
    tx.b.switch_to_block(go);

    let entry = tx.b.ins().iconst(types::I32, NATIVE_CALL_ENTRY as i64);
    let depth = tx.b.ins().iadd_imm_s(tx.depth, -1);
    let args = [callee_sp, entry, tx.cx, depth];
    let sig = tx.native_sig;
    let inst = tx.b.ins().call_indirect(sig, code, &args);
    let status = tx.b.inst_results(inst)[0];
    let returned =
        tx.b.ins()
            .icmp_imm_u(IntCC::Equal, status, NATIVE_RETURN as i64);
    let other = tx.b.create_block();
    let next = tx.b.create_block();
    tx.b.set_cold_block(other);
    tx.b.ins().brif(returned, next, &[], other, &[]);
    tx.b.seal_block(next);
    tx.b.seal_block(other);

    // The callee refused the call (the interpreter's limits, or the host stack's):
    // the interpreter makes it, or traps.
    tx.b.switch_to_block(other);
    let refused =
        tx.b.ins()
            .icmp_imm_u(IntCC::Equal, status, NATIVE_REFUSED as i64);
    let unwind = tx.b.create_block();
    tx.b.set_cold_block(unwind);
    tx.b.ins().brif(refused, left, &[], unwind, &[]);
    tx.b.seal_block(unwind);
    tx.b.seal_block(left);

    tx.b.switch_to_block(left);
    let cont = tx.b.ins().iconst(types::I32, NATIVE_CONTINUE as i64);
    tx.set_trap_and_acc(None);
    tx.b.ins().jump(out, &[BlockArg::Value(cont)]);

    // The callee left: record its frame, leave at the call with its status (its trap
    // and accumulator are in `NativeCtx::exit` already).
    tx.b.switch_to_block(unwind);
    let callee = match callee {
        Callee::Store(v) => v,
        Callee::Local(func) => {
            let local_base = tx.ctx_load(types::I32, offset_of!(NativeCtx, local_base));
            tx.b.ins().iadd_imm_u(local_base, func as i64)
        }
    };
    let unwound = tx.ctx_ptr(offset_of!(NativeCtx, unwound));
    let sig = tx.unwound_sig;
    tx.b.ins()
        .call_indirect(sig, unwound, &[tx.cx, callee, callee_sp]);
    tx.b.ins().jump(out, &[BlockArg::Value(status)]);

    tx.b.switch_to_block(out);
    let status = tx.b.block_params(out)[0];
    let pc = tx.b.ins().iconst(types::I32, tx.pc as i64);
    tx.leave(status, pc);

    tx.b.switch_to_block(next);
    tx.ended = false;
    tx.acc = None;
    tx.reload(base, base + results as Slot);
}

/// `return` (`src`: `ReturnOne`'s result): the function returns its results in its
/// frame's first slots (the interpreter pops the frame of a function it entered).
fn ret(tx: &mut Tx, src: Option<Slot>) -> Result<(), Unsupported> {
    let results = match src {
        Some(_) => 1,
        None => tx.module.results,
    };
    if results > tx.code.frame_size || u32::try_from(tx.pc).is_err() {
        return Err(Unsupported);
    }
    match src {
        Some(s) => {
            let (v, ty) = tx.get(s);
            let raw = tx.untyped(v, ty);
            tx.b.ins().store(MemFlagsData::trusted(), raw, tx.sp, 0);
        }
        None => {
            tx.spill(0, results as Slot);
        }
    }
    let pc = tx.b.ins().iconst(types::I32, tx.pc as i64);
    let at = offset_of!(NativeCtx, exit) + offset_of!(NativeExit, pc);
    tx.b.ins()
        .store(MemFlagsData::trusted(), pc, tx.cx, at as i32);
    let status = tx.b.ins().iconst(types::I32, NATIVE_RETURN as i64);
    tx.b.ins().return_(&[status]);
    tx.ended = true;
    Ok(())
}
