//! Decoding and validation of a module into a [`ModuleInfo`].

use crate::limits::ModuleLimits;
use crate::operators::visit_common_operator;
use crate::types::{FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType};
use std::ops::Range;
use std::sync::{Mutex, OnceLock, PoisonError};
use wasmparser::{
    ElementItems, ElementKind, ExternalKind, FuncToValidate, FuncValidator,
    FuncValidatorAllocations, FunctionBody, Operator, Parser, Payload, TypeRef, ValidPayload,
    Validator, ValidatorResources, WasmFeatures,
};

/// A malformed or invalid module: what is wrong and where.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} (at offset 0x{offset:x})")]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// The byte offset in the module binary.
    pub offset: u64,
}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError {
            message: e.message().to_string(),
            offset: e.offset(),
        }
    }
}

/// Every WebAssembly feature WVM implements (see [`features`]).
pub(crate) const FEATURES: WasmFeatures = WasmFeatures::WASM2
    .union(WasmFeatures::RELAXED_SIMD)
    .union(WasmFeatures::MULTI_MEMORY)
    .union(WasmFeatures::MEMORY64)
    .union(WasmFeatures::CUSTOM_PAGE_SIZES)
    .union(WasmFeatures::EXTENDED_CONST)
    .union(WasmFeatures::WIDE_ARITHMETIC)
    .union(WasmFeatures::TAIL_CALL)
    .union(WasmFeatures::FUNCTION_REFERENCES)
    .union(WasmFeatures::EXCEPTIONS);

/// The WebAssembly features WVM accepts by default: WebAssembly 2.0 (SIMD included), relaxed
/// SIMD, and of WebAssembly 3.0 and its proposals those implemented so far: multiple
/// memories, 64-bit memories and tables, custom page sizes, extended constant expressions,
/// wide arithmetic and tail calls. Modules using anything else
/// fail validation. [`ModuleLimits::features`] narrows (or keeps) this set per engine.
pub fn features() -> WasmFeatures {
    FEATURES
}

/// One instruction of an extended constant expression ([`ConstExpr::Extended`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstOp {
    I32Const(i32),
    I64Const(i64),
    GlobalGet(u32),
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A constant expression: one instruction (all WebAssembly 2.0 allows), or a sequence of
/// them with integer arithmetic (extended constant expressions, WebAssembly 3.0).
#[derive(Debug, Clone, PartialEq)]
pub enum ConstExpr {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    RefNull(RefType),
    RefFunc(u32),
    GlobalGet(u32),
    /// Several instructions, run on a stack of integers; the result is the one left.
    Extended(Box<[ConstOp]>),
}

/// What an import or export names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
    Tag(u32),
}

/// One import.
#[derive(Debug, Clone)]
pub struct Import {
    pub module: String,
    pub name: String,
    /// The index the import takes in its index space.
    pub index: EntityIndex,
}

/// One export.
#[derive(Debug, Clone)]
pub struct Export {
    pub name: String,
    pub index: EntityIndex,
}

/// How an element segment is used.
#[derive(Debug, Clone)]
pub enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

/// An element segment.
#[derive(Debug, Clone)]
pub struct ElemSegment {
    pub mode: ElemMode,
    pub ty: RefType,
    /// Each item as a constant expression (function indices become `RefFunc`).
    pub items: Vec<ConstExpr>,
}

/// How a data segment is used.
#[derive(Debug, Clone)]
pub enum DataMode {
    Passive,
    Active { memory: u32, offset: ConstExpr },
}

/// A data segment; its bytes are `range` of the module binary.
#[derive(Debug, Clone)]
pub struct DataSegment {
    pub mode: DataMode,
    pub range: Range<usize>,
}

/// Everything WVM needs to know about a module, without its code translated.
#[derive(Debug, Default)]
pub struct ModuleInfo {
    /// The module's name from the name section, if any.
    pub name: Option<String>,
    /// The type section.
    pub types: Vec<FuncType>,
    pub imports: Vec<Import>,
    /// Type index of every function, imported first.
    pub functions: Vec<u32>,
    pub num_imported_funcs: u32,
    pub tables: Vec<TableType>,
    pub num_imported_tables: u32,
    /// The initializer of each defined table's elements (`None`: null).
    pub table_inits: Vec<Option<ConstExpr>>,
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
    /// Type index of every exception tag, imported first.
    pub tags: Vec<u32>,
    pub num_imported_tags: u32,
    /// Initializers of the defined globals.
    pub global_inits: Vec<ConstExpr>,
    pub exports: Vec<Export>,
    pub start: Option<u32>,
    pub elements: Vec<ElemSegment>,
    pub data: Vec<DataSegment>,
    /// Byte range (in the module binary) of each defined function's body.
    pub func_bodies: Vec<Range<usize>>,
    /// Function names from the name section.
    pub func_names: Vec<(u32, String)>,
}

