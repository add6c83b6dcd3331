//! Vector instructions in Cranelift IR (spec: Vector Instructions): the lane-wise
//! operations of `Instr::Simd`, shuffles and lanes, `select` of vectors, vector
//! globals, NaN canonicalization, and the vector loads and stores of memory 0 with
//! 32-bit addresses. Relaxed instructions compute what the interpreter does (the
//! deterministic profile: see `exec::simd::relaxed`); the two relaxed dot products,
//! other memories and 64-bit memories are left to the interpreter.
//!
//! A `v128` operand is read and written through `Tx::get_vec` and `Tx::set_vec`, which
//! know whether the pair of slots is one vector variable or two halves; this room
//! knows nothing of blocks, entries or exits beyond `Tx::trap_if` (in `memory`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, InstBuilder, MemFlagsData, Type, Value};

use super::memory::{address, flags};
use super::slots::Ty;
use super::translate::{Tx, Unsupported};
use crate::compile::isa::{Instr, Slot};
use crate::syntax::{LaneOp, SimdOp, V128LoadOp};

const I8X16: Type = types::I8X16;
const I16X8: Type = types::I16X8;
const I32X4: Type = types::I32X4;
const I64X2: Type = types::I64X2;
const F32X4: Type = types::F32X4;
const F64X2: Type = types::F64X2;

