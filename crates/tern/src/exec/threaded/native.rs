//! Entering native code (the optimizing tier's, see `crate::jit`): the handler that
//! `lower` puts on each instruction where a function's native code can be entered
//! (its start and its loop headers). It runs the native code on the running frame,
//! then either traps where the native code trapped, returns where it returned, or
//! goes on in the interpreter at the instruction where the native code left, with
//! that instruction's own handler.
//! Native code calls native code itself (on the interpreter's stack, see `jit::call`);
//! when a natively called function leaves, the frames it and its callers stand in
//! come back here, and are pushed as the interpreter would have pushed them.
//!
//! The invariants it relies on (see the interpreter's module docs):
//! - native code enters and leaves at instructions of the function's code, with
//!   every slot it changed written back, and reports only instructions of that code,
//!   checked here all the same, as the frames it hands back are;
//! - native code reads memory 0 through the `mem`/`len` it is given and never moves
//!   or resizes a memory, so the cached memory stays valid; it reads and writes the
//!   running instance's globals through the `NativeCtx` it is given, built here from
//!   the store for each entry; it calls only defined functions of the running
//!   instance, so the cached instance stays the running one;
//! - native code makes a native call only while the host stack is above the floor
//!   set here (at most [`BUDGET`] below where it was entered, and [`RESERVE`] above
//!   the thread's stack end), so it never overflows the host stack.
//!
//! This room knows nothing of how native code is made, and of no other handler.

use super::dispatch::host_sp;
use super::lower::handler_of;
use super::state::{ex, fail, trap};
use crate::compile::isa::CompiledFunc;
use crate::compile::isa::{
    native_copy, native_fill, native_trap, native_unwound, ExecCtx, Exit, Instr, NativeCtx,
    NativeExit, NativeFn, Op, NATIVE_RETURN, NATIVE_TRAP,
};
use crate::error::Error;
use crate::runtime::code::TIER_UP_HEAT;
use crate::runtime::store::{CodePart, FuncEntity, WasmFunc};
use std::sync::atomic::Ordering;

#[cold]
fn lost(ip: *const Op, cx: *mut ExecCtx) -> Exit {
    let msg = "internal error: native code left at no instruction of its code";
    fail(ip, cx, Error::Api(msg.into()))
}

/// The host stack native code leaves to everything else: below `floor + RESERVE`,
/// native code makes no native call. It covers the deepest native frame (a few tens
/// of KiB for the largest function this tier compiles) and what it calls, and the
/// kernel's guard gap below a main thread's stack (1 MiB on Linux), which the
/// platform counts as stack although the stack never grows into it.
const RESERVE: usize = (1 << 20) + (256 << 10);

/// How much host stack one entry into native code may use: its native calls stop
/// this far below where it was entered (the interpreter, which needs no host stack
/// per wasm frame, makes deeper calls, entering native code afresh).
const BUDGET: usize = 1 << 20;

/// The lowest address of the running thread's stack, where the platform says.
fn stack_bottom() -> Option<usize> {
    thread_local! {
        static BOTTOM: Option<usize> = query_stack_bottom();
    }
    BOTTOM.with(|b| *b)
}

#[cfg(all(
    target_os = "linux",
    feature = "jit",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
fn query_stack_bottom() -> Option<usize> {
    // SAFETY: `attr` is initialized by `pthread_getattr_np` before it is read and
    // destroyed once; the out-pointers are valid locals.
    unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            return None;
        }
        let mut addr: *mut libc::c_void = std::ptr::null_mut();
        let mut size: libc::size_t = 0;
        let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
        libc::pthread_attr_destroy(&mut attr);
        (ok && !addr.is_null()).then_some(addr as usize)
    }
}

#[cfg(not(all(
    target_os = "linux",
    feature = "jit",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
fn query_stack_bottom() -> Option<usize> {
    None
}

/// The host stack address below which native code makes no native call.
fn stack_floor() -> usize {
    let here = host_sp();
    let budget = here.saturating_sub(BUDGET);
    match stack_bottom() {
        Some(b) if b < here => b.saturating_add(RESERVE).max(budget),
        _ => budget,
    }
}

/// How native code left, once the frames it handed back are pushed: its status and
/// exit, and the frame to go on in (the running one, or the innermost pushed).
#[derive(Clone, Copy)]
struct Left {
    status: u32,
    exit: NativeExit,
    func: u32,
    sp: *mut u64,
}

