//! `wvm run` with WASI: the examples, a C program compiled here with clang and wasi-libc,
//! and the capabilities the command line grants (or not).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use crate::*;

/// Compiles `crates/wasi/tests/programs/<name>.c` to wasm32-wasi, once per test run (tests
/// run in parallel: one compiler run per program, the others wait for it). `-O0`: with
/// optimization, clang runs binaryen's `wasm-opt` when it is installed, which strips the name
/// section the backtrace and `inspect` tests look at.
pub fn c_program(name: &str) -> PathBuf {
    static COMPILED: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut compiled = COMPILED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(path) = compiled.get(name) {
        return path.clone();
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-c-programs");
    fs::create_dir_all(&dir).unwrap();
    let src = repo_root().join(format!("crates/wasi/tests/programs/{name}.c"));
    let out = dir.join(format!("{name}.wasm"));
    clang_wasi(&src, &out, &["-O0"]);
    compiled.insert(name.to_string(), out.clone());
    out
}

/// Compiles C file `src` to the wasm32-wasi module `out` with wasi-libc (`-Wall -Werror`,
/// plus `flags`), failing the test if clang is missing or fails.
pub fn clang_wasi(src: &std::path::Path, out: &std::path::Path, flags: &[&str]) {
    let status = Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-Wall", "-Werror"])
        .args(flags)
        .arg("-o")
        .arg(out)
        .arg(src)
        .status()
        .expect(
            "clang not found: install clang lld wasi-libc libclang-rt-14-dev-wasm32 \
             (.ci/run does)",
        );
    assert!(status.success(), "clang failed on {}", src.display());
}

/// A fresh directory for one test.
fn temp_dir(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("cli-wasi")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `wvm` in `cwd` with `stdin`.
fn wvm_in(cwd: &std::path::Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wvm"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("failed to start the wvm binary");
    // Feed stdin from another thread: the guest may fill the stdout pipe before it has read
    // all of its input.
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    out
}

#[test]
fn hello_imports_wasi_unstable_fd_write() {
    assert_prints(&["run", "examples/hello.wat"], "hello\n");
    // The shortcut form.
    assert_prints(&["examples/hello.wat"], "hello\n");
}

#[test]
fn c_copy_program_needs_the_directory_granted() {
    let copy = c_program("copy");
    let dir = temp_dir("copy");
    fs::write(dir.join("in.txt"), b"line one\nline two\n").unwrap();
    let copy = path_str(&copy);

    let out = wvm_in(
        &dir,
        &[
            "run",
            "--dir",
            ".::/data",
            copy,
            "/data/in.txt",
            "/data/out.txt",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(
        fs::read(dir.join("out.txt")).unwrap(),
        b"line one\nline two\n"
    );

    // Without --dir the guest has no capability to open anything: it fails, exits non-zero,
    // and creates nothing.
    fs::remove_file(dir.join("out.txt")).unwrap();
    let out = wvm_in(&dir, &["run", copy, "/data/in.txt", "/data/out.txt"], b"");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("Capabilities insufficient"),
        "stderr: {}",
        stderr(&out)
    );
    assert!(!dir.join("out.txt").exists());

    // A read-only grant lets it read but not write.
    let out = wvm_in(
        &dir,
        &[
            "run",
            "--dir-ro",
            ".::/data",
            copy,
            "/data/in.txt",
            "/data/out.txt",
        ],
        b"",
    );
    assert_ne!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("/data/out.txt: Operation not permitted"),
        "stderr: {}",
        stderr(&out)
    );
    assert!(!dir.join("out.txt").exists());
}

#[test]
fn arguments_environment_and_exit_code_reach_the_guest() {
    let path = temp_file(
        "args",
        "args.wat",
        br#"(module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $esizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $env (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          ;; Prints the argv buffer, then the environ buffer (NULs and all), then exits with argc.
          (func $print (param $ptr i32) (param $len i32)
            (i32.store (i32.const 0) (local.get $ptr))
            (i32.store (i32.const 4) (local.get $len))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
          (func (export "_start")
            (drop (call $sizes (i32.const 16) (i32.const 20)))
            (drop (call $args (i32.const 100) (i32.const 1000)))
            (call $print (i32.const 1000) (i32.load (i32.const 20)))
            (drop (call $esizes (i32.const 24) (i32.const 28)))
            (drop (call $env (i32.const 200) (i32.const 2000)))
            (call $print (i32.const 2000) (i32.load (i32.const 28)))
            (call $exit (i32.load (i32.const 16)))))"#,
    );
    let out = Command::new(env!("CARGO_BIN_EXE_wvm"))
        .args([
            "run",
            "--argv0",
            "prog",
            "--env",
            "A=1",
            "--env",
            "WVM_TEST_PASS",
        ])
        .arg(&path)
        .args(["x", "--y"])
        .env("WVM_TEST_PASS", "through")
        .env("WVM_TEST_NOT_PASSED", "secret")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "stderr: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "prog\0x\0--y\0A=1\0WVM_TEST_PASS=through\0",
        "only the variables passed with --env reach the guest"
    );
}

#[test]
fn exit_codes_pass_through_and_traps_are_distinct() {
    let exit = c_program("exit");
    let exit = path_str(&exit);
    for code in ["0", "7", "125"] {
        let out = wvm(&["run", exit, code]);
        assert_eq!(out.status.code(), Some(code.parse().unwrap()), "{code}");
        assert_eq!(stdout(&out), format!("exiting with {code}\n"));
    }
    // Returning from main is an exit too.
    assert_eq!(wvm(&["run", exit, "9", "return"]).status.code(), Some(9));
    // A status a process can't carry is WVM's error, not the guest's code.
    let out = wvm(&["run", exit, "200"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: the guest exited with status 200, outside 0..125"),
        "stderr: {}",
        stderr(&out)
    );
}

#[test]
fn stdin_goes_to_stdout() {
    let cat = c_program("cat");
    let input: Vec<u8> = (0..50_000u32).flat_map(|i| i.to_le_bytes()).collect();
    let out = wvm_in(&repo_root(), &["run", path_str(&cat)], &input);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert!(out.stdout == input, "cat changed its input");
}

#[test]
fn preload_links_another_module_by_name() {
    let lib = temp_file(
        "preload",
        "lib.wat",
        br#"(module (func (export "twice") (param i32) (result i32)
              (i32.mul (local.get 0) (i32.const 2))))"#,
    );
    let main = temp_file(
        "preload",
        "main.wat",
        br#"(module (import "math" "twice" (func $twice (param i32) (result i32)))
              (func (export "quad") (param i32) (result i32)
                (call $twice (call $twice (local.get 0)))))"#,
    );
    let preload = format!("math={}", path_str(&lib));
    assert_prints(
        &[
            "run",
            "--preload",
            &preload,
            "--invoke",
            "quad",
            path_str(&main),
            "5",
        ],
        "20\n",
    );
    // Without it, the error names the missing import and lists what the module imports.
    assert_error(
        &["run", "--invoke", "quad", path_str(&main), "5"],
        1,
        &[
            "math::twice",
            "nothing provides",
            "--preload",
            "the module imports: math::twice",
        ],
    );
}

