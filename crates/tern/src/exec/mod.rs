//! The interpreter: runs internal code (see [`crate::compile::isa`]) on tern's own call
//! stack.
//!
//! A [`Stack`] holds the value slots of every active frame and the frame records; wasm
//! calls push a frame record and never recurse on the host stack. When wasm calls a
//! host function, [`run`] returns [`Outcome::HostCall`] with the stack intact; the
//! caller (the generic API layer, which owns the host closures) performs the call,
//! writes the results into the stack and calls [`run`] again. The same mechanism will
//! serve pausing on fuel exhaustion and snapshots.
//!
//! This module reads the store's code part and writes its data part; it never creates
//! functions or instances.

pub mod numeric;

use crate::compile::isa::{CompiledFunc, Instr};
use crate::error::{Error, FrameInfo, Result, Trap, TrapCode};
use crate::runtime::store::{CodePart, DataPart, FuncEntity, InstanceEntity, StoreInner};
use crate::syntax::{LoadOp, StoreOp};

/// A frame record: which function, where it resumes, where its slots start.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Store index of the function.
    pub func: u32,
    /// The instruction to resume at (for callers: the one after the call).
    pub pc: u32,
    /// Index of the frame's first slot in [`Stack::slots`].
    pub fp: usize,
}

/// A call stack: value slots and frame records.
pub struct Stack {
    pub slots: Vec<u64>,
    pub frames: Vec<Frame>,
    max_depth: usize,
}

impl Stack {
    pub fn new(max_slots: usize, max_depth: usize) -> Stack {
        Stack {
            slots: vec![0; max_slots],
            frames: Vec::new(),
            max_depth,
        }
    }

    /// Pushes the frame of a wasm function whose arguments are at `fp..`, preparing
    /// its locals and constants.
    pub fn enter(&mut self, func: u32, code: &CompiledFunc, fp: usize) -> Result<(), TrapCode> {
        if self.frames.len() >= self.max_depth {
            return Err(TrapCode::StackOverflow);
        }
        let end = fp + code.frame_size as usize;
        if end > self.slots.len() {
            return Err(TrapCode::StackOverflow);
        }
        let np = code.num_params as usize;
        let le = code.locals_end as usize;
        self.slots[fp + np..fp + le].fill(0);
        self.slots[fp + le..fp + le + code.consts.len()].copy_from_slice(&code.consts);
        self.frames.push(Frame { func, pc: 0, fp });
        Ok(())
    }
}

/// Why [`run`] returned without an error.
#[derive(Debug)]
pub enum Outcome {
    /// The outermost frame returned; its results are in its first slots.
    Returned,
    /// Wasm called host function `func` (store index) with arguments at `slots[base..]`;
    /// the results go to the same place, then [`run`] resumes.
    HostCall { func: u32, base: usize },
}

/// Builds a trap error with the backtrace of `stack`, whose top frame is at `pc`.
fn trap(code: &CodePart, stack: &Stack, pc: usize, tc: TrapCode) -> Error {
    let mut bt = Vec::new();
    for (i, f) in stack.frames.iter().rev().enumerate() {
        let fpc = if i == 0 {
            pc
        } else {
            (f.pc as usize).saturating_sub(1)
        };
        if let Some(FuncEntity::Wasm(w)) = code.funcs.get(f.func as usize) {
            let offset = w
                .compiled
                .get()
                .and_then(|c| c.offsets.get(fpc).copied())
                .unwrap_or(0) as usize;
            let names = &w.module.syntax.names;
            let index = w.func_index();
            bt.push(FrameInfo {
                func_index: index,
                func_name: names.funcs.get(&index).cloned(),
                module_name: names.module.clone(),
                offset,
            });
        }
    }
    Error::Trap(Trap::with_backtrace(tc, bt))
}

/// The state of the frame being executed.
struct Regs<'a> {
    code: &'a [Instr],
    inst: &'a InstanceEntity,
    fp: usize,
    /// Store index of the instance's memory 0 (`usize::MAX` if none).
    mem0: usize,
}

fn regs_for<'a>(code_part: &'a CodePart, frame: &Frame) -> Result<Regs<'a>> {
    match &code_part.funcs[frame.func as usize] {
        FuncEntity::Wasm(w) => {
            let c = w.code()?;
            let inst = &code_part.instances[w.instance as usize];
            let mem0 = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
            Ok(Regs {
                code: &c.code,
                inst,
                fp: frame.fp,
                mem0,
            })
        }
        FuncEntity::Host { .. } => Err(Error::api("host function frame on the wasm stack")),
    }
}

/// Runs `stack` until its bottom frame returns, wasm calls a host function, or a trap.
/// On a trap the stack is left as it was at the trap (the caller resets it).
pub fn run(store: &mut StoreInner, stack: &mut Stack) -> Result<Outcome> {
    let StoreInner {
        code: code_part,
        data,
        ..
    } = store;
    let code_part: &CodePart = code_part;
    let Some(top) = stack.frames.last().copied() else {
        return Ok(Outcome::Returned);
    };
    let mut r = regs_for(code_part, &top)?;
    let mut pc = top.pc as usize;
    match interpret(code_part, data, stack, &mut r, &mut pc) {
        Ok(o) => Ok(o),
        Err(Stop::Trap(tc)) => Err(trap(code_part, stack, pc, tc)),
        Err(Stop::Error(e)) => Err(e),
    }
}

