//! The one place that decides whether an operation on a descriptor is allowed: by what the
//! descriptor is, how it was opened, the perms of the preopen it came from, and the rights the
//! guest still holds on it.
//!
//! The errno for an operation a descriptor cannot do at all is the one wasmtime gives (EBADF
//! for most, ESPIPE for seeking a stream, ENOTSOCK for socket calls, ...), so that programs
//! tested against wasmtime see the same answers. Rights come on top: wasmtime ignores them,
//! WVM enforces the ones a guest gave up (by asking for fewer in `path_open`, or with
//! `fd_fdstat_set_rights`) with ENOTCAPABLE, as WASI says.

use crate::ctx::DirPerms;
use crate::errno::Errno;
use crate::table::{Descriptor, Entry};

/// WASI rights bits and the rights each kind of descriptor starts with.
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
    /// Every right WASI defines; any other bit is EINVAL.
    pub(crate) const ALL: u64 = (1 << 30) - 1;

    /// A preopened directory's rights, as wasmtime reports them (and programs pass back).
    pub(crate) const PREOPEN: u64 = PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES;
    /// What a preopen passes on to what is opened beneath it.
    pub(crate) const PREOPEN_INHERITING: u64 = PREOPEN
        | FD_DATASYNC
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

    /// A file's rights before any are given up: all but reading or writing where it was not
    /// opened for them (as wasmtime reports them).
    pub(crate) fn file(read: bool, write: bool) -> u64 {
        let mut r = ALL;
        if !read {
            r &= !(FD_READ | FD_READDIR);
        }
        if !write {
            r &= !FD_WRITE;
        }
        r
    }

    /// A directory's rights before any are given up: all but those only files have.
    pub(crate) const DIR: u64 =
        ALL & !(FD_SEEK | FD_WRITE | FD_FILESTAT_SET_SIZE | PATH_FILESTAT_SET_SIZE);

    /// (base, inheriting) rights a new descriptor starts with: what `path_open` then narrows
    /// to what was asked for. Directories opened beneath a preopen may pass on every right,
    /// writing included (wasmtime's report leaves writing out there, which would make a file
    /// opened beneath them with wasi-libc's `openat` read-only).
    pub(crate) fn initial(desc: &Descriptor) -> (u64, u64) {
        match desc {
            Descriptor::Stream(s) if s.is_input() => (FD_READ, FD_READ),
            Descriptor::Stream(_) => (FD_WRITE, FD_WRITE),
            Descriptor::File(f) => (file(f.read, f.write), file(f.read, f.write)),
            Descriptor::Dir(d) if d.preopen.is_some() => (PREOPEN, PREOPEN_INHERITING),
            Descriptor::Dir(_) => (DIR, ALL),
            Descriptor::Listener(_) => (
                SOCK_ACCEPT | POLL_FD_READWRITE | FD_FILESTAT_GET | FD_FDSTAT_SET_FLAGS,
                0,
            ),
            Descriptor::Socket(_) => (
                FD_READ
                    | FD_WRITE
                    | FD_FDSTAT_SET_FLAGS
                    | FD_FILESTAT_GET
                    | POLL_FD_READWRITE
                    | SOCK_SHUTDOWN,
                0,
            ),
        }
    }
}

