//! The WASI context: the guest's arguments and environment, and its file-descriptor
//! table (stdio, preopened directories, files and directories it opened, inherited
//! sockets) with the rights each descriptor carries. [`WasiCtxBuilder`] assembles a
//! context; [`OutputPipe`] is an in-memory stdout/stderr an embedder can read back.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::{AsRawFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::errno::{Errno, WasiResult};
use crate::hostdir::{open_dir, Dir};

/// `$rights` bits, in witx order.
pub mod rights {
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;
    pub const ALL: u64 = (1 << 30) - 1;

    /// What a regular file descriptor can do.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// What a directory descriptor can do.
    pub const DIR: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    /// What a stdio stream can do.
    pub const STREAM: u64 =
        FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
    /// What a connected socket can do.
    pub const SOCKET: u64 = STREAM | SOCK_SHUTDOWN;
    /// What a listening socket can do.
    pub const LISTENER: u64 =
        SOCK_ACCEPT | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;
}

/// `$filetype` values.
pub mod filetype {
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// `$fdflags` bits.
pub mod fdflags {
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
}

/// An in-memory output stream (for stdout or stderr) that can be read back. Clones
/// share the same buffer.
#[derive(Clone, Default, Debug)]
pub struct OutputPipe(Arc<Mutex<Vec<u8>>>);

impl OutputPipe {
    pub fn new() -> OutputPipe {
        OutputPipe::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Everything written so far, leaving the pipe empty.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Write for OutputPipe {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A socket handed to the guest (`sock_accept`, `sock_recv`, `sock_send`,
/// `sock_shutdown` work on these).
#[derive(Debug)]
pub enum Socket {
    TcpListener(TcpListener),
    TcpStream(TcpStream),
    UnixListener(UnixListener),
    UnixStream(UnixStream),
}

impl Socket {
    pub(crate) fn raw_fd(&self) -> RawFd {
        match self {
            Socket::TcpListener(s) => s.as_raw_fd(),
            Socket::TcpStream(s) => s.as_raw_fd(),
            Socket::UnixListener(s) => s.as_raw_fd(),
            Socket::UnixStream(s) => s.as_raw_fd(),
        }
    }
    pub(crate) fn is_listener(&self) -> bool {
        matches!(self, Socket::TcpListener(_) | Socket::UnixListener(_))
    }
}

impl From<TcpListener> for Socket {
    fn from(s: TcpListener) -> Socket {
        Socket::TcpListener(s)
    }
}
impl From<TcpStream> for Socket {
    fn from(s: TcpStream) -> Socket {
        Socket::TcpStream(s)
    }
}
impl From<UnixListener> for Socket {
    fn from(s: UnixListener) -> Socket {
        Socket::UnixListener(s)
    }
}
impl From<UnixStream> for Socket {
    fn from(s: UnixStream) -> Socket {
        Socket::UnixStream(s)
    }
}

/// What a descriptor refers to.
pub(crate) enum Handle {
    /// A readable stream (stdin).
    Input(Box<dyn Read + Send>),
    /// A writable stream (stdout, stderr).
    Output(Box<dyn Write + Send>),
    File(File),
    Dir(Dir),
    Socket(Socket),
}

/// One descriptor-table entry.
pub(crate) struct FdEntry {
    pub handle: Handle,
    pub filetype: u8,
    pub flags: u16,
    pub rights_base: u64,
    pub rights_inheriting: u64,
    /// The guest name of a preopened directory.
    pub preopen: Option<Vec<u8>>,
    /// A host descriptor `poll_oneoff` can wait on (inherited stdio, sockets).
    pub host_fd: Option<RawFd>,
}

impl FdEntry {
    /// Fails with `badf` unless the descriptor has all of `r` (for reading and
    /// writing, where POSIX programs expect `EBADF` on a descriptor not open for it).
    pub fn need_io(&self, r: u64) -> WasiResult<()> {
        if self.rights_base & r == r {
            Ok(())
        } else {
            Err(Errno::BADF)
        }
    }

    /// Fails with `notcapable` unless the descriptor has all of `r`.
    pub fn need(&self, r: u64) -> WasiResult<()> {
        if self.rights_base & r == r {
            Ok(())
        } else {
            Err(Errno::NOTCAPABLE)
        }
    }
}

/// The state of one WASI guest. Build it with [`WasiCtxBuilder`] and reach it from
/// the store's data through the accessor given to [`crate::add_to_linker`].
pub struct WasiCtx {
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) env: Vec<Vec<u8>>,
    pub(crate) fds: BTreeMap<u32, FdEntry>,
    pub(crate) urandom: Option<File>,
    /// Deterministic mode: a virtual clock and a seeded generator replace the host's.
    pub(crate) virtual_host: Option<VirtualHost>,
}

/// What a deterministic context uses instead of the host's clocks and randomness.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VirtualHost {
    /// Nanoseconds on the virtual clocks; every reading advances them by 1 µs.
    pub clock: u64,
    /// State of the xorshift64* generator behind `random_get`.
    pub rng: u64,
}

/// Most descriptors a guest may have open at once.
const MAX_FDS: usize = 1 << 16;

impl WasiCtx {
    /// The entry of `fd`, or `badf`.
    pub(crate) fn entry(&mut self, fd: u32) -> WasiResult<&mut FdEntry> {
        self.fds.get_mut(&fd).ok_or(Errno::BADF)
    }

    /// Inserts `e` at the lowest free descriptor number.
    pub(crate) fn insert(&mut self, e: FdEntry) -> WasiResult<u32> {
        if self.fds.len() >= MAX_FDS {
            return Err(Errno::MFILE);
        }
        let mut n = 0u32;
        for &k in self.fds.keys() {
            if k != n {
                break;
            }
            n += 1;
        }
        self.fds.insert(n, e);
        Ok(n)
    }

    /// The arguments the guest sees (`argv`).
    pub fn args(&self) -> impl Iterator<Item = &[u8]> {
        self.args.iter().map(|a| a.as_slice())
    }

    /// The environment the guest sees, as `KEY=VALUE` strings.
    pub fn env(&self) -> impl Iterator<Item = &[u8]> {
        self.env.iter().map(|a| a.as_slice())
    }
}

enum InSpec {
    Inherit,
    Custom(Box<dyn Read + Send>),
}

enum OutSpec {
    Inherit,
    Custom(Box<dyn Write + Send>),
}

/// Builds a [`WasiCtx`]. By default the guest has no arguments, no environment, no
/// preopened directories, and the process's own stdin, stdout and stderr.
///
/// ```no_run
/// use tern_wasi::{OutputPipe, WasiCtxBuilder};
/// # fn main() -> tern::Result<()> {
/// let out = OutputPipe::new();
/// let ctx = WasiCtxBuilder::new()
///     .args(&["prog", "--flag"])
///     .env("HOME", "/")
///     .preopened_dir("/tmp/sandbox", ".")?
///     .stdin_bytes("input")
///     .stdout(out.clone())
///     .build();
/// # Ok(()) }
/// ```
pub struct WasiCtxBuilder {
    args: Vec<Vec<u8>>,
    env: Vec<Vec<u8>>,
    stdin: InSpec,
    stdout: OutSpec,
    stderr: OutSpec,
    preopens: Vec<(Dir, Vec<u8>)>,
    sockets: Vec<Socket>,
    deterministic: Option<u64>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: InSpec::Inherit,
            stdout: OutSpec::Inherit,
            stderr: OutSpec::Inherit,
            preopens: Vec::new(),
            sockets: Vec::new(),
            deterministic: None,
        }
    }

