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

use crate::compile::isa::{CompiledFunc, NativeCallee, Op, INIT_CHUNK};
use crate::error::{Error, FrameInfo, Result, Trap, TrapCode};
use crate::runtime::store::{CodePart, FuncEntity, StoreInner};

/// A frame record: which function, where it resumes, where its slots start.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Store index of the function.
    pub func: u32,
    /// The instance the function belongs to (follows from `func`, cached).
    pub(crate) inst: u32,
    /// The frame's first slot, in [`Stack::slots`] (whose buffer never moves: the
    /// vector is never resized); [`Stack::fp`] gives its index.
    pub(crate) sp: FrameSlots,
    /// Derived from `func`, kept so that returning to the frame looks nothing up;
    /// and where it resumes.
    pub(crate) code: FrameCode,
}

impl Frame {
    /// The instruction the frame resumes at (for callers: the one after the call).
    pub fn pc(&self) -> usize {
        // SAFETY: `resume` is set only to instructions of the code at `ops`.
        unsafe { self.code.resume.offset_from(self.code.ops) as usize }
    }

    /// Makes the frame resume at instruction `pc` of its code, which has at least
    /// `pc + 1` instructions.
    pub(crate) fn set_pc(&mut self, pc: usize) {
        self.code.resume = self.code.ops.wrapping_add(pc);
    }
}

/// Where a frame's slots start: a pointer into its stack's slot buffer, so that calls
/// and returns find a frame's slots without indexing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FrameSlots(pub *mut u64);

// SAFETY: the pointer is into the slot buffer of the stack that holds the frame, and is
// only dereferenced by the interpreter through that stack (moving a stack between
// threads moves the buffer's owner with it).
unsafe impl Send for FrameSlots {}
// SAFETY: as above; shared references never write through it.
unsafe impl Sync for FrameSlots {}

/// A frame's threaded code, cached (it follows from the function), and the
/// instruction it resumes at, kept as a pointer so that calls and returns compute
/// nothing.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FrameCode {
    pub ops: *const Op,
    pub resume: *const Op,
}

// SAFETY: `ops` and `resume` point into a function's threaded code, which is immutable
// once built and owned (through `Arc`s) by the store whose stack holds the frame;
// frames are cleared when a call ends, so the pointers are never used past the code's
// life.
unsafe impl Send for FrameCode {}
// SAFETY: as above; the pointee is never written.
unsafe impl Sync for FrameCode {}

/// The unit in which a frame's locals and constants are copied in on entry.
pub(crate) type Chunk = [u64; CHUNK];
const CHUNK: usize = INIT_CHUNK;

/// Copies one chunk from `src` (aligned) to `dst` (any alignment): two 16-byte moves
/// on x86-64.
///
/// # Safety
/// `src` is valid for reads and `dst` for writes of a whole chunk; they do not overlap.
#[inline(always)]
unsafe fn copy_chunk(src: *const Chunk, dst: *mut Chunk) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of x86-64; the caller guarantees both 32-byte ranges.
    unsafe {
        use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_storeu_si128};
        let (s, d) = (src as *const __m128i, dst as *mut __m128i);
        let (a, b) = (_mm_loadu_si128(s), _mm_loadu_si128(s.add(1)));
        _mm_storeu_si128(d, a);
        _mm_storeu_si128(d.add(1), b);
    }
    #[cfg(not(target_arch = "x86_64"))]
    // SAFETY: as above; the volatile read keeps the caller's loop a loop (the libc
    // call the compiler would make of it costs more on small frames).
    unsafe {
        dst.write_unaligned(std::ptr::read_volatile(src))
    }
}

/// A call stack: value slots, frame records, and what calls need to enter each
/// function.
pub struct Stack {
    /// The value slots: allocated once, never resized (frame records point into it).
    pub slots: Vec<u64>,
    /// The address one past the last slot.
    slots_end: usize,
    pub frames: Vec<Frame>,
    max_depth: usize,
    /// Calls may push a frame without growing `frames` while its length is below this
    /// (the smaller of `max_depth` and the vector's capacity).
    fast_depth: usize,
    /// Per store function index: how to enter it, once it has been entered.
    entries: Vec<Entry>,
    /// Per store function index: how native code calls it (set with its entry).
    callees: Vec<NativeCallee>,
}

/// The instance of an unset [`Entry`]: no store holds this many instances (an instance
/// takes far more than one byte of memory).
pub(crate) const NO_INSTANCE: u32 = u32::MAX;

