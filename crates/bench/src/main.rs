//! `wvm-bench`: runs the side-by-side benchmarks and writes docs/benchmarks.md.
//!
//! Design note. The command is a thin driver over the `wvm_bench` library: it builds the
//! workloads, measures (execution, fuel, start-up, instantiation, peak memory, in that order:
//! the cheap and most-wanted figures first), gathers the machine's description and the
//! runtimes' versions (from this crate's Cargo.lock, embedded at build time) and prints or
//! writes the report. Two internal subcommands serve the measurements: `wat2wasm` (the kit's
//! build.sh calls it through a shim, so wabt is not needed) and `child-peak-rss` (one
//! runtime in a fresh process, for peak memory).
//!
//! ```sh
//! cargo run --release --manifest-path crates/bench/Cargo.toml -- --write-docs
//! ```

use anyhow::{Context, Result, bail};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use wvm_bench::measure::{self, Engines};
use wvm_bench::report::{MemoryRow, Report};
use wvm_bench::runtimes::Kind;
use wvm_bench::workloads::{self, Workload};

const USAGE: &str = "\
usage: wvm-bench [OPTIONS]

Runs the workloads on every runtime and prints the report (markdown) to stdout.

options:
  --write-docs         write docs/benchmarks.md and docs/benchmarks.svg instead of printing
  --reps N             timed runs per workload and runtime (default 5; median reported)
  --startup-reps N     runs of the start-up measurement (default 9)
  --full               the kit's full-size C programs (default: the 1/16-size ones)
  --only A,B           only these workloads (names as in the table)
  --runtimes A,B       only these runtimes (wvm, wvm-eager, wvm-fuel, wasmi, wasmtime,
                       pulley, wasm3); wasmi is always added as the baseline
  --fuel               only the WVM fuel-on / fuel-off figure (execution, WVM and wasmi)
  --no-startup         skip start-up, instantiation and memory figures
  --big-funcs N        functions in the generated start-up program (default 6000)
  --kit DIR            the benchmark kit (default: $WVM_BENCH_KIT, else ../shared/bench
                       beside the repository)
  --micro-scale X      multiply the micro-workloads' iteration counts (default 1)
";

struct Options {
    write_docs: bool,
    reps: usize,
    startup_reps: usize,
    full: bool,
    only: Option<Vec<String>>,
    runtimes: Option<Vec<Kind>>,
    fuel_only: bool,
    no_startup: bool,
    big_funcs: usize,
    kit: PathBuf,
    micro_scale: f64,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let mut o = Options {
        write_docs: false,
        reps: 5,
        startup_reps: 9,
        full: false,
        only: None,
        runtimes: None,
        fuel_only: false,
        no_startup: false,
        big_funcs: 6000,
        kit: workloads::default_kit_dir(),
        micro_scale: 1.0,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .with_context(|| format!("{a} needs a value"))
        };
        match a.as_str() {
            "--write-docs" => o.write_docs = true,
            "--reps" => o.reps = value()?.parse()?,
            "--startup-reps" => o.startup_reps = value()?.parse()?,
            "--full" => o.full = true,
            "--only" => o.only = Some(value()?.split(',').map(str::to_string).collect()),
            "--runtimes" => {
                let mut kinds = Vec::new();
                for id in value()?.split(',') {
                    kinds.push(Kind::from_id(id).with_context(|| format!("unknown runtime {id}"))?);
                }
                o.runtimes = Some(kinds);
            }
            "--fuel" => o.fuel_only = true,
            "--no-startup" => o.no_startup = true,
            "--big-funcs" => o.big_funcs = value()?.parse()?,
            "--kit" => o.kit = PathBuf::from(value()?),
            "--micro-scale" => o.micro_scale = value()?.parse()?,
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other}\n\n{USAGE}"),
        }
    }
    if o.reps == 0 || o.startup_reps == 0 {
        bail!("--reps and --startup-reps must be at least 1");
    }
    Ok(o)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("wat2wasm") => workloads::wat2wasm(&args[1..]),
        Some("child-peak-rss") if args.len() == 3 => {
            measure::child_peak_rss(&args[1], Path::new(&args[2]))
        }
        _ => parse_args(&args).and_then(|o| run(&o)),
    };
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn sh(cmd: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(cmd).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn machine() -> Vec<(String, String)> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .and_then(|r| r.split_once(':'))
                .map(|(_, v)| v.trim())
        })
        .unwrap_or("unknown")
        .to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .map(|v| {
                    let kib: f64 = v
                        .trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .unwrap_or(0.0);
                    format!("{:.0} GiB", kib / 1024.0 / 1024.0)
                })
        })
        .unwrap_or_default();
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    vec![
        (
            "CPU".into(),
            format!("{model}, {cores} cores available, {mem} memory"),
        ),
        (
            "OS".into(),
            format!("{os}, Linux {} {}", kernel.trim(), std::env::consts::ARCH),
        ),
        (
            "run".into(),
            format!(
                "{} (load average at start: {}; the machine is shared with other work)",
                sh("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_default(),
                load.join(" ")
            ),
        ),
    ]
}

