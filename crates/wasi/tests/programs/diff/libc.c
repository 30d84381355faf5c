// The filesystem through wasi-libc's POSIX layer, the way ordinary C programs use WASI: open()
// with access modes and flags on files, directories, symlinks (to files, to directories,
// dangling, looping, absolute, escaping), trailing slashes, "..", absolute paths inside and
// outside the preopens; stdio streams; openat() beneath a directory descriptor; stat and
// access; mkdir, rmdir, unlink, rename, link, symlink, readlink; sizes and times; directory
// listings; descriptor calls; the working directory; and the same under the read-only /ro.
// Runs with /data (read-write) and /ro (read-only) preopened, stdin holding "stdin data\n".
// Every line is `libc_function(args) = ERRNO [result]`; a failed call prints only its errno.
// (dup, dup2 and realpath are not declared by this wasi-libc, so they are not called.)
#include "diff.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char buf[512];

// `KEY = OK result` or `KEY = ERRNO` for calls that return a negative value and set errno.
static void rep(const char *k, long r, int e) {
    if (r < 0 && e == 0)
        printf("%s = NOERRNO %ld\n", k, r);
    else
        report(k, r < 0 ? e : 0, "%ld", r);
}
// The key is formatted first (it may set the path the call uses); errno is saved right after
// the call.
#define RI(k, expr)                                                                                \
    do {                                                                                           \
        const char *k_ = (k);                                                                      \
        errno = 0;                                                                                 \
        long r_ = (long)(expr);                                                                    \
        rep(k_, r_, errno);                                                                        \
    } while (0)
// Calls returning a descriptor: prints 1 rather than its number.
#define RFD(k, expr) RI(k, (expr) >= 0 ? 1 : -1)
// posix_fadvise and posix_fallocate return the error instead of setting errno.
#define RE(k, expr) report((k), (expr), NULL)

// `n` bytes of `s` (none if n < 0), newline as \n and other non-printable bytes as '?'.
static const char *esc(const char *s, long n) {
    static char out[256];
    size_t j = 0;
    for (long i = 0; i < n && j < 240; i++) {
        if (s[i] == '\n')
            out[j++] = '\\', out[j++] = 'n';
        else
            out[j++] = s[i] < 32 || s[i] > 126 ? '?' : s[i];
    }
    out[j] = 0;
    return out;
}

// `KEY = OK n "bytes"` for a read into buf that returned n.
static void rep_buf(const char *k, long n, int e) {
    report(k, n < 0 ? e : 0, "%ld \"%s\"", n, esc(buf, n));
}

// Type, links and size (no size for directories: that depends on the host filesystem).
static const char *st_str(const struct stat *st) {
    static char b[96];
    const char *t = S_ISREG(st->st_mode) ? "reg" : S_ISLNK(st->st_mode) ? "lnk" : "other";
    if (S_ISDIR(st->st_mode))
        snprintf(b, sizeof b, "dir nlink=%llu", (unsigned long long)st->st_nlink);
    else
        snprintf(b, sizeof b, "%s nlink=%llu size=%lld", t, (unsigned long long)st->st_nlink,
                 (long long)st->st_size);
    return b;
}

// stat() or lstat() into `st` (zeroed first); the errno, 0 on success.
static int do_stat(const char *path, int nofollow, struct stat *st) {
    memset(st, 0, sizeof *st);
    errno = 0;
    return (nofollow ? lstat(path, st) : stat(path, st)) < 0 ? errno : 0;
}

static void t_stat(const char *path, const char *tag, int nofollow) {
    struct stat st;
    int e = do_stat(path, nofollow, &st);
    report(key("%s(%s)%s", nofollow ? "lstat" : "stat", path, tag), e, "%s", st_str(&st));
}
#define STAT(p) t_stat((p), "", 0)
#define LSTAT(p) t_stat((p), "", 1)

static void t_fstat(const char *what, int fd) {
    struct stat st;
    memset(&st, 0, sizeof st);
    errno = 0;
    int r = fstat(fd, &st);
    report(key("fstat(%s)", what), r < 0 ? errno : 0, "%s", st_str(&st));
}

