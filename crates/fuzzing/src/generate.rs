//! Module generation (wasm-smith, restricted to what WVM implements) and byte mutation.

use arbitrary::{Result, Unstructured};

/// Most 64 KiB pages any generated memory may have, initially or after growing.
pub const MAX_MEMORY_PAGES: u64 = 64;

/// Most elements any generated table may have, initially or after growing.
pub const MAX_TABLE_ELEMENTS: u64 = 1_000;

/// How a generated module is kept from running forever.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Termination {
    /// wasm-smith's `ensure_termination`: a fuel global, decremented at every function entry
    /// and loop head and by the length of every bulk operation, traps with `unreachable`
    /// when it runs out. Deterministic, so two engines trap at the same instruction.
    FuelGlobal(u32),
    /// Nothing in the module: the engine must bound the run itself (WVM's fuel).
    None,
}

/// The wasm-smith configuration: WebAssembly 2.0 minus SIMD, which is what WVM implements,
/// with small memories and tables so that a run stays cheap.
///
/// On: multi-value, bulk memory, reference types (several tables), sign extension,
/// saturating float-to-int conversions, mutable globals. Off: SIMD and relaxed SIMD,
/// threads, tail calls, exceptions, GC and function references, memory64, multi-memory,
/// custom page sizes, wide arithmetic, extended constant expressions, compact imports,
/// custom descriptors, shared-everything threads. NaNs are canonicalized after every float
/// operation that may produce one, so that memory contents compare byte for byte between
/// engines.
pub fn smith_config() -> wasm_smith::Config {
    wasm_smith::Config {
        // Off: everything past WebAssembly 2.0, and SIMD.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        threads_enabled: false,
        shared_everything_threads_enabled: false,
        tail_call_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        custom_page_sizes_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        compact_imports_enabled: false,
        custom_descriptors_enabled: false,
        acquire_release_atomics_enabled: false,
        multibyte_array_access_enabled: false,
        max_memories: 1,
        // On: the rest of 2.0.
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        multi_value_enabled: true,
        sign_extension_ops_enabled: true,
        saturating_float_to_int_enabled: true,
        max_tables: 3,
        // Small, bounded items.
        max_memory32_bytes: MAX_MEMORY_PAGES * 65536,
        memory_max_size_required: true,
        max_table_elements: MAX_TABLE_ELEMENTS,
        table_max_size_required: true,
        // Every function, memory, global and table is exported: called and compared.
        export_everything: true,
        min_types: 1,
        // Deterministic across engines.
        canonicalize_nans: true,
        allow_invalid_funcs: false,
        ..wasm_smith::Config::default()
    }
}

/// Generates a valid module from `u` with [`smith_config`], bounded by `termination`.
///
/// A few knobs come from `u` too: at least 1 to 8 functions (wasm-smith alone stops early
/// on random input), and for half of the modules `disallow_traps`, so that more code runs
/// past the first out-of-bounds access before something traps.
pub fn generate(u: &mut Unstructured<'_>, termination: Termination) -> Result<Vec<u8>> {
    let mut config = smith_config();
    config.min_funcs = u.int_in_range(1..=8)?;
    config.disallow_traps = u.arbitrary()?;
    let mut module = wasm_smith::Module::new(config, u)?;
    if let Termination::FuelGlobal(fuel) = termination {
        // Fails only for function bodies made of raw bytes, which the config forbids.
        module
            .ensure_termination(fuel)
            .map_err(|_| arbitrary::Error::IncorrectFormat)?;
    }
    Ok(module.to_bytes())
}

/// A few random edits of `wasm`: flipped bits, overwritten, inserted and deleted bytes,
/// duplicated or removed runs, a truncation. Keeps most of the structure, so the result
/// gets past the header and into the sections, where the interesting decoding is.
pub fn mutate(wasm: &[u8], u: &mut Unstructured<'_>) -> Vec<u8> {
    let mut out = wasm.to_vec();
    let edits = u.int_in_range(1..=4u8).unwrap_or(1);
    for _ in 0..edits {
        if out.is_empty() {
            out.push(u.arbitrary().unwrap_or(0));
            continue;
        }
        let at = u.choose_index(out.len()).unwrap_or(0);
        match u.int_in_range(0..=7u8).unwrap_or(0) {
            0 => out[at] ^= 1 << u.int_in_range(0..=7u8).unwrap_or(0),
            1 => out[at] = u.arbitrary().unwrap_or(0xff),
            2 => out.insert(at, u.arbitrary().unwrap_or(0x80)),
            3 => {
                out.remove(at);
            }
            4 => {
                // An LEB128-ish extreme: sizes and counts are where decoders go wrong.
                let big: &[u8] = if u.arbitrary().unwrap_or(false) {
                    &[0xff, 0xff, 0xff, 0xff, 0x0f]
                } else {
                    &[0x80, 0x80, 0x80, 0x80, 0x00]
                };
                out.splice(at..(at + 1).min(out.len()), big.iter().copied());
            }
            5 => {
                let len = u.int_in_range(1..=16usize).unwrap_or(1).min(out.len() - at);
                let run: Vec<u8> = out[at..at + len].to_vec();
                let to = u.choose_index(out.len()).unwrap_or(0);
                out.splice(to..to, run);
            }
            6 => {
                let len = u.int_in_range(1..=16usize).unwrap_or(1).min(out.len() - at);
                out.drain(at..at + len);
            }
            _ => out.truncate(at),
        }
    }
    out
}
