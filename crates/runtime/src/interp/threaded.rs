//! The threaded dispatch loop: each instruction is a handler function that ends by calling
//! the next instruction's handler in tail position.
//!
//! A function's code is kept, beside its [`Instr`]s, as [`Op`]s: the instruction and the
//! address of its handler. A handler reads its operands, does its work and jumps straight to
//! the next handler, with the program counter, the frame, and memory 0's base and length
//! passed in registers; there is no central `match` and no jump table. This relies on the
//! compiler turning those calls into jumps (sibling-call optimization), which it does when
//! optimizing for x86-64 and AArch64: the build script sets `wvm_tail_calls` only then, and
//! every other build runs the portable loop in `exec.rs` over the same instruction list
//! ([`simple_ops!`](super::ops::simple_ops)) and the same store operations ([`Env`]).
//!
//! Every handler returns `()`; a handler that stops (return from the outermost function, a
//! host call, a trap) records why and where in [`Cx`] and returns, which unwinds nothing but
//! the one call `run` made.

use std::hint::unreachable_unchecked;

use super::exec::{Activation, Exit, Frame, Limits, code_of, enter_frame, enter_tail_frame};
use super::memory;
use super::num;
use super::ops::*;
use super::vector;
use crate::store::{FuncKind, InstanceData};
use wvm_bytecode::{Bin, BinImm, BrBin, BrBinImm, CompiledFunc, Instr, Load, Store, Un};
use wvm_environ::{CompileError, TrapCode};

/// An instruction's handler.
pub(crate) type Handler = for<'a, 'b> fn(*const Op, Regs, Mem, &'a mut Cx<'b>);

/// One instruction of threaded code. `repr(C)`: the handler first, at a fixed place, as
/// the compiler laid it out before the v128 instructions arrived (they changed its choice).
#[derive(Clone, Copy)]
#[repr(C)]
pub(crate) struct Op {
    handler: Handler,
    instr: Instr,
}

impl std::fmt::Debug for Op {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.instr.fmt(f)
    }
}

/// The threaded form of a function's code: `code[i]` with its handler, for every `i`.
///
/// A branch to an [`Instr::Fuel`] (with fuel metering, every label that starts a segment:
/// loop headers when epochs are off, and the labels that forward branches land on) gets
/// the handler from [`paying`] instead: taken, it pays that charge itself and goes on after
/// the `Fuel` instruction, one dispatch fewer per loop iteration. Charges and the point
/// where fuel runs out are the same: short of fuel it jumps to the `Fuel` instruction,
/// which stops as it would have.
pub(crate) fn thread(cf: &CompiledFunc) -> Box<[Op]> {
    cf.code
        .iter()
        .map(|&instr| {
            let to_fuel = { instr }
                .target_mut()
                .is_some_and(|t| matches!(cf.code.get(*t as usize), Some(Instr::Fuel { .. })));
            let paying = if to_fuel {
                paying::handler_of(&instr)
            } else {
                None
            };
            let handler = paying.unwrap_or_else(|| handler_of(&instr));
            Op { handler, instr }
        })
        .collect()
}

/// The state handlers share beyond what travels in registers.
pub(crate) struct Cx<'a> {
    env: Env<'a>,
    stack: &'a mut Vec<u64>,
    vstack: &'a mut Vec<u128>,
    frames: &'a mut Vec<Frame>,
    limits: Limits,
    func: u32,
    fp: usize,
    /// The current function's ops.
    ops: *const Op,
    inst_id: u32,
    inst: &'a InstanceData,
    mem_id: usize,
    /// Why the loop stopped, and the op to resume at (for the driver and traces).
    exit: Option<Exit>,
    resume: *const Op,
}

/// The instruction at `ip`.
#[inline(always)]
fn instr(ip: *const Op) -> Instr {
    // SAFETY: handlers only run with `ip` at their own op, inside the current function's
    // ops (see `next!`).
    unsafe { (*ip).instr }
}

/// Runs the handler of the op at `$ip` (which must be inside the current function's ops).
macro_rules! go {
    ($ip:expr, $regs:expr, $mem:expr, $cx:expr) => {{
        let ip: *const Op = $ip;
        // SAFETY: the caller passes an op of the current function's code.
        let handler = unsafe { (*ip).handler };
        return handler(ip, $regs, $mem, $cx);
    }};
}

/// Runs the next op.
macro_rules! next {
    ($ip:expr, $regs:expr, $mem:expr, $cx:expr) => {{
        // SAFETY: the op at `$ip` is not the function's last (the last one always branches,
        // returns or traps: `CompiledFunc::verify`), so the next one is in the code.
        go!(unsafe { $ip.add(1) }, $regs, $mem, $cx)
    }};
}

