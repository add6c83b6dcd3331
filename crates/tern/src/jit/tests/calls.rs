//! Tests of native calls (`jit::call`): native code calling native code directly and
//! through table 0 gives what the interpreter gives, and when a natively called
//! function leaves (a trap, an instruction left to the interpreter, fuel running
//! out, the stack's depth or slots running out), the interpreter finds the frames it
//! would have made: the same backtraces, results, fuel left and stack limits.

use crate::{Config, Engine, Linker, Module, ResumableCall, Store, Tier, Val};

const CALLS: &str = r#"(module
  (memory 1)
  (global $calls (mut i32) (i32.const 0))
  (type $t (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $fib $twice $grow)
  (func $fib (export "fib") (param i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func $twice (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  ;; Leaves an instruction to the interpreter between two natively run parts.
  (func $grow (param i32) (result i32)
    (local $k i64)
    (local.set $k (i64.const 77))
    (drop (memory.grow (i32.const 0)))
    (i32.add (local.get 0) (i32.wrap_i64 (local.get $k))))
  ;; Direct and indirect calls in a loop, with values live across them.
  (func (export "calls") (param $n i32) (result i32)
    (local $i i32) (local $s i32) (local $f f64)
    (loop $l
      (local.set $f (f64.add (local.get $f) (f64.const 0.5)))
      (local.set $s (i32.add (local.get $s) (call $twice (local.get $i))))
      (local.set $s (i32.add (local.get $s)
        (call_indirect (type $t) (i32.and (local.get $i) (i32.const 7))
                                 (i32.rem_u (local.get $i) (i32.const 3)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $s) (i32.trunc_f64_s (local.get $f))))
  ;; Recursion that traps at its deepest frame (division by zero at depth 0).
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.div_u (i32.const 1) (local.get 0)))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  ;; Recursion without end: the stack's depth runs out.
  (func $forever (export "forever") (param i32) (result i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.add (i32.const 1) (call $forever (local.get 0))))
  (func (export "calls_made") (result i32) (global.get $calls))
  ;; Indirect calls that trap: out of bounds, null, wrong type.
  (func (export "bad_indirect") (param i32) (result i32)
    (call_indirect (type $t) (i32.const 1) (local.get 0)))
  (func (export "wrong_type") (result i32)
    (call_indirect (param i64) (result i32) (i64.const 1) (i32.const 1))))"#;

/// An engine of `tier`, metering fuel or not, with calls `depth` deep at most. Tier-up
/// compiles on the running thread, so a function is native as soon as it is hot
/// (`background_tier_up_moves_a_hot_function_to_native_code_later` tests the other way).
fn engine(tier: Tier, fuel: bool, depth: usize) -> Engine {
    let mut c = Config::new();
    c.tier(tier)
        .consume_fuel(fuel)
        .max_call_depth(depth)
        .parallel_compilation(false);
    Engine::new(&c)
}

/// Calls `name` with `args` in a fresh instance of `CALLS` under `tier` with `depth`:
/// the result or error text, the count of calls made (`calls_made`), and whether
/// `fib` (function 0) has native code afterwards.
fn call(tier: Tier, depth: usize, name: &str, args: &[Val]) -> (String, i32, bool) {
    let engine = engine(tier, false, depth);
    let module = Module::new(&engine, CALLS).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, name).unwrap();
    let mut out = [Val::I32(0)];
    let shown = match f.call(&mut store, args, &mut out) {
        Ok(()) => format!("{out:?}"),
        Err(e) => e.to_string(),
    };
    let made = inst.get_func(&store, "calls_made").unwrap();
    let mut n = [Val::I32(0)];
    made.call(&mut store, &[], &mut n).unwrap();
    let native = module.inner.code(0).unwrap().native().is_some();
    (shown, n[0].unwrap_i32(), native)
}

/// [`call`]'s result or error text and count of calls.
fn run(tier: Tier, depth: usize, name: &str, args: &[Val]) -> (String, i32) {
    let (shown, made, _) = call(tier, depth, name, args);
    (shown, made)
}

/// Runs `name` in both tiers, checks they agree, returns the interpreter's outcome.
fn same(depth: usize, name: &str, args: &[Val]) -> (String, i32) {
    let interp = run(Tier::Interp, depth, name, args);
    let opt = run(Tier::Opt, depth, name, args);
    // (Backtraces can be long: a disagreement shows their starts and sizes.)
    let short = |r: &(String, i32)| {
        let head: String = r.0.chars().take(200).collect();
        format!("{head}... ({} lines), {} calls", r.0.lines().count(), r.1)
    };
    assert!(
        interp == opt,
        "{name}{args:?}: the tiers disagree:\n{}\n{}",
        short(&interp),
        short(&opt)
    );
    interp
}

#[test]
fn native_calls_compute_what_the_interpreter_computes() {
    let (r, made) = same(10_000, "fib", &[Val::I32(20)]);
    assert_eq!(r, "[I32(6765)]");
    assert_eq!(made, 21_891, "one count per call");
    for n in [1, 2, 3, 10, 100] {
        same(10_000, "calls", &[Val::I32(n)]);
    }
    let (r, _) = same(10_000, "calls", &[Val::I32(10)]);
    // twice: 2 * 45; the table's functions of i & 7 for i % 3: fib, twice, grow.
    let table: i32 = (0..10)
        .map(|i: i32| match i % 3 {
            0 => [0, 1, 1, 2, 3, 5, 8, 13][(i & 7) as usize],
            1 => 2 * (i & 7),
            _ => (i & 7) + 77,
        })
        .sum();
    assert_eq!(r, format!("[I32({})]", 90 + table + 5));
}

#[test]
fn a_trap_in_a_natively_called_function_has_the_interpreters_backtrace() {
    let (r, _) = same(10_000, "down", &[Val::I32(5)]);
    assert!(r.contains("integer divide by zero"), "{r}");
    assert_eq!(r.matches("down").count(), 6, "six frames of `down`: {r}");
}

#[test]
fn the_stack_runs_out_at_the_same_depth_in_both_tiers() {
    for depth in [1, 2, 50, 1000] {
        let (r, made) = same(depth, "forever", &[Val::I32(0)]);
        assert!(r.contains("call stack exhausted"), "{r}");
        assert_eq!(made as usize, depth, "one frame per call, up to the depth");
    }
}

#[test]
fn indirect_calls_trap_as_in_the_interpreter() {
    for i in [0, 1, 2, 3, 4, 5] {
        let (r, _) = same(100, "bad_indirect", &[Val::I32(i)]);
        let want = match i {
            0 => "[I32(1)]",
            1 => "[I32(2)]",
            2 => "[I32(78)]",
            3 => "uninitialized element",
            _ => "undefined element",
        };
        assert!(r.contains(want), "{i}: {r}");
    }
    let (r, _) = same(100, "wrong_type", &[]);
    assert!(r.contains("indirect call type mismatch"), "{r}");
}

/// `fib(n)` with `fuel`, paused and resumed with the same amount each time it runs
/// out: the result, the number of pauses and the fuel left.
fn paused(tier: Tier, n: i32, fuel: u64) -> (i32, usize, u64) {
    let engine = engine(tier, true, 10_000);
    let module = Module::new(&engine, CALLS).unwrap();
    let mut store = Store::new(&engine, ());
    store.set_fuel(fuel).unwrap();
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, "fib").unwrap();
    let mut out = [Val::I32(0)];
    let mut pauses = 0;
    let mut call = f
        .call_resumable(&mut store, &[Val::I32(n)], &mut out)
        .unwrap();
    while let ResumableCall::OutOfFuel(inv) = call {
        pauses += 1;
        store.set_fuel(fuel).unwrap();
        call = inv.resume(&mut store, &mut out).unwrap();
    }
    (out[0].unwrap_i32(), pauses, store.get_fuel().unwrap())
}

#[test]
fn fuel_running_out_in_native_recursion_pauses_and_resumes_as_in_the_interpreter() {
    for fuel in [50, 333, 5_000] {
        let interp = paused(Tier::Interp, 15, fuel);
        let opt = paused(Tier::Opt, 15, fuel);
        assert_eq!(interp, opt, "fuel {fuel}");
        assert_eq!(interp.0, 610);
        assert!(interp.1 > 0, "fuel {fuel} runs out");
    }
}

#[test]
fn native_calls_and_returns_keep_the_host_stack_bounded() {
    // Recursion deeper than the threads' stacks hold native frames (100,000 frames
    // of at least 32 bytes each): native code leaves calls to the interpreter before
    // the host stack runs low, and the result is the interpreter's.
    for stack in [256 << 10, 2 << 20] {
        let h = std::thread::Builder::new()
            .stack_size(stack)
            .spawn(|| run(Tier::Opt, 200_000, "down", &[Val::I32(100_000)]).0)
            .unwrap();
        let r = h.join().unwrap();
        assert!(r.contains("integer divide by zero"), "{r}");
        assert_eq!(r.matches("down").count(), 100_001, "every frame");
    }
}

/// [`call`]'s result or error text, and whether `fib` has native code.
fn tiered(tier: Tier, name: &str, args: &[Val]) -> (String, bool) {
    let (shown, _, native) = call(tier, 10_000, name, args);
    (shown, native)
}

#[test]
fn tier_up_compiles_a_function_once_it_is_hot() {
    if !Engine::has_optimizing_tier() {
        return;
    }
    // A few calls stay in the interpreter; many make `fib` native, mid-recursion.
    let (r, native) = tiered(Tier::Auto, "fib", &[Val::I32(5)]);
    assert_eq!((r.as_str(), native), ("[I32(5)]", false));
    let (r, native) = tiered(Tier::Auto, "fib", &[Val::I32(25)]);
    assert_eq!((r.as_str(), native), ("[I32(75025)]", true));
    // The interpreter's tier never compiles.
    let (_, native) = tiered(Tier::Interp, "fib", &[Val::I32(25)]);
    assert!(!native);
    // Recursion through tier-up traps as in the interpreter, backtrace and all.
    let auto = tiered(Tier::Auto, "down", &[Val::I32(3_000)]).0;
    let interp = tiered(Tier::Interp, "down", &[Val::I32(3_000)]).0;
    assert_eq!(auto, interp);
}

#[test]
fn background_tier_up_moves_a_hot_function_to_native_code_later() {
    if !Engine::has_optimizing_tier() {
        return;
    }
    let engine = Engine::new(Config::new().tier(Tier::Auto));
    let module = Module::new(&engine, CALLS).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let fib = inst.get_func(&store, "fib").unwrap();
    let mut out = [Val::I32(0)];
    // The result is the interpreter's whichever tier ran which part.
    fib.call(&mut store, &[Val::I32(25)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(75025));
    // The native code comes, from this thread or the background compiler's.
    let code = module.inner.code(0).unwrap();
    let start = std::time::Instant::now();
    while code.native.get().is_none() && start.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert!(code.native().is_some(), "fib got native code");
    // And is used: the same results, now natively.
    fib.call(&mut store, &[Val::I32(27)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(196418));
}

#[test]
fn a_running_loop_moves_to_native_code_on_tier_up() {
    if !Engine::has_optimizing_tier() {
        return;
    }
    // One call whose loop runs long enough to get hot: entered natively at its loop
    // header with the interpreter's values (on-stack replacement).
    let wat = r#"(module
      (func (export "run") (param $n i32) (result i64)
        (local $i i32) (local $s i64)
        (loop $l
          (local.set $s (i64.add (local.get $s) (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $s)))"#;
    let engine = engine(Tier::Auto, false, 10_000);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let f = inst.get_func(&store, "run").unwrap();
    let mut out = [Val::I64(0)];
    f.call(&mut store, &[Val::I32(100_000)], &mut out).unwrap();
    let n = 100_000i64;
    assert_eq!(out[0], Val::I64(3 * n * (n - 1) / 2));
    let code = module.inner.code(0).unwrap();
    assert!(code.native().is_some(), "the loop got hot");
}
