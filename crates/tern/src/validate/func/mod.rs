//! The function body type checker (spec: Validation › Instructions, and the
//! algorithm of Appendix › Validation Algorithm): one pass over a body's operators
//! with an operand stack (value types plus the polymorphic bottom after
//! `unreachable`, `br`, `return`, ...), a control stack of blocks, and the
//! initialization state of non-defaultable locals. It owns the rules of each
//! instruction; module-level facts come from the [`Ctx`], subtyping from
//! `validate/matching.rs`.
//!
//! Runs of the most frequent instructions (local and global accesses, constants,
//! numeric instructions, plain loads and stores, `drop`, `select`) are checked straight
//! from the body's bytes while they are in their common valid form; anything else, and
//! any error, goes through the [`OperatorReader`] and the full rules, so a byte-level
//! check never decides what is reported.
//!
//! Besides accepting or rejecting, it notes where a `drop` or an untyped `select` acts
//! on a `v128`, since the compiler's operand stack carries no types.
//!
//! Work is linear in the body size: locals are looked up in a table of one entry per
//! local when there are at most a few per byte of the body, else by binary search over
//! their run-length encoding, and `br_table` checks each distinct label type once per
//! instruction, however many targets share it.

use std::collections::{HashMap, HashSet};

mod context;
mod operand;
mod stack;

use super::module::{check_heaptype, check_valtype, elem_type};
use super::Ctx;
use crate::binary::{s32_len, s64_len, OperatorReader};
use crate::error::{Error, Result};
use crate::syntax::{FuncBody, HeapType, Operator, RefType, ValType};
use context::min_addr;
use operand::{Opd, OpdView};
pub(crate) use stack::FuncValidator;
use stack::{Kind, Tys};

impl<'c, 'm> FuncValidator<'c, 'm> {
    pub(crate) fn new(ctx: &'c Ctx<'m>) -> Self {
        FuncValidator {
            ctx,
            vals: Vec::new(),
            ctrls: Vec::new(),
            locals: Vec::new(),
            dense: Vec::new(),
            dense_all: false,
            num_params: 0,
            inits: Vec::new(),
            init_set: HashSet::new(),
            results: &[],
            br_seen: HashMap::new(),
            br_count: 0,
            offset: 0,
            v128_operands: Vec::new(),
        }
    }

