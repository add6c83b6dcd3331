//! The verifier: checks a compiled function's structural invariants once, after
//! compilation, so that the interpreter may rely on them without checking per
//! instruction.
//!
//! Checked: every slot operand (and every slot range an instruction reads or writes)
//! lies inside the frame; every branch target is an instruction of the function; a
//! `BrTable` is followed by its `len + 1` entries; the last instruction does not fall
//! through. The interpreter's unchecked slot and code accesses are sound only because
//! of these checks, so a compiler bug surfaces here as an error, never as memory
//! unsafety.

use super::isa::{slot_width, table_entries, CompiledFunc, Instr, ACC};
use crate::error::{Error, Result};

/// Calls `f(first_slot, count)` for every slot range instruction `i` touches, and
/// `acc(is_write)` for every operand that is the accumulator ([`ACC`]) in a position
/// whose handlers take it (anywhere else, `ACC` is reported as a slot, out of any
/// frame).
fn slot_ranges(i: &Instr, f: &mut impl FnMut(u32, u32), acc: &mut impl FnMut(bool)) {
    macro_rules! numeric {
        ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
            match i {
                $( Instr::$name(o) => numeric!(@ops o [$($p)*]), )*
                _ => other(i, f, acc),
            }
        };
        (@ops $o:ident [$a:ident]) => {{
            operand($o.dst, true, f, acc);
            operand($o.src, false, f, acc);
        }};
        (@ops $o:ident [$a:ident $b:ident]) => {{
            operand($o.dst, true, f, acc);
            operand($o.a, false, f, acc);
            operand($o.b, false, f, acc);
        }};
    }
    crate::for_each_numeric_op!(numeric);
}

/// Whether instruction `i` reads the accumulator.
pub(super) fn reads_acc(i: &Instr) -> bool {
    let mut reads = false;
    slot_ranges(i, &mut |_, _| {}, &mut |write| reads |= !write);
    reads
}

/// Reports an operand in a position that may hold the accumulator.
fn operand(s: u16, write: bool, f: &mut impl FnMut(u32, u32), acc: &mut impl FnMut(bool)) {
    if s == ACC {
        acc(write)
    } else {
        f(s as u32, 1)
    }
}

