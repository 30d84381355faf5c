// rmtree DIR: creates DIR with 300 files, then removes them the way `rm -r` does (read a batch
// of entries, unlink them, read on), then removes DIR. Exits 1 if an entry was missed.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: rmtree DIR\n");
        return 2;
    }
    char path[512];
    if (mkdir(argv[1], 0755) != 0) {
        perror("mkdir");
        return 1;
    }
    for (int i = 0; i < 300; i++) {
        snprintf(path, sizeof path, "%s/file-%03d-with-a-longish-name", argv[1], i);
        int fd = open(path, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) {
            perror(path);
            return 1;
        }
        close(fd);
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        perror("opendir");
        return 1;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
        if (unlink(path) != 0) {
            perror(path);
            return 1;
        }
        removed++;
    }
    closedir(d);
    if (rmdir(argv[1]) != 0) {
        perror("rmdir");
        return 1;
    }
    printf("removed %d\n", removed);
    return 0;
}
