//! Wasm -> bytecode translation of one function.
//!
//! The translator keeps a model of the operand stack in which every entry is the slot that
//! holds the value: its own stack position, a local, or a constant slot. `local.get` and
//! constants push no instruction at all; an entry is copied to its own position only where
//! control flow needs values in fixed places (block boundaries, branches, calls). A
//! `local.set`/`local.tee` right after the instruction that produced the value rewrites that
//! instruction's destination instead of emitting a copy.
//!
//! Invariant at every block boundary: all entries sit at their own positions.
//!
//! Every emitted instruction that may trap or call also gets the byte offset of the operator
//! it came from, in a side table ([`CompiledFunc::offsets`]) that only trap backtraces read.
//! Memory and table operators are in `memory.rs`.
//!
//! Options ([`TranslateOptions`]) add instrumentation only when asked for, so that code
//! without it pays nothing: fuel metering puts one [`Instr::Fuel`] at the start of every
//! straight-line segment (function entry, loop header, each arm of an `if`, each label a
//! branch lands on) charging the static cost of the operators up to the next one; epoch
//! interruption puts [`Instr::CheckEpoch`] at function entries and loop headers; the
//! deterministic mode canonicalizes the NaNs of float arithmetic.
//!
//! A function that calls nothing keeps each global it reads or writes inside a loop in a
//! frame slot of its own ([`PromotedGlobal`]), treated like a local: a prologue loads the
//! slots, every return stores the written ones back, and the driver stores them back when
//! the frame stops at a trap or out of fuel (and reloads them when it resumes). Only globals
//! nothing else can alias take part: the module's own, or imported immutable ones.

use crate::instr::{Bin, Instr, Slot, Un, WideOp};
use std::collections::HashMap;
use wvm_environ::wasmparser::{
    BinaryReader, BlockType, Catch, FunctionBody, Operator, OperatorsReader,
};
use wvm_environ::{CompileError, FuelCosts, ModuleInfo};

/// The largest frame (in slots) a function may need: 16 Mi slots (128 MiB).
pub const MAX_FRAME_SLOTS: u32 = 1 << 24;

/// What the translator adds to the code, beyond the function's own operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TranslateOptions {
    /// Meter fuel with these costs.
    pub fuel: Option<FuelCosts>,
    /// Check the epoch deadline at function entries and loop headers.
    pub epoch: bool,
    /// Replace every NaN that float arithmetic produces by the canonical NaN.
    pub canonicalize_nans: bool,
}

/// A translated function.
#[derive(Debug, Clone)]
pub struct CompiledFunc {
    pub code: Box<[Instr]>,
    pub num_params: u32,
    pub num_results: u32,
    /// Slots the frame needs (params, locals, constants, operand stack, results).
    pub frame_size: u32,
    /// Initial contents of slots `num_params..num_params + template.len()`: zeroed locals,
    /// then the constants.
    pub template: Box<[u64]>,
    /// The function uses v128 values, so its frame has a vector cell beside each slot and
    /// its copies move both cells (see `crate::simd`).
    pub wide: bool,
    /// For a wide function, the initial vector cells of the template's slots (zeroed
    /// locals, the v128 constants); empty otherwise.
    pub vtemplate: Box<[u128]>,
    /// `(instruction index, Wasm byte offset)` of every instruction that may trap or call
    /// ([`Instr::may_trap_or_call`]), sorted by index: the offset (in the module binary) of
    /// the operator that produced it. Read only to describe a trap, never while running.
    pub offsets: Box<[(u32, u32)]>,
    /// Globals kept in frame slots; the code starts with one `GlobalGet` loading each, in
    /// this order (the prologue).
    pub promoted: Box<[PromotedGlobal]>,
    /// The catch clauses of the function's `try_table`s, innermost first (each table's in
    /// its order): an exception at instruction `pc` goes to the first that covers `pc` and
    /// matches it.
    pub handlers: Box<[Handler]>,
}

/// What a catch clause catches and what it passes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatchKind {
    /// Exceptions with tag `Handler::tag`: their payload.
    Catch,
    /// Exceptions with tag `Handler::tag`: their payload and the exception as an `exnref`.
    CatchRef,
    /// Any exception: nothing.
    CatchAll,
    /// Any exception: the exception as an `exnref`.
    CatchAllRef,
}

/// One catch clause of a `try_table`, as the unwinder uses it: when it catches an exception
/// thrown at an instruction in `start..end`, the payload (for `Catch`, `CatchRef`) and the
/// exception (for `CatchRef`, `CatchAllRef`), `count` values in all, go to slots from `dst`
/// on, and the function goes on at `pad`, code that branches to the clause's label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    pub start: u32,
    pub end: u32,
    pub kind: CatchKind,
    /// The module's tag index (for `Catch` and `CatchRef`).
    pub tag: u32,
    pub dst: Slot,
    pub count: u32,
    pub pad: u32,
}

/// A global that a function keeps in a frame slot while it runs (see the module notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromotedGlobal {
    /// The module's global index.
    pub global: u32,
    pub slot: Slot,
    /// The function writes the global, so the slot is stored back when the frame stops.
    pub written: bool,
}

impl CompiledFunc {
    /// The Wasm byte offset of the operator that produced instruction `pc`, if that
    /// instruction may trap or call.
    pub fn wasm_offset(&self, pc: usize) -> Option<u32> {
        let pc = u32::try_from(pc).ok()?;
        let i = self.offsets.binary_search_by_key(&pc, |&(p, _)| p).ok()?;
        Some(self.offsets[i].1)
    }

