//! The translator's state and control flow: one Cranelift function per compiled
//! function, walking its register code once.
//!
//! - Slots are Cranelift variables (untyped `i64`, as the interpreter's slots are
//!   untyped `u64`; typed reads and writes convert), constant slots are constants, and
//!   the accumulator is one more variable. The frame is read only when native code is
//!   entered and written only when it leaves.
//! - The entry block loads every slot the code touches from the frame and dispatches
//!   on the entry id to the instruction it names: the function's start, or a loop
//!   header (on-stack replacement: the interpreter enters a running loop).
//! - Every way out goes through one exit block, which writes back every slot the code
//!   writes and reports the instruction to go on at (status `NATIVE_CONTINUE`) or the
//!   trap and where it happened (`NATIVE_TRAP`). An instruction not translated (yet) is
//!   such an exit to itself; so are returns and calls, which the interpreter performs.
//!
//! It owns no instruction's arithmetic or memory semantics: `numeric` and `memory`
//! emit those, through the operand helpers here.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, Function, InstBuilder, JumpTableData, MemFlagsData,
    Signature, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use super::{code_of, memory, numeric};
use crate::compile::isa::{
    table_entries, BrCmp, CompiledFunc, Cond, Instr, NativeLayout, Slot, ACC, NATIVE_CONTINUE,
    NATIVE_TRAP,
};
use crate::error::TrapCode;

/// The type a slot's value is read or written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Ty {
    I32,
    I64,
    F32,
    F64,
}

impl Ty {
    fn bit(self) -> u8 {
        match self {
            Ty::I32 => 1,
            Ty::I64 => 2,
            Ty::F32 => 4,
            Ty::F64 => 8,
        }
    }

    pub(super) fn clif(self) -> Type {
        match self {
            Ty::I32 => types::I32,
            Ty::I64 => types::I64,
            Ty::F32 => types::F32,
            Ty::F64 => types::F64,
        }
    }
}

/// An instruction the translator leaves to the interpreter.
pub(super) struct Unsupported;

/// The translator of one function.
pub(super) struct Tx<'a, 'b> {
    pub(super) b: &'b mut FunctionBuilder<'a>,
    code: &'b CompiledFunc,
    /// Per slot, its variable once the code touched it.
    vars: Vec<Option<Variable>>,
    /// Per slot, whether some translated instruction writes it.
    written: Vec<bool>,
    /// Per slot, the type of its variable.
    types: Vec<Ty>,
    /// What this pass learns of how slots are used (for the next pass's `types`).
    usage: Usage,
    /// The accumulator: the value the previous instruction left for this one, if any
    /// (it never lives across a label, so it is a value, not a variable).
    acc: Option<(Value, Ty)>,
    /// Per instruction, the block that starts there (branch targets and entries).
    blocks: Vec<Option<Block>>,
    exit: Block,
    /// The function's parameters: the frame, memory 0's base and length.
    pub(super) sp: Value,
    pub(super) mem: Value,
    pub(super) len: Value,
    /// The store's globals and the instance's map to them (see `NativeCtx`), and
    /// their layout.
    globals: Value,
    inst_globals: Value,
    /// The store's fuel, the engine's epoch and the store's deadline (`NativeCtx`).
    fuel: Value,
    epoch: Value,
    epoch_deadline: Value,
    layout: NativeLayout,
    /// The instruction being translated.
    pub(super) pc: usize,
    /// Whether the current block has ended (what follows is unreachable until the
    /// next block starts).
    ended: bool,
}

/// Translates `code` into a Cranelift function; also returns its entry points (see
/// `Native::entries`). `None` if nothing in it would run natively.
pub(super) fn translate(
    code: &CompiledFunc,
    isa: &OwnedTargetIsa,
    layout: NativeLayout,
) -> Option<(Function, Vec<u32>)> {
    // The first pass only learns how each slot is used; the second builds the
    // function with each slot's variable of the type it is used as.
    let untyped = vec![Ty::I64; code.frame_size as usize];
    let (_, _, usage) = build(code, isa, layout, untyped)?;
    let types = usage.slot_types();
    let (func, entries, _) = build(code, isa, layout, types)?;
    Some((func, entries))
}

/// How the slots are read and written: per slot, a mask of the types it is read or
/// written as (bits of [`Ty::bit`]); and the pairs of slots a value is moved between
/// untyped (copies, `select`), which had better share a type.
#[derive(Default)]
struct Usage {
    masks: Vec<u8>,
    links: Vec<(Slot, Slot)>,
}

