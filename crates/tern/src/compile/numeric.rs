//! Numeric instructions: constants (which push a reference to their pool slot and
//! emit nothing) and the unary and binary operations. A binary operation fuses with a
//! full-width load that produced one of its operands, a multiplication or shift fuses
//! with the addition or xor that reads it, and in deterministic mode a float result
//! that may be a host-dependent NaN is canonicalized.

use super::compiler::{misrouted, Compiler, Opd};
use super::isa::{Bin, BinLd, BinLdX, Instr, Ld, LdBinOp, LdX, MulAdd, MulAddOp, Un, ACC};
use crate::error::Result;
use crate::syntax::{LoadOp, NumericOp, Operator};

impl Compiler<'_> {
    /// Compiles one numeric instruction.
    pub(super) fn numeric(&mut self, op: Operator) -> Result<()> {
        match op {
            Operator::I32Const(v) => {
                let s = self.const_slot(v as u32 as u64);
                self.push(Opd::Const(s));
            }
            Operator::I64Const(v) => {
                let s = self.const_slot(v as u64);
                self.push(Opd::Const(s));
            }
            Operator::F32Const(v) => {
                let s = self.const_slot(v as u64);
                self.push(Opd::Const(s));
            }
            Operator::F64Const(v) => {
                let s = self.const_slot(v);
                self.push(Opd::Const(s));
            }
            Operator::Numeric(n) => {
                if n.signature().0.len() == 1 {
                    self.unary(|u| unary_instr(n, u));
                } else if !self.binary_load(n) {
                    self.binary(|b| binary_instr(n, b));
                    self.fuse_mul_add(n);
                }
                if self.deterministic {
                    self.canonicalize_nan(n);
                }
            }
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }

    /// If an operand of binary operation `n` is the fresh result of a full-width load
    /// from memory 0 of the operation's type, and `n` has forms with a memory operand,
    /// replaces the load and the operation by one such instruction and returns `true`.
    /// The fused instruction keeps the load's source offset: the operations that have
    /// such forms never trap, so any trap it raises is the load's.
    fn binary_load(&mut self, n: NumericOp) -> bool {
        let Some((kind, op_ld, ld_op)) = load_operand_forms(n) else {
            return false;
        };
        let top = self.stack.len() - 1;
        let (at, load_is_b) = match (self.fresh_result(top), self.fresh_result(top - 1)) {
            (Some(at), _) => (at, true),
            (None, Some(at)) => (at, false),
            _ => return false,
        };
        let Some(ld) = full_load(&self.code[at], kind) else {
            return false;
        };
        let addr = match ld {
            FullLoad::One(l) => l.addr,
            FullLoad::Sum(_) => 0,
        };
        let offset = self.offsets[at];
        let prev = self.prev_dst;
        self.drop_last();
        let (a, build) = if load_is_b {
            self.stack.pop();
            // With the load gone, the instruction before it may leave the other
            // operand in the accumulator (unless the load's address came from there).
            if addr != ACC {
                self.last_dst = prev;
            }
            (self.pop_acc(), op_ld)
        } else {
            // The other operand was pushed after the load without code: a local or
            // a constant, never the accumulator.
            let b = self.pop();
            self.stack.pop();
            (b, ld_op)
        };
        self.last_dst = None;
        let dst = self.push_temp();
        let i = match ld {
            FullLoad::One(l) => Instr::BinLd(BinLd {
                op: build,
                dst,
                a,
                addr: l.addr,
                offset: l.offset,
            }),
            FullLoad::Sum((l, offset)) => Instr::BinLdX(BinLdX {
                op: build,
                dst,
                a,
                x: l.a,
                y: l.b,
                offset,
            }),
        };
        let at = self.emit_at(i, offset);
        self.last_dst = Some((at, dst));
        true
    }

    /// If addition `n` was just emitted reading the accumulator that the multiplication
    /// of the same type right before it wrote (from two slots), replaces both by one
    /// multiply-add; likewise a shift and the addition or xor that reads it. Neither
    /// can trap.
    fn fuse_mul_add(&mut self, n: NumericOp) {
        let len = self.code.len();
        if len < 2 || self.label_at == len - 1 || self.last_dst.map(|d| d.0) != Some(len - 1) {
            return;
        }
        let (add, mul) = (self.code[len - 1], self.code[len - 2]);
        let (add, mul, op) = match (n, add, mul) {
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Mul(m)) => (a, m, MulAddOp::I32),
            (NumericOp::I64Add, Instr::I64Add(a), Instr::I64Mul(m)) => (a, m, MulAddOp::I64),
            (NumericOp::F32Add, Instr::F32Add(a), Instr::F32Mul(m)) => (a, m, MulAddOp::F32),
            (NumericOp::F64Add, Instr::F64Add(a), Instr::F64Mul(m)) => (a, m, MulAddOp::F64),
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Shl(m)) => (a, m, MulAddOp::I32Shl),
            (NumericOp::I64Add, Instr::I64Add(a), Instr::I64Shl(m)) => (a, m, MulAddOp::I64Shl),
            (NumericOp::I32Xor, Instr::I32Xor(a), Instr::I32Shl(m)) => (a, m, MulAddOp::I32ShlXor),
            (NumericOp::I64Xor, Instr::I64Xor(a), Instr::I64Shl(m)) => (a, m, MulAddOp::I64ShlXor),
            (NumericOp::I32Xor, Instr::I32Xor(a), Instr::I32ShrU(m)) => {
                (a, m, MulAddOp::I32ShrUXor)
            }
            (NumericOp::I64Xor, Instr::I64Xor(a), Instr::I64ShrU(m)) => {
                (a, m, MulAddOp::I64ShrUXor)
            }
            (NumericOp::I32Add, Instr::I32Add(a), Instr::I32Eqz(u)) => {
                let m = Bin {
                    dst: u.dst,
                    a: u.src,
                    b: u.src,
                };
                (a, m, MulAddOp::I32EqzAdd)
            }
            _ => return,
        };
        if mul.dst != ACC || mul.a == ACC || mul.b == ACC || add.dst == ACC {
            return;
        }
        let c = match (add.a == ACC, add.b == ACC) {
            (true, false) => add.b,
            (false, true) => add.a,
            _ => return,
        };
        let offset = self.offsets[len - 2];
        self.drop_last();
        self.drop_last();
        let dst = add.dst;
        let i = Instr::MulAdd(MulAdd {
            op,
            dst,
            a: mul.a,
            b: mul.b,
            c,
        });
        let at = self.emit_at(i, offset);
        self.last_dst = Some((at, dst));
    }

    /// Deterministic mode: after an instruction whose NaN result may depend on the host,
    /// rewrite a NaN result to the canonical NaN. (Bit operations — abs, neg,
    /// copysign, reinterpret — and loads are exact and need nothing.)
    fn canonicalize_nan(&mut self, n: NumericOp) {
        use NumericOp::*;
        let is64 = match n {
            F32Add | F32Sub | F32Mul | F32Div | F32Sqrt | F32Min | F32Max | F32Ceil | F32Floor
            | F32Trunc | F32Nearest | F32DemoteF64 => false,
            F64Add | F64Sub | F64Mul | F64Div | F64Sqrt | F64Min | F64Max | F64Ceil | F64Floor
            | F64Trunc | F64Nearest | F64PromoteF32 => true,
            _ => return,
        };
        let pos = self.stack.len() - 1;
        let slot = self.home(pos);
        self.emit(Instr::CanonNan { slot, is64 });
    }
}

