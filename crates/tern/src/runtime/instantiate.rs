//! Instantiation (spec: Execution › Modules › Instantiation): checks imports against
//! the module's import types, allocates the module's functions, globals, tables,
//! memories and segments in the store, and applies active segments. Running the start
//! function is left to the caller, which owns the host functions it may call.

use std::sync::{Arc, OnceLock};

use crate::error::{Error, Result, Trap, TrapCode};
use crate::runtime::memory::MemoryEntity;
use crate::runtime::module::ModuleInner;
use crate::runtime::store::{
    push, DataEntity, ElemEntity, ExternIdx, FuncEntity, GlobalEntity, InstanceEntity, StoreInner,
    WasmFunc,
};
use crate::runtime::table::TableEntity;
use crate::syntax::{
    ConstExpr, DataMode, ElemItems, ElemMode, ExternKind, GlobalType, HeapType, ImportDesc, Limits,
    MemoryType, NumericOp, Operator, RefType, TableType, ValType,
};

/// Instantiates `module` with `imports` (one per module import, in order). Returns the
/// new instance's index and the store index of its start function, if any.
pub fn instantiate(
    store: &mut StoreInner,
    module: &Arc<ModuleInner>,
    imports: &[ExternIdx],
) -> Result<(u32, Option<u32>)> {
    let m = &module.syntax;
    if imports.len() != m.imports.len() {
        return Err(Error::Unlinkable(format!(
            "expected {} imports, got {}",
            m.imports.len(),
            imports.len()
        )));
    }
    if store
        .data
        .limits
        .instances
        .is_some_and(|n| store.code.instances.len() >= n)
    {
        return Err(Error::Instantiation(
            "the store's instance limit is reached".into(),
        ));
    }
    let instance_idx = store.code.instances.len() as u32;
    let mut inst = InstanceEntity {
        funcs: Vec::new(),
        imported_funcs: 0,
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        elems: Vec::new(),
        datas: Vec::new(),
        exports: Vec::new(),
    };
    for (imp, &ext) in m.imports.iter().zip(imports) {
        check_import(store, module, imp, ext)?;
        match ext {
            ExternIdx::Func(i) => inst.funcs.push(i),
            ExternIdx::Table(i) => inst.tables.push(i),
            ExternIdx::Memory(i) => inst.memories.push(i),
            ExternIdx::Global(i) => inst.globals.push(i),
        }
    }
    inst.imported_funcs = inst.funcs.len() as u32;
    for (def, &ty) in m.funcs.iter().enumerate() {
        let type_id = module
            .type_ids
            .get(ty as usize)
            .copied()
            .unwrap_or(u32::MAX);
        let f = FuncEntity::Wasm(WasmFunc {
            module: module.clone(),
            def_index: def as u32,
            instance: instance_idx,
            type_id,
            compiled: OnceLock::new(),
        });
        inst.funcs.push(store.push_func(f)?);
    }
    // The interpreter computes a defined function's store index from the first one's;
    // should they ever not be consecutive, every function is looked up instead.
    let defined = &inst.funcs[inst.imported_funcs as usize..];
    if defined.windows(2).any(|w| w[1] != w[0].wrapping_add(1)) {
        inst.imported_funcs = inst.funcs.len() as u32;
    }
    for g in &m.globals {
        let value = eval_const_bits(store, &inst, &g.init)?;
        inst.globals.push(push(
            &mut store.data.globals,
            GlobalEntity {
                ty: GlobalType {
                    content: canon_val(module, g.ty.content),
                    ..g.ty
                },
                value,
            },
        )?);
    }
    for t in &m.tables {
        let init = match &t.init {
            Some(e) => eval_const(store, &inst, e)?,
            None => 0,
        };
        let ty = TableType {
            elem: canon_ref(module, t.ty.elem),
            ..t.ty
        };
        let table = TableEntity::new(ty, init, store.data.limits.table_elements);
        let table = table.filter(|_| store.data.table_fits()).ok_or_else(|| {
            Error::Instantiation(format!(
                "cannot allocate a table of {} elements (over the store's limit or the host's)",
                t.ty.limits.min
            ))
        })?;
        inst.tables.push(push(&mut store.data.tables, table)?);
    }
    for &ty in &m.memories {
        let mem = MemoryEntity::new(ty, store.data.limits.memory_bytes, store.data.guard_pages);
        let mem = mem
            .filter(|m| store.data.memory_fits(m.byte_len() as u64))
            .ok_or_else(|| {
                Error::Instantiation(format!(
                    "cannot allocate a memory of {} pages (over the store's limit or the host's)",
                    ty.limits.min
                ))
            })?;
        inst.memories.push(push(&mut store.data.memories, mem)?);
    }
    for e in &m.elems {
        let items = match &e.items {
            ElemItems::Funcs(fs) => fs
                .iter()
                .map(|&f| func_ref(&inst, f))
                .collect::<Result<Vec<u64>>>()?,
            ElemItems::Exprs(es) => es
                .iter()
                .map(|x| eval_const(store, &inst, x))
                .collect::<Result<Vec<u64>>>()?,
        };
        inst.elems
            .push(push(&mut store.data.elems, ElemEntity { items })?);
    }
    for d in &m.datas {
        let bytes = Arc::clone(&d.init);
        inst.datas
            .push(push(&mut store.data.datas, DataEntity { bytes })?);
    }
    for e in &m.exports {
        let i = e.index as usize;
        let idx = match e.kind {
            ExternKind::Func => inst.funcs.get(i).map(|&x| ExternIdx::Func(x)),
            ExternKind::Table => inst.tables.get(i).map(|&x| ExternIdx::Table(x)),
            ExternKind::Memory => inst.memories.get(i).map(|&x| ExternIdx::Memory(x)),
            ExternKind::Global => inst.globals.get(i).map(|&x| ExternIdx::Global(x)),
            ExternKind::Tag => None,
        };
        let idx = idx.ok_or_else(|| Error::unsupported(0, format!("export of {}", e.kind)))?;
        inst.exports.push((e.name.clone(), idx));
    }
    let start = match m.start {
        Some(s) => Some(
            *inst
                .funcs
                .get(s as usize)
                .ok_or_else(|| Error::invalid(0, "unknown start function"))?,
        ),
        None => None,
    };

    // The instance exists from here on, even if a segment traps below (the spec keeps
    // the effects of segments applied before the trap).
    let elems = inst.elems.clone();
    let datas = inst.datas.clone();
    let tables = inst.tables.clone();
    let memories = inst.memories.clone();
    store.code.instances.push(inst);
    let inst = &store.code.instances[instance_idx as usize];

    let mut actions = Vec::new();
    for (i, e) in m.elems.iter().enumerate() {
        match &e.mode {
            ElemMode::Active { table, offset } => {
                let off = eval_const(store, inst, offset)?;
                actions.push((true, i, *table, off));
            }
            ElemMode::Declarative => actions.push((true, i, u32::MAX, 0)),
            ElemMode::Passive => {}
        }
    }
    for (i, d) in m.datas.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &d.mode {
            let off = eval_const(store, inst, offset)?;
            actions.push((false, i, *memory, off));
        }
    }
    for (is_elem, i, target, off) in actions {
        if is_elem {
            let seg = elems[i] as usize;
            if target != u32::MAX {
                let t = tables[target as usize] as usize;
                let items = std::mem::take(&mut store.data.elems[seg].items);
                let table = &mut store.data.tables[t];
                let start = addr_of(table.ty.addr == crate::syntax::AddrType::I64, off);
                let end = start.checked_add(items.len() as u64);
                match end {
                    Some(end) if end <= table.size() => {
                        table.elems[start as usize..end as usize].copy_from_slice(&items)
                    }
                    _ => return Err(Trap::new(TrapCode::TableOutOfBounds).into()),
                }
            }
            store.data.elems[seg].items = Vec::new();
        } else {
            let seg = datas[i] as usize;
            let mem = &mut store.data.memories[memories[target as usize] as usize];
            let bytes = std::mem::replace(&mut store.data.datas[seg].bytes, Arc::from([]));
            let start = addr_of(mem.ty.addr == crate::syntax::AddrType::I64, off);
            let end = start.checked_add(bytes.len() as u64);
            match end {
                Some(end) if end <= mem.data().len() as u64 => {
                    mem.data_mut()[start as usize..end as usize].copy_from_slice(&bytes)
                }
                _ => return Err(Trap::new(TrapCode::MemoryOutOfBounds).into()),
            }
        }
    }
    Ok((instance_idx, start))
}