/// Runs native code `f` from entry `id` on the frame at `sp`, with the running
/// instance of `cx`, and pushes the frames it hands back; `None` if one of them is
/// not a frame of this stack. Out of line, so that the handler keeps no local whose
/// address escaped (the context) and its last call stays a tail call.
///
/// # Safety
/// As for calling `f` (see `NativeFn`); `cx` is live.
#[inline(never)]
unsafe fn run(
    f: NativeFn,
    sp: *mut u64,
    mem: *mut u8,
    len: usize,
    id: u32,
    cx: *mut ExecCtx,
) -> Option<Left> {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    // The running instance's globals, fuel and epoch, and the stack's callees, for as
    // long as the native code runs (it runs no host code, so the store's globals stay
    // where they are, and enters no function through the interpreter, so no callee
    // changes).
    let mut ncx = NativeCtx {
        mem,
        len,
        globals: e.data.globals.as_mut_ptr() as *mut u8,
        inst_globals: e.inst.globals.as_ptr(),
        fuel: &mut e.data.fuel,
        epoch: e.data.epoch.as_ptr() as *const u64,
        epoch_deadline: e.data.epoch_deadline,
        local_base: e.local.1,
        inst: e.inst_idx,
        callees: e.stack.callees_ptr(),
        // Wrapping, as store indices do (see `NativeCtx::local_callees`).
        local_callees: e
            .stack
            .callees_ptr()
            .wrapping_offset(e.local.1 as i32 as isize),
        table0: e.table0.0,
        table0_len: e.table0.1,
        slots_end: e.stack.slots_end(),
        stack_floor: stack_floor(),
        unwound: native_unwound,
        fill: native_fill,
        copy: native_copy,
        exit: NativeExit::default(),
        frames: Vec::new(),
    };
    // At most `i32::MAX` (see `NativeFn`: a native call passes one less, and the
    // callee refuses below zero).
    let depth =
        u32::try_from(e.stack.depth_left()).map_or(i32::MAX as u32, |d| d.min(i32::MAX as u32));
    // SAFETY: the caller's guarantee; `ncx` outlives the call, and describes the
    // running instance, whose module's code validation proved names only globals and
    // functions it has; `callees` covers every store function (`interpret` made room);
    // `mem` is memory 0's base, a reservation when it has guard pages.
    let status = unsafe { call(f, sp, id, &mut ncx, depth, guarded(e).then_some(mem)) };
    let top = *e.top();
    let mut left = Left {
        status,
        exit: ncx.exit,
        func: top.func,
        sp,
    };
    let Some((inner_func, inner_sp, inner_pc)) = ncx.frames.first().map(|f| (f.func, f.sp, f.pc))
    else {
        return Some(left);
    };
    // The running frame stands at its call, and resumes after it; the frames native
    // code made follow it, outermost first, each resuming after its call but the
    // innermost, which stands where it left.
    e.top().set_pc(left.exit.pc as usize + 1);
    let inst = e.inst_idx;
    // Each frame gets back its slots as it left them, outermost first: a caller
    // writes back its own slots after its callee left, over the callee's frame.
    for (k, fr) in ncx.frames.iter().enumerate().rev() {
        let pc = fr.pc as usize + usize::from(k != 0);
        let n = code_len(e, fr.func)?;
        if !e.stack.push_native(fr.func, inst, fr.sp, pc, n, &fr.slots) {
            return None;
        }
    }
    left.exit.pc = inner_pc;
    left.func = inner_func;
    left.sp = inner_sp;
    Some(left)
}

/// Whether the running instance's memory 0 has guard pages.
fn guarded(e: &super::state::Exec<'_>) -> bool {
    let m = e.inst.memories.first();
    m.and_then(|&m| e.data.memories.get(m as usize))
        .is_some_and(|m| m.guarded())
}

/// Calls native code `f`; where memory 0 has guard pages (`mem`), through the
/// optimizing tier's trampoline, which turns a fault into a trap.
///
/// # Safety
/// As for calling `f`; `mem` is the running instance's memory 0 if it has guard pages.
unsafe fn call(
    f: NativeFn,
    sp: *mut u64,
    id: u32,
    cx: &mut NativeCtx,
    depth: u32,
    mem: Option<*mut u8>,
) -> u32 {
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    if let Some(mem) = mem {
        // SAFETY: the caller's guarantee.
        return unsafe { crate::jit::fault::enter(f, sp, id, cx, depth, mem) };
    }
    let _ = mem;
    // SAFETY: the caller's guarantee.
    unsafe { f(sp, id, cx, depth) }
}

/// The number of instructions of store function `func`'s code, if it has any.
fn code_len(e: &mut super::state::Exec<'_>, func: u32) -> Option<usize> {
    compiled(e.code_part, func).map(|(_, c)| c.code.len())
}

/// Store function `func`, if it is a wasm function whose code is compiled, and that
/// code.
fn compiled(code_part: &CodePart, func: u32) -> Option<(&WasmFunc, &CompiledFunc)> {
    match code_part.funcs.get(func as usize) {
        Some(FuncEntity::Wasm(w)) => Some((w, w.compiled.get()?)),
        _ => None,
    }
}

