//! Metering: the instructions the compiler inserts, not from the spec, that bound
//! how long wasm runs: fuel (`ConsumeFuel`, with `Config::consume_fuel`) and epoch
//! interruption (`CheckEpoch`, with `Config::epoch_interruption`). Either traps; a
//! call resumed after running out of fuel re-executes the check.
//!
//! This room reads and writes only the store's fuel and epoch; it knows nothing of
//! slots, memories, tables or calls.

use std::hint::unreachable_unchecked;

use super::dispatch::TAIL;
use super::state::{ex, trap};
use crate::compile::isa::{ExecCtx, Exit, Instr, Op};
use crate::error::TrapCode;

handlers! {
    ConsumeFuel(ip, sp, mem, len, cx, acc) Instr::ConsumeFuel { amount } => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        let Some(left) = e.data.fuel.checked_sub(amount as u64) else {
            return trap(ip, cx, TrapCode::OutOfFuel);
        };
        e.data.fuel = left;
        step!(ip, sp, mem, len, cx, acc)
    }
    CheckEpoch(ip, sp, mem, len, cx, acc) Instr::CheckEpoch => {
        // SAFETY: `cx` is live.
        let e = unsafe { ex(cx) };
        if e.data.epoch.load(std::sync::atomic::Ordering::Relaxed) >= e.data.epoch_deadline {
            return trap(ip, cx, TrapCode::Interrupted);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
}
