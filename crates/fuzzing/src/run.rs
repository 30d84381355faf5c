//! Target 2: a generated module is instantiated with dummy imports and every exported
//! function is called; traps are fine, a panic or a non-trap error is not.

use crate::generate::{Termination, generate};
use crate::observe::{Failure, TrapKind};
use crate::wvm_side::{WvmSide, zero};
use arbitrary::Unstructured;

/// Counts of what [`instantiate_and_run`] did, summed over inputs with [`RunStats::add`].
#[derive(Clone, Debug, Default)]
pub struct RunStats {
    /// Inputs too short for wasm-smith to make a module from.
    pub not_generated: u64,
    /// Modules loaded.
    pub modules: u64,
    /// Instantiations that trapped (a segment out of bounds, the start function).
    pub instantiation_traps: u64,
    /// Exported functions called.
    pub calls: u64,
    /// Calls that returned normally.
    pub returned: u64,
    /// Calls that trapped (any code, including the ones below).
    pub traps: u64,
    /// `unreachable` traps: the instruction itself, or the module's fuel global running out.
    pub unreachable: u64,
    /// Traps of WVM's own fuel running out.
    pub out_of_fuel: u64,
    /// "call stack exhausted" traps.
    pub stack_overflows: u64,
    /// WVM fuel consumed by all calls.
    pub fuel_used: u64,
}

impl RunStats {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &RunStats) {
        self.not_generated += other.not_generated;
        self.modules += other.modules;
        self.instantiation_traps += other.instantiation_traps;
        self.calls += other.calls;
        self.returned += other.returned;
        self.traps += other.traps;
        self.unreachable += other.unreachable;
        self.out_of_fuel += other.out_of_fuel;
        self.stack_overflows += other.stack_overflows;
        self.fuel_used += other.fuel_used;
    }
}

/// WVM fuel for instantiation and for each call in [`instantiate_and_run`].
pub const RUN_FUEL: u64 = 100_000;

/// Generates a module from `data` with wasm-smith, then [`run_wasm`] under WVM's fuel
/// ([`RUN_FUEL`] per call). Half of the modules also carry wasm-smith's fuel global; the
/// other half may loop forever, and only WVM's fuel stops them. Panics only on a WVM bug.
pub fn instantiate_and_run(data: &[u8]) -> RunStats {
    let mut u = Unstructured::new(data);
    let termination = if u.arbitrary().unwrap_or(false) {
        Termination::FuelGlobal(u.int_in_range(100..=20_000).unwrap_or(1_000))
    } else {
        Termination::None
    };
    match generate(&mut u, termination) {
        Ok(wasm) => run_wasm(&wasm, Some(RUN_FUEL)),
        Err(_) => RunStats {
            not_generated: 1,
            ..RunStats::default()
        },
    }
}

/// Loads `wasm` (which must be valid) in WVM, instantiates it with dummy imports and calls
/// every exported function, in export order, with zero arguments. With `fuel`, the engine
/// meters fuel and the store gets that much before instantiation and before each call;
/// without, the module must terminate by itself.
///
/// # Panics
///
/// If WVM refuses the valid module, fails to link the exactly typed imports, a call ends
/// in an error that is not a trap, or the fuel left grows during a call.
pub fn run_wasm(wasm: &[u8], fuel: Option<u64>) -> RunStats {
    let engine = WvmSide::engine(fuel.is_some());
    let mut stats = RunStats::default();
    let mut side = match WvmSide::new(&engine, wasm) {
        Ok(side) => side,
        Err(e) => panic!("WVM refused a valid generated module: {e}"),
    };
    side.fuel = fuel;
    stats.modules = 1;
    match side.instantiate() {
        Ok(()) => {}
        Err(Failure::Trap(_)) => {
            stats.instantiation_traps = 1;
            return stats;
        }
        Err(Failure::Error(e)) => panic!("instantiation with exactly typed imports failed: {e}"),
    }
    for (name, params) in side.func_exports() {
        let args: Vec<_> = params.iter().map(|t| zero(*t)).collect();
        stats.calls += 1;
        let result = side.call(&name, &args);
        stats.fuel_used += side.fuel_used();
        match result {
            Ok(_) => stats.returned += 1,
            Err(Failure::Trap(kind)) => {
                stats.traps += 1;
                match kind {
                    TrapKind::Unreachable => stats.unreachable += 1,
                    TrapKind::OutOfFuel => stats.out_of_fuel += 1,
                    TrapKind::StackOverflow => stats.stack_overflows += 1,
                    _ => {}
                }
            }
            Err(Failure::Error(e)) => panic!("calling `{name}` failed without a trap: {e}"),
        }
        side.take_host_calls();
    }
    let _ = side.state();
    stats
}
