// entropy: prints 16 random bytes (random_get) and three readings of the realtime and
// monotonic clocks, so two runs can be compared: equal under the deterministic sources with
// one seed, different under the host's real ones.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    unsigned char b[16];
    if (getentropy(b, sizeof b) != 0) {
        perror("getentropy");
        return 1;
    }
    printf("random:");
    for (size_t i = 0; i < sizeof b; i++)
        printf(" %02x", b[i]);
    printf("\n");
    for (int i = 0; i < 3; i++) {
        struct timespec r, m;
        clock_gettime(CLOCK_REALTIME, &r);
        clock_gettime(CLOCK_MONOTONIC, &m);
        printf("realtime %lld.%09ld monotonic %lld.%09ld\n", (long long)r.tv_sec, r.tv_nsec, (long long)m.tv_sec,
               m.tv_nsec);
    }
    struct timespec before, after, ms = {0, 1000000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    nanosleep(&ms, NULL);
    clock_gettime(CLOCK_MONOTONIC, &after);
    long long slept = (after.tv_sec - before.tv_sec) * 1000000000LL + (after.tv_nsec - before.tv_nsec);
    printf("slept at least 1 ms: %s\n", slept >= 1000000 ? "yes" : "no");
    return 0;
}
