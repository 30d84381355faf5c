// path_open through raw __wasi_path_open calls: oflags (0, CREAT, CREAT|EXCL, EXCL, TRUNC,
// CREAT|TRUNC, DIRECTORY and DIRECTORY with CREAT, EXCL or TRUNC) on every kind of target in /data
// (missing names, files, directories, symlinks of every sort, trailing slashes, ".", "..",
// absolute paths, "", too-long names), with and without SYMLINK_FOLLOW, with several rights and
// fdflags, beneath the read-only preopen, beneath a directory opened from /data, and with
// descriptors that are no directory (a file, stdin, a closed one, one never opened).
//
// Every successful open prints the new descriptor's number, its type and fs_flags (fd_fdstat_get)
// and, for a regular file, its size (fd_filestat_get), and is closed at once, so that descriptor
// numbers stay the same from case to case. Cases that create use a fresh name each (new_NNN).
// After each case in /data, the files that opens could truncate (file.txt, empty.txt,
// dir/inner.txt) and the name "missing" (what `dangling` points at) are checked: a line is
// printed, and the fixture restored, only if a case changed them.
// Runs with /data (read-write) and /ro (read-only) preopened as fds 3 and 4.
#include "diff.h"

#define RT(x) ((__wasi_rights_t)__WASI_RIGHTS_##x)
#define RR_READ                                                                                    \
    (RT(FD_READ) | RT(FD_SEEK) | RT(FD_TELL) | RT(FD_FILESTAT_GET) | RT(FD_READDIR) |              \
     RT(FD_ADVISE) | RT(FD_FDSTAT_SET_FLAGS))
#define RR_WRITE                                                                                   \
    (RT(FD_WRITE) | RT(FD_SEEK) | RT(FD_TELL) | RT(FD_FILESTAT_GET) | RT(FD_DATASYNC) |            \
     RT(FD_SYNC) | RT(FD_ALLOCATE) | RT(FD_FILESTAT_SET_SIZE) | RT(FD_FDSTAT_SET_FLAGS))
#define RR_RW (RR_READ | RR_WRITE)

#define C __WASI_OFLAGS_CREAT
#define D __WASI_OFLAGS_DIRECTORY
#define E __WASI_OFLAGS_EXCL
#define T __WASI_OFLAGS_TRUNC
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

enum { O0, OC, OCE, OE, OT, OCT, OD, ODC, ODE, ODT, NOF };
static const __wasi_oflags_t OFL[NOF] = {0, C, C | E, E, T, C | T, D, D | C, D | E, D | T};
static const char *const OFN[NOF] = {"0",         "CREAT",           "CREAT|EXCL",
                                     "EXCL",      "TRUNC",           "CREAT|TRUNC",
                                     "DIRECTORY", "DIRECTORY|CREAT", "DIRECTORY|EXCL",
                                     "DIRECTORY|TRUNC"};
#define M(x) (1u << (x))
#define ALL 0x3ffu
#define NO_TRUNC (ALL & ~(M(OT) | M(OCT) | M(ODT)))

static const __wasi_fdflags_t FDF[] = {0,
                                       __WASI_FDFLAGS_APPEND,
                                       __WASI_FDFLAGS_NONBLOCK,
                                       __WASI_FDFLAGS_DSYNC,
                                       __WASI_FDFLAGS_SYNC,
                                       __WASI_FDFLAGS_RSYNC};
static const char *const FDN[] = {"0", "APPEND", "NONBLOCK", "DSYNC", "SYNC", "RSYNC"};

static const char *fdflags_name(__wasi_fdflags_t f) {
    for (unsigned i = 0; i < sizeof FDF / sizeof FDF[0]; i++)
        if (FDF[i] == f)
            return FDN[i];
    return "?";
}

static char casekey[400];
static char longname[301];
static int seq;

// Rights the preopens and the directory descriptor report.
static __wasi_rights_t b3, i3, b4, i4, b5, i5;

