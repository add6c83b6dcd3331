//! `poll_oneoff`: waits for clock subscriptions (relative or absolute deadlines on
//! any of the four clocks) and fd read/write readiness. Regular files and
//! in-memory streams are always ready; inherited stdio and sockets are waited on
//! with the host's `poll`.

use std::os::unix::io::RawFd;
use std::time::{Duration, Instant};

use crate::clocks;
use crate::ctx::{rights, Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

const EVENT_CLOCK: u8 = 0;
const EVENT_FD_READ: u8 = 1;
const EVENT_FD_WRITE: u8 = 2;
const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1;
const FD_READWRITE_HANGUP: u16 = 1;

struct Event {
    userdata: u64,
    error: Errno,
    ty: u8,
    nbytes: u64,
    flags: u16,
}

impl Event {
    fn new(userdata: u64, ty: u8) -> Event {
        Event {
            userdata,
            error: Errno::SUCCESS,
            ty,
            nbytes: 0,
            flags: 0,
        }
    }
    fn err(userdata: u64, ty: u8, error: Errno) -> Event {
        Event {
            error,
            ..Event::new(userdata, ty)
        }
    }
}

#[cfg(unix)]
mod sys {
    use std::io;

    #[repr(C)]
    pub struct PollFd {
        pub fd: i32,
        pub events: i16,
        pub revents: i16,
    }

    pub const POLLIN: i16 = 0x1;
    pub const POLLOUT: i16 = 0x4;
    pub const POLLERR: i16 = 0x8;
    pub const POLLHUP: i16 = 0x10;
    pub const POLLNVAL: i16 = 0x20;

    extern "C" {
        fn poll(fds: *mut PollFd, n: std::ffi::c_ulong, timeout: i32) -> i32;
    }

    /// Waits on `fds`; `timeout_ms` < 0 waits forever.
    pub fn wait(fds: &mut [PollFd], timeout_ms: i32) -> io::Result<usize> {
        loop {
            // SAFETY: `fds` is a valid array of pollfd structures of the given length.
            let r = unsafe { poll(fds.as_mut_ptr(), fds.len() as std::ffi::c_ulong, timeout_ms) };
            if r >= 0 {
                return Ok(r as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

pub fn poll_oneoff(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    subs: u32,
    events: u32,
    n: u32,
    nevents: u32,
) -> WasiResult<()> {
    if n == 0 {
        return Err(Errno::INVAL);
    }
    mem.check(subs, n.checked_mul(48).ok_or(Errno::FAULT)?)?;
    mem.check(events, n.checked_mul(32).ok_or(Errno::FAULT)?)?;
    mem.check(nevents, 4)?;
    let mut ready: Vec<Event> = Vec::new();
    let mut timers: Vec<(u64, Instant)> = Vec::new();
    let mut waits: Vec<(u64, u8, RawFd)> = Vec::new();
    for i in 0..n {
        let p = subs + 48 * i;
        let userdata = mem.read_u64(p)?;
        let tag = mem.read_u8(p + 8)?;
        match tag {
            EVENT_CLOCK => {
                let id = mem.read_u32(p + 16)?;
                let timeout = mem.read_u64(p + 24)?;
                let flags = mem.read_u16(p + 40)?;
                match clocks::deadline(id, timeout, flags & SUBSCRIPTION_CLOCK_ABSTIME != 0) {
                    Ok(d) => timers.push((userdata, d)),
                    Err(e) => ready.push(Event::err(userdata, tag, e)),
                }
            }
            EVENT_FD_READ | EVENT_FD_WRITE => {
                let fd = mem.read_u32(p + 16)?;
                let Some(e) = ctx.fds.get_mut(&fd) else {
                    ready.push(Event::err(userdata, tag, Errno::BADF));
                    continue;
                };
                if e.rights_base & rights::POLL_FD_READWRITE == 0 {
                    ready.push(Event::err(userdata, tag, Errno::NOTCAPABLE));
                    continue;
                }
                if let Some(h) = e.host_fd {
                    waits.push((userdata, tag, h));
                    continue;
                }
                match &mut e.handle {
                    Handle::File(f) => {
                        let mut ev = Event::new(userdata, tag);
                        if tag == EVENT_FD_READ {
                            use std::io::Seek;
                            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                            let pos = f.stream_position().unwrap_or(0);
                            ev.nbytes = len.saturating_sub(pos);
                        }
                        ready.push(ev);
                    }
                    Handle::Input(_) if tag == EVENT_FD_READ => {
                        ready.push(Event::new(userdata, tag))
                    }
                    Handle::Output(_) if tag == EVENT_FD_WRITE => {
                        ready.push(Event::new(userdata, tag))
                    }
                    _ => ready.push(Event::err(userdata, tag, Errno::BADF)),
                }
            }
            _ => return Err(Errno::INVAL),
        }
    }

    let earliest = timers.iter().map(|t| t.1).min();
    let timeout = if !ready.is_empty() {
        Some(Duration::ZERO)
    } else {
        earliest.map(|d| d.saturating_duration_since(Instant::now()))
    };
    if !waits.is_empty() {
        let mut fds: Vec<sys::PollFd> = waits
            .iter()
            .map(|&(_, tag, fd)| sys::PollFd {
                fd,
                events: if tag == EVENT_FD_READ {
                    sys::POLLIN
                } else {
                    sys::POLLOUT
                },
                revents: 0,
            })
            .collect();
        let ms = match timeout {
            None => -1,
            Some(d) => {
                let ms = d.as_nanos().div_ceil(1_000_000);
                ms.min(i32::MAX as u128) as i32
            }
        };
        sys::wait(&mut fds, ms)?;
        for (&(userdata, tag, _), p) in waits.iter().zip(&fds) {
            if p.revents == 0 {
                continue;
            }
            if p.revents & sys::POLLNVAL != 0 {
                ready.push(Event::err(userdata, tag, Errno::BADF));
                continue;
            }
            let mut ev = Event::new(userdata, tag);
            if p.revents & sys::POLLHUP != 0 {
                ev.flags = FD_READWRITE_HANGUP;
            }
            if p.revents & sys::POLLERR != 0 && p.revents & (sys::POLLIN | sys::POLLOUT) == 0 {
                ev.error = Errno::IO;
            }
            ready.push(ev);
        }
    } else if ready.is_empty() {
        if let Some(d) = timeout {
            std::thread::sleep(d);
        }
    }
    let now = Instant::now();
    let mut fired: Vec<Event> = timers
        .iter()
        .filter(|t| t.1 <= now)
        .map(|t| Event::new(t.0, EVENT_CLOCK))
        .collect();
    if ready.is_empty() && fired.is_empty() {
        // A poll that woke early: wait out the first deadline.
        if let Some(&(ud, d)) = timers.iter().min_by_key(|t| t.1) {
            std::thread::sleep(d.saturating_duration_since(Instant::now()));
            fired.push(Event::new(ud, EVENT_CLOCK));
        }
    }
    ready.extend(fired);
    for (i, ev) in ready.iter().enumerate() {
        let mut b = [0u8; 32];
        b[0..8].copy_from_slice(&ev.userdata.to_le_bytes());
        b[8..10].copy_from_slice(&ev.error.0.to_le_bytes());
        b[10] = ev.ty;
        b[16..24].copy_from_slice(&ev.nbytes.to_le_bytes());
        b[24..26].copy_from_slice(&ev.flags.to_le_bytes());
        mem.write_bytes(events + 32 * i as u32, &b)?;
    }
    mem.write_u32(nevents, ready.len() as u32)
}
