//! Store: owns every runtime object (functions, memories, tables, globals, instances) and
//! the host's data. Handles such as [`Func`](crate::Func) are indices into a store.

use crate::func::HostFn;
use crate::interp::CodeSlot;
use crate::limits::{LimiterSlot, ResourceLimiter, ZeroedBuf};
use crate::vm::{VMFuncRef, VMGlobalDefinition, VMMemoryDefinition, VMTableDefinition};
use crate::{Engine, Error, Module, Result};
use std::any::Any;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use wvm_environ::{FuncType, GlobalType, MemoryType, TableType};

static NEXT_STORE_ID: AtomicU64 = AtomicU64::new(1);

/// Owns all WebAssembly objects of one embedding context, and the host's data `T`.
pub struct Store<T> {
    pub(crate) inner: StoreInner,
    pub(crate) host_funcs: Vec<Arc<HostFn<T>>>,
    data: T,
}

/// A host function's place in [`Store::host_funcs`] and its type.
pub(crate) enum FuncKind {
    /// Function `def` (among those its module defines) of instance `instance`; `code` is
    /// where its module keeps its translation, so a call reaches the code without going
    /// through the instance and the module.
    Wasm {
        instance: u32,
        def: u32,
        code: CodeSlot,
    },
    Host {
        index: u32,
    },
}

pub(crate) struct FuncData {
    pub(crate) kind: FuncKind,
    pub(crate) ty: Arc<FuncType>,
    pub(crate) vmref: VMFuncRef,
}

pub(crate) struct MemoryData {
    /// The memory's bytes: zeroed by the OS, untouched until written (see [`ZeroedBuf`]).
    pub(crate) data: ZeroedBuf<u8>,
    pub(crate) ty: MemoryType,
    pub(crate) def: VMMemoryDefinition,
}

/// `pages` of `ty` in bytes; saturates where `usize` cannot hold it.
fn page_bytes(ty: &MemoryType, pages: u64) -> usize {
    usize::try_from(pages.saturating_mul(ty.page_size())).unwrap_or(usize::MAX)
}

/// A growth the limiter allowed failed: the limiter decides between -1 and a trap.
fn grow_failed(
    limiter: Option<&mut dyn ResourceLimiter>,
    memory: bool,
    why: &str,
) -> Result<Option<u64>> {
    if let Some(l) = limiter {
        let e = Error::msg(why);
        match memory {
            true => l.memory_grow_failed(e)?,
            false => l.table_grow_failed(e)?,
        }
    }
    Ok(None)
}

impl MemoryData {
    /// A memory of type `ty` (its minimum at most 65536 pages), if `limiter` allows it and
    /// it can be allocated.
    pub(crate) fn new(
        ty: MemoryType,
        limiter: Option<&mut dyn ResourceLimiter>,
    ) -> Result<MemoryData> {
        let pages = ty.minimum();
        let bytes = page_bytes(&ty, pages);
        if let Some(l) = limiter
            && !l.memory_growing(0, bytes, ty.maximum().map(|m| page_bytes(&ty, m)))?
        {
            return Err(Error::msg(format!(
                "memory of {pages} pages ({bytes} bytes) exceeds the store's memory size limit"
            )));
        }
        let data = ZeroedBuf::new(bytes)
            .ok_or_else(|| Error::msg(format!("cannot allocate a memory of {pages} pages")))?;
        let mut m = MemoryData {
            data,
            ty,
            def: VMMemoryDefinition {
                base: std::ptr::null_mut(),
                current_length: 0,
            },
        };
        m.refresh();
        Ok(m)
    }

    fn refresh(&mut self) {
        self.def.base = self.data.as_mut_ptr();
        self.def.current_length = self.data.len();
    }

    pub(crate) fn pages(&self) -> u64 {
        self.data.len() as u64 >> self.ty.page_size_log2()
    }

    /// Grows by `delta` pages if `limiter` allows it; returns the old size in pages, or
    /// `None` if the memory cannot grow (`memory.grow`'s -1). An error is the limiter's:
    /// the growth must trap.
    pub(crate) fn grow(
        &mut self,
        delta: u64,
        mut limiter: Option<&mut dyn ResourceLimiter>,
    ) -> Result<Option<u64>> {
        let old = self.pages();
        if delta == 0 {
            return Ok(Some(old));
        }
        let new = old.saturating_add(delta);
        let ty = self.ty;
        if let Some(l) = limiter.as_deref_mut()
            && !l.memory_growing(
                page_bytes(&ty, old),
                page_bytes(&ty, new),
                ty.maximum().map(|m| page_bytes(&ty, m)),
            )?
        {
            return Ok(None);
        }
        let max = ty.maximum().unwrap_or(u64::MAX).min(ty.max_pages());
        if new > max || page_bytes(&ty, new) == usize::MAX {
            return grow_failed(limiter, true, "memory maximum size exceeded");
        }
        if !self.data.grow(page_bytes(&ty, new), page_bytes(&ty, max)) {
            return grow_failed(limiter, true, "cannot allocate memory to grow into");
        }
        self.refresh();
        Ok(Some(old))
    }
}

