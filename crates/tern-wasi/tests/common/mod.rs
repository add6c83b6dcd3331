//! Shared helpers for the WASI tests: temporary sandbox directories and running a
//! compiled test program under tern with captured stdio.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use tern::{Engine, Linker, Module, Store};
use tern_wasi::{OutputPipe, WasiCtx, WasiCtxBuilder};

/// A directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let p = std::env::temp_dir().join(format!("tern-wasi-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
    pub fn join(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The path of compiled test program `name`.
pub fn program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/programs")
        .join(format!("{name}.wasm"))
}

/// What a run produced.
#[derive(Debug)]
pub struct Outcome {
    /// The exit status, or the error that was neither success nor `proc_exit`.
    pub status: Result<i32, String>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
    /// Asserts exit status 0 and returns stdout as a string.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(
            self.status,
            Ok(0),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout_str(),
            self.stderr_str()
        );
        self.stdout_str()
    }
}

/// Runs wasm file `wasm` with a context from `builder`, whose stdout and stderr are
/// replaced by in-memory pipes.
pub fn run_file(wasm: &Path, builder: WasiCtxBuilder) -> Outcome {
    let bytes = std::fs::read(wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()));
    run_bytes(&bytes, builder)
}

pub fn run_bytes(bytes: &[u8], builder: WasiCtxBuilder) -> Outcome {
    let out = OutputPipe::new();
    let err = OutputPipe::new();
    let ctx = builder.stdout(out.clone()).stderr(err.clone()).build();
    let status = run_ctx(bytes, ctx).map_err(|e| e.to_string());
    Outcome {
        status,
        stdout: out.contents(),
        stderr: err.contents(),
    }
}

/// Instantiates `bytes` with WASI in `ctx` and runs `_start`.
pub fn run_ctx(bytes: &[u8], ctx: WasiCtx) -> tern::Result<i32> {
    let engine = Engine::default();
    let module = Module::new(&engine, bytes)?;
    let mut linker = Linker::new(&engine);
    tern_wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c)?;
    let mut store = Store::new(&engine, ctx);
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    tern_wasi::exit_status(start.call(&mut store, ()))
}

/// Runs test program `name` with `args` (argv[0] is the name) in a sandbox whose
/// only preopen is `dir` as `"."`.
pub fn run_in(name: &str, dir: &Path, args: &[&str]) -> Outcome {
    let b = WasiCtxBuilder::new()
        .arg(name)
        .args(args)
        .preopened_dir(dir, ".")
        .unwrap();
    run_file(&program(name), b)
}
