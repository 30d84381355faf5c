//! `wvm run --invoke` and the errors around loading, linking and calling a module.

use crate::*;

#[test]
fn add_prints_the_sum() {
    assert_prints(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "11",
            "33",
        ],
        "44\n",
    );
}

#[test]
fn integer_arguments_accept_negative_and_hex() {
    assert_prints(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "-5",
            "0x10",
        ],
        "11\n",
    );
    assert_prints(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "-7",
            "2",
        ],
        "-5\n",
    );
    assert_prints(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "2147483647",
            "1",
        ],
        "-2147483648\n",
    );
}

#[test]
fn i64_f32_f64_arguments() {
    assert_prints(
        &["run", "--invoke", "fib", "examples/fib.wat", "20"],
        "6765\n",
    );
    assert_prints(
        &["run", "--invoke", "hypot", "examples/floats.wat", "3", "4"],
        "5\n",
    );
    assert_prints(
        &["run", "--invoke", "half", "examples/floats.wat", "3"],
        "1.5\n",
    );
    assert_prints(
        &["run", "--invoke", "half", "examples/floats.wat", "-3.0"],
        "-1.5\n",
    );
    assert_prints(
        &["run", "--invoke", "half", "examples/floats.wat", "-0"],
        "-0\n",
    );
    assert_prints(
        &["run", "--invoke", "half", "examples/floats.wat", "inf"],
        "inf\n",
    );
    assert_prints(
        &["run", "--invoke", "half", "examples/floats.wat", "nan"],
        "NaN\n",
    );
}

#[test]
fn divide_by_zero_traps() {
    assert_prints(
        &["run", "--invoke", "div", "examples/div.wat", "7", "2"],
        "3\n",
    );
    // The trap, then the one frame: the exported function (no name section: `<func 0>`).
    let trace = assert_trap(
        &["run", "--invoke", "div", "examples/div.wat", "1", "0"],
        "integer divide by zero",
        &["<func 0> at offset 0x"],
    );
    assert_eq!(trace.len(), 1, "{trace:?}");
}

#[test]
fn deep_recursion_traps_cleanly() {
    assert_prints(
        &["run", "--invoke", "recurse", "examples/recurse.wat", "1000"],
        "1000\n",
    );
    let trace = assert_trap(
        &[
            "run",
            "--invoke",
            "recurse",
            "examples/recurse.wat",
            "1000000",
        ],
        "call stack exhausted (the limits --max-call-depth 100000 and --max-stack 32768KiB \
         bound the call stack; raise them if the program needs deeper calls)",
        &["recurse (func 0) at offset 0x"],
    );
    // Thousands of frames: the middle is elided so the report stays readable.
    assert!(trace.len() < 100, "{} lines", trace.len());
    assert!(
        trace.iter().any(|l| l.contains("frames omitted")),
        "{trace:?}"
    );
}

#[test]
fn malformed_binary_reports_an_offset() {
    // A valid header, then a section whose length runs past the end of the file.
    let path = temp_file(
        "malformed",
        "bad.wasm",
        b"\0asm\x01\0\0\0\x01\xff\xff\xff\x0f\x60\x00\xde\xad\xbe\xef",
    );
    let err = assert_error(&["run", path_str(&path)], 1, &["bad.wasm"]);
    assert!(err.contains("offset") || err.contains("0x"), "{err}");
}

#[test]
fn random_bytes_are_an_error() {
    let path = temp_file(
        "random",
        "random.wasm",
        &[0x13, 0x37, 0xff, 0x00, 0xc3, 0x28, 0x9a],
    );
    assert_error(&["run", path_str(&path)], 1, &["random.wasm", "offset"]);
}

#[test]
fn invalid_module_reports_an_offset() {
    // (module (func (result i32) i64.const 0)): well-formed, but fails validation.
    let bytes = [
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> (i32)
        0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
        0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b, // code: i64.const 0; end
    ];
    let path = temp_file("invalid", "invalid.wasm", &bytes);
    let err = assert_error(
        &["run", path_str(&path)],
        1,
        &["invalid.wasm", "type mismatch"],
    );
    assert!(err.contains("offset") || err.contains("0x"), "{err}");
    assert_eq!(
        err.matches("type mismatch").count(),
        1,
        "cause repeated: {err}"
    );
}

