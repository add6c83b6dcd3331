//! Errors and traps: what every stage of the pipeline reports.
//!
//! A malformed binary, an invalid module, an unlinkable import and a trap are kinds of
//! one [`Error`], so that an embedder can handle them with one `?`, and a test runner can
//! tell them apart. A [`Trap`] carries the spec's message and a wasm backtrace.

use std::fmt;

/// The error type of everything in tern.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Error {
    /// The bytes (or text) are not a well-formed module. `offset` is the byte offset in
    /// the binary where decoding failed.
    Malformed { offset: usize, message: String },
    /// The module is well-formed but does not validate.
    Invalid { offset: usize, message: String },
    /// The module uses a feature tern does not implement yet.
    Unsupported { offset: usize, message: String },
    /// An import could not be satisfied: missing, or of the wrong type.
    Unlinkable(String),
    /// Instantiation failed for a reason other than linking or a trap (a resource limit).
    Instantiation(String),
    /// Execution trapped.
    Trap(Trap),
    /// A host function returned an error; it unwinds wasm like a trap.
    Host(String),
    /// The guest asked to exit the process with this status (WASI `proc_exit`); it
    /// unwinds wasm like a trap but is not a failure of the module.
    Exit(i32),
    /// The embedding API was misused (a value of the wrong type, an object from another
    /// store, a missing export, ...).
    Api(String),
}

impl Error {
    pub(crate) fn malformed(offset: usize, message: impl Into<String>) -> Error {
        Error::Malformed {
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn invalid(offset: usize, message: impl Into<String>) -> Error {
        Error::Invalid {
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn unsupported(offset: usize, message: impl Into<String>) -> Error {
        Error::Unsupported {
            offset,
            message: message.into(),
        }
    }

    pub(crate) fn api(message: impl Into<String>) -> Error {
        Error::Api(message.into())
    }

    /// Creates an error for a host function to return (it traps the calling wasm code).
    pub fn msg(message: impl Into<String>) -> Error {
        Error::Host(message.into())
    }

    /// The trap, if this error is one.
    pub fn as_trap(&self) -> Option<&Trap> {
        match self {
            Error::Trap(t) => Some(t),
            _ => None,
        }
    }

    /// The byte offset in the module binary, for decode and validation errors.
    pub fn offset(&self) -> Option<usize> {
        match self {
            Error::Malformed { offset, .. }
            | Error::Invalid { offset, .. }
            | Error::Unsupported { offset, .. } => Some(*offset),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Malformed { offset, message } => {
                write!(f, "malformed module at offset {offset:#x}: {message}")
            }
            Error::Invalid { offset, message } => {
                write!(f, "invalid module at offset {offset:#x}: {message}")
            }
            Error::Unsupported { offset, message } => {
                write!(f, "unsupported feature at offset {offset:#x}: {message}")
            }
            Error::Unlinkable(m) => write!(f, "unlinkable: {m}"),
            Error::Instantiation(m) => write!(f, "instantiation failed: {m}"),
            Error::Trap(t) => write!(f, "{t}"),
            Error::Host(m) => f.write_str(m),
            Error::Exit(code) => write!(f, "exited with status {code}"),
            Error::Api(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {}

impl From<Trap> for Error {
    fn from(t: Trap) -> Error {
        Error::Trap(t)
    }
}

/// Why execution trapped. `message()` is the spec's (and reference interpreter's) text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TrapCode {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    /// `call_indirect` on a null table entry.
    UninitializedElement,
    /// `call_indirect` with an index past the table's end.
    UndefinedElement,
    BadSignature,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    StackOverflow,
    NullReference,
    /// `call_ref` / `return_call_ref` on a null reference.
    NullFuncReference,
    OutOfFuel,
    Interrupted,
}

impl TrapCode {
    pub fn message(self) -> &'static str {
        match self {
            TrapCode::Unreachable => "unreachable",
            TrapCode::MemoryOutOfBounds => "out of bounds memory access",
            TrapCode::TableOutOfBounds => "out of bounds table access",
            TrapCode::UninitializedElement => "uninitialized element",
            TrapCode::UndefinedElement => "undefined element",
            TrapCode::BadSignature => "indirect call type mismatch",
            TrapCode::IntegerDivideByZero => "integer divide by zero",
            TrapCode::IntegerOverflow => "integer overflow",
            TrapCode::BadConversionToInteger => "invalid conversion to integer",
            TrapCode::StackOverflow => "call stack exhausted",
            TrapCode::NullReference => "null reference",
            TrapCode::NullFuncReference => "null function reference",
            TrapCode::OutOfFuel => "all fuel consumed",
            TrapCode::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for TrapCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// One wasm frame of a trap's backtrace, innermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameInfo {
    /// The function's index in its module's function index space.
    pub func_index: u32,
    /// The function's name from the `name` section, if any.
    pub func_name: Option<String>,
    /// The module's name from the `name` section, if any.
    pub module_name: Option<String>,
    /// Byte offset in the module binary of the instruction that was executing.
    pub offset: usize,
}

/// A trap: its code and the wasm backtrace at the point it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap {
    code: TrapCode,
    backtrace: Vec<FrameInfo>,
}

impl Trap {
    pub fn new(code: TrapCode) -> Trap {
        Trap {
            code,
            backtrace: Vec::new(),
        }
    }

    pub(crate) fn with_backtrace(code: TrapCode, backtrace: Vec<FrameInfo>) -> Trap {
        Trap { code, backtrace }
    }

    pub fn code(&self) -> TrapCode {
        self.code
    }

    pub fn message(&self) -> &'static str {
        self.code.message()
    }

    /// The wasm frames at the trap, innermost first.
    pub fn backtrace(&self) -> &[FrameInfo] {
        &self.backtrace
    }
}

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "wasm trap: {}", self.code.message())?;
        if !self.backtrace.is_empty() {
            f.write_str("\nwasm backtrace:")?;
            for (i, fr) in self.backtrace.iter().enumerate() {
                write!(f, "\n  {i:>3}: {:#x} - ", fr.offset)?;
                if let Some(m) = &fr.module_name {
                    write!(f, "{m}!")?;
                }
                match &fr.func_name {
                    Some(n) => write!(f, "{n}")?,
                    None => write!(f, "<wasm function {}>", fr.func_index)?,
                }
            }
        }
        Ok(())
    }
}

impl std::error::Error for Trap {}

/// The result type of tern's API.
pub type Result<T, E = Error> = std::result::Result<T, E>;