/// Runs the op after the `Extra` word that follows the op at `$ip`.
macro_rules! next2 {
    ($ip:expr, $regs:expr, $mem:expr, $cx:expr) => {{
        // SAFETY: the `Extra` word after the op is not the function's last op (see `next!`),
        // so the one after it is in the code.
        go!(unsafe { $ip.add(2) }, $regs, $mem, $cx)
    }};
}

/// The operands of the op at `$ip`, whose handler is the one for `$pat`'s variant.
macro_rules! operands {
    ($ip:expr, $pat:pat) => {
        let $pat = instr($ip) else {
            // SAFETY: `thread` gives each op the handler of its own variant.
            unsafe { unreachable_unchecked() }
        };
    };
}

// Stopping the loop: why, and the op to resume at (after a host call). Each takes only
// register-sized arguments: a handler that passed the address of a local (such as an `Exit`
// built on its stack) could no longer jump to the next handler but would have to call it.

#[cold]
#[inline(never)]
fn stop_trap(cx: &mut Cx<'_>, resume: *const Op, code: TrapCode) {
    cx.exit = Some(Exit::Trap(code));
    cx.resume = resume;
}

#[inline(never)]
fn stop_host(cx: &mut Cx<'_>, resume: *const Op, func: u32, base: usize) {
    cx.exit = Some(Exit::Host { func, base });
    cx.resume = resume;
}

#[cold]
#[inline(never)]
fn stop_throw(cx: &mut Cx<'_>, resume: *const Op, exit: Exit) {
    cx.exit = Some(exit);
    cx.resume = resume;
}

#[inline(never)]
fn stop_return(cx: &mut Cx<'_>, resume: *const Op) {
    cx.exit = Some(Exit::Return);
    cx.resume = resume;
}

#[cold]
#[inline(never)]
fn stop_error(cx: &mut Cx<'_>, resume: *const Op, e: &CompileError) {
    cx.exit = Some(Exit::Compile(e.clone()));
    cx.resume = resume;
}

/// Traps at the op at `$ip`.
macro_rules! trap {
    ($cx:expr, $ip:expr, $code:expr) => {{
        // SAFETY: the trapping op is not the last one (see `next!`), or it is a `throw_ref`,
        // one past which is the end of the code, still in bounds for `add`.
        return stop_trap($cx, unsafe { $ip.add(1) }, $code);
    }};
}

/// The value of a `Result<_, TrapCode>`, or the trap.
macro_rules! tr {
    ($cx:expr, $ip:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(code) => trap!($cx, $ip, code),
        }
    };
}

/// The `Extra` word after the op at `$ip`.
macro_rules! extra {
    ($ip:expr) => {{
        // SAFETY: `CompiledFunc::verify` checked that an instruction taking an `Extra` word
        // is followed by one.
        match unsafe { (*$ip.add(1)).instr } {
            Instr::Extra { a, b, c } => (a, b, c),
            // SAFETY: as above.
            _ => unsafe { unreachable_unchecked() },
        }
    }};
}

/// Jumps to instruction index `target` of the current function.
macro_rules! jump {
    ($target:expr, $regs:expr, $mem:expr, $cx:expr) => {{
        // SAFETY: `CompiledFunc::verify` checked every branch target is an index into the
        // code of the function that contains the branch, the current one.
        go!(unsafe { $cx.ops.add($target as usize) }, $regs, $mem, $cx)
    }};
}

/// Jumps to instruction index `target`, a `Fuel` instruction (see [`thread`]), paying its
/// charge and going on after it; short of fuel, runs the `Fuel` instruction, which stops.
macro_rules! jump_paying {
    ($target:expr, $regs:expr, $mem:expr, $cx:expr) => {{
        // SAFETY: as for `jump!`.
        let to = unsafe { $cx.ops.add($target as usize) };
        if let Instr::Fuel { cost } = instr(to)
            && $cx.env.consume(u64::from(cost)).is_ok()
        {
            // SAFETY: a `Fuel` instruction is never the last (the last one branches,
            // returns or traps: `CompiledFunc::verify`).
            go!(unsafe { to.add(1) }, $regs, $mem, $cx)
        }
        go!(to, $regs, $mem, $cx)
    }};
}

