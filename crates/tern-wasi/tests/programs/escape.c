// Sandbox escape attempts. The preopen "." (fd 3) is a directory BOX inside a host
// directory that holds secret.txt; the test harness prepared these in BOX:
//   inside.txt                  "inside"
//   sub/                        a directory
//   abs_out  -> HOST/secret.txt (absolute symlink)
//   rel_out  -> ../secret.txt
//   dir_out  -> ..
//   chain1 -> chain2 -> chain3 -> ../secret.txt
//   loop1 <-> loop2
//   sub/up   -> ../..
//   ok_link  -> sub/../inside.txt (stays inside: must work)
// Each attempt prints "NAME=ERRNO" with the raw WASI errno (0 = it succeeded).
// Anything read is printed too, so the test can tell whether a secret leaked.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define ROOT 3
#define R_ALL ((__wasi_rights_t)0x1fffffff)
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

// The raw import, so that a path pointer can be passed without the wrapper's strlen.
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags,
                      int64_t base, int64_t inheriting, int32_t fdflags, int32_t out)
    __attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")));

static void report(const char *name, __wasi_errno_t e) { printf("%s=%d\n", name, e); }

// Tries to open PATH (from fd DIR) and read it.
static void try_read(const char *name, __wasi_fd_t dir, const char *path, __wasi_lookupflags_t lf) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, lf, path, 0, R_ALL, R_ALL, 0, &fd);
    report(name, e);
    if (e == 0) {
        char buf[64] = {0};
        __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
        __wasi_size_t n = 0;
        (void)__wasi_fd_read(fd, &iov, 1, &n);
        printf("%s read: [%s]\n", name, buf);
        (void)__wasi_fd_close(fd);
    }
}

// Tries to create and write PATH.
static void try_write(const char *name, __wasi_fd_t dir, const char *path, __wasi_oflags_t of) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(dir, FOLLOW, path, of, R_ALL, R_ALL, 0, &fd);
    report(name, e);
    if (e == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)"PWNED", 5};
        __wasi_size_t n;
        (void)__wasi_fd_write(fd, &iov, 1, &n);
        (void)__wasi_fd_close(fd);
    }
}

