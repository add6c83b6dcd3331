//! The dispatcher: compiles one operator by handing it to the room of its instruction
//! family (one per chapter of the spec's instructions, plus calls). The match is
//! exhaustive, so a new operator does not compile until it has a family; a new family
//! is a room with one `Compiler` method taking its operators, and one arm here.

use super::compiler::{Compiler, Kind};
use crate::error::Result;
use crate::syntax::Operator;

impl Compiler<'_> {
    /// Compiles operator `op`.
    pub(super) fn op(&mut self, op: Operator) -> Result<()> {
        // Metering counts every operator since the last fuel point.
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
            Operator::Unreachable
            | Operator::Nop
            | Operator::Block(_)
            | Operator::Loop(_)
            | Operator::If(_)
            | Operator::Else
            | Operator::End
            | Operator::Br(_)
            | Operator::BrIf(_)
            | Operator::BrTable { .. }
            | Operator::Return
            | Operator::BrOnNull(_)
            | Operator::BrOnNonNull(_) => self.control(op),
            Operator::Call(_)
            | Operator::CallIndirect { .. }
            | Operator::ReturnCall(_)
            | Operator::ReturnCallIndirect { .. }
            | Operator::CallRef(_)
            | Operator::ReturnCallRef(_) => self.call(op),
            Operator::Drop | Operator::Select | Operator::TypedSelect(_) => self.parametric(op),
            Operator::LocalGet(_)
            | Operator::LocalSet(_)
            | Operator::LocalTee(_)
            | Operator::GlobalGet(_)
            | Operator::GlobalSet(_) => self.variable(op),
            Operator::TableGet(_)
            | Operator::TableSet(_)
            | Operator::TableSize(_)
            | Operator::TableGrow(_)
            | Operator::TableFill(_)
            | Operator::TableCopy { .. }
            | Operator::TableInit { .. }
            | Operator::ElemDrop(_) => self.table(op),
            Operator::Load(..)
            | Operator::Store(..)
            | Operator::MemorySize(_)
            | Operator::MemoryGrow(_)
            | Operator::MemoryFill(_)
            | Operator::MemoryCopy { .. }
            | Operator::MemoryInit { .. }
            | Operator::DataDrop(_) => self.memory(op),
            Operator::RefNull(_)
            | Operator::RefIsNull
            | Operator::RefFunc(_)
            | Operator::RefEq
            | Operator::RefAsNonNull => self.reference(op),
            Operator::I32Const(_)
            | Operator::I64Const(_)
            | Operator::F32Const(_)
            | Operator::F64Const(_)
            | Operator::Numeric(_) => self.numeric(op),
            Operator::V128Const(_)
            | Operator::I8x16Shuffle(_)
            | Operator::V128Load(..)
            | Operator::V128Store(_)
            | Operator::V128LoadLane { .. }
            | Operator::V128StoreLane { .. }
            | Operator::ExtractLane(..)
            | Operator::ReplaceLane(..)
            | Operator::Simd(_) => self.simd(op),
        }
    }
}