macro_rules! numeric_builders {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        fn unary_instr(op: NumericOp, u: Un) -> Instr {
            let b = Bin { dst: u.dst, a: u.src, b: u.src };
            numeric_builders!(@match op, u, b, $( $name [$($p)*] )*)
        }

        fn binary_instr(op: NumericOp, b: Bin) -> Instr {
            let u = Un { dst: b.dst, src: b.a };
            numeric_builders!(@match op, u, b, $( $name [$($p)*] )*)
        }
    };
    (@match $op:ident, $u:ident, $b:ident, $( $name:ident [$($p:ident)*] )*) => {
        match $op {
            $( NumericOp::$name => Instr::$name(numeric_builders!(@arg $u, $b, [$($p)*])), )*
        }
    };
    (@arg $u:ident, $b:ident, [$x:ident]) => { $u };
    (@arg $u:ident, $b:ident, [$x:ident $y:ident]) => { $b };
}

crate::for_each_numeric_op!(numeric_builders);

/// The memory-operand forms of binary operation `op`, if it has them: the load that
/// can supply an operand (full width, the operation's type) and the builders of
/// `a OP [m]` and `[m] OP a`. Float addition and multiplication commute here too
/// (with two NaN operands the result is either one's payload, quieted, which wasm
/// allows).
type LoadOperandForms = (LoadOp, LdBinOp, LdBinOp);

