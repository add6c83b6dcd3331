//! Resource limits: fuel (metering, stopping, pausing and resuming a call), epoch
//! interruption from another thread, and store limits on memory, instances and
//! tables.

use tern::*;

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
