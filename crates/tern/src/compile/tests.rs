//! Tests of the code the compiler emits: which instructions fuse, and how.

use super::isa::{BinLd, BinLdX, Instr, Ld, LdBinOp, MulAddOp, Rmw, RmwOp, ACC};
use crate::{Config, Engine, Module};

/// The internal code of function 0 of `wat`.
fn code_with(config: &Config, wat: &str) -> Vec<Instr> {
    let engine = Engine::new(config);
    let m = Module::new(&engine, wat).unwrap();
    m.inner.code(0).unwrap().code.to_vec()
}

fn code(wat: &str) -> Vec<Instr> {
    code_with(&Config::new(), wat)
}

#[test]
fn constants_read_only_as_immediates_leave_the_pool() {
    let engine = Engine::default();
    let m = Module::new(
        &engine,
        r#"(module (memory 1) (func (param i32) (result i32)
            (i32.store (i32.const 64) (i32.add (local.get 0) (i32.const 1000)))
            (i32.xor (i32.and (i32.mul (local.get 0) (i32.const 3)) (i32.const 0xff))
                     (i32.shl (local.get 0) (i32.const 5)))
            (i32.or (i32.const 0x100))
            (i32.add (i32.sub (i32.const 7) (local.get 0)))
            (br_if 0 (i32.lt_u (i32.const 9) (local.get 0)))
            drop (i32.const 11)))"#,
    )
    .unwrap();
    let f = m.inner.code(0).unwrap();
    // 64 stays (an address, read from its slot); 11 is copied out as the result;
    // 1000, 3, 0xff, 0x100 and 9 are immediates only; 7 - x keeps 7 in a slot, and
    // the shift by 5 fuses with the xor (a shift-xor reads its amount from a slot).
    let mut pool = f.consts.to_vec();
    pool.sort_unstable();
    assert_eq!(pool, [5, 7, 11, 64]);
    let imms: Vec<u32> = f
        .code
        .iter()
        .filter_map(|i| match i {
            Instr::BinI(b) => Some(b.imm),
            Instr::BrIfI32Imm(b) => Some(b.imm),
            _ => None,
        })
        .collect();
    assert_eq!(imms, [1000, 3, 0xff, 0x100, 9]);
}

#[test]
fn a_table_on_a_byte_just_loaded_is_one_instruction() {
    let engine = Engine::default();
    let m = Module::new(
        &engine,
        r#"(module (memory 1)
            (func (param i32) (result i32) (local i32)
              (block (block
                (br_table 0 1 (local.tee 1 (i32.load8_u offset=3 (local.get 0)))))
                (return (i32.const 1)))
              (local.get 1))
            (func (param i32) (result i32)
              (block (block
                (br_table 0 1 (i32.load8_u (local.get 0)))))
              (i32.const 2))
            (func (param i32) (result i32)
              (block (block
                (br_table 0 1 (i32.load16_u (local.get 0)))))
              (i32.const 2)))"#,
    )
    .unwrap();
    let tables = |func| {
        let f = m.inner.code(func).unwrap();
        let t: Vec<Instr> = f
            .code
            .iter()
            .filter(|i| i.table_len().is_some())
            .copied()
            .collect();
        (
            t,
            f.code
                .iter()
                .filter(|i| { **i }.load_mut().is_some())
                .count(),
        )
    };
    // The tee'd local is still written; a fused load leaves no load behind.
    let (t, loads) = tables(0);
    assert!(
        matches!(t[..], [Instr::BrTableLoad8U { dst, offset, len: 1, .. }] if offset == 3 && dst == 1)
    );
    assert_eq!(loads, 0);
    let (t, loads) = tables(1);
    assert!(matches!(t[..], [Instr::BrTableLoad8U { len: 1, .. }]));
    assert_eq!(loads, 0);
    // Other loads are not fused.
    let (t, loads) = tables(2);
    assert!(matches!(t[..], [Instr::BrTable { len: 1, .. }]));
    assert_eq!(loads, 1);
}

#[test]
fn loads_fuse_into_their_consumers() {
    // `acc[q] += k * a[p]`, as in a matrix product's inner loop.
    let c = code(
        r#"(module (memory 1) (func (param $p i32) (param $q i32) (param $k f64)
            (f64.store offset=8 (local.get $q)
              (f64.add (f64.mul (local.get $k) (f64.load offset=16 (local.get $p)))
                       (f64.load offset=8 (local.get $q))))))"#,
    );
    let mul = BinLd {
        op: LdBinOp::F64MulLd,
        dst: ACC,
        a: 2,
        addr: 0,
        offset: 16,
    };
    let rmw = Rmw {
        op: RmwOp::F64Add,
        addr: 1,
        value: ACC,
        offset: 8,
    };
    assert_eq!(
        &c[..3],
        &[Instr::BinLd(mul), Instr::Rmw(rmw), Instr::Return]
    );
}

