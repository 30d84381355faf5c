//! Bit-exact semantics of the WebAssembly 128-bit SIMD operators (the SIMD proposal as
//! merged into Wasm 2.0) and of relaxed SIMD, as pure functions over `u128`.
//!
//! A v128 is a `u128` read little-endian: lane 0 holds the least significant bits. Scalar
//! operands and results use the frame's cell convention: an i32 (and the i8/i16 lanes
//! extracted as i32) is held zero-extended in a `u64`, an i64 as its bits, an f32 as its
//! bits zero-extended, an f64 as its bits. Every function matches exhaustively on its
//! operator enum, so a new operator code is a compile error here, and none can panic:
//! lane immediates are reduced modulo the lane count (validation already guarantees they
//! are in range), and shift counts modulo the lane width, as the spec says.
//!
//! Relaxed SIMD gets one fixed choice per operator, the same on every machine:
//!
//! - `i8x16.relaxed_swizzle` is `i8x16.swizzle` (an index >= 16 gives 0);
//! - `i32x4.relaxed_trunc_*` are the matching `trunc_sat` operators (NaN gives 0, out of
//!   range saturates);
//! - `relaxed_madd(a, b, c)` is `a * b + c` and `relaxed_nmadd(a, b, c)` is `-(a * b) + c`,
//!   both rounded twice (never fused);
//! - `relaxed_laneselect(a, b, m)` is `v128.bitselect(a, b, m)`: every bit of the mask counts;
//! - `relaxed_min` / `relaxed_max` are the ordinary `min` / `max`;
//! - `i16x8.relaxed_q15mulr_s` is `i16x8.q15mulr_sat_s`;
//! - `i16x8.relaxed_dot_i8x16_i7x16_s` reads both operands' bytes as signed and adds each
//!   pair of products wrapping to i16; `i32x4.relaxed_dot_i8x16_i7x16_add_s` sign-extends
//!   and adds two such i16 pair sums, then adds the accumulator lane, wrapping to i32.
//!
//! The non-Wasm codes `VUnOp::CanonF32x4` / `CanonF64x2` replace every NaN lane by the
//! canonical NaN of its width (deterministic mode).

use super::num::{f32_max, f32_min, f64_max, f64_min, quiet32, quiet64};
use wvm_bytecode::{
    VBinOp, VExtractOp, VLoadOp, VReplaceOp, VShiftOp, VSplatOp, VTernOp, VTestOp, VUnOp,
};

/// A lane type of a v128: its width and the conversion from and to the lane's bits.
trait Lane: Copy {
    /// Width of the lane in bits.
    const BITS: u32;
    /// Lanes in a v128.
    const COUNT: usize = (128 / Self::BITS) as usize;
    /// The lane whose bits are the low `BITS` bits of `x`.
    fn from_v(x: u128) -> Self;
    /// The lane's bits, zero-extended.
    fn to_v(self) -> u128;
}

macro_rules! int_lane {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const BITS: u32 = <$t>::BITS;
            #[inline]
            fn from_v(x: u128) -> Self {
                x as $t
            }
            #[inline]
            fn to_v(self) -> u128 {
                (self as u128) & (u128::MAX >> (128 - Self::BITS))
            }
        }
    )*};
}
int_lane!(i8, u8, i16, u16, i32, u32, i64, u64);

impl Lane for f32 {
    const BITS: u32 = 32;
    #[inline]
    fn from_v(x: u128) -> Self {
        f32::from_bits(x as u32)
    }
    #[inline]
    fn to_v(self) -> u128 {
        u128::from(self.to_bits())
    }
}

impl Lane for f64 {
    const BITS: u32 = 64;
    #[inline]
    fn from_v(x: u128) -> Self {
        f64::from_bits(x as u64)
    }
    #[inline]
    fn to_v(self) -> u128 {
        u128::from(self.to_bits())
    }
}

/// Lane `i` (< `T::COUNT`) of `v`.
#[inline]
fn get<T: Lane>(v: u128, i: usize) -> T {
    T::from_v(v >> (i as u32 * T::BITS))
}

/// The v128 whose lane `i` is `f(i)`.
#[inline]
fn build<T: Lane>(mut f: impl FnMut(usize) -> T) -> u128 {
    (0..T::COUNT).fold(0, |acc, i| acc | f(i).to_v() << (i as u32 * T::BITS))
}

/// Applies `f` to every lane.
#[inline]
fn map1<T: Lane>(a: u128, f: impl Fn(T) -> T) -> u128 {
    build(|i| f(get(a, i)))
}

/// Applies `f` to every pair of matching lanes.
#[inline]
fn map2<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> T) -> u128 {
    build(|i| f(get(a, i), get(b, i)))
}

/// Applies `f` to every triple of matching lanes.
#[inline]
fn map3<T: Lane>(a: u128, b: u128, c: u128, f: impl Fn(T, T, T) -> T) -> u128 {
    build(|i| f(get(a, i), get(b, i), get(c, i)))
}

/// All-ones lanes where `f` holds, all-zeros lanes elsewhere.
#[inline]
fn cmp<T: Lane>(a: u128, b: u128, f: impl Fn(T, T) -> bool) -> u128 {
    let ones = u128::MAX >> (128 - T::BITS);
    (0..T::COUNT).fold(0, |acc, i| {
        if f(get(a, i), get(b, i)) {
            acc | ones << (i as u32 * T::BITS)
        } else {
            acc
        }
    })
}

/// Converts lanes of `a` to the `W::COUNT` lanes of the result, starting from lane 0 of `a`
/// or, if `high`, from lane `W::COUNT` (the upper half when `W` is twice as wide as `N`).
#[inline]
fn widen<N: Lane, W: Lane>(a: u128, high: bool, f: impl Fn(N) -> W) -> u128 {
    let off = if high { W::COUNT } else { 0 };
    build(|i| f(get(a, i + off)))
}

/// [`widen`] over the matching lanes of two operands.
#[inline]
fn widen2<N: Lane, W: Lane>(a: u128, b: u128, high: bool, f: impl Fn(N, N) -> W) -> u128 {
    let off = if high { W::COUNT } else { 0 };
    build(|i| f(get(a, i + off), get(b, i + off)))
}

/// Result lane `i` is `f` of lanes `2i, 2i+1` of `a` and of `b`.
#[inline]
fn pairs<N: Lane, W: Lane>(a: u128, b: u128, f: impl Fn([N; 2], [N; 2]) -> W) -> u128 {
    build(|i| {
        f(
            [get(a, 2 * i), get(a, 2 * i + 1)],
            [get(b, 2 * i), get(b, 2 * i + 1)],
        )
    })
}

/// Narrows the lanes of `a` then those of `b` with `f`.
#[inline]
fn narrow<W: Lane, N: Lane>(a: u128, b: u128, f: impl Fn(W) -> N) -> u128 {
    build(|i| {
        f(if i < W::COUNT {
            get(a, i)
        } else {
            get(b, i - W::COUNT)
        })
    })
}

/// Converts the `N::COUNT` lanes of `a` into the low lanes of the result; the others are 0.
#[inline]
fn low_zero<N: Lane, W: Lane>(a: u128, f: impl Fn(N) -> W) -> u128 {
    build(|i| {
        if i < N::COUNT {
            f(get(a, i))
        } else {
            W::from_v(0)
        }
    })
}

/// `v128.bitselect` (and every `relaxed_laneselect`): bits of `a` where `m` is set, else `b`.
#[inline]
fn bitselect(a: u128, b: u128, m: u128) -> u128 {
    (a & m) | (b & !m)
}

/// `i8x16.swizzle`: byte `i` is byte `b[i]` of `a`, or 0 if `b[i] >= 16`.
#[inline]
fn swizzle(a: u128, b: u128) -> u128 {
    build(|i| {
        let k = get::<u8>(b, i);
        if k < 16 {
            get::<u8>(a, usize::from(k))
        } else {
            0
        }
    })
}

