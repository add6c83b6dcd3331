//! Clocks: `clock_time_get` and `clock_res_get` for the four preview1 clocks
//! (realtime, monotonic, process and thread CPU time), read from the host's
//! `clock_gettime`. Also the deadline arithmetic `poll_oneoff` uses.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

pub const REALTIME: u32 = 0;
pub const MONOTONIC: u32 = 1;
pub const PROCESS_CPUTIME: u32 = 2;
pub const THREAD_CPUTIME: u32 = 3;

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod sys {
    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    extern "C" {
        fn clock_gettime(clk: i32, ts: *mut Timespec) -> i32;
        fn clock_getres(clk: i32, ts: *mut Timespec) -> i32;
    }

    // WASI clock ids 0..=3 are CLOCK_REALTIME, CLOCK_MONOTONIC,
    // CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID, numbered alike on Linux.
    fn call(f: unsafe extern "C" fn(i32, *mut Timespec) -> i32, id: u32) -> Option<u64> {
        let mut ts = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec.
        if unsafe { f(id as i32, &mut ts) } != 0 || ts.tv_sec < 0 {
            return None;
        }
        Some(
            (ts.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(ts.tv_nsec as u64),
        )
    }

    pub fn now(id: u32) -> Option<u64> {
        call(clock_gettime, id)
    }

    pub fn res(id: u32) -> Option<u64> {
        call(clock_getres, id)
    }
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
mod sys {
    use std::sync::OnceLock;
    use std::time::{Instant, SystemTime, UNIX_EPOCH};

    static START: OnceLock<Instant> = OnceLock::new();

    pub fn now(id: u32) -> Option<u64> {
        match id {
            0 => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .ok()
                .map(|d| d.as_nanos() as u64),
            // No CPU-time clock in std: fall back to time since first use.
            _ => Some(START.get_or_init(Instant::now).elapsed().as_nanos() as u64 + 1),
        }
    }

    pub fn res(_id: u32) -> Option<u64> {
        Some(1_000)
    }
}

/// The current time of WASI clock `id` in nanoseconds.
pub fn now(id: u32) -> WasiResult<u64> {
    if id > THREAD_CPUTIME {
        return Err(Errno::INVAL);
    }
    sys::now(id).ok_or(Errno::INVAL)
}

/// The host instant at which clock `id` reads `t` (absolute) or `t` from now.
pub fn deadline(id: u32, t: u64, absolute: bool) -> WasiResult<Instant> {
    let start = Instant::now();
    let wait = if absolute {
        let cur = match id {
            REALTIME => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0),
            _ => now(id)?,
        };
        t.saturating_sub(cur)
    } else {
        if id > THREAD_CPUTIME {
            return Err(Errno::INVAL);
        }
        t
    };
    Ok(start
        .checked_add(Duration::from_nanos(wait))
        .unwrap_or_else(|| start + Duration::from_secs(86_400 * 365 * 100)))
}

pub fn clock_res_get(_ctx: &mut WasiCtx, mem: &mut GuestMem, id: u32, out: u32) -> WasiResult<()> {
    if id > THREAD_CPUTIME {
        return Err(Errno::INVAL);
    }
    let r = sys::res(id).ok_or(Errno::INVAL)?;
    mem.write_u64(out, r.max(1))
}

pub fn clock_time_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    id: u32,
    _precision: u64,
    out: u32,
) -> WasiResult<()> {
    let t = match &mut ctx.virtual_host {
        Some(v) => {
            if id > THREAD_CPUTIME {
                return Err(Errno::INVAL);
            }
            v.clock += 1_000;
            v.clock
        }
        None => now(id)?,
    };
    mem.write_u64(out, t)
}
