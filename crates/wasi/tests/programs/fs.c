// fs DIR: exercises the file system inside the preopened directory DIR (e.g. /data), one line
// per check ("ok ..."); the first failed check prints "FAIL ..." and exits 1.
//
// What it leaves in DIR for the harness to verify on the host:
//   kept.txt        "hello WORLD\nmore\n"
//   hard.txt        a hard link to kept.txt
//   link.txt        a symbolic link, target "kept.txt"
//   times.txt       "t", atime 1000000000 s, mtime 1200000000 s + 123456789 ns
//   truncated.bin   100 bytes: "hello" then 95 zero bytes
//   big.bin         256 KiB, byte i = i * 7 % 251
//   dir/a dir/b dir/c (empty files) and dir/sub/ (empty directory)
//   ünïcødé.txt     "unicode"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *root;

#define FAIL(...)                                                                                \
    do {                                                                                         \
        int e_ = errno;                                                                          \
        printf("FAIL line %d: ", __LINE__);                                                      \
        printf(__VA_ARGS__);                                                                     \
        printf(" (errno %d: %s)\n", e_, strerror(e_));                                           \
        exit(1);                                                                                 \
    } while (0)
#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (!(cond))                                                                             \
            FAIL(__VA_ARGS__);                                                                   \
    } while (0)
// A call that must fail with errno `err`.
#define CHECK_ERR(expr, err, what)                                                               \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(expr);                                                                  \
        CHECK(r_ == -1 && errno == (err), "%s: expected %s", what, strerror(err));               \
        printf("ok %s fails: %s\n", what, strerror(err));                                        \
    } while (0)
#define OK(...)                                                                                  \
    do {                                                                                         \
        printf("ok ");                                                                           \
        printf(__VA_ARGS__);                                                                     \
        printf("\n");                                                                            \
    } while (0)

// DIR/name, in one of a few rotating static buffers.
static const char *p(const char *fmt, ...) {
    static char bufs[8][512];
    static int next;
    char *b = bufs[next++ % 8];
    int n = snprintf(b, sizeof bufs[0], "%s/", root);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b + n, sizeof bufs[0] - (size_t)n, fmt, ap);
    va_end(ap);
    return b;
}

static void write_file(const char *path, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "open %s for writing", path);
    CHECK(write(fd, data, len) == (ssize_t)len, "write %s", path);
    CHECK(close(fd) == 0, "close %s", path);
}

// Reads the whole file into a static buffer, NUL-terminated; returns its length.
static char content[512 * 1024];
static size_t read_file(const char *path) {
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s for reading", path);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, content + len, sizeof content - 1 - len);
        CHECK(n >= 0, "read %s", path);
        if (n == 0)
            break;
        len += (size_t)n;
    }
    CHECK(close(fd) == 0, "close %s", path);
    content[len] = 0;
    return len;
}

