//! Tables: aligned columns when they fit, else one block of `Header: value` lines per row.

use std::mem;

use pulldown_cmark::Alignment;
use textwrap::core::display_width;

use crate::render::grid::Grid;

use super::inline::clean_inline;
use super::lines::fill;
use super::{GLUE, TextWriter};

#[derive(Default)]
pub(super) struct TableState {
    pub(super) aligns: Vec<Alignment>,
    pub(super) head: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    pub(super) row: Vec<String>,
}

impl TextWriter<'_> {
    pub(super) fn end_cell(&mut self) {
        let cell = clean_inline(&mem::take(&mut self.inline)).replace(['\n', GLUE], " ");
        if let Some(table) = &mut self.table {
            table.row.push(cell);
        }
    }

    pub(super) fn end_table(&mut self) {
        if let Some(table) = self.table.take() {
            let avail = self.avail();
            let lines = table_grid(&table, avail).unwrap_or_else(|| table_records(&table, avail));
            self.emit(&lines);
        }
        self.need_blank = true;
    }
}

/// The table as aligned columns, or `None` when it does not fit in `width`.
fn table_grid(table: &TableState, width: usize) -> Option<Vec<String>> {
    let rows = std::iter::once(&table.head).chain(&table.rows);
    let grid = Grid::new(rows.map(Vec::as_slice).collect(), &table.aligns, true);
    (grid.width() <= width).then(|| grid.lines())
}

/// The table as one block per row of `Header: value` lines, for tables too wide to align.
fn table_records(table: &TableState, width: usize) -> Vec<String> {
    if table.rows.is_empty() {
        return table
            .head
            .iter()
            .filter(|h| !h.is_empty())
            .flat_map(|h| fill(h, width, "", ""))
            .collect();
    }
    let label_width = table
        .head
        .iter()
        .map(|h| display_width(h) + 2)
        .max()
        .unwrap_or(0);
    let aligned = (label_width <= width / 2).then_some(label_width);
    let mut lines = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        if r > 0 {
            lines.push(String::new());
        }
        for (i, value) in row.iter().enumerate() {
            let header = table.head.get(i).map_or("", String::as_str);
            lines.extend(record_field(header, value, width, aligned));
        }
    }
    lines
}

fn record_field(
    header: &str,
    value: &str,
    width: usize,
    label_width: Option<usize>,
) -> Vec<String> {
    if header.is_empty() {
        return fill(value, width, "", "");
    }
    let label = match label_width {
        Some(w) => format!(
            "{header}:{}",
            " ".repeat(w.saturating_sub(display_width(header) + 1))
        ),
        None => format!("{header}: "),
    };
    if value.is_empty() {
        return fill(&format!("{header}:"), width, "", "");
    }
    let hang = " ".repeat(label_width.unwrap_or(2));
    let first_word = value.split(' ').next().unwrap_or_default();
    if display_width(&label) + display_width(first_word) <= width {
        return fill(value, width, &label, &hang);
    }
    // The label would push the first word past the width: give it a line of its own.
    let mut lines = fill(&format!("{header}:"), width, "", "");
    lines.extend(fill(value, width, &hang, &hang));
    lines
}
