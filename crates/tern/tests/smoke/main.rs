//! Smoke tests of the runtime through its public API: one test binary
//! (`cargo test -p tern --test smoke [NAME]`), its tests grouped by what they
//! exercise. Most modules pit an optimization of the compiler or interpreter against
//! a reference written out in Rust. Helpers shared by several modules live in
//! `support.rs`; test modules take names from it and from `tern`, never from each
//! other.

mod support;

mod api;
mod basics;
mod calls;
mod control;
mod deterministic;
mod limits;
mod locals;
mod memory;
mod numeric;
mod stack;
mod tables;
