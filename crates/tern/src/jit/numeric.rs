//! Numeric instructions in Cranelift IR (spec: Numeric Instructions): the table of
//! `for_each_numeric_op!` (each read and written with the types of its signature), the
//! i32 operations with an immediate (`BinI`) and the multiply-adds (`MulAdd`). Traps
//! (division by zero, overflow, invalid conversions) are explicit checks before the
//! operation, which then never traps itself.
//!
//! Knows nothing of blocks, entries or exits beyond `Tx::trap_if`, nor of memory.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};

use super::slots::Ty;
use super::translate::{Tx, Unsupported};
use crate::compile::isa::{BinIOp, Instr, MulAdd, MulAddOp};
use crate::error::TrapCode;
use crate::syntax::NumericOp;

macro_rules! ty {
    (i32) => {
        Ty::I32
    };
    (i64) => {
        Ty::I64
    };
    (f32) => {
        Ty::F32
    };
    (f64) => {
        Ty::F64
    };
}

macro_rules! numeric_table {
    ($( $name:ident = $($fc:ident)? $op:literal : [$($p:ident)*] -> $r:ident; )*) => {
        /// Translates `i` if it is a numeric instruction (`Ok(true)`), else `Ok(false)`.
        pub(super) fn numeric(tx: &mut Tx, i: &Instr) -> Result<bool, Unsupported> {
            match i {
                $( Instr::$name(o) => numeric_table!(@ops tx, o, $name, [$($p)*], $r), )*
                Instr::BinI(o) => {
                    let a = tx.get_as(o.a, Ty::I32);
                    let b = tx.b.ins().iconst(types::I32, o.imm as i64);
                    let v = bin(tx, bin_i(o.op), a, b).ok_or(Unsupported)?;
                    tx.set_as(o.dst, v, Ty::I32);
                }
                Instr::MulAdd(o) => mul_add(tx, o)?,
                _ => return Ok(false),
            }
            Ok(true)
        }
    };
    (@ops $tx:ident, $o:ident, $name:ident, [$a:ident], $r:ident) => {{
        let x = $tx.get_as($o.src, ty!($a));
        let v = un($tx, NumericOp::$name, x).ok_or(Unsupported)?;
        $tx.set_as($o.dst, v, ty!($r));
    }};
    (@ops $tx:ident, $o:ident, $name:ident, [$a:ident $b:ident], $r:ident) => {{
        let x = $tx.get_as($o.a, ty!($a));
        let y = $tx.get_as($o.b, ty!($b));
        let v = bin($tx, NumericOp::$name, x, y).ok_or(Unsupported)?;
        $tx.set_as($o.dst, v, ty!($r));
    }};
}

crate::for_each_numeric_op!(numeric_table);

/// The wasm instruction a `BinI` performs.
fn bin_i(op: BinIOp) -> NumericOp {
    match op {
        BinIOp::Add => NumericOp::I32Add,
        BinIOp::Sub => NumericOp::I32Sub,
        BinIOp::Mul => NumericOp::I32Mul,
        BinIOp::And => NumericOp::I32And,
        BinIOp::Or => NumericOp::I32Or,
        BinIOp::Xor => NumericOp::I32Xor,
        BinIOp::Shl => NumericOp::I32Shl,
        BinIOp::ShrS => NumericOp::I32ShrS,
        BinIOp::ShrU => NumericOp::I32ShrU,
        BinIOp::Rotl => NumericOp::I32Rotl,
        BinIOp::Rotr => NumericOp::I32Rotr,
        BinIOp::Eq => NumericOp::I32Eq,
        BinIOp::Ne => NumericOp::I32Ne,
        BinIOp::LtS => NumericOp::I32LtS,
        BinIOp::LtU => NumericOp::I32LtU,
        BinIOp::GtS => NumericOp::I32GtS,
        BinIOp::GtU => NumericOp::I32GtU,
        BinIOp::LeS => NumericOp::I32LeS,
        BinIOp::LeU => NumericOp::I32LeU,
        BinIOp::GeS => NumericOp::I32GeS,
        BinIOp::GeU => NumericOp::I32GeU,
    }
}

