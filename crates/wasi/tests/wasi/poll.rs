//! poll_oneoff with several subscriptions at once (tests/programs/poll.wat): the earliest
//! clock wins, absolute deadlines in the past fire at once, descriptors report readiness, and
//! a bad descriptor is an error in its event (or of the call), never a hang or a trap.

use std::time::{Duration, Instant};

use wvm_wasi::DirPerms;

use crate::{Session, Wasi, tempdir, wat_program};

const SUBS: usize = 1024;
const EVENTS: usize = 8192;
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const EBADF: u16 = 8;

/// One 48-byte preview 1 subscription.
enum Sub {
    /// clock id, timeout (ns), absolute?
    Clock(u32, u64, bool),
    FdRead(u32),
    FdWrite(u32),
}

fn encode(userdata: u64, sub: &Sub) -> [u8; 48] {
    let mut b = [0u8; 48];
    b[0..8].copy_from_slice(&userdata.to_le_bytes());
    match *sub {
        Sub::Clock(id, timeout, abs) => {
            b[8] = 0;
            b[16..20].copy_from_slice(&id.to_le_bytes());
            b[24..32].copy_from_slice(&timeout.to_le_bytes());
            b[40..42].copy_from_slice(&u16::from(abs).to_le_bytes());
        }
        Sub::FdRead(fd) => {
            b[8] = 1;
            b[16..20].copy_from_slice(&fd.to_le_bytes());
        }
        Sub::FdWrite(fd) => {
            b[8] = 2;
            b[16..20].copy_from_slice(&fd.to_le_bytes());
        }
    }
    b
}

#[derive(Debug)]
struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
    nbytes: u64,
}

/// Polls `subs` (userdata = index + 1); returns the errno, the events and the time it took.
fn poll(s: &mut Session, subs: &[Sub]) -> (i32, Vec<Event>, Duration) {
    for (i, sub) in subs.iter().enumerate() {
        s.write(SUBS + i * 48, &encode(i as u64 + 1, sub));
    }
    s.write(EVENTS, &[0xAA; 32 * 8]);
    let start = Instant::now();
    let errno: i32 = s.call("poll", (SUBS as i32, EVENTS as i32, subs.len() as i32));
    let took = start.elapsed();
    let n = u32::from_le_bytes(s.read(256, 4).try_into().unwrap());
    let mut events = Vec::new();
    if errno == 0 {
        assert!(
            n as usize <= subs.len(),
            "{n} events for {} subscriptions",
            subs.len()
        );
        for i in 0..n as usize {
            let e = s.read(EVENTS + i * 32, 32);
            events.push(Event {
                userdata: u64::from_le_bytes(e[0..8].try_into().unwrap()),
                error: u16::from_le_bytes(e[8..10].try_into().unwrap()),
                kind: e[10],
                nbytes: u64::from_le_bytes(e[16..24].try_into().unwrap()),
            });
        }
    }
    (errno, events, took)
}

fn session(stdin: &str) -> (tempfile::TempDir, Session) {
    let dir = tempdir();
    std::fs::write(dir.path().join("f.txt"), "0123456789").unwrap();
    let (s, _, _) = Wasi::new("poll.wat")
        .stdin(stdin)
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .instantiate(&wat_program("poll"));
    (dir, s)
}

#[test]
fn the_earliest_clock_fires_alone() {
    let (_dir, mut s) = session("");
    let (errno, events, took) = poll(
        &mut s,
        &[
            Sub::Clock(1, 30_000_000_000, false),
            Sub::Clock(1, 10_000_000, false),
        ],
    );
    assert_eq!(errno, 0);
    assert!(took >= Duration::from_millis(10), "returned after {took:?}");
    assert!(
        took < Duration::from_secs(20),
        "waited for the later clock: {took:?}"
    );
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0].userdata, events[0].kind, events[0].error),
        (2, EVENTTYPE_CLOCK, 0)
    );
}

#[test]
fn an_absolute_deadline_in_the_past_fires_at_once() {
    let (_dir, mut s) = session("");
    // Realtime 1 ns after the epoch, absolute; and a relative 30 s that must not be waited for.
    let (errno, events, took) = poll(
        &mut s,
        &[Sub::Clock(0, 1, true), Sub::Clock(1, 30_000_000_000, false)],
    );
    assert_eq!(errno, 0);
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!((events[0].userdata, events[0].kind), (1, EVENTTYPE_CLOCK));
}

#[test]
fn descriptors_that_are_ready_fire_before_a_clock() {
    let (_dir, mut s) = session("some input");
    s.write(4000, b"f.txt");
    let file: i32 = s.call("open", (4000, 5));
    assert!(file > 2, "open f.txt: errno {}", -file);
    let (errno, events, took) = poll(
        &mut s,
        &[
            Sub::Clock(1, 30_000_000_000, false),
            Sub::FdRead(0),
            Sub::FdWrite(1),
            Sub::FdRead(file as u32),
        ],
    );
    assert_eq!(errno, 0);
    assert!(took < Duration::from_secs(20), "took {took:?}");
    let find = |userdata| events.iter().find(|e| e.userdata == userdata);
    assert!(find(1).is_none(), "the 30 s clock fired: {events:?}");
    let stdin = find(2).unwrap_or_else(|| panic!("no event for stdin: {events:?}"));
    assert_eq!((stdin.kind, stdin.error), (EVENTTYPE_FD_READ, 0));
    let stdout = find(3).unwrap_or_else(|| panic!("no event for stdout: {events:?}"));
    assert_eq!((stdout.kind, stdout.error), (EVENTTYPE_FD_WRITE, 0));
    let f = find(4).unwrap_or_else(|| panic!("no event for the file: {events:?}"));
    assert_eq!((f.kind, f.error), (EVENTTYPE_FD_READ, 0));
    assert_eq!(
        f.nbytes, 10,
        "a regular file reports the bytes left to read"
    );
}

#[test]
fn a_bad_descriptor_is_reported_not_waited_for() {
    let (_dir, mut s) = session("");
    let (errno, events, took) = poll(
        &mut s,
        &[Sub::FdRead(99), Sub::Clock(1, 30_000_000_000, false)],
    );
    assert!(took < Duration::from_secs(20), "took {took:?}");
    if errno == 0 {
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(
            (events[0].userdata, events[0].kind, events[0].error),
            (1, EVENTTYPE_FD_READ, EBADF)
        );
    } else {
        assert_eq!(errno, i32::from(EBADF));
    }
}

#[test]
fn no_subscriptions_is_an_error_not_a_hang() {
    let (_dir, mut s) = session("");
    let (errno, _, _) = poll(&mut s, &[]);
    assert_eq!(errno, 28, "poll_oneoff with no subscriptions: EINVAL");
}
