//! Calls and returns (spec: the call instructions among Control Instructions):
//! `call`, `call_indirect` and `call_ref`, their tail-call forms `return_call*`, and
//! `return`; and calls of host functions, which stop the interpreter with
//! `Exit::HostCall` for the API layer (which owns the host closures) to perform.
//!
//! Each switch of frames has a fast path, inlined into its handler and ending in a
//! tail call ([`call_fast`]: a function entered before, in the running instance,
//! with room on the stack; [`ret_fast`]: a return within one instance), and a general
//! path ([`call`], [`ret`], [`tail_call`]) that compiles the callee if needed,
//! switches instances, reports stack overflow and goes back to the loop in
//! `interpret` (`bounce!`), so that tail dispatch never depends on the compiler
//! turning a large handler's call into a jump.
//!
//! This room pushes and pops frame records and, through `Stack::enter`, fills the
//! stack's entries; it reads tables only to find an indirect callee, and knows
//! nothing of memories beyond the state reloading its cache on a change of instance.
//!
//! The invariants it relies on (see the interpreter's module docs):
//! - entries: `Exec::entries` points at `stack.entries`, which `interpret` sized for
//!   every store function and only `Stack::enter` (the slow call path) writes, after
//!   which [`call`] and [`tail_call`] reload it. A direct call of a defined function
//!   computes its store index from the instance's first (instantiation checked they
//!   are consecutive);
//! - slots: a callee's frame lies inside `stack.slots`, checked against the slots'
//!   end on the fast path and by `Stack::enter` on the general one;
//! - table 0 (`CallIndirect0`): the index is checked against the cached element
//!   count, and the cached elements are reloaded after every handler that writes a
//!   table and on every change of instance;
//! - memory 0: the cached base and length are reloaded on every change of instance,
//!   so a frame switch within one instance reuses them.

use std::hint::unreachable_unchecked;

use super::super::{Entry, Frame, FrameCode, FrameSlots, Stack};
use super::address::addr;
use super::dispatch::{host_sp, stack_grew, TAIL};
use super::state::{ex, fail, pc_of, trap, Exec};
use crate::compile::isa::{ExecCtx, Exit, Instr, Op, Slot};
use crate::error::TrapCode;
use crate::runtime::store::FuncEntity;

/// Enters wasm function `callee` (store index) with its frame at `base` slots into the
/// running frame: the fast path, for a function called before, in the same instance,
/// with room on the stack; everything else goes to [`call`]. (An entry not yet set
/// belongs to no instance and claims a frame larger than any stack, so either check
/// rejects it.) `LOCAL`: the callee is known to be a defined function of the running
/// instance, so a set entry needs no instance check.
#[inline(always)]
fn call_fast<const LOCAL: bool>(
    ip: *const Op,
    sp: *mut u64,
    cx: *mut ExecCtx,
    callee: u32,
    base: Slot,
) -> Exit {
    guard!(ip, cx);
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let stack: *mut Stack = &mut *e.stack;
    // SAFETY: `stack` is the live stack; `callee` is a store function index, below
    // `code_part.funcs.len()`, for which `interpret` made room in `entries`.
    let (entry, frames, n, slots_end, fast_depth) = unsafe {
        (
            &*e.entries.add(callee as usize),
            (*stack).frames.as_mut_ptr(),
            (*stack).frames.len(),
            (*stack).slots_end(),
            (*stack).fast_depth,
        )
    };
    // `sp` is the running frame's first slot, inside the slots.
    let new_sp = sp.wrapping_add(base as usize);
    let room = (slots_end - new_sp as usize) / std::mem::size_of::<u64>();
    if (!LOCAL && entry.inst != e.inst_idx) || entry.frame_size as usize > room || n >= fast_depth {
        return call(ip, cx, callee, base);
    }
    let ops = entry.ops;
    // SAFETY: `n < fast_depth <= frames.capacity()`, and the running function's frame
    // is on the stack (`n >= 1`); `ip` is an instruction of the running function, not
    // its last.
    unsafe {
        (*frames.add(n - 1)).code.resume = ip.add(1);
        frames.add(n).write(Frame {
            func: callee,
            sp: FrameSlots(new_sp),
            code: FrameCode { ops, resume: ops },
            inst: e.inst_idx,
        });
        (*stack).frames.set_len(n + 1);
    }
    // The frame's `frame_size` slots from `new_sp` lie inside the slots (checked
    // above: `base` is below the running frame's size, so `new_sp <= slots_end`).
    let sp = new_sp;
    // SAFETY: as above.
    if unsafe { entry.init_head(sp) } {
        // Larger frames finish in a second function, tail called, so that this one
        // keeps no more values live than there are registers.
        let entry = entry as *const Entry as *mut u8;
        // SAFETY: `init_rest`'s contract, as above.
        return unsafe { init_rest(ops, sp, entry, 0, cx, 0) };
    }
    let (mem, len) = e.mem;
    next!(ops, sp, mem, len, cx, 0)
}

