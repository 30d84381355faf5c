//! What executing WebAssembly costs in fuel: the one table the translator (static costs per
//! block) and the runtime (costs proportional to bytes, elements and pages) both read.

/// Fuel costs per class of instruction. The defaults: every instruction 1, except the
/// structural ones that do no work (`nop`, `drop`, `block`, `loop`, `end`, `else`), which are
/// free; calls 2; `memory.grow` 1 plus 64 per page grown; bulk memory and table operations
/// 1 plus 1 per 64 bytes touched (a table element counts as 8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FuelCosts {
    /// Any instruction not in another class.
    pub base: u32,
    /// Each load.
    pub load: u32,
    /// Each store.
    pub store: u32,
    /// Each `call` and `call_indirect`.
    pub call: u32,
    /// Each page (64 KiB) `memory.grow` adds, on top of `base`; also each 1024 table elements
    /// `table.grow` adds.
    pub memory_grow_per_page: u32,
    /// Bulk operations (`memory.fill/copy/init`, `table.fill/copy/init`) cost `base` plus one
    /// unit per this many bytes touched (at least 1).
    pub bulk_bytes_per_fuel: u32,
}

impl Default for FuelCosts {
    fn default() -> Self {
        FuelCosts {
            base: 1,
            load: 1,
            store: 1,
            call: 2,
            memory_grow_per_page: 64,
            bulk_bytes_per_fuel: 64,
        }
    }
}

impl FuelCosts {
    /// The fuel a bulk operation over `bytes` bytes costs on top of its static cost.
    pub fn bulk(&self, bytes: u64) -> u64 {
        bytes / u64::from(self.bulk_bytes_per_fuel.max(1))
    }

    /// The fuel growing a memory by `pages` pages costs on top of its static cost.
    pub fn grow_pages(&self, pages: u64) -> u64 {
        pages.saturating_mul(u64::from(self.memory_grow_per_page))
    }
}
