//! [`Instance`]: an instantiated module, and instantiation from a list of externs.

use crate::api::externals::{Extern, Global, Memory, Table};
use crate::api::func::{run_wasm, Func, TypedFunc, WasmTyList};
use crate::api::module::Module;
use crate::api::store::{AsContext, AsContextMut};
use crate::error::{Error, Result};
use crate::runtime::engine::Engine;
use crate::runtime::instantiate::instantiate;
use crate::runtime::store::FuncEntity;

/// An instance of a module in a store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Instance {
    /// Instantiates `module` with `imports`, one per module import in order, and runs
    /// its start function.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let s = store.as_context_mut();
        if !Engine::same(&s.engine, module.engine()) {
            return Err(Error::api("module and store belong to different engines"));
        }
        let mut idx = Vec::with_capacity(imports.len());
        for e in imports {
            if e.store_id() != s.inner.id {
                return Err(Error::api("import from another store"));
            }
            idx.push(e.to_idx());
        }
        let (index, start) = instantiate(&mut s.inner, &module.inner, &idx)?;
        if let Some(f) = start {
            match &s.inner.code.funcs[f as usize] {
                FuncEntity::Wasm(_) => run_wasm(s, f, &[], &mut [])?,
                FuncEntity::Host { .. } => Func {
                    store: s.inner.id,
                    index: f,
                }
                .call(&mut *s, &[], &mut [])?,
            }
        }
        Ok(Instance {
            store: s.inner.id,
            index,
        })
    }

    /// The export called `name`.
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let s = store.as_context();
        if s.inner.id != self.store {
            return None;
        }
        let inst = s.inner.code.instances.get(self.index as usize)?;
        let (_, e) = inst.exports.iter().find(|(n, _)| n == name)?;
        Extern::from_idx(self.store, *e)
    }

    /// Every export, in the module's order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let s = store.as_context();
        let Some(inst) = s.inner.code.instances.get(self.index as usize) else {
            return Vec::new();
        };
        inst.exports
            .iter()
            .filter_map(|(n, e)| Some((n.clone(), Extern::from_idx(self.store, *e)?)))
            .collect()
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }

    /// The exported function `name` with static types; fails if it is missing or its
    /// type differs.
    pub fn get_typed_func<Params: WasmTyList, Results: WasmTyList>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let s = store.as_context();
        let f = self
            .get_func(s, name)
            .ok_or_else(|| Error::api(format!("no exported function `{name}`")))?;
        f.typed(s)
    }
}
