//! End-to-end tests of the `wvm` binary: run it as a user would and check stdout, stderr and
//! the exit code. One test binary; each subcommand family has its own module.

mod limits;
mod run;
mod simd;
mod tools;
mod wasi;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `wvm` with `args` from the repository root.
pub fn wvm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wvm"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("failed to start the wvm binary")
}

/// Runs `wvm` with `args` from the repository root, with `input` on its standard input.
pub fn wvm_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wvm"))
        .args(args)
        .current_dir(repo_root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("failed to start the wvm binary");
    // Feed stdin from another thread, so that a large output cannot block the child.
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // The child may stop reading early (an error): a broken pipe here is its business.
    let feeder = std::thread::spawn(move || drop(stdin.write_all(&input)));
    let out = child.wait_with_output().expect("failed to wait for wvm");
    feeder.join().expect("stdin feeder panicked");
    out
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a successful run that printed exactly `expected`.
#[track_caller]
pub fn assert_prints(args: &[&str], expected: &str) {
    let out = wvm(args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "wvm {args:?} failed; stderr: {}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), expected, "wvm {args:?}");
}

/// Asserts a run that failed with exit code `code` and a single `error: ...` line on stderr
/// that contains each of `needles`; returns that line.
#[track_caller]
pub fn assert_error(args: &[&str], code: i32, needles: &[&str]) -> String {
    let out = wvm(args);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "wvm {args:?}: expected exit code {code} (and no signal); stderr: {err}"
    );
    assert_eq!(stdout(&out), "", "wvm {args:?} printed to stdout");
    assert!(
        err.starts_with("error: ") && err.ends_with('\n') && err.lines().count() == 1,
        "wvm {args:?}: expected one `error: ...` line on stderr, got: {err:?}"
    );
    for needle in needles {
        assert!(
            err.contains(needle),
            "wvm {args:?}: stderr lacks {needle:?}: {err}"
        );
    }
    err
}

/// Asserts a run that trapped: exit code 134, nothing on stdout, and on stderr the line
/// `error: wasm trap: <message>`, then `wasm backtrace:` and one `  N: <frame>` line per frame
/// (innermost first, numbered from 0; a long trace elides its middle in one `  ... ` line).
/// Each of `frames` must appear in the backtrace; returns the frame lines.
#[track_caller]
pub fn assert_trap(args: &[&str], message: &str, frames: &[&str]) -> Vec<String> {
    let out = wvm(args);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(134),
        "wvm {args:?}: expected exit code 134 (a trap); stderr: {err}"
    );
    assert_eq!(stdout(&out), "", "wvm {args:?} printed to stdout");
    let mut lines = err.lines();
    assert_eq!(
        lines.next(),
        Some(format!("error: wasm trap: {message}").as_str()),
        "wvm {args:?}: {err}"
    );
    assert_eq!(lines.next(), Some("wasm backtrace:"), "wvm {args:?}: {err}");
    let trace: Vec<String> = lines.map(str::to_string).collect();
    assert!(!trace.is_empty(), "wvm {args:?}: empty backtrace: {err}");
    let mut expected_index = 0;
    for line in &trace {
        if line.starts_with("  ... ") {
            continue;
        }
        let (index, frame) = line
            .trim_start()
            .split_once(": ")
            .unwrap_or_else(|| panic!("wvm {args:?}: not a frame line: {line:?}"));
        let index: usize = index
            .parse()
            .unwrap_or_else(|_| panic!("wvm {args:?}: not a frame line: {line:?}"));
        assert!(
            index >= expected_index,
            "wvm {args:?}: frames out of order: {err}"
        );
        assert!(!frame.is_empty(), "wvm {args:?}: empty frame: {line:?}");
        expected_index = index + 1;
    }
    assert!(trace[0].starts_with("  0: "), "wvm {args:?}: {err}");
    for needle in frames {
        assert!(
            trace.iter().any(|line| line.contains(needle)),
            "wvm {args:?}: backtrace lacks {needle:?}: {err}"
        );
    }
    trace
}

/// A file with `contents` in a fresh directory under the system temp dir, unique per test.
pub fn temp_file(test: &str, name: &str, contents: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("wvm-cli-test-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write temp file");
    path
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp path is UTF-8")
}
