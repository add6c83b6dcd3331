//! The runner's own rules, on small scripts.

use tern_wast::{message_matches, run_str, FileReport};

fn run(text: &str) -> FileReport {
    run_str("test.wast", text)
}

fn reasons(r: &FileReport) -> String {
    r.failures
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn counts_passes_and_failures_with_lines() {
    let r = run(r#"(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
(invoke "add" (i32.const 1) (i32.const 2))
(assert_return (invoke "missing"))
"#);
    assert_eq!((r.passed, r.failed), (3, 2), "{}", reasons(&r));
    assert_eq!(r.failures[0].line, 5);
    assert_eq!(r.failures[0].kind, "assert_return");
    assert!(r.failures[0]
        .reason
        .contains("expected i32.const 4, got i32.const 3"));
    assert_eq!(r.failures[1].line, 7);
    assert_eq!(r.kinds["assert_return"].passed, 1);
    assert_eq!(r.kinds["assert_return"].failed, 2);
    assert_eq!(r.kinds["module"].passed, 1);
    assert_eq!(r.kinds["invoke"].passed, 1);
}

#[test]
fn floats_compare_bits_and_nan_patterns() {
    let r = run(r#"(module
  (func (export "id32") (param f32) (result f32) local.get 0)
  (func (export "id64") (param f64) (result f64) local.get 0))
(assert_return (invoke "id32" (f32.const -0.0)) (f32.const -0.0))
(assert_return (invoke "id32" (f32.const nan)) (f32.const nan:canonical))
(assert_return (invoke "id32" (f32.const -nan)) (f32.const nan:canonical))
(assert_return (invoke "id32" (f32.const nan:0x600000)) (f32.const nan:arithmetic))
(assert_return (invoke "id64" (f64.const nan:0xc000000000000)) (f64.const nan:arithmetic))
(assert_return (invoke "id64" (f64.const -nan)) (f64.const nan:canonical))
(assert_return (invoke "id32" (f32.const 0.0)) (f32.const -0.0))
(assert_return (invoke "id32" (f32.const nan:0x600000)) (f32.const nan:canonical))
(assert_return (invoke "id32" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
(assert_return (invoke "id64" (f64.const nan:0x1)) (f64.const nan:arithmetic))
"#);
    assert_eq!((r.passed, r.failed), (7, 4), "{}", reasons(&r));
    let lines: Vec<usize> = r.failures.iter().map(|f| f.line).collect();
    assert_eq!(lines, [10, 11, 12, 13]);
}

#[test]
fn references() {
    let r = run(r#"(module
  (func $f)
  (elem declare func $f)
  (func (export "ext") (param externref) (result externref) local.get 0)
  (func (export "fn") (result funcref) ref.func $f)
  (func (export "null") (result funcref) ref.null func))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 7))
(assert_return (invoke "ext" (ref.null extern)) (ref.null extern))
(assert_return (invoke "fn") (ref.func))
(assert_return (invoke "null") (ref.null func))
(assert_return (invoke "ext" (ref.extern 7)) (ref.extern 8))
(assert_return (invoke "null") (ref.func))
"#);
    assert_eq!((r.passed, r.failed), (5, 2), "{}", reasons(&r));
}

#[test]
fn traps_and_exhaustion() {
    let r = run(r#"(module
  (func (export "div") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $loop (export "loop") (call $loop)))
(assert_trap (invoke "div" (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 0)) "unreachable")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
"#);
    assert_eq!((r.passed, r.failed), (4, 2), "{}", reasons(&r));
    assert_eq!(r.kinds["assert_uninstantiable"].passed, 1);
    assert_eq!(r.kinds["assert_exhaustion"].passed, 1);
}

#[test]
fn malformed_invalid_unlinkable() {
    let r = run(
        r#"(assert_malformed (module quote "(func") "unexpected end")
(assert_malformed (module binary "\00asm\01\00\00\00\01\05\01\60\01\7f") "unexpected end")
(assert_invalid (module (func (result i32) (i64.const 1))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 1))) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00") "this module is fine")
(assert_unlinkable (module (import "nowhere" "f" (func))) "unknown import")
(assert_unlinkable (module (import "spectest" "print_i32" (func (param i64)))) "incompatible import type")
(assert_invalid (module binary "\00asm\01\00\00\00\01\05\01\60\01\7f") "type mismatch")
"#,
    );
    assert_eq!((r.passed, r.failed), (5, 3), "{}", reasons(&r));
    assert_eq!(r.text_malformed, 1);
    let lines: Vec<usize> = r.failures.iter().map(|f| f.line).collect();
    assert_eq!(lines, [4, 5, 8]);
}

#[test]
fn registered_and_named_modules() {
    let r = run(r#"(module $A
  (global (export "g") i32 (i32.const 42))
  (func (export "f") (result i32) (i32.const 1)))
(register "a" $A)
(module $B
  (import "a" "f" (func $f (result i32)))
  (import "spectest" "global_i32" (global i32))
  (import "spectest" "memory" (memory 1))
  (import "spectest" "table" (table 10 funcref))
  (import "spectest" "print_i32" (func (param i32)))
  (func (export "g") (result i32) (i32.add (call $f) (global.get 0))))
(assert_return (invoke "g") (i32.const 667))
(assert_return (invoke $A "f") (i32.const 1))
(assert_return (get $A "g") (i32.const 42))
(assert_return (get "g") (i32.const 42))
"#);
    // The last `get` runs against $B, which exports no global `g`.
    assert_eq!((r.passed, r.failed), (6, 1), "{}", reasons(&r));
    assert_eq!(r.failures[0].line, 15);
}

#[test]
fn failed_module_leaves_no_current_module() {
    let r = run(r#"(module (func (export "f") (result i32) (i32.const 1)))
(module (func (export "f") (result i32) (i64.const 1)))
(assert_return (invoke "f") (i32.const 1))
"#);
    assert_eq!((r.passed, r.failed), (1, 2), "{}", reasons(&r));
    assert!(r.failures[1].reason.contains("no current module"));
}

#[test]
fn script_parse_error_is_one_failure() {
    let r = run("(module)\n(assert_return (invoke \"f\") (i32.const))\n");
    assert_eq!((r.passed, r.failed), (0, 1));
    assert_eq!(r.failures[0].kind, "script");
    assert_eq!(r.failures[0].line, 2);
}

#[test]
fn unsupported_commands_fail() {
    let r = run(r#"(module (tag (export "t")) (func (export "f") (throw 0)))
(assert_exception (invoke "f"))
"#);
    assert!(r.kinds["assert_exception"].failed == 1, "{}", reasons(&r));
}

#[test]
fn message_rule() {
    assert!(message_matches(
        "type mismatch: expected i32",
        "type mismatch"
    ));
    assert!(message_matches(
        "uninitialized element",
        "uninitialized element 2"
    ));
    assert!(!message_matches("", "type mismatch"));
    assert!(!message_matches("unknown type", "type mismatch"));
}
