//! `wvm run`: load a module, give it WASI with exactly what the command line grants, then run
//! its `_start` (a WASI command) or the function named by `--invoke`.
//!
//! The command line follows wasmtime's: options come before FILE and everything after FILE
//! belongs to the guest. Without `--invoke` those are the guest's `argv[1..]`; with it, the
//! function's parameters, parsed by the parameter types.
//!
//! Nothing is inherited by default: no directory, no environment variable; the guest gets its
//! arguments, the standard streams, the host's clocks and random source, and what `--dir`,
//! `--dir-ro`, `--env` and `--tcplisten` grant.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::Args;
use wvm::{
    Config, Engine, Extern, ExternType, Func, Instance, Linker, Module, Store, StoreLimitsBuilder,
    TrapCode, Val,
};
use wvm_wasi::{
    DeterministicClocks, DeterministicRandom, DirPerms, I32Exit, WasiCtx, WasiCtxBuilder,
};

use crate::LimitHint;

use crate::values;

const AFTER_HELP: &str = "\
Examples:
  wvm run hello.wasm                                     run a WASI command (`_start`)
  wvm run --dir .::/data copy.wasm /data/in.txt /data/out.txt
                                                         the guest sees ./ as /data
  wvm run --dir-ro ./assets::/assets --env HOME=/ app.wasm
  wvm run --invoke calculate examples/add.wat 11 33      prints 44
  wvm run --invoke half examples/floats.wat -3.0         negative numbers are guest arguments
  wvm run --preload math=lib.wasm main.wasm              main imports `math::...` from lib

Arguments for --invoke: i32/i64 in decimal (negative allowed) or 0x hex; f32/f64 as Rust
parses floats (1.5, -0, inf, nan); v128 as decimal or 0x hex; funcref/externref only `null`.
Each result is printed on its own line.

Exit codes:
  0..125  the guest's exit code (WASI proc_exit); 0 is success
  1       error (bad command line, unreadable/malformed/invalid module, missing import, bad
          arguments, an exit code outside 0..125)
  134     the WebAssembly code trapped (error: wasm trap: <message>, then the backtrace)";

/// Runs a WebAssembly module.
#[derive(Args)]
#[command(override_usage = "wvm run [OPTIONS] <FILE> [ARGS]...", after_help = AFTER_HELP)]
pub struct RunCommand {
    /// Call the exported function NAME with ARGS as its parameters and print its results
    #[arg(long, value_name = "NAME")]
    invoke: Option<String>,

    /// Grant the host directory HOST to the guest as GUEST (default: the same path), read-write
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    dirs: Vec<String>,

    /// Grant the host directory HOST to the guest as GUEST, read-only: every change is refused
    #[arg(long = "dir-ro", value_name = "HOST[::GUEST]")]
    dirs_ro: Vec<String>,

    /// Set the guest's environment variable NAME to VAL, or pass the host's NAME through
    #[arg(long = "env", value_name = "NAME[=VAL]")]
    envs: Vec<String>,

    /// The guest's argv[0] (default: FILE as given)
    #[arg(long, value_name = "NAME")]
    argv0: Option<String>,

    /// Instantiate the module FILE first and make its exports importable under NAME
    #[arg(long = "preload", value_name = "NAME=FILE")]
    preloads: Vec<String>,

    /// Grant a TCP socket listening on ADDR (e.g. 127.0.0.1:8080); the guest accepts on it
    #[arg(long = "tcplisten", value_name = "ADDR")]
    listens: Vec<String>,

    /// Meter execution: the guest may use N units of fuel (about one per instruction), then
    /// it traps
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,

    /// Print the fuel used to stderr when the guest finishes (needs --fuel)
    #[arg(long, requires = "fuel")]
    print_fuel: bool,

    /// Stop the guest (a trap) after DURATION, e.g. 1s, 500ms, 2m
    #[arg(long, value_name = "DURATION", value_parser = crate::units::parse_duration)]
    timeout: Option<Duration>,

