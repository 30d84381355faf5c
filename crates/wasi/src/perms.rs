//! The one place that decides whether an operation on a descriptor is allowed: by what the
//! descriptor is, how it was opened, the perms of the preopen it came from, and the rights the
//! guest still holds on it.

use crate::ctx::DirPerms;
use crate::errno::Errno;
use crate::table::{Descriptor, Entry, Stream};

/// WASI rights bits and the default rights of each kind of descriptor.
pub(crate) mod rights {
    use super::*;

    pub(crate) const FD_DATASYNC: u64 = 1 << 0;
    pub(crate) const FD_READ: u64 = 1 << 1;
    pub(crate) const FD_SEEK: u64 = 1 << 2;
    pub(crate) const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub(crate) const FD_SYNC: u64 = 1 << 4;
    pub(crate) const FD_TELL: u64 = 1 << 5;
    pub(crate) const FD_WRITE: u64 = 1 << 6;
    pub(crate) const FD_ADVISE: u64 = 1 << 7;
    pub(crate) const FD_ALLOCATE: u64 = 1 << 8;
    pub(crate) const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub(crate) const PATH_CREATE_FILE: u64 = 1 << 10;
    pub(crate) const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub(crate) const PATH_LINK_TARGET: u64 = 1 << 12;
    pub(crate) const PATH_OPEN: u64 = 1 << 13;
    pub(crate) const FD_READDIR: u64 = 1 << 14;
    pub(crate) const PATH_READLINK: u64 = 1 << 15;
    pub(crate) const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub(crate) const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub(crate) const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub(crate) const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub(crate) const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub(crate) const FD_FILESTAT_GET: u64 = 1 << 21;
    pub(crate) const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub(crate) const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub(crate) const PATH_SYMLINK: u64 = 1 << 24;
    pub(crate) const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub(crate) const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub(crate) const POLL_FD_READWRITE: u64 = 1 << 27;
    pub(crate) const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub(crate) const SOCK_ACCEPT: u64 = 1 << 29;
    pub(crate) const ALL: u64 = (1 << 30) - 1;

    /// Rights that make sense on an open file.
    const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;
    /// The rights that writing to a file takes.
    pub(crate) const FILE_WRITE: u64 = FD_DATASYNC | FD_WRITE | FD_ALLOCATE | FD_FILESTAT_SET_SIZE;
    /// Rights that make sense on a directory.
    const DIR: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_DATASYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;
    const STREAM: u64 =
        FD_READ | FD_WRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET | POLL_FD_READWRITE;

    /// (base, inheriting) rights a new descriptor starts with. Directories report every
    /// right as inheritable, so that wasi-libc asks for write access when the guest wants it;
    /// a read-only preopen then refuses the open itself (EPERM), as a read-only mount would.
    pub(crate) fn of(desc: &Descriptor) -> (u64, u64) {
        match desc {
            Descriptor::Stream(_) => (STREAM, 0),
            Descriptor::File(f) => {
                let mut base = FILE;
                if !f.read {
                    base &= !FD_READ;
                }
                if !f.write {
                    base &= !FILE_WRITE;
                }
                (base, 0)
            }
            Descriptor::Dir(_) => (DIR, ALL),
            Descriptor::Listener(_) => (
                SOCK_ACCEPT | POLL_FD_READWRITE | FD_FILESTAT_GET | FD_FDSTAT_SET_FLAGS,
                0,
            ),
            Descriptor::Socket(_) => (STREAM | SOCK_SHUTDOWN, 0),
        }
    }
}

/// An operation a WASI function performs on a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Read,
    Write,
    Seek,
    Tell,
    Stat,
    SetFlags,
    SetSize,
    SetTimes,
    Sync,
    Advise,
    Allocate,
    ReadDir,
    /// Open a path beneath a directory for reading.
    Open,
    /// Stat a path beneath a directory.
    StatPath,
    /// Read a symlink beneath a directory.
    Readlink,
    /// Open a path beneath a directory for writing, creating or truncating.
    OpenForWrite,
    CreateDir,
    RemoveFile,
    RemoveDir,
    /// Rename from a directory.
    RenameFrom,
    /// Rename into a directory.
    RenameTo,
    /// Make a hard link to a file in a directory.
    LinkFrom,
    /// Make a hard link in a directory.
    LinkTo,
    Symlink,
    SetPathTimes,
    Accept,
    Shutdown,
}

