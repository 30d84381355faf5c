//! Arguments, environment, clocks, randomness, signals, `poll_oneoff` and sockets.

use std::io::{Read, Write};
use std::net::Shutdown;
use std::time::{Duration, Instant};

use crate::abi::{self, Event, SubKind, Subscription, fdflags};
use crate::ctx::ClockId;
use crate::errno::Errno;
use crate::fs::entry;
use crate::mem::total_len;
use crate::perms::{Op, check};
use std::os::fd::AsFd;

use rustix::event::{PollFd, PollFlags};

use crate::table::{Descriptor, Entry, Stream};
use crate::{Cx, SysResult};

/// Writes NUL-terminated `strings` to `buf` and a pointer to each to `ptrs`.
fn write_strings(cx: &mut Cx, strings: &[Vec<u8>], ptrs: u32, buf: u32) -> SysResult {
    let mut at = buf;
    for (i, s) in strings.iter().enumerate() {
        cx.mem.write_u32(ptrs.wrapping_add(4 * i as u32), at)?;
        cx.mem.write(at, s)?;
        cx.mem.write_u8(at.wrapping_add(s.len() as u32), 0)?;
        at = at.wrapping_add(s.len() as u32 + 1);
    }
    Ok(())
}

fn write_sizes(cx: &mut Cx, strings: &[Vec<u8>], count: u32, size: u32) -> SysResult {
    let total: usize = strings.iter().map(|s| s.len() + 1).sum();
    cx.mem.write_u32(count, strings.len() as u32)?;
    cx.mem
        .write_u32(size, u32::try_from(total).map_err(|_| Errno::Overflow)?)?;
    Ok(())
}

fn args(cx: &Cx) -> Vec<Vec<u8>> {
    cx.ctx.args.iter().map(|a| a.as_bytes().to_vec()).collect()
}

fn environ(cx: &Cx) -> Vec<Vec<u8>> {
    cx.ctx
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}").into_bytes())
        .collect()
}

pub(crate) fn args_get(cx: &mut Cx, argv: u32, argv_buf: u32) -> SysResult {
    let strings = args(cx);
    write_strings(cx, &strings, argv, argv_buf)
}

pub(crate) fn args_sizes_get(cx: &mut Cx, argc: u32, buf_size: u32) -> SysResult {
    let strings = args(cx);
    write_sizes(cx, &strings, argc, buf_size)
}

pub(crate) fn environ_get(cx: &mut Cx, environ_ptrs: u32, environ_buf: u32) -> SysResult {
    let strings = environ(cx);
    write_strings(cx, &strings, environ_ptrs, environ_buf)
}

pub(crate) fn environ_sizes_get(cx: &mut Cx, count: u32, buf_size: u32) -> SysResult {
    let strings = environ(cx);
    write_sizes(cx, &strings, count, buf_size)
}

fn clock_id(id: u32) -> Result<ClockId, Errno> {
    Ok(match id {
        0 => ClockId::Realtime,
        1 => ClockId::Monotonic,
        2 => ClockId::ProcessCpuTime,
        3 => ClockId::ThreadCpuTime,
        _ => return Err(Errno::Inval),
    })
}

pub(crate) fn clock_res_get(cx: &mut Cx, id: u32, out: u32) -> SysResult {
    let res = cx.ctx.clocks.resolution(clock_id(id)?)?;
    cx.mem.write_u64(out, res)?;
    Ok(())
}

pub(crate) fn clock_time_get(cx: &mut Cx, id: u32, _precision: u64, out: u32) -> SysResult {
    let now = cx.ctx.clocks.now(clock_id(id)?)?;
    cx.mem.write_u64(out, now)?;
    Ok(())
}

pub(crate) fn random_get(cx: &mut Cx, buf: u32, len: u32) -> SysResult {
    let dst = cx.mem.slice_mut(buf, len)?;
    cx.ctx.random.fill(dst)?;
    Ok(())
}

pub(crate) fn sched_yield(_cx: &mut Cx) -> SysResult {
    std::thread::yield_now();
    Ok(())
}

