//! The command line: what users type, with help that teaches.

use std::path::PathBuf;

use clap::{Args, ColorChoice, Parser, Subcommand};

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
repurpose check posts/               what each venue will lose, nothing written\n  \
repurpose venues                     what it can target\n  \
repurpose preview post.md --open     every venue of a post side by side\n  \
repurpose watch posts/               rebuild on every save\n  \
repurpose publish post.md --plan     what publishing would send where\n  \
repurpose status                     what is published, stale or incomplete\n  \
repurpose init my-blog               templates, config and a post to start from\n  \
repurpose new \"My next post\"         a post to write, front matter filled in",
    propagate_version = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Print only errors: no progress, warnings or summary
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// Say more: each up-to-date post, the configuration and templates used
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub verbose: bool,

    /// Colour `error:` and `warning:` on stderr: auto (when stderr is a terminal and
    /// NO_COLOR is not set), always or never
    #[arg(
        long,
        value_name = "WHEN",
        global = true,
        default_value = "auto",
        help_heading = "Global options"
    )]
    pub color: ColorChoice,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Render every venue for each post into <OUT>/<slug>/.
    #[command(
        display_order = 2,
        long_about = "Render every venue for each post into <OUT>/<slug>/, one file per venue \
output, and list everything written in <OUT>/manifest.json.\n\n\
INPUT is a post file or a folder, walked for *.md and *.markdown (hidden folders and the \
output folder are skipped). A post that fails is reported with its file and line and the \
others are still built; the exit code is then 1.\n\n\
Posts are built in parallel. A post whose source, templates, configuration and venues are \
unchanged since the last build (as <OUT>/manifest.json records them) is skipped; files \
whose content did not change are not rewritten.\n\n\
With --stdout, one post's output is printed instead of written (to pipe into a clipboard \
tool): the selection must come to one file, so name the venue (--venue forum) or, for a \
venue with several files, the file (--file newsletter.txt).",
        after_help = "Examples:\n  \
repurpose build post.md\n  \
repurpose build posts/ drafts/extra.md -o public\n  \
repurpose build post.md --venue forum --venue newsletter\n  \
repurpose build posts/ --force            rebuild everything\n  \
repurpose build posts/ --clean            also remove outputs of deleted posts\n  \
repurpose build post.md --venue forum --stdout | wl-copy\n  \
repurpose build post.md --stdout --file newsletter.txt\n  \
repurpose build post.md -t my-templates --config site.yaml"
    )]
    Build(BuildCommand),
    /// Report what each venue will lose of each post, without writing anything.
    #[command(
        display_order = 3,
        long_about = "Render every post for every venue in memory, write nothing, and report \
what each venue will make of it:\n\n\
- outputs over their template's `max_chars` / `max_words` (warning) or past 90% of it (note); \
characters are Unicode scalar values over the whole output file, words are counted in the \
text a reader sees (HTML and BBCode tags left out);\n\
- email HTML (body format `email`, the newsletter) over about 102 KB, where Gmail clips a \
message;\n\
- every construct a venue degrades or drops, with its line: a table in the forum, raw HTML in \
the newsletter, strikethrough in plain text… (a warning when something is lost, a note when \
it is only shown another way); each venue only for what it shows, venue-only blocks for \
other venues left out;\n\
- relative links while no `site.url` (or `canonical_url`) is known, empty links, script URLs, \
images without alt text, footnotes defined twice;\n\
- front matter a venue would use: no `summary`, no closing `question` (notes); a key one \
letter from a known one, like `titel` (warning);\n\
- venue names in `<!-- venue: … -->` blocks or a `venues:` map that are not venues here.\n\n\
Findings are printed one per line on stdout (`warning: post.md:41: table rendered as \
preformatted text in forum`), grouped per post then venue; errors and the summary go to \
stderr. `build` prints the same warnings for the posts it builds.\n\n\
Exit status: 0 when nothing failed, 1 when a post or template failed (or, with --strict, \
when there is any warning), 2 on a usage error.",
        after_help = "Examples:\n  \
repurpose check post.md\n  \
repurpose check posts/ --venue forum          only what the forum loses\n  \
repurpose check posts/ --strict               exit 1 on any warning (for CI)\n  \
repurpose check posts/ --json | jq '.[].diagnostics[] | select(.level == \"warning\")'"
    )]
    Check(CheckArgs),
    /// List the venues: name, files written, description, source.
    #[command(
        display_order = 8,
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
        display_order = 9,
        long_about = "Write the built-in templates into DIR/templates/ (to edit or copy into \
new venues), a commented DIR/repurpose.yaml and an example post DIR/posts/example.md. \
Existing files are never overwritten: if any of them exists, nothing is written.",
        after_help = "Examples:\n  \
repurpose init            into the current folder\n  \
repurpose init my-blog    into my-blog/ (created if needed)"
    )]
    Init(InitArgs),
    /// Start a post: posts/<slug>.md with its front matter filled in.
    #[command(
        display_order = 1,
        long_about = "Write a new post, DIR/<slug>.md, with its front matter filled in: the title, \
today's date, the author (`site.author` from the configuration), and empty tags, summary and \
question, each with a comment saying what it does. The slug comes from the title, as `build` \
would make it, unless --slug gives one. An existing file is never overwritten.\n\n\
Prints the path of the file written on stdout, so it can go straight to an editor.",
        after_help = "Examples:\n  \
repurpose new \"Small audiences, long echoes\"     writes posts/small-audiences-long-echoes.md\n  \
repurpose new \"Notes: week 12\" --slug week-12\n  \
repurpose new \"Launch day\" --dir drafts\n  \
$EDITOR \"$(repurpose new 'Why I write')\""
    )]
    New(NewArgs),
    /// Print a shell completion script.
    #[command(
        display_order = 10,
        long_about = "Print the completion script for SHELL on stdout: subcommands, options and \
their values complete on Tab.",
        after_help = "Examples:\n  \
repurpose completions bash > ~/.local/share/bash-completion/completions/repurpose\n  \
repurpose completions zsh > ~/.zfunc/_repurpose        (with fpath+=~/.zfunc in .zshrc)\n  \
repurpose completions fish > ~/.config/fish/completions/repurpose.fish\n  \
repurpose completions powershell >> $PROFILE"
    )]
    Completions(CompletionsArgs),
    /// Print the man page, or write one page per command with --dir.
    #[command(
        display_order = 11,
        long_about = "Print the manual page of repurpose (roff) on stdout; with --dir, write it as \
DIR/repurpose.1 beside one page per subcommand (repurpose-build.1 and the others), for a \
man folder.",
        after_help = "Examples:\n  \
repurpose man | man -l -\n  \
repurpose man --dir ~/.local/share/man/man1"
    )]
    Man(ManArgs),
    /// Write <OUT>/<slug>/index.html: one post's venues side by side, to look at.
    #[command(
        display_order = 4,
        long_about = "Render every venue of one post, the way `build` does, and write one page \
showing them side by side: <OUT>/<slug>/index.html. HTML venues are shown in sandboxed frames \
(no scripts), the forum's BBCode as a forum would show it and as written, text and Markdown \
as written. Each output has its characters, words and bytes, against the `max_chars` and \
`max_words` limits of its template header.\n\n\
Only the page is written, atomically; the venue files are not. The page is not listed in \
<OUT>/manifest.json, so `build` never reports it as stale nor removes it. The page has no \
scripts and loads nothing of its own; the frames load only what the venues link by absolute \
http(s) URL, such as the post's images. With --open it is opened in the desktop \
browser ($BROWSER when set); when there is none, the path is printed to open yourself.",
        after_help = "Examples:\n  \
repurpose preview posts/my-post.md            writes out/my-post/index.html\n  \
repurpose preview posts/my-post.md --open     and opens it in the browser\n  \
repurpose preview post.md --venue forum --venue blog\n  \
repurpose preview post.md -o public -t my-templates --config site.yaml"
    )]
    Preview(PreviewArgs),
    /// Send posts to the targets under `publish:` in repurpose.yaml, after showing the plan.
    #[command(
        display_order = 6,
        long_about = "Send each post to the places named under `publish:` in repurpose.yaml \
(a WordPress blog, a newsletter by email, a Mastodon or Bluesky thread, a Discourse topic, a \
dev.to article), after printing the plan: per post and target, create, update, resume, \
unchanged, or impossible (with why). With --plan, print the plan and send nothing.\n\n\
What was sent where is recorded in the ledger, repurpose.ledger beside repurpose.yaml, line \
by line as each send succeeds; commit it. A post already sent is updated in place when it \
changed (a blog post) and left alone when it did not. A newsletter is sent once per post: one \
email per subscriber, several posts in one run making one issue; a send stopped part-way \
resumes with the subscribers left, and never sends to anyone twice: a subscriber the run was \
sending to when it stopped is reported as uncertain, and sent to again only with \
--resend-uncertain. Without a ledger (a fresh clone), a blog post is looked up on the site by \
the mark repurpose leaves in it before one is created.\n\n\
A thread is cut to the network's own limits (Mastodon's are read from the instance) and \
checked before any part is sent; each part replies to the one before, and a thread stopped \
at part k resumes at k. A part whose answer was lost is looked up before it is sent again. \
Parts changed since are edited in place on Mastodon; Bluesky shows no edits, so they are \
reported and left. A Discourse topic (by its external id) and a dev.to article (by the mark \
in it) are found again without the ledger.\n\n\
Secrets come only from the environment variables the targets name (`password_env`, \
`username_env`, `token_env`); they are never written to the ledger, the output or an \
error.\n\n\
POST is a post file or a folder of posts; with none, every post the ledger records.\n\n\
Exit status: 0 when every step was done, 1 when a step was impossible or failed, a newsletter \
subscriber is left to retry or uncertain, 2 on a usage error.",
        after_help = "Examples:\n  \
repurpose publish posts/hello.md --plan      what would happen, nothing sent\n  \
repurpose publish posts/hello.md             do it\n  \
repurpose publish posts/ --target blog       only the blog\n  \
repurpose publish posts/hello.md --eml outbox   the newsletter as .eml files\n  \
repurpose publish --plan --json | jq '.steps[] | select(.action != \"unchanged\")'"
    )]
    Publish(PublishArgs),
    /// Per post and target: never published, current, stale (and why), or incomplete.
    #[command(
        display_order = 7,
        long_about = "Compare each post as it is now with what the ledger (repurpose.ledger, \
beside repurpose.yaml) says was sent, per publish target: never published; current; stale, \
when the post or its output (templates, configuration) changed since it was sent; or \
incomplete, when a newsletter send stopped part-way (with how many subscribers got it, are \
left, were refused, or are uncertain: a message the server may have taken just as the run \
was stopped, which is never resent) or a thread stopped before its last part. Asks no \
service: only local files are read.\n\n\
POST is a post file or a folder of posts; with none, every post the ledger records.",
        after_help = "Examples:\n  \
repurpose status\n  \
repurpose status posts/hello.md --target news\n  \
repurpose status --json | jq '.[] | select(.state == \"stale\")'"
    )]
    Status(StatusArgs),
    /// Build, then rebuild whenever a post, a template or the configuration changes.
    #[command(
        display_order = 5,
        long_about = "Build like `repurpose build`, then keep watching: whenever a post, a \
template (in the templates folder) or the configuration file changes, read the templates and \
configuration again and rebuild. Only posts whose inputs changed are rendered again (as \
<OUT>/manifest.json records them); files written to <OUT> never trigger a rebuild.\n\n\
Each rebuild prints one line saying what changed and what was built. A broken edit (bad \
YAML, a template that does not compile) prints its error and the watcher keeps running; \
saving a fix rebuilds. Ctrl-C stops it (exit 0).\n\n\
Takes the same options as `build`; `--force` applies to the first build.",
        after_help = "Examples:\n  \
repurpose watch posts/\n  \
repurpose watch post.md --venue forum\n  \
repurpose watch posts/ -o public -t my-templates --config site.yaml"
    )]
    Watch(BuildArgs),
}

