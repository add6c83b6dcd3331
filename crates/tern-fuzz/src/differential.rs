//! Harness (c): the same `wasm-smith` module executed in tern and in `wasmi`.
//!
//! The module uses only what tern's interpreter executes (Wasm 2.0 without SIMD, plus
//! multi-memory and extended constant expressions), imports nothing and exports
//! everything. `ensure_termination` injects a fuel counter (a global decremented at each
//! function entry and loop head, trapping with `unreachable` at zero) so that every run
//! ends; it also bounds the call depth well below both engines' limits. Float results are
//! NaN-canonicalized by wasm-smith, and NaNs are compared as "both NaN" anyway.
//!
//! Compared, in order: module acceptance (a module tern calls unsupported is skipped),
//! instantiation (success, or trap category), each exported function called with
//! default arguments (results, or trap category), then every exported global, memory
//! (size and bytes) and table (size and which entries are null). A call stack exhausted
//! on either side ends the comparison: the engines' depth limits differ.

use arbitrary::{Arbitrary, Unstructured};

/// Fuel for `ensure_termination`: function entries plus loop iterations, shared by
/// the start function and every export call of one instance.
const FUEL: u32 = 1_000;

/// The comparison's result when the engines agree (a disagreement panics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffOutcome {
    /// The fuzzer input was too short to make a module.
    NoModule,
    /// tern reported an unsupported feature.
    Unsupported,
    /// wasmi rejected the module (its own limits); not compared.
    OracleRejected,
    /// Both engines failed to instantiate, with the same trap category.
    BothFailedInstantiation,
    /// Compared; `calls` exported functions were called.
    Compared { calls: usize, traps: usize },
    /// A call stack was exhausted; compared up to there.
    StackExhausted,
}

/// A `wasm-smith` module for execution, from fuzzer bytes.
pub fn smith_module_for_execution(data: &[u8]) -> Option<Vec<u8>> {
    smith_module(data, false)
}

/// A `wasm-smith` module for execution in tern alone: also with SIMD (relaxed SIMD
/// too: tern's tiers compute its deterministic profile), tail calls and memory64,
/// which tern executes and wasmi 1 does not.
pub fn smith_module_for_tern(data: &[u8]) -> Option<Vec<u8>> {
    smith_module(data, true)
}

fn smith_module(data: &[u8], all_of_tern: bool) -> Option<Vec<u8>> {
    let mut u = Unstructured::new(data);
    let mut c = wasm_smith::Config::arbitrary(&mut u).ok()?;
    // Features tern's interpreter does not execute (or, without `all_of_tern`, wasmi).
    c.simd_enabled &= all_of_tern;
    c.relaxed_simd_enabled &= all_of_tern;
    c.exceptions_enabled = false;
    c.threads_enabled = false;
    c.tail_call_enabled &= all_of_tern;
    c.gc_enabled = false;
    c.memory64_enabled &= all_of_tern;
    c.compact_imports_enabled = false;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.custom_descriptors_enabled = false;
    c.multibyte_array_access_enabled = false;
    c.acquire_release_atomics_enabled = false;
    // A closed module whose whole state is visible.
    c.max_imports = 0;
    c.min_imports = 0;
    c.export_everything = true;
    c.allow_invalid_funcs = false;
    // Comparable floats.
    c.canonicalize_nans = true;
    // Bounded resources: at most 4 memories of at most 4 pages, 4 tables of at most
    // 1000 elements, each with a maximum so that `grow` stays small.
    c.max_memories = c.max_memories.min(4);
    c.max_memory32_bytes = c.max_memory32_bytes.min(4 * 65536);
    c.max_memory64_bytes = c.max_memory64_bytes.min(4 * 65536);
    c.memory_max_size_required = true;
    c.max_tables = c.max_tables.min(4);
    c.max_table_elements = c.max_table_elements.min(1000);
    c.table_max_size_required = true;
    c.max_funcs = c.max_funcs.min(100);
    c.max_instructions = c.max_instructions.min(200);
    let mut module = wasm_smith::Module::new(c, &mut u).ok()?;
    module.ensure_termination(FUEL).ok()?;
    Some(module.to_bytes())
}

