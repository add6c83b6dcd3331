//! Reference instructions: `ref.null`, `ref.is_null`, `ref.func`, `ref.eq` and
//! `ref.as_non_null`. A null reference is the constant 0.

use super::compiler::{misrouted, Compiler, Opd};
use super::isa::Instr;
use crate::error::Result;
use crate::syntax::Operator;

impl Compiler<'_> {
    /// Compiles one reference instruction.
    pub(super) fn reference(&mut self, op: Operator) -> Result<()> {
        match op {
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
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }
}
