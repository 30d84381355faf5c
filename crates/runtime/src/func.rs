//! Functions: host or WebAssembly, called dynamically with [`Val`]s or through [`TypedFunc`].

use crate::store::{FuncData, FuncKind, StoreInner};
use crate::values::{extern_from_bits, func_from_bits};
use crate::vm::{VMFuncRef, ValRaw};
use crate::{
    AsContext, AsContextMut, Error, Extern, ExternRef, FuncType, Result, Store, StoreContext,
    StoreContextMut, Val, ValType,
};
use std::marker::PhantomData;
use std::sync::Arc;

/// The shape every host function takes inside the store: arguments in cells `0..params`,
/// results written to cells `0..results`.
pub(crate) type HostFn<T> = dyn Fn(Caller<'_, T>, &mut [ValRaw]) -> Result<()> + Send + Sync;

/// A host function over [`Val`]s, as `Func::new` and `Linker::func_new` take it.
pub(crate) type DynHostFn<T> =
    dyn Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync;

/// A WebAssembly or host function. A handle into a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Func {
    /// A host function of type `ty` that receives and returns [`Val`]s.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
    ) -> Func {
        let host = dynamic_host_fn(ty.clone(), f);
        Func::from_host(store.as_context_mut().0, ty, host)
    }

    /// A host function from a Rust closure; its WebAssembly type comes from the closure's
    /// parameter and result types. The closure may take a [`Caller`] first.
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, host) = f.into_func();
        Func::from_host(store.as_context_mut().0, ty, host)
    }

    pub(crate) fn from_host<T>(store: &mut Store<T>, ty: FuncType, host: Arc<HostFn<T>>) -> Func {
        store.host_funcs.push(host);
        let index = store.host_funcs.len() as u32 - 1;
        let type_id = store.inner.engine.type_id(&ty);
        Func::push(
            &mut store.inner,
            FuncKind::Host { index },
            Arc::new(ty),
            type_id,
        )
    }

    pub(crate) fn push(
        inner: &mut StoreInner,
        kind: FuncKind,
        ty: Arc<FuncType>,
        type_id: u32,
    ) -> Func {
        let id = inner.funcs.len() as u32;
        inner.funcs.push(FuncData {
            kind,
            ty,
            vmref: VMFuncRef::new(type_id, id),
        });
        Func {
            store: inner.id,
            index: id,
        }
    }

    /// The function's type.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        (*inner.funcs[self.index as usize].ty).clone()
    }

    /// Calls the function with `params`, writing its results into `results`.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let store = store.as_context_mut().0;
        let (ty, mut slots) = self.prepare_call(store, params, results.len())?;
        crate::interp::invoke(store, self.index, &mut slots)?;
        write_results(&ty, &slots, results, store);
        Ok(())
    }

    /// Checks `params` and the number of results against the function's type; returns the
    /// type and the argument cells.
    pub(crate) fn prepare_call<T>(
        &self,
        store: &Store<T>,
        params: &[Val],
        num_results: usize,
    ) -> Result<(Arc<FuncType>, Vec<ValRaw>)> {
        store.inner.check(self.store);
        let ty = store.inner.funcs[self.index as usize].ty.clone();
        if params.len() != ty.params().len() {
            return Err(Error::usage(format!(
                "wrong number of arguments: expected {}, got {}",
                ty.params().len(),
                params.len()
            )));
        }
        for (i, (p, t)) in params.iter().zip(ty.params()).enumerate() {
            if !p.matches(&store.inner, *t) {
                return Err(Error::usage(format!(
                    "argument {i} has type {}, expected {t}",
                    p.ty()
                )));
            }
        }
        if num_results != ty.results().len() {
            return Err(Error::usage(format!(
                "wrong number of results: expected {}, got {}",
                ty.results().len(),
                num_results
            )));
        }
        let mut slots = vec![ValRaw::default(); ty.params().len().max(ty.results().len())];
        for (s, p) in slots.iter_mut().zip(params) {
            *s = p.to_raw(&store.inner);
        }
        Ok((ty, slots))
    }

    /// A typed view of this function, checked against `Params` and `Results`.
    pub fn typed<P: WasmParams, R: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<P, R>> {
        let ty = self.ty(&store);
        let want = FuncType::new(P::valtypes(), R::valtypes());
        if ty != want {
            return Err(Error::usage(format!(
                "type mismatch: the function has type `{ty}`, asked for `{want}`"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// Calls store function `func` with scalar arguments and results (typed functions' values):
/// the low halves of the call's cells, which stay on the host stack for up to 16 values.
fn invoke_scalars<T>(store: &mut Store<T>, func: u32, slots: &mut [u64]) -> Result<()> {
    let mut buf = [ValRaw::default(); 16];
    let mut heap;
    let cells: &mut [ValRaw] = if slots.len() <= buf.len() {
        &mut buf[..slots.len()]
    } else {
        heap = vec![ValRaw::default(); slots.len()];
        &mut heap
    };
    for (c, s) in cells.iter_mut().zip(slots.iter()) {
        *c = ValRaw::from_bits(*s);
    }
    crate::interp::invoke(store, func, cells)?;
    for (s, c) in slots.iter_mut().zip(cells.iter()) {
        *s = c.bits();
    }
    Ok(())
}

/// Converts the result cells of a call of type `ty` into `results`.
pub(crate) fn write_results<T>(
    ty: &FuncType,
    slots: &[ValRaw],
    results: &mut [Val],
    store: &Store<T>,
) {
    for ((r, t), s) in results.iter_mut().zip(ty.results()).zip(slots) {
        *r = Val::from_raw(*s, *t, &store.inner);
    }
}

fn dynamic_host_fn<T>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<()> + Send + Sync + 'static,
) -> Arc<HostFn<T>> {
    Arc::new(move |caller: Caller<'_, T>, raw: &mut [ValRaw]| call_dynamic(&ty, &f, caller, raw))
}

/// Calls a host function over [`Val`]s with arguments and results in raw cells.
pub(crate) fn call_dynamic<T>(
    ty: &FuncType,
    f: &DynHostFn<T>,
    caller: Caller<'_, T>,
    raw: &mut [ValRaw],
) -> Result<()> {
    let Caller { store, instance } = caller;
    let params: Vec<Val> = ty
        .params()
        .iter()
        .zip(raw.iter())
        .map(|(t, r)| Val::from_raw(*r, *t, &store.inner))
        .collect();
    let mut results: Vec<Val> = ty
        .results()
        .iter()
        .map(|t| Val::from_bits(0, *t, &store.inner))
        .collect();
    f(
        Caller {
            store: &mut *store,
            instance,
        },
        &params,
        &mut results,
    )?;
    let store_id = store.inner.id;
    for (i, (r, t)) in results.iter().zip(ty.results()).enumerate() {
        let same_store = match r {
            Val::FuncRef(Some(f)) => f.store == store_id,
            Val::ExternRef(Some(e)) => e.store == store_id,
            _ => true,
        };
        if !same_store || !r.matches(&store.inner, *t) {
            return Err(Error::msg(format!(
                "host function returned a {} as result {i}, expected {t}",
                r.ty()
            )));
        }
        raw[i] = r.to_raw(&store.inner);
    }
    Ok(())
}

/// A host function's view of the store while WebAssembly calls it: the host data and the
/// calling instance's exports (e.g. its memory).
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut Store<T>,
    pub(crate) instance: Option<u32>,
}

impl<T> Caller<'_, T> {
    /// The host data.
    pub fn data(&self) -> &T {
        self.store.data()
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        self.store.data_mut()
    }

    /// The engine.
    pub fn engine(&self) -> &crate::Engine {
        self.store.engine()
    }

    /// An export of the calling instance, such as its `memory`.
    pub fn get_export(&mut self, name: &str) -> Option<Extern> {
        let instance = self.instance?;
        crate::instance::export_by_name(&self.store.inner, instance, name)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.store)
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.store)
    }
}

/// A Rust type that is a WebAssembly value type.
pub trait WasmTy: Sized + 'static {
    #[doc(hidden)]
    fn valtype() -> ValType;
    #[doc(hidden)]
    fn from_slot(bits: u64, inner: &StoreInner) -> Self;
    #[doc(hidden)]
    fn into_slot(self, inner: &StoreInner) -> u64;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, |$b:ident| $from:expr, |$v:ident| $into:expr) => {
        impl WasmTy for $t {
            fn valtype() -> ValType {
                ValType::$vt
            }
            fn from_slot($b: u64, _inner: &StoreInner) -> Self {
                $from
            }
            fn into_slot(self, _inner: &StoreInner) -> u64 {
                let $v = self;
                $into
            }
        }
    };
}

