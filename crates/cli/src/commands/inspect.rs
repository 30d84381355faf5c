//! `wvm inspect`: a human-readable summary of a module, read with wasmparser directly (not
//! through the runtime), so that modules WVM would reject can be inspected too.
//!
//! The module is decoded section by section, not validated: a malformed section stops the
//! summary with one error line and the byte offset, while a malformed *custom* section (which
//! the spec lets a module carry) is only marked as such.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::Args;
use wasmparser::{
    CompositeInnerType, ConstExpr, DataKind, ElementKind, Encoding, ExternalKind, FuncType,
    GlobalType, KnownCustom, MemoryType, Name, Operator, Parser, Payload, TableType, TypeRef,
};

use super::{input_name, looks_like_text, read_input, write_output};

const AFTER_HELP: &str = "\
Examples:
  wvm inspect examples/add.wat                   a text module is assembled first
  wvm inspect program.wasm

Prints the sections (id, name, size in bytes, offset), the imports and exports with their
types, the tables, memories and globals with their limits and mutability, the counts of
types, functions, data and element segments, the start function, and the custom sections
(the `name` section summarized, the `producers` section decoded). The module is decoded but
not validated; use `wvm validate` for that.";

/// Print a summary of a module: sections, imports, exports, memories, ...
#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct InspectCommand {
    /// The module to inspect (.wasm binary or .wat text); `-` reads standard input
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl InspectCommand {
    pub fn execute(self) -> Result<ExitCode> {
        let name = input_name(&self.file);
        let bytes = read_input(&self.file)?;
        let from_text = looks_like_text(&bytes);
        let wasm = super::module_binary(&self.file, bytes)
            .with_context(|| format!("failed to load `{name}`"))?;
        let summary = Summary::decode(&wasm).with_context(|| format!("`{name}` is malformed"))?;
        let mut text = String::new();
        summary.print(&mut text, &name, from_text)?;
        write_output(None, text.as_bytes(), false)?;
        Ok(ExitCode::SUCCESS)
    }
}

/// One section as it appears in the binary.
struct Section {
    id: u8,
    /// The section's name (`custom` for every custom section).
    name: &'static str,
    /// A custom section's own name.
    custom_name: Option<String>,
    /// Offset and size of the section's contents (after its id and size bytes).
    offset: u64,
    size: u64,
    /// How many entries a vector section holds.
    count: Option<u32>,
}

/// A custom section: its name, size and what we could decode of it.
struct Custom {
    name: String,
    size: u64,
    /// Lines describing the contents (the `name` and `producers` sections), or why they
    /// could not be decoded.
    details: Vec<String>,
}

/// Whatever `inspect` reports, gathered in one pass over the binary.
#[derive(Default)]
struct Summary {
    size: usize,
    version: u16,
    sections: Vec<Section>,
    /// The types, `None` for a non-function (GC) type.
    types: Vec<Option<FuncType>>,
    imports: Vec<(String, String, TypeRef)>,
    /// The type index of each function, imported ones first.
    funcs: Vec<u32>,
    imported_funcs: usize,
    /// Tables, memories and globals, imported ones first; a global with its initial value
    /// (`None` when imported).
    tables: Vec<TableType>,
    memories: Vec<MemoryType>,
    globals: Vec<(GlobalType, Option<String>)>,
    imported_tables: usize,
    imported_memories: usize,
    imported_globals: usize,
    tags: usize,
    exports: Vec<(String, ExternalKind, u32)>,
    start: Option<u32>,
    /// Active and passive data segments.
    data: (usize, usize),
    /// Active, passive and declarative element segments.
    elems: (usize, usize, usize),
    customs: Vec<Custom>,
    func_names: HashMap<u32, String>,
}

impl Summary {
    fn decode(wasm: &[u8]) -> Result<Summary> {
        let mut s = Summary {
            size: wasm.len(),
            ..Summary::default()
        };
        for payload in Parser::new(0).parse_all(wasm) {
            s.payload(payload?)?;
        }
        Ok(s)
    }

    fn section(
        &mut self,
        id: u8,
        name: &'static str,
        range: std::ops::Range<u64>,
        count: Option<u32>,
    ) {
        self.sections.push(Section {
            id,
            name,
            custom_name: None,
            offset: range.start,
            size: range.end - range.start,
            count,
        });
    }