impl ModuleInfo {
    /// The type of function `func` (imported or defined).
    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.functions[func as usize] as usize]
    }

    /// Rewrites every concrete type index in the module's types (the type section, tables,
    /// globals, element segments) from a type-section index to the id `register` gives that
    /// type, with the indices inside it already rewritten: with an engine-wide `register`,
    /// two modules' types compare equal exactly when they are the same type. Types are
    /// registered in order (a type names only types before it); returns their ids.
    pub fn canonicalize_types(&mut self, mut register: impl FnMut(&FuncType) -> u32) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::with_capacity(self.types.len());
        for i in 0..self.types.len() {
            let t = self.types[i].map_concrete(|j| ids[j as usize]);
            ids.push(register(&t));
            self.types[i] = t;
        }
        let map = |j: u32| ids[j as usize];
        for t in &mut self.tables {
            *t = t.map_concrete(map);
        }
        for g in &mut self.globals {
            *g = g.map_concrete(map);
        }
        for e in &mut self.elements {
            e.ty = e.ty.map_concrete(map);
        }
        ids
    }

    /// The type of tag `tag` (its payload as parameters).
    pub fn func_type_of_tag(&self, tag: u32) -> &FuncType {
        &self.types[self.tags[tag as usize] as usize]
    }

    /// The name-section name of function `func`, if it has one.
    pub fn func_name(&self, func: u32) -> Option<&str> {
        self.func_names
            .binary_search_by_key(&func, |(i, _)| *i)
            .ok()
            .map(|i| self.func_names[i].1.as_str())
    }

    /// Validates `wasm` under the default [`ModuleLimits`] and decodes it. Validation is
    /// complete and eager: a module that passes never fails to translate later except for
    /// resource limits.
    pub fn decode(wasm: &[u8]) -> Result<ModuleInfo, CompileError> {
        ModuleInfo::decode_with_limits(wasm, &ModuleLimits::DEFAULT)
    }

    /// Validates `wasm` under `limits` and decodes it, validating function bodies on up to
    /// [`available_threads`] threads (see [`validate_with_threads`]).
    pub fn decode_with_limits(
        wasm: &[u8],
        limits: &ModuleLimits,
    ) -> Result<ModuleInfo, CompileError> {
        ModuleInfo::decode_with_threads(wasm, limits, available_threads())
    }

    /// Validates `wasm` under `limits` on up to `threads` threads (see
    /// [`validate_with_threads`]) and decodes it.
    pub fn decode_with_threads(
        wasm: &[u8],
        limits: &ModuleLimits,
        threads: usize,
    ) -> Result<ModuleInfo, CompileError> {
        // Decoding reads the sections only, which are validated before any function body:
        // it takes place while other threads validate the bodies.
        validate_impl(wasm, limits, threads, MIN_BODY_BYTES_PER_THREAD, || {
            decode_validated(wasm)
        })?
    }
}

/// Validates a module binary with the features WVM accepts, under the default
/// [`ModuleLimits`].
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    validate_with_limits(wasm, &ModuleLimits::DEFAULT)
}

/// Validates a module binary with the features WVM accepts, and checks `limits` on the way:
/// a module over a limit fails like an invalid one, with the byte offset and a message that
/// names the limit. Function bodies are validated on up to [`available_threads`] threads
/// (see [`validate_with_threads`]).
pub fn validate_with_limits(wasm: &[u8], limits: &ModuleLimits) -> Result<(), CompileError> {
    validate_with_threads(wasm, limits, available_threads())
}

/// The number of threads the machine can run at once (at least 1), as
/// [`std::thread::available_parallelism`] says; asked once per process.
pub fn available_threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Function bodies are validated on the calling thread alone unless there are at least this
/// many bytes of them per thread: starting a thread costs about as much as validating 10 KiB.
const MIN_BODY_BYTES_PER_THREAD: usize = 64 * 1024;

