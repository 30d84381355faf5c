//! The dispatch loop: one `match` over [`Instr`], frames on the VM's own stack.
//!
//! Calls between WebAssembly functions push a [`Frame`] and continue in the same loop, so
//! guest recursion never recurses on the host stack. A call to a host function leaves the
//! loop with [`Exit::Host`]; the driver (in `mod.rs`) runs it with full access to the
//! `Store<T>` and resumes the loop. Nothing here allocates except growing the value stack
//! past its high-water mark.

use std::sync::atomic::Ordering;

use super::num;
use super::ops::*;
use crate::store::{FuncData, FuncKind, InstanceData, StoreInner};
use wvm_bytecode::{Bin, BrBin, CompiledFunc, Instr, Load, Store, Un};
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

/// Checks that `[start, start + len)` lies within `size`; returns the range.
#[inline(always)]
fn range(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let (start, len) = (start as u32 as usize, len as u32 as usize);
    let end = start.checked_add(len)?;
    (end <= size).then_some(start..end)
}

/// Expands [`simple_ops!`]'s list into arms of a `match` over `$instr`, before `$arms`.
macro_rules! match_with_simple_ops {
    (
        bin: [$($bn:ident($bg:ident, $bp:expr, |$bx:ident, $by:ident| $be:expr)),* $(,)?],
        bin_trap: [$($tn:ident($tg:ident, $tp:expr, |$tx:ident, $ty:ident| $te:expr)),* $(,)?],
        un: [$($un:ident($ug:ident, $up:expr, |$ux:ident| $ue:expr)),* $(,)?],
        un_trap: [$($vn:ident($vg:ident, |$vx:ident| $ve:expr)),* $(,)?],
        ld: [$($ln:ident($ls:literal, |$lb:ident| $le:expr)),* $(,)?],
        st: [$($sn:ident(|$sv:ident| $se:expr)),* $(,)?],
        br_bin: [$($rn:ident($rg:ident, |$rx:ident, $ry:ident| $re:expr)),* $(,)?],
        $instr:expr; $($arms:tt)*
    ) => {
        match $instr {
            $(Instr::$bn(b) => bin!(b, $bg, $bp, |$bx, $by| $be),)*
            $(Instr::$tn(b) => bin_trap!(b, $tg, $tp, |$tx, $ty| $te),)*
            $(Instr::$un(u) => un!(u, $ug, $up, |$ux| $ue),)*
            $(Instr::$vn(u) => un_trap!(u, $vg, |$vx| $ve),)*
            $(Instr::$ln(l) => ld!(l, $ls, |$lb| $le),)*
            $(Instr::$sn(s) => st!(s, |$sv| $se),)*
            $(Instr::$rn(b) => br_bin!(b, $rg, |$rx, $ry| $re),)*
            $($arms)*
        }
    };
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
    if *act_pc >= cf.code.len() || *act_fp + cf.frame_size as usize > stack.len() {
        return Exit::Compile(CompileError {
            message: "internal error: bad resume point".into(),
            offset: 0,
        });
    }
    // The start of the current function's code, and the next instruction to run.
    let mut code: *const Instr = cf.code.as_ptr();
    // SAFETY: `act_pc < code.len()`, checked above.
    let mut ip: *const Instr = unsafe { code.add(*act_pc) };
    let mut inst = &instances[inst_id as usize];
    let mut mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
    let mut mem = Mem::of(memories, mem_id);
    let mut fp = *act_fp;
    // SAFETY: the frame fits in the stack, checked above.
    let mut regs = unsafe { Regs::new(stack, fp) };

    macro_rules! r {
        ($s:expr) => {
            regs.get($s)
        };
    }
    macro_rules! w {
        ($s:expr, $v:expr) => {{
            let v: u64 = $v;
            regs.set($s, v)
        }};
    }
    // Records where the loop stopped, for the driver, traces and resumption.
    macro_rules! save {
        () => {{
            *act_func = func;
            *act_pc = index_of(ip, code);
            *act_fp = fp;
        }};
    }
    macro_rules! trap {
        ($code:expr) => {{
            save!();
            return Exit::Trap($code);
        }};
    }
    macro_rules! jump {
        ($target:expr) => {{
            // SAFETY: `CompiledFunc::verify` checked every branch target is an index into
            // the code of the function that contains the branch, the current one.
            ip = unsafe { code.add($target as usize) };
        }};
    }
    macro_rules! extra {
        () => {{
            // SAFETY: `CompiledFunc::verify` checked that an instruction taking an `Extra`
            // word is followed by one (and is not last), so `ip` is in the code.
            let Instr::Extra { a, b, c } = (unsafe { *ip }) else {
                trap!(TrapCode::UnreachableCodeReached)
            };
            // SAFETY: the `Extra` word is not the last instruction (the last is a branch or
            // return), so the next index is in the code.
            ip = unsafe { ip.add(1) };
            (a, b, c)
        }};
    }
    macro_rules! bin {
        ($b:expr, $get:ident, $put:expr, |$x:ident, $y:ident| $e:expr) => {{
            let Bin { dst, lhs, rhs } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(r!(rhs));
            w!(dst, $put($e));
        }};
    }
    macro_rules! br_bin {
        ($b:expr, $get:ident, |$x:ident, $y:ident| $e:expr) => {{
            let BrBin { lhs, rhs, target } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(r!(rhs));
            if $e {
                jump!(target);
            }
        }};
    }
    macro_rules! bin_trap {
        ($b:expr, $get:ident, $put:expr, |$x:ident, $y:ident| $e:expr) => {{
            let Bin { dst, lhs, rhs } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(r!(rhs));
            match $e {
                Ok(v) => w!(dst, $put(v)),
                Err(code) => trap!(code),
            }
        }};
    }
    macro_rules! un {
        ($u:expr, $get:ident, $put:expr, |$x:ident| $e:expr) => {{
            let Un { dst, src } = $u;
            let $x = $get(r!(src));
            w!(dst, $put($e));
        }};
    }
    macro_rules! un_trap {
        ($u:expr, $get:ident, |$x:ident| $e:expr) => {{
            let Un { dst, src } = $u;
            let $x = $get(r!(src));
            match $e {
                Ok(v) => w!(dst, v),
                Err(code) => trap!(code),
            }
        }};
    }
    macro_rules! ld {
        ($l:expr, $n:literal, |$b:ident| $e:expr) => {{
            let Load { dst, addr, offset } = $l;
            match mem.load::<$n>(r!(addr), offset) {
                Some($b) => w!(dst, $e),
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
            if mem.store(r!(addr), offset, $e).is_none() {
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
    // Switches the loop to instance `$inst` (and its memory) if it is not the current one.
    macro_rules! switch_instance {
        ($inst:expr) => {{
            if $inst != inst_id {
                inst_id = $inst;
                inst = &instances[inst_id as usize];
                mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
                mem = Mem::of(memories, mem_id);
            }
        }};
    }
    macro_rules! call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            let new_fp = fp + $base as usize;
            let FuncKind::Wasm {
                instance: callee_inst,
                def,
            } = funcs[callee as usize].kind
            else {
                save!();
                return Exit::Host {
                    func: callee,
                    base: new_fp,
                };
            };
            if frames.len() >= limits.max_depth {
                trap!(TrapCode::StackOverflow);
            }
            let cf = match instances[callee_inst as usize].module.inner.compiled(def) {
                Ok(c) => c,
                Err(e) => {
                    save!();
                    return Exit::Compile(e.clone());
                }
            };
            if let Err(e) = enter_frame(stack, cf, new_fp, limits) {
                save!();
                return e;
            }
            frames.push(Frame {
                func,
                pc: index_of(ip, code) as u32,
                fp: fp as u32,
            });
            func = callee;
            fp = new_fp;
            // SAFETY: `enter_frame` made room for the callee's frame at `fp`.
            regs = unsafe { Regs::new(stack, fp) };
            code = cf.code.as_ptr();
            ip = code;
            switch_instance!(callee_inst);
        }};
    }

    loop {
        // SAFETY: `ip` is always inside the current function's code: it starts at a checked
        // index, steps by one only past instructions that are not last (the last one always
        // branches, returns or traps, see `CompiledFunc::verify`), and every jump lands on a
        // verified target.
        let instr = unsafe { *ip };
        // SAFETY: `ip` is in the code, so one past it is at most its end.
        ip = unsafe { ip.add(1) };
        simple_ops!(match_with_simple_ops! { instr;
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
                w!(dst, if f32v(v).is_nan() { 0x7fc0_0000 } else { v });
            }
            Instr::CanonF64 { dst, src } => {
                let v = r!(src);
                w!(
                    dst,
                    if f64v(v).is_nan() {
                        0x7ff8_0000_0000_0000
                    } else {
                        v
                    }
                );
            }
            Instr::Br { target } => jump!(target),
            Instr::BrIfNez { cond, target } => {
                if r!(cond) as u32 != 0 {
                    jump!(target);
                }
            }
            Instr::BrIfEqz { cond, target } => {
                if r!(cond) as u32 == 0 {
                    jump!(target);
                }
            }
            Instr::BrTable { index, len } => {
                // SAFETY: `CompiledFunc::verify` checked that the `len + 1` entries follow.
                ip = unsafe { ip.add((r!(index) as u32).min(len) as usize) };
            }
            Instr::Return | Instr::Return1 { .. } => {
                if let Instr::Return1 { src } = instr {
                    w!(0, r!(src));
                }
                match frames.pop() {
                    None => {
                        save!();
                        return Exit::Return;
                    }
                    Some(f) => {
                        func = f.func;
                        fp = f.fp as usize;
                        // SAFETY: the caller's frame was entered (`enter_frame`) before it
                        // made the call, and the stack never shrinks.
                        regs = unsafe { Regs::new(stack, fp) };
                        let FuncKind::Wasm { instance, def } = funcs[func as usize].kind else {
                            unreachable!("a frame of a host function")
                        };
                        let Ok(cf) = instances[instance as usize].module.inner.compiled(def) else {
                            unreachable!("a frame of a function that did not translate")
                        };
                        code = cf.code.as_ptr();
                        jump!(f.pc);
                        switch_instance!(instance);
                    }
                }
            }
            Instr::Copy { dst, src } => w!(dst, r!(src)),
            Instr::Select { dst, cond, lhs } => {
                let (rhs, _, _) = extra!();
                let v = if r!(cond) as u32 != 0 {
                    r!(lhs)
                } else {
                    r!(rhs)
                };
                w!(dst, v);
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
                w!(
                    dst,
                    globals[inst.globals[global as usize] as usize].def.storage[0]
                );
            }
            Instr::GlobalSet { src, global } => {
                globals[inst.globals[global as usize] as usize].def.storage[0] = r!(src);
            }
            Instr::MemorySize { dst } => {
                w!(dst, memories[mem_id].pages());
                mem = Mem::of(memories, mem_id);
            }
            Instr::MemoryGrow { dst, delta } => {
                let delta = u64::from(r!(delta) as u32);
                // Only growth that can happen costs its pages: a request past the maximum
                // fails (-1) for the static cost alone.
                let m = &memories[mem_id];
                let max = m.ty.maximum().unwrap_or(wvm_environ::WASM32_MAX_PAGES);
                if m.pages().saturating_add(delta) <= max {
                    charge!(|c| c.grow_pages(delta));
                }
                let old = match memories[mem_id].grow(delta, limiter.get()) {
                    Ok(Some(old)) => old,
                    Ok(None) => u64::from(u32::MAX),
                    Err(_) => trap!(TrapCode::ResourceLimitExceeded),
                };
                w!(dst, old);
                mem = Mem::of(memories, mem_id);
            }
            Instr::MemoryFill { dst, value, len } => {
                let m = &mut memories[mem_id].data;
                match range(r!(dst), r!(len), m.len()) {
                    Some(rg) => {
                        charge!(|c| c.bulk(rg.len() as u64));
                        m[rg].fill(r!(value) as u8)
                    }
                    None => trap!(TrapCode::MemoryOutOfBounds),
                }
                mem = Mem::of(memories, mem_id);
            }
            Instr::MemoryCopy { dst, src, len } => {
                let m = &mut memories[mem_id].data;
                match (
                    range(r!(src), r!(len), m.len()),
                    range(r!(dst), r!(len), m.len()),
                ) {
                    (Some(s), Some(d)) => {
                        charge!(|c| c.bulk(s.len() as u64));
                        m.copy_within(s, d.start)
                    }
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
                mem = Mem::of(memories, mem_id);
            }
            Instr::MemoryInit { dst, src, len } => {
                let (seg, _, _) = extra!();
                let bytes: &[u8] = if instance_state[inst_id as usize].data_dropped[seg as usize] {
                    &[]
                } else {
                    let module = &inst.module.inner;
                    &module.wasm[module.info.data[seg as usize].range.clone()]
                };
                let m = &mut memories[mem_id].data;
                match (
                    range(r!(src), r!(len), bytes.len()),
                    range(r!(dst), r!(len), m.len()),
                ) {
                    (Some(s), Some(d)) => {
                        charge!(|c| c.bulk(s.len() as u64));
                        m[d].copy_from_slice(&bytes[s])
                    }
                    _ => trap!(TrapCode::MemoryOutOfBounds),
                }
                mem = Mem::of(memories, mem_id);
            }
            Instr::DataDrop { segment } => {
                instance_state[inst_id as usize].data_dropped[segment as usize] = true;
            }
            Instr::TableGet { dst, index, table } => {
                let t = &tables[inst.tables[table as usize] as usize].elements;
                match t.get(r!(index) as u32 as usize) {
                    Some(&v) => w!(dst, v),
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
                w!(
                    dst,
                    tables[inst.tables[table as usize] as usize].elements.len() as u64
                );
            }
            Instr::TableGrow { dst, init, delta } => {
                let (table, _, _) = extra!();
                let t = &mut tables[inst.tables[table as usize] as usize];
                let delta_n = u64::from(r!(delta) as u32);
                let max = t.ty.maximum().map_or(u64::from(u32::MAX), u64::from);
                if (t.elements.len() as u64).saturating_add(delta_n) <= max {
                    charge!(|c| c.grow_pages(delta_n / 1024));
                }
                let old = match t.grow(u64::from(r!(delta) as u32), r!(init), limiter.get()) {
                    Ok(Some(old)) => old,
                    Ok(None) => u64::from(u32::MAX),
                    Err(_) => trap!(TrapCode::ResourceLimitExceeded),
                };
                w!(dst, old);
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
            Instr::RefFunc { dst, func: f } => w!(dst, u64::from(inst.funcs[f as usize]) + 1),

        })
    }
}
