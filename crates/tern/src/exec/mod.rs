//! The interpreter: runs internal code (see [`crate::compile::isa`]) on tern's own call
//! stack.
//!
//! A [`Stack`] holds the value slots of every active frame and the frame records; wasm
//! calls push a frame record and never recurse on the host stack. When wasm calls a
//! host function, [`run`] returns [`Outcome::HostCall`] with the stack intact; the
//! caller (the generic API layer, which owns the host closures) performs the call,
//! writes the results into the stack and calls [`run`] again. The same mechanism will
//! serve pausing on fuel exhaustion and snapshots.
//!
//! This module reads the store's code part and writes its data part; it never creates
//! functions or instances.

pub mod numeric;
pub(crate) mod simd;
mod threaded;

use crate::compile::isa::{CompiledFunc, Op};
use crate::error::{Error, FrameInfo, Result, Trap, TrapCode};
use crate::runtime::store::{CodePart, FuncEntity, StoreInner};

/// A frame record: which function, where it resumes, where its slots start.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Store index of the function.
    pub func: u32,
    /// The instruction to resume at (for callers: the one after the call).
    pub pc: u32,
    /// Index of the frame's first slot in [`Stack::slots`].
    pub fp: usize,
    /// Derived from `func`, kept so that returning to the frame looks nothing up.
    pub(crate) code: FrameCode,
}

/// A frame's threaded code and instance, cached (they follow from the function).
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameCode {
    pub ops: *const Op,
    pub inst: u32,
}

// SAFETY: `ops` points into a function's threaded code, which is immutable once
// built and owned (through `Arc`s) by the store whose stack holds the frame; frames
// are cleared when a call ends, so the pointer is never used past the code's life.
unsafe impl Send for FrameCode {}
// SAFETY: as above; the pointee is never written.
unsafe impl Sync for FrameCode {}

/// A call stack: value slots, frame records, and what calls need to enter each
/// function.
pub struct Stack {
    pub slots: Vec<u64>,
    pub frames: Vec<Frame>,
    max_depth: usize,
    /// Calls may push a frame without growing `frames` while its length is below this
    /// (the smaller of `max_depth` and the vector's capacity).
    fast_depth: usize,
    /// Per store function index: how to enter it, once it has been entered.
    entries: Vec<Entry>,
}

/// What entering a compiled wasm function takes, cached per store function so that a
/// call reads one record. `ops` points into the function's [`CompiledFunc`], which the
/// store owns (behind an `Arc`, never replaced) for as long as the store lives; a
/// stack is only ever used with the store that created it.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The threaded code; null while the function has not been entered.
    pub ops: *const Op,
    /// The values of slots `num_params..` on entry: zeroes for the declared locals,
    /// then the constants.
    pub init: Box<[u64]>,
    pub num_params: u32,
    pub frame_size: u32,
    /// The instance the function belongs to.
    pub inst: u32,
}

// SAFETY: `ops` refers to immutable compiled code owned by the store that owns the
// stack (see `Entry`); it is never written through.
unsafe impl Send for Entry {}
// SAFETY: as above.
unsafe impl Sync for Entry {}

impl Entry {
    fn none() -> Entry {
        Entry {
            ops: std::ptr::null(),
            init: Box::default(),
            num_params: 0,
            frame_size: 0,
            inst: 0,
        }
    }

    fn new(code: &CompiledFunc, inst: u32) -> Entry {
        let locals = (code.locals_end - code.num_params) as usize;
        let mut init = vec![0; locals];
        init.extend_from_slice(&code.consts);
        Entry {
            ops: threaded::ops_of(code).as_ptr(),
            init: init.into_boxed_slice(),
            num_params: code.num_params,
            frame_size: code.frame_size,
            inst,
        }
    }
}

impl Stack {
    pub fn new(max_slots: usize, max_depth: usize) -> Stack {
        let frames = Vec::with_capacity(max_depth.min(1 << 16));
        Stack {
            slots: vec![0; max_slots],
            fast_depth: max_depth.min(frames.capacity()),
            frames,
            max_depth,
            entries: Vec::new(),
        }
    }

    /// The cached entry of store function `func`, if it has been entered before.
    #[inline(always)]
    pub(crate) fn entry(&self, func: u32) -> Option<&Entry> {
        self.entries.get(func as usize).filter(|e| !e.ops.is_null())
    }

