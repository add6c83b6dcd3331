//! Matching (spec: Validation › Matching): subtyping of value, reference and heap
//! types, and type equivalence of the module's defined types.
//!
//! Defined types are compared iso-recursively: every recursion group gets a
//! canonical key (its structure, with references inside the group written as
//! relative indices and references to earlier groups as their canonical ids), and
//! two type indices denote the same type when they have the same canonical id.
//! Concrete types are subtypes when equivalent or when one's declared supertype
//! chain reaches the other. This file owns those rules and nothing else: it does
//! not check that the types are well-formed (see `module.rs`), only assumes that
//! the indices it is given were checked against the type section.

use std::collections::HashMap;

use crate::syntax::{
    CompositeType, FieldType, FuncType, HeapType, Module, RefType, StorageType, SubType, ValType,
};

/// The defined types of a module with their canonical ids.
pub(crate) struct Types<'m> {
    types: &'m [SubType],
    /// Canonical id of each type index: the smallest type index equivalent to it.
    canon: Vec<u32>,
    keys: HashMap<Vec<u64>, u32>,
}

impl<'m> Types<'m> {
    pub(crate) fn new(module: &'m Module) -> Types<'m> {
        Types {
            types: &module.types,
            canon: Vec::with_capacity(module.types.len()),
            keys: HashMap::new(),
        }
    }

    /// Number of types whose canonical id is known (those of the groups added so far).
    pub(crate) fn len(&self) -> u32 {
        self.canon.len() as u32
    }

    /// Adds the recursion group `start..end` (which must directly follow the groups
    /// added so far, and whose type indices must all be below `end`).
    pub(crate) fn add_group(&mut self, start: u32, end: u32) {
        let mut key = Vec::new();
        for t in self.types.get(start as usize..end as usize).unwrap_or(&[]) {
            self.key_subtype(&mut key, t, start);
        }
        let base = *self.keys.entry(key).or_insert(start);
        for i in 0..end.saturating_sub(start) {
            self.canon.push(base + i);
        }
    }

    fn key_index(&self, key: &mut Vec<u64>, idx: u32, start: u32) {
        if idx >= start {
            key.push((1 << 32) | u64::from(idx - start));
        } else {
            key.push(u64::from(
                self.canon.get(idx as usize).copied().unwrap_or(idx),
            ));
        }
    }

    fn key_subtype(&self, key: &mut Vec<u64>, t: &SubType, start: u32) {
        key.push(u64::from(t.is_final));
        key.push(t.supertypes.len() as u64);
        for &s in t.supertypes.iter() {
            self.key_index(key, s, start);
        }
        match &t.composite {
            CompositeType::Func(f) => {
                key.push(0);
                key.push(f.params.len() as u64);
                for &p in f.params.iter() {
                    self.key_valtype(key, p, start);
                }
                key.push(f.results.len() as u64);
                for &r in f.results.iter() {
                    self.key_valtype(key, r, start);
                }
            }
            CompositeType::Struct(fields) => {
                key.push(1);
                key.push(fields.len() as u64);
                for f in fields.iter() {
                    self.key_field(key, f, start);
                }
            }
            CompositeType::Array(f) => {
                key.push(2);
                self.key_field(key, f, start);
            }
        }
    }

    fn key_field(&self, key: &mut Vec<u64>, f: &FieldType, start: u32) {
        key.push(u64::from(f.mutable));
        match f.storage {
            StorageType::I8 => key.push(100),
            StorageType::I16 => key.push(101),
            StorageType::Val(v) => self.key_valtype(key, v, start),
        }
    }

    fn key_valtype(&self, key: &mut Vec<u64>, v: ValType, start: u32) {
        match v {
            ValType::I32 => key.push(0),
            ValType::I64 => key.push(1),
            ValType::F32 => key.push(2),
            ValType::F64 => key.push(3),
            ValType::V128 => key.push(4),
            ValType::Ref(r) => {
                key.push(5);
                key.push(u64::from(r.nullable));
                let code = match r.heap {
                    HeapType::Func => 0,
                    HeapType::NoFunc => 1,
                    HeapType::Extern => 2,
                    HeapType::NoExtern => 3,
                    HeapType::Any => 4,
                    HeapType::Eq => 5,
                    HeapType::I31 => 6,
                    HeapType::Struct => 7,
                    HeapType::Array => 8,
                    HeapType::None => 9,
                    HeapType::Exn => 10,
                    HeapType::NoExn => 11,
                    HeapType::Concrete(i) => {
                        key.push(12);
                        self.key_index(key, i, start);
                        return;
                    }
                };
                key.push(code);
            }
        }
    }

    fn get(&self, idx: u32) -> Option<&'m SubType> {
        self.types.get(idx as usize)
    }