impl Op {
    /// The right the guest must hold for `self`.
    fn right(self) -> u64 {
        use rights::*;
        match self {
            Op::Read => FD_READ,
            Op::Write => FD_WRITE,
            Op::Seek => FD_SEEK,
            Op::Tell => FD_TELL,
            Op::Stat => FD_FILESTAT_GET,
            Op::SetFlags => FD_FDSTAT_SET_FLAGS,
            Op::SetSize => FD_FILESTAT_SET_SIZE,
            Op::SetTimes => FD_FILESTAT_SET_TIMES,
            Op::Sync => FD_SYNC,
            Op::Advise => FD_ADVISE,
            Op::Allocate => FD_ALLOCATE,
            Op::ReadDir => FD_READDIR,
            Op::Open | Op::OpenForWrite => PATH_OPEN,
            Op::StatPath => PATH_FILESTAT_GET,
            Op::Readlink => PATH_READLINK,
            Op::CreateDir => PATH_CREATE_DIRECTORY,
            Op::RemoveFile => PATH_UNLINK_FILE,
            Op::RemoveDir => PATH_REMOVE_DIRECTORY,
            Op::RenameFrom => PATH_RENAME_SOURCE,
            Op::RenameTo => PATH_RENAME_TARGET,
            Op::LinkFrom => PATH_LINK_SOURCE,
            Op::LinkTo => PATH_LINK_TARGET,
            Op::Symlink => PATH_SYMLINK,
            Op::SetPathTimes => PATH_FILESTAT_SET_TIMES,
            Op::Accept => SOCK_ACCEPT,
            Op::Shutdown => SOCK_SHUTDOWN,
        }
    }

    /// Whether `self` changes a directory's contents or metadata.
    fn modifies_dir(self) -> bool {
        matches!(
            self,
            Op::OpenForWrite
                | Op::CreateDir
                | Op::RemoveFile
                | Op::RemoveDir
                | Op::RenameFrom
                | Op::RenameTo
                | Op::LinkFrom
                | Op::LinkTo
                | Op::Symlink
                | Op::SetPathTimes
                | Op::SetTimes
        )
    }
}

