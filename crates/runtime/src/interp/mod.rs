//! The interpreter: the driver that enters WebAssembly from the host and runs host
//! functions that WebAssembly calls, around the dispatch loop in [`exec`]. A trap gets its
//! backtrace ([`trace`]) here, on the error path only.

mod exec;
mod memory;
mod num;
mod ops;
mod simd;
mod threaded;
mod trace;
mod vector;

/// A translated function as the interpreter runs it: its bytecode and, when the threaded
/// loop runs ([`Config::threaded_dispatch`](crate::Config::threaded_dispatch)), the same code
/// threaded with its handlers.
#[derive(Debug)]
pub(crate) struct Code {
    pub(crate) func: wvm_bytecode::CompiledFunc,
    pub(crate) ops: Box<[threaded::Op]>,
}

impl Code {
    pub(crate) fn new(func: wvm_bytecode::CompiledFunc, threaded: bool) -> Code {
        let ops = if threaded {
            threaded::thread(&func)
        } else {
            Box::new([])
        };
        Code { func, ops }
    }
}

impl std::ops::Deref for Code {
    type Target = wvm_bytecode::CompiledFunc;
    fn deref(&self) -> &wvm_bytecode::CompiledFunc {
        &self.func
    }
}

/// A translation slot of a module: the function's code once it has been translated.
pub(crate) type CodeCell = std::sync::OnceLock<Result<Code, wvm_environ::CompileError>>;

/// The address of a function's [`CodeCell`] in its module, kept in the store's function
/// entry so that a call reaches the callee's code in one load rather than through the
/// instance, the module and its list of translations (a chain of four dependent loads that
/// took a third of `call`'s time in recursive fib).
#[derive(Clone, Copy)]
pub(crate) struct CodeSlot(std::ptr::NonNull<CodeCell>);

// SAFETY: a `CodeSlot` is only a shared reference to a `OnceLock`, which is `Sync`, kept
// alive by the module (see `get`).
unsafe impl Send for CodeSlot {}
// SAFETY: as above.
unsafe impl Sync for CodeSlot {}

impl CodeSlot {
    /// The slot of `cell`, which must belong to a module that an instance of the store
    /// holding this slot keeps (the cells of a module never move: they are a boxed slice
    /// behind the module's `Arc`).
    pub(crate) fn new(cell: &CodeCell) -> CodeSlot {
        CodeSlot(std::ptr::NonNull::from(cell))
    }

    /// The function's code, if it has been translated.
    #[inline(always)]
    pub(crate) fn get(&self) -> Option<&Result<Code, wvm_environ::CompileError>> {
        // SAFETY: the slot was made from a cell of a module that an instance of the same
        // store holds (`instance.rs`); stores never drop instances, so the module, its
        // boxed slice of cells and this cell live as long as the store, which any caller
        // reaching the slot through the store's function list borrows.
        unsafe { self.0.as_ref() }.get()
    }

    /// The function's code, translating it first if needed: the slot when it is filled,
    /// else through the module of `instances[instance]` (function `def` of it).
    #[inline(always)]
    pub(crate) fn code<'a>(
        &'a self,
        instances: &'a [crate::store::InstanceData],
        instance: u32,
        def: u32,
    ) -> &'a Result<Code, wvm_environ::CompileError> {
        match self.get() {
            Some(code) => code,
            None => instances[instance as usize].module.inner.compiled(def),
        }
    }
}

impl std::fmt::Debug for CodeSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CodeSlot")
    }
}

pub use trace::FrameInfo;

use crate::store::{FuncKind, StoreInner};
use crate::vm::ValRaw;
use crate::{Caller, Error, Result, Store};
use exec::{Activation, Exit, Limits};
use wvm_environ::{TrapCode, ValType};

/// Most host -> Wasm re-entries active at once (a host function calling back into Wasm
/// which calls the host again, ...). Each uses some host stack, so it is bounded.
const MAX_NESTING: usize = 200;

/// Calls store function `func`; arguments are in `slots[..params]`, results are written to
/// `slots[..results]`.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: u32, slots: &mut [ValRaw]) -> Result<()> {
    if store.inner.nesting >= MAX_NESTING {
        return Err(Error::trap(TrapCode::StackOverflow));
    }
    if let FuncKind::Host { index } = store.inner.funcs[func as usize].kind {
        let host = store.host_funcs[index as usize].clone();
        store.inner.nesting += 1;
        let r = host(
            Caller {
                store: &mut *store,
                instance: None,
            },
            slots,
        );
        store.inner.nesting -= 1;
        return r;
    }
    let act = start(store, func, slots)?;
    match continue_resumable(store, act, slots)? {
        None => Ok(()),
        // Not resumable here: out of fuel is a trap.
        Some(Suspended { act }) => {
            let e = with_trace(Error::trap(TrapCode::OutOfFuel), store, &act);
            recycle(&mut store.inner, act);
            Err(e)
        }
    }
}

