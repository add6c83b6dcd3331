//! Locating the spec testsuite and its group lists: [`GROUPS`], [`testsuite_dir`],
//! [`spec_groups_dir`] and [`group_files`], shared by the `spec` test and `tern wast`.
//! Only paths and list files; nothing here runs a script.

use std::path::{Path, PathBuf};

/// The groups of the spec testsuite, in the order they are usually run.
pub const GROUPS: &[&str] = &["core", "simd", "wasm3", "proposals"];

/// The testsuite folder: `$TERN_TESTSUITE`, else `../shared/testsuite` relative to
/// `workspace_root`.
pub fn testsuite_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("TERN_TESTSUITE") {
        Some(p) => PathBuf::from(p),
        None => workspace_root.join("../shared/testsuite"),
    }
}

/// The spec-groups folder: `$TERN_SPEC_GROUPS`, else `../shared/spec-groups` relative to
/// `workspace_root`.
pub fn spec_groups_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("TERN_SPEC_GROUPS") {
        Some(p) => PathBuf::from(p),
        None => workspace_root.join("../shared/spec-groups"),
    }
}

/// The files of spec group `group` (paths relative to the testsuite folder), read from
/// `<groups_dir>/<group>.txt` (one file a line; blank lines and `#` comments skipped).
pub fn group_files(groups_dir: &Path, group: &str) -> std::io::Result<Vec<String>> {
    let list = std::fs::read_to_string(groups_dir.join(format!("{group}.txt")))?;
    Ok(list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}