/// What entering a compiled wasm function takes, cached per store function so that a
/// call reads one record. `ops` points into the function's [`CompiledFunc`], which the
/// store owns (behind an `Arc`, never replaced) for as long as the store lives; a
/// stack is only ever used with the store that created it.
#[derive(Debug)]
pub(crate) struct Entry {
    /// The threaded code; null while the function has not been entered.
    pub ops: *const Op,
    /// The values of slots `num_params..` on entry: zeroes for the declared locals,
    /// then the constants, then zeroes up to a whole number of [`Chunk`]s (copied
    /// into the first temporaries, which hold nothing yet).
    pub init: Box<[Chunk]>,
    pub num_params: u32,
    /// The slots the frame takes: the function's own frame size, or more if the
    /// padded `init` reaches further.
    pub frame_size: u32,
    /// The instance the function belongs to; [`NO_INSTANCE`] while the entry is not
    /// set, so that the fast call path's instance check also rejects unset entries.
    pub inst: u32,
    /// The engine-wide id of its type (for `call_indirect`'s check).
    pub type_id: u32,
}

// SAFETY: `ops` refers to immutable compiled code owned by the store that owns the
// stack (see `Entry`); it is never written through.
unsafe impl Send for Entry {}
// SAFETY: as above.
unsafe impl Sync for Entry {}

impl Entry {
    /// Writes the initial values of slots `num_params..` of a frame starting at `sp`.
    ///
    /// # Safety
    /// `sp` is valid for writes of `frame_size` slots.
    #[inline(always)]
    pub(crate) unsafe fn init_frame(&self, sp: *mut u64) {
        // SAFETY: the caller's guarantee.
        unsafe {
            if self.init_head(sp) {
                self.init_tail(sp);
            }
        }
    }

    /// The first two chunks of [`init_frame`](Self::init_frame) (all of most frames:
    /// those without a loop); returns whether more follow, for
    /// [`init_tail`](Self::init_tail).
    ///
    /// # Safety
    /// As for `init_frame`.
    #[inline(always)]
    pub(crate) unsafe fn init_head(&self, sp: *mut u64) -> bool {
        // SAFETY: `new` made `frame_size` cover `num_params + init.len() * CHUNK`
        // slots, which the caller guarantees are writable.
        unsafe {
            let p = sp.add(self.num_params as usize) as *mut Chunk;
            let (src, n) = (self.init.as_ptr(), self.init.len());
            if n == 0 {
                return false;
            }
            copy_chunk(src, p);
            if n == 1 {
                return false;
            }
            copy_chunk(src.add(1), p.add(1));
            n > 2
        }
    }

    /// The chunks of [`init_frame`](Self::init_frame) after the first two.
    ///
    /// # Safety
    /// As for `init_frame`.
    #[inline(always)]
    pub(crate) unsafe fn init_tail(&self, sp: *mut u64) {
        // SAFETY: as in `init_head`.
        unsafe {
            let p = sp.add(self.num_params as usize) as *mut Chunk;
            // Whole chunks, one by one: frames are small, and the libc call the
            // compiler could make of a copy of unknown length costs more.
            let (src, n) = (self.init.as_ptr(), self.init.len());
            let mut i = 2;
            while i < n {
                copy_chunk(src.add(i), p.add(i));
                i += 1;
            }
        }
    }

    fn none() -> Entry {
        Entry {
            ops: std::ptr::null(),
            init: Box::default(),
            num_params: 0,
            frame_size: u32::MAX,
            inst: NO_INSTANCE,
            type_id: u32::MAX,
        }
    }

    fn new(code: &CompiledFunc, inst: u32, type_id: u32) -> Entry {
        let locals = (code.locals_end - code.num_params) as usize;
        let mut words = vec![0; locals];
        words.extend_from_slice(&code.consts);
        let init: Box<[Chunk]> = words
            .chunks(CHUNK)
            .map(|c| {
                let mut chunk = [0; CHUNK];
                chunk[..c.len()].copy_from_slice(c);
                chunk
            })
            .collect();
        debug_assert_eq!(
            code.stack_frame_size(),
            code.frame_size
                .max((code.num_params as usize + init.len() * CHUNK) as u32)
        );
        Entry {
            ops: threaded::ops_of(code).as_ptr(),
            init,
            num_params: code.num_params,
            frame_size: code.stack_frame_size(),
            inst,
            type_id,
        }
    }
}

impl Stack {
    pub fn new(max_slots: usize, max_depth: usize) -> Stack {
        let frames = Vec::with_capacity(max_depth.min(1 << 16));
        let mut slots = vec![0; max_slots];
        Stack {
            slots_end: slots.as_mut_ptr_range().end as usize,
            slots,
            fast_depth: max_depth.min(frames.capacity()),
            frames,
            max_depth,
            entries: Vec::new(),
            callees: Vec::new(),
        }
    }