// Only times this program sets are printed; anything else (the fixture's) is "other".
static void t_mtime(const char *path, const char *tag, int nofollow) {
    struct stat st;
    int e = do_stat(path, nofollow, &st);
    char v[32], t[160];
    snprintf(t, sizeof t, "%s", tag);
    snprintf(v, sizeof v, st.st_mtim.tv_sec < 100000 ? "%lld" : "other",
             (long long)st.st_mtim.tv_sec);
    report(key("%s(%s) mtime after %s", nofollow ? "lstat" : "stat", path, t), e, "mtime=%s", v);
}

// Reports a call that returns a descriptor (errno must be cleared before it); returns it.
static int ofd(const char *k, int fd) {
    report(k, fd < 0 ? errno : 0, NULL);
    return fd;
}

// The contents of `path`, read through open/read.
static void show(const char *path, const char *tag) {
    char t[160];
    snprintf(t, sizeof t, "%s", tag);
    errno = 0;
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    rep_buf(key("read(%s) after %s", path, t), n, e);
}

// Setup, silent unless it fails.
static void mk(const char *path, const char *content) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, content, strlen(content)) != (long)strlen(content))
        report(key("open+write(%s) for setup", path), errno, NULL);
    close(fd);
}

// open(), then fstat() of what it opened.
static void t_open(const char *path, int flags, const char *fl) {
    errno = 0;
    int fd = open(path, flags, 0644);
    int e = errno;
    struct stat st;
    memset(&st, 0, sizeof st);
    fstat(fd, &st);
    close(fd);
    report(key("open(%s, %s)", path, fl), fd < 0 ? e : 0, "%s", st_str(&st));
}
#define OPEN(p, f) t_open((p), (f), #f)

// open(), write() "XY", close(), then the file's contents.
static void t_openw(const char *path, int flags, const char *fl) {
    char k[160];
    snprintf(k, sizeof k, "open(%s, %s)", path, fl);
    errno = 0;
    int fd = open(path, flags, 0644);
    report(k, fd < 0 ? errno : 0, NULL);
    if (fd >= 0) {
        RI(key("write(%s, XY)", k), write(fd, "XY", 2));
        close(fd);
    }
    show(path, k);
}
#define OPENW(p, f) t_openw((p), (f), #f)

// fopen(); fprintf() and fflush(); rewind and fread(); then the contents.
static void t_fopen(const char *path, const char *mode) {
    char k[96];
    snprintf(k, sizeof k, "fopen(%s, %s)", path, mode);
    errno = 0;
    FILE *f = fopen(path, mode);
    report(k, f ? 0 : errno, NULL);
    if (!f)
        return;
    errno = 0;
    int r = fprintf(f, "XY") < 0 || fflush(f) ? -1 : 0;
    int e = errno;
    rep(key("fprintf+fflush(%s)", k), r, e);
    fseek(f, 0, SEEK_SET);
    clearerr(f);
    errno = 0;
    size_t n = fread(buf, 1, 64, f);
    e = errno;
    report(key("fread(%s)", k), ferror(f) ? e : 0, "%zu \"%s\"", n, esc(buf, (long)n));
    fclose(f);
    show(path, k);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp((const char *)a, (const char *)b);
}

// opendir(), readdir() to the end (names sorted, with d_type), rewinddir() and count again.
static void t_readdir(const char *path, const char *tag) {
    errno = 0;
    DIR *d = opendir(path);
    report(key("opendir(%s)%s", path, tag), d ? 0 : errno, NULL);
    if (!d)
        return;
    static char names[96][40];
    int n = 0;
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL && n < 96) {
        const char *t = de->d_type == DT_REG   ? "f"
                        : de->d_type == DT_DIR ? "d"
                        : de->d_type == DT_LNK ? "l"
                                               : "?";
        snprintf(names[n++], sizeof names[0], "%s:%s", de->d_name, t);
    }
    int e = errno;
    qsort(names, (size_t)n, sizeof names[0], cmp_str);
    static char list[4096];
    list[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(list, " ");
        strcat(list, names[i]);
    }
    rewinddir(d);
    int again = 0;
    while (readdir(d) != NULL)
        again++;
    closedir(d);
    report(key("readdir(%s)%s", path, tag), e, "%d%s (again after rewinddir: %d)", n, list, again);
}