/// Versions from this crate's Cargo.lock (what was built), plus the tools.
fn versions() -> Vec<(String, String)> {
    let lock = include_str!("../Cargo.lock");
    let version_of = |name: &str| -> String {
        let needle = format!("name = \"{name}\"\nversion = \"");
        lock.find(&needle)
            .map(|i| {
                let rest = &lock[i + needle.len()..];
                rest[..rest.find('"').unwrap_or(0)].to_string()
            })
            .unwrap_or_else(|| "?".into())
    };
    let root = workloads::repo_root();
    let root = root.to_string_lossy();
    let commit = sh("git", &["-C", &root, "rev-parse", "--short", "HEAD"]).unwrap_or("?".into());
    let dirty = sh(
        "git",
        &[
            "-C",
            &root,
            "status",
            "--porcelain",
            "--",
            "crates/environ",
            "crates/bytecode",
            "crates/runtime",
        ],
    )
    .is_some_and(|s| !s.is_empty());
    let mut v = vec![
        (
            "WVM".into(),
            format!(
                "{} (commit {commit}{})",
                version_of("wvm"),
                if dirty {
                    ", with uncommitted changes in the runtime crates"
                } else {
                    ""
                }
            ),
        ),
        (
            "wasmi".into(),
            format!("{} (default features)", version_of("wasmi")),
        ),
    ];
    if cfg!(feature = "wasmtime") {
        v.push((
            "wasmtime".into(),
            format!(
                "{} (Cranelift {}; Pulley {}); the newest release that builds with this rustc \
                 (50.x needs rustc 1.97)",
                version_of("wasmtime"),
                version_of("cranelift-codegen"),
                version_of("pulley-interpreter")
            ),
        ));
    }
    if cfg!(feature = "wasm3") {
        v.push((
            "wasm3".into(),
            format!(
                "crate wasm3 {} over wasm3-sys {} (the C interpreter's sources 0.4.7)",
                version_of("wasm3"),
                version_of("wasm3-sys")
            ),
        ));
    }
    v.push(("rustc".into(), sh("rustc", &["-V"]).unwrap_or("?".into())));
    v.push((
        "C to wasm".into(),
        sh("clang", &["--version"])
            .and_then(|s| s.lines().next().map(str::to_string))
            .unwrap_or("?".into()),
    ));
    v
}

