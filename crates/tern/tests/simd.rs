//! Vector values through the whole pipeline: parameters and results (typed and
//! untyped calls), locals, globals, host functions, blocks, `select`, `drop`, calls
//! between wasm functions, memory, and a loop, each checked against a value computed
//! by hand.

use tern::{Caller, Engine, Linker, Module, Store, Val, V128};

fn lanes32(x: [u32; 4]) -> u128 {
    x.iter()
        .enumerate()
        .fold(0u128, |acc, (i, &l)| acc | (l as u128) << (32 * i))
}

fn instance(wat: &str) -> (Store<Vec<u128>>, tern::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module");
    let mut store = Store::new(&engine, Vec::new());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "twice",
            |mut c: Caller<'_, Vec<u128>>, v: u128| -> u128 {
                c.data_mut().push(v);
                v.wrapping_add(v)
            },
        )
        .expect("host function");
    let instance = linker.instantiate(&mut store, &module).expect("instance");
    (store, instance)
}

const WAT: &str = r#"(module
  (import "host" "twice" (func $twice (param v128) (result v128)))
  (memory 1)
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (func (export "add") (param v128 v128) (result v128)
    (i32x4.add (local.get 0) (local.get 1)))
  (func (export "mixed") (param i32 v128 i64) (result i64 v128 i32)
    (local $t v128) (local $n i32)
    (local.set $t (i32x4.splat (local.get 0)))
    (local.set $n (i32.const 7))
    (local.get 2)
    (i32x4.add (local.get $t) (local.get 1))
    (local.get $n))
  (func $inner (param v128 i32) (result v128)
    (i32x4.mul (local.get 0) (i32x4.splat (local.get 1))))
  (func (export "calls") (param v128) (result v128)
    (call $inner (call $twice (local.get 0)) (i32.const 3)))
  (func (export "global") (param v128) (result v128)
    (global.set $g (i32x4.add (global.get $g) (local.get 0)))
    (global.get $g))
  (func (export "select") (param v128 v128 i32) (result v128)
    (select (local.get 0) (local.get 1) (local.get 2)))
  (func (export "typed_select") (param v128 v128 i32) (result v128)
    (select (result v128) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "drop") (param v128 i32) (result i32)
    (local.get 1) (local.get 0) (drop))
  (func (export "block") (param v128 i32) (result v128)
    (block (result v128)
      (local.get 0)
      (br_if 0 (local.get 1))
      (drop)
      (v128.const i32x4 9 9 9 9)))
  (func (export "memory") (param v128) (result i32)
    (v128.store offset=16 (i32.const 0) (local.get 0))
    (i32.load offset=20 (i32.const 0)))
  (func (export "loop") (param i32) (result v128)
    (local $acc v128)
    (block
      (loop
        (br_if 1 (i32.eqz (local.get 0)))
        (local.set $acc (i32x4.add (local.get $acc) (v128.const i32x4 1 2 3 4)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br 0)))
    (local.get $acc))
)"#;

#[test]
fn typed_parameters_and_results() {
    let (mut store, inst) = instance(WAT);
    let add = inst
        .get_typed_func::<(u128, u128), u128>(&store, "add")
        .expect("add");
    let a = lanes32([1, 2, 3, u32::MAX]);
    let b = lanes32([10, 20, 30, 2]);
    assert_eq!(
        add.call(&mut store, (a, b)).unwrap(),
        lanes32([11, 22, 33, 1])
    );
    let add = inst
        .get_typed_func::<(V128, V128), V128>(&store, "add")
        .expect("add as V128");
    assert_eq!(
        add.call(&mut store, (V128(a), V128(b))).unwrap(),
        V128(lanes32([11, 22, 33, 1]))
    );
}

