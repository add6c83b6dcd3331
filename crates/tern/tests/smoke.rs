use tern::*;

fn run(wat: &str, name: &str, args: &[Val], nres: usize) -> Result<Vec<Val>> {
    let engine = Engine::default();
    let module = Module::new(&engine, wat)?;
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let inst = linker.instantiate(&mut store, &module)?;
    let f = inst
        .get_func(&store, name)
        .ok_or_else(|| Error::msg("no func"))?;
    let mut out = vec![Val::I32(0); nres];
    f.call(&mut store, args, &mut out)?;
    Ok(out)
}

/// A store with one instance of `wat`, which must instantiate.
fn instantiate(wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, inst)
}

#[test]
fn fib() {
    let wat = r#"(module (func $fib (export "fib") (param i32) (result i32)
        (if (result i32) (i32.lt_s (local.get 0) (i32.const 2))
          (then (local.get 0))
          (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                         (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;
    assert_eq!(
        run(wat, "fib", &[Val::I32(20)], 1).unwrap(),
        vec![Val::I32(6765)]
    );
}

#[test]
fn loop_sum() {
    let wat = r#"(module (func (export "sum") (param i32) (result i64) (local i64)
        (block $done (loop $l
          (br_if $done (i32.eqz (local.get 0)))
          (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br $l)))
        (local.get 1)))"#;
    assert_eq!(
        run(wat, "sum", &[Val::I32(100)], 1).unwrap(),
        vec![Val::I64(5050)]
    );
}

#[test]
fn trap_and_backtrace() {
    let wat = r#"(module (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
        (func (export "f") (result i32) (call $inner (i32.const 0))))"#;
    let e = run(wat, "f", &[], 1).unwrap_err();
    let t = e.as_trap().unwrap();
    assert_eq!(t.message(), "integer divide by zero");
    assert_eq!(t.backtrace().len(), 2);
}

#[test]
fn deep_recursion_traps() {
    let wat = r#"(module (func $f (export "f") (call $f)))"#;
    let e = run(wat, "f", &[], 0).unwrap_err();
    assert_eq!(e.as_trap().unwrap().message(), "call stack exhausted");
}

/// Runs a million-iteration loop through many kinds of instructions. With tail-call
/// dispatch, a handler whose call was not compiled as a jump would grow the host stack
/// each iteration; the interpreter's guard turns that into an error, which fails here.
#[test]
fn long_loop_keeps_host_stack_flat() {
    let wat = r#"(module
        (memory 1)
        (global $g (mut i32) (i32.const 0))
        (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
          (loop $l
            (local.set $acc (i32.xor (local.get $acc) (i32.mul (local.get $i) (i32.const 31))))
            (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $acc))
            (local.set $acc (i32.add (local.get $acc) (i32.load8_u (i32.const 3))))
            (global.set $g (select (local.get $acc) (global.get $g) (i32.and (local.get $i) (i32.const 1))))
            (block $b (block $a
              (br_table $a $b (i32.and (local.get $i) (i32.const 1))))
              (local.set $acc (call $inc (local.get $acc))))
            (local.set $acc (i32.wrap_i64 (i64.rotl (i64.extend_i32_u (local.get $acc)) (i64.const 7))))
            (local.set $acc (i32.trunc_f64_u (f64.mul (f64.convert_i32_u (i32.and (local.get $acc) (i32.const 255))) (f64.const 1.5))))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
          (i32.add (local.get $acc) (global.get $g))))"#;
    let out = run(wat, "run", &[Val::I32(1_000_000)], 1).unwrap();
    assert!(matches!(out[0], Val::I32(_)));
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (func (export "id") (param i32) (result i32) local.get 0)
        (memory (export "m") 1) (global (export "g") i32 (i32.const 1)))"#,
    )
    .unwrap();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ());
    let ia = Instance::new(&mut a, &module, &[]).unwrap();
    let f = ia.get_func(&a, "id").unwrap();
    // A function from store `a` used with store `b`.
    let mut out = [Val::I32(0)];
    assert!(f.call(&mut b, &[Val::I32(1)], &mut out).is_err());
    // Wrong argument type and count, too few result slots.
    assert!(f.call(&mut a, &[Val::I64(1)], &mut out).is_err());
    assert!(f.call(&mut a, &[], &mut out).is_err());
    assert!(f.call(&mut a, &[Val::I32(1)], &mut []).is_err());
    // Typed view with the wrong signature.
    assert!(f.typed::<i64, i32>(&a).is_err());
    // An extern from store `a` as an import in store `b`.
    let importer = Module::new(&engine, r#"(module (import "x" "m" (memory 1)))"#).unwrap();
    let mem = ia.get_memory(&a, "m").unwrap();
    assert!(Instance::new(&mut b, &importer, &[mem.into()]).is_err());
    // Setting an immutable global; a module from another engine.
    let g = ia.get_global(&a, "g").unwrap();
    assert!(g.set(&mut a, Val::I32(2)).is_err());
    let other = Engine::default();
    let mut c = Store::new(&other, ());
    assert!(Instance::new(&mut c, &module, &[]).is_err());
}

