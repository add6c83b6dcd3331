//! The byte cursor under every other part of the decoder: single bytes, fixed-width
//! little-endian words, strict LEB128 integers (`u32`, `u64`, `s32`, `s33`, `s64`),
//! length prefixes checked against the bytes that are left, and UTF-8 names.
//!
//! LEB128 is decoded exactly as the reference interpreter does it: an encoding longer
//! than `ceil(N / 7)` bytes is "integer representation too long", and unused bits of
//! the last byte that are not a zero (unsigned) or sign (signed) extension are
//! "integer too large". Running out of bytes is "unexpected end of section or
//! function". A reader never looks at bytes at or after its `end`.

use crate::error::{Error, Result};

pub(crate) const UNEXPECTED_END: &str = "unexpected end of section or function";

/// A cursor over `bytes[pos..end]`. Positions are absolute offsets into `bytes`, so
/// that every error carries its offset in the module binary.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `bytes[pos..end]`; `end` is clamped to the length of `bytes`.
    pub(crate) fn new(bytes: &'a [u8], pos: usize, end: usize) -> Reader<'a> {
        let end = end.min(bytes.len());
        Reader { bytes, pos, end }
    }

    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn end(&self) -> usize {
        self.end
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.end
    }

    /// Number of bytes left before `end`.
    pub(crate) fn remaining(&self) -> usize {
        self.end.saturating_sub(self.pos)
    }

    /// The error for running out of bytes at the current position.
    pub(crate) fn eof(&self) -> Error {
        Error::malformed(self.pos, UNEXPECTED_END)
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        if self.pos < self.end {
            self.bytes.get(self.pos).copied()
        } else {
            None
        }
    }

    pub(crate) fn u8(&mut self) -> Result<u8> {
        let b = self.peek().ok_or_else(|| self.eof())?;
        self.pos += 1;
        Ok(b)
    }

    /// Reads `n` raw bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            // Report the end like the reference interpreter: after consuming what is left.
            self.pos = self.end;
            return Err(self.eof());
        }
        let start = self.pos;
        self.pos += n;
        self.bytes
            .get(start..self.pos)
            .ok_or_else(|| Error::malformed(start, UNEXPECTED_END))
    }

    /// Moves the cursor to `pos` (at most `end`) without any check of what lies between.
    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos.min(self.end);
    }

    /// Moves the cursor to `pos`, which must not lie beyond `end`.
    pub(crate) fn skip_to(&mut self, pos: usize) -> Result<()> {
        if pos > self.end {
            self.pos = self.end;
            return Err(self.eof());
        }
        self.pos = pos;
        Ok(())
    }

    /// Reads a 4-byte little-endian word (the bits of an `f32`).
    pub(crate) fn word32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        let mut a = [0u8; 4];
        a.copy_from_slice(b);
        Ok(u32::from_le_bytes(a))
    }

    /// Reads an 8-byte little-endian word (the bits of an `f64`).
    pub(crate) fn word64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }

    /// An unsigned LEB128 integer of at most `bits` bits.
    fn leb_unsigned(&mut self, bits: u32) -> Result<u64> {
        let mut result: u64 = 0;
        let mut shift: u32 = 0;
        loop {
            // Bits of the value not yet covered by earlier bytes.
            let left = bits.saturating_sub(shift);
            if left == 0 {
                return Err(Error::malformed(
                    self.pos,
                    "integer representation too long",
                ));
            }
            let at = self.pos;
            let b = self.u8()?;
            if left < 7 && u32::from(b & 0x7f) >= (1u32 << left) {
                return Err(Error::malformed(at, "integer too large"));
            }
            // `shift` is at most 63 here (`left` > 0 and `bits` <= 64).
            result |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// A signed LEB128 integer of at most `bits` bits.
    fn leb_signed(&mut self, bits: u32) -> Result<i64> {
        let mut result: i64 = 0;
        let mut shift: u32 = 0;
        loop {
            let left = bits.saturating_sub(shift);
            if left == 0 {
                return Err(Error::malformed(
                    self.pos,
                    "integer representation too long",
                ));
            }
            let at = self.pos;
            let b = self.u8()?;
            if left < 7 {
                // The unused bits and the sign bit must all be equal.
                let mask = ((-1i32 << (left - 1)) & 0x7f) as u8;
                let v = b & mask;
                if v != 0 && v != mask {
                    return Err(Error::malformed(at, "integer too large"));
                }
            }
            result |= i64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                if shift + 7 < 64 && b & 0x40 != 0 {
                    result |= -1i64 << (shift + 7);
                }
                return Ok(result);
            }
            shift += 7;
        }
    }

    /// The next byte if it is a whole LEB128 number (below 0x80), consumed. Most
    /// indices and constants are; any number of at least 7 bits may be one byte.
    #[inline(always)]
    fn leb_byte(&mut self) -> Option<u8> {
        let b = self.peek().filter(|&b| b < 0x80)?;
        self.pos += 1;
        Some(b)
    }

    /// A one-byte signed LEB128 number: its 7 bits, sign-extended.
    #[inline(always)]
    fn sign7(b: u8) -> i64 {
        i64::from(((b << 1) as i8) >> 1)
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32> {
        if let Some(b) = self.leb_byte() {
            return Ok(u32::from(b));
        }
        // At most 32 bits by construction.
        Ok(self.leb_unsigned(32)? as u32)
    }

    #[inline]
    pub(crate) fn u64(&mut self) -> Result<u64> {
        if let Some(b) = self.leb_byte() {
            return Ok(u64::from(b));
        }
        self.leb_unsigned(64)
    }

    #[inline]
    pub(crate) fn s32(&mut self) -> Result<i32> {
        if let Some(b) = self.leb_byte() {
            return Ok(Self::sign7(b) as i32);
        }
        if let Some(v) = self.s32_multi() {
            return Ok(v);
        }
        // In i32 range by construction.
        Ok(self.leb_signed(32)? as i32)
    }

    /// A well-formed signed 32-bit LEB128 number of several bytes, when five bytes are
    /// left to read: the checks of [`Reader::leb_signed`], unrolled. `None`, having
    /// consumed nothing, for anything else (the general loop then reports the error).
    #[inline]
    fn s32_multi(&mut self) -> Option<i32> {
        if self.end.saturating_sub(self.pos) < 5 {
            return None;
        }
        let s: &[u8; 5] = self.bytes.get(self.pos..self.pos + 5)?.try_into().ok()?;
        let mut result: u32 = 0;
        for (i, &b) in s[..4].iter().enumerate() {
            result |= u32::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                let unused = 32 - 7 * (i as u32 + 1);
                self.pos += i + 1;
                return Some(((result << unused) as i32) >> unused);
            }
        }
        // The fifth byte holds the top 4 bits; its other bits must equal the sign bit
        // and it must end the number.
        let b = s[4];
        if b & 0x80 != 0 || !matches!(b & 0x78, 0 | 0x78) {
            return None;
        }
        self.pos += 5;
        Some((result | (u32::from(b) << 28)) as i32)
    }

    #[inline]
    pub(crate) fn s33(&mut self) -> Result<i64> {
        if let Some(b) = self.leb_byte() {
            return Ok(Self::sign7(b));
        }
        self.leb_signed(33)
    }

    #[inline]
    pub(crate) fn s64(&mut self) -> Result<i64> {
        if let Some(b) = self.leb_byte() {
            return Ok(Self::sign7(b));
        }
        self.leb_signed(64)
    }

    /// A `u32` length or count, which may not exceed the bytes left (counted, as the
    /// reference interpreter does, from the start of the length itself). Every item
    /// of a vector takes at least one byte, so a count that passes this check never
    /// makes a caller allocate more than the input justifies.
    pub(crate) fn len32(&mut self) -> Result<u32> {
        let at = self.pos;
        let n = self.u32()?;
        if n as usize > self.end.saturating_sub(at) {
            return Err(Error::malformed(at, "length out of bounds"));
        }
        Ok(n)
    }

    /// A vector of bytes (`vec(byte)`).
    pub(crate) fn byte_vec(&mut self) -> Result<&'a [u8]> {
        let n = self.len32()?;
        self.take(n as usize)
    }

    /// A name: a vector of bytes that must be valid UTF-8.
    pub(crate) fn name(&mut self) -> Result<String> {
        let at = self.pos;
        let b = self.byte_vec()?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(Error::malformed(at, "malformed UTF-8 encoding")),
        }
    }

    /// Reads a vector with `f` for each item, growing the result only as items are
    /// actually decoded (the count is checked against the bytes left first).
    pub(crate) fn vec<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.len32()?;
        let mut v = Vec::with_capacity(bounded_capacity(n, self.remaining()));
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(v)
    }
}

