//! Table instructions: `table.get`, `table.set`, `table.size`, `table.grow`,
//! `table.fill`, `table.copy`, `table.init` and `elem.drop`.

use super::compiler::{misrouted, small, Compiler, Opd};
use super::isa::Instr;
use crate::error::Result;
use crate::syntax::Operator;

impl Compiler<'_> {
    /// Compiles one table instruction.
    pub(super) fn table(&mut self, op: Operator) -> Result<()> {
        match op {
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
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }
}
