//! Parametric instructions (spec: Parametric Instructions): `select`, one handler
//! per place of its condition, its second operand and its result (a slot or the
//! accumulator). (`drop` compiles to no instruction; the vector `select` is in
//! `vector`.)
//!
//! These handlers read and write slots only; this room knows nothing of memories,
//! tables or calls.

use std::hint::unreachable_unchecked;

use super::dispatch::TAIL;
use super::state::ex;
use crate::compile::isa::{ExecCtx, Exit, Instr, Op};

handlers! {
    Select(ip, sp, mem, len, cx, acc) Instr::Select { dst, cond, a, b } => {
        let v = if rd!(sp, cond) as u32 != 0 { rd!(sp, a) } else { rd!(sp, b) };
        wr!(sp, dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
    SelectCondA(ip, sp, mem, len, cx, acc) Instr::Select { dst, a, b, .. } => {
        let v = if acc as u32 != 0 { rd!(sp, a) } else { rd!(sp, b) };
        wr!(sp, dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
    SelectToA(ip, sp, mem, len, cx, acc) Instr::Select { cond, a, b, .. } => {
        let acc = if rd!(sp, cond) as u32 != 0 { rd!(sp, a) } else { rd!(sp, b) };
        step!(ip, sp, mem, len, cx, acc)
    }
    SelectBA(ip, sp, mem, len, cx, acc) Instr::Select { dst, cond, a, .. } => {
        let v = std::hint::select_unpredictable(rd!(sp, cond) as u32 != 0, rd!(sp, a), acc);
        wr!(sp, dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
    SelectBAToA(ip, sp, mem, len, cx, acc) Instr::Select { cond, a, .. } => {
        let acc = std::hint::select_unpredictable(rd!(sp, cond) as u32 != 0, rd!(sp, a), acc);
        step!(ip, sp, mem, len, cx, acc)
    }
    SelectCondAToA(ip, sp, mem, len, cx, acc) Instr::Select { a, b, .. } => {
        let acc = if acc as u32 != 0 { rd!(sp, a) } else { rd!(sp, b) };
        step!(ip, sp, mem, len, cx, acc)
    }
}
