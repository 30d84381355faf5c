//! # wvm-environ: what a module is, before anything runs
//!
//! Design note. This crate decodes and validates a WebAssembly binary (with `wasmparser`:
//! WebAssembly 2.0, relaxed SIMD and the 3.0 features WVM implements, see [`features`]) into a [`ModuleInfo`]: types, imports, exports,
//! segments, constant expressions and the byte ranges of function bodies, which the
//! translator reads later (lazily). It also holds what every tier shares: the value and
//! item types, [`TrapCode`] with the spec's wording, and [`VMOffsets`], the single place
//! where the layout of the VM data structures is written down.
//!
//! Deliberately not here: execution, translation to bytecode, and `unsafe` code.

#![forbid(unsafe_code)]

mod fuel;
mod limits;
mod module;
mod operators;
mod trap;
mod types;
mod vmoffsets;

pub use fuel::FuelCosts;
pub use limits::ModuleLimits;
pub use module::{
    CompileError, ConstExpr, ConstOp, DataMode, DataSegment, ElemMode, ElemSegment, EntityIndex,
    Export, Import, ModuleInfo, available_threads, const_expr, eval_extended, features, validate,
    validate_with_limits, validate_with_threads,
};
pub use trap::TrapCode;
pub use types::{
    ExternType, FuncType, GlobalType, HeapType, MemoryType, Mutability, RefType, TableType,
    TagType, ValType, limits_match,
};
pub use vmoffsets::VMOffsets;
pub use wasmparser;

/// Size of a WebAssembly page in bytes.
pub const WASM_PAGE_SIZE: u64 = 65536;
/// Maximum number of pages of a 32-bit memory.
pub const WASM32_MAX_PAGES: u64 = 65536;