/// An offset value as an address: i32 offsets are unsigned 32-bit.
fn addr_of(is64: bool, v: u64) -> u64 {
    if is64 {
        v
    } else {
        v as u32 as u64
    }
}

fn func_ref(inst: &InstanceEntity, f: u32) -> Result<u64> {
    let i = inst
        .funcs
        .get(f as usize)
        .ok_or_else(|| Error::invalid(0, "unknown function"))?;
    Ok(*i as u64 + 1)
}

/// Evaluates a validated constant expression in the instance being built.
pub fn eval_const(store: &StoreInner, inst: &InstanceEntity, e: &ConstExpr) -> Result<u64> {
    eval_const_bits(store, inst, e).map(|v| v as u64)
}

/// Evaluates a validated constant expression to its full slot representation (all
/// 128 bits for a `v128`).
pub fn eval_const_bits(store: &StoreInner, inst: &InstanceEntity, e: &ConstExpr) -> Result<u128> {
    let mut stack: Vec<u128> = Vec::with_capacity(4);
    let bad = || Error::invalid(e.offset, "constant expression required");
    for op in &e.ops {
        let v = match op {
            Operator::I32Const(v) => *v as u32 as u128,
            Operator::I64Const(v) => *v as u64 as u128,
            Operator::F32Const(v) => *v as u128,
            Operator::F64Const(v) => *v as u128,
            Operator::V128Const(b) => u128::from_le_bytes(*b),
            Operator::RefNull(_) => 0,
            Operator::RefFunc(f) => func_ref(inst, *f)? as u128,
            Operator::GlobalGet(g) => {
                let gi = *inst.globals.get(*g as usize).ok_or_else(bad)?;
                store.data.globals[gi as usize].value
            }
            Operator::Numeric(op) => {
                let b = stack.pop().ok_or_else(bad)? as u64;
                let a = stack.pop().ok_or_else(bad)? as u64;
                let (a32, b32) = (a as u32, b as u32);
                (match op {
                    NumericOp::I32Add => a32.wrapping_add(b32) as u64,
                    NumericOp::I32Sub => a32.wrapping_sub(b32) as u64,
                    NumericOp::I32Mul => a32.wrapping_mul(b32) as u64,
                    NumericOp::I64Add => a.wrapping_add(b),
                    NumericOp::I64Sub => a.wrapping_sub(b),
                    NumericOp::I64Mul => a.wrapping_mul(b),
                    _ => return Err(bad()),
                }) as u128
            }
            _ => return Err(bad()),
        };
        stack.push(v);
    }
    stack.pop().ok_or_else(bad)
}

