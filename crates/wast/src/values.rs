//! Script values: turning `wast` arguments into [`Val`]s and checking results against the
//! expected patterns of `assert_return`.

use anyhow::{Result, bail};
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::token::{F32, F64};
use wast::{WastArg, WastRet};
use wvm::{ExternRef, Store, Val, ValType};

/// Converts one `invoke` argument into a value, allocating host references in `store`.
pub(crate) fn arg_to_val(store: &mut Store<()>, arg: &WastArg<'_>) -> Result<Val> {
    let WastArg::Core(arg) = arg else {
        bail!("component-model arguments are not supported");
    };
    Ok(match arg {
        WastArgCore::I32(v) => Val::I32(*v),
        WastArgCore::I64(v) => Val::I64(*v),
        WastArgCore::F32(v) => Val::F32(v.bits),
        WastArgCore::F64(v) => Val::F64(v.bits),
        WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => match null_kind(heap)? {
            RefKind::Func => Val::FuncRef(None),
            RefKind::Extern => Val::ExternRef(None),
            RefKind::Exn => Val::ExnRef(None),
        },
        WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut *store, *n))),
        WastArgCore::RefHost(_) => bail!("ref.host arguments are not supported"),
    })
}

/// The zero value a result slot is initialised with before a call.
pub(crate) fn default_val(ty: ValType) -> Val {
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

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
enum RefKind {
    Func,
    Extern,
    Exn,
}

fn null_kind(heap: &HeapType<'_>) -> Result<RefKind> {
    match heap {
        HeapType::Abstract {
            ty: AbstractHeapType::Func | AbstractHeapType::NoFunc,
            ..
        } => Ok(RefKind::Func),
        HeapType::Abstract {
            ty: AbstractHeapType::Extern | AbstractHeapType::NoExtern,
            ..
        } => Ok(RefKind::Extern),
        HeapType::Abstract {
            ty: AbstractHeapType::Exn | AbstractHeapType::NoExn,
            ..
        } => Ok(RefKind::Exn),
        other => bail!("unsupported heap type {other:?}"),
    }
}

/// Checks `actual` against all expected results; the error says which one differs and how.
pub(crate) fn match_results(
    store: &Store<()>,
    actual: &[Val],
    expected: &[WastRet<'_>],
) -> Result<()> {
    if actual.len() != expected.len() {
        bail!(
            "expected {} results, got {}: {}",
            expected.len(),
            actual.len(),
            show_vals(store, actual)
        );
    }
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let WastRet::Core(e) = e else {
            bail!("component-model results are not supported");
        };
        if !matches_ret(store, a, e)? {
            bail!(
                "result {i}: expected {}, got {} (all results: {})",
                show_ret(e),
                show_val(store, a),
                show_vals(store, actual)
            );
        }
    }
    Ok(())
}

fn matches_ret(store: &Store<()>, actual: &Val, expected: &WastRetCore<'_>) -> Result<bool> {
    Ok(match (expected, actual) {
        (WastRetCore::I32(e), Val::I32(a)) => e == a,
        (WastRetCore::I64(e), Val::I64(a)) => e == a,
        (WastRetCore::F32(e), Val::F32(a)) => f32_matches(e, *a),
        (WastRetCore::F64(e), Val::F64(a)) => f64_matches(e, *a),
        (WastRetCore::V128(e), Val::V128(a)) => v128_matches(e, *a),
        (WastRetCore::RefNull(heap), Val::FuncRef(r)) => {
            r.is_none() && heap_allows(heap.as_ref(), RefKind::Func)?
        }
        (WastRetCore::RefNull(heap), Val::ExternRef(r)) => {
            r.is_none() && heap_allows(heap.as_ref(), RefKind::Extern)?
        }
        (WastRetCore::RefNull(heap), Val::ExnRef(r)) => {
            r.is_none() && heap_allows(heap.as_ref(), RefKind::Exn)?
        }
        (WastRetCore::RefFunc(_), Val::FuncRef(r)) => r.is_some(),
        (WastRetCore::RefExtern(e), Val::ExternRef(r)) => match (e, r) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(n), Some(r)) => r.data(store).downcast_ref::<u32>() == Some(n),
        },
        (WastRetCore::Either(cases), a) => {
            for case in cases {
                if matches_ret(store, a, case)? {
                    return Ok(true);
                }
            }
            false
        }
        (
            WastRetCore::RefHost(_)
            | WastRetCore::RefAny
            | WastRetCore::RefEq
            | WastRetCore::RefArray
            | WastRetCore::RefStruct
            | WastRetCore::RefI31
            | WastRetCore::RefI31Shared,
            _,
        ) => bail!("unsupported expected result {}", show_ret(expected)),
        _ => false,
    })
}