/// Handler `$name` of a compare-and-branch (`BrBin`), jumping with `$jump`.
macro_rules! br_bin_handler {
    ($name:ident, $jump:ident, $g:ident, |$x:ident, $y:ident| $e:expr) => {
        #[allow(non_snake_case)]
        pub(super) fn $name(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(ip, Instr::$name(BrBin { lhs, rhs, target }));
            let $x = $g(regs.get(lhs));
            let $y = $g(regs.get(rhs));
            if $e {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }
    };
}

/// Handler `$name` of a compare-and-branch with an immediate (`BrBinImm`).
macro_rules! br_bin_imm_handler {
    ($name:ident, $jump:ident, $g:ident, |$x:ident, $y:ident| $e:expr) => {
        #[allow(non_snake_case)]
        pub(super) fn $name(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(
                ip,
                Instr::$name(BrBinImm {
                    lhs,
                    imm: i,
                    target
                })
            );
            let $x = $g(regs.get(lhs));
            let $y = $g(imm(i));
            if $e {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }
    };
}

/// Handlers `$slot` and `$imm` of a loop counter's increment-and-branch, with the bound in
/// a slot or an immediate.
macro_rules! inc_br_handlers {
    ($slot:ident / $imm:ident, $jump:ident, $g:ident, |$x:ident, $y:ident| $e:expr) => {
        #[allow(non_snake_case)]
        pub(super) fn $slot(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(
                ip,
                Instr::$slot {
                    step,
                    slot,
                    rhs,
                    target
                }
            );
            let v = inc32(regs.get(slot), step);
            regs.set(slot, v);
            let ($x, $y) = ($g(v), $g(regs.get(rhs)));
            if $e {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }
        #[allow(non_snake_case)]
        pub(super) fn $imm(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(
                ip,
                Instr::$imm {
                    step,
                    slot,
                    rhs,
                    target
                }
            );
            let v = inc32(regs.get(slot), step);
            regs.set(slot, v);
            let ($x, $y) = ($g(v), $g(u64::from(rhs)));
            if $e {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }
    };
}

/// The handlers of `br`, `br_if` and its negation, jumping with `$jump`.
macro_rules! branch_handlers {
    ($jump:ident) => {
        pub(super) fn br(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(ip, Instr::Br { target });
            $jump!(target, regs, mem, cx)
        }

        pub(super) fn br_if_nez(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(ip, Instr::BrIfNez { cond, target });
            if regs.get(cond) as u32 != 0 {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }

        pub(super) fn br_if_eqz(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
            operands!(ip, Instr::BrIfEqz { cond, target });
            if regs.get(cond) as u32 == 0 {
                $jump!(target, regs, mem, cx)
            }
            next!(ip, regs, mem, cx)
        }
    };
}

/// Switches to instance `inst` (and its memory 0); returns that memory.
#[inline(always)]
fn switch_instance(cx: &mut Cx<'_>, inst: u32, mem: Mem) -> Mem {
    if inst == cx.inst_id {
        return mem;
    }
    cx.inst_id = inst;
    cx.inst = &cx.env.instances[inst as usize];
    cx.mem_id = cx.inst.memories.first().map_or(usize::MAX, |&m| m as usize);
    Mem::of(cx.env.memories, cx.mem_id)
}

/// Memory 0 again, after an operation that used it through the store.
#[inline(always)]
fn refresh(cx: &mut Cx<'_>) -> Mem {
    Mem::of(cx.env.memories, cx.mem_id)
}

/// Calls store function `callee` with its arguments at slot `base`; the caller resumes at
/// `resume`.
#[inline(always)]
fn call(resume: *const Op, mem: Mem, cx: &mut Cx<'_>, callee: u32, base: u32) {
    let new_fp = cx.fp + base as usize;
    let FuncKind::Wasm {
        instance,
        def,
        ref code,
    } = cx.env.funcs[callee as usize].kind
    else {
        return stop_host(cx, resume, callee, new_fp);
    };
    if cx.frames.len() >= cx.limits.max_depth {
        return stop_trap(cx, resume, TrapCode::StackOverflow);
    }
    let code = match code.code(cx.env.instances, instance, def) {
        Ok(c) => c,
        Err(e) => return stop_error(cx, resume, e),
    };
    // The callee's code is threaded: its module belongs to the store's engine (checked when
    // it was instantiated), whose configuration chose this loop and threads all code.
    if let Err(code) = enter_frame(cx.stack, cx.vstack, code, new_fp, cx.limits) {
        return stop_trap(cx, resume, code);
    }
    cx.frames.push(Frame {
        func: cx.func,
        pc: index_of(resume, cx.ops) as u32,
        fp: cx.fp as u32,
        inst: cx.inst_id,
        base: cx.ops.cast(),
    });
    cx.func = callee;
    cx.fp = new_fp;
    cx.ops = code.ops.as_ptr();
    // SAFETY: `enter_frame` made room for the callee's frame at `new_fp`.
    let regs = unsafe { Regs::new(cx.stack, new_fp) };
    let mem = switch_instance(cx, instance, mem);
    go!(cx.ops, regs, mem, cx)
}

/// Tail-calls store function `callee` with its arguments at slot `base`: a Wasm function
/// replaces the current one in its frame; a host function is called as by [`call`] (the
/// code after the instruction, at `resume`, returns its results).
#[inline(always)]
fn tail_call(resume: *const Op, mem: Mem, cx: &mut Cx<'_>, callee: u32, base: u32) {
    let FuncKind::Wasm {
        instance,
        def,
        ref code,
    } = cx.env.funcs[callee as usize].kind
    else {
        return call(resume, mem, cx, callee, base);
    };
    let code = match code.code(cx.env.instances, instance, def) {
        Ok(c) => c,
        Err(e) => return stop_error(cx, resume, e),
    };
    let fp = cx.fp;
    if let Err(code) = enter_tail_frame(cx.stack, cx.vstack, code, fp, base as usize, cx.limits) {
        return stop_trap(cx, resume, code);
    }
    cx.func = callee;
    cx.ops = code.ops.as_ptr();
    // SAFETY: `enter_tail_frame` made room for the callee's frame at `fp`.
    let regs = unsafe { Regs::new(cx.stack, fp) };
    let mem = switch_instance(cx, instance, mem);
    go!(cx.ops, regs, mem, cx)
}

/// Runs until the outermost function returns, a host function must be called, or a trap.
pub(crate) fn run(
    inner: &mut crate::store::StoreInner,
    act: &mut Activation,
    limits: Limits,
) -> Exit {
    let env = Env::new(inner);
    let (code, inst_id) = match code_of(env.funcs, env.instances, act.func) {
        Ok(x) => x,
        Err(e) => return e,
    };
    if act.pc >= code.ops.len()
        || code.ops.len() != code.code.len()
        || act.fp + code.frame_size as usize > act.stack.len()
    {
        return Exit::internal("bad resume point");
    }
    let inst = &env.instances[inst_id as usize];
    let mem_id = inst.memories.first().map_or(usize::MAX, |&m| m as usize);
    let mut cx = Cx {
        env,
        stack: &mut act.stack,
        vstack: &mut act.vstack,
        frames: &mut act.frames,
        limits,
        func: act.func,
        fp: act.fp,
        ops: code.ops.as_ptr(),
        inst_id,
        inst,
        mem_id,
        exit: None,
        resume: code.ops.as_ptr(),
    };
    let mem = refresh(&mut cx);
    // SAFETY: the frame fits in the stack, checked above.
    let regs = unsafe { Regs::new(cx.stack, cx.fp) };
    // SAFETY: `act.pc` is an index into the code, checked above.
    let ip = unsafe { cx.ops.add(act.pc) };
    // SAFETY: as above.
    let handler = unsafe { (*ip).handler };
    handler(ip, regs, mem, &mut cx);
    let (func, fp, pc) = (cx.func, cx.fp, index_of(cx.resume, cx.ops));
    let exit = cx.exit.take();
    act.func = func;
    act.fp = fp;
    act.pc = pc;
    exit.unwrap_or_else(|| Exit::internal("the loop stopped without a reason"))
}

/// Expands [`simple_ops!`]'s list into handler functions, and `handler_of` over them and
/// the handlers given as `$arms`.
macro_rules! threaded_handlers {
    (
        bin: [$($bn:ident $(/ $bi:ident)? ($bg:ident, $bp:expr, |$bx:ident, $by:ident| $be:expr)),* $(,)?],
        bin_trap: [$($tn:ident($tg:ident, $tp:expr, |$tx:ident, $ty:ident| $te:expr)),* $(,)?],
        un: [$($un:ident($ug:ident, $up:expr, |$ux:ident| $ue:expr)),* $(,)?],
        un_trap: [$($vn:ident($vg:ident, |$vx:ident| $ve:expr)),* $(,)?],
        ld: [$($ln:ident($ls:literal, |$lb:ident| $le:expr)),* $(,)?],
        st: [$($sn:ident(|$sv:ident| $se:expr)),* $(,)?],
        br_bin: [$($rn:ident $(/ $ri:ident)? ($rg:ident, |$rx:ident, $ry:ident| $re:expr)),* $(,)?],
        inc_br: [$($cn:ident / $ci:ident($cg:ident, |$cx:ident, $cy:ident| $ce:expr)),* $(,)?],
        $($arms:tt)*
    ) => {
        $(
            #[allow(non_snake_case)]
            fn $bn(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$bn(Bin { dst, lhs, rhs }));
                let $bx = $bg(regs.get(lhs));
                let $by = $bg(regs.get(rhs));
                regs.set(dst, $bp($be));
                next!(ip, regs, mem, cx)
            }
        )*
        $(
            #[allow(non_snake_case)]
            fn $tn(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$tn(Bin { dst, lhs, rhs }));
                let $tx = $tg(regs.get(lhs));
                let $ty = $tg(regs.get(rhs));
                regs.set(dst, $tp(tr!(cx, ip, $te)));
                next!(ip, regs, mem, cx)
            }
        )*
        $(
            #[allow(non_snake_case)]
            fn $un(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$un(Un { dst, src }));
                let $ux = $ug(regs.get(src));
                regs.set(dst, $up($ue));
                next!(ip, regs, mem, cx)
            }
        )*
        $(
            #[allow(non_snake_case)]
            fn $vn(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$vn(Un { dst, src }));
                let $vx = $vg(regs.get(src));
                regs.set(dst, tr!(cx, ip, $ve));
                next!(ip, regs, mem, cx)
            }
        )*
        $(
            #[allow(non_snake_case)]
            fn $ln(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$ln(Load { dst, addr, offset }));
                match mem.load::<$ls>(regs.get(addr), offset) {
                    Some($lb) => regs.set(dst, $le),
                    None => trap!(cx, ip, TrapCode::MemoryOutOfBounds),
                }
                next!(ip, regs, mem, cx)
            }
        )*
        $(
            #[allow(non_snake_case)]
            fn $sn(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$sn(Store { addr, value, offset }));
                let $sv = regs.get(value);
                if mem.store(regs.get(addr), offset, $se).is_none() {
                    trap!(cx, ip, TrapCode::MemoryOutOfBounds)
                }
                next!(ip, regs, mem, cx)
            }
        )*
        $(br_bin_handler!($rn, jump, $rg, |$rx, $ry| $re);)*

        $($(
            #[allow(non_snake_case)]
            fn $bi(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
                operands!(ip, Instr::$bi(BinImm { dst, lhs, imm: i }));
                let $bx = $bg(regs.get(lhs));
                let $by = $bg(imm(i));
                regs.set(dst, $bp($be));
                next!(ip, regs, mem, cx)
            }
        )?)*
        $($(br_bin_imm_handler!($ri, jump, $rg, |$rx, $ry| $re);)?)*
        $(inc_br_handlers!($cn / $ci, jump, $cg, |$cx, $cy| $ce);)*

        /// The same branches for loops that start with a `Fuel` instruction: taken, they
        /// pay it (see [`thread`]).
        mod paying {
            use super::*;

            $(br_bin_handler!($rn, jump_paying, $rg, |$rx, $ry| $re);)*
            $($(br_bin_imm_handler!($ri, jump_paying, $rg, |$rx, $ry| $re);)?)*
            $(inc_br_handlers!($cn / $ci, jump_paying, $cg, |$cx, $cy| $ce);)*
            branch_handlers!(jump_paying);

            /// The paying handler of `instr`'s variant, if it is a branch that has one.
            pub(super) fn handler_of(instr: &Instr) -> Option<Handler> {
                Some(match instr {
                    $(Instr::$rn(_) => $rn,)*
                    $($(Instr::$ri(_) => $ri,)?)*
                    $(Instr::$cn { .. } => $cn,)*
                    $(Instr::$ci { .. } => $ci,)*
                    Instr::Br { .. } => br,
                    Instr::BrIfNez { .. } => br_if_nez,
                    Instr::BrIfEqz { .. } => br_if_eqz,
                    _ => return None,
                })
            }
        }

        /// The handler of `instr`'s variant.
        fn handler_of(instr: &Instr) -> Handler {
            match instr {
                $(Instr::$bn(_) => $bn,)*
                $(Instr::$tn(_) => $tn,)*
                $(Instr::$un(_) => $un,)*
                $(Instr::$vn(_) => $vn,)*
                $(Instr::$ln(_) => $ln,)*
                $(Instr::$sn(_) => $sn,)*
                $(Instr::$rn(_) => $rn,)*
                $($(Instr::$bi(_) => $bi,)?)*
                $($(Instr::$ri(_) => $ri,)?)*
                $(Instr::$cn { .. } => $cn,)*
                $(Instr::$ci { .. } => $ci,)*
                $($arms)*
            }
        }
    };
}

