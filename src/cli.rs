//! The command line: what users type, with help that teaches.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Write a post once in Markdown; get a ready-to-publish variant for every venue.
#[derive(Debug, Parser)]
#[command(
    name = "repurpose",
    version,
    about,
    long_about = "Write a post once in Markdown; get a ready-to-publish variant for every place it \
should appear: a forum thread starter (BBCode), a blog page (HTML), a newsletter section (email \
HTML + plain text), an article draft to expand (Markdown), a topic for Markdown forums, a page \
for a static site (Hugo, Jekyll, Zola) and a numbered thread for Mastodon.\n\n\
Each venue is a Tera template; add a venue by adding a file to templates/.",
    after_help = "Examples:\n  \
repurpose build post.md              every venue into out/<slug>/\n  \
repurpose build posts/ -o public     every post in a folder\n  \
repurpose build post.md --venue forum\n  \
repurpose venues                     what it can target\n  \
repurpose init my-blog               templates, config and a post to start from",
    propagate_version = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every venue for each post into <OUT>/<slug>/.
    #[command(
        long_about = "Render every venue for each post into <OUT>/<slug>/, one file per venue \
output, and list everything written in <OUT>/manifest.json.\n\n\
INPUT is a post file or a folder, walked for *.md and *.markdown (hidden folders and the \
output folder are skipped). A post that fails is reported with its file and line and the \
others are still built; the exit code is then 1.\n\n\
Posts are built in parallel. A post whose source, templates, configuration and venues are \
unchanged since the last build (as <OUT>/manifest.json records them) is skipped; files \
whose content did not change are not rewritten.",
        after_help = "Examples:\n  \
repurpose build post.md\n  \
repurpose build posts/ drafts/extra.md -o public\n  \
repurpose build post.md --venue forum --venue newsletter\n  \
repurpose build posts/ --force            rebuild everything\n  \
repurpose build posts/ --clean            also remove outputs of deleted posts\n  \
repurpose build post.md -t my-templates --config site.yaml"
    )]
    Build(BuildArgs),
    /// List the venues: name, files written, description, source.
    #[command(
        long_about = "List the venues this run would build: each venue's name, the files it \
writes, its description and where its templates come from (built-in, or the path of the \
writer's own template that adds or replaces it).",
        after_help = "Examples:\n  \
repurpose venues\n  \
repurpose venues -t my-templates\n  \
repurpose venues --json | jq '.[].name'"
    )]
    Venues(VenuesArgs),
    /// Start a project: built-in templates, a repurpose.yaml and an example post.
    #[command(
        long_about = "Write the built-in templates into DIR/templates/ (to edit or copy into \
new venues), a commented DIR/repurpose.yaml and an example post DIR/posts/example.md. \
Existing files are never overwritten: if any of them exists, nothing is written.",
        after_help = "Examples:\n  \
repurpose init            into the current folder\n  \
repurpose init my-blog    into my-blog/ (created if needed)"
    )]
    Init(InitArgs),
}

/// Where templates and configuration come from.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Folder of templates (<venue>.<ext>.tera) adding to or replacing the built-ins
    /// [default: ./templates when it exists]
    #[arg(short, long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Configuration file; its `site:` map is `site` in templates
    /// [default: ./repurpose.yaml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `repurpose build`
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Post files (.md, .markdown) or folders of posts
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output folder
    #[arg(short, long, value_name = "DIR", default_value = "out")]
    pub out: PathBuf,

    /// Only this venue (repeatable); `repurpose venues` lists them
    #[arg(long = "venue", value_name = "NAME")]
    pub venues: Vec<String>,

    /// Rebuild every post, even those whose source, templates and configuration did not change
    #[arg(long)]
    pub force: bool,

    /// Remove outputs an earlier build wrote and this one no longer does (a post deleted or
    /// renamed, a venue dropped); only files listed in <OUT>/manifest.json are removed
    #[arg(long)]
    pub clean: bool,

    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `repurpose venues`
#[derive(Debug, Args)]
pub struct VenuesArgs {
    /// Print a JSON array instead of a table
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `repurpose init`
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder to set up
    #[arg(default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
