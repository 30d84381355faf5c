//! Target 3: the same generated module in WVM and in wasmi, in lockstep, must behave the
//! same: load or not, instantiate or trap, every call's results or trap, the host calls
//! it makes, and the final memories, globals and tables.

use crate::defuse::defuse_selects;
use crate::generate::{Termination, generate};
use crate::observe::{Failure, HostCall, State, Value};
use crate::wasmi_side::{self, WasmiSide};
use crate::wvm_side::WvmSide;
use arbitrary::Unstructured;
use std::fmt;
use wvm::ValType;

/// Counts of what [`differential`] compared, summed over inputs with [`DiffStats::add`].
#[derive(Clone, Debug, Default)]
pub struct DiffStats {
    /// Inputs too short for wasm-smith to make a module from.
    pub not_generated: u64,
    /// Modules both engines loaded and that were compared (fully or up to a stack overflow).
    pub modules: u64,
    /// Skipped: wasmi refused to load or instantiate a module WVM accepts (its limits).
    pub wasmi_rejected: u64,
    /// Skipped: both engines refused the generated module (a generator setting to fix).
    pub both_rejected: u64,
    /// Modules whose instantiation trapped in both engines alike.
    pub instantiation_traps: u64,
    /// Calls compared.
    pub calls: u64,
    /// Calls that trapped alike in both engines.
    pub traps: u64,
    /// Host-function calls compared (import index and arguments).
    pub host_calls: u64,
    /// Final states (memories, globals, tables) compared.
    pub states: u64,
    /// Modules whose comparison stopped early because either engine exhausted its call
    /// stack: the two engines' depth limits differ, so the rest is inconclusive.
    pub inconclusive_stack: u64,
    /// Modules whose comparison stopped early because WVM ran out of fuel (should not
    /// happen: its budget is far above what the module's fuel global allows).
    pub inconclusive_fuel: u64,
}

impl DiffStats {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: &DiffStats) {
        self.not_generated += other.not_generated;
        self.modules += other.modules;
        self.wasmi_rejected += other.wasmi_rejected;
        self.both_rejected += other.both_rejected;
        self.instantiation_traps += other.instantiation_traps;
        self.calls += other.calls;
        self.traps += other.traps;
        self.host_calls += other.host_calls;
        self.states += other.states;
        self.inconclusive_stack += other.inconclusive_stack;
        self.inconclusive_fuel += other.inconclusive_fuel;
    }
}

/// WVM and wasmi did not behave the same on a module.
#[derive(Clone, Debug)]
pub struct Disagreement {
    /// The module.
    pub wasm: Vec<u8>,
    /// What differed, with WVM's side first.
    pub detail: String,
    /// The exported functions called so far, with their arguments, in order (the last
    /// one disagreed if the detail names a call): enough to replay the run.
    pub calls: Vec<(String, Vec<Value>)>,
}

impl Disagreement {
    /// The calls made, one per line: `name(arg, ...)`.
    pub fn calls_text(&self) -> String {
        self.calls
            .iter()
            .map(|(name, args)| {
                let args: Vec<String> = args.iter().map(Value::to_string).collect();
                format!("{name:?}({})\n", args.join(", "))
            })
            .collect()
    }

    /// The module in the text format, for a report.
    pub fn wat(&self) -> String {
        wasmprinter::print_bytes(&self.wasm).unwrap_or_else(|e| format!("(; unprintable: {e} ;)"))
    }
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "WVM and wasmi disagree ({} byte module): {}",
            self.wasm.len(),
            self.detail
        )
    }
}

impl std::error::Error for Disagreement {}

/// Generates a module from `data` (wasm-smith, bounded by its own fuel global, so both
/// engines stop at the same instruction) and runs [`differential_wasm`] on it, with call
/// arguments taken from the rest of `data`. For half of the modules WVM meters fuel (with
/// a budget no module exhausts), which compares its fuel-instrumented code with wasmi too.
pub fn differential(data: &[u8]) -> Result<DiffStats, Disagreement> {
    let mut u = Unstructured::new(data);
    let fuel = u.int_in_range(100..=20_000).unwrap_or(1_000);
    let wvm_fuel = u.arbitrary().unwrap_or(false);
    match generate(&mut u, Termination::FuelGlobal(fuel)) {
        Ok(wasm) => differential_wasm(&wasm, wvm_fuel, &mut u),
        Err(_) => Ok(DiffStats {
            not_generated: 1,
            ..DiffStats::default()
        }),
    }
}

/// WVM's fuel per call in [`differential_wasm`]: far more than a module bounded by its fuel
/// global can use.
pub const DIFF_FUEL: u64 = 1 << 40;

