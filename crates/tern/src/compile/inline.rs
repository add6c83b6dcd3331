//! Which callees the compiler inlines: small functions that cannot trap, call nothing
//! but other such functions, and take and return plain numbers (the `tolower` and
//! `isalnum` kind). Inlining one of them removes a frame push, a frame
//! initialization and a return per call, and since its code can raise no trap,
//! nothing observable changes: no backtrace ever shows it, no trap offset points
//! into it. This module only decides and summarizes; `compile` translates the body
//! at the call site. With fuel or epoch interruption on, nothing is inlined (both
//! are charged per function entry and loop).

use std::collections::HashMap;
use std::ops::Range;

use super::ModuleView;
use crate::binary::OperatorReader;
use crate::syntax::{BlockType, NumericOp, Operator, ValType};

/// The largest body (in bytes of code) that is inlined.
const MAX_BODY_BYTES: usize = 64;

/// The most declared locals an inlined function may have.
const MAX_LOCALS: usize = 8;

/// What the compiler needs to inline a function.
#[derive(Clone, Debug)]
pub(super) struct Callee {
    /// The byte range of its code (up to and including the final `end`).
    pub code: Range<usize>,
    pub params: usize,
    /// 0 or 1.
    pub results: usize,
    /// Its declared locals (each one slot).
    pub locals: usize,
    /// Which declared locals are read before the body writes them, so need a zero
    /// at every entry (bit `i` for local `params + i`).
    pub zeroed: u32,
    /// Whether the body has no control instructions besides its final `end`.
    pub straight: bool,
    /// Slots it needs for its own and its inlined callees' locals.
    pub slots: usize,
    /// The constants of its body and its inlined callees' (plus zero, if some local
    /// needs zeroing), for the caller's constant pool.
    pub consts: Vec<u64>,
}

/// Decides, once per callee, whether calls to it are inlined.
pub(super) struct Inliner<'m> {
    module: &'m ModuleView<'m>,
    enabled: bool,
    seen: HashMap<u32, Option<Callee>>,
}

impl<'m> Inliner<'m> {
    pub fn new(module: &'m ModuleView<'m>) -> Inliner<'m> {
        Inliner {
            module,
            enabled: !module.options.fuel && !module.options.epoch,
            seen: HashMap::new(),
        }
    }

    /// How to inline function `f` (function index space), if calls to it are inlined.
    pub fn get(&mut self, f: u32) -> Option<&Callee> {
        if !self.enabled {
            return None;
        }
        if !self.seen.contains_key(&f) {
            let c = analyze(self.module, f, true);
            self.seen.insert(f, c);
        }
        self.seen.get(&f).and_then(|c| c.as_ref())
    }
}

fn plain(t: ValType) -> bool {
    matches!(t, ValType::I32 | ValType::I64 | ValType::F32 | ValType::F64)
}

/// Numeric instructions that may trap.
fn traps(n: NumericOp) -> bool {
    use NumericOp::*;
    matches!(
        n,
        I32DivS
            | I32DivU
            | I32RemS
            | I32RemU
            | I64DivS
            | I64DivU
            | I64RemS
            | I64RemU
            | I32TruncF32S
            | I32TruncF32U
            | I32TruncF64S
            | I32TruncF64U
            | I64TruncF32S
            | I64TruncF32U
            | I64TruncF64S
            | I64TruncF64U
    )
}

/// The summary of function `f` if it can be inlined; `nested` allows it to call
/// functions that can be inlined and call nothing.
fn analyze(module: &ModuleView, f: u32, nested: bool) -> Option<Callee> {
    let m = &module.syntax;
    let def = f.checked_sub(m.num_imported_funcs)?;
    let body = m.code.get(def as usize)?;
    if body.code.len() > MAX_BODY_BYTES {
        return None;
    }
    let ty = module.func_types.get(f as usize)?;
    if !ty.params.iter().chain(ty.results.iter()).all(|&t| plain(t)) || ty.results.len() > 1 {
        return None;
    }
    let locals = usize::try_from(body.num_locals()).ok()?;
    if locals > MAX_LOCALS || !body.locals.iter().all(|&(_, t)| plain(t)) {
        return None;
    }
    let params = ty.params.len();
    let mut c = Callee {
        code: body.code.clone(),
        params,
        results: ty.results.len(),
        locals,
        zeroed: 0,
        straight: true,
        slots: locals,
        consts: Vec::new(),
    };
    // Locals whose first access (in straight-line code before any control
    // instruction) is a write; every other local read anywhere needs its zero.
    let mut written: u32 = 0;
    let mut inner_slots = 0;
    let mut reader = OperatorReader::new(module.bytes, body.code.clone());
    while !reader.is_empty() {
        let op = reader.read().ok()?;
        let local = |l: u32| (l as usize).checked_sub(params);
        match op {
            Operator::Nop | Operator::Drop | Operator::Select => {}
            Operator::TypedSelect(t) if plain(t) => {}
            Operator::End if reader.is_empty() => {}
            Operator::Block(bt) | Operator::Loop(bt) | Operator::If(bt) => {
                if matches!(bt, BlockType::Func(_)) {
                    return None;
                }
                c.straight = false;
            }
            Operator::Else
            | Operator::End
            | Operator::Br(_)
            | Operator::BrIf(_)
            | Operator::BrTable { .. }
            | Operator::Return => c.straight = false,
            Operator::LocalGet(l) => {
                if let Some(i) = local(l) {
                    if written & (1 << i) == 0 {
                        c.zeroed |= 1 << i;
                    }
                }
            }
            Operator::LocalSet(l) | Operator::LocalTee(l) => {
                // Parameters stay bound to the arguments: never written.
                let i = local(l)?;
                if c.straight && c.zeroed & (1 << i) == 0 {
                    written |= 1 << i;
                }
            }
            Operator::GlobalGet(g) | Operator::GlobalSet(g) => {
                if module.global_v128.get(g as usize) != Some(&false) {
                    return None;
                }
            }
            Operator::I32Const(v) => c.consts.push(v as u32 as u64),
            Operator::I64Const(v) => c.consts.push(v as u64),
            Operator::F32Const(v) => c.consts.push(v as u64),
            Operator::F64Const(v) => c.consts.push(v),
            Operator::Numeric(n) if !traps(n) => {}
            Operator::Call(g) if nested => {
                let inner = analyze(module, g, false)?;
                inner_slots = inner_slots.max(inner.slots);
                c.consts.extend_from_slice(&inner.consts);
            }
            _ => return None,
        }
    }
    if c.zeroed != 0 {
        c.consts.push(0);
    }
    c.slots = locals + inner_slots;
    Some(c)
}