fn other(i: &Instr, f: &mut impl FnMut(u32, u32), acc: &mut impl FnMut(bool)) {
    if let Some(c) = { *i }.compare_branch_mut().copied() {
        operand(c.a, false, f, acc);
        operand(c.b, false, f, acc);
        return;
    }
    if let Some(l) = { *i }.load_mut().copied() {
        operand(l.dst, true, f, acc);
        operand(l.addr, false, f, acc);
        return;
    }
    if let Some(l) = { *i }.load_operand_mut().copied() {
        operand(l.dst, true, f, acc);
        operand(l.a, false, f, acc);
        operand(l.addr, false, f, acc);
        return;
    }
    if let Some(l) = { *i }.load_sum_operand_mut().copied() {
        operand(l.dst, true, f, acc);
        operand(l.a, false, f, acc);
        f(l.x as u32, 1);
        f(l.y as u32, 1);
        return;
    }
    if let Instr::MulAdd(m) = *i {
        operand(m.dst, true, f, acc);
        f(m.a as u32, 1);
        f(m.b as u32, 1);
        f(m.c as u32, 1);
        return;
    }
    if let Some(s) = { *i }.rmw_mut().copied() {
        // The address is read twice (load, then store): never the accumulator.
        f(s.addr as u32, 1);
        operand(s.value, false, f, acc);
        return;
    }
    if let Some(l) = { *i }.load_sum_mut().copied() {
        operand(l.dst, true, f, acc);
        f(l.a as u32, 1);
        f(l.b as u32, 1);
        return;
    }
    if let Some(s) = { *i }.store_mut().copied() {
        operand(s.addr, false, f, acc);
        operand(s.value, false, f, acc);
        return;
    }
    if let Some(s) = { *i }.store_sum_mut().copied() {
        f(s.a as u32, 1);
        f(s.b as u32, 1);
        operand(s.value, false, f, acc);
        return;
    }
    macro_rules! one {
        ($s:expr) => {
            f($s as u32, 1)
        };
    }
    match *i {
        Instr::Unreachable
        | Instr::Br { .. }
        | Instr::Return
        | Instr::ConsumeFuel { .. }
        | Instr::CheckEpoch => {}
        Instr::ReturnOne { src } => one!(src),
        Instr::CanonNan { slot, .. } => one!(slot),
        Instr::BrIfNez { cond, .. } | Instr::BrIfEqz { cond, .. } => operand(cond, false, f, acc),
        Instr::BrTable { index, .. } => one!(index),
        // Neither operand may be the accumulator.
        Instr::BrTableLoad8U { dst, addr, .. } => {
            one!(addr);
            one!(dst);
        }
        Instr::BrIfAdd { x, step, other, .. } => {
            one!(x);
            one!(step);
            one!(other);
        }
        // The callee's frame starts at `base` (possibly right at the end of this frame);
        // entering it checks its own extent.
        Instr::Call { base, .. } => f(base as u32, 0),
        Instr::CallCopy {
            base,
            dst,
            src,
            dst2,
            src2,
            ..
        } => {
            one!(dst);
            one!(src);
            one!(dst2);
            one!(src2);
            f(base as u32, 0);
        }
        Instr::CallIndirect { index, base, .. } | Instr::ReturnCallIndirect { index, base, .. } => {
            one!(index);
            f(base as u32, 0);
        }
        Instr::ReturnCall { base, .. } => f(base as u32, 0),
        Instr::CallRef { fref, base } | Instr::ReturnCallRef { fref, base } => {
            one!(fref);
            f(base as u32, 0);
        }
        Instr::BrRef { src, .. } => one!(src),
        Instr::Copy(u) | Instr::RefIsNull(u) | Instr::RefAsNonNull(u) => {
            one!(u.dst);
            one!(u.src);
        }
        Instr::Copy2 {
            dst,
            src,
            dst2,
            src2,
        } => {
            one!(dst);
            one!(src);
            one!(dst2);
            one!(src2);
        }
        Instr::CopyMany { dst, src, len } => {
            f(dst as u32, len as u32);
            f(src as u32, len as u32);
        }
        Instr::Select { dst, cond, a, b } => {
            operand(dst, true, f, acc);
            operand(cond, false, f, acc);
            one!(a);
            operand(b, false, f, acc);
        }
        Instr::GlobalGet { dst, .. } => operand(dst, true, f, acc),
        Instr::GlobalSet { src, .. } => operand(src, false, f, acc),
        Instr::LoadMem { dst, addr, .. } => {
            one!(dst);
            one!(addr);
        }
        Instr::StoreMem { addr, value, .. } => {
            one!(addr);
            one!(value);
        }
        Instr::Load64 {
            dst, addr, offset, ..
        } => {
            one!(dst);
            one!(addr);
            one!(offset);
        }
        Instr::Store64 {
            addr,
            value,
            offset,
            ..
        } => {
            one!(addr);
            one!(value);
            one!(offset);
        }
        Instr::MemorySize { dst, .. } | Instr::TableSize { dst, .. } => one!(dst),
        Instr::RefFunc { dst, .. } => one!(dst),
        Instr::MemoryGrow { dst, delta, .. } => {
            one!(dst);
            one!(delta);
        }
        Instr::TableGet { dst, index, .. } => {
            one!(dst);
            one!(index);
        }
        Instr::TableSet { args, .. } | Instr::TableGrow { args, .. } => f(args as u32, 2),
        Instr::MemoryFill { args, .. }
        | Instr::MemoryCopy { args, .. }
        | Instr::MemoryInit { args, .. }
        | Instr::TableFill { args, .. }
        | Instr::TableCopy { args, .. }
        | Instr::TableInit { args, .. } => f(args as u32, 3),
        Instr::SegmentDrop { .. } => {}
        Instr::Simd { op, dst, a, b, c } => {
            let (params, result) = op.signature();
            for (&t, s) in params.iter().zip([a, b, c]) {
                f(s as u32, slot_width(t) as u32);
            }
            f(dst as u32, slot_width(result) as u32);
        }
        Instr::Shuffle { dst, a, b, lanes } => {
            for s in [dst, a, b, lanes] {
                f(s as u32, 2);
            }
        }
        Instr::ExtractLane { dst, src, .. } => {
            one!(dst);
            f(src as u32, 2);
        }
        Instr::ReplaceLane { dst, src, x, .. } => {
            f(dst as u32, 2);
            f(src as u32, 2);
            one!(x);
        }
        Instr::Select128 { dst, cond, a, b } => {
            f(dst as u32, 2);
            one!(cond);
            f(a as u32, 2);
            f(b as u32, 2);
        }
        Instr::GlobalGet128 { dst, .. } => f(dst as u32, 2),
        Instr::CanonNan128 { slot, .. } => f(slot as u32, 2),
        Instr::GlobalSet128 { src, .. } => f(src as u32, 2),
        Instr::V128Load {
            is64,
            dst,
            addr,
            offset,
            ..
        } => {
            f(dst as u32, 2);
            one!(addr);
            if is64 {
                one!(offset);
            }
        }
        Instr::V128LoadLane {
            is64,
            dst,
            addr,
            src,
            offset,
            ..
        } => {
            f(dst as u32, 2);
            f(src as u32, 2);
            one!(addr);
            if is64 {
                one!(offset);
            }
        }
        Instr::V128Store {
            is64,
            addr,
            src,
            offset,
            ..
        }
        | Instr::V128StoreLane {
            is64,
            addr,
            src,
            offset,
            ..
        } => {
            f(src as u32, 2);
            one!(addr);
            if is64 {
                one!(offset);
            }
        }
        Instr::BinI(o) => {
            operand(o.dst, true, f, acc);
            operand(o.a, false, f, acc);
        }
        Instr::BrIfI32Imm(c) => operand(c.a, false, f, acc),
        _ => {}
    }
}

