//! Representative valid and invalid modules, written in the text format, through
//! `binary::decode` and `validate::validate`.

use tern::{binary, validate, Error};

fn check(wat: &str) -> Result<(), Error> {
    let bytes = wat::parse_str(wat).expect("test module must parse");
    let module = binary::decode(&bytes)?;
    validate::validate(&module, &bytes).map(drop)
}

fn valid(wat: &str) {
    if let Err(e) = check(wat) {
        panic!("expected valid, got {e}\n{wat}");
    }
}

fn invalid(wat: &str, expected: &str) {
    match check(wat) {
        Err(Error::Invalid { message, .. }) => {
            assert!(
                message.starts_with(expected),
                "expected {expected:?}, got {message:?}\n{wat}"
            )
        }
        Err(e) => panic!("expected invalid ({expected}), got {e}\n{wat}"),
        Ok(()) => panic!("expected invalid ({expected}), but it validated\n{wat}"),
    }
}

#[test]
fn valid_modules() {
    valid("(module (func (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))");
    valid("(module (memory 1) (func (result i32) i32.const 0 i32.load offset=4 align=4))");
    valid(
        "(module (func (param i32) (result i32)
           (block (result i32) (i32.const 1) (br_if 0 (local.get 0)))))",
    );
    valid(
        "(module (func (param i32) (result i32)
           (block $a (result i32) (block $b (result i32)
             (br_table $a $b $a (i32.const 7) (local.get 0))))))",
    );
    valid(
        "(module (type $t (func (param i32) (result i64)))
           (func (param i32) (result i64) (local.get 0) (block (type $t) (i64.extend_i32_u))))",
    );
    valid(
        "(module (global (mut i32) (i32.const 0)) (global i32 (i32.add (i32.const 1) (i32.const 2)))
           (func (global.set 0 (global.get 1))))",
    );
    valid(
        "(module (table 1 funcref) (elem declare func 0)
           (func (drop (ref.func 0))) (func (call_indirect (i32.const 0))))",
    );
}

#[test]
fn unreachable_polymorphism() {
    valid("(module (func (result i32) unreachable i32.add))");
    valid("(module (func (result i32) unreachable select))");
    valid("(module (func unreachable br_table 0 0))");
    valid("(module (func (result i32) (block (result f32) unreachable br_table 0 1) drop i32.const 0))");
    valid("(module (func (result i64) (return (i64.const 1)) i32.const 0 drop))");
    invalid(
        "(module (func (result i32) unreachable i64.const 0 i32.add))",
        "type mismatch",
    );
}

#[test]
fn invalid_modules() {
    invalid("(module (func (result i32) i64.const 0))", "type mismatch");
    invalid(
        "(module (func (local i32) local.get 1 drop))",
        "unknown local",
    );
    invalid(
        "(module (func (result i32) (if (result i32) (i32.const 1) (then (i32.const 1)))))",
        "type mismatch",
    );
    invalid(
        "(module (func (block (result i32) (block (br_table 0 1 (i32.const 0) (i32.const 0)))
           (i32.const 0))))",
        "type mismatch",
    );
    invalid(
        "(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))",
        "immutable global",
    );
    invalid("(module (func (global.get 1) drop))", "unknown global 1");
    invalid(
        "(module (global i32 (i32.ctz (i32.const 0))))",
        "constant expression required",
    );
    invalid(
        "(module (global (mut i32) (i32.const 0)) (global i32 (global.get 0)))",
        "constant expression required",
    );
    invalid("(module (global i64 (i32.const 0)))", "type mismatch");
    invalid(
        "(module (memory 1) (func (drop (i64.load align=16 (i32.const 0)))))",
        "alignment must not be larger than natural",
    );
    invalid(
        "(module (func (drop (ref.func 0))))",
        "undeclared function reference",
    );
    invalid(
        "(module (func) (export \"a\" (func 0)) (export \"a\" (func 0)))",
        "duplicate export name",
    );
    invalid("(module (func (param i32)) (start 0))", "start function");
    invalid(
        "(module (memory 2 1))",
        "size minimum must not be greater than maximum",
    );
    invalid(
        "(module (memory 65537))",
        "memory size must be at most 65536 pages (4GiB)",
    );
    invalid("(module (func (br 1)))", "unknown label");
    invalid("(module (func (call 3)))", "unknown function 3");
    invalid(
        "(module (func (drop (i32.load (i32.const 0)))))",
        "unknown memory 0",
    );
    invalid(
        "(module (func (select (i64.const 0) (i32.const 0) (i32.const 1)) drop))",
        "type mismatch",
    );
    invalid(
        "(module (table 1 externref) (func (call_indirect (i32.const 0))))",
        "type mismatch",
    );
}

