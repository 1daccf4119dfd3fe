//! `repurpose build`: every venue for each post, into `<out>/<slug>/`, and a summary line.

use anyhow::Result;

use crate::pipeline::BuildOptions;
use crate::status::Status;

/// Builds every post and prints the summary; problems are reported as they happen and
/// the others still built.
pub fn run(opts: &BuildOptions) -> Result<Status> {
    opts.config.warn();
    let summary = crate::pipeline::build(opts)?;
    crate::shell::status(&summary);
    Ok(summary.status())
}
