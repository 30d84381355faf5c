//! WASI preview 1 for WVM: the host functions of `wasi_snapshot_preview1` and of the older
//! `wasi_unstable`, over cap-std, with no ambient authority.
//!
//! Design:
//! - A [`WasiCtx`] (built with [`WasiCtxBuilder`]) is everything a guest may reach: its
//!   arguments, environment variables, standard streams, preopened directories and listening
//!   sockets, and the clocks and random source (replaceable, e.g. by deterministic ones).
//!   Nothing is granted by default.
//! - Every path is resolved by cap-std beneath a directory descriptor the guest holds: `..`
//!   past it, absolute paths and symlinks that lead out fail (`ENOTCAPABLE`), never reaching
//!   the host file system outside. Whether an operation is allowed on a descriptor (read-only
//!   preopens, open modes, narrowed rights) is decided in one module, [`perms`].
//! - Guest pointers and lengths are checked in [`mem`]; a bad one is `EFAULT`. Host I/O errors
//!   map onto WASI errno values in [`errno`]. Guest input never panics the host: a WASI call
//!   returns an errno, and only `proc_exit` ends the call, with an error the embedder can
//!   inspect ([`I32Exit`]).
//! - The two module names share one implementation; [`Abi`] carries the layouts that differ
//!   (`filestat`, `whence`, the clock subscription of `poll_oneoff`).
//!
//! What does not live here: preview 2 / the component model, and the `wvm` command's flags
//! (the CLI maps them onto the builder).

/// The README's embedding examples (the core API and WASI), compiled and run as doctests here,
/// where both crates are available.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;

mod abi;
mod ctx;
mod errno;
mod fs;
mod mem;
mod misc;
mod path;
mod perms;
mod table;

pub use ctx::{
    ClockId, DeterministicClocks, DeterministicRandom, DirPerms, OsRandom, ReadPipe, SystemClocks,
    WasiClocks, WasiCtx, WasiCtxBuilder, WasiRandom, WritePipe,
};
pub use errno::Errno;

use std::fmt;

use mem::GuestMem;
use wvm::{Caller, Extern, Linker};

/// The error `proc_exit` ends a call with: the guest's exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exited with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// Which of the two WASI module names a call came through: their layouts differ in places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abi {
    /// `wasi_snapshot_preview1`.
    Preview1,
    /// `wasi_unstable` (snapshot 0).
    Unstable,
}

/// What a WASI call returns: success, or the errno the guest gets. (Only `proc_exit` ends a
/// call, and it is defined on its own.)
pub(crate) type SysResult<T = ()> = Result<T, Errno>;

/// One WASI call's view: the context, the caller's memory, and the ABI.
pub(crate) struct Cx<'a> {
    pub(crate) ctx: &'a mut WasiCtx,
    pub(crate) mem: GuestMem<'a>,
    pub(crate) abi: Abi,
}

impl<'a> Cx<'a> {
    fn new<T>(
        caller: &'a mut Caller<'_, T>,
        get: impl Fn(&mut T) -> &mut WasiCtx,
        abi: Abi,
    ) -> Cx<'a> {
        // A module without an exported memory can still call WASI functions; any pointer it
        // passes is then out of bounds (EFAULT).
        match caller.get_export("memory") {
            Some(Extern::Memory(memory)) => {
                let (bytes, data) = memory.data_and_store_mut(caller);
                Cx {
                    ctx: get(data),
                    mem: GuestMem::new(bytes),
                    abi,
                }
            }
            _ => Cx {
                ctx: get(caller.data_mut()),
                mem: GuestMem::new(&mut []),
                abi,
            },
        }
    }
}

/// The WebAssembly type a WASI parameter travels as.
trait Param {
    type Wasm: wvm::WasmTy;
    fn from_wasm(w: Self::Wasm) -> Self;
}

impl Param for u32 {
    type Wasm = i32;
    fn from_wasm(w: i32) -> u32 {
        w as u32
    }
}

impl Param for u64 {
    type Wasm = i64;
    fn from_wasm(w: i64) -> u64 {
        w as u64
    }
}

impl Param for i64 {
    type Wasm = i64;
    fn from_wasm(w: i64) -> i64 {
        w
    }
}

/// The errno a call returns to the guest (0 for success).
fn finish(r: SysResult) -> wvm::Result<i32> {
    Ok(r.err().map_or(0, |e| i32::from(e.code())))
}

