//! The `wvm` command.
//!
//! A thin shell over the embedding API of the `wvm` crate: every subcommand lives in its own
//! file under `commands/`, parses its options with clap and does its work through the same
//! public API an embedder uses (no private hooks into the runtime). The tool subcommands
//! (`wat2wasm`, `wasm2wat`, `validate`, `inspect`, `wast`) use the crates of the field
//! (`wat`, `wasmprinter`, wasmparser) and `wvm-wast` directly. As with wasmtime, `wvm FILE ...`
//! and `wvm --invoke NAME FILE ...` are short for `wvm run ...`.
//!
//! Library errors are typed; this binary is the edge where they get context (which file, which
//! export) with anyhow and turn into one `error: ...` line on stderr and an exit code, the same
//! as wasmtime's:
//!
//! - `0..=125`: the guest's own exit code (WASI `proc_exit`), `0` for plain success;
//! - `1`: any error that is not a trap (bad command line, unreadable, malformed or invalid
//!   module, missing import, bad arguments for `--invoke`, ...), or a tool command's negative
//!   answer (`validate` found an invalid module, `wast` a failed directive);
//! - `134` (128 + SIGABRT): the guest trapped (`error: wasm trap: <message>`, with the spec
//!   testsuite's wording), followed by the Wasm backtrace, one frame per line.
//!
//! Errors are one line, except that a `.wat` syntax error keeps the text parser's source
//! snippet (the lines after the first point at the offending column) and that a trap is
//! followed by its backtrace.
//!
//! What does not live here: WASI (its own crate), resource limits (fuel, memory, time) and any
//! execution logic.

mod commands;
mod units;
mod values;

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

/// Exit code for every error that is not a trap, including command-line usage errors.
const EXIT_ERROR: u8 = 1;
/// Exit code when the guest traps: 128 + SIGABRT, as wasmtime (a shell shows it like an abort).
const EXIT_TRAP: u8 = 134;

/// A backtrace longer than `BACKTRACE_HEAD + BACKTRACE_TAIL` frames prints only its innermost
/// `BACKTRACE_HEAD` and outermost `BACKTRACE_TAIL` frames.
const BACKTRACE_HEAD: usize = 40;
const BACKTRACE_TAIL: usize = 10;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0..125  guest's exit code (WASI proc_exit); 0 is success
  1       error (bad command line, unreadable/malformed/invalid module, missing import, bad
          arguments; `validate`: an invalid module; `wast`: a failed directive)
  134     the WebAssembly code trapped (error: wasm trap: <message>, then the backtrace)";

const LONG_ABOUT: &str = "\
WVM: a sandboxed WebAssembly virtual machine.

`wvm FILE [ARGS]...` is short for `wvm run FILE [ARGS]...`, also with run's options before
FILE: `wvm --invoke calculate examples/add.wat 11 33` prints 44.";

/// WVM: a sandboxed WebAssembly virtual machine.
#[derive(Parser)]
#[command(
    name = "wvm",
    version,
    about,
    long_about = LONG_ABOUT,
    override_usage = "wvm <COMMAND> ...\n       wvm [RUN OPTIONS] <FILE> [ARGS]...",
    after_help = EXIT_CODES_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module (.wasm or .wat)
    Run(Box<commands::run::RunCommand>),
    Wat2wasm(commands::wat2wasm::Wat2WasmCommand),
    Wasm2wat(commands::wasm2wat::Wasm2WatCommand),
    Validate(commands::validate::ValidateCommand),
    Inspect(commands::inspect::InspectCommand),
    Wast(commands::wast::WastCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse_from(implicit_run(std::env::args_os().collect())) {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout and succeed; usage errors keep clap's
            // formatting but exit 1, so that a guest's exit code 2 is never mistaken for a
            // usage error.
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_ERROR)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Run(cmd) => cmd.execute(),
        Command::Wat2wasm(cmd) => cmd.execute(),
        Command::Wasm2wat(cmd) => cmd.execute(),
        Command::Validate(cmd) => cmd.execute(),
        Command::Inspect(cmd) => cmd.execute(),
        Command::Wast(cmd) => cmd.execute(),
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Inserts `run` after the program name when the first argument is not a subcommand but
/// starts a `run` command line: one of run's options (`--invoke`, ...), or a module file (one
/// that exists, or whose name ends in `.wasm` or `.wat`, so that a missing module is reported
/// as such rather than as an unknown subcommand).
fn implicit_run(mut args: Vec<OsString>) -> Vec<OsString> {
    let Some(first) = args.get(1) else {
        return args;
    };
    let cli = Cli::command();
    let text = first.to_string_lossy();
    let is_subcommand = text == "help"
        || cli
            .get_subcommands()
            .any(|c| c.get_name() == text || c.get_all_aliases().any(|a| a == text));
    if is_subcommand {
        return args;
    }
    let starts_run = if text.starts_with('-') && text != "-" {
        cli.find_subcommand("run")
            .is_some_and(|run| is_option_of(run, &text))
    } else {
        let path = Path::new(first);
        path.is_file()
            || path
                .extension()
                .is_some_and(|ext| ext == "wasm" || ext == "wat")
    };
    if starts_run {
        args.insert(1, OsString::from("run"));
    }
    args
}

/// Whether `arg` (`--long`, `--long=value`, `-s`, `-svalue`) is one of `command`'s own options;
/// help is left to the top level.
fn is_option_of(command: &clap::Command, arg: &str) -> bool {
    if arg == "-h" || arg == "--help" {
        return false;
    }
    command
        .get_arguments()
        .any(|a| match arg.strip_prefix("--") {
            Some(long) => {
                let long = long.split('=').next().unwrap_or(long);
                a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|l| l.contains(&long))
            }
            None => a.get_short().is_some_and(|s| arg[1..].starts_with(s)),
        })
}

