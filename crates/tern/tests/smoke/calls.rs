//! Direct calls: argument copies folded into the call, call results not folded back
//! into an argument, and inlined callees computing what real calls compute.

use tern::*;

use crate::support::{instantiate, run};

/// Calls whose last argument copy is folded into the call, and one reached by a
/// branch that skips the copy (the copy must then not be folded).
#[test]
fn call_with_folded_argument_copy() {
    let wat = r#"(module
      (func $id (param i32) (result i32) (local.get 0))
      (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (func (export "one") (param i32) (result i32) (call $id (local.get 0)))
      (func (export "two") (param i32 i32) (result i32) (call $sub (local.get 1) (local.get 0)))
      (func (export "branchy") (param i32) (result i32) (local i32)
        (local.set 1 (i32.const 40))
        (call $id
          (block (result i32)
            (br_if 0 (i32.const 7) (local.get 0))
            (drop)
            (local.get 1)))))"#;
    assert_eq!(
        run(wat, "one", &[Val::I32(5)], 1).unwrap(),
        vec![Val::I32(5)]
    );
    assert_eq!(
        run(wat, "two", &[Val::I32(5), Val::I32(8)], 1).unwrap(),
        vec![Val::I32(3)]
    );
    assert_eq!(
        run(wat, "branchy", &[Val::I32(1)], 1).unwrap(),
        vec![Val::I32(7)]
    );
    assert_eq!(
        run(wat, "branchy", &[Val::I32(0)], 1).unwrap(),
        vec![Val::I32(40)]
    );
}

/// Small functions that cannot trap are inlined; these check that the inlined bodies
/// compute what calls compute, for every kind of argument (locals, constants,
/// computed values) and result (a parameter, a constant, a computed value).
const INLINED: &str = r#"(module
    (global $g (mut i32) (i32.const 0))
    (func $lower (param i32) (result i32)
      (select (i32.or (local.get 0) (i32.const 32)) (local.get 0)
              (i32.lt_u (i32.add (local.get 0) (i32.const -65)) (i32.const 26))))
    (func $alnum (param i32) (result i32)
      (i32.or (i32.lt_u (i32.add (local.get 0) (i32.const -48)) (i32.const 10))
              (i32.lt_u (i32.add (i32.or (local.get 0) (i32.const 32)) (i32.const -97))
                        (i32.const 26))))
    (func $punct (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 0))
      (block
        (br_if 0 (i32.gt_u (i32.add (local.get 0) (i32.const -33)) (i32.const 93)))
        (local.set 1 (i32.eqz (call $alnum (local.get 0)))))
      (local.get 1))
    ;; reads its local before writing it: every entry must start from zero
    (func $sticky (param i32) (result i32) (local i32)
      (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 7)))
      (if (i32.eq (local.get 0) (i32.const 99)) (then (return (i32.const -1))))
      (i32.add (local.get 1) (local.get 0)))
    (func $first (param i32 i32) (result i32) (local.get 0))
    (func $second (param i32 i32) (result i32) (local.get 1))
    (func $seven (param i32) (result i32) (i32.const 7))
    (func $bump (param i32) (global.set $g (i32.add (global.get $g) (local.get 0))))
    (func (export "sum") (param $n i32) (result i32) (local $c i32) (local $s i32)
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $lower (local.get $c))))
        (local.set $s (i32.add (local.get $s)
          (i32.mul (call $alnum (i32.xor (local.get $c) (i32.const 1))) (i32.const 3))))
        (local.set $s (i32.add (local.get $s)
          (i32.mul (call $punct (local.get $c)) (i32.const 5))))
        (local.set $s (i32.add (local.get $s)
          (call $sticky (i32.and (local.get $c) (i32.const 1)))))
        (local.set $s (i32.add (local.get $s) (call $sticky (i32.const 99))))
        (local.set $s (i32.add (local.get $s)
          (call $second (i32.add (local.get $c) (i32.const 1)) (i32.mul (local.get $c) (i32.const 2)))))
        (local.set $s (i32.add (local.get $s)
          (call $first (i32.add (local.get $c) (i32.const 3)) (local.get $s))))
        (local.set $s (i32.add (local.get $s) (call $seven (local.get $c))))
        (call $bump (local.get $c))
        (br_if $l (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $n))))
      (i32.add (local.get $s) (global.get $g))))"#;

/// What [`INLINED`]'s `sum` computes, written out.
fn inlined_sum(n: u32) -> u32 {
    let lower = |c: u32| if c.wrapping_sub(65) < 26 { c | 32 } else { c };
    let alnum = |c: u32| (c.wrapping_sub(48) < 10 || (c | 32).wrapping_sub(97) < 26) as u32;
    let punct = |c: u32| (c.wrapping_sub(33) <= 93 && alnum(c) == 0) as u32;
    let sticky = |x: u32| {
        if x == 99 {
            u32::MAX
        } else if x != 0 {
            x
        } else {
            7
        }
    };
    let (mut s, mut g, mut c) = (0u32, 0u32, 0u32);
    loop {
        s = s.wrapping_add(lower(c));
        s = s.wrapping_add(alnum(c ^ 1) * 3);
        s = s.wrapping_add(punct(c) * 5);
        s = s.wrapping_add(sticky(c & 1));
        s = s.wrapping_add(sticky(99));
        s = s.wrapping_add(c.wrapping_mul(2));
        s = s.wrapping_add(c + 3);
        s = s.wrapping_add(7);
        g = g.wrapping_add(c);
        c += 1;
        if c >= n {
            break;
        }
    }
    s.wrapping_add(g)
}

