//! Arithmetic the compiler fuses or folds: multiply-adds and shift-adds (both
//! roundings kept), and every i32 operation with a constant operand.

use tern::*;

use crate::support::instantiate;

#[test]
fn multiply_adds_compute_what_the_two_instructions_compute() {
    // (export, type, first op, second op, whether the product is the second's left
    // operand): `second(first(x, y), z)` or `second(z, first(x, y))`.
    let fused = [
        ("i32", "i32", "mul", "add", false),
        ("i64", "i64", "mul", "add", true),
        ("f64mc", "f64", "mul", "add", true),
        ("f64cm", "f64", "mul", "add", false),
        ("f32cm", "f32", "mul", "add", false),
        ("shl32", "i32", "shl", "add", false),
        ("shl64", "i64", "shl", "add", true),
        ("shl_xor32", "i32", "shl", "xor", false),
        ("shr_xor32", "i32", "shr_u", "xor", true),
        ("shl_xor64", "i64", "shl", "xor", true),
        ("shr_xor64", "i64", "shr_u", "xor", false),
    ];
    let mut funcs = String::new();
    for (name, t, first, second, left) in fused {
        let inner = format!("({t}.{first} (local.get 0) (local.get 1))");
        let body = if left {
            format!("({t}.{second} {inner} (local.get 2))")
        } else {
            format!("({t}.{second} (local.get 2) {inner})")
        };
        funcs.push_str(&format!(
            "(func (export \"{name}\") (param {t} {t} {t}) (result {t}) {body})\n"
        ));
    }
    let wat = format!(
        r#"(module {funcs}
        ;; the result kept in a local, then used twice
        (func (export "twice") (param i32 i32 i32) (result i32) (local i32)
          (local.set 3 (i32.add (i32.mul (local.get 0) (local.get 1)) (local.get 2)))
          (i32.add (local.get 3) (local.get 3))))"#
    );
    let (mut store, inst) = instantiate(&wat);
    let mut call = |name: &str, args: [Val; 3]| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut store, &args, &mut out).unwrap();
        out[0]
    };
    for (a, b, c) in [
        (3i32, 5i32, 7i32),
        (i32::MAX, 3, 9),
        (-1, i32::MIN, 1),
        (65537, 65537, -5),
        (-8, 3, 0),
    ] {
        let want = c.wrapping_add(a.wrapping_mul(b));
        assert_eq!(
            call("i32", [Val::I32(a), Val::I32(b), Val::I32(c)]),
            Val::I32(want)
        );
        assert_eq!(
            call("twice", [Val::I32(a), Val::I32(b), Val::I32(c)]),
            Val::I32(want.wrapping_mul(2))
        );
        // Shift counts are taken modulo the width.
        let want = c.wrapping_add(a.wrapping_shl(b as u32));
        assert_eq!(
            call("shl32", [Val::I32(a), Val::I32(b), Val::I32(c)]),
            Val::I32(want)
        );
        let args = [Val::I32(a), Val::I32(b), Val::I32(c)];
        let want = c ^ a.wrapping_shl(b as u32);
        assert_eq!(call("shl_xor32", args), Val::I32(want));
        let want = c ^ (a as u32).wrapping_shr(b as u32) as i32;
        assert_eq!(call("shr_xor32", args), Val::I32(want));
        let (a, b, c) = (a as i64 * 0x1_0000_0001, b as i64 * 7, c as i64);
        let args = [Val::I64(a), Val::I64(b), Val::I64(c)];
        let want = c ^ a.wrapping_shl(b as u32);
        assert_eq!(call("shl_xor64", args), Val::I64(want));
        let want = c ^ (a as u64).wrapping_shr(b as u32) as i64;
        assert_eq!(call("shr_xor64", args), Val::I64(want));
        let want = a.wrapping_shl(b as u32).wrapping_add(c);
        assert_eq!(
            call("shl64", [Val::I64(a), Val::I64(b), Val::I64(c)]),
            Val::I64(want)
        );
        let want = a.wrapping_mul(b).wrapping_add(c);
        assert_eq!(
            call("i64", [Val::I64(a), Val::I64(b), Val::I64(c)]),
            Val::I64(want)
        );
    }
    // Both roundings happen (no fused multiply-add), in either operand order.
    let nan_a = f64::from_bits(0x7ff8_0000_0000_0001);
    let nan_c = f64::from_bits(0x7ff8_0000_0000_0002);
    let f64s = [
        (1.5f64, 2.25f64, 0.1f64),
        (1e308, 10.0, -1e308),
        (0.1, 0.2, 0.3),
        (nan_a, 1.0, nan_c),
        (f64::INFINITY, 0.0, 1.0),
    ];
    for (a, b, c) in f64s {
        let args = [
            Val::F64(a.to_bits()),
            Val::F64(b.to_bits()),
            Val::F64(c.to_bits()),
        ];
        let want = std::hint::black_box(a * b) + c;
        let same = |v: Val| match v {
            Val::F64(x) => want.to_bits() == x || (want.is_nan() && f64::from_bits(x).is_nan()),
            _ => false,
        };
        assert!(same(call("f64mc", args)), "{a} {b} {c}");
        assert!(same(call("f64cm", args)), "{a} {b} {c}");
        let (a, b, c) = (a as f32, b as f32, c as f32);
        let want = std::hint::black_box(a * b) + c;
        let args = [
            Val::F32(a.to_bits()),
            Val::F32(b.to_bits()),
            Val::F32(c.to_bits()),
        ];
        match call("f32cm", args) {
            Val::F32(x) => assert!(
                want.to_bits() == x || (want.is_nan() && f32::from_bits(x).is_nan()),
                "{a} {b} {c}"
            ),
            v => panic!("{v:?}"),
        }
    }
}

