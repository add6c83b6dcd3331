#![no_main]
//! See `fuzz/README.md` and `tern_fuzz::validate_vs_wasmparser`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_fuzz::validate_vs_wasmparser(data);
});
