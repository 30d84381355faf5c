//! The dispatch loop: one `match` over [`Instr`], frames on the VM's own stack.
//!
//! Calls between WebAssembly functions push a [`Frame`] and continue in the same loop, so
//! guest recursion never recurses on the host stack. A call to a host function leaves the
//! loop with [`Exit::Host`]; the driver (in `mod.rs`) runs it with full access to the
//! `Store<T>` and resumes the loop. Nothing here allocates except growing the value stack
//! past its high-water mark.

use std::sync::atomic::Ordering;

use super::num;
use crate::store::{FuncData, FuncKind, InstanceData, StoreInner};
use wvm_bytecode::{Bin, CompiledFunc, Instr, Load, Store, Un};
use wvm_environ::{CompileError, TrapCode};

/// Where a caller resumes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) func: u32,
    pub(crate) pc: u32,
    pub(crate) fp: u32,
}

/// The state of one host -> Wasm call: the value stack, the frames, and where the
/// current function is.
#[derive(Debug, Default)]
pub(crate) struct Activation {
    /// The function the host called (whose results the activation ends with).
    pub(crate) entry: u32,
    pub(crate) stack: Vec<u64>,
    pub(crate) frames: Vec<Frame>,
    pub(crate) func: u32,
    pub(crate) pc: usize,
    pub(crate) fp: usize,
}

/// Why the loop stopped.
pub(crate) enum Exit {
    /// The outermost function returned; its results are in slots `0..n`.
    Return,
    /// Call host function `func` with arguments at absolute slot `base`.
    Host {
        func: u32,
        base: usize,
    },
    Trap(TrapCode),
    Compile(CompileError),
}

/// Limits the loop enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_depth: usize,
    pub(crate) max_slots: usize,
}

/// The code of Wasm function `func` and its instance, translating it if needed.
pub(crate) fn code_of<'a>(
    funcs: &[FuncData],
    instances: &'a [InstanceData],
    func: u32,
) -> Result<(&'a CompiledFunc, u32), Exit> {
    match funcs[func as usize].kind {
        FuncKind::Wasm { instance, def } => {
            match instances[instance as usize].module.inner.compiled(def) {
                Ok(c) => Ok((c, instance)),
                Err(e) => Err(Exit::Compile(e.clone())),
            }
        }
        FuncKind::Host { .. } => Err(Exit::Trap(TrapCode::Host)),
    }
}

/// Prepares a frame for `cf` at `fp`: checks room, sets locals to zero and constants.
#[inline(always)]
pub(crate) fn enter_frame(
    stack: &mut Vec<u64>,
    cf: &CompiledFunc,
    fp: usize,
    limits: Limits,
) -> Result<(), Exit> {
    let end = fp + cf.frame_size as usize;
    if end > stack.len() {
        if end > limits.max_slots {
            return Err(Exit::Trap(TrapCode::StackOverflow));
        }
        let new_len = end.max(stack.len() * 2).clamp(1024, limits.max_slots);
        stack.resize(new_len, 0);
    }
    let start = fp + cf.num_params as usize;
    stack[start..start + cf.template.len()].copy_from_slice(&cf.template);
    Ok(())
}

#[inline(always)]
fn load<const N: usize>(mem: &[u8], addr: u64, offset: u32) -> Option<[u8; N]> {
    let ea = (addr as u32 as usize).checked_add(offset as usize)?;
    let bytes = mem.get(ea..ea.checked_add(N)?)?;
    <[u8; N]>::try_from(bytes).ok()
}

#[inline(always)]
fn store<const N: usize>(mem: &mut [u8], addr: u64, offset: u32, v: [u8; N]) -> Option<()> {
    let ea = (addr as u32 as usize).checked_add(offset as usize)?;
    let end = ea.checked_add(N)?;
    mem.get_mut(ea..end)?.copy_from_slice(&v);
    Some(())
}

/// Checks that `[start, start + len)` lies within `size`; returns the range.
#[inline(always)]
fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let (start, len) = (start as u32 as usize, len as u32 as usize);
    let end = start.checked_add(len)?;
    (end <= size).then_some(start..end)
}

fn f32v(b: u64) -> f32 {
    f32::from_bits(b as u32)
}
fn f64v(b: u64) -> f64 {
    f64::from_bits(b)
}
fn f32b(v: f32) -> u64 {
    u64::from(v.to_bits())
}
fn f64b(v: f64) -> u64 {
    v.to_bits()
}
fn b32(v: bool) -> u64 {
    u64::from(v)
}

