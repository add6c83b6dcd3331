//! Dispatch: the calling convention every handler shares and how a handler hands
//! control on. A handler (`compile::isa::Handler`) receives the registers `ip` (its
//! instruction), `sp` (the frame's first slot), `mem` and `len` (memory 0's cached
//! base and length), `cx` (the state, see `state`) and `acc` (the accumulator), and
//! ends by running the next instruction's handler or by returning an `Exit`.
//!
//! This room owns the dispatch mode ([`TAIL`]: tail calls between handlers, or the
//! portable loop in `interpret`; see the interpreter's module docs) and the tail-call
//! guard that checks the host stack has not grown; the macros that pass control on
//! (`next!`, `step!`, `bounce!`, `guard!`), define handlers (`handlers!`,
//! `handler_fn!`, `operands!`, `tri!`) and reach operands (`rd!`, `wr!`, `opnd!`,
//! `result!`, `refresh!`); and the choice of a handler by where its operands are
//! ([`by_acc`], [`Invalid`]). It knows no instruction's semantics and no family of
//! handlers.
//!
//! The macros are textual: `mod.rs` declares this room first, with `#[macro_use]`.
//! Where they expand they name `TAIL`, `Op`, `ExecCtx`, `Exit` and `Instr`,
//! `unreachable_unchecked`, the state's `ex`, and also `trap` (`tri!`), `host_sp` and
//! `stack_grew` (`guard!`) and `mem0` (`refresh!`): a room that uses them imports
//! those names.
//!
//! The unchecked accesses here rely on two of the interpreter's invariants:
//! - slots (`rd!`, `wr!`): the verifier (`compile::verify`) proved every slot operand
//!   is below the function's `frame_size`, and `Stack::enter` proved the frame lies
//!   inside `stack.slots`, which is allocated once and never resized;
//! - instructions (`next!`, `step!`, `operands!`): the verifier proved every branch
//!   lands inside the code and the last instruction never falls through, and `lower`
//!   pairs each handler with instructions of its own variant.

use super::state::fail;
use crate::compile::isa::{ExecCtx, Exit, Handler, Op, Slot, ACC};
use crate::error::Error;

/// Whether handlers dispatch by tail calls (see the interpreter's module docs).
pub(super) const TAIL: bool = cfg!(all(
    not(debug_assertions),
    not(feature = "portable-dispatch"),
    // Sanitizer instrumentation (as in fuzzing builds) keeps calls from becoming jumps;
    // Miri runs neither inline assembly nor guaranteed jumps.
    not(fuzzing),
    not(miri),
    any(target_arch = "x86_64", target_arch = "aarch64")
));

/// How far below its starting point the host stack may go while wasm runs (tail
/// dispatch uses a constant amount; more means a handler's call was not a jump).
pub(super) const HOST_STACK_SLACK: usize = 256 * 1024;

/// The host stack pointer, for the tail-call guard.
#[inline(always)]
pub(super) fn host_sp() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register; touches no memory.
        unsafe {
            core::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register; touches no memory.
        unsafe {
            core::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        usize::MAX
    }
}

/// Checks the tail-call guard (at backward branches).
macro_rules! guard {
    ($ip:expr, $cx:expr) => {
        if TAIL && host_sp() < unsafe { ex($cx).host_stack_limit } {
            return stack_grew($ip, $cx);
        }
    };
}

#[cold]
#[inline(never)]
pub(super) fn stack_grew(ip: *const Op, cx: *mut ExecCtx) -> Exit {
    let msg = "internal error: the interpreter's host stack grew (a missed tail call)";
    fail(ip, cx, Error::Api(msg.into()))
}

/// Continues with the instruction at `ip`.
macro_rules! next {
    ($ip:expr, $sp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        let ip: *const Op = $ip;
        if TAIL {
            // SAFETY: `ip` points at an instruction of the running function (see the
            // module docs); its handler expects exactly these registers.
            return unsafe { ((*ip).handler)(ip, $sp, $mem, $len, $cx, $acc) };
        } else {
            // SAFETY: `cx` is live (see `ex`).
            unsafe { ex($cx).regs = (ip, $sp, $mem, $len, $acc) };
            return Exit::Continue;
        }
    }};
}

