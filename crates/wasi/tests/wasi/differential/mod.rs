//! The differential WASI test: the same guest programs run under WVM and under wasmtime (its
//! Python package, see [`oracle`]), and everything observable is compared: stdout line by line,
//! stderr, the exit code or trap, and the final state of the preopened trees (names, kinds,
//! sizes, contents, symlink targets; timestamps and inode numbers are left out).
//!
//! The programs live in `tests/programs/diff/`: C through wasi-libc and through raw
//! `__wasi_*` calls (`diff.h` says how they report each call: `KEY = ERRNO [details]`), and
//! WAT modules whose exported `t_*` functions each make one raw call and return its errno
//! (each called in a fresh instance). A C program that mentions `WASI_UNSTABLE` is also built
//! against the `wasi_unstable` names and layouts; that build runs under WVM and is compared
//! with the preview 1 build under wasmtime (whose embedding API has only preview 1).
//!
//! Where WVM answers differently on purpose, `known.txt` holds both answers and the reason
//! ([`known`]); every other difference fails the test, and so does a listed difference that
//! no longer happens.

mod known;
mod oracle;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use wvm_wasi::{DirPerms, I32Exit};

use crate::{Exit, Wasi, compile_with, is_stale, no_panic, programs_dir, walk_tree};
use known::{Known, Why};

/// What every run reads on stdin.
const STDIN: &[u8] = b"stdin data\n";

/// The C programs run with `_start`, with their arguments after `argv[0]`.
const C_CASES: &[(&str, &[&str])] = &[
    ("fd_kinds", &[]),
    ("path_open", &[]),
    ("paths", &[]),
    ("io", &[]),
    ("libc", &[]),
    ("misc", &["first arg", "", "ünïcödé"]),
    ("misc", &["exit", "0"]),
    ("misc", &["exit", "1"]),
    ("misc", &["exit", "125"]),
    ("misc", &["exit", "126"]),
    ("misc", &["exit", "255"]),
    ("misc", &["raise"]),
    ("abi", &[]),
];

/// The 46 functions of `wasi_snapshot_preview1`: the suite must call each of them.
const FUNCTIONS: [&str; 46] = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
];

/// One run of one program on both sides.
struct Case {
    /// The program's name: what `known.txt` entries refer to.
    program: String,
    /// Unique among the cases (names the run directories).
    name: String,
    /// The module WVM runs.
    wvm: PathBuf,
    /// The module wasmtime runs (differs from `wvm` only for `wasi_unstable` builds).
    reference: PathBuf,
    /// `argv`, `argv[0]` included.
    args: Vec<String>,
    /// An export to call instead of `_start`.
    invoke: Option<String>,
}

/// Builds the programs into `out` (again only where a source is newer): each `.c` (and its
/// `wasi_unstable` build where it has one) and each `.wat`. Returns name -> (preview 1 module,
/// wasi_unstable module if any).
fn build(out: &Path) -> BTreeMap<String, (PathBuf, Option<PathBuf>)> {
    let dir = programs_dir().join("diff");
    std::fs::create_dir_all(out).expect("create the differential build directory");
    let mut sources: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read tests/programs/diff")
        .map(|e| e.expect("read tests/programs/diff").path())
        .collect();
    sources.sort();
    let header = dir.join("diff.h");
    let mut built = BTreeMap::new();
    for src in sources {
        let name = src.file_stem().unwrap().to_str().unwrap().to_string();
        let wasm = out.join(format!("{name}.wasm"));
        let stale = |wasm: &Path| is_stale(&src, wasm) || is_stale(&header, wasm);
        match src.extension().and_then(|e| e.to_str()) {
            Some("c") => {
                if stale(&wasm) {
                    compile_with(&src, &wasm, &[]);
                }
                let text = std::fs::read_to_string(&src).unwrap();
                let unstable = text.contains("WASI_UNSTABLE").then(|| {
                    let wasm = out.join(format!("{name}.unstable.wasm"));
                    if stale(&wasm) {
                        compile_with(&src, &wasm, &["-DWASI_UNSTABLE"]);
                    }
                    wasm
                });
                built.insert(name, (wasm, unstable));
            }
            Some("wat") => {
                let bytes =
                    wat::parse_file(&src).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
                std::fs::write(&wasm, bytes).unwrap();
                built.insert(name, (wasm, None));
            }
            _ => {}
        }
    }
    built
}

