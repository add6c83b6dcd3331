//! Control instructions (spec: Control Instructions) other than calls and returns:
//! `unreachable` and the branches. `br`, `br_if` on a slot or the accumulator, and
//! the fused forms the compiler makes of a comparison and the `br_if` that consumes
//! it (two i32 slots, `BrIfI32*`; a slot and a constant, `BrIfI32Imm`; an add to a
//! counter, `BrIfAdd`); `br_table`, also fused with the `i32.load8_u` of its index;
//! and the reference branches `br_on_null` and `br_on_non_null`. Calls and returns,
//! control instructions too in the spec, switch frames and have their own room
//! (`call`).
//!
//! This room owns `jump!` (a branch by an offset, with the tail-call guard on
//! backward branches) and `table!` (a jump through the entries that follow a
//! `br_table`). It reads slots and, in `BrTableLoad8U`, one checked byte of memory 0;
//! it knows nothing else of frames, memories or tables.
//!
//! The invariants it relies on (see the interpreter's module docs):
//! - instructions: the verifier proved every branch target is inside the code, and
//!   that the `n + 1` entries of a table follow it, each a `Br` whose target is
//!   inside the code and not an entry; `lower` gave each entry its target's handler;
//! - memory 0 (`BrTableLoad8U`): the address is checked against the cached length
//!   `len` before the unchecked read.

use std::hint::unreachable_unchecked;

use super::dispatch::{host_sp, stack_grew, Invalid, TAIL};
use super::state::{ex, trap};
use crate::compile::isa::{BrCmp, BrCmpI, Cond, ExecCtx, Exit, Handler, Instr, Op, ACC};
use crate::error::TrapCode;

/// Branches by `offset` instructions from `ip`.
macro_rules! jump {
    ($ip:expr, $offset:expr, $sp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        let offset = $offset;
        if offset < 0 {
            guard!($ip, $cx);
        }
        // SAFETY: the verifier proved every branch target is inside the code.
        next!(
            unsafe { $ip.offset(offset as isize) },
            $sp,
            $mem,
            $len,
            $cx,
            $acc
        )
    }};
}

/// Jumps through the table at `ip` (of `n` entries and the default) by `index`.
macro_rules! table {
    ($ip:expr, $index:expr, $n:expr, $sp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        let i = ($index as u32).min($n);
        // SAFETY: the verifier proved the `n + 1` table entries follow, each a `Br`
        // whose target is inside the code and not an entry.
        let entry = unsafe { $ip.add(1 + i as usize) };
        let Instr::Br { offset } = (unsafe { *entry }).instr else {
            unsafe { unreachable_unchecked() }
        };
        if offset < 0 {
            guard!($ip, $cx);
        }
        let target = unsafe { entry.offset(offset as isize) };
        if TAIL {
            // SAFETY: `lower` gave the entry its target's handler, which expects
            // exactly these registers with `ip` at the target.
            return unsafe { ((*entry).handler)(target, $sp, $mem, $len, $cx, $acc) };
        }
        next!(target, $sp, $mem, $len, $cx, $acc)
    }};
}

/// An add-and-branch: `x = x + step` (i32), then jump when `x COND other`.
macro_rules! br_add {
    ($ip:ident, $sp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident, $x:ident, $step:ident, $other:ident, $offset:ident, $t:ty, |$a:ident, $b:ident| $cond:expr) => {{
        let sum = (rd!($sp, $x) as u32).wrapping_add(rd!($sp, $step) as u32);
        wr!($sp, $x, sum as u64);
        let $a = sum as $t;
        let $b = rd!($sp, $other) as u32 as $t;
        if $cond {
            jump!($ip, $offset, $sp, $mem, $len, $cx, $acc)
        }
        step!($ip, $sp, $mem, $len, $cx, $acc)
    }};
}

handlers! {
    Unreachable(ip, sp, mem, len, cx, acc) Instr::Unreachable => { trap(ip, cx, TrapCode::Unreachable) }
    Br(ip, sp, mem, len, cx, acc) Instr::Br { offset } => { jump!(ip, offset, sp, mem, len, cx, acc) }
    BrIfNez(ip, sp, mem, len, cx, acc) Instr::BrIfNez { cond, offset } => {
        if rd!(sp, cond) as u32 != 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    BrIfEqz(ip, sp, mem, len, cx, acc) Instr::BrIfEqz { cond, offset } => {
        if rd!(sp, cond) as u32 == 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    BrIfNezA(ip, sp, mem, len, cx, acc) Instr::BrIfNez { offset, .. } => {
        if acc as u32 != 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    BrIfEqzA(ip, sp, mem, len, cx, acc) Instr::BrIfEqz { offset, .. } => {
        if acc as u32 == 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    BrIfAddEq(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a == b) }
    BrIfAddNe(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a != b) }
    BrIfAddLtS(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, i32, |a, b| a < b) }
    BrIfAddLtU(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a < b) }
    BrIfAddGtS(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, i32, |a, b| a > b) }
    BrIfAddGtU(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a > b) }
    BrIfAddLeS(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, i32, |a, b| a <= b) }
    BrIfAddLeU(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a <= b) }
    BrIfAddGeS(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, i32, |a, b| a >= b) }
    BrIfAddGeU(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, b| a >= b) }
    BrIfAddEqz(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, _b| a == 0) }
    BrIfAddNez(ip, sp, mem, len, cx, acc) Instr::BrIfAdd { x, step, other, offset, .. } => { br_add!(ip, sp, mem, len, cx, acc, x, step, other, offset, u32, |a, _b| a != 0) }
    BrTable(ip, sp, mem, len, cx, acc) Instr::BrTable { index, len: n } => {
        table!(ip, rd!(sp, index), n, sp, mem, len, cx, acc)
    }
    BrTableLoad8U(ip, sp, mem, len, cx, acc) Instr::BrTableLoad8U { dst, addr, offset, len: n } => {
        let a = rd!(sp, addr) as u32 as u64 + offset as u64;
        if a + 1 > len as u64 {
            return trap(ip, cx, TrapCode::MemoryOutOfBounds);
        }
        // SAFETY: `a + 1 <= len` was just checked.
        let v = unsafe { *mem.add(a as usize) } as u64;
        wr!(sp, dst, v);
        table!(ip, v, n, sp, mem, len, cx, acc)
    }
    BrOnNull(ip, sp, mem, len, cx, acc) Instr::BrRef { src, offset, .. } => {
        if rd!(sp, src) == 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    BrOnNonNull(ip, sp, mem, len, cx, acc) Instr::BrRef { src, offset, .. } => {
        if rd!(sp, src) != 0 {
            jump!(ip, offset, sp, mem, len, cx, acc)
        }
        step!(ip, sp, mem, len, cx, acc)
    }
}

