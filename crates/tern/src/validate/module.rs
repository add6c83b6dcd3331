//! Module-level validation (spec: Validation › Types, Modules): the type section
//! (recursion groups, subtype declarations), imports, functions, tables, memories,
//! globals, tags, exports, the start function, element and data segments, and
//! constant expressions. It builds the [`Ctx`] that function bodies are checked in,
//! but does not look inside function bodies (that is `func/`).

use std::collections::HashSet;

use super::context::Ctx;
use super::matching::Types;
use crate::error::{Error, Result};
use crate::syntax::{
    AddrType, CompositeType, ConstExpr, DataMode, Elem, ElemItems, ElemMode, ExternKind, FieldType,
    GlobalType, HeapType, ImportDesc, Limits, MemoryType, Module, NumericOp, Operator, RefType,
    StorageType, TableType, TagType, ValType,
};

/// Checks everything but function bodies and returns the context for them.
pub(crate) fn validate_module(module: &Module) -> Result<Ctx<'_>> {
    let types = validate_types(module)?;
    let mut ctx = Ctx {
        module,
        types,
        funcs: Vec::new(),
        tables: Vec::new(),
        memories: Vec::new(),
        globals: Vec::new(),
        tags: Vec::new(),
        declared: Vec::new(),
        num_elems: u32::try_from(module.elems.len()).unwrap_or(u32::MAX),
        num_datas: u32::try_from(module.datas.len()).unwrap_or(u32::MAX),
    };

    for import in &module.imports {
        match &import.desc {
            ImportDesc::Func(t) => {
                func_type_index(&ctx, *t)?;
                ctx.funcs.push(*t);
            }
            ImportDesc::Table(t) => {
                check_table_type(&ctx, t)?;
                ctx.tables.push(*t);
            }
            ImportDesc::Memory(m) => {
                check_memory_type(m)?;
                ctx.memories.push(*m);
            }
            ImportDesc::Global(g) => {
                check_valtype(&ctx, g.content, 0)?;
                ctx.globals.push(*g);
            }
            ImportDesc::Tag(t) => {
                check_tag_type(&ctx, t)?;
                ctx.tags.push(*t);
            }
        }
    }
    let num_imported_globals = ctx.globals.len();

    for &t in &module.funcs {
        func_type_index(&ctx, t)?;
        ctx.funcs.push(t);
    }
    if module.code.len() != module.funcs.len() {
        return Err(Error::malformed(
            0,
            "function and code section have inconsistent lengths",
        ));
    }
    for t in &module.tags {
        check_tag_type(&ctx, t)?;
        ctx.tags.push(*t);
    }
    for m in &module.memories {
        check_memory_type(m)?;
        ctx.memories.push(*m);
    }
    for t in &module.tables {
        check_table_type(&ctx, &t.ty)?;
    }

    ctx.declared = declared_funcs(module, ctx.funcs.len());

    // Globals see the imported globals and the globals defined before them.
    for g in &module.globals {
        check_valtype(&ctx, g.ty.content, g.init.offset)?;
        check_const_expr(&ctx, &g.init, g.ty.content, ctx.globals.len())?;
        ctx.globals.push(g.ty);
    }

    // Table initializers see only the imported globals.
    for t in &module.tables {
        let elem = ValType::Ref(t.ty.elem);
        match &t.init {
            Some(init) => check_const_expr(&ctx, init, elem, num_imported_globals)?,
            None if !t.ty.elem.nullable => {
                return Err(Error::invalid(
                    0,
                    format!(
                        "type mismatch: table of non-nullable {} needs an initializer",
                        elem
                    ),
                ))
            }
            None => {}
        }
        ctx.tables.push(t.ty);
    }

    check_exports(&ctx)?;

    if let Some(start) = module.start {
        let ty = ctx
            .funcs
            .get(start as usize)
            .ok_or_else(|| Error::invalid(0, format!("unknown function {start}")))?;
        let ft = ctx
            .types
            .func(*ty)
            .ok_or_else(|| Error::invalid(0, "start function"))?;
        if !ft.params.is_empty() || !ft.results.is_empty() {
            return Err(Error::invalid(
                0,
                format!("start function must have type [] -> [], not {ft}"),
            ));
        }
    }

    for elem in &module.elems {
        let ty = elem_type(elem);
        check_reftype(&ctx, ty, 0)?;
        let want = ValType::Ref(ty);
        match &elem.items {
            ElemItems::Funcs(funcs) => {
                for &f in funcs {
                    let t = *ctx
                        .funcs
                        .get(f as usize)
                        .ok_or_else(|| Error::invalid(0, format!("unknown function {f}")))?;
                    let have = RefType::new(false, HeapType::Concrete(t));
                    if !ctx.types.ref_sub(have, ty) {
                        return Err(Error::invalid(
                            0,
                            format!("type mismatch: element {have} is not a {ty}"),
                        ));
                    }
                }
            }
            ElemItems::Exprs(exprs) => {
                for e in exprs {
                    check_const_expr(&ctx, e, want, ctx.globals.len())?;
                }
            }
        }
        if let ElemMode::Active { table, offset } = &elem.mode {
            let tt = ctx
                .tables
                .get(*table as usize)
                .ok_or_else(|| Error::invalid(offset.offset, format!("unknown table {table}")))?;
            check_const_expr(&ctx, offset, tt.addr.valtype(), ctx.globals.len())?;
            if !ctx.types.ref_sub(ty, tt.elem) {
                return Err(Error::invalid(
                    offset.offset,
                    format!(
                        "type mismatch: element segment of {} for table of {}",
                        ty, tt.elem
                    ),
                ));
            }
        }
    }

    for data in &module.datas {
        if let DataMode::Active { memory, offset } = &data.mode {
            let mt = ctx
                .memories
                .get(*memory as usize)
                .ok_or_else(|| Error::invalid(offset.offset, format!("unknown memory {memory}")))?;
            check_const_expr(&ctx, offset, mt.addr.valtype(), ctx.globals.len())?;
        }
    }

    Ok(ctx)
}

