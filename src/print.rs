//! `repurpose build --stdout`: one post's one output file, printed instead of written.
//!
//! The same selection and rendering as `build` (`build::select`, `build::render_output`), so
//! the bytes are those `build` would write; nothing is written, not even the manifest.

use anyhow::Result;

use crate::build::{self, BuildOptions};
use crate::context::Renders;
use crate::post::{Editions, Post};
use crate::venue::{Output, Venue};
use crate::{Status, Usage, report, shell};

/// Prints the one output file `opts` and `file` (a file name, from `--file`) select.
pub fn run(opts: &BuildOptions, file: Option<&str>) -> Result<Status> {
    let config = &opts.config;
    shell::detail(config.describe());
    config.warn();
    let catalog = build::catalog(opts.templates.as_deref(), config)?;
    for err in &catalog.errors {
        report(err);
    }
    let venues = build::chosen_venues(&catalog, config, &opts.venues)?;
    if venues.is_empty() && !catalog.errors.is_empty() {
        // Every venue chosen has a broken template, reported above: nothing to print.
        return Ok(Status::Failure);
    }
    let (output_venue, output) = choose(&venues, file)?;

    let (posts, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    for err in &errors {
        report(err);
    }
    let source = match posts.as_slice() {
        [one] => one,
        [] if !errors.is_empty() => return Ok(Status::Failure),
        [] => {
            return Err(
                Usage("no post to print: the inputs hold no .md or .markdown file".into()).into(),
            );
        }
        many => {
            return Err(Usage(format!(
                "--stdout prints one post, and the inputs hold {}: {}; name one post file",
                many.len(),
                list(many.iter().map(|p| p.display().to_string()))
            ))
            .into());
        }
    };
    let post = Post::load(source)?;
    for warning in &post.warnings {
        shell::warning(warning.located(&post.source));
    }
    for found in crate::findings::unknown_venues(&post, &catalog.all_names()) {
        shell::warning(found.located(&post.source));
    }
    if !post.wants_venue(&output_venue.name) {
        anyhow::bail!(
            "{}: its front matter leaves out venue `{}` (`venues:` or `skip_venues:`), so there is nothing to print",
            post.source.display(),
            output_venue.name
        );
    }
    let editions = Editions::new(&post, [output_venue.name.as_str()]);
    let mut renders = Renders::new(editions.get(&output_venue.name));
    let rendered = build::render_output(
        &mut renders,
        &post,
        output_venue,
        output,
        &catalog,
        &config.site,
    )?;
    shell::stdout(&rendered.bytes)?;
    Ok(if errors.is_empty() && catalog.errors.is_empty() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// The one output file among the selected venues' files, by `file` name when given; a
/// usage error listing the files otherwise.
fn choose<'v>(venues: &[&'v Venue], file: Option<&str>) -> Result<(&'v Venue, &'v Output)> {
    let all: Vec<(&Venue, &Output)> = venues
        .iter()
        .flat_map(|venue| venue.outputs.iter().map(move |output| (*venue, output)))
        .collect();
    let names = || list(all.iter().map(|(_, o)| o.file.clone()));
    match file {
        Some(name) => all
            .iter()
            .find(|(_, o)| o.file == name)
            .copied()
            .ok_or_else(|| {
                Usage(format!(
                    "no output file `{name}` in this selection; its files are: {}",
                    names()
                ))
                .into()
            }),
        None => match all.as_slice() {
            [one] => Ok(*one),
            _ => {
                let example = all.last().map_or("forum.bbcode", |(_, o)| o.file.as_str());
                Err(Usage(format!(
                    "--stdout prints one file, and this selection writes {} files: {}; choose one with --file NAME (e.g. --file {example})",
                    all.len(),
                    names()
                ))
                .into())
            }
        },
    }
}

/// `a, b, c`
fn list(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}
