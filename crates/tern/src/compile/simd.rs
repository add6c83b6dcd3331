//! Compiling vector (`v128`) values and instructions.
//!
//! A `v128` is two adjacent slots (low half first). On the compiler's operand stack it
//! is two entries, so every position-based mechanism (home slots, lazy operands,
//! copies at block boundaries, call arguments) works on it unchanged, with arities
//! counted in slots. What this file adds: reading a vector operand as one slot pair
//! (making its halves adjacent if they are not), vector constants as pairs of
//! constant slots, and the translation of each vector instruction. Vector
//! instructions never use the accumulator.

use super::compiler::{small, Compiler, Opd};
use super::isa::{Instr, Slot};
use crate::error::Result;
use crate::syntax::{MemArg, Operator, SimdOp, ValType};

impl Compiler<'_> {
    /// Pushes a two-entry operand (a vector's halves), bounding lazy operands only
    /// after both are on the stack so that they stay a pair.
    pub(super) fn push_pair(&mut self, lo: Opd, hi: Opd) {
        self.homed = self.homed.min(self.stack.len());
        self.stack.push(lo);
        self.push(hi);
    }

    /// Pushes a fresh vector temporary and returns its first home slot.
    pub(super) fn push_v128(&mut self) -> Slot {
        let lo = self.push(Opd::Temp);
        self.push(Opd::Temp);
        self.home(lo)
    }

    /// Pops a vector operand and returns the first of its two adjacent slots.
    pub(super) fn pop_v128(&mut self) -> Slot {
        let hi = self.stack.len() - 1;
        let lo = hi - 1;
        if self.slot_of(lo).checked_add(1) != Some(self.slot_of(hi)) {
            self.materialize(lo);
            self.materialize(hi);
        }
        let s = self.slot_of(lo);
        self.stack.truncate(lo);
        s
    }

    /// Whether the `drop` or untyped `select` being compiled acts on a vector (the
    /// validator recorded where they do).
    pub(super) fn on_v128(&self) -> bool {
        !self.v128_operands.is_empty()
            && self
                .v128_operands
                .binary_search(&(self.offset as u32))
                .is_ok()
    }

    /// The first slot of local `l` and whether it is a vector.
    pub(super) fn local(&self, l: u32) -> (Slot, bool) {
        match &self.local_slots {
            None => (l as Slot, false),
            Some(v) => v.get(l as usize).copied().unwrap_or((l as Slot, false)),
        }
    }

    /// Whether global `g` holds a vector.
    pub(super) fn global_is_v128(&self, g: u32) -> bool {
        self.module.global_v128.get(g as usize) == Some(&true)
    }

    /// The constant slot pair holding vector `bits` (every one was pre-scanned).
    fn wide_const(&self, bits: u128) -> Slot {
        let i = self.wide_index.get(&bits).copied().unwrap_or(0);
        (self.consts_base + i) as Slot
    }

    /// A memory access's memory, whether it is 64-bit, and its offset field (the
    /// offset itself, or for a 64-bit memory the constant slot holding it).
    fn mem_operands(&self, ma: MemArg) -> Result<(u16, bool, u32)> {
        let mem = small(ma.memory)?;
        if self.mem64(ma.memory) {
            Ok((mem, true, self.const_slot(ma.offset) as u32))
        } else {
            Ok((mem, false, ma.offset as u32))
        }
    }

    /// Compiles one vector instruction.
    pub(super) fn simd(&mut self, op: Operator) -> Result<()> {
        match op {
            Operator::V128Const(b) => {
                let s = self.wide_const(u128::from_le_bytes(b));
                self.push_pair(Opd::Const(s), Opd::Const(s + 1));
            }
            Operator::I8x16Shuffle(l) => {
                let lanes = self.wide_const(u128::from_le_bytes(l));
                let b = self.pop_v128();
                let a = self.pop_v128();
                let dst = self.push_v128();
                self.emit(Instr::Shuffle { dst, a, b, lanes });
            }
            Operator::ExtractLane(op, lane) => {
                let src = self.pop_v128();
                let dst = self.push_temp();
                self.emit_def(Instr::ExtractLane { op, lane, dst, src }, dst);
            }
            Operator::ReplaceLane(op, lane) => {
                let x = self.pop();
                let src = self.pop_v128();
                let dst = self.push_v128();
                self.emit(Instr::ReplaceLane {
                    op,
                    lane,
                    dst,
                    src,
                    x,
                });
            }
            Operator::V128Load(op, ma) => {
                let (mem, is64, offset) = self.mem_operands(ma)?;
                let addr = self.pop();
                let dst = self.push_v128();
                self.emit(Instr::V128Load {
                    op,
                    is64,
                    mem,
                    dst,
                    addr,
                    offset,
                });
            }
            Operator::V128Store(ma) => {
                let (mem, is64, offset) = self.mem_operands(ma)?;
                let src = self.pop_v128();
                let addr = self.pop();
                self.emit(Instr::V128Store {
                    is64,
                    mem,
                    addr,
                    src,
                    offset,
                });
            }
            Operator::V128LoadLane {
                bytes,
                memarg,
                lane,
            } => {
                let (mem, is64, offset) = self.mem_operands(memarg)?;
                let src = self.pop_v128();
                let addr = self.pop();
                let dst = self.push_v128();
                self.emit(Instr::V128LoadLane {
                    bytes,
                    lane,
                    is64,
                    mem,
                    dst,
                    addr,
                    src,
                    offset,
                });
            }
            Operator::V128StoreLane {
                bytes,
                memarg,
                lane,
            } => {
                let (mem, is64, offset) = self.mem_operands(memarg)?;
                let src = self.pop_v128();
                let addr = self.pop();
                self.emit(Instr::V128StoreLane {
                    bytes,
                    lane,
                    is64,
                    mem,
                    addr,
                    src,
                    offset,
                });
            }
            Operator::Simd(op) => {
                let (params, result) = op.signature();
                let mut ops = [0 as Slot; 3];
                for (i, &t) in params.iter().enumerate().rev() {
                    ops[i] = if t == ValType::V128 {
                        self.pop_v128()
                    } else {
                        self.pop()
                    };
                }
                let [a, b, c] = ops;
                if result == ValType::V128 {
                    let dst = self.push_v128();
                    self.emit(Instr::Simd { op, dst, a, b, c });
                    if self.deterministic {
                        if let Some(is64) = float_result(op) {
                            self.emit(Instr::CanonNan128 { slot: dst, is64 });
                        }
                    }
                } else {
                    let dst = self.push_temp();
                    self.emit_def(Instr::Simd { op, dst, a, b, c }, dst);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// For a vector instruction whose NaN results may depend on the host, whether its
/// lanes are f64 (`Some(true)`) or f32 (`Some(false)`); `None` for the others (bit
/// operations such as abs, neg and the pseudo-min/max are exact).
fn float_result(op: SimdOp) -> Option<bool> {
    use SimdOp::*;
    match op {
        F32x4Add | F32x4Sub | F32x4Mul | F32x4Div | F32x4Sqrt | F32x4Min | F32x4Max | F32x4Ceil
        | F32x4Floor | F32x4Trunc | F32x4Nearest | F32x4DemoteF64x2Zero | F32x4RelaxedMadd
        | F32x4RelaxedNmadd | F32x4RelaxedMin | F32x4RelaxedMax => Some(false),
        F64x2Add | F64x2Sub | F64x2Mul | F64x2Div | F64x2Sqrt | F64x2Min | F64x2Max | F64x2Ceil
        | F64x2Floor | F64x2Trunc | F64x2Nearest | F64x2PromoteLowF32x4 | F64x2RelaxedMadd
        | F64x2RelaxedNmadd | F64x2RelaxedMin | F64x2RelaxedMax => Some(true),
        _ => None,
    }
}
