//! Path resolution inside a directory descriptor: the capability sandbox of every
//! `path_*` call. Nothing here opens, creates or changes a file; it only turns a
//! guest path into a host path that is checked to stay inside the directory. The
//! calls (the other files of `fs`) must name host files only by paths that came out
//! of [`resolve`].
//!
//! A directory descriptor holds an open host directory. Paths are resolved against
//! it by [`resolve`], component by component, without handing the OS any
//! guest-controlled `..`, absolute path or symlink: `..` pops a virtual stack that
//! cannot go below the directory, each symlink met on the way is read with
//! `read_link` and its target spliced into the remaining components (absolute
//! targets are refused, at most [`MAX_SYMLINKS`] are followed), and only
//! components checked to be real directories are joined into the host path. The
//! host path of an open directory is `/proc/self/fd/N` where `/proc` exists
//! (`hostdir.rs`), so a directory the guest renames or replaces after opening it
//! keeps naming the same directory and can never be swapped for a symlink to
//! elsewhere.

use std::collections::VecDeque;
use std::ffi::OsStr;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::ctx::{Handle, WasiCtx};
use crate::errno::{Errno, WasiResult};

/// Most symlinks one path resolution follows before failing with `loop`.
pub const MAX_SYMLINKS: u32 = 40;

/// `$lookupflags.symlink_follow`.
pub(super) const SYMLINK_FOLLOW: u32 = 1;

/// A guest path resolved inside a directory.
#[derive(Debug)]
pub(crate) struct Resolved {
    /// The host path: the directory's host path joined with checked components.
    pub path: PathBuf,
    /// The path named the directory itself (`"."`, `"a/.."`).
    pub is_base: bool,
    /// The path ended in `/`, so it must name a directory.
    pub must_be_dir: bool,
}

fn components(p: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    p.split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
}

/// Resolves guest path `path` inside directory `base` (a host path to a directory
/// the guest holds). Symlinks in intermediate components are always followed, and
/// the final one when `follow` (or when the path ends in `/`); every symlink target
/// is resolved by the same rules, so nothing can lead outside `base`.
pub(crate) fn resolve(base: &Path, path: &[u8], follow: bool) -> WasiResult<Resolved> {
    if path.is_empty() {
        return Err(Errno::NOENT);
    }
    if path.contains(&0) {
        return Err(Errno::ILSEQ);
    }
    if path[0] == b'/' {
        return Err(Errno::NOTCAPABLE);
    }
    let mut must_be_dir = path.ends_with(b"/");
    let mut queue: VecDeque<Vec<u8>> = components(path).map(|c| c.to_vec()).collect();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut cur = base.to_path_buf();
    let mut links = 0u32;
    while let Some(c) = queue.pop_front() {
        if c == b".." {
            if stack.pop().is_none() {
                return Err(Errno::NOTCAPABLE);
            }
            cur = base.to_path_buf();
            for s in &stack {
                cur.push(OsStr::from_bytes(s));
            }
            continue;
        }
        let last = queue.is_empty();
        let cand = cur.join(OsStr::from_bytes(&c));
        match fs::symlink_metadata(&cand) {
            Ok(md) if md.file_type().is_symlink() && (!last || follow || must_be_dir) => {
                links += 1;
                if links > MAX_SYMLINKS {
                    return Err(Errno::LOOP);
                }
                let target = fs::read_link(&cand)?;
                let t = target.as_os_str().as_bytes();
                if t.is_empty() {
                    return Err(Errno::NOENT);
                }
                if t[0] == b'/' {
                    return Err(Errno::NOTCAPABLE);
                }
                if last && t.ends_with(b"/") {
                    must_be_dir = true;
                }
                for comp in components(t).rev() {
                    queue.push_front(comp.to_vec());
                }
                continue;
            }
            Ok(md) => {
                let is_dir = md.is_dir();
                if !last && !is_dir {
                    return Err(Errno::NOTDIR);
                }
                if last && must_be_dir && !is_dir && !md.file_type().is_symlink() {
                    return Err(Errno::NOTDIR);
                }
            }
            Err(e) => {
                if !last || e.kind() != io::ErrorKind::NotFound {
                    return Err(e.into());
                }
            }
        }
        stack.push(c);
        cur = cand;
    }
    // The directory itself: `base/.` so that even a `/proc/self/fd/N` base names the
    // directory, not the magic link.
    let is_base = stack.is_empty();
    if is_base {
        cur = base.join(".");
    }
    Ok(Resolved {
        path: cur,
        is_base,
        must_be_dir,
    })
}

/// The host path of directory descriptor `fd`, after checking it has `need`.
pub(super) fn dir_base(ctx: &mut WasiCtx, fd: u32, need: u64) -> WasiResult<PathBuf> {
    let e = ctx.entry(fd)?;
    let Handle::Dir(d) = &e.handle else {
        return Err(Errno::NOTDIR);
    };
    let host = d.host.clone();
    e.need(need)?;
    Ok(host)
}