/// Every i32 operation that takes a constant as an immediate, with the constant on
/// either side, its other operand from a local or from the instruction before, and its
/// result used by a compare-and-branch against a constant, computes what the
/// operations compute.
#[test]
fn constant_operands_folded_into_instructions_compute_the_same() {
    type I32Op = fn(i32, i32) -> i32;
    let ops: [(&str, I32Op); 21] = [
        ("add", |x, y| x.wrapping_add(y)),
        ("sub", |x, y| x.wrapping_sub(y)),
        ("mul", |x, y| x.wrapping_mul(y)),
        ("and", |x, y| x & y),
        ("or", |x, y| x | y),
        ("xor", |x, y| x ^ y),
        ("shl", |x, y| x.wrapping_shl(y as u32)),
        ("shr_s", |x, y| x.wrapping_shr(y as u32)),
        ("shr_u", |x, y| (x as u32).wrapping_shr(y as u32) as i32),
        ("rotl", |x, y| x.rotate_left(y as u32 % 32)),
        ("rotr", |x, y| x.rotate_right(y as u32 % 32)),
        ("eq", |x, y| (x == y) as i32),
        ("ne", |x, y| (x != y) as i32),
        ("lt_s", |x, y| (x < y) as i32),
        ("lt_u", |x, y| ((x as u32) < (y as u32)) as i32),
        ("gt_s", |x, y| (x > y) as i32),
        ("gt_u", |x, y| ((x as u32) > (y as u32)) as i32),
        ("le_s", |x, y| (x <= y) as i32),
        ("le_u", |x, y| ((x as u32) <= (y as u32)) as i32),
        ("ge_s", |x, y| (x >= y) as i32),
        ("ge_u", |x, y| ((x as u32) >= (y as u32)) as i32),
    ];
    let consts = [0i32, 1, -1, 31, 33, i32::MIN, 0x1234_5678];
    let inputs = [0i32, 1, -1, 5, 31, 32, i32::MIN, i32::MAX, -77];
    let mut funcs = String::new();
    for (name, _) in &ops {
        for (ci, c) in consts.iter().enumerate() {
            // x OP c, c OP x, (x + x) OP c (operand from the accumulator), and the
            // result tested against c by a branch (taken: 1000 added).
            funcs.push_str(&format!(
                r#"(func (export "{name}_{ci}") (param $x i32) (result i32) (local $r i32)
                  (local.set $r (i32.{name} (local.get $x) (i32.const {c})))
                  (local.set $r (i32.add (local.get $r)
                    (i32.mul (i32.{name} (i32.const {c}) (local.get $x)) (i32.const 7))))
                  (local.set $r (i32.add (local.get $r)
                    (i32.mul (i32.{name} (i32.add (local.get $x) (local.get $x)) (i32.const {c}))
                             (i32.const 49))))
                  (block $b
                    (br_if $b (i32.lt_s (local.get $r) (i32.const {c})))
                    (local.set $r (i32.add (local.get $r) (i32.const 1000))))
                  (block $b
                    (br_if $b (i32.gt_u (i32.const {c}) (local.get $x)))
                    (local.set $r (i32.add (local.get $r) (i32.const 5000))))
                  (local.get $r))
                "#
            ));
        }
    }
    let (mut store, inst) = instantiate(&format!("(module {funcs})"));
    for (name, op) in &ops {
        for (ci, &c) in consts.iter().enumerate() {
            let f = inst.get_func(&store, &format!("{name}_{ci}")).unwrap();
            for &x in &inputs {
                let mut r = op(x, c)
                    .wrapping_add(op(c, x).wrapping_mul(7))
                    .wrapping_add(op(x.wrapping_add(x), c).wrapping_mul(49));
                if r >= c {
                    r = r.wrapping_add(1000);
                }
                if (c as u32) <= (x as u32) {
                    r = r.wrapping_add(5000);
                }
                let mut out = [Val::I32(0)];
                f.call(&mut store, &[Val::I32(x)], &mut out).unwrap();
                assert_eq!(out[0], Val::I32(r), "{name} x={x} c={c}");
            }
        }
    }
}
