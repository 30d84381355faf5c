//! Linker: names host functions and instances' exports so modules can import them.

use crate::func::{HostFn, IntoFunc};
use crate::{
    AsContext, AsContextMut, Caller, Engine, Error, Extern, Func, FuncType, Instance, Module,
    Result, Val,
};
use std::collections::HashMap;
use std::sync::Arc;

enum Definition<T> {
    Extern(Extern),
    HostFunc(FuncType, Arc<HostFn<T>>),
}

impl<T> Clone for Definition<T> {
    fn clone(&self) -> Self {
        match self {
            Definition::Extern(e) => Definition::Extern(*e),
            Definition::HostFunc(t, f) => Definition::HostFunc(t.clone(), f.clone()),
        }
    }
}

/// Resolves imports by module and name.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition<T>>,
    allow_shadowing: bool,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
        }
    }
}

impl<T> Linker<T> {
    /// An empty linker.
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
        }
    }

    /// The linker's engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition<T>) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::link(format!(
                "`{module}::{name}` is already defined"
            )));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines `module::name` as `item`.
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        let _ = store;
        self.insert(module, name, Definition::Extern(item.into()))
    }

    /// Defines `module::name` as a host function made from a Rust closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, host) = f.into_func();
        self.insert(module, name, Definition::HostFunc(ty, host))
    }

    /// Defines `module::name` as a host function of type `ty` over [`Val`]s.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Result<&mut Self>
    where
        T: 'static,
    {
        let ty2 = ty.clone();
        let f = Arc::new(f);
        let host: Arc<HostFn<T>> =
            Arc::new(move |caller: Caller<'_, T>, raw: &mut [crate::ValRaw]| {
                crate::func::call_dynamic(&ty2, &*f, caller, raw)
            });
        self.insert(module, name, Definition::HostFunc(ty, host))
    }

    /// Defines every export of `instance` under the module name `module`.
    pub fn instance(
        &mut self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        let exports = instance.exports(store.as_context_mut());
        for (name, ext) in exports {
            self.insert(module, &name, Definition::Extern(ext))?;
        }
        Ok(self)
    }

    /// The definition of `module::name`, if any.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        let def = self.defs.get(&(module.to_string(), name.to_string()))?;
        Some(self.materialize(store.as_context_mut().0, def))
    }

    fn materialize(&self, store: &mut crate::Store<T>, def: &Definition<T>) -> Extern {
        match def {
            Definition::Extern(e) => *e,
            Definition::HostFunc(ty, host) => {
                Extern::Func(Func::from_host(store, ty.clone(), host.clone()))
            }
        }
    }

    /// Instantiates `module`, resolving its imports by name.
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let store = store.as_context_mut().0;
        let mut imports = Vec::with_capacity(module.imports().len());
        for imp in module.imports() {
            let def = self
                .defs
                .get(&(imp.module().to_string(), imp.name().to_string()))
                .ok_or_else(|| {
                    Error::link(format!(
                        "unknown import: `{}::{}` has not been defined (the module imports {} `{}`)",
                        imp.module(),
                        imp.name(),
                        imp.ty().kind_name(),
                        imp.ty()
                    ))
                })?;
            imports.push(self.materialize(store, def));
        }
        Instance::new(store, module, &imports)
    }
}