/// A code section over a megabyte is checked on several threads; the error reported
/// must still be the first invalid function's.
#[test]
fn large_modules_report_the_first_invalid_function() {
    let filler = "(drop (i32.const 1)) ".repeat(120);
    let mut wat = String::from("(module\n");
    for i in 0..3000 {
        let body = match i {
            100 => "(drop (i32.add (i32.const 1)))".to_string(),
            2900 => "(drop (local.get 7))".to_string(),
            _ => filler.clone(),
        };
        wat.push_str(&format!("(func {body})\n"));
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).unwrap();
    assert!(bytes.len() > 1 << 20, "{} bytes", bytes.len());
    invalid(&wat, "type mismatch");
    // With only the later error left, that one is reported.
    let fixed = wat.replace("(drop (i32.add (i32.const 1)))", "(nop)");
    invalid(&fixed, "unknown local");
}

#[test]
fn simd_modules() {
    valid(
        "(module (memory 1) (global v128 (v128.const i32x4 1 2 3 4))
           (func (param v128) (result v128)
             (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (local.get 0) (global.get 0))
             (i32x4.extract_lane 3) (i32x4.splat) (f32x4.relaxed_madd (local.get 0) (local.get 0))
             (local.set 0)
             (v128.load32_lane offset=4 2 (i32.const 0) (local.get 0))))",
    );
    invalid(
        "(module (func (result i32) (i8x16.extract_lane_s 16 (v128.const i64x2 0 0))))",
        "invalid lane index",
    );
    invalid(
        "(module (memory 1) (func (result v128) (v128.load64_zero align=16 (i32.const 0))))",
        "alignment must not be larger than natural",
    );
    invalid(
        "(module (func (result v128) (i8x16.add (v128.const i64x2 0 0) (i32.const 0))))",
        "type mismatch",
    );
}

/// The offsets of `drop`s and `select`s of a `v128` come back in order, also when a
/// large code section is checked on several threads.
#[test]
fn v128_operands_in_module_order() {
    let filler = "(drop (i32.const 1)) ".repeat(120);
    let vector = "(drop (v128.const i64x2 0 0)) \
                  (drop (select (v128.const i64x2 1 1) (v128.const i64x2 2 2) (i32.const 0))) ";
    let mut wat = String::from("(module\n");
    for i in 0..3000 {
        let head = if i % 7 == 0 { vector } else { "" };
        wat.push_str(&format!("(func {head}{filler})\n"));
    }
    wat.push(')');
    let bytes = wat::parse_str(&wat).unwrap();
    assert!(bytes.len() > 1 << 20, "{} bytes", bytes.len());
    let module = binary::decode(&bytes).unwrap();
    let mut expected = Vec::new();
    for (i, body) in module.code.iter().enumerate() {
        if i % 7 == 0 {
            // v128.const (18 bytes), drop; two v128.consts, i32.const 0, select, drop.
            let s = body.code.start;
            for (at, opcode) in [(s + 18, 0x1a), (s + 57, 0x1b), (s + 58, 0x1a)] {
                assert_eq!(bytes[at], opcode);
                expected.push(at as u32);
            }
        }
    }
    assert_eq!(validate::validate(&module, &bytes).unwrap(), expected);
}