/// A Wasm call stopped because fuel ran out, kept so that it can go on.
pub(crate) struct Suspended {
    act: Activation,
}

/// Like [`invoke`] for a Wasm function, but running out of fuel suspends the call instead of
/// trapping: `Ok(Some(_))` is the suspended call, to [`resume`] after adding fuel.
pub(crate) fn invoke_resumable<T>(
    store: &mut Store<T>,
    func: u32,
    slots: &mut [ValRaw],
) -> Result<Option<Suspended>> {
    if store.inner.nesting >= MAX_NESTING
        || matches!(store.inner.funcs[func as usize].kind, FuncKind::Host { .. })
    {
        return invoke(store, func, slots).map(|()| None);
    }
    let act = start(store, func, slots)?;
    continue_resumable(store, act, slots)
}

/// Goes on with a suspended call from where fuel ran out.
pub(crate) fn resume<T>(
    store: &mut Store<T>,
    suspended: Suspended,
    slots: &mut [ValRaw],
) -> Result<Option<Suspended>> {
    let mut act = suspended.act;
    // The call stopped after the instruction that could not be paid for: run it again.
    let inner = &store.inner;
    let (cf, _) = exec::code_of(&inner.funcs, &inner.instances, act.func).map_err(exit_error)?;
    act.pc = cf
        .instr_before(act.pc)
        .ok_or_else(|| Error::msg("internal: no instruction to resume at"))?;
    // The host may have changed a global while the call was suspended.
    sync_promoted_globals(&mut store.inner, &mut act, SyncTo::Slots);
    continue_resumable(store, act, slots)
}

fn continue_resumable<T>(
    store: &mut Store<T>,
    mut act: Activation,
    slots: &mut [ValRaw],
) -> Result<Option<Suspended>> {
    match drive(store, &mut act, slots) {
        Ok(Outcome::Done) => {
            recycle(&mut store.inner, act);
            Ok(None)
        }
        Ok(Outcome::OutOfFuel) => Ok(Some(Suspended { act })),
        Err(e) => {
            recycle(&mut store.inner, act);
            Err(e)
        }
    }
}

/// Keeps a finished activation's stacks for the next call.
fn recycle(inner: &mut StoreInner, act: Activation) {
    inner.stack_pool.push((act.stack, act.vstack));
}

/// How a run of the dispatch loop ended, short of an error.
enum Outcome {
    /// The function returned; its results are in the slots.
    Done,
    /// Fuel ran out in this activation (not in a host function it called); `act` is intact.
    OutOfFuel,
}

fn limits(store: &StoreInner) -> Limits {
    let config = store.engine.config();
    Limits {
        max_depth: config.max_call_depth,
        max_slots: config.max_stack_slots,
    }
}

/// An activation for Wasm function `func` with its arguments from `slots`.
fn start<T>(store: &mut Store<T>, func: u32, slots: &[ValRaw]) -> Result<Activation> {
    let (stack, vstack) = store.inner.stack_pool.pop().unwrap_or_default();
    let mut act = Activation {
        entry: func,
        stack,
        vstack,
        frames: Vec::new(),
        func,
        pc: 0,
        fp: 0,
    };
    let limits = limits(&store.inner);
    let inner = &store.inner;
    let prepared = exec::code_of(&inner.funcs, &inner.instances, func).and_then(|(cf, _)| {
        exec::enter_frame(&mut act.stack, &mut act.vstack, cf, 0, limits)
            .map(|()| cf)
            .map_err(Exit::Trap)
    });
    match prepared {
        Ok(cf) => {
            let n = cf.num_params as usize;
            for (s, r) in act.stack[..n].iter_mut().zip(slots) {
                *s = r.bits();
            }
            if cf.wide {
                for (v, r) in act.vstack[..n].iter_mut().zip(slots) {
                    *v = r.u128();
                }
            }
            Ok(act)
        }
        Err(e) => {
            recycle(&mut store.inner, act);
            Err(exit_error(e))
        }
    }
}

