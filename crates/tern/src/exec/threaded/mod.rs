//! The interpreter: threaded code. Each instruction carries a pointer to its handler;
//! a handler executes its instruction and then calls the next instruction's handler in
//! tail position, so in optimized builds dispatch is one indirect jump per
//! instruction, taken from the handler itself (no central `match`, no loop).
//!
//! Two dispatch modes share every handler:
//! - *tail* (optimized builds on x86-64 and AArch64): handlers tail-call each other.
//!   Rust does not guarantee tail calls, so the fast paths of calls and returns are
//!   kept small (their general paths go back to the loop in [`interpret`]), and a
//!   guard checks at every call and backward branch that the host stack has not
//!   grown, so a call the compiler failed to turn into a jump becomes a clean error
//!   instead of a stack overflow.
//! - *portable* (builds with debug assertions or the `portable-dispatch` feature, and
//!   other targets): a handler stores the next instruction in the state and returns
//!   to a loop in [`interpret`].
//!
//! Handlers pass an accumulator `acc` along (see `compile::isa::ACC`): an instruction
//! whose operand or result is the accumulator has its own handler for that operand
//! combination, chosen when the code is lowered, so no handler tests where its
//! operands are. Any value in it is harmless: it is only ever read as a number.
//!
//! Unchecked accesses and the invariants that make them sound:
//! - slots: the verifier (`compile::verify`) proved every slot operand is below the
//!   function's `frame_size`, and [`Stack::enter`] proved the frame lies inside
//!   `stack.slots`, which is allocated once and never resized;
//! - instructions: the verifier proved every branch lands inside the code, the last
//!   instruction never falls through, and `lower` pairs each handler with
//!   instructions of its own variant;
//! - memory 0: every access is checked against the cached length `len` before the
//!   unchecked read or write, and the cached pointer and length are reloaded after
//!   anything that may reallocate or re-borrow the memory (grow, bulk memory
//!   operations, other memories, calls and returns);
//! - table 0 (for `call_indirect`): the same, against its cached element count, with
//!   the cached elements reloaded after every handler that writes a table and on
//!   every change of instance;
//! - entries: `Exec::entries` points at `stack.entries`, which `interpret` sized for
//!   every store function and only `Stack::enter` (the slow call path) writes, after
//!   which it is reloaded. A direct call of a defined function computes its store
//!   index from the instance's first (instantiation checked they are consecutive).

#![allow(non_snake_case)]

use std::hint::unreachable_unchecked;

use super::{numeric, Outcome, Stack, Stop};
use crate::compile::isa::{
    table_entries, Bin, BinI, BinIOp, CompiledFunc, Cond, ExecCtx, Exit, Handler, Instr, MulAdd,
    MulAddOp, Op, Un, ACC,
};
use crate::error::{Error, TrapCode};
use crate::runtime::store::{CodePart, DataPart};

#[macro_use]
mod dispatch;

mod address;
mod call;
mod control;
mod lower;
mod memory;
mod metering;
mod parametric;
mod reference;
mod state;
mod table;
mod values;
mod variable;

pub(super) use lower::ops_of;

use address::ea;
use dispatch::{by_acc, host_sp, Invalid, HOST_STACK_SLACK, TAIL};
use state::{ex, local_funcs, mem0, table0, trap, Exec};
use values::{b, f32_of, f64_of, i32v, i64v, of_f32, of_f64, u32v, u64v, w32, ws32};

