//! What the compiler reads of a module: its bytes and syntax, the facts the runtime
//! derived from them once per module (function types, engine-wide type ids, which
//! memories and tables are 64-bit, which globals hold a `v128`) and the engine's
//! options that change the code. `compile` owns this type so that it never imports
//! the runtime: the runtime builds a view and asks for code through it (see
//! `runtime::code`), and an optimizing tier reads the same view.

use std::sync::Arc;

use crate::syntax::{FuncType, Module};

/// The engine settings that change what code is emitted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Charge fuel at function entry and loop headers (`Config::consume_fuel`).
    pub fuel: bool,
    /// Check the epoch deadline at the same points (`Config::epoch_interruption`).
    pub epoch: bool,
    /// Canonicalize NaN results (`Config::deterministic`).
    pub deterministic: bool,
    /// Also compile native code for every function, before it first runs
    /// (`Tier::Opt`; the code seam asks the optimizing tier).
    pub native: bool,
    /// Count calls and loop iterations and compile a function's native code when it
    /// gets hot (`Tier::Auto`).
    pub tier_up: bool,
    /// Memory 0 has guard pages in every store (`Config::guard_pages`): native code
    /// leaves the bounds check of an access within the guard region to the hardware.
    pub guard_pages: bool,
}

/// A validated module as the compiler sees it. Every slice is indexed by the wasm
/// index space it names (imports first).
#[derive(Clone, Copy)]
pub struct ModuleView<'m> {
    /// The module binary (function bodies are byte ranges of it).
    pub bytes: &'m [u8],
    pub syntax: &'m Module,
    /// The type of every function in the function index space.
    pub func_types: &'m [Arc<FuncType>],
    /// Engine-wide type id per type index (`u32::MAX` for non-function types).
    pub type_ids: &'m [u32],
    /// Whether each memory is 64-bit.
    pub mem64: &'m [bool],
    /// Whether each table is 64-bit.
    pub table64: &'m [bool],
    /// Whether each global holds a `v128`.
    pub global_v128: &'m [bool],
    /// Byte offsets, in increasing order, of every `drop` and untyped `select` whose
    /// operand is a `v128` (from [`crate::validate::validate`]): the compiler's operand
    /// stack is untyped, so it looks these up to know their width.
    pub v128_operands: &'m [u32],
    pub options: Options,
}

impl<'m> ModuleView<'m> {
    /// The type of defined function `def_index` (imports not counted).
    pub fn def_func_type(&self, def_index: u32) -> &'m FuncType {
        &self.func_types[(self.syntax.num_imported_funcs + def_index) as usize]
    }
}