/// The type of an element segment. Segments of function indices (element kind
/// `0x00` in the binary, `func x*` in the text) have type `(ref func)` in Wasm 3.0,
/// whatever the decoder put in `ty`.
pub(crate) fn elem_type(elem: &Elem) -> RefType {
    match elem.items {
        ElemItems::Funcs(_) => RefType::new(false, HeapType::Func),
        ElemItems::Exprs(_) => elem.ty,
    }
}

/// Validates the type section group by group, computing canonical type ids.
fn validate_types(module: &Module) -> Result<Types<'_>> {
    let mut types = Types::new(module);
    let n = u32::try_from(module.types.len()).map_err(|_| Error::invalid(0, "too many types"))?;
    let mut next = 0u32;
    let singletons;
    let groups: &[std::ops::Range<u32>] = if module.rec_groups.is_empty() && n > 0 {
        singletons = (0..n).map(|i| i..i + 1).collect::<Vec<_>>();
        &singletons
    } else {
        &module.rec_groups
    };
    for g in groups {
        if g.start != next || g.end < g.start || g.end > n {
            return Err(Error::malformed(
                0,
                "recursion groups do not cover the type section",
            ));
        }
        for x in g.clone() {
            let Some(st) = module.types.get(x as usize) else {
                continue;
            };
            let bad_index = |i: u32| i >= g.end;
            check_composite_indices(&st.composite, &bad_index)?;
            if st.supertypes.len() > 1 {
                return Err(Error::invalid(
                    0,
                    format!("sub type {x} has more than one supertype"),
                ));
            }
            for &s in st.supertypes.iter() {
                if s >= x {
                    return Err(Error::invalid(0, format!("unknown type {s}")));
                }
            }
        }
        types.add_group(g.start, g.end);
        for x in g.clone() {
            let Some(st) = module.types.get(x as usize) else {
                continue;
            };
            for &s in st.supertypes.iter() {
                let Some(sup) = module.types.get(s as usize) else {
                    return Err(Error::invalid(0, format!("unknown type {s}")));
                };
                if sup.is_final || !types.composite_sub(&st.composite, &sup.composite) {
                    return Err(Error::invalid(
                        0,
                        format!("sub type {x} does not match super type {s}"),
                    ));
                }
            }
        }
        next = g.end;
    }
    if next != n {
        return Err(Error::malformed(
            0,
            "recursion groups do not cover the type section",
        ));
    }
    Ok(types)
}