simple_ops!(threaded_handlers! {
    Instr::Unreachable => unreachable,
    Instr::Extra { .. } => extra_word,
    Instr::Fuel { .. } => fuel,
    Instr::CheckEpoch => check_epoch,
    Instr::CanonF32 { .. } => canon_f32,
    Instr::CanonF64 { .. } => canon_f64,
    Instr::Br { .. } => br,
    Instr::BrIfNez { .. } => br_if_nez,
    Instr::BrIfEqz { .. } => br_if_eqz,
    Instr::BrTable { .. } => br_table,
    Instr::Return => return_,
    Instr::Return1 { .. } => return1,
    Instr::Copy { .. } => copy,
    Instr::Copy2 { .. } => copy2,
    Instr::Select { .. } => select,
    Instr::Call { .. } => call_direct,
    Instr::CallIndirect { .. } => call_indirect,
    Instr::ReturnCall { .. } => return_call,
    Instr::ReturnCallIndirect { .. } => return_call_indirect,
    Instr::CallRef { .. } => call_ref,
    Instr::ReturnCallRef { .. } => return_call_ref,
    Instr::RefAsNonNull { .. } => ref_as_non_null,
    Instr::Throw { .. } => throw,
    Instr::ThrowRef { .. } => throw_ref,
    Instr::GlobalGet { .. } => global_get,
    Instr::GlobalSet { .. } => global_set,
    Instr::MemorySize { .. } => memory_size,
    Instr::MemoryGrow { .. } => memory_grow,
    Instr::MemoryFill { .. } => memory_fill,
    Instr::MemoryCopy { .. } => memory_copy,
    Instr::MemoryInit { .. } => memory_init,
    Instr::DataDrop { .. } => data_drop,
    Instr::ElemDrop { .. } => elem_drop,
    Instr::TableGet { .. } => table_get,
    Instr::TableSet { .. } => table_set,
    Instr::TableSize { .. } => table_size,
    Instr::TableGrow { .. } => table_grow,
    Instr::TableFill { .. } => table_fill,
    Instr::TableCopy { .. } => table_copy,
    Instr::TableInit { .. } => table_init,
    Instr::RefFunc { .. } => ref_func,
    wvm_bytecode::vector_instr!() => vector,
    wvm_bytecode::any_memory_instr!() => any_memory,
    Instr::Wide { .. } => wide,
});