/// Validates a module binary like [`validate_with_limits`], validating function bodies on up
/// to `threads` threads (the calling thread included; `0` and `1` mean the calling thread
/// alone, and so does a module with little code). The result does not depend on `threads`:
/// sections are validated in order first, then the bodies, and of several invalid bodies the
/// first one's error is reported.
pub fn validate_with_threads(
    wasm: &[u8],
    limits: &ModuleLimits,
    threads: usize,
) -> Result<(), CompileError> {
    validate_impl(wasm, limits, threads, MIN_BODY_BYTES_PER_THREAD, || ())
}

/// A function body to validate, with its validator's inputs.
type Body<'a> = (FuncToValidate<ValidatorResources>, FunctionBody<'a>);

/// One pass, in the order wasmparser's `validate_all` takes (sections first, then function
/// bodies), so the time it takes is bounded by the module's size. Once the sections are
/// valid, the calling thread runs `meanwhile` while other threads (if any) validate bodies;
/// its result is returned if the bodies are valid too.
fn validate_impl<R>(
    wasm: &[u8],
    limits: &ModuleLimits,
    threads: usize,
    min_bytes_per_thread: usize,
    meanwhile: impl FnOnce() -> R,
) -> Result<R, CompileError> {
    let mut validator = Validator::new_with_features(limits.features);
    let mut parser = Parser::new(0);
    parser.set_features(limits.features);
    let mut num_funcs: u64 = 0;
    let mut bodies = Vec::new();
    let mut body_bytes = 0;
    for payload in parser.parse_all(wasm) {
        let payload = payload?;
        let valid = validator.payload(&payload)?;
        match &payload {
            Payload::ImportSection(reader) => {
                for import in reader.clone().into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        num_funcs += 1;
                    }
                }
                check_functions(num_funcs, limits, reader.range().start)?;
            }
            Payload::FunctionSection(reader) => {
                num_funcs += u64::from(reader.count());
                check_functions(num_funcs, limits, reader.range().start)?;
            }
            Payload::CodeSectionStart { size, .. } => body_bytes = *size as usize,
            _ => {}
        }
        if let ValidPayload::Func(func, body) = valid {
            bodies.push((func, body));
        }
    }
    let threads = threads.min(body_bytes / min_bytes_per_thread.max(1));
    if threads <= 1 {
        let mut allocs = FuncValidatorAllocations::default();
        for (func, body) in bodies {
            let mut v = func.into_validator(allocs);
            validate_body(&mut v, &body, limits)?;
            allocs = v.into_allocations();
        }
        Ok(meanwhile())
    } else {
        validate_bodies_in_parallel(bodies, limits, threads, meanwhile)
    }
}

/// Validates `bodies` on `threads` threads (this one included). The bodies go out in batches
/// of consecutive functions, in order; a thread stops at the first invalid body it meets, and
/// takes no batch after the first invalid body found so far, so the error kept (that of the
/// first invalid body) is the one a validation in order would report. This thread runs
/// `meanwhile` before it joins in.
fn validate_bodies_in_parallel<R>(
    bodies: Vec<Body<'_>>,
    limits: &ModuleLimits,
    threads: usize,
    meanwhile: impl FnOnce() -> R,
) -> Result<R, CompileError> {
    let size = |b: &Body<'_>| (b.1.range().end - b.1.range().start) as usize;
    let total: usize = bodies.iter().map(size).sum();
    // Many batches per thread, so that the threads finish close together.
    let batch_bytes = total / (threads * 32);
    let mut batches = Vec::new();
    let mut batch = Vec::new();
    let (mut first, mut bytes) = (0, 0);
    for (i, body) in bodies.into_iter().enumerate() {
        bytes += size(&body);
        batch.push(body);
        if bytes >= batch_bytes {
            batches.push((first, std::mem::take(&mut batch)));
            (first, bytes) = (i + 1, 0);
        }
    }
    if !batch.is_empty() {
        batches.push((first, batch));
    }
    let queue = Mutex::new(batches.into_iter());
    // The first invalid body found so far: its index and error.
    let failed: Mutex<Option<(usize, CompileError)>> = Mutex::new(None);
    let work = || {
        let mut allocs = FuncValidatorAllocations::default();
        loop {
            let next = queue.lock().unwrap_or_else(PoisonError::into_inner).next();
            let Some((first, batch)) = next else { return };
            let failed_before = |i: usize| {
                let failed = failed.lock().unwrap_or_else(PoisonError::into_inner);
                failed.as_ref().is_some_and(|(f, _)| *f < i)
            };
            if failed_before(first) {
                return;
            }
            for (i, (func, body)) in (first..).zip(batch) {
                let mut v = func.into_validator(allocs);
                let result = validate_body(&mut v, &body, limits);
                allocs = v.into_allocations();
                if let Err(e) = result {
                    let mut failed = failed.lock().unwrap_or_else(PoisonError::into_inner);
                    if failed.as_ref().is_none_or(|(f, _)| i < *f) {
                        *failed = Some((i, e));
                    }
                    // Every batch still to come lies after this body.
                    return;
                }
            }
        }
    };
    let result = std::thread::scope(|scope| {
        for _ in 1..threads {
            // A thread that cannot start leaves its share to the others.
            let _ = std::thread::Builder::new().spawn_scoped(scope, work);
        }
        let result = meanwhile();
        work();
        result
    });
    match failed.into_inner().unwrap_or_else(PoisonError::into_inner) {
        Some((_, e)) => Err(e),
        None => Ok(result),
    }
}