/// Signals cannot be raised (ENOTSUP, as under wasmtime); wasi-libc's `raise` never asks.
pub(crate) fn proc_raise(_cx: &mut Cx, sig: u32) -> SysResult {
    match sig {
        0..=30 => Err(Errno::Notsup),
        _ => Err(Errno::Inval),
    }
}

/// Waits for clocks and descriptors, and reports every subscription that is ready, in the
/// order they were given: regular files (for reading and for writing), in-memory pipes and
/// the host's stdout and stderr are always ready; the host's stdin, sockets and listeners
/// (ready to accept) are polled on the host, with the earliest clock as the timeout; every
/// clock whose time has come fires. With nothing ready, the call sleeps through the
/// context's clocks until the earliest clock. A descriptor that cannot be polled gets its
/// errno in its event (wasmtime fails the whole call with EBADF instead).
pub(crate) fn poll_oneoff(
    cx: &mut Cx,
    subs: u32,
    events: u32,
    nsubs: u32,
    nevents: u32,
) -> SysResult {
    if nsubs == 0 {
        return Err(Errno::Inval);
    }
    let size = Subscription::size(cx.abi);
    // Check the whole input and output arrays first: a bad pointer is EFAULT, nothing done.
    cx.mem
        .slice(subs, nsubs.checked_mul(size).ok_or(Errno::Fault)?)?;
    cx.mem
        .slice(events, nsubs.checked_mul(32).ok_or(Errno::Fault)?)?;
    let mut list = Vec::with_capacity(nsubs as usize);
    for i in 0..nsubs {
        list.push(Subscription::read(&cx.mem, subs + i * size, cx.abi)?);
    }

    // Per subscription: its event once ready.
    let mut ready: Vec<Option<Event>> = vec![None; list.len()];
    let mut host_waits: Vec<(usize, u32, PollFlags)> = Vec::new(); // (subscription, fd, events)
    let mut clocks: Vec<(usize, u64)> = Vec::new(); // (subscription, ns to wait)
    for (i, sub) in list.iter().enumerate() {
        let event = |error: Option<Errno>, tag: u8, nbytes: u64| Event {
            userdata: sub.userdata,
            error: error.map_or(0, Errno::code),
            tag,
            nbytes,
            hangup: false,
        };
        match sub.kind {
            SubKind::FdRead(fd) | SubKind::FdWrite(fd) => {
                let reading = matches!(sub.kind, SubKind::FdRead(_));
                let tag = if reading { 1 } else { 2 };
                let entry = match cx.ctx.table.get_mut(fd) {
                    Ok(e) => e,
                    Err(e) => {
                        ready[i] = Some(event(Some(e), tag, 0));
                        continue;
                    }
                };
                let allowed = match (&entry.desc, reading) {
                    // A listener is "readable" when a connection waits to be accepted.
                    (Descriptor::Listener(_), true) => check(entry, Op::Accept),
                    // A regular file is always ready, whatever it was opened for.
                    (Descriptor::File(_), _) => Ok(()),
                    (_, true) => check(entry, Op::Read),
                    (_, false) => check(entry, Op::Write),
                };
                if let Err(e) = allowed {
                    ready[i] = Some(event(Some(e), tag, 0));
                    continue;
                }
                let host_fd = matches!(
                    entry.desc,
                    Descriptor::Stream(Stream::HostStdin)
                        | Descriptor::Socket(_)
                        | Descriptor::Listener(_)
                );
                if host_fd {
                    let flags = if reading {
                        PollFlags::IN
                    } else {
                        PollFlags::OUT
                    };
                    host_waits.push((i, fd, flags));
                } else {
                    let nbytes = if reading {
                        readable_bytes(&entry.desc)
                    } else {
                        0
                    };
                    ready[i] = Some(event(None, tag, nbytes));
                }
            }
            SubKind::Clock {
                id,
                timeout,
                abstime,
            } => {
                // Waiting for an amount of CPU time is not supported (EINVAL, as wasmtime).
                let clock = match clock_id(id)? {
                    c @ (ClockId::Realtime | ClockId::Monotonic) => c,
                    _ => return Err(Errno::Inval),
                };
                let wait = if abstime {
                    timeout.saturating_sub(cx.ctx.clocks.now(clock)?)
                } else {
                    timeout
                };
                clocks.push((i, wait));
            }
        }
    }

    let earliest = clocks.iter().map(|&(_, wait)| wait).min();
    let anything_ready = ready.iter().any(Option::is_some);
    // How long the call waited: clocks due within it fire.
    let mut waited = 0;
    if !host_waits.is_empty() {
        // Something is ready already: only look, don't wait.
        let timeout = if anything_ready { Some(0) } else { earliest };
        let started = Instant::now();
        let fired = poll_host(cx, &host_waits, timeout)?;
        waited = if fired.is_empty() {
            timeout.unwrap_or(0)
        } else {
            u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX)
        };
        for (i, flags) in fired {
            let tag = if flags.contains(PollFlags::OUT) { 2 } else { 1 };
            ready[i] = Some(Event {
                userdata: list[i].userdata,
                error: 0,
                tag,
                nbytes: 0,
                hangup: flags.contains(PollFlags::HUP),
            });
        }
    } else if !anything_ready && let Some(wait) = earliest {
        if wait > 0 {
            cx.ctx.clocks.sleep(Duration::from_nanos(wait));
        }
        waited = wait;
    }
    for &(i, wait) in &clocks {
        if wait <= waited {
            ready[i] = Some(Event {
                userdata: list[i].userdata,
                error: 0,
                tag: 0,
                nbytes: 0,
                hangup: false,
            });
        }
    }
    let mut n = 0u32;
    for ev in ready.iter().flatten() {
        ev.write(&mut cx.mem, events + 32 * n)?;
        n += 1;
    }
    cx.mem.write_u32(nevents, n)?;
    Ok(())
}

