//! Measurements. Every figure is the median of N repetitions; within one repetition the
//! runtimes run one after the other on the same workload, in an order that rotates from one
//! repetition to the next, so slow drifts of the (shared) machine hit all of them alike.

use crate::runtimes::{Compiled, Engine, Kind};
use anyhow::{Context, Result, anyhow, bail};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The engines of one process, built once.
pub struct Engines {
    map: BTreeMap<Kind, Result<Box<dyn Engine>, String>>,
}

impl Engines {
    /// Builds an engine for each kind (a kind whose engine fails is reported, not fatal).
    pub fn new(kinds: &[Kind]) -> Engines {
        let map = kinds
            .iter()
            .map(|k| (*k, k.engine().map_err(|e| format!("{e:#}"))))
            .collect();
        Engines { map }
    }

    /// The engine of `kind`.
    pub fn get(&self, kind: Kind) -> Result<&dyn Engine> {
        match self.map.get(&kind) {
            Some(Ok(e)) => Ok(e.as_ref()),
            Some(Err(e)) => Err(anyhow!("{e}")),
            None => Err(anyhow!("{} not set up", kind.id())),
        }
    }
}

/// Median of a set of samples, in seconds.
pub fn median(samples: &mut [f64]) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        samples[n / 2]
    } else {
        (samples[n / 2 - 1] + samples[n / 2]) / 2.0
    }
}

/// Geometric mean (of ratios).
pub fn geomean(values: impl IntoIterator<Item = f64>) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for v in values {
        if v.is_finite() && v > 0.0 {
            sum += v.ln();
            n += 1;
        }
    }
    (n > 0).then(|| (sum / n as f64).exp())
}

/// One runtime's outcome on one workload.
#[derive(Debug, Clone)]
pub enum Cell {
    /// Median seconds, spread ((max - min) / min), checksum.
    Time {
        median: f64,
        spread: f64,
        checksum: u32,
    },
    /// It failed (message).
    Failed(String),
}

impl Cell {
    /// The median, if it ran.
    pub fn secs(&self) -> Option<f64> {
        match self {
            Cell::Time { median, .. } => Some(*median),
            Cell::Failed(_) => None,
        }
    }
}

/// Execution times of one workload.
#[derive(Debug, Clone)]
pub struct ExecRow {
    /// Workload name.
    pub name: String,
    /// `c` or `wat`.
    pub group: &'static str,
    /// Per runtime.
    pub cells: BTreeMap<Kind, Cell>,
    /// The checksum most runtimes agreed on, and whether every runtime that ran agreed.
    pub checksum: Option<u32>,
    /// Runtimes whose checksum differed from the majority.
    pub mismatches: Vec<Kind>,
}

fn time_call(compiled: &dyn Compiled) -> Result<(f64, u32)> {
    let mut instance = compiled.instantiate()?;
    let start = Instant::now();
    let v = instance.call_bench()?;
    let t = start.elapsed().as_secs_f64();
    drop(instance);
    Ok((t, v))
}

/// Execution time of `bench` on each runtime (instantiation excluded; a fresh instance per
/// run). One untimed warm-up run per runtime first (it also pays lazy translation).
pub fn execution(
    engines: &Engines,
    kinds: &[Kind],
    workloads: &[crate::workloads::Workload],
    reps: usize,
    mut progress: impl FnMut(&str),
) -> Vec<ExecRow> {
    let mut rows = Vec::new();
    for w in workloads {
        let mut compiled: BTreeMap<Kind, Box<dyn Compiled>> = BTreeMap::new();
        let mut cells: BTreeMap<Kind, Cell> = BTreeMap::new();
        let mut samples: BTreeMap<Kind, Vec<f64>> = BTreeMap::new();
        let mut sums: BTreeMap<Kind, u32> = BTreeMap::new();
        for &k in kinds {
            let warm = engines
                .get(k)
                .and_then(|e| e.compile(&w.wasm))
                .and_then(|c| time_call(c.as_ref()).map(|(_, v)| (c, v)));
            match warm {
                Ok((c, v)) => {
                    compiled.insert(k, c);
                    sums.insert(k, v);
                }
                Err(e) => {
                    cells.insert(k, Cell::Failed(first_line(&format!("{e:#}"))));
                }
            }
        }
        for rep in 0..reps {
            let live: Vec<Kind> = kinds
                .iter()
                .copied()
                .filter(|k| compiled.contains_key(k))
                .collect();
            for i in 0..live.len() {
                let k = live[(i + rep) % live.len()];
                match time_call(compiled[&k].as_ref()) {
                    Ok((t, v)) => {
                        samples.entry(k).or_default().push(t);
                        if v != sums[&k] {
                            cells.insert(
                                k,
                                Cell::Failed(format!("checksum changed between runs: {v}")),
                            );
                        }
                    }
                    Err(e) => {
                        cells.insert(k, Cell::Failed(first_line(&format!("{e:#}"))));
                        compiled.remove(&k);
                    }
                }
            }
        }
        for (k, mut s) in samples {
            if cells.contains_key(&k) {
                continue;
            }
            let min = s.iter().copied().fold(f64::INFINITY, f64::min);
            let max = s.iter().copied().fold(0.0, f64::max);
            let median = median(&mut s);
            cells.insert(
                k,
                Cell::Time {
                    median,
                    spread: (max - min) / min,
                    checksum: sums[&k],
                },
            );
        }
        let (checksum, mismatches) = agree(&cells);
        let row = ExecRow {
            name: w.name.clone(),
            group: w.group,
            cells,
            checksum,
            mismatches,
        };
        progress(&describe_row(&row, kinds));
        rows.push(row);
    }
    rows
}

