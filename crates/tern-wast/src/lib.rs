//! The spec-script runner: executes `.wast` scripts against tern and counts outcomes.
//!
//! [`run_file`] and [`run_str`] run one script with a fresh [`Store`] and [`Linker`]
//! (holding the `spectest` module) and return a [`FileReport`]: how many commands
//! passed and failed, per command kind, and every failure with its line and reason.
//!
//! # Rules
//!
//! - Every command counts once: `module`, `module definition`, `module instance`,
//!   `register`, `invoke`, `get`, `assert_return`, `assert_trap`, `assert_exhaustion`,
//!   `assert_uninstantiable` (an `assert_trap` on a module), `assert_invalid`,
//!   `assert_malformed`, `assert_unlinkable`, `assert_malformed_custom`,
//!   `assert_invalid_custom`. Kinds the runner cannot execute against tern
//!   (`assert_exception`, `assert_suspension`, `thread`, `wait`, components) count as
//!   failures with the reason "unsupported".
//! - `assert_return` compares floats by bit pattern, except `nan:canonical` and
//!   `nan:arithmetic`; `ref.null` matches a null of any kind; `ref.extern N` an
//!   externref wrapping the `u32` N; `ref.func` any non-null funcref.
//! - `assert_trap` / `assert_exhaustion` / `assert_uninstantiable` need an
//!   [`Error::Trap`] whose message contains the expected text, or is a prefix of it
//!   (scripts sometimes append detail, e.g. `"uninitialized element 2"`).
//! - `assert_malformed` needs [`Error::Malformed`] (or a text module that the `wast`
//!   crate itself refuses to encode: a text-level malformed module),
//!   `assert_invalid` [`Error::Invalid`] and `assert_unlinkable` [`Error::Unlinkable`].
//!   [`Error::Unsupported`] never counts as a pass. The right kind with a different
//!   message passes, but is counted in [`FileReport::msg_mismatches`].
//! - `assert_malformed_custom` / `assert_invalid_custom` pass when the quoted text
//!   does not parse (malformed custom annotation syntax), or else when the module
//!   loads: tern ignores the contents of custom sections, as the core spec allows.
//! - A `module` command that fails leaves no current module: later unnamed actions
//!   fail instead of running against an older module.
//! - A panic inside tern is caught per command and counted as a failure
//!   `PANIC: ...`, so that one bad input does not stop a whole run.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use tern::{Engine, Error, ExternRef, Instance, Linker, Module, Store, Val};
use wast::core::{WastArgCore, WastRetCore};
use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet, Wat};

mod groups;
mod panics;
mod report;
mod spectest;
mod values;

pub use groups::{group_files, spec_groups_dir, testsuite_dir, GROUPS};
use panics::{catch, install_panic_hook};
pub use report::{Failure, FileReport, KindCount, MsgMismatch};
use spectest::define_spectest;
pub use values::show_val;
use values::{f32_matches, f64_matches, null_kind, show_ret, v128_matches, RefFamily};

/// Runs the script at `path` on a thread of its own (with a large stack), so that the
/// caller survives anything short of an abort.
pub fn run_file(path: &Path) -> FileReport {
    run_file_timeout(path, None)
}

/// Like [`run_file`], but gives up after `timeout`: the report then holds one failure
/// "TIMEOUT" (and the script's thread is left running in the background).
pub fn run_file_timeout(path: &Path, timeout: Option<Duration>) -> FileReport {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                let mut r = FileReport::new(&name);
                r.fail(1, "script", "the script is not UTF-8");
                return r;
            }
        },
        Err(e) => {
            let mut r = FileReport::new(&name);
            r.fail(0, "script", format!("cannot read {name}: {e}"));
            return r;
        }
    };
    let (tx, rx) = mpsc::channel();
    let thread_name = name.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("wast {thread_name}"))
        .stack_size(256 << 20)
        .spawn(move || {
            let _ = tx.send(run_str(&thread_name, &text));
        });
    if let Err(e) = spawned {
        let mut r = FileReport::new(&name);
        r.fail(0, "script", format!("cannot start a thread: {e}"));
        return r;
    }
    let got = match timeout {
        Some(t) => rx.recv_timeout(t).map_err(|_| ()),
        None => rx.recv().map_err(|_| ()),
    };
    match got {
        Ok(r) => r,
        Err(()) => {
            let mut r = FileReport::new(&name);
            match timeout {
                Some(t) => r.fail(0, "script", format!("TIMEOUT after {}s", t.as_secs())),
                None => r.fail(0, "script", "the runner thread died"),
            }
            r
        }
    }
}

/// Runs a script given as text; `name` only labels the report.
pub fn run_str(name: &str, text: &str) -> FileReport {
    let start = Instant::now();
    let mut report = FileReport::new(name);
    let mut lexer = Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buf = match ParseBuffer::new_with_lexer(lexer) {
        Ok(b) => b,
        Err(mut e) => {
            e.set_text(text);
            let line = e.span().linecol_in(text).0 + 1;
            report.fail(
                line,
                "script",
                format!("cannot lex the script: {}", e.message()),
            );
            return report;
        }
    };
    let wast = match parser::parse::<Wast>(&buf) {
        Ok(w) => w,
        Err(mut e) => {
            e.set_text(text);
            let line = e.span().linecol_in(text).0 + 1;
            report.fail(
                line,
                "script",
                format!("cannot parse the script: {}", e.message()),
            );
            return report;
        }
    };
    install_panic_hook();
    let mut runner = Runner::new(text);
    for directive in wast.directives {
        runner.directive(directive, &mut report);
    }
    report.elapsed = start.elapsed();
    report
}

// ---------------------------------------------------------------------------------
// The runner

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

struct Runner<'t> {
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
    fn new(text: &'t str) -> Runner<'t> {
        let engine = Engine::default();
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

    fn directive(&mut self, d: WastDirective<'_>, report: &mut FileReport) {
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
