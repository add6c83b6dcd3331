//! The translator's state and its passes: one Cranelift function per compiled
//! function, walking its register code once per pass.
//!
//! - Slots are Cranelift variables (untyped `i64`, as the interpreter's slots are
//!   untyped `u64`, or `f64` where every access is one; typed reads and writes
//!   convert; a pair of slots used only as one `v128` is one vector variable, see
//!   [`Usage::slot_types`]), constant slots nothing writes are constants where they
//!   are read, and the accumulator is a value. The frame
//!   is read only when native code is entered and written only when it leaves, calls
//!   and returns.
//! - Entering: the entry block tells a native call ([`NATIVE_CALL_ENTRY`]: the
//!   parameters are in the frame, the locals and constants are known) from an entry by
//!   the interpreter, whose block loads every slot the code touches from the frame and
//!   dispatches on the entry id to the instruction it names: the function's start, or
//!   a loop header (on-stack replacement: the interpreter enters a running loop).
//! - Leaving: every way out but a return or a trap goes through one exit block, which
//!   writes back every slot the code writes and, for a natively called function, the
//!   locals and constants the frame does not hold yet; then it reports the instruction
//!   to go on at (`NATIVE_CONTINUE`). An instruction not translated (yet) is such an
//!   exit to itself. A trap reports where it happened and which it is
//!   (`NATIVE_TRAP`) through a block of its own, which writes no slot back.
//!
//! It owns no instruction's semantics: `numeric`, `memory`, `control` and `call` emit
//! those, through the operand, branch and exit helpers here; the copies, `select`,
//! globals and NaN canonicalization are few enough to stay here.

use std::mem::offset_of;

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, Function, InstBuilder, JumpTableData, MemFlagsData, SigRef,
    Signature, SourceLoc, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use super::slots::{pair_flags, Lanes, Shape, Ty, Usage};
use super::{call, code_of, control, memory, numeric, simd};
use crate::compile::isa::{
    table_entries, CompiledFunc, Instr, NativeCtx, NativeExit, NativeModule, Slot,
    NATIVE_CALL_ENTRY, NATIVE_CONTINUE, NATIVE_REFUSED, NATIVE_TRAP,
};
use crate::error::TrapCode;

/// An instruction the translator leaves to the interpreter.
pub(super) struct Unsupported;

/// The translator of one function.
pub(super) struct Tx<'a, 'b> {
    pub(super) b: &'b mut FunctionBuilder<'a>,
    pub(super) code: &'b CompiledFunc,
    pub(super) module: NativeModule<'b>,
    /// Per slot, its variable once the code touched it.
    pub(super) vars: Vec<Option<Variable>>,
    /// Per slot, whether some translated instruction writes it.
    pub(super) written: Vec<bool>,
    /// Per slot, the type of its variable.
    pub(super) types: Vec<Ty>,
    /// Per slot, whether it is the high half of a `v128` whose first slot's variable
    /// holds it whole (then it has no variable of its own).
    pub(super) hi: Vec<bool>,
    /// Per slot, whether it is a constant slot no instruction writes (then it has no
    /// variable: each read is the constant).
    pub(super) fixed: Vec<bool>,
    /// What is known of values as lanes of vectors (see [`Lanes`]).
    pub(super) lanes: Lanes,
    /// Per i32 address value, the end (offset plus size) of the furthest access at it
    /// checked against memory 0's length since the last label: an access that ends
    /// no further needs no check (memory 0 never shrinks, and native code never grows
    /// it).
    pub(super) checked: std::collections::HashMap<Value, u64>,
    /// Values converted to another type since the last label (a slot read as an i32
    /// twice is one value, so its accesses share their checks).
    pub(super) converted: std::collections::HashMap<(Value, Ty), Value>,
    /// Per unchecked memory access (see `memory::address`), in order, the instruction
    /// it belongs to.
    pub(super) accesses: Vec<u32>,
    /// What this pass learns of how slots are used (for the next pass's `types`).
    pub(super) usage: Usage,
    /// The accumulator: the value the previous instruction left for this one, if any
    /// (it never lives across a label, so it is a value, not a variable).
    pub(super) acc: Option<(Value, Ty)>,
    /// Per instruction, the block that starts there (branch targets and entries).
    pub(super) blocks: Vec<Option<Block>>,
    /// The exit block: `(status, pc)` (see the module docs; the trap and the
    /// accumulator are stored where native code leaves).
    pub(super) exit: Block,
    /// The block a trap leaves by, `(pc, trap)`: it writes nothing back (a trapped
    /// frame is never resumed or read).
    pub(super) trapped: Block,
    /// The function's parameters (see `NativeFn`).
    pub(super) sp: Value,
    pub(super) cx: Value,
    pub(super) depth: Value,
    /// Whether native code called the function (an `i8` flag).
    pub(super) called: Value,
    /// The signatures of native code (for native calls), of `NativeCtx::unwound`,
    /// `fill` and `copy`.
    pub(super) native_sig: SigRef,
    pub(super) unwound_sig: SigRef,
    pub(super) fill_sig: SigRef,
    pub(super) copy_sig: SigRef,
    /// The instruction being translated.
    pub(super) pc: usize,
    /// Whether the current block has ended (what follows is unreachable until the
    /// next block starts).
    pub(super) ended: bool,
}

