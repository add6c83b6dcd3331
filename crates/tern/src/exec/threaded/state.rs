//! The interpreter's state: [`Exec`], behind the `*mut ExecCtx` every handler
//! receives. It holds the store's code and data parts, the stack, the running
//! instance and what is cached of it, where and why execution stopped, and the
//! registers that portable dispatch hands back to the loop; and how a handler stops
//! (`trap`, `fail`: the program counter and the reason).
//!
//! The caches, and what keeps them sound (the interpreter's module docs list every
//! invariant):
//! - memory 0: `Exec::mem` is the running instance's memory 0 as last loaded by
//!   [`mem0`]; every handler that may reallocate or re-borrow a memory (grow, bulk
//!   memory operations, other memories) reloads it, and so does every change of
//!   instance ([`Exec::enter_instance`], on calls and returns);
//! - table 0: `Exec::table0` likewise, reloaded by [`Exec::tables_written`] after
//!   every handler that writes a table and on every change of instance;
//! - entries: `Exec::entries` points at `stack.entries`, which `interpret` sized for
//!   every store function and only `Stack::enter` (the slow call path) writes, after
//!   which the caller reloads it;
//! - the running instance's defined functions are consecutive store functions from
//!   `Exec::local`'s base (instantiation checked it).
//!
//! This room knows no instruction and no handler, and does not dispatch.

use super::super::{Entry, Frame, Stack};
use crate::compile::isa::{ExecCtx, Exit, Op};
use crate::error::{Error, TrapCode};
use crate::runtime::store::{CodePart, DataPart, InstanceEntity};

/// The interpreter's state behind the `*mut ExecCtx` every handler receives.
pub(super) struct Exec<'a> {
    pub(super) code_part: &'a CodePart,
    pub(super) data: &'a mut DataPart,
    /// The frames; the top one is the running function's (its `fp` and `code.ops`
    /// are where its slots and its program counters start).
    pub(super) stack: &'a mut Stack,
    pub(super) inst: &'a InstanceEntity,
    pub(super) inst_idx: u32,
    /// Where execution stopped: the program counter, and why.
    pub(super) pc: usize,
    pub(super) trap: TrapCode,
    pub(super) host: (u32, usize),
    pub(super) error: Option<Error>,
    /// The current instance's memory 0 (base, length), as last loaded: kept current by
    /// every handler that may move it, so frame switches within one instance reuse it.
    pub(super) mem: (*mut u8, usize),
    /// The current instance's table 0 (elements, length), for `call_indirect`: reloaded
    /// with `mem` and after every handler that writes a table, so it never outlives
    /// the elements it points at.
    pub(super) table0: (*const u64, usize),
    /// The current instance's number of imported functions, and the store index of its
    /// function 0 were it defined (its defined function `i` is store function
    /// `base + i`, wrapping).
    pub(super) local: (u32, u32),
    /// `stack.entries`' elements: reloaded after each `Stack::enter`, the only change
    /// to them while the interpreter runs.
    pub(super) entries: *const Entry,
    /// Portable dispatch: the registers of the next instruction to run.
    pub(super) regs: (*const Op, *mut u64, *mut u8, usize, u64),
    /// Tail dispatch: the lowest host stack address allowed.
    pub(super) host_stack_limit: usize,
}

/// The state behind a context pointer.
///
/// # Safety
/// `cx` must be the pointer [`interpret`](super::interpret) passed down, still live.
#[inline(always)]
pub(super) unsafe fn ex<'a>(cx: *mut ExecCtx) -> &'a mut Exec<'a> {
    unsafe { &mut *(cx as *mut Exec<'a>) }
}

impl Exec<'_> {
    /// Makes instance `idx` (store index) the running one: its memory 0 and table 0
    /// become the cached ones.
    pub(super) fn enter_instance(&mut self, idx: u32) {
        self.inst_idx = idx;
        self.inst = &self.code_part.instances[idx as usize];
        self.local = local_funcs(self.inst);
        self.mem = mem0(self.data, self.inst);
        self.table0 = table0(self.data, self.inst);
    }

    /// Reloads the cached table 0 after a handler wrote a table (which may have moved
    /// or resized its elements, and takes a fresh borrow of them either way).
    pub(super) fn tables_written(&mut self) {
        self.table0 = table0(self.data, self.inst);
    }

    /// The running function's frame.
    #[inline(always)]
    pub(super) fn top(&mut self) -> &mut Frame {
        let n = self.stack.frames.len();
        // SAFETY: a function runs only while its frame is on the stack.
        unsafe { self.stack.frames.get_unchecked_mut(n.wrapping_sub(1)) }
    }
}

#[inline(always)]
pub(super) fn pc_of(e: &mut Exec<'_>, ip: *const Op) -> usize {
    // SAFETY: `ip` points into the running function's code, which starts at its
    // frame's `code.ops`.
    unsafe { ip.offset_from(e.top().code.ops) as usize }
}

#[cold]
#[inline(never)]
pub(super) fn trap(ip: *const Op, cx: *mut ExecCtx, code: TrapCode) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    e.pc = pc_of(e, ip);
    e.trap = code;
    Exit::Trap
}

#[cold]
#[inline(never)]
pub(super) fn fail(ip: *const Op, cx: *mut ExecCtx, err: Error) -> Exit {
    // SAFETY: `cx` is live.
    let e = unsafe { ex(cx) };
    e.pc = pc_of(e, ip);
    e.error = Some(err);
    Exit::Error
}

/// The base pointer and length of an instance's memory 0 (null and 0 if none).
#[inline(always)]
pub(super) fn mem0(data: &mut DataPart, inst: &InstanceEntity) -> (*mut u8, usize) {
    match inst.memories.first() {
        Some(&m) => {
            let m = &mut data.memories[m as usize];
            (m.as_mut_ptr(), m.byte_len())
        }
        None => (std::ptr::null_mut(), 0),
    }
}

/// An instance's [`Exec::local`]: its imported function count and the store index
/// its defined functions count from.
#[inline(always)]
pub(super) fn local_funcs(inst: &InstanceEntity) -> (u32, u32) {
    let imported = inst.imported_funcs;
    let base = inst
        .funcs
        .get(imported as usize)
        .map_or(0, |&f| f.wrapping_sub(imported));
    (imported, base)
}

/// The elements and length of an instance's table 0 (dangling and 0 if none).
#[inline(always)]
pub(super) fn table0(data: &DataPart, inst: &InstanceEntity) -> (*const u64, usize) {
    match inst.tables.first() {
        Some(&t) => {
            let elems = &data.tables[t as usize].elems;
            (elems.as_ptr(), elems.len())
        }
        None => (std::ptr::NonNull::dangling().as_ptr(), 0),
    }
}