impl Usage {
    /// The type of each slot's variable: `f64` where every access of it, and of every
    /// slot moved to or from it, reads or writes an f64, else the untyped `i64`.
    ///
    /// Only these two: both hold all 64 bits of a slot, so a value native code only
    /// moves, or never touches, keeps every bit. A narrower variable would not: a slot
    /// holds values of other types at other times (temporaries are reused, constant
    /// slots are shared by equal bits, and the interpreter runs the instructions native
    /// code leaves to it), and an i32 variable would drop the high half of an i64 that
    /// a copy moves through it.
    fn slot_types(&self) -> Vec<Ty> {
        let n = self.masks.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for &(a, b) in &self.links {
            let (a, b) = (a as usize, b as usize);
            if a < n && b < n {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
        let mut masks = vec![0u8; n];
        for s in 0..n {
            let r = root(&mut parent, s);
            masks[r] |= self.masks[s];
        }
        (0..n)
            .map(|s| {
                if masks[root(&mut parent, s)] == Ty::F64.bit() {
                    Ty::F64
                } else {
                    Ty::I64
                }
            })
            .collect()
    }
}

/// One pass of the translation, with slot variables of `types`.
fn build(
    code: &CompiledFunc,
    isa: &OwnedTargetIsa,
    layout: NativeLayout,
    types: Vec<Ty>,
) -> Option<(Function, Vec<u32>, Usage)> {
    let ptr = isa.pointer_type();
    let mut sig = Signature::new(isa.default_call_conv());
    for ty in [ptr, ptr, ptr, types::I32, ptr, ptr] {
        sig.params.push(AbiParam::new(ty));
    }
    sig.returns.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(UserFuncName::default(), sig);
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);

    let n = code.code.len();
    let is_entry = table_entries(&code.code);
    // Blocks start at every branch target; loop headers (targets of backward
    // branches) and the start are the entries.
    let mut blocks: Vec<Option<Block>> = vec![None; n + 1];
    // Per loop header, the last instruction that branches back to it.
    let mut backward: Vec<Option<usize>> = vec![None; n];
    // The entry block comes first in the layout; it jumps to the block that loads the
    // slots and dispatches, which is filled last (once the slots used are known).
    let entry_block = b.create_block();
    b.append_block_params_for_function_params(entry_block);
    let load = b.create_block();
    b.switch_to_block(entry_block);
    // The instance's globals, read once (see `NativeCtx`).
    let cx = b.block_params(entry_block)[5];
    let flags = MemFlagsData::trusted().with_readonly();
    let globals = b.ins().load(ptr, flags, cx, 0);
    let inst_globals = b.ins().load(ptr, flags, cx, ptr.bytes() as i32);
    let fuel = b.ins().load(ptr, flags, cx, 2 * ptr.bytes() as i32);
    let epoch = b.ins().load(ptr, flags, cx, 3 * ptr.bytes() as i32);
    let epoch_deadline = b.ins().load(types::I64, flags, cx, 4 * ptr.bytes() as i32);
    b.ins().jump(load, &[]);
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
    let exit = b.create_block();
    for ty in [types::I32, types::I32, types::I32, types::I64] {
        b.append_block_param(exit, ty);
    }
    let params = b.block_params(entry_block).to_vec();
    let mut tx = Tx {
        b: &mut b,
        code,
        vars: vec![None; code.frame_size as usize],
        written: vec![false; code.frame_size as usize],
        types,
        usage: Usage {
            masks: vec![0; code.frame_size as usize],
            links: Vec::new(),
        },
        acc: None,
        blocks,
        exit,
        sp: params[0],
        mem: params[1],
        len: params[2],
        globals,
        inst_globals,
        fuel,
        epoch,
        epoch_deadline,
        layout,
        pc: 0,
        ended: true,
    };

    // The body, instruction by instruction.
    // Per instruction: translated (returns count: they leave native code only to
    // leave the function), or unreachable.
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
            // The accumulator never lives across a label.
            tx.acc = None;
        }
        if tx.ended || is_entry[pc] {
            dead[pc] = tx.ended;
            pc += 1;
            continue;
        }
        tx.pc = pc;
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

