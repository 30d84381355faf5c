//! Calls that survive running out of fuel: [`Func::call_resumable`] returns the suspended
//! call instead of a trap, and the host can add fuel and [`ResumableInvocation::resume`] it
//! or drop it.

use std::sync::Arc;

use crate::func::write_results;
use crate::interp::{self, Suspended};
use crate::{AsContextMut, Error, Func, FuncType, Result, Val};

/// How a resumable call ended.
pub enum ResumableCall {
    /// The function returned; its results were written.
    Finished,
    /// Fuel ran out. Add fuel ([`Store::set_fuel`](crate::Store::set_fuel)) and
    /// [`resume`](ResumableInvocation::resume), or drop the invocation to abandon the call.
    OutOfFuel(ResumableInvocation),
}

/// A call suspended because fuel ran out. It resumes at the instruction (the start of a
/// straight-line segment, or a bulk operation) that could not be paid for, in the same store,
/// with everything the guest had done so far kept.
pub struct ResumableInvocation {
    store: u64,
    ty: Arc<FuncType>,
    suspended: Suspended,
}

impl Func {
    /// Calls the function like [`Func::call`], except that running out of fuel suspends the
    /// call instead of trapping: you get [`ResumableCall::OutOfFuel`] with the invocation to
    /// resume once the store has more fuel.
    ///
    /// ```
    /// # fn main() -> wvm::Result<()> {
    /// use wvm::{Config, Engine, Instance, Module, ResumableCall, Store, Val};
    /// let engine = Engine::new(Config::new().consume_fuel(true));
    /// let module = Module::new(&engine, r#"(module (func (export "sum") (param i32) (result i32)
    ///     (local $acc i32)
    ///     (loop $l
    ///       (local.set $acc (i32.add (local.get $acc) (local.get 0)))
    ///       (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    ///     (local.get $acc)))"#)?;
    /// let mut store = Store::new(&engine, ());
    /// let instance = Instance::new(&mut store, &module, &[])?;
    /// let sum = instance.get_func(&mut store, "sum").unwrap();
    /// store.set_fuel(100)?;
    /// let mut results = [Val::I32(0)];
    /// let mut call = sum.call_resumable(&mut store, &[Val::I32(1000)], &mut results)?;
    /// while let ResumableCall::OutOfFuel(invocation) = call {
    ///     store.set_fuel(100)?;
    ///     call = invocation.resume(&mut store, &mut results)?;
    /// }
    /// assert_eq!(results[0].i32(), Some(500500));
    /// # Ok(())
    /// # }
    /// ```
    pub fn call_resumable(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<ResumableCall> {
        let store = store.as_context_mut().0;
        let (ty, mut slots) = self.prepare_call(store, params, results.len())?;
        match interp::invoke_resumable(store, self.index, &mut slots)? {
            None => {
                write_results(&ty, &slots, results, store);
                Ok(ResumableCall::Finished)
            }
            Some(suspended) => Ok(ResumableCall::OutOfFuel(ResumableInvocation {
                store: store.inner.id,
                ty,
                suspended,
            })),
        }
    }
}

impl ResumableInvocation {
    /// Goes on with the call; `results` receives the results when it finishes.
    pub fn resume(
        self,
        mut store: impl AsContextMut,
        results: &mut [Val],
    ) -> Result<ResumableCall> {
        let store = store.as_context_mut().0;
        if store.inner.id != self.store {
            return Err(Error::usage(
                "a resumable invocation must resume in the store it started in",
            ));
        }
        if results.len() != self.ty.results().len() {
            return Err(Error::usage(format!(
                "wrong number of results: expected {}, got {}",
                self.ty.results().len(),
                results.len()
            )));
        }
        let n = self.ty.params().len().max(self.ty.results().len());
        let mut slots = vec![crate::ValRaw::default(); n];
        match interp::resume(store, self.suspended, &mut slots)? {
            None => {
                write_results(&self.ty, &slots, results, store);
                Ok(ResumableCall::Finished)
            }
            Some(suspended) => Ok(ResumableCall::OutOfFuel(ResumableInvocation {
                suspended,
                ..self
            })),
        }
    }
}