#[test]
fn mixed_widths_in_one_signature() {
    let (mut store, inst) = instance(WAT);
    let f = inst.get_func(&store, "mixed").expect("mixed");
    let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
    f.call(
        &mut store,
        &[Val::I32(5), Val::V128(lanes32([1, 2, 3, 4])), Val::I64(-9)],
        &mut out,
    )
    .unwrap();
    assert_eq!(
        out,
        [Val::I64(-9), Val::V128(lanes32([6, 7, 8, 9])), Val::I32(7)]
    );
}

#[test]
fn calls_through_host_and_wasm() {
    let (mut store, inst) = instance(WAT);
    let f = inst.get_typed_func::<u128, u128>(&store, "calls").unwrap();
    let v = lanes32([1, 2, 3, 4]);
    assert_eq!(f.call(&mut store, v).unwrap(), lanes32([6, 12, 18, 24]));
    assert_eq!(store.data(), &vec![v]);
}

#[test]
fn globals_hold_vectors() {
    let (mut store, inst) = instance(WAT);
    let f = inst.get_typed_func::<u128, u128>(&store, "global").unwrap();
    let one = lanes32([1, 1, 1, 1]);
    assert_eq!(f.call(&mut store, one).unwrap(), lanes32([2, 3, 4, 5]));
    assert_eq!(f.call(&mut store, one).unwrap(), lanes32([3, 4, 5, 6]));
    let g = inst.get_global(&store, "g").expect("exported global");
    assert_eq!(g.get(&store), Val::V128(lanes32([3, 4, 5, 6])));
    g.set(&mut store, Val::V128(lanes32([7, 7, 7, 7]))).unwrap();
    assert_eq!(f.call(&mut store, 0).unwrap(), lanes32([7, 7, 7, 7]));
    assert!(
        g.set(&mut store, Val::I32(1)).is_err(),
        "a v128 global takes only v128"
    );
}

#[test]
fn select_drop_and_blocks() {
    let (mut store, inst) = instance(WAT);
    let (a, b) = (lanes32([1, 2, 3, 4]), lanes32([5, 6, 7, 8]));
    for name in ["select", "typed_select"] {
        let f = inst
            .get_typed_func::<(u128, u128, i32), u128>(&store, name)
            .unwrap();
        assert_eq!(f.call(&mut store, (a, b, 1)).unwrap(), a, "{name}");
        assert_eq!(f.call(&mut store, (a, b, 0)).unwrap(), b, "{name}");
    }
    let drop = inst
        .get_typed_func::<(u128, i32), i32>(&store, "drop")
        .unwrap();
    assert_eq!(drop.call(&mut store, (a, 42)).unwrap(), 42);
    let block = inst
        .get_typed_func::<(u128, i32), u128>(&store, "block")
        .unwrap();
    assert_eq!(block.call(&mut store, (a, 1)).unwrap(), a);
    assert_eq!(
        block.call(&mut store, (a, 0)).unwrap(),
        lanes32([9, 9, 9, 9])
    );
}

#[test]
fn memory_and_loops() {
    let (mut store, inst) = instance(WAT);
    let m = inst.get_typed_func::<u128, i32>(&store, "memory").unwrap();
    assert_eq!(
        m.call(&mut store, lanes32([1, 0xABCD, 3, 4])).unwrap(),
        0xABCD
    );
    let l = inst.get_typed_func::<i32, u128>(&store, "loop").unwrap();
    assert_eq!(
        l.call(&mut store, 1000).unwrap(),
        lanes32([1000, 2000, 3000, 4000])
    );
}

#[test]
fn out_of_bounds_vector_access_traps() {
    let (mut store, inst) = instance(
        r#"(module (memory 1)
          (func (export "load") (param i32) (result v128) (v128.load (local.get 0))))"#,
    );
    let f = inst.get_typed_func::<i32, u128>(&store, "load").unwrap();
    assert_eq!(f.call(&mut store, 65536 - 16).unwrap(), 0);
    let err = f.call(&mut store, 65536 - 15).unwrap_err();
    assert!(
        err.to_string().contains("out of bounds memory access"),
        "{err}"
    );
}