/// Where templates and configuration come from.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Folder of templates (<venue>.<ext>.tera) adding to or replacing the built-ins
    /// [default: the configuration's `templates`, else ./templates when it exists]
    #[arg(short, long, value_name = "DIR")]
    pub templates: Option<PathBuf>,

    /// Configuration file: the site, default folders and venues, per-venue settings
    /// [default: ./repurpose.yaml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// What `repurpose build` and `repurpose watch` both take.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Post files (.md, .markdown) or folders of posts
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Output folder [default: the configuration's `out`, else out]
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Only this venue (repeatable); `repurpose venues` lists them
    /// [default: the configuration's `default_venues`, else every venue]
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

/// `repurpose build`: what `watch` takes, and printing one output instead of writing.
#[derive(Debug, Args)]
pub struct BuildCommand {
    #[command(flatten)]
    pub build: BuildArgs,

    /// Print the output on stdout instead of writing files (nothing is written, not even the
    /// manifest); needs one post and one output file: choose with --venue or --file
    #[arg(long, conflicts_with_all = ["clean", "force"])]
    pub stdout: bool,

    /// With --stdout: the output file to print, by file name (e.g. newsletter.txt)
    #[arg(long, value_name = "NAME", requires = "stdout")]
    pub file: Option<String>,
}

/// `repurpose check`
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Post files (.md, .markdown) or folders of posts
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,

    /// Only this venue (repeatable); `repurpose venues` lists them [default: the
    /// configuration's `default_venues`, else all]
    #[arg(long = "venue", value_name = "NAME")]
    pub venues: Vec<String>,

    /// Print a JSON array (one object per post) instead of lines
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when there is any warning, not only on errors
    #[arg(long)]
    pub strict: bool,

    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `repurpose preview`
#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// The post file (.md, .markdown)
    #[arg(value_name = "POST")]
    pub post: PathBuf,

    /// Output folder; the page goes to <OUT>/<slug>/index.html [default: the configuration's
    /// `out`, else out]
    #[arg(short, long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Only this venue (repeatable); `repurpose venues` lists them [default: the
    /// configuration's `default_venues`, else all]
    #[arg(long = "venue", value_name = "NAME")]
    pub venues: Vec<String>,

    /// Open the page in the desktop browser ($BROWSER when set)
    #[arg(long)]
    pub open: bool,

    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `repurpose publish`
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// Post files (.md, .markdown) or folders of posts [default: every post the ledger
    /// records]
    #[arg(value_name = "POST")]
    pub posts: Vec<PathBuf>,

    /// Only this target of `publish:` (repeatable) [default: every target]
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Print the plan and send nothing
    #[arg(long)]
    pub plan: bool,

    /// Write the newsletter's messages into DIR as .eml files instead of sending them
    /// (nothing is sent to any target, nothing is recorded)
    #[arg(long, value_name = "DIR", conflicts_with = "plan")]
    pub eml: Option<PathBuf>,

    /// Update blog posts, topics and articles even where they were edited on the site since
    /// they were sent (those edits are lost; without it such a post is left alone and the
    /// step is impossible)
    #[arg(long)]
    pub overwrite: bool,

    /// Also send to the newsletter subscribers a stopped run left uncertain (the server may
    /// have taken their message just as the run stopped: check your mail server's log first)
    #[arg(long)]
    pub resend_uncertain: bool,

    /// Print JSON (the plan's steps, and what became of each) instead of lines
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub sources: SourceArgs,
}

/// `repurpose status`
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Post files (.md, .markdown) or folders of posts [default: every post the ledger
    /// records]
    #[arg(value_name = "POST")]
    pub posts: Vec<PathBuf>,

    /// Only this target of `publish:` (repeatable) [default: every target]
    #[arg(long = "target", value_name = "NAME")]
    pub targets: Vec<String>,

    /// Print a JSON array (one object per post and target) instead of lines
    #[arg(long)]
    pub json: bool,

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

/// `repurpose new`
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The post's title (it may start with `-`: `repurpose new "-30% on everything"`)
    #[arg(value_name = "TITLE", allow_hyphen_values = true)]
    pub title: String,

    /// Folder to write the post into (created if needed)
    #[arg(long, value_name = "DIR", default_value = "posts")]
    pub dir: PathBuf,

    /// The post's slug: its file name and output folder [default: from the title]
    #[arg(long, value_name = "SLUG")]
    pub slug: Option<String>,

    /// Configuration file; its `site.author` is the post's author
    /// [default: ./repurpose.yaml when it exists]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `repurpose completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `repurpose man`
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write repurpose.1 and a page per subcommand into this folder instead
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
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
