//! [`Linker`]: names host functions and instances under module/field names, and
//! resolves a module's imports by name when instantiating it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::api::externals::Extern;
use crate::api::func::{new_host, HostFn, IntoFunc};
use crate::api::instance::Instance;
use crate::api::module::Module;
use crate::api::store::{AsContext, AsContextMut, Caller};
use crate::api::values::Val;
use crate::error::{Error, Result};
use crate::runtime::engine::Engine;
use crate::syntax::FuncType;

enum Definition<T> {
    Extern(Extern),
    /// A host function not yet placed in any store.
    Host(Arc<FuncType>, HostFn<T>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::Host(t, f) => Definition::Host(t.clone(), f.clone()),
        }
    }
}

/// Resolves imports by `(module, name)`.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Linker<T> {
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, d: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::api(format!("`{module}::{name}` is already defined")));
        }
        self.defs.insert(key, d);
        Ok(self)
    }

    /// Defines `module::name` as `item`.
    pub fn define(
        &mut self,
        _store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines `module::name` as a host function from a typed Rust closure.
    pub fn func_wrap<Params, Args>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Args>,
    ) -> Result<&mut Self> {
        let (ty, f) = f.into_host();
        self.insert(module, name, Definition::Host(Arc::new(ty), f))
    }

    /// Defines `module::name` as a host function of type `ty` over [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self> {
        self.insert(module, name, Definition::Host(Arc::new(ty), Arc::new(f)))
    }

    /// Defines every export of `instance` under module name `module`.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        for (name, e) in instance.exports(store.as_context_mut()) {
            self.insert(module, &name, Definition::Extern(e))?;
        }
        Ok(self)
    }

    /// The definition of `module::name`, placing host functions in `store`.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let d = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(match d {
            Definition::Extern(e) => *e,
            Definition::Host(ty, f) => {
                Extern::Func(new_host(store.as_context_mut(), ty.clone(), f.clone()))
            }
        })
    }

    /// Instantiates `module`, resolving each import by name.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let s = store.as_context_mut();
        let mut imports = Vec::new();
        for i in module.imports() {
            let e = self.get(&mut *s, &i.module, &i.name).ok_or_else(|| {
                Error::Unlinkable(format!(
                    "unknown import: `{}::{}` has not been defined (expected {})",
                    i.module, i.name, i.ty
                ))
            })?;
            imports.push(e);
        }
        Instance::new(s, module, &imports)
    }
}
