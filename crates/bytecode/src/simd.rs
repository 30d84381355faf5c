//! The 128-bit SIMD operators, grouped by the shape of their operands.
//!
//! Each family is one [`Instr`](crate::Instr) variant carrying a one-byte operator code
//! (`VUnOp`, `VBinOp`, ...), so the whole v128 family adds a handful of instructions, not
//! hundreds. Every operator code is named like its `wasmparser::Operator`, and the one list
//! in [`with_simd_ops!`] gives both the translator's mapping and the enums the executor
//! matches on. Relaxed SIMD operators sit in the same families.
//!
//! v128 values live in the frame's vector cells: a frame slot `s` has a 64-bit scalar cell
//! and, in a function that uses v128 ([`CompiledFunc::wide`](crate::CompiledFunc::wide)), a
//! 128-bit vector cell with the same index. Instructions read and write the cell their
//! operand's type says (documented per family below).

/// Calls `$m! { un: [..], bin: [..], ... }` with the one list of SIMD operators.
macro_rules! with_simd_ops {
    ($m:ident ! { $($rest:tt)* }) => {
        $m! {
            // v128 -> v128.
            un: [
                V128Not, I8x16Abs, I8x16Neg, I8x16Popcnt,
                I16x8ExtAddPairwiseI8x16S, I16x8ExtAddPairwiseI8x16U, I16x8Abs, I16x8Neg,
                I16x8ExtendLowI8x16S, I16x8ExtendHighI8x16S, I16x8ExtendLowI8x16U,
                I16x8ExtendHighI8x16U,
                I32x4ExtAddPairwiseI16x8S, I32x4ExtAddPairwiseI16x8U, I32x4Abs, I32x4Neg,
                I32x4ExtendLowI16x8S, I32x4ExtendHighI16x8S, I32x4ExtendLowI16x8U,
                I32x4ExtendHighI16x8U,
                I64x2Abs, I64x2Neg, I64x2ExtendLowI32x4S, I64x2ExtendHighI32x4S,
                I64x2ExtendLowI32x4U, I64x2ExtendHighI32x4U,
                F32x4Ceil, F32x4Floor, F32x4Trunc, F32x4Nearest, F32x4Abs, F32x4Neg, F32x4Sqrt,
                F64x2Ceil, F64x2Floor, F64x2Trunc, F64x2Nearest, F64x2Abs, F64x2Neg, F64x2Sqrt,
                I32x4TruncSatF32x4S, I32x4TruncSatF32x4U, F32x4ConvertI32x4S, F32x4ConvertI32x4U,
                I32x4TruncSatF64x2SZero, I32x4TruncSatF64x2UZero, F64x2ConvertLowI32x4S,
                F64x2ConvertLowI32x4U, F32x4DemoteF64x2Zero, F64x2PromoteLowF32x4,
                I32x4RelaxedTruncF32x4S, I32x4RelaxedTruncF32x4U, I32x4RelaxedTruncF64x2SZero,
                I32x4RelaxedTruncF64x2UZero,
            ],
            // v128 x v128 -> v128.
            bin: [
                V128And, V128AndNot, V128Or, V128Xor, I8x16Swizzle,
                I8x16Eq, I8x16Ne, I8x16LtS, I8x16LtU, I8x16GtS, I8x16GtU, I8x16LeS, I8x16LeU,
                I8x16GeS, I8x16GeU,
                I16x8Eq, I16x8Ne, I16x8LtS, I16x8LtU, I16x8GtS, I16x8GtU, I16x8LeS, I16x8LeU,
                I16x8GeS, I16x8GeU,
                I32x4Eq, I32x4Ne, I32x4LtS, I32x4LtU, I32x4GtS, I32x4GtU, I32x4LeS, I32x4LeU,
                I32x4GeS, I32x4GeU,
                I64x2Eq, I64x2Ne, I64x2LtS, I64x2GtS, I64x2LeS, I64x2GeS,
                F32x4Eq, F32x4Ne, F32x4Lt, F32x4Gt, F32x4Le, F32x4Ge,
                F64x2Eq, F64x2Ne, F64x2Lt, F64x2Gt, F64x2Le, F64x2Ge,
                I8x16NarrowI16x8S, I8x16NarrowI16x8U, I8x16Add, I8x16AddSatS, I8x16AddSatU,
                I8x16Sub, I8x16SubSatS, I8x16SubSatU, I8x16MinS, I8x16MinU, I8x16MaxS,
                I8x16MaxU, I8x16AvgrU,
                I16x8Q15MulrSatS, I16x8NarrowI32x4S, I16x8NarrowI32x4U, I16x8Add, I16x8AddSatS,
                I16x8AddSatU, I16x8Sub, I16x8SubSatS, I16x8SubSatU, I16x8Mul, I16x8MinS,
                I16x8MinU, I16x8MaxS, I16x8MaxU, I16x8AvgrU,
                I16x8ExtMulLowI8x16S, I16x8ExtMulHighI8x16S, I16x8ExtMulLowI8x16U,
                I16x8ExtMulHighI8x16U,
                I32x4Add, I32x4Sub, I32x4Mul, I32x4MinS, I32x4MinU, I32x4MaxS, I32x4MaxU,
                I32x4DotI16x8S, I32x4ExtMulLowI16x8S, I32x4ExtMulHighI16x8S,
                I32x4ExtMulLowI16x8U, I32x4ExtMulHighI16x8U,
                I64x2Add, I64x2Sub, I64x2Mul, I64x2ExtMulLowI32x4S, I64x2ExtMulHighI32x4S,
                I64x2ExtMulLowI32x4U, I64x2ExtMulHighI32x4U,
                F32x4Add, F32x4Sub, F32x4Mul, F32x4Div, F32x4Min, F32x4Max, F32x4PMin, F32x4PMax,
                F64x2Add, F64x2Sub, F64x2Mul, F64x2Div, F64x2Min, F64x2Max, F64x2PMin, F64x2PMax,
                I8x16RelaxedSwizzle, F32x4RelaxedMin, F32x4RelaxedMax, F64x2RelaxedMin,
                F64x2RelaxedMax, I16x8RelaxedQ15mulrS, I16x8RelaxedDotI8x16I7x16S,
            ],
            // v128 x v128 x v128 -> v128.
            tern: [
                V128Bitselect, F32x4RelaxedMadd, F32x4RelaxedNmadd, F64x2RelaxedMadd,
                F64x2RelaxedNmadd, I8x16RelaxedLaneselect, I16x8RelaxedLaneselect,
                I32x4RelaxedLaneselect, I64x2RelaxedLaneselect, I32x4RelaxedDotI8x16I7x16AddS,
            ],
            // v128 x i32 -> v128.
            shift: [
                I8x16Shl, I8x16ShrS, I8x16ShrU, I16x8Shl, I16x8ShrS, I16x8ShrU,
                I32x4Shl, I32x4ShrS, I32x4ShrU, I64x2Shl, I64x2ShrS, I64x2ShrU,
            ],
            // scalar -> v128.
            splat: [I8x16Splat, I16x8Splat, I32x4Splat, I64x2Splat, F32x4Splat, F64x2Splat],
            // v128 -> i32.
            test: [
                V128AnyTrue, I8x16AllTrue, I8x16Bitmask, I16x8AllTrue, I16x8Bitmask,
                I32x4AllTrue, I32x4Bitmask, I64x2AllTrue, I64x2Bitmask,
            ],
            // v128 -> scalar, with a lane immediate.
            extract: [
                I8x16ExtractLaneS, I8x16ExtractLaneU, I16x8ExtractLaneS, I16x8ExtractLaneU,
                I32x4ExtractLane, I64x2ExtractLane, F32x4ExtractLane, F64x2ExtractLane,
            ],
            // v128 x scalar -> v128, with a lane immediate.
            replace: [
                I8x16ReplaceLane, I16x8ReplaceLane, I32x4ReplaceLane, I64x2ReplaceLane,
                F32x4ReplaceLane, F64x2ReplaceLane,
            ],
            // i32 address -> v128.
            load: [
                V128Load, V128Load8x8S, V128Load8x8U, V128Load16x4S, V128Load16x4U,
                V128Load32x2S, V128Load32x2U, V128Load8Splat, V128Load16Splat,
                V128Load32Splat, V128Load64Splat, V128Load32Zero, V128Load64Zero,
            ],
            // i32 address x v128 -> v128, with a lane immediate.
            load_lane: [V128Load8Lane, V128Load16Lane, V128Load32Lane, V128Load64Lane],
            // i32 address x v128, with a lane immediate.
            store_lane: [V128Store8Lane, V128Store16Lane, V128Store32Lane, V128Store64Lane],
            $($rest)*
        }
    };
}
pub(crate) use with_simd_ops;

