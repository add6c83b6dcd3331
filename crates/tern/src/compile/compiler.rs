//! The compiler's state and the primitives every instruction family builds on.
//!
//! [`Compiler`] holds the code emitted so far, the operand stack of [`Opd`]s (where
//! each wasm operand currently is: its home slot, a local, or a constant slot), the
//! control frames ([`Ctrl`]), the constant pool's index and the callees being inlined.
//! Its methods here are what the instruction families share: emitting instructions,
//! pushing, popping and materializing operands, the hooks by which a consumer fuses
//! with the instruction just emitted (its fresh result, the accumulator), and the
//! common shapes of unary and binary instructions.

use std::collections::HashMap;

use super::inline;
use super::isa::{Bin, Instr, Slot, Un, ACC};
use super::ModuleView;
use crate::error::{Error, Result};
use crate::syntax::Operator;

/// The most operands that may wait on the stack as lazy local or constant references;
/// past it the oldest are copied home.
const MAX_LAZY: usize = 64;

/// The first slot number (counting down) of the constants a second compilation keeps
/// out of the pool: operands that only exist until they become immediates.
pub(super) const ABSENT_TOP: usize = ACC as usize - 1;

/// A compile-time operand: where the value at a stack position currently is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Opd {
    /// In the position's home slot.
    Temp,
    /// Still in this local (not yet copied).
    Local(Slot),
    /// In a constant slot.
    Const(Slot),
}

/// What a control frame stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Block,
    Loop,
    If,
}

/// A control frame: a block, loop or `if` being compiled (the function's body is the
/// outermost block).
pub(super) struct Ctrl {
    pub(super) kind: Kind,
    /// Operand-stack height below the block's parameters.
    pub(super) height: usize,
    pub(super) params: usize,
    pub(super) results: usize,
    /// Code after an unconditional branch until the block's end is dead.
    pub(super) unreachable: bool,
    /// The block was entered in dead code: emit nothing for it.
    pub(super) dead: bool,
    /// For loops: the index of the first instruction.
    pub(super) start: usize,
    /// Forward branches to this block's end, to patch.
    pub(super) fixups: Vec<usize>,
    /// For `if`: the branch to the else arm, to patch.
    pub(super) else_fixup: Option<usize>,
    /// For `if` with parameters: where the parameters were saved for the else arm.
    pub(super) saved_params: Option<Slot>,
}

/// A callee whose body is being compiled into its caller.
pub(super) struct Inlined {
    /// Where each parameter's value is: its argument's operand (a temporary's as the
    /// `Local` of its home slot, which stays reserved while the body runs).
    pub(super) params: Vec<Opd>,
    /// The slot of its first declared local.
    pub(super) locals: usize,
    /// The index in `ctrls` of the block standing for its body (absent for a body
    /// without control instructions, compiled without one).
    pub(super) ctrl: Option<usize>,
}