#[test]
fn handles_from_another_store_do_not_panic() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1) (table (export "t") 2 funcref)
        (global (export "g") (mut i32) (i32.const 5)))"#,
    )
    .unwrap();
    let mut a = Store::new(&engine, ());
    let mut b = Store::new(&engine, ()); // empty: every index is out of range here
    let i = Instance::new(&mut a, &module, &[]).unwrap();
    let (m, t, g) = (
        i.get_memory(&a, "m").unwrap(),
        i.get_table(&a, "t").unwrap(),
        i.get_global(&a, "g").unwrap(),
    );
    assert!(m.data(&b).is_empty());
    assert!(m.data_mut(&mut b).is_empty());
    assert_eq!(m.size(&b), 0);
    assert!(m.grow(&mut b, 1).is_err());
    assert!(m.write(&mut b, 0, b"x").is_err());
    assert_eq!(t.size(&b), 0);
    assert!(t.get(&b, 0).is_none());
    assert!(t.set(&mut b, 0, Val::FuncRef(None)).is_err());
    assert!(g.set(&mut b, Val::I32(1)).is_err());
    assert_eq!(g.get(&b), Val::I32(0));
    assert_eq!(g.get(&a), Val::I32(5));
}

#[test]
fn fuel_stops_an_infinite_loop_and_is_metered() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
        (func (export "spin") (loop $l (br $l)))
        (func (export "count") (param i32) (result i32) (local i32)
          (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 1)))
                   (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
          (local.get 1)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    store.set_fuel(1_000_000).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let e = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(e.as_trap().unwrap().message(), "all fuel consumed");
    // A bounded loop consumes fuel in proportion to its iterations.
    store.set_fuel(1_000_000).unwrap();
    let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
    let used = 1_000_000 - store.get_fuel().unwrap();
    assert!((1000..20_000).contains(&used), "used {used}");
    // Without fuel metering the fuel API is an error, not a panic.
    let mut plain = Store::new(&Engine::default(), ());
    assert!(plain.set_fuel(1).is_err());
}

#[test]
fn store_limit_stops_memory_growth() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1)
        (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.limit(StoreLimits {
        memory_bytes: Some(3 << 16),
        ..StoreLimits::default()
    });
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let grow = inst.get_typed_func::<(), i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 1);
    assert_eq!(grow.call(&mut store, ()).unwrap(), 2);
    assert_eq!(grow.call(&mut store, ()).unwrap(), -1);
    // A module whose minimum is over the limit does not instantiate.
    let big = Module::new(&engine, "(module (memory 4))").unwrap();
    assert!(matches!(
        Instance::new(&mut store, &big, &[]),
        Err(Error::Instantiation(_))
    ));
}

#[test]
fn epoch_interrupts_an_infinite_loop_from_another_thread() {
    let mut config = Config::new();
    config.epoch_interruption(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let timer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            engine.increment_epoch();
        })
    };
    let start = std::time::Instant::now();
    let e = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(e.as_trap().unwrap().message(), "interrupted");
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
    timer.join().unwrap();
}

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