    /// The offsets of the `drop`s and untyped `select`s whose operand is a `v128`, in
    /// the order checked, of every body checked since the last call. Operands of the
    /// bottom type (unreachable code) are not `v128`s here; a `select` counts when either
    /// operand is a `v128` (then so is its result).
    pub(crate) fn take_v128_operands(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.v128_operands)
    }

    /// Validates the body of function `func_index`.
    ///
    /// Runs of the most frequent instructions are checked straight from their bytes
    /// ([`FuncValidator::simple_run`]); everything else is decoded into an
    /// [`Operator`] first.
    pub(crate) fn validate_body(
        &mut self,
        func_index: u32,
        body: &FuncBody,
        bytes: &[u8],
    ) -> Result<()> {
        let mut reader = OperatorReader::new(bytes, body.code.clone());
        self.begin(func_index, body)?;
        while !self.ctrls.is_empty() {
            self.simple_run(&mut reader);
            if reader.is_empty() {
                return Err(Error::malformed(body.code.end, "END opcode expected"));
            }
            let at = reader.offset();
            let op = reader.read()?;
            self.offset = at;
            if !self.op_fast(&op) {
                self.op(op)?;
            }
        }
        if !reader.is_empty() {
            return Err(Error::malformed(
                reader.offset(),
                "operators remaining after end of function",
            ));
        }
        Ok(())
    }

    /// Validates a body whose operators `next` yields with their offsets (`None` once
    /// the body's bytes are used up). Stops after the `end` that closes the function.
    #[cfg(test)]
    fn validate_ops(
        &mut self,
        func_index: u32,
        body: &FuncBody,
        mut next: impl FnMut() -> Result<Option<(usize, Operator)>>,
    ) -> Result<()> {
        self.begin(func_index, body)?;
        while !self.ctrls.is_empty() {
            let Some((at, op)) = next()? else {
                return Err(Error::malformed(body.code.end, "END opcode expected"));
            };
            self.offset = at;
            if !self.op_fast(&op) {
                self.op(op)?;
            }
        }
        Ok(())
    }

    /// Checks the instructions from the reader's position on while they are among the
    /// most frequent ones in their common, valid form, reading their bytes directly:
    /// local and global accesses with small indices, constants, numeric instructions,
    /// loads and stores of memory 0, `drop` and `select` of number types. Stops before
    /// the first other instruction, which is left to the reader, and the full checks,
    /// to decode and judge (so errors are found and reported there, as before).
    ///
    /// Each instruction accepted here has exactly the effect [`FuncValidator::op`]
    /// would give it; none opens or closes a block, so the control stack and the
    /// reader's nesting are unchanged.
    #[inline(always)]
    fn simple_run(&mut self, reader: &mut OperatorReader) {
        let Some(frame) = self.ctrls.last() else {
            return;
        };
        let height = frame.height;
        let ctx = self.ctx;
        let mem0 = ctx.memories.first().map(|m| Opd::val(m.addr.valtype()));
        let (code, mut pos) = reader.raw();
        // A local copy, so that its length and buffer may stay in registers.
        let mut vals = std::mem::take(&mut self.vals);
        while let Some(&op) = code.get(pos) {
            let n = vals.len();
            match op {
                0x20..=0x22 => {
                    let Some((x, len)) = small_u32(code, pos + 1) else {
                        break;
                    };
                    let Some(t) = self.local_opd(x).filter(|t| t.is_num()) else {
                        break;
                    };
                    if op == 0x20 {
                        vals.push(t);
                    } else {
                        if n <= height || vals[n - 1] != t {
                            break;
                        }
                        if op == 0x21 {
                            vals.pop();
                        }
                    }
                    pos += 1 + len;
                }
                0x23 => {
                    let Some((x, len)) = small_u32(code, pos + 1) else {
                        break;
                    };
                    let Some(g) = ctx.globals.get(x as usize) else {
                        break;
                    };
                    vals.push(Opd::val(g.content));
                    pos += 1 + len;
                }
                0x41 => {
                    let Some(len) = s32_len(code, pos + 1) else {
                        break;
                    };
                    vals.push(Opd::I32);
                    pos += 1 + len;
                }
                0x42 => {
                    let Some(len) = s64_len(code, pos + 1) else {
                        break;
                    };
                    vals.push(Opd::val(ValType::I64));
                    pos += 1 + len;
                }
                0x43 | 0x44 => {
                    let len = if op == 0x43 { 4 } else { 8 };
                    if code.len() - pos <= len {
                        break;
                    }
                    let t = if op == 0x43 {
                        ValType::F32
                    } else {
                        ValType::F64
                    };
                    vals.push(Opd::val(t));
                    pos += 1 + len;
                }
                0x45..=0xC4 => {
                    let sig = NUMERIC_SIGS[op as usize];
                    if sig == 0 {
                        break;
                    }
                    let code_of = |shift: u8| Opd(u64::from((sig >> shift) & 3));
                    if sig & BINARY == 0 {
                        if n <= height || vals[n - 1] != code_of(2) {
                            break;
                        }
                        vals[n - 1] = code_of(0);
                    } else {
                        if n < height + 2 || vals[n - 1] != code_of(4) || vals[n - 2] != code_of(2)
                        {
                            break;
                        }
                        vals.pop();
                        vals[n - 2] = code_of(0);
                    }
                    pos += 1;
                }
                0x28..=0x3E => {
                    // memarg: flags (alignment, no memory index) and offset, one byte each.
                    let (Some(&flags), Some(&offset), Some(a)) =
                        (code.get(pos + 1), code.get(pos + 2), mem0)
                    else {
                        break;
                    };
                    let (t, bytes) = MEM_ACCESS[usize::from(op - 0x28)];
                    if flags >= 0x40 || offset >= 0x80 || u32::from(flags) > bytes {
                        break;
                    }
                    let t = NUM_OPDS[usize::from(t)];
                    if op < 0x36 {
                        if n <= height || vals[n - 1] != a {
                            break;
                        }
                        vals[n - 1] = t;
                    } else {
                        if n < height + 2 || vals[n - 1] != t || vals[n - 2] != a {
                            break;
                        }
                        vals.truncate(n - 2);
                    }
                    pos += 3;
                }
                0x1A => {
                    if n <= height || !vals[n - 1].is_num() {
                        break;
                    }
                    vals.pop();
                    pos += 1;
                }
                0x1B => {
                    if n < height + 3
                        || vals[n - 1] != Opd::I32
                        || !vals[n - 2].is_num()
                        || vals[n - 2] != vals[n - 3]
                    {
                        break;
                    }
                    vals.truncate(n - 2);
                    pos += 1;
                }
                _ => break,
            }
        }
        self.vals = vals;
        reader.resume_at(pos);
    }

    /// The most frequent operators in their common, valid case: constants, numeric
    /// instructions whose operands are exactly their types above the frame's height,
    /// `local.get`/`set`/`tee` of defaultable locals. Returns `false` (having changed
    /// nothing) for everything else, which [`FuncValidator::op`] then checks in full.
    #[inline(always)]
    fn op_fast(&mut self, op: &Operator) -> bool {
        let Some(height) = self.ctrls.last().map(|f| f.height) else {
            return false;
        };
        let n = self.vals.len();
        let top = |k: usize| n >= height + k;
        match *op {
            Operator::I32Const(_) => self.vals.push(Opd::I32),
            Operator::I64Const(_) => self.vals.push(Opd::val(ValType::I64)),
            Operator::Numeric(num) => match num.signature() {
                ([a], r) if top(1) && self.vals[n - 1] == Opd::val(*a) => {
                    self.vals[n - 1] = Opd::val(r);
                }
                ([a, b], r)
                    if top(2)
                        && self.vals[n - 2] == Opd::val(*a)
                        && self.vals[n - 1] == Opd::val(*b) =>
                {
                    self.vals.truncate(n - 1);
                    self.vals[n - 2] = Opd::val(r);
                }
                _ => return false,
            },
            Operator::LocalGet(x) => match self.local_type(x) {
                Some(t) if t.is_defaultable() => self.vals.push(Opd::val(t)),
                _ => return false,
            },
            Operator::LocalSet(x) | Operator::LocalTee(x) => match self.local_type(x) {
                Some(t) if t.is_defaultable() && top(1) && self.vals[n - 1] == Opd::val(t) => {
                    if matches!(op, Operator::LocalSet(_)) {
                        self.vals.pop();
                    }
                }
                _ => return false,
            },
            _ => return false,
        }
        true
    }

    /// Checks that a tail call's results match the caller's.
    fn check_tail_results(&self, results: &[ValType]) -> Result<()> {
        let ok = results.len() == self.results.len()
            && results
                .iter()
                .zip(self.results)
                .all(|(&a, &b)| self.ctx.types.val_sub(a, b));
        if ok {
            Ok(())
        } else {
            Err(self.err("type mismatch: tail call results do not match the function's"))
        }
    }

    // ---- instructions --------------------------------------------------------------

    fn op(&mut self, op: Operator) -> Result<()> {
        use Operator as O;
        let ctx = self.ctx;
        match op {
            O::Unreachable => self.unreachable(),
            O::Nop => {}
            O::Block(bt) => {
                let (start, end) = self.block_type(bt)?;
                self.pop_vals(start)?;
                self.push_ctrl(Kind::Block, start, end);
            }
            O::Loop(bt) => {
                let (start, end) = self.block_type(bt)?;
                self.pop_vals(start)?;
                self.push_ctrl(Kind::Loop, start, end);
            }
            O::If(bt) => {
                let (start, end) = self.block_type(bt)?;
                self.pop_expect(ValType::I32)?;
                self.pop_vals(start)?;
                self.push_ctrl(Kind::If, start, end);
            }
            O::Else => {
                if self.ctrls.last().map(|f| f.kind) != Some(Kind::If) {
                    return Err(self.err("else without matching if"));
                }
                let frame = self.pop_ctrl()?;
                self.push_ctrl(Kind::Else, frame.start, frame.end);
            }
            O::End => {
                let frame = self.pop_ctrl()?;
                if frame.kind == Kind::If {
                    // An `if` without `else` has an empty else branch: [t1*] -> [t2*].
                    self.push_ctrl(Kind::Else, frame.start, frame.end);
                    self.pop_ctrl()?;
                }
                if !self.ctrls.is_empty() {
                    self.push_vals(frame.end);
                }
            }
            O::Br(l) => {
                let ts = self.label_types(l)?;
                self.pop_vals(ts)?;
                self.unreachable();
            }
            O::BrIf(l) => {
                let ts = self.label_types(l)?;
                self.pop_expect(ValType::I32)?;
                self.pop_vals(ts)?;
                self.push_vals(ts);
            }
            O::BrTable { targets, default } => {
                self.pop_expect(ValType::I32)?;
                let dts = self.label_types(default)?;
                let arity = dts.as_slice().len();
                self.br_count += 1;
                for &t in targets.iter() {
                    let ts = self.label_types(t)?;
                    if ts.as_slice().len() != arity {
                        return Err(self.err(format!(
                            "type mismatch: br_table target {t} has {} values, default has {arity}",
                            ts.as_slice().len()
                        )));
                    }
                    if self.br_seen.insert(ts.key(), self.br_count) != Some(self.br_count) {
                        self.check_top(ts.as_slice())?;
                    }
                }
                self.pop_vals(dts)?;
                self.unreachable();
            }
            O::Return => {
                self.pop_vals(Tys::Slice(self.results))?;
                self.unreachable();
            }
            O::Call(f) => {
                let ft = self.call_type(f)?;
                self.pop_vals(Tys::Slice(&ft.params))?;
                self.push_vals(Tys::Slice(&ft.results));
            }
            O::ReturnCall(f) => {
                let ft = self.call_type(f)?;
                self.pop_vals(Tys::Slice(&ft.params))?;
                self.check_tail_results(&ft.results)?;
                self.unreachable();
            }
            O::CallIndirect { type_index, table } | O::ReturnCallIndirect { type_index, table } => {
                let tail = matches!(op, O::ReturnCallIndirect { .. });
                let tt = self.table(table)?;
                if !ctx.types.ref_sub(tt.elem, RefType::FUNCREF) {
                    return Err(self.err(format!(
                        "type mismatch: call_indirect on a table of {}",
                        tt.elem
                    )));
                }
                let ft = self.func_type(type_index)?;
                self.pop_expect(tt.addr.valtype())?;
                self.pop_vals(Tys::Slice(&ft.params))?;
                if tail {
                    self.check_tail_results(&ft.results)?;
                    self.unreachable();
                } else {
                    self.push_vals(Tys::Slice(&ft.results));
                }
            }
            O::CallRef(x) | O::ReturnCallRef(x) => {
                let tail = matches!(op, O::ReturnCallRef(_));
                let ft = self.func_type(x)?;
                self.pop_expect(ValType::Ref(RefType::new(true, HeapType::Concrete(x))))?;
                self.pop_vals(Tys::Slice(&ft.params))?;
                if tail {
                    self.check_tail_results(&ft.results)?;
                    self.unreachable();
                } else {
                    self.push_vals(Tys::Slice(&ft.results));
                }
            }
            O::BrOnNull(l) => {
                let ts = self.label_types(l)?;
                let r = self.pop_ref()?;
                self.pop_vals(ts)?;
                self.push_vals(ts);
                self.push_non_null(r);
            }
            O::BrOnNonNull(l) => {
                let ts = self.label_types(l)?;
                let Some((_, rest)) = ts.as_slice().split_last() else {
                    return Err(self.err("type mismatch: br_on_non_null needs a label with values"));
                };
                let r = self.pop_ref()?;
                self.push_non_null(r);
                self.pop_vals(ts)?;
                self.vals.extend(rest.iter().map(|&t| Opd::val(t)));
            }

            O::Drop => {
                if self.pop_val()? == Opd::V128 {
                    self.note_v128_operand()?;
                }
            }
            O::Select => {
                self.pop_expect(ValType::I32)?;
                let t1 = self.pop_val()?;
                let t2 = self.pop_val()?;
                let numeric = |t: Opd| match t.view() {
                    OpdView::Bot => true,
                    OpdView::BotRef => false,
                    OpdView::Val(v) => v.is_num() || v == ValType::V128,
                };
                if !numeric(t1) || !numeric(t2) {
                    return Err(self.err(
                        "type mismatch: select without a type needs numeric or vector operands",
                    ));
                }
                if t1 != t2 && t1 != Opd::BOT && t2 != Opd::BOT {
                    return Err(self.err(format!("type mismatch: select of {t2} and {t1}")));
                }
                let t = if t1 == Opd::BOT { t2 } else { t1 };
                if t == Opd::V128 {
                    self.note_v128_operand()?;
                }
                self.vals.push(t);
            }
            O::TypedSelect(t) => {
                check_valtype(ctx, t, self.offset)?;
                self.pop_expect(ValType::I32)?;
                self.pop_expect(t)?;
                self.pop_expect(t)?;
                self.push_val(t);
            }

            O::LocalGet(x) => {
                let t = self.local(x)?;
                if !t.is_defaultable() && x >= self.num_params && !self.init_set.contains(&x) {
                    return Err(self.err(format!("uninitialized local {x}")));
                }
                self.push_val(t);
            }
            O::LocalSet(x) => {
                let t = self.local(x)?;
                self.pop_expect(t)?;
                self.set_local(x, t);
            }
            O::LocalTee(x) => {
                let t = self.local(x)?;
                self.pop_expect(t)?;
                self.set_local(x, t);
                self.push_val(t);
            }
            O::GlobalGet(x) => {
                let g = ctx
                    .globals
                    .get(x as usize)
                    .ok_or_else(|| self.err(format!("unknown global {x}")))?;
                self.push_val(g.content);
            }
            O::GlobalSet(x) => {
                let g = ctx
                    .globals
                    .get(x as usize)
                    .ok_or_else(|| self.err(format!("unknown global {x}")))?;
                if !g.mutable {
                    return Err(self.err(format!("immutable global {x}: global is immutable")));
                }
                self.pop_expect(g.content)?;
            }

            O::TableGet(x) => {
                let tt = self.table(x)?;
                self.pop_expect(tt.addr.valtype())?;
                self.push_val(ValType::Ref(tt.elem));
            }
            O::TableSet(x) => {
                let tt = self.table(x)?;
                self.pop_expect(ValType::Ref(tt.elem))?;
                self.pop_expect(tt.addr.valtype())?;
            }
            O::TableSize(x) => {
                let tt = self.table(x)?;
                self.push_val(tt.addr.valtype());
            }
            O::TableGrow(x) => {
                let tt = self.table(x)?;
                self.pop_expect(tt.addr.valtype())?;
                self.pop_expect(ValType::Ref(tt.elem))?;
                self.push_val(tt.addr.valtype());
            }
            O::TableFill(x) => {
                let tt = self.table(x)?;
                self.pop_expect(tt.addr.valtype())?;
                self.pop_expect(ValType::Ref(tt.elem))?;
                self.pop_expect(tt.addr.valtype())?;
            }
            O::TableCopy { dst, src } => {
                let dt = self.table(dst)?;
                let st = self.table(src)?;
                if !ctx.types.ref_sub(st.elem, dt.elem) {
                    return Err(self.err(format!(
                        "type mismatch: table.copy from {} to {}",
                        st.elem, dt.elem
                    )));
                }
                self.pop_expect(min_addr(dt.addr, st.addr))?;
                self.pop_expect(st.addr.valtype())?;
                self.pop_expect(dt.addr.valtype())?;
            }
            O::TableInit { elem, table } => {
                let tt = self.table(table)?;
                let seg = ctx
                    .module
                    .elems
                    .get(elem as usize)
                    .ok_or_else(|| self.err(format!("unknown elem segment {elem}")))?;
                let seg_ty = elem_type(seg);
                if !ctx.types.ref_sub(seg_ty, tt.elem) {
                    return Err(self.err(format!(
                        "type mismatch: table.init of {} into a table of {}",
                        seg_ty, tt.elem
                    )));
                }
                self.pop_expect(ValType::I32)?;
                self.pop_expect(ValType::I32)?;
                self.pop_expect(tt.addr.valtype())?;
            }
            O::ElemDrop(x) => {
                if x >= ctx.num_elems {
                    return Err(self.err(format!("unknown elem segment {x}")));
                }
            }

            O::Load(l, m) => {
                let (t, bytes) = l.info();
                let addr = self.memarg(&m, bytes)?;
                self.pop_expect(addr.valtype())?;
                self.push_val(t);
            }
            O::Store(s, m) => {
                let (t, bytes) = s.info();
                let addr = self.memarg(&m, bytes)?;
                self.pop_expect(t)?;
                self.pop_expect(addr.valtype())?;
            }
            O::MemorySize(x) => {
                let mt = self.memory(x)?;
                self.push_val(mt.addr.valtype());
            }
            O::MemoryGrow(x) => {
                let mt = self.memory(x)?;
                self.pop_expect(mt.addr.valtype())?;
                self.push_val(mt.addr.valtype());
            }
            O::MemoryFill(x) => {
                let mt = self.memory(x)?;
                self.pop_expect(mt.addr.valtype())?;
                self.pop_expect(ValType::I32)?;
                self.pop_expect(mt.addr.valtype())?;
            }
            O::MemoryCopy { dst, src } => {
                let dm = self.memory(dst)?;
                let sm = self.memory(src)?;
                self.pop_expect(min_addr(dm.addr, sm.addr))?;
                self.pop_expect(sm.addr.valtype())?;
                self.pop_expect(dm.addr.valtype())?;
            }
            O::MemoryInit { data, memory } => {
                let mt = self.memory(memory)?;
                self.check_data(data)?;
                self.pop_expect(ValType::I32)?;
                self.pop_expect(ValType::I32)?;
                self.pop_expect(mt.addr.valtype())?;
            }
            O::DataDrop(x) => self.check_data(x)?,

            O::RefNull(h) => {
                check_heaptype(ctx, h, self.offset)?;
                self.push_val(ValType::Ref(RefType::new(true, h)));
            }
            O::RefIsNull => {
                self.pop_ref()?;
                self.push_val(ValType::I32);
            }
            O::RefFunc(f) => {
                let t = *ctx
                    .funcs
                    .get(f as usize)
                    .ok_or_else(|| self.err(format!("unknown function {f}")))?;
                if !ctx.declared.get(f as usize).copied().unwrap_or(false) {
                    return Err(self.err(format!("undeclared function reference {f}")));
                }
                self.push_val(ValType::Ref(RefType::new(false, HeapType::Concrete(t))));
            }
            O::RefEq => {
                let eqref = ValType::Ref(RefType::new(true, HeapType::Eq));
                self.pop_expect(eqref)?;
                self.pop_expect(eqref)?;
                self.push_val(ValType::I32);
            }
            O::RefAsNonNull => {
                let r = self.pop_ref()?;
                self.push_non_null(r);
            }

            O::I32Const(_) => self.push_val(ValType::I32),
            O::I64Const(_) => self.push_val(ValType::I64),
            O::F32Const(_) => self.push_val(ValType::F32),
            O::F64Const(_) => self.push_val(ValType::F64),
            O::Numeric(n) => {
                let (params, result) = n.signature();
                self.pop_vals(Tys::Slice(params))?;
                self.push_val(result);
            }

            O::V128Const(_) => self.push_val(ValType::V128),
            O::I8x16Shuffle(lanes) => {
                if lanes.iter().any(|&l| l >= 32) {
                    return Err(self.err("invalid lane index"));
                }
                self.pop_expect(ValType::V128)?;
                self.pop_expect(ValType::V128)?;
                self.push_val(ValType::V128);
            }
            O::V128Load(l, m) => {
                let addr = self.memarg(&m, l.bytes())?;
                self.pop_expect(addr.valtype())?;
                self.push_val(ValType::V128);
            }
            O::V128Store(m) => {
                let addr = self.memarg(&m, 16)?;
                self.pop_expect(ValType::V128)?;
                self.pop_expect(addr.valtype())?;
            }
            O::V128LoadLane {
                bytes,
                memarg,
                lane,
            } => {
                let addr = self.memarg(&memarg, u32::from(bytes))?;
                self.check_lane(lane, 16 / bytes.max(1))?;
                self.pop_expect(ValType::V128)?;
                self.pop_expect(addr.valtype())?;
                self.push_val(ValType::V128);
            }
            O::V128StoreLane {
                bytes,
                memarg,
                lane,
            } => {
                let addr = self.memarg(&memarg, u32::from(bytes))?;
                self.check_lane(lane, 16 / bytes.max(1))?;
                self.pop_expect(ValType::V128)?;
                self.pop_expect(addr.valtype())?;
            }
            O::ExtractLane(shape, lane) => {
                self.check_lane(lane, shape.lanes())?;
                self.pop_expect(ValType::V128)?;
                self.push_val(shape.scalar());
            }
            O::ReplaceLane(shape, lane) => {
                self.check_lane(lane, shape.lanes())?;
                self.pop_expect(shape.scalar())?;
                self.pop_expect(ValType::V128)?;
                self.push_val(ValType::V128);
            }
            O::Simd(op) => {
                let (params, result) = op.signature();
                self.pop_vals(Tys::Slice(params))?;
                self.push_val(result);
            }
        }
        Ok(())
    }
}