static void expect_content(const char *path, const char *want) {
    size_t len = read_file(path);
    CHECK(len == strlen(want) && memcmp(content, want, len) == 0, "%s holds %zu bytes \"%s\", want \"%s\"",
          path, len, content, want);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void create_and_read(void) {
    const char *f = p("f.txt");
    int fd = open(f, O_WRONLY | O_CREAT | O_EXCL, 0644);
    CHECK(fd >= 0, "create %s", f);
    CHECK(write(fd, "hello world\n", 12) == 12, "write");
    CHECK(close(fd) == 0, "close");
    OK("create and write");
    CHECK_ERR(open(f, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST, "O_CREAT|O_EXCL on an existing file");
    CHECK_ERR(open(p("missing.txt"), O_RDONLY), ENOENT, "open a missing file");
    expect_content(f, "hello world\n");
    OK("read back");

    fd = open(f, O_RDONLY);
    CHECK(fd >= 0, "open");
    char buf[32];
    CHECK(read(fd, buf, sizeof buf) == 12, "read all");
    CHECK(read(fd, buf, sizeof buf) == 0, "read at end of file returns 0");
    CHECK_ERR(write(fd, "x", 1), EBADF, "write to a read-only descriptor");
    CHECK(close(fd) == 0, "close");
    CHECK_ERR(close(fd), EBADF, "close a closed descriptor");
    OK("end of file");
}

static void seek_and_positional(void) {
    const char *f = p("f.txt");
    int fd = open(f, O_RDWR);
    CHECK(fd >= 0, "open O_RDWR");
    char buf[32] = {0};
    CHECK(lseek(fd, 6, SEEK_SET) == 6, "lseek SEEK_SET 6");
    CHECK(read(fd, buf, 5) == 5 && memcmp(buf, "world", 5) == 0, "read after SEEK_SET: %.5s", buf);
    CHECK(lseek(fd, -5, SEEK_CUR) == 6, "lseek SEEK_CUR -5");
    CHECK(lseek(fd, 0, SEEK_CUR) == 6, "lseek SEEK_CUR 0 (tell)");
    CHECK(lseek(fd, -1, SEEK_END) == 11, "lseek SEEK_END -1");
    CHECK(read(fd, buf, 5) == 1 && buf[0] == '\n', "read after SEEK_END -1");
    CHECK(lseek(fd, 0, SEEK_END) == 12, "lseek SEEK_END 0");
    CHECK_ERR(lseek(fd, -100, SEEK_SET), EINVAL, "lseek to a negative offset");
    CHECK(lseek(fd, 0, SEEK_CUR) == 12, "offset unchanged by a failed lseek");
    OK("lseek SET/CUR/END");

    CHECK(lseek(fd, 2, SEEK_SET) == 2, "lseek");
    memset(buf, 0, sizeof buf);
    CHECK(pread(fd, buf, 5, 6) == 5 && memcmp(buf, "world", 5) == 0, "pread at 6: %.5s", buf);
    CHECK(lseek(fd, 0, SEEK_CUR) == 2, "pread moved the offset");
    CHECK(pwrite(fd, "WORLD", 5, 6) == 5, "pwrite at 6");
    CHECK(lseek(fd, 0, SEEK_CUR) == 2, "pwrite moved the offset");
    CHECK(pread(fd, buf, 32, 100) == 0, "pread past the end returns 0");
    CHECK(close(fd) == 0, "close");
    expect_content(f, "hello WORLD\n");
    OK("pread/pwrite");

    fd = open(f, O_WRONLY | O_APPEND);
    CHECK(fd >= 0, "open O_APPEND");
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    CHECK(write(fd, "more\n", 5) == 5, "append");
    CHECK(close(fd) == 0, "close");
    expect_content(f, "hello WORLD\nmore\n");
    OK("O_APPEND writes at the end");

    FILE *s = fopen(f, "r");
    CHECK(s != NULL, "fopen");
    CHECK(fseek(s, 6, SEEK_SET) == 0 && ftell(s) == 6, "fseek/ftell SET");
    CHECK(fgetc(s) == 'W' && ftell(s) == 7, "fgetc/ftell");
    CHECK(fseek(s, -5, SEEK_END) == 0 && ftell(s) == 12, "fseek/ftell END");
    CHECK(fgets(buf, sizeof buf, s) != NULL && strcmp(buf, "more\n") == 0, "fgets: %s", buf);
    rewind(s);
    CHECK(ftell(s) == 0, "rewind");
    CHECK(fclose(s) == 0, "fclose");
    OK("fseek/ftell");

    fd = open(f, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0, "open O_TRUNC");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC leaves %lld bytes", (long long)st.st_size);
    CHECK(write(fd, "hello WORLD\nmore\n", 17) == 17, "write");
    CHECK(fsync(fd) == 0, "fsync");
    CHECK(fdatasync(fd) == 0, "fdatasync");
    CHECK(close(fd) == 0, "close");
    OK("O_TRUNC, fsync, fdatasync");
}

static void stat_and_truncate(void) {
    struct stat st;
    CHECK(stat(p("f.txt"), &st) == 0, "stat");
    CHECK(S_ISREG(st.st_mode) && st.st_size == 17 && st.st_nlink == 1, "stat f.txt: mode %o size %lld nlink %lld",
          (unsigned)st.st_mode, (long long)st.st_size, (long long)st.st_nlink);
    OK("stat regular file: size 17");
    CHECK(stat(root, &st) == 0 && S_ISDIR(st.st_mode), "stat %s is a directory", root);
    OK("stat directory");
    CHECK(fstat(1, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode), "fstat(stdout)");
    OK("fstat stdout is neither a file nor a directory");
    CHECK(access(p("f.txt"), F_OK) == 0, "access F_OK");
    CHECK_ERR(access(p("nope"), F_OK), ENOENT, "access of a missing file");

    const char *t = p("truncated.bin");
    write_file(t, "hello world", 11);
    int fd = open(t, O_RDWR);
    CHECK(fd >= 0, "open");
    CHECK(ftruncate(fd, 5) == 0, "ftruncate 5");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5, "size after ftruncate 5: %lld", (long long)st.st_size);
    CHECK(ftruncate(fd, 100) == 0, "ftruncate 100");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 100, "size after ftruncate 100");
    CHECK(close(fd) == 0, "close");
    size_t len = read_file(t);
    CHECK(len == 100 && memcmp(content, "hello", 5) == 0, "content after ftruncate");
    for (size_t i = 5; i < 100; i++)
        CHECK(content[i] == 0, "byte %zu after growing is not zero", i);
    OK("ftruncate shrinks and grows with zeros");

    const char *b = p("big.bin");
    static char big[256 * 1024];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)(i * 7 % 251);
    write_file(b, big, sizeof big);
    len = read_file(b);
    CHECK(len == sizeof big && memcmp(content, big, len) == 0, "256 KiB round trip (%zu bytes)", len);
    OK("256 KiB write and read");
}