#[test]
fn out_of_fuel_pauses_and_resumes_the_same_call() {
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
        (func $sum (export "sum") (param i32) (result i64) (local i64)
          (loop $l
            (local.set 1 (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
            (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
          (local.get 1))
        (func (export "nested") (param i32) (result i64) (call $sum (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let f = inst.get_func(&store, "nested").unwrap();
    store.set_fuel(1_000).unwrap();
    let mut out = [Val::I64(0)];
    let mut call = f
        .call_resumable(&mut store, &[Val::I32(100_000)], &mut out)
        .unwrap();
    let mut pauses = 0;
    while let ResumableCall::OutOfFuel(paused) = call {
        pauses += 1;
        store.set_fuel(1_000).unwrap();
        call = paused.resume(&mut store, &mut out).unwrap();
    }
    assert!(pauses > 100, "{pauses} pauses");
    assert_eq!(out[0], Val::I64(5_000_050_000));
}

#[test]
fn store_limits_on_totals_and_counts() {
    let engine = Engine::default();
    let two_pages = Module::new(
        &engine,
        r#"(module (memory (export "m") 2)
        (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    store.limit(StoreLimits {
        total_memory_bytes: Some(5 << 16),
        instances: Some(3),
        tables: Some(0),
        ..StoreLimits::default()
    });
    let a = Instance::new(&mut store, &two_pages, &[]).unwrap();
    let _b = Instance::new(&mut store, &two_pages, &[]).unwrap();
    // 4 of 5 pages used: one more page fits, then growth fails; a third memory does not fit.
    let grow = a.get_typed_func::<(), i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 2);
    assert_eq!(grow.call(&mut store, ()).unwrap(), -1);
    assert!(matches!(
        Instance::new(&mut store, &two_pages, &[]),
        Err(Error::Instantiation(_))
    ));
    // No tables allowed; and at most three instances.
    let with_table = Module::new(&engine, "(module (table 1 funcref))").unwrap();
    assert!(matches!(
        Instance::new(&mut store, &with_table, &[]),
        Err(Error::Instantiation(_))
    ));
    let empty = Module::new(&engine, "(module)").unwrap();
    Instance::new(&mut store, &empty, &[]).unwrap();
    assert!(matches!(
        Instance::new(&mut store, &empty, &[]),
        Err(Error::Instantiation(_))
    ));
}

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

/// Reference instructions take their operand from a slot even when the instruction
/// before them could leave its result in the accumulator (`select`, `global.get`).
#[test]
fn reference_operands_after_accumulator_producers() {
    let wat = r#"(module
        (global $g (mut funcref) (ref.null func))
        (func $f)
        (elem declare func $f)
        (func (export "is_null_select") (param i32) (result i32)
          (ref.is_null (select (result funcref) (ref.null func) (ref.func $f) (local.get 0))))
        (func (export "is_null_global") (result i32)
          (ref.is_null (global.get $g)))
        (func (export "as_non_null_global")
          (drop (ref.as_non_null (global.get $g))))
        (func (export "set") (global.set $g (ref.func $f))))"#;
    let (mut store, inst) = instantiate(wat);
    let sel = inst
        .get_typed_func::<i32, i32>(&store, "is_null_select")
        .unwrap();
    assert_eq!(sel.call(&mut store, 1).unwrap(), 1);
    assert_eq!(sel.call(&mut store, 0).unwrap(), 0);
    let g = inst
        .get_typed_func::<(), i32>(&store, "is_null_global")
        .unwrap();
    let nn = inst
        .get_typed_func::<(), ()>(&store, "as_non_null_global")
        .unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 1);
    let e = nn.call(&mut store, ()).unwrap_err();
    assert!(e.to_string().contains("null"), "{e}");
    inst.get_typed_func::<(), ()>(&store, "set")
        .unwrap()
        .call(&mut store, ())
        .unwrap();
    assert_eq!(g.call(&mut store, ()).unwrap(), 0);
    nn.call(&mut store, ()).unwrap();
}

/// The compiler leaves out `local.set L (i32.const 0)` while L still holds its entry
/// zero; these would go wrong if it did so after a write, past a forward-branch
/// target, or inside a loop.
#[test]
fn zero_stores_to_fresh_locals() {
    let wat = r#"(module
      (func (export "straight") (param i32) (result i32) (local i32 i32)
        (local.set 1 (i32.const 0))
        (local.set 2 (i32.const 7))
        (local.set 2 (i32.const 0))
        (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 5)))
        (local.set 1 (i32.const 0))
        (i32.add (i32.mul (local.get 1) (i32.const 100)) (local.get 2)))
      (func (export "tee") (result i32) (local i32)
        (i32.add (local.tee 0 (i32.const 0)) (local.get 0)))
      (func (export "looped") (result i32) (local $i i32) (local $x i32)
        (loop $l
          (local.set $x (i32.const 0))
          (local.set $x (i32.add (local.get $x) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
        (local.get $x)))"#;
    for p in [0, 1] {
        assert_eq!(
            run(wat, "straight", &[Val::I32(p)], 1).unwrap(),
            vec![Val::I32(0)],
            "straight({p})"
        );
    }
    assert_eq!(run(wat, "tee", &[], 1).unwrap(), vec![Val::I32(0)]);
    assert_eq!(run(wat, "looped", &[], 1).unwrap(), vec![Val::I32(3)]);
}

/// A write inside a loop (and a loop in dead code) keeps later zero stores.
#[test]
fn zero_stores_after_loops() {
    let wat = r#"(module
      (func (export "after_loop") (result i32) (local $i i32) (local $x i32)
        (loop $l
          (local.set $x (i32.const 9))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const 2))))
        (local.set $x (i32.const 0))
        (local.get $x))
      (func (export "dead_loop") (result i32) (local $x i32)
        (block (br 0) (loop (local.set $x (i32.const 1))))
        (local.set $x (i32.const 0))
        (loop $l (local.set $x (i32.add (local.get $x) (i32.const 1))) (br_if $l (i32.lt_u (local.get $x) (i32.const 4))))
        (local.get $x)))"#;
    assert_eq!(run(wat, "after_loop", &[], 1).unwrap(), vec![Val::I32(0)]);
    assert_eq!(run(wat, "dead_loop", &[], 1).unwrap(), vec![Val::I32(4)]);
}

/// Calls whose last argument copy is folded into the call, and one reached by a
/// branch that skips the copy (the copy must then not be folded).
#[test]
fn call_with_folded_argument_copy() {
    let wat = r#"(module
      (func $id (param i32) (result i32) (local.get 0))
      (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (func (export "one") (param i32) (result i32) (call $id (local.get 0)))
      (func (export "two") (param i32 i32) (result i32) (call $sub (local.get 1) (local.get 0)))
      (func (export "branchy") (param i32) (result i32) (local i32)
        (local.set 1 (i32.const 40))
        (call $id
          (block (result i32)
            (br_if 0 (i32.const 7) (local.get 0))
            (drop)
            (local.get 1)))))"#;
    assert_eq!(
        run(wat, "one", &[Val::I32(5)], 1).unwrap(),
        vec![Val::I32(5)]
    );
    assert_eq!(
        run(wat, "two", &[Val::I32(5), Val::I32(8)], 1).unwrap(),
        vec![Val::I32(3)]
    );
    assert_eq!(
        run(wat, "branchy", &[Val::I32(1)], 1).unwrap(),
        vec![Val::I32(7)]
    );
    assert_eq!(
        run(wat, "branchy", &[Val::I32(0)], 1).unwrap(),
        vec![Val::I32(40)]
    );
}

/// Two copies in a row run as one instruction, in order: the second sees the first.
#[test]
fn chained_copies_run_in_order() {
    let wat = r#"(module
      (func (export "chain") (param i32 i32 i32) (result i32)
        (local.set 1 (local.get 0))
        (local.set 2 (local.get 1))
        (i32.add (i32.mul (local.get 2) (i32.const 10)) (local.get 1)))
      (func (export "swap") (param i32 i32) (result i32) (local i32)
        (local.set 2 (local.get 0))
        (local.set 0 (local.get 1))
        (local.set 1 (local.get 2))
        (i32.sub (local.get 0) (local.get 1))))"#;
    assert_eq!(
        run(wat, "chain", &[Val::I32(3), Val::I32(5), Val::I32(7)], 1).unwrap(),
        vec![Val::I32(33)]
    );
    assert_eq!(
        run(wat, "swap", &[Val::I32(10), Val::I32(4)], 1).unwrap(),
        vec![Val::I32(-6)]
    );
}

/// Declared locals read as zero on entry whatever an earlier call left in the same
/// slots, for every count of locals around the size of the chunks frames are
/// initialized in.
#[test]
fn locals_start_zero_after_a_dirty_call() {
    // `dirty` fills its slots from its argument (not from constants, which are
    // initialized the same way as locals).
    let mut wat = String::from(
        "(module (func $dirty (param i64) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)",
    );
    for i in 1..13 {
        wat.push_str(&format!(" (local.set {i} (local.get 0))"));
    }
    wat.push(')');
    for n in 0..10 {
        let mut expr = String::from("(i64.const 0)");
        for i in 0..n {
            expr = format!("(i64.or {expr} (local.get {i}))");
        }
        let locals = if n == 0 {
            String::new()
        } else {
            format!("(local{})", " i64".repeat(n))
        };
        wat.push_str(&format!(
            "(func $check{n} (result i64) {locals} {expr})\
             (func (export \"t{n}\") (param i64) (result i64)\
               (call $dirty (local.get 0)) (call $check{n}))"
        ));
    }
    wat.push(')');
    for n in 0..10 {
        assert_eq!(
            run(&wat, &format!("t{n}"), &[Val::I64(-1)], 1).unwrap(),
            vec![Val::I64(0)],
            "{n} locals"
        );
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

/// The byte offset in `bytes` of the only occurrence of `pattern`.
fn find_once(bytes: &[u8], pattern: &[u8]) -> usize {
    let hits: Vec<usize> = (0..bytes.len().saturating_sub(pattern.len()) + 1)
        .filter(|&i| bytes[i..].starts_with(pattern))
        .collect();
    assert_eq!(hits.len(), 1, "{pattern:02x?}");
    hits[0]
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

/// Small functions that cannot trap are inlined; these check that the inlined bodies
/// compute what calls compute, for every kind of argument (locals, constants,
/// computed values) and result (a parameter, a constant, a computed value).
const INLINED: &str = r#"(module
    (global $g (mut i32) (i32.const 0))
    (func $lower (param i32) (result i32)
      (select (i32.or (local.get 0) (i32.const 32)) (local.get 0)
              (i32.lt_u (i32.add (local.get 0) (i32.const -65)) (i32.const 26))))
    (func $alnum (param i32) (result i32)
      (i32.or (i32.lt_u (i32.add (local.get 0) (i32.const -48)) (i32.const 10))
              (i32.lt_u (i32.add (i32.or (local.get 0) (i32.const 32)) (i32.const -97))
                        (i32.const 26))))
    (func $punct (param i32) (result i32) (local i32)
      (local.set 1 (i32.const 0))
      (block
        (br_if 0 (i32.gt_u (i32.add (local.get 0) (i32.const -33)) (i32.const 93)))
        (local.set 1 (i32.eqz (call $alnum (local.get 0)))))
      (local.get 1))
    ;; reads its local before writing it: every entry must start from zero
    (func $sticky (param i32) (result i32) (local i32)
      (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 7)))
      (if (i32.eq (local.get 0) (i32.const 99)) (then (return (i32.const -1))))
      (i32.add (local.get 1) (local.get 0)))
    (func $first (param i32 i32) (result i32) (local.get 0))
    (func $second (param i32 i32) (result i32) (local.get 1))
    (func $seven (param i32) (result i32) (i32.const 7))
    (func $bump (param i32) (global.set $g (i32.add (global.get $g) (local.get 0))))
    (func (export "sum") (param $n i32) (result i32) (local $c i32) (local $s i32)
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $lower (local.get $c))))
        (local.set $s (i32.add (local.get $s)
          (i32.mul (call $alnum (i32.xor (local.get $c) (i32.const 1))) (i32.const 3))))
        (local.set $s (i32.add (local.get $s)
          (i32.mul (call $punct (local.get $c)) (i32.const 5))))
        (local.set $s (i32.add (local.get $s)
          (call $sticky (i32.and (local.get $c) (i32.const 1)))))
        (local.set $s (i32.add (local.get $s) (call $sticky (i32.const 99))))
        (local.set $s (i32.add (local.get $s)
          (call $second (i32.add (local.get $c) (i32.const 1)) (i32.mul (local.get $c) (i32.const 2)))))
        (local.set $s (i32.add (local.get $s)
          (call $first (i32.add (local.get $c) (i32.const 3)) (local.get $s))))
        (local.set $s (i32.add (local.get $s) (call $seven (local.get $c))))
        (call $bump (local.get $c))
        (br_if $l (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $n))))
      (i32.add (local.get $s) (global.get $g))))"#;

