//! Types (spec: Structure › Types): number, vector and reference types, heap types,
//! composite and sub types with recursion groups, limits, and the types of memories,
//! tables, globals and tags.
//!
//! Types are modelled as Wasm 3.0 has them (nullable references over heap types,
//! concrete type indices, recursion groups), so that GC and typed function references
//! fit without a rewrite even where tern does not execute them yet.

use std::fmt;

/// A value type (`valtype`).
// The hand-written `PartialEq` below is the derived structural equality, only faster,
// so the derived `Hash` agrees with it.
#[allow(clippy::derived_hash_with_manual_eq)]
#[derive(Clone, Copy, Debug, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

impl ValType {
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);

    /// Whether this is a number type (`i32`, `i64`, `f32`, `f64`).
    pub fn is_num(self) -> bool {
        matches!(
            self,
            ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
        )
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// Whether a value of this type has a default (zero or null) value, i.e. may be
    /// used for a local that is not explicitly initialized.
    pub fn is_defaultable(self) -> bool {
        match self {
            ValType::Ref(r) => r.nullable,
            _ => true,
        }
    }
}

/// Structural equality, as derived, with the number types compared by their tag alone
/// and inlined: the validator compares operand types for nearly every instruction.
impl PartialEq for ValType {
    #[inline(always)]
    fn eq(&self, other: &ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a == b,
            (ValType::Ref(_), _) | (_, ValType::Ref(_)) => false,
            _ => std::mem::discriminant(self) == std::mem::discriminant(other),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValType::I32 => f.write_str("i32"),
            ValType::I64 => f.write_str("i64"),
            ValType::F32 => f.write_str("f32"),
            ValType::F64 => f.write_str("f64"),
            ValType::V128 => f.write_str("v128"),
            ValType::Ref(r) => write!(f, "{r}"),
        }
    }
}

/// A reference type (`reftype`): a heap type and whether null is allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    pub const FUNCREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Func,
    };
    pub const EXTERNREF: RefType = RefType {
        nullable: true,
        heap: HeapType::Extern,
    };

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Any) => f.write_str("anyref"),
            (true, HeapType::Eq) => f.write_str("eqref"),
            (true, HeapType::I31) => f.write_str("i31ref"),
            (true, HeapType::Struct) => f.write_str("structref"),
            (true, HeapType::Array) => f.write_str("arrayref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, HeapType::None) => f.write_str("nullref"),
            (true, HeapType::NoFunc) => f.write_str("nullfuncref"),
            (true, HeapType::NoExtern) => f.write_str("nullexternref"),
            (true, HeapType::NoExn) => f.write_str("nullexnref"),
            (true, h) => write!(f, "(ref null {h})"),
            (false, h) => write!(f, "(ref {h})"),
        }
    }
}

/// A heap type (`heaptype`): an abstract heap type or a concrete type index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    Func,
    NoFunc,
    Extern,
    NoExtern,
    Any,
    Eq,
    I31,
    Struct,
    Array,
    None,
    Exn,
    NoExn,
    /// A type index into the module's type section.
    Concrete(u32),
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            HeapType::Func => "func",
            HeapType::NoFunc => "nofunc",
            HeapType::Extern => "extern",
            HeapType::NoExtern => "noextern",
            HeapType::Any => "any",
            HeapType::Eq => "eq",
            HeapType::I31 => "i31",
            HeapType::Struct => "struct",
            HeapType::Array => "array",
            HeapType::None => "none",
            HeapType::Exn => "exn",
            HeapType::NoExn => "noexn",
            HeapType::Concrete(i) => return write!(f, "{i}"),
        };
        f.write_str(s)
    }
}

/// A function type (`functype`): parameter and result types.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct FuncType {
    pub params: Box<[ValType]>,
    pub results: Box<[ValType]>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        if !self.params.is_empty() {
            f.write_str(" (param")?;
            for p in self.params.iter() {
                write!(f, " {p}")?;
            }
            f.write_str(")")?;
        }
        if !self.results.is_empty() {
            f.write_str(" (result")?;
            for r in self.results.iter() {
                write!(f, " {r}")?;
            }
            f.write_str(")")?;
        }
        f.write_str(")")
    }
}

/// A storage type of a struct field or array element (`storagetype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StorageType {
    Val(ValType),
    I8,
    I16,
}

/// A field type (`fieldtype`): storage type and mutability.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// A composite type (`comptype`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CompositeType {
    Func(FuncType),
    Struct(Box<[FieldType]>),
    Array(FieldType),
}

/// A sub type (`subtype`): a composite type with its declared supertypes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    /// Type indices of the declared supertypes (at most one in Wasm 3.0).
    pub supertypes: Box<[u32]>,
    pub composite: CompositeType,
}

impl SubType {
    /// The function type, if this is a function type.
    pub fn as_func(&self) -> Option<&FuncType> {
        match &self.composite {
            CompositeType::Func(f) => Some(f),
            _ => None,
        }
    }
}

/// An address type (`addrtype`): the index type of a memory or table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AddrType {
    #[default]
    I32,
    I64,
}

impl AddrType {
    pub fn valtype(self) -> ValType {
        match self {
            AddrType::I32 => ValType::I32,
            AddrType::I64 => ValType::I64,
        }
    }
}

/// Limits (`limits`): a minimum and an optional maximum size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

impl fmt::Display for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "{} {}", self.min, max),
            None => write!(f, "{}", self.min),
        }
    }
}

/// A memory type (`memtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct MemoryType {
    pub addr: AddrType,
    /// In pages (of `1 << page_size_log2` bytes; 64 KiB by default).
    pub limits: Limits,
    pub shared: bool,
    /// The custom-page-sizes proposal; `None` means 64 KiB pages.
    pub page_size_log2: Option<u32>,
}

impl MemoryType {
    /// log2 of the page size in bytes.
    pub fn page_size_log2(&self) -> u32 {
        self.page_size_log2.unwrap_or(16)
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.addr == AddrType::I64 {
            f.write_str("i64 ")?;
        }
        write!(f, "{}", self.limits)?;
        if self.shared {
            f.write_str(" shared")?;
        }
        Ok(())
    }
}

/// A table type (`tabletype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    pub addr: AddrType,
    pub limits: Limits,
    pub elem: RefType,
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.addr == AddrType::I64 {
            f.write_str("i64 ")?;
        }
        write!(f, "{} {}", self.limits, self.elem)
    }
}

/// A global type (`globaltype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mutable {
            write!(f, "(mut {})", self.content)
        } else {
            write!(f, "{}", self.content)
        }
    }
}

/// A tag type (`tagtype`): the index of a function type whose params are the
/// exception's payload.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    pub type_index: u32,
}

/// The kind of an import or export (`externtype` without its payload).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl fmt::Display for ExternKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ExternKind::Func => "func",
            ExternKind::Table => "table",
            ExternKind::Memory => "memory",
            ExternKind::Global => "global",
            ExternKind::Tag => "tag",
        })
    }
}

/// The block type of `block`, `loop`, `if` and `try_table` (`blocktype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Empty,
    Value(ValType),
    /// A type index of a function type.
    Func(u32),
}
