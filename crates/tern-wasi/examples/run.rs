//! A minimal WASI runner, the shape `tern run` wires up:
//!
//! `cargo run -p tern-wasi --example run -- [--dir HOST[::GUEST]]... [--env K=V]...
//! [--inherit-env] FILE.wasm [ARGS...]`

use tern::{Engine, Linker, Module, Store};
use tern_wasi::{WasiCtx, WasiCtxBuilder};

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn run() -> tern::Result<i32> {
    let mut args = std::env::args_os().skip(1);
    let mut b = WasiCtxBuilder::new();
    let file = loop {
        let a = args.next().ok_or_else(|| {
            tern::Error::msg("usage: run [--dir H[::G]] [--env K=V] [--inherit-env] FILE [ARGS]")
        })?;
        match a.to_str() {
            Some("--dir") => {
                let d = args
                    .next()
                    .ok_or_else(|| tern::Error::msg("--dir needs a value"))?;
                let d = d.to_string_lossy().into_owned();
                let (host, guest) = d.split_once("::").unwrap_or((&d, &d));
                b = b.preopened_dir(host, guest)?;
            }
            Some("--env") => {
                let kv = args
                    .next()
                    .ok_or_else(|| tern::Error::msg("--env needs a value"))?;
                let kv = kv.to_string_lossy().into_owned();
                let (k, v) = kv.split_once('=').unwrap_or((&kv, ""));
                b = b.env(k, v);
            }
            Some("--inherit-env") => b = b.inherit_env(),
            _ => break a,
        }
    };
    let bytes = std::fs::read(&file)
        .map_err(|e| tern::Error::msg(format!("{}: {e}", file.to_string_lossy())))?;
    use std::os::unix::ffi::OsStrExt;
    b = b.arg(file.as_bytes());
    for a in args {
        b = b.arg(a.as_bytes());
    }
    let engine = Engine::default();
    let module = Module::new(&engine, bytes)?;
    let mut linker = Linker::new(&engine);
    tern_wasi::add_to_linker(&mut linker, |c: &mut WasiCtx| c)?;
    let mut store = Store::new(&engine, b.inherit_stdio().build());
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    tern_wasi::exit_status(start.call(&mut store, ()))
}
