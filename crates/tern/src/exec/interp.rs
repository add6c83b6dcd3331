//! The interpreter loop: one `match` over [`Instr`] with the hot state (code, program
//! counter, frame pointer, default memory) held in locals.
//!
//! This is the only place in tern that reads frame slots, instructions and linear
//! memory without a bounds check per access. Each unchecked access relies on an
//! invariant established once, elsewhere:
//! - slots: the verifier (`compile::verify`) proved every slot operand of the code is
//!   below the function's `frame_size`, and [`Stack::enter`] proved the frame lies in
//!   `stack.slots`, which is allocated once and never resized;
//! - instructions: the verifier proved every branch target is in the code and the last
//!   instruction does not fall through;
//! - memory 0: every access is checked against the cached length `mem_len` before the
//!   unchecked read or write, and the cached pointer and length are reloaded after
//!   anything that may reallocate or re-borrow the memory (grow, bulk memory
//!   operations, calls and returns).

use super::{frame_code, numeric, Outcome, Stack, Stop};
use crate::compile::isa::Instr;
use crate::error::TrapCode;
use crate::runtime::store::{CodePart, DataPart, FuncEntity, InstanceEntity};
use crate::syntax::{LoadOp, StoreOp};

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
#[inline(always)]
fn i32v(v: u64) -> i32 {
    v as i32
}
#[inline(always)]
fn u32v(v: u64) -> u32 {
    v as u32
}
#[inline(always)]
fn i64v(v: u64) -> i64 {
    v as i64
}
#[inline(always)]
fn u64v(v: u64) -> u64 {
    v
}
#[inline(always)]
fn b(v: bool) -> u64 {
    v as u64
}
#[inline(always)]
fn w32(v: u32) -> u64 {
    v as u64
}
#[inline(always)]
fn ws32(v: i32) -> u64 {
    v as u32 as u64
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

/// An address, index or length operand: the whole slot for 64-bit memories and
/// tables, the low 32 bits (unsigned) otherwise.
#[inline(always)]
fn addr(v: u64, is64: bool) -> u64 {
    if is64 {
        v
    } else {
        v as u32 as u64
    }
}

/// The "failed" result of `memory.grow` and `table.grow`: -1 in the address type.
#[inline(always)]
fn minus_one(is64: bool) -> u64 {
    if is64 {
        u64::MAX
    } else {
        u32::MAX as u64
    }
}

/// `[start, start + n)` checked against a memory of `len` bytes.
fn range(start: u64, n: u64, len: usize) -> Result<(usize, usize), TrapCode> {
    match start.checked_add(n) {
        Some(end) if end <= len as u64 => Ok((start as usize, n as usize)),
        _ => Err(TrapCode::MemoryOutOfBounds),
    }
}

/// `[start, start + n)` checked against a table of `len` elements.
fn table_range(start: u64, n: u64, len: usize) -> Result<(usize, usize), TrapCode> {
    range(start, n, len).map_err(|_| TrapCode::TableOutOfBounds)
}

/// A load from any memory, through a checked slice (the slow path for memories other
/// than the cached memory 0).
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

/// A store to any memory, through a checked slice.
fn store(bytes: &mut [u8], op: StoreOp, addr: u64, offset: u64, v: u64) -> Result<(), TrapCode> {
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

/// The base pointer and length of an instance's memory 0 (null and 0 if it has none).
#[inline]
fn mem0(data: &mut DataPart, inst: &InstanceEntity) -> (*mut u8, usize) {
    match inst.memories.first() {
        Some(&m) => {
            let m = &mut data.memories[m as usize];
            (m.as_mut_ptr(), m.byte_len())
        }
        None => (std::ptr::null_mut(), 0),
    }
}

/// Runs from the top frame of `stack` until the bottom frame returns, a host call, or
/// a trap; `pc_out` receives the program counter of the trapping instruction.
pub(super) fn interpret<'a>(
    code_part: &'a CodePart,
    data: &mut DataPart,
    stack: &mut Stack,
    pc_out: &mut usize,
) -> Result<Outcome, Stop> {
    let Some(&top) = stack.frames.last() else {
        return Ok(Outcome::Returned);
    };
    let (c, mut inst, mut inst_idx) = frame_code(code_part, top.func)?;
    let mut code: &'a [crate::compile::isa::Instr] = &c.code;
    // `ip` points at the current instruction; `pc!()` is its index in `code`.
    // SAFETY: the frame's saved pc is an instruction of its code.
    let mut ip: *const Instr = unsafe { code.as_ptr().add(top.pc as usize) };
    let mut fp = top.fp;
    // SAFETY: `Stack::enter` checked `fp + frame_size <= slots.len()` for this frame.
    let mut sp: *mut u64 = unsafe { stack.slots.as_mut_ptr().add(fp) };
    let (mut mem, mut mem_len) = mem0(data, inst);

    macro_rules! pc {
        () => {
            // SAFETY: `ip` always points into `code`.
            unsafe { ip.offset_from(code.as_ptr()) as usize }
        };
    }
    macro_rules! bail {
        ($e:expr) => {{
            *pc_out = pc!();
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
    // Slot access. SAFETY (for every use): the verifier proved each slot operand is
    // below the frame size, and the frame lies inside `stack.slots` (see module docs).
    macro_rules! s {
        ($slot:expr) => {
            unsafe { *sp.add($slot as usize) }
        };
    }
    macro_rules! set {
        ($slot:expr, $v:expr) => {{
            let v: u64 = $v;
            unsafe { *sp.add($slot as usize) = v }
        }};
    }
    macro_rules! un {
        ($o:expr, $conv:ident, |$a:ident| $body:expr) => {{
            let $a = $conv(s!($o.src));
            set!($o.dst, $body);
        }};
    }
    macro_rules! bin {
        ($o:expr, $conv:ident, |$a:ident, $b:ident| $body:expr) => {{
            let $a = $conv(s!($o.a));
            let $b = $conv(s!($o.b));
            set!($o.dst, $body);
        }};
    }
    macro_rules! refresh_mem {
        () => {{
            (mem, mem_len) = mem0(data, inst);
        }};
    }
    // Loads and stores on memory 0. SAFETY: `a + N <= mem_len` is checked first, and
    // `mem` points to `mem_len` bytes (refreshed after anything that could move them).
    macro_rules! ld {
        ($o:expr, $n:literal, |$x:ident| $conv:expr) => {{
            let a = s!($o.addr) as u32 as u64 + $o.offset as u64;
            if a + $n > mem_len as u64 {
                bail!(TrapCode::MemoryOutOfBounds);
            }
            let $x: [u8; $n] =
                unsafe { std::ptr::read_unaligned(mem.add(a as usize) as *const [u8; $n]) };
            set!($o.dst, $conv);
        }};
    }
    macro_rules! st {
        ($o:expr, $n:literal, |$v:ident| $bytes:expr) => {{
            let a = s!($o.addr) as u32 as u64 + $o.offset as u64;
            if a + $n > mem_len as u64 {
                bail!(TrapCode::MemoryOutOfBounds);
            }
            let $v = s!($o.value);
            let bytes: [u8; $n] = $bytes;
            unsafe { std::ptr::write_unaligned(mem.add(a as usize) as *mut [u8; $n], bytes) };
        }};
    }
    macro_rules! jump {
        ($offset:expr) => {{
            // SAFETY: the verifier proved every branch target is inside the code.
            ip = unsafe { ip.offset($offset as isize) };
            continue;
        }};
    }
    macro_rules! brcmp {
        ($o:expr, $t:ty, |$a:ident, $b:ident| $cond:expr) => {{
            let $a = s!($o.a) as $t;
            let $b = s!($o.b) as $t;
            if $cond {
                jump!($o.offset);
            }
        }};
    }
    // Enters wasm function `callee` (store index) with its frame at `fp + base`, or
    // returns a host call.
    macro_rules! call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            let new_fp = fp + $base as usize;
            if let Some(f) = stack.frames.last_mut() {
                f.pc = pc!() as u32 + 1;
            }
            match &code_part.funcs[callee as usize] {
                FuncEntity::Wasm(w) => {
                    let c = tri!(w.code());
                    tri!(stack.enter(callee, c, new_fp));
                    // SAFETY: `enter` checked the new frame lies inside `stack.slots`.
                    sp = unsafe { stack.slots.as_mut_ptr().add(new_fp) };
                    fp = new_fp;
                    code = &c.code;
                    ip = code.as_ptr();
                    if w.instance != inst_idx {
                        inst_idx = w.instance;
                        inst = &code_part.instances[inst_idx as usize];
                    }
                    refresh_mem!();
                    continue;
                }
                FuncEntity::Host { .. } => {
                    *pc_out = pc!();
                    return Ok(Outcome::HostCall {
                        func: callee,
                        base: new_fp,
                    });
                }
            }
        }};
    }

    // Replaces the current frame by wasm function `callee`, whose arguments are at
    // `fp + base`; a host callee is called normally (the code after the tail call
    // returns its results).
    macro_rules! tail_call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            match &code_part.funcs[callee as usize] {
                FuncEntity::Wasm(w) => {
                    let c = tri!(w.code());
                    let np = c.num_params as usize;
                    let from = fp + $base as usize;
                    stack.slots.copy_within(from..from + np, fp);
                    stack.frames.pop();
                    tri!(stack.enter(callee, c, fp));
                    // SAFETY: `enter` checked the frame lies inside `stack.slots`.
                    sp = unsafe { stack.slots.as_mut_ptr().add(fp) };
                    code = &c.code;
                    ip = code.as_ptr();
                    if w.instance != inst_idx {
                        inst_idx = w.instance;
                        inst = &code_part.instances[inst_idx as usize];
                    }
                    refresh_mem!();
                    continue;
                }
                FuncEntity::Host { .. } => call!(callee, $base),
            }
        }};
    }
    // The callee of an indirect call through a table, with its checks.
    macro_rules! indirect {
        ($type_id:expr, $table:expr, $index:expr, $is64:expr) => {{
            let t = &data.tables[inst.tables[$table as usize] as usize];
            let i = addr(s!($index), $is64);
            let Some(&fref) = usize::try_from(i).ok().and_then(|i| t.elems.get(i)) else {
                bail!(TrapCode::UndefinedElement)
            };
            if fref == 0 {
                bail!(TrapCode::UninitializedElement);
            }
            let callee = (fref - 1) as u32;
            if code_part.funcs[callee as usize].type_id() != $type_id {
                bail!(TrapCode::BadSignature);
            }
            callee
        }};
    }
    macro_rules! func_ref {
        ($fref:expr) => {{
            let r = s!($fref);
            if r == 0 {
                bail!(TrapCode::NullFuncReference);
            }
            (r - 1) as u32
        }};
    }

    loop {
        // SAFETY: the verifier proved every branch lands inside the code and the last
        // instruction never falls through, so `pc` is always in bounds here.
        // (Matching on the place, not a copy, lets each arm load only its own fields.)
        match unsafe { *ip } {
            Instr::Unreachable => bail!(TrapCode::Unreachable),
            Instr::Br { offset } => jump!(offset),
            Instr::BrIfNez { cond, offset } => {
                if s!(cond) as u32 != 0 {
                    jump!(offset);
                }
            }
            Instr::BrIfEqz { cond, offset } => {
                if s!(cond) as u32 == 0 {
                    jump!(offset);
                }
            }
            Instr::BrTable { index, len } => {
                let i = (s!(index) as u32).min(len);
                // SAFETY: the verifier proved the `len + 1` table entries follow.
                ip = unsafe { ip.add(1 + i as usize) };
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
                let Some(&caller) = stack.frames.last() else {
                    *pc_out = pc!();
                    return Ok(Outcome::Returned);
                };
                let (c, i, idx) = tri!(frame_code(code_part, caller.func));
                code = &c.code;
                // SAFETY: a saved pc is an instruction of its function's code.
                ip = unsafe { code.as_ptr().add(caller.pc as usize) };
                fp = caller.fp;
                // SAFETY: the caller's frame was checked by `enter` when it was pushed.
                sp = unsafe { stack.slots.as_mut_ptr().add(fp) };
                if idx != inst_idx {
                    inst_idx = idx;
                    inst = i;
                }
                refresh_mem!();
                continue;
            }
            Instr::Call { func, base } => call!(inst.funcs[func as usize], base),
            Instr::CallIndirect {
                type_id,
                table,
                index,
                base,
                is64,
            } => {
                call!(indirect!(type_id, table, index, is64), base)
            }
            Instr::ReturnCall { func, base } => tail_call!(inst.funcs[func as usize], base),
            Instr::ReturnCallIndirect {
                type_id,
                table,
                index,
                base,
                is64,
            } => {
                tail_call!(indirect!(type_id, table, index, is64), base)
            }
            Instr::CallRef { fref, base } => call!(func_ref!(fref), base),
            Instr::ReturnCallRef { fref, base } => tail_call!(func_ref!(fref), base),
            Instr::BrOnNull { src, offset } => {
                if s!(src) == 0 {
                    jump!(offset);
                }
            }
            Instr::BrOnNonNull { src, offset } => {
                if s!(src) != 0 {
                    jump!(offset);
                }
            }
            Instr::Copy(o) => set!(o.dst, s!(o.src)),
            Instr::CopyMany { dst, src, len } => {
                // SAFETY: the verifier proved both ranges lie inside the frame;
                // `ptr::copy` allows them to overlap.
                unsafe { std::ptr::copy(sp.add(src as usize), sp.add(dst as usize), len as usize) };
            }
            Instr::Select { dst, cond, a, b } => {
                let v = if s!(cond) as u32 != 0 { s!(a) } else { s!(b) };
                set!(dst, v);
            }
            Instr::GlobalGet { dst, global } => {
                set!(
                    dst,
                    data.globals[inst.globals[global as usize] as usize].value
                );
            }
            Instr::GlobalSet { src, global } => {
                data.globals[inst.globals[global as usize] as usize].value = s!(src);
            }
            Instr::I32Load(o) => ld!(o, 4, |x| u32::from_le_bytes(x) as u64),
            Instr::I64Load(o) => ld!(o, 8, |x| u64::from_le_bytes(x)),
            Instr::F32Load(o) => ld!(o, 4, |x| u32::from_le_bytes(x) as u64),
            Instr::F64Load(o) => ld!(o, 8, |x| u64::from_le_bytes(x)),
            Instr::I32Load8S(o) => ld!(o, 1, |x| x[0] as i8 as i32 as u32 as u64),
            Instr::I32Load8U(o) => ld!(o, 1, |x| x[0] as u64),
            Instr::I32Load16S(o) => ld!(o, 2, |x| i16::from_le_bytes(x) as i32 as u32 as u64),
            Instr::I32Load16U(o) => ld!(o, 2, |x| u16::from_le_bytes(x) as u64),
            Instr::I64Load8S(o) => ld!(o, 1, |x| x[0] as i8 as i64 as u64),
            Instr::I64Load8U(o) => ld!(o, 1, |x| x[0] as u64),
            Instr::I64Load16S(o) => ld!(o, 2, |x| i16::from_le_bytes(x) as i64 as u64),
            Instr::I64Load16U(o) => ld!(o, 2, |x| u16::from_le_bytes(x) as u64),
            Instr::I64Load32S(o) => ld!(o, 4, |x| i32::from_le_bytes(x) as i64 as u64),
            Instr::I64Load32U(o) => ld!(o, 4, |x| u32::from_le_bytes(x) as u64),
            Instr::I32Store(o) => st!(o, 4, |v| (v as u32).to_le_bytes()),
            Instr::I64Store(o) => st!(o, 8, |v| v.to_le_bytes()),
            Instr::F32Store(o) => st!(o, 4, |v| (v as u32).to_le_bytes()),
            Instr::F64Store(o) => st!(o, 8, |v| v.to_le_bytes()),
            Instr::I32Store8(o) => st!(o, 1, |v| [v as u8]),
            Instr::I32Store16(o) => st!(o, 2, |v| (v as u16).to_le_bytes()),
            Instr::I64Store8(o) => st!(o, 1, |v| [v as u8]),
            Instr::I64Store16(o) => st!(o, 2, |v| (v as u16).to_le_bytes()),
            Instr::I64Store32(o) => st!(o, 4, |v| (v as u32).to_le_bytes()),
            Instr::LoadMem {
                op,
                mem: m,
                dst,
                addr: a,
                offset,
            } => {
                let m = &data.memories[inst.memories[m as usize] as usize];
                let v = tri!(load(m.data(), op, s!(a) as u32 as u64, offset as u64));
                set!(dst, v);
                refresh_mem!();
            }
            Instr::StoreMem {
                op,
                mem: m,
                addr: a,
                value,
                offset,
            } => {
                let m = &mut data.memories[inst.memories[m as usize] as usize];
                tri!(store(
                    m.data_mut(),
                    op,
                    s!(a) as u32 as u64,
                    offset as u64,
                    s!(value)
                ));
                refresh_mem!();
            }
            Instr::Load64 {
                op,
                mem: m,
                dst,
                addr: a,
                offset,
            } => {
                let m = &data.memories[inst.memories[m as usize] as usize];
                let v = tri!(load(m.data(), op, s!(a), s!(offset)));
                set!(dst, v);
                refresh_mem!();
            }
            Instr::Store64 {
                op,
                mem: m,
                addr: a,
                value,
                offset,
            } => {
                let m = &mut data.memories[inst.memories[m as usize] as usize];
                tri!(store(m.data_mut(), op, s!(a), s!(offset), s!(value)));
                refresh_mem!();
            }
            Instr::MemorySize { dst, mem: m } => {
                let m = &data.memories[inst.memories[m as usize] as usize];
                set!(dst, m.pages());
            }
            Instr::MemoryGrow {
                dst,
                delta,
                mem: m,
                is64,
            } => {
                let m = &mut data.memories[inst.memories[m as usize] as usize];
                let r = match m.grow(addr(s!(delta), is64)) {
                    Some(old) => old,
                    None => minus_one(is64),
                };
                set!(dst, r);
                refresh_mem!();
            }
            Instr::MemoryFill { args, mem: m, is64 } => {
                let m = &mut data.memories[inst.memories[m as usize] as usize];
                let d = addr(s!(args), is64);
                let v = s!(args + 1) as u8;
                let n = addr(s!(args + 2), is64);
                let (start, n) = tri!(range(d, n, m.byte_len()));
                m.data_mut()[start..start + n].fill(v);
                refresh_mem!();
            }
            Instr::MemoryCopy {
                args,
                dst_mem,
                src_mem,
                dst64,
                src64,
            } => {
                let d = addr(s!(args), dst64);
                let sa = addr(s!(args + 1), src64);
                let n = addr(s!(args + 2), dst64 && src64);
                let dm = inst.memories[dst_mem as usize] as usize;
                let sm = inst.memories[src_mem as usize] as usize;
                let (ss, n) = tri!(range(sa, n, data.memories[sm].byte_len()));
                let (ds, _) = tri!(range(d, n as u64, data.memories[dm].byte_len()));
                if dm == sm {
                    data.memories[dm].data_mut().copy_within(ss..ss + n, ds);
                } else {
                    let src: Vec<u8> = data.memories[sm].data()[ss..ss + n].to_vec();
                    data.memories[dm].data_mut()[ds..ds + n].copy_from_slice(&src);
                }
                refresh_mem!();
            }
            Instr::MemoryInit {
                args,
                data: seg,
                mem: m,
                is64,
            } => {
                let d = addr(s!(args), is64);
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as u64;
                let bytes = &data.datas[inst.datas[seg as usize] as usize].bytes;
                let m = &mut data.memories[inst.memories[m as usize] as usize];
                let (ss, n) = tri!(range(sa, n, bytes.len()));
                let (ds, _) = tri!(range(d, n as u64, m.byte_len()));
                m.data_mut()[ds..ds + n].copy_from_slice(&bytes[ss..ss + n]);
                refresh_mem!();
            }
            Instr::DataDrop { data: seg } => {
                data.datas[inst.datas[seg as usize] as usize].bytes = std::sync::Arc::from([]);
            }
            Instr::TableGet {
                dst,
                index,
                table,
                is64,
            } => {
                let t = &data.tables[inst.tables[table as usize] as usize];
                let i = addr(s!(index), is64);
                let Some(&v) = usize::try_from(i).ok().and_then(|i| t.elems.get(i)) else {
                    bail!(TrapCode::TableOutOfBounds)
                };
                set!(dst, v);
            }
            Instr::TableSet { args, table, is64 } => {
                let t = &mut data.tables[inst.tables[table as usize] as usize];
                let i = addr(s!(args), is64);
                let v = s!(args + 1);
                let Some(e) = usize::try_from(i).ok().and_then(|i| t.elems.get_mut(i)) else {
                    bail!(TrapCode::TableOutOfBounds)
                };
                *e = v;
            }
            Instr::TableSize { dst, table } => {
                set!(
                    dst,
                    data.tables[inst.tables[table as usize] as usize].size()
                );
            }
            Instr::TableGrow { args, table, is64 } => {
                let t = &mut data.tables[inst.tables[table as usize] as usize];
                let init = s!(args);
                let delta = addr(s!(args + 1), is64);
                let r = match t.grow(delta, init) {
                    Some(old) => old,
                    None => minus_one(is64),
                };
                set!(args, r);
            }
            Instr::TableFill { args, table, is64 } => {
                let t = &mut data.tables[inst.tables[table as usize] as usize];
                let d = addr(s!(args), is64);
                let v = s!(args + 1);
                let n = addr(s!(args + 2), is64);
                let (d, n) = tri!(table_range(d, n, t.elems.len()));
                t.elems[d..d + n].fill(v);
            }
            Instr::TableCopy {
                args,
                dst,
                src,
                dst64,
                src64,
            } => {
                let d = addr(s!(args), dst64);
                let sa = addr(s!(args + 1), src64);
                let n = addr(s!(args + 2), dst64 && src64);
                let dt = inst.tables[dst as usize] as usize;
                let st = inst.tables[src as usize] as usize;
                let (sa, n) = tri!(table_range(sa, n, data.tables[st].elems.len()));
                let (d, _) = tri!(table_range(d, n as u64, data.tables[dt].elems.len()));
                if dt == st {
                    data.tables[dt].elems.copy_within(sa..sa + n, d);
                } else {
                    let tmp: Vec<u64> = data.tables[st].elems[sa..sa + n].to_vec();
                    data.tables[dt].elems[d..d + n].copy_from_slice(&tmp);
                }
            }
            Instr::TableInit {
                args,
                elem,
                table,
                is64,
            } => {
                let d = addr(s!(args), is64);
                let sa = s!(args + 1) as u32 as u64;
                let n = s!(args + 2) as u32 as u64;
                let items = &data.elems[inst.elems[elem as usize] as usize].items;
                let t = &mut data.tables[inst.tables[table as usize] as usize];
                let (sa, n) = tri!(table_range(sa, n, items.len()));
                let (d, _) = tri!(table_range(d, n as u64, t.elems.len()));
                t.elems[d..d + n].copy_from_slice(&items[sa..sa + n]);
            }
            Instr::ElemDrop { elem } => {
                data.elems[inst.elems[elem as usize] as usize].items = Vec::new();
            }
            Instr::RefIsNull(o) => set!(o.dst, (s!(o.src) == 0) as u64),
            Instr::RefFunc { dst, func } => set!(dst, inst.funcs[func as usize] as u64 + 1),
            Instr::RefAsNonNull(o) => {
                let v = s!(o.src);
                if v == 0 {
                    bail!(TrapCode::NullReference);
                }
                set!(o.dst, v);
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
        // SAFETY: the instruction just executed is not the last one (the last never
        // falls through), so the next one exists.
        ip = unsafe { ip.add(1) };
    }
}
