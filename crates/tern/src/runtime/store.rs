//! The store's contents (spec: Execution › Runtime Structure › Store): every function,
//! instance, memory, table, global, element and data segment, addressed by small
//! indices.
//!
//! The store is split in two: [`CodePart`] (functions and instances) is only read while
//! wasm code runs, [`DataPart`] (memories, tables, globals, segments) is written. The
//! interpreter borrows the first shared and the second exclusively, so it can hold a
//! function's code while it writes memory. Host-side changes to the code part
//! (instantiating, creating host functions) happen only outside the interpreter loop.

use std::any::Any;
use std::sync::{Arc, OnceLock};

use crate::compile::isa::CompiledFunc;
use crate::error::{Error, Result};
use crate::runtime::memory::MemoryEntity;
use crate::runtime::module::ModuleInner;
use crate::runtime::table::TableEntity;
use crate::syntax::{FuncType, GlobalType};

/// A function in the store.
pub enum FuncEntity {
    Wasm(WasmFunc),
    /// A host function: its type and its index in the typed store's host table.
    Host {
        ty: Arc<FuncType>,
        type_id: u32,
        host: u32,
    },
}

impl FuncEntity {
    /// The engine-wide id of the function's type (for `call_indirect` checks).
    pub fn type_id(&self) -> u32 {
        match self {
            FuncEntity::Wasm(w) => w.type_id,
            FuncEntity::Host { type_id, .. } => *type_id,
        }
    }
}

/// A function defined by a wasm module, bound to its instance.
pub struct WasmFunc {
    pub module: Arc<ModuleInner>,
    /// Index among the module's defined functions (imports not counted).
    pub def_index: u32,
    pub instance: u32,
    pub type_id: u32,
    /// The compiled code, filled on first call.
    pub compiled: OnceLock<Arc<CompiledFunc>>,
}

impl WasmFunc {
    /// The function's internal code, compiling it on first use.
    pub fn code(&self) -> Result<&CompiledFunc> {
        if let Some(c) = self.compiled.get() {
            return Ok(c);
        }
        let c = self.module.code(self.def_index)?;
        self.module.prefetch_callees(&c);
        Ok(self.compiled.get_or_init(|| c))
    }

    pub fn func_index(&self) -> u32 {
        self.module.syntax.num_imported_funcs + self.def_index
    }

    pub fn ty(&self) -> &FuncType {
        self.module.def_func_type(self.def_index)
    }
}

/// An instantiated module: the store indices of everything its index spaces name.
pub struct InstanceEntity {
    /// Store indices of the functions: the imported ones, then the defined ones, which
    /// instantiation pushes one after another.
    pub funcs: Vec<u32>,
    /// How many of `funcs` are imported: from there on, `funcs[i] - i` is the same for
    /// every `i` (instantiation checks it), which calls rely on.
    pub imported_funcs: u32,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    pub elems: Vec<u32>,
    pub datas: Vec<u32>,
    pub exports: Vec<(String, ExternIdx)>,
}

/// An external value: the kind and store index of an exported or imported entity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExternIdx {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
}

/// A global's current value (in slot representation: the low 64 bits, or all 128 for
/// a `v128`) and type.
pub struct GlobalEntity {
    pub ty: GlobalType,
    pub value: u128,
}

/// An element segment instance: references in slot representation. Dropped segments
/// are empty.
pub struct ElemEntity {
    pub items: Vec<u64>,
}

/// A data segment instance. Dropped segments are empty.
pub struct DataEntity {
    pub bytes: Arc<[u8]>,
}

/// Functions and instances: read-only while wasm runs.
#[derive(Default)]
pub struct CodePart {
    pub funcs: Vec<FuncEntity>,
    pub instances: Vec<InstanceEntity>,
}