fn wide(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Wide { op, dst, lhs, rhs });
    let (lhs_hi, rhs_hi, _) = extra!(ip);
    let (lo, hi) = num::wide(
        op,
        regs.get(lhs),
        regs.get(lhs_hi),
        regs.get(rhs),
        regs.get(rhs_hi),
    );
    regs.set(dst, lo);
    regs.set(dst + 1, hi);
    next2!(ip, regs, mem, cx)
}

/// The `Extra` word after the op at `ip`, by reference into the code.
#[inline(always)]
fn extra_ref<'c>(ip: *const Op) -> &'c Instr {
    // SAFETY: `CompiledFunc::verify` checked that an instruction taking an `Extra` word is
    // followed by one, and the ops stay alive and unchanged while the loop runs.
    unsafe { &(*ip.add(1)).instr }
}

/// Every instruction that uses vector cells (see `vector.rs`).
fn vector(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    // SAFETY: handlers only run with `ip` at their own op, inside the current function's
    // ops, which stay alive and unchanged while the loop runs.
    let i: &Instr = unsafe { &(*ip).instr };
    let inst = cx.inst;
    if vector::takes_extra(i) {
        let extra = Some(extra_ref(ip));
        let v = &mut cx.vstack[cx.fp..];
        tr!(
            cx,
            ip,
            vector::run(i, extra, regs, v, mem, &mut cx.env, inst)
        );
        next2!(ip, regs, mem, cx)
    }
    let v = &mut cx.vstack[cx.fp..];
    tr!(
        cx,
        ip,
        vector::run(i, None, regs, v, mem, &mut cx.env, inst)
    );
    next!(ip, regs, mem, cx)
}