/// Runs `act` until its function returns (results copied to `slots`), fuel runs out, or an
/// error.
fn drive<T>(store: &mut Store<T>, act: &mut Activation, slots: &mut [ValRaw]) -> Result<Outcome> {
    let limits = limits(&store.inner);
    let threaded = store.inner.engine.config().uses_threaded_dispatch();
    store.inner.nesting += 1;
    let outcome = loop {
        let exit = if threaded {
            threaded::run(&mut store.inner, act, limits)
        } else {
            exec::run(&mut store.inner, act, limits)
        };
        match exit {
            Exit::Return => {
                let ty = &store.inner.funcs[act.entry as usize].ty;
                for (i, (r, t)) in slots.iter_mut().zip(ty.results()).enumerate() {
                    *r = from_cells(act, i, *t);
                }
                break Ok(Outcome::Done);
            }
            Exit::Host { func: callee, base } => {
                if let Err(e) = call_host(store, act, callee, base) {
                    // An exception the host function throws (or lets through from Wasm it
                    // called) goes on through the Wasm frames; any other error is a trap.
                    let thrown = e
                        .into_exception()
                        .map_err(Error::into_host_trap)
                        .and_then(|x| x.into_store(&mut store.inner))
                        .and_then(|exn| unwind(&mut store.inner, act, exn));
                    if let Err(e) = thrown {
                        break Err(with_trace(e, store, act));
                    }
                }
            }
            Exit::Throw { tag, base } => {
                let exn = new_exception(&mut store.inner, act, tag, base);
                if let Err(e) = unwind(&mut store.inner, act, exn) {
                    break Err(e);
                }
            }
            Exit::ThrowRef { exn } => {
                if let Err(e) = unwind(&mut store.inner, act, exn) {
                    break Err(e);
                }
            }
            Exit::Trap(TrapCode::OutOfFuel) => {
                sync_promoted_globals(&mut store.inner, act, SyncTo::Globals);
                break Ok(Outcome::OutOfFuel);
            }
            other => {
                if let Exit::Trap(_) = other {
                    sync_promoted_globals(&mut store.inner, act, SyncTo::Globals);
                }
                break Err(with_trace(exit_error(other), store, act));
            }
        }
    };
    store.inner.nesting -= 1;
    outcome
}

/// Which way [`sync_promoted_globals`] copies: to the globals or to the slots.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SyncTo {
    /// Store the slots of written globals into the globals.
    Globals,
    /// Load every promoted global into its slot.
    Slots,
}

/// Copies between the globals that the frame `act` stopped in keeps in slots
/// ([`wvm_bytecode::PromotedGlobal`]) and the globals themselves. Such a function calls
/// nothing, so it can only be the top frame; once its prologue has run, its slots hold the
/// globals' current values.
#[cold]
#[inline(never)]
fn sync_promoted_globals(inner: &mut StoreInner, act: &mut Activation, dir: SyncTo) {
    let FuncKind::Wasm { instance, code, .. } = inner.funcs[act.func as usize].kind else {
        return;
    };
    let Some(Ok(cf)) = code.get() else {
        return;
    };
    if cf.promoted.is_empty() || act.pc < cf.promoted.len() {
        return;
    }
    let ids = &inner.instances[instance as usize].globals;
    for p in &cf.promoted {
        let cell = &mut inner.globals[ids[p.global as usize] as usize].def.storage[0];
        let Some(slot) = act.stack.get_mut(act.fp + p.slot as usize) else {
            return;
        };
        match dir {
            SyncTo::Globals if p.written => *cell = *slot,
            SyncTo::Globals => {}
            SyncTo::Slots => *slot = *cell,
        }
    }
}

/// Adds the Wasm frames of `act` (stopped at a trap or a host call) to a trap's backtrace.
#[cold]
#[inline(never)]
fn with_trace<T>(e: Error, store: &Store<T>, act: &Activation) -> Error {
    e.append_trace(|| trace::capture(&store.inner.funcs, &store.inner.instances, act))
}

fn exit_error(e: Exit) -> Error {
    match e {
        Exit::Trap(code) => Error::trap(code),
        Exit::Compile(e) => e.into(),
        Exit::Return | Exit::Host { .. } | Exit::Throw { .. } | Exit::ThrowRef { .. } => {
            Error::msg("internal: unexpected exit")
        }
    }
}

