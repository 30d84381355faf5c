//! Decoding and validation of a module into a [`ModuleInfo`].

use crate::limits::ModuleLimits;
use crate::types::{FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType};
use std::ops::Range;
use wasmparser::{
    ElementItems, ElementKind, ExternalKind, FuncValidator, FuncValidatorAllocations, FunctionBody,
    Operator, Parser, Payload, TypeRef, ValidPayload, Validator, ValidatorResources, WasmFeatures,
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

/// The WebAssembly features WVM accepts: WebAssembly 2.0 without SIMD, whose execution has
/// not landed yet. Modules using anything else fail validation.
pub fn features() -> WasmFeatures {
    WasmFeatures::WASM2 & !WasmFeatures::SIMD
}

/// A constant expression (WebAssembly 2.0 allows exactly one instruction).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstExpr {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    RefNull(RefType),
    RefFunc(u32),
    GlobalGet(u32),
}

/// What an import or export names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityIndex {
    Func(u32),
    Table(u32),
    Memory(u32),
    Global(u32),
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
    pub memories: Vec<MemoryType>,
    pub num_imported_memories: u32,
    pub globals: Vec<GlobalType>,
    pub num_imported_globals: u32,
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

    /// Validates `wasm` under `limits` and decodes it.
    pub fn decode_with_limits(
        wasm: &[u8],
        limits: &ModuleLimits,
    ) -> Result<ModuleInfo, CompileError> {
        validate_with_limits(wasm, limits)?;
        decode_validated(wasm)
    }
}

/// Validates a module binary with the features WVM accepts, under the default
/// [`ModuleLimits`].
pub fn validate(wasm: &[u8]) -> Result<(), CompileError> {
    validate_with_limits(wasm, &ModuleLimits::DEFAULT)
}

/// Validates a module binary with the features WVM accepts, and checks `limits` on the way:
/// a module over a limit fails like an invalid one, with the byte offset and a message that
/// names the limit. One pass, in the order wasmparser's `validate_all` takes (sections first,
/// then function bodies), so the time it takes is bounded by the module's size.
pub fn validate_with_limits(wasm: &[u8], limits: &ModuleLimits) -> Result<(), CompileError> {
    let mut validator = Validator::new_with_features(features());
    let mut parser = Parser::new(0);
    parser.set_features(features());
    let mut num_funcs: u64 = 0;
    let mut bodies = Vec::new();
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
            _ => {}
        }
        if let ValidPayload::Func(func, body) = valid {
            bodies.push((func, body));
        }
    }
    let mut allocs = FuncValidatorAllocations::default();
    for (func, body) in bodies {
        let mut v = func.into_validator(allocs);
        validate_body(&mut v, &body, limits)?;
        allocs = v.into_allocations();
    }
    Ok(())
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
    // The function's own frame is the first entry of the control stack.
    let max_height = limits.max_nesting_depth.saturating_add(1);
    while !reader.eof() {
        let offset = reader.original_position();
        reader.visit_operator(&mut v.visitor(offset))??;
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
    let max = match t.maximum {
        Some(m) => Some(u32::try_from(m).map_err(|_| err("table too large", offset))?),
        None => None,
    };
    let min = u32::try_from(t.initial).map_err(|_| err("table too large", offset))?;
    Ok(TableType::new(ref_type(t.element_type, offset)?, min, max))
}

fn memory_type(t: &wasmparser::MemoryType, offset: u64) -> Result<MemoryType, CompileError> {
    let conv = |v: u64| u32::try_from(v).map_err(|_| err("memory size too large", offset));
    let max = match t.maximum {
        Some(m) => Some(conv(m)?),
        None => None,
    };
    Ok(MemoryType::new(conv(t.initial)?, max))
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
        Operator::RefNull { hty } => ConstExpr::RefNull(ref_type(
            wasmparser::RefType::new(true, hty).ok_or_else(|| err("bad heap type", offset))?,
            offset,
        )?),
        Operator::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
        Operator::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
        _ => return Err(err("unsupported constant expression", offset)),
    };
    match reader.read()? {
        Operator::End => Ok(value),
        _ => Err(err(
            "constant expression longer than one instruction",
            offset,
        )),
    }
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
                        TypeRef::Tag(_) => return Err(err("tags are not supported", offset)),
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
                    if !matches!(t.init, wasmparser::TableInit::RefNull) {
                        return Err(err("table initializers are not supported", offset));
                    }
                    info.tables.push(table_type(&t.ty, offset)?);
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
                let offset = reader.range().start;
                for e in reader {
                    let e = e?;
                    let index = match e.kind {
                        ExternalKind::Func | ExternalKind::FuncExact => EntityIndex::Func(e.index),
                        ExternalKind::Table => EntityIndex::Table(e.index),
                        ExternalKind::Memory => EntityIndex::Memory(e.index),
                        ExternalKind::Global => EntityIndex::Global(e.index),
                        ExternalKind::Tag => return Err(err("tags are not supported", offset)),
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
                            RefType::FuncRef,
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