/// Translates `i` if it is a vector instruction (`Ok(true)`), else `Ok(false)`.
pub(super) fn simd(tx: &mut Tx, i: &Instr) -> Result<bool, Unsupported> {
    match *i {
        Instr::Simd { op, dst, a, b, c } => lanewise(tx, op, dst, a, b, c)?,
        Instr::Shuffle { dst, a, b, lanes } => {
            let (Some(lo), Some(hi)) = (tx.constant(lanes), tx.constant(lanes + 1)) else {
                return Err(Unsupported);
            };
            let mask = ((lo as u128) | ((hi as u128) << 64)).to_le_bytes();
            if mask.iter().any(|&l| l >= 32) {
                return Err(Unsupported);
            }
            let x = tx.get_vec(a, I8X16);
            let y = tx.get_vec(b, I8X16);
            let imm =
                tx.b.func
                    .dfg
                    .immediates
                    .push(ConstantData::from(mask.to_vec()));
            let v = tx.b.ins().shuffle(x, y, imm);
            tx.set_vec(dst, v);
        }
        Instr::ExtractLane { op, lane, dst, src } => {
            let (ty, scalar) = lane_of(op);
            if lane >= op.lanes() {
                return Err(Unsupported);
            }
            let v = tx.get_vec(src, ty);
            let x = tx.b.ins().extractlane(v, lane);
            let x = match op {
                LaneOp::I8x16S | LaneOp::I16x8S => tx.b.ins().sextend(types::I32, x),
                LaneOp::I8x16U | LaneOp::I16x8U => tx.b.ins().uextend(types::I32, x),
                _ => x,
            };
            tx.set_as(dst, x, scalar);
        }
        Instr::ReplaceLane {
            op,
            lane,
            dst,
            src,
            x,
        } => {
            let (ty, scalar) = lane_of(op);
            if lane >= op.lanes() {
                return Err(Unsupported);
            }
            let x = tx.get_as(x, scalar);
            let x = match op {
                LaneOp::I8x16S | LaneOp::I8x16U => tx.b.ins().ireduce(types::I8, x),
                LaneOp::I16x8S | LaneOp::I16x8U => tx.b.ins().ireduce(types::I16, x),
                _ => x,
            };
            let v = tx.get_vec(src, ty);
            let v = tx.b.ins().insertlane(v, x, lane);
            tx.set_vec(dst, v);
        }
        Instr::CanonNan128 { slot, is64 } => {
            let (ty, nan) = if is64 {
                (F64X2, 0x7ff8_0000_0000_0000_7ff8_0000_0000_0000u128)
            } else {
                (F32X4, 0x7fc0_0000_7fc0_0000_7fc0_0000_7fc0_0000u128)
            };
            let v = tx.get_vec(slot, ty);
            let is_nan = tx.b.ins().fcmp(FloatCC::Unordered, v, v);
            let canon = tx.vconst(nan as u64, (nan >> 64) as u64);
            let canon = tx.cast(canon, ty);
            let mask = tx.cast(is_nan, ty);
            let v = tx.b.ins().bitselect(mask, canon, v);
            tx.set_vec(slot, v);
        }
        Instr::Select128 { dst, cond, a, b } => {
            let c = tx.get_as(cond, Ty::I32);
            let x = tx.get_vec(a, I8X16);
            let y = tx.get_vec(b, I8X16);
            let v = tx.b.ins().select(c, x, y);
            tx.set_vec(dst, v);
        }
        Instr::GlobalGet128 { dst, global } => {
            let p = tx.global(global);
            let v = tx.b.ins().load(I8X16, global_flags(), p, 0);
            tx.set_vec(dst, v);
        }
        Instr::GlobalSet128 { src, global } => {
            let v = tx.get_vec(src, I8X16);
            let p = tx.global(global);
            tx.b.ins().store(global_flags(), v, p, 0);
        }
        Instr::V128Load {
            op,
            is64: false,
            mem: 0,
            dst,
            addr,
            offset,
        } => load(tx, op, dst, addr, offset),
        Instr::V128Store {
            is64: false,
            mem: 0,
            addr,
            src,
            offset,
        } => {
            let a = tx.get_as(addr, Ty::I32);
            let v = tx.get_vec(src, I8X16);
            let (p, f) = address(tx, a, offset, 16);
            tx.b.ins().store(f, v, p, 0);
        }
        Instr::V128LoadLane {
            bytes,
            lane,
            is64: false,
            mem: 0,
            dst,
            addr,
            src,
            offset,
        } => {
            let ty = lane_access(bytes, lane)?;
            let a = tx.get_as(addr, Ty::I32);
            let (p, f) = address(tx, a, offset, bytes as u32);
            let x = tx.b.ins().load(ty.lane_type(), f, p, 0);
            let v = tx.get_vec(src, ty);
            let v = tx.b.ins().insertlane(v, x, lane);
            tx.set_vec(dst, v);
        }
        Instr::V128StoreLane {
            bytes,
            lane,
            is64: false,
            mem: 0,
            addr,
            src,
            offset,
        } => {
            let ty = lane_access(bytes, lane)?;
            let a = tx.get_as(addr, Ty::I32);
            let v = tx.get_vec(src, ty);
            let x = tx.b.ins().extractlane(v, lane);
            let (p, f) = address(tx, a, offset, bytes as u32);
            tx.b.ins().store(f, x, p, 0);
        }
        Instr::V128Load { .. }
        | Instr::V128Store { .. }
        | Instr::V128LoadLane { .. }
        | Instr::V128StoreLane { .. } => return Err(Unsupported),
        _ => return Ok(false),
    }
    Ok(true)
}

/// A global's value: 16-byte aligned in the store, but nothing here relies on it
/// (the flags of a checked memory access: no trap, no alignment promised).
fn global_flags() -> MemFlagsData {
    flags()
}

/// The vector type of a lane access and the scalar type of one lane.
fn lane_of(op: LaneOp) -> (Type, Ty) {
    match op {
        LaneOp::I8x16S | LaneOp::I8x16U => (I8X16, Ty::I32),
        LaneOp::I16x8S | LaneOp::I16x8U => (I16X8, Ty::I32),
        LaneOp::I32x4 => (I32X4, Ty::I32),
        LaneOp::I64x2 => (I64X2, Ty::I64),
        LaneOp::F32x4 => (F32X4, Ty::F32),
        LaneOp::F64x2 => (F64X2, Ty::F64),
    }
}

/// The integer vector type of lanes of `bytes` bytes.
fn lanes_of_width(bytes: u8) -> Option<Type> {
    Some(match bytes {
        1 => I8X16,
        2 => I16X8,
        4 => I32X4,
        8 => I64X2,
        _ => return None,
    })
}

