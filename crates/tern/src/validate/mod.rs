//! Validation (spec: Validation): the module-level rules and the per-function type
//! checker. It works on the plain data of [`crate::syntax`] and reads function bodies
//! through [`crate::binary::OperatorReader`]; it knows nothing of compilation or
//! execution.
//!
//! `module.rs` checks everything outside function bodies and builds the [`Ctx`] the
//! spec calls the context; `func.rs` type-checks one function body; `matching.rs`
//! decides subtyping and type equivalence.

mod func;
mod matching;
mod module;

use crate::error::Result;
use crate::syntax::{GlobalType, MemoryType, Module, TableType, TagType};

use matching::Types;

/// The validation context (spec: Validation › Conventions › Contexts): the types of
/// everything a function body or constant expression may refer to, in index order.
pub(crate) struct Ctx<'m> {
    pub(crate) module: &'m Module,
    pub(crate) types: Types<'m>,
    /// Type index of every function, imports first.
    pub(crate) funcs: Vec<u32>,
    pub(crate) tables: Vec<TableType>,
    pub(crate) memories: Vec<MemoryType>,
    pub(crate) globals: Vec<GlobalType>,
    pub(crate) tags: Vec<TagType>,
    /// The functions a `ref.func` in a body may name: those referenced outside
    /// function bodies (exports, element segments, constant expressions).
    pub(crate) declared: Vec<bool>,
    pub(crate) num_elems: u32,
    pub(crate) num_datas: u32,
}

/// Validates a decoded module, including every function body. `bytes` is the binary the
/// module was decoded from (function bodies are byte ranges of it).
pub fn validate(module: &Module, bytes: &[u8]) -> Result<()> {
    let ctx = module::validate_module(module)?;
    let mut checker = func::FuncValidator::new(&ctx);
    let defined = module.num_imported_funcs;
    for (i, body) in module.code.iter().enumerate() {
        let func_index = defined.saturating_add(i as u32);
        checker.validate_body(func_index, body, bytes)?;
    }
    Ok(())
}
