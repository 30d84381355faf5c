//! The WASI context a store holds: arguments, environment, the descriptor table with its
//! preopens, and the clock and random sources; and the builder that grants each of them.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cap_std::ambient_authority;
use cap_std::fs::Dir;

use crate::errno::Errno;
use crate::table::{Descriptor, DirDesc, FdTable, Stream};

/// What a guest may do inside a preopened directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirPerms {
    /// Look up, open for reading, list and stat; every change is refused.
    ReadOnly,
    /// Everything: create, write, rename, remove, link, set times.
    ReadWrite,
}

/// WASI clock ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockId {
    /// Wall-clock time since the Unix epoch.
    Realtime,
    /// A clock that never goes backwards.
    Monotonic,
    /// CPU time of the process.
    ProcessCpuTime,
    /// CPU time of the calling thread.
    ThreadCpuTime,
}

/// Where the guest's time comes from. Replace it (e.g. with [`DeterministicClocks`]) to make
/// time reproducible.
pub trait WasiClocks: Send {
    /// The time of `clock` in nanoseconds.
    fn now(&mut self, clock: ClockId) -> Result<u64, Errno>;
    /// The resolution of `clock` in nanoseconds.
    fn resolution(&self, clock: ClockId) -> Result<u64, Errno>;
    /// Blocks the guest for `duration` (poll_oneoff with only clock subscriptions).
    fn sleep(&mut self, duration: Duration);
}

/// Where `random_get` takes its bytes from.
pub trait WasiRandom: Send {
    /// Fills `buf` with random bytes.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno>;
}

/// The host's clocks: the system's real time, a monotonic clock, and CPU-time clocks.
pub struct SystemClocks {
    start: Instant,
}

impl Default for SystemClocks {
    fn default() -> Self {
        SystemClocks {
            start: Instant::now(),
        }
    }
}

impl WasiClocks for SystemClocks {
    fn now(&mut self, clock: ClockId) -> Result<u64, Errno> {
        use rustix::time::{ClockId as C, clock_gettime};
        let ts = |c| {
            let t = clock_gettime(c);
            (t.tv_sec as u64)
                .saturating_mul(1_000_000_000)
                .saturating_add(t.tv_nsec as u64)
        };
        Ok(match clock {
            ClockId::Realtime => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_err(|_| Errno::Io)?
                .as_nanos() as u64,
            // Offset by one second, so that the first reading is not zero.
            ClockId::Monotonic => self.start.elapsed().as_nanos() as u64 + 1_000_000_000,
            ClockId::ProcessCpuTime => ts(C::ProcessCPUTime),
            ClockId::ThreadCpuTime => ts(C::ThreadCPUTime),
        })
    }

    fn resolution(&self, _clock: ClockId) -> Result<u64, Errno> {
        Ok(1)
    }

    fn sleep(&mut self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// Clocks that start at fixed times and move only when read or slept on: every reading
/// advances time by `step` nanoseconds, and sleeping advances it without waiting. The same
/// guest run twice sees the same times.
pub struct DeterministicClocks {
    realtime: u64,
    monotonic: u64,
    step: u64,
}

impl DeterministicClocks {
    /// Realtime starts at `realtime_start` (ns since the epoch), the others at one second;
    /// each reading advances all clocks by `step` ns.
    pub fn new(realtime_start: u64, step: u64) -> DeterministicClocks {
        DeterministicClocks {
            realtime: realtime_start,
            monotonic: 1_000_000_000,
            step,
        }
    }

    fn advance(&mut self, ns: u64) {
        self.realtime = self.realtime.saturating_add(ns);
        self.monotonic = self.monotonic.saturating_add(ns);
    }
}

impl WasiClocks for DeterministicClocks {
    fn now(&mut self, clock: ClockId) -> Result<u64, Errno> {
        self.advance(self.step);
        Ok(match clock {
            ClockId::Realtime => self.realtime,
            _ => self.monotonic,
        })
    }

    fn resolution(&self, _clock: ClockId) -> Result<u64, Errno> {
        Ok(self.step.max(1))
    }

    fn sleep(&mut self, duration: Duration) {
        self.advance(duration.as_nanos().min(u64::MAX as u128) as u64);
    }
}

/// The operating system's random source.
#[derive(Default)]
pub struct OsRandom;

impl WasiRandom for OsRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        getrandom::fill(buf).map_err(|_| Errno::Io)
    }
}

