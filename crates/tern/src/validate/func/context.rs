//! Lookups in the validation context (spec: Validation › Conventions › Contexts): the
//! types of the tables, memories, functions, types and data segments an instruction
//! names, each with its error for an unknown index, and the checks of immediates shared
//! by several families (block types and memory immediates against the context, lane
//! indices against the vector's shape, the address type of a copy across two tables
//! or memories). It only reads the [`Ctx`](crate::validate::context::Ctx) and the offset errors
//! are reported at; it knows no stack and no instruction.

use super::stack::{FuncValidator, Tys, EMPTY};
use crate::error::{Error, Result};
use crate::syntax::{AddrType, BlockType, FuncType, MemArg, MemoryType, TableType, ValType};
use crate::validate::module::check_valtype;

impl<'m> FuncValidator<'_, 'm> {
    /// The start and end types of a block type (spec: Validation › Types › Block Types).
    #[inline]
    pub(super) fn block_type(&self, bt: BlockType) -> Result<(Tys<'m>, Tys<'m>)> {
        match bt {
            BlockType::Empty => Ok((EMPTY, EMPTY)),
            BlockType::Value(t) => {
                check_valtype(self.ctx, t, self.offset)?;
                Ok((EMPTY, Tys::One(t)))
            }
            BlockType::Func(x) => {
                let ft = self
                    .ctx
                    .types
                    .func(x)
                    .ok_or_else(|| self.err(format!("unknown type {x}")))?;
                Ok((Tys::Slice(&ft.params), Tys::Slice(&ft.results)))
            }
        }
    }

    /// The type of table `x`.
    #[inline]
    pub(super) fn table(&self, x: u32) -> Result<TableType> {
        self.ctx
            .tables
            .get(x as usize)
            .copied()
            .ok_or_else(|| self.err(format!("unknown table {x}")))
    }

    /// The type of memory `x`.
    #[inline]
    pub(super) fn memory(&self, x: u32) -> Result<MemoryType> {
        self.ctx
            .memories
            .get(x as usize)
            .copied()
            .ok_or_else(|| self.err(format!("unknown memory {x}")))
    }

    /// The function type with type index `type_index`.
    #[inline]
    pub(super) fn func_type(&self, type_index: u32) -> Result<&'m FuncType> {
        self.ctx
            .types
            .func(type_index)
            .ok_or_else(|| self.err(format!("unknown type {type_index}")))
    }

    /// The type of function `f`.
    #[inline]
    pub(super) fn call_type(&self, f: u32) -> Result<&'m FuncType> {
        let ctx = self.ctx;
        ctx.funcs
            .get(f as usize)
            .and_then(|&t| ctx.types.func(t))
            .ok_or_else(|| self.err(format!("unknown function {f}")))
    }

    /// Checks a memory immediate for an access of `bytes` bytes; gives the memory's
    /// address type.
    #[inline]
    pub(super) fn memarg(&self, m: &MemArg, bytes: u32) -> Result<AddrType> {
        let mt = self.memory(m.memory)?;
        if m.align > bytes.trailing_zeros() {
            return Err(self.err("alignment must not be larger than natural"));
        }
        if mt.addr == AddrType::I32 && m.offset > u64::from(u32::MAX) {
            return Err(self.err("offset out of range"));
        }
        Ok(mt.addr)
    }

    /// Checks that data segment `x` exists and that the module has a data count
    /// section, which instructions naming a data segment need.
    #[inline]
    pub(super) fn check_data(&self, x: u32) -> Result<()> {
        if self.ctx.module.data_count.is_none() {
            return Err(Error::malformed(self.offset, "data count section required"));
        }
        if x >= self.ctx.num_datas {
            return Err(self.err(format!("unknown data segment {x}")));
        }
        Ok(())
    }

    /// Checks the lane index of a lane instruction whose vector has `lanes` lanes.
    #[inline]
    pub(super) fn check_lane(&self, lane: u8, lanes: u8) -> Result<()> {
        if lane >= lanes {
            return Err(self.err("invalid lane index"));
        }
        Ok(())
    }
}

/// The type of a length operand spanning two address spaces: i64 only if both are.
#[inline]
pub(super) fn min_addr(a: AddrType, b: AddrType) -> ValType {
    if a == AddrType::I64 && b == AddrType::I64 {
        ValType::I64
    } else {
        ValType::I32
    }
}
