//! `repurpose venues`: what the run can target, as a table or JSON.

use std::path::Path;

use anyhow::Result;
use serde::Serialize;

use crate::shell::report;
use crate::status::Status;
use crate::venue::Catalog;

/// One venue, as listed.
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    files: Vec<String>,
    description: String,
    source: String,
    body: Vec<String>,
}

/// Lists the venues; broken templates are reported and make the exit code 1.
pub fn run(templates: Option<&Path>, json: bool) -> Result<Status> {
    let catalog = Catalog::load(templates)?;
    for err in &catalog.errors {
        report(err);
    }
    let rows: Vec<Row> = catalog
        .venues
        .iter()
        .map(|v| {
            let mut sources: Vec<String> = v.outputs.iter().map(|o| o.origin.to_string()).collect();
            sources.dedup();
            Row {
                name: v.name.clone(),
                files: v.outputs.iter().map(|o| o.file.clone()).collect(),
                description: v.description().to_string(),
                source: sources.join(", "),
                body: v
                    .outputs
                    .iter()
                    .map(|o| o.format.name().to_string())
                    .collect(),
            }
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        print!("{}", table(&rows));
    }
    Ok(if catalog.errors.is_empty() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// An aligned table: VENUE, FILES, DESCRIPTION, SOURCE.
fn table(rows: &[Row]) -> String {
    let cells: Vec<[String; 4]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.files.join(", "),
                r.description.clone(),
                r.source.clone(),
            ]
        })
        .collect();
    let header = ["VENUE", "FILES", "DESCRIPTION", "SOURCE"].map(String::from);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&cells) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&cells) {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
