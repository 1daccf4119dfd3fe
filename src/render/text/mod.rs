//! The `text` body format: plain text for a newsletter's text part and other plain venues.
//!
//! The writer keeps a stack of line prefixes, one per open container (quote `> `, list item
//! `  1. ` then `     `, note `¹ ` then `  `, definition `    `), and wraps each paragraph at
//! `wrap` minus the prefix width. Every container's first-line and continuation prefixes have
//! the same width, so one width serves a whole block. Choices worth knowing:
//!
//! - bullets are `•`, then `◦`, then `▪` by depth; top-level markers are indented two spaces,
//!   nested ones start under their parent's text; ordered numbers are right-aligned;
//! - a tight list is spaced like a loose one when an item runs past one line, because a run
//!   of wrapped items with no gap reads as one paragraph in plain text;
//! - a rule is a centred `* * *`;
//! - a table is a grid when it fits and otherwise one block of `Header: value` lines per row;
//! - footnotes are superscript numbers, listed under `Notes` before the link references.

mod blocks;
mod inline;
mod lines;
mod links;
mod lists;
mod table;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::mem;

use pulldown_cmark::{Event, Tag, TagEnd};
use textwrap::core::display_width;

use super::lists::items_by_list;
use super::{Construct, Degradation, RenderOptions};
use crate::markdown::{Footnotes, ScriptSkip, shifted_level, split_footnotes, superscript};
use inline::{SUBSCRIPT_DIGITS, SUPERSCRIPT_DIGITS};
use lines::Container;
use links::Span;
use lists::ListState;
use table::TableState;

/// Stands for the space before a reference number while wrapping, so `[1]` never starts a
/// line on its own. A private-use character, so no writer types it.
const GLUE: char = '\u{E000}';

/// Like `render`, with the end matter (notes and link references) returned separately so a
/// template can put its own closing lines between the two.
pub fn render_split(events: &[Event<'static>], opts: &RenderOptions) -> (String, String) {
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let mut writer = TextWriter::new(opts, &notes);
    writer.run(&main);
    writer.flush_inline();
    let body_end = writer.out.len();
    writer.write_notes();
    writer.write_link_list();
    let end_matter = trimmed(writer.out.split_off(body_end));
    (trimmed(writer.out), end_matter)
}

/// Lines without the blank lines that lead or trail them (a line is never whitespace
/// alone: each is trimmed at its end as it is written).
fn trimmed(mut lines: String) -> String {
    lines.truncate(lines.trim_end_matches('\n').len());
    let start = lines.len() - lines.trim_start_matches('\n').len();
    lines.drain(..start);
    lines
}

/// Renders events as plain text.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    match render_split(events, opts) {
        (body, notes) if notes.is_empty() => body,
        (body, notes) if body.is_empty() => notes,
        (body, notes) => format!("{body}\n\n{notes}"),
    }
}

struct TextWriter<'a> {
    opts: &'a RenderOptions,
    notes: &'a Footnotes<'a>,
    /// The lines written so far, joined by `\n`: held one `String` a line, a long post's
    /// lines took three times its text.
    out: String,
    /// A line was written, an empty one too.
    wrote: bool,
    containers: Vec<Container>,
    /// The display width of the open containers' continuation prefixes, kept as they open
    /// and close: summing them at every block is quadratic in containers nested deep.
    prefix_width: usize,
    /// The next block starts after a blank line.
    need_blank: bool,
    /// Inline text of the block being built; `\n` marks a hard break.
    inline: String,
    spans: Vec<Span>,
    /// Images open, those inside another's alt text included: only the outermost is
    /// written, with the text of all of them as its alt (as HTML's `alt` holds text only).
    /// Each nested one written whole would copy the alt text again, level after level.
    images_open: usize,
    lists: Vec<ListState>,
    heading: Option<u8>,
    code: Option<String>,
    html: Option<String>,
    table: Option<TableState>,
    in_metadata: bool,
    /// Inside inline `<script>`/`<style>`, whose content is never text.
    skipping: ScriptSkip,
    urls: Vec<String>,
    url_numbers: HashMap<String, usize>,
}

impl<'a> TextWriter<'a> {
    fn new(opts: &'a RenderOptions, notes: &'a Footnotes<'a>) -> Self {
        TextWriter {
            opts,
            notes,
            out: String::new(),
            wrote: false,
            containers: Vec::new(),
            prefix_width: 0,
            need_blank: false,
            inline: String::new(),
            spans: Vec::new(),
            images_open: 0,
            lists: Vec::new(),
            heading: None,
            code: None,
            html: None,
            table: None,
            in_metadata: false,
            skipping: ScriptSkip::default(),
            urls: Vec::new(),
            url_numbers: HashMap::new(),
        }
    }

