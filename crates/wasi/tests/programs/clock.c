// clock: clock_gettime for the realtime, monotonic and process CPU-time clocks; they advance;
// clock_getres works; nanosleep and usleep (poll_oneoff) sleep at least what they are asked.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define FAIL(...)                                                                                \
    do {                                                                                         \
        printf("FAIL ");                                                                         \
        printf(__VA_ARGS__);                                                                     \
        printf(" (errno %d: %s)\n", errno, strerror(errno));                                     \
        exit(1);                                                                                 \
    } while (0)

static int64_t ns(clockid_t id, const char *name) {
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        FAIL("clock_gettime(%s)", name);
    if (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
        FAIL("clock_gettime(%s): tv_nsec out of range: %ld", name, (long)ts.tv_nsec);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static volatile uint64_t sink;

// Burns CPU until `id` moves past `start` (bounded, so a stuck clock fails instead of hanging).
static int64_t spin_until_advances(clockid_t id, const char *name, int64_t start) {
    for (long round = 0; round < 2000; round++) {
        for (uint64_t i = 0; i < 100000; i++)
            sink += i * i;
        int64_t now = ns(id, name);
        if (now < start)
            FAIL("%s went backwards: %lld then %lld", name, (long long)start, (long long)now);
        if (now > start)
            return now;
    }
    FAIL("%s did not advance", name);
}

static void check_res(clockid_t id, const char *name) {
    struct timespec res;
    if (clock_getres(id, &res) != 0)
        FAIL("clock_getres(%s)", name);
    int64_t r = (int64_t)res.tv_sec * 1000000000 + res.tv_nsec;
    if (r <= 0 || r > 1000000000)
        FAIL("clock_getres(%s) = %lld ns", name, (long long)r);
    printf("ok clock_getres(%s) in (0, 1s]\n", name);
}

int main(void) {
    int64_t real = ns(CLOCK_REALTIME, "CLOCK_REALTIME");
    // 2020-01-01T00:00:00Z: the host's wall clock, not zero or a made-up epoch.
    if (real < (int64_t)1577836800 * 1000000000)
        FAIL("CLOCK_REALTIME is before 2020: %lld", (long long)real);
    printf("ok CLOCK_REALTIME after 2020\n");
    spin_until_advances(CLOCK_REALTIME, "CLOCK_REALTIME", real);
    printf("ok CLOCK_REALTIME advances\n");

    time_t t = time(NULL);
    if (t < 1577836800 || (int64_t)t > real / 1000000000 + 60)
        FAIL("time(NULL) = %lld disagrees with CLOCK_REALTIME", (long long)t);
    struct timeval tv;
    if (gettimeofday(&tv, NULL) != 0 || tv.tv_sec < 1577836800)
        FAIL("gettimeofday");
    printf("ok time and gettimeofday\n");

    int64_t mono = ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    spin_until_advances(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", mono);
    printf("ok CLOCK_MONOTONIC advances\n");

    int64_t cpu = ns(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID");
    spin_until_advances(CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID", cpu);
    printf("ok CLOCK_PROCESS_CPUTIME_ID advances\n");

    check_res(CLOCK_REALTIME, "CLOCK_REALTIME");
    check_res(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");

    int64_t before = ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    struct timespec req = {0, 50 * 1000000};
    if (nanosleep(&req, NULL) != 0)
        FAIL("nanosleep");
    int64_t slept = ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC") - before;
    if (slept < 50 * 1000000)
        FAIL("nanosleep(50ms) returned after %lld ns", (long long)slept);
    printf("ok nanosleep 50ms\n");

    before = ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC");
    if (usleep(50000) != 0)
        FAIL("usleep");
    slept = ns(CLOCK_MONOTONIC, "CLOCK_MONOTONIC") - before;
    if (slept < 50 * 1000000)
        FAIL("usleep(50000) returned after %lld ns", (long long)slept);
    printf("ok usleep 50ms\n");

    // An absolute deadline on the realtime clock (poll_oneoff with the abstime flag).
    struct timespec now, until;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0)
        FAIL("clock_gettime(CLOCK_REALTIME)");
    until = now;
    until.tv_nsec += 50 * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec += 1;
        until.tv_nsec -= 1000000000;
    }
    int rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
    if (rc != 0) {
        errno = rc;
        FAIL("clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME)");
    }
    int64_t after = ns(CLOCK_REALTIME, "CLOCK_REALTIME");
    if (after < (int64_t)until.tv_sec * 1000000000 + until.tv_nsec)
        FAIL("clock_nanosleep(TIMER_ABSTIME) returned before the deadline");
    printf("ok clock_nanosleep absolute 50ms\n");
    return 0;
}