    /// Pushes the frame of a wasm function whose arguments are at `fp..`, preparing
    /// its locals and constants, and caches how to enter it. Returns the function's
    /// threaded code.
    pub fn enter(
        &mut self,
        func: u32,
        code: &CompiledFunc,
        inst: u32,
        fp: usize,
    ) -> Result<*const Op, TrapCode> {
        let i = func as usize;
        if self.entries.len() <= i {
            self.entries.resize_with(i + 1, Entry::none);
        }
        if self.entries[i].ops.is_null() {
            self.entries[i] = Entry::new(code, inst);
        }
        let end = fp + self.entries[i].frame_size as usize;
        if self.frames.len() >= self.max_depth || end > self.slots.len() {
            return Err(TrapCode::StackOverflow);
        }
        self.frames.reserve(1);
        self.fast_depth = self.max_depth.min(self.frames.capacity());
        // SAFETY: `fp + frame_size <= slots.len()` was checked above, and `frames` has
        // room.
        unsafe { Ok(self.push(func, fp)) }
    }

    /// Pushes the frame of function `func`, whose entry exists, at `fp`: zeroes its
    /// locals, copies its constants. Returns its threaded code.
    ///
    /// # Safety
    /// `entries[func]` is set, `fp + its frame_size <= slots.len()`, and
    /// `frames.len() < frames.capacity()`.
    #[inline(always)]
    pub(crate) unsafe fn push(&mut self, func: u32, fp: usize) -> *const Op {
        // SAFETY: the caller guarantees the entry exists, the frame lies inside the
        // slot vector and `frames` has room; the verifier proved `locals_end +
        // consts.len() <= frame_size`, so every slot written is inside the frame.
        unsafe {
            let entry = self.entries.get_unchecked(func as usize);
            let p = self.slots.as_mut_ptr().add(fp + entry.num_params as usize);
            // Volatile writes keep this a plain loop: frames are small, and the libc
            // call the compiler would make of it costs more than they do.
            let (src, n) = (entry.init.as_ptr(), entry.init.len());
            let mut i = 0;
            while i < n {
                std::ptr::write_volatile(p.add(i), *src.add(i));
                i += 1;
            }
            let n = self.frames.len();
            self.frames.as_mut_ptr().add(n).write(Frame {
                func,
                pc: 0,
                fp,
                code: FrameCode {
                    ops: entry.ops,
                    inst: entry.inst,
                },
            });
            self.frames.set_len(n + 1);
            entry.ops
        }
    }

    /// Whether a call may push a frame without the checks of [`Stack::enter`] on the
    /// frame records (the slot range is still the caller's to check).
    #[inline(always)]
    pub(crate) fn has_fast_room(&self) -> bool {
        self.frames.len() < self.fast_depth
    }
}

/// Why [`run`] returned without an error.
#[derive(Debug)]
pub enum Outcome {
    /// The outermost frame returned; its results are in its first slots.
    Returned,
    /// Wasm called host function `func` (store index) with arguments at `slots[base..]`;
    /// the results go to the same place, then [`run`] resumes.
    HostCall { func: u32, base: usize },
}

/// Builds a trap error with the backtrace of `stack`, whose top frame is at `pc`.
fn trap(code: &CodePart, stack: &Stack, pc: usize, tc: TrapCode) -> Error {
    let mut bt = Vec::new();
    for (i, f) in stack.frames.iter().rev().enumerate() {
        let fpc = if i == 0 {
            pc
        } else {
            (f.pc as usize).saturating_sub(1)
        };
        if let Some(FuncEntity::Wasm(w)) = code.funcs.get(f.func as usize) {
            let offset = w
                .compiled
                .get()
                .and_then(|c| c.offsets.get(fpc).copied())
                .unwrap_or(0) as usize;
            let names = &w.module.syntax.names;
            let index = w.func_index();
            bt.push(FrameInfo {
                func_index: index,
                func_name: names.funcs.get(&index).cloned(),
                module_name: names.module.clone(),
                offset,
            });
        }
    }
    Error::Trap(Trap::with_backtrace(tc, bt))
}

/// Runs `stack` until its bottom frame returns, wasm calls a host function, or a trap.
/// On a trap the stack is left as it was at the trap (the caller resets it).
pub fn run(store: &mut StoreInner, stack: &mut Stack) -> Result<Outcome> {
    let StoreInner {
        code: code_part,
        data,
        ..
    } = store;
    let code_part: &CodePart = code_part;
    if stack.frames.is_empty() {
        return Ok(Outcome::Returned);
    }
    let mut pc = 0;
    match threaded::interpret(code_part, data, stack, &mut pc) {
        Ok(o) => Ok(o),
        Err(Stop::Trap(tc)) => {
            // The top frame resumes at the trapping instruction (for calls resumed
            // after running out of fuel, which re-executes the fuel check).
            if let Some(f) = stack.frames.last_mut() {
                f.pc = pc as u32;
            }
            Err(trap(code_part, stack, pc, tc))
        }
        Err(Stop::Error(e)) => Err(e),
    }
}

/// Why the interpreter loop stopped abnormally.
pub(crate) enum Stop {
    Trap(TrapCode),
    Error(Error),
}

impl From<TrapCode> for Stop {
    fn from(t: TrapCode) -> Stop {
        Stop::Trap(t)
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Error(e)
    }
}
