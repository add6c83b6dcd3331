//! The process-level calls: arguments (`args_get`, `args_sizes_get`), environment
//! (`environ_get`, `environ_sizes_get`), `proc_exit` (which unwinds the guest with
//! `tern::Error::Exit`), `proc_raise` and `sched_yield`.

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

/// Writes a list of NUL-terminated strings: pointers at `ptrs`, bytes at `buf`.
fn write_strings(mem: &mut GuestMem, list: &[Vec<u8>], ptrs: u32, buf: u32) -> WasiResult<()> {
    let mut at = buf;
    for (i, s) in list.iter().enumerate() {
        let slot = ptrs.checked_add(4 * i as u32).ok_or(Errno::FAULT)?;
        mem.write_u32(slot, at)?;
        mem.write_bytes(at, s)?;
        let end = at.checked_add(s.len() as u32).ok_or(Errno::FAULT)?;
        mem.write_u8(end, 0)?;
        at = end.checked_add(1).ok_or(Errno::FAULT)?;
    }
    Ok(())
}

fn write_sizes(mem: &mut GuestMem, list: &[Vec<u8>], count: u32, size: u32) -> WasiResult<()> {
    let total: usize = list.iter().map(|s| s.len() + 1).sum();
    let total = u32::try_from(total).map_err(|_| Errno::OVERFLOW)?;
    mem.check(count, 4)?;
    mem.check(size, 4)?;
    mem.write_u32(count, list.len() as u32)?;
    mem.write_u32(size, total)
}

pub fn args_get(ctx: &mut WasiCtx, mem: &mut GuestMem, argv: u32, buf: u32) -> WasiResult<()> {
    write_strings(mem, &ctx.args, argv, buf)
}

pub fn args_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    argc: u32,
    size: u32,
) -> WasiResult<()> {
    write_sizes(mem, &ctx.args, argc, size)
}

pub fn environ_get(ctx: &mut WasiCtx, mem: &mut GuestMem, env: u32, buf: u32) -> WasiResult<()> {
    write_strings(mem, &ctx.env, env, buf)
}

pub fn environ_sizes_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    count: u32,
    size: u32,
) -> WasiResult<()> {
    write_sizes(mem, &ctx.env, count, size)
}

/// Signals cannot be delivered to a guest: there is no handler mechanism in
/// preview1 and killing the host process is not the guest's to decide.
pub fn proc_raise(_ctx: &mut WasiCtx, _mem: &mut GuestMem, _sig: u32) -> WasiResult<()> {
    Err(Errno::NOSYS)
}

pub fn sched_yield(_ctx: &mut WasiCtx, _mem: &mut GuestMem) -> WasiResult<()> {
    std::thread::yield_now();
    Ok(())
}
