//! Tables, written as an aligned `[code]` block.

use pulldown_cmark::{Alignment, Event, Tag};

use crate::render::{matching_end, plain_text};

use super::escape::escape_text;
use super::{Writer, inner};

impl Writer<'_, '_> {
    /// A table becomes a `[code]` block: forums have no portable table tag, and only a
    /// monospaced block keeps the columns lined up.
    pub(super) fn table(&mut self, alignments: &[Alignment], events: &[&Event<'static>]) {
        let (rows, has_head) = table_rows(events);
        if rows.is_empty() {
            return;
        }
        self.start_block();
        self.markup(&format_table(alignments, &rows, has_head));
    }
}

/// The table's rows as escaped plain-text cells, and whether the first is a header.
fn table_rows(events: &[&Event<'static>]) -> (Vec<Vec<String>>, bool) {
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut has_head = false;
    let mut i = 0;
    while i < events.len() {
        let event = events[i];
        if matches!(event, Event::Start(Tag::TableHead)) {
            has_head = rows.is_empty();
            rows.push(Vec::new());
        } else if matches!(event, Event::Start(Tag::TableRow)) {
            rows.push(Vec::new());
        } else if matches!(event, Event::Start(Tag::TableCell)) {
            let end = matching_end(events, i);
            let mut cell = String::new();
            escape_text(
                &plain_text(inner(events, i, end).iter().copied()),
                &mut cell,
            );
            if let Some(row) = rows.last_mut() {
                row.push(cell);
            }
            i = end;
        }
        i += 1;
    }
    (rows, has_head)
}

/// Columns padded to their display width (CJK and emoji count double, the word joiner
/// nothing), ` | ` between them, a `-+-` rule under the header.
fn format_table(alignments: &[Alignment], rows: &[Vec<String>], has_head: bool) -> String {
    let columns = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(alignments.len());
    let mut widths = vec![1; columns];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(textwrap::core::display_width(cell));
        }
    }
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (r, row) in rows.iter().enumerate() {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, &width)| {
                let cell = row.get(c).map_or("", String::as_str);
                let align = alignments.get(c).copied().unwrap_or(Alignment::None);
                pad(cell, width, align)
            })
            .collect();
        lines.push(cells.join(" | ").trim_end().to_string());
        if r == 0 && has_head {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            lines.push(rule.join("-+-"));
        }
    }
    format!("[code]\n{}\n[/code]", lines.join("\n"))
}

fn pad(cell: &str, width: usize, align: Alignment) -> String {
    let room = width.saturating_sub(textwrap::core::display_width(cell));
    let (left, right) = match align {
        Alignment::None | Alignment::Left => (0, room),
        Alignment::Right => (room, 0),
        Alignment::Center => (room / 2, room - room / 2),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
}
