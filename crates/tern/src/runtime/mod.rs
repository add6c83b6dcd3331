//! The runtime (spec: Execution › Runtime Structure): the engine, modules as the
//! runtime holds them, the store and its entities, and instantiation. It owns the data
//! that `exec` runs against; it does not interpret code itself. It gets a function's
//! code only through `code` (the seam between the runtime and the tiers that make
//! code), and hands `compile` only a `compile::ModuleView`, so the compiler never
//! imports the runtime.

pub mod code;
pub mod engine;
pub mod instantiate;
pub mod memory;
pub mod module;
pub mod store;
pub mod table;
