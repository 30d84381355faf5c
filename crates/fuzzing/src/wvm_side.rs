//! Running a module in WVM with dummy imports, step by step, seen through [`crate::observe`].

use crate::observe::{Failure, HostCall, HostLog, State, Value, import_keys, wvm_failure};
use wvm::{
    Engine, Extern, ExternType, Func, Global, Instance, Memory, Module, Ref, Store, Table, Val,
    ValType,
};

/// The zero value of `ty` (null for references), which dummy imports hold and return.
pub fn zero(ty: ValType) -> Value {
    match ty {
        ValType::I32 => Value::I32(0),
        ValType::I64 => Value::I64(0),
        ValType::F32 => Value::F32(0),
        ValType::F64 => Value::F64(0),
        ValType::Ref(r) if r.is_func() => Value::FuncRef { null: true },
        // V128 never appears (SIMD is off); externref and anything else: null.
        _ => Value::ExternRef { null: true },
    }
}

pub(crate) fn to_val(v: &Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(*x),
        Value::I64(x) => Val::I64(*x),
        Value::F32(x) => Val::F32(*x),
        Value::F64(x) => Val::F64(*x),
        // Only null references cross from the host in these oracles.
        Value::FuncRef { .. } => Val::FuncRef(None),
        Value::ExternRef { .. } => Val::ExternRef(None),
    }
}

pub(crate) fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::I64(*x as i64),
        Val::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        Val::ExternRef(e) => Value::ExternRef { null: e.is_none() },
        // (The generator makes no exceptions; wasmi has none.)
        Val::ExnRef(e) => Value::ExternRef { null: e.is_none() },
    }
}

fn ref_null(r: &Ref) -> bool {
    match r {
        Ref::Func(f) => f.is_none(),
        Ref::Extern(e) => e.is_none(),
        Ref::Exn(e) => e.is_none(),
    }
}

/// A module loaded into a fresh WVM store with one dummy definition per import.
pub struct WvmSide {
    pub store: Store<HostLog>,
    pub module: Module,
    pub imports: Vec<Extern>,
    /// The imports' keys ([`import_keys`]), in `imports` order.
    pub import_keys: Vec<String>,
    pub instance: Option<Instance>,
    /// Fuel given before instantiation and before each call, if the engine meters fuel.
    pub fuel: Option<u64>,
}

impl WvmSide {
    /// Loads `wasm` and makes its dummy imports: host functions that log their arguments
    /// and return zeros; globals, tables and memories of exactly the imported type, holding
    /// zeros, null references and zero bytes.
    pub fn new(engine: &Engine, wasm: &[u8]) -> wvm::Result<WvmSide> {
        let module = Module::new(engine, wasm)?;
        let mut store = Store::new(engine, HostLog::default());
        let keys = import_keys(
            module
                .imports()
                .map(|i| (i.module(), i.name(), i.ty().kind_name())),
        );
        let mut imports = Vec::new();
        for (import, key) in module.imports().zip(keys.iter().cloned()) {
            imports.push(match import.ty() {
                ExternType::Func(ty) => {
                    let results: Vec<ValType> = ty.results().to_vec();
                    let f = Func::new(&mut store, ty, move |mut caller, params, out| {
                        caller.data_mut().calls.push(HostCall {
                            import: key.clone(),
                            args: params.iter().map(from_val).collect(),
                        });
                        for (slot, t) in out.iter_mut().zip(&results) {
                            *slot = to_val(&zero(*t));
                        }
                        Ok(())
                    });
                    Extern::Func(f)
                }
                ExternType::Global(ty) => {
                    let g = Global::new(&mut store, ty, to_val(&zero(ty.content())))?;
                    Extern::Global(g)
                }
                ExternType::Table(ty) => {
                    let init = match ty.element().is_func() {
                        true => Ref::Func(None),
                        false => Ref::Extern(None),
                    };
                    Extern::Table(Table::new(&mut store, ty, init)?)
                }
                ExternType::Memory(ty) => Extern::Memory(Memory::new(&mut store, ty)?),
                ExternType::Tag(ty) => Extern::Tag(wvm::Tag::new(&mut store, &ty)?),
            });
        }
        Ok(WvmSide {
            store,
            module,
            imports,
            import_keys: keys,
            instance: None,
            fuel: None,
        })
    }

