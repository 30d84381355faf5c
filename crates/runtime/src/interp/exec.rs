//! The dispatch loop: one `match` over [`Instr`], frames on the VM's own stack.
//!
//! Calls between WebAssembly functions push a [`Frame`] and continue in the same loop, so
//! guest recursion never recurses on the host stack. A call to a host function leaves the
//! loop with [`Exit::Host`]; the driver (in `mod.rs`) runs it with full access to the
//! `Store<T>` and resumes the loop. Nothing here allocates except growing the value stack
//! past its high-water mark.

use super::Code;
use super::memory;
use super::num;
use super::ops::*;
use super::vector;
use crate::store::{FuncData, FuncKind, InstanceData, StoreInner};
use wvm_bytecode::{Bin, BinImm, BrBin, BrBinImm, CompiledFunc, Instr, Load, Store, Un};
use wvm_environ::{CompileError, TrapCode};

/// Where a caller resumes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub(crate) func: u32,
    pub(crate) pc: u32,
    pub(crate) fp: u32,
    /// The instance of `func`.
    pub(crate) inst: u32,
    /// The start of `func`'s code in the form the running loop executes (its `Instr`s, or
    /// its threaded ops), so that a return needs no lookup.
    pub(crate) base: *const (),
}

// SAFETY: `base` is an address into immutable code owned (through `Arc`s) by a module of the
// store the activation belongs to; it is only dereferenced by the loops, with that store.
unsafe impl Send for Frame {}
// SAFETY: as above; nothing is ever written through `base`.
unsafe impl Sync for Frame {}

/// The state of one host -> Wasm call: the value stack, the frames, and where the
/// current function is.
#[derive(Debug, Default)]
pub(crate) struct Activation {
    /// The function the host called (whose results the activation ends with).
    pub(crate) entry: u32,
    pub(crate) stack: Vec<u64>,
    /// Vector cells, beside `stack`'s scalar cells, for the frames of functions using
    /// v128 (see `vector.rs`); only as long as such frames need.
    pub(crate) vstack: Vec<u128>,
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
    /// `throw` of the module's tag `tag`, the payload at absolute slot `base`.
    Throw {
        tag: u32,
        base: usize,
    },
    /// `throw_ref` of the store's exception `exn`.
    ThrowRef {
        exn: u32,
    },
}

impl Exit {
    /// An error that only a bug in WVM can cause.
    #[cold]
    pub(crate) fn internal(what: &str) -> Exit {
        Exit::Compile(CompileError {
            message: format!("internal error: {what}"),
            offset: 0,
        })
    }
}

/// Limits the loop enforces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) max_depth: usize,
    pub(crate) max_slots: usize,
}

/// The code of Wasm function `func` and its instance, translating it if needed.
pub(crate) fn code_of<'a>(
    funcs: &'a [FuncData],
    instances: &'a [InstanceData],
    func: u32,
) -> Result<(&'a Code, u32), Exit> {
    match funcs[func as usize].kind {
        FuncKind::Wasm {
            instance,
            def,
            ref code,
        } => match code.code(instances, instance, def) {
            Ok(c) => Ok((c, instance)),
            Err(e) => Err(Exit::Compile(e.clone())),
        },
        FuncKind::Host { .. } => Err(Exit::Trap(TrapCode::Host)),
    }
}

/// Prepares a frame for `cf` at `fp`: checks room, sets locals to zero and constants.
#[inline(always)]
/// Enters `cf` in place of the current function (a tail call), whose frame is at `fp`: the
/// arguments at slot `base` move to slot 0 (their vector cells too, for a callee using v128),
/// then the frame is entered as [`enter_frame`] does. The VM stack does not grow beyond the
/// larger of the two frames.
pub(crate) fn enter_tail_frame(
    stack: &mut Vec<u64>,
    vstack: &mut Vec<u128>,
    cf: &CompiledFunc,
    fp: usize,
    base: usize,
    limits: Limits,
) -> Result<(), TrapCode> {
    let (args, n) = (fp + base, cf.num_params as usize);
    stack.copy_within(args..args + n, fp);
    if cf.wide && vstack.len() >= args + n {
        vstack.copy_within(args..args + n, fp);
    }
    enter_frame(stack, vstack, cf, fp, limits)
}