    /// Most bytes each linear memory may have, e.g. 64MiB: memory.grow beyond it returns -1,
    /// and a module that declares more fails to instantiate
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size)]
    max_memory: Option<u64>,

    /// Most nested calls before a "call stack exhausted" trap (default 100000)
    #[arg(long, value_name = "N")]
    max_call_depth: Option<usize>,

    /// Most VM value-stack memory one call may use, e.g. 32MiB (default 32MiB)
    #[arg(long, value_name = "SIZE", value_parser = crate::units::parse_size)]
    max_stack: Option<u64>,

    /// Deterministic run: canonical NaNs, and WASI clocks and random numbers that are the same
    /// on every run and machine (time starts at 2000-01-01 and advances 1µs per reading)
    #[arg(long)]
    deterministic: bool,

    /// Turn a WebAssembly 3.0 feature off (all are on, as the standard says): a module using
    /// it is then rejected. Repeat or separate with commas
    #[arg(long, value_name = "FEATURE", value_enum, value_delimiter = ',')]
    disable: Vec<Feature>,

    /// The module to run (a .wasm binary or .wat text), then the guest's arguments: everything
    /// after FILE belongs to the guest, even `-5` or `--invoke`
    // One list, like wasmtime's, so that once FILE is seen nothing more is parsed as an option
    // of ours; unknown options before FILE are still usage errors.
    #[arg(value_name = "FILE", required = true, trailing_var_arg = true)]
    file_and_args: Vec<OsString>,
}

/// A WebAssembly feature beyond 2.0 that `--disable` turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Feature {
    /// return_call, return_call_indirect
    TailCall,
    /// integer arithmetic in constant expressions
    ExtendedConst,
    /// several memories per module
    MultiMemory,
    /// 64-bit memories and tables
    Memory64,
    /// memories with 1-byte pages
    CustomPageSizes,
    /// i64.add128, i64.sub128, i64.mul_wide_s/u
    WideArithmetic,
    /// (ref null? $t) types, call_ref, return_call_ref, br_on_null, br_on_non_null
    FunctionReferences,
    /// tags, throw, throw_ref, try_table, exnref
    Exceptions,
}

/// The guest's arguments as UTF-8 (WASI passes strings).
fn utf8_args(args: &[OsString]) -> Result<Vec<String>> {
    args.iter()
        .map(|arg| {
            arg.to_str()
                .map(str::to_string)
                .with_context(|| format!("argument {arg:?} is not valid UTF-8"))
        })
        .collect()
}

