//! Pipe tables: cells collected per row, then written with aligned columns.

use pulldown_cmark::Alignment;

use super::Writer;
use super::inline::InlineKind;

#[derive(Debug, Default)]
pub(super) struct Table {
    pub(super) aligns: Vec<Alignment>,
    pub(super) rows: Vec<Vec<String>>,
}

impl Writer<'_> {
    pub(super) fn cell_end(&mut self) {
        if self
            .inline
            .as_ref()
            .is_some_and(|run| run.kind == InlineKind::Cell)
        {
            self.flush_inline();
        }
    }

    pub(super) fn push_cell(&mut self, text: &str) {
        // GFM splits rows on `|` before any inline parsing, so even code spans and URLs
        // need `\|`; the table parse removes that backslash again.
        let text = text.replace('|', "\\|");
        if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
            row.push(text);
        }
    }

    pub(super) fn table_end(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        let columns = table
            .rows
            .iter()
            .map(Vec::len)
            .chain([table.aligns.len()])
            .max()
            .unwrap_or(0);
        let mut widths = vec![3; columns];
        for row in &table.rows {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let delimiter: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(col, &width)| {
                let align = table.aligns.get(col).copied().unwrap_or(Alignment::None);
                alignment_cell(align, width)
            })
            .collect();
        for (n, row) in table.rows.iter().enumerate() {
            self.emit_line(&table_row(row, &widths));
            if n == 0 {
                self.emit_line(&table_row(&delimiter, &widths));
            }
        }
    }
}

fn alignment_cell(align: Alignment, width: usize) -> String {
    let dashes = |n: usize| "-".repeat(n);
    match align {
        Alignment::None => dashes(width),
        Alignment::Left => format!(":{}", dashes(width - 1)),
        Alignment::Center => format!(":{}:", dashes(width - 2)),
        Alignment::Right => format!("{}:", dashes(width - 1)),
    }
}

fn table_row(cells: &[String], widths: &[usize]) -> String {
    let mut line = String::from("|");
    for (col, &width) in widths.iter().enumerate() {
        let cell = cells.get(col).map_or("", String::as_str);
        line.push(' ');
        line.push_str(cell);
        line.extend(std::iter::repeat_n(
            ' ',
            width.saturating_sub(cell.chars().count()),
        ));
        line.push_str(" |");
    }
    line
}
