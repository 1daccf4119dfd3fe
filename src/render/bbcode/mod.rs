//! The `bbcode` body format: BBCode as phpBB-style forums accept it.
//!
//! Shaped like pulldown-cmark's `html.rs`: a writer holding the output and a little state,
//! with `start_tag` / `end_tag` and exhaustive matches. Separators between blocks are owed
//! rather than written: a block records the separator it needs (`Sep`) and it is written only
//! when the next content arrives. That way there is never a leading or trailing blank line,
//! and a slice of the body (a section) renders as cleanly as the whole post.

mod blocks;
mod escape;
mod guard;
mod links;
mod output;
mod raw;
mod table;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use pulldown_cmark::{Event, Tag, TagEnd};

pub use escape::{escape, escape_value};
pub use guard::guard_links;

use super::lists::{Numbering, loose_lists};
use super::{Construct, Degradation, RenderOptions};
use crate::markdown::{Footnotes, ScriptSkip, matching_end, shifted_level, split_footnotes};
use blocks::heading_tags;
use links::OpenLink;

/// Renders events (a whole body or any balanced slice of it) as phpBB-style BBCode.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let mut writer = Writer::new(opts, &notes, false);
    writer.run(&main);
    writer.footnotes();
    writer.out
}

/// The separator owed before the next piece of content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    None,
    /// Between the paragraphs of a footnote, which is shown on one line.
    Space,
    Line,
    Blank,
}

/// An open block that decides how the blocks inside it are separated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Quote,
    /// `renumber` is the number of the next item when the list does not start at 1.
    List {
        tight: bool,
        renumber: Option<Numbering>,
    },
    Item {
        tight: bool,
    },
    DefinitionList,
    Definition,
}

#[derive(Debug)]
struct Writer<'a, 'e> {
    opts: &'a RenderOptions,
    notes: &'a Footnotes<'e>,
    out: String,
    sep: Sep,
    /// Nothing written yet in the innermost container, so the separator its opener left
    /// (if any) stands instead of a block separator.
    fresh: bool,
    containers: Vec<Container>,
    links: Vec<OpenLink>,
    /// The content of the code block being read; written verbatim at its end.
    code: Option<String>,
    /// The raw HTML block being read: a `<script>` spans several `Html` events, so the
    /// block is reduced to text as a whole.
    html: Option<String>,
    /// Inside an inline `<script>`/`<style>`: the closing tag that ends the skipped text.
    skip_inline: ScriptSkip,
    /// Rendering a footnote: its top-level blocks are joined on one line.
    one_line: bool,
    /// The loose lists among the events `run` walks, by index.
    loose_lists: HashSet<usize>,
}

impl<'a, 'e> Writer<'a, 'e> {
    fn new(opts: &'a RenderOptions, notes: &'a Footnotes<'e>, one_line: bool) -> Self {
        Writer {
            opts,
            notes,
            out: String::new(),
            sep: Sep::None,
            fresh: true,
            containers: Vec::new(),
            links: Vec::new(),
            code: None,
            html: None,
            skip_inline: ScriptSkip::default(),
            one_line,
            loose_lists: HashSet::new(),
        }
    }

