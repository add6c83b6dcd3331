//! Deterministic mode: NaN results are canonical, in plain arithmetic and in fused
//! memory operations, while bit operations stay exact.

use tern::*;

#[test]
fn deterministic_mode_canonicalizes_nans() {
    let wat = r#"(module
        (func (export "add") (param f32) (result f32) (f32.add (local.get 0) (f32.const 1)))
        (func (export "div") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
        (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0))))"#;
    let payload_nan = Val::F32(0x7fa0_0001); // a signalling NaN with a payload
    for det in [false, true] {
        let mut config = Config::new();
        config.deterministic(det);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mut out = [Val::I32(0)];
        inst.get_func(&store, "add")
            .unwrap()
            .call(&mut store, &[payload_nan], &mut out)
            .unwrap();
        let Val::F32(bits) = out[0] else { panic!() };
        assert!(f32::from_bits(bits).is_nan());
        if det {
            assert_eq!(bits, 0x7fc0_0000, "canonical NaN in deterministic mode");
        }
        let div = inst.get_func(&store, "div").unwrap();
        div.call(&mut store, &[Val::f64(0.0), Val::f64(0.0)], &mut out)
            .unwrap();
        let Val::F64(bits) = out[0] else { panic!() };
        assert!(f64::from_bits(bits).is_nan());
        if det {
            assert_eq!(bits, 0x7ff8_0000_0000_0000);
        }
        // Bit operations stay exact in both modes.
        let neg = inst.get_func(&store, "neg").unwrap();
        neg.call(&mut store, &[payload_nan], &mut out).unwrap();
        assert_eq!(out[0], Val::F32(0xffa0_0001));
    }
}

/// Deterministic mode canonicalizes the NaN results of fused memory operations too.
#[test]
fn deterministic_mode_and_fused_loads() {
    let wat = r#"(module (memory (export "mem") 1)
        (func (export "bin") (param i32 f64) (result f64)
          (f64.add (local.get 1) (f64.load (local.get 0))))
        (func (export "rmw") (param i32 f64)
          (f64.store (local.get 0) (f64.add (f64.load (local.get 0)) (local.get 1)))))"#;
    let payload_nan = 0x7ff4_0000_0000_0001u64; // signalling, with a payload
    for det in [false, true] {
        let mut config = Config::new();
        config.deterministic(det);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let mem = inst.get_memory(&store, "mem").unwrap();
        mem.write(&mut store, 0, &payload_nan.to_le_bytes())
            .unwrap();
        let mut out = [Val::I32(0)];
        let bin = inst.get_func(&store, "bin").unwrap();
        bin.call(&mut store, &[Val::I32(0), Val::f64(1.0)], &mut out)
            .unwrap();
        let Val::F64(bits) = out[0] else { panic!() };
        assert!(f64::from_bits(bits).is_nan());
        if det {
            assert_eq!(bits, 0x7ff8_0000_0000_0000);
        }
        let rmw = inst.get_func(&store, "rmw").unwrap();
        rmw.call(&mut store, &[Val::I32(0), Val::f64(1.0)], &mut [])
            .unwrap();
        let mut b = [0u8; 8];
        mem.read(&store, 0, &mut b).unwrap();
        let bits = u64::from_le_bytes(b);
        assert!(f64::from_bits(bits).is_nan());
        if det {
            assert_eq!(bits, 0x7ff8_0000_0000_0000);
        }
    }
}
