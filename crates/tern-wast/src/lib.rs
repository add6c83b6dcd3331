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
//!
//! # Layout
//!
//! This file holds the entry points (reading a script, giving it a thread and a
//! timeout, lexing and parsing it) and re-exports every public item at
//! `tern_wast::NAME`. Below it: `run.rs` executes the commands and applies the rules
//! above; `values.rs` matches and shows values; `report.rs` holds the report types;
//! `panics.rs` catches panics; `spectest.rs` defines the `spectest` module;
//! `groups.rs` locates the testsuite and its group lists. None of them imports from
//! this file, and only `run.rs` imports from the others.

use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use wast::lexer::Lexer;
use wast::parser::{self, ParseBuffer};
use wast::Wast;

mod groups;
mod panics;
mod report;
mod run;
mod spectest;
mod values;

pub use groups::{group_files, spec_groups_dir, testsuite_dir, GROUPS};
use panics::install_panic_hook;
pub use report::{Failure, FileReport, KindCount, MsgMismatch};
pub use run::message_matches;
use run::Runner;
pub use tern::{Config, Tier};
pub use values::show_val;

/// Runs the script at `path` on a thread of its own (with a large stack), so that the
/// caller survives anything short of an abort.
pub fn run_file(path: &Path) -> FileReport {
    run_file_timeout(path, None)
}

/// Like [`run_file`], but gives up after `timeout`: the report then holds one failure
/// "TIMEOUT" (and the script's thread is left running in the background).
pub fn run_file_timeout(path: &Path, timeout: Option<Duration>) -> FileReport {
    run_file_tier(path, timeout, Tier::default())
}

/// Like [`run_file_timeout`], with every module run by the execution tiers `tier`
/// (see [`tern::Config::tier`]).
pub fn run_file_tier(path: &Path, timeout: Option<Duration>, tier: Tier) -> FileReport {
    run_file_config(path, timeout, Config::new().tier(tier).clone())
}

/// Like [`run_file_timeout`], with every module run by an engine of `config`.
pub fn run_file_config(path: &Path, timeout: Option<Duration>, config: Config) -> FileReport {
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
            let _ = tx.send(run_str_config(&thread_name, &text, &config));
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
    run_str_tier(name, text, Tier::default())
}

/// Like [`run_str`], with every module run by the execution tiers `tier`.
pub fn run_str_tier(name: &str, text: &str, tier: Tier) -> FileReport {
    run_str_config(name, text, Config::new().tier(tier))
}

/// Like [`run_str`], with every module run by an engine of `config`.
pub fn run_str_config(name: &str, text: &str, config: &Config) -> FileReport {
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
    let mut runner = Runner::new(text, config);
    for directive in wast.directives {
        runner.directive(directive, &mut report);
    }
    report.elapsed = start.elapsed();
    report
}