#[test]
fn text_syntax_error_names_the_file_and_position() {
    let path = temp_file("syntax", "syntax.wat", b"(module (func i32.const))");
    let out = wvm(&["run", path_str(&path)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: failed to load `") && err.contains("syntax.wat"),
        "{err}"
    );
    // The text parser's snippet points at the column.
    assert!(err.contains(":1:"), "{err}");
}

#[test]
fn missing_file_is_an_error() {
    assert_error(
        &["run", "examples/does-not-exist.wasm"],
        1,
        &["does-not-exist.wasm"],
    );
}

#[test]
fn wrong_argument_count_is_an_error() {
    assert_error(
        &["run", "--invoke", "calculate", "examples/add.wat", "1"],
        1,
        &["calculate", "2 argument", "1 were given"],
    );
    assert_error(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "1",
            "2",
            "3",
        ],
        1,
        &["calculate", "2 argument"],
    );
}

#[test]
fn bad_argument_value_names_the_parameter_and_type() {
    assert_error(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "1",
            "two",
        ],
        1,
        &["argument 2", "i32", "`two`"],
    );
    assert_error(
        &[
            "run",
            "--invoke",
            "calculate",
            "examples/add.wat",
            "4294967296",
            "0",
        ],
        1,
        &["argument 1", "i32"],
    );
    assert_error(
        &["run", "--invoke", "half", "examples/floats.wat", "1.5.5"],
        1,
        &["argument 1", "f32"],
    );
}

#[test]
fn unknown_export_lists_the_exported_functions() {
    assert_error(
        &["run", "--invoke", "nope", "examples/floats.wat"],
        1,
        &["nope", "hypot", "half"],
    );
}

#[test]
fn missing_import_is_named() {
    let path = temp_file(
        "import",
        "import.wat",
        br#"(module (import "env" "log" (func (param i32))) (func (export "f")))"#,
    );
    assert_error(&["run", path_str(&path)], 1, &["env", "log"]);
}

#[test]
fn runs_start_export_and_start_function() {
    // No `_start`: instantiating runs the start function, whose trap is reported.
    let path = temp_file(
        "start",
        "start.wat",
        b"(module (func $s unreachable) (start $s))",
    );
    assert_trap(&["run", path_str(&path)], "unreachable", &["0: s (func 0)"]);

    // `_start` is called when present.
    let path = temp_file(
        "start",
        "underscore-start.wat",
        br#"(module (func (export "_start") unreachable))"#,
    );
    assert_trap(&["run", path_str(&path)], "unreachable", &["0: <func 0>"]);

    // Neither: instantiate, print nothing, succeed (the guest arguments become its WASI argv).
    assert_prints(&["run", "examples/add.wat", "ignored", "-x"], "");
}

#[test]
fn multiple_results_print_one_per_line() {
    let path = temp_file(
        "multi",
        "multi.wat",
        br#"(module (func (export "f") (result i32 i64 f64 funcref externref)
              i32.const -1 i64.const 42 f64.const 0.25 ref.null func ref.null extern))"#,
    );
    assert_prints(
        &["run", "--invoke", "f", path_str(&path)],
        "-1\n42\n0.25\nref.null\nref.null\n",
    );
}

#[test]
fn everything_after_file_belongs_to_the_guest() {
    // `--invoke` after FILE is a guest argument, not ours: without our --invoke, add.wat is
    // just instantiated.
    assert_prints(&["run", "examples/add.wat", "--invoke", "calculate"], "");
    // A usage error (unknown option before FILE) exits 1, not 2.
    let out = wvm(&["run", "--no-such-option", "examples/add.wat"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn version_and_help() {
    let out = wvm(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("wvm "), "{}", stdout(&out));

    let out = wvm(&["run", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    assert!(
        help.contains("--invoke calculate examples/add.wat 11 33"),
        "{help}"
    );
    assert!(help.contains("Exit codes"), "{help}");
}

#[test]
fn disable_turns_a_webassembly_3_feature_off() {
    let wat = b"(module (memory 1) (memory $m i64 1)
      (type $t (func (param i32) (result i32)))
      (func $id (type $t) (local.get 0))
      (elem declare func $id)
      (tag $e (param i32))
      (func (export \"main\") (param i32) (result i32)
        (i64.store $m (i64.const 8) (i64.extend_i32_u (local.get 0)))
        (block $h (result i32)
          (try_table (catch $e $h) (throw $e (i32.wrap_i64 (i64.load $m (i64.const 8)))))
          (unreachable))
        (return_call $id (call_ref $t (ref.func $id)))))";
    let file = temp_file("disable_feature", "m.wat", wat);
    let path = path_str(&file);
    assert_prints(&["run", "--invoke", "main", path, "7"], "7\n");
    for (feature, needle) in [
        ("tail-call", "tail calls"),
        ("multi-memory", "multiple memories"),
        ("memory64", "memory64"),
        ("function-references", "function references"),
        ("exceptions", "exceptions"),
    ] {
        let args = ["run", "--disable", feature, "--invoke", "main", path, "7"];
        assert_error(&args, 1, &[needle]);
    }
    // A usage error: clap's message, which names the features there are, and exit code 1.
    let out = wvm(&["run", "--disable", "tail-calls", path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.starts_with("error: invalid value 'tail-calls'"),
        "{err}"
    );
    assert!(
        err.contains("tail-call, extended-const, multi-memory"),
        "{err}"
    );
}