/// Fused compare-and-branch handlers, one per operand mode: `s_s` (both slots), `a_s`
/// (left operand in the accumulator), `s_a` (right operand in the accumulator).
macro_rules! brcmp_handlers {
    ($( $name:ident: $t:ty, |$a:ident, $b:ident| $cond:expr; )*) => {
        $(
            pub(super) mod $name {
                use super::*;
                brcmp_handlers!(@fn $name s_s S S $t, |$a, $b| $cond);
                brcmp_handlers!(@fn $name a_s A S $t, |$a, $b| $cond);
                brcmp_handlers!(@fn $name s_a S A $t, |$a, $b| $cond);
                pub(in crate::exec::threaded) fn pick(o: &BrCmp) -> Handler {
                    match (o.a == ACC, o.b == ACC) {
                        (false, false) => s_s,
                        (true, false) => a_s,
                        (false, true) => s_a,
                        (true, true) => Invalid,
                    }
                }
            }
        )*
    };
    (@fn $name:ident $fname:ident $x:ident $y:ident $t:ty, |$a:ident, $b:ident| $cond:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let $a = opnd!($x, sp, acc, o.a) as $t;
            let $b = opnd!($y, sp, acc, o.b) as $t;
            if $cond {
                jump!(ip, o.offset, sp, mem, len, cx, acc)
            }
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

brcmp_handlers! {
    BrIfI32Eq: u32, |a, b| a == b;
    BrIfI32Ne: u32, |a, b| a != b;
    BrIfI32LtS: i32, |a, b| a < b;
    BrIfI32LtU: u32, |a, b| a < b;
    BrIfI32GtS: i32, |a, b| a > b;
    BrIfI32GtU: u32, |a, b| a > b;
    BrIfI32LeS: i32, |a, b| a <= b;
    BrIfI32LeU: u32, |a, b| a <= b;
    BrIfI32GeS: i32, |a, b| a >= b;
    BrIfI32GeU: u32, |a, b| a >= b;
}

/// Compare-and-branch handlers with a constant right operand ([`Instr::BrIfI32Imm`]),
/// one per condition and mode of `a`: `s` (a slot) or `a` (the accumulator).
macro_rules! brimm_handlers {
    ($( $cond:ident / $m:ident: $t:ty, |$a:ident, $b:ident| $c:expr; )*) => {
        pub(super) mod br_imm {
            use super::*;
            $(
                pub(super) mod $m {
                    use super::*;
                    brimm_handlers!(@fn s S $t, |$a, $b| $c);
                    brimm_handlers!(@fn a A $t, |$a, $b| $c);
                }
            )*
            pub(in crate::exec::threaded) fn pick(o: &BrCmpI) -> Handler {
                match (o.cond, o.a == ACC) {
                    $(
                        (Cond::$cond, false) => $m::s,
                        (Cond::$cond, true) => $m::a,
                    )*
                    // The compiler never folds these; the verifier rejects them.
                    (Cond::Eqz | Cond::Nez, _) => Invalid,
                }
            }
        }
    };
    (@fn $fname:ident $x:ident $t:ty, |$a:ident, $b:ident| $c:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::BrIfI32Imm(o));
            let $a = opnd!($x, sp, acc, o.a) as u32 as $t;
            let $b = o.imm as $t;
            if $c {
                jump!(ip, o.offset, sp, mem, len, cx, acc)
            }
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

brimm_handlers! {
    Eq / eq: u32, |a, b| a == b;
    Ne / ne: u32, |a, b| a != b;
    LtS / lt_s: i32, |a, b| a < b;
    LtU / lt_u: u32, |a, b| a < b;
    GtS / gt_s: i32, |a, b| a > b;
    GtU / gt_u: u32, |a, b| a > b;
    LeS / le_s: i32, |a, b| a <= b;
    LeU / le_u: u32, |a, b| a <= b;
    GeS / ge_s: i32, |a, b| a >= b;
    GeU / ge_u: u32, |a, b| a >= b;
}
