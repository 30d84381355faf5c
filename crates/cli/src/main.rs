//! The `wvm` command.
//!
//! A thin shell over the embedding API of the `wvm` crate: every subcommand lives in its own
//! file under `commands/`, parses its options with clap and does its work through the same
//! public API an embedder uses (no private hooks into the runtime). Library errors are typed;
//! this binary is the edge where they get context (which file, which export) with anyhow and
//! turn into one `error: ...` line on stderr and an exit code:
//!
//! - `0`: success;
//! - `1`: any error that is not a trap (bad command line, unreadable, malformed or invalid
//!   module, missing import, bad arguments for `--invoke`, ...);
//! - `2`: the guest trapped (`error: wasm trap: <message>`, with the spec testsuite's wording).
//!
//! Errors are one line, except that a `.wat` syntax error keeps the text parser's source
//! snippet (the lines after the first point at the offending column).
//!
//! What does not live here: WASI (its own crate and issue), resource limits (fuel, memory,
//! time) and any execution logic.

mod commands;
mod values;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code for every error that is not a trap, including command-line usage errors.
const EXIT_ERROR: u8 = 1;
/// Exit code when the guest traps.
const EXIT_TRAP: u8 = 2;

const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  error (bad command line, unreadable/malformed/invalid module, missing import, bad arguments)
  2  the WebAssembly code trapped (error: wasm trap: <message>)";

/// WVM: a sandboxed WebAssembly virtual machine.
#[derive(Parser)]
#[command(name = "wvm", version, about, after_help = EXIT_CODES_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a WebAssembly module (.wasm or .wat)
    Run(commands::run::RunCommand),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // `--help` and `--version` go to stdout and succeed; usage errors keep clap's
            // formatting but exit 1, so that exit code 2 always means "the guest trapped".
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
    };
    match result {
        Ok(code) => code,
        Err(e) => report(&e),
    }
}

/// Prints `e` as one `error: ...` line and picks the exit code.
fn report(e: &anyhow::Error) -> ExitCode {
    if let Some(trap) = find_trap(e) {
        eprintln!("error: wasm trap: {}", flatten(&trap.to_string()));
        ExitCode::from(EXIT_TRAP)
    } else {
        eprintln!("error: {}", one_line(e));
        ExitCode::from(EXIT_ERROR)
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
    fn text_format_snippets_keep_their_lines() {
        let snippet = "expected a i32\n     --> x.wat:1:5\n      |\n    1 | (i32.const)\n";
        assert_eq!(flatten(snippet), snippet);
    }
}
