//! Code layout: the branch clean-ups run on a function's finished code, before returns
//! are threaded and the code is verified. This module owns *jump threading*: a branch
//! (unconditional, conditional, or a `BrTable` entry) whose target is an unconditional
//! `Br` is retargeted to where that `Br` (and any `Br` it lands on in turn, a bounded
//! number of times) finally goes. It only removes dispatches and never changes what a
//! function computes.
//!
//! It does not change the values the accumulator ([`ACC`](super::isa::ACC)) carries: a
//! `Br` passes it along untouched, so skipping one gives every instruction the same
//! value its original predecessor chain gave it. As a second line of defence, no
//! branch is threaded to an instruction that reads the accumulator (the compiler never
//! places one at a branch target).

use super::isa::Instr;
use super::verify::reads_acc;

/// The most `Br`s one branch is threaded through (a bound for cycles of jumps).
const MAX_CHAIN: usize = 8;

/// Threads jumps in `code`, whose instruction `pc` came from wasm byte offset
/// `offsets[pc]`.
pub(super) fn layout(code: &mut [Instr], offsets: &[u32]) {
    if code.len() != offsets.len() || i32::try_from(code.len()).is_err() {
        // Not expected from the compiler; the verifier reports the mismatch.
        return;
    }
    thread_jumps(code);
}

/// The target of the branch at `pc`, if it is a branch whose target is inside `code`.
fn target(code: &[Instr], pc: usize) -> Option<usize> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::isa::ACC;

    fn laid_out(code: Vec<Instr>) -> (Vec<Instr>, Vec<u32>) {
        let offsets: Vec<u32> = (0..code.len() as u32).map(|i| 100 + i).collect();
        let mut code = code;
        layout(&mut code, &offsets);
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
}
