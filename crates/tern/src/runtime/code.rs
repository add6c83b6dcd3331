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
                code.native = native(&code);
            }
            Ok(Arc::new(code))
        })
        .clone()
    }
}

/// The optimizing tier's code for `code`, where it has any.
fn native(code: &compile::isa::CompiledFunc) -> Option<compile::isa::Native> {
    #[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        use crate::compile::isa::NativeLayout;
        use crate::runtime::store::GlobalEntity;
        let layout = NativeLayout {
            global_size: std::mem::size_of::<GlobalEntity>(),
            global_value: std::mem::offset_of!(GlobalEntity, value),
        };
        crate::jit::compile(code, layout)
    }
    #[cfg(not(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64"))))]
    {
        let _ = code;
        None
    }
}
