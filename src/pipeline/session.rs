//! A run set up: the configuration, the templates with its settings applied, and the venues
//! chosen (`--venue`, else `default_venues`, else all).

use std::path::PathBuf;

use anyhow::Result;

use crate::config::Config;
use crate::status::Usage;
use crate::venue::{Catalog, Venue};

/// What a run is set up from.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The configuration, read from its file or the defaults.
    pub config: Config,
    /// The templates folder, when there is one.
    pub templates: Option<PathBuf>,
    /// The venues named with `--venue`; when empty, the configuration's `default_venues`,
    /// else all.
    pub venues: Vec<String>,
    /// Whether each post's findings include what rendering it found (the loss report,
    /// lengths, links); `build -q`, which would print none of it, leaves that out.
    pub render_findings: bool,
}

/// The configuration, templates and venues every post of a run goes through.
#[derive(Debug)]
pub struct Session {
    /// The configuration.
    pub config: Config,
    /// The templates, with the configuration's settings applied. Those that failed are its
    /// `errors`: the problems found before any post is read.
    pub catalog: Catalog,
    /// Indexes in `catalog.venues` of the venues chosen, in catalog order for a default
    /// choice, else in the order named.
    chosen: Vec<usize>,
    /// Whether `run_post` works out the findings of rendering.
    pub(super) render_findings: bool,
}

/// A run that could not be set up, with the problems found before it failed (templates
/// that failed): they are reported first, then the error.
#[derive(Debug)]
pub struct Unopened {
    /// Templates that failed before the error.
    pub problems: Vec<anyhow::Error>,
    /// Why the run cannot go on: a usage error (`--venue` names no venue), or the
    /// configuration names a venue no template defines.
    pub error: anyhow::Error,
}

impl Session {
    /// Loads the templates, applies the configuration's settings and chooses the venues.
    pub fn open(options: SessionOptions) -> Result<Session, Unopened> {
        let SessionOptions {
            config,
            templates,
            venues,
            render_findings,
        } = options;
        let mut catalog = Catalog::load(templates.as_deref()).map_err(|error| Unopened {
            problems: Vec::new(),
            error,
        })?;
        let chosen = config
            .apply(&mut catalog)
            .and_then(|()| chosen_venues(&catalog, &config, &venues))
            .map(|venues| venues.iter().map(|v| index_of(&catalog, v)).collect());
        match chosen {
            Ok(chosen) => Ok(Session {
                config,
                catalog,
                chosen,
                render_findings,
            }),
            Err(error) => Err(Unopened {
                problems: std::mem::take(&mut catalog.errors),
                error,
            }),
        }
    }

    /// The venues chosen for this run.
    pub fn venues(&self) -> Vec<&Venue> {
        self.chosen
            .iter()
            .map(|&i| &self.catalog.venues[i])
            .collect()
    }

    /// Templates that failed to load: reported before any post, each a problem of the run.
    pub fn problems(&self) -> &[anyhow::Error] {
        &self.catalog.errors
    }
}

/// Where `venue` (one of `catalog.venues`) sits in the catalog.
fn index_of(catalog: &Catalog, venue: &Venue) -> usize {
    catalog
        .venues
        .iter()
        .position(|v| std::ptr::eq(v, venue))
        .unwrap_or_default()
}

/// The venues a run makes: those named on the command line (`--venue`), else the
/// configuration's `default_venues`, else all.
fn chosen_venues<'c>(
    catalog: &'c Catalog,
    config: &Config,
    names: &[String],
) -> Result<Vec<&'c Venue>> {
    if names.is_empty() {
        config.default_venues(catalog)
    } else {
        select(catalog, names)
    }
}

/// The venues to build: all, or those named with `--venue` (an unknown name is a usage
/// error that lists the names there are; a venue whose templates failed is left out).
fn select<'c>(catalog: &'c Catalog, names: &[String]) -> Result<Vec<&'c Venue>> {
    if names.is_empty() {
        return Ok(catalog.venues.iter().collect());
    }
    let mut out = Vec::new();
    for name in names {
        match catalog.get(name) {
            Some(venue) => {
                if !out.iter().any(|v: &&Venue| v.name == venue.name) {
                    out.push(venue);
                }
            }
            // Its template error is reported already; the other venues still build.
            None if catalog.is_broken(name) => {}
            None => {
                return Err(Usage(format!(
                    "unknown venue `{name}`; the venues are: {} (`repurpose venues` describes them)",
                    catalog.names().join(", ")
                ))
                .into());
            }
        }
    }
    Ok(out)
}