/// `dst = a * b + c` and the shift forms.
fn mul_add(tx: &mut Tx, o: &MulAdd) -> Result<(), Unsupported> {
    use NumericOp as N;
    let (ty, first, second) = match o.op {
        MulAddOp::I32 => (Ty::I32, N::I32Mul, N::I32Add),
        MulAddOp::I64 => (Ty::I64, N::I64Mul, N::I64Add),
        MulAddOp::F32 => (Ty::F32, N::F32Mul, N::F32Add),
        MulAddOp::F64 => (Ty::F64, N::F64Mul, N::F64Add),
        MulAddOp::I32Shl => (Ty::I32, N::I32Shl, N::I32Add),
        MulAddOp::I64Shl => (Ty::I64, N::I64Shl, N::I64Add),
        MulAddOp::I32ShlXor => (Ty::I32, N::I32Shl, N::I32Xor),
        MulAddOp::I64ShlXor => (Ty::I64, N::I64Shl, N::I64Xor),
        MulAddOp::I32ShrUXor => (Ty::I32, N::I32ShrU, N::I32Xor),
        MulAddOp::I64ShrUXor => (Ty::I64, N::I64ShrU, N::I64Xor),
        MulAddOp::I32EqzAdd => {
            let a = tx.get_as(o.a, Ty::I32);
            let c = tx.get_as(o.c, Ty::I32);
            let z = un(tx, N::I32Eqz, a).ok_or(Unsupported)?;
            let v = tx.b.ins().iadd(z, c);
            tx.set_as(o.dst, v, Ty::I32);
            return Ok(());
        }
    };
    let a = tx.get_as(o.a, ty);
    // A shift amount is an i64 for i64 shifts, as in wasm.
    let b = tx.get_as(o.b, ty);
    let c = tx.get_as(o.c, ty);
    let p = bin(tx, first, a, b).ok_or(Unsupported)?;
    let v = bin(tx, second, p, c).ok_or(Unsupported)?;
    tx.set_as(o.dst, v, ty);
    Ok(())
}

/// An i32 flag (0 or 1) from a comparison result.
fn flag(tx: &mut Tx, c: Value) -> Value {
    tx.b.ins().uextend(types::I32, c)
}

/// A unary numeric instruction on `x` (`None`: not one this tier translates).
fn un(tx: &mut Tx, op: NumericOp, x: Value) -> Option<Value> {
    use NumericOp as N;
    let t32 = types::I32;
    let t64 = types::I64;
    Some(match op {
        N::I32Eqz | N::I64Eqz => {
            let c = tx.b.ins().icmp_imm_u(IntCC::Equal, x, 0);
            flag(tx, c)
        }
        N::I32Clz | N::I64Clz => tx.b.ins().clz(x),
        N::I32Ctz | N::I64Ctz => tx.b.ins().ctz(x),
        N::I32Popcnt | N::I64Popcnt => tx.b.ins().popcnt(x),
        N::F32Abs | N::F64Abs => tx.b.ins().fabs(x),
        N::F32Neg | N::F64Neg => tx.b.ins().fneg(x),
        N::F32Ceil | N::F64Ceil => tx.b.ins().ceil(x),
        N::F32Floor | N::F64Floor => tx.b.ins().floor(x),
        N::F32Trunc | N::F64Trunc => tx.b.ins().trunc(x),
        N::F32Nearest | N::F64Nearest => tx.b.ins().nearest(x),
        N::F32Sqrt | N::F64Sqrt => tx.b.ins().sqrt(x),
        N::I32WrapI64 => tx.b.ins().ireduce(t32, x),
        N::I64ExtendI32S => tx.b.ins().sextend(t64, x),
        N::I64ExtendI32U => tx.b.ins().uextend(t64, x),
        N::I32TruncF32S | N::I32TruncF64S => trunc(tx, x, t32, true),
        N::I32TruncF32U | N::I32TruncF64U => trunc(tx, x, t32, false),
        N::I64TruncF32S | N::I64TruncF64S => trunc(tx, x, t64, true),
        N::I64TruncF32U | N::I64TruncF64U => trunc(tx, x, t64, false),
        N::I32TruncSatF32S | N::I32TruncSatF64S => tx.b.ins().fcvt_to_sint_sat(t32, x),
        N::I32TruncSatF32U | N::I32TruncSatF64U => tx.b.ins().fcvt_to_uint_sat(t32, x),
        N::I64TruncSatF32S | N::I64TruncSatF64S => tx.b.ins().fcvt_to_sint_sat(t64, x),
        N::I64TruncSatF32U | N::I64TruncSatF64U => tx.b.ins().fcvt_to_uint_sat(t64, x),
        N::F32ConvertI32S | N::F32ConvertI64S => tx.b.ins().fcvt_from_sint(types::F32, x),
        N::F32ConvertI32U | N::F32ConvertI64U => tx.b.ins().fcvt_from_uint(types::F32, x),
        N::F64ConvertI32S | N::F64ConvertI64S => tx.b.ins().fcvt_from_sint(types::F64, x),
        N::F64ConvertI32U | N::F64ConvertI64U => tx.b.ins().fcvt_from_uint(types::F64, x),
        N::F32DemoteF64 => tx.b.ins().fdemote(types::F32, x),
        N::F64PromoteF32 => tx.b.ins().fpromote(types::F64, x),
        N::I32ReinterpretF32 => tx.b.ins().bitcast(t32, MemFlagsData::new(), x),
        N::I64ReinterpretF64 => tx.b.ins().bitcast(t64, MemFlagsData::new(), x),
        N::F32ReinterpretI32 => tx.b.ins().bitcast(types::F32, MemFlagsData::new(), x),
        N::F64ReinterpretI64 => tx.b.ins().bitcast(types::F64, MemFlagsData::new(), x),
        N::I32Extend8S | N::I64Extend8S => extend_s(tx, x, types::I8),
        N::I32Extend16S | N::I64Extend16S => extend_s(tx, x, types::I16),
        N::I64Extend32S => extend_s(tx, x, types::I32),
        // Not a unary operation, or one this tier does not know: the operands read
        // above are dead code, and the interpreter executes the instruction.
        _ => return None,
    })
}

