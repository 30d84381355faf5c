//! Guest memory seen by a WASI call: every pointer and length the guest passes is checked
//! here, and anything outside memory is `EFAULT`, never a host panic or a trap.

use crate::errno::Errno;

/// The calling instance's linear memory (empty if it exports none).
pub(crate) struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

/// An `(offset, length)` buffer in guest memory, as an `iovec`/`ciovec` describes it.
#[derive(Clone, Copy)]
pub(crate) struct IoVec {
    pub(crate) ptr: u32,
    pub(crate) len: u32,
}

/// At most this many iovecs per call (POSIX's IOV_MAX on Linux): more is `EINVAL`, so a
/// hostile count costs nothing.
const IOV_MAX: u32 = 1024;

impl<'a> GuestMem<'a> {
    pub(crate) fn new(bytes: &'a mut [u8]) -> GuestMem<'a> {
        GuestMem { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> Result<std::ops::Range<usize>, Errno> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
        if end > self.bytes.len() {
            return Err(Errno::Fault);
        }
        Ok(start..end)
    }

    pub(crate) fn slice(&self, ptr: u32, len: u32) -> Result<&[u8], Errno> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub(crate) fn slice_mut(&mut self, ptr: u32, len: u32) -> Result<&mut [u8], Errno> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    pub(crate) fn read_u8(&self, ptr: u32) -> Result<u8, Errno> {
        Ok(self.slice(ptr, 1)?[0])
    }

    pub(crate) fn read_u16(&self, ptr: u32) -> Result<u16, Errno> {
        let b = self.slice(ptr, 2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    pub(crate) fn read_u32(&self, ptr: u32) -> Result<u32, Errno> {
        let b = self.slice(ptr, 4)?;
        Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
    }

    pub(crate) fn read_u64(&self, ptr: u32) -> Result<u64, Errno> {
        let b = self.slice(ptr, 8)?;
        Ok(u64::from_le_bytes(b.try_into().expect("8 bytes")))
    }

    pub(crate) fn write(&mut self, ptr: u32, data: &[u8]) -> Result<(), Errno> {
        let len = u32::try_from(data.len()).map_err(|_| Errno::Fault)?;
        self.slice_mut(ptr, len)?.copy_from_slice(data);
        Ok(())
    }

    pub(crate) fn write_u8(&mut self, ptr: u32, v: u8) -> Result<(), Errno> {
        self.write(ptr, &[v])
    }

    pub(crate) fn write_u16(&mut self, ptr: u32, v: u16) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub(crate) fn write_u32(&mut self, ptr: u32, v: u32) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    pub(crate) fn write_u64(&mut self, ptr: u32, v: u64) -> Result<(), Errno> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// A path or other string argument: must lie in memory (`EFAULT`) and be UTF-8
    /// (`EILSEQ`); an interior NUL can name no file (`EINVAL`).
    pub(crate) fn str(&self, ptr: u32, len: u32) -> Result<&str, Errno> {
        let bytes = self.slice(ptr, len)?;
        let s = std::str::from_utf8(bytes).map_err(|_| Errno::Ilseq)?;
        if s.contains('\0') {
            return Err(Errno::Inval);
        }
        Ok(s)
    }

    /// Reads an array of `count` iovecs at `ptr`, checking that each buffer lies in memory.
    pub(crate) fn iovecs(&self, ptr: u32, count: u32) -> Result<Vec<IoVec>, Errno> {
        if count > IOV_MAX {
            return Err(Errno::Inval);
        }
        let table = self.slice(ptr, count * 8)?;
        let mut out = Vec::with_capacity(count as usize);
        for entry in table.chunks_exact(8) {
            let iov = IoVec {
                ptr: u32::from_le_bytes(entry[0..4].try_into().expect("4 bytes")),
                len: u32::from_le_bytes(entry[4..8].try_into().expect("4 bytes")),
            };
            self.range(iov.ptr, iov.len)?;
            out.push(iov);
        }
        Ok(out)
    }

    /// The bytes the iovecs point at, concatenated (for writes), at most [`MAX_IO`] of them:
    /// iovecs may overlap, so their total is not bounded by the memory; the caller writes
    /// what it got and reports a short write, as POSIX allows.
    pub(crate) fn gather(&self, iovs: &[IoVec]) -> Result<Vec<u8>, Errno> {
        let mut data = Vec::with_capacity(total_len(iovs));
        for iov in iovs {
            let room = MAX_IO - data.len();
            let n = (iov.len as usize).min(room) as u32;
            data.extend_from_slice(self.slice(iov.ptr, n)?);
            if data.len() == MAX_IO {
                break;
            }
        }
        Ok(data)
    }

    /// Copies `data` into the iovecs in order (for reads); returns the bytes placed.
    pub(crate) fn scatter(&mut self, iovs: &[IoVec], mut data: &[u8]) -> Result<usize, Errno> {
        let mut placed = 0;
        for iov in iovs {
            if data.is_empty() {
                break;
            }
            let n = data.len().min(iov.len as usize);
            self.slice_mut(iov.ptr, n as u32)?
                .copy_from_slice(&data[..n]);
            data = &data[n..];
            placed += n;
        }
        Ok(placed)
    }
}

/// The most bytes one read or write call moves: the host never allocates more than this for
/// one call (reads and writes return short, as POSIX allows).
pub(crate) const MAX_IO: usize = 16 << 20;

/// The total length the iovecs ask for, capped at [`MAX_IO`].
pub(crate) fn total_len(iovs: &[IoVec]) -> usize {
    iovs.iter()
        .map(|v| v.len as usize)
        .fold(0usize, |a, b| a.saturating_add(b))
        .min(MAX_IO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_bounds_is_efault() {
        let mut bytes = vec![0u8; 16];
        let mut mem = GuestMem::new(&mut bytes);
        assert_eq!(mem.read_u32(13), Err(Errno::Fault));
        assert_eq!(mem.read_u32(u32::MAX), Err(Errno::Fault));
        assert_eq!(mem.write_u64(12, 1), Err(Errno::Fault));
        assert!(mem.write_u32(12, 7).is_ok());
        assert_eq!(mem.read_u32(12), Ok(7));
    }

    #[test]
    fn iovecs_are_checked() {
        let mut bytes = vec![0u8; 64];
        // One iovec at 0: (ptr 32, len 16) is fine; a second (ptr 60, len 8) is not.
        bytes[0..4].copy_from_slice(&32u32.to_le_bytes());
        bytes[4..8].copy_from_slice(&16u32.to_le_bytes());
        bytes[8..12].copy_from_slice(&60u32.to_le_bytes());
        bytes[12..16].copy_from_slice(&8u32.to_le_bytes());
        let mem = GuestMem::new(&mut bytes);
        assert_eq!(mem.iovecs(0, 1).map(|v| v.len()), Ok(1));
        assert_eq!(mem.iovecs(0, 2).err(), Some(Errno::Fault));
        assert_eq!(mem.iovecs(0, 100_000).err(), Some(Errno::Inval));
        assert_eq!(mem.iovecs(0, 9).err(), Some(Errno::Fault));
    }

    #[test]
    fn overlapping_iovecs_gather_at_most_max_io() {
        let mut bytes = vec![1u8; 1 << 20];
        // 1024 iovecs, each the whole memory: 1 GiB asked for, 16 MiB gathered.
        for i in 0..1024 {
            bytes[i * 8..i * 8 + 4].copy_from_slice(&0u32.to_le_bytes());
            bytes[i * 8 + 4..i * 8 + 8].copy_from_slice(&(1u32 << 20).to_le_bytes());
        }
        let mem = GuestMem::new(&mut bytes);
        let iovs = mem.iovecs(0, 1024).unwrap();
        assert_eq!(mem.gather(&iovs).unwrap().len(), MAX_IO);
    }

    #[test]
    fn strings_must_be_utf8_without_nul() {
        let mut bytes = b"ok\xffa\0b".to_vec();
        let mem = GuestMem::new(&mut bytes);
        assert_eq!(mem.str(0, 2), Ok("ok"));
        assert_eq!(mem.str(0, 3), Err(Errno::Ilseq));
        assert_eq!(mem.str(3, 3), Err(Errno::Inval));
        assert_eq!(mem.str(5, 10), Err(Errno::Fault));
    }
}
