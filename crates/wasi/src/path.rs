//! The `path_*` functions. Every path is resolved by cap-std beneath a directory descriptor
//! the guest holds, so `..`, absolute paths and symlinks cannot lead outside it.

use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, SystemTimeSpec};
use cap_std::fs::{Dir, OpenOptions};

use crate::abi::{SYMLINK_FOLLOW, fdflags, oflags};
use crate::ctx::{DirPerms, WasiCtx};
use crate::errno::Errno;
use crate::fs::{SetTime, cap_filestat, set_times, system_time};
use crate::perms::{Op, check, rights};
use crate::table::{Descriptor, DirDesc, FileDesc};
use crate::{Cx, SysResult};

/// The directory `fd`, if `op` is allowed on it.
fn dir(ctx: &WasiCtx, fd: u32, op: Op) -> Result<(&Dir, DirPerms), Errno> {
    let e = ctx.table.get(fd)?;
    check(e, op)?;
    match &e.desc {
        Descriptor::Dir(d) => Ok((&d.dir, d.perms)),
        _ => Err(Errno::Notdir),
    }
}

/// A path argument, copied out of guest memory.
fn path_arg(cx: &Cx, ptr: u32, len: u32) -> Result<String, Errno> {
    let path = cx.mem.str(ptr, len)?;
    if path.is_empty() {
        return Err(Errno::Noent);
    }
    Ok(path.to_string())
}

pub(crate) fn path_create_directory(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let path = path_arg(cx, path, path_len)?;
    dir(cx.ctx, fd, Op::CreateDir)?.0.create_dir(path)?;
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
    let path = path_arg(cx, path, path_len)?;
    let (d, _) = dir(cx.ctx, fd, Op::StatPath)?;
    // As in POSIX, a trailing `/` or `/.` resolves a symlink in the last component.
    let meta = if flags & SYMLINK_FOLLOW != 0 || names_a_directory(&path) {
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
    let path = path_arg(cx, path, path_len)?;
    let (a, m) = set_times(atim, mtim, fst_flags)?;
    let (d, _) = dir(cx.ctx, fd, Op::SetPathTimes)?;
    set_path_times(d, &path, flags & SYMLINK_FOLLOW != 0, a, m)?;
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
    // Linking the target of a symlink could reach a file outside the directory.
    if old_flags & SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval.into());
    }
    let old_path = path_arg(cx, old_path, old_len)?;
    let new_path = path_arg(cx, new_path, new_len)?;
    let (old_dir, _) = dir(cx.ctx, old_fd, Op::LinkFrom)?;
    let (new_dir, _) = dir(cx.ctx, new_fd, Op::LinkTo)?;
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
    let path = path_arg(cx, path, path_len)?;
    let oflags = u16::try_from(oflags).map_err(|_| Errno::Inval)?;
    let fdflags = u16::try_from(fdflags)
        .ok()
        .filter(|f| f & !fdflags::ALL == 0)
        .ok_or(Errno::Inval)?;
    let follow = dirflags & SYMLINK_FOLLOW != 0;
    let exclusive = oflags & oflags::EXCL != 0;
    let truncate = oflags & oflags::TRUNC != 0;
    // The new descriptor gets the rights asked for, as far as the directory may pass them on.
    let (d, _) = dir(cx.ctx, fd, Op::Open)?;
    let existing = match follow {
        true => d.metadata(&path),
        false => d.symlink_metadata(&path),
    };
    // O_CREAT on a file that exists creates nothing: it is no write to the directory, and a
    // read-only open of it stays read-only (a read-only preopen allows it).
    let create = oflags & oflags::CREAT != 0 && (exclusive || existing.is_err());
    let parent = cx.ctx.table.get(fd)?;
    let base = rights_base & parent.rights_inheriting;
    let inheriting = rights_inheriting & parent.rights_inheriting;
    if rights_base & rights::FILE_WRITE & !parent.rights_inheriting != 0
        || (create && parent.rights_base & rights::PATH_CREATE_FILE == 0)
        || (truncate && parent.rights_base & rights::PATH_FILESTAT_SET_SIZE == 0)
    {
        return Err(Errno::Notcapable.into());
    }
    let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
    // APPEND asks to write, even with read rights only: refused where writing is.
    let append = fdflags & fdflags::APPEND != 0;
    let write = base & rights::FILE_WRITE != 0 || append || truncate || create;
    let op = if write { Op::OpenForWrite } else { Op::Open };
    let (d, perms) = dir(cx.ctx, fd, op)?;

    let follow_mode = if follow {
        FollowSymlinks::Yes
    } else {
        FollowSymlinks::No
    };
    let is_dir = oflags & oflags::DIRECTORY != 0 || (!create && existing.is_ok_and(|m| m.is_dir()));
    let desc = if is_dir {
        if write {
            return Err(Errno::Isdir.into());
        }
        let sub = if follow {
            d.open_dir(&path)?
        } else {
            d.open_dir_nofollow(&path)?
        };
        Descriptor::Dir(DirDesc::new(sub, perms, None))
    } else {
        // APPEND is not the host's O_APPEND: writes seek to the end themselves, so that the
        // guest can clear the flag and positioned writes stay positioned.
        let mut opts = OpenOptions::new();
        opts.read(read || !write)
            .write(write)
            .truncate(truncate)
            .follow(follow_mode);
        if create && exclusive {
            opts.create_new(true);
        } else {
            opts.create(create);
        }
        let file = d.open_with(&path, &opts)?;
        Descriptor::File(FileDesc {
            file: file.into_std(),
            read: read || !write,
            write,
            flags: fdflags,
            dir_perms: perms,
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
    let path = path_arg(cx, path, path_len)?;
    let (d, _) = dir(cx.ctx, fd, Op::Readlink)?;
    let target = d.read_link_contents(&path)?;
    let bytes = target.as_os_str().as_bytes();
    let n = bytes.len().min(buf_len as usize);
    cx.mem.write(buf, &bytes[..n])?;
    cx.mem.write_u32(bufused, n as u32)?;
    Ok(())
}

pub(crate) fn path_remove_directory(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let path = path_arg(cx, path, path_len)?;
    // cap-std refuses `dir/`, which POSIX accepts (and a symlink `link/` stays ENOTDIR).
    dir(cx.ctx, fd, Op::RemoveDir)?
        .0
        .remove_dir(without_trailing_slashes(&path))?;
    Ok(())
}

pub(crate) fn path_unlink_file(cx: &mut Cx, fd: u32, path: u32, path_len: u32) -> SysResult {
    let path = path_arg(cx, path, path_len)?;
    dir(cx.ctx, fd, Op::RemoveFile)?.0.remove_file(path)?;
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
    let old_path = path_arg(cx, old_path, old_len)?;
    let new_path = path_arg(cx, new_path, new_len)?;
    let (old_dir, _) = dir(cx.ctx, fd, Op::RenameFrom)?;
    let (new_dir, _) = dir(cx.ctx, new_fd, Op::RenameTo)?;
    // A trailing slash on either side says "directory": renaming a file so is ENOTDIR.
    if (names_a_directory(&old_path) || names_a_directory(&new_path))
        && !old_dir
            .symlink_metadata(without_trailing_slashes(&old_path))?
            .is_dir()
    {
        return Err(Errno::Notdir.into());
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
    let target = path_arg(cx, old_path, old_len)?;
    let link = path_arg(cx, new_path, new_len)?;
    dir(cx.ctx, fd, Op::Symlink)?.0.symlink(target, link)?;
    Ok(())
}