    /// Pushes the frame of a wasm function whose arguments are at `fp..`, preparing
    /// its locals and constants, and caches how to enter it. Returns the function's
    /// threaded code.
    pub fn enter(
        &mut self,
        func: u32,
        code: &CompiledFunc,
        inst: u32,
        type_id: u32,
        fp: usize,
    ) -> Result<*const Op, TrapCode> {
        let i = func as usize;
        if self.entries.len() <= i {
            self.entries.resize_with(i + 1, Entry::none);
        }
        if self.entries[i].ops.is_null() {
            self.entries[i] = Entry::new(code, inst, type_id);
            self.cover(i + 1);
            self.callees[i] = NativeCallee {
                func: code.native().map(|n| n.func),
                frame_size: self.entries[i].frame_size,
                type_id,
                inst,
            };
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

    /// The index in `slots` of frame `f`'s first slot.
    pub fn fp(&self, f: &Frame) -> usize {
        (f.sp.0 as usize - self.slots.as_ptr() as usize) / std::mem::size_of::<u64>()
    }

    /// The index in `slots` of the top frame's first slot (0 with no frame).
    pub(crate) fn top_fp(&self) -> usize {
        self.frames.last().map_or(0, |f| self.fp(f))
    }

    /// The address one past the last slot.
    #[inline(always)]
    pub(crate) fn slots_end(&self) -> usize {
        self.slots_end
    }

    /// The entries' elements, for reading while nothing changes them.
    #[inline(always)]
    pub(crate) fn entries_ptr(&self) -> *const Entry {
        self.entries.as_ptr()
    }

    /// Makes room for an entry per store function (`n` of them), so that a call
    /// through a store function index needs no bounds check.
    pub(crate) fn cover(&mut self, n: usize) {
        if self.entries.len() < n {
            self.entries.resize_with(n, Entry::none);
        }
        if self.callees.len() < n {
            self.callees.resize(n, NativeCallee::NONE);
        }
    }

    /// The native callees' elements (see `NativeCtx::callees`), for reading while
    /// nothing changes them.
    pub(crate) fn callees_ptr(&self) -> *const NativeCallee {
        self.callees.as_ptr()
    }

    /// Records that store function `func`, entered before, now has native code `f`
    /// (tier-up made it after its entry was set).
    pub(crate) fn set_native(&mut self, func: u32, f: crate::compile::isa::NativeFn) {
        if let Some(c) = self.callees.get_mut(func as usize) {
            if c.inst != NO_INSTANCE {
                c.func = Some(f);
            }
        }
    }

    /// How many more frames the stack takes.
    pub(crate) fn depth_left(&self) -> usize {
        self.max_depth.saturating_sub(self.frames.len())
    }

    /// Pushes the frame native code made for function `func` (store index, entered
    /// before, of instance `inst`) with its slots at `sp` holding `slots` (the
    /// frame's, as native code left them), standing at instruction `pc` of its code
    /// (`len` instructions). `false` (and nothing pushed) if the function was never
    /// entered, `pc` is outside its code, or the frame lies outside the slots.
    pub(crate) fn push_native(
        &mut self,
        func: u32,
        inst: u32,
        sp: *mut u64,
        pc: usize,
        len: usize,
        slots: &[u64],
    ) -> bool {
        let Some(entry) = self.entries.get(func as usize) else {
            return false;
        };
        let start = self.slots.as_ptr() as usize;
        let at = sp as usize;
        let end = at.wrapping_add(std::mem::size_of_val(slots));
        if entry.ops.is_null()
            || pc >= len
            || slots.len() != entry.frame_size as usize
            || at < start
            || end > self.slots_end
            || end < at
            || !(at - start).is_multiple_of(std::mem::size_of::<u64>())
        {
            return false;
        }
        let ops = entry.ops;
        let fp = (at - start) / std::mem::size_of::<u64>();
        self.slots[fp..fp + slots.len()].copy_from_slice(slots);
        self.frames.push(Frame {
            func,
            sp: FrameSlots(sp),
            code: FrameCode {
                ops,
                resume: ops.wrapping_add(pc),
            },
            inst,
        });
        self.fast_depth = self.max_depth.min(self.frames.capacity());
        true
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
        // slot vector and `frames` has room; `Entry::new` made `frame_size` cover
        // `num_params + init.len() * CHUNK` slots, so every slot written is inside the
        // frame.
        unsafe {
            let entry = self.entries.get_unchecked(func as usize);
            let sp = self.slots.as_mut_ptr().add(fp);
            entry.init_frame(sp);
            let n = self.frames.len();
            self.frames.as_mut_ptr().add(n).write(Frame {
                func,
                sp: FrameSlots(sp),
                code: FrameCode {
                    ops: entry.ops,
                    resume: entry.ops,
                },
                inst: entry.inst,
            });
            self.frames.set_len(n + 1);
            entry.ops
        }
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
        let fpc = if i == 0 { pc } else { f.pc().saturating_sub(1) };
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
                f.set_pc(pc);
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