/// Memories, tables, globals and segments: written while wasm runs.
#[derive(Default)]
pub struct DataPart {
    pub memories: Vec<MemoryEntity>,
    pub tables: Vec<TableEntity>,
    pub globals: Vec<GlobalEntity>,
    pub elems: Vec<ElemEntity>,
    pub datas: Vec<DataEntity>,
    /// Fuel left (used only when the engine meters fuel).
    pub fuel: u64,
    /// The engine's epoch and this store's deadline in it (used only with epoch
    /// interruption).
    pub epoch: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub epoch_deadline: u64,
    /// Resource limits applied to memories and tables created from now on.
    pub limits: Limits,
    /// Whether memories native code accesses unchecked are reserved with guard pages
    /// (the engine's `Config::guard_pages`, where the host has them).
    pub guard_pages: bool,
}

/// Resource limits of a store (see `Store::limit`). `None` means no limit beyond
/// the spec's and the host's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Limits {
    /// The most bytes one linear memory may have.
    pub memory_bytes: Option<u64>,
    /// The most bytes all linear memories of the store may have together.
    pub total_memory_bytes: Option<u64>,
    /// The most elements one table may have.
    pub table_elements: Option<u64>,
    /// The most instances, memories and tables the store may hold.
    pub instances: Option<usize>,
    pub memories: Option<usize>,
    pub tables: Option<usize>,
}

impl DataPart {
    /// Bytes of all memories together.
    pub fn total_memory_bytes(&self) -> u64 {
        self.memories.iter().map(|m| m.byte_len() as u64).sum()
    }

    /// Grows memory `m` (store index) by `delta` pages within the store's limits;
    /// the old size in pages, or `None` with nothing changed.
    pub fn grow_memory(&mut self, m: usize, delta: u64) -> Option<u64> {
        if let Some(total) = self.limits.total_memory_bytes {
            let mem = self.memories.get(m)?;
            let extra = delta.checked_mul(1 << mem.ty.page_size_log2())?;
            if self.total_memory_bytes().checked_add(extra)? > total {
                return None;
            }
        }
        self.memories.get_mut(m)?.grow(delta)
    }

    /// Whether one more memory of `bytes` bytes fits the store's limits.
    pub fn memory_fits(&self, bytes: u64) -> bool {
        self.limits.memories.is_none_or(|n| self.memories.len() < n)
            && self.limits.total_memory_bytes.is_none_or(|t| {
                self.total_memory_bytes()
                    .checked_add(bytes)
                    .is_some_and(|sum| sum <= t)
            })
    }

    /// Whether one more table fits the store's limits.
    pub fn table_fits(&self) -> bool {
        self.limits.tables.is_none_or(|n| self.tables.len() < n)
    }
}

/// The non-generic contents of a `Store<T>`.
pub struct StoreInner {
    /// Distinguishes stores, so a handle from one store is refused by another.
    pub id: u64,
    pub code: CodePart,
    pub data: DataPart,
    /// Payloads of `externref` values; an externref slot holds index + 1 (0 is null).
    pub externs: Vec<Box<dyn Any + Send + Sync>>,
}

impl StoreInner {
    pub fn new() -> StoreInner {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(1);
        StoreInner {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            code: CodePart::default(),
            data: DataPart::default(),
            externs: Vec::new(),
        }
    }

    /// Adds a function, returning its store index.
    pub fn push_func(&mut self, f: FuncEntity) -> Result<u32> {
        push(&mut self.code.funcs, f)
    }
}

impl Default for StoreInner {
    fn default() -> Self {
        StoreInner::new()
    }
}

/// Pushes onto an index space, refusing to grow it past `u32::MAX - 1` entries (slot
/// encodings reserve 0 for null and add one to indices).
pub fn push<E>(v: &mut Vec<E>, e: E) -> Result<u32> {
    let i = v.len();
    if i >= (u32::MAX - 1) as usize {
        return Err(Error::Instantiation(
            "too many entities in one store".into(),
        ));
    }
    v.push(e);
    Ok(i as u32)
}
