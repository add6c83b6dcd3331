//! The host stack and the value stack: unbounded recursion traps, a long loop does
//! not grow the host stack, and recursion fills the value stack to its last slot.

use tern::*;

use crate::support::run;

#[test]
fn deep_recursion_traps() {
    let wat = r#"(module (func $f (export "f") (call $f)))"#;
    let e = run(wat, "f", &[], 0).unwrap_err();
    assert_eq!(e.as_trap().unwrap().message(), "call stack exhausted");
}

/// Runs a million-iteration loop through many kinds of instructions. With tail-call
/// dispatch, a handler whose call was not compiled as a jump would grow the host stack
/// each iteration; the interpreter's guard turns that into an error, which fails here.
#[test]
fn long_loop_keeps_host_stack_flat() {
    let wat = r#"(module
        (memory 1)
        (global $g (mut i32) (i32.const 0))
        (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
          (loop $l
            (local.set $acc (i32.xor (local.get $acc) (i32.mul (local.get $i) (i32.const 31))))
            (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $acc))
            (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.const 3))))
            (global.set $g (select (local.get $acc) (global.get $g) (i32.and (local.get $i) (i32.const 1))))
            (block $b (block $a
              (br_table $a $b (i32.and (local.get $i) (i32.const 1))))
              (local.set $acc (call $inc (local.get $acc))))
            (local.set $acc (i32.wrap_i64 (i64.rotl (i64.extend_i32_u (local.get $acc)) (i64.const 7))))
            (local.set $acc (i32.trunc_f64_u (f64.mul (f64.convert_i32_u (i32.and (local.get $acc) (i32.const 255))) (f64.const 1.5))))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
          (i32.add (local.get $acc) (global.get $g))))"#;
    let out = run(wat, "run", &[Val::I32(1_000_000)], 1).unwrap();
    assert!(matches!(out[0], Val::I32(_)));
}

/// Recursion up to the last slot of a small value stack: the deepest call that fits
/// returns the right sum (every frame's values intact up to the stack's end), one more
/// level traps with "call stack exhausted", and so does a call from a frame right at the
/// end of the stack into a function with a larger frame.
#[test]
fn recursion_fills_the_value_stack_to_its_last_slot() {
    let mut config = Config::new();
    config.max_stack_slots(256);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
        (func $sum (export "sum") (param i32) (result i32) (local i32 i32)
          (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (local.get 1)
                           (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
        (func $big (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
            i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
          (local.get 0))
        (func $deep (export "deep") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (call $big (i32.const 7)))
            (else (call $deep (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let call = |store: &mut Store<()>, name: &str, n: i32| {
        let f = inst.get_func(&*store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut *store, &[Val::I32(n)], &mut out)
            .map(|()| out[0])
    };
    let exhausted = |r: Result<Val>| {
        r.unwrap_err().as_trap().map(|t| t.message().to_string())
            == Some("call stack exhausted".into())
    };
    // The deepest recursion that fits: found by running, then checked on both sides.
    let mut n = 0;
    while call(&mut store, "sum", n + 1).is_ok() {
        n += 1;
    }
    assert!(n > 10, "only {n} levels fit in 256 slots");
    assert_eq!(
        call(&mut store, "sum", n).unwrap(),
        Val::I32(3 * n * (n + 1) / 2)
    );
    assert!(exhausted(call(&mut store, "sum", n + 1)));
    assert!(exhausted(call(&mut store, "sum", 1000)));
    // A small frame that fits, calling a larger one that does not.
    let mut d = 0;
    while call(&mut store, "deep", d + 1).is_ok() {
        d += 1;
    }
    assert_eq!(call(&mut store, "deep", d).unwrap(), Val::I32(7));
    assert!(exhausted(call(&mut store, "deep", d + 1)));
    // The store still runs calls normally afterwards.
    assert_eq!(call(&mut store, "sum", 4).unwrap(), Val::I32(30));
}