    fn payload(&mut self, payload: Payload<'_>) -> Result<()> {
        match payload {
            Payload::Version {
                num,
                encoding: Encoding::Module,
                ..
            } => self.version = num,
            Payload::Version { .. } => {
                bail!("this is a WebAssembly component; `wvm inspect` reads core modules only")
            }
            Payload::TypeSection(r) => {
                self.section(1, "type", r.range(), Some(r.count()));
                for group in r {
                    for ty in group?.into_types() {
                        self.types.push(match ty.composite_type.inner {
                            CompositeInnerType::Func(f) => Some(f),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(r) => {
                self.section(2, "import", r.range(), Some(r.count()));
                for import in r.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                            self.funcs.push(t);
                            self.imported_funcs += 1;
                        }
                        TypeRef::Table(t) => {
                            self.tables.push(t);
                            self.imported_tables += 1;
                        }
                        TypeRef::Memory(m) => {
                            self.memories.push(m);
                            self.imported_memories += 1;
                        }
                        TypeRef::Global(g) => {
                            self.globals.push((g, None));
                            self.imported_globals += 1;
                        }
                        TypeRef::Tag(_) => self.tags += 1,
                    }
                    let (module, name) = (import.module.to_string(), import.name.to_string());
                    self.imports.push((module, name, import.ty));
                }
            }
            Payload::FunctionSection(r) => {
                self.section(3, "function", r.range(), Some(r.count()));
                for ty in r {
                    self.funcs.push(ty?);
                }
            }
            Payload::TableSection(r) => {
                self.section(4, "table", r.range(), Some(r.count()));
                for table in r {
                    self.tables.push(table?.ty);
                }
            }
            Payload::MemorySection(r) => {
                self.section(5, "memory", r.range(), Some(r.count()));
                for memory in r {
                    self.memories.push(memory?);
                }
            }
            Payload::GlobalSection(r) => {
                self.section(6, "global", r.range(), Some(r.count()));
                for global in r {
                    let global = global?;
                    self.globals
                        .push((global.ty, Some(const_expr(&global.init_expr))));
                }
            }
            Payload::ExportSection(r) => {
                self.section(7, "export", r.range(), Some(r.count()));
                for export in r {
                    let export = export?;
                    self.exports
                        .push((export.name.to_string(), export.kind, export.index));
                }
            }
            Payload::StartSection { func, range } => {
                self.section(8, "start", range, None);
                self.start = Some(func);
            }
            Payload::ElementSection(r) => {
                self.section(9, "element", r.range(), Some(r.count()));
                for elem in r {
                    match elem?.kind {
                        ElementKind::Active { .. } => self.elems.0 += 1,
                        ElementKind::Passive => self.elems.1 += 1,
                        ElementKind::Declared => self.elems.2 += 1,
                    }
                }
            }
            Payload::CodeSectionStart {
                count,
                unchecked_range,
                ..
            } => self.section(10, "code", unchecked_range, Some(count)),
            Payload::DataSection(r) => {
                self.section(11, "data", r.range(), Some(r.count()));
                for data in r {
                    match data?.kind {
                        DataKind::Active { .. } => self.data.0 += 1,
                        DataKind::Passive => self.data.1 += 1,
                    }
                }
            }
            Payload::DataCountSection { count, range } => {
                self.section(12, "datacount", range, Some(count));
            }
            Payload::TagSection(r) => {
                self.section(13, "tag", r.range(), Some(r.count()));
                self.tags += r.count() as usize;
            }
            Payload::CustomSection(r) => {
                self.section(0, "custom", r.range(), None);
                if let Some(section) = self.sections.last_mut() {
                    section.custom_name = Some(r.name().to_string());
                }
                let details = self.custom_details(&r);
                self.customs.push(Custom {
                    name: r.name().to_string(),
                    size: r.range().end - r.range().start,
                    details,
                });
            }
            Payload::UnknownSection { id, range, .. } => self.section(id, "unknown", range, None),
            // Function bodies are not decoded; `End` and the component payloads (refused at
            // `Version`) need nothing.
            _ => {}
        }
        Ok(())
    }

    /// Decodes the `name` and `producers` sections; other custom sections have no details.
    fn custom_details(&mut self, r: &wasmparser::CustomSectionReader<'_>) -> Vec<String> {
        let decoded = match r.as_known() {
            KnownCustom::Name(names) => self.name_section(names),
            KnownCustom::Producers(fields) => producers_section(fields),
            _ => Ok(Vec::new()),
        };
        decoded.unwrap_or_else(|e| vec![format!("malformed: {e}")])
    }

    /// The `name` section in one line: the module name, the number of function names, and
    /// which other names it carries.
    fn name_section(&mut self, names: wasmparser::NameSectionReader<'_>) -> Result<Vec<String>> {
        let mut module = "no module name".to_string();
        let mut others = Vec::new();
        for name in names {
            let in_functions = |what: &str, n: usize| {
                format!("{what} names in {n} {}", plural(n, "function", "functions"))
            };
            let count = |what: &str, n: usize| format!("{n} {what} {}", plural(n, "name", "names"));
            match name? {
                Name::Module { name, .. } => module = format!("module name {name:?}"),
                Name::Function(map) => {
                    for naming in map {
                        let naming = naming?;
                        self.func_names
                            .insert(naming.index, naming.name.to_string());
                    }
                }
                Name::Local(map) => others.push(in_functions("local", map.count())),
                Name::Label(map) => others.push(in_functions("label", map.count())),
                Name::Type(map) => others.push(count("type", map.count())),
                Name::Table(map) => others.push(count("table", map.count())),
                Name::Memory(map) => others.push(count("memory", map.count())),
                Name::Global(map) => others.push(count("global", map.count())),
                Name::Element(map) => others.push(count("element segment", map.count())),
                Name::Data(map) => others.push(count("data segment", map.count())),
                Name::Tag(map) => others.push(count("tag", map.count())),
                _ => others.push("other names".to_string()),
            }
        }
        let n = self.func_names.len();
        let mut line = format!("{module}, {n} function {}", plural(n, "name", "names"));
        for other in others {
            line.push_str(", ");
            line.push_str(&other);
        }
        Ok(vec![line])
    }

    fn func_label(&self, func: u32) -> String {
        match self.func_names.get(&func) {
            Some(name) => format!("func {func} ${name}"),
            None => format!("func {func}"),
        }
    }

    fn func_type(&self, func: u32) -> String {
        let ty = self.funcs.get(func as usize).copied();
        type_text(&self.types, ty)
    }

    fn print(&self, out: &mut String, name: &str, from_text: bool) -> std::fmt::Result {
        let origin = if from_text {
            " (assembled from text)"
        } else {
            ""
        };
        writeln!(
            out,
            "{name}: WebAssembly module, binary format version {}, {} bytes{origin}",
            self.version, self.size
        )?;
        self.print_sections(out)?;

        writeln!(out)?;
        writeln!(out, "Types: {}", self.types.len())?;
        let defined = self.funcs.len() - self.imported_funcs;
        writeln!(
            out,
            "Functions: {} ({} imported, {defined} defined)",
            self.funcs.len(),
            self.imported_funcs
        )?;
        self.print_imports(out)?;
        self.print_exports(out)?;
        self.print_entities(out)?;
        match self.start {
            Some(func) => writeln!(out, "Start: {}", self.func_label(func))?,
            None => writeln!(out, "Start: none")?,
        }
        let (active, passive) = self.data;
        writeln!(
            out,
            "Data segments: {} ({active} active, {passive} passive)",
            active + passive
        )?;
        let (active, passive, declared) = self.elems;
        writeln!(
            out,
            "Element segments: {} ({active} active, {passive} passive, {declared} declarative)",
            active + passive + declared
        )?;
        self.print_customs(out)
    }

    fn print_sections(&self, out: &mut String) -> std::fmt::Result {
        writeln!(out)?;
        writeln!(out, "Sections ({}):", self.sections.len())?;
        writeln!(
            out,
            "  {:>2}  {:<9} {:>8}  {:>8}",
            "id", "name", "size", "offset"
        )?;
        for s in &self.sections {
            let mut line = format!(
                "  {:>2}  {:<9} {:>8}  {:>8}",
                s.id,
                s.name,
                s.size,
                format!("{:#x}", s.offset)
            );
            if let Some(count) = s.count {
                let _ = write!(
                    line,
                    "  {count} {}",
                    plural(count as usize, "entry", "entries")
                );
            }
            if let Some(custom) = &s.custom_name {
                let _ = write!(line, "  {custom:?}");
            }
            writeln!(out, "{line}")?;
        }
        Ok(())
    }

    fn print_imports(&self, out: &mut String) -> std::fmt::Result {
        if self.imports.is_empty() {
            return writeln!(out, "Imports: none");
        }
        writeln!(out, "Imports ({}):", self.imports.len())?;
        // Imports take the first indices of their index spaces, in order.
        let mut next = [0u32; 5];
        for (module, name, ty) in &self.imports {
            // A function's type reads `(func ...)`; the others are lists of properties.
            let (space, kind, ty) = match *ty {
                TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                    (0, "func", format!(" {}", type_text(&self.types, Some(t))))
                }
                TypeRef::Table(t) => (1, "table", format!(", {}", table_text(&t))),
                TypeRef::Memory(m) => (2, "memory", format!(", {}", memory_text(&m))),
                TypeRef::Global(g) => (3, "global", format!(", {}", global_text(&g))),
                TypeRef::Tag(t) => {
                    let ty = type_text(&self.types, Some(t.func_type_idx));
                    (4, "tag", format!(" {ty}"))
                }
            };
            writeln!(out, "  {module:?} {name:?}: {kind} {}{ty}", next[space])?;
            next[space] += 1;
        }
        Ok(())
    }

    fn print_exports(&self, out: &mut String) -> std::fmt::Result {
        if self.exports.is_empty() {
            return writeln!(out, "Exports: none");
        }
        writeln!(out, "Exports ({}):", self.exports.len())?;
        for (name, kind, index) in &self.exports {
            let i = *index as usize;
            let what = |v: Option<String>| v.unwrap_or_else(|| "(index out of range)".to_string());
            let item = match kind {
                ExternalKind::Func | ExternalKind::FuncExact => {
                    format!("{} {}", self.func_label(*index), self.func_type(*index))
                }
                ExternalKind::Table => {
                    format!("table {i}, {}", what(self.tables.get(i).map(table_text)))
                }
                ExternalKind::Memory => {
                    format!(
                        "memory {i}, {}",
                        what(self.memories.get(i).map(memory_text))
                    )
                }
                ExternalKind::Global => {
                    let global = self.globals.get(i).map(|(g, _)| global_text(g));
                    format!("global {i}, {}", what(global))
                }
                ExternalKind::Tag => format!("tag {i}"),
            };
            writeln!(out, "  {name:?}: {item}")?;
        }
        Ok(())
    }

    /// Tables, memories and globals, each marked imported or given its initial value.
    fn print_entities(&self, out: &mut String) -> std::fmt::Result {
        let imported = |i: usize, n: usize| if i < n { " (imported)" } else { "" };
        let header = |out: &mut String, what: &str, n: usize| {
            if n == 0 {
                writeln!(out, "{what}: none")
            } else {
                writeln!(out, "{what} ({n}):")
            }
        };
        header(out, "Tables", self.tables.len())?;
        for (i, t) in self.tables.iter().enumerate() {
            let origin = imported(i, self.imported_tables);
            writeln!(out, "  table {i}: {}{origin}", table_text(t))?;
        }
        header(out, "Memories", self.memories.len())?;
        for (i, m) in self.memories.iter().enumerate() {
            let origin = imported(i, self.imported_memories);
            writeln!(out, "  memory {i}: {}{origin}", memory_text(m))?;
        }
        header(out, "Globals", self.globals.len())?;
        for (i, (g, init)) in self.globals.iter().enumerate() {
            match init {
                Some(init) => writeln!(out, "  global {i}: {} = {init}", global_text(g))?,
                None => writeln!(out, "  global {i}: {} (imported)", global_text(g))?,
            }
        }
        if self.tags > 0 {
            writeln!(out, "Tags: {}", self.tags)?;
        }
        Ok(())
    }

    fn print_customs(&self, out: &mut String) -> std::fmt::Result {
        if self.customs.is_empty() {
            return writeln!(out, "Custom sections: none");
        }
        writeln!(out, "Custom sections ({}):", self.customs.len())?;
        for custom in &self.customs {
            let size = format!(
                "{} {}",
                custom.size,
                plural(custom.size as usize, "byte", "bytes")
            );
            match custom.details.as_slice() {
                [] => writeln!(out, "  {:?}: {size}", custom.name)?,
                [one] if custom.name == "name" => {
                    writeln!(out, "  {:?}: {size}: {one}", custom.name)?;
                }
                lines => {
                    writeln!(out, "  {:?}: {size}", custom.name)?;
                    for line in lines {
                        writeln!(out, "    {line}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The `producers` section: one line per field, `field: name version, name version`.
fn producers_section(fields: wasmparser::ProducersSectionReader<'_>) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for field in fields {
        let field = field?;
        let mut values = Vec::new();
        for value in field.values {
            let value = value?;
            values.push(if value.version.is_empty() {
                value.name.to_string()
            } else {
                format!("{} {}", value.name, value.version)
            });
        }
        lines.push(format!("{}: {}", field.name, values.join(", ")));
    }
    Ok(lines)
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// A function type in text-format syntax, `(func (param i32) (result i32))`.
fn type_text(types: &[Option<FuncType>], index: Option<u32>) -> String {
    match index.map(|i| types.get(i as usize)) {
        Some(Some(Some(ty))) => ty.to_string(),
        Some(Some(None)) => format!("(type {}) (not a function type)", index.unwrap_or(0)),
        _ => "(type index out of range)".to_string(),
    }
}

/// `min N, max M` (or `no max`) of a table.
fn limits(min: u64, max: Option<u64>) -> String {
    match max {
        Some(max) => format!("min {min}, max {max}"),
        None => format!("min {min}, no max"),
    }
}

fn table_text(t: &TableType) -> String {
    let mut text = format!("{}, {}", t.element_type, limits(t.initial, t.maximum));
    if t.table64 {
        text.push_str(", 64-bit");
    }
    if t.shared {
        text.push_str(", shared");
    }
    text
}

fn memory_text(m: &MemoryType) -> String {
    let pages = |n: u64| format!("{n} {}", plural(n as usize, "page", "pages"));
    let mut text = match m.maximum {
        Some(max) => format!("min {}, max {}", pages(m.initial), pages(max)),
        None => format!("min {}, no max", pages(m.initial)),
    };
    if let Some(log2) = m.page_size_log2 {
        let _ = write!(text, " of {} bytes", 1u64 << log2.min(63));
    }
    if m.memory64 {
        text.push_str(", 64-bit");
    }
    if m.shared {
        text.push_str(", shared");
    }
    text
}

fn global_text(g: &GlobalType) -> String {
    let mutability = if g.mutable { "mut" } else { "const" };
    let shared = if g.shared { " shared" } else { "" };
    format!("{mutability}{shared} {}", g.content_type)
}

/// A constant expression in text-format syntax, for the common instructions.
fn const_expr(expr: &ConstExpr<'_>) -> String {
    let mut ops = expr.get_operators_reader();
    let mut parts = Vec::new();
    while !ops.eof() {
        let op = match ops.read() {
            Ok(Operator::End) => break,
            Ok(op) => op,
            Err(_) => return "(malformed expression)".to_string(),
        };
        parts.push(match op {
            Operator::I32Const { value } => format!("i32.const {value}"),
            Operator::I64Const { value } => format!("i64.const {value}"),
            Operator::F32Const { value } => format!("f32.const {}", f32::from_bits(value.bits())),
            Operator::F64Const { value } => format!("f64.const {}", f64::from_bits(value.bits())),
            Operator::GlobalGet { global_index } => format!("global.get {global_index}"),
            Operator::RefFunc { function_index } => format!("ref.func {function_index}"),
            Operator::RefNull { .. } => "ref.null".to_string(),
            other => format!("{other:?}"),
        });
    }
    parts.join(" ")
}