fn heap_allows(heap: Option<&HeapType<'_>>, kind: RefKind) -> Result<bool> {
    match heap {
        None => Ok(true),
        Some(h) => Ok(null_kind(h)? == kind),
    }
}

/// `nan:canonical`: only the quiet bit set in the payload, any sign.
/// `nan:arithmetic`: the quiet bit set, any other payload, any sign.
fn f32_matches(expected: &NanPattern<F32>, bits: u32) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(expected: &NanPattern<F64>, bits: u64) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000,
        NanPattern::ArithmeticNan => bits & 0x7ff8_0000_0000_0000 == 0x7ff8_0000_0000_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn v128_matches(expected: &V128Pattern, actual: u128) -> bool {
    let bytes = actual.to_le_bytes();
    let lane = |i: usize, n: usize| -> u64 {
        let mut buf = [0u8; 8];
        buf[..n].copy_from_slice(&bytes[i * n..i * n + n]);
        u64::from_le_bytes(buf)
    };
    match expected {
        V128Pattern::I8x16(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 1) as u8 == *v as u8),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 2) as u16 == *v as u16),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, v)| lane(i, 4) as u32 == *v as u32),
        V128Pattern::I64x2(l) => l.iter().enumerate().all(|(i, v)| lane(i, 8) == *v as u64),
        V128Pattern::F32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f32_matches(p, lane(i, 4) as u32)),
        V128Pattern::F64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, p)| f64_matches(p, lane(i, 8))),
    }
}

/// A short, readable rendering of a value for failure messages.
pub(crate) fn show_val(store: &Store<()>, v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32:{x}"),
        Val::I64(x) => format!("i64:{x}"),
        Val::F32(b) => format!("f32:{} (0x{b:08x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64:{} (0x{b:016x})", f64::from_bits(*b)),
        Val::V128(b) => format!("v128:0x{b:032x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(r)) => match r.data(store).downcast_ref::<u32>() {
            Some(n) => format!("ref.extern {n}"),
            None => "ref.extern <foreign>".to_string(),
        },
        Val::ExnRef(None) => "ref.null exn".to_string(),
        Val::ExnRef(Some(_)) => "ref.exn".to_string(),
    }
}

fn show_vals(store: &Store<()>, vals: &[Val]) -> String {
    let parts: Vec<String> = vals.iter().map(|v| show_val(store, v)).collect();
    format!("[{}]", parts.join(", "))
}

fn show_ret(r: &WastRetCore<'_>) -> String {
    fn nan<T>(p: &NanPattern<T>, bits: impl Fn(&T) -> String) -> String {
        match p {
            NanPattern::CanonicalNan => "nan:canonical".to_string(),
            NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
            NanPattern::Value(v) => bits(v),
        }
    }
    match r {
        WastRetCore::I32(x) => format!("i32:{x}"),
        WastRetCore::I64(x) => format!("i64:{x}"),
        WastRetCore::F32(p) => format!(
            "f32:{}",
            nan(p, |v| format!(
                "{} (0x{:08x})",
                f32::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::F64(p) => format!(
            "f64:{}",
            nan(p, |v| format!(
                "{} (0x{:016x})",
                f64::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::Either(cases) => {
            let parts: Vec<String> = cases.iter().map(show_ret).collect();
            format!("either({})", parts.join(" | "))
        }
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_patterns() {
        let canon = NanPattern::<F32>::CanonicalNan;
        let arith = NanPattern::<F32>::ArithmeticNan;
        assert!(f32_matches(&canon, 0x7fc0_0000));
        assert!(f32_matches(&canon, 0xffc0_0000));
        assert!(!f32_matches(&canon, 0x7fc0_0001));
        assert!(f32_matches(&arith, 0x7fc0_0001));
        assert!(!f32_matches(&arith, 0x7f80_0001)); // signalling NaN
        assert!(!f32_matches(&arith, 0x3f80_0000));
        let canon = NanPattern::<F64>::CanonicalNan;
        assert!(f64_matches(&canon, 0xfff8_0000_0000_0000));
        assert!(!f64_matches(&canon, 0x7ff0_0000_0000_0001));
        let exact = NanPattern::Value(F32 { bits: 0x7fa0_0000 });
        assert!(f32_matches(&exact, 0x7fa0_0000));
        assert!(!f32_matches(&exact, 0x7fc0_0000));
    }
}
