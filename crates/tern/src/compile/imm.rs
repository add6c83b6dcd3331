//! Immediates: once a function is compiled, every i32 binary instruction and i32
//! compare-and-branch that reads a constant slot is rewritten to carry the constant in
//! the instruction ([`Instr::BinI`], [`Instr::BrIfI32Imm`]), which saves the
//! interpreter a slot read; and the constants no instruction reads from a slot any
//! more are reported, so that the compiler can leave them out of the frame's constant
//! pool (copied into every frame on entry).
//!
//! This module only rewrites instructions one for one (positions, branch offsets and
//! accumulator use stay as they were); which slots hold constants is the caller's to
//! say.

use super::isa::{Bin, BinI, BinIOp, BrCmp, BrCmpI, Cond, Instr, Slot, ACC};

/// Rewrites each instruction of `code` that can take a constant operand as an
/// immediate and reads one: `value(slot)` is the constant's bits for a constant slot,
/// `None` for any other slot.
pub(super) fn fold(code: &mut [Instr], value: impl Fn(Slot) -> Option<u64>) {
    let k = |s: Slot| {
        if s == ACC {
            None
        } else {
            value(s).map(|v| v as u32)
        }
    };
    for i in code.iter_mut() {
        if let Some(n) = folded(i, &k) {
            *i = n;
        }
    }
}

/// The immediate form of `i`, if it has one and reads a constant.
fn folded(i: &Instr, k: &impl Fn(Slot) -> Option<u32>) -> Option<Instr> {
    use BinIOp::*;
    // `swapped`: the operation with its operands exchanged, where there is one.
    let bin = |op: BinIOp, o: &Bin, swapped: Option<BinIOp>| {
        let (op, a, imm) = match (k(o.b), swapped) {
            (Some(imm), _) => (op, o.a, imm),
            (None, Some(s)) => (s, o.b, k(o.a)?),
            (None, None) => return None,
        };
        Some(Instr::BinI(BinI {
            op,
            dst: o.dst,
            a,
            imm,
        }))
    };
    let br = |cond: Cond, c: &BrCmp| {
        let (cond, a, imm) = match k(c.b) {
            Some(imm) => (cond, c.a, imm),
            None => (cond.mirrored(), c.b, k(c.a)?),
        };
        Some(Instr::BrIfI32Imm(BrCmpI {
            cond,
            a,
            imm,
            offset: c.offset,
        }))
    };
    match i {
        Instr::I32Add(o) => bin(Add, o, Some(Add)),
        Instr::I32Sub(o) => bin(Sub, o, None),
        Instr::I32Mul(o) => bin(Mul, o, Some(Mul)),
        Instr::I32And(o) => bin(And, o, Some(And)),
        Instr::I32Or(o) => bin(Or, o, Some(Or)),
        Instr::I32Xor(o) => bin(Xor, o, Some(Xor)),
        Instr::I32Shl(o) => bin(Shl, o, None),
        Instr::I32ShrS(o) => bin(ShrS, o, None),
        Instr::I32ShrU(o) => bin(ShrU, o, None),
        Instr::I32Rotl(o) => bin(Rotl, o, None),
        Instr::I32Rotr(o) => bin(Rotr, o, None),
        Instr::I32Eq(o) => bin(Eq, o, Some(Eq)),
        Instr::I32Ne(o) => bin(Ne, o, Some(Ne)),
        Instr::I32LtS(o) => bin(LtS, o, Some(GtS)),
        Instr::I32LtU(o) => bin(LtU, o, Some(GtU)),
        Instr::I32GtS(o) => bin(GtS, o, Some(LtS)),
        Instr::I32GtU(o) => bin(GtU, o, Some(LtU)),
        Instr::I32LeS(o) => bin(LeS, o, Some(GeS)),
        Instr::I32LeU(o) => bin(LeU, o, Some(GeU)),
        Instr::I32GeS(o) => bin(GeS, o, Some(LeS)),
        Instr::I32GeU(o) => bin(GeU, o, Some(LeU)),
        Instr::BrIfI32Eq(c) => br(Cond::Eq, c),
        Instr::BrIfI32Ne(c) => br(Cond::Ne, c),
        Instr::BrIfI32LtS(c) => br(Cond::LtS, c),
        Instr::BrIfI32LtU(c) => br(Cond::LtU, c),
        Instr::BrIfI32GtS(c) => br(Cond::GtS, c),
        Instr::BrIfI32GtU(c) => br(Cond::GtU, c),
        Instr::BrIfI32LeS(c) => br(Cond::LeS, c),
        Instr::BrIfI32LeU(c) => br(Cond::LeU, c),
        Instr::BrIfI32GeS(c) => br(Cond::GeS, c),
        Instr::BrIfI32GeU(c) => br(Cond::GeU, c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slots 10 and 11 hold the constants 5 and -1.
    fn fold_one(i: Instr) -> Instr {
        let mut code = [i];
        fold(&mut code, |s| match s {
            10 => Some(5),
            11 => Some(u32::MAX as u64),
            _ => None,
        });
        code[0]
    }

    #[test]
    fn constant_right_operands_become_immediates() {
        let i = fold_one(Instr::I32Sub(Bin {
            dst: 1,
            a: ACC,
            b: 11,
        }));
        assert_eq!(
            i,
            Instr::BinI(BinI {
                op: BinIOp::Sub,
                dst: 1,
                a: ACC,
                imm: u32::MAX
            })
        );
    }

    #[test]
    fn constant_left_operands_swap_only_where_the_operation_allows() {
        // 5 < x is x > 5.
        let i = fold_one(Instr::I32LtU(Bin {
            dst: 1,
            a: 10,
            b: 2,
        }));
        assert_eq!(
            i,
            Instr::BinI(BinI {
                op: BinIOp::GtU,
                dst: 1,
                a: 2,
                imm: 5
            })
        );
        let sub = Instr::I32Sub(Bin {
            dst: 1,
            a: 10,
            b: 2,
        });
        assert_eq!(fold_one(sub), sub);
        let shl = Instr::I32Shl(Bin {
            dst: 1,
            a: 10,
            b: 2,
        });
        assert_eq!(fold_one(shl), shl);
        // A branch on 5 >= x is a branch on x <= 5.
        let br = Instr::BrIfI32GeS(BrCmp {
            a: 10,
            b: ACC,
            offset: -3,
        });
        assert_eq!(
            fold_one(br),
            Instr::BrIfI32Imm(BrCmpI {
                cond: Cond::LeS,
                a: ACC,
                imm: 5,
                offset: -3
            })
        );
    }

    #[test]
    fn other_operands_and_instructions_stay() {
        let add = Instr::I32Add(Bin { dst: 1, a: 2, b: 3 });
        assert_eq!(fold_one(add), add);
        let add64 = Instr::I64Add(Bin {
            dst: 1,
            a: 2,
            b: 10,
        });
        assert_eq!(fold_one(add64), add64);
    }
}