static void dirs(void) {
    CHECK(mkdir(p("dir"), 0755) == 0, "mkdir dir");
    CHECK_ERR(mkdir(p("dir"), 0755), EEXIST, "mkdir an existing directory");
    CHECK(mkdir(p("dir/sub"), 0755) == 0, "mkdir dir/sub");
    const char *names[] = {"c", "a", "b"};
    for (int i = 0; i < 3; i++)
        write_file(p("dir/%s", names[i]), "", 0);
    OK("mkdir");

    DIR *d = opendir(p("dir"));
    CHECK(d != NULL, "opendir");
    char *seen[16];
    int n = 0;
    int dots = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            dots++;
            continue;
        }
        CHECK(n < 16, "too many entries");
        if (strcmp(e->d_name, "sub") == 0)
            CHECK(e->d_type == DT_DIR, "d_type of sub: %d", e->d_type);
        else
            CHECK(e->d_type == DT_REG, "d_type of %s: %d", e->d_name, e->d_type);
        seen[n++] = strdup(e->d_name);
    }
    CHECK(errno == 0, "readdir");
    CHECK(closedir(d) == 0, "closedir");
    qsort(seen, (size_t)n, sizeof seen[0], cmp_str);
    printf("readdir dir:");
    for (int i = 0; i < n; i++)
        printf(" %s", seen[i]);
    printf("\n");
    CHECK(n == 4 && strcmp(seen[0], "a") == 0 && strcmp(seen[1], "b") == 0 && strcmp(seen[2], "c") == 0 &&
              strcmp(seen[3], "sub") == 0,
          "readdir listed %d entries", n);
    OK("readdir lists a b c sub");

    // Many entries: the listing must come back complete across several fd_readdir calls.
    CHECK(mkdir(p("many"), 0755) == 0, "mkdir many");
    for (int i = 0; i < 300; i++)
        write_file(p("many/entry-with-a-longish-name-%03d", i), "", 0);
    d = opendir(p("many"));
    CHECK(d != NULL, "opendir many");
    static char found[300];
    int count = 0;
    while ((e = readdir(d)) != NULL) {
        int i;
        if (sscanf(e->d_name, "entry-with-a-longish-name-%d", &i) == 1) {
            CHECK(i >= 0 && i < 300 && !found[i], "duplicate or bad entry %s", e->d_name);
            found[i] = 1;
            count++;
        }
    }
    CHECK(closedir(d) == 0, "closedir");
    CHECK(count == 300, "readdir of 300 entries found %d", count);
    OK("readdir of 300 entries");
    d = opendir(p("many"));
    CHECK(d != NULL, "opendir many");
    CHECK(readdir(d) != NULL, "readdir");
    rewinddir(d);
    count = 0;
    while ((e = readdir(d)) != NULL)
        count += e->d_name[0] != '.';
    CHECK(count == 300, "readdir after rewinddir found %d", count);
    CHECK(closedir(d) == 0, "closedir");
    OK("rewinddir");
    for (int i = 0; i < 300; i++)
        CHECK(unlink(p("many/entry-with-a-longish-name-%03d", i)) == 0, "unlink many/%d", i);
    CHECK(rmdir(p("many")) == 0, "rmdir many");
    OK("unlink 300 entries and rmdir");

    CHECK_ERR(rmdir(p("dir")), ENOTEMPTY, "rmdir a non-empty directory");
    CHECK(mkdir(p("gone"), 0755) == 0, "mkdir gone");
    CHECK(rmdir(p("gone")) == 0, "rmdir gone");
    struct stat st;
    CHECK_ERR(stat(p("gone"), &st), ENOENT, "stat a removed directory");
    CHECK_ERR(rmdir(p("f.txt")), ENOTDIR, "rmdir a file");
    CHECK_ERR(open(p("f.txt/x"), O_RDONLY), ENOTDIR, "a file used as a directory");
    CHECK(unlink(p("dir")) == -1, "unlink a directory must fail");
    OK("unlink a directory fails (%s)", strerror(errno));

    // Relative paths through a directory descriptor, and `..` that stays inside.
    int dfd = open(p("dir"), O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0, "open dir O_DIRECTORY");
    int fd = openat(dfd, "a", O_RDONLY);
    CHECK(fd >= 0, "openat(dir, a)");
    CHECK(close(fd) == 0, "close");
    // Each directory descriptor is a capability of its own: ".." may not climb above it, even
    // while the result would still be inside the preopen.
    CHECK_ERR(openat(dfd, "../f.txt", O_RDONLY), ENOTCAPABLE, "openat(dir, ../f.txt)");
    CHECK(fstatat(dfd, "sub", &st, 0) == 0 && S_ISDIR(st.st_mode), "fstatat(dir, sub)");
    CHECK(close(dfd) == 0, "close");
    expect_content(p("dir/sub/../../f.txt"), "hello WORLD\nmore\n");
    expect_content(p("./dir/./../f.txt"), "hello WORLD\nmore\n");
    OK("dot and dot-dot components inside the preopen");
}