/// The vector type of a lane load or store of `bytes` bytes at lane `lane`.
fn lane_access(bytes: u8, lane: u8) -> Result<Type, Unsupported> {
    match lanes_of_width(bytes) {
        Some(ty) if (lane as u32) < ty.lane_count() => Ok(ty),
        _ => Err(Unsupported),
    }
}

/// `v128.load*` of memory 0 at i32 address `addr` plus `offset`.
fn load(tx: &mut Tx, op: V128LoadOp, dst: Slot, addr: Slot, offset: u32) {
    use V128LoadOp as L;
    let a = tx.get_as(addr, Ty::I32);
    let (p, f) = address(tx, a, offset, op.bytes());
    let ins = tx.b.ins();
    let v = match op {
        L::Load => ins.load(I8X16, f, p, 0),
        L::Load8x8S => ins.sload8x8(f, p, 0),
        L::Load8x8U => ins.uload8x8(f, p, 0),
        L::Load16x4S => ins.sload16x4(f, p, 0),
        L::Load16x4U => ins.uload16x4(f, p, 0),
        L::Load32x2S => ins.sload32x2(f, p, 0),
        L::Load32x2U => ins.uload32x2(f, p, 0),
        L::Load8Splat | L::Load16Splat | L::Load32Splat | L::Load64Splat => {
            let ty = lanes_of_width(op.bytes() as u8).unwrap_or(I8X16);
            let x = ins.load(ty.lane_type(), f, p, 0);
            tx.b.ins().splat(ty, x)
        }
        // The loaded value in the first lane, zeros in the others.
        L::Load32Zero | L::Load64Zero => {
            let ty = lanes_of_width(op.bytes() as u8).unwrap_or(I32X4);
            let x = ins.load(ty.lane_type(), f, p, 0);
            tx.b.ins().scalar_to_vector(ty, x)
        }
    };
    tx.set_vec(dst, v);
}

/// What a lane-wise instruction reads and how it computes its result.
enum Form {
    /// `[v128] -> v128`, its operand read as the type given.
    Un(Type, fn(&mut Tx, Value) -> Value),
    /// `[v128 v128] -> v128`.
    Bin(Type, fn(&mut Tx, Value, Value) -> Value),
    /// `[v128 v128 v128] -> v128`.
    Tern(Type, fn(&mut Tx, Value, Value, Value) -> Value),
    /// `[v128 i32] -> v128` (the shifts).
    Shift(Type, fn(&mut Tx, Value, Value) -> Value),
    /// `[v128] -> i32`.
    Test(Type, fn(&mut Tx, Value) -> Value),
    /// `[scalar] -> v128` (the splats): the scalar's type, the vector's.
    Splat(Ty, Type),
}

/// An instruction of `Instr::Simd`: operands in `a`, `b`, `c`, result in `dst`.
fn lanewise(
    tx: &mut Tx,
    op: SimdOp,
    dst: Slot,
    a: Slot,
    b: Slot,
    c: Slot,
) -> Result<(), Unsupported> {
    let form = form(op).ok_or(Unsupported)?;
    match form {
        Form::Un(ty, f) => {
            let x = tx.get_vec(a, ty);
            let v = f(tx, x);
            tx.set_vec(dst, v);
        }
        Form::Bin(ty, f) => {
            let x = tx.get_vec(a, ty);
            let y = tx.get_vec(b, ty);
            let v = f(tx, x, y);
            tx.set_vec(dst, v);
        }
        Form::Tern(ty, f) => {
            let x = tx.get_vec(a, ty);
            let y = tx.get_vec(b, ty);
            let z = tx.get_vec(c, ty);
            let v = f(tx, x, y, z);
            tx.set_vec(dst, v);
        }
        Form::Shift(ty, f) => {
            let x = tx.get_vec(a, ty);
            let n = tx.get_as(b, Ty::I32);
            let v = f(tx, x, n);
            tx.set_vec(dst, v);
        }
        Form::Test(ty, f) => {
            let x = tx.get_vec(a, ty);
            let v = f(tx, x);
            tx.set_as(dst, v, Ty::I32);
        }
        Form::Splat(scalar, ty) => {
            let x = tx.get_as(a, scalar);
            let x = match ty.lane_type() {
                types::I8 | types::I16 => tx.b.ins().ireduce(ty.lane_type(), x),
                _ => x,
            };
            let v = tx.b.ins().splat(ty, x);
            tx.set_vec(dst, v);
        }
    }
    Ok(())
}