fn check_composite_indices(c: &CompositeType, bad: &dyn Fn(u32) -> bool) -> Result<()> {
    let val = |v: ValType| match v {
        ValType::Ref(RefType {
            heap: HeapType::Concrete(i),
            ..
        }) if bad(i) => Err(Error::invalid(0, format!("unknown type {i}"))),
        _ => Ok(()),
    };
    let field = |f: &FieldType| match f.storage {
        StorageType::Val(v) => val(v),
        _ => Ok(()),
    };
    match c {
        CompositeType::Func(f) => f
            .params
            .iter()
            .chain(f.results.iter())
            .try_for_each(|&v| val(v)),
        CompositeType::Struct(fields) => fields.iter().try_for_each(field),
        CompositeType::Array(f) => field(f),
    }
}

/// Checks that `t` is a type index of a function type.
fn func_type_index(ctx: &Ctx<'_>, t: u32) -> Result<()> {
    if t >= ctx.types.len() {
        return Err(Error::invalid(0, format!("unknown type {t}")));
    }
    if ctx.types.func(t).is_none() {
        return Err(Error::invalid(
            0,
            format!("type mismatch: type {t} is not a function type"),
        ));
    }
    Ok(())
}

pub(crate) fn check_heaptype(ctx: &Ctx<'_>, h: HeapType, offset: usize) -> Result<()> {
    match h {
        HeapType::Concrete(i) if i >= ctx.types.len() => {
            Err(Error::invalid(offset, format!("unknown type {i}")))
        }
        _ => Ok(()),
    }
}

pub(crate) fn check_reftype(ctx: &Ctx<'_>, r: RefType, offset: usize) -> Result<()> {
    check_heaptype(ctx, r.heap, offset)
}

pub(crate) fn check_valtype(ctx: &Ctx<'_>, v: ValType, offset: usize) -> Result<()> {
    match v {
        ValType::Ref(r) => check_reftype(ctx, r, offset),
        _ => Ok(()),
    }
}

fn check_limits(l: &Limits, max: u64, what: &str) -> Result<()> {
    if l.min > max || l.max.is_some_and(|m| m > max) {
        return Err(Error::invalid(0, what.to_string()));
    }
    if l.max.is_some_and(|m| l.min > m) {
        return Err(Error::invalid(
            0,
            "size minimum must not be greater than maximum",
        ));
    }
    Ok(())
}

fn check_table_type(ctx: &Ctx<'_>, t: &TableType) -> Result<()> {
    let (max, what) = match t.addr {
        AddrType::I32 => (u64::from(u32::MAX), "table size must be at most 2^32-1"),
        AddrType::I64 => (u64::MAX, "table size must be at most 2^64-1"),
    };
    check_limits(&t.limits, max, what)?;
    check_reftype(ctx, t.elem, 0)
}

fn check_memory_type(m: &MemoryType) -> Result<()> {
    let log2 = m.page_size_log2();
    if log2 != 16 && log2 != 0 {
        return Err(Error::invalid(0, "invalid custom page size"));
    }
    let bits: u32 = match m.addr {
        AddrType::I32 => 32,
        AddrType::I64 => 64,
    };
    // 2^16 pages of 64 KiB for memory32, 2^48 for memory64; with 1-byte pages (the
    // custom-page-sizes proposal) at most 2^32-1 or 2^64-1 pages.
    let max = (1u128 << (bits - log2)).min((1u128 << bits) - 1);
    let max = u64::try_from(max).unwrap_or(u64::MAX);
    let what = match (m.addr, log2) {
        (AddrType::I32, 16) => "memory size must be at most 65536 pages (4GiB)",
        (AddrType::I64, 16) => "memory size must be at most 2^48 pages",
        _ => "memory size must be at most the address space",
    };
    check_limits(&m.limits, max, what)?;
    if m.shared && m.limits.max.is_none() {
        return Err(Error::invalid(0, "shared memory must have maximum"));
    }
    Ok(())
}

fn check_tag_type(ctx: &Ctx<'_>, t: &TagType) -> Result<()> {
    func_type_index(ctx, t.type_index)?;
    match ctx.types.func(t.type_index) {
        Some(ft) if !ft.results.is_empty() => Err(Error::invalid(0, "non-empty tag result type")),
        _ => Ok(()),
    }
}

