//! File metadata: `$filestat` and `$fstflags`, the `fd_filestat_*` and
//! `path_filestat_*` calls, and the helpers they share (file types, timestamps,
//! setting times without following a final symlink). A path is reached only through
//! `path.rs`; nothing here reads or writes a file's contents.

use std::fs::{self, File, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::path::{dir_base, resolve, SYMLINK_FOLLOW};
use crate::ctx::{filetype, rights, Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::mem::GuestMem;

/// `$fstflags` bits.
mod fstflags {
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
}

pub(crate) fn filetype_of(ft: &fs::FileType) -> u8 {
    if ft.is_file() {
        filetype::REGULAR_FILE
    } else if ft.is_dir() {
        filetype::DIRECTORY
    } else if ft.is_symlink() {
        filetype::SYMBOLIC_LINK
    } else if ft.is_char_device() {
        filetype::CHARACTER_DEVICE
    } else if ft.is_block_device() {
        filetype::BLOCK_DEVICE
    } else if ft.is_socket() {
        filetype::SOCKET_STREAM
    } else {
        filetype::UNKNOWN
    }
}

fn timestamp(sec: i64, nsec: i64) -> u64 {
    let t = sec as i128 * 1_000_000_000 + nsec as i128;
    t.clamp(0, u64::MAX as i128) as u64
}

/// Writes a 64-byte `$filestat`.
fn write_filestat(mem: &mut GuestMem, ptr: u32, md: Option<&Metadata>, ty: u8) -> WasiResult<()> {
    let mut b = [0u8; 64];
    let mut put = |at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
    let ty = match md {
        Some(m) => {
            put(0, m.dev());
            put(8, m.ino());
            put(24, m.nlink());
            put(32, m.size());
            put(40, timestamp(m.atime(), m.atime_nsec()));
            put(48, timestamp(m.mtime(), m.mtime_nsec()));
            put(56, timestamp(m.ctime(), m.ctime_nsec()));
            filetype_of(&m.file_type())
        }
        None => ty,
    };
    b[16] = ty;
    mem.write_bytes(ptr, &b)
}

/// The new access and modification times from `fd_filestat_set_times` arguments:
/// `None` leaves a time as it is.
fn new_times(
    atim: u64,
    mtim: u64,
    fst: u32,
) -> WasiResult<(Option<SystemTime>, Option<SystemTime>)> {
    let fst = fst as u16;
    if fst & !0xf != 0 {
        return Err(Errno::INVAL);
    }
    let pick = |set: u16, now: u16, t: u64| -> WasiResult<Option<SystemTime>> {
        match (fst & set != 0, fst & now != 0) {
            (true, true) => Err(Errno::INVAL),
            (_, true) => Ok(Some(SystemTime::now())),
            (true, false) => Ok(Some(UNIX_EPOCH + Duration::from_nanos(t))),
            (false, false) => Ok(None),
        }
    };
    Ok((
        pick(fstflags::ATIM, fstflags::ATIM_NOW, atim)?,
        pick(fstflags::MTIM, fstflags::MTIM_NOW, mtim)?,
    ))
}

fn set_file_times(f: &File, a: Option<SystemTime>, m: Option<SystemTime>) -> WasiResult<()> {
    let mut t = fs::FileTimes::new();
    if let Some(a) = a {
        t = t.set_accessed(a);
    }
    if let Some(m) = m {
        t = t.set_modified(m);
    }
    f.set_times(t)?;
    Ok(())
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod sys {
    use std::ffi::CString;
    use std::io;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::time::{SystemTime, UNIX_EPOCH};

    #[repr(C)]
    struct Timespec {
        tv_sec: i64,
        tv_nsec: i64,
    }

    extern "C" {
        fn utimensat(
            dirfd: i32,
            path: *const std::ffi::c_char,
            times: *const Timespec,
            flags: i32,
        ) -> i32;
    }

    const AT_FDCWD: i32 = -100;
    const AT_SYMLINK_NOFOLLOW: i32 = 0x100;
    const UTIME_OMIT: i64 = (1 << 30) - 2;

    fn ts(t: Option<SystemTime>) -> Timespec {
        match t {
            None => Timespec {
                tv_sec: 0,
                tv_nsec: UTIME_OMIT,
            },
            Some(t) => {
                let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
                Timespec {
                    tv_sec: d.as_secs() as i64,
                    tv_nsec: d.subsec_nanos() as i64,
                }
            }
        }
    }

    /// Sets the times of `path` itself, never following a final symlink.
    pub fn set_times_nofollow(
        path: &Path,
        a: Option<SystemTime>,
        m: Option<SystemTime>,
    ) -> io::Result<()> {
        let c = CString::new(path.as_os_str().as_bytes())?;
        let times = [ts(a), ts(m)];
        // SAFETY: `c` is a valid NUL-terminated string and `times` two timespecs.
        let r = unsafe { utimensat(AT_FDCWD, c.as_ptr(), times.as_ptr(), AT_SYMLINK_NOFOLLOW) };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
mod sys {
    use std::io;
    use std::path::Path;
    use std::time::SystemTime;

    pub fn set_times_nofollow(
        path: &Path,
        a: Option<SystemTime>,
        m: Option<SystemTime>,
    ) -> io::Result<()> {
        if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            return Err(io::Error::from(io::ErrorKind::Unsupported));
        }
        let f = std::fs::File::open(path)?;
        let mut t = std::fs::FileTimes::new();
        if let Some(a) = a {
            t = t.set_accessed(a);
        }
        if let Some(m) = m {
            t = t.set_modified(m);
        }
        f.set_times(t)
    }
}

pub fn fd_filestat_get(ctx: &mut WasiCtx, mem: &mut GuestMem, fd: u32, out: u32) -> WasiResult<()> {
    mem.check(out, 64)?;
    let e = ctx.entry(fd)?;
    e.need(rights::FD_FILESTAT_GET)?;
    let md = match &e.handle {
        Handle::File(f) => Some(f.metadata()?),
        Handle::Dir(d) => Some(d.file.metadata()?),
        _ => None,
    };
    write_filestat(mem, out, md.as_ref(), e.filetype)
}

pub fn fd_filestat_set_size(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    size: u64,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_FILESTAT_SET_SIZE)?;
    match &e.handle {
        Handle::File(f) => Ok(f.set_len(size)?),
        Handle::Dir(_) => Err(Errno::ISDIR),
        _ => Err(Errno::INVAL),
    }
}

pub fn fd_filestat_set_times(
    ctx: &mut WasiCtx,
    _mem: &mut GuestMem,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> WasiResult<()> {
    let e = ctx.entry(fd)?;
    e.need(rights::FD_FILESTAT_SET_TIMES)?;
    let (a, m) = new_times(atim, mtim, fst)?;
    match &e.handle {
        Handle::File(f) => set_file_times(f, a, m),
        Handle::Dir(d) => set_file_times(&d.file, a, m),
        _ => Err(Errno::INVAL),
    }
}

pub fn path_filestat_get(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    out: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    mem.check(out, 64)?;
    let base = dir_base(ctx, fd, rights::PATH_FILESTAT_GET)?;
    let r = resolve(&base, &path, flags & SYMLINK_FOLLOW != 0)?;
    let md = fs::symlink_metadata(&r.path)?;
    write_filestat(mem, out, Some(&md), 0)
}

pub fn path_filestat_set_times(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    let base = dir_base(ctx, fd, rights::PATH_FILESTAT_SET_TIMES)?;
    let (a, m) = new_times(atim, mtim, fst)?;
    let r = resolve(&base, &path, flags & SYMLINK_FOLLOW != 0)?;
    sys::set_times_nofollow(&r.path, a, m)?;
    Ok(())
}
