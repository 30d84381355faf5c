//! The `fd_*` functions: reading, writing and describing open descriptors.

use std::io::{IsTerminal, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;

use crate::abi::{self, Filestat, Whence, fdflags, filetype, fstflags, nanos};
use crate::errno::Errno;
use crate::mem::{IoVec, total_len};
use crate::perms::{Op, check, rights};
use crate::table::{Descriptor, DirListEntry, Entry, FileDesc, Stream};
use crate::{Cx, SysResult};

/// The descriptor `fd`, if `op` is allowed on it.
pub(crate) fn entry<'c>(cx: &'c mut Cx<'_>, fd: u32, op: Op) -> Result<&'c mut Entry, Errno> {
    let e = cx.ctx.table.get_mut(fd)?;
    check(e, op)?;
    Ok(e)
}

/// A WASI file type from a std or cap-std file type.
macro_rules! filetype_of {
    ($ft:expr) => {{
        let ft = $ft;
        if ft.is_dir() {
            filetype::DIRECTORY
        } else if ft.is_file() {
            filetype::REGULAR_FILE
        } else if ft.is_symlink() {
            filetype::SYMBOLIC_LINK
        } else if ft.is_block_device() {
            filetype::BLOCK_DEVICE
        } else if ft.is_char_device() {
            filetype::CHARACTER_DEVICE
        } else if ft.is_socket() {
            filetype::SOCKET_STREAM
        } else {
            filetype::UNKNOWN
        }
    }};
}
pub(crate) use filetype_of;

/// A [`Filestat`] from std or cap-std metadata.
macro_rules! filestat_of {
    ($m:expr) => {{
        let m = $m;
        Filestat {
            dev: m.dev(),
            ino: m.ino(),
            filetype: $crate::fs::filetype_of!(m.file_type()),
            nlink: m.nlink(),
            size: m.size(),
            atim: nanos(m.atime(), m.atime_nsec()),
            mtim: nanos(m.mtime(), m.mtime_nsec()),
            ctim: nanos(m.ctime(), m.ctime_nsec()),
        }
    }};
}

pub(crate) fn std_filestat(m: &std::fs::Metadata) -> Filestat {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    filestat_of!(m)
}

pub(crate) fn cap_filestat(m: &cap_std::fs::Metadata) -> Filestat {
    use cap_std::fs::{FileTypeExt, MetadataExt};
    filestat_of!(m)
}

/// What a standard stream looks like to the guest: a terminal is a character device (so that
/// wasi-libc line-buffers it), anything else of unknown type.
fn stream_filetype(s: &Stream) -> u8 {
    let tty = match s {
        Stream::HostStdin => std::io::stdin().is_terminal(),
        Stream::HostStdout => std::io::stdout().is_terminal(),
        Stream::HostStderr => std::io::stderr().is_terminal(),
        _ => false,
    };
    if tty {
        filetype::CHARACTER_DEVICE
    } else {
        filetype::UNKNOWN
    }
}

fn write_to(desc: &mut Descriptor, data: &[u8]) -> SysResult<usize> {
    match desc {
        Descriptor::Stream(s) => match s {
            Stream::NullOut => {}
            Stream::Writer(w) => w.write_all(data)?,
            Stream::HostStdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(data)?;
                out.flush()?;
            }
            Stream::HostStderr => std::io::stderr().write_all(data)?,
            _ => return Err(Errno::Badf),
        },
        Descriptor::File(f) => {
            let at = if f.flags & fdflags::APPEND != 0 {
                f.file.metadata()?.len()
            } else {
                f.position
            };
            f.file.write_all_at(data, at)?;
            f.position = at.checked_add(data.len() as u64).ok_or(Errno::Overflow)?;
        }
        // One write: on a non-blocking socket a short count is the answer, not an error.
        Descriptor::Socket(s) => return Ok(s.write(data)?),
        _ => return Err(Errno::Badf),
    }
    Ok(data.len())
}

