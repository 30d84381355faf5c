//! End-to-end tests of wvm-wasi: real WASI programs (C compiled with clang against wasi-libc,
//! and hand-written WAT for what C cannot express) run in-process through the embedding API,
//! with in-memory standard streams and a fresh temporary directory each. The tests check what
//! the program printed, its exit status and the files left on the host afterwards.
//!
//! The C sources live in `tests/programs/*.c`; they are compiled once per test run into
//! `CARGO_TARGET_TMPDIR` (again only when a source is newer than its `.wasm`).

mod abi;
mod differential;
mod hostile;
mod poll;
mod programs;
mod socket;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use wvm::{Engine, Linker, Module, Store};
use wvm_wasi::{
    DeterministicClocks, DeterministicRandom, DirPerms, I32Exit, ReadPipe, WasiCtx, WasiCtxBuilder,
    WritePipe, add_to_linker,
};

/// `tests/programs`.
pub fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

const CLANG_HINT: &str = "the WASI test programs need clang for wasm32-wasi: \
     install clang lld wasi-libc libclang-rt-14-dev-wasm32 (apt-get install clang lld wasi-libc \
     libclang-rt-14-dev-wasm32)";

/// Compiles every `tests/programs/*.c` (once per test run); maps a program name to its `.wasm`.
fn compiled() -> &'static HashMap<String, PathBuf> {
    static COMPILED: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wasi-programs");
        std::fs::create_dir_all(&out_dir).expect("create the program output directory");
        let mut sources: Vec<PathBuf> = std::fs::read_dir(programs_dir())
            .expect("read tests/programs")
            .map(|e| e.expect("read tests/programs").path())
            .filter(|p| p.extension().is_some_and(|e| e == "c"))
            .collect();
        sources.sort();
        let mut map = HashMap::new();
        for src in sources {
            let name = src.file_stem().unwrap().to_str().unwrap().to_string();
            let wasm = out_dir.join(format!("{name}.wasm"));
            if is_stale(&src, &wasm) {
                compile(&src, &wasm);
            }
            map.insert(name, wasm);
        }
        map
    })
}

pub fn is_stale(src: &Path, wasm: &Path) -> bool {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(src), modified(wasm)) {
        (Some(s), Some(w)) => s > w,
        _ => true,
    }
}

fn compile(src: &Path, wasm: &Path) {
    compile_with(src, wasm, &[]);
}

/// Compiles the C program `src` to `wasm` with clang for wasm32-wasi, adding `flags`.
pub fn compile_with(src: &Path, wasm: &Path, flags: &[&str]) {
    // Write beside the target and rename, so an interrupted run never leaves half a module.
    let tmp = wasm.with_extension("wasm.tmp");
    let out = Command::new("clang")
        .args([
            "--target=wasm32-wasi",
            "--sysroot=/usr",
            "-O2",
            "-Wall",
            "-Wextra",
            "-Werror",
        ])
        .args(flags)
        .arg(src)
        .arg("-o")
        .arg(&tmp)
        .output()
        .unwrap_or_else(|e| panic!("cannot run clang ({e}); {CLANG_HINT}"));
    assert!(
        out.status.success(),
        "clang failed on {}:\n{}\n({CLANG_HINT})",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, wasm).expect("move the compiled program into place");
}

/// The compiled `.wasm` of `tests/programs/NAME.c`.
pub fn c_program(name: &str) -> PathBuf {
    compiled()
        .get(name)
        .unwrap_or_else(|| panic!("no tests/programs/{name}.c"))
        .clone()
}

/// `tests/programs/NAME.wat`.
pub fn wat_program(name: &str) -> PathBuf {
    programs_dir().join(format!("{name}.wat"))
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// `_start` returned (0) or the program called `proc_exit`.
    Code(i32),
    /// Execution trapped, or the host returned an error that was not an exit.
    Trap(String),
}

/// What a run printed and how it ended.
pub struct Outcome {
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Asserts the program exited with `code`, showing its output if not.
    #[track_caller]
    pub fn assert_exit(&self, code: i32) -> &Self {
        assert_eq!(
            self.exit,
            Exit::Code(code),
            "unexpected end of the program\n--- stdout:\n{}\n--- stderr:\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    /// Asserts exit status 0.
    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.assert_exit(0)
    }
}

/// What to grant one run: arguments (argv[0] included), environment, stdin, directories.
#[derive(Default)]
pub struct Wasi {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Vec<u8>,
    dirs: Vec<(PathBuf, String, DirPerms)>,
    /// Deterministic clocks (realtime start, step) and random seed, instead of the host's.
    deterministic: Option<(u64, u64, u64)>,
    /// A listening socket, preopened after the directories.
    listener: Option<std::net::TcpListener>,
}

impl Wasi {
    /// A run whose `argv[0]` is `program`.
    pub fn new(program: &str) -> Wasi {
        Wasi {
            args: vec![program.to_string()],
            ..Wasi::default()
        }
    }

    pub fn arg(mut self, arg: &str) -> Wasi {
        self.args.push(arg.to_string());
        self
    }

    pub fn args(mut self, args: &[&str]) -> Wasi {
        self.args.extend(args.iter().map(|a| a.to_string()));
        self
    }

