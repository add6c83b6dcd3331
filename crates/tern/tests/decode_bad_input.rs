//! The decoder on hostile input: every prefix of a valid module is an error, every
//! single-bit flip decodes or fails without panicking, oversized counts fail fast, and
//! overlong LEB128 encodings are rejected with the testsuite's messages.

use std::time::{Duration, Instant};

use tern::binary::{decode, OperatorReader};
use tern::syntax::{ElemItems, ElemMode, HeapType, Operator, RefType, ValType};
use tern::Error;

/// A module touching most sections and encodings.
const WAT: &str = r#"
(module $m
  (type $t (func (param i32 i64) (result i32)))
  (rec (type $s (struct (field (mut i32)) (field i8))) (type $a (array (mut i16))))
  (type $sub (sub $t (func (param i32 i64) (result i32))))
  (import "env" "f" (func $imp (type $t)))
  (import "env" "g" (global $ig (mut i32)))
  (import "env" "mem" (memory $im 1 2))
  (import "env" "tab" (table $it 1 funcref))
  (table $tab 10 20 funcref)
  (table $tab64 i64 1 externref)
  (memory $mem 1)
  (memory $m64 i64 2 3)
  (global $g i32 (i32.const 42))
  (global $gf (mut f64) (f64.const 1.5))
  (global $gr funcref (ref.func $f))
  (export "f" (func $f))
  (export "mem" (memory $mem))
  (start $start)
  (elem (table $tab) (i32.const 0) func $f $start)
  (elem funcref (ref.func $f) (ref.null func))
  (elem declare func $f)
  (data (memory $mem) (i32.const 8) "hello")
  (data "passive")
  (func $start)
  (func $f (type $t) (local $x f32) (local $y i64) (local $z i64)
    (block $b (result i32)
      (loop $l
        (br_if $l (i32.eqz (local.get 0)))
      )
      (if (result i32) (local.get 0)
        (then (i32.const 1))
        (else (br_table 0 0 0 (i32.const 2) (i32.const 0))))
    )
    (drop)
    (i64.store offset=8 align=4 (i32.const 0) (local.get 1))
    (i32.load8_u $m64 (i64.const 3))
    (drop)
    (memory.init $mem 1 (i32.const 0) (i32.const 0) (i32.const 0))
    (data.drop 1)
    (memory.copy (i32.const 0) (i32.const 0) (i32.const 0))
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
    (table.init $tab 1 (i32.const 0) (i32.const 0) (i32.const 0))
    (elem.drop 1)
    (drop (memory.grow (i32.const 1)))
    (drop (memory.size))
    (drop (table.size $tab))
    (drop (i32.trunc_sat_f32_s (f32.const -0.0)))
    (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 3)))
    (drop (ref.is_null (ref.null extern)))
    (call_indirect $tab (type $t) (i32.const 0) (i64.const 0) (i32.const 0))
    (drop)
    (return_call $f (i32.const 1) (i64.const 2))
  )
)
"#;

fn module() -> Vec<u8> {
    wat::parse_str(WAT).expect("valid wat")
}

/// Decodes `bytes` and reads every function body to its end, as the validator does.
fn decode_all(bytes: &[u8]) -> tern::Result<()> {
    let m = decode(bytes)?;
    for body in &m.code {
        let mut ops = OperatorReader::new(bytes, body.code.clone());
        while !ops.is_finished() {
            ops.read()?;
        }
        if !ops.is_empty() {
            ops.read()?;
        }
    }
    Ok(())
}

fn malformed(bytes: &[u8]) -> String {
    match decode_all(bytes) {
        Err(Error::Malformed { message, .. }) => message,
        other => panic!("expected a malformed error, got {other:?}"),
    }
}

fn header() -> Vec<u8> {
    b"\0asm\x01\0\0\0".to_vec()
}

