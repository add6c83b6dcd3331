//! `random_get`: fills guest memory with bytes from the host's cryptographically
//! secure generator (`/dev/urandom`, opened once per context).

use std::fs::File;
use std::io::Read;

use crate::ctx::WasiCtx;
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

pub fn random_get(ctx: &mut WasiCtx, mem: &mut GuestMem, buf: u32, len: u32) -> WasiResult<()> {
    let dst = mem.slice_mut(buf, len)?;
    if ctx.urandom.is_none() {
        ctx.urandom = Some(File::open("/dev/urandom").map_err(|_| Errno::IO)?);
    }
    let f = ctx.urandom.as_mut().ok_or(Errno::IO)?;
    f.read_exact(dst).map_err(|_| Errno::IO)
}
