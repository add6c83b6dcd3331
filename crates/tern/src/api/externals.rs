//! External values: [`Memory`], [`Table`], [`Global`], the [`Extern`] that holds any
//! of them, and the types that describe imports and exports.

use crate::api::func::Func;
use crate::api::store::{AsContext, AsContextMut};
use crate::api::values::Val;
use crate::error::{Error, Result};
use crate::runtime::memory::MemoryEntity;
use crate::runtime::store::{push, ExternIdx, GlobalEntity};
use crate::runtime::table::TableEntity;
use crate::syntax::{
    AddrType, FuncType, GlobalType, Limits, MemoryType, RefType, TableType, ValType,
};

fn check(store: u64, id: u64, what: &str) -> Result<()> {
    if store != id {
        return Err(Error::api(format!(
            "{what} used with a store it does not belong to"
        )));
    }
    Ok(())
}

/// A linear memory.
///
/// ```
/// use tern::{Engine, Memory, MemoryType, Store};
///
/// # fn main() -> tern::Result<()> {
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// let memory = Memory::new(&mut store, MemoryType::new(1, Some(2)))?;
/// memory.write(&mut store, 100, b"hi")?;
/// assert_eq!(&memory.data(&store)[100..102], b"hi");
/// assert_eq!(memory.grow(&mut store, 1)?, 1);
/// assert!(memory.grow(&mut store, 1).is_err());
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Memory {
    /// Creates a memory of type `ty` (for example `MemoryType::new(1, None)`).
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let s = store.as_context_mut();
        let m = MemoryEntity::new(
            ty,
            s.inner.data.limits.memory_bytes,
            s.inner.data.guard_pages,
        )
        .filter(|m| s.inner.data.memory_fits(m.byte_len() as u64))
        .ok_or_else(|| Error::Instantiation(format!("cannot allocate memory {ty}")))?;
        let index = push(&mut s.inner.data.memories, m)?;
        Ok(Memory {
            store: s.inner.id,
            index,
        })
    }

    /// This memory in `s`; a memory of another store reads as an empty one (the
    /// methods that can fail say so with an error instead).
    fn entity<'a, T>(&self, s: &'a crate::Store<T>) -> &'a MemoryEntity {
        static EMPTY: std::sync::OnceLock<MemoryEntity> = std::sync::OnceLock::new();
        match s.inner.data.memories.get(self.index as usize) {
            Some(m) if s.inner.id == self.store => m,
            _ => EMPTY.get_or_init(|| {
                MemoryEntity::new(MemoryType::new(0, Some(0)), None, false)
                    .unwrap_or_else(|| unreachable!())
            }),
        }
    }

    fn entity_mut<'a, T>(&self, s: &'a mut crate::Store<T>) -> Option<&'a mut MemoryEntity> {
        if s.inner.id != self.store {
            return None;
        }
        s.inner.data.memories.get_mut(self.index as usize)
    }

    /// The memory's type, with its current size as the minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let s = store.as_context();
        let m = self.entity(s);
        MemoryType {
            limits: Limits {
                min: m.pages(),
                ..m.ty.limits
            },
            ..m.ty
        }
    }

    /// Current size in pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(store.as_context()).pages()
    }

    /// Current size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.entity(store.as_context()).data().len()
    }

    /// The memory's bytes (empty if the memory belongs to another store).
    pub fn data<'a, T: 'a>(&self, store: impl Into<StoreRef<'a, T>>) -> &'a [u8] {
        self.entity(store.into().0).data()
    }

    /// The memory's bytes, writable (empty if the memory belongs to another store).
    pub fn data_mut<'a, T: 'a>(&self, store: impl Into<StoreMut<'a, T>>) -> &'a mut [u8] {
        match self.entity_mut(store.into().0) {
            Some(m) => m.data_mut(),
            None => &mut [],
        }
    }

    /// The memory's bytes and the store's data at once, for host functions that need
    /// both (for example a WASI call reading buffers while updating its file table).
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: impl Into<StoreMut<'a, T>>,
    ) -> (&'a mut [u8], &'a mut T) {
        let s = store.into().0;
        let data = &mut s.data;
        let mem = match s.inner.data.memories.get_mut(self.index as usize) {
            Some(m) if s.inner.id == self.store => m.data_mut(),
            _ => &mut [],
        };
        (mem, data)
    }

    /// Grows by `delta` pages, returning the previous size in pages.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let s = store.as_context_mut();
        check(self.store, s.inner.id, "memory")?;
        s.inner
            .data
            .grow_memory(self.index as usize, delta)
            .ok_or_else(|| Error::api("failed to grow memory"))
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let s = store.as_context();
        check(self.store, s.inner.id, "memory")?;
        let d = self.entity(s).data();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| d.get(offset..end))
            .ok_or_else(|| Error::api("out of bounds memory access"))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let s = store.as_context_mut();
        check(self.store, s.inner.id, "memory")?;
        let d = self
            .entity_mut(s)
            .ok_or_else(|| Error::api("dangling memory"))?
            .data_mut();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| d.get_mut(offset..end))
            .ok_or_else(|| Error::api("out of bounds memory access"))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}