fn read_from(desc: &mut Descriptor, buf: &mut [u8]) -> SysResult<usize> {
    Ok(match desc {
        Descriptor::Stream(s) => match s {
            Stream::NullIn => 0,
            Stream::Reader(r) => r.read(buf)?,
            Stream::HostStdin => std::io::stdin().read(buf)?,
            _ => return Err(Errno::Badf),
        },
        Descriptor::File(f) => {
            let n = f.file.read_at(buf, f.position)?;
            f.position = f.position.checked_add(n as u64).ok_or(Errno::Overflow)?;
            n
        }
        Descriptor::Socket(s) => s.read(buf)?,
        _ => return Err(Errno::Badf),
    })
}

pub(crate) fn fd_write(cx: &mut Cx, fd: u32, iovs: u32, iovs_len: u32, nwritten: u32) -> SysResult {
    let iovs = cx.mem.iovecs(iovs, iovs_len)?;
    let data = cx.mem.gather(&iovs)?;
    let n = write_to(&mut entry(cx, fd, Op::Write)?.desc, &data)?;
    cx.mem.write_u32(nwritten, n as u32)?;
    Ok(())
}

pub(crate) fn fd_read(cx: &mut Cx, fd: u32, iovs: u32, iovs_len: u32, nread: u32) -> SysResult {
    let iovs = cx.mem.iovecs(iovs, iovs_len)?;
    let mut buf = vec![0u8; total_len(&iovs)];
    let n = read_from(&mut entry(cx, fd, Op::Read)?.desc, &mut buf)?;
    let placed = cx.mem.scatter(&iovs, &buf[..n])?;
    cx.mem.write_u32(nread, placed as u32)?;
    Ok(())
}

/// The open file behind `fd`, if `op` is allowed on it.
fn file_for<'c>(cx: &'c mut Cx, fd: u32, op: Op) -> Result<&'c mut FileDesc, Errno> {
    match &mut entry(cx, fd, op)?.desc {
        Descriptor::File(f) => Ok(f),
        // `check` lets only files (and sockets, which refuse positions) through.
        _ => Err(Errno::Spipe),
    }
}

