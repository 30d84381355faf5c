//! Loads and stores for any memory: memories other than 0, and 64-bit ones
//! ([`Instr::LoadX`], [`Instr::StoreX`]). Both loops send them here; memory 0 with 32-bit
//! addresses keeps its own instructions, whose handlers read the memory from registers.
//! The operators' semantics come from the one list ([`simple_ops!`]).

use super::ops::{Env, Mem, Regs, simple_ops};
use crate::store::InstanceData;
use wvm_bytecode::{Instr, LoadOp, StoreOp};
use wvm_environ::TrapCode;

/// Expands the load and store lists of [`simple_ops!`] into `load` and `store` by operator.
macro_rules! any_memory_ops {
    (
        bin: [$($bin:tt)*],
        bin_trap: [$($bin_trap:tt)*],
        un: [$($un:tt)*],
        un_trap: [$($un_trap:tt)*],
        ld: [$($ln:ident($ls:literal, |$lb:ident| $le:expr)),* $(,)?],
        st: [$($sn:ident(|$sv:ident| $se:expr)),* $(,)?],
        $($rest:tt)*
    ) => {
        /// Load `op` at effective address `ea` of `m`, as a slot's bits.
        fn load(op: LoadOp, m: Mem, ea: u64) -> Option<u64> {
            match op {
                $(LoadOp::$ln => m.load_at::<$ls>(ea).map(|$lb| $le),)*
            }
        }

        /// Store `op` of the slot bits `v` at effective address `ea` of `m`.
        fn store(op: StoreOp, m: Mem, ea: u64, v: u64) -> Option<()> {
            match op {
                $(StoreOp::$sn => {
                    let $sv = v;
                    m.store_at(ea, $se)
                })*
            }
        }
    };
}

simple_ops!(any_memory_ops! {});

/// Runs `i`, a [`wvm_bytecode::any_memory_instr`], whose `Extra` word `extra` holds the
/// memarg and the offset's high half; memory 0 is `mem0`.
///
/// Both instructions are references into the code: a threaded handler that passed the
/// address of one of its own locals could no longer jump to the next handler.
#[inline(never)]
pub(super) fn run(
    i: &Instr,
    extra: &Instr,
    regs: Regs,
    mem0: Mem,
    env: &mut Env<'_>,
    inst: &InstanceData,
) -> Result<(), TrapCode> {
    let oob = TrapCode::MemoryOutOfBounds;
    let &Instr::Extra {
        b: memarg, c: hi, ..
    } = extra
    else {
        return Err(TrapCode::UnreachableCodeReached);
    };
    match *i {
        Instr::LoadX {
            op,
            dst,
            addr,
            offset,
        } => {
            let (m, ea) = env
                .access(inst, mem0, memarg, regs.get(addr), offset, hi)
                .ok_or(oob)?;
            regs.set(dst, load(op, m, ea).ok_or(oob)?);
        }
        Instr::StoreX {
            op,
            addr,
            value,
            offset,
        } => {
            let (m, ea) = env
                .access(inst, mem0, memarg, regs.get(addr), offset, hi)
                .ok_or(oob)?;
            store(op, m, ea, regs.get(value)).ok_or(oob)?;
        }
        _ => return Err(TrapCode::UnreachableCodeReached),
    }
    Ok(())
}
