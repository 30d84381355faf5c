//! `wvm validate`: check modules against the WebAssembly features WVM accepts, without running
//! them.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use wvm::{Engine, Module};

use super::{input_name, read_module};

const AFTER_HELP: &str = "\
Examples:
  wvm validate examples/add.wat                  prints `examples/add.wat: ok`
  wvm validate *.wasm                            one line per module
  wvm wat2wasm x.wat | wvm validate -            validate standard input

Each valid module prints `FILE: ok` on standard output; each invalid one prints
`error: ...` on standard error, with the byte offset of the problem. The exit code is 1 if
any module is invalid or cannot be read.";

/// Check that modules are valid, without running them
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct ValidateCommand {
    /// The modules to check (.wasm binaries or .wat text); `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
}

impl ValidateCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let engine = Engine::default();
        let mut all_valid = true;
        for path in &self.files {
            match validate(&engine, path) {
                Ok(()) => println!("{}: ok", input_name(path)),
                Err(e) => {
                    eprintln!("error: {}", crate::one_line(&e));
                    all_valid = false;
                }
            }
        }
        Ok(if all_valid {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(crate::EXIT_ERROR)
        })
    }
}

fn validate(engine: &Engine, path: &Path) -> Result<()> {
    let wasm = read_module(path)?;
    Module::validate(engine, &wasm).with_context(|| format!("`{}` is invalid", input_name(path)))
}
