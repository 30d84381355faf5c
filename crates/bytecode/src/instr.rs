//! The interpreter's instruction set.
//!
//! Every operand names a frame slot directly (`Slot`, relative to the frame pointer). A frame
//! is laid out as `[params][locals][constants][operand stack]`: constants are materialized
//! into their slots once per call from the function's frame template, so any instruction
//! can use one, and `local.get` is folded away by letting the consumer read the local's
//! slot. The commonest integer operators and compare-and-branches also have a form whose
//! right operand is a 32-bit immediate ([`BinImm`], [`BrBinImm`]; sign-extended for i64),
//! which saves reading the constant's slot. Branch targets are absolute instruction
//! indices resolved at translation time.
//!
//! Instructions are at most 16 bytes; the few that need more operands are followed by an
//! [`Instr::Extra`] word.

use crate::simd::*;

/// A frame-relative slot index.
pub type Slot = u32;

/// Operands of a binary operator: `dst = lhs op rhs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    pub dst: Slot,
    pub lhs: Slot,
    pub rhs: Slot,
}

/// Operands of a unary operator: `dst = op src`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Un {
    pub dst: Slot,
    pub src: Slot,
}

/// Operands of a load: `dst = mem[addr + offset]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Load {
    pub dst: Slot,
    pub addr: Slot,
    pub offset: u32,
}

/// Operands of a store: `mem[addr + offset] = value`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Store {
    pub addr: Slot,
    pub value: Slot,
    pub offset: u32,
}

/// Operands of a fused compare-and-branch: jump to `target` if `lhs op rhs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrBin {
    pub lhs: Slot,
    pub rhs: Slot,
    pub target: u32,
}

/// Operands of a binary operator with an immediate right operand: `dst = lhs op imm`
/// (`imm` sign-extended to 64 bits for i64 operators).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BinImm {
    pub dst: Slot,
    pub lhs: Slot,
    pub imm: u32,
}

/// Operands of a fused compare-and-branch with an immediate right operand: jump to
/// `target` if `lhs op imm` (`imm` sign-extended to 64 bits for i64 comparisons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrBinImm {
    pub lhs: Slot,
    pub imm: u32,
    pub target: u32,
}

/// Calls `$m! { bin: [..], un: [..], <rest> }` with the one list of numeric operators, which
/// share their names between `wasmparser::Operator` and [`Instr`].
macro_rules! with_numeric_ops {
    ($m:ident ! { $($rest:tt)* }) => {
        $m! {
            bin: [
        I32Eq, I32Ne, I32LtS, I32LtU, I32GtS, I32GtU, I32LeS, I32LeU, I32GeS, I32GeU,
        I64Eq, I64Ne, I64LtS, I64LtU, I64GtS, I64GtU, I64LeS, I64LeU, I64GeS, I64GeU,
        F32Eq, F32Ne, F32Lt, F32Gt, F32Le, F32Ge,
        F64Eq, F64Ne, F64Lt, F64Gt, F64Le, F64Ge,
        I32Add, I32Sub, I32Mul, I32DivS, I32DivU, I32RemS, I32RemU,
        I32And, I32Or, I32Xor, I32Shl, I32ShrS, I32ShrU, I32Rotl, I32Rotr,
        I64Add, I64Sub, I64Mul, I64DivS, I64DivU, I64RemS, I64RemU,
        I64And, I64Or, I64Xor, I64Shl, I64ShrS, I64ShrU, I64Rotl, I64Rotr,
        F32Add, F32Sub, F32Mul, F32Div, F32Min, F32Max, F32Copysign,
        F64Add, F64Sub, F64Mul, F64Div, F64Min, F64Max, F64Copysign,
    ],
            un: [
        I32Eqz, I64Eqz,
        I32Clz, I32Ctz, I32Popcnt, I64Clz, I64Ctz, I64Popcnt,
        F32Abs, F32Neg, F32Ceil, F32Floor, F32Trunc, F32Nearest, F32Sqrt,
        F64Abs, F64Neg, F64Ceil, F64Floor, F64Trunc, F64Nearest, F64Sqrt,
        I32WrapI64, I32TruncF32S, I32TruncF32U, I32TruncF64S, I32TruncF64U,
        I64ExtendI32S, I64ExtendI32U, I64TruncF32S, I64TruncF32U, I64TruncF64S, I64TruncF64U,
        F32ConvertI32S, F32ConvertI32U, F32ConvertI64S, F32ConvertI64U, F32DemoteF64,
        F64ConvertI32S, F64ConvertI32U, F64ConvertI64S, F64ConvertI64U, F64PromoteF32,
        I32Extend8S, I32Extend16S, I64Extend8S, I64Extend16S, I64Extend32S,
        I32TruncSatF32S, I32TruncSatF32U, I32TruncSatF64S, I32TruncSatF64U,
        I64TruncSatF32S, I64TruncSatF32U, I64TruncSatF64S, I64TruncSatF64U,
    ],
            $($rest)*
        }
    };
}
pub(crate) use with_numeric_ops;