/// Runs one generated module in tern and wasmi; panics if they disagree.
pub fn differential_vs_wasmi(data: &[u8]) -> DiffOutcome {
    match smith_module_for_execution(data) {
        Some(bytes) => compare_execution(&bytes),
        None => DiffOutcome::NoModule,
    }
}

/// A trap (or other failure) reduced to what both engines can name.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Cat {
    Unreachable,
    MemoryOob,
    /// A table index out of bounds, including `call_indirect`'s "undefined element".
    TableOob,
    /// `call_indirect` on a null entry ("uninitialized element").
    NullElement,
    BadSignature,
    DivideByZero,
    IntegerOverflow,
    BadConversion,
    StackExhausted,
    /// A failure that is not a trap, by engine.
    Other(String),
}

fn tern_cat(e: &tern::Error) -> Cat {
    use tern::TrapCode as T;
    match e {
        tern::Error::Trap(t) => match t.code() {
            T::Unreachable => Cat::Unreachable,
            T::MemoryOutOfBounds => Cat::MemoryOob,
            T::TableOutOfBounds | T::UndefinedElement => Cat::TableOob,
            T::UninitializedElement | T::NullReference => Cat::NullElement,
            T::BadSignature => Cat::BadSignature,
            T::IntegerDivideByZero => Cat::DivideByZero,
            T::IntegerOverflow => Cat::IntegerOverflow,
            T::BadConversionToInteger => Cat::BadConversion,
            T::StackOverflow => Cat::StackExhausted,
            other => Cat::Other(format!("tern trap {other:?}")),
        },
        other => Cat::Other(format!("tern: {other}")),
    }
}

fn wasmi_cat(e: &wasmi::Error) -> Cat {
    use wasmi::TrapCode as W;
    match e.as_trap_code() {
        Some(W::UnreachableCodeReached) => Cat::Unreachable,
        Some(W::MemoryOutOfBounds) => Cat::MemoryOob,
        Some(W::TableOutOfBounds) => Cat::TableOob,
        Some(W::IndirectCallToNull) => Cat::NullElement,
        Some(W::BadSignature) => Cat::BadSignature,
        Some(W::IntegerDivisionByZero) => Cat::DivideByZero,
        Some(W::IntegerOverflow) => Cat::IntegerOverflow,
        Some(W::BadConversionToInteger) => Cat::BadConversion,
        Some(W::StackOverflow) => Cat::StackExhausted,
        Some(other) => Cat::Other(format!("wasmi trap {other:?}")),
        // wasmi reports segment initialization out of bounds during instantiation as a
        // table or memory error rather than a trap code.
        None => {
            let m = e.to_string();
            if m.contains("out of bounds table access") {
                Cat::TableOob
            } else if m.contains("out of bounds memory access") {
                Cat::MemoryOob
            } else {
                Cat::Other(format!("wasmi: {m}"))
            }
        }
    }
}

fn same_val(t: &tern::Val, w: &wasmi::Val) -> bool {
    use tern::Val as T;
    use wasmi::Val as W;
    match (t, w) {
        (T::I32(a), W::I32(b)) => a == b,
        (T::I64(a), W::I64(b)) => a == b,
        (T::F32(a), W::F32(b)) => {
            *a == b.to_bits()
                || (f32::from_bits(*a).is_nan() && f32::from_bits(b.to_bits()).is_nan())
        }
        (T::F64(a), W::F64(b)) => {
            *a == b.to_bits()
                || (f64::from_bits(*a).is_nan() && f64::from_bits(b.to_bits()).is_nan())
        }
        (T::FuncRef(a), W::FuncRef(b)) => a.is_none() == b.is_null(),
        (T::ExternRef(a), W::ExternRef(b)) => a.is_none() == b.is_null(),
        _ => false,
    }
}

