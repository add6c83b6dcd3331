//! Memory instructions: loads and stores, `memory.size`, `memory.grow`, and the bulk
//! instructions `memory.fill`, `memory.copy`, `memory.init` and `data.drop`. An access
//! to memory 0 (32-bit) whose address was just computed by an `i32.add` adds the two
//! itself, and a store back to the address that a memory-operand instruction just
//! read becomes one read-modify-write instruction.

use super::compiler::{misrouted, small, Compiler};
use super::isa::{BinLd, Instr, Ld, LdBinOp, LdX, Rmw, RmwOp, Slot, St, StX, ACC};
use crate::error::Result;
use crate::syntax::{LoadOp, Operator, StoreOp};

impl Compiler<'_> {
    /// Compiles one memory instruction.
    pub(super) fn memory(&mut self, op: Operator) -> Result<()> {
        match op {
            Operator::Load(op, ma) => {
                let fused_add = self.take_add(ma.memory);
                let addr = match fused_add {
                    Some(_) => 0,
                    None if ma.memory == 0 && !self.mem64(0) => self.pop_acc(),
                    None => self.pop(),
                };
                let dst = self.push_temp();
                let mem = small(ma.memory)?;
                let i = if self.mem64(ma.memory) {
                    let offset = self.const_slot(ma.offset);
                    Instr::Load64 {
                        op,
                        mem,
                        dst,
                        addr,
                        offset,
                    }
                } else if mem == 0 {
                    let offset = ma.offset as u32;
                    match fused_add {
                        Some((a, b)) => load_x_instr(op, LdX { dst, a, b, offset }),
                        None => load_instr(op, Ld { dst, addr, offset }),
                    }
                } else {
                    Instr::LoadMem {
                        op,
                        mem,
                        dst,
                        addr,
                        offset: ma.offset as u32,
                    }
                };
                self.emit_def(i, dst);
            }
            Operator::Store(op, ma) => {
                let plain = ma.memory == 0 && !self.mem64(0);
                let value = if plain { self.pop_acc() } else { self.pop() };
                let fused_add = self.take_add(ma.memory);
                let addr = match fused_add {
                    Some(_) => 0,
                    None if plain && value != ACC => self.pop_acc(),
                    None => self.pop(),
                };
                let mem = small(ma.memory)?;
                if plain && fused_add.is_none() && value == ACC {
                    if let Some((i, at)) = self.take_rmw(op, addr, ma.offset as u32) {
                        self.emit_at(i, at);
                        return Ok(());
                    }
                }
                let i = if self.mem64(ma.memory) {
                    let offset = self.const_slot(ma.offset);
                    Instr::Store64 {
                        op,
                        mem,
                        addr,
                        value,
                        offset,
                    }
                } else if mem == 0 {
                    let offset = ma.offset as u32;
                    match fused_add {
                        Some((a, b)) => store_x_instr(
                            op,
                            StX {
                                a,
                                b,
                                value,
                                offset,
                            },
                        ),
                        None => store_instr(
                            op,
                            St {
                                addr,
                                value,
                                offset,
                            },
                        ),
                    }
                } else {
                    Instr::StoreMem {
                        op,
                        mem,
                        addr,
                        value,
                        offset: ma.offset as u32,
                    }
                };
                self.emit(i);
            }
            Operator::MemorySize(mem) => {
                let dst = self.push_temp();
                self.emit_def(Instr::MemorySize { dst, mem }, dst);
            }
            Operator::MemoryGrow(mem) => {
                let delta = self.pop();
                let dst = self.push_temp();
                let (is64, mem) = (self.mem64(mem), small(mem)?);
                self.emit_def(
                    Instr::MemoryGrow {
                        dst,
                        delta,
                        mem,
                        is64,
                    },
                    dst,
                );
            }
            Operator::MemoryFill(mem) => {
                let args = self.pop_args(3);
                let (is64, mem) = (self.mem64(mem), small(mem)?);
                self.emit(Instr::MemoryFill { args, mem, is64 });
            }
            Operator::MemoryCopy { dst, src } => {
                let args = self.pop_args(3);
                let (dst64, src64) = (self.mem64(dst), self.mem64(src));
                let (dst_mem, src_mem) = (small(dst)?, small(src)?);
                self.emit(Instr::MemoryCopy {
                    args,
                    dst_mem,
                    src_mem,
                    dst64,
                    src64,
                });
            }
            Operator::MemoryInit { data, memory } => {
                let args = self.pop_args(3);
                let (is64, mem) = (self.mem64(memory), small(memory)?);
                self.emit(Instr::MemoryInit {
                    args,
                    data,
                    mem,
                    is64,
                });
            }
            Operator::DataDrop(data) => {
                self.emit(Instr::SegmentDrop {
                    index: data,
                    elem: false,
                });
            }
            _ => return Err(misrouted(&op)),
        }
        Ok(())
    }

    /// If the operand about to be popped as the address of an access to memory
    /// `mem` was just computed by an `i32.add` (and memory `mem` is memory 0, 32-bit),
    /// removes that instruction and the operand and returns the addition's operands,
    /// for a load or store that adds them itself.
    fn take_add(&mut self, mem: u32) -> Option<(Slot, Slot)> {
        if mem != 0 || self.mem64(0) {
            return None;
        }
        let at = self.fresh_result(self.stack.len() - 1)?;
        let Instr::I32Add(b) = self.code[at] else {
            return None;
        };
        if b.a == ACC || b.b == ACC {
            return None;
        }
        self.drop_last();
        self.stack.pop();
        Some((b.a, b.b))
    }

    /// If a store of `op` to `[addr + offset]` (memory 0) takes its value from the
    /// accumulator, and the instruction just emitted produced it by a memory-operand
    /// operation on the same address that has a read-modify-write form, removes that
    /// instruction and returns the read-modify-write one with its source offset (the
    /// load's: the store cannot trap once the load of the same bytes did not).
    fn take_rmw(&mut self, op: StoreOp, addr: Slot, offset: u32) -> Option<(Instr, u32)> {
        let last = self.code.len().checked_sub(1)?;
        if addr == ACC || self.label_at == self.code.len() {
            return None;
        }
        let (build, o) = rmw_form(&self.code[last], op)?;
        if o.dst != ACC || o.addr != addr || o.offset != offset {
            return None;
        }
        let at_offset = self.offsets[last];
        self.drop_last();
        let i = Instr::Rmw(Rmw {
            op: build,
            addr,
            value: o.a,
            offset,
        });
        Some((i, at_offset))
    }
}

