//! What each venue will make of a post, found without writing anything: lengths against
//! the templates' limits, the newsletter's size against Gmail's clipping, the constructs a
//! format degrades or drops (as the renderers themselves account for them), doubtful links
//! and footnotes, and front matter a venue would use. `repurpose check` reports all of it;
//! `build` prints the warnings of each post it builds, `preview` shows them beside each venue.

mod constructs;
mod footnotes;
mod front;
mod limits;
mod links;
mod media;

use std::fmt;
use std::path::Path;

use serde::Serialize;

use crate::config::Site;
use crate::post::{Editions, Post};
use crate::venue::Rendered;
use crate::venue::{Output, Venue};

pub use limits::{GMAIL_CLIP_BYTES, Measure, count_chars, count_words};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Something readers of a venue will miss, or a limit passed: fails `check --strict`.
    Warning,
    /// Worth knowing, nothing lost: a construct shown another way, front matter a venue
    /// would use, a limit nearly reached.
    Note,
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Warning => "warning",
            Level::Note => "note",
        })
    }
}

/// One finding about a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Warning or note.
    pub level: Level,
    /// What kind of finding, for scripts: `length`, `gmail-clip`, `degraded`,
    /// `relative-link`, `empty-link`, `unsafe-url`, `missing-alt`, `no-media-url`, `image-size`,
    /// `mixed-content`, `duplicate-footnote`,
    /// `undefined-footnote`, `unused-footnote`, `hidden-footnote`, `footnote-in-question`,
    /// `missing-summary`, `missing-question`, `unknown-venue`, `unknown-key` (a front-matter
    /// key that looks misspelt), `parse` (a problem the post was built despite: the Markdown
    /// parser failed, a `<!-- more -->` with nothing before it).
    pub code: &'static str,
    /// The line in the post file, when the finding has one.
    pub line: Option<usize>,
    /// The venue it concerns; `None` for the post itself (every venue).
    pub venue: Option<String>,
    /// The output file it concerns, when only one of the venue's files does.
    pub file: Option<String>,
    /// What was found, naming the venue or file when there is one.
    pub message: String,
}

impl Diagnostic {
    /// The finding as one line, `warning: post.md:41: message`.
    pub fn line_for(&self, post: &Path) -> String {
        format!("{}: {}", self.level, self.located(post))
    }

    /// The finding without its level: `post.md:41: message`.
    pub fn located(&self, post: &Path) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", post.display(), self.message),
            None => format!("{}: {}", post.display(), self.message),
        }
    }
}

/// The venue outputs of a post that `check` looks at: each with its venue, and the name the
/// messages give it — the venue's name, or the file's when the venue writes several.
#[derive(Debug)]
struct Target<'v> {
    venue: &'v Venue,
    output: &'v Output,
    place: String,
}

/// Every output of `venues` (those the post wants) that `scope` has too (the same venues,
/// some with a few of their outputs), in catalog order.
fn targets<'v>(venues: &[&'v Venue], scope: &[&Venue]) -> Vec<Target<'v>> {
    let mut out = Vec::new();
    for venue in venues {
        let Some(some) = scope.iter().find(|v| v.name == venue.name) else {
            continue;
        };
        for output in &venue.outputs {
            if !some.outputs.iter().any(|o| o.file == output.file) {
                continue;
            }
            let place = if venue.outputs.len() == 1 {
                venue.name.clone()
            } else {
                output.file.clone()
            };
            out.push(Target {
                venue,
                output,
                place,
            });
        }
    }
    out
}

/// The size of every output that rendered, with its template's limits; `venues` are those
/// the post wants (`pipeline::wanted`).
pub fn measure(venues: &[&Venue], outputs: &[Rendered]) -> Vec<Measure> {
    Measure::all(&targets(venues, venues), outputs)
}

/// Every finding for a post, in report order: the post's own (links, footnotes) first,
/// then each venue's in catalog order, each group by line. `venues` are those the post wants
/// (`pipeline::wanted`); `outputs` are the post's rendered outputs (those that failed are
/// simply missing).
pub fn diagnose(
    post: &Post,
    editions: &Editions<'_>,
    venues: &[&Venue],
    site: &Site,
    outputs: &[Rendered],
) -> Vec<Diagnostic> {
    diagnose_some(post, editions, venues, venues, site, outputs)
}

/// `diagnose` for the outputs of `scope` alone: the venues of `venues`, each with some of
/// its outputs (those a build renders again after their templates changed). Each finding
/// names its place as a full `diagnose` would.
pub fn diagnose_some(
    post: &Post,
    editions: &Editions<'_>,
    venues: &[&Venue],
    scope: &[&Venue],
    site: &Site,
    outputs: &[Rendered],
) -> Vec<Diagnostic> {
    let targets = targets(venues, scope);
    // Each venue's findings are about the post as it reads it (`pipeline::editions`): without
    // the venue-only blocks it does not show, with its own front matter. Links are the
    // post's own.
    let mut found = links::diagnose(post, site);
    found.extend(footnotes::diagnose(post, editions, &targets));
    found.extend(constructs::diagnose(editions, &targets));
    found.extend(front::diagnose(editions, &targets));
    found.extend(media::diagnose(post, site, &targets));
    found.extend(limits::diagnose(&targets, outputs));
    found.extend(links::dropped(outputs));
    order(&mut found, venues);
    found
}

/// The post's own warnings (a Markdown parse that failed, a misspelt front-matter key), as
/// findings.
pub fn post_warnings(post: &Post) -> Vec<Diagnostic> {
    post.warnings
        .iter()
        .map(|warning| Diagnostic {
            level: Level::Warning,
            code: warning.code,
            line: warning.line,
            venue: None,
            file: None,
            message: warning.message.clone(),
        })
        .collect()
}

/// A warning for each venue name the post's venue blocks or `venues:` map write that is not
/// a venue of `known` (every venue of the catalog, not only those selected). Not an error:
/// the name may be a venue of another templates folder.
pub fn unknown_venues(post: &Post, known: &[&str]) -> Vec<Diagnostic> {
    let mut out: Vec<Diagnostic> = post
        .named_venues()
        .into_iter()
        .filter(|(_, name, _)| !known.contains(&name.as_str()))
        .map(|(line, name, place)| Diagnostic {
            level: Level::Warning,
            code: "unknown-venue",
            line: Some(line),
            venue: None,
            file: None,
            message: format!(
                "{place} names `{name}`, which is not one of the venues: {} (fine if it is a venue of another templates folder; else check its spelling)",
                known.join(", ")
            ),
        })
        .collect();
    out.sort_by_key(|d| d.line);
    out
}

/// Drops repeats (the opening and closing inline tags on one line) and sorts findings into
/// report order: the post's own, then by venue, each group by line (findings without one
/// first). The sort is stable, so findings on one line keep the order they were made in.
fn order(found: &mut Vec<Diagnostic>, venues: &[&Venue]) {
    let mut seen = std::collections::HashSet::new();
    found.retain(|d| seen.insert((d.venue.clone(), d.line, d.message.clone())));
    let rank = |d: &Diagnostic| {
        d.venue.as_deref().map_or(0, |v| {
            1 + venues.iter().position(|x| x.name == v).unwrap_or(0)
        })
    };
    found.sort_by_key(|d| (rank(d), d.line));
}

#[cfg(test)]
mod tests;