fn cases(built: &BTreeMap<String, (PathBuf, Option<PathBuf>)>) -> Vec<Case> {
    let mut cases = Vec::new();
    let mut used = BTreeSet::new();
    for (program, args) in C_CASES {
        let (wasm, unstable) = built
            .get(*program)
            .unwrap_or_else(|| panic!("no tests/programs/diff/{program}.c"));
        used.insert(program.to_string());
        let argv: Vec<String> = std::iter::once("prog")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let suffix = if args.is_empty() {
            String::new()
        } else {
            format!(" {}", args.join(" "))
        };
        cases.push(Case {
            program: program.to_string(),
            name: format!("{program}{suffix}"),
            wvm: wasm.clone(),
            reference: wasm.clone(),
            args: argv.clone(),
            invoke: None,
        });
        if let Some(unstable) = unstable {
            cases.push(Case {
                program: format!("{program}.unstable"),
                name: format!("{program}.unstable{suffix}"),
                wvm: unstable.clone(),
                reference: wasm.clone(),
                args: argv,
                invoke: None,
            });
        }
    }
    let engine = wvm::Engine::default();
    for (program, (wasm, _)) in built {
        if !wasm.ends_with(format!("{program}.wasm")) || used.contains(program) {
            continue;
        }
        let module = wvm::Module::from_file(&engine, wasm).expect("load a WAT program");
        let exports: Vec<String> = module
            .exports()
            .map(|e| e.name().to_string())
            .filter(|n| n.starts_with("t_"))
            .collect();
        assert!(
            !exports.is_empty(),
            "tests/programs/diff/{program} is neither in C_CASES nor a WAT module with t_* exports"
        );
        used.insert(program.clone());
        for export in exports {
            cases.push(Case {
                program: program.clone(),
                name: format!("{program} {export}"),
                wvm: wasm.clone(),
                reference: wasm.clone(),
                args: vec!["prog".to_string(), "an argument".to_string()],
                invoke: Some(export),
            });
        }
    }
    cases
}

/// The tree every run starts from, under `root`: `data` (preopened read-write as /data), `ro`
/// (read-only, as /ro) and `outside` (not preopened; nothing may reach it).
fn fixture(root: &Path) {
    use std::os::unix::fs::symlink;
    let w = |p: &str, data: &str| std::fs::write(root.join(p), data).unwrap();
    for d in ["data/dir/sub", "data/emptydir", "ro/dir", "outside"] {
        std::fs::create_dir_all(root.join(d)).unwrap();
    }
    w("data/file.txt", "hello world\n");
    w("data/empty.txt", "");
    w("data/f.txt", "0123456789");
    w("data/dir/inner.txt", "inner\n");
    for (target, link) in [
        ("file.txt", "link_file"),
        ("dir", "link_dir"),
        ("missing", "dangling"),
        ("loop2", "loop1"),
        ("loop1", "loop2"),
        ("/etc/passwd", "abs_link"),
        ("../outside/secret.txt", "escape_link"),
    ] {
        symlink(target, root.join("data").join(link)).unwrap();
    }
    w("ro/file.txt", "read only\n");
    w("ro/dir/inner.txt", "ro inner\n");
    w("outside/secret.txt", "secret\n");
}

/// The preopens of a run rooted at `root`: host path, guest path, writable.
fn preopens(root: &Path) -> Vec<(PathBuf, &'static str, bool)> {
    vec![
        (root.join("data"), "/data", true),
        (root.join("ro"), "/ro", false),
    ]
}

/// Everything under `root` but times and inode numbers: path -> kind, size, contents.
fn snapshot(root: &Path) -> BTreeMap<String, String> {
    use std::os::unix::ffi::OsStrExt;
    let mut out = BTreeMap::new();
    walk_tree(root, &mut |path, m| {
        let rel = path.strip_prefix(root).unwrap().as_os_str().as_bytes();
        let desc = if m.file_type().is_symlink() {
            format!("symlink -> {}", std::fs::read_link(path).unwrap().display())
        } else if m.is_dir() {
            "dir".to_string()
        } else {
            let content = std::fs::read(path).unwrap();
            format!(
                "file {} {:?}",
                content.len(),
                String::from_utf8_lossy(&content)
            )
        };
        out.insert(String::from_utf8_lossy(rel).into_owned(), desc);
        true
    });
    out
}

/// What one side observed.
struct Observed {
    /// stdout's lines, then (for invoked exports) the call's line, then `<exit> = ...`.
    lines: Vec<String>,
    stderr: String,
    tree: BTreeMap<String, String>,
}

