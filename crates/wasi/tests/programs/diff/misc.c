// Arguments, environment, clocks, randomness, sched_yield, poll_oneoff, proc_raise and
// proc_exit, through raw calls (invalid clock ids, signals and subscriptions, on which wasmtime
// traps, are in raw.wat). `prog exit N` only calls proc_exit(N); `prog raise` tries
// proc_raise; otherwise everything else runs.
#include <stdlib.h>

#include "diff.h"

static char buf[1024];
static char *ptrs[32];

// `what_sizes_get` then `what_get` (args or environ), and each string where it landed.
static void strings(const char *what, __wasi_errno_t (*sizes_get)(__wasi_size_t *, __wasi_size_t *),
                    __wasi_errno_t (*get)(uint8_t **, uint8_t *)) {
    __wasi_size_t count = 0, size = 0;
    __wasi_errno_t e = sizes_get(&count, &size);
    report(key("%s_sizes_get", what), e, "count=%lu size=%lu", (unsigned long)count,
           (unsigned long)size);
    memset(buf, 0x55, sizeof buf);
    e = get((uint8_t **)ptrs, (uint8_t *)buf);
    report(key("%s_get", what), e, "");
    for (__wasi_size_t i = 0; e == 0 && i < count && i < 32; i++)
        printf("%s[%lu] \"%s\" at +%ld\n", what, (unsigned long)i, ptrs[i], (long)(ptrs[i] - buf));
    printf("%s buffer byte after the last: 0x%02x\n", what, (unsigned char)buf[size]);
}

static void args_and_environ(void) {
    strings("args", __wasi_args_sizes_get, __wasi_args_get);
    strings("environ", __wasi_environ_sizes_get, __wasi_environ_get);
    printf("getenv(DIFF_VAR) = %s\n", getenv("DIFF_VAR") ? getenv("DIFF_VAR") : "(null)");
    printf("getenv(EMPTY) = \"%s\"\n", getenv("EMPTY") ? getenv("EMPTY") : "(null)");
    printf("getenv(PATH) = %s\n", getenv("PATH") ? "set" : "(null)");
}

static void clocks_and_random(void) {
    // Unknown clock ids are in raw.wat: wasmtime traps on them.
    static const char *const names[] = {"REALTIME", "MONOTONIC", "PROCESS_CPUTIME", "THREAD_CPUTIME"};
    static const __wasi_clockid_t ids[] = {0, 1, 2, 3};
    for (int i = 0; i < 4; i++) {
        __wasi_timestamp_t res = 0, t1 = 0, t2 = 0;
        __wasi_errno_t e = __wasi_clock_res_get(ids[i], &res);
        report(key("clock_res_get(%s)", names[i]), e, "res>0: %d", res > 0);
        e = __wasi_clock_time_get(ids[i], 1, &t1);
        report(key("clock_time_get(%s, precision 1)", names[i]), e, "t>0: %d", t1 > 0);
        e = __wasi_clock_time_get(ids[i], 0, &t2);
        report(key("clock_time_get(%s, precision 0) again", names[i]), e, "not before the first: %d",
               t2 >= t1);
    }
    __wasi_timestamp_t now = 0;
    CALL("clock_time_get(REALTIME) for the year", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now));
    printf("realtime after 2020: %d\n", now > 1577836800ull * 1000000000ull);

    uint8_t r[64];
    memset(r, 0, sizeof r);
    __wasi_errno_t e = __wasi_random_get(r, sizeof r);
    int nonzero = 0;
    for (size_t i = 0; i < sizeof r; i++)
        nonzero += r[i] != 0;
    report("random_get(64)", e, "some bytes set: %d", nonzero > 8);
    CALL("random_get(0)", __wasi_random_get(r, 0));
    CALL("sched_yield", __wasi_sched_yield());
}

static void poll(const char *what, __wasi_subscription_t *subs, __wasi_size_t n) {
    __wasi_event_t ev[8];
    memset(ev, 0xee, sizeof ev);
    __wasi_size_t got = 99;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, n, &got);
    char detail[512] = "";
    for (__wasi_size_t i = 0; e == 0 && i < got && i < 8; i++) {
        char one[96];
        snprintf(one, sizeof one, " {userdata=%llu error=%s type=%u}",
                 (unsigned long long)ev[i].userdata, errno_name(ev[i].error), ev[i].type);
        strcat(detail, one);
    }
    report(key("poll_oneoff(%s)", what), e, "n=%u%s", got, detail);
}

