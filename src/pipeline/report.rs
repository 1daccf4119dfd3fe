//! The one way commands report: problems (errors) printed and counted, findings printed as
//! `warning: post.md:41: message` (notes only with `--verbose`), each through a sink — stderr
//! itself, or a build's progress bar, which the messages must not tear.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::findings::{Diagnostic, Level};
use crate::progress::Progress;
use crate::status::Status;

use super::{Session, SessionOptions, Unopened};

/// Where messages go.
pub trait Sink {
    /// Prints a problem, with its whole cause chain.
    fn error(&self, err: &anyhow::Error);
    /// Prints a warning (not with `--quiet`).
    fn warning(&self, text: &str);
    /// Prints a line of detail (only with `--verbose`).
    fn detail(&self, text: &str);
}

/// Straight to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Stderr;

impl Sink for Stderr {
    fn error(&self, err: &anyhow::Error) {
        crate::shell::error(format_args!("{err:#}"));
    }

    fn warning(&self, text: &str) {
        crate::shell::warning(text);
    }

    fn detail(&self, text: &str) {
        crate::shell::detail(text);
    }
}

impl Sink for Progress {
    fn error(&self, err: &anyhow::Error) {
        Progress::error(self, err);
    }

    fn warning(&self, text: &str) {
        Progress::warning(self, text);
    }

    fn detail(&self, text: &str) {
        Progress::detail(self, text);
    }
}

/// The problems a run reported: any one makes it exit 1. Shared by parallel workers.
#[derive(Debug, Default)]
pub struct Problems(AtomicUsize);

impl Problems {
    /// Reports `err` through `sink` and counts it.
    pub fn report(&self, sink: &dyn Sink, err: &anyhow::Error) {
        sink.error(err);
        self.add(1);
    }

    /// Reports each of `errors` and counts them.
    pub fn report_all<'e>(
        &self,
        sink: &dyn Sink,
        errors: impl IntoIterator<Item = &'e anyhow::Error>,
    ) {
        for err in errors {
            self.report(sink, err);
        }
    }

    /// Counts `n` problems reported some other way.
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    /// How many were reported.
    pub fn count(&self) -> usize {
        self.0.load(Ordering::Relaxed)
    }

    /// Exit status: a failure when anything was reported.
    pub fn status(&self) -> Status {
        if self.count() == 0 {
            Status::Success
        } else {
            Status::Failure
        }
    }
}

/// Prints findings about the post at `source`: warnings, and notes (shown another way, no
/// loss) only with `--verbose`.
pub fn findings(sink: &dyn Sink, source: &Path, found: &[Diagnostic]) {
    for finding in found {
        match finding.level {
            Level::Warning => sink.warning(&finding.located(source)),
            Level::Note => sink.detail(&finding.line_for(source)),
        }
    }
}

/// Reports the problems found before a run could not be set up, and gives back its error
/// (for the caller to return: it is printed last, and decides the exit code).
pub fn unopened(unopened: Unopened) -> anyhow::Error {
    for err in &unopened.problems {
        Stderr.error(err);
    }
    unopened.error
}

/// Sets a run up for a command: the problems found on the way (a template that does not
/// compile) are printed and counted in `problems`; when the run cannot be set up at all
/// (an unknown `--venue`), they are printed and the error is returned, to be printed last.
pub fn open(options: SessionOptions, problems: &Problems) -> anyhow::Result<Session> {
    let session = Session::open(options).map_err(unopened)?;
    problems.report_all(&Stderr, session.problems());
    Ok(session)
}
