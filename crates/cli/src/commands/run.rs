//! `wvm run`: load a module, instantiate it, then call `_start` or the function named by
//! `--invoke`.
//!
//! The command line follows wasmtime's: options come before FILE and everything after FILE
//! belongs to the guest. With `--invoke` those guest arguments are the function's parameters,
//! parsed by the parameter types; without it they are reserved for WASI (not implemented yet)
//! and ignored.

use std::ffi::OsString;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use wvm::{Engine, Extern, ExternType, Func, Instance, Linker, Module, Store, Val};

use crate::values;

const AFTER_HELP: &str = "\
Examples:
  wvm run program.wasm                                  run `_start`, or just instantiate
  wvm run --invoke calculate examples/add.wat 11 33     prints 44
  wvm run --invoke half examples/floats.wat -3.0        negative numbers are guest arguments

Arguments for --invoke: i32/i64 in decimal (negative allowed) or 0x hex; f32/f64 as Rust
parses floats (1.5, -0, inf, nan); v128 as decimal or 0x hex; funcref/externref only `null`.
Each result is printed on its own line.

Exit codes:
  0  success
  1  error (bad command line, unreadable/malformed/invalid module, missing import, bad arguments)
  2  the WebAssembly code trapped (error: wasm trap: <message>)";

/// Runs a WebAssembly module.
#[derive(Args)]
#[command(override_usage = "wvm run [OPTIONS] <FILE> [ARGS]...", after_help = AFTER_HELP)]
pub struct RunCommand {
    /// Call the exported function NAME with ARGS as its parameters and print its results
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,

    /// The module to run (a .wasm binary or .wat text), then the guest's arguments: everything
    /// after FILE belongs to the guest, even `-5` or `--invoke`
    // One list, like wasmtime's, so that once FILE is seen nothing more is parsed as an option
    // of ours; unknown options before FILE are still usage errors.
    #[arg(value_name = "FILE", required = true, trailing_var_arg = true)]
    file_and_args: Vec<OsString>,
}

impl RunCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let (path, args) = self
            .file_and_args
            .split_first()
            .context("missing FILE argument")?;
        let path = Path::new(path);
        let file = path.display().to_string();
        let engine = Engine::default();
        let module =
            Module::from_file(&engine, path).with_context(|| format!("failed to load `{file}`"))?;

        let mut store = Store::new(&engine, ());
        let linker = Linker::new(&engine);
        for import in module.imports() {
            if linker
                .get(&mut store, import.module(), import.name())
                .is_none()
            {
                bail!(
                    "`{file}` imports `{}::{}` ({}), which is not defined: \
                     `wvm run` provides no imports yet",
                    import.module(),
                    import.name(),
                    import.ty(),
                );
            }
        }
        let instance = linker
            .instantiate(&mut store, &module)
            .with_context(|| format!("failed to instantiate `{file}`"))?;

        match &self.invoke {
            Some(name) => {
                let args = args
                    .iter()
                    .map(|arg| {
                        arg.to_str()
                            .with_context(|| format!("argument {arg:?} is not valid UTF-8"))
                    })
                    .collect::<Result<Vec<&str>>>()?;
                invoke(&mut store, &module, instance, name, &args)?;
            }
            None => run_start(&mut store, instance)?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Calls `_start` if the module exports it; instantiation already ran the start function.
fn run_start(store: &mut Store<()>, instance: Instance) -> Result<()> {
    let Some(start) = instance.get_func(&mut *store, "_start") else {
        return Ok(());
    };
    let ty = start.ty(&*store);
    if !ty.params().is_empty() || !ty.results().is_empty() {
        bail!("exported function `_start` must have type func () -> (), found {ty}");
    }
    start
        .call(&mut *store, &[], &mut [])
        .context("failed to run `_start`")
}

/// Calls the export `name` with `args` parsed by its parameter types and prints the results.
fn invoke(
    store: &mut Store<()>,
    module: &Module,
    instance: Instance,
    name: &str,
    args: &[&str],
) -> Result<()> {
    let func: Func = match instance.get_export(&mut *store, name) {
        Some(Extern::Func(func)) => func,
        Some(_) => bail!(
            "export `{name}` is not a function; exported functions: {}",
            exported_functions(module)
        ),
        None => bail!(
            "no export named `{name}`; exported functions: {}",
            exported_functions(module)
        ),
    };
    let ty = func.ty(&*store);
    if args.len() != ty.params().len() {
        bail!(
            "`{name}` has type {ty} and takes {} argument(s), but {} were given",
            ty.params().len(),
            args.len()
        );
    }
    let params = ty
        .params()
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (&param, arg))| {
            values::parse(param, arg)
                .with_context(|| format!("invalid argument {} of `{name}` (type {param})", i + 1))
        })
        .collect::<Result<Vec<Val>>>()?;
    let mut results: Vec<Val> = ty
        .results()
        .iter()
        .map(|&t| values::placeholder(t))
        .collect();
    func.call(&mut *store, &params, &mut results)
        .with_context(|| format!("failed to invoke `{name}`"))?;

    let mut out = std::io::stdout().lock();
    for result in &results {
        writeln!(out, "{}", values::format(result)).context("failed to write to stdout")?;
    }
    out.flush().context("failed to write to stdout")
}

/// The exported functions with their types, for error messages.
fn exported_functions(module: &Module) -> String {
    let list: Vec<String> = module
        .exports()
        .filter_map(|export| match export.ty() {
            ExternType::Func(ty) => Some(format!("`{}`: {ty}", export.name())),
            _ => None,
        })
        .collect();
    if list.is_empty() {
        "(none)".to_string()
    } else {
        list.join("; ")
    }
}