/// A function translated: the Cranelift function, its entry points (see
/// `Native::entries`), and per unchecked memory access, in order, the instruction it
/// belongs to (`memory::address`).
pub(super) struct Translated {
    pub func: Function,
    pub entries: Vec<u32>,
    pub accesses: Vec<u32>,
}

/// Translates `code` into a Cranelift function. `None` if nothing in it would run
/// natively.
pub(super) fn translate(
    code: &CompiledFunc,
    isa: &OwnedTargetIsa,
    module: NativeModule<'_>,
) -> Option<Translated> {
    // The first pass only learns how each slot is used; the second builds the
    // function with each slot's variable of the type it is used as.
    let n = code.frame_size as usize;
    let untyped = Shape {
        types: vec![Ty::I64; n],
        hi: vec![false; n],
        fixed: vec![false; n],
    };
    let (_, usage) = build(code, isa, module, untyped)?;
    let (types, hi) = usage.slot_types();
    // Constant slots the code never writes are constants where they are read (no
    // variable: the code generator folds them into instructions as immediates).
    let consts = code.locals_end as usize..code.locals_end as usize + code.consts.len();
    let fixed = (0..n)
        .map(|s| consts.contains(&s) && !usage.written[s])
        .collect();
    let shape = Shape { types, hi, fixed };
    let (t, _) = build(code, isa, module, shape)?;
    Some(t)
}