/// Runs from the top frame of `stack` until the bottom frame returns, a host call, or
/// a trap; `pc_out` receives the program counter where it stopped.
pub(super) fn interpret(
    code_part: &CodePart,
    data: &mut DataPart,
    stack: &mut Stack,
    pc_out: &mut usize,
) -> Result<Outcome, Stop> {
    let Some(&top) = stack.frames.last() else {
        return Ok(Outcome::Returned);
    };
    // Calls index the entries by store function index without a bounds check.
    stack.cover(code_part.funcs.len());
    let inst_idx = top.inst;
    let inst = &code_part.instances[inst_idx as usize];
    let (mem, len) = mem0(data, inst);
    let tab0 = table0(data, inst);
    let entries = stack.entries_ptr();
    // `Stack::enter` checked the frame lies inside `stack.slots`.
    let sp = top.sp.0;
    // The frame resumes at an instruction of its code (`Frame::set_pc`, the calls).
    let ip = top.code.resume;
    let mut e = Exec {
        code_part,
        data,
        stack,
        inst,
        inst_idx,
        pc: 0,
        trap: TrapCode::Unreachable,
        host: (0, 0),
        error: None,
        mem: (mem, len),
        table0: tab0,
        local: local_funcs(inst),
        entries,
        regs: (ip, sp, mem, len, 0),
        host_stack_limit: if TAIL {
            host_sp().saturating_sub(HOST_STACK_SLACK)
        } else {
            0
        },
    };
    let cx = &mut e as *mut Exec<'_> as *mut ExecCtx;
    let exit = loop {
        // SAFETY: `regs` holds an instruction of the running function and registers
        // that describe its frame and memory (set above, then by each handler that
        // returns `Continue`); `cx` outlives the call.
        let (ip, sp, mem, len, acc) = unsafe { (*(cx as *mut Exec<'_>)).regs };
        match unsafe { ((*ip).handler)(ip, sp, mem, len, cx, acc) } {
            Exit::Continue => continue,
            x => break x,
        }
    };
    *pc_out = e.pc;
    match exit {
        Exit::Returned => Ok(Outcome::Returned),
        Exit::HostCall => Ok(Outcome::HostCall {
            func: e.host.0,
            base: e.host.1,
        }),
        Exit::Trap => Err(Stop::Trap(e.trap)),
        Exit::Error | Exit::Continue => {
            Err(Stop::Error(e.error.take().unwrap_or_else(|| {
                Error::Api("interpreter stopped".into())
            })))
        }
    }
}

/// Handlers of i32 operations with a constant right operand ([`Instr::BinI`]), one per
/// operand mode `dst_a` in {`s_s`, `a_s`, `s_a`, `a_a`}: the operation's semantics as
/// in the numeric handlers, with `y` the immediate.
macro_rules! imm_handlers {
    ($( $op:ident / $m:ident => |$x:ident, $y:ident| $body:expr; )*) => {
        mod bin_i {
            use super::*;
            $(
                pub(super) mod $m {
                    use super::*;
                    imm_handlers!(@fn $op s_s S S |$x, $y| $body);
                    imm_handlers!(@fn $op a_s A S |$x, $y| $body);
                    imm_handlers!(@fn $op s_a S A |$x, $y| $body);
                    imm_handlers!(@fn $op a_a A A |$x, $y| $body);
                }
            )*
            pub(super) fn pick(o: &BinI) -> Handler {
                match o.op {
                    $( BinIOp::$op => match (o.dst == ACC, o.a == ACC) {
                        (false, false) => $m::s_s,
                        (true, false) => $m::a_s,
                        (false, true) => $m::s_a,
                        (true, true) => $m::a_a,
                    }, )*
                }
            }
        }
    };
    (@fn $op:ident $fname:ident $d:ident $s:ident |$x:ident, $y:ident| $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::BinI(o));
            let $x = opnd!($s, sp, acc, o.a) as u32;
            let $y = o.imm;
            let v: u64 = $body;
            let acc = result!($d, sp, acc, o.dst, v);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

imm_handlers! {
    Add / add => |x, y| w32(x.wrapping_add(y));
    Sub / sub => |x, y| w32(x.wrapping_sub(y));
    Mul / mul => |x, y| w32(x.wrapping_mul(y));
    And / and => |x, y| w32(x & y);
    Or / or => |x, y| w32(x | y);
    Xor / xor => |x, y| w32(x ^ y);
    Shl / shl => |x, y| w32(x.wrapping_shl(y));
    ShrS / shr_s => |x, y| ws32((x as i32).wrapping_shr(y));
    ShrU / shr_u => |x, y| w32(x.wrapping_shr(y));
    Rotl / rotl => |x, y| w32(x.rotate_left(y % 32));
    Rotr / rotr => |x, y| w32(x.rotate_right(y % 32));
    Eq / eq => |x, y| b(x == y);
    Ne / ne => |x, y| b(x != y);
    LtS / lt_s => |x, y| b((x as i32) < (y as i32));
    LtU / lt_u => |x, y| b(x < y);
    GtS / gt_s => |x, y| b((x as i32) > (y as i32));
    GtU / gt_u => |x, y| b(x > y);
    LeS / le_s => |x, y| b((x as i32) <= (y as i32));
    LeU / le_u => |x, y| b(x <= y);
    GeS / ge_s => |x, y| b((x as i32) >= (y as i32));
    GeU / ge_u => |x, y| b(x >= y);
}

/// Handlers of the multiply-adds (`dst = a * b + c`) and their shift forms, one per
/// type and per place of the result (`s`, `a`).
mod mul_add {
    use super::*;

    macro_rules! mul_add {
        ($( $name:ident = $op:ident, |$a:ident, $b:ident, $c:ident| $body:expr; )*) => {
            $(
                mod $name {
                    use super::*;
                    mul_add!(@fn s S, |$a, $b, $c| $body);
                    mul_add!(@fn a A, |$a, $b, $c| $body);
                }
            )*
            pub(super) fn pick(o: &MulAdd) -> Handler {
                if o.a == ACC || o.b == ACC || o.c == ACC {
                    return Invalid;
                }
                let dst_acc = o.dst == ACC;
                match o.op {
                    $( MulAddOp::$op => if dst_acc { $name::a } else { $name::s }, )*
                }
            }
        };
        (@fn $fname:ident $d:ident, |$a:ident, $b:ident, $c:ident| $body:expr) => {
            handler_fn!($fname(ip, sp, mem, len, cx, acc) {
                operands!(ip, Instr::MulAdd(o));
                let ($a, $b, $c) = (rd!(sp, o.a), rd!(sp, o.b), rd!(sp, o.c));
                let acc = result!($d, sp, acc, o.dst, $body);
                step!(ip, sp, mem, len, cx, acc)
            });
        };
    }

    mul_add! {
        i32 = I32, |a, b, c| w32((a as u32).wrapping_mul(b as u32).wrapping_add(c as u32));
        i64 = I64, |a, b, c| a.wrapping_mul(b).wrapping_add(c);
        f32 = F32, |a, b, c| of_f32(f32_of(a) * f32_of(b) + f32_of(c));
        f64 = F64, |a, b, c| of_f64(f64_of(a) * f64_of(b) + f64_of(c));
        i32_shl = I32Shl, |a, b, c| w32((a as u32).wrapping_shl(b as u32).wrapping_add(c as u32));
        i64_shl = I64Shl, |a, b, c| a.wrapping_shl(b as u32).wrapping_add(c);
        i32_shl_xor = I32ShlXor, |a, b, c| w32((a as u32).wrapping_shl(b as u32) ^ c as u32);
        i64_shl_xor = I64ShlXor, |a, b, c| a.wrapping_shl(b as u32) ^ c;
        i32_shr_u_xor = I32ShrUXor, |a, b, c| w32((a as u32).wrapping_shr(b as u32) ^ c as u32);
        i64_shr_u_xor = I64ShrUXor, |a, b, c| a.wrapping_shr(b as u32) ^ c;
        i32_eqz_add = I32EqzAdd, |a, _b, c| w32(((a as u32 == 0) as u32).wrapping_add(c as u32));
    }
}

handlers! {
    CanonNan32(ip, sp, mem, len, cx, acc) Instr::CanonNan { slot, .. } => {
        if f32_of(rd!(sp, slot)).is_nan() {
            wr!(sp, slot, 0x7fc0_0000);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
    CanonNan64(ip, sp, mem, len, cx, acc) Instr::CanonNan { slot, .. } => {
        if f64_of(rd!(sp, slot)).is_nan() {
            wr!(sp, slot, 0x7ff8_0000_0000_0000);
        }
        step!(ip, sp, mem, len, cx, acc)
    }
}

/// Defines the numeric handlers from `Name => kind(conversion, |operands| result);`,
/// where kind is `un`/`bin` or, for instructions that can trap, `un_try`/`bin_try`
/// (the closure returns `Result<u64, TrapCode>`).
macro_rules! numeric_handlers {
    ($( $name:ident => $kind:ident($conv:ident, |$($arg:ident),*| $body:expr); )*) => {
        $( numeric_handlers!(@one $name $kind $conv [$($arg)*] $body); )*
    };
    (@one $name:ident $kind:ident $conv:ident [$a:ident] $body:expr) => {
        mod $name {
            use super::*;
            numeric_handlers!(@un $kind $name s_s S S $conv [$a] $body);
            numeric_handlers!(@un $kind $name a_s A S $conv [$a] $body);
            numeric_handlers!(@un $kind $name s_a S A $conv [$a] $body);
            numeric_handlers!(@un $kind $name a_a A A $conv [$a] $body);
            pub(super) fn pick(o: &Un) -> Handler {
                match (o.dst == ACC, o.src == ACC) {
                    (false, false) => s_s,
                    (true, false) => a_s,
                    (false, true) => s_a,
                    (true, true) => a_a,
                }
            }
        }
    };
    (@one $name:ident $kind:ident $conv:ident [$a:ident $b:ident] $body:expr) => {
        mod $name {
            use super::*;
            numeric_handlers!(@bin $kind $name s_ss S S S $conv [$a $b] $body);
            numeric_handlers!(@bin $kind $name a_ss A S S $conv [$a $b] $body);
            numeric_handlers!(@bin $kind $name s_as S A S $conv [$a $b] $body);
            numeric_handlers!(@bin $kind $name s_sa S S A $conv [$a $b] $body);
            numeric_handlers!(@bin $kind $name a_as A A S $conv [$a $b] $body);
            numeric_handlers!(@bin $kind $name a_sa A S A $conv [$a $b] $body);
            pub(super) fn pick(o: &Bin) -> Handler {
                super::by_acc(o.dst, o.a, o.b, [s_ss, a_ss, s_as, s_sa, a_as, a_sa])
            }
        }
    };
    (@value un, $ip:ident, $cx:ident, $body:expr) => { $body };
    (@value bin, $ip:ident, $cx:ident, $body:expr) => { $body };
    (@value un_try, $ip:ident, $cx:ident, $body:expr) => {{
        let r: Result<u64, TrapCode> = $body;
        tri!(r, $ip, $cx)
    }};
    (@value bin_try, $ip:ident, $cx:ident, $body:expr) => {{
        let r: Result<u64, TrapCode> = $body;
        tri!(r, $ip, $cx)
    }};
    (@un $kind:ident $name:ident $fname:ident $d:ident $x:ident $conv:ident [$a:ident] $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let $a = $conv(opnd!($x, sp, acc, o.src));
            let v = numeric_handlers!(@value $kind, ip, cx, $body);
            let acc = result!($d, sp, acc, o.dst, v);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
    (@bin $kind:ident $name:ident $fname:ident $d:ident $x:ident $y:ident $conv:ident [$a:ident $b:ident] $body:expr) => {
        handler_fn!($fname(ip, sp, mem, len, cx, acc) {
            operands!(ip, Instr::$name(o));
            let $a = $conv(opnd!($x, sp, acc, o.a));
            let $b = $conv(opnd!($y, sp, acc, o.b));
            let v = numeric_handlers!(@value $kind, ip, cx, $body);
            let acc = result!($d, sp, acc, o.dst, v);
            step!(ip, sp, mem, len, cx, acc)
        });
    };
}

mod vector;

numeric_handlers! {
I32Eqz => un(u32v, |a| b(a == 0));
I32Eq => bin(u32v, |x, y| b(x == y));
I32Ne => bin(u32v, |x, y| b(x != y));
I32LtS => bin(i32v, |x, y| b(x < y));
I32LtU => bin(u32v, |x, y| b(x < y));
I32GtS => bin(i32v, |x, y| b(x > y));
I32GtU => bin(u32v, |x, y| b(x > y));
I32LeS => bin(i32v, |x, y| b(x <= y));
I32LeU => bin(u32v, |x, y| b(x <= y));
I32GeS => bin(i32v, |x, y| b(x >= y));
I32GeU => bin(u32v, |x, y| b(x >= y));
I64Eqz => un(u64v, |a| b(a == 0));
I64Eq => bin(u64v, |x, y| b(x == y));
I64Ne => bin(u64v, |x, y| b(x != y));
I64LtS => bin(i64v, |x, y| b(x < y));
I64LtU => bin(u64v, |x, y| b(x < y));
I64GtS => bin(i64v, |x, y| b(x > y));
I64GtU => bin(u64v, |x, y| b(x > y));
I64LeS => bin(i64v, |x, y| b(x <= y));
I64LeU => bin(u64v, |x, y| b(x <= y));
I64GeS => bin(i64v, |x, y| b(x >= y));
I64GeU => bin(u64v, |x, y| b(x >= y));
F32Eq => bin(f32_of, |x, y| b(x == y));
F32Ne => bin(f32_of, |x, y| b(x != y));
F32Lt => bin(f32_of, |x, y| b(x < y));
F32Gt => bin(f32_of, |x, y| b(x > y));
F32Le => bin(f32_of, |x, y| b(x <= y));
F32Ge => bin(f32_of, |x, y| b(x >= y));
F64Eq => bin(f64_of, |x, y| b(x == y));
F64Ne => bin(f64_of, |x, y| b(x != y));
F64Lt => bin(f64_of, |x, y| b(x < y));
F64Gt => bin(f64_of, |x, y| b(x > y));
F64Le => bin(f64_of, |x, y| b(x <= y));
F64Ge => bin(f64_of, |x, y| b(x >= y));
I32Clz => un(u32v, |a| a.leading_zeros() as u64);
I32Ctz => un(u32v, |a| a.trailing_zeros() as u64);
I32Popcnt => un(u32v, |a| a.count_ones() as u64);
I32Add => bin(u32v, |x, y| w32(x.wrapping_add(y)));
I32Sub => bin(u32v, |x, y| w32(x.wrapping_sub(y)));
I32Mul => bin(u32v, |x, y| w32(x.wrapping_mul(y)));
I32DivS => bin_try(i32v, |x, y| numeric::i32_div_s(x, y).map(ws32));
I32DivU => bin_try(u32v, |x, y| numeric::i32_div_u(x, y).map(w32));
I32RemS => bin_try(i32v, |x, y| numeric::i32_rem_s(x, y).map(ws32));
I32RemU => bin_try(u32v, |x, y| numeric::i32_rem_u(x, y).map(w32));
I32And => bin(u32v, |x, y| w32(x & y));
I32Or => bin(u32v, |x, y| w32(x | y));
I32Xor => bin(u32v, |x, y| w32(x ^ y));
I32Shl => bin(u32v, |x, y| w32(x.wrapping_shl(y)));
I32ShrS => bin(i32v, |x, y| ws32(x.wrapping_shr(y as u32)));
I32ShrU => bin(u32v, |x, y| w32(x.wrapping_shr(y)));
I32Rotl => bin(u32v, |x, y| w32(x.rotate_left(y % 32)));
I32Rotr => bin(u32v, |x, y| w32(x.rotate_right(y % 32)));
I64Clz => un(u64v, |a| a.leading_zeros() as u64);
I64Ctz => un(u64v, |a| a.trailing_zeros() as u64);
I64Popcnt => un(u64v, |a| a.count_ones() as u64);
I64Add => bin(u64v, |x, y| x.wrapping_add(y));
I64Sub => bin(u64v, |x, y| x.wrapping_sub(y));
I64Mul => bin(u64v, |x, y| x.wrapping_mul(y));
I64DivS => bin_try(i64v, |x, y| numeric::i64_div_s(x, y).map(|v| v as u64));
I64DivU => bin_try(u64v, |x, y| numeric::i64_div_u(x, y));
I64RemS => bin_try(i64v, |x, y| numeric::i64_rem_s(x, y).map(|v| v as u64));
I64RemU => bin_try(u64v, |x, y| numeric::i64_rem_u(x, y));
I64And => bin(u64v, |x, y| x & y);
I64Or => bin(u64v, |x, y| x | y);
I64Xor => bin(u64v, |x, y| x ^ y);
I64Shl => bin(u64v, |x, y| x.wrapping_shl(y as u32));
I64ShrS => bin(i64v, |x, y| x.wrapping_shr(y as u32) as u64);
I64ShrU => bin(u64v, |x, y| x.wrapping_shr(y as u32));
I64Rotl => bin(u64v, |x, y| x.rotate_left((y % 64) as u32));
I64Rotr => bin(u64v, |x, y| x.rotate_right((y % 64) as u32));
F32Abs => un(u32v, |a| w32(a & 0x7fff_ffff));
F32Neg => un(u32v, |a| w32(a ^ 0x8000_0000));
F32Ceil => un(f32_of, |a| of_f32(numeric::quiet(a.ceil())));
F32Floor => un(f32_of, |a| of_f32(numeric::quiet(a.floor())));
F32Trunc => un(f32_of, |a| of_f32(numeric::quiet(a.trunc())));
F32Nearest => un(f32_of, |a| of_f32(numeric::f32_nearest(a)));
F32Sqrt => un(f32_of, |a| of_f32(a.sqrt()));
F32Add => bin(f32_of, |x, y| of_f32(x + y));
F32Sub => bin(f32_of, |x, y| of_f32(x - y));
F32Mul => bin(f32_of, |x, y| of_f32(x * y));
F32Div => bin(f32_of, |x, y| of_f32(x / y));
F32Min => bin(f32_of, |x, y| of_f32(numeric::f32_min(x, y)));
F32Max => bin(f32_of, |x, y| of_f32(numeric::f32_max(x, y)));
F32Copysign => bin(u32v, |x, y| w32((x & 0x7fff_ffff) | (y & 0x8000_0000)));
F64Abs => un(u64v, |a| a & 0x7fff_ffff_ffff_ffff);
F64Neg => un(u64v, |a| a ^ 0x8000_0000_0000_0000);
F64Ceil => un(f64_of, |a| of_f64(numeric::quiet(a.ceil())));
F64Floor => un(f64_of, |a| of_f64(numeric::quiet(a.floor())));
F64Trunc => un(f64_of, |a| of_f64(numeric::quiet(a.trunc())));
F64Nearest => un(f64_of, |a| of_f64(numeric::f64_nearest(a)));
F64Sqrt => un(f64_of, |a| of_f64(a.sqrt()));
F64Add => bin(f64_of, |x, y| of_f64(x + y));
F64Sub => bin(f64_of, |x, y| of_f64(x - y));
F64Mul => bin(f64_of, |x, y| of_f64(x * y));
F64Div => bin(f64_of, |x, y| of_f64(x / y));
F64Min => bin(f64_of, |x, y| of_f64(numeric::f64_min(x, y)));
F64Max => bin(f64_of, |x, y| of_f64(numeric::f64_max(x, y)));
F64Copysign => bin(u64v, |x, y| (x & 0x7fff_ffff_ffff_ffff) | (y & 0x8000_0000_0000_0000));
I32WrapI64 => un(u64v, |a| a as u32 as u64);
I32TruncF32S => un_try(f32_of, |a| numeric::i32_trunc_s(a as f64).map(ws32));
I32TruncF32U => un_try(f32_of, |a| numeric::i32_trunc_u(a as f64).map(w32));
I32TruncF64S => un_try(f64_of, |a| numeric::i32_trunc_s(a).map(ws32));
I32TruncF64U => un_try(f64_of, |a| numeric::i32_trunc_u(a).map(w32));
I64ExtendI32S => un(i32v, |a| a as i64 as u64);
I64ExtendI32U => un(u32v, |a| a as u64);
I64TruncF32S => un_try(f32_of, |a| numeric::i64_trunc_s(a as f64).map(|v| v as u64));
I64TruncF32U => un_try(f32_of, |a| numeric::i64_trunc_u(a as f64));
I64TruncF64S => un_try(f64_of, |a| numeric::i64_trunc_s(a).map(|v| v as u64));
I64TruncF64U => un_try(f64_of, |a| numeric::i64_trunc_u(a));
F32ConvertI32S => un(i32v, |a| of_f32(a as f32));
F32ConvertI32U => un(u32v, |a| of_f32(a as f32));
F32ConvertI64S => un(i64v, |a| of_f32(a as f32));
F32ConvertI64U => un(u64v, |a| of_f32(a as f32));
F32DemoteF64 => un(f64_of, |a| of_f32(a as f32));
F64ConvertI32S => un(i32v, |a| of_f64(a as f64));
F64ConvertI32U => un(u32v, |a| of_f64(a as f64));
F64ConvertI64S => un(i64v, |a| of_f64(a as f64));
F64ConvertI64U => un(u64v, |a| of_f64(a as f64));
F64PromoteF32 => un(f32_of, |a| of_f64(a as f64));
I32ReinterpretF32 => un(u32v, |a| a as u64);
I64ReinterpretF64 => un(u64v, |a| a);
F32ReinterpretI32 => un(u32v, |a| a as u64);
F64ReinterpretI64 => un(u64v, |a| a);
I32Extend8S => un(u32v, |a| ws32(a as i8 as i32));
I32Extend16S => un(u32v, |a| ws32(a as i16 as i32));
I64Extend8S => un(u64v, |a| a as i8 as i64 as u64);
I64Extend16S => un(u64v, |a| a as i16 as i64 as u64);
I64Extend32S => un(u64v, |a| a as i32 as i64 as u64);
I32TruncSatF32S => un(f32_of, |a| ws32(a as i32));
I32TruncSatF32U => un(f32_of, |a| w32(a as u32));
I32TruncSatF64S => un(f64_of, |a| ws32(a as i32));
I32TruncSatF64U => un(f64_of, |a| w32(a as u32));
I64TruncSatF32S => un(f32_of, |a| a as i64 as u64);
I64TruncSatF32U => un(f32_of, |a| a as u64);
I64TruncSatF64S => un(f64_of, |a| a as i64 as u64);
I64TruncSatF64U => un(f64_of, |a| a as u64);}
