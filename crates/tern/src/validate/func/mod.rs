//! The function body type checker (spec: Validation › Instructions, and the
//! algorithm of Appendix › Validation Algorithm): one pass over a body's operators
//! with an operand stack (value types plus the polymorphic bottom after
//! `unreachable`, `br`, `return`, ...), a control stack of blocks, and the
//! initialization state of non-defaultable locals. It owns the rules of each
//! instruction; module-level facts come from the [`Ctx`], subtyping from
//! `validate/matching.rs`.
//!
//! Runs of the most frequent instructions (local and global accesses, constants,
//! numeric instructions, plain loads and stores, `drop`, `select`) are checked straight
//! from the body's bytes while they are in their common valid form; anything else, and
//! any error, goes through the [`OperatorReader`] and the full rules, so a byte-level
//! check never decides what is reported.
//!
//! Besides accepting or rejecting, it notes where a `drop` or an untyped `select` acts
//! on a `v128`, since the compiler's operand stack carries no types.
//!
//! Work is linear in the body size: locals are looked up in a table of one entry per
//! local when there are at most a few per byte of the body, else by binary search over
//! their run-length encoding, and `br_table` checks each distinct label type once per
//! instruction, however many targets share it.
//!
//! The folder, from the bottom up: `operand.rs` packs operand types; `stack.rs` holds
//! the checker's state, the operand, control and initialization stacks with the
//! operations of the spec's algorithm (`push_val`, `pop_val`, `push_ctrl`, `pop_ctrl`,
//! `label_types`, `unreachable`, ...); `context.rs` looks up what the context says of
//! an index and checks immediates that several families share. Above them, one room
//! per section of Validation › Instructions checks its instructions, one function
//! each: `control.rs`, `calls.rs`, `parametric.rs`, `variable.rs`, `table.rs`,
//! `memory.rs` (vector loads and stores too, as in the spec), `reference.rs`,
//! `numeric.rs`, `vector.rs`. Beside them `fast_path.rs` is the byte-level path. This
//! file, on top, holds the entry points and [`FuncValidator::op`], which sends each
//! decoded operator to its family's function; the family rooms do not call each other.

use std::collections::{HashMap, HashSet};

mod calls;
mod context;
mod control;
mod fast_path;
mod memory;
mod numeric;
mod operand;
mod parametric;
mod reference;
mod stack;
mod table;
mod variable;
mod vector;

use super::context::Ctx;
use crate::binary::OperatorReader;
use crate::error::{Error, Result};
use crate::syntax::{FuncBody, Operator, ValType};
pub(crate) use stack::FuncValidator;

impl<'c, 'm> FuncValidator<'c, 'm> {
    /// A checker for the function bodies of the module whose context is `ctx`.
    pub(crate) fn new(ctx: &'c Ctx<'m>) -> Self {
        FuncValidator {
            ctx,
            vals: Vec::new(),
            ctrls: Vec::new(),
            locals: Vec::new(),
            dense: Vec::new(),
            dense_all: false,
            num_params: 0,
            inits: Vec::new(),
            init_set: HashSet::new(),
            results: &[],
            br_seen: HashMap::new(),
            br_count: 0,
            offset: 0,
            v128_operands: Vec::new(),
        }
    }

