//! `repurpose build --stdout`: one post's one output file, printed instead of written.
//!
//! The same session and rendering as `build` (`Session::run_output`), so the bytes are those
//! `build` would write; nothing is written, not even the manifest.

use anyhow::Result;

use crate::pipeline::report::{self as reporting, Problems, Stderr};
use crate::pipeline::{BuildOptions, SessionOptions};
use crate::shell;
use crate::status::{Status, Usage};
use crate::venue::{Output, Venue};

/// Prints the one output file `opts` and `file` (a file name, from `--file`) select.
pub fn run(opts: &BuildOptions, file: Option<&str>) -> Result<Status> {
    shell::detail(opts.config.describe());
    opts.config.warn();
    let problems = Problems::default();
    let session = reporting::open(
        SessionOptions {
            config: opts.config.clone(),
            templates: opts.templates.clone(),
            venues: opts.venues.clone(),
            render_findings: false,
        },
        &problems,
    )?;
    let venues = session.venues();
    if venues.is_empty() && problems.count() > 0 {
        // Every venue chosen has a broken template, reported above: nothing to print.
        return Ok(Status::Failure);
    }
    let chosen = choose(&venues, file)?;

    let (posts, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    problems.report_all(&Stderr, &errors);
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
    let mut run = session.run_output(source, chosen.venue, chosen.output)?;
    reporting::findings(&Stderr, &run.post.source, run.read_findings());
    if !run.wants(&chosen.venue.name) {
        anyhow::bail!(
            "{}: its front matter leaves out venue `{}` (`venues:` or `skip_venues:`), so there is nothing to print",
            run.post.source.display(),
            chosen.venue.name
        );
    }
    if let Some(err) = run.failures.pop() {
        return Err(err);
    }
    for rendered in &run.outputs {
        shell::stdout(&rendered.bytes)?;
    }
    Ok(problems.status())
}

/// The one output file `build --stdout` prints.
#[derive(Debug, Clone, Copy)]
struct Chosen<'v> {
    venue: &'v Venue,
    output: &'v Output,
}

/// The one output file among the selected venues' files, by `file` name when given; a
/// usage error listing the files otherwise.
fn choose<'v>(venues: &[&'v Venue], file: Option<&str>) -> Result<Chosen<'v>> {
    let all: Vec<Chosen<'v>> = venues
        .iter()
        .flat_map(|venue| {
            venue
                .outputs
                .iter()
                .map(move |output| Chosen { venue, output })
        })
        .collect();
    let names = || list(all.iter().map(|c| c.output.file.clone()));
    match file {
        Some(name) => all
            .iter()
            .find(|c| c.output.file == name)
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
                let example = all
                    .last()
                    .map_or("forum.bbcode", |c| c.output.file.as_str());
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