fn show_w(vals: &[wasmi::Val]) -> String {
    let parts: Vec<String> = vals
        .iter()
        .map(|v| match v {
            wasmi::Val::I32(x) => format!("I32({x})"),
            wasmi::Val::I64(x) => format!("I64({x})"),
            wasmi::Val::F32(x) => format!("F32({:#x})", x.to_bits()),
            wasmi::Val::F64(x) => format!("F64({:#x})", x.to_bits()),
            wasmi::Val::FuncRef(r) => format!("FuncRef(null={})", r.is_null()),
            wasmi::Val::ExternRef(r) => format!("ExternRef(null={})", r.is_null()),
            _ => "V128(..)".to_string(),
        })
        .collect();
    format!("[{}]", parts.join(", "))
}

/// The default value of each of `ty`'s parameters (`None` if one has none, such as a
/// non-nullable reference): the arguments every harness calls an export with.
pub(crate) fn default_args(ty: &tern::FuncType) -> Option<Vec<tern::Val>> {
    ty.params
        .iter()
        .map(|&t| tern::Val::default_for(t))
        .collect()
}

/// Compares tern and wasmi on one module binary; panics if they disagree.
pub fn compare_execution(bytes: &[u8]) -> DiffOutcome {
    // tern, compiling every function up front so that compilation is exercised even
    // for functions no export reaches.
    let mut config = tern::Config::new();
    config.lazy_compilation(false);
    let engine = tern::Engine::new(&config);
    let module = match tern::Module::new(&engine, bytes) {
        Ok(m) => m,
        Err(tern::Error::Unsupported { .. }) => return DiffOutcome::Unsupported,
        Err(e) => panic!("tern rejects a valid wasm-smith module: {e}"),
    };

    let mut wconfig = wasmi::Config::default();
    wconfig.set_max_recursion_depth(10_000);
    let wengine = wasmi::Engine::new(&wconfig);
    let wmodule = match wasmi::Module::new(&wengine, bytes) {
        Ok(m) => m,
        Err(_) => return DiffOutcome::OracleRejected,
    };

    let mut store = tern::Store::new(&engine, ());
    let mut wstore = wasmi::Store::new(&wengine, ());
    let inst = tern::Linker::new(&engine).instantiate(&mut store, &module);
    let winst = wasmi::Linker::<()>::new(&wengine).instantiate_and_start(&mut wstore, &wmodule);
    let (inst, winst) = match (inst, winst) {
        (Ok(i), Ok(w)) => (i, w),
        (Err(e), Err(we)) => {
            let (c, wc) = (tern_cat(&e), wasmi_cat(&we));
            if c == Cat::StackExhausted || wc == Cat::StackExhausted {
                return DiffOutcome::StackExhausted;
            }
            assert_eq!(
                c, wc,
                "instantiation fails differently: tern `{e}`, wasmi `{we}`"
            );
            return DiffOutcome::BothFailedInstantiation;
        }
        (Ok(_), Err(we)) => {
            if wasmi_cat(&we) == Cat::StackExhausted {
                return DiffOutcome::StackExhausted;
            }
            panic!("instantiation: tern succeeds, wasmi fails with `{we}`")
        }
        (Err(e), Ok(_)) => {
            if tern_cat(&e) == Cat::StackExhausted {
                return DiffOutcome::StackExhausted;
            }
            panic!("instantiation: tern fails with `{e}`, wasmi succeeds")
        }
    };

    let exports = inst.exports(&store);
    let (mut calls, mut traps) = (0, 0);
    for (name, ext) in &exports {
        let tern::Extern::Func(f) = ext else { continue };
        let Some(wasmi::Extern::Func(wf)) = winst.get_export(&wstore, name) else {
            panic!("export `{name}`: a function in tern but not in wasmi");
        };
        let ty = f.ty(&store);
        let Some(args) = default_args(&ty) else {
            continue;
        };
        let wty = wf.ty(&wstore);
        let wargs: Vec<wasmi::Val> = wty
            .params()
            .iter()
            .map(|&t| wasmi::Val::default(t))
            .collect();
        let mut results = vec![tern::Val::I32(0); ty.results.len()];
        let mut wresults = vec![wasmi::Val::I32(0); wty.results().len()];
        let r = f.call(&mut store, &args, &mut results);
        let wr = wf.call(&mut wstore, &wargs, &mut wresults);
        calls += 1;
        match (r, wr) {
            (Ok(()), Ok(())) => {
                let same = results.len() == wresults.len()
                    && results.iter().zip(&wresults).all(|(a, b)| same_val(a, b));
                assert!(
                    same,
                    "export `{name}`: tern returns {results:?}, wasmi returns {}",
                    show_w(&wresults)
                );
            }
            (Err(e), Err(we)) => {
                let (c, wc) = (tern_cat(&e), wasmi_cat(&we));
                if c == Cat::StackExhausted || wc == Cat::StackExhausted {
                    return DiffOutcome::StackExhausted;
                }
                assert_eq!(
                    c, wc,
                    "export `{name}` traps differently: tern `{e}`, wasmi `{we}`"
                );
                traps += 1;
            }
            (Ok(()), Err(we)) => {
                if wasmi_cat(&we) == Cat::StackExhausted {
                    return DiffOutcome::StackExhausted;
                }
                panic!("export `{name}`: tern returns {results:?}, wasmi fails with `{we}`")
            }
            (Err(e), Ok(())) => {
                if tern_cat(&e) == Cat::StackExhausted {
                    return DiffOutcome::StackExhausted;
                }
                panic!(
                    "export `{name}`: tern fails with `{e}`, wasmi returns {}",
                    show_w(&wresults)
                )
            }
        }
    }

    // The final state of everything exported.
    for (name, ext) in &exports {
        let wext = winst.get_export(&wstore, name);
        match (ext, wext) {
            (tern::Extern::Func(_), Some(wasmi::Extern::Func(_))) => {}
            (tern::Extern::Global(g), Some(wasmi::Extern::Global(wg))) => {
                let (v, wv) = (g.get(&store), wg.get(&wstore));
                assert!(
                    same_val(&v, &wv),
                    "global `{name}`: tern has {v:?}, wasmi has {}",
                    show_w(&[wv])
                );
            }
            (tern::Extern::Memory(m), Some(wasmi::Extern::Memory(wm))) => {
                let (d, wd) = (m.data(&store), wm.data(&wstore));
                assert_eq!(d.len(), wd.len(), "memory `{name}`: sizes differ");
                if let Some(at) = d.iter().zip(wd).position(|(a, b)| a != b) {
                    panic!(
                        "memory `{name}` differs first at byte {at}: tern {:#04x}, wasmi {:#04x}",
                        d[at], wd[at]
                    );
                }
            }
            (tern::Extern::Table(t), Some(wasmi::Extern::Table(wt))) => {
                let (n, wn) = (t.size(&store), wt.size(&wstore));
                assert_eq!(n, wn, "table `{name}`: sizes differ");
                for i in 0..n {
                    let null = match t.get(&store, i) {
                        Some(tern::Val::FuncRef(r)) => r.is_none(),
                        Some(tern::Val::ExternRef(r)) => r.is_none(),
                        other => panic!("table `{name}`[{i}]: tern returns {other:?}"),
                    };
                    let wnull = wt.get(&wstore, i).map(|r| match r {
                        wasmi::Val::FuncRef(f) => f.is_null(),
                        wasmi::Val::ExternRef(e) => e.is_null(),
                        _ => false,
                    });
                    assert_eq!(Some(null), wnull, "table `{name}`[{i}]: null-ness differs");
                }
            }
            (_, other) => panic!("export `{name}`: kinds differ (wasmi: {other:?})"),
        }
    }
    DiffOutcome::Compared { calls, traps }
}