/// Runs host function `callee` for the Wasm function `act.func`, with arguments at `base`.
fn call_host<T>(
    store: &mut Store<T>,
    act: &mut Activation,
    callee: u32,
    base: usize,
) -> Result<()> {
    let data = &store.inner.funcs[callee as usize];
    let FuncKind::Host { index } = data.kind else {
        return Err(Error::msg("internal: not a host function"));
    };
    let ty = &data.ty;
    let n = ty.params().len().max(ty.results().len());
    let instance = match store.inner.funcs[act.func as usize].kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host { .. } => None,
    };
    if base + n > act.stack.len() {
        act.stack.resize(base + n, 0);
    }
    let vectors = ty
        .params()
        .iter()
        .chain(ty.results())
        .any(|t| *t == ValType::V128);
    if vectors && base + n > act.vstack.len() {
        act.vstack.resize(base + n, 0);
    }
    let mut buf = [ValRaw::default(); 8];
    let mut heap;
    let raw: &mut [ValRaw] = if n <= buf.len() {
        &mut buf[..n]
    } else {
        heap = vec![ValRaw::default(); n];
        &mut heap
    };
    for (i, (r, t)) in raw.iter_mut().zip(ty.params()).enumerate() {
        *r = from_cells(act, base + i, *t);
    }
    let host = store.host_funcs[index as usize].clone();
    host(
        Caller {
            store: &mut *store,
            instance,
        },
        raw,
    )?;
    let ty = &store.inner.funcs[callee as usize].ty;
    for (i, (r, t)) in raw.iter().zip(ty.results()).enumerate() {
        act.stack[base + i] = r.bits();
        if *t == ValType::V128 {
            act.vstack[base + i] = r.u128();
        }
    }
    Ok(())
}

/// The value of type `ty` in absolute slot `slot` of `act`: its vector cell for a v128
/// (the caller made sure the vector stack reaches it), else its scalar cell.
fn from_cells(act: &Activation, slot: usize, ty: ValType) -> ValRaw {
    if ty == ValType::V128 {
        ValRaw::from_u128(act.vstack.get(slot).copied().unwrap_or(0))
    } else {
        ValRaw::from_bits(act.stack[slot])
    }
}

/// A new exception of the running function's tag `tag` (a module index), its payload at
/// absolute slot `base` of `act`.
#[cold]
#[inline(never)]
fn new_exception(inner: &mut StoreInner, act: &Activation, tag: u32, base: usize) -> u32 {
    let FuncKind::Wasm { instance, .. } = inner.funcs[act.func as usize].kind else {
        unreachable!("only Wasm code throws");
    };
    let tag = inner.instances[instance as usize].tags[tag as usize];
    let payload = inner.tags[tag as usize]
        .ty
        .payload()
        .iter()
        .enumerate()
        .map(|(i, t)| match *t {
            ValType::V128 => ValRaw::from_u128(act.vstack.get(base + i).copied().unwrap_or(0)),
            _ => ValRaw::from_bits(act.stack.get(base + i).copied().unwrap_or(0)),
        })
        .collect();
    crate::exn::new_exn(inner, tag, payload)
}

/// Delivers the store's exception `exn` to the innermost catch clause of `act` that takes it
/// (from the instruction before `act.pc` outwards, frame by frame), which `act` then resumes
/// at; or, when none does, drops the activation's frames and returns the exception as the
/// error.
#[cold]
#[inline(never)]
fn unwind(inner: &mut StoreInner, act: &mut Activation, exn: u32) -> Result<()> {
    use wvm_bytecode::CatchKind;
    let tag = inner.exns[exn as usize].tag;
    loop {
        let (cf, instance) =
            exec::code_of(&inner.funcs, &inner.instances, act.func).map_err(exit_error)?;
        let at = act.pc.saturating_sub(1) as u32;
        let tags = &inner.instances[instance as usize].tags;
        let found = cf.handlers.iter().find(|h| {
            (h.start..h.end).contains(&at)
                && match h.kind {
                    CatchKind::Catch | CatchKind::CatchRef => tags[h.tag as usize] == tag,
                    CatchKind::CatchAll | CatchKind::CatchAllRef => true,
                }
        });
        let Some(&h) = found else {
            match act.frames.pop() {
                Some(f) => {
                    act.func = f.func;
                    act.pc = f.pc as usize;
                    act.fp = f.fp as usize;
                    continue;
                }
                None => return Err(crate::Exception::of(inner, exn).into()),
            }
        };
        let (wide, dst) = (cf.wide, act.fp + h.dst as usize);
        let mut slots = dst..dst + h.count as usize;
        if matches!(h.kind, CatchKind::Catch | CatchKind::CatchRef) {
            for (raw, slot) in inner.exns[exn as usize].payload.iter().zip(&mut slots) {
                act.stack[slot] = raw.bits();
                if let Some(v) = act.vstack.get_mut(slot).filter(|_| wide) {
                    *v = raw.u128();
                }
            }
        }
        let e = &mut inner.exns[exn as usize];
        if let Some(slot) = slots.next() {
            e.referenced = true;
            act.stack[slot] = u64::from(exn) + 1;
        } else if !e.referenced && exn as usize + 1 == inner.exns.len() {
            // Nothing refers to it: the common throw-and-catch loop allocates nothing.
            inner.exns.pop();
        }
        act.pc = h.pad as usize;
        return Ok(());
    }
}