    pub fn env(mut self, name: &str, value: &str) -> Wasi {
        self.env.push((name.to_string(), value.to_string()));
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Wasi {
        self.stdin = data.into();
        self
    }

    /// Preopens the host directory `host` as `guest`.
    pub fn dir(mut self, host: &Path, guest: &str, perms: DirPerms) -> Wasi {
        self.dirs
            .push((host.to_path_buf(), guest.to_string(), perms));
        self
    }

    /// Preopens a listening TCP socket.
    pub fn listener(mut self, listener: std::net::TcpListener) -> Wasi {
        self.listener = Some(listener);
        self
    }

    /// Replaces the host's clocks and random source with deterministic ones.
    pub fn deterministic(mut self, realtime_start: u64, step: u64, seed: u64) -> Wasi {
        self.deterministic = Some((realtime_start, step, seed));
        self
    }

    /// The context, and the pipes that collect stdout and stderr.
    fn build(self) -> (WasiCtx, WritePipe, WritePipe) {
        let mut b = WasiCtxBuilder::new();
        for a in &self.args {
            b.arg(a);
        }
        for (k, v) in &self.env {
            b.env(k, v);
        }
        b.stdin(ReadPipe::from(self.stdin));
        let out = WritePipe::new_in_memory();
        let err = WritePipe::new_in_memory();
        b.stdout(out.clone());
        b.stderr(err.clone());
        for (host, guest, perms) in &self.dirs {
            b.preopened_dir(host, guest, *perms)
                .unwrap_or_else(|e| panic!("preopen {}: {e}", host.display()));
        }
        if let Some(listener) = self.listener {
            b.preopened_listener(listener);
        }
        if let Some((start, step, seed)) = self.deterministic {
            b.clocks(DeterministicClocks::new(start, step));
            b.random(DeterministicRandom::new(seed));
        }
        (b.build(), out, err)
    }

    /// Instantiates the module at `path` (binary or text) with WASI and calls `_start`.
    pub fn run(self, path: &Path) -> Outcome {
        let (ctx, out, err) = self.build();
        let mut session = Session::new(ctx, path);
        let start = session
            .instance
            .get_typed_func::<(), ()>(&session.store, "_start")
            .expect("the program exports _start");
        let store = &mut session.store;
        let result = no_panic(&path.display().to_string(), move || start.call(store, ()));
        let exit = match result {
            Ok(()) => Exit::Code(0),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(I32Exit(code)) => Exit::Code(*code),
                None => Exit::Trap(e.to_string()),
            },
        };
        Outcome {
            exit,
            stdout: out.contents(),
            stderr: err.contents(),
        }
    }

    /// Instantiates the module at `path` without calling anything, for tests that call its
    /// exports one by one. Also returns the stdout and stderr pipes.
    pub fn instantiate(self, path: &Path) -> (Session, WritePipe, WritePipe) {
        let (ctx, out, err) = self.build();
        (Session::new(ctx, path), out, err)
    }
}

/// A store with one WASI instance in it.
pub struct Session {
    pub store: Store<WasiCtx>,
    pub instance: wvm::Instance,
}

impl Session {
    fn new(ctx: WasiCtx, path: &Path) -> Session {
        let engine = Engine::default();
        let mut linker = Linker::<WasiCtx>::new(&engine);
        add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).expect("add WASI to the linker");
        let module = Module::from_file(&engine, path)
            .unwrap_or_else(|e| panic!("load {}: {e}", path.display()));
        let mut store = Store::new(&engine, ctx);
        let instance = linker
            .instantiate(&mut store, &module)
            .unwrap_or_else(|e| panic!("instantiate {}: {e}", path.display()));
        Session { store, instance }
    }

    /// Calls the export `name` of type `P -> R`, failing the test on a trap or a host panic.
    pub fn call<P: wvm::WasmParams, R: wvm::WasmResults>(&mut self, name: &str, params: P) -> R {
        let f = self
            .instance
            .get_typed_func::<P, R>(&self.store, name)
            .unwrap_or_else(|e| panic!("export {name}: {e}"));
        let store = &mut self.store;
        no_panic(name, move || f.call(store, params))
            .unwrap_or_else(|e| panic!("{name} trapped or failed instead of returning: {e}"))
    }

    /// The instance's exported memory.
    pub fn memory(&self) -> wvm::Memory {
        self.instance
            .get_memory(&self.store, "memory")
            .expect("the module exports its memory")
    }

    pub fn read(&self, offset: usize, len: usize) -> Vec<u8> {
        self.memory().data(&self.store)[offset..offset + len].to_vec()
    }

    pub fn write(&mut self, offset: usize, bytes: &[u8]) {
        let memory = self.memory();
        memory
            .write(&mut self.store, offset, bytes)
            .expect("write guest memory");
    }
}

/// Runs `f`, turning a panic (a host bug: guest input must never panic the host) into a test
/// failure that says so.
pub fn no_panic<R>(what: &str, f: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(p) => {
            let msg = p
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| p.downcast_ref::<&str>().copied())
                .unwrap_or("(non-string panic)");
            panic!("the host panicked while running {what}: {msg}")
        }
    }
}

/// Visits `path` and everything beneath it, children in name order, following no symlink;
/// `visit(path, metadata)` says whether to go into a directory.
pub fn walk_tree(path: &Path, visit: &mut dyn FnMut(&Path, &std::fs::Metadata) -> bool) {
    let m = std::fs::symlink_metadata(path).unwrap();
    if visit(path, &m) && m.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        children.sort();
        for child in children {
            walk_tree(&child, visit);
        }
    }
}

/// A fresh temporary directory, removed when dropped.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("wvm-wasi-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("create a temporary directory")
}