pub(crate) fn enter_frame(
    stack: &mut Vec<u64>,
    vstack: &mut Vec<u128>,
    cf: &CompiledFunc,
    fp: usize,
    limits: Limits,
) -> Result<(), TrapCode> {
    let end = fp + cf.frame_size as usize;
    if end > stack.len() {
        if end > limits.max_slots {
            return Err(TrapCode::StackOverflow);
        }
        let new_len = end.max(stack.len() * 2).clamp(1024, limits.max_slots);
        stack.resize(new_len, 0);
    }
    let start = fp + cf.num_params as usize;
    let dst = &mut stack[start..start + cf.template.len()];
    if dst.len() <= 8 {
        // Most templates are a few slots: copied inline, not by a call to `memcpy` (5 % of
        // a call-bound workload's time).
        for (d, s) in dst.iter_mut().zip(cf.template.iter()) {
            *d = *s;
        }
    } else {
        dst.copy_from_slice(&cf.template);
    }
    if cf.wide {
        super::vector::enter_vectors(vstack, cf, fp, end);
    }
    Ok(())
}

/// Expands [`simple_ops!`]'s list into arms of a `match` over `$instr`, before `$arms`.
macro_rules! match_with_simple_ops {
    (
        bin: [$($bn:ident $(/ $bi:ident)? ($bg:ident, $bp:expr, |$bx:ident, $by:ident| $be:expr)),* $(,)?],
        bin_trap: [$($tn:ident($tg:ident, $tp:expr, |$tx:ident, $ty:ident| $te:expr)),* $(,)?],
        un: [$($un:ident($ug:ident, $up:expr, |$ux:ident| $ue:expr)),* $(,)?],
        un_trap: [$($vn:ident($vg:ident, |$vx:ident| $ve:expr)),* $(,)?],
        ld: [$($ln:ident($ls:literal, |$lb:ident| $le:expr)),* $(,)?],
        st: [$($sn:ident(|$sv:ident| $se:expr)),* $(,)?],
        br_bin: [$($rn:ident $(/ $ri:ident)? ($rg:ident, |$rx:ident, $ry:ident| $re:expr)),* $(,)?],
        inc_br: [$($cn:ident / $ci:ident($cg:ident, |$cx:ident, $cy:ident| $ce:expr)),* $(,)?],
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
            $($(Instr::$bi(b) => bin_imm!(b, $bg, $bp, |$bx, $by| $be),)?)*
            $($(Instr::$ri(b) => br_bin_imm!(b, $rg, |$rx, $ry| $re),)?)*
            $(Instr::$cn { step, slot, rhs, target } => {
                let v = inc32(r!(slot), step);
                w!(slot, v);
                let ($cx, $cy) = ($cg(v), $cg(r!(rhs)));
                if $ce {
                    jump!(target);
                }
            })*
            $(Instr::$ci { step, slot, rhs, target } => {
                let v = inc32(r!(slot), step);
                w!(slot, v);
                let ($cx, $cy) = ($cg(v), $cg(u64::from(rhs)));
                if $ce {
                    jump!(target);
                }
            })*
            $($arms)*
        }
    };
}

