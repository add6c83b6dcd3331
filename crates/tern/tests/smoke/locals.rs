//! Locals and copies: zero stores left out while a local is fresh, copies chained or
//! folded into the instruction that computed their value, locals zero on entry
//! after a dirty call, and operands read from a slot rather than the accumulator.

use tern::*;

use crate::support::{instantiate, run};

/// Reference instructions take their operand from a slot even when the instruction
/// before them could leave its result in the accumulator (`select`, `global.get`).
#[test]
fn reference_operands_after_accumulator_producers() {
    let wat = r#"(module
        (global $g (mut funcref) (ref.null func))
        (func $f)
        (elem declare func $f)
        (func (export "is_null_select") (param i32) (result i32)
          (ref.is_null (select (result funcref) (ref.null func) (ref.func $f) (local.get 0))))
        (func (export "is_null_global") (result i32)
          (ref.is_null (global.get $g)))
        (func (export "as_non_null_global")
          (drop (ref.as_non_null (global.get $g))))
        (func (export "set") (global.set $g (ref.func $f))))"#;
    let (mut store, inst) = instantiate(wat);
    let sel = inst
        .get_typed_func::<i32, i32>(&store, "is_null_select")
        .unwrap();
    assert_eq!(sel.call(&mut store, 1).unwrap(), 1);
    assert_eq!(sel.call(&mut store, 0).unwrap(), 0);
    let g = inst
        .get_typed_func::<(), i32>(&store, "is_null_global")
        .unwrap();
    let nn = inst
        .get_typed_func::<(), ()>(&store, "as_non_null_global")
        .unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 1);
    let e = nn.call(&mut store, ()).unwrap_err();
    assert!(e.to_string().contains("null"), "{e}");
    inst.get_typed_func::<(), ()>(&store, "set")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 0);
    nn.call(&mut store, ()).unwrap();
}

/// The compiler leaves out `local.set L (i32.const 0)` while L still holds its entry
/// zero; these would go wrong if it did so after a write, past a forward-branch
/// target, or inside a loop.
#[test]
fn zero_stores_to_fresh_locals() {
    let wat = r#"(module
      (func (export "straight") (param i32) (result i32) (local i32 i32)
        (local.set 1 (i32.const 0))
        (local.set 2 (i32.const 7))
        (local.set 2 (i32.const 0))
        (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 5)))
        (local.set 1 (i32.const 0))
        (i32.add (i32.mul (local.get 1) (i32.const 100)) (local.get 2)))
      (func (export "tee") (result i32) (local i32)
        (i32.add (local.tee 0 (i32.const 0)) (local.get 0)))
      (func (export "looped") (result i32) (local $i i32) (local $x i32)
        (loop $l
          (local.set $x (i32.const 0))
          (local.set $x (i32.add (local.get $x) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
        (local.get $x)))"#;
    for p in [0, 1] {
        assert_eq!(
            run(wat, "straight", &[Val::I32(p)], 1).unwrap(),
            vec![Val::I32(0)],
            "straight({p})"
        );
    }
    assert_eq!(run(wat, "tee", &[], 1).unwrap(), vec![Val::I32(0)]);
    assert_eq!(run(wat, "looped", &[], 1).unwrap(), vec![Val::I32(3)]);
}

/// A write inside a loop (and a loop in dead code) keeps later zero stores.
#[test]
fn zero_stores_after_loops() {
    let wat = r#"(module
      (func (export "after_loop") (result i32) (local $i i32) (local $x i32)
        (loop $l
          (local.set $x (i32.const 9))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
        (local.set $x (i32.const 0))
        (local.get $x))
      (func (export "dead_loop") (result i32) (local $x i32)
        (block (br 0) (loop (local.set $x (i32.const 1))))
        (local.set $x (i32.const 0))
        (loop $l (local.set $x (i32.add (local.get $x) (i32.const 1))) (br_if $l (i32.lt_u (local.get $x) (i32.const 4))))
        (local.get $x)))"#;
    assert_eq!(run(wat, "after_loop", &[], 1).unwrap(), vec![Val::I32(0)]);
    assert_eq!(run(wat, "dead_loop", &[], 1).unwrap(), vec![Val::I32(4)]);
}

/// Two copies in a row run as one instruction, in order: the second sees the first.
#[test]
fn chained_copies_run_in_order() {
    let wat = r#"(module
      (func (export "chain") (param i32 i32 i32) (result i32)
        (local.set 1 (local.get 0))
        (local.set 2 (local.get 1))
        (i32.add (i32.mul (local.get 2) (i32.const 10)) (local.get 1)))
      (func (export "swap") (param i32 i32) (result i32) (local i32)
        (local.set 2 (local.get 0))
        (local.set 0 (local.get 1))
        (local.set 1 (local.get 2))
        (i32.sub (local.get 0) (local.get 1))))"#;
    assert_eq!(
        run(wat, "chain", &[Val::I32(3), Val::I32(5), Val::I32(7)], 1).unwrap(),
        vec![Val::I32(33)]
    );
    assert_eq!(
        run(wat, "swap", &[Val::I32(10), Val::I32(4)], 1).unwrap(),
        vec![Val::I32(-6)]
    );
}

