//! The compiler: translates one validated function body into register-style internal
//! code ([`isa`]) in a single pass over its operators.
//!
//! Each wasm operand-stack position `p` has a fixed home slot (`temps + p`); a `v128`
//! takes two positions, its halves (see `simd.rs`), so arities are counted in slots. Operands
//! are tracked lazily: a `local.get` or a constant pushes a reference to the local's
//! or the constant's slot and emits nothing; an instruction reads its operands from
//! wherever they are and writes its result to the home slot of the position it
//! produces. Values are moved to home slots only where control flow merges (block
//! boundaries and branches) or where an instruction needs them contiguous (calls).
//! Compare-and-branch pairs fuse, and `local.set` of a fresh result retargets the
//! producing instruction instead of copying. A call to a small function that cannot
//! trap (see `inline`) is compiled as the callee's body, its parameters bound to the
//! argument operands and its locals in slots reserved after the `if` scratch slots.
//!
//! Once compiled, the code is laid out (jump threading and tail duplication, see
//! `layout`), constant operands of the commonest i32 instructions become immediates
//! (see `imm`), and loop-carried copies fold into the instruction that computed their
//! source (see `coalesce`); when the immediates leave constants no instruction reads
//! from a slot, the function is compiled a second time without them in its constant
//! pool (which every call copies into the new frame).
//!
//! The compiler trusts that the body was validated; it reads the module's syntax and
//! never touches the store.

mod coalesce;
mod imm;
mod inline;
pub mod isa;
mod layout;
mod simd;
mod verify;
mod view;

pub use view::{ModuleView, Options};

use std::collections::{HashMap, HashSet};

use crate::binary::OperatorReader;
use crate::error::{Error, Result};
use crate::syntax::{BlockType, LoadOp, NumericOp, Operator, StoreOp, ValType};
use isa::{
    slot_width, slots_of, Bin, BinLd, BinLdX, BrCmp, CompiledFunc, Cond, Instr, Ld, LdBinOp, LdX,
    MulAdd, MulAddOp, Rmw, RmwOp, Slot, St, StX, Un, ACC, INIT_CHUNK, MAX_FRAME_SLOTS,
};

/// The most operands that may wait on the stack as lazy local or constant references;
/// past it the oldest are copied home.
const MAX_LAZY: usize = 64;

/// A compile-time operand: where the value at a stack position currently is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opd {
    /// In the position's home slot.
    Temp,
    /// Still in this local (not yet copied).
    Local(Slot),
    /// In a constant slot.
    Const(Slot),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Block,
    Loop,
    If,
}

struct Ctrl {
    kind: Kind,
    /// Operand-stack height below the block's parameters.
    height: usize,
    params: usize,
    results: usize,
    /// Code after an unconditional branch until the block's end is dead.
    unreachable: bool,
    /// The block was entered in dead code: emit nothing for it.
    dead: bool,
    /// For loops: the index of the first instruction.
    start: usize,
    /// Forward branches to this block's end, to patch.
    fixups: Vec<usize>,
    /// For `if`: the branch to the else arm, to patch.
    else_fixup: Option<usize>,
    /// For `if` with parameters: where the parameters were saved for the else arm.
    saved_params: Option<Slot>,
}

/// Whether leaving `unused` constants out of `f`'s pool would shrink what a call copies
/// into the new frame by at least one [`INIT_CHUNK`].
fn fewer_chunks(f: &CompiledFunc, unused: usize) -> bool {
    let init = (f.locals_end - f.num_params) as usize + f.consts.len();
    unused > 0 && (init - unused).div_ceil(INIT_CHUNK) < init.div_ceil(INIT_CHUNK)
}

/// The first slot number (counting down) of the constants a second compilation keeps
/// out of the pool: operands that only exist until they become immediates.
const ABSENT_TOP: usize = ACC as usize - 1;

/// Compiles defined function `def_index` of `module`.
pub fn compile(module: &ModuleView, def_index: u32) -> Result<CompiledFunc> {
    let first = compile_pass(module, def_index, None)?;
    let f = match first {
        Pass::Done(f, read, unused) if fewer_chunks(&f, unused) => {
            // Again, with only the constants still read from slots in the pool. Any
            // outcome but a function whose every operand became an immediate or a pool
            // slot keeps the first.
            match compile_pass(module, def_index, Some(&read)) {
                Ok(Pass::Done(g, ..)) => g,
                _ => f,
            }
        }
        Pass::Done(f, ..) => f,
        Pass::Unfit => return Err(Error::api("internal compiler error: no first pass")),
    };
    if std::env::var_os("TERN_DUMP_CODE").is_some() {
        // A developer aid: the internal code of each function as it is compiled.
        eprintln!(
            "func {} (frame {} slots, consts {:?}):",
            module.syntax.num_imported_funcs + def_index,
            f.frame_size,
            f.consts
        );
        for (pc, i) in f.code.iter().enumerate() {
            eprintln!("  {pc:4}: {i:?}");
        }
    }
    Ok(f)
}

/// What one compilation gave.
enum Pass {
    /// The function, the scalar constants its instructions still read from slots, and
    /// how many of its pool's scalar constants no instruction reads from a slot.
    Done(CompiledFunc, HashSet<u64>, usize),
    /// A second compilation that left some constant neither in the pool nor folded.
    Unfit,
}

/// Compiles the function once; with `pool`, only those constants get pool slots (the
/// others are given absent slots, which must all become immediates).
fn compile_pass(module: &ModuleView, def_index: u32, pool: Option<&HashSet<u64>>) -> Result<Pass> {
    let m = &module.syntax;
    let body = m
        .code
        .get(def_index as usize)
        .ok_or_else(|| Error::api(format!("no body for function {def_index}")))?;
    let ty = module.def_func_type(def_index);
    let num_params = slots_of(&ty.params) as u64;
    let wide_locals = body.locals.iter().any(|&(_, t)| t == ValType::V128);
    let declared: u64 = body
        .locals
        .iter()
        .map(|&(n, t)| n as u64 * slot_width(t) as u64)
        .sum();
    let locals_end = num_params + declared;
    let too_large = || {
        Error::unsupported(
            body.code.start,
            format!("function {def_index} needs more than {MAX_FRAME_SLOTS} value slots"),
        )
    };
    if locals_end > MAX_FRAME_SLOTS as u64 {
        return Err(too_large());
    }
    // Where each local lives, when some local is a v128 (two slots); else local `l` is
    // slot `l`.
    let local_slots = (wide_locals || num_params != ty.params.len() as u64).then(|| {
        let mut v = Vec::new();
        let mut next: Slot = 0;
        let declared = body
            .locals
            .iter()
            .flat_map(|&(n, t)| std::iter::repeat_n(t, n as usize));
        for t in ty.params.iter().copied().chain(declared) {
            v.push((next, t == ValType::V128));
            next += slot_width(t) as Slot;
        }
        v
    });

    // Pre-scan: the constant pool and the scratch slots of `if`s with parameters.
    let mut consts: Vec<u64> = Vec::new();
    let mut const_vals: Vec<u64> = Vec::new();
    let mut const_index: HashMap<u64, usize> = HashMap::new();
    let mut scratch = 0usize;
    let mut wide_consts: Vec<u128> = Vec::new();
    let mut inliner = inline::Inliner::new(module);
    let mut inline_slots = 0;
    let mut absent_index: HashMap<u64, usize> = HashMap::new();
    let mut add_const = |bits: u64| {
        if pool.is_some_and(|p| !p.contains(&bits)) {
            let n = absent_index.len();
            absent_index.entry(bits).or_insert(n);
            return;
        }
        const_index.entry(bits).or_insert_with(|| {
            const_vals.push(bits);
            const_vals.len() - 1
        });
    };
    let mut reader = OperatorReader::new(module.bytes, body.code.clone());
    while !reader.is_empty() {
        let bits = match reader.read()? {
            Operator::Call(f) => {
                if let Some(callee) = inliner.get(f) {
                    inline_slots = inline_slots.max(callee.slots);
                    callee.consts.iter().for_each(|&v| add_const(v));
                }
                continue;
            }
            Operator::V128Const(b) | Operator::I8x16Shuffle(b) => {
                wide_consts.push(u128::from_le_bytes(b));
                continue;
            }
            Operator::V128Load(_, ma)
            | Operator::V128Store(ma)
            | Operator::V128LoadLane { memarg: ma, .. }
            | Operator::V128StoreLane { memarg: ma, .. }
                if module.mem64.get(ma.memory as usize) == Some(&true) =>
            {
                ma.offset
            }
            Operator::I32Const(v) => v as u32 as u64,
            Operator::I64Const(v) => v as u64,
            Operator::F32Const(v) => v as u64,
            Operator::F64Const(v) => v,
            Operator::RefNull(_) => 0,
            Operator::Load(_, ma) | Operator::Store(_, ma)
                if module.mem64.get(ma.memory as usize) == Some(&true) =>
            {
                ma.offset
            }
            Operator::If(bt) => {
                scratch += block_arity(module, bt).0;
                continue;
            }
            _ => continue,
        };
        add_const(bits);
    }
    // Vector constants (and shuffle masks) take two slots each, after the others.
    wide_consts.sort_unstable();
    wide_consts.dedup();
    let wide_index: HashMap<u128, usize> = wide_consts
        .iter()
        .enumerate()
        .map(|(i, &v)| (v, const_vals.len() + 2 * i))
        .collect();
    let scratch_base = locals_end as usize;
    let inline_base = scratch_base + scratch;
    let consts_base = inline_base + inline_slots;
    let temps = consts_base + const_vals.len() + 2 * wide_consts.len();
    if temps > MAX_FRAME_SLOTS {
        return Err(too_large());
    }
    consts.extend_from_slice(&const_vals);
    for &v in &wide_consts {
        consts.extend_from_slice(&[v as u64, (v >> 64) as u64]);
    }

    // Absent constants take the slots counting down from `ABSENT_TOP`, far above the
    // frame (checked once the frame's size is known).
    let absent_end = ABSENT_TOP.saturating_sub(absent_index.len());
    if !absent_index.is_empty() && temps >= absent_end {
        return Ok(Pass::Unfit);
    }
    let zero_const = match (const_index.get(&0), absent_index.get(&0)) {
        (Some(&i), _) => Some((consts_base + i) as Slot),
        (None, Some(&i)) => Some((ABSENT_TOP - i) as Slot),
        (None, None) => None,
    };
    let mut c = Compiler {
        module,
        code: Vec::new(),
        offsets: Vec::new(),
        stack: Vec::new(),
        ctrls: Vec::new(),
        temps,
        homed: 0,
        max_depth: 0,
        consts_base,
        const_index,
        absent_index: absent_index.clone(),
        wide_index,
        local_slots,
        v128_operands: module.v128_operands,
        scratch_next: scratch_base,
        inliner,
        inlines: Vec::new(),
        inline_next: inline_base,
        inline_base,
        last_dst: None,
        prev_dst: None,
        offset: body.code.start,
        fuel: module.options.fuel,
        epoch: module.options.epoch,
        deterministic: module.options.deterministic,
        fuel_at: None,
        fuel_count: 0,
        label_at: usize::MAX,
        zero_locals: vec![true; (locals_end - num_params) as usize],
        loops: 0,
        params_end: num_params as usize,
        zero_const,
    };
    let results = slots_of(&ty.results);
    c.ctrls.push(Ctrl {
        kind: Kind::Block,
        height: 0,
        params: 0,
        results,
        unreachable: false,
        dead: false,
        start: 0,
        fixups: Vec::new(),
        else_fixup: None,
        saved_params: None,
    });
    c.fuel_point();
    let mut reader = OperatorReader::new(module.bytes, body.code.clone());
    while !reader.is_empty() {
        c.offset = reader.offset();
        let op = reader.read()?;
        c.op(op)?;
        if c.ctrls.is_empty() {
            break;
        }
    }
    c.fuel_point_end();
    let frame_size = (temps + c.max_depth).max(results).max(locals_end as usize);
    if frame_size > MAX_FRAME_SLOTS {
        return Err(too_large());
    }
    // A function whose end is dead code ends with the branch or trap that made it
    // dead; anything else gets a trap so that execution can never run off the end.
    if !matches!(
        c.code.last(),
        Some(Instr::Return | Instr::ReturnOne { .. } | Instr::Br { .. } | Instr::Unreachable)
    ) {
        c.emit(Instr::Unreachable);
    }
    layout::layout(&mut c.code, &mut c.offsets);
    thread_returns(&mut c.code);
    if !absent_index.is_empty() && frame_size >= absent_end {
        return Ok(Pass::Unfit);
    }
    // Constant operands into immediates; then which constants are still read from
    // slots (an absent one still read makes this compilation unfit).
    let n_scalar = const_vals.len();
    let mut absent_vals = vec![0; absent_index.len()];
    for (&v, &i) in &absent_index {
        absent_vals[i] = v;
    }
    // The constant in slot `s`, and whether it is an absent one.
    let constant_at = |s: usize| {
        if (consts_base..consts_base + n_scalar).contains(&s) {
            Some((const_vals[s - consts_base], false))
        } else if s > absent_end && s <= ABSENT_TOP {
            Some((absent_vals[ABSENT_TOP - s], true))
        } else {
            None
        }
    };
    imm::fold(&mut c.code, |s| constant_at(s as usize).map(|(v, _)| v));
    coalesce::coalesce(&mut c.code, &mut c.offsets);
    let mut read = HashSet::new();
    let mut unfit = false;
    for i in &c.code {
        verify::slots_touched(i, &mut |first, n| {
            for s in first..first.saturating_add(n) {
                match constant_at(s as usize) {
                    Some((v, false)) => {
                        read.insert(v);
                    }
                    Some((_, true)) => unfit = true,
                    None => {}
                }
            }
        });
    }
    if unfit {
        return Ok(Pass::Unfit);
    }
    let f = CompiledFunc {
        code: c.code.into_boxed_slice(),
        offsets: c.offsets.into_boxed_slice(),
        num_params: num_params as u32,
        frame_size: frame_size as u32,
        locals_end: consts_base as u32,
        consts: consts.into_boxed_slice(),
        ops: std::sync::OnceLock::new(),
    };
    verify::verify(&f)?;
    let unused = n_scalar - read.len();
    Ok(Pass::Done(f, read, unused))
}

