//! What running a script produces: a [`FileReport`] with pass and fail counts per
//! command kind ([`KindCount`]), every [`Failure`] with its line and reason, and the
//! passes whose message differed ([`MsgMismatch`]). Plain data that the runner fills
//! in; nothing here parses or runs a script.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// One failed command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// 1-based line of the command in the script.
    pub line: usize,
    /// The command kind, e.g. `"assert_return"`.
    pub kind: &'static str,
    pub reason: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.kind, self.reason)
    }
}

/// A command that passed by error kind but whose message differs from the script's
/// (the scripts carry the reference interpreter's wording).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgMismatch {
    pub line: usize,
    pub kind: &'static str,
    pub expected: String,
    pub actual: String,
}

impl fmt::Display for MsgMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}: {}: expected message {:?}, got {:?}",
            self.line, self.kind, self.expected, self.actual
        )
    }
}

/// Pass and fail counts of one command kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KindCount {
    pub passed: usize,
    pub failed: usize,
}

/// The outcome of one script.
#[derive(Clone, Debug, Default)]
pub struct FileReport {
    /// The script's name as given to [`run_str`](crate::run_str) (the path for
    /// [`run_file`](crate::run_file)).
    pub name: String,
    pub passed: usize,
    pub failed: usize,
    /// Counts per command kind.
    pub kinds: BTreeMap<&'static str, KindCount>,
    pub failures: Vec<Failure>,
    /// Passed commands whose error message differs from the expected one.
    pub msg_mismatches: Vec<MsgMismatch>,
    /// `assert_malformed` (and `assert_malformed_custom`) commands that passed because
    /// the text did not encode (the `wast` crate rejected it before tern saw any bytes).
    pub text_malformed: usize,
    /// How long the script took.
    pub elapsed: Duration,
}

impl FileReport {
    pub(crate) fn new(name: &str) -> FileReport {
        FileReport {
            name: name.to_string(),
            ..FileReport::default()
        }
    }

    pub(crate) fn pass(&mut self, kind: &'static str) {
        self.passed += 1;
        self.kinds.entry(kind).or_default().passed += 1;
    }

    pub(crate) fn fail(&mut self, line: usize, kind: &'static str, reason: impl Into<String>) {
        self.failed += 1;
        self.kinds.entry(kind).or_default().failed += 1;
        self.failures.push(Failure {
            line,
            kind,
            reason: reason.into(),
        });
    }

    /// Whether every command passed.
    pub fn ok(&self) -> bool {
        self.failed == 0
    }
}