    fn run(&mut self, events: &[&Event<'static>]) {
        self.loose_lists = loose_lists(events);
        let mut i = 0;
        while i < events.len() {
            i = self.event(events, i) + 1;
        }
    }

    /// Handles `events[i]`; returns the index of the last event consumed.
    fn event(&mut self, events: &[&Event<'static>], i: usize) -> usize {
        match events[i] {
            Event::Start(tag) => return self.start_tag(tag, events, i),
            Event::End(tag) => self.end_tag(*tag),
            Event::Text(text) | Event::Code(text) => self.text(text),
            Event::InlineMath(math) => self.text(&format!("${math}$")),
            Event::DisplayMath(math) => self.text(&format!("$${math}$$")),
            Event::Html(html) => self.html(html),
            Event::InlineHtml(html) => self.inline_html(html),
            Event::FootnoteReference(label) => self.footnote_reference(label),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.markup("\n"),
            Event::Rule => self.rule(),
            Event::TaskListMarker(done) => self.markup(if *done { "☑ " } else { "☐ " }),
        }
        i
    }

    fn start_tag(&mut self, tag: &Tag<'static>, events: &[&Event<'static>], i: usize) -> usize {
        match tag {
            Tag::Paragraph => self.start_block(),
            Tag::Heading { level, .. } => {
                self.start_block();
                let (open, _) = heading_tags(shifted_level(*level, self.opts.heading_shift));
                self.markup(open);
            }
            Tag::BlockQuote(kind) => self.start_quote(*kind),
            Tag::CodeBlock(_) => {
                self.start_block();
                self.code = Some(String::new());
            }
            // The separator waits for the block's text: a block may reduce to nothing.
            Tag::HtmlBlock => self.html = Some(String::new()),
            Tag::List(start) => self.start_list(*start, !self.loose_lists.contains(&i)),
            Tag::Item => self.start_item(),
            // Definitions are listed at the end by `footnotes`; front matter is not body.
            Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) => return matching_end(events, i),
            Tag::DefinitionList => {
                self.start_block();
                self.containers.push(Container::DefinitionList);
                self.fresh = true;
            }
            Tag::DefinitionListTitle => {
                self.start_block();
                self.markup("[b]");
            }
            Tag::DefinitionListDefinition => {
                self.start_block();
                self.containers.push(Container::Definition);
                self.fresh = true;
            }
            Tag::Table(alignments) => {
                let end = matching_end(events, i);
                self.table(alignments, inner(events, i, end));
                return end;
            }
            // Only reachable in a slice that starts inside a table; the cells' text still shows.
            Tag::TableHead | Tag::TableRow | Tag::TableCell => {}
            Tag::Emphasis => self.markup("[i]"),
            Tag::Strong => self.markup("[b]"),
            Tag::Strikethrough => self.markup("[s]"),
            // phpBB has no [sup]/[sub] by default; the text reads fine without.
            Tag::Superscript | Tag::Subscript => {}
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => self.start_link(*link_type, dest_url),
            Tag::Image { dest_url, .. } => {
                let end = matching_end(events, i);
                self.image(dest_url, inner(events, i, end));
                return end;
            }
        }
        i
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => self.skip_inline.reset(),
            TagEnd::Heading(level) => {
                let (_, close) = heading_tags(shifted_level(level, self.opts.heading_shift));
                self.markup(close);
                self.skip_inline.reset();
            }
            TagEnd::BlockQuote(_) => self.close_container("[/quote]"),
            TagEnd::CodeBlock => self.end_code_block(),
            TagEnd::HtmlBlock => self.end_html_block(),
            TagEnd::List(_) => self.close_container("[/list]"),
            TagEnd::Item | TagEnd::DefinitionList | TagEnd::DefinitionListDefinition => {
                self.containers.pop();
            }
            TagEnd::DefinitionListTitle => self.markup("[/b]"),
            // Consumed whole by `start_tag`.
            TagEnd::FootnoteDefinition
            | TagEnd::MetadataBlock(_)
            | TagEnd::Table
            | TagEnd::TableHead
            | TagEnd::TableRow
            | TagEnd::TableCell
            | TagEnd::Image => {}
            TagEnd::Emphasis => self.markup("[/i]"),
            TagEnd::Strong => self.markup("[/b]"),
            TagEnd::Strikethrough => self.markup("[/s]"),
            TagEnd::Superscript | TagEnd::Subscript => {}
            TagEnd::Link => self.end_link(),
        }
    }
}

/// The events strictly between `start` and `end` (empty for a truncated slice).
fn inner<'s, 'e>(
    events: &'s [&'e Event<'static>],
    start: usize,
    end: usize,
) -> &'s [&'e Event<'static>] {
    events.get(start + 1..end).unwrap_or(&[])
}

/// What the forum cannot show as written, for `check`; the test
/// `degradations_are_what_the_output_shows` holds this account to the renderer.
pub fn degradation(construct: Construct) -> Option<Degradation> {
    match construct {
        Construct::Table => Degradation::lost("table rendered as preformatted text"),
        Construct::HtmlBlock => Degradation::lost("raw HTML block reduced to its text"),
        Construct::InlineHtml => Degradation::lost("inline HTML reduced to its text"),
        Construct::CodeSpan => Degradation::changed("inline code shown as plain text"),
        Construct::Image { alt: true } => Degradation::changed("image shown without its alt text"),
        Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
            Degradation::changed("heading attributes `{#id .class}` dropped")
        }
        Construct::ListStart => Degradation::changed(
            "numbered list not starting at 1 shown as bullets with its numbers",
        ),
        Construct::LineBreakTag | Construct::Strikethrough | Construct::Image { alt: false } => {
            None
        }
    }
}
