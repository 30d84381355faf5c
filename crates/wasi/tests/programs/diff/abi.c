// The functions whose ABI differs between wasi_snapshot_preview1 and the older wasi_unstable:
// fd_seek (whence numbering), fd_filestat_get and path_filestat_get (a 56-byte filestat with a
// 32-bit link count) and poll_oneoff (a clock subscription with an extra identifier field).
// Built twice: as is, against preview 1, and with -DWASI_UNSTABLE against wasi_unstable, with
// that ABI's own layouts; both builds print the same lines when the host gets both right.
#include "diff.h"

#ifdef WASI_UNSTABLE
#define UNSTABLE(name) __attribute__((import_module("wasi_unstable"), import_name(#name)))

// wasi_unstable's filestat: nlink is a u32 at 20, so the struct is 56 bytes.
typedef struct {
    uint64_t dev;
    uint64_t ino;
    uint8_t filetype;
    uint32_t nlink;
    uint64_t size, atim, mtim, ctim;
} filestat_t;
_Static_assert(sizeof(filestat_t) == 56, "wasi_unstable filestat is 56 bytes");
_Static_assert(__builtin_offsetof(filestat_t, size) == 24, "size at 24");

// wasi_unstable's subscription: userdata, tag, then at 16 the clock's identifier, id at 24,
// timeout at 32, precision at 40, flags at 48 (56 bytes); an fd subscription's fd at 16.
typedef struct {
    uint64_t userdata;
    uint8_t tag;
    union {
        struct {
            uint64_t identifier;
            uint32_t id;
            uint64_t timeout, precision;
            uint16_t flags;
        } clock;
        struct {
            uint32_t fd;
        } fd;
    } u;
} subscription_t;
_Static_assert(sizeof(subscription_t) == 56, "wasi_unstable subscription is 56 bytes");

UNSTABLE(fd_seek) uint16_t u_fd_seek(uint32_t fd, int64_t offset, uint32_t whence, uint64_t *out);
UNSTABLE(fd_filestat_get) uint16_t u_fd_filestat_get(uint32_t fd, filestat_t *out);
UNSTABLE(path_filestat_get)
uint16_t u_path_filestat_get(uint32_t fd, uint32_t flags, const char *path, size_t len,
                             filestat_t *out);
UNSTABLE(poll_oneoff)
uint16_t u_poll_oneoff(const subscription_t *in, __wasi_event_t *out, uint32_t n, uint32_t *nevents);
#define SEEK_SET_ 2
#define SEEK_CUR_ 0
#define SEEK_END_ 1

static uint16_t seek(uint32_t fd, int64_t offset, uint32_t whence, uint64_t *out) {
    return u_fd_seek(fd, offset, whence, out);
}
static uint16_t fstat_(uint32_t fd, filestat_t *st) { return u_fd_filestat_get(fd, st); }
static uint16_t pstat(uint32_t fd, uint32_t flags, const char *path, filestat_t *st) {
    return u_path_filestat_get(fd, flags, path, strlen(path), st);
}
static subscription_t clock_sub(uint64_t userdata, uint32_t id, uint64_t timeout, int abstime) {
    subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.clock.identifier = 0x1d;
    s.u.clock.id = id;
    s.u.clock.timeout = timeout;
    s.u.clock.flags = abstime ? 1 : 0;
    return s;
}
static subscription_t fd_sub(uint64_t userdata, uint8_t tag, uint32_t fd) {
    subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = userdata;
    s.tag = tag;
    s.u.fd.fd = fd;
    return s;
}
static uint16_t poll(const subscription_t *s, __wasi_event_t *ev, uint32_t n, uint32_t *got) {
    return u_poll_oneoff(s, ev, n, got);
}
#else
typedef __wasi_filestat_t filestat_t;
typedef __wasi_subscription_t subscription_t;
#define SEEK_SET_ __WASI_WHENCE_SET
#define SEEK_CUR_ __WASI_WHENCE_CUR
#define SEEK_END_ __WASI_WHENCE_END

static uint16_t seek(uint32_t fd, int64_t offset, uint32_t whence, uint64_t *out) {
    return __wasi_fd_seek(fd, offset, (__wasi_whence_t)whence, out);
}
static uint16_t fstat_(uint32_t fd, filestat_t *st) { return __wasi_fd_filestat_get(fd, st); }
static uint16_t pstat(uint32_t fd, uint32_t flags, const char *path, filestat_t *st) {
    return __wasi_path_filestat_get(fd, flags, path, st);
}
static subscription_t clock_sub(uint64_t userdata, uint32_t id, uint64_t timeout, int abstime) {
    return clock_subscription(userdata, id, timeout, abstime);
}
static subscription_t fd_sub(uint64_t userdata, uint8_t tag, uint32_t fd) {
    return fd_subscription(userdata, tag, fd);
}
static uint16_t poll(const subscription_t *s, __wasi_event_t *ev, uint32_t n, uint32_t *got) {
    return __wasi_poll_oneoff((const __wasi_subscription_t *)s, ev, n, (__wasi_size_t *)got);
}
#endif

