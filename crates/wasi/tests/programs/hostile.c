// hostile: tries to leave its preopened directories every way it can, through wasi-libc and
// through raw WASI calls (so libc's own path handling cannot hide a host bug). Every attempt
// must FAIL. One line per attempt: "refused WHAT: strerror" or "ESCAPED WHAT ...". Exits 0
// only if every attempt was refused and the positive controls worked.
//
// Usage: hostile ROOT, where ROOT is the host path of the test's tree (for absolute symlinks).
// Expects (planted by the test harness on the host):
//   /data (read-write)   = ROOT/sandbox, holding file.txt ("inside\n"), sub/, sub/link_up2
//                           and the symlinks link_* listed in main() below
//   /ro   (read-only)    = ROOT/ro, holding file.txt ("read only\n"), dir/inner.txt, emptydir/
//   /empty                = ROOT/empty, an empty directory
//   ROOT/outside/secret.txt, ROOT/outside/dir/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <wasi/api.h>

static int refused, escaped, broken;

static void report(const char *what, int failed, int err, const char *detail) {
    if (failed) {
        printf("refused %s: %s\n", what, strerror(err));
        refused++;
    } else {
        printf("ESCAPED %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
        escaped++;
    }
}

// A positive control: something the sandbox must allow.
static void control(const char *what, int ok) {
    if (ok) {
        printf("allowed %s\n", what);
    } else {
        printf("BROKEN %s: %s\n", what, strerror(errno));
        broken++;
    }
}

// An int-returning libc call that must fail (-1).
#define MUST_FAIL(what, expr)                                                                    \
    do {                                                                                         \
        errno = 0;                                                                               \
        int r_ = (expr);                                                                         \
        report(what, r_ == -1, errno, NULL);                                                     \
    } while (0)

static void try_open(const char *what, const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    int err = errno;
    char detail[128] = "";
    if (fd >= 0) {
        char buf[64] = {0};
        ssize_t n = read(fd, buf, sizeof buf - 1);
        snprintf(detail, sizeof detail, "opened fd %d, read %zd bytes: %s", fd, n, n > 0 ? buf : "");
        for (char *c = detail; *c; c++)
            if (*c == '\n')
                *c = ' ';
        close(fd);
    }
    report(what, fd < 0, err, detail);
}

static void try_stat(const char *what, const char *path) {
    struct stat st;
    errno = 0;
    int r = stat(path, &st);
    char detail[96];
    snprintf(detail, sizeof detail, "size %lld, mode %o", (long long)st.st_size, (unsigned)st.st_mode);
    report(what, r != 0, errno, detail);
}

static void try_opendir(const char *what, const char *path) {
    errno = 0;
    DIR *d = opendir(path);
    int err = errno;
    char detail[256] = "listed:";
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL && strlen(detail) < 200) {
            strcat(detail, " ");
            strcat(detail, e->d_name);
        }
        closedir(d);
    }
    report(what, d == NULL, err, detail);
}

static void try_chdir(const char *what, const char *path) {
    errno = 0;
    int r = chdir(path);
    int err = errno;
    report(what, r != 0, err, NULL);
    if (r == 0)
        chdir("/data");
}

// WASI rights: everything, so only the sandbox (not a missing right) can refuse.
#define ALL_RIGHTS ((__wasi_rights_t)0x1FFFFFFF)
// Directories are opened with read rights only: write rights on a directory fail early (EISDIR)
// without ever resolving the path.
#define DIR_RIGHTS ((__wasi_rights_t)(__WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN))
#define READ_RIGHTS ((__wasi_rights_t)(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL))

static void raw_open(const char *what, __wasi_fd_t dir, __wasi_lookupflags_t lookup, const char *path,
                     __wasi_oflags_t oflags, __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, lookup, path, oflags, rights, ALL_RIGHTS, fdflags, &fd);
    char detail[96] = "";
    if (e == 0) {
        snprintf(detail, sizeof detail, "path_open returned fd %u", fd);
        __wasi_errno_t ignored = __wasi_fd_close(fd);
        (void)ignored;
    }
    report(what, e != 0, e, detail);
}

static void raw_stat(const char *what, __wasi_fd_t dir, const char *path) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, &st);
    report(what, e != 0, e, NULL);
}

