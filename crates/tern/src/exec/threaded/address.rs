//! Addresses, indices and lengths of memories and tables (spec: the address type of
//! a memory or table, `i32` or `i64`): how such an operand is widened to 64 bits,
//! the `-1` that `memory.grow` and `table.grow` return on failure, and the checks of
//! an access range against a length, which report the trap that the spec names.
//!
//! Pure functions of their operands: this room knows nothing of the interpreter's
//! state or of where a memory's bytes are; its callers check and then access.

use crate::error::TrapCode;

/// An address, index or length operand: the whole slot for 64-bit memories and
/// tables, the low 32 bits (unsigned) otherwise.
#[inline(always)]
pub(super) fn addr(v: u64, is64: bool) -> u64 {
    if is64 {
        v
    } else {
        v as u32 as u64
    }
}

/// The "failed" result of `memory.grow` and `table.grow`: -1 in the address type.
#[inline(always)]
pub(super) fn minus_one(is64: bool) -> u64 {
    if is64 {
        u64::MAX
    } else {
        u32::MAX as u64
    }
}

/// `[start, start + n)` checked against a memory of `len` bytes.
pub(super) fn range(start: u64, n: u64, len: usize) -> Result<(usize, usize), TrapCode> {
    match start.checked_add(n) {
        Some(end) if end <= len as u64 => Ok((start as usize, n as usize)),
        _ => Err(TrapCode::MemoryOutOfBounds),
    }
}

/// `[start, start + n)` checked against a table of `len` elements.
pub(super) fn table_range(start: u64, n: u64, len: usize) -> Result<(usize, usize), TrapCode> {
    range(start, n, len).map_err(|_| TrapCode::TableOutOfBounds)
}

/// The effective address range `[addr + offset, + len)` checked against `mem_len`.
#[inline(always)]
pub(super) fn ea(addr: u64, offset: u64, len: usize, mem_len: usize) -> Result<usize, TrapCode> {
    let start = addr
        .checked_add(offset)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    if start
        .checked_add(len as u64)
        .is_none_or(|end| end > mem_len as u64)
    {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    Ok(start as usize)
}