wasm_ty!(i32, I32, |b| b as u32 as i32, |v| u64::from(v as u32));
wasm_ty!(u32, I32, |b| b as u32, |v| u64::from(v));
wasm_ty!(i64, I64, |b| b as i64, |v| v as u64);
wasm_ty!(u64, I64, |b| b, |v| v);
wasm_ty!(f32, F32, |b| f32::from_bits(b as u32), |v| u64::from(
    v.to_bits()
));
wasm_ty!(f64, F64, |b| f64::from_bits(b), |v| v.to_bits());

impl WasmTy for Option<Func> {
    fn valtype() -> ValType {
        ValType::FUNCREF
    }
    fn from_slot(bits: u64, inner: &StoreInner) -> Self {
        func_from_bits(bits, inner)
    }
    fn into_slot(self, inner: &StoreInner) -> u64 {
        Val::FuncRef(self).to_bits(inner)
    }
}

impl WasmTy for Option<ExternRef> {
    fn valtype() -> ValType {
        ValType::EXTERNREF
    }
    fn from_slot(bits: u64, inner: &StoreInner) -> Self {
        extern_from_bits(bits, inner)
    }
    fn into_slot(self, inner: &StoreInner) -> u64 {
        Val::ExternRef(self).to_bits(inner)
    }
}

