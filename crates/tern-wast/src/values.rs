//! Script values against tern values: which reference family a `ref.null` names,
//! whether a result matches an expected pattern (floats by bit pattern, the
//! `nan:canonical` and `nan:arithmetic` patterns, v128 lanes), and how values and
//! patterns are shown in failure reasons. Pure functions of their arguments: no
//! store, no report.

use tern::Val;
use wast::core::{AbstractHeapType, NanPattern, V128Pattern, WastRetCore};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefFamily {
    Func,
    Extern,
}

pub(crate) fn null_kind(h: &wast::core::HeapType<'_>) -> Option<RefFamily> {
    match h {
        wast::core::HeapType::Abstract { ty, .. } => match ty {
            AbstractHeapType::Func | AbstractHeapType::NoFunc => Some(RefFamily::Func),
            AbstractHeapType::Extern | AbstractHeapType::NoExtern => Some(RefFamily::Extern),
            _ => None,
        },
        wast::core::HeapType::Concrete(_) | wast::core::HeapType::Exact(_) => Some(RefFamily::Func),
    }
}

pub(crate) fn f32_matches(p: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

pub(crate) fn f64_matches(p: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    const QUIET: u64 = 0x7ff8_0000_0000_0000;
    match p {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == QUIET,
        NanPattern::ArithmeticNan => bits & QUIET == QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

pub(crate) fn v128_matches(p: &V128Pattern, v: u128) -> bool {
    let b = v.to_le_bytes();
    match p {
        V128Pattern::I8x16(l) => l.iter().enumerate().all(|(i, x)| *x as u8 == b[i]),
        V128Pattern::I16x8(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| *x as u16 == u16::from_le_bytes([b[2 * i], b[2 * i + 1]])),
        V128Pattern::I32x4(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| *x as u32 == u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap())),
        V128Pattern::I64x2(l) => l
            .iter()
            .enumerate()
            .all(|(i, x)| *x as u64 == u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap())),
        V128Pattern::F32x4(l) => l.iter().enumerate().all(|(i, p)| {
            f32_matches(
                p,
                u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap()),
            )
        }),
        V128Pattern::F64x2(l) => l.iter().enumerate().all(|(i, p)| {
            f64_matches(
                p,
                u64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap()),
            )
        }),
    }
}

/// A value as the scripts write it, with float bit patterns.
pub fn show_val(v: &Val) -> String {
    match v {
        Val::I32(x) => format!("i32.const {x}"),
        Val::I64(x) => format!("i64.const {x}"),
        Val::F32(b) => format!("f32.const {} (0x{b:08x})", f32::from_bits(*b)),
        Val::F64(b) => format!("f64.const {} (0x{b:016x})", f64::from_bits(*b)),
        Val::V128(b) => format!("v128.const 0x{b:032x}"),
        Val::FuncRef(None) => "ref.null func".to_string(),
        Val::FuncRef(Some(_)) => "ref.func".to_string(),
        Val::ExternRef(None) => "ref.null extern".to_string(),
        Val::ExternRef(Some(_)) => "ref.extern".to_string(),
    }
}

fn show_nan<T>(p: &NanPattern<T>, show: impl Fn(&T) -> String) -> String {
    match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => show(v),
    }
}

pub(crate) fn show_ret(e: &WastRetCore<'_>) -> String {
    match e {
        WastRetCore::I32(x) => format!("i32.const {x}"),
        WastRetCore::I64(x) => format!("i64.const {x}"),
        WastRetCore::F32(p) => format!(
            "f32.const {}",
            show_nan(p, |v| format!(
                "{} (0x{:08x})",
                f32::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::F64(p) => format!(
            "f64.const {}",
            show_nan(p, |v| format!(
                "{} (0x{:016x})",
                f64::from_bits(v.bits),
                v.bits
            ))
        ),
        WastRetCore::V128(p) => format!("v128.const {p:?}"),
        WastRetCore::RefNull(_) => "ref.null".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefHost(n) => format!("ref.host {n}"),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::RefAny => "ref.any".to_string(),
        WastRetCore::RefEq => "ref.eq".to_string(),
        WastRetCore::RefArray => "ref.array".to_string(),
        WastRetCore::RefStruct => "ref.struct".to_string(),
        WastRetCore::RefI31 => "ref.i31".to_string(),
        WastRetCore::RefI31Shared => "ref.i31_shared".to_string(),
        WastRetCore::Either(alts) => {
            let a: Vec<String> = alts.iter().map(show_ret).collect();
            format!("either({})", a.join(" | "))
        }
    }
}
