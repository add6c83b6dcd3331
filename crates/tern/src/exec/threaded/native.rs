//! Entering native code (the optimizing tier's, see `crate::jit`): the handler that
//! `lower` puts on each instruction where a function's native code can be entered
//! (its start and its loop headers). It runs the native code on the running frame,
//! then either traps where the native code trapped or goes on in the interpreter at
//! the instruction where the native code left, with that instruction's own handler.
//!
//! The invariants it relies on (see the interpreter's module docs):
//! - native code enters and leaves at instructions of the running function's code,
//!   with every slot it changed written back, and reports only instructions of that
//!   code (`NativeExit::pc < code.len()`), checked here all the same;
//! - native code reads memory 0 through the `mem`/`len` it is given and never moves
//!   or resizes a memory, so the cached memory stays valid; it reads and writes the
//!   running instance's globals through the `NativeCtx` it is given, built here from
//!   the store for each entry.
//!
//! This room knows nothing of how native code is made, and of no other handler.

use super::lower::handler_of;
use super::state::{ex, fail, trap};
use crate::compile::isa::{
    native_trap, ExecCtx, Exit, NativeCtx, NativeExit, NativeFn, Op, NATIVE_TRAP,
};
use crate::error::Error;
use crate::runtime::store::FuncEntity;

#[cold]
fn lost(ip: *const Op, cx: *mut ExecCtx) -> Exit {
    let msg = "internal error: an instruction entering native code has none";
    fail(ip, cx, Error::Api(msg.into()))
}

/// Runs native code `f` from entry `id` on the frame at `sp`, with the running
/// instance of `cx`: its status and how it left. Out of line, so that the handler keeps
/// no local whose address escaped (the exit record, the context) and its last call
/// stays a tail call.
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
) -> (u32, NativeExit) {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    // The running instance's globals, fuel and epoch, for as long as the native code
    // runs (it runs no host code, so the store's globals stay where they are).
    let ncx = NativeCtx {
        globals: e.data.globals.as_mut_ptr() as *mut u8,
        inst_globals: e.inst.globals.as_ptr(),
        fuel: &mut e.data.fuel,
        epoch: e.data.epoch.as_ptr() as *const u64,
        epoch_deadline: e.data.epoch_deadline,
    };
    let mut exit = NativeExit::default();
    // SAFETY: the caller's guarantee; `exit` and `ncx` outlive the call, and `ncx`
    // describes the running instance, whose module's code validation proved names only
    // globals it has.
    let status = unsafe { f(sp, mem, len, id, &mut exit, &ncx) };
    (status, exit)
}

handler_fn!(NativeEnter(ip, sp, mem, len, cx, acc) {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    let top = *e.top();
    // SAFETY: `ip` is an instruction of the running function's code.
    let pc = unsafe { ip.offset_from(top.code.ops) } as usize;
    let Some(FuncEntity::Wasm(w)) = e.code_part.funcs.get(top.func as usize) else {
        return lost(ip, cx);
    };
    let Some(code) = w.compiled.get() else {
        return lost(ip, cx);
    };
    let (Some(native), Some(ops)) = (&code.native, code.ops.get()) else {
        return lost(ip, cx);
    };
    let Ok(id) = native.entries.binary_search(&(pc as u32)) else {
        return lost(ip, cx);
    };
    // SAFETY: the native code was made from this function's code, whose frame starts
    // at `sp`; `mem`/`len` are the running instance's memory 0; `id` is one of its
    // entries; `cx` is live.
    let (status, exit) = unsafe { run(native.func, sp, mem, len, id as u32, cx) };
    let Some(at) = ops.get(exit.pc as usize) else {
        return lost(ip, cx);
    };
    let at: *const Op = at;
    if status == NATIVE_TRAP {
        return trap(at, cx, native_trap(exit.trap));
    }
    // Where the native code left is executed by the interpreter, with its own handler
    // (an entry's handler would enter the native code again).
    // SAFETY: `at` is an instruction of the running function's threaded code.
    let handler = if native.entries.binary_search(&exit.pc).is_ok() {
        handler_of(unsafe { &(*at).instr })
    } else {
        unsafe { (*at).handler }
    };
    // SAFETY: the registers describe the running frame, as for any handler.
    unsafe { handler(at, sp, mem, len, cx, exit.acc) }
});
