//! WebAssembly types as WVM sees them (the embedding API re-exports these).

use std::fmt;

/// The type of a WebAssembly value.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    /// A reference (`funcref`, `externref`, or a typed reference `(ref null? $t)`).
    Ref(RefType),
}

impl ValType {
    /// `funcref`, that is `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`, that is `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref`, that is `(ref null exn)`.
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// The reference type, if this is one.
    pub fn as_ref(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    /// Whether a value of type `self` may be used where `other` is expected. Concrete type
    /// indices must come from the same index space (one module's, or the engine's canonical
    /// ids); without GC types every function type is final, so concrete types match only
    /// themselves.
    pub fn matches(self, other: ValType) -> bool {
        match (self, other) {
            (ValType::Ref(a), ValType::Ref(b)) => a.matches(b),
            (a, b) => a == b,
        }
    }

    /// The same type with every concrete type index passed through `f`.
    pub fn map_concrete(self, f: impl FnOnce(u32) -> u32) -> ValType {
        match self {
            ValType::Ref(r) => ValType::Ref(r.map_concrete(f)),
            t => t,
        }
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Result<ValType, &'static str> {
        use wasmparser::ValType as W;
        Ok(match ty {
            W::I32 => ValType::I32,
            W::I64 => ValType::I64,
            W::F32 => ValType::F32,
            W::F64 => ValType::F64,
            W::V128 => ValType::V128,
            W::Ref(r) => ValType::Ref(RefType::from_wasmparser(r)?),
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

/// What a reference points to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// Any host reference.
    Extern,
    /// No function: the bottom of the function types, only null has it.
    NoFunc,
    /// No host reference: only null has it.
    NoExtern,
    /// Any exception (`exnref`).
    Exn,
    /// No exception: only null has it.
    NoExn,
    /// A function of one defined type. In a module's own types the index is into its type
    /// section; in types the runtime hands out it is the engine's canonical id of the type.
    /// (Without GC types a type names only types before it, so there are no cycles.)
    Concrete(u32),
}

impl HeapType {
    /// Whether every reference of heap type `self` is one of `other`.
    pub fn matches(self, other: HeapType) -> bool {
        use HeapType::*;
        match (self, other) {
            (a, b) if a == b => true,
            (Concrete(_) | NoFunc, Func)
            | (NoFunc, Concrete(_))
            | (NoExtern, Extern)
            | (NoExn, Exn) => true,
            _ => false,
        }
    }

    /// The top of this type's hierarchy: `func`, `extern` or `exn`.
    pub fn top(self) -> HeapType {
        match self {
            HeapType::Extern | HeapType::NoExtern => HeapType::Extern,
            HeapType::Exn | HeapType::NoExn => HeapType::Exn,
            _ => HeapType::Func,
        }
    }

    /// The bottom of this type's hierarchy, the heap type of null.
    pub fn bottom(self) -> HeapType {
        match self.top() {
            HeapType::Extern => HeapType::NoExtern,
            HeapType::Exn => HeapType::NoExn,
            _ => HeapType::NoFunc,
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(i) => write!(f, "{i}"),
        }
    }
}

/// The type of a reference: its heap type and whether it may be null.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefType {
    nullable: bool,
    heap: HeapType,
}

impl RefType {
    /// `funcref`, that is `(ref null func)`.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref`, that is `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref`, that is `(ref null exn)`.
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }
    pub fn is_nullable(&self) -> bool {
        self.nullable
    }
    pub fn heap_type(&self) -> HeapType {
        self.heap
    }
    /// Whether this references functions.
    pub fn is_func(&self) -> bool {
        self.heap.top() == HeapType::Func
    }
    /// Whether this references exceptions.
    pub fn is_exn(&self) -> bool {
        self.heap.top() == HeapType::Exn
    }

    /// Whether a reference of type `self` may be used where `other` is expected.
    pub fn matches(self, other: RefType) -> bool {
        (other.nullable || !self.nullable) && self.heap.matches(other.heap)
    }

    /// The same type with its concrete type index, if any, passed through `f`.
    pub fn map_concrete(self, f: impl FnOnce(u32) -> u32) -> RefType {
        match self.heap {
            HeapType::Concrete(i) => RefType::new(self.nullable, HeapType::Concrete(f(i))),
            _ => self,
        }
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::RefType) -> Result<RefType, &'static str> {
        use wasmparser::{AbstractHeapType as A, HeapType as H, UnpackedIndex};
        let heap = match ty.heap_type() {
            H::Abstract { shared: false, ty } => match ty {
                A::Func => HeapType::Func,
                A::Extern => HeapType::Extern,
                A::NoFunc => HeapType::NoFunc,
                A::NoExtern => HeapType::NoExtern,
                A::Exn => HeapType::Exn,
                A::NoExn => HeapType::NoExn,
                _ => return Err("reference type not supported"),
            },
            H::Concrete(UnpackedIndex::Module(i)) => HeapType::Concrete(i),
            _ => return Err("reference type not supported"),
        };
        Ok(RefType::new(ty.is_nullable(), heap))
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, h) => write!(f, "(ref null {h})"),
            (false, h) => write!(f, "(ref {h})"),
        }
    }
}

