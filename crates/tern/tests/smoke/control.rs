//! Branches and loops: loop steps fused with their tests, `br_table` cases into
//! shared (and copied) tails, threaded back edges, and dispatch on a loaded byte.

use tern::*;

use crate::support::{find_once, instantiate, run};

/// Loop steps fused with their tests (`x += step; if x COND other`), against a
/// reference evaluation: signed and unsigned conditions, wrap-around, the step's
/// variable on either side of the comparison, and tests of the variable itself.
#[test]
fn loop_step_and_test_fused() {
    // Each loop counts iterations (at most 100) of `x += step` while `x COND end`.
    let conds = [
        "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u", "eq", "ne",
    ];
    let mut wat = String::from("(module\n");
    for c in conds {
        for (name, test) in [
            ("l", format!("(i32.{c} (local.get $x) (local.get $end))")),
            ("r", format!("(i32.{c} (local.get $end) (local.get $x))")),
        ] {
            wat.push_str(&format!(
                r#"(func (export "{c}_{name}") (param $x i32) (param $step i32) (param $end i32) (result i32) (local $n i32)
                  (block $done (loop $l
                    (br_if $done (i32.ge_u (local.get $n) (i32.const 100)))
                    (local.set $n (i32.add (local.get $n) (i32.const 1)))
                    (local.set $x (i32.add (local.get $x) (local.get $step)))
                    (br_if $l {test})))
                  (local.get $n))
"#
            ));
        }
    }
    wat.push_str(
        r#"(func (export "nez") (param $x i32) (param $step i32) (param $end i32) (result i32) (local $n i32)
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $n) (i32.const 100)))
               (local.set $n (i32.add (local.get $n) (i32.const 1)))
               (local.set $x (i32.add (local.get $x) (local.get $step)))
               (br_if $l (local.get $x))))
             (local.get $n))
           (func (export "eqz") (param $x i32) (param $step i32) (param $end i32) (result i32) (local $n i32)
             (block $done (loop $l
               (br_if $done (i32.ge_u (local.get $n) (i32.const 100)))
               (local.set $n (i32.add (local.get $n) (i32.const 1)))
               (local.set $x (i32.add (local.get $x) (local.get $step)))
               (br_if $l (i32.eqz (local.get $x)))))
             (local.get $n)))"#,
    );
    let reference = |f: &dyn Fn(i32, i32) -> bool, mut x: i32, step: i32, end: i32| {
        let mut n = 0;
        loop {
            if n >= 100 {
                return n;
            }
            n += 1;
            x = x.wrapping_add(step);
            if !f(x, end) {
                return n;
            }
        }
    };
    type Test = Box<dyn Fn(i32, i32) -> bool>;
    let test = |c: &str| -> Test {
        match c {
            "lt_s" => Box::new(|a, b| a < b),
            "lt_u" => Box::new(|a, b| (a as u32) < b as u32),
            "gt_s" => Box::new(|a, b| a > b),
            "gt_u" => Box::new(|a, b| a as u32 > b as u32),
            "le_s" => Box::new(|a, b| a <= b),
            "le_u" => Box::new(|a, b| a as u32 <= b as u32),
            "ge_s" => Box::new(|a, b| a >= b),
            "ge_u" => Box::new(|a, b| a as u32 >= b as u32),
            "eq" => Box::new(|a, b| a == b),
            "ne" => Box::new(|a, b| a != b),
            "nez" => Box::new(|a, _| a != 0),
            _ => Box::new(|a, _| a == 0),
        }
    };
    let (mut store, inst) = instantiate(&wat);
    let inputs = [
        (0, 1, 10),
        (10, -1, 0),
        (-5, 2, 5),
        (i32::MAX - 3, 1, i32::MAX),
        (i32::MAX - 3, 2, i32::MIN + 2),
        (-8, 4, 0),
        (-16, 8, -8),
        (7, 0, 7),
    ];
    let mut names: Vec<(String, Test)> = Vec::new();
    for c in conds {
        names.push((format!("{c}_l"), test(c)));
        let f = test(c);
        names.push((format!("{c}_r"), Box::new(move |a, b| f(b, a))));
    }
    names.push(("nez".into(), test("nez")));
    names.push(("eqz".into(), test("eqz")));
    for (name, f) in &names {
        let func = inst
            .get_typed_func::<(i32, i32, i32), i32>(&store, name)
            .unwrap();
        for &(x, step, end) in &inputs {
            let got = func.call(&mut store, (x, step, end)).unwrap();
            assert_eq!(
                got,
                reference(f, x, step, end),
                "{name}({x}, {step}, {end})"
            );
        }
    }
}

