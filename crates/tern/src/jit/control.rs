//! Control instructions in Cranelift IR (spec: Control Instructions, without the
//! calls): branches, conditional and table branches, `unreachable`; and metering
//! (fuel and epoch checks), which hands the instruction back to the interpreter when
//! fuel runs short or the deadline has passed, so that it traps or pauses exactly
//! where it would have.
//!
//! Knows nothing of slots' types or of how native code leaves beyond `Tx`'s branch,
//! leave and trap helpers.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, JumpTableData, MemFlagsData, Value};

use super::memory;
use super::slots::Ty;
use super::translate::{Tx, Unsupported};
use crate::compile::isa::{BrCmp, Cond, Instr, NativeCtx};
use crate::error::TrapCode;

/// Translates `i` if it is a control or metering instruction (`Ok(false)`: it is not).
pub(super) fn control(tx: &mut Tx, i: &Instr) -> Result<bool, Unsupported> {
    match *i {
        Instr::Unreachable => tx.trap(TrapCode::Unreachable),
        Instr::Br { offset } => {
            let t = tx.target(offset);
            tx.b.ins().jump(t, &[]);
            tx.ended = true;
        }
        Instr::BrIfNez { cond, offset } => {
            let c = tx.get_as(cond, Ty::I32);
            tx.branch_if(c, offset);
        }
        Instr::BrIfEqz { cond, offset } => {
            let c = tx.get_as(cond, Ty::I32);
            let z = tx.b.ins().icmp_imm_u(IntCC::Equal, c, 0);
            tx.branch_if(z, offset);
        }
        Instr::BrIfI32Eq(o) => br_cmp(tx, o, IntCC::Equal),
        Instr::BrIfI32Ne(o) => br_cmp(tx, o, IntCC::NotEqual),
        Instr::BrIfI32LtS(o) => br_cmp(tx, o, IntCC::SignedLessThan),
        Instr::BrIfI32LtU(o) => br_cmp(tx, o, IntCC::UnsignedLessThan),
        Instr::BrIfI32GtS(o) => br_cmp(tx, o, IntCC::SignedGreaterThan),
        Instr::BrIfI32GtU(o) => br_cmp(tx, o, IntCC::UnsignedGreaterThan),
        Instr::BrIfI32LeS(o) => br_cmp(tx, o, IntCC::SignedLessThanOrEqual),
        Instr::BrIfI32LeU(o) => br_cmp(tx, o, IntCC::UnsignedLessThanOrEqual),
        Instr::BrIfI32GeS(o) => br_cmp(tx, o, IntCC::SignedGreaterThanOrEqual),
        Instr::BrIfI32GeU(o) => br_cmp(tx, o, IntCC::UnsignedGreaterThanOrEqual),
        Instr::BrIfI32Imm(o) => {
            let a = tx.get_as(o.a, Ty::I32);
            let c = compare(tx, o.cond, a, None, Some(o.imm));
            tx.branch_if(c, o.offset);
        }
        Instr::BrIfAdd {
            x,
            step,
            other,
            cond,
            offset,
        } => {
            let a = tx.get_as(x, Ty::I32);
            let s = tx.get_as(step, Ty::I32);
            let sum = tx.b.ins().iadd(a, s);
            tx.set_as(x, sum, Ty::I32);
            let o = if matches!(cond, Cond::Eqz | Cond::Nez) {
                None
            } else {
                Some(tx.get_as(other, Ty::I32))
            };
            let c = compare(tx, cond, sum, o, None);
            tx.branch_if(c, offset);
        }
        Instr::BrTable { index, len } => {
            let i = tx.get_as(index, Ty::I32);
            table(tx, i, len);
        }
        Instr::BrTableLoad8U {
            dst,
            addr,
            offset,
            len,
        } => {
            let v = memory::load_u8(tx, addr, offset);
            tx.set_as(dst, v, Ty::I32);
            table(tx, v, len);
        }
        Instr::BrRef {
            src,
            offset,
            if_null,
        } => {
            let r = tx.get_as(src, Ty::I64);
            let cc = if if_null {
                IntCC::Equal
            } else {
                IntCC::NotEqual
            };
            let c = tx.b.ins().icmp_imm_u(cc, r, 0);
            tx.branch_if(c, offset);
        }
        // Metering: enough fuel or an epoch before the deadline goes on natively;
        // otherwise the interpreter executes the instruction, and traps exactly as
        // it would have (a call resumed with more fuel re-executes it there).
        Instr::ConsumeFuel { amount } => {
            let fuel = tx.ctx_ptr(std::mem::offset_of!(NativeCtx, fuel));
            let f =
                tx.b.ins()
                    .load(types::I64, MemFlagsData::trusted(), fuel, 0);
            let short =
                tx.b.ins()
                    .icmp_imm_u(IntCC::UnsignedLessThan, f, amount as i64);
            tx.leave_if(short);
            let left = tx.b.ins().iadd_imm_s(f, -(amount as i64));
            tx.b.ins().store(MemFlagsData::trusted(), left, fuel, 0);
        }
        Instr::CheckEpoch => {
            let epoch = tx.ctx_ptr(std::mem::offset_of!(NativeCtx, epoch));
            let deadline = tx.ctx_load(types::I64, std::mem::offset_of!(NativeCtx, epoch_deadline));
            let now =
                tx.b.ins()
                    .atomic_load(types::I64, MemFlagsData::trusted(), epoch);
            let due =
                tx.b.ins()
                    .icmp(IntCC::UnsignedGreaterThanOrEqual, now, deadline);
            tx.leave_if(due);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn br_cmp(tx: &mut Tx, o: BrCmp, cc: IntCC) {
    let a = tx.get_as(o.a, Ty::I32);
    let b = tx.get_as(o.b, Ty::I32);
    let c = tx.b.ins().icmp(cc, a, b);
    tx.branch_if(c, o.offset);
}

/// `a COND b` (or `a COND imm`) on i32s, as an integer flag.
fn compare(tx: &mut Tx, cond: Cond, a: Value, b: Option<Value>, imm: Option<u32>) -> Value {
    let cc = match cond {
        Cond::Eq => IntCC::Equal,
        Cond::Ne => IntCC::NotEqual,
        Cond::LtS => IntCC::SignedLessThan,
        Cond::LtU => IntCC::UnsignedLessThan,
        Cond::GtS => IntCC::SignedGreaterThan,
        Cond::GtU => IntCC::UnsignedGreaterThan,
        Cond::LeS => IntCC::SignedLessThanOrEqual,
        Cond::LeU => IntCC::UnsignedLessThanOrEqual,
        Cond::GeS => IntCC::SignedGreaterThanOrEqual,
        Cond::GeU => IntCC::UnsignedGreaterThanOrEqual,
        Cond::Eqz => return tx.b.ins().icmp_imm_u(IntCC::Equal, a, 0),
        Cond::Nez => return tx.b.ins().icmp_imm_u(IntCC::NotEqual, a, 0),
    };
    let b = match b {
        Some(b) => b,
        // An `iconst` of a narrow type takes its bits zero-extended.
        None => tx.b.ins().iconst(types::I32, imm.unwrap_or(0) as i64),
    };
    tx.b.ins().icmp(cc, a, b)
}

/// A jump table on i32 `index`: the `len` entries after the current instruction
/// are `Br`s for the index values `0..len`, the one after them the default.
fn table(tx: &mut Tx, index: Value, len: u32) {
    let mut calls = Vec::with_capacity(len as usize);
    let mut default = None;
    for k in 0..=len as usize {
        let entry = tx.pc + 1 + k;
        let Some(Instr::Br { offset }) = tx.code.code.get(entry).copied() else {
            continue;
        };
        let t = (entry as i64 + offset as i64) as usize;
        let block = tx.block_at(t);
        let call = tx.b.func.dfg.block_call(block, &[]);
        if k == len as usize {
            default = Some(call);
        } else {
            calls.push(call);
        }
    }
    let default = default.unwrap_or_else(|| {
        // The verifier guarantees the default entry; keep a safe fallback anyway.
        let b = tx.block_at(tx.pc + 1);
        tx.b.func.dfg.block_call(b, &[])
    });
    let jt = tx.b.create_jump_table(JumpTableData::new(default, &calls));
    tx.b.ins().br_table(index, jt);
    tx.ended = true;
}
