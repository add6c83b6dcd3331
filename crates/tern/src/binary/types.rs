//! Decoding of types (spec: Binary Format › Types): value, reference and heap types
//! (including concrete `s33` type indices), block types, recursion groups with their
//! sub and composite types, limits, and memory, table, global and tag types.
//!
//! Only the encoding is checked here: a type index is not compared with the number of
//! types, and limits are not range-checked; that is validation.

use super::reader::Reader;
use crate::error::{Error, Result};
use crate::syntax::{
    AddrType, BlockType, CompositeType, FieldType, FuncType, GlobalType, HeapType, Limits,
    MemoryType, RefType, StorageType, SubType, TableType, TagType, ValType,
};

/// The abstract heap type of a one-byte short form (`0x69..=0x74`).
fn abstract_heap(b: u8) -> Option<HeapType> {
    Some(match b {
        0x74 => HeapType::NoExn,
        0x73 => HeapType::NoFunc,
        0x72 => HeapType::NoExtern,
        0x71 => HeapType::None,
        0x70 => HeapType::Func,
        0x6F => HeapType::Extern,
        0x6E => HeapType::Any,
        0x6D => HeapType::Eq,
        0x6C => HeapType::I31,
        0x6B => HeapType::Struct,
        0x6A => HeapType::Array,
        0x69 => HeapType::Exn,
        _ => return None,
    })
}

/// Whether `b` is the single-byte encoding of a negative `s33` (i.e. of a type
/// constructor rather than a type index).
fn is_short_negative(b: u8) -> bool {
    b & 0xC0 == 0x40
}

/// A type constructor byte (an `s7` in the reference interpreter): a multi-byte
/// encoding is "integer representation too long".
fn type_byte(r: &mut Reader) -> Result<u8> {
    let b = r.u8()?;
    if b & 0x80 != 0 {
        return Err(Error::malformed(r.pos(), "integer representation too long"));
    }
    Ok(b)
}

/// A heap type: an abstract heap type or a concrete type index (`s33`, non-negative).
pub(crate) fn heap_type(r: &mut Reader) -> Result<HeapType> {
    let at = r.pos();
    match r.peek() {
        Some(b) if is_short_negative(b) => {
            r.u8()?;
            abstract_heap(b).ok_or_else(|| Error::malformed(at, "malformed heap type"))
        }
        _ => {
            let v = r.s33()?;
            u32::try_from(v)
                .map(HeapType::Concrete)
                .map_err(|_| Error::malformed(at, "malformed heap type"))
        }
    }
}

/// The rest of a reference type whose first byte `b` was read; `None` if `b` does not
/// start one.
fn ref_type_after(r: &mut Reader, b: u8) -> Result<Option<RefType>> {
    Ok(Some(match b {
        0x63 => RefType::new(true, heap_type(r)?),
        0x64 => RefType::new(false, heap_type(r)?),
        _ => match abstract_heap(b) {
            Some(h) => RefType::new(true, h),
            None => return Ok(None),
        },
    }))
}

/// A reference type.
pub(crate) fn ref_type(r: &mut Reader) -> Result<RefType> {
    let at = r.pos();
    let b = type_byte(r)?;
    ref_type_after(r, b)?.ok_or_else(|| Error::malformed(at, "malformed reference type"))
}

fn val_type_msg(r: &mut Reader, msg: &'static str) -> Result<ValType> {
    let at = r.pos();
    let b = type_byte(r)?;
    Ok(match b {
        0x7F => ValType::I32,
        0x7E => ValType::I64,
        0x7D => ValType::F32,
        0x7C => ValType::F64,
        0x7B => ValType::V128,
        _ => match ref_type_after(r, b)? {
            Some(t) => ValType::Ref(t),
            None => return Err(Error::malformed(at, msg)),
        },
    })
}

/// A value type.
pub(crate) fn val_type(r: &mut Reader) -> Result<ValType> {
    val_type_msg(r, "malformed value type")
}

/// A block type: empty (`0x40`), a value type, or a type index (`s33`).
pub(crate) fn block_type(r: &mut Reader) -> Result<BlockType> {
    let at = r.pos();
    match r.peek() {
        Some(0x40) => {
            r.u8()?;
            Ok(BlockType::Empty)
        }
        Some(b) if is_short_negative(b) => Ok(BlockType::Value(val_type(r)?)),
        _ => {
            let v = r.s33()?;
            u32::try_from(v)
                .map(BlockType::Func)
                .map_err(|_| Error::malformed(at, "malformed block type"))
        }
    }
}

fn mutability(r: &mut Reader) -> Result<bool> {
    let at = r.pos();
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::malformed(at, "malformed mutability")),
    }
}

fn field_type(r: &mut Reader) -> Result<FieldType> {
    let storage = match r.peek() {
        Some(0x78) => {
            r.u8()?;
            StorageType::I8
        }
        Some(0x77) => {
            r.u8()?;
            StorageType::I16
        }
        _ => StorageType::Val(val_type_msg(r, "malformed storage type")?),
    };
    let mutable = mutability(r)?;
    Ok(FieldType { storage, mutable })
}

fn composite_type(r: &mut Reader) -> Result<CompositeType> {
    let at = r.pos();
    match type_byte(r)? {
        0x60 => {
            let params = r.vec(val_type)?;
            let results = r.vec(val_type)?;
            Ok(CompositeType::Func(FuncType {
                params: params.into_boxed_slice(),
                results: results.into_boxed_slice(),
            }))
        }
        0x5F => Ok(CompositeType::Struct(r.vec(field_type)?.into_boxed_slice())),
        0x5E => Ok(CompositeType::Array(field_type(r)?)),
        _ => Err(Error::malformed(at, "malformed definition type")),
    }
}

