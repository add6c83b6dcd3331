//! What the translator knows of the frame's slots and how it reads and writes them:
//! the type of each slot's variable (learned by a first pass, [`Usage::slot_types`]),
//! pairs of slots that are one `v128` variable, constant slots that are constants
//! where they are read, which values are lanes of which vectors ([`Lanes`]), and the
//! `Tx` methods that get, set, copy, convert, spill and reload slots.
//!
//! Knows nothing of blocks, entries or exits (`translate`) or of any instruction's
//! semantics.

use cranelift_codegen::ir::{types, Endianness, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::Variable;

use super::translate::Tx;
use crate::compile::isa::{Slot, ACC};

/// The type a slot's value is read or written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Ty {
    I32,
    I64,
    F32,
    F64,
    /// A whole `v128` (a pair of slots, named by the first; see [`Usage::slot_types`]).
    V128,
}

impl Ty {
    pub(super) fn bit(self) -> u8 {
        match self {
            Ty::I32 => 1,
            Ty::I64 => 2,
            Ty::F32 => 4,
            Ty::F64 => 8,
            Ty::V128 => V128_BIT,
        }
    }

    pub(super) fn clif(self) -> Type {
        match self {
            Ty::I32 => types::I32,
            Ty::I64 => types::I64,
            Ty::F32 => types::F32,
            Ty::F64 => types::F64,
            Ty::V128 => types::I8X16,
        }
    }
}

/// The usage bit of a slot that holds the high half of a `v128` (its first slot has
/// [`Ty::V128`]'s).
pub(super) const HI_BIT: u8 = 32;
/// The usage bit of `Ty::V128`.
pub(super) const V128_BIT: u8 = 16;
/// The usage bit of a slot moved whole by an instruction that knows nothing of its
/// type (`select`, a `return` of one value, a copy from or to the accumulator).
pub(super) const RAW_BIT: u8 = 64;

/// The flags of a bitcast between vector types (lane order: little-endian, as wasm's).
pub(super) fn lanes_flags() -> MemFlagsData {
    MemFlagsData::new().with_endianness(Endianness::Little)
}

/// The flags of a frame access of a whole `v128`: the frame's slots are 8-byte
/// aligned, so a pair of them may not be 16-byte aligned.
pub(super) fn pair_flags() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// How the slots are read and written: per slot, a mask of the types it is read or
/// written as (bits of [`Ty::bit`]) and whether some instruction writes it; and the
/// pairs of slots a value is moved between untyped (copies, `select`), which had
/// better share a type.
#[derive(Default)]
pub(super) struct Usage {
    pub(super) masks: Vec<u8>,
    pub(super) written: Vec<bool>,
    pub(super) links: Vec<(Slot, Slot)>,
}

/// What a pass knows of the slots before it starts: per slot, the type of its
/// variable, whether it is the high half of a vector variable, and whether it is a
/// constant slot no instruction writes.
pub(super) struct Shape {
    pub(super) types: Vec<Ty>,
    pub(super) hi: Vec<bool>,
    pub(super) fixed: Vec<bool>,
}

impl Usage {
    /// The type of each slot's variable, and which slots are the high halves of the
    /// `v128`s held by their first slots' variables.
    ///
    /// A scalar slot's variable is an `f64` where every access of it, and of every
    /// slot moved to or from it, reads or writes an f64, else the untyped `i64`. Only
    /// these two: both hold all 64 bits of a slot, so a value native code only moves,
    /// or never touches, keeps every bit. A narrower variable would not: a slot holds
    /// values of other types at other times (temporaries are reused, constant slots
    /// are shared by equal bits, and the interpreter runs the instructions native code
    /// leaves to it), and an i32 variable would drop the high half of an i64 that a
    /// copy moves through it.
    ///
    /// A pair of slots `s, s + 1` is one `v128` variable (of `s`) where the
    /// instructions that compute with `s` read or write it only as a whole vector and
    /// those that compute with `s + 1` only as a vector's high half; copies may move
    /// either slot alone (to or from one lane of the variable), and the other slots of
    /// a vector are two scalar variables, which vector instructions read and write as
    /// halves.
    pub(super) fn slot_types(&self) -> (Vec<Ty>, Vec<bool>) {
        let n = self.masks.len();
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for &(a, b) in &self.links {
            let (a, b) = (a as usize, b as usize);
            if a < n && b < n {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                parent[ra] = rb;
            }
        }
        let mut masks = vec![0u8; n];
        for s in 0..n {
            let r = root(&mut parent, s);
            masks[r] |= self.masks[s];
        }
        let own = &self.masks;
        let head = |s: usize| own[s] == V128_BIT && s + 1 < n && own[s + 1] == HI_BIT;
        let mut types = Vec::with_capacity(n);
        let mut hi = vec![false; n];
        for s in 0..n {
            types.push(if head(s) {
                hi[s + 1] = true;
                Ty::V128
            } else if masks[root(&mut parent, s)] & !RAW_BIT == Ty::F64.bit() {
                Ty::F64
            } else {
                Ty::I64
            });
        }
        (types, hi)
    }
}

