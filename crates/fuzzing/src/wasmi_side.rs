//! The reference engine of the differential oracle: wasmi, driven exactly like
//! [`crate::wvm_side::WvmSide`].

use crate::observe::{Failure, HostCall, HostLog, State, Value, import_keys, wasmi_failure};
use wasmi::{
    Engine, Extern, ExternType, F32, F64, Func, Global, Instance, Memory, Module, Nullable, Ref,
    RefType, Store, Table, Val, ValType,
};

/// A wasmi engine with WVM's feature set: WebAssembly 2.0 without SIMD (and so without
/// tail calls, extended constant expressions and multi-memory, which wasmi enables by
/// default). Its call depth and value stack limits are raised to WVM's (100,000 frames,
/// 4 Mi values), so that mostly the same recursions fit in both.
pub fn engine() -> Engine {
    let mut config = wasmi::Config::default();
    config
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_multi_memory(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .set_max_recursion_depth(100_000)
        .set_max_stack_height(1 << 22);
    Engine::new(&config)
}

fn zero(ty: ValType) -> Val {
    match ty {
        ValType::I32 => Val::I32(0),
        ValType::I64 => Val::I64(0),
        ValType::F32 => Val::F32(F32::from_bits(0)),
        ValType::F64 => Val::F64(F64::from_bits(0)),
        ValType::FuncRef => Val::FuncRef(Nullable::Null),
        _ => Val::ExternRef(Nullable::Null),
    }
}

fn to_val(v: &Value) -> Val {
    match v {
        Value::I32(x) => Val::I32(*x),
        Value::I64(x) => Val::I64(*x),
        Value::F32(x) => Val::F32(F32::from_bits(*x)),
        Value::F64(x) => Val::F64(F64::from_bits(*x)),
        Value::FuncRef { .. } => Val::FuncRef(Nullable::Null),
        Value::ExternRef { .. } => Val::ExternRef(Nullable::Null),
    }
}

fn from_val(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(x.to_bits()),
        Val::F64(x) => Value::F64(x.to_bits()),
        Val::FuncRef(f) => Value::FuncRef { null: f.is_null() },
        Val::ExternRef(e) => Value::ExternRef { null: e.is_null() },
        // SIMD is off in both engines.
        Val::V128(_) => Value::I64(0),
    }
}

/// A module loaded into a fresh wasmi store with one dummy definition per import.
pub struct WasmiSide {
    pub store: Store<HostLog>,
    pub module: Module,
    pub imports: Vec<Extern>,
    /// The imports' keys ([`import_keys`]), in `imports` order.
    pub import_keys: Vec<String>,
    pub instance: Option<Instance>,
}

impl WasmiSide {
    /// Loads `wasm` and makes the same dummy imports as [`crate::wvm_side::WvmSide::new`].
    pub fn new(engine: &Engine, wasm: &[u8]) -> Result<WasmiSide, wasmi::Error> {
        let module = Module::new(engine, wasm)?;
        let mut store = Store::new(engine, HostLog::default());
        let keys = import_keys(
            module
                .imports()
                .map(|i| (i.module(), i.name(), kind_name(i.ty()))),
        );
        let mut imports = Vec::new();
        for (import, key) in module.imports().zip(keys.iter().cloned()) {
            imports.push(match import.ty().clone() {
                ExternType::Func(ty) => {
                    let results: Vec<ValType> = ty.results().to_vec();
                    let f = Func::new(&mut store, ty, move |mut caller, params, out| {
                        caller.data_mut().calls.push(HostCall {
                            import: key.clone(),
                            args: params.iter().map(from_val).collect(),
                        });
                        for (slot, t) in out.iter_mut().zip(&results) {
                            *slot = zero(*t);
                        }
                        Ok(())
                    });
                    Extern::Func(f)
                }
                ExternType::Global(ty) => {
                    Extern::Global(Global::new(&mut store, zero(ty.content()), ty.mutability()))
                }
                ExternType::Table(ty) => {
                    let init = match ty.element() {
                        RefType::Func => Ref::Func(Nullable::Null),
                        RefType::Extern => Ref::Extern(Nullable::Null),
                    };
                    Extern::Table(Table::new(&mut store, ty, init)?)
                }
                ExternType::Memory(ty) => Extern::Memory(Memory::new(&mut store, ty)?),
            });
        }
        Ok(WasmiSide {
            store,
            module,
            imports,
            import_keys: keys,
            instance: None,
        })
    }

    /// Instantiates the module (segments, then the start function).
    pub fn instantiate(&mut self) -> Result<(), Failure> {
        match Instance::new(&mut self.store, &self.module, &self.imports) {
            Ok(i) => {
                self.instance = Some(i);
                Ok(())
            }
            Err(e) => Err(wasmi_failure(&e)),
        }
    }

    /// Calls the exported function `name` with `args`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Failure> {
        let instance = self.instance.expect("instantiated");
        let f = instance
            .get_func(&self.store, name)
            .ok_or_else(|| Failure::Error(format!("no exported function `{name}`")))?;
        let ty = f.ty(&self.store);
        let params: Vec<Val> = args.iter().map(to_val).collect();
        let mut results: Vec<Val> = ty.results().iter().map(|t| zero(*t)).collect();
        match f.call(&mut self.store, &params, &mut results) {
            Ok(()) => Ok(results.iter().map(from_val).collect()),
            Err(e) => Err(wasmi_failure(&e)),
        }
    }

    /// The host calls logged since the last time this was asked.
    pub fn take_host_calls(&mut self) -> Vec<HostCall> {
        std::mem::take(&mut self.store.data_mut().calls)
    }

    /// The exported memories, globals and tables (if instantiated), then the imported ones,
    /// in the same order as [`crate::wvm_side::WvmSide::state`].
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
                        .map(|i| t.get(&self.store, i).is_none_or(|r| r.is_null()))
                        .collect();
                    state.tables.push((name, nulls));
                }
                Extern::Func(_) => {}
            }
        }
        state.sort();
        state
    }
}

fn kind_name(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Global(_) => "global",
        ExternType::Table(_) => "table",
        ExternType::Memory(_) => "memory",
    }
}
