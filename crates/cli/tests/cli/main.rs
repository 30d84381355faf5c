//! End-to-end tests of the `wvm` binary: run it as a user would and check stdout, stderr and
//! the exit code. One test binary; each subcommand family has its own module.

mod run;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

