//! The runtimes under test, behind one small interface: compile a module, instantiate it
//! (no imports), call its export `bench: [] -> [i32]`.
//!
//! Every runtime runs with its defaults except where a variant says otherwise (WVM eager,
//! WVM with fuel, wasmi eager, wasmtime's Pulley target). Each instance gets a fresh store.

use anyhow::{Context, Result, anyhow};

/// One runtime configuration measured as a column of the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// WVM with its defaults (functions translated lazily, on first call).
    WvmLazy,
    /// WVM with `Config::lazy_translation(false)`: everything translated at `Module::new`.
    WvmEager,
    /// WVM with `Config::consume_fuel(true)` and `Store::set_fuel(u64::MAX)`.
    WvmFuel,
    /// wasmi 2 with its defaults (lazy translation, eager validation).
    Wasmi,
    /// wasmi 2 with `CompilationMode::Eager` (start-up tables only).
    WasmiEager,
    /// wasmtime with its defaults: Cranelift to native code.
    Wasmtime,
    /// wasmtime compiling to Pulley bytecode (`Config::target("pulley64")`), its interpreter.
    Pulley,
    /// wasm3 (C interpreter) through the `wasm3` crate.
    Wasm3,
}

impl Kind {
    /// Every kind this build can measure, in table order.
    pub fn all() -> Vec<Kind> {
        let mut v = vec![Kind::WvmLazy, Kind::WvmEager, Kind::WvmFuel, Kind::Wasmi];
        if cfg!(feature = "wasmtime") {
            v.push(Kind::Wasmtime);
            v.push(Kind::Pulley);
        }
        if cfg!(feature = "wasm3") {
            v.push(Kind::Wasm3);
        }
        v
    }

    /// The kinds of the execution-time table (wasmi eager runs the same code as wasmi).
    pub fn for_execution() -> Vec<Kind> {
        Kind::all()
    }

    /// The kinds of the start-up table.
    pub fn for_startup() -> Vec<Kind> {
        let mut v = Kind::all();
        v.retain(|k| *k != Kind::WvmFuel);
        let at = v.iter().position(|k| *k == Kind::Wasmi).unwrap() + 1;
        v.insert(at, Kind::WasmiEager);
        v
    }

    /// Short stable name (command line, child processes).
    pub fn id(self) -> &'static str {
        match self {
            Kind::WvmLazy => "wvm",
            Kind::WvmEager => "wvm-eager",
            Kind::WvmFuel => "wvm-fuel",
            Kind::Wasmi => "wasmi",
            Kind::WasmiEager => "wasmi-eager",
            Kind::Wasmtime => "wasmtime",
            Kind::Pulley => "pulley",
            Kind::Wasm3 => "wasm3",
        }
    }

    /// Column heading.
    pub fn label(self) -> &'static str {
        match self {
            Kind::WvmLazy => "WVM",
            Kind::WvmEager => "WVM eager",
            Kind::WvmFuel => "WVM fuel",
            Kind::Wasmi => "wasmi",
            Kind::WasmiEager => "wasmi eager",
            Kind::Wasmtime => "wasmtime",
            Kind::Pulley => "wasmtime Pulley",
            Kind::Wasm3 => "wasm3",
        }
    }

    /// Parses [`Kind::id`].
    pub fn from_id(id: &str) -> Option<Kind> {
        [
            Kind::WvmLazy,
            Kind::WvmEager,
            Kind::WvmFuel,
            Kind::Wasmi,
            Kind::WasmiEager,
            Kind::Wasmtime,
            Kind::Pulley,
            Kind::Wasm3,
        ]
        .into_iter()
        .find(|k| k.id() == id)
    }

    /// Builds this runtime's engine (done once per process and kind).
    pub fn engine(self) -> Result<Box<dyn Engine>> {
        Ok(match self {
            Kind::WvmLazy => Box::new(WvmEngine::new(true, false)),
            Kind::WvmEager => Box::new(WvmEngine::new(false, false)),
            Kind::WvmFuel => Box::new(WvmEngine::new(true, true)),
            Kind::Wasmi => Box::new(WasmiEngine::new(false)),
            Kind::WasmiEager => Box::new(WasmiEngine::new(true)),
            #[cfg(feature = "wasmtime")]
            Kind::Wasmtime => Box::new(WasmtimeEngine::new(false)?),
            #[cfg(feature = "wasmtime")]
            Kind::Pulley => Box::new(WasmtimeEngine::new(true)?),
            #[cfg(feature = "wasm3")]
            Kind::Wasm3 => Box::new(Wasm3Engine),
            #[allow(unreachable_patterns)]
            other => return Err(anyhow!("{} is not in this build", other.id())),
        })
    }
}

