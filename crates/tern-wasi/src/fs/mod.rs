//! Files and directories: every `fd_*` call on descriptors and every `path_*` call,
//! and the sandboxed path resolution they rest on.
//!
//! A directory descriptor holds an open host directory, and every guest path is
//! resolved against it by `path.rs`, which never lets a path (through `..`, an
//! absolute path or a symlink) lead outside that directory: its module
//! documentation gives the argument.

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirEntryExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

use crate::ctx::{fdflags, filetype, rights, FdEntry, Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::hostdir::{open_dir, Dir, DirEnt, O_NOFOLLOW};
use crate::mem::GuestMem;

mod fd;
mod path;
mod rw;
mod stat;

pub use fd::{
    fd_advise, fd_allocate, fd_close, fd_datasync, fd_fdstat_get, fd_fdstat_set_flags,
    fd_fdstat_set_rights, fd_prestat_dir_name, fd_prestat_get, fd_renumber, fd_sync,
};
pub use path::MAX_SYMLINKS;
use path::{dir_base, resolve, SYMLINK_FOLLOW};
pub(crate) use rw::{check_total, read_into, write_from};
pub use rw::{fd_pread, fd_pwrite, fd_read, fd_seek, fd_tell, fd_write};
use stat::filetype_of;
pub use stat::{
    fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, path_filestat_get,
    path_filestat_set_times,
};

/// `$oflags` bits.
pub mod oflags {
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
}

// ---------------------------------------------------------------------------------
// Directories

fn listing(d: &Dir) -> WasiResult<Vec<DirEnt>> {
    let me = d.file.metadata()?;
    let parent = fs::metadata(d.host.join(".."))
        .map(|m| m.ino())
        .unwrap_or(me.ino());
    let mut v = vec![
        DirEnt {
            name: b".".to_vec(),
            ino: me.ino(),
            ty: filetype::DIRECTORY,
        },
        DirEnt {
            name: b"..".to_vec(),
            ino: parent,
            ty: filetype::DIRECTORY,
        },
    ];
    for ent in fs::read_dir(&d.host)? {
        let ent = ent?;
        v.push(DirEnt {
            name: ent.file_name().as_bytes().to_vec(),
            ino: ent.ino(),
            ty: ent
                .file_type()
                .map(|t| filetype_of(&t))
                .unwrap_or(filetype::UNKNOWN),
        });
    }
    Ok(v)
}

pub fn fd_readdir(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    out: u32,
) -> WasiResult<()> {
    mem.check(buf, len)?;
    mem.check(out, 4)?;
    let e = ctx.entry(fd)?;
    if !matches!(e.handle, Handle::Dir(_)) {
        return Err(Errno::NOTDIR);
    }
    e.need(rights::FD_READDIR)?;
    let Handle::Dir(d) = &mut e.handle else {
        return Err(Errno::NOTDIR);
    };
    if cookie == 0 || d.listing.is_none() {
        d.listing = Some(listing(d)?);
    }
    let list = d.listing.as_deref().unwrap_or(&[]);
    let mut bytes = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, ent) in list.iter().enumerate().skip(start) {
        if bytes.len() >= len as usize {
            break;
        }
        bytes.extend_from_slice(&(i as u64 + 1).to_le_bytes());
        bytes.extend_from_slice(&ent.ino.to_le_bytes());
        bytes.extend_from_slice(&(ent.name.len() as u32).to_le_bytes());
        bytes.extend_from_slice(&[ent.ty, 0, 0, 0]);
        bytes.extend_from_slice(&ent.name);
    }
    bytes.truncate(len as usize);
    mem.write_bytes(buf, &bytes)?;
    mem.write_u32(out, bytes.len() as u32)
}

// ---------------------------------------------------------------------------------
// Paths

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

