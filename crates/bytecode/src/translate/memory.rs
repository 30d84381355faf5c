//! Translation of the memory and table operators: loads, stores, `memory.*`, `table.*`,
//! `data.drop` and `elem.drop`.

use super::{CompileError, Translator};
use crate::instr::{Instr, Load, Store};
use wvm_environ::wasmparser::{MemArg, Operator};

impl Translator<'_> {
    fn load(&mut self, f: fn(Load) -> Instr, m: MemArg) {
        let addr = self.pop();
        let dst = self.push_result();
        self.produce(f(Load {
            dst,
            addr,
            offset: m.offset as u32,
        }));
    }

    fn store(&mut self, f: fn(Store) -> Instr, m: MemArg) {
        let value = self.pop();
        let addr = self.pop();
        self.emit(f(Store {
            addr,
            value,
            offset: m.offset as u32,
        }));
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
            O::MemorySize { .. } => {
                let dst = self.push_result();
                self.produce(Instr::MemorySize { dst });
            }
            O::MemoryGrow { .. } => {
                let delta = self.pop();
                let dst = self.push_result();
                self.produce(Instr::MemoryGrow { dst, delta });
            }
            O::MemoryFill { .. } => {
                let (len, value, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryFill { dst, value, len });
            }
            O::MemoryCopy { .. } => {
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryCopy { dst, src, len });
            }
            O::MemoryInit { data_index, .. } => {
                let (len, src, dst) = (self.pop(), self.pop(), self.pop());
                self.emit(Instr::MemoryInit { dst, src, len });
                self.code.push(Instr::Extra {
                    a: data_index,
                    b: 0,
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
