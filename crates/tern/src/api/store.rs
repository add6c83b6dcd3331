//! The store ([`Store`]) and the ways API calls reach it ([`AsContext`],
//! [`AsContextMut`], and [`Caller`] inside host functions).

use crate::api::func::HostFunc;
use crate::api::instance::Instance;
use crate::api::Extern;
use crate::exec::Stack;
use crate::runtime::engine::Engine;
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
        Store {
            inner: StoreInner::new(),
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
