//! Runs the `assert_invalid` and valid `(module ...)` commands of spec testsuite
//! scripts through `binary::decode` + `validate::validate`: every invalid module must
//! be rejected as invalid with the script's message text, every valid one accepted.
//!
//! `validate_core_files` (a fixed list plus the core group), `validate_wasm3_files`
//! and `validate_simd_files` must pass.

use std::path::Path;

use tern::{binary, validate, Error};
use wast::parser::{self, ParseBuffer};
use wast::{QuoteWat, Wast, WastDirective};

/// The shared folder beside the checkout (`../shared`), holding `testsuite/` and
/// `spec-groups/`; `$TERN_TESTSUITE` and `$TERN_SPEC_GROUPS` override each.
fn shared(var: &str, sub: &str) -> std::path::PathBuf {
    match std::env::var_os(var) {
        Some(p) => p.into(),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared")
            .join(sub),
    }
}

fn testsuite() -> std::path::PathBuf {
    shared("TERN_TESTSUITE", "testsuite")
}

const FILES: &[&str] = &[
    "unreached-invalid.wast",
    "br_table.wast",
    "select.wast",
    "global.wast",
    "local_get.wast",
    "table_get.wast",
    "memory.wast",
    "align.wast",
    "ref_func.wast",
    "call_indirect.wast",
];

#[derive(Default, Debug)]
struct Counts {
    valid_ok: usize,
    valid_failed: Vec<String>,
    invalid_ok: usize,
    invalid_failed: Vec<String>,
    /// Rejected as invalid, but with another message.
    wrong_message: Vec<String>,
    /// Modules that use a feature tern does not support yet (decoder or validator).
    unsupported: usize,
    skipped: usize,
}

fn run(bytes: &[u8]) -> Result<(), Error> {
    let module = binary::decode(bytes)?;
    validate::validate(&module, bytes).map(drop)
}

fn encode(module: &mut QuoteWat<'_>) -> Option<Vec<u8>> {
    if let QuoteWat::QuoteComponent(..) = module {
        return None;
    }
    module.encode().ok()
}

fn run_file(path: &Path, counts: &mut Counts) {
    let Ok(text) = std::fs::read_to_string(path) else {
        counts.skipped += 1;
        return;
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string();
    let mut lexer = wast::lexer::Lexer::new(&text);
    lexer.allow_confusing_unicode(true);
    let Ok(buf) = ParseBuffer::new_with_lexer(lexer) else {
        counts.skipped += 1;
        return;
    };
    let Ok(wast) = parser::parse::<Wast>(&buf) else {
        counts.skipped += 1;
        return;
    };
    for directive in wast.directives {
        match directive {
            WastDirective::Module(mut m) | WastDirective::ModuleDefinition(mut m) => {
                let (line, _) = m.span().linecol_in(&text);
                let Some(bytes) = encode(&mut m) else {
                    counts.skipped += 1;
                    continue;
                };
                match run(&bytes) {
                    Ok(()) => counts.valid_ok += 1,
                    Err(Error::Unsupported { .. }) => counts.unsupported += 1,
                    Err(e) => counts
                        .valid_failed
                        .push(format!("{name}:{}: {e}", line + 1)),
                }
            }
            WastDirective::AssertInvalid {
                span,
                mut module,
                message,
            } => {
                let (line, _) = span.linecol_in(&text);
                let Some(bytes) = encode(&mut module) else {
                    counts.skipped += 1;
                    continue;
                };
                match run(&bytes) {
                    Err(Error::Invalid { message: got, .. }) => {
                        if got.starts_with(message) || got.contains(message) {
                            counts.invalid_ok += 1;
                        } else {
                            counts.wrong_message.push(format!(
                                "{name}:{}: expected {message:?}, got {got:?}",
                                line + 1
                            ));
                        }
                    }
                    Err(Error::Unsupported { .. }) => counts.unsupported += 1,
                    Err(e) => counts.invalid_failed.push(format!(
                        "{name}:{}: expected invalid {message:?}, got {e}",
                        line + 1
                    )),
                    Ok(()) => counts.invalid_failed.push(format!(
                        "{name}:{}: expected invalid {message:?}, but it validated",
                        line + 1
                    )),
                }
            }
            _ => {}
        }
    }
}

fn report(counts: &Counts) {
    println!(
        "valid modules accepted: {} (failed {}); invalid modules rejected with the message: {} \
         (wrong message {}, not rejected as invalid {}); unsupported {}; skipped {}",
        counts.valid_ok,
        counts.valid_failed.len(),
        counts.invalid_ok,
        counts.wrong_message.len(),
        counts.invalid_failed.len(),
        counts.unsupported,
        counts.skipped
    );
    for f in counts
        .valid_failed
        .iter()
        .chain(&counts.invalid_failed)
        .chain(&counts.wrong_message)
    {
        println!("  {f}");
    }
}

fn group(name: &str) -> Vec<String> {
    std::fs::read_to_string(shared("TERN_SPEC_GROUPS", "spec-groups").join(name))
        .unwrap_or_default()
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

fn check_files(files: &[String]) {
    if !testsuite().exists() {
        eprintln!("testsuite not found at {}; skipping", testsuite().display());
        return;
    }
    let mut counts = Counts::default();
    for f in files {
        run_file(&testsuite().join(f), &mut counts);
    }
    report(&counts);
    assert!(
        counts.valid_failed.is_empty()
            && counts.invalid_failed.is_empty()
            && counts.wrong_message.is_empty(),
        "testsuite failures (see output)"
    );
}

/// The listed files and the whole core group: every module must be handled right.
#[test]
fn validate_core_files() {
    let mut files: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    files.extend(
        group("core.txt")
            .into_iter()
            .filter(|f| !FILES.contains(&f.as_str())),
    );
    check_files(&files);
}

/// The Wasm 3.0 group: modules may be unsupported (GC and exception instructions are
/// not decoded yet), but none may be misjudged.
#[test]
fn validate_wasm3_files() {
    check_files(&group("wasm3.txt"));
}

/// The SIMD group (fixed-width and relaxed vector instructions).
#[test]
fn validate_simd_files() {
    check_files(&group("simd.txt"));
}

/// Corrupts bytes of the valid modules of a few scripts (deterministically) and
/// checks that decoding and validating them never panics.
#[test]
fn mutated_modules_do_not_panic() {
    if !testsuite().exists() {
        return;
    }
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for f in [
        "br_table.wast",
        "unreached-invalid.wast",
        "call_indirect.wast",
        "ref_func.wast",
    ] {
        let Ok(text) = std::fs::read_to_string(testsuite().join(f)) else {
            continue;
        };
        let Ok(buf) = ParseBuffer::new(&text) else {
            continue;
        };
        let Ok(wast) = parser::parse::<Wast>(&buf) else {
            continue;
        };
        for directive in wast.directives {
            let (WastDirective::Module(mut m) | WastDirective::AssertInvalid { module: mut m, .. }) =
                directive
            else {
                continue;
            };
            let Some(bytes) = encode(&mut m) else {
                continue;
            };
            for _ in 0..200 {
                let mut b = bytes.clone();
                for _ in 0..1 + next() % 3 {
                    let i = (next() % b.len() as u64) as usize;
                    b[i] = next() as u8;
                }
                let _ = run(&b);
            }
        }
    }
}