    /// Appends one argument (the first one is the program name, `argv[0]`).
    pub fn arg(mut self, a: impl AsRef<[u8]>) -> Self {
        self.args.push(a.as_ref().to_vec());
        self
    }

    /// Appends arguments.
    pub fn args<S: AsRef<[u8]>>(mut self, args: &[S]) -> Self {
        self.args.extend(args.iter().map(|a| a.as_ref().to_vec()));
        self
    }

    /// Appends the host process's arguments.
    pub fn inherit_args(mut self) -> Self {
        self.args
            .extend(std::env::args_os().map(|a| a.as_bytes().to_vec()));
        self
    }

    /// Sets `key=value` in the guest environment (replacing an earlier `key`).
    pub fn env(mut self, key: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Self {
        let key = key.as_ref();
        self.env
            .retain(|e| !(e.starts_with(key) && e.get(key.len()) == Some(&b'=')));
        let mut kv = key.to_vec();
        kv.push(b'=');
        kv.extend_from_slice(value.as_ref());
        self.env.push(kv);
        self
    }

    /// Sets several variables.
    pub fn envs<K: AsRef<[u8]>, V: AsRef<[u8]>>(mut self, vars: &[(K, V)]) -> Self {
        for (k, v) in vars {
            self = self.env(k, v);
        }
        self
    }

    /// Copies the host process's environment into the guest's.
    pub fn inherit_env(mut self) -> Self {
        for (k, v) in std::env::vars_os() {
            self = self.env(k.as_bytes(), v.as_bytes());
        }
        self
    }

    /// The guest's stdin, stdout and stderr are the process's (the default).
    pub fn inherit_stdio(self) -> Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    pub fn inherit_stdin(mut self) -> Self {
        self.stdin = InSpec::Inherit;
        self
    }

    pub fn inherit_stdout(mut self) -> Self {
        self.stdout = OutSpec::Inherit;
        self
    }

    pub fn inherit_stderr(mut self) -> Self {
        self.stderr = OutSpec::Inherit;
        self
    }

    /// The guest's stdin reads from `r`.
    pub fn stdin(mut self, r: impl Read + Send + 'static) -> Self {
        self.stdin = InSpec::Custom(Box::new(r));
        self
    }

    /// The guest's stdin holds exactly `bytes`.
    pub fn stdin_bytes(self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin(io::Cursor::new(bytes.into()))
    }

    /// The guest's stdout writes to `w` (for example an [`OutputPipe`] or a `File`).
    pub fn stdout(mut self, w: impl Write + Send + 'static) -> Self {
        self.stdout = OutSpec::Custom(Box::new(w));
        self
    }

    /// The guest's stderr writes to `w`.
    pub fn stderr(mut self, w: impl Write + Send + 'static) -> Self {
        self.stderr = OutSpec::Custom(Box::new(w));
        self
    }

    /// Lets the guest use host directory `host` under the name `guest` (what it
    /// passes to `open`, e.g. `"."` or `"/data"`). Preopens get descriptors 3, 4, ...
    /// in the order given. Fails if `host` is not a directory.
    pub fn preopened_dir(
        mut self,
        host: impl AsRef<Path>,
        guest: impl AsRef<Path>,
    ) -> tern::Result<Self> {
        let host = host.as_ref();
        let canon = std::fs::canonicalize(host)
            .map_err(|e| tern::Error::msg(format!("cannot preopen {}: {e}", host.display())))?;
        let dir = open_dir(&canon)
            .map_err(|e| tern::Error::msg(format!("cannot preopen {}: {e}", host.display())))?;
        self.preopens
            .push((dir, guest.as_ref().as_os_str().as_bytes().to_vec()));
        Ok(self)
    }

    /// Hands the guest an open socket; it gets the next descriptor after the
    /// preopened directories.
    pub fn preopened_socket(mut self, s: impl Into<Socket>) -> Self {
        self.sockets.push(s.into());
        self
    }

    /// Deterministic mode: the clocks are virtual (they start at 2000-01-01 and
    /// advance 1 µs per reading) and `random_get` returns a fixed sequence from
    /// `seed`, so nothing of the host's time or entropy reaches the guest.
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.deterministic = Some(seed);
        self
    }

