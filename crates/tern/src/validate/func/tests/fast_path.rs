//! Tests of the byte-level path (`fast_path.rs`): its table of numeric signatures,
//! and that bodies it checks give the same result, error and offset as the full rules.

use super::*;
use crate::validate::func::fast_path::{BINARY, NUMERIC_SIGS};

/// The signature table of the byte-level path agrees with [`NumericOp::signature`] for
/// every single-byte numeric opcode, and is zero elsewhere.
#[test]
fn numeric_sig_table() {
    for op in 0..=255u8 {
        let b = [op];
        let decoded = crate::binary::OperatorReader::new(&b, 0..1).read();
        let sig = NUMERIC_SIGS[usize::from(op)];
        match decoded {
            Ok(Operator::Numeric(n)) => {
                let (params, result) = n.signature();
                let code = |t: ValType| Opd::val(t).0 as u8;
                let mut want = 0x80 | code(result);
                match params {
                    [a] => want |= code(*a) << 2,
                    [a, b] => want |= BINARY | code(*b) << 4 | code(*a) << 2,
                    _ => panic!("{n:?}"),
                }
                assert_eq!(sig, want, "{op:02x}");
            }
            _ => assert_eq!(sig, 0, "{op:02x}"),
        }
    }
}

/// Bodies made of the instructions the byte-level path knows, in valid and invalid
/// forms, give the same result, error and offset through [`FuncValidator::validate_body`]
/// as when every instruction is decoded first.
#[test]
fn byte_level_path_agrees() {
    let pieces: &[&[u8]] = &[
        &[0x20, 0x00],
        &[0x20, 0x01],
        &[0x20, 0x02],
        &[0x20, 0x03],
        &[0x20, 0x04],
        &[0x20, 0x09],
        &[0x20, 0x80, 0x00],
        &[0x20, 0x84, 0x00],
        &[0x20, 0x80, 0x80, 0x00],
        &[0x20, 0xc8, 0x01],
        &[0x21, 0xc8, 0x01],
        &[0x21, 0x00],
        &[0x21, 0x01],
        &[0x21, 0x04],
        &[0x22, 0x00],
        &[0x22, 0x02],
        &[0x22, 0x81, 0x00],
        &[0x23, 0x00],
        &[0x23, 0x01],
        &[0x23, 0x02],
        &[0x24, 0x01],
        &[0x41, 0x05],
        &[0x41, 0x7f],
        &[0x41, 0xff, 0x00],
        &[0x41, 0x80, 0x80, 0x80, 0x80, 0x78],
        &[0x41, 0xff, 0xff, 0xff, 0xff, 0x07],
        &[0x41, 0xff, 0xff, 0xff, 0xff, 0x0f],
        &[0x41, 0x80, 0x80, 0x80, 0x80, 0x70],
        &[0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
        &[0x42, 0x01],
        &[0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
        &[
            0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00,
        ],
        &[
            0x42, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
        ],
        &[0x43, 0, 0, 0x80, 0x3f],
        &[0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
        &[0x45],
        &[0x50],
        &[0x6a],
        &[0x7c],
        &[0x92],
        &[0xa0],
        &[0xa7],
        &[0xad],
        &[0xbc],
        &[0xc4],
        &[0x28, 0x02, 0x00],
        &[0x28, 0x03, 0x00],
        &[0x28, 0x02, 0x80, 0x01],
        &[0x29, 0x03, 0x08],
        &[0x2d, 0x00, 0x01],
        &[0x2a, 0x40, 0x00, 0x00],
        &[0x28, 0x80, 0x01, 0x00],
        &[0x36, 0x02, 0x00],
        &[0x37, 0x03, 0x00],
        &[0x3a, 0x01, 0x00],
        &[0x3e, 0x02, 0x04],
        &[0x1a],
        &[0x1b],
        &[0x1c, 0x01, 0x7f],
        &[0x00],
        &[0x01],
        &[0x02, 0x40],
        &[0x02, 0x7f],
        &[0x0b],
        &[0x05],
        &[0x0d, 0x00],
        &[0xd0, 0x70],
        &[0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ];
    let setup = |with_memory: bool, mem64: bool| {
        let mut m = Module::default();
        m.types.push(functype(&[I32, I64, F32, F64], &[]));
        m.rec_groups.push(0..1);
        m.funcs.push(0);
        for (content, mutable) in [(I32, false), (F64, true)] {
            m.globals.push(Global {
                ty: GlobalType { content, mutable },
                init: crate::syntax::ConstExpr {
                    ops: vec![if content == I32 {
                        O::I32Const(0)
                    } else {
                        O::F64Const(0)
                    }],
                    offset: 0,
                },
            });
        }
        if with_memory {
            m.memories.push(MemoryType {
                addr: if mem64 { AddrType::I64 } else { AddrType::I32 },
                ..MemoryType::default()
            });
        }
        m
    };
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % n
    };
    // Parameters i32 i64 f32 f64, then one i32 local (4) and 128 i64 locals.
    let locals = vec![(1, I32), (128, I64)];
    // Checks `bytes[start..end]` as the body both ways; returns the (common) result.
    let both = |m: &mut Module, bytes: &[u8], start: usize, end: usize| -> Result<()> {
        m.code.clear();
        m.code.push(FuncBody {
            locals: locals.clone(),
            code: start..end,
        });
        let ctx = validate_module(m).unwrap();
        let got = FuncValidator::new(&ctx).validate_body(0, &m.code[0], bytes);
        let mut slow = FuncValidator::new(&ctx);
        let mut reader = crate::binary::OperatorReader::new(bytes, start..end);
        let want = slow
            .validate_ops(0, &m.code[0], || {
                if reader.is_empty() {
                    return Ok(None);
                }
                let at = reader.offset();
                Ok(Some((at, reader.read()?)))
            })
            .and_then(|()| {
                if reader.is_empty() {
                    Ok(())
                } else {
                    Err(Error::malformed(
                        reader.offset(),
                        "operators remaining after end of function",
                    ))
                }
            });
        assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "{:02x?}",
            &bytes[start..end]
        );
        got
    };
    let (mut oks, mut errs) = (0, 0);
    for case in 0..3000 {
        let mut m = setup(case % 5 != 0, case % 7 == 0);
        let mut bytes = vec![0u8; 3];
        let start = bytes.len();
        // Mostly pieces that keep the body valid so far (checking the unfinished body
        // then fails only for want of an `end`), so that long valid runs occur.
        for _ in 0..next(24) {
            for attempt in 0..12 {
                let len = bytes.len();
                bytes.extend_from_slice(pieces[next(pieces.len())]);
                let r = both(&mut m, &bytes, start, bytes.len());
                let fine = matches!(&r, Err(Error::Malformed { message, .. })
                    if message == "END opcode expected");
                if fine || attempt == 11 || next(60) == 0 {
                    break;
                }
                bytes.truncate(len);
            }
        }
        // Drop what is left, usually.
        if next(4) != 0 {
            for _ in 0..16 {
                bytes.push(0x0b);
                let done = both(&mut m, &bytes, start, bytes.len()).is_ok();
                bytes.pop();
                if done {
                    break;
                }
                bytes.push(0x1a);
            }
        }
        match next(6) {
            0 => {}
            1 => bytes.extend([0x0b, 0x0b]),
            _ => bytes.push(0x0b),
        }
        let cut = if next(4) == 0 { 1 + next(3) } else { 0 };
        let end = bytes.len() - cut.min(bytes.len() - start);
        match both(&mut m, &bytes, start, end) {
            Ok(()) => oks += 1,
            Err(_) => errs += 1,
        }
    }
    assert!(oks > 300 && errs > 300, "{oks} valid, {errs} invalid");
}
