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
    /// blocks, since two quotes or tables with nothing between them would merge.
    pub(super) tight: HashSet<usize>,
}

/// What a list's items hold right inside them, for `Index::tight`.
#[derive(Debug, Default)]
struct ListFacts {
    pub(super) paragraph: bool,
    pub(super) bare_text: bool,
    /// An item holds several blocks.
    pub(super) crowded: bool,
}

/// An open tag while indexing.
#[derive(Debug)]
enum Open {
    List,
    /// A list's item: the blocks seen right inside it so far.
    Item {
        blocks: usize,
    },
    Other,
}

impl Index {
    pub(super) fn new(events: &Events<'_>) -> Index {
        let mut pair: Vec<usize> = (0..events.len()).collect();
        let mut lists: HashMap<usize, ListFacts> = HashMap::new();
        let mut open: Vec<(usize, Open)> = Vec::new();
        for (i, event) in events.iter().enumerate() {
            if let [.., (list, Open::List), (_, Open::Item { blocks })] = &mut open[..] {
                let facts = lists.entry(*list).or_default();
                match event {
                    Event::Start(Tag::Paragraph) => facts.paragraph = true,
                    Event::Start(tag) if is_inline(&tag.to_end()) => facts.bare_text = true,
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
                    | Event::TaskListMarker(_) => facts.bare_text = true,
                }
            }
            match event {
                Event::Start(tag) => {
                    let kind = if matches!(tag, Tag::List(_)) {
                        lists.entry(i).or_default();
                        Open::List
                    } else if matches!(open.last(), Some((_, Open::List))) {
                        Open::Item { blocks: 0 }
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
            .filter(|(_, f)| !f.paragraph && (f.bare_text || !f.crowded))
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
