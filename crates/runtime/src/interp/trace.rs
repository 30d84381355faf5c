//! Wasm backtraces of traps.
//!
//! Nothing here runs unless execution traps: the dispatch loop only leaves its state (current
//! function, program counter, frame stack) in the [`Activation`] as it always does, and the
//! driver turns that into [`FrameInfo`]s on the error path. A program counter becomes a byte
//! offset through the translator's side table ([`CompiledFunc::wasm_offset`]).
//!
//! [`CompiledFunc::wasm_offset`]: wvm_bytecode::CompiledFunc::wasm_offset

use super::exec::Activation;
use crate::Module;
use crate::store::{FuncData, FuncKind, InstanceData};
use std::fmt;

/// One WebAssembly frame of a trap's backtrace ([`Trap::trace`](crate::Trap::trace)).
///
/// `Display` prints one line: the optional module name and `!`, then the function's name
/// and index, then the offset in the module binary, e.g. `calc!fib (func 2) at offset 0xa3`,
/// `fib (func 2) at offset 0xa3`, or `<func 7> at offset 0x1f0` for a function without a
/// name; ` at offset ..` is left out when the offset is unknown.
#[derive(Clone)]
pub struct FrameInfo {
    module: Module,
    func_index: u32,
    module_offset: Option<u32>,
    /// Byte offset of the function's body (its local declarations) in the module binary.
    body_start: usize,
}

impl FrameInfo {
    /// The function's index in its module's function index space (imports included).
    pub fn func_index(&self) -> u32 {
        self.func_index
    }

    /// The function's name from the module's name section, if any.
    pub fn func_name(&self) -> Option<&str> {
        self.module.inner.info.func_name(self.func_index)
    }

    /// The module's name from its name section, if any.
    pub fn module_name(&self) -> Option<&str> {
        self.module.name()
    }

    /// Byte offset in the module binary of the instruction that trapped (innermost frame)
    /// or of the call instruction the frame is executing (outer frames).
    pub fn module_offset(&self) -> Option<usize> {
        self.module_offset.map(|o| o as usize)
    }

    /// [`module_offset`](Self::module_offset) relative to the start of the function's body
    /// in the code section (the byte after the body's size, where its locals are declared).
    pub fn func_offset(&self) -> Option<usize> {
        self.module_offset()?.checked_sub(self.body_start)
    }
}

impl fmt::Display for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(m) = self.module_name() {
            write!(f, "{m}!")?;
        }
        match self.func_name() {
            Some(name) => write!(f, "{name} (func {})", self.func_index)?,
            None => write!(f, "<func {}>", self.func_index)?,
        }
        if let Some(offset) = self.module_offset {
            write!(f, " at offset {offset:#x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for FrameInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FrameInfo")
            .field("func_index", &self.func_index)
            .field("func_name", &self.func_name())
            .field("module_name", &self.module_name())
            .field("module_offset", &self.module_offset())
            .field("func_offset", &self.func_offset())
            .finish()
    }
}

/// The Wasm frames of `act` where it stopped, innermost first: the current function at
/// its program counter, then each caller at its call instruction.
pub(crate) fn capture(
    funcs: &[FuncData],
    instances: &[InstanceData],
    act: &Activation,
) -> Vec<FrameInfo> {
    let callers = act.frames.iter().rev().map(|f| (f.func, f.pc as usize));
    std::iter::once((act.func, act.pc))
        .chain(callers)
        .filter_map(|(func, pc)| frame_info(funcs, instances, func, pc))
        .collect()
}

/// The frame of store function `func` stopped with its program counter at `resume_pc`
/// (just past the instruction that trapped or called).
fn frame_info(
    funcs: &[FuncData],
    instances: &[InstanceData],
    func: u32,
    resume_pc: usize,
) -> Option<FrameInfo> {
    let FuncKind::Wasm { instance, def, .. } = funcs[func as usize].kind else {
        return None;
    };
    let module = &instances[instance as usize].module;
    let inner = &module.inner;
    let module_offset = match inner.compiled(def) {
        Ok(cf) => {
            let offset = cf.instr_before(resume_pc).and_then(|pc| cf.wasm_offset(pc));
            debug_assert!(
                offset.is_some(),
                "no Wasm offset recorded before pc {resume_pc}"
            );
            offset
        }
        Err(_) => None,
    };
    Some(FrameInfo {
        module: module.clone(),
        func_index: inner.info.num_imported_funcs + def,
        module_offset,
        body_start: inner.info.func_bodies[def as usize].start,
    })
}