pub fn path_create_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    let base = dir_base(ctx, fd, rights::PATH_CREATE_DIRECTORY)?;
    let r = resolve(&base, &path, false)?;
    if r.is_base {
        return Err(Errno::EXIST);
    }
    fs::create_dir(&r.path)?;
    Ok(())
}

pub fn path_link(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let old_path = mem.read_string(old_path, old_len)?;
    let new_path = mem.read_string(new_path, new_len)?;
    let old_base = dir_base(ctx, old_fd, rights::PATH_LINK_SOURCE)?;
    let new_base = dir_base(ctx, new_fd, rights::PATH_LINK_TARGET)?;
    let old = resolve(&old_base, &old_path, old_flags & SYMLINK_FOLLOW != 0)?;
    let new = resolve(&new_base, &new_path, false)?;
    if old.is_base {
        return Err(Errno::PERM);
    }
    if new.is_base {
        return Err(Errno::EXIST);
    }
    if new.must_be_dir {
        return Err(Errno::NOENT);
    }
    fs::hard_link(&old.path, &new.path)?;
    Ok(())
}

pub fn path_readlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    mem.check(buf, buf_len)?;
    mem.check(out, 4)?;
    let base = dir_base(ctx, fd, rights::PATH_READLINK)?;
    let r = resolve(&base, &path, false)?;
    let target = fs::read_link(&r.path)?;
    let t = target.as_os_str().as_bytes();
    let n = t.len().min(buf_len as usize);
    mem.write_bytes(buf, &t[..n])?;
    mem.write_u32(out, n as u32)
}

pub fn path_remove_directory(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    let base = dir_base(ctx, fd, rights::PATH_REMOVE_DIRECTORY)?;
    let r = resolve(&base, &path, false)?;
    if r.is_base {
        return Err(Errno::BUSY);
    }
    fs::remove_dir(&r.path)?;
    Ok(())
}

pub fn path_rename(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let old_path = mem.read_string(old_path, old_len)?;
    let new_path = mem.read_string(new_path, new_len)?;
    let old_base = dir_base(ctx, fd, rights::PATH_RENAME_SOURCE)?;
    let new_base = dir_base(ctx, new_fd, rights::PATH_RENAME_TARGET)?;
    let old = resolve(&old_base, &old_path, false)?;
    let new = resolve(&new_base, &new_path, false)?;
    if old.is_base || new.is_base {
        return Err(Errno::BUSY);
    }
    if (old.must_be_dir || new.must_be_dir) && !fs::symlink_metadata(&old.path)?.is_dir() {
        return Err(Errno::NOTDIR);
    }
    fs::rename(&old.path, &new.path)?;
    Ok(())
}

pub fn path_symlink(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult<()> {
    let target = mem.read_string(old_path, old_len)?;
    let new_path = mem.read_string(new_path, new_len)?;
    let base = dir_base(ctx, fd, rights::PATH_SYMLINK)?;
    if target.is_empty() {
        return Err(Errno::NOENT);
    }
    if target.contains(&0) {
        return Err(Errno::ILSEQ);
    }
    // An absolute target could never be followed inside the sandbox; refuse to make
    // one so that host programs are not handed a link out either.
    if target[0] == b'/' {
        return Err(Errno::NOTCAPABLE);
    }
    let new = resolve(&base, &new_path, false)?;
    if new.is_base {
        return Err(Errno::EXIST);
    }
    if new.must_be_dir {
        return Err(Errno::NOENT);
    }
    std::os::unix::fs::symlink(OsStr::from_bytes(&target), &new.path)?;
    Ok(())
}

pub fn path_unlink_file(
    ctx: &mut WasiCtx,
    mem: &mut GuestMem,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult<()> {
    let path = mem.read_string(path, len)?;
    let base = dir_base(ctx, fd, rights::PATH_UNLINK_FILE)?;
    let r = resolve(&base, &path, false)?;
    if r.is_base {
        return Err(Errno::ISDIR);
    }
    fs::remove_file(&r.path)?;
    Ok(())
}
