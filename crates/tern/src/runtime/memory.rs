//! Linear memory instances (spec: memory instances): one contiguous, zero-initialized
//! byte region per memory, grown by whole pages. Bounds checks live in `exec`; this
//! file owns allocation and growth, which never abort the process: a growth the host
//! cannot back fails, and `memory.grow` returns -1.
//!
//! A memory is either a heap allocation or, where the store asks for guard pages
//! (see `Config::guard_pages`) and the memory is one native code may access without
//! bounds checks (32-bit addresses, 64 KiB pages), a reservation of 6 GiB of address
//! space (`compile::isa::NATIVE_RESERVATION`) of which only the memory's current
//! length is accessible: the rest faults, and never moves (see `jit::fault`).

use crate::syntax::{AddrType, MemoryType};

/// A memory in the store.
pub struct MemoryEntity {
    pub ty: MemoryType,
    bytes: Bytes,
    /// The most pages this memory may grow to (its type's maximum, capped by what the
    /// address type and the host allow).
    max_pages: u64,
}

/// The largest number of bytes tern backs for one memory.
const HOST_MAX_BYTES: u64 = 1 << 32;

impl MemoryEntity {
    /// Allocates a memory of the type's minimum size, never to grow past `limit_bytes`
    /// (a store's limit); `None` if the minimum is over the limit or the host cannot.
    /// With `guard`, a memory native code may access unchecked (see
    /// [`MemoryEntity::guarded`]) is a reservation with guard pages.
    pub fn new(ty: MemoryType, limit_bytes: Option<u64>, guard: bool) -> Option<MemoryEntity> {
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
        let min = ty.limits.min << log2;
        let bytes = if guard && guardable(&ty) {
            Bytes::Reserved(Reservation::new(usize::try_from(min).ok()?)?)
        } else {
            Bytes::Heap(zeroed(min)?)
        };
        Some(MemoryEntity {
            ty,
            bytes,
            max_pages,
        })
    }

    pub fn data(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Heap(v) => v,
            Bytes::Reserved(r) => r.as_slice(),
        }
    }

    pub fn data_mut(&mut self) -> &mut [u8] {
        match &mut self.bytes {
            Bytes::Heap(v) => v,
            Bytes::Reserved(r) => r.as_mut_slice(),
        }
    }

    /// The base address of the bytes, for the interpreter's cached access. It stays
    /// valid until the memory is next borrowed or grown (a reserved memory's never
    /// moves).
    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.data_mut().as_mut_ptr()
    }

    /// Whether the memory is a reservation with guard pages: `NATIVE_RESERVATION`
    /// bytes of address space from its base, of which all but its length fault.
    pub fn guarded(&self) -> bool {
        matches!(self.bytes, Bytes::Reserved(_))
    }

    /// Current size in bytes.
    pub fn byte_len(&self) -> usize {
        self.data().len()
    }

    /// Current size in pages.
    pub fn pages(&self) -> u64 {
        (self.byte_len() as u64) >> self.ty.page_size_log2()
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
        let v = match &mut self.bytes {
            Bytes::Reserved(r) => return r.grow(new_len).then_some(old),
            Bytes::Heap(v) => v,
        };
        let extra = new_len - v.len();
        if extra <= GROW_IN_PLACE_BYTES {
            // Extend in place (the allocator may move the block without copying it) and
            // zero the new part: the old and new copies are never both resident.
            v.try_reserve_exact(extra).ok()?;
            v.resize(new_len, 0);
        } else {
            // A large growth gets fresh zeroed (lazily committed) pages instead, so that
            // what the program does not touch costs no memory.
            let mut bytes = zeroed(new_len as u64)?;
            bytes[..v.len()].copy_from_slice(v);
            *v = bytes;
        }
        Some(old)
    }
}

/// Whether memories of type `ty` are reserved with guard pages when the store asks
/// for them: those native code accesses unchecked (32-bit addresses, 64 KiB pages, so
/// the length is always a whole number of host pages).
pub fn guardable(ty: &MemoryType) -> bool {
    ty.addr == AddrType::I32 && ty.page_size_log2() == 16 && reservation_supported()
}

/// A memory's bytes.
enum Bytes {
    Heap(Vec<u8>),
    Reserved(Reservation),
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

/// Whether this host reserves memories with guard pages: 64-bit Linux on x86-64,
/// with the optimizing tier (which is what uses them), where the process may map
/// that much address space (a limit such as `ulimit -v` may forbid it: then memories
/// are plain allocations and native code checks its accesses).
pub fn reservation_supported() -> bool {
    static OK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *OK.get_or_init(|| {
        cfg!(all(
            feature = "jit",
            target_os = "linux",
            target_arch = "x86_64"
        )) && Reservation::new(0).is_some()
    })
}

#[cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]
use reservation::Reservation;

#[cfg(all(feature = "jit", target_os = "linux", target_arch = "x86_64"))]
mod reservation {
    use crate::compile::isa::NATIVE_RESERVATION;

