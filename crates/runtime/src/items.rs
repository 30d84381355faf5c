//! Memories, tables, globals, and the [`Extern`] that names any of them.

use crate::store::{GlobalData, MemoryData, TableData};
use crate::vm::VMGlobalDefinition;
use crate::{
    AsContext, AsContextMut, Error, ExternType, Func, GlobalType, MemoryType, Mutability, Ref,
    Result, TableType, Val,
};
use wvm_environ::TrapCode;

/// A linear memory. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Memory {
    /// A new memory of type `ty`, owned by the host.
    /// Fails if the store's [`ResourceLimiter`](crate::ResourceLimiter) refuses it.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let inner = &mut store.as_context_mut().0.inner;
        if ty.minimum() > ty.max_pages() {
            return Err(Error::usage(format!(
                "memory minimum exceeds {} pages",
                ty.max_pages()
            )));
        }
        let have = inner.memories.len();
        inner
            .limiter
            .check_count("memories", have, 1, |l| l.memories())?;
        let m = MemoryData::new(ty, inner.limiter.get())?;
        inner.memories.push(m);
        Ok(Memory {
            store: inner.id,
            index: inner.memories.len() as u32 - 1,
        })
    }

    fn data_ref<'a>(&self, inner: &'a crate::store::StoreInner) -> &'a MemoryData {
        inner.check(self.store);
        &inner.memories[self.index as usize]
    }

    /// The memory's type, with its current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let m = self.data_ref(&store.as_context().0.inner);
        let ty = match m.ty.is_64() {
            true => MemoryType::new64(m.pages(), m.ty.maximum()),
            false => MemoryType::new(m.pages() as u32, m.ty.maximum().map(|v| v as u32)),
        };
        ty.with_page_size_log2(m.ty.page_size_log2())
    }

    /// Current size in pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        self.data_ref(&store.as_context().0.inner).pages()
    }

    /// Current size in bytes.
    pub fn data_size(&self, store: impl AsContext) -> usize {
        self.data_ref(&store.as_context().0.inner).data.len()
    }

    /// Grows by `delta` pages; returns the previous size in pages. Fails past the memory's
    /// maximum, when the host is out of memory, or when the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter) refuses (with the limiter's error if it
    /// gave one).
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store);
        inner.memories[self.index as usize]
            .grow(delta, inner.limiter.get())?
            .ok_or_else(|| Error::msg(format!("failed to grow memory by {delta} pages")))
    }

    /// The memory's bytes.
    pub fn data<'a, C: AsContext + 'a>(&self, store: &'a C) -> &'a [u8] {
        &self.data_ref(&store.as_context().0.inner).data
    }

    /// The memory's bytes, mutably.
    pub fn data_mut<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContextMut<'a, T>>,
    ) -> &'a mut [u8] {
        let ctx: crate::StoreContextMut<'a, T> = store.into();
        let inner = &mut ctx.0.inner;
        inner.check(self.store);
        &mut inner.memories[self.index as usize].data[..]
    }

    /// The memory's bytes and the host data at once, for host functions that move data
    /// between guest memory and their own state (a WASI implementation, for one).
    pub fn data_and_store_mut<'a, T: 'a>(
        &self,
        store: impl Into<crate::StoreContextMut<'a, T>>,
    ) -> (&'a mut [u8], &'a mut T) {
        let ctx: crate::StoreContextMut<'a, T> = store.into();
        let (inner, data) = ctx.0.inner_and_data_mut();
        inner.check(self.store);
        (&mut inner.memories[self.index as usize].data[..], data)
    }

    /// Copies `buf.len()` bytes at `offset` into `buf`.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let ctx = store.as_context();
        let data = &self.data_ref(&ctx.0.inner).data;
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::trap(TrapCode::MemoryOutOfBounds))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store);
        let data = &mut inner.memories[self.index as usize].data;
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::trap(TrapCode::MemoryOutOfBounds))?;
        dst.copy_from_slice(buf);
        Ok(())
    }

    /// Page size in bytes: 65536, or 1 for a memory declared with custom page size 1.
    pub fn page_size(&self, store: impl AsContext) -> u64 {
        self.data_ref(&store.as_context().0.inner).ty.page_size()
    }
}

impl<'a, T> From<&'a mut crate::Store<T>> for crate::StoreContextMut<'a, T> {
    fn from(s: &'a mut crate::Store<T>) -> Self {
        crate::StoreContextMut(s)
    }
}

impl<'a, T> From<&'a mut crate::Caller<'_, T>> for crate::StoreContextMut<'a, T> {
    fn from(c: &'a mut crate::Caller<'_, T>) -> Self {
        crate::StoreContextMut(c.store)
    }
}

