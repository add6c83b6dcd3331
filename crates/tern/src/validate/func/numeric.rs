//! Numeric instructions (spec: Validation › Instructions › Numeric Instructions):
//! constants and every unary, binary, test, comparison and conversion operator, whose
//! signature [`NumericOp::signature`] gives. Knows nothing of the other families; the
//! byte-level path (`fast_path.rs`) checks their common forms first, from its own
//! table of the same signatures.

use super::stack::{FuncValidator, Tys};
use crate::error::Result;
use crate::syntax::{NumericOp, ValType};

impl FuncValidator<'_, '_> {
    /// `t.const c`.
    #[inline]
    pub(super) fn num_const(&mut self, t: ValType) {
        self.push_val(t);
    }

    /// Any other numeric instruction: pops its operands, pushes its result.
    #[inline]
    pub(super) fn numeric(&mut self, n: NumericOp) -> Result<()> {
        let (params, result) = n.signature();
        self.pop_vals(Tys::Slice(params))?;
        self.push_val(result);
        Ok(())
    }
}