fn unreachable(ip: *const Op, _: Regs, _: Mem, cx: &mut Cx<'_>) {
    trap!(cx, ip, TrapCode::UnreachableCodeReached)
}

fn extra_word(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    next!(ip, regs, mem, cx)
}

fn fuel(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Fuel { cost });
    tr!(cx, ip, cx.env.consume(u64::from(cost)));
    next!(ip, regs, mem, cx)
}

fn check_epoch(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    tr!(cx, ip, cx.env.check_epoch());
    next!(ip, regs, mem, cx)
}

fn canon_f32(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::CanonF32 { dst, src });
    let v = regs.get(src);
    regs.set(dst, if f32v(v).is_nan() { 0x7fc0_0000 } else { v });
    next!(ip, regs, mem, cx)
}

fn canon_f64(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::CanonF64 { dst, src });
    let v = regs.get(src);
    let canon = 0x7ff8_0000_0000_0000;
    regs.set(dst, if f64v(v).is_nan() { canon } else { v });
    next!(ip, regs, mem, cx)
}

branch_handlers!(jump);

fn br_table(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::BrTable { index, len });
    let i = (regs.get(index) as u32).min(len) as usize;
    // SAFETY: `CompiledFunc::verify` checked that the `len + 1` entries follow.
    go!(unsafe { ip.add(1 + i) }, regs, mem, cx)
}

fn return_(ip: *const Op, _: Regs, mem: Mem, cx: &mut Cx<'_>) {
    let Some(f) = cx.frames.pop() else {
        // SAFETY: a return is never followed by nothing but may be last; one past the end
        // is a valid address (it is only turned back into an index).
        return stop_return(cx, unsafe { ip.add(1) });
    };
    cx.func = f.func;
    cx.fp = f.fp as usize;
    cx.ops = f.base.cast();
    // SAFETY: the caller's frame was entered (`enter_frame`) before it made the call, and
    // the stack never shrinks.
    let regs = unsafe { Regs::new(cx.stack, cx.fp) };
    let mem = switch_instance(cx, f.inst, mem);
    jump!(f.pc, regs, mem, cx)
}

