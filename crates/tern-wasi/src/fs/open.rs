//! Opening a path: `path_open` with its `$oflags`, and [`open_file`], which opens or
//! creates a regular file with the host access the descriptor's rights call for.
//! The path comes from `path.rs` and the final `open` adds `O_NOFOLLOW`
//! (`hostdir.rs`), so a symlink put in place after resolution is refused by the OS
//! too; an existing symlink is never opened. A new descriptor gets at most the
//! rights the directory's inheriting rights allow.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::path::{dir_base, resolve, SYMLINK_FOLLOW};
use super::stat::filetype_of;
use crate::ctx::{fdflags, filetype, rights, FdEntry, Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::hostdir::{open_dir, O_NOFOLLOW};
use crate::mem::GuestMem;

/// `$oflags` bits.
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
}

pub fn path_open(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    out: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, path_len)?;
    mem.check(out, 4)?;
    let oflags = u16::try_from(oflags).map_err(|_| Errno::INVAL)?;
    let fdflags = u16::try_from(fdflags).map_err(|_| Errno::INVAL)?;
    if oflags & !0xf != 0 || fdflags & !0x1f != 0 {
        return Err(Errno::INVAL);
    }
    let creat = oflags & oflags::CREAT != 0;
    let excl = oflags & oflags::EXCL != 0;
    let trunc = oflags & oflags::TRUNC != 0;
    let directory = oflags & oflags::DIRECTORY != 0;
    let mut need = rights::PATH_OPEN;
    if creat {
        need |= rights::PATH_CREATE_FILE;
    }
    if trunc {
        need |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let base = dir_base(ctx, fd, need)?;
    let parent_inh = ctx.entry(fd)?.rights_inheriting;
    let r = resolve(&base, &path, dirflags & SYMLINK_FOLLOW != 0)?;
    let eff_base = rights_base & parent_inh;
    let eff_inh = rights_inheriting & parent_inh;
    let existing = match fs::symlink_metadata(&r.path) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e.into()),
    };
    let entry = match existing {
        Some(_) if creat && excl => return Err(Errno::EXIST),
        Some(m) if m.file_type().is_symlink() => {
            return Err(if directory {
                Errno::NOTDIR
            } else {
                Errno::LOOP
            })
        }
        Some(m) if m.is_dir() => {
            // Writing a directory is refused, unless `directory` says the caller
            // knows it opens one (its rights are then just narrowed to a directory's).
            let wants_write = eff_base & rights::FD_WRITE != 0 && !directory;
            if trunc || (creat && !directory) || wants_write {
                return Err(Errno::ISDIR);
            }
            let d = open_dir(&r.path)?;
            FdEntry {
                handle: Handle::Dir(d),
                filetype: filetype::DIRECTORY,
                flags: fdflags,
                rights_base: eff_base & rights::DIR,
                rights_inheriting: eff_inh,
                preopen: None,
                host_fd: None,
            }
        }
        Some(m) => {
            if directory || r.must_be_dir {
                return Err(Errno::NOTDIR);
            }
            let f = open_file(&r.path, eff_base, trunc, fdflags, None)?;
            FdEntry {
                handle: Handle::File(f),
                filetype: filetype_of(&m.file_type()),
                flags: fdflags,
                rights_base: eff_base & rights::FILE,
                rights_inheriting: eff_inh,
                preopen: None,
                host_fd: None,
            }
        }
        None => {
            if !creat {
                return Err(Errno::NOENT);
            }
            if directory {
                return Err(Errno::INVAL);
            }
            if r.must_be_dir {
                return Err(Errno::ISDIR);
            }
            let f = open_file(&r.path, eff_base, trunc, fdflags, Some(excl))?;
            FdEntry {
                handle: Handle::File(f),
                filetype: filetype::REGULAR_FILE,
                flags: fdflags,
                rights_base: eff_base & rights::FILE,
                rights_inheriting: eff_inh,
                preopen: None,
                host_fd: None,
            }
        }
    };
    let new = ctx.insert(entry)?;
    mem.write_u32(out, new)
}

/// Opens (or with `create`, creates) a regular file at checked host path `path`
/// with the access its `rights` call for.
fn open_file(
    path: &Path,
    r: u64,
    trunc: bool,
    flags: u16,
    create: Option<bool>,
) -> WasiResult<File> {
    let read = r & (rights::FD_READ | rights::FD_READDIR) != 0;
    let write = r
        & (rights::FD_WRITE
            | rights::FD_DATASYNC
            | rights::FD_ALLOCATE
            | rights::FD_FILESTAT_SET_SIZE)
        != 0;
    let os_write = write || trunc;
    if let (Some(excl), false) = (create, os_write) {
        // Create it first with a descriptor that can, then open it as asked.
        let mut c = OpenOptions::new();
        c.write(true).custom_flags(O_NOFOLLOW).mode(0o666);
        if excl {
            c.create_new(true);
        } else {
            c.create(true);
        }
        c.open(path)?;
    }
    let mut o = OpenOptions::new();
    o.read(read || !os_write)
        .custom_flags(O_NOFOLLOW)
        .mode(0o666);
    if os_write {
        if flags & fdflags::APPEND != 0 && !trunc {
            o.append(true);
        } else {
            o.write(true);
        }
        o.truncate(trunc);
        match create {
            Some(true) => {
                o.create_new(true);
            }
            Some(false) => {
                o.create(true);
            }
            None => {}
        }
    }
    Ok(o.open(path)?)
}
