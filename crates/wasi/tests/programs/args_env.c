// args_env NAME...: prints argc, every argv[i], getenv(argv[i]) for i >= 1, then the whole
// environment in order.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("FAIL argv[argc] is not NULL\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *v = getenv(argv[i]);
        printf("getenv(%s)=%s\n", argv[i], v ? v : "(null)");
    }
    printf("environ:\n");
    for (char **e = environ; e && *e; e++)
        printf("%s\n", *e);
    return 0;
}
