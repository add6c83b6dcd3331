//! The checker's state (spec: Appendix › Validation Algorithm, its stacks and
//! auxiliary functions, whose names it takes): the operand stack of [`Opd`]s with its
//! polymorphic bottom, the control stack of [`Frame`]s, the locals with the
//! initialization stack of non-defaultable ones, the offset errors are reported at, and
//! what a few instructions keep across a body (the label types a `br_table` has
//! checked, the offsets of `v128` operands). It owns every push and pop and what an
//! unreachable frame means for them. It knows no instruction; of the context it uses
//! only the function's type and locals (when a body begins) and subtyping.

use std::collections::{HashMap, HashSet};

use super::operand::{Opd, OpdView};
use crate::error::{Error, Result};
use crate::syntax::{FuncBody, RefType, ValType};
use crate::validate::context::Ctx;
use crate::validate::module::check_valtype;

/// A result type that lives either in the module (a function type) or inline (a
/// single-value block type).
#[derive(Clone, Copy, Debug)]
pub(super) enum Tys<'m> {
    Slice(&'m [ValType]),
    One(ValType),
}

impl Tys<'_> {
    #[inline]
    pub(super) fn as_slice(&self) -> &[ValType] {
        match self {
            Tys::Slice(s) => s,
            Tys::One(t) => std::slice::from_ref(t),
        }
    }

    #[inline]
    pub(super) fn key(&self) -> LabelKey {
        match self {
            Tys::Slice(s) => LabelKey::Slice(s.as_ptr() as usize, s.len()),
            Tys::One(t) => LabelKey::One(*t),
        }
    }
}

pub(super) const EMPTY: Tys<'static> = Tys::Slice(&[]);

/// Identifies a label type cheaply: the same function type or the same single value
/// type gives the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum LabelKey {
    Slice(usize, usize),
    One(ValType),
}

/// What opened a control frame (the spec algorithm's `opcode` of a frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

/// An entry of the control stack (the spec algorithm's `ctrl_frame`): `start` and `end`
/// are its `start_types` and `end_types`, `height` its `val_height`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Frame<'m> {
    pub(super) kind: Kind,
    pub(super) start: Tys<'m>,
    pub(super) end: Tys<'m>,
    pub(super) height: usize,
    pub(super) init_height: usize,
    pub(super) unreachable: bool,
}

impl<'m> Frame<'m> {
    #[inline]
    pub(super) fn label_types(&self) -> Tys<'m> {
        if self.kind == Kind::Loop {
            self.start
        } else {
            self.end
        }
    }
}

/// Checks function bodies; reusable across the functions of one module.
pub(crate) struct FuncValidator<'c, 'm> {
    pub(super) ctx: &'c Ctx<'m>,
    pub(super) vals: Vec<Opd>,
    pub(super) ctrls: Vec<Frame<'m>>,
    /// Parameters and declared locals, run-length encoded: (end index, type).
    pub(super) locals: Vec<(u64, ValType)>,
    /// The same, one entry per local, when there are few enough for the body's size
    /// (`dense_all`); else empty.
    pub(super) dense: Vec<Opd>,
    pub(super) dense_all: bool,
    pub(super) num_params: u32,
    /// Non-defaultable locals set so far, in order, and as a set.
    pub(super) inits: Vec<u32>,
    pub(super) init_set: HashSet<u32>,
    pub(super) results: &'m [ValType],
    /// Label types a `br_table` has checked, with the number of that `br_table`.
    pub(super) br_seen: HashMap<LabelKey, u64>,
    pub(super) br_count: u64,
    /// Offset of the instruction being checked, for errors.
    pub(super) offset: usize,
    /// Offsets of the `drop`s and untyped `select`s of a `v128`, over every body
    /// checked so far (see [`FuncValidator::take_v128_operands`]).
    pub(super) v128_operands: Vec<u32>,
}

impl<'c, 'm> FuncValidator<'c, 'm> {
    /// Notes that the instruction being checked (a `drop` or untyped `select`) acts on
    /// a `v128`.
    pub(super) fn note_v128_operand(&mut self) -> Result<()> {
        let at = u32::try_from(self.offset)
            .map_err(|_| Error::unsupported(self.offset, "vector code beyond 4 GiB"))?;
        self.v128_operands.push(at);
        Ok(())
    }

    /// An invalid-module error at the instruction being checked.
    pub(super) fn err(&self, msg: impl Into<String>) -> Error {
        Error::invalid(self.offset, msg)
    }