impl RunCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let (path, args) = self
            .file_and_args
            .split_first()
            .context("missing FILE argument")?;
        let path = Path::new(path);
        let file = path.display().to_string();
        let args = utf8_args(args)?;
        let engine = Engine::new(&self.config());
        let module = load(&engine, path)?;

        let ctx = self.wasi_ctx(&file, &args)?;
        let mut store = Store::new(&engine, ctx);
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel)?;
        }
        if let Some(bytes) = self.max_memory {
            let bytes = usize::try_from(bytes).unwrap_or(usize::MAX);
            store.limiter(StoreLimitsBuilder::new().memory_size(bytes).build());
        }
        if let Some(timeout) = self.timeout {
            store.set_epoch_deadline(1);
            let engine = engine.clone();
            // Detached: the process ends with the run, and an early end needs no tick.
            std::thread::spawn(move || {
                std::thread::sleep(timeout);
                engine.increment_epoch();
            });
        }
        let mut linker = Linker::new(&engine);
        wvm_wasi::add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx)?;
        for preload in &self.preloads {
            let (name, lib) = preload
                .split_once('=')
                .with_context(|| format!("--preload expects NAME=FILE, got `{preload}`"))?;
            let lib_module =
                load(&engine, Path::new(lib)).with_context(|| format!("--preload {name}"))?;
            check_imports(&mut linker, &mut store, &lib_module, lib)?;
            let instance = linker
                .instantiate(&mut store, &lib_module)
                .with_context(|| format!("failed to instantiate `{lib}`"))?;
            linker.instance(&mut store, name, instance)?;
        }
        check_imports(&mut linker, &mut store, &module, &file)?;

        let result = linker
            .instantiate(&mut store, &module)
            .with_context(|| match self.max_memory {
                Some(max) => format!(
                    "failed to instantiate `{file}` (with --max-memory {}KiB; raise it if the \
                     module needs more)",
                    max >> 10
                ),
                None => format!("failed to instantiate `{file}`"),
            })
            .and_then(|instance| {
                if let Some(init) = instance.get_func(&mut store, "_initialize") {
                    init.call(&mut store, &[], &mut [])
                        .context("failed to run `_initialize`")?;
                }
                match &self.invoke {
                    Some(name) => invoke(&mut store, &module, instance, name, &args),
                    None => run_start(&mut store, instance),
                }
            });
        if self.print_fuel
            && let (Some(given), Ok(left)) = (self.fuel, store.get_fuel())
        {
            eprintln!("fuel used: {}", given - left);
        }
        match result {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => match exit_status(&e) {
                Some(code) => {
                    let _ = std::io::stdout().flush();
                    match u8::try_from(code) {
                        Ok(code) if code <= 125 => Ok(ExitCode::from(code)),
                        _ => bail!(
                            "the guest exited with status {code}, outside 0..125, which a \
                             process exit code can carry"
                        ),
                    }
                }
                None => Err(self.with_limit_hint(e)),
            },
        }
    }

    /// The engine configuration the limits ask for.
    fn config(&self) -> Config {
        let mut config = Config::new();
        config
            .consume_fuel(self.fuel.is_some())
            .epoch_interruption(self.timeout.is_some())
            .deterministic(self.deterministic);
        if let Some(depth) = self.max_call_depth {
            config.max_call_depth(depth);
        }
        if let Some(bytes) = self.max_stack {
            config.max_stack_slots(usize::try_from(bytes / 8).unwrap_or(usize::MAX));
        }
        for feature in &self.disable {
            match feature {
                Feature::TailCall => config.wasm_tail_call(false),
                Feature::ExtendedConst => config.wasm_extended_const(false),
                Feature::MultiMemory => config.wasm_multi_memory(false),
                Feature::Memory64 => config.wasm_memory64(false),
                Feature::CustomPageSizes => config.wasm_custom_page_sizes(false),
                Feature::WideArithmetic => config.wasm_wide_arithmetic(false),
                Feature::FunctionReferences => config.wasm_function_references(false),
                Feature::Exceptions => config.wasm_exceptions(false),
            };
        }
        config
    }

    /// Names the limit a trap came from, and how to raise it.
    fn with_limit_hint(&self, e: anyhow::Error) -> anyhow::Error {
        let code = e.chain().find_map(|c| {
            c.downcast_ref::<wvm::Error>()
                .and_then(wvm::Error::trap_code)
        });
        let hint = match code {
            Some(TrapCode::OutOfFuel) => format!(
                "the limit --fuel {} was reached; raise it with a larger --fuel",
                self.fuel.unwrap_or(0)
            ),
            Some(TrapCode::Interrupt) => format!(
                "the limit --timeout {:?} was reached; raise it with a longer --timeout",
                self.timeout.unwrap_or_default()
            ),
            Some(TrapCode::StackOverflow) => format!(
                "the limits --max-call-depth {} and --max-stack {}KiB bound the call stack; \
                 raise them if the program needs deeper calls",
                self.max_call_depth.unwrap_or(100_000),
                self.max_stack.unwrap_or(32 << 20) >> 10
            ),
            _ => return e,
        };
        e.context(LimitHint(hint))
    }

    /// The WASI context: arguments, the granted environment, directories and sockets, and
    /// the host's standard streams.
    fn wasi_ctx(&self, file: &str, args: &[String]) -> Result<WasiCtx> {
        let mut b = WasiCtxBuilder::new();
        b.inherit_stdio();
        if self.deterministic {
            // 2000-01-01T00:00:00Z, one microsecond per reading; a fixed random seed.
            b.clocks(DeterministicClocks::new(946_684_800_000_000_000, 1_000));
            b.random(DeterministicRandom::new(0));
        }
        b.arg(self.argv0.as_deref().unwrap_or(file));
        // With --invoke, the arguments after FILE are the function's parameters.
        if self.invoke.is_none() {
            b.args(args);
        }
        for env in &self.envs {
            match env.split_once('=') {
                Some((name, value)) => b.env(name, value),
                None => match std::env::var(env) {
                    Ok(value) => b.env(env, value),
                    Err(_) => bail!(
                        "--env {env}: the host has no environment variable `{env}` \
                         (use --env {env}=VALUE to set one)"
                    ),
                },
            };
        }
        for (specs, perms) in [
            (&self.dirs, DirPerms::ReadWrite),
            (&self.dirs_ro, DirPerms::ReadOnly),
        ] {
            for spec in specs {
                let (host, guest) = spec.split_once("::").unwrap_or((spec, spec));
                if host.is_empty() || guest.is_empty() {
                    bail!("--dir expects HOST or HOST::GUEST, got `{spec}`");
                }
                b.preopened_dir(PathBuf::from(host), guest, perms)
                    .with_context(|| format!("cannot open directory `{host}` to grant it"))?;
            }
        }
        for addr in &self.listens {
            let listener = std::net::TcpListener::bind(addr)
                .with_context(|| format!("--tcplisten {addr}: cannot listen"))?;
            b.preopened_listener(listener);
        }
        Ok(b.build())
    }
}

