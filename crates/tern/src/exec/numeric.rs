//! Numeric semantics (spec: Execution › Numerics) that are more than one host
//! operation: division and remainder with their traps, float-to-integer truncation,
//! and the float `min`, `max` and `nearest` rules. Values are passed as their wasm
//! types; callers convert slots.

use crate::error::TrapCode;

pub fn i32_div_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else if a == i32::MIN && b == -1 {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

pub fn i32_div_u(a: u32, b: u32) -> Result<u32, TrapCode> {
    a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
}

pub fn i32_rem_s(a: i32, b: i32) -> Result<i32, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

pub fn i32_rem_u(a: u32, b: u32) -> Result<u32, TrapCode> {
    a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
}

pub fn i64_div_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else if a == i64::MIN && b == -1 {
        Err(TrapCode::IntegerOverflow)
    } else {
        Ok(a / b)
    }
}

pub fn i64_div_u(a: u64, b: u64) -> Result<u64, TrapCode> {
    a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
}

pub fn i64_rem_s(a: i64, b: i64) -> Result<i64, TrapCode> {
    if b == 0 {
        Err(TrapCode::IntegerDivideByZero)
    } else {
        Ok(a.wrapping_rem(b))
    }
}

pub fn i64_rem_u(a: u64, b: u64) -> Result<u64, TrapCode> {
    a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
}

/// Truncates `x` toward zero and checks that the result lies in `[lo, hi]` (both exact
/// in f64). NaN traps with "invalid conversion to integer", out of range with
/// "integer overflow".
#[inline]
fn trunc_checked(x: f64, lo: f64, hi: f64) -> Result<f64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    let t = x.trunc();
    if t < lo || t > hi {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t)
}

pub fn i32_trunc_s(x: f64) -> Result<i32, TrapCode> {
    trunc_checked(x, -2147483648.0, 2147483647.0).map(|t| t as i32)
}

pub fn i32_trunc_u(x: f64) -> Result<u32, TrapCode> {
    trunc_checked(x, 0.0, 4294967295.0).map(|t| t as u32)
}

pub fn i64_trunc_s(x: f64) -> Result<i64, TrapCode> {
    // 2^63 is not representable as i64; the largest f64 below it is.
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    let t = x.trunc();
    if !(-9223372036854775808.0..9223372036854775808.0).contains(&t) {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t as i64)
}

pub fn i64_trunc_u(x: f64) -> Result<u64, TrapCode> {
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    let t = x.trunc();
    if !(0.0..18446744073709551616.0).contains(&t) {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t as u64)
}

macro_rules! float_ops {
    ($min:ident, $max:ident, $nearest:ident, $t:ty) => {
        /// Wasm `min`: NaN if either operand is NaN; -0 is less than +0.
        pub fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                // Equal values differ only in the sign of zero: prefer negative.
                return if a.is_sign_negative() { a } else { b };
            }
            if a < b {
                a
            } else {
                b
            }
        }

        /// Wasm `max`: NaN if either operand is NaN; +0 is greater than -0.
        pub fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                return a + b;
            }
            if a == b {
                return if a.is_sign_positive() { a } else { b };
            }
            if a > b {
                a
            } else {
                b
            }
        }

        /// Round to nearest, ties to even.
        pub fn $nearest(a: $t) -> $t {
            quiet(a.round_ties_even())
        }
    };
}

float_ops!(f32_min, f32_max, f32_nearest, f32);
float_ops!(f64_min, f64_max, f64_nearest, f64);

/// Rounding in software (`floor`, `ceil`, ...) returns a signalling NaN operand
/// unchanged; wasm requires an arithmetic (quiet) NaN result.
pub trait Quiet: Copy {
    fn quieted(self) -> Self;
}

impl Quiet for f32 {
    #[inline]
    fn quieted(self) -> f32 {
        if self.is_nan() {
            f32::from_bits(self.to_bits() | 0x0040_0000)
        } else {
            self
        }
    }
}

impl Quiet for f64 {
    #[inline]
    fn quieted(self) -> f64 {
        if self.is_nan() {
            f64::from_bits(self.to_bits() | 0x0008_0000_0000_0000)
        } else {
            self
        }
    }
}

#[inline]
pub fn quiet<T: Quiet>(v: T) -> T {
    v.quieted()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn division_traps() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(1, 0), Err(TrapCode::IntegerDivideByZero));
        assert_eq!(i32_div_s(-7, 2), Ok(-3));
    }

    #[test]
    fn truncation_bounds() {
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_u(f64::NAN), Err(TrapCode::BadConversionToInteger));
        assert_eq!(
            i64_trunc_s(9223372036854775808.0),
            Err(TrapCode::IntegerOverflow)
        );
        assert_eq!(i64_trunc_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(
            i64_trunc_u(18446744073709549568.0),
            Ok(18446744073709549568)
        );
    }

    #[test]
    fn min_max_zero_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f64_max(-0.0, 0.0).is_sign_positive());
        assert!(f32_min(f32::NAN, 1.0).is_nan());
        assert_eq!(f64_nearest(2.5), 2.0);
        assert_eq!(f64_nearest(-3.5), -4.0);
        let snan = f32::from_bits(0x7fa0_0000);
        assert_eq!(quiet(snan.floor()).to_bits(), 0x7fe0_0000);
        assert_eq!(f32_nearest(snan).to_bits(), 0x7fe0_0000);
    }
}
