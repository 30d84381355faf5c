//! Translation of the v128 operators (see `crate::simd` for the families). Operands are
//! slots like any other; which cell (scalar or vector) an instruction reads follows from
//! the operator. A function that uses v128 at all is translated "wide": its copies and
//! selects move both cells ([`Instr::CopyV`], [`Instr::SelectV`]).

use super::{CompileError, Translator};
use crate::instr::Instr;
use crate::simd::*;
use wvm_environ::wasmparser::{MemArg, Operator};

macro_rules! translate_simd {
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
        /// Whether `op` is a v128 operator.
        pub(super) fn is_simd(op: &Operator<'_>) -> bool {
            matches!(
                op,
                Operator::V128Const { .. }
                    | Operator::I8x16Shuffle { .. }
                    | Operator::V128Store { .. }
                    $(| Operator::$un)*
                    $(| Operator::$bin)*
                    $(| Operator::$tern)*
                    $(| Operator::$shift)*
                    $(| Operator::$splat)*
                    $(| Operator::$test)*
                    $(| Operator::$extract { .. })*
                    $(| Operator::$replace { .. })*
                    $(| Operator::$load { .. })*
                    $(| Operator::$ll { .. })*
                    $(| Operator::$sl { .. })*
            )
        }

        /// `Some(true)` for a v128 load, `Some(false)` for a v128 store (for fuel costs).
        pub(super) fn simd_memory_kind(op: &Operator<'_>) -> Option<bool> {
            match op {
                $(Operator::$load { .. })|* $(| Operator::$ll { .. })* => Some(true),
                Operator::V128Store { .. } $(| Operator::$sl { .. })* => Some(false),
                _ => None,
            }
        }

        impl Translator<'_> {
            /// Translates a v128 operator; anything else goes on to the numeric ones.
            pub(super) fn simd_op(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
                let canon = if self.opts.canonicalize_nans { nan_producer(&op) } else { None };
                match op {
                    Operator::V128Const { value } => {
                        self.push_vconst(u128::from_le_bytes(*value.bytes()));
                    }
                    Operator::I8x16Shuffle { lanes } => {
                        let mask = self.vconsts[&u128::from_le_bytes(lanes)];
                        let rhs = self.pop();
                        let lhs = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VShuffle { dst, lhs, rhs });
                        self.code.push(Instr::Extra { a: mask, b: 0, c: 0 });
                    }
                    Operator::V128Store { memarg } => {
                        let value = self.pop();
                        let addr = self.pop();
                        let offset = offset(memarg);
                        self.emit(Instr::VStore { addr, value, offset });
                        self.memarg_extra(0, &memarg);
                    }
                    $(Operator::$un => self.vun(VUnOp::$un),)*
                    $(Operator::$bin => {
                        let rhs = self.pop();
                        let lhs = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VBin { op: VBinOp::$bin, dst, lhs, rhs });
                    })*
                    $(Operator::$tern => {
                        let c = self.pop();
                        let b = self.pop();
                        let a = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VTern { op: VTernOp::$tern, dst, a, b });
                        self.code.push(Instr::Extra { a: c, b: 0, c: 0 });
                    })*
                    $(Operator::$shift => {
                        let rhs = self.pop();
                        let lhs = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VShift { op: VShiftOp::$shift, dst, lhs, rhs });
                    })*
                    $(Operator::$splat => {
                        let src = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VSplat { op: VSplatOp::$splat, dst, src });
                    })*
                    $(Operator::$test => {
                        let src = self.pop();
                        let dst = self.push_result();
                        self.produce(Instr::VTest { op: VTestOp::$test, dst, src });
                    })*
                    $(Operator::$extract { lane } => {
                        let src = self.pop();
                        let dst = self.push_result();
                        let op = VExtractOp::$extract;
                        self.produce(Instr::VExtract { op, lane, dst, src });
                    })*
                    $(Operator::$replace { lane } => {
                        let val = self.pop();
                        let vec = self.pop();
                        let dst = self.push_result();
                        let op = VReplaceOp::$replace;
                        self.produce(Instr::VReplace { op, lane, dst, vec, val });
                    })*
                    $(Operator::$load { memarg } => {
                        let addr = self.pop();
                        let dst = self.push_result();
                        let (op, offset) = (VLoadOp::$load, offset(memarg));
                        self.produce(Instr::VLoad { op, dst, addr, offset });
                        self.memarg_extra(0, &memarg);
                    })*
                    $(Operator::$ll { memarg, lane } => {
                        let vec = self.pop();
                        let addr = self.pop();
                        let dst = self.push_result();
                        let (op, offset) = (VLoadLaneOp::$ll, offset(memarg));
                        self.produce(Instr::VLoadLane { op, lane, dst, addr, offset });
                        self.memarg_extra(vec, &memarg);
                    })*
                    $(Operator::$sl { memarg, lane } => {
                        let value = self.pop();
                        let addr = self.pop();
                        let (op, offset) = (VStoreLaneOp::$sl, offset(memarg));
                        self.emit(Instr::VStoreLane { op, lane, addr, value, offset });
                        self.memarg_extra(0, &memarg);
                    })*
                    other => return self.numeric(other),
                }
                if let Some(op) = canon {
                    let dst = *self.stack.last().expect("a vector result");
                    self.produce(Instr::VUn { op, dst, src: dst });
                }
                Ok(())
            }
        }
    };
}

with_simd_ops! { translate_simd! {} }

/// The low 32 bits of a memory argument's offset (the `Extra` word holds the rest).
fn offset(m: MemArg) -> u32 {
    m.offset as u32
}

impl Translator<'_> {
    fn vun(&mut self, op: VUnOp) {
        let src = self.pop();
        let dst = self.push_result();
        self.produce(Instr::VUn { op, dst, src });
    }

    fn push_vconst(&mut self, v: u128) {
        let s = self.vconsts[&v];
        self.push_slot(s);
    }
}

/// For a v128 float operator whose NaN results the hardware may choose, the operator that
/// canonicalizes its result in deterministic mode. Sign operations, comparisons, `pmin`/
/// `pmax` (which return an operand) and integer conversions are exact already.
fn nan_producer(op: &Operator<'_>) -> Option<VUnOp> {
    use Operator as O;
    match op {
        O::F32x4Add
        | O::F32x4Sub
        | O::F32x4Mul
        | O::F32x4Div
        | O::F32x4Min
        | O::F32x4Max
        | O::F32x4Sqrt
        | O::F32x4Ceil
        | O::F32x4Floor
        | O::F32x4Trunc
        | O::F32x4Nearest
        | O::F32x4DemoteF64x2Zero
        | O::F32x4RelaxedMadd
        | O::F32x4RelaxedNmadd
        | O::F32x4RelaxedMin
        | O::F32x4RelaxedMax => Some(VUnOp::CanonF32x4),
        O::F64x2Add
        | O::F64x2Sub
        | O::F64x2Mul
        | O::F64x2Div
        | O::F64x2Min
        | O::F64x2Max
        | O::F64x2Sqrt
        | O::F64x2Ceil
        | O::F64x2Floor
        | O::F64x2Trunc
        | O::F64x2Nearest
        | O::F64x2PromoteLowF32x4
        | O::F64x2RelaxedMadd
        | O::F64x2RelaxedNmadd
        | O::F64x2RelaxedMin
        | O::F64x2RelaxedMax => Some(VUnOp::CanonF64x2),
        _ => None,
    }
}