fn sub_type(r: &mut Reader) -> Result<SubType> {
    let is_final = match r.peek() {
        Some(0x50) => false,
        Some(0x4F) => true,
        _ => {
            let composite = composite_type(r)?;
            return Ok(SubType {
                is_final: true,
                supertypes: Box::new([]),
                composite,
            });
        }
    };
    r.u8()?;
    let supertypes = r.vec(|r| r.u32())?.into_boxed_slice();
    let composite = composite_type(r)?;
    Ok(SubType {
        is_final,
        supertypes,
        composite,
    })
}

/// A recursive type (`rec` group or a single sub type), appended to `types`.
pub(crate) fn rec_type(r: &mut Reader, types: &mut Vec<SubType>) -> Result<()> {
    if r.peek() == Some(0x4E) {
        r.u8()?;
        let n = r.len32()?;
        for _ in 0..n {
            types.push(sub_type(r)?);
        }
    } else {
        types.push(sub_type(r)?);
    }
    Ok(())
}

/// Which limits flags are allowed where.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LimitsOf {
    Memory,
    Table,
}

struct RawLimits {
    flags: u8,
    addr: AddrType,
    limits: Limits,
}

fn limits(r: &mut Reader, of: LimitsOf) -> Result<RawLimits> {
    let at = r.pos();
    let flags = r.u8()?;
    // Bit 0: max present; bit 1: shared (memories); bit 2: i64 addresses;
    // bit 3: custom page size (memories).
    let allowed = match of {
        LimitsOf::Memory => 0x0F,
        LimitsOf::Table => 0x05,
    };
    if flags & !allowed != 0 {
        return Err(Error::malformed(at, "malformed limits flags"));
    }
    let addr = if flags & 0x04 != 0 {
        AddrType::I64
    } else {
        AddrType::I32
    };
    let min = r.u64()?;
    let max = if flags & 0x01 != 0 {
        Some(r.u64()?)
    } else {
        None
    };
    Ok(RawLimits {
        flags,
        addr,
        limits: Limits { min, max },
    })
}

pub(crate) fn memory_type(r: &mut Reader) -> Result<MemoryType> {
    let l = limits(r, LimitsOf::Memory)?;
    let page_size_log2 = if l.flags & 0x08 != 0 {
        let at = r.pos();
        let p = r.u32()?;
        // A page size that does not even fit in 64 bits is malformed; other values
        // than 0 and 16 are for the validator to reject.
        if p > 64 {
            return Err(Error::malformed(at, "invalid custom page size"));
        }
        Some(p)
    } else {
        None
    };
    Ok(MemoryType {
        addr: l.addr,
        limits: l.limits,
        shared: l.flags & 0x02 != 0,
        page_size_log2,
    })
}

pub(crate) fn table_type(r: &mut Reader) -> Result<TableType> {
    let elem = ref_type(r)?;
    let l = limits(r, LimitsOf::Table)?;
    Ok(TableType {
        addr: l.addr,
        limits: l.limits,
        elem,
    })
}

pub(crate) fn global_type(r: &mut Reader) -> Result<GlobalType> {
    let content = val_type(r)?;
    let mutable = mutability(r)?;
    Ok(GlobalType { content, mutable })
}

/// Expects the byte `0x00` (a reserved byte or attribute).
pub(crate) fn zero_byte(r: &mut Reader) -> Result<()> {
    let at = r.pos();
    if r.u8()? != 0 {
        return Err(Error::malformed(at, "zero byte expected"));
    }
    Ok(())
}

pub(crate) fn tag_type(r: &mut Reader) -> Result<TagType> {
    zero_byte(r)?;
    Ok(TagType {
        type_index: r.u32()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rd(b: &[u8]) -> Reader<'_> {
        Reader::new(b, 0, b.len())
    }

    #[test]
    fn value_and_reference_types() {
        assert_eq!(val_type(&mut rd(&[0x7f])).unwrap(), ValType::I32);
        assert_eq!(val_type(&mut rd(&[0x70])).unwrap(), ValType::FUNCREF);
        assert_eq!(
            val_type(&mut rd(&[0x64, 0x05])).unwrap(),
            ValType::Ref(RefType::new(false, HeapType::Concrete(5)))
        );
        assert_eq!(
            val_type(&mut rd(&[0x63, 0x6e])).unwrap(),
            ValType::Ref(RefType::new(true, HeapType::Any))
        );
        assert!(val_type(&mut rd(&[0x40])).is_err());
        assert!(ref_type(&mut rd(&[0x7f])).is_err());
        assert!(heap_type(&mut rd(&[0x7f])).is_err());
    }

    #[test]
    fn block_types() {
        assert_eq!(block_type(&mut rd(&[0x40])).unwrap(), BlockType::Empty);
        assert_eq!(
            block_type(&mut rd(&[0x7e])).unwrap(),
            BlockType::Value(ValType::I64)
        );
        assert_eq!(
            block_type(&mut rd(&[0x80, 0x01])).unwrap(),
            BlockType::Func(128)
        );
    }

    #[test]
    fn limits_flags() {
        let m = memory_type(&mut rd(&[0x05, 0x01, 0x02])).unwrap();
        assert_eq!(m.addr, AddrType::I64);
        assert_eq!(
            m.limits,
            Limits {
                min: 1,
                max: Some(2)
            }
        );
        let m = memory_type(&mut rd(&[0x0b, 0x01, 0x02, 0x00])).unwrap();
        assert!(m.shared);
        assert_eq!(m.page_size_log2, Some(0));
        assert!(memory_type(&mut rd(&[0x10, 0x00])).is_err());
        assert!(table_type(&mut rd(&[0x70, 0x02, 0x00])).is_err());
    }
}
