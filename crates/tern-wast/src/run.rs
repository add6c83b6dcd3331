//! Running the commands of one parsed script: the [`Runner`] keeps the engine, store,
//! linker (with `spectest`), the current and named instances and the module
//! definitions, executes each directive under [`catch`], and judges its outcome by
//! the rules in the crate documentation, filling in the [`FileReport`]. Parsing the
//! script text and giving it a thread is the caller's (`lib.rs`); value patterns are
//! `values.rs`'s.

use std::collections::HashMap;
use std::fmt;

use tern::{Config, Engine, Error, ExternRef, Instance, Linker, Module, Store, Val};
use wast::core::{WastArgCore, WastRetCore};
use wast::{QuoteWat, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

use crate::panics::catch;
use crate::report::{FileReport, MsgMismatch};
use crate::spectest::define_spectest;
use crate::values::{
    f32_matches, f64_matches, null_kind, show_ret, show_val, v128_matches, RefFamily,
};

/// Why a command did not get as far as a tern result.
enum Fail {
    /// The runner could not set up the command (unknown module, unsupported value...).
    Setup(String),
    /// tern returned an error.
    Tern(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Tern(e)
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::Setup(s) => f.write_str(s),
            Fail::Tern(e) => write!(f, "{}", one_line(&e.to_string())),
        }
    }
}

pub(crate) struct Runner<'t> {
    text: &'t str,
    engine: Engine,
    store: Store<()>,
    linker: Linker<()>,
    /// The most recently instantiated module.
    current: Option<Instance>,
    /// Instances by `$name`.
    instances: HashMap<String, Instance>,
    /// `(module definition $name ...)` modules.
    definitions: HashMap<String, Module>,
    last_definition: Option<Module>,
}

