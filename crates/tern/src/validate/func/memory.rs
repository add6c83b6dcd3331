//! Memory instructions (spec: Validation › Instructions › Memory Instructions): plain
//! and vector loads and stores (with the lane forms), `memory.size`, `memory.grow`,
//! `memory.fill`, `memory.copy`, `memory.init`, `data.drop`. Memories, memory
//! immediates, data segments and lane indices are checked by `context.rs`; knows
//! nothing of the other families or of the byte-level path (which checks the common
//! forms of plain loads and stores first).

use super::context::min_addr;
use super::stack::FuncValidator;
use crate::error::Result;
use crate::syntax::{LoadOp, MemArg, StoreOp, V128LoadOp, ValType};

impl FuncValidator<'_, '_> {
    /// `t.load memarg` and the packed loads.
    #[inline]
    pub(super) fn load(&mut self, l: LoadOp, m: MemArg) -> Result<()> {
        let (t, bytes) = l.info();
        let addr = self.memarg(&m, bytes)?;
        self.pop_expect(addr.valtype())?;
        self.push_val(t);
        Ok(())
    }

    /// `t.store memarg` and the packed stores.
    #[inline]
    pub(super) fn store(&mut self, s: StoreOp, m: MemArg) -> Result<()> {
        let (t, bytes) = s.info();
        let addr = self.memarg(&m, bytes)?;
        self.pop_expect(t)?;
        self.pop_expect(addr.valtype())?;
        Ok(())
    }

    /// `memory.size x`.
    #[inline]
    pub(super) fn memory_size(&mut self, x: u32) -> Result<()> {
        let mt = self.memory(x)?;
        self.push_val(mt.addr.valtype());
        Ok(())
    }

    /// `memory.grow x`.
    #[inline]
    pub(super) fn memory_grow(&mut self, x: u32) -> Result<()> {
        let mt = self.memory(x)?;
        self.pop_expect(mt.addr.valtype())?;
        self.push_val(mt.addr.valtype());
        Ok(())
    }

    /// `memory.fill x`.
    #[inline]
    pub(super) fn memory_fill(&mut self, x: u32) -> Result<()> {
        let mt = self.memory(x)?;
        self.pop_expect(mt.addr.valtype())?;
        self.pop_expect(ValType::I32)?;
        self.pop_expect(mt.addr.valtype())?;
        Ok(())
    }

    /// `memory.copy dst src`.
    #[inline]
    pub(super) fn memory_copy(&mut self, dst: u32, src: u32) -> Result<()> {
        let dm = self.memory(dst)?;
        let sm = self.memory(src)?;
        self.pop_expect(min_addr(dm.addr, sm.addr))?;
        self.pop_expect(sm.addr.valtype())?;
        self.pop_expect(dm.addr.valtype())?;
        Ok(())
    }

    /// `memory.init memory data`.
    #[inline]
    pub(super) fn memory_init(&mut self, data: u32, memory: u32) -> Result<()> {
        let mt = self.memory(memory)?;
        self.check_data(data)?;
        self.pop_expect(ValType::I32)?;
        self.pop_expect(ValType::I32)?;
        self.pop_expect(mt.addr.valtype())?;
        Ok(())
    }

    /// `data.drop x`.
    #[inline]
    pub(super) fn data_drop(&mut self, x: u32) -> Result<()> {
        self.check_data(x)?;
        Ok(())
    }

    /// `v128.load memarg` and its extending, splatting and zeroing forms.
    #[inline]
    pub(super) fn v128_load(&mut self, l: V128LoadOp, m: MemArg) -> Result<()> {
        let addr = self.memarg(&m, l.bytes())?;
        self.pop_expect(addr.valtype())?;
        self.push_val(ValType::V128);
        Ok(())
    }

    /// `v128.store memarg`.
    #[inline]
    pub(super) fn v128_store(&mut self, m: MemArg) -> Result<()> {
        let addr = self.memarg(&m, 16)?;
        self.pop_expect(ValType::V128)?;
        self.pop_expect(addr.valtype())?;
        Ok(())
    }

    /// `v128.loadN_lane memarg lane`, `bytes` being N / 8.
    #[inline]
    pub(super) fn v128_load_lane(&mut self, bytes: u8, memarg: MemArg, lane: u8) -> Result<()> {
        let addr = self.memarg(&memarg, u32::from(bytes))?;
        self.check_lane(lane, 16 / bytes.max(1))?;
        self.pop_expect(ValType::V128)?;
        self.pop_expect(addr.valtype())?;
        self.push_val(ValType::V128);
        Ok(())
    }

    /// `v128.storeN_lane memarg lane`, `bytes` being N / 8.
    #[inline]
    pub(super) fn v128_store_lane(&mut self, bytes: u8, memarg: MemArg, lane: u8) -> Result<()> {
        let addr = self.memarg(&memarg, u32::from(bytes))?;
        self.check_lane(lane, 16 / bytes.max(1))?;
        self.pop_expect(ValType::V128)?;
        self.pop_expect(addr.valtype())?;
        Ok(())
    }
}