macro_rules! step {
    ($ip:expr, $sp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {
        // SAFETY: the instruction just executed is not the last one (the last never
        // falls through), so the next one exists.
        next!(unsafe { $ip.add(1) }, $sp, $mem, $len, $cx, $acc)
    };
}

/// Continues with the instruction at `ip` by returning to the loop in
/// [`interpret`](super::interpret): used by the handlers that switch frames (calls and
/// returns), so that tail dispatch never depends on the compiler turning a large
/// handler's call into a jump.
macro_rules! bounce {
    ($ip:expr, $sp:expr, $mem:expr, $len:expr, $cx:expr, $acc:expr) => {{
        // SAFETY: `cx` is live (see `ex`).
        unsafe { ex($cx).regs = ($ip, $sp, $mem, $len, $acc) };
        return Exit::Continue;
    }};
}

/// Defines handlers: `name(pattern) { body }`; the body ends by transferring control
/// (`step!`, `jump!`, `next!`, or returning an `Exit`).
macro_rules! handlers {
    ($( $name:ident ($ip:ident, $sp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) $pat:pat => $body:block )*) => {
        $(
            #[allow(unused_variables, unused_mut, unused_assignments)]
            pub(super) unsafe fn $name($ip: *const Op, $sp: *mut u64, mut $mem: *mut u8, mut $len: usize, $cx: *mut ExecCtx, $acc: u64) -> Exit {
                operands!($ip, $pat);
                $body
            }
        )*
    };
}

/// The handler signature, for handlers generated in nested modules (as a family's
/// one module per instruction, whose `pick` chooses among them).
macro_rules! handler_fn {
    ($fname:ident ($ip:ident, $sp:ident, $mem:ident, $len:ident, $cx:ident, $acc:ident) $body:block) => {
        #[allow(unused_variables, unused_mut, unused_assignments)]
        pub(super) unsafe fn $fname(
            $ip: *const Op,
            $sp: *mut u64,
            mut $mem: *mut u8,
            mut $len: usize,
            $cx: *mut ExecCtx,
            $acc: u64,
        ) -> Exit {
            $body
        }
    };
}

/// The instruction's operands, by pattern.
macro_rules! operands {
    ($ip:expr, $pat:pat) => {
        // SAFETY: `lower` pairs each handler only with instructions of its variant.
        let $pat = (unsafe { *$ip }).instr else {
            unsafe { unreachable_unchecked() }
        };
    };
}

/// A trap from a handler: records where and why and stops.
macro_rules! tri {
    ($e:expr, $ip:expr, $cx:expr) => {
        match $e {
            Ok(v) => v,
            Err(t) => return trap($ip, $cx, t),
        }
    };
}

/// Slot access. SAFETY (for every use): the verifier proved each slot operand is below
/// the frame size, and the frame lies inside `stack.slots`.
macro_rules! rd {
    ($sp:expr, $slot:expr) => {
        unsafe { *$sp.add($slot as usize) }
    };
}
macro_rules! wr {
    ($sp:expr, $slot:expr, $v:expr) => {{
        let v: u64 = $v;
        unsafe { *$sp.add($slot as usize) = v }
    }};
}

/// Reloads memory 0 (base and length) into the state's cache and the `mem`, `len`
/// registers, after anything that may have moved it or taken a fresh borrow of it.
macro_rules! refresh {
    ($cx:expr, $mem:ident, $len:ident) => {{
        // SAFETY: `cx` is live.
        let e = unsafe { ex($cx) };
        e.mem = mem0(e.data, e.inst);
        ($mem, $len) = e.mem;
    }};
}

/// An operand in mode `S` (frame slot `$slot`) or `A` (the accumulator).
macro_rules! opnd {
    (S, $sp:ident, $acc:ident, $slot:expr) => {
        rd!($sp, $slot)
    };
    (A, $sp:ident, $acc:ident, $slot:expr) => {
        $acc
    };
}

/// Delivers result `$v` in mode `S` (into frame slot `$slot`) or `A` (as the new
/// accumulator); evaluates to the accumulator to pass on.
macro_rules! result {
    (S, $sp:ident, $acc:ident, $slot:expr, $v:expr) => {{
        wr!($sp, $slot, $v);
        $acc
    }};
    (A, $sp:ident, $acc:ident, $slot:expr, $v:expr) => {
        $v
    };
}

/// The handler of a two-operand instruction for where its result and operands are:
/// `h` holds the variants `[s_ss, a_ss, s_as, s_sa, a_as, a_sa]` (result, first and
/// second operand each in a slot or the accumulator). At most one operand and the
/// result may be the accumulator; anything else gets [`Invalid`].
pub(super) fn by_acc(dst: Slot, x: Slot, y: Slot, h: [Handler; 6]) -> Handler {
    let [s_ss, a_ss, s_as, s_sa, a_as, a_sa] = h;
    match (dst == ACC, x == ACC, y == ACC) {
        (false, false, false) => s_ss,
        (true, false, false) => a_ss,
        (false, true, false) => s_as,
        (false, false, true) => s_sa,
        (true, true, false) => a_as,
        (true, false, true) => a_sa,
        _ => Invalid,
    }
}

/// The handler of an operand combination the compiler never emits (and the verifier
/// rejects): fails cleanly instead of reading a slot that does not exist.
pub(super) unsafe fn Invalid(
    ip: *const Op,
    _sp: *mut u64,
    _mem: *mut u8,
    _len: usize,
    cx: *mut ExecCtx,
    _acc: u64,
) -> Exit {
    fail(
        ip,
        cx,
        Error::Api("internal error: invalid accumulator operands".into()),
    )
}
