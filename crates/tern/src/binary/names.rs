//! The `name` custom section (spec: Appendix › Name Section): the module name
//! (subsection 0) and function names (subsection 1). Other subsections are skipped.
//!
//! A malformed name section is never an error: [`parse`] returns `None` and the
//! module simply has no names, as the spec allows.
//!
//! The function names subsection is checked in full when the module is decoded, but
//! its strings are made only when a name is first asked for ([`FuncNames`]).

use std::collections::BTreeMap;
use std::ops::Range;

use super::reader::Reader;
use crate::error::Result;
use crate::syntax::{FuncNames, Names};

/// Parses the contents of a `name` section at `bytes[range]`; `None` if malformed.
pub(crate) fn parse(bytes: &[u8], range: Range<usize>) -> Option<Names> {
    parse_inner(bytes, range).ok().flatten()
}

fn parse_inner(bytes: &[u8], range: Range<usize>) -> Result<Option<Names>> {
    let mut r = Reader::new(bytes, range.start, range.end);
    let mut names = Names::default();
    let mut last_id: Option<u8> = None;
    while !r.is_empty() {
        let id = r.u8()?;
        // Subsections must be in increasing order and appear at most once.
        if last_id.is_some_and(|l| id <= l) {
            return Ok(None);
        }
        last_id = Some(id);
        let size = r.len32()? as usize;
        let start = r.pos();
        let Some(end) = start.checked_add(size).filter(|&e| e <= r.end()) else {
            return Ok(None);
        };
        let mut sub = Reader::new(bytes, start, end);
        match id {
            0 => names.module = Some(sub.name()?),
            1 => {
                let n = sub.len32()?;
                let mut prev: Option<u32> = None;
                for _ in 0..n {
                    let idx = sub.u32()?;
                    if prev.is_some_and(|p| idx <= p) {
                        return Ok(None);
                    }
                    prev = Some(idx);
                    let name = sub.byte_vec()?;
                    if std::str::from_utf8(name).is_err() {
                        return Ok(None);
                    }
                }
                let raw = bytes.get(start..sub.pos()).unwrap_or_default();
                names.funcs = FuncNames::lazy(raw.into(), func_names);
            }
            _ => sub.skip_to(end)?,
        }
        if !sub.is_empty() {
            return Ok(None);
        }
        r.skip_to(end)?;
    }
    Ok(Some(names))
}

/// The map of a function names subsection that [`parse_inner`] found well-formed.
fn func_names(raw: &[u8]) -> BTreeMap<u32, String> {
    let mut r = Reader::new(raw, 0, raw.len());
    let mut funcs = BTreeMap::new();
    let n = r.len32().unwrap_or(0);
    for _ in 0..n {
        let (Ok(idx), Ok(name)) = (r.u32(), r.name()) else {
            break;
        };
        funcs.insert(idx, name);
    }
    funcs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_and_function_names() {
        let b = [0, 2, 1, b'm', 1, 7, 2, 0, 1, b'f', 3, 1, b'g'];
        let n = parse(&b, 0..b.len()).unwrap();
        assert_eq!(n.module.as_deref(), Some("m"));
        assert_eq!(n.funcs.get(&0).map(String::as_str), Some("f"));
        assert_eq!(n.funcs.get(&3).map(String::as_str), Some("g"));
    }

    #[test]
    fn malformed_is_ignored() {
        assert!(parse(&[0, 5, 1], 0..3).is_none());
        assert!(parse(&[1, 3, 1, 0, 1], 0..5).is_none());
        assert!(parse(&[0, 2, 1, 0xff], 0..4).is_none());
        // A function name that is not UTF-8 drops every name, the module's too.
        assert!(parse(&[1, 4, 1, 0, 1, 0xff], 0..6).is_none());
        let b = [0, 2, 1, b'm', 1, 4, 1, 0, 1, 0xff];
        assert!(parse(&b, 0..b.len()).is_none());
        // Indices must increase.
        let b = [1, 7, 2, 3, 1, b'f', 3, 1, b'g'];
        assert!(parse(&b, 0..b.len()).is_none());
    }
}