    // Entries: the start, and the headers of the loops native code runs without
    // handing anything back (every instruction from the header to the last branch
    // back to it translated). A loop that hands back, a call say, would leave and
    // enter native code on every iteration, which costs more than interpreting it
    // (measured: fib, whose recursion clang turns into a loop around a call, took 2.6
    // times as long); a function without a native loop stays in the interpreter, as
    // it runs each instruction at most once per call.
    let native_loop = |t: usize| {
        backward[t].is_some_and(|end| (t..=end).all(|pc| supported[pc] || is_entry[pc] || dead[pc]))
    };
    let headers: Vec<usize> = (0..n).filter(|&t| native_loop(t)).collect();
    if headers.is_empty() {
        return None;
    }
    let mut entries: Vec<u32> = headers.iter().map(|&t| t as u32).collect();
    if supported[0] && headers[0] != 0 {
        entries.insert(0, 0);
    }

    // The exit: write back what the code writes, report, return the status.
    tx.b.switch_to_block(exit);
    let args = tx.b.block_params(exit).to_vec();
    for s in 0..tx.vars.len() {
        if let (Some(v), true) = (tx.vars[s], tx.written[s]) {
            // All 64 bits, as loaded or computed (an f64 variable holds them exactly).
            let x = tx.b.use_var(v);
            tx.b.ins()
                .store(MemFlagsData::trusted(), x, tx.sp, (s * 8) as i32);
        }
    }
    let out = params[4];
    tx.b.ins().store(MemFlagsData::trusted(), args[1], out, 0);
    tx.b.ins().store(MemFlagsData::trusted(), args[2], out, 4);
    tx.b.ins().store(MemFlagsData::trusted(), args[3], out, 8);
    tx.b.ins().return_(&[args[0]]);

    // The entry: load the slots the code touches, dispatch to the entry point.
    tx.b.switch_to_block(load);
    for s in 0..tx.vars.len() {
        if let Some(v) = tx.vars[s] {
            let ty = tx.types[s];
            let x = match tx.constant(s as Slot) {
                Some(c) => {
                    let raw = tx.b.ins().iconst(types::I64, c as i64);
                    tx.typed(raw, ty)
                }
                None => {
                    tx.b.ins()
                        .load(ty.clif(), MemFlagsData::trusted(), tx.sp, (s * 8) as i32)
                }
            };
            tx.b.def_var(v, x);
        }
    }
    let calls: Vec<_> = entries
        .iter()
        .map(|&pc| {
            let block = tx.blocks[pc as usize].expect("entries start blocks");
            tx.b.func.dfg.block_call(block, &[])
        })
        .collect();
    // An entry id out of range is never passed; it goes to the first entry. (Each
    // jump table entry needs its own `BlockCall`: the SSA construction adds arguments
    // to each in place.)
    let first = tx.blocks[entries[0] as usize].expect("entries start blocks");
    let default = tx.b.func.dfg.block_call(first, &[]);
    let table = JumpTableData::new(default, &calls);
    let jt = tx.b.create_jump_table(table);
    tx.b.ins().br_table(params[3], jt);

    tx.b.seal_all_blocks();
    let usage = std::mem::take(&mut tx.usage);
    b.finalize(isa.frontend_config());
    Some((func, entries, usage))
}

impl Tx<'_, '_> {
    /// The value of constant slot `s`, if it is one the code never writes.
    fn constant(&self, s: Slot) -> Option<u64> {
        let k = (s as usize).checked_sub(self.code.locals_end as usize)?;
        match self.written.get(s as usize) {
            Some(false) => self.code.consts.get(k).copied(),
            _ => None,
        }
    }

    fn var(&mut self, s: Slot) -> Variable {
        let i = s as usize;
        if let Some(v) = self.vars[i] {
            return v;
        }
        let v = self.b.declare_var(self.types[i].clif());
        self.vars[i] = Some(v);
        v
    }

    /// Slot `s` (or the accumulator) as it is held, with its type.
    fn get(&mut self, s: Slot) -> (Value, Ty) {
        if s == ACC {
            return match self.acc {
                Some(a) => a,
                None => (self.b.ins().iconst(types::I64, 0), Ty::I64),
            };
        }
        let v = self.var(s);
        (self.b.use_var(v), self.types[s as usize])
    }

    /// Writes `x`, of type `ty`, to slot `s` (or the accumulator).
    fn set(&mut self, s: Slot, (x, ty): (Value, Ty)) {
        if s == ACC {
            self.acc = Some((x, ty));
            return;
        }
        self.written[s as usize] = true;
        let to = self.types[s as usize];
        let x = self.convert(x, ty, to);
        let v = self.var(s);
        self.b.def_var(v, x);
    }