/// A small switch-dispatched interpreter (the shape of the `interp` benchmark): a
/// `br_table` whose cases end in branches to two shared tails, one case that is only a
/// branch to a tail, and tails that jump back to the loop head.
const SWITCH_LOOP: &str = r#"(module
  (memory 1)
  (data (i32.const 0) "\01\02\00\04\03\01\00\02\04")
  (func (export "run") (param $n i32) (result i64)
    (local $pc i32) (local $acc i64) (local $steps i32)
    (block $exit
      (loop $top
        (br_if $exit (i32.ge_u (local.get $steps) (local.get $n)))
        (block $next2
          (block $next
            (block $op4 (block $op3 (block $op2 (block $op1 (block $op0
              (br_table $op0 $op1 $op2 $op3 $op4 $exit
                (i32.load8_u (i32.rem_u (local.get $pc) (i32.const 9)))))
              (local.set $acc (i64.mul (local.get $acc) (i64.const 3)))
              (br $next))
            (local.set $acc (i64.add (local.get $acc) (i64.const 7)))
            (br $next))
          (local.set $acc (i64.xor (local.get $acc) (i64.extend_i32_u (local.get $pc))))
          (br $next2))
        (local.set $acc (i64.sub (local.get $acc) (i64.const 1)))
        (br $next))
      (br $next2))
      ;; tail 1
      (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
      (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
      (br $top))
    ;; tail 2
    (local.set $pc (i32.add (local.get $pc) (i32.const 2)))
    (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
    (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
    (br $top)))
  (local.get $acc)))"#;

#[test]
fn br_table_cases_into_shared_tails() {
    let code = [1u8, 2, 0, 4, 3, 1, 0, 2, 4];
    let reference = |n: i32| {
        let (mut pc, mut acc, mut steps) = (0u32, 0u64, 0);
        while steps < n {
            let (op, next2) = match code[(pc % 9) as usize] {
                0 => (acc.wrapping_mul(3), false),
                1 => (acc.wrapping_add(7), false),
                2 => (acc ^ pc as u64, true),
                3 => (acc.wrapping_sub(1), false),
                _ => (acc, true),
            };
            acc = op;
            if next2 {
                pc += 2;
                acc = acc.wrapping_add(1);
            } else {
                pc += 1;
            }
            steps += 1;
        }
        acc
    };
    for n in [0, 1, 2, 3, 5, 8, 13, 100, 1000] {
        assert_eq!(
            run(SWITCH_LOOP, "run", &[Val::I32(n)], 1).unwrap(),
            vec![Val::I64(reference(n) as i64)],
            "n = {n}"
        );
    }
}

/// Loops whose back edge is reached through a branch to a `br` (threaded into a
/// backward branch), long enough that a missing stack guard or a wrong target shows.
#[test]
fn loops_with_threaded_back_edges() {
    let wat = r#"(module (func (export "f") (param $i i32) (result i32) (local $s i32)
        (block $done
          (loop $l
            (br_if $done (i32.eqz (local.get $i)))
            (local.set $i (i32.sub (local.get $i) (i32.const 1)))
            (block $skip
              (br_if $skip (i32.and (local.get $i) (i32.const 1)))
              (block $skip3
                (br_if $skip3 (i32.eqz (i32.rem_u (local.get $i) (i32.const 3))))
                (local.set $s (i32.add (local.get $s) (local.get $i)))
                (br $l))
              (local.set $s (i32.sub (local.get $s) (i32.const 1))))
            (br $l)))
        (local.get $s)))"#;
    let reference = |mut i: i32| {
        let mut s = 0i32;
        while i != 0 {
            i -= 1;
            if i & 1 != 0 {
                continue;
            }
            if i % 3 != 0 {
                s = s.wrapping_add(i);
                continue;
            }
            s = s.wrapping_sub(1);
        }
        s
    };
    for n in [0, 1, 2, 7, 100, 1_000_000] {
        assert_eq!(
            run(wat, "f", &[Val::I32(n)], 1).unwrap(),
            vec![Val::I32(reference(n))],
            "n = {n}"
        );
    }
}

/// A trap in a shared tail that a branch reaches through a copy of the tail (the
/// `br $tail` of case 0) and a jump table entry reaches in place (case 1): both report
/// the byte offset of the trapping `i32.div_u`.
#[test]
fn traps_in_copied_tails_report_the_copied_instruction() {
    let wat = r#"(module (func (export "f") (param $k i32) (param $d i32) (result i32)
        (local $x i32)
        (block $tail
          (block $b
            (br_table $b $tail (local.get $k)))
          (local.set $x (i32.add (local.get $d) (i32.const 5)))
          (br $tail))
        (i32.add (local.get $x) (i32.const 3))
        (i32.div_u (i32.const 1000) (local.get $d))
        (i32.add)))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(0), Val::I32(10)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(15 + 3 + 100)]);
    f.call(&mut store, &[Val::I32(1), Val::I32(10)], &mut out)
        .unwrap();
    assert_eq!(out, [Val::I32(3 + 100)]);
    let mut trap_offset = |k: i32| {
        let e = f
            .call(&mut store, &[Val::I32(k), Val::I32(0)], &mut out)
            .unwrap_err();
        let t = e.as_trap().unwrap();
        assert_eq!(t.message(), "integer divide by zero");
        t.backtrace()[0].offset
    };
    let copied = trap_offset(0);
    let shared = trap_offset(1);
    assert_eq!(copied, shared);
    assert_eq!(bytes[copied], 0x6e, "offset {copied} is not the i32.div_u");
}