fn run(o: &Options) -> Result<()> {
    let exe = std::env::current_exe()?;
    let mut kinds = o.runtimes.clone().unwrap_or_else(Kind::for_execution);
    if o.fuel_only {
        kinds = vec![Kind::WvmLazy, Kind::WvmFuel, Kind::Wasmi];
    }
    if !kinds.contains(&Kind::Wasmi) {
        kinds.push(Kind::Wasmi);
    }
    kinds.sort();
    let mut report = Report {
        kinds: kinds.clone(),
        ..Report::default()
    };
    report.machine = machine();
    report.versions = versions();

    // Workloads.
    let out = workloads::build_kit(&o.kit, &exe)?;
    let mut all: Vec<Workload> = workloads::c_workloads(&out, !o.full)?;
    all.extend(workloads::simd_workloads(!o.full)?);
    all.extend(workloads::micro_workloads(o.micro_scale)?);
    if let Some(only) = &o.only {
        all.retain(|w| only.contains(&w.name));
    }
    for w in &all {
        report.about.insert(w.name.clone(), w.about.clone());
    }

    // Execution (and fuel).
    let engines = Engines::new(
        &Kind::for_startup()
            .into_iter()
            .chain(kinds.iter().copied())
            .collect::<Vec<_>>(),
    );
    eprintln!(
        "execution: {} workloads x {} runtimes, {} timed runs each",
        all.len(),
        kinds.len(),
        o.reps
    );
    report.exec = measure::execution(&engines, &kinds, &all, o.reps, |line| eprintln!("{line}"));
    for row in &report.exec {
        for (k, c) in &row.cells {
            if let measure::Cell::Failed(e) = c {
                let why = if *k == Kind::Wasm3 && row.name == "bulk-memory" {
                    " (wasm3 0.4.7 predates the bulk-memory operations memory.fill and memory.copy, so \
                     it rejects the function when it compiles it)"
                } else if *k == Kind::Wasm3 && row.name == "simd" {
                    " (wasm3 0.4.7 has no SIMD)"
                } else {
                    ""
                };
                report
                    .notes
                    .push(format!("{} on {}: {e}{why}", k.label(), row.name));
            }
        }
    }
    let (_, fuel) = report.fuel_ratios();
    if let Some(f) = fuel {
        eprintln!("WVM fuel on / off, geomean: {f:.3}x");
    }

    // Checksums against the WASI and native builds.
    for row in report.exec.iter().filter(|r| r.group == "c") {
        let suffix = if o.full { "" } else { ".small" };
        let wasi = std::fs::read(out.join("wasm").join(format!("{}{suffix}.wasm", row.name)))
            .map_err(anyhow::Error::from)
            .and_then(|w| workloads::wasi_checksum_on_wvm(&w));
        let native =
            workloads::native_checksum(&out.join("native").join(format!("{}{suffix}", row.name)));
        let show = |r: &Result<u32>| match r {
            Ok(v) => v.to_string(),
            Err(e) => format!("error ({e:#})"),
        };
        let agree = row.checksum.is_some()
            && wasi.as_ref().ok() == row.checksum.as_ref()
            && native.as_ref().ok() == row.checksum.as_ref()
            && row.mismatches.is_empty();
        report.checks.push(format!(
            "{}: bench() = {} on every runtime{}; WASI build on WVM prints {}; native prints {} — {}",
            row.name,
            row.checksum.map_or("?".into(), |c| c.to_string()),
            if row.mismatches.is_empty() { String::new() } else { format!(" except {:?}", row.mismatches) },
            show(&wasi),
            show(&native),
            if agree { "agree" } else { "DISAGREE" }
        ));
    }
    let micro_ok = report
        .exec
        .iter()
        .filter(|r| r.group == "wat")
        .all(|r| r.mismatches.is_empty());
    report.checks.push(format!(
        "WAT micro-workloads: {}",
        if micro_ok {
            "every runtime that ran them returned the same value"
        } else {
            "MISMATCHES (see table)"
        }
    ));

    report.scope = if o.full {
        "Workloads: the kit's C programs at full size, and the WAT micro-workloads.".into()
    } else {
        "Workloads: the kit's C programs at 1/16 of their full size (`--full` runs them at full \
         size), and WAT micro-workloads of 0.15-0.9 s each on wasmi."
            .into()
    };
    let size = if o.full {
        "full-size"
    } else {
        "1/16-size (`.small`)"
    };
    report.settings = vec![
        format!(
            "C programs: the kit's {size} export variants (`NAME{}.export.wasm`: `clang --target=wasm32-wasi -O2`, \
             no imports, `bench()` returns the checksum), built by the kit's `build.sh`.",
            if o.full { "" } else { ".small" }
        ),
        format!("Execution: 1 untimed warm-up run, then {} timed runs per runtime and workload, interleaved (the runtimes' order rotates every run); median.", o.reps),
        "All runtimes are linked into one binary built with opt-level 3, fat LTO and codegen-units 1; each runs with its default configuration except where the column says otherwise.".into(),
        "Wall-clock time (`std::time::Instant`) on a 2-core machine that other work shares: expect a few percent of noise, more on single cells.".into(),
        "Code layout matters to interpreters: relinking this binary (any change in the bench crate), with the WVM and wasmi sources unchanged, has moved WVM's geomean between 1.86x and 2.19x over three builds, and wasmi's time on `globals` between 92 and 296 ms. Read differences under ~15 % between runs of two different builds as noise; compare runtimes within one run.".into(),
    ];

    if !o.fuel_only && !o.no_startup {
        let startup_kinds: Vec<Kind> = Kind::for_startup()
            .into_iter()
            .filter(|k| {
                o.runtimes
                    .as_ref()
                    .is_none_or(|r| r.contains(k) || matches!(k, Kind::Wasmi | Kind::WasmiEager))
            })
            .collect();
        // Start-up of the large generated module.
        match workloads::big_module(o.big_funcs) {
            Ok((path, wasm)) => {
                eprintln!(
                    "start-up: {} ({} bytes), {} runs",
                    path.display(),
                    wasm.len(),
                    o.startup_reps
                );
                let figures = measure::startup(&engines, &startup_kinds, &wasm, o.startup_reps);
                for (k, r) in &figures {
                    match r {
                        Ok(f) => eprintln!(
                            "  {:<12} compile {}  instantiate {}  first call {}",
                            k.id(),
                            measure::fmt_secs(f.compile),
                            measure::fmt_secs(f.instantiate),
                            measure::fmt_secs(f.first_call)
                        ),
                        Err(e) => report.notes.push(format!("start-up on {}: {e}", k.label())),
                    }
                }
                let sums: Vec<u32> = figures
                    .values()
                    .filter_map(|r| r.as_ref().ok())
                    .map(|f| f.checksum)
                    .collect();
                if sums.windows(2).any(|w| w[0] != w[1]) {
                    report
                        .notes
                        .push("start-up module: the runtimes' checksums differ".into());
                }
                report.startup = Some((
                    format!(
                        "The module: C generated by wvm-bench ({} functions of branchy integer and \
                         float code, all reachable through one function table; `bench` calls every \
                         eighth), compiled with clang -O2: **{:.2} MB**, medians of {} runs.",
                        o.big_funcs,
                        wasm.len() as f64 / 1e6,
                        o.startup_reps
                    ),
                    figures,
                ));
                // Peak memory.
                let modules = [
                    (
                        "nop.wasm (one function)".to_string(),
                        out.join("wasm/nop.wasm"),
                    ),
                    (
                        "cmark.small.export.wasm (C program)".to_string(),
                        out.join("wasm/cmark.small.export.wasm"),
                    ),
                    (
                        format!("generated big module ({:.1} MB)", wasm.len() as f64 / 1e6),
                        path.clone(),
                    ),
                ];
                for (what, file) in modules {
                    let floor = match measure::peak_rss_kib(&exe, None, &file) {
                        Ok((floor, _)) => floor,
                        Err(e) => {
                            report.notes.push(format!("peak memory ({what}): {e:#}"));
                            continue;
                        }
                    };
                    let mut peak = BTreeMap::new();
                    for k in &startup_kinds {
                        let r = measure::peak_rss_kib(&exe, Some(*k), &file)
                            .map(|(kib, _)| kib)
                            .map_err(|e| format!("{e:#}"));
                        if let Err(e) = &r {
                            report
                                .notes
                                .push(format!("peak memory on {} ({what}): {e}", k.label()));
                        }
                        peak.insert(*k, r);
                    }
                    eprintln!("memory: {what}: floor {floor} KiB, {peak:?}");
                    report.memory.push(MemoryRow { what, floor, peak });
                }
            }
            Err(e) => report
                .notes
                .push(format!("start-up module could not be built: {e:#}")),
        }
        // Instantiation of small modules.
        for (what, file) in [
            (
                "nop.wasm (one function, nothing else)",
                out.join("wasm/nop.wasm"),
            ),
            (
                "cmark.small.export.wasm (C: memory, data, table, globals)",
                out.join("wasm/cmark.small.export.wasm"),
            ),
        ] {
            let wasm =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let figures = measure::instantiate_small(
                &engines,
                &startup_kinds,
                &wasm,
                o.startup_reps.max(5),
                200,
            );
            eprintln!("instantiate {what}: {figures:?}");
            report
                .instantiate
                .push((format!("{what}, {} bytes", wasm.len()), figures));
        }
        report.settings.push(format!(
            "Start-up: {} runs of compile + instantiate + first call per runtime, interleaved; instantiation: {} batches of 200. WVM validates function bodies on every core: on this shared 2-core machine its compile takes 6-8 ms when the second core is free and up to 11 ms when it is not (about 11 ms on one thread), so single runs are bimodal; the median of {} runs is what the table shows.",
            o.startup_reps,
            o.startup_reps.max(5),
            o.startup_reps
        ));
    }
    if !cfg!(feature = "wasmtime") {
        report
            .notes
            .push("wasmtime: not in this build (`--no-default-features`).".into());
    }
    if !cfg!(feature = "wasm3") {
        report.notes.push("wasm3: not in this build.".into());
    }

    let mut command = "cargo run --release --manifest-path crates/bench/Cargo.toml --".to_string();
    let given: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--write-docs")
        .collect();
    command += " --write-docs";
    for a in given {
        command += &format!(" {a}");
    }
    let md = report.markdown(&command);
    if o.write_docs {
        let docs = workloads::repo_root().join("docs");
        std::fs::write(docs.join("benchmarks.md"), &md)?;
        std::fs::write(docs.join("benchmarks.svg"), report.svg())?;
        eprintln!(
            "wrote {} and benchmarks.svg",
            docs.join("benchmarks.md").display()
        );
    } else {
        print!("{md}");
    }
    Ok(())
}
