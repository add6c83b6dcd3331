//! The runtime (spec: Execution › Runtime Structure): the engine, modules as the
//! runtime holds them, the store and its entities, and instantiation. It owns the data
//! that `exec` runs against; it does not interpret code itself.

pub mod code;
pub mod engine;
pub mod instantiate;
pub mod memory;
pub mod module;
pub mod store;
pub mod table;