static const char *fresh(void) {
    static char name[16];
    snprintf(name, sizeof name, "new_%03d", ++seq);
    return name;
}

// What the new descriptor is; closes it.
static const char *describe(__wasi_fd_t fd, int show_rights) {
    static char d[200];
    int at = snprintf(d, sizeof d, "fd=%u", fd);
    __wasi_fdstat_t fs;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &fs);
    if (e)
        at += snprintf(d + at, sizeof d - at, " fdstat=%s", errno_name(e));
    else {
        at += snprintf(d + at, sizeof d - at, " %s fs_flags=%u", filetype_name(fs.fs_filetype),
                       fs.fs_flags);
        if (show_rights)
            at += snprintf(d + at, sizeof d - at, " base=%llx inheriting=%llx",
                           (unsigned long long)fs.fs_rights_base,
                           (unsigned long long)fs.fs_rights_inheriting);
    }
    __wasi_filestat_t st;
    e = __wasi_fd_filestat_get(fd, &st);
    if (e)
        at += snprintf(d + at, sizeof d - at, " filestat=%s", errno_name(e));
    else if (st.filetype == __WASI_FILETYPE_REGULAR_FILE)
        at += snprintf(d + at, sizeof d - at, " size=%llu", (unsigned long long)st.size);
    e = __wasi_fd_close(fd);
    if (e)
        snprintf(d + at, sizeof d - at, " close=%s", errno_name(e));
    return d;
}

// Prints (and repairs) only what a case changed that it should leave alone.
static void check_file(const char *path, const char *content) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(3, 0, path, &st);
    size_t len = strlen(content);
    if (e == 0 && st.filetype == __WASI_FILETYPE_REGULAR_FILE && st.size == len)
        return;
    __wasi_fd_t fd;
    __wasi_errno_t r = __wasi_path_open(3, 0, path, C | T, RR_RW, 0, 0, &fd);
    if (r == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)content, len};
        __wasi_size_t n;
        r = __wasi_fd_write(fd, &iov, 1, &n);
        (void)!__wasi_fd_close(fd);
    }
    printf("path_filestat_get(%s) after %s = %s %s; restored: %s\n", path, casekey,
           errno_name(e), e ? "" : filestat_str(&st), e ? "-" : errno_name(r));
    fflush(stdout);
}

static void check_state(void) {
    check_file("file.txt", "hello world\n");
    check_file("empty.txt", "");
    check_file("dir/inner.txt", "inner\n");
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(3, 0, "missing", &st);
    if (e == 0) {
        __wasi_errno_t r = __wasi_path_unlink_file(3, "missing");
        if (r)
            r = __wasi_path_remove_directory(3, "missing");
        printf("path_filestat_get(missing) after %s = OK %s; removed: %s\n", casekey,
               filestat_str(&st), errno_name(r));
        fflush(stdout);
    }
}

// One path_open call, reported as one line.
static void op(const char *sect, const char *dl, __wasi_fd_t dir, const char *path,
               const char *pl, __wasi_lookupflags_t lf, int oi, const char *rl,
               __wasi_rights_t base, __wasi_rights_t inh, __wasi_fdflags_t ff, int show_rights) {
    snprintf(casekey, sizeof casekey, "path_open[%s](%s, \"%s\", %s, %s, %s, fdflags=%s)", sect,
             dl, pl ? pl : path, OFN[oi], lf ? "follow" : "nofollow", rl, fdflags_name(ff));
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(dir, lf, path, OFL[oi], base, inh, ff, &fd);
    if (e)
        report(casekey, e, NULL);
    else
        report(casekey, 0, "%s", describe(fd, show_rights));
}

