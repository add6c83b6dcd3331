//! Tests of the optimizing tier: which functions get native code and where it can be
//! entered, and that running them natively gives what the interpreter gives (results,
//! traps with the same positions, memory), including on entry into a running loop.

use crate::{Config, Engine, Instance, Linker, Module, Store, Tier, Val};

mod calls;
mod guard;
mod simd;

fn engine(tier: Tier) -> Engine {
    Engine::new(Config::new().tier(tier))
}

/// Instantiates `wat` with `tier`.
fn instance(tier: Tier, wat: &str) -> (Store<()>, Instance) {
    let engine = engine(tier);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

/// Calls export `name` of `wat` with `args` in `tier`: its results, or the error's text.
fn call(tier: Tier, wat: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, String> {
    let (mut store, instance) = instance(tier, wat);
    let f = instance.get_func(&store, name).unwrap();
    let n = f.ty(&store).results.len();
    let mut out = vec![Val::I32(0); n];
    f.call(&mut store, args, &mut out)
        .map(|()| out)
        .map_err(|e| e.to_string())
}

/// Calls `name` in both tiers and checks they agree; returns the result.
fn same(wat: &str, name: &str, args: &[Val]) -> Result<Vec<Val>, String> {
    let interp = call(Tier::Interp, wat, name, args);
    let opt = call(Tier::Opt, wat, name, args);
    assert_eq!(
        format!("{interp:?}"),
        format!("{opt:?}"),
        "{name}{args:?}: the tiers disagree"
    );
    opt
}

const LOOPS: &str = r#"(module
  (memory 1)
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $s i64)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $s))
  (func (export "fill") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (i32.store8 (local.get $i) (i32.mul (local.get $i) (i32.const 7)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.set $i (i32.const 0))
    (loop $next
      (local.set $acc (i32.add (local.get $acc) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc))
  (func (export "div") (param i32 i32) (result i32)
    (loop $l (br_if $l (i32.const 0)))
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64)
    (loop $l (br_if $l (i32.const 0)))
    (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32)
    (loop $l (br_if $l (i32.const 0)))
    (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_u") (param f32) (result i64)
    (loop $l (br_if $l (i32.const 0)))
    (i64.trunc_f32_u (local.get 0)))
  (func (export "fp") (param f64 f64) (result f64)
    (loop $l (br_if $l (i32.const 0)))
    (f64.add (f64.mul (local.get 0) (local.get 1))
             (f64.min (f64.sqrt (local.get 0)) (f64.nearest (local.get 1)))))
  (func (export "switch") (param i32) (result i32)
    (loop $l (br_if $l (i32.const 0)))
    (block $c (block $b (block $a
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30)))"#;

#[test]
fn functions_with_loops_get_native_code_entered_at_their_start_and_loop_headers() {
    let m = Module::new(&engine(Tier::Opt), LOOPS).unwrap();
    // `fill` has two loops, the second not at the start.
    let fill = m.inner.code(1).unwrap();
    let native = fill.native().expect("fill has native code");
    assert_eq!(native.entries[0], 0, "entered at its start");
    // The first loop starts at instruction 0 (the locals start at zero).
    assert_eq!(
        native.entries.len(),
        2,
        "and at its loop headers: {native:?}"
    );
    for &pc in &native.entries[1..] {
        let header = fill.code.iter().enumerate().any(|(at, i)| {
            let off = { *i }.branch_offset_mut().copied();
            off.is_some_and(|o| o <= 0 && at as i64 + o as i64 == pc as i64)
        });
        assert!(header, "entry {pc} is the target of a backward branch");
    }
    for f in 0..8 {
        assert!(m.inner.code(f).unwrap().native().is_some(), "function {f}");
    }
    // A function without a loop is entered at its start only (native code calls it).
    let m = Module::new(
        &engine(Tier::Opt),
        "(module (func (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))",
    )
    .unwrap();
    let code = m.inner.code(0).unwrap();
    let native = code.native().expect("native code");
    assert_eq!(&native.entries[..], &[0]);
    // One that would leave at its first instruction gets none.
    let m = Module::new(
        &engine(Tier::Opt),
        "(module (memory 1) (func (result i32) (memory.grow (i32.const 1))))",
    )
    .unwrap();
    assert!(m.inner.code(0).unwrap().native().is_none());
    // The interpreter's tier makes none.
    let m = Module::new(&engine(Tier::Interp), LOOPS).unwrap();
    assert!(m.inner.code(0).unwrap().native().is_none());
}

#[test]
fn native_code_computes_what_the_interpreter_computes() {
    for n in [0, 1, 7, 1000] {
        assert_eq!(
            same(LOOPS, "sum", &[Val::I32(n)]).unwrap(),
            [Val::I64((0..n as i64).sum())]
        );
    }
    let fill = same(LOOPS, "fill", &[Val::I32(300)]).unwrap();
    let want: i32 = (0..300).map(|i: i32| (i * 7) as u8 as i32).sum();
    assert_eq!(fill, [Val::I32(want)]);
    for (a, b) in [(7, 2), (-7, 2), (i32::MIN, 1), (5, -1)] {
        assert_eq!(
            same(LOOPS, "div", &[Val::I32(a), Val::I32(b)]).unwrap(),
            [Val::I32(a.wrapping_div(b))]
        );
    }
    for (a, b) in [(7, 2), (-7, 2), (i64::MIN, -1), (i64::MIN, 3)] {
        assert_eq!(
            same(LOOPS, "rem", &[Val::I64(a), Val::I64(b)]).unwrap(),
            [Val::I64(a.wrapping_rem(b))]
        );
    }
    for x in [0.0f64, -0.9, 2147483647.9, -2147483648.9] {
        assert_eq!(
            same(LOOPS, "trunc", &[Val::F64(x.to_bits())]).unwrap(),
            [Val::I32(x as i32)]
        );
    }
    for (a, b) in [(2.0f64, 3.5f64), (-1.0, 2.5), (0.25, -0.5)] {
        same(LOOPS, "fp", &[Val::F64(a.to_bits()), Val::F64(b.to_bits())]).unwrap();
    }
    for (i, want) in [(0, 10), (1, 20), (2, 30), (3, 30), (-1, 30)] {
        assert_eq!(
            same(LOOPS, "switch", &[Val::I32(i)]).unwrap(),
            [Val::I32(want)]
        );
    }
}

#[test]
fn native_code_traps_where_the_interpreter_traps() {
    let cases: [(&str, Vec<Val>, &str); 6] = [
        (
            "div",
            vec![Val::I32(1), Val::I32(0)],
            "integer divide by zero",
        ),
        (
            "div",
            vec![Val::I32(i32::MIN), Val::I32(-1)],
            "integer overflow",
        ),
        (
            "rem",
            vec![Val::I64(1), Val::I64(0)],
            "integer divide by zero",
        ),
        (
            "trunc",
            vec![Val::F64(f64::NAN.to_bits())],
            "invalid conversion to integer",
        ),
        (
            "trunc",
            vec![Val::F64(2147483648.0f64.to_bits())],
            "integer overflow",
        ),
        (
            "trunc_u",
            vec![Val::F32((-1.0f32).to_bits())],
            "integer overflow",
        ),
    ];
    for (name, args, msg) in cases {
        // `same` compares the whole messages, backtraces (function and offset) included.
        let err = same(LOOPS, name, &args).unwrap_err();
        assert!(err.contains(msg), "{name}{args:?}: {err}");
    }
    // Out of bounds: the store at 65536 - 1 + 1 is past the one page.
    let err = same(LOOPS, "fill", &[Val::I32(65537)]).unwrap_err();
    assert!(err.contains("out of bounds memory access"), "{err}");
}

/// Loads at one address with growing and shrinking offsets: native code checks an
/// access only if no earlier one at the same address reached as far.
const FIELDS: &str = r#"(module
  (memory 1)
  (func (export "growing") (param $p i32) (result i64)
    (i64.add (i64.load (local.get $p))
      (i64.add (i64.load offset=4 (local.get $p)) (i64.load offset=8 (local.get $p)))))
  (func (export "shrinking") (param $p i32) (result i64)
    (i64.add (i64.load offset=8 (local.get $p))
      (i64.add (i64.load offset=4 (local.get $p)) (i64.load (local.get $p))))))
"#;

#[test]
fn accesses_at_one_address_trap_at_the_first_out_of_bounds() {
    for name in ["growing", "shrinking"] {
        for p in [
            0,
            100,
            65536 - 16,
            65536 - 15,
            65536 - 12,
            65536 - 11,
            65536 - 8,
            -1,
        ] {
            let r = same(FIELDS, name, &[Val::I32(p)]);
            // Both reach 16 bytes past `p`.
            assert_eq!(r.is_err(), p as u32 > 65536 - 16, "{name}({p}): {r:?}");
        }
    }
    // Growing: the third load traps, at its own offset in the backtrace (which `same`
    // compares with the interpreter's).
    let err = same(FIELDS, "growing", &[Val::I32(65536 - 12)]).unwrap_err();
    assert!(err.contains("out of bounds memory access"), "{err}");
}

#[test]
fn a_loop_left_for_the_interpreter_and_entered_again_keeps_its_values() {
    // The outer loop's call and global are left to the interpreter; native code is
    // entered again at the inner loop's header on every outer iteration, and runs on
    // until the next call.
    let wat = r#"(module
      (global $g (mut i32) (i32.const 0))
      (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 3)))
      (func (export "run") (param $n i32) (result i32)
        (local $i i32) (local $j i32) (local $x i32)
        (loop $outer
          (local.set $x (i32.add (local.get $x) (call $inc (local.get $i))))
          (local.set $j (i32.const 0))
          (loop $inner
            (local.set $x (i32.xor (i32.mul (local.get $x) (i32.const 31)) (local.get $j)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $j) (i32.const 10))))
          (global.set $g (i32.add (global.get $g) (local.get $x)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (i32.xor (local.get $x) (global.get $g))))"#;
    let m = Module::new(&engine(Tier::Opt), wat).unwrap();
    let native = m.inner.code(1).unwrap().native().map(|n| n.entries.len());
    assert_eq!(
        native,
        Some(2),
        "the start and the inner loop, not the outer one"
    );
    let (mut x, mut g) = (0i32, 0i32);
    for i in 0..100 {
        x = x.wrapping_add(i + 3);
        for j in 0..10 {
            x = x.wrapping_mul(31) ^ j;
        }
        g = g.wrapping_add(x);
    }
    assert_eq!(
        same(wat, "run", &[Val::I32(100)]).unwrap(),
        [Val::I32(x ^ g)]
    );
}

#[test]
fn values_moved_untyped_keep_all_their_bits() {
    // The constant 18 is one slot for the i32, the i64 and (as bits) nothing else;
    // -18 as an i64 has its high half set; the f64 arithmetic makes f64 variables.
    // Every result is moved untyped into its result slot (spec: if.wast's
    // break-multi-value, which an i32-typed variable once truncated).
    let wat = r#"(module
      (func (export "multi") (param i32) (result i32 i32 i64 f64)
        (if (result i32 i32 i64 f64) (local.get 0)
          (then (i32.const 18) (i32.const -18) (i64.const 18)
                (f64.add (f64.const 1.5) (f64.convert_i32_s (local.get 0))))
          (else (i32.const -18) (i32.const 18) (i64.const -18) (f64.const -18)))))"#;
    for x in [0, 1, 7] {
        let got = same(wat, "multi", &[Val::I32(x)]).unwrap();
        let want = if x != 0 {
            [18, -18, 18]
        } else {
            [-18, 18, -18]
        };
        assert_eq!(
            got[..3],
            [
                Val::I32(want[0]),
                Val::I32(want[1]),
                Val::I64(want[2] as i64)
            ]
        );
    }
}

#[test]
fn globals_are_read_and_written_natively() {
    // An imported-style mix: an i32 counter, an i64 and an f64 accumulator, and an
    // immutable global, all in a loop native code runs whole.
    let wat = r#"(module
      (global $n (mut i32) (i32.const 0))
      (global $s (mut i64) (i64.const -5))
      (global $f (mut f64) (f64.const 0.5))
      (global $k i32 (i32.const 3))
      (func (export "run") (param $m i32) (result i64)
        (loop $l
          (global.set $n (i32.add (global.get $n) (global.get $k)))
          (global.set $s (i64.sub (global.get $s) (i64.extend_i32_s (global.get $n))))
          (global.set $f (f64.mul (global.get $f) (f64.const 1.5)))
          (br_if $l (i32.lt_s (global.get $n) (local.get $m))))
        (i64.add (global.get $s) (i64.trunc_f64_s (global.get $f))))
      (func (export "n") (result i32) (global.get $n)))"#;
    let m = Module::new(&engine(Tier::Opt), wat).unwrap();
    assert!(m.inner.code(0).unwrap().native().is_some());
    let (mut n, mut s, mut f) = (0i32, -5i64, 0.5f64);
    loop {
        n += 3;
        s -= n as i64;
        f *= 1.5;
        if n >= 60 {
            break;
        }
    }
    assert_eq!(
        same(wat, "run", &[Val::I32(60)]).unwrap(),
        [Val::I64(s + f as i64)]
    );
}

