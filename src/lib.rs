//! repurpose: write a post once in Markdown, get a variant for every venue.
//!
//! Every command (`cmd`, one module each) goes through one pipeline (`pipeline`): a session
//! set up once (configuration, templates, venues), then each post parsed once (`post`),
//! rendered into body formats (`render`) and through one Tera template per venue output
//! (`venue`, `context`), with what each venue loses found beside it (`findings`); `build`
//! writes the outputs (`pipeline::build`, `output`, `manifest`).

pub mod cli;
pub mod cmd;
pub mod config;
pub mod context;
pub mod date;
pub mod error;
pub mod filters;
pub mod findings;
pub mod hash;
pub mod inputs;
pub mod manifest;
pub mod markdown;
pub mod media;
pub mod output;
pub mod pipeline;
pub mod post;
pub mod progress;
pub mod publish;
pub mod render;
pub mod shell;
pub mod slug;
pub mod status;
pub mod suggest;
pub mod thread;
pub mod venue;
pub mod yaml;

use std::path::PathBuf;

use anyhow::Result;

use cli::{Cli, Command, SourceArgs};
pub use status::{Status, Usage};

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<Status> {
    shell::init(
        match (cli.quiet, cli.verbose) {
            (true, _) => shell::Verbosity::Quiet,
            (false, true) => shell::Verbosity::Verbose,
            (false, false) => shell::Verbosity::Normal,
        },
        cli.color,
    );
    match cli.command {
        Command::Build(args) => {
            let opts = cmd::build_options(&args.build)?;
            if args.stdout {
                cmd::print::run(&opts, args.file.as_deref())
            } else {
                cmd::build::run(&opts)
            }
        }
        Command::Check(args) => {
            let config = config::Config::discover(args.sources.config.as_deref(), &args.inputs)?;
            shell::detail(config.describe());
            cmd::check::run(&cmd::check::CheckOptions {
                inputs: args.inputs,
                templates: config.templates_dir(args.sources.templates.as_deref())?,
                venues: args.venues,
                config,
                json: args.json,
                strict: args.strict,
            })
        }
        Command::Venues(args) => {
            let templates = sources(&args.sources)?;
            cmd::venues::run(templates.as_deref(), args.json)
        }
        Command::Init(args) => cmd::init::run(&args.dir),
        Command::New(args) => cmd::new::run(&cmd::new::NewOptions {
            title: args.title,
            dir: args.dir,
            slug: args.slug,
            config: config::Config::discover(args.config.as_deref(), &[])?,
        }),
        Command::Completions(args) => cmd::completions::run(args.shell),
        Command::Man(args) => cmd::man::run(args.dir.as_deref()),
        Command::Preview(args) => {
            let config = config::Config::discover(
                args.sources.config.as_deref(),
                std::slice::from_ref(&args.post),
            )?;
            shell::detail(config.describe());
            cmd::preview::run(&cmd::preview::PreviewOptions {
                post: args.post,
                out: config.out_dir(args.out.as_deref()),
                templates: config.templates_dir(args.sources.templates.as_deref())?,
                venues: args.venues,
                config,
                open: args.open,
            })
        }
        Command::Watch(args) => cmd::watch::run(&args),
        Command::Publish(args) => {
            let config = config::Config::discover(args.sources.config.as_deref(), &args.posts)?;
            shell::detail(config.describe());
            cmd::publish::run(&cmd::publish::PublishOptions {
                posts: args.posts,
                targets: args.targets,
                templates: config.templates_dir(args.sources.templates.as_deref())?,
                config,
                json: args.json,
                plan_only: args.plan,
                eml: args.eml,
                resend_uncertain: args.resend_uncertain,
                overwrite: args.overwrite,
            })
        }
        Command::Status(args) => {
            let config = config::Config::discover(args.sources.config.as_deref(), &args.posts)?;
            shell::detail(config.describe());
            cmd::publish::status(&cmd::publish::PublishOptions {
                posts: args.posts,
                targets: args.targets,
                templates: config.templates_dir(args.sources.templates.as_deref())?,
                config,
                json: args.json,
                plan_only: true,
                eml: None,
                resend_uncertain: false,
                overwrite: false,
            })
        }
    }
}

/// The templates folder: as given (it must exist), else the configuration file's
/// `templates`, else `./templates` when it exists (`venues` has no inputs to look above).
fn sources(args: &SourceArgs) -> Result<Option<PathBuf>> {
    let config = config::Config::discover(args.config.as_deref(), &[])?;
    config.templates_dir(args.templates.as_deref())
}
