//! Modules (spec: Structure › Modules): the sections of a module as plain data.
//!
//! Function bodies are kept as byte ranges of the original binary and decoded on demand
//! (by the validator, and again by the compiler when a function is first called), so a
//! module's in-memory form stays proportional to what was read.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::instr::Operator;
use super::types::{
    ExternKind, FuncType, GlobalType, MemoryType, RefType, SubType, TableType, TagType, ValType,
};

/// A decoded module. Index spaces (functions, tables, memories, globals, tags) start
/// with the imports of that kind, in import order, followed by the definitions.
#[derive(Clone, Debug, Default)]
pub struct Module {
    /// Every defined type, recursion groups flattened, in type-index order.
    pub types: Vec<SubType>,
    /// The recursion groups as ranges of `types` (a type outside `rec` is a group of one).
    pub rec_groups: Vec<Range<u32>>,
    pub imports: Vec<Import>,
    /// Type index of each function defined in the module (function section).
    pub funcs: Vec<u32>,
    pub tables: Vec<Table>,
    pub memories: Vec<MemoryType>,
    pub globals: Vec<Global>,
    pub tags: Vec<TagType>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elems: Vec<Elem>,
    pub datas: Vec<Data>,
    /// The data count section, if present.
    pub data_count: Option<u32>,
    /// One body per defined function, in the order of `funcs`.
    pub code: Vec<FuncBody>,
    pub customs: Vec<CustomSection>,
    /// What the `name` custom section says (empty when absent or malformed: a bad name
    /// section is ignored, as the spec allows).
    pub names: Names,
    /// Counts of imports per kind, so that index-space arithmetic needs no rescans.
    pub num_imported_funcs: u32,
    pub num_imported_tables: u32,
    pub num_imported_memories: u32,
    pub num_imported_globals: u32,
    pub num_imported_tags: u32,
}

impl Module {
    /// The function type at `type_index`, if it is one.
    pub fn func_type(&self, type_index: u32) -> Option<&FuncType> {
        self.types.get(type_index as usize)?.as_func()
    }

    /// Type index of function `func_index` (imports first).
    pub fn func_type_index(&self, func_index: u32) -> Option<u32> {
        if func_index < self.num_imported_funcs {
            self.imports
                .iter()
                .filter_map(|i| match i.desc {
                    ImportDesc::Func(t) => Some(t),
                    _ => None,
                })
                .nth(func_index as usize)
        } else {
            self.funcs
                .get((func_index - self.num_imported_funcs) as usize)
                .copied()
        }
    }

    /// Total number of functions (imported and defined).
    pub fn num_funcs(&self) -> u32 {
        self.num_imported_funcs + self.funcs.len() as u32
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub desc: ImportDesc,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportDesc {
    /// A type index.
    Func(u32),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    Tag(TagType),
}

impl ImportDesc {
    pub fn kind(&self) -> ExternKind {
        match self {
            ImportDesc::Func(_) => ExternKind::Func,
            ImportDesc::Table(_) => ExternKind::Table,
            ImportDesc::Memory(_) => ExternKind::Memory,
            ImportDesc::Global(_) => ExternKind::Global,
            ImportDesc::Tag(_) => ExternKind::Tag,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    pub name: String,
    pub kind: ExternKind,
    pub index: u32,
}

/// A constant expression (`expr` in a constant context), without its final `end`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ConstExpr {
    pub ops: Vec<Operator>,
    /// Byte offset of the expression's first instruction in the binary.
    pub offset: usize,
}

/// A table definition; `init` is the Wasm 3.0 table initializer expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub ty: TableType,
    pub init: Option<ConstExpr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    pub ty: GlobalType,
    pub init: ConstExpr,
}

/// An element segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Elem {
    pub ty: RefType,
    pub items: ElemItems,
    pub mode: ElemMode,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElemItems {
    /// The legacy encoding: a vector of function indices.
    Funcs(Vec<u32>),
    /// A vector of constant expressions.
    Exprs(Vec<ConstExpr>),
}

impl ElemItems {
    pub fn len(&self) -> usize {
        match self {
            ElemItems::Funcs(f) => f.len(),
            ElemItems::Exprs(e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declarative,
}

/// A data segment.
#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    /// The bytes; shared (not copied) with every instance of the module.
    pub init: std::sync::Arc<[u8]>,
    pub mode: DataMode,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

/// A function body from the code section.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncBody {
    /// Declared locals, run-length encoded as in the binary: (count, type).
    /// The decoder has checked that the total fits in `u32`.
    pub locals: Vec<(u32, ValType)>,
    /// The byte range of the instructions (after the locals, up to and including the
    /// final `end`) in the module's binary.
    pub code: Range<usize>,
}

impl FuncBody {
    /// Total number of declared locals (not counting parameters).
    pub fn num_locals(&self) -> u64 {
        self.locals.iter().map(|&(n, _)| n as u64).sum()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct CustomSection {
    pub name: String,
    /// The byte range of the section's contents (after the name) in the binary.
    pub data: Range<usize>,
}

/// The contents of the `name` custom section that tern uses.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Names {
    pub module: Option<String>,
    /// Function index to name.
    pub funcs: FuncNames,
}

/// Makes the names of a function names subsection from its contents.
type MakeNames = fn(&[u8]) -> BTreeMap<u32, String>;

/// Function index to name. The decoder checks the function names subsection when it
/// reads the module but makes the names only when first asked for one (they are needed
/// for backtraces and tools, rarely at all).
#[derive(Clone, Default)]
pub struct FuncNames {
    /// The subsection's contents and the function that makes the map of them.
    raw: Option<(Box<[u8]>, MakeNames)>,
    map: OnceLock<BTreeMap<u32, String>>,
}

impl FuncNames {
    /// Names that `make` will make from `raw` on first use.
    pub(crate) fn lazy(raw: Box<[u8]>, make: MakeNames) -> FuncNames {
        FuncNames {
            raw: Some((raw, make)),
            map: OnceLock::new(),
        }
    }

    /// The name of function `index`, if it has one.
    pub fn get(&self, index: &u32) -> Option<&String> {
        self.map().get(index)
    }

    /// Every name, by function index.
    pub fn map(&self) -> &BTreeMap<u32, String> {
        self.map.get_or_init(|| match &self.raw {
            Some((raw, make)) => make(raw),
            None => BTreeMap::new(),
        })
    }
}

impl From<BTreeMap<u32, String>> for FuncNames {
    fn from(map: BTreeMap<u32, String>) -> FuncNames {
        FuncNames {
            raw: None,
            map: OnceLock::from(map),
        }
    }
}

impl PartialEq for FuncNames {
    fn eq(&self, other: &FuncNames) -> bool {
        self.map() == other.map()
    }
}

impl std::fmt::Debug for FuncNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.map().fmt(f)
    }
}
