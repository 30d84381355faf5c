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
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(&e),
    }
}

/// Prints `e` as one `error: ...` line and picks the exit code.
fn report(e: &anyhow::Error) -> ExitCode {
    if let Some(trap) = find_trap(e) {
        eprintln!("error: wasm trap: {trap}");
        ExitCode::from(EXIT_TRAP)
    } else {
        // `{:#}` joins the context chain on one line: "failed to load `x.wasm`: <cause>".
        eprintln!("error: {e:#}");
        ExitCode::from(EXIT_ERROR)
    }
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
