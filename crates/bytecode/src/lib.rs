//! # wvm-bytecode: the interpreter's instruction set and the Wasm -> bytecode translator
//!
//! Design note. A compiler, not a runtime: it reads a validated [`wvm_environ::ModuleInfo`]
//! and the module bytes and produces, per function, a [`CompiledFunc`]: a compact stream of
//! 16-byte [`Instr`]uctions whose operands address frame slots directly, with branch targets
//! resolved. It depends on `wvm-environ` only and never executes anything; the executor
//! lives in the runtime crate (`wvm`). Translation is done once per function, lazily, by the
//! runtime; validation has already happened eagerly, so translation only fails on resource
//! limits.
//!
//! Frame layout: `[params][locals][constants][operand stack]`; arguments of a call are the
//! top of the caller's operand stack and become the callee's first slots in place, and
//! results come back in the callee's slots `0..n`.
//!
//! Beside its code, a [`CompiledFunc`] keeps a side table from each instruction that may trap
//! or call back to the Wasm byte offset of its operator; only trap backtraces read it.
//!
//! Deliberately not here: `unsafe` code, execution, and anything that touches a store.

#![forbid(unsafe_code)]

mod instr;
mod simd;
mod translate;

pub use instr::{
    Bin, BinImm, BrBin, BrBinImm, Instr, Load, LoadOp, Slot, Store, StoreOp, Un, WideOp, memarg,
    memarg_parts,
};
pub use simd::{
    VBinOp, VExtractOp, VLoadLaneOp, VLoadOp, VReplaceOp, VShiftOp, VSplatOp, VStoreLaneOp,
    VTernOp, VTestOp, VUnOp,
};
pub use translate::{
    CatchKind, CompiledFunc, Handler, MAX_FRAME_SLOTS, PromotedGlobal, TranslateOptions, translate,
};