pub(crate) struct TableData {
    /// The elements: zeroed (null) by the OS, untouched until written.
    pub(crate) elements: ZeroedBuf<u64>,
    pub(crate) ty: TableType,
    pub(crate) def: VMTableDefinition,
}

impl TableData {
    /// A table of type `ty` with every element `init`, if `limiter` allows it and it can be
    /// allocated.
    pub(crate) fn new(
        ty: TableType,
        init: u64,
        limiter: Option<&mut dyn ResourceLimiter>,
    ) -> Result<TableData> {
        let n = ty.minimum() as usize;
        if let Some(l) = limiter
            && !l.table_growing(0, n, ty.maximum().map(|m| m as usize))?
        {
            return Err(Error::msg(format!(
                "table of {n} elements exceeds the store's table elements limit"
            )));
        }
        let mut elements = ZeroedBuf::new(n)
            .ok_or_else(|| Error::msg(format!("cannot allocate a table of {n} elements")))?;
        if init != 0 {
            elements.fill(init);
        }
        let mut t = TableData {
            elements,
            ty,
            def: VMTableDefinition {
                base: std::ptr::null_mut(),
                current_elements: 0,
            },
        };
        t.refresh();
        Ok(t)
    }

    fn refresh(&mut self) {
        self.def.base = self.elements.as_mut_ptr();
        self.def.current_elements = self.elements.len();
    }

    /// Grows by `delta` elements set to `init` if `limiter` allows it; returns the old size,
    /// or `None` if the table cannot grow (`table.grow`'s -1). An error is the limiter's: the
    /// growth must trap.
    pub(crate) fn grow(
        &mut self,
        delta: u64,
        init: u64,
        mut limiter: Option<&mut dyn ResourceLimiter>,
    ) -> Result<Option<u64>> {
        let old = self.elements.len();
        if delta == 0 {
            return Ok(Some(old as u64));
        }
        let new = usize::try_from(delta)
            .ok()
            .and_then(|d| old.checked_add(d))
            .unwrap_or(usize::MAX);
        let declared = self.ty.maximum().map(|m| m as usize);
        if let Some(l) = limiter.as_deref_mut()
            && !l.table_growing(old, new, declared)?
        {
            return Ok(None);
        }
        let limit = usize::try_from(self.ty.index_limit()).unwrap_or(usize::MAX);
        let max = declared.unwrap_or(limit).min(limit);
        if new > max {
            return grow_failed(limiter, false, "table maximum size exceeded");
        }
        if !self.elements.grow(new, max) {
            return grow_failed(limiter, false, "cannot allocate memory to grow into");
        }
        if init != 0 {
            self.elements[old..].fill(init);
        }
        self.refresh();
        Ok(Some(old as u64))
    }
}

pub(crate) struct GlobalData {
    pub(crate) def: VMGlobalDefinition,
    pub(crate) ty: GlobalType,
}

pub(crate) struct InstanceData {
    pub(crate) module: Module,
    /// Store ids of the instance's functions, tables, memories and globals, by module index.
    pub(crate) funcs: Box<[u32]>,
    pub(crate) tables: Box<[u32]>,
    pub(crate) memories: Box<[u32]>,
    pub(crate) globals: Box<[u32]>,
    pub(crate) tags: Box<[u32]>,
}

/// The parts of an instance that instructions change (`data.drop`, `elem.drop`).
pub(crate) struct InstanceState {
    pub(crate) data_dropped: Box<[bool]>,
    /// Element segments resolved to references; emptied when dropped.
    pub(crate) elems: Box<[Box<[u64]>]>,
}

/// Everything in a store that does not depend on the host data type.
#[doc(hidden)]
pub struct StoreInner {
    pub(crate) id: u64,
    pub(crate) engine: Engine,
    pub(crate) funcs: Vec<FuncData>,
    pub(crate) memories: Vec<MemoryData>,
    pub(crate) tables: Vec<TableData>,
    pub(crate) globals: Vec<GlobalData>,
    pub(crate) instances: Vec<InstanceData>,
    pub(crate) instance_state: Vec<InstanceState>,
    pub(crate) externrefs: Vec<Box<dyn Any + Send + Sync>>,
    /// Exception tags (see [`crate::Tag`]).
    pub(crate) tags: Vec<crate::exn::TagData>,
    /// Exceptions thrown (see [`crate::ExnRef`]).
    pub(crate) exns: Vec<crate::exn::ExnData>,
    /// VM stacks kept for reuse between calls.
    /// Value stacks (scalar and vector cells) of finished activations, for reuse.
    pub(crate) stack_pool: Vec<(Vec<u64>, Vec<u128>)>,
    /// How many host -> Wasm calls are active at once (re-entrance depth).
    pub(crate) nesting: usize,
    /// Fuel left (when the engine meters fuel).
    pub(crate) fuel: u64,
    /// The epoch at which running code is interrupted (when the engine checks epochs).
    pub(crate) epoch_deadline: u64,
    /// The host's resource limiter, if any (see [`Store::limiter`]).
    pub(crate) limiter: LimiterSlot,
}