    /// Checks the properties the executor relies on to read code and frame slots without
    /// bounds checks. [`translate`] runs it on every function it returns, so code that
    /// breaks one is a translator bug reported as an error, never executed:
    ///
    /// - the last instruction is `Return`, `Return1`, `Br` or `Unreachable`, so execution
    ///   never runs past the end;
    /// - every branch target is an index into the code;
    /// - an instruction that takes an [`Instr::Extra`] word is followed by one, and a
    ///   `BrTable` by its `len + 1` `Br` entries;
    /// - every slot an instruction (or its `Extra` word, for `Select`) names is below
    ///   `frame_size`, and so are the parameters, the template and the results.
    pub fn verify(&self) -> Result<(), String> {
        let code = &self.code;
        let n = code.len();
        match code.last() {
            Some(
                Instr::Return
                | Instr::Return1 { .. }
                | Instr::Br { .. }
                | Instr::Unreachable
                | Instr::Throw { .. }
                | Instr::ThrowRef { .. },
            ) => {}
            other => return Err(format!("code ends with {other:?}")),
        }
        let size = self.frame_size;
        for (i, p) in self.promoted.iter().enumerate() {
            let load = Instr::GlobalGet {
                dst: p.slot,
                global: p.global,
            };
            if code.get(i) != Some(&load) || p.slot < self.num_params {
                return Err(format!("{i}: the prologue does not load promoted {p:?}"));
            }
        }
        if u64::from(self.num_params) + self.template.len() as u64 > u64::from(size)
            || self.num_results > size
        {
            return Err("frame too small for its parameters, template or results".into());
        }
        for h in &self.handlers {
            if h.pad as usize >= n || h.start > h.end || h.end as usize > n {
                return Err(format!("{h:?} points outside the code"));
            }
            if u64::from(h.dst) + u64::from(h.count) > u64::from(size) {
                return Err(format!("{h:?} writes past the frame"));
            }
        }
        let vlen = if self.wide { self.template.len() } else { 0 };
        if self.vtemplate.len() != vlen {
            return Err("vector template does not match the template".into());
        }
        for (i, instr) in code.iter().enumerate() {
            let mut bad = None;
            instr.for_each_slot(|s| {
                if s >= size {
                    bad = Some(s);
                }
            });
            if let Some(s) = bad {
                return Err(format!("{i}: {instr:?} names slot {s}, frame has {size}"));
            }
            if !self.wide && instr.uses_vector_cells() {
                return Err(format!("{i}: {instr:?} needs vector cells the frame lacks"));
            }
            if let Some(&mut t) = { *instr }.target_mut()
                && t as usize >= n
            {
                return Err(format!("{i}: {instr:?} jumps past the end"));
            }
            let extra = || match code.get(i + 1) {
                Some(&Instr::Extra { a, .. }) => Ok(a),
                _ => Err(format!("{i}: {instr:?} lacks its Extra word")),
            };
            match *instr {
                Instr::Select { .. }
                | Instr::SelectV { .. }
                | Instr::VTern { .. }
                | Instr::VShuffle { .. }
                | Instr::VLoadLane { .. }
                    if extra()? >= size =>
                {
                    return Err(format!("{i}: {instr:?} names a slot past the frame"));
                }
                Instr::Wide { .. }
                    if matches!(code.get(i + 1), Some(&Instr::Extra { b, .. }) if b >= size)
                        || extra()? >= size =>
                {
                    return Err(format!("{i}: {instr:?} names a slot past the frame"));
                }
                Instr::CallIndirect { .. }
                | Instr::ReturnCallIndirect { .. }
                | Instr::MemoryInit { .. }
                | Instr::LoadX { .. }
                | Instr::StoreX { .. }
                | Instr::VLoad { .. }
                | Instr::VStore { .. }
                | Instr::VStoreLane { .. }
                | Instr::TableGrow { .. }
                | Instr::TableFill { .. }
                | Instr::TableCopy { .. }
                | Instr::TableInit { .. } => {
                    extra()?;
                }
                Instr::BrTable { len, .. } => {
                    let entries = code.get(i + 1..=i + 1 + len as usize);
                    if !entries.is_some_and(|e| e.iter().all(|b| matches!(b, Instr::Br { .. }))) {
                        return Err(format!("{i}: br_table lacks its {} entries", len + 1));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The instruction that ran last when execution stopped with its program counter at
    /// `resume_pc` (a trap, or a call's return address): the last instruction before
    /// `resume_pc` that is not an [`Instr::Extra`] operand word.
    pub fn instr_before(&self, resume_pc: usize) -> Option<usize> {
        let code = self.code.get(..resume_pc)?;
        code.iter().rposition(|i| !matches!(i, Instr::Extra { .. }))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Func,
    Block,
    Loop,
    If,
    Else,
}

#[derive(Debug)]
struct Ctrl {
    kind: Kind,
    /// Stack height below the block's parameters.
    height: u32,
    nparams: u32,
    nresults: u32,
    /// For loops: the loop header's instruction index.
    start: u32,
    /// Instructions whose branch target is this block's end.
    patches: Vec<usize>,
    /// For `if`: the conditional branch to the else arm (or the end).
    else_patch: Option<usize>,
    /// Whether something branches to the end of the block.
    branched: bool,
    /// For `try_table`: its catch clauses.
    catches: Vec<Catch>,
}

struct Translator<'a> {
    info: &'a ModuleInfo,
    code: Vec<Instr>,
    stack: Vec<Slot>,
    stack_base: u32,
    max_height: u32,
    ctrl: Vec<Ctrl>,
    reachable: bool,
    dead_depth: u32,
    consts: HashMap<u64, Slot>,
    /// The slots of the v128 constants (and shuffle lane masks).
    vconsts: HashMap<u128, Slot>,
    /// See [`CompiledFunc::wide`] and [`CompiledFunc::vtemplate`].
    wide: bool,
    vtemplate: Vec<u128>,
    /// The frame template (locals' zeros, then the constants), the number of parameters
    /// (the template starts after them) and of parameters and locals (constants' slots
    /// start there).
    template: Vec<u64>,
    num_params: u32,
    num_locals: u32,
    /// The last instruction index that is a branch target (0 at first: the entry).
    label_pc: usize,
    /// Index of the last instruction, if it produced the top-of-stack value and may be
    /// redirected to write elsewhere.
    last_result: Option<usize>,
    num_results: u32,
    /// Offset of the operator being translated.
    offset: u64,
    /// See [`CompiledFunc::offsets`].
    offsets: Vec<(u32, u32)>,
    opts: TranslateOptions,
    /// Entries `0..own_upto` of the stack model sit at their own positions (so a block
    /// boundary only looks at the entries above).
    own_upto: usize,
    /// For each local, the stack-model indices that were pushed reading it (some may be stale;
    /// `set_local` checks), so that a `local.set` finds the readers without a scan.
    local_readers: Vec<Vec<u32>>,
    /// The `Fuel` instruction of the current segment, which the operators translated now
    /// add their cost to.
    fuel_open: Option<usize>,
    /// Globals kept in slots, as `local.get`/`local.set` of their slots.
    promoted: Vec<PromotedGlobal>,
    handlers: Vec<Handler>,
}

/// A constant of the body: scalar bits, or a v128 (also a shuffle's lane indices).
#[derive(Clone, Copy)]
enum Const {
    Scalar(u64),
    V128(u128),
}

/// What translation needs to know about a body before it starts.
struct Scan {
    /// Every constant, in order of appearance.
    consts: Vec<Const>,
    /// The body makes a v128 value (an operator, a global, a call's result), so the
    /// function is wide.
    wide: bool,
    /// The function calls something (so a callee could read or write any global).
    calls: bool,
    /// The globals read or written inside a loop.
    in_loops: std::collections::BTreeSet<u32>,
    /// The globals the function writes anywhere.
    written: std::collections::BTreeSet<u32>,
}

impl Scan {
    fn of(body: &FunctionBody<'_>, info: &ModuleInfo) -> Result<Scan, CompileError> {
        let mut scan = Scan {
            consts: Vec::new(),
            wide: false,
            calls: false,
            in_loops: Default::default(),
            written: Default::default(),
        };
        // For each open block: is it a loop.
        let mut blocks: Vec<bool> = Vec::new();
        let mut loops = 0u32;
        for op in body.get_operators_reader()? {
            use Operator as O;
            let op = op?;
            if !scan.wide {
                scan.wide = makes_v128(&op, info);
            }
            let bits = match op {
                O::I32Const { value } => u64::from(value as u32),
                O::I64Const { value } => value as u64,
                O::F32Const { value } => u64::from(value.bits()),
                O::F64Const { value } => value.bits(),
                O::RefNull { .. } => 0,
                O::V128Const { value } => {
                    scan.consts
                        .push(Const::V128(u128::from_le_bytes(*value.bytes())));
                    continue;
                }
                O::I8x16Shuffle { lanes } => {
                    scan.consts.push(Const::V128(u128::from_le_bytes(lanes)));
                    continue;
                }
                O::Block { .. } | O::If { .. } | O::TryTable { .. } | O::Try { .. } => {
                    blocks.push(false);
                    continue;
                }
                O::Loop { .. } => {
                    blocks.push(true);
                    loops += 1;
                    continue;
                }
                O::End => {
                    if blocks.pop() == Some(true) {
                        loops -= 1;
                    }
                    continue;
                }
                O::Call { .. }
                | O::CallIndirect { .. }
                | O::CallRef { .. }
                | O::ReturnCall { .. }
                | O::ReturnCallIndirect { .. }
                | O::ReturnCallRef { .. }
                | O::Throw { .. }
                | O::ThrowRef => {
                    // (An exception leaving a frame does not store promoted globals back.)
                    scan.calls = true;
                    continue;
                }
                O::GlobalGet { global_index } => {
                    if loops > 0 {
                        scan.in_loops.insert(global_index);
                    }
                    continue;
                }
                O::GlobalSet { global_index } => {
                    scan.written.insert(global_index);
                    if loops > 0 {
                        scan.in_loops.insert(global_index);
                    }
                    continue;
                }
                _ => continue,
            };
            scan.consts.push(Const::Scalar(bits));
        }
        Ok(scan)
    }

    /// `(global, written)` of each global to keep in a slot: those used inside a loop of
    /// a function that calls nothing, unless another index could name the same global (an
    /// imported mutable global may be imported twice) or its values do not fit a slot.
    fn promotable<'a>(&'a self, info: &'a ModuleInfo) -> impl Iterator<Item = (u32, bool)> + 'a {
        use wvm_environ::{Mutability, ValType};
        let keep = move |g: u32| {
            let Some(ty) = info.globals.get(g as usize) else {
                return false;
            };
            let unaliased = ty.mutability() == Mutability::Const || g >= info.num_imported_globals;
            let scalar = matches!(
                ty.content(),
                ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64
            );
            unaliased && scalar
        };
        self.in_loops
            .iter()
            .copied()
            .filter(move |&g| !self.calls && keep(g))
            .map(|g| (g, self.written.contains(&g)))
    }
}

/// What a call instruction calls.
#[derive(Copy, Clone)]
enum Callee {
    /// A function of the module.
    Func(u32),
    /// An element of a table, checked against the call's type.
    Table(u32),
    /// A function reference popped off the stack.
    Ref,
}

fn err(message: impl Into<String>, offset: u64) -> CompileError {
    CompileError {
        message: message.into(),
        offset,
    }
}

/// Translates defined function `def_index` of a validated module.
pub fn translate(
    info: &ModuleInfo,
    wasm: &[u8],
    def_index: u32,
    opts: &TranslateOptions,
) -> Result<CompiledFunc, CompileError> {
    let range = info.func_bodies[def_index as usize].clone();
    let func_index = info.num_imported_funcs + def_index;
    let ty = info.func_type(func_index);
    let num_params = ty.params().len() as u32;
    let num_results = ty.results().len() as u32;
    let body = FunctionBody::new(BinaryReader::new(&wasm[range.clone()], range.start as u64));

    let is_v128 = |t: &wvm_environ::ValType| *t == wvm_environ::ValType::V128;
    let mut wide = ty.params().iter().chain(ty.results()).any(is_v128);
    let mut num_locals = u64::from(num_params);
    for local in body.get_locals_reader()? {
        let (count, ty) = local?;
        num_locals += u64::from(count);
        wide |= ty == wvm_environ::wasmparser::ValType::V128;
    }
    if num_locals >= u64::from(MAX_FRAME_SLOTS) {
        return Err(err("function has too many locals", range.start as u64));
    }
    let num_locals = num_locals as u32;

    // One pass ahead of translation finds the constants and the globals to promote.
    let scan = Scan::of(&body, info)?;
    let wide = wide || scan.wide;
    // Promoted globals get slots after the locals, then constants, then the operand stack.
    let mut template = vec![0u64; (num_locals - num_params) as usize];
    let promoted: Vec<PromotedGlobal> = scan
        .promotable(info)
        .map(|(global, written)| {
            template.push(0);
            PromotedGlobal {
                global,
                slot: num_params + template.len() as u32 - 1,
                written,
            }
        })
        .collect();
    let num_locals = num_locals + promoted.len() as u32;
    let mut consts = HashMap::new();
    let mut vconsts: HashMap<u128, Slot> = HashMap::new();
    for c in scan.consts {
        let next = num_params + template.len() as u32;
        match c {
            Const::Scalar(bits) => {
                consts.entry(bits).or_insert_with(|| {
                    template.push(bits);
                    next
                });
            }
            Const::V128(v) => {
                vconsts.entry(v).or_insert_with(|| {
                    template.push(v as u64);
                    next
                });
            }
        }
    }
    // Vector cells of the template (wide functions only): zero but for the v128 constants.
    let mut vtemplate = vec![0u128; if wide { template.len() } else { 0 }];
    if wide {
        for (&v, &slot) in &vconsts {
            vtemplate[(slot - num_params) as usize] = v;
        }
    }
    let stack_base = num_params + template.len() as u32;
    if stack_base >= MAX_FRAME_SLOTS {
        return Err(err("function frame too large", range.start as u64));
    }

    let mut t = Translator {
        info,
        code: Vec::new(),
        stack: Vec::new(),
        stack_base,
        max_height: 0,
        ctrl: vec![Ctrl {
            kind: Kind::Func,
            height: 0,
            nparams: 0,
            nresults: num_results,
            start: 0,
            patches: Vec::new(),
            else_patch: None,
            branched: false,
            catches: Vec::new(),
        }],
        reachable: true,
        dead_depth: 0,
        consts,
        vconsts,
        wide,
        vtemplate,
        template,
        num_params,
        num_locals,
        label_pc: 0,
        last_result: None,
        num_results,
        offset: range.start as u64,
        offsets: Vec::new(),
        opts: *opts,
        fuel_open: None,
        own_upto: 0,
        local_readers: vec![Vec::new(); num_locals as usize],
        promoted,
        handlers: Vec::new(),
    };
    for p in &t.promoted {
        t.code.push(Instr::GlobalGet {
            dst: p.slot,
            global: p.global,
        });
    }
    t.begin_segment(true);
    let mut reader: OperatorsReader<'_> = body.get_operators_reader()?;
    while !reader.eof() {
        t.offset = reader.original_position();
        let op = reader.read()?;
        t.op(op)?;
        if t.ctrl.is_empty() {
            break;
        }
    }
    let frame_size = (stack_base + t.max_height).max(num_results);
    if frame_size >= MAX_FRAME_SLOTS {
        return Err(err("function frame too large", range.start as u64));
    }
    let f = CompiledFunc {
        code: t.code.into_boxed_slice(),
        num_params,
        num_results,
        frame_size,
        template: t.template.into_boxed_slice(),
        wide: t.wide,
        vtemplate: t.vtemplate.into_boxed_slice(),
        offsets: t.offsets.into_boxed_slice(),
        promoted: t.promoted.into_boxed_slice(),
        handlers: t.handlers.into_boxed_slice(),
    };
    f.verify().map_err(|m| {
        err(
            format!("internal error: bad bytecode: {m}"),
            range.start as u64,
        )
    })?;
    Ok(f)
}

impl Translator<'_> {
    fn pos(&self, height: u32) -> Slot {
        self.stack_base + height
    }

    fn height(&self) -> u32 {
        self.stack.len() as u32
    }

    fn emit(&mut self, i: Instr) -> usize {
        // A copy right after another (nothing jumping in between) joins it.
        if let Instr::Copy { dst, src } = i
            && let Some(&Instr::Copy { dst: d0, src: s0 }) = self.code.last()
            && self.label_pc < self.code.len()
            && let (Ok(d0), Ok(s0), Ok(d1), Ok(s1)) = (
                u16::try_from(d0),
                u16::try_from(s0),
                u16::try_from(dst),
                u16::try_from(src),
            )
        {
            let idx = self.code.len() - 1;
            self.code[idx] = Instr::Copy2 { d0, s0, d1, s1 };
            self.last_result = None;
            return idx;
        }
        if i.may_trap_or_call()
            && let Ok(offset) = u32::try_from(self.offset)
        {
            self.offsets.push((self.pc(), offset));
        }
        self.code.push(i);
        self.last_result = None;
        self.code.len() - 1
    }

    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    /// Starts a straight-line segment here: a new `Fuel` charge (if metering), and an epoch
    /// check where control can loop (`looping`: function entry or loop header).
    fn begin_segment(&mut self, looping: bool) {
        if looping && self.opts.epoch {
            self.emit(Instr::CheckEpoch);
        }
        if self.opts.fuel.is_some() {
            self.fuel_open = Some(self.emit(Instr::Fuel { cost: 0 }));
        }
    }

    /// Adds the static cost of `op` to the current segment's charge.
    fn charge(&mut self, op: &Operator<'_>) {
        let (Some(costs), Some(at)) = (self.opts.fuel, self.fuel_open) else {
            return;
        };
        use Operator as O;
        let cost = match op {
            O::Nop | O::Drop | O::Block { .. } | O::Loop { .. } | O::End | O::Else => 0,
            O::Call { .. }
            | O::CallIndirect { .. }
            | O::CallRef { .. }
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
            | O::ReturnCallRef { .. } => costs.call,
            O::I32Load { .. }
            | O::I64Load { .. }
            | O::F32Load { .. }
            | O::F64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. } => costs.load,
            O::I32Store { .. }
            | O::I64Store { .. }
            | O::F32Store { .. }
            | O::F64Store { .. }
            | O::I32Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store8 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. } => costs.store,
            _ => match simd::simd_memory_kind(op) {
                Some(true) => costs.load,
                Some(false) => costs.store,
                None => costs.base,
            },
        };
        if let Instr::Fuel { cost: total } = &mut self.code[at] {
            *total = total.saturating_add(cost);
        }
    }

    fn pop(&mut self) -> Slot {
        let s = self.stack.pop().expect("validated operand stack");
        self.own_upto = self.own_upto.min(self.stack.len());
        s
    }

    /// Drops the stack model down to `height` entries.
    fn truncate_stack(&mut self, height: usize) {
        self.stack.truncate(height);
        self.own_upto = self.own_upto.min(height);
    }

    /// Pushes a value computed into its own stack position; returns that slot.
    fn push_result(&mut self) -> Slot {
        let s = self.pos(self.height());
        self.uses_height(self.height());
        self.push_slot(s);
        s
    }

    /// Pushes an entry that lives in slot `s` (its own position, a local or a constant).
    fn push_slot(&mut self, s: Slot) {
        if let Some(readers) = self.local_readers.get_mut(s as usize) {
            readers.push(self.stack.len() as u32);
        }
        self.stack.push(s);
    }

    /// Records that the stack position at `height` is written, so the frame has room for it.
    fn uses_height(&mut self, height: u32) {
        self.max_height = self.max_height.max(height + 1);
    }

    /// Emits an instruction producing the new top of stack.
    fn produce(&mut self, i: Instr) {
        let idx = self.emit(i);
        self.last_result = Some(idx);
    }

    fn materialize(&mut self, index: usize) {
        let own = self.pos(index as u32);
        let src = self.stack[index];
        if src != own {
            self.uses_height(index as u32);
            self.copy(own, src);
            self.stack[index] = own;
        }
    }

    fn materialize_top(&mut self, n: u32) {
        let len = self.stack.len();
        for i in len - n as usize..len {
            self.materialize(i);
        }
    }

    fn materialize_all(&mut self) {
        for i in self.own_upto..self.stack.len() {
            self.materialize(i);
        }
        self.own_upto = self.stack.len();
    }

    /// Points `patches` here. A label that something branches to ends the chance to
    /// redirect the previous instruction's result.
    fn bind_here(&mut self, patches: &[usize]) {
        let pc = self.pc();
        for &p in patches {
            *self.code[p].target_mut().expect("branch") = pc;
        }
        if !patches.is_empty() {
            self.last_result = None;
            self.label_pc = pc as usize;
        }
    }

    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let ty = &self.info.types[i as usize];
                (ty.params().len() as u32, ty.results().len() as u32)
            }
        }
    }

    fn push_ctrl(&mut self, kind: Kind, bt: BlockType) -> &mut Ctrl {
        let (nparams, nresults) = self.block_arity(bt);
        let height = self.height() - nparams;
        let start = self.pc();
        self.ctrl.push(Ctrl {
            kind,
            height,
            nparams,
            nresults,
            start,
            patches: Vec::new(),
            else_patch: None,
            branched: false,
            catches: Vec::new(),
        });
        self.ctrl.last_mut().unwrap()
    }

    /// Copies the top `n` values to the positions starting at stack height `to`.
    fn copy_top_to(&mut self, n: u32, to: u32) {
        let len = self.stack.len();
        for i in 0..n as usize {
            let src = self.stack[len - n as usize + i];
            let dst = self.pos(to + i as u32);
            if src != dst {
                self.uses_height(to + i as u32);
                self.copy(dst, src);
            }
        }
    }

    fn needs_copy(&self, n: u32, to: u32) -> bool {
        let len = self.stack.len();
        (0..n as usize).any(|i| self.stack[len - n as usize + i] != self.pos(to + i as u32))
    }

    /// The slot that keeps global `global`, if it is promoted.
    fn promoted_slot(&self, global: u32) -> Option<Slot> {
        self.promoted
            .iter()
            .find(|p| p.global == global)
            .map(|p| p.slot)
    }

    /// Stores the promoted globals the function writes back to the globals.
    fn write_back_globals(&mut self) {
        for i in 0..self.promoted.len() {
            let p = self.promoted[i];
            if p.written {
                self.emit(Instr::GlobalSet {
                    src: p.slot,
                    global: p.global,
                });
            }
        }
    }

    /// Moves the function's results into slots `0..n` and returns.
    fn emit_return(&mut self) {
        let n = self.num_results;
        // A single result computed by the previous instruction is written to slot 0 directly
        // (unless slot 0 keeps a global still to be stored back).
        let top = self.height().checked_sub(1).map(|h| self.pos(h));
        if n == 1
            && top.is_some_and(|t| self.stack.last() == Some(&t))
            && self.promoted.iter().all(|p| p.slot != 0)
            && let Some(idx) = self.last_result
            && let Some(dst) = self.code[idx].result_slot_mut()
            && Some(*dst) == top
        {
            *dst = 0;
            self.write_back_globals();
            self.emit(Instr::Return);
            return;
        }
        // Globals first: the results may overwrite their slots.
        self.write_back_globals();
        // Runs only on this path (it may be a taken `br_if` or one `br_table` target), so
        // the model of the operand stack stays as it is.
        let len = self.stack.len();
        let mut srcs: Vec<Slot> = self.stack[len - n as usize..].to_vec();
        if n > 1 {
            // Results may come from locals inside `0..n`: gather them on the stack first.
            for (i, src) in srcs.iter_mut().enumerate() {
                let own = self.pos((len - n as usize + i) as u32);
                if *src != own {
                    self.uses_height((len - n as usize + i) as u32);
                    self.copy(own, *src);
                    *src = own;
                }
            }
        }
        if let [src] = srcs[..]
            && src != 0
            && !self.wide
        {
            self.emit(Instr::Return1 { src });
            return;
        }
        for (i, src) in srcs.into_iter().enumerate() {
            if src != i as u32 {
                self.copy(i as u32, src);
            }
        }
        self.emit(Instr::Return);
    }

    /// Emits a branch to `target` taken when `cond` (just popped) is non-zero, or zero if
    /// `negate`; returns its index. When the previous instruction computed `cond` into its
    /// stack position with an integer comparison (or `i32.eqz`, `i32.and`), the two become
    /// one fused compare-and-branch.
    fn cond_branch(&mut self, cond: Slot, negate: bool, target: u32) -> usize {
        if cond == self.pos(self.height())
            && let Some(idx) = self.last_result
            && idx + 1 == self.code.len()
            && self.code[idx].result_slot() == Some(cond)
            && let Some(fused) = self.code[idx].fused_branch(negate, target)
        {
            self.code[idx] = self.with_immediate(fused);
            self.last_result = None;
            // A loop counter's increment just before (with nothing jumping in between)
            // joins the branch.
            if idx > 0
                && self.label_pc < idx
                && let Some(inc) = self.code[idx].after_increment(&self.code[idx - 1])
            {
                self.code[idx - 1] = inc;
                self.code.pop();
                return idx - 1;
            }
            return idx;
        }
        self.emit(if negate {
            Instr::BrIfEqz { cond, target }
        } else {
            Instr::BrIfNez { cond, target }
        })
    }

    /// Emits an unconditional branch to the label `depth` levels out.
    fn branch(&mut self, depth: u32) {
        let idx = self.ctrl.len() - 1 - depth as usize;
        let (kind, height, arity, start) = {
            let f = &self.ctrl[idx];
            let arity = if f.kind == Kind::Loop {
                f.nparams
            } else {
                f.nresults
            };
            (f.kind, f.height, arity, f.start)
        };
        if kind == Kind::Func {
            self.emit_return();
            return;
        }
        self.copy_top_to(arity, height);
        if kind == Kind::Loop {
            self.emit(Instr::Br { target: start });
        } else {
            let p = self.emit(Instr::Br { target: 0 });
            let f = &mut self.ctrl[idx];
            f.patches.push(p);
            f.branched = true;
        }
    }

    fn branch_needs_stub(&self, depth: u32) -> bool {
        let f = &self.ctrl[self.ctrl.len() - 1 - depth as usize];
        if f.kind == Kind::Func {
            return true;
        }
        let arity = if f.kind == Kind::Loop {
            f.nparams
        } else {
            f.nresults
        };
        self.needs_copy(arity, f.height)
    }

    fn bin(&mut self, f: fn(Bin) -> Instr) {
        let rhs = self.pop();
        let lhs = self.pop();
        let dst = self.push_result();
        let i = f(Bin { dst, lhs, rhs });
        self.produce(self.with_immediate(i));
    }

    /// `i32.eqz` of an integer comparison computed just before into the top of the stack:
    /// the comparison becomes its negation (which a following branch can then fuse with).
    fn negate_last_comparison(&mut self) -> bool {
        let top = self.pos(self.height() - 1);
        if self.stack.last() == Some(&top)
            && let Some(idx) = self.last_result
            && idx + 1 == self.code.len()
            && self.code[idx].result_slot() == Some(top)
            && let Some(negated) = self.code[idx].negated_comparison()
        {
            self.code[idx] = negated;
            return true;
        }
        false
    }

    /// The constant that slot `s` holds, if it is a constant's slot.
    fn const_value(&self, s: Slot) -> Option<u64> {
        let i = s.checked_sub(self.num_params)?;
        if s < self.num_locals {
            return None;
        }
        self.template.get(i as usize).copied()
    }

    /// `i` in its immediate form, if it has one and its operand is a constant.
    fn with_immediate(&self, i: Instr) -> Instr {
        i.with_immediate(|s| self.const_value(s)).unwrap_or(i)
    }

    fn un(&mut self, f: fn(Un) -> Instr) {
        let src = self.pop();
        let dst = self.push_result();
        self.produce(f(Un { dst, src }));
    }

    fn push_const(&mut self, bits: u64) {
        let s = self.consts[&bits];
        self.push_slot(s);
    }

    fn set_local(&mut self, local: u32) {
        let v = self.pop();
        if v == local {
            return;
        }
        // Entries still reading the local's old value get their own copy first.
        let readers = std::mem::take(&mut self.local_readers[local as usize]);
        for i in readers {
            let i = i as usize;
            if i < self.stack.len() && self.stack[i] == local {
                self.materialize(i);
            }
        }
        let top = self.pos(self.height());
        if v == top
            && let Some(idx) = self.last_result
            && let Some(dst) = self.code[idx].result_slot_mut()
            && *dst == top
        {
            *dst = local;
            self.last_result = None;
            return;
        }
        self.copy(local, v);
    }

    /// `dst = src`: both cells in a wide function.
    fn copy(&mut self, dst: Slot, src: Slot) {
        if self.wide {
            self.emit(Instr::CopyV { dst, src });
        } else {
            self.emit(Instr::Copy { dst, src });
        }
    }

    /// Whether global `global` holds a v128.
    fn is_v128_global(&self, global: u32) -> bool {
        self.info
            .globals
            .get(global as usize)
            .is_some_and(|g| g.content() == wvm_environ::ValType::V128)
    }

    /// A call of `callee`, whose type is module type `ty_index` (for [`Callee::Func`], the
    /// function's own); a tail call if `tail` (the caller emits the return after it).
    fn call(&mut self, callee: Callee, ty_index: u32, tail: bool) {
        let ty = match callee {
            Callee::Func(f) => self.info.func_type(f),
            _ => &self.info.types[ty_index as usize],
        };
        let (np, nr) = (ty.params().len() as u32, ty.results().len() as u32);
        let index = match callee {
            Callee::Func(_) => 0,
            _ => self.pop(),
        };
        self.materialize_top(np);
        let base_h = self.height() - np;
        let base = self.pos(base_h);
        self.truncate_stack(base_h as usize);
        let ty = ty_index;
        match callee {
            Callee::Func(func) if tail => self.emit(Instr::ReturnCall { func, base }),
            Callee::Func(func) => self.emit(Instr::Call { func, base }),
            Callee::Table(_) if tail => self.emit(Instr::ReturnCallIndirect { ty, index, base }),
            Callee::Table(_) => self.emit(Instr::CallIndirect { ty, index, base }),
            Callee::Ref if tail => self.emit(Instr::ReturnCallRef { index, base }),
            Callee::Ref => self.emit(Instr::CallRef { index, base }),
        };
        if let Callee::Table(table) = callee {
            self.code.push(Instr::Extra {
                a: table,
                b: 0,
                c: 0,
            });
        }
        for _ in 0..nr {
            self.push_result();
        }
    }

    /// `br_if` to the label `depth` levels out on `cond` (just popped) being non-zero, or
    /// zero if `negate`.
    fn br_if(&mut self, cond: Slot, depth: u32, negate: bool) {
        let idx = self.ctrl.len() - 1 - depth as usize;
        if self.branch_needs_stub(depth) {
            let skip = self.cond_branch(cond, !negate, 0);
            self.branch(depth);
            self.bind_here(&[skip]);
        } else {
            let f = &self.ctrl[idx];
            if f.kind == Kind::Loop {
                let target = f.start;
                self.cond_branch(cond, negate, target);
            } else {
                let p = self.cond_branch(cond, negate, 0);
                let f = &mut self.ctrl[idx];
                f.patches.push(p);
                f.branched = true;
            }
        }
    }

    /// The catch clauses of the `try_table` `f`, just closed (its results are on the
    /// stack): one landing pad each, skipped by the code flowing on, which the unwinder
    /// enters with the clause's values in the slots from the try_table's base height on and
    /// which branches with them to the clause's label.
    fn landing_pads(&mut self, f: &Ctrl) {
        let (start, end) = (f.start, self.pc());
        let skip = self.reachable.then(|| self.emit(Instr::Br { target: 0 }));
        let (saved, saved_own) = (self.stack.clone(), self.own_upto);
        for c in &f.catches {
            let (kind, tag, label) = match *c {
                Catch::One { tag, label } => (CatchKind::Catch, tag, label),
                Catch::OneRef { tag, label } => (CatchKind::CatchRef, tag, label),
                Catch::All { label } => (CatchKind::CatchAll, 0, label),
                Catch::AllRef { label } => (CatchKind::CatchAllRef, 0, label),
            };
            let payload = match kind {
                CatchKind::Catch | CatchKind::CatchRef => {
                    self.info.func_type_of_tag(tag).params().len() as u32
                }
                _ => 0,
            };
            let count =
                payload + u32::from(matches!(kind, CatchKind::CatchRef | CatchKind::CatchAllRef));
            self.truncate_stack(f.height as usize);
            let pad = self.pc();
            for _ in 0..count {
                self.push_result();
            }
            self.last_result = None;
            self.label_pc = pad as usize;
            self.branch(label);
            self.handlers.push(Handler {
                start,
                end,
                kind,
                tag,
                dst: self.pos(f.height),
                count,
                pad,
            });
        }
        self.stack = saved;
        self.own_upto = saved_own;
        if let Some(skip) = skip {
            self.bind_here(&[skip]);
        }
    }

    /// `br_on_null` (`on_null`) or `br_on_non_null` to the label `depth` levels out. The
    /// test goes to the slot above the reference, which stays where it is: `br_on_null`
    /// branches without it and keeps it on the stack otherwise, `br_on_non_null` branches
    /// with it and drops it otherwise.
    fn br_on_null(&mut self, depth: u32, on_null: bool) {
        let r = *self.stack.last().expect("validated operand stack");
        let is_null = self.push_result();
        self.produce(Instr::I64Eqz(Un {
            dst: is_null,
            src: r,
        }));
        let cond = self.pop();
        if on_null {
            // Branch values lie below the reference, whose slot the branch never writes.
            let r = self.pop();
            self.br_if(cond, depth, false);
            self.push_slot(r);
        } else {
            self.br_if(cond, depth, true);
            self.pop();
        }
    }

    fn op(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
        if !self.reachable {
            match op {
                Operator::Block { .. }
                | Operator::Loop { .. }
                | Operator::If { .. }
                | Operator::TryTable { .. } => {
                    self.dead_depth += 1;
                    return Ok(());
                }
                Operator::Else if self.dead_depth == 0 => {}
                Operator::End if self.dead_depth == 0 => {}
                Operator::End => {
                    self.dead_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
        self.charge(&op);
        use Operator as O;
        match op {
            O::Unreachable => {
                self.emit(Instr::Unreachable);
                self.reachable = false;
            }
            O::Nop => {}
            O::Block { blockty } => {
                self.materialize_all();
                self.push_ctrl(Kind::Block, blockty);
            }
            // A block whose catch clauses the unwinder may enter from anywhere inside: the
            // operands below it stay in their own slots, as for any block.
            O::TryTable { try_table } => {
                self.materialize_all();
                self.push_ctrl(Kind::Block, try_table.ty).catches = try_table.catches;
            }
            O::Throw { tag_index } => {
                let ty = self.info.func_type_of_tag(tag_index);
                let n = ty.params().len() as u32;
                self.materialize_top(n);
                let base_h = self.height() - n;
                let base = self.pos(base_h);
                self.truncate_stack(base_h as usize);
                self.emit(Instr::Throw {
                    tag: tag_index,
                    base,
                });
                self.reachable = false;
            }
            O::ThrowRef => {
                let src = self.pop();
                self.emit(Instr::ThrowRef { src });
                self.reachable = false;
            }
            O::Loop { blockty } => {
                self.materialize_all();
                self.last_result = None;
                self.label_pc = self.code.len();
                self.push_ctrl(Kind::Loop, blockty);
                self.begin_segment(true);
            }
            O::If { blockty } => {
                let cond = self.pop();
                self.materialize_all();
                let p = self.cond_branch(cond, true, 0);
                self.push_ctrl(Kind::If, blockty).else_patch = Some(p);
                self.begin_segment(false);
            }
            O::Else => {
                let then_reachable = self.reachable;
                if then_reachable {
                    let n = self.ctrl.last().unwrap().nresults;
                    self.materialize_top(n);
                    let p = self.emit(Instr::Br { target: 0 });
                    self.ctrl.last_mut().unwrap().patches.push(p);
                }
                let f = self.ctrl.last_mut().unwrap();
                f.kind = Kind::Else;
                f.branched |= then_reachable;
                let else_patch = f.else_patch.take();
                let (height, nparams) = (f.height, f.nparams);
                if let Some(p) = else_patch {
                    self.bind_here(&[p]);
                    self.begin_segment(false);
                }
                self.truncate_stack(height as usize);
                for _ in 0..nparams {
                    self.push_result();
                }
                self.reachable = true;
            }
            O::End => {
                let f = self.ctrl.pop().expect("validated control stack");
                if self.reachable {
                    self.materialize_top(f.nresults);
                }
                let mut reachable = self.reachable || f.branched;
                let joined = f.else_patch.is_some() || !f.patches.is_empty();
                if let Some(p) = f.else_patch {
                    self.bind_here(&[p]);
                    reachable = true;
                }
                self.bind_here(&f.patches);
                // Control arrives here from elsewhere: the code after is a segment of its own.
                if joined && reachable {
                    self.begin_segment(false);
                }
                self.truncate_stack(f.height as usize);
                for _ in 0..f.nresults {
                    self.push_result();
                }
                self.reachable = reachable;
                if f.kind == Kind::Func && reachable {
                    self.emit_return();
                }
                if !f.catches.is_empty() {
                    self.landing_pads(&f);
                }
            }
            O::Br { relative_depth } => {
                self.branch(relative_depth);
                self.reachable = false;
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop();
                self.br_if(cond, relative_depth, false);
            }
            O::BrOnNull { relative_depth } => self.br_on_null(relative_depth, true),
            O::BrOnNonNull { relative_depth } => self.br_on_null(relative_depth, false),
            O::BrTable { targets } => {
                let index = self.pop();
                let mut depths = targets.targets().collect::<Result<Vec<u32>, _>>()?;
                depths.push(targets.default());
                self.emit(Instr::BrTable {
                    index,
                    len: depths.len() as u32 - 1,
                });
                let first = self.code.len();
                let mut stubs: Vec<(usize, u32)> = Vec::new();
                for &d in &depths {
                    let entry = self.emit(Instr::Br { target: 0 });
                    if self.branch_needs_stub(d) {
                        stubs.push((entry, d));
                    } else {
                        let idx = self.ctrl.len() - 1 - d as usize;
                        let f = &mut self.ctrl[idx];
                        if f.kind == Kind::Loop {
                            self.code[entry] = Instr::Br { target: f.start };
                        } else {
                            f.patches.push(entry);
                            f.branched = true;
                        }
                    }
                }
                debug_assert_eq!(first + depths.len(), self.code.len());
                // One stub per distinct depth: copy the values, then jump.
                let mut done: HashMap<u32, u32> = HashMap::new();
                for (entry, d) in stubs {
                    if let Some(&pc) = done.get(&d) {
                        self.code[entry] = Instr::Br { target: pc };
                        continue;
                    }
                    let pc = self.pc();
                    self.code[entry] = Instr::Br { target: pc };
                    done.insert(d, pc);
                    self.branch(d);
                }
                self.reachable = false;
            }
            O::Return => {
                self.emit_return();
                self.reachable = false;
            }
            O::Call { function_index } => self.call(Callee::Func(function_index), 0, false),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.call(Callee::Table(table_index), type_index, false),
            O::CallRef { type_index } => self.call(Callee::Ref, type_index, false),
            // A tail call of a Wasm function never comes back; the return after it serves
            // host functions, which are called like any other.
            O::ReturnCall { .. } | O::ReturnCallIndirect { .. } | O::ReturnCallRef { .. } => {
                let (callee, ty) = match op {
                    O::ReturnCall { function_index } => (Callee::Func(function_index), 0),
                    O::ReturnCallIndirect {
                        type_index,
                        table_index,
                    } => (Callee::Table(table_index), type_index),
                    O::ReturnCallRef { type_index } => (Callee::Ref, type_index),
                    _ => unreachable!(),
                };
                self.call(callee, ty, true);
                self.emit_return();
                self.reachable = false;
            }
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } | O::TypedSelectMulti { .. } => {
                let cond = self.pop();
                let rhs = self.pop();
                let lhs = self.pop();
                let dst = self.push_result();
                if self.wide {
                    self.produce(Instr::SelectV { dst, cond, lhs });
                } else {
                    self.produce(Instr::Select { dst, cond, lhs });
                }
                self.code.push(Instr::Extra { a: rhs, b: 0, c: 0 });
            }
            O::LocalGet { local_index } => self.push_slot(local_index),
            O::LocalSet { local_index } => self.set_local(local_index),
            O::LocalTee { local_index } => {
                self.set_local(local_index);
                self.push_slot(local_index);
            }
            O::GlobalGet { global_index } if let Some(slot) = self.promoted_slot(global_index) => {
                self.push_slot(slot);
            }
            O::GlobalSet { global_index } if let Some(slot) = self.promoted_slot(global_index) => {
                self.set_local(slot);
            }
            O::GlobalGet { global_index } if self.is_v128_global(global_index) => {
                let dst = self.push_result();
                self.produce(Instr::VGlobalGet {
                    dst,
                    global: global_index,
                });
            }
            O::GlobalSet { global_index } if self.is_v128_global(global_index) => {
                let src = self.pop();
                self.emit(Instr::VGlobalSet {
                    src,
                    global: global_index,
                });
            }
            O::GlobalGet { global_index } => {
                let dst = self.push_result();
                self.produce(Instr::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            O::GlobalSet { global_index } => {
                let src = self.pop();
                self.emit(Instr::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            O::I32Const { value } => self.push_const(u64::from(value as u32)),
            O::I64Const { value } => self.push_const(value as u64),
            O::F32Const { value } => self.push_const(u64::from(value.bits())),
            O::F64Const { value } => self.push_const(value.bits()),
            O::RefNull { .. } => self.push_const(0),
            O::RefIsNull => self.un(Instr::I64Eqz),
            O::RefAsNonNull => {
                let src = *self.stack.last().expect("validated operand stack");
                self.emit(Instr::RefAsNonNull { src });
            }
            // Slots hold raw bits, so reinterpretation changes nothing.
            O::I32ReinterpretF32
            | O::I64ReinterpretF64
            | O::F32ReinterpretI32
            | O::F64ReinterpretI64 => {}
            O::I32Eqz if self.negate_last_comparison() => {}
            O::RefFunc { function_index } => {
                let dst = self.push_result();
                self.produce(Instr::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            other => return self.memory_op(other),
        }
        Ok(())
    }
}

macro_rules! numeric_ops {
    (bin: [$($b:ident),* $(,)?], un: [$($u:ident),* $(,)?] $(,)?) => {
        impl Translator<'_> {
            fn numeric(&mut self, op: Operator<'_>) -> Result<(), CompileError> {
                let canon = if self.opts.canonicalize_nans { nan_producer(&op) } else { None };
                match op {
                    $(Operator::$b => self.bin(Instr::$b),)*
                    $(Operator::$u => self.un(Instr::$u),)*
                    Operator::I64Add128 => self.wide(WideOp::Add128, true),
                    Operator::I64Sub128 => self.wide(WideOp::Sub128, true),
                    Operator::I64MulWideS => self.wide(WideOp::MulWideS, false),
                    Operator::I64MulWideU => self.wide(WideOp::MulWideU, false),
                    other => {
                        return Err(err(
                            format!("unsupported instruction {other:?}"),
                            self.offset,
                        ))
                    }
                }
                if let Some(f) = canon {
                    let dst = *self.stack.last().expect("a float result");
                    self.produce(f(dst));
                }
                Ok(())
            }
        }
    };
}

crate::instr::with_numeric_ops! { numeric_ops! {} }

impl Translator<'_> {
    /// A wide-arithmetic operator: two 64-bit operands, or two 128-bit ones as (low, high)
    /// pairs (`pairs`); two results, low then high.
    fn wide(&mut self, op: WideOp, pairs: bool) {
        let (lhs_hi, rhs_hi, rhs, lhs);
        if pairs {
            (rhs_hi, rhs, lhs_hi, lhs) = (self.pop(), self.pop(), self.pop(), self.pop());
        } else {
            (rhs, lhs) = (self.pop(), self.pop());
            (lhs_hi, rhs_hi) = (lhs, rhs);
        }
        let dst = self.push_result();
        self.push_result();
        self.emit(Instr::Wide { op, dst, lhs, rhs });
        self.code.push(Instr::Extra {
            a: lhs_hi,
            b: rhs_hi,
            c: 0,
        });
    }
}

/// For a float operator whose NaN results the hardware may choose (arithmetic, rounding,
/// square root, conversion between widths), the instruction that canonicalizes its result.
/// Sign and bit operations (`abs`, `neg`, `copysign`) and comparisons are exact already.
fn nan_producer(op: &Operator<'_>) -> Option<fn(Slot) -> Instr> {
    use Operator as O;
    match op {
        O::F32Add
        | O::F32Sub
        | O::F32Mul
        | O::F32Div
        | O::F32Min
        | O::F32Max
        | O::F32Sqrt
        | O::F32Ceil
        | O::F32Floor
        | O::F32Trunc
        | O::F32Nearest
        | O::F32DemoteF64 => Some(|s| Instr::CanonF32 { dst: s, src: s }),
        O::F64Add
        | O::F64Sub
        | O::F64Mul
        | O::F64Div
        | O::F64Min
        | O::F64Max
        | O::F64Sqrt
        | O::F64Ceil
        | O::F64Floor
        | O::F64Trunc
        | O::F64Nearest
        | O::F64PromoteF32 => Some(|s| Instr::CanonF64 { dst: s, src: s }),
        _ => None,
    }
}

/// Whether `op` makes a v128 value: a v128 operator, a v128 global's value or a call's
/// v128 result (v128 values come from nowhere else but parameters and locals).
fn makes_v128(op: &Operator<'_>, info: &ModuleInfo) -> bool {
    use wvm_environ::ValType;
    let returns_v128 = |ty: &wvm_environ::FuncType| ty.results().contains(&ValType::V128);
    match *op {
        Operator::GlobalGet { global_index } => info
            .globals
            .get(global_index as usize)
            .is_some_and(|g| g.content() == ValType::V128),
        Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
            (function_index as usize) < info.functions.len()
                && returns_v128(info.func_type(function_index))
        }
        Operator::CallIndirect { type_index, .. }
        | Operator::ReturnCallIndirect { type_index, .. }
        | Operator::CallRef { type_index }
        | Operator::ReturnCallRef { type_index } => info
            .types
            .get(type_index as usize)
            .is_some_and(returns_v128),
        Operator::TryTable { ref try_table } => try_table.catches.iter().any(|c| match *c {
            Catch::One { tag, .. } | Catch::OneRef { tag, .. } => {
                (tag as usize) < info.tags.len()
                    && info.func_type_of_tag(tag).params().contains(&ValType::V128)
            }
            _ => false,
        }),
        ref other => simd::is_simd(other),
    }
}

mod memory;
mod simd;
#[cfg(test)]
mod tests;
