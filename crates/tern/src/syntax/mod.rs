//! The abstract syntax of WebAssembly modules, as the spec's "Structure" chapter
//! defines it: types, instructions and modules as plain data.
//!
//! Everything later in the pipeline (`binary` produces it; `validate`, `compile` and
//! `runtime` consume it) speaks these types. This module holds data only: it reads no
//! bytes and checks no rules.

pub mod instr;
pub mod module;
pub mod simd;
pub mod types;

pub use instr::*;
pub use module::*;
pub use simd::*;
pub use types::*;