/// A call of the running instance's function `func`: a defined one (consecutive store
/// indices, see [`InstanceEntity`](crate::runtime::store::InstanceEntity)) takes the
/// local fast path, an imported one is looked up.
#[inline(always)]
fn call_func(ip: *const Op, sp: *mut u64, cx: *mut ExecCtx, func: u32, base: Slot) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let (imported, first) = e.local;
    if func >= imported {
        let callee = first.wrapping_add(func);
        debug_assert_eq!(Some(&callee), e.inst.funcs.get(func as usize));
        return call_fast::<true>(ip, sp, cx, callee, base);
    }
    // SAFETY: validation proved `func` is a function index of the running instance's
    // module, and the instance has one entry per function.
    let callee = unsafe { *e.inst.funcs.get_unchecked(func as usize) };
    call_fast::<false>(ip, sp, cx, callee, base)
}

/// An indirect call of store function `callee`, after checking it has the engine-wide
/// function type `type_id` (read from its entry once it has been entered).
#[inline(always)]
fn call_typed(
    ip: *const Op,
    sp: *mut u64,
    cx: *mut ExecCtx,
    callee: u32,
    type_id: u32,
    base: Slot,
) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    // A function entered before has its type id in its entry (and a set entry).
    if e.stack
        .entries
        .get(callee as usize)
        .is_some_and(|en| en.type_id == type_id)
    {
        return call_fast::<false>(ip, sp, cx, callee, base);
    }
    if e.code_part.funcs[callee as usize].type_id() != type_id {
        return trap(ip, cx, TrapCode::BadSignature);
    }
    call_fast::<false>(ip, sp, cx, callee, base)
}

/// The end of [`call_fast`] for a frame of more than two chunks: initializes the
/// rest of the frame at `sp` of the function whose entry `entry` points at (passed in
/// the memory-base register), then runs its first instruction `ops`.
///
/// # Safety
/// `entry` points at the entry of the function whose frame was just pushed at `sp`,
/// with its `frame_size` slots inside the stack, and `ops` is its code.
#[inline(never)]
unsafe fn init_rest(
    ops: *const Op,
    sp: *mut u64,
    entry: *mut u8,
    _len: usize,
    cx: *mut ExecCtx,
    _acc: u64,
) -> Exit {
    // SAFETY: see above.
    unsafe { (*(entry as *const Entry)).init_tail(sp) };
    // SAFETY: `cx` is live.
    let (mem, len) = unsafe { ex(cx) }.mem;
    next!(ops, sp, mem, len, cx, 0)
}

/// Enters wasm function `callee` (store index) with its frame at `base` slots into
/// the running frame, or stops for a host call: the general path, which compiles
/// the callee if needed, switches instances and reports stack overflow.
#[inline(never)]
fn call(ip: *const Op, cx: *mut ExecCtx, callee: u32, base: Slot) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let pc = pc_of(e, ip);
    let new_fp = e.stack.top_fp() + base as usize;
    e.top().set_pc(pc + 1);
    match &e.code_part.funcs[callee as usize] {
        FuncEntity::Wasm(w) => {
            let c = match w.code() {
                Ok(c) => c,
                Err(err) => return fail(ip, cx, err),
            };
            let ops = match e.stack.enter(callee, c, w.instance, w.type_id, new_fp) {
                Ok(ops) => ops,
                Err(t) => return trap(ip, cx, t),
            };
            e.entries = e.stack.entries_ptr();
            if w.instance != e.inst_idx {
                e.enter_instance(w.instance);
            }
            let (mem, len) = e.mem;
            // SAFETY: `enter` checked the new frame lies inside `stack.slots`.
            let sp = unsafe { e.stack.slots.as_mut_ptr().add(new_fp) };
            bounce!(ops, sp, mem, len, cx, 0)
        }
        FuncEntity::Host { .. } => {
            e.pc = pc;
            e.host = (callee, new_fp);
            Exit::HostCall
        }
    }
}