#[test]
fn operand_order_of_fused_loads() {
    let c = code(
        r#"(module (memory 1) (func (param i32 f64) (result f64)
            (f64.sub (f64.load (local.get 0)) (local.get 1))))"#,
    );
    assert!(
        matches!(
            c[0],
            Instr::BinLd(BinLd {
                op: LdBinOp::F64LdSub,
                a: 1,
                addr: 0,
                ..
            })
        ),
        "{c:?}"
    );
    let c = code(
        r#"(module (memory 1) (func (param i32 f64) (result f64)
            (f64.sub (local.get 1) (f64.load (local.get 0)))))"#,
    );
    assert!(
        matches!(
            c[0],
            Instr::BinLd(BinLd {
                op: LdBinOp::F64SubLd,
                a: 1,
                addr: 0,
                ..
            })
        ),
        "{c:?}"
    );
    // A narrow load or a load of another type is not an operand form.
    let c = code(
        r#"(module (memory 1) (func (param i32 i32) (result i32)
            (i32.add (local.get 1) (i32.load8_u (local.get 0)))))"#,
    );
    assert!(
        c.iter().all(|i| { *i }.load_operand_mut().is_none()),
        "{c:?}"
    );
}

#[test]
fn loads_from_address_sums_fuse_with_16_bit_offsets() {
    let wat = |offset: u32| {
        format!(
            r#"(module (memory 1) (func (param i32 i32 f64) (result f64)
                (f64.sub (local.get 2)
                  (f64.load offset={offset} (i32.add (local.get 0) (local.get 1))))))"#
        )
    };
    let c = code(&wat(0xffff));
    let want = BinLdX {
        op: LdBinOp::F64SubLd,
        dst: 3,
        a: 2,
        x: 0,
        y: 1,
        offset: 0xffff,
    };
    assert_eq!(c[0], Instr::BinLdX(want), "{c:?}");
    let c = code(&wat(0x10000));
    assert!(matches!(c[0], Instr::F64LoadX(_)), "{c:?}");
    assert!(matches!(c[1], Instr::F64Sub(_)), "{c:?}");
}

#[test]
fn read_modify_write_needs_the_same_address() {
    // Stored to another offset: the add keeps its load, the store stays a store.
    let c = code(
        r#"(module (memory 1) (func (param i32 i32)
            (i32.store offset=4 (local.get 0)
              (i32.add (i32.load (local.get 0)) (local.get 1)))))"#,
    );
    assert!(
        matches!(
            c[0],
            Instr::BinLd(BinLd {
                op: LdBinOp::I32AddLd,
                ..
            })
        ),
        "{c:?}"
    );
    assert!(matches!(c[1], Instr::I32Store(_)), "{c:?}");
    // `v - [m]` stored back is not `[m] = [m] - v`.
    let c = code(
        r#"(module (memory 1) (func (param i32 i32)
            (i32.store (local.get 0)
              (i32.sub (local.get 1) (i32.load (local.get 0))))))"#,
    );
    assert!(
        matches!(
            c[0],
            Instr::BinLd(BinLd {
                op: LdBinOp::I32SubLd,
                ..
            })
        ),
        "{c:?}"
    );
    assert!(matches!(c[1], Instr::I32Store(_)), "{c:?}");
}

#[test]
fn deterministic_mode_keeps_the_canonicalization_before_the_store() {
    let mut config = Config::new();
    config.deterministic(true);
    let c = code_with(
        &config,
        r#"(module (memory 1) (func (param i32 f64)
            (f64.store (local.get 0)
              (f64.add (f64.load (local.get 0)) (local.get 1)))))"#,
    );
    assert!(
        matches!(
            c[0],
            Instr::BinLd(BinLd {
                op: LdBinOp::F64AddLd,
                ..
            })
        ),
        "{c:?}"
    );
    assert!(matches!(c[1], Instr::CanonNan { is64: true, .. }), "{c:?}");
    assert!(matches!(c[2], Instr::F64Store(_)), "{c:?}");
}

