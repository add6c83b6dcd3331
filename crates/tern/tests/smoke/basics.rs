//! The first checks: a recursive call, a counting loop, and a trap with its message
//! and backtrace.

use tern::*;

use crate::support::run;

#[test]
fn fib() {
    let wat = r#"(module (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;
    assert_eq!(
        run(wat, "fib", &[Val::I32(20)], 1).unwrap(),
        vec![Val::I32(6765)]
    );
}

#[test]
fn loop_sum() {
    let wat = r#"(module (func (export "sum") (param i32) (result i64) (local i64)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l)))
        (local.get 1)))"#;
    assert_eq!(
        run(wat, "sum", &[Val::I32(100)], 1).unwrap(),
        vec![Val::I64(5050)]
    );
}

#[test]
fn trap_and_backtrace() {
    let wat = r#"(module (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
        (func (export "f") (result i32) (call $inner (i32.const 0))))"#;
    let e = run(wat, "f", &[], 1).unwrap_err();
    let t = e.as_trap().unwrap();
    assert_eq!(t.message(), "integer divide by zero");
    assert_eq!(t.backtrace().len(), 2);
}
