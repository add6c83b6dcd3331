//! Variable instructions (spec: Validation › Instructions › Variable Instructions):
//! `local.get`, `local.set`, `local.tee`, `global.get`, `global.set`. A non-defaultable
//! local must be set before it is read; `stack.rs` keeps which are. Knows nothing of
//! the other families or of the byte-level path (which checks the common forms of these
//! first).

use super::stack::FuncValidator;
use crate::error::Result;

impl FuncValidator<'_, '_> {
    /// `local.get x`.
    #[inline]
    pub(super) fn local_get(&mut self, x: u32) -> Result<()> {
        let t = self.local(x)?;
        if !t.is_defaultable() && x >= self.num_params && !self.init_set.contains(&x) {
            return Err(self.err(format!("uninitialized local {x}")));
        }
        self.push_val(t);
        Ok(())
    }

    /// `local.set x`.
    #[inline]
    pub(super) fn local_set(&mut self, x: u32) -> Result<()> {
        let t = self.local(x)?;
        self.pop_expect(t)?;
        self.set_local(x, t);
        Ok(())
    }

    /// `local.tee x`.
    #[inline]
    pub(super) fn local_tee(&mut self, x: u32) -> Result<()> {
        let t = self.local(x)?;
        self.pop_expect(t)?;
        self.set_local(x, t);
        self.push_val(t);
        Ok(())
    }

    /// `global.get x`.
    #[inline]
    pub(super) fn global_get(&mut self, x: u32) -> Result<()> {
        let ctx = self.ctx;
        let g = ctx
            .globals
            .get(x as usize)
            .ok_or_else(|| self.err(format!("unknown global {x}")))?;
        self.push_val(g.content);
        Ok(())
    }

    /// `global.set x`.
    #[inline]
    pub(super) fn global_set(&mut self, x: u32) -> Result<()> {
        let ctx = self.ctx;
        let g = ctx
            .globals
            .get(x as usize)
            .ok_or_else(|| self.err(format!("unknown global {x}")))?;
        if !g.mutable {
            return Err(self.err(format!("immutable global {x}: global is immutable")));
        }
        self.pop_expect(g.content)?;
        Ok(())
    }
}
