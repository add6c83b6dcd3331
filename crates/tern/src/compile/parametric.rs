//! Parametric instructions: `drop` and `select`. Whether an untyped one acts on a
//! vector (two slots) the validator recorded (see `on_v128` in `simd`).

use super::compiler::{misrouted, Compiler};
use super::isa::{Instr, ACC};
use crate::error::Result;
use crate::syntax::{Operator, ValType};

impl Compiler<'_> {
    /// Compiles `drop` or `select`.
    pub(super) fn parametric(&mut self, op: Operator) -> Result<()> {
        match op {
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
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }
}
