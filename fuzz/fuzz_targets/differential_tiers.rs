#![no_main]
//! See `fuzz/README.md` and `tern_fuzz::differential_tiers`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_fuzz::differential_tiers(data);
});