/// A seeded pseudo-random sequence (splitmix64): the same seed gives the same bytes. For
/// reproducible runs, not for secrets.
pub struct DeterministicRandom {
    state: u64,
}

impl DeterministicRandom {
    /// A sequence starting from `seed`.
    pub fn new(seed: u64) -> DeterministicRandom {
        DeterministicRandom { state: seed }
    }

    fn next(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl WasiRandom for DeterministicRandom {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), Errno> {
        for chunk in buf.chunks_mut(8) {
            let bytes = self.next().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

/// An in-memory stdin: the guest reads these bytes, then end of file.
pub struct ReadPipe {
    data: io::Cursor<Vec<u8>>,
}

impl From<Vec<u8>> for ReadPipe {
    fn from(data: Vec<u8>) -> ReadPipe {
        ReadPipe {
            data: io::Cursor::new(data),
        }
    }
}

impl From<&str> for ReadPipe {
    fn from(data: &str) -> ReadPipe {
        ReadPipe::from(data.as_bytes().to_vec())
    }
}

impl Read for ReadPipe {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.data.read(buf)
    }
}

/// An in-memory stdout or stderr; clones share the buffer, so the host keeps one clone and
/// reads what the guest wrote with [`WritePipe::contents`].
#[derive(Clone, Default)]
pub struct WritePipe {
    buf: Arc<Mutex<Vec<u8>>>,
}

impl WritePipe {
    /// An empty pipe.
    pub fn new_in_memory() -> WritePipe {
        WritePipe::default()
    }

    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.buf.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Write for WritePipe {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Everything a guest may reach through WASI. Build it with [`WasiCtxBuilder`].
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) table: FdTable,
    pub(crate) clocks: Box<dyn WasiClocks>,
    pub(crate) random: Box<dyn WasiRandom>,
}

impl WasiCtx {
    /// A context that grants nothing: no arguments, environment, files or standard streams
    /// (reads see end of file, writes are discarded).
    pub fn new() -> WasiCtx {
        WasiCtxBuilder::new().build()
    }
}

impl Default for WasiCtx {
    fn default() -> Self {
        WasiCtx::new()
    }
}

/// Grants a guest its arguments, environment, standard streams, directories, sockets and
/// sources of time and randomness. Nothing is granted unless asked for.
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Stream,
    stdout: Stream,
    stderr: Stream,
    preopens: Vec<Descriptor>,
    clocks: Box<dyn WasiClocks>,
    random: Box<dyn WasiRandom>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    /// A builder that grants nothing yet. Clocks and random default to the host's real ones
    /// (replace them with [`WasiCtxBuilder::clocks`] and [`WasiCtxBuilder::random`]).
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Stream::NullIn,
            stdout: Stream::NullOut,
            stderr: Stream::NullOut,
            preopens: Vec::new(),
            clocks: Box::new(SystemClocks::default()),
            random: Box::new(OsRandom),
        }
    }

