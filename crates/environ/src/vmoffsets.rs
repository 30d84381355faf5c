//! The one place where the layout of the VM data structures is written down.
//!
//! The runtime defines these structures as `#[repr(C)]` types in `wvm::vm` and its tests tie
//! every `offset_of!` to the numbers here; a native tier will emit loads and stores at exactly
//! these offsets, so the interpreter and compiled code share one data model.
//!
//! - `VMMemoryDefinition { base: *mut u8, current_length: usize }`
//! - `VMTableDefinition  { base: *mut VMRef, current_elements: usize }` where a table element
//!   (`VMRef`) is one 64-bit cell: 0 is null, otherwise the store's function or externref id + 1.
//! - `VMGlobalDefinition { storage: [u8; 16] }`, 16-byte aligned, little-endian value cell.
//! - `VMFuncRef { wasm_call: *const u8, type_index: u32, func_id: u32, vmctx: *mut u8 }`.
//! - `ValRaw`: the 16-byte little-endian cell of the calling convention between host,
//!   interpreter and native code.

/// Offsets and sizes of the VM structures for a target pointer size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VMOffsets {
    /// Size of a pointer on the target, in bytes (4 or 8).
    pub ptr: u8,
}

impl VMOffsets {
    /// Layout for a target with pointers of `ptr` bytes.
    pub const fn new(ptr: u8) -> VMOffsets {
        VMOffsets { ptr }
    }

    /// Layout for the host this code runs on.
    pub const fn host() -> VMOffsets {
        VMOffsets::new(std::mem::size_of::<usize>() as u8)
    }

    pub const fn vmmemory_definition_base(&self) -> u8 {
        0
    }
    pub const fn vmmemory_definition_current_length(&self) -> u8 {
        self.ptr
    }
    pub const fn size_of_vmmemory_definition(&self) -> u8 {
        2 * self.ptr
    }

    pub const fn vmtable_definition_base(&self) -> u8 {
        0
    }
    pub const fn vmtable_definition_current_elements(&self) -> u8 {
        self.ptr
    }
    pub const fn size_of_vmtable_definition(&self) -> u8 {
        2 * self.ptr
    }
    pub const fn size_of_vmref(&self) -> u8 {
        8
    }

    pub const fn size_of_vmglobal_definition(&self) -> u8 {
        16
    }
    pub const fn align_of_vmglobal_definition(&self) -> u8 {
        16
    }

    pub const fn vmfuncref_wasm_call(&self) -> u8 {
        0
    }
    pub const fn vmfuncref_type_index(&self) -> u8 {
        self.ptr
    }
    pub const fn vmfuncref_func_id(&self) -> u8 {
        self.ptr + 4
    }
    pub const fn vmfuncref_vmctx(&self) -> u8 {
        self.ptr + 8
    }
    pub const fn size_of_vmfuncref(&self) -> u8 {
        2 * self.ptr + 8
    }

    pub const fn size_of_val_raw(&self) -> u8 {
        16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_for_64_and_32_bit_targets() {
        let o = VMOffsets::new(8);
        assert_eq!(o.size_of_vmmemory_definition(), 16);
        assert_eq!(o.vmfuncref_vmctx(), 16);
        assert_eq!(o.size_of_vmfuncref(), 24);
        let o = VMOffsets::new(4);
        assert_eq!(o.vmmemory_definition_current_length(), 4);
        assert_eq!(o.vmfuncref_vmctx(), 12);
        assert_eq!(o.size_of_vmfuncref(), 16);
    }
}
