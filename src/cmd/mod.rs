//! The commands: each presents or persists what the pipeline makes of the posts, and none
//! imports another.

pub mod build;
pub mod check;
pub mod completions;
pub mod init;
pub mod man;
pub mod new;
pub mod preview;
pub mod print;
pub mod publish;
pub mod venues;
pub mod watch;

use anyhow::Result;

use crate::cli::BuildArgs;
use crate::config::Config;
use crate::pipeline::BuildOptions;

/// The options `build` and `watch` run with: the command line over the configuration
/// file (read afresh on each call) over the defaults.
pub fn build_options(args: &BuildArgs) -> Result<BuildOptions> {
    let config = Config::discover(args.sources.config.as_deref(), &args.inputs)?;
    Ok(BuildOptions {
        inputs: args.inputs.clone(),
        out: config.out_dir(args.out.as_deref()),
        templates: config.templates_dir(args.sources.templates.as_deref())?,
        venues: args.venues.clone(),
        config,
        force: args.force,
        clean: args.clean,
        post_lines: true,
    })
}
