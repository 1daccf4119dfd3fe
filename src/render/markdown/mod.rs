//! The `markdown` body format: normalised CommonMark plus the GFM extensions the parse
//! enables (tables, strikethrough, task lists, footnotes).
//!
//! The output must parse back to the events it was written from (the round-trip tests
//! check this), so the writer cares about two things above all:
//!
//! * Escaping: nothing that was text may turn into structure. Text is backslash-escaped
//!   wherever a character could start markup, and at the start of a line wherever it
//!   could start a block. Straight quotes, `--` and `...` are escaped too, because the
//!   parse uses smart punctuation and would otherwise curl or join them; spaces the parse
//!   would strip (line ends, inside emphasis) are written as `&#32;`.
//! * Layout: every paragraph is one line, so no wrapped line can start a block; blocks are
//!   separated by one blank line, except inside tight lists, where a blank line would make
//!   the list loose; container blocks (quotes, list items, footnote definitions) write
//!   their lines through a stack of prefixes, each with a first-line and a continuation
//!   form.
//!
//! Choices where CommonMark allows several spellings:
//!
//! * Adjacent lists would merge into one, so a list right after another of the same kind
//!   takes the other marker (`-` then `*`, `1.` then `1)`); a nested list that starts on
//!   its parent item's first line also avoids the parent's bullet, since `- - -` is a rule.
//! * Ordered items are numbered on from the list's start, except past 999,999,999, the
//!   largest number CommonMark reads: later items repeat it (only the first item's number
//!   sets the list's numbering).
//! * Rules are `---`, or `***`/`___` where `---` would underline text into a heading or
//!   repeat a list bullet on the same line.
//! * Emphasis is `*`/`**`; `_`/`__` only where two runs touch and would merge.
//! * Headings are ATX, except those holding a hard break or a task marker (setext).
//! * Superscript and subscript, which have no CommonMark syntax, are `<sup>`/`<sub>`;
//!   math is `$…$`/`$$…$$`; definition lists use the `term` / `: definition` syntax.
//! * Footnotes are numbered by [`split_footnotes`] and their definitions written at the end.
//!   A reference whose definition is not among the events is written as text.
//!
//! Known not to round-trip (found by generated documents; none in prose-like ones):
//!
//! * Emphasis nested three deep, or touching runs pressed against letters, such as
//!   `a*****c*****é` or `x****a*é*a*`: the source relies on one merged delimiter run and
//!   the rule of 3, and no spelling with separate runs parses the same.
//! * A list that is loose only because a footnote definition sat inside it: once the
//!   definition moves to the end, a one-item, one-paragraph list reads back tight.

mod blocks;
mod emphasis;
mod escape;
mod index;
mod inline;
mod lines;
mod links;
mod table;
#[cfg(test)]
mod tests;

use pulldown_cmark::{CodeBlockKind, Event, Tag, TagEnd};

use super::{Construct, Degradation, RawHtml, RenderOptions};
use crate::markdown::{Footnotes, split_footnotes};
use blocks::{List, Raw, RawKind};
use emphasis::Delimiter;
use index::Index;
use inline::{Inline, InlineKind, Last};
use lines::Level;
use table::Table;

/// Plain text (a title, a question) escaped to stay plain text anywhere a Markdown
/// paragraph or heading may hold it: written through the renderer itself, so the rules
/// are the ones the body follows. Line breaks become spaces.
pub fn escape(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let events = [
        Event::Start(Tag::Paragraph),
        Event::Text(flat.into()),
        Event::End(TagEnd::Paragraph),
    ];
    render(&events, &RenderOptions::default())
}

/// Renders events as normalised CommonMark. No leading or trailing blank lines and no
/// final newline.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    match super::portable::prepare(events, opts) {
        Some(prepared) => write(&prepared, opts),
        None => write(events, opts),
    }
}