/// Runs export `run` of `wat` with `fuel` under `tier`: its result or error text, and
/// the fuel left.
fn fueled(tier: Tier, wat: &str, fuel: u64, arg: i32) -> (String, u64) {
    let mut config = Config::new();
    config.tier(tier).consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).unwrap();
    if tier == Tier::Opt {
        assert!(
            module.inner.code(0).unwrap().native().is_some(),
            "native code with fuel"
        );
    }
    let mut store = Store::new(&engine, ());
    store.set_fuel(fuel).unwrap();
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "run").unwrap();
    let mut out = [Val::I32(0)];
    let r = f.call(&mut store, &[Val::I32(arg)], &mut out);
    let shown = match r {
        Ok(()) => format!("{out:?}"),
        Err(e) => e.to_string(),
    };
    (shown, store.get_fuel().unwrap())
}

#[test]
fn fuel_runs_out_at_the_same_point_in_both_tiers() {
    let wat = r#"(module
      (func (export "run") (param $n i32) (result i32)
        (local $i i32) (local $s i32)
        (loop $l
          (local.set $s (i32.add (local.get $s) (i32.mul (local.get $i) (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s)))"#;
    let mut ran_out = 0;
    for fuel in [0, 1, 5, 17, 100, 1_000, 10_000, 100_000] {
        let interp = fueled(Tier::Interp, wat, fuel, 1000);
        let opt = fueled(Tier::Opt, wat, fuel, 1000);
        assert_eq!(interp, opt, "fuel {fuel}");
        ran_out += interp.0.contains("all fuel consumed") as usize;
    }
    assert!(ran_out >= 3, "some runs end for want of fuel");
}

#[test]
fn an_epoch_deadline_interrupts_native_loops() {
    let wat = r#"(module
      (func (export "run") (param i32) (result i32)
        (loop $l (br_if $l (i32.const 1)))
        (i32.const 0)))"#;
    let mut config = Config::new();
    config.tier(Tier::Opt).epoch_interruption(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat).unwrap();
    assert!(module.inner.code(0).unwrap().native().is_some());
    let mut store = Store::new(&engine, ());
    store.set_epoch_deadline(1);
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = instance.get_func(&store, "run").unwrap();
    // Another thread advances the epoch while the loop runs natively.
    let ticker = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            engine.increment_epoch();
        })
    };
    let err = f
        .call(&mut store, &[Val::I32(0)], &mut [Val::I32(0)])
        .unwrap_err();
    ticker.join().unwrap();
    assert!(err.to_string().contains("interrupted"), "{err}");
}

