// random: getentropy, arc4random_buf and arc4random must fill fresh bytes (random_get).
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int all_zero(const unsigned char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

#define FAIL(...)                                                                                \
    do {                                                                                         \
        printf("FAIL ");                                                                         \
        printf(__VA_ARGS__);                                                                     \
        printf("\n");                                                                            \
        return 1;                                                                                \
    } while (0)

int main(void) {
    unsigned char a[256], b[256];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    if (getentropy(a, sizeof a) != 0)
        FAIL("getentropy: %s", strerror(errno));
    if (getentropy(b, sizeof b) != 0)
        FAIL("getentropy: %s", strerror(errno));
    if (all_zero(a, sizeof a) || all_zero(b, sizeof b))
        FAIL("getentropy left the buffer zero");
    if (memcmp(a, b, sizeof a) == 0)
        FAIL("getentropy returned the same 256 bytes twice");
    printf("ok getentropy\n");

    // A single byte at the end of the buffer, sentinel beside it stays untouched.
    unsigned char c[2] = {0, 0xAA};
    int changed = 0;
    for (int i = 0; i < 64 && !changed; i++) {
        if (getentropy(c, 1) != 0)
            FAIL("getentropy(1): %s", strerror(errno));
        changed = c[0] != 0;
        if (c[1] != 0xAA)
            FAIL("getentropy wrote past the end of the buffer");
    }
    if (!changed)
        FAIL("getentropy(1) returned 0 sixty-four times");
    printf("ok getentropy one byte\n");

    memset(a, 0, sizeof a);
    arc4random_buf(a, sizeof a);
    if (all_zero(a, sizeof a))
        FAIL("arc4random_buf left the buffer zero");
    printf("ok arc4random_buf\n");

    uint32_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = arc4random();
    int distinct = 0;
    for (int i = 1; i < 8; i++)
        distinct += v[i] != v[0];
    if (distinct == 0)
        FAIL("arc4random returned the same value eight times");
    printf("ok arc4random\n");
    return 0;
}