/// `a OP b` on lanes of type `$ty` with the instruction builder's method `$m`.
macro_rules! bin {
    ($ty:expr, $m:ident) => {
        Form::Bin($ty, |tx, x, y| tx.b.ins().$m(x, y))
    };
}

macro_rules! un {
    ($ty:expr, $m:ident) => {
        Form::Un($ty, |tx, x| tx.b.ins().$m(x))
    };
}

macro_rules! icmp {
    ($ty:expr, $cc:ident) => {
        Form::Bin($ty, |tx, x, y| tx.b.ins().icmp(IntCC::$cc, x, y))
    };
}

macro_rules! fcmp {
    ($ty:expr, $cc:ident) => {
        Form::Bin($ty, |tx, x, y| tx.b.ins().fcmp(FloatCC::$cc, x, y))
    };
}

macro_rules! shift {
    ($ty:expr, $m:ident) => {
        Form::Shift($ty, |tx, x, n| tx.b.ins().$m(x, n))
    };
}

/// `$widen` both operands' low (or high) halves, then multiply.
macro_rules! extmul {
    ($ty:expr, $widen:ident) => {
        Form::Bin($ty, |tx, x, y| {
            let x = tx.b.ins().$widen(x);
            let y = tx.b.ins().$widen(y);
            tx.b.ins().imul(x, y)
        })
    };
}

/// Adds adjacent lanes, widened by `$lo` and `$hi`.
macro_rules! extadd {
    ($ty:expr, $lo:ident, $hi:ident) => {
        Form::Un($ty, |tx, x| {
            let l = tx.b.ins().$lo(x);
            let h = tx.b.ins().$hi(x);
            tx.b.ins().iadd_pairwise(l, h)
        })
    };
}

/// An integer test (`any_true`, `all_true`, `bitmask`) whose result is widened to
/// i32 if narrower.
macro_rules! test {
    ($ty:expr, $m:ident) => {
        Form::Test($ty, |tx, x| {
            let t = tx.b.ins().$m(x);
            tx.b.ins().uextend(types::I32, t)
        })
    };
}