    /// The offsets of the `drop`s and untyped `select`s whose operand is a `v128`, in
    /// the order checked, of every body checked since the last call. Operands of the
    /// bottom type (unreachable code) are not `v128`s here; a `select` counts when either
    /// operand is a `v128` (then so is its result).
    pub(crate) fn take_v128_operands(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.v128_operands)
    }

    /// Validates the body of function `func_index`.
    ///
    /// Runs of the most frequent instructions are checked straight from their bytes
    /// ([`FuncValidator::simple_run`]); everything else is decoded into an
    /// [`Operator`] first.
    pub(crate) fn validate_body(
        &mut self,
        func_index: u32,
        body: &FuncBody,
        bytes: &[u8],
    ) -> Result<()> {
        let mut reader = OperatorReader::new(bytes, body.code.clone());
        self.begin(func_index, body)?;
        while !self.ctrls.is_empty() {
            self.simple_run(&mut reader);
            if reader.is_empty() {
                return Err(Error::malformed(body.code.end, "END opcode expected"));
            }
            let at = reader.offset();
            let op = reader.read()?;
            self.offset = at;
            if !self.op_fast(&op) {
                self.op(op)?;
            }
        }
        if !reader.is_empty() {
            return Err(Error::malformed(
                reader.offset(),
                "operators remaining after end of function",
            ));
        }
        Ok(())
    }

    /// Validates a body whose operators `next` yields with their offsets (`None` once
    /// the body's bytes are used up). Stops after the `end` that closes the function.
    #[cfg(test)]
    fn validate_ops(
        &mut self,
        func_index: u32,
        body: &FuncBody,
        mut next: impl FnMut() -> Result<Option<(usize, Operator)>>,
    ) -> Result<()> {
        self.begin(func_index, body)?;
        while !self.ctrls.is_empty() {
            let Some((at, op)) = next()? else {
                return Err(Error::malformed(body.code.end, "END opcode expected"));
            };
            self.offset = at;
            if !self.op_fast(&op) {
                self.op(op)?;
            }
        }
        Ok(())
    }

    /// Checks one decoded operator by the rules of its section of the spec (Validation ›
    /// Instructions): each arm sends it to its family's function, in the room named
    /// after that section.
    fn op(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        match op {
            // Control instructions (control.rs); `unreachable` is the stack's own
            // operation and `nop` checks nothing.
            O::Unreachable => self.unreachable(),
            O::Nop => {}
            O::Block(bt) => self.block(bt)?,
            O::Loop(bt) => self.loop_(bt)?,
            O::If(bt) => self.if_(bt)?,
            O::Else => self.else_()?,
            O::End => self.end()?,
            O::Br(l) => self.br(l)?,
            O::BrIf(l) => self.br_if(l)?,
            O::BrTable { targets, default } => self.br_table(&targets, default)?,
            O::Return => self.return_()?,
            O::BrOnNull(l) => self.br_on_null(l)?,
            O::BrOnNonNull(l) => self.br_on_non_null(l)?,

            // Calls (calls.rs).
            O::Call(f) => self.call(f)?,
            O::ReturnCall(f) => self.return_call(f)?,
            O::CallIndirect { type_index, table } => {
                self.call_indirect(type_index, table, false)?
            }
            O::ReturnCallIndirect { type_index, table } => {
                self.call_indirect(type_index, table, true)?
            }
            O::CallRef(x) => self.call_ref(x, false)?,
            O::ReturnCallRef(x) => self.call_ref(x, true)?,

            // Parametric instructions (parametric.rs).
            O::Drop => self.drop_()?,
            O::Select => self.select()?,
            O::TypedSelect(t) => self.typed_select(t)?,

            // Variable instructions (variable.rs).
            O::LocalGet(x) => self.local_get(x)?,
            O::LocalSet(x) => self.local_set(x)?,
            O::LocalTee(x) => self.local_tee(x)?,
            O::GlobalGet(x) => self.global_get(x)?,
            O::GlobalSet(x) => self.global_set(x)?,

            // Table instructions (table.rs).
            O::TableGet(x) => self.table_get(x)?,
            O::TableSet(x) => self.table_set(x)?,
            O::TableSize(x) => self.table_size(x)?,
            O::TableGrow(x) => self.table_grow(x)?,
            O::TableFill(x) => self.table_fill(x)?,
            O::TableCopy { dst, src } => self.table_copy(dst, src)?,
            O::TableInit { elem, table } => self.table_init(elem, table)?,
            O::ElemDrop(x) => self.elem_drop(x)?,

            // Memory instructions (memory.rs), vector loads and stores included.
            O::Load(l, m) => self.load(l, m)?,
            O::Store(s, m) => self.store(s, m)?,
            O::MemorySize(x) => self.memory_size(x)?,
            O::MemoryGrow(x) => self.memory_grow(x)?,
            O::MemoryFill(x) => self.memory_fill(x)?,
            O::MemoryCopy { dst, src } => self.memory_copy(dst, src)?,
            O::MemoryInit { data, memory } => self.memory_init(data, memory)?,
            O::DataDrop(x) => self.data_drop(x)?,
            O::V128Load(l, m) => self.v128_load(l, m)?,
            O::V128Store(m) => self.v128_store(m)?,
            O::V128LoadLane {
                bytes,
                memarg,
                lane,
            } => self.v128_load_lane(bytes, memarg, lane)?,
            O::V128StoreLane {
                bytes,
                memarg,
                lane,
            } => self.v128_store_lane(bytes, memarg, lane)?,

            // Reference instructions (reference.rs).
            O::RefNull(h) => self.ref_null(h)?,
            O::RefIsNull => self.ref_is_null()?,
            O::RefFunc(f) => self.ref_func(f)?,
            O::RefEq => self.ref_eq()?,
            O::RefAsNonNull => self.ref_as_non_null()?,

            // Numeric instructions (numeric.rs).
            O::I32Const(_) => self.num_const(ValType::I32),
            O::I64Const(_) => self.num_const(ValType::I64),
            O::F32Const(_) => self.num_const(ValType::F32),
            O::F64Const(_) => self.num_const(ValType::F64),
            O::Numeric(n) => self.numeric(n)?,

            // Vector instructions (vector.rs).
            O::V128Const(_) => self.v128_const(),
            O::I8x16Shuffle(lanes) => self.i8x16_shuffle(lanes)?,
            O::ExtractLane(shape, lane) => self.extract_lane(shape, lane)?,
            O::ReplaceLane(shape, lane) => self.replace_lane(shape, lane)?,
            O::Simd(op) => self.simd(op)?,
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
