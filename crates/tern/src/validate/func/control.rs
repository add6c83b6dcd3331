//! Control instructions (spec: Validation › Instructions › Control Instructions),
//! without the calls (`calls.rs`): blocks, loops, `if`/`else`, `end`, branches
//! (`br`, `br_if`, `br_table`, `br_on_null`, `br_on_non_null`) and `return`. Each
//! function checks one instruction against the control and operand stacks of
//! `stack.rs`; it knows nothing of the other families or of the byte-level path.

use super::operand::Opd;
use super::stack::{FuncValidator, Kind, Tys};
use crate::error::Result;
use crate::syntax::{BlockType, ValType};

impl FuncValidator<'_, '_> {
    /// `block bt`: opens a block.
    #[inline]
    pub(super) fn block(&mut self, bt: BlockType) -> Result<()> {
        let (start, end) = self.block_type(bt)?;
        self.pop_vals(start)?;
        self.push_ctrl(Kind::Block, start, end);
        Ok(())
    }

    /// `loop bt`: opens a loop, whose label takes its parameters.
    #[inline]
    pub(super) fn loop_(&mut self, bt: BlockType) -> Result<()> {
        let (start, end) = self.block_type(bt)?;
        self.pop_vals(start)?;
        self.push_ctrl(Kind::Loop, start, end);
        Ok(())
    }

    /// `if bt`: takes the condition and opens the `then` branch.
    #[inline]
    pub(super) fn if_(&mut self, bt: BlockType) -> Result<()> {
        let (start, end) = self.block_type(bt)?;
        self.pop_expect(ValType::I32)?;
        self.pop_vals(start)?;
        self.push_ctrl(Kind::If, start, end);
        Ok(())
    }

    /// `else`: closes the `then` branch of an `if` and opens its `else` branch.
    #[inline]
    pub(super) fn else_(&mut self) -> Result<()> {
        if self.ctrls.last().map(|f| f.kind) != Some(Kind::If) {
            return Err(self.err("else without matching if"));
        }
        let frame = self.pop_ctrl()?;
        self.push_ctrl(Kind::Else, frame.start, frame.end);
        Ok(())
    }

    /// `end`: closes the innermost block (an `if` without `else` gets an empty one).
    #[inline]
    pub(super) fn end(&mut self) -> Result<()> {
        let frame = self.pop_ctrl()?;
        if frame.kind == Kind::If {
            // An `if` without `else` has an empty else branch: [t1*] -> [t2*].
            self.push_ctrl(Kind::Else, frame.start, frame.end);
            self.pop_ctrl()?;
        }
        if !self.ctrls.is_empty() {
            self.push_vals(frame.end);
        }
        Ok(())
    }

    /// `br l`.
    #[inline]
    pub(super) fn br(&mut self, l: u32) -> Result<()> {
        let ts = self.label_types(l)?;
        self.pop_vals(ts)?;
        self.unreachable();
        Ok(())
    }

    /// `br_if l`.
    #[inline]
    pub(super) fn br_if(&mut self, l: u32) -> Result<()> {
        let ts = self.label_types(l)?;
        self.pop_expect(ValType::I32)?;
        self.pop_vals(ts)?;
        self.push_vals(ts);
        Ok(())
    }

    /// `br_table targets default`: each distinct label type is checked once.
    #[inline]
    pub(super) fn br_table(&mut self, targets: &[u32], default: u32) -> Result<()> {
        self.pop_expect(ValType::I32)?;
        let dts = self.label_types(default)?;
        let arity = dts.as_slice().len();
        self.br_count += 1;
        for &t in targets.iter() {
            let ts = self.label_types(t)?;
            if ts.as_slice().len() != arity {
                return Err(self.err(format!(
                    "type mismatch: br_table target {t} has {} values, default has {arity}",
                    ts.as_slice().len()
                )));
            }
            if self.br_seen.insert(ts.key(), self.br_count) != Some(self.br_count) {
                self.check_top(ts.as_slice())?;
            }
        }
        self.pop_vals(dts)?;
        self.unreachable();
        Ok(())
    }

    /// `return`.
    #[inline]
    pub(super) fn return_(&mut self) -> Result<()> {
        self.pop_vals(Tys::Slice(self.results))?;
        self.unreachable();
        Ok(())
    }

    /// `br_on_null l`.
    #[inline]
    pub(super) fn br_on_null(&mut self, l: u32) -> Result<()> {
        let ts = self.label_types(l)?;
        let r = self.pop_ref()?;
        self.pop_vals(ts)?;
        self.push_vals(ts);
        self.push_non_null(r);
        Ok(())
    }

    /// `br_on_non_null l`.
    #[inline]
    pub(super) fn br_on_non_null(&mut self, l: u32) -> Result<()> {
        let ts = self.label_types(l)?;
        let Some((_, rest)) = ts.as_slice().split_last() else {
            return Err(self.err("type mismatch: br_on_non_null needs a label with values"));
        };
        let r = self.pop_ref()?;
        self.push_non_null(r);
        self.pop_vals(ts)?;
        self.vals.extend(rest.iter().map(|&t| Opd::val(t)));
        Ok(())
    }
}
