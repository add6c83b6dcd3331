//! Directory contents and names: `fd_readdir` (with the listing a directory
//! descriptor caches between calls) and the `path_*` calls that create, remove,
//! rename and link entries: `path_create_directory`, `path_remove_directory`,
//! `path_rename`, `path_link`, `path_symlink`, `path_readlink`,
//! `path_unlink_file`. Every path is resolved by `path.rs`; the directory itself
//! (`"."`) is never removed, renamed or replaced, and `path_symlink` refuses to make
//! an absolute link. Nothing here opens a file for the guest (`open.rs` does).

use std::ffi::OsStr;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirEntryExt, MetadataExt};

use super::path::{dir_base, resolve, SYMLINK_FOLLOW};
use super::stat::filetype_of;
use crate::ctx::{filetype, rights, Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};
use crate::hostdir::{Dir, DirEnt};
use crate::mem::GuestMem;

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