/// The name of a WASI errno number.
fn errno_name(e: i32) -> String {
    const NAMES: [&str; 77] = [
        "OK",
        "E2BIG",
        "EACCES",
        "EADDRINUSE",
        "EADDRNOTAVAIL",
        "EAFNOSUPPORT",
        "EAGAIN",
        "EALREADY",
        "EBADF",
        "EBADMSG",
        "EBUSY",
        "ECANCELED",
        "ECHILD",
        "ECONNABORTED",
        "ECONNREFUSED",
        "ECONNRESET",
        "EDEADLK",
        "EDESTADDRREQ",
        "EDOM",
        "EDQUOT",
        "EEXIST",
        "EFAULT",
        "EFBIG",
        "EHOSTUNREACH",
        "EIDRM",
        "EILSEQ",
        "EINPROGRESS",
        "EINTR",
        "EINVAL",
        "EIO",
        "EISCONN",
        "EISDIR",
        "ELOOP",
        "EMFILE",
        "EMLINK",
        "EMSGSIZE",
        "EMULTIHOP",
        "ENAMETOOLONG",
        "ENETDOWN",
        "ENETRESET",
        "ENETUNREACH",
        "ENFILE",
        "ENOBUFS",
        "ENODEV",
        "ENOENT",
        "ENOEXEC",
        "ENOLCK",
        "ENOLINK",
        "ENOMEM",
        "ENOMSG",
        "ENOPROTOOPT",
        "ENOSPC",
        "ENOSYS",
        "ENOTCONN",
        "ENOTDIR",
        "ENOTEMPTY",
        "ENOTRECOVERABLE",
        "ENOTSOCK",
        "ENOTSUP",
        "ENOTTY",
        "ENXIO",
        "EOVERFLOW",
        "EOWNERDEAD",
        "EPERM",
        "EPIPE",
        "EPROTO",
        "EPROTONOSUPPORT",
        "EPROTOTYPE",
        "ERANGE",
        "EROFS",
        "ESPIPE",
        "ESRCH",
        "ESTALE",
        "ETIMEDOUT",
        "ETXTBSY",
        "EXDEV",
        "ENOTCAPABLE",
    ];
    usize::try_from(e)
        .ok()
        .and_then(|i| NAMES.get(i))
        .map_or_else(|| format!("E#{e}"), |n| n.to_string())
}

fn observe(
    stdout: &[u8],
    stderr: &[u8],
    invoke: Option<(&str, String)>,
    end: String,
    root: &Path,
) -> Observed {
    let mut lines: Vec<String> = String::from_utf8_lossy(stdout)
        .lines()
        .map(String::from)
        .collect();
    // An invoked export's line says how the call ended; a command's ends with its exit.
    match invoke {
        Some((export, result)) => lines.push(format!("{export} = {result}")),
        None => lines.push(format!("<exit> = {end}")),
    }
    Observed {
        lines,
        stderr: String::from_utf8_lossy(stderr).into_owned(),
        tree: snapshot(root),
    }
}

/// Runs `case` in-process under WVM, from the tree at `root`.
fn run_wvm(case: &Case, root: &Path) -> Observed {
    let mut wasi = Wasi::new(&case.args[0]).stdin(STDIN);
    for a in &case.args[1..] {
        wasi = wasi.arg(a);
    }
    for (k, v) in oracle::ENV {
        wasi = wasi.env(k, v);
    }
    for (host, guest, writable) in preopens(root) {
        let perms = if writable {
            DirPerms::ReadWrite
        } else {
            DirPerms::ReadOnly
        };
        wasi = wasi.dir(&host, guest, perms);
    }
    match &case.invoke {
        None => {
            let out = wasi.run(&case.wvm);
            let end = match out.exit {
                Exit::Code(c) => format!("exit {c}"),
                Exit::Trap(_) => "trap".to_string(),
            };
            observe(&out.stdout, &out.stderr, None, end, root)
        }
        Some(export) => {
            let (mut session, out, err) = wasi.instantiate(&case.wvm);
            let f = session
                .instance
                .get_typed_func::<(), i32>(&session.store, export)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let store = &mut session.store;
            let result = no_panic(&case.name, move || f.call(store, ()));
            let (call, end) = match result {
                Ok(errno) => (errno_name(errno), "exit 0".to_string()),
                Err(e) => match e.downcast_ref::<I32Exit>() {
                    Some(I32Exit(c)) => ("exited".to_string(), format!("exit {c}")),
                    None => ("trap".to_string(), "trap".to_string()),
                },
            };
            observe(
                &out.contents(),
                &err.contents(),
                Some((export, call)),
                end,
                root,
            )
        }
    }
}

