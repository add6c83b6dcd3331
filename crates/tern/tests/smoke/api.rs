//! Misusing the embedding API (values of the wrong type, handles from another
//! store, modules from another engine) is an error, never a panic.

use tern::*;

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
