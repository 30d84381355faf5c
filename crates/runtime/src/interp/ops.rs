//! What both dispatch loops share: raw access to a frame's slots ([`Regs`]) and to memory
//! 0 ([`Mem`]), the value conversions, and the one list of the instructions that only read
//! and write slots and memory 0 ([`simple_ops!`]), which each loop expands into its own
//! handlers, and the store operations both loops call ([`Env`]).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::limits::LimiterSlot;
use crate::store::{
    FuncData, GlobalData, InstanceData, InstanceState, MemoryData, StoreInner, TableData,
};
use wvm_environ::{FuelCosts, TrapCode};

/// The current function's frame: raw access to its slots.
///
/// Built only by [`Regs::new`], whose contract makes every access below in bounds.
#[derive(Clone, Copy)]
pub(super) struct Regs(*mut u64);

impl Regs {
    /// # Safety
    ///
    /// `stack` must hold at least `fp + frame_size` slots of the function whose frame this
    /// is, and must not be reallocated while the `Regs` is used (the loop makes a new one
    /// after every [`enter_frame`](super::exec::enter_frame), the only place that grows the stack).
    #[inline(always)]
    pub(super) unsafe fn new(stack: &mut Vec<u64>, fp: usize) -> Regs {
        // SAFETY: `fp <= stack.len()` by the contract; `as_mut_ptr` makes no reference.
        Regs(unsafe { stack.as_mut_ptr().add(fp) })
    }

    #[inline(always)]
    pub(super) fn get(self, s: u32) -> u64 {
        // SAFETY: `s < frame_size`, checked for every slot operand by `CompiledFunc::verify`
        // when the function was translated, and the frame has `frame_size` slots (`new`).
        unsafe { *self.0.add(s as usize) }
    }

    #[inline(always)]
    pub(super) fn set(self, s: u32, v: u64) {
        // SAFETY: as in `get`.
        unsafe { *self.0.add(s as usize) = v }
    }
}

/// The bytes of the current instance's memory 0: base and length, kept in locals so that a
/// load or store costs one comparison. Refreshed whenever they may have changed (after any
/// instruction that touches the memory through the store, on switching instance, and on
/// entering the loop); host functions run outside the loop.
#[derive(Clone, Copy)]
pub(super) struct Mem {
    pub(super) base: *mut u8,
    pub(super) len: u64,
}

impl Mem {
    pub(super) fn of(memories: &mut [crate::store::MemoryData], id: usize) -> Mem {
        match memories.get_mut(id) {
            Some(m) => {
                let bytes: &mut [u8] = &mut m.data;
                Mem {
                    base: bytes.as_mut_ptr(),
                    len: bytes.len() as u64,
                }
            }
            None => Mem {
                base: std::ptr::NonNull::dangling().as_ptr(),
                len: 0,
            },
        }
    }

    /// The `N` bytes at `addr + offset`, or `None` if they are not all inside the memory.
    #[inline(always)]
    pub(super) fn load<const N: usize>(self, addr: u64, offset: u32) -> Option<[u8; N]> {
        let ea = u64::from(addr as u32) + u64::from(offset);
        if ea + N as u64 > self.len {
            return None;
        }
        // SAFETY: `ea + N <= len`: the bytes lie inside the memory, which stays allocated
        // and unmoved while this `Mem` is current (see the type's note).
        Some(unsafe { std::ptr::read_unaligned(self.base.add(ea as usize).cast::<[u8; N]>()) })
    }

    #[inline(always)]
    pub(super) fn store<const N: usize>(self, addr: u64, offset: u32, v: [u8; N]) -> Option<()> {
        let ea = u64::from(addr as u32) + u64::from(offset);
        if ea + N as u64 > self.len {
            return None;
        }
        // SAFETY: as in `load`.
        unsafe { std::ptr::write_unaligned(self.base.add(ea as usize).cast::<[u8; N]>(), v) };
        Some(())
    }

    /// The `N` bytes at effective address `ea` (any 64-bit value), or `None` if they are
    /// not all inside the memory.
    #[inline(always)]
    pub(super) fn load_at<const N: usize>(self, ea: u64) -> Option<[u8; N]> {
        if ea.checked_add(N as u64)? > self.len {
            return None;
        }
        // SAFETY: `ea + N <= len`, as in `load`.
        Some(unsafe { std::ptr::read_unaligned(self.base.add(ea as usize).cast::<[u8; N]>()) })
    }

