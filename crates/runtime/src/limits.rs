//! Resource limits: what a store may allocate on behalf of the code it runs.
//!
//! A host running untrusted code installs a [`ResourceLimiter`] on its store (usually
//! [`StoreLimits`], built with [`StoreLimitsBuilder`]). The store consults it before it
//! creates or grows a memory or a table and before it adds an instance, table or memory, and
//! refuses what the limiter refuses: instantiation and `Memory::new`/`Table::new` fail with
//! an error naming the limit; `memory.grow`/`table.grow` return -1 (or trap with
//! [`TrapCode::ResourceLimitExceeded`](crate::TrapCode::ResourceLimitExceeded) when the limiter
//! returns an error, as [`StoreLimitsBuilder::trap_on_grow_failure`] asks);
//! [`Memory::grow`](crate::Memory::grow) and [`Table::grow`](crate::Table::grow) return an
//! error.
//!
//! Independently of any limiter, memories and tables are allocated zeroed by the OS
//! ([`ZeroedBuf`]): a module declaring 4 GiB of memory costs address space, not resident
//! memory, until it writes to it; an allocation that fails is a failed growth (-1) or an
//! instantiation error, never an abort.

use crate::{Error, Result};
use std::ops::{Deref, DerefMut};
use std::sync::{Mutex, PoisonError};

/// Decides whether a store may create or grow memories and tables, and how many instances,
/// tables and memories it may hold. Install one with [`Store::limiter`](crate::Store::limiter).
///
/// Sizes are in bytes for memories and in elements for tables. `maximum` is the maximum the
/// memory's or table's type declares, if any. Returning `Ok(false)` refuses quietly (the
/// growth fails: -1 in WebAssembly, an error for the host); returning an error makes
/// WebAssembly code trap with
/// [`TrapCode::ResourceLimitExceeded`](crate::TrapCode::ResourceLimitExceeded).
///
/// Unlike wasmtime, whose `Store::limiter` takes a closure that finds the limiter inside the
/// store's data `T`, the store owns its limiter: the interpreter's dispatch loop sees only
/// the part of the store that does not depend on `T`. A limiter that must share state with
/// the host (to report what it refused, say) can hold an `Arc<Mutex<..>>`.
pub trait ResourceLimiter: Send {
    /// A memory of `current` bytes is about to grow to `desired` bytes (`current` is 0 when
    /// the memory is being created). `Ok(true)` allows it.
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// A table of `current` elements is about to grow to `desired` elements (`current` is 0
    /// when the table is being created). `Ok(true)` allows it.
    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool>;

    /// A growth that [`ResourceLimiter::memory_growing`] allowed failed anyway (past the
    /// memory's declared maximum, or out of host memory). `Err` turns the failure into a
    /// trap; the default keeps it a failed growth.
    fn memory_grow_failed(&mut self, error: Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// Like [`ResourceLimiter::memory_grow_failed`], for tables.
    fn table_grow_failed(&mut self, error: Error) -> Result<()> {
        let _ = error;
        Ok(())
    }

    /// Most instances the store may hold (default 10,000).
    fn instances(&self) -> usize {
        DEFAULT_COUNT
    }

    /// Most tables the store may hold, host-created ones included (default 10,000).
    fn tables(&self) -> usize {
        DEFAULT_COUNT
    }

    /// Most memories the store may hold, host-created ones included (default 10,000).
    fn memories(&self) -> usize {
        DEFAULT_COUNT
    }
}

const DEFAULT_COUNT: usize = 10_000;

/// The usual [`ResourceLimiter`]: fixed limits, built with [`StoreLimitsBuilder`].
#[derive(Debug, Clone)]
pub struct StoreLimits {
    memory_size: Option<usize>,
    table_elements: Option<usize>,
    instances: usize,
    tables: usize,
    memories: usize,
    trap_on_grow_failure: bool,
}

impl Default for StoreLimits {
    /// No limit on sizes, 10,000 instances, tables and memories, growth failures are -1.
    fn default() -> StoreLimits {
        StoreLimits {
            memory_size: None,
            table_elements: None,
            instances: DEFAULT_COUNT,
            tables: DEFAULT_COUNT,
            memories: DEFAULT_COUNT,
            trap_on_grow_failure: false,
        }
    }
}

/// Builds [`StoreLimits`].
///
/// ```
/// use wvm::{Engine, Linker, Module, Store, StoreLimitsBuilder};
///
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// store.limiter(StoreLimitsBuilder::new().memory_size(1 << 20).build());
/// let module = Module::new(&engine, "(module (memory 17))")?;
/// let err = Linker::new(&engine).instantiate(&mut store, &module).unwrap_err();
/// assert!(err.to_string().contains("memory size limit"), "{err}");
/// # Ok::<(), wvm::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct StoreLimitsBuilder(StoreLimits);

impl StoreLimitsBuilder {
    /// Limits as in [`StoreLimits::default`].
    pub fn new() -> StoreLimitsBuilder {
        StoreLimitsBuilder::default()
    }