fn incompatible(imp: &crate::syntax::Import, expected: String, actual: String) -> Error {
    Error::Unlinkable(format!(
        "incompatible import type for `{}::{}`: expected {expected}, found {actual}",
        imp.module, imp.name
    ))
}

fn limits_match(actual: Limits, expected: Limits) -> bool {
    actual.min >= expected.min
        && match expected.max {
            None => true,
            Some(emax) => matches!(actual.max, Some(amax) if amax <= emax),
        }
}

pub fn table_type_matches(actual: &TableType, expected: &TableType) -> bool {
    actual.addr == expected.addr
        && actual.elem == expected.elem
        && limits_match(actual.limits, expected.limits)
}

pub fn memory_type_matches(actual: &MemoryType, expected: &MemoryType) -> bool {
    actual.addr == expected.addr
        && actual.shared == expected.shared
        && actual.page_size_log2() == expected.page_size_log2()
        && limits_match(actual.limits, expected.limits)
}

/// Immutable globals match covariantly (a `(ref func)` global satisfies a `funcref`
/// import); mutable ones must have equal types.
pub fn global_type_matches(actual: &GlobalType, expected: &GlobalType) -> bool {
    actual.mutable == expected.mutable
        && if actual.mutable {
            actual.content == expected.content
        } else {
            valtype_matches(actual.content, expected.content)
        }
}

/// A module's reference type with concrete type indices replaced by engine-wide type
/// ids, so that types from different modules compare.
pub fn canon_ref(module: &ModuleInner, r: RefType) -> RefType {
    match r.heap {
        HeapType::Concrete(i) => RefType {
            heap: HeapType::Concrete(module.type_ids.get(i as usize).copied().unwrap_or(u32::MAX)),
            ..r
        },
        _ => r,
    }
}

pub fn canon_val(module: &ModuleInner, v: ValType) -> ValType {
    match v {
        ValType::Ref(r) => ValType::Ref(canon_ref(module, r)),
        v => v,
    }
}

/// Value subtyping over abstract heap types (concrete types match only themselves).
fn valtype_matches(actual: ValType, expected: ValType) -> bool {
    match (actual, expected) {
        (ValType::Ref(a), ValType::Ref(e)) => {
            (!a.nullable || e.nullable) && heap_matches(a.heap, e.heap)
        }
        (a, e) => a == e,
    }
}

fn heap_matches(a: HeapType, e: HeapType) -> bool {
    use HeapType::*;
    a == e
        || match (a, e) {
            (NoFunc, Func) | (NoExtern, Extern) | (NoExn, Exn) => true,
            (None, Any | Eq | I31 | Struct | Array) => true,
            (I31 | Struct | Array, Eq | Any) | (Eq, Any) => true,
            // Engine-wide type ids name function types only (for now).
            (NoFunc, Concrete(_)) | (Concrete(_), Func) => true,
            _ => false,
        }
}

