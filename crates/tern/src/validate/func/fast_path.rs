//! The byte-level path: runs of the most frequent instructions (local and global
//! accesses, constants, numeric instructions, plain loads and stores of memory 0,
//! `drop`, `select`) checked straight from the body's bytes while they are in their
//! common valid form, and the same few operators checked in one step once decoded. It
//! owns the tables that make this cheap (the signature of each single-byte numeric
//! opcode, the type and natural alignment of each plain load and store). Each
//! instruction it accepts has exactly the effect the full rules would give it; on
//! anything else it stops, having changed nothing for that instruction, and leaves
//! deciding and reporting to the instruction families, so it never decides what is
//! reported. It builds [`Opd`]s from their raw bits and reads the stacks directly.

use super::operand::Opd;
use super::stack::FuncValidator;
use crate::binary::{s32_len, s64_len, OperatorReader};
use crate::syntax::{Operator, ValType};

impl FuncValidator<'_, '_> {
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
    pub(super) fn simple_run(&mut self, reader: &mut OperatorReader) {
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
    pub(super) fn op_fast(&mut self, op: &Operator) -> bool {
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
pub(super) const BINARY: u8 = 0x40;

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
        pub(super) static NUMERIC_SIGS: [u8; 256] = {
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