/// Polls the host descriptors behind `waits` for up to `wait_ns` (forever if `None`); returns
/// the subscriptions that fired with what fired.
fn poll_host(
    cx: &Cx,
    waits: &[(usize, u32, PollFlags)],
    wait_ns: Option<u64>,
) -> Result<Vec<(usize, PollFlags)>, Errno> {
    let stdin = std::io::stdin();
    let mut fds = Vec::with_capacity(waits.len());
    for &(_, fd, flags) in waits {
        let borrowed = match &cx.ctx.table.get(fd)?.desc {
            Descriptor::Stream(Stream::HostStdin) => stdin.as_fd(),
            Descriptor::Socket(s) => s.as_fd(),
            Descriptor::Listener(l) => l.as_fd(),
            _ => return Err(Errno::Badf),
        };
        fds.push(PollFd::from_borrowed_fd(borrowed, flags));
    }
    let deadline = wait_ns.map(|ns| Instant::now() + Duration::from_nanos(ns));
    loop {
        // What is left of the wait (all of it, unless a signal interrupted the last poll).
        let timeout = deadline.map(|d| {
            let left = d.saturating_duration_since(Instant::now());
            rustix::time::Timespec {
                tv_sec: left.as_secs() as i64,
                tv_nsec: left.subsec_nanos() as _,
            }
        });
        match rustix::event::poll(&mut fds, timeout.as_ref()) {
            Ok(_) => break,
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(std::io::Error::from(e).into()),
        }
    }
    Ok(waits
        .iter()
        .zip(&fds)
        .filter(|(_, p)| !p.revents().is_empty())
        .map(|(&(i, _, flags), p)| {
            // Errors and hang-ups count as ready: the read or write then reports them.
            let mut fired = p.revents();
            fired.insert(flags);
            (i, fired)
        })
        .collect())
}

/// For a read subscription on a regular file, the bytes between the position and the end;
/// 0 where that is unknown.
fn readable_bytes(desc: &Descriptor) -> u64 {
    match desc {
        Descriptor::File(f) => {
            let len = f.file.metadata().map(|m| m.len()).unwrap_or(0);
            len.saturating_sub(f.position)
        }
        _ => 0,
    }
}