/// What wasmtime observed in `case`, from its ending and the files it wrote.
fn wasmtime_observed(case: &Case, ending: oracle::Ending, dir: &Path, root: &Path) -> Observed {
    let stdout = std::fs::read(dir.join("stdout")).unwrap_or_default();
    let stderr = std::fs::read(dir.join("stderr")).unwrap_or_default();
    let (call, end) = match ending {
        oracle::Ending::Exit(c) => ("exited".to_string(), format!("exit {c}")),
        oracle::Ending::Result(r) => (errno_name(r), "exit 0".to_string()),
        oracle::Ending::Trap(_) => ("trap".to_string(), "trap".to_string()),
    };
    let invoke = case.invoke.as_deref().map(|e| (e, call));
    observe(&stdout, &stderr, invoke, end, root)
}

/// The outcome of comparing every case.
#[derive(Default)]
struct Report {
    /// Distinct call keys compared (lines `KEY = ...` and invoked exports).
    keys: BTreeSet<String>,
    lines: usize,
    /// Differences explained by `known`: index into it.
    explained: BTreeSet<usize>,
    explained_lines: usize,
    unexplained: Vec<String>,
    /// The same, as lines of `known.txt` (with `?` for the reason).
    unexplained_tsv: Vec<String>,
}

impl Report {
    /// Compares one observation pair; `key` identifies it in `known.txt`.
    fn diff(&mut self, known: &[Known], case: &Case, key: &str, wvm: &str, wasmtime: &str) {
        if wvm == wasmtime {
            return;
        }
        let found = known.iter().position(|k| {
            k.program == case.program && k.key == key && k.wvm == wvm && k.wasmtime == wasmtime
        });
        match found {
            Some(i) => {
                self.explained.insert(i);
                self.explained_lines += 1;
            }
            None => {
                self.unexplained.push(format!(
                    "{} | {key}\n    wvm:      {wvm}\n    wasmtime: {wasmtime}",
                    case.name
                ));
                self.unexplained_tsv.push(format!(
                    "?\t{}\t{key}\t{}\t{}\n",
                    case.program,
                    known::escape(wvm),
                    known::escape(wasmtime)
                ));
            }
        }
    }

    fn compare(&mut self, known: &[Known], case: &Case, wvm: &Observed, wt: &Observed) {
        for (i, (a, b)) in wvm.lines.iter().zip(&wt.lines).enumerate() {
            self.lines += 1;
            let (ka, va) = a.split_once(" = ").unwrap_or((a, ""));
            let (kb, vb) = b.split_once(" = ").unwrap_or((b, ""));
            if a.contains(" = ") {
                self.keys.insert(ka.to_string());
            }
            // A command that ends with a status other than 0 called proc_exit (wasi-libc calls
            // it for main's return value too).
            if let Some(code) = va.strip_prefix("exit ").filter(|c| *c != "0")
                && ka == "<exit>"
            {
                self.keys.insert(format!("proc_exit({code})"));
            }
            if ka != kb {
                self.unexplained.push(format!(
                    "{} | line {}: the runs diverged\n    wvm:      {a}\n    wasmtime: {b}",
                    case.name,
                    i + 1
                ));
                return;
            }
            self.diff(known, case, ka, va, vb);
        }
        if wvm.lines.len() != wt.lines.len() {
            self.unexplained.push(format!(
                "{} | {} lines under WVM, {} under wasmtime",
                case.name,
                wvm.lines.len(),
                wt.lines.len()
            ));
        }
        self.diff(known, case, "<stderr>", &wvm.stderr, &wt.stderr);
        let paths: BTreeSet<&String> = wvm.tree.keys().chain(wt.tree.keys()).collect();
        for path in paths {
            let absent = String::from("absent");
            let a = wvm.tree.get(path).unwrap_or(&absent);
            let b = wt.tree.get(path).unwrap_or(&absent);
            self.diff(known, case, &format!("<tree> {path}"), a, b);
        }
    }
}

