//! The binary format (spec: Binary Format): the only code in tern that reads module
//! bytes. It turns a `.wasm` binary into the plain data of [`crate::syntax`], checking
//! the encoding (strict LEB128, section order and sizes, UTF-8 names) but none of the
//! validation rules. Every error carries the byte offset where decoding failed.
//!
//! It must not depend on `validate`, `compile`, `exec` or `runtime`.

use std::ops::Range;

use crate::error::{Error, Result};
use crate::syntax::{Module, Operator};

/// Decodes a whole module binary.
pub fn decode(bytes: &[u8]) -> Result<Module> {
    let _ = bytes;
    Err(Error::malformed(0, "decoder not implemented yet"))
}

/// Reads the instructions of one function body (or constant expression) one at a
/// time. Offsets are absolute positions in the module binary.
pub struct OperatorReader<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> OperatorReader<'a> {
    /// A reader over `bytes[range]`; `bytes` is the whole module binary.
    pub fn new(bytes: &'a [u8], range: Range<usize>) -> OperatorReader<'a> {
        OperatorReader {
            bytes,
            pos: range.start,
            end: range.end,
        }
    }

    /// Byte offset of the next instruction.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Whether every byte of the range was read.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Decodes the next instruction.
    pub fn read(&mut self) -> Result<Operator> {
        let _ = self.bytes;
        Err(Error::malformed(self.pos, "decoder not implemented yet"))
    }
}
