//! The binary format (spec: Binary Format): the only code in tern that reads module
//! bytes. It turns a `.wasm` binary into the plain data of [`crate::syntax`], checking
//! the encoding (strict LEB128, section order and sizes, UTF-8 names) but none of the
//! validation rules. Every error carries the byte offset where decoding failed.
//!
//! It must not depend on `validate`, `compile`, `exec` or `runtime`.
//!
//! - `reader`: the byte cursor (LEB128, lengths, names);
//! - `types`: value, reference, heap, block, recursive and external types;
//! - `instr`: [`OperatorReader`], the instruction decoder;
//! - `module`: the section loop behind [`decode`];
//! - `names`: the `name` custom section.
//!
//! Error messages follow the reference interpreter's wording (and thus the spec
//! testsuite's `assert_malformed` texts).

mod instr;
mod module;
mod names;
mod reader;
mod types;

use crate::error::Result;
use crate::syntax::Module;

pub use instr::OperatorReader;
pub(crate) use reader::{s32_len, s64_len};

/// Decodes a whole module binary.
///
/// Function bodies are not decoded here (only their locals, and a check that each ends
/// with `end`): read them with [`OperatorReader`] over [`FuncBody::code`]. Constant
/// expressions are decoded eagerly.
///
/// [`FuncBody::code`]: crate::syntax::FuncBody::code
pub fn decode(bytes: &[u8]) -> Result<Module> {
    module::decode(bytes)
}