/// A runtime's engine: compiles modules.
pub trait Engine {
    /// Decode, validate and compile (what each runtime does at module creation).
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Compiled>>;
}

/// A compiled module: instantiates into a fresh store.
pub trait Compiled {
    /// A new store and an instance of the module in it (no imports).
    fn instantiate(&self) -> Result<Box<dyn Instance>>;
}

/// An instance: calls `bench`.
pub trait Instance {
    /// Calls the export `bench: [] -> [i32]` and returns its result as u32.
    fn call_bench(&mut self) -> Result<u32>;
}

// ---------------------------------------------------------------------------------------
// WVM

struct WvmEngine {
    engine: wvm::Engine,
    fuel: bool,
}

impl WvmEngine {
    fn new(lazy: bool, fuel: bool) -> WvmEngine {
        let mut config = wvm::Config::new();
        config.lazy_translation(lazy).consume_fuel(fuel);
        WvmEngine {
            engine: wvm::Engine::new(&config),
            fuel,
        }
    }
}

struct WvmCompiled {
    engine: wvm::Engine,
    module: wvm::Module,
    fuel: bool,
}

struct WvmInstance {
    store: wvm::Store<()>,
    func: wvm::TypedFunc<(), i32>,
}

impl Engine for WvmEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Compiled>> {
        let module = wvm::Module::from_binary(&self.engine, wasm)?;
        Ok(Box::new(WvmCompiled {
            engine: self.engine.clone(),
            module,
            fuel: self.fuel,
        }))
    }
}

impl Compiled for WvmCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>> {
        let mut store = wvm::Store::new(&self.engine, ());
        if self.fuel {
            store.set_fuel(u64::MAX)?;
        }
        let instance = wvm::Instance::new(&mut store, &self.module, &[])?;
        let func = instance.get_typed_func::<(), i32>(&store, "bench")?;
        Ok(Box::new(WvmInstance { store, func }))
    }
}

impl Instance for WvmInstance {
    fn call_bench(&mut self) -> Result<u32> {
        Ok(self.func.call(&mut self.store, ())? as u32)
    }
}

// ---------------------------------------------------------------------------------------
// wasmi

struct WasmiEngine {
    engine: wasmi::Engine,
}

impl WasmiEngine {
    fn new(eager: bool) -> WasmiEngine {
        let mut config = wasmi::Config::default();
        if eager {
            config.compilation_mode(wasmi::CompilationMode::Eager);
        }
        WasmiEngine {
            engine: wasmi::Engine::new(&config),
        }
    }
}

struct WasmiCompiled {
    engine: wasmi::Engine,
    module: wasmi::Module,
}

struct WasmiInstance {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<(), i32>,
}