static void t_readlink(const char *path, size_t size) {
    errno = 0;
    long n = readlink(path, buf, size);
    rep_buf(key("readlink(%s, %zu)", path, size), n, errno);
}

static void t_utimens(const char *path, long long a, long a_ns, long long m, long m_ns, int flags,
                      const char *what) {
    struct timespec ts[2] = {{a, a_ns}, {m, m_ns}};
    char k[128];
    snprintf(k, sizeof k, "utimensat(%s, %s)", path, what);
    RI(k, utimensat(AT_FDCWD, path, ts, flags));
    t_mtime(path, k, flags & AT_SYMLINK_NOFOLLOW);
}

// fcntl(F_GETFL), printed as the access mode's name and the append flag.
static void t_getfl(const char *what, int fd) {
    errno = 0;
    int r = fcntl(fd, F_GETFL);
    int m = r & O_ACCMODE;
    report(key("fcntl(%s, F_GETFL)", what), r < 0 ? errno : 0, "%s%s",
           m == O_RDWR     ? "O_RDWR"
           : m == O_RDONLY ? "O_RDONLY"
           : m == O_WRONLY ? "O_WRONLY"
                           : "other",
           r & O_APPEND ? "|O_APPEND" : "");
}

// The calls on one open descriptor.
static void fd_calls(const char *what, int fd, const char *path) {
    t_getfl(what, fd);
    RI(key("lseek(%s, 3, SEEK_SET)", what), lseek(fd, 3, SEEK_SET));
    errno = 0;
    long n = read(fd, buf, 4);
    rep_buf(key("read(%s, 4)", what), n, errno);
    lseek(fd, 0, SEEK_SET);
    RI(key("write(%s, AB) at 0", what), write(fd, "AB", 2));
    RE(key("posix_fadvise(%s, 0, 10, SEQUENTIAL)", what),
       posix_fadvise(fd, 0, 10, POSIX_FADV_SEQUENTIAL));
    RE(key("posix_fallocate(%s, 0, 20)", what), posix_fallocate(fd, 0, 20));
    RI(key("fsync(%s)", what), fsync(fd));
    RI(key("ftruncate(%s, 7)", what), ftruncate(fd, 7));
    struct timespec ts[2] = {{5000, 0}, {6000, 0}};
    RI(key("futimens(%s, 5000, 6000)", what), futimens(fd, ts));
    t_mtime(path, key("futimens(%s)", what), 0);
}

static void std_streams(void) {
    static const char *names[] = {"stdin", "stdout", "stderr"};
    for (int fd = 0; fd < 3; fd++) {
        RI(key("isatty(%s)", names[fd]), isatty(fd) ? 1 : -1);
        t_getfl(names[fd], fd);
    }
    RI("isatty(1000)", isatty(1000) ? 1 : -1);
    RI("lseek(stdin, 0, SEEK_CUR)", lseek(0, 0, SEEK_CUR));
    errno = 0;
    long n = read(0, buf, 5);
    rep_buf("read(stdin, 5)", n, errno);
    RI("lseek(stdout, 0, SEEK_CUR)", lseek(1, 0, SEEK_CUR));
    static const char line[] = "write(stdout) text = OK (this line is what write() wrote)\n";
    RI("write(stdout, text line)", write(1, line, sizeof line - 1));
    RI("fsync(stdout)", fsync(1));
    RE("posix_fadvise(stdout, 0, 0, NORMAL)", posix_fadvise(1, 0, 0, POSIX_FADV_NORMAL));
    RI("fcntl(stdout, F_DUPFD=0, 10)", fcntl(1, 0, 10));
}

