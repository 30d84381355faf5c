// descriptors DIR: what descriptors are and do, beyond plain file I/O: the standard streams
// (not seekable, not terminals, one-way), fcntl flags, fd_renumber, poll(), vectored I/O,
// telldir/seekdir, large offsets, readlink truncation, lstat of a symlink, and the errors
// POSIX code relies on (EISDIR, ENOTDIR, ENOTEMPTY, ESPIPE, EBADF). One line per check;
// a failure prints "FAIL ..." (and the program exits 1 after the rest). Reads "stdin data\n"
// from stdin.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *root;

// A failed check is reported and counted, and the program goes on (the checks are mostly
// independent, so one run lists every difference); it exits 1 at the end if any failed.
static int failures;
#define FAIL(...)                                                                                \
    do {                                                                                         \
        int e_ = errno;                                                                          \
        printf("FAIL line %d: ", __LINE__);                                                      \
        printf(__VA_ARGS__);                                                                     \
        printf(" (errno %d: %s)\n", e_, strerror(e_));                                           \
        failures++;                                                                              \
    } while (0)
#define CHECK(cond, ...)                                                                         \
    do {                                                                                         \
        if (!(cond))                                                                             \
            FAIL(__VA_ARGS__);                                                                   \
    } while (0)
#define CHECK_ERR(expr, err, what)                                                               \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(expr);                                                                  \
        if (r_ == -1 && errno == (err))                                                          \
            printf("ok %s fails: %s\n", what, strerror(err));                                    \
        else                                                                                     \
            FAIL("%s: expected %s, got %ld", what, strerror(err), r_);                           \
    } while (0)
#define OK(...)                                                                                  \
    do {                                                                                         \
        printf("ok ");                                                                           \
        printf(__VA_ARGS__);                                                                     \
        printf("\n");                                                                            \
    } while (0)

static const char *p(const char *name) {
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", root, name);
    return b;
}

static int make(const char *name, const char *data) {
    int fd = open(p(name), O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0, "create %s", name);
    size_t len = strlen(data);
    CHECK(write(fd, data, len) == (ssize_t)len, "write %s", name);
    return fd;
}

static void streams(void) {
    struct stat st;
    CHECK_ERR(lseek(0, 0, SEEK_CUR), ESPIPE, "lseek on stdin");
    CHECK_ERR(lseek(1, 0, SEEK_SET), ESPIPE, "lseek on stdout");
    CHECK(isatty(0) == 0 && isatty(1) == 0 && isatty(2) == 0, "the in-memory streams are not terminals");
    OK("isatty is false on pipes");
    CHECK(fstat(0, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode), "fstat(stdin)");
    char buf[64] = {0};
    CHECK_ERR(write(0, "x", 1), EBADF, "write to stdin");
    CHECK_ERR(read(1, buf, 1), EBADF, "read from stdout");
    CHECK_ERR(pread(0, buf, 4, 0), ESPIPE, "pread on stdin");

    struct pollfd pf[2] = {{0, POLLIN, 0}, {1, POLLOUT, 0}};
    int n = poll(pf, 2, 1000);
    CHECK(n == 2 && (pf[0].revents & POLLIN) && (pf[1].revents & POLLOUT), "poll stdin/stdout: %d, %x %x", n,
          pf[0].revents, pf[1].revents);
    OK("poll: stdin readable, stdout writable");

    // Vectored read of stdin ("stdin data\n") into three pieces.
    char a[3], b[4], c[16] = {0};
    struct iovec iov[3] = {{a, 3}, {b, 4}, {c, sizeof c}};
    ssize_t r = readv(0, iov, 3);
    CHECK(r == 11 && memcmp(a, "std", 3) == 0 && memcmp(b, "in d", 4) == 0 && memcmp(c, "ata\n", 4) == 0,
          "readv read %zd", r);
    CHECK(read(0, buf, sizeof buf) == 0, "stdin at end of file");
    OK("readv of stdin into three buffers");
    struct iovec out[3] = {{"writev ", 7}, {"", 0}, {"works\n", 6}};
    CHECK(writev(1, out, 3) == 13, "writev");
}

