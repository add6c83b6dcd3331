//! Code layout: the branch clean-ups run on a function's finished code, before returns
//! are threaded and the code is verified. This module owns two of them, both of which
//! only remove dispatches and never change what a function computes:
//! - *jump threading*: a branch (unconditional, conditional, or a `BrTable` entry)
//!   whose target is an unconditional `Br` is retargeted to where that `Br` (and any
//!   `Br` it lands on in turn, a bounded number of times) finally goes;
//! - *tail duplication*: an unconditional `Br` (not a `BrTable` entry) whose target is
//!   a short straight-line run ending in a `Br`, `Return` or `ReturnOne`, or in a
//!   `BrTable` with its entries (the head of an interpreter's dispatch loop, which each
//!   case then dispatches on its own), is replaced by a copy of that run, so the run's
//!   own code follows without a jump. The copies keep
//!   the wasm byte offsets of the instructions they copy (trap backtraces), and the
//!   growth of a function is bounded.
//!
//! Neither changes the values the accumulator ([`ACC`](super::isa::ACC)) carries: a
//! `Br` passes it along untouched, so skipping one, or running a copy of the run right
//! where the `Br` was, gives every instruction the same value its original
//! predecessor chain gave it. As a second line of defence, no branch is threaded to an
//! instruction that reads the accumulator and no run that starts with such a reader is
//! copied (the compiler never places one at a branch target).

use super::isa::{table_entries, Instr};
use super::verify::reads_acc;

/// The most `Br`s one branch is threaded through (a bound for cycles of jumps).
const MAX_CHAIN: usize = 8;

/// The most instructions a duplicated run has before its final `Br` or return.
const MAX_RUN: usize = 4;

/// The most entries of a `BrTable` that ends a duplicated run.
const MAX_TABLE: usize = 64;

/// The most instructions tail duplication may add to a function of `n` instructions.
fn budget(n: usize) -> usize {
    2 * n + 16
}

/// Threads jumps and duplicates short tails in `code`, whose instruction `pc` came
/// from wasm byte offset `offsets[pc]`.
pub(super) fn layout(code: &mut Vec<Instr>, offsets: &mut Vec<u32>) {
    if code.len() != offsets.len() || i32::try_from(code.len()).is_err() {
        // Not expected from the compiler; the verifier reports the mismatch.
        return;
    }
    thread_jumps(code);
    // Twice: a copied tail may end in a jump to a run worth copying in turn (a shared
    // case tail that jumps back to a dispatch loop's head). Both share one budget.
    let mut left = budget(code.len());
    for _ in 0..2 {
        left -= duplicate_tails(code, offsets, left);
    }
}

/// The target of the branch at `pc`, if it is a branch whose target is inside `code`.
pub(super) fn target(code: &[Instr], pc: usize) -> Option<usize> {
    let off = { *code.get(pc)? }.branch_offset_mut().copied()?;
    let t = usize::try_from(pc as i64 + off as i64).ok()?;
    (t < code.len()).then_some(t)
}

/// Where control that reaches instruction `t` ends up after the unconditional `Br`s
/// starting there (at most [`MAX_CHAIN`] of them).
fn final_target(code: &[Instr], mut t: usize) -> usize {
    for _ in 0..MAX_CHAIN {
        match code.get(t) {
            Some(Instr::Br { .. }) => match target(code, t) {
                Some(next) if next != t => t = next,
                _ => break,
            },
            _ => break,
        }
    }
    t
}

/// Retargets every branch that lands on an unconditional `Br` to that jump's final
/// target.
fn thread_jumps(code: &mut [Instr]) {
    for pc in 0..code.len() {
        let Some(t) = target(code, pc) else { continue };
        let f = final_target(code, t);
        if f == t || reads_acc(&code[f]) {
            continue;
        }
        let Ok(rel) = i32::try_from(f as i64 - pc as i64) else {
            continue;
        };
        if let Some(offset) = code[pc].branch_offset_mut() {
            *offset = rel;
        }
    }
}

