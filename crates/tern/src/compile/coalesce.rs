//! Copy coalescing: once a function is compiled, a `Copy { dst: y, src: x }` whose
//! `x` was computed earlier in the same straight-line run, and is dead after the copy,
//! goes away: the instruction that computed `x` writes `y` instead. Loop-carried
//! variables leave such copies at the end of every loop body and every case of a
//! dispatch loop (`x' = f(x); ...; x = x'`).
//!
//! Straight-line means no branch target and no instruction that branches, calls,
//! returns or may pause ([`layout::copyable`] instructions only) between the two, and
//! neither slot touched in between. Dead means that, going on from the copy in the
//! same straight line, `x` is written before anything reads it. Anything this pass
//! cannot see (a label, a branch, a call) keeps the copy.
//!
//! This module only renames a result slot and deletes copies, then rebuilds branch
//! offsets and byte offsets; it decides nothing about slots beyond that.

use super::isa::{Instr, Slot, Un, ACC};
use super::layout::{copyable, target};
use super::verify::slots_touched;

/// How many times instruction `i` names slot `s` (a result counts once).
fn mentions(i: &Instr, s: Slot) -> u32 {
    let mut n = 0;
    slots_touched(i, &mut |first, len| {
        if (first..first.saturating_add(len)).contains(&(s as u32)) {
            n += 1;
        }
    });
    n
}

/// The result slot of `i`, if it writes exactly one slot after reading its operands.
fn dst_of(i: &Instr) -> Option<Slot> {
    let mut i = *i;
    i.dst_mut().map(|d| *d).filter(|&d| d != ACC)
}

/// Removes the copies described in the module docs; returns how many.
pub(super) fn coalesce(code: &mut Vec<Instr>, offsets: &mut Vec<u32>) -> usize {
    let n = code.len();
    let mut is_target = vec![false; n];
    for pc in 0..n {
        if let Some(t) = target(code, pc) {
            is_target[t] = true;
        }
    }
    let mut deleted = vec![false; n];
    let mut removed = 0;
    for j in 0..n {
        let Instr::Copy(Un { dst: y, src: x }) = code[j] else {
            continue;
        };
        if x == ACC || y == ACC || x == y || is_target[j] {
            continue;
        }
        // Back to the instruction that computed `x`.
        let mut def = None;
        for i in (0..j).rev() {
            if deleted[i] {
                continue;
            }
            let ins = &code[i];
            if !copyable(ins) {
                break;
            }
            if dst_of(ins) == Some(x) {
                def = Some(i);
                break;
            }
            if is_target[i] || mentions(ins, x) > 0 || mentions(ins, y) > 0 {
                break;
            }
        }
        let Some(def) = def else { continue };
        // On to a write of `x` that reads nothing of it, in the same straight line.
        let mut dead = false;
        for (k, ins) in code.iter().enumerate().skip(j + 1) {
            if is_target[k] || !copyable(ins) {
                break;
            }
            let m = mentions(ins, x);
            if m > 0 {
                dead = m == 1 && dst_of(ins) == Some(x);
                break;
            }
        }
        if !dead {
            continue;
        }
        if let Some(d) = code[def].dst_mut() {
            *d = y;
        }
        deleted[j] = true;
        removed += 1;
    }
    if removed == 0 {
        return 0;
    }
    // New indices; no deleted instruction is a branch target.
    let mut at = Vec::with_capacity(n + 1);
    let mut next = 0;
    for &d in &deleted {
        at.push(next);
        next += usize::from(!d);
    }
    at.push(next);
    let mut new_code = Vec::with_capacity(next);
    let mut new_offsets = Vec::with_capacity(next);
    for pc in 0..n {
        if deleted[pc] {
            continue;
        }
        let mut ins = code[pc];
        if let (Some(t), Some(off)) = (target(code, pc), ins.branch_offset_mut()) {
            *off = (at[t] as i64 - at[pc] as i64) as i32;
        }
        new_code.push(ins);
        new_offsets.push(offsets[pc]);
    }
    *code = new_code;
    *offsets = new_offsets;
    removed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::isa::{Bin, BinI, BinIOp, St};

    fn add(dst: Slot, a: Slot, b: Slot) -> Instr {
        Instr::I32Add(Bin { dst, a, b })
    }
    fn copy(dst: Slot, src: Slot) -> Instr {
        Instr::Copy(Un { dst, src })
    }
    fn inc(dst: Slot, a: Slot) -> Instr {
        Instr::BinI(BinI {
            op: BinIOp::Add,
            dst,
            a,
            imm: 1,
        })
    }

    fn run(mut code: Vec<Instr>) -> (Vec<Instr>, Vec<u32>, usize) {
        let mut offsets: Vec<u32> = (0..code.len() as u32).map(|i| 100 + i).collect();
        let n = coalesce(&mut code, &mut offsets);
        (code, offsets, n)
    }

    #[test]
    fn a_loop_carried_copy_is_folded_into_the_definition() {
        // x5 = x4 + x5; x2 += 1; x4 = x5; x5 = x4 + 1; back to the top.
        let code = vec![
            add(5, 4, 5),
            inc(2, 2),
            copy(4, 5),
            inc(5, 4),
            Instr::Br { offset: -4 },
        ];
        let (code, offsets, n) = run(code);
        assert_eq!(n, 1);
        assert_eq!(
            code,
            [add(4, 4, 5), inc(2, 2), inc(5, 4), Instr::Br { offset: -3 }]
        );
        assert_eq!(offsets, [100, 101, 103, 104]);
    }

    #[test]
    fn copies_stay_where_the_pass_cannot_see_that_they_may_go() {
        // The foldable pattern, with one instruction inserted at a place.
        let with = |at: usize, extra: Instr| {
            let mut code = vec![add(5, 4, 5), copy(4, 5), inc(5, 4), Instr::Return];
            code.insert(at, extra);
            code
        };
        let store = Instr::I32Store(St {
            addr: 0,
            value: 5,
            offset: 0,
        });
        let cases = [
            // `x` read after the copy.
            ("x read after", with(2, add(6, 5, 5))),
            // The straight line ends (a branch) before `x` is written.
            (
                "branch after",
                with(2, Instr::BrIfNez { cond: 4, offset: 2 }),
            ),
            // A label between the copy and the write of `x`.
            (
                "label after",
                with(0, Instr::BrIfNez { cond: 0, offset: 3 }),
            ),
            // `y` read between the definition and the copy.
            ("y read between", with(1, add(6, 4, 4))),
            // `x` read (stored) between them.
            ("x read between", with(1, store)),
            // A label at the copy: another path reaches it.
            (
                "label at the copy",
                with(0, Instr::BrIfNez { cond: 0, offset: 2 }),
            ),
            // A call between them.
            ("call between", with(1, Instr::Call { func: 0, base: 9 })),
            // `x` written by an instruction that also reads it.
            (
                "x read and written",
                vec![add(5, 4, 5), copy(4, 5), inc(5, 5), Instr::Return],
            ),
        ];
        for (what, code) in cases {
            assert_eq!(run(code).2, 0, "{what}");
        }
        // The pattern itself is folded.
        assert_eq!(run(with(3, inc(7, 7))).2, 1);
    }
}
