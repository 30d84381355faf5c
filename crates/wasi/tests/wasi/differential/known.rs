//! Where WVM answers differently from wasmtime on purpose. `known.txt` lists each such
//! observation with both answers and the reason WVM keeps its own (docs/wasi.md lists the
//! same reasons for users). The list only shrinks: an entry whose difference no longer
//! happens fails the test, and so does any difference it does not list.

/// Why WVM keeps its answer. Each reason has a short name, used in `known.txt`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Why {
    Escape,
    Rights,
    SubdirWrite,
    AppendReadOnly,
    Allocate,
    CpuClocks,
    PollErrors,
    Iovecs,
    PwriteAppend,
    SeekRange,
    RmdirSlash,
    BadArgs,
    BadPointers,
    IovMax,
    ExitStatus,
}

const REASONS: &[(Why, &str, &str)] = &[
    (
        Why::Escape,
        "escape",
        "a path that leaves the preopen (.., an absolute path or target, a symlink out) is \
         ENOTCAPABLE, WASI's errno for a capability the guest lacks; wasmtime says EPERM",
    ),
    (
        Why::Rights,
        "rights",
        "a descriptor holds the rights it was opened with or narrowed to, and they are \
         enforced (ENOTCAPABLE), as WASI says; wasmtime reports fixed sets, ignores what was \
         asked for and cannot narrow (fd_fdstat_set_rights is ENOTSUP)",
    ),
    (
        Why::SubdirWrite,
        "subdir-write",
        "a directory opened beneath a preopen passes on the right to write; wasmtime leaves \
         FD_WRITE out of its inheriting rights, so wasi-libc's openat(dirfd, f, O_RDWR) gets a \
         descriptor whose writes fail (beneath a read-only preopen WVM refuses that open: EPERM)",
    ),
    (
        Why::AppendReadOnly,
        "append-ro",
        "APPEND asks to write, so opening with it beneath a read-only preopen is EPERM; \
         wasmtime opens the file and its writes fail later",
    ),
    (
        Why::Allocate,
        "allocate",
        "fd_allocate is implemented (posix_fallocate works; EBADF if not open for writing, \
         EINVAL for an empty range); wasmtime answers ENOTSUP",
    ),
    (
        Why::CpuClocks,
        "cpu-clocks",
        "the process and thread CPU-time clocks are implemented; wasmtime answers EBADF",
    ),
    (
        Why::PollErrors,
        "poll-errors",
        "poll_oneoff reports a descriptor it cannot poll in that subscription's event.error, \
         as WASI specifies (so poll() flags just that pollfd), and a regular file is ready \
         for writing whatever it was opened for; wasmtime fails the whole call",
    ),
    (
        Why::Iovecs,
        "iovecs",
        "fd_read, fd_write, fd_pread and fd_pwrite move every iovec in one call, as readv and \
         writev do; wasmtime moves only the first non-empty one (a short count)",
    ),
    (
        Why::PwriteAppend,
        "pwrite-append",
        "fd_pwrite on an APPEND descriptor writes at the offset given, as POSIX says; \
         wasmtime appends, as Linux does",
    ),
    (
        Why::SeekRange,
        "seek-range",
        "fd_seek to a position past 2^63-1 is EINVAL, as lseek says (an off_t holds the \
         position); wasmtime accepts any u64, which wasi-libc's lseek returns as negative",
    ),
    (
        Why::RmdirSlash,
        "rmdir-slash",
        "path_remove_directory accepts a trailing slash (\"dir/\"), as POSIX rmdir does \
         (\"link/\" is ENOTDIR); wasmtime answers EINVAL",
    ),
    (
        Why::BadArgs,
        "bad-args",
        "an unknown enum value or flag bit in an argument is EINVAL; wasmtime traps",
    ),
    (
        Why::BadPointers,
        "bad-pointers",
        "a pointer or length outside memory is EFAULT, and pointers need no alignment; \
         wasmtime traps on both",
    ),
    (
        Why::IovMax,
        "iov-max",
        "a call may pass at most 1024 iovecs (POSIX's IOV_MAX), more is EINVAL; wasmtime \
         refuses arrays beyond its per-call copy budget with ENOMEM",
    ),
    (
        Why::ExitStatus,
        "exit-status",
        "proc_exit with a status of 126 or more ends the run with that status (I32Exit) for \
         the embedder to judge (the wvm command refuses it); wasmtime's library turns it \
         into an error",
    ),
];

impl Why {
    fn parse(s: &str) -> Option<Why> {
        REASONS.iter().find(|r| r.1 == s).map(|r| r.0)
    }

    pub fn name(self) -> &'static str {
        REASONS.iter().find(|r| r.0 == self).map_or("?", |r| r.1)
    }

    pub fn reason(self) -> &'static str {
        REASONS.iter().find(|r| r.0 == self).map_or("?", |r| r.2)
    }
}

/// One documented difference: in `program`, the observation `key` is `wvm` under WVM and
/// `wasmtime` under wasmtime.
pub struct Known {
    pub program: String,
    pub key: String,
    pub wvm: String,
    pub wasmtime: String,
    pub why: Why,
}

/// `s` on one line of `known.txt`: backslash, tab and newline escaped.
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (c, c == '\\') {
            (_, true) => match chars.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            (c, false) => out.push(c),
        }
    }
    out
}

/// The entries of `known.txt`: `reason TAB program TAB key TAB wvm TAB wasmtime` per line.
pub fn load() -> Vec<Known> {
    const TEXT: &str = include_str!("known.txt");
    TEXT.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [why, program, key, wvm, wasmtime] = fields[..] else {
                panic!("known.txt:{}: want 5 tab-separated fields: {line}", i + 1);
            };
            Known {
                program: program.to_string(),
                key: unescape(key),
                wvm: unescape(wvm),
                wasmtime: unescape(wasmtime),
                why: Why::parse(why)
                    .unwrap_or_else(|| panic!("known.txt:{}: unknown reason {why:?}", i + 1)),
            }
        })
        .collect()
}
