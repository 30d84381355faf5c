//! The raw VM data layout shared by the interpreter and, later, native code.
//!
//! These `#[repr(C)]` structures are what compiled code will read and write; their offsets
//! are written down once, in [`wvm_environ::VMOffsets`], and the tests below tie the two
//! together. The interpreter keeps them current: a memory's definition is refreshed after
//! every size change, a table's after every growth.

use std::ptr;

/// A linear memory as compiled code sees it: base pointer and current length in bytes.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMMemoryDefinition {
    pub base: *mut u8,
    pub current_length: usize,
}

/// A table as compiled code sees it: base pointer to its 64-bit reference cells and the
/// number of elements.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMTableDefinition {
    pub base: *mut u64,
    pub current_elements: usize,
}

/// One global's storage: a 16-byte little-endian cell (scalars use the low 8 bytes).
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VMGlobalDefinition {
    pub storage: [u64; 2],
}

/// A function reference: native entry point (null for functions the interpreter runs),
/// canonical type id, the store's function id, and the instance context.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    pub wasm_call: *const u8,
    pub type_index: u32,
    pub func_id: u32,
    pub vmctx: *mut u8,
}

impl VMFuncRef {
    pub(crate) fn new(type_index: u32, func_id: u32) -> VMFuncRef {
        VMFuncRef {
            wasm_call: ptr::null(),
            type_index,
            func_id,
            vmctx: ptr::null_mut(),
        }
    }
}

/// The 16-byte little-endian value cell of the calling convention between host,
/// interpreter and native code. Scalars and references use the low 8 bytes.
#[repr(C, align(16))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ValRaw {
    bits: [u64; 2],
}

impl ValRaw {
    /// A cell holding the 64-bit slot value `bits`.
    pub fn from_bits(bits: u64) -> ValRaw {
        ValRaw { bits: [bits, 0] }
    }
    /// A cell holding a 128-bit value.
    pub fn from_u128(v: u128) -> ValRaw {
        ValRaw {
            bits: [v as u64, (v >> 64) as u64],
        }
    }
    /// The low 64 bits.
    pub fn bits(&self) -> u64 {
        self.bits[0]
    }
    /// All 128 bits.
    pub fn u128(&self) -> u128 {
        u128::from(self.bits[0]) | (u128::from(self.bits[1]) << 64)
    }
}

// SAFETY: a `VMMemoryDefinition` only describes bytes owned by the same store's memory
// (`Vec<u8>`); it is read and written only through `&mut` access to that store, so moving it
// to or sharing it with another thread is as safe as doing so with the store itself.
unsafe impl Send for VMMemoryDefinition {}
// SAFETY: see the `Send` impl above; a shared reference allows no mutation through `base`.
unsafe impl Sync for VMMemoryDefinition {}
// SAFETY: a `VMTableDefinition` only describes elements owned by the same store's table;
// the same reasoning as for `VMMemoryDefinition` applies.
unsafe impl Send for VMTableDefinition {}
// SAFETY: see the `Send` impl above.
unsafe impl Sync for VMTableDefinition {}
// SAFETY: `VMFuncRef`'s pointers are null in the interpreter and, for native code, will
// point to immutable code and to the owning store's instance context.
unsafe impl Send for VMFuncRef {}
// SAFETY: see the `Send` impl above.
unsafe impl Sync for VMFuncRef {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{align_of, offset_of, size_of};
    use wvm_environ::VMOffsets;

    #[test]
    fn layout_matches_vmoffsets() {
        let o = VMOffsets::host();
        assert_eq!(
            offset_of!(VMMemoryDefinition, base),
            usize::from(o.vmmemory_definition_base())
        );
        assert_eq!(
            offset_of!(VMMemoryDefinition, current_length),
            usize::from(o.vmmemory_definition_current_length())
        );
        assert_eq!(
            size_of::<VMMemoryDefinition>(),
            usize::from(o.size_of_vmmemory_definition())
        );
        assert_eq!(
            offset_of!(VMTableDefinition, base),
            usize::from(o.vmtable_definition_base())
        );
        assert_eq!(
            offset_of!(VMTableDefinition, current_elements),
            usize::from(o.vmtable_definition_current_elements())
        );
        assert_eq!(
            size_of::<VMTableDefinition>(),
            usize::from(o.size_of_vmtable_definition())
        );
        assert_eq!(size_of::<u64>(), usize::from(o.size_of_vmref()));
        assert_eq!(
            size_of::<VMGlobalDefinition>(),
            usize::from(o.size_of_vmglobal_definition())
        );
        assert_eq!(
            align_of::<VMGlobalDefinition>(),
            usize::from(o.align_of_vmglobal_definition())
        );
        assert_eq!(
            offset_of!(VMFuncRef, wasm_call),
            usize::from(o.vmfuncref_wasm_call())
        );
        assert_eq!(
            offset_of!(VMFuncRef, type_index),
            usize::from(o.vmfuncref_type_index())
        );
        assert_eq!(
            offset_of!(VMFuncRef, func_id),
            usize::from(o.vmfuncref_func_id())
        );
        assert_eq!(
            offset_of!(VMFuncRef, vmctx),
            usize::from(o.vmfuncref_vmctx())
        );
        assert_eq!(size_of::<VMFuncRef>(), usize::from(o.size_of_vmfuncref()));
        assert_eq!(size_of::<ValRaw>(), usize::from(o.size_of_val_raw()));
    }

    #[test]
    fn val_raw_is_little_endian_low_first() {
        let v = ValRaw::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        assert_eq!(v.bits(), 0x090a_0b0c_0d0e_0f10);
        assert_eq!(v.u128(), 0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
    }
}