#[cfg(test)]
mod tests {
    use crate::compile::isa::Instr;
    use crate::{Config, Engine, Module};

    /// The calls left in function 0 of `wat` (whose other functions are callees).
    fn calls_left(config: &Config, wat: &str) -> usize {
        let engine = Engine::new(config);
        let m = Module::new(&engine, wat).unwrap();
        let code = m.inner.code(0).unwrap().code.to_vec();
        code.iter()
            .filter(|i| matches!(i, Instr::Call { .. } | Instr::CallCopy { .. }))
            .count()
    }

    fn module(callee: &str) -> String {
        format!(
            r#"(module (memory 1) (global $g (mut i32) (i32.const 0))
                 (func (param i32) (result i32) (call 1 (local.get 0)))
                 (func (param i32) (result i32) {callee}))"#
        )
    }

    #[test]
    fn small_functions_that_cannot_trap_are_inlined() {
        let inlined = [
            "(i32.add (local.get 0) (i32.const 1))",
            "(local i64) (local.set 1 (i64.extend_i32_u (local.get 0))) (i32.wrap_i64 (local.get 1))",
            "(block (br_if 0 (local.get 0)) (return (i32.const 3))) (i32.const 4)",
            "(global.set $g (local.get 0)) (global.get $g)",
            "(f32.lt (f32.sqrt (f32.convert_i32_s (local.get 0))) (f32.const 2))",
            "(i32.trunc_sat_f64_s (f64.convert_i32_u (local.get 0)))",
        ];
        for body in inlined {
            assert_eq!(calls_left(&Config::new(), &module(body)), 0, "{body}");
        }
    }

    #[test]
    fn functions_that_may_trap_or_are_large_are_called() {
        let long = format!("(local.get 0) {} ", "(i32.const 1000) (i32.add)".repeat(20));
        let called = [
            // may trap: a trap must show the callee's frame
            "(i32.div_u (i32.const 1) (local.get 0))",
            "(i32.trunc_f32_s (f32.convert_i32_s (local.get 0)))",
            "(i32.load (local.get 0))",
            "(unreachable)",
            // calls something that is not inlined (here: itself)
            "(call 1 (local.get 0))",
            // writes a parameter
            "(local.set 0 (i32.const 1)) (local.get 0)",
            long.as_str(),
        ];
        for body in called {
            assert_eq!(calls_left(&Config::new(), &module(body)), 1, "{body}");
        }
    }

    #[test]
    fn one_level_of_nested_inlining() {
        let wat = r#"(module
            (func (param i32) (result i32) (call 1 (local.get 0)))
            (func (param i32) (result i32) (i32.eqz (call 2 (local.get 0))))
            (func (param i32) (result i32) (i32.add (call 3 (local.get 0)) (i32.const 1)))
            (func (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#;
        // 1 calls 2 (inlined into 1, since 2 calls only a leaf), but 2 calls 3, so 2
        // is not a leaf and 1 is not inlined into 0.
        assert_eq!(calls_left(&Config::new(), wat), 1);
    }

    #[test]
    fn nothing_is_inlined_with_fuel_or_epochs() {
        let body = module("(i32.add (local.get 0) (i32.const 1))");
        let mut fuel = Config::new();
        fuel.consume_fuel(true);
        assert_eq!(calls_left(&fuel, &body), 1);
        let mut epoch = Config::new();
        epoch.epoch_interruption(true);
        assert_eq!(calls_left(&epoch, &body), 1);
    }
}