pub(crate) fn fd_pread(
    cx: &mut Cx,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> SysResult {
    let iovs: Vec<IoVec> = cx.mem.iovecs(iovs, iovs_len)?;
    let mut buf = vec![0u8; total_len(&iovs)];
    let n = file_for(cx, fd, Op::ReadAt)?
        .file
        .read_at(&mut buf, offset)?;
    let placed = cx.mem.scatter(&iovs, &buf[..n])?;
    cx.mem.write_u32(nread, placed as u32)?;
    Ok(())
}

pub(crate) fn fd_pwrite(
    cx: &mut Cx,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> SysResult {
    let iovs = cx.mem.iovecs(iovs, iovs_len)?;
    let data = cx.mem.gather(&iovs)?;
    offset
        .checked_add(data.len() as u64)
        .filter(|end| *end <= i64::MAX as u64)
        .ok_or(Errno::Fbig)?;
    // At `offset` even with APPEND, as POSIX says (Linux, and wasmtime, append).
    file_for(cx, fd, Op::WriteAt)?
        .file
        .write_all_at(&data, offset)?;
    cx.mem.write_u32(nwritten, data.len() as u32)?;
    Ok(())
}

pub(crate) fn fd_seek(cx: &mut Cx, fd: u32, offset: i64, whence: u32, newoffset: u32) -> SysResult {
    let whence = Whence::decode(cx.abi, whence)?;
    let op = if offset == 0 && whence == Whence::Cur {
        Op::Tell
    } else {
        Op::Seek
    };
    let f = file_for(cx, fd, op)?;
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur => f.position,
        Whence::End => f.file.metadata()?.len(),
    };
    // A position must fit an off_t, as lseek's (wasmtime allows any u64).
    let at = match whence {
        Whence::Set => u64::try_from(offset).ok(),
        _ => base.checked_add_signed(offset),
    };
    f.position = at.filter(|&p| p <= i64::MAX as u64).ok_or(Errno::Inval)?;
    let at = f.position;
    cx.mem.write_u64(newoffset, at)?;
    Ok(())
}

pub(crate) fn fd_tell(cx: &mut Cx, fd: u32, out: u32) -> SysResult {
    let at = file_for(cx, fd, Op::Tell)?.position;
    cx.mem.write_u64(out, at)?;
    Ok(())
}

pub(crate) fn fd_close(cx: &mut Cx, fd: u32) -> SysResult {
    cx.ctx.table.remove(fd)?;
    Ok(())
}

pub(crate) fn fd_renumber(cx: &mut Cx, fd: u32, to: u32) -> SysResult {
    cx.ctx.table.renumber(fd, to)?;
    Ok(())
}

fn sync(cx: &mut Cx, fd: u32, data_only: bool) -> SysResult {
    let op = if data_only { Op::Datasync } else { Op::Sync };
    let f = file_for(cx, fd, op)?;
    if data_only {
        f.file.sync_data()?;
    } else {
        f.file.sync_all()?;
    }
    Ok(())
}

pub(crate) fn fd_sync(cx: &mut Cx, fd: u32) -> SysResult {
    sync(cx, fd, false)
}

pub(crate) fn fd_datasync(cx: &mut Cx, fd: u32) -> SysResult {
    sync(cx, fd, true)
}

pub(crate) fn fd_advise(cx: &mut Cx, fd: u32, offset: u64, len: u64, advice: u32) -> SysResult {
    // normal, sequential, random, willneed, dontneed, noreuse
    if advice > 5 {
        return Err(Errno::Inval);
    }
    // Advice only: the host is free to ignore it, and does.
    let _ = (offset, len);
    file_for(cx, fd, Op::Advise)?;
    Ok(())
}

pub(crate) fn fd_allocate(cx: &mut Cx, fd: u32, offset: u64, len: u64) -> SysResult {
    let file = &file_for(cx, fd, Op::Allocate)?.file;
    // As posix_fallocate: an empty range is EINVAL.
    if len == 0 {
        return Err(Errno::Inval);
    }
    let end = offset
        .checked_add(len)
        .filter(|end| *end <= i64::MAX as u64)
        .ok_or(Errno::Fbig)?;
    if file.metadata()?.len() < end {
        file.set_len(end)?;
    }
    Ok(())
}

pub(crate) fn fd_fdstat_get(cx: &mut Cx, fd: u32, out: u32) -> SysResult {
    let e = cx.ctx.table.get(fd)?;
    let (filetype, flags) = match &e.desc {
        Descriptor::Stream(s) => (stream_filetype(s), 0),
        Descriptor::File(f) => (std_filestat(&f.file.metadata()?).filetype, f.flags),
        Descriptor::Dir(_) => (filetype::DIRECTORY, 0),
        Descriptor::Listener(_) | Descriptor::Socket(_) => (filetype::SOCKET_STREAM, 0),
    };
    let (base, inheriting) = (e.rights_base, e.rights_inheriting);
    let mut buf = [0u8; 24];
    buf[0] = filetype;
    buf[2..4].copy_from_slice(&flags.to_le_bytes());
    buf[8..16].copy_from_slice(&base.to_le_bytes());
    buf[16..24].copy_from_slice(&inheriting.to_le_bytes());
    cx.mem.write(out, &buf)?;
    Ok(())
}

/// Sets APPEND and NONBLOCK. The sync flags cannot be changed (EINVAL), as under wasmtime;
/// NONBLOCK changes nothing for files, whose reads and writes never block for long.
pub(crate) fn fd_fdstat_set_flags(cx: &mut Cx, fd: u32, flags: u32) -> SysResult {
    let flags = abi::flags(flags, fdflags::ALL)?;
    let nonblock = flags & fdflags::NONBLOCK != 0;
    match &mut entry(cx, fd, Op::SetFlags)?.desc {
        _ if flags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 => {
            return Err(Errno::Inval);
        }
        Descriptor::File(f) => f.flags = flags,
        Descriptor::Socket(s) => s.set_nonblocking(nonblock)?,
        Descriptor::Listener(l) => l.set_nonblocking(nonblock)?,
        // `check` lets only the above through.
        _ => return Err(Errno::Badf),
    }
    Ok(())
}

pub(crate) fn fd_fdstat_set_rights(cx: &mut Cx, fd: u32, base: u64, inheriting: u64) -> SysResult {
    if (base | inheriting) & !rights::ALL != 0 {
        return Err(Errno::Inval);
    }
    let e = entry(cx, fd, Op::SetRights)?;
    // Rights can only be given up, never gained.
    if base & !e.rights_base != 0 || inheriting & !e.rights_inheriting != 0 {
        return Err(Errno::Notcapable);
    }
    e.rights_base = base;
    e.rights_inheriting = inheriting;
    Ok(())
}

pub(crate) fn fd_filestat_get(cx: &mut Cx, fd: u32, out: u32) -> SysResult {
    let st = match &entry(cx, fd, Op::Stat)?.desc {
        Descriptor::File(f) => std_filestat(&f.file.metadata()?),
        Descriptor::Dir(d) => cap_filestat(&d.dir.dir_metadata()?),
        Descriptor::Stream(s) => Filestat {
            filetype: stream_filetype(s),
            ..Filestat::default()
        },
        Descriptor::Listener(_) | Descriptor::Socket(_) => Filestat {
            filetype: filetype::SOCKET_STREAM,
            ..Filestat::default()
        },
    };
    let abi = cx.abi;
    st.write(&mut cx.mem, out, abi)?;
    Ok(())
}

pub(crate) fn fd_filestat_set_size(cx: &mut Cx, fd: u32, size: u64) -> SysResult {
    let f = file_for(cx, fd, Op::SetSize)?;
    if size > i64::MAX as u64 {
        return Err(Errno::Fbig);
    }
    f.file.set_len(size)?;
    Ok(())
}

/// A time to set: `None` leaves it, otherwise now or the given nanoseconds since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SetTime {
    Now,
    At(u64),
}