/// What [`INLINED`]'s `sum` computes, written out.
fn inlined_sum(n: u32) -> u32 {
    let lower = |c: u32| if c.wrapping_sub(65) < 26 { c | 32 } else { c };
    let alnum = |c: u32| (c.wrapping_sub(48) < 10 || (c | 32).wrapping_sub(97) < 26) as u32;
    let punct = |c: u32| (c.wrapping_sub(33) <= 93 && alnum(c) == 0) as u32;
    let sticky = |x: u32| {
        if x == 99 {
            u32::MAX
        } else if x != 0 {
            x
        } else {
            7
        }
    };
    let (mut s, mut g, mut c) = (0u32, 0u32, 0u32);
    loop {
        s = s.wrapping_add(lower(c));
        s = s.wrapping_add(alnum(c ^ 1) * 3);
        s = s.wrapping_add(punct(c) * 5);
        s = s.wrapping_add(sticky(c & 1));
        s = s.wrapping_add(sticky(99));
        s = s.wrapping_add(c.wrapping_mul(2));
        s = s.wrapping_add(c + 3);
        s = s.wrapping_add(7);
        g = g.wrapping_add(c);
        c += 1;
        if c >= n {
            break;
        }
    }
    s.wrapping_add(g)
}

#[test]
fn inlined_calls_compute_what_calls_compute() {
    for n in [1, 2, 3, 200, 300] {
        let got = run(INLINED, "sum", &[Val::I32(n)], 1).unwrap();
        assert_eq!(got, vec![Val::I32(inlined_sum(n as u32) as i32)], "n = {n}");
    }
    // With fuel metering nothing is inlined: the same results through real calls.
    let mut config = Config::new();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, INLINED).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(u64::MAX).unwrap();
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, "sum").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::I32(300)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(inlined_sum(300) as i32));
}

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