/// The socket `fd`, if `op` is allowed on it: ENOTSOCK for any descriptor that is not
/// (`is` says which kind it must be), as under wasmtime (which has no sockets in preview 1).
fn socket<'c>(
    cx: &'c mut Cx,
    fd: u32,
    is: fn(&Descriptor) -> bool,
    op: Op,
) -> Result<&'c mut Entry, Errno> {
    if !is(&cx.ctx.table.get(fd)?.desc) {
        return Err(Errno::Notsock);
    }
    entry(cx, fd, op)
}

/// A connection, or a listener (which answers ENOTCONN to what only connections do).
fn is_socket(d: &Descriptor) -> bool {
    matches!(d, Descriptor::Socket(_) | Descriptor::Listener(_))
}

pub(crate) fn sock_accept(cx: &mut Cx, fd: u32, flags: u32, out: u32) -> SysResult {
    let flags = abi::flags(flags, fdflags::ALL)?;
    let listener = socket(cx, fd, |d| matches!(d, Descriptor::Listener(_)), Op::Accept)?;
    // Only NONBLOCK may be asked for.
    if flags & !fdflags::NONBLOCK != 0 {
        return Err(Errno::Inval);
    }
    let Descriptor::Listener(listener) = &listener.desc else {
        return Err(Errno::Notsock);
    };
    let (stream, _) = listener.accept()?;
    stream.set_nonblocking(flags & fdflags::NONBLOCK != 0)?;
    let new_fd = cx.ctx.table.push(Descriptor::Socket(stream))?;
    cx.mem.write_u32(out, new_fd)?;
    Ok(())
}

pub(crate) fn sock_recv(
    cx: &mut Cx,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> SysResult {
    // RECV_PEEK (1) and RECV_WAITALL (2); neither is supported.
    abi::flags(ri_flags, 3)?;
    socket(cx, fd, is_socket, Op::Read)?;
    if ri_flags != 0 {
        return Err(Errno::Notsup);
    }
    let iovs = cx.mem.iovecs(ri_data, ri_data_len)?;
    let mut buf = vec![0u8; total_len(&iovs)];
    let Descriptor::Socket(s) = &mut entry(cx, fd, Op::Read)?.desc else {
        return Err(Errno::Notconn);
    };
    let n = s.read(&mut buf)?;
    let placed = cx.mem.scatter(&iovs, &buf[..n])?;
    cx.mem.write_u32(ro_datalen, placed as u32)?;
    cx.mem.write_u16(ro_flags, 0)?;
    Ok(())
}

pub(crate) fn sock_send(
    cx: &mut Cx,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    si_flags: u32,
    so_datalen: u32,
) -> SysResult {
    // WASI defines no siflags.
    abi::flags(si_flags, 0)?;
    socket(cx, fd, is_socket, Op::Write)?;
    let iovs = cx.mem.iovecs(si_data, si_data_len)?;
    let data = cx.mem.gather(&iovs)?;
    let Descriptor::Socket(s) = &mut entry(cx, fd, Op::Write)?.desc else {
        return Err(Errno::Notconn);
    };
    let n = s.write(&data)?;
    cx.mem.write_u32(so_datalen, n as u32)?;
    Ok(())
}

pub(crate) fn sock_shutdown(cx: &mut Cx, fd: u32, how: u32) -> SysResult {
    // RD (1) and WR (2).
    let how = abi::flags(how, 3)?;
    let e = socket(cx, fd, is_socket, Op::Shutdown)?;
    let how = match how {
        1 => Shutdown::Read,
        2 => Shutdown::Write,
        3 => Shutdown::Both,
        _ => return Err(Errno::Inval),
    };
    let Descriptor::Socket(s) = &e.desc else {
        return Err(Errno::Notconn);
    };
    s.shutdown(how)?;
    Ok(())
}