/// Calls `f(first_slot, count)` for every frame slot range instruction `i` reads or
/// writes (the accumulator is not a slot).
pub(super) fn slots_touched(i: &Instr, f: &mut impl FnMut(u32, u32)) {
    slot_ranges(
        i,
        &mut |s, n| {
            if s != ACC as u32 {
                f(s, n)
            }
        },
        &mut |_| {},
    );
}

/// Checks the invariants the interpreter relies on.
pub fn verify(f: &CompiledFunc) -> Result<()> {
    let bad = |pc: usize, what: &str| {
        Error::Api(format!("internal compiler error: instruction {pc} {what}"))
    };
    let n = f.code.len();
    let frame = f.frame_size;
    if f.offsets.len() != n {
        return Err(bad(0, "has no source offset"));
    }
    if (f.locals_end as usize).saturating_add(f.consts.len()) > frame as usize
        || f.num_params > f.locals_end
    {
        return Err(bad(0, "frame layout exceeds the frame"));
    }
    match f.code.last() {
        Some(Instr::Return | Instr::ReturnOne { .. } | Instr::Br { .. } | Instr::Unreachable) => {}
        _ => {
            return Err(bad(
                n.saturating_sub(1),
                "falls off the end of the function",
            ))
        }
    }
    let is_entry = table_entries(&f.code);
    for (pc, i) in f.code.iter().enumerate() {
        let mut ok = true;
        let mut acc_reads = 0;
        slot_ranges(
            i,
            &mut |s, len| {
                if s.checked_add(len).is_none_or(|end| end > frame) {
                    ok = false;
                }
            },
            &mut |write| acc_reads += u32::from(!write),
        );
        if !ok {
            return Err(bad(pc, "addresses a slot outside its frame"));
        }
        if acc_reads > 1 {
            return Err(bad(pc, "reads the accumulator twice"));
        }
        if let Some(off) = { *i }.branch_offset_mut().copied() {
            let t = pc as i64 + off as i64;
            if t < 0 || t >= n as i64 {
                return Err(bad(pc, "branches outside the function"));
            }
            // The interpreter gives an entry its target's handler: run as an
            // instruction, an entry would be misread.
            if is_entry[t as usize] {
                return Err(bad(pc, "branches to a jump table entry"));
            }
        }
        if let Some(len) = i.table_len() {
            let entries = pc + 1..pc + 2 + len as usize;
            let entry = |e: &Instr| matches!(e, Instr::Br { .. });
            if entries.end > n || !f.code[entries].iter().all(entry) {
                return Err(bad(pc, "has a malformed jump table"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::isa::{Bin, BinLd, LdBinOp, Rmw, RmwOp, Un};

    fn func(code: Vec<Instr>, frame_size: u32) -> CompiledFunc {
        let offsets = vec![0; code.len()].into_boxed_slice();
        CompiledFunc {
            code: code.into_boxed_slice(),
            offsets,
            num_params: 1,
            frame_size,
            locals_end: 1,
            consts: Box::new([]),
            ops: Default::default(),
            native: Default::default(),
            tier_up: false,
            heat: Default::default(),
            background: Default::default(),
        }
    }

    fn fails(code: Vec<Instr>, frame_size: u32, why: &str) {
        let e = verify(&func(code, frame_size)).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }

    #[test]
    fn accepts_well_formed_code() {
        let code = vec![
            Instr::I32Add(Bin { dst: 1, a: 0, b: 0 }),
            Instr::BrIfNez { cond: 1, offset: 2 },
            Instr::Br { offset: -2 },
            Instr::ReturnOne { src: 1 },
        ];
        verify(&func(code, 2)).unwrap();
    }

    #[test]
    fn rejects_slots_outside_the_frame() {
        fails(
            vec![Instr::Copy(Un { dst: 2, src: 0 }), Instr::Return],
            2,
            "outside its frame",
        );
        fails(vec![Instr::ReturnOne { src: 7 }], 2, "outside its frame");
        let copy = Instr::CopyMany {
            dst: 0,
            src: 1,
            len: 2,
        };
        fails(vec![copy, Instr::Return], 2, "outside its frame");
        // `args..args+3` must fit too.
        let fill = Instr::MemoryFill {
            args: 0,
            mem: 0,
            is64: false,
        };
        fails(vec![fill, Instr::Return], 2, "outside its frame");
    }

    #[test]
    fn accumulator_only_where_handlers_take_it() {
        // Numeric results and operands, load results and addresses, store values and
        // branch conditions may be the accumulator.
        let code = vec![
            Instr::I32Add(Bin {
                dst: ACC,
                a: 0,
                b: 0,
            }),
            Instr::I32Mul(Bin {
                dst: 1,
                a: ACC,
                b: 0,
            }),
            Instr::I32Eqz(Un { dst: ACC, src: 1 }),
            Instr::BrIfNez {
                cond: ACC,
                offset: 1,
            },
            Instr::ReturnOne { src: 1 },
        ];
        verify(&func(code, 2)).unwrap();
        // Elsewhere it is a slot outside the frame.
        fails(vec![Instr::ReturnOne { src: ACC }], 2, "outside its frame");
        fails(
            vec![Instr::Copy(Un { dst: 0, src: ACC }), Instr::Return],
            2,
            "outside its frame",
        );
        // One value travels in it: no instruction reads it twice.
        fails(
            vec![
                Instr::I32Add(Bin {
                    dst: 0,
                    a: ACC,
                    b: ACC,
                }),
                Instr::Return,
            ],
            2,
            "accumulator twice",
        );
    }

    #[test]
    fn checks_memory_operand_instructions() {
        let ld = |dst, a, addr| {
            Instr::BinLd(BinLd {
                op: LdBinOp::F64MulLd,
                dst,
                a,
                addr,
                offset: 0,
            })
        };
        let rmw = |addr, value| {
            Instr::Rmw(Rmw {
                op: RmwOp::F64Add,
                addr,
                value,
                offset: 0,
            })
        };
        let ok = vec![ld(ACC, 0, ACC), rmw(1, ACC), ld(1, ACC, 0), Instr::Return];
        verify(&func(ok, 2)).unwrap();
        fails(vec![ld(2, 0, 0), Instr::Return], 2, "outside its frame");
        fails(vec![ld(0, 2, 0), Instr::Return], 2, "outside its frame");
        fails(vec![ld(0, 0, 2), Instr::Return], 2, "outside its frame");
        fails(vec![ld(0, ACC, ACC), Instr::Return], 2, "accumulator twice");
        fails(vec![rmw(2, 0), Instr::Return], 2, "outside its frame");
        fails(vec![rmw(0, 2), Instr::Return], 2, "outside its frame");
        // The address of a read-modify-write is never the accumulator.
        fails(vec![rmw(ACC, 0), Instr::Return], 2, "outside its frame");
    }

    #[test]
    fn rejects_branches_outside_the_code() {
        fails(vec![Instr::Br { offset: 1 }], 1, "branches outside");
        fails(
            vec![
                Instr::BrIfEqz {
                    cond: 0,
                    offset: -1,
                },
                Instr::Return,
            ],
            1,
            "branches outside",
        );
    }

    #[test]
    fn rejects_falling_off_the_end() {
        fails(
            vec![Instr::Copy(Un { dst: 0, src: 0 })],
            1,
            "falls off the end",
        );
        fails(vec![], 1, "falls off the end");
    }

    #[test]
    fn rejects_short_or_malformed_jump_tables() {
        let t = Instr::BrTable { index: 0, len: 2 };
        fails(
            vec![t, Instr::Br { offset: -1 }, Instr::Return],
            1,
            "malformed jump table",
        );
        let bad = Instr::Copy(Un { dst: 0, src: 0 });
        fails(
            vec![t, Instr::Return, bad, Instr::Return],
            1,
            "malformed jump table",
        );
    }

    #[test]
    fn jump_table_entries_are_jumps_that_nothing_else_reaches() {
        let t = Instr::BrTable { index: 0, len: 0 };
        let ret = Instr::Return;
        // A well-formed table: its one entry jumps past itself.
        assert!(verify(&func(vec![t, Instr::Br { offset: 1 }, ret], 1)).is_ok());
        // An entry that is a return, not a jump.
        fails(vec![t, ret, ret], 1, "malformed jump table");
        // A branch to an entry, from outside the table and from the entry itself.
        let to_entry = Instr::BrIfNez { cond: 0, offset: 2 };
        fails(
            vec![to_entry, t, Instr::Br { offset: 1 }, ret],
            1,
            "branches to a jump table entry",
        );
        fails(
            vec![t, Instr::Br { offset: 0 }, ret],
            1,
            "branches to a jump table entry",
        );
    }
}