macro_rules! define_calls {
    ($linker:ident, $get:ident, $module:expr, $abi:expr;
     $( $path:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* ); )*) => {
        $(
            $linker.func_wrap(
                $module,
                stringify!($name),
                move |mut caller: Caller<'_, T>, $( $arg: <$ty as Param>::Wasm ),*| -> wvm::Result<i32> {
                    let mut cx = Cx::new(&mut caller, $get, $abi);
                    finish($path::$name(&mut cx, $( <$ty as Param>::from_wasm($arg) ),*))
                },
            )?;
        )*
    };
}

/// Defines every WASI preview 1 function in `linker`, under both `wasi_snapshot_preview1` and
/// `wasi_unstable`. `get` finds the [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Copy + Send + Sync + 'static,
) -> wvm::Result<()> {
    for (module, abi) in [
        ("wasi_snapshot_preview1", Abi::Preview1),
        ("wasi_unstable", Abi::Unstable),
    ] {
        define_calls! { linker, get, module, abi;
            misc::args_get(argv: u32, argv_buf: u32);
            misc::args_sizes_get(argc: u32, buf_size: u32);
            misc::environ_get(environ: u32, environ_buf: u32);
            misc::environ_sizes_get(count: u32, buf_size: u32);
            misc::clock_res_get(id: u32, out: u32);
            misc::clock_time_get(id: u32, precision: u64, out: u32);
            fs::fd_advise(fd: u32, offset: u64, len: u64, advice: u32);
            fs::fd_allocate(fd: u32, offset: u64, len: u64);
            fs::fd_close(fd: u32);
            fs::fd_datasync(fd: u32);
            fs::fd_fdstat_get(fd: u32, out: u32);
            fs::fd_fdstat_set_flags(fd: u32, flags: u32);
            fs::fd_fdstat_set_rights(fd: u32, base: u64, inheriting: u64);
            fs::fd_filestat_get(fd: u32, out: u32);
            fs::fd_filestat_set_size(fd: u32, size: u64);
            fs::fd_filestat_set_times(fd: u32, atim: u64, mtim: u64, flags: u32);
            fs::fd_pread(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nread: u32);
            fs::fd_prestat_get(fd: u32, out: u32);
            fs::fd_prestat_dir_name(fd: u32, path: u32, path_len: u32);
            fs::fd_pwrite(fd: u32, iovs: u32, iovs_len: u32, offset: u64, nwritten: u32);
            fs::fd_read(fd: u32, iovs: u32, iovs_len: u32, nread: u32);
            fs::fd_readdir(fd: u32, buf: u32, buf_len: u32, cookie: u64, bufused: u32);
            fs::fd_renumber(fd: u32, to: u32);
            fs::fd_seek(fd: u32, offset: i64, whence: u32, newoffset: u32);
            fs::fd_sync(fd: u32);
            fs::fd_tell(fd: u32, out: u32);
            fs::fd_write(fd: u32, iovs: u32, iovs_len: u32, nwritten: u32);
            path::path_create_directory(fd: u32, path: u32, path_len: u32);
            path::path_filestat_get(fd: u32, flags: u32, path: u32, path_len: u32, out: u32);
            path::path_filestat_set_times(fd: u32, flags: u32, path: u32, path_len: u32, atim: u64, mtim: u64, fst_flags: u32);
            path::path_link(old_fd: u32, old_flags: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
            path::path_open(fd: u32, dirflags: u32, path: u32, path_len: u32, oflags: u32, rights_base: u64, rights_inheriting: u64, fdflags: u32, out: u32);
            path::path_readlink(fd: u32, path: u32, path_len: u32, buf: u32, buf_len: u32, bufused: u32);
            path::path_remove_directory(fd: u32, path: u32, path_len: u32);
            path::path_rename(fd: u32, old_path: u32, old_len: u32, new_fd: u32, new_path: u32, new_len: u32);
            path::path_symlink(old_path: u32, old_len: u32, fd: u32, new_path: u32, new_len: u32);
            path::path_unlink_file(fd: u32, path: u32, path_len: u32);
            misc::poll_oneoff(subs: u32, events: u32, nsubs: u32, nevents: u32);
            misc::proc_raise(sig: u32);
            misc::sched_yield();
            misc::random_get(buf: u32, len: u32);
            misc::sock_accept(fd: u32, flags: u32, out: u32);
            misc::sock_recv(fd: u32, ri_data: u32, ri_data_len: u32, ri_flags: u32, ro_datalen: u32, ro_flags: u32);
            misc::sock_send(fd: u32, si_data: u32, si_data_len: u32, si_flags: u32, so_datalen: u32);
            misc::sock_shutdown(fd: u32, how: u32);
        }
        // proc_exit returns nothing: it always ends the call.
        linker.func_wrap(module, "proc_exit", |code: i32| -> wvm::Result<()> {
            Err(wvm::Error::new(I32Exit(code)))
        })?;
    }
    Ok(())
}
