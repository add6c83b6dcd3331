//! Linear memory instances (spec: memory instances): one contiguous, zero-initialized
//! byte region per memory, grown by whole pages. Bounds checks live in `exec`; this
//! file owns allocation and growth, which never abort the process: a growth the host
//! cannot back fails, and `memory.grow` returns -1.

use crate::syntax::{AddrType, MemoryType};

/// A memory in the store.
pub struct MemoryEntity {
    pub ty: MemoryType,
    bytes: Vec<u8>,
    /// The most pages this memory may grow to (its type's maximum, capped by what the
    /// address type and the host allow).
    max_pages: u64,
}

/// The largest number of bytes tern backs for one memory.
const HOST_MAX_BYTES: u64 = 1 << 32;

impl MemoryEntity {
    /// Allocates a memory of the type's minimum size, never to grow past `limit_bytes`
    /// (a store's limit); `None` if the minimum is over the limit or the host cannot.
    pub fn new(ty: MemoryType, limit_bytes: Option<u64>) -> Option<MemoryEntity> {
        let log2 = ty.page_size_log2();
        let addr_max = match ty.addr {
            AddrType::I32 => (1u64 << 32) >> log2,
            AddrType::I64 => (1u64 << 48).min(u64::MAX >> log2),
        };
        let host_max = HOST_MAX_BYTES.min(limit_bytes.unwrap_or(u64::MAX)) >> log2;
        let max_pages = ty
            .limits
            .max
            .unwrap_or(u64::MAX)
            .min(addr_max)
            .min(host_max);
        if ty.limits.min > max_pages {
            return None;
        }
        let bytes = zeroed(ty.limits.min << log2)?;
        Some(MemoryEntity {
            ty,
            bytes,
            max_pages,
        })
    }

    pub fn data(&self) -> &[u8] {
        &self.bytes
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        &mut self.bytes
    }

    /// The base address of the bytes, for the interpreter's cached access. Taken with
    /// `Vec::as_mut_ptr`, so it stays valid until the memory is next borrowed or grown.
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.bytes.as_mut_ptr()
    }

    /// Current size in bytes.
    pub fn byte_len(&self) -> usize {
        self.bytes.len()
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.bytes.len() as u64) >> self.ty.page_size_log2()
    }

    /// Grows by `delta` pages, returning the old size in pages, or `None` (and no
    /// change) if the maximum or the host does not allow it.
    pub fn grow(&mut self, delta: u64) -> Option<u64> {
        let old = self.pages();
        let new = old.checked_add(delta)?;
        if new > self.max_pages {
            return None;
        }
        if delta == 0 {
            return Some(old);
        }
        let new_len = usize::try_from(new << self.ty.page_size_log2()).ok()?;
        let extra = new_len - self.bytes.len();
        if extra <= GROW_IN_PLACE_BYTES {
            // Extend in place (the allocator may move the block without copying it) and
            // zero the new part: the old and new copies are never both resident.
            self.bytes.try_reserve_exact(extra).ok()?;
            self.bytes.resize(new_len, 0);
        } else {
            // A large growth gets fresh zeroed (lazily committed) pages instead, so that
            // what the program does not touch costs no memory.
            let mut bytes = zeroed(new_len as u64)?;
            bytes[..self.bytes.len()].copy_from_slice(&self.bytes);
            self.bytes = bytes;
        }
        Some(old)
    }
}

/// Growths up to this many bytes extend the memory in place (see [`MemoryEntity::grow`]).
const GROW_IN_PLACE_BYTES: usize = 16 << 20;

/// A zero-filled byte vector of `len` bytes, or `None` if the allocation fails. Large
/// allocations come from the allocator's zeroed (lazily committed) pages, so a 4 GiB
/// memory costs only what the program touches.
fn zeroed(len: u64) -> Option<Vec<u8>> {
    let len = usize::try_from(len).ok()?;
    if len == 0 {
        return Some(Vec::new());
    }
    let layout = std::alloc::Layout::array::<u8>(len).ok()?;
    // SAFETY: `layout` has a non-zero size (checked above). `alloc_zeroed` returns
    // either null (handled) or a pointer to `len` zeroed bytes allocated by the global
    // allocator with alignment 1, which is exactly what `Vec<u8>::from_raw_parts` with
    // capacity `len` requires; all `len` bytes are initialized (zero).
    unsafe {
        let ptr = std::alloc::alloc_zeroed(layout);
        if ptr.is_null() {
            return None;
        }
        Some(Vec::from_raw_parts(ptr, len, len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::Limits;

    fn mem(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType {
            limits: Limits { min, max },
            ..MemoryType::default()
        }
    }

    #[test]
    fn grows_within_limits_and_keeps_contents() {
        let mut m = MemoryEntity::new(mem(1, Some(3)), None).unwrap();
        m.data_mut()[65535] = 7;
        assert_eq!(m.grow(1), Some(1));
        assert_eq!(m.data()[65535], 7);
        assert_eq!(m.data()[65536], 0);
        assert_eq!(m.grow(2), None);
        assert_eq!(m.pages(), 2);
        assert_eq!(m.grow(0), Some(2));
    }

    #[test]
    fn empty_and_huge() {
        let mut m = MemoryEntity::new(mem(0, None), None).unwrap();
        assert!(m.data().is_empty());
        assert_eq!(m.grow(65537), None);
        assert_eq!(m.grow(u64::MAX), None);
        assert!(zeroed(u64::MAX).is_none());
    }

    #[test]
    fn store_limit_caps_growth_and_minimum() {
        let mut m = MemoryEntity::new(mem(1, None), Some(3 << 16)).unwrap();
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        assert!(MemoryEntity::new(mem(4, None), Some(3 << 16)).is_none());
    }
}