/// Whether a copy of instruction `i` placed elsewhere acts as `i` does: it neither
/// branches, nor calls (a call's frame resumes right after it), nor is a point where
/// execution pauses and resumes (fuel, epochs), nor ends the code.
pub(super) fn copyable(i: &Instr) -> bool {
    if { *i }.branch_offset_mut().is_some() {
        return false;
    }
    !matches!(
        i,
        Instr::Unreachable
            | Instr::Br { .. }
            | Instr::BrTable { .. }
            | Instr::BrTableLoad8U { .. }
            | Instr::Return
            | Instr::ReturnOne { .. }
            | Instr::Call { .. }
            | Instr::CallCopy { .. }
            | Instr::CallIndirect { .. }
            | Instr::CallRef { .. }
            | Instr::ReturnCall { .. }
            | Instr::ReturnCallIndirect { .. }
            | Instr::ReturnCallRef { .. }
            | Instr::ConsumeFuel { .. }
            | Instr::CheckEpoch
    )
}

/// The length (final instruction included) of the run that starts at `t`, if it is
/// one that a `Br` to `t` may be replaced by: one to [`MAX_RUN`] copyable
/// instructions, the first not reading the accumulator, then a `Br` or a return; or
/// up to [`MAX_RUN`] of them, then a `BrTable` of at most [`MAX_TABLE`] entries and
/// the entries.
fn run_at(code: &[Instr], t: usize) -> Option<usize> {
    for k in 0..=MAX_RUN {
        let i = code.get(t + k)?;
        if let Some(len) = i.table_len() {
            let entries = len as usize + 1;
            let ok = entries <= MAX_TABLE && t + k + entries < code.len() && !reads_acc(&code[t]);
            return ok.then_some(k + 1 + entries);
        }
        if matches!(
            i,
            Instr::Br { .. } | Instr::Return | Instr::ReturnOne { .. }
        ) {
            return (k > 0 && !reads_acc(&code[t])).then_some(k + 1);
        }
        if !copyable(i) {
            return None;
        }
    }
    None
}

