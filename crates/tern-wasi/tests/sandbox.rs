//! Sandbox escape attempts (tests/programs/escape.c): every one must fail, and the
//! host directory around the preopen must be exactly as it was.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::{symlink, MetadataExt};

use common::*;

const NOTCAPABLE: i32 = 76;
const LOOP: i32 = 32;
const NOENT: i32 = 44;
const BUSY: i32 = 10;
const FAULT: i32 = 21;
const BADF: i32 = 8;
const NOTDIR: i32 = 54;

#[test]
fn escape_attempts_fail() {
    let top = TempDir::new("escape");
    let secret = top.join("secret.txt");
    std::fs::write(&secret, "TOP SECRET").unwrap();
    let b = top.join("box");
    std::fs::create_dir(&b).unwrap();
    std::fs::write(b.join("inside.txt"), "inside").unwrap();
    std::fs::create_dir(b.join("sub")).unwrap();
    symlink(&secret, b.join("abs_out")).unwrap();
    symlink("../secret.txt", b.join("rel_out")).unwrap();
    symlink("..", b.join("dir_out")).unwrap();
    symlink("chain2", b.join("chain1")).unwrap();
    symlink("chain3", b.join("chain2")).unwrap();
    symlink("../secret.txt", b.join("chain3")).unwrap();
    symlink("loop2", b.join("loop1")).unwrap();
    symlink("loop1", b.join("loop2")).unwrap();
    symlink("../..", b.join("sub/up")).unwrap();
    symlink("sub/../inside.txt", b.join("ok_link")).unwrap();

    let o = run_in("escape", &b, &[]);
    let out = o.ok();
    assert!(out.ends_with("done\n"), "{out}");
    assert!(!out.contains("TOP SECRET"), "secret leaked:\n{out}");

    let got: BTreeMap<&str, i32> = out
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k, v.parse().unwrap()))
        .collect();
    let expect: &[(&str, i32)] = &[
        ("abs_path", NOTCAPABLE),
        ("abs_secret", NOTCAPABLE),
        ("dotdot", NOTCAPABLE),
        ("sub_dotdot2", NOTCAPABLE),
        ("dot_dotdot", NOTCAPABLE),
        ("dotdot_dir", NOTCAPABLE),
        ("stat_dotdot", NOTCAPABLE),
        ("stat_parent", NOTCAPABLE),
        ("abs_link", NOTCAPABLE),
        ("rel_link", NOTCAPABLE),
        ("dir_link", NOTCAPABLE),
        ("chain", NOTCAPABLE),
        ("loop", LOOP),
        ("sub_up", NOTCAPABLE),
        ("nofollow_link", LOOP),
        ("ok_link", 0),
        ("stat_rel_link", NOTCAPABLE),
        ("lstat_rel_link", 0),
        ("mk_abs_link", NOTCAPABLE),
        ("mk_rel_link", 0),
        ("g_rel", NOTCAPABLE),
        ("mk_chain", 0),
        ("g_chain", NOTCAPABLE),
        ("mk_up", 0),
        ("g_up", NOTCAPABLE),
        ("mkdir_via_up", NOTCAPABLE),
        ("create_via_up", NOTCAPABLE),
        ("trunc_via_link", NOTCAPABLE),
        ("mk_dangling", 0),
        ("create_via_dangling", NOTCAPABLE),
        ("mk_deep_up", 0),
        ("g_deep", NOTCAPABLE),
        ("long_chain", LOOP),
        ("short_chain", 0),
        ("link_from_dotdot", NOTCAPABLE),
        ("link_from_abs", NOTCAPABLE),
        ("link_follow_out", NOTCAPABLE),
        ("link_via_dir_link", NOTCAPABLE),
        ("link_to_outside", NOTCAPABLE),
        ("link_to_via_up", NOTCAPABLE),
        ("h7", NOTCAPABLE),
        ("rename_out", NOTCAPABLE),
        ("rename_in", NOTCAPABLE),
        ("rename_via_up", NOTCAPABLE),
        ("rename_via_dir_link", NOTCAPABLE),
        ("unlink_out", NOTCAPABLE),
        ("unlink_via_up", NOTCAPABLE),
        ("rmdir_root", BUSY),
        ("rmdir_parent", NOTCAPABLE),
        ("times_out", NOTCAPABLE),
        ("readlink_out", NOTCAPABLE),
        ("symlink_at_out", NOTCAPABLE),
        ("open_sub", 0),
        ("rename_sub", 0),
        ("replace_sub", 0),
        ("swapped", NOENT),
        ("swapped_create", 0),
        ("swapped_dotdot", NOTCAPABLE),
        ("fault_iov", FAULT),
        ("fault_iovs", FAULT),
        ("fault_out", FAULT),
        ("fault_path", FAULT),
        ("fault_path_out", FAULT),
        ("bad_fd", BADF),
        ("not_dir_fd", NOTDIR),
    ];
    let mut wrong = Vec::new();
    for &(name, want) in expect {
        match got.get(name) {
            Some(&v) if v == want => {}
            other => wrong.push(format!("{name}: expected {want}, got {other:?}")),
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nfull output:\n{out}",
        wrong.join("\n")
    );
    assert!(out.contains("ok_link read: [inside]\n"), "{out}");

    // The host directory around the sandbox is untouched.
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "TOP SECRET");
    assert_eq!(std::fs::metadata(&secret).unwrap().nlink(), 1);
    let mut names: Vec<String> = std::fs::read_dir(top.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["box", "secret.txt"]);
    // What the guest did inside stayed inside.
    assert_eq!(
        std::fs::read_to_string(b.join("inside.txt")).unwrap(),
        "inside"
    );
    assert!(b.join("sub2/swapped.txt").exists());
    assert_eq!(
        std::fs::read_link(b.join("sub")).unwrap().to_str(),
        Some("..")
    );
}

/// The preopen's own path cannot be named absolutely or climbed out of even when
/// it is reached through a host symlink.
#[test]
fn preopen_through_host_symlink() {
    let top = TempDir::new("hostlink");
    std::fs::write(top.join("secret.txt"), "TOP SECRET").unwrap();
    std::fs::create_dir(top.join("real")).unwrap();
    symlink("real", top.join("alias")).unwrap();
    let o = run_in("escape", &top.join("alias"), &[]);
    let out = o.ok();
    assert!(!out.contains("TOP SECRET"), "{out}");
    assert!(out.contains("\ndotdot=76\n"), "{out}");
    assert_eq!(
        std::fs::read_to_string(top.join("secret.txt")).unwrap(),
        "TOP SECRET"
    );
}