fn agree(cells: &BTreeMap<Kind, Cell>) -> (Option<u32>, Vec<Kind>) {
    let mut counts: BTreeMap<u32, usize> = BTreeMap::new();
    for c in cells.values() {
        if let Cell::Time { checksum, .. } = c {
            *counts.entry(*checksum).or_default() += 1;
        }
    }
    let Some((&majority, _)) = counts.iter().max_by_key(|(_, n)| **n) else {
        return (None, Vec::new());
    };
    let mismatches = cells
        .iter()
        .filter(|(_, c)| matches!(c, Cell::Time { checksum, .. } if *checksum != majority))
        .map(|(k, _)| *k)
        .collect();
    (Some(majority), mismatches)
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or("").trim();
    if line.len() > 120 {
        format!("{}...", &line[..line.floor_char_boundary(117)])
    } else {
        line.to_string()
    }
}

/// One progress line.
pub fn describe_row(row: &ExecRow, kinds: &[Kind]) -> String {
    let mut s = format!("{:<14}", row.name);
    let base = row.cells.get(&Kind::Wasmi).and_then(Cell::secs);
    for k in kinds {
        match row.cells.get(k) {
            Some(Cell::Time { median, .. }) => {
                let ratio = base
                    .map(|b| format!(" {:.2}x", median / b))
                    .unwrap_or_default();
                s += &format!("  {}: {:.3}s{}", k.id(), median, ratio);
            }
            Some(Cell::Failed(e)) => s += &format!("  {}: FAILED ({e})", k.id()),
            None => {}
        }
    }
    if !row.mismatches.is_empty() {
        s += &format!("  CHECKSUM MISMATCH: {:?}", row.mismatches);
    }
    s
}

/// Start-up of one module on one runtime.
#[derive(Debug, Clone)]
pub struct Startup {
    /// `Module::new` (decode, validate, and whatever compilation the runtime does up front).
    pub compile: f64,
    /// Instantiation into a fresh store.
    pub instantiate: f64,
    /// The first call of `bench` (lazy runtimes translate what it reaches).
    pub first_call: f64,
    /// Its result.
    pub checksum: u32,
}

/// Start-up of a (large) module: compile, instantiate, first call; medians of `reps`.
pub fn startup(
    engines: &Engines,
    kinds: &[Kind],
    wasm: &[u8],
    reps: usize,
) -> BTreeMap<Kind, Result<Startup, String>> {
    let mut samples: BTreeMap<Kind, [Vec<f64>; 3]> = BTreeMap::new();
    let mut out: BTreeMap<Kind, Result<Startup, String>> = BTreeMap::new();
    let mut sums = BTreeMap::new();
    for rep in 0..reps {
        let live: Vec<Kind> = kinds
            .iter()
            .copied()
            .filter(|k| !out.contains_key(k))
            .collect();
        for i in 0..live.len() {
            let k = live[(i + rep) % live.len()];
            let mut run = || -> Result<[f64; 3]> {
                let engine = engines.get(k)?;
                let t0 = Instant::now();
                let compiled = engine.compile(wasm)?;
                let t1 = Instant::now();
                let mut instance = compiled.instantiate()?;
                let t2 = Instant::now();
                let v = instance.call_bench()?;
                let t3 = Instant::now();
                sums.insert(k, v);
                drop(instance);
                drop(compiled);
                Ok([
                    (t1 - t0).as_secs_f64(),
                    (t2 - t1).as_secs_f64(),
                    (t3 - t2).as_secs_f64(),
                ])
            };
            match run() {
                Ok(t) => {
                    let s = samples.entry(k).or_default();
                    for j in 0..3 {
                        s[j].push(t[j]);
                    }
                }
                Err(e) => {
                    out.insert(k, Err(first_line(&format!("{e:#}"))));
                }
            }
        }
    }
    for (k, [mut c, mut i, mut f]) in samples {
        out.entry(k).or_insert_with(|| {
            Ok(Startup {
                compile: median(&mut c),
                instantiate: median(&mut i),
                first_call: median(&mut f),
                checksum: sums[&k],
            })
        });
    }
    out
}

