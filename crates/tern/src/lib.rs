//! tern: a WebAssembly runtime.
//!
//! The pipeline runs one way: [`binary`] decodes bytes into the plain data of
//! [`syntax`], [`validate`] checks it, `compile` turns each function body into tern's
//! register-style internal code on first call, `runtime` instantiates modules into a
//! store, and `exec` interprets the internal code on tern's own call stack.

pub mod binary;
pub mod error;
pub mod syntax;
pub mod validate;

pub use error::{Error, FrameInfo, Result, Trap, TrapCode};
