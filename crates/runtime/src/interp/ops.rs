//! What both dispatch loops share: raw access to a frame's slots ([`Regs`]) and to memory
//! 0 ([`Mem`]), the value conversions, and the one list of the instructions that only read
//! and write slots and memory 0 ([`simple_ops!`]), which each loop expands into its own
//! handlers.

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

// The semantics of every instruction that reads and writes frame slots (and memory 0) only:
// one list, expanded by each dispatch loop into its own handlers.
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
                I32Add(u32v, u64::from, |x, y| x.wrapping_add(y)),
                I32Sub(u32v, u64::from, |x, y| x.wrapping_sub(y)),
                I32Mul(u32v, u64::from, |x, y| x.wrapping_mul(y)),
                I32And(u32v, u64::from, |x, y| x & y),
                I32Or(u32v, u64::from, |x, y| x | y),
                I32Xor(u32v, u64::from, |x, y| x ^ y),
                I32Shl(u32v, u64::from, |x, y| x.wrapping_shl(y)),
                I32ShrS(u32v, u64::from, |x, y| (x as i32).wrapping_shr(y) as u32),
                I32ShrU(u32v, u64::from, |x, y| x.wrapping_shr(y)),
                I32Rotl(u32v, u64::from, |x, y| x.rotate_left(y % 32)),
                I32Rotr(u32v, u64::from, |x, y| x.rotate_right(y % 32)),
                I64Add(u64v, u64v, |x, y| x.wrapping_add(y)),
                I64Sub(u64v, u64v, |x, y| x.wrapping_sub(y)),
                I64Mul(u64v, u64v, |x, y| x.wrapping_mul(y)),
                I64And(u64v, u64v, |x, y| x & y),
                I64Or(u64v, u64v, |x, y| x | y),
                I64Xor(u64v, u64v, |x, y| x ^ y),
                I64Shl(u64v, u64v, |x, y| x.wrapping_shl(y as u32)),
                I64ShrS(u64v, u64v, |x, y| (x as i64).wrapping_shr(y as u32) as u64),
                I64ShrU(u64v, u64v, |x, y| x.wrapping_shr(y as u32)),
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
                BrI32Eq(u32v, |x, y| x == y),
                BrI32Ne(u32v, |x, y| x != y),
                BrI32LtS(i32v, |x, y| x < y),
                BrI32LtU(u32v, |x, y| x < y),
                BrI32GtS(i32v, |x, y| x > y),
                BrI32GtU(u32v, |x, y| x > y),
                BrI32LeS(i32v, |x, y| x <= y),
                BrI32LeU(u32v, |x, y| x <= y),
                BrI32GeS(i32v, |x, y| x >= y),
                BrI32GeU(u32v, |x, y| x >= y),
                BrI64Eq(u64v, |x, y| x == y),
                BrI64Ne(u64v, |x, y| x != y),
                BrI64LtS(i64v, |x, y| x < y),
                BrI64LtU(u64v, |x, y| x < y),
                BrI64GtS(i64v, |x, y| x > y),
                BrI64GtU(u64v, |x, y| x > y),
                BrI64LeS(i64v, |x, y| x <= y),
                BrI64LeU(u64v, |x, y| x <= y),
                BrI64GeS(i64v, |x, y| x >= y),
                BrI64GeU(u64v, |x, y| x >= y),
                BrI32And(u32v, |x, y| x & y != 0),
                BrI32AndEqz(u32v, |x, y| x & y == 0),
            ],
            $($rest)*
        }
    };
}
pub(super) use simple_ops;
