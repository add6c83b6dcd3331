//! Runs the spec testsuite, one test per spec group, against the expected-failures
//! manifest `crates/tern-wast/spec-expected-failures.txt`.
//!
//! - The testsuite is `$TERN_TESTSUITE`, else `../shared/testsuite` beside the checkout;
//!   the group lists are `$TERN_SPEC_GROUPS`, else `../shared/spec-groups`. When the
//!   testsuite is absent the tests print a note and pass.
//! - A test fails when a file not in the manifest has a failing command, when a listed
//!   file has more failures than listed (a regression), or fewer (an improvement: the
//!   manifest only shrinks, so lower the number or drop the line).
//! - `TERN_BLESS=1 cargo test -p tern-wast --test spec` rewrites the manifest from the
//!   current results (reasons of lines that stay are kept; new lines get the first
//!   failure's reason) and passes.
//! - Each group runs twice: in the interpreter (`core`) and with every function compiled
//!   by the optimizing tier first (`core_opt`); both are held to the one manifest. The
//!   core group runs a third time with native code's bounds checks instead of guard
//!   pages (`core_opt_checked`).
//! - One group alone: `cargo test -p tern-wast --test spec core`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tern_wast::{
    group_files, run_file_config, spec_groups_dir, testsuite_dir, Config, Tier, GROUPS,
};

const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/spec-expected-failures.txt");
/// Longest a single script may take before it counts as one failure.
const TIMEOUT: Duration = Duration::from_secs(600);

/// Serializes blessing: the four group tests run in parallel threads and each rewrites
/// its own lines of the one manifest file.
static MANIFEST_LOCK: Mutex<()> = Mutex::new(());

const HEADER: &str = "\
# Spec scripts that do not pass completely, with the number of failing commands.
# Format: group/file.wast  <failing commands>  # reason
# Checked by crates/tern-wast/tests/spec.rs: the numbers may only go down. After an
# improvement, lower the number (or drop the line); regenerate everything with
#   TERN_BLESS=1 cargo test -p tern-wast --test spec
";

#[derive(Clone, Debug)]
struct Entry {
    failures: usize,
    reason: String,
}

fn parse_manifest(text: &str) -> BTreeMap<String, Entry> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (body, reason) = match line.split_once('#') {
            Some((b, r)) => (b.trim(), r.trim().to_string()),
            None => (line, String::new()),
        };
        let mut parts = body.split_whitespace();
        let (Some(file), Some(n)) = (parts.next(), parts.next()) else {
            panic!("bad manifest line (want `group/file.wast N # reason`): {line}");
        };
        let failures = n
            .parse()
            .unwrap_or_else(|_| panic!("bad failure count in manifest line: {line}"));
        out.insert(file.to_string(), Entry { failures, reason });
    }
    out
}

fn read_manifest() -> BTreeMap<String, Entry> {
    match std::fs::read_to_string(MANIFEST) {
        Ok(t) => parse_manifest(&t),
        Err(_) => BTreeMap::new(),
    }
}

fn write_manifest(entries: &BTreeMap<String, Entry>) {
    let mut out = String::from(HEADER);
    let w = entries.keys().map(String::len).max().unwrap_or(0);
    for g in GROUPS {
        let prefix = format!("{g}/");
        let mut first = true;
        for (file, e) in entries.iter().filter(|(f, _)| f.starts_with(&prefix)) {
            if first {
                out.push('\n');
                first = false;
            }
            let _ = writeln!(out, "{file:<w$} {:>5}  # {}", e.failures, e.reason);
        }
    }
    let others: Vec<_> = entries
        .iter()
        .filter(|(f, _)| !GROUPS.iter().any(|g| f.starts_with(&format!("{g}/"))))
        .collect();
    if !others.is_empty() {
        out.push('\n');
        for (file, e) in others {
            let _ = writeln!(out, "{file:<w$} {:>5}  # {}", e.failures, e.reason);
        }
    }
    std::fs::write(MANIFEST, out).expect("cannot write the manifest");
}

/// A short reason for a new manifest line: the first failure, on one line.
fn short_reason(r: &tern_wast::FileReport) -> String {
    let Some(f) = r.failures.first() else {
        return "not yet triaged".to_string();
    };
    let mut s = format!("{}: {}", f.kind, f.reason.replace('#', "no."));
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > 110 {
        s = s.chars().take(107).collect::<String>() + "...";
    }
    s
}

/// Runs `group` with the execution tiers `tier` and checks it against the manifest,
/// which holds for every tier (only the interpreter's run rewrites it when blessing).
fn run_group(group: &str, tier: Tier) {
    run_group_config(group, Config::new().tier(tier));
}

