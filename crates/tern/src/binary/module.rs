//! The section loop (spec: Binary Format › Modules): the preamble, section ids, order
//! and sizes, and the contents of every section, producing a [`Module`].
//!
//! Like the reference interpreter, one cursor runs over the whole binary and a
//! section's declared size is checked after its contents were read ("section size
//! mismatch"); constant expressions are decoded eagerly but may not run past their
//! section. Function bodies are not decoded: their locals are, and the instructions
//! are kept as a byte range that must end with `end`. The checks that need the whole
//! module (function and code counts, data count, "data count section required") run
//! after the last section.

use super::instr::OperatorReader;
use super::names;
use super::reader::{Reader, UNEXPECTED_END};
use super::types::{
    global_type, memory_type, rec_type, ref_type, table_type, tag_type, val_type, zero_byte,
};
use crate::error::{Error, Result};
use crate::syntax::{
    ConstExpr, CustomSection, Data, DataMode, Elem, ElemItems, ElemMode, Export, ExternKind,
    FuncBody, Global, HeapType, Import, ImportDesc, Module, Operator, RefType, Table,
};

const MAGIC: [u8; 4] = *b"\0asm";
const VERSION: [u8; 4] = [1, 0, 0, 0];

/// The position of a (non-custom) section id in the required section order.
fn section_rank(id: u8) -> Option<u8> {
    Some(match id {
        1 => 1,   // type
        2 => 2,   // import
        3 => 3,   // function
        4 => 4,   // table
        5 => 5,   // memory
        13 => 6,  // tag
        6 => 7,   // global
        7 => 8,   // export
        8 => 9,   // start
        9 => 10,  // element
        12 => 11, // data count
        10 => 12, // code
        11 => 13, // data
        _ => return None,
    })
}

/// Decodes a whole module binary.
pub(crate) fn decode(bytes: &[u8]) -> Result<Module> {
    let mut d = Decoder {
        r: Reader::new(bytes, 0, bytes.len()),
        section_end: 0,
    };
    d.preamble()?;
    let mut m = Module::default();
    let mut func_count: usize = 0;
    let mut last_rank = 0u8;
    let mut names_seen = false;
    while !d.r.is_empty() {
        let id_at = d.r.pos();
        let id = d.r.u8()?;
        if id != 0 {
            let rank =
                section_rank(id).ok_or_else(|| Error::malformed(id_at, "malformed section id"))?;
            if rank <= last_rank {
                return Err(Error::malformed(
                    id_at,
                    "unexpected content after last section",
                ));
            }
            last_rank = rank;
        }
        let size = d.r.len32()? as usize;
        let start = d.r.pos();
        // `len32` bounds `size` by the input length, so this cannot overflow.
        let end = start.saturating_add(size);
        d.section_end = end;
        match id {
            0 => {
                let name = d.r.name()?;
                if d.r.pos() > end {
                    return Err(Error::malformed(end, UNEXPECTED_END));
                }
                let data = d.r.pos()..end;
                d.r.skip_to(end)?;
                if name == "name" && !names_seen {
                    names_seen = true;
                    if let Some(n) = names::parse(bytes, data.clone()) {
                        m.names = n;
                    }
                }
                m.customs.push(CustomSection { name, data });
            }
            1 => d.type_section(&mut m)?,
            2 => d.import_section(&mut m)?,
            3 => {
                m.funcs = d.r.vec(|r| r.u32())?;
                func_count = m.funcs.len();
            }
            4 => m.tables = d.r_vec(Decoder::table)?,
            5 => m.memories = d.r.vec(memory_type)?,
            13 => m.tags = d.r.vec(tag_type)?,
            6 => m.globals = d.r_vec(Decoder::global)?,
            7 => m.exports = d.r.vec(export)?,
            8 => m.start = Some(d.r.u32()?),
            9 => m.elems = d.r_vec(Decoder::elem)?,
            12 => m.data_count = Some(d.r.u32()?),
            10 => m.code = d.r_vec(Decoder::code)?,
            11 => m.datas = d.r_vec(Decoder::data)?,
            // Every other id was rejected above.
            _ => return Err(Error::malformed(id_at, "malformed section id")),
        }
        if d.r.pos() != end {
            return Err(Error::malformed(start, "section size mismatch"));
        }
    }
    let len = bytes.len();
    if func_count != m.code.len() {
        return Err(Error::malformed(
            len,
            "function and code section have inconsistent lengths",
        ));
    }
    if let Some(n) = m.data_count {
        if n as usize != m.datas.len() {
            return Err(Error::malformed(
                len,
                "data count and data section have inconsistent lengths",
            ));
        }
    } else if let Some(at) = find_data_index_use(bytes, &m.code) {
        return Err(Error::malformed(at, "data count section required"));
    }
    Ok(m)
}

