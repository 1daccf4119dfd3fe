//! Messages for the person at the terminal: `error:` and `warning:` on stderr, coloured the
//! way cargo colours them, and how much is said (`--quiet`, `--verbose`).
//!
//! Set once from the command line (`init`); every part of a run that talks to the user goes
//! through here, so `--quiet` and `--color` hold everywhere, rayon workers included. What a
//! command exists to print (a table, a path, a venue's output) is its result, not a
//! message: it goes to stdout as it is, whatever the verbosity.

use std::fmt::Display;
use std::io::Write;
use std::sync::OnceLock;

use anstyle::{AnsiColor, Style};

/// How much a run says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only (`--quiet`).
    Quiet,
    /// Errors, warnings, progress and summaries.
    #[default]
    Normal,
    /// All that, and more detail (`--verbose`).
    Verbose,
}

/// The `error:` label: bold red, as cargo's.
const ERROR: Style = AnsiColor::Red.on_default().bold();
/// The `warning:` label: bold yellow, as cargo's.
const WARNING: Style = AnsiColor::Yellow.on_default().bold();

static VERBOSITY: OnceLock<Verbosity> = OnceLock::new();

/// Sets the verbosity and when stderr gets colours, once, before anything is printed.
/// `auto` colours only a terminal, and never when `NO_COLOR` is set; `always` and `never`
/// win over the environment.
pub fn init(verbosity: Verbosity, color: clap::ColorChoice) {
    let _ = VERBOSITY.set(verbosity);
    let choice = match color {
        // Decided once for stderr (NO_COLOR, CLICOLOR_FORCE, a terminal), not at every
        // message: a build of thousands of posts may print thousands of warnings.
        clap::ColorChoice::Auto => anstream::AutoStream::choice(&std::io::stderr()),
        clap::ColorChoice::Always => anstream::ColorChoice::Always,
        clap::ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// The run's verbosity (`Normal` until `init`).
pub fn verbosity() -> Verbosity {
    VERBOSITY.get().copied().unwrap_or_default()
}

/// Whether `--quiet` was given.
pub fn is_quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

/// Whether `--verbose` was given.
pub fn is_verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

/// Prints one problem on stderr, with its whole cause chain.
pub fn report(err: &anyhow::Error) {
    error(format!("{err:#}"));
}

/// Prints `error: message` on stderr, whatever the verbosity.
pub fn error(message: impl Display) {
    labelled(ERROR, "error", &message);
}

/// Prints `warning: message` on stderr, unless `--quiet`.
pub fn warning(message: impl Display) {
    if !is_quiet() {
        labelled(WARNING, "warning", &message);
    }
}

/// Prints a line about the run on stderr (a summary, a file removed), unless `--quiet`.
pub fn status(message: impl Display) {
    if !is_quiet() {
        line(&format!("{message}\n"));
    }
}

/// Prints a line of detail on stderr, only with `--verbose`.
pub fn detail(message: impl Display) {
    if is_verbose() {
        line(&format!("{message}\n"));
    }
}

fn labelled(style: Style, label: &str, message: &dyn Display) {
    line(&format!("{style}{label}:{style:#} {message}\n"));
}

/// Writes one whole message at once, so lines from parallel workers never interleave; the
/// stream drops the colour codes when colours are off. A closed stderr is ignored: there is
/// nowhere left to report it.
fn line(text: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

/// Writes a command's result (a venue's output, a script, a page) on stdout. A reader that
/// stops early (`| head`) is no error of ours.
pub fn stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::Error::new(e).context("failed to write to stdout"))
        }
        _ => Ok(()),
    }
}
