//! Files and directories: every `fd_*` call on descriptors and every `path_*` call,
//! and the sandboxed path resolution they rest on. The calls are grouped by what
//! they work on (the `$filestat`, `$fdstat`, `$iovec`, `$oflags` and `$dirent` types
//! of the preview1 witx), each group in a file of its own:
//!
//! - `path.rs`: resolving a guest path inside a directory descriptor, the capability
//!   sandbox. The bottom of the folder: every other file that takes a path gets its
//!   host path from here.
//! - `stat.rs`: `fd_filestat_*`, `path_filestat_*` and the file-type, timestamp and
//!   set-times helpers.
//! - `rw.rs`: `fd_read`, `fd_write`, `fd_pread`, `fd_pwrite`, `fd_seek`, `fd_tell`
//!   and the iovec helpers the socket calls share.
//! - `fd.rs`: descriptor state: `fd_close`, `fd_renumber`, `fd_fdstat_*`,
//!   `fd_prestat_*`, `fd_advise`, `fd_allocate`, `fd_datasync`, `fd_sync`.
//! - `open.rs`: `path_open`.
//! - `dir.rs`: `fd_readdir` and the `path_*` calls that create, remove, rename and
//!   link directory entries.
//!
//! A directory descriptor holds an open host directory (`hostdir.rs`, beside this
//! folder), and every guest path is resolved against it by `path.rs`, which never
//! lets a path (through `..`, an absolute path or a symlink) lead outside that
//! directory: its module documentation gives the argument. The files above take
//! names from `path.rs` and `stat.rs` only, never from each other; this file only
//! declares them and re-exports every call at `tern_wasi::fs::NAME`, where
//! [`crate::add_to_linker`] finds it.

mod dir;
mod fd;
mod open;
mod path;
mod rw;
mod stat;

pub use dir::{
    fd_readdir, path_create_directory, path_link, path_readlink, path_remove_directory,
    path_rename, path_symlink, path_unlink_file,
};
pub use fd::{
    fd_advise, fd_allocate, fd_close, fd_datasync, fd_fdstat_get, fd_fdstat_set_flags,
    fd_fdstat_set_rights, fd_prestat_dir_name, fd_prestat_get, fd_renumber, fd_sync,
};
pub use open::{oflags, path_open};
pub use path::MAX_SYMLINKS;
pub(crate) use rw::{check_total, read_into, write_from};
pub use rw::{fd_pread, fd_pwrite, fd_read, fd_seek, fd_tell, fd_write};
pub use stat::{
    fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, path_filestat_get,
    path_filestat_set_times,
};
