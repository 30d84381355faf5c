//! `wvm run`'s limits: fuel, timeout, call depth, and the deterministic mode.

use std::time::{Duration, Instant};

use crate::*;

const SPIN: &[u8] = br#"(module (func $spin (export "_start") (loop $l (br $l))))"#;

/// Runs `wvm` and asserts a trap: exit 134 and a first stderr line with each of `needles`.
#[track_caller]
fn assert_limit_trap(args: &[&str], needles: &[&str]) {
    let out = wvm(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(134), "wvm {args:?}: {err}");
    let first = err.lines().next().unwrap_or_default();
    for needle in needles {
        assert!(
            first.contains(needle),
            "wvm {args:?}: first line lacks {needle:?}: {err}"
        );
    }
}

#[test]
fn an_infinite_loop_stops_when_its_fuel_is_used_up() {
    let spin = temp_file("limits", "spin.wat", SPIN);
    assert_limit_trap(
        &["run", "--fuel", "100000", path_str(&spin)],
        &[
            "error: wasm trap: all fuel consumed by WebAssembly",
            "--fuel 100000",
            "raise it with a larger --fuel",
        ],
    );
}

#[test]
fn an_infinite_loop_stops_at_the_timeout() {
    let spin = temp_file("limits", "spin-timeout.wat", SPIN);
    let started = Instant::now();
    assert_limit_trap(
        &["run", "--timeout", "1s", path_str(&spin)],
        &[
            "error: wasm trap: interrupt",
            "--timeout 1s",
            "longer --timeout",
        ],
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(2),
        "stopped after {took:?}"
    );
}

#[test]
fn fuel_used_is_the_same_on_every_run() {
    let mut seen = None;
    for _ in 0..10 {
        let out = wvm(&[
            "run",
            "--fuel",
            "100000000",
            "--print-fuel",
            "--invoke",
            "fib",
            "examples/fib.wat",
            "20",
        ]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(stdout(&out), "6765\n");
        let used = stderr(&out);
        assert!(used.starts_with("fuel used: "), "{used}");
        match &seen {
            None => seen = Some(used),
            Some(first) => assert_eq!(&used, first),
        }
    }
}

#[test]
fn call_depth_limit_names_itself() {
    assert_limit_trap(
        &[
            "run",
            "--max-call-depth",
            "100",
            "--invoke",
            "recurse",
            "examples/recurse.wat",
            "1000",
        ],
        &["call stack exhausted", "--max-call-depth"],
    );
    // Within the limit, the same call works.
    assert_prints(
        &[
            "run",
            "--max-call-depth",
            "2000",
            "--invoke",
            "recurse",
            "examples/recurse.wat",
            "1000",
        ],
        &String::from_utf8(
            wvm(&["run", "--invoke", "recurse", "examples/recurse.wat", "1000"]).stdout,
        )
        .unwrap(),
    );
}

#[test]
fn deterministic_runs_repeat_exactly() {
    let entropy = crate::wasi::c_program("entropy");
    let run = |extra: &[&str]| {
        let mut args = vec!["run"];
        args.extend_from_slice(extra);
        args.push(path_str(&entropy));
        let out = wvm(&args);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let a = run(&["--deterministic"]);
    let b = run(&["--deterministic"]);
    assert_eq!(a, b, "two deterministic runs differ");
    assert!(
        a.contains("realtime 946684800."),
        "time starts at 2000-01-01: {a}"
    );
    assert!(a.contains("slept at least 1 ms: yes"), "{a}");
    // The host's own sources differ from run to run.
    assert_ne!(run(&[]), run(&[]));
}

#[test]
fn bad_limit_values_are_usage_errors() {
    for args in [
        &["run", "--timeout", "soon", "examples/hello.wat"][..],
        &["run", "--max-stack", "lots", "examples/hello.wat"][..],
        &["run", "--print-fuel", "examples/hello.wat"][..],
    ] {
        let out = wvm(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&out).starts_with("error: "),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn max_memory_bounds_declared_and_grown_memory() {
    let big = temp_file(
        "limits",
        "big.wat",
        br#"(module (memory (export "memory") 100) (func (export "_start")))"#,
    );
    assert_error(
        &["run", "--max-memory", "1MiB", path_str(&big)],
        1,
        &[
            "--max-memory 1024KiB",
            "raise it",
            "exceeds the store's memory size limit",
        ],
    );
    let grow = temp_file(
        "limits",
        "grow.wat",
        br#"(module (memory (export "memory") 1)
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    );
    // Up to 16 pages (1 MiB) is within the limit; one page more is refused with -1.
    let grow = path_str(&grow);
    assert_prints(
        &[
            "run",
            "--max-memory",
            "1MiB",
            "--invoke",
            "grow",
            grow,
            "15",
        ],
        "1\n",
    );
    assert_prints(
        &[
            "run",
            "--max-memory",
            "1MiB",
            "--invoke",
            "grow",
            grow,
            "16",
        ],
        "-1\n",
    );
    assert_prints(&["run", "--invoke", "grow", grow, "16"], "1\n");
}