    pub fn build(self) -> WasiCtx {
        let mut ctx = WasiCtx {
            args: self.args,
            env: self.env,
            fds: BTreeMap::new(),
            urandom: None,
            virtual_host: self.deterministic.map(|seed| VirtualHost {
                clock: 946_684_800_000_000_000,
                rng: seed | 1,
            }),
        };
        let stdin = match self.stdin {
            InSpec::Inherit => stream_entry(Handle::Input(inherited_stdin()), Some(0)),
            InSpec::Custom(r) => stream_entry(Handle::Input(r), None),
        };
        ctx.fds.insert(0, stdin);
        for (fd, spec) in [(1u32, self.stdout), (2, self.stderr)] {
            let e = match spec {
                OutSpec::Inherit if fd == 1 => {
                    stream_entry(Handle::Output(Box::new(io::stdout())), Some(1))
                }
                OutSpec::Inherit => stream_entry(Handle::Output(Box::new(io::stderr())), Some(2)),
                OutSpec::Custom(w) => stream_entry(Handle::Output(w), None),
            };
            ctx.fds.insert(fd, e);
        }
        for (dir, guest) in self.preopens {
            let e = FdEntry {
                handle: Handle::Dir(dir),
                filetype: filetype::DIRECTORY,
                flags: 0,
                rights_base: rights::DIR,
                rights_inheriting: rights::DIR | rights::FILE,
                preopen: Some(guest),
                host_fd: None,
            };
            let _ = ctx.insert(e);
        }
        for s in self.sockets {
            let (base, ty) = if s.is_listener() {
                (rights::LISTENER, filetype::SOCKET_STREAM)
            } else {
                (rights::SOCKET, filetype::SOCKET_STREAM)
            };
            let fd = s.raw_fd();
            let e = FdEntry {
                handle: Handle::Socket(s),
                filetype: ty,
                flags: 0,
                rights_base: base,
                rights_inheriting: rights::SOCKET,
                preopen: None,
                host_fd: Some(fd),
            };
            let _ = ctx.insert(e);
        }
        ctx
    }
}

/// The process's stdin, unbuffered (a duplicate of descriptor 0) so that what
/// `poll_oneoff` sees on descriptor 0 is what `fd_read` will read.
fn inherited_stdin() -> Box<dyn Read + Send> {
    use std::os::unix::io::AsFd;
    match io::stdin().as_fd().try_clone_to_owned() {
        Ok(fd) => Box::new(File::from(fd)),
        Err(_) => Box::new(io::stdin()),
    }
}

/// A stdio entry; for an inherited stream the file type is the host's.
fn stream_entry(handle: Handle, host_fd: Option<RawFd>) -> FdEntry {
    let filetype = match host_fd {
        Some(fd) => host_filetype(fd),
        None => filetype::UNKNOWN,
    };
    FdEntry {
        handle,
        filetype,
        flags: 0,
        rights_base: rights::STREAM,
        rights_inheriting: 0,
        preopen: None,
        host_fd,
    }
}

/// The WASI file type of host descriptor 0, 1 or 2.
fn host_filetype(fd: RawFd) -> u8 {
    use std::io::IsTerminal;
    use std::os::unix::fs::FileTypeExt;
    use std::os::unix::io::AsFd;
    let borrowed = match fd {
        0 => io::stdin().as_fd().try_clone_to_owned(),
        1 => io::stdout().as_fd().try_clone_to_owned(),
        _ => io::stderr().as_fd().try_clone_to_owned(),
    };
    let Ok(owned) = borrowed else {
        return filetype::UNKNOWN;
    };
    let f = File::from(owned);
    if f.is_terminal() {
        return filetype::CHARACTER_DEVICE;
    }
    match f.metadata() {
        Ok(m) => {
            let t = m.file_type();
            if t.is_char_device() {
                filetype::CHARACTER_DEVICE
            } else if t.is_block_device() {
                filetype::BLOCK_DEVICE
            } else if t.is_socket() {
                filetype::SOCKET_STREAM
            } else {
                // Regular files and pipes: the guest sees an unseekable stream.
                filetype::UNKNOWN
            }
        }
        Err(_) => filetype::UNKNOWN,
    }
}