#[test]
fn indirect_calls_check_types_after_the_callee_has_run() {
    // `call_indirect` checks a callee's type through its cached entry once it has
    // run: a wrong type must still trap, before and after.
    let wat = r#"(module
        (type $i (func (param i32) (result i32)))
        (type $ii (func (param i32 i32) (result i32)))
        (table funcref (elem $inc $add))
        (func $inc (type $i) (i32.add (local.get 0) (i32.const 1)))
        (func $add (type $ii) (i32.add (local.get 0) (local.get 1)))
        (func (export "direct") (param i32) (result i32) (call $inc (local.get 0)))
        (func (export "as_i") (param i32 i32) (result i32)
          (call_indirect (type $i) (local.get 0) (local.get 1)))
        (func (export "as_ii") (param i32 i32) (result i32)
          (call_indirect (type $ii) (local.get 0) (local.get 0) (local.get 1))))"#;
    let (mut store, inst) = instantiate(wat);
    let mut call = |name: &str, args: &[Val]| {
        let f = inst.get_func(&store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut store, args, &mut out).map(|()| out[0])
    };
    let mismatch = |r: Result<Val>| match r {
        Err(Error::Trap(t)) => t.to_string().contains("indirect call type mismatch"),
        _ => false,
    };
    assert!(mismatch(call("as_ii", &[Val::I32(3), Val::I32(0)])));
    assert_eq!(call("direct", &[Val::I32(4)]).unwrap(), Val::I32(5));
    for _ in 0..3 {
        assert_eq!(
            call("as_i", &[Val::I32(4), Val::I32(0)]).unwrap(),
            Val::I32(5)
        );
        assert!(mismatch(call("as_ii", &[Val::I32(3), Val::I32(0)])));
        assert!(mismatch(call("as_i", &[Val::I32(3), Val::I32(1)])));
        assert_eq!(
            call("as_ii", &[Val::I32(3), Val::I32(1)]).unwrap(),
            Val::I32(6)
        );
    }
}

