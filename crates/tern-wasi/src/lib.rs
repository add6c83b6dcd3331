//! WASI preview1 (`wasi_snapshot_preview1`) for tern, built only on tern's public
//! embedding API, with capability-based file access: a guest sees the directories
//! it was given ([`WasiCtxBuilder::preopened_dir`]) and nothing else.
//!
//! ```no_run
//! use tern::{Engine, Linker, Module, Store};
//! use tern_wasi::{WasiCtx, WasiCtxBuilder};
//!
//! # fn main() -> tern::Result<()> {
//! let engine = Engine::default();
//! let module = Module::new(&engine, std::fs::read("hello.wasm").unwrap())?;
//! let mut linker = Linker::new(&engine);
//! tern_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
//! let ctx = WasiCtxBuilder::new().args(&["hello"]).inherit_env().build();
//! let mut store = Store::new(&engine, ctx);
//! let instance = linker.instantiate(&mut store, &module)?;
//! let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
//! let code = tern_wasi::exit_status(start.call(&mut store, ()))?;
//! std::process::exit(code);
//! # }
//! ```

#![allow(clippy::too_many_arguments)]

pub mod clocks;
pub mod ctx;
pub mod errno;
pub mod fs;
mod hostdir;
pub mod mem;
pub mod poll;
pub mod proc;
pub mod random;
pub mod sock;

pub use ctx::{OutputPipe, Socket, WasiCtx, WasiCtxBuilder};
pub use errno::Errno;

use tern::{Caller, Linker};

use crate::mem::GuestMem;

/// The import module name of WASI preview1.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// The names of every function [`add_to_linker`] defines.
pub const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// Turns the result of running a WASI command's `_start` into its exit status:
/// `Ok` is 0, a `proc_exit(n)` is `n`, anything else (a trap, a host error) stays
/// an error.
pub fn exit_status(r: tern::Result<()>) -> tern::Result<i32> {
    match r {
        Ok(()) => Ok(0),
        Err(tern::Error::Exit(code)) => Ok(code),
        Err(e) => Err(e),
    }
}

/// Whether to log every call to stderr (`TERN_WASI_TRACE=1`).
fn trace() -> bool {
    static T: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *T.get_or_init(|| std::env::var_os("TERN_WASI_TRACE").is_some_and(|v| v != "0"))
}

fn memory<T>(caller: &mut Caller<'_, T>) -> tern::Result<tern::Memory> {
    caller
        .get_export("memory")
        .and_then(|e| e.into_memory())
        .ok_or_else(|| tern::Error::msg("WASI call from a module that exports no `memory`"))
}

/// Defines `$name` as a host function that borrows the caller's memory and the
/// WASI context, calls `$module::$name`, and returns its errno.
macro_rules! define {
    ($linker:ident, $get:ident; $($module:ident :: $name:ident ( $($a:ident : $t:ty),* );)*) => {$(
        $linker.func_wrap(MODULE, stringify!($name), move |mut caller: Caller<'_, T>, $($a: $t),*| -> tern::Result<i32> {
            let m = memory(&mut caller)?;
            let (bytes, data) = m.data_and_store_mut(&mut caller);
            let mut mem = GuestMem::new(bytes);
            let ctx = $get(data);
            let r = $module::$name(ctx, &mut mem, $($a),*);
            if trace() {
                let args: &[String] = &[$(format!("{:#x}", $a)),*];
                eprintln!("wasi: {}({}) -> {}", stringify!($name), args.join(", "),
                    match r { Ok(()) => "success".to_string(), Err(e) => e.to_string() });
            }
            Ok(match r {
                Ok(()) => 0,
                Err(e) => e.0 as i32,
            })
        })?;
    )*};
}

/// Defines all 46 `wasi_snapshot_preview1` functions in `linker`. `get` finds the
/// [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: fn(&mut T) -> &mut WasiCtx,
) -> tern::Result<()> {
    define! { linker, get;
        proc::args_get(argv: u32, buf: u32);
        proc::args_sizes_get(argc: u32, size: u32);
        proc::environ_get(env: u32, buf: u32);
        proc::environ_sizes_get(count: u32, size: u32);
        clocks::clock_res_get(id: u32, out: u32);
        clocks::clock_time_get(id: u32, precision: u64, out: u32);
        fs::fd_advise(fd: u32, offset: u64, len: u64, advice: u32);
        fs::fd_allocate(fd: u32, offset: u64, len: u64);
        fs::fd_close(fd: u32);
        fs::fd_datasync(fd: u32);
        fs::fd_fdstat_get(fd: u32, out: u32);
        fs::fd_fdstat_set_flags(fd: u32, flags: u32);
        fs::fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64);
        fs::fd_filestat_get(fd: u32, out: u32);
        fs::fd_filestat_set_size(fd: u32, size: u64);
        fs::fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, fst: u32);
        fs::fd_pread(fd: u32, iovs: u32, n: u32, offset: u64, out: u32);
        fs::fd_prestat_get(fd: u32, out: u32);
        fs::fd_prestat_dir_name(fd: u32, buf: u32, len: u32);
        fs::fd_pwrite(fd: u32, iovs: u32, n: u32, offset: u64, out: u32);
        fs::fd_read(fd: u32, iovs: u32, n: u32, out: u32);
        fs::fd_readdir(fd: u32, buf: u32, len: u32, cookie: u64, out: u32);
        fs::fd_renumber(from: u32, to: u32);
        fs::fd_seek(fd: u32, offset: i64, whence: u32, out: u32);
        fs::fd_sync(fd: u32);
        fs::fd_tell(fd: u32, out: u32);
        fs::fd_write(fd: u32, iovs: u32, n: u32, out: u32);
        fs::path_create_directory(fd: u32, path: u32, len: u32);
        fs::path_filestat_get(fd: u32, flags: u32, path: u32, len: u32, out: u32);
        fs::path_filestat_set_times(fd: u32, flags: u32, path: u32, len: u32, atim: u64, mtim: u64, fst: u32);
        fs::path_link(old_fd: u32, old_flags: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
        fs::path_open(fd: u32, dirflags: u32, path: u32, len: u32, oflags: u32, base: u64, inheriting: u64, fdflags: u32, out: u32);
        fs::path_readlink(fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32);
        fs::path_remove_directory(fd: u32, path: u32, len: u32);
        fs::path_rename(fd: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
        fs::path_symlink(old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32);
        fs::path_unlink_file(fd: u32, path: u32, len: u32);
        poll::poll_oneoff(subs: u32, events: u32, n: u32, nevents: u32);
        proc::proc_raise(sig: u32);
        proc::sched_yield();
        random::random_get(buf: u32, len: u32);
        sock::sock_accept(fd: u32, flags: u32, out: u32);
        sock::sock_recv(fd: u32, iovs: u32, n: u32, ri_flags: u32, out_len: u32, out_flags: u32);
        sock::sock_send(fd: u32, iovs: u32, n: u32, si_flags: u32, out: u32);
        sock::sock_shutdown(fd: u32, how: u32);
    }
    linker.func_wrap(
        MODULE,
        "proc_exit",
        |_caller: Caller<'_, T>, code: u32| -> tern::Result<()> {
            Err(tern::Error::Exit(code as i32))
        },
    )?;
    Ok(())
}