/// Runs the running function's native code `native` from its entry `id` (at `ip`),
/// then goes on where it left: traps, returns, or runs the instruction it left at.
#[inline(always)]
fn enter(
    ip: *const Op,
    sp: *mut u64,
    mem: *mut u8,
    len: usize,
    cx: *mut ExecCtx,
    native: NativeFn,
    id: u32,
) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    // SAFETY: the native code was made from the running function's code, whose frame
    // starts at `sp`; `mem`/`len` are the running instance's memory 0; `id` is one of
    // its entries; `cx` is live.
    let Some(left) = (unsafe { run(native, sp, mem, len, id, cx) }) else {
        return lost(ip, cx);
    };
    // The function to go on in: the running one, or the innermost frame handed back.
    let Some((_, code)) = compiled(e.code_part, left.func) else {
        return lost(ip, cx);
    };
    let (Some(native), Some(ops)) = (code.native(), code.ops.get()) else {
        return lost(ip, cx);
    };
    let Some(at) = ops.get(left.exit.pc as usize) else {
        return lost(ip, cx);
    };
    let at: *const Op = at;
    if left.status == NATIVE_TRAP {
        return trap(at, cx, native_trap(left.exit.trap));
    }
    // Where the native code left is executed by the interpreter, with its own handler
    // (an entry's handler would enter the native code again); a return it made, by
    // the interpreter's plain return (the results are in place).
    // SAFETY: `at` is an instruction of the running function's threaded code.
    let handler = if left.status == NATIVE_RETURN {
        if !matches!(
            unsafe { (*at).instr },
            Instr::Return | Instr::ReturnOne { .. }
        ) {
            return lost(ip, cx);
        }
        handler_of(&Instr::Return)
    } else if native.entries.binary_search(&left.exit.pc).is_ok() {
        handler_of(unsafe { &(*at).instr })
    } else {
        unsafe { (*at).handler }
    };
    // SAFETY: the registers describe the running frame, as for any handler (a frame
    // handed back was checked to lie inside the stack's slots).
    unsafe { handler(at, left.sp, mem, len, cx, left.exit.acc) }
}

handler_fn!(NativeEnter(ip, sp, mem, len, cx, acc) {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let top = *e.top();
    // SAFETY: `ip` is an instruction of the running function's code.
    let pc = unsafe { ip.offset_from(top.code.ops) } as usize;
    let Some(native) = compiled(e.code_part, top.func).and_then(|(_, c)| c.native()) else {
        return lost(ip, cx);
    };
    let Ok(id) = native.entries.binary_search(&(pc as u32)) else {
        return lost(ip, cx);
    };
    enter(ip, sp, mem, len, cx, native.func, id as u32)
});

/// Tier-up: makes the running function's native code (it got hot) and records it in
/// the stack's callees, so that native callers call it natively. `None` if it has
/// none (the optimizing tier declined it).
#[cold]
#[inline(never)]
fn heat_up(cx: *mut ExecCtx, func: u32) -> Option<NativeFn> {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let (w, code) = compiled(e.code_part, func)?;
    let f = w.module.tier_up(w.def_index, code)?.func;
    e.stack.set_native(func, f);
    Some(f)
}

/// Tier-up off the running thread: hands the running function's compilation to the
/// background compiler; `false` if there is none (the caller compiles it).
#[cold]
#[inline(never)]
fn in_background(cx: *mut ExecCtx, func: u32) -> bool {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let Some(FuncEntity::Wasm(w)) = e.code_part.funcs.get(func as usize) else {
        return false;
    };
    let Some(code) = w.compiled.get() else {
        return false;
    };
    let sent = w.module.tier_up_in_background(w.def_index, code);
    code.background.store(sent, Ordering::Relaxed);
    sent
}

handler_fn!(HeatCount(ip, sp, mem, len, cx, acc) {
    // At a function's start or loop header in code that tiers up: count, make native
    // code when hot, and enter it here if it can be entered here; else run the
    // instruction.
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let top = *e.top();
    // SAFETY: `ip` is an instruction of the running function's code.
    let pc = unsafe { ip.offset_from(top.code.ops) } as u32;
    let Some((_, code)) = compiled(e.code_part, top.func) else {
        return lost(ip, cx);
    };
    let native = match code.native.get() {
        Some(Some(n)) => {
            // Made for another store's stack, perhaps: native callers on this one
            // call it natively from now on.
            e.stack.set_native(top.func, n.func);
            Some((n.func, n.entries.binary_search(&pc)))
        }
        Some(None) => None,
        None => {
            let heat = code.heat.load(Ordering::Relaxed).saturating_add(1);
            code.heat.store(heat, Ordering::Relaxed);
            if heat < TIER_UP_HEAT
                || (heat == TIER_UP_HEAT && in_background(cx, top.func))
                || (heat > TIER_UP_HEAT && code.background.load(Ordering::Relaxed))
            {
                // Not hot yet, or being compiled on the background compiler's thread
                // (the interpreter goes on meanwhile).
                None
            } else {
                heat_up(cx, top.func).and_then(|f| {
                    code.native().map(|n| (f, n.entries.binary_search(&pc)))
                })
            }
        }
    };
    if let Some((f, Ok(id))) = native {
        return enter(ip, sp, mem, len, cx, f, id as u32);
    }
    // SAFETY: `ip` is an instruction of the running function's threaded code.
    let handler = handler_of(unsafe { &(*ip).instr });
    // SAFETY: the registers are this handler's own.
    unsafe { handler(ip, sp, mem, len, cx, acc) }
});