static void rename_unlink(void) {
    struct stat st;
    CHECK(rename(p("f.txt"), p("g.txt")) == 0, "rename f.txt g.txt");
    CHECK_ERR(stat(p("f.txt"), &st), ENOENT, "stat the old name after rename");
    expect_content(p("g.txt"), "hello WORLD\nmore\n");
    OK("rename");
    write_file(p("other.txt"), "other", 5);
    CHECK(rename(p("other.txt"), p("g.txt")) == 0, "rename over an existing file");
    expect_content(p("g.txt"), "other");
    CHECK_ERR(stat(p("other.txt"), &st), ENOENT, "stat the replaced source");
    OK("rename replaces");
    CHECK(rename(p("g.txt"), p("dir/sub/moved.txt")) == 0, "rename into a subdirectory");
    expect_content(p("dir/sub/moved.txt"), "other");
    CHECK(mkdir(p("d1"), 0755) == 0, "mkdir d1");
    CHECK(rename(p("d1"), p("d2")) == 0, "rename a directory");
    CHECK(stat(p("d2"), &st) == 0 && S_ISDIR(st.st_mode), "stat renamed directory");
    CHECK(rmdir(p("d2")) == 0, "rmdir d2");
    CHECK_ERR(rename(p("nope"), p("nope2")), ENOENT, "rename a missing file");
    OK("rename into a subdirectory and of a directory");
    CHECK(unlink(p("dir/sub/moved.txt")) == 0, "unlink");
    CHECK_ERR(stat(p("dir/sub/moved.txt"), &st), ENOENT, "stat after unlink");
    CHECK_ERR(unlink(p("dir/sub/moved.txt")), ENOENT, "unlink a missing file");
    OK("unlink");

    // An open file survives its unlink.
    write_file(p("tmp.txt"), "still here", 10);
    int fd = open(p("tmp.txt"), O_RDONLY);
    CHECK(fd >= 0, "open tmp.txt");
    CHECK(unlink(p("tmp.txt")) == 0, "unlink tmp.txt");
    char buf[16] = {0};
    CHECK(read(fd, buf, sizeof buf) == 10 && memcmp(buf, "still here", 10) == 0, "read unlinked");
    CHECK(close(fd) == 0, "close");
    OK("read an unlinked open file");
}

