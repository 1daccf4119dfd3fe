//! repurpose: write a post once in Markdown, get a variant for every venue.
//!
//! The post is parsed once (`post`), rendered into body formats (`render`) and through one
//! Tera template per venue output (`venue`, `context`), then written (`build`, `output`).

pub mod build;
pub mod cli;
pub mod config;
pub mod context;
pub mod date;
pub mod error;
pub mod filters;
pub mod init;
pub mod inputs;
pub mod manifest;
pub mod output;
pub mod parse;
pub mod post;
pub mod progress;
pub mod render;
pub mod slug;
pub mod venue;
pub mod venues;
pub mod watch;

use std::fmt;
use std::path::PathBuf;

use anyhow::Result;

use cli::{Cli, Command, SourceArgs};

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

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    match cli.command {
        Command::Build(args) => build::run(&build::BuildOptions::from_args(&args)?),
        Command::Venues(args) => {
            let templates = sources(&args.sources)?;
            venues::run(templates.as_deref(), args.json)
        }
        Command::Init(args) => init::run(&args.dir),
        Command::Watch(args) => watch::run(&args),
    }
}

/// The templates folder: as given (it must exist), else the configuration file's
/// `templates`, else `./templates` when it exists.
fn sources(args: &SourceArgs) -> Result<Option<PathBuf>> {
    let config = config::Config::discover(args.config.as_deref())?;
    config.templates_dir(args.templates.as_deref())
}

/// Prints one problem on stderr, with its whole cause chain.
pub fn report(err: &anyhow::Error) {
    eprintln!("error: {err:#}");
}