/// A list of WebAssembly values as a Rust type: `()`, a single [`WasmTy`], or a tuple.
pub trait WasmParams: Sized + 'static {
    #[doc(hidden)]
    fn valtypes() -> Vec<ValType>;
    #[doc(hidden)]
    fn store_slots(self, inner: &StoreInner, slots: &mut [u64]);
    #[doc(hidden)]
    fn load_slots(inner: &StoreInner, slots: &[u64]) -> Self;
}

/// Results of a typed function: the same shapes as [`WasmParams`].
pub trait WasmResults: WasmParams {}
impl<T: WasmParams> WasmResults for T {}

impl<A: WasmTy> WasmParams for A {
    fn valtypes() -> Vec<ValType> {
        vec![A::valtype()]
    }
    fn store_slots(self, inner: &StoreInner, slots: &mut [u64]) {
        slots[0] = self.into_slot(inner);
    }
    fn load_slots(inner: &StoreInner, slots: &[u64]) -> Self {
        A::from_slot(slots[0], inner)
    }
}

macro_rules! wasm_params_tuple {
    ($($a:ident $i:tt),*) => {
        impl<$($a: WasmTy),*> WasmParams for ($($a,)*) {
            fn valtypes() -> Vec<ValType> {
                vec![$($a::valtype()),*]
            }
            #[allow(unused_variables)]
            fn store_slots(self, inner: &StoreInner, slots: &mut [u64]) {
                $(slots[$i] = self.$i.into_slot(inner);)*
            }
            #[allow(unused_variables, clippy::unused_unit)]
            fn load_slots(inner: &StoreInner, slots: &[u64]) -> Self {
                ($($a::from_slot(slots[$i], inner),)*)
            }
        }
    };
}

wasm_params_tuple!();
wasm_params_tuple!(A 0);
wasm_params_tuple!(A 0, B 1);
wasm_params_tuple!(A 0, B 1, C 2);
wasm_params_tuple!(A 0, B 1, C 2, D 3);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
wasm_params_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);