/// One pass of the translation, with slot variables of `types`.
fn build(
    code: &CompiledFunc,
    isa: &OwnedTargetIsa,
    module: NativeModule<'_>,
    shape: Shape,
) -> Option<(Translated, Usage)> {
    let ptr = isa.pointer_type();
    let mut func = Function::with_name_signature(UserFuncName::default(), signature(isa));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);

    let n = code.code.len();
    let is_entry = table_entries(&code.code);
    // Blocks start at every branch target; loop headers (targets of backward
    // branches) and the start are the entries.
    let mut blocks: Vec<Option<Block>> = vec![None; n + 1];
    // Per loop header, the last instruction that branches back to it.
    let mut backward: Vec<Option<usize>> = vec![None; n];
    // The entry block comes first in the layout; it goes on to the block that loads
    // the slots and dispatches, or to the one that starts a native call, both filled
    // last (once the slots used are known).
    let entry_block = b.create_block();
    b.append_block_params_for_function_params(entry_block);
    let load = b.create_block();
    let start = b.create_block();
    b.switch_to_block(entry_block);
    let params = b.block_params(entry_block).to_vec();
    let called = b
        .ins()
        .icmp_imm_u(IntCC::Equal, params[1], NATIVE_CALL_ENTRY as i64);
    let check = b.create_block();
    b.ins().brif(called, check, &[], load, &[]);
    // A native call: the interpreter's limits and the host stack's floor first.
    b.switch_to_block(check);
    refuse_unless_room(&mut b, code, ptr, &params, start);
    blocks[0] = Some(b.create_block());
    for (pc, i) in code.code.iter().enumerate() {
        if let Some(off) = { *i }.branch_offset_mut().copied() {
            let t = (pc as i64 + off as i64) as usize;
            if t < n {
                blocks[t].get_or_insert_with(|| b.create_block());
                if t <= pc {
                    backward[t] = Some(backward[t].map_or(pc, |e| e.max(pc)));
                }
            }
        }
    }
    let native_sig = b.import_signature(signature(isa));
    let mut unwound = Signature::new(isa.default_call_conv());
    for ty in [ptr, types::I32, ptr] {
        unwound.params.push(AbiParam::new(ty));
    }
    let unwound_sig = b.import_signature(unwound);
    let mut helper = |params: [Type; 3]| {
        let mut sig = Signature::new(isa.default_call_conv());
        for ty in params {
            sig.params.push(AbiParam::new(ty));
        }
        b.import_signature(sig)
    };
    let fill_sig = helper([ptr, types::I32, ptr]);
    let copy_sig = helper([ptr, ptr, ptr]);
    let exit = b.create_block();
    for ty in [types::I32, types::I32] {
        b.append_block_param(exit, ty);
    }
    let trapped = b.create_block();
    b.set_cold_block(trapped);
    for ty in [types::I32, types::I32] {
        b.append_block_param(trapped, ty);
    }
    let mut tx = Tx {
        b: &mut b,
        code,
        module,
        vars: vec![None; code.frame_size as usize],
        written: vec![false; code.frame_size as usize],
        types: shape.types,
        hi: shape.hi,
        fixed: shape.fixed,
        lanes: Lanes::default(),
        checked: std::collections::HashMap::new(),
        converted: std::collections::HashMap::new(),
        accesses: Vec::new(),
        usage: Usage {
            masks: vec![0; code.frame_size as usize],
            ..Usage::default()
        },
        acc: None,
        blocks,
        exit,
        trapped,
        sp: params[0],
        cx: params[2],
        depth: params[3],
        called,
        native_sig,
        unwound_sig,
        fill_sig,
        copy_sig,
        pc: 0,
        ended: true,
    };

    // The body, instruction by instruction.
    // Per instruction: translated, or unreachable.
    let mut supported = vec![false; n];
    let mut dead = vec![false; n];
    let mut pc = 0;
    while pc < n {
        if let Some(block) = tx.blocks[pc] {
            if !tx.ended {
                tx.b.ins().jump(block, &[]);
            }
            tx.b.switch_to_block(block);
            tx.ended = false;
            // The accumulator never lives across a label, nor do checked addresses.
            tx.acc = None;
            tx.checked.clear();
            tx.converted.clear();
        }
        if tx.ended || is_entry[pc] {
            dead[pc] = tx.ended;
            pc += 1;
            continue;
        }
        tx.pc = pc;
        // The machine code of the instruction is marked with its position, which the
        // guard-page traps and the frames of native calls are found by (`fault`).
        tx.b.set_srcloc(SourceLoc::new(pc as u32));
        let i = code.code[pc];
        match tx.instr(&i) {
            Ok(()) => supported[pc] = true,
            Err(Unsupported) => tx.leave_at(pc),
        }
        pc += 1;
    }
    if !tx.ended {
        // The verifier proved the last instruction never falls through.
        tx.leave_at(n.saturating_sub(1));
    }
    if !supported.first().copied().unwrap_or(false) {
        // Native code that would leave at once is worth nothing.
        return None;
    }

    // Entries: the start, and the headers of the loops native code runs without
    // handing anything back (every instruction from the header to the last branch
    // back to it translated). A loop that hands back would leave and enter native
    // code on every iteration, which costs more than interpreting it (measured: fib,
    // whose recursion clang turns into a loop around a call, took 2.6 times as long
    // when calls were left to the interpreter).
    let native_loop = |t: usize| {
        backward[t].is_some_and(|end| (t..=end).all(|pc| supported[pc] || is_entry[pc] || dead[pc]))
    };
    let mut entries: Vec<u32> = vec![0];
    entries.extend((1..n).filter(|&t| native_loop(t)).map(|t| t as u32));

    tx.exit_block();
    tx.start_block(start);
    tx.load_block(load, &entries);
    tx.b.seal_all_blocks();
    let mut usage = std::mem::take(&mut tx.usage);
    usage.written = std::mem::take(&mut tx.written);
    let accesses = std::mem::take(&mut tx.accesses);
    b.finalize(isa.frontend_config());
    let t = Translated {
        func,
        entries,
        accesses,
    };
    Some((t, usage))
}