// lstat: the last component is not followed, but every one before it still must not lead out.
// (Answering with the planted symlink itself leaks nothing: only a stat of what lies beyond
// it counts as an escape; descriptors.c checks the POSIX answer inside the sandbox.)
static void raw_lstat(const char *what, __wasi_fd_t dir, const char *path) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, 0, path, &st);
    if (e == 0 && st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK) {
        printf("note: %s gave the symlink itself\n", what);
        return;
    }
    char detail[64];
    snprintf(detail, sizeof detail, "filetype %u, inode %llu", st.filetype, (unsigned long long)st.ino);
    report(what, e != 0, e, detail);
}

// The descriptor of the preopen named `name`, found the way wasi-libc finds them.
static __wasi_fd_t preopen(const char *name) {
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_prestat_t ps;
        if (__wasi_fd_prestat_get(fd, &ps) != 0)
            continue;
        char buf[64] = {0};
        if (ps.u.dir.pr_name_len >= sizeof buf)
            continue;
        if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, ps.u.dir.pr_name_len) != 0)
            continue;
        if (strcmp(buf, name) == 0)
            return fd;
    }
    printf("BROKEN no preopen named %s\n", name);
    exit(2);
}

// Planted symlinks (and paths through them) that lead out of the sandbox into ROOT: every
// access must fail, including writes, which are safe to try because a wrong answer can only
// touch the test's own temporary tree.
static const char *const planted_files[] = {
    "/data/link_abs_file",                    // -> ROOT/outside/secret.txt
    "/data/link_rel_file",                    // -> ../outside/secret.txt
    "/data/link_abs_dir/secret.txt",          // link_abs_dir -> ROOT/outside
    "/data/link_rel_dir/secret.txt",          // link_rel_dir -> ../outside
    "/data/sub/link_up2",                     // -> ../../outside/secret.txt
    "/data/link_chain",                       // -> link_rel_file
    "/data/link_parent/outside/secret.txt",   // link_parent -> ..
    "/data/link_parent/sandbox/file.txt",     // out through the parent and back in
    "/data/link_rel_dir/../sandbox/file.txt", // ditto through a planted directory link
};

// Planted symlinks into the host's real system directories: only ever read, never written.
static const char *const planted_system[] = {
    "/data/link_etc",             // -> /etc/passwd
    "/data/link_root/etc/passwd", // link_root -> /
};