    /// Records that a value moves between slots `a` and `b` untyped.
    fn link(&mut self, a: Slot, b: Slot) {
        if a != ACC && b != ACC {
            self.usage.links.push((a, b));
        }
    }

    /// Records that slot `s` is read or written as `ty`.
    fn used_as(&mut self, s: Slot, ty: Ty) {
        if let Some(m) = self.usage.masks.get_mut(s as usize) {
            *m |= ty.bit();
        }
    }

    /// `x` of type `from` as a value of type `to` (the same bits).
    fn convert(&mut self, x: Value, from: Ty, to: Ty) -> Value {
        if from == to {
            return x;
        }
        let raw = self.untyped(x, from);
        self.typed(raw, to)
    }

    /// Slot `s` read as a value of type `ty`.
    pub(super) fn get_as(&mut self, s: Slot, ty: Ty) -> Value {
        self.used_as(s, ty);
        let (x, from) = self.get(s);
        self.convert(x, from, ty)
    }

    /// Writes `x`, of type `ty`, to slot `s`.
    pub(super) fn set_as(&mut self, s: Slot, x: Value, ty: Ty) {
        self.used_as(s, ty);
        self.set(s, (x, ty));
    }

    /// Raw `i64` bits `x` as a value of type `ty` (an i32 or f32 in the low half).
    pub(super) fn typed(&mut self, x: Value, ty: Ty) -> Value {
        let ins = self.b.ins();
        match ty {
            Ty::I64 => x,
            Ty::I32 => ins.ireduce(types::I32, x),
            Ty::F64 => ins.bitcast(types::F64, MemFlagsData::new(), x),
            Ty::F32 => {
                let w = ins.ireduce(types::I32, x);
                self.b.ins().bitcast(types::F32, MemFlagsData::new(), w)
            }
        }
    }

    /// `x`, of type `ty`, as the bits the interpreter keeps in a slot (an i32 or f32
    /// in the low half, zero above).
    pub(super) fn untyped(&mut self, x: Value, ty: Ty) -> Value {
        let ins = self.b.ins();
        match ty {
            Ty::I64 => x,
            Ty::I32 => ins.uextend(types::I64, x),
            Ty::F64 => ins.bitcast(types::I64, MemFlagsData::new(), x),
            Ty::F32 => {
                let w = ins.bitcast(types::I32, MemFlagsData::new(), x);
                self.b.ins().uextend(types::I64, w)
            }
        }
    }

