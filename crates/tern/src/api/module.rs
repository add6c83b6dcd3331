//! [`Module`]: a decoded, validated module ready to instantiate, shared by every
//! store of its engine.

use std::sync::Arc;

use crate::api::externals::{ExportType, ExternType, ImportType};
use crate::error::Result;
use crate::runtime::engine::Engine;
use crate::runtime::module::ModuleInner;
use crate::syntax::{self, ExternKind, ImportDesc};

/// A compiled WebAssembly module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

impl Module {
    /// Decodes and validates a module from its binary or (with the default `wat`
    /// feature) text form.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        #[cfg(feature = "wat")]
        if !bytes.starts_with(b"\0asm") {
            let bin = wat::parse_bytes(bytes).map_err(|e| crate::error::Error::Malformed {
                offset: 0,
                message: e.to_string(),
            })?;
            return Module::from_binary(engine, &bin);
        }
        Module::from_binary(engine, bytes)
    }

    /// Decodes and validates a module binary.
    pub fn from_binary(engine: &Engine, bytes: &[u8]) -> Result<Module> {
        let syntax = crate::binary::decode(bytes)?;
        let v128_operands = crate::validate::validate(&syntax, bytes)?;
        let inner = ModuleInner::new(engine, bytes.into(), syntax, v128_operands)?;
        Ok(Module {
            inner: Arc::new(inner),
        })
    }

    /// Checks that `bytes` are a valid module binary, without keeping it.
    pub fn validate(_engine: &Engine, bytes: &[u8]) -> Result<()> {
        let syntax = crate::binary::decode(bytes)?;
        crate::validate::validate(&syntax, bytes).map(drop)
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its `name` section.
    pub fn name(&self) -> Option<&str> {
        self.inner.syntax.names.module.as_deref()
    }

    /// The decoded module (sections as plain data), for tools that inspect modules.
    pub fn syntax(&self) -> &syntax::Module {
        &self.inner.syntax
    }

    fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let m = &self.inner.syntax;
        match kind {
            ExternKind::Func => ExternType::Func(
                self.inner
                    .func_types
                    .get(index as usize)
                    .map(|t| (**t).clone())
                    .unwrap_or_default(),
            ),
            ExternKind::Table => {
                let n = m.num_imported_tables;
                let t = if index < n {
                    imported(m, index, |d| match d {
                        ImportDesc::Table(t) => Some(*t),
                        _ => None,
                    })
                } else {
                    m.tables.get((index - n) as usize).map(|t| t.ty)
                };
                t.map_or(ExternType::Func(Default::default()), ExternType::Table)
            }
            ExternKind::Memory => {
                let n = m.num_imported_memories;
                let t = if index < n {
                    imported(m, index, |d| match d {
                        ImportDesc::Memory(t) => Some(*t),
                        _ => None,
                    })
                } else {
                    m.memories.get((index - n) as usize).copied()
                };
                t.map_or(ExternType::Func(Default::default()), ExternType::Memory)
            }
            ExternKind::Global => {
                let n = m.num_imported_globals;
                let t = if index < n {
                    imported(m, index, |d| match d {
                        ImportDesc::Global(t) => Some(*t),
                        _ => None,
                    })
                } else {
                    m.globals.get((index - n) as usize).map(|g| g.ty)
                };
                t.map_or(ExternType::Func(Default::default()), ExternType::Global)
            }
            ExternKind::Tag => ExternType::Tag(Default::default()),
        }
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl Iterator<Item = ImportType> + '_ {
        self.inner.syntax.imports.iter().map(|i| ImportType {
            module: i.module.clone(),
            name: i.name.clone(),
            ty: match &i.desc {
                ImportDesc::Func(t) => {
                    ExternType::Func(self.inner.syntax.func_type(*t).cloned().unwrap_or_default())
                }
                ImportDesc::Table(t) => ExternType::Table(*t),
                ImportDesc::Memory(t) => ExternType::Memory(*t),
                ImportDesc::Global(t) => ExternType::Global(*t),
                ImportDesc::Tag(t) => ExternType::Tag(
                    self.inner
                        .syntax
                        .func_type(t.type_index)
                        .cloned()
                        .unwrap_or_default(),
                ),
            },
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl Iterator<Item = ExportType> + '_ {
        self.inner.syntax.exports.iter().map(|e| ExportType {
            name: e.name.clone(),
            ty: self.extern_type(e.kind, e.index),
        })
    }
}

fn imported<R>(m: &syntax::Module, index: u32, f: impl Fn(&ImportDesc) -> Option<R>) -> Option<R> {
    m.imports
        .iter()
        .filter_map(|i| f(&i.desc))
        .nth(index as usize)
}
