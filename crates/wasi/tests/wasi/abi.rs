//! The older `wasi_unstable` ABI beside `wasi_snapshot_preview1`: `fd_seek`'s whence
//! numbering, the 56-byte `filestat` with a 32-bit link count, and the clock subscription of
//! `poll_oneoff` with its extra `identifier` field (tests/programs/unstable_abi.wat).

use std::fs::FileTimes;
use std::os::unix::fs::MetadataExt;
use std::time::{Duration, UNIX_EPOCH};

use wvm_wasi::DirPerms;

use crate::{Session, Wasi, tempdir, wat_program};

const ATIME_NS: u64 = 1_400_000_000_000_000_000;
const MTIME_NS: u64 = 1_500_000_000_500_000_000;
const FILETYPE_REGULAR_FILE: u8 = 4;

fn u64_at(bytes: &[u8], offset: usize) -> u64 {
    u64::from_le_bytes(bytes[offset..offset + 8].try_into().unwrap())
}

fn u32_at(bytes: &[u8], offset: usize) -> u32 {
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap())
}

/// A session over a directory holding f.txt ("0123456789", with a second hard link g.txt and
/// known access and modification times), and f.txt's host metadata.
fn setup() -> (tempfile::TempDir, Session, std::fs::Metadata) {
    let dir = tempdir();
    let f = dir.path().join("f.txt");
    std::fs::write(&f, "0123456789").unwrap();
    std::fs::hard_link(&f, dir.path().join("g.txt")).unwrap();
    let times = FileTimes::new()
        .set_accessed(UNIX_EPOCH + Duration::from_nanos(ATIME_NS))
        .set_modified(UNIX_EPOCH + Duration::from_nanos(MTIME_NS));
    std::fs::File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_times(times)
        .unwrap();
    let meta = std::fs::metadata(&f).unwrap();
    let (session, _, _) = Wasi::new("unstable_abi.wat")
        .dir(dir.path(), "/data", DirPerms::ReadWrite)
        .instantiate(&wat_program("unstable_abi"));
    (dir, session, meta)
}

#[test]
fn fd_seek_whence_numbering_differs() {
    let (_dir, mut s, _) = setup();
    let fd: i32 = s.call("open_unstable", ());
    assert!(fd > 2, "wasi_unstable.path_open: errno {}", -fd);
    // wasi_unstable: CUR = 0, END = 1, SET = 2.
    assert_eq!(s.call::<_, i64>("seek_unstable", (fd, 3i64, 2)), 3, "SET");
    assert_eq!(s.call::<_, i64>("seek_unstable", (fd, 2i64, 0)), 5, "CUR");
    assert_eq!(s.call::<_, i64>("seek_unstable", (fd, -1i64, 1)), 9, "END");
    assert_eq!(
        s.call::<_, i64>("seek_unstable", (fd, 0i64, 3)),
        -28,
        "bad whence"
    );
    // wasi_snapshot_preview1: SET = 0, CUR = 1, END = 2.
    let fd: i32 = s.call("open_preview1", ());
    assert!(fd > 2, "path_open: errno {}", -fd);
    assert_eq!(s.call::<_, i64>("seek_preview1", (fd, 3i64, 0)), 3, "SET");
    assert_eq!(s.call::<_, i64>("seek_preview1", (fd, 2i64, 1)), 5, "CUR");
    assert_eq!(s.call::<_, i64>("seek_preview1", (fd, -1i64, 2)), 9, "END");
    assert_eq!(
        s.call::<_, i64>("seek_preview1", (fd, 0i64, 3)),
        -28,
        "bad whence"
    );
}

/// Calls `export` (with `fd` if given), which writes a filestat at 1024; returns 80 bytes from
/// 1024, pre-filled with 0xAA so writes past the struct show.
fn filestat(s: &mut Session, export: &str, fd: Option<i32>) -> Vec<u8> {
    s.write(1024, &[0xAA; 80]);
    let errno: i32 = match fd {
        Some(fd) => s.call(export, fd),
        None => s.call(export, ()),
    };
    assert_eq!(errno, 0, "{export}");
    s.read(1024, 80)
}

