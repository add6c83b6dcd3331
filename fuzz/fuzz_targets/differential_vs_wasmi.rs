#![no_main]
//! See `fuzz/README.md` and `tern_fuzz::differential_vs_wasmi`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_fuzz::differential_vs_wasmi(data);
});
