//! Moving bytes through a descriptor: `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`,
//! `fd_seek`, `fd_tell`, and the scatter/gather helpers over guest `$iovec`s that
//! the socket calls (`sock.rs`) use too. Nothing here resolves a path or changes the
//! descriptor table; it works on descriptors that are already open.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;

use crate::ctx::{fdflags, rights, Handle, Socket, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::mem::{GuestMem, IoVec};

pub(crate) fn check_total(iovs: &[IoVec]) -> WasiResult<()> {
    let total: u64 = iovs.iter().map(|v| v.len as u64).sum();
    if total > u32::MAX as u64 {
        return Err(Errno::INVAL);
    }
    Ok(())
}

/// Reads into the guest buffers until one is not filled.
pub(crate) fn read_into(r: &mut dyn Read, mem: &mut GuestMem, iovs: &[IoVec]) -> WasiResult<u32> {
    let mut total = 0u32;
    for v in iovs {
        let buf = mem.slice_mut(v.buf, v.len)?;
        let n = match r.read(buf) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if total > 0 => {
                let _ = e;
                break;
            }
            Err(e) => return Err(e.into()),
        };
        total += n as u32;
        if n < v.len as usize {
            break;
        }
    }
    Ok(total)
}

/// Writes the guest buffers; a failure after some bytes went out reports those.
pub(crate) fn write_from(w: &mut dyn Write, mem: &GuestMem, iovs: &[IoVec]) -> WasiResult<u32> {
    let mut total = 0u32;
    for v in iovs {
        let mut buf = mem.slice(v.buf, v.len)?;
        while !buf.is_empty() {
            match w.write(buf) {
                Ok(0) => return if total > 0 { Ok(total) } else { Err(Errno::IO) },
                Ok(n) => {
                    total += n as u32;
                    buf = &buf[n..];
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) if total > 0 => return Ok(total),
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(total)
}

pub fn fd_read(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out, 4)?;
    let e = ctx.entry(fd)?;
    e.need_io(rights::FD_READ)?;
    let total = match &mut e.handle {
        Handle::Input(r) => read_into(r.as_mut(), mem, &iovs)?,
        Handle::File(f) => read_into(f, mem, &iovs)?,
        Handle::Socket(Socket::TcpStream(s)) => read_into(s, mem, &iovs)?,
        Handle::Socket(Socket::UnixStream(s)) => read_into(s, mem, &iovs)?,
        Handle::Dir(_) => return Err(Errno::ISDIR),
        _ => return Err(Errno::BADF),
    };
    mem.write_u32(out, total)
}

pub fn fd_write(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    out: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out, 4)?;
    let e = ctx.entry(fd)?;
    e.need_io(rights::FD_WRITE)?;
    let flags = e.flags;
    let total = match &mut e.handle {
        Handle::Output(w) => {
            let t = write_from(w.as_mut(), mem, &iovs)?;
            w.flush()?;
            t
        }
        Handle::File(f) => {
            if flags & fdflags::APPEND != 0 {
                f.seek(SeekFrom::End(0))?;
            }
            let t = write_from(f, mem, &iovs)?;
            if flags & (fdflags::DSYNC | fdflags::SYNC | fdflags::RSYNC) != 0 {
                f.sync_data()?;
            }
            t
        }
        Handle::Socket(Socket::TcpStream(s)) => write_from(s, mem, &iovs)?,
        Handle::Socket(Socket::UnixStream(s)) => write_from(s, mem, &iovs)?,
        Handle::Dir(_) => return Err(Errno::ISDIR),
        _ => return Err(Errno::BADF),
    };
    mem.write_u32(out, total)
}

/// The file that `fd_pread` and `fd_pwrite` work on: a directory is `ISDIR`, a stream
/// (stdio or a socket) has no position, `SPIPE`.
fn positioned_file(handle: &Handle) -> WasiResult<&File> {
    match handle {
        Handle::File(f) => Ok(f),
        Handle::Dir(_) => Err(Errno::ISDIR),
        _ => Err(Errno::SPIPE),
    }
}

/// The file whose position `fd_seek` and `fd_tell` move or read: a directory is
/// `BADF`, a stream `SPIPE`.
fn seekable_file(handle: &mut Handle) -> WasiResult<&mut File> {
    match handle {
        Handle::File(f) => Ok(f),
        Handle::Dir(_) => Err(Errno::BADF),
        _ => Err(Errno::SPIPE),
    }
}

pub fn fd_pread(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    out: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out, 4)?;
    let e = ctx.entry(fd)?;
    e.need_io(rights::FD_READ)?;
    let f = positioned_file(&e.handle)?;
    let mut total = 0u32;
    let mut off = offset;
    for v in &iovs {
        let buf = mem.slice_mut(v.buf, v.len)?;
        let k = match f.read_at(buf, off) {
            Ok(k) => k,
            Err(_) if total > 0 => break,
            Err(e) => return Err(e.into()),
        };
        total += k as u32;
        off += k as u64;
        if k < v.len as usize {
            break;
        }
    }
    mem.write_u32(out, total)
}

pub fn fd_pwrite(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    out: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out, 4)?;
    let e = ctx.entry(fd)?;
    e.need_io(rights::FD_WRITE)?;
    let f = positioned_file(&e.handle)?;
    let mut total = 0u32;
    let mut off = offset;
    for v in &iovs {
        let buf = mem.slice(v.buf, v.len)?;
        match f.write_all_at(buf, off) {
            Ok(()) => {}
            Err(_) if total > 0 => break,
            Err(e) => return Err(e.into()),
        }
        total += v.len;
        off += v.len as u64;
    }
    mem.write_u32(out, total)
}

pub fn fd_seek(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    offset: i64,
    whence: u32,
    out: u32,
) -> WasiResult<()> {
    mem.check(out, 8)?;
    let e = ctx.entry(fd)?;
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::INVAL)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::INVAL),
    };
    if whence == 1 && offset == 0 {
        if e.rights_base & (rights::FD_SEEK | rights::FD_TELL) == 0 {
            return Err(Errno::NOTCAPABLE);
        }
    } else {
        e.need(rights::FD_SEEK)?;
    }
    let f = seekable_file(&mut e.handle)?;
    let p = f.seek(pos)?;
    mem.write_u64(out, p)
}

pub fn fd_tell(ctx: &mut WasiCtx, mem: &mut GuestMem, fd: u32, out: u32) -> WasiResult<()> {
    mem.check(out, 8)?;
    let e = ctx.entry(fd)?;
    e.need(rights::FD_TELL)?;
    let f = seekable_file(&mut e.handle)?;
    let p = f.stream_position()?;
    mem.write_u64(out, p)
}
