//! The interpreter: threaded code. Each instruction carries a pointer to its handler;
//! a handler executes its instruction and then calls the next instruction's handler in
//! tail position, so in optimized builds dispatch is one indirect jump per
//! instruction, taken from the handler itself (no central `match`, no loop).
//!
//! Two dispatch modes share every handler:
//! - *tail* (optimized builds on x86-64 and AArch64): handlers tail-call each other.
//!   Rust does not guarantee tail calls, so the fast paths of calls and returns are
//!   kept small (their general paths go back to the loop in [`interpret`]), and a
//!   guard checks at every call and backward branch that the host stack has not
//!   grown, so a call the compiler failed to turn into a jump becomes a clean error
//!   instead of a stack overflow.
//! - *portable* (builds with debug assertions or the `portable-dispatch` feature, and
//!   other targets): a handler stores the next instruction in the state and returns
//!   to a loop in [`interpret`].
//!
//! Handlers pass an accumulator `acc` along (see `compile::isa::ACC`): an instruction
//! whose operand or result is the accumulator has its own handler for that operand
//! combination, chosen when the code is lowered, so no handler tests where its
//! operands are. Any value in it is harmless: it is only ever read as a number.
//!
//! Unchecked accesses and the invariants that make them sound:
//! - slots: the verifier (`compile::verify`) proved every slot operand is below the
//!   function's `frame_size`, and [`Stack::enter`] proved the frame lies inside
//!   `stack.slots`, which is allocated once and never resized;
//! - instructions: the verifier proved every branch lands inside the code, the last
//!   instruction never falls through, and `lower` pairs each handler with
//!   instructions of its own variant;
//! - memory 0: every access is checked against the cached length `len` before the
//!   unchecked read or write, and the cached pointer and length are reloaded after
//!   anything that may reallocate or re-borrow the memory (grow, bulk memory
//!   operations, other memories, calls and returns);
//! - table 0 (for `call_indirect`): the same, against its cached element count, with
//!   the cached elements reloaded after every handler that writes a table and on
//!   every change of instance;
//! - entries: `Exec::entries` points at `stack.entries`, which `interpret` sized for
//!   every store function and only `Stack::enter` (the slow call path) writes, after
//!   which it is reloaded. A direct call of a defined function computes its store
//!   index from the instance's first (instantiation checked they are consecutive).
//!
//! Each room restates the invariants it relies on. The rooms, from the bottom up:
//! - `values` (bit conversions between slots and values) and `address` (address,
//!   index and length operands, and their range checks): pure functions;
//! - `state`: [`Exec`] and its caches of the running instance, and how a handler
//!   stops (`trap`, `fail`);
//! - `dispatch`: the handlers' calling convention and the macros every family uses
//!   (declared first: `macro_rules!` are textual), the dispatch mode `TAIL` and the
//!   tail-call guard;
//! - the families of handlers, by the spec's groups of instructions: `control`
//!   (`unreachable`, branches), `call` (calls, returns, host calls), `parametric`
//!   (`select`), `variable` (globals, slot copies), `reference`, `table`, `memory`,
//!   `numeric`, `vector` (SIMD), and `metering` (fuel, epochs; not from the spec). A
//!   family uses the rooms below it, not another family;
//! - `native`: the handler that enters the optimizing tier's native code at its entry
//!   points (a function's start, its loop headers) and goes on in the interpreter
//!   where the native code left; it uses `lower` to find the handler it replaced;
//! - `lower`: the table from each instruction to its handler, and [`ops_of`], which
//!   makes a function's threaded code with it;
//! - this file: [`interpret`], the loop that starts a run, drives portable dispatch
//!   and turns the handlers' `Exit` into an outcome.
//!
//! A new instruction's handler goes into the family of its spec group (or a new room
//! beside them, declared here after `dispatch`), and its `Instr` variant gets an arm
//! in `lower`'s table.

#![allow(non_snake_case)]

#[macro_use]
mod dispatch;

mod address;
mod call;
mod control;
mod lower;
mod memory;
mod metering;
mod native;
mod numeric;
mod parametric;
mod reference;
mod state;
mod table;
mod values;
mod variable;
mod vector;

pub(super) use lower::ops_of;

use super::{Outcome, Stack, Stop};
use crate::compile::isa::{ExecCtx, Exit};
use crate::error::{Error, TrapCode};
use crate::runtime::store::{CodePart, DataPart};
use dispatch::{host_sp, HOST_STACK_SLACK, TAIL};
use state::{local_funcs, mem0, table0, Exec};

/// Runs from the top frame of `stack` until the bottom frame returns, a host call, or
/// a trap; `pc_out` receives the program counter where it stopped.
pub(super) fn interpret(
    code_part: &CodePart,
    data: &mut DataPart,
    stack: &mut Stack,
    pc_out: &mut usize,
) -> Result<Outcome, Stop> {
    let Some(&top) = stack.frames.last() else {
        return Ok(Outcome::Returned);
    };
    // Calls index the entries by store function index without a bounds check.
    stack.cover(code_part.funcs.len());
    let inst_idx = top.inst;
    let inst = &code_part.instances[inst_idx as usize];
    let (mem, len) = mem0(data, inst);
    let tab0 = table0(data, inst);
    let entries = stack.entries_ptr();
    // `Stack::enter` checked the frame lies inside `stack.slots`.
    let sp = top.sp.0;
    // The frame resumes at an instruction of its code (`Frame::set_pc`, the calls).
    let ip = top.code.resume;
    let mut e = Exec {
        code_part,
        data,
        stack,
        inst,
        inst_idx,
        pc: 0,
        trap: TrapCode::Unreachable,
        host: (0, 0),
        error: None,
        mem: (mem, len),
        table0: tab0,
        local: local_funcs(inst),
        entries,
        regs: (ip, sp, mem, len, 0),
        host_stack_limit: if TAIL {
            host_sp().saturating_sub(HOST_STACK_SLACK)
        } else {
            0
        },
    };
    let cx = &mut e as *mut Exec<'_> as *mut ExecCtx;
    let exit = loop {
        // SAFETY: `regs` holds an instruction of the running function and registers
        // that describe its frame and memory (set above, then by each handler that
        // returns `Continue`); `cx` outlives the call.
        let (ip, sp, mem, len, acc) = unsafe { (*(cx as *mut Exec<'_>)).regs };
        match unsafe { ((*ip).handler)(ip, sp, mem, len, cx, acc) } {
            Exit::Continue => continue,
            x => break x,
        }
    };
    *pc_out = e.pc;
    match exit {
        Exit::Returned => Ok(Outcome::Returned),
        Exit::HostCall => Ok(Outcome::HostCall {
            func: e.host.0,
            base: e.host.1,
        }),
        Exit::Trap => Err(Stop::Trap(e.trap)),
        Exit::Error | Exit::Continue => {
            Err(Stop::Error(e.error.take().unwrap_or_else(|| {
                Error::Api("interpreter stopped".into())
            })))
        }
    }
}