/// The low `narrow` bits of `x`, sign-extended back to `x`'s type.
fn extend_s(tx: &mut Tx, x: Value, narrow: types::Type) -> Value {
    let ty = tx.b.func.dfg.value_type(x);
    let n = tx.b.ins().ireduce(narrow, x);
    tx.b.ins().sextend(ty, n)
}

/// A trapping float-to-integer truncation: NaN is an invalid conversion, a value
/// whose truncation is out of range an overflow (bounds exclusive, exact in the
/// float's own type); then the saturating conversion, which no longer saturates.
fn trunc(tx: &mut Tx, x: Value, to: types::Type, signed: bool) -> Value {
    let from64 = tx.b.func.dfg.value_type(x) == types::F64;
    let nan = tx.b.ins().fcmp(FloatCC::Unordered, x, x);
    tx.trap_if(nan, TrapCode::BadConversionToInteger);
    let (lo, hi): (f64, f64) = match (to == types::I64, signed, from64) {
        (false, true, false) => (-2147483904.0, 2147483648.0),
        (false, true, true) => (-2147483649.0, 2147483648.0),
        (false, false, _) => (-1.0, 4294967296.0),
        (true, true, false) => (-9223373136366403584.0, 9223372036854775808.0),
        (true, true, true) => (-9223372036854777856.0, 9223372036854775808.0),
        (true, false, _) => (-1.0, 18446744073709551616.0),
    };
    let (lo, hi) = if from64 {
        (tx.b.ins().f64const(lo), tx.b.ins().f64const(hi))
    } else {
        (
            tx.b.ins().f32const(lo as f32),
            tx.b.ins().f32const(hi as f32),
        )
    };
    let below = tx.b.ins().fcmp(FloatCC::LessThanOrEqual, x, lo);
    let above = tx.b.ins().fcmp(FloatCC::GreaterThanOrEqual, x, hi);
    let out = tx.b.ins().bor(below, above);
    tx.trap_if(out, TrapCode::IntegerOverflow);
    if signed {
        tx.b.ins().fcvt_to_sint_sat(to, x)
    } else {
        tx.b.ins().fcvt_to_uint_sat(to, x)
    }
}