static const char *stat_str(const filestat_t *st) {
    static char buf[96];
    snprintf(buf, sizeof buf, "%s nlink=%u size=%llu", filetype_name(st->filetype),
             (unsigned)st->nlink, (unsigned long long)st->size);
    return buf;
}

static void seeks(const char *what, __wasi_fd_t fd) {
    static const int64_t offsets[] = {0, 3, -2, 100, -100};
    static const struct {
        const char *name;
        uint32_t whence;
    } whences[] = {{"SET", SEEK_SET_}, {"CUR", SEEK_CUR_}, {"END", SEEK_END_}};
    for (int w = 0; w < 3; w++)
        for (int o = 0; o < 5; o++) {
            uint64_t at = 0;
            uint16_t e = seek(fd, offsets[o], whences[w].whence, &at);
            report(key("fd_seek(%s, %lld, %s)", what, (long long)offsets[o], whences[w].name), e,
                   "%llu", (unsigned long long)at);
        }
}

int main(void) {
    __wasi_fd_t f = open_at(3, "file.txt", 0, R_READ | R_OTHER, 0);
    __wasi_fd_t dir = open_at(3, "dir", __WASI_OFLAGS_DIRECTORY, R_READ | R_OTHER, 0);
    printf("opened file.txt and dir: %d %d\n", f != (__wasi_fd_t)-1, dir != (__wasi_fd_t)-1);
    seeks("file.txt", f);
    seeks("stdin", 0);
    seeks("dir", dir);

    // Two more links to file.txt, so that nlink is 3 whichever width it has.
    CALL("path_link(file.txt, hard1)", __wasi_path_link(3, 0, "file.txt", 3, "hard1"));
    CALL("path_link(file.txt, hard2)", __wasi_path_link(3, 0, "file.txt", 3, "hard2"));
    filestat_t st;
    const struct {
        const char *name;
        __wasi_fd_t fd;
    } fds[] = {{"file.txt", f}, {"dir", dir}, {"preopen", 3}, {"stdin", 0}, {"stdout", 1}};
    for (int i = 0; i < 5; i++) {
        memset(&st, 0xaa, sizeof st);
        uint16_t e = fstat_(fds[i].fd, &st);
        report(key("fd_filestat_get(%s)", fds[i].name), e, "%s", stat_str(&st));
    }
    static const char *const paths[] = {"file.txt", "dir", "link_file", "link_dir", "dangling",
                                        "missing",  "dir/inner.txt", "loop1"};
    for (int i = 0; i < 8; i++)
        for (int follow = 0; follow < 2; follow++) {
            memset(&st, 0xaa, sizeof st);
            uint16_t e = pstat(3, (uint32_t)follow, paths[i], &st);
            report(key("path_filestat_get(%s, %s)", paths[i], follow ? "follow" : "nofollow"), e,
                   "%s", stat_str(&st));
        }

    __wasi_timestamp_t now = 0;
    CALL("clock_time_get(MONOTONIC)", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &now));
    subscription_t s[3];
    __wasi_event_t ev[3];
    uint32_t got = 0;
    struct {
        const char *name;
        int n;
    } polls[5] = {{"relative 1ms", 1}, {"absolute in the past", 1}, {"5s and 1ms", 2},
                  {"stdout write", 1}, {"5s and stdout write", 2}};
    for (int p = 0; p < 5; p++) {
        switch (p) {
        case 0: s[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 1000000, 0); break;
        case 1: s[0] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, now, 1); break;
        case 2:
            s[0] = clock_sub(3, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
            s[1] = clock_sub(4, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
            break;
        case 3: s[0] = fd_sub(5, __WASI_EVENTTYPE_FD_WRITE, 1); break;
        default:
            s[0] = clock_sub(6, __WASI_CLOCKID_REALTIME, 5000000000ull, 0);
            s[1] = fd_sub(7, __WASI_EVENTTYPE_FD_WRITE, 1);
        }
        memset(ev, 0, sizeof ev);
        uint16_t e = poll(s, ev, (uint32_t)polls[p].n, &got);
        report(key("poll_oneoff(%s)", polls[p].name), e, "n=%u first: userdata=%llu type=%u", got,
               (unsigned long long)ev[0].userdata, ev[0].type);
    }
    return 0;
}
