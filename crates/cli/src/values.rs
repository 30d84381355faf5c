//! Wasm values on the command line: parsing arguments by their parameter type and printing
//! results.
//!
//! Integers are accepted in decimal (with an optional sign) or `0x` hex, anywhere in the signed
//! or unsigned range of their width (`4294967295` and `-1` are the same i32). Floats use Rust's
//! float syntax, which includes `inf`, `-inf`, `nan` and `-0`. Results print as signed decimal
//! integers and Rust's `Display` of floats, so `1.5` prints `1.5`.
//!
//! A v128 is written as the text format writes a `v128.const`: a shape and its lanes, as one
//! argument (`"i32x4 1 2 3 -1"`, `"f32x4 1.5 0 -0 inf"`, also `i8x16`, `i16x8`, `i64x2`,
//! `f64x2`), or as one 128-bit integer (`0x...`). It prints as `i32x4` with signed lanes.

use anyhow::{Result, bail};
use wvm::{Val, ValType};

/// Parses a command-line argument as a value of type `ty`.
pub fn parse(ty: ValType, s: &str) -> Result<Val> {
    let parsed = match ty {
        ValType::I32 => parse_int(s, 32).map(|bits| Val::I32(bits as u32 as i32)),
        ValType::I64 => parse_int(s, 64).map(|bits| Val::I64(bits as u64 as i64)),
        ValType::F32 => s.parse::<f32>().ok().map(|f| Val::F32(f.to_bits())),
        ValType::F64 => s.parse::<f64>().ok().map(|f| Val::F64(f.to_bits())),
        ValType::V128 => parse_v128(s).map(Val::V128),
        ValType::Ref(r) if r.is_func() => is_null(s).then_some(Val::FuncRef(None)),
        ValType::Ref(r) if r.is_exn() => is_null(s).then_some(Val::ExnRef(None)),
        ValType::Ref(_) => is_null(s).then_some(Val::ExternRef(None)),
    };
    match parsed {
        Some(val) => Ok(val),
        None => bail!("expected {}, got `{s}`", expected(ty)),
    }
}

/// What `parse` accepts for `ty`, for error messages.
fn expected(ty: ValType) -> &'static str {
    match ty {
        ValType::I32 => "an i32 (decimal or 0x hex, within 32 bits)",
        ValType::I64 => "an i64 (decimal or 0x hex, within 64 bits)",
        ValType::F32 => "an f32 (like 1.5, -0, inf or nan)",
        ValType::F64 => "an f64 (like 1.5, -0, inf or nan)",
        ValType::V128 => {
            "a v128 (a shape and its lanes, like \"i32x4 1 2 3 4\" or \"f64x2 1.5 -0\", or one 0x hex 128-bit integer)"
        }
        ValType::Ref(r) if r.is_func() => {
            "a funcref (only `null` can be given on the command line)"
        }
        ValType::Ref(_) => "an externref (only `null` can be given on the command line)",
    }
}

fn is_null(s: &str) -> bool {
    matches!(s, "null" | "ref.null")
}

/// Parses a decimal or `0x` hex integer with an optional sign, returning its two's-complement
/// bit pattern in `bits` bits. Accepts the union of the signed and unsigned ranges.
fn parse_int(s: &str, bits: u32) -> Option<u128> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    // `from_str_radix` would accept a second sign.
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => u128::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<u128>().ok()?,
    };
    let mask = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if negative {
        // The most negative signed value has magnitude 2^(bits-1).
        if magnitude > 1u128 << (bits - 1) {
            return None;
        }
        Some(magnitude.wrapping_neg() & mask)
    } else if magnitude > mask {
        None
    } else {
        Some(magnitude)
    }
}

/// Parses a v128: `shape lane...` (lanes in the syntax of their type) or one integer.
fn parse_v128(s: &str) -> Option<u128> {
    let mut words = s.split_whitespace();
    let shape = words.next()?;
    let lanes: Vec<&str> = words.collect();
    let (count, bits): (usize, u32) = match shape {
        "i8x16" => (16, 8),
        "i16x8" => (8, 16),
        "i32x4" | "f32x4" => (4, 32),
        "i64x2" | "f64x2" => (2, 64),
        _ if lanes.is_empty() => return parse_int(s, 128),
        _ => return None,
    };
    if lanes.len() != count {
        return None;
    }
    let mut v = 0u128;
    for (i, lane) in lanes.iter().enumerate() {
        let lane_bits = match shape {
            "f32x4" => u128::from(lane.parse::<f32>().ok()?.to_bits()),
            "f64x2" => u128::from(lane.parse::<f64>().ok()?.to_bits()),
            _ => parse_int(lane, bits)?,
        };
        v |= lane_bits << (i as u32 * bits);
    }
    Some(v)
}

/// Formats a result value for printing.
pub fn format(val: &Val) -> String {
    match val {
        Val::I32(v) => v.to_string(),
        Val::I64(v) => v.to_string(),
        Val::F32(bits) => f32::from_bits(*bits).to_string(),
        Val::F64(bits) => f64::from_bits(*bits).to_string(),
        Val::V128(v) => {
            let lanes: Vec<String> = (0..4)
                .map(|i| (((*v >> (32 * i)) as u32) as i32).to_string())
                .collect();
            format!("i32x4 {}", lanes.join(" "))
        }
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) => "ref.null".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(Some(_)) => "ref.extern".to_string(),
        Val::ExnRef(Some(_)) => "ref.exn".to_string(),
    }
}

