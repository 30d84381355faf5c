// Every descriptor function on every kind of descriptor: the standard streams, a preopen (read-
// write and read-only), a directory opened beneath it, files opened for reading, writing, both
// and appending, a file from the read-only preopen, a closed descriptor and one never opened.
// Runs with /data (read-write) and /ro (read-only) preopened, stdin holding "stdin data\n".
#include "diff.h"

static char buf[512];

static void matrix(const char *kind, __wasi_fd_t fd) {
    __wasi_errno_t e;
    __wasi_size_t n;
    __wasi_filesize_t pos;

    CALL(key("fd_advise[%s]", kind), __wasi_fd_advise(fd, 0, 10, __WASI_ADVICE_NORMAL));
    CALL(key("fd_datasync[%s]", kind), __wasi_fd_datasync(fd));
    CALL(key("fd_sync[%s]", kind), __wasi_fd_sync(fd));

    __wasi_fdstat_t fst;
    e = __wasi_fd_fdstat_get(fd, &fst);
    report(key("fd_fdstat_get[%s]", kind), e, "%s flags=%u base=%llx inheriting=%llx",
           filetype_name(fst.fs_filetype), fst.fs_flags, (unsigned long long)fst.fs_rights_base,
           (unsigned long long)fst.fs_rights_inheriting);
    CALL(key("fd_fdstat_set_flags(0)[%s]", kind), __wasi_fd_fdstat_set_flags(fd, 0));
    CALL(key("fd_fdstat_set_flags(NONBLOCK)[%s]", kind),
         __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK));
    CALL(key("fd_fdstat_set_flags(SYNC)[%s]", kind),
         __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_SYNC));
    e = __wasi_fd_fdstat_get(fd, &fst);
    report(key("fd_fdstat_get after set_flags[%s]", kind), e, "flags=%u", fst.fs_flags);
    CALL(key("fd_fdstat_set_flags(0) again[%s]", kind), __wasi_fd_fdstat_set_flags(fd, 0));

    __wasi_filestat_t st;
    e = __wasi_fd_filestat_get(fd, &st);
    report(key("fd_filestat_get[%s]", kind), e, "%s", filestat_str(&st));
    CALL(key("fd_filestat_set_times(no change)[%s]", kind),
         __wasi_fd_filestat_set_times(fd, 0, 0, 0));
    CALL(key("fd_filestat_set_times(ATIM|MTIM)[%s]", kind),
         __wasi_fd_filestat_set_times(fd, 1000000000ull, 2000000000ull,
                                      __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM));

    __wasi_iovec_t iov = {(uint8_t *)buf, 5};
    memset(buf, 0, sizeof buf);
    e = __wasi_fd_pread(fd, &iov, 1, 1, &n);
    report(key("fd_pread(5 at 1)[%s]", kind), e, "n=%u \"%.*s\"", n, (int)n, buf);
    memset(buf, 0, sizeof buf);
    e = __wasi_fd_read(fd, &iov, 1, &n);
    report(key("fd_read(5)[%s]", kind), e, "n=%u \"%.*s\"", n, (int)n, buf);
    e = __wasi_fd_tell(fd, &pos);
    report(key("fd_tell after read[%s]", kind), e, "%llu", (unsigned long long)pos);

    char line[64];
    int len = snprintf(line, sizeof line, "<written to %s>\n", kind);
    __wasi_ciovec_t ciov = {(const uint8_t *)line, (size_t)len};
    e = __wasi_fd_write(fd, &ciov, 1, &n);
    report(key("fd_write[%s]", kind), e, "n=%u", n);
    e = __wasi_fd_tell(fd, &pos);
    report(key("fd_tell after write[%s]", kind), e, "%llu", (unsigned long long)pos);
    __wasi_ciovec_t pw = {(const uint8_t *)"PW", 2};
    e = __wasi_fd_pwrite(fd, &pw, 1, 3, &n);
    report(key("fd_pwrite(2 at 3)[%s]", kind), e, "n=%u", n);
    // After the writes, so that a file it succeeds on is already longer than this.
    CALL(key("fd_allocate(0, 4)[%s]", kind), __wasi_fd_allocate(fd, 0, 4));
    e = __wasi_fd_seek(fd, 0, __WASI_WHENCE_SET, &pos);
    report(key("fd_seek(0, SET)[%s]", kind), e, "%llu", (unsigned long long)pos);
    e = __wasi_fd_seek(fd, -1, __WASI_WHENCE_END, &pos);
    report(key("fd_seek(-1, END)[%s]", kind), e, "%llu", (unsigned long long)pos);
    e = __wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &pos);
    report(key("fd_seek(0, CUR)[%s]", kind), e, "%llu", (unsigned long long)pos);

    __wasi_prestat_t pre;
    e = __wasi_fd_prestat_get(fd, &pre);
    report(key("fd_prestat_get[%s]", kind), e, "len=%u", pre.u.dir.pr_name_len);
    memset(buf, 0, sizeof buf);
    e = __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, 64);
    report(key("fd_prestat_dir_name[%s]", kind), e, "\"%s\"", buf);

    __wasi_size_t used = 0;
    e = __wasi_fd_readdir(fd, (uint8_t *)buf, sizeof buf, 0, &used);
    print_dirents(key("fd_readdir[%s]", kind), e, (const uint8_t *)buf, used);

    // Paths beneath the descriptor: only directories have any.
    __wasi_fd_t opened = (__wasi_fd_t)-1;
    e = __wasi_path_open(fd, 0, ".", __WASI_OFLAGS_DIRECTORY, R_READ | R_OTHER, R_ALL, 0, &opened);
    report(key("path_open(.)[%s]", kind), e, "");
    if (e == 0)
        CALL(key("fd_close(path_open(.))[%s]", kind), __wasi_fd_close(opened));
    e = __wasi_path_filestat_get(fd, 0, "file.txt", &st);
    report(key("path_filestat_get(file.txt)[%s]", kind), e, "%s", filestat_str(&st));
    CALL(key("path_filestat_set_times(missing)[%s]", kind),
         __wasi_path_filestat_set_times(fd, 0, "missing", 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
    CALL(key("path_create_directory(missing/x)[%s]", kind),
         __wasi_path_create_directory(fd, "missing/x"));
    CALL(key("path_remove_directory(missing)[%s]", kind), __wasi_path_remove_directory(fd, "missing"));
    CALL(key("path_unlink_file(missing)[%s]", kind), __wasi_path_unlink_file(fd, "missing"));
    CALL(key("path_rename(missing, x)[%s]", kind), __wasi_path_rename(fd, "missing", fd, "x"));
    CALL(key("path_link(missing, x)[%s]", kind), __wasi_path_link(fd, 0, "missing", fd, "x"));
    CALL(key("path_symlink(t, missing/x)[%s]", kind), __wasi_path_symlink("t", fd, "missing/x"));
    e = __wasi_path_readlink(fd, "missing", (uint8_t *)buf, 64, &used);
    report(key("path_readlink(missing)[%s]", kind), e, "");

    // Sockets: none of these descriptors is one.
    __wasi_fd_t conn;
    CALL(key("sock_accept[%s]", kind), __wasi_sock_accept(fd, 0, &conn));
    __wasi_roflags_t roflags;
    CALL(key("sock_recv[%s]", kind), __wasi_sock_recv(fd, &iov, 1, 0, &n, &roflags));
    CALL(key("sock_send[%s]", kind), __wasi_sock_send(fd, &ciov, 1, 0, &n));
    CALL(key("sock_shutdown[%s]", kind), __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR));

    // poll_oneoff on the descriptor alone, for reading and for writing.
    for (int w = 0; w < 2; w++) {
        __wasi_subscription_t sub;
        memset(&sub, 0, sizeof sub);
        sub.userdata = 42;
        sub.u.tag = w ? __WASI_EVENTTYPE_FD_WRITE : __WASI_EVENTTYPE_FD_READ;
        sub.u.u.fd_read.file_descriptor = fd;
        __wasi_event_t ev;
        memset(&ev, 0, sizeof ev);
        e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
        report(key("poll_oneoff(%s)[%s]", w ? "FD_WRITE" : "FD_READ", kind), e,
               "n=%u userdata=%llu error=%s type=%u", n, (unsigned long long)ev.userdata,
               errno_name(ev.error), ev.type);
    }
}

