//! # wvm-bench: WVM side by side with other WebAssembly runtimes
//!
//! Design note. This crate is a measuring instrument, not part of WVM: it runs the same
//! modules, in one process, on WVM (lazy, eager, and with fuel), wasmi 2, wasmtime
//! (Cranelift, and its Pulley interpreter) and wasm3, and writes `docs/benchmarks.md` plus
//! a chart (`docs/benchmarks.svg`). Every workload is a module without imports exporting
//! `bench: [] -> [i32]` that returns a checksum, so no runtime's WASI layer is timed and the
//! checksums can be compared across runtimes; the C programs come from the benchmark kit
//! (`shared/bench`, built by its own `build.sh`), the micro-workloads are WAT written here,
//! and the start-up module is generated C.
//!
//! - `runtimes`: one small interface (compile, instantiate, call) over every runtime.
//! - `workloads`: building and loading the modules.
//! - `measure`: medians of interleaved repetitions, start-up, instantiation, peak memory
//!   (in child processes, from `/proc/self/status`).
//! - `report`: the markdown page and the hand-written SVG chart.
//!
//! Deliberately not here: timed assertions in tests (speed is read from the report, never
//! asserted), and any change to the runtimes under test. The crate is outside the root
//! workspace (see its Cargo.toml), so CI never builds wasmtime.

pub mod measure;
pub mod report;
pub mod runtimes;
pub mod workloads;