static void flags_and_renumber(void) {
    int fd = make("flags.txt", "0123");
    int fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_ACCMODE) == O_RDWR && !(fl & O_APPEND), "F_GETFL of an O_RDWR file: %x", fl);
    CHECK(fcntl(fd, F_SETFL, O_APPEND) == 0, "F_SETFL O_APPEND");
    fl = fcntl(fd, F_GETFL);
    CHECK(fl >= 0 && (fl & O_APPEND), "F_GETFL after F_SETFL O_APPEND: %x", fl);
    CHECK(lseek(fd, 0, SEEK_SET) == 0, "lseek");
    CHECK(write(fd, "45", 2) == 2, "write");
    char buf[16] = {0};
    CHECK(pread(fd, buf, sizeof buf, 0) == 6 && memcmp(buf, "012345", 6) == 0, "O_APPEND set by fcntl: %s", buf);
    OK("fcntl F_SETFL O_APPEND makes writes append");
    CHECK(fcntl(fd, F_SETFL, 0) == 0, "F_SETFL 0");
    CHECK(lseek(fd, 0, SEEK_SET) == 0 && write(fd, "ab", 2) == 2, "write at 0");
    CHECK(pread(fd, buf, sizeof buf, 0) == 6 && memcmp(buf, "ab2345", 6) == 0, "after clearing O_APPEND: %s", buf);
    OK("fcntl F_SETFL 0 clears O_APPEND");
    int ro = open(p("flags.txt"), O_RDONLY);
    CHECK(ro >= 0, "open O_RDONLY");
    fl = fcntl(ro, F_GETFL);
    CHECK((fl & O_ACCMODE) == O_RDONLY, "F_GETFL of an O_RDONLY file: %x", fl);
    int wo = open(p("flags.txt"), O_WRONLY | O_APPEND);
    CHECK(wo >= 0, "open O_WRONLY");
    fl = fcntl(wo, F_GETFL);
    CHECK((fl & O_ACCMODE) == O_WRONLY && (fl & O_APPEND), "F_GETFL of an O_WRONLY|O_APPEND file: %x", fl);
    OK("F_GETFL reports the access mode");

    // fd_renumber: `wo` now names what `ro` named, and `ro` is closed.
    CHECK(__wasi_fd_renumber((__wasi_fd_t)ro, (__wasi_fd_t)wo) == 0, "fd_renumber");
    CHECK_ERR(fcntl(ro, F_GETFL), EBADF, "F_GETFL of the renumbered-from descriptor");
    fl = fcntl(wo, F_GETFL);
    CHECK((fl & O_ACCMODE) == O_RDONLY, "renumbered descriptor is the read-only one: %x", fl);
    CHECK(read(wo, buf, 2) == 2 && memcmp(buf, "ab", 2) == 0, "read through the renumbered descriptor");
    CHECK(__wasi_fd_renumber((__wasi_fd_t)wo, (__wasi_fd_t)wo) == 0, "fd_renumber onto itself");
    CHECK(read(wo, buf, 2) == 2 && memcmp(buf, "23", 2) == 0, "still open after renumbering onto itself");
    CHECK(__wasi_fd_renumber((__wasi_fd_t)wo, 1000) == __WASI_ERRNO_BADF, "fd_renumber to a closed number");
    OK("fd_renumber");
    close(wo);
    close(fd);

    // posix_fallocate grows, posix_fadvise is accepted.
    fd = make("alloc.txt", "x");
    CHECK(posix_fallocate(fd, 0, 4096) == 0, "posix_fallocate");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 4096, "size after posix_fallocate: %lld", (long long)st.st_size);
    CHECK(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0, "posix_fadvise");
    CHECK(fsync(fd) == 0, "fsync");
    close(fd);
    CHECK(unlink(p("alloc.txt")) == 0, "unlink");
    OK("posix_fallocate and posix_fadvise");
    CHECK(sched_yield() == 0, "sched_yield");
    OK("sched_yield");
}