#[test]
fn bad_grants_are_one_line_errors() {
    assert_error(
        &["run", "--dir", "/no/such/dir::/x", "examples/hello.wat"],
        1,
        &["cannot open directory `/no/such/dir`"],
    );
    assert_error(
        &[
            "run",
            "--env",
            "WVM_SURELY_UNSET_VARIABLE",
            "examples/hello.wat",
        ],
        1,
        &[
            "--env WVM_SURELY_UNSET_VARIABLE",
            "--env WVM_SURELY_UNSET_VARIABLE=VALUE",
        ],
    );
    assert_error(
        &["run", "--preload", "nonsense", "examples/hello.wat"],
        1,
        &["--preload expects NAME=FILE"],
    );
    assert_error(
        &["run", "--preload", "lib=README.md", "examples/hello.wat"],
        1,
        &["--preload lib", "`README.md` is not a WebAssembly module"],
    );
    assert_error(
        &["README.md"],
        1,
        &["`README.md` is not a WebAssembly module"],
    );
}

#[test]
fn validate_and_inspect_work_on_c_programs() {
    let copy = c_program("copy");
    let copy = path_str(&copy);
    assert_prints(&["validate", copy], &format!("{copy}: ok\n"));
    let out = wvm(&["inspect", copy]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    for needle in [
        "\"wasi_snapshot_preview1\" \"path_open\": func",
        "\"wasi_snapshot_preview1\" \"proc_exit\": func",
        "\"_start\": func",
        "\"memory\": memory 0",
        "\"producers\"",
        "\"name\"",
    ] {
        assert!(text.contains(needle), "inspect lacks {needle:?}:\n{text}");
    }
}

#[test]
fn a_trapping_c_program_exits_134_with_a_named_backtrace() {
    let dir = temp_dir("trap");
    let src = dir.join("crash.c");
    fs::write(
        &src,
        "#include <stdio.h>\n\
         __attribute__((noinline)) static int crash(int *p) { __builtin_trap(); return *p; }\n\
         int main(void) { puts(\"before\"); fflush(stdout); return crash(0); }\n",
    )
    .unwrap();
    let wasm = dir.join("crash.wasm");
    let status = Command::new("clang")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O0", "-o"])
        .arg(&wasm)
        .arg(&src)
        .status()
        .unwrap();
    assert!(status.success());
    let out = wvm(&["run", path_str(&wasm)]);
    assert_eq!(out.status.code(), Some(134), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "before\n");
    let err = stderr(&out);
    let mut lines = err.lines();
    assert_eq!(lines.next(), Some("error: wasm trap: unreachable"));
    assert_eq!(lines.next(), Some("wasm backtrace:"));
    let frames: Vec<&str> = lines.collect();
    assert!(
        frames
            .first()
            .is_some_and(|f| f.contains("crash") && f.contains("at offset 0x")),
        "the innermost frame names `crash` with its offset: {err}"
    );
    assert!(frames.iter().any(|f| f.contains("main")), "{err}");
    assert!(frames.iter().any(|f| f.contains("_start")), "{err}");
}

#[test]
fn poll_waits_for_stdin_and_times_out() {
    let prog = c_program("poll_stdin");
    let mut child = Command::new(env!("CARGO_BIN_EXE_wvm"))
        .args(["run", path_str(&prog)])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Nothing to read for a while: the first poll must time out, not report stdin ready.
    std::thread::sleep(std::time::Duration::from_millis(700));
    stdin.write_all(b"hi").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), "first poll: 0\nsecond poll: 1\nread 2\n");
}
