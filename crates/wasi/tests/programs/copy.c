// copy SRC DST: copies a file. Exits 1 with a perror message on failure, 2 on bad usage.
// The headline example: `wvm run --dir .::/data copy.wasm /data/in.txt /data/out.txt`.
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s SRC DST\n", argc > 0 ? argv[0] : "copy");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    FILE *out = fopen(argv[2], "wb");
    if (!out) {
        perror(argv[2]);
        return 1;
    }
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0) {
        if (fwrite(buf, 1, n, out) != n) {
            perror(argv[2]);
            return 1;
        }
    }
    if (ferror(in)) {
        perror(argv[1]);
        return 1;
    }
    if (fclose(out) != 0) {
        perror(argv[2]);
        return 1;
    }
    fclose(in);
    return 0;
}