/// (params, results) of a block type, in slots.
fn block_arity(module: &ModuleView, bt: BlockType) -> (usize, usize) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Value(t) => (0, slot_width(t)),
        BlockType::Func(t) => module
            .syntax
            .func_type(t)
            .map_or((0, 0), |f| (slots_of(&f.params), slots_of(&f.results))),
    }
}

/// A callee whose body is being compiled into its caller.
struct Inlined {
    /// Where each parameter's value is: its argument's operand (a temporary's as the
    /// `Local` of its home slot, which stays reserved while the body runs).
    params: Vec<Opd>,
    /// The slot of its first declared local.
    locals: usize,
    /// The index in `ctrls` of the block standing for its body (absent for a body
    /// without control instructions, compiled without one).
    ctrl: Option<usize>,
}

struct Compiler<'m> {
    module: &'m ModuleView<'m>,
    code: Vec<Instr>,
    offsets: Vec<u32>,
    stack: Vec<Opd>,
    ctrls: Vec<Ctrl>,
    /// Home slot of stack position 0.
    temps: usize,
    /// Every stack position below this is a `Temp` (clamped to the stack's length).
    homed: usize,
    max_depth: usize,
    consts_base: usize,
    const_index: HashMap<u64, usize>,
    /// Constants left out of the pool (a second compilation): value to `i`, the
    /// constant's absent slot being `ABSENT_TOP - i`.
    absent_index: HashMap<u64, usize>,
    /// Vector constants: value to index of its first slot after `consts_base`.
    wide_index: HashMap<u128, usize>,
    /// The first slot of each local and whether it is a v128, when some local is a
    /// v128 (otherwise local `l` is slot `l`).
    local_slots: Option<Vec<(Slot, bool)>>,
    /// Offsets of the `drop`s and untyped `select`s of the module that act on a v128.
    v128_operands: &'m [u32],
    scratch_next: usize,
    /// Which callees are inlined (see `inline`).
    inliner: inline::Inliner<'m>,
    /// The callees being inlined, innermost last.
    inlines: Vec<Inlined>,
    /// The first free slot for the locals of inlined callees, and the first of all.
    inline_next: usize,
    inline_base: usize,
    /// The last instruction, if it wrote a fresh result to a home slot: (index, slot).
    last_dst: Option<(usize, Slot)>,
    /// What `last_dst` was before the last instruction was emitted (for a fusion that
    /// removes that instruction again).
    prev_dst: Option<(usize, Slot)>,
    /// Byte offset of the operator being compiled.
    offset: usize,
    /// Fuel metering: whether to emit it, the last `ConsumeFuel`, and the number of
    /// operators compiled since.
    fuel: bool,
    /// Whether to emit epoch checks (at the same points as fuel).
    epoch: bool,
    /// Whether to canonicalize NaN results (deterministic mode).
    deterministic: bool,
    fuel_at: Option<usize>,
    fuel_count: u32,
    /// Where the last label was bound (a position some branch may land on).
    label_at: usize,
    /// For each declared local (by slot, from `params_end`): whether no instruction
    /// compiled so far writes it. Outside loops every path to the current point runs
    /// only instructions compiled before it, so such a local still holds the zero it
    /// was given on entry.
    zero_locals: Vec<bool>,
    /// The number of open loops.
    loops: usize,
    params_end: usize,
    /// The constant slot holding zero, if the body has that constant.
    zero_const: Option<Slot>,
}

