//! WASI preview1 for tern, built only on tern's public embedding API.