    /// Most bytes of any one memory.
    pub fn memory_size(mut self, bytes: usize) -> Self {
        self.0.memory_size = Some(bytes);
        self
    }

    /// Most elements of any one table.
    pub fn table_elements(mut self, elements: usize) -> Self {
        self.0.table_elements = Some(elements);
        self
    }

    /// Most instances in the store.
    pub fn instances(mut self, n: usize) -> Self {
        self.0.instances = n;
        self
    }

    /// Most tables in the store.
    pub fn tables(mut self, n: usize) -> Self {
        self.0.tables = n;
        self
    }

    /// Most memories in the store.
    pub fn memories(mut self, n: usize) -> Self {
        self.0.memories = n;
        self
    }

    /// Whether a `memory.grow` or `table.grow` that fails (over these limits, past the
    /// declared maximum, or out of host memory) traps instead of returning -1 (default
    /// `false`).
    pub fn trap_on_grow_failure(mut self, trap: bool) -> Self {
        self.0.trap_on_grow_failure = trap;
        self
    }

    /// The limits.
    pub fn build(self) -> StoreLimits {
        self.0
    }
}

impl StoreLimits {
    fn refuse(&self, what: &str, desired: usize, unit: &str, limit: usize) -> Result<bool> {
        if self.trap_on_grow_failure {
            return Err(Error::msg(format!(
                "{what} of {desired} {unit} would exceed the store's limit of {limit} {unit}"
            )));
        }
        Ok(false)
    }
}

impl ResourceLimiter for StoreLimits {
    fn memory_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        match self.memory_size {
            Some(limit) if desired > limit => self.refuse("memory", desired, "bytes", limit),
            _ => Ok(true),
        }
    }

    fn table_growing(&mut self, _: usize, desired: usize, _: Option<usize>) -> Result<bool> {
        match self.table_elements {
            Some(limit) if desired > limit => self.refuse("table", desired, "elements", limit),
            _ => Ok(true),
        }
    }

    fn memory_grow_failed(&mut self, error: Error) -> Result<()> {
        match self.trap_on_grow_failure {
            true => Err(error),
            false => Ok(()),
        }
    }

    fn table_grow_failed(&mut self, error: Error) -> Result<()> {
        self.memory_grow_failed(error)
    }

    fn instances(&self) -> usize {
        self.instances
    }

    fn tables(&self) -> usize {
        self.tables
    }

    fn memories(&self) -> usize {
        self.memories
    }
}

/// The store's limiter, if the host installed one. The mutex only makes the store `Sync`
/// (a limiter need only be `Send`); it is never locked, since every use has `&mut`.
#[derive(Default)]
pub(crate) struct LimiterSlot(Option<Mutex<Box<dyn ResourceLimiter>>>);

impl LimiterSlot {
    pub(crate) fn set(&mut self, limiter: Box<dyn ResourceLimiter>) {
        self.0 = Some(Mutex::new(limiter));
    }

    pub(crate) fn get(&mut self) -> Option<&mut dyn ResourceLimiter> {
        let m = self.0.as_mut()?;
        Some(&mut **m.get_mut().unwrap_or_else(PoisonError::into_inner))
    }

    /// Fails if the store, holding `have` objects of a kind, may not hold `adding` more.
    pub(crate) fn check_count(
        &mut self,
        what: &str,
        have: usize,
        adding: usize,
        limit: fn(&dyn ResourceLimiter) -> usize,
    ) -> Result<()> {
        let Some(l) = self.get() else { return Ok(()) };
        let limit = limit(l);
        if adding > 0 && have.saturating_add(adding) > limit {
            return Err(Error::msg(format!(
                "resource limit exceeded: the store may hold at most {limit} {what}"
            )));
        }
        Ok(())
    }
}

