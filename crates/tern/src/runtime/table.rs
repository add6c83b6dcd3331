//! Table instances (spec: table instances): vectors of references in slot
//! representation (0 is null; a function reference is its store index + 1).

use crate::syntax::{AddrType, TableType};

/// The most elements tern allows one table to hold.
const HOST_MAX_ELEMS: u64 = 10_000_000;

pub struct TableEntity {
    pub ty: TableType,
    pub elems: Vec<u64>,
    max: u64,
}

impl TableEntity {
    /// A table of the type's minimum size filled with `init`, never to grow past
    /// `limit` elements (a store's limit); `None` if the minimum is over a limit.
    pub fn new(ty: TableType, init: u64, limit: Option<u64>) -> Option<TableEntity> {
        let addr_max = match ty.addr {
            AddrType::I32 => u32::MAX as u64,
            AddrType::I64 => u64::MAX,
        };
        let max = ty
            .limits
            .max
            .unwrap_or(u64::MAX)
            .min(addr_max)
            .min(HOST_MAX_ELEMS)
            .min(limit.unwrap_or(u64::MAX));
        if ty.limits.min > max {
            return None;
        }
        let elems = vec![init; usize::try_from(ty.limits.min).ok()?];
        Some(TableEntity { ty, elems, max })
    }

    pub fn size(&self) -> u64 {
        self.elems.len() as u64
    }

    /// Grows by `delta` elements set to `init`; the old size, or `None` (no change).
    pub fn grow(&mut self, delta: u64, init: u64) -> Option<u64> {
        let old = self.size();
        let new = old.checked_add(delta)?;
        if new > self.max {
            return None;
        }
        let new = usize::try_from(new).ok()?;
        self.elems.try_reserve(new - self.elems.len()).ok()?;
        self.elems.resize(new, init);
        Some(old)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Limits, RefType};

    #[test]
    fn grow_respects_max() {
        let ty = TableType {
            addr: AddrType::I32,
            limits: Limits {
                min: 1,
                max: Some(2),
            },
            elem: RefType::FUNCREF,
        };
        let mut t = TableEntity::new(ty, 0, None).unwrap();
        assert_eq!(t.grow(1, 5), Some(1));
        assert_eq!(t.elems, vec![0, 5]);
        assert_eq!(t.grow(1, 5), None);
        assert_eq!(t.grow(u64::MAX, 0), None);
    }
}