    /// Resets the state for the body of function `func_index`: its locals, and the
    /// frame of the function on the control stack.
    pub(super) fn begin(&mut self, func_index: u32, body: &FuncBody) -> Result<()> {
        self.offset = body.code.start;
        let ctx = self.ctx;
        let ft = ctx
            .funcs
            .get(func_index as usize)
            .and_then(|&t| ctx.types.func(t))
            .ok_or_else(|| self.err(format!("unknown function {func_index}")))?;

        self.vals.clear();
        self.ctrls.clear();
        self.locals.clear();
        self.dense.clear();
        self.inits.clear();
        if !self.init_set.is_empty() {
            self.init_set = HashSet::new();
        }
        if !self.br_seen.is_empty() {
            self.br_seen = HashMap::new();
        }
        let mut n: u64 = 0;
        for &p in ft.params.iter() {
            n += 1;
            self.locals.push((n, p));
        }
        self.num_params = u32::try_from(n).unwrap_or(u32::MAX);
        for &(count, t) in &body.locals {
            check_valtype(ctx, t, self.offset)?;
            if count > 0 {
                n += u64::from(count);
                self.locals.push((n, t));
            }
        }
        // Expanding the locals costs at most a few entries per byte of the body (plus a
        // constant), so the work stays linear in the module's size.
        let body_len = body.code.end.saturating_sub(body.code.start) as u64;
        self.dense_all = n <= 64 + 4 * body_len;
        if self.dense_all {
            let mut from = 0;
            for &(end, t) in &self.locals {
                self.dense
                    .extend(std::iter::repeat_n(Opd::val(t), (end - from) as usize));
                from = end;
            }
        }
        self.results = &ft.results;
        self.ctrls.push(Frame {
            kind: Kind::Func,
            start: EMPTY,
            end: Tys::Slice(&ft.results),
            height: 0,
            init_height: 0,
            unreachable: false,
        });
        Ok(())
    }

    // ---- operand stack -------------------------------------------------------------

    #[inline]
    pub(super) fn push_val(&mut self, t: ValType) {
        self.vals.push(Opd::val(t));
    }

    #[inline]
    pub(super) fn push_vals(&mut self, ts: Tys<'_>) {
        self.vals.extend(ts.as_slice().iter().map(|&t| Opd::val(t)));
    }

    #[inline]
    pub(super) fn pop_val(&mut self) -> Result<Opd> {
        let Some(frame) = self.ctrls.last() else {
            return Err(self.err("type mismatch: no enclosing block"));
        };
        if self.vals.len() <= frame.height {
            if frame.unreachable {
                return Ok(Opd::BOT);
            }
            return Err(self.err("type mismatch: operand stack is empty"));
        }
        Ok(self.vals.pop().unwrap_or(Opd::BOT))
    }

    #[inline]
    pub(super) fn matches(&self, a: Opd, want: ValType) -> bool {
        match a.view() {
            OpdView::Bot => true,
            OpdView::BotRef => want.is_ref(),
            OpdView::Val(v) => self.ctx.types.val_sub(v, want),
        }
    }

    /// Pops an operand that matches `want` (the spec algorithm's `pop_val(expect)`).
    #[inline]
    pub(super) fn pop_expect(&mut self, want: ValType) -> Result<Opd> {
        // The common case: exactly the wanted type above the frame's height.
        if let (Some(frame), Some(&top)) = (self.ctrls.last(), self.vals.last()) {
            if top == Opd::val(want) && self.vals.len() > frame.height {
                self.vals.pop();
                return Ok(top);
            }
        }
        self.pop_expect_general(want)
    }

    pub(super) fn pop_expect_general(&mut self, want: ValType) -> Result<Opd> {
        let Some(frame) = self.ctrls.last() else {
            return Err(self.err("type mismatch: no enclosing block"));
        };
        if self.vals.len() <= frame.height && !frame.unreachable {
            return Err(self.err(format!(
                "type mismatch: expected {want}, but nothing on stack"
            )));
        }
        let actual = self.pop_val()?;
        if !self.matches(actual, want) {
            return Err(self.err(format!("type mismatch: expected {want}, found {actual}")));
        }
        Ok(actual)
    }

    #[inline]
    pub(super) fn pop_vals(&mut self, ts: Tys<'_>) -> Result<()> {
        for &t in ts.as_slice().iter().rev() {
            self.pop_expect(t)?;
        }
        Ok(())
    }