int main(void) {
    __wasi_filestat_t st;
    char buf[64];
    __wasi_size_t n;

    // Absolute paths and "..".
    try_read("abs_path", ROOT, "/etc/passwd", FOLLOW);
    try_read("abs_secret", ROOT, "/secret.txt", FOLLOW);
    try_read("dotdot", ROOT, "../secret.txt", FOLLOW);
    try_read("sub_dotdot2", ROOT, "sub/../../secret.txt", FOLLOW);
    try_read("dot_dotdot", ROOT, "./sub/./.././../secret.txt", 0);
    try_read("dotdot_dir", ROOT, "..", FOLLOW);
    report("stat_dotdot", __wasi_path_filestat_get(ROOT, FOLLOW, "../secret.txt", &st));
    report("stat_parent", __wasi_path_filestat_get(ROOT, FOLLOW, "..", &st));

    // Symlinks prepared by the host.
    try_read("abs_link", ROOT, "abs_out", FOLLOW);
    try_read("rel_link", ROOT, "rel_out", FOLLOW);
    try_read("dir_link", ROOT, "dir_out/secret.txt", 0);
    try_read("chain", ROOT, "chain1", FOLLOW);
    try_read("loop", ROOT, "loop1", FOLLOW);
    try_read("sub_up", ROOT, "sub/up/secret.txt", 0);
    try_read("nofollow_link", ROOT, "rel_out", 0);
    try_read("ok_link", ROOT, "ok_link", FOLLOW);
    report("stat_rel_link", __wasi_path_filestat_get(ROOT, FOLLOW, "rel_out", &st));
    report("lstat_rel_link", __wasi_path_filestat_get(ROOT, 0, "rel_out", &st));

    // Symlinks the guest makes itself.
    report("mk_abs_link", __wasi_path_symlink("/etc/passwd", ROOT, "g_abs"));
    report("mk_rel_link", __wasi_path_symlink("../secret.txt", ROOT, "g_rel"));
    try_read("g_rel", ROOT, "g_rel", FOLLOW);
    report("mk_chain", __wasi_path_symlink("g_rel", ROOT, "g_chain"));
    try_read("g_chain", ROOT, "g_chain", FOLLOW);
    report("mk_up", __wasi_path_symlink("..", ROOT, "g_up"));
    try_read("g_up", ROOT, "g_up/secret.txt", 0);
    report("mkdir_via_up", __wasi_path_create_directory(ROOT, "g_up/evil_dir"));
    try_write("create_via_up", ROOT, "g_up/evil.txt", __WASI_OFLAGS_CREAT);
    try_write("trunc_via_link", ROOT, "rel_out", __WASI_OFLAGS_TRUNC);
    report("mk_dangling", __wasi_path_symlink("../created_outside.txt", ROOT, "g_dangling"));
    try_write("create_via_dangling", ROOT, "g_dangling", __WASI_OFLAGS_CREAT);
    report("mk_deep_up", __wasi_path_symlink("sub/../..", ROOT, "g_deep"));
    try_read("g_deep", ROOT, "g_deep/secret.txt", 0);
    // 45 links in a chain, all inside: too many to follow.
    for (int i = 0; i < 45; i++) {
        char a[16], b[16];
        snprintf(a, sizeof a, "c%d", i);
        snprintf(b, sizeof b, "c%d", i + 1);
        (void)__wasi_path_symlink(b, ROOT, a);
    }
    __wasi_fd_t tmp;
    (void)__wasi_path_open(ROOT, 0, "c45", __WASI_OFLAGS_CREAT, R_ALL, R_ALL, 0, &tmp);
    try_read("long_chain", ROOT, "c0", FOLLOW);
    try_read("short_chain", ROOT, "c10", FOLLOW);

    // Hard links: neither end may be outside, and the source is resolved inside too.
    report("link_from_dotdot", __wasi_path_link(ROOT, 0, "../secret.txt", ROOT, "h1"));
    report("link_from_abs", __wasi_path_link(ROOT, 0, "/secret.txt", ROOT, "h2"));
    report("link_follow_out", __wasi_path_link(ROOT, FOLLOW, "rel_out", ROOT, "h3"));
    report("link_via_dir_link", __wasi_path_link(ROOT, 0, "dir_out/secret.txt", ROOT, "h4"));
    report("link_to_outside", __wasi_path_link(ROOT, 0, "inside.txt", ROOT, "../h5"));
    report("link_to_via_up", __wasi_path_link(ROOT, 0, "inside.txt", ROOT, "g_up/h6"));
    report("link_nofollow", __wasi_path_link(ROOT, 0, "rel_out", ROOT, "h7"));
    try_read("h7", ROOT, "h7", FOLLOW);

    // Renames.
    report("rename_out", __wasi_path_rename(ROOT, "inside.txt", ROOT, "../moved.txt"));
    report("rename_in", __wasi_path_rename(ROOT, "../secret.txt", ROOT, "stolen.txt"));
    report("rename_via_up", __wasi_path_rename(ROOT, "inside.txt", ROOT, "g_up/moved.txt"));
    report("rename_via_dir_link", __wasi_path_rename(ROOT, "dir_out/secret.txt", ROOT, "stolen2.txt"));

    // Removal, metadata and other path calls outside.
    report("unlink_out", __wasi_path_unlink_file(ROOT, "../secret.txt"));
    report("unlink_via_up", __wasi_path_unlink_file(ROOT, "g_up/secret.txt"));
    report("rmdir_root", __wasi_path_remove_directory(ROOT, "."));
    report("rmdir_parent", __wasi_path_remove_directory(ROOT, ".."));
    report("times_out", __wasi_path_filestat_set_times(ROOT, FOLLOW, "rel_out", 5, 5,
                                                       __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));
    report("readlink_out", __wasi_path_readlink(ROOT, "../x", (uint8_t *)buf, sizeof buf, &n));
    report("symlink_at_out", __wasi_path_symlink("inside.txt", ROOT, "../planted"));

    // A directory descriptor whose path is swapped for a link out after opening.
    __wasi_fd_t sub;
    report("open_sub", __wasi_path_open(ROOT, 0, "sub", __WASI_OFLAGS_DIRECTORY, R_ALL, R_ALL, 0, &sub));
    report("rename_sub", __wasi_path_rename(ROOT, "sub", ROOT, "sub2"));
    report("replace_sub", __wasi_path_symlink("..", ROOT, "sub"));
    try_read("swapped", sub, "secret.txt", 0);
    try_write("swapped_create", sub, "swapped.txt", __WASI_OFLAGS_CREAT);
    try_read("swapped_dotdot", sub, "../secret.txt", 0);

    // Bad guest pointers are EFAULT, not a crash.
    __wasi_ciovec_t bad = {(const uint8_t *)0xfffffff0, 100};
    report("fault_iov", __wasi_fd_write(1, &bad, 1, &n));
    report("fault_iovs", __wasi_fd_write(1, (const __wasi_ciovec_t *)0xfffffffc, 2, &n));
    report("fault_out", __wasi_fd_fdstat_get(1, (__wasi_fdstat_t *)0xfffffff0));
    report("fault_path", raw_path_open(ROOT, 0, 0xfffffff0, 100, 0, R_ALL, R_ALL, 0, (int32_t)&tmp));
    report("fault_path_out", raw_path_open(ROOT, 0, (int32_t)"inside.txt", 10, 0, R_ALL, R_ALL, 0, 0x7ffffff0));
    report("bad_fd", __wasi_fd_close(1234));
    report("not_dir_fd", __wasi_path_open(1, 0, "x", 0, R_ALL, R_ALL, 0, &tmp));
    printf("done\n");
    return 0;
}
