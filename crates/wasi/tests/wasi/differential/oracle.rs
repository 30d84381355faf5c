//! The reference runtime: wasmtime's Python package (PyPI `wasmtime`, pinned in
//! `tests/oracle/requirements.txt`), installed into a virtual environment under the target
//! directory the first time the test runs, and driven by `tests/oracle/wasmtime_oracle.py`.
//!
//! `WVM_WASMTIME_PYTHON` names a Python that already has the pinned package, to skip the
//! virtual environment.

use std::path::{Path, PathBuf};
use std::process::Command;

/// One run for wasmtime: what [`super::Side`] also gives WVM.
pub struct Plan<'a> {
    pub module: &'a Path,
    pub args: &'a [String],
    pub preopens: &'a [(PathBuf, &'static str, bool)],
    pub stdin: &'a Path,
    pub stdout: &'a Path,
    pub stderr: &'a Path,
    pub invoke: Option<&'a str>,
}

fn oracle_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

/// The version `requirements.txt` pins.
fn pinned_version() -> String {
    let req = std::fs::read_to_string(oracle_dir().join("requirements.txt"))
        .expect("read tests/oracle/requirements.txt");
    req.lines()
        .find_map(|l| l.trim().strip_prefix("wasmtime=="))
        .expect("requirements.txt pins wasmtime==VERSION")
        .to_string()
}

fn installed_version(python: &Path) -> Option<String> {
    let out = Command::new(python)
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('wasmtime'))",
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn run_checked(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({cmd:?}):\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A Python with the pinned `wasmtime` package: `WVM_WASMTIME_PYTHON`, or a virtual
/// environment made (once) under the target directory.
pub fn python() -> PathBuf {
    let want = pinned_version();
    if let Some(p) = std::env::var_os("WVM_WASMTIME_PYTHON") {
        let p = PathBuf::from(p);
        let got = installed_version(&p);
        assert_eq!(
            got.as_deref(),
            Some(want.as_str()),
            "WVM_WASMTIME_PYTHON={} must have wasmtime=={want}",
            p.display()
        );
        return p;
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasmtime-oracle-venv");
    let python = venv.join("bin/python");
    if installed_version(&python).as_deref() == Some(want.as_str()) {
        return python;
    }
    run_checked(
        Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv),
        "creating the wasmtime oracle's virtual environment (needs python3 with venv)",
    );
    run_checked(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(oracle_dir().join("requirements.txt")),
        "installing wasmtime from PyPI into the oracle's virtual environment",
    );
    assert_eq!(
        installed_version(&python).as_deref(),
        Some(want.as_str()),
        "the virtual environment has no wasmtime=={want} after pip install"
    );
    python
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_path(p: &Path) -> String {
    json_str(p.to_str().expect("test paths are UTF-8"))
}

fn plan_json(plans: &[Plan]) -> String {
    let runs: Vec<String> = plans
        .iter()
        .map(|p| {
            let args: Vec<String> = p.args.iter().map(|a| json_str(a)).collect();
            let preopens: Vec<String> = p
                .preopens
                .iter()
                .map(|(host, guest, writable)| {
                    format!("[{}, {}, {writable}]", json_path(host), json_str(guest))
                })
                .collect();
            let env: Vec<String> = ENV
                .iter()
                .map(|(k, v)| format!("[{}, {}]", json_str(k), json_str(v)))
                .collect();
            format!(
                "{{\"module\": {}, \"args\": [{}], \"env\": [{}], \"preopens\": [{}], \
                 \"stdin\": {}, \"stdout\": {}, \"stderr\": {}, \"invoke\": {}}}",
                json_path(p.module),
                args.join(", "),
                env.join(", "),
                preopens.join(", "),
                json_path(p.stdin),
                json_path(p.stdout),
                json_path(p.stderr),
                p.invoke.map_or("null".to_string(), json_str),
            )
        })
        .collect();
    format!("[\n{}\n]\n", runs.join(",\n"))
}

/// The environment every run gets, on both sides.
pub const ENV: [(&str, &str); 2] = [("DIFF_VAR", "value=with=equals"), ("EMPTY", "")];

/// How a wasmtime run ended, as the oracle script reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    Exit(i32),
    Result(i32),
    Trap(String),
}

/// Starts wasmtime on every plan in one process; [`Pending::wait`] collects the endings.
pub struct Pending {
    child: std::process::Child,
    results: PathBuf,
    count: usize,
}

pub fn start(plans: &[Plan], work: &Path) -> Pending {
    let python = python();
    let plan = work.join("plan.json");
    let results = work.join("results.txt");
    std::fs::write(&plan, plan_json(plans)).expect("write the oracle's plan");
    let child = Command::new(python)
        .arg(oracle_dir().join("wasmtime_oracle.py"))
        .arg(&plan)
        .arg(&results)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start the wasmtime oracle");
    Pending {
        child,
        results,
        count: plans.len(),
    }
}

impl Pending {
    pub fn wait(self) -> Vec<Ending> {
        let out = self.child.wait_with_output().expect("wait for the oracle");
        assert!(
            out.status.success(),
            "the wasmtime oracle failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(&self.results).expect("read the oracle's results");
        let endings: Vec<Ending> = text
            .lines()
            .map(|line| {
                let (kind, rest) = line.split_once(' ').unwrap_or((line, ""));
                match kind {
                    "exit" => Ending::Exit(rest.parse().expect("exit code")),
                    "result" => Ending::Result(rest.parse().expect("result")),
                    "trap" => Ending::Trap(rest.to_string()),
                    _ => panic!("unexpected oracle line: {line}"),
                }
            })
            .collect();
        assert_eq!(endings.len(), self.count, "one oracle result per run");
        endings
    }
}
