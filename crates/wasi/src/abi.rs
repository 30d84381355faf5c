//! WASI's in-memory layouts and constants, and where `wasi_unstable` differs from
//! `wasi_snapshot_preview1`.

use crate::Abi;
use crate::errno::Errno;
use crate::mem::GuestMem;

pub(crate) mod filetype {
    pub(crate) const UNKNOWN: u8 = 0;
    pub(crate) const BLOCK_DEVICE: u8 = 1;
    pub(crate) const CHARACTER_DEVICE: u8 = 2;
    pub(crate) const DIRECTORY: u8 = 3;
    pub(crate) const REGULAR_FILE: u8 = 4;
    pub(crate) const SOCKET_STREAM: u8 = 6;
    pub(crate) const SYMBOLIC_LINK: u8 = 7;
}

pub(crate) mod fdflags {
    pub(crate) const APPEND: u16 = 1 << 0;
    pub(crate) const DSYNC: u16 = 1 << 1;
    pub(crate) const NONBLOCK: u16 = 1 << 2;
    pub(crate) const RSYNC: u16 = 1 << 3;
    pub(crate) const SYNC: u16 = 1 << 4;
    pub(crate) const ALL: u16 = APPEND | DSYNC | NONBLOCK | RSYNC | SYNC;
}

pub(crate) mod oflags {
    pub(crate) const CREAT: u16 = 1 << 0;
    pub(crate) const DIRECTORY: u16 = 1 << 1;
    pub(crate) const EXCL: u16 = 1 << 2;
    pub(crate) const TRUNC: u16 = 1 << 3;
    pub(crate) const ALL: u16 = CREAT | DIRECTORY | EXCL | TRUNC;
}

/// `lookupflags`: follow a symlink in the last path component.
pub(crate) const SYMLINK_FOLLOW: u32 = 1;

/// A flags argument with no bit outside `all` (wasmtime traps on unknown bits; WVM answers
/// EINVAL, as for every argument it cannot decode).
pub(crate) fn flags(v: u32, all: u16) -> Result<u16, Errno> {
    u16::try_from(v)
        .ok()
        .filter(|f| f & !all == 0)
        .ok_or(Errno::Inval)
}

/// Whether `lookupflags` asks to follow a final symlink.
pub(crate) fn follow(lookupflags: u32) -> Result<bool, Errno> {
    match lookupflags {
        0 => Ok(false),
        SYMLINK_FOLLOW => Ok(true),
        _ => Err(Errno::Inval),
    }
}

pub(crate) mod fstflags {
    pub(crate) const ATIM: u16 = 1 << 0;
    pub(crate) const ATIM_NOW: u16 = 1 << 1;
    pub(crate) const MTIM: u16 = 1 << 2;
    pub(crate) const MTIM_NOW: u16 = 1 << 3;
    pub(crate) const ALL: u16 = ATIM | ATIM_NOW | MTIM | MTIM_NOW;
}

/// Where `fd_seek` counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Whence {
    Set,
    Cur,
    End,
}

impl Whence {
    /// preview1 numbers SET, CUR, END as 0, 1, 2; wasi_unstable as CUR 0, END 1, SET 2.
    pub(crate) fn decode(abi: Abi, v: u32) -> Result<Whence, Errno> {
        let order = match abi {
            Abi::Preview1 => [Whence::Set, Whence::Cur, Whence::End],
            Abi::Unstable => [Whence::Cur, Whence::End, Whence::Set],
        };
        order.get(v as usize).copied().ok_or(Errno::Inval)
    }
}

/// A file's attributes, as `fd_filestat_get` and `path_filestat_get` return them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Filestat {
    pub(crate) dev: u64,
    pub(crate) ino: u64,
    pub(crate) filetype: u8,
    pub(crate) nlink: u64,
    pub(crate) size: u64,
    pub(crate) atim: u64,
    pub(crate) mtim: u64,
    pub(crate) ctim: u64,
}

impl Filestat {
    /// preview1: 64 bytes, nlink a u64 at 24. wasi_unstable: 56 bytes, nlink a u32 at 20.
    pub(crate) fn write(&self, mem: &mut GuestMem, ptr: u32, abi: Abi) -> Result<(), Errno> {
        let mut buf = [0u8; 64];
        buf[0..8].copy_from_slice(&self.dev.to_le_bytes());
        buf[8..16].copy_from_slice(&self.ino.to_le_bytes());
        buf[16] = self.filetype;
        let rest = match abi {
            Abi::Preview1 => {
                buf[24..32].copy_from_slice(&self.nlink.to_le_bytes());
                32
            }
            Abi::Unstable => {
                let nlink = u32::try_from(self.nlink).unwrap_or(u32::MAX);
                buf[20..24].copy_from_slice(&nlink.to_le_bytes());
                24
            }
        };
        for (i, v) in [self.size, self.atim, self.mtim, self.ctim]
            .iter()
            .enumerate()
        {
            let at = rest + 8 * i;
            buf[at..at + 8].copy_from_slice(&v.to_le_bytes());
        }
        mem.write(ptr, &buf[..rest + 32])
    }
}