/// A shared borrow of a store, for [`Memory::data`].
pub struct StoreRef<'a, T>(&'a crate::Store<T>);
/// An exclusive borrow of a store, for [`Memory::data_mut`].
pub struct StoreMut<'a, T>(&'a mut crate::Store<T>);

impl<'a, T> From<&'a crate::Store<T>> for StoreRef<'a, T> {
    fn from(s: &'a crate::Store<T>) -> Self {
        StoreRef(s)
    }
}
impl<'a, T> From<&'a mut crate::Store<T>> for StoreRef<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        StoreRef(s)
    }
}
impl<'a, T> From<&'a crate::Caller<'_, T>> for StoreRef<'a, T> {
    fn from(s: &'a crate::Caller<'_, T>) -> Self {
        StoreRef(s.store)
    }
}
impl<'a, T> From<&'a mut crate::Caller<'_, T>> for StoreRef<'a, T> {
    fn from(s: &'a mut crate::Caller<'_, T>) -> Self {
        StoreRef(s.store)
    }
}
impl<'a, T> From<&'a mut crate::Store<T>> for StoreMut<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        StoreMut(s)
    }
}
impl<'a, T> From<&'a mut crate::Caller<'_, T>> for StoreMut<'a, T> {
    fn from(s: &'a mut crate::Caller<'_, T>) -> Self {
        StoreMut(s.store)
    }
}

/// A table of references.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Table {
    /// Creates a table of type `ty` with every element set to `init`.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let s = store.as_context_mut();
        if !init.matches(s.inner.id, ValType::Ref(ty.elem)) {
            return Err(Error::api("table initial value has the wrong type"));
        }
        let t = TableEntity::new(ty, init.to_slot()?, s.inner.data.limits.table_elements)
            .filter(|_| s.inner.data.table_fits())
            .ok_or_else(|| Error::Instantiation(format!("cannot allocate table {ty}")))?;
        let index = push(&mut s.inner.data.tables, t)?;
        Ok(Table {
            store: s.inner.id,
            index,
        })
    }

    fn entity<'a, T>(&self, s: &'a crate::Store<T>) -> Option<&'a TableEntity> {
        s.inner
            .data
            .tables
            .get(self.index as usize)
            .filter(|_| s.inner.id == self.store)
    }

    /// The table's type, with its current size as the minimum (an empty table's type
    /// if the table belongs to another store).
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let s = store.as_context();
        let Some(t) = self.entity(s) else {
            return TableType::new(RefType::FUNCREF, 0, Some(0));
        };
        TableType {
            limits: Limits {
                min: t.size(),
                ..t.ty.limits
            },
            ..t.ty
        }
    }

    pub fn size(&self, store: impl AsContext) -> u64 {
        self.entity(store.as_context()).map_or(0, |t| t.size())
    }

    /// The element at `index`, or `None` past the end.
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Val> {
        let s = store.as_context();
        let t = self.entity(s)?;
        let v = *t.elems.get(usize::try_from(index).ok()?)?;
        Some(Val::from_slot(s.inner.id, ValType::Ref(t.ty.elem), v))
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u64, val: Val) -> Result<()> {
        let s = store.as_context_mut();
        check(self.store, s.inner.id, "table")?;
        let id = s.inner.id;
        let t = s
            .inner
            .data
            .tables
            .get_mut(self.index as usize)
            .ok_or_else(|| Error::api("dangling table"))?;
        if !val.matches(id, ValType::Ref(t.ty.elem)) {
            return Err(Error::api("table element has the wrong type"));
        }
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elems.get_mut(i))
            .ok_or_else(|| Error::api("table index out of bounds"))?;
        *slot = val.to_slot()?;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`, returning the previous size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Val) -> Result<u64> {
        let s = store.as_context_mut();
        check(self.store, s.inner.id, "table")?;
        let v = init.to_slot()?;
        s.inner
            .data
            .tables
            .get_mut(self.index as usize)
            .ok_or_else(|| Error::api("dangling table"))?
            .grow(delta, v)
            .ok_or_else(|| Error::api("failed to grow table"))
    }
}

/// Whether a global can be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

/// A global variable.
///
/// ```
/// use tern::{Engine, Global, GlobalType, Mutability, Store, Val, ValType};
///
/// # fn main() -> tern::Result<()> {
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// let ty = GlobalType::new(ValType::I64, Mutability::Var);
/// let g = Global::new(&mut store, ty, Val::I64(1))?;
/// g.set(&mut store, Val::I64(2))?;
/// assert_eq!(g.get(&store), Val::I64(2));
/// assert!(g.set(&mut store, Val::I32(3)).is_err()); // wrong type: an error, not a panic
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, val: Val) -> Result<Global> {
        let s = store.as_context_mut();
        if !val.matches(s.inner.id, ty.content) {
            return Err(Error::api(format!(
                "global of type {ty} given a {} value",
                val.ty()
            )));
        }
        let g = GlobalEntity {
            ty,
            value: val.to_bits(),
        };
        let index = push(&mut s.inner.data.globals, g)?;
        Ok(Global {
            store: s.inner.id,
            index,
        })
    }

    fn entity<'a, T>(&self, s: &'a crate::Store<T>) -> Option<&'a GlobalEntity> {
        s.inner
            .data
            .globals
            .get(self.index as usize)
            .filter(|_| s.inner.id == self.store)
    }

    /// The global's type (an immutable `i32`'s if it belongs to another store).
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        self.entity(store.as_context())
            .map_or(GlobalType::new(ValType::I32, Mutability::Const), |g| g.ty)
    }

    /// The global's value (`i32` 0 if the global belongs to another store).
    pub fn get(&self, store: impl AsContext) -> Val {
        let s = store.as_context();
        let Some(g) = self.entity(s) else {
            return Val::I32(0);
        };
        Val::from_bits(s.inner.id, g.ty.content, g.value)
    }

    pub fn set(&self, mut store: impl AsContextMut, val: Val) -> Result<()> {
        let s = store.as_context_mut();
        check(self.store, s.inner.id, "global")?;
        let id = s.inner.id;
        let g = s
            .inner
            .data
            .globals
            .get_mut(self.index as usize)
            .ok_or_else(|| Error::api("dangling global"))?;
        if !g.ty.mutable {
            return Err(Error::api("cannot set an immutable global"));
        }
        if !val.matches(id, g.ty.content) {
            return Err(Error::api("global value has the wrong type"));
        }
        g.value = val.to_bits();
        Ok(())
    }
}