/// Time of one instantiation (fresh store + instance, dropped), per runtime: the median
/// over `reps` batches of `batch` instantiations.
pub fn instantiate_small(
    engines: &Engines,
    kinds: &[Kind],
    wasm: &[u8],
    reps: usize,
    batch: usize,
) -> BTreeMap<Kind, Result<f64, String>> {
    let mut compiled = BTreeMap::new();
    let mut out = BTreeMap::new();
    for &k in kinds {
        match engines.get(k).and_then(|e| e.compile(wasm)) {
            Ok(c) => {
                compiled.insert(k, c);
            }
            Err(e) => {
                out.insert(k, Err(first_line(&format!("{e:#}"))));
            }
        }
    }
    let mut samples: BTreeMap<Kind, Vec<f64>> = BTreeMap::new();
    for rep in 0..reps {
        let live: Vec<Kind> = compiled.keys().copied().collect();
        for i in 0..live.len() {
            let k = live[(i + rep) % live.len()];
            let c = &compiled[&k];
            let start = Instant::now();
            let mut failed = None;
            for _ in 0..batch {
                match c.instantiate() {
                    Ok(inst) => drop(inst),
                    Err(e) => {
                        failed = Some(first_line(&format!("{e:#}")));
                        break;
                    }
                }
            }
            let t = start.elapsed().as_secs_f64() / batch as f64;
            match failed {
                Some(e) => {
                    out.insert(k, Err(e));
                    compiled.remove(&k);
                }
                None => samples.entry(k).or_default().push(t),
            }
        }
    }
    for (k, mut s) in samples {
        out.entry(k).or_insert_with(|| Ok(median(&mut s)));
    }
    out
}

/// Peak resident memory of a child process that compiles, instantiates and runs `bench`
/// of `wasm_file` on `kind` (`None`: a child that only reads the file: the floor of this
/// binary). Kibibytes, from the child's own `VmHWM`.
pub fn peak_rss_kib(
    exe: &Path,
    kind: Option<Kind>,
    wasm_file: &Path,
) -> Result<(u64, Option<u32>)> {
    let out = Command::new(exe)
        .arg("child-peak-rss")
        .arg(kind.map_or("none", Kind::id))
        .arg(wasm_file)
        .output()
        .context("running the child")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "child failed: {}",
            first_line(&String::from_utf8_lossy(&out.stderr))
        );
    }
    let field = |name: &str| {
        text.split_whitespace()
            .find_map(|f| f.strip_prefix(name))
            .map(str::to_string)
    };
    let kib = field("hwm_kib=")
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| anyhow!("child said {text:?}"))?;
    let sum = field("checksum=").and_then(|v| v.parse().ok());
    Ok((kib, sum))
}

/// The child side of [`peak_rss_kib`].
pub fn child_peak_rss(kind: &str, wasm_file: &Path) -> Result<()> {
    let wasm = std::fs::read(wasm_file)?;
    let checksum = match kind {
        "none" => {
            std::hint::black_box(&wasm);
            None
        }
        id => {
            let kind = Kind::from_id(id).ok_or_else(|| anyhow!("unknown runtime {id}"))?;
            Some(crate::runtimes::run_once(kind, &wasm)?)
        }
    };
    let status = std::fs::read_to_string("/proc/self/status")?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .ok_or_else(|| anyhow!("no VmHWM in /proc/self/status"))?;
    match checksum {
        Some(c) => println!("hwm_kib={hwm} checksum={c}"),
        None => println!("hwm_kib={hwm}"),
    }
    Ok(())
}

/// Seconds as a short human string.
pub fn fmt_secs(s: f64) -> String {
    let d = Duration::from_secs_f64(s.max(0.0));
    if s >= 10.0 {
        format!("{:.1} s", s)
    } else if s >= 1.0 {
        format!("{:.2} s", s)
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} µs", d.as_nanos() as f64 / 1e3)
    }
}