// What wasi-libc's open() asks for: read (O_RDONLY) or read+write (O_CREAT/O_TRUNC), masked
// with the directory's inheriting rights.
static void libc_op(const char *sect, const char *dl, __wasi_fd_t dir, __wasi_rights_t inh,
                    const char *path, const char *pl, __wasi_lookupflags_t lf, int oi) {
    int w = (OFL[oi] & (C | T)) != 0;
    __wasi_rights_t want = w ? (R_READ | R_WRITE | R_OTHER) : (R_READ | R_OTHER);
    op(sect, dl, dir, path, pl, lf, oi, w ? "libc-rw" : "libc-r", want & inh, inh, 0, 0);
}

struct target {
    const char *path; // NULL: a fresh name per case
    const char *label;
    unsigned mask;
};

static const struct target TARGETS[] = {
    {NULL, NULL, ALL},
    {"file.txt", NULL, ALL},
    {"empty.txt", NULL, M(O0) | M(OCE) | M(OE) | M(OT) | M(OD)},
    {"dir", NULL, ALL},
    {"emptydir", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD) | M(ODE)},
    {"link_file", NULL, ALL},
    {"link_dir", NULL, ALL},
    {"dangling", NULL, ALL},
    {"loop1", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD) | M(ODC)},
    // Never truncate what an absolute symlink or path might reach on the host.
    {"abs_link", NULL, M(O0) | M(OC) | M(OCE) | M(OE) | M(OD) | M(ODC)},
    {"escape_link", NULL, ALL},
    {"file.txt/", NULL, ALL},
    {"dir/", NULL, ALL},
    {"dir/.", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD) | M(ODC) | M(ODE)},
    {"link_dir/", NULL, ALL},
    {"dangling/", NULL, ALL},
    {".", NULL, ALL},
    {"..", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD) | M(ODC)},
    {"dir/..", NULL, M(O0) | M(OCE) | M(OT) | M(OD) | M(ODE)},
    {"dir/../file.txt", NULL, M(O0) | M(OCE) | M(OT) | M(OD)},
    {"/etc/passwd", NULL, M(O0) | M(OC) | M(OCE) | M(OD)},
    {"/data/file.txt", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD) | M(ODC)},
    {"missing/x", NULL, M(O0) | M(OC) | M(OCE) | M(OD) | M(ODC)},
    {"file.txt/x", NULL, M(O0) | M(OC) | M(OT) | M(OD)},
    {longname, "<300 x a>", M(O0) | M(OC) | M(OCE) | M(OD)},
};

