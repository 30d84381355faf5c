//! Engine and Config: process-wide settings and the function type registry.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wvm_environ::FuncType;

/// Settings for an [`Engine`].
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) max_call_depth: usize,
    pub(crate) max_stack_slots: usize,
    pub(crate) lazy_translation: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            max_call_depth: 100_000,
            max_stack_slots: 1 << 22,
            lazy_translation: true,
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

    /// Whether two engines are the same.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }
}
