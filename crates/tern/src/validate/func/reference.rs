//! Reference instructions (spec: Validation › Instructions › Reference Instructions):
//! `ref.null`, `ref.is_null`, `ref.func` (of a declared function only), `ref.eq`,
//! `ref.as_non_null`. Heap types are checked by `validate/module.rs`; knows nothing of
//! the other families or of the byte-level path.

use super::stack::FuncValidator;
use crate::error::Result;
use crate::syntax::{HeapType, RefType, ValType};
use crate::validate::module::check_heaptype;

impl FuncValidator<'_, '_> {
    /// `ref.null h`.
    #[inline]
    pub(super) fn ref_null(&mut self, h: HeapType) -> Result<()> {
        let ctx = self.ctx;
        check_heaptype(ctx, h, self.offset)?;
        self.push_val(ValType::Ref(RefType::new(true, h)));
        Ok(())
    }

    /// `ref.is_null`.
    #[inline]
    pub(super) fn ref_is_null(&mut self) -> Result<()> {
        self.pop_ref()?;
        self.push_val(ValType::I32);
        Ok(())
    }

    /// `ref.func f`.
    #[inline]
    pub(super) fn ref_func(&mut self, f: u32) -> Result<()> {
        let ctx = self.ctx;
        let t = *ctx
            .funcs
            .get(f as usize)
            .ok_or_else(|| self.err(format!("unknown function {f}")))?;
        if !ctx.declared.get(f as usize).copied().unwrap_or(false) {
            return Err(self.err(format!("undeclared function reference {f}")));
        }
        self.push_val(ValType::Ref(RefType::new(false, HeapType::Concrete(t))));
        Ok(())
    }

    /// `ref.eq`.
    #[inline]
    pub(super) fn ref_eq(&mut self) -> Result<()> {
        let eqref = ValType::Ref(RefType::new(true, HeapType::Eq));
        self.pop_expect(eqref)?;
        self.pop_expect(eqref)?;
        self.push_val(ValType::I32);
        Ok(())
    }

    /// `ref.as_non_null`.
    #[inline]
    pub(super) fn ref_as_non_null(&mut self) -> Result<()> {
        let r = self.pop_ref()?;
        self.push_non_null(r);
        Ok(())
    }
}