/// The type of a function: parameters and results.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Box<[ValType]>,
    num_params: usize,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        let mut v: Vec<ValType> = params.into_iter().collect();
        let num_params = v.len();
        v.extend(results);
        FuncType {
            params_results: v.into_boxed_slice(),
            num_params,
        }
    }

    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.num_params]
    }

    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.num_params..]
    }

    /// The same type with every concrete type index in it passed through `f`.
    pub fn map_concrete(&self, mut f: impl FnMut(u32) -> u32) -> FuncType {
        FuncType {
            params_results: self
                .params_results
                .iter()
                .map(|t| t.map_concrete(&mut f))
                .collect(),
            num_params: self.num_params,
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, tys: &[ValType]| -> fmt::Result {
            f.write_str("(")?;
            for (i, t) in tys.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{t}")?;
            }
            f.write_str(")")
        };
        f.write_str("func ")?;
        list(f, self.params())?;
        f.write_str(" -> ")?;
        list(f, self.results())
    }
}

/// Whether a global can be written.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Mutability {
    Const,
    Var,
}

/// The type of a global.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    content: ValType,
    mutability: Mutability,
}

impl GlobalType {
    pub fn new(content: ValType, mutability: Mutability) -> GlobalType {
        GlobalType {
            content,
            mutability,
        }
    }
    pub fn content(&self) -> ValType {
        self.content
    }
    pub fn mutability(&self) -> Mutability {
        self.mutability
    }
    /// The same type with its concrete type index, if any, passed through `f`.
    pub fn map_concrete(self, f: impl FnOnce(u32) -> u32) -> GlobalType {
        GlobalType {
            content: self.content.map_concrete(f),
            ..self
        }
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "global {}", self.content),
            Mutability::Var => write!(f, "global (mut {})", self.content),
        }
    }
}

/// The type of a table: its element type and its limits in elements, with 32-bit indices
/// or, for a table64 (WebAssembly 3.0), 64-bit ones.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    element: RefType,
    minimum: u64,
    maximum: Option<u64>,
    table64: bool,
}

impl TableType {
    /// A table with 32-bit indices.
    pub fn new(element: RefType, minimum: u32, maximum: Option<u32>) -> TableType {
        TableType {
            element,
            minimum: minimum.into(),
            maximum: maximum.map(u64::from),
            table64: false,
        }
    }
    /// A table with 64-bit indices (table64).
    pub fn new64(element: RefType, minimum: u64, maximum: Option<u64>) -> TableType {
        TableType {
            element,
            minimum,
            maximum,
            table64: true,
        }
    }
    pub fn element(&self) -> RefType {
        self.element
    }
    /// The same type with its element type's concrete type index, if any, passed through `f`.
    pub fn map_concrete(self, f: impl FnOnce(u32) -> u32) -> TableType {
        TableType {
            element: self.element.map_concrete(f),
            ..self
        }
    }
    pub fn minimum(&self) -> u64 {
        self.minimum
    }
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }
    /// Whether the table is indexed by i64 (table64).
    pub fn is_64(&self) -> bool {
        self.table64
    }
    /// The largest size the index type allows.
    pub fn index_limit(&self) -> u64 {
        if self.table64 {
            u64::MAX
        } else {
            u64::from(u32::MAX)
        }
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "table")?;
        if self.table64 {
            write!(f, " i64")?;
        }
        write!(f, " {}", self.minimum)?;
        if let Some(m) = self.maximum {
            write!(f, " {m}")?;
        }
        write!(f, " {}", self.element)
    }
}

