//! Values as the embedder sees them ([`Val`], [`ExternRef`]) and their conversion to
//! and from the untyped 64-bit slots the interpreter uses.

use std::any::Any;

use crate::api::func::Func;
use crate::api::store::{AsContext, AsContextMut};
use crate::compile::isa::slot_width;
use crate::error::{Error, Result};
use crate::syntax::{HeapType, RefType, ValType};

/// A WebAssembly value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// An `f32` as its bit pattern (so NaN payloads survive).
    F32(u32),
    /// An `f64` as its bit pattern.
    F64(u64),
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
}

/// A 128-bit vector value (`v128`) as its bits, lane 0 in the lowest bits; a typed
/// function may take and return it (or a plain `u128`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct V128(pub u128);

impl V128 {
    /// The value as its 128 bits.
    pub fn as_u128(self) -> u128 {
        self.0
    }
}

impl From<u128> for V128 {
    fn from(v: u128) -> V128 {
        V128(v)
    }
}

impl From<V128> for u128 {
    fn from(v: V128) -> u128 {
        v.0
    }
}

impl Val {
    /// The value's type (a null reference reports the nullable top type of its kind).
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
        }
    }

    /// The default value of a type: zero, or null for nullable references.
    pub fn default_for(ty: ValType) -> Option<Val> {
        Some(match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(r) if r.nullable => match ref_kind(r) {
                RefKind::Func => Val::FuncRef(None),
                RefKind::Extern => Val::ExternRef(None),
                RefKind::Other => return None,
            },
            ValType::Ref(_) => return None,
        })
    }

    pub fn f32(v: f32) -> Val {
        Val::F32(v.to_bits())
    }

    pub fn f64(v: f64) -> Val {
        Val::F64(v.to_bits())
    }

    pub fn unwrap_i32(&self) -> i32 {
        match self {
            Val::I32(v) => *v,
            _ => 0,
        }
    }

    /// Whether this value may be passed where `ty` is expected.
    pub fn matches(&self, store_id: u64, ty: ValType) -> bool {
        match (self, ty) {
            (Val::I32(_), ValType::I32)
            | (Val::I64(_), ValType::I64)
            | (Val::F32(_), ValType::F32)
            | (Val::F64(_), ValType::F64)
            | (Val::V128(_), ValType::V128) => true,
            (Val::FuncRef(f), ValType::Ref(r)) => {
                ref_kind(r) == RefKind::Func
                    && match f {
                        None => r.nullable,
                        Some(f) => f.store == store_id && r.heap == HeapType::Func,
                    }
            }
            (Val::ExternRef(e), ValType::Ref(r)) => {
                ref_kind(r) == RefKind::Extern
                    && match e {
                        None => r.nullable,
                        Some(e) => e.store == store_id && r.heap == HeapType::Extern,
                    }
            }
            _ => false,
        }
    }

    /// The slot representation of this value (type checked by the caller): a `v128`
    /// uses all 128 bits, every other value the low 64.
    pub(crate) fn to_bits(self) -> u128 {
        match self {
            Val::I32(v) => v as u32 as u128,
            Val::I64(v) => v as u64 as u128,
            Val::F32(v) => v as u128,
            Val::F64(v) => v as u128,
            Val::V128(v) => v,
            Val::FuncRef(f) => f.map_or(0, |f| f.index as u128 + 1),
            Val::ExternRef(e) => e.map_or(0, |e| e.index as u128 + 1),
        }
    }

    /// The one-slot representation of a value that is not a `v128` (table elements).
    pub(crate) fn to_slot(self) -> Result<u64> {
        match self {
            Val::V128(_) => Err(Error::api("a v128 value where a 64-bit one is needed")),
            v => Ok(v.to_bits() as u64),
        }
    }

    /// A value of type `ty` from its slot representation.
    pub(crate) fn from_slot(store_id: u64, ty: ValType, v: u64) -> Val {
        Val::from_bits(store_id, ty, v as u128)
    }

    /// A value of type `ty` from its slot representation (see [`Val::to_bits`]).
    pub(crate) fn from_bits(store_id: u64, ty: ValType, v: u128) -> Val {
        match ty {
            ValType::I32 => Val::I32(v as u32 as i32),
            ValType::I64 => Val::I64(v as u64 as i64),
            ValType::F32 => Val::F32(v as u32),
            ValType::F64 => Val::F64(v as u64),
            ValType::V128 => Val::V128(v),
            ValType::Ref(r) => {
                let v = v as u64;
                match ref_kind(r) {
                    RefKind::Extern => Val::ExternRef((v != 0).then(|| ExternRef {
                        store: store_id,
                        index: (v - 1) as u32,
                    })),
                    _ => Val::FuncRef((v != 0).then(|| Func {
                        store: store_id,
                        index: (v - 1) as u32,
                    })),
                }
            }
        }
    }
}

/// Values laid out as frame slots: one slot each, two (low half first) for a `v128`.
pub(crate) fn to_slots(vals: &[Val]) -> Vec<u64> {
    let mut out = Vec::with_capacity(vals.len());
    for v in vals {
        let bits = v.to_bits();
        out.push(bits as u64);
        if let Val::V128(_) = v {
            out.push((bits >> 64) as u64);
        }
    }
    out
}

/// Reads values of types `tys` from frame slots laid out as [`to_slots`] writes them.
pub(crate) fn from_slots(store_id: u64, tys: &[ValType], slots: &[u64], out: &mut [Val]) {
    let mut i = 0;
    for (r, &t) in out.iter_mut().zip(tys) {
        let lo = slots.get(i).copied().unwrap_or(0) as u128;
        let bits = if t == ValType::V128 {
            lo | (slots.get(i + 1).copied().unwrap_or(0) as u128) << 64
        } else {
            lo
        };
        i += slot_width(t);
        *r = Val::from_bits(store_id, t, bits);
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}
impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::f32(v)
    }
}
impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::f64(v)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    Func,
    Extern,
    Other,
}

/// Which family of references a reference type belongs to.
pub(crate) fn ref_kind(r: RefType) -> RefKind {
    match r.heap {
        HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_) => RefKind::Func,
        HeapType::Extern | HeapType::NoExtern => RefKind::Extern,
        _ => RefKind::Other,
    }
}

/// A reference to a host value, passed to wasm as an `externref`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ExternRef {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl ExternRef {
    /// Wraps `value` in a new reference owned by `store`.
    pub fn new<T: Any + Send + Sync>(mut store: impl AsContextMut, value: T) -> ExternRef {
        let s = store.as_context_mut();
        let index = s.inner.externs.len() as u32;
        s.inner.externs.push(Box::new(value));
        ExternRef {
            store: s.inner.id,
            index,
        }
    }

    /// The host value this reference wraps.
    pub fn data<'a>(&self, store: &'a impl AsContext) -> Result<&'a (dyn Any + Send + Sync)> {
        let s = store.as_context();
        if s.inner.id != self.store {
            return Err(Error::api(
                "externref used with a store it does not belong to",
            ));
        }
        s.inner
            .externs
            .get(self.index as usize)
            .map(|b| &**b)
            .ok_or_else(|| Error::api("dangling externref"))
    }
}
