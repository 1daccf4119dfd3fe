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
pub mod thread;
pub mod venue;
pub mod venues;

use std::fmt;
use std::path::{Path, PathBuf};

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
        Command::Build(args) => {
            let (templates, config) = sources(&args.sources)?;
            build::run(&build::BuildOptions {
                inputs: args.inputs,
                out: args.out,
                templates,
                venues: args.venues,
                config,
                force: args.force,
                clean: args.clean,
            })
        }
        Command::Venues(args) => {
            let (templates, _) = sources(&args.sources)?;
            venues::run(templates.as_deref(), args.json)
        }
        Command::Init(args) => init::run(&args.dir),
    }
}

/// The templates folder and configuration file: as given (they must exist), else the
/// defaults in the current folder when they exist.
fn sources(args: &SourceArgs) -> Result<(Option<PathBuf>, Option<PathBuf>)> {
    let templates = match &args.templates {
        Some(dir) if !dir.is_dir() => {
            anyhow::bail!("templates folder `{}` does not exist", dir.display())
        }
        Some(dir) => Some(dir.clone()),
        None => Some(PathBuf::from("templates")).filter(|d| d.is_dir()),
    };
    let config = match &args.config {
        Some(file) if !file.is_file() => {
            anyhow::bail!("configuration file `{}` does not exist", file.display())
        }
        Some(file) => Some(file.clone()),
        None => Some(PathBuf::from("repurpose.yaml")).filter(|f| Path::new(f).is_file()),
    };
    Ok((templates, config))
}

/// Prints one problem on stderr, with its whole cause chain.
pub fn report(err: &anyhow::Error) {
    eprintln!("error: {err:#}");
}
