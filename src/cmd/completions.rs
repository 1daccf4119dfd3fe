//! `repurpose completions <SHELL>`: the shell completion script, from the CLI definition.

use anyhow::Result;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;
use crate::status::Status;

/// Prints the completion script for `shell` on stdout.
pub fn run(shell: Shell) -> Result<Status> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "repurpose", &mut script);
    crate::shell::stdout(&script)?;
    Ok(Status::Success)
}