/// Recursion up to the last slot of a small value stack: the deepest call that fits
/// returns the right sum (every frame's values intact up to the stack's end), one more
/// level traps with "call stack exhausted", and so does a call from a frame right at the
/// end of the stack into a function with a larger frame.
#[test]
fn recursion_fills_the_value_stack_to_its_last_slot() {
    let mut config = Config::new();
    config.max_stack_slots(256);
    let engine = Engine::new(&config);
    let module = Module::new(
        &engine,
        r#"(module
        (func $sum (export "sum") (param i32) (result i32) (local i32 i32)
          (local.set 1 (i32.mul (local.get 0) (i32.const 3)))
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 0))
            (else (i32.add (local.get 1)
                           (call $sum (i32.sub (local.get 0) (i32.const 1)))))))
        (func $big (param i32) (result i32) (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64
            i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
          (local.get 0))
        (func $deep (export "deep") (param i32) (result i32)
          (if (result i32) (i32.eqz (local.get 0))
            (then (call $big (i32.const 7)))
            (else (call $deep (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let call = |store: &mut Store<()>, name: &str, n: i32| {
        let f = inst.get_func(&*store, name).unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut *store, &[Val::I32(n)], &mut out)
            .map(|()| out[0])
    };
    let exhausted = |r: Result<Val>| {
        r.unwrap_err().as_trap().map(|t| t.message().to_string())
            == Some("call stack exhausted".into())
    };
    // The deepest recursion that fits: found by running, then checked on both sides.
    let mut n = 0;
    while call(&mut store, "sum", n + 1).is_ok() {
        n += 1;
    }
    assert!(n > 10, "only {n} levels fit in 256 slots");
    assert_eq!(
        call(&mut store, "sum", n).unwrap(),
        Val::I32(3 * n * (n + 1) / 2)
    );
    assert!(exhausted(call(&mut store, "sum", n + 1)));
    assert!(exhausted(call(&mut store, "sum", 1000)));
    // A small frame that fits, calling a larger one that does not.
    let mut d = 0;
    while call(&mut store, "deep", d + 1).is_ok() {
        d += 1;
    }
    assert_eq!(call(&mut store, "deep", d).unwrap(), Val::I32(7));
    assert!(exhausted(call(&mut store, "deep", d + 1)));
    // The store still runs calls normally afterwards.
    assert_eq!(call(&mut store, "sum", 4).unwrap(), Val::I32(30));
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

/// A loop-carried copy (`a = t` where `t` is computed just before and written again
/// just after) is folded into the instruction that computed `t`; the loop computes
/// what it computed with the copy, and the copy's source keeps the value it must
/// have where it is still read.
#[test]
fn loop_carried_copies_folded_into_their_definition_compute_the_same() {
    let wat = r#"(module
        (func (export "f") (param $n i32) (result i32) (local $i i32) (local $a i32) (local $t i32) (local $s i32)
          (local.set $a (i32.const 1))
          (loop $l
            (local.set $t (i32.add (i32.mul (local.get $a) (i32.const 3)) (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (local.set $a (local.get $t))
            (local.set $t (i32.mul (local.get $i) (i32.const 2)))
            (local.set $s (i32.xor (i32.add (local.get $s) (local.get $t)) (local.get $a)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
          (i32.add (local.get $s) (local.get $t)))
        (func (export "g") (param $n i32) (result i32) (local $a i32) (local $t i32)
          (local.set $t (i32.add (local.get $n) (i32.const 5)))
          (local.set $a (local.get $t))
          (local.set $t (i32.add (local.get $t) (local.get $a)))
          (i32.add (local.get $a) (i32.mul (local.get $t) (i32.const 100)))))"#;
    let model = |n: i32| {
        let (mut i, mut a, mut s) = (0i32, 1i32, 0i32);
        loop {
            let mut t = a.wrapping_mul(3).wrapping_add(i);
            i = i.wrapping_add(1);
            a = t;
            t = i.wrapping_mul(2);
            s = s.wrapping_add(t) ^ a;
            if (i as u32) >= (n as u32) {
                break s.wrapping_add(t);
            }
        }
    };
    let (mut store, inst) = instantiate(wat);
    let f = inst.get_func(&store, "f").unwrap();
    let g = inst.get_func(&store, "g").unwrap();
    for n in [0, 1, 2, 7, 100, 1000] {
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        assert_eq!(out[0], Val::I32(model(n)), "f({n})");
        // `t` is read after the copy: the copy stays.
        g.call(&mut store, &[Val::I32(n)], &mut out).unwrap();
        let t = n.wrapping_add(5);
        assert_eq!(
            out[0],
            Val::I32(t.wrapping_add(t.wrapping_mul(2).wrapping_mul(100))),
            "g({n})"
        );
    }
}

#[test]
fn select_of_a_value_computed_before_its_loaded_condition() {
    // The sieve's counting loop: `s = composite[i] ? s : s * 31 + i` over bytes.
    let wat = r#"(module (memory (export "memory") 1)
        (func (export "f") (param $n i32) (result i32)
          (local $i i32) (local $s i32) (local $c i32) (local $zeros i32)
          (loop $l
            (local.set $s (select (local.get $s)
                                  (i32.add (i32.mul (local.get $s) (i32.const 31)) (local.get $i))
                                  (local.tee $c (i32.load8_u offset=16 (local.get $i)))))
            (local.set $s (i32.add (local.get $s) (local.get $c)))
            ;; and the zero bytes counted (an eqz fused into the add)
            (local.set $zeros (i32.add (local.get $zeros) (i32.eqz (local.get $c))))
            (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                (local.get $n))))
          (i32.xor (local.get $s) (i32.shl (local.get $zeros) (i32.const 24)))))"#;
    let (mut store, inst) = instantiate(wat);
    let memory = inst.get_memory(&store, "memory").unwrap();
    let bytes: Vec<u8> = (0..200u32)
        .map(|i| [0, 1, 0, 0, 7][(i % 5) as usize])
        .collect();
    memory.write(&mut store, 16, &bytes).unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    let model = |n: u32| {
        let (mut s, mut zeros) = (0u32, 0u32);
        for i in 0..n.max(1) {
            let c = bytes[i as usize] as u32;
            s = if c != 0 {
                s
            } else {
                s.wrapping_mul(31).wrapping_add(i)
            };
            s = s.wrapping_add(c);
            zeros += u32::from(c == 0);
        }
        (s ^ (zeros << 24)) as i32
    };
    for n in [1, 2, 5, 13, 200] {
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(n as i32)], &mut out).unwrap();
        assert_eq!(out[0], Val::I32(model(n)), "f({n})");
    }
    // The load traps past the end of memory, as before.
    let mut out = [Val::I32(0)];
    let e = f
        .call(&mut store, &[Val::I32(70_000)], &mut out)
        .unwrap_err();
    assert!(e.to_string().contains("out of bounds memory access"), "{e}");
}

#[test]
fn call_indirect_sees_every_table_write_of_the_running_call() {
    // Each write to table 0 is followed by a `call_indirect` through it in the same
    // invocation (the interpreter caches table 0 while it runs).
    let wat = r#"(module
        (type $r (func (result i32)))
        (table 2 funcref)
        (elem $e func $ten $twenty $thirty)
        (func $ten (result i32) (i32.const 10))
        (func $twenty (result i32) (i32.const 20))
        (func $thirty (result i32) (i32.const 30))
        (func $at (param i32) (result i32) (call_indirect (type $r) (local.get 0)))
        (func (export "f") (result i32) (local $sum i32)
          (table.set (i32.const 0) (ref.func $ten))
          (local.set $sum (call $at (i32.const 0)))
          (drop (table.grow (ref.func $thirty) (i32.const 3)))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 4))))
          (table.fill (i32.const 1) (ref.func $twenty) (i32.const 2))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 2))))
          (table.copy (i32.const 0) (i32.const 3) (i32.const 1))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 0))))
          (table.init $e (i32.const 3) (i32.const 1) (i32.const 2))
          (local.set $sum (i32.add (local.get $sum) (call $at (i32.const 4))))
          (i32.add (local.get $sum) (call_indirect (type $r) (i32.const 3))))
        (func (export "past_end") (result i32) (call $at (i32.const 2))))"#;
    let (mut store, inst) = instantiate(wat);
    let past_end = inst.get_func(&store, "past_end").unwrap();
    let mut out = [Val::I32(0)];
    let e = past_end.call(&mut store, &[], &mut out).unwrap_err();
    assert!(e.to_string().contains("undefined element"), "{e}");
    let f = inst.get_func(&store, "f").unwrap();
    f.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(10 + 30 + 20 + 30 + 30 + 20));
    // The grown table stays grown for the next call.
    past_end.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(20));
}