/// An argument of type `ty`: often a boundary value, otherwise arbitrary bits (zero once
/// `u` runs out). References are always null: the host has no others to give.
fn arbitrary_arg(u: &mut Unstructured<'_>, ty: ValType) -> Value {
    let pick = u.int_in_range(0..=3u8).unwrap_or(0);
    match ty {
        ValType::I32 => Value::I32(match pick {
            0 => 0,
            1 => [1, -1, i32::MIN, i32::MAX][u.choose_index(4).unwrap_or(0)],
            _ => u.arbitrary().unwrap_or(0),
        }),
        ValType::I64 => Value::I64(match pick {
            0 => 0,
            1 => [1, -1, i64::MIN, i64::MAX][u.choose_index(4).unwrap_or(0)],
            _ => u.arbitrary().unwrap_or(0),
        }),
        ValType::F32 => Value::F32(match pick {
            0 => 0,
            1 => [1.0f32, -0.0, f32::INFINITY, f32::NAN][u.choose_index(4).unwrap_or(0)].to_bits(),
            _ => u.arbitrary().unwrap_or(0),
        }),
        ValType::F64 => Value::F64(match pick {
            0 => 0,
            1 => [1.0f64, -0.0, f64::INFINITY, f64::NAN][u.choose_index(4).unwrap_or(0)].to_bits(),
            _ => u.arbitrary().unwrap_or(0),
        }),
        ValType::Ref(r) if r.is_func() => Value::FuncRef { null: true },
        _ => Value::ExternRef { null: true },
    }
}

fn show(r: &Result<Vec<Value>, Failure>) -> String {
    match r {
        Ok(vals) => {
            let vals: Vec<String> = vals.iter().map(Value::to_string).collect();
            format!("returned [{}]", vals.join(", "))
        }
        Err(f) => f.to_string(),
    }
}

fn show_calls(calls: &[HostCall]) -> String {
    let calls: Vec<String> = calls
        .iter()
        .map(|c| {
            let args: Vec<String> = c.args.iter().map(Value::to_string).collect();
            format!("import {}({})", c.import, args.join(", "))
        })
        .collect();
    format!("[{}]", calls.join(", "))
}

/// Runs `wasm` (which should be valid) in WVM and in wasmi with the same dummy imports
/// (host functions return zeros), calls every exported function in export order with the
/// same arguments (drawn from `args`), and compares everything observable:
///
/// - loading: WVM refusing what wasmi accepts is a disagreement; the reverse is skipped
///   (`wasmi_rejected`, wasmi's own limits);
/// - instantiation: both succeed, or both trap with the same kind;
/// - each call: the same results (any NaN equals any NaN) or the same trap kind (WVM's
///   "undefined element" counts as wasmi's table out of bounds), and the same host calls
///   with the same arguments;
/// - at the end (or after a failed instantiation): exported and imported memories byte for
///   byte, globals, and tables' sizes and null elements.
///
/// wasmi runs the module with `i32.const 0; drop` before every `select`
/// ([`defuse_selects`]), which sidesteps a wasmi bug and changes nothing else.
///
/// Memory is compared exactly: the generator canonicalizes every NaN an arithmetic
/// operation produces, so NaN bits stored to memory are deterministic. A "call stack
/// exhausted" trap on either side ends the comparison of that module as inconclusive.
///
/// With `wvm_fuel`, WVM meters fuel with a budget of [`DIFF_FUEL`] per call; running out
/// of it is inconclusive too (wasmi does not meter).
pub fn differential_wasm(
    wasm: &[u8],
    wvm_fuel: bool,
    args: &mut Unstructured<'_>,
) -> Result<DiffStats, Disagreement> {
    lockstep(wasm, wvm_fuel, Plan::Exports(args))
}

/// [`differential_wasm`] with a given list of calls instead of every export once, e.g.
/// [`Disagreement::calls`] to replay a disagreement.
pub fn differential_replay(
    wasm: &[u8],
    wvm_fuel: bool,
    calls: &[(String, Vec<Value>)],
) -> Result<DiffStats, Disagreement> {
    lockstep(wasm, wvm_fuel, Plan::Calls(calls))
}

