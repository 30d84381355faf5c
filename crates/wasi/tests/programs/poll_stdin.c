// poll_stdin: polls stdin with a 200 ms timeout (nothing should be there yet), then waits up
// to 10 s for input and reads it. Prints what each step saw.
#include <poll.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
    struct pollfd p = {0, POLLIN, 0};
    int n = poll(&p, 1, 200);
    printf("first poll: %d\n", n);
    fflush(stdout);
    n = poll(&p, 1, 10000);
    printf("second poll: %d\n", n);
    char buf[64];
    ssize_t r = read(0, buf, sizeof buf);
    printf("read %zd\n", r);
    return 0;
}