#[test]
fn valid_module_decodes() {
    let b = module();
    let m = decode(&b).unwrap();
    decode_all(&b).unwrap();
    assert_eq!(m.num_imported_funcs, 1);
    assert_eq!(m.num_imported_globals, 1);
    assert_eq!(m.num_imported_memories, 1);
    assert_eq!(m.num_imported_tables, 1);
    // wat adds the type of `$start` at the end.
    assert_eq!(m.types.len(), 5);
    assert_eq!(m.rec_groups, vec![0..1, 1..3, 3..4, 4..5]);
    assert_eq!(m.types[3].supertypes.as_ref(), &[0]);
    assert!(!m.types[3].is_final);
    assert_eq!(m.tables.len(), 2);
    assert_eq!(m.memories.len(), 2);
    assert_eq!(m.globals.len(), 3);
    assert_eq!(m.globals[0].init.ops, vec![Operator::I32Const(42)]);
    assert_eq!(
        m.globals[1].init.ops,
        vec![Operator::F64Const(1.5f64.to_bits())]
    );
    assert_eq!(m.exports.len(), 2);
    // `$start` is function 1 (after the one imported function).
    assert_eq!(m.start, Some(1));
    assert_eq!(m.elems.len(), 3);
    assert!(matches!(
        &m.elems[0].mode,
        ElemMode::Active { table: 1, .. }
    ));
    assert!(matches!(&m.elems[0].items, ElemItems::Funcs(f) if f == &[2, 1]));
    assert_eq!(m.elems[1].ty, RefType::FUNCREF);
    assert!(matches!(m.elems[2].mode, ElemMode::Declarative));
    assert_eq!(m.datas.len(), 2);
    assert_eq!(&m.datas[0].init[..], b"hello");
    assert_eq!(m.data_count, Some(2));
    assert_eq!(m.code.len(), 2);
    assert_eq!(m.code[1].locals, vec![(1, ValType::F32), (2, ValType::I64)]);
    assert_eq!(m.code[1].num_locals(), 3);
    assert_eq!(b.get(m.code[1].code.end - 1), Some(&0x0b));
    assert_eq!(m.names.module.as_deref(), Some("m"));
    assert_eq!(m.names.funcs.get(&2).map(String::as_str), Some("f"));
}

#[test]
fn operators_of_a_body() {
    let b = wat::parse_str(
        r#"(module (func (param funcref) (result i32)
            (block (param funcref) (result funcref) (br_on_null 0 (local.get 0)))
            (ref.as_non_null) (drop)
            (ref.null 0) (drop)
            (i32.const -1)))"#,
    )
    .unwrap();
    let m = decode(&b).unwrap();
    let mut ops = OperatorReader::new(&b, m.code[0].code.clone());
    let mut all = Vec::new();
    while !ops.is_finished() {
        all.push(ops.read().unwrap());
    }
    assert!(ops.is_empty());
    assert!(all.contains(&Operator::BrOnNull(0)));
    assert!(all.contains(&Operator::RefAsNonNull));
    assert!(all.contains(&Operator::RefNull(HeapType::Concrete(0))));
    assert_eq!(all.last(), Some(&Operator::End));
    assert_eq!(all[all.len() - 2], Operator::I32Const(-1));
}

#[test]
fn every_prefix_is_an_error() {
    let b = module();
    // A prefix that ends between two sections may be a valid module of its own.
    let mut boundaries = vec![8];
    let mut pos = 8;
    while pos < b.len() {
        let mut size = 0usize;
        let mut shift = 0;
        let mut p = pos + 1;
        loop {
            let byte = b[p];
            size |= usize::from(byte & 0x7f) << shift;
            shift += 7;
            p += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        pos = p + size;
        boundaries.push(pos);
    }
    for n in 0..b.len() {
        let r = decode_all(&b[..n]);
        assert!(
            r.is_err() || boundaries.contains(&n),
            "prefix of {n} bytes decoded"
        );
    }
}

#[test]
fn every_bit_flip_is_handled() {
    let b = module();
    let mut flipped = b.clone();
    let (mut ok, mut err) = (0, 0);
    for i in 0..b.len() {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            match decode_all(&flipped) {
                Ok(()) => ok += 1,
                Err(e) => {
                    // Every decode error carries an offset within (or at the end of) the input.
                    if let Some(off) = e.offset() {
                        assert!(off <= flipped.len(), "offset {off} beyond input for {e}");
                    }
                    err += 1;
                }
            }
            flipped[i] ^= 1 << bit;
        }
    }
    assert!(err > 0 && ok + err == b.len() * 8);
}