/// A bytecode interpreter's dispatch (`br_table` on a byte just loaded, which one
/// instruction loads and dispatches): every case, the default reading the loaded
/// byte from its local, returns through the table, and a program counter run past
/// the end of memory trapping at the load.
#[test]
fn br_table_on_a_loaded_byte_dispatches_and_traps_like_the_load() {
    // Opcodes: 0 halt, 1 add the next byte, 2 double, 3 return the accumulator
    // (a table entry that leaves the function), 4 and up: stop with -opcode.
    // i32.load8_u (0x2d) align=0 offset=0x1239 (b9 24) is unique in the binary.
    let wat = r#"(module (memory (export "memory") 1)
        (func (export "run") (param $pc i32) (result i32) (local $op i32) (local $acc i32)
          (loop $next (result i32)
            (block $default (block $ret (block $double (block $add (block $halt
              (br_table $halt $add $double $ret $default
                (local.tee $op (i32.load8_u offset=0x1239 (local.get $pc)))))
              (return (local.get $acc)))
              (local.set $acc (i32.add (local.get $acc)
                (i32.load8_u (i32.add (local.get $pc) (i32.const 0x123a)))))
              (local.set $pc (i32.add (local.get $pc) (i32.const 2)))
              (br $next))
              (local.set $acc (i32.shl (local.get $acc) (i32.const 1)))
              (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
              (br $next))
              (return (i32.add (local.get $acc) (i32.const 1000))))
            (i32.sub (i32.const 0) (local.get $op)))))"#;
    // The binary the module is compiled from, to find the load's offset in.
    let bytes = wat::parse_str(wat).unwrap();
    let (mut store, inst) = instantiate(wat);
    let memory = inst.get_memory(&store, "memory").unwrap();
    let run = inst.get_func(&store, "run").unwrap();
    let mut call = |program: &[u8], at: i32| {
        memory
            .write(&mut store, 0x1239 + at as usize, program)
            .unwrap();
        let mut out = [Val::I32(0)];
        run.call(&mut store, &[Val::I32(at)], &mut out)
            .map(|()| out[0])
    };
    // ((5 + 7) * 2 * 2) + 1, then halt.
    assert_eq!(call(&[1, 5, 1, 7, 2, 2, 1, 1, 0], 0).unwrap(), Val::I32(49));
    // Return from inside the table: 3 * 2 + 1000.
    assert_eq!(call(&[1, 3, 2, 3], 100).unwrap(), Val::I32(1006));
    // The default: the opcode read back from its local.
    assert_eq!(call(&[1, 9, 200], 200).unwrap(), Val::I32(-200));
    assert_eq!(call(&[4], 300).unwrap(), Val::I32(-4));
    // A program that runs off the end of memory: "add 1" as the last byte but one,
    // then the next opcode is past the end.
    let last = 65536 - 0x1239 - 2;
    let e = call(&[1, 1], last).unwrap_err();
    let t = e.as_trap().unwrap();
    assert_eq!(t.message(), "out of bounds memory access");
    assert_eq!(
        t.backtrace()[0].offset,
        find_once(&bytes, &[0x2d, 0x00, 0xb9, 0x24])
    );
}