    /// Appends one argument (the first is the program name, `argv[0]`).
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        self.args.push(arg.as_ref().to_string());
        self
    }

    /// Appends arguments.
    pub fn args(&mut self, args: &[impl AsRef<str>]) -> &mut Self {
        for a in args {
            self.arg(a);
        }
        self
    }

    /// Sets one environment variable.
    pub fn env(&mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        let name = name.as_ref().to_string();
        self.env.retain(|(n, _)| *n != name);
        self.env.push((name, value.as_ref().to_string()));
        self
    }

    /// The guest's stdin reads from `r`.
    pub fn stdin(&mut self, r: impl Read + Send + 'static) -> &mut Self {
        self.stdin = Stream::Reader(Box::new(r));
        self
    }

    /// The guest's stdout writes to `w`.
    pub fn stdout(&mut self, w: impl Write + Send + 'static) -> &mut Self {
        self.stdout = Stream::Writer(Box::new(w));
        self
    }

    /// The guest's stderr writes to `w`.
    pub fn stderr(&mut self, w: impl Write + Send + 'static) -> &mut Self {
        self.stderr = Stream::Writer(Box::new(w));
        self
    }

    /// The guest uses the host process's stdin, stdout and stderr.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin = Stream::HostStdin;
        self.stdout = Stream::HostStdout;
        self.stderr = Stream::HostStderr;
        self
    }

    /// Grants the host directory `host` to the guest, which sees it as `guest` (e.g. `/data`
    /// or `.`), with `perms`. Fails if `host` cannot be opened as a directory.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl AsRef<str>,
        perms: DirPerms,
    ) -> io::Result<&mut Self> {
        let dir = Dir::open_ambient_dir(host.as_ref(), ambient_authority())?;
        self.preopens.push(Descriptor::Dir(DirDesc::new(
            dir,
            perms,
            Some(guest.as_ref().to_string()),
        )));
        Ok(self)
    }

    /// Grants a listening TCP socket: the guest can `sock_accept` connections on it.
    pub fn preopened_listener(&mut self, listener: std::net::TcpListener) -> &mut Self {
        self.preopens.push(Descriptor::Listener(listener));
        self
    }

    /// Replaces the clocks (for example with [`DeterministicClocks`]).
    pub fn clocks(&mut self, clocks: impl WasiClocks + 'static) -> &mut Self {
        self.clocks = Box::new(clocks);
        self
    }

    /// Replaces the random source (for example with [`DeterministicRandom`]).
    pub fn random(&mut self, random: impl WasiRandom + 'static) -> &mut Self {
        self.random = Box::new(random);
        self
    }

    /// The context. Descriptors 0, 1 and 2 are the standard streams, preopens follow from 3
    /// in the order they were granted.
    pub fn build(&mut self) -> WasiCtx {
        let mut table = FdTable::default();
        for stream in [
            std::mem::replace(&mut self.stdin, Stream::NullIn),
            std::mem::replace(&mut self.stdout, Stream::NullOut),
            std::mem::replace(&mut self.stderr, Stream::NullOut),
        ] {
            table
                .push(Descriptor::Stream(stream))
                .expect("an empty table has room");
        }
        for d in self.preopens.drain(..) {
            // A builder can't grant more preopens than the table holds in practice; if it
            // did, the rest stay closed.
            let _ = table.push(d);
        }
        WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            table,
            clocks: std::mem::replace(&mut self.clocks, Box::new(SystemClocks::default())),
            random: std::mem::replace(&mut self.random, Box::new(OsRandom)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_sources_repeat() {
        let mut a = DeterministicRandom::new(7);
        let mut b = DeterministicRandom::new(7);
        let (mut x, mut y) = ([0u8; 13], [0u8; 13]);
        a.fill(&mut x).unwrap();
        b.fill(&mut y).unwrap();
        assert_eq!(x, y);
        assert_ne!(x, [0u8; 13]);

        let mut c = DeterministicClocks::new(1_000, 10);
        assert_eq!(c.now(ClockId::Realtime), Ok(1_010));
        c.sleep(Duration::from_nanos(100));
        assert_eq!(c.now(ClockId::Monotonic), Ok(1_000_000_120));
    }

    #[test]
    fn write_pipe_clones_share_contents() {
        let pipe = WritePipe::new_in_memory();
        let mut w = pipe.clone();
        w.write_all(b"hi").unwrap();
        assert_eq!(pipe.contents(), b"hi");
    }
}
