//! Table instructions (spec: Validation › Instructions › Table Instructions):
//! `table.get`, `table.set`, `table.size`, `table.grow`, `table.fill`, `table.copy`,
//! `table.init`, `elem.drop`. Tables and element segments come from the context
//! (`context.rs`, the module's element types from `validate/module.rs`); knows nothing
//! of the other families or of the byte-level path.

use super::context::min_addr;
use super::stack::FuncValidator;
use crate::error::Result;
use crate::syntax::ValType;
use crate::validate::module::elem_type;

impl FuncValidator<'_, '_> {
    /// `table.get x`.
    #[inline]
    pub(super) fn table_get(&mut self, x: u32) -> Result<()> {
        let tt = self.table(x)?;
        self.pop_expect(tt.addr.valtype())?;
        self.push_val(ValType::Ref(tt.elem));
        Ok(())
    }

    /// `table.set x`.
    #[inline]
    pub(super) fn table_set(&mut self, x: u32) -> Result<()> {
        let tt = self.table(x)?;
        self.pop_expect(ValType::Ref(tt.elem))?;
        self.pop_expect(tt.addr.valtype())?;
        Ok(())
    }

    /// `table.size x`.
    #[inline]
    pub(super) fn table_size(&mut self, x: u32) -> Result<()> {
        let tt = self.table(x)?;
        self.push_val(tt.addr.valtype());
        Ok(())
    }

    /// `table.grow x`.
    #[inline]
    pub(super) fn table_grow(&mut self, x: u32) -> Result<()> {
        let tt = self.table(x)?;
        self.pop_expect(tt.addr.valtype())?;
        self.pop_expect(ValType::Ref(tt.elem))?;
        self.push_val(tt.addr.valtype());
        Ok(())
    }

    /// `table.fill x`.
    #[inline]
    pub(super) fn table_fill(&mut self, x: u32) -> Result<()> {
        let tt = self.table(x)?;
        self.pop_expect(tt.addr.valtype())?;
        self.pop_expect(ValType::Ref(tt.elem))?;
        self.pop_expect(tt.addr.valtype())?;
        Ok(())
    }

    /// `table.copy dst src`.
    #[inline]
    pub(super) fn table_copy(&mut self, dst: u32, src: u32) -> Result<()> {
        let ctx = self.ctx;
        let dt = self.table(dst)?;
        let st = self.table(src)?;
        if !ctx.types.ref_sub(st.elem, dt.elem) {
            return Err(self.err(format!(
                "type mismatch: table.copy from {} to {}",
                st.elem, dt.elem
            )));
        }
        self.pop_expect(min_addr(dt.addr, st.addr))?;
        self.pop_expect(st.addr.valtype())?;
        self.pop_expect(dt.addr.valtype())?;
        Ok(())
    }

    /// `table.init table elem`.
    #[inline]
    pub(super) fn table_init(&mut self, elem: u32, table: u32) -> Result<()> {
        let ctx = self.ctx;
        let tt = self.table(table)?;
        let seg = ctx
            .module
            .elems
            .get(elem as usize)
            .ok_or_else(|| self.err(format!("unknown elem segment {elem}")))?;
        let seg_ty = elem_type(seg);
        if !ctx.types.ref_sub(seg_ty, tt.elem) {
            return Err(self.err(format!(
                "type mismatch: table.init of {} into a table of {}",
                seg_ty, tt.elem
            )));
        }
        self.pop_expect(ValType::I32)?;
        self.pop_expect(ValType::I32)?;
        self.pop_expect(tt.addr.valtype())?;
        Ok(())
    }

    /// `elem.drop x`.
    #[inline]
    pub(super) fn elem_drop(&mut self, x: u32) -> Result<()> {
        let ctx = self.ctx;
        if x >= ctx.num_elems {
            return Err(self.err(format!("unknown elem segment {x}")));
        }
        Ok(())
    }
}
