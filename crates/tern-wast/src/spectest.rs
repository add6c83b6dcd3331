//! The `spectest` module the scripts import from: print functions that do nothing,
//! the four constant globals, `table`, `table64`, `memory` and `shared_memory`,
//! defined into a runner's linker. It knows nothing of scripts or reports.

use tern::{
    AddrType, Func, FuncType, Global, GlobalType, HeapType, Limits, Linker, Memory, MemoryType,
    Mutability, RefType, Store, Table, TableType, Val, ValType,
};

/// Defines the `spectest` module the scripts import from.
pub(crate) fn define_spectest(linker: &mut Linker<()>, store: &mut Store<()>) {
    use ValType::*;
    let prints: [(&str, &[ValType]); 7] = [
        ("print", &[]),
        ("print_i32", &[I32]),
        ("print_i64", &[I64]),
        ("print_f32", &[F32]),
        ("print_f64", &[F64]),
        ("print_i32_f32", &[I32, F32]),
        ("print_f64_f64", &[F64, F64]),
    ];
    for (name, params) in prints {
        let ty = FuncType::new(params.iter().copied(), []);
        let f = Func::new(&mut *store, ty, |_, _, _| Ok(()));
        let _ = linker.define(&*store, "spectest", name, f);
    }
    let globals = [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::f32(666.6)),
        ("global_f64", Val::f64(666.6)),
    ];
    for (name, v) in globals {
        if let Ok(g) = Global::new(&mut *store, GlobalType::new(v.ty(), Mutability::Const), v) {
            let _ = linker.define(&*store, "spectest", name, g);
        }
    }
    if let Ok(t) = Table::new(
        &mut *store,
        TableType::new(RefType::FUNCREF, 10, Some(20)),
        Val::FuncRef(None),
    ) {
        let _ = linker.define(&*store, "spectest", "table", t);
    }
    let t64 = TableType {
        addr: AddrType::I64,
        limits: Limits {
            min: 10,
            max: Some(20),
        },
        elem: RefType::new(true, HeapType::Func),
    };
    if let Ok(t) = Table::new(&mut *store, t64, Val::FuncRef(None)) {
        let _ = linker.define(&*store, "spectest", "table64", t);
    }
    if let Ok(m) = Memory::new(&mut *store, MemoryType::new(1, Some(2))) {
        let _ = linker.define(&*store, "spectest", "memory", m);
    }
    // For the threads proposal's scripts.
    let shared = MemoryType {
        shared: true,
        ..MemoryType::new(1, Some(2))
    };
    if let Ok(m) = Memory::new(&mut *store, shared) {
        let _ = linker.define(&*store, "spectest", "shared_memory", m);
    }
}
