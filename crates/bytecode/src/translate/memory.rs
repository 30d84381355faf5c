//! Translation of the memory and table operators: loads, stores, `memory.*`, `table.*`,
//! `data.drop` and `elem.drop`.

use super::{CompileError, Translator};
use crate::instr::{Instr, Load, Store, memarg};
use wvm_environ::wasmparser::{MemArg, MemArgTarget, Operator};

/// The memory a memory argument names (GC array targets do not validate without GC).
fn memory_of(m: &MemArg) -> u32 {
    match m.target {
        MemArgTarget::Memory(i) | MemArgTarget::Array(i) => i,
    }
}

impl Translator<'_> {
    /// Whether memory `mem` has 64-bit addresses.
    fn is_memory64(&self, mem: u32) -> bool {
        self.info
            .memories
            .get(mem as usize)
            .is_some_and(|t| t.is_64())
    }

    /// Whether `m` names memory 0 with 32-bit addresses, which the fast load and store
    /// instructions serve.
    fn is_fast_memory(&self, m: &MemArg) -> bool {
        memory_of(m) == 0 && !self.is_memory64(0)
    }

    /// The `Extra` word of an instruction accessing memory through `m` (see
    /// [`Instr::LoadX`]), with `a` in its first field.
    pub(super) fn memarg_extra(&mut self, a: u32, m: &MemArg) {
        let mem = memory_of(m);
        let b = memarg(mem, self.is_memory64(mem));
        let c = (m.offset >> 32) as u32;
        self.code.push(Instr::Extra { a, b, c });
    }

    /// A byte index of the `u8` fields that name memories in bulk instructions (validation
    /// allows at most 100 memories).
    fn mem_u8(&self, mem: u32) -> Result<u8, CompileError> {
        u8::try_from(mem).map_err(|_| CompileError {
            message: "too many memories".into(),
            offset: self.offset,
        })
    }

    fn load(&mut self, f: fn(Load) -> Instr, m: MemArg) {
        let addr = self.pop();
        let dst = self.push_result();
        let load = f(Load {
            dst,
            addr,
            offset: m.offset as u32,
        });
        match load.as_load() {
            Some((op, l)) if !self.is_fast_memory(&m) => {
                let (dst, addr, offset) = (l.dst, l.addr, l.offset);
                self.produce(Instr::LoadX {
                    op,
                    dst,
                    addr,
                    offset,
                });
                self.memarg_extra(0, &m);
            }
            _ => self.produce(load),
        }
    }

    fn store(&mut self, f: fn(Store) -> Instr, m: MemArg) {
        let value = self.pop();
        let addr = self.pop();
        let store = f(Store {
            addr,
            value,
            offset: m.offset as u32,
        });
        match store.as_store() {
            Some((op, s)) if !self.is_fast_memory(&m) => {
                let offset = s.offset;
                self.emit(Instr::StoreX {
                    op,
                    addr,
                    value,
                    offset,
                });
                self.memarg_extra(0, &m);
            }
            _ => {
                self.emit(store);
            }
        }
    }

    /// Translates a memory or table operator; anything else goes on to the numeric ones.
    pub(super) fn memory_op(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
        use Operator as O;
        match op {
            O::I32Load { memarg } => self.load(Instr::I32Load, memarg),
            O::I64Load { memarg } => self.load(Instr::I64Load, memarg),
            O::F32Load { memarg } => self.load(Instr::F32Load, memarg),
            O::F64Load { memarg } => self.load(Instr::F64Load, memarg),
            O::I32Load8S { memarg } => self.load(Instr::I32Load8S, memarg),
            O::I32Load8U { memarg } => self.load(Instr::I32Load8U, memarg),
            O::I32Load16S { memarg } => self.load(Instr::I32Load16S, memarg),
            O::I32Load16U { memarg } => self.load(Instr::I32Load16U, memarg),
            O::I64Load8S { memarg } => self.load(Instr::I64Load8S, memarg),
            O::I64Load8U { memarg } => self.load(Instr::I64Load8U, memarg),
            O::I64Load16S { memarg } => self.load(Instr::I64Load16S, memarg),
            O::I64Load16U { memarg } => self.load(Instr::I64Load16U, memarg),
            O::I64Load32S { memarg } => self.load(Instr::I64Load32S, memarg),
            O::I64Load32U { memarg } => self.load(Instr::I64Load32U, memarg),
            O::I32Store { memarg } => self.store(Instr::I32Store, memarg),
            O::I64Store { memarg } => self.store(Instr::I64Store, memarg),
            O::F32Store { memarg } => self.store(Instr::F32Store, memarg),
            O::F64Store { memarg } => self.store(Instr::F64Store, memarg),
            O::I32Store8 { memarg } => self.store(Instr::I32Store8, memarg),
            O::I32Store16 { memarg } => self.store(Instr::I32Store16, memarg),
            O::I64Store8 { memarg } => self.store(Instr::I64Store8, memarg),
            O::I64Store16 { memarg } => self.store(Instr::I64Store16, memarg),
            O::I64Store32 { memarg } => self.store(Instr::I64Store32, memarg),
            O::MemorySize { mem } => {
                let dst = self.push_result();
                self.produce(Instr::MemorySize { dst, mem });
            }
            O::MemoryGrow { mem } => {
                let delta = self.pop();
                let dst = self.push_result();
                self.produce(Instr::MemoryGrow { dst, delta, mem });
            }
            O::MemoryFill { mem } => {
                let mem = self.mem_u8(mem)?;
                let (len, value, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryFill {
                    mem,
                    dst,
                    value,
                    len,
                });
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst_mem, src_mem) = (self.mem_u8(dst_mem)?, self.mem_u8(src_mem)?);
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryCopy {
                    dst_mem,
                    src_mem,
                    dst,
                    src,
                    len,
                });
            }
            O::MemoryInit { data_index, mem } => {
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryInit { dst, src, len });
                self.code.push(Instr::Extra {
                    a: data_index,
                    b: mem,
                    c: 0,
                });
            }
            O::DataDrop { data_index } => {
                self.emit(Instr::DataDrop {
                    segment: data_index,
                });
            }
            O::TableGet { table } => {
                let index = self.pop();
                let dst = self.push_result();
                self.produce(Instr::TableGet { dst, index, table });
            }
            O::TableSet { table } => {
                let (value, index) = (self.pop(), self.pop());
                self.emit(Instr::TableSet {
                    index,
                    value,
                    table,
                });
            }
            O::TableSize { table } => {
                let dst = self.push_result();
                self.produce(Instr::TableSize { dst, table });
            }
            O::TableGrow { table } => {
                let (delta, init) = (self.pop(), self.pop());
                let dst = self.push_result();
                self.emit(Instr::TableGrow { dst, init, delta });
                self.code.push(Instr::Extra {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
            O::TableFill { table } => {
                let (len, value, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::TableFill { dst, value, len });
                self.code.push(Instr::Extra {
                    a: table,
                    b: 0,
                    c: 0,
                });
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::TableCopy { dst, src, len });
                self.code.push(Instr::Extra {
                    a: dst_table,
                    b: src_table,
                    c: 0,
                });
            }
            O::TableInit { elem_index, table } => {
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::TableInit { dst, src, len });
                self.code.push(Instr::Extra {
                    a: table,
                    b: elem_index,
                    c: 0,
                });
            }
            O::ElemDrop { elem_index } => {
                self.emit(Instr::ElemDrop {
                    segment: elem_index,
                });
            }
            other => return self.simd_op(other),
        }
        Ok(())
    }
}