/// Which values are lanes of which vectors: vector instructions on slots that are
/// not one vector variable read and write them as `i64` halves, and a vector's halves
/// copied lane by lane are again that vector; knowing it, the halves are not put
/// together again (the extractions and insertions left unused are dead code).
#[derive(Default)]
pub(super) struct Lanes {
    /// Per `i64` value, the (`i8x16`) vector and the lane (0 or 1) it is equal to.
    pub(super) of: std::collections::HashMap<Value, (Value, u8)>,
    /// Per vector value (an `i8x16`), what each of its halves is equal to.
    pub(super) halves: std::collections::HashMap<Value, [Option<(Value, u8)>; 2]>,
}

impl Lanes {
    /// What the halves of vector `v` are equal to.
    pub(super) fn halves(&self, v: Value) -> [Option<(Value, u8)>; 2] {
        self.halves
            .get(&v)
            .copied()
            .unwrap_or([Some((v, 0)), Some((v, 1))])
    }

    /// The vector whose halves `lo` and `hi` are, if they are one vector's.
    pub(super) fn whole(&self, lo: Option<(Value, u8)>, hi: Option<(Value, u8)>) -> Option<Value> {
        match (lo, hi) {
            (Some((a, 0)), Some((b, 1))) if a == b => Some(a),
            _ => None,
        }
    }
}

impl Tx<'_, '_> {
    /// Stores slots `from..to` in the frame (a call's arguments, a return's results).
    pub(super) fn spill(&mut self, from: Slot, to: Slot) {
        let mut s = from;
        while s < to {
            let at = (s as usize * 8) as i32;
            if self.types[s as usize] == Ty::V128 {
                // Both slots (the second's value is the vector's high half).
                let v = self.vector(s);
                self.b.ins().store(pair_flags(), v, self.sp, at);
                s += 2;
                continue;
            }
            let (v, ty) = self.get_scalar(s);
            let raw = self.untyped(v, ty);
            self.b
                .ins()
                .store(MemFlagsData::trusted(), raw, self.sp, at);
            s += 1;
        }
    }

    /// Loads slots `from..to` from the frame (a call's results).
    pub(super) fn reload(&mut self, from: Slot, to: Slot) {
        let mut s = from;
        while s < to {
            let at = (s as usize * 8) as i32;
            if self.types[s as usize] == Ty::V128 && s + 1 < to {
                let v = self.b.ins().load(types::I8X16, pair_flags(), self.sp, at);
                self.def_vector(s, v);
                s += 2;
                continue;
            }
            let ty = match self.types[s as usize] {
                Ty::V128 => Ty::I64,
                t => t,
            };
            let x = self
                .b
                .ins()
                .load(ty.clif(), MemFlagsData::trusted(), self.sp, at);
            self.set_scalar(s, (x, ty));
            s += 1;
        }
    }

    /// The value of constant slot `s`, if it is one the code never writes.
    pub(super) fn constant(&self, s: Slot) -> Option<u64> {
        let k = (s as usize).checked_sub(self.code.locals_end as usize)?;
        match self.written.get(s as usize) {
            Some(false) => self.code.consts.get(k).copied(),
            _ => None,
        }
    }