impl Compiler<'_> {
    fn emit(&mut self, i: Instr) -> usize {
        self.emit_at(i, self.offset as u32)
    }

    /// Emits an instruction that reports wasm byte offset `offset` (for its traps).
    fn emit_at(&mut self, i: Instr, offset: u32) -> usize {
        self.code.push(i);
        self.offsets.push(offset);
        self.prev_dst = self.last_dst.take();
        self.code.len() - 1
    }

    /// Emits `dst = src`, merged with a copy emitted just before (and no label between)
    /// into one `Copy2`.
    fn emit_copy(&mut self, dst: Slot, src: Slot) {
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
    fn emit_def(&mut self, i: Instr, dst: Slot) {
        let at = self.emit(i);
        self.last_dst = Some((at, dst));
    }

    fn home(&self, pos: usize) -> Slot {
        (self.temps + pos) as Slot
    }

    fn slot_of(&self, pos: usize) -> Slot {
        match self.stack[pos] {
            Opd::Temp => self.home(pos),
            Opd::Local(l) => l,
            Opd::Const(s) => s,
        }
    }

    fn const_slot(&self, bits: u64) -> Slot {
        // The pre-scan saw every constant of the body.
        if let Some(&i) = self.absent_index.get(&bits) {
            return (ABSENT_TOP - i) as Slot;
        }
        let i = self.const_index.get(&bits).copied().unwrap_or(0);
        (self.consts_base + i) as Slot
    }

    fn push(&mut self, o: Opd) -> usize {
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
    fn push_temp(&mut self) -> Slot {
        let p = self.push(Opd::Temp);
        self.home(p)
    }

    /// Pops an operand, returning the slot it can be read from.
    fn pop(&mut self) -> Slot {
        let pos = self.stack.len() - 1;
        let s = self.slot_of(pos);
        self.stack.pop();
        s
    }

    /// The index of the instruction just emitted if the operand at `pos` is its fresh
    /// result (a temporary it wrote, with no label in between).
    fn fresh_result(&self, pos: usize) -> Option<usize> {
        if self.stack[pos] != Opd::Temp {
            return None;
        }
        let (at, dst) = self.last_dst?;
        (at + 1 == self.code.len() && dst == self.home(pos)).then_some(at)
    }

    /// Removes the instruction just emitted (which a fused instruction replaces).
    fn drop_last(&mut self) {
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

    /// Pops an operand for an instruction that can read it from the accumulator, also
    /// when the instruction just emitted is a load into another slot (as `select`'s
    /// condition often is: `local.tee` of a load): the operand's producer, emitted
    /// just before that load, then leaves it in the accumulator, which the load does
    /// not touch. That keeps a loop-carried value out of the frame between the two.
    fn pop_acc_past_load(&mut self) -> Slot {
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

    /// Pops an operand for an instruction that can read it from the accumulator.
    fn pop_acc(&mut self) -> Slot {
        match self.take_acc(self.stack.len() - 1) {
            Some(acc) => {
                self.stack.pop();
                acc
            }
            None => self.pop(),
        }
    }

    /// Moves the operand at `pos` to its home slot.
    fn materialize(&mut self, pos: usize) {
        if self.stack[pos] != Opd::Temp {
            let src = self.slot_of(pos);
            let dst = self.home(pos);
            self.emit_copy(dst, src);
            self.stack[pos] = Opd::Temp;
        }
    }

    /// Moves every operand from position `from` up to its home slot.
    fn materialize_from(&mut self, from: usize) {
        let homed = self.homed.min(self.stack.len());
        for p in from.max(homed)..self.stack.len() {
            self.materialize(p);
        }
        if from <= homed {
            self.homed = self.stack.len();
        }
    }

    /// Materializes the top `n` operands and returns the home slot of the first.
    fn args(&mut self, n: usize) -> Slot {
        let from = self.stack.len() - n;
        self.materialize_from(from);
        self.home(from)
    }

    fn is_dead(&self) -> bool {
        self.ctrls.last().is_some_and(|c| c.unreachable || c.dead)
    }

    fn set_unreachable(&mut self) {
        if let Some(c) = self.ctrls.last_mut() {
            c.unreachable = true;
            let h = c.height;
            self.stack.truncate(h);
        }
    }

    /// Copies the top `arity` operands to the home slots starting at `height`.
    fn copy_to(&mut self, height: usize, arity: usize) {
        let from = self.stack.len() - arity;
        if from == height {
            self.materialize_from(from);
            return;
        }
        let all_temps = self.stack[from..].iter().all(|o| *o == Opd::Temp);
        if all_temps && arity > 1 {
            let (dst, src) = (self.home(height), self.home(from));
            self.emit(Instr::CopyMany {
                dst,
                src,
                len: arity as u16,
            });
            return;
        }
        for i in 0..arity {
            let src = self.slot_of(from + i);
            let dst = self.home(height + i);
            if src != dst {
                self.emit_copy(dst, src);
            }
        }
    }

    /// Whether branching to label `depth` needs value copies.
    fn branch_needs_copies(&self, depth: u32) -> bool {
        let (h, n) = self.label(depth);
        let from = self.stack.len() - n;
        n > 0 && (from != h || self.stack[from..].iter().any(|o| *o != Opd::Temp))
    }

    /// (height, arity) of the branch target at label depth `depth`.
    fn label(&self, depth: u32) -> (usize, usize) {
        let c = &self.ctrls[self.ctrls.len() - 1 - depth as usize];
        match c.kind {
            Kind::Loop => (c.height, c.params),
            _ => (c.height, c.results),
        }
    }

    /// Emits the copies for a branch to `depth` and an unconditional jump there. The
    /// operand stack is left as it was: the copies happen only on the branch's path.
    fn branch(&mut self, depth: u32) {
        // Only positions above the homed ones can change (and at most MAX_LAZY of
        // them are not temps), so saving those is enough.
        let homed = self.homed.min(self.stack.len());
        let saved = self.stack[homed..].to_vec();
        let (h, n) = self.label(depth);
        self.copy_to(h, n);
        self.jump(depth, Instr::Br { offset: 0 });
        self.stack.truncate(homed);
        self.stack.extend(saved);
        self.homed = homed;
    }

    /// Emits `i` (a branch instruction) targeting label `depth`.
    fn jump(&mut self, depth: u32, i: Instr) {
        let ci = self.ctrls.len() - 1 - depth as usize;
        let at = self.emit(i);
        if self.ctrls[ci].kind == Kind::Loop {
            let start = self.ctrls[ci].start;
            patch(&mut self.code[at], start as isize - at as isize);
        } else {
            self.ctrls[ci].fixups.push(at);
        }
    }

    /// If the operand about to be popped as a condition was just computed by an i32
    /// comparison, removes that instruction and returns a fused branch builder.
    fn take_compare(&mut self) -> Option<(Instr, Instr)> {
        let at = self.fresh_result(self.stack.len() - 1)?;
        let (when_true, when_false) = match self.code[at] {
            Instr::I32Eqz(u) => (
                Instr::BrIfEqz {
                    cond: u.src,
                    offset: 0,
                },
                Instr::BrIfNez {
                    cond: u.src,
                    offset: 0,
                },
            ),
            Instr::I32Eq(b) => (Instr::BrIfI32Eq(cmp(b)), Instr::BrIfI32Ne(cmp(b))),
            Instr::I32Ne(b) => (Instr::BrIfI32Ne(cmp(b)), Instr::BrIfI32Eq(cmp(b))),
            Instr::I32LtS(b) => (Instr::BrIfI32LtS(cmp(b)), Instr::BrIfI32GeS(cmp(b))),
            Instr::I32LtU(b) => (Instr::BrIfI32LtU(cmp(b)), Instr::BrIfI32GeU(cmp(b))),
            Instr::I32GtS(b) => (Instr::BrIfI32GtS(cmp(b)), Instr::BrIfI32LeS(cmp(b))),
            Instr::I32GtU(b) => (Instr::BrIfI32GtU(cmp(b)), Instr::BrIfI32LeU(cmp(b))),
            Instr::I32LeS(b) => (Instr::BrIfI32LeS(cmp(b)), Instr::BrIfI32GtS(cmp(b))),
            Instr::I32LeU(b) => (Instr::BrIfI32LeU(cmp(b)), Instr::BrIfI32GtU(cmp(b))),
            Instr::I32GeS(b) => (Instr::BrIfI32GeS(cmp(b)), Instr::BrIfI32LtS(cmp(b))),
            Instr::I32GeU(b) => (Instr::BrIfI32GeU(cmp(b)), Instr::BrIfI32LtU(cmp(b))),
            _ => return None,
        };
        self.drop_last();
        self.stack.pop();
        Some((when_true, when_false))
    }

    /// If an operand of binary operation `n` is the fresh result of a full-width load
    /// from memory 0 of the operation's type, and `n` has forms with a memory operand,
    /// replaces the load and the operation by one such instruction and returns `true`.
    /// The fused instruction keeps the load's source offset: the operations that have
    /// such forms never trap, so any trap it raises is the load's.
    fn binary_load(&mut self, n: NumericOp) -> bool {
        let Some((kind, op_ld, ld_op)) = load_operand_forms(n) else {
            return false;
        };
        let top = self.stack.len() - 1;
        let (at, load_is_b) = match (self.fresh_result(top), self.fresh_result(top - 1)) {
            (Some(at), _) => (at, true),
            (None, Some(at)) => (at, false),
            _ => return false,
        };
        let Some(ld) = full_load(&self.code[at], kind) else {
            return false;
        };
        let addr = match ld {
            FullLoad::One(l) => l.addr,
            FullLoad::Sum(_) => 0,
        };
        let offset = self.offsets[at];
        let prev = self.prev_dst;
        self.drop_last();
        let (a, build) = if load_is_b {
            self.stack.pop();
            // With the load gone, the instruction before it may leave the other
            // operand in the accumulator (unless the load's address came from there).
            if addr != ACC {
                self.last_dst = prev;
            }
            (self.pop_acc(), op_ld)
        } else {
            // The other operand was pushed after the load without code: a local or
            // a constant, never the accumulator.
            let b = self.pop();
            self.stack.pop();
            (b, ld_op)
        };
        self.last_dst = None;
        let dst = self.push_temp();
        let i = match ld {
            FullLoad::One(l) => Instr::BinLd(BinLd {
                op: build,
                dst,
                a,
                addr: l.addr,
                offset: l.offset,
            }),
            FullLoad::Sum((l, offset)) => Instr::BinLdX(BinLdX {
                op: build,
                dst,
                a,
                x: l.a,
                y: l.b,
                offset,
            }),
        };
        let at = self.emit_at(i, offset);
        self.last_dst = Some((at, dst));
        true
    }

    /// If a store of `op` to `[addr + offset]` (memory 0) takes its value from the
    /// accumulator, and the instruction just emitted produced it by a memory-operand
    /// operation on the same address that has a read-modify-write form, removes that
    /// instruction and returns the read-modify-write one with its source offset (the
    /// load's: the store cannot trap once the load of the same bytes did not).
    fn take_rmw(&mut self, op: StoreOp, addr: Slot, offset: u32) -> Option<(Instr, u32)> {
        let last = self.code.len().checked_sub(1)?;
        if addr == ACC || self.label_at == self.code.len() {
            return None;
        }
        let (build, o) = rmw_form(&self.code[last], op)?;
        if o.dst != ACC || o.addr != addr || o.offset != offset {
            return None;
        }
        let at_offset = self.offsets[last];
        self.drop_last();
        let i = Instr::Rmw(Rmw {
            op: build,
            addr,
            value: o.a,
            offset,
        });
        Some((i, at_offset))
    }

    /// If the operand about to be popped as the address of an access to memory
    /// `mem` was just computed by an `i32.add` (and memory `mem` is memory 0, 32-bit),
    /// removes that instruction and the operand and returns the addition's operands,
    /// for a load or store that adds them itself.
    fn take_add(&mut self, mem: u32) -> Option<(Slot, Slot)> {
        if mem != 0 || self.mem64(0) {
            return None;
        }
        let at = self.fresh_result(self.stack.len() - 1)?;
        let Instr::I32Add(b) = self.code[at] else {
            return None;
        };
        if b.a == ACC || b.b == ACC {
            return None;
        }
        self.drop_last();
        self.stack.pop();
        Some((b.a, b.b))
    }

    /// If conditional branch `br` (about to be emitted) tests the local that the
    /// instruction just emitted, an `i32.add` of that local and another slot, wrote
    /// (a loop step such as `i += 1; if i < n`), and no branch lands between them,
    /// removes the addition and returns the fused add-and-branch instead of `br`.
    fn fuse_add(&mut self, br: Instr) -> Instr {
        let Some(&Instr::I32Add(add)) = self.code.last() else {
            return br;
        };
        if self.label_at == self.code.len() || add.dst != add.a || [add.dst, add.b].contains(&ACC) {
            return br;
        }
        let x = add.dst;
        let (cond, other) = match br {
            Instr::BrIfNez { cond, .. } if cond == x => (Cond::Nez, x),
            Instr::BrIfEqz { cond, .. } if cond == x => (Cond::Eqz, x),
            _ => {
                let mut i = br;
                let Some(&mut c) = i.compare_branch_mut() else {
                    return br;
                };
                let cond = match br {
                    Instr::BrIfI32Eq(_) => Cond::Eq,
                    Instr::BrIfI32Ne(_) => Cond::Ne,
                    Instr::BrIfI32LtS(_) => Cond::LtS,
                    Instr::BrIfI32LtU(_) => Cond::LtU,
                    Instr::BrIfI32GtS(_) => Cond::GtS,
                    Instr::BrIfI32GtU(_) => Cond::GtU,
                    Instr::BrIfI32LeS(_) => Cond::LeS,
                    Instr::BrIfI32LeU(_) => Cond::LeU,
                    Instr::BrIfI32GeS(_) => Cond::GeS,
                    _ => Cond::GeU,
                };
                match (c.a == x, c.b == x) {
                    (true, false) if c.b != ACC => (cond, c.b),
                    (false, true) if c.a != ACC => (cond.mirrored(), c.a),
                    _ => return br,
                }
            }
        };
        self.drop_last();
        Instr::BrIfAdd {
            x,
            step: add.b,
            other,
            cond,
            offset: 0,
        }
    }

    /// If addition `n` was just emitted reading the accumulator that the multiplication
    /// of the same type right before it wrote (from two slots), replaces both by one
    /// multiply-add; likewise a shift and the addition or xor that reads it. Neither
    /// can trap.
    fn fuse_mul_add(&mut self, n: NumericOp) {
        let len = self.code.len();
        if len < 2 || self.label_at == len - 1 || self.last_dst.map(|d| d.0) != Some(len - 1) {
            return;
        }
        let (add, mul) = (self.code[len - 1], self.code[len - 2]);
        let (add, mul, op) = match (n, add, mul) {
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Mul(m)) => (a, m, MulAddOp::I32),
            (NumericOp::I64Add, Instr::I64Add(a), Instr::I64Mul(m)) => (a, m, MulAddOp::I64),
            (NumericOp::F32Add, Instr::F32Add(a), Instr::F32Mul(m)) => (a, m, MulAddOp::F32),
            (NumericOp::F64Add, Instr::F64Add(a), Instr::F64Mul(m)) => (a, m, MulAddOp::F64),
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Shl(m)) => (a, m, MulAddOp::I32Shl),
            (NumericOp::I64Add, Instr::I64Add(a), Instr::I64Shl(m)) => (a, m, MulAddOp::I64Shl),
            (NumericOp::I32Xor, Instr::I32Xor(a), Instr::I32Shl(m)) => (a, m, MulAddOp::I32ShlXor),
            (NumericOp::I64Xor, Instr::I64Xor(a), Instr::I64Shl(m)) => (a, m, MulAddOp::I64ShlXor),
            (NumericOp::I32Xor, Instr::I32Xor(a), Instr::I32ShrU(m)) => {
                (a, m, MulAddOp::I32ShrUXor)
            }
            (NumericOp::I64Xor, Instr::I64Xor(a), Instr::I64ShrU(m)) => {
                (a, m, MulAddOp::I64ShrUXor)
            }
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Eqz(u)) => {
                let m = Bin {
                    dst: u.dst,
                    a: u.src,
                    b: u.src,
                };
                (a, m, MulAddOp::I32EqzAdd)
            }
            _ => return,
        };
        if mul.dst != ACC || mul.a == ACC || mul.b == ACC || add.dst == ACC {
            return;
        }
        let c = match (add.a == ACC, add.b == ACC) {
            (true, false) => add.b,
            (false, true) => add.a,
            _ => return,
        };
        let offset = self.offsets[len - 2];
        self.drop_last();
        self.drop_last();
        let dst = add.dst;
        let i = Instr::MulAdd(MulAdd {
            op,
            dst,
            a: mul.a,
            b: mul.b,
            c,
        });
        let at = self.emit_at(i, offset);
        self.last_dst = Some((at, dst));
    }

    /// Pops a condition and returns (branch-if-true, branch-if-false) instructions.
    fn pop_condition(&mut self) -> (Instr, Instr) {
        if let Some(pair) = self.take_compare() {
            return pair;
        }
        let cond = self.pop_acc();
        (
            Instr::BrIfNez { cond, offset: 0 },
            Instr::BrIfEqz { cond, offset: 0 },
        )
    }

    fn enter_block(&mut self, kind: Kind, bt: BlockType, cond: Option<Instr>) {
        let (params, results) = block_arity(self.module, bt);
        self.open_block(kind, params, results, cond);
    }

    /// Opens a block of `kind` taking `params` and giving `results` (in slots); `cond`
    /// is an `if`'s branch to its else arm.
    fn open_block(&mut self, kind: Kind, params: usize, results: usize, cond: Option<Instr>) {
        if self.is_dead() {
            self.ctrls.push(Ctrl {
                kind,
                height: 0,
                params,
                results,
                unreachable: true,
                dead: true,
                start: 0,
                fixups: Vec::new(),
                else_fixup: None,
                saved_params: None,
            });
            return;
        }
        // Merges happen at block boundaries: every operand goes home first.
        self.materialize_from(0);
        let height = self.stack.len() - params;
        let mut saved_params = None;
        if kind == Kind::If && params > 0 {
            let save = self.scratch_next as Slot;
            self.scratch_next += params;
            for i in 0..params {
                let src = self.home(height + i);
                self.emit(Instr::Copy(Un {
                    dst: save + i as Slot,
                    src,
                }));
            }
            saved_params = Some(save);
        }
        let else_fixup = cond.map(|i| {
            let i = self.fuse_add(i);
            self.emit(i)
        });
        self.last_dst = None;
        self.label_at = self.code.len();
        self.loops += usize::from(kind == Kind::Loop);
        self.ctrls.push(Ctrl {
            kind,
            height,
            params,
            results,
            unreachable: false,
            dead: false,
            start: self.code.len(),
            fixups: Vec::new(),
            else_fixup,
            saved_params,
        });
        if kind == Kind::Loop {
            self.fuel_point();
        }
    }

    /// Fuel is charged at function entry and at every loop iteration: each point
    /// charges the number of operators that follow it in the body up to the next such
    /// point (at least 1), so every unbounded execution pays as it goes.
    fn fuel_point(&mut self) {
        if self.epoch {
            self.emit(Instr::CheckEpoch);
        }
        if !self.fuel {
            return;
        }
        self.fuel_point_end();
        self.fuel_at = Some(self.emit(Instr::ConsumeFuel { amount: 1 }));
        self.fuel_count = 0;
    }

    fn fuel_point_end(&mut self) {
        if let Some(at) = self.fuel_at.take() {
            self.code[at] = Instr::ConsumeFuel {
                amount: self.fuel_count.max(1),
            };
        }
    }

    fn patch_to_here(&mut self, at: usize) {
        let here = self.code.len();
        self.label_at = here;
        patch(&mut self.code[at], here as isize - at as isize);
    }

    fn op_else(&mut self) {
        let Some(c) = self.ctrls.last() else { return };
        if c.dead {
            return;
        }
        if !c.unreachable {
            let (h, n) = (c.height, c.results);
            self.copy_to(h, n);
            let at = self.emit(Instr::Br { offset: 0 });
            if let Some(c) = self.ctrls.last_mut() {
                c.fixups.push(at);
            }
        }
        let Some(c) = self.ctrls.last_mut() else {
            return;
        };
        let else_fixup = c.else_fixup.take();
        let (h, params, saved) = (c.height, c.params, c.saved_params);
        c.unreachable = false;
        if let Some(at) = else_fixup {
            self.patch_to_here(at);
        }
        self.last_dst = None;
        self.stack.truncate(h);
        for _ in 0..params {
            self.push(Opd::Temp);
        }
        if let Some(save) = saved {
            for i in 0..params {
                let dst = self.home(h + i);
                self.emit(Instr::Copy(Un {
                    dst,
                    src: save + i as Slot,
                }));
            }
        }
    }

    fn op_end(&mut self) {
        let Some(c) = self.ctrls.pop() else { return };
        self.loops -= usize::from(c.kind == Kind::Loop && !c.dead);
        if c.dead {
            return;
        }
        if self.ctrls.is_empty() {
            // The function's end: return (also for branches that target it).
            if !c.unreachable {
                self.emit_return(c.results);
            }
            if !c.fixups.is_empty() {
                for &at in &c.fixups {
                    self.patch_to_here(at);
                }
                self.stack.truncate(c.height);
                for _ in 0..c.results {
                    self.push(Opd::Temp);
                }
                self.emit_return(c.results);
            }
            return;
        }
        if !c.unreachable {
            self.copy_to(c.height, c.results);
        }
        if let Some(at) = c.else_fixup {
            self.patch_to_here(at);
        }
        for at in c.fixups {
            self.patch_to_here(at);
        }
        self.last_dst = None;
        self.stack.truncate(c.height);
        for _ in 0..c.results {
            self.push(Opd::Temp);
        }
    }

    /// Where local `l` of the innermost inlined callee is.
    fn inlined_local(&self, l: u32) -> Opd {
        let Some(i) = self.inlines.last() else {
            return Opd::Local(l as Slot);
        };
        match i.params.get(l as usize) {
            Some(&o) => o,
            None => Opd::Local((i.locals + l as usize - i.params.len()) as Slot),
        }
    }

    /// Compiles a call to function `f`, which the inliner accepted, as its body.
    fn inline(&mut self, f: u32) -> Result<()> {
        let Some(callee) = self.inliner.get(f).cloned() else {
            return Ok(());
        };
        let n = callee.params;
        let base = self.stack.len() - n;
        let ctrl = if callee.straight {
            None
        } else {
            // The body becomes a block taking the arguments as its parameters (a call
            // is never compiled in dead code, so the block is live).
            self.open_block(Kind::Block, n, callee.results, None);
            Some(self.ctrls.len() - 1)
        };
        let params = (base..base + n)
            .map(|p| match self.stack[p] {
                Opd::Temp => Opd::Local(self.home(p)),
                o => o,
            })
            .collect();
        let locals = self.inline_next;
        self.inline_next += callee.locals;
        for i in 0..callee.locals {
            if callee.zeroed & (1 << i) != 0 {
                let zero = self.const_slot(0);
                self.emit_copy((locals + i) as Slot, zero);
            }
        }
        self.inlines.push(Inlined {
            params,
            locals,
            ctrl,
        });
        let at = self.offset;
        let mut reader = OperatorReader::new(self.module.bytes, callee.code.clone());
        while !reader.is_empty() {
            self.offset = reader.offset();
            let op = reader.read()?;
            if ctrl.is_none() && reader.is_empty() {
                // The final `end` of a body without blocks.
                break;
            }
            self.op(op)?;
            if ctrl.is_some_and(|c| self.ctrls.len() == c) {
                break;
            }
        }
        self.offset = at;
        self.inlines.pop();
        self.inline_next = locals;
        if ctrl.is_none() {
            // The arguments are below the result: move the result down to the first
            // argument's place (its home slot, unless it is a local or constant).
            if callee.results == 1 {
                let top = self.stack.len() - 1;
                let dst = self.home(base);
                let o = match self.stack[top] {
                    Opd::Temp if top == base => Opd::Temp,
                    Opd::Temp => {
                        match self.fresh_result(top) {
                            Some(at) if set_dst(&mut self.code[at], dst) => {
                                self.last_dst = Some((at, dst))
                            }
                            _ => self.emit_copy(dst, self.home(top)),
                        }
                        Opd::Temp
                    }
                    // An inlined local or an argument's home slot: both are free again.
                    Opd::Local(s) if s as usize >= self.inline_base => {
                        if s != dst {
                            self.emit_copy(dst, s);
                        }
                        Opd::Temp
                    }
                    o => o,
                };
                self.stack.truncate(base);
                self.push(o);
            } else {
                self.stack.truncate(base);
            }
        }
        Ok(())
    }

    fn emit_return(&mut self, n: usize) {
        let from = self.stack.len() - n;
        if n == 1 {
            let src = self.slot_of(from);
            self.emit(Instr::ReturnOne { src });
            return;
        } else if n > 1 {
            let src = self.args(n);
            self.emit(Instr::CopyMany {
                dst: 0,
                src,
                len: n as u16,
            });
        }
        self.emit(Instr::Return);
    }

    /// A unary instruction with no handler reading the accumulator.
    fn unary_from_slot(&mut self, f: impl FnOnce(Un) -> Instr) {
        let src = self.pop();
        let dst = self.push_temp();
        self.emit_def(f(Un { dst, src }), dst);
    }

    /// A numeric unary instruction (its operand may come from the accumulator).
    fn unary(&mut self, f: impl FnOnce(Un) -> Instr) {
        let src = self.pop_acc();
        let dst = self.push_temp();
        self.emit_def(f(Un { dst, src }), dst);
    }

    /// A numeric binary instruction (one operand may come from the accumulator).
    fn binary(&mut self, f: impl FnOnce(Bin) -> Instr) {
        let b = self.pop_acc();
        // At most one operand comes from the accumulator.
        let a = if b == ACC { self.pop() } else { self.pop_acc() };
        let dst = self.push_temp();
        self.emit_def(f(Bin { dst, a, b }), dst);
    }

    fn local_set(&mut self, l: Slot, tee: bool) {
        let top = self.stack.len() - 1;
        // Zero into a declared local that still holds its initial zero: nothing to do.
        let fresh = (l as usize)
            .checked_sub(self.params_end)
            .filter(|&i| i < self.zero_locals.len());
        if let Some(i) = fresh {
            let zero = self
                .zero_const
                .is_some_and(|z| self.stack[top] == Opd::Const(z));
            if zero && self.zero_locals[i] && self.loops == 0 {
                self.stack.pop();
                if tee {
                    self.push(Opd::Local(l));
                }
                return;
            }
            self.zero_locals[i] = false;
        }
        // Operands still reading the old value of `l` must be copied out first.
        let pending: Vec<usize> = (self.homed.min(top)..top)
            .filter(|&p| self.stack[p] == Opd::Local(l))
            .collect();
        let src = self.slot_of(top);
        let retarget = pending.is_empty()
            && self.stack[top] == Opd::Temp
            && matches!(self.last_dst, Some((at, d)) if at + 1 == self.code.len() && d == src);
        for p in pending {
            self.materialize(p);
        }
        let retargeted = retarget
            && match self.last_dst {
                Some((at, _)) => set_dst(&mut self.code[at], l),
                None => false,
            };
        if retargeted {
            self.last_dst = None;
        } else if src != l {
            self.emit_copy(l, src);
        }
        self.stack.pop();
        if tee {
            self.push(Opd::Local(l));
        }
    }

    fn op(&mut self, op: Operator) -> Result<()> {
        self.fuel_count = self.fuel_count.saturating_add(1);
        // Dead code: only structure matters.
        if self.is_dead() {
            match op {
                Operator::Block(bt) => self.enter_block(Kind::Block, bt, None),
                Operator::Loop(bt) => self.enter_block(Kind::Loop, bt, None),
                Operator::If(bt) => self.enter_block(Kind::If, bt, None),
                Operator::Else => self.op_else(),
                Operator::End => self.op_end(),
                _ => {}
            }
            return Ok(());
        }
        match op {
            Operator::Unreachable => {
                self.emit(Instr::Unreachable);
                self.set_unreachable();
            }
            Operator::Nop => {}
            Operator::Block(bt) => self.enter_block(Kind::Block, bt, None),
            Operator::Loop(bt) => self.enter_block(Kind::Loop, bt, None),
            Operator::If(bt) => {
                let (_, when_false) = self.pop_condition();
                self.enter_block(Kind::If, bt, Some(when_false));
            }
            Operator::Else => self.op_else(),
            Operator::End => self.op_end(),
            Operator::Br(d) => {
                self.branch(d);
                self.set_unreachable();
            }
            Operator::BrIf(d) => {
                let (when_true, when_false) = self.pop_condition();
                if self.branch_needs_copies(d) {
                    let when_false = self.fuse_add(when_false);
                    let skip = self.emit(when_false);
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    let when_true = self.fuse_add(when_true);
                    self.jump(d, when_true);
                }
            }
            Operator::BrTable { targets, default } => {
                let index = self.pop();
                let len = targets.len() as u32;
                match self.code.last() {
                    // The index was just loaded (no label between): one instruction
                    // loads it and dispatches, and keeps the load's byte offset.
                    Some(&Instr::I32Load8U(load))
                        if load.dst == index
                            && ![load.dst, load.addr].contains(&ACC)
                            && self.label_at != self.code.len() =>
                    {
                        let at = self.offsets[self.code.len() - 1];
                        self.drop_last();
                        let Ld { dst, addr, offset } = load;
                        self.emit_at(
                            Instr::BrTableLoad8U {
                                dst,
                                addr,
                                offset,
                                len,
                            },
                            at,
                        );
                    }
                    _ => {
                        self.emit(Instr::BrTable { index, len });
                    }
                }
                let mut stubs = Vec::new();
                for &t in targets.iter().chain(std::iter::once(&default)) {
                    if self.branch_needs_copies(t) {
                        let at = self.emit(Instr::Br { offset: 0 });
                        stubs.push((at, t));
                    } else {
                        self.jump(t, Instr::Br { offset: 0 });
                    }
                }
                for (at, t) in stubs {
                    self.patch_to_here(at);
                    self.branch(t);
                }
                self.set_unreachable();
            }
            Operator::Return if !self.inlines.is_empty() => {
                // The end of the inlined body's block.
                let ctrl = self.inlines.last().and_then(|i| i.ctrl).unwrap_or(0);
                self.branch((self.ctrls.len() - 1 - ctrl) as u32);
                self.set_unreachable();
            }
            Operator::Return => {
                let n = self.ctrls[0].results;
                self.emit_return(n);
                self.set_unreachable();
            }
            Operator::Call(f) if self.inliner.get(f).is_some() => self.inline(f)?,
            Operator::Call(f) => {
                let ty = self.module.func_types.get(f as usize).cloned();
                let ty = ty.ok_or_else(|| Error::invalid(self.offset, "unknown function"))?;
                let (np, nr) = (slots_of(&ty.params), slots_of(&ty.results));
                let base = self.args(np);
                // Arguments copied into place just before (one or two, with no label
                // between) are copied by the call itself.
                let args = base as usize..base as usize + np;
                let copies = match self.code.last() {
                    _ if self.label_at == self.code.len() => None,
                    Some(&Instr::Copy(Un { dst, src })) => Some((dst, src, dst, src)),
                    Some(&Instr::Copy2 {
                        dst,
                        src,
                        dst2,
                        src2,
                    }) => Some((dst, src, dst2, src2)),
                    _ => None,
                };
                let call = match copies {
                    Some((dst, src, dst2, src2))
                        if [dst, dst2]
                            .iter()
                            .all(|&d| args.contains(&(d as usize)) && d != src && d != src2)
                            && src != ACC
                            && src2 != ACC =>
                    {
                        self.drop_last();
                        Instr::CallCopy {
                            func: f,
                            base,
                            dst,
                            src,
                            dst2,
                            src2,
                        }
                    }
                    _ => Instr::Call { func: f, base },
                };
                self.emit(call);
                self.stack.truncate(self.stack.len() - np);
                for _ in 0..nr {
                    self.push(Opd::Temp);
                }
            }
            Operator::CallIndirect { type_index, table } => {
                let ty = self.module.syntax.func_type(type_index).cloned();
                let ty = ty.ok_or_else(|| Error::invalid(self.offset, "unknown type"))?;
                let type_id = self.module.type_ids[type_index as usize];
                let (np, nr) = (slots_of(&ty.params), slots_of(&ty.results));
                let index = self.pop();
                // The index sits above the arguments, so placing them leaves it intact.
                let base = self.args(np);
                self.emit(Instr::CallIndirect {
                    type_id,
                    table: small(table)?,
                    index,
                    base,
                    is64: self.table64(table),
                });
                self.stack.truncate(self.stack.len() - np);
                for _ in 0..nr {
                    self.push(Opd::Temp);
                }
            }
            Operator::Drop => {
                let n = if self.on_v128() { 2 } else { 1 };
                self.stack.truncate(self.stack.len() - n);
            }
            Operator::Select | Operator::TypedSelect(_) => {
                let wide = match op {
                    Operator::TypedSelect(t) => t == ValType::V128,
                    _ => self.on_v128(),
                };
                if wide {
                    let cond = self.pop();
                    let b = self.pop_v128();
                    let a = self.pop_v128();
                    let dst = self.push_v128();
                    self.emit(Instr::Select128 { dst, cond, a, b });
                } else {
                    let cond = self.pop_acc();
                    let b = match cond {
                        ACC => self.pop(),
                        _ => self.pop_acc_past_load(),
                    };
                    let a = self.pop();
                    let dst = self.push_temp();
                    self.emit_def(Instr::Select { dst, cond, a, b }, dst);
                }
            }
            Operator::LocalGet(l) if !self.inlines.is_empty() => {
                let o = self.inlined_local(l);
                self.push(o);
            }
            Operator::LocalSet(l) | Operator::LocalTee(l) if !self.inlines.is_empty() => {
                let Opd::Local(slot) = self.inlined_local(l) else {
                    return Err(Error::api("internal error: an inlined parameter written"));
                };
                self.local_set(slot, matches!(op, Operator::LocalTee(_)));
            }
            Operator::LocalGet(l) => {
                let (slot, wide) = self.local(l);
                if wide {
                    self.push_pair(Opd::Local(slot), Opd::Local(slot + 1));
                } else {
                    self.push(Opd::Local(slot));
                }
            }
            Operator::LocalSet(l) | Operator::LocalTee(l) => {
                let tee = matches!(op, Operator::LocalTee(_));
                let (slot, wide) = self.local(l);
                if wide {
                    self.local_set(slot + 1, false);
                    self.local_set(slot, false);
                    if tee {
                        self.push_pair(Opd::Local(slot), Opd::Local(slot + 1));
                    }
                } else {
                    self.local_set(slot, tee);
                }
            }
            Operator::GlobalGet(global) => {
                if self.global_is_v128(global) {
                    let dst = self.push_v128();
                    self.emit(Instr::GlobalGet128 { dst, global });
                } else {
                    let dst = self.push_temp();
                    self.emit_def(Instr::GlobalGet { dst, global }, dst);
                }
            }
            Operator::GlobalSet(global) => {
                if self.global_is_v128(global) {
                    let src = self.pop_v128();
                    self.emit(Instr::GlobalSet128 { src, global });
                } else {
                    let src = self.pop_acc();
                    self.emit(Instr::GlobalSet { src, global });
                }
            }
            Operator::TableGet(table) => {
                let index = self.pop();
                let dst = self.push_temp();
                let (table, is64) = (small(table)?, self.table64(table));
                self.emit_def(
                    Instr::TableGet {
                        dst,
                        index,
                        table,
                        is64,
                    },
                    dst,
                );
            }
            Operator::TableSet(table) => {
                let args = self.pop_args(2);
                let (table, is64) = (small(table)?, self.table64(table));
                self.emit(Instr::TableSet { args, table, is64 });
            }
            Operator::TableSize(table) => {
                let dst = self.push_temp();
                self.emit_def(Instr::TableSize { dst, table }, dst);
            }
            Operator::TableGrow(table) => {
                let args = self.pop_args(2);
                self.push(Opd::Temp);
                let (table, is64) = (small(table)?, self.table64(table));
                self.emit(Instr::TableGrow { args, table, is64 });
            }
            Operator::TableFill(table) => {
                let args = self.pop_args(3);
                let (table, is64) = (small(table)?, self.table64(table));
                self.emit(Instr::TableFill { args, table, is64 });
            }
            Operator::TableCopy { dst, src } => {
                let args = self.pop_args(3);
                let (dst64, src64) = (self.table64(dst), self.table64(src));
                let (dst, src) = (small(dst)?, small(src)?);
                self.emit(Instr::TableCopy {
                    args,
                    dst,
                    src,
                    dst64,
                    src64,
                });
            }
            Operator::TableInit { elem, table } => {
                let args = self.pop_args(3);
                let (table, is64) = (small(table)?, self.table64(table));
                self.emit(Instr::TableInit {
                    args,
                    elem,
                    table,
                    is64,
                });
            }
            Operator::ElemDrop(elem) => {
                self.emit(Instr::SegmentDrop {
                    index: elem,
                    elem: true,
                });
            }
            Operator::Load(op, ma) => {
                let fused_add = self.take_add(ma.memory);
                let addr = match fused_add {
                    Some(_) => 0,
                    None if ma.memory == 0 && !self.mem64(0) => self.pop_acc(),
                    None => self.pop(),
                };
                let dst = self.push_temp();
                let mem = small(ma.memory)?;
                let i = if self.mem64(ma.memory) {
                    let offset = self.const_slot(ma.offset);
                    Instr::Load64 {
                        op,
                        mem,
                        dst,
                        addr,
                        offset,
                    }
                } else if mem == 0 {
                    let offset = ma.offset as u32;
                    match fused_add {
                        Some((a, b)) => load_x_instr(op, LdX { dst, a, b, offset }),
                        None => load_instr(op, Ld { dst, addr, offset }),
                    }
                } else {
                    Instr::LoadMem {
                        op,
                        mem,
                        dst,
                        addr,
                        offset: ma.offset as u32,
                    }
                };
                self.emit_def(i, dst);
            }
            Operator::Store(op, ma) => {
                let plain = ma.memory == 0 && !self.mem64(0);
                let value = if plain { self.pop_acc() } else { self.pop() };
                let fused_add = self.take_add(ma.memory);
                let addr = match fused_add {
                    Some(_) => 0,
                    None if plain && value != ACC => self.pop_acc(),
                    None => self.pop(),
                };
                let mem = small(ma.memory)?;
                if plain && fused_add.is_none() && value == ACC {
                    if let Some((i, at)) = self.take_rmw(op, addr, ma.offset as u32) {
                        self.emit_at(i, at);
                        return Ok(());
                    }
                }
                let i = if self.mem64(ma.memory) {
                    let offset = self.const_slot(ma.offset);
                    Instr::Store64 {
                        op,
                        mem,
                        addr,
                        value,
                        offset,
                    }
                } else if mem == 0 {
                    let offset = ma.offset as u32;
                    match fused_add {
                        Some((a, b)) => store_x_instr(
                            op,
                            StX {
                                a,
                                b,
                                value,
                                offset,
                            },
                        ),
                        None => store_instr(
                            op,
                            St {
                                addr,
                                value,
                                offset,
                            },
                        ),
                    }
                } else {
                    Instr::StoreMem {
                        op,
                        mem,
                        addr,
                        value,
                        offset: ma.offset as u32,
                    }
                };
                self.emit(i);
            }
            Operator::MemorySize(mem) => {
                let dst = self.push_temp();
                self.emit_def(Instr::MemorySize { dst, mem }, dst);
            }
            Operator::MemoryGrow(mem) => {
                let delta = self.pop();
                let dst = self.push_temp();
                let (is64, mem) = (self.mem64(mem), small(mem)?);
                self.emit_def(
                    Instr::MemoryGrow {
                        dst,
                        delta,
                        mem,
                        is64,
                    },
                    dst,
                );
            }
            Operator::MemoryFill(mem) => {
                let args = self.pop_args(3);
                let (is64, mem) = (self.mem64(mem), small(mem)?);
                self.emit(Instr::MemoryFill { args, mem, is64 });
            }
            Operator::MemoryCopy { dst, src } => {
                let args = self.pop_args(3);
                let (dst64, src64) = (self.mem64(dst), self.mem64(src));
                let (dst_mem, src_mem) = (small(dst)?, small(src)?);
                self.emit(Instr::MemoryCopy {
                    args,
                    dst_mem,
                    src_mem,
                    dst64,
                    src64,
                });
            }
            Operator::MemoryInit { data, memory } => {
                let args = self.pop_args(3);
                let (is64, mem) = (self.mem64(memory), small(memory)?);
                self.emit(Instr::MemoryInit {
                    args,
                    data,
                    mem,
                    is64,
                });
            }
            Operator::DataDrop(data) => {
                self.emit(Instr::SegmentDrop {
                    index: data,
                    elem: false,
                });
            }
            Operator::RefNull(_) => {
                let s = self.const_slot(0);
                self.push(Opd::Const(s));
            }
            Operator::RefIsNull => self.unary_from_slot(Instr::RefIsNull),
            Operator::RefFunc(func) => {
                let dst = self.push_temp();
                self.emit_def(Instr::RefFunc { dst, func }, dst);
            }
            Operator::RefEq => self.binary(Instr::I64Eq),
            Operator::RefAsNonNull => self.unary_from_slot(Instr::RefAsNonNull),
            Operator::I32Const(v) => {
                let s = self.const_slot(v as u32 as u64);
                self.push(Opd::Const(s));
            }
            Operator::I64Const(v) => {
                let s = self.const_slot(v as u64);
                self.push(Opd::Const(s));
            }
            Operator::F32Const(v) => {
                let s = self.const_slot(v as u64);
                self.push(Opd::Const(s));
            }
            Operator::F64Const(v) => {
                let s = self.const_slot(v);
                self.push(Opd::Const(s));
            }
            Operator::Numeric(n) => {
                if n.signature().0.len() == 1 {
                    self.unary(|u| unary_instr(n, u));
                } else if !self.binary_load(n) {
                    self.binary(|b| binary_instr(n, b));
                    self.fuse_mul_add(n);
                }
                if self.deterministic {
                    self.canonicalize_nan(n);
                }
            }
            Operator::V128Const(_)
            | Operator::I8x16Shuffle(_)
            | Operator::V128Load(..)
            | Operator::V128Store(_)
            | Operator::V128LoadLane { .. }
            | Operator::V128StoreLane { .. }
            | Operator::ExtractLane(..)
            | Operator::ReplaceLane(..)
            | Operator::Simd(_) => self.simd(op)?,
            Operator::ReturnCall(f) => {
                let ty = self.module.func_types.get(f as usize).cloned();
                let ty = ty.ok_or_else(|| Error::invalid(self.offset, "unknown function"))?;
                let (np, nr) = (slots_of(&ty.params), slots_of(&ty.results));
                let base = self.args(np);
                self.emit(Instr::ReturnCall { func: f, base });
                self.after_tail_call(np, nr);
            }
            Operator::ReturnCallIndirect { type_index, table } => {
                let (np, nr) = self.type_arity(type_index)?;
                let type_id = self.module.type_ids[type_index as usize];
                let index = self.pop();
                let base = self.args(np);
                let is64 = self.table64(table);
                let table = small(table)?;
                self.emit(Instr::ReturnCallIndirect {
                    type_id,
                    table,
                    index,
                    base,
                    is64,
                });
                self.after_tail_call(np, nr);
            }
            Operator::CallRef(type_index) => {
                let (np, nr) = self.type_arity(type_index)?;
                let fref = self.pop();
                let base = self.args(np);
                self.emit(Instr::CallRef { fref, base });
                self.stack.truncate(self.stack.len() - np);
                for _ in 0..nr {
                    self.push(Opd::Temp);
                }
            }
            Operator::ReturnCallRef(type_index) => {
                let (np, nr) = self.type_arity(type_index)?;
                let fref = self.pop();
                let base = self.args(np);
                self.emit(Instr::ReturnCallRef { fref, base });
                self.after_tail_call(np, nr);
            }
            Operator::BrOnNull(d) => {
                // On null: branch without the reference. Otherwise it stays.
                let pos = self.stack.len() - 1;
                let src = self.slot_of(pos);
                self.stack.pop();
                if self.branch_needs_copies(d) {
                    let skip = self.emit(Instr::BrRef {
                        src,
                        offset: 0,
                        if_null: false,
                    });
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    self.jump(
                        d,
                        Instr::BrRef {
                            src,
                            offset: 0,
                            if_null: true,
                        },
                    );
                }
                let p = self.push(Opd::Temp);
                let home = self.home(p);
                if src != home {
                    self.emit(Instr::Copy(Un { dst: home, src }));
                }
            }
            Operator::BrOnNonNull(d) => {
                // On non-null: branch with the reference. Otherwise drop it.
                let pos = self.stack.len() - 1;
                let src = self.slot_of(pos);
                if self.branch_needs_copies(d) {
                    let skip = self.emit(Instr::BrRef {
                        src,
                        offset: 0,
                        if_null: true,
                    });
                    self.branch(d);
                    self.patch_to_here(skip);
                } else {
                    self.jump(
                        d,
                        Instr::BrRef {
                            src,
                            offset: 0,
                            if_null: false,
                        },
                    );
                }
                self.stack.pop();
            }
        }
        Ok(())
    }

    /// Deterministic mode: after an instruction whose NaN result may depend on the host,
    /// rewrite a NaN result to the canonical NaN. (Bit operations — abs, neg,
    /// copysign, reinterpret — and loads are exact and need nothing.)
    fn canonicalize_nan(&mut self, n: NumericOp) {
        use NumericOp::*;
        let is64 = match n {
            F32Add | F32Sub | F32Mul | F32Div | F32Sqrt | F32Min | F32Max | F32Ceil | F32Floor
            | F32Trunc | F32Nearest | F32DemoteF64 => false,
            F64Add | F64Sub | F64Mul | F64Div | F64Sqrt | F64Min | F64Max | F64Ceil | F64Floor
            | F64Trunc | F64Nearest | F64PromoteF32 => true,
            _ => return,
        };
        let pos = self.stack.len() - 1;
        let slot = self.home(pos);
        self.emit(Instr::CanonNan { slot, is64 });
    }

    /// (params, results) of type `type_index`.
    fn type_arity(&self, type_index: u32) -> Result<(usize, usize)> {
        let ty = self.module.syntax.func_type(type_index);
        let ty = ty.ok_or_else(|| Error::invalid(self.offset, "unknown type"))?;
        Ok((slots_of(&ty.params), slots_of(&ty.results)))
    }

    /// After a tail call: the callee's results (reached only when it was a host
    /// function, which runs as a plain call) are returned.
    fn after_tail_call(&mut self, np: usize, nr: usize) {
        self.stack.truncate(self.stack.len() - np);
        for _ in 0..nr {
            self.push(Opd::Temp);
        }
        self.emit_return(nr);
        self.set_unreachable();
    }

    /// Whether memory `mem` is 64-bit (its addresses are `i64`).
    fn mem64(&self, mem: u32) -> bool {
        self.module
            .mem64
            .get(mem as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Whether table `table` is 64-bit (its indices are `i64`).
    fn table64(&self, table: u32) -> bool {
        self.module
            .table64
            .get(table as usize)
            .copied()
            .unwrap_or(false)
    }

    /// Materializes the top `n` operands, pops them and returns the first one's slot.
    fn pop_args(&mut self, n: usize) -> Slot {
        let args = self.args(n);
        self.stack.truncate(self.stack.len() - n);
        args
    }
}

fn small(i: u32) -> Result<u16> {
    u16::try_from(i).map_err(|_| Error::unsupported(0, format!("index {i} above 65535")))
}

fn cmp(b: Bin) -> BrCmp {
    BrCmp {
        a: b.a,
        b: b.b,
        offset: 0,
    }
}

/// Jumps to a return become the return itself (but for `BrTable` entries, which stay
/// jumps: the interpreter dispatches a table straight to its target's handler), and a
/// copy into the slot that the next instruction returns becomes a return of the
/// copied slot (the original return stays in place for any branch that targets it).
fn thread_returns(code: &mut [Instr]) {
    let is_entry = isa::table_entries(code);
    for pc in 0..code.len() {
        if is_entry[pc] {
            continue;
        }
        if let Instr::Br { offset } = code[pc] {
            let t = pc as isize + offset as isize;
            if let Some(&r @ (Instr::Return | Instr::ReturnOne { .. })) = code.get(t as usize) {
                code[pc] = r;
            }
        }
    }
    for pc in 0..code.len() {
        if let (Instr::Copy(u), Some(&Instr::ReturnOne { src })) = (code[pc], code.get(pc + 1)) {
            if u.dst == src {
                code[pc] = Instr::ReturnOne { src: u.src };
            }
        }
    }
}

/// Sets the relative offset of a branch instruction.
fn patch(i: &mut Instr, rel: isize) {
    if let Some(offset) = i.branch_offset_mut() {
        *offset = rel as i32;
    }
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
fn set_dst(i: &mut Instr, dst: Slot) -> bool {
    match i.dst_mut() {
        Some(d) => {
            *d = dst;
            true
        }
        None => false,
    }
}

macro_rules! numeric_builders {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        fn unary_instr(op: NumericOp, u: Un) -> Instr {
            let b = Bin { dst: u.dst, a: u.src, b: u.src };
            numeric_builders!(@match op, u, b, $( $name [$($p)*] )*)
        }

        fn binary_instr(op: NumericOp, b: Bin) -> Instr {
            let u = Un { dst: b.dst, src: b.a };
            numeric_builders!(@match op, u, b, $( $name [$($p)*] )*)
        }
    };
    (@match $op:ident, $u:ident, $b:ident, $( $name:ident [$($p:ident)*] )*) => {
        match $op {
            $( NumericOp::$name => Instr::$name(numeric_builders!(@arg $u, $b, [$($p)*])), )*
        }
    };
    (@arg $u:ident, $b:ident, [$x:ident]) => { $u };
    (@arg $u:ident, $b:ident, [$x:ident $y:ident]) => { $b };
}

crate::for_each_numeric_op!(numeric_builders);

fn load_instr(op: LoadOp, o: Ld) -> Instr {
    match op {
        LoadOp::I32Load => Instr::I32Load(o),
        LoadOp::I64Load => Instr::I64Load(o),
        LoadOp::F32Load => Instr::F32Load(o),
        LoadOp::F64Load => Instr::F64Load(o),
        LoadOp::I32Load8S => Instr::I32Load8S(o),
        LoadOp::I32Load8U => Instr::I32Load8U(o),
        LoadOp::I32Load16S => Instr::I32Load16S(o),
        LoadOp::I32Load16U => Instr::I32Load16U(o),
        LoadOp::I64Load8S => Instr::I64Load8S(o),
        LoadOp::I64Load8U => Instr::I64Load8U(o),
        LoadOp::I64Load16S => Instr::I64Load16S(o),
        LoadOp::I64Load16U => Instr::I64Load16U(o),
        LoadOp::I64Load32S => Instr::I64Load32S(o),
        LoadOp::I64Load32U => Instr::I64Load32U(o),
    }
}

fn store_instr(op: StoreOp, o: St) -> Instr {
    match op {
        StoreOp::I32Store => Instr::I32Store(o),
        StoreOp::I64Store => Instr::I64Store(o),
        StoreOp::F32Store => Instr::F32Store(o),
        StoreOp::F64Store => Instr::F64Store(o),
        StoreOp::I32Store8 => Instr::I32Store8(o),
        StoreOp::I32Store16 => Instr::I32Store16(o),
        StoreOp::I64Store8 => Instr::I64Store8(o),
        StoreOp::I64Store16 => Instr::I64Store16(o),
        StoreOp::I64Store32 => Instr::I64Store32(o),
    }
}

fn load_x_instr(op: LoadOp, o: LdX) -> Instr {
    match op {
        LoadOp::I32Load => Instr::I32LoadX(o),
        LoadOp::I64Load => Instr::I64LoadX(o),
        LoadOp::F32Load => Instr::F32LoadX(o),
        LoadOp::F64Load => Instr::F64LoadX(o),
        LoadOp::I32Load8S => Instr::I32Load8SX(o),
        LoadOp::I32Load8U => Instr::I32Load8UX(o),
        LoadOp::I32Load16S => Instr::I32Load16SX(o),
        LoadOp::I32Load16U => Instr::I32Load16UX(o),
        LoadOp::I64Load8S => Instr::I64Load8SX(o),
        LoadOp::I64Load8U => Instr::I64Load8UX(o),
        LoadOp::I64Load16S => Instr::I64Load16SX(o),
        LoadOp::I64Load16U => Instr::I64Load16UX(o),
        LoadOp::I64Load32S => Instr::I64Load32SX(o),
        LoadOp::I64Load32U => Instr::I64Load32UX(o),
    }
}

fn store_x_instr(op: StoreOp, o: StX) -> Instr {
    match op {
        StoreOp::I32Store => Instr::I32StoreX(o),
        StoreOp::I64Store => Instr::I64StoreX(o),
        StoreOp::F32Store => Instr::F32StoreX(o),
        StoreOp::F64Store => Instr::F64StoreX(o),
        StoreOp::I32Store8 => Instr::I32Store8X(o),
        StoreOp::I32Store16 => Instr::I32Store16X(o),
        StoreOp::I64Store8 => Instr::I64Store8X(o),
        StoreOp::I64Store16 => Instr::I64Store16X(o),
        StoreOp::I64Store32 => Instr::I64Store32X(o),
    }
}

/// The memory-operand forms of binary operation `op`, if it has them: the load that
/// can supply an operand (full width, the operation's type) and the builders of
/// `a OP [m]` and `[m] OP a`. Float addition and multiplication commute here too
/// (with two NaN operands the result is either one's payload, quieted, which wasm
/// allows).
type LoadOperandForms = (LoadOp, LdBinOp, LdBinOp);

fn load_operand_forms(op: NumericOp) -> Option<LoadOperandForms> {
    use LdBinOp as L;
    use NumericOp as N;
    let f: LoadOperandForms = match op {
        N::F64Add => (LoadOp::F64Load, L::F64AddLd, L::F64AddLd),
        N::F64Sub => (LoadOp::F64Load, L::F64SubLd, L::F64LdSub),
        N::F64Mul => (LoadOp::F64Load, L::F64MulLd, L::F64MulLd),
        N::F64Div => (LoadOp::F64Load, L::F64DivLd, L::F64LdDiv),
        N::F32Add => (LoadOp::F32Load, L::F32AddLd, L::F32AddLd),
        N::F32Sub => (LoadOp::F32Load, L::F32SubLd, L::F32LdSub),
        N::F32Mul => (LoadOp::F32Load, L::F32MulLd, L::F32MulLd),
        N::F32Div => (LoadOp::F32Load, L::F32DivLd, L::F32LdDiv),
        N::I32Add => (LoadOp::I32Load, L::I32AddLd, L::I32AddLd),
        N::I32Sub => (LoadOp::I32Load, L::I32SubLd, L::I32LdSub),
        N::I32And => (LoadOp::I32Load, L::I32AndLd, L::I32AndLd),
        N::I32Or => (LoadOp::I32Load, L::I32OrLd, L::I32OrLd),
        N::I32Xor => (LoadOp::I32Load, L::I32XorLd, L::I32XorLd),
        N::I64Add => (LoadOp::I64Load, L::I64AddLd, L::I64AddLd),
        N::I64Sub => (LoadOp::I64Load, L::I64SubLd, L::I64LdSub),
        _ => return None,
    };
    Some(f)
}

/// A load that can become an operand of a binary instruction.
enum FullLoad {
    /// Address in one slot.
    One(Ld),
    /// Address a sum of two slots, with an offset that fits 16 bits.
    Sum((LdX, u16)),
}

/// The operands of `i` if it is a load of kind `kind` from memory 0 that can become an
/// operand.
fn full_load(i: &Instr, kind: LoadOp) -> Option<FullLoad> {
    let sum = |o: LdX| Some(FullLoad::Sum((o, u16::try_from(o.offset).ok()?)));
    let (k, o) = match *i {
        Instr::F64Load(o) => (LoadOp::F64Load, Some(FullLoad::One(o))),
        Instr::F32Load(o) => (LoadOp::F32Load, Some(FullLoad::One(o))),
        Instr::I32Load(o) => (LoadOp::I32Load, Some(FullLoad::One(o))),
        Instr::I64Load(o) => (LoadOp::I64Load, Some(FullLoad::One(o))),
        Instr::F64LoadX(o) => (LoadOp::F64Load, sum(o)),
        Instr::F32LoadX(o) => (LoadOp::F32Load, sum(o)),
        Instr::I32LoadX(o) => (LoadOp::I32Load, sum(o)),
        Instr::I64LoadX(o) => (LoadOp::I64Load, sum(o)),
        _ => return None,
    };
    if k == kind {
        o
    } else {
        None
    }
}

/// The read-modify-write form of memory-operand instruction `i` followed by a store of
/// `op` of its result: `[m] OP a` stored back (addition in either order).
fn rmw_form(i: &Instr, op: StoreOp) -> Option<(RmwOp, BinLd)> {
    let Instr::BinLd(o) = *i else {
        return None;
    };
    let r = match (o.op, op) {
        (LdBinOp::F64AddLd, StoreOp::F64Store) => RmwOp::F64Add,
        (LdBinOp::F64LdSub, StoreOp::F64Store) => RmwOp::F64Sub,
        (LdBinOp::F32AddLd, StoreOp::F32Store) => RmwOp::F32Add,
        (LdBinOp::F32LdSub, StoreOp::F32Store) => RmwOp::F32Sub,
        (LdBinOp::I32AddLd, StoreOp::I32Store) => RmwOp::I32Add,
        (LdBinOp::I32LdSub, StoreOp::I32Store) => RmwOp::I32Sub,
        (LdBinOp::I64AddLd, StoreOp::I64Store) => RmwOp::I64Add,
        (LdBinOp::I64LdSub, StoreOp::I64Store) => RmwOp::I64Sub,
        _ => return None,
    };
    Some((r, o))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Engine, Module};

    /// The internal code of function 0 of `wat`.
    fn code_with(config: &Config, wat: &str) -> Vec<Instr> {
        let engine = Engine::new(config);
        let m = Module::new(&engine, wat).unwrap();
        m.inner.code(0).unwrap().code.to_vec()
    }

    fn code(wat: &str) -> Vec<Instr> {
        code_with(&Config::new(), wat)
    }

    #[test]
    fn constants_read_only_as_immediates_leave_the_pool() {
        let engine = Engine::default();
        let m = Module::new(
            &engine,
            r#"(module (memory 1) (func (param i32) (result i32)
                (i32.store (i32.const 64) (i32.add (local.get 0) (i32.const 1000)))
                (i32.xor (i32.and (i32.mul (local.get 0) (i32.const 3)) (i32.const 0xff))
                         (i32.shl (local.get 0) (i32.const 5)))
                (i32.or (i32.const 0x100))
                (i32.add (i32.sub (i32.const 7) (local.get 0)))
                (br_if 0 (i32.lt_u (i32.const 9) (local.get 0)))
                drop (i32.const 11)))"#,
        )
        .unwrap();
        let f = m.inner.code(0).unwrap();
        // 64 stays (an address, read from its slot); 11 is copied out as the result;
        // 1000, 3, 0xff, 0x100 and 9 are immediates only; 7 - x keeps 7 in a slot, and
        // the shift by 5 fuses with the xor (a shift-xor reads its amount from a slot).
        let mut pool = f.consts.to_vec();
        pool.sort_unstable();
        assert_eq!(pool, [5, 7, 11, 64]);
        let imms: Vec<u32> = f
            .code
            .iter()
            .filter_map(|i| match i {
                Instr::BinI(b) => Some(b.imm),
                Instr::BrIfI32Imm(b) => Some(b.imm),
                _ => None,
            })
            .collect();
        assert_eq!(imms, [1000, 3, 0xff, 0x100, 9]);
    }

    #[test]
    fn a_table_on_a_byte_just_loaded_is_one_instruction() {
        let engine = Engine::default();
        let m = Module::new(
            &engine,
            r#"(module (memory 1)
                (func (param i32) (result i32) (local i32)
                  (block (block
                    (br_table 0 1 (local.tee 1 (i32.load8_u offset=3 (local.get 0)))))
                    (return (i32.const 1)))
                  (local.get 1))
                (func (param i32) (result i32)
                  (block (block
                    (br_table 0 1 (i32.load8_u (local.get 0)))))
                  (i32.const 2))
                (func (param i32) (result i32)
                  (block (block
                    (br_table 0 1 (i32.load16_u (local.get 0)))))
                  (i32.const 2)))"#,
        )
        .unwrap();
        let tables = |func| {
            let f = m.inner.code(func).unwrap();
            let t: Vec<Instr> = f
                .code
                .iter()
                .filter(|i| i.table_len().is_some())
                .copied()
                .collect();
            (
                t,
                f.code
                    .iter()
                    .filter(|i| { **i }.load_mut().is_some())
                    .count(),
            )
        };
        // The tee'd local is still written; a fused load leaves no load behind.
        let (t, loads) = tables(0);
        assert!(
            matches!(t[..], [Instr::BrTableLoad8U { dst, offset, len: 1, .. }] if offset == 3 && dst == 1)
        );
        assert_eq!(loads, 0);
        let (t, loads) = tables(1);
        assert!(matches!(t[..], [Instr::BrTableLoad8U { len: 1, .. }]));
        assert_eq!(loads, 0);
        // Other loads are not fused.
        let (t, loads) = tables(2);
        assert!(matches!(t[..], [Instr::BrTable { len: 1, .. }]));
        assert_eq!(loads, 1);
    }

    #[test]
    fn loads_fuse_into_their_consumers() {
        // `acc[q] += k * a[p]`, as in a matrix product's inner loop.
        let c = code(
            r#"(module (memory 1) (func (param $p i32) (param $q i32) (param $k f64)
                (f64.store offset=8 (local.get $q)
                  (f64.add (f64.mul (local.get $k) (f64.load offset=16 (local.get $p)))
                           (f64.load offset=8 (local.get $q))))))"#,
        );
        let mul = BinLd {
            op: LdBinOp::F64MulLd,
            dst: ACC,
            a: 2,
            addr: 0,
            offset: 16,
        };
        let rmw = Rmw {
            op: RmwOp::F64Add,
            addr: 1,
            value: ACC,
            offset: 8,
        };
        assert_eq!(
            &c[..3],
            &[Instr::BinLd(mul), Instr::Rmw(rmw), Instr::Return]
        );
    }

    #[test]
    fn operand_order_of_fused_loads() {
        let c = code(
            r#"(module (memory 1) (func (param i32 f64) (result f64)
                (f64.sub (f64.load (local.get 0)) (local.get 1))))"#,
        );
        assert!(
            matches!(
                c[0],
                Instr::BinLd(BinLd {
                    op: LdBinOp::F64LdSub,
                    a: 1,
                    addr: 0,
                    ..
                })
            ),
            "{c:?}"
        );
        let c = code(
            r#"(module (memory 1) (func (param i32 f64) (result f64)
                (f64.sub (local.get 1) (f64.load (local.get 0)))))"#,
        );
        assert!(
            matches!(
                c[0],
                Instr::BinLd(BinLd {
                    op: LdBinOp::F64SubLd,
                    a: 1,
                    addr: 0,
                    ..
                })
            ),
            "{c:?}"
        );
        // A narrow load or a load of another type is not an operand form.
        let c = code(
            r#"(module (memory 1) (func (param i32 i32) (result i32)
                (i32.add (local.get 1) (i32.load8_u (local.get 0)))))"#,
        );
        assert!(
            c.iter().all(|i| { *i }.load_operand_mut().is_none()),
            "{c:?}"
        );
    }

    #[test]
    fn loads_from_address_sums_fuse_with_16_bit_offsets() {
        let wat = |offset: u32| {
            format!(
                r#"(module (memory 1) (func (param i32 i32 f64) (result f64)
                    (f64.sub (local.get 2)
                      (f64.load offset={offset} (i32.add (local.get 0) (local.get 1))))))"#
            )
        };
        let c = code(&wat(0xffff));
        let want = BinLdX {
            op: LdBinOp::F64SubLd,
            dst: 3,
            a: 2,
            x: 0,
            y: 1,
            offset: 0xffff,
        };
        assert_eq!(c[0], Instr::BinLdX(want), "{c:?}");
        let c = code(&wat(0x10000));
        assert!(matches!(c[0], Instr::F64LoadX(_)), "{c:?}");
        assert!(matches!(c[1], Instr::F64Sub(_)), "{c:?}");
    }

    #[test]
    fn read_modify_write_needs_the_same_address() {
        // Stored to another offset: the add keeps its load, the store stays a store.
        let c = code(
            r#"(module (memory 1) (func (param i32 i32)
                (i32.store offset=4 (local.get 0)
                  (i32.add (i32.load (local.get 0)) (local.get 1)))))"#,
        );
        assert!(
            matches!(
                c[0],
                Instr::BinLd(BinLd {
                    op: LdBinOp::I32AddLd,
                    ..
                })
            ),
            "{c:?}"
        );
        assert!(matches!(c[1], Instr::I32Store(_)), "{c:?}");
        // `v - [m]` stored back is not `[m] = [m] - v`.
        let c = code(
            r#"(module (memory 1) (func (param i32 i32)
                (i32.store (local.get 0)
                  (i32.sub (local.get 1) (i32.load (local.get 0))))))"#,
        );
        assert!(
            matches!(
                c[0],
                Instr::BinLd(BinLd {
                    op: LdBinOp::I32SubLd,
                    ..
                })
            ),
            "{c:?}"
        );
        assert!(matches!(c[1], Instr::I32Store(_)), "{c:?}");
    }

    #[test]
    fn deterministic_mode_keeps_the_canonicalization_before_the_store() {
        let mut config = Config::new();
        config.deterministic(true);
        let c = code_with(
            &config,
            r#"(module (memory 1) (func (param i32 f64)
                (f64.store (local.get 0)
                  (f64.add (f64.load (local.get 0)) (local.get 1)))))"#,
        );
        assert!(
            matches!(
                c[0],
                Instr::BinLd(BinLd {
                    op: LdBinOp::F64AddLd,
                    ..
                })
            ),
            "{c:?}"
        );
        assert!(matches!(c[1], Instr::CanonNan { is64: true, .. }), "{c:?}");
        assert!(matches!(c[2], Instr::F64Store(_)), "{c:?}");
    }

    #[test]
    fn multiplications_fuse_into_the_addition_that_reads_them() {
        let wat = |t: &str, order: &str| {
            format!(
                r#"(module (func (param $a {t}) (param $b {t}) (param $c {t}) (result {t})
                    {order}))"#
            )
        };
        let mc = "(TY.add (TY.mul (local.get $a) (local.get $b)) (local.get $c))";
        let cm = "(TY.add (local.get $c) (TY.mul (local.get $a) (local.get $b)))";
        let xor = |order: &str, shift: &str| {
            order
                .replace("TY.add", "TY.xor")
                .replace("TY.mul", &format!("TY.{shift}"))
        };
        let cases = [
            ("i32", mc, MulAddOp::I32),
            ("i32", cm, MulAddOp::I32),
            ("i64", mc, MulAddOp::I64),
            ("f32", mc, MulAddOp::F32),
            ("f32", cm, MulAddOp::F32),
            ("f64", mc, MulAddOp::F64),
            ("f64", cm, MulAddOp::F64),
            ("i32", &mc.replace("TY.mul", "TY.shl"), MulAddOp::I32Shl),
            ("i64", &cm.replace("TY.mul", "TY.shl"), MulAddOp::I64Shl),
            ("i32", &xor(mc, "shl"), MulAddOp::I32ShlXor),
            ("i64", &xor(cm, "shl"), MulAddOp::I64ShlXor),
            ("i32", &xor(cm, "shr_u"), MulAddOp::I32ShrUXor),
            ("i64", &xor(mc, "shr_u"), MulAddOp::I64ShrUXor),
        ];
        for (t, order, op) in cases {
            let c = code(&wat(t, &order.replace("TY", t)));
            let Instr::MulAdd(m) = c[0] else {
                panic!("{t} {order}: {c:?}");
            };
            assert_eq!((m.op, m.a, m.b, m.c), (op, 0, 1, 2), "{t} {order}");
            assert!(matches!(c[1], Instr::ReturnOne { .. }), "{c:?}");
        }
        // A zero test added to a count, in either order.
        for order in [
            "(i32.add (i32.eqz (local.get $a)) (local.get $c))",
            "(i32.add (local.get $c) (i32.eqz (local.get $a)))",
        ] {
            let c = code(&wat("i32", order));
            let Instr::MulAdd(m) = c[0] else {
                panic!("{order}: {c:?}");
            };
            assert_eq!(
                (m.op, m.a, m.b, m.c),
                (MulAddOp::I32EqzAdd, 0, 0, 2),
                "{order}"
            );
        }
        // The product read by something else, or from the accumulator, or under
        // deterministic NaNs (a canonicalization comes between): no fusion.
        let kept = [
            "(i32.add (i32.mul (local.get $a) (local.get $b)) (i32.mul (local.get $a) (local.get $c)))",
            "(i32.add (i32.mul (i32.add (local.get $a) (local.get $b)) (local.get $b)) (local.get $c))",
            "(i32.sub (i32.mul (local.get $a) (local.get $b)) (local.get $c))",
            "(i32.xor (i32.shr_s (local.get $a) (local.get $b)) (local.get $c))",
        ];
        for body in kept {
            let c = code(&wat("i32", body));
            let fused = c.iter().filter(|i| matches!(i, Instr::MulAdd(_))).count();
            // The first has one fusable pair (the second product), the others none.
            let want = usize::from(body == kept[0]);
            assert_eq!(fused, want, "{body}: {c:?}");
        }
        let mut config = Config::new();
        config.deterministic(true);
        let c = code_with(&config, &wat("f64", &mc.replace("TY", "f64")));
        assert!(!c.iter().any(|i| matches!(i, Instr::MulAdd(_))), "{c:?}");
    }

    #[test]
    fn select_reads_a_value_computed_before_its_loaded_condition_from_the_accumulator() {
        // `s = c ? s : s * 31 + i`, with `c` a byte loaded (and kept) after the product.
        let wat = |load: &str| {
            format!(
                r#"(module (memory 1) (func (param $s i32) (param $i i32) (result i32) (local $c i32)
                  (select (local.get $s)
                          (i32.add (i32.mul (local.get $s) (i32.const 31)) (local.get $i))
                          (local.tee $c {load}))
                  (i32.add (local.get $c))))"#
            )
        };
        let c = code(&wat("(i32.load8_u offset=7 (local.get $i))"));
        let at = c.iter().position(|i| matches!(i, Instr::Select { .. }));
        let Some(Instr::Select { b: ACC, cond, .. }) = at.map(|at| c[at]) else {
            panic!("{c:?}");
        };
        let at = at.unwrap_or(0);
        assert!(
            matches!(c[at - 1], Instr::I32Load8U(Ld { dst, .. }) if dst == cond),
            "{c:?}"
        );
        assert_eq!({ c[at - 2] }.dst_mut().copied(), Some(ACC), "{c:?}");
        // Anything else between the product and the select (here an add of the
        // condition): the product goes through its slot.
        let c = code(&wat("(i32.add (local.get $i) (i32.const 1))"));
        assert!(
            c.iter().all(|i| !matches!(i, Instr::Select { b: ACC, .. })),
            "{c:?}"
        );
    }

    #[test]
    fn calls_copy_one_or_two_arguments_themselves() {
        let c = code(
            r#"(module (func (param i32 i32) (result i32)
                (i32.add (call $f (local.get 1) (local.get 0))
                         (call $f (i32.add (local.get 0) (i32.const 1)) (local.get 1))))
              (func $f (param i32 i32) (result i32)
                (if (result i32) (local.get 0)
                  (then (call $f (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
                  (else (local.get 1)))))"#,
        );
        let calls: Vec<_> = c
            .iter()
            .filter_map(|i| match *i {
                Instr::CallCopy {
                    base,
                    dst,
                    src,
                    dst2,
                    src2,
                    ..
                } => Some((dst - base, src, dst2 - base, src2)),
                _ => None,
            })
            .collect();
        // Two copies into the first call's arguments; one (the same twice) into the
        // second's, whose first argument is computed in place.
        assert_eq!(calls, [(0, 1, 1, 0), (1, 1, 1, 1)], "{c:?}");
        assert!(
            !c.iter()
                .any(|i| matches!(i, Instr::Copy2 { .. } | Instr::Call { .. })),
            "{c:?}"
        );
    }
}