/// The actual (store) type of a memory, whose current size replaces its declared
/// minimum, as the spec's external typing says.
fn check_import(
    store: &StoreInner,
    module: &ModuleInner,
    imp: &crate::syntax::Import,
    ext: ExternIdx,
) -> Result<()> {
    match (&imp.desc, ext) {
        (ImportDesc::Func(t), ExternIdx::Func(f)) => {
            let want = module
                .type_ids
                .get(*t as usize)
                .copied()
                .unwrap_or(u32::MAX);
            let func = store
                .code
                .funcs
                .get(f as usize)
                .ok_or_else(|| Error::api("bad func"))?;
            if func.type_id() != want {
                let actual = match func {
                    FuncEntity::Wasm(w) => w.ty().to_string(),
                    FuncEntity::Host { ty, .. } => ty.to_string(),
                };
                let expected = module.syntax.func_type(*t).map(|f| f.to_string());
                return Err(incompatible(imp, expected.unwrap_or_default(), actual));
            }
        }
        (ImportDesc::Table(want), ExternIdx::Table(i)) => {
            let t = store
                .data
                .tables
                .get(i as usize)
                .ok_or_else(|| Error::api("bad table"))?;
            let actual = TableType {
                limits: Limits {
                    min: t.size(),
                    ..t.ty.limits
                },
                ..t.ty
            };
            let want = &TableType {
                elem: canon_ref(module, want.elem),
                ..*want
            };
            if !table_type_matches(&actual, want) {
                return Err(incompatible(
                    imp,
                    format!("table {want}"),
                    format!("table {actual}"),
                ));
            }
        }
        (ImportDesc::Memory(want), ExternIdx::Memory(i)) => {
            let m = store
                .data
                .memories
                .get(i as usize)
                .ok_or_else(|| Error::api("bad memory"))?;
            let actual = MemoryType {
                limits: Limits {
                    min: m.pages(),
                    ..m.ty.limits
                },
                ..m.ty
            };
            if !memory_type_matches(&actual, want) {
                return Err(incompatible(
                    imp,
                    format!("memory {want}"),
                    format!("memory {actual}"),
                ));
            }
        }
        (ImportDesc::Global(want), ExternIdx::Global(i)) => {
            let g = store
                .data
                .globals
                .get(i as usize)
                .ok_or_else(|| Error::api("bad global"))?;
            let want = &GlobalType {
                content: canon_val(module, want.content),
                ..*want
            };
            if !global_type_matches(&g.ty, want) {
                return Err(incompatible(
                    imp,
                    format!("global {want}"),
                    format!("global {}", g.ty),
                ));
            }
        }
        (desc, ext) => {
            let actual = match ext {
                ExternIdx::Func(_) => "func",
                ExternIdx::Table(_) => "table",
                ExternIdx::Memory(_) => "memory",
                ExternIdx::Global(_) => "global",
            };
            return Err(incompatible(
                imp,
                desc.kind().to_string(),
                actual.to_string(),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Linker, Module, Store};

    /// The interpreter finds a defined function's store index as `funcs[i] - i`
    /// (the same for every defined `i`); imported ones are looked up.
    #[test]
    fn defined_functions_get_consecutive_store_indices() {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::<()>::new(&engine);
        linker.func_wrap("host", "h", |x: i32| x).unwrap();
        let a = r#"(module (func (export "one") (result i32) (i32.const 1))
            (func (export "two") (result i32) (i32.const 2)))"#;
        let a = linker
            .instantiate(&mut store, &Module::new(&engine, a).unwrap())
            .unwrap();
        linker.instance(&mut store, "a", a).unwrap();
        let b = r#"(module (import "a" "two" (func (result i32))) (import "host" "h" (func (param i32) (result i32)))
            (import "a" "one" (func (result i32)))
            (func) (func) (func (result i32) (call 2)))"#;
        let b = linker
            .instantiate(&mut store, &Module::new(&engine, b).unwrap())
            .unwrap();
        for (inst, imported) in [(a, 0), (b, 3)] {
            let entity = &store.inner.code.instances[inst.index as usize];
            assert_eq!(entity.imported_funcs, imported);
            let defined = &entity.funcs[imported as usize..];
            assert!(!defined.is_empty());
            let base = defined[0];
            for (i, &f) in defined.iter().enumerate() {
                assert_eq!(f, base + i as u32, "{:?}", entity.funcs);
            }
        }
    }
}
