//! Loads and stores the compiler fuses: address sums folded into the access, loads
//! fused into binary operations, read-modify-writes, and the traps of all of them
//! at the load's offset.

use tern::*;

use crate::support::{find_once, instantiate};

#[test]
fn address_sums_fused_into_loads_and_stores_wrap_at_32_bits() {
    // Each access adds base and displacement with `i32.add` (which the compiler folds
    // into the load or store); the sum wraps at 2^32 before the static offset is added.
    let wat = r#"(module (memory 1)
        (func (export "store") (param i32 i32 i32)
          (i32.store offset=4 (i32.add (local.get 0) (local.get 1)) (local.get 2)))
        (func (export "load") (param i32 i32) (result i32)
          (i32.load offset=4 (i32.add (local.get 0) (local.get 1))))
        (func (export "load8") (param i32) (result i64)
          (i64.load8_u (i32.add (local.get 0) (i32.const 0x20)))))"#;
    let (mut store, inst) = instantiate(wat);
    let st = inst
        .get_typed_func::<(i32, i32, i32), ()>(&store, "store")
        .unwrap();
    let ld = inst
        .get_typed_func::<(i32, i32), i32>(&store, "load")
        .unwrap();
    let ld8 = inst.get_typed_func::<i32, i64>(&store, "load8").unwrap();
    // 0xFFFF_FFF0 + 0x20 wraps to 0x10; + offset 4 = 0x14.
    st.call(&mut store, (-16, 0x20, 0x1234_5678)).unwrap();
    assert_eq!(ld.call(&mut store, (0x10, 0)).unwrap(), 0x1234_5678);
    assert_eq!(ld.call(&mut store, (-16, 0x20)).unwrap(), 0x1234_5678);
    assert_eq!(ld8.call(&mut store, -12).unwrap(), 0x78);
    // Past the end (0xFFF0 + 0x20 + 4 > 64 KiB) traps, without wrapping.
    let e = ld.call(&mut store, (0xFFF0, 0x20)).unwrap_err();
    assert!(e.to_string().contains("out of bounds memory access"), "{e}");
    let e = st.call(&mut store, (0xFFF0, 0x20, 1)).unwrap_err();
    assert!(e.to_string().contains("out of bounds memory access"), "{e}");
    // The address sum itself may exceed 2^32 only modulo: 0xFFFF_FFFF + 0xFFFF_FFFF
    // is 0xFFFF_FFFE (+4 is past the end).
    let e = ld.call(&mut store, (-1, -1)).unwrap_err();
    assert!(e.to_string().contains("out of bounds memory access"), "{e}");
}

