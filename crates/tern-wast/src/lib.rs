//! The spec-script runner: executes `.wast` scripts against tern and counts outcomes.