/// A `u32` LEB128 number of one or two bytes at `code[pos..]` (any such encoding is
/// well-formed), with its length.
#[inline(always)]
fn small_u32(code: &[u8], pos: usize) -> Option<(u32, usize)> {
    let b = *code.get(pos)?;
    if b < 0x80 {
        return Some((u32::from(b), 1));
    }
    let c = *code.get(pos + 1)?;
    if c < 0x80 {
        return Some((u32::from(b & 0x7F) | u32::from(c) << 7, 2));
    }
    None
}

/// The number types by their code in [`NUMERIC_SIGS`] (which is their [`Opd`]).
const NUM_OPDS: [Opd; 4] = [Opd(0), Opd(1), Opd(2), Opd(3)];

/// Marks a binary signature in [`NUMERIC_SIGS`].
const BINARY: u8 = 0x40;

macro_rules! numeric_sig {
    ($t:ident [fc] $op:literal [$($p:ident)*] $r:ident) => {};
    ($t:ident [] $op:literal [$a:ident] $r:ident) => {
        $t[$op] = 0x80 | num_code!($a) << 2 | num_code!($r);
    };
    ($t:ident [] $op:literal [$a:ident $b:ident] $r:ident) => {
        $t[$op] = 0x80 | BINARY | num_code!($b) << 4 | num_code!($a) << 2 | num_code!($r);
    };
}