fn check_functions(count: u64, limits: &ModuleLimits, offset: u64) -> Result<(), CompileError> {
    if count > u64::from(limits.max_functions) {
        return Err(err(
            format!(
                "module has more than {} functions (limit max_functions)",
                limits.max_functions
            ),
            offset,
        ));
    }
    Ok(())
}

/// Validates one function body as `FuncValidator::validate` does, checking the body size,
/// the number of locals and the nesting depth of blocks against `limits` on the way.
fn validate_body(
    v: &mut FuncValidator<ValidatorResources>,
    body: &FunctionBody<'_>,
    limits: &ModuleLimits,
) -> Result<(), CompileError> {
    let range = body.range();
    let (start, size) = (range.start, range.end - range.start);
    if size > u64::from(limits.max_function_body_size) {
        return Err(err(
            format!(
                "function body of {size} bytes is larger than {} bytes (limit \
                 max_function_body_size)",
                limits.max_function_body_size
            ),
            start,
        ));
    }
    let mut reader = body.get_binary_reader();
    v.read_locals(&mut reader)?;
    if v.len_locals() > limits.max_locals {
        return Err(err(
            format!(
                "function has {} locals (parameters included), more than {} (limit max_locals)",
                v.len_locals(),
                limits.max_locals
            ),
            start,
        ));
    }
    reader.set_features(*v.features());
    // The operators' bytes, for `visit_common_operator` to look at.
    let start = reader.current_position();
    let bytes = reader.clone().read_bytes(reader.bytes_remaining())?;
    // The function's own frame is the first entry of the control stack.
    let max_height = limits.max_nesting_depth.saturating_add(1);
    while !reader.eof() {
        let offset = reader.original_position();
        // `visit_operator` first checks that a frame is open.
        let open = v.control_stack_height() > 0;
        let mut visitor = v.visitor(offset);
        let common = if open {
            visit_common_operator(&mut reader, bytes, start, &mut visitor)
        } else {
            None
        };
        match common {
            Some(result) => result??,
            None => reader.visit_operator(&mut visitor)??,
        }
        drop(visitor);
        if v.control_stack_height() > max_height {
            return Err(err(
                format!(
                    "blocks nested more than {} deep (limit max_nesting_depth)",
                    limits.max_nesting_depth
                ),
                offset,
            ));
        }
    }
    reader.finish_expression(&v.visitor(reader.original_position()))?;
    Ok(())
}

fn err(message: impl Into<String>, offset: u64) -> CompileError {
    CompileError {
        message: message.into(),
        offset,
    }
}

fn val_type(ty: wasmparser::ValType, offset: u64) -> Result<ValType, CompileError> {
    ValType::from_wasmparser(ty).map_err(|m| err(m, offset))
}

fn ref_type(ty: wasmparser::RefType, offset: u64) -> Result<RefType, CompileError> {
    RefType::from_wasmparser(ty).map_err(|m| err(m, offset))
}

fn table_type(t: &wasmparser::TableType, offset: u64) -> Result<TableType, CompileError> {
    let element = ref_type(t.element_type, offset)?;
    if t.table64 {
        return Ok(TableType::new64(element, t.initial, t.maximum));
    }
    let max = match t.maximum {
        Some(m) => Some(u32::try_from(m).map_err(|_| err("table too large", offset))?),
        None => None,
    };
    let min = u32::try_from(t.initial).map_err(|_| err("table too large", offset))?;
    Ok(TableType::new(element, min, max))
}