/// A table of references. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Table {
    /// A new table of type `ty` with every element set to `init`. Fails if the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter) refuses it.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Ref) -> Result<Table> {
        let inner = &mut store.as_context_mut().0.inner;
        if !init.matches(inner, ty.element()) {
            return Err(Error::usage("table initial value has the wrong type"));
        }
        let have = inner.tables.len();
        inner
            .limiter
            .check_count("tables", have, 1, |l| l.tables())?;
        let bits = init.to_bits(inner);
        let t = TableData::new(ty, bits, inner.limiter.get())?;
        inner.tables.push(t);
        Ok(Table {
            store: inner.id,
            index: inner.tables.len() as u32 - 1,
        })
    }

    /// The table's type, with its current size as minimum.
    pub fn ty(&self, store: impl AsContext) -> TableType {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        let t = &inner.tables[self.index as usize];
        let len = t.elements.len();
        match t.ty.is_64() {
            true => TableType::new64(t.ty.element(), len as u64, t.ty.maximum()),
            false => TableType::new(t.ty.element(), len as u32, t.ty.maximum().map(|m| m as u32)),
        }
    }

    /// Current number of elements.
    pub fn size(&self, store: impl AsContext) -> u64 {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        inner.tables[self.index as usize].elements.len() as u64
    }

    /// Element `index`, if in bounds.
    pub fn get(&self, store: impl AsContext, index: u64) -> Option<Ref> {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        let t = &inner.tables[self.index as usize];
        let bits = *t.elements.get(usize::try_from(index).ok()?)?;
        Some(Ref::from_bits(bits, t.ty.element(), inner))
    }

    /// Sets element `index`.
    pub fn set(&self, mut store: impl AsContextMut, index: u64, value: Ref) -> Result<()> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store);
        let bits = value.to_bits(inner);
        if !value.matches(inner, inner.tables[self.index as usize].ty.element()) {
            return Err(Error::usage("table element has the wrong type"));
        }
        let t = &mut inner.tables[self.index as usize];
        let slot = usize::try_from(index)
            .ok()
            .and_then(|i| t.elements.get_mut(i))
            .ok_or_else(|| Error::trap(TrapCode::TableOutOfBounds))?;
        *slot = bits;
        Ok(())
    }

    /// Grows by `delta` elements set to `init`; returns the previous size. Fails past the
    /// table's maximum, when the host is out of memory, or when the store's
    /// [`ResourceLimiter`](crate::ResourceLimiter) refuses (with the limiter's error if it
    /// gave one).
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64, init: Ref) -> Result<u64> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store);
        let bits = init.to_bits(inner);
        if !init.matches(inner, inner.tables[self.index as usize].ty.element()) {
            return Err(Error::usage("table element has the wrong type"));
        }
        let t = &mut inner.tables[self.index as usize];
        t.grow(delta, bits, inner.limiter.get())?
            .ok_or_else(|| Error::msg(format!("failed to grow table by {delta} elements")))
    }
}

/// A global variable. A handle into a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: u64,
    pub(crate) index: u32,
}

impl Global {
    /// A new global of type `ty` holding `value`.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let inner = &mut store.as_context_mut().0.inner;
        if !value.matches(inner, ty.content()) {
            return Err(Error::usage(format!(
                "global of type {} initialized with a {}",
                ty.content(),
                value.ty()
            )));
        }
        let mut def = VMGlobalDefinition::default();
        def.storage[0] = value.to_bits(inner);
        if let Val::V128(v) = value {
            def.storage[1] = (v >> 64) as u64;
        }
        inner.globals.push(GlobalData { def, ty });
        Ok(Global {
            store: inner.id,
            index: inner.globals.len() as u32 - 1,
        })
    }

    /// The global's type.
    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        inner.globals[self.index as usize].ty
    }

    /// The current value.
    pub fn get(&self, store: impl AsContext) -> Val {
        let inner = &store.as_context().0.inner;
        inner.check(self.store);
        let g = &inner.globals[self.index as usize];
        match g.ty.content() {
            wvm_environ::ValType::V128 => {
                Val::V128(u128::from(g.def.storage[0]) | (u128::from(g.def.storage[1]) << 64))
            }
            t => Val::from_bits(g.def.storage[0], t, inner),
        }
    }

    /// Sets the value of a mutable global.
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let inner = &mut store.as_context_mut().0.inner;
        inner.check(self.store);
        let bits = value.to_bits(inner);
        let ty = inner.globals[self.index as usize].ty;
        if ty.mutability() != Mutability::Var {
            return Err(Error::usage("cannot set an immutable global"));
        }
        if !value.matches(inner, ty.content()) {
            return Err(Error::usage(format!(
                "cannot set a global of type {} to a {}",
                ty.content(),
                value.ty()
            )));
        }
        let g = &mut inner.globals[self.index as usize];
        g.def.storage[0] = bits;
        if let Val::V128(v) = value {
            g.def.storage[1] = (v >> 64) as u64;
        }
        Ok(())
    }
}

/// Any item an instance can import or export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    Func(Func),
    Global(Global),
    Table(Table),
    Memory(Memory),
    Tag(crate::Tag),
}

impl Extern {
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    pub fn into_tag(self) -> Option<crate::Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The item's current type.
    pub fn ty(&self, store: impl AsContext) -> ExternType {
        match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)),
            Extern::Global(g) => ExternType::Global(g.ty(store)),
            Extern::Table(t) => ExternType::Table(t.ty(store)),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)),
        }
    }
}

impl From<crate::Tag> for Extern {
    fn from(t: crate::Tag) -> Extern {
        Extern::Tag(t)
    }
}
impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
