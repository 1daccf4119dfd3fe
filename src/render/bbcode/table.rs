//! Tables, written as an aligned `[code]` block.

use pulldown_cmark::{Alignment, Event, Tag};

use crate::markdown::{matching_end, plain_text};
use crate::render::grid::Grid;

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
        let grid = Grid::new(
            rows.iter().map(Vec::as_slice).collect(),
            alignments,
            has_head,
        );
        self.markup(&format!("[code]\n{}\n[/code]", grid.lines().join("\n")));
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