static void opens(void) {
    // Files.
    OPEN("/data/file.txt", O_RDONLY);
    OPEN("/data/file.txt", O_RDWR);
    OPEN("/data/file.txt", O_RDWR | O_CREAT | O_EXCL);
    OPEN("/data/file.txt", O_RDONLY | O_DIRECTORY);
    OPEN("/data/file.txt", O_RDONLY | O_NOFOLLOW);
    OPEN("/data/missing", O_RDONLY);
    OPEN("/data/o_creat_dir", O_RDONLY | O_CREAT | O_DIRECTORY);
    OPEN("/data/file.txt/x", O_RDWR | O_CREAT);
    // Directories.
    OPEN("/data/dir", O_RDONLY);
    OPEN("/data/dir", O_WRONLY);
    OPEN("/data/dir", O_RDWR);
    OPEN("/data/dir", O_RDONLY | O_CREAT);
    OPEN("/data/dir", O_RDONLY | O_CREAT | O_EXCL);
    // Symlinks.
    OPEN("/data/link_file", O_RDONLY);
    OPEN("/data/link_file", O_RDONLY | O_NOFOLLOW);
    OPEN("/data/link_dir", O_RDONLY | O_DIRECTORY);
    OPEN("/data/link_dir", O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    OPEN("/data/dangling", O_RDONLY);
    OPEN("/data/dangling", O_RDWR | O_CREAT | O_EXCL);
    OPEN("/data/loop1", O_RDONLY);
    OPEN("/data/abs_link", O_RDONLY);
    OPEN("/data/escape_link", O_RDONLY);
    // Trailing slashes.
    OPEN("/data/file.txt/", O_RDONLY);
    OPEN("/data/dir/", O_RDONLY);
    OPEN("/data/link_dir/", O_RDONLY);
    OPEN("/data/link_file/", O_RDONLY);
    OPEN("/data/o_creat_slash/", O_RDWR | O_CREAT);
    // "." and "..".
    OPEN("/data/dir/../file.txt", O_RDONLY);
    OPEN("/data/..", O_RDONLY);
    OPEN("/data/../ro/file.txt", O_RDONLY);
    OPEN("/data/link_dir/../file.txt", O_RDONLY);
    // Absolute and relative paths, inside and outside the preopens.
    OPEN("/data", O_RDONLY);
    OPEN("/ro", O_RDONLY);
    OPEN("/etc/passwd", O_RDONLY);
    OPEN("/", O_RDONLY);
    OPEN("//data/file.txt", O_RDONLY);
    OPEN("data/file.txt", O_RDONLY);
    OPEN("file.txt", O_RDONLY);
    OPEN("", O_RDONLY);
    // What the flags do to the contents (fresh files).
    mk("/data/t_trunc_wr", "hello world\n");
    mk("/data/t_trunc_rd", "hello world\n");
    mk("/data/t_append", "hello world\n");
    mk("/data/t_wronly", "hello world\n");
    OPENW("/data/t_trunc_wr", O_WRONLY | O_TRUNC);
    OPENW("/data/t_trunc_rd", O_RDONLY | O_TRUNC);
    OPENW("/data/t_append", O_RDWR | O_APPEND);
    OPENW("/data/t_wronly", O_WRONLY);
    OPENW("/data/t_creat_excl", O_RDWR | O_CREAT | O_EXCL);
    RI("symlink(t_via_dangling, /data/dangling2)", symlink("t_via_dangling", "/data/dangling2"));
    OPENW("/data/dangling2", O_WRONLY | O_CREAT);
}

static void fopens(void) {
    static const char *modes[] = {"r", "r+", "w", "w+", "a", "a+"};
    for (int i = 0; i < 6; i++) {
        char p[64];
        snprintf(p, sizeof p, "/data/f_%d.txt", i);
        mk(p, "hello world\n");
        t_fopen(p, modes[i]);
    }
    t_fopen("/data/f_missing.txt", "r");
    t_fopen("/data/dir", "r");
}

static void openats(void) {
    errno = 0;
    int d = ofd("open(/data/dir, O_RDONLY | O_DIRECTORY) as dirfd",
                open("/data/dir", O_RDONLY | O_DIRECTORY));
    if (d < 0)
        return;
    errno = 0;
    int fd = ofd("openat(dirfd, x, O_RDWR | O_CREAT)", openat(d, "x", O_RDWR | O_CREAT, 0644));
    RI("write(openat(dirfd, x), xyz)", write(fd, "xyz", 3));
    t_getfl("openat(dirfd, x)", fd);
    close(fd);
    show("/data/dir/x", "openat(dirfd, x)");
    errno = 0;
    fd = ofd("openat(dirfd, inner.txt, O_RDWR)", openat(d, "inner.txt", O_RDWR));
    RI("write(openat(dirfd, inner.txt, O_RDWR), IN)", write(fd, "IN", 2));
    t_getfl("openat(dirfd, inner.txt, O_RDWR)", fd);
    close(fd);
    show("/data/dir/inner.txt", "openat(dirfd, inner.txt, O_RDWR)");
    RFD("openat(dirfd, x, O_RDWR | O_CREAT | O_EXCL)",
        openat(d, "x", O_RDWR | O_CREAT | O_EXCL, 0644));
    RFD("openat(dirfd, .., O_RDONLY)", openat(d, "..", O_RDONLY));
    RFD("openat(dirfd, ../file.txt, O_RDONLY)", openat(d, "../file.txt", O_RDONLY));
    RFD("openat(dirfd, sub/../inner.txt, O_RDONLY)", openat(d, "sub/../inner.txt", O_RDONLY));
    RFD("openat(dirfd, /data/file.txt, O_RDONLY)", openat(d, "/data/file.txt", O_RDONLY));
    struct stat st;
    memset(&st, 0, sizeof st);
    errno = 0;
    int r = fstatat(d, "inner.txt", &st, 0);
    report("fstatat(dirfd, inner.txt)", r < 0 ? errno : 0, "%s", st_str(&st));
    RI("mkdirat(dirfd, made_at)", mkdirat(d, "made_at", 0755));
    RI("renameat(dirfd, x, dirfd, x_renamed)", renameat(d, "x", d, "x_renamed"));
    RI("linkat(dirfd, x_renamed, dirfd, x_link)", linkat(d, "x_renamed", d, "x_link", 0));
    RI("symlinkat(x_renamed, dirfd, x_sym)", symlinkat("x_renamed", d, "x_sym"));
    RI("readlinkat(dirfd, x_sym)", readlinkat(d, "x_sym", buf, 64));
    RI("unlinkat(dirfd, made_at, 0)", unlinkat(d, "made_at", 0));
    RI("unlinkat(dirfd, made_at, AT_REMOVEDIR)", unlinkat(d, "made_at", AT_REMOVEDIR));
    RI("faccessat(dirfd, inner.txt, R_OK | W_OK)", faccessat(d, "inner.txt", R_OK | W_OK, 0));
    fd_calls("dirfd", d, "/data/dir");
    int ffile = open("/data/file.txt", O_RDONLY);
    RFD("openat(file fd, x, O_RDWR | O_CREAT)", openat(ffile, "x", O_RDWR | O_CREAT, 0644));
    close(ffile);
    close(d);
    RI("close(dirfd) again", close(d));

    errno = 0;
    int rd = ofd("open(/ro/dir, O_RDONLY | O_DIRECTORY) as dirfd",
                 open("/ro/dir", O_RDONLY | O_DIRECTORY));
    errno = 0;
    fd = ofd("openat(ro dirfd, inner.txt, O_RDWR)", openat(rd, "inner.txt", O_RDWR));
    RI("write(openat(ro dirfd, inner.txt, O_RDWR), IN)", write(fd, "IN", 2));
    close(fd);
    RFD("openat(ro dirfd, y, O_RDWR | O_CREAT)", openat(rd, "y", O_RDWR | O_CREAT, 0644));
    RI("unlinkat(ro dirfd, inner.txt, 0)", unlinkat(rd, "inner.txt", 0));
    close(rd);
}

static void stats(void) {
    static const char *paths[] = {
        "/data/link_file",  "/data/link_dir", "/data/dangling",  "/data/loop1",
        "/data/abs_link",   "/data/escape_link", "/data/file.txt/", "/data/link_dir/",
        "/data/link_file/", "/data/missing", "/data/dir/../file.txt", "/data/..", "/ro/file.txt",
        "/etc/passwd",      "/",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        STAT(paths[i]);
    for (size_t i = 0; i < 9; i++)
        LSTAT(paths[i]);
    int fd = open("/ro/file.txt", O_RDONLY);
    t_fstat("open(/ro/file.txt)", fd);
    close(fd);
    t_fstat("closed fd", fd);

    static const struct { const char *path; int mode; const char *m; } acc[] = {
        {"/data/file.txt", F_OK, "F_OK"},  {"/data/file.txt", R_OK | W_OK, "R_OK|W_OK"},
        {"/data/file.txt", X_OK, "X_OK"},  {"/data/dir", W_OK | X_OK, "W_OK|X_OK"},
        {"/data/missing", F_OK, "F_OK"},   {"/data/dangling", F_OK, "F_OK"},
        {"/data/escape_link", F_OK, "F_OK"}, {"/data/file.txt/", F_OK, "F_OK"},
        {"/etc/passwd", F_OK, "F_OK"},     {"/ro/file.txt", R_OK, "R_OK"},
        {"/ro/file.txt", W_OK, "W_OK"},    {"/data/file.txt", 0x40, "0x40"},
    };
    for (size_t i = 0; i < sizeof acc / sizeof acc[0]; i++)
        RI(key("access(%s, %s)", acc[i].path, acc[i].m), access(acc[i].path, acc[i].mode));
}

static void mutations(void) {
    // mkdir / rmdir
    RI("mkdir(/data/newdir)", mkdir("/data/newdir", 0755));
    RI("mkdir(/data/file.txt)", mkdir("/data/file.txt", 0755));
    RI("mkdir(/data/missing/x)", mkdir("/data/missing/x", 0755));
    RI("mkdir(/data/newdir_slash/)", mkdir("/data/newdir_slash/", 0755));
    RI("mkdir(/data/dangling)", mkdir("/data/dangling", 0755));
    RI("mkdir(/data/../mkdir_escape)", mkdir("/data/../mkdir_escape", 0755));
    RI("mkdir(/newroot)", mkdir("/newroot", 0755));
    RI("rmdir(/data/newdir)", rmdir("/data/newdir"));
    RI("rmdir(/data/newdir_slash/)", rmdir("/data/newdir_slash/"));
    RI("rmdir(/data/dir)", rmdir("/data/dir"));
    RI("rmdir(/data/file.txt)", rmdir("/data/file.txt"));
    RI("rmdir(/data)", rmdir("/data"));
    RI("mkdir(/data/rm_dotdot)", mkdir("/data/rm_dotdot", 0755));
    RI("rmdir(/data/dir/../rm_dotdot)", rmdir("/data/dir/../rm_dotdot"));
    // unlink
    mk("/data/u_file", "u\n");
    RI("symlink(dir, /data/u_link_dir)", symlink("dir", "/data/u_link_dir"));
    RI("unlink(/data/u_file)", unlink("/data/u_file"));
    RI("unlink(/data/u_link_dir)", unlink("/data/u_link_dir"));
    RI("unlink(/data/u_missing)", unlink("/data/u_missing"));
    RI("unlink(/data/dir)", unlink("/data/dir"));
    RI("unlink(/data/file.txt/)", unlink("/data/file.txt/"));
    RI("unlink(/data/link_dir/)", unlink("/data/link_dir/"));
    // rename
    mk("/data/r_src", "src\n");
    mk("/data/r_dst", "dst\n");
    RI("rename(/data/r_src, /data/r_dst)", rename("/data/r_src", "/data/r_dst"));
    show("/data/r_dst", "rename(r_src, r_dst)");
    RI("rename(/data/file.txt, /data/dir)", rename("/data/file.txt", "/data/dir"));
    RI("rename(/data/emptydir, /data/file.txt)", rename("/data/emptydir", "/data/file.txt"));
    RI("rename(/data/emptydir, /data/dir)", rename("/data/emptydir", "/data/dir"));
    RI("rename(/data/dir, /data/dir/sub/x)", rename("/data/dir", "/data/dir/sub/x"));
    RI("rename(/data/r_dst/, /data/r_slash)", rename("/data/r_dst/", "/data/r_slash"));
    RI("rename(/data/r_dst, /data/../r_escape)", rename("/data/r_dst", "/data/../r_escape"));
    RI("mkdir(/data/r_dir)", mkdir("/data/r_dir", 0755));
    RI("rename(/data/r_dir, /data/r_dir2/)", rename("/data/r_dir", "/data/r_dir2/"));
    RI("symlink(file.txt, /data/r_sym)", symlink("file.txt", "/data/r_sym"));
    RI("rename(/data/r_sym, /data/dir/r_sym)", rename("/data/r_sym", "/data/dir/r_sym"));
    LSTAT("/data/dir/r_sym");
    RI("rename(/data/r_dst, /ro/r_cross)", rename("/data/r_dst", "/ro/r_cross"));
    // link / symlink / readlink
    RI("link(/data/file.txt, /data/l_hard)", link("/data/file.txt", "/data/l_hard"));
    t_stat("/data/file.txt", " after link", 0);
    RI("link(/data/dir, /data/l_dir)", link("/data/dir", "/data/l_dir"));
    RI("link(/data/file.txt, /data/empty.txt)", link("/data/file.txt", "/data/empty.txt"));
    RI("link(/data/link_file, /data/l_sym)", link("/data/link_file", "/data/l_sym"));
    LSTAT("/data/l_sym");
    RI("symlink(file.txt, /data/s_rel)", symlink("file.txt", "/data/s_rel"));
    RI("symlink(file.txt, /data/s_rel) again", symlink("file.txt", "/data/s_rel"));
    RI("symlink(/etc/passwd, /data/s_abs)", symlink("/etc/passwd", "/data/s_abs"));
    RI("symlink(../outside, /data/s_escape)", symlink("../outside", "/data/s_escape"));
    RI("symlink(x, /data/s_trail/)", symlink("x", "/data/s_trail/"));
    RI("symlink(, /data/s_empty)", symlink("", "/data/s_empty"));
    t_readlink("/data/s_rel", 64);
    t_readlink("/data/s_rel", 3);
    t_readlink("/data/file.txt", 64);
    t_readlink("/data/abs_link", 64);
    t_readlink("/data/escape_link", 64);
    t_readlink("/data/link_dir/", 64);
    // truncate
    mk("/data/t_size", "0123456789\n");
    RI("truncate(/data/t_size, 5)", truncate("/data/t_size", 5));
    show("/data/t_size", "truncate 5");
    RI("truncate(/data/t_size, 20)", truncate("/data/t_size", 20));
    t_stat("/data/t_size", " after truncate 20", 0);
    RI("symlink(t_size, /data/t_sym)", symlink("t_size", "/data/t_sym"));
    RI("truncate(/data/t_sym, 2)", truncate("/data/t_sym", 2));
    t_stat("/data/t_size", " after truncate(t_sym, 2)", 0);
    RI("truncate(/data/dir, 1)", truncate("/data/dir", 1));
    // times
    mk("/data/times", "t\n");
    t_utimens("/data/times", 1000, 0, 2000, 0, 0, "1000, 2000");
    t_utimens("/data/times", 0, UTIME_NOW, 3000, 0, 0, "NOW, 3000");
    t_utimens("/data/times", 0, UTIME_OMIT, 4000, 0, 0, "OMIT, 4000");
    t_utimens("/data/dir", 1000, 0, 7000, 0, 0, "1000, 7000");
    RI("symlink(times, /data/t_sym_times)", symlink("times", "/data/t_sym_times"));
    t_utimens("/data/t_sym_times", 1000, 0, 8000, 0, AT_SYMLINK_NOFOLLOW, "1000, 8000, NOFOLLOW");
    t_mtime("/data/times", "utimensat(t_sym_times, NOFOLLOW)", 0);
}

static void fds(void) {
    static const struct { const char *what, *path; int flags; } t[] = {
        {"rw fd", "/data/fd_rw", O_RDWR},
        {"rdonly fd", "/data/fd_ro", O_RDONLY},
        {"/ro fd", "/ro/file.txt", O_RDONLY},
    };
    for (int i = 0; i < 3; i++) {
        if (i < 2)
            mk(t[i].path, "0123456789\n");
        int fd = open(t[i].path, t[i].flags);
        fd_calls(t[i].what, fd, t[i].path);
        close(fd);
        show(t[i].path, key("%s calls", t[i].what));
    }
}

static void ro_again(void) {
    OPEN("/ro/file.txt", O_RDONLY);
    OPEN("/ro/file.txt", O_WRONLY);
    OPEN("/ro/file.txt", O_RDONLY | O_CREAT);
    OPEN("/ro/file.txt", O_RDONLY | O_TRUNC);
    OPEN("/ro/new.txt", O_RDONLY | O_CREAT);
    OPEN("/ro/dir", O_RDONLY | O_DIRECTORY);
    OPEN("/ro/dir", O_RDWR);
    OPEN("/ro/dir/../file.txt", O_RDONLY);
    OPEN("/ro/../data/file.txt", O_RDONLY);
    t_fopen("/ro/file.txt", "r");
    t_fopen("/ro/file.txt", "r+");
    t_fopen("/ro/new.txt", "w");
    RI("mkdir(/ro/newdir)", mkdir("/ro/newdir", 0755));
    RI("mkdir(/ro/dir)", mkdir("/ro/dir", 0755));
    RI("rmdir(/ro/dir)", rmdir("/ro/dir"));
    RI("unlink(/ro/file.txt)", unlink("/ro/file.txt"));
    RI("rename(/ro/file.txt, /ro/renamed)", rename("/ro/file.txt", "/ro/renamed"));
    RI("rename(/ro/file.txt, /data/from_ro)", rename("/ro/file.txt", "/data/from_ro"));
    RI("link(/ro/file.txt, /ro/l_hard)", link("/ro/file.txt", "/ro/l_hard"));
    RI("symlink(file.txt, /ro/s_rel)", symlink("file.txt", "/ro/s_rel"));
    RI("symlink(, /ro/s_empty)", symlink("", "/ro/s_empty"));
    t_readlink("/ro/file.txt", 64);
    RI("truncate(/ro/file.txt, 0)", truncate("/ro/file.txt", 0));
    t_utimens("/ro/file.txt", 1000, 0, 2000, 0, 0, "1000, 2000");
    t_utimens("/ro/dir", 0, UTIME_OMIT, 0, UTIME_OMIT, 0, "OMIT, OMIT");
    show("/ro/file.txt", "everything under /ro");
}

static void cwd(void) {
    char *c;
#define CWD(tag)                                                                                   \
    do {                                                                                           \
        memset(buf, 0, sizeof buf);                                                                \
        errno = 0;                                                                                 \
        c = getcwd(buf, sizeof buf);                                                               \
        report("getcwd() " tag, c ? 0 : errno, "\"%s\"", buf);                                     \
    } while (0)
    CWD("initially");
    RI("getcwd(buf, 1)", getcwd(buf, 1) ? 0 : -1);
    RI("chdir(/data)", chdir("/data"));
    CWD("after chdir(/data)");
    OPEN("file.txt", O_RDONLY | O_NOFOLLOW);
    OPEN("../data/file.txt", O_RDONLY);
    t_stat("dir/inner.txt", " in /data", 0);
    RI("mkdir(cwd_dir) in /data", mkdir("cwd_dir", 0755));
    mk("cwd_dir/f", "f\n");
    t_readdir("cwd_dir", " in /data");
    RI("chdir(dir)", chdir("dir"));
    CWD("after chdir(dir)");
    OPEN("../file.txt", O_RDONLY | O_EXCL);
    OPEN("../../ro/file.txt", O_RDONLY | O_EXCL);
    RI("rename(x_renamed, ../moved_from_cwd)", rename("x_renamed", "../moved_from_cwd"));
    RI("chdir(missing)", chdir("missing"));
    RI("chdir(/data/link_dir)", chdir("/data/link_dir"));
    RI("chdir(/etc)", chdir("/etc"));
    RI("chdir(/ro)", chdir("/ro"));
    CWD("after chdir(/ro)");
    OPEN("file.txt", O_RDONLY | O_APPEND);
    RI("mkdir(cwd_dir) in /ro", mkdir("cwd_dir", 0755));
    RI("chdir(..) from /ro", chdir(".."));
    RI("chdir(/)", chdir("/"));
    CWD("at the end");
#undef CWD
}

int main(void) {
    std_streams();
    t_readdir("/data", " initially");
    t_readdir("/ro", " initially");
    t_readdir("/data/file.txt", " initially");
    t_readdir("/", " initially");
    opens();
    fopens();
    openats();
    stats();
    mutations();
    fds();
    ro_again();
    cwd();
    t_readdir("/data", " at the end");
    t_readdir("/data/dir", " at the end");
    return 0;
}
