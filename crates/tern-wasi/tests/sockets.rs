//! Sockets handed to the guest, and small hand-written modules for edge cases
//! that C programs do not reach.

mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

use common::*;
use tern_wasi::WasiCtxBuilder;

const ECHO: &str = r#"(module
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "pong:")
  (func $check (param i32)
    (if (local.get 0) (then (call $exit (i32.add (i32.const 100) (local.get 0))))))
  (func (export "_start")
    (local $fd i32)
    ;; Not a socket, and no such descriptor.
    (if (i32.ne (call $accept (i32.const 1) (i32.const 0) (i32.const 0)) (i32.const 57))
      (then (call $exit (i32.const 1))))
    (if (i32.ne (call $shutdown (i32.const 99) (i32.const 3)) (i32.const 8))
      (then (call $exit (i32.const 2))))
    (call $check (call $accept (i32.const 3) (i32.const 0) (i32.const 0)))
    (local.set $fd (i32.load (i32.const 0)))
    ;; Receive exactly 4 bytes into 200.
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 4))
    (call $check (call $recv (local.get $fd) (i32.const 16) (i32.const 1) (i32.const 2)
                             (i32.const 24) (i32.const 28)))
    (if (i32.ne (i32.load (i32.const 24)) (i32.const 4)) (then (call $exit (i32.const 3))))
    ;; Send "pong:" and what came in.
    (i32.store (i32.const 32) (i32.const 100))
    (i32.store (i32.const 36) (i32.const 5))
    (i32.store (i32.const 40) (i32.const 200))
    (i32.store (i32.const 44) (i32.const 4))
    (call $check (call $send (local.get $fd) (i32.const 32) (i32.const 2) (i32.const 0) (i32.const 48)))
    (if (i32.ne (i32.load (i32.const 48)) (i32.const 9)) (then (call $exit (i32.const 4))))
    (call $check (call $shutdown (local.get $fd) (i32.const 2)))
    (call $exit (local.get $fd))))"#;

#[test]
fn accept_recv_send_shutdown() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let client = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.write_all(b"ping").unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    let o = run_bytes(
        ECHO.as_bytes(),
        WasiCtxBuilder::new().preopened_socket(listener),
    );
    // fd 3 is the listener, so the accepted connection is fd 4.
    assert_eq!(o.status, Ok(4));
    assert_eq!(client.join().unwrap(), b"pong:ping");
}

const PRESTAT: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_rights" (func $rights (param i32 i64 i64) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 300) "newdir")
  (func $expect (param i32 i32)
    (if (i32.ne (local.get 0) (local.get 1)) (then (call $exit (local.get 1)))))
  (func (export "_start")
    ;; Print the names of preopens 3 and 4, each followed by a newline.
    (call $expect (call $get (i32.const 3) (i32.const 0)) (i32.const 0))
    (call $expect (i32.load8_u (i32.const 0)) (i32.const 0))
    (call $expect (call $name (i32.const 3) (i32.const 100) (i32.sub (i32.load (i32.const 4)) (i32.const 1))) (i32.const 37))
    (call $expect (call $name (i32.const 3) (i32.const 100) (i32.load (i32.const 4))) (i32.const 0))
    (i32.store8 (i32.add (i32.const 100) (i32.load (i32.const 4))) (i32.const 10))
    (i32.store (i32.const 16) (i32.const 100))
    (i32.store (i32.const 20) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
    (call $expect (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (i32.const 0))
    (call $expect (call $get (i32.const 4) (i32.const 0)) (i32.const 0))
    (call $expect (call $name (i32.const 4) (i32.const 100) (i32.load (i32.const 4))) (i32.const 0))
    (i32.store8 (i32.add (i32.const 100) (i32.load (i32.const 4))) (i32.const 10))
    (i32.store (i32.const 20) (i32.add (i32.load (i32.const 4)) (i32.const 1)))
    (call $expect (call $write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)) (i32.const 0))
    ;; stdout is no preopen; fd 5 does not exist.
    (call $expect (call $get (i32.const 1) (i32.const 0)) (i32.const 8))
    (call $expect (call $get (i32.const 5) (i32.const 0)) (i32.const 8))
    ;; Renumber 4 over 3: 4 is gone, 3 is the second preopen.
    (call $expect (call $renumber (i32.const 4) (i32.const 3)) (i32.const 0))
    (call $expect (call $get (i32.const 4) (i32.const 0)) (i32.const 8))
    (call $expect (call $renumber (i32.const 3) (i32.const 9)) (i32.const 8))
    ;; Rights can only shrink, and shrinking is enforced.
    (call $expect (call $rights (i32.const 3) (i64.const 0) (i64.const 0)) (i32.const 0))
    (call $expect (call $rights (i32.const 3) (i64.const 512) (i64.const 0)) (i32.const 76))
    (call $expect (call $mkdir (i32.const 3) (i32.const 300) (i32.const 6)) (i32.const 76))
    ;; A path running past the end of memory is a fault.
    (call $expect (call $mkdir (i32.const 3) (i32.const 300) (i32.const -1)) (i32.const 21))))"#;

#[test]
fn prestat_renumber_rights() {
    let a = TempDir::new("pre-a");
    let b = TempDir::new("pre-b");
    let builder = WasiCtxBuilder::new()
        .preopened_dir(a.path(), "/sandbox/a")
        .unwrap()
        .preopened_dir(b.path(), ".")
        .unwrap();
    let o = run_bytes(PRESTAT.as_bytes(), builder);
    assert_eq!(o.status, Ok(0), "{o:?}");
    assert_eq!(o.stdout_str(), "/sandbox/a\n.\n");
    assert!(!b.join("newdir").exists());
}

#[test]
fn preopen_of_a_file_fails() {
    let a = TempDir::new("pre-file");
    std::fs::write(a.join("f"), "").unwrap();
    assert!(WasiCtxBuilder::new()
        .preopened_dir(a.join("f"), ".")
        .is_err());
    assert!(WasiCtxBuilder::new()
        .preopened_dir(a.join("missing"), ".")
        .is_err());
}

#[test]
fn module_without_memory_gets_an_error_not_a_panic() {
    let wat = r#"(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (func (export "_start") (drop (call $w (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0)))))"#;
    let o = run_bytes(wat.as_bytes(), WasiCtxBuilder::new());
    let err = o.status.unwrap_err();
    assert!(err.contains("memory"), "{err}");
}

#[test]
fn all_functions_are_defined() {
    let engine = tern::Engine::default();
    let mut linker = tern::Linker::<tern_wasi::WasiCtx>::new(&engine);
    tern_wasi::add_to_linker(&mut linker, |c| c).unwrap();
    let mut store = tern::Store::new(&engine, WasiCtxBuilder::new().build());
    for name in tern_wasi::FUNCTIONS {
        assert!(
            linker.get(&mut store, tern_wasi::MODULE, name).is_some(),
            "{name}"
        );
    }
}