#[test]
fn deterministic_nans_are_canonical_in_native_code() {
    let wat = r#"(module
      (func (export "run") (param i32) (result i64)
        (local $x f64) (local $i i32)
        (loop $l
          (local.set $x (f64.div (f64.const 0) (f64.convert_i32_s (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get 0))))
        (i64.reinterpret_f64 (f64.sqrt (f64.neg (local.get $x))))))"#;
    for tier in [Tier::Interp, Tier::Opt] {
        let mut config = Config::new();
        config.tier(tier).deterministic(true);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat).unwrap();
        let native = module.inner.code(0).unwrap().native().is_some();
        assert_eq!(native, tier == Tier::Opt, "{tier:?}");
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_func(&store, "run").unwrap();
        let mut out = [Val::I64(0)];
        f.call(&mut store, &[Val::I32(1)], &mut out).unwrap();
        // 0/0 is a NaN; sqrt of -NaN too: canonical, positive, in both tiers.
        assert_eq!(out, [Val::I64(0x7ff8_0000_0000_0000)], "{tier:?}");
    }
}

#[test]
fn entering_native_code_many_times_keeps_the_host_stack_flat() {
    // Every outer iteration hands the call back to the interpreter and enters native
    // code again at the inner loop: with fuel on, 200,000 entries. Each entry must end
    // in a tail call (a context passed by reference once made it a plain call, and the
    // interpreter's guard stopped matmul with "host stack grew").
    let wat = r#"(module
      (func $id (param i32) (result i32) (local.get 0))
      (func (export "run") (param $n i32) (result i32)
        (local $i i32) (local $j i32) (local $s i32)
        (loop $outer
          (local.set $s (call $id (local.get $s)))
          (local.set $j (i32.const 0))
          (loop $inner
            (local.set $s (i32.add (local.get $s) (local.get $j)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $j) (i32.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s)))"#;
    for fuel in [false, true] {
        let mut config = Config::new();
        config.tier(Tier::Opt).consume_fuel(fuel);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        if fuel {
            store.set_fuel(u64::MAX).unwrap();
        }
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_func(&store, "run").unwrap();
        let mut out = [Val::I32(0)];
        f.call(&mut store, &[Val::I32(200_000)], &mut out).unwrap();
        assert_eq!(out, [Val::I32(600_000)], "fuel {fuel}");
    }
}

#[test]
fn bulk_memory_runs_natively_with_the_interpreters_bounds() {
    let wat = r#"(module
      (memory 1)
      (func (export "run") (param $n i32) (result i32)
        (local $i i32) (local $s i32)
        (loop $l
          (memory.fill (i32.mul (local.get $i) (i32.const 7)) (local.get $i) (i32.const 9))
          (memory.copy (i32.add (local.get $i) (i32.const 3)) (local.get $i) (i32.const 20))
          (local.set $s (i32.add (local.get $s) (i32.load (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s)))"#;
    let m = Module::new(&engine(Tier::Opt), wat).unwrap();
    let code = m.inner.code(0).unwrap();
    let entries = &code.native().expect("native code").entries;
    // The loop's header is an entry: the whole loop, fill and copy included, is native.
    let header = code.code.iter().enumerate().find_map(|(at, i)| {
        let off = { *i }.branch_offset_mut().copied()?;
        (off <= 0).then_some((at as i64 + off as i64) as u32)
    });
    assert!(header.is_some_and(|h| entries.contains(&h)), "{entries:?}");
    for n in [1, 100, 5_000] {
        same(wat, "run", &[Val::I32(n)]).unwrap();
    }
    // 9,363 * 7 + 9 passes the end of the page: both trap at the same fill.
    let r = same(wat, "run", &[Val::I32(10_000)]);
    assert!(r.unwrap_err().contains("out of bounds memory access"));
}
