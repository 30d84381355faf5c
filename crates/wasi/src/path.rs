//! The `path_*` functions. Every path is resolved by cap-std beneath a directory descriptor
//! the guest holds, so `..`, absolute paths and symlinks cannot lead outside it.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, SystemTimeSpec};
use cap_std::fs::{Dir, OpenOptions, OpenOptionsExt};
use rustix::fs::OFlags;

use crate::abi::{fdflags, flags, follow, oflags};
use crate::ctx::{DirPerms, WasiCtx};
use crate::errno::Errno;
use crate::fs::{SetTime, cap_filestat, set_times, system_time};
use crate::perms::{Op, check, check_open, rights};
use crate::table::{Descriptor, DirDesc, FileDesc};
use crate::{Cx, SysResult};

/// The directory `fd`, if `op` is allowed on it.
fn dir(ctx: &WasiCtx, fd: u32, op: Op) -> Result<(&Dir, DirPerms), Errno> {
    let e = ctx.table.get(fd)?;
    check(e, op)?;
    match &e.desc {
        Descriptor::Dir(d) => Ok((&d.dir, d.perms)),
        _ => Err(Errno::Badf),
    }
}

/// A path argument, copied out of guest memory (an empty path is left to the lookup, which
/// finds nothing there).
fn path_arg(cx: &Cx, ptr: u32, len: u32) -> Result<String, Errno> {
    Ok(cx.mem.str(ptr, len)?.to_string())
}

pub(crate) fn path_create_directory(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let (d, _) = dir(cx.ctx, fd, Op::CreateDir)?;
    d.create_dir(path_arg(cx, path, path_len)?)?;
    Ok(())
}

pub(crate) fn path_filestat_get(
    cx: &mut Cx,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    out: u32,
) -> SysResult {
    let follow = follow(flags)?;
    let (d, _) = dir(cx.ctx, fd, Op::StatPath)?;
    let path = path_arg(cx, path, path_len)?;
    // As in POSIX, a trailing `/` or `/.` resolves a symlink in the last component.
    let meta = if follow || names_a_directory(&path) {
        d.metadata(&path)?
    } else {
        d.symlink_metadata(&path)?
    };
    let abi = cx.abi;
    cap_filestat(&meta).write(&mut cx.mem, out, abi)?;
    Ok(())
}

/// Whether `path` ends in a way that only a directory satisfies (`dir/`, `dir/.`).
fn names_a_directory(path: &str) -> bool {
    path.ends_with('/') || path.ends_with("/.")
}

/// `path` without trailing slashes (but `/` stays `/`).
fn without_trailing_slashes(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() { path } else { trimmed }
}

fn spec(t: Option<SetTime>) -> Option<SystemTimeSpec> {
    t.map(|t| match t {
        SetTime::Now => SystemTimeSpec::SymbolicNow,
        SetTime::At(_) => {
            SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(system_time(t)))
        }
    })
}