    #[inline(always)]
    pub(super) fn store_at<const N: usize>(self, ea: u64, v: [u8; N]) -> Option<()> {
        if ea.checked_add(N as u64)? > self.len {
            return None;
        }
        // SAFETY: as in `load_at`.
        unsafe { std::ptr::write_unaligned(self.base.add(ea as usize).cast::<[u8; N]>(), v) };
        Some(())
    }
}

/// An address operand of a memory with 64-bit addresses (`is64`) or 32-bit ones, as a
/// 64-bit number.
#[inline(always)]
pub(super) fn address(is64: bool, v: u64) -> u64 {
    if is64 { v } else { u64::from(v as u32) }
}

/// The index of `ip` in the code starting at `base`.
#[inline(always)]
pub(super) fn index_of<T>(ip: *const T, base: *const T) -> usize {
    (ip as usize - base as usize) / std::mem::size_of::<T>()
}

pub(super) fn f32v(b: u64) -> f32 {
    f32::from_bits(b as u32)
}
pub(super) fn f64v(b: u64) -> f64 {
    f64::from_bits(b)
}
pub(super) fn f32b(v: f32) -> u64 {
    u64::from(v.to_bits())
}
pub(super) fn f64b(v: f64) -> u64 {
    v.to_bits()
}
pub(super) fn b32(v: bool) -> u64 {
    u64::from(v)
}

pub(super) fn u32v(b: u64) -> u32 {
    b as u32
}
pub(super) fn i32v(b: u64) -> i32 {
    b as u32 as i32
}
pub(super) fn u64v(b: u64) -> u64 {
    b
}
pub(super) fn i64v(b: u64) -> i64 {
    b as i64
}
pub(super) fn from_i32(v: i32) -> u64 {
    u64::from(v as u32)
}
pub(super) fn from_i64(v: i64) -> u64 {
    v as u64
}

/// `slot + step` as i32 (a loop counter's increment), as a slot's bits.
#[inline(always)]
pub(super) fn inc32(v: u64, step: i8) -> u64 {
    u64::from((v as u32).wrapping_add(step as i32 as u32))
}

/// An instruction's 32-bit immediate as an operand's bits (sign-extended: an i32 operator
/// reads the low half, an i64 one all of it).
pub(super) fn imm(i: u32) -> u64 {
    i as i32 as i64 as u64
}

