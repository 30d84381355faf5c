//! `wvm wast`: run WebAssembly spec scripts (`.wast`) with the `wvm-wast` runner, the same
//! one behind our spec testsuite.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};
use clap::Args;
use wvm_wast::WastReport;

use super::{input_name, read_input};

const AFTER_HELP: &str = "\
Examples:
  wvm wast tests/misc/*.wast                     run our regression scripts
  wvm wast script.wast                           prints failures, then `N passed, N failed`

Every directive (module, assert_return, assert_trap, ...) counts as passed or failed; a failed
one prints `FILE:LINE:COL: directive: what went wrong` and the script goes on. With several
files, each gets its own summary line before the total. The exit code is 1 if any directive
failed; a script that cannot be read is an error before any runs.";

/// Stack for the thread that runs a script: parsing is recursive and scripts nest deeply.
const SCRIPT_STACK: usize = 64 << 20;

/// Run WebAssembly spec test scripts (.wast)
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct WastCommand {
    /// The scripts to run; `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

impl WastCommand {
    pub fn execute(self) -> Result<ExitCode> {
        // Every script is read before any runs: a typo in a file name is an error, not a
        // failure in the counts.
        let scripts = self
            .files
            .iter()
            .map(|path| {
                let name = input_name(path);
                let bytes = read_input(path)?;
                let text = String::from_utf8(bytes)
                    .with_context(|| format!("`{name}` is not UTF-8 text"))?;
                Ok((name, text))
            })
            .collect::<Result<Vec<_>>>()?;
        wvm_wast::install_quiet_panic_hook();
        let several = scripts.len() > 1;
        let mut total = WastReport::default();
        for (name, text) in scripts {
            let report = run_script(name.clone(), text)?;
            for failure in &report.failures {
                println!("{failure}");
            }
            if several {
                println!("{name}: {} passed, {} failed", report.passed, report.failed);
            }
            total.passed += report.passed;
            total.failed += report.failed;
        }
        println!("{} passed, {} failed", total.passed, total.failed);
        Ok(if total.is_ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_ERROR)
        })
    }
}

/// Runs one script on a thread with a roomy stack.
fn run_script(name: String, text: String) -> Result<WastReport> {
    std::thread::Builder::new()
        .name(name.clone())
        .stack_size(SCRIPT_STACK)
        .spawn(move || wvm_wast::run_wast_text(&name, &text))
        .context("cannot start the script thread")?
        .join()
        .map_err(|_| anyhow!("the script runner panicked"))
}
