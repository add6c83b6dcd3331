//! tern: a WebAssembly runtime.
//!
//! The pipeline runs one way: [`binary`] decodes bytes into the plain data of
//! [`syntax`], [`validate`] checks it, `compile` turns each function body into tern's
//! register-style internal code on first call (asked through `runtime::code`, reading
//! the module through its own `compile::ModuleView`), `runtime` instantiates modules
//! into a store, and `exec` interprets the internal code on tern's own call stack.
//! `docs/architecture.md` in the repository is the map of these rooms.
//!
//! # Embedding
//!
//! The API follows wasmtime's names and shapes:
//!
//! ```
//! use tern::{Caller, Engine, Linker, Module, Store};
//!
//! # fn main() -> tern::Result<()> {
//! let engine = Engine::default();
//! let module = Module::new(
//!     &engine,
//!     r#"(module
//!          (import "host" "log" (func $log (param i32)))
//!          (func (export "double_and_log") (param i32) (result i32)
//!            (call $log (local.get 0))
//!            (i32.mul (local.get 0) (i32.const 2))))"#,
//! )?;
//! let mut store = Store::new(&engine, Vec::<i32>::new());
//! let mut linker = Linker::new(&engine);
//! linker.func_wrap("host", "log", |mut caller: Caller<'_, Vec<i32>>, x: i32| {
//!     caller.data_mut().push(x);
//! })?;
//! let instance = linker.instantiate(&mut store, &module)?;
//! let double = instance.get_typed_func::<i32, i32>(&store, "double_and_log")?;
//! assert_eq!(double.call(&mut store, 21)?, 42);
//! assert_eq!(store.data(), &[21]);
//! # Ok(())
//! # }
//! ```
//!
//! A trap is an [`Error::Trap`] carrying the spec's message and a wasm backtrace:
//!
//! ```
//! use tern::{Engine, Instance, Module, Store};
//!
//! # fn main() -> tern::Result<()> {
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module (func (export "f") (result i32)
//!     (i32.div_u (i32.const 1) (i32.const 0))))"#)?;
//! let mut store = Store::new(&engine, ());
//! let instance = Instance::new(&mut store, &module, &[])?;
//! let f = instance.get_typed_func::<(), i32>(&store, "f")?;
//! let err = f.call(&mut store, ()).unwrap_err();
//! assert_eq!(err.as_trap().unwrap().message(), "integer divide by zero");
//! # Ok(())
//! # }
//! ```

mod api;
pub mod binary;
pub(crate) mod compile;
pub mod error;
pub(crate) mod exec;
#[cfg(all(feature = "jit", any(target_arch = "x86_64", target_arch = "aarch64")))]
pub(crate) mod jit;
pub(crate) mod runtime;
pub mod syntax;
pub mod validate;

pub use api::*;
pub use error::{Error, FrameInfo, Result, Trap, TrapCode};
pub use runtime::engine::{Config, Engine, Tier};
pub use syntax::{
    AddrType, FuncType, GlobalType, HeapType, Limits, MemoryType, RefType, TableType, ValType,
};