/// The state of one function's compilation (one pass over its operators).
pub(super) struct Compiler<'m> {
    pub(super) module: &'m ModuleView<'m>,
    pub(super) code: Vec<Instr>,
    pub(super) offsets: Vec<u32>,
    pub(super) stack: Vec<Opd>,
    pub(super) ctrls: Vec<Ctrl>,
    /// Home slot of stack position 0.
    pub(super) temps: usize,
    /// Every stack position below this is a `Temp` (clamped to the stack's length).
    pub(super) homed: usize,
    pub(super) max_depth: usize,
    pub(super) consts_base: usize,
    pub(super) const_index: HashMap<u64, usize>,
    /// Constants left out of the pool (a second compilation): value to `i`, the
    /// constant's absent slot being `ABSENT_TOP - i`.
    pub(super) absent_index: HashMap<u64, usize>,
    /// Vector constants: value to index of its first slot after `consts_base`.
    pub(super) wide_index: HashMap<u128, usize>,
    /// The first slot of each local and whether it is a v128, when some local is a
    /// v128 (otherwise local `l` is slot `l`).
    pub(super) local_slots: Option<Vec<(Slot, bool)>>,
    /// Offsets of the `drop`s and untyped `select`s of the module that act on a v128.
    pub(super) v128_operands: &'m [u32],
    pub(super) scratch_next: usize,
    /// Which callees are inlined (see `inline`).
    pub(super) inliner: inline::Inliner<'m>,
    /// The callees being inlined, innermost last.
    pub(super) inlines: Vec<Inlined>,
    /// The first free slot for the locals of inlined callees, and the first of all.
    pub(super) inline_next: usize,
    pub(super) inline_base: usize,
    /// The last instruction, if it wrote a fresh result to a home slot: (index, slot).
    pub(super) last_dst: Option<(usize, Slot)>,
    /// What `last_dst` was before the last instruction was emitted (for a fusion that
    /// removes that instruction again).
    pub(super) prev_dst: Option<(usize, Slot)>,
    /// Byte offset of the operator being compiled.
    pub(super) offset: usize,
    /// Fuel metering: whether to emit it, the last `ConsumeFuel`, and the number of
    /// operators compiled since.
    pub(super) fuel: bool,
    /// Whether to emit epoch checks (at the same points as fuel).
    pub(super) epoch: bool,
    /// Whether to canonicalize NaN results (deterministic mode).
    pub(super) deterministic: bool,
    pub(super) fuel_at: Option<usize>,
    pub(super) fuel_count: u32,
    /// Where the last label was bound (a position some branch may land on).
    pub(super) label_at: usize,
    /// For each declared local (by slot, from `params_end`): whether no instruction
    /// compiled so far writes it. Outside loops every path to the current point runs
    /// only instructions compiled before it, so such a local still holds the zero it
    /// was given on entry.
    pub(super) zero_locals: Vec<bool>,
    /// The number of open loops.
    pub(super) loops: usize,
    pub(super) params_end: usize,
    /// The constant slot holding zero, if the body has that constant.
    pub(super) zero_const: Option<Slot>,
}