    fn run(&mut self, events: &[&Event<'static>]) {
        let items = items_by_list(events);
        for (i, event) in events.iter().enumerate() {
            match event {
                Event::Start(Tag::List(start)) => {
                    let own = items.get(&i).map_or(&[][..], Vec::as_slice);
                    self.start_list(*start, &events[i..], own);
                }
                Event::Start(tag) => self.start_tag(tag),
                Event::End(tag) => self.end_tag(*tag),
                Event::Text(text)
                | Event::Code(text)
                | Event::InlineMath(text)
                | Event::DisplayMath(text) => self.push_text(text),
                Event::Html(raw) => self.html(raw),
                Event::InlineHtml(raw) => self.inline_html(raw),
                Event::FootnoteReference(label) => self.footnote_reference(label),
                Event::SoftBreak => self.push_text(" "),
                Event::HardBreak => self.inline.push('\n'),
                Event::Rule => self.rule(),
                Event::TaskListMarker(done) => self.task_marker(*done),
            }
        }
    }

    fn start_tag(&mut self, tag: &Tag<'static>) {
        match tag {
            Tag::Paragraph | Tag::DefinitionList | Tag::DefinitionListTitle => self.flush_inline(),
            Tag::Heading { level, .. } => {
                self.flush_inline();
                self.heading = Some(shifted_level(*level, self.opts.heading_shift));
            }
            Tag::BlockQuote(kind) => self.start_quote(*kind),
            Tag::CodeBlock(_) => {
                self.flush_inline();
                self.code = Some(String::new());
            }
            Tag::HtmlBlock => {
                self.flush_inline();
                self.html = Some(String::new());
            }
            // Started by `run`, which knows the list's items.
            Tag::List(start) => self.start_list(*start, &[], &[]),
            Tag::Item => self.start_item(),
            Tag::FootnoteDefinition(label) => {
                // `split_footnotes` lifts definitions out of the flow; one left here reads as
                // a note in place.
                self.flush_inline();
                let mark = self
                    .notes
                    .number(label)
                    .map_or_else(|| format!("[^{label}]"), superscript);
                let rest = " ".repeat(display_width(&mark) + 1);
                self.push_container(format!("{mark} "), rest);
            }
            Tag::DefinitionListDefinition => {
                self.flush_inline();
                self.push_container("    ".into(), "    ".into());
            }
            Tag::Table(aligns) => {
                self.flush_inline();
                self.table = Some(TableState {
                    aligns: aligns.clone(),
                    ..TableState::default()
                });
            }
            Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough => {}
            Tag::Superscript | Tag::Subscript => {
                self.spans.push(Span::Script(self.inline.len()));
            }
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => self.start_link(*link_type, dest_url),
            Tag::Image { dest_url, .. } => {
                self.images_open += 1;
                if self.images_open == 1 {
                    let url = self.opts.image_url(dest_url).map(Cow::into_owned);
                    let start = self.inline.len();
                    self.spans.push(Span::Image { url, start });
                }
            }
            Tag::MetadataBlock(_) => self.in_metadata = true,
        }
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::DefinitionList => self.end_block(),
            TagEnd::Heading(_) => self.end_heading(),
            TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListDefinition => {
                self.flush_inline();
                self.close_container();
                self.need_blank = true;
            }
            TagEnd::CodeBlock => self.end_code(),
            TagEnd::HtmlBlock => self.end_html(),
            TagEnd::List(_) => {
                self.end_block();
                self.lists.pop();
            }
            TagEnd::Item => {
                self.flush_inline();
                self.close_container();
            }
            TagEnd::DefinitionListTitle => self.flush_inline(),
            TagEnd::Table => self.end_table(),
            TagEnd::TableHead => {
                if let Some(table) = &mut self.table {
                    table.head = mem::take(&mut table.row);
                }
            }
            TagEnd::TableRow => {
                if let Some(table) = &mut self.table {
                    let row = mem::take(&mut table.row);
                    table.rows.push(row);
                }
            }
            TagEnd::TableCell => self.end_cell(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {}
            TagEnd::Superscript => self.end_script(&SUPERSCRIPT_DIGITS),
            TagEnd::Subscript => self.end_script(&SUBSCRIPT_DIGITS),
            TagEnd::Link => self.end_link(),
            TagEnd::Image => self.end_image(),
            TagEnd::MetadataBlock(_) => self.in_metadata = false,
        }
    }
}

/// What plain text cannot show as written, for `check`; the test
/// `degradations_are_what_the_output_shows` holds this account to the renderer. Emphasis,
/// inline code and images are plain text by nature and not reported.
pub fn degradation(construct: Construct) -> Option<Degradation> {
    match construct {
        Construct::Table => Degradation::changed("table rendered as plain-text columns"),
        Construct::HtmlBlock => Degradation::lost("raw HTML block reduced to its text"),
        Construct::InlineHtml => Degradation::lost("inline HTML reduced to its text"),
        Construct::Strikethrough => {
            Degradation::lost("struck-through text shown without its strikethrough")
        }
        Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
            Degradation::changed("heading attributes `{#id .class}` dropped")
        }
        Construct::LineBreakTag
        | Construct::CodeSpan
        | Construct::Image { .. }
        | Construct::ListStart => None,
    }
}