static void polls(void) {
    __wasi_timestamp_t mono = 0, real = 0;
    CALL("clock_time_get(MONOTONIC) before polling", __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &mono));
    CALL("clock_time_get(REALTIME) before polling", __wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &real));
    __wasi_subscription_t s[4];

    s[0] = clock_subscription(1, __WASI_CLOCKID_MONOTONIC, 0, 0);
    poll("monotonic relative 0", s, 1);
    s[0] = clock_subscription(2, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
    poll("monotonic relative 1ms", s, 1);
    s[0] = clock_subscription(3, __WASI_CLOCKID_REALTIME, 1000000, 0);
    poll("realtime relative 1ms", s, 1);
    s[0] = clock_subscription(4, __WASI_CLOCKID_MONOTONIC, mono, 1);
    poll("monotonic absolute in the past", s, 1);
    s[0] = clock_subscription(5, __WASI_CLOCKID_REALTIME, real - 1000000000ull, 1);
    poll("realtime absolute in the past", s, 1);
    s[0] = clock_subscription(6, __WASI_CLOCKID_REALTIME, real + 2000000ull, 1);
    poll("realtime absolute 2ms ahead", s, 1);
    s[0] = clock_subscription(7, __WASI_CLOCKID_PROCESS_CPUTIME_ID, 1000, 0);
    poll("process cputime relative", s, 1);
    s[0] = clock_subscription(9, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
    s[1] = clock_subscription(10, __WASI_CLOCKID_MONOTONIC, 1000000, 0);
    poll("two clocks, 5s and 1ms", s, 2);
    poll("no subscriptions", s, 0);

    s[0] = fd_subscription(20, __WASI_EVENTTYPE_FD_READ, 0);
    poll("stdin read", s, 1);
    s[0] = fd_subscription(21, __WASI_EVENTTYPE_FD_WRITE, 1);
    s[1] = fd_subscription(22, __WASI_EVENTTYPE_FD_WRITE, 2);
    poll("stdout and stderr write", s, 2);
    s[0] = clock_subscription(23, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
    s[1] = fd_subscription(24, __WASI_EVENTTYPE_FD_WRITE, 1);
    poll("5s clock and stdout write", s, 2);

    __wasi_fd_t f = open_at(3, "file.txt", 0, R_READ | R_OTHER, 0);
    __wasi_fd_t empty = open_at(3, "empty.txt", 0, R_READ | R_OTHER, 0);
    printf("opened file.txt and empty.txt: %d %d\n", f != (__wasi_fd_t)-1,
           empty != (__wasi_fd_t)-1);
    // One file at a time: wasmtime reads a file in the background to find it ready, so which
    // of several files (or zero-length clocks) it reports at once varies from run to run.
    s[0] = fd_subscription(30, __WASI_EVENTTYPE_FD_READ, f);
    poll("read file.txt", s, 1);
    s[0] = fd_subscription(31, __WASI_EVENTTYPE_FD_READ, empty);
    poll("read empty.txt", s, 1);
    s[0] = fd_subscription(32, __WASI_EVENTTYPE_FD_WRITE, f);
    poll("write file.txt opened for reading", s, 1);
}

// wasi-libc no longer declares proc_raise.
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise"))) uint16_t
proc_raise(uint32_t sig);
#define SIGNAL_USR1 10
#define SIGNAL_TERM 15

static void raise_signals(void) {
    CALL("proc_raise(0)", proc_raise(0));
    CALL("proc_raise(SIGUSR1)", proc_raise(SIGNAL_USR1));
    CALL("proc_raise(SIGTERM)", proc_raise(SIGNAL_TERM));
    printf("still running after proc_raise\n");
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "exit") == 0) {
        int code = atoi(argv[2]);
        printf("proc_exit(%d) next\n", code);
        fflush(stdout);
        __wasi_proc_exit((__wasi_exitcode_t)code);
    }
    if (argc == 2 && strcmp(argv[1], "raise") == 0) {
        raise_signals();
        return 0;
    }
    args_and_environ();
    clocks_and_random();
    polls();
    fprintf(stderr, "to stderr\n");
    return 7;
}