/// Replaces unconditional `Br`s to short runs by copies of the runs, adding at most
/// `left` instructions, then rebuilds every relative branch offset (and the byte
/// offsets) for the new instruction indices. Returns the number of instructions added.
fn duplicate_tails(code: &mut Vec<Instr>, offsets: &mut Vec<u32>, mut left: usize) -> usize {
    let n = code.len();
    // The `Br`s to replace: (index, run start, run length).
    let mut plan: Vec<(usize, usize, usize)> = Vec::new();
    // `BrTable` entries stay single instructions right after their table.
    let is_entry = table_entries(code);
    for pc in 0..n {
        match code[pc] {
            _ if is_entry[pc] => {}
            Instr::Br { .. } => {
                let Some(t) = target(code, pc) else { continue };
                let Some(len) = run_at(code, t) else { continue };
                if len - 1 <= left {
                    left -= len - 1;
                    plan.push((pc, t, len));
                }
            }
            _ => {}
        }
    }
    if plan.is_empty() {
        return 0;
    }
    // `at[pc]`: where old instruction `pc` (or the run copied in its place) now starts.
    let mut at = Vec::with_capacity(n + 1);
    let (mut from, mut shift) = (0, 0);
    for &(pc, _, len) in &plan {
        at.extend((from..=pc).map(|x| x + shift));
        shift += len - 1;
        from = pc + 1;
    }
    at.extend((from..=n).map(|x| x + shift));
    let k = n + shift;
    let mut new_code = Vec::with_capacity(k);
    let mut new_offsets = Vec::with_capacity(k);
    let mut from = 0;
    for &(pc, t, len) in &plan {
        new_code.extend_from_slice(&code[from..pc]);
        new_offsets.extend_from_slice(&offsets[from..pc]);
        new_code.extend_from_slice(&code[t..t + len]);
        new_offsets.extend_from_slice(&offsets[t..t + len]);
        from = pc + 1;
    }
    new_code.extend_from_slice(&code[from..]);
    new_offsets.extend_from_slice(&offsets[from..]);
    // Branch offsets: every branch is an original instruction or in a copied run (its
    // last instruction, or an entry of a copied `BrTable`). The new indices are below the new
    // length, which is below `i32::MAX`: the budget adds at most half of a length that
    // fits in an `i32`, plus a constant.
    let mut retarget = |k: usize, old: usize| {
        if let (Some(g), Some(offset)) = (target(code, old), new_code[k].branch_offset_mut()) {
            *offset = (at[g] as i64 - k as i64) as i32;
        }
    };
    let mut from = 0;
    for &(pc, t, len) in &plan {
        (from..pc).for_each(|x| retarget(at[x], x));
        (0..len).for_each(|j| retarget(at[pc] + j, t + j));
        from = pc + 1;
    }
    (from..n).for_each(|x| retarget(at[x], x));
    *code = new_code;
    *offsets = new_offsets;
    shift
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::isa::{Bin, Un, ACC};

    fn add(dst: u16) -> Instr {
        Instr::I32Add(Bin { dst, a: 0, b: 0 })
    }

    fn laid_out(code: Vec<Instr>) -> (Vec<Instr>, Vec<u32>) {
        let mut offsets: Vec<u32> = (0..code.len() as u32).map(|i| 100 + i).collect();
        let mut code = code;
        layout(&mut code, &mut offsets);
        (code, offsets)
    }

    #[test]
    fn chains_of_jumps_are_threaded() {
        let code = vec![
            Instr::BrIfNez { cond: 0, offset: 2 }, // -> 2 -> 3 -> 5
            Instr::Return,
            Instr::Br { offset: 1 },
            Instr::Br { offset: 2 },
            Instr::Return,
            Instr::Call { func: 0, base: 1 },
            Instr::Br { offset: -6 },
        ];
        let (code, offsets) = laid_out(code);
        assert_eq!(code[0], Instr::BrIfNez { cond: 0, offset: 5 });
        assert_eq!(code[2], Instr::Br { offset: 3 });
        assert_eq!(code[3], Instr::Br { offset: 2 });
        assert_eq!(offsets, vec![100, 101, 102, 103, 104, 105, 106]);
    }

    #[test]
    fn cycles_of_jumps_stay_cycles() {
        let code = vec![
            Instr::Br { offset: 1 },
            Instr::Br { offset: 1 },
            Instr::Br { offset: -1 },
        ];
        let (code, _) = laid_out(code);
        for (pc, i) in code.iter().enumerate() {
            let t = target(&code, pc).unwrap();
            assert!(matches!(code[t], Instr::Br { .. }), "{pc}: {i:?}");
        }
    }

    #[test]
    fn jump_table_entries_and_accumulator_readers() {
        let code = vec![
            Instr::BrTable { index: 0, len: 1 },
            Instr::Br { offset: 2 }, // -> 3 -> 5
            Instr::Br { offset: 2 }, // -> 4 -> 6, which reads the accumulator
            Instr::Br { offset: 2 },
            Instr::Br { offset: 2 },
            Instr::ReturnOne { src: 0 },
            Instr::BrIfNez {
                cond: ACC,
                offset: -1,
            },
            Instr::Return,
        ];
        let (code, _) = laid_out(code);
        assert_eq!(code[1], Instr::Br { offset: 4 });
        assert_eq!(code[2], Instr::Br { offset: 2 });
    }

    #[test]
    fn jump_tables_entries_are_threaded_but_not_replaced() {
        let code = vec![
            Instr::BrTable { index: 0, len: 1 },
            Instr::Br { offset: 2 }, // -> 3 -> 5
            Instr::Br { offset: 3 }, // -> 5: a run, but an entry
            Instr::Br { offset: 2 }, // -> 5
            Instr::Unreachable,
            add(1),
            Instr::ReturnOne { src: 1 },
        ];
        let (code, offsets) = laid_out(code);
        // Both entries now land on the run at (new) index 6.
        assert_eq!(code[1], Instr::Br { offset: 5 });
        assert_eq!(code[2], Instr::Br { offset: 4 });
        // The `Br` at 3 became a copy of the run (one instruction more).
        assert_eq!(code[3], add(1));
        assert_eq!(code[4], Instr::ReturnOne { src: 1 });
        assert_eq!(code[6], add(1));
        assert_eq!(code.len(), 8);
        assert_eq!(offsets, vec![100, 101, 102, 105, 106, 104, 105, 106]);
    }

    #[test]
    fn shared_tails_are_copied_and_offsets_rebuilt() {
        let code = vec![
            add(1), // 0: loop head
            Instr::BrIfEqz { cond: 1, offset: 3 },
            add(2),
            Instr::Br { offset: 3 }, // -> tail at 6
            add(3),
            Instr::Br { offset: 1 }, // -> tail at 6
            add(4),                  // 6: tail
            Instr::Copy(Un { dst: 1, src: 4 }),
            Instr::Br { offset: -8 }, // -> 0
        ];
        let (code, offsets) = laid_out(code);
        let want = vec![
            add(1),
            Instr::BrIfEqz { cond: 1, offset: 5 },
            add(2),
            add(4),
            Instr::Copy(Un { dst: 1, src: 4 }),
            Instr::Br { offset: -5 },
            add(3),
            add(4),
            Instr::Copy(Un { dst: 1, src: 4 }),
            Instr::Br { offset: -9 },
            add(4),
            Instr::Copy(Un { dst: 1, src: 4 }),
            Instr::Br { offset: -12 },
        ];
        assert_eq!(code, want);
        assert_eq!(
            offsets,
            vec![100, 101, 102, 106, 107, 108, 104, 106, 107, 108, 106, 107, 108]
        );
    }

    #[test]
    fn runs_that_are_long_branch_call_or_read_the_accumulator_stay_shared() {
        let tails: [&[Instr]; 4] = [
            &[add(1), add(2), add(3), add(4), add(5), Instr::Return],
            &[
                add(1),
                Instr::BrIfNez {
                    cond: 1,
                    offset: -3,
                },
                Instr::Return,
            ],
            &[Instr::Call { func: 0, base: 1 }, Instr::Return],
            &[
                Instr::I32Add(Bin {
                    dst: 1,
                    a: ACC,
                    b: 0,
                }),
                Instr::Return,
            ],
        ];
        for tail in tails {
            let mut code = vec![
                Instr::BrIfNez { cond: 0, offset: 2 },
                Instr::Br { offset: 1 },
            ];
            code.extend_from_slice(tail);
            let (out, _) = laid_out(code.clone());
            assert_eq!(out, code);
        }
    }

    #[test]
    fn growth_is_bounded() {
        // 40 jumps to one 5-instruction tail: 4 more instructions each if copied.
        let mut code = Vec::new();
        for k in 0..40 {
            code.push(Instr::Br { offset: 40 - k });
        }
        code.extend([add(1), add(2), add(3), add(4), Instr::Return]);
        let n = code.len();
        let (out, offsets) = laid_out(code);
        assert!(out.len() > n && out.len() <= n + budget(n), "{}", out.len());
        assert_eq!(out.len(), offsets.len());
    }

    #[test]
    fn dispatch_heads_are_copied_into_each_case() {
        // 0: the head (an add, then a table over two cases); 4 and 6: the cases, which
        // end by jumping to a shared tail (9) that jumps back to the head.
        let code = vec![
            add(1),
            Instr::BrTable { index: 1, len: 1 },
            Instr::Br { offset: 2 }, // -> 4
            Instr::Br { offset: 3 }, // -> 6
            add(2),
            Instr::Br { offset: 4 }, // -> 9
            add(3),
            Instr::Br { offset: 2 }, // -> 9
            Instr::Unreachable,
            add(4),
            Instr::Br { offset: -10 }, // -> 0
        ];
        let (out, offsets) = laid_out(code);
        assert_eq!(out.len(), offsets.len());
        // Every table, original or copied, still sends entry 0 to a run starting with
        // add(2) and entry 1 to one starting with add(3); each case now ends with the
        // tail and a copy of the head, so no `Br` back to the head remains.
        let tables: Vec<usize> = (0..out.len())
            .filter(|&pc| matches!(out[pc], Instr::BrTable { .. }))
            .collect();
        assert_eq!(tables.len(), 4, "{out:#?}");
        for &pc in &tables {
            for (e, want) in [(1, add(2)), (2, add(3))] {
                let t = target(&out, pc + e).unwrap();
                assert_eq!(out[t], want, "table at {pc}, entry {e}: {out:#?}");
            }
            assert_eq!(offsets[pc], 101);
        }
        assert!(
            (0..out.len()).all(|pc| target(&out, pc) != Some(0) || pc <= 2),
            "{out:#?}"
        );
    }
}
