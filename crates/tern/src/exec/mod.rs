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

/// A call stack: value slots and frame records.
pub struct Stack {
    pub slots: Vec<u64>,
    pub frames: Vec<Frame>,
    max_depth: usize,
}

impl Stack {
    pub fn new(max_slots: usize, max_depth: usize) -> Stack {
        Stack {
            slots: vec![0; max_slots],
            frames: Vec::with_capacity(max_depth.min(1 << 16)),
            max_depth,
        }
    }

    /// Pushes the frame of a wasm function whose arguments are at `fp..`, preparing
    /// its locals and constants. Returns the function's threaded code.
    #[inline(always)]
    pub fn enter(
        &mut self,
        func: u32,
        code: &CompiledFunc,
        inst: u32,
        fp: usize,
    ) -> Result<*const Op, TrapCode> {
        let end = fp + code.frame_size as usize;
        if self.frames.len() >= self.max_depth || end > self.slots.len() {
            return Err(TrapCode::StackOverflow);
        }
        let np = code.num_params as usize;
        let le = code.locals_end as usize;
        // SAFETY: `fp + frame_size <= slots.len()` was checked above, and the verifier
        // proved `num_params <= locals_end` and `locals_end + consts.len() <=
        // frame_size`, so every write below is inside the slot vector. (Plain loops:
        // frames are small, and a libc call per wasm call costs more than they do.)
        unsafe {
            let p = self.slots.as_mut_ptr().add(fp);
            if le > np {
                std::ptr::write_bytes(p.add(np), 0, le - np);
            }
            for (i, &c) in code.consts.iter().enumerate() {
                *p.add(le + i) = c;
            }
        }
        let ops = threaded::ops_of(code).as_ptr();
        self.frames.push(Frame {
            func,
            pc: 0,
            fp,
            code: FrameCode { ops, inst },
        });
        Ok(ops)
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