#[test]
fn wasi_matches_wasmtime_call_by_call() {
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let built = build(&target.join("wasi-differential-programs"));
    let cases = cases(&built);
    let work = target.join("wasi-differential");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let stdin = work.join("stdin");
    std::fs::write(&stdin, STDIN).unwrap();

    // Both sides start from the same tree; wasmtime runs all cases in one process while WVM
    // runs them here.
    let roots: Vec<(PathBuf, PathBuf, PathBuf)> = (0..cases.len())
        .map(|i| {
            let (w, r, io) = (
                work.join(format!("wvm/{i}")),
                work.join(format!("wasmtime/{i}")),
                work.join(format!("wasmtime-io/{i}")),
            );
            fixture(&w);
            fixture(&r);
            std::fs::create_dir_all(&io).unwrap();
            (w, r, io)
        })
        .collect();
    let reference_preopens: Vec<_> = roots.iter().map(|(_, r, _)| preopens(r)).collect();
    let (stdouts, stderrs): (Vec<PathBuf>, Vec<PathBuf>) = roots
        .iter()
        .map(|(_, _, io)| (io.join("stdout"), io.join("stderr")))
        .unzip();
    let plans: Vec<oracle::Plan> = cases
        .iter()
        .enumerate()
        .map(|(i, case)| oracle::Plan {
            module: &case.reference,
            args: &case.args,
            preopens: &reference_preopens[i],
            stdin: &stdin,
            stdout: &stdouts[i],
            stderr: &stderrs[i],
            invoke: case.invoke.as_deref(),
        })
        .collect();
    let pending = oracle::start(&plans, &work);
    let wvm: Vec<Observed> = cases
        .iter()
        .zip(&roots)
        .map(|(case, (root, _, _))| run_wvm(case, root))
        .collect();
    let endings = pending.wait();

    let known = known::load();
    let mut report = Report::default();
    for (((case, ending), (_, root, io)), wvm) in cases.iter().zip(endings).zip(&roots).zip(&wvm) {
        let wt = wasmtime_observed(case, ending, io, root);
        report.compare(&known, case, wvm, &wt);
        if let Some(export) = &case.invoke {
            report.keys.insert(format!("{} {export}", case.program));
        }
    }

    // A key names its function first (`fd_read[stdin]`, `path_open(...)`); an invoked export
    // names it after `t_` (`t_fd_write_buf_outside`).
    let called = |f: &str| {
        report.keys.iter().any(|k| {
            let name = k.rsplit(' ').next().and_then(|e| e.strip_prefix("t_"));
            let name = name.unwrap_or(k.split(['(', '[', ' ']).next().unwrap_or(""));
            name == f || name.strip_prefix(f).is_some_and(|r| r.starts_with('_'))
        })
    };
    let uncovered: Vec<&str> = FUNCTIONS.iter().copied().filter(|f| !called(f)).collect();
    let stale: Vec<String> = known
        .iter()
        .enumerate()
        .filter(|(i, _)| !report.explained.contains(i))
        .map(|(_, k)| format!("{} | {}", k.program, k.key))
        .collect();
    let mut by_reason: BTreeMap<Why, usize> = BTreeMap::new();
    for &i in &report.explained {
        *by_reason.entry(known[i].why).or_default() += 1;
    }
    let mut summary = format!(
        "differential WASI: {} cases, {} lines, {} distinct calls compared with wasmtime; \
         {} lines differ as documented ({} entries), {} unexplained\n",
        cases.len(),
        report.lines,
        report.keys.len(),
        report.explained_lines,
        report.explained.len(),
        report.unexplained.len()
    );
    for (why, n) in &by_reason {
        let _ = writeln!(summary, "  {n:4} x {}: {}", why.name(), why.reason());
    }
    println!("{summary}");
    // All of them, one per line in known.txt's format, to look through or adopt.
    let listing = work.join("unexplained.txt");
    std::fs::write(&listing, report.unexplained_tsv.concat()).unwrap();
    assert!(
        report.unexplained.is_empty(),
        "{summary}\nunexplained differences (first 100; all in {}):\n{}",
        listing.display(),
        report
            .unexplained
            .iter()
            .take(100)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        stale.is_empty(),
        "documented differences that no longer occur (remove them from known.rs):\n{}",
        stale.join("\n")
    );
    assert!(
        uncovered.is_empty(),
        "WASI functions no program calls: {uncovered:?}"
    );
    assert!(
        report.keys.len() >= 300,
        "only {} distinct calls compared",
        report.keys.len()
    );
}