/// An operation a WASI function performs on a descriptor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Read,
    /// `fd_pread`.
    ReadAt,
    Write,
    /// `fd_pwrite`.
    WriteAt,
    Seek,
    Tell,
    Stat,
    SetFlags,
    SetRights,
    SetSize,
    SetTimes,
    Sync,
    Datasync,
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
    /// The rights `self` needs: the guest must hold one of each mask.
    fn rights(self) -> &'static [u64] {
        use rights::*;
        match self {
            Op::Read => &[FD_READ],
            // A positioned read or write also moves about the file.
            Op::ReadAt => &[FD_READ, FD_SEEK],
            Op::Write => &[FD_WRITE],
            Op::WriteAt => &[FD_WRITE, FD_SEEK],
            Op::Seek => &[FD_SEEK],
            // FD_SEEK implies FD_TELL.
            Op::Tell => &[FD_TELL | FD_SEEK],
            Op::Stat => &[FD_FILESTAT_GET],
            Op::SetFlags => &[FD_FDSTAT_SET_FLAGS],
            Op::SetRights => &[],
            Op::SetSize => &[FD_FILESTAT_SET_SIZE],
            Op::SetTimes => &[FD_FILESTAT_SET_TIMES],
            Op::Sync => &[FD_SYNC],
            // fdatasync does less than fsync: either right allows it (wasi-libc asks for
            // FD_SYNC but not FD_DATASYNC when it opens a file read-only).
            Op::Datasync => &[FD_DATASYNC | FD_SYNC],
            Op::Advise => &[FD_ADVISE],
            Op::Allocate => &[FD_ALLOCATE],
            Op::ReadDir => &[FD_READDIR],
            Op::Open => &[PATH_OPEN],
            // What is opened to write gets FD_WRITE from the directory's inheriting rights,
            // checked in `check_open`.
            Op::OpenForWrite => &[PATH_OPEN],
            Op::StatPath => &[PATH_FILESTAT_GET],
            Op::Readlink => &[PATH_READLINK],
            Op::CreateDir => &[PATH_CREATE_DIRECTORY],
            Op::RemoveFile => &[PATH_UNLINK_FILE],
            Op::RemoveDir => &[PATH_REMOVE_DIRECTORY],
            Op::RenameFrom => &[PATH_RENAME_SOURCE],
            Op::RenameTo => &[PATH_RENAME_TARGET],
            Op::LinkFrom => &[PATH_LINK_SOURCE],
            Op::LinkTo => &[PATH_LINK_TARGET],
            Op::Symlink => &[PATH_SYMLINK],
            Op::SetPathTimes => &[PATH_FILESTAT_SET_TIMES],
            Op::Accept => &[SOCK_ACCEPT],
            Op::Shutdown => &[SOCK_SHUTDOWN],
        }
    }

    /// Whether `self` names a path beneath a directory.
    fn is_path(self) -> bool {
        matches!(self, Op::Open | Op::StatPath | Op::Readlink)
            || (self.modifies_dir() && self != Op::SetTimes)
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

/// Whether the kind of descriptor `desc` is, and the way it was opened, allow `op`.
fn allowed_by_kind(desc: &Descriptor, op: Op) -> Result<(), Errno> {
    match desc {
        Descriptor::Stream(s) => match op {
            Op::Read if s.is_input() => Ok(()),
            Op::Write if !s.is_input() => Ok(()),
            Op::ReadAt if s.is_input() => Err(Errno::Spipe),
            Op::WriteAt if !s.is_input() => Err(Errno::Spipe),
            Op::Seek | Op::Tell => Err(Errno::Spipe),
            Op::Stat => Ok(()),
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ => Err(Errno::Badf),
        },
        Descriptor::File(f) => match op {
            Op::Read | Op::ReadAt if !f.read => Err(Errno::Badf),
            Op::Write | Op::WriteAt | Op::Allocate if !f.write => Err(Errno::Badf),
            Op::SetSize | Op::SetTimes if f.dir_perms == DirPerms::ReadOnly => Err(Errno::Perm),
            // What ftruncate says of a descriptor not open for writing.
            Op::SetSize if !f.write => Err(Errno::Inval),
            Op::Read
            | Op::ReadAt
            | Op::Write
            | Op::WriteAt
            | Op::SetSize
            | Op::Allocate
            | Op::SetTimes
            | Op::Seek
            | Op::Tell
            | Op::Stat
            | Op::SetFlags
            | Op::SetRights
            | Op::Sync
            | Op::Datasync
            | Op::Advise => Ok(()),
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ => Err(Errno::Badf),
        },
        Descriptor::Dir(d) => match op {
            Op::Accept | Op::Shutdown => Err(Errno::Notsock),
            _ if op.modifies_dir() && d.perms == DirPerms::ReadOnly => Err(Errno::Perm),
            Op::Stat | Op::SetTimes | Op::SetRights | Op::ReadDir => Ok(()),
            _ if op.is_path() => Ok(()),
            _ => Err(Errno::Badf),
        },
        Descriptor::Listener(_) => match op {
            Op::Accept | Op::Stat | Op::SetFlags | Op::SetRights => Ok(()),
            Op::Read | Op::Write | Op::Shutdown => Err(Errno::Notconn),
            _ => Err(Errno::Badf),
        },
        Descriptor::Socket(_) => match op {
            Op::Read | Op::Write | Op::Shutdown | Op::Stat | Op::SetFlags | Op::SetRights => Ok(()),
            Op::ReadAt | Op::WriteAt | Op::Seek | Op::Tell => Err(Errno::Spipe),
            Op::Accept => Err(Errno::Inval),
            _ => Err(Errno::Badf),
        },
    }
}

/// Allows `op` on `entry`, or says which errno the guest gets: first what the descriptor is
/// and how it was opened decide, then the rights the guest gave up.
pub(crate) fn check(entry: &Entry, op: Op) -> Result<(), Errno> {
    allowed_by_kind(&entry.desc, op)?;
    // A right the descriptor never started with is not the guest's to give up: the kind
    // decided above (stdout holds only FD_WRITE, yet fd_filestat_get works on it).
    let started_with = rights::initial(&entry.desc).0;
    for &any in op.rights() {
        if started_with & any != 0 && entry.rights_base & any == 0 {
            return Err(Errno::Notcapable);
        }
    }
    Ok(())
}

/// Allows `path_open` beneath the directory `entry`: to write (FD_WRITE asked for, creating,
/// truncating or appending) and to create, or says which errno the guest gets. A directory
/// that no longer passes on FD_WRITE, or lost PATH_CREATE_FILE, refuses (ENOTCAPABLE).
pub(crate) fn check_open(entry: &Entry, write: bool, create: bool) -> Result<(), Errno> {
    check(entry, if write { Op::OpenForWrite } else { Op::Open })?;
    if (write && entry.rights_inheriting & rights::FD_WRITE == 0)
        || (create && entry.rights_base & rights::PATH_CREATE_FILE == 0)
    {
        return Err(Errno::Notcapable);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::{DirDesc, FileDesc, Stream};
    use cap_std::ambient_authority;
    use cap_std::fs::Dir;

    fn entry(desc: Descriptor) -> Entry {
        let (rights_base, rights_inheriting) = rights::initial(&desc);
        Entry {
            desc,
            rights_base,
            rights_inheriting,
        }
    }

    fn dir(perms: DirPerms, preopen: bool) -> Entry {
        let dir = Dir::open_ambient_dir(std::env::temp_dir(), ambient_authority()).unwrap();
        let name = preopen.then(|| "/tmp".to_string());
        entry(Descriptor::Dir(DirDesc::new(dir, perms, name)))
    }

    fn file(read: bool, write: bool, dir_perms: DirPerms) -> Entry {
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        entry(Descriptor::File(FileDesc {
            file,
            read,
            write,
            flags: 0,
            dir_perms,
            position: 0,
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
        for preopen in [true, false] {
            let ro = dir(DirPerms::ReadOnly, preopen);
            let rw = dir(DirPerms::ReadWrite, preopen);
            for op in DIR_CHANGES {
                assert_eq!(check(&ro, op), Err(Errno::Perm), "{op:?}");
                assert_eq!(check(&rw, op), Ok(()), "{op:?}");
            }
            for op in [Op::Open, Op::StatPath, Op::Readlink, Op::ReadDir, Op::Stat] {
                assert_eq!(check(&ro, op), Ok(()), "{op:?}");
            }
            // What a directory cannot do at all is EBADF, as under wasmtime.
            for op in [
                Op::Read,
                Op::Write,
                Op::Seek,
                Op::Sync,
                Op::Advise,
                Op::SetFlags,
            ] {
                assert_eq!(check(&rw, op), Err(Errno::Badf), "{op:?}");
            }
        }
    }

    #[test]
    fn files_follow_their_open_mode_and_origin() {
        let ro_file = file(true, false, DirPerms::ReadWrite);
        assert_eq!(check(&ro_file, Op::Read), Ok(()));
        assert_eq!(check(&ro_file, Op::Write), Err(Errno::Badf));
        assert_eq!(check(&ro_file, Op::SetSize), Err(Errno::Inval));
        assert_eq!(check(&ro_file, Op::SetTimes), Ok(()));
        assert_eq!(check(&ro_file, Op::CreateDir), Err(Errno::Badf));
        let from_ro_dir = file(true, false, DirPerms::ReadOnly);
        assert_eq!(check(&from_ro_dir, Op::SetTimes), Err(Errno::Perm));
        assert_eq!(check(&from_ro_dir, Op::SetSize), Err(Errno::Perm));
        let wo_file = file(false, true, DirPerms::ReadWrite);
        assert_eq!(check(&wo_file, Op::Read), Err(Errno::Badf));
        assert_eq!(check(&wo_file, Op::ReadAt), Err(Errno::Badf));
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
    fn positioned_io_needs_seek_and_seek_implies_tell() {
        let mut f = file(true, true, DirPerms::ReadWrite);
        f.rights_base &= !(rights::FD_SEEK | rights::FD_TELL);
        assert_eq!(check(&f, Op::Read), Ok(()));
        assert_eq!(check(&f, Op::ReadAt), Err(Errno::Notcapable));
        assert_eq!(check(&f, Op::WriteAt), Err(Errno::Notcapable));
        assert_eq!(check(&f, Op::Tell), Err(Errno::Notcapable));
        f.rights_base |= rights::FD_SEEK;
        assert_eq!(check(&f, Op::Tell), Ok(()));
        assert_eq!(check(&f, Op::ReadAt), Ok(()));
    }

    #[test]
    fn opening_to_write_needs_write_among_the_inherited_rights() {
        let mut d = dir(DirPerms::ReadWrite, true);
        assert_eq!(check_open(&d, true, true), Ok(()));
        d.rights_inheriting &= !rights::FD_WRITE;
        assert_eq!(check_open(&d, false, false), Ok(()));
        // Truncating or appending writes too: refused with the right gone.
        assert_eq!(check_open(&d, true, false), Err(Errno::Notcapable));
        d.rights_inheriting |= rights::FD_WRITE;
        d.rights_base &= !rights::PATH_CREATE_FILE;
        assert_eq!(check_open(&d, true, true), Err(Errno::Notcapable));
        assert_eq!(
            check_open(&dir(DirPerms::ReadOnly, true), true, false),
            Err(Errno::Perm)
        );
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
            let mut d = dir(DirPerms::ReadWrite, true);
            assert_eq!(check(&d, op), Ok(()), "{op:?}");
            d.rights_base &= !right;
            assert_eq!(check(&d, op), Err(Errno::Notcapable), "{op:?}");
        }
    }

    #[test]
    fn streams_cannot_seek_and_report_only_their_direction() {
        let out = entry(Descriptor::Stream(Stream::HostStdout));
        assert_eq!(out.rights_base, rights::FD_WRITE);
        assert_eq!(check(&out, Op::Write), Ok(()));
        assert_eq!(check(&out, Op::Read), Err(Errno::Badf));
        assert_eq!(check(&out, Op::Seek), Err(Errno::Spipe));
        assert_eq!(check(&out, Op::WriteAt), Err(Errno::Spipe));
        // Not among its rights, yet allowed: the kind decides.
        assert_eq!(check(&out, Op::Stat), Ok(()));
        let input = entry(Descriptor::Stream(Stream::NullIn));
        assert_eq!(check(&input, Op::Read), Ok(()));
        assert_eq!(check(&input, Op::Write), Err(Errno::Badf));
        assert_eq!(check(&input, Op::ReadAt), Err(Errno::Spipe));
    }
}
