//! Trap codes and their spec testsuite wording.

use std::fmt;

/// Why execution stopped abnormally.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    /// The VM call stack (frames or value slots) is exhausted.
    StackOverflow,
    /// A load, store or bulk memory operation left the memory bounds.
    MemoryOutOfBounds,
    /// A table access or bulk table operation left the table bounds.
    TableOutOfBounds,
    /// `call_indirect` with an index past the end of the table.
    UndefinedElement,
    /// `call_indirect` through a null table entry.
    IndirectCallToNull,
    /// `call_indirect` to a function of another type.
    BadSignature,
    /// `call_ref` or `return_call_ref` of a null reference.
    NullFunctionReference,
    /// `ref.as_non_null` of a null reference.
    NullReference,
    /// `throw_ref` of a null reference.
    NullExceptionReference,
    /// Signed division overflow (`INT_MIN / -1`) or float-to-int out of range.
    IntegerOverflow,
    /// Integer division or remainder by zero.
    IntegerDivisionByZero,
    /// Float-to-int conversion of NaN.
    BadConversionToInteger,
    /// The `unreachable` instruction.
    UnreachableCodeReached,
    /// A host function returned an error.
    Host,
    /// The store's fuel ran out (fuel metering is on).
    OutOfFuel,
    /// The store's epoch deadline passed (epoch interruption is on).
    Interrupt,
    /// The store's resource limiter refused a `memory.grow` or `table.grow` with an error
    /// (e.g. `StoreLimits` with `trap_on_grow_failure`) instead of letting it return -1.
    ResourceLimitExceeded,
}

impl TrapCode {
    /// The message the official spec testsuite expects for this trap.
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::IndirectCallToNull => "uninitialized element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::NullFunctionReference => "null function reference",
            TrapCode::NullReference => "null reference",
            TrapCode::NullExceptionReference => "null exception reference",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::IntegerDivisionByZero => "integer divide by zero",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::UnreachableCodeReached => "unreachable",
            TrapCode::Host => "host function error",
            TrapCode::OutOfFuel => "all fuel consumed by WebAssembly",
            TrapCode::Interrupt => "interrupt",
            TrapCode::ResourceLimitExceeded => {
                "resource limit exceeded: memory or table growth refused"
            }
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}
