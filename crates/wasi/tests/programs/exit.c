// exit N: exits with status N through exit(3) (proc_exit). `exit N return` returns N from main.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: exit N [return]\n");
        return 2;
    }
    int code = atoi(argv[1]);
    printf("exiting with %d\n", code); // exit(3) must flush stdio first
    if (argc > 2 && strcmp(argv[2], "return") == 0)
        return code;
    exit(code);
}