/// A value of type `ty` to be overwritten by a call's results.
pub fn placeholder(ty: ValType) -> Val {
    match ty {
        ValType::I32 => Val::I32(0),
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(0),
        ValType::F64 => Val::F64(0),
        ValType::V128 => Val::V128(0),
        ValType::Ref(r) if r.is_func() => Val::FuncRef(None),
        ValType::Ref(r) if r.is_exn() => Val::ExnRef(None),
        ValType::Ref(_) => Val::ExternRef(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32_of(s: &str) -> Option<i32> {
        parse(ValType::I32, s).ok().map(|v| match v {
            Val::I32(x) => x,
            _ => unreachable!(),
        })
    }

    fn i64_of(s: &str) -> Option<i64> {
        parse(ValType::I64, s).ok().map(|v| match v {
            Val::I64(x) => x,
            _ => unreachable!(),
        })
    }

    #[test]
    fn integers() {
        assert_eq!(i32_of("44"), Some(44));
        assert_eq!(i32_of("+7"), Some(7));
        assert_eq!(i32_of("-5"), Some(-5));
        assert_eq!(i32_of("0x10"), Some(16));
        assert_eq!(i32_of("-0x10"), Some(-16));
        assert_eq!(i32_of("0xffffffff"), Some(-1));
        assert_eq!(i32_of("4294967295"), Some(-1));
        assert_eq!(i32_of("-2147483648"), Some(i32::MIN));
        assert_eq!(i32_of("2147483647"), Some(i32::MAX));
        assert_eq!(i32_of("4294967296"), None);
        assert_eq!(i32_of("-2147483649"), None);
        assert_eq!(i32_of("--1"), None);
        assert_eq!(i32_of("-+1"), None);
        assert_eq!(i32_of("0x"), None);
        assert_eq!(i32_of(""), None);
        assert_eq!(i32_of("1.5"), None);
        assert_eq!(i32_of("abc"), None);
        assert_eq!(i64_of("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(i64_of("18446744073709551615"), Some(-1));
        assert_eq!(i64_of("18446744073709551616"), None);
        assert_eq!(i64_of("0x8000000000000000"), Some(i64::MIN));
    }

    #[test]
    fn floats_round_trip_through_display() {
        for (input, printed) in [
            ("1.5", "1.5"),
            ("-0", "-0"),
            ("inf", "inf"),
            ("-inf", "-inf"),
            ("nan", "NaN"),
            ("1e3", "1000"),
        ] {
            assert_eq!(format(&parse(ValType::F32, input).unwrap()), printed);
            assert_eq!(format(&parse(ValType::F64, input).unwrap()), printed);
        }
        assert!(parse(ValType::F64, "one").is_err());
    }

    #[test]
    fn refs_and_errors() {
        assert_eq!(
            format(&parse(ValType::FUNCREF, "null").unwrap()),
            "ref.null"
        );
        assert_eq!(
            format(&parse(ValType::EXTERNREF, "ref.null").unwrap()),
            "ref.null"
        );
        let err = parse(ValType::FUNCREF, "0").unwrap_err().to_string();
        assert!(err.contains("funcref"), "{err}");
        let err = parse(ValType::I32, "x").unwrap_err().to_string();
        assert_eq!(
            err,
            "expected an i32 (decimal or 0x hex, within 32 bits), got `x`"
        );
        assert_eq!(
            format(&parse(ValType::V128, "0x1").unwrap()),
            "i32x4 1 0 0 0"
        );
    }

    #[test]
    fn v128_shapes() {
        let v = |s: &str| match parse(ValType::V128, s) {
            Ok(Val::V128(v)) => Some(v),
            _ => None,
        };
        assert_eq!(
            v("i32x4 1 2 3 -1"),
            Some(0xffffffff_00000003_00000002_00000001)
        );
        assert_eq!(
            v("i64x2 0x10 -2"),
            Some(0xffff_ffff_ffff_fffe_0000_0000_0000_0010)
        );
        assert_eq!(v("i16x8 1 0 0 0 0 0 0 65535"), Some(0xffff << 112 | 1));
        assert_eq!(
            v("i8x16 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 -128"),
            Some(0x80 << 120 | 1)
        );
        assert_eq!(v("f32x4 1 -0 0 0"), Some(0x8000_0000_3f80_0000));
        assert_eq!(v("f64x2 0 1.5"), Some(0x3ff8_0000_0000_0000 << 64));
        assert_eq!(v("i32x4 1 2 3"), None, "too few lanes");
        assert_eq!(v("i32x4 1 2 3 4294967296"), None, "lane out of range");
        assert_eq!(v("i128 1"), None);
        let printed = format(&Val::V128(v("i32x4 1 2 3 -4").unwrap()));
        assert_eq!(printed, "i32x4 1 2 3 -4");
        let err = parse(ValType::V128, "i32x4 1").unwrap_err().to_string();
        assert!(err.contains("i32x4 1 2 3 4"), "{err}");
    }
}