#[test]
fn oversized_counts_fail_fast() {
    let huge = [0xff, 0xff, 0xff, 0xff, 0x0f];
    let start = Instant::now();
    // A type section claiming 2^32-1 types.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x06]);
    b.extend_from_slice(&huge);
    b.push(0x60);
    assert_eq!(malformed(&b), "length out of bounds");
    // Every vector-bearing section with a claim of 2^32-1 items.
    for id in [1u8, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13] {
        let mut b = header();
        b.extend_from_slice(&[id, 0x05]);
        b.extend_from_slice(&huge);
        assert_eq!(malformed(&b), "length out of bounds", "section {id}");
    }
    // Locals: 2^32-1 runs.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    b.extend_from_slice(&[0x0a, 0x09, 0x01, 0x07]);
    b.extend_from_slice(&huge);
    b.extend_from_slice(&[0x7f, 0x0b]);
    assert_eq!(malformed(&b), "length out of bounds");
    // Locals: one run of 2^32-1 locals is fine (run-length encoded, not expanded) ...
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    b.extend_from_slice(&[0x0a, 0x0a, 0x01, 0x08, 0x01]);
    b.extend_from_slice(&huge);
    b.extend_from_slice(&[0x7f, 0x0b]);
    let m = decode(&b).unwrap();
    assert_eq!(m.code[0].num_locals(), u32::MAX as u64);
    // ... but two of them are too many.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    b.extend_from_slice(&[0x0a, 0x10, 0x01, 0x0e, 0x02]);
    b.extend_from_slice(&huge);
    b.push(0x7f);
    b.extend_from_slice(&huge);
    b.extend_from_slice(&[0x7e, 0x0b]);
    assert_eq!(malformed(&b), "too many locals");
    // br_table with 2^32-1 targets.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    b.extend_from_slice(&[0x0a, 0x0b, 0x01, 0x09, 0x00, 0x0e]);
    b.extend_from_slice(&huge);
    b.extend_from_slice(&[0x00, 0x0b]);
    assert_eq!(malformed(&b), "length out of bounds");
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn overlong_leb128() {
    // Memory limits (u64): 11 bytes.
    let mut b = header();
    b.extend_from_slice(&[0x05, 0x0d, 0x01, 0x00]);
    b.extend_from_slice(&[
        0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00,
    ]);
    assert_eq!(malformed(&b), "integer representation too long");
    // Function index (u32): 6 bytes.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
    b.extend_from_slice(&[0x03, 0x07, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    assert_eq!(malformed(&b), "integer representation too long");
    // u32 with unused bits set.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
    b.extend_from_slice(&[0x03, 0x06, 0x01, 0x80, 0x80, 0x80, 0x80, 0x10]);
    assert_eq!(malformed(&b), "integer too large");
    // i32.const (s32) with bad sign extension, in a global initializer.
    let mut b = header();
    b.extend_from_slice(&[0x06, 0x09, 0x01, 0x7f, 0x00, 0x41]);
    b.extend_from_slice(&[0x80, 0x80, 0x80, 0x80, 0x70, 0x0b]);
    assert_eq!(malformed(&b), "integer too large");
    // i64.const (s64) that is too long, in a function body.
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00]);
    b.extend_from_slice(&[0x0a, 0x11, 0x01, 0x0f, 0x00, 0x42]);
    b.extend_from_slice(&[0x80; 10]);
    b.extend_from_slice(&[0x00, 0x1a, 0x0b]);
    assert_eq!(malformed(&b), "integer representation too long");
}

#[test]
fn structural_errors() {
    assert_eq!(malformed(b""), "unexpected end");
    assert_eq!(malformed(b"\0asm\x02\0\0\0"), "unknown binary version");
    assert_eq!(malformed(b"\0asn\x01\0\0\0"), "magic header not detected");
    let mut b = header();
    b.extend_from_slice(&[0x0e, 0x00]);
    assert_eq!(malformed(&b), "malformed section id");
    let mut b = header();
    b.extend_from_slice(&[0x03, 0x01, 0x00, 0x01, 0x01, 0x00]);
    assert_eq!(malformed(&b), "unexpected content after last section");
    let mut b = header();
    b.extend_from_slice(&[0x01, 0x02, 0x00, 0x00]);
    assert_eq!(malformed(&b), "section size mismatch");
    let mut b = header();
    b.extend_from_slice(&[0x00, 0x03, 0x02, 0xc3, 0x28]);
    assert_eq!(malformed(&b), "malformed UTF-8 encoding");
    let mut b = header();
    b.extend_from_slice(&[0x06, 0x06, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b]);
    assert_eq!(malformed(&b), "malformed mutability");
    // A malformed name section is ignored.
    let mut b = header();
    b.extend_from_slice(&[0x00, 0x07, 0x04, b'n', b'a', b'm', b'e', 0x00, 0x09]);
    let m = decode(&b).unwrap();
    assert_eq!(m.names.module, None);
    assert_eq!(m.customs.len(), 1);
}

#[test]
fn simd_decodes_and_truncated_vectors_are_malformed() {
    let b = wat::parse_str("(module (func (drop (v128.const i32x4 0 0 0 0))))").unwrap();
    decode_all(&b).unwrap();
    let m = decode(&b).unwrap();
    // The `drop` follows the 18 bytes of `v128.const` (0xfd, sub-opcode, 16 bytes).
    let drop_at = m.code[0].code.start + 18;
    assert_eq!(b.get(drop_at), Some(&0x1a));
    assert_eq!(
        tern::validate::validate(&m, &b).unwrap(),
        vec![drop_at as u32]
    );
    // The search for `memory.init` without a data count section reads past vector
    // instructions (the `v128.const` bytes here even hold the pair 0xfc 0x08).
    let b = wat::parse_str(
        "(module (memory 1) (data \"x\")
           (func (drop (v128.const i8x16 0xfc 8 0 0 0 0 0 0 0 0 0 0 0 0 0 0))
             (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 0))))",
    )
    .unwrap();
    // Drop the data count section (id 12; every section here is under 128 bytes).
    let mut stripped = header();
    let mut i = 8;
    while i + 1 < b.len() {
        let end = i + 2 + usize::from(b[i + 1]);
        if b[i] != 12 {
            stripped.extend(&b[i..end]);
        }
        i = end;
    }
    assert_eq!(stripped.len() + 3, b.len());
    assert_eq!(malformed(&stripped), "data count section required");
    // A function `[] -> []` whose body is a v128.const with only 7 of its 16 bytes
    // before the final `end`.
    let mut bad = header();
    bad.extend([0x01, 0x04, 0x01, 0x60, 0x00, 0x00]); // type section
    bad.extend([0x03, 0x02, 0x01, 0x00]); // function section
    bad.extend([0x0a, 0x0d, 0x01, 0x0b, 0x00, 0xfd, 0x0c]); // code section, body
    bad.extend([0; 7]);
    bad.push(0x0b);
    match decode_all(&bad) {
        Err(Error::Malformed { offset, message }) => {
            assert_eq!(message, "unexpected end of section or function");
            assert_eq!(offset, bad.len());
        }
        other => panic!("expected malformed, got {other:?}"),
    }
}

#[test]
fn random_sections_do_not_panic() {
    // A small deterministic generator (xorshift), so that failures reproduce.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..20_000 {
        let mut b = header();
        let sections = next() % 4;
        for _ in 0..sections {
            let id = (next() % 14) as u8;
            let len = (next() % 24) as usize;
            b.push(id);
            b.push(len as u8);
            for _ in 0..len {
                // Bias towards small values, which are the meaningful ones.
                let v = next();
                b.push(if v % 3 == 0 {
                    (v >> 8) as u8
                } else {
                    ((v >> 8) % 16) as u8
                });
            }
        }
        let _ = decode_all(&b);
    }
}
