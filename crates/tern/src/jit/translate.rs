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
    types, AbiParam, Block, BlockArg, Endianness, Function, InstBuilder, JumpTableData,
    MemFlagsData, SigRef, Signature, SourceLoc, Type, UserFuncName, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};

use super::{call, code_of, control, memory, numeric, simd};
use crate::compile::isa::{
    table_entries, CompiledFunc, Instr, NativeCtx, NativeExit, NativeModule, Slot, ACC,
    NATIVE_CALL_ENTRY, NATIVE_CONTINUE, NATIVE_REFUSED, NATIVE_TRAP,
};
use crate::error::TrapCode;

/// The type a slot's value is read or written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Ty {
    I32,
    I64,
    F32,
    F64,
    /// A whole `v128` (a pair of slots, named by the first; see [`Usage::slot_types`]).
    V128,
}

impl Ty {
    fn bit(self) -> u8 {
        match self {
            Ty::I32 => 1,
            Ty::I64 => 2,
            Ty::F32 => 4,
            Ty::F64 => 8,
            Ty::V128 => V128_BIT,
        }
    }

    pub(super) fn clif(self) -> Type {
        match self {
            Ty::I32 => types::I32,
            Ty::I64 => types::I64,
            Ty::F32 => types::F32,
            Ty::F64 => types::F64,
            Ty::V128 => types::I8X16,
        }
    }
}

/// The usage bit of a slot that holds the high half of a `v128` (its first slot has
/// [`Ty::V128`]'s).
const HI_BIT: u8 = 32;
/// The usage bit of `Ty::V128`.
const V128_BIT: u8 = 16;
/// The usage bit of a slot moved whole by an instruction that knows nothing of its
/// type (`select`, a `return` of one value, a copy from or to the accumulator).
const RAW_BIT: u8 = 64;

/// The flags of a bitcast between vector types (lane order: little-endian, as wasm's).
fn lanes_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// The flags of a frame access of a whole `v128`: the frame's slots are 8-byte
/// aligned, so a pair of them may not be 16-byte aligned.
fn pair_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// An instruction the translator leaves to the interpreter.
pub(super) struct Unsupported;

