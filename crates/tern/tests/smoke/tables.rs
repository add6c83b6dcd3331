//! `call_indirect` through tables: the type check after a callee has run, every table
//! write of the running call seen, and tables and functions shared across instances.

use tern::*;

use crate::support::instantiate;

#[test]
fn indirect_calls_check_types_after_the_callee_has_run() {
    // `call_indirect` checks a callee's type through its cached entry once it has
    // run: a wrong type must still trap, before and after.
    let wat = r#"(module
        (type $i (func (param i32) (result i32)))
        (type $ii (func (param i32 i32) (result i32)))
        (table funcref (elem $inc $add))
        (func $inc (type $i) (i32.add (local.get 0) (i32.const 1)))
        (func $add (type $ii) (i32.add (local.get 0) (local.get 1)))
        (func (export "direct") (param i32) (result i32) (call $inc (local.get 0)))
        (func (export "as_i") (param i32 i32) (result i32)
          (call_indirect (type $i) (local.get 0) (local.get 1)))
        (func (export "as_ii") (param i32 i32) (result i32)
          (call_indirect (type $ii) (local.get 0) (local.get 0) (local.get 1))))"#;
    let (mut store, inst) = instantiate(wat);
    let mut call = |name: &str, args: &[Val]| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut store, args, &mut out).map(|()| out[0])
    };
    let mismatch = |r: Result<Val>| match r {
        Err(Error::Trap(t)) => t.to_string().contains("indirect call type mismatch"),
        _ => false,
    };
    assert!(mismatch(call("as_ii", &[Val::I32(3), Val::I32(0)])));
    assert_eq!(call("direct", &[Val::I32(4)]).unwrap(), Val::I32(5));
    for _ in 0..3 {
        assert_eq!(
            call("as_i", &[Val::I32(4), Val::I32(0)]).unwrap(),
            Val::I32(5)
        );
        assert!(mismatch(call("as_ii", &[Val::I32(3), Val::I32(0)])));
        assert!(mismatch(call("as_i", &[Val::I32(3), Val::I32(1)])));
        assert_eq!(
            call("as_ii", &[Val::I32(3), Val::I32(1)]).unwrap(),
            Val::I32(6)
        );
    }
}

#[test]
fn call_indirect_sees_every_table_write_of_the_running_call() {
    // Each write to table 0 is followed by a `call_indirect` through it in the same
    // invocation (the interpreter caches table 0 while it runs).
    let wat = r#"(module
        (type $r (func (result i32)))
        (table 2 funcref)
        (elem $e func $ten $twenty $thirty)
        (func $ten (result i32) (i32.const 10))
        (func $twenty (result i32) (i32.const 20))
        (func $thirty (result i32) (i32.const 30))
        (func $at (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
        (func (export "f") (result i32) (local $sum i32)
          (table.set (i32.const 0) (ref.func $ten))
          (local.set $sum (call $at (i32.const 0)))
          (drop (table.grow (ref.func $thirty) (i32.const 3)))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 4))))
          (table.fill (i32.const 1) (ref.func $twenty) (i32.const 2))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 2))))
          (table.copy (i32.const 0) (i32.const 3) (i32.const 1))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 0))))
          (table.init $e (i32.const 3) (i32.const 1) (i32.const 2))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 4))))
          (i32.add (local.get $sum) (call_indirect (type $r) (i32.const 3))))
        (func (export "past_end") (result i32) (call $at (i32.const 2))))"#;
    let (mut store, inst) = instantiate(wat);
    let past_end = inst.get_func(&store, "past_end").unwrap();
    let mut out = [Val::I32(0)];
    let e = past_end.call(&mut store, &[], &mut out).unwrap_err();
    assert!(e.to_string().contains("undefined element"), "{e}");
    let f = inst.get_func(&store, "f").unwrap();
    f.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(10 + 30 + 20 + 30 + 30 + 20));
    // The grown table stays grown for the next call.
    past_end.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(20));
}

#[test]
fn calls_across_instances_keep_each_ones_functions_and_table() {
    // `b` imports two functions and its table 0 from `a`; `a`'s `grow` grows that
    // table while `b` is running, and `b` calls through the new element on return.
    let a = r#"(module
        (type $r (func (result i32)))
        (table (export "t") 1 funcref)
        (elem (i32.const 0) func $seven)
        (elem declare func $eight)
        (func $seven (result i32) (i32.const 7))
        (func $eight (result i32) (i32.const 8))
        (func (export "seven") (result i32) (call $seven))
        (func (export "grow") (result i32) (table.grow (ref.func $eight) (i32.const 1))))"#;
    let b = r#"(module
        (type $r (func (result i32)))
        (import "a" "seven" (func $seven (result i32)))
        (import "a" "grow" (func $grow (result i32)))
        (import "a" "t" (table 1 funcref))
        (func $hundred (result i32) (i32.const 100))
        (func $thousand (result i32) (i32.add (call $hundred) (i32.const 900)))
        (func (export "f") (result i32)
          (i32.add (i32.add (call $thousand) (call $seven))
                   (i32.add (i32.mul (call $grow) (i32.const 10000))
                            (call_indirect (type $r) (i32.const 1))))))"#;
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let a = linker
        .instantiate(&mut store, &Module::new(&engine, a).unwrap())
        .unwrap();
    linker.instance(&mut store, "a", a).unwrap();
    let b = linker
        .instantiate(&mut store, &Module::new(&engine, b).unwrap())
        .unwrap();
    let f = b.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[], &mut out).unwrap();
    // 1000 + 7, then `grow` returns the old size 1, then element 1 is `$eight`.
    assert_eq!(out[0], Val::I32(1000 + 7 + 10000 + 8));
}