fn return1(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Return1 { src });
    regs.set(0, regs.get(src));
    return_(ip, regs, mem, cx)
}

fn copy(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Copy { dst, src });
    regs.set(dst, regs.get(src));
    next!(ip, regs, mem, cx)
}

fn copy2(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Copy2 { d0, s0, d1, s1 });
    regs.set(d0.into(), regs.get(s0.into()));
    regs.set(d1.into(), regs.get(s1.into()));
    next!(ip, regs, mem, cx)
}

fn select(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Select { dst, cond, lhs });
    let (rhs, _, _) = extra!(ip);
    let v = if regs.get(cond) as u32 != 0 {
        regs.get(lhs)
    } else {
        regs.get(rhs)
    };
    regs.set(dst, v);
    next2!(ip, regs, mem, cx)
}

fn call_direct(ip: *const Op, _: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Call { func, base });
    let callee = cx.inst.funcs[func as usize];
    // SAFETY: a call is not the last instruction (see `next!`).
    call(unsafe { ip.add(1) }, mem, cx, callee, base)
}

fn call_indirect(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::CallIndirect { ty, index, base });
    let (table, _, _) = extra!(ip);
    let callee = tr!(
        cx,
        ip,
        cx.env.indirect_callee(cx.inst, table, ty, regs.get(index))
    );
    // SAFETY: the `Extra` word is not last (see `next!`).
    call(unsafe { ip.add(2) }, mem, cx, callee, base)
}

fn return_call(ip: *const Op, _: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::ReturnCall { func, base });
    let callee = cx.inst.funcs[func as usize];
    // SAFETY: a tail call is followed by the code returning a host callee's results.
    tail_call(unsafe { ip.add(1) }, mem, cx, callee, base)
}

fn return_call_indirect(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::ReturnCallIndirect { ty, index, base });
    let (table, _, _) = extra!(ip);
    let callee = tr!(
        cx,
        ip,
        cx.env.indirect_callee(cx.inst, table, ty, regs.get(index))
    );
    // SAFETY: the `Extra` word is not last (see `next!`).
    tail_call(unsafe { ip.add(2) }, mem, cx, callee, base)
}

fn call_ref(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::CallRef { index, base });
    let callee = tr!(
        cx,
        ip,
        Env::deref(regs.get(index), TrapCode::NullFunctionReference)
    );
    // SAFETY: a call is not the last instruction (see `next!`).
    call(unsafe { ip.add(1) }, mem, cx, callee, base)
}

fn return_call_ref(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::ReturnCallRef { index, base });
    let callee = tr!(
        cx,
        ip,
        Env::deref(regs.get(index), TrapCode::NullFunctionReference)
    );
    // SAFETY: a tail call is followed by the code returning a host callee's results.
    tail_call(unsafe { ip.add(1) }, mem, cx, callee, base)
}

fn ref_as_non_null(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::RefAsNonNull { src });
    tr!(cx, ip, Env::deref(regs.get(src), TrapCode::NullReference));
    next!(ip, regs, mem, cx)
}

fn throw(ip: *const Op, _: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::Throw { tag, base });
    let base = cx.fp + base as usize;
    // SAFETY: a throw may be the last op: one past the end of the code is in bounds for
    // `add`, and the driver never resumes there (it unwinds to a handler or out).
    stop_throw(cx, unsafe { ip.add(1) }, Exit::Throw { tag, base })
}

fn throw_ref(ip: *const Op, regs: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::ThrowRef { src });
    let exn = tr!(
        cx,
        ip,
        Env::deref(regs.get(src), TrapCode::NullExceptionReference)
    );
    // SAFETY: as in `throw`.
    stop_throw(cx, unsafe { ip.add(1) }, Exit::ThrowRef { exn })
}

fn global_get(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::GlobalGet { dst, global });
    regs.set(dst, cx.env.global_get(cx.inst, global));
    next!(ip, regs, mem, cx)
}

fn global_set(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::GlobalSet { src, global });
    let inst = cx.inst;
    cx.env.global_set(inst, global, regs.get(src));
    next!(ip, regs, mem, cx)
}

fn memory_size(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::MemorySize { dst, mem: m });
    regs.set(dst, cx.env.memory_size(cx.inst, m));
    next!(ip, regs, mem, cx)
}

