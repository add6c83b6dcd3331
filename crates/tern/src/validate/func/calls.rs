//! Calls (spec: Validation › Instructions › Control Instructions, the `call` and
//! `return_call` entries): `call`, `call_indirect`, `call_ref` and their tail-call
//! forms, whose results must match the caller's. Each function checks one instruction
//! against the operand stack of `stack.rs` and the function and table types of
//! `context.rs`; it knows nothing of the other families or of the byte-level path.

use super::stack::{FuncValidator, Tys};
use crate::error::Result;
use crate::syntax::{HeapType, RefType, ValType};

impl FuncValidator<'_, '_> {
    /// `call f`.
    #[inline]
    pub(super) fn call(&mut self, f: u32) -> Result<()> {
        let ft = self.call_type(f)?;
        self.pop_vals(Tys::Slice(&ft.params))?;
        self.push_vals(Tys::Slice(&ft.results));
        Ok(())
    }

    /// `return_call f`.
    #[inline]
    pub(super) fn return_call(&mut self, f: u32) -> Result<()> {
        let ft = self.call_type(f)?;
        self.pop_vals(Tys::Slice(&ft.params))?;
        self.check_tail_results(&ft.results)?;
        self.unreachable();
        Ok(())
    }

    /// `call_indirect table type_index`, or `return_call_indirect` if `tail`.
    #[inline]
    pub(super) fn call_indirect(&mut self, type_index: u32, table: u32, tail: bool) -> Result<()> {
        let ctx = self.ctx;
        let tt = self.table(table)?;
        if !ctx.types.ref_sub(tt.elem, RefType::FUNCREF) {
            return Err(self.err(format!(
                "type mismatch: call_indirect on a table of {}",
                tt.elem
            )));
        }
        let ft = self.func_type(type_index)?;
        self.pop_expect(tt.addr.valtype())?;
        self.pop_vals(Tys::Slice(&ft.params))?;
        if tail {
            self.check_tail_results(&ft.results)?;
            self.unreachable();
        } else {
            self.push_vals(Tys::Slice(&ft.results));
        }
        Ok(())
    }

    /// `call_ref x`, or `return_call_ref x` if `tail`.
    #[inline]
    pub(super) fn call_ref(&mut self, x: u32, tail: bool) -> Result<()> {
        let ft = self.func_type(x)?;
        self.pop_expect(ValType::Ref(RefType::new(true, HeapType::Concrete(x))))?;
        self.pop_vals(Tys::Slice(&ft.params))?;
        if tail {
            self.check_tail_results(&ft.results)?;
            self.unreachable();
        } else {
            self.push_vals(Tys::Slice(&ft.results));
        }
        Ok(())
    }

    /// Checks that a tail call's results match the caller's.
    fn check_tail_results(&self, results: &[ValType]) -> Result<()> {
        let ok = results.len() == self.results.len()
            && results
                .iter()
                .zip(self.results)
                .all(|(&a, &b)| self.ctx.types.val_sub(a, b));
        if ok {
            Ok(())
        } else {
            Err(self.err("type mismatch: tail call results do not match the function's"))
        }
    }
}
