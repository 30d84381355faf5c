//! The descriptor table: what each guest file descriptor stands for on the host.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use cap_std::fs::Dir;

use crate::ctx::DirPerms;
use crate::errno::Errno;
use crate::perms::rights;

/// A standard stream.
pub(crate) enum Stream {
    /// An input with nothing in it: reads see end of file.
    NullIn,
    /// An output that discards what is written.
    NullOut,
    Reader(Box<dyn Read + Send>),
    Writer(Box<dyn Write + Send>),
    HostStdin,
    HostStdout,
    HostStderr,
}

impl Stream {
    /// Whether this is the guest's input (stdin) rather than an output.
    pub(crate) fn is_input(&self) -> bool {
        matches!(self, Stream::NullIn | Stream::Reader(_) | Stream::HostStdin)
    }
}

/// An open directory: a preopen, or one opened beneath a preopen (it inherits the perms).
pub(crate) struct DirDesc {
    pub(crate) dir: Dir,
    pub(crate) perms: DirPerms,
    /// The guest's name for it, for preopens.
    pub(crate) preopen: Option<String>,
    /// The listing `fd_readdir` serves cookies from: taken when a listing starts (cookie 0),
    /// so that removing entries while iterating (as `rm -r` does) skips nothing.
    pub(crate) listing: Option<Vec<DirListEntry>>,
}

/// One entry of a directory listing: name, inode, WASI file type.
pub(crate) type DirListEntry = (Vec<u8>, u64, u8);

impl DirDesc {
    pub(crate) fn new(dir: Dir, perms: DirPerms, preopen: Option<String>) -> DirDesc {
        DirDesc {
            dir,
            perms,
            preopen,
            listing: None,
        }
    }
}

/// An open regular file (or other non-directory) beneath a preopen.
pub(crate) struct FileDesc {
    pub(crate) file: std::fs::File,
    pub(crate) read: bool,
    pub(crate) write: bool,
    /// The WASI `fdflags` the guest can set and read back: append and nonblock.
    pub(crate) flags: u16,
    /// The perms of the directory it was opened from: metadata changes need ReadWrite.
    pub(crate) dir_perms: DirPerms,
    /// Where `fd_read` and `fd_write` go next. The host's file offset is not used: like
    /// wasmtime, WVM reads and writes at this position (at most 2^63-1, what an off_t holds).
    pub(crate) position: u64,
}

pub(crate) enum Descriptor {
    Stream(Stream),
    File(FileDesc),
    Dir(DirDesc),
    Listener(TcpListener),
    Socket(TcpStream),
}

/// A descriptor and the rights the guest holds on it (reported by `fd_fdstat_get`, narrowed
/// by `fd_fdstat_set_rights`, checked by [`crate::perms::check`]).
pub(crate) struct Entry {
    pub(crate) desc: Descriptor,
    pub(crate) rights_base: u64,
    pub(crate) rights_inheriting: u64,
}

/// At most this many open descriptors per guest, so a guest can't exhaust the host's.
const MAX_FDS: usize = 1024;

/// Descriptor numbers are given out as wasmtime does, so that programs see the same numbers
/// under both: a number closed earlier is reused (the highest such first), otherwise the number
/// after the highest in use.
#[derive(Default)]
pub(crate) struct FdTable {
    map: BTreeMap<u32, Entry>,
    /// Numbers closed (or renumbered away) and not yet reused.
    free: BTreeSet<u32>,
}

impl FdTable {
    /// Adds `desc` with the rights a new descriptor of its kind starts with.
    pub(crate) fn push(&mut self, desc: Descriptor) -> Result<u32, Errno> {
        self.push_with_rights(desc, u64::MAX, u64::MAX)
    }

    /// Adds `desc` with at most the rights `base` and `inheriting` (never more than its kind
    /// starts with).
    pub(crate) fn push_with_rights(
        &mut self,
        desc: Descriptor,
        base: u64,
        inheriting: u64,
    ) -> Result<u32, Errno> {
        if self.map.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        let fd = match self.free.pop_last() {
            Some(fd) => fd,
            None => match self.map.last_key_value() {
                Some((&last, _)) => last.checked_add(1).ok_or(Errno::Mfile)?,
                None => 0,
            },
        };
        let (kind_base, kind_inheriting) = rights::initial(&desc);
        self.map.insert(
            fd,
            Entry {
                desc,
                rights_base: kind_base & base,
                rights_inheriting: kind_inheriting & inheriting,
            },
        );
        Ok(fd)
    }

    pub(crate) fn get(&self, fd: u32) -> Result<&Entry, Errno> {
        self.map.get(&fd).ok_or(Errno::Badf)
    }

    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.map.get_mut(&fd).ok_or(Errno::Badf)
    }

    pub(crate) fn remove(&mut self, fd: u32) -> Result<Entry, Errno> {
        let entry = self.map.remove(&fd).ok_or(Errno::Badf)?;
        self.free.insert(fd);
        Ok(entry)
    }

    /// Moves `from` to `to`, closing what `to` was. Both must be open.
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        self.get(to)?;
        self.get(from)?;
        if from == to {
            return Ok(());
        }
        let entry = self.remove(from)?;
        self.map.insert(to, entry);
        self.free.remove(&to);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn null() -> Descriptor {
        Descriptor::Stream(Stream::NullOut)
    }

    #[test]
    fn numbers_are_reused_highest_first_then_counted_up() {
        let mut t = FdTable::default();
        for want in 0..6 {
            assert_eq!(t.push(null()), Ok(want));
        }
        t.remove(1).unwrap();
        t.remove(3).unwrap();
        assert_eq!(t.push(null()), Ok(3));
        assert_eq!(t.push(null()), Ok(1));
        assert_eq!(t.push(null()), Ok(6));
        assert_eq!(t.remove(9).err(), Some(Errno::Badf));
    }

    #[test]
    fn renumber_needs_both_open_and_frees_the_source() {
        let mut t = FdTable::default();
        for _ in 0..3 {
            t.push(null()).unwrap();
        }
        assert_eq!(t.renumber(2, 7), Err(Errno::Badf));
        assert_eq!(t.renumber(7, 2), Err(Errno::Badf));
        t.renumber(1, 1).unwrap();
        assert!(t.get(1).is_ok());
        t.renumber(2, 0).unwrap();
        assert!(t.get(2).is_err());
        assert!(t.get(0).is_ok());
        assert_eq!(t.push(null()), Ok(2));
    }

    #[test]
    fn descriptor_count_is_bounded() {
        let mut t = FdTable::default();
        for _ in 0..MAX_FDS {
            t.push(null()).unwrap();
        }
        assert_eq!(t.push(null()), Err(Errno::Mfile));
    }
}
