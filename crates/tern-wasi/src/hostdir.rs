//! An open host directory ([`Dir`]) and the one way to open one ([`open_dir`]): the
//! primitive under both the descriptor table (`ctx.rs`, which opens the preopened
//! directories) and the filesystem calls (`fs`, which open directories the guest
//! names and join checked paths onto a directory's host path).
//!
//! Part of the sandbox: a directory is opened with `O_NOFOLLOW` (so a final symlink is
//! refused by the OS too, behind the path resolution of `fs`), and its host path is
//! `/proc/self/fd/N` where `/proc` exists, so a directory the guest renames or
//! replaces after opening it keeps naming the same directory and can never be
//! swapped for a symlink to elsewhere. Only where there is no `/proc` is the host
//! path the directory's canonical path at the time it was opened.
//!
//! This module knows nothing of descriptors, rights or guest paths: it imports nothing
//! from the rest of the crate, and must not.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

/// `O_NOFOLLOW` for the final `open`, as a second line of defence behind
/// the path resolution of `fs` (`resolve`).
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64"
    )
))]
pub(crate) const O_NOFOLLOW: i32 = 0o100000;
#[cfg(all(
    target_os = "linux",
    any(
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "riscv64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
))]
pub(crate) const O_NOFOLLOW: i32 = 0o400000;
#[cfg(not(all(
    target_os = "linux",
    any(
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "powerpc",
        target_arch = "powerpc64",
        target_arch = "x86_64",
        target_arch = "x86",
        target_arch = "riscv64",
        target_arch = "s390x",
        target_arch = "loongarch64"
    )
)))]
pub(crate) const O_NOFOLLOW: i32 = 0;

/// One cached directory entry for `fd_readdir`.
#[derive(Clone, Debug)]
pub(crate) struct DirEnt {
    pub name: Vec<u8>,
    pub ino: u64,
    pub ty: u8,
}

/// An open directory: its host path (absolute, free of symlinks and `..` when it
/// was opened) and the listing `fd_readdir` is walking.
pub(crate) struct Dir {
    pub file: File,
    pub host: PathBuf,
    pub listing: Option<Vec<DirEnt>>,
}

/// Opens host directory `path` as a descriptor handle.
pub(crate) fn open_dir(path: &Path) -> io::Result<Dir> {
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(O_NOFOLLOW)
        .open(path)?;
    if !file.metadata()?.is_dir() {
        return Err(io::Error::from_raw_os_error(20));
    }
    let magic = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
    let host = if fs::metadata(&magic).map(|m| m.is_dir()).unwrap_or(false) {
        magic
    } else {
        fs::canonicalize(path)?
    };
    Ok(Dir {
        file,
        host,
        listing: None,
    })
}