/// The offset of the first `memory.init` or `data.drop` in the function bodies, if any.
/// Bodies that do not decode are skipped: the validator reports their errors.
fn find_data_index_use(bytes: &[u8], code: &[FuncBody]) -> Option<usize> {
    for body in code {
        // Both instructions are the 0xFC prefix byte then sub-opcode 8 or 9 (an LEB128
        // number, whose first byte keeps those low bits even when padded): bodies
        // without that byte pair are skipped without decoding.
        let may_use = |b: &[u8]| {
            let pair = |w: &[u8]| w[0] == 0xFC && matches!(w[1] & 0x7f, 8 | 9);
            // A branch-free test per 16 bytes finds the few blocks holding an 0xFC
            // byte; only those (with the next byte) are looked at pair by pair.
            b.chunks(16).enumerate().any(|(i, c)| {
                c.iter().fold(false, |hit, &x| hit | (x == 0xFC))
                    && b[i * 16..b.len().min(i * 16 + 17)].windows(2).any(pair)
            })
        };
        if !bytes.get(body.code.clone()).is_some_and(may_use) {
            continue;
        }
        let mut ops = OperatorReader::new(bytes, body.code.clone());
        while !ops.is_empty() {
            let at = ops.offset();
            match ops.read() {
                Ok(Operator::MemoryInit { .. } | Operator::DataDrop(_)) => return Some(at),
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
    None
}

fn export(r: &mut Reader) -> Result<Export> {
    let name = r.name()?;
    let at = r.pos();
    let kind = match r.u8()? {
        0x00 => ExternKind::Func,
        0x01 => ExternKind::Table,
        0x02 => ExternKind::Memory,
        0x03 => ExternKind::Global,
        0x04 => ExternKind::Tag,
        _ => return Err(Error::malformed(at, "malformed export kind")),
    };
    let index = r.u32()?;
    Ok(Export { name, kind, index })
}

struct Decoder<'a> {
    r: Reader<'a>,
    /// End of the section being decoded (may lie past the input's end by the size of a
    /// section-size LEB; readers clamp it).
    section_end: usize,
}

impl<'a> Decoder<'a> {
    fn preamble(&mut self) -> Result<()> {
        let bytes = self.r.bytes();
        if bytes.len() < 4 {
            return Err(Error::malformed(bytes.len(), "unexpected end"));
        }
        if bytes.get(0..4) != Some(&MAGIC[..]) {
            return Err(Error::malformed(0, "magic header not detected"));
        }
        if bytes.len() < 8 {
            return Err(Error::malformed(bytes.len(), "unexpected end"));
        }
        if bytes.get(4..8) != Some(&VERSION[..]) {
            return Err(Error::malformed(4, "unknown binary version"));
        }
        self.r.skip_to(8)
    }

    /// Reads a vector whose items need the decoder (for constant expressions).
    fn r_vec<T>(&mut self, mut f: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let n = self.r.len32()?;
        let mut v = Vec::with_capacity(super::reader::bounded_capacity(n, self.r.remaining()));
        for _ in 0..n {
            v.push(f(self)?);
        }
        Ok(v)
    }

    fn type_section(&mut self, m: &mut Module) -> Result<()> {
        let n = self.r.len32()?;
        for _ in 0..n {
            let at = self.r.pos();
            let start = types_len(m, at)?;
            rec_type(&mut self.r, &mut m.types)?;
            let end = types_len(m, at)?;
            m.rec_groups.push(start..end);
        }
        Ok(())
    }

    fn import_section(&mut self, m: &mut Module) -> Result<()> {
        let n = self.r.len32()?;
        for _ in 0..n {
            let module = self.r.name()?;
            let name = self.r.name()?;
            let at = self.r.pos();
            let desc = match self.r.u8()? {
                0x00 => {
                    m.num_imported_funcs += 1;
                    ImportDesc::Func(self.r.u32()?)
                }
                0x01 => {
                    m.num_imported_tables += 1;
                    ImportDesc::Table(table_type(&mut self.r)?)
                }
                0x02 => {
                    m.num_imported_memories += 1;
                    ImportDesc::Memory(memory_type(&mut self.r)?)
                }
                0x03 => {
                    m.num_imported_globals += 1;
                    ImportDesc::Global(global_type(&mut self.r)?)
                }
                0x04 => {
                    m.num_imported_tags += 1;
                    ImportDesc::Tag(tag_type(&mut self.r)?)
                }
                _ => return Err(Error::malformed(at, "malformed import kind")),
            };
            m.imports.push(Import { module, name, desc });
        }
        Ok(())
    }

    /// A constant expression up to and including its `end`, which must lie within the
    /// current section.
    fn const_expr(&mut self) -> Result<ConstExpr> {
        let offset = self.r.pos();
        let mut ops = OperatorReader::new(self.r.bytes(), offset..self.section_end);
        let mut out = Vec::new();
        loop {
            let op = ops.read()?;
            if ops.is_finished() {
                break;
            }
            out.push(op);
        }
        self.r.skip_to(ops.offset())?;
        Ok(ConstExpr { ops: out, offset })
    }

    fn table(&mut self) -> Result<Table> {
        if self.r.peek() == Some(0x40) {
            self.r.u8()?;
            zero_byte(&mut self.r)?;
            let ty = table_type(&mut self.r)?;
            let init = self.const_expr()?;
            Ok(Table {
                ty,
                init: Some(init),
            })
        } else {
            Ok(Table {
                ty: table_type(&mut self.r)?,
                init: None,
            })
        }
    }

    fn global(&mut self) -> Result<Global> {
        let ty = global_type(&mut self.r)?;
        let init = self.const_expr()?;
        Ok(Global { ty, init })
    }

    fn elem_kind(&mut self) -> Result<RefType> {
        let at = self.r.pos();
        match self.r.u8()? {
            0x00 => Ok(RefType::FUNCREF),
            _ => Err(Error::malformed(at, "malformed element kind")),
        }
    }

    fn elem(&mut self) -> Result<Elem> {
        let at = self.r.pos();
        let flags = self.r.u32()?;
        if flags > 7 {
            return Err(Error::malformed(at, "malformed elements segment kind"));
        }
        let mode = match flags & 0b011 {
            0 => ElemMode::Active {
                table: 0,
                offset: self.const_expr()?,
            },
            2 => {
                let table = self.r.u32()?;
                ElemMode::Active {
                    table,
                    offset: self.const_expr()?,
                }
            }
            1 => ElemMode::Passive,
            _ => ElemMode::Declarative,
        };
        let uses_exprs = flags & 0b100 != 0;
        // Flags 0 and 4 have an implicit type; the others an element kind (legacy
        // function-index forms) or a reference type (expression forms).
        let ty = match flags {
            0 => RefType::new(false, HeapType::Func),
            4 => RefType::FUNCREF,
            _ if uses_exprs => ref_type(&mut self.r)?,
            _ => self.elem_kind()?,
        };
        let items = if uses_exprs {
            ElemItems::Exprs(self.r_vec(Decoder::const_expr)?)
        } else {
            ElemItems::Funcs(self.r.vec(|r| r.u32())?)
        };
        Ok(Elem { ty, items, mode })
    }

    fn data(&mut self) -> Result<Data> {
        let at = self.r.pos();
        let mode = match self.r.u32()? {
            0 => DataMode::Active {
                memory: 0,
                offset: self.const_expr()?,
            },
            1 => DataMode::Passive,
            2 => {
                let memory = self.r.u32()?;
                DataMode::Active {
                    memory,
                    offset: self.const_expr()?,
                }
            }
            _ => return Err(Error::malformed(at, "malformed data segment kind")),
        };
        let init = self.r.byte_vec()?.into();
        Ok(Data { init, mode })
    }

    fn code(&mut self) -> Result<FuncBody> {
        let size = self.r.len32()? as usize;
        let start = self.r.pos();
        let end = start.saturating_add(size);
        // Locals, run-length encoded; the total must fit in a u32.
        let locals_at = self.r.pos();
        let runs = self.r.len32()?;
        let mut locals =
            Vec::with_capacity(super::reader::bounded_capacity(runs, self.r.remaining()));
        let mut total: u64 = 0;
        for _ in 0..runs {
            let n = self.r.u32()?;
            let t = val_type(&mut self.r)?;
            total = total.saturating_add(u64::from(n));
            locals.push((n, t));
        }
        if total > u64::from(u32::MAX) {
            return Err(Error::malformed(locals_at, "too many locals"));
        }
        let code_start = self.r.pos();
        let bytes = self.r.bytes();
        let ends_with_end =
            end > code_start && end <= bytes.len() && bytes.get(end - 1) == Some(&0x0B);
        if !ends_with_end {
            return Err(body_error(bytes, start, code_start));
        }
        self.r.skip_to(end)?;
        Ok(FuncBody {
            locals,
            code: code_start..end,
        })
    }
}

/// The error for a body (at `start`, instructions from `code_start`) that does not end
/// with `end` within its declared size: what the reference interpreter, which decodes
/// on past the body, reports. Only reached for malformed input.
fn body_error(bytes: &[u8], start: usize, code_start: usize) -> Error {
    let mut ops = OperatorReader::new(bytes, code_start..bytes.len());
    loop {
        if let Err(e) = ops.read() {
            return e;
        }
        if ops.is_finished() {
            // The body's `end` lies beyond its declared size.
            return Error::malformed(start, "section size mismatch");
        }
    }
}

fn types_len(m: &Module, at: usize) -> Result<u32> {
    u32::try_from(m.types.len()).map_err(|_| Error::malformed(at, "too many types"))
}
