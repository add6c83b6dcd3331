//! Lowering: how a compiled function becomes threaded code. [`ops_of`] pairs each
//! instruction with its handler, once, on the function's first execution;
//! `handler_of` is the table that names the handler of each `Instr` variant and,
//! for an instruction with one handler per operand mode, asks its family's `pick`
//! for the one that fits where its operands are. A `BrTable` entry gets its target's
//! handler, so that a table dispatches straight to its target.
//!
//! This is the one place that knows every handler: a new instruction adds its arm
//! here (the match is exhaustive, so the compiler asks for it). It runs no handler
//! and knows no instruction's semantics.
//!
//! The invariant it establishes (see the interpreter's module docs), on which
//! `operands!` and `table!` rely: each handler is paired only with instructions of
//! its own variant, and a `BrTable` entry with the handler of its target, which the
//! verifier proved is a `Br` that no branch reaches and that no other entry targets.

use super::dispatch::Invalid;
use super::{
    call, control, memory, metering, native, numeric, parametric, reference, table, variable,
    vector,
};
use crate::compile::isa::{table_entries, CompiledFunc, Cond, Handler, Instr, Op, ACC};

/// The threaded form of a compiled function, prepared on first use.
#[inline(always)]
pub(in crate::exec) fn ops_of(c: &CompiledFunc) -> &[Op] {
    c.ops.get_or_init(|| {
        let mut ops: Vec<Op> = c
            .code
            .iter()
            .map(|&instr| Op {
                handler: handler_of(&instr),
                instr,
            })
            .collect();
        // Where native code can be entered, entering it is the instruction's handler
        // (before the tables below copy handlers, so that a table dispatches straight
        // into native code too); where a function that tiers up could be entered (its
        // start and loop headers), counting its heat is.
        if let Some(native) = c.native() {
            for &pc in native.entries.iter() {
                if let Some(op) = ops.get_mut(pc as usize) {
                    op.handler = native::NativeEnter;
                }
            }
        } else if c.tier_up {
            for pc in heat_points(c) {
                if let Some(op) = ops.get_mut(pc) {
                    op.handler = native::HeatCount;
                }
            }
        }
        // A `BrTable` entry carries its target's handler, so that a table dispatches
        // straight to its target (the verifier proved entries are `Br`s that no branch
        // reaches, and that no entry is the target of another).
        for (pc, is_entry) in table_entries(&c.code).into_iter().enumerate() {
            if let (true, Instr::Br { offset }) = (is_entry, c.code[pc]) {
                let target = pc as isize + offset as isize;
                ops[pc].handler = ops[target as usize].handler;
            }
        }
        ops.into_boxed_slice()
    })
}

/// Where a function that tiers up counts its heat: its start and its loop headers
/// (targets of backward branches; a `BrTable` entry is a `Br` that counts at its
/// target).
fn heat_points(c: &CompiledFunc) -> Vec<usize> {
    let mut at = vec![0];
    for (pc, i) in c.code.iter().enumerate() {
        if let Some(off) = { *i }.branch_offset_mut().copied() {
            let t = pc as i64 + off as i64;
            if off <= 0 && t > 0 {
                at.push(t as usize);
            }
        }
    }
    at.sort_unstable();
    at.dedup();
    at
}

