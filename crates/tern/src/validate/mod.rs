//! Validation (spec: Validation): the module-level rules and the per-function type
//! checker. It works on the plain data of [`crate::syntax`] and reads function bodies
//! through [`crate::binary::OperatorReader`] (the commonest instructions straight from
//! the reader's bytes); it knows nothing of compilation or execution.
//!
//! `context.rs` holds the [`Ctx`](context::Ctx) the spec calls the context; `module.rs` checks
//! everything outside function bodies and builds it; `func/` type-checks one function
//! body; `matching.rs` decides subtyping and type equivalence.

mod context;
mod func;
mod matching;
mod module;

use crate::error::Result;
use crate::syntax::Module;

/// Code sections at least this large are checked on several threads.
const PARALLEL_CODE_BYTES: usize = 1 << 20;

/// Validates a decoded module, including every function body. `bytes` is the binary the
/// module was decoded from (function bodies are byte ranges of it).
///
/// Returns the byte offsets, in increasing order, of every `drop` and untyped `select`
/// whose operand is a `v128` (the offset of the opcode, as
/// [`OperatorReader::offset`](crate::binary::OperatorReader::offset) gives it before
/// reading the instruction): the compiler's operand stack is untyped, and these are the
/// only instructions whose operand width the opcode does not tell. In unreachable code
/// an operand of unknown type is not counted.
///
/// Bodies are independent once the context is built, so a large code section is
/// split into consecutive runs of functions checked on separate threads; the error
/// reported is still the one of the first invalid function, as when checking in order,
/// and the offsets of the runs are concatenated in order.
pub fn validate(module: &Module, bytes: &[u8]) -> Result<Vec<u32>> {
    let ctx = module::validate_module(module)?;
    let check = |funcs: std::ops::Range<usize>| -> Result<Vec<u32>> {
        let mut checker = func::FuncValidator::new(&ctx);
        for i in funcs {
            let func_index = module.num_imported_funcs.saturating_add(i as u32);
            checker.validate_body(func_index, &module.code[i], bytes)?;
        }
        Ok(checker.take_v128_operands())
    };
    let n = module.code.len();
    let code_bytes: usize = module.code.iter().map(|b| b.code.len()).sum();
    let threads = if code_bytes < PARALLEL_CODE_BYTES {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get().min(8))
    };
    if threads <= 1 || n < threads {
        return check(0..n);
    }
    // Consecutive runs of roughly equal code size.
    let mut runs = Vec::with_capacity(threads);
    let (mut start, mut acc) = (0, 0);
    for (i, body) in module.code.iter().enumerate() {
        acc += body.code.len();
        if acc * threads >= code_bytes * (runs.len() + 1) || i + 1 == n {
            runs.push(start..i + 1);
            start = i + 1;
        }
    }
    std::thread::scope(|s| {
        let handles: Vec<_> = runs
            .iter()
            .map(|r| {
                let run = r.clone();
                std::thread::Builder::new()
                    .spawn_scoped(s, move || check(run))
                    .map_err(|_| r.clone())
            })
            .collect();
        // In function order: the first run with an error has the first invalid body.
        let mut offsets = Vec::new();
        for h in handles {
            let run = match h {
                Ok(h) => h.join().unwrap_or_else(|_| {
                    Err(crate::error::Error::Api("validation failed".into()))
                })?,
                // No thread to be had: check this run here.
                Err(r) => check(r)?,
            };
            offsets.extend(run);
        }
        Ok(offsets)
    })
}
