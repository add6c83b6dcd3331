//! Unit tests of the vector semantics: each instruction's lanes checked against
//! hand-computed results (edge cases of saturation, NaN, -0 and rounding), that every
//! instruction has exactly the kind its signature says, and that the SSE2 and portable
//! lane conversions agree. Tests only; nothing here is compiled into tern.
//!
//! This file holds the lane builders the family tests share and the tests of the
//! dispatch itself (kinds, wrong-kind results); each family's tests have the family's
//! name.

mod bitwise;
mod compare;
mod convert;
mod float;
mod integer;
mod lanes;
mod memory;
mod relaxed;
mod shuffle;

use super::lanes::*;
use super::*;
use crate::syntax::{LaneOp, V128LoadOp, ValType};
use core::array::from_fn;

// Builders and views for writing vectors lane by lane.
fn v8(l: [i8; 16]) -> u128 {
    from_i8s(l)
}
fn v16(l: [i16; 8]) -> u128 {
    from_i16s(l)
}
fn v32(l: [i32; 4]) -> u128 {
    from_i32s(l)
}
fn v64(l: [i64; 2]) -> u128 {
    from_i64s(l)
}
fn vf32(l: [f32; 4]) -> u128 {
    from_f32s(l)
}
fn vf64(l: [f64; 2]) -> u128 {
    from_f64s(l)
}
fn bits32(v: u128) -> [u32; 4] {
    u32s(v)
}
fn bits64(v: u128) -> [u64; 2] {
    u64s(v)
}

const F32_CANON: u32 = 0x7fc0_0000;
const F64_CANON: u64 = 0x7ff8_0000_0000_0000;

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Unary,
    Binary,
    Ternary,
    Test,
    Shift,
    Splat,
}

fn kind_from_signature(op: SimdOp) -> Kind {
    use ValType::*;
    match op.signature() {
        ([V128], V128) => Kind::Unary,
        ([V128, V128], V128) => Kind::Binary,
        ([V128, V128, V128], V128) => Kind::Ternary,
        ([V128], I32) => Kind::Test,
        ([V128, I32], V128) => Kind::Shift,
        ([_], V128) => Kind::Splat,
        sig => panic!("{op:?} has an unexpected signature {sig:?}"),
    }
}

#[test]
fn every_op_has_exactly_the_kind_its_signature_implies() {
    let x = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
    for &op in SimdOp::ALL {
        let handled: Vec<Kind> = [
            (Kind::Unary, try_unary(op, x).is_some()),
            (Kind::Binary, try_binary(op, x, x).is_some()),
            (Kind::Ternary, try_ternary(op, x, x, x).is_some()),
            (Kind::Test, try_test(op, x).is_some()),
            (Kind::Shift, try_shift(op, x, 1).is_some()),
            (Kind::Splat, try_splat(op, 7).is_some()),
        ]
        .into_iter()
        .filter_map(|(k, some)| some.then_some(k))
        .collect();
        assert_eq!(handled, [kind_from_signature(op)], "{op:?}");

        // And by exactly one family: the dispatch takes the first family that answers,
        // so a second one would be silently ignored.
        use super::{bitwise, compare, convert, float, integer, relaxed, shuffle};
        let families: Vec<&str> = [
            ("bitwise", bitwise::try_unary(op, x).is_some()),
            ("bitwise", bitwise::try_binary(op, x, x).is_some()),
            ("bitwise", bitwise::try_ternary(op, x, x, x).is_some()),
            ("integer", integer::try_unary(op, x).is_some()),
            ("integer", integer::try_binary(op, x, x).is_some()),
            ("integer", integer::try_shift(op, x, 1).is_some()),
            ("float", float::try_unary(op, x).is_some()),
            ("float", float::try_binary(op, x, x).is_some()),
            ("compare", compare::try_binary(op, x, x).is_some()),
            ("compare", compare::try_test(op, x).is_some()),
            ("convert", convert::try_unary(op, x).is_some()),
            ("convert", convert::try_binary(op, x, x).is_some()),
            ("shuffle", shuffle::try_binary(op, x, x).is_some()),
            ("shuffle", shuffle::try_splat(op, 7).is_some()),
            ("relaxed", relaxed::try_binary(op, x, x).is_some()),
            ("relaxed", relaxed::try_ternary(op, x, x, x).is_some()),
        ]
        .into_iter()
        .filter_map(|(f, some)| some.then_some(f))
        .collect();
        assert_eq!(families.len(), 1, "{op:?} is answered by {families:?}");
    }
}

#[test]
fn wrong_kind_gives_zero() {
    let x = u128::MAX;
    assert_eq!(unary(SimdOp::I8x16Add, x), 0);
    assert_eq!(binary(SimdOp::V128Not, x, x), 0);
    assert_eq!(ternary(SimdOp::I8x16Add, x, x, x), 0);
    assert_eq!(test(SimdOp::V128Not, x), 0);
    assert_eq!(shift(SimdOp::I8x16Add, x, 1), 0);
    assert_eq!(splat(SimdOp::I8x16Add, 1), 0);
}
