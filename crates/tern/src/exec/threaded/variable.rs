//! Variable instructions (spec: Variable Instructions): `global.get` and
//! `global.set`, to and from a slot or the accumulator; and the copies between slots
//! (`Copy`, `Copy2`, `CopyMany`) that locals (which live in slots) and block results
//! become where the compiler could not compute a value into its destination.
//! Vector globals are in `vector`.
//!
//! Globals are reached through the store. The slots rely on the interpreter's slot
//! invariant (see its module docs): the verifier proved every slot operand, and both
//! ranges of a `CopyMany`, lie inside the frame.
//!
//! This room knows nothing of memories, tables or calls.

use std::hint::unreachable_unchecked;

use super::dispatch::TAIL;
use super::state::ex;
use crate::compile::isa::{ExecCtx, Exit, Instr, Op};

handlers! {
    GlobalGet(ip, sp, mem, len, cx, acc) Instr::GlobalGet { dst, global } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        wr!(sp, dst, e.data.globals[e.inst.globals[global as usize] as usize].value as u64);
        step!(ip, sp, mem, len, cx, acc)
    }
    GlobalSet(ip, sp, mem, len, cx, acc) Instr::GlobalSet { src, global } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        e.data.globals[e.inst.globals[global as usize] as usize].value = rd!(sp, src) as u128;
        step!(ip, sp, mem, len, cx, acc)
    }
    GlobalGetToA(ip, sp, mem, len, cx, acc) Instr::GlobalGet { global, .. } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let acc = e.data.globals[e.inst.globals[global as usize] as usize].value as u64;
        step!(ip, sp, mem, len, cx, acc)
    }
    GlobalSetFromA(ip, sp, mem, len, cx, acc) Instr::GlobalSet { global, .. } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        e.data.globals[e.inst.globals[global as usize] as usize].value = acc as u128;
        step!(ip, sp, mem, len, cx, acc)
    }
    Copy(ip, sp, mem, len, cx, acc) Instr::Copy(o) => {
        wr!(sp, o.dst, rd!(sp, o.src));
        step!(ip, sp, mem, len, cx, acc)
    }
    Copy2(ip, sp, mem, len, cx, acc) Instr::Copy2 { dst, src, dst2, src2 } => {
        wr!(sp, dst, rd!(sp, src));
        wr!(sp, dst2, rd!(sp, src2));
        step!(ip, sp, mem, len, cx, acc)
    }
    CopyMany(ip, sp, mem, len, cx, acc) Instr::CopyMany { dst, src, len: n } => {
        // SAFETY: the verifier proved both ranges lie inside the frame; `ptr::copy`
        // allows them to overlap.
        unsafe { std::ptr::copy(sp.add(src as usize), sp.add(dst as usize), n as usize) };
        step!(ip, sp, mem, len, cx, acc)
    }
}