/// Any external value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl Extern {
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    pub(crate) fn store_id(&self) -> u64 {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
        }
    }

    pub(crate) fn to_idx(self) -> ExternIdx {
        match self {
            Extern::Func(f) => ExternIdx::Func(f.index),
            Extern::Table(t) => ExternIdx::Table(t.index),
            Extern::Memory(m) => ExternIdx::Memory(m.index),
            Extern::Global(g) => ExternIdx::Global(g.index),
        }
    }

    pub(crate) fn from_idx(store: u64, e: ExternIdx) -> Option<Extern> {
        Some(match e {
            ExternIdx::Func(index) => Extern::Func(Func { store, index }),
            ExternIdx::Table(index) => Extern::Table(Table { store, index }),
            ExternIdx::Memory(index) => Extern::Memory(Memory { store, index }),
            ExternIdx::Global(index) => Extern::Global(Global { store, index }),
        })
    }

    /// The type of this external value.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        let s = store.as_context();
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(s)),
            Extern::Table(t) => ExternType::Table(t.ty(s)),
            Extern::Memory(m) => ExternType::Memory(m.ty(s)),
            Extern::Global(g) => ExternType::Global(g.ty(s)),
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

/// The type of an import or export.
#[derive(Clone, Debug, PartialEq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// An exception tag, with the function type of its payload.
    Tag(FuncType),
}

impl std::fmt::Display for ExternType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExternType::Func(t) => write!(f, "{t}"),
            ExternType::Table(t) => write!(f, "(table {t})"),
            ExternType::Memory(t) => write!(f, "(memory {t})"),
            ExternType::Global(t) => write!(f, "(global {t})"),
            ExternType::Tag(t) => write!(f, "(tag {t})"),
        }
    }
}

/// One import of a module.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportType {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

impl ImportType {
    pub fn module(&self) -> &str {
        &self.module
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// One export of a module.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportType {
    pub name: String,
    pub ty: ExternType,
}

impl ExportType {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

impl MemoryType {
    /// A 32-bit memory of `min` pages, at most `max`.
    pub fn new(min: u32, max: Option<u32>) -> MemoryType {
        MemoryType {
            addr: AddrType::I32,
            limits: Limits {
                min: min as u64,
                max: max.map(u64::from),
            },
            shared: false,
            page_size_log2: None,
        }
    }
}

impl TableType {
    /// A 32-bit table of `element` references, `min` elements, at most `max`.
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> TableType {
        TableType {
            addr: AddrType::I32,
            limits: Limits {
                min: min as u64,
                max: max.map(u64::from),
            },
            elem: element,
        }
    }
}

impl GlobalType {
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content,
            mutable: mutability == Mutability::Var,
        }
    }
}
