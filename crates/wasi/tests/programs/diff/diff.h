// Shared by the differential WASI programs (tests/wasi/differential.rs runs each under WVM and
// under wasmtime and compares everything they print, line by line).
//
// Every WASI call a program makes is reported as one line
//
//     KEY = RESULT
//
// where KEY names the function, its arguments and the kind of descriptor it was called on
// (unique within a program: the harness counts distinct keys and matches lines by key), and
// RESULT is the errno's name followed by what the call returned, printed only where it is the
// same on every run and machine (no timestamps, no inode numbers, no host paths).
#ifndef DIFF_H
#define DIFF_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *const ERRNO_NAMES[] = {
    "OK", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN", "EALREADY",
    "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED", "ECONNREFUSED",
    "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST", "EFAULT", "EFBIG",
    "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL", "EIO", "EISCONN",
    "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP", "ENAMETOOLONG", "ENETDOWN",
    "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV", "ENOENT", "ENOEXEC", "ENOLCK",
    "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC", "ENOSYS", "ENOTCONN", "ENOTDIR",
    "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP", "ENOTTY", "ENXIO", "EOVERFLOW",
    "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO", "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS",
    "ESPIPE", "ESRCH", "ESTALE", "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
};

static inline const char *errno_name(unsigned e) {
    static char other[16];
    if (e < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0])
        return ERRNO_NAMES[e];
    snprintf(other, sizeof other, "E#%u", e);
    return other;
}

static char diff_key[256];

// Formats the key of the next report (printf-style).
static inline const char *key(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diff_key, sizeof diff_key, fmt, ap);
    va_end(ap);
    return diff_key;
}

// `KEY = ERRNO` and, if the call succeeded, ` DETAIL` (printf-style, may be NULL).
static inline void report(const char *k, __wasi_errno_t e, const char *detail_fmt, ...) {
    printf("%s = %s", k, errno_name(e));
    if (e == 0 && detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        putchar(' ');
        vprintf(detail_fmt, ap);
        va_end(ap);
    }
    putchar('\n');
    fflush(stdout);
}

// `KEY = ERRNO` for calls whose success returns nothing worth printing.
#define CALL(k, expr) report((k), (expr), NULL)

static const char *const FILETYPE_NAMES[] = {"unknown", "blockdev", "chardev", "dir", "file",
                                             "dgram", "stream", "symlink"};

static inline const char *filetype_name(__wasi_filetype_t t) {
    return t < 8 ? FILETYPE_NAMES[t] : "?";
}

// What a filestat says that is the same on every machine: type, links, size.
static inline const char *filestat_str(const __wasi_filestat_t *st) {
    static char buf[96];
    snprintf(buf, sizeof buf, "%s nlink=%llu size=%llu", filetype_name(st->filetype),
             (unsigned long long)st->nlink, (unsigned long long)st->size);
    return buf;
}

// `KEY = ERRNO entries: NAME...`: the names in an fd_readdir buffer of `used` bytes, sorted, so
// that the host's directory order does not matter.
static inline void print_dirents(const char *k, __wasi_errno_t e, const uint8_t *b,
                                 __wasi_size_t used) {
    static char names[64][64];
    int n = 0;
    size_t at = 0;
    while (e == 0 && at + sizeof(__wasi_dirent_t) <= used && n < 64) {
        __wasi_dirent_t d;
        memcpy(&d, b + at, sizeof d);
        at += sizeof d;
        size_t len = d.d_namlen < 63 ? d.d_namlen : 63;
        if (at + len > used)
            len = used - at;
        memcpy(names[n], b + at, len);
        names[n][len] = 0;
        at += d.d_namlen;
        n++;
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[i], names[j]) > 0) {
                char t[64];
                strcpy(t, names[i]);
                strcpy(names[i], names[j]);
                strcpy(names[j], t);
            }
    static char list[64 * 65];
    list[0] = 0;
    for (int i = 0; i < n; i++) {
        strcat(list, " ");
        strcat(list, names[i]);
    }
    report(k, e, "entries:%s", list);
}

// A poll_oneoff subscription to a clock (relative, or absolute if `abstime`).
static inline __wasi_subscription_t clock_subscription(uint64_t userdata, __wasi_clockid_t id,
                                                       uint64_t timeout, int abstime) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = abstime ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

// A poll_oneoff subscription to a descriptor (`tag`: FD_READ or FD_WRITE).
static inline __wasi_subscription_t fd_subscription(uint64_t userdata, __wasi_eventtype_t tag,
                                                    __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.u.tag = tag;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

// Every right WASI defines.
#define R_ALL ((__wasi_rights_t)0x3fffffff)
#define R_READ ((__wasi_rights_t)(__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR))
#define R_WRITE                                                                                    \
    ((__wasi_rights_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |                        \
                       __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE))
// What wasi-libc asks for besides read and write: everything that contradicts neither.
#define R_OTHER ((__wasi_rights_t)(~(R_READ | R_WRITE) & R_ALL))


// Opens `path` beneath `dir` with every right its directory can pass on; -1 if that fails.
static inline __wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                                  __wasi_rights_t rights, __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd;
    __wasi_fdstat_t st;
    __wasi_rights_t inheriting = R_ALL;
    if (__wasi_fd_fdstat_get(dir, &st) == 0)
        inheriting = st.fs_rights_inheriting;
    if (__wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights & inheriting,
                         inheriting, fdflags, &fd) != 0)
        return (__wasi_fd_t)-1;
    return fd;
}

#endif
