//! The validation context (spec: Validation › Conventions › Contexts) as one plain
//! record: what `module.rs` builds from everything outside function bodies and what
//! `func/` reads while it checks a body. It holds types and counts only; it checks
//! nothing itself.

use super::matching::Types;
use crate::syntax::{GlobalType, MemoryType, Module, TableType, TagType};

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