    /// The function type at `idx`, if it is one.
    pub(crate) fn func(&self, idx: u32) -> Option<&'m FuncType> {
        self.get(idx)?.as_func()
    }

    /// Whether type indices `a` and `b` denote the same (equivalent) type.
    pub(crate) fn same(&self, a: u32, b: u32) -> bool {
        a == b
            || matches!(
                (self.canon.get(a as usize), self.canon.get(b as usize)),
                (Some(x), Some(y)) if x == y
            )
    }

    /// Whether the defined type `a` is a subtype of the defined type `b`.
    pub(crate) fn def_sub(&self, a: u32, b: u32) -> bool {
        let mut cur = a;
        // Supertype indices are strictly smaller than the subtype's index (checked when
        // the type section is validated), so this walk terminates; the bound makes
        // sure of it even on unchecked input.
        for _ in 0..=self.types.len() {
            if self.same(cur, b) {
                return true;
            }
            match self.get(cur).and_then(|t| t.supertypes.first()) {
                Some(&s) if s < cur => cur = s,
                _ => return false,
            }
        }
        false
    }

    fn is_func(&self, idx: u32) -> bool {
        matches!(
            self.get(idx),
            Some(SubType {
                composite: CompositeType::Func(_),
                ..
            })
        )
    }

    fn is_struct(&self, idx: u32) -> bool {
        matches!(
            self.get(idx),
            Some(SubType {
                composite: CompositeType::Struct(_),
                ..
            })
        )
    }

    fn is_array(&self, idx: u32) -> bool {
        matches!(
            self.get(idx),
            Some(SubType {
                composite: CompositeType::Array(_),
                ..
            })
        )
    }

    /// Heap type matching `a <: b`.
    pub(crate) fn heap_sub(&self, a: HeapType, b: HeapType) -> bool {
        use HeapType::*;
        match (a, b) {
            (Concrete(x), Concrete(y)) => self.def_sub(x, y),
            (None, Concrete(y)) => self.is_struct(y) || self.is_array(y),
            (NoFunc, Concrete(y)) => self.is_func(y),
            (_, Concrete(_)) => false,
            (Concrete(x), Any | Eq) => self.is_struct(x) || self.is_array(x),
            (Concrete(x), Struct) => self.is_struct(x),
            (Concrete(x), Array) => self.is_array(x),
            (Concrete(x), Func) => self.is_func(x),
            (Concrete(_), _) => false,
            (Any | Eq | I31 | Struct | Array | None, Any) => true,
            (Eq | I31 | Struct | Array | None, Eq) => true,
            (I31 | None, I31) | (Struct | None, Struct) | (Array | None, Array) => true,
            (Func | NoFunc, Func) | (Extern | NoExtern, Extern) | (Exn | NoExn, Exn) => true,
            (a, b) => a == b,
        }
    }

    /// Reference type matching `a <: b`.
    pub(crate) fn ref_sub(&self, a: RefType, b: RefType) -> bool {
        (!a.nullable || b.nullable) && self.heap_sub(a.heap, b.heap)
    }

    /// Value type matching `a <: b`.
    pub(crate) fn val_sub(&self, a: ValType, b: ValType) -> bool {
        match (a, b) {
            (ValType::Ref(a), ValType::Ref(b)) => self.ref_sub(a, b),
            (a, b) => a == b,
        }
    }

    fn vals_sub(&self, a: &[ValType], b: &[ValType]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| self.val_sub(x, y))
    }

    fn storage_sub(&self, a: StorageType, b: StorageType) -> bool {
        match (a, b) {
            (StorageType::Val(a), StorageType::Val(b)) => self.val_sub(a, b),
            (a, b) => a == b,
        }
    }

    fn field_sub(&self, a: &FieldType, b: &FieldType) -> bool {
        a.mutable == b.mutable
            && self.storage_sub(a.storage, b.storage)
            && (!a.mutable || self.storage_sub(b.storage, a.storage))
    }

    /// Composite type matching `a <: b` (used for declared supertypes).
    pub(crate) fn composite_sub(&self, a: &CompositeType, b: &CompositeType) -> bool {
        match (a, b) {
            (CompositeType::Func(a), CompositeType::Func(b)) => {
                self.vals_sub(&b.params, &a.params) && self.vals_sub(&a.results, &b.results)
            }
            (CompositeType::Struct(a), CompositeType::Struct(b)) => {
                a.len() >= b.len() && a.iter().zip(b.iter()).all(|(x, y)| self.field_sub(x, y))
            }
            (CompositeType::Array(a), CompositeType::Array(b)) => self.field_sub(a, b),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::CompositeType;

    fn sub(sup: &[u32], is_final: bool, c: CompositeType) -> SubType {
        SubType {
            is_final,
            supertypes: sup.into(),
            composite: c,
        }
    }

    fn func(params: &[ValType], results: &[ValType]) -> CompositeType {
        CompositeType::Func(FuncType::new(
            params.iter().copied(),
            results.iter().copied(),
        ))
    }

    #[test]
    fn abstract_hierarchy() {
        let m = Module::default();
        let t = Types::new(&m);
        use HeapType::*;
        assert!(t.heap_sub(NoFunc, Func));
        assert!(!t.heap_sub(Func, NoFunc));
        assert!(t.heap_sub(None, Any));
        assert!(t.heap_sub(I31, Eq));
        assert!(!t.heap_sub(Extern, Any));
        assert!(t.heap_sub(NoExn, Exn));
        assert!(t.ref_sub(RefType::new(false, Func), RefType::FUNCREF));
        assert!(!t.ref_sub(RefType::FUNCREF, RefType::new(false, Func)));
    }

    #[test]
    fn equivalence_and_declared_subtypes() {
        let r = |i| ValType::Ref(RefType::new(true, HeapType::Concrete(i)));
        let m = Module {
            types: vec![
                sub(&[], true, func(&[ValType::I32], &[])),
                sub(&[], true, func(&[ValType::I32], &[])),
                sub(&[], false, func(&[], &[r(0)])),
                sub(&[2], false, func(&[], &[r(1)])),
                sub(&[], true, func(&[ValType::I64], &[])),
            ],
            ..Module::default()
        };
        let mut t = Types::new(&m);
        for i in 0..5 {
            t.add_group(i, i + 1);
        }
        assert!(t.same(0, 1));
        assert!(!t.same(0, 4));
        assert!(t.def_sub(3, 2));
        assert!(!t.def_sub(2, 3));
        assert!(t.heap_sub(HeapType::Concrete(3), HeapType::Func));
        assert!(t.heap_sub(HeapType::NoFunc, HeapType::Concrete(4)));
        assert!(!t.heap_sub(HeapType::None, HeapType::Concrete(4)));
        let (a, b) = (&m.types[3].composite, &m.types[2].composite);
        assert!(t.composite_sub(a, b));
    }
}
