//! The interpreter: the driver that enters WebAssembly from the host and runs host
//! functions that WebAssembly calls, around the dispatch loop in [`exec`]. A trap gets its
//! backtrace ([`trace`]) here, on the error path only.

mod exec;
mod num;
mod trace;

pub use trace::FrameInfo;

use crate::store::FuncKind;
use crate::vm::ValRaw;
use crate::{Caller, Error, Result, Store};
use exec::{Activation, Exit, Limits};
use wvm_environ::TrapCode;

/// Most host -> Wasm re-entries active at once (a host function calling back into Wasm
/// which calls the host again, ...). Each uses some host stack, so it is bounded.
const MAX_NESTING: usize = 200;

/// Calls store function `func`; arguments are in `slots[..params]`, results are written to
/// `slots[..results]`.
pub(crate) fn invoke<T>(store: &mut Store<T>, func: u32, slots: &mut [u64]) -> Result<()> {
    if store.inner.nesting >= MAX_NESTING {
        return Err(Error::trap(TrapCode::StackOverflow));
    }
    if let FuncKind::Host { index } = store.inner.funcs[func as usize].kind {
        let mut raw: Vec<ValRaw> = slots.iter().map(|s| ValRaw::from_bits(*s)).collect();
        let host = store.host_funcs[index as usize].clone();
        store.inner.nesting += 1;
        let r = host(
            Caller {
                store: &mut *store,
                instance: None,
            },
            &mut raw,
        );
        store.inner.nesting -= 1;
        r?;
        for (s, r) in slots.iter_mut().zip(&raw) {
            *s = r.bits();
        }
        return Ok(());
    }
    let stack = store.inner.stack_pool.pop().unwrap_or_default();
    let mut act = Activation {
        stack,
        frames: Vec::new(),
        func,
        pc: 0,
        fp: 0,
    };
    store.inner.nesting += 1;
    let result = run_to_completion(store, &mut act, slots);
    store.inner.nesting -= 1;
    store.inner.stack_pool.push(act.stack);
    result
}

fn run_to_completion<T>(
    store: &mut Store<T>,
    act: &mut Activation,
    slots: &mut [u64],
) -> Result<()> {
    let config = store.inner.engine.config();
    let limits = Limits {
        max_depth: config.max_call_depth,
        max_slots: config.max_stack_slots,
    };
    let func = act.func;
    let num_results = store.inner.funcs[func as usize].ty.results().len();
    {
        let inner = &store.inner;
        let (cf, _) = match exec::code_of(&inner.funcs, &inner.instances, func) {
            Ok(x) => x,
            Err(e) => return Err(exit_error(e)),
        };
        exec::enter_frame(&mut act.stack, cf, 0, limits).map_err(exit_error)?;
        let n = cf.num_params as usize;
        act.stack[..n].copy_from_slice(&slots[..n]);
    }
    loop {
        match exec::run(&mut store.inner, act, limits) {
            Exit::Return => {
                slots[..num_results].copy_from_slice(&act.stack[..num_results]);
                return Ok(());
            }
            Exit::Host { func: callee, base } => {
                if let Err(e) = call_host(store, act, callee, base) {
                    return Err(with_trace(e, store, act));
                }
            }
            other => return Err(with_trace(exit_error(other), store, act)),
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
        Exit::Return | Exit::Host { .. } => Error::msg("internal: unexpected exit"),
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
    let (np, nr) = (data.ty.params().len(), data.ty.results().len());
    let n = np.max(nr);
    let instance = match store.inner.funcs[act.func as usize].kind {
        FuncKind::Wasm { instance, .. } => Some(instance),
        FuncKind::Host { .. } => None,
    };
    if base + n > act.stack.len() {
        act.stack.resize(base + n, 0);
    }
    let host = store.host_funcs[index as usize].clone();
    let mut buf = [ValRaw::default(); 8];
    let mut heap;
    let raw: &mut [ValRaw] = if n <= buf.len() {
        &mut buf[..n]
    } else {
        heap = vec![ValRaw::default(); n];
        &mut heap
    };
    for (r, s) in raw.iter_mut().zip(&act.stack[base..base + np]) {
        *r = ValRaw::from_bits(*s);
    }
    host(
        Caller {
            store: &mut *store,
            instance,
        },
        raw,
    )
    .map_err(Error::into_host_trap)?;
    for (s, r) in act.stack[base..base + nr].iter_mut().zip(raw.iter()) {
        *s = r.bits();
    }
    Ok(())
}