fn memory_type(t: &wasmparser::MemoryType, offset: u64) -> Result<MemoryType, CompileError> {
    if t.shared {
        return Err(err("shared memories are not supported", offset));
    }
    let ty = if t.memory64 {
        MemoryType::new64(t.initial, t.maximum)
    } else {
        let conv = |v: u64| u32::try_from(v).map_err(|_| err("memory size too large", offset));
        let max = match t.maximum {
            Some(m) => Some(conv(m)?),
            None => None,
        };
        MemoryType::new(conv(t.initial)?, max)
    };
    Ok(ty.with_page_size_log2(t.page_size_log2.map_or(16, |l| l as u8)))
}

fn global_type(t: &wasmparser::GlobalType, offset: u64) -> Result<GlobalType, CompileError> {
    let m = if t.mutable {
        Mutability::Var
    } else {
        Mutability::Const
    };
    Ok(GlobalType::new(val_type(t.content_type, offset)?, m))
}

/// Reads a constant expression of exactly one instruction.
pub fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, CompileError> {
    let mut reader = expr.get_operators_reader();
    let offset = reader.original_position();
    let op = reader.read()?;
    let value = match op {
        Operator::I32Const { value } => ConstExpr::I32(value),
        Operator::I64Const { value } => ConstExpr::I64(value),
        Operator::F32Const { value } => ConstExpr::F32(value.bits()),
        Operator::F64Const { value } => ConstExpr::F64(value.bits()),
        Operator::V128Const { value } => ConstExpr::V128(u128::from_le_bytes(*value.bytes())),
        Operator::RefNull { hty } => ConstExpr::RefNull(ref_type(
            wasmparser::RefType::new(true, hty).ok_or_else(|| err("bad heap type", offset))?,
            offset,
        )?),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => return Err(err("unsupported constant expression", offset)),
    };
    let mut ops = Vec::new();
    loop {
        let offset = reader.original_position();
        let next = match reader.read()? {
            Operator::End if ops.is_empty() => return Ok(value),
            Operator::End => break,
            Operator::I32Const { value } => ConstOp::I32Const(value),
            Operator::I64Const { value } => ConstOp::I64Const(value),
            Operator::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
            Operator::I32Add => ConstOp::I32Add,
            Operator::I32Sub => ConstOp::I32Sub,
            Operator::I32Mul => ConstOp::I32Mul,
            Operator::I64Add => ConstOp::I64Add,
            Operator::I64Sub => ConstOp::I64Sub,
            Operator::I64Mul => ConstOp::I64Mul,
            _ => return Err(err("unsupported constant expression", offset)),
        };
        if ops.is_empty() {
            ops.push(match value {
                ConstExpr::I32(v) => ConstOp::I32Const(v),
                ConstExpr::I64(v) => ConstOp::I64Const(v),
                ConstExpr::GlobalGet(g) => ConstOp::GlobalGet(g),
                _ => return Err(err("unsupported constant expression", offset)),
            });
        }
        ops.push(next);
    }
    Ok(ConstExpr::Extended(ops.into()))
}

/// Runs an extended constant expression on a stack of integers, reading globals with
/// `global`; `None` if the expression does not leave exactly one value (validation rules
/// that out).
pub fn eval_extended(ops: &[ConstOp], global: impl Fn(u32) -> u64) -> Option<u64> {
    let mut stack: Vec<u64> = Vec::with_capacity(4);
    for op in ops {
        let v = match *op {
            ConstOp::I32Const(v) => u64::from(v as u32),
            ConstOp::I64Const(v) => v as u64,
            ConstOp::GlobalGet(g) => global(g),
            _ => {
                let (b, a) = (stack.pop()?, stack.pop()?);
                let (a32, b32) = (a as u32, b as u32);
                match *op {
                    ConstOp::I32Add => u64::from(a32.wrapping_add(b32)),
                    ConstOp::I32Sub => u64::from(a32.wrapping_sub(b32)),
                    ConstOp::I32Mul => u64::from(a32.wrapping_mul(b32)),
                    ConstOp::I64Add => a.wrapping_add(b),
                    ConstOp::I64Sub => a.wrapping_sub(b),
                    _ => a.wrapping_mul(b),
                }
            }
        };
        stack.push(v);
    }
    (stack.len() == 1).then(|| stack[0])
}