/// The translator of one function.
pub(super) struct Tx<'a, 'b> {
    pub(super) b: &'b mut FunctionBuilder<'a>,
    pub(super) code: &'b CompiledFunc,
    pub(super) module: NativeModule<'b>,
    /// Per slot, its variable once the code touched it.
    vars: Vec<Option<Variable>>,
    /// Per slot, whether some translated instruction writes it.
    written: Vec<bool>,
    /// Per slot, the type of its variable.
    types: Vec<Ty>,
    /// Per slot, whether it is the high half of a `v128` whose first slot's variable
    /// holds it whole (then it has no variable of its own).
    hi: Vec<bool>,
    /// Per slot, whether it is a constant slot no instruction writes (then it has no
    /// variable: each read is the constant).
    fixed: Vec<bool>,
    /// What is known of values as lanes of vectors (see [`Lanes`]).
    lanes: Lanes,
    /// Per i32 address value, the end (offset plus size) of the furthest access at it
    /// checked against memory 0's length since the last label: an access that ends
    /// no further needs no check (memory 0 never shrinks, and native code never grows
    /// it).
    pub(super) checked: std::collections::HashMap<Value, u64>,
    /// Values converted to another type since the last label (a slot read as an i32
    /// twice is one value, so its accesses share their checks).
    converted: std::collections::HashMap<(Value, Ty), Value>,
    /// Per unchecked memory access (see `memory::address`), in order, the instruction
    /// it belongs to.
    pub(super) accesses: Vec<u32>,
    /// What this pass learns of how slots are used (for the next pass's `types`).
    usage: Usage,
    /// The accumulator: the value the previous instruction left for this one, if any
    /// (it never lives across a label, so it is a value, not a variable).
    pub(super) acc: Option<(Value, Ty)>,
    /// Per instruction, the block that starts there (branch targets and entries).
    blocks: Vec<Option<Block>>,
    /// The exit block: `(status, pc)` (see the module docs; the trap and the
    /// accumulator are stored where native code leaves).
    exit: Block,
    /// The block a trap leaves by, `(pc, trap)`: it writes nothing back (a trapped
    /// frame is never resumed or read).
    trapped: Block,
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

/// How the slots are read and written: per slot, a mask of the types it is read or
/// written as (bits of [`Ty::bit`]) and whether some instruction writes it; and the
/// pairs of slots a value is moved between untyped (copies, `select`), which had
/// better share a type.
#[derive(Default)]
struct Usage {
    masks: Vec<u8>,
    written: Vec<bool>,
    links: Vec<(Slot, Slot)>,
}

/// What a pass knows of the slots before it starts: per slot, the type of its
/// variable, whether it is the high half of a vector variable, and whether it is a
/// constant slot no instruction writes.
struct Shape {
    types: Vec<Ty>,
    hi: Vec<bool>,
    fixed: Vec<bool>,
}

impl Usage {
    /// The type of each slot's variable, and which slots are the high halves of the
    /// `v128`s held by their first slots' variables.
    ///
    /// A scalar slot's variable is an `f64` where every access of it, and of every
    /// slot moved to or from it, reads or writes an f64, else the untyped `i64`. Only
    /// these two: both hold all 64 bits of a slot, so a value native code only moves,
    /// or never touches, keeps every bit. A narrower variable would not: a slot holds
    /// values of other types at other times (temporaries are reused, constant slots
    /// are shared by equal bits, and the interpreter runs the instructions native code
    /// leaves to it), and an i32 variable would drop the high half of an i64 that a
    /// copy moves through it.
    ///
    /// A pair of slots `s, s + 1` is one `v128` variable (of `s`) where the
    /// instructions that compute with `s` read or write it only as a whole vector and
    /// those that compute with `s + 1` only as a vector's high half; copies may move
    /// either slot alone (to or from one lane of the variable), and the other slots of
    /// a vector are two scalar variables, which vector instructions read and write as
    /// halves.
    fn slot_types(&self) -> (Vec<Ty>, Vec<bool>) {
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
        let own = &self.masks;
        let head = |s: usize| own[s] == V128_BIT && s + 1 < n && own[s + 1] == HI_BIT;
        let mut types = Vec::with_capacity(n);
        let mut hi = vec![false; n];
        for s in 0..n {
            types.push(if head(s) {
                hi[s + 1] = true;
                Ty::V128
            } else if masks[root(&mut parent, s)] & !RAW_BIT == Ty::F64.bit() {
                Ty::F64
            } else {
                Ty::I64
            });
        }
        (types, hi)
    }
}

/// Which values are lanes of which vectors: vector instructions on slots that are
/// not one vector variable read and write them as `i64` halves, and a vector's halves
/// copied lane by lane are again that vector; knowing it, the halves are not put
/// together again (the extractions and insertions left unused are dead code).
#[derive(Default)]
struct Lanes {
    /// Per `i64` value, the (`i8x16`) vector and the lane (0 or 1) it is equal to.
    of: std::collections::HashMap<Value, (Value, u8)>,
    /// Per vector value (an `i8x16`), what each of its halves is equal to.
    halves: std::collections::HashMap<Value, [Option<(Value, u8)>; 2]>,
}

impl Lanes {
    /// What the halves of vector `v` are equal to.
    fn halves(&self, v: Value) -> [Option<(Value, u8)>; 2] {
        self.halves
            .get(&v)
            .copied()
            .unwrap_or([Some((v, 0)), Some((v, 1))])
    }

    /// The vector whose halves `lo` and `hi` are, if they are one vector's.
    fn whole(&self, lo: Option<(Value, u8)>, hi: Option<(Value, u8)>) -> Option<Value> {
        match (lo, hi) {
            (Some((a, 0)), Some((b, 1))) if a == b => Some(a),
            _ => None,
        }
    }
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