/// Writes events that need no portable rewriting (see `portable`).
fn write(events: &[Event<'static>], opts: &RenderOptions) -> String {
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let mut writer = Writer::new(opts, &notes);
    writer.run(&main);
    for &(number, _, body) in &notes.defs {
        let body: Vec<&Event<'static>> = body.iter().collect();
        writer.footnote_definition(&number.to_string(), &body);
    }
    writer.finish()
}

/// The main flow is a list of references (footnote definitions lifted out), so the writer
/// works on references throughout.
type Events<'e> = [&'e Event<'static>];

#[derive(Debug)]
struct Writer<'a> {
    opts: &'a RenderOptions,
    notes: &'a Footnotes<'a>,
    out: String,
    levels: Vec<Level>,
    /// A blank line owed before the next line, written with the prefixes of this many levels.
    pending_blank: Option<usize>,
    lists: Vec<List>,
    inline: Option<Inline>,
    /// The buffer of the last inline run, for the next one.
    spare: String,
    raw: Option<Raw>,
    table: Option<Table>,
    /// What closes each open link or image; `None` for an unsafe URL shown as text only.
    links: Vec<Option<String>>,
    /// The delimiter that closes each open emphasis, strong or strikethrough.
    delimiters: Vec<Delimiter>,
    /// The structure of the events `run` is walking.
    index: Index,
    /// How many levels still waiting for their first line have each of `BULLETS` in their
    /// marker (`- `, `* ` …), kept as levels open and write: collecting those markers for
    /// each list would be quadratic in lists nested thousands deep on one line.
    waiting: [usize; 3],
}

impl<'a> Writer<'a> {
    fn new(opts: &'a RenderOptions, notes: &'a Footnotes<'a>) -> Self {
        Writer {
            opts,
            notes,
            out: String::new(),
            levels: vec![Level::new(String::new(), String::new(), false)],
            pending_blank: None,
            lists: Vec::new(),
            inline: None,
            spare: String::new(),
            raw: None,
            table: None,
            links: Vec::new(),
            delimiters: Vec::new(),
            index: Index::default(),
            waiting: [0; 3],
        }
    }

    fn run(&mut self, events: &Events<'_>) {
        let outer = std::mem::replace(&mut self.index, Index::new(events));
        let mut i = 0;
        while i < events.len() {
            i = self.event(events, i);
        }
        self.close_implicit();
        self.index = outer;
    }

    fn finish(mut self) -> String {
        self.close_implicit();
        let trimmed = self.out.trim_end_matches('\n').len();
        self.out.truncate(trimmed);
        let leading = self.out.len() - self.out.trim_start_matches('\n').len();
        self.out.split_off(leading)
    }

    /// Handles `events[i]`; returns the index of the next event to handle.
    fn event(&mut self, events: &Events<'_>, i: usize) -> usize {
        match events[i] {
            Event::Start(tag) => return self.start_tag(tag, events, i),
            Event::End(tag) => self.end_tag(*tag),
            Event::Text(text) => self.text(text),
            Event::Code(code) => self.code_span(code),
            Event::InlineMath(math) => self.math("$", math),
            Event::DisplayMath(math) => self.math("$$", math),
            Event::Html(html) => self.html(html),
            Event::InlineHtml(html) => self.inline_html(html),
            Event::FootnoteReference(label) => self.footnote_reference(label),
            Event::SoftBreak => self.put(
                " ",
                Last::Text {
                    trailing_space: false,
                },
            ),
            Event::HardBreak => self.hard_break(),
            Event::Rule => self.rule(),
            Event::TaskListMarker(done) => {
                self.put(if *done { "[x] " } else { "[ ] " }, Last::TaskMarker)
            }
        }
        i + 1
    }

