//! Executable memory for native code: mapped writable, filled, then made read-only and
//! executable before anything can run it, so no page is ever writable and executable
//! at once. Knows nothing of what the bytes mean.

use memmap2::{Mmap, MmapMut};

/// One function's machine code, read-only and executable, unmapped when dropped.
pub(super) struct CodeMemory {
    map: Mmap,
}

impl CodeMemory {
    /// Copies `code` into fresh pages and makes them executable (`None` if the host
    /// refuses the mapping).
    pub(super) fn new(code: &[u8]) -> Option<CodeMemory> {
        let mut map = MmapMut::map_anon(code.len().max(1)).ok()?;
        map[..code.len()].copy_from_slice(code);
        // The pages become read-only and executable in one step (mprotect).
        let map = map.make_exec().ok()?;
        Some(CodeMemory { map })
    }

    /// The first byte of the code.
    pub(super) fn start(&self) -> *const u8 {
        self.map.as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_memory_holds_the_bytes_it_was_given() {
        let m = CodeMemory::new(&[0xc3, 0x90, 0x90]).expect("mapping");
        // SAFETY: the mapping is at least 3 bytes long and readable.
        let bytes = unsafe { std::slice::from_raw_parts(m.start(), 3) };
        assert_eq!(bytes, &[0xc3, 0x90, 0x90]);
    }
}