static void offsets(void) {
    int fd = make("sparse.bin", "");
    const off_t big = (off_t)5 << 30; // 5 GiB: past 32 bits
    CHECK(pwrite(fd, "!", 1, big) == 1, "pwrite at 5 GiB");
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == big + 1, "size %lld, want %lld", (long long)st.st_size,
          (long long)(big + 1));
    char c = 0;
    CHECK(pread(fd, &c, 1, big) == 1 && c == '!', "pread at 5 GiB");
    CHECK(lseek(fd, big, SEEK_SET) == big, "lseek to 5 GiB");
    CHECK(lseek(fd, 0, SEEK_END) == big + 1, "lseek to the end");
    // Offsets that overflow 64 bits fail; they neither wrap nor crash the host.
    CHECK(lseek(fd, big, SEEK_SET) == big, "lseek");
    CHECK(lseek(fd, INT64_MAX, SEEK_CUR) == -1, "lseek by INT64_MAX from 5 GiB must fail");
    CHECK(lseek(fd, INT64_MAX, SEEK_END) == -1, "lseek to INT64_MAX past the end must fail");
    CHECK(lseek(fd, INT64_MIN, SEEK_CUR) == -1, "lseek by INT64_MIN must fail");
    CHECK(lseek(fd, INT64_MIN, SEEK_END) == -1, "lseek to INT64_MIN from the end must fail");
    CHECK(lseek(fd, 0, SEEK_CUR) == big, "offset unchanged by the failed lseeks");
    CHECK(pread(fd, &c, 1, INT64_MAX) <= 0, "pread at INT64_MAX");
    CHECK(pwrite(fd, "x", 1, INT64_MAX) == -1, "pwrite at INT64_MAX must fail");
    OK("lseek, pread and pwrite near INT64_MAX fail cleanly");
    CHECK(ftruncate(fd, 0) == 0, "ftruncate");
    close(fd);
    CHECK(unlink(p("sparse.bin")) == 0, "unlink");
    OK("offsets past 4 GiB");
}

