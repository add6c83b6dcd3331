//! The code of a function: the one seam through which the runtime (and so the
//! interpreter, which finds a callee's code in the store) gets runnable code for a
//! defined function. Today that is the interpreter's internal code, compiled by
//! `compile` on first use (or up front when lazy compilation is off) and shared by
//! every instance of the module; an optimizing tier will hand out its native code
//! here too. This room owns the per-function cache; it knows nothing of how code is
//! produced beyond `compile`'s entry point and the [`ModuleView`] it reads.

use std::sync::{Arc, OnceLock};

use crate::compile::{self, isa::CompiledFunc, ModuleView};
use crate::error::{Error, Result};

/// Each defined function's code, made at most once.
pub struct Code {
    funcs: Box<[OnceLock<Result<Arc<CompiledFunc>>>]>,
}

impl Code {
    /// A cache for `num_defined` functions, none compiled yet.
    pub fn new(num_defined: usize) -> Code {
        Code {
            funcs: (0..num_defined).map(|_| OnceLock::new()).collect(),
        }
    }

    /// The code of defined function `def_index`, compiling it from `view` on first use.
    /// A compile error is kept and returned again on every later request.
    pub fn get(&self, view: &ModuleView, def_index: u32) -> Result<Arc<CompiledFunc>> {
        let cell = self
            .funcs
            .get(def_index as usize)
            .ok_or_else(|| Error::api(format!("no function {def_index} in module")))?;
        cell.get_or_init(|| {
            let mut code = compile::compile(view, def_index)?;
            if view.options.native {
                code.native = native(view, def_index, &code).into();
            }
            Ok(Arc::new(code))
        })
        .clone()
    }
}

impl Code {
    /// The native code of `code` (defined function `def_index` of `view`), made on the
    /// first request (by the thread that asks: the running thread, or the background
    /// compiler's, see `ModuleInner::tier_up_in_background` and [`TIER_UP_HEAT`]).
    pub fn tier_up<'c>(
        &self,
        view: &ModuleView,
        def_index: u32,
        code: &'c CompiledFunc,
    ) -> Option<&'c compile::isa::Native> {
        code.native
            .get_or_init(|| native(view, def_index, code))
            .as_ref()
    }
}

/// How many calls and loop iterations (together) make a function hot: tier-up
/// compiles its native code then. Measured on `../shared/bench` (see
/// `bench/README.md`, "Tier-up threshold").
pub const TIER_UP_HEAT: u32 = 1_000;

/// The most types a module may have for native code to make its indirect calls.
#[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
const MAX_TYPES_SCANNED: usize = 1_000;

/// The optimizing tier's code for `code` (defined function `def_index` of `view`),
/// where it has any.
fn native(
    view: &ModuleView,
    def_index: u32,
    code: &compile::isa::CompiledFunc,
) -> Option<compile::isa::Native> {
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        use crate::compile::isa::{slots_of, NativeLayout, NativeModule};
        use crate::runtime::store::GlobalEntity;
        let layout = NativeLayout {
            global_size: std::mem::size_of::<GlobalEntity>(),
            global_value: std::mem::offset_of!(GlobalEntity, value),
        };
        let arity = |f: u32| {
            let t = view.func_types.get(f as usize)?;
            Some((slots_of(&t.params) as u32, slots_of(&t.results) as u32))
        };
        // By engine-wide type id: the first type index with it (a module with very many
        // types leaves its indirect calls to the interpreter, to keep compiling linear).
        let type_arity = |id: u32| {
            let types = &view.syntax.types;
            if types.len() > MAX_TYPES_SCANNED {
                return None;
            }
            let t = view.type_ids.iter().position(|&x| x == id)?;
            let f = types.get(t)?.as_func()?;
            Some((slots_of(&f.params) as u32, slots_of(&f.results) as u32))
        };
        let module = NativeModule {
            layout,
            imported_funcs: view.syntax.num_imported_funcs,
            index: view.syntax.num_imported_funcs + def_index,
            guard_pages: view.options.guard_pages,
            results: slots_of(&view.def_func_type(def_index).results) as u32,
            arity: &arity,
            type_arity: &type_arity,
        };
        crate::jit::compile(code, module)
    }
    #[cfg(not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = (view, def_index, code);
        None
    }
}