/// Prints `e` as one `error: ...` line and picks the exit code. A trap's line is followed by
/// its Wasm backtrace, innermost frame first.
fn report(e: &anyhow::Error) -> ExitCode {
    if let Some(trap) = find_trap(e) {
        match e.downcast_ref::<LimitHint>() {
            Some(hint) => eprintln!("error: wasm trap: {} ({hint})", flatten(&trap.to_string())),
            None => eprintln!("error: wasm trap: {}", flatten(&trap.to_string())),
        }
        let trace = trap.trace();
        if !trace.is_empty() {
            eprintln!("wasm backtrace:");
            // A runaway recursion has as many frames as the stack holds: keep both ends.
            let (head, tail) = if trace.len() > BACKTRACE_HEAD + BACKTRACE_TAIL {
                (BACKTRACE_HEAD, BACKTRACE_TAIL)
            } else {
                (trace.len(), 0)
            };
            for (i, frame) in trace.iter().enumerate().take(head) {
                eprintln!("  {i}: {frame}");
            }
            if tail > 0 {
                eprintln!("  ... {} frames omitted ...", trace.len() - head - tail);
                for (i, frame) in trace.iter().enumerate().skip(trace.len() - tail) {
                    eprintln!("  {i}: {frame}");
                }
            }
        }
        ExitCode::from(EXIT_TRAP)
    } else {
        eprintln!("error: {}", one_line(e));
        ExitCode::from(EXIT_ERROR)
    }
}

/// Context a command adds to a trap caused by one of its limits: which limit, and how to
/// raise it. Printed on the trap's line.
#[derive(Debug)]
pub struct LimitHint(pub String);

impl std::fmt::Display for LimitHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Joins the context chain like anyhow's `{:#}` ("failed to load `x.wasm`: <cause>"), but
/// drops a cause whose text the message before it already contains: error types that wrap
/// another and repeat its message would otherwise print it twice.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    let mut previous = String::new();
    for cause in e.chain() {
        let message = flatten(&cause.to_string());
        if !line.is_empty() {
            if previous.contains(&message) {
                continue;
            }
            line.push_str(": ");
        }
        line.push_str(&message);
        previous = message;
    }
    line
}

/// Puts a multi-line message on one line (wasmparser, for one, pretty-prints byte arrays over
/// several lines), except a text-format syntax error, whose source snippet (`--> file:line:col`
/// and the lines under it) is worth its lines.
fn flatten(message: &str) -> String {
    if !message.contains('\n') || message.lines().any(|l| l.trim_start().starts_with("--> ")) {
        return message.to_string();
    }
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .replace("[ ", "[")
        .replace(", ]", "]")
}

/// Finds the trap anywhere in the error chain, whether the runtime's error wraps it or it was
/// returned bare.
fn find_trap(e: &anyhow::Error) -> Option<&wvm::Trap> {
    e.chain().find_map(|cause| {
        cause
            .downcast_ref::<wvm::Error>()
            .and_then(wvm::Error::as_trap)
            .or_else(|| cause.downcast_ref::<wvm::Trap>())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_drops_repeated_causes_and_flattens() {
        #[derive(Debug)]
        struct Repeats(std::io::Error);
        impl std::fmt::Display for Repeats {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
        impl std::error::Error for Repeats {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = std::io::Error::other("bad magic - expected=[\n    0x0,\n    0x61,\n]");
        let e = anyhow::Error::new(Repeats(inner)).context("failed to load `x.wasm`");
        assert_eq!(
            one_line(&e),
            "failed to load `x.wasm`: bad magic - expected=[0x0, 0x61]"
        );
    }

    #[test]
    fn implicit_run_only_for_module_files_and_run_options() {
        let args = |list: &[&str]| -> Vec<OsString> { list.iter().map(OsString::from).collect() };
        let run = |list: &[&str]| implicit_run(args(list));
        assert_eq!(
            run(&["wvm", "x.wasm", "1"]),
            args(&["wvm", "run", "x.wasm", "1"])
        );
        assert_eq!(run(&["wvm", "x.wat"]), args(&["wvm", "run", "x.wat"]));
        assert_eq!(
            run(&["wvm", "--invoke", "f", "x.wat"]),
            args(&["wvm", "run", "--invoke", "f", "x.wat"])
        );
        assert_eq!(
            run(&["wvm", "--invoke=f", "x.wat"]),
            args(&["wvm", "run", "--invoke=f", "x.wat"])
        );
        // An existing file, whatever its name.
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        assert_eq!(run(&["wvm", manifest]), args(&["wvm", "run", manifest]));
        for unchanged in [
            &["wvm"][..],
            &["wvm", "inspect", "x.wasm"],
            &["wvm", "run", "x.wasm"],
            &["wvm", "help", "run"],
            &["wvm", "-h"],
            &["wvm", "--help"],
            &["wvm", "-V"],
            &["wvm", "--version"],
            &["wvm", "--no-such-option", "x.wasm"],
            &["wvm", "no-such-command"],
        ] {
            assert_eq!(run(unchanged), args(unchanged), "{unchanged:?}");
        }
    }

    #[test]
    fn text_format_snippets_keep_their_lines() {
        let snippet = "expected a i32\n     --> x.wat:1:5\n      |\n    1 | (i32.const)\n";
        assert_eq!(flatten(snippet), snippet);
    }
}