/// What a host closure may return: results, or `Result` of results.
pub trait WasmRet: 'static {
    #[doc(hidden)]
    type Results: WasmResults;
    #[doc(hidden)]
    fn into_result(self) -> Result<Self::Results>;
}

impl<R: WasmResults> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R> {
    type Results = R;
    fn into_result(self) -> Result<R> {
        self
    }
}

/// A Rust closure that can become a host function.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_func(self) -> (FuncType, Arc<HostFn<T>>);
}

macro_rules! into_func {
    ($($a:ident),*) => {
        #[allow(non_snake_case)]
        impl<T, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, ($($a,)*), R> for F
        where
            F: Fn($($a),*) -> R + Send + Sync + 'static,
        {
            fn into_func(self) -> (FuncType, Arc<HostFn<T>>) {
                let with_caller = move |_: Caller<'_, T>, $($a: $a),*| (self)($($a),*);
                <_ as IntoFunc<T, (Caller<'_, T>, $($a,)*), R>>::into_func(with_caller)
            }
        }

        #[allow(non_snake_case)]
        impl<T, F, $($a: WasmTy,)* R: WasmRet> IntoFunc<T, (Caller<'_, T>, $($a,)*), R> for F
        where
            F: Fn(Caller<'_, T>, $($a),*) -> R + Send + Sync + 'static,
        {
            fn into_func(self) -> (FuncType, Arc<HostFn<T>>) {
                let ty = FuncType::new(
                    <($($a,)*) as WasmParams>::valtypes(),
                    R::Results::valtypes(),
                );
                let host = move |caller: Caller<'_, T>, raw: &mut [ValRaw]| -> Result<()> {
                    let mut slots = [0u64; 16];
                    for (s, r) in slots.iter_mut().zip(raw.iter()) {
                        *s = r.bits();
                    }
                    let ($($a,)*) = <($($a,)*) as WasmParams>::load_slots(&caller.store.inner, &slots);
                    let Caller { store, instance } = caller;
                    let results = (self)(Caller { store: &mut *store, instance }, $($a),*).into_result()?;
                    results.store_slots(&store.inner, &mut slots);
                    let n = R::Results::valtypes().len();
                    for (r, s) in raw.iter_mut().zip(&slots[..n]) {
                        *r = ValRaw::from_bits(*s);
                    }
                    Ok(())
                };
                (ty, Arc::new(host))
            }
        }
    };
}

into_func!();
into_func!(A1);
into_func!(A1, A2);
into_func!(A1, A2, A3);
into_func!(A1, A2, A3, A4);
into_func!(A1, A2, A3, A4, A5);
into_func!(A1, A2, A3, A4, A5, A6);
into_func!(A1, A2, A3, A4, A5, A6, A7);
into_func!(A1, A2, A3, A4, A5, A6, A7, A8);
into_func!(A1, A2, A3, A4, A5, A6, A7, A8, A9);
into_func!(A1, A2, A3, A4, A5, A6, A7, A8, A9, A10);

/// A function with statically known parameter and result types.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<P, R> Copy for TypedFunc<P, R> {}

impl<P: WasmParams, R: WasmResults> TypedFunc<P, R> {
    /// Calls the function.
    pub fn call(&self, mut store: impl AsContextMut, params: P) -> Result<R> {
        let store = store.as_context_mut().0;
        store.inner.check(self.func.store);
        let n = P::valtypes().len().max(R::valtypes().len());
        if n <= 16 {
            let mut slots = [0u64; 16];
            params.store_slots(&store.inner, &mut slots);
            invoke_scalars(store, self.func.index, &mut slots[..n])?;
            Ok(R::load_slots(&store.inner, &slots))
        } else {
            let mut slots = vec![0u64; n];
            params.store_slots(&store.inner, &mut slots);
            invoke_scalars(store, self.func.index, &mut slots)?;
            Ok(R::load_slots(&store.inner, &slots))
        }
    }

    /// The untyped function.
    pub fn func(&self) -> &Func {
        &self.func
    }
}
