//! The rooms of `crates/tern/src` use each other in one direction only.
//!
//! Every top-level folder (and `error.rs`) is a room with a rank; a room's
//! code may name `crate::<room>` only for itself or a room of lower rank, so
//! the module graph between rooms has no circle and no arrow that runs back
//! up. The order is the pipeline of docs/architecture.md:
//!
//! `error` < `syntax` < `binary` < `validate` < `compile` < `jit` < `runtime` < `exec` <
//! `api`
//!
//! Names re-exported at the crate root (`crate::Engine`, `crate::Store`, ...)
//! belong to the embedding API, so only `api` (and test code) may use them.
//! Test code is left out: files named `tests.rs` or under a `tests/` folder,
//! and a `#[cfg(test)] mod` to the end of its file. The check reads the
//! source as text, the same way `grep -rn 'crate::' crates/tern/src` does.

use std::path::{Path, PathBuf};

/// The rooms from the ground up; a room may use the rooms before it.
const ROOMS: [&str; 9] = [
    "error", "syntax", "binary", "validate", "compile", "jit", "runtime", "exec", "api",
];

/// Macros exported at the crate root that a room defines.
const MACROS: [(&str, &str); 3] = [
    ("for_each_numeric_op", "syntax"),
    ("for_each_simd_op", "syntax"),
    ("numeric_valtype", "syntax"),
];

fn rank(room: &str) -> Option<usize> {
    ROOMS.iter().position(|r| *r == room)
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read a source folder")
        .map(|e| e.expect("read a folder entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The room a file of `src/` lives in (`None` for `lib.rs`, the crate's face).
fn room_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(src()).ok()?;
    let first = rel.components().next()?.as_os_str().to_str()?;
    let room = first.strip_suffix(".rs").unwrap_or(first);
    rank(room).map(|_| room.to_string())
}

/// The source a file runs outside tests: up to a `#[cfg(test)]` that opens a module.
fn non_test_source(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).map(|l| l.trim_start()).unwrap_or("");
        if line.trim() == "#[cfg(test)]" && next.starts_with("mod ") {
            break;
        }
        let code = line.split("//").next().unwrap_or("");
        kept.push(code);
    }
    kept.join("\n")
}

/// The first segments of every `crate::` path in `code`, with `crate::{a::x, b}` read as `a`, `b`.
fn crate_segments(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0usize;
            let mut start = true;
            let mut word = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_alphanumeric() || c == '_') => word.push(c),
                    _ if start && !word.is_empty() => {
                        out.push(std::mem::take(&mut word));
                        start = false;
                    }
                    _ => {}
                }
            }
            if !word.is_empty() {
                out.push(word);
            }
        } else {
            let word: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push(word);
        }
    }
    out
}

/// The room a `crate::<segment>` path leads into.
fn target_room(segment: &str) -> Option<&'static str> {
    if let Some(r) = ROOMS.iter().find(|r| **r == segment) {
        return Some(r);
    }
    if let Some((_, r)) = MACROS.iter().find(|(m, _)| *m == segment) {
        return Some(r);
    }
    if segment.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some("api");
    }
    None
}

fn violations() -> Vec<String> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut found = Vec::new();
    for path in &files {
        let Some(room) = room_of(path) else { continue };
        let text = std::fs::read_to_string(path).expect("read a source file");
        let name = path.strip_prefix(src()).unwrap_or(path).display();
        for segment in crate_segments(&non_test_source(&text)) {
            let Some(target) = target_room(&segment) else {
                found.push(format!("src/{name}: crate::{segment} is no room"));
                continue;
            };
            if target != room && rank(target) >= rank(&room) {
                found.push(format!(
                    "src/{name}: room {room} uses crate::{segment} (room {target}, not below it)"
                ));
            }
        }
    }
    found
}

#[test]
fn rooms_use_only_the_rooms_below_them() {
    let found = violations();
    assert!(
        found.is_empty(),
        "arrows that run back up:\n{}",
        found.join("\n")
    );
}

#[test]
fn every_room_is_read() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    for room in ROOMS {
        assert!(
            files.iter().any(|f| room_of(f).as_deref() == Some(room)),
            "room {room} has no file under src/"
        );
    }
}

#[test]
fn paths_are_read_as_their_rooms() {
    let code = "use crate::compile::isa::Instr;\nuse crate::{error::Result, syntax::{A, B}};\nlet x = crate::Store::new();";
    assert_eq!(
        crate_segments(code),
        ["compile", "error", "syntax", "Store"]
    );
    let text = "use crate::a;\n#[cfg(test)]\nfn helper() {}\nuse crate::b;\n#[cfg(test)]\nmod tests {\n use crate::c;\n}";
    assert_eq!(crate_segments(&non_test_source(text)), ["a", "b"]);
    assert_eq!(target_room("Store"), Some("api"));
    assert_eq!(target_room("for_each_numeric_op"), Some("syntax"));
}