#[test]
fn multiplications_fuse_into_the_addition_that_reads_them() {
    let wat = |t: &str, order: &str| {
        format!(
            r#"(module (func (param $a {t}) (param $b {t}) (param $c {t}) (result {t})
                {order}))"#
        )
    };
    let mc = "(TY.add (TY.mul (local.get $a) (local.get $b)) (local.get $c))";
    let cm = "(TY.add (local.get $c) (TY.mul (local.get $a) (local.get $b)))";
    let xor = |order: &str, shift: &str| {
        order
            .replace("TY.add", "TY.xor")
            .replace("TY.mul", &format!("TY.{shift}"))
    };
    let cases = [
        ("i32", mc, MulAddOp::I32),
        ("i32", cm, MulAddOp::I32),
        ("i64", mc, MulAddOp::I64),
        ("f32", mc, MulAddOp::F32),
        ("f32", cm, MulAddOp::F32),
        ("f64", mc, MulAddOp::F64),
        ("f64", cm, MulAddOp::F64),
        ("i32", &mc.replace("TY.mul", "TY.shl"), MulAddOp::I32Shl),
        ("i64", &cm.replace("TY.mul", "TY.shl"), MulAddOp::I64Shl),
        ("i32", &xor(mc, "shl"), MulAddOp::I32ShlXor),
        ("i64", &xor(cm, "shl"), MulAddOp::I64ShlXor),
        ("i32", &xor(cm, "shr_u"), MulAddOp::I32ShrUXor),
        ("i64", &xor(mc, "shr_u"), MulAddOp::I64ShrUXor),
    ];
    for (t, order, op) in cases {
        let c = code(&wat(t, &order.replace("TY", t)));
        let Instr::MulAdd(m) = c[0] else {
            panic!("{t} {order}: {c:?}");
        };
        assert_eq!((m.op, m.a, m.b, m.c), (op, 0, 1, 2), "{t} {order}");
        assert!(matches!(c[1], Instr::ReturnOne { .. }), "{c:?}");
    }
    // A zero test added to a count, in either order.
    for order in [
        "(i32.add (i32.eqz (local.get $a)) (local.get $c))",
        "(i32.add (local.get $c) (i32.eqz (local.get $a)))",
    ] {
        let c = code(&wat("i32", order));
        let Instr::MulAdd(m) = c[0] else {
            panic!("{order}: {c:?}");
        };
        assert_eq!(
            (m.op, m.a, m.b, m.c),
            (MulAddOp::I32EqzAdd, 0, 0, 2),
            "{order}"
        );
    }
    // The product read by something else, or from the accumulator, or under
    // deterministic NaNs (a canonicalization comes between): no fusion.
    let kept = [
        "(i32.add (i32.mul (local.get $a) (local.get $b)) (i32.mul (local.get $a) (local.get $c)))",
        "(i32.add (i32.mul (i32.add (local.get $a) (local.get $b)) (local.get $b)) (local.get $c))",
        "(i32.sub (i32.mul (local.get $a) (local.get $b)) (local.get $c))",
        "(i32.xor (i32.shr_s (local.get $a) (local.get $b)) (local.get $c))",
    ];
    for body in kept {
        let c = code(&wat("i32", body));
        let fused = c.iter().filter(|i| matches!(i, Instr::MulAdd(_))).count();
        // The first has one fusable pair (the second product), the others none.
        let want = usize::from(body == kept[0]);
        assert_eq!(fused, want, "{body}: {c:?}");
    }
    let mut config = Config::new();
    config.deterministic(true);
    let c = code_with(&config, &wat("f64", &mc.replace("TY", "f64")));
    assert!(!c.iter().any(|i| matches!(i, Instr::MulAdd(_))), "{c:?}");
}

#[test]
fn select_reads_a_value_computed_before_its_loaded_condition_from_the_accumulator() {
    // `s = c ? s : s * 31 + i`, with `c` a byte loaded (and kept) after the product.
    let wat = |load: &str| {
        format!(
            r#"(module (memory 1) (func (param $s i32) (param $i i32) (result i32) (local $c i32)
              (select (local.get $s)
                      (i32.add (i32.mul (local.get $s) (i32.const 31)) (local.get $i))
                      (local.tee $c {load}))
              (i32.add (local.get $c))))"#
        )
    };
    let c = code(&wat("(i32.load8_u offset=7 (local.get $i))"));
    let at = c.iter().position(|i| matches!(i, Instr::Select { .. }));
    let Some(Instr::Select { b: ACC, cond, .. }) = at.map(|at| c[at]) else {
        panic!("{c:?}");
    };
    let at = at.unwrap_or(0);
    assert!(
        matches!(c[at - 1], Instr::I32Load8U(Ld { dst, .. }) if dst == cond),
        "{c:?}"
    );
    assert_eq!({ c[at - 2] }.dst_mut().copied(), Some(ACC), "{c:?}");
    // Anything else between the product and the select (here an add of the
    // condition): the product goes through its slot.
    let c = code(&wat("(i32.add (local.get $i) (i32.const 1))"));
    assert!(
        c.iter().all(|i| !matches!(i, Instr::Select { b: ACC, .. })),
        "{c:?}"
    );
}

#[test]
fn calls_copy_one_or_two_arguments_themselves() {
    let c = code(
        r#"(module (func (param i32 i32) (result i32)
            (i32.add (call $f (local.get 1) (local.get 0))
                     (call $f (i32.add (local.get 0) (i32.const 1)) (local.get 1))))
          (func $f (param i32 i32) (result i32)
            (if (result i32) (local.get 0)
              (then (call $f (i32.sub (local.get 0) (i32.const 1)) (local.get 1)))
              (else (local.get 1)))))"#,
    );
    let calls: Vec<_> = c
        .iter()
        .filter_map(|i| match *i {
            Instr::CallCopy {
                base,
                dst,
                src,
                dst2,
                src2,
                ..
            } => Some((dst - base, src, dst2 - base, src2)),
            _ => None,
        })
        .collect();
    // Two copies into the first call's arguments; one (the same twice) into the
    // second's, whose first argument is computed in place.
    assert_eq!(calls, [(0, 1, 1, 0), (1, 1, 1, 1)], "{c:?}");
    assert!(
        !c.iter()
            .any(|i| matches!(i, Instr::Copy2 { .. } | Instr::Call { .. })),
        "{c:?}"
    );
}