#[test]
fn calls_across_instances_keep_each_ones_functions_and_table() {
    // `b` imports two functions and its table 0 from `a`; `a`'s `grow` grows that
    // table while `b` is running, and `b` calls through the new element on return.
    let a = r#"(module
        (type $r (func (result i32)))
        (table (export "t") 1 funcref)
        (elem (i32.const 0) func $seven)
        (elem declare func $eight)
        (func $seven (result i32) (i32.const 7))
        (func $eight (result i32) (i32.const 8))
        (func (export "seven") (result i32) (call $seven))
        (func (export "grow") (result i32) (table.grow (ref.func $eight) (i32.const 1))))"#;
    let b = r#"(module
        (type $r (func (result i32)))
        (import "a" "seven" (func $seven (result i32)))
        (import "a" "grow" (func $grow (result i32)))
        (import "a" "t" (table 1 funcref))
        (func $hundred (result i32) (i32.const 100))
        (func $thousand (result i32) (i32.add (call $hundred) (i32.const 900)))
        (func (export "f") (result i32)
          (i32.add (i32.add (call $thousand) (call $seven))
                   (i32.add (i32.mul (call $grow) (i32.const 10000))
                            (call_indirect (type $r) (i32.const 1))))))"#;
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let a = linker
        .instantiate(&mut store, &Module::new(&engine, a).unwrap())
        .unwrap();
    linker.instance(&mut store, "a", a).unwrap();
    let b = linker
        .instantiate(&mut store, &Module::new(&engine, b).unwrap())
        .unwrap();
    let f = b.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[], &mut out).unwrap();
    // 1000 + 7, then `grow` returns the old size 1, then element 1 is `$eight`.
    assert_eq!(out[0], Val::I32(1000 + 7 + 10000 + 8));
}