// The semantics of every instruction that reads and writes frame slots (and memory 0) only:
// one list, expanded by each dispatch loop into its own handlers. `Op / OpImm(...)` also
// gives `OpImm`, the same operator with an immediate right operand.
#[rustfmt::skip]
macro_rules! simple_ops {
    ($m:ident ! { $($rest:tt)* }) => {
        $m! {
            bin: [
                I32Eq(u32v, b32, |x, y| x == y),
                I32Ne(u32v, b32, |x, y| x != y),
                I32LtS(i32v, b32, |x, y| x < y),
                I32LtU(u32v, b32, |x, y| x < y),
                I32GtS(i32v, b32, |x, y| x > y),
                I32GtU(u32v, b32, |x, y| x > y),
                I32LeS(i32v, b32, |x, y| x <= y),
                I32LeU(u32v, b32, |x, y| x <= y),
                I32GeS(i32v, b32, |x, y| x >= y),
                I32GeU(u32v, b32, |x, y| x >= y),
                I64Eq(u64v, b32, |x, y| x == y),
                I64Ne(u64v, b32, |x, y| x != y),
                I64LtS(i64v, b32, |x, y| x < y),
                I64LtU(u64v, b32, |x, y| x < y),
                I64GtS(i64v, b32, |x, y| x > y),
                I64GtU(u64v, b32, |x, y| x > y),
                I64LeS(i64v, b32, |x, y| x <= y),
                I64LeU(u64v, b32, |x, y| x <= y),
                I64GeS(i64v, b32, |x, y| x >= y),
                I64GeU(u64v, b32, |x, y| x >= y),
                F32Eq(f32v, b32, |x, y| x == y),
                F32Ne(f32v, b32, |x, y| x != y),
                F32Lt(f32v, b32, |x, y| x < y),
                F32Gt(f32v, b32, |x, y| x > y),
                F32Le(f32v, b32, |x, y| x <= y),
                F32Ge(f32v, b32, |x, y| x >= y),
                F64Eq(f64v, b32, |x, y| x == y),
                F64Ne(f64v, b32, |x, y| x != y),
                F64Lt(f64v, b32, |x, y| x < y),
                F64Gt(f64v, b32, |x, y| x > y),
                F64Le(f64v, b32, |x, y| x <= y),
                F64Ge(f64v, b32, |x, y| x >= y),
                I32Add / I32AddImm(u32v, u64::from, |x, y| x.wrapping_add(y)),
                I32Sub(u32v, u64::from, |x, y| x.wrapping_sub(y)),
                I32Mul / I32MulImm(u32v, u64::from, |x, y| x.wrapping_mul(y)),
                I32And / I32AndImm(u32v, u64::from, |x, y| x & y),
                I32Or / I32OrImm(u32v, u64::from, |x, y| x | y),
                I32Xor / I32XorImm(u32v, u64::from, |x, y| x ^ y),
                I32Shl / I32ShlImm(u32v, u64::from, |x, y| x.wrapping_shl(y)),
                I32ShrS / I32ShrSImm(u32v, u64::from, |x, y| (x as i32).wrapping_shr(y) as u32),
                I32ShrU / I32ShrUImm(u32v, u64::from, |x, y| x.wrapping_shr(y)),
                I32Rotl(u32v, u64::from, |x, y| x.rotate_left(y % 32)),
                I32Rotr(u32v, u64::from, |x, y| x.rotate_right(y % 32)),
                I64Add / I64AddImm(u64v, u64v, |x, y| x.wrapping_add(y)),
                I64Sub(u64v, u64v, |x, y| x.wrapping_sub(y)),
                I64Mul / I64MulImm(u64v, u64v, |x, y| x.wrapping_mul(y)),
                I64And / I64AndImm(u64v, u64v, |x, y| x & y),
                I64Or / I64OrImm(u64v, u64v, |x, y| x | y),
                I64Xor / I64XorImm(u64v, u64v, |x, y| x ^ y),
                I64Shl / I64ShlImm(u64v, u64v, |x, y| x.wrapping_shl(y as u32)),
                I64ShrS / I64ShrSImm(u64v, u64v, |x, y| (x as i64).wrapping_shr(y as u32) as u64),
                I64ShrU / I64ShrUImm(u64v, u64v, |x, y| x.wrapping_shr(y as u32)),
                I64Rotl(u64v, u64v, |x, y| x.rotate_left((y % 64) as u32)),
                I64Rotr(u64v, u64v, |x, y| x.rotate_right((y % 64) as u32)),
                F32Add(f32v, f32b, |x, y| x + y),
                F32Sub(f32v, f32b, |x, y| x - y),
                F32Mul(f32v, f32b, |x, y| x * y),
                F32Div(f32v, f32b, |x, y| x / y),
                F32Min(f32v, f32b, |x, y| num::f32_min(x, y)),
                F32Max(f32v, f32b, |x, y| num::f32_max(x, y)),
                F32Copysign(u32v, u64::from, |x, y| (x & 0x7fff_ffff) | (y & 0x8000_0000)),
                F64Add(f64v, f64b, |x, y| x + y),
                F64Sub(f64v, f64b, |x, y| x - y),
                F64Mul(f64v, f64b, |x, y| x * y),
                F64Div(f64v, f64b, |x, y| x / y),
                F64Min(f64v, f64b, |x, y| num::f64_min(x, y)),
                F64Max(f64v, f64b, |x, y| num::f64_max(x, y)),
                F64Copysign(u64v, u64v, |x, y| (x & !(1 << 63)) | (y & (1 << 63))),
            ],
            bin_trap: [
                I32DivS(i32v, from_i32, |x, y| num::i32_div_s(x, y)),
                I32DivU(u32v, u64::from, |x, y| num::i32_div_u(x, y)),
                I32RemS(i32v, from_i32, |x, y| num::i32_rem_s(x, y)),
                I32RemU(u32v, u64::from, |x, y| num::i32_rem_u(x, y)),
                I64DivS(i64v, from_i64, |x, y| num::i64_div_s(x, y)),
                I64DivU(u64v, u64v, |x, y| num::i64_div_u(x, y)),
                I64RemS(i64v, from_i64, |x, y| num::i64_rem_s(x, y)),
                I64RemU(u64v, u64v, |x, y| num::i64_rem_u(x, y)),
            ],
            un: [
                I32Eqz(u32v, b32, |x| x == 0),
                I64Eqz(u64v, b32, |x| x == 0),
                I32Clz(u32v, u64::from, |x| x.leading_zeros()),
                I32Ctz(u32v, u64::from, |x| x.trailing_zeros()),
                I32Popcnt(u32v, u64::from, |x| x.count_ones()),
                I64Clz(u64v, u64::from, |x| x.leading_zeros()),
                I64Ctz(u64v, u64::from, |x| x.trailing_zeros()),
                I64Popcnt(u64v, u64::from, |x| x.count_ones()),
                F32Abs(u32v, u64::from, |x| x & 0x7fff_ffff),
                F32Neg(u32v, u64::from, |x| x ^ 0x8000_0000),
                F32Ceil(f32v, f32b, |x| num::quiet32(x.ceil())),
                F32Floor(f32v, f32b, |x| num::quiet32(x.floor())),
                F32Trunc(f32v, f32b, |x| num::quiet32(x.trunc())),
                F32Nearest(f32v, f32b, |x| num::quiet32(x.round_ties_even())),
                F32Sqrt(f32v, f32b, |x| x.sqrt()),
                F64Abs(u64v, u64v, |x| x & !(1 << 63)),
                F64Neg(u64v, u64v, |x| x ^ (1 << 63)),
                F64Ceil(f64v, f64b, |x| num::quiet64(x.ceil())),
                F64Floor(f64v, f64b, |x| num::quiet64(x.floor())),
                F64Trunc(f64v, f64b, |x| num::quiet64(x.trunc())),
                F64Nearest(f64v, f64b, |x| num::quiet64(x.round_ties_even())),
                F64Sqrt(f64v, f64b, |x| x.sqrt()),
                I32WrapI64(u64v, u64::from, |x| x as u32),
                I64ExtendI32S(i32v, from_i64, |x| i64::from(x)),
                I64ExtendI32U(u32v, u64::from, |x| x),
                F32ConvertI32S(i32v, f32b, |x| x as f32),
                F32ConvertI32U(u32v, f32b, |x| x as f32),
                F32ConvertI64S(i64v, f32b, |x| x as f32),
                F32ConvertI64U(u64v, f32b, |x| x as f32),
                F32DemoteF64(f64v, f32b, |x| x as f32),
                F64ConvertI32S(i32v, f64b, |x| f64::from(x)),
                F64ConvertI32U(u32v, f64b, |x| f64::from(x)),
                F64ConvertI64S(i64v, f64b, |x| x as f64),
                F64ConvertI64U(u64v, f64b, |x| x as f64),
                F64PromoteF32(f32v, f64b, |x| f64::from(x)),
                I32Extend8S(u32v, from_i32, |x| x as i8 as i32),
                I32Extend16S(u32v, from_i32, |x| x as i16 as i32),
                I64Extend8S(u64v, from_i64, |x| x as i8 as i64),
                I64Extend16S(u64v, from_i64, |x| x as i16 as i64),
                I64Extend32S(u64v, from_i64, |x| x as i32 as i64),
                I32TruncSatF32S(f32v, from_i32, |x| x as i32),
                I32TruncSatF32U(f32v, u64::from, |x| x as u32),
                I32TruncSatF64S(f64v, from_i32, |x| x as i32),
                I32TruncSatF64U(f64v, u64::from, |x| x as u32),
                I64TruncSatF32S(f32v, from_i64, |x| x as i64),
                I64TruncSatF32U(f32v, u64v, |x| x as u64),
                I64TruncSatF64S(f64v, from_i64, |x| x as i64),
                I64TruncSatF64U(f64v, u64v, |x| x as u64),
            ],
            un_trap: [
                I32TruncF32S(f32v, |x| num::i32_trunc_s(f64::from(x))),
                I32TruncF32U(f32v, |x| num::i32_trunc_u(f64::from(x))),
                I32TruncF64S(f64v, |x| num::i32_trunc_s(x)),
                I32TruncF64U(f64v, |x| num::i32_trunc_u(x)),
                I64TruncF32S(f32v, |x| num::i64_trunc_s(f64::from(x))),
                I64TruncF32U(f32v, |x| num::i64_trunc_u(f64::from(x))),
                I64TruncF64S(f64v, |x| num::i64_trunc_s(x)),
                I64TruncF64U(f64v, |x| num::i64_trunc_u(x)),
            ],
            ld: [
                I32Load(4, |b| u64::from(u32::from_le_bytes(b))),
                I64Load(8, |b| u64::from_le_bytes(b)),
                F32Load(4, |b| u64::from(u32::from_le_bytes(b))),
                F64Load(8, |b| u64::from_le_bytes(b)),
                I32Load8S(1, |b| u64::from(b[0] as i8 as i32 as u32)),
                I32Load8U(1, |b| u64::from(b[0])),
                I32Load16S(2, |b| u64::from(i16::from_le_bytes(b) as i32 as u32)),
                I32Load16U(2, |b| u64::from(u16::from_le_bytes(b))),
                I64Load8S(1, |b| b[0] as i8 as i64 as u64),
                I64Load8U(1, |b| u64::from(b[0])),
                I64Load16S(2, |b| i16::from_le_bytes(b) as i64 as u64),
                I64Load16U(2, |b| u64::from(u16::from_le_bytes(b))),
                I64Load32S(4, |b| i32::from_le_bytes(b) as i64 as u64),
                I64Load32U(4, |b| u64::from(u32::from_le_bytes(b))),
            ],
            st: [
                I32Store(|v| (v as u32).to_le_bytes()),
                F32Store(|v| (v as u32).to_le_bytes()),
                I64Store(|v| v.to_le_bytes()),
                F64Store(|v| v.to_le_bytes()),
                I32Store8(|v| [v as u8]),
                I64Store8(|v| [v as u8]),
                I32Store16(|v| (v as u16).to_le_bytes()),
                I64Store16(|v| (v as u16).to_le_bytes()),
                I64Store32(|v| (v as u32).to_le_bytes()),
            ],
            br_bin: [
                BrI32Eq / BrI32EqImm(u32v, |x, y| x == y),
                BrI32Ne / BrI32NeImm(u32v, |x, y| x != y),
                BrI32LtS / BrI32LtSImm(i32v, |x, y| x < y),
                BrI32LtU / BrI32LtUImm(u32v, |x, y| x < y),
                BrI32GtS / BrI32GtSImm(i32v, |x, y| x > y),
                BrI32GtU / BrI32GtUImm(u32v, |x, y| x > y),
                BrI32LeS / BrI32LeSImm(i32v, |x, y| x <= y),
                BrI32LeU / BrI32LeUImm(u32v, |x, y| x <= y),
                BrI32GeS / BrI32GeSImm(i32v, |x, y| x >= y),
                BrI32GeU / BrI32GeUImm(u32v, |x, y| x >= y),
                BrI64Eq / BrI64EqImm(u64v, |x, y| x == y),
                BrI64Ne / BrI64NeImm(u64v, |x, y| x != y),
                BrI64LtS / BrI64LtSImm(i64v, |x, y| x < y),
                BrI64LtU / BrI64LtUImm(u64v, |x, y| x < y),
                BrI64GtS / BrI64GtSImm(i64v, |x, y| x > y),
                BrI64GtU / BrI64GtUImm(u64v, |x, y| x > y),
                BrI64LeS / BrI64LeSImm(i64v, |x, y| x <= y),
                BrI64LeU / BrI64LeUImm(u64v, |x, y| x <= y),
                BrI64GeS / BrI64GeSImm(i64v, |x, y| x >= y),
                BrI64GeU / BrI64GeUImm(u64v, |x, y| x >= y),
                BrI32And / BrI32AndImm(u32v, |x, y| x & y != 0),
                BrI32AndEqz / BrI32AndEqzImm(u32v, |x, y| x & y == 0),
            ],
            inc_br: [
                IncBrI32Ne / IncBrI32NeImm(u32v, |x, y| x != y),
                IncBrI32LtS / IncBrI32LtSImm(i32v, |x, y| x < y),
                IncBrI32LtU / IncBrI32LtUImm(u32v, |x, y| x < y),
            ],
            $($rest)*
        }
    };
}
pub(super) use simple_ops;