    /// [`NATIVE_RESERVATION`] bytes of address space, mapped inaccessible, of which
    /// the first `len` bytes are readable and writable (zero until written).
    pub struct Reservation {
        base: *mut u8,
        len: usize,
    }

    // SAFETY: a `Reservation` owns its mapping exclusively (like a `Vec<u8>` its
    // buffer); nothing else holds its address but the borrows it hands out.
    unsafe impl Send for Reservation {}
    // SAFETY: as above; shared references only read.
    unsafe impl Sync for Reservation {}

    impl Reservation {
        /// Reserves the address space and makes its first `len` bytes accessible;
        /// `None` if the host refuses either (or `len` is over the reservation).
        pub fn new(len: usize) -> Option<Reservation> {
            if len > NATIVE_RESERVATION {
                return None;
            }
            // SAFETY: an anonymous private mapping at an address the kernel picks
            // touches no existing memory; the result is checked before use.
            let base = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    NATIVE_RESERVATION,
                    libc::PROT_NONE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if base == libc::MAP_FAILED {
                return None;
            }
            let mut r = Reservation {
                base: base as *mut u8,
                len: 0,
            };
            r.grow(len).then_some(r)
        }

        /// Makes the first `len` bytes accessible (`len` at least the current length,
        /// a multiple of the host's page size); `false`, with nothing changed, if the
        /// host refuses.
        pub fn grow(&mut self, len: usize) -> bool {
            if len > NATIVE_RESERVATION || len < self.len {
                return false;
            }
            if len == self.len {
                return true;
            }
            // SAFETY: the range lies inside this reservation (checked above), which
            // this value owns; newly accessible anonymous pages read as zero.
            let ok = unsafe {
                libc::mprotect(
                    self.base.add(self.len) as *mut libc::c_void,
                    len - self.len,
                    libc::PROT_READ | libc::PROT_WRITE,
                ) == 0
            };
            if ok {
                self.len = len;
            }
            ok
        }

        pub fn as_slice(&self) -> &[u8] {
            // SAFETY: the first `len` bytes are mapped readable and initialized
            // (zero-filled by the kernel); the borrow of `self` keeps them mapped.
            unsafe { std::slice::from_raw_parts(self.base, self.len) }
        }

        pub fn as_mut_slice(&mut self) -> &mut [u8] {
            // SAFETY: as in `as_slice`, and writable; the exclusive borrow of `self`
            // makes this the only access.
            unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
        }
    }

    impl Drop for Reservation {
        fn drop(&mut self) {
            // SAFETY: the whole reservation was mapped by `new` and is unmapped once;
            // no borrow of it outlives `self`.
            unsafe {
                libc::munmap(self.base as *mut libc::c_void, NATIVE_RESERVATION);
            }
        }
    }
}

/// Where memories are never reserved: a type with no values.
#[cfg(not(all(feature = "jit", target_os = "linux", target_arch = "x86_64")))]
enum Reservation {}

#[cfg(not(all(feature = "jit", target_os = "linux", target_arch = "x86_64")))]
impl Reservation {
    fn new(_: usize) -> Option<Reservation> {
        None
    }
    fn grow(&mut self, _: usize) -> bool {
        match *self {}
    }
    fn as_slice(&self) -> &[u8] {
        match *self {}
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        match *self {}
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
        let mut m = MemoryEntity::new(mem(1, Some(3)), None, false).unwrap();
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
        let mut m = MemoryEntity::new(mem(0, None), None, false).unwrap();
        assert!(m.data().is_empty());
        assert_eq!(m.grow(65537), None);
        assert_eq!(m.grow(u64::MAX), None);
        assert!(zeroed(u64::MAX).is_none());
    }

    #[test]
    fn store_limit_caps_growth_and_minimum() {
        let mut m = MemoryEntity::new(mem(1, None), Some(3 << 16), false).unwrap();
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.grow(1), None);
        assert!(MemoryEntity::new(mem(4, None), Some(3 << 16), false).is_none());
    }

    #[test]
    fn reserved_memories_grow_in_place_and_keep_contents() {
        let m = MemoryEntity::new(mem(1, Some(70_000)), None, true).unwrap();
        assert_eq!(m.guarded(), reservation_supported());
        let mut m = m;
        let base = m.as_mut_ptr();
        m.data_mut()[65535] = 9;
        assert_eq!(m.grow(2), Some(1));
        assert_eq!(m.byte_len(), 3 << 16);
        assert_eq!(
            (m.data()[65535], m.data()[65536], m.data()[(3 << 16) - 1]),
            (9, 0, 0)
        );
        if m.guarded() {
            assert_eq!(m.as_mut_ptr(), base, "a reserved memory never moves");
        }
        // 4 GiB at most, whatever the type's maximum.
        assert_eq!(m.grow(65_534), None);
        assert_eq!(m.grow(65_533), Some(3));
        assert_eq!(m.pages(), 65_536);
        // Only 32-bit memories of 64 KiB pages are reserved.
        let ty = MemoryType {
            addr: AddrType::I64,
            ..mem(1, None)
        };
        assert!(!MemoryEntity::new(ty, None, true).unwrap().guarded());
    }
}