/// The type of a linear memory: its limits in pages, with 32-bit addresses or, for a
/// memory64 (WebAssembly 3.0), 64-bit ones, and its page size (64 KiB unless the custom
/// page sizes proposal chose 1 byte).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemoryType {
    minimum: u64,
    maximum: Option<u64>,
    memory64: bool,
    page_size_log2: u8,
}

impl MemoryType {
    /// A memory with 32-bit addresses and 64 KiB pages.
    pub fn new(minimum: u32, maximum: Option<u32>) -> MemoryType {
        MemoryType {
            minimum: minimum.into(),
            maximum: maximum.map(u64::from),
            memory64: false,
            page_size_log2: 16,
        }
    }
    /// A memory with 64-bit addresses (memory64) and 64 KiB pages.
    pub fn new64(minimum: u64, maximum: Option<u64>) -> MemoryType {
        MemoryType {
            minimum,
            maximum,
            memory64: true,
            page_size_log2: 16,
        }
    }
    /// The same memory type with pages of `2^log2` bytes (the custom page sizes proposal
    /// allows 0 and 16).
    pub fn with_page_size_log2(self, log2: u8) -> MemoryType {
        MemoryType {
            page_size_log2: log2,
            ..self
        }
    }
    pub fn minimum(&self) -> u64 {
        self.minimum
    }
    pub fn maximum(&self) -> Option<u64> {
        self.maximum
    }
    /// Whether the memory is addressed by i64 (memory64).
    pub fn is_64(&self) -> bool {
        self.memory64
    }
    /// The page size in bytes.
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }
    pub fn page_size_log2(&self) -> u8 {
        self.page_size_log2
    }
    /// The most pages the address type allows: 2^32 (2^64 for memory64) bytes, in pages.
    pub fn max_pages(&self) -> u64 {
        let bits = if self.memory64 { 64 } else { 32 };
        if bits - u32::from(self.page_size_log2) >= 64 {
            u64::MAX
        } else {
            1u64 << (bits - u32::from(self.page_size_log2))
        }
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "memory")?;
        if self.memory64 {
            write!(f, " i64")?;
        }
        write!(f, " {}", self.minimum)?;
        if let Some(m) = self.maximum {
            write!(f, " {m}")?;
        }
        if self.page_size_log2 != 16 {
            write!(f, " (pagesize {})", self.page_size())?;
        }
        Ok(())
    }
}

/// The type of an exception tag: the types of the values an exception with the tag carries
/// (a function type's parameters; its results are empty).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// A tag whose exceptions carry values of `ty`'s parameter types.
    pub fn new(ty: FuncType) -> TagType {
        TagType { ty }
    }
    /// The function type (payload as parameters).
    pub fn ty(&self) -> &FuncType {
        &self.ty
    }
    /// The types of the payload values.
    pub fn payload(&self) -> &[ValType] {
        self.ty.params()
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tag {}", self.ty)
    }
}

/// The type of an importable or exportable item.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ExternType {
    Func(FuncType),
    Global(GlobalType),
    Table(TableType),
    Memory(MemoryType),
    Tag(TagType),
}

impl ExternType {
    /// The kind of item as a word: "function", "global", "table", "memory" or "tag".
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Global(_) => "global",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Tag(_) => "tag",
        }
    }
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => t.fmt(f),
            ExternType::Global(t) => t.fmt(f),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Tag(t) => t.fmt(f),
        }
    }
}

/// Whether `limits` (minimum, maximum) of an import candidate satisfy those the import asks for.
pub fn limits_match(
    actual_min: u64,
    actual_max: Option<u64>,
    want_min: u64,
    want_max: Option<u64>,
) -> bool {
    actual_min >= want_min
        && match want_max {
            None => true,
            Some(wm) => matches!(actual_max, Some(am) if am <= wm),
        }
}