fn decode_validated(wasm: &[u8]) -> Result<ModuleInfo, CompileError> {
    let mut info = ModuleInfo::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for (off, sub) in group?.into_types_and_offsets() {
                        let f = match &sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => f,
                            _ => return Err(err("only function types are supported", off)),
                        };
                        let params = f
                            .params()
                            .iter()
                            .map(|t| val_type(*t, off))
                            .collect::<Result<Vec<_>, _>>()?;
                        let results = f
                            .results()
                            .iter()
                            .map(|t| val_type(*t, off))
                            .collect::<Result<Vec<_>, _>>()?;
                        info.types.push(FuncType::new(params, results));
                    }
                }
            }
            Payload::ImportSection(reader) => {
                let offset = reader.range().start;
                for import in reader.into_imports() {
                    let import = import?;
                    let index = match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            info.functions.push(t);
                            info.num_imported_funcs += 1;
                            EntityIndex::Func(info.functions.len() as u32 - 1)
                        }
                        TypeRef::Table(t) => {
                            info.tables.push(table_type(&t, offset)?);
                            info.num_imported_tables += 1;
                            EntityIndex::Table(info.tables.len() as u32 - 1)
                        }
                        TypeRef::Memory(m) => {
                            info.memories.push(memory_type(&m, offset)?);
                            info.num_imported_memories += 1;
                            EntityIndex::Memory(info.memories.len() as u32 - 1)
                        }
                        TypeRef::Global(g) => {
                            info.globals.push(global_type(&g, offset)?);
                            info.num_imported_globals += 1;
                            EntityIndex::Global(info.globals.len() as u32 - 1)
                        }
                        TypeRef::Tag(t) => {
                            info.tags.push(t.func_type_idx);
                            info.num_imported_tags += 1;
                            EntityIndex::Tag(info.tags.len() as u32 - 1)
                        }
                    };
                    info.imports.push(Import {
                        module: import.module.to_string(),
                        name: import.name.to_string(),
                        index,
                    });
                }
            }
            Payload::FunctionSection(reader) => {
                for t in reader {
                    info.functions.push(t?);
                }
            }
            Payload::TableSection(reader) => {
                let offset = reader.range().start;
                for t in reader {
                    let t = t?;
                    info.table_inits.push(match &t.init {
                        wasmparser::TableInit::RefNull => None,
                        wasmparser::TableInit::Expr(e) => Some(const_expr(e)?),
                    });
                    info.tables.push(table_type(&t.ty, offset)?);
                }
            }
            Payload::TagSection(reader) => {
                for t in reader {
                    info.tags.push(t?.func_type_idx);
                }
            }
            Payload::MemorySection(reader) => {
                let offset = reader.range().start;
                for m in reader {
                    info.memories.push(memory_type(&m?, offset)?);
                }
            }
            Payload::GlobalSection(reader) => {
                let offset = reader.range().start;
                for g in reader {
                    let g = g?;
                    info.globals.push(global_type(&g.ty, offset)?);
                    info.global_inits.push(const_expr(&g.init_expr)?);
                }
            }
            Payload::ExportSection(reader) => {
                for e in reader {
                    let e = e?;
                    let index = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => EntityIndex::Func(e.index),
                        ExternalKind::Table => EntityIndex::Table(e.index),
                        ExternalKind::Memory => EntityIndex::Memory(e.index),
                        ExternalKind::Global => EntityIndex::Global(e.index),
                        ExternalKind::Tag => EntityIndex::Tag(e.index),
                    };
                    info.exports.push(Export {
                        name: e.name.to_string(),
                        index,
                    });
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for e in reader {
                    let e = e?;
                    let offset = e.range.start;
                    let mode = match e.kind {
                        ElementKind::Passive => ElemMode::Passive,
                        ElementKind::Declared => ElemMode::Declared,
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => ElemMode::Active {
                            table: table_index.unwrap_or(0),
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let (ty, items) = match e.items {
                        ElementItems::Functions(r) => (
                            RefType::new(false, crate::types::HeapType::Func),
                            r.into_iter()
                                .map(|f| f.map(ConstExpr::RefFunc))
                                .collect::<Result<Vec<_>, _>>()?,
                        ),
                        ElementItems::Expressions(ty, r) => {
                            let mut items = Vec::new();
                            for expr in r {
                                items.push(const_expr(&expr?)?);
                            }
                            (ref_type(ty, offset)?, items)
                        }
                    };
                    info.elements.push(ElemSegment { mode, ty, items });
                }
            }
            Payload::DataSection(reader) => {
                for d in reader {
                    let d = d?;
                    let mode = match d.kind {
                        wasmparser::DataKind::Passive => DataMode::Passive,
                        wasmparser::DataKind::Active {
                            memory_index,
                            offset_expr,
                        } => DataMode::Active {
                            memory: memory_index,
                            offset: const_expr(&offset_expr)?,
                        },
                    };
                    let end = d.range.end as usize;
                    let start = end - d.data.len();
                    info.data.push(DataSegment {
                        mode,
                        range: start..end,
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                let r = body.range();
                info.func_bodies.push(r.start as usize..r.end as usize);
            }
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    read_names(&mut info, names);
                }
            }
            _ => {}
        }
    }
    info.func_names.sort_by_key(|(i, _)| *i);
    info.func_names.dedup_by_key(|(i, _)| *i);
    Ok(info)
}