    pub(super) fn var(&mut self, s: Slot) -> Variable {
        let i = s as usize;
        if let Some(v) = self.vars[i] {
            return v;
        }
        let v = self.b.declare_var(self.types[i].clif());
        self.vars[i] = Some(v);
        v
    }

    /// Slot `s` (or the accumulator) as it is held, with its type, read by an
    /// instruction that moves it whole, whatever its type.
    pub(super) fn get(&mut self, s: Slot) -> (Value, Ty) {
        self.used_raw(s);
        self.get_scalar(s)
    }

    /// Slot `s` (or the accumulator) as it is held, with its type: a slot of a
    /// vector variable as the `i64` of its lane.
    pub(super) fn get_scalar(&mut self, s: Slot) -> (Value, Ty) {
        if s == ACC {
            return match self.acc {
                Some(a) => a,
                None => (self.b.ins().iconst(types::I64, 0), Ty::I64),
            };
        }
        if let Some((head, lane)) = self.lane(s) {
            let v = self.vector(head);
            return (self.half(v, lane), Ty::I64);
        }
        if self.fixed[s as usize] {
            let ty = self.types[s as usize];
            let k = s as usize - self.code.locals_end as usize;
            let c = self.code.consts.get(k).copied().unwrap_or(0);
            let x = match ty {
                Ty::F64 => self.b.ins().f64const(f64::from_bits(c)),
                _ => self.b.ins().iconst(types::I64, c as i64),
            };
            let ty = if ty == Ty::F64 { ty } else { Ty::I64 };
            return (x, ty);
        }
        let v = self.var(s);
        (self.b.use_var(v), self.types[s as usize])
    }

    /// Writes `x`, of type `ty`, to slot `s` (or the accumulator), for an instruction
    /// that moves it whole, whatever its type.
    pub(super) fn set(&mut self, s: Slot, x: (Value, Ty)) {
        self.used_raw(s);
        self.set_scalar(s, x);
    }

    /// Writes `x`, of scalar type `ty`, to slot `s` (or the accumulator): to its lane
    /// if it is a slot of a vector variable.
    pub(super) fn set_scalar(&mut self, s: Slot, (x, ty): (Value, Ty)) {
        if s == ACC {
            self.acc = Some((x, ty));
            return;
        }
        if let Some((head, lane)) = self.lane(s) {
            let raw = self.untyped(x, ty);
            let v = self.vector(head);
            let mut halves = self.lanes.halves(v);
            halves[lane as usize] = self.lanes.of.get(&raw).copied();
            let n = match self.lanes.whole(halves[0], halves[1]) {
                Some(w) => w,
                None => {
                    let v = self.cast(v, types::I64X2);
                    let n = self.b.ins().insertlane(v, raw, lane);
                    let n = self.cast(n, types::I8X16);
                    self.lanes.halves.insert(n, halves);
                    n
                }
            };
            self.def_vector(head, n);
            return;
        }
        self.written[s as usize] = true;
        let to = self.types[s as usize];
        let x = self.convert(x, ty, to);
        let v = self.var(s);
        self.b.def_var(v, x);
    }

    /// The first slot of the vector variable slot `s` is a lane of, and the lane.
    pub(super) fn lane(&self, s: Slot) -> Option<(Slot, u8)> {
        let i = s as usize;
        if self.types[i] == Ty::V128 {
            Some((s, 0))
        } else if self.hi[i] {
            Some((s - 1, 1))
        } else {
            None
        }
    }

    /// The value of the vector variable of slots `s, s + 1` (an `i8x16`).
    pub(super) fn vector(&mut self, s: Slot) -> Value {
        let var = self.var(s);
        self.b.use_var(var)
    }

    /// Writes `v` (of any vector type) to the vector variable of slots `s, s + 1`.
    pub(super) fn def_vector(&mut self, s: Slot, v: Value) {
        self.written[s as usize] = true;
        self.written[s as usize + 1] = true;
        let v = self.cast(v, types::I8X16);
        let var = self.var(s);
        self.b.def_var(var, v);
    }