enum Stop {
    Trap(TrapCode),
    Error(Error),
}

impl From<TrapCode> for Stop {
    fn from(t: TrapCode) -> Stop {
        Stop::Trap(t)
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Error(e)
    }
}

#[inline(always)]
fn f32_of(v: u64) -> f32 {
    f32::from_bits(v as u32)
}
#[inline(always)]
fn f64_of(v: u64) -> f64 {
    f64::from_bits(v)
}
#[inline(always)]
fn of_f32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
fn of_f64(v: f64) -> u64 {
    v.to_bits()
}

/// The effective address range `[addr + offset, + len)` checked against `mem_len`.
#[inline(always)]
fn ea(addr: u64, offset: u64, len: usize, mem_len: usize) -> Result<usize, TrapCode> {
    let start = addr
        .checked_add(offset)
        .ok_or(TrapCode::MemoryOutOfBounds)?;
    if start
        .checked_add(len as u64)
        .is_none_or(|end| end > mem_len as u64)
    {
        return Err(TrapCode::MemoryOutOfBounds);
    }
    Ok(start as usize)
}

fn load(bytes: &[u8], op: LoadOp, addr: u64, offset: u64) -> Result<u64, TrapCode> {
    macro_rules! rd {
        ($n:literal) => {{
            let s = ea(addr, offset, $n, bytes.len())?;
            let mut b = [0u8; $n];
            b.copy_from_slice(&bytes[s..s + $n]);
            b
        }};
    }
    Ok(match op {
        LoadOp::I32Load | LoadOp::F32Load => u32::from_le_bytes(rd!(4)) as u64,
        LoadOp::I64Load | LoadOp::F64Load => u64::from_le_bytes(rd!(8)),
        LoadOp::I32Load8S => rd!(1)[0] as i8 as i32 as u32 as u64,
        LoadOp::I32Load8U => rd!(1)[0] as u64,
        LoadOp::I32Load16S => i16::from_le_bytes(rd!(2)) as i32 as u32 as u64,
        LoadOp::I32Load16U => u16::from_le_bytes(rd!(2)) as u64,
        LoadOp::I64Load8S => rd!(1)[0] as i8 as i64 as u64,
        LoadOp::I64Load8U => rd!(1)[0] as u64,
        LoadOp::I64Load16S => i16::from_le_bytes(rd!(2)) as i64 as u64,
        LoadOp::I64Load16U => u16::from_le_bytes(rd!(2)) as u64,
        LoadOp::I64Load32S => i32::from_le_bytes(rd!(4)) as i64 as u64,
        LoadOp::I64Load32U => u32::from_le_bytes(rd!(4)) as u64,
    })
}

fn store_mem(
    bytes: &mut [u8],
    op: StoreOp,
    addr: u64,
    offset: u64,
    v: u64,
) -> Result<(), TrapCode> {
    macro_rules! wr {
        ($bytes_of:expr) => {{
            let b = $bytes_of;
            let s = ea(addr, offset, b.len(), bytes.len())?;
            bytes[s..s + b.len()].copy_from_slice(&b);
        }};
    }
    match op {
        StoreOp::I32Store | StoreOp::F32Store => wr!((v as u32).to_le_bytes()),
        StoreOp::I64Store | StoreOp::F64Store => wr!(v.to_le_bytes()),
        StoreOp::I32Store8 | StoreOp::I64Store8 => wr!([v as u8]),
        StoreOp::I32Store16 | StoreOp::I64Store16 => wr!((v as u16).to_le_bytes()),
        StoreOp::I64Store32 => wr!((v as u32).to_le_bytes()),
    }
    Ok(())
}