macro_rules! define_instr {
    (
        bin: [$($bin:ident),* $(,)?],
        un: [$($un:ident),* $(,)?],
        load: [$($ld:ident),* $(,)?],
        store: [$($st:ident),* $(,)?],
        br_bin: [$($bb:ident),* $(,)?],
        bin_imm: [$($bi:ident),* $(,)?],
        br_bin_imm: [$($bbi:ident),* $(,)?],
        other: { $($(#[$m:meta])* $other:ident $({ $($f:ident : $t:ty),* $(,)? })?),* $(,)? }
    ) => {
        /// A load operator, for [`Instr::LoadX`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub enum LoadOp {
            $($ld,)*
        }

        /// A store operator, for [`Instr::StoreX`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub enum StoreOp {
            $($st,)*
        }

        /// One interpreter instruction.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Instr {
            $($bin(Bin),)*
            $($un(Un),)*
            $($ld(Load),)*
            $($st(Store),)*
            $($bb(BrBin),)*
            $($bi(BinImm),)*
            $($bbi(BrBinImm),)*
            $($(#[$m])* $other $({ $($f: $t),* })?,)*
        }

        impl Instr {
            /// The operator and operands of a memory-0 load instruction.
            pub fn as_load(&self) -> Option<(LoadOp, Load)> {
                match *self {
                    $(Instr::$ld(l) => Some((LoadOp::$ld, l)),)*
                    _ => None,
                }
            }

            /// The operator and operands of a memory-0 store instruction.
            pub fn as_store(&self) -> Option<(StoreOp, Store)> {
                match *self {
                    $(Instr::$st(s) => Some((StoreOp::$st, s)),)*
                    _ => None,
                }
            }

            /// Calls `f` with every frame slot this instruction reads or writes (not those
            /// of a following [`Instr::Extra`] word, nor the base of a call's arguments).
            pub fn for_each_slot(&self, mut f: impl FnMut(Slot)) {
                match *self {
                    $(Instr::$bin(Bin { dst, lhs, rhs }) => { f(dst); f(lhs); f(rhs) })*
                    $(Instr::$un(Un { dst, src }) => { f(dst); f(src) })*
                    $(Instr::$ld(Load { dst, addr, .. }) => { f(dst); f(addr) })*
                    $(Instr::$st(Store { addr, value, .. }) => { f(addr); f(value) })*
                    $(Instr::$bb(BrBin { lhs, rhs, .. }) => { f(lhs); f(rhs) })*
                    $(Instr::$bi(BinImm { dst, lhs, .. }) => { f(dst); f(lhs) })*
                    $(Instr::$bbi(BrBinImm { lhs, .. }) => f(lhs),)*
                    Instr::Unreachable
                    | Instr::Extra { .. }
                    | Instr::Br { .. }
                    | Instr::Return
                    | Instr::DataDrop { .. }
                    | Instr::ElemDrop { .. }
                    | Instr::Fuel { .. }
                    | Instr::CheckEpoch => {}
                    Instr::BrIfNez { cond, .. } | Instr::BrIfEqz { cond, .. } => f(cond),
                    Instr::BrTable { index, .. } => f(index),
                    Instr::Return1 { src } => { f(0); f(src) }
                    Instr::IncBrI32Ne { slot, rhs, .. }
                    | Instr::IncBrI32LtS { slot, rhs, .. }
                    | Instr::IncBrI32LtU { slot, rhs, .. } => { f(slot); f(rhs) }
                    Instr::IncBrI32NeImm { slot, .. }
                    | Instr::IncBrI32LtSImm { slot, .. }
                    | Instr::IncBrI32LtUImm { slot, .. } => f(slot),
                    Instr::Copy2 { d0, s0, d1, s1 } => {
                        f(d0.into());
                        f(s0.into());
                        f(d1.into());
                        f(s1.into())
                    }
                    Instr::Copy { dst, src }
                    | Instr::CanonF32 { dst, src }
                    | Instr::CanonF64 { dst, src } => { f(dst); f(src) }
                    Instr::Select { dst, cond, lhs } => { f(dst); f(cond); f(lhs) }
                    Instr::Call { .. } | Instr::ReturnCall { .. } => {}
                    Instr::CallIndirect { index, .. }
                    | Instr::ReturnCallIndirect { index, .. }
                    | Instr::CallRef { index, .. }
                    | Instr::ReturnCallRef { index, .. } => f(index),
                    Instr::RefAsNonNull { src } | Instr::ThrowRef { src } => f(src),
                    Instr::Throw { .. } => {}
                    Instr::GlobalGet { dst, .. } => f(dst),
                    Instr::GlobalSet { src, .. } => f(src),
                    Instr::MemorySize { dst, .. } => f(dst),
                    Instr::MemoryGrow { dst, delta, .. } => { f(dst); f(delta) }
                    Instr::LoadX { dst, addr, .. } => { f(dst); f(addr) }
                    Instr::StoreX { addr, value, .. } => { f(addr); f(value) }
                    Instr::MemoryFill { dst, value: a, len, .. }
                    | Instr::MemoryCopy { dst, src: a, len, .. }
                    | Instr::MemoryInit { dst, src: a, len }
                    | Instr::TableFill { dst, value: a, len }
                    | Instr::TableCopy { dst, src: a, len }
                    | Instr::TableInit { dst, src: a, len }
                    | Instr::TableGrow { dst, init: a, delta: len } => { f(dst); f(a); f(len) }
                    Instr::TableGet { dst, index, .. } => { f(dst); f(index) }
                    Instr::TableSet { index, value, .. } => { f(index); f(value) }
                    Instr::TableSize { dst, .. } | Instr::RefFunc { dst, .. } => f(dst),
                    Instr::VUn { dst, src, .. }
                    | Instr::VSplat { dst, src, .. }
                    | Instr::VTest { dst, src, .. }
                    | Instr::VExtract { dst, src, .. }
                    | Instr::CopyV { dst, src } => { f(dst); f(src) }
                    Instr::VBin { dst, lhs: a, rhs: b, .. }
                    | Instr::VTern { dst, a, b, .. }
                    | Instr::VShift { dst, lhs: a, rhs: b, .. }
                    | Instr::VReplace { dst, vec: a, val: b, .. }
                    | Instr::VShuffle { dst, lhs: a, rhs: b }
                    | Instr::SelectV { dst, cond: a, lhs: b } => { f(dst); f(a); f(b) }
                    Instr::VLoad { dst, addr, .. } | Instr::VLoadLane { dst, addr, .. } => {
                        f(dst);
                        f(addr)
                    }
                    Instr::VStore { addr, value, .. } | Instr::VStoreLane { addr, value, .. } => {
                        f(addr);
                        f(value)
                    }
                    Instr::VGlobalGet { dst, .. } => f(dst),
                    Instr::VGlobalSet { src, .. } => f(src),
                    Instr::Wide { dst, lhs, rhs, .. } => {
                        f(dst);
                        f(dst.saturating_add(1));
                        f(lhs);
                        f(rhs)
                    }
                }
            }

            /// The branch target field of a branch instruction.
            pub fn target_mut(&mut self) -> Option<&mut u32> {
                match self {
                    $(Instr::$bb(BrBin { target, .. }))|*
                    $(| Instr::$bbi(BrBinImm { target, .. }))*
                    | Instr::Br { target }
                    | Instr::IncBrI32Ne { target, .. }
                    | Instr::IncBrI32LtS { target, .. }
                    | Instr::IncBrI32LtU { target, .. }
                    | Instr::IncBrI32NeImm { target, .. }
                    | Instr::IncBrI32LtSImm { target, .. }
                    | Instr::IncBrI32LtUImm { target, .. }
                    | Instr::BrIfNez { target, .. }
                    | Instr::BrIfEqz { target, .. } => Some(target),
                    _ => None,
                }
            }

            /// The slot a single-result instruction writes, if this instruction may be
            /// redirected to write elsewhere (used to fold `local.set` into the producer).
            pub fn result_slot_mut(&mut self) -> Option<&mut Slot> {
                match self {
                    $(Instr::$bin(Bin { dst, .. }) => Some(dst),)*
                    $(Instr::$un(Un { dst, .. }) => Some(dst),)*
                    $(Instr::$bi(BinImm { dst, .. }) => Some(dst),)*
                    $(Instr::$ld(Load { dst, .. }) => Some(dst),)*
                    Instr::Copy { dst, .. }
                    | Instr::Select { dst, .. }
                    | Instr::GlobalGet { dst, .. }
                    | Instr::MemorySize { dst, .. }
                    | Instr::MemoryGrow { dst, .. }
                    | Instr::LoadX { dst, .. }
                    | Instr::TableGet { dst, .. }
                    | Instr::TableSize { dst, .. }
                    | Instr::RefFunc { dst, .. }
                    | Instr::CanonF32 { dst, .. }
                    | Instr::CanonF64 { dst, .. }
                    | Instr::VUn { dst, .. }
                    | Instr::VBin { dst, .. }
                    | Instr::VShift { dst, .. }
                    | Instr::VSplat { dst, .. }
                    | Instr::VTest { dst, .. }
                    | Instr::VExtract { dst, .. }
                    | Instr::VReplace { dst, .. }
                    | Instr::VLoad { dst, .. }
                    | Instr::CopyV { dst, .. }
                    | Instr::VTern { dst, .. }
                    | Instr::VShuffle { dst, .. }
                    | Instr::VLoadLane { dst, .. }
                    | Instr::SelectV { dst, .. }
                    | Instr::VGlobalGet { dst, .. } => Some(dst),
                    _ => None,
                }
            }

            /// Whether executing this instruction may trap or call a function. The
            /// translator records the Wasm byte offset of exactly these instructions
            /// ([`CompiledFunc::wasm_offset`](crate::CompiledFunc::wasm_offset)).
            pub fn may_trap_or_call(&self) -> bool {
                match self {
                    $(Instr::$ld(_) => true,)*
                    $(Instr::$st(_) => true,)*
                    Instr::Unreachable
                    | Instr::Fuel { .. }
                    | Instr::CheckEpoch
                    | Instr::MemoryGrow { .. }
                    | Instr::LoadX { .. }
                    | Instr::StoreX { .. }
                    | Instr::TableGrow { .. }
                    | Instr::Call { .. }
                    | Instr::CallIndirect { .. }
                    | Instr::ReturnCall { .. }
                    | Instr::ReturnCallIndirect { .. }
                    | Instr::CallRef { .. }
                    | Instr::ReturnCallRef { .. }
                    | Instr::RefAsNonNull { .. }
                    | Instr::Throw { .. }
                    | Instr::ThrowRef { .. }
                    | Instr::MemoryFill { .. }
                    | Instr::MemoryCopy { .. }
                    | Instr::MemoryInit { .. }
                    | Instr::TableGet { .. }
                    | Instr::TableSet { .. }
                    | Instr::TableFill { .. }
                    | Instr::TableCopy { .. }
                    | Instr::TableInit { .. }
                    | Instr::VLoad { .. }
                    | Instr::VStore { .. }
                    | Instr::VLoadLane { .. }
                    | Instr::VStoreLane { .. }
                    | Instr::I32DivS(_)
                    | Instr::I32DivU(_)
                    | Instr::I32RemS(_)
                    | Instr::I32RemU(_)
                    | Instr::I64DivS(_)
                    | Instr::I64DivU(_)
                    | Instr::I64RemS(_)
                    | Instr::I64RemU(_)
                    | Instr::I32TruncF32S(_)
                    | Instr::I32TruncF32U(_)
                    | Instr::I32TruncF64S(_)
                    | Instr::I32TruncF64U(_)
                    | Instr::I64TruncF32S(_)
                    | Instr::I64TruncF32U(_)
                    | Instr::I64TruncF64S(_)
                    | Instr::I64TruncF64U(_) => true,
                    _ => false,
                }
            }
        }
    };
}

with_numeric_ops! { define_instr! {
    load: [
        I32Load, I64Load, F32Load, F64Load,
        I32Load8S, I32Load8U, I32Load16S, I32Load16U,
        I64Load8S, I64Load8U, I64Load16S, I64Load16U, I64Load32S, I64Load32U,
    ],
    store: [I32Store, I64Store, F32Store, F64Store, I32Store8, I32Store16, I64Store8, I64Store16, I64Store32],
    br_bin: [
        BrI32Eq, BrI32Ne, BrI32LtS, BrI32LtU, BrI32GtS, BrI32GtU, BrI32LeS, BrI32LeU, BrI32GeS, BrI32GeU,
        BrI64Eq, BrI64Ne, BrI64LtS, BrI64LtU, BrI64GtS, BrI64GtU, BrI64LeS, BrI64LeU, BrI64GeS, BrI64GeU,
        BrI32And, BrI32AndEqz,
    ],
    bin_imm: [
        I32AddImm, I32MulImm, I32AndImm, I32OrImm, I32XorImm, I32ShlImm, I32ShrSImm, I32ShrUImm,
        I64AddImm, I64MulImm, I64AndImm, I64OrImm, I64XorImm, I64ShlImm, I64ShrSImm, I64ShrUImm,
    ],
    br_bin_imm: [
        BrI32EqImm, BrI32NeImm, BrI32LtSImm, BrI32LtUImm, BrI32GtSImm, BrI32GtUImm,
        BrI32LeSImm, BrI32LeUImm, BrI32GeSImm, BrI32GeUImm,
        BrI64EqImm, BrI64NeImm, BrI64LtSImm, BrI64LtUImm, BrI64GtSImm, BrI64GtUImm,
        BrI64LeSImm, BrI64LeUImm, BrI64GeSImm, BrI64GeUImm,
        BrI32AndImm, BrI32AndEqzImm,
    ],
    other: {
        /// Trap: unreachable code was reached.
        Unreachable,
        /// Operands for the instruction before this one.
        Extra { a: u32, b: u32, c: u32 },
        /// Jump to `target`.
        Br { target: u32 },
        /// Jump to `target` if `cond` is not zero.
        BrIfNez { cond: Slot, target: u32 },
        /// Jump to `target` if `cond` is zero.
        BrIfEqz { cond: Slot, target: u32 },
        /// Followed by `len + 1` `Br` instructions; executes the `min(index, len)`-th.
        BrTable { index: Slot, len: u32 },
        /// Loop counters: `slot = slot + step` (i32, wrapping), then jump to `target` if
        /// `slot != rhs` (`i32.add` of a constant fused with the compare-and-branch after
        /// it). `...Imm` forms compare with the immediate `rhs` instead of a slot's value.
        IncBrI32Ne { step: i8, slot: Slot, rhs: Slot, target: u32 },
        /// As [`Instr::IncBrI32Ne`], jumping if `slot < rhs` (signed).
        IncBrI32LtS { step: i8, slot: Slot, rhs: Slot, target: u32 },
        /// As [`Instr::IncBrI32Ne`], jumping if `slot < rhs` (unsigned).
        IncBrI32LtU { step: i8, slot: Slot, rhs: Slot, target: u32 },
        /// As [`Instr::IncBrI32Ne`], with an immediate `rhs`.
        IncBrI32NeImm { step: i8, slot: Slot, rhs: u32, target: u32 },
        /// As [`Instr::IncBrI32LtS`], with an immediate `rhs`.
        IncBrI32LtSImm { step: i8, slot: Slot, rhs: u32, target: u32 },
        /// As [`Instr::IncBrI32LtU`], with an immediate `rhs`.
        IncBrI32LtUImm { step: i8, slot: Slot, rhs: u32, target: u32 },
        /// Return from the function; results are already in slots `0..n`.
        Return,
        /// Return the one result in `src` (copied to slot 0).
        Return1 { src: Slot },
        /// `dst = src`.
        Copy { dst: Slot, src: Slot },
        /// Two copies in a row (slots below 2^16): `d0 = s0`, then `d1 = s1`.
        Copy2 { d0: u16, s0: u16, d1: u16, s1: u16 },
        /// `dst = cond != 0 ? lhs : rhs`; followed by `Extra { a: rhs }`.
        Select { dst: Slot, cond: Slot, lhs: Slot },
        /// Call function `func` (module index space); arguments start at slot `base`,
        /// results are written from `base`.
        Call { func: u32, base: Slot },
        /// Call through table `Extra.a` at element `index`, checking module type `ty`.
        CallIndirect { ty: u32, index: Slot, base: Slot },
        /// Tail call (`return_call`): function `func` replaces the current one, its
        /// arguments moved from slot `base` to slot 0. A host function is called like
        /// [`Instr::Call`], and the code that follows returns its results.
        ReturnCall { func: u32, base: Slot },
        /// Tail call through table `Extra.a`, as [`Instr::CallIndirect`] and
        /// [`Instr::ReturnCall`].
        ReturnCallIndirect { ty: u32, index: Slot, base: Slot },
        /// Call the function reference in slot `index` (`call_ref`; validation checked its
        /// type); traps if it is null.
        CallRef { index: Slot, base: Slot },
        /// Tail call of the function reference in slot `index`, as [`Instr::CallRef`] and
        /// [`Instr::ReturnCall`].
        ReturnCallRef { index: Slot, base: Slot },
        /// Traps if the reference in `src` is null (`ref.as_non_null`).
        RefAsNonNull { src: Slot },
        /// Throws an exception with the module's tag `tag`, its payload in the slots from
        /// `base` on.
        Throw { tag: u32, base: Slot },
        /// Throws the exception `src` refers to again (traps if it is null).
        ThrowRef { src: Slot },
        GlobalGet { dst: Slot, global: u32 },
        GlobalSet { src: Slot, global: u32 },
        /// A load from any memory (the `I32Load`... forms serve memory 0 when it has 32-bit
        /// addresses): followed by `Extra { b: memarg, c: offset >> 32 }`, where a memarg
        /// is the module's memory index, with bit 31 set for a 64-bit memory (see
        /// [`memarg`]); `offset` holds the offset's low 32 bits.
        LoadX { op: LoadOp, dst: Slot, addr: Slot, offset: u32 },
        /// A store to any memory; followed by `Extra` as [`Instr::LoadX`].
        StoreX { op: StoreOp, addr: Slot, value: Slot, offset: u32 },
        /// Memory `mem`'s size in pages.
        MemorySize { dst: Slot, mem: u32 },
        MemoryGrow { dst: Slot, delta: Slot, mem: u32 },
        MemoryFill { mem: u8, dst: Slot, value: Slot, len: Slot },
        MemoryCopy { dst_mem: u8, src_mem: u8, dst: Slot, src: Slot, len: Slot },
        /// Followed by `Extra { a: data segment, b: memory }`.
        MemoryInit { dst: Slot, src: Slot, len: Slot },
        DataDrop { segment: u32 },
        TableGet { dst: Slot, index: Slot, table: u32 },
        TableSet { index: Slot, value: Slot, table: u32 },
        TableSize { dst: Slot, table: u32 },
        /// `dst = table.grow(init, delta)`; followed by `Extra { a: table }`.
        TableGrow { dst: Slot, init: Slot, delta: Slot },
        /// Followed by `Extra { a: table }`.
        TableFill { dst: Slot, value: Slot, len: Slot },
        /// Followed by `Extra { a: dst table, b: src table }`.
        TableCopy { dst: Slot, src: Slot, len: Slot },
        /// Followed by `Extra { a: table, b: element segment }`.
        TableInit { dst: Slot, src: Slot, len: Slot },
        ElemDrop { segment: u32 },
        RefFunc { dst: Slot, func: u32 },
        /// Fuel metering (only when it is on): charge `cost` for the block that starts here,
        /// or stop with "out of fuel" before running any of it.
        Fuel { cost: u32 },
        /// Epoch interruption (only when it is on), at function entries and loop headers:
        /// stop with "interrupt" if the store's epoch deadline has passed.
        CheckEpoch,
        /// Deterministic mode: `dst = src`, a NaN replaced by the canonical f32 NaN.
        CanonF32 { dst: Slot, src: Slot },
        /// Deterministic mode: `dst = src`, a NaN replaced by the canonical f64 NaN.
        CanonF64 { dst: Slot, src: Slot },
        // The v128 family (see `simd.rs`): operands named `v...` or documented as vectors
        // are vector cells, the others scalar cells.
        /// Vectors: `dst = op src`.
        VUn { op: VUnOp, dst: Slot, src: Slot },
        /// Vectors: `dst = lhs op rhs`.
        VBin { op: VBinOp, dst: Slot, lhs: Slot, rhs: Slot },
        /// Vectors: `dst = op(a, b, c)`; followed by `Extra { a: c }`.
        VTern { op: VTernOp, dst: Slot, a: Slot, b: Slot },
        /// Vector `dst = lhs op rhs`, `rhs` a scalar i32 shift count.
        VShift { op: VShiftOp, dst: Slot, lhs: Slot, rhs: Slot },
        /// Vector `dst` = scalar `src` in every lane.
        VSplat { op: VSplatOp, dst: Slot, src: Slot },
        /// Scalar i32 `dst = op` of vector `src`.
        VTest { op: VTestOp, dst: Slot, src: Slot },
        /// Scalar `dst` = lane `lane` of vector `src`.
        VExtract { op: VExtractOp, lane: u8, dst: Slot, src: Slot },
        /// Vector `dst` = vector `vec` with lane `lane` set to scalar `val`.
        VReplace { op: VReplaceOp, lane: u8, dst: Slot, vec: Slot, val: Slot },
        /// Vectors: `dst = i8x16.shuffle(lhs, rhs)`; followed by `Extra { a }`, the slot
        /// of a vector constant holding the 16 lane indices.
        VShuffle { dst: Slot, lhs: Slot, rhs: Slot },
        // The vector memory instructions are followed by `Extra { b: memarg, c: offset >> 32 }`
        // as [`Instr::LoadX`]; `offset` is the low 32 bits.
        /// Vector `dst` loaded from memory at scalar `addr` + `offset`.
        VLoad { op: VLoadOp, dst: Slot, addr: Slot, offset: u32 },
        /// Vector `value` stored to memory at scalar `addr` + `offset`.
        VStore { addr: Slot, value: Slot, offset: u32 },
        /// Vector `dst` = vector `Extra.a` with lane `lane` loaded from memory at scalar
        /// `addr` + `offset`.
        VLoadLane { op: VLoadLaneOp, lane: u8, dst: Slot, addr: Slot, offset: u32 },
        /// Lane `lane` of vector `value` stored to memory at scalar `addr` + `offset`.
        VStoreLane { op: VStoreLaneOp, lane: u8, addr: Slot, value: Slot, offset: u32 },
        /// In a function using v128: `dst = src`, both the scalar and the vector cell (the
        /// translator does not track which one holds the value).
        CopyV { dst: Slot, src: Slot },
        /// As [`Instr::Select`], both cells; followed by `Extra { a: rhs }`.
        SelectV { dst: Slot, cond: Slot, lhs: Slot },
        /// Vector `dst` = v128 global `global`.
        VGlobalGet { dst: Slot, global: u32 },
        /// v128 global `global` = vector `src`.
        VGlobalSet { src: Slot, global: u32 },
        /// Wide arithmetic: `dst` = the low 64 bits and `dst + 1` the high 64 bits of
        /// `op`, whose operands are `lhs` and `rhs` (with high halves `Extra.a` and
        /// `Extra.b` for the 128-bit operators); followed by `Extra { a, b }`.
        Wide { op: WideOp, dst: Slot, lhs: Slot, rhs: Slot },
    }
}}

impl Instr {
    /// The branch that jumps to `target` when `cond` (the result of this instruction, if it
    /// is an integer comparison, `i32.eqz` or `i32.and`) is non-zero, or zero when `negate`:
    /// the two fused into one instruction. `None` for other instructions.
    pub fn fused_branch(&self, negate: bool, target: u32) -> Option<Instr> {
        use Instr as I;
        let (lhs, rhs, op): (Slot, Slot, fn(BrBin) -> Instr) = match *self {
            I::I32Eqz(Un { src, .. }) => {
                let cond = src;
                return Some(if negate {
                    I::BrIfNez { cond, target }
                } else {
                    I::BrIfEqz { cond, target }
                });
            }
            I::I32Eq(b) => (b.lhs, b.rhs, if negate { I::BrI32Ne } else { I::BrI32Eq }),
            I::I32Ne(b) => (b.lhs, b.rhs, if negate { I::BrI32Eq } else { I::BrI32Ne }),
            I::I32LtS(b) => (b.lhs, b.rhs, if negate { I::BrI32GeS } else { I::BrI32LtS }),
            I::I32LtU(b) => (b.lhs, b.rhs, if negate { I::BrI32GeU } else { I::BrI32LtU }),
            I::I32GtS(b) => (b.lhs, b.rhs, if negate { I::BrI32LeS } else { I::BrI32GtS }),
            I::I32GtU(b) => (b.lhs, b.rhs, if negate { I::BrI32LeU } else { I::BrI32GtU }),
            I::I32LeS(b) => (b.lhs, b.rhs, if negate { I::BrI32GtS } else { I::BrI32LeS }),
            I::I32LeU(b) => (b.lhs, b.rhs, if negate { I::BrI32GtU } else { I::BrI32LeU }),
            I::I32GeS(b) => (b.lhs, b.rhs, if negate { I::BrI32LtS } else { I::BrI32GeS }),
            I::I32GeU(b) => (b.lhs, b.rhs, if negate { I::BrI32LtU } else { I::BrI32GeU }),
            I::I64Eq(b) => (b.lhs, b.rhs, if negate { I::BrI64Ne } else { I::BrI64Eq }),
            I::I64Ne(b) => (b.lhs, b.rhs, if negate { I::BrI64Eq } else { I::BrI64Ne }),
            I::I64LtS(b) => (b.lhs, b.rhs, if negate { I::BrI64GeS } else { I::BrI64LtS }),
            I::I64LtU(b) => (b.lhs, b.rhs, if negate { I::BrI64GeU } else { I::BrI64LtU }),
            I::I64GtS(b) => (b.lhs, b.rhs, if negate { I::BrI64LeS } else { I::BrI64GtS }),
            I::I64GtU(b) => (b.lhs, b.rhs, if negate { I::BrI64LeU } else { I::BrI64GtU }),
            I::I64LeS(b) => (b.lhs, b.rhs, if negate { I::BrI64GtS } else { I::BrI64LeS }),
            I::I64LeU(b) => (b.lhs, b.rhs, if negate { I::BrI64GtU } else { I::BrI64LeU }),
            I::I64GeS(b) => (b.lhs, b.rhs, if negate { I::BrI64LtS } else { I::BrI64GeS }),
            I::I64GeU(b) => (b.lhs, b.rhs, if negate { I::BrI64LtU } else { I::BrI64GeU }),
            I::I32And(b) => (
                b.lhs,
                b.rhs,
                if negate { I::BrI32AndEqz } else { I::BrI32And },
            ),
            I::I32AndImm(BinImm { lhs, imm, .. }) => {
                let op = if negate {
                    I::BrI32AndEqzImm
                } else {
                    I::BrI32AndImm
                };
                return Some(op(BrBinImm { lhs, imm, target }));
            }
            _ => return None,
        };
        Some(op(BrBin { lhs, rhs, target }))
    }
}

/// A wide-arithmetic operator ([`Instr::Wide`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum WideOp {
    /// `i64.add128`: (lhs, Extra.a) + (rhs, Extra.b), wrapping at 2^128.
    Add128,
    /// `i64.sub128`.
    Sub128,
    /// `i64.mul_wide_s`: the signed 128-bit product of `lhs` and `rhs`.
    MulWideS,
    /// `i64.mul_wide_u`: the unsigned one.
    MulWideU,
}

/// The memarg word of a memory instruction's `Extra` (see [`Instr::LoadX`]): memory index
/// `mem`, and whether its addresses are 64-bit.
pub fn memarg(mem: u32, is64: bool) -> u32 {
    mem | (u32::from(is64) << 31)
}

/// The memory index and address width of a memarg word ([`memarg`]).
pub fn memarg_parts(memarg: u32) -> (u32, bool) {
    (memarg & !(1 << 31), memarg >> 31 != 0)
}

/// `value` as the immediate of an i32 operator.
fn imm32(value: u64) -> Option<u32> {
    Some(value as u32)
}

/// `value` as the immediate of an i64 operator: a 64-bit value that sign-extends from 32.
fn imm64(value: u64) -> Option<u32> {
    let imm = value as u32;
    (imm as i32 as i64 as u64 == value).then_some(imm)
}

impl Instr {
    /// The immediate form of this instruction, when it has one and an operand is a
    /// constant: `value(slot)` is the constant a slot holds, if it holds one. A constant
    /// left operand serves when the operator commutes (or, for a comparison, flips); a
    /// subtraction of a constant becomes an addition of its negation.
    pub fn with_immediate(&self, value: impl Fn(Slot) -> Option<u64>) -> Option<Instr> {
        use Instr as I;
        type Imm = fn(u64) -> Option<u32>;
        // (operands, immediate form, width, whether the operator commutes)
        let (lhs, rhs, bin, width, commutes): (Slot, Slot, fn(BinImm) -> Instr, Imm, bool) =
            match *self {
                I::I32Add(b) => (b.lhs, b.rhs, I::I32AddImm, imm32, true),
                I::I32Mul(b) => (b.lhs, b.rhs, I::I32MulImm, imm32, true),
                I::I32And(b) => (b.lhs, b.rhs, I::I32AndImm, imm32, true),
                I::I32Or(b) => (b.lhs, b.rhs, I::I32OrImm, imm32, true),
                I::I32Xor(b) => (b.lhs, b.rhs, I::I32XorImm, imm32, true),
                I::I32Shl(b) => (b.lhs, b.rhs, I::I32ShlImm, imm32, false),
                I::I32ShrS(b) => (b.lhs, b.rhs, I::I32ShrSImm, imm32, false),
                I::I32ShrU(b) => (b.lhs, b.rhs, I::I32ShrUImm, imm32, false),
                I::I64Add(b) => (b.lhs, b.rhs, I::I64AddImm, imm64, true),
                I::I64Mul(b) => (b.lhs, b.rhs, I::I64MulImm, imm64, true),
                I::I64And(b) => (b.lhs, b.rhs, I::I64AndImm, imm64, true),
                I::I64Or(b) => (b.lhs, b.rhs, I::I64OrImm, imm64, true),
                I::I64Xor(b) => (b.lhs, b.rhs, I::I64XorImm, imm64, true),
                I::I64Shl(b) => (b.lhs, b.rhs, I::I64ShlImm, imm64, false),
                I::I64ShrS(b) => (b.lhs, b.rhs, I::I64ShrSImm, imm64, false),
                I::I64ShrU(b) => (b.lhs, b.rhs, I::I64ShrUImm, imm64, false),
                I::I32Sub(Bin { dst, lhs, rhs }) => {
                    let imm = (value(rhs)? as u32).wrapping_neg();
                    return Some(I::I32AddImm(BinImm { dst, lhs, imm }));
                }
                I::I64Sub(Bin { dst, lhs, rhs }) => {
                    let imm = imm64(value(rhs)?.wrapping_neg())?;
                    return Some(I::I64AddImm(BinImm { dst, lhs, imm }));
                }
                _ => return self.branch_with_immediate(value),
            };
        let dst = self.result_slot().unwrap_or(0);
        if let Some(imm) = value(rhs).and_then(width) {
            return Some(bin(BinImm { dst, lhs, imm }));
        }
        if commutes && let Some(imm) = value(lhs).and_then(width) {
            return Some(bin(BinImm { dst, lhs: rhs, imm }));
        }
        None
    }

    /// [`Instr::with_immediate`] for fused compare-and-branches: the operator, and the one
    /// that gives the same result with its operands swapped.
    fn branch_with_immediate(&self, value: impl Fn(Slot) -> Option<u64>) -> Option<Instr> {
        use Instr as I;
        type Op = fn(BrBinImm) -> Instr;
        type Imm = fn(u64) -> Option<u32>;
        let (b, op, flipped, width): (BrBin, Op, Op, Imm) = match *self {
            I::BrI32Eq(b) => (b, I::BrI32EqImm, I::BrI32EqImm, imm32),
            I::BrI32Ne(b) => (b, I::BrI32NeImm, I::BrI32NeImm, imm32),
            I::BrI32LtS(b) => (b, I::BrI32LtSImm, I::BrI32GtSImm, imm32),
            I::BrI32LtU(b) => (b, I::BrI32LtUImm, I::BrI32GtUImm, imm32),
            I::BrI32GtS(b) => (b, I::BrI32GtSImm, I::BrI32LtSImm, imm32),
            I::BrI32GtU(b) => (b, I::BrI32GtUImm, I::BrI32LtUImm, imm32),
            I::BrI32LeS(b) => (b, I::BrI32LeSImm, I::BrI32GeSImm, imm32),
            I::BrI32LeU(b) => (b, I::BrI32LeUImm, I::BrI32GeUImm, imm32),
            I::BrI32GeS(b) => (b, I::BrI32GeSImm, I::BrI32LeSImm, imm32),
            I::BrI32GeU(b) => (b, I::BrI32GeUImm, I::BrI32LeUImm, imm32),
            I::BrI64Eq(b) => (b, I::BrI64EqImm, I::BrI64EqImm, imm64),
            I::BrI64Ne(b) => (b, I::BrI64NeImm, I::BrI64NeImm, imm64),
            I::BrI64LtS(b) => (b, I::BrI64LtSImm, I::BrI64GtSImm, imm64),
            I::BrI64LtU(b) => (b, I::BrI64LtUImm, I::BrI64GtUImm, imm64),
            I::BrI64GtS(b) => (b, I::BrI64GtSImm, I::BrI64LtSImm, imm64),
            I::BrI64GtU(b) => (b, I::BrI64GtUImm, I::BrI64LtUImm, imm64),
            I::BrI64LeS(b) => (b, I::BrI64LeSImm, I::BrI64GeSImm, imm64),
            I::BrI64LeU(b) => (b, I::BrI64LeUImm, I::BrI64GeUImm, imm64),
            I::BrI64GeS(b) => (b, I::BrI64GeSImm, I::BrI64LeSImm, imm64),
            I::BrI64GeU(b) => (b, I::BrI64GeUImm, I::BrI64LeUImm, imm64),
            I::BrI32And(b) => (b, I::BrI32AndImm, I::BrI32AndImm, imm32),
            I::BrI32AndEqz(b) => (b, I::BrI32AndEqzImm, I::BrI32AndEqzImm, imm32),
            _ => return None,
        };
        let target = b.target;
        if let Some(imm) = value(b.rhs).and_then(width) {
            return Some(op(BrBinImm {
                lhs: b.lhs,
                imm,
                target,
            }));
        }
        let imm = value(b.lhs).and_then(width)?;
        Some(flipped(BrBinImm {
            lhs: b.rhs,
            imm,
            target,
        }))
    }

    /// The integer comparison with the opposite result (`i32.eqz` of this one), if this
    /// instruction is an integer comparison.
    pub fn negated_comparison(&self) -> Option<Instr> {
        use Instr as I;
        Some(match *self {
            I::I32Eq(b) => I::I32Ne(b),
            I::I32Ne(b) => I::I32Eq(b),
            I::I32LtS(b) => I::I32GeS(b),
            I::I32LtU(b) => I::I32GeU(b),
            I::I32GtS(b) => I::I32LeS(b),
            I::I32GtU(b) => I::I32LeU(b),
            I::I32LeS(b) => I::I32GtS(b),
            I::I32LeU(b) => I::I32GtU(b),
            I::I32GeS(b) => I::I32LtS(b),
            I::I32GeU(b) => I::I32LtU(b),
            I::I64Eq(b) => I::I64Ne(b),
            I::I64Ne(b) => I::I64Eq(b),
            I::I64LtS(b) => I::I64GeS(b),
            I::I64LtU(b) => I::I64GeU(b),
            I::I64GtS(b) => I::I64LeS(b),
            I::I64GtU(b) => I::I64LeU(b),
            I::I64LeS(b) => I::I64GtS(b),
            I::I64LeU(b) => I::I64GtU(b),
            I::I64GeS(b) => I::I64LtS(b),
            I::I64GeU(b) => I::I64LtU(b),
            _ => return None,
        })
    }

    /// The loop-counter branch that does `add` (an `i32.add` of a small constant to a slot,
    /// into that slot) and then this branch, if this is a compare-and-branch of that slot
    /// that has such a form.
    pub fn after_increment(&self, add: &Instr) -> Option<Instr> {
        use Instr as I;
        let I::I32AddImm(BinImm { dst, lhs, imm }) = *add else {
            return None;
        };
        let step = i8::try_from(imm as i32).ok()?;
        if dst != lhs {
            return None;
        }
        let slot = dst;
        Some(match *self {
            I::BrI32Ne(b) if b.lhs == slot => {
                let (rhs, target) = (b.rhs, b.target);
                I::IncBrI32Ne {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            I::BrI32LtS(b) if b.lhs == slot => {
                let (rhs, target) = (b.rhs, b.target);
                I::IncBrI32LtS {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            I::BrI32LtU(b) if b.lhs == slot => {
                let (rhs, target) = (b.rhs, b.target);
                I::IncBrI32LtU {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            I::BrI32NeImm(b) if b.lhs == slot => {
                let (rhs, target) = (b.imm, b.target);
                I::IncBrI32NeImm {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            I::BrI32LtSImm(b) if b.lhs == slot => {
                let (rhs, target) = (b.imm, b.target);
                I::IncBrI32LtSImm {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            I::BrI32LtUImm(b) if b.lhs == slot => {
                let (rhs, target) = (b.imm, b.target);
                I::IncBrI32LtUImm {
                    step,
                    slot,
                    rhs,
                    target,
                }
            }
            _ => return None,
        })
    }

    /// The slot this instruction writes its one result to, if it has one (and may be
    /// redirected: see [`Instr::result_slot_mut`]).
    pub fn result_slot(&self) -> Option<Slot> {
        { *self }.result_slot_mut().map(|s| *s)
    }

    /// Whether this instruction reads or writes vector cells, which only the frames of
    /// functions using v128 have.
    pub fn uses_vector_cells(&self) -> bool {
        matches!(self, crate::vector_instr!())
    }
}

/// The pattern of every instruction that uses vector cells ([`Instr::uses_vector_cells`]),
/// for the executors' `match` arms: one list, so a new vector instruction cannot be
/// forgotten in one of them.
#[macro_export]
macro_rules! vector_instr {
    () => {
        $crate::Instr::VUn { .. }
            | $crate::Instr::VBin { .. }
            | $crate::Instr::VTern { .. }
            | $crate::Instr::VShift { .. }
            | $crate::Instr::VSplat { .. }
            | $crate::Instr::VTest { .. }
            | $crate::Instr::VExtract { .. }
            | $crate::Instr::VReplace { .. }
            | $crate::Instr::VShuffle { .. }
            | $crate::Instr::VLoad { .. }
            | $crate::Instr::VStore { .. }
            | $crate::Instr::VLoadLane { .. }
            | $crate::Instr::VStoreLane { .. }
            | $crate::Instr::CopyV { .. }
            | $crate::Instr::SelectV { .. }
            | $crate::Instr::VGlobalGet { .. }
            | $crate::Instr::VGlobalSet { .. }
    };
}

/// The pattern of the memory instructions for any memory ([`Instr::LoadX`],
/// [`Instr::StoreX`]), which both executors run through one function.
#[macro_export]
macro_rules! any_memory_instr {
    () => {
        $crate::Instr::LoadX { .. } | $crate::Instr::StoreX { .. }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instructions_are_16_bytes() {
        assert_eq!(std::mem::size_of::<Instr>(), 16);
    }
}