/// Returns `NATIVE_REFUSED` unless the frame of a native call (`params` are the
/// function's) has room: another frame (the depth left), its slots (as the
/// interpreter counts them) before the stack's end, and the host stack above its
/// floor; else goes on to `start`.
fn refuse_unless_room(
    b: &mut FunctionBuilder,
    code: &CompiledFunc,
    ptr: Type,
    params: &[Value],
    start: Block,
) {
    let (sp, cx, depth) = (params[0], params[2], params[3]);
    let f = MemFlagsData::trusted().with_readonly().with_can_move();
    // The caller passed its own depth less one: below zero, no frame is left.
    let deep = b.ins().icmp_imm_s(IntCC::SignedLessThan, depth, 0);
    let end = b.ins().iadd_imm_u(sp, code.stack_frame_size() as i64 * 8);
    let slots_end = b
        .ins()
        .load(ptr, f, cx, offset_of!(NativeCtx, slots_end) as i32);
    let full = b.ins().icmp(IntCC::UnsignedGreaterThan, end, slots_end);
    let here = b.ins().get_stack_pointer(ptr);
    let floor = b
        .ins()
        .load(ptr, f, cx, offset_of!(NativeCtx, stack_floor) as i32);
    let low = b.ins().icmp(IntCC::UnsignedLessThan, here, floor);
    let a = b.ins().bor(deep, full);
    let no = b.ins().bor(a, low);
    let refuse = b.create_block();
    b.set_cold_block(refuse);
    b.ins().brif(no, refuse, &[], start, &[]);
    b.switch_to_block(refuse);
    let status = b.ins().iconst(types::I32, NATIVE_REFUSED as i64);
    b.ins().return_(&[status]);
}