/// The name section is advisory: a malformed one is ignored, as the spec asks.
fn read_names(info: &mut ModuleInfo, names: wasmparser::NameSectionReader<'_>) {
    for name in names {
        match name {
            Ok(wasmparser::Name::Module { name, .. }) => info.name = Some(name.to_string()),
            Ok(wasmparser::Name::Function(map)) => {
                for n in map.into_iter().flatten() {
                    info.func_names.push((n.index, n.name.to_string()));
                }
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ModuleLimits, validate_impl};

    fn leb(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }

    /// A module of functions `() -> ()` with these bodies (local declarations included).
    fn module(bodies: &[Vec<u8>]) -> Vec<u8> {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[1, 4, 1, 0x60, 0, 0]); // type section: one `func`
        let mut funcs = Vec::new();
        leb(bodies.len(), &mut funcs);
        funcs.resize(funcs.len() + bodies.len(), 0);
        wasm.push(3);
        leb(funcs.len(), &mut wasm);
        wasm.extend_from_slice(&funcs);
        let mut code = Vec::new();
        leb(bodies.len(), &mut code);
        for body in bodies {
            leb(body.len(), &mut code);
            code.extend_from_slice(body);
        }
        wasm.push(10);
        leb(code.len(), &mut wasm);
        wasm.extend_from_slice(&code);
        wasm
    }

    /// Every module below is validated alone and, several times, on 2 to 4 threads with batches of single
    /// functions: the result must be the same.
    fn check(bodies: &[Vec<u8>], limits: &ModuleLimits) -> Result<(), super::CompileError> {
        let wasm = module(bodies);
        let alone = validate_impl(&wasm, limits, 1, 1, || ());
        for threads in (2..=4).cycle().take(30) {
            let parallel = validate_impl(&wasm, limits, threads, 1, || ());
            assert_eq!(
                format!("{parallel:?}"),
                format!("{alone:?}"),
                "{threads} threads"
            );
        }
        alone
    }

    #[test]
    fn parallel_validation_reports_the_first_invalid_body() {
        let limits = ModuleLimits {
            max_locals: 4,
            ..ModuleLimits::DEFAULT
        };
        // A valid body with a few blocks and a little arithmetic.
        let good = vec![0, 0x02, 0x40, 0x41, 1, 0x41, 2, 0x6a, 0x1a, 0x0b, 0x0b];
        let type_error = vec![0, 0x6a, 0x0b]; // i32.add without operands
        let too_many_locals = vec![1, 5, 0x7f, 0x0b];
        let unterminated = vec![0, 0x01];

        let mut bodies = vec![good.clone(); 200];
        assert!(check(&bodies, &limits).is_ok());
        for (i, bad) in [
            (150, &type_error),
            (90, &too_many_locals),
            (170, &unterminated),
        ] {
            bodies[i] = bad.clone();
            let e = check(&bodies, &limits).unwrap_err();
            assert!(!e.message.is_empty());
        }
        let e = check(&bodies, &limits).unwrap_err();
        assert!(e.message.contains("max_locals"), "{e}");
        bodies[3] = unterminated.clone();
        check(&bodies, &limits).unwrap_err();
        bodies[199] = type_error.clone();
        bodies[0] = type_error.clone();
        let e = check(&bodies, &limits).unwrap_err();
        assert!(e.message.contains("type mismatch"), "{e}");
    }
}
