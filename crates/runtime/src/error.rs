//! The one error type of the embedding API, and traps.

use crate::FrameInfo;
use std::fmt;
use wvm_environ::{CompileError, TrapCode};

/// A `Result` whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A WebAssembly trap: execution stopped abnormally.
///
/// `Display` prints the trap's message only (the spec testsuite's wording, or the host
/// function's error); the backtrace is [`Trap::trace`].
#[derive(Debug)]
pub struct Trap {
    code: TrapCode,
    /// The error a host function returned, for [`TrapCode::Host`].
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    trace: Vec<FrameInfo>,
}

impl Trap {
    pub(crate) fn new(code: TrapCode) -> Trap {
        Trap::with_source(code, None)
    }

    fn with_source(
        code: TrapCode,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Trap {
        Trap {
            code,
            source,
            trace: Vec::new(),
        }
    }

    /// Why execution stopped.
    pub fn code(&self) -> TrapCode {
        self.code
    }

    /// The WebAssembly call stack where the trap happened, innermost frame first: the
    /// function that trapped at the trapping instruction (for a host function's error, the
    /// Wasm function that called it, at the call), then each caller at its call instruction.
    /// Frames of Wasm code that called into the host which then called back into Wasm
    /// follow those of the inner call. Host functions have no frames. Empty for a trap
    /// outside any Wasm function (e.g. while applying segments at instantiation).
    pub fn trace(&self) -> &[FrameInfo] {
        &self.trace
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(s) => write!(f, "{s}"),
            None => f.write_str(self.code.message()),
        }
    }
}

impl std::error::Error for Trap {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The module is malformed or invalid (with the byte offset), or could not be translated.
    Compile(CompileError),
    /// An import could not be satisfied.
    Link(String),
    /// Execution trapped.
    Trap(Trap),
    /// Wrong use of the API (argument types, foreign store, ...).
    Usage(String),
    /// An error raised by host code outside of a trap.
    Host(Box<dyn std::error::Error + Send + Sync>),
    /// A plain message.
    Message(String),
    /// A WebAssembly exception no handler caught, with its tag and payload.
    Exception(crate::Exception),
}

/// The error type of every fallible operation in `wvm`.
pub struct Error(Box<ErrorKind>);

impl Error {
    /// An error with a message, e.g. for a host function to return.
    pub fn msg(message: impl fmt::Display) -> Error {
        Error(Box::new(ErrorKind::Message(message.to_string())))
    }

    /// Wraps any error, which [`Error::downcast_ref`] gives back.
    pub fn new<E: std::error::Error + Send + Sync + 'static>(e: E) -> Error {
        Error(Box::new(ErrorKind::Host(Box::new(e))))
    }

    pub(crate) fn from_kind(kind: ErrorKind) -> Error {
        Error(Box::new(kind))
    }

    pub(crate) fn trap(code: TrapCode) -> Error {
        Error::from_kind(ErrorKind::Trap(Trap::new(code)))
    }

    pub(crate) fn link(message: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Link(message.into()))
    }

    pub(crate) fn usage(message: impl Into<String>) -> Error {
        Error::from_kind(ErrorKind::Usage(message.into()))
    }

    /// Turns an error a host function returned into a trap carrying it.
    pub(crate) fn into_host_trap(self) -> Error {
        match *self.0 {
            ErrorKind::Trap(_) => self,
            ErrorKind::Host(source) => Error::from_kind(ErrorKind::Trap(Trap::with_source(
                TrapCode::Host,
                Some(source),
            ))),
            other => {
                let source: Box<dyn std::error::Error + Send + Sync> =
                    Box::new(Error(Box::new(other)));
                Error::from_kind(ErrorKind::Trap(Trap::with_source(
                    TrapCode::Host,
                    Some(source),
                )))
            }
        }
    }

    /// Appends outer frames to a trap's backtrace; other errors stay as they are.
    pub(crate) fn append_trace(mut self, frames: impl FnOnce() -> Vec<FrameInfo>) -> Error {
        if let ErrorKind::Trap(t) = &mut *self.0 {
            t.trace.extend(frames());
        }
        self
    }

    /// What kind of error this is.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// The trap, if execution trapped.
    pub fn as_trap(&self) -> Option<&Trap> {
        match &*self.0 {
            ErrorKind::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The trap code, if execution trapped.
    pub fn trap_code(&self) -> Option<TrapCode> {
        self.as_trap().map(Trap::code)
    }

    /// The exception, if WebAssembly threw one that no handler caught.
    pub fn as_exception(&self) -> Option<&crate::Exception> {
        match &*self.0 {
            ErrorKind::Exception(e) => Some(e),
            _ => None,
        }
    }

    /// The exception this error is, if it is one (see [`Error::as_exception`]).
    pub(crate) fn into_exception(self) -> Result<crate::Exception, Error> {
        match *self.0 {
            ErrorKind::Exception(e) => Ok(e),
            other => Err(Error(Box::new(other))),
        }
    }

    /// Whether the module was malformed or invalid.
    pub fn is_compile(&self) -> bool {
        matches!(&*self.0, ErrorKind::Compile(_))
    }

    /// Whether an import could not be satisfied.
    pub fn is_link(&self) -> bool {
        matches!(&*self.0, ErrorKind::Link(_))
    }

    /// The host error of type `E` inside this error (directly or as a trap's cause).
    pub fn downcast_ref<E: std::error::Error + 'static>(&self) -> Option<&E> {
        let source: &(dyn std::error::Error + 'static) = match &*self.0 {
            ErrorKind::Host(e) => &**e,
            ErrorKind::Trap(Trap {
                source: Some(e), ..
            }) => &**e,
            _ => return None,
        };
        if let Some(e) = source.downcast_ref::<E>() {
            return Some(e);
        }
        source.downcast_ref::<Error>()?.downcast_ref::<E>()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            ErrorKind::Compile(e) => write!(f, "{e}"),
            ErrorKind::Link(m) | ErrorKind::Usage(m) | ErrorKind::Message(m) => f.write_str(m),
            ErrorKind::Trap(t) => write!(f, "{t}"),
            ErrorKind::Host(e) => write!(f, "{e}"),
            ErrorKind::Exception(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl std::error::Error for Error {
    /// `Display` already prints the inner error, so the chain continues with *its* cause
    /// (a trap's host error), never with the same text again.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.0 {
            ErrorKind::Trap(t) if t.source.is_some() => {
                t.source.as_deref().and_then(|e| e.source())
            }
            ErrorKind::Host(e) => e.source(),
            _ => None,
        }
    }
}

impl From<CompileError> for Error {
    fn from(e: CompileError) -> Error {
        Error::from_kind(ErrorKind::Compile(e))
    }
}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::from_kind(ErrorKind::Trap(t))
    }
}
