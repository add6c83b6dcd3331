#![no_main]
//! See `fuzz/README.md` and `tern_fuzz::decode_validate`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    tern_fuzz::decode_validate(data);
});