/// Which calls [`lockstep`] makes.
enum Plan<'a, 'b> {
    /// Every exported function once, in export order, arguments drawn from the data.
    Exports(&'a mut Unstructured<'b>),
    /// These calls, in this order.
    Calls(&'a [(String, Vec<Value>)]),
}

fn lockstep(wasm: &[u8], wvm_fuel: bool, plan: Plan<'_, '_>) -> Result<DiffStats, Disagreement> {
    let mut stats = DiffStats::default();
    let mut calls: Vec<(String, Vec<Value>)> = Vec::new();
    let disagree = |calls: &[(String, Vec<Value>)], detail: String| Disagreement {
        wasm: wasm.to_vec(),
        detail,
        calls: calls.to_vec(),
    };
    let wvm_engine = WvmSide::engine(wvm_fuel);
    let wasmi_engine = wasmi_side::engine();
    // wasmi gets the module with its known select bug worked around (see `defuse`).
    let for_wasmi = defuse_selects(wasm).unwrap_or_else(|| wasm.to_vec());
    let (mut a, mut b) = match (
        WvmSide::new(&wvm_engine, wasm),
        WasmiSide::new(&wasmi_engine, &for_wasmi),
    ) {
        (Ok(mut a), Ok(b)) => {
            a.fuel = wvm_fuel.then_some(DIFF_FUEL);
            (a, b)
        }
        (Err(_), Err(_)) => {
            stats.both_rejected = 1;
            return Ok(stats);
        }
        (Err(e), Ok(_)) => return Err(disagree(&calls, format!("WVM refuses the module: {e}"))),
        (Ok(_), Err(_)) => {
            stats.wasmi_rejected = 1;
            return Ok(stats);
        }
    };

    let ia = a.instantiate();
    let ib = b.instantiate();
    stats.modules = 1;
    if inconclusive(&ia, &ib, &mut stats) {
        return Ok(stats);
    }
    match (&ia, &ib) {
        (Ok(()), Ok(())) => {}
        (Ok(()), Err(Failure::Error(_))) => {
            stats.modules = 0;
            stats.wasmi_rejected = 1;
            return Ok(stats);
        }
        (Err(fa), Err(fb)) if fa.same_as(fb) => {}
        _ => {
            return Err(disagree(
                &calls,
                format!(
                    "instantiation: WVM {}, wasmi {}",
                    show(&ia.map(|()| vec![])),
                    show(&ib.map(|()| vec![]))
                ),
            ));
        }
    }
    compare_host_calls(&mut a, &mut b, "instantiation", &mut stats)
        .map_err(|d| disagree(&calls, d))?;
    if ia.is_err() {
        stats.instantiation_traps = 1;
        compare_state(&a.state(), &b.state(), &mut stats).map_err(|d| disagree(&calls, d))?;
        return Ok(stats);
    }

    let planned: Vec<(String, Vec<Value>)> = match plan {
        Plan::Exports(args) => a
            .func_exports()
            .into_iter()
            .map(|(name, params)| {
                let vals = params.iter().map(|t| arbitrary_arg(args, *t)).collect();
                (name, vals)
            })
            .collect(),
        Plan::Calls(list) => list.to_vec(),
    };
    for (name, call_args) in planned {
        calls.push((name.clone(), call_args.clone()));
        let ra = a.call(&name, &call_args);
        let rb = b.call(&name, &call_args);
        if inconclusive(&ra, &rb, &mut stats) {
            return Ok(stats);
        }
        stats.calls += 1;
        let same = match (&ra, &rb) {
            (Ok(x), Ok(y)) => x == y,
            (Err(x), Err(y)) => x.same_as(y),
            _ => false,
        };
        if !same {
            let args: Vec<String> = call_args.iter().map(Value::to_string).collect();
            return Err(disagree(
                &calls,
                format!(
                    "call `{name}`({}): WVM {}, wasmi {}",
                    args.join(", "),
                    show(&ra),
                    show(&rb)
                ),
            ));
        }
        if ra.is_err() {
            stats.traps += 1;
        }
        compare_host_calls(&mut a, &mut b, &format!("call `{name}`"), &mut stats)
            .map_err(|d| disagree(&calls, d))?;
    }
    compare_state(&a.state(), &b.state(), &mut stats).map_err(|d| disagree(&calls, d))?;
    Ok(stats)
}

/// Whether a step's outcome in either engine ends the comparison: a stack overflow (the
/// engines' depth limits differ) or WVM running out of fuel (wasmi does not meter).
fn inconclusive<T>(a: &Result<T, Failure>, b: &Result<T, Failure>, stats: &mut DiffStats) -> bool {
    let a = a.as_ref().err();
    let b = b.as_ref().err();
    if a.is_some_and(Failure::is_stack_overflow) || b.is_some_and(Failure::is_stack_overflow) {
        stats.inconclusive_stack = 1;
        true
    } else if a.is_some_and(Failure::is_out_of_fuel) {
        stats.inconclusive_fuel = 1;
        true
    } else {
        false
    }
}

fn compare_host_calls(
    a: &mut WvmSide,
    b: &mut WasmiSide,
    during: &str,
    stats: &mut DiffStats,
) -> Result<(), String> {
    let ca = a.take_host_calls();
    let cb = b.take_host_calls();
    if ca != cb {
        return Err(format!(
            "host calls during {during}: WVM {}, wasmi {}",
            show_calls(&ca),
            show_calls(&cb)
        ));
    }
    stats.host_calls += ca.len() as u64;
    Ok(())
}

fn compare_state(a: &State, b: &State, stats: &mut DiffStats) -> Result<(), String> {
    if let Some(d) = a.diff(b) {
        return Err(format!("final state: {d} (WVM vs wasmi)"));
    }
    stats.states += 1;
    Ok(())
}