/// The length of the well-formed signed 32-bit LEB128 number at `code[pos..]`, when
/// all eight bytes `code[pos..pos + 8]` exist or the number is one byte: what
/// [`Reader::s32`] would consume without an error. `None` for anything else (the reader
/// then decides). For a caller that needs the length of a number but not its value.
#[inline(always)]
pub(crate) fn s32_len(code: &[u8], pos: usize) -> Option<usize> {
    if *code.get(pos)? < 0x80 {
        return Some(1);
    }
    let w = u64::from_le_bytes(code.get(pos..pos.checked_add(8)?)?.try_into().ok()?);
    // The first byte without a continuation bit ends the number; at most five bytes.
    let stops = !w & 0x80_8080_8080;
    if stops == 0 {
        return None;
    }
    let len = (stops.trailing_zeros() / 8 + 1) as usize;
    // The fifth byte holds the top 4 bits; its other bits must equal the sign bit.
    if len == 5 && !matches!((w >> 32) as u8 & 0x78, 0 | 0x78) {
        return None;
    }
    Some(len)
}

/// Like [`s32_len`] for a signed 64-bit number of at most eight bytes (all of whose
/// bits are then value bits, so any such encoding is well-formed).
#[inline(always)]
pub(crate) fn s64_len(code: &[u8], pos: usize) -> Option<usize> {
    if *code.get(pos)? < 0x80 {
        return Some(1);
    }
    let w = u64::from_le_bytes(code.get(pos..pos.checked_add(8)?)?.try_into().ok()?);
    let stops = !w & 0x8080_8080_8080_8080;
    if stops == 0 {
        return None;
    }
    Some((stops.trailing_zeros() / 8 + 1) as usize)
}

