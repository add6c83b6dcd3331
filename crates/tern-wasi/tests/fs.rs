//! File-system calls through real C programs, checked from the host side too.

mod common;

use common::*;

#[test]
fn files_program() {
    let dir = TempDir::new("files");
    let o = run_in("files", dir.path(), &[]);
    let out = o.ok();
    assert!(out.ends_with("all ok\n"), "{out}");
    assert!(out.contains("ls d: . .. c.txt\n"), "{out}");
    assert!(
        out.contains("atime 1000000000.123456789 mtime 1500000000.987654321\n"),
        "{out}"
    );
    assert!(out.contains("readdir ok: 42 entries\n"), "{out}");
    // What the program left behind, seen from the host.
    assert_eq!(
        std::fs::read_to_string(dir.join("made-through-link")).unwrap(),
        "via link"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("sub/deeper/inner.txt")).unwrap(),
        "inner"
    );
    assert_eq!(
        std::fs::read_link(dir.join("link")).unwrap().to_str(),
        Some("d/c.txt")
    );
    assert_eq!(std::fs::read_dir(dir.join("many")).unwrap().count(), 40);
    assert!(!dir.join("d").exists());
    assert_eq!(std::fs::metadata(dir.join("plain")).unwrap().len(), 4096);
}
