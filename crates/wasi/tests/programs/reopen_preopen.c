// reopen_preopen: reopens its preopened directory (fd 3) the way Rust's std and other
// runtimes' test suites do, with `path_open(3, 0, ".", O_DIRECTORY, the preopen's own base
// and inheriting rights)`, then lists the new descriptor and creates a file and a directory
// beneath it. Prints what it did; exits 1 at the first failure.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define MUST(what, e)                                                                              \
    do {                                                                                           \
        __wasi_errno_t err_ = (e);                                                                 \
        if (err_ != 0) {                                                                           \
            printf("%s failed: errno %u\n", what, err_);                                           \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

int main(void) {
    __wasi_fdstat_t st;
    MUST("fd_fdstat_get(3)", __wasi_fd_fdstat_get(3, &st));
    __wasi_fd_t dir;
    MUST("path_open(3, \".\", O_DIRECTORY, the preopen's rights)",
         __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, st.fs_rights_base,
                          st.fs_rights_inheriting, 0, &dir));
    __wasi_fdstat_t dst;
    MUST("fd_fdstat_get(new)", __wasi_fd_fdstat_get(dir, &dst));
    printf("reopened as fd %u, a %s\n", dir,
           dst.fs_filetype == __WASI_FILETYPE_DIRECTORY ? "directory" : "something else");

    uint8_t buf[1024];
    __wasi_size_t used;
    MUST("fd_readdir", __wasi_fd_readdir(dir, buf, sizeof buf, 0, &used));
    int found = 0;
    for (size_t at = 0; at + sizeof(__wasi_dirent_t) <= used;) {
        __wasi_dirent_t d;
        memcpy(&d, buf + at, sizeof d);
        at += sizeof d;
        if (d.d_namlen == 8 && at + 8 <= used && memcmp(buf + at, "seen.txt", 8) == 0)
            found = 1;
        at += d.d_namlen;
    }
    printf("listed it: seen.txt %s\n", found ? "is there" : "is missing");

    __wasi_fd_t f;
    MUST("path_open(new, made.txt, O_CREAT)",
         __wasi_path_open(dir, 0, "made.txt", __WASI_OFLAGS_CREAT,
                          __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &f));
    __wasi_ciovec_t iov = {(const uint8_t *)"made\n", 5};
    __wasi_size_t n;
    MUST("fd_write(made.txt)", __wasi_fd_write(f, &iov, 1, &n));
    MUST("fd_close(made.txt)", __wasi_fd_close(f));
    MUST("path_create_directory(new, made_dir)", __wasi_path_create_directory(dir, "made_dir"));
    printf("created made.txt (%lu bytes) and made_dir beneath it\n", (unsigned long)n);
    return 0;
}
