//! Engine and Config: process-wide settings and the function type registry.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use wvm_bytecode::TranslateOptions;
use wvm_environ::wasmparser::WasmFeatures;
use wvm_environ::{FuelCosts, FuncType, ModuleLimits};

/// Settings for an [`Engine`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) lazy_translation: bool,
    pub(crate) threaded_dispatch: bool,
    pub(crate) parallel_compilation: bool,
    pub(crate) fuel: Option<FuelCosts>,
    pub(crate) epoch_interruption: bool,
    pub(crate) deterministic: bool,
    pub(crate) module_limits: ModuleLimits,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_call_depth: 100_000,
            max_stack_slots: 1 << 22,
            lazy_translation: true,
            threaded_dispatch: true,
            parallel_compilation: true,
            fuel: None,
            epoch_interruption: false,
            deterministic: false,
            module_limits: ModuleLimits::DEFAULT,
        }
    }
}

impl Config {
    /// The default configuration.
    pub fn new() -> Config {
        Config::default()
    }

    /// Most nested Wasm calls before a "call stack exhausted" trap (default 100,000).
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Self {
        self.max_call_depth = depth.max(1);
        self
    }

    /// Most 8-byte value slots the VM stack of one call may use (default 4 Mi = 32 MiB).
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Self {
        self.max_stack_slots = slots.max(1024);
        self
    }

    /// Translate each function on its first call (default) or all at `Module::new`.
    pub fn lazy_translation(&mut self, lazy: bool) -> &mut Self {
        self.lazy_translation = lazy;
        self
    }

    /// Validate the function bodies of a large module on several threads, one per core
    /// (default on). Errors do not depend on it: of several invalid bodies, the first one's
    /// error is reported. Off, `Module::new` runs on the calling thread alone.
    pub fn parallel_compilation(&mut self, on: bool) -> &mut Self {
        self.parallel_compilation = on;
        self
    }

    /// Most threads validating a module's function bodies.
    pub(crate) fn compile_threads(&self) -> usize {
        if self.parallel_compilation {
            wvm_environ::available_threads()
        } else {
            1
        }
    }

    /// Run code with the threaded interpreter loop (default on), where this build supports
    /// it: optimized builds (opt-level 2, 3, `s` or `z`) for x86-64 and AArch64, whose
    /// compiler turns each instruction's jump to the next into a tail call. Elsewhere, or
    /// off, the portable loop runs. Both run the same instructions with the same results,
    /// traps and fuel; only speed differs.
    pub fn threaded_dispatch(&mut self, on: bool) -> &mut Self {
        self.threaded_dispatch = on;
        self
    }

    /// Whether code runs on the threaded loop (see [`Config::threaded_dispatch`]).
    pub(crate) fn uses_threaded_dispatch(&self) -> bool {
        cfg!(wvm_tail_calls) && self.threaded_dispatch
    }

    /// Meter execution with fuel (default off). Each store then starts with no fuel: give it
    /// some with [`Store::set_fuel`](crate::Store::set_fuel). Running out traps with
    /// [`TrapCode::OutOfFuel`](crate::TrapCode::OutOfFuel) at a deterministic point, before
    /// the straight-line segment (or bulk operation) that would overdraw starts; see
    /// [`Func::call_resumable`](crate::Func::call_resumable) to add fuel and go on. Costs
    /// follow [`FuelCosts::default`] unless [`Config::fuel_costs`] changes them. Off, metering
    /// costs nothing: no instruction for it is generated.
    pub fn consume_fuel(&mut self, on: bool) -> &mut Self {
        self.fuel = match (on, self.fuel) {
            (true, Some(costs)) => Some(costs),
            (true, None) => Some(FuelCosts::default()),
            (false, _) => None,
        };
        self
    }

    /// The fuel cost table (turns metering on).
    pub fn fuel_costs(&mut self, costs: FuelCosts) -> &mut Self {
        self.fuel = Some(costs);
        self
    }

    /// Let another thread interrupt running code through [`Engine::increment_epoch`]
    /// (default off): loops and function entries check the store's epoch deadline
    /// ([`Store::set_epoch_deadline`](crate::Store::set_epoch_deadline)) and trap with
    /// [`TrapCode::Interrupt`](crate::TrapCode::Interrupt) once it has passed. Off, the checks
    /// are not generated.
    pub fn epoch_interruption(&mut self, on: bool) -> &mut Self {
        self.epoch_interruption = on;
        self
    }

    /// Deterministic execution (default off): every NaN that float arithmetic produces is the
    /// canonical NaN (`0x7fc00000` / `0x7ff8000000000000`), so results, memory and fuel are the
    /// same on every machine. (WASI clocks and random are the embedder's choice: use
    /// `wvm_wasi::DeterministicClocks` and `DeterministicRandom`; `wvm run --deterministic`
    /// does.)
    pub fn deterministic(&mut self, on: bool) -> &mut Self {
        self.deterministic = on;
        self
    }

    /// Most functions a module may have, imported and defined (default 1,000,000). A module
    /// with more fails to compile with an error naming the limit, as do the next three.
    /// Together they bound the time and memory compiling an untrusted module takes.
    pub fn max_functions(&mut self, n: u32) -> &mut Self {
        self.module_limits.max_functions = n;
        self
    }