/// Nanoseconds from seconds and nanoseconds since the epoch (0 before it).
pub(crate) fn nanos(secs: i64, nsec: i64) -> u64 {
    u64::try_from(secs)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsec).unwrap_or(0))
}

/// What `poll_oneoff` waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubKind {
    Clock {
        id: u32,
        timeout: u64,
        abstime: bool,
    },
    FdRead(u32),
    FdWrite(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Subscription {
    pub(crate) userdata: u64,
    pub(crate) kind: SubKind,
}

impl Subscription {
    /// preview1: 48 bytes; wasi_unstable: 56, its clock carrying an extra `identifier`.
    pub(crate) fn size(abi: Abi) -> u32 {
        match abi {
            Abi::Preview1 => 48,
            Abi::Unstable => 56,
        }
    }

    pub(crate) fn read(mem: &GuestMem, ptr: u32, abi: Abi) -> Result<Subscription, Errno> {
        let userdata = mem.read_u64(ptr)?;
        let tag = mem.read_u8(ptr + 8)?;
        let kind = match tag {
            0 => {
                let at = match abi {
                    Abi::Preview1 => ptr + 16,
                    Abi::Unstable => ptr + 24,
                };
                // subclockflags: only ABSTIME (1) is defined.
                let flags = mem.read_u16(at + 24)?;
                if flags & !1 != 0 {
                    return Err(Errno::Inval);
                }
                SubKind::Clock {
                    id: mem.read_u32(at)?,
                    timeout: mem.read_u64(at + 8)?,
                    abstime: flags & 1 != 0,
                }
            }
            1 => SubKind::FdRead(mem.read_u32(ptr + 16)?),
            2 => SubKind::FdWrite(mem.read_u32(ptr + 16)?),
            _ => return Err(Errno::Inval),
        };
        Ok(Subscription { userdata, kind })
    }
}

/// One `poll_oneoff` result (32 bytes, the same in both ABIs).
#[derive(Clone)]
pub(crate) struct Event {
    pub(crate) userdata: u64,
    pub(crate) error: Errno16,
    pub(crate) tag: u8,
    pub(crate) nbytes: u64,
    pub(crate) hangup: bool,
}

/// An errno field of an event (0 for success).
pub(crate) type Errno16 = u16;

impl Event {
    pub(crate) fn write(&self, mem: &mut GuestMem, ptr: u32) -> Result<(), Errno> {
        let mut buf = [0u8; 32];
        buf[0..8].copy_from_slice(&self.userdata.to_le_bytes());
        buf[8..10].copy_from_slice(&self.error.to_le_bytes());
        buf[10] = self.tag;
        buf[16..24].copy_from_slice(&self.nbytes.to_le_bytes());
        buf[24..26].copy_from_slice(&u16::from(self.hangup).to_le_bytes());
        mem.write(ptr, &buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whence_numbering_differs() {
        assert_eq!(Whence::decode(Abi::Preview1, 0), Ok(Whence::Set));
        assert_eq!(Whence::decode(Abi::Unstable, 0), Ok(Whence::Cur));
        assert_eq!(Whence::decode(Abi::Unstable, 2), Ok(Whence::Set));
        assert_eq!(Whence::decode(Abi::Preview1, 3), Err(Errno::Inval));
    }

    #[test]
    fn filestat_layouts() {
        let st = Filestat {
            dev: 1,
            ino: 2,
            filetype: filetype::REGULAR_FILE,
            nlink: 3,
            size: 4,
            atim: 5,
            mtim: 6,
            ctim: 7,
        };
        let mut bytes = vec![0xaa; 80];
        let mut mem = GuestMem::new(&mut bytes);
        st.write(&mut mem, 0, Abi::Unstable).unwrap();
        assert_eq!(mem.read_u32(20), Ok(3));
        assert_eq!(mem.read_u64(24), Ok(4));
        assert_eq!(mem.read_u64(48), Ok(7));
        assert_eq!(mem.read_u8(56), Ok(0xaa), "unstable filestat is 56 bytes");
        st.write(&mut mem, 0, Abi::Preview1).unwrap();
        assert_eq!(mem.read_u64(24), Ok(3));
        assert_eq!(mem.read_u64(32), Ok(4));
        assert_eq!(mem.read_u64(56), Ok(7));
        assert_eq!(mem.read_u8(16), Ok(filetype::REGULAR_FILE));
    }
}