    fn start_tag(&mut self, tag: &Tag<'static>, events: &Events<'_>, i: usize) -> usize {
        match tag {
            Tag::Paragraph => self.open_inline(InlineKind::Paragraph),
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => {
                let end = self.index.end(i);
                // Only the setext form holds a line break, or a task marker (a setext
                // heading can be a task item's first line).
                let needs_setext = events[i..end]
                    .iter()
                    .any(|e| matches!(e, Event::HardBreak | Event::TaskListMarker(_)));
                self.heading_start(*level, id.as_deref(), classes, attrs, needs_setext);
            }
            Tag::BlockQuote(kind) => self.block_quote_start(*kind),
            Tag::CodeBlock(kind) => self.raw_start(RawKind::Code(match kind {
                CodeBlockKind::Fenced(info) => Some(info.to_string()),
                CodeBlockKind::Indented => None,
            })),
            Tag::HtmlBlock => self.raw_start(RawKind::Html),
            Tag::MetadataBlock(kind) => self.raw_start(RawKind::Metadata(*kind)),
            Tag::List(start) => self.list_start(*start, self.index.tight.contains(&i)),
            Tag::Item => self.item_start(),
            Tag::FootnoteDefinition(label) => {
                let number = self.notes.number(label).map(|n| n.to_string());
                self.container_start(
                    format!("[^{}]: ", number.as_deref().unwrap_or(label)),
                    "    ",
                    false,
                );
            }
            Tag::DefinitionList => {
                self.block_start();
                self.push_level(Level::new(String::new(), String::new(), true));
            }
            Tag::DefinitionListTitle => self.open_inline(InlineKind::Term),
            Tag::DefinitionListDefinition => self.container_start(": ".into(), "  ", false),
            Tag::Table(aligns) => {
                self.block_start();
                self.table = Some(Table {
                    aligns: aligns.clone(),
                    rows: Vec::new(),
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(table) = &mut self.table {
                    table.rows.push(Vec::new());
                }
            }
            Tag::TableCell => {
                self.inline = Some(Inline::new(
                    InlineKind::Cell,
                    std::mem::take(&mut self.spare),
                ));
            }
            Tag::Emphasis => self.emphasis_start(false, events, i),
            Tag::Strong => self.emphasis_start(true, events, i),
            Tag::Strikethrough => self.delimiter_start(Delimiter {
                text: "~~",
                word_before: false,
                word_after: false,
            }),
            // Neither has CommonMark syntax and `~x~` would read back as strikethrough.
            Tag::Superscript => self.put("<sup>", Last::Other),
            Tag::Subscript => self.put("<sub>", Last::Other),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id: _,
            } => return self.link_start(*link_type, dest_url, title, events, i),
            Tag::Image {
                link_type: _,
                dest_url,
                title,
                id: _,
            } => self.image_start(dest_url, title),
        }
        i + 1
    }

    fn end_tag(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::DefinitionListTitle => {
                self.flush_inline()
            }
            TagEnd::BlockQuote(_)
            | TagEnd::Item
            | TagEnd::FootnoteDefinition
            | TagEnd::DefinitionListDefinition => self.container_end(),
            TagEnd::CodeBlock | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => self.raw_end(),
            TagEnd::List(_) => self.list_end(),
            TagEnd::DefinitionList => {
                self.close_implicit();
                self.pop_level();
            }
            TagEnd::Table => self.table_end(),
            TagEnd::TableHead | TagEnd::TableRow => {}
            TagEnd::TableCell => self.cell_end(),
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => self.delimiter_end(),
            TagEnd::Superscript => self.put("</sup>", Last::Other),
            TagEnd::Subscript => self.put("</sub>", Last::Other),
            TagEnd::Link | TagEnd::Image => {
                if let Some(Some(close)) = self.links.pop() {
                    self.put(&close, Last::Other);
                }
            }
        }
    }
}

/// What Markdown cannot show as written, for `check`: nothing the post parse produces —
/// the test `degradations_are_what_the_output_shows` checks that each is kept.
pub fn degradation(raw_html: RawHtml, construct: Construct) -> Option<Degradation> {
    // `raw_html: text` (and `sanitize`) rewrite raw HTML before writing (see `portable`).
    let as_text = raw_html != RawHtml::Keep;
    match construct {
        Construct::HtmlBlock if as_text => Degradation::lost("raw HTML block reduced to its text"),
        Construct::InlineHtml if as_text => Degradation::lost("inline HTML reduced to its text"),
        // CommonMark as forums render it has no attribute syntax either.
        Construct::HeadingAttributes | Construct::HeadingCustomAttributes if as_text => {
            Degradation::changed("heading attributes `{#id .class}` dropped")
        }
        Construct::Table
        | Construct::HtmlBlock
        | Construct::InlineHtml
        | Construct::LineBreakTag
        | Construct::CodeSpan
        | Construct::Strikethrough
        | Construct::Image { .. }
        | Construct::HeadingAttributes
        | Construct::HeadingCustomAttributes
        | Construct::ListStart => None,
    }
}
