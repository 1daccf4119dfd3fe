//! The check report: one line per finding in the style of compiler diagnostics, grouped per
//! post then venue, or one JSON array for scripts.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::findings::{Diagnostic, Measure};

/// What `check` found for one post file.
#[derive(Debug, Serialize)]
pub struct PostReport {
    /// The post file, as given or found.
    pub file: String,
    /// Its slug; `null` when it could not be read.
    pub slug: Option<String>,
    /// Every output that rendered, measured.
    pub outputs: Vec<Measure>,
    /// Warnings and notes, in report order.
    pub diagnostics: Vec<Diagnostic>,
    /// What failed: the post itself, or a template on it.
    pub errors: Vec<String>,
}

/// The findings on stdout, one line each, a blank line between posts.
pub fn print_human(reports: &[PostReport]) {
    let mut stdout = std::io::stdout().lock();
    let mut first = true;
    for post in reports {
        if post.diagnostics.is_empty() {
            continue;
        }
        if !first {
            // A closed stdout (`| head`) must not turn into an error.
            let _ = writeln!(stdout);
        }
        first = false;
        for diagnostic in &post.diagnostics {
            let _ = writeln!(stdout, "{}", diagnostic.line_for(Path::new(&post.file)));
        }
    }
}

/// The reports as one pretty-printed JSON array on stdout.
pub fn print_json(reports: &[PostReport]) -> Result<()> {
    let json =
        serde_json::to_string_pretty(reports).context("failed to write the report as JSON")?;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{json}");
    Ok(())
}