/// The signature of native code (see `NativeFn`), which native calls use too.
pub(super) fn signature(isa: &OwnedTargetIsa) -> Signature {
    let ptr = isa.pointer_type();
    let mut sig = Signature::new(isa.default_call_conv());
    for ty in [ptr, types::I32, ptr, types::I32] {
        sig.params.push(AbiParam::new(ty));
    }
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

impl Tx<'_, '_> {
    /// The value slot `s` holds when the function starts: `None` for a parameter
    /// (the caller put it in the frame), else its constant, or zero (locals, and
    /// temporaries, which nothing reads before writing).
    fn initial(&self, s: usize) -> Option<u64> {
        let c = self.code;
        if s < c.num_params as usize {
            return None;
        }
        let k = s.wrapping_sub(c.locals_end as usize);
        Some(if s < c.locals_end as usize {
            0
        } else {
            c.consts.get(k).copied().unwrap_or(0)
        })
    }

    /// The slots that hold what the frame does not when native code called the
    /// function: its locals and constants.
    fn initialized(&self) -> std::ops::Range<usize> {
        let c = self.code;
        c.num_params as usize..(c.locals_end as usize + c.consts.len()).min(self.vars.len())
    }

    /// Fills the exit block (see the module docs).
    fn exit_block(&mut self) {
        // Traps: where and which, no slots.
        let trapped = self.trapped;
        self.b.switch_to_block(trapped);
        let args = self.b.block_params(trapped).to_vec();
        let out = offset_of!(NativeCtx, exit);
        let f = MemFlagsData::trusted();
        self.b.ins().store(
            f,
            args[0],
            self.cx,
            (out + offset_of!(NativeExit, pc)) as i32,
        );
        self.b.ins().store(
            f,
            args[1],
            self.cx,
            (out + offset_of!(NativeExit, trap)) as i32,
        );
        let status = self.b.ins().iconst(types::I32, NATIVE_TRAP as i64);
        self.b.ins().return_(&[status]);

        let exit = self.exit;
        self.b.switch_to_block(exit);
        let args = self.b.block_params(exit).to_vec();
        // A natively called function's frame holds only its parameters: the other
        // locals and constants get the values they start with, unless written below.
        let init = self.b.create_block();
        let wb = self.b.create_block();
        self.b.set_cold_block(init);
        self.b.ins().brif(self.called, init, &[], wb, &[]);
        self.b.switch_to_block(init);
        for s in self.initialized() {
            if self.written[s] {
                continue;
            }
            let v = self.initial(s).unwrap_or(0);
            let x = self.b.ins().iconst(types::I64, v as i64);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), x, self.sp, (s * 8) as i32);
        }
        self.b.ins().jump(wb, &[]);
        self.b.switch_to_block(wb);
        // Write back the written slots.
        let report = self.b.create_block();
        self.b.ins().jump(report, &[]);
        self.b.switch_to_block(report);
        for s in 0..self.vars.len() {
            if let (Some(v), true) = (self.vars[s], self.written[s]) {
                // All 64 bits, as loaded or computed (an f64 variable holds them
                // exactly), or both slots of a vector.
                let x = self.b.use_var(v);
                let f = match self.types[s] {
                    Ty::V128 => pair_flags(),
                    _ => MemFlagsData::trusted(),
                };
                self.b.ins().store(f, x, self.sp, (s * 8) as i32);
            }
        }
        let out = offset_of!(NativeCtx, exit);
        let f = MemFlagsData::trusted();
        let cx = self.cx;
        self.b
            .ins()
            .store(f, args[1], cx, (out + offset_of!(NativeExit, pc)) as i32);
        self.b.ins().return_(&[args[0]]);
    }

    /// Defines every slot's variable where native code starts: `known(s)`, its value
    /// if that is known, else loaded from the frame.
    fn define_slots(&mut self, known: impl Fn(&Self, usize) -> Option<u64>) {
        for s in 0..self.vars.len() {
            let Some(v) = self.vars[s] else { continue };
            let ty = self.types[s];
            let x = match (ty, known(self, s), known(self, s + 1)) {
                (Ty::V128, Some(lo), Some(hi)) => self.vconst(lo, hi),
                (Ty::V128, None, None) => {
                    let f = pair_flags();
                    self.b.ins().load(types::I8X16, f, self.sp, (s * 8) as i32)
                }
                (Ty::V128, lo, hi) => {
                    let mut half = |k: usize, c: Option<u64>| match c {
                        Some(c) => self.b.ins().iconst(types::I64, c as i64),
                        None => {
                            let f = MemFlagsData::trusted();
                            self.b.ins().load(types::I64, f, self.sp, (k * 8) as i32)
                        }
                    };
                    let lo = half(s, lo);
                    let hi = half(s + 1, hi);
                    let v = self.b.ins().scalar_to_vector(types::I64X2, lo);
                    let v = self.b.ins().insertlane(v, hi, 1);
                    self.cast(v, types::I8X16)
                }
                (_, Some(c), _) => {
                    let raw = self.b.ins().iconst(types::I64, c as i64);
                    self.typed(raw, ty)
                }
                (_, None, _) => {
                    let f = MemFlagsData::trusted();
                    self.b.ins().load(ty.clif(), f, self.sp, (s * 8) as i32)
                }
            };
            self.b.def_var(v, x);
        }
    }

    /// Fills the block a native call starts at: the parameters from the frame, the
    /// other slots their initial values.
    fn start_block(&mut self, start: Block) {
        self.b.switch_to_block(start);
        self.define_slots(Self::initial);
        let first = self.blocks[0].expect("the start has a block");
        self.b.ins().jump(first, &[]);
    }

    /// Fills the block the interpreter's entries start at: load the slots the code
    /// touches, dispatch to the entry point.
    fn load_block(&mut self, load: Block, entries: &[u32]) {
        self.b.switch_to_block(load);
        self.define_slots(|tx, s| tx.constant(s as Slot));
        let calls: Vec<_> = entries
            .iter()
            .map(|&pc| {
                let block = self.blocks[pc as usize].expect("entries start blocks");
                self.b.func.dfg.block_call(block, &[])
            })
            .collect();
        // An entry id out of range is never passed; it goes to the first entry. (Each
        // jump table entry needs its own `BlockCall`: the SSA construction adds
        // arguments to each in place.)
        let first = self.blocks[entries[0] as usize].expect("entries start blocks");
        let default = self.b.func.dfg.block_call(first, &[]);
        let table = JumpTableData::new(default, &calls);
        let jt = self.b.create_jump_table(table);
        let entry = self
            .b
            .func
            .dfg
            .block_params(self.b.func.layout.entry_block().expect("an entry block"))[1];
        self.b.ins().br_table(entry, jt);
    }

    /// A field of the native context (`NativeCtx`) that does not change while native
    /// code runs, of type `ty`, at byte `offset`.
    pub(super) fn ctx_load(&mut self, ty: Type, offset: usize) -> Value {
        let f = MemFlagsData::trusted().with_readonly().with_can_move();
        self.b.ins().load(ty, f, self.cx, offset as i32)
    }

    /// A pointer field of the native context, at byte `offset`.
    pub(super) fn ctx_ptr(&mut self, offset: usize) -> Value {
        let ptr = self.b.func.dfg.value_type(self.sp);
        self.ctx_load(ptr, offset)
    }

    /// The block of instruction `pc` (a branch target, so one exists).
    pub(super) fn block_at(&mut self, pc: usize) -> Block {
        match self.blocks.get(pc).copied().flatten() {
            Some(b) => b,
            None => {
                let b = self.b.create_block();
                if let Some(slot) = self.blocks.get_mut(pc) {
                    *slot = Some(b);
                }
                b
            }
        }
    }

    /// The target of the branch at the current instruction with offset `off`.
    pub(super) fn target(&mut self, off: i32) -> Block {
        let t = (self.pc as i64 + off as i64) as usize;
        self.block_at(t)
    }

    /// Leaves native code for the interpreter to execute instruction `pc`.
    pub(super) fn leave_at(&mut self, pc: usize) {
        let acc = self.acc.map(|(acc, ty)| self.untyped(acc, ty));
        self.set_trap_and_acc(acc);
        let status = self.b.ins().iconst(types::I32, NATIVE_CONTINUE as i64);
        let pcv = self.b.ins().iconst(types::I32, pc as i64);
        self.leave(status, pcv);
    }

    /// Stores no trap and accumulator `acc` (zero if `None`) in `NativeCtx::exit`,
    /// for a way out that is not a trap.
    pub(super) fn set_trap_and_acc(&mut self, acc: Option<Value>) {
        let at = offset_of!(NativeCtx, exit);
        let zero = self.b.ins().iconst(types::I32, 0);
        let trap = (at + offset_of!(NativeExit, trap)) as i32;
        self.b
            .ins()
            .store(MemFlagsData::trusted(), zero, self.cx, trap);
        let acc = match acc {
            Some(acc) => acc,
            None => self.b.ins().iconst(types::I64, 0),
        };
        let at = (at + offset_of!(NativeExit, acc)) as i32;
        self.b
            .ins()
            .store(MemFlagsData::trusted(), acc, self.cx, at);
    }

    /// Goes to the exit block with its arguments `(status, pc)` (the trap and the
    /// accumulator are in `NativeCtx::exit` already).
    pub(super) fn leave(&mut self, status: Value, pc: Value) {
        let args = [status, pc].map(BlockArg::Value);
        self.b.ins().jump(self.exit, &args);
        self.ended = true;
    }

    /// Leaves native code for the interpreter to execute the current instruction when
    /// `cond` (an integer) is not zero; goes on otherwise.
    pub(super) fn leave_if(&mut self, cond: Value) {
        let out = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(out);
        self.b.ins().brif(cond, out, &[], next, &[]);
        self.b.seal_block(out);
        self.b.seal_block(next);
        self.b.switch_to_block(out);
        self.leave_at(self.pc);
        self.b.switch_to_block(next);
        self.ended = false;
    }

    /// Traps with `code` at the current instruction when `cond` (an integer) is not
    /// zero; goes on otherwise.
    pub(super) fn trap_if(&mut self, cond: Value, code: TrapCode) {
        let trap = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(trap);
        self.b.ins().brif(cond, trap, &[], next, &[]);
        // Both have their one predecessor: sealed now, a slot read after the check
        // is the value read before it (not a block parameter to be resolved later).
        self.b.seal_block(trap);
        self.b.seal_block(next);
        self.b.switch_to_block(trap);
        self.trap(code);
        self.b.switch_to_block(next);
        self.ended = false;
    }

    /// Traps with `code` at the current instruction.
    pub(super) fn trap(&mut self, code: TrapCode) {
        let pcv = self.b.ins().iconst(types::I32, self.pc as i64);
        let tc = self.b.ins().iconst(types::I32, code_of(code) as i64);
        let args = [pcv, tc].map(BlockArg::Value);
        self.b.ins().jump(self.trapped, &args);
        self.ended = true;
    }

    /// Branches to the instruction at `off` when `cond` (an integer) is not zero.
    pub(super) fn branch_if(&mut self, cond: Value, off: i32) {
        let taken = self.target(off);
        let next = self.block_at(self.pc + 1);
        self.b.ins().brif(cond, taken, &[], next, &[]);
        self.ended = true;
    }

    /// Translates one instruction, or says it is left to the interpreter (before
    /// emitting anything).
    fn instr(&mut self, i: &Instr) -> Result<(), Unsupported> {
        if numeric::numeric(self, i)?
            || memory::memory(self, i)?
            || control::control(self, i)?
            || call::call(self, i)?
            || simd::simd(self, i)?
        {
            return Ok(());
        }
        match *i {
            Instr::Copy(o) => self.copy(o.dst, o.src),
            Instr::Copy2 {
                dst,
                src,
                dst2,
                src2,
            } if dst2 == dst.wrapping_add(1) && src2 == src.wrapping_add(1) => {
                self.copy_pair(dst, src)
            }
            Instr::Copy2 {
                dst,
                src,
                dst2,
                src2,
            } => {
                self.copy(dst, src);
                self.copy(dst2, src2);
            }
            Instr::CopyMany { dst, src, len } => self.copy_many(dst, src, len),
            Instr::GlobalGet { dst, global } => {
                let p = self.global(global);
                let v = self.b.ins().load(types::I64, MemFlagsData::trusted(), p, 0);
                self.set(dst, (v, Ty::I64));
            }
            Instr::GlobalSet { src, global } => {
                // The whole slot, as the interpreter stores it (the high half of the
                // global's `u128` stays zero).
                let (v, ty) = self.get(src);
                let v = self.untyped(v, ty);
                let p = self.global(global);
                self.b.ins().store(MemFlagsData::trusted(), v, p, 0);
            }
            Instr::CanonNan { slot, is64 } => {
                let ty = if is64 { Ty::F64 } else { Ty::F32 };
                let v = self.get_as(slot, ty);
                let nan = self.b.ins().fcmp(FloatCC::Unordered, v, v);
                let canon = if is64 {
                    self.b.ins().f64const(f64::from_bits(0x7ff8_0000_0000_0000))
                } else {
                    self.b.ins().f32const(f32::from_bits(0x7fc0_0000))
                };
                let v = self.b.ins().select(nan, canon, v);
                self.set_as(slot, v, ty);
            }
            Instr::Select { dst, cond, a, b } => {
                let c = self.get_as(cond, Ty::I32);
                let (x, tx) = self.get(a);
                let (y, ty) = self.get(b);
                let y = self.convert(y, ty, tx);
                let v = self.b.ins().select(c, x, y);
                self.link(a, dst);
                self.link(b, dst);
                self.set(dst, (v, tx));
            }
            _ => return Err(Unsupported),
        }
        Ok(())
    }

    /// The address of the 64-bit value of the running instance's global `g`.
    pub(super) fn global(&mut self, g: u32) -> Value {
        let ptr = self.b.func.dfg.value_type(self.sp);
        let globals = self.ctx_ptr(offset_of!(NativeCtx, globals));
        let inst_globals = self.ctx_ptr(offset_of!(NativeCtx, inst_globals));
        let f = MemFlagsData::trusted().with_readonly().with_can_move();
        let idx = self
            .b
            .ins()
            .load(types::I32, f, inst_globals, (g as i64 * 4) as i32);
        let idx = self.b.ins().uextend(ptr, idx);
        let layout = self.module.layout;
        let off = self.b.ins().imul_imm_u(idx, layout.global_size as i64);
        let base = self.b.ins().iadd(globals, off);
        self.b.ins().iadd_imm_u(base, layout.global_value as i64)
    }
}