fn load_operand_forms(op: NumericOp) -> Option<LoadOperandForms> {
    use LdBinOp as L;
    use NumericOp as N;
    let f: LoadOperandForms = match op {
        N::F64Add => (LoadOp::F64Load, L::F64AddLd, L::F64AddLd),
        N::F64Sub => (LoadOp::F64Load, L::F64SubLd, L::F64LdSub),
        N::F64Mul => (LoadOp::F64Load, L::F64MulLd, L::F64MulLd),
        N::F64Div => (LoadOp::F64Load, L::F64DivLd, L::F64LdDiv),
        N::F32Add => (LoadOp::F32Load, L::F32AddLd, L::F32AddLd),
        N::F32Sub => (LoadOp::F32Load, L::F32SubLd, L::F32LdSub),
        N::F32Mul => (LoadOp::F32Load, L::F32MulLd, L::F32MulLd),
        N::F32Div => (LoadOp::F32Load, L::F32DivLd, L::F32LdDiv),
        N::I32Add => (LoadOp::I32Load, L::I32AddLd, L::I32AddLd),
        N::I32Sub => (LoadOp::I32Load, L::I32SubLd, L::I32LdSub),
        N::I32And => (LoadOp::I32Load, L::I32AndLd, L::I32AndLd),
        N::I32Or => (LoadOp::I32Load, L::I32OrLd, L::I32OrLd),
        N::I32Xor => (LoadOp::I32Load, L::I32XorLd, L::I32XorLd),
        N::I64Add => (LoadOp::I64Load, L::I64AddLd, L::I64AddLd),
        N::I64Sub => (LoadOp::I64Load, L::I64SubLd, L::I64LdSub),
        _ => return None,
    };
    Some(f)
}

/// A load that can become an operand of a binary instruction.
enum FullLoad {
    /// Address in one slot.
    One(Ld),
    /// Address a sum of two slots, with an offset that fits 16 bits.
    Sum((LdX, u16)),
}

/// The operands of `i` if it is a load of kind `kind` from memory 0 that can become an
/// operand.
fn full_load(i: &Instr, kind: LoadOp) -> Option<FullLoad> {
    let sum = |o: LdX| Some(FullLoad::Sum((o, u16::try_from(o.offset).ok()?)));
    let (k, o) = match *i {
        Instr::F64Load(o) => (LoadOp::F64Load, Some(FullLoad::One(o))),
        Instr::F32Load(o) => (LoadOp::F32Load, Some(FullLoad::One(o))),
        Instr::I32Load(o) => (LoadOp::I32Load, Some(FullLoad::One(o))),
        Instr::I64Load(o) => (LoadOp::I64Load, Some(FullLoad::One(o))),
        Instr::F64LoadX(o) => (LoadOp::F64Load, sum(o)),
        Instr::F32LoadX(o) => (LoadOp::F32Load, sum(o)),
        Instr::I32LoadX(o) => (LoadOp::I32Load, sum(o)),
        Instr::I64LoadX(o) => (LoadOp::I64Load, sum(o)),
        _ => return None,
    };
    if k == kind {
        o
    } else {
        None
    }
}
