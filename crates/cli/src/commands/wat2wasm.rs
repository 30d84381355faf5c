//! `wvm wat2wasm`: assemble WebAssembly text into a binary module (named after wabt's tool;
//! the work is the `wat` crate's).
//!
//! Conversion only: the output is not validated (that is `wvm validate`), so hand-written
//! invalid modules can be produced on purpose, e.g. for tests.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::{input_name, module_binary, read_input, write_output};

const AFTER_HELP: &str = "\
Examples:
  wvm wat2wasm examples/add.wat -o add.wasm      assemble into add.wasm
  wvm wat2wasm - < add.wat > add.wasm            read standard input, write standard output
  wvm wat2wasm examples/add.wat | wvm wasm2wat -  round trip through a pipe

The module is not validated; use `wvm validate` for that. A binary input is copied as is.";

/// Assemble WebAssembly text (.wat) into a binary module (.wasm)
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct Wat2WasmCommand {
    /// The text module to assemble; `-` reads standard input
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// Where to write the binary; standard output by default (but never a terminal)
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,
}

impl Wat2WasmCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let name = input_name(&self.input);
        let bytes = read_input(&self.input)?;
        let wasm = module_binary(&self.input, bytes)
            .with_context(|| format!("failed to assemble `{name}`"))?;
        write_output(self.output.as_deref(), &wasm, true)?;
        Ok(ExitCode::SUCCESS)
    }
}
