//! Tests of vector instructions in native code (`jit::simd`, and the vector variables
//! of `jit::translate`): loops over vectors, vectors moved lane by lane, through
//! temporaries that hold scalars at other times, across native calls, globals and
//! `select`, and a loop that leaves an instruction to the interpreter on every
//! iteration give what the interpreter gives, results and memory alike.

use super::{call, same};
use crate::{Module, Tier, Val};

const SIMD: &str = r#"(module
  (memory 1)
  (global $g (mut v128) (v128.const i32x4 1 2 3 4))
  ;; A vector accumulator in a loop, shifts (a vector and an i32 in adjacent slots),
  ;; lane reads and a vector stored to memory.
  (func $mix (export "mix") (param $n i32) (result i32)
    (local $i i32) (local $acc v128) (local $t v128)
    (local.set $acc (v128.const i32x4 7 11 13 17))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $t (i32x4.splat (local.get $i)))
      (local.set $acc
        (i32x4.add
          (i32x4.mul (local.get $acc) (v128.const i32x4 3 5 7 9))
          (v128.xor (i32x4.shr_u (local.get $t) (i32.and (local.get $i) (i32.const 7)))
                    (i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12
                                   (local.get $t) (local.get $acc)))))
      (v128.store offset=16 (i32.and (i32.mul (local.get $i) (i32.const 16)) (i32.const 4095))
        (local.get $acc))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i32.add (i32x4.extract_lane 0 (local.get $acc))
      (i32.add (i32x4.extract_lane 1 (local.get $acc))
        (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc))))))
  ;; Floats: the lanes of a vector built lane by lane, pmin/pmax, conversions.
  (func (export "floats") (param $n i32) (result v128)
    (local $i i32) (local $v v128) (local $w v128)
    (local.set $w (f32x4.splat (f32.const 0.5)))
    (loop $next
      (local.set $v (f32x4.replace_lane 2
        (f32x4.convert_i32x4_s (i32x4.splat (local.get $i)))
        (f32.convert_i32_u (local.get $n))))
      (local.set $w (f32x4.add (f32x4.pmin (local.get $w) (local.get $v))
                               (f32x4.sqrt (f32x4.pmax (local.get $v) (local.get $w)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $w))
  ;; Calls with vector parameters and results; select of vectors; a vector global.
  (func $blend (param $a v128) (param $b v128) (param $c i32) (result v128)
    (select (local.get $a) (i16x8.add_sat_s (local.get $a) (local.get $b)) (local.get $c)))
  (func (export "calls") (param $n i32) (result v128)
    (local $i i32) (local $v v128)
    (local.set $v (global.get $g))
    (loop $next
      (local.set $v (call $blend (local.get $v) (i16x8.splat (local.get $i))
                                 (i32.and (local.get $i) (i32.const 1))))
      (global.set $g (i64x2.add (global.get $g) (local.get $v)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (v128.xor (local.get $v) (global.get $g)))
  ;; Lane loads and stores, extending and zero-filling loads, and a loop that leaves
  ;; an instruction (a relaxed dot product) to the interpreter on every iteration.
  (func (export "lanes") (param $n i32) (result v128)
    (local $i i32) (local $v v128) (local $d v128)
    (loop $next
      (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.mul (local.get $i) (i32.const 0x01030507)))
      (local.set $v (v128.load32_lane 1 (i32.const 8) (local.get $v)))
      (local.set $v (i16x8.add (local.get $v) (v128.load8x8_u (local.get $i))))
      (local.set $d (i16x8.relaxed_dot_i8x16_i7x16_s (local.get $v) (v128.load64_zero (i32.const 3))))
      (v128.store16_lane offset=1024 5 (local.get $i) (local.get $d))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (i64x2.add (local.get $v) (local.get $d)))
  ;; Vectors left on the stack across labels, in slots that hold scalars elsewhere.
  (func (export "blocks") (param $n i32) (result v128)
    (local $i i32) (local $acc v128)
    (loop $next
      (local.set $acc
        (i32x4.sub
          (block $b (result v128)
            (i32x4.replace_lane 3 (i32x4.splat (i32.add (local.get $i) (i32.const 5)))
                                  (local.get $n))
            (br_if $b (i32.and (local.get $i) (i32.const 1)))
            (drop)
            (i32x4.splat (i32.mul (local.get $i) (i32.const 3))))
          (block $c (result v128)
            (i64x2.replace_lane 0 (i64x2.splat (i64.extend_i32_u (local.get $i)))
                                  (i64.const -3))
            (br_if $c (i32.and (local.get $i) (i32.const 2)))
            (drop)
            (local.get $acc))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "load") (param i32) (result v128)
    (v128.load (local.get 0)))
  (func (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (loop $next
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))
"#;

/// Runs export `name` and then sums memory through `sum`, both in each tier.
fn run_and_sum(name: &str, n: i32) -> (Vec<Val>, Vec<Val>) {
    let run = |tier| {
        let (mut store, instance) = super::instance(tier, SIMD);
        let f = instance.get_func(&store, name).unwrap();
        let k = f.ty(&store).results.len();
        let mut out = vec![Val::I32(0); k];
        f.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        let sum = instance.get_func(&store, "sum").unwrap();
        let mut total = [Val::I32(0)];
        sum.call(&mut store, &[Val::I32(8192)], &mut total).unwrap();
        (out, total.to_vec())
    };
    let interp = run(Tier::Interp);
    let opt = run(Tier::Opt);
    assert_eq!(format!("{interp:?}"), format!("{opt:?}"), "{name}({n})");
    opt
}

#[test]
fn vector_loops_get_native_code() {
    let m = Module::new(&super::engine(Tier::Opt), SIMD).unwrap();
    for f in [0, 1, 3] {
        let code = m.inner.code(f).unwrap();
        let native = code.native().expect("native code");
        assert!(native.entries.len() >= 2, "function {f} loops natively");
    }
    // A loop with an instruction left to the interpreter is entered at the start only
    // (as is one that starts the function).
    for f in [4, 5] {
        let code = m.inner.code(f).unwrap();
        let native = code.native().expect("native code");
        assert_eq!(&native.entries[..], &[0], "function {f}");
    }
}

#[test]
fn vector_instructions_compute_what_the_interpreter_computes() {
    for n in [0, 1, 2, 9, 300] {
        run_and_sum("mix", n);
        run_and_sum("floats", n);
        run_and_sum("calls", n);
        run_and_sum("lanes", n);
        run_and_sum("blocks", n);
    }
    let (out, _) = run_and_sum("mix", 5);
    assert_ne!(out, vec![Val::I32(0)]);
}

#[test]
fn vector_accesses_out_of_bounds_trap_as_in_the_interpreter() {
    for at in [0, 65520, 65521, 65535, 65536, -1] {
        let r = same(SIMD, "load", &[Val::I32(at)]);
        assert_eq!(r.is_err(), at as u32 > 65520, "{at}: {r:?}");
    }
    let e = call(Tier::Opt, SIMD, "load", &[Val::I32(65530)]).unwrap_err();
    assert!(e.contains("out of bounds memory access"), "{e}");
}
