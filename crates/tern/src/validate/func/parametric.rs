//! Parametric instructions (spec: Validation › Instructions › Parametric
//! Instructions): `drop`, `select` and typed `select`. `drop` and an untyped `select`
//! note where they act on a `v128` (`stack.rs` keeps the list), since the compiler's
//! operand stack carries no types. Knows nothing of the other families or of the
//! byte-level path.

use super::operand::{Opd, OpdView};
use super::stack::FuncValidator;
use crate::error::Result;
use crate::syntax::ValType;
use crate::validate::module::check_valtype;

impl FuncValidator<'_, '_> {
    /// `drop`.
    #[inline]
    pub(super) fn drop_(&mut self) -> Result<()> {
        if self.pop_val()? == Opd::V128 {
            self.note_v128_operand()?;
        }
        Ok(())
    }

    /// `select` without a type: of two numeric or vector operands of one type.
    #[inline]
    pub(super) fn select(&mut self) -> Result<()> {
        self.pop_expect(ValType::I32)?;
        let t1 = self.pop_val()?;
        let t2 = self.pop_val()?;
        let numeric = |t: Opd| match t.view() {
            OpdView::Bot => true,
            OpdView::BotRef => false,
            OpdView::Val(v) => v.is_num() || v == ValType::V128,
        };
        if !numeric(t1) || !numeric(t2) {
            return Err(
                self.err("type mismatch: select without a type needs numeric or vector operands")
            );
        }
        if t1 != t2 && t1 != Opd::BOT && t2 != Opd::BOT {
            return Err(self.err(format!("type mismatch: select of {t2} and {t1}")));
        }
        let t = if t1 == Opd::BOT { t2 } else { t1 };
        if t == Opd::V128 {
            self.note_v128_operand()?;
        }
        self.vals.push(t);
        Ok(())
    }

    /// `select t`.
    #[inline]
    pub(super) fn typed_select(&mut self, t: ValType) -> Result<()> {
        let ctx = self.ctx;
        check_valtype(ctx, t, self.offset)?;
        self.pop_expect(ValType::I32)?;
        self.pop_expect(t)?;
        self.pop_expect(t)?;
        self.push_val(t);
        Ok(())
    }
}
