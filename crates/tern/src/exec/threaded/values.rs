//! Values: how a slot's `u64` is read as the value an instruction computes with
//! (`f32_of`, `i32v`, ...) and how a result is written back (`of_f32`, `w32`, `b`,
//! ...). A slot holds an i32 in its low 32 bits (the high bits are zero when written
//! here), an f32 as its bit pattern in the low 32 bits, an i64, f64 or reference in
//! all 64.
//!
//! Pure conversions, every one inlined: this room knows nothing of the interpreter's
//! state, frames, memories or dispatch.

#[inline(always)]
pub(super) fn f32_of(v: u64) -> f32 {
    f32::from_bits(v as u32)
}
#[inline(always)]
pub(super) fn f64_of(v: u64) -> f64 {
    f64::from_bits(v)
}
#[inline(always)]
pub(super) fn of_f32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
pub(super) fn of_f64(v: f64) -> u64 {
    v.to_bits()
}
#[inline(always)]
pub(super) fn i32v(v: u64) -> i32 {
    v as i32
}
#[inline(always)]
pub(super) fn u32v(v: u64) -> u32 {
    v as u32
}
#[inline(always)]
pub(super) fn i64v(v: u64) -> i64 {
    v as i64
}
#[inline(always)]
pub(super) fn u64v(v: u64) -> u64 {
    v
}
#[inline(always)]
pub(super) fn b(v: bool) -> u64 {
    v as u64
}
#[inline(always)]
pub(super) fn w32(v: u32) -> u64 {
    v as u64
}
#[inline(always)]
pub(super) fn ws32(v: i32) -> u64 {
    v as u32 as u64
}
