//! The operator decoder: [`OperatorReader`] turns the bytes of a function body or a
//! constant expression into [`Operator`]s one at a time, with their immediates.
//!
//! Numeric opcodes come from the [`for_each_numeric_op!`](crate::for_each_numeric_op)
//! table rather than a second hand-kept list, and the vector (`0xFD`) sub-opcodes
//! without immediates from [`SimdOp::from_opcode`]. Opcodes of features tern does not
//! implement yet (GC, threads, exception handling, ...) are reported as
//! [`Error::Unsupported`] naming the feature; any other unknown opcode is malformed
//! ("illegal opcode").

use std::ops::Range;

use super::reader::{bounded_capacity, Reader, UNEXPECTED_END};
use super::types::{block_type, heap_type, val_type};
use crate::error::{Error, Result};
use crate::syntax::{LaneOp, LoadOp, MemArg, NumericOp, Operator, SimdOp, StoreOp, V128LoadOp};

macro_rules! fc_marker {
    () => {
        false
    };
    (fc) => {
        true
    };
}

macro_rules! numeric_lookup {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// The numeric instruction with opcode `code` (a `0xFC` sub-opcode if `prefixed`).
        fn numeric_op(prefixed: bool, code: u32) -> Option<NumericOp> {
            match (prefixed, code) {
                $( (fc_marker!($($fc)?), $op) => Some(NumericOp::$name), )*
                _ => None,
            }
        }
    };
}

crate::for_each_numeric_op!(numeric_lookup);

/// The kind of an open structured instruction, for checking where `else` may occur.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Frame {
    BlockOrLoop,
    If,
    Else,
}

/// Reads the instructions of one function body (or constant expression) one at a
/// time. Offsets are absolute positions in the module binary.
///
/// The reader checks the nesting of `block`/`loop`/`if`, `else` and `end` as the
/// binary grammar requires: an `else` outside an `if` is malformed ("END opcode
/// expected"), running out of bytes before the `end` that closes the whole body is
/// "unexpected end of section or function", and reading past that final `end` is
/// "section size mismatch". [`is_finished`](Self::is_finished) says whether the final
/// `end` was read; a well-formed body is fully read when it is finished and
/// [`is_empty`](Self::is_empty).
pub struct OperatorReader<'a> {
    r: Reader<'a>,
    frames: Vec<Frame>,
    finished: bool,
}

