//! `repurpose check`: every post rendered in memory for every venue, and what was found,
//! printed — nothing is written.

mod report;

use std::path::{Path, PathBuf};

use anyhow::Result;
use rayon::prelude::*;

use crate::config::{Config, Site};
use crate::findings::{Diagnostic, Level, diagnose, measure};
use crate::post::Post;
use crate::venue::{Catalog, Venue};
use crate::{Status, report};

use report::{PostReport, print_human, print_json};

/// What `check` was asked to do.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Post files and folders.
    pub inputs: Vec<PathBuf>,
    /// The templates folder, when there is one.
    pub templates: Option<PathBuf>,
    /// Only these venues; when empty, the configuration's `default_venues`, else all.
    pub venues: Vec<String>,
    /// The configuration, read from its file or the defaults.
    pub config: Config,
    /// Print JSON instead of lines.
    pub json: bool,
    /// Warnings fail the check.
    pub strict: bool,
}

/// Checks every post and prints the report; the status says whether anything failed
/// (an error, or a warning under `strict`).
pub fn run(opts: &CheckOptions) -> Result<Status> {
    let config = &opts.config;
    let doubts = config.warn();
    let catalog = crate::build::catalog(opts.templates.as_deref(), config)?;
    let mut errors = 0;
    for err in &catalog.errors {
        report(err);
        errors += 1;
    }
    let venues = crate::build::chosen_venues(&catalog, config, &opts.venues)?;
    // `build`'s output folder holds `.md` files of its own (article.md): not posts.
    let (files, input_errors) = crate::inputs::collect(&opts.inputs, &config.out_dir(None));
    for err in &input_errors {
        report(err);
        errors += 1;
    }
    let reports: Vec<PostReport> = files
        .par_iter()
        .map(|file| check_file(file, &venues, &catalog, &config.site))
        .collect();

    for err in reports.iter().flat_map(|r| &r.errors) {
        crate::shell::error(err);
    }
    if opts.json {
        print_json(&reports)?;
    } else {
        print_human(&reports);
    }
    errors += reports.iter().map(|r| r.errors.len()).sum::<usize>();
    let count = |level: Level| {
        reports
            .iter()
            .flat_map(|r| &r.diagnostics)
            .filter(|d| d.level == level)
            .count()
    };
    let (warnings, notes) = (count(Level::Warning) + doubts, count(Level::Note));
    crate::shell::status(summary(
        reports.len(),
        venues.len(),
        warnings,
        notes,
        errors,
        opts.strict,
    ));
    let failed = errors > 0 || (opts.strict && warnings > 0);
    Ok(if failed {
        Status::Failure
    } else {
        Status::Success
    })
}

/// Renders one post for every venue in memory and collects what is found.
fn check_file(path: &Path, venues: &[&Venue], catalog: &Catalog, site: &Site) -> PostReport {
    let file = path.display().to_string();
    let post = match Post::load(path) {
        Ok(post) => post,
        Err(err) => {
            return PostReport {
                file,
                slug: None,
                outputs: Vec::new(),
                diagnostics: Vec::new(),
                errors: vec![format!("{err:#}")],
            };
        }
    };
    let editions = crate::build::editions(&post, venues);
    let (outputs, failures) = crate::build::render_post(&post, &editions, venues, catalog, site);
    let mut diagnostics: Vec<Diagnostic> = post
        .warnings
        .iter()
        .map(|warning| Diagnostic {
            level: Level::Warning,
            code: warning.code,
            line: warning.line,
            venue: None,
            file: None,
            message: warning.message.clone(),
        })
        .collect();
    diagnostics.extend(crate::findings::unknown_venues(&post, &catalog.all_names()));
    diagnostics.extend(diagnose(&post, &editions, venues, site, &outputs));
    PostReport {
        file,
        slug: Some(post.slug.clone()),
        outputs: measure(&post, venues, &outputs),
        diagnostics,
        errors: failures.iter().map(|e| format!("{e:#}")).collect(),
    }
}

/// The closing line: what was checked and what was found.
fn summary(
    posts: usize,
    venues: usize,
    warnings: usize,
    notes: usize,
    errors: usize,
    strict: bool,
) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut found = Vec::new();
    if errors > 0 {
        found.push(plural(errors, "error", "errors"));
    }
    found.push(plural(warnings, "warning", "warnings"));
    found.push(plural(notes, "note", "notes"));
    let mut line = format!(
        "checked {} for {}: {}",
        plural(posts, "post", "posts"),
        plural(venues, "venue", "venues"),
        found.join(", ")
    );
    if strict && warnings > 0 {
        line.push_str(" (--strict: warnings fail the check)");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_with_plurals_and_says_why_strict_failed() {
        assert_eq!(
            summary(1, 4, 0, 1, 0, false),
            "checked 1 post for 4 venues: 0 warnings, 1 note"
        );
        assert_eq!(
            summary(3, 1, 2, 0, 1, true),
            "checked 3 posts for 1 venue: 1 error, 2 warnings, 0 notes (--strict: warnings fail the check)"
        );
    }
}