/// Defines `handler_of`, given the list of numeric instructions
/// ([`for_each_numeric_op!`](crate::for_each_numeric_op)).
macro_rules! lower_table {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// The handler of each instruction.
        pub(super) fn handler_of(i: &Instr) -> Handler {
            match i {
                $( Instr::$name(o) => numeric::$name::pick(o), )*
                Instr::Unreachable => control::Unreachable,
                Instr::Br { .. } => control::Br,
                Instr::BrIfNez { cond: ACC, .. } => control::BrIfNezA,
                Instr::BrIfEqz { cond: ACC, .. } => control::BrIfEqzA,
                Instr::BrIfNez { .. } => control::BrIfNez,
                Instr::BrIfEqz { .. } => control::BrIfEqz,
                Instr::BrTable { .. } => control::BrTable,
                Instr::BrTableLoad8U { .. } => control::BrTableLoad8U,
                Instr::BrIfAdd { cond, .. } => match cond {
                    Cond::Eq => control::BrIfAddEq,
                    Cond::Ne => control::BrIfAddNe,
                    Cond::LtS => control::BrIfAddLtS,
                    Cond::LtU => control::BrIfAddLtU,
                    Cond::GtS => control::BrIfAddGtS,
                    Cond::GtU => control::BrIfAddGtU,
                    Cond::LeS => control::BrIfAddLeS,
                    Cond::LeU => control::BrIfAddLeU,
                    Cond::GeS => control::BrIfAddGeS,
                    Cond::GeU => control::BrIfAddGeU,
                    Cond::Eqz => control::BrIfAddEqz,
                    Cond::Nez => control::BrIfAddNez,
                },
                Instr::BrIfI32Imm(o) => control::br_imm::pick(o),
                Instr::BinI(o) => numeric::bin_i::pick(o),
                Instr::BrIfI32Eq(o) => control::BrIfI32Eq::pick(o),
                Instr::BrIfI32Ne(o) => control::BrIfI32Ne::pick(o),
                Instr::BrIfI32LtS(o) => control::BrIfI32LtS::pick(o),
                Instr::BrIfI32LtU(o) => control::BrIfI32LtU::pick(o),
                Instr::BrIfI32GtS(o) => control::BrIfI32GtS::pick(o),
                Instr::BrIfI32GtU(o) => control::BrIfI32GtU::pick(o),
                Instr::BrIfI32LeS(o) => control::BrIfI32LeS::pick(o),
                Instr::BrIfI32LeU(o) => control::BrIfI32LeU::pick(o),
                Instr::BrIfI32GeS(o) => control::BrIfI32GeS::pick(o),
                Instr::BrIfI32GeU(o) => control::BrIfI32GeU::pick(o),
                Instr::Return => call::Return,
                Instr::ReturnOne { .. } => call::ReturnOne,
                Instr::Call { .. } => call::Call,
                Instr::CallCopy { dst, src, dst2, src2, .. } if (dst, src) == (dst2, src2) => call::CallCopy,
                Instr::CallCopy { .. } => call::CallCopy2,
                Instr::CallIndirect { table: 0, is64: false, .. } => call::CallIndirect0,
                Instr::CallIndirect { .. } => call::CallIndirect,
                Instr::ReturnCall { .. } => call::ReturnCall,
                Instr::ReturnCallIndirect { .. } => call::ReturnCallIndirect,
                Instr::CallRef { .. } => call::CallRef,
                Instr::ReturnCallRef { .. } => call::ReturnCallRef,
                Instr::BrRef { if_null: true, .. } => control::BrOnNull,
                Instr::BrRef { if_null: false, .. } => control::BrOnNonNull,
                Instr::ConsumeFuel { .. } => metering::ConsumeFuel,
                Instr::CheckEpoch => metering::CheckEpoch,
                Instr::CanonNan { is64: false, .. } => numeric::CanonNan32,
                Instr::CanonNan { is64: true, .. } => numeric::CanonNan64,
                Instr::Copy(..) => variable::Copy,
                Instr::Copy2 { .. } => variable::Copy2,
                Instr::CopyMany { .. } => variable::CopyMany,
                // (The verifier rejects a second accumulator read, in `cond`.)
                Instr::Select { dst, b: ACC, .. } => match *dst == ACC {
                    false => parametric::SelectBA,
                    true => parametric::SelectBAToA,
                },
                Instr::Select { dst, cond, .. } => match (*dst == ACC, *cond == ACC) {
                    (false, false) => parametric::Select,
                    (false, true) => parametric::SelectCondA,
                    (true, false) => parametric::SelectToA,
                    (true, true) => parametric::SelectCondAToA,
                },
                Instr::GlobalGet { dst: ACC, .. } => variable::GlobalGetToA,
                Instr::GlobalSet { src: ACC, .. } => variable::GlobalSetFromA,
                Instr::GlobalGet { .. } => variable::GlobalGet,
                Instr::GlobalSet { .. } => variable::GlobalSet,
                Instr::I32Load(o) => memory::I32Load::pick(o),
                Instr::I64Load(o) => memory::I64Load::pick(o),
                Instr::F32Load(o) => memory::F32Load::pick(o),
                Instr::F64Load(o) => memory::F64Load::pick(o),
                Instr::I32Load8S(o) => memory::I32Load8S::pick(o),
                Instr::I32Load8U(o) => memory::I32Load8U::pick(o),
                Instr::I32Load16S(o) => memory::I32Load16S::pick(o),
                Instr::I32Load16U(o) => memory::I32Load16U::pick(o),
                Instr::I64Load8S(o) => memory::I64Load8S::pick(o),
                Instr::I64Load8U(o) => memory::I64Load8U::pick(o),
                Instr::I64Load16S(o) => memory::I64Load16S::pick(o),
                Instr::I64Load16U(o) => memory::I64Load16U::pick(o),
                Instr::I64Load32S(o) => memory::I64Load32S::pick(o),
                Instr::I64Load32U(o) => memory::I64Load32U::pick(o),
                Instr::I32Store(o) => memory::I32Store::pick(o),
                Instr::I64Store(o) => memory::I64Store::pick(o),
                Instr::F32Store(o) => memory::F32Store::pick(o),
                Instr::F64Store(o) => memory::F64Store::pick(o),
                Instr::I32Store8(o) => memory::I32Store8::pick(o),
                Instr::I32Store16(o) => memory::I32Store16::pick(o),
                Instr::I64Store8(o) => memory::I64Store8::pick(o),
                Instr::I64Store16(o) => memory::I64Store16::pick(o),
                Instr::I64Store32(o) => memory::I64Store32::pick(o),
                Instr::I32LoadX(o) => memory::I32LoadX::pick(o),
                Instr::I64LoadX(o) => memory::I64LoadX::pick(o),
                Instr::F32LoadX(o) => memory::F32LoadX::pick(o),
                Instr::F64LoadX(o) => memory::F64LoadX::pick(o),
                Instr::I32Load8SX(o) => memory::I32Load8SX::pick(o),
                Instr::I32Load8UX(o) => memory::I32Load8UX::pick(o),
                Instr::I32Load16SX(o) => memory::I32Load16SX::pick(o),
                Instr::I32Load16UX(o) => memory::I32Load16UX::pick(o),
                Instr::I64Load8SX(o) => memory::I64Load8SX::pick(o),
                Instr::I64Load8UX(o) => memory::I64Load8UX::pick(o),
                Instr::I64Load16SX(o) => memory::I64Load16SX::pick(o),
                Instr::I64Load16UX(o) => memory::I64Load16UX::pick(o),
                Instr::I64Load32SX(o) => memory::I64Load32SX::pick(o),
                Instr::I64Load32UX(o) => memory::I64Load32UX::pick(o),
                Instr::I32StoreX(o) => memory::I32StoreX::pick(o),
                Instr::I64StoreX(o) => memory::I64StoreX::pick(o),
                Instr::F32StoreX(o) => memory::F32StoreX::pick(o),
                Instr::F64StoreX(o) => memory::F64StoreX::pick(o),
                Instr::I32Store8X(o) => memory::I32Store8X::pick(o),
                Instr::I32Store16X(o) => memory::I32Store16X::pick(o),
                Instr::I64Store8X(o) => memory::I64Store8X::pick(o),
                Instr::I64Store16X(o) => memory::I64Store16X::pick(o),
                Instr::I64Store32X(o) => memory::I64Store32X::pick(o),
                Instr::BinLd(o) => memory::load_operand_handler(o),
                Instr::BinLdX(o) => memory::load_sum_operand_handler(o),
                Instr::Rmw(o) => memory::rmw_handler(o),
                Instr::MulAdd(o) => numeric::mul_add::pick(o),
                Instr::LoadMem { .. } => memory::LoadMem,
                Instr::StoreMem { .. } => memory::StoreMem,
                Instr::Load64 { .. } => memory::Load64,
                Instr::Store64 { .. } => memory::Store64,
                Instr::MemorySize { .. } => memory::MemorySize,
                Instr::MemoryGrow { .. } => memory::MemoryGrow,
                Instr::MemoryFill { .. } => memory::MemoryFill,
                Instr::MemoryCopy { .. } => memory::MemoryCopy,
                Instr::MemoryInit { .. } => memory::MemoryInit,
                Instr::SegmentDrop { .. } => memory::SegmentDrop,
                Instr::TableGet { .. } => table::TableGet,
                Instr::TableSet { .. } => table::TableSet,
                Instr::TableSize { .. } => table::TableSize,
                Instr::TableGrow { .. } => table::TableGrow,
                Instr::TableFill { .. } => table::TableFill,
                Instr::TableCopy { .. } => table::TableCopy,
                Instr::TableInit { .. } => table::TableInit,
                Instr::RefIsNull(..) => reference::RefIsNull,
                Instr::RefFunc { .. } => reference::RefFunc,
                Instr::RefAsNonNull(..) => reference::RefAsNonNull,
                Instr::Simd { op, .. } => vector::handler(*op),
                Instr::Select128 { .. }
                | Instr::CanonNan128 { .. }
                | Instr::GlobalGet128 { .. }
                | Instr::GlobalSet128 { .. }
                | Instr::Shuffle { .. }
                | Instr::ExtractLane { .. }
                | Instr::ReplaceLane { .. }
                | Instr::V128Load { .. }
                | Instr::V128Store { .. }
                | Instr::V128LoadLane { .. }
                | Instr::V128StoreLane { .. } => vector::other_handler(i).unwrap_or(Invalid),
            }
        }
    };
}

crate::for_each_numeric_op!(lower_table);