/// The functions named outside function bodies and the start section (spec: C.refs).
fn declared_funcs(module: &Module, num_funcs: usize) -> Vec<bool> {
    let mut declared = vec![false; num_funcs];
    let mut mark = |f: u32| {
        if let Some(d) = declared.get_mut(f as usize) {
            *d = true;
        }
    };
    fn mark_expr(e: &ConstExpr, mark: &mut dyn FnMut(u32)) {
        for op in &e.ops {
            if let Operator::RefFunc(f) = op {
                mark(*f);
            }
        }
    }
    for ex in &module.exports {
        if ex.kind == ExternKind::Func {
            mark(ex.index);
        }
    }
    for g in &module.globals {
        mark_expr(&g.init, &mut mark);
    }
    for t in &module.tables {
        if let Some(init) = &t.init {
            mark_expr(init, &mut mark);
        }
    }
    for e in &module.elems {
        match &e.items {
            ElemItems::Funcs(fs) => fs.iter().for_each(|&f| mark(f)),
            ElemItems::Exprs(es) => es.iter().for_each(|e| mark_expr(e, &mut mark)),
        }
        if let ElemMode::Active { offset, .. } = &e.mode {
            mark_expr(offset, &mut mark);
        }
    }
    for d in &module.datas {
        if let DataMode::Active { offset, .. } = &d.mode {
            mark_expr(offset, &mut mark);
        }
    }
    declared
}

fn check_exports(ctx: &Ctx<'_>) -> Result<()> {
    let mut names = HashSet::new();
    for ex in &ctx.module.exports {
        if !names.insert(ex.name.as_str()) {
            return Err(Error::invalid(
                0,
                format!("duplicate export name \"{}\"", ex.name),
            ));
        }
        let (len, what) = match ex.kind {
            ExternKind::Func => (ctx.funcs.len(), "function"),
            ExternKind::Table => (ctx.tables.len(), "table"),
            ExternKind::Memory => (ctx.memories.len(), "memory"),
            ExternKind::Global => (ctx.globals.len(), "global"),
            ExternKind::Tag => (ctx.tags.len(), "tag"),
        };
        if ex.index as usize >= len {
            return Err(Error::invalid(0, format!("unknown {what} {}", ex.index)));
        }
    }
    Ok(())
}

/// Checks a constant expression of type `want`; `num_globals` is how many globals it
/// may read (a prefix of the global index space).
pub(crate) fn check_const_expr(
    ctx: &Ctx<'_>,
    expr: &ConstExpr,
    want: ValType,
    num_globals: usize,
) -> Result<()> {
    let at = expr.offset;
    let mut stack: Vec<ValType> = Vec::new();
    let mismatch = || Error::invalid(at, "type mismatch");
    for op in &expr.ops {
        match op {
            Operator::I32Const(_) => stack.push(ValType::I32),
            Operator::I64Const(_) => stack.push(ValType::I64),
            Operator::F32Const(_) => stack.push(ValType::F32),
            Operator::F64Const(_) => stack.push(ValType::F64),
            Operator::V128Const(_) => stack.push(ValType::V128),
            Operator::RefNull(h) => {
                check_heaptype(ctx, *h, at)?;
                stack.push(ValType::Ref(RefType::new(true, *h)));
            }
            Operator::RefFunc(f) => {
                let t = *ctx
                    .funcs
                    .get(*f as usize)
                    .ok_or_else(|| Error::invalid(at, format!("unknown function {f}")))?;
                stack.push(ValType::Ref(RefType::new(false, HeapType::Concrete(t))));
            }
            Operator::GlobalGet(g) => {
                let gt: &GlobalType = ctx
                    .globals
                    .get(*g as usize)
                    .filter(|_| (*g as usize) < num_globals)
                    .ok_or_else(|| Error::invalid(at, format!("unknown global {g}")))?;
                if gt.mutable {
                    return Err(Error::invalid(
                        at,
                        format!("constant expression required: global {g} is mutable"),
                    ));
                }
                stack.push(gt.content);
            }
            Operator::Numeric(
                op @ (NumericOp::I32Add
                | NumericOp::I32Sub
                | NumericOp::I32Mul
                | NumericOp::I64Add
                | NumericOp::I64Sub
                | NumericOp::I64Mul),
            ) => {
                let (_, t) = op.signature();
                for _ in 0..2 {
                    match stack.pop() {
                        Some(v) if v == t => {}
                        _ => return Err(mismatch()),
                    }
                }
                stack.push(t);
            }
            _ => return Err(Error::invalid(at, "constant expression required")),
        }
    }
    match stack.as_slice() {
        [t] if ctx.types.val_sub(*t, want) => Ok(()),
        _ => Err(mismatch()),
    }
}
