//! The embedding API: the types an embedder uses, named and shaped like wasmtime's
//! (`Engine`, `Module`, `Store`, `Linker`, `Instance`, `Func`, `TypedFunc`, `Memory`,
//! `Table`, `Global`, `Val`). It is built on `runtime` and `exec` and adds type checks,
//! store-ownership checks and the host-call loop.

pub mod externals;
pub mod func;
pub mod instance;
pub mod linker;
pub mod module;
pub mod store;
pub mod values;

pub use externals::{
    ExportType, Extern, ExternType, Global, ImportType, Memory, Mutability, StoreMut, StoreRef,
    Table,
};
pub use func::{
    Func, IntoFunc, ResumableCall, ResumableInvocation, TypedFunc, WasmRet, WasmTy, WasmTyList,
};
pub use instance::Instance;
pub use linker::Linker;
pub use module::Module;
pub use store::{AsContext, AsContextMut, Caller, Store, StoreLimits};
pub use values::{ExternRef, Val, V128};