    /// The block of instruction `pc` (a branch target, so one exists).
    fn block_at(&mut self, pc: usize) -> Block {
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
    fn target(&mut self, off: i32) -> Block {
        let t = (self.pc as i64 + off as i64) as usize;
        self.block_at(t)
    }

    /// Leaves native code for the interpreter to execute instruction `pc`.
    fn leave_at(&mut self, pc: usize) {
        let (acc, ty) = self.get(ACC);
        let acc = self.untyped(acc, ty);
        let status = self.b.ins().iconst(types::I32, NATIVE_CONTINUE as i64);
        let pcv = self.b.ins().iconst(types::I32, pc as i64);
        let zero = self.b.ins().iconst(types::I32, 0);
        let args = [status, pcv, zero, acc].map(BlockArg::Value);
        self.b.ins().jump(self.exit, &args);
        self.ended = true;
    }

    /// Leaves native code for the interpreter to execute the current instruction when
    /// `cond` (an integer) is not zero; goes on otherwise.
    fn leave_if(&mut self, cond: Value) {
        let out = self.b.create_block();
        let next = self.b.create_block();
        self.b.set_cold_block(out);
        self.b.ins().brif(cond, out, &[], next, &[]);
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
        self.b.switch_to_block(trap);
        self.trap(code);
        self.b.switch_to_block(next);
        self.ended = false;
    }

    /// Traps with `code` at the current instruction.
    fn trap(&mut self, code: TrapCode) {
        let status = self.b.ins().iconst(types::I32, NATIVE_TRAP as i64);
        let pcv = self.b.ins().iconst(types::I32, self.pc as i64);
        let tc = self.b.ins().iconst(types::I32, code_of(code) as i64);
        let acc = self.b.ins().iconst(types::I64, 0);
        let args = [status, pcv, tc, acc].map(BlockArg::Value);
        self.b.ins().jump(self.exit, &args);
        self.ended = true;
    }

    /// Branches to the instruction at `off` when `cond` (an integer) is not zero.
    fn branch_if(&mut self, cond: Value, off: i32) {
        let taken = self.target(off);
        let next = self.block_at(self.pc + 1);
        self.b.ins().brif(cond, taken, &[], next, &[]);
        self.ended = true;
    }

    /// Translates one instruction, or says it is left to the interpreter (before
    /// emitting anything).
    fn instr(&mut self, i: &Instr) -> Result<(), Unsupported> {
        if numeric::numeric(self, i)? {
            return Ok(());
        }
        if memory::memory(self, i)? {
            return Ok(());
        }
        match *i {
            Instr::Unreachable => self.trap(TrapCode::Unreachable),
            Instr::Br { offset } => {
                let t = self.target(offset);
                self.b.ins().jump(t, &[]);
                self.ended = true;
            }
            Instr::BrIfNez { cond, offset } => {
                let c = self.get_as(cond, Ty::I32);
                self.branch_if(c, offset);
            }
            Instr::BrIfEqz { cond, offset } => {
                let c = self.get_as(cond, Ty::I32);
                let z = self.b.ins().icmp_imm_u(IntCC::Equal, c, 0);
                self.branch_if(z, offset);
            }
            Instr::BrIfI32Eq(o) => self.br_cmp(o, IntCC::Equal),
            Instr::BrIfI32Ne(o) => self.br_cmp(o, IntCC::NotEqual),
            Instr::BrIfI32LtS(o) => self.br_cmp(o, IntCC::SignedLessThan),
            Instr::BrIfI32LtU(o) => self.br_cmp(o, IntCC::UnsignedLessThan),
            Instr::BrIfI32GtS(o) => self.br_cmp(o, IntCC::SignedGreaterThan),
            Instr::BrIfI32GtU(o) => self.br_cmp(o, IntCC::UnsignedGreaterThan),
            Instr::BrIfI32LeS(o) => self.br_cmp(o, IntCC::SignedLessThanOrEqual),
            Instr::BrIfI32LeU(o) => self.br_cmp(o, IntCC::UnsignedLessThanOrEqual),
            Instr::BrIfI32GeS(o) => self.br_cmp(o, IntCC::SignedGreaterThanOrEqual),
            Instr::BrIfI32GeU(o) => self.br_cmp(o, IntCC::UnsignedGreaterThanOrEqual),
            Instr::BrIfI32Imm(o) => {
                let a = self.get_as(o.a, Ty::I32);
                let c = self.cond(o.cond, a, None, Some(o.imm));
                self.branch_if(c, o.offset);
            }
            Instr::BrIfAdd {
                x,
                step,
                other,
                cond,
                offset,
            } => {
                let a = self.get_as(x, Ty::I32);
                let s = self.get_as(step, Ty::I32);
                let sum = self.b.ins().iadd(a, s);
                self.set_as(x, sum, Ty::I32);
                let o = if matches!(cond, Cond::Eqz | Cond::Nez) {
                    None
                } else {
                    Some(self.get_as(other, Ty::I32))
                };
                let c = self.cond(cond, sum, o, None);
                self.branch_if(c, offset);
            }
            Instr::BrTable { index, len } => {
                let i = self.get_as(index, Ty::I32);
                self.table(i, len);
            }
            Instr::BrTableLoad8U {
                dst,
                addr,
                offset,
                len,
            } => {
                let v = memory::load_u8(self, addr, offset);
                self.set_as(dst, v, Ty::I32);
                self.table(v, len);
            }
            Instr::BrRef {
                src,
                offset,
                if_null,
            } => {
                let r = self.get_as(src, Ty::I64);
                let cc = if if_null {
                    IntCC::Equal
                } else {
                    IntCC::NotEqual
                };
                let c = self.b.ins().icmp_imm_u(cc, r, 0);
                self.branch_if(c, offset);
            }
            // The interpreter returns (with the results the code left in the slots).
            Instr::Return | Instr::ReturnOne { .. } => {
                self.leave_at(self.pc);
            }
            Instr::Copy(o) => {
                let v = self.get(o.src);
                self.link(o.src, o.dst);
                self.set(o.dst, v);
            }
            Instr::Copy2 {
                dst,
                src,
                dst2,
                src2,
            } => {
                let v = self.get(src);
                self.link(src, dst);
                self.set(dst, v);
                let v = self.get(src2);
                self.link(src2, dst2);
                self.set(dst2, v);
            }
            Instr::CopyMany { dst, src, len } => {
                let vals: Vec<(Value, Ty)> = (0..len).map(|k| self.get(src + k)).collect();
                for (k, v) in vals.into_iter().enumerate() {
                    self.link(src + k as Slot, dst + k as Slot);
                    self.set(dst + k as Slot, v);
                }
            }
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
            // Metering: enough fuel or an epoch before the deadline goes on natively;
            // otherwise the interpreter executes the instruction, and traps exactly as
            // it would have (a call resumed with more fuel re-executes it there).
            Instr::ConsumeFuel { amount } => {
                let f = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), self.fuel, 0);
                let short = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedLessThan, f, amount as i64);
                self.leave_if(short);
                let left = self.b.ins().iadd_imm_s(f, -(amount as i64));
                self.b
                    .ins()
                    .store(MemFlagsData::trusted(), left, self.fuel, 0);
            }
            Instr::CheckEpoch => {
                let now = self
                    .b
                    .ins()
                    .atomic_load(types::I64, MemFlagsData::trusted(), self.epoch);
                let due =
                    self.b
                        .ins()
                        .icmp(IntCC::UnsignedGreaterThanOrEqual, now, self.epoch_deadline);
                self.leave_if(due);
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
    fn global(&mut self, g: u32) -> Value {
        let ptr = self.b.func.dfg.value_type(self.globals);
        let f = MemFlagsData::trusted().with_readonly();
        let idx = self
            .b
            .ins()
            .load(types::I32, f, self.inst_globals, (g as i64 * 4) as i32);
        let idx = self.b.ins().uextend(ptr, idx);
        let off = self.b.ins().imul_imm_u(idx, self.layout.global_size as i64);
        let base = self.b.ins().iadd(self.globals, off);
        self.b
            .ins()
            .iadd_imm_u(base, self.layout.global_value as i64)
    }

    fn br_cmp(&mut self, o: BrCmp, cc: IntCC) {
        let a = self.get_as(o.a, Ty::I32);
        let b = self.get_as(o.b, Ty::I32);
        let c = self.b.ins().icmp(cc, a, b);
        self.branch_if(c, o.offset);
    }

    /// `a COND b` (or `a COND imm`) on i32s, as an integer flag.
    fn cond(&mut self, cond: Cond, a: Value, b: Option<Value>, imm: Option<u32>) -> Value {
        let cc = match cond {
            Cond::Eq => IntCC::Equal,
            Cond::Ne => IntCC::NotEqual,
            Cond::LtS => IntCC::SignedLessThan,
            Cond::LtU => IntCC::UnsignedLessThan,
            Cond::GtS => IntCC::SignedGreaterThan,
            Cond::GtU => IntCC::UnsignedGreaterThan,
            Cond::LeS => IntCC::SignedLessThanOrEqual,
            Cond::LeU => IntCC::UnsignedLessThanOrEqual,
            Cond::GeS => IntCC::SignedGreaterThanOrEqual,
            Cond::GeU => IntCC::UnsignedGreaterThanOrEqual,
            Cond::Eqz => return self.b.ins().icmp_imm_u(IntCC::Equal, a, 0),
            Cond::Nez => return self.b.ins().icmp_imm_u(IntCC::NotEqual, a, 0),
        };
        let b = match b {
            Some(b) => b,
            // An `iconst` of a narrow type takes its bits zero-extended.
            None => self.b.ins().iconst(types::I32, imm.unwrap_or(0) as i64),
        };
        self.b.ins().icmp(cc, a, b)
    }

    /// A jump table on i32 `index`: the `len` entries after the current instruction
    /// are `Br`s for the index values `0..len`, the one after them the default.
    fn table(&mut self, index: Value, len: u32) {
        let mut calls = Vec::with_capacity(len as usize);
        let mut default = None;
        for k in 0..=len as usize {
            let entry = self.pc + 1 + k;
            let Some(Instr::Br { offset }) = self.code.code.get(entry).copied() else {
                continue;
            };
            let t = (entry as i64 + offset as i64) as usize;
            let block = self.block_at(t);
            let call = self.b.func.dfg.block_call(block, &[]);
            if k == len as usize {
                default = Some(call);
            } else {
                calls.push(call);
            }
        }
        let default = default.unwrap_or_else(|| {
            // The verifier guarantees the default entry; keep a safe fallback anyway.
            let b = self.block_at(self.pc + 1);
            self.b.func.dfg.block_call(b, &[])
        });
        let jt = self
            .b
            .create_jump_table(JumpTableData::new(default, &calls));
        self.b.ins().br_table(index, jt);
        self.ended = true;
    }
}