impl<T> Store<T> {
    /// The objects and the host data, borrowed apart.
    pub(crate) fn inner_and_data_mut(&mut self) -> (&mut StoreInner, &mut T) {
        (&mut self.inner, &mut self.data)
    }

    /// A new store for `engine` holding host data `data`.
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        Store {
            inner: StoreInner {
                id: NEXT_STORE_ID.fetch_add(1, Ordering::Relaxed),
                engine: engine.clone(),
                funcs: Vec::new(),
                memories: Vec::new(),
                tables: Vec::new(),
                globals: Vec::new(),
                instances: Vec::new(),
                instance_state: Vec::new(),
                externrefs: Vec::new(),
                tags: Vec::new(),
                exns: Vec::new(),
                stack_pool: Vec::new(),
                nesting: 0,
                fuel: 0,
                epoch_deadline: 0,
                limiter: LimiterSlot::default(),
            },
            host_funcs: Vec::new(),
            data,
        }
    }

    /// The host data.
    pub fn data(&self) -> &T {
        &self.data
    }

    /// The host data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// Consumes the store, returning the host data.
    pub fn into_data(self) -> T {
        self.data
    }

    /// The engine of this store.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// Installs `limiter` to bound what the store allocates from now on: memory and table
    /// sizes at creation and on every growth (from WebAssembly or the host), and how many
    /// instances, tables and memories the store holds. See [`ResourceLimiter`] and
    /// [`StoreLimits`](crate::StoreLimits). Replaces any limiter installed before; objects
    /// already created stay as they are.
    ///
    /// wasmtime's `Store::limiter` takes a closure that finds the limiter inside the store's
    /// data `T` on each use; here the store owns the limiter, because the interpreter sees
    /// only the part of the store that does not depend on `T`. Share state with the host
    /// through the limiter itself (an `Arc<Mutex<..>>` field) if needed.
    pub fn limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        self.inner.limiter.set(Box::new(limiter));
    }

    /// Sets the fuel left to `fuel`. Fails unless the engine meters fuel
    /// ([`Config::consume_fuel`](crate::Config::consume_fuel)).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<()> {
        self.fuel_enabled()?;
        self.inner.fuel = fuel;
        Ok(())
    }

    /// The fuel left. Fails unless the engine meters fuel.
    pub fn get_fuel(&self) -> Result<u64> {
        self.fuel_enabled()?;
        Ok(self.inner.fuel)
    }

    fn fuel_enabled(&self) -> Result<()> {
        if self.inner.engine.config().fuel.is_none() {
            return Err(crate::Error::usage(
                "fuel is not enabled: use Config::consume_fuel(true)",
            ));
        }
        Ok(())
    }

    /// Interrupts running code once the engine's epoch reaches the current epoch plus
    /// `ticks` (see [`Config::epoch_interruption`](crate::Config::epoch_interruption) and
    /// [`Engine::increment_epoch`]). A new store's deadline is the epoch 0, so with epoch
    /// interruption on, set a deadline before calling into it.
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        let now = self.inner.engine.epoch_counter().load(Ordering::Acquire);
        self.inner.epoch_deadline = now.saturating_add(ticks);
    }
}

/// A shared borrow of a store.
pub struct StoreContext<'a, T>(pub(crate) &'a Store<T>);

/// An exclusive borrow of a store.
pub struct StoreContextMut<'a, T>(pub(crate) &'a mut Store<T>);

impl<T> StoreContext<'_, T> {
    pub fn data(&self) -> &T {
        self.0.data()
    }
}

impl<T> StoreContextMut<'_, T> {
    pub fn data(&self) -> &T {
        self.0.data()
    }
    pub fn data_mut(&mut self) -> &mut T {
        self.0.data_mut()
    }
}

/// Something that can lend a shared borrow of a store: `&Store<T>`, `&mut Store<T>`,
/// a [`Caller`](crate::Caller), ...
pub trait AsContext {
    type Data;
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Something that can lend an exclusive borrow of a store.
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self)
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self)
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext(self.0)
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut(self.0)
    }
}

impl<C: AsContext + ?Sized> AsContext for &C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContext + ?Sized> AsContext for &mut C {
    type Data = C::Data;
    fn as_context(&self) -> StoreContext<'_, C::Data> {
        (**self).as_context()
    }
}

impl<C: AsContextMut + ?Sized> AsContextMut for &mut C {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, C::Data> {
        (**self).as_context_mut()
    }
}

impl StoreInner {
    /// Panics if a handle from another store is used with this one, as wasmtime does.
    pub(crate) fn check(&self, store_id: u64) {
        assert_eq!(
            self.id, store_id,
            "object used with the wrong store: handles belong to the store that created them"
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn store_is_send_and_sync() {
        fn assert<T: Send + Sync>() {}
        assert::<super::Store<()>>();
        assert::<crate::Engine>();
        assert::<crate::Module>();
    }
}
