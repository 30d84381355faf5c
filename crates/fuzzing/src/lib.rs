//! # wvm-fuzzing: fuzz targets as library functions
//!
//! Design note. The issue is "untrusted code: no input crashes the host". Each fuzz target
//! is a plain function over bytes, so the same code runs under cargo-fuzz (`fuzz/`, a
//! separate cargo project outside the workspace) and in `cargo test`, where
//! `tests/smoke.rs` feeds it thousands of inputs from a seeded generator:
//!
//! - [`decode_compile`]: any bytes through `Module::validate`, `Module::from_binary` and
//!   `Module::new` with eager translation. Errors are fine, panics are not, and validation
//!   and loading must agree.
//! - [`instantiate_and_run`]: a valid module from wasm-smith ([`smith_config`]: WebAssembly
//!   2.0 without SIMD, small memories and tables, a fuel global so every call ends) is
//!   instantiated with dummy imports and each export called. Traps are fine.
//! - [`differential`]: the same module in WVM and in wasmi (the reference), in lockstep,
//!   with the same imports and arguments; results, traps, host calls and final memories,
//!   globals and tables must agree (see [`differential_wasm`] for the exact rules).
//!
//! Generated modules carry their own termination (wasm-smith's `ensure_termination`) so
//! that both engines stop at the same instruction; WVM's engine fuel, when present, is an
//! extra bound in [`instantiate_and_run`] only, since two engines' fuel never match.
//! Deliberately not here: mutation strategies of a fuzzing engine (libFuzzer does that),
//! and fixes to the runtime (a disagreement is reported with its module, and its
//! reproduction goes under `tests/regressions/`).

mod decode;
mod defuse;
mod differential;
mod generate;
mod observe;
mod run;
mod wasmi_side;
mod wvm_side;

pub use decode::{DecodeOutcome, decode_compile};
pub use defuse::defuse_selects;
pub use differential::{
    DIFF_FUEL, DiffStats, Disagreement, differential, differential_replay, differential_wasm,
};
pub use generate::{
    MAX_MEMORY_PAGES, MAX_TABLE_ELEMENTS, Termination, generate, mutate, smith_config,
};
pub use observe::{Failure, HostCall, State, TrapKind, Value};
pub use run::{RUN_FUEL, RunStats, instantiate_and_run, run_wasm};

/// Re-exported so that callers build inputs with the same version.
pub use arbitrary;