macro_rules! num_code {
    (i32) => {
        0
    };
    (i64) => {
        1
    };
    (f32) => {
        2
    };
    (f64) => {
        3
    };
}

macro_rules! numeric_sigs {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// The signature of each single-byte numeric opcode (`0x45..=0xC4`), from
        /// [`for_each_numeric_op!`](crate::for_each_numeric_op), in a byte: bits 0-1
        /// the result's code (its [`Opd`]), bits 2-3 the first operand's, bits 4-5
        /// the second's if [`BINARY`], bit 7 set. Zero for other bytes.
        static NUMERIC_SIGS: [u8; 256] = {
            let mut t = [0u8; 256];
            $( numeric_sig!(t [$($fc)?] $op [$($p)*] $r); )*
            t
        };
    };
}

crate::for_each_numeric_op!(numeric_sigs);

/// The value type (index into [`NUM_OPDS`]) and the log2 of the natural alignment of each load
/// and store, by opcode from `0x28`.
const MEM_ACCESS: [(u8, u32); 23] = [
    (0, 2), // i32.load
    (1, 3), // i64.load
    (2, 2), // f32.load
    (3, 3), // f64.load
    (0, 0), // i32.load8_s
    (0, 0), // i32.load8_u
    (0, 1), // i32.load16_s
    (0, 1), // i32.load16_u
    (1, 0), // i64.load8_s
    (1, 0), // i64.load8_u
    (1, 1), // i64.load16_s
    (1, 1), // i64.load16_u
    (1, 2), // i64.load32_s
    (1, 2), // i64.load32_u
    (0, 2), // i32.store
    (1, 3), // i64.store
    (2, 2), // f32.store
    (3, 3), // f64.store
    (0, 0), // i32.store8
    (0, 1), // i32.store16
    (1, 0), // i64.store8
    (1, 1), // i64.store16
    (1, 2), // i64.store32
];

#[cfg(test)]
mod tests;