/// Runs until the outermost function returns, a host function must be called, or a trap.
pub(crate) fn run(inner: &mut StoreInner, act: &mut Activation, limits: Limits) -> Exit {
    let StoreInner {
        funcs,
        memories,
        tables,
        globals,
        instances,
        instance_state,
        engine,
        fuel,
        epoch_deadline,
        limiter,
        ..
    } = inner;
    let fuel_costs = engine.config().fuel;
    let epoch = engine.epoch_counter();
    let epoch_deadline = *epoch_deadline;
    let funcs: &[FuncData] = funcs;
    let instances: &[InstanceData] = instances;
    let Activation {
        stack,
        frames,
        func: act_func,
        pc: act_pc,
        fp: act_fp,
        ..
    } = act;

    let mut func = *act_func;
    let (cf, mut inst_id) = match code_of(funcs, instances, func) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let mut code: &[Instr] = &cf.code;
    let mut inst = &instances[inst_id as usize];
    let mut mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
    let mut pc = *act_pc;
    let mut fp = *act_fp;

    macro_rules! r {
        ($s:expr) => {
            stack[fp + $s as usize]
        };
    }
    macro_rules! trap {
        ($code:expr) => {{
            *act_func = func;
            *act_pc = pc;
            *act_fp = fp;
            return Exit::Trap($code);
        }};
    }
    macro_rules! extra {
        () => {{
            let Instr::Extra { a, b, c } = code[pc] else {
                trap!(TrapCode::UnreachableCodeReached)
            };
            pc += 1;
            (a, b, c)
        }};
    }
    macro_rules! bin {
        ($b:expr, $get:ident, $put:expr, |$x:ident, $y:ident| $e:expr) => {{
            let Bin { dst, lhs, rhs } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(r!(rhs));
            r!(dst) = $put($e);
        }};
    }
    macro_rules! bin_trap {
        ($b:expr, $get:ident, $put:expr, |$x:ident, $y:ident| $e:expr) => {{
            let Bin { dst, lhs, rhs } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(r!(rhs));
            match $e {
                Ok(v) => r!(dst) = $put(v),
                Err(code) => trap!(code),
            }
        }};
    }
    macro_rules! un {
        ($u:expr, $get:ident, $put:expr, |$x:ident| $e:expr) => {{
            let Un { dst, src } = $u;
            let $x = $get(r!(src));
            r!(dst) = $put($e);
        }};
    }
    macro_rules! un_trap {
        ($u:expr, $get:ident, |$x:ident| $e:expr) => {{
            let Un { dst, src } = $u;
            let $x = $get(r!(src));
            match $e {
                Ok(v) => r!(dst) = v,
                Err(code) => trap!(code),
            }
        }};
    }
    macro_rules! ld {
        ($l:expr, $n:literal, |$b:ident| $e:expr) => {{
            let Load { dst, addr, offset } = $l;
            match load::<$n>(&memories[mem_id].data, r!(addr), offset) {
                Some($b) => r!(dst) = $e,
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
        }};
    }
    macro_rules! st {
        ($s:expr, |$v:ident| $e:expr) => {{
            let Store {
                addr,
                value,
                offset,
            } = $s;
            let $v = r!(value);
            if store(&mut memories[mem_id].data, r!(addr), offset, $e).is_none() {
                trap!(TrapCode::MemoryOutOfBounds)
            }
        }};
    }
    // Charges fuel for work proportional to its size (bulk operations, growth), if metering.
    macro_rules! charge {
        (|$c:ident| $amount:expr) => {{
            if let Some($c) = fuel_costs {
                // The instruction's own cost was charged with its segment.
                let amount: u64 = $amount;
                if *fuel < amount {
                    trap!(TrapCode::OutOfFuel);
                }
                *fuel -= amount;
            }
        }};
    }
    // Switches the loop to the function `func` (instance and memory included).
    macro_rules! switch_to {
        ($cf:expr, $inst:expr) => {{
            code = &$cf.code;
            if $inst != inst_id {
                inst_id = $inst;
                inst = &instances[inst_id as usize];
                mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
            }
        }};
    }
    macro_rules! call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            let new_fp = fp + $base as usize;
            if let FuncKind::Host { .. } = funcs[callee as usize].kind {
                *act_func = func;
                *act_pc = pc;
                *act_fp = fp;
                return Exit::Host {
                    func: callee,
                    base: new_fp,
                };
            }
            if frames.len() >= limits.max_depth {
                trap!(TrapCode::StackOverflow);
            }
            let (cf, callee_inst) = match code_of(funcs, instances, callee) {
                Ok(x) => x,
                Err(e) => return e,
            };
            if let Err(e) = enter_frame(stack, cf, new_fp, limits) {
                *act_func = func;
                *act_pc = pc;
                *act_fp = fp;
                return e;
            }
            frames.push(Frame {
                func,
                pc: pc as u32,
                fp: fp as u32,
            });
            func = callee;
            pc = 0;
            fp = new_fp;
            switch_to!(cf, callee_inst);
        }};
    }

    loop {
        let instr = code[pc];
        pc += 1;
        match instr {
            Instr::Unreachable => trap!(TrapCode::UnreachableCodeReached),
            Instr::Extra { .. } => {}
            Instr::Fuel { cost } => {
                let cost = u64::from(cost);
                if *fuel < cost {
                    trap!(TrapCode::OutOfFuel);
                }
                *fuel -= cost;
            }
            Instr::CheckEpoch => {
                if epoch.load(Ordering::Relaxed) >= epoch_deadline {
                    trap!(TrapCode::Interrupt);
                }
            }
            Instr::CanonF32 { dst, src } => {
                let v = r!(src);
                r!(dst) = if f32v(v).is_nan() { 0x7fc0_0000 } else { v };
            }
            Instr::CanonF64 { dst, src } => {
                let v = r!(src);
                r!(dst) = if f64v(v).is_nan() {
                    0x7ff8_0000_0000_0000
                } else {
                    v
                };
            }
            Instr::Br { target } => pc = target as usize,
            Instr::BrIfNez { cond, target } => {
                if r!(cond) as u32 != 0 {
                    pc = target as usize;
                }
            }
            Instr::BrIfEqz { cond, target } => {
                if r!(cond) as u32 == 0 {
                    pc = target as usize;
                }
            }
            Instr::BrTable { index, len } => {
                pc += (r!(index) as u32).min(len) as usize;
            }
            Instr::Return => match frames.pop() {
                None => {
                    *act_func = func;
                    *act_pc = pc;
                    *act_fp = fp;
                    return Exit::Return;
                }
                Some(f) => {
                    func = f.func;
                    pc = f.pc as usize;
                    fp = f.fp as usize;
                    let (cf, i) = match code_of(funcs, instances, func) {
                        Ok(x) => x,
                        Err(e) => return e,
                    };
                    switch_to!(cf, i);
                }
            },
            Instr::Copy { dst, src } => r!(dst) = r!(src),
            Instr::Select { dst, cond, lhs } => {
                let (rhs, _, _) = extra!();
                r!(dst) = if r!(cond) as u32 != 0 {
                    r!(lhs)
                } else {
                    r!(rhs)
                };
            }
            Instr::Call { func: f, base } => {
                call!(inst.funcs[f as usize], base);
            }
            Instr::CallIndirect { ty, index, base } => {
                let (table, _, _) = extra!();
                let t = &tables[inst.tables[table as usize] as usize].elements;
                let Some(&bits) = t.get(r!(index) as u32 as usize) else {
                    trap!(TrapCode::UndefinedElement)
                };
                if bits == 0 {
                    trap!(TrapCode::IndirectCallToNull);
                }
                let callee = (bits - 1) as u32;
                if funcs[callee as usize].vmref.type_index
                    != inst.module.inner.type_ids[ty as usize]
                {
                    trap!(TrapCode::BadSignature);
                }
                call!(callee, base);
            }
            Instr::GlobalGet { dst, global } => {
                r!(dst) = globals[inst.globals[global as usize] as usize].def.storage[0];
            }
            Instr::GlobalSet { src, global } => {
                globals[inst.globals[global as usize] as usize].def.storage[0] = r!(src);
            }
            Instr::MemorySize { dst } => r!(dst) = memories[mem_id].pages(),
            Instr::MemoryGrow { dst, delta } => {
                let delta = u64::from(r!(delta) as u32);
                // Only growth that can happen costs its pages: a request past the maximum
                // fails (-1) for the static cost alone.
                let m = &memories[mem_id];
                let max = m.ty.maximum().unwrap_or(wvm_environ::WASM32_MAX_PAGES);
                if m.pages().saturating_add(delta) <= max {
                    charge!(|c| c.grow_pages(delta));
                }
                r!(dst) = match memories[mem_id].grow(delta, limiter.get()) {
                    Ok(Some(old)) => old,
                    Ok(None) => u64::from(u32::MAX),
                    Err(_) => trap!(TrapCode::ResourceLimitExceeded),
                };
            }
            Instr::MemoryFill { dst, value, len } => {
                let mem = &mut memories[mem_id].data;
                match range(r!(dst), r!(len), mem.len()) {
                    Some(rg) => {
                        charge!(|c| c.bulk(rg.len() as u64));
                        mem[rg].fill(r!(value) as u8)
                    }
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Instr::MemoryCopy { dst, src, len } => {
                let mem = &mut memories[mem_id].data;
                match (
                    range(r!(src), r!(len), mem.len()),
                    range(r!(dst), r!(len), mem.len()),
                ) {
                    (Some(s), Some(d)) => {
                        charge!(|c| c.bulk(s.len() as u64));
                        mem.copy_within(s, d.start)
                    }
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Instr::MemoryInit { dst, src, len } => {
                let (seg, _, _) = extra!();
                let bytes: &[u8] = if instance_state[inst_id as usize].data_dropped[seg as usize] {
                    &[]
                } else {
                    let module = &inst.module.inner;
                    &module.wasm[module.info.data[seg as usize].range.clone()]
                };
                let mem = &mut memories[mem_id].data;
                match (
                    range(r!(src), r!(len), bytes.len()),
                    range(r!(dst), r!(len), mem.len()),
                ) {
                    (Some(s), Some(d)) => {
                        charge!(|c| c.bulk(s.len() as u64));
                        mem[d].copy_from_slice(&bytes[s])
                    }
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
            }
            Instr::DataDrop { segment } => {
                instance_state[inst_id as usize].data_dropped[segment as usize] = true;
            }
            Instr::TableGet { dst, index, table } => {
                let t = &tables[inst.tables[table as usize] as usize].elements;
                match t.get(r!(index) as u32 as usize) {
                    Some(&v) => r!(dst) = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableSet {
                index,
                value,
                table,
            } => {
                let v = r!(value);
                let t = &mut tables[inst.tables[table as usize] as usize].elements;
                match t.get_mut(r!(index) as u32 as usize) {
                    Some(e) => *e = v,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableSize { dst, table } => {
                r!(dst) = tables[inst.tables[table as usize] as usize].elements.len() as u64;
            }
            Instr::TableGrow { dst, init, delta } => {
                let (table, _, _) = extra!();
                let t = &mut tables[inst.tables[table as usize] as usize];
                let delta_n = u64::from(r!(delta) as u32);
                let max = t.ty.maximum().map_or(u64::from(u32::MAX), u64::from);
                if (t.elements.len() as u64).saturating_add(delta_n) <= max {
                    charge!(|c| c.grow_pages(delta_n / 1024));
                }
                r!(dst) = match t.grow(u64::from(r!(delta) as u32), r!(init), limiter.get()) {
                    Ok(Some(old)) => old,
                    Ok(None) => u64::from(u32::MAX),
                    Err(_) => trap!(TrapCode::ResourceLimitExceeded),
                };
            }
            Instr::TableFill { dst, value, len } => {
                let (table, _, _) = extra!();
                let v = r!(value);
                let t = &mut tables[inst.tables[table as usize] as usize].elements;
                match range(r!(dst), r!(len), t.len()) {
                    Some(rg) => {
                        charge!(|c| c.bulk(rg.len() as u64 * 8));
                        t[rg].fill(v)
                    }
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableCopy { dst, src, len } => {
                let (dt, st, _) = extra!();
                let (dt, st) = (
                    inst.tables[dt as usize] as usize,
                    inst.tables[st as usize] as usize,
                );
                let (d, s, n) = (r!(dst), r!(src), r!(len));
                let (Some(drg), Some(srg)) = (
                    range(d, n, tables[dt].elements.len()),
                    range(s, n, tables[st].elements.len()),
                ) else {
                    trap!(TrapCode::TableOutOfBounds)
                };
                charge!(|c| c.bulk(srg.len() as u64 * 8));
                if dt == st {
                    tables[dt].elements.copy_within(srg, drg.start);
                } else {
                    for (di, si) in drg.zip(srg) {
                        let v = tables[st].elements[si];
                        tables[dt].elements[di] = v;
                    }
                }
            }
            Instr::TableInit { dst, src, len } => {
                let (table, seg, _) = extra!();
                let items = &instance_state[inst_id as usize].elems[seg as usize];
                let t = &mut tables[inst.tables[table as usize] as usize].elements;
                match (
                    range(r!(src), r!(len), items.len()),
                    range(r!(dst), r!(len), t.len()),
                ) {
                    (Some(s), Some(d)) => {
                        charge!(|c| c.bulk(s.len() as u64 * 8));
                        t[d].copy_from_slice(&items[s])
                    }
                    _ => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::ElemDrop { segment } => {
                instance_state[inst_id as usize].elems[segment as usize] = Box::new([]);
            }
            Instr::RefFunc { dst, func: f } => r!(dst) = u64::from(inst.funcs[f as usize]) + 1,

            // Comparisons.
            Instr::I32Eq(b) => bin!(b, u32v, b32, |x, y| x == y),
            Instr::I32Ne(b) => bin!(b, u32v, b32, |x, y| x != y),
            Instr::I32LtS(b) => bin!(b, i32v, b32, |x, y| x < y),
            Instr::I32LtU(b) => bin!(b, u32v, b32, |x, y| x < y),
            Instr::I32GtS(b) => bin!(b, i32v, b32, |x, y| x > y),
            Instr::I32GtU(b) => bin!(b, u32v, b32, |x, y| x > y),
            Instr::I32LeS(b) => bin!(b, i32v, b32, |x, y| x <= y),
            Instr::I32LeU(b) => bin!(b, u32v, b32, |x, y| x <= y),
            Instr::I32GeS(b) => bin!(b, i32v, b32, |x, y| x >= y),
            Instr::I32GeU(b) => bin!(b, u32v, b32, |x, y| x >= y),
            Instr::I64Eq(b) => bin!(b, u64v, b32, |x, y| x == y),
            Instr::I64Ne(b) => bin!(b, u64v, b32, |x, y| x != y),
            Instr::I64LtS(b) => bin!(b, i64v, b32, |x, y| x < y),
            Instr::I64LtU(b) => bin!(b, u64v, b32, |x, y| x < y),
            Instr::I64GtS(b) => bin!(b, i64v, b32, |x, y| x > y),
            Instr::I64GtU(b) => bin!(b, u64v, b32, |x, y| x > y),
            Instr::I64LeS(b) => bin!(b, i64v, b32, |x, y| x <= y),
            Instr::I64LeU(b) => bin!(b, u64v, b32, |x, y| x <= y),
            Instr::I64GeS(b) => bin!(b, i64v, b32, |x, y| x >= y),
            Instr::I64GeU(b) => bin!(b, u64v, b32, |x, y| x >= y),
            Instr::F32Eq(b) => bin!(b, f32v, b32, |x, y| x == y),
            Instr::F32Ne(b) => bin!(b, f32v, b32, |x, y| x != y),
            Instr::F32Lt(b) => bin!(b, f32v, b32, |x, y| x < y),
            Instr::F32Gt(b) => bin!(b, f32v, b32, |x, y| x > y),
            Instr::F32Le(b) => bin!(b, f32v, b32, |x, y| x <= y),
            Instr::F32Ge(b) => bin!(b, f32v, b32, |x, y| x >= y),
            Instr::F64Eq(b) => bin!(b, f64v, b32, |x, y| x == y),
            Instr::F64Ne(b) => bin!(b, f64v, b32, |x, y| x != y),
            Instr::F64Lt(b) => bin!(b, f64v, b32, |x, y| x < y),
            Instr::F64Gt(b) => bin!(b, f64v, b32, |x, y| x > y),
            Instr::F64Le(b) => bin!(b, f64v, b32, |x, y| x <= y),
            Instr::F64Ge(b) => bin!(b, f64v, b32, |x, y| x >= y),

            // Integer arithmetic.
            Instr::I32Add(b) => bin!(b, u32v, u64::from, |x, y| x.wrapping_add(y)),
            Instr::I32Sub(b) => bin!(b, u32v, u64::from, |x, y| x.wrapping_sub(y)),
            Instr::I32Mul(b) => bin!(b, u32v, u64::from, |x, y| x.wrapping_mul(y)),
            Instr::I32DivS(b) => bin_trap!(b, i32v, from_i32, |x, y| num::i32_div_s(x, y)),
            Instr::I32DivU(b) => bin_trap!(b, u32v, u64::from, |x, y| num::i32_div_u(x, y)),
            Instr::I32RemS(b) => bin_trap!(b, i32v, from_i32, |x, y| num::i32_rem_s(x, y)),
            Instr::I32RemU(b) => bin_trap!(b, u32v, u64::from, |x, y| num::i32_rem_u(x, y)),
            Instr::I32And(b) => bin!(b, u32v, u64::from, |x, y| x & y),
            Instr::I32Or(b) => bin!(b, u32v, u64::from, |x, y| x | y),
            Instr::I32Xor(b) => bin!(b, u32v, u64::from, |x, y| x ^ y),
            Instr::I32Shl(b) => bin!(b, u32v, u64::from, |x, y| x.wrapping_shl(y)),
            Instr::I32ShrS(b) => bin!(b, u32v, u64::from, |x, y| (x as i32).wrapping_shr(y) as u32),
            Instr::I32ShrU(b) => bin!(b, u32v, u64::from, |x, y| x.wrapping_shr(y)),
            Instr::I32Rotl(b) => bin!(b, u32v, u64::from, |x, y| x.rotate_left(y % 32)),
            Instr::I32Rotr(b) => bin!(b, u32v, u64::from, |x, y| x.rotate_right(y % 32)),
            Instr::I64Add(b) => bin!(b, u64v, u64v, |x, y| x.wrapping_add(y)),
            Instr::I64Sub(b) => bin!(b, u64v, u64v, |x, y| x.wrapping_sub(y)),
            Instr::I64Mul(b) => bin!(b, u64v, u64v, |x, y| x.wrapping_mul(y)),
            Instr::I64DivS(b) => bin_trap!(b, i64v, from_i64, |x, y| num::i64_div_s(x, y)),
            Instr::I64DivU(b) => bin_trap!(b, u64v, u64v, |x, y| num::i64_div_u(x, y)),
            Instr::I64RemS(b) => bin_trap!(b, i64v, from_i64, |x, y| num::i64_rem_s(x, y)),
            Instr::I64RemU(b) => bin_trap!(b, u64v, u64v, |x, y| num::i64_rem_u(x, y)),
            Instr::I64And(b) => bin!(b, u64v, u64v, |x, y| x & y),
            Instr::I64Or(b) => bin!(b, u64v, u64v, |x, y| x | y),
            Instr::I64Xor(b) => bin!(b, u64v, u64v, |x, y| x ^ y),
            Instr::I64Shl(b) => bin!(b, u64v, u64v, |x, y| x.wrapping_shl(y as u32)),
            Instr::I64ShrS(b) => bin!(b, u64v, u64v, |x, y| (x as i64).wrapping_shr(y as u32)
                as u64),
            Instr::I64ShrU(b) => bin!(b, u64v, u64v, |x, y| x.wrapping_shr(y as u32)),
            Instr::I64Rotl(b) => bin!(b, u64v, u64v, |x, y| x.rotate_left((y % 64) as u32)),
            Instr::I64Rotr(b) => bin!(b, u64v, u64v, |x, y| x.rotate_right((y % 64) as u32)),

            // Float arithmetic.
            Instr::F32Add(b) => bin!(b, f32v, f32b, |x, y| x + y),
            Instr::F32Sub(b) => bin!(b, f32v, f32b, |x, y| x - y),
            Instr::F32Mul(b) => bin!(b, f32v, f32b, |x, y| x * y),
            Instr::F32Div(b) => bin!(b, f32v, f32b, |x, y| x / y),
            Instr::F32Min(b) => bin!(b, f32v, f32b, |x, y| num::f32_min(x, y)),
            Instr::F32Max(b) => bin!(b, f32v, f32b, |x, y| num::f32_max(x, y)),
            Instr::F32Copysign(b) => bin!(b, u32v, u64::from, |x, y| (x & 0x7fff_ffff)
                | (y & 0x8000_0000)),
            Instr::F64Add(b) => bin!(b, f64v, f64b, |x, y| x + y),
            Instr::F64Sub(b) => bin!(b, f64v, f64b, |x, y| x - y),
            Instr::F64Mul(b) => bin!(b, f64v, f64b, |x, y| x * y),
            Instr::F64Div(b) => bin!(b, f64v, f64b, |x, y| x / y),
            Instr::F64Min(b) => bin!(b, f64v, f64b, |x, y| num::f64_min(x, y)),
            Instr::F64Max(b) => bin!(b, f64v, f64b, |x, y| num::f64_max(x, y)),
            Instr::F64Copysign(b) => bin!(b, u64v, u64v, |x, y| (x & !(1 << 63)) | (y & (1 << 63))),

            // Unary.
            Instr::I32Eqz(u) => un!(u, u32v, b32, |x| x == 0),
            Instr::I64Eqz(u) => un!(u, u64v, b32, |x| x == 0),
            Instr::I32Clz(u) => un!(u, u32v, u64::from, |x| x.leading_zeros()),
            Instr::I32Ctz(u) => un!(u, u32v, u64::from, |x| x.trailing_zeros()),
            Instr::I32Popcnt(u) => un!(u, u32v, u64::from, |x| x.count_ones()),
            Instr::I64Clz(u) => un!(u, u64v, u64::from, |x| x.leading_zeros()),
            Instr::I64Ctz(u) => un!(u, u64v, u64::from, |x| x.trailing_zeros()),
            Instr::I64Popcnt(u) => un!(u, u64v, u64::from, |x| x.count_ones()),
            Instr::F32Abs(u) => un!(u, u32v, u64::from, |x| x & 0x7fff_ffff),
            Instr::F32Neg(u) => un!(u, u32v, u64::from, |x| x ^ 0x8000_0000),
            Instr::F32Ceil(u) => un!(u, f32v, f32b, |x| num::quiet32(x.ceil())),
            Instr::F32Floor(u) => un!(u, f32v, f32b, |x| num::quiet32(x.floor())),
            Instr::F32Trunc(u) => un!(u, f32v, f32b, |x| num::quiet32(x.trunc())),
            Instr::F32Nearest(u) => un!(u, f32v, f32b, |x| num::quiet32(x.round_ties_even())),
            Instr::F32Sqrt(u) => un!(u, f32v, f32b, |x| x.sqrt()),
            Instr::F64Abs(u) => un!(u, u64v, u64v, |x| x & !(1 << 63)),
            Instr::F64Neg(u) => un!(u, u64v, u64v, |x| x ^ (1 << 63)),
            Instr::F64Ceil(u) => un!(u, f64v, f64b, |x| num::quiet64(x.ceil())),
            Instr::F64Floor(u) => un!(u, f64v, f64b, |x| num::quiet64(x.floor())),
            Instr::F64Trunc(u) => un!(u, f64v, f64b, |x| num::quiet64(x.trunc())),
            Instr::F64Nearest(u) => un!(u, f64v, f64b, |x| num::quiet64(x.round_ties_even())),
            Instr::F64Sqrt(u) => un!(u, f64v, f64b, |x| x.sqrt()),

            // Conversions.
            Instr::I32WrapI64(u) => un!(u, u64v, u64::from, |x| x as u32),
            Instr::I32TruncF32S(u) => un_trap!(u, f32v, |x| num::i32_trunc_s(f64::from(x))),
            Instr::I32TruncF32U(u) => un_trap!(u, f32v, |x| num::i32_trunc_u(f64::from(x))),
            Instr::I32TruncF64S(u) => un_trap!(u, f64v, |x| num::i32_trunc_s(x)),
            Instr::I32TruncF64U(u) => un_trap!(u, f64v, |x| num::i32_trunc_u(x)),
            Instr::I64ExtendI32S(u) => un!(u, i32v, from_i64, |x| i64::from(x)),
            Instr::I64ExtendI32U(u) => un!(u, u32v, u64::from, |x| x),
            Instr::I64TruncF32S(u) => un_trap!(u, f32v, |x| num::i64_trunc_s(f64::from(x))),
            Instr::I64TruncF32U(u) => un_trap!(u, f32v, |x| num::i64_trunc_u(f64::from(x))),
            Instr::I64TruncF64S(u) => un_trap!(u, f64v, |x| num::i64_trunc_s(x)),
            Instr::I64TruncF64U(u) => un_trap!(u, f64v, |x| num::i64_trunc_u(x)),
            Instr::F32ConvertI32S(u) => un!(u, i32v, f32b, |x| x as f32),
            Instr::F32ConvertI32U(u) => un!(u, u32v, f32b, |x| x as f32),
            Instr::F32ConvertI64S(u) => un!(u, i64v, f32b, |x| x as f32),
            Instr::F32ConvertI64U(u) => un!(u, u64v, f32b, |x| x as f32),
            Instr::F32DemoteF64(u) => un!(u, f64v, f32b, |x| x as f32),
            Instr::F64ConvertI32S(u) => un!(u, i32v, f64b, |x| f64::from(x)),
            Instr::F64ConvertI32U(u) => un!(u, u32v, f64b, |x| f64::from(x)),
            Instr::F64ConvertI64S(u) => un!(u, i64v, f64b, |x| x as f64),
            Instr::F64ConvertI64U(u) => un!(u, u64v, f64b, |x| x as f64),
            Instr::F64PromoteF32(u) => un!(u, f32v, f64b, |x| f64::from(x)),
            Instr::I32Extend8S(u) => un!(u, u32v, from_i32, |x| x as i8 as i32),
            Instr::I32Extend16S(u) => un!(u, u32v, from_i32, |x| x as i16 as i32),
            Instr::I64Extend8S(u) => un!(u, u64v, from_i64, |x| x as i8 as i64),
            Instr::I64Extend16S(u) => un!(u, u64v, from_i64, |x| x as i16 as i64),
            Instr::I64Extend32S(u) => un!(u, u64v, from_i64, |x| x as i32 as i64),
            Instr::I32TruncSatF32S(u) => un!(u, f32v, from_i32, |x| x as i32),
            Instr::I32TruncSatF32U(u) => un!(u, f32v, u64::from, |x| x as u32),
            Instr::I32TruncSatF64S(u) => un!(u, f64v, from_i32, |x| x as i32),
            Instr::I32TruncSatF64U(u) => un!(u, f64v, u64::from, |x| x as u32),
            Instr::I64TruncSatF32S(u) => un!(u, f32v, from_i64, |x| x as i64),
            Instr::I64TruncSatF32U(u) => un!(u, f32v, u64v, |x| x as u64),
            Instr::I64TruncSatF64S(u) => un!(u, f64v, from_i64, |x| x as i64),
            Instr::I64TruncSatF64U(u) => un!(u, f64v, u64v, |x| x as u64),

            // Memory.
            Instr::I32Load(l) => ld!(l, 4, |b| u64::from(u32::from_le_bytes(b))),
            Instr::I64Load(l) => ld!(l, 8, |b| u64::from_le_bytes(b)),
            Instr::F32Load(l) => ld!(l, 4, |b| u64::from(u32::from_le_bytes(b))),
            Instr::F64Load(l) => ld!(l, 8, |b| u64::from_le_bytes(b)),
            Instr::I32Load8S(l) => ld!(l, 1, |b| u64::from(b[0] as i8 as i32 as u32)),
            Instr::I32Load8U(l) => ld!(l, 1, |b| u64::from(b[0])),
            Instr::I32Load16S(l) => {
                ld!(l, 2, |b| u64::from(i16::from_le_bytes(b) as i32 as u32))
            }
            Instr::I32Load16U(l) => ld!(l, 2, |b| u64::from(u16::from_le_bytes(b))),
            Instr::I64Load8S(l) => ld!(l, 1, |b| b[0] as i8 as i64 as u64),
            Instr::I64Load8U(l) => ld!(l, 1, |b| u64::from(b[0])),
            Instr::I64Load16S(l) => ld!(l, 2, |b| i16::from_le_bytes(b) as i64 as u64),
            Instr::I64Load16U(l) => ld!(l, 2, |b| u64::from(u16::from_le_bytes(b))),
            Instr::I64Load32S(l) => ld!(l, 4, |b| i32::from_le_bytes(b) as i64 as u64),
            Instr::I64Load32U(l) => ld!(l, 4, |b| u64::from(u32::from_le_bytes(b))),
            Instr::I32Store(s) | Instr::F32Store(s) => st!(s, |v| (v as u32).to_le_bytes()),
            Instr::I64Store(s) | Instr::F64Store(s) => st!(s, |v| v.to_le_bytes()),
            Instr::I32Store8(s) | Instr::I64Store8(s) => st!(s, |v| [v as u8]),
            Instr::I32Store16(s) | Instr::I64Store16(s) => st!(s, |v| (v as u16).to_le_bytes()),
            Instr::I64Store32(s) => st!(s, |v| (v as u32).to_le_bytes()),
        }
    }
}

fn u32v(b: u64) -> u32 {
    b as u32
}
fn i32v(b: u64) -> i32 {
    b as u32 as i32
}
fn u64v(b: u64) -> u64 {
    b
}
fn i64v(b: u64) -> i64 {
    b as i64
}
fn from_i32(v: i32) -> u64 {
    u64::from(v as u32)
}
fn from_i64(v: i64) -> u64 {
    v as u64
}