/// Checks that `[start, start + len)` lies within `size` (32-bit operands: the low halves
/// of `start` and `len`); returns the range.
#[inline(always)]
fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    range64(u64::from(start as u32), u64::from(len as u32), size)
}

/// Checks that `[start, start + len)` lies within `size` (64-bit operands); returns the
/// range.
#[inline(always)]
fn range64(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}

/// The parts of the store the dispatch loops use, and the instructions that work on them
/// beyond frame slots (tables, bulk memory, growth, globals), shared by both loops.
pub(super) struct Env<'a> {
    pub(super) funcs: &'a [FuncData],
    pub(super) instances: &'a [InstanceData],
    pub(super) memories: &'a mut [MemoryData],
    pub(super) tables: &'a mut [TableData],
    pub(super) globals: &'a mut [GlobalData],
    pub(super) instance_state: &'a mut [InstanceState],
    pub(super) fuel: &'a mut u64,
    pub(super) limiter: &'a mut LimiterSlot,
    pub(super) fuel_costs: Option<FuelCosts>,
    pub(super) epoch: &'a AtomicU64,
    pub(super) epoch_deadline: u64,
}

type Res<T> = Result<T, TrapCode>;

impl<'a> Env<'a> {
    /// The store's parts, borrowed apart.
    pub(super) fn new(inner: &'a mut StoreInner) -> Env<'a> {
        let StoreInner {
            funcs,
            memories,
            tables,
            globals,
            instances,
            instance_state,
            engine,
            fuel,
            epoch_deadline,
            limiter,
            ..
        } = inner;
        Env {
            funcs,
            instances,
            memories,
            tables,
            globals,
            instance_state,
            fuel,
            limiter,
            fuel_costs: engine.config().fuel,
            epoch: engine.epoch_counter(),
            epoch_deadline: *epoch_deadline,
        }
    }

    /// Charges `cost` fuel (a segment's static cost), or stops with "out of fuel".
    #[inline(always)]
    pub(super) fn consume(&mut self, cost: u64) -> Res<()> {
        if *self.fuel < cost {
            return Err(TrapCode::OutOfFuel);
        }
        *self.fuel -= cost;
        Ok(())
    }

    /// Charges fuel for work proportional to its size (bulk operations, growth), if
    /// metering; the instruction's own cost was charged with its segment.
    fn charge(&mut self, amount: impl FnOnce(FuelCosts) -> u64) -> Res<()> {
        match self.fuel_costs {
            Some(c) => self.consume(amount(c)),
            None => Ok(()),
        }
    }

    #[inline(always)]
    pub(super) fn check_epoch(&self) -> Res<()> {
        if self.epoch.load(Ordering::Relaxed) >= self.epoch_deadline {
            return Err(TrapCode::Interrupt);
        }
        Ok(())
    }

    #[inline(always)]
    pub(super) fn global_get(&self, inst: &InstanceData, global: u32) -> u64 {
        self.globals[inst.globals[global as usize] as usize]
            .def
            .storage[0]
    }

    #[inline(always)]
    pub(super) fn global_set(&mut self, inst: &InstanceData, global: u32, v: u64) {
        self.globals[inst.globals[global as usize] as usize]
            .def
            .storage[0] = v;
    }

    pub(super) fn global_get_v128(&self, inst: &InstanceData, global: u32) -> u128 {
        let [lo, hi] = self.globals[inst.globals[global as usize] as usize]
            .def
            .storage;
        u128::from(lo) | (u128::from(hi) << 64)
    }

    pub(super) fn global_set_v128(&mut self, inst: &InstanceData, global: u32, v: u128) {
        self.globals[inst.globals[global as usize] as usize]
            .def
            .storage = [v as u64, (v >> 64) as u64];
    }

    /// The store function `call_indirect` calls: element `index` of the instance's table
    /// `table`, checked against the module's type `ty`.
    #[inline(always)]
    pub(super) fn indirect_callee(
        &self,
        inst: &InstanceData,
        table: u32,
        ty: u32,
        index: u64,
    ) -> Res<u32> {
        let t = &self.tables[inst.tables[table as usize] as usize];
        let index = address(t.ty.is_64(), index);
        let Some(&bits) = usize::try_from(index).ok().and_then(|i| t.elements.get(i)) else {
            return Err(TrapCode::UndefinedElement);
        };
        if bits == 0 {
            return Err(TrapCode::IndirectCallToNull);
        }
        let callee = (bits - 1) as u32;
        if self.funcs[callee as usize].vmref.type_index != inst.module.inner.type_ids[ty as usize] {
            return Err(TrapCode::BadSignature);
        }
        Ok(callee)
    }

    /// The store index a reference `bits` (store index + 1) holds, or the trap `null`
    /// names if it is null: `call_ref` (a function, whose type validation checked),
    /// `throw_ref` (an exception), `ref.as_non_null`.
    #[inline(always)]
    pub(super) fn deref(bits: u64, null: TrapCode) -> Res<u32> {
        match bits {
            0 => Err(null),
            _ => Ok((bits - 1) as u32),
        }
    }

    /// The store id of the instance's memory `mem`.
    #[inline(always)]
    fn memory_id(inst: &InstanceData, mem: u32) -> usize {
        inst.memories[mem as usize] as usize
    }

    /// The memory a memarg word names (see [`wvm_bytecode::memarg`]; memory 0 is `mem0`)
    /// and the effective address of `addr` plus the offset whose halves are `lo` and `hi`,
    /// or `None` if that address is past 2^64 (out of bounds).
    #[inline(always)]
    pub(super) fn access(
        &mut self,
        inst: &InstanceData,
        mem0: Mem,
        memarg: u32,
        addr: u64,
        lo: u32,
        hi: u32,
    ) -> Option<(Mem, u64)> {
        let (mem, is64) = wvm_bytecode::memarg_parts(memarg);
        let m = match mem {
            0 => mem0,
            _ => Mem::of(self.memories, Env::memory_id(inst, mem)),
        };
        let offset = u64::from(lo) | (u64::from(hi) << 32);
        Some((m, address(is64, addr).checked_add(offset)?))
    }

    /// The instance's memory `mem` as an operand's address width says (64-bit or not),
    /// and its store id.
    fn memory_of(&self, inst: &InstanceData, mem: u32) -> (usize, bool) {
        let id = Env::memory_id(inst, mem);
        (id, self.memories[id].ty.is_64())
    }

    pub(super) fn memory_size(&self, inst: &InstanceData, mem: u32) -> u64 {
        self.memories[Env::memory_id(inst, mem)].pages()
    }

    pub(super) fn memory_grow(&mut self, inst: &InstanceData, mem: u32, delta: u64) -> Res<u64> {
        let (id, is64) = self.memory_of(inst, mem);
        let delta = address(is64, delta);
        // Only growth that can happen costs its pages: a request past the maximum fails
        // (-1) for the static cost alone.
        let m = &self.memories[id];
        let max = m.ty.maximum().unwrap_or(u64::MAX).min(m.ty.max_pages());
        let page = m.ty.page_size();
        if m.pages().saturating_add(delta) <= max {
            let bytes = delta.saturating_mul(page);
            self.charge(|c| c.grow_pages(bytes / wvm_environ::WASM_PAGE_SIZE))?;
        }
        match self.memories[id].grow(delta, self.limiter.get()) {
            Ok(Some(old)) => Ok(old),
            Ok(None) if is64 => Ok(u64::MAX),
            Ok(None) => Ok(u64::from(u32::MAX)),
            Err(_) => Err(TrapCode::ResourceLimitExceeded),
        }
    }

    pub(super) fn memory_fill(
        &mut self,
        inst: &InstanceData,
        mem: u32,
        dst: u64,
        value: u64,
        len: u64,
    ) -> Res<()> {
        let (id, is64) = self.memory_of(inst, mem);
        let n = self.memories[id].data.len();
        let rg = range64(address(is64, dst), address(is64, len), n);
        let rg = rg.ok_or(TrapCode::MemoryOutOfBounds)?;
        self.charge(|c| c.bulk(rg.len() as u64))?;
        self.memories[id].data[rg].fill(value as u8);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn memory_copy(
        &mut self,
        inst: &InstanceData,
        dst_mem: u32,
        src_mem: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Res<()> {
        let (di, d64) = self.memory_of(inst, dst_mem);
        let (si, s64) = self.memory_of(inst, src_mem);
        // The length has the narrower of the two address types.
        let len = address(d64 && s64, len);
        let (dn, sn) = (self.memories[di].data.len(), self.memories[si].data.len());
        let (Some(s), Some(d)) = (
            range64(address(s64, src), len, sn),
            range64(address(d64, dst), len, dn),
        ) else {
            return Err(TrapCode::MemoryOutOfBounds);
        };
        self.charge(|c| c.bulk(s.len() as u64))?;
        if di == si {
            self.memories[di].data.copy_within(s, d.start);
        } else {
            let [to, from] = self
                .memories
                .get_disjoint_mut([di, si])
                .map_err(|_| TrapCode::MemoryOutOfBounds)?;
            to.data[d].copy_from_slice(&from.data[s]);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn memory_init(
        &mut self,
        inst_id: u32,
        mem: u32,
        seg: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Res<()> {
        let inst = &self.instances[inst_id as usize];
        let (id, is64) = self.memory_of(inst, mem);
        let bytes: &[u8] = if self.instance_state[inst_id as usize].data_dropped[seg as usize] {
            &[]
        } else {
            let module = &inst.module.inner;
            &module.wasm[module.info.data[seg as usize].range.clone()]
        };
        let n = self.memories[id].data.len();
        let (Some(s), Some(d)) = (
            range(src, len, bytes.len()),
            range64(address(is64, dst), u64::from(len as u32), n),
        ) else {
            return Err(TrapCode::MemoryOutOfBounds);
        };
        self.charge(|c| c.bulk(s.len() as u64))?;
        self.memories[id].data[d].copy_from_slice(&bytes[s]);
        Ok(())
    }

    pub(super) fn data_drop(&mut self, inst_id: u32, seg: u32) {
        self.instance_state[inst_id as usize].data_dropped[seg as usize] = true;
    }

    pub(super) fn elem_drop(&mut self, inst_id: u32, seg: u32) {
        self.instance_state[inst_id as usize].elems[seg as usize] = Box::new([]);
    }

    fn table(&self, inst: &InstanceData, table: u32) -> usize {
        inst.tables[table as usize] as usize
    }

    /// An index operand of table `ti` (a store id) as a 64-bit number (see [`address`]).
    fn table_index(&self, ti: usize, v: u64) -> u64 {
        address(self.tables[ti].ty.is_64(), v)
    }

    /// Element `index` of table `ti` (a store id), if it exists.
    fn element(&mut self, ti: usize, index: u64) -> Res<&mut u64> {
        let index = self.table_index(ti, index);
        usize::try_from(index)
            .ok()
            .and_then(|i| self.tables[ti].elements.get_mut(i))
            .ok_or(TrapCode::TableOutOfBounds)
    }

    pub(super) fn table_get(&mut self, inst: &InstanceData, table: u32, index: u64) -> Res<u64> {
        let ti = self.table(inst, table);
        self.element(ti, index).copied()
    }

    pub(super) fn table_set(
        &mut self,
        inst: &InstanceData,
        table: u32,
        index: u64,
        v: u64,
    ) -> Res<()> {
        let ti = self.table(inst, table);
        *self.element(ti, index)? = v;
        Ok(())
    }

    pub(super) fn table_size(&self, inst: &InstanceData, table: u32) -> u64 {
        self.tables[self.table(inst, table)].elements.len() as u64
    }

    pub(super) fn table_grow(
        &mut self,
        inst: &InstanceData,
        table: u32,
        init: u64,
        delta: u64,
    ) -> Res<u64> {
        let ti = self.table(inst, table);
        let delta = self.table_index(ti, delta);
        let t = &self.tables[ti];
        let limit = t.ty.index_limit();
        let max = t.ty.maximum().unwrap_or(limit).min(limit);
        if (t.elements.len() as u64).saturating_add(delta) <= max {
            self.charge(|c| c.grow_pages(delta / 1024))?;
        }
        match self.tables[ti].grow(delta, init, self.limiter.get()) {
            Ok(Some(old)) => Ok(old),
            Ok(None) if limit == u64::MAX => Ok(u64::MAX),
            Ok(None) => Ok(u64::from(u32::MAX)),
            Err(_) => Err(TrapCode::ResourceLimitExceeded),
        }
    }

    pub(super) fn table_fill(
        &mut self,
        inst: &InstanceData,
        table: u32,
        dst: u64,
        v: u64,
        len: u64,
    ) -> Res<()> {
        let ti = self.table(inst, table);
        let (dst, len) = (self.table_index(ti, dst), self.table_index(ti, len));
        let rg =
            range64(dst, len, self.tables[ti].elements.len()).ok_or(TrapCode::TableOutOfBounds)?;
        self.charge(|c| c.bulk(rg.len() as u64 * 8))?;
        self.tables[ti].elements[rg].fill(v);
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn table_copy(
        &mut self,
        inst: &InstanceData,
        dst_table: u32,
        src_table: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Res<()> {
        let (dt, st) = (self.table(inst, dst_table), self.table(inst, src_table));
        let (d64, s64) = (self.tables[dt].ty.is_64(), self.tables[st].ty.is_64());
        let len = address(d64 && s64, len);
        let (Some(drg), Some(srg)) = (
            range64(address(d64, dst), len, self.tables[dt].elements.len()),
            range64(address(s64, src), len, self.tables[st].elements.len()),
        ) else {
            return Err(TrapCode::TableOutOfBounds);
        };
        self.charge(|c| c.bulk(srg.len() as u64 * 8))?;
        if dt == st {
            self.tables[dt].elements.copy_within(srg, drg.start);
        } else {
            for (di, si) in drg.zip(srg) {
                let v = self.tables[st].elements[si];
                self.tables[dt].elements[di] = v;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn table_init(
        &mut self,
        inst_id: u32,
        table: u32,
        seg: u32,
        dst: u64,
        src: u64,
        len: u64,
    ) -> Res<()> {
        let ti = self.table(&self.instances[inst_id as usize], table);
        let n_items = self.instance_state[inst_id as usize].elems[seg as usize].len();
        let dst = self.table_index(ti, dst);
        let (Some(s), Some(d)) = (
            range(src, len, n_items),
            range64(dst, u64::from(len as u32), self.tables[ti].elements.len()),
        ) else {
            return Err(TrapCode::TableOutOfBounds);
        };
        self.charge(|c| c.bulk(s.len() as u64 * 8))?;
        let items = &self.instance_state[inst_id as usize].elems[seg as usize];
        self.tables[ti].elements[d].copy_from_slice(&items[s]);
        Ok(())
    }
}