/// Returns to the calling frame (results are in place): the fast path, within one
/// instance; everything else goes to [`ret`].
#[inline(always)]
fn ret_fast(ip: *const Op, cx: *mut ExecCtx) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let n = e.stack.frames.len();
    if n < 2 {
        return ret(ip, cx);
    }
    // SAFETY: `n >= 2`.
    let caller = unsafe { *e.stack.frames.get_unchecked(n - 2) };
    if caller.inst != e.inst_idx {
        return ret(ip, cx);
    }
    // SAFETY: drops the top frame record (plain data).
    unsafe { e.stack.frames.set_len(n - 1) };
    // SAFETY: the caller's frame was checked by `enter` when it was pushed, and its
    // resume pointer is an instruction of its code (the one after its call).
    let (sp, next) = (caller.sp.0, caller.code.resume);
    let (mem, len) = e.mem;
    next!(next, sp, mem, len, cx, 0)
}

/// Returns to the calling frame (results are in place), or stops after the last.
#[inline(never)]
fn ret(ip: *const Op, cx: *mut ExecCtx) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    if e.stack.frames.len() == 1 {
        e.pc = pc_of(e, ip);
        e.stack.frames.pop();
        return Exit::Returned;
    }
    e.stack.frames.pop();
    let caller = *e.top();
    if caller.inst != e.inst_idx {
        e.enter_instance(caller.inst);
    }
    let (mem, len) = e.mem;
    // SAFETY: the caller's frame was checked by `enter` when it was pushed, and its
    // resume pointer is an instruction of its code (the one after its call).
    let (sp, next) = (caller.sp.0, caller.code.resume);
    bounce!(next, sp, mem, len, cx, 0)
}

/// Replaces the current frame by wasm function `callee`, whose arguments are at
/// `base` slots into the running frame; a host callee is called normally (the code
/// after a tail call returns its results).
#[inline(always)]
fn tail_call(ip: *const Op, cx: *mut ExecCtx, callee: u32, base: Slot) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let FuncEntity::Wasm(w) = &e.code_part.funcs[callee as usize] else {
        return call(ip, cx, callee, base);
    };
    let c = match w.code() {
        Ok(c) => c,
        Err(err) => return fail(ip, cx, err),
    };
    let fp = e.stack.top_fp();
    let from = fp + base as usize;
    let np = c.num_params as usize;
    e.stack.slots.copy_within(from..from + np, fp);
    let popped = e.stack.frames.pop();
    let ops = match e.stack.enter(callee, c, w.instance, w.type_id, fp) {
        Ok(ops) => ops,
        Err(t) => {
            // Report the trap at the tail call, in the frame that made it.
            e.stack.frames.extend(popped);
            return trap(ip, cx, t);
        }
    };
    e.entries = e.stack.entries_ptr();
    if w.instance != e.inst_idx {
        e.enter_instance(w.instance);
    }
    let (mem, len) = e.mem;
    // SAFETY: `enter` checked the frame lies inside `stack.slots`.
    let sp = unsafe { e.stack.slots.as_mut_ptr().add(fp) };
    bounce!(ops, sp, mem, len, cx, 0)
}

/// The function an indirect call through a table calls (its type not yet checked).
#[inline(always)]
fn table_func(
    e: &Exec<'_>,
    sp: *mut u64,
    table: u16,
    index: Slot,
    is64: bool,
) -> Result<u32, TrapCode> {
    debug_assert!((table as usize) < e.inst.tables.len());
    // SAFETY: validation proved `table` is a table index of the running instance's
    // module, which has one entry per table, each a table of this store.
    let t = unsafe {
        let t = *e.inst.tables.get_unchecked(table as usize) as usize;
        debug_assert!(t < e.data.tables.len());
        e.data.tables.get_unchecked(t)
    };
    let i = addr(rd!(sp, index), is64);
    let fref = usize::try_from(i)
        .ok()
        .and_then(|i| t.elems.get(i))
        .copied();
    let fref = fref.ok_or(TrapCode::UndefinedElement)?;
    if fref == 0 {
        return Err(TrapCode::UninitializedElement);
    }
    Ok((fref - 1) as u32)
}