/// [`run_group`] with engines of `config`.
fn run_group_config(group: &str, config: &Config) {
    let tier = config.get_tier();
    let root = Path::new(WORKSPACE);
    let suite = testsuite_dir(root);
    let groups = spec_groups_dir(root);
    if !suite.is_dir() {
        eprintln!(
            "{group}: testsuite not found at {} (set TERN_TESTSUITE); skipped",
            suite.display()
        );
        return;
    }
    let files = group_files(&groups, group).unwrap_or_else(|e| {
        panic!(
            "cannot read the list of group {group} in {}: {e}",
            groups.display()
        )
    });
    let start = Instant::now();
    let (mut passed, mut failed, mut mismatches) = (0, 0, 0);
    let mut results: Vec<(String, tern_wast::FileReport)> = Vec::new();
    for f in &files {
        let path: PathBuf = suite.join(f);
        let r = run_file_config(&path, Some(TIMEOUT), config.clone());
        let key = format!("{group}/{f}");
        println!(
            "{key}: {} passed, {} failed ({} message mismatches, {:.2}s)",
            r.passed,
            r.failed,
            r.msg_mismatches.len(),
            r.elapsed.as_secs_f64()
        );
        passed += r.passed;
        failed += r.failed;
        mismatches += r.msg_mismatches.len();
        results.push((key, r));
    }
    println!(
        "{group}: {mismatches} commands passed with a different error message; {:.1}s",
        start.elapsed().as_secs_f64()
    );
    println!("{group} ({tier:?}): {passed} passed, {failed} failed");

    let bless = tier == Tier::Interp && std::env::var_os("TERN_BLESS").is_some_and(|v| v == "1");
    let _guard = MANIFEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut manifest = read_manifest();
    let prefix = format!("{group}/");

    if bless {
        let old = manifest.clone();
        manifest.retain(|k, _| !k.starts_with(&prefix));
        for (key, r) in &results {
            if r.failed > 0 {
                let reason = match old.get(key) {
                    Some(e) if !e.reason.is_empty() => e.reason.clone(),
                    _ => short_reason(r),
                };
                manifest.insert(
                    key.clone(),
                    Entry {
                        failures: r.failed,
                        reason,
                    },
                );
            }
        }
        write_manifest(&manifest);
        println!("{group}: manifest rewritten ({MANIFEST})");
        return;
    }

    let mut problems = Vec::new();
    for (key, r) in &results {
        match manifest.get(key) {
            None if r.failed > 0 => {
                let mut p = format!(
                    "{key}: {} failing commands, not in the manifest (new failures):",
                    r.failed
                );
                for f in r.failures.iter().take(5) {
                    let _ = write!(p, "\n    {f}");
                }
                if r.failures.len() > 5 {
                    let _ = write!(p, "\n    ... and {} more", r.failures.len() - 5);
                }
                problems.push(p);
            }
            None => {}
            Some(e) if r.failed > e.failures => {
                let mut p = format!(
                    "{key}: {} failing commands, manifest allows {} (regression):",
                    r.failed, e.failures
                );
                for f in r.failures.iter().take(5) {
                    let _ = write!(p, "\n    {f}");
                }
                problems.push(p);
            }
            Some(e) if r.failed < e.failures => problems.push(format!(
                "{key}: {} failing commands, manifest says {}: an improvement! Update the \
                 manifest ({}) to {} (the list only shrinks), or run with TERN_BLESS=1",
                r.failed,
                e.failures,
                "crates/tern-wast/spec-expected-failures.txt",
                if r.failed == 0 {
                    "drop the line".to_string()
                } else {
                    r.failed.to_string()
                }
            )),
            Some(_) => {}
        }
    }
    for key in manifest.keys().filter(|k| k.starts_with(&prefix)) {
        if !results.iter().any(|(k, _)| k == key) {
            problems.push(format!(
                "{key}: listed in the manifest but not in group {group}; remove the line"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{group}: the spec results differ from the manifest:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn core() {
    run_group("core", Tier::Interp);
}

/// The same scripts with every function compiled by the optimizing tier first.
#[test]
fn core_opt() {
    run_group("core", Tier::Opt);
}

/// Again, with native code checking every memory access itself instead of relying on
/// guard pages (`Config::guard_pages(false)`; the only way where the host has none).
#[test]
fn core_opt_checked() {
    run_group_config("core", Config::new().tier(Tier::Opt).guard_pages(false));
}

#[test]
fn simd() {
    run_group("simd", Tier::Interp);
}

/// The same scripts with every function compiled by the optimizing tier first.
#[test]
fn simd_opt() {
    run_group("simd", Tier::Opt);
}

#[test]
fn wasm3() {
    run_group("wasm3", Tier::Interp);
}

/// The same scripts with every function compiled by the optimizing tier first.
#[test]
fn wasm3_opt() {
    run_group("wasm3", Tier::Opt);
}

#[test]
fn proposals() {
    run_group("proposals", Tier::Interp);
}

/// The same scripts with every function compiled by the optimizing tier first.
#[test]
fn proposals_opt() {
    run_group("proposals", Tier::Opt);
}

#[test]
fn manifest_format_round_trips() {
    let text = "# c\ncore/a.wast   3  # why # not\n\nsimd/b.wast 10\n";
    let m = parse_manifest(text);
    assert_eq!(m["core/a.wast"].failures, 3);
    assert_eq!(m["core/a.wast"].reason, "why # not");
    assert_eq!(m["simd/b.wast"].failures, 10);
    assert_eq!(m["simd/b.wast"].reason, "");
}
