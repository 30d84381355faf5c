//! Smoke tests: each fuzz target over thousands of deterministic inputs, plus the saved
//! regressions. `WVM_FUZZ_ITERS=N` multiplies the input counts (default 1) and
//! `WVM_FUZZ_SEED=S` picks another input stream, for runs longer than CI's. Counts are
//! printed to stderr (`cargo test -p wvm-fuzzing -- --nocapture`); failing inputs are
//! written under the test's temporary target directory.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::Instant;
use wvm_fuzzing::arbitrary::Unstructured;
use wvm_fuzzing::{DecodeOutcome, DiffStats, RunStats, Termination};

/// SplitMix64: a tiny seeded generator, so every run sees the same inputs.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn bytes(&mut self, min: usize, max: usize) -> Vec<u8> {
        let len = min + self.below((max - min + 1) as u64) as usize;
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

fn scale() -> u64 {
    std::env::var("WVM_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
        .max(1)
}

fn base_seed() -> u64 {
    std::env::var("WVM_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f077_a5ed)
}

/// The generator for input `i` of a target: independent of the other inputs, so a failure
/// is reproduced from its index alone.
fn rng_for(target: u64, i: u64) -> Rng {
    let mut r = Rng::new(base_seed() ^ target.wrapping_mul(0x1000_0000_01b3));
    for _ in 0..(i % 7) {
        r.next();
    }
    Rng::new(r.next() ^ i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

fn failure_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "non-string panic".into())
}

/// A valid module from wasm-smith (no fuel global needed: it is only decoded).
fn smith_module(rng: &mut Rng) -> Option<Vec<u8>> {
    let data = rng.bytes(64, 2048);
    wvm_fuzzing::generate(&mut Unstructured::new(&data), Termination::None).ok()
}

/// One input for `decode_compile`, and whether it must be accepted.
fn decode_input(rng: &mut Rng) -> (Vec<u8>, bool) {
    let kind = rng.below(10);
    let mutation = rng.bytes(16, 64);
    let mut u = Unstructured::new(&mutation);
    match kind {
        // Valid modules as generated: must load.
        0 => match smith_module(rng) {
            Some(wasm) => (wasm, true),
            None => (rng.bytes(0, 64), false),
        },
        // Valid modules with a few edits.
        1..=4 => {
            let wasm = smith_module(rng).unwrap_or_default();
            (wvm_fuzzing::mutate(&wasm, &mut u), false)
        }
        // The text format with a few edits.
        5 => {
            let wasm = smith_module(rng).unwrap_or_default();
            let wat = wasmprinter::print_bytes(&wasm).unwrap_or_default();
            (wvm_fuzzing::mutate(wat.as_bytes(), &mut u), false)
        }
        // A valid header, then noise.
        6 | 7 => {
            let mut b = b"\0asm\x01\0\0\0".to_vec();
            b.extend(rng.bytes(0, 512));
            (b, false)
        }
        // Noise.
        _ => (rng.bytes(0, 512), false),
    }
}

#[test]
fn decode_compile_smoke() {
    let n = 10_000 * scale();
    let start = Instant::now();
    let (mut accepted, mut rejected, mut translation_failed) = (0u64, 0u64, 0u64);
    let mut failures = Vec::new();
    for i in 0..n {
        let mut rng = rng_for(1, i);
        let (input, must_accept) = decode_input(&mut rng);
        match catch_unwind(AssertUnwindSafe(|| wvm_fuzzing::decode_compile(&input))) {
            Ok(DecodeOutcome::Accepted) => accepted += 1,
            Ok(outcome) => {
                if outcome == DecodeOutcome::TranslationFailed {
                    translation_failed += 1;
                } else {
                    rejected += 1;
                }
                if must_accept {
                    let path = failure_dir().join(format!("decode-{i}.wasm"));
                    let _ = std::fs::write(&path, &input);
                    failures.push(format!(
                        "input {i}: valid module not accepted ({outcome:?}), saved as {}",
                        path.display()
                    ));
                }
            }
            Err(p) => failures.push(save_panic("decode", i, &input, &*p)),
        }
    }
    eprintln!(
        "decode_compile: {n} inputs in {:.1?}: {accepted} accepted, {rejected} rejected, \
         {translation_failed} valid but not translated, {} failures",
        start.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn instantiate_and_run_smoke() {
    let n = 3_000 * scale();
    let start = Instant::now();
    let mut stats = RunStats::default();
    let mut failures = Vec::new();
    for i in 0..n {
        let input = rng_for(2, i).bytes(512, 16384);
        match catch_unwind(|| wvm_fuzzing::instantiate_and_run(&input)) {
            Ok(s) => stats.add(&s),
            Err(p) => failures.push(save_panic("run", i, &input, &*p)),
        }
    }
    eprintln!(
        "instantiate_and_run: {n} inputs in {:.1?}: {stats:?}, {} failures",
        start.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(stats.modules >= n * 9 / 10, "too few modules generated");
}

/// Saves the input of target `kind` that panicked as `<kind>-<i>.bin`; returns the failure
/// line.
fn save_panic(kind: &str, i: u64, input: &[u8], panic: &(dyn std::any::Any + Send)) -> String {
    let path = failure_dir().join(format!("{kind}-{i}.bin"));
    let _ = std::fs::write(&path, input);
    format!(
        "input {i}: panic: {}, input saved as {}",
        panic_message(panic),
        path.display()
    )
}

#[test]
fn differential_smoke() {
    let n = 4_000 * scale();
    let start = Instant::now();
    let mut stats = DiffStats::default();
    let mut failures = Vec::new();
    for i in 0..n {
        let input = rng_for(3, i).bytes(512, 16384);
        match catch_unwind(|| wvm_fuzzing::differential(&input)) {
            Ok(Ok(s)) => stats.add(&s),
            Ok(Err(d)) => {
                let path = failure_dir().join(format!("differential-{i}.wasm"));
                let _ = std::fs::write(&path, &d.wasm);
                let _ = std::fs::write(path.with_extension("wat"), d.wat());
                let _ = std::fs::write(path.with_extension("calls"), d.calls_text());
                failures.push(format!(
                    "input {i}: {d}; module saved as {}",
                    path.display()
                ));
            }
            Err(p) => failures.push(save_panic("differential", i, &input, &*p)),
        }
    }
    eprintln!(
        "differential: {n} inputs in {:.1?}: {stats:?}, {} disagreements",
        start.elapsed(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(stats.modules >= n * 9 / 10, "too few modules compared");
}

/// Regression modules that still fail, each with the reason. The test fails when one of
/// them starts passing: then take it off this list.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// What is wrong with a regression module, if anything: it must load; run every export
/// without and with WVM's fuel, where each call that returns without fuel also returns
/// with [`wvm_fuzzing::RUN_FUEL`] (these modules are small); and agree with wasmi, WVM
/// metering fuel or not (calls get zero arguments), without running out of fuel.
fn check_regression(wasm: &[u8]) -> Result<(), String> {
    wvm_fuzzing::decode_compile(wasm);
    let plain = wvm_fuzzing::run_wasm(wasm, None);
    let fueled = wvm_fuzzing::run_wasm(wasm, Some(wvm_fuzzing::RUN_FUEL));
    if fueled.returned != plain.returned {
        return Err(format!(
            "{} calls return without fuel, {} with {} fuel",
            plain.returned,
            fueled.returned,
            wvm_fuzzing::RUN_FUEL
        ));
    }
    for wvm_fuel in [false, true] {
        let args = &mut Unstructured::new(&[]);
        let stats = wvm_fuzzing::differential_wasm(wasm, wvm_fuel, args)
            .map_err(|d| format!("WVM fuel {wvm_fuel}: {d}"))?;
        if stats.inconclusive_fuel > 0 {
            return Err(format!("WVM ran out of {} fuel", wvm_fuzzing::DIFF_FUEL));
        }
    }
    Ok(())
}

/// Every module under `tests/regressions/` (`.wasm` or `.wat`), each a reproduction of a
/// bug the targets found, passes [`check_regression`], or is a [`KNOWN_FAILURES`] entry
/// and still fails it.
#[test]
fn regressions() {
    oracle_bug_still_present();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .map(|e| e.expect("readable directory").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "wat")))
        .collect();
    paths.sort();
    let mut problems = Vec::new();
    let mut known = 0;
    for path in &paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let wasm = wat::parse_file(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = catch_unwind(|| check_regression(&wasm))
            .unwrap_or_else(|p| Err(format!("panic: {}", panic_message(&*p))));
        match (outcome, KNOWN_FAILURES.iter().find(|(k, _)| *k == name)) {
            (Ok(()), None) => {}
            (Err(e), Some((_, reason))) => {
                known += 1;
                eprintln!("regression {name}: known failure ({reason}): {e}");
            }
            (Err(e), None) => problems.push(format!("{name}: {e}")),
            (Ok(()), Some(_)) => {
                problems.push(format!("{name}: passes now; take it off KNOWN_FAILURES"))
            }
        }
    }
    eprintln!(
        "regressions: {} modules, {known} known failures, {} problems",
        paths.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// tests/regressions/oracle/wasmi_if_param_else_drop.wat: a wasmi 2.0.0 bug found beyond CI.
/// Replayed with its argument; it disagrees until wasmi is fixed, then this fails so that
/// the note (and the regression) can move.
fn oracle_bug_still_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/oracle");
    let wasm = wat::parse_file(dir.join("wasmi_if_param_else_drop.wat")).expect("parses");
    let calls = [(
        "e1".to_string(),
        vec![wvm_fuzzing::Value::F64(0x8972_ec34_0f55_6703)],
    )];
    let r = wvm_fuzzing::differential_replay(&wasm, false, &calls);
    assert!(
        r.as_ref()
            .is_err_and(|d| d.detail.contains("-8542505834828699901 vs")),
        "the wasmi bug behind oracle/wasmi_if_param_else_drop.wat is gone: {r:?}"
    );
}