    /// A fresh engine, metering fuel or not.
    pub fn engine(fuel: bool) -> Engine {
        let mut config = wvm::Config::new();
        config.consume_fuel(fuel);
        Engine::new(&config)
    }

    /// Refills the fuel tank, if there is one.
    fn refuel(&mut self) -> Result<(), Failure> {
        if let Some(fuel) = self.fuel {
            self.store
                .set_fuel(fuel)
                .map_err(|e| Failure::Error(format!("set_fuel: {e}")))?;
        }
        Ok(())
    }

    /// Fuel used since the last refill (0 without metering). Checks that fuel never grows.
    pub fn fuel_used(&self) -> u64 {
        match self.fuel {
            Some(fuel) => {
                let left = self.store.get_fuel().expect("the engine meters fuel");
                assert!(left <= fuel, "fuel grew from {fuel} to {left}");
                fuel - left
            }
            None => 0,
        }
    }

    /// Instantiates the module (segments, then the start function).
    pub fn instantiate(&mut self) -> Result<(), Failure> {
        self.refuel()?;
        match Instance::new(&mut self.store, &self.module, &self.imports) {
            Ok(i) => {
                self.instance = Some(i);
                Ok(())
            }
            Err(e) => Err(wvm_failure(&e)),
        }
    }

    /// The exported functions, in export order, with their parameter types.
    pub fn func_exports(&self) -> Vec<(String, Vec<ValType>)> {
        self.module
            .exports()
            .filter_map(|e| match e.ty() {
                ExternType::Func(ty) => Some((e.name().to_string(), ty.params().to_vec())),
                _ => None,
            })
            .collect()
    }

    /// Calls the exported function `name` with `args`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Failure> {
        let instance = self.instance.expect("instantiated");
        let f = instance
            .get_func(&self.store, name)
            .ok_or_else(|| Failure::Error(format!("no exported function `{name}`")))?;
        let ty = f.ty(&self.store);
        self.refuel()?;
        let params: Vec<Val> = args.iter().map(to_val).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| to_val(&zero(*t))).collect();
        match f.call(&mut self.store, &params, &mut results) {
            Ok(()) => Ok(results.iter().map(from_val).collect()),
            Err(e) => Err(wvm_failure(&e)),
        }
    }

    /// The host calls logged since the last time this was asked.
    pub fn take_host_calls(&mut self) -> Vec<HostCall> {
        std::mem::take(&mut self.store.data_mut().calls)
    }

    /// The exported memories, globals and tables (if instantiated), then the imported ones.
    pub fn state(&self) -> State {
        let mut items: Vec<(String, Extern)> = Vec::new();
        if let Some(instance) = self.instance {
            for export in self.module.exports() {
                if let Some(e) = instance.get_export(&self.store, export.name()) {
                    items.push((export.name().to_string(), e));
                }
            }
        }
        for (key, e) in self.import_keys.iter().zip(&self.imports) {
            items.push((format!("import {key}"), *e));
        }
        let mut state = State::default();
        for (name, e) in items {
            match e {
                Extern::Memory(m) => state.memories.push((name, m.data(&self.store).to_vec())),
                Extern::Global(g) => state.globals.push((name, from_val(&g.get(&self.store)))),
                Extern::Table(t) => {
                    let size = t.size(&self.store);
                    let nulls = (0..size)
                        .map(|i| t.get(&self.store, i).is_none_or(|r| ref_null(&r)))
                        .collect();
                    state.tables.push((name, nulls));
                }
                Extern::Func(_) | Extern::Tag(_) => {}
            }
        }
        state.sort();
        state
    }
}