    /// Pops a reference; `None` is the bottom heap type.
    #[inline]
    pub(super) fn pop_ref(&mut self) -> Result<Option<RefType>> {
        match self.pop_val()?.view() {
            OpdView::Bot | OpdView::BotRef => Ok(None),
            OpdView::Val(ValType::Ref(r)) => Ok(Some(r)),
            OpdView::Val(v) => {
                Err(self.err(format!("type mismatch: expected a reference, found {v}")))
            }
        }
    }

    #[inline]
    pub(super) fn push_non_null(&mut self, r: Option<RefType>) {
        match r {
            Some(r) => self.push_val(ValType::Ref(RefType::new(false, r.heap))),
            None => self.vals.push(Opd::BOT_REF),
        }
    }

    /// Checks that the top of the stack matches `ts` without changing it (in the
    /// polymorphic case, missing operands are bottom and match anything).
    pub(super) fn check_top(&self, ts: &[ValType]) -> Result<()> {
        let Some(frame) = self.ctrls.last() else {
            return Err(self.err("type mismatch: no enclosing block"));
        };
        let avail = self.vals.len().saturating_sub(frame.height);
        for (i, &want) in ts.iter().rev().enumerate() {
            let actual = if i < avail {
                self.vals
                    .get(self.vals.len() - 1 - i)
                    .copied()
                    .unwrap_or(Opd::BOT)
            } else if frame.unreachable {
                Opd::BOT
            } else {
                return Err(self.err(format!(
                    "type mismatch: expected {want}, but nothing on stack"
                )));
            };
            if !self.matches(actual, want) {
                return Err(self.err(format!("type mismatch: expected {want}, found {actual}")));
            }
        }
        Ok(())
    }

    // ---- control stack -------------------------------------------------------------

    #[inline]
    pub(super) fn push_ctrl(&mut self, kind: Kind, start: Tys<'m>, end: Tys<'m>) {
        self.ctrls.push(Frame {
            kind,
            start,
            end,
            height: self.vals.len(),
            init_height: self.inits.len(),
            unreachable: false,
        });
        self.push_vals(start);
    }

    #[inline]
    pub(super) fn pop_ctrl(&mut self) -> Result<Frame<'m>> {
        let Some(&frame) = self.ctrls.last() else {
            return Err(self.err("type mismatch: no enclosing block"));
        };
        self.pop_vals(frame.end)?;
        if self.vals.len() != frame.height {
            return Err(self.err("type mismatch: values remaining on stack at end of block"));
        }
        while self.inits.len() > frame.init_height {
            if let Some(x) = self.inits.pop() {
                self.init_set.remove(&x);
            }
        }
        self.ctrls.pop();
        Ok(frame)
    }

    /// Marks the rest of the current block unreachable: its operands are dropped and
    /// the stack becomes polymorphic.
    #[inline]
    pub(super) fn unreachable(&mut self) {
        if let Some(frame) = self.ctrls.last_mut() {
            self.vals.truncate(frame.height);
            frame.unreachable = true;
        }
    }

    /// The label types of the block `depth` levels out.
    #[inline]
    pub(super) fn label_types(&self, depth: u32) -> Result<Tys<'m>> {
        let n = self.ctrls.len();
        (depth as usize)
            .checked_add(1)
            .and_then(|d| n.checked_sub(d))
            .and_then(|i| self.ctrls.get(i))
            .map(Frame::label_types)
            .ok_or_else(|| self.err(format!("unknown label {depth}")))
    }

    // ---- locals and the initialization stack ---------------------------------------

    #[inline]
    pub(super) fn local(&self, x: u32) -> Result<ValType> {
        self.local_type(x)
            .ok_or_else(|| self.err(format!("unknown local {x}")))
    }

    /// The type of local `x`, if there is one.
    #[inline(always)]
    pub(super) fn local_type(&self, x: u32) -> Option<ValType> {
        if self.dense_all {
            return self.dense.get(x as usize).and_then(|o| o.val_type());
        }
        let i = self.locals.partition_point(|&(end, _)| end <= u64::from(x));
        self.locals.get(i).map(|&(_, t)| t)
    }

    /// The same as an operand type.
    #[inline(always)]
    pub(super) fn local_opd(&self, x: u32) -> Option<Opd> {
        if self.dense_all {
            return self.dense.get(x as usize).copied();
        }
        let i = self.locals.partition_point(|&(end, _)| end <= u64::from(x));
        self.locals.get(i).map(|&(_, t)| Opd::val(t))
    }

    #[inline]
    pub(super) fn set_local(&mut self, x: u32, t: ValType) {
        if !t.is_defaultable() && x >= self.num_params && self.init_set.insert(x) {
            self.inits.push(x);
        }
    }
}
