//! What a run shows from outside, in engine-neutral terms, and how two runs compare.

use std::fmt;

/// A WebAssembly value as the oracles compare it. Floats are kept as bits, and any NaN
/// equals any NaN (NaN payloads are nondeterministic in the spec). References are compared
/// by null-ness only: two engines' function references have no common identity.
#[derive(Clone, Debug)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    FuncRef { null: bool },
    ExternRef { null: bool },
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (I32(a), I32(b)) => a == b,
            (I64(a), I64(b)) => a == b,
            (F32(a), F32(b)) => {
                a == b || (f32::from_bits(*a).is_nan() && f32::from_bits(*b).is_nan())
            }
            (F64(a), F64(b)) => {
                a == b || (f64::from_bits(*a).is_nan() && f64::from_bits(*b).is_nan())
            }
            (FuncRef { null: a }, FuncRef { null: b }) => a == b,
            (ExternRef { null: a }, ExternRef { null: b }) => a == b,
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::I32(v) => write!(f, "i32:{v}"),
            Value::I64(v) => write!(f, "i64:{v}"),
            Value::F32(v) => write!(f, "f32:{}({v:#010x})", f32::from_bits(*v)),
            Value::F64(v) => write!(f, "f64:{}({v:#018x})", f64::from_bits(*v)),
            Value::FuncRef { null } => f.write_str(if *null { "funcref:null" } else { "funcref" }),
            Value::ExternRef { null } => {
                f.write_str(if *null { "externref:null" } else { "externref" })
            }
        }
    }
}

/// Why a trap happened, with both engines' codes mapped onto one list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    MemoryOutOfBounds,
    /// A table access out of bounds, including `call_indirect` past the table's end (WVM's
    /// "undefined element"; wasmi calls it a table access out of bounds).
    TableOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerOverflow,
    IntegerDivisionByZero,
    BadConversionToInteger,
    /// Call stack exhausted: the engines' limits differ, so this is inconclusive.
    StackOverflow,
    OutOfFuel,
    Host,
    Other(String),
}

/// How an instantiation or a call failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    Trap(TrapKind),
    /// An error that is not a trap (link, usage, resource limit ...), with its message.
    Error(String),
}