impl<'t> Runner<'t> {
    pub(crate) fn new(text: &'t str, config: &Config) -> Runner<'t> {
        let engine = Engine::new(config);
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.allow_shadowing(true);
        define_spectest(&mut linker, &mut store);
        Runner {
            text,
            engine,
            store,
            linker,
            current: None,
            instances: HashMap::new(),
            definitions: HashMap::new(),
            last_definition: None,
        }
    }

    fn line(&self, span: wast::token::Span) -> usize {
        span.linecol_in(self.text).0 + 1
    }

    pub(crate) fn directive(&mut self, d: WastDirective<'_>, report: &mut FileReport) {
        let line = self.line(d.span());
        let kind = kind_of(&d);
        match catch(|| self.execute(d, report)) {
            Ok(Ok(())) => report.pass(kind),
            Ok(Err(reason)) => report.fail(line, kind, reason),
            Err(panic) => report.fail(line, kind, format!("PANIC: {panic}")),
        }
    }

    /// Executes one command: `Ok` when it passed, `Err(reason)` when it failed.
    fn execute(&mut self, d: WastDirective<'_>, report: &mut FileReport) -> Result<(), String> {
        let line = self.line(d.span());
        match d {
            WastDirective::Module(mut m) => {
                // Later commands must not run against an older module if this one fails.
                self.current = None;
                let name = m.name().map(|id| id.name().to_string());
                let module = self.compile(&mut m).map_err(|e| e.to_string())?;
                let inst = self.instantiate(&module).map_err(|e| e.to_string())?;
                self.current = Some(inst);
                if let Some(n) = name {
                    self.instances.insert(n, inst);
                }
                Ok(())
            }
            WastDirective::ModuleDefinition(mut m) => {
                let name = m.name().map(|id| id.name().to_string());
                let module = self.compile(&mut m).map_err(|e| e.to_string())?;
                if let Some(n) = name {
                    self.definitions.insert(n, module.clone());
                }
                self.last_definition = Some(module);
                Ok(())
            }
            WastDirective::ModuleInstance {
                instance, module, ..
            } => {
                self.current = None;
                let def = match module {
                    Some(id) => self
                        .definitions
                        .get(id.name())
                        .cloned()
                        .ok_or_else(|| format!("no module definition named ${}", id.name()))?,
                    None => self
                        .last_definition
                        .clone()
                        .ok_or("no module definition to instantiate")?,
                };
                let inst = self.instantiate(&def).map_err(|e| e.to_string())?;
                self.current = Some(inst);
                if let Some(id) = instance {
                    self.instances.insert(id.name().to_string(), inst);
                }
                Ok(())
            }
            WastDirective::Register { name, module, .. } => {
                let inst = self
                    .instance(module.map(|id| id.name()))
                    .map_err(|e| e.to_string())?;
                self.linker
                    .instance(&mut self.store, name, inst)
                    .map_err(|e| format!("cannot register: {e}"))?;
                Ok(())
            }
            WastDirective::Invoke(inv) => self.invoke(&inv).map(drop).map_err(|e| e.to_string()),
            WastDirective::AssertReturn { exec, results, .. } => {
                let got = self.exec(exec).map_err(|e| e.to_string())?;
                self.check_results(&results, &got)
            }
            WastDirective::AssertTrap { exec, message, .. } => {
                let r = self.exec(exec);
                self.expect_trap(r, message)
            }
            WastDirective::AssertExhaustion { call, message, .. } => {
                let r = self.invoke(&call);
                self.expect_trap(r, message)
            }
            WastDirective::AssertMalformed {
                mut module,
                message,
                ..
            } => self.expect_bad_module(&mut module, message, Expect::Malformed, line, report),
            WastDirective::AssertInvalid {
                mut module,
                message,
                ..
            } => self.expect_bad_module(&mut module, message, Expect::Invalid, line, report),
            WastDirective::AssertMalformedCustom { mut module, .. }
            | WastDirective::AssertInvalidCustom { mut module, .. } => {
                if let QuoteWat::QuoteModule(..) = module {
                    // A custom annotation the text parser refuses is malformed custom
                    // syntax: that is what the script asserts.
                    if module.encode().is_err() {
                        report.text_malformed += 1;
                        return Ok(());
                    }
                }
                // tern ignores custom section contents, so the module must load.
                self.compile(&mut module)
                    .map(drop)
                    .map_err(|e| format!("module with a bad custom section did not load: {e}"))
            }
            WastDirective::AssertUnlinkable {
                module, message, ..
            } => {
                let mut q = QuoteWat::Wat(module);
                let module = self.compile(&mut q).map_err(|e| e.to_string())?;
                match self.instantiate(&module) {
                    Ok(_) => Err("module linked and instantiated".to_string()),
                    Err(Fail::Tern(Error::Unlinkable(m))) => {
                        self.note_message(report, line, "assert_unlinkable", message, &m);
                        Ok(())
                    }
                    Err(e) => Err(format!("expected unlinkable, got: {e}")),
                }
            }
            WastDirective::AssertException { .. } => {
                Err("unsupported: assert_exception (exceptions)".to_string())
            }
            WastDirective::AssertSuspension { .. } => {
                Err("unsupported: assert_suspension (stack switching)".to_string())
            }
            WastDirective::Thread(_) => Err("unsupported: thread".to_string()),
            WastDirective::Wait { .. } => Err("unsupported: wait".to_string()),
        }
    }

    /// Encodes a script module and decodes + validates it with tern.
    fn compile(&mut self, m: &mut QuoteWat<'_>) -> Result<Module, Fail> {
        if matches!(
            m,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err(Fail::Setup("unsupported: component model".to_string()));
        }
        let bytes = m
            .encode()
            .map_err(|e| Fail::Setup(format!("text does not encode: {}", e.message())))?;
        Ok(Module::from_binary(&self.engine, &bytes)?)
    }

    fn instantiate(&mut self, module: &Module) -> Result<Instance, Fail> {
        Ok(self.linker.instantiate(&mut self.store, module)?)
    }

    fn instance(&self, name: Option<&str>) -> Result<Instance, Fail> {
        match name {
            Some(n) => self
                .instances
                .get(n)
                .copied()
                .ok_or_else(|| Fail::Setup(format!("no instance named ${n}"))),
            None => self
                .current
                .ok_or_else(|| Fail::Setup("no current module instance".to_string())),
        }
    }

    fn invoke(&mut self, inv: &WastInvoke<'_>) -> Result<Vec<Val>, Fail> {
        let inst = self.instance(inv.module.map(|id| id.name()))?;
        let func = inst
            .get_func(&self.store, inv.name)
            .ok_or_else(|| Fail::Setup(format!("no exported function {:?}", inv.name)))?;
        let mut args = Vec::with_capacity(inv.args.len());
        for a in &inv.args {
            args.push(self.arg(a)?);
        }
        let ty = func.ty(&self.store);
        let mut results = vec![Val::I32(0); ty.results.len()];
        func.call(&mut self.store, &args, &mut results)?;
        Ok(results)
    }

    fn exec(&mut self, exec: WastExecute<'_>) -> Result<Vec<Val>, Fail> {
        match exec {
            WastExecute::Invoke(inv) => self.invoke(&inv),
            WastExecute::Get { module, global, .. } => {
                let inst = self.instance(module.map(|id| id.name()))?;
                let g = inst
                    .get_global(&self.store, global)
                    .ok_or_else(|| Fail::Setup(format!("no exported global {global:?}")))?;
                Ok(vec![g.get(&self.store)])
            }
            WastExecute::Wat(w) => {
                let mut q = QuoteWat::Wat(w);
                let module = self.compile(&mut q)?;
                self.instantiate(&module)?;
                Ok(Vec::new())
            }
        }
    }

    fn arg(&mut self, a: &WastArg<'_>) -> Result<Val, Fail> {
        let WastArg::Core(a) = a else {
            return Err(Fail::Setup("unsupported: component value".to_string()));
        };
        Ok(match a {
            WastArgCore::I32(v) => Val::I32(*v),
            WastArgCore::I64(v) => Val::I64(*v),
            WastArgCore::F32(v) => Val::F32(v.bits),
            WastArgCore::F64(v) => Val::F64(v.bits),
            WastArgCore::V128(v) => Val::V128(u128::from_le_bytes(v.to_le_bytes())),
            WastArgCore::RefNull(h) => match null_kind(h) {
                Some(RefFamily::Func) => Val::FuncRef(None),
                Some(RefFamily::Extern) => Val::ExternRef(None),
                None => {
                    return Err(Fail::Setup(format!(
                        "unsupported: null reference argument of heap type {h:?}"
                    )))
                }
            },
            WastArgCore::RefExtern(n) => Val::ExternRef(Some(ExternRef::new(&mut self.store, *n))),
            WastArgCore::RefHost(_) => {
                return Err(Fail::Setup("unsupported: ref.host argument".to_string()))
            }
        })
    }

    fn check_results(&self, expected: &[WastRet<'_>], got: &[Val]) -> Result<(), String> {
        if expected.len() != got.len() {
            return Err(format!(
                "expected {} results, got {}: {}",
                expected.len(),
                got.len(),
                self.show_vals(got)
            ));
        }
        for (i, (e, v)) in expected.iter().zip(got).enumerate() {
            let WastRet::Core(e) = e else {
                return Err("unsupported: component result".to_string());
            };
            match self.matches(e, v) {
                Ok(true) => {}
                Ok(false) => {
                    return Err(format!(
                        "result {i}: expected {}, got {}",
                        show_ret(e),
                        self.show_val(v)
                    ))
                }
                Err(unsupported) => return Err(format!("result {i}: {unsupported}")),
            }
        }
        Ok(())
    }

    /// Whether `v` matches `e`; `Err` when the runner cannot check that kind of result.
    fn matches(&self, e: &WastRetCore<'_>, v: &Val) -> Result<bool, String> {
        Ok(match (e, v) {
            (WastRetCore::I32(x), Val::I32(y)) => x == y,
            (WastRetCore::I64(x), Val::I64(y)) => x == y,
            (WastRetCore::F32(p), Val::F32(bits)) => f32_matches(p, *bits),
            (WastRetCore::F64(p), Val::F64(bits)) => f64_matches(p, *bits),
            (WastRetCore::V128(p), Val::V128(bits)) => v128_matches(p, *bits),
            (WastRetCore::RefNull(_), Val::FuncRef(None) | Val::ExternRef(None)) => true,
            (WastRetCore::RefExtern(None), Val::ExternRef(Some(_))) => true,
            (WastRetCore::RefExtern(Some(n)), Val::ExternRef(Some(r))) => {
                r.data(&self.store)
                    .ok()
                    .and_then(|d| d.downcast_ref::<u32>())
                    == Some(n)
            }
            (WastRetCore::RefFunc(_), Val::FuncRef(Some(_))) => true,
            (WastRetCore::Either(alts), v) => {
                let mut any = false;
                for a in alts {
                    any |= self.matches(a, v)?;
                }
                any
            }
            (
                WastRetCore::RefHost(_)
                | WastRetCore::RefAny
                | WastRetCore::RefEq
                | WastRetCore::RefArray
                | WastRetCore::RefStruct
                | WastRetCore::RefI31
                | WastRetCore::RefI31Shared,
                _,
            ) => return Err(format!("unsupported: GC/host result {}", show_ret(e))),
            _ => false,
        })
    }

    fn show_val(&self, v: &Val) -> String {
        match v {
            Val::ExternRef(Some(r)) => match r.data(&self.store) {
                Ok(d) => match d.downcast_ref::<u32>() {
                    Some(n) => format!("ref.extern {n}"),
                    None => "ref.extern <host value>".to_string(),
                },
                Err(_) => "ref.extern <dangling>".to_string(),
            },
            v => show_val(v),
        }
    }

    fn show_vals(&self, vs: &[Val]) -> String {
        let v: Vec<String> = vs.iter().map(|v| self.show_val(v)).collect();
        format!("[{}]", v.join(", "))
    }

    fn expect_trap(&self, r: Result<Vec<Val>, Fail>, expected: &str) -> Result<(), String> {
        match r {
            Ok(vals) => Err(format!(
                "expected trap {expected:?}, got results {}",
                self.show_vals(&vals)
            )),
            Err(Fail::Tern(Error::Trap(t))) => {
                if message_matches(t.message(), expected) {
                    Ok(())
                } else {
                    // A trap of the wrong kind is a failure, not a wording difference.
                    Err(format!(
                        "expected trap {expected:?}, got trap {:?}",
                        t.message()
                    ))
                }
            }
            Err(e) => Err(format!("expected trap {expected:?}, got error: {e}")),
        }
    }

    fn expect_bad_module(
        &mut self,
        m: &mut QuoteWat<'_>,
        expected: &str,
        want: Expect,
        line: usize,
        report: &mut FileReport,
    ) -> Result<(), String> {
        let kind = match want {
            Expect::Malformed => "assert_malformed",
            Expect::Invalid => "assert_invalid",
        };
        if matches!(
            m,
            QuoteWat::QuoteComponent(..) | QuoteWat::Wat(Wat::Component(_))
        ) {
            return Err("unsupported: component model".to_string());
        }
        let bytes = match m.encode() {
            Ok(b) => b,
            Err(e) => {
                return match want {
                    Expect::Malformed => {
                        report.text_malformed += 1;
                        Ok(())
                    }
                    Expect::Invalid => Err(format!(
                        "text does not encode (expected invalid {expected:?}): {}",
                        one_line(&e.message())
                    )),
                };
            }
        };
        match (Module::from_binary(&self.engine, &bytes), want) {
            (Ok(_), _) => Err(format!("module was accepted (expected {expected:?})")),
            (Err(Error::Malformed { message, .. }), Expect::Malformed)
            | (Err(Error::Invalid { message, .. }), Expect::Invalid) => {
                self.note_message(report, line, kind, expected, &message);
                Ok(())
            }
            (Err(e), _) => Err(format!(
                "expected {} {expected:?}, got: {}",
                match want {
                    Expect::Malformed => "malformed",
                    Expect::Invalid => "invalid",
                },
                one_line(&e.to_string())
            )),
        }
    }

    fn note_message(
        &self,
        report: &mut FileReport,
        line: usize,
        kind: &'static str,
        expected: &str,
        actual: &str,
    ) {
        if !message_matches(actual, expected) {
            report.msg_mismatches.push(MsgMismatch {
                line,
                kind,
                expected: expected.to_string(),
                actual: actual.to_string(),
            });
        }
    }
}

#[derive(Clone, Copy)]
enum Expect {
    Malformed,
    Invalid,
}

/// Whether tern's message `actual` agrees with the script's `expected` text: it contains
/// it, or is a (non-empty) prefix of it.
pub fn message_matches(actual: &str, expected: &str) -> bool {
    actual.contains(expected) || (!actual.is_empty() && expected.starts_with(actual))
}

/// The name a command is counted under.
fn kind_of(d: &WastDirective<'_>) -> &'static str {
    match d {
        WastDirective::Module(_) => "module",
        WastDirective::ModuleDefinition(_) => "module definition",
        WastDirective::ModuleInstance { .. } => "module instance",
        WastDirective::AssertMalformed { .. } => "assert_malformed",
        WastDirective::AssertInvalid { .. } => "assert_invalid",
        WastDirective::AssertInvalidCustom { .. } => "assert_invalid_custom",
        WastDirective::AssertMalformedCustom { .. } => "assert_malformed_custom",
        WastDirective::Register { .. } => "register",
        WastDirective::Invoke(_) => "invoke",
        WastDirective::AssertTrap {
            exec: WastExecute::Wat(_),
            ..
        } => "assert_uninstantiable",
        WastDirective::AssertTrap { .. } => "assert_trap",
        WastDirective::AssertReturn {
            exec: WastExecute::Get { .. },
            ..
        } => "assert_return (get)",
        WastDirective::AssertReturn { .. } => "assert_return",
        WastDirective::AssertExhaustion { .. } => "assert_exhaustion",
        WastDirective::AssertUnlinkable { .. } => "assert_unlinkable",
        WastDirective::AssertException { .. } => "assert_exception",
        WastDirective::AssertSuspension { .. } => "assert_suspension",
        WastDirective::Thread(_) => "thread",
        WastDirective::Wait { .. } => "wait",
    }
}

/// The first line of a (possibly multi-line, e.g. trap with backtrace) message.
fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}