#[test]
fn inlined_calls_compute_what_calls_compute() {
    for n in [1, 2, 3, 200, 300] {
        let got = run(INLINED, "sum", &[Val::I32(n)], 1).unwrap();
        assert_eq!(got, vec![Val::I32(inlined_sum(n as u32) as i32)], "n = {n}");
    }
    // With fuel metering nothing is inlined: the same results through real calls.
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, INLINED).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX).unwrap();
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, "sum").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(300)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(inlined_sum(300) as i32));
}

#[test]
fn a_call_result_copied_to_a_local_is_not_folded_into_the_argument_before_the_call() {
    // `z = f(x + 1, y); w = f(x + 2, y)`: the copy of the first result into `z` must
    // not be folded back into the `x + 1` that computed the first argument (the call
    // writes its result over that slot).
    let wat = r#"(module
        (func $f (param i32 i32) (result i32)
          (loop $l (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
                   (br_if $l (i32.gt_s (local.get 1) (i32.const 0))))
          (i32.sub (i32.mul (local.get 0) (i32.const 2)) (local.get 1)))
        (func (export "g") (param $x i32) (param $y i32) (result i32) (local $z i32) (local $w i32)
          (local.set $z (call $f (i32.add (local.get $x) (i32.const 1)) (local.get $y)))
          (local.set $w (call $f (i32.add (local.get $x) (i32.const 2)) (local.get $y)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (local.get $w)))
        (func (export "h") (param $x i32) (param $y i32) (param $v i32) (result i32)
          (local $z i32) (local $w i32)
          (local.set $z (call $f (i32.add (local.get $x) (i32.const 1)) (local.get $y)))
          (local.set $w (call $f (i32.add (local.get $x) (i32.const 2)) (local.get $v)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (local.get $w)))
        (func (export "k") (param $x i32) (param $y i32) (result i32) (local $z i32)
          (local.set $z (call $f (local.get $y) (local.get $x)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (call $f (local.get $x) (local.get $y)))))"#;
    // `f` counts its second parameter down to zero (once if it starts at or below).
    let f = |a: i32, b: i32| if b > 0 { 2 * a } else { 2 * a - (b - 1) };
    let (mut store, inst) = instantiate(wat);
    let g = inst.get_func(&store, "g").unwrap();
    let h = inst.get_func(&store, "h").unwrap();
    let mut out = [Val::I32(0)];
    g.call(&mut store, &[Val::I32(100), Val::I32(1)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(f(101, 1) * 1000 + f(102, 1)));
    assert_eq!(out[0], Val::I32(202_204));
    // Two argument copies fused into each call.
    h.call(
        &mut store,
        &[Val::I32(7), Val::I32(3), Val::I32(-4)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0], Val::I32(f(8, 3) * 1000 + f(9, -4)));
    // Both arguments copied by the call (from the parameters, in either order).
    let k = inst.get_func(&store, "k").unwrap();
    for (x, y) in [(5, -2), (-3, 4), (0, 0)] {
        k.call(&mut store, &[Val::I32(x), Val::I32(y)], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::I32(f(y, x) * 1000 + f(x, y)), "k({x}, {y})");
    }
}

/// `call_ref` and `return_call_ref`: both call the referenced function, a tail call in
/// a loop of a million steps does not grow the stack, and a null reference traps.
#[test]
fn call_ref_and_return_call_ref() {
    let wat = r#"(module
      (type $t (func (param i32) (result i32)))
      (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
      (func $down (type $t)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 7))
          (else (return_call_ref $t (i32.sub (local.get 0) (i32.const 1)) (ref.func $down)))))
      (elem declare func $inc $down)
      (func (export "call") (param i32) (result i32)
        (i32.mul (call_ref $t (local.get 0) (ref.func $inc)) (i32.const 2)))
      (func (export "tail") (param i32) (result i32)
        (return_call_ref $t (local.get 0) (ref.func $inc)))
      (func (export "down") (param i32) (result i32)
        (call_ref $t (local.get 0) (ref.func $down)))
      (func (export "null") (param i32) (result i32)
        (call_ref $t (local.get 0) (ref.null $t)))
      (func (export "tail_null") (param i32) (result i32)
        (return_call_ref $t (local.get 0) (ref.null $t))))"#;
    let one = |name, x| run(wat, name, &[Val::I32(x)], 1);
    assert_eq!(one("call", 4).unwrap(), vec![Val::I32(10)]);
    assert_eq!(one("tail", 4).unwrap(), vec![Val::I32(5)]);
    assert_eq!(one("down", 1_000_000).unwrap(), vec![Val::I32(7)]);
    for name in ["null", "tail_null"] {
        let err = one(name, 1).unwrap_err();
        assert!(
            err.to_string().contains("null function reference"),
            "{name}: {err}"
        );
    }
}