/// The initial capacity for a vector of `n` items claimed by the input.
pub(crate) fn bounded_capacity(n: u32, remaining: usize) -> usize {
    (n as usize).min(remaining).min(1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: Error) -> String {
        match e {
            Error::Malformed { message, .. } => message,
            other => panic!("unexpected error {other:?}"),
        }
    }

    fn r(b: &[u8]) -> Reader<'_> {
        Reader::new(b, 0, b.len())
    }

    #[test]
    fn unsigned_leb() {
        assert_eq!(r(&[0x00]).u32().unwrap(), 0);
        assert_eq!(r(&[0x7f]).u32().unwrap(), 127);
        assert_eq!(r(&[0x80, 0x01]).u32().unwrap(), 128);
        assert_eq!(r(&[0x82, 0x80, 0x80, 0x80, 0x00]).u32().unwrap(), 2);
        assert_eq!(r(&[0xff, 0xff, 0xff, 0xff, 0x0f]).u32().unwrap(), u32::MAX);
        assert_eq!(
            msg(r(&[0xff, 0xff, 0xff, 0xff, 0x1f]).u32().unwrap_err()),
            "integer too large"
        );
        assert_eq!(
            msg(r(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).u32().unwrap_err()),
            "integer representation too long"
        );
        assert_eq!(msg(r(&[0x80, 0x80]).u32().unwrap_err()), UNEXPECTED_END);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(r(&max).u64().unwrap(), u64::MAX);
        let big = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(msg(r(&big).u64().unwrap_err()), "integer too large");
    }

    /// The unrolled path for numbers followed by more bytes agrees with the general
    /// loop: same value, same length, same error, over values near every byte
    /// boundary, padded (non-minimal) encodings and every fifth byte.
    #[test]
    fn signed_leb_unrolled_agrees() {
        let general = |b: &[u8]| {
            let mut rd = r(b);
            let v = rd.leb_signed(32).map(|v| v as i32).map_err(msg);
            (v, rd.pos)
        };
        let fast = |b: &[u8]| {
            let mut rd = r(b);
            let v = rd.s32().map_err(msg);
            (v, rd.pos)
        };
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for shift in 0..32 {
            for v in [1i64 << shift, -(1i64 << shift)] {
                for d in [-1i64, 0, 1] {
                    let x = (v + d) as i32;
                    for pad in 0..4 {
                        let mut b = Vec::new();
                        let mut y = i64::from(x);
                        loop {
                            let byte = (y & 0x7f) as u8;
                            y >>= 7;
                            let done =
                                (y == 0 && byte & 0x40 == 0) || (y == -1 && byte & 0x40 != 0);
                            if done && b.len() + 1 >= pad {
                                b.push(byte);
                                break;
                            }
                            b.push(byte | 0x80);
                        }
                        b.extend_from_slice(&[0, 0, 0, 0, 0]);
                        inputs.push(b);
                    }
                }
            }
        }
        for last in 0..=255u8 {
            inputs.push(vec![0x80, 0x80, 0x80, 0x80, last, 0, 0]);
            inputs.push(vec![0xff, 0xff, 0xff, 0xff, last, 0, 0]);
        }
        for b in &inputs {
            assert_eq!(fast(b), general(b), "{b:02x?}");
        }
    }

    #[test]
    fn signed_leb() {
        assert_eq!(r(&[0x7f]).s32().unwrap(), -1);
        assert_eq!(r(&[0x40]).s32().unwrap(), -64);
        assert_eq!(r(&[0x80, 0x7f]).s32().unwrap(), -128);
        assert_eq!(r(&[0xff, 0xff, 0xff, 0xff, 0x07]).s32().unwrap(), i32::MAX);
        assert_eq!(r(&[0x80, 0x80, 0x80, 0x80, 0x78]).s32().unwrap(), i32::MIN);
        assert_eq!(
            msg(r(&[0xff, 0xff, 0xff, 0xff, 0x0f]).s32().unwrap_err()),
            "integer too large"
        );
        assert_eq!(
            msg(r(&[0x80, 0x80, 0x80, 0x80, 0x70]).s32().unwrap_err()),
            "integer too large"
        );
        assert_eq!(
            msg(r(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]).s32().unwrap_err()),
            "integer representation too long"
        );
        assert_eq!(
            r(&[0xff, 0xff, 0xff, 0xff, 0x0f]).s33().unwrap(),
            u32::MAX as i64
        );
        assert_eq!(
            r(&[0x80, 0x80, 0x80, 0x80, 0x70]).s33().unwrap(),
            -(1i64 << 32)
        );
        let min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
        assert_eq!(r(&min).s64().unwrap(), i64::MIN);
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
        assert_eq!(r(&max).s64().unwrap(), i64::MAX);
        let bad = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(msg(r(&bad).s64().unwrap_err()), "integer too large");
    }

    #[test]
    fn lengths_and_names() {
        assert_eq!(
            msg(r(&[0x05, 1, 2]).len32().unwrap_err()),
            "length out of bounds"
        );
        assert_eq!(r(&[0x02, b'h', b'i']).name().unwrap(), "hi");
        assert_eq!(
            msg(r(&[0x01, 0xff]).name().unwrap_err()),
            "malformed UTF-8 encoding"
        );
        // A count of 2^32-1 fails at once, without allocating.
        assert_eq!(
            msg(r(&[0xff, 0xff, 0xff, 0xff, 0x0f])
                .vec(|r| r.u8())
                .unwrap_err()),
            "length out of bounds"
        );
    }
}