/// Runs until the outermost function returns, a host function must be called, or a trap.
pub(crate) fn run(inner: &mut StoreInner, act: &mut Activation, limits: Limits) -> Exit {
    let mut env = Env::new(inner);
    let funcs = env.funcs;
    let instances = env.instances;
    let Activation {
        stack,
        vstack,
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
        return Exit::internal("bad resume point");
    }
    // The start of the current function's code, and the next instruction to run.
    let mut code: *const Instr = cf.code.as_ptr();
    // SAFETY: `act_pc < code.len()`, checked above.
    let mut ip: *const Instr = unsafe { code.add(*act_pc) };
    let mut inst = &instances[inst_id as usize];
    let mut mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
    let mut mem = Mem::of(env.memories, mem_id);
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
    macro_rules! bin_imm {
        ($b:expr, $get:ident, $put:expr, |$x:ident, $y:ident| $e:expr) => {{
            let BinImm { dst, lhs, imm: i } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(imm(i));
            w!(dst, $put($e));
        }};
    }
    macro_rules! br_bin_imm {
        ($b:expr, $get:ident, |$x:ident, $y:ident| $e:expr) => {{
            let BrBinImm {
                lhs,
                imm: i,
                target,
            } = $b;
            let $x = $get(r!(lhs));
            let $y = $get(imm(i));
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
    // The value of a `Result<_, TrapCode>`, or the trap.
    macro_rules! tr {
        ($e:expr) => {
            match $e {
                Ok(v) => v,
                Err(code) => trap!(code),
            }
        };
    }
    // Switches the loop to instance `$inst` (and its memory) if it is not the current one.
    macro_rules! switch_instance {
        ($inst:expr) => {{
            if $inst != inst_id {
                inst_id = $inst;
                inst = &instances[inst_id as usize];
                mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
                mem = Mem::of(env.memories, mem_id);
            }
        }};
    }
    // A tail call: a Wasm callee replaces the current function in its frame; a host
    // function is called like any other (the code after the instruction returns).
    macro_rules! tail_call {
        ($callee:expr, $base:expr) => {{
            let callee: u32 = $callee;
            match funcs[callee as usize].kind {
                FuncKind::Wasm {
                    instance: callee_inst,
                    def,
                    code: ref slot,
                } => {
                    let cf = match slot.code(instances, callee_inst, def) {
                        Ok(c) => c,
                        Err(e) => {
                            save!();
                            return Exit::Compile(e.clone());
                        }
                    };
                    if let Err(code) =
                        enter_tail_frame(stack, vstack, cf, fp, $base as usize, limits)
                    {
                        trap!(code);
                    }
                    func = callee;
                    // SAFETY: `enter_tail_frame` made room for the callee's frame at `fp`.
                    regs = unsafe { Regs::new(stack, fp) };
                    code = cf.code.as_ptr();
                    ip = code;
                    switch_instance!(callee_inst);
                }
                _ => call!(callee, $base),
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
                code: ref slot,
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
            let cf = match slot.code(instances, callee_inst, def) {
                Ok(c) => c,
                Err(e) => {
                    save!();
                    return Exit::Compile(e.clone());
                }
            };
            if let Err(code) = enter_frame(stack, vstack, cf, new_fp, limits) {
                trap!(code);
            }
            frames.push(Frame {
                func,
                pc: index_of(ip, code) as u32,
                fp: fp as u32,
                inst: inst_id,
                base: code.cast(),
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
            Instr::Fuel { cost } => tr!(env.consume(u64::from(cost))),
            Instr::CheckEpoch => tr!(env.check_epoch()),
            Instr::CanonF32 { dst, src } => {
                let v = r!(src);
                w!(dst, if f32v(v).is_nan() { 0x7fc0_0000 } else { v });
            }
            Instr::CanonF64 { dst, src } => {
                let v = r!(src);
                let canon = 0x7ff8_0000_0000_0000;
                w!(dst, if f64v(v).is_nan() { canon } else { v });
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
                        code = f.base.cast();
                        jump!(f.pc);
                        switch_instance!(f.inst);
                    }
                }
            }
            Instr::Copy { dst, src } => w!(dst, r!(src)),
            Instr::Copy2 { d0, s0, d1, s1 } => {
                w!(d0.into(), r!(s0.into()));
                w!(d1.into(), r!(s1.into()));
            }
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
                call!(tr!(env.indirect_callee(inst, table, ty, r!(index))), base);
            }
            Instr::ReturnCall { func: f, base } => {
                tail_call!(inst.funcs[f as usize], base);
            }
            Instr::ReturnCallIndirect { ty, index, base } => {
                let (table, _, _) = extra!();
                tail_call!(tr!(env.indirect_callee(inst, table, ty, r!(index))), base);
            }
            Instr::CallRef { index, base } => {
                let callee = tr!(Env::deref(r!(index), TrapCode::NullFunctionReference));
                call!(callee, base);
            }
            Instr::ReturnCallRef { index, base } => {
                let callee = tr!(Env::deref(r!(index), TrapCode::NullFunctionReference));
                tail_call!(callee, base);
            }
            Instr::RefAsNonNull { src } => {
                tr!(Env::deref(r!(src), TrapCode::NullReference));
            }
            Instr::Throw { tag, base } => {
                save!();
                return Exit::Throw {
                    tag,
                    base: fp + base as usize,
                };
            }
            Instr::ThrowRef { src } => {
                let exn = tr!(Env::deref(r!(src), TrapCode::NullExceptionReference));
                save!();
                return Exit::ThrowRef { exn };
            }
            Instr::GlobalGet { dst, global } => w!(dst, env.global_get(inst, global)),
            Instr::GlobalSet { src, global } => env.global_set(inst, global, r!(src)),
            Instr::MemorySize { dst, mem: m } => w!(dst, env.memory_size(inst, m)),
            Instr::MemoryGrow { dst, delta, mem: m } => {
                w!(dst, tr!(env.memory_grow(inst, m, r!(delta))));
                mem = Mem::of(env.memories, mem_id);
            }
            Instr::MemoryFill {
                mem: m,
                dst,
                value,
                len,
            } => {
                tr!(env.memory_fill(inst, m.into(), r!(dst), r!(value), r!(len)));
                mem = Mem::of(env.memories, mem_id);
            }
            Instr::MemoryCopy {
                dst_mem,
                src_mem,
                dst,
                src,
                len,
            } => {
                let (dm, sm) = (dst_mem.into(), src_mem.into());
                tr!(env.memory_copy(inst, dm, sm, r!(dst), r!(src), r!(len)));
                mem = Mem::of(env.memories, mem_id);
            }
            Instr::MemoryInit { dst, src, len } => {
                let (seg, m, _) = extra!();
                tr!(env.memory_init(inst_id, m, seg, r!(dst), r!(src), r!(len)));
                mem = Mem::of(env.memories, mem_id);
            }
            Instr::Wide { op, dst, lhs, rhs } => {
                let (lhs_hi, rhs_hi, _) = extra!();
                let (lo, hi) = num::wide(op, r!(lhs), r!(lhs_hi), r!(rhs), r!(rhs_hi));
                w!(dst, lo);
                w!(dst + 1, hi);
            }
            wvm_bytecode::any_memory_instr!() => {
                let (a, b, c) = extra!();
                let extra = Instr::Extra { a, b, c };
                tr!(memory::run(&instr, &extra, regs, mem, &mut env, inst));
            }
            Instr::DataDrop { segment } => env.data_drop(inst_id, segment),
            Instr::ElemDrop { segment } => env.elem_drop(inst_id, segment),
            Instr::TableGet { dst, index, table } => {
                w!(dst, tr!(env.table_get(inst, table, r!(index))));
            }
            Instr::TableSet {
                index,
                value,
                table,
            } => tr!(env.table_set(inst, table, r!(index), r!(value))),
            Instr::TableSize { dst, table } => w!(dst, env.table_size(inst, table)),
            Instr::TableGrow { dst, init, delta } => {
                let (table, _, _) = extra!();
                w!(dst, tr!(env.table_grow(inst, table, r!(init), r!(delta))));
            }
            Instr::TableFill { dst, value, len } => {
                let (table, _, _) = extra!();
                tr!(env.table_fill(inst, table, r!(dst), r!(value), r!(len)));
            }
            Instr::TableCopy { dst, src, len } => {
                let (dt, st, _) = extra!();
                tr!(env.table_copy(inst, dt, st, r!(dst), r!(src), r!(len)));
            }
            Instr::TableInit { dst, src, len } => {
                let (table, seg, _) = extra!();
                tr!(env.table_init(inst_id, table, seg, r!(dst), r!(src), r!(len)));
            }
            Instr::RefFunc { dst, func: f } => w!(dst, u64::from(inst.funcs[f as usize]) + 1),
            wvm_bytecode::vector_instr!() => {
                let extra = if vector::takes_extra(&instr) {
                    let (a, b, c) = extra!();
                    Some(Instr::Extra { a, b, c })
                } else {
                    None
                };
                let v = &mut vstack[fp..];
                tr!(vector::run(&instr, extra.as_ref(), regs, v, mem, &mut env, inst));
            }
        })
    }
}