/// A binary numeric instruction on `x` and `y` (`None`: not one this tier translates).
pub(super) fn bin(tx: &mut Tx, op: NumericOp, x: Value, y: Value) -> Option<Value> {
    use NumericOp as N;
    let icmp = |tx: &mut Tx, cc: IntCC| {
        let c = tx.b.ins().icmp(cc, x, y);
        flag(tx, c)
    };
    let fcmp = |tx: &mut Tx, cc: FloatCC| {
        let c = tx.b.ins().fcmp(cc, x, y);
        flag(tx, c)
    };
    Some(match op {
        N::I32Eq | N::I64Eq => icmp(tx, IntCC::Equal),
        N::I32Ne | N::I64Ne => icmp(tx, IntCC::NotEqual),
        N::I32LtS | N::I64LtS => icmp(tx, IntCC::SignedLessThan),
        N::I32LtU | N::I64LtU => icmp(tx, IntCC::UnsignedLessThan),
        N::I32GtS | N::I64GtS => icmp(tx, IntCC::SignedGreaterThan),
        N::I32GtU | N::I64GtU => icmp(tx, IntCC::UnsignedGreaterThan),
        N::I32LeS | N::I64LeS => icmp(tx, IntCC::SignedLessThanOrEqual),
        N::I32LeU | N::I64LeU => icmp(tx, IntCC::UnsignedLessThanOrEqual),
        N::I32GeS | N::I64GeS => icmp(tx, IntCC::SignedGreaterThanOrEqual),
        N::I32GeU | N::I64GeU => icmp(tx, IntCC::UnsignedGreaterThanOrEqual),
        N::F32Eq | N::F64Eq => fcmp(tx, FloatCC::Equal),
        N::F32Ne | N::F64Ne => fcmp(tx, FloatCC::NotEqual),
        N::F32Lt | N::F64Lt => fcmp(tx, FloatCC::LessThan),
        N::F32Gt | N::F64Gt => fcmp(tx, FloatCC::GreaterThan),
        N::F32Le | N::F64Le => fcmp(tx, FloatCC::LessThanOrEqual),
        N::F32Ge | N::F64Ge => fcmp(tx, FloatCC::GreaterThanOrEqual),
        N::I32Add | N::I64Add => tx.b.ins().iadd(x, y),
        N::I32Sub | N::I64Sub => tx.b.ins().isub(x, y),
        N::I32Mul | N::I64Mul => tx.b.ins().imul(x, y),
        N::I32DivS | N::I64DivS => {
            div_check(tx, y);
            let min = min_of(tx, x);
            let a = tx.b.ins().icmp(IntCC::Equal, x, min);
            let m1 = minus_one(tx, y);
            let b = tx.b.ins().icmp(IntCC::Equal, y, m1);
            let both = tx.b.ins().band(a, b);
            tx.trap_if(both, TrapCode::IntegerOverflow);
            tx.b.ins().sdiv(x, y)
        }
        N::I32DivU | N::I64DivU => {
            div_check(tx, y);
            tx.b.ins().udiv(x, y)
        }
        N::I32RemS | N::I64RemS => {
            div_check(tx, y);
            // `MIN rem -1` is 0, as is anything rem 1 (and `srem` by -1 may fault).
            let m1 = minus_one(tx, y);
            let minus1 = tx.b.ins().icmp(IntCC::Equal, y, m1);
            let ty = tx.b.func.dfg.value_type(y);
            let one = tx.b.ins().iconst(ty, 1);
            let d = tx.b.ins().select(minus1, one, y);
            tx.b.ins().srem(x, d)
        }
        N::I32RemU | N::I64RemU => {
            div_check(tx, y);
            tx.b.ins().urem(x, y)
        }
        N::I32And | N::I64And => tx.b.ins().band(x, y),
        N::I32Or | N::I64Or => tx.b.ins().bor(x, y),
        N::I32Xor | N::I64Xor => tx.b.ins().bxor(x, y),
        N::I32Shl | N::I64Shl => tx.b.ins().ishl(x, y),
        N::I32ShrS | N::I64ShrS => tx.b.ins().sshr(x, y),
        N::I32ShrU | N::I64ShrU => tx.b.ins().ushr(x, y),
        N::I32Rotl | N::I64Rotl => tx.b.ins().rotl(x, y),
        N::I32Rotr | N::I64Rotr => tx.b.ins().rotr(x, y),
        N::F32Add | N::F64Add => tx.b.ins().fadd(x, y),
        N::F32Sub | N::F64Sub => tx.b.ins().fsub(x, y),
        N::F32Mul | N::F64Mul => tx.b.ins().fmul(x, y),
        N::F32Div | N::F64Div => tx.b.ins().fdiv(x, y),
        N::F32Min | N::F64Min => tx.b.ins().fmin(x, y),
        N::F32Max | N::F64Max => tx.b.ins().fmax(x, y),
        N::F32Copysign | N::F64Copysign => tx.b.ins().fcopysign(x, y),
        // Not a binary operation, or one this tier does not know.
        _ => return None,
    })
}

/// Traps with "integer divide by zero" when divisor `y` is zero.
fn div_check(tx: &mut Tx, y: Value) {
    let z = tx.b.ins().icmp_imm_u(IntCC::Equal, y, 0);
    tx.trap_if(z, TrapCode::IntegerDivideByZero);
}

/// The smallest signed value of `x`'s type.
fn min_of(tx: &mut Tx, x: Value) -> Value {
    let ty = tx.b.func.dfg.value_type(x);
    let min = if ty == types::I32 {
        i32::MIN as u32 as i64
    } else {
        i64::MIN
    };
    tx.b.ins().iconst(ty, min)
}

/// -1 in `x`'s type (an `iconst` of a narrow type takes its bits zero-extended).
fn minus_one(tx: &mut Tx, x: Value) -> Value {
    let ty = tx.b.func.dfg.value_type(x);
    let m1 = if ty == types::I32 {
        u32::MAX as i64
    } else {
        -1
    };
    tx.b.ins().iconst(ty, m1)
}
