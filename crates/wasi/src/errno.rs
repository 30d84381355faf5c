//! WASI error numbers (the same in `wasi_snapshot_preview1` and `wasi_unstable`), and how host
//! I/O errors map onto them.

use std::io;

/// A WASI `errno` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
#[allow(missing_docs)]
pub enum Errno {
    TooBig = 1,
    Acces = 2,
    Again = 6,
    Badf = 8,
    Busy = 10,
    Connaborted = 13,
    Connrefused = 14,
    Connreset = 15,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    Ilseq = 25,
    Intr = 27,
    Inval = 28,
    Io = 29,
    Isdir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    Nametoolong = 37,
    Nfile = 41,
    Noent = 44,
    Nomem = 48,
    Nospc = 51,
    Nosys = 52,
    Notconn = 53,
    Notdir = 54,
    Notempty = 55,
    Notsock = 57,
    Notsup = 58,
    Nxio = 60,
    Overflow = 61,
    Perm = 63,
    Pipe = 64,
    Rofs = 69,
    Spipe = 70,
    Timedout = 73,
    Txtbsy = 74,
    Xdev = 75,
    Notcapable = 76,
}

impl Errno {
    /// The number a WASI function returns.
    pub fn code(self) -> u16 {
        self as u16
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        if let Some(code) = e.raw_os_error() {
            return from_os(code);
        }
        // cap-std reports an attempt to leave a directory (`..` past the root, an absolute
        // path, a symlink pointing out) as PermissionDenied without an OS code: the guest
        // lacks the capability.
        match e.kind() {
            io::ErrorKind::PermissionDenied => Errno::Notcapable,
            io::ErrorKind::NotFound => Errno::Noent,
            io::ErrorKind::AlreadyExists => Errno::Exist,
            io::ErrorKind::InvalidInput => Errno::Inval,
            io::ErrorKind::InvalidData => Errno::Ilseq,
            io::ErrorKind::WouldBlock => Errno::Again,
            io::ErrorKind::Interrupted => Errno::Intr,
            io::ErrorKind::BrokenPipe => Errno::Pipe,
            io::ErrorKind::Unsupported => Errno::Notsup,
            io::ErrorKind::OutOfMemory => Errno::Nomem,
            io::ErrorKind::NotADirectory => Errno::Notdir,
            io::ErrorKind::IsADirectory => Errno::Isdir,
            io::ErrorKind::DirectoryNotEmpty => Errno::Notempty,
            io::ErrorKind::ReadOnlyFilesystem => Errno::Rofs,
            io::ErrorKind::InvalidFilename => Errno::Nametoolong,
            io::ErrorKind::CrossesDevices => Errno::Xdev,
            io::ErrorKind::ConnectionReset => Errno::Connreset,
            io::ErrorKind::ConnectionAborted => Errno::Connaborted,
            io::ErrorKind::NotConnected => Errno::Notconn,
            _ => Errno::Io,
        }
    }
}

/// Maps a host (Linux/POSIX) errno onto WASI's numbering.
fn from_os(code: i32) -> Errno {
    use rustix::io::Errno as E;
    let e = E::from_raw_os_error(code);
    match e {
        E::PERM => Errno::Perm,
        E::NOENT => Errno::Noent,
        E::INTR => Errno::Intr,
        E::IO => Errno::Io,
        E::NXIO => Errno::Nxio,
        E::TOOBIG => Errno::TooBig,
        E::BADF => Errno::Badf,
        E::AGAIN => Errno::Again,
        E::NOMEM => Errno::Nomem,
        E::ACCESS => Errno::Acces,
        E::FAULT => Errno::Fault,
        E::BUSY => Errno::Busy,
        E::EXIST => Errno::Exist,
        E::XDEV => Errno::Xdev,
        E::NOTDIR => Errno::Notdir,
        E::ISDIR => Errno::Isdir,
        E::INVAL => Errno::Inval,
        E::NFILE => Errno::Nfile,
        E::MFILE => Errno::Mfile,
        E::TXTBSY => Errno::Txtbsy,
        E::FBIG => Errno::Fbig,
        E::NOSPC => Errno::Nospc,
        E::SPIPE => Errno::Spipe,
        E::ROFS => Errno::Rofs,
        E::MLINK => Errno::Mlink,
        E::PIPE => Errno::Pipe,
        E::NAMETOOLONG => Errno::Nametoolong,
        E::NOSYS => Errno::Nosys,
        E::NOTEMPTY => Errno::Notempty,
        E::LOOP => Errno::Loop,
        E::OVERFLOW => Errno::Overflow,
        E::ILSEQ => Errno::Ilseq,
        E::NOTSOCK => Errno::Notsock,
        E::OPNOTSUPP => Errno::Notsup,
        E::CONNABORTED => Errno::Connaborted,
        E::CONNRESET => Errno::Connreset,
        E::NOTCONN => Errno::Notconn,
        E::TIMEDOUT => Errno::Timedout,
        E::CONNREFUSED => Errno::Connrefused,
        _ => Errno::Io,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errors_map_to_wasi_numbers() {
        let noent = io::Error::from_raw_os_error(rustix::io::Errno::NOENT.raw_os_error());
        assert_eq!(Errno::from(noent).code(), 44);
        let exist = io::Error::from_raw_os_error(rustix::io::Errno::EXIST.raw_os_error());
        assert_eq!(Errno::from(exist).code(), 20);
        // What cap-std returns for a path that would leave the directory.
        let escape = io::Error::new(io::ErrorKind::PermissionDenied, "outside");
        assert_eq!(Errno::from(escape), Errno::Notcapable);
        assert_eq!(Errno::Notcapable.code(), 76);
    }
}
