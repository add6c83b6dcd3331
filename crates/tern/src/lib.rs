//! tern: a WebAssembly runtime.
//!
//! The pipeline runs one way: [`binary`] decodes bytes into the plain data of
//! [`syntax`], [`validate`] checks it, `compile` turns each function body into tern's
//! register-style internal code on first call, `runtime` instantiates modules into a
//! store, and `exec` interprets the internal code on tern's own call stack.

mod api;
pub mod binary;
pub(crate) mod compile;
pub mod error;
pub(crate) mod exec;
pub(crate) mod runtime;
pub mod syntax;
pub mod validate;

pub use api::*;
pub use error::{Error, FrameInfo, Result, Trap, TrapCode};
pub use runtime::engine::{Config, Engine};
pub use syntax::{
    AddrType, FuncType, GlobalType, HeapType, Limits, MemoryType, RefType, TableType, ValType,
};
