//! The store ([`Store`]) and the ways API calls reach it ([`AsContext`],
//! [`AsContextMut`], and [`Caller`] inside host functions).

use crate::api::func::HostFunc;
use crate::api::instance::Instance;
use crate::api::Extern;
use crate::exec::Stack;
use crate::runtime::engine::Engine;
pub use crate::runtime::store::Limits as StoreLimits;
use crate::runtime::store::StoreInner;

/// Owns every instance, function, memory, table and global created in it, plus the
/// embedder's data `T`, which host functions reach through [`Caller::data`].
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) hosts: Vec<HostFunc<T>>,
    pub(crate) engine: Engine,
    /// Call stacks not in use (a host function calling back into wasm takes another).
    pub(crate) stacks: Vec<Stack>,
    pub(crate) data: T,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let mut inner = StoreInner::new();
        inner.data.epoch = engine.inner.epoch.clone();
        inner.data.guard_pages = engine.guard_pages();
        inner.data.epoch_deadline = u64::MAX;
        Store {
            inner,
            hosts: Vec::new(),
            engine: engine.clone(),
            stacks: Vec::new(),
            data,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    pub fn data(&self) -> &T {
        &self.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    pub fn into_data(self) -> T {
        self.data
    }

    /// Sets the fuel left for wasm code (an error unless the engine was made with
    /// `Config::consume_fuel(true)`).
    pub fn set_fuel(&mut self, fuel: u64) -> crate::Result<()> {
        self.fuel_enabled()?;
        self.inner.data.fuel = fuel;
        Ok(())
    }

    /// The fuel left (an error unless the engine meters fuel).
    pub fn get_fuel(&self) -> crate::Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.data.fuel)
    }

    fn fuel_enabled(&self) -> crate::Result<()> {
        if self.engine.config().consume_fuel {
            Ok(())
        } else {
            Err(crate::Error::api(
                "fuel is not enabled: use Config::consume_fuel(true)",
            ))
        }
    }

    /// Sets the deadline for wasm running in this store to `ticks` epochs after the
    /// engine's current one (see `Config::epoch_interruption`).
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        let now = self
            .inner
            .data
            .epoch
            .load(std::sync::atomic::Ordering::Relaxed);
        self.inner.data.epoch_deadline = now.saturating_add(ticks);
    }

    /// Limits the resources of memories and tables created in this store from now on:
    /// a memory never grows past `limits.memory_bytes` (`memory.grow` returns -1) and
    /// one whose minimum is larger fails to instantiate; likewise for tables.
    pub fn limit(&mut self, limits: StoreLimits) {
        self.inner.data.limits = limits;
    }

    pub(crate) fn take_stack(&mut self) -> Stack {
        self.stacks.pop().unwrap_or_else(|| {
            let c = self.engine.config();
            Stack::new(c.max_stack_slots, c.max_call_depth)
        })
    }

    pub(crate) fn return_stack(&mut self, mut s: Stack) {
        s.frames.clear();
        self.stacks.push(s);
    }
}

/// Read access to a store: implemented by [`Store`], [`Caller`] and references to them.
pub trait AsContext {
    type Data;
    fn as_context(&self) -> &Store<Self::Data>;
}

/// Write access to a store.
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> &mut Store<Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn as_context(&self) -> &Store<S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn as_context(&self) -> &Store<S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn as_context_mut(&mut self) -> &mut Store<S::Data> {
        (**self).as_context_mut()
    }
}

/// What a host function receives as its first argument: the store, and the instance
/// whose code called it (so it can find that instance's exported memory).
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> Caller<'_, T> {
    pub fn data(&self) -> &T {
        self.store.data()
    }

    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    pub fn engine(&self) -> &Engine {
        self.store.engine()
    }

    /// An export of the calling instance, e.g. its `"memory"`.
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        let i = self.instance?;
        let inst = Instance {
            store: self.store.inner.id,
            index: i,
        };
        inst.get_export(&mut *self.store, name)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> &Store<T> {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> &mut Store<T> {
        self.store
    }
}