    /// Copies slot `src` to slot `dst`, untyped (every bit).
    pub(super) fn copy(&mut self, dst: Slot, src: Slot) {
        if src == ACC || dst == ACC {
            let v = self.get(src);
            self.set(dst, v);
            return;
        }
        self.link(src, dst);
        let v = self.get_scalar(src);
        self.set_scalar(dst, v);
    }

    /// Copies slots `src, src + 1` to `dst, dst + 1` (in that order): the whole
    /// variable when both are vector variables.
    pub(super) fn copy_pair(&mut self, dst: Slot, src: Slot) {
        let vectors = dst != ACC
            && src != ACC
            && self.types[dst as usize] == Ty::V128
            && self.types[src as usize] == Ty::V128;
        if vectors {
            self.link(src, dst);
            self.link(src + 1, dst + 1);
            let v = self.vector(src);
            self.def_vector(dst, v);
        } else {
            self.copy(dst, src);
            self.copy(dst + 1, src + 1);
        }
    }

    /// `CopyMany`: every slot read before any is written.
    pub(super) fn copy_many(&mut self, dst: Slot, src: Slot, len: Slot) {
        let mut vals = Vec::with_capacity(len as usize);
        let mut k = 0;
        while k < len {
            let (d, s) = (dst + k, src + k);
            self.link(s, d);
            let whole = k + 1 < len
                && self.types[d as usize] == Ty::V128
                && self.types[s as usize] == Ty::V128;
            if whole {
                self.link(s + 1, d + 1);
                vals.push((d, None, self.vector(s)));
                k += 2;
            } else {
                let (v, ty) = self.get_scalar(s);
                vals.push((d, Some(ty), v));
                k += 1;
            }
        }
        for (d, ty, v) in vals {
            match ty {
                None => self.def_vector(d, v),
                Some(ty) => self.set_scalar(d, (v, ty)),
            }
        }
    }

    /// The `v128` in slots `s, s + 1`, as a vector of type `ty`.
    pub(super) fn get_vec(&mut self, s: Slot, ty: Type) -> Value {
        self.used_as(s, Ty::V128);
        self.used_hi(s + 1);
        let v = if self.types[s as usize] == Ty::V128 {
            self.vector(s)
        } else {
            let (lo, t) = self.get_scalar(s);
            let lo = self.untyped(lo, t);
            let (hi, t) = self.get_scalar(s + 1);
            let hi = self.untyped(hi, t);
            let (a, b) = (
                self.lanes.of.get(&lo).copied(),
                self.lanes.of.get(&hi).copied(),
            );
            match self.lanes.whole(a, b) {
                Some(w) => w,
                None => {
                    let v = self.b.ins().scalar_to_vector(types::I64X2, lo);
                    let v = self.b.ins().insertlane(v, hi, 1);
                    let v = self.cast(v, types::I8X16);
                    self.lanes.halves.insert(v, [a, b]);
                    v
                }
            }
        };
        self.cast(v, ty)
    }

    /// Writes vector `v` (of any vector type) to slots `s, s + 1`.
    pub(super) fn set_vec(&mut self, s: Slot, v: Value) {
        self.used_as(s, Ty::V128);
        self.used_hi(s + 1);
        if self.types[s as usize] == Ty::V128 {
            self.def_vector(s, v);
        } else {
            let v = self.cast(v, types::I8X16);
            let lo = self.half(v, 0);
            let hi = self.half(v, 1);
            self.set_scalar(s, (lo, Ty::I64));
            self.set_scalar(s + 1, (hi, Ty::I64));
        }
    }

    /// Half `lane` of vector `v` (an `i8x16`), as an `i64`.
    pub(super) fn half(&mut self, v: Value, lane: u8) -> Value {
        let x = self.cast(v, types::I64X2);
        let x = self.b.ins().extractlane(x, lane);
        self.lanes.of.insert(x, (v, lane));
        x
    }

    /// Vector `v` as a vector of type `ty` (the same bits).
    pub(super) fn cast(&mut self, v: Value, ty: Type) -> Value {
        if self.b.func.dfg.value_type(v) == ty {
            v
        } else {
            self.b.ins().bitcast(ty, lanes_flags(), v)
        }
    }