    /// Stores slots `from..to` in the frame (a call's arguments, a return's results).
    pub(super) fn spill(&mut self, from: Slot, to: Slot) {
        let mut s = from;
        while s < to {
            let at = (s as usize * 8) as i32;
            if self.types[s as usize] == Ty::V128 {
                // Both slots (the second's value is the vector's high half).
                let v = self.vector(s);
                self.b.ins().store(pair_flags(), v, self.sp, at);
                s += 2;
                continue;
            }
            let (v, ty) = self.get_scalar(s);
            let raw = self.untyped(v, ty);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), raw, self.sp, at);
            s += 1;
        }
    }

    /// Loads slots `from..to` from the frame (a call's results).
    pub(super) fn reload(&mut self, from: Slot, to: Slot) {
        let mut s = from;
        while s < to {
            let at = (s as usize * 8) as i32;
            if self.types[s as usize] == Ty::V128 && s + 1 < to {
                let v = self.b.ins().load(types::I8X16, pair_flags(), self.sp, at);
                self.def_vector(s, v);
                s += 2;
                continue;
            }
            let ty = match self.types[s as usize] {
                Ty::V128 => Ty::I64,
                t => t,
            };
            let x = self
                .b
                .ins()
                .load(ty.clif(), MemFlagsData::trusted(), self.sp, at);
            self.set_scalar(s, (x, ty));
            s += 1;
        }
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

    /// The value of constant slot `s`, if it is one the code never writes.
    pub(super) fn constant(&self, s: Slot) -> Option<u64> {
        let k = (s as usize).checked_sub(self.code.locals_end as usize)?;
        match self.written.get(s as usize) {
            Some(false) => self.code.consts.get(k).copied(),
            _ => None,
        }
    }

    pub(super) fn var(&mut self, s: Slot) -> Variable {
        let i = s as usize;
        if let Some(v) = self.vars[i] {
            return v;
        }
        let v = self.b.declare_var(self.types[i].clif());
        self.vars[i] = Some(v);
        v
    }

    /// Slot `s` (or the accumulator) as it is held, with its type, read by an
    /// instruction that moves it whole, whatever its type.
    pub(super) fn get(&mut self, s: Slot) -> (Value, Ty) {
        self.used_raw(s);
        self.get_scalar(s)
    }

    /// Slot `s` (or the accumulator) as it is held, with its type: a slot of a
    /// vector variable as the `i64` of its lane.
    fn get_scalar(&mut self, s: Slot) -> (Value, Ty) {
        if s == ACC {
            return match self.acc {
                Some(a) => a,
                None => (self.b.ins().iconst(types::I64, 0), Ty::I64),
            };
        }
        if let Some((head, lane)) = self.lane(s) {
            let v = self.vector(head);
            return (self.half(v, lane), Ty::I64);
        }
        if self.fixed[s as usize] {
            let ty = self.types[s as usize];
            let k = s as usize - self.code.locals_end as usize;
            let c = self.code.consts.get(k).copied().unwrap_or(0);
            let x = match ty {
                Ty::F64 => self.b.ins().f64const(f64::from_bits(c)),
                _ => self.b.ins().iconst(types::I64, c as i64),
            };
            let ty = if ty == Ty::F64 { ty } else { Ty::I64 };
            return (x, ty);
        }
        let v = self.var(s);
        (self.b.use_var(v), self.types[s as usize])
    }

    /// Writes `x`, of type `ty`, to slot `s` (or the accumulator), for an instruction
    /// that moves it whole, whatever its type.
    pub(super) fn set(&mut self, s: Slot, x: (Value, Ty)) {
        self.used_raw(s);
        self.set_scalar(s, x);
    }

    /// Writes `x`, of scalar type `ty`, to slot `s` (or the accumulator): to its lane
    /// if it is a slot of a vector variable.
    fn set_scalar(&mut self, s: Slot, (x, ty): (Value, Ty)) {
        if s == ACC {
            self.acc = Some((x, ty));
            return;
        }
        if let Some((head, lane)) = self.lane(s) {
            let raw = self.untyped(x, ty);
            let v = self.vector(head);
            let mut halves = self.lanes.halves(v);
            halves[lane as usize] = self.lanes.of.get(&raw).copied();
            let n = match self.lanes.whole(halves[0], halves[1]) {
                Some(w) => w,
                None => {
                    let v = self.cast(v, types::I64X2);
                    let n = self.b.ins().insertlane(v, raw, lane);
                    let n = self.cast(n, types::I8X16);
                    self.lanes.halves.insert(n, halves);
                    n
                }
            };
            self.def_vector(head, n);
            return;
        }
        self.written[s as usize] = true;
        let to = self.types[s as usize];
        let x = self.convert(x, ty, to);
        let v = self.var(s);
        self.b.def_var(v, x);
    }

    /// The first slot of the vector variable slot `s` is a lane of, and the lane.
    fn lane(&self, s: Slot) -> Option<(Slot, u8)> {
        let i = s as usize;
        if self.types[i] == Ty::V128 {
            Some((s, 0))
        } else if self.hi[i] {
            Some((s - 1, 1))
        } else {
            None
        }
    }

    /// The value of the vector variable of slots `s, s + 1` (an `i8x16`).
    fn vector(&mut self, s: Slot) -> Value {
        let var = self.var(s);
        self.b.use_var(var)
    }

    /// Writes `v` (of any vector type) to the vector variable of slots `s, s + 1`.
    fn def_vector(&mut self, s: Slot, v: Value) {
        self.written[s as usize] = true;
        self.written[s as usize + 1] = true;
        let v = self.cast(v, types::I8X16);
        let var = self.var(s);
        self.b.def_var(var, v);
    }

    /// Copies slot `src` to slot `dst`, untyped (every bit).
    pub(super) fn copy(&mut self, dst: Slot, src: Slot) {
        if src == ACC || dst == ACC {
            let v = self.get(src);
            self.set(dst, v);
            return;
        }
        self.link(src, dst);
        let v = self.get_scalar(src);
        self.set_scalar(dst, v);
    }

    /// Copies slots `src, src + 1` to `dst, dst + 1` (in that order): the whole
    /// variable when both are vector variables.
    fn copy_pair(&mut self, dst: Slot, src: Slot) {
        let vectors = dst != ACC
            && src != ACC
            && self.types[dst as usize] == Ty::V128
            && self.types[src as usize] == Ty::V128;
        if vectors {
            self.link(src, dst);
            self.link(src + 1, dst + 1);
            let v = self.vector(src);
            self.def_vector(dst, v);
        } else {
            self.copy(dst, src);
            self.copy(dst + 1, src + 1);
        }
    }

    /// `CopyMany`: every slot read before any is written.
    fn copy_many(&mut self, dst: Slot, src: Slot, len: Slot) {
        let mut vals = Vec::with_capacity(len as usize);
        let mut k = 0;
        while k < len {
            let (d, s) = (dst + k, src + k);
            self.link(s, d);
            let whole = k + 1 < len
                && self.types[d as usize] == Ty::V128
                && self.types[s as usize] == Ty::V128;
            if whole {
                self.link(s + 1, d + 1);
                vals.push((d, None, self.vector(s)));
                k += 2;
            } else {
                let (v, ty) = self.get_scalar(s);
                vals.push((d, Some(ty), v));
                k += 1;
            }
        }
        for (d, ty, v) in vals {
            match ty {
                None => self.def_vector(d, v),
                Some(ty) => self.set_scalar(d, (v, ty)),
            }
        }
    }

    /// The `v128` in slots `s, s + 1`, as a vector of type `ty`.
    pub(super) fn get_vec(&mut self, s: Slot, ty: Type) -> Value {
        self.used_as(s, Ty::V128);
        self.used_hi(s + 1);
        let v = if self.types[s as usize] == Ty::V128 {
            self.vector(s)
        } else {
            let (lo, t) = self.get_scalar(s);
            let lo = self.untyped(lo, t);
            let (hi, t) = self.get_scalar(s + 1);
            let hi = self.untyped(hi, t);
            let (a, b) = (
                self.lanes.of.get(&lo).copied(),
                self.lanes.of.get(&hi).copied(),
            );
            match self.lanes.whole(a, b) {
                Some(w) => w,
                None => {
                    let v = self.b.ins().scalar_to_vector(types::I64X2, lo);
                    let v = self.b.ins().insertlane(v, hi, 1);
                    let v = self.cast(v, types::I8X16);
                    self.lanes.halves.insert(v, [a, b]);
                    v
                }
            }
        };
        self.cast(v, ty)
    }

    /// Writes vector `v` (of any vector type) to slots `s, s + 1`.
    pub(super) fn set_vec(&mut self, s: Slot, v: Value) {
        self.used_as(s, Ty::V128);
        self.used_hi(s + 1);
        if self.types[s as usize] == Ty::V128 {
            self.def_vector(s, v);
        } else {
            let v = self.cast(v, types::I8X16);
            let lo = self.half(v, 0);
            let hi = self.half(v, 1);
            self.set_scalar(s, (lo, Ty::I64));
            self.set_scalar(s + 1, (hi, Ty::I64));
        }
    }

    /// Half `lane` of vector `v` (an `i8x16`), as an `i64`.
    fn half(&mut self, v: Value, lane: u8) -> Value {
        let x = self.cast(v, types::I64X2);
        let x = self.b.ins().extractlane(x, lane);
        self.lanes.of.insert(x, (v, lane));
        x
    }

    /// Vector `v` as a vector of type `ty` (the same bits).
    pub(super) fn cast(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            v
        } else {
            self.b.ins().bitcast(ty, lanes_flags(), v)
        }
    }

    /// The `v128` constant whose low half is `lo` and high half `hi`, as an `i8x16`.
    pub(super) fn vconst(&mut self, lo: u64, hi: u64) -> Value {
        let bits = (lo as u128) | ((hi as u128) << 64);
        let c = self
            .b
            .func
            .dfg
            .constants
            .insert(bits.to_le_bytes().to_vec().into());
        self.b.ins().vconst(types::I8X16, c)
    }

    /// Records that a value moves between slots `a` and `b` untyped.
    fn link(&mut self, a: Slot, b: Slot) {
        if a != ACC && b != ACC {
            self.usage.links.push((a, b));
        }
    }

    /// Records that slot `s` is read or written as `ty`.
    fn used_as(&mut self, s: Slot, ty: Ty) {
        self.used(s, ty.bit());
    }

    /// Records that slot `s` is read or written as the high half of a `v128`.
    fn used_hi(&mut self, s: Slot) {
        self.used(s, HI_BIT);
    }

    /// Records that slot `s` is moved whole by an instruction that knows nothing of
    /// its type.
    fn used_raw(&mut self, s: Slot) {
        self.used(s, RAW_BIT);
    }

    fn used(&mut self, s: Slot, bit: u8) {
        if let Some(m) = self.usage.masks.get_mut(s as usize) {
            *m |= bit;
        }
    }

    /// `x` of type `from` as a value of type `to` (the same bits).
    pub(super) fn convert(&mut self, x: Value, from: Ty, to: Ty) -> Value {
        if from == to {
            return x;
        }
        if let Some(&y) = self.converted.get(&(x, to)) {
            return y;
        }
        let raw = self.untyped(x, from);
        let y = self.typed(raw, to);
        self.converted.insert((x, to), y);
        y
    }

    /// Slot `s` read as a value of type `ty`.
    pub(super) fn get_as(&mut self, s: Slot, ty: Ty) -> Value {
        self.used_as(s, ty);
        let (x, from) = self.get_scalar(s);
        self.convert(x, from, ty)
    }

    /// Writes `x`, of type `ty`, to slot `s`.
    pub(super) fn set_as(&mut self, s: Slot, x: Value, ty: Ty) {
        self.used_as(s, ty);
        self.set_scalar(s, (x, ty));
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
            // (Never asked for: a vector slot is read only as a vector.)
            Ty::V128 => {
                let v = ins.scalar_to_vector(types::I64X2, x);
                self.cast(v, types::I8X16)
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
            // (Never asked for: a vector slot is read only as a vector.)
            Ty::V128 => {
                let _ = ins;
                let v = self.cast(x, types::I64X2);
                self.b.ins().extractlane(v, 0)
            }
        }
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
