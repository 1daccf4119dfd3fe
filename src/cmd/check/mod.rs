//! `repurpose check`: every post rendered in memory for every venue, and what was found,
//! printed — nothing is written.

mod output;

use std::path::{Path, PathBuf};

use anyhow::Result;
use rayon::prelude::*;

use crate::config::Config;
use crate::findings::Level;
use crate::pipeline::report::{self, Problems, Stderr};
use crate::pipeline::{Session, SessionOptions};
use crate::status::Status;

use output::{PostReport, print_human, print_json};

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
    let doubts = opts.config.warn();
    let errors = Problems::default();
    let session = report::open(
        SessionOptions {
            config: opts.config.clone(),
            templates: opts.templates.clone(),
            venues: opts.venues.clone(),
            render_findings: true,
        },
        &errors,
    )?;
    let venues = session.venues();
    // `build`'s output folder holds `.md` files of its own (article.md): not posts.
    let (files, input_errors) = crate::inputs::collect(&opts.inputs, &session.config.out_dir(None));
    errors.report_all(&Stderr, &input_errors);
    let reports: Vec<PostReport> = files
        .par_iter()
        .map(|file| check_file(&session, file))
        .collect();

    for err in reports.iter().flat_map(|r| &r.errors) {
        crate::shell::error(err);
    }
    if opts.json {
        print_json(&reports)?;
    } else {
        print_human(&reports);
    }
    errors.add(reports.iter().map(|r| r.errors.len()).sum::<usize>());
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
        errors.count(),
        opts.strict,
    ));
    let failed = errors.count() > 0 || (opts.strict && warnings > 0);
    Ok(if failed {
        Status::Failure
    } else {
        Status::Success
    })
}

/// Renders one post for every venue in memory and collects what is found.
fn check_file(session: &Session, path: &Path) -> PostReport {
    let file = path.display().to_string();
    match session.run_post(path) {
        Ok(run) => PostReport {
            file,
            slug: Some(run.post.slug.clone()),
            outputs: run.measures(),
            errors: run.failures.iter().map(|e| format!("{e:#}")).collect(),
            diagnostics: run.findings,
        },
        Err(err) => PostReport {
            file,
            slug: None,
            outputs: Vec::new(),
            diagnostics: Vec::new(),
            errors: vec![format!("{err:#}")],
        },
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
