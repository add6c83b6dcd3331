//! Variable instructions: `local.get`, `local.set`, `local.tee`, `global.get` and
//! `global.set`. A `local.get` emits nothing (the operand refers to the local), and a
//! `local.set` of a fresh result retargets the instruction that produced it.

use super::compiler::{misrouted, set_dst, Compiler, Opd};
use super::isa::{Instr, Slot};
use crate::error::{Error, Result};
use crate::syntax::Operator;

impl Compiler<'_> {
    /// Compiles one variable instruction.
    pub(super) fn variable(&mut self, op: Operator) -> Result<()> {
        match op {
            Operator::LocalGet(l) if !self.inlines.is_empty() => {
                let o = self.inlined_local(l);
                self.push(o);
            }
            Operator::LocalSet(l) | Operator::LocalTee(l) if !self.inlines.is_empty() => {
                let Opd::Local(slot) = self.inlined_local(l) else {
                    return Err(Error::api("internal error: an inlined parameter written"));
                };
                self.local_set(slot, matches!(op, Operator::LocalTee(_)));
            }
            Operator::LocalGet(l) => {
                let (slot, wide) = self.local(l);
                if wide {
                    self.push_pair(Opd::Local(slot), Opd::Local(slot + 1));
                } else {
                    self.push(Opd::Local(slot));
                }
            }
            Operator::LocalSet(l) | Operator::LocalTee(l) => {
                let tee = matches!(op, Operator::LocalTee(_));
                let (slot, wide) = self.local(l);
                if wide {
                    self.local_set(slot + 1, false);
                    self.local_set(slot, false);
                    if tee {
                        self.push_pair(Opd::Local(slot), Opd::Local(slot + 1));
                    }
                } else {
                    self.local_set(slot, tee);
                }
            }
            Operator::GlobalGet(global) => {
                if self.global_is_v128(global) {
                    let dst = self.push_v128();
                    self.emit(Instr::GlobalGet128 { dst, global });
                } else {
                    let dst = self.push_temp();
                    self.emit_def(Instr::GlobalGet { dst, global }, dst);
                }
            }
            Operator::GlobalSet(global) => {
                if self.global_is_v128(global) {
                    let src = self.pop_v128();
                    self.emit(Instr::GlobalSet128 { src, global });
                } else {
                    let src = self.pop_acc();
                    self.emit(Instr::GlobalSet { src, global });
                }
            }
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }

    fn local_set(&mut self, l: Slot, tee: bool) {
        let top = self.stack.len() - 1;
        // Zero into a declared local that still holds its initial zero: nothing to do.
        let fresh = (l as usize)
            .checked_sub(self.params_end)
            .filter(|&i| i < self.zero_locals.len());
        if let Some(i) = fresh {
            let zero = self
                .zero_const
                .is_some_and(|z| self.stack[top] == Opd::Const(z));
            if zero && self.zero_locals[i] && self.loops == 0 {
                self.stack.pop();
                if tee {
                    self.push(Opd::Local(l));
                }
                return;
            }
            self.zero_locals[i] = false;
        }
        // Operands still reading the old value of `l` must be copied out first.
        let pending: Vec<usize> = (self.homed.min(top)..top)
            .filter(|&p| self.stack[p] == Opd::Local(l))
            .collect();
        let src = self.slot_of(top);
        let retarget = pending.is_empty()
            && self.stack[top] == Opd::Temp
            && matches!(self.last_dst, Some((at, d)) if at + 1 == self.code.len() && d == src);
        for p in pending {
            self.materialize(p);
        }
        let retargeted = retarget
            && match self.last_dst {
                Some((at, _)) => set_dst(&mut self.code[at], l),
                None => false,
            };
        if retargeted {
            self.last_dst = None;
        } else if src != l {
            self.emit_copy(l, src);
        }
        self.stack.pop();
        if tee {
            self.push(Opd::Local(l));
        }
    }

    /// Where local `l` of the innermost inlined callee is.
    fn inlined_local(&self, l: u32) -> Opd {
        let Some(i) = self.inlines.last() else {
            return Opd::Local(l as Slot);
        };
        match i.params.get(l as usize) {
            Some(&o) => o,
            None => Opd::Local((i.locals + l as usize - i.params.len()) as Slot),
        }
    }
}
