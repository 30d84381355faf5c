//! Module: a decoded, validated module, its functions translated on demand.

use crate::interp::{Code, CodeCell};
use crate::{Engine, Error, ExternType, Result, TagType};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use wvm_environ::{CompileError, EntityIndex, ModuleInfo};

/// A compiled WebAssembly module. Cheap to clone.
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub(crate) engine: Engine,
    pub(crate) info: ModuleInfo,
    pub(crate) wasm: Box<[u8]>,
    /// Canonical type id of each type-section entry. `info`'s types name other types by
    /// these ids (`ModuleInfo::canonicalize_types`).
    pub(crate) type_ids: Box<[u32]>,
    /// Translated code of each defined function, filled on first call.
    pub(crate) compiled: Box<[CodeCell]>,
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.name())
            .finish_non_exhaustive()
    }
}

impl Module {
    /// Decodes and validates a module from its binary (`.wasm`) or text (`.wat`) form.
    ///
    /// Input that does not look like text is decoded as a binary, so a malformed binary is
    /// reported with the byte offset of the problem.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let bytes = bytes.as_ref();
        if looks_like_text(bytes) {
            let wasm = wat::parse_bytes(bytes).map_err(|e| {
                Error::from_kind(crate::ErrorKind::Message(format!(
                    "invalid WebAssembly text: {e}"
                )))
            })?;
            Module::from_binary(engine, &wasm)
        } else {
            Module::from_binary(engine, bytes)
        }
    }

    /// Decodes and validates a module from its binary form.
    pub fn from_binary(engine: &Engine, wasm: &[u8]) -> Result<Module> {
        let config = engine.config();
        let mut info =
            ModuleInfo::decode_with_threads(wasm, &config.module_limits, config.compile_threads())?;
        let type_ids = info.canonicalize_types(|t| engine.type_id(t)).into();
        let compiled = (0..info.func_bodies.len())
            .map(|_| OnceLock::new())
            .collect();
        let module = Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                info,
                wasm: wasm.into(),
                type_ids,
                compiled,
            }),
        };
        if !engine.config().lazy_translation {
            for i in 0..module.inner.compiled.len() {
                if let Err(e) = module.inner.compiled(i as u32) {
                    return Err(e.clone().into());
                }
            }
        }
        Ok(module)
    }

    /// Reads a module from a `.wasm` or `.wat` file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes = std::fs::read(path)
            .map_err(|e| Error::msg(format!("cannot read {}: {e}", path.display())))?;
        if looks_like_text(&bytes) {
            let wasm = wat::parse_bytes(&bytes).map_err(|mut e| {
                e.set_path(path);
                Error::from_kind(crate::ErrorKind::Message(format!(
                    "invalid WebAssembly text: {e}"
                )))
            })?;
            Module::from_binary(engine, &wasm)
        } else {
            Module::from_binary(engine, &bytes)
        }
    }

    /// Checks that `bytes` are a valid module within the engine's limits
    /// ([`Config::max_functions`](crate::Config::max_functions) and the like), without
    /// keeping it.
    pub fn validate(engine: &Engine, bytes: &[u8]) -> Result<()> {
        let config = engine.config();
        Ok(wvm_environ::validate_with_threads(
            bytes,
            &config.module_limits,
            config.compile_threads(),
        )?)
    }

    /// The engine the module belongs to.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.inner.info.name.as_deref()
    }

    /// The module's imports, in order.
    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType<'_>> {
        let info = &self.inner.info;
        info.imports.iter().map(move |i| ImportType {
            module: &i.module,
            name: &i.name,
            ty: entity_type(info, i.index),
        })
    }

    /// The module's exports, in order.
    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType<'_>> {
        let info = &self.inner.info;
        info.exports.iter().map(move |e| ExportType {
            name: &e.name,
            ty: entity_type(info, e.index),
        })
    }

    /// The type of export `name`.
    pub fn get_export(&self, name: &str) -> Option<ExternType> {
        self.exports().find(|e| e.name == name).map(|e| e.ty)
    }
}

impl ModuleInner {
    /// The translated code of defined function `def`, translating it on first use.
    ///
    /// The interpreter calls this on every call; the translation itself is out of line, so
    /// that inlining this leaves no local whose address escapes (which would stop the
    /// threaded loop's handlers from jumping to one another, see `interp/threaded.rs`).
    #[inline]
    pub(crate) fn compiled(&self, def: u32) -> &Result<Code, CompileError> {
        match self.compiled[def as usize].get() {
            Some(code) => code,
            None => self.translate(def),
        }
    }

    #[cold]
    #[inline(never)]
    fn translate(&self, def: u32) -> &Result<Code, CompileError> {
        self.compiled[def as usize].get_or_init(|| {
            let config = self.engine.config();
            let opts = config.translate_options();
            wvm_bytecode::translate(&self.info, &self.wasm, def, &opts)
                .map(|f| Code::new(f, config.uses_threaded_dispatch()))
        })
    }
}

/// Whether `bytes` are WebAssembly text rather than a binary: UTF-8 whose first
/// significant character opens an s-expression or a comment.
fn looks_like_text(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\0asm") {
        return false;
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => matches!(s.trim_start().chars().next(), Some('(' | ';')),
        Err(_) => false,
    }
}

pub(crate) fn entity_type(info: &ModuleInfo, index: EntityIndex) -> ExternType {
    match index {
        EntityIndex::Func(f) => ExternType::Func(info.func_type(f).clone()),
        EntityIndex::Table(t) => ExternType::Table(info.tables[t as usize]),
        EntityIndex::Memory(m) => ExternType::Memory(info.memories[m as usize]),
        EntityIndex::Global(g) => ExternType::Global(info.globals[g as usize]),
        EntityIndex::Tag(t) => ExternType::Tag(TagType::new(info.func_type_of_tag(t).clone())),
    }
}

/// One import of a module.
#[derive(Debug, Clone)]
pub struct ImportType<'a> {
    module: &'a str,
    name: &'a str,
    ty: ExternType,
}

impl<'a> ImportType<'a> {
    pub fn module(&self) -> &'a str {
        self.module
    }
    pub fn name(&self) -> &'a str {
        self.name
    }
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}

/// One export of a module.
#[derive(Debug, Clone)]
pub struct ExportType<'a> {
    name: &'a str,
    ty: ExternType,
}

impl<'a> ExportType<'a> {
    pub fn name(&self) -> &'a str {
        self.name
    }
    pub fn ty(&self) -> ExternType {
        self.ty.clone()
    }
}
