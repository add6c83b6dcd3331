//! Vector instructions (spec: Validation › Instructions › Vector Instructions):
//! `v128.const`, `i8x16.shuffle`, `extract_lane`, `replace_lane` and every other
//! vector operator, whose signature [`SimdOp::signature`] gives. Vector loads and
//! stores are memory instructions (`memory.rs`), as in the spec; lane indices are
//! checked by `context.rs`. Knows nothing of the other families or of the byte-level
//! path.

use super::stack::{FuncValidator, Tys};
use crate::error::Result;
use crate::syntax::{LaneOp, SimdOp, ValType};

impl FuncValidator<'_, '_> {
    /// `v128.const c`.
    #[inline]
    pub(super) fn v128_const(&mut self) {
        self.push_val(ValType::V128);
    }

    /// `i8x16.shuffle lanes`.
    #[inline]
    pub(super) fn i8x16_shuffle(&mut self, lanes: [u8; 16]) -> Result<()> {
        if lanes.iter().any(|&l| l >= 32) {
            return Err(self.err("invalid lane index"));
        }
        self.pop_expect(ValType::V128)?;
        self.pop_expect(ValType::V128)?;
        self.push_val(ValType::V128);
        Ok(())
    }

    /// `shape.extract_lane lane`.
    #[inline]
    pub(super) fn extract_lane(&mut self, shape: LaneOp, lane: u8) -> Result<()> {
        self.check_lane(lane, shape.lanes())?;
        self.pop_expect(ValType::V128)?;
        self.push_val(shape.scalar());
        Ok(())
    }

    /// `shape.replace_lane lane`.
    #[inline]
    pub(super) fn replace_lane(&mut self, shape: LaneOp, lane: u8) -> Result<()> {
        self.check_lane(lane, shape.lanes())?;
        self.pop_expect(shape.scalar())?;
        self.pop_expect(ValType::V128)?;
        self.push_val(ValType::V128);
        Ok(())
    }

    /// Any other vector instruction: pops its operands, pushes its result.
    #[inline]
    pub(super) fn simd(&mut self, op: SimdOp) -> Result<()> {
        let (params, result) = op.signature();
        self.pop_vals(Tys::Slice(params))?;
        self.push_val(result);
        Ok(())
    }
}
