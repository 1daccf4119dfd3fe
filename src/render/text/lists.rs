//! Lists: bullets by depth, right-aligned numbers, and spacing for items that wrap.

use pulldown_cmark::{Event, Tag, TagEnd};
use textwrap::core::display_width;

use crate::markdown::{is_inline, plain_text};
use crate::render::lists::Numbering;

use super::TextWriter;

/// Bullet glyphs by list depth, so nesting shows even where indentation is lost.
const BULLETS: [char; 3] = ['•', '◦', '▪'];

pub(super) struct ListState {
    pub(super) numbers: Option<Numbering>,
    pub(super) number_width: usize,
    pub(super) indent: &'static str,
    pub(super) bullet: char,
    pub(super) spaced: bool,
    pub(super) items_seen: usize,
}

impl ListState {
    pub(super) fn marker(&mut self) -> String {
        match &mut self.numbers {
            Some(numbers) => {
                let n = numbers.next_number();
                format!("{}{n:>w$}. ", self.indent, w = self.number_width)
            }
            None => format!("{}{} ", self.indent, self.bullet),
        }
    }
}

impl TextWriter<'_> {
    /// `ahead` starts at the list's `Start`; `items` are the offsets in it of the list's
    /// own items.
    pub(super) fn start_list(
        &mut self,
        start: Option<u64>,
        ahead: &[&Event<'static>],
        items: &[usize],
    ) {
        self.flush_inline();
        let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let number_width = start.map_or(0, |s| {
            s.saturating_add(count.saturating_sub(1)).to_string().len()
        });
        let indent = if self.lists.is_empty() { "  " } else { "" };
        let marker_width = indent.len() + if start.is_some() { number_width + 2 } else { 2 };
        let text_width = self.avail().saturating_sub(marker_width);
        let spaced = items
            .iter()
            .any(|&i| item_needs_space(ahead.get(i + 1..).unwrap_or_default(), text_width));
        self.lists.push(ListState {
            numbers: start.map(Numbering::starting_at),
            number_width,
            indent,
            bullet: BULLETS[self.lists.len() % BULLETS.len()],
            spaced,
            items_seen: 0,
        });
    }

    pub(super) fn start_item(&mut self) {
        self.flush_inline();
        let (marker, spaced, first) = match self.lists.last_mut() {
            Some(list) => {
                list.items_seen += 1;
                (list.marker(), list.spaced, list.items_seen == 1)
            }
            None => (format!("  {} ", BULLETS[0]), false, true),
        };
        if !first {
            self.need_blank = spaced;
        }
        let rest = " ".repeat(display_width(&marker));
        self.push_container(marker, rest);
    }
}

/// Whether an item (its events after `Start(Item)`) calls for blank lines around items:
/// it is loose, or its leading text is longer than one line.
fn item_needs_space(item: &[&Event<'_>], width: usize) -> bool {
    if matches!(item.first(), Some(Event::Start(Tag::Paragraph))) {
        return true;
    }
    let lead: Vec<Event<'_>> = item
        .iter()
        .take_while(|e| !ends_item_lead(e))
        .map(|e| (*e).clone())
        .collect();
    display_width(&plain_text(&lead)) > width
}

fn ends_item_lead(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => !is_inline(&tag.to_end()),
        Event::End(tag) => matches!(tag, TagEnd::Item),
        Event::Rule | Event::Html(_) => true,
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::DisplayMath(_)
        | Event::InlineHtml(_)
        | Event::FootnoteReference(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::TaskListMarker(_) => false,
    }
}
