//! Sockets: `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` on sockets
//! the embedder handed the guest ([`crate::WasiCtxBuilder::preopened_socket`]).
//! Preview1 cannot create or connect sockets; on a descriptor that is not a
//! socket these calls fail with `notsock`, on a missing one with `badf`.

use std::io::{Read, Write};
use std::net::Shutdown;

use crate::ctx::{fdflags, filetype, rights, FdEntry, Handle, Socket, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::fs::{check_total, read_into, write_from};
use crate::mem::GuestMem;

const RECV_PEEK: u32 = 1;
const RECV_WAITALL: u32 = 2;

fn socket(ctx: &mut WasiCtx, fd: u32) -> WasiResult<&mut FdEntry> {
    let e = ctx.entry(fd)?;
    if !matches!(e.handle, Handle::Socket(_)) {
        return Err(Errno::NOTSOCK);
    }
    Ok(e)
}

pub fn sock_accept(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    flags: u32,
    out: u32,
) -> WasiResult<()> {
    mem.check(out, 4)?;
    if flags & !(fdflags::NONBLOCK as u32) != 0 {
        return Err(Errno::INVAL);
    }
    let e = socket(ctx, fd)?;
    e.need(rights::SOCK_ACCEPT)?;
    let nonblock = flags & fdflags::NONBLOCK as u32 != 0;
    let s: Socket = match &e.handle {
        Handle::Socket(Socket::TcpListener(l)) => {
            let (s, _) = l.accept()?;
            s.set_nonblocking(nonblock)?;
            s.into()
        }
        Handle::Socket(Socket::UnixListener(l)) => {
            let (s, _) = l.accept()?;
            s.set_nonblocking(nonblock)?;
            s.into()
        }
        _ => return Err(Errno::INVAL),
    };
    let host_fd = s.raw_fd();
    let entry = FdEntry {
        handle: Handle::Socket(s),
        filetype: filetype::SOCKET_STREAM,
        flags: flags as u16,
        rights_base: rights::SOCKET,
        rights_inheriting: 0,
        preopen: None,
        host_fd: Some(host_fd),
    };
    let new = ctx.insert(entry)?;
    mem.write_u32(out, new)
}

pub fn sock_recv(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    ri_flags: u32,
    out_len: u32,
    out_flags: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out_len, 4)?;
    mem.check(out_flags, 2)?;
    if ri_flags & !(RECV_PEEK | RECV_WAITALL) != 0 {
        return Err(Errno::INVAL);
    }
    let e = socket(ctx, fd)?;
    e.need(rights::FD_READ)?;
    let Handle::Socket(s) = &mut e.handle else {
        return Err(Errno::NOTSOCK);
    };
    let stream: &mut dyn Read = match s {
        Socket::TcpStream(t) => {
            if ri_flags & RECV_PEEK != 0 {
                let first = iovs.iter().find(|v| v.len > 0);
                let k = match first {
                    Some(v) => t.peek(mem.slice_mut(v.buf, v.len)?)?,
                    None => 0,
                };
                mem.write_u32(out_len, k as u32)?;
                return mem.write_u16(out_flags, 0);
            }
            t
        }
        Socket::UnixStream(u) => {
            if ri_flags & RECV_PEEK != 0 {
                return Err(Errno::NOTSUP);
            }
            u
        }
        _ => return Err(Errno::NOTCONN),
    };
    let total = if ri_flags & RECV_WAITALL != 0 {
        let mut total = 0u32;
        for v in &iovs {
            let buf = mem.slice_mut(v.buf, v.len)?;
            let mut done = 0;
            while done < buf.len() {
                match stream.read(&mut buf[done..]) {
                    Ok(0) => break,
                    Ok(k) => done += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) if total == 0 && done == 0 => return Err(e.into()),
                    Err(_) => break,
                }
            }
            total += done as u32;
            if done < buf.len() {
                break;
            }
        }
        total
    } else {
        read_into(stream, mem, &iovs)?
    };
    mem.write_u32(out_len, total)?;
    mem.write_u16(out_flags, 0)
}

pub fn sock_send(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    iovs: u32,
    n: u32,
    _si_flags: u32,
    out: u32,
) -> WasiResult<()> {
    let iovs = mem.read_iovecs(iovs, n)?;
    check_total(&iovs)?;
    mem.check(out, 4)?;
    let e = socket(ctx, fd)?;
    e.need(rights::FD_WRITE)?;
    let Handle::Socket(s) = &mut e.handle else {
        return Err(Errno::NOTSOCK);
    };
    let stream: &mut dyn Write = match s {
        Socket::TcpStream(t) => t,
        Socket::UnixStream(u) => u,
        _ => return Err(Errno::NOTCONN),
    };
    let total = write_from(stream, mem, &iovs)?;
    mem.write_u32(out, total)
}

pub fn sock_shutdown(ctx: &mut WasiCtx, _mem: &mut GuestMem, fd: u32, how: u32) -> WasiResult<()> {
    let how = match how {
        1 => Shutdown::Read,
        2 => Shutdown::Write,
        3 => Shutdown::Both,
        _ => return Err(Errno::INVAL),
    };
    let e = socket(ctx, fd)?;
    e.need(rights::SOCK_SHUTDOWN)?;
    match &e.handle {
        Handle::Socket(Socket::TcpStream(t)) => t.shutdown(how)?,
        Handle::Socket(Socket::UnixStream(u)) => u.shutdown(how)?,
        _ => return Err(Errno::NOTCONN),
    }
    Ok(())
}