/// How `op` computes, or `None` for the instructions left to the interpreter.
fn form(op: SimdOp) -> Option<Form> {
    use SimdOp::*;
    Some(match op {
        I8x16Swizzle | I8x16RelaxedSwizzle => bin!(I8X16, swizzle),
        I8x16Splat => Form::Splat(Ty::I32, I8X16),
        I16x8Splat => Form::Splat(Ty::I32, I16X8),
        I32x4Splat => Form::Splat(Ty::I32, I32X4),
        I64x2Splat => Form::Splat(Ty::I64, I64X2),
        F32x4Splat => Form::Splat(Ty::F32, F32X4),
        F64x2Splat => Form::Splat(Ty::F64, F64X2),

        I8x16Eq => icmp!(I8X16, Equal),
        I8x16Ne => icmp!(I8X16, NotEqual),
        I8x16LtS => icmp!(I8X16, SignedLessThan),
        I8x16LtU => icmp!(I8X16, UnsignedLessThan),
        I8x16GtS => icmp!(I8X16, SignedGreaterThan),
        I8x16GtU => icmp!(I8X16, UnsignedGreaterThan),
        I8x16LeS => icmp!(I8X16, SignedLessThanOrEqual),
        I8x16LeU => icmp!(I8X16, UnsignedLessThanOrEqual),
        I8x16GeS => icmp!(I8X16, SignedGreaterThanOrEqual),
        I8x16GeU => icmp!(I8X16, UnsignedGreaterThanOrEqual),
        I16x8Eq => icmp!(I16X8, Equal),
        I16x8Ne => icmp!(I16X8, NotEqual),
        I16x8LtS => icmp!(I16X8, SignedLessThan),
        I16x8LtU => icmp!(I16X8, UnsignedLessThan),
        I16x8GtS => icmp!(I16X8, SignedGreaterThan),
        I16x8GtU => icmp!(I16X8, UnsignedGreaterThan),
        I16x8LeS => icmp!(I16X8, SignedLessThanOrEqual),
        I16x8LeU => icmp!(I16X8, UnsignedLessThanOrEqual),
        I16x8GeS => icmp!(I16X8, SignedGreaterThanOrEqual),
        I16x8GeU => icmp!(I16X8, UnsignedGreaterThanOrEqual),
        I32x4Eq => icmp!(I32X4, Equal),
        I32x4Ne => icmp!(I32X4, NotEqual),
        I32x4LtS => icmp!(I32X4, SignedLessThan),
        I32x4LtU => icmp!(I32X4, UnsignedLessThan),
        I32x4GtS => icmp!(I32X4, SignedGreaterThan),
        I32x4GtU => icmp!(I32X4, UnsignedGreaterThan),
        I32x4LeS => icmp!(I32X4, SignedLessThanOrEqual),
        I32x4LeU => icmp!(I32X4, UnsignedLessThanOrEqual),
        I32x4GeS => icmp!(I32X4, SignedGreaterThanOrEqual),
        I32x4GeU => icmp!(I32X4, UnsignedGreaterThanOrEqual),
        I64x2Eq => icmp!(I64X2, Equal),
        I64x2Ne => icmp!(I64X2, NotEqual),
        I64x2LtS => icmp!(I64X2, SignedLessThan),
        I64x2GtS => icmp!(I64X2, SignedGreaterThan),
        I64x2LeS => icmp!(I64X2, SignedLessThanOrEqual),
        I64x2GeS => icmp!(I64X2, SignedGreaterThanOrEqual),
        F32x4Eq => fcmp!(F32X4, Equal),
        F32x4Ne => fcmp!(F32X4, NotEqual),
        F32x4Lt => fcmp!(F32X4, LessThan),
        F32x4Gt => fcmp!(F32X4, GreaterThan),
        F32x4Le => fcmp!(F32X4, LessThanOrEqual),
        F32x4Ge => fcmp!(F32X4, GreaterThanOrEqual),
        F64x2Eq => fcmp!(F64X2, Equal),
        F64x2Ne => fcmp!(F64X2, NotEqual),
        F64x2Lt => fcmp!(F64X2, LessThan),
        F64x2Gt => fcmp!(F64X2, GreaterThan),
        F64x2Le => fcmp!(F64X2, LessThanOrEqual),
        F64x2Ge => fcmp!(F64X2, GreaterThanOrEqual),

        V128Not => un!(I8X16, bnot),
        V128And => bin!(I8X16, band),
        V128Andnot => bin!(I8X16, band_not),
        V128Or => bin!(I8X16, bor),
        V128Xor => bin!(I8X16, bxor),
        // bitselect(a, b, c): the bits of `a` where `c` has ones, of `b` elsewhere.
        V128Bitselect
        | I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => Form::Tern(I8X16, |tx, a, b, c| tx.b.ins().bitselect(c, a, b)),
        V128AnyTrue => test!(I8X16, vany_true),
        I8x16AllTrue => test!(I8X16, vall_true),
        I16x8AllTrue => test!(I16X8, vall_true),
        I32x4AllTrue => test!(I32X4, vall_true),
        I64x2AllTrue => test!(I64X2, vall_true),
        I8x16Bitmask => Form::Test(I8X16, |tx, x| tx.b.ins().vhigh_bits(types::I32, x)),
        I16x8Bitmask => Form::Test(I16X8, |tx, x| tx.b.ins().vhigh_bits(types::I32, x)),
        I32x4Bitmask => Form::Test(I32X4, |tx, x| tx.b.ins().vhigh_bits(types::I32, x)),
        I64x2Bitmask => Form::Test(I64X2, |tx, x| tx.b.ins().vhigh_bits(types::I32, x)),

        F32x4DemoteF64x2Zero => un!(F64X2, fvdemote),
        F64x2PromoteLowF32x4 => un!(F32X4, fvpromote_low),

        I8x16Abs => un!(I8X16, iabs),
        I16x8Abs => un!(I16X8, iabs),
        I32x4Abs => un!(I32X4, iabs),
        I64x2Abs => un!(I64X2, iabs),
        I8x16Neg => un!(I8X16, ineg),
        I16x8Neg => un!(I16X8, ineg),
        I32x4Neg => un!(I32X4, ineg),
        I64x2Neg => un!(I64X2, ineg),
        I8x16Popcnt => un!(I8X16, popcnt),

        I8x16NarrowI16x8S => bin!(I16X8, snarrow),
        I8x16NarrowI16x8U => bin!(I16X8, unarrow),
        I16x8NarrowI32x4S => bin!(I32X4, snarrow),
        I16x8NarrowI32x4U => bin!(I32X4, unarrow),
        I16x8ExtendLowI8x16S => un!(I8X16, swiden_low),
        I16x8ExtendHighI8x16S => un!(I8X16, swiden_high),
        I16x8ExtendLowI8x16U => un!(I8X16, uwiden_low),
        I16x8ExtendHighI8x16U => un!(I8X16, uwiden_high),
        I32x4ExtendLowI16x8S => un!(I16X8, swiden_low),
        I32x4ExtendHighI16x8S => un!(I16X8, swiden_high),
        I32x4ExtendLowI16x8U => un!(I16X8, uwiden_low),
        I32x4ExtendHighI16x8U => un!(I16X8, uwiden_high),
        I64x2ExtendLowI32x4S => un!(I32X4, swiden_low),
        I64x2ExtendHighI32x4S => un!(I32X4, swiden_high),
        I64x2ExtendLowI32x4U => un!(I32X4, uwiden_low),
        I64x2ExtendHighI32x4U => un!(I32X4, uwiden_high),

        I8x16Shl => shift!(I8X16, ishl),
        I8x16ShrS => shift!(I8X16, sshr),
        I8x16ShrU => shift!(I8X16, ushr),
        I16x8Shl => shift!(I16X8, ishl),
        I16x8ShrS => shift!(I16X8, sshr),
        I16x8ShrU => shift!(I16X8, ushr),
        I32x4Shl => shift!(I32X4, ishl),
        I32x4ShrS => shift!(I32X4, sshr),
        I32x4ShrU => shift!(I32X4, ushr),
        I64x2Shl => shift!(I64X2, ishl),
        I64x2ShrS => shift!(I64X2, sshr),
        I64x2ShrU => shift!(I64X2, ushr),

        I8x16Add => bin!(I8X16, iadd),
        I16x8Add => bin!(I16X8, iadd),
        I32x4Add => bin!(I32X4, iadd),
        I64x2Add => bin!(I64X2, iadd),
        I8x16Sub => bin!(I8X16, isub),
        I16x8Sub => bin!(I16X8, isub),
        I32x4Sub => bin!(I32X4, isub),
        I64x2Sub => bin!(I64X2, isub),
        I16x8Mul => bin!(I16X8, imul),
        I32x4Mul => bin!(I32X4, imul),
        I64x2Mul => bin!(I64X2, imul),
        I8x16AddSatS => bin!(I8X16, sadd_sat),
        I8x16AddSatU => bin!(I8X16, uadd_sat),
        I16x8AddSatS => bin!(I16X8, sadd_sat),
        I16x8AddSatU => bin!(I16X8, uadd_sat),
        I8x16SubSatS => bin!(I8X16, ssub_sat),
        I8x16SubSatU => bin!(I8X16, usub_sat),
        I16x8SubSatS => bin!(I16X8, ssub_sat),
        I16x8SubSatU => bin!(I16X8, usub_sat),
        I8x16MinS => bin!(I8X16, smin),
        I8x16MinU => bin!(I8X16, umin),
        I8x16MaxS => bin!(I8X16, smax),
        I8x16MaxU => bin!(I8X16, umax),
        I16x8MinS => bin!(I16X8, smin),
        I16x8MinU => bin!(I16X8, umin),
        I16x8MaxS => bin!(I16X8, smax),
        I16x8MaxU => bin!(I16X8, umax),
        I32x4MinS => bin!(I32X4, smin),
        I32x4MinU => bin!(I32X4, umin),
        I32x4MaxS => bin!(I32X4, smax),
        I32x4MaxU => bin!(I32X4, umax),
        I8x16AvgrU => bin!(I8X16, avg_round),
        I16x8AvgrU => bin!(I16X8, avg_round),
        I16x8Q15mulrSatS | I16x8RelaxedQ15mulrS => bin!(I16X8, sqmul_round_sat),

        I16x8ExtaddPairwiseI8x16S => extadd!(I8X16, swiden_low, swiden_high),
        I16x8ExtaddPairwiseI8x16U => extadd!(I8X16, uwiden_low, uwiden_high),
        I32x4ExtaddPairwiseI16x8S => extadd!(I16X8, swiden_low, swiden_high),
        I32x4ExtaddPairwiseI16x8U => extadd!(I16X8, uwiden_low, uwiden_high),
        I16x8ExtmulLowI8x16S => extmul!(I8X16, swiden_low),
        I16x8ExtmulHighI8x16S => extmul!(I8X16, swiden_high),
        I16x8ExtmulLowI8x16U => extmul!(I8X16, uwiden_low),
        I16x8ExtmulHighI8x16U => extmul!(I8X16, uwiden_high),
        I32x4ExtmulLowI16x8S => extmul!(I16X8, swiden_low),
        I32x4ExtmulHighI16x8S => extmul!(I16X8, swiden_high),
        I32x4ExtmulLowI16x8U => extmul!(I16X8, uwiden_low),
        I32x4ExtmulHighI16x8U => extmul!(I16X8, uwiden_high),
        I64x2ExtmulLowI32x4S => extmul!(I32X4, swiden_low),
        I64x2ExtmulHighI32x4S => extmul!(I32X4, swiden_high),
        I64x2ExtmulLowI32x4U => extmul!(I32X4, uwiden_low),
        I64x2ExtmulHighI32x4U => extmul!(I32X4, uwiden_high),
        // Products of the low lanes and of the high lanes, then adjacent sums.
        I32x4DotI16x8S => Form::Bin(I16X8, |tx, x, y| {
            let (xl, yl) = (tx.b.ins().swiden_low(x), tx.b.ins().swiden_low(y));
            let lo = tx.b.ins().imul(xl, yl);
            let (xh, yh) = (tx.b.ins().swiden_high(x), tx.b.ins().swiden_high(y));
            let hi = tx.b.ins().imul(xh, yh);
            tx.b.ins().iadd_pairwise(lo, hi)
        }),

        F32x4Ceil => un!(F32X4, ceil),
        F32x4Floor => un!(F32X4, floor),
        F32x4Trunc => un!(F32X4, trunc),
        F32x4Nearest => un!(F32X4, nearest),
        F64x2Ceil => un!(F64X2, ceil),
        F64x2Floor => un!(F64X2, floor),
        F64x2Trunc => un!(F64X2, trunc),
        F64x2Nearest => un!(F64X2, nearest),
        F32x4Abs => un!(F32X4, fabs),
        F32x4Neg => un!(F32X4, fneg),
        F32x4Sqrt => un!(F32X4, sqrt),
        F64x2Abs => un!(F64X2, fabs),
        F64x2Neg => un!(F64X2, fneg),
        F64x2Sqrt => un!(F64X2, sqrt),
        F32x4Add => bin!(F32X4, fadd),
        F32x4Sub => bin!(F32X4, fsub),
        F32x4Mul => bin!(F32X4, fmul),
        F32x4Div => bin!(F32X4, fdiv),
        F32x4Min | F32x4RelaxedMin => bin!(F32X4, fmin),
        F32x4Max | F32x4RelaxedMax => bin!(F32X4, fmax),
        F64x2Add => bin!(F64X2, fadd),
        F64x2Sub => bin!(F64X2, fsub),
        F64x2Mul => bin!(F64X2, fmul),
        F64x2Div => bin!(F64X2, fdiv),
        F64x2Min | F64x2RelaxedMin => bin!(F64X2, fmin),
        F64x2Max | F64x2RelaxedMax => bin!(F64X2, fmax),
        // pmin(a, b) = b < a ? b : a; pmax(a, b) = a < b ? b : a.
        F32x4Pmin => Form::Bin(F32X4, pmin),
        F64x2Pmin => Form::Bin(F64X2, pmin),
        F32x4Pmax => Form::Bin(F32X4, pmax),
        F64x2Pmax => Form::Bin(F64X2, pmax),
        F32x4RelaxedMadd => Form::Tern(F32X4, madd),
        F64x2RelaxedMadd => Form::Tern(F64X2, madd),
        F32x4RelaxedNmadd => Form::Tern(F32X4, nmadd),
        F64x2RelaxedNmadd => Form::Tern(F64X2, nmadd),

        I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => {
            Form::Un(F32X4, |tx, x| tx.b.ins().fcvt_to_sint_sat(I32X4, x))
        }
        I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => {
            Form::Un(F32X4, |tx, x| tx.b.ins().fcvt_to_uint_sat(I32X4, x))
        }
        F32x4ConvertI32x4S => Form::Un(I32X4, |tx, x| tx.b.ins().fcvt_from_sint(F32X4, x)),
        F32x4ConvertI32x4U => Form::Un(I32X4, |tx, x| tx.b.ins().fcvt_from_uint(F32X4, x)),
        I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => Form::Un(F64X2, |tx, x| {
            let w = tx.b.ins().fcvt_to_sint_sat(I64X2, x);
            let zero = zeros(tx, I64X2);
            tx.b.ins().snarrow(w, zero)
        }),
        I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => Form::Un(F64X2, |tx, x| {
            let w = tx.b.ins().fcvt_to_uint_sat(I64X2, x);
            let zero = zeros(tx, I64X2);
            tx.b.ins().uunarrow(w, zero)
        }),
        F64x2ConvertLowI32x4S => Form::Un(I32X4, |tx, x| {
            let w = tx.b.ins().swiden_low(x);
            tx.b.ins().fcvt_from_sint(F64X2, w)
        }),
        F64x2ConvertLowI32x4U => Form::Un(I32X4, |tx, x| {
            let w = tx.b.ins().uwiden_low(x);
            tx.b.ins().fcvt_from_uint(F64X2, w)
        }),

        I16x8RelaxedDotI8x16I7x16S | I32x4RelaxedDotI8x16I7x16AddS => return None,
    })
}

