//! Reference instructions (spec: Reference Instructions): `ref.is_null`,
//! `ref.func` and `ref.as_non_null`. (`ref.null` is a constant; `br_on_null` and
//! `br_on_non_null` branch, in `control`; `call_ref` calls, in `call`.) A null
//! reference is 0 in its slot; a function reference is the function's store index
//! plus one.
//!
//! This room knows nothing of memories, tables or calls.

use std::hint::unreachable_unchecked;

use super::dispatch::TAIL;
use super::state::{ex, trap};
use crate::compile::isa::{ExecCtx, Exit, Instr, Op};
use crate::error::TrapCode;

handlers! {
    RefIsNull(ip, sp, mem, len, cx, acc) Instr::RefIsNull(o) => {
        wr!(sp, o.dst, (rd!(sp, o.src) == 0) as u64);
        step!(ip, sp, mem, len, cx, acc)
    }
    RefFunc(ip, sp, mem, len, cx, acc) Instr::RefFunc { dst, func } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        wr!(sp, dst, e.inst.funcs[func as usize] as u64 + 1);
        step!(ip, sp, mem, len, cx, acc)
    }
    RefAsNonNull(ip, sp, mem, len, cx, acc) Instr::RefAsNonNull(o) => {
        let v = rd!(sp, o.src);
        if v == 0 {
            return trap(ip, cx, TrapCode::NullReference);
        }
        wr!(sp, o.dst, v);
        step!(ip, sp, mem, len, cx, acc)
    }
}