static void file_times(void) {
    const char *t = p("times.txt");
    write_file(t, "t", 1);
    struct timeval tv[2] = {{1000000000, 0}, {1200000000, 0}};
    CHECK(utimes(t, tv) == 0, "utimes");
    struct stat st;
    CHECK(stat(t, &st) == 0, "stat");
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_mtim.tv_sec == 1200000000, "utimes set atime %lld mtime %lld",
          (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    OK("utimes then stat");

    struct timespec ts[2] = {{0, UTIME_OMIT}, {1200000000, 123456789}};
    CHECK(utimensat(AT_FDCWD, t, ts, 0) == 0, "utimensat with UTIME_OMIT");
    CHECK(stat(t, &st) == 0, "stat");
    CHECK(st.st_atim.tv_sec == 1000000000, "UTIME_OMIT changed atime to %lld", (long long)st.st_atim.tv_sec);
    CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 123456789, "mtime %lld.%09ld",
          (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    OK("utimensat: UTIME_OMIT and nanoseconds");

    int fd = open(t, O_RDWR);
    CHECK(fd >= 0, "open");
    // (Debian's wasi-libc rejects UTIME_OMIT for the modification time, so both are given.)
    struct timespec ts2[2] = {{1100000000, 0}, {1100000000, 5}};
    CHECK(futimens(fd, ts2) == 0, "futimens");
    CHECK(fstat(fd, &st) == 0 && st.st_atim.tv_sec == 1100000000 && st.st_mtim.tv_sec == 1100000000 &&
              st.st_mtim.tv_nsec == 5,
          "futimens set atime %lld mtime %lld.%09ld", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec,
          (long)st.st_mtim.tv_nsec);
    OK("futimens");
    // fd_filestat_set_times directly: only the modification time, then only the access time.
    CHECK(__wasi_fd_filestat_set_times(fd, 0, 1200000000123456789ull, __WASI_FSTFLAGS_MTIM) == 0,
          "fd_filestat_set_times MTIM");
    CHECK(__wasi_fd_filestat_set_times(fd, 1000000000000000000ull, 0, __WASI_FSTFLAGS_ATIM) == 0,
          "fd_filestat_set_times ATIM");
    CHECK(fstat(fd, &st) == 0, "fstat");
    CHECK(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 0, "atime %lld", (long long)st.st_atim.tv_sec);
    CHECK(st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 123456789, "mtime %lld.%09ld",
          (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
    CHECK(close(fd) == 0, "close");
    OK("fd_filestat_set_times of one time leaves the other");

    struct timespec before, after;
    write_file(p("now.txt"), "n", 1);
    CHECK(clock_gettime(CLOCK_REALTIME, &before) == 0, "clock_gettime");
    // (Debian's wasi-libc mishandles utimensat(NULL) and UTIME_NOW for the modification time,
    // so "now" goes to path_filestat_set_times directly.)
    int dfd = open(root, O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0, "open %s", root);
    CHECK(__wasi_path_filestat_set_times(dfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "now.txt", 0, 0,
                                         __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW) == 0,
          "path_filestat_set_times NOW");
    CHECK(close(dfd) == 0, "close");
    CHECK(clock_gettime(CLOCK_REALTIME, &after) == 0, "clock_gettime");
    CHECK(stat(p("now.txt"), &st) == 0, "stat");
    CHECK(st.st_mtim.tv_sec >= before.tv_sec - 2 && st.st_mtim.tv_sec <= after.tv_sec + 2,
          "path_filestat_set_times(NOW) set mtime %lld, now is %lld", (long long)st.st_mtim.tv_sec, (long long)after.tv_sec);
    int nfd = open(p("now.txt"), O_RDWR);
    CHECK(nfd >= 0, "open");
    CHECK(futimens(nfd, (struct timespec[2]){{1, 0}, {1, 0}}) == 0, "futimens");
    CHECK(__wasi_fd_filestat_set_times(nfd, 0, 0, __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW) == 0,
          "fd_filestat_set_times NOW");
    CHECK(fstat(nfd, &st) == 0, "fstat");
    CHECK(st.st_mtim.tv_sec >= before.tv_sec - 2 && st.st_atim.tv_sec >= before.tv_sec - 2,
          "fd_filestat_set_times(NOW) set mtime %lld atime %lld", (long long)st.st_mtim.tv_sec,
          (long long)st.st_atim.tv_sec);
    CHECK(close(nfd) == 0, "close");
    CHECK(unlink(p("now.txt")) == 0, "unlink");
    OK("path_filestat_set_times and fd_filestat_set_times to now");
}

static void links(void) {
    struct stat st, st2;
    write_file(p("kept.txt"), "hello WORLD\nmore\n", 17);
    CHECK(symlink("kept.txt", p("link.txt")) == 0, "symlink");
    char buf[64];
    ssize_t n = readlink(p("link.txt"), buf, sizeof buf);
    CHECK(n == 8 && memcmp(buf, "kept.txt", 8) == 0, "readlink gave %zd bytes", n);
    OK("symlink and readlink");
    CHECK(lstat(p("link.txt"), &st) == 0 && S_ISLNK(st.st_mode), "lstat sees a symlink");
    CHECK(stat(p("link.txt"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 17, "stat follows the symlink");
    expect_content(p("link.txt"), "hello WORLD\nmore\n");
    OK("open and stat through a symlink");
    CHECK(symlink("../kept.txt", p("dir/up.txt")) == 0, "symlink dir/up.txt -> ../kept.txt");
    expect_content(p("dir/up.txt"), "hello WORLD\nmore\n");
    CHECK(symlink("sub", p("dir/sublink")) == 0, "symlink to a directory");
    write_file(p("dir/sublink/through.txt"), "through", 7);
    expect_content(p("dir/sub/through.txt"), "through");
    CHECK(unlink(p("dir/sub/through.txt")) == 0, "unlink");
    CHECK(unlink(p("dir/sublink")) == 0, "unlink a symlink to a directory");
    CHECK(unlink(p("dir/up.txt")) == 0, "unlink");
    OK("relative symlinks that stay inside");
    CHECK(symlink("nowhere", p("dangling")) == 0, "symlink dangling");
    CHECK_ERR(stat(p("dangling"), &st), ENOENT, "stat a dangling symlink");
    CHECK(lstat(p("dangling"), &st) == 0 && S_ISLNK(st.st_mode), "lstat a dangling symlink");
    CHECK(unlink(p("dangling")) == 0, "unlink a dangling symlink");
    CHECK_ERR(readlink(p("kept.txt"), buf, sizeof buf), EINVAL, "readlink of a regular file");
    CHECK_ERR(symlink("x", p("kept.txt")), EEXIST, "symlink over an existing file");
    CHECK(symlink("loop", p("loop")) == 0, "symlink loop");
    CHECK_ERR(open(p("loop"), O_RDONLY), ELOOP, "open a symlink loop");
    CHECK(unlink(p("loop")) == 0, "unlink loop");
    CHECK_ERR(open(p("link.txt"), O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symlink");
    OK("dangling symlinks, loops and O_NOFOLLOW");

    CHECK(link(p("kept.txt"), p("hard.txt")) == 0, "link");
    CHECK(stat(p("kept.txt"), &st) == 0 && stat(p("hard.txt"), &st2) == 0, "stat both");
    CHECK(st.st_nlink == 2 && st2.st_nlink == 2 && st.st_ino == st2.st_ino && st.st_dev == st2.st_dev,
          "hard link: nlink %lld/%lld ino %llu/%llu", (long long)st.st_nlink, (long long)st2.st_nlink,
          (unsigned long long)st.st_ino, (unsigned long long)st2.st_ino);
    OK("hard link shares the inode, nlink 2");
    CHECK(link(p("kept.txt"), p("hard2.txt")) == 0, "link");
    int fd = open(p("hard2.txt"), O_WRONLY | O_APPEND);
    CHECK(fd >= 0 && write(fd, "!", 1) == 1 && close(fd) == 0, "append through the second link");
    expect_content(p("kept.txt"), "hello WORLD\nmore\n!");
    CHECK(unlink(p("hard2.txt")) == 0, "unlink hard2.txt");
    CHECK(truncate(p("kept.txt"), 17) == 0, "truncate");
    CHECK(stat(p("kept.txt"), &st) == 0 && st.st_nlink == 2 && st.st_size == 17, "nlink back to 2");
    CHECK_ERR(link(p("kept.txt"), p("hard.txt")), EEXIST, "link over an existing name");
    CHECK_ERR(link(p("nope"), p("nope2")), ENOENT, "link a missing file");
    OK("writes through one link show through the other");
}

static void unicode(void) {
    const char *u = p("\xc3\xbcn\xc3\xaf\x63\xc3\xb8\x64\xc3\xa9.txt"); // ünïcødé.txt
    write_file(u, "unicode", 7);
    expect_content(u, "unicode");
    DIR *d = opendir(root);
    CHECK(d != NULL, "opendir root");
    struct dirent *e;
    int found = 0;
    while ((e = readdir(d)) != NULL)
        found |= strcmp(e->d_name, u + strlen(root) + 1) == 0;
    CHECK(closedir(d) == 0, "closedir");
    CHECK(found, "readdir did not list the UTF-8 name");
    OK("UTF-8 file name");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: fs DIR\n");
        return 2;
    }
    root = argv[1];
    create_and_read();
    seek_and_positional();
    stat_and_truncate();
    dirs();
    rename_unlink();
    file_times();
    links();
    unicode();
    printf("all fs checks passed\n");
    return 0;
}
