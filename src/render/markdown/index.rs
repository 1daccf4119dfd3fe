//! The structure of an event slice, found in one pass before it is written.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag};

use crate::markdown::is_inline;

use super::Events;

/// The structure of an event slice, found in one pass before it is written: what closes
/// what, and which lists are tight. Scanning ahead from each list or emphasis instead would
/// be quadratic in either nested thousands deep.
#[derive(Debug, Default)]
pub(super) struct Index {
    /// For a `Start`, the index of its `End` (the last index when the slice cuts it off);
    /// for an `End`, the index of its `Start` (0 when there is none); else the index itself.
    pub(super) pair: Vec<usize>,
    /// The `Start` indices of the lists that must be written tight (no blank lines between
    /// or inside their items).
    ///
    /// Tightness shows in the events only as the presence of paragraph tags: items holding
    /// paragraphs must be loose, items holding bare text must be tight. Items holding
    /// blocks only may be either; they are written loose when an item holds several
    /// blocks, since two quotes or tables with nothing between them would merge. An item
    /// whose bare text runs straight into a list that cannot interrupt a paragraph (one
    /// starting at another number than 1, or with an empty first item) makes its list
    /// loose too: written tight, that list would read back as more of the text. Such
    /// events come from a pass that dropped what stood between (raw HTML for a venue
    /// that shows it as typed), never from a parse.
    pub(super) tight: HashSet<usize>,
}

/// What a list's items hold right inside them, for `Index::tight`.
#[derive(Debug, Default)]
struct ListFacts {
    pub(super) paragraph: bool,
    pub(super) bare_text: bool,
    /// An item holds several blocks.
    pub(super) crowded: bool,
    /// An item's bare text runs into a list that cannot interrupt it.
    pub(super) run_on: bool,
}

/// An open tag while indexing.
#[derive(Debug)]
enum Open {
    List,
    /// A list's item: the blocks seen right inside it so far, and whether the last thing
    /// right inside it was inline (bare text, or an inline tag's whole run).
    Item {
        blocks: usize,
        after_text: bool,
    },
    Other,
}

impl Index {
    pub(super) fn new(events: &Events<'_>) -> Index {
        let mut pair: Vec<usize> = (0..events.len()).collect();
        let mut lists: HashMap<usize, ListFacts> = HashMap::new();
        let mut open: Vec<(usize, Open)> = Vec::new();
        for (i, event) in events.iter().enumerate() {
            if let [
                ..,
                (list, Open::List),
                (_, Open::Item { blocks, after_text }),
            ] = &mut open[..]
            {
                let facts = lists.entry(*list).or_default();
                // A list straight after bare text that it cannot interrupt.
                if std::mem::replace(after_text, false)
                    && let Event::Start(Tag::List(start)) = event
                {
                    let empty_first_item = matches!(
                        (events.get(i + 1), events.get(i + 2)),
                        (Some(Event::Start(Tag::Item)), Some(Event::End(_)))
                    );
                    facts.run_on |= empty_first_item || start.is_some_and(|n| n != 1);
                }
                match event {
                    Event::Start(Tag::Paragraph) => facts.paragraph = true,
                    Event::Start(tag) if is_inline(&tag.to_end()) => {
                        facts.bare_text = true;
                        *after_text = true;
                    }
                    Event::Start(_) | Event::Rule | Event::Html(_) => {
                        *blocks += 1;
                        facts.crowded |= *blocks > 1;
                    }
                    Event::End(_) => {}
                    Event::Text(_)
                    | Event::Code(_)
                    | Event::InlineMath(_)
                    | Event::DisplayMath(_)
                    | Event::InlineHtml(_)
                    | Event::FootnoteReference(_)
                    | Event::SoftBreak
                    | Event::HardBreak
                    | Event::TaskListMarker(_) => {
                        facts.bare_text = true;
                        *after_text = true;
                    }
                }
            }
            match event {
                Event::Start(tag) => {
                    let kind = if matches!(tag, Tag::List(_)) {
                        lists.entry(i).or_default();
                        Open::List
                    } else if matches!(open.last(), Some((_, Open::List))) {
                        Open::Item {
                            blocks: 0,
                            after_text: false,
                        }
                    } else {
                        Open::Other
                    };
                    open.push((i, kind));
                }
                Event::End(_) => {
                    if let Some((start, _)) = open.pop() {
                        pair[start] = i;
                        pair[i] = start;
                    } else {
                        pair[i] = 0;
                    }
                }
                _ => {}
            }
        }
        for (start, _) in open {
            pair[start] = events.len().saturating_sub(1);
        }
        let tight = lists
            .into_iter()
            .filter(|(_, f)| !f.paragraph && !f.run_on && (f.bare_text || !f.crowded))
            .map(|(list, _)| list)
            .collect();
        Index { pair, tight }
    }

    /// The index of the `End` closing the `Start` at `start`.
    pub(super) fn end(&self, start: usize) -> usize {
        self.pair.get(start).copied().unwrap_or(start)
    }

    /// The index of the `Start` that the `End` at `end` closes.
    pub(super) fn start(&self, end: usize) -> usize {
        self.pair.get(end).copied().unwrap_or(0)
    }
}

/// The list markers a nested list must avoid while its parents' markers are still waiting
/// on the same line.
pub(super) const BULLETS: [char; 3] = ['-', '*', '+'];

/// Counts (or uncounts) a level's first-line marker in `waiting`, per bullet it contains.
pub(super) fn count_bullets(waiting: &mut [usize; 3], marker: &str, add: bool) {
    for (count, c) in waiting.iter_mut().zip(BULLETS) {
        if marker.contains(c) {
            *count = if add {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
        }
    }
}