/// Declared locals read as zero on entry whatever an earlier call left in the same
/// slots, for every count of locals around the size of the chunks frames are
/// initialized in.
#[test]
fn locals_start_zero_after_a_dirty_call() {
    // `dirty` fills its slots from its argument (not from constants, which are
    // initialized the same way as locals).
    let mut wat = String::from(
        "(module (func $dirty (param i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)",
    );
    for i in 1..13 {
        wat.push_str(&format!(" (local.set {i} (local.get 0))"));
    }
    wat.push(')');
    for n in 0..10 {
        let mut expr = String::from("(i64.const 0)");
        for i in 0..n {
            expr = format!("(i64.or {expr} (local.get {i}))");
        }
        let locals = if n == 0 {
            String::new()
        } else {
            format!("(local{})", " i64".repeat(n))
        };
        wat.push_str(&format!(
            "(func $check{n} (result i64) {locals} {expr})\
             (func (export \"t{n}\") (param i64) (result i64)\
               (call $dirty (local.get 0)) (call $check{n}))"
        ));
    }
    wat.push(')');
    for n in 0..10 {
        assert_eq!(
            run(&wat, &format!("t{n}"), &[Val::I64(-1)], 1).unwrap(),
            vec![Val::I64(0)],
            "{n} locals"
        );
    }
}

/// A loop-carried copy (`a = t` where `t` is computed just before and written again
/// just after) is folded into the instruction that computed `t`; the loop computes
/// what it computed with the copy, and the copy's source keeps the value it must
/// have where it is still read.
#[test]
fn loop_carried_copies_folded_into_their_definition_compute_the_same() {
    let wat = r#"(module
        (func (export "f") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $t i32) (local $s i32)
          (local.set $a (i32.const 1))
          (loop $l
            (local.set $t (i32.add (i32.mul (local.get $a) (i32.const 3)) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $a (local.get $t))
            (local.set $t (i32.mul (local.get $i) (i32.const 2)))
            (local.set $s (i32.xor (i32.add (local.get $s) (local.get $t)) (local.get $a)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
          (i32.add (local.get $s) (local.get $t)))
        (func (export "g") (param $n i32) (result i32) (local $a i32) (local $t i32)
          (local.set $t (i32.add (local.get $n) (i32.const 5)))
          (local.set $a (local.get $t))
          (local.set $t (i32.add (local.get $t) (local.get $a)))
          (i32.add (local.get $a) (i32.mul (local.get $t) (i32.const 100)))))"#;
    let model = |n: i32| {
        let (mut i, mut a, mut s) = (0i32, 1i32, 0i32);
        loop {
            let mut t = a.wrapping_mul(3).wrapping_add(i);
            i = i.wrapping_add(1);
            a = t;
            t = i.wrapping_mul(2);
            s = s.wrapping_add(t) ^ a;
            if (i as u32) >= (n as u32) {
                break s.wrapping_add(t);
            }
        }
    };
    let (mut store, inst) = instantiate(wat);
    let f = inst.get_func(&store, "f").unwrap();
    let g = inst.get_func(&store, "g").unwrap();
    for n in [0, 1, 2, 7, 100, 1000] {
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        assert_eq!(out[0], Val::I32(model(n)), "f({n})");
        // `t` is read after the copy: the copy stays.
        g.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        let t = n.wrapping_add(5);
        assert_eq!(
            out[0],
            Val::I32(t.wrapping_add(t.wrapping_mul(2).wrapping_mul(100))),
            "g({n})"
        );
    }
}

#[test]
fn select_of_a_value_computed_before_its_loaded_condition() {
    // The sieve's counting loop: `s = composite[i] ? s : s * 31 + i` over bytes.
    let wat = r#"(module (memory (export "memory") 1)
        (func (export "f") (param $n i32) (result i32)
          (local $i i32) (local $s i32) (local $c i32) (local $zeros i32)
          (loop $l
            (local.set $s (select (local.get $s)
                                  (i32.add (i32.mul (local.get $s) (i32.const 31)) (local.get $i))
                                  (local.tee $c (i32.load8_u offset=16 (local.get $i)))))
            (local.set $s (i32.add (local.get $s) (local.get $c)))
            ;; and the zero bytes counted (an eqz fused into the add)
            (local.set $zeros (i32.add (local.get $zeros) (i32.eqz (local.get $c))))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                (local.get $n))))
          (i32.xor (local.get $s) (i32.shl (local.get $zeros) (i32.const 24)))))"#;
    let (mut store, inst) = instantiate(wat);
    let memory = inst.get_memory(&store, "memory").unwrap();
    let bytes: Vec<u8> = (0..200u32)
        .map(|i| [0, 1, 0, 0, 7][(i % 5) as usize])
        .collect();
    memory.write(&mut store, 16, &bytes).unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    let model = |n: u32| {
        let (mut s, mut zeros) = (0u32, 0u32);
        for i in 0..n.max(1) {
            let c = bytes[i as usize] as u32;
            s = if c != 0 {
                s
            } else {
                s.wrapping_mul(31).wrapping_add(i)
            };
            s = s.wrapping_add(c);
            zeros += u32::from(c == 0);
        }
        (s ^ (zeros << 24)) as i32
    };
    for n in [1, 2, 5, 13, 200] {
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(n as i32)], &mut out).unwrap();
        assert_eq!(out[0], Val::I32(model(n)), "f({n})");
    }
    // The load traps past the end of memory, as before.
    let mut out = [Val::I32(0)];
    let e = f
        .call(&mut store, &[Val::I32(70_000)], &mut out)
        .unwrap_err();
    assert!(e.to_string().contains("out of bounds memory access"), "{e}");
}