/// A binary operation with one operand from memory, in both operand orders, for every
/// fused form (f64/f32 add sub mul div, i32 add sub and or xor, i64 add sub).
#[test]
fn loads_fused_into_binary_operations() {
    let ops: &[(&str, &str)] = &[
        ("f64", "add"),
        ("f64", "sub"),
        ("f64", "mul"),
        ("f64", "div"),
        ("f32", "add"),
        ("f32", "sub"),
        ("f32", "mul"),
        ("f32", "div"),
        ("i32", "add"),
        ("i32", "sub"),
        ("i32", "and"),
        ("i32", "or"),
        ("i32", "xor"),
        ("i64", "add"),
        ("i64", "sub"),
    ];
    // Two pages: `xwide` (an offset above 16 bits, so not fused) reads at 0x10018.
    let mut wat = String::from("(module (memory (export \"mem\") 2)\n");
    for (t, op) in ops {
        // Memory on the right, memory on the left, and the register operand computed
        // just before (so that it arrives in the accumulator).
        wat.push_str(&format!(
            "(func (export \"{t}.{op}.r\") (param i32 {t}) (result {t})
               ({t}.{op} (local.get 1) ({t}.load offset=8 (local.get 0))))
             (func (export \"{t}.{op}.l\") (param i32 {t}) (result {t})
               ({t}.{op} ({t}.load offset=8 (local.get 0)) (local.get 1)))
             (func (export \"{t}.{op}.acc\") (param i32 {t}) (result {t})
               ({t}.{op} ({t}.{op} (local.get 1) (local.get 1)) ({t}.load offset=8 (local.get 0))))
             (func (export \"{t}.{op}.xr\") (param i32 {t}) (result {t})
               ({t}.{op} (local.get 1) ({t}.load offset=5 (i32.add (local.get 0) (i32.const 3)))))
             (func (export \"{t}.{op}.xl\") (param i32 {t}) (result {t})
               ({t}.{op} ({t}.load offset=5 (i32.add (local.get 0) (i32.const 3))) (local.get 1)))
             (func (export \"{t}.{op}.xacc\") (param i32 {t}) (result {t})
               ({t}.{op} ({t}.load offset=5 (i32.add (local.get 0) (i32.const 3)))
                         ({t}.{op} (local.get 1) (local.get 1))))
             (func (export \"{t}.{op}.xwide\") (param i32 {t}) (result {t})
               ({t}.{op} (local.get 1) ({t}.load offset=0x10000
                 (i32.add (local.get 0) (i32.const 8)))))\n"
        ));
    }
    wat.push(')');
    let (mut store, inst) = instantiate(&wat);
    let mem = inst.get_memory(&store, "mem").unwrap();
    // Memory operand at 24 (address 16 + offset 8).
    let (m64, m32, mi32, mi64) = (6.5f64, 2.5f32, 0x00f0_ff0fu32, 0x1_0000_0003u64);
    let mut bytes = [0u8; 8];
    for (t, op) in ops {
        let (x, want_r, want_l, want_acc): (Val, Val, Val, Val) = match *t {
            "f64" => {
                bytes = m64.to_le_bytes();
                let f = |a: f64, b: f64| match *op {
                    "add" => a + b,
                    "sub" => a - b,
                    "mul" => a * b,
                    _ => a / b,
                };
                let x = 1.75;
                (
                    Val::f64(x),
                    Val::f64(f(x, m64)),
                    Val::f64(f(m64, x)),
                    Val::f64(f(f(x, x), m64)),
                )
            }
            "f32" => {
                bytes[..4].copy_from_slice(&m32.to_le_bytes());
                let f = |a: f32, b: f32| match *op {
                    "add" => a + b,
                    "sub" => a - b,
                    "mul" => a * b,
                    _ => a / b,
                };
                let x = 1.75;
                (
                    Val::f32(x),
                    Val::f32(f(x, m32)),
                    Val::f32(f(m32, x)),
                    Val::f32(f(f(x, x), m32)),
                )
            }
            "i32" => {
                bytes[..4].copy_from_slice(&mi32.to_le_bytes());
                let f = |a: u32, b: u32| match *op {
                    "add" => a.wrapping_add(b),
                    "sub" => a.wrapping_sub(b),
                    "and" => a & b,
                    "or" => a | b,
                    _ => a ^ b,
                };
                let x = 0x1234_5678u32;
                let v = |v: u32| Val::I32(v as i32);
                (v(x), v(f(x, mi32)), v(f(mi32, x)), v(f(f(x, x), mi32)))
            }
            _ => {
                bytes = mi64.to_le_bytes();
                let f = |a: u64, b: u64| match *op {
                    "add" => a.wrapping_add(b),
                    _ => a.wrapping_sub(b),
                };
                let x = 7u64;
                let v = |v: u64| Val::I64(v as i64);
                (v(x), v(f(x, mi64)), v(f(mi64, x)), v(f(f(x, x), mi64)))
            }
        };
        mem.write(&mut store, 24, &bytes).unwrap();
        mem.write(&mut store, 0x10018, &bytes).unwrap();
        let want_xacc = match (want_acc, x) {
            // `[m] OP (x OP x)`: the accumulator form with the memory operand first.
            (Val::F64(_), Val::F64(v)) => {
                let (v, m) = (f64::from_bits(v), m64);
                Val::f64(match *op {
                    "add" => m + (v + v),
                    "sub" => m - (v - v),
                    "mul" => m * (v * v),
                    _ => m / (v / v),
                })
            }
            (Val::F32(_), Val::F32(v)) => {
                let (v, m) = (f32::from_bits(v), m32);
                Val::f32(match *op {
                    "add" => m + (v + v),
                    "sub" => m - (v - v),
                    "mul" => m * (v * v),
                    _ => m / (v / v),
                })
            }
            (Val::I32(_), Val::I32(v)) => {
                let (v, m) = (v as u32, mi32);
                Val::I32(match *op {
                    "add" => m.wrapping_add(v.wrapping_add(v)),
                    "sub" => m.wrapping_sub(v.wrapping_sub(v)),
                    "and" => m & v,
                    "or" => m | v,
                    _ => m ^ (v ^ v),
                } as i32)
            }
            (_, Val::I64(v)) => {
                let (v, m) = (v as u64, mi64);
                Val::I64(match *op {
                    "add" => m.wrapping_add(v.wrapping_add(v)),
                    _ => m.wrapping_sub(v.wrapping_sub(v)),
                } as i64)
            }
            _ => unreachable!(),
        };
        let forms = [
            ("r", want_r),
            ("l", want_l),
            ("acc", want_acc),
            ("xr", want_r),
            ("xl", want_l),
            ("xacc", want_xacc),
            ("xwide", want_r),
        ];
        for (form, want) in forms {
            let name = format!("{t}.{op}.{form}");
            let f = inst.get_func(&store, &name).unwrap();
            let mut out = [Val::I32(0)];
            f.call(&mut store, &[Val::I32(16), x], &mut out).unwrap();
            assert_eq!(out[0], want, "{name}");
        }
    }
}

/// Fused loads and read-modify-writes trap like the load: "out of bounds memory
/// access", reported at the load's offset in the module.
#[test]
fn fused_loads_trap_at_the_load() {
    // Distinctive static offsets make each load's bytes unique in the binary:
    // f64.load (0x2b) align=3 offset=0x1234 (b4 24); i32.load (0x28) align=2
    // offset=0x1235 (b5 24); f64.load offset=0x1236 (b6 24), 0x1237 (b7 24).
    let wat = r#"(module (memory 1)
        (func (export "bin") (param i32 f64) (result f64)
          (f64.mul (local.get 1) (f64.load offset=0x1234 (local.get 0))))
        (func (export "rmw") (param i32 i32)
          (i32.store offset=0x1235 (local.get 0)
            (i32.add (i32.load offset=0x1235 (local.get 0)) (local.get 1))))
        (func (export "bin_x") (param i32 f64) (result f64)
          (f64.sub (local.get 1) (f64.load offset=0x1237 (i32.add (local.get 0) (i32.const 0)))))
        (func (export "rmw_acc") (param i32 f64)
          (f64.store offset=0x1236 (local.get 0)
            (f64.add (f64.mul (local.get 1) (local.get 1))
                     (f64.load offset=0x1236 (local.get 0))))))"#;
    let bytes = wat::parse_str(wat).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let cases: [(&str, Val, &[u8], i32, i32); 4] = [
        ("bin_x", Val::f64(2.0), &[0x2b, 0x03, 0xb7, 0x24], 0x1237, 8),
        ("bin", Val::f64(2.0), &[0x2b, 0x03, 0xb4, 0x24], 0x1234, 8),
        ("rmw", Val::I32(1), &[0x28, 0x02, 0xb5, 0x24], 0x1235, 4),
        (
            "rmw_acc",
            Val::f64(2.0),
            &[0x2b, 0x03, 0xb6, 0x24],
            0x1236,
            8,
        ),
    ];
    for (name, x, load, offset, size) in cases {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = vec![Val::I32(0); usize::from(name.starts_with("bin"))];
        // In bounds: the last address whose bytes fit, then one past it.
        let last = 65536 - offset - size;
        f.call(&mut store, &[Val::I32(last), x], &mut out).unwrap();
        let e = f
            .call(&mut store, &[Val::I32(last + 1), x], &mut out)
            .unwrap_err();
        let t = e.as_trap().unwrap();
        assert_eq!(t.message(), "out of bounds memory access", "{name}");
        assert_eq!(t.backtrace()[0].offset, find_once(&bytes, load), "{name}");
        // An address that wraps past 2^32 with the offset traps too.
        let e = f
            .call(&mut store, &[Val::I32(-8), x], &mut out)
            .unwrap_err();
        assert_eq!(
            e.as_trap().unwrap().message(),
            "out of bounds memory access"
        );
    }
}

/// `[q] = [q] OP v` fused into one instruction: the results, with `v` from a slot or
/// computed just before, and the operand order of subtraction.
#[test]
fn read_modify_write_results() {
    let wat = r#"(module (memory (export "mem") 1)
        (func (export "f64.add") (param i32 f64)
          (f64.store offset=8 (local.get 0)
            (f64.add (f64.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "f64.add.acc") (param i32 f64)
          (f64.store offset=8 (local.get 0)
            (f64.add (f64.mul (local.get 1) (local.get 1)) (f64.load offset=8 (local.get 0)))))
        (func (export "f64.sub") (param i32 f64)
          (f64.store offset=8 (local.get 0)
            (f64.sub (f64.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "f64.rsub") (param i32 f64)
          (f64.store offset=8 (local.get 0)
            (f64.sub (local.get 1) (f64.load offset=8 (local.get 0)))))
        (func (export "f32.add") (param i32 f32)
          (f32.store offset=8 (local.get 0)
            (f32.add (local.get 1) (f32.load offset=8 (local.get 0)))))
        (func (export "f32.sub") (param i32 f32)
          (f32.store offset=8 (local.get 0)
            (f32.sub (f32.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "i32.add") (param i32 i32)
          (i32.store offset=8 (local.get 0)
            (i32.add (i32.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "i32.sub") (param i32 i32)
          (i32.store offset=8 (local.get 0)
            (i32.sub (i32.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "i64.add") (param i32 i64)
          (i64.store offset=8 (local.get 0)
            (i64.add (i64.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "i64.sub") (param i32 i64)
          (i64.store offset=8 (local.get 0)
            (i64.sub (i64.load offset=8 (local.get 0)) (local.get 1))))
        (func (export "other_offset") (param i32 i32)
          (i32.store offset=12 (local.get 0)
            (i32.add (i32.load offset=8 (local.get 0)) (local.get 1)))))"#;
    let (mut store, inst) = instantiate(wat);
    let mem = inst.get_memory(&store, "mem").unwrap();
    let call = |store: &mut Store<()>, name: &str, init: &[u8], x: Val| -> Vec<u8> {
        mem.write(&mut *store, 0, &[0; 32]).unwrap();
        mem.write(&mut *store, 40, init).unwrap();
        let f = inst.get_func(&*store, name).unwrap();
        f.call(&mut *store, &[Val::I32(32), x], &mut []).unwrap();
        let mut out = vec![0u8; init.len()];
        mem.read(&*store, 40, &mut out).unwrap();
        out
    };
    let f64s = |v: f64| v.to_le_bytes().to_vec();
    let f32s = |v: f32| v.to_le_bytes().to_vec();
    let s = &mut store;
    assert_eq!(call(s, "f64.add", &f64s(1.5), Val::f64(2.25)), f64s(3.75));
    assert_eq!(
        call(s, "f64.add.acc", &f64s(1.5), Val::f64(3.0)),
        f64s(10.5)
    );
    assert_eq!(call(s, "f64.sub", &f64s(1.5), Val::f64(4.0)), f64s(-2.5));
    assert_eq!(call(s, "f64.rsub", &f64s(1.5), Val::f64(4.0)), f64s(2.5));
    assert_eq!(call(s, "f32.add", &f32s(1.5), Val::f32(2.25)), f32s(3.75));
    assert_eq!(call(s, "f32.sub", &f32s(1.5), Val::f32(4.0)), f32s(-2.5));
    let i32s = |v: u32| v.to_le_bytes().to_vec();
    let i64s = |v: u64| v.to_le_bytes().to_vec();
    assert_eq!(
        call(s, "i32.add", &i32s(0xffff_fff0), Val::I32(0x20)),
        i32s(0x10)
    );
    assert_eq!(
        call(s, "i32.sub", &i32s(5), Val::I32(7)),
        i32s(-2i32 as u32)
    );
    assert_eq!(call(s, "i64.add", &i64s(u64::MAX), Val::I64(2)), i64s(1));
    assert_eq!(
        call(s, "i64.sub", &i64s(5), Val::I64(7)),
        i64s(-2i64 as u64)
    );
    // The sum goes to offset 12, the word at 8 stays.
    let mut both = i32s(40);
    both.extend(i32s(1));
    let mut want = i32s(40);
    want.extend(i32s(42));
    assert_eq!(call(s, "other_offset", &both, Val::I32(2)), want);
}