impl Compiler<'_> {
    pub(super) fn emit(&mut self, i: Instr) -> usize {
        self.emit_at(i, self.offset as u32)
    }

    /// Emits an instruction that reports wasm byte offset `offset` (for its traps).
    pub(super) fn emit_at(&mut self, i: Instr, offset: u32) -> usize {
        self.code.push(i);
        self.offsets.push(offset);
        self.prev_dst = self.last_dst.take();
        self.code.len() - 1
    }

    /// Emits `dst = src`, merged with a copy emitted just before (and no label between)
    /// into one `Copy2`.
    pub(super) fn emit_copy(&mut self, dst: Slot, src: Slot) {
        if self.label_at != self.code.len() {
            if let Some(last) = self.code.last_mut() {
                let Instr::Copy(first) = *last else {
                    self.emit(Instr::Copy(Un { dst, src }));
                    return;
                };
                *last = Instr::Copy2 {
                    dst: first.dst,
                    src: first.src,
                    dst2: dst,
                    src2: src,
                };
                self.last_dst = None;
                return;
            }
        }
        self.emit(Instr::Copy(Un { dst, src }));
    }

    /// Emits an instruction that writes a fresh result to `dst`.
    pub(super) fn emit_def(&mut self, i: Instr, dst: Slot) {
        let at = self.emit(i);
        self.last_dst = Some((at, dst));
    }

    pub(super) fn home(&self, pos: usize) -> Slot {
        (self.temps + pos) as Slot
    }

    pub(super) fn slot_of(&self, pos: usize) -> Slot {
        match self.stack[pos] {
            Opd::Temp => self.home(pos),
            Opd::Local(l) => l,
            Opd::Const(s) => s,
        }
    }

    pub(super) fn const_slot(&self, bits: u64) -> Slot {
        // The pre-scan saw every constant of the body.
        if let Some(&i) = self.absent_index.get(&bits) {
            return (ABSENT_TOP - i) as Slot;
        }
        let i = self.const_index.get(&bits).copied().unwrap_or(0);
        (self.consts_base + i) as Slot
    }

    pub(super) fn push(&mut self, o: Opd) -> usize {
        // Positions at or above the stack's length may have been popped since they
        // were homed: the new entry is only known to be home if it is a temp.
        self.homed = self.homed.min(self.stack.len());
        self.stack.push(o);
        let d = self.stack.len();
        if d > self.max_depth {
            self.max_depth = d;
        }
        // Bound the lazy operands, so that scanning them stays constant-time.
        if o != Opd::Temp && d - self.homed > MAX_LAZY {
            let from = self.homed;
            self.materialize_from(from);
        }
        d - 1
    }

    /// Pushes a fresh temp and returns its home slot.
    pub(super) fn push_temp(&mut self) -> Slot {
        let p = self.push(Opd::Temp);
        self.home(p)
    }

    /// Pops an operand, returning the slot it can be read from.
    pub(super) fn pop(&mut self) -> Slot {
        let pos = self.stack.len() - 1;
        let s = self.slot_of(pos);
        self.stack.pop();
        s
    }

    /// Moves the operand at `pos` to its home slot.
    pub(super) fn materialize(&mut self, pos: usize) {
        if self.stack[pos] != Opd::Temp {
            let src = self.slot_of(pos);
            let dst = self.home(pos);
            self.emit_copy(dst, src);
            self.stack[pos] = Opd::Temp;
        }
    }

    /// Moves every operand from position `from` up to its home slot.
    pub(super) fn materialize_from(&mut self, from: usize) {
        let homed = self.homed.min(self.stack.len());
        for p in from.max(homed)..self.stack.len() {
            self.materialize(p);
        }
        if from <= homed {
            self.homed = self.stack.len();
        }
    }

    /// Materializes the top `n` operands and returns the home slot of the first.
    pub(super) fn args(&mut self, n: usize) -> Slot {
        let from = self.stack.len() - n;
        self.materialize_from(from);
        self.home(from)
    }

    /// Materializes the top `n` operands, pops them and returns the first one's slot.
    pub(super) fn pop_args(&mut self, n: usize) -> Slot {
        let args = self.args(n);
        self.stack.truncate(self.stack.len() - n);
        args
    }

    /// The index of the instruction just emitted if the operand at `pos` is its fresh
    /// result (a temporary it wrote, with no label in between).
    pub(super) fn fresh_result(&self, pos: usize) -> Option<usize> {
        if self.stack[pos] != Opd::Temp {
            return None;
        }
        let (at, dst) = self.last_dst?;
        (at + 1 == self.code.len() && dst == self.home(pos)).then_some(at)
    }

    /// Removes the instruction just emitted (which a fused instruction replaces).
    pub(super) fn drop_last(&mut self) {
        self.code.pop();
        self.offsets.pop();
        self.last_dst = None;
        self.prev_dst = None;
    }

    /// If the operand at `pos` is the fresh result of the instruction just emitted, and
    /// that instruction can leave its result in the accumulator, redirects the result
    /// there and returns [`ACC`]. The caller pops the operand and emits its consumer
    /// next (instructions that do not write the accumulator may come between).
    fn take_acc(&mut self, pos: usize) -> Option<Slot> {
        let at = self.fresh_result(pos)?;
        if !writes_acc(&self.code[at]) {
            return None;
        }
        set_dst(&mut self.code[at], ACC);
        self.last_dst = None;
        Some(ACC)
    }

    /// Pops an operand for an instruction that can read it from the accumulator.
    pub(super) fn pop_acc(&mut self) -> Slot {
        match self.take_acc(self.stack.len() - 1) {
            Some(acc) => {
                self.stack.pop();
                acc
            }
            None => self.pop(),
        }
    }

    /// Pops an operand for an instruction that can read it from the accumulator, also
    /// when the instruction just emitted is a load into another slot (as `select`'s
    /// condition often is: `local.tee` of a load): the operand's producer, emitted
    /// just before that load, then leaves it in the accumulator, which the load does
    /// not touch. That keeps a loop-carried value out of the frame between the two.
    pub(super) fn pop_acc_past_load(&mut self) -> Slot {
        let pos = self.stack.len() - 1;
        let len = self.code.len();
        let home = self.home(pos);
        // With no label after it, the last writer of the temporary's home is its
        // producer; the load writes and reads other slots.
        let past_load = len >= 2
            && self.stack[pos] == Opd::Temp
            && ![len - 1, len].contains(&self.label_at)
            && writes_acc(&self.code[len - 2])
            && { self.code[len - 2] }.dst_mut().copied() == Some(home)
            && is_load_to_slot(&self.code[len - 1], home);
        if !past_load {
            return self.pop_acc();
        }
        set_dst(&mut self.code[len - 2], ACC);
        self.prev_dst = None;
        self.stack.pop();
        ACC
    }

    pub(super) fn is_dead(&self) -> bool {
        self.ctrls.last().is_some_and(|c| c.unreachable || c.dead)
    }

    pub(super) fn set_unreachable(&mut self) {
        if let Some(c) = self.ctrls.last_mut() {
            c.unreachable = true;
            let h = c.height;
            self.stack.truncate(h);
        }
    }

    /// A unary instruction with no handler reading the accumulator.
    pub(super) fn unary_from_slot(&mut self, f: impl FnOnce(Un) -> Instr) {
        let src = self.pop();
        let dst = self.push_temp();
        self.emit_def(f(Un { dst, src }), dst);
    }

    /// A numeric unary instruction (its operand may come from the accumulator).
    pub(super) fn unary(&mut self, f: impl FnOnce(Un) -> Instr) {
        let src = self.pop_acc();
        let dst = self.push_temp();
        self.emit_def(f(Un { dst, src }), dst);
    }

    /// A numeric binary instruction (one operand may come from the accumulator).
    pub(super) fn binary(&mut self, f: impl FnOnce(Bin) -> Instr) {
        let b = self.pop_acc();
        // At most one operand comes from the accumulator.
        let a = if b == ACC { self.pop() } else { self.pop_acc() };
        let dst = self.push_temp();
        self.emit_def(f(Bin { dst, a, b }), dst);
    }

    /// Whether memory `mem` is 64-bit (its addresses are `i64`).
    pub(super) fn mem64(&self, mem: u32) -> bool {
        self.module
            .mem64
            .get(mem as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether table `table` is 64-bit (its indices are `i64`).
    pub(super) fn table64(&self, table: u32) -> bool {
        self.module
            .table64
            .get(table as usize)
            .copied()
            .unwrap_or(false)
    }
}

/// Index `i` as the `u16` by which instructions name tables and memories.
pub(super) fn small(i: u32) -> Result<u16> {
    u16::try_from(i).map_err(|_| Error::unsupported(0, format!("index {i} above 65535")))
}

/// The error for an operator that the dispatcher (`instr`) handed to a family that
/// does not compile it.
pub(super) fn misrouted(op: &Operator) -> Error {
    Error::api(format!(
        "internal compiler error: {op:?} sent to the wrong family"
    ))
}

/// Whether instruction `i` has handlers that leave its result in the accumulator:
/// numeric instructions, `select`, `global.get` and loads from memory 0.
fn writes_acc(i: &Instr) -> bool {
    macro_rules! numeric_acc {
        ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
            matches!(
                i,
                $( Instr::$name(_) )|*
                | Instr::Select { .. }
                | Instr::GlobalGet { .. }
            )
        };
    }
    let mut i = *i;
    crate::for_each_numeric_op!(numeric_acc)
        || i.load_mut().is_some()
        || i.load_sum_mut().is_some()
        || i.load_operand_mut().is_some()
        || i.load_sum_operand_mut().is_some()
        || matches!(i, Instr::MulAdd(_))
}

/// Whether `i` is a plain load into a frame slot, reading neither the accumulator nor
/// slot `other`: it leaves the accumulator, and `other`, as it found them.
fn is_load_to_slot(i: &Instr, other: Slot) -> bool {
    let mut i = *i;
    let slots = match i.load_mut() {
        Some(l) => [l.dst, l.addr, l.addr],
        None => match i.load_sum_mut() {
            Some(l) => [l.dst, l.a, l.b],
            None => return false,
        },
    };
    !slots.contains(&ACC) && !slots.contains(&other)
}

/// Redirects the result of a value-producing instruction to slot `dst`.
/// Returns `false` (and changes nothing) for an instruction it does not know.
pub(super) fn set_dst(i: &mut Instr, dst: Slot) -> bool {
    match i.dst_mut() {
        Some(d) => {
            *d = dst;
            true
        }
        None => false,
    }
}