/// Allows `op` on `entry`, or says which errno the guest gets.
pub(crate) fn check(entry: &Entry, op: Op) -> Result<(), Errno> {
    let allowed_by_kind = match &entry.desc {
        Descriptor::Stream(s) => match op {
            Op::Read => match s {
                Stream::Null | Stream::Reader(_) | Stream::HostStdin => Ok(()),
                _ => Err(Errno::Badf),
            },
            Op::Write => match s {
                Stream::Null | Stream::Writer(_) | Stream::HostStdout | Stream::HostStderr => {
                    Ok(())
                }
                _ => Err(Errno::Badf),
            },
            Op::Seek | Op::Tell => Err(Errno::Spipe),
            Op::Stat | Op::SetFlags | Op::Sync | Op::Advise => Ok(()),
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ => Err(Errno::Badf),
        },
        Descriptor::File(f) => match op {
            Op::Read if !f.read => Err(Errno::Badf),
            Op::Write | Op::SetSize | Op::Allocate if !f.write => Err(Errno::Badf),
            Op::SetTimes if f.dir_perms == DirPerms::ReadOnly => Err(Errno::Perm),
            Op::Read
            | Op::Write
            | Op::SetSize
            | Op::Allocate
            | Op::SetTimes
            | Op::Seek
            | Op::Tell
            | Op::Stat
            | Op::SetFlags
            | Op::Sync
            | Op::Advise => Ok(()),
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ => Err(Errno::Notdir),
        },
        Descriptor::Dir(d) => match op {
            Op::Read => Err(Errno::Isdir),
            Op::Write | Op::SetSize | Op::Allocate | Op::Seek | Op::Tell => Err(Errno::Badf),
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ if op.modifies_dir() && d.perms == DirPerms::ReadOnly => Err(Errno::Perm),
            _ => Ok(()),
        },
        Descriptor::Listener(_) => match op {
            Op::Accept | Op::Stat | Op::SetFlags => Ok(()),
            Op::Read | Op::Write | Op::Shutdown => Err(Errno::Notconn),
            _ => Err(Errno::Badf),
        },
        Descriptor::Socket(_) => match op {
            Op::Read | Op::Write | Op::Shutdown | Op::Stat | Op::SetFlags => Ok(()),
            Op::Seek | Op::Tell => Err(Errno::Spipe),
            Op::Accept => Err(Errno::Inval),
            _ => Err(Errno::Badf),
        },
    };
    allowed_by_kind?;
    if entry.rights_base & op.right() == 0 {
        return Err(Errno::Notcapable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{DirDesc, FileDesc};
    use cap_std::ambient_authority;
    use cap_std::fs::Dir;

    fn entry(desc: Descriptor) -> Entry {
        let (rights_base, rights_inheriting) = rights::of(&desc);
        Entry {
            desc,
            rights_base,
            rights_inheriting,
        }
    }

    fn dir(perms: DirPerms) -> Entry {
        let dir = Dir::open_ambient_dir(std::env::temp_dir(), ambient_authority()).unwrap();
        entry(Descriptor::Dir(DirDesc::new(dir, perms, None)))
    }

    fn file(read: bool, write: bool, dir_perms: DirPerms) -> Entry {
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        entry(Descriptor::File(FileDesc {
            file,
            read,
            write,
            flags: 0,
            dir_perms,
        }))
    }

    const DIR_CHANGES: [Op; 11] = [
        Op::OpenForWrite,
        Op::CreateDir,
        Op::RemoveFile,
        Op::RemoveDir,
        Op::RenameFrom,
        Op::RenameTo,
        Op::LinkFrom,
        Op::LinkTo,
        Op::Symlink,
        Op::SetPathTimes,
        Op::SetTimes,
    ];

    #[test]
    fn read_only_directory_refuses_every_change() {
        let ro = dir(DirPerms::ReadOnly);
        let rw = dir(DirPerms::ReadWrite);
        for op in DIR_CHANGES {
            assert_eq!(check(&ro, op), Err(Errno::Perm), "{op:?}");
            assert_eq!(check(&rw, op), Ok(()), "{op:?}");
        }
        for op in [
            Op::Open,
            Op::StatPath,
            Op::Readlink,
            Op::ReadDir,
            Op::Stat,
            Op::Sync,
        ] {
            assert_eq!(check(&ro, op), Ok(()), "{op:?}");
        }
        assert_eq!(check(&rw, Op::Read), Err(Errno::Isdir));
        assert_eq!(check(&rw, Op::Write), Err(Errno::Badf));
    }

    #[test]
    fn files_follow_their_open_mode_and_origin() {
        let ro_file = file(true, false, DirPerms::ReadWrite);
        assert_eq!(check(&ro_file, Op::Read), Ok(()));
        assert_eq!(check(&ro_file, Op::Write), Err(Errno::Badf));
        assert_eq!(check(&ro_file, Op::SetSize), Err(Errno::Badf));
        assert_eq!(check(&ro_file, Op::SetTimes), Ok(()));
        assert_eq!(check(&ro_file, Op::CreateDir), Err(Errno::Notdir));
        let from_ro_dir = file(true, false, DirPerms::ReadOnly);
        assert_eq!(check(&from_ro_dir, Op::SetTimes), Err(Errno::Perm));
        let wo_file = file(false, true, DirPerms::ReadWrite);
        assert_eq!(check(&wo_file, Op::Read), Err(Errno::Badf));
        assert_eq!(check(&wo_file, Op::Write), Ok(()));
    }

    #[test]
    fn narrowed_rights_are_enforced() {
        let mut f = file(true, true, DirPerms::ReadWrite);
        f.rights_base &= !rights::FD_WRITE;
        assert_eq!(check(&f, Op::Write), Err(Errno::Notcapable));
        assert_eq!(check(&f, Op::Read), Ok(()));
    }

    #[test]
    fn each_path_operation_needs_its_own_right() {
        use rights::*;
        for (op, right) in [
            (Op::StatPath, PATH_FILESTAT_GET),
            (Op::Readlink, PATH_READLINK),
            (Op::RemoveFile, PATH_UNLINK_FILE),
            (Op::RemoveDir, PATH_REMOVE_DIRECTORY),
            (Op::RenameFrom, PATH_RENAME_SOURCE),
            (Op::RenameTo, PATH_RENAME_TARGET),
            (Op::LinkFrom, PATH_LINK_SOURCE),
            (Op::LinkTo, PATH_LINK_TARGET),
        ] {
            let mut d = dir(DirPerms::ReadWrite);
            assert_eq!(check(&d, op), Ok(()), "{op:?}");
            d.rights_base &= !right;
            assert_eq!(check(&d, op), Err(Errno::Notcapable), "{op:?}");
        }
    }

    #[test]
    fn streams_cannot_seek() {
        let out = entry(Descriptor::Stream(Stream::HostStdout));
        assert_eq!(check(&out, Op::Write), Ok(()));
        assert_eq!(check(&out, Op::Read), Err(Errno::Badf));
        assert_eq!(check(&out, Op::Seek), Err(Errno::Spipe));
    }
}