/// Decodes `fst_flags` with the two timestamps: setting a time both to a value and to now is
/// `EINVAL`.
pub(crate) fn set_times(
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<(Option<SetTime>, Option<SetTime>), Errno> {
    let flags = abi::flags(flags, fstflags::ALL)?;
    let one = |value: u64, set: u16, now: u16| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(Some(SetTime::At(value))),
        (false, true) => Ok(Some(SetTime::Now)),
        (false, false) => Ok(None),
    };
    Ok((
        one(atim, fstflags::ATIM, fstflags::ATIM_NOW)?,
        one(mtim, fstflags::MTIM, fstflags::MTIM_NOW)?,
    ))
}

pub(crate) fn system_time(t: SetTime) -> std::time::SystemTime {
    match t {
        SetTime::Now => std::time::SystemTime::now(),
        SetTime::At(ns) => std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns),
    }
}

pub(crate) fn fd_filestat_set_times(
    cx: &mut Cx,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> SysResult {
    let (a, m) = set_times(atim, mtim, flags)?;
    match &entry(cx, fd, Op::SetTimes)?.desc {
        Descriptor::File(f) => {
            let mut times = std::fs::FileTimes::new();
            if let Some(a) = a {
                times = times.set_accessed(system_time(a));
            }
            if let Some(m) = m {
                times = times.set_modified(system_time(m));
            }
            f.file.set_times(times)?;
        }
        Descriptor::Dir(d) => crate::path::set_path_times(&d.dir, ".", true, a, m)?,
        // `check` lets only files and directories through.
        _ => return Err(Errno::Badf),
    }
    Ok(())
}

pub(crate) fn fd_prestat_get(cx: &mut Cx, fd: u32, out: u32) -> SysResult {
    let Descriptor::Dir(d) = &cx.ctx.table.get(fd)?.desc else {
        return Err(Errno::Badf);
    };
    let name = d.preopen.as_ref().ok_or(Errno::Badf)?;
    let len = name.len() as u32;
    // prestat: a u8 tag (0 = directory) and, at 4, the length of the name.
    let mut buf = [0u8; 8];
    buf[4..8].copy_from_slice(&len.to_le_bytes());
    cx.mem.write(out, &buf)?;
    Ok(())
}

pub(crate) fn fd_prestat_dir_name(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let Descriptor::Dir(d) = &cx.ctx.table.get(fd)?.desc else {
        return Err(Errno::Notdir);
    };
    // As wasmtime: a descriptor that is there but no preopen is "not a directory".
    let name = d.preopen.clone().ok_or(Errno::Notdir)?;
    if (path_len as usize) < name.len() {
        return Err(Errno::Nametoolong);
    }
    cx.mem.write(path, name.as_bytes())?;
    Ok(())
}

/// `.`, `..`, then the entries of `dir` sorted by name. `..` has the inode of `.`, as under
/// wasmtime: the directory above a preopen is not the guest's to learn about.
fn list(dir: &cap_std::fs::Dir) -> std::io::Result<Vec<DirListEntry>> {
    use cap_std::fs::FileTypeExt;
    use std::os::unix::fs::DirEntryExt;
    let dot_ino = cap_filestat(&dir.dir_metadata()?).ino;
    let mut entries = Vec::new();
    for item in dir.entries()? {
        let item = item?;
        let ft = filetype_of!(item.file_type()?);
        entries.push((item.file_name().as_bytes().to_vec(), item.ino(), ft));
    }
    entries.sort();
    let dots = [
        (b".".to_vec(), dot_ino, filetype::DIRECTORY),
        (b"..".to_vec(), dot_ino, filetype::DIRECTORY),
    ];
    Ok(dots.into_iter().chain(entries).collect())
}

pub(crate) fn fd_readdir(
    cx: &mut Cx,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> SysResult {
    let Descriptor::Dir(d) = &mut entry(cx, fd, Op::ReadDir)?.desc else {
        return Err(Errno::Badf);
    };
    // A listing is taken when it starts (cookie 0) and served from then on, in name order;
    // the cookie of an entry is its position + 1.
    if cookie == 0 || d.listing.is_none() {
        d.listing = Some(list(&d.dir)?);
    }
    let entries = d.listing.as_deref().unwrap_or_default();

    let mut out = Vec::new();
    for (i, (name, ino, ft)) in entries
        .iter()
        .enumerate()
        .skip(cookie.min(usize::MAX as u64) as usize)
    {
        if out.len() >= buf_len as usize {
            break;
        }
        let mut dirent = [0u8; 24];
        dirent[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        dirent[8..16].copy_from_slice(&ino.to_le_bytes());
        dirent[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        dirent[20] = *ft;
        out.extend_from_slice(&dirent);
        out.extend_from_slice(name);
    }
    // A full buffer tells the guest to call again (the last entry may be cut short).
    out.truncate(buf_len as usize);
    cx.mem.write(buf, &out)?;
    cx.mem.write_u32(bufused, out.len() as u32)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_times_flags() {
        use fstflags::*;
        assert_eq!(set_times(1, 2, 0), Ok((None, None)));
        assert_eq!(
            set_times(1, 2, (ATIM | MTIM_NOW) as u32),
            Ok((Some(SetTime::At(1)), Some(SetTime::Now)))
        );
        assert_eq!(set_times(1, 2, (ATIM | ATIM_NOW) as u32), Err(Errno::Inval));
        assert_eq!(set_times(1, 2, 0x10), Err(Errno::Inval));
    }
}