static __wasi_fd_t must_open(const char *what, __wasi_fd_t dir, const char *path,
                             __wasi_oflags_t oflags, __wasi_rights_t rights,
                             __wasi_fdflags_t fdflags) {
    __wasi_fd_t fd = open_at(dir, path, oflags, rights, fdflags);
    printf("open %s: fd %d\n", what, (int)fd);
    return fd;
}

int main(void) {
    __wasi_fd_t dir = must_open("dir", 3, "dir", __WASI_OFLAGS_DIRECTORY, R_READ | R_OTHER, 0);
    __wasi_fd_t file_r = must_open("file_r", 3, "file.txt", 0, R_READ | R_OTHER, 0);
    __wasi_fd_t file_w = must_open("file_w", 3, "w.txt", __WASI_OFLAGS_CREAT, R_WRITE | R_OTHER, 0);
    __wasi_fd_t file_rw = must_open("file_rw", 3, "rw.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                                    R_READ | R_WRITE | R_OTHER, 0);
    __wasi_ciovec_t init = {(const uint8_t *)"0123456789\n", 11};
    __wasi_size_t n;
    CALL("fd_write(rw.txt, 0123456789)", __wasi_fd_write(file_rw, &init, 1, &n));
    __wasi_fd_t file_append = must_open("file_append", 3, "dir/inner.txt", 0,
                                        R_READ | R_WRITE | R_OTHER, __WASI_FDFLAGS_APPEND);
    __wasi_fd_t file_ro = must_open("file_ro", 4, "file.txt", 0, R_READ | R_OTHER, 0);
    __wasi_fd_t closed = must_open("closed", 3, "empty.txt", 0, R_READ | R_OTHER, 0);
    CALL("fd_close(closed)", __wasi_fd_close(closed));

    matrix("stdin", 0);
    matrix("stdout", 1);
    matrix("stderr", 2);
    matrix("preopen", 3);
    matrix("preopen_ro", 4);
    matrix("dir", dir);
    matrix("file_r", file_r);
    matrix("file_w", file_w);
    matrix("file_rw", file_rw);
    matrix("file_append", file_append);
    matrix("file_ro", file_ro);
    matrix("closed", closed);
    matrix("never_opened", 1000);

    // Close everything, then see which numbers new descriptors get.
    __wasi_fd_t all[] = {dir, file_r, file_w, file_rw, file_append, file_ro};
    const char *names[] = {"dir", "file_r", "file_w", "file_rw", "file_append", "file_ro"};
    for (int i = 0; i < 6; i++)
        CALL(key("fd_close[%s]", names[i]), __wasi_fd_close(all[i]));
    CALL("fd_close[closed twice]", __wasi_fd_close(closed));
    for (int i = 0; i < 3; i++)
        must_open(key("reopen %d", i), 3, "file.txt", 0, R_READ | R_OTHER, 0);
    return 0;
}
