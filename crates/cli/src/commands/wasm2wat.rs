//! `wvm wasm2wat`: print a binary module as WebAssembly text (named after wabt's tool; the
//! work is `wasmprinter`'s).
//!
//! A text input is assembled first, so `wvm wasm2wat x.wat` reprints a module in the
//! canonical format. Conversion only: the module is decoded, not validated.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;

use super::{input_name, read_module, write_output};

const AFTER_HELP: &str = "\
Examples:
  wvm wasm2wat add.wasm                          print the text to standard output
  wvm wasm2wat add.wasm -o add.wat               write it to add.wat
  wvm wat2wasm examples/add.wat | wvm wasm2wat -  read the binary from a pipe

A text input is assembled first and printed back in the canonical format. The module is not
validated; use `wvm validate` for that.";

/// Print a binary module (.wasm) as WebAssembly text (.wat)
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct Wasm2WatCommand {
    /// The module to print; `-` reads standard input
    #[arg(value_name = "IN")]
    input: PathBuf,

    /// Where to write the text; standard output by default
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Print instructions in folded (S-expression) form
    #[arg(short = 'f', long)]
    fold_exprs: bool,

    /// Name the items the name section leaves unnamed (`$#func0`, ...)
    #[arg(long)]
    generate_names: bool,
}

impl Wasm2WatCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let name = input_name(&self.input);
        let wasm = read_module(&self.input)?;
        let mut text = String::new();
        wasmprinter::Config::new()
            .fold_instructions(self.fold_exprs)
            .name_unnamed(self.generate_names)
            .print(&wasm, &mut wasmprinter::PrintFmtWrite(&mut text))
            .with_context(|| format!("failed to print `{name}`"))?;
        write_output(self.output.as_deref(), text.as_bytes(), false)?;
        Ok(ExitCode::SUCCESS)
    }
}