fn load_instr(op: LoadOp, o: Ld) -> Instr {
    match op {
        LoadOp::I32Load => Instr::I32Load(o),
        LoadOp::I64Load => Instr::I64Load(o),
        LoadOp::F32Load => Instr::F32Load(o),
        LoadOp::F64Load => Instr::F64Load(o),
        LoadOp::I32Load8S => Instr::I32Load8S(o),
        LoadOp::I32Load8U => Instr::I32Load8U(o),
        LoadOp::I32Load16S => Instr::I32Load16S(o),
        LoadOp::I32Load16U => Instr::I32Load16U(o),
        LoadOp::I64Load8S => Instr::I64Load8S(o),
        LoadOp::I64Load8U => Instr::I64Load8U(o),
        LoadOp::I64Load16S => Instr::I64Load16S(o),
        LoadOp::I64Load16U => Instr::I64Load16U(o),
        LoadOp::I64Load32S => Instr::I64Load32S(o),
        LoadOp::I64Load32U => Instr::I64Load32U(o),
    }
}

fn store_instr(op: StoreOp, o: St) -> Instr {
    match op {
        StoreOp::I32Store => Instr::I32Store(o),
        StoreOp::I64Store => Instr::I64Store(o),
        StoreOp::F32Store => Instr::F32Store(o),
        StoreOp::F64Store => Instr::F64Store(o),
        StoreOp::I32Store8 => Instr::I32Store8(o),
        StoreOp::I32Store16 => Instr::I32Store16(o),
        StoreOp::I64Store8 => Instr::I64Store8(o),
        StoreOp::I64Store16 => Instr::I64Store16(o),
        StoreOp::I64Store32 => Instr::I64Store32(o),
    }
}

fn load_x_instr(op: LoadOp, o: LdX) -> Instr {
    match op {
        LoadOp::I32Load => Instr::I32LoadX(o),
        LoadOp::I64Load => Instr::I64LoadX(o),
        LoadOp::F32Load => Instr::F32LoadX(o),
        LoadOp::F64Load => Instr::F64LoadX(o),
        LoadOp::I32Load8S => Instr::I32Load8SX(o),
        LoadOp::I32Load8U => Instr::I32Load8UX(o),
        LoadOp::I32Load16S => Instr::I32Load16SX(o),
        LoadOp::I32Load16U => Instr::I32Load16UX(o),
        LoadOp::I64Load8S => Instr::I64Load8SX(o),
        LoadOp::I64Load8U => Instr::I64Load8UX(o),
        LoadOp::I64Load16S => Instr::I64Load16SX(o),
        LoadOp::I64Load16U => Instr::I64Load16UX(o),
        LoadOp::I64Load32S => Instr::I64Load32SX(o),
        LoadOp::I64Load32U => Instr::I64Load32UX(o),
    }
}

fn store_x_instr(op: StoreOp, o: StX) -> Instr {
    match op {
        StoreOp::I32Store => Instr::I32StoreX(o),
        StoreOp::I64Store => Instr::I64StoreX(o),
        StoreOp::F32Store => Instr::F32StoreX(o),
        StoreOp::F64Store => Instr::F64StoreX(o),
        StoreOp::I32Store8 => Instr::I32Store8X(o),
        StoreOp::I32Store16 => Instr::I32Store16X(o),
        StoreOp::I64Store8 => Instr::I64Store8X(o),
        StoreOp::I64Store16 => Instr::I64Store16X(o),
        StoreOp::I64Store32 => Instr::I64Store32X(o),
    }
}

/// The read-modify-write form of memory-operand instruction `i` followed by a store of
/// `op` of its result: `[m] OP a` stored back (addition in either order).
fn rmw_form(i: &Instr, op: StoreOp) -> Option<(RmwOp, BinLd)> {
    let Instr::BinLd(o) = *i else {
        return None;
    };
    let r = match (o.op, op) {
        (LdBinOp::F64AddLd, StoreOp::F64Store) => RmwOp::F64Add,
        (LdBinOp::F64LdSub, StoreOp::F64Store) => RmwOp::F64Sub,
        (LdBinOp::F32AddLd, StoreOp::F32Store) => RmwOp::F32Add,
        (LdBinOp::F32LdSub, StoreOp::F32Store) => RmwOp::F32Sub,
        (LdBinOp::I32AddLd, StoreOp::I32Store) => RmwOp::I32Add,
        (LdBinOp::I32LdSub, StoreOp::I32Store) => RmwOp::I32Sub,
        (LdBinOp::I64AddLd, StoreOp::I64Store) => RmwOp::I64Add,
        (LdBinOp::I64LdSub, StoreOp::I64Store) => RmwOp::I64Sub,
        _ => return None,
    };
    Some((r, o))
}