/// Checks a `wasi_unstable` filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u32 @20,
/// size u64 @24, atim @32, mtim @40, ctim @48; 56 bytes.
fn check_unstable(b: &[u8], meta: &std::fs::Metadata, what: &str) {
    assert_eq!(u64_at(b, 0), meta.dev(), "{what}: dev");
    assert_eq!(u64_at(b, 8), meta.ino(), "{what}: ino");
    assert_eq!(b[16], FILETYPE_REGULAR_FILE, "{what}: filetype");
    assert_eq!(u32_at(b, 20), 2, "{what}: nlink (u32 at 20)");
    assert_eq!(u64_at(b, 24), 10, "{what}: size at 24");
    assert_eq!(u64_at(b, 32), ATIME_NS, "{what}: atim at 32");
    assert_eq!(u64_at(b, 40), MTIME_NS, "{what}: mtim at 40");
    let ctim = meta.ctime() as u64 * 1_000_000_000 + meta.ctime_nsec() as u64;
    assert_eq!(u64_at(b, 48), ctim, "{what}: ctim at 48");
    assert_eq!(
        &b[56..],
        &[0xAA; 24],
        "{what}: wrote past the 56-byte filestat"
    );
}

/// Checks a preview 1 filestat: dev @0, ino @8, filetype u8 @16, nlink u64 @24, size @32,
/// atim @40, mtim @48, ctim @56; 64 bytes.
fn check_preview1(b: &[u8], meta: &std::fs::Metadata, what: &str) {
    assert_eq!(u64_at(b, 0), meta.dev(), "{what}: dev");
    assert_eq!(u64_at(b, 8), meta.ino(), "{what}: ino");
    assert_eq!(b[16], FILETYPE_REGULAR_FILE, "{what}: filetype");
    assert_eq!(u64_at(b, 24), 2, "{what}: nlink (u64 at 24)");
    assert_eq!(u64_at(b, 32), 10, "{what}: size at 32");
    assert_eq!(u64_at(b, 40), ATIME_NS, "{what}: atim at 40");
    assert_eq!(u64_at(b, 48), MTIME_NS, "{what}: mtim at 48");
    let ctim = meta.ctime() as u64 * 1_000_000_000 + meta.ctime_nsec() as u64;
    assert_eq!(u64_at(b, 56), ctim, "{what}: ctim at 56");
    assert_eq!(
        &b[64..],
        &[0xAA; 16],
        "{what}: wrote past the 64-byte filestat"
    );
}

#[test]
fn filestat_layout_differs() {
    let (_dir, mut s, meta) = setup();
    let fd: i32 = s.call("open_unstable", ());
    assert!(fd > 2, "wasi_unstable.path_open: errno {}", -fd);
    let b = filestat(&mut s, "filestat_unstable", Some(fd));
    check_unstable(&b, &meta, "wasi_unstable.fd_filestat_get");
    let b = filestat(&mut s, "path_filestat_unstable", None);
    check_unstable(&b, &meta, "wasi_unstable.path_filestat_get");
    let b = filestat(&mut s, "filestat_preview1", Some(fd));
    check_preview1(&b, &meta, "fd_filestat_get");
    let b = filestat(&mut s, "path_filestat_preview1", None);
    check_preview1(&b, &meta, "path_filestat_get");
}

#[test]
fn poll_oneoff_clock_subscription_layout_differs() {
    let (_dir, mut s, _) = setup();
    for (export, what) in [
        ("sleep_unstable", "wasi_unstable.poll_oneoff"),
        ("sleep_preview1", "poll_oneoff"),
    ] {
        let slept: i64 = s.call(export, 20_000_000i64);
        assert!(
            slept >= 20_000_000,
            "{what}: a 20 ms clock subscription returned after {slept} ns (negative: errno, \
             -1000 - n: n events)"
        );
        let event = s.read(3072, 32);
        assert_eq!(
            u64_at(&event, 0),
            0x1122334455667788,
            "{what}: event userdata"
        );
        assert_eq!(&event[8..10], &[0, 0], "{what}: event error");
        assert_eq!(event[10], 0, "{what}: event type (clock)");
    }
}