    /// The `v128` constant whose low half is `lo` and high half `hi`, as an `i8x16`.
    pub(super) fn vconst(&mut self, lo: u64, hi: u64) -> Value {
        let bits = (lo as u128) | ((hi as u128) << 64);
        let c = self
            .b
            .func
            .dfg
            .constants
            .insert(bits.to_le_bytes().to_vec().into());
        self.b.ins().vconst(types::I8X16, c)
    }

    /// Records that a value moves between slots `a` and `b` untyped.
    pub(super) fn link(&mut self, a: Slot, b: Slot) {
        if a != ACC && b != ACC {
            self.usage.links.push((a, b));
        }
    }

    /// Records that slot `s` is read or written as `ty`.
    pub(super) fn used_as(&mut self, s: Slot, ty: Ty) {
        self.used(s, ty.bit());
    }

    /// Records that slot `s` is read or written as the high half of a `v128`.
    pub(super) fn used_hi(&mut self, s: Slot) {
        self.used(s, HI_BIT);
    }

    /// Records that slot `s` is moved whole by an instruction that knows nothing of
    /// its type.
    pub(super) fn used_raw(&mut self, s: Slot) {
        self.used(s, RAW_BIT);
    }

    pub(super) fn used(&mut self, s: Slot, bit: u8) {
        if let Some(m) = self.usage.masks.get_mut(s as usize) {
            *m |= bit;
        }
    }

    /// `x` of type `from` as a value of type `to` (the same bits).
    pub(super) fn convert(&mut self, x: Value, from: Ty, to: Ty) -> Value {
        if from == to {
            return x;
        }
        if let Some(&y) = self.converted.get(&(x, to)) {
            return y;
        }
        let raw = self.untyped(x, from);
        let y = self.typed(raw, to);
        self.converted.insert((x, to), y);
        y
    }

    /// Slot `s` read as a value of type `ty`.
    pub(super) fn get_as(&mut self, s: Slot, ty: Ty) -> Value {
        self.used_as(s, ty);
        let (x, from) = self.get_scalar(s);
        self.convert(x, from, ty)
    }

    /// Writes `x`, of type `ty`, to slot `s`.
    pub(super) fn set_as(&mut self, s: Slot, x: Value, ty: Ty) {
        self.used_as(s, ty);
        self.set_scalar(s, (x, ty));
    }

    /// Raw `i64` bits `x` as a value of type `ty` (an i32 or f32 in the low half).
    pub(super) fn typed(&mut self, x: Value, ty: Ty) -> Value {
        let ins = self.b.ins();
        match ty {
            Ty::I64 => x,
            Ty::I32 => ins.ireduce(types::I32, x),
            Ty::F64 => ins.bitcast(types::F64, MemFlagsData::new(), x),
            Ty::F32 => {
                let w = ins.ireduce(types::I32, x);
                self.b.ins().bitcast(types::F32, MemFlagsData::new(), w)
            }
            // (Never asked for: a vector slot is read only as a vector.)
            Ty::V128 => {
                let v = ins.scalar_to_vector(types::I64X2, x);
                self.cast(v, types::I8X16)
            }
        }
    }

    /// `x`, of type `ty`, as the bits the interpreter keeps in a slot (an i32 or f32
    /// in the low half, zero above).
    pub(super) fn untyped(&mut self, x: Value, ty: Ty) -> Value {
        let ins = self.b.ins();
        match ty {
            Ty::I64 => x,
            Ty::I32 => ins.uextend(types::I64, x),
            Ty::F64 => ins.bitcast(types::I64, MemFlagsData::new(), x),
            Ty::F32 => {
                let w = ins.bitcast(types::I32, MemFlagsData::new(), x);
                self.b.ins().uextend(types::I64, w)
            }
            // (Never asked for: a vector slot is read only as a vector.)
            Ty::V128 => {
                let _ = ins;
                let v = self.cast(x, types::I64X2);
                self.b.ins().extractlane(v, 0)
            }
        }
    }
}