/// A growable buffer whose elements start as zero, allocated so that untouched parts stay
/// untouched: the allocator gets zeroed memory (`calloc`, which takes big blocks straight
/// from the OS as lazily mapped zero pages), the buffer reserves more than it shows, and
/// growing within the reservation writes nothing. It dereferences to the visible part.
///
/// Invariant: every element of `buf` past `len` is zero (nothing writes past `len`, and the
/// visible part never shrinks).
pub(crate) struct ZeroedBuf<T> {
    buf: Vec<T>,
    len: usize,
}

/// Bytes per OS page: the unit in which reallocation skips untouched (all-zero) memory.
const OS_PAGE: usize = 4096;

impl<T: Copy + PartialEq + Default> ZeroedBuf<T> {
    /// `len` zero elements, or `None` if they cannot be allocated.
    pub(crate) fn new(len: usize) -> Option<ZeroedBuf<T>> {
        Some(ZeroedBuf {
            buf: alloc_zeroed(len)?,
            len,
        })
    }

    /// Grows to `new_len` elements, the new ones zero. Past the reservation, reallocates
    /// with room to double (up to `max_len`), so that a run of small growths copies
    /// O(log n) times; copies only the OS pages that hold something. Returns `false`, leaving
    /// the buffer as it was, if memory cannot be allocated.
    pub(crate) fn grow(&mut self, new_len: usize, max_len: usize) -> bool {
        if new_len <= self.buf.len() {
            self.len = self.len.max(new_len);
            return true;
        }
        let roomy = self.buf.len().saturating_mul(2).min(max_len).max(new_len);
        let Some(mut buf) = alloc_zeroed(roomy).or_else(|| alloc_zeroed(new_len)) else {
            return false;
        };
        let per_page = (OS_PAGE / size_of::<T>().max(1)).max(1);
        let zero = T::default();
        let (old, new) = (&self.buf[..self.len], &mut buf[..self.len]);
        for (src, dst) in old.chunks(per_page).zip(new.chunks_mut(per_page)) {
            // No early exit: the comparison vectorizes, and untouched pages read as the
            // shared zero page.
            if src.iter().fold(false, |any, &x| any | (x != zero)) {
                dst.copy_from_slice(src);
            }
        }
        self.buf = buf;
        self.len = new_len;
        true
    }

    /// The start of the buffer (for the VM definitions).
    pub(crate) fn as_mut_ptr(&mut self) -> *mut T {
        self.buf.as_mut_ptr()
    }
}

/// `n` zero elements, or `None` if the allocator cannot provide them.
fn alloc_zeroed<T: Copy + PartialEq + Default>(n: usize) -> Option<Vec<T>> {
    // `vec![zero; n]` asks the allocator for zeroed memory, but aborts the process if it
    // cannot get it: ask for the same block fallibly first, and give it back.
    let mut probe: Vec<T> = Vec::new();
    probe.try_reserve_exact(n).ok()?;
    drop(probe);
    Some(vec![T::default(); n])
}

impl<T> Deref for ZeroedBuf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.buf[..self.len]
    }
}

impl<T> DerefMut for ZeroedBuf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.buf[..self.len]
    }
}

#[cfg(test)]
mod tests {
    use super::ZeroedBuf;

    #[test]
    fn zeroed_buf_grows_within_and_past_its_reservation() {
        let mut b = ZeroedBuf::<u8>::new(10).unwrap();
        b[3] = 7;
        assert!(b.grow(10, 100));
        assert!(b.grow(9000, 100_000));
        assert_eq!(b.len(), 9000);
        assert_eq!((b[3], b[8999]), (7, 0));
        b[8999] = 1;
        // Past the reservation by one: room for twice as much (18,000) ...
        assert!(b.grow(9001, 100_000));
        // ... so within it nothing moves.
        let p = b.as_mut_ptr();
        assert!(b.grow(12_000, 100_000));
        assert_eq!(b.as_mut_ptr(), p);
        assert_eq!((b[3], b[8999], b[11_999]), (7, 1, 0));
        assert!(!b.grow(usize::MAX / 2, usize::MAX));
        assert_eq!(b.len(), 12_000);

        let mut t = ZeroedBuf::<u64>::new(0).unwrap();
        assert!(t.grow(5000, 5000));
        t[4999] = u64::MAX;
        assert!(t.grow(6000, 6000));
        assert_eq!((t[0], t[4999], t[5999]), (0, u64::MAX, 0));
    }
}
