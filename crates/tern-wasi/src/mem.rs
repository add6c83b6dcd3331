//! Safe access to the guest's linear memory: bounds-checked reads and writes of
//! little-endian integers, byte ranges, strings and `iovec` arrays at guest
//! addresses. Every guest pointer goes through here; an out-of-bounds range is
//! `Errno::FAULT`, never a panic.

use crate::errno::{Errno, WasiResult};

/// A guest memory borrowed for the length of one WASI call.
pub struct GuestMem<'a> {
    bytes: &'a mut [u8],
}

/// One `iovec`/`ciovec`: a guest buffer address and length.
#[derive(Clone, Copy, Debug)]
pub struct IoVec {
    pub buf: u32,
    pub len: u32,
}

impl<'a> GuestMem<'a> {
    pub fn new(bytes: &'a mut [u8]) -> GuestMem<'a> {
        GuestMem { bytes }
    }

    fn range(&self, ptr: u32, len: u64) -> WasiResult<std::ops::Range<usize>> {
        let start = ptr as u64;
        let end = start.checked_add(len).ok_or(Errno::FAULT)?;
        if end > self.bytes.len() as u64 {
            return Err(Errno::FAULT);
        }
        Ok(start as usize..end as usize)
    }

    /// The guest bytes `ptr..ptr+len`.
    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len as u64)?;
        Ok(&self.bytes[r])
    }

    /// The guest bytes `ptr..ptr+len`, writable.
    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len as u64)?;
        Ok(&mut self.bytes[r])
    }

    /// Copies `data` to guest address `ptr`.
    pub fn write_bytes(&mut self, ptr: u32, data: &[u8]) -> WasiResult<()> {
        let r = self.range(ptr, data.len() as u64)?;
        self.bytes[r].copy_from_slice(data);
        Ok(())
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let r = self.range(ptr, N as u64)?;
        let mut a = [0u8; N];
        a.copy_from_slice(&self.bytes[r]);
        Ok(a)
    }

    pub fn read_u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub fn read_u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub fn read_u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    pub fn write_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write_bytes(ptr, &[v])
    }
    pub fn write_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }
    pub fn write_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write_bytes(ptr, &v.to_le_bytes())
    }

    /// Checks that `len` bytes at `ptr` are in bounds (for an out-parameter that is
    /// written only after a host operation succeeded).
    pub fn check(&self, ptr: u32, len: u32) -> WasiResult<()> {
        self.range(ptr, len as u64).map(|_| ())
    }

    /// A guest string (`string` in witx: pointer and byte length, no terminator).
    pub fn read_string(&self, ptr: u32, len: u32) -> WasiResult<Vec<u8>> {
        Ok(self.slice(ptr, len)?.to_vec())
    }

    /// An `iovec_array`/`ciovec_array` of `count` 8-byte entries at `ptr`. Each
    /// buffer is bounds-checked here too.
    pub fn read_iovecs(&self, ptr: u32, count: u32) -> WasiResult<Vec<IoVec>> {
        let r = self.range(ptr, count as u64 * 8)?;
        let raw = &self.bytes[r];
        let mut v = Vec::with_capacity(count as usize);
        for c in raw.chunks_exact(8) {
            let buf = u32::from_le_bytes(c[0..4].try_into().unwrap());
            let len = u32::from_le_bytes(c[4..8].try_into().unwrap());
            self.range(buf, len as u64)?;
            v.push(IoVec { buf, len });
        }
        Ok(v)
    }
}