fn memory_grow(ip: *const Op, regs: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::MemoryGrow { dst, delta, mem: m });
    let inst = cx.inst;
    let old = tr!(cx, ip, cx.env.memory_grow(inst, m, regs.get(delta)));
    regs.set(dst, old);
    let mem = refresh(cx);
    next!(ip, regs, mem, cx)
}

fn memory_fill(ip: *const Op, regs: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(
        ip,
        Instr::MemoryFill {
            mem: m,
            dst,
            value,
            len
        }
    );
    let (d, v, n) = (regs.get(dst), regs.get(value), regs.get(len));
    let inst = cx.inst;
    tr!(cx, ip, cx.env.memory_fill(inst, m.into(), d, v, n));
    let mem = refresh(cx);
    next!(ip, regs, mem, cx)
}

fn memory_copy(ip: *const Op, regs: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(
        ip,
        Instr::MemoryCopy {
            dst_mem,
            src_mem,
            dst,
            src,
            len
        }
    );
    let (d, s, n) = (regs.get(dst), regs.get(src), regs.get(len));
    let (inst, dm, sm) = (cx.inst, dst_mem.into(), src_mem.into());
    tr!(cx, ip, cx.env.memory_copy(inst, dm, sm, d, s, n));
    let mem = refresh(cx);
    next!(ip, regs, mem, cx)
}

fn memory_init(ip: *const Op, regs: Regs, _: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::MemoryInit { dst, src, len });
    let (seg, m, _) = extra!(ip);
    let (d, s, n) = (regs.get(dst), regs.get(src), regs.get(len));
    let inst = cx.inst_id;
    tr!(cx, ip, cx.env.memory_init(inst, m, seg, d, s, n));
    let mem = refresh(cx);
    next2!(ip, regs, mem, cx)
}

/// Loads and stores of any memory (see `memory.rs`).
fn any_memory(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    // SAFETY: as in `vector`.
    let i: &Instr = unsafe { &(*ip).instr };
    let extra = extra_ref(ip);
    let inst = cx.inst;
    tr!(cx, ip, memory::run(i, extra, regs, mem, &mut cx.env, inst));
    next2!(ip, regs, mem, cx)
}

fn data_drop(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::DataDrop { segment });
    cx.env.data_drop(cx.inst_id, segment);
    next!(ip, regs, mem, cx)
}

fn elem_drop(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::ElemDrop { segment });
    cx.env.elem_drop(cx.inst_id, segment);
    next!(ip, regs, mem, cx)
}

fn table_get(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableGet { dst, index, table });
    let v = tr!(cx, ip, cx.env.table_get(cx.inst, table, regs.get(index)));
    regs.set(dst, v);
    next!(ip, regs, mem, cx)
}

fn table_set(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(
        ip,
        Instr::TableSet {
            index,
            value,
            table
        }
    );
    let inst = cx.inst;
    let (i, v) = (regs.get(index), regs.get(value));
    tr!(cx, ip, cx.env.table_set(inst, table, i, v));
    next!(ip, regs, mem, cx)
}

fn table_size(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableSize { dst, table });
    regs.set(dst, cx.env.table_size(cx.inst, table));
    next!(ip, regs, mem, cx)
}

fn table_grow(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableGrow { dst, init, delta });
    let (table, _, _) = extra!(ip);
    let inst = cx.inst;
    let (i, d) = (regs.get(init), regs.get(delta));
    let old = tr!(cx, ip, cx.env.table_grow(inst, table, i, d));
    regs.set(dst, old);
    next2!(ip, regs, mem, cx)
}

fn table_fill(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableFill { dst, value, len });
    let (table, _, _) = extra!(ip);
    let inst = cx.inst;
    let (d, v, n) = (regs.get(dst), regs.get(value), regs.get(len));
    tr!(cx, ip, cx.env.table_fill(inst, table, d, v, n));
    next2!(ip, regs, mem, cx)
}

fn table_copy(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableCopy { dst, src, len });
    let (dt, st, _) = extra!(ip);
    let inst = cx.inst;
    let (d, s, n) = (regs.get(dst), regs.get(src), regs.get(len));
    tr!(cx, ip, cx.env.table_copy(inst, dt, st, d, s, n));
    next2!(ip, regs, mem, cx)
}

fn table_init(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::TableInit { dst, src, len });
    let (table, seg, _) = extra!(ip);
    let inst = cx.inst_id;
    let (d, s, n) = (regs.get(dst), regs.get(src), regs.get(len));
    tr!(cx, ip, cx.env.table_init(inst, table, seg, d, s, n));
    next2!(ip, regs, mem, cx)
}

fn ref_func(ip: *const Op, regs: Regs, mem: Mem, cx: &mut Cx<'_>) {
    operands!(ip, Instr::RefFunc { dst, func });
    regs.set(dst, u64::from(cx.inst.funcs[func as usize]) + 1);
    next!(ip, regs, mem, cx)
}