static void escapes_by_path(__wasi_fd_t data) {
    try_open("open ../outside/secret.txt (relative to the cwd /data)", "../outside/secret.txt", O_RDONLY);
    try_open("open /etc/passwd", "/etc/passwd", O_RDONLY);
    try_open("open /data/../../etc/passwd", "/data/../../etc/passwd", O_RDONLY);
    try_open("open /data/../outside/secret.txt", "/data/../outside/secret.txt", O_RDONLY);
    try_open("open /data/sub/../../outside/secret.txt", "/data/sub/../../outside/secret.txt", O_RDONLY);
    try_open("open /data/./../outside/secret.txt", "/data/./../outside/secret.txt", O_RDONLY);
    try_open("open the preopen's parent /data/..", "/data/..", O_RDONLY | O_DIRECTORY);
    try_open("open /data/sub/../..", "/data/sub/../..", O_RDONLY | O_DIRECTORY);
    try_opendir("opendir /data/..", "/data/..");
    try_stat("stat /data/../outside/secret.txt", "/data/../outside/secret.txt");
    try_stat("stat /data/..", "/data/..");
    try_chdir("chdir /data/..", "/data/..");
    try_open("create /data/../created.txt", "/data/../created.txt", O_WRONLY | O_CREAT);
    try_open("truncate /data/../outside/secret.txt", "/data/../outside/secret.txt", O_WRONLY | O_TRUNC);

    raw_open("path_open ../outside/secret.txt", data, 0, "../outside/secret.txt", 0, ALL_RIGHTS, 0);
    raw_open("path_open ..", data, 0, "..", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
    raw_open("path_open ../sandbox (out and back in)", data, 0, "../sandbox", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
    raw_open("path_open sub/../../outside/secret.txt", data, 0, "sub/../../outside/secret.txt", 0, ALL_RIGHTS, 0);
    raw_open("path_open absolute /etc/passwd", data, 0, "/etc/passwd", 0, ALL_RIGHTS, 0);
    raw_open("path_open absolute //etc/passwd", data, 0, "//etc/passwd", 0, ALL_RIGHTS, 0);
    raw_open("path_open absolute /", data, 0, "/", __WASI_OFLAGS_DIRECTORY, DIR_RIGHTS, 0);
    raw_open("path_open ../outside/secret.txt read-only", data, 0, "../outside/secret.txt", 0, READ_RIGHTS, 0);
    raw_open("path_open absolute /data/file.txt", data, 0, "/data/file.txt", 0, ALL_RIGHTS, 0);
    raw_open("path_open create ../created_raw.txt", data, 0, "../created_raw.txt", __WASI_OFLAGS_CREAT,
             ALL_RIGHTS, 0);
    raw_stat("path_filestat_get ../outside/secret.txt", data, "../outside/secret.txt");
    raw_stat("path_filestat_get ..", data, "..");
    raw_stat("path_filestat_get /etc/passwd", data, "/etc/passwd");

    __wasi_errno_t e = __wasi_path_create_directory(data, "../newdir_raw");
    report("path_create_directory ../newdir_raw", e != 0, e, NULL);

    // A directory descriptor inside the sandbox must not reach past it either.
    int sub = open("/data/sub", O_RDONLY | O_DIRECTORY);
    control("open /data/sub as a directory", sub >= 0);
    if (sub >= 0) {
        // A directory descriptor is a capability of its own: not even ".." back into the
        // preopen is allowed from it.
        errno = 0;
        int fd = openat(sub, "..", O_RDONLY | O_DIRECTORY);
        report("openat(sub, \"..\")", fd < 0, errno, NULL);
        if (fd >= 0) {
            errno = 0;
            int up = openat(fd, "..", O_RDONLY | O_DIRECTORY);
            report("openat(openat(sub, \"..\"), \"..\")", up < 0, errno, "opened the sandbox's parent");
            if (up >= 0)
                close(up);
            close(fd);
        }
        errno = 0;
        fd = openat(sub, "../..", O_RDONLY | O_DIRECTORY);
        report("openat(sub, \"../..\")", fd < 0, errno, NULL);
        if (fd >= 0)
            close(fd);
        errno = 0;
        fd = openat(sub, "../../outside/secret.txt", O_RDONLY);
        report("openat(sub, \"../../outside/secret.txt\")", fd < 0, errno, NULL);
        if (fd >= 0)
            close(fd);
        close(sub);
    }
}

static void escapes_by_symlink(__wasi_fd_t data) {
    char what[160];
    for (size_t i = 0; i < sizeof planted_files / sizeof planted_files[0]; i++) {
        const char *path = planted_files[i];
        snprintf(what, sizeof what, "open %s", path);
        try_open(what, path, O_RDONLY);
        snprintf(what, sizeof what, "stat %s", path);
        try_stat(what, path);
        snprintf(what, sizeof what, "write %s", path);
        try_open(what, path, O_WRONLY | O_APPEND);
        snprintf(what, sizeof what, "truncate %s", path);
        MUST_FAIL(what, truncate(path, 0));
        snprintf(what, sizeof what, "utimes %s", path);
        struct timeval tv[2] = {{1, 0}, {1, 0}};
        MUST_FAIL(what, utimes(path, tv));
    }
    for (size_t i = 0; i < sizeof planted_system / sizeof planted_system[0]; i++) {
        const char *path = planted_system[i];
        snprintf(what, sizeof what, "open %s", path);
        try_open(what, path, O_RDONLY);
        snprintf(what, sizeof what, "stat %s", path);
        try_stat(what, path);
    }
    try_opendir("opendir /data/link_abs_dir", "/data/link_abs_dir");
    try_opendir("opendir /data/link_rel_dir", "/data/link_rel_dir");
    try_opendir("opendir /data/link_root", "/data/link_root");
    try_opendir("opendir /data/link_parent", "/data/link_parent");
    try_chdir("chdir /data/link_rel_dir", "/data/link_rel_dir");
    MUST_FAIL("mkdir /data/link_rel_dir/newdir", mkdir("/data/link_rel_dir/newdir", 0755));
    MUST_FAIL("mkdir /data/link_abs_dir/newdir", mkdir("/data/link_abs_dir/newdir", 0755));
    MUST_FAIL("mkdir through dangling /data/link_dangling_dir", mkdir("/data/link_dangling_dir", 0755));
    try_open("create /data/link_rel_dir/created.txt", "/data/link_rel_dir/created.txt", O_WRONLY | O_CREAT);
    try_open("create through dangling link_dangling_rel", "/data/link_dangling_rel", O_WRONLY | O_CREAT);
    try_open("create through dangling link_dangling_abs", "/data/link_dangling_abs", O_WRONLY | O_CREAT);
    raw_open("path_open CREAT|follow through link_dangling_rel", data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
             "link_dangling_rel", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
    raw_open("path_open follow link_rel_file", data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_rel_file", 0,
             ALL_RIGHTS, 0);
    raw_open("path_open follow link_abs_file", data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_abs_file", 0,
             ALL_RIGHTS, 0);
    raw_lstat("path_filestat_get (no follow) link_rel_dir/secret.txt", data, "link_rel_dir/secret.txt");
    raw_lstat("path_filestat_get (no follow) link_abs_dir/secret.txt", data, "link_abs_dir/secret.txt");
    raw_lstat("path_filestat_get (no follow) link_parent/outside", data, "link_parent/outside");
    raw_lstat("path_filestat_get (no follow) link_parent/.", data, "link_parent/.");
    raw_lstat("path_filestat_get (no follow) link_rel_dir/..", data, "link_rel_dir/..");
    raw_open("path_open link_rel_dir/secret.txt without follow", data, 0, "link_rel_dir/secret.txt", 0,
             ALL_RIGHTS, 0);
    MUST_FAIL("unlink /data/link_rel_dir/secret.txt", unlink("/data/link_rel_dir/secret.txt"));
    MUST_FAIL("rmdir /data/link_rel_dir/dir", rmdir("/data/link_rel_dir/dir"));
    MUST_FAIL("rename /data/link_rel_dir/secret.txt in", rename("/data/link_rel_dir/secret.txt", "/data/stolen.txt"));
    MUST_FAIL("link /data/link_rel_dir/secret.txt in", link("/data/link_rel_dir/secret.txt", "/data/stolen.txt"));
    __wasi_errno_t e = __wasi_path_link(data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_abs_file", data,
                                        "stolen_follow.txt");
    report("path_link SYMLINK_FOLLOW of link_abs_file", e != 0, e, NULL);
    e = __wasi_path_link(data, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_rel_file", data, "stolen_follow2.txt");
    report("path_link SYMLINK_FOLLOW of link_rel_file", e != 0, e, NULL);
}

static void escapes_by_new_names(const char *host_root) {
    MUST_FAIL("rename /data/file.txt to /data/../escaped", rename("/data/file.txt", "/data/../escaped"));
    MUST_FAIL("rename /data/file.txt to /data/sub/../../escaped", rename("/data/file.txt", "/data/sub/../../escaped"));
    MUST_FAIL("rename /data/file.txt into link_rel_dir", rename("/data/file.txt", "/data/link_rel_dir/escaped"));
    MUST_FAIL("rename /data/../outside/secret.txt in", rename("/data/../outside/secret.txt", "/data/stolen.txt"));
    MUST_FAIL("link /data/file.txt to /data/../escaped", link("/data/file.txt", "/data/../escaped"));
    MUST_FAIL("link /data/../outside/secret.txt in", link("/data/../outside/secret.txt", "/data/stolen.txt"));
    MUST_FAIL("mkdir /data/../newdir", mkdir("/data/../newdir", 0755));
    MUST_FAIL("mkdir ../newdir", mkdir("../newdir", 0755));
    MUST_FAIL("unlink /data/../outside/secret.txt", unlink("/data/../outside/secret.txt"));
    MUST_FAIL("rmdir /data/../outside/dir", rmdir("/data/../outside/dir"));
    MUST_FAIL("rmdir /data/.. ", rmdir("/data/.."));
    MUST_FAIL("symlink at /data/../escaped_link", symlink("x", "/data/../escaped_link"));

    // A symlink the guest makes itself, pointing out: making it is harmless (its target is
    // only ever resolved inside the sandbox), using it must fail.
    static char abs_target[512];
    snprintf(abs_target, sizeof abs_target, "%s/outside/secret.txt", host_root);
    const char *targets[][2] = {
        {"../outside/secret.txt", "/data/my_rel"},
        {"sub/../../outside/secret.txt", "/data/my_rel2"},
        {abs_target, "/data/my_abs"},
        {"..", "/data/my_parent"},
    };
    char what[160];
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        errno = 0;
        int r = symlink(targets[i][0], targets[i][1]);
        printf("note: symlink %s -> %s: %s\n", targets[i][1], targets[i][0], r == 0 ? "created" : strerror(errno));
        snprintf(what, sizeof what, "open own symlink %s -> %s", targets[i][1], targets[i][0]);
        try_open(what, targets[i][1], O_RDONLY);
        snprintf(what, sizeof what, "write own symlink %s -> %s", targets[i][1], targets[i][0]);
        try_open(what, targets[i][1], O_WRONLY | O_TRUNC);
        snprintf(what, sizeof what, "stat own symlink %s -> %s", targets[i][1], targets[i][0]);
        try_stat(what, targets[i][1]);
    }
    errno = 0;
    int r = symlink("/etc/passwd", "/data/my_etc");
    printf("note: symlink /data/my_etc -> /etc/passwd: %s\n", r == 0 ? "created" : strerror(errno));
    try_open("open own symlink /data/my_etc -> /etc/passwd", "/data/my_etc", O_RDONLY);
    try_opendir("opendir own symlink /data/my_parent", "/data/my_parent");
    MUST_FAIL("mkdir /data/my_parent/newdir", mkdir("/data/my_parent/newdir", 0755));
}

// The preopened directory itself, named from inside it, can be neither removed nor moved.
static void the_preopen_itself(__wasi_fd_t empty, __wasi_fd_t data) {
    const char *names[] = {".", "./", "./.", ".//", "..", "", "/"};
    char what[128];
    __wasi_errno_t e;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        e = __wasi_path_remove_directory(empty, names[i]);
        snprintf(what, sizeof what, "path_remove_directory(/empty, \"%s\")", names[i]);
        report(what, e != 0, e, NULL);
        e = __wasi_path_rename(empty, names[i], data, "moved_preopen");
        snprintf(what, sizeof what, "path_rename(/empty, \"%s\") into /data", names[i]);
        report(what, e != 0, e, NULL);
        e = __wasi_path_unlink_file(empty, names[i]);
        snprintf(what, sizeof what, "path_unlink_file(/empty, \"%s\")", names[i]);
        report(what, e != 0, e, NULL);
    }
    e = __wasi_path_rename(data, "file.txt", empty, ".");
    report("path_rename a file over /empty itself", e != 0, e, NULL);
    e = __wasi_path_symlink("x", empty, ".");
    report("path_symlink at /empty itself", e != 0, e, NULL);
    e = __wasi_path_link(empty, 0, ".", data, "dir_hard_link");
    report("path_link of the /empty directory", e != 0, e, NULL);
    e = __wasi_path_filestat_set_times(empty, 0, "..", 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
    report("path_filestat_set_times(/empty, \"..\")", e != 0, e, NULL);
}

static void invalid_utf8(__wasi_fd_t data) {
    try_open("create a file named with invalid UTF-8 (\\xff\\xfe)", "/data/\xff\xfe.txt", O_WRONLY | O_CREAT);
    try_open("create a file named with a lone continuation byte", "/data/\x80", O_WRONLY | O_CREAT);
    try_open("create a file named with a truncated sequence (\\xc3)", "/data/a\xc3", O_WRONLY | O_CREAT);
    try_open("create a file named with an overlong '/' (\\xc0\\xaf)", "/data/\xc0\xaf", O_WRONLY | O_CREAT);
    try_open("open ..\\xc0\\xaf..\\xc0\\xafetc (overlong slashes)", "/data/..\xc0\xaf..\xc0\xaf" "etc", O_RDONLY);
    try_open("create a file named with a UTF-16 surrogate (\\xed\\xa0\\x80)", "/data/\xed\xa0\x80", O_WRONLY | O_CREAT);
    MUST_FAIL("mkdir a directory named with invalid UTF-8", mkdir("/data/\xfe\xff", 0755));
    raw_open("path_open invalid UTF-8", data, 0, "\xff", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
    MUST_FAIL("symlink with an invalid UTF-8 target", symlink("\xff", "/data/badtarget"));
    MUST_FAIL("rename to an invalid UTF-8 name", rename("/data/file.txt", "/data/\xff"));
}

static void read_only(__wasi_fd_t ro, __wasi_fd_t data) {
    char buf[32] = {0};
    int fd = open("/ro/file.txt", O_RDONLY);
    control("open /ro/file.txt for reading", fd >= 0);
    if (fd >= 0) {
        control("read /ro/file.txt", read(fd, buf, sizeof buf) == 10 && memcmp(buf, "read only\n", 10) == 0);
        MUST_FAIL("write to a descriptor opened from /ro", (int)write(fd, "x", 1));
        MUST_FAIL("pwrite to a descriptor opened from /ro", (int)pwrite(fd, "x", 1, 0));
        MUST_FAIL("ftruncate a descriptor opened from /ro", ftruncate(fd, 0));
        struct timespec ts[2] = {{1, 0}, {1, 0}};
        MUST_FAIL("futimens a descriptor opened from /ro", futimens(fd, ts));
        int r = posix_fallocate(fd, 0, 100); // returns the error instead of setting errno
        report("posix_fallocate a descriptor opened from /ro", r != 0, r, NULL);
        close(fd);
    }
    try_open("create /ro/new.txt", "/ro/new.txt", O_WRONLY | O_CREAT);
    try_open("create /ro/new.txt read-only (O_RDONLY|O_CREAT)", "/ro/new.txt", O_RDONLY | O_CREAT);
    try_open("open /ro/file.txt O_WRONLY", "/ro/file.txt", O_WRONLY);
    try_open("open /ro/file.txt O_RDWR", "/ro/file.txt", O_RDWR);
    try_open("open /ro/file.txt O_WRONLY|O_APPEND", "/ro/file.txt", O_WRONLY | O_APPEND);
    try_open("open /ro/file.txt O_WRONLY|O_TRUNC", "/ro/file.txt", O_WRONLY | O_TRUNC);
    try_open("create /ro/dir/new.txt", "/ro/dir/new.txt", O_WRONLY | O_CREAT);
    raw_open("path_open /ro file.txt TRUNC with read rights only", ro, 0, "file.txt", __WASI_OFLAGS_TRUNC,
             READ_RIGHTS, 0);
    raw_open("path_open /ro new.txt CREAT with read rights only", ro, 0, "new.txt", __WASI_OFLAGS_CREAT,
             READ_RIGHTS, 0);
    raw_open("path_open /ro file.txt with APPEND fdflag and read rights", ro, 0, "file.txt", 0, READ_RIGHTS,
             __WASI_FDFLAGS_APPEND);
    MUST_FAIL("truncate /ro/file.txt", truncate("/ro/file.txt", 0));
    MUST_FAIL("unlink /ro/file.txt", unlink("/ro/file.txt"));
    MUST_FAIL("unlink /ro/dir/inner.txt", unlink("/ro/dir/inner.txt"));
    MUST_FAIL("rename /ro/file.txt /ro/renamed.txt", rename("/ro/file.txt", "/ro/renamed.txt"));
    MUST_FAIL("rename /ro/file.txt out to /data/moved.txt", rename("/ro/file.txt", "/data/moved.txt"));
    MUST_FAIL("rename /ro/dir out to /data/moved_dir", rename("/ro/dir", "/data/moved_dir"));
    MUST_FAIL("rename /data/file.txt in to /ro/in.txt", rename("/data/file.txt", "/ro/in.txt"));
    MUST_FAIL("rename /data/file.txt over /ro/file.txt", rename("/data/file.txt", "/ro/file.txt"));
    MUST_FAIL("link /ro/file.txt into /data (a writable name for it)", link("/ro/file.txt", "/data/hl.txt"));
    MUST_FAIL("link /data/file.txt into /ro", link("/data/file.txt", "/ro/hl.txt"));
    MUST_FAIL("link /ro/file.txt /ro/hl.txt", link("/ro/file.txt", "/ro/hl.txt"));
    MUST_FAIL("symlink in /ro", symlink("file.txt", "/ro/sl"));
    MUST_FAIL("mkdir /ro/newdir", mkdir("/ro/newdir", 0755));
    MUST_FAIL("mkdir /ro/dir/newdir", mkdir("/ro/dir/newdir", 0755));
    MUST_FAIL("rmdir /ro/emptydir", rmdir("/ro/emptydir"));
    struct timeval tv[2] = {{1, 0}, {1, 0}};
    MUST_FAIL("utimes /ro/file.txt", utimes("/ro/file.txt", tv));
    MUST_FAIL("utimes /ro/dir", utimes("/ro/dir", tv));
    MUST_FAIL("utimes /ro/dir/inner.txt", utimes("/ro/dir/inner.txt", tv));
    __wasi_errno_t e = __wasi_path_filestat_set_times(ro, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "file.txt", 0, 0,
                                                      __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
    report("path_filestat_set_times(NOW) /ro file.txt", e != 0, e, NULL);

    // Descriptors derived from the read-only preopen stay read-only.
    int dir = open("/ro/dir", O_RDONLY | O_DIRECTORY);
    control("open /ro/dir as a directory", dir >= 0);
    if (dir >= 0) {
        errno = 0;
        int f = openat(dir, "inner.txt", O_WRONLY);
        report("openat(/ro/dir, inner.txt, O_WRONLY)", f < 0, errno, NULL);
        if (f >= 0)
            close(f);
        errno = 0;
        f = openat(dir, "created.txt", O_WRONLY | O_CREAT, 0644);
        report("openat(/ro/dir, created.txt, O_CREAT)", f < 0, errno, NULL);
        if (f >= 0)
            close(f);
        MUST_FAIL("mkdirat(/ro/dir, sub)", mkdirat(dir, "sub", 0755));
        MUST_FAIL("unlinkat(/ro/dir, inner.txt)", unlinkat(dir, "inner.txt", 0));
        close(dir);
    }
    (void)data;
}

// WASI rights: a descriptor never holds more than it asked for or was narrowed to, and rights
// once given up are not regained. Runs in /data/sub (its files are the guest's own).
static void rights(void) {
    int made = open("/data/sub/rights.txt", O_RDWR | O_CREAT, 0644);
    if (made < 0) {
        printf("note: rights checks skipped: cannot create /data/sub/rights.txt: %s\n", strerror(errno));
        return;
    }
    control("write 4 bytes to /data/sub/rights.txt", write(made, "keep", 4) == 4);
    close(made);
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    __wasi_errno_t e;

    // A file narrowed to reading.
    int fd = open("/data/sub/rights.txt", O_RDWR);
    control("open /data/sub/rights.txt read-write", fd >= 0);
    control("narrow it to read rights", __wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, READ_RIGHTS, 0) == 0);
    e = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n);
    report("fd_write after narrowing to read rights", e != 0, e, NULL);
    e = __wasi_fd_pwrite((__wasi_fd_t)fd, &iov, 1, 0, &n);
    report("fd_pwrite after narrowing to read rights", e != 0, e, NULL);
    e = __wasi_fd_filestat_set_size((__wasi_fd_t)fd, 100);
    report("fd_filestat_set_size after narrowing to read rights", e != 0, e, NULL);
    e = __wasi_fd_filestat_set_times((__wasi_fd_t)fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
    report("fd_filestat_set_times after narrowing to read rights", e != 0, e, NULL);
    e = __wasi_fd_fdstat_set_rights((__wasi_fd_t)fd, ALL_RIGHTS, ALL_RIGHTS);
    report("fd_fdstat_set_rights to regain all rights", e != 0, e, NULL);
    e = __wasi_fd_write((__wasi_fd_t)fd, &iov, 1, &n);
    report("fd_write after trying to regain rights", e != 0, e, NULL);
    close(fd);

    // A directory narrowed to lookups, handing out read rights only.
    int dir = open("/data/sub", O_RDONLY | O_DIRECTORY);
    control("open /data/sub as a directory", dir >= 0);
    __wasi_rights_t lookup = __WASI_RIGHTS_PATH_OPEN | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_FILESTAT_GET;
    control("narrow it to lookups", __wasi_fd_fdstat_set_rights((__wasi_fd_t)dir, lookup, READ_RIGHTS) == 0);
    __wasi_fd_t f = (__wasi_fd_t)-1;
    e = __wasi_path_open((__wasi_fd_t)dir, 0, "created.txt", __WASI_OFLAGS_CREAT, READ_RIGHTS, 0, 0, &f);
    report("path_open CREAT without PATH_CREATE_FILE", e != 0, e, NULL);
    e = __wasi_path_open((__wasi_fd_t)dir, 0, "rights.txt", 0, ALL_RIGHTS, ALL_RIGHTS, 0, &f);
    if (e == 0) {
        e = __wasi_fd_write(f, &iov, 1, &n);
        report("fd_write to a file opened where only read rights are inherited", e != 0, e, NULL);
        __wasi_errno_t ignored = __wasi_fd_close(f);
        (void)ignored;
    } else {
        report("path_open for writing where only read rights are inherited", 1, e, NULL);
    }
    // Truncating is writing: not with only read rights to hand out.
    f = (__wasi_fd_t)-1;
    e = __wasi_path_open((__wasi_fd_t)dir, 0, "rights.txt", __WASI_OFLAGS_TRUNC, READ_RIGHTS, 0, 0, &f);
    struct stat kept;
    int intact = stat("/data/sub/rights.txt", &kept) == 0 && kept.st_size == 4;
    report("path_open TRUNC where only read rights are inherited", e != 0 && intact, e,
           intact ? "the open succeeded" : "rights.txt was truncated");
    if (e == 0) {
        __wasi_errno_t ignored = __wasi_fd_close(f);
        (void)ignored;
    }
    e = __wasi_path_create_directory((__wasi_fd_t)dir, "newdir");
    report("path_create_directory without PATH_CREATE_DIRECTORY", e != 0, e, NULL);
    e = __wasi_path_unlink_file((__wasi_fd_t)dir, "rights.txt");
    report("path_unlink_file without PATH_UNLINK_FILE", e != 0, e, NULL);
    e = __wasi_path_rename((__wasi_fd_t)dir, "rights.txt", (__wasi_fd_t)dir, "renamed.txt");
    report("path_rename without PATH_RENAME_SOURCE", e != 0, e, NULL);
    e = __wasi_path_symlink("rights.txt", (__wasi_fd_t)dir, "sl");
    report("path_symlink without PATH_SYMLINK", e != 0, e, NULL);
    e = __wasi_path_filestat_set_times((__wasi_fd_t)dir, 0, "rights.txt", 0, 0, __WASI_FSTFLAGS_MTIM_NOW);
    report("path_filestat_set_times without PATH_FILESTAT_SET_TIMES", e != 0, e, NULL);
    e = __wasi_fd_fdstat_set_rights((__wasi_fd_t)dir, ALL_RIGHTS, ALL_RIGHTS);
    report("fd_fdstat_set_rights to regain a directory's rights", e != 0, e, NULL);
    close(dir);

    // A directory opened asking for no creation rights must not get them.
    f = (__wasi_fd_t)-1;
    __wasi_fd_t data = preopen("/data");
    e = __wasi_path_open(data, 0, "sub", __WASI_OFLAGS_DIRECTORY, lookup, READ_RIGHTS, 0, &f);
    control("path_open /data/sub asking for lookup rights only", e == 0);
    if (e == 0) {
        __wasi_fd_t g = (__wasi_fd_t)-1;
        e = __wasi_path_open(f, 0, "created2.txt", __WASI_OFLAGS_CREAT, READ_RIGHTS, 0, 0, &g);
        report("path_open CREAT in a directory opened without PATH_CREATE_FILE", e != 0, e, NULL);
        e = __wasi_path_create_directory(f, "newdir");
        report("path_create_directory in a directory opened without it", e != 0, e, NULL);
        __wasi_errno_t ignored = __wasi_fd_close(f);
        (void)ignored;
    }
}

int main(int argc, char **argv) {
    if (argc != 2) {
        printf("usage: hostile HOST_ROOT (the host path of the directory holding sandbox/)\n");
        return 2;
    }
    __wasi_fd_t data = preopen("/data");
    __wasi_fd_t ro = preopen("/ro");
    __wasi_fd_t empty = preopen("/empty");
    // Relative paths below then resolve against /data, so they reach the host.
    control("chdir /data", chdir("/data") == 0);
    int fd = open("/data/file.txt", O_RDONLY);
    control("open /data/file.txt", fd >= 0);
    if (fd >= 0)
        close(fd);

    escapes_by_path(data);
    escapes_by_symlink(data);
    escapes_by_new_names(argv[1]);
    the_preopen_itself(empty, data);
    invalid_utf8(data);
    read_only(ro, data);
    rights();

    // Robustness, not an escape: listing the sandbox (the harness planted a name that is not
    // UTF-8 there) must not crash the host, whatever it reports.
    DIR *d = opendir("/data");
    control("opendir /data", d != NULL);
    if (d) {
        int n = 0;
        errno = 0;
        while (readdir(d) != NULL)
            n++;
        printf("note: readdir /data gave %d entries, errno %d (%s)\n", n, errno, strerror(errno));
        closedir(d);
    }

    printf("%d refused, %d escaped, %d broken\n", refused, escaped, broken);
    return escaped || broken ? 1 : 0;
}
