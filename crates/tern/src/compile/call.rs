//! Calls: `call`, `call_indirect`, `call_ref` and the tail calls `return_call`,
//! `return_call_indirect` and `return_call_ref`. The arguments are materialized in
//! their home slots, contiguous at the top of the operand stack (the call names the
//! first), and the results replace them. A call to a function the inliner accepted
//! (see `inline`) is compiled as the callee's body instead.

use super::compiler::{misrouted, set_dst, small, Compiler, Inlined, Kind, Opd};
use super::isa::{slots_of, Instr, Slot, Un, ACC};
use crate::binary::OperatorReader;
use crate::error::{Error, Result};
use crate::syntax::Operator;

impl Compiler<'_> {
    /// Compiles one call instruction.
    pub(super) fn call(&mut self, op: Operator) -> Result<()> {
        match op {
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
            _ => return Err(misrouted(&op)),
        }
        Ok(())
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
}