static void directories(void) {
    CHECK(mkdir(p("d"), 0755) == 0 && mkdir(p("d/inner"), 0755) == 0, "mkdir");
    close(make("d/f", "f"));
    close(make("plain", "p"));
    CHECK_ERR(open(p("d"), O_WRONLY), EISDIR, "open a directory for writing");
    int dfd = open(p("d"), O_RDONLY | O_DIRECTORY);
    CHECK(dfd >= 0, "open a directory");
    char buf[8];
    CHECK(read(dfd, buf, sizeof buf) == -1, "read() of a directory must fail");
    OK("read() of a directory fails (%s)", strerror(errno));
    struct stat st;
    CHECK(fstat(dfd, &st) == 0 && S_ISDIR(st.st_mode), "fstat of a directory descriptor");
    close(dfd);
    CHECK_ERR(open(p("plain"), O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file");
    CHECK_ERR(open(p("plain/"), O_RDONLY), ENOTDIR, "a file with a trailing slash");

    CHECK(mkdir(p("e"), 0755) == 0, "mkdir e");
    CHECK_ERR(rename(p("e"), p("d")), ENOTEMPTY, "rename a directory over a non-empty one");
    CHECK_ERR(rename(p("plain"), p("e")), EISDIR, "rename a file over a directory");
    CHECK_ERR(rename(p("e"), p("plain")), ENOTDIR, "rename a directory over a file");
    CHECK_ERR(rename(p("d"), p("d/inner/d")), EINVAL, "rename a directory into itself");
    CHECK(mkdir(p("d/inner/x"), 0755) == 0, "mkdir");
    CHECK(rename(p("e"), p("d/inner/x")) == 0, "rename a directory over an empty one");
    CHECK(stat(p("e"), &st) == -1 && stat(p("d/inner/x"), &st) == 0, "after the rename");
    OK("rename of directories");

    // telldir/seekdir (fd_readdir cookies).
    for (int i = 0; i < 20; i++) {
        char name[32];
        snprintf(name, sizeof name, "d/entry%02d", i);
        close(make(name, ""));
    }
    DIR *d = opendir(p("d"));
    CHECK(d != NULL, "opendir");
    struct dirent *e;
    for (int i = 0; i < 5; i++)
        CHECK(readdir(d) != NULL, "readdir %d", i);
    long pos = telldir(d);
    e = readdir(d);
    CHECK(e != NULL, "readdir");
    char saved[256];
    snprintf(saved, sizeof saved, "%s", e->d_name);
    for (int i = 0; i < 5; i++)
        CHECK(readdir(d) != NULL, "readdir");
    seekdir(d, pos);
    e = readdir(d);
    CHECK(e != NULL && strcmp(e->d_name, saved) == 0, "seekdir back: got %s, want %s", e ? e->d_name : "(end)",
          saved);
    CHECK(closedir(d) == 0, "closedir");
    OK("telldir and seekdir");

    // readlink into a short buffer truncates; lstat of a symlink.
    CHECK(symlink("a-rather-long-target-name", p("lnk")) == 0, "symlink");
    char small[6];
    ssize_t n = readlink(p("lnk"), small, sizeof small);
    CHECK(n == 6 && memcmp(small, "a-rath", 6) == 0, "readlink into 6 bytes gave %zd", n);
    OK("readlink truncates to the buffer");
    CHECK(lstat(p("lnk"), &st) == 0 && S_ISLNK(st.st_mode) && st.st_size == 25, "lstat of a symlink: size %lld",
          (long long)st.st_size);
    OK("lstat of a symlink: its size is the target's length");
    CHECK(symlink("d", p("dlink")) == 0, "symlink to a directory");
    d = opendir(p("dlink"));
    CHECK(d != NULL, "opendir through a symlink");
    int count = 0;
    while ((e = readdir(d)) != NULL)
        count += e->d_name[0] != '.';
    closedir(d);
    CHECK(count == 22, "listing through a symlink found %d", count);
    OK("opendir through a symlink to a directory");
    // A trailing "/." resolves the symlink even for lstat.
    CHECK(lstat(p("dlink/."), &st) == 0 && S_ISDIR(st.st_mode), "lstat dlink/. is the directory, not the link: mode %o",
          (unsigned)st.st_mode);
    CHECK(lstat(p("dlink/"), &st) == 0 && S_ISDIR(st.st_mode), "lstat dlink/ is the directory, not the link: mode %o",
          (unsigned)st.st_mode);
    OK("lstat through a trailing slash or dot resolves the symlink");
}

// A trailing slash asks for a directory: fine on one, ENOTDIR on anything else (as on Linux).
static void trailing_slashes(void) {
    struct stat st;
    CHECK(mkdir(p("slash/"), 0755) == 0, "mkdir with a trailing slash");
    CHECK(stat(p("slash/"), &st) == 0 && S_ISDIR(st.st_mode), "stat with a trailing slash");
    CHECK(rename(p("slash/"), p("slash2")) == 0, "rename a directory from a name with a trailing slash");
    CHECK(rename(p("slash2"), p("slash3/")) == 0, "rename a directory to a name with a trailing slash");
    CHECK(rename(p("slash3/"), p("slash/")) == 0, "rename a directory with trailing slashes on both");
    OK("mkdir, stat and rename of a directory with a trailing slash");
    close(make("sfile", "s"));
    CHECK_ERR(rmdir(p("sfile/")), ENOTDIR, "rmdir of a file with a trailing slash");
    CHECK_ERR(unlink(p("sfile/")), ENOTDIR, "unlink of a file with a trailing slash");
    CHECK_ERR(rename(p("sfile/"), p("sfile2")), ENOTDIR, "rename of a file from a name with a trailing slash");
    CHECK_ERR(rename(p("sfile"), p("sfile2/")), ENOTDIR, "rename of a file to a name with a trailing slash");
    CHECK(stat(p("sfile"), &st) == 0 && S_ISREG(st.st_mode), "the file is still there");
    CHECK(stat(p("sfile2"), &st) == -1 && errno == ENOENT, "no sfile2 was made");
    CHECK_ERR(link(p("sfile/"), p("hl")), ENOTDIR, "link from a file name with a trailing slash");
    CHECK(rmdir(p("slash/")) == 0, "rmdir with a trailing slash");
    CHECK(stat(p("slash"), &st) == -1 && errno == ENOENT, "the directory is gone");
    OK("rmdir with a trailing slash");
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: descriptors DIR\n");
        return 2;
    }
    root = argv[1];
    setvbuf(stdout, NULL, _IONBF, 0); // so writev's line lands in order
    streams();
    flags_and_renumber();
    offsets();
    directories();
    trailing_slashes();
    if (failures) {
        printf("%d descriptor checks failed\n", failures);
        return 1;
    }
    printf("all descriptor checks passed\n");
    return 0;
}