fn interpret<'a>(
    code_part: &'a CodePart,
    data: &mut DataPart,
    stack: &mut Stack,
    r: &mut Regs<'a>,
    pc_out: &mut usize,
) -> Result<Outcome, Stop> {
    let mut pc = *pc_out;
    // Writes the current pc back before any early exit so traps report it.
    macro_rules! bail {
        ($e:expr) => {{
            *pc_out = pc;
            return Err($e.into());
        }};
    }
    macro_rules! tri {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(e) => bail!(e),
            }
        };
    }
    macro_rules! s {
        ($slot:expr) => {
            stack.slots[r.fp + $slot as usize]
        };
    }
    macro_rules! un {
        ($o:expr, $conv:ident, |$a:ident| $body:expr) => {{
            let $a = $conv(s!($o.src));
            s!($o.dst) = $body;
        }};
    }
    macro_rules! bin {
        ($o:expr, $conv:ident, |$a:ident, $b:ident| $body:expr) => {{
            let $a = $conv(s!($o.a));
            let $b = $conv(s!($o.b));
            s!($o.dst) = $body;
        }};
    }
    macro_rules! mem0 {
        () => {
            data.memories[r.mem0].data()
        };
    }
    macro_rules! ld {
        ($o:expr, $op:expr) => {{
            let addr = s!($o.addr) as u32 as u64;
            let v = tri!(load(mem0!(), $op, addr, $o.offset as u64));
            s!($o.dst) = v;
        }};
    }
    macro_rules! st {
        ($o:expr, $op:expr) => {{
            let addr = s!($o.addr) as u32 as u64;
            let v = s!($o.value);
            tri!(store_mem(
                data.memories[r.mem0].data_mut(),
                $op,
                addr,
                $o.offset as u64,
                v
            ));
        }};
    }
    macro_rules! brcmp {
        ($o:expr, $t:ty, |$a:ident, $b:ident| $cond:expr) => {{
            let $a = s!($o.a) as $t;
            let $b = s!($o.b) as $t;
            if $cond {
                pc = (pc as isize + $o.offset as isize) as usize;
                continue;
            }
        }};
    }

    fn i32v(v: u64) -> i32 {
        v as i32
    }
    fn u32v(v: u64) -> u32 {
        v as u32
    }
    fn i64v(v: u64) -> i64 {
        v as i64
    }
    fn u64v(v: u64) -> u64 {
        v
    }
    fn b(v: bool) -> u64 {
        v as u64
    }
    fn w32(v: u32) -> u64 {
        v as u64
    }
    fn ws32(v: i32) -> u64 {
        v as u32 as u64
    }

    loop {
        let instr = r.code[pc];
        match instr {
            Instr::Unreachable => bail!(TrapCode::Unreachable),
            Instr::Br { offset } => {
                pc = (pc as isize + offset as isize) as usize;
                continue;
            }
            Instr::BrIfNez { cond, offset } => {
                if s!(cond) as u32 != 0 {
                    pc = (pc as isize + offset as isize) as usize;
                    continue;
                }
            }
            Instr::BrIfEqz { cond, offset } => {
                if s!(cond) as u32 == 0 {
                    pc = (pc as isize + offset as isize) as usize;
                    continue;
                }
            }
            Instr::BrTable { index, len } => {
                let i = (s!(index) as u32).min(len);
                pc += 1 + i as usize;
                continue;
            }
            Instr::BrIfI32Eq(o) => brcmp!(o, u32, |a, b| a == b),
            Instr::BrIfI32Ne(o) => brcmp!(o, u32, |a, b| a != b),
            Instr::BrIfI32LtS(o) => brcmp!(o, i32, |a, b| a < b),
            Instr::BrIfI32LtU(o) => brcmp!(o, u32, |a, b| a < b),
            Instr::BrIfI32GtS(o) => brcmp!(o, i32, |a, b| a > b),
            Instr::BrIfI32GtU(o) => brcmp!(o, u32, |a, b| a > b),
            Instr::BrIfI32LeS(o) => brcmp!(o, i32, |a, b| a <= b),
            Instr::BrIfI32LeU(o) => brcmp!(o, u32, |a, b| a <= b),
            Instr::BrIfI32GeS(o) => brcmp!(o, i32, |a, b| a >= b),
            Instr::BrIfI32GeU(o) => brcmp!(o, u32, |a, b| a >= b),
            Instr::Return => {
                stack.frames.pop();
                let Some(caller) = stack.frames.last().copied() else {
                    *pc_out = pc;
                    return Ok(Outcome::Returned);
                };
                *r = tri!(regs_for(code_part, &caller));
                pc = caller.pc as usize;
                continue;
            }
            Instr::Call { func, base } => {
                let callee = r.inst.funcs[func as usize];
                let base = r.fp + base as usize;
                if let Some(f) = stack.frames.last_mut() {
                    f.pc = pc as u32 + 1;
                }
                match &code_part.funcs[callee as usize] {
                    FuncEntity::Wasm(w) => {
                        let c = tri!(w.code());
                        tri!(stack.enter(callee, c, base));
                        let inst = &code_part.instances[w.instance as usize];
                        r.mem0 = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
                        r.inst = inst;
                        r.code = &c.code;
                        r.fp = base;
                        pc = 0;
                        continue;
                    }
                    FuncEntity::Host { .. } => {
                        *pc_out = pc;
                        return Ok(Outcome::HostCall { func: callee, base });
                    }
                }
            }
            Instr::CallIndirect {
                type_id,
                table,
                index,
                base,
            } => {
                let t = &data.tables[r.inst.tables[table as usize] as usize];
                let i = s!(index) as u32 as usize;
                let Some(&fref) = t.elems.get(i) else {
                    bail!(TrapCode::UndefinedElement)
                };
                if fref == 0 {
                    bail!(TrapCode::UninitializedElement);
                }
                let callee = (fref - 1) as u32;
                let f = &code_part.funcs[callee as usize];
                if f.type_id() != type_id {
                    bail!(TrapCode::BadSignature);
                }
                let base = r.fp + base as usize;
                if let Some(fr) = stack.frames.last_mut() {
                    fr.pc = pc as u32 + 1;
                }
                match f {
                    FuncEntity::Wasm(w) => {
                        let c = tri!(w.code());
                        tri!(stack.enter(callee, c, base));
                        let inst = &code_part.instances[w.instance as usize];
                        r.mem0 = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
                        r.inst = inst;
                        r.code = &c.code;
                        r.fp = base;
                        pc = 0;
                        continue;
                    }
                    FuncEntity::Host { .. } => {
                        *pc_out = pc;
                        return Ok(Outcome::HostCall { func: callee, base });
                    }
                }
            }
            Instr::Copy(o) => s!(o.dst) = s!(o.src),
            Instr::CopyMany { dst, src, len } => {
                let (d, sr) = (r.fp + dst as usize, r.fp + src as usize);
                stack.slots.copy_within(sr..sr + len as usize, d);
            }
            Instr::Select { dst, cond, a, b } => {
                s!(dst) = if s!(cond) as u32 != 0 { s!(a) } else { s!(b) };
            }
            Instr::GlobalGet { dst, global } => {
                s!(dst) = data.globals[r.inst.globals[global as usize] as usize].value;
            }
            Instr::GlobalSet { src, global } => {
                data.globals[r.inst.globals[global as usize] as usize].value = s!(src);
            }
            Instr::I32Load(o) => ld!(o, LoadOp::I32Load),
            Instr::I64Load(o) => ld!(o, LoadOp::I64Load),
            Instr::F32Load(o) => ld!(o, LoadOp::F32Load),
            Instr::F64Load(o) => ld!(o, LoadOp::F64Load),
            Instr::I32Load8S(o) => ld!(o, LoadOp::I32Load8S),
            Instr::I32Load8U(o) => ld!(o, LoadOp::I32Load8U),
            Instr::I32Load16S(o) => ld!(o, LoadOp::I32Load16S),
            Instr::I32Load16U(o) => ld!(o, LoadOp::I32Load16U),
            Instr::I64Load8S(o) => ld!(o, LoadOp::I64Load8S),
            Instr::I64Load8U(o) => ld!(o, LoadOp::I64Load8U),
            Instr::I64Load16S(o) => ld!(o, LoadOp::I64Load16S),
            Instr::I64Load16U(o) => ld!(o, LoadOp::I64Load16U),
            Instr::I64Load32S(o) => ld!(o, LoadOp::I64Load32S),
            Instr::I64Load32U(o) => ld!(o, LoadOp::I64Load32U),
            Instr::I32Store(o) => st!(o, StoreOp::I32Store),
            Instr::I64Store(o) => st!(o, StoreOp::I64Store),
            Instr::F32Store(o) => st!(o, StoreOp::F32Store),
            Instr::F64Store(o) => st!(o, StoreOp::F64Store),
            Instr::I32Store8(o) => st!(o, StoreOp::I32Store8),
            Instr::I32Store16(o) => st!(o, StoreOp::I32Store16),
            Instr::I64Store8(o) => st!(o, StoreOp::I64Store8),
            Instr::I64Store16(o) => st!(o, StoreOp::I64Store16),
            Instr::I64Store32(o) => st!(o, StoreOp::I64Store32),
            Instr::LoadMem {
                op,
                mem,
                dst,
                addr,
                offset,
            } => {
                let m = &data.memories[r.inst.memories[mem as usize] as usize];
                let a = s!(addr) as u32 as u64;
                s!(dst) = tri!(load(m.data(), op, a, offset as u64));
            }
            Instr::StoreMem {
                op,
                mem,
                addr,
                value,
                offset,
            } => {
                let m = &mut data.memories[r.inst.memories[mem as usize] as usize];
                let a = s!(addr) as u32 as u64;
                tri!(store_mem(m.data_mut(), op, a, offset as u64, s!(value)));
            }
            Instr::MemorySize { dst, mem } => {
                let m = &data.memories[r.inst.memories[mem as usize] as usize];
                s!(dst) = m.pages();
            }
            Instr::MemoryGrow { dst, delta, mem } => {
                let m = &mut data.memories[r.inst.memories[mem as usize] as usize];
                let d = s!(delta) as u32 as u64;
                s!(dst) = match m.grow(d) {
                    Some(old) => old as u32 as u64,
                    None => u32::MAX as u64,
                };
            }
            Instr::MemoryFill { args, mem } => {
                let m = &mut data.memories[r.inst.memories[mem as usize] as usize];
                let d = s!(args) as u32 as u64;
                let v = s!(args + 1) as u8;
                let n = s!(args + 2) as u32 as usize;
                let start = tri!(ea(d, 0, n, m.data().len()));
                m.data_mut()[start..start + n].fill(v);
            }
            Instr::MemoryCopy {
                args,
                dst_mem,
                src_mem,
            } => {
                let d = s!(args) as u32 as u64;
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as usize;
                let dm = r.inst.memories[dst_mem as usize] as usize;
                let sm = r.inst.memories[src_mem as usize] as usize;
                let ss = tri!(ea(sa, 0, n, data.memories[sm].data().len()));
                let ds = tri!(ea(d, 0, n, data.memories[dm].data().len()));
                if dm == sm {
                    data.memories[dm].data_mut().copy_within(ss..ss + n, ds);
                } else {
                    let src: Vec<u8> = data.memories[sm].data()[ss..ss + n].to_vec();
                    data.memories[dm].data_mut()[ds..ds + n].copy_from_slice(&src);
                }
            }
            Instr::MemoryInit {
                args,
                data: seg,
                mem,
            } => {
                let d = s!(args) as u32 as u64;
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as usize;
                let bytes = &data.datas[r.inst.datas[seg as usize] as usize].bytes;
                let m = &mut data.memories[r.inst.memories[mem as usize] as usize];
                let ss = tri!(ea(sa, 0, n, bytes.len()));
                let ds = tri!(ea(d, 0, n, m.data().len()));
                m.data_mut()[ds..ds + n].copy_from_slice(&bytes[ss..ss + n]);
            }
            Instr::DataDrop { data: seg } => {
                data.datas[r.inst.datas[seg as usize] as usize].bytes = std::sync::Arc::from([]);
            }
            Instr::TableGet { dst, index, table } => {
                let t = &data.tables[r.inst.tables[table as usize] as usize];
                let i = s!(index) as u32 as usize;
                let Some(&v) = t.elems.get(i) else {
                    bail!(TrapCode::TableOutOfBounds)
                };
                s!(dst) = v;
            }
            Instr::TableSet { args, table } => {
                let t = &mut data.tables[r.inst.tables[table as usize] as usize];
                let i = s!(args) as u32 as usize;
                let v = s!(args + 1);
                let Some(e) = t.elems.get_mut(i) else {
                    bail!(TrapCode::TableOutOfBounds)
                };
                *e = v;
            }
            Instr::TableSize { dst, table } => {
                s!(dst) = data.tables[r.inst.tables[table as usize] as usize].size();
            }
            Instr::TableGrow { args, table } => {
                let t = &mut data.tables[r.inst.tables[table as usize] as usize];
                let init = s!(args);
                let delta = s!(args + 1) as u32 as u64;
                s!(args) = match t.grow(delta, init) {
                    Some(old) => old as u32 as u64,
                    None => u32::MAX as u64,
                };
            }
            Instr::TableFill { args, table } => {
                let t = &mut data.tables[r.inst.tables[table as usize] as usize];
                let d = s!(args) as u32 as u64;
                let v = s!(args + 1);
                let n = s!(args + 2) as u32 as u64;
                match d.checked_add(n) {
                    Some(end) if end <= t.size() => {
                        t.elems[d as usize..end as usize].fill(v);
                    }
                    _ => bail!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableCopy { args, dst, src } => {
                let d = s!(args) as u32 as u64;
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as u64;
                let dt = r.inst.tables[dst as usize] as usize;
                let st = r.inst.tables[src as usize] as usize;
                let ok = |start: u64, len: u64| start.checked_add(n).is_some_and(|e| e <= len);
                if !ok(sa, data.tables[st].size()) || !ok(d, data.tables[dt].size()) {
                    bail!(TrapCode::TableOutOfBounds);
                }
                let (d, sa, n) = (d as usize, sa as usize, n as usize);
                if dt == st {
                    data.tables[dt].elems.copy_within(sa..sa + n, d);
                } else {
                    let tmp: Vec<u64> = data.tables[st].elems[sa..sa + n].to_vec();
                    data.tables[dt].elems[d..d + n].copy_from_slice(&tmp);
                }
            }
            Instr::TableInit { args, elem, table } => {
                let d = s!(args) as u32 as u64;
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as u64;
                let items = &data.elems[r.inst.elems[elem as usize] as usize].items;
                let t = &mut data.tables[r.inst.tables[table as usize] as usize];
                let ok = |start: u64, len: u64| start.checked_add(n).is_some_and(|e| e <= len);
                if !ok(sa, items.len() as u64) || !ok(d, t.size()) {
                    bail!(TrapCode::TableOutOfBounds);
                }
                let (d, sa, n) = (d as usize, sa as usize, n as usize);
                t.elems[d..d + n].copy_from_slice(&items[sa..sa + n]);
            }
            Instr::ElemDrop { elem } => {
                data.elems[r.inst.elems[elem as usize] as usize].items = Vec::new();
            }
            Instr::RefIsNull(o) => s!(o.dst) = (s!(o.src) == 0) as u64,
            Instr::RefFunc { dst, func } => s!(dst) = r.inst.funcs[func as usize] as u64 + 1,
            Instr::RefAsNonNull(o) => {
                let v = s!(o.src);
                if v == 0 {
                    bail!(TrapCode::NullReference);
                }
                s!(o.dst) = v;
            }

            Instr::I32Eqz(o) => un!(o, u32v, |a| b(a == 0)),
            Instr::I32Eq(o) => bin!(o, u32v, |x, y| b(x == y)),
            Instr::I32Ne(o) => bin!(o, u32v, |x, y| b(x != y)),
            Instr::I32LtS(o) => bin!(o, i32v, |x, y| b(x < y)),
            Instr::I32LtU(o) => bin!(o, u32v, |x, y| b(x < y)),
            Instr::I32GtS(o) => bin!(o, i32v, |x, y| b(x > y)),
            Instr::I32GtU(o) => bin!(o, u32v, |x, y| b(x > y)),
            Instr::I32LeS(o) => bin!(o, i32v, |x, y| b(x <= y)),
            Instr::I32LeU(o) => bin!(o, u32v, |x, y| b(x <= y)),
            Instr::I32GeS(o) => bin!(o, i32v, |x, y| b(x >= y)),
            Instr::I32GeU(o) => bin!(o, u32v, |x, y| b(x >= y)),
            Instr::I64Eqz(o) => un!(o, u64v, |a| b(a == 0)),
            Instr::I64Eq(o) => bin!(o, u64v, |x, y| b(x == y)),
            Instr::I64Ne(o) => bin!(o, u64v, |x, y| b(x != y)),
            Instr::I64LtS(o) => bin!(o, i64v, |x, y| b(x < y)),
            Instr::I64LtU(o) => bin!(o, u64v, |x, y| b(x < y)),
            Instr::I64GtS(o) => bin!(o, i64v, |x, y| b(x > y)),
            Instr::I64GtU(o) => bin!(o, u64v, |x, y| b(x > y)),
            Instr::I64LeS(o) => bin!(o, i64v, |x, y| b(x <= y)),
            Instr::I64LeU(o) => bin!(o, u64v, |x, y| b(x <= y)),
            Instr::I64GeS(o) => bin!(o, i64v, |x, y| b(x >= y)),
            Instr::I64GeU(o) => bin!(o, u64v, |x, y| b(x >= y)),
            Instr::F32Eq(o) => bin!(o, f32_of, |x, y| b(x == y)),
            Instr::F32Ne(o) => bin!(o, f32_of, |x, y| b(x != y)),
            Instr::F32Lt(o) => bin!(o, f32_of, |x, y| b(x < y)),
            Instr::F32Gt(o) => bin!(o, f32_of, |x, y| b(x > y)),
            Instr::F32Le(o) => bin!(o, f32_of, |x, y| b(x <= y)),
            Instr::F32Ge(o) => bin!(o, f32_of, |x, y| b(x >= y)),
            Instr::F64Eq(o) => bin!(o, f64_of, |x, y| b(x == y)),
            Instr::F64Ne(o) => bin!(o, f64_of, |x, y| b(x != y)),
            Instr::F64Lt(o) => bin!(o, f64_of, |x, y| b(x < y)),
            Instr::F64Gt(o) => bin!(o, f64_of, |x, y| b(x > y)),
            Instr::F64Le(o) => bin!(o, f64_of, |x, y| b(x <= y)),
            Instr::F64Ge(o) => bin!(o, f64_of, |x, y| b(x >= y)),
            Instr::I32Clz(o) => un!(o, u32v, |a| a.leading_zeros() as u64),
            Instr::I32Ctz(o) => un!(o, u32v, |a| a.trailing_zeros() as u64),
            Instr::I32Popcnt(o) => un!(o, u32v, |a| a.count_ones() as u64),
            Instr::I32Add(o) => bin!(o, u32v, |x, y| w32(x.wrapping_add(y))),
            Instr::I32Sub(o) => bin!(o, u32v, |x, y| w32(x.wrapping_sub(y))),
            Instr::I32Mul(o) => bin!(o, u32v, |x, y| w32(x.wrapping_mul(y))),
            Instr::I32DivS(o) => bin!(o, i32v, |x, y| ws32(tri!(numeric::i32_div_s(x, y)))),
            Instr::I32DivU(o) => bin!(o, u32v, |x, y| w32(tri!(numeric::i32_div_u(x, y)))),
            Instr::I32RemS(o) => bin!(o, i32v, |x, y| ws32(tri!(numeric::i32_rem_s(x, y)))),
            Instr::I32RemU(o) => bin!(o, u32v, |x, y| w32(tri!(numeric::i32_rem_u(x, y)))),
            Instr::I32And(o) => bin!(o, u32v, |x, y| w32(x & y)),
            Instr::I32Or(o) => bin!(o, u32v, |x, y| w32(x | y)),
            Instr::I32Xor(o) => bin!(o, u32v, |x, y| w32(x ^ y)),
            Instr::I32Shl(o) => bin!(o, u32v, |x, y| w32(x.wrapping_shl(y))),
            Instr::I32ShrS(o) => bin!(o, i32v, |x, y| ws32(x.wrapping_shr(y as u32))),
            Instr::I32ShrU(o) => bin!(o, u32v, |x, y| w32(x.wrapping_shr(y))),
            Instr::I32Rotl(o) => bin!(o, u32v, |x, y| w32(x.rotate_left(y % 32))),
            Instr::I32Rotr(o) => bin!(o, u32v, |x, y| w32(x.rotate_right(y % 32))),
            Instr::I64Clz(o) => un!(o, u64v, |a| a.leading_zeros() as u64),
            Instr::I64Ctz(o) => un!(o, u64v, |a| a.trailing_zeros() as u64),
            Instr::I64Popcnt(o) => un!(o, u64v, |a| a.count_ones() as u64),
            Instr::I64Add(o) => bin!(o, u64v, |x, y| x.wrapping_add(y)),
            Instr::I64Sub(o) => bin!(o, u64v, |x, y| x.wrapping_sub(y)),
            Instr::I64Mul(o) => bin!(o, u64v, |x, y| x.wrapping_mul(y)),
            Instr::I64DivS(o) => bin!(o, i64v, |x, y| tri!(numeric::i64_div_s(x, y)) as u64),
            Instr::I64DivU(o) => bin!(o, u64v, |x, y| tri!(numeric::i64_div_u(x, y))),
            Instr::I64RemS(o) => bin!(o, i64v, |x, y| tri!(numeric::i64_rem_s(x, y)) as u64),
            Instr::I64RemU(o) => bin!(o, u64v, |x, y| tri!(numeric::i64_rem_u(x, y))),
            Instr::I64And(o) => bin!(o, u64v, |x, y| x & y),
            Instr::I64Or(o) => bin!(o, u64v, |x, y| x | y),
            Instr::I64Xor(o) => bin!(o, u64v, |x, y| x ^ y),
            Instr::I64Shl(o) => bin!(o, u64v, |x, y| x.wrapping_shl(y as u32)),
            Instr::I64ShrS(o) => bin!(o, i64v, |x, y| x.wrapping_shr(y as u32) as u64),
            Instr::I64ShrU(o) => bin!(o, u64v, |x, y| x.wrapping_shr(y as u32)),
            Instr::I64Rotl(o) => bin!(o, u64v, |x, y| x.rotate_left((y % 64) as u32)),
            Instr::I64Rotr(o) => bin!(o, u64v, |x, y| x.rotate_right((y % 64) as u32)),
            Instr::F32Abs(o) => un!(o, u32v, |a| w32(a & 0x7fff_ffff)),
            Instr::F32Neg(o) => un!(o, u32v, |a| w32(a ^ 0x8000_0000)),
            Instr::F32Ceil(o) => un!(o, f32_of, |a| of_f32(numeric::quiet(a.ceil()))),
            Instr::F32Floor(o) => un!(o, f32_of, |a| of_f32(numeric::quiet(a.floor()))),
            Instr::F32Trunc(o) => un!(o, f32_of, |a| of_f32(numeric::quiet(a.trunc()))),
            Instr::F32Nearest(o) => un!(o, f32_of, |a| of_f32(numeric::f32_nearest(a))),
            Instr::F32Sqrt(o) => un!(o, f32_of, |a| of_f32(a.sqrt())),
            Instr::F32Add(o) => bin!(o, f32_of, |x, y| of_f32(x + y)),
            Instr::F32Sub(o) => bin!(o, f32_of, |x, y| of_f32(x - y)),
            Instr::F32Mul(o) => bin!(o, f32_of, |x, y| of_f32(x * y)),
            Instr::F32Div(o) => bin!(o, f32_of, |x, y| of_f32(x / y)),
            Instr::F32Min(o) => bin!(o, f32_of, |x, y| of_f32(numeric::f32_min(x, y))),
            Instr::F32Max(o) => bin!(o, f32_of, |x, y| of_f32(numeric::f32_max(x, y))),
            Instr::F32Copysign(o) => {
                bin!(o, u32v, |x, y| w32((x & 0x7fff_ffff) | (y & 0x8000_0000)))
            }
            Instr::F64Abs(o) => un!(o, u64v, |a| a & 0x7fff_ffff_ffff_ffff),
            Instr::F64Neg(o) => un!(o, u64v, |a| a ^ 0x8000_0000_0000_0000),
            Instr::F64Ceil(o) => un!(o, f64_of, |a| of_f64(numeric::quiet(a.ceil()))),
            Instr::F64Floor(o) => un!(o, f64_of, |a| of_f64(numeric::quiet(a.floor()))),
            Instr::F64Trunc(o) => un!(o, f64_of, |a| of_f64(numeric::quiet(a.trunc()))),
            Instr::F64Nearest(o) => un!(o, f64_of, |a| of_f64(numeric::f64_nearest(a))),
            Instr::F64Sqrt(o) => un!(o, f64_of, |a| of_f64(a.sqrt())),
            Instr::F64Add(o) => bin!(o, f64_of, |x, y| of_f64(x + y)),
            Instr::F64Sub(o) => bin!(o, f64_of, |x, y| of_f64(x - y)),
            Instr::F64Mul(o) => bin!(o, f64_of, |x, y| of_f64(x * y)),
            Instr::F64Div(o) => bin!(o, f64_of, |x, y| of_f64(x / y)),
            Instr::F64Min(o) => bin!(o, f64_of, |x, y| of_f64(numeric::f64_min(x, y))),
            Instr::F64Max(o) => bin!(o, f64_of, |x, y| of_f64(numeric::f64_max(x, y))),
            Instr::F64Copysign(o) => {
                bin!(o, u64v, |x, y| (x & 0x7fff_ffff_ffff_ffff)
                    | (y & 0x8000_0000_0000_0000))
            }
            Instr::I32WrapI64(o) => un!(o, u64v, |a| a as u32 as u64),
            Instr::I32TruncF32S(o) => {
                un!(o, f32_of, |a| ws32(tri!(numeric::i32_trunc_s(a as f64))))
            }
            Instr::I32TruncF32U(o) => un!(o, f32_of, |a| w32(tri!(numeric::i32_trunc_u(a as f64)))),
            Instr::I32TruncF64S(o) => un!(o, f64_of, |a| ws32(tri!(numeric::i32_trunc_s(a)))),
            Instr::I32TruncF64U(o) => un!(o, f64_of, |a| w32(tri!(numeric::i32_trunc_u(a)))),
            Instr::I64ExtendI32S(o) => un!(o, i32v, |a| a as i64 as u64),
            Instr::I64ExtendI32U(o) => un!(o, u32v, |a| a as u64),
            Instr::I64TruncF32S(o) => {
                un!(o, f32_of, |a| tri!(numeric::i64_trunc_s(a as f64)) as u64)
            }
            Instr::I64TruncF32U(o) => un!(o, f32_of, |a| tri!(numeric::i64_trunc_u(a as f64))),
            Instr::I64TruncF64S(o) => un!(o, f64_of, |a| tri!(numeric::i64_trunc_s(a)) as u64),
            Instr::I64TruncF64U(o) => un!(o, f64_of, |a| tri!(numeric::i64_trunc_u(a))),
            Instr::F32ConvertI32S(o) => un!(o, i32v, |a| of_f32(a as f32)),
            Instr::F32ConvertI32U(o) => un!(o, u32v, |a| of_f32(a as f32)),
            Instr::F32ConvertI64S(o) => un!(o, i64v, |a| of_f32(a as f32)),
            Instr::F32ConvertI64U(o) => un!(o, u64v, |a| of_f32(a as f32)),
            Instr::F32DemoteF64(o) => un!(o, f64_of, |a| of_f32(a as f32)),
            Instr::F64ConvertI32S(o) => un!(o, i32v, |a| of_f64(a as f64)),
            Instr::F64ConvertI32U(o) => un!(o, u32v, |a| of_f64(a as f64)),
            Instr::F64ConvertI64S(o) => un!(o, i64v, |a| of_f64(a as f64)),
            Instr::F64ConvertI64U(o) => un!(o, u64v, |a| of_f64(a as f64)),
            Instr::F64PromoteF32(o) => un!(o, f32_of, |a| of_f64(a as f64)),
            Instr::I32ReinterpretF32(o) => un!(o, u32v, |a| a as u64),
            Instr::I64ReinterpretF64(o) => un!(o, u64v, |a| a),
            Instr::F32ReinterpretI32(o) => un!(o, u32v, |a| a as u64),
            Instr::F64ReinterpretI64(o) => un!(o, u64v, |a| a),
            Instr::I32Extend8S(o) => un!(o, u32v, |a| ws32(a as i8 as i32)),
            Instr::I32Extend16S(o) => un!(o, u32v, |a| ws32(a as i16 as i32)),
            Instr::I64Extend8S(o) => un!(o, u64v, |a| a as i8 as i64 as u64),
            Instr::I64Extend16S(o) => un!(o, u64v, |a| a as i16 as i64 as u64),
            Instr::I64Extend32S(o) => un!(o, u64v, |a| a as i32 as i64 as u64),
            Instr::I32TruncSatF32S(o) => un!(o, f32_of, |a| ws32(a as i32)),
            Instr::I32TruncSatF32U(o) => un!(o, f32_of, |a| w32(a as u32)),
            Instr::I32TruncSatF64S(o) => un!(o, f64_of, |a| ws32(a as i32)),
            Instr::I32TruncSatF64U(o) => un!(o, f64_of, |a| w32(a as u32)),
            Instr::I64TruncSatF32S(o) => un!(o, f32_of, |a| a as i64 as u64),
            Instr::I64TruncSatF32U(o) => un!(o, f32_of, |a| a as u64),
            Instr::I64TruncSatF64S(o) => un!(o, f64_of, |a| a as i64 as u64),
            Instr::I64TruncSatF64U(o) => un!(o, f64_of, |a| a as u64),
        }
        pc += 1;
    }
}