/// Loads the module at `path` (binary or text); a file that is neither is refused as such,
/// rather than with the binary parser's "bad magic number".
fn load(engine: &Engine, path: &Path) -> Result<Module> {
    let file = path.display();
    if let Ok(bytes) = std::fs::read(path)
        && !bytes.starts_with(b"\0asm")
        && !super::looks_like_text(&bytes)
    {
        bail!(
            "`{file}` is not a WebAssembly module: a binary starts with the bytes `\\0asm`, a \
             text module with `(module` (at offset 0x0)"
        );
    }
    Module::from_file(engine, path).with_context(|| format!("failed to load `{file}`"))
}

/// The guest's exit status, if it called `proc_exit`.
fn exit_status(e: &anyhow::Error) -> Option<i32> {
    e.chain().find_map(|cause| {
        cause
            .downcast_ref::<wvm::Error>()
            .and_then(|e| e.downcast_ref::<I32Exit>())
            .or_else(|| cause.downcast_ref::<I32Exit>())
            .map(|exit| exit.0)
    })
}

/// Fails with the first import nothing provides, naming what the module imports.
fn check_imports(
    linker: &mut Linker<WasiCtx>,
    store: &mut Store<WasiCtx>,
    module: &Module,
    file: &str,
) -> Result<()> {
    for import in module.imports() {
        if linker
            .get(&mut *store, import.module(), import.name())
            .is_none()
        {
            let all: Vec<String> = module
                .imports()
                .map(|i| format!("{}::{}", i.module(), i.name()))
                .collect();
            bail!(
                "`{file}` imports `{}::{}` ({}), which nothing provides (WVM provides \
                 wasi_snapshot_preview1 and wasi_unstable; add others with --preload NAME=FILE); \
                 the module imports: {}",
                import.module(),
                import.name(),
                import.ty(),
                all.join(", ")
            );
        }
    }
    Ok(())
}

/// Calls `_start` if the module exports it; instantiation already ran the start function.
fn run_start(store: &mut Store<WasiCtx>, instance: Instance) -> Result<()> {
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
    store: &mut Store<WasiCtx>,
    module: &Module,
    instance: Instance,
    name: &str,
    args: &[String],
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
