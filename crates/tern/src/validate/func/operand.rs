//! The operand types of the checker's value stack (spec: Appendix › Validation
//! Algorithm, `val_type` with `Bot`): a value type, the bottom type of a polymorphic
//! stack, or a non-null reference to the bottom heap type, packed into 64 bits so that
//! comparing two is one compare. It owns the packing, the unpacking and how an operand
//! type is written in error messages; it knows nothing of the stacks, the context or
//! any instruction. Only the byte-level path (`fast_path.rs`) and the tests build an
//! [`Opd`] from its raw bits.

use std::fmt;

use crate::syntax::{HeapType, RefType, ValType};

/// The type of an operand on the validator's stack, packed into 64 bits so that two
/// operand types are equal exactly when their packings are (one compare): bits 0-7 a
/// tag (the number types 0-3 in the order of [`NUM_OPDS`], then `v128`, reference,
/// bottom, bottom reference); for a reference, bit 8 whether it is nullable, bits
/// 16-23 the heap type's kind and bits 32-63 a concrete type index. [`Opd::view`]
/// unpacks it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Opd(pub(super) u64);

/// An [`Opd`] unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OpdView {
    /// The bottom type of the polymorphic stack: matches every value type.
    Bot,
    /// A non-null reference to the bottom heap type (what `ref.as_non_null` makes
    /// of a bottom operand): matches every reference type.
    BotRef,
    Val(ValType),
}

const TAG_V128: u64 = 4;
const TAG_REF: u64 = 5;
const TAG_BOT: u64 = 6;
const TAG_BOT_REF: u64 = 7;

/// The abstract heap types by their kind in an [`Opd`]; kind 12 is a concrete type.
pub(super) const HEAP_KINDS: [HeapType; 12] = [
    HeapType::Func,
    HeapType::NoFunc,
    HeapType::Extern,
    HeapType::NoExtern,
    HeapType::Any,
    HeapType::Eq,
    HeapType::I31,
    HeapType::Struct,
    HeapType::Array,
    HeapType::None,
    HeapType::Exn,
    HeapType::NoExn,
];

impl Opd {
    pub(super) const BOT: Opd = Opd(TAG_BOT);
    pub(super) const BOT_REF: Opd = Opd(TAG_BOT_REF);
    pub(super) const I32: Opd = Opd::val(ValType::I32);
    pub(super) const V128: Opd = Opd::val(ValType::V128);

    #[inline(always)]
    pub(super) const fn val(t: ValType) -> Opd {
        Opd(match t {
            ValType::I32 => 0,
            ValType::I64 => 1,
            ValType::F32 => 2,
            ValType::F64 => 3,
            ValType::V128 => TAG_V128,
            ValType::Ref(r) => {
                let (kind, index) = match r.heap {
                    HeapType::Func => (0, 0),
                    HeapType::NoFunc => (1, 0),
                    HeapType::Extern => (2, 0),
                    HeapType::NoExtern => (3, 0),
                    HeapType::Any => (4, 0),
                    HeapType::Eq => (5, 0),
                    HeapType::I31 => (6, 0),
                    HeapType::Struct => (7, 0),
                    HeapType::Array => (8, 0),
                    HeapType::None => (9, 0),
                    HeapType::Exn => (10, 0),
                    HeapType::NoExn => (11, 0),
                    HeapType::Concrete(i) => (12, i as u64),
                };
                TAG_REF | (r.nullable as u64) << 8 | kind << 16 | index << 32
            }
        })
    }

    #[inline]
    pub(super) fn view(self) -> OpdView {
        match self.0 & 0xFF {
            0 => OpdView::Val(ValType::I32),
            1 => OpdView::Val(ValType::I64),
            2 => OpdView::Val(ValType::F32),
            3 => OpdView::Val(ValType::F64),
            TAG_V128 => OpdView::Val(ValType::V128),
            TAG_REF => {
                let kind = (self.0 >> 16) & 0xFF;
                let heap = HEAP_KINDS
                    .get(kind as usize)
                    .copied()
                    .unwrap_or(HeapType::Concrete((self.0 >> 32) as u32));
                OpdView::Val(ValType::Ref(RefType::new(self.0 & 0x100 != 0, heap)))
            }
            TAG_BOT_REF => OpdView::BotRef,
            _ => OpdView::Bot,
        }
    }

    /// The value type, unless this is a bottom type.
    #[inline]
    pub(super) fn val_type(self) -> Option<ValType> {
        match self.view() {
            OpdView::Val(t) => Some(t),
            OpdView::Bot | OpdView::BotRef => None,
        }
    }

    /// Whether this is a number type.
    #[inline(always)]
    pub(super) fn is_num(self) -> bool {
        self.0 < 4
    }
}

impl fmt::Display for Opd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.view() {
            OpdView::Bot => f.write_str("bot"),
            OpdView::BotRef => f.write_str("(ref bot)"),
            OpdView::Val(v) => write!(f, "{v}"),
        }
    }
}