    /// Most bytes of one function body (default 7,654,321, also wasmparser's own limit).
    pub fn max_function_body_size(&mut self, bytes: u32) -> &mut Self {
        self.module_limits.max_function_body_size = bytes;
        self
    }

    /// Most locals of one function, parameters included (default 50,000, also wasmparser's
    /// own limit).
    pub fn max_locals(&mut self, n: u32) -> &mut Self {
        self.module_limits.max_locals = n;
        self
    }

    /// Deepest nesting of `block`, `loop` and `if` in a function body (default 50,000).
    pub fn max_nesting_depth(&mut self, depth: u32) -> &mut Self {
        self.module_limits.max_nesting_depth = depth;
        self
    }

    fn feature(&mut self, feature: WasmFeatures, on: bool) -> &mut Self {
        self.module_limits.features.set(feature, on);
        self
    }

    /// Accept modules with several memories (WebAssembly 3.0; on by default). Off, a module
    /// declaring or importing a second memory is invalid.
    pub fn wasm_multi_memory(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::MULTI_MEMORY, on)
    }

    /// Accept 64-bit memories and tables (memory64, WebAssembly 3.0; on by default).
    pub fn wasm_memory64(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::MEMORY64, on)
    }

    /// Accept memories with a custom page size of 1 byte (the custom page sizes proposal;
    /// on by default).
    pub fn wasm_custom_page_sizes(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::CUSTOM_PAGE_SIZES, on)
    }

    /// Accept constant expressions with `i32`/`i64` `add`, `sub` and `mul` (extended
    /// constant expressions, WebAssembly 3.0; on by default).
    pub fn wasm_extended_const(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::EXTENDED_CONST, on)
    }

    /// Accept `i64.add128`, `i64.sub128`, `i64.mul_wide_s` and `i64.mul_wide_u` (the wide
    /// arithmetic proposal; on by default).
    pub fn wasm_wide_arithmetic(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::WIDE_ARITHMETIC, on)
    }

    /// Accept `return_call` and `return_call_indirect` (tail calls, WebAssembly 3.0; on by
    /// default). A tail call replaces the calling frame: a chain of them runs in constant
    /// VM stack.
    pub fn wasm_tail_call(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::TAIL_CALL, on)
    }

    /// Accept typed function references (WebAssembly 3.0; on by default): `(ref null? $t)`
    /// types, `call_ref`, `return_call_ref`, `ref.as_non_null`, `br_on_null`,
    /// `br_on_non_null`, non-nullable locals and table initializers.
    pub fn wasm_function_references(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::FUNCTION_REFERENCES, on)
    }

    /// Accept exception handling (WebAssembly 3.0; on by default): tags, `throw`,
    /// `throw_ref`, `try_table` and `exnref`.
    pub fn wasm_exceptions(&mut self, on: bool) -> &mut Self {
        self.feature(WasmFeatures::EXCEPTIONS, on)
    }

    /// Accept exactly WebAssembly 2.0 (with relaxed SIMD): every later feature off.
    pub fn wasm2_only(&mut self) -> &mut Self {
        self.module_limits.features = WasmFeatures::WASM2 | WasmFeatures::RELAXED_SIMD;
        self
    }

    /// What the translator adds to code under this configuration.
    pub(crate) fn translate_options(&self) -> TranslateOptions {
        TranslateOptions {
            fuel: self.fuel,
            epoch: self.epoch_interruption,
            canonicalize_nans: self.deterministic,
        }
    }
}

/// Canonical ids for function types, shared by every module of an engine, so that
/// `call_indirect` compares types across modules by one integer.
#[derive(Debug, Default)]
pub(crate) struct TypeRegistry {
    ids: HashMap<FuncType, u32>,
}

/// The compilation environment shared by modules and stores. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

#[derive(Debug)]
struct EngineInner {
    config: Config,
    types: Mutex<TypeRegistry>,
    /// The current epoch; see [`Config::epoch_interruption`].
    epoch: AtomicU64,
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::default())
    }
}

impl Engine {
    /// An engine with the given configuration.
    pub fn new(config: &Config) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                types: Mutex::new(TypeRegistry::default()),
                epoch: AtomicU64::new(0),
            }),
        }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The canonical id of `ty`.
    pub(crate) fn type_id(&self, ty: &FuncType) -> u32 {
        let mut reg = self
            .inner
            .types
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let next = reg.ids.len() as u32;
        *reg.ids.entry(ty.clone()).or_insert(next)
    }

    /// Advances the epoch by one. Safe to call from any thread (a timer, a watchdog): code
    /// running in a store whose deadline this reaches stops with an interrupt trap at its next
    /// loop iteration or function entry.
    pub fn increment_epoch(&self) {
        self.inner.epoch.fetch_add(1, Ordering::Release);
    }

    /// The current epoch.
    pub(crate) fn epoch_counter(&self) -> &AtomicU64 {
        &self.inner.epoch
    }

    /// Whether two engines are the same.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }
}