/// `i16x8.q15mulr_sat_s` on one lane.
#[inline]
fn q15mulr(x: i16, y: i16) -> i16 {
    ((i32::from(x) * i32::from(y) + 0x4000) >> 15).clamp(-0x8000, 0x7fff) as i16
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s` (both operands signed, pair sums wrapping).
#[inline]
fn relaxed_dot(a: u128, b: u128) -> u128 {
    pairs(a, b, |x: [i8; 2], y: [i8; 2]| {
        (i16::from(x[0]) * i16::from(y[0])).wrapping_add(i16::from(x[1]) * i16::from(y[1]))
    })
}

/// `i32x4.extadd_pairwise_i16x8_s`.
#[inline]
fn extadd_i16_s(a: u128) -> u128 {
    pairs(a, a, |x: [i16; 2], _| i32::from(x[0]) + i32::from(x[1]))
}

/// `pmin` on the bits of one lane: `b` if `b < a`, else `a`, bits unchanged.
#[inline]
fn pmin32(a: u32, b: u32) -> u32 {
    if f32::from_bits(b) < f32::from_bits(a) {
        b
    } else {
        a
    }
}
/// `pmax` on the bits of one lane: `b` if `a < b`, else `a`, bits unchanged.
#[inline]
fn pmax32(a: u32, b: u32) -> u32 {
    if f32::from_bits(a) < f32::from_bits(b) {
        b
    } else {
        a
    }
}
/// See [`pmin32`].
#[inline]
fn pmin64(a: u64, b: u64) -> u64 {
    if f64::from_bits(b) < f64::from_bits(a) {
        b
    } else {
        a
    }
}
/// See [`pmax32`].
#[inline]
fn pmax64(a: u64, b: u64) -> u64 {
    if f64::from_bits(a) < f64::from_bits(b) {
        b
    } else {
        a
    }
}

/// Bit `i` is the top bit of lane `i`.
#[inline]
fn bitmask<T: Lane>(a: u128) -> u32 {
    (0..T::COUNT).fold(0, |m, i| {
        m | (((a >> ((i as u32 + 1) * T::BITS - 1)) & 1) as u32) << i
    })
}

/// 1 if no lane is zero, else 0.
#[inline]
fn all_true<T: Lane>(a: u128) -> u32 {
    u32::from((0..T::COUNT).all(|i| get::<T>(a, i).to_v() != 0))
}

/// Lane `lane` (modulo the lane count) of `a`.
#[inline]
fn get_at<T: Lane>(a: u128, lane: u8) -> T {
    get(a, usize::from(lane) % T::COUNT)
}

/// `a` with lane `lane` (modulo the lane count) set to the low bits of `x`.
#[inline]
fn set_at<T: Lane>(a: u128, lane: u8, x: u64) -> u128 {
    let sh = (usize::from(lane) % T::COUNT) as u32 * T::BITS;
    let mask = (u128::MAX >> (128 - T::BITS)) << sh;
    (a & !mask) | ((u128::from(x) << sh) & mask)
}

/// A v128 -> v128 operator.
pub(super) fn un(op: VUnOp, a: u128) -> u128 {
    use VUnOp::*;
    match op {
        V128Not => !a,
        I8x16Abs => map1(a, i8::wrapping_abs),
        I8x16Neg => map1(a, i8::wrapping_neg),
        I8x16Popcnt => map1(a, |x: u8| x.count_ones() as u8),
        I16x8ExtAddPairwiseI8x16S => pairs(a, a, |x: [i8; 2], _| i16::from(x[0]) + i16::from(x[1])),
        I16x8ExtAddPairwiseI8x16U => pairs(a, a, |x: [u8; 2], _| u16::from(x[0]) + u16::from(x[1])),
        I16x8Abs => map1(a, i16::wrapping_abs),
        I16x8Neg => map1(a, i16::wrapping_neg),
        I16x8ExtendLowI8x16S => widen(a, false, |x: i8| x as i16),
        I16x8ExtendHighI8x16S => widen(a, true, |x: i8| x as i16),
        I16x8ExtendLowI8x16U => widen(a, false, |x: u8| x as u16),
        I16x8ExtendHighI8x16U => widen(a, true, |x: u8| x as u16),
        I32x4ExtAddPairwiseI16x8S => extadd_i16_s(a),
        I32x4ExtAddPairwiseI16x8U => {
            pairs(a, a, |x: [u16; 2], _| u32::from(x[0]) + u32::from(x[1]))
        }
        I32x4Abs => map1(a, i32::wrapping_abs),
        I32x4Neg => map1(a, i32::wrapping_neg),
        I32x4ExtendLowI16x8S => widen(a, false, |x: i16| x as i32),
        I32x4ExtendHighI16x8S => widen(a, true, |x: i16| x as i32),
        I32x4ExtendLowI16x8U => widen(a, false, |x: u16| x as u32),
        I32x4ExtendHighI16x8U => widen(a, true, |x: u16| x as u32),
        I64x2Abs => map1(a, i64::wrapping_abs),
        I64x2Neg => map1(a, i64::wrapping_neg),
        I64x2ExtendLowI32x4S => widen(a, false, |x: i32| x as i64),
        I64x2ExtendHighI32x4S => widen(a, true, |x: i32| x as i64),
        I64x2ExtendLowI32x4U => widen(a, false, |x: u32| x as u64),
        I64x2ExtendHighI32x4U => widen(a, true, |x: u32| x as u64),
        F32x4Ceil => map1(a, |x: f32| quiet32(x.ceil())),
        F32x4Floor => map1(a, |x: f32| quiet32(x.floor())),
        F32x4Trunc => map1(a, |x: f32| quiet32(x.trunc())),
        F32x4Nearest => map1(a, |x: f32| quiet32(x.round_ties_even())),
        F32x4Abs => map1(a, |x: u32| x & !(1 << 31)),
        F32x4Neg => map1(a, |x: u32| x ^ (1 << 31)),
        F32x4Sqrt => map1(a, f32::sqrt),
        F64x2Ceil => map1(a, |x: f64| quiet64(x.ceil())),
        F64x2Floor => map1(a, |x: f64| quiet64(x.floor())),
        F64x2Trunc => map1(a, |x: f64| quiet64(x.trunc())),
        F64x2Nearest => map1(a, |x: f64| quiet64(x.round_ties_even())),
        F64x2Abs => map1(a, |x: u64| x & !(1 << 63)),
        F64x2Neg => map1(a, |x: u64| x ^ (1 << 63)),
        F64x2Sqrt => map1(a, f64::sqrt),
        // Rust's float-to-int `as` is exactly trunc_sat: NaN gives 0, out of range saturates.
        I32x4TruncSatF32x4S | I32x4RelaxedTruncF32x4S => widen(a, false, |x: f32| x as i32),
        I32x4TruncSatF32x4U | I32x4RelaxedTruncF32x4U => widen(a, false, |x: f32| x as u32),
        F32x4ConvertI32x4S => widen(a, false, |x: i32| x as f32),
        F32x4ConvertI32x4U => widen(a, false, |x: u32| x as f32),
        I32x4TruncSatF64x2SZero | I32x4RelaxedTruncF64x2SZero => low_zero(a, |x: f64| x as i32),
        I32x4TruncSatF64x2UZero | I32x4RelaxedTruncF64x2UZero => low_zero(a, |x: f64| x as u32),
        F64x2ConvertLowI32x4S => widen(a, false, |x: i32| x as f64),
        F64x2ConvertLowI32x4U => widen(a, false, |x: u32| x as f64),
        F32x4DemoteF64x2Zero => low_zero(a, |x: f64| x as f32),
        F64x2PromoteLowF32x4 => widen(a, false, |x: f32| x as f64),
        CanonF32x4 => map1(a, |x: u32| {
            if f32::from_bits(x).is_nan() {
                0x7fc0_0000
            } else {
                x
            }
        }),
        CanonF64x2 => map1(a, |x: u64| {
            if f64::from_bits(x).is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                x
            }
        }),
    }
}

/// A v128 x v128 -> v128 operator.
pub(super) fn bin(op: VBinOp, a: u128, b: u128) -> u128 {
    use VBinOp::*;
    match op {
        V128And => a & b,
        V128AndNot => a & !b,
        V128Or => a | b,
        V128Xor => a ^ b,
        I8x16Swizzle | I8x16RelaxedSwizzle => swizzle(a, b),
        I8x16Eq => cmp(a, b, |x: u8, y| x == y),
        I8x16Ne => cmp(a, b, |x: u8, y| x != y),
        I8x16LtS => cmp(a, b, |x: i8, y| x < y),
        I8x16LtU => cmp(a, b, |x: u8, y| x < y),
        I8x16GtS => cmp(a, b, |x: i8, y| x > y),
        I8x16GtU => cmp(a, b, |x: u8, y| x > y),
        I8x16LeS => cmp(a, b, |x: i8, y| x <= y),
        I8x16LeU => cmp(a, b, |x: u8, y| x <= y),
        I8x16GeS => cmp(a, b, |x: i8, y| x >= y),
        I8x16GeU => cmp(a, b, |x: u8, y| x >= y),
        I16x8Eq => cmp(a, b, |x: u16, y| x == y),
        I16x8Ne => cmp(a, b, |x: u16, y| x != y),
        I16x8LtS => cmp(a, b, |x: i16, y| x < y),
        I16x8LtU => cmp(a, b, |x: u16, y| x < y),
        I16x8GtS => cmp(a, b, |x: i16, y| x > y),
        I16x8GtU => cmp(a, b, |x: u16, y| x > y),
        I16x8LeS => cmp(a, b, |x: i16, y| x <= y),
        I16x8LeU => cmp(a, b, |x: u16, y| x <= y),
        I16x8GeS => cmp(a, b, |x: i16, y| x >= y),
        I16x8GeU => cmp(a, b, |x: u16, y| x >= y),
        I32x4Eq => cmp(a, b, |x: u32, y| x == y),
        I32x4Ne => cmp(a, b, |x: u32, y| x != y),
        I32x4LtS => cmp(a, b, |x: i32, y| x < y),
        I32x4LtU => cmp(a, b, |x: u32, y| x < y),
        I32x4GtS => cmp(a, b, |x: i32, y| x > y),
        I32x4GtU => cmp(a, b, |x: u32, y| x > y),
        I32x4LeS => cmp(a, b, |x: i32, y| x <= y),
        I32x4LeU => cmp(a, b, |x: u32, y| x <= y),
        I32x4GeS => cmp(a, b, |x: i32, y| x >= y),
        I32x4GeU => cmp(a, b, |x: u32, y| x >= y),
        I64x2Eq => cmp(a, b, |x: u64, y| x == y),
        I64x2Ne => cmp(a, b, |x: u64, y| x != y),
        I64x2LtS => cmp(a, b, |x: i64, y| x < y),
        I64x2GtS => cmp(a, b, |x: i64, y| x > y),
        I64x2LeS => cmp(a, b, |x: i64, y| x <= y),
        I64x2GeS => cmp(a, b, |x: i64, y| x >= y),
        F32x4Eq => cmp(a, b, |x: f32, y| x == y),
        F32x4Ne => cmp(a, b, |x: f32, y| x != y),
        F32x4Lt => cmp(a, b, |x: f32, y| x < y),
        F32x4Gt => cmp(a, b, |x: f32, y| x > y),
        F32x4Le => cmp(a, b, |x: f32, y| x <= y),
        F32x4Ge => cmp(a, b, |x: f32, y| x >= y),
        F64x2Eq => cmp(a, b, |x: f64, y| x == y),
        F64x2Ne => cmp(a, b, |x: f64, y| x != y),
        F64x2Lt => cmp(a, b, |x: f64, y| x < y),
        F64x2Gt => cmp(a, b, |x: f64, y| x > y),
        F64x2Le => cmp(a, b, |x: f64, y| x <= y),
        F64x2Ge => cmp(a, b, |x: f64, y| x >= y),
        I8x16NarrowI16x8S => narrow(a, b, |x: i16| x.clamp(-0x80, 0x7f) as i8),
        I8x16NarrowI16x8U => narrow(a, b, |x: i16| x.clamp(0, 0xff) as u8),
        I8x16Add => map2(a, b, i8::wrapping_add),
        I8x16AddSatS => map2(a, b, i8::saturating_add),
        I8x16AddSatU => map2(a, b, u8::saturating_add),
        I8x16Sub => map2(a, b, i8::wrapping_sub),
        I8x16SubSatS => map2(a, b, i8::saturating_sub),
        I8x16SubSatU => map2(a, b, u8::saturating_sub),
        I8x16MinS => map2(a, b, i8::min),
        I8x16MinU => map2(a, b, u8::min),
        I8x16MaxS => map2(a, b, i8::max),
        I8x16MaxU => map2(a, b, u8::max),
        I8x16AvgrU => map2(a, b, |x: u8, y: u8| {
            ((u16::from(x) + u16::from(y) + 1) >> 1) as u8
        }),
        I16x8Q15MulrSatS | I16x8RelaxedQ15mulrS => map2(a, b, q15mulr),
        I16x8NarrowI32x4S => narrow(a, b, |x: i32| x.clamp(-0x8000, 0x7fff) as i16),
        I16x8NarrowI32x4U => narrow(a, b, |x: i32| x.clamp(0, 0xffff) as u16),
        I16x8Add => map2(a, b, i16::wrapping_add),
        I16x8AddSatS => map2(a, b, i16::saturating_add),
        I16x8AddSatU => map2(a, b, u16::saturating_add),
        I16x8Sub => map2(a, b, i16::wrapping_sub),
        I16x8SubSatS => map2(a, b, i16::saturating_sub),
        I16x8SubSatU => map2(a, b, u16::saturating_sub),
        I16x8Mul => map2(a, b, i16::wrapping_mul),
        I16x8MinS => map2(a, b, i16::min),
        I16x8MinU => map2(a, b, u16::min),
        I16x8MaxS => map2(a, b, i16::max),
        I16x8MaxU => map2(a, b, u16::max),
        I16x8AvgrU => map2(a, b, |x: u16, y: u16| {
            ((u32::from(x) + u32::from(y) + 1) >> 1) as u16
        }),
        // The products cannot overflow the doubled width.
        I16x8ExtMulLowI8x16S => widen2(a, b, false, |x: i8, y: i8| i16::from(x) * i16::from(y)),
        I16x8ExtMulHighI8x16S => widen2(a, b, true, |x: i8, y: i8| i16::from(x) * i16::from(y)),
        I16x8ExtMulLowI8x16U => widen2(a, b, false, |x: u8, y: u8| u16::from(x) * u16::from(y)),
        I16x8ExtMulHighI8x16U => widen2(a, b, true, |x: u8, y: u8| u16::from(x) * u16::from(y)),
        I32x4Add => map2(a, b, i32::wrapping_add),
        I32x4Sub => map2(a, b, i32::wrapping_sub),
        I32x4Mul => map2(a, b, i32::wrapping_mul),
        I32x4MinS => map2(a, b, i32::min),
        I32x4MinU => map2(a, b, u32::min),
        I32x4MaxS => map2(a, b, i32::max),
        I32x4MaxU => map2(a, b, u32::max),
        I32x4DotI16x8S => pairs(a, b, |x: [i16; 2], y: [i16; 2]| {
            (i32::from(x[0]) * i32::from(y[0])).wrapping_add(i32::from(x[1]) * i32::from(y[1]))
        }),
        I32x4ExtMulLowI16x8S => widen2(a, b, false, |x: i16, y: i16| i32::from(x) * i32::from(y)),
        I32x4ExtMulHighI16x8S => widen2(a, b, true, |x: i16, y: i16| i32::from(x) * i32::from(y)),
        I32x4ExtMulLowI16x8U => widen2(a, b, false, |x: u16, y: u16| u32::from(x) * u32::from(y)),
        I32x4ExtMulHighI16x8U => widen2(a, b, true, |x: u16, y: u16| u32::from(x) * u32::from(y)),
        I64x2Add => map2(a, b, i64::wrapping_add),
        I64x2Sub => map2(a, b, i64::wrapping_sub),
        I64x2Mul => map2(a, b, i64::wrapping_mul),
        I64x2ExtMulLowI32x4S => widen2(a, b, false, |x: i32, y: i32| i64::from(x) * i64::from(y)),
        I64x2ExtMulHighI32x4S => widen2(a, b, true, |x: i32, y: i32| i64::from(x) * i64::from(y)),
        I64x2ExtMulLowI32x4U => widen2(a, b, false, |x: u32, y: u32| u64::from(x) * u64::from(y)),
        I64x2ExtMulHighI32x4U => widen2(a, b, true, |x: u32, y: u32| u64::from(x) * u64::from(y)),
        F32x4Add => map2(a, b, |x: f32, y| x + y),
        F32x4Sub => map2(a, b, |x: f32, y| x - y),
        F32x4Mul => map2(a, b, |x: f32, y| x * y),
        F32x4Div => map2(a, b, |x: f32, y| x / y),
        F32x4Min | F32x4RelaxedMin => map2(a, b, f32_min),
        F32x4Max | F32x4RelaxedMax => map2(a, b, f32_max),
        F32x4PMin => map2(a, b, pmin32),
        F32x4PMax => map2(a, b, pmax32),
        F64x2Add => map2(a, b, |x: f64, y| x + y),
        F64x2Sub => map2(a, b, |x: f64, y| x - y),
        F64x2Mul => map2(a, b, |x: f64, y| x * y),
        F64x2Div => map2(a, b, |x: f64, y| x / y),
        F64x2Min | F64x2RelaxedMin => map2(a, b, f64_min),
        F64x2Max | F64x2RelaxedMax => map2(a, b, f64_max),
        F64x2PMin => map2(a, b, pmin64),
        F64x2PMax => map2(a, b, pmax64),
        I16x8RelaxedDotI8x16I7x16S => relaxed_dot(a, b),
    }
}

/// A v128 x v128 x v128 -> v128 operator, operands in Wasm stack order.
pub(super) fn tern(op: VTernOp, a: u128, b: u128, c: u128) -> u128 {
    use VTernOp::*;
    match op {
        V128Bitselect
        | I8x16RelaxedLaneselect
        | I16x8RelaxedLaneselect
        | I32x4RelaxedLaneselect
        | I64x2RelaxedLaneselect => bitselect(a, b, c),
        // Rust never contracts `x * y + z` into a fused multiply-add.
        F32x4RelaxedMadd => map3(a, b, c, |x: f32, y, z| x * y + z),
        F32x4RelaxedNmadd => map3(a, b, c, |x: f32, y, z| -(x * y) + z),
        F64x2RelaxedMadd => map3(a, b, c, |x: f64, y, z| x * y + z),
        F64x2RelaxedNmadd => map3(a, b, c, |x: f64, y, z| -(x * y) + z),
        I32x4RelaxedDotI8x16I7x16AddS => {
            map2(extadd_i16_s(relaxed_dot(a, b)), c, i32::wrapping_add)
        }
    }
}

/// A shift of every lane by `n` modulo the lane width (`wrapping_sh*` masks the count).
pub(super) fn shift(op: VShiftOp, a: u128, n: u32) -> u128 {
    use VShiftOp::*;
    match op {
        I8x16Shl => map1(a, |x: u8| x.wrapping_shl(n)),
        I8x16ShrS => map1(a, |x: i8| x.wrapping_shr(n)),
        I8x16ShrU => map1(a, |x: u8| x.wrapping_shr(n)),
        I16x8Shl => map1(a, |x: u16| x.wrapping_shl(n)),
        I16x8ShrS => map1(a, |x: i16| x.wrapping_shr(n)),
        I16x8ShrU => map1(a, |x: u16| x.wrapping_shr(n)),
        I32x4Shl => map1(a, |x: u32| x.wrapping_shl(n)),
        I32x4ShrS => map1(a, |x: i32| x.wrapping_shr(n)),
        I32x4ShrU => map1(a, |x: u32| x.wrapping_shr(n)),
        I64x2Shl => map1(a, |x: u64| x.wrapping_shl(n)),
        I64x2ShrS => map1(a, |x: i64| x.wrapping_shr(n)),
        I64x2ShrU => map1(a, |x: u64| x.wrapping_shr(n)),
    }
}

/// Every lane set to the scalar cell `x` (its low bits for narrow lanes).
pub(super) fn splat(op: VSplatOp, x: u64) -> u128 {
    use VSplatOp::*;
    match op {
        I8x16Splat => build(|_| x as u8),
        I16x8Splat => build(|_| x as u16),
        I32x4Splat | F32x4Splat => build(|_| x as u32),
        I64x2Splat | F64x2Splat => build(|_| x),
    }
}

/// A v128 -> i32 test: `any_true`, `all_true` (0 or 1) or `bitmask`.
pub(super) fn test(op: VTestOp, a: u128) -> u32 {
    use VTestOp::*;
    match op {
        V128AnyTrue => u32::from(a != 0),
        I8x16AllTrue => all_true::<u8>(a),
        I8x16Bitmask => bitmask::<u8>(a),
        I16x8AllTrue => all_true::<u16>(a),
        I16x8Bitmask => bitmask::<u16>(a),
        I32x4AllTrue => all_true::<u32>(a),
        I32x4Bitmask => bitmask::<u32>(a),
        I64x2AllTrue => all_true::<u64>(a),
        I64x2Bitmask => bitmask::<u64>(a),
    }
}

/// Lane `lane` of `a` as scalar cell bits (`_s` lanes sign-extended to i32, then the i32
/// zero-extended).
pub(super) fn extract(op: VExtractOp, a: u128, lane: u8) -> u64 {
    use VExtractOp::*;
    match op {
        I8x16ExtractLaneS => u64::from(i32::from(get_at::<i8>(a, lane)) as u32),
        I8x16ExtractLaneU => u64::from(get_at::<u8>(a, lane)),
        I16x8ExtractLaneS => u64::from(i32::from(get_at::<i16>(a, lane)) as u32),
        I16x8ExtractLaneU => u64::from(get_at::<u16>(a, lane)),
        I32x4ExtractLane | F32x4ExtractLane => u64::from(get_at::<u32>(a, lane)),
        I64x2ExtractLane | F64x2ExtractLane => get_at::<u64>(a, lane),
    }
}

/// `a` with lane `lane` replaced by the scalar cell `x` (its low bits for narrow lanes).
pub(super) fn replace(op: VReplaceOp, a: u128, lane: u8, x: u64) -> u128 {
    use VReplaceOp::*;
    match op {
        I8x16ReplaceLane => set_at::<u8>(a, lane, x),
        I16x8ReplaceLane => set_at::<u16>(a, lane, x),
        I32x4ReplaceLane | F32x4ReplaceLane => set_at::<u32>(a, lane, x),
        I64x2ReplaceLane | F64x2ReplaceLane => set_at::<u64>(a, lane, x),
    }
}

/// `i8x16.shuffle`: byte `i` of `lanes` indexes the 32 bytes `a ++ b` (an index >= 32,
/// which validation rejects, gives 0).
pub(super) fn shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    // Byte tables rather than a shift per lane (this is the hottest SIMD operator of
    // autovectorized C). Validation keeps every index below 32; one that was not would
    // wrap, never read outside the table.
    let mut src = [0u8; 32];
    src[..16].copy_from_slice(&a.to_le_bytes());
    src[16..].copy_from_slice(&b.to_le_bytes());
    let idx = lanes.to_le_bytes();
    let mut out = [0u8; 16];
    for (o, k) in out.iter_mut().zip(idx) {
        *o = src[usize::from(k & 31)];
    }
    u128::from_le_bytes(out)
}

/// The v128 a load gives from the little-endian `bytes` the executor read (zero-extended:
/// 8 bytes for the extending loads, the lane's width for splats, 4 or 8 for `_zero`).
/// `V128Load` is a full 16-byte load the executor does itself and never passes here; it
/// gives `bytes` zero-extended.
pub(super) fn load(op: VLoadOp, bytes: u64) -> u128 {
    use VLoadOp::*;
    let v = u128::from(bytes);
    match op {
        V128Load | V128Load64Zero => v,
        V128Load32Zero => v & u128::from(u32::MAX),
        V128Load8x8S => un(VUnOp::I16x8ExtendLowI8x16S, v),
        V128Load8x8U => un(VUnOp::I16x8ExtendLowI8x16U, v),
        V128Load16x4S => un(VUnOp::I32x4ExtendLowI16x8S, v),
        V128Load16x4U => un(VUnOp::I32x4ExtendLowI16x8U, v),
        V128Load32x2S => un(VUnOp::I64x2ExtendLowI32x4S, v),
        V128Load32x2U => un(VUnOp::I64x2ExtendLowI32x4U, v),
        V128Load8Splat => splat(VSplatOp::I8x16Splat, bytes),
        V128Load16Splat => splat(VSplatOp::I16x8Splat, bytes),
        V128Load32Splat => splat(VSplatOp::I32x4Splat, bytes),
        V128Load64Splat => splat(VSplatOp::I64x2Splat, bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The v128 with the given lanes.
    fn v<T: Lane>(xs: &[T]) -> u128 {
        assert_eq!(xs.len(), T::COUNT);
        build(|i| xs[i])
    }
    /// The lanes of `a`.
    fn l<T: Lane, const N: usize>(a: u128) -> [T; N] {
        assert_eq!(N, T::COUNT);
        std::array::from_fn(|i| get(a, i))
    }
    /// The lanes of `a` as bits, to compare floats (NaNs, signed zeros) exactly.
    fn b32(a: u128) -> [u32; 4] {
        l(a)
    }
    fn b64(a: u128) -> [u64; 2] {
        l(a)
    }
    fn f32s(xs: [f32; 4]) -> u128 {
        v(&xs)
    }
    fn f64s(xs: [f64; 2]) -> u128 {
        v(&xs)
    }
    const SNAN32: u32 = 0x7f80_0001;
    const NAN32: u32 = 0x7fc0_0000;

    #[test]
    fn lane_layout_is_little_endian() {
        let a = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100_u128;
        assert_eq!(l::<u8, 16>(a), std::array::from_fn(|i| i as u8));
        assert_eq!(
            l::<u32, 4>(a),
            [0x0302_0100, 0x0706_0504, 0x0b0a_0908, 0x0f0e_0d0c]
        );
        assert_eq!(
            v(&[-1i16, 0, 0, 0, 0, 0, 0, 2]),
            0x0002_u128 << 112 | 0xffff
        );
    }

    #[test]
    fn narrow_saturates() {
        let a = v(&[300i16, -300, 127, -128, 128, -129, 0, -1]);
        let b = v(&[1i16, 2, 3, 4, 5, 6, 7, i16::MIN]);
        assert_eq!(
            l::<i8, 16>(bin(VBinOp::I8x16NarrowI16x8S, a, b)),
            [
                127, -128, 127, -128, 127, -128, 0, -1, 1, 2, 3, 4, 5, 6, 7, -128
            ]
        );
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16NarrowI16x8U, a, b)),
            [255, 0, 127, 0, 128, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 0]
        );
        let a = v(&[70000i32, -70000, 65535, -1]);
        let b = v(&[32768i32, -32769, 32767, i32::MIN]);
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8NarrowI32x4S, a, b)),
            [32767, -32768, 32767, -1, 32767, -32768, 32767, -32768]
        );
        assert_eq!(
            l::<u16, 8>(bin(VBinOp::I16x8NarrowI32x4U, a, b)),
            [65535, 0, 65535, 0, 32768, 0, 32767, 0]
        );
    }

    #[test]
    fn q15mulr_saturates_and_rounds() {
        let a = v(&[i16::MIN, 16384, -1, 3, i16::MIN, 32767, 0, -16385]);
        let b = v(&[i16::MIN, 16384, 1, 16384, 32767, 32767, 5, 1]);
        let want = [32767i16, 8192, 0, 2, -32767, 32766, 0, -1];
        assert_eq!(l::<i16, 8>(bin(VBinOp::I16x8Q15MulrSatS, a, b)), want);
        assert_eq!(l::<i16, 8>(bin(VBinOp::I16x8RelaxedQ15mulrS, a, b)), want);
    }

    #[test]
    fn avgr_u_does_not_overflow() {
        let a = v(&[255u8, 0, 1, 254, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255]);
        let b = v(&[255u8, 255, 2, 255, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16AvgrU, a, b)),
            [255, 128, 2, 255, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128]
        );
        let a = v(&[65535u16, 0, 1, 0, 0, 0, 0, 0]);
        let b = v(&[65535u16, 65535, 2, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<u16, 8>(bin(VBinOp::I16x8AvgrU, a, b)),
            [65535, 32768, 2, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn extmul_signs_and_halves() {
        let a = v(&[-128i8, 127, -1, 0, 0, 0, 0, 0, -128, 2, 0, 0, 0, 0, 0, -1]);
        let b = v(&[127i8, 127, -1, 0, 0, 0, 0, 0, -128, -3, 0, 0, 0, 0, 0, -1]);
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8ExtMulLowI8x16S, a, b)),
            [-16256, 16129, 1, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8ExtMulHighI8x16S, a, b)),
            [16384, -6, 0, 0, 0, 0, 0, 1]
        );
        assert_eq!(
            l::<u16, 8>(bin(VBinOp::I16x8ExtMulLowI8x16U, a, b)),
            [128 * 127, 127 * 127, 65025, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            l::<u16, 8>(bin(VBinOp::I16x8ExtMulHighI8x16U, a, b)),
            [16384, 2 * 253, 0, 0, 0, 0, 0, 65025]
        );
        let a = v(&[i32::MIN, -1, 7, -1]);
        let b = v(&[i32::MIN, 1, -2, -1]);
        assert_eq!(
            l::<i64, 2>(bin(VBinOp::I64x2ExtMulLowI32x4S, a, b)),
            [1 << 62, -1]
        );
        assert_eq!(
            l::<i64, 2>(bin(VBinOp::I64x2ExtMulHighI32x4S, a, b)),
            [-14, 1]
        );
        assert_eq!(
            l::<u64, 2>(bin(VBinOp::I64x2ExtMulHighI32x4U, a, b)),
            [7 * 0xffff_fffe, 0xffff_fffe_0000_0001]
        );
        let a = v(&[-1i16, 2, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<i32, 4>(bin(VBinOp::I32x4ExtMulLowI16x8S, a, a)),
            [1, 4, 0, 0]
        );
        assert_eq!(
            l::<u32, 4>(bin(VBinOp::I32x4ExtMulLowI16x8U, a, a)),
            [0xfffe_0001, 4, 0, 0]
        );
    }

    #[test]
    fn extadd_pairwise_signs() {
        let a = v(&[
            -128i8, -128, 127, 127, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1,
        ]);
        assert_eq!(
            l::<i16, 8>(un(VUnOp::I16x8ExtAddPairwiseI8x16S, a)),
            [-256, 254, 0, 0, 0, 0, 0, -2]
        );
        assert_eq!(
            l::<u16, 8>(un(VUnOp::I16x8ExtAddPairwiseI8x16U, a)),
            [256, 254, 256, 0, 0, 0, 0, 510]
        );
        let a = v(&[i16::MIN, i16::MIN, -1, -1, 32767, 32767, 0, 1]);
        assert_eq!(
            l::<i32, 4>(un(VUnOp::I32x4ExtAddPairwiseI16x8S, a)),
            [-65536, -2, 65534, 1]
        );
        assert_eq!(
            l::<u32, 4>(un(VUnOp::I32x4ExtAddPairwiseI16x8U, a)),
            [65536, 131070, 65534, 1]
        );
    }

    #[test]
    fn extend_low_high() {
        let a = v(&[-1i8, 2, 0, 0, 0, 0, 0, 0, -128, 0, 0, 0, 0, 0, 0, 5]);
        assert_eq!(
            l::<i16, 8>(un(VUnOp::I16x8ExtendLowI8x16S, a)),
            [-1, 2, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            l::<u16, 8>(un(VUnOp::I16x8ExtendHighI8x16U, a)),
            [128, 0, 0, 0, 0, 0, 0, 5]
        );
        let a = v(&[-1i32, 2, -3, 4]);
        assert_eq!(l::<i64, 2>(un(VUnOp::I64x2ExtendHighI32x4S, a)), [-3, 4]);
        assert_eq!(
            l::<u64, 2>(un(VUnOp::I64x2ExtendLowI32x4U, a)),
            [0xffff_ffff, 2]
        );
    }

    #[test]
    fn dot_wraps() {
        let a = v(&[i16::MIN, i16::MIN, 1, 2, -1, 0, 32767, 32767]);
        let b = v(&[i16::MIN, i16::MIN, 3, 4, 5, 9, 32767, -32768]);
        assert_eq!(
            l::<i32, 4>(bin(VBinOp::I32x4DotI16x8S, a, b)),
            [i32::MIN, 11, -5, -32767]
        );
    }

    #[test]
    fn shift_counts_wrap_mod_lane_width() {
        let a = v(&[1u8, 0x80, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81]);
        assert_eq!(shift(VShiftOp::I8x16Shl, a, 8), a);
        assert_eq!(
            l::<u8, 16>(shift(VShiftOp::I8x16Shl, a, 9)),
            [2, 0, 0xfe, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
        );
        // -1 as the raw i32 count is 7 mod 8.
        assert_eq!(
            l::<i8, 16>(shift(VShiftOp::I8x16ShrS, a, -1i32 as u32)),
            [0, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1]
        );
        assert_eq!(
            l::<u8, 16>(shift(VShiftOp::I8x16ShrU, a, -1i32 as u32)),
            [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        );
        let a = v(&[-4i16, 4, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<i16, 8>(shift(VShiftOp::I16x8ShrS, a, 17)),
            [-2, 2, 0, 0, 0, 0, 0, 0]
        );
        assert_eq!(
            l::<u16, 8>(shift(VShiftOp::I16x8ShrU, a, 33)),
            [0x7ffe, 2, 0, 0, 0, 0, 0, 0]
        );
        let a = v(&[i32::MIN, 1, -1, 3]);
        assert_eq!(
            l::<i32, 4>(shift(VShiftOp::I32x4ShrS, a, 31)),
            [-1, 0, -1, 0]
        );
        assert_eq!(
            l::<i32, 4>(shift(VShiftOp::I32x4Shl, a, 32)),
            [i32::MIN, 1, -1, 3]
        );
        let a = v(&[-8i64, 8]);
        assert_eq!(l::<i64, 2>(shift(VShiftOp::I64x2ShrS, a, 64)), [-8, 8]);
        assert_eq!(l::<i64, 2>(shift(VShiftOp::I64x2ShrS, a, 65)), [-4, 4]);
        assert_eq!(
            l::<u64, 2>(shift(VShiftOp::I64x2ShrU, a, -63i32 as u32)),
            [0x7fff_ffff_ffff_fffc, 4]
        );
        assert_eq!(l::<i64, 2>(shift(VShiftOp::I64x2Shl, a, 127)), [0, 0]);
    }

    #[test]
    fn swizzle_out_of_range_is_zero() {
        let a = v(&std::array::from_fn::<u8, 16, _>(|i| 0xa0 + i as u8));
        let idx = v(&[15u8, 0, 16, 255, 0x80, 3, 31, 1, 2, 2, 2, 2, 2, 2, 17, 14]);
        let want = [
            0xaf, 0xa0, 0, 0, 0, 0xa3, 0, 0xa1, 0xa2, 0xa2, 0xa2, 0xa2, 0xa2, 0xa2, 0, 0xae,
        ];
        assert_eq!(l::<u8, 16>(bin(VBinOp::I8x16Swizzle, a, idx)), want);
        assert_eq!(l::<u8, 16>(bin(VBinOp::I8x16RelaxedSwizzle, a, idx)), want);
    }

    #[test]
    fn shuffle_takes_from_both() {
        let a = v(&std::array::from_fn::<u8, 16, _>(|i| i as u8));
        let b = v(&std::array::from_fn::<u8, 16, _>(|i| 0x10 + i as u8));
        let lanes = v(&[31u8, 16, 0, 15, 17, 1, 20, 20, 5, 5, 30, 29, 28, 8, 9, 16]);
        assert_eq!(
            l::<u8, 16>(shuffle(a, b, lanes)),
            [
                0x1f, 0x10, 0, 15, 0x11, 1, 0x14, 0x14, 5, 5, 0x1e, 0x1d, 0x1c, 8, 9, 0x10
            ]
        );
        assert_eq!(
            shuffle(
                a,
                b,
                v(&[16u8; 16]) + 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100
            ),
            b
        );
    }

    #[test]
    fn bitmask_any_all_true() {
        let a = v(&std::array::from_fn::<i8, 16, _>(|i| {
            if i % 2 == 0 { -1 } else { 127 }
        }));
        assert_eq!(test(VTestOp::I8x16Bitmask, a), 0x5555);
        assert_eq!(
            test(
                VTestOp::I16x8Bitmask,
                v(&[0i16, -1, 0, 0, 0, 0, 0, i16::MIN])
            ),
            0x82
        );
        assert_eq!(test(VTestOp::I32x4Bitmask, v(&[-1i32, 1, -5, 0])), 0b0101);
        assert_eq!(test(VTestOp::I64x2Bitmask, v(&[0i64, i64::MIN])), 0b10);
        assert_eq!(test(VTestOp::I8x16AllTrue, a), 1);
        assert_eq!(test(VTestOp::I8x16AllTrue, a & !(0xff << 120)), 0);
        assert_eq!(
            test(
                VTestOp::I16x8AllTrue,
                0x0100_0100_0100_0100_0100_0100_0100_0100
            ),
            1
        );
        assert_eq!(test(VTestOp::I32x4AllTrue, v(&[1i32, 1, 0, 1])), 0);
        assert_eq!(test(VTestOp::I64x2AllTrue, v(&[1u64 << 63, 1])), 1);
        assert_eq!(test(VTestOp::I64x2AllTrue, v(&[0u64, 1])), 0);
        assert_eq!(test(VTestOp::V128AnyTrue, 1 << 127), 1);
        assert_eq!(test(VTestOp::V128AnyTrue, 0), 0);
    }

    #[test]
    fn min_max_nan_and_signed_zero() {
        let a = f32s([-0.0, 0.0, f32::NAN, 1.0]);
        let b = f32s([0.0, -0.0, 1.0, f32::NAN]);
        for op in [VBinOp::F32x4Min, VBinOp::F32x4RelaxedMin] {
            let r = b32(bin(op, a, b));
            assert_eq!(r[..2], [0x8000_0000, 0x8000_0000]);
            assert!(f32::from_bits(r[2]).is_nan() && f32::from_bits(r[3]).is_nan());
        }
        for op in [VBinOp::F32x4Max, VBinOp::F32x4RelaxedMax] {
            let r = b32(bin(op, a, b));
            assert_eq!(r[..2], [0, 0]);
            assert!(f32::from_bits(r[2]).is_nan() && f32::from_bits(r[3]).is_nan());
        }
        let a = f64s([-0.0, 2.0]);
        let b = f64s([0.0, f64::NAN]);
        for op in [VBinOp::F64x2Min, VBinOp::F64x2RelaxedMin] {
            let r = b64(bin(op, a, b));
            assert_eq!(r[0], 0x8000_0000_0000_0000);
            assert!(f64::from_bits(r[1]).is_nan());
        }
        for op in [VBinOp::F64x2Max, VBinOp::F64x2RelaxedMax] {
            let r = b64(bin(op, a, b));
            assert_eq!(r[0], 0);
            assert!(f64::from_bits(r[1]).is_nan());
        }
        assert_eq!(
            l::<f32, 4>(bin(
                VBinOp::F32x4Min,
                f32s([1.0, -3.0, 5.0, 0.0]),
                f32s([2.0; 4])
            )),
            [1.0, -3.0, 2.0, 0.0]
        );
    }

    #[test]
    fn pmin_pmax_return_an_input() {
        let nan = f32::from_bits(0x7fa0_0001); // signalling, with a payload: kept as is
        let a = f32s([nan, 1.0, -0.0, 0.0]);
        let b = f32s([1.0, nan, 0.0, -0.0]);
        assert_eq!(
            b32(bin(VBinOp::F32x4PMin, a, b)),
            [0x7fa0_0001, 1f32.to_bits(), 0x8000_0000, 0]
        );
        assert_eq!(
            b32(bin(VBinOp::F32x4PMax, a, b)),
            [0x7fa0_0001, 1f32.to_bits(), 0x8000_0000, 0]
        );
        let c = f32s([2.0, -2.0, 3.0, -3.0]);
        let d = f32s([-2.0, 2.0, 3.5, -3.5]);
        assert_eq!(
            l::<f32, 4>(bin(VBinOp::F32x4PMin, c, d)),
            [-2.0, -2.0, 3.0, -3.5]
        );
        assert_eq!(
            l::<f32, 4>(bin(VBinOp::F32x4PMax, c, d)),
            [2.0, 2.0, 3.5, -3.0]
        );
        let nan = 0x7ff4_0000_0000_0001;
        let a = v(&[nan, 1f64.to_bits()]);
        let b = v(&[1f64.to_bits(), nan]);
        assert_eq!(b64(bin(VBinOp::F64x2PMin, a, b)), [nan, 1f64.to_bits()]);
        assert_eq!(b64(bin(VBinOp::F64x2PMax, a, b)), [nan, 1f64.to_bits()]);
        assert_eq!(
            l::<f64, 2>(bin(VBinOp::F64x2PMax, f64s([1.0, -1.0]), f64s([2.0, -2.0]))),
            [2.0, -1.0]
        );
    }

    #[test]
    fn rounding() {
        let a = f32s([2.5, -0.5, 3.5, -1.5]);
        assert_eq!(
            b32(un(VUnOp::F32x4Nearest, a)),
            [0x4000_0000, 0x8000_0000, 0x4080_0000, 0xc000_0000]
        );
        assert_eq!(l::<f32, 4>(un(VUnOp::F32x4Ceil, a)), [3.0, -0.0, 4.0, -1.0]);
        assert_eq!(b32(un(VUnOp::F32x4Ceil, a))[1], 0x8000_0000);
        assert_eq!(
            l::<f32, 4>(un(VUnOp::F32x4Floor, a)),
            [2.0, -1.0, 3.0, -2.0]
        );
        assert_eq!(
            l::<f32, 4>(un(VUnOp::F32x4Trunc, a)),
            [2.0, -0.0, 3.0, -1.0]
        );
        let a = f64s([2.5, -0.5]);
        assert_eq!(
            b64(un(VUnOp::F64x2Nearest, a)),
            [2f64.to_bits(), 0x8000_0000_0000_0000]
        );
        assert_eq!(l::<f64, 2>(un(VUnOp::F64x2Floor, a)), [2.0, -1.0]);
        // A signalling NaN rounds to a quiet NaN.
        let s = v(&[SNAN32, 0, 0, 0]);
        for op in [
            VUnOp::F32x4Ceil,
            VUnOp::F32x4Floor,
            VUnOp::F32x4Trunc,
            VUnOp::F32x4Nearest,
        ] {
            assert_eq!(b32(un(op, s))[0] & NAN32, NAN32);
        }
        let s = v(&[0x7ff0_0000_0000_0001u64, 0]);
        assert_eq!(
            b64(un(VUnOp::F64x2Nearest, s))[0] & 0x7ff8_0000_0000_0000,
            0x7ff8_0000_0000_0000
        );
    }

    #[test]
    fn trunc_sat() {
        let a = f32s([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 3e9]);
        for op in [VUnOp::I32x4TruncSatF32x4S, VUnOp::I32x4RelaxedTruncF32x4S] {
            assert_eq!(l::<i32, 4>(un(op, a)), [0, i32::MAX, i32::MIN, i32::MAX]);
            assert_eq!(
                l::<i32, 4>(un(op, f32s([-3e9, -2.9, 2.9, -0.0]))),
                [i32::MIN, -2, 2, 0]
            );
        }
        for op in [VUnOp::I32x4TruncSatF32x4U, VUnOp::I32x4RelaxedTruncF32x4U] {
            assert_eq!(l::<u32, 4>(un(op, a)), [0, u32::MAX, 0, 3_000_000_000]);
            assert_eq!(
                l::<u32, 4>(un(op, f32s([-0.9, 5e9, 4.9, -1.0]))),
                [0, u32::MAX, 4, 0]
            );
        }
        let a = f64s([-1e10, 4.9]);
        let n = f64s([f64::NAN, f64::INFINITY]);
        for op in [
            VUnOp::I32x4TruncSatF64x2SZero,
            VUnOp::I32x4RelaxedTruncF64x2SZero,
        ] {
            assert_eq!(l::<i32, 4>(un(op, a)), [i32::MIN, 4, 0, 0]);
            assert_eq!(l::<i32, 4>(un(op, n)), [0, i32::MAX, 0, 0]);
        }
        for op in [
            VUnOp::I32x4TruncSatF64x2UZero,
            VUnOp::I32x4RelaxedTruncF64x2UZero,
        ] {
            assert_eq!(l::<u32, 4>(un(op, a)), [0, 4, 0, 0]);
            assert_eq!(
                l::<u32, 4>(un(op, f64s([-0.9, 4294967295.9]))),
                [0, u32::MAX, 0, 0]
            );
            assert_eq!(l::<u32, 4>(un(op, n)), [0, u32::MAX, 0, 0]);
        }
    }

    #[test]
    fn conversions() {
        assert_eq!(
            l::<f32, 4>(un(
                VUnOp::F32x4ConvertI32x4S,
                v(&[-1i32, i32::MIN, 16777217, 3])
            )),
            [-1.0, -2147483648.0, 16777216.0, 3.0]
        );
        assert_eq!(
            l::<f32, 4>(un(
                VUnOp::F32x4ConvertI32x4U,
                v(&[u32::MAX, 16777219, 0, 1])
            )),
            [4294967296.0, 16777220.0, 0.0, 1.0]
        );
        let a = v(&[-1i32, 7, 100, 100]);
        assert_eq!(
            l::<f64, 2>(un(VUnOp::F64x2ConvertLowI32x4S, a)),
            [-1.0, 7.0]
        );
        assert_eq!(
            l::<f64, 2>(un(VUnOp::F64x2ConvertLowI32x4U, a)),
            [4294967295.0, 7.0]
        );
        let r = un(VUnOp::F32x4DemoteF64x2Zero, f64s([1.5, 1e300]));
        assert_eq!(b32(r), [1.5f32.to_bits(), f32::INFINITY.to_bits(), 0, 0]);
        let r = un(
            VUnOp::F32x4DemoteF64x2Zero,
            f64s([-0.0, 1.0 + f64::EPSILON]),
        );
        assert_eq!(b32(r), [0x8000_0000, 1f32.to_bits(), 0, 0]);
        assert_eq!(
            l::<f64, 2>(un(VUnOp::F64x2PromoteLowF32x4, f32s([0.1, -2.0, 9.0, 9.0]))),
            [f64::from(0.1f32), -2.0]
        );
    }

    #[test]
    fn float_sign_ops_keep_payloads() {
        let a = v(&[SNAN32, 0xffc0_1234, 0x8000_0000, 1f32.to_bits()]);
        assert_eq!(
            b32(un(VUnOp::F32x4Abs, a)),
            [SNAN32, 0x7fc0_1234, 0, 1f32.to_bits()]
        );
        assert_eq!(
            b32(un(VUnOp::F32x4Neg, a)),
            [0xff80_0001, 0x7fc0_1234, 0, (-1f32).to_bits()]
        );
        let a = v(&[0xfff0_0000_0000_0001u64, 2f64.to_bits()]);
        assert_eq!(
            b64(un(VUnOp::F64x2Abs, a)),
            [0x7ff0_0000_0000_0001, 2f64.to_bits()]
        );
        assert_eq!(
            b64(un(VUnOp::F64x2Neg, a)),
            [0x7ff0_0000_0000_0001, (-2f64).to_bits()]
        );
    }

    #[test]
    fn canonicalize_nans() {
        let a = v(&[SNAN32, 0xffc0_1234, 0x7f80_0000, 0x8000_0000]);
        assert_eq!(
            b32(un(VUnOp::CanonF32x4, a)),
            [NAN32, NAN32, 0x7f80_0000, 0x8000_0000]
        );
        let a = v(&[0xfff8_0000_0000_0001u64, 0xfff0_0000_0000_0000]);
        assert_eq!(
            b64(un(VUnOp::CanonF64x2, a)),
            [0x7ff8_0000_0000_0000, 0xfff0_0000_0000_0000]
        );
    }

    #[test]
    fn float_arith_and_compare() {
        let a = f32s([1.0, 6.0, f32::NAN, 4.0]);
        let b = f32s([2.0, 3.0, f32::NAN, -0.0]);
        assert_eq!(l::<f32, 4>(bin(VBinOp::F32x4Add, a, b))[..2], [3.0, 9.0]);
        assert_eq!(
            l::<f32, 4>(bin(VBinOp::F32x4Div, a, b))[3],
            f32::NEG_INFINITY
        );
        assert_eq!(l::<f32, 4>(un(VUnOp::F32x4Sqrt, a))[3], 2.0);
        assert_eq!(l::<u32, 4>(bin(VBinOp::F32x4Eq, a, a)), [!0, !0, 0, !0]);
        assert_eq!(l::<u32, 4>(bin(VBinOp::F32x4Ne, a, a)), [0, 0, !0, 0]);
        assert_eq!(l::<u32, 4>(bin(VBinOp::F32x4Lt, a, b)), [!0, 0, 0, 0]);
        assert_eq!(l::<u32, 4>(bin(VBinOp::F32x4Ge, a, b)), [0, !0, 0, !0]);
        let a = f64s([-0.0, f64::NAN]);
        let b = f64s([0.0, 1.0]);
        assert_eq!(l::<u64, 2>(bin(VBinOp::F64x2Eq, a, b)), [!0, 0]);
        assert_eq!(l::<u64, 2>(bin(VBinOp::F64x2Le, a, b)), [!0, 0]);
        assert_eq!(l::<u64, 2>(bin(VBinOp::F64x2Ne, a, b)), [0, !0]);
        assert_eq!(l::<f64, 2>(bin(VBinOp::F64x2Mul, b, b)), [0.0, 1.0]);
    }

    #[test]
    fn integer_ops() {
        let a = v(&[-128i8, 127, -1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
        let b = v(&[-1i8, 1, 1, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5]);
        assert_eq!(
            l::<i8, 16>(un(VUnOp::I8x16Abs, a))[..4],
            [-128, 127, 1, 100]
        );
        assert_eq!(
            l::<i8, 16>(un(VUnOp::I8x16Neg, a))[..4],
            [-128, -127, 1, -100]
        );
        assert_eq!(
            l::<i8, 16>(bin(VBinOp::I8x16Add, a, b))[..4],
            [127, -128, 0, -56]
        );
        assert_eq!(
            l::<i8, 16>(bin(VBinOp::I8x16AddSatS, a, b))[..4],
            [-128, 127, 0, 127]
        );
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16AddSatU, a, b))[..4],
            [255, 128, 255, 200]
        );
        assert_eq!(
            l::<i8, 16>(bin(VBinOp::I8x16SubSatS, a, b))[..4],
            [-127, 126, -2, 0]
        );
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16SubSatU, a, b))[..4],
            [0, 126, 254, 0]
        );
        assert_eq!(l::<i8, 16>(bin(VBinOp::I8x16MinS, a, b))[15], -5);
        assert_eq!(l::<u8, 16>(bin(VBinOp::I8x16MinU, a, b))[15], 5);
        assert_eq!(l::<u8, 16>(bin(VBinOp::I8x16MaxU, a, b))[0], 255);
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16LtS, a, b))[..4],
            [255, 0, 255, 0]
        );
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16LtU, a, b))[..4],
            [255, 0, 0, 0]
        );
        assert_eq!(
            l::<u8, 16>(bin(VBinOp::I8x16GeU, a, b))[..4],
            [0, 255, 255, 255]
        );
        assert_eq!(
            l::<u8, 16>(un(
                VUnOp::I8x16Popcnt,
                v(&[
                    0xffu8, 0x55, 0x80, 0, 1, 3, 7, 15, 0, 0, 0, 0, 0, 0, 0, 0xfe
                ])
            )),
            [8, 4, 1, 0, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 7]
        );
        let a = v(&[i16::MIN, 300, 0, 0, 0, 0, 0, 0]);
        assert_eq!(l::<i16, 8>(bin(VBinOp::I16x8Mul, a, a))[..2], [0, 24464]);
        assert_eq!(l::<i16, 8>(un(VUnOp::I16x8Abs, a))[0], i16::MIN);
        let a = v(&[i32::MIN, -1, 7, 0]);
        let b = v(&[1i32, 1, -7, 0]);
        assert_eq!(l::<i32, 4>(un(VUnOp::I32x4Abs, a)), [i32::MIN, 1, 7, 0]);
        assert_eq!(
            l::<i32, 4>(bin(VBinOp::I32x4Sub, a, b)),
            [i32::MAX, -2, 14, 0]
        );
        assert_eq!(
            l::<u32, 4>(bin(VBinOp::I32x4MaxU, a, b)),
            [1 << 31, u32::MAX, 0xffff_fff9, 0]
        );
        assert_eq!(l::<i32, 4>(bin(VBinOp::I32x4MaxS, a, b)), [1, 1, 7, 0]);
        assert_eq!(l::<u32, 4>(bin(VBinOp::I32x4GtU, a, b)), [!0, !0, 0, 0]);
        let a = v(&[i64::MIN, -3]);
        let b = v(&[-1i64, 5]);
        assert_eq!(l::<i64, 2>(un(VUnOp::I64x2Abs, a)), [i64::MIN, 3]);
        assert_eq!(l::<i64, 2>(un(VUnOp::I64x2Neg, a)), [i64::MIN, 3]);
        assert_eq!(l::<i64, 2>(bin(VBinOp::I64x2Mul, a, b)), [i64::MIN, -15]);
        assert_eq!(l::<u64, 2>(bin(VBinOp::I64x2LtS, a, b)), [!0, !0]);
        assert_eq!(l::<u64, 2>(bin(VBinOp::I64x2GeS, a, b)), [0, 0]);
        assert_eq!(bin(VBinOp::V128AndNot, 0b1100, 0b1010), 0b0100);
        assert_eq!(un(VUnOp::V128Not, 0), u128::MAX);
        assert_eq!(tern(VTernOp::V128Bitselect, 0b1100, 0b1010, 0b0110), 0b1100);
    }

    #[test]
    fn extract_and_replace_lanes() {
        let a = v(&[0u8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80]);
        assert_eq!(extract(VExtractOp::I8x16ExtractLaneS, a, 1), 0xffff_ffff);
        assert_eq!(extract(VExtractOp::I8x16ExtractLaneS, a, 15), 0xffff_ff80);
        assert_eq!(extract(VExtractOp::I8x16ExtractLaneU, a, 15), 0x80);
        let a = v(&[0i16, -2, 0x7fff, 0, 0, 0, 0, 0]);
        assert_eq!(extract(VExtractOp::I16x8ExtractLaneS, a, 1), 0xffff_fffe);
        assert_eq!(extract(VExtractOp::I16x8ExtractLaneS, a, 2), 0x7fff);
        assert_eq!(extract(VExtractOp::I16x8ExtractLaneU, a, 1), 0xfffe);
        let a = f32s([0.0, 0.0, 0.0, -1.0]);
        assert_eq!(extract(VExtractOp::F32x4ExtractLane, a, 3), 0xbf80_0000);
        assert_eq!(extract(VExtractOp::I32x4ExtractLane, a, 3), 0xbf80_0000);
        let a = v(&[1u64, u64::MAX]);
        assert_eq!(extract(VExtractOp::I64x2ExtractLane, a, 1), u64::MAX);
        assert_eq!(extract(VExtractOp::F64x2ExtractLane, a, 0), 1);
        // Only the low bits of a narrow scalar are read.
        let r = replace(VReplaceOp::I8x16ReplaceLane, 0, 15, 0xdead_1234);
        assert_eq!(r, 0x34 << 120);
        let r = replace(
            VReplaceOp::I16x8ReplaceLane,
            u128::MAX,
            0,
            0xffff_0000_1234_5678,
        );
        assert_eq!(r, u128::MAX << 16 | 0x5678);
        let r = replace(VReplaceOp::F32x4ReplaceLane, 0, 2, 0xffff_ffff_3f80_0000);
        assert_eq!(l::<f32, 4>(r), [0.0, 0.0, 1.0, 0.0]);
        let r = replace(VReplaceOp::I32x4ReplaceLane, u128::MAX, 1, 0);
        assert_eq!(l::<u32, 4>(r), [!0, 0, !0, !0]);
        let r = replace(VReplaceOp::I64x2ReplaceLane, 0, 1, 0x8000_0000_0000_0001);
        assert_eq!(r, 0x8000_0000_0000_0001 << 64);
        let r = replace(VReplaceOp::F64x2ReplaceLane, u128::MAX, 0, 2f64.to_bits());
        assert_eq!(l::<f64, 2>(r)[0], 2.0);
        // An out-of-range lane (which validation rejects) wraps instead of panicking.
        assert_eq!(extract(VExtractOp::I64x2ExtractLane, v(&[1u64, 2]), 3), 2);
    }

    #[test]
    fn splats() {
        assert_eq!(
            splat(VSplatOp::I8x16Splat, 0x1_2345),
            0x4545_4545_4545_4545_4545_4545_4545_4545
        );
        assert_eq!(
            splat(VSplatOp::I16x8Splat, 0xffff_8001),
            0x8001_8001_8001_8001_8001_8001_8001_8001
        );
        assert_eq!(
            l::<f32, 4>(splat(VSplatOp::F32x4Splat, 1.5f32.to_bits().into())),
            [1.5; 4]
        );
        assert_eq!(
            splat(VSplatOp::I32x4Splat, 0xdead_beef),
            0xdead_beef_dead_beef_dead_beef_dead_beef
        );
        assert_eq!(
            splat(VSplatOp::I64x2Splat, u64::MAX - 1),
            (u128::MAX - 1) ^ (1 << 64)
        );
        assert_eq!(
            l::<f64, 2>(splat(VSplatOp::F64x2Splat, (-0.25f64).to_bits())),
            [-0.25; 2]
        );
    }

    #[test]
    fn loads() {
        let bytes = 0x0102_80ff_7f00_fe81_u64; // bytes, low first: 81 fe 00 7f ff 80 02 01
        assert_eq!(
            l::<i16, 8>(load(VLoadOp::V128Load8x8S, bytes)),
            [-127, -2, 0, 127, -1, -128, 2, 1]
        );
        assert_eq!(
            l::<u16, 8>(load(VLoadOp::V128Load8x8U, bytes)),
            [0x81, 0xfe, 0, 0x7f, 0xff, 0x80, 2, 1]
        );
        assert_eq!(
            l::<i32, 4>(load(VLoadOp::V128Load16x4S, bytes)),
            [-0x017f, 0x7f00, -0x7f01, 0x0102]
        );
        assert_eq!(
            l::<u32, 4>(load(VLoadOp::V128Load16x4U, bytes)),
            [0xfe81, 0x7f00, 0x80ff, 0x0102]
        );
        assert_eq!(
            l::<i64, 2>(load(VLoadOp::V128Load32x2S, 0x8000_0000_ffff_fffe)),
            [-2, -0x8000_0000]
        );
        assert_eq!(
            l::<u64, 2>(load(VLoadOp::V128Load32x2U, 0x8000_0000_ffff_fffe)),
            [0xffff_fffe, 0x8000_0000]
        );
        assert_eq!(
            load(VLoadOp::V128Load8Splat, 0x80),
            0x8080_8080_8080_8080_8080_8080_8080_8080
        );
        assert_eq!(
            load(VLoadOp::V128Load16Splat, 0x1234),
            0x1234_1234_1234_1234_1234_1234_1234_1234
        );
        assert_eq!(
            load(VLoadOp::V128Load32Splat, 0x89ab_cdef),
            0x89ab_cdef_89ab_cdef_89ab_cdef_89ab_cdef
        );
        assert_eq!(
            load(VLoadOp::V128Load64Splat, bytes),
            u128::from(bytes) * ((1 << 64) + 1)
        );
        assert_eq!(load(VLoadOp::V128Load32Zero, 0x89ab_cdef), 0x89ab_cdef);
        assert_eq!(
            load(VLoadOp::V128Load64Zero, u64::MAX),
            u128::from(u64::MAX)
        );
        assert_eq!(load(VLoadOp::V128Load, 7), 7);
    }

    #[test]
    fn relaxed_madd_is_unfused() {
        // (1 + 2^-23)(1 - 2^-23) = 1 - 2^-46 rounds to 1; a fused result would be -2^-46.
        let x = 1.0 + f32::EPSILON;
        let y = 1.0 - f32::EPSILON;
        let (a, b) = (f32s([x, x, 2.0, 1.0]), f32s([y, y, 3.0, f32::INFINITY]));
        let r = tern(VTernOp::F32x4RelaxedMadd, a, b, f32s([-1.0, 0.0, 1.0, 1.0]));
        assert_eq!(l::<f32, 4>(r), [0.0, 1.0, 7.0, f32::INFINITY]);
        let r = tern(VTernOp::F32x4RelaxedNmadd, a, b, f32s([1.0, 0.0, 1.0, 1.0]));
        assert_eq!(l::<f32, 4>(r), [0.0, -1.0, -5.0, f32::NEG_INFINITY]);
        let x = 1.0 + f64::EPSILON;
        let y = 1.0 - f64::EPSILON;
        let r = tern(
            VTernOp::F64x2RelaxedMadd,
            f64s([x, 2.0]),
            f64s([y, 3.0]),
            f64s([-1.0, 1.0]),
        );
        assert_eq!(l::<f64, 2>(r), [0.0, 7.0]);
        let r = tern(
            VTernOp::F64x2RelaxedNmadd,
            f64s([x, 2.0]),
            f64s([y, 3.0]),
            f64s([1.0, 1.0]),
        );
        assert_eq!(l::<f64, 2>(r), [0.0, -5.0]);
    }

    #[test]
    fn relaxed_laneselect_uses_every_mask_bit() {
        let m = 0x0f0f_0f0f_f0f0_f0f0_0f0f_0f0f_8000_0001;
        for op in [
            VTernOp::I8x16RelaxedLaneselect,
            VTernOp::I16x8RelaxedLaneselect,
            VTernOp::I32x4RelaxedLaneselect,
            VTernOp::I64x2RelaxedLaneselect,
        ] {
            assert_eq!(tern(op, u128::MAX, 0, m), m);
            assert_eq!(tern(op, 0, u128::MAX, m), !m);
        }
    }

    #[test]
    fn relaxed_dot() {
        // The spec test's values.
        let a = v(&[-128i8, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = v(&[127i8, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8RelaxedDotI8x16I7x16S, a, b)),
            [-32512, 32258, 0, 0, 0, 0, 0, 0]
        );
        let a = v(&std::array::from_fn::<i8, 16, _>(|i| i as i8));
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8RelaxedDotI8x16I7x16S, a, a)),
            [1, 13, 41, 85, 145, 221, 313, 421]
        );
        assert_eq!(
            l::<i32, 4>(tern(
                VTernOp::I32x4RelaxedDotI8x16I7x16AddS,
                a,
                a,
                v(&[0i32, 1, 2, 3])
            )),
            [14, 127, 368, 737]
        );
        // b's top bit set: read as signed; an i16 pair sum of 32768 wraps to -32768, and the
        // i32 sum of two such pairs is -65536.
        let a = v(&[-128i8, -128, -128, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let b = v(&[-128i8, -128, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(
            l::<i16, 8>(bin(VBinOp::I16x8RelaxedDotI8x16I7x16S, a, b)),
            [-32768, 32385, 0, 0, 0, 0, 0, 0]
        );
        let c = v(&[1i32, 2, 3, 4]);
        assert_eq!(
            l::<i32, 4>(tern(VTernOp::I32x4RelaxedDotI8x16I7x16AddS, a, b, c)),
            [-32768 + 32385 + 1, 2, 3, 4]
        );
        let a = v(&[-128i8; 16]);
        assert_eq!(
            l::<i32, 4>(tern(VTernOp::I32x4RelaxedDotI8x16I7x16AddS, a, a, c)),
            [-65535, -65534, -65533, -65532]
        );
        // The accumulation wraps.
        let a = v(&[127i8, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        let c = v(&[i32::MAX, 0, 0, 0]);
        assert_eq!(
            l::<i32, 4>(tern(VTernOp::I32x4RelaxedDotI8x16I7x16AddS, a, a, c)),
            [i32::MIN + 32257, 0, 0, 0]
        );
    }
}