impl Engine for WasmiEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Compiled>> {
        let module = wasmi::Module::new(&self.engine, wasm)?;
        Ok(Box::new(WasmiCompiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

impl Compiled for WasmiCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>> {
        let mut store = wasmi::Store::new(&self.engine, ());
        let instance = wasmi::Instance::new(&mut store, &self.module, &[])?;
        let func = instance.get_typed_func::<(), i32>(&store, "bench")?;
        Ok(Box::new(WasmiInstance { store, func }))
    }
}

impl Instance for WasmiInstance {
    fn call_bench(&mut self) -> Result<u32> {
        Ok(self.func.call(&mut self.store, ())? as u32)
    }
}

// ---------------------------------------------------------------------------------------
// wasmtime (Cranelift or Pulley)

#[cfg(feature = "wasmtime")]
struct WasmtimeEngine {
    engine: wasmtime::Engine,
}

#[cfg(feature = "wasmtime")]
impl WasmtimeEngine {
    fn new(pulley: bool) -> Result<WasmtimeEngine> {
        let mut config = wasmtime::Config::new();
        if pulley {
            config.target("pulley64").map_err(|e| anyhow!("{e}"))?;
        }
        let engine = wasmtime::Engine::new(&config).map_err(|e| anyhow!("{e:#}"))?;
        Ok(WasmtimeEngine { engine })
    }
}

#[cfg(feature = "wasmtime")]
struct WasmtimeCompiled {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
}

#[cfg(feature = "wasmtime")]
struct WasmtimeInstance {
    store: wasmtime::Store<()>,
    func: wasmtime::TypedFunc<(), i32>,
}

#[cfg(feature = "wasmtime")]
impl Engine for WasmtimeEngine {
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Compiled>> {
        let module = wasmtime::Module::new(&self.engine, wasm).map_err(|e| anyhow!("{e:#}"))?;
        Ok(Box::new(WasmtimeCompiled {
            engine: self.engine.clone(),
            module,
        }))
    }
}

#[cfg(feature = "wasmtime")]
impl Compiled for WasmtimeCompiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>> {
        let mut store = wasmtime::Store::new(&self.engine, ());
        let instance =
            wasmtime::Instance::new(&mut store, &self.module, &[]).map_err(|e| anyhow!("{e:#}"))?;
        let func = instance
            .get_typed_func::<(), i32>(&mut store, "bench")
            .map_err(|e| anyhow!("{e:#}"))?;
        Ok(Box::new(WasmtimeInstance { store, func }))
    }
}

#[cfg(feature = "wasmtime")]
impl Instance for WasmtimeInstance {
    fn call_bench(&mut self) -> Result<u32> {
        let v = self
            .func
            .call(&mut self.store, ())
            .map_err(|e| anyhow!("{e:#}"))?;
        Ok(v as u32)
    }
}

// ---------------------------------------------------------------------------------------
// wasm3

#[cfg(feature = "wasm3")]
struct Wasm3Engine;

/// wasm3 consumes a parsed module when it loads it into a runtime, so "compile" parses
/// (to measure it and to reject bad modules) and every instance parses again.
#[cfg(feature = "wasm3")]
struct Wasm3Compiled {
    env: wasm3::Environment,
    wasm: Vec<u8>,
}

#[cfg(feature = "wasm3")]
struct Wasm3Instance {
    runtime: wasm3::Runtime,
}

/// wasm3's value stack for Wasm frames, in bytes (the C programs keep their own stack in
/// linear memory).
#[cfg(feature = "wasm3")]
const WASM3_STACK: u32 = 1 << 20;

#[cfg(feature = "wasm3")]
fn wasm3_err(e: wasm3::error::Error) -> anyhow::Error {
    anyhow!("wasm3: {e}")
}

#[cfg(feature = "wasm3")]
impl Engine for Wasm3Engine {
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Compiled>> {
        let env = wasm3::Environment::new().map_err(wasm3_err)?;
        drop(env.parse_module(wasm.to_vec()).map_err(wasm3_err)?);
        Ok(Box::new(Wasm3Compiled {
            env,
            wasm: wasm.to_vec(),
        }))
    }
}

#[cfg(feature = "wasm3")]
impl Compiled for Wasm3Compiled {
    fn instantiate(&self) -> Result<Box<dyn Instance>> {
        let runtime = self.env.create_runtime(WASM3_STACK).map_err(wasm3_err)?;
        let parsed = self
            .env
            .parse_module(self.wasm.clone())
            .map_err(wasm3_err)?;
        runtime.load_module(parsed).map_err(wasm3_err)?;
        // Looking the function up compiles it (its callees compile on their first call).
        runtime
            .find_function::<(), i32>("bench")
            .map_err(wasm3_err)?;
        Ok(Box::new(Wasm3Instance { runtime }))
    }
}

#[cfg(feature = "wasm3")]
impl Instance for Wasm3Instance {
    fn call_bench(&mut self) -> Result<u32> {
        let f = self
            .runtime
            .find_function::<(), i32>("bench")
            .map_err(wasm3_err)?;
        Ok(f.call().map_err(wasm3_err)? as u32)
    }
}

/// Compiles, instantiates and calls `bench` once.
pub fn run_once(kind: Kind, wasm: &[u8]) -> Result<u32> {
    let engine = kind.engine()?;
    let compiled = engine
        .compile(wasm)
        .with_context(|| format!("{}: compile", kind.id()))?;
    let mut instance = compiled
        .instantiate()
        .with_context(|| format!("{}: instantiate", kind.id()))?;
    instance
        .call_bench()
        .with_context(|| format!("{}: call", kind.id()))
}