impl Failure {
    /// Whether this is "call stack exhausted", where engines may legitimately differ.
    pub fn is_stack_overflow(&self) -> bool {
        matches!(self, Failure::Trap(TrapKind::StackOverflow))
    }
    /// Whether this is running out of fuel, where one engine metering and one not differ.
    pub fn is_out_of_fuel(&self) -> bool {
        matches!(self, Failure::Trap(TrapKind::OutOfFuel))
    }
    /// Whether two failures are the same for the oracle: same trap kind, or both errors.
    pub fn same_as(&self, other: &Failure) -> bool {
        match (self, other) {
            (Failure::Trap(a), Failure::Trap(b)) => a == b,
            (Failure::Error(_), Failure::Error(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Trap(k) => write!(f, "trap {k:?}"),
            Failure::Error(m) => write!(f, "error: {m}"),
        }
    }
}

/// Maps a WVM error onto the common vocabulary.
pub fn wvm_failure(e: &wvm::Error) -> Failure {
    use wvm::TrapCode as C;
    match e.trap_code() {
        Some(code) => Failure::Trap(match code {
            C::StackOverflow => TrapKind::StackOverflow,
            C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            C::TableOutOfBounds | C::UndefinedElement => TrapKind::TableOutOfBounds,
            C::IndirectCallToNull => TrapKind::IndirectCallToNull,
            C::BadSignature => TrapKind::BadSignature,
            C::IntegerOverflow => TrapKind::IntegerOverflow,
            C::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
            C::BadConversionToInteger => TrapKind::BadConversionToInteger,
            C::UnreachableCodeReached => TrapKind::Unreachable,
            C::Host => TrapKind::Host,
            C::OutOfFuel => TrapKind::OutOfFuel,
            #[allow(unreachable_patterns)]
            other => TrapKind::Other(format!("{other:?}")),
        }),
        None => Failure::Error(e.to_string()),
    }
}

/// Maps a wasmi error onto the common vocabulary.
pub fn wasmi_failure(e: &wasmi::Error) -> Failure {
    use wasmi::TrapCode as C;
    match e.as_trap_code() {
        Some(code) => Failure::Trap(match code {
            C::UnreachableCodeReached => TrapKind::Unreachable,
            C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            C::TableOutOfBounds => TrapKind::TableOutOfBounds,
            C::IndirectCallToNull => TrapKind::IndirectCallToNull,
            C::IntegerDivisionByZero => TrapKind::IntegerDivisionByZero,
            C::IntegerOverflow => TrapKind::IntegerOverflow,
            C::BadConversionToInteger => TrapKind::BadConversionToInteger,
            C::StackOverflow => TrapKind::StackOverflow,
            C::BadSignature => TrapKind::BadSignature,
            C::OutOfFuel => TrapKind::OutOfFuel,
            other => TrapKind::Other(format!("{other:?}")),
        }),
        None if e.kind().as_host().is_some() => Failure::Trap(TrapKind::Host),
        // wasmi reports an element segment out of bounds at instantiation as an
        // instantiation error; the spec (and WVM) trap.
        None if matches!(
            e.kind(),
            wasmi::errors::ErrorKind::Instantiation(
                wasmi::errors::InstantiationError::ElementSegmentDoesNotFit { .. }
            )
        ) =>
        {
            Failure::Trap(TrapKind::TableOutOfBounds)
        }
        None => Failure::Error(e.to_string()),
    }
}

/// The observable state of an instance after a run: its exported memories, globals and
/// tables, then the host's items it imported (named by [`import_keys`]). Each list is
/// sorted by name, since the engines list exports and imports in different orders.
#[derive(Clone, Debug, Default)]
pub struct State {
    pub memories: Vec<(String, Vec<u8>)>,
    pub globals: Vec<(String, Value)>,
    /// Each table as the null-ness of its elements.
    pub tables: Vec<(String, Vec<bool>)>,
}

impl State {
    /// Sorts each list by name.
    pub fn sort(&mut self) {
        self.memories.sort_by(|a, b| a.0.cmp(&b.0));
        self.globals.sort_by(|a, b| a.0.cmp(&b.0));
        self.tables.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// `None` if the two states agree, else what differs first.
    pub fn diff(&self, other: &State) -> Option<String> {
        if self.memories.len() != other.memories.len() {
            return Some("different numbers of memories".into());
        }
        for ((name, a), (_, b)) in self.memories.iter().zip(&other.memories) {
            if a.len() != b.len() {
                return Some(format!("memory `{name}`: {} vs {} bytes", a.len(), b.len()));
            }
            if let Some(at) = a.iter().zip(b).position(|(x, y)| x != y) {
                let n = a.iter().zip(b).filter(|(x, y)| x != y).count();
                let end = (at + 16).min(a.len());
                return Some(format!(
                    "memory `{name}`: {n} bytes differ, first at {at:#x}: {:02x?} vs {:02x?}",
                    &a[at..end],
                    &b[at..end]
                ));
            }
        }
        if self.globals.len() != other.globals.len() {
            return Some("different numbers of globals".into());
        }
        for ((name, a), (_, b)) in self.globals.iter().zip(&other.globals) {
            if a != b {
                return Some(format!("global `{name}`: {a} vs {b}"));
            }
        }
        if self.tables.len() != other.tables.len() {
            return Some("different numbers of tables".into());
        }
        for ((name, a), (_, b)) in self.tables.iter().zip(&other.tables) {
            if a.len() != b.len() {
                return Some(format!(
                    "table `{name}`: {} vs {} elements",
                    a.len(),
                    b.len()
                ));
            }
            if let Some(at) = a.iter().zip(b).position(|(x, y)| x != y) {
                return Some(format!(
                    "table `{name}`: element {at} null={} vs null={}",
                    a[at], b[at]
                ));
            }
        }
        None
    }
}

/// One call of a host function the module imported: the import's key (see
/// [`import_keys`]) and the arguments.
#[derive(Clone, Debug, PartialEq)]
pub struct HostCall {
    pub import: String,
    pub args: Vec<Value>,
}

/// Engine-independent names for a module's imports, given as (module, name, kind) in the
/// engine's own order: `module::name kind`, with `#k` added for the k-th repeat of the same
/// triple (modules may import one name twice). Engines order imports differently (wasmi
/// groups them by kind), but keep declaration order within a kind, so repeats match up.
pub fn import_keys<'a>(
    imports: impl Iterator<Item = (&'a str, &'a str, &'static str)>,
) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, u32> = std::collections::HashMap::new();
    imports
        .map(|(module, name, kind)| {
            let base = format!("{module:?}::{name:?} {kind}");
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            }
        })
        .collect()
}

/// Store data of both engines: the host calls made so far.
#[derive(Debug, Default)]
pub struct HostLog {
    pub calls: Vec<HostCall>,
}