static const struct target NOFOLLOW_TARGETS[] = {
    {"file.txt", NULL, M(O0)},
    {"dir", NULL, M(OD)},
    {"link_file", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"link_dir", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"dangling", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"loop1", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"abs_link", NULL, M(O0) | M(OC) | M(OCE) | M(OD)},
    {"escape_link", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"link_dir/", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
    {"dangling/", NULL, M(O0) | M(OC) | M(OCE) | M(OT) | M(OD)},
};

static void run_targets(const char *sect, const struct target *ts, size_t n,
                        __wasi_lookupflags_t lf) {
    for (size_t t = 0; t < n; t++)
        for (int oi = 0; oi < NOF; oi++) {
            if (!(ts[t].mask & M(oi)))
                continue;
            const char *path = ts[t].path ? ts[t].path : fresh();
            libc_op(sect, "data", 3, i3, path, ts[t].label, lf, oi);
            check_state();
        }
}

// The bug report: reopen the preopen as "." with exactly the rights it reports, then list it,
// create a file and a directory beneath the new descriptor.
static void bug_report(void) {
    static uint8_t buf[4096];
    __wasi_fdstat_t fs;
    __wasi_errno_t e = __wasi_fd_fdstat_get(3, &fs);
    report("fd_fdstat_get(3) [bug]", e, "%s fs_flags=%u base=%llx inheriting=%llx",
           filetype_name(fs.fs_filetype), fs.fs_flags, (unsigned long long)fs.fs_rights_base,
           (unsigned long long)fs.fs_rights_inheriting);
    __wasi_fd_t dot = (__wasi_fd_t)-1;
    e = __wasi_path_open(3, 0, ".", D, fs.fs_rights_base, fs.fs_rights_inheriting, 0, &dot);
    __wasi_fdstat_t ds;
    __wasi_errno_t e2 = e ? e : __wasi_fd_fdstat_get(dot, &ds);
    report("path_open(3, \".\", DIRECTORY, preopen's rights) [bug]", e, "fd=%u fdstat=%s", dot,
           errno_name(e2));
    if (e) {
        printf("bug scenario: no descriptor, rest skipped\n");
        return;
    }
    if (!e2)
        report("fd_fdstat_get(dot) [bug]", 0, "%s fs_flags=%u base=%llx inheriting=%llx",
               filetype_name(ds.fs_filetype), ds.fs_flags, (unsigned long long)ds.fs_rights_base,
               (unsigned long long)ds.fs_rights_inheriting);
    __wasi_size_t used = 0;
    e = __wasi_fd_readdir(dot, buf, sizeof buf, 0, &used);
    print_dirents("fd_readdir(dot) [bug]", e, buf, used);
    __wasi_fd_t f = (__wasi_fd_t)-1;
    e = __wasi_path_open(dot, 0, "made.txt", C, RR_RW, 0, 0, &f);
    report("path_open(dot, \"made.txt\", CREAT, rw) [bug]", e, "fd=%u", f);
    if (e == 0) {
        __wasi_ciovec_t iov = {(const uint8_t *)"made\n", 5};
        __wasi_size_t n = 0;
        e = __wasi_fd_write(f, &iov, 1, &n);
        report("fd_write(made.txt, \"made\\n\") [bug]", e, "n=%u", n);
        CALL("fd_close(made.txt) [bug]", __wasi_fd_close(f));
    } else
        printf("bug scenario: no made.txt descriptor, fd_write skipped\n");
    CALL("path_create_directory(dot, \"made_dir\") [bug]",
         __wasi_path_create_directory(dot, "made_dir"));
    __wasi_filestat_t st;
    e = __wasi_path_filestat_get(3, 0, "made.txt", &st);
    report("path_filestat_get(3, \"made.txt\") [bug]", e, "%s", filestat_str(&st));
    e = __wasi_path_filestat_get(3, 0, "made_dir", &st);
    report("path_filestat_get(3, \"made_dir\") [bug]", e, "%s",
           filetype_name(st.filetype));
    CALL("fd_close(dot) [bug]", __wasi_fd_close(dot));
}

static void get_rights(const char *what, __wasi_fd_t fd, __wasi_rights_t *b, __wasi_rights_t *i) {
    __wasi_fdstat_t fs;
    __wasi_errno_t e = __wasi_fd_fdstat_get(fd, &fs);
    *b = e ? R_ALL : fs.fs_rights_base;
    *i = e ? R_ALL : fs.fs_rights_inheriting;
    report(key("fd_fdstat_get(%s)", what), e, "%s base=%llx inheriting=%llx",
           filetype_name(fs.fs_filetype), (unsigned long long)*b, (unsigned long long)*i);
}

int main(void) {
    memset(longname, 'a', 300);
    longname[300] = 0;

    bug_report();

    get_rights("data", 3, &b3, &i3);
    get_rights("ro", 4, &b4, &i4);
    __wasi_fd_t dir = (__wasi_fd_t)-1;
    __wasi_errno_t e = __wasi_path_open(3, FOLLOW, "dir", D, (R_READ | R_OTHER) & i3, i3, 0, &dir);
    report("path_open(3, \"dir\") [setup: dir descriptor]", e, "fd=%u", dir);
    if (e == 0)
        get_rights("dir", dir, &b5, &i5);
    __wasi_fd_t file = (__wasi_fd_t)-1;
    e = __wasi_path_open(3, FOLLOW, "file.txt", 0, RR_READ, 0, 0, &file);
    report("path_open(3, \"file.txt\") [setup: file descriptor]", e, "fd=%u", file);
    __wasi_fd_t closed = (__wasi_fd_t)-1;
    e = __wasi_path_open(3, FOLLOW, "empty.txt", 0, RR_READ, 0, 0, &closed);
    report("path_open(3, \"empty.txt\") [setup: closed descriptor]", e, "fd=%u", closed);
    CALL("fd_close(closed) [setup]", __wasi_fd_close(closed));

    // Every oflags on every target, following symlinks; then symlinks without following.
    run_targets("main", TARGETS, sizeof TARGETS / sizeof TARGETS[0], FOLLOW);
    run_targets("nofollow", NOFOLLOW_TARGETS, sizeof NOFOLLOW_TARGETS / sizeof NOFOLLOW_TARGETS[0],
                0);

    // Rights: raw values, not masked by the preopen's inheriting rights.
    struct {
        const char *label;
        __wasi_rights_t base, inh;
    } rights[] = {
        {"read", RR_READ, 0}, {"write", RR_WRITE, 0},   {"rw", RR_RW, 0},
        {"none", 0, 0},       {"preopen's", b3, i3},    {"all", R_ALL, R_ALL},
    };
    struct {
        const char *path;
        int oi;
    } rcases[] = {{"file.txt", O0}, {"file.txt", OT}, {NULL, OC}, {"dir", OD}, {".", OD}};
    for (unsigned c = 0; c < sizeof rcases / sizeof rcases[0]; c++)
        for (unsigned r = 0; r < sizeof rights / sizeof rights[0]; r++) {
            const char *path = rcases[c].path ? rcases[c].path : fresh();
            op("rights", "data", 3, path, NULL, FOLLOW, rcases[c].oi, rights[r].label,
               rights[r].base, rights[r].inh, 0, 1);
            check_state();
        }

    // fdflags.
    for (unsigned f = 0; f < sizeof FDF / sizeof FDF[0]; f++) {
        op("fdflags", "data", 3, "file.txt", NULL, FOLLOW, O0, "rw", RR_RW, 0, FDF[f], 0);
        check_state();
        op("fdflags", "data", 3, fresh(), NULL, FOLLOW, OC, "rw", RR_RW, 0, FDF[f], 0);
        check_state();
        op("fdflags", "data", 3, "dir", NULL, FOLLOW, OD, "read", RR_READ, 0, FDF[f], 0);
        check_state();
    }

    // Beneath the read-only preopen.
    libc_op("ro", "ro", 4, i4, "file.txt", NULL, FOLLOW, O0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "rw", RR_RW, 0, 0, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "write", RR_WRITE, 0, 0, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "preopen's", b4, i4, 0, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "rw", RR_RW, 0, __WASI_FDFLAGS_APPEND, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "read", RR_READ, 0, __WASI_FDFLAGS_SYNC, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, OC, "rw", RR_RW, 0, 0, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, OCE, "rw", RR_RW, 0, 0, 0);
    libc_op("ro", "ro", 4, i4, "file.txt", NULL, FOLLOW, OD);
    libc_op("ro", "ro", 4, i4, fresh(), NULL, FOLLOW, O0);
    op("ro", "ro", 4, fresh(), NULL, FOLLOW, OC, "rw", RR_RW, 0, 0, 0);
    op("ro", "ro", 4, fresh(), NULL, FOLLOW, OC, "read", RR_READ, 0, 0, 0);
    op("ro", "ro", 4, fresh(), NULL, FOLLOW, ODC, "read", RR_READ, 0, 0, 0);
    libc_op("ro", "ro", 4, i4, "dir", NULL, FOLLOW, OD);
    libc_op("ro", "ro", 4, i4, "dir", NULL, FOLLOW, O0);
    op("ro", "ro", 4, "dir", NULL, FOLLOW, OD, "rw", RR_RW, 0, 0, 0);
    libc_op("ro", "ro", 4, i4, "dir/inner.txt", NULL, FOLLOW, O0);
    libc_op("ro", "ro", 4, i4, ".", NULL, FOLLOW, OD);
    op("ro", "ro", 4, ".", NULL, FOLLOW, OD, "preopen's", b4, i4, 0, 1);
    libc_op("ro", "ro", 4, i4, "..", NULL, FOLLOW, OD);
    libc_op("ro", "ro", 4, i4, "dir/..", NULL, FOLLOW, OD);
    libc_op("ro", "ro", 4, i4, "../data/file.txt", NULL, FOLLOW, O0);
    libc_op("ro", "ro", 4, i4, "/ro/file.txt", NULL, FOLLOW, O0);
    // Last, since it would change ro/file.txt if it succeeded.
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, OT, "rw", RR_RW, 0, 0, 0);
    op("ro", "ro", 4, "file.txt", NULL, FOLLOW, O0, "read", RR_READ, 0, 0, 0);

    // Beneath a directory descriptor opened from /data ("dir").
    if (dir == (__wasi_fd_t)-1)
        printf("dir descriptor section skipped: no descriptor\n");
    else {
        libc_op("dirfd", "dir", dir, i5, "inner.txt", NULL, FOLLOW, O0);
        op("dirfd", "dir", dir, "inner.txt", NULL, FOLLOW, O0, "rw", RR_RW, 0, 0, 0);
        libc_op("dirfd", "dir", dir, i5, "inner.txt", NULL, FOLLOW, OCE);
        libc_op("dirfd", "dir", dir, i5, "inner.txt", NULL, FOLLOW, OT);
        check_state();
        libc_op("dirfd", "dir", dir, i5, "sub", NULL, FOLLOW, OD);
        libc_op("dirfd", "dir", dir, i5, "sub", NULL, FOLLOW, O0);
        libc_op("dirfd", "dir", dir, i5, ".", NULL, FOLLOW, OD);
        op("dirfd", "dir", dir, ".", NULL, FOLLOW, OD, "dir's", b5, i5, 0, 1);
        libc_op("dirfd", "dir", dir, i5, "..", NULL, FOLLOW, OD);
        libc_op("dirfd", "dir", dir, i5, "../file.txt", NULL, FOLLOW, O0);
        libc_op("dirfd", "dir", dir, i5, "../dir/inner.txt", NULL, FOLLOW, O0);
        libc_op("dirfd", "dir", dir, i5, "sub/..", NULL, FOLLOW, OD);
        libc_op("dirfd", "dir", dir, i5, "sub/../inner.txt", NULL, FOLLOW, O0);
        libc_op("dirfd", "dir", dir, i5, "missing", NULL, FOLLOW, O0);
        libc_op("dirfd", "dir", dir, i5, fresh(), NULL, FOLLOW, OC);
        libc_op("dirfd", "dir", dir, i5, "sub/new", NULL, FOLLOW, OC);
        libc_op("dirfd", "dir", dir, i5, "/data/dir/inner.txt", NULL, FOLLOW, O0);
        check_state();
    }

    // Descriptors that are no directory as the directory argument.
    struct {
        const char *label;
        __wasi_fd_t fd;
    } bad[] = {{"file", file}, {"stdin", 0}, {"closed", closed}, {"unknown", 1000}};
    for (unsigned b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        libc_op("notdir", bad[b].label, bad[b].fd, i3, ".", NULL, FOLLOW, OD);
        libc_op("notdir", bad[b].label, bad[b].fd, i3, "file.txt", NULL, FOLLOW, O0);
        libc_op("notdir", bad[b].label, bad[b].fd, i3, "", NULL, FOLLOW, O0);
        libc_op("notdir", bad[b].label, bad[b].fd, i3, fresh(), NULL, FOLLOW, OC);
    }
    check_state();

    if (file != (__wasi_fd_t)-1)
        CALL("fd_close(file) [teardown]", __wasi_fd_close(file));
    if (dir != (__wasi_fd_t)-1)
        CALL("fd_close(dir) [teardown]", __wasi_fd_close(dir));
    return 0;
}