impl<'a> OperatorReader<'a> {
    /// A reader over `bytes[range]`; `bytes` is the whole module binary.
    pub fn new(bytes: &'a [u8], range: Range<usize>) -> OperatorReader<'a> {
        OperatorReader {
            r: Reader::new(bytes, range.start, range.end),
            frames: Vec::new(),
            finished: false,
        }
    }

    /// Whether the `end` that closes the body (or constant expression) was read.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Byte offset of the next instruction.
    pub fn offset(&self) -> usize {
        self.r.pos()
    }

    /// Whether every byte of the range was read.
    pub fn is_empty(&self) -> bool {
        self.r.is_empty()
    }

    /// The module binary up to the end of the range, and the offset of the next
    /// instruction: for a caller that decodes some instructions itself and then
    /// continues with [`resume_at`](Self::resume_at).
    pub(crate) fn raw(&self) -> (&'a [u8], usize) {
        let end = self.r.end();
        (self.r.bytes().get(..end).unwrap_or(&[]), self.r.pos())
    }

    /// Continues at `pos` (at most the end of the range) after instructions the caller
    /// decoded itself from [`raw`](Self::raw). They must be whole instructions that
    /// neither open nor close a block, read before the body's final `end`, so that the
    /// nesting this reader checks is unchanged.
    pub(crate) fn resume_at(&mut self, pos: usize) {
        self.r.set_pos(pos);
    }

    /// Decodes the next instruction. Reading past the end of the range is the
    /// malformed "unexpected end of section or function".
    #[inline]
    pub fn read(&mut self) -> Result<Operator> {
        let at = self.r.pos();
        if self.finished {
            return Err(Error::malformed(at, "section size mismatch"));
        }
        let op = self.read_operator()?;
        match op {
            Operator::Block(_) | Operator::Loop(_) => self.frames.push(Frame::BlockOrLoop),
            Operator::If(_) => self.frames.push(Frame::If),
            Operator::Else => match self.frames.last_mut() {
                Some(f @ Frame::If) => *f = Frame::Else,
                _ => return Err(Error::malformed(at, "END opcode expected")),
            },
            // The `end` with no open block closes the body itself.
            Operator::End => self.finished = self.frames.pop().is_none(),
            _ => {}
        }
        Ok(op)
    }

    #[inline(always)]
    fn read_operator(&mut self) -> Result<Operator> {
        let r = &mut self.r;
        let at = r.pos();
        let op = r.u8()?;
        Ok(match op {
            0x00 => Operator::Unreachable,
            0x01 => Operator::Nop,
            0x02 => Operator::Block(block_type(r)?),
            0x03 => Operator::Loop(block_type(r)?),
            0x04 => Operator::If(block_type(r)?),
            0x05 => Operator::Else,
            0x06 => return Err(unsupported(at, "try (legacy exception handling)")),
            0x07 => return Err(unsupported(at, "catch (legacy exception handling)")),
            0x08 => return Err(unsupported(at, "throw (exception handling)")),
            0x09 => return Err(unsupported(at, "rethrow (legacy exception handling)")),
            0x0A => return Err(unsupported(at, "throw_ref (exception handling)")),
            0x0B => Operator::End,
            0x0C => Operator::Br(r.u32()?),
            0x0D => Operator::BrIf(r.u32()?),
            0x0E => {
                let n = r.len32()?;
                let mut targets = Vec::with_capacity(bounded_capacity(n, r.remaining()));
                for _ in 0..n {
                    targets.push(r.u32()?);
                }
                let default = r.u32()?;
                Operator::BrTable {
                    targets: targets.into_boxed_slice(),
                    default,
                }
            }
            0x0F => Operator::Return,
            0x10 => Operator::Call(r.u32()?),
            0x11 => {
                let type_index = r.u32()?;
                let table = r.u32()?;
                Operator::CallIndirect { type_index, table }
            }
            0x12 => Operator::ReturnCall(r.u32()?),
            0x13 => {
                let type_index = r.u32()?;
                let table = r.u32()?;
                Operator::ReturnCallIndirect { type_index, table }
            }
            0x14 => Operator::CallRef(r.u32()?),
            0x15 => Operator::ReturnCallRef(r.u32()?),
            0x18 => return Err(unsupported(at, "delegate (legacy exception handling)")),
            0x19 => return Err(unsupported(at, "catch_all (legacy exception handling)")),
            0x1A => Operator::Drop,
            0x1B => Operator::Select,
            0x1C => {
                let n = r.len32()?;
                if n != 1 {
                    return Err(Error::invalid(at, "invalid result arity"));
                }
                Operator::TypedSelect(val_type(r)?)
            }
            0x1F => return Err(unsupported(at, "try_table (exception handling)")),
            0x20 => Operator::LocalGet(r.u32()?),
            0x21 => Operator::LocalSet(r.u32()?),
            0x22 => Operator::LocalTee(r.u32()?),
            0x23 => Operator::GlobalGet(r.u32()?),
            0x24 => Operator::GlobalSet(r.u32()?),
            0x25 => Operator::TableGet(r.u32()?),
            0x26 => Operator::TableSet(r.u32()?),
            0x28..=0x35 => {
                let load = match op {
                    0x28 => LoadOp::I32Load,
                    0x29 => LoadOp::I64Load,
                    0x2A => LoadOp::F32Load,
                    0x2B => LoadOp::F64Load,
                    0x2C => LoadOp::I32Load8S,
                    0x2D => LoadOp::I32Load8U,
                    0x2E => LoadOp::I32Load16S,
                    0x2F => LoadOp::I32Load16U,
                    0x30 => LoadOp::I64Load8S,
                    0x31 => LoadOp::I64Load8U,
                    0x32 => LoadOp::I64Load16S,
                    0x33 => LoadOp::I64Load16U,
                    0x34 => LoadOp::I64Load32S,
                    _ => LoadOp::I64Load32U,
                };
                Operator::Load(load, mem_arg(r)?)
            }
            0x36..=0x3E => {
                let store = match op {
                    0x36 => StoreOp::I32Store,
                    0x37 => StoreOp::I64Store,
                    0x38 => StoreOp::F32Store,
                    0x39 => StoreOp::F64Store,
                    0x3A => StoreOp::I32Store8,
                    0x3B => StoreOp::I32Store16,
                    0x3C => StoreOp::I64Store8,
                    0x3D => StoreOp::I64Store16,
                    _ => StoreOp::I64Store32,
                };
                Operator::Store(store, mem_arg(r)?)
            }
            0x3F => Operator::MemorySize(r.u32()?),
            0x40 => Operator::MemoryGrow(r.u32()?),
            0x41 => Operator::I32Const(r.s32()?),
            0x42 => Operator::I64Const(r.s64()?),
            0x43 => Operator::F32Const(r.word32()?),
            0x44 => Operator::F64Const(r.word64()?),
            0xD0 => Operator::RefNull(heap_type(r)?),
            0xD1 => Operator::RefIsNull,
            0xD2 => Operator::RefFunc(r.u32()?),
            0xD3 => Operator::RefEq,
            0xD4 => Operator::RefAsNonNull,
            0xD5 => Operator::BrOnNull(r.u32()?),
            0xD6 => Operator::BrOnNonNull(r.u32()?),
            0xE0..=0xE6 => return Err(unsupported(at, "stack switching instructions")),
            0xFB => return Err(unsupported(at, "0xfb prefix (GC instructions)")),
            0xFC => return read_fc(r, at),
            0xFD => return read_fd(r, at),
            0xFE => return Err(unsupported(at, "0xfe prefix (threads/atomic instructions)")),
            _ => match numeric_op(false, u32::from(op)) {
                Some(n) => Operator::Numeric(n),
                None => return Err(Error::malformed(at, format!("illegal opcode {op:02x}"))),
            },
        })
    }
}

fn unsupported(at: usize, what: &str) -> Error {
    Error::unsupported(at, format!("{what} is not supported yet"))
}

/// The rest of a `0xFC`-prefixed instruction starting at `at`.
fn read_fc(r: &mut Reader, at: usize) -> Result<Operator> {
    let sub = r.u32()?;
    Ok(match sub {
        0..=7 => match numeric_op(true, sub) {
            Some(n) => Operator::Numeric(n),
            None => return Err(Error::malformed(at, format!("illegal opcode fc {sub:02x}"))),
        },
        8 => {
            let data = r.u32()?;
            let memory = r.u32()?;
            Operator::MemoryInit { data, memory }
        }
        9 => Operator::DataDrop(r.u32()?),
        10 => {
            let dst = r.u32()?;
            let src = r.u32()?;
            Operator::MemoryCopy { dst, src }
        }
        11 => Operator::MemoryFill(r.u32()?),
        12 => {
            let elem = r.u32()?;
            let table = r.u32()?;
            Operator::TableInit { elem, table }
        }
        13 => Operator::ElemDrop(r.u32()?),
        14 => {
            let dst = r.u32()?;
            let src = r.u32()?;
            Operator::TableCopy { dst, src }
        }
        15 => Operator::TableGrow(r.u32()?),
        16 => Operator::TableSize(r.u32()?),
        17 => Operator::TableFill(r.u32()?),
        19..=22 => return Err(unsupported(at, "wide arithmetic")),
        _ => return Err(Error::malformed(at, format!("illegal opcode fc {sub:02x}"))),
    })
}

/// The rest of a `0xFD`-prefixed (vector) instruction starting at `at`. Kept out of
/// line so that the common single-byte opcodes of [`OperatorReader::read`] stay small.
#[inline(never)]
fn read_fd(r: &mut Reader, at: usize) -> Result<Operator> {
    let sub = r.u32()?;
    Ok(match sub {
        0x00..=0x0A => {
            let load = match sub {
                0x00 => V128LoadOp::Load,
                0x01 => V128LoadOp::Load8x8S,
                0x02 => V128LoadOp::Load8x8U,
                0x03 => V128LoadOp::Load16x4S,
                0x04 => V128LoadOp::Load16x4U,
                0x05 => V128LoadOp::Load32x2S,
                0x06 => V128LoadOp::Load32x2U,
                0x07 => V128LoadOp::Load8Splat,
                0x08 => V128LoadOp::Load16Splat,
                0x09 => V128LoadOp::Load32Splat,
                _ => V128LoadOp::Load64Splat,
            };
            Operator::V128Load(load, mem_arg(r)?)
        }
        0x0B => Operator::V128Store(mem_arg(r)?),
        0x0C => Operator::V128Const(bytes16(r)?),
        // The lane indices are single bytes; the validator checks that they are below 32.
        0x0D => Operator::I8x16Shuffle(bytes16(r)?),
        0x15..=0x22 => {
            let (replace, shape) = match sub {
                0x15 => (false, LaneOp::I8x16S),
                0x16 => (false, LaneOp::I8x16U),
                0x17 => (true, LaneOp::I8x16U),
                0x18 => (false, LaneOp::I16x8S),
                0x19 => (false, LaneOp::I16x8U),
                0x1A => (true, LaneOp::I16x8U),
                0x1B => (false, LaneOp::I32x4),
                0x1C => (true, LaneOp::I32x4),
                0x1D => (false, LaneOp::I64x2),
                0x1E => (true, LaneOp::I64x2),
                0x1F => (false, LaneOp::F32x4),
                0x20 => (true, LaneOp::F32x4),
                0x21 => (false, LaneOp::F64x2),
                _ => (true, LaneOp::F64x2),
            };
            let lane = r.u8()?;
            if replace {
                Operator::ReplaceLane(shape, lane)
            } else {
                Operator::ExtractLane(shape, lane)
            }
        }
        0x54..=0x5B => {
            // load8/16/32/64_lane, then store8/16/32/64_lane: the width is 2^(sub & 3).
            let bytes = 1u8 << (sub & 3);
            let memarg = mem_arg(r)?;
            let lane = r.u8()?;
            if sub < 0x58 {
                Operator::V128LoadLane {
                    bytes,
                    memarg,
                    lane,
                }
            } else {
                Operator::V128StoreLane {
                    bytes,
                    memarg,
                    lane,
                }
            }
        }
        0x5C => Operator::V128Load(V128LoadOp::Load32Zero, mem_arg(r)?),
        0x5D => Operator::V128Load(V128LoadOp::Load64Zero, mem_arg(r)?),
        _ => match SimdOp::from_opcode(sub) {
            Some(op) => Operator::Simd(op),
            None => return Err(Error::malformed(at, format!("illegal opcode fd {sub:02x}"))),
        },
    })
}

/// 16 raw bytes (a `v128.const` value or the lane indices of `i8x16.shuffle`).
fn bytes16(r: &mut Reader) -> Result<[u8; 16]> {
    let at = r.pos();
    let b = r.take(16)?;
    <[u8; 16]>::try_from(b).map_err(|_| Error::malformed(at, UNEXPECTED_END))
}

/// A `memarg`: alignment flags (bit 6: a memory index follows), then the offset.
fn mem_arg(r: &mut Reader) -> Result<MemArg> {
    let at = r.pos();
    let flags = r.u32()?;
    if flags >= 0x80 {
        return Err(Error::malformed(at, "malformed memop flags"));
    }
    let memory = if flags & 0x40 != 0 { r.u32()? } else { 0 };
    let align = flags & 0x3F;
    let offset = r.u64()?;
    Ok(MemArg {
        align,
        offset,
        memory,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{BlockType, HeapType, ValType};

    fn ops(b: &[u8]) -> Result<Vec<Operator>> {
        let mut rd = OperatorReader::new(b, 0..b.len());
        let mut v = Vec::new();
        while !rd.is_empty() {
            v.push(rd.read()?);
        }
        Ok(v)
    }

    #[test]
    fn nesting() {
        assert_eq!(malformed(&[0x05]), "END opcode expected");
        assert_eq!(
            malformed(&[0x02, 0x40, 0x05, 0x0b, 0x0b]),
            "END opcode expected"
        );
        assert_eq!(
            malformed(&[0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]),
            "END opcode expected"
        );
        assert_eq!(malformed(&[0x0b, 0x01]), "section size mismatch");
        let b = [0x04, 0x40, 0x05, 0x0b, 0x0b];
        let mut rd = OperatorReader::new(&b, 0..b.len());
        while !rd.is_empty() {
            rd.read().unwrap();
        }
        assert!(rd.is_finished());
        let mut rd = OperatorReader::new(&b, 0..4);
        while !rd.is_empty() {
            rd.read().unwrap();
        }
        assert!(!rd.is_finished());
        assert!(rd
            .read()
            .unwrap_err()
            .to_string()
            .contains("unexpected end"));
    }

    fn malformed(b: &[u8]) -> String {
        match ops(b) {
            Err(Error::Malformed { message, .. }) => message,
            other => panic!("expected malformed, got {other:?}"),
        }
    }

    #[test]
    fn control_and_immediates() {
        assert_eq!(
            ops(&[0x02, 0x40, 0x03, 0x7f, 0x04, 0x05, 0x05, 0x0b]).unwrap(),
            vec![
                Operator::Block(BlockType::Empty),
                Operator::Loop(BlockType::Value(ValType::I32)),
                Operator::If(BlockType::Func(5)),
                Operator::Else,
                Operator::End
            ]
        );
        assert_eq!(
            ops(&[0x0e, 0x02, 0x00, 0x01, 0x02]).unwrap(),
            vec![Operator::BrTable {
                targets: Box::new([0, 1]),
                default: 2
            }]
        );
        assert_eq!(
            ops(&[0x11, 0x03, 0x01]).unwrap(),
            vec![Operator::CallIndirect {
                type_index: 3,
                table: 1
            }]
        );
        assert_eq!(
            ops(&[0xd0, 0x70]).unwrap(),
            vec![Operator::RefNull(HeapType::Func)]
        );
        assert_eq!(
            ops(&[0x43, 0x00, 0x00, 0xc0, 0x7f]).unwrap(),
            vec![Operator::F32Const(0x7fc0_0000)]
        );
    }

    #[test]
    fn numeric_table() {
        assert_eq!(
            ops(&[0x6a]).unwrap(),
            vec![Operator::Numeric(NumericOp::I32Add)]
        );
        assert_eq!(
            ops(&[0xc4]).unwrap(),
            vec![Operator::Numeric(NumericOp::I64Extend32S)]
        );
        assert_eq!(
            ops(&[0xfc, 0x07]).unwrap(),
            vec![Operator::Numeric(NumericOp::I64TruncSatF64U)]
        );
    }

    #[test]
    fn memargs() {
        assert_eq!(
            ops(&[0x28, 0x02, 0x10]).unwrap(),
            vec![Operator::Load(
                LoadOp::I32Load,
                MemArg {
                    align: 2,
                    offset: 16,
                    memory: 0
                }
            )]
        );
        assert_eq!(
            ops(&[0x36, 0x42, 0x03, 0x04]).unwrap(),
            vec![Operator::Store(
                StoreOp::I32Store,
                MemArg {
                    align: 2,
                    offset: 4,
                    memory: 3
                }
            )]
        );
        assert_eq!(
            malformed(&[0x28, 0x80, 0x01, 0x00]),
            "malformed memop flags"
        );
    }

    #[test]
    fn simd() {
        use crate::syntax::{LaneOp, SimdOp, V128LoadOp};
        let m = |align, offset, memory| MemArg {
            align,
            offset,
            memory,
        };
        let mut b = vec![0xfd, 0x0c];
        b.extend(1..=16u8);
        b.extend([0xfd, 0x0d]);
        b.extend(16..32u8);
        assert_eq!(
            ops(&b).unwrap(),
            vec![
                Operator::V128Const(core::array::from_fn(|i| i as u8 + 1)),
                Operator::I8x16Shuffle(core::array::from_fn(|i| i as u8 + 16)),
            ]
        );
        assert_eq!(
            ops(&[
                0xfd, 0x00, 0x04, 0x00, // v128.load align=16
                0xfd, 0x0a, 0x43, 0x01, 0x08, // v128.load64_splat memory 1 offset 8
                0xfd, 0x5d, 0x03, 0x00, // v128.load64_zero
                0xfd, 0x0b, 0x04, 0x10, // v128.store offset 16
                0xfd, 0x55, 0x01, 0x00, 0x07, // v128.load16_lane lane 7
                0xfd, 0x5b, 0x03, 0x00, 0x01, // v128.store64_lane lane 1
            ])
            .unwrap(),
            vec![
                Operator::V128Load(V128LoadOp::Load, m(4, 0, 0)),
                Operator::V128Load(V128LoadOp::Load64Splat, m(3, 8, 1)),
                Operator::V128Load(V128LoadOp::Load64Zero, m(3, 0, 0)),
                Operator::V128Store(m(4, 16, 0)),
                Operator::V128LoadLane {
                    bytes: 2,
                    memarg: m(1, 0, 0),
                    lane: 7
                },
                Operator::V128StoreLane {
                    bytes: 8,
                    memarg: m(3, 0, 0),
                    lane: 1
                },
            ]
        );
        assert_eq!(
            ops(&[0xfd, 0x15, 0x0f, 0xfd, 0x17, 0x03, 0xfd, 0x22, 0x01]).unwrap(),
            vec![
                Operator::ExtractLane(LaneOp::I8x16S, 15),
                Operator::ReplaceLane(LaneOp::I8x16U, 3),
                Operator::ReplaceLane(LaneOp::F64x2, 1),
            ]
        );
        // Sub-opcodes are LEB128: a padded encoding and the relaxed range from 0x100.
        assert_eq!(
            ops(&[0xfd, 0x8e, 0x80, 0x00, 0xfd, 0x80, 0x02]).unwrap(),
            vec![
                Operator::Simd(SimdOp::I8x16Swizzle),
                Operator::Simd(SimdOp::I8x16RelaxedSwizzle),
            ]
        );
        for &op in SimdOp::ALL {
            let mut b = vec![0xfd];
            let mut v = op.opcode();
            loop {
                let byte = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 {
                    b.push(byte);
                    break;
                }
                b.push(byte | 0x80);
            }
            assert_eq!(ops(&b).unwrap(), vec![Operator::Simd(op)]);
        }
        // Truncated immediates.
        assert_eq!(malformed(&[0xfd]), UNEXPECTED_END);
        assert_eq!(malformed(&[0xfd, 0x15]), UNEXPECTED_END);
        assert_eq!(malformed(&[0xfd, 0x54, 0x00, 0x00]), UNEXPECTED_END);
        assert_eq!(malformed(&[0xfd, 0x0d, 0x00]), UNEXPECTED_END);
    }

    #[test]
    fn bad_opcodes() {
        assert_eq!(malformed(&[0xff]), "illegal opcode ff");
        assert_eq!(malformed(&[0x27]), "illegal opcode 27");
        assert_eq!(malformed(&[0xfc, 0x12]), "illegal opcode fc 12");
        assert_eq!(malformed(&[0x41]), "unexpected end of section or function");
        assert_eq!(malformed(&[0xfd, 0x0c, 1, 2]), UNEXPECTED_END);
        assert_eq!(malformed(&[0xfd, 0xa2, 0x01]), "illegal opcode fd a2");
        assert_eq!(malformed(&[0xfd, 0x94, 0x02]), "illegal opcode fd 114");
        assert!(matches!(
            ops(&[0x1c, 0x02, 0x7f, 0x7f]),
            Err(Error::Invalid { .. })
        ));
        // A br_table claiming 2^32-1 targets fails at once.
        assert_eq!(
            malformed(&[0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]),
            "length out of bounds"
        );
    }
}