/// The callee of an indirect call through a table, after its checks.
#[inline(always)]
fn indirect(
    e: &Exec<'_>,
    sp: *mut u64,
    type_id: u32,
    table: u16,
    index: Slot,
    is64: bool,
) -> Result<u32, TrapCode> {
    let callee = table_func(e, sp, table, index, is64)?;
    if e.code_part.funcs[callee as usize].type_id() != type_id {
        return Err(TrapCode::BadSignature);
    }
    Ok(callee)
}

handlers! {
    Return(ip, sp, mem, len, cx, acc) Instr::Return => { ret_fast(ip, cx) }
    ReturnOne(ip, sp, mem, len, cx, acc) Instr::ReturnOne { src } => {
        wr!(sp, 0, rd!(sp, src));
        ret_fast(ip, cx)
    }
    Call(ip, sp, mem, len, cx, acc) Instr::Call { func, base } => {
        call_func(ip, sp, cx, func, base)
    }
    CallCopy(ip, sp, mem, len, cx, acc) Instr::CallCopy { func, base, dst, src, .. } => {
        // Repeating the copy (a call resumed here) copies the same value again.
        wr!(sp, dst, rd!(sp, src));
        call_func(ip, sp, cx, func, base)
    }
    CallCopy2(ip, sp, mem, len, cx, acc) Instr::CallCopy { func, base, dst, src, dst2, src2 } => {
        // As for `CallCopy`: neither copy writes a slot either reads.
        wr!(sp, dst, rd!(sp, src));
        wr!(sp, dst2, rd!(sp, src2));
        call_func(ip, sp, cx, func, base)
    }
    CallIndirect(ip, sp, mem, len, cx, acc) Instr::CallIndirect { type_id, table, index, base, is64 } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let callee = tri!(table_func(e, sp, table, index, is64), ip, cx);
        call_typed(ip, sp, cx, callee, type_id, base)
    }
    CallIndirect0(ip, sp, mem, len, cx, acc) Instr::CallIndirect { type_id, index, base, .. } => {
        // Table 0 with 32-bit indices, through the cached elements.
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let (elems, n) = e.table0;
        let i = rd!(sp, index) as u32 as usize;
        if i >= n {
            return trap(ip, cx, TrapCode::UndefinedElement);
        }
        // SAFETY: `table0` points at the `n` elements of the running instance's table
        // 0 (reloaded whenever a handler writes a table or the instance changes), and
        // `i < n`.
        let fref = unsafe { *elems.add(i) };
        if fref == 0 {
            return trap(ip, cx, TrapCode::UninitializedElement);
        }
        let callee = (fref - 1) as u32;
        call_typed(ip, sp, cx, callee, type_id, base)
    }
    ReturnCall(ip, sp, mem, len, cx, acc) Instr::ReturnCall { func, base } => {
        // SAFETY: `cx` is live.
        let callee = unsafe { ex(cx) }.inst.funcs[func as usize];
        tail_call(ip, cx, callee, base)
    }
    ReturnCallIndirect(ip, sp, mem, len, cx, acc) Instr::ReturnCallIndirect { type_id, table, index, base, is64 } => {
        // SAFETY: `cx` is live.
        let callee = tri!(indirect(unsafe { ex(cx) }, sp, type_id, table, index, is64), ip, cx);
        tail_call(ip, cx, callee, base)
    }
    CallRef(ip, sp, mem, len, cx, acc) Instr::CallRef { fref, base } => {
        let r = rd!(sp, fref);
        if r == 0 {
            return trap(ip, cx, TrapCode::NullFuncReference);
        }
        call(ip, cx, (r - 1) as u32, base)
    }
    ReturnCallRef(ip, sp, mem, len, cx, acc) Instr::ReturnCallRef { fref, base } => {
        let r = rd!(sp, fref);
        if r == 0 {
            return trap(ip, cx, TrapCode::NullFuncReference);
        }
        tail_call(ip, cx, (r - 1) as u32, base)
    }
}
