//! `random_get`: fills guest memory with bytes from the host's cryptographically
//! secure generator (`/dev/urandom`, opened once per context), or in deterministic mode
//! from a seeded generator.

use std::fs::File;
use std::io::Read;

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

pub fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMem, buf: u32, len: u32) -> WasiResult<()> {
    let dst = mem.slice_mut(buf, len)?;
    if let Some(v) = &mut ctx.virtual_host {
        // xorshift64*: a fixed sequence for a fixed seed (deterministic mode only).
        for b in dst.iter_mut() {
            v.rng ^= v.rng >> 12;
            v.rng ^= v.rng << 25;
            v.rng ^= v.rng >> 27;
            *b = (v.rng.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
        }
        return Ok(());
    }
    if ctx.urandom.is_none() {
        ctx.urandom = Some(File::open("/dev/urandom").map_err(|_| Errno::IO)?);
    }
    let f = ctx.urandom.as_mut().ok_or(Errno::IO)?;
    f.read_exact(dst).map_err(|_| Errno::IO)
}
