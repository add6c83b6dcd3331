//! Pathological modules: compiling and running them must stay proportional to their
//! size (no quadratic blow-up on deep nesting, huge `br_table`s, many locals or deep
//! operand stacks). Each case is large enough that a quadratic algorithm would take
//! minutes; the bound asserted is seconds.

use std::time::{Duration, Instant};

use tern::{Engine, Error, Instance, Module, Store};

fn leb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b);
            return;
        }
        out.push(b | 0x80);
    }
}

fn section(id: u8, body: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(body.len() as u64, out);
    out.extend_from_slice(body);
}

/// A module with one exported function `f: [] -> []` with `locals` i32 locals and the
/// given instructions (without the final `end`).
fn module(locals: u32, code: &[u8]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    section(1, &[1, 0x60, 0, 0], &mut m);
    section(3, &[1, 0], &mut m);
    section(7, &[1, 1, b'f', 0, 0], &mut m);
    let mut body = Vec::new();
    if locals > 0 {
        body.push(1);
        leb(locals as u64, &mut body);
        body.push(0x7f);
    } else {
        body.push(0);
    }
    body.extend_from_slice(code);
    body.push(0x0b);
    let mut code_sec = vec![1];
    leb(body.len() as u64, &mut code_sec);
    code_sec.extend_from_slice(&body);
    section(10, &code_sec, &mut m);
    m
}

/// Creates, instantiates and calls `f`; returns the outcome and the time it took.
fn run(bytes: &[u8]) -> (Result<(), Error>, Duration) {
    let start = Instant::now();
    let r = (|| {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes)?;
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[])?;
        inst.get_typed_func::<(), ()>(&store, "f")?
            .call(&mut store, ())
    })();
    (r, start.elapsed())
}

const LIMIT: Duration = Duration::from_secs(10);

#[test]
fn deeply_nested_blocks() {
    let n = 100_000;
    let mut code = Vec::new();
    for _ in 0..n {
        code.extend_from_slice(&[0x02, 0x40]); // block
    }
    code.extend_from_slice(&[0x0c, 0x00]); // br 0
    code.extend(std::iter::repeat_n(0x0b, n)); // end ...
    let (r, t) = run(&module(0, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn huge_br_table() {
    let n = 200_000u64;
    let mut code = vec![0x02, 0x40, 0x41, 0x05, 0x0e]; // block; i32.const 5; br_table
    leb(n, &mut code);
    for _ in 0..n {
        leb(0, &mut code); // every target is the block
    }
    code.push(0x00); // default
    code.push(0x0b);
    let (r, t) = run(&module(0, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn many_locals() {
    // 60,000 locals fit a frame; each is read and written once.
    let n = 60_000u32;
    let mut code = Vec::new();
    for i in 0..n {
        code.push(0x20); // local.get i
        leb(i as u64, &mut code);
        code.push(0x21); // local.set (i + 1) % n
        leb(((i + 1) % n) as u64, &mut code);
    }
    let (r, t) = run(&module(n, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn more_locals_than_a_frame_holds_is_a_clean_error() {
    let (r, t) = run(&module(1_000_000, &[]));
    assert!(matches!(r, Err(Error::Unsupported { .. })), "{r:?}");
    assert!(t < LIMIT, "{t:?}");
}

#[test]
fn deep_operand_stack_with_branches_and_local_sets() {
    // 30,000 lazy local reads stay on the stack while 30,000 br_ifs and local.sets
    // run above them.
    let n = 30_000;
    let mut code = vec![0x02, 0x40]; // block
    for _ in 0..n {
        code.extend_from_slice(&[0x20, 0x00]); // local.get 0
    }
    for _ in 0..n {
        code.extend_from_slice(&[0x41, 0x00, 0x0d, 0x00]); // i32.const 0; br_if 0
        code.extend_from_slice(&[0x41, 0x07, 0x21, 0x00]); // i32.const 7; local.set 0
    }
    code.extend(std::iter::repeat_n(0x1a, n)); // drop ...
    code.push(0x0b);
    let (r, t) = run(&module(1, &code));
    r.unwrap();
    assert!(t < LIMIT, "{t:?}");
}
