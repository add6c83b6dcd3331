//! Harness (a): arbitrary bytes into the decoder and the validator. Neither may panic,
//! hang or allocate without bound (the fuzzer's `-timeout` and `-rss_limit_mb` catch the
//! last two), and every error must point inside the input.

/// What tern made of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeOutcome {
    Malformed,
    Invalid,
    Unsupported,
    Valid,
}

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// Decodes and validates `bytes`. Input that does not start with the wasm magic is also
/// tried with the magic and version prepended, so that random bytes reach the section
/// decoder. Returns the outcome of the last attempt.
pub fn decode_validate(bytes: &[u8]) -> DecodeOutcome {
    let first = check(bytes);
    if bytes.starts_with(b"\0asm") {
        return first;
    }
    let mut with_header = Vec::with_capacity(HEADER.len() + bytes.len());
    with_header.extend_from_slice(HEADER);
    with_header.extend_from_slice(bytes);
    check(&with_header)
}

fn check(bytes: &[u8]) -> DecodeOutcome {
    let result = tern::binary::decode(bytes)
        .and_then(|module| tern::validate::validate(&module, bytes).map(drop));
    match result {
        Ok(()) => DecodeOutcome::Valid,
        Err(e) => {
            if let Some(offset) = e.offset() {
                assert!(
                    offset <= bytes.len(),
                    "error offset {offset} past the end of a {}-byte input: {e}",
                    bytes.len()
                );
            }
            match e {
                tern::Error::Malformed { .. } => DecodeOutcome::Malformed,
                tern::Error::Invalid { .. } => DecodeOutcome::Invalid,
                tern::Error::Unsupported { .. } => DecodeOutcome::Unsupported,
                other => panic!("decode/validate returned an unexpected error kind: {other:?}"),
            }
        }
    }
}