macro_rules! define_simd_enums {
    (
        un: [$($un:ident),* $(,)?],
        bin: [$($bin:ident),* $(,)?],
        tern: [$($tern:ident),* $(,)?],
        shift: [$($shift:ident),* $(,)?],
        splat: [$($splat:ident),* $(,)?],
        test: [$($test:ident),* $(,)?],
        extract: [$($extract:ident),* $(,)?],
        replace: [$($replace:ident),* $(,)?],
        load: [$($load:ident),* $(,)?],
        load_lane: [$($ll:ident),* $(,)?],
        store_lane: [$($sl:ident),* $(,)?],
    ) => {
        /// A v128 -> v128 operator ([`Instr::VUn`](crate::Instr::VUn)). Besides the Wasm
        /// operators, `CanonF32x4` and `CanonF64x2` replace every NaN lane by the canonical
        /// NaN (deterministic mode).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VUnOp { $($un,)* CanonF32x4, CanonF64x2 }
        /// A v128 x v128 -> v128 operator ([`Instr::VBin`](crate::Instr::VBin)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VBinOp { $($bin,)* }
        /// A v128 x v128 x v128 -> v128 operator ([`Instr::VTern`](crate::Instr::VTern)),
        /// operands in Wasm stack order.
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VTernOp { $($tern,)* }
        /// A v128 x i32 -> v128 shift ([`Instr::VShift`](crate::Instr::VShift)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VShiftOp { $($shift,)* }
        /// A scalar -> v128 splat ([`Instr::VSplat`](crate::Instr::VSplat)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VSplatOp { $($splat,)* }
        /// A v128 -> i32 test ([`Instr::VTest`](crate::Instr::VTest)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VTestOp { $($test,)* }
        /// A lane extraction ([`Instr::VExtract`](crate::Instr::VExtract)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VExtractOp { $($extract,)* }
        /// A lane replacement ([`Instr::VReplace`](crate::Instr::VReplace)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VReplaceOp { $($replace,)* }
        /// A v128 load ([`Instr::VLoad`](crate::Instr::VLoad)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VLoadOp { $($load,)* }
        /// A lane load ([`Instr::VLoadLane`](crate::Instr::VLoadLane)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VLoadLaneOp { $($ll,)* }
        /// A lane store ([`Instr::VStoreLane`](crate::Instr::VStoreLane)).
        #[allow(missing_docs)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum VStoreLaneOp { $($sl,)* }
    };
}

with_simd_ops! { define_simd_enums! {} }

impl VLoadLaneOp {
    /// Bytes the lane has.
    pub fn width(self) -> usize {
        match self {
            VLoadLaneOp::V128Load8Lane => 1,
            VLoadLaneOp::V128Load16Lane => 2,
            VLoadLaneOp::V128Load32Lane => 4,
            VLoadLaneOp::V128Load64Lane => 8,
        }
    }
}

impl VStoreLaneOp {
    /// Bytes the lane has.
    pub fn width(self) -> usize {
        match self {
            VStoreLaneOp::V128Store8Lane => 1,
            VStoreLaneOp::V128Store16Lane => 2,
            VStoreLaneOp::V128Store32Lane => 4,
            VStoreLaneOp::V128Store64Lane => 8,
        }
    }
}
