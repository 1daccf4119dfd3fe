//! How a run ended: the exit status, and the usage error found after the command line was
//! parsed (exit 2).

use std::fmt;

/// How a run ended, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything worked: exit 0.
    Success,
    /// Something was reported and skipped; the rest was done: exit 1.
    Failure,
}

/// A usage error found after argument parsing (an unknown venue name): exit 2.
#[derive(Debug)]
pub struct Usage(pub String);

impl fmt::Display for Usage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}