/// Sets the access and modification times of `path` beneath `d`.
pub(crate) fn set_path_times(
    d: &Dir,
    path: &str,
    follow: bool,
    atime: Option<SetTime>,
    mtime: Option<SetTime>,
) -> std::io::Result<()> {
    if follow {
        d.set_times(path, spec(atime), spec(mtime))
    } else {
        d.set_symlink_times(path, spec(atime), spec(mtime))
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_filestat_set_times(
    cx: &mut Cx,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> SysResult {
    let follow = follow(flags)?;
    let (a, m) = set_times(atim, mtim, fst_flags)?;
    let (d, _) = dir(cx.ctx, fd, Op::SetPathTimes)?;
    set_path_times(d, &path_arg(cx, path, path_len)?, follow, a, m)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_link(
    cx: &mut Cx,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> SysResult {
    let follow = follow(old_flags)?;
    let (old_dir, _) = dir(cx.ctx, old_fd, Op::LinkFrom)?;
    let (new_dir, _) = dir(cx.ctx, new_fd, Op::LinkTo)?;
    let old_path = path_arg(cx, old_path, old_len)?;
    let new_path = path_arg(cx, new_path, new_len)?;
    // Linking the target of a symlink could reach a file outside the directory.
    if follow {
        return Err(Errno::Inval);
    }
    old_dir.hard_link(old_path, new_dir, new_path)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn path_open(
    cx: &mut Cx,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    out: u32,
) -> SysResult {
    let follow = follow(dirflags)?;
    let oflags = flags(oflags, oflags::ALL)?;
    let fdflags = flags(fdflags, fdflags::ALL)?;
    if (rights_base | rights_inheriting) & !rights::ALL != 0 {
        return Err(Errno::Inval);
    }
    let path = path_arg(cx, path, path_len)?;
    let parent = cx.ctx.table.get(fd)?;
    let pdir = match &parent.desc {
        Descriptor::Dir(d) => d,
        Descriptor::File(_) => return Err(Errno::Notdir),
        _ => return Err(Errno::Badf),
    };
    let create = oflags & oflags::CREAT != 0;
    let exclusive = oflags & oflags::EXCL != 0;
    let truncate = oflags & oflags::TRUNC != 0;
    if fdflags & (fdflags::DSYNC | fdflags::RSYNC | fdflags::SYNC) != 0 {
        return Err(Errno::Notsup);
    }
    if oflags & oflags::DIRECTORY != 0 && (create || exclusive || truncate) {
        return Err(Errno::Inval);
    }
    // Reading and writing are what the rights ask for; creating and truncating write, and
    // APPEND asks to write: refused where writing is, even with read rights only (wasmtime
    // opens such a file, and its writes fail later).
    let read = rights_base & rights::FD_READ != 0;
    let write = rights_base & rights::FD_WRITE != 0 || create || truncate;
    check_open(parent, write || fdflags & fdflags::APPEND != 0, create)?;
    let (base, inheriting) = (
        rights_base & parent.rights_inheriting,
        rights_inheriting & parent.rights_inheriting,
    );
    let (d, perms) = (&pdir.dir, pdir.perms);

    // APPEND is not the host's O_APPEND: writes go to the end themselves, so that the guest
    // can clear the flag and positioned writes stay positioned.
    let mut opts = OpenOptions::new();
    opts.read(read || !write).write(write).truncate(truncate);
    opts.follow(if follow {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    });
    if create && exclusive {
        opts.create_new(true);
    } else {
        opts.create(create);
    }
    // Asked for a directory, the host must not wait to open anything else (a FIFO, say):
    // O_NONBLOCK. (O_DIRECTORY would do that too, but turns a final symlink that is not to be
    // followed into ENOTDIR where wasmtime says ELOOP.)
    if oflags & oflags::DIRECTORY != 0 {
        opts.custom_flags(OFlags::NONBLOCK.bits() as i32);
    }
    let file = d.open_with(&path, &opts)?.into_std();
    let desc = if file.metadata()?.is_dir() {
        // Opening a directory for writing already failed (EISDIR), in the host.
        Descriptor::Dir(DirDesc::new(Dir::from_std_file(file), perms, None))
    } else if oflags & oflags::DIRECTORY != 0 {
        return Err(Errno::Notdir);
    } else {
        Descriptor::File(FileDesc {
            file,
            read: read || !write,
            write,
            flags: fdflags,
            dir_perms: perms,
            position: 0,
        })
    };
    let new_fd = cx.ctx.table.push_with_rights(desc, base, inheriting)?;
    cx.mem.write_u32(out, new_fd)?;
    Ok(())
}

pub(crate) fn path_readlink(
    cx: &mut Cx,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> SysResult {
    use std::os::unix::ffi::OsStrExt;
    let (d, _) = dir(cx.ctx, fd, Op::Readlink)?;
    // cap-std refuses to read out an absolute target: it would tell the guest a host path.
    let target = d.read_link(path_arg(cx, path, path_len)?)?;
    let bytes = target.as_os_str().as_bytes();
    let n = bytes.len().min(buf_len as usize);
    cx.mem.write(buf, &bytes[..n])?;
    cx.mem.write_u32(bufused, n as u32)?;
    Ok(())
}

pub(crate) fn path_remove_directory(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let (d, _) = dir(cx.ctx, fd, Op::RemoveDir)?;
    let path = path_arg(cx, path, path_len)?;
    // cap-std refuses `dir/`, which POSIX accepts. `link/` names what the link points to: a
    // dangling one is ENOENT, otherwise a symlink is not a directory to remove (ENOTDIR).
    let trimmed = without_trailing_slashes(&path);
    if trimmed.len() != path.len() && d.symlink_metadata(trimmed)?.is_symlink() {
        d.metadata(trimmed)?;
        return Err(Errno::Notdir);
    }
    d.remove_dir(trimmed)?;
    Ok(())
}

pub(crate) fn path_unlink_file(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let (d, _) = dir(cx.ctx, fd, Op::RemoveFile)?;
    d.remove_file(path_arg(cx, path, path_len)?)?;
    Ok(())
}

pub(crate) fn path_rename(
    cx: &mut Cx,
    fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> SysResult {
    let (old_dir, _) = dir(cx.ctx, fd, Op::RenameFrom)?;
    let (new_dir, _) = dir(cx.ctx, new_fd, Op::RenameTo)?;
    let old_path = path_arg(cx, old_path, old_len)?;
    let new_path = path_arg(cx, new_path, new_len)?;
    // A trailing slash on either side says "directory": renaming a file so is ENOTDIR.
    if (names_a_directory(&old_path) || names_a_directory(&new_path))
        && !old_dir
            .symlink_metadata(without_trailing_slashes(&old_path))?
            .is_dir()
    {
        return Err(Errno::Notdir);
    }
    old_dir.rename(old_path, new_dir, new_path)?;
    Ok(())
}

pub(crate) fn path_symlink(
    cx: &mut Cx,
    old_path: u32,
    old_len: u32,
    fd: u32,
    new_path: u32,
    new_len: u32,
) -> SysResult {
    // The target is stored, not resolved; following the link later is confined like any
    // path. cap-std refuses an absolute target.
    let (d, _) = dir(cx.ctx, fd, Op::Symlink)?;
    let target = path_arg(cx, old_path, old_len)?;
    d.symlink(target, path_arg(cx, new_path, new_len)?)?;
    Ok(())
}
