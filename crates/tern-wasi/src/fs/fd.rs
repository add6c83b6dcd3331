//! The state of a descriptor rather than its data: `fd_close`, `fd_renumber`,
//! `fd_fdstat_*` (`$fdstat`: file type, `$fdflags`, rights), `fd_prestat_*` (the
//! names of preopened directories), and the hints and syncs `fd_advise`,
//! `fd_allocate`, `fd_datasync`, `fd_sync`. Rights can only be narrowed here, never
//! widened. Nothing here resolves a path or opens anything.

use crate::ctx::{fdflags, rights, Handle, Socket, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

pub fn fd_close(ctx: &mut WasiCtx, _mem: &mut GuestMem, fd: u32) -> WasiResult<()> {
    ctx.fds.remove(&fd).map(|_| ()).ok_or(Errno::BADF)
}

pub fn fd_renumber(ctx: &mut WasiCtx, _mem: &mut GuestMem, from: u32, to: u32) -> WasiResult<()> {
    if !ctx.fds.contains_key(&from) || !ctx.fds.contains_key(&to) {
        return Err(Errno::BADF);
    }
    if from != to {
        let e = ctx.fds.remove(&from).ok_or(Errno::BADF)?;
        ctx.fds.insert(to, e);
    }
    Ok(())
}

pub fn fd_fdstat_get(ctx: &mut WasiCtx, mem: &mut GuestMem, fd: u32, out: u32) -> WasiResult<()> {
    mem.check(out, 24)?;
    let e = ctx.entry(fd)?;
    let mut b = [0u8; 24];
    b[0] = e.filetype;
    b[2..4].copy_from_slice(&e.flags.to_le_bytes());
    b[8..16].copy_from_slice(&e.rights_base.to_le_bytes());
    b[16..24].copy_from_slice(&e.rights_inheriting.to_le_bytes());
    mem.write_bytes(out, &b)
}

pub fn fd_fdstat_set_flags(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    flags: u32,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_FDSTAT_SET_FLAGS)?;
    let flags = u16::try_from(flags).map_err(|_| Errno::INVAL)?;
    if flags & !0x1f != 0 {
        return Err(Errno::INVAL);
    }
    let nonblock = flags & fdflags::NONBLOCK != 0;
    match &e.handle {
        Handle::Socket(Socket::TcpStream(s)) => s.set_nonblocking(nonblock)?,
        Handle::Socket(Socket::TcpListener(s)) => s.set_nonblocking(nonblock)?,
        Handle::Socket(Socket::UnixStream(s)) => s.set_nonblocking(nonblock)?,
        Handle::Socket(Socket::UnixListener(s)) => s.set_nonblocking(nonblock)?,
        _ => {}
    }
    e.flags = flags;
    Ok(())
}

pub fn fd_fdstat_set_rights(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::NOTCAPABLE);
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub fn fd_prestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem, fd: u32, out: u32) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    let name = e.preopen.as_ref().ok_or(Errno::BADF)?;
    let mut b = [0u8; 8];
    b[4..8].copy_from_slice(&(name.len() as u32).to_le_bytes());
    mem.write_bytes(out, &b)
}

pub fn fd_prestat_dir_name(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    buf: u32,
    len: u32,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    let name = e.preopen.as_ref().ok_or(Errno::BADF)?;
    if (len as usize) < name.len() {
        return Err(Errno::NAMETOOLONG);
    }
    mem.write_bytes(buf, name)
}

pub fn fd_advise(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    _offset: u64,
    _len: u64,
    advice: u32,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_ADVISE)?;
    if advice > 5 {
        return Err(Errno::INVAL);
    }
    // Advice is only a hint; tern gives the host none.
    match &e.handle {
        Handle::File(_) => Ok(()),
        Handle::Dir(_) => Err(Errno::BADF),
        _ => Err(Errno::SPIPE),
    }
}

pub fn fd_allocate(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    offset: u64,
    len: u64,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_ALLOCATE)?;
    let f = match &e.handle {
        Handle::File(f) => f,
        Handle::Dir(_) => return Err(Errno::BADF),
        _ => return Err(Errno::SPIPE),
    };
    let end = offset.checked_add(len).ok_or(Errno::FBIG)?;
    if end > i64::MAX as u64 {
        return Err(Errno::FBIG);
    }
    if end > f.metadata()?.len() {
        f.set_len(end)?;
    }
    Ok(())
}

pub fn fd_datasync(ctx: &mut WasiCtx, _mem: &mut GuestMem, fd: u32) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_DATASYNC)?;
    match &mut e.handle {
        Handle::File(f) => Ok(f.sync_data()?),
        Handle::Dir(d) => Ok(d.file.sync_data()?),
        _ => Err(Errno::INVAL),
    }
}

pub fn fd_sync(ctx: &mut WasiCtx, _mem: &mut GuestMem, fd: u32) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_SYNC)?;
    match &mut e.handle {
        Handle::File(f) => Ok(f.sync_all()?),
        Handle::Dir(d) => Ok(d.file.sync_all()?),
        _ => Err(Errno::INVAL),
    }
}
