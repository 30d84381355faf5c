//! Numeric semantics that Rust's operators do not give directly: trapping division and
//! float-to-int conversion, WebAssembly's min/max, and bitwise float sign operations.

use wvm_bytecode::WideOp;
use wvm_environ::TrapCode;

pub(crate) type R<T> = Result<T, TrapCode>;

macro_rules! int_div {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        #[inline(always)]
        pub(crate) fn $div_s(a: $s, b: $s) -> R<$s> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else if a == <$s>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }
        #[inline(always)]
        pub(crate) fn $div_u(a: $u, b: $u) -> R<$u> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a / b)
            }
        }
        #[inline(always)]
        pub(crate) fn $rem_s(a: $s, b: $s) -> R<$s> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        #[inline(always)]
        pub(crate) fn $rem_u(a: $u, b: $u) -> R<$u> {
            if b == 0 {
                Err(TrapCode::IntegerDivisionByZero)
            } else {
                Ok(a % b)
            }
        }
    };
}

int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_ops {
    ($min:ident, $max:ident, $t:ty) => {
        /// WebAssembly `min`: NaN if either operand is NaN; -0 is less than +0.
        #[inline(always)]
        pub(crate) fn $min(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                // Equal values differ only in the sign of zero: prefer the negative one.
                <$t>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }
        /// WebAssembly `max`: NaN if either operand is NaN; +0 is greater than -0.
        #[inline(always)]
        pub(crate) fn $max(a: $t, b: $t) -> $t {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$t>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

float_ops!(f32_min, f32_max, f32);
float_ops!(f64_min, f64_max, f64);

/// Sets the quiet bit of a NaN: rounding a signalling NaN must give an arithmetic NaN,
/// which some libm routines do not do.
#[inline(always)]
pub(crate) fn quiet32(x: f32) -> f32 {
    if x.is_nan() {
        f32::from_bits(x.to_bits() | 0x0040_0000)
    } else {
        x
    }
}

/// See [`quiet32`].
#[inline(always)]
pub(crate) fn quiet64(x: f64) -> f64 {
    if x.is_nan() {
        f64::from_bits(x.to_bits() | 0x0008_0000_0000_0000)
    } else {
        x
    }
}

/// Truncates `x` toward zero into the range `[lo, hi)`, trapping as the spec says.
#[inline(always)]
fn trunc_checked(x: f64, lo: f64, hi: f64) -> R<f64> {
    if x.is_nan() {
        return Err(TrapCode::BadConversionToInteger);
    }
    let t = x.trunc();
    if t < lo || t >= hi {
        return Err(TrapCode::IntegerOverflow);
    }
    Ok(t)
}

const I32_LO: f64 = -2147483648.0;
const I32_HI: f64 = 2147483648.0;
const U32_HI: f64 = 4294967296.0;
const I64_LO: f64 = -9223372036854775808.0;
const I64_HI: f64 = 9223372036854775808.0;
const U64_HI: f64 = 18446744073709551616.0;

#[inline(always)]
pub(crate) fn i32_trunc_s(x: f64) -> R<u64> {
    trunc_checked(x, I32_LO, I32_HI).map(|t| u64::from(t as i32 as u32))
}
#[inline(always)]
pub(crate) fn i32_trunc_u(x: f64) -> R<u64> {
    trunc_checked(x, 0.0, U32_HI).map(|t| u64::from(t as u32))
}
#[inline(always)]
pub(crate) fn i64_trunc_s(x: f64) -> R<u64> {
    trunc_checked(x, I64_LO, I64_HI).map(|t| t as i64 as u64)
}
#[inline(always)]
pub(crate) fn i64_trunc_u(x: f64) -> R<u64> {
    trunc_checked(x, 0.0, U64_HI).map(|t| t as u64)
}

/// The 128-bit result `(low, high)` of wide-arithmetic operator `op` on `(a_lo, a_hi)` and
/// `(b_lo, b_hi)` (the multiplications read only the low halves).
pub(crate) fn wide(op: WideOp, a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> (u64, u64) {
    let a = u128::from(a_lo) | (u128::from(a_hi) << 64);
    let b = u128::from(b_lo) | (u128::from(b_hi) << 64);
    let r = match op {
        WideOp::Add128 => a.wrapping_add(b),
        WideOp::Sub128 => a.wrapping_sub(b),
        WideOp::MulWideS => (i128::from(a_lo as i64) * i128::from(b_lo as i64)) as u128,
        WideOp::MulWideU => u128::from(a_lo) * u128::from(b_lo),
    };
    (r as u64, (r >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn min_max_signed_zero_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(f64_max(1.0, 2.0), 2.0);
    }

    #[test]
    fn trunc_traps() {
        assert_eq!(i32_trunc_s(f64::NAN), Err(TrapCode::BadConversionToInteger));
        assert_eq!(i32_trunc_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_s(-2147483648.9), Ok(0x8000_0000));
        assert_eq!(i32_trunc_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(
            i64_trunc_u(18446744073709549568.0),
            Ok(18446744073709549568)
        );
    }

    #[test]
    fn division() {
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i64_div_u(1, 0), Err(TrapCode::IntegerDivisionByZero));
    }
}