fn pmin(tx: &mut Tx, a: Value, b: Value) -> Value {
    let lt = tx.b.ins().fcmp(FloatCC::LessThan, b, a);
    let ty = tx.b.func.dfg.value_type(a);
    let mask = tx.cast(lt, ty);
    tx.b.ins().bitselect(mask, b, a)
}

fn pmax(tx: &mut Tx, a: Value, b: Value) -> Value {
    let lt = tx.b.ins().fcmp(FloatCC::LessThan, a, b);
    let ty = tx.b.func.dfg.value_type(a);
    let mask = tx.cast(lt, ty);
    tx.b.ins().bitselect(mask, b, a)
}

/// `a * b + c`, rounded twice (never fused), as the interpreter computes it.
fn madd(tx: &mut Tx, a: Value, b: Value, c: Value) -> Value {
    let p = tx.b.ins().fmul(a, b);
    tx.b.ins().fadd(p, c)
}

/// `-a * b + c`, rounded twice.
fn nmadd(tx: &mut Tx, a: Value, b: Value, c: Value) -> Value {
    let n = tx.b.ins().fneg(a);
    let p = tx.b.ins().fmul(n, b);
    tx.b.ins().fadd(p, c)
}

/// The zero vector of type `ty`.
fn zeros(tx: &mut Tx, ty: Type) -> Value {
    let z = tx.vconst(0, 0);
    tx.cast(z, ty)
}