#[test]
fn a_call_result_copied_to_a_local_is_not_folded_into_the_argument_before_the_call() {
    // `z = f(x + 1, y); w = f(x + 2, y)`: the copy of the first result into `z` must
    // not be folded back into the `x + 1` that computed the first argument (the call
    // writes its result over that slot).
    let wat = r#"(module
        (func $f (param i32 i32) (result i32)
          (loop $l (local.set 1 (i32.sub (local.get 1) (i32.const 1)))
                   (br_if $l (i32.gt_s (local.get 1) (i32.const 0))))
          (i32.sub (i32.mul (local.get 0) (i32.const 2)) (local.get 1)))
        (func (export "g") (param $x i32) (param $y i32) (result i32) (local $z i32) (local $w i32)
          (local.set $z (call $f (i32.add (local.get $x) (i32.const 1)) (local.get $y)))
          (local.set $w (call $f (i32.add (local.get $x) (i32.const 2)) (local.get $y)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (local.get $w)))
        (func (export "h") (param $x i32) (param $y i32) (param $v i32) (result i32)
          (local $z i32) (local $w i32)
          (local.set $z (call $f (i32.add (local.get $x) (i32.const 1)) (local.get $y)))
          (local.set $w (call $f (i32.add (local.get $x) (i32.const 2)) (local.get $v)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (local.get $w)))
        (func (export "k") (param $x i32) (param $y i32) (result i32) (local $z i32)
          (local.set $z (call $f (local.get $y) (local.get $x)))
          (i32.add (i32.mul (local.get $z) (i32.const 1000)) (call $f (local.get $x) (local.get $y)))))"#;
    // `f` counts its second parameter down to zero (once if it starts at or below).
    let f = |a: i32, b: i32| if b > 0 { 2 * a } else { 2 * a - (b - 1) };
    let (mut store, inst) = instantiate(wat);
    let g = inst.get_func(&store, "g").unwrap();
    let h = inst.get_func(&store, "h").unwrap();
    let mut out = [Val::I32(0)];
    g.call(&mut store, &[Val::I32(100), Val::I32(1)], &mut out)
        .unwrap();
    assert_eq!(out[0], Val::I32(f(101, 1) * 1000 + f(102, 1)));
    assert_eq!(out[0], Val::I32(202_204));
    // Two argument copies fused into each call.
    h.call(
        &mut store,
        &[Val::I32(7), Val::I32(3), Val::I32(-4)],
        &mut out,
    )
    .unwrap();
    assert_eq!(out[0], Val::I32(f(8, 3) * 1000 + f(9, -4)));
    // Both arguments copied by the call (from the parameters, in either order).
    let k = inst.get_func(&store, "k").unwrap();
    for (x, y) in [(5, -2), (-3, 4), (0, 0)] {
        k.call(&mut store, &[Val::I32(x), Val::I32(y)], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::I32(f(y, x) * 1000 + f(x, y)), "k({x}, {y})");
    }
}
