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

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType,
    MetadataBlockKind, Tag, TagEnd,
};

use std::collections::{HashMap, HashSet};

use super::{
    Construct, Degradation, Footnotes, RawHtml, RenderOptions, is_inline, shifted_level,
    split_footnotes,
};

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

/// A container on the prefix stack: the root, a list, a list item, a quote, a footnote.
#[derive(Debug)]
struct Level {
    /// Written before this container's first line (`- `, `1. `, `> `, `[^1]: `).
    first: String,
    /// Written before every later line.
    rest: String,
    first_written: bool,
    /// Blocks directly inside are separated by a line break only, never a blank line.
    tight: bool,
    /// Whether any line has been written inside; the next block then needs a separator.
    has_content: bool,
    /// The marker of a list that was the last block here, so a following list differs.
    prev_list: Option<ListMarker>,
    /// A list item: its first line may be left empty.
    item: bool,
}

impl Level {
    fn new(first: String, rest: String, tight: bool) -> Self {
        Level {
            first_written: first.is_empty(),
            first,
            rest,
            tight,
            has_content: false,
            prev_list: None,
            item: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ListMarker {
    Bullet(char),
    Ordered(char),
}

#[derive(Debug)]
struct List {
    marker: ListMarker,
    next: u64,
    tight: bool,
}

impl List {
    fn next_marker(&mut self) -> String {
        match self.marker {
            ListMarker::Bullet(c) => c.to_string(),
            ListMarker::Ordered(delim) => {
                let marker = format!("{}{delim}", self.next);
                self.next = self.next.saturating_add(1);
                marker
            }
        }
    }
}

/// What an inline run is collected for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum InlineKind {
    Paragraph,
    /// Text directly inside a tight list item: a paragraph without the tag.
    Implicit,
    Heading {
        level: u8,
        attrs: String,
        /// Written as a setext heading, the only form that can hold a hard break or
        /// follow a task marker.
        setext: bool,
    },
    Cell,
    /// A definition list title.
    Term,
}

impl InlineKind {
    /// Whether a line of this run could be read as the start of a block, so its first
    /// characters need block-level escaping. Heading and cell content is inline only.
    fn starts_lines(&self) -> bool {
        match self {
            InlineKind::Paragraph | InlineKind::Implicit | InlineKind::Term => true,
            InlineKind::Heading { setext, .. } => *setext,
            InlineKind::Cell => false,
        }
    }
}

/// The last thing written to an inline run, for escaping decisions at its boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing yet on this line (run start or after a hard break).
    LineStart,
    Text {
        trailing_space: bool,
    },
    /// An opening delimiter (`*`, `_`, `~`): a neighbouring delimiter must not repeat its
    /// character, and whitespace right after it would stop it opening.
    Opener(char),
    /// A closing delimiter, which a neighbouring delimiter must not repeat either.
    Closer(&'static str),
    /// `[^n]`, which `:` or `(` right after would turn into a definition or a link.
    FootnoteRef,
    /// `[ ] ` or `[x] `, after which the parse strips whitespace.
    TaskMarker,
    Other,
}

#[derive(Debug)]
struct Inline {
    kind: InlineKind,
    buf: String,
    last: Last,
}

/// Block content written verbatim: code, raw HTML, metadata.
#[derive(Debug)]
enum RawKind {
    Code(Option<String>),
    Html,
    Metadata(MetadataBlockKind),
}

#[derive(Debug)]
struct Raw {
    kind: RawKind,
    text: String,
}

/// An open emphasis, strong or strikethrough run.
#[derive(Debug, Clone, Copy)]
struct Delimiter {
    text: &'static str,
    /// A letter touches the run from outside, so an inner run touching it from inside
    /// must merge with it: with punctuation on both sides a run cannot open or close.
    word_before: bool,
    word_after: bool,
}

#[derive(Debug, Default)]
struct Table {
    aligns: Vec<Alignment>,
    rows: Vec<Vec<String>>,
}

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
            Tag::TableCell => self.inline = Some(Inline::new(InlineKind::Cell)),
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

    // ----- lines and containers -----

    /// Starts a block in the innermost container, owing a blank line when the container
    /// already has content and is not tight.
    fn block_start(&mut self) {
        self.close_implicit();
        let depth = self.levels.len();
        if let Some(level) = self.levels.last_mut() {
            level.prev_list = None;
            if level.has_content && !level.tight {
                self.pending_blank = Some(depth);
            }
        }
    }

    fn container_start(&mut self, first: String, rest: &str, tight: bool) {
        self.block_start();
        self.push_level(Level::new(first, rest.to_string(), tight));
    }

    fn container_end(&mut self) {
        self.close_implicit();
        // An empty item or quote still needs its marker to exist.
        if self.levels.last().is_some_and(|l| !l.first_written) {
            self.emit_line("");
        }
        self.pop_level();
    }

    fn push_level(&mut self, level: Level) {
        if !level.first_written {
            count_bullets(&mut self.waiting, &level.first, true);
        }
        self.levels.push(level);
    }

    /// Leaves a container; the root stays.
    fn pop_level(&mut self) {
        if self.levels.len() > 1
            && let Some(level) = self.levels.pop()
            && !level.first_written
        {
            count_bullets(&mut self.waiting, &level.first, false);
        }
    }

    /// The prefix the next line would get, without claiming any first-line prefix.
    fn next_prefix(&self) -> String {
        self.levels
            .iter()
            .map(|l| if l.first_written { &l.rest } else { &l.first })
            .map(String::as_str)
            .collect()
    }

    fn emit_line(&mut self, content: &str) {
        // Spaces after a list marker belong to the marker; leading spaces of an item's
        // first line (raw HTML) survive only on the line after a bare marker.
        if content.starts_with([' ', '\t'])
            && self.levels.iter().any(|l| l.item && !l.first_written)
        {
            self.emit_line("");
        }
        if let Some(depth) = self.pending_blank.take() {
            let prefix: String = self.levels[..depth.min(self.levels.len())]
                .iter()
                .map(|l| l.rest.as_str())
                .collect();
            self.out.push_str(prefix.trim_end());
            self.out.push('\n');
        }
        let start = self.out.len();
        for level in &mut self.levels {
            if level.first_written {
                self.out.push_str(&level.rest);
            } else {
                self.out.push_str(&level.first);
                level.first_written = true;
                count_bullets(&mut self.waiting, &level.first, false);
            }
            level.has_content = true;
        }
        self.out.push_str(content);
        if content.is_empty() {
            // Prefixes such as `> ` or list indentation would leave trailing spaces.
            let kept = start + self.out[start..].trim_end().len();
            self.out.truncate(kept);
        }
        self.out.push('\n');
    }

    /// Emits raw content line by line; a final newline does not make an extra line.
    fn emit_verbatim(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let text = text.strip_suffix('\n').unwrap_or(text);
        for line in text.split('\n') {
            self.emit_line(line);
        }
    }

    // ----- inline runs -----

    fn open_inline(&mut self, kind: InlineKind) {
        self.block_start();
        self.inline = Some(Inline::new(kind));
    }

    /// Inline content outside a paragraph (tight list items) opens an implicit one.
    fn ensure_inline(&mut self) {
        if self.inline.is_none() {
            self.open_inline(InlineKind::Implicit);
        }
    }

    fn close_implicit(&mut self) {
        if self
            .inline
            .as_ref()
            .is_some_and(|run| run.kind == InlineKind::Implicit)
        {
            self.flush_inline();
        }
    }

    fn put(&mut self, s: &str, last: Last) {
        self.ensure_inline();
        if let Some(run) = &mut self.inline {
            run.buf.push_str(s);
            run.last = last;
        }
    }

    /// Ends the open inline run and writes it as its block.
    fn flush_inline(&mut self) {
        let Some(run) = self.inline.take() else {
            return;
        };
        let kind = run.kind.clone();
        let only_task_marker = run.last == Last::TaskMarker;
        let text = run.finished_text();
        match kind {
            InlineKind::Paragraph | InlineKind::Implicit | InlineKind::Term => {
                if !text.is_empty() {
                    self.emit_verbatim(&text);
                }
                // A marker alone on its line belongs to the block below it; a blank line
                // in between would end the item there.
                if only_task_marker && let Some(level) = self.levels.last_mut() {
                    level.has_content = false;
                }
            }
            InlineKind::Heading {
                level,
                attrs,
                setext,
            } => {
                let mut line = if setext {
                    String::new()
                } else {
                    "#".repeat(usize::from(level))
                };
                let text = protect_heading_end(text);
                for part in [text.as_str(), attrs.as_str()] {
                    if !part.is_empty() {
                        if !line.is_empty() {
                            line.push(' ');
                        }
                        line.push_str(part);
                    }
                }
                self.emit_verbatim(&line);
                if setext {
                    self.emit_line(if level == 1 { "===" } else { "---" });
                }
            }
            InlineKind::Cell => self.push_cell(&text),
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(raw) = &mut self.raw {
            raw.text.push_str(text);
            return;
        }
        if text.is_empty() {
            return;
        }
        self.ensure_inline();
        let Some(run) = &self.inline else {
            return;
        };
        let cx = TextContext {
            // Whitespace right inside an emphasis delimiter would stop it delimiting.
            line_start: matches!(
                run.last,
                Last::LineStart | Last::Opener(_) | Last::TaskMarker
            ),
            block_start: run.last == Last::LineStart && run.kind.starts_lines(),
            prev: run.buf.chars().next_back(),
            after_reference: run.last == Last::FootnoteRef,
        };
        if let Some(run) = &mut self.inline {
            escape_text(text, &cx, &mut run.buf);
            run.last = Last::Text {
                trailing_space: run.buf.ends_with([' ', '\t']),
            };
        }
    }

    fn code_span(&mut self, code: &str) {
        let code = code.replace(['\n', '\r'], " ");
        if code.is_empty() {
            return;
        }
        let fence = "`".repeat(longest_run(&code, '`') + 1);
        let pad = !code.trim_matches(' ').is_empty()
            && (code.starts_with([' ', '`']) || code.ends_with([' ', '`']));
        let pad = if pad { " " } else { "" };
        self.put(&format!("{fence}{pad}{code}{pad}{fence}"), Last::Other);
    }

    fn math(&mut self, fence: &str, math: &str) {
        self.put(&format!("{fence}{math}{fence}"), Last::Other);
    }

    fn inline_html(&mut self, html: &str) {
        self.put(html, Last::Other);
    }

    fn hard_break(&mut self) {
        let breaks_line = self
            .inline
            .as_ref()
            .is_none_or(|run| run.kind.starts_lines());
        if breaks_line {
            self.put("\\\n", Last::LineStart);
        } else {
            // An ATX heading (level 3 and up) or a table cell cannot hold a line break.
            self.put(" ", Last::Other);
        }
    }

    fn footnote_reference(&mut self, label: &str) {
        match self.notes.number(label) {
            Some(n) => {
                self.protect_bang();
                self.put(&format!("[^{n}]"), Last::FootnoteRef);
            }
            // No definition in these events: show the label as text, never a dangling link.
            None => self.text(&format!("[^{label}]")),
        }
    }

    /// Opens `*`/`**` or `_`/`__`.
    ///
    /// Two touching `*` runs merge into one, which then parses differently (`*a**b*`,
    /// `**x**` for emphasis in emphasis, and the rule of 3 on merged runs), so a run that
    /// touches another takes `_` where `_` can work: it cannot open after or close before
    /// a letter. Where it cannot, `*` merging with the neighbour is the only option left.
    /// Along a chain of touching siblings the characters alternate, starting from the end
    /// that can take `_`; emphasis whose only child is strong is written `***x***`.
    fn emphasis_start(&mut self, strong: bool, events: &Events<'_>, i: usize) {
        self.ensure_inline();
        let (prev, last) = match &self.inline {
            Some(run) => (run.buf.chars().next_back(), run.last),
            None => (None, Last::LineStart),
        };
        let end = self.index.end(i);
        let word_after = following(events, end) == Follow::Word;
        let c = match last {
            // A touching sibling: `*a**b*` would not be two emphases. Where `_` cannot close
            // before a letter, runs of different widths may still merge (`*a***b**`).
            Last::Closer(prev_run @ ("*" | "**"))
                if word_after && (prev_run.len() == 2) != strong =>
            {
                '*'
            }
            Last::Closer(prev_run @ ("*" | "**" | "_" | "__")) => {
                other_emphasis_char(prev_run.chars().next().unwrap_or('*'))
            }
            Last::Opener(_)
            | Last::Closer(_)
            | Last::LineStart
            | Last::Text { .. }
            | Last::FootnoteRef
            | Last::TaskMarker
            | Last::Other => self.chain_start_char(prev, last, strong, events, i),
        };
        let text = match (strong, c) {
            (false, '_') => "_",
            (true, '_') => "__",
            (false, _) => "*",
            (true, _) => "**",
        };
        self.delimiter_start(Delimiter {
            text,
            word_before: prev.is_some_and(is_wordish),
            word_after,
        });
    }

    /// The character for the first of a chain of touching sibling emphases.
    fn chain_start_char(
        &self,
        prev: Option<char>,
        last: Last,
        strong: bool,
        events: &Events<'_>,
        i: usize,
    ) -> char {
        let parent = self.delimiters.last().copied().unwrap_or(Delimiter {
            text: "",
            word_before: false,
            word_after: false,
        });
        let (count, chain_end) = sibling_chain(events, &self.index, i);
        let opens_with_parent = matches!(last, Last::Opener('*' | '_'));
        let closes_with_parent = is_emphasis_end(events.get(chain_end + 1));
        if opens_with_parent && closes_with_parent && count == 1 {
            // With a letter outside, only merged runs can open or close at all.
            let parent_touches_word = parent.word_before || parent.word_after;
            return if (parent.text == "*" && strong)
                || (parent.text.starts_with('*') && parent_touches_word)
            {
                '*'
            } else {
                other_emphasis_char(parent.text.chars().next().unwrap_or('*'))
            };
        }
        let first_takes_underscore = !prev.is_some_and(is_wordish)
            && !(opens_with_parent && (parent.text.starts_with('_') || parent.word_before));
        let last_takes_underscore = following(events, chain_end) != Follow::Word
            && !(closes_with_parent && (parent.text.starts_with('_') || parent.word_after));
        if count > 1 {
            return if count % 2 == 1 || last_takes_underscore || !first_takes_underscore {
                '*'
            } else {
                '_'
            };
        }
        // A touching child takes `_` itself unless a letter outside it forbids that.
        let end = self.index.end(i);
        let first_child_needs_star = is_emphasis_start(events.get(i + 1))
            && following(events, self.index.end(i + 1)) == Follow::Word;
        let last_child_needs_star = end.checked_sub(1).is_some_and(|k| {
            is_emphasis_end(events.get(k)) && preceding(events, self.index.start(k)) == Follow::Word
        });
        let touches = opens_with_parent
            || closes_with_parent
            || first_child_needs_star
            || last_child_needs_star;
        if touches && first_takes_underscore && last_takes_underscore {
            '_'
        } else {
            '*'
        }
    }

    fn delimiter_start(&mut self, delimiter: Delimiter) {
        self.delimiters.push(delimiter);
        let c = delimiter.text.chars().next().unwrap_or('*');
        self.put(delimiter.text, Last::Opener(c));
    }

    fn delimiter_end(&mut self) {
        if let Some(run) = &mut self.inline {
            run.protect_trailing_space();
        }
        if let Some(delimiter) = self.delimiters.pop() {
            self.put(delimiter.text, Last::Closer(delimiter.text));
        }
    }

    fn link_start(
        &mut self,
        link_type: LinkType,
        dest: &str,
        title: &str,
        events: &Events<'_>,
        i: usize,
    ) -> usize {
        self.ensure_inline();
        let target = match link_type {
            LinkType::Email => format!("mailto:{dest}"),
            LinkType::Inline
            | LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
            | LinkType::Autolink
            | LinkType::WikiLink { .. } => dest.to_string(),
        };
        let Some(url) = self.opts.url(&target) else {
            self.links.push(None);
            return i + 1;
        };
        let end = self.index.end(i);
        if title.is_empty()
            && let Some(auto) = autolink(&url, &events[i + 1..end])
        {
            self.put(&auto, Last::Other);
            return end + 1;
        }
        self.protect_bang();
        self.put("[", Last::Other);
        self.links
            .push(Some(format!("]({})", target_text(&url, title))));
        i + 1
    }

    /// A `!` that text ends with would turn the `[` about to follow into an image.
    fn protect_bang(&mut self) {
        if let Some(run) = &mut self.inline
            && matches!(run.last, Last::Text { .. })
            && run.buf.ends_with('!')
        {
            run.buf.insert(run.buf.len() - 1, '\\');
        }
    }

    fn image_start(&mut self, dest: &str, title: &str) {
        match self.opts.url(dest) {
            Some(url) => {
                self.put("![", Last::Other);
                self.links
                    .push(Some(format!("]({})", target_text(&url, title))));
            }
            None => {
                self.ensure_inline();
                self.links.push(None);
            }
        }
    }

    // ----- blocks -----

    fn heading_start(
        &mut self,
        level: HeadingLevel,
        id: Option<&str>,
        classes: &[CowStr<'static>],
        attrs: &[(CowStr<'static>, Option<CowStr<'static>>)],
        needs_setext: bool,
    ) {
        let mut parts: Vec<String> = Vec::new();
        parts.extend(id.map(|id| format!("#{id}")));
        parts.extend(classes.iter().map(|c| format!(".{c}")));
        parts.extend(attrs.iter().map(|(key, value)| match value {
            Some(value) => format!("{key}={value}"),
            None => key.to_string(),
        }));
        let attrs = if parts.is_empty() {
            String::new()
        } else {
            format!("{{{}}}", parts.join(" "))
        };
        let level = shifted_level(level, self.opts.heading_shift);
        self.open_inline(InlineKind::Heading {
            level,
            attrs,
            setext: needs_setext && level <= 2,
        });
    }

    fn block_quote_start(&mut self, kind: Option<BlockQuoteKind>) {
        self.container_start("> ".into(), "> ", false);
        let alert = kind.map(|kind| match kind {
            BlockQuoteKind::Note => "[!NOTE]",
            BlockQuoteKind::Tip => "[!TIP]",
            BlockQuoteKind::Important => "[!IMPORTANT]",
            BlockQuoteKind::Warning => "[!WARNING]",
            BlockQuoteKind::Caution => "[!CAUTION]",
        });
        if let Some(alert) = alert {
            self.emit_line(alert);
        }
    }

    fn list_start(&mut self, start: Option<u64>, tight: bool) {
        let prev = self.levels.last().and_then(|l| l.prev_list);
        self.block_start();
        // Bullets still waiting on this line: `- - -` (nested empty items) is a rule.
        let bullet = BULLETS
            .into_iter()
            .zip(self.waiting)
            .find(|&(c, waiting)| prev != Some(ListMarker::Bullet(c)) && waiting == 0)
            .map_or('+', |(c, _)| c);
        let marker = match start {
            None => ListMarker::Bullet(bullet),
            Some(_) if prev == Some(ListMarker::Ordered('.')) => ListMarker::Ordered(')'),
            Some(_) => ListMarker::Ordered('.'),
        };
        self.lists.push(List {
            marker,
            next: start.unwrap_or(1),
            tight,
        });
        self.push_level(Level::new(String::new(), String::new(), tight));
    }

    fn list_end(&mut self) {
        self.close_implicit();
        self.pop_level();
        let marker = self.lists.pop().map(|list| list.marker);
        if let Some(level) = self.levels.last_mut() {
            level.prev_list = marker;
        }
    }

    fn item_start(&mut self) {
        let (marker, tight) = match self.lists.last_mut() {
            Some(list) => (list.next_marker(), list.tight),
            None => ("-".to_string(), true),
        };
        let indent = " ".repeat(marker.len() + 1);
        self.container_start(format!("{marker} "), &indent, tight);
        if let Some(level) = self.levels.last_mut() {
            level.item = true;
        }
    }

    fn footnote_definition(&mut self, number: &str, body: &Events<'_>) {
        self.container_start(format!("[^{number}]: "), "    ", false);
        self.run(body);
        self.container_end();
    }

    fn rule(&mut self) {
        self.block_start();
        // `---` right under text in a tight container would make that text a heading, and
        // a rule drawn with a list's own bullet character would read as more bullets.
        let after_text = self.levels.last().is_some_and(|l| l.tight && l.has_content);
        let prefix = self.next_prefix();
        let c = ['-', '*', '_']
            .into_iter()
            .find(|&c| !(prefix.contains(c) || (c == '-' && after_text)))
            .unwrap_or('_');
        self.emit_line(&c.to_string().repeat(3));
    }

    fn raw_start(&mut self, kind: RawKind) {
        self.block_start();
        self.raw = Some(Raw {
            kind,
            text: String::new(),
        });
    }

    fn html(&mut self, html: &str) {
        match &mut self.raw {
            Some(raw) => raw.text.push_str(html),
            None => {
                // Block HTML outside an `HtmlBlock` (a hand-made slice): still its own block.
                self.block_start();
                self.emit_verbatim(html);
            }
        }
    }

    fn raw_end(&mut self) {
        let Some(raw) = self.raw.take() else {
            return;
        };
        match raw.kind {
            RawKind::Code(info) => self.code_block(info.as_deref().unwrap_or(""), &raw.text),
            RawKind::Html => self.emit_verbatim(&raw.text),
            RawKind::Metadata(kind) => {
                let fence = match kind {
                    MetadataBlockKind::YamlStyle => "---",
                    MetadataBlockKind::PlusesStyle => "+++",
                };
                self.emit_line(fence);
                self.emit_verbatim(&raw.text);
                self.emit_line(fence);
            }
        }
    }

    fn code_block(&mut self, info: &str, code: &str) {
        // A backtick fence's info string may not contain backticks; a tilde fence's may.
        let c = if info.contains('`') { '~' } else { '`' };
        let longest = code
            .lines()
            .map(|line| longest_leading_run(line.trim_start(), c))
            .max()
            .unwrap_or(0);
        let fence = c.to_string().repeat((longest + 1).max(3));
        self.emit_line(&format!("{fence}{}", escape_info(info)));
        self.emit_verbatim(code);
        self.emit_line(&fence);
    }

    fn cell_end(&mut self) {
        if self
            .inline
            .as_ref()
            .is_some_and(|run| run.kind == InlineKind::Cell)
        {
            self.flush_inline();
        }
    }

    fn push_cell(&mut self, text: &str) {
        // GFM splits rows on `|` before any inline parsing, so even code spans and URLs
        // need `\|`; the table parse removes that backslash again.
        let text = text.replace('|', "\\|");
        if let Some(row) = self.table.as_mut().and_then(|t| t.rows.last_mut()) {
            row.push(text);
        }
    }

    fn table_end(&mut self) {
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

impl Inline {
    fn new(kind: InlineKind) -> Self {
        Inline {
            kind,
            buf: String::new(),
            last: Last::LineStart,
        }
    }

    /// The run's text with its end made safe: the parse strips trailing spaces, so a
    /// space the text really ends with is written as a character reference.
    fn finished_text(mut self) -> String {
        self.protect_trailing_space();
        // A task marker needs its space to stay one; any other trailing space is left over
        // from a soft break.
        if self.last != Last::TaskMarker {
            let kept = self.buf.trim_end_matches(' ').len();
            self.buf.truncate(kept);
        }
        self.buf
    }

    /// Writes a space the text ends with as a character reference, where the parse would
    /// strip it (end of a line) or it would stop a closing delimiter from closing.
    fn protect_trailing_space(&mut self) {
        if let Last::Text {
            trailing_space: true,
        } = self.last
            && let Some(c) = self.buf.pop()
        {
            self.buf.push_str(if c == '\t' { "&#9;" } else { "&#32;" });
            self.last = Last::Text {
                trailing_space: false,
            };
        }
    }
}

/// The structure of an event slice, found in one pass before it is written: what closes
/// what, and which lists are tight. Scanning ahead from each list or emphasis instead would
/// be quadratic in either nested thousands deep.
#[derive(Debug, Default)]
struct Index {
    /// For a `Start`, the index of its `End` (the last index when the slice cuts it off);
    /// for an `End`, the index of its `Start` (0 when there is none); else the index itself.
    pair: Vec<usize>,
    /// The `Start` indices of the lists that must be written tight (no blank lines between
    /// or inside their items).
    ///
    /// Tightness shows in the events only as the presence of paragraph tags: items holding
    /// paragraphs must be loose, items holding bare text must be tight. Items holding
    /// blocks only may be either; they are written loose when an item holds several
    /// blocks, since two quotes or tables with nothing between them would merge.
    tight: HashSet<usize>,
}

/// What a list's items hold right inside them, for `Index::tight`.
#[derive(Debug, Default)]
struct ListFacts {
    paragraph: bool,
    bare_text: bool,
    /// An item holds several blocks.
    crowded: bool,
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
    fn new(events: &Events<'_>) -> Index {
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
    fn end(&self, start: usize) -> usize {
        self.pair.get(start).copied().unwrap_or(start)
    }

    /// The index of the `Start` that the `End` at `end` closes.
    fn start(&self, end: usize) -> usize {
        self.pair.get(end).copied().unwrap_or(0)
    }
}

/// The list markers a nested list must avoid while its parents' markers are still waiting
/// on the same line.
const BULLETS: [char; 3] = ['-', '*', '+'];

/// Counts (or uncounts) a level's first-line marker in `waiting`, per bullet it contains.
fn count_bullets(waiting: &mut [usize; 3], marker: &str, add: bool) {
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

/// What comes right after an inline element's end, as far as emphasis flanking cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Follow {
    Word,
    Other,
}

fn following(events: &Events<'_>, end: usize) -> Follow {
    match events.get(end + 1) {
        Some(Event::Text(text)) if text.chars().next().is_some_and(is_wordish) => Follow::Word,
        Some(_) | None => Follow::Other,
    }
}

/// What comes right before an inline element's start, as far as emphasis flanking cares.
fn preceding(events: &Events<'_>, start: usize) -> Follow {
    match start.checked_sub(1).and_then(|k| events.get(k)) {
        Some(Event::Text(text)) if text.chars().next_back().is_some_and(is_wordish) => Follow::Word,
        Some(_) | None => Follow::Other,
    }
}

/// How many emphases touch in a row from `start`, and the index where the last one ends.
fn sibling_chain(events: &Events<'_>, index: &Index, start: usize) -> (usize, usize) {
    let mut count = 1;
    let mut end = index.end(start);
    while is_emphasis_start(events.get(end + 1)) {
        count += 1;
        end = index.end(end + 1);
    }
    (count, end)
}

fn other_emphasis_char(c: char) -> char {
    if c == '_' { '*' } else { '_' }
}

fn is_emphasis_start(event: Option<&&Event<'_>>) -> bool {
    matches!(event, Some(Event::Start(Tag::Emphasis | Tag::Strong)))
}

fn is_emphasis_end(event: Option<&&Event<'_>>) -> bool {
    matches!(event, Some(Event::End(TagEnd::Emphasis | TagEnd::Strong)))
}

/// Neither whitespace nor punctuation, in the sense of CommonMark's flanking rules.
fn is_wordish(c: char) -> bool {
    c.is_alphanumeric()
}

/// `<url>` when a link shows exactly its own URL and that URL is valid autolink syntax.
fn autolink(url: &str, inner: &Events<'_>) -> Option<String> {
    let [Event::Text(text)] = inner else {
        return None;
    };
    let text: &str = text;
    let is_uri = text == url && is_absolute_uri(text);
    let is_email = url.strip_prefix("mailto:") == Some(text) && is_email(text);
    (is_uri || is_email).then(|| format!("<{text}>"))
}

fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !rest
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_control() || matches!(c, '<' | '>'))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
        && !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// `url "title"` for inside `(…)`.
fn target_text(url: &str, title: &str) -> String {
    let mut out = destination(url);
    if !title.is_empty() {
        out.push_str(" \"");
        let chars: Vec<char> = title.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' if starts_reference(chars[k + 1..].iter().copied()) => out.push_str("\\&"),
                // A line break inside a title could let the next line start a block.
                '\n' => out.push_str("&#10;"),
                '\r' => out.push_str("&#13;"),
                _ => out.push(c),
            }
        }
        out.push('"');
    }
    out
}

/// A link destination: bare when that is unambiguous, else in angle brackets.
fn destination(url: &str) -> String {
    let bare = !url.is_empty()
        && !url
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_control() || matches!(c, '<' | '>'))
        && parens_balanced(url);
    let chars: Vec<char> = url.chars().collect();
    let mut out = String::with_capacity(url.len() + 2);
    if !bare {
        out.push('<');
    }
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '&' if starts_reference(chars[k + 1..].iter().copied()) => out.push_str("\\&"),
            '\n' => out.push_str("%0A"),
            '\r' => out.push_str("%0D"),
            _ => out.push(c),
        }
    }
    if !bare {
        out.push('>');
    }
    out
}

fn parens_balanced(url: &str) -> bool {
    let mut depth = 0usize;
    for c in url.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return false,
            ')' => depth -= 1,
            _ => {}
        }
        // pulldown-cmark gives up on deeply nested parentheses.
        if depth > 16 {
            return false;
        }
    }
    depth == 0
}

/// A fenced code block's info string: escapes and references in it are decoded.
fn escape_info(info: &str) -> String {
    let chars: Vec<char> = info.chars().collect();
    let mut out = String::with_capacity(info.len());
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '&' if starts_reference(chars[k + 1..].iter().copied()) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `&` followed by `rest` could be read as an entity or numeric reference.
fn starts_reference(rest: impl IntoIterator<Item = char>) -> bool {
    let mut name = 0;
    for c in rest {
        if c.is_ascii_alphanumeric() || c == '#' {
            name += 1;
        } else {
            return name > 0 && c == ';';
        }
    }
    false
}

/// The parse takes a trailing `#` run as the closing sequence and a trailing `{…}` as
/// attributes; an escape keeps either as text.
fn protect_heading_end(mut text: String) -> String {
    if text.ends_with('}') {
        text.insert(text.len() - 1, '\\');
    } else if text.ends_with('#') {
        let run = text.trim_end_matches('#').len();
        if run == 0 || text[..run].ends_with([' ', '\t']) {
            text.insert(run, '\\');
        }
    }
    text
}

/// Where a piece of text is being written.
#[derive(Debug)]
struct TextContext {
    /// Nothing precedes it on its line, so leading spaces would be stripped.
    line_start: bool,
    /// It starts a line that block parsing looks at.
    block_start: bool,
    /// The character written just before it.
    prev: Option<char>,
    /// It follows a footnote reference.
    after_reference: bool,
}

/// Escapes text so that it reads back as exactly this text, appending it to `out`. Line
/// breaks inside a text event read as spaces.
fn escape_text(text: &str, cx: &TextContext, out: &mut String) {
    let plain = |c: char| if matches!(c, '\n' | '\r') { ' ' } else { c };
    let first = text.chars().next().map(plain);
    let mut prev = cx.prev;
    let mut rest = text;
    if cx.line_start && matches!(first, Some(' ' | '\t')) {
        out.push_str(if first == Some('\t') { "&#9;" } else { "&#32;" });
        (prev, rest) = (first, &text[1..]);
    } else if cx.block_start {
        let taken = escape_block_start(text, out);
        if taken > 0 {
            (prev, rest) = (text[..taken].chars().next_back(), &text[taken..]);
        }
    } else if cx.after_reference
        && let Some(c @ (':' | '(')) = first
    {
        out.push('\\');
        out.push(c);
        (prev, rest) = (first, &text[1..]);
    }
    let mut chars = rest.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let c = plain(c);
        let next = chars.peek().map(|&(_, n)| plain(n));
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' => true,
            // Smart punctuation would curl these on the way back.
            '\'' | '"' => true,
            '-' | '.' => next == Some(c),
            // Inside a word `_` cannot delimit emphasis; keeping it bare keeps snake_case.
            '_' => !(prev.is_some_and(is_wordish) && next.is_some_and(is_wordish)),
            '&' => starts_reference(rest[at + 1..].chars()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
}

/// Escapes what would start a heading, quote, list or setext underline at the start of a
/// line; returns how many bytes of `text` it wrote.
fn escape_block_start(text: &str, out: &mut String) -> usize {
    match text.as_bytes().first() {
        Some(&c @ (b'-' | b'+' | b'=' | b'#' | b'>')) => {
            out.push('\\');
            out.push(char::from(c));
            1
        }
        Some(c) if c.is_ascii_digit() => {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            match text.as_bytes().get(digits) {
                Some(&delim @ (b'.' | b')')) if digits <= 9 => {
                    out.push_str(&text[..digits]);
                    out.push('\\');
                    out.push(char::from(delim));
                    digits + 1
                }
                _ => 0,
            }
        }
        _ => 0,
    }
}

fn longest_run(s: &str, c: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for ch in s.chars() {
        if ch == c {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

fn longest_leading_run(s: &str, c: char) -> usize {
    s.chars().take_while(|&ch| ch == c).count()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::matching_end;
    use crate::markdown::parse::events;
    use pretty_assertions::assert_eq;

    fn md(src: &str) -> String {
        render(&events(src), &RenderOptions::default())
    }

    fn own(s: &str) -> CowStr<'static> {
        CowStr::Boxed(s.into())
    }

    /// Removes the differences the writer is allowed to make: link syntax (inline,
    /// reference, autolink), indented vs fenced code, footnote labels (numbered) and the
    /// place of footnote definitions (moved to the end), soft breaks vs spaces, how text
    /// and raw HTML are split into events, empty text events, and the newlines an HTML
    /// block at the very end loses with the body's. Strings are boxed so the diff shows
    /// them as text.
    fn normalise(original: &[Event<'static>]) -> Vec<Event<'static>> {
        let (main, notes) = split_footnotes(original, None);
        let number = |label: &str| {
            notes
                .number(label)
                .map_or_else(|| label.to_string(), |n| n.to_string())
        };
        let mut flat: Vec<Event<'static>> = main.into_iter().cloned().collect();
        for &(n, _, body) in &notes.defs {
            flat.push(Event::Start(Tag::FootnoteDefinition(own(&n.to_string()))));
            flat.extend(body.iter().cloned());
            flat.push(Event::End(TagEnd::FootnoteDefinition));
        }
        let mut out: Vec<Event<'static>> = Vec::new();
        for event in flat {
            let event = match event {
                Event::SoftBreak => Event::Text(own(" ")),
                Event::Text(t) if t.is_empty() => continue,
                Event::Text(t) => Event::Text(own(&t)),
                Event::Code(t) => Event::Code(own(&t)),
                Event::Html(t) => Event::Html(own(&t)),
                Event::InlineHtml(t) => Event::InlineHtml(own(&t)),
                Event::FootnoteReference(l) => Event::FootnoteReference(own(&number(&l))),
                Event::Start(tag) => Event::Start(normalise_tag(tag)),
                other => other,
            };
            match (out.last_mut(), event) {
                (Some(Event::Text(prev)), Event::Text(next)) => {
                    *prev = own(&format!("{prev}{next}"));
                }
                (Some(Event::Html(prev)), Event::Html(next)) => {
                    *prev = own(&format!("{prev}{next}"));
                }
                (_, event) => out.push(event),
            }
        }
        // The body has no trailing newlines, so an HTML block that ends it loses its own.
        if let Some(Event::Html(last)) = out.iter_mut().rev().find(|e| matches!(e, Event::Html(_)))
        {
            *last = own(last.trim_end_matches('\n'));
        }
        out
    }

    fn normalise_tag(tag: Tag<'static>) -> Tag<'static> {
        match tag {
            Tag::Heading {
                level,
                id,
                classes,
                attrs,
            } => Tag::Heading {
                level,
                id: id.map(|id| own(&id)),
                classes: classes.iter().map(|c| own(c)).collect(),
                attrs: attrs
                    .iter()
                    .map(|(k, v)| (own(k), v.as_ref().map(|v| own(v))))
                    .collect(),
            },
            Tag::CodeBlock(CodeBlockKind::Indented) => {
                Tag::CodeBlock(CodeBlockKind::Fenced(own("")))
            }
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => {
                Tag::CodeBlock(CodeBlockKind::Fenced(own(&info)))
            }
            Tag::Link {
                link_type,
                dest_url,
                title,
                id: _,
            } => Tag::Link {
                link_type: LinkType::Inline,
                dest_url: match link_type {
                    LinkType::Email => own(&format!("mailto:{dest_url}")),
                    _ => own(&dest_url),
                },
                title: own(&title),
                id: own(""),
            },
            Tag::Image {
                link_type: _,
                dest_url,
                title,
                id: _,
            } => Tag::Image {
                link_type: LinkType::Inline,
                dest_url: own(&dest_url),
                title: own(&title),
                id: own(""),
            },
            other => other,
        }
    }

    /// Parses `src`, writes it, parses the output and compares; then checks that writing
    /// the re-parsed events gives the same text again.
    #[track_caller]
    fn assert_round_trip(src: &str) {
        let opts = RenderOptions::default();
        let original = events(src);
        let written = render(&original, &opts);
        let reread = events(&written);
        assert_eq!(
            normalise(&original),
            normalise(&reread),
            "\n--- source:\n{src}\n--- written:\n{written}\n"
        );
        assert_eq!(render(&reread, &opts), written, "output is not stable");
    }

    const HEADINGS: &str = "\
# One
## Two ##
### Three
#### Four
##### Five
###### Six

Setext one
==========

Setext *two*
with a soft break
---

# With attributes {#intro .lead .wide data-x=1 flag}

## C# and F# ##

# Ends in hash \\#

# Only hashes \\###

# Looks like attributes {a\\}

#
";

    const INLINE: &str = "\
Plain *emphasis*, _underscored_, **strong**, __also strong__, ~~struck~~ and ~single~.

Nested: ***both***, **bold _inner_ bold**, *em __strong__ em*, *_double em_*, **__double strong__**.

Adjacent: *a*_b_ and _a_*b*c and **a**_b_ and mid*word*emphasis and snake_case_name.

Code: `plain`, ``one ` tick``, ` `` `, `` `edge` ``, `  spaced  `, ` `.

Quotes and dashes: “curly” ‘single’ -- --- ... and escaped \\' \\\" \\-\\- \\.\\.\\.

Smart punctuation: \"quoted\" and 'single' and it's and -- and ... all curled.

Hard break with spaces  
and with backslash\\
and  
\\# not a heading after a break\\
\\- not a list after a break\\
1\\. not ordered after a break\\
    leading spaces after a break are dropped

Entities: &amp; &lt;tag&gt; &copy; &#35; &#x41; AT&T &amp;copy; a&#42;b.
";

    const LINKS: &str = "\
[inline](https://example.com/a \"Title\") and [bare](/relative/path) and [empty]().

[parens](https://en.wikipedia.org/wiki/Rust_(programming_language)) and [unbalanced](<https://x.y/a)b>) and [spaced](<a b.html>).

[title quotes](https://x.y \"say \\\"hi\\\" & \\\\ bye\") and [single title](https://x.y 'it\\'s').

[ref link][ref] and [collapsed][] and [shortcut].

[ref]: https://example.com/ref \"Ref title\"
[collapsed]: https://example.com/collapsed
[shortcut]: https://example.com/shortcut

Autolinks: <https://example.com/auto?q=1&r=2> and <mailto:a@b.c> and <a@b.c> and [https://example.com](https://example.com).

Images: ![alt *text*](img.png \"Image title\") and ![](empty-alt.png) and [![nested](i.png)](https://x.y).

Escapes in URLs: [a](https://x.y/a\\\\b) and [b](https://x.y/?a=1&amp;b=2) and [c](https://x.y/&copy;).

A bang before a link![x](y) and a footnote-ish [^nope] and a ref-ish [nope].
";

    const LISTS: &str = "\
- tight one
- tight two
  - nested tight
  - nested *two*
    1. deep ordered
    2. deep two
- tight three

* loose one

* loose two

  second paragraph

* loose three

7. seven
8. eight
9. nine
10. ten

1) paren one
2) paren two

- [ ] open task
- [x] done task
- plain item

1. [ ] ordered task

- a list

+ right after another list

1. an ordered list

1) right after another ordered list

Tight items holding blocks:

- item with code
  ```rust
  let x = 1;
  ```
- item with quote
  > quoted
- item with heading
  # inside
- item with a rule
  ***
- ***
- item with html
  <div>
  </div>
- item with a table
  | a | b |
  |---|---|
  | 1 | 2 |
-
- empty item above

10. wide marker
    - nested under it
    ```
    code under it
    ```
11. next

Loose list:

- loose item

  - nested tight in loose
  - still tight

- after
";

    const QUOTES: &str = "\
> Outer quote
> with lazy
continuation.
>
> > Nested quote
> > > Deeper
>
> - list in quote
> - second
>
> ```
> code in quote
>
> with a blank line
> ```
>
>     indented code in quote

> Another quote right after.

>
";

    const CODE: &str = "\
```rust
fn main() {
    println!(\"hi\");
}
```

    indented code
      keeps its indent

    after a blank line

````markdown
```
inner fence
```
````

~~~ info `with` backticks
tilde fenced
~~~

```a\\_b &amp; c
info with escapes
```

```

blank first line and trailing blank

```

```
```
";

    const TABLES: &str = "\
| Left | Center | Right | None |
|:-----|:------:|------:|------|
| a | *b* | `c` | [d](https://x.y) |
| pipe \\| in text | `code \\| pipe` | [l](https://x.y/a\\|b) | \\\\ |
| short |

Text before.

| only header |
|-------------|

- | in | list |
  |----|------|
  | x  | y    |
";

    const FOOTNOTES: &str = "\
Second referenced first[^second], then first[^first], then second again[^second].

> Quoted with a note[^quoted].

[^first]: The first note.

    With a second paragraph.

    ```
    and code
    ```

[^second]: The second note, with its own reference[^nested].
[^nested]: Nested note.
[^quoted]: - a list
    - in a note
[^unused]: Never referenced.
";

    const HTML: &str = "\
<div class=\"box\">
*not emphasis inside html*
</div>

<!-- a comment

with a blank line -->

Text with <span class=\"x\">inline html</span> and <br/> inside.

<custom-element>

</custom-element>

<script>
let x = \"<p>\";

</script>
";

    const HOSTILE: &str = "\
\\*not emphasis\\*

\\# not a heading

1986\\. A great year

1986\\) Also not a list

\\- not a list

\\+ not a list

\\> not a quote

\\<not-html>

\\[not a link\\](x)

\\![not an image\\](x)

C:\\\\Users\\\\backslash\\\\ and a trailing backslash\\\\

\\`not code\\` and \\~\\~not struck\\~\\~ and \\_\\_not strong\\_\\_

&#32;leading space and trailing space&#32;

&#9;leading tab

\\=== not a setext underline

Paragraph
\\---

\\--- not a rule

\\*\\*\\*

\\| not | a | table |
\\|---|---|---|

[^1\\]: not a footnote

\\[ref\\]: /not-a-definition

- \\- item that starts with a dash
- \\# item that starts with a hash
- 2\\. item that starts with a number
- \\[ \\] not a task

> \\> quote that starts with a gt

# heading with \\*stars\\* and \\`ticks\\` and trailing \\#

| \\- cell | 1\\. cell |
|---|---|
| \\*x\\* | \\# y |

Edge: &lt;https://not.an.autolink&gt; and 1 < 2 > 0 and a & b and !important.
";

    #[test]
    fn headings_of_every_level_round_trip_with_attributes() {
        assert_round_trip(HEADINGS);
    }

    #[test]
    fn inline_markup_round_trips() {
        assert_round_trip(INLINE);
    }

    #[test]
    fn links_images_and_autolinks_round_trip() {
        assert_round_trip(LINKS);
    }

    #[test]
    fn lists_round_trip_keeping_tightness_numbers_and_tasks() {
        assert_round_trip(LISTS);
    }

    #[test]
    fn nested_quotes_with_lists_and_code_round_trip() {
        assert_round_trip(QUOTES);
    }

    #[test]
    fn code_blocks_round_trip() {
        assert_round_trip(CODE);
    }

    #[test]
    fn tables_round_trip() {
        assert_round_trip(TABLES);
    }

    #[test]
    fn footnotes_referenced_out_of_order_round_trip() {
        assert_round_trip(FOOTNOTES);
    }

    #[test]
    fn raw_html_round_trips() {
        assert_round_trip(HTML);
    }

    #[test]
    fn hostile_text_stays_text() {
        assert_round_trip(HOSTILE);
    }

    #[test]
    fn whole_corpus_round_trips_as_one_document() {
        let all = [
            HEADINGS, INLINE, LINKS, LISTS, QUOTES, CODE, TABLES, FOOTNOTES, HTML, HOSTILE,
        ]
        .join("\n\n");
        assert_round_trip(&all);
    }

    /// A fixed-seed generator of hostile documents: fragments that are markup, look like
    /// markup or must be escaped, in random containers. Cheap to run, and it found most of
    /// the layout and escaping rules above.
    #[test]
    fn generated_documents_round_trip() {
        const FRAGMENTS: [&str; 64] = [
            "*a*",
            "_b_",
            "**c**",
            "__d__",
            "`e`",
            "``f`g``",
            "[h](i)",
            "[j](k \"t\")",
            "<http://g.h>",
            "<m@n.o>",
            "\\*",
            "x",
            "y",
            " ",
            "-",
            "+",
            "=",
            "#",
            "1.",
            "2)",
            "!",
            "[",
            "]",
            "<",
            ">",
            "&amp;",
            "&",
            "'",
            "\"",
            "--",
            "...",
            "~~s~~",
            "~",
            "_",
            "\\\\",
            "\\",
            "|",
            "{",
            "}",
            "a_b",
            "***",
            "[^1]",
            ":",
            "(",
            ")",
            "<b>",
            "</b>",
            "  \n",
            "\\\n",
            "\n",
            "é",
            "中",
            "’",
            "![im](p.png)",
            "*",
            "**",
            "`",
            "&#32;",
            "0",
            "9",
            ".",
            "{#id}",
            "\t",
            "    ",
        ];
        const CONTAINERS: [&str; 19] = [
            "", "", "", "> ", "- ", "* ", "1. ", "3) ", "# ", "## ", "| ", "    ", "[^1]: ",
            "- [ ] ", "> - ", "- > ", "  ", "```\n", "<div>\n",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut pick = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            usize::try_from(seed % n as u64).unwrap_or(0)
        };
        for _ in 0..3000 {
            let mut doc = String::new();
            for _ in 0..=pick(4) {
                doc.push_str(CONTAINERS[pick(CONTAINERS.len())]);
                for _ in 0..=pick(6) {
                    doc.push_str(FRAGMENTS[pick(FRAGMENTS.len())]);
                }
                doc.push_str(if pick(2) == 0 { "\n" } else { "\n\n" });
            }
            if pick(3) == 0 {
                doc.push_str("\n[^1]: note\n");
            }
            assert_round_trip(&doc);
        }
    }

    // ----- exact output -----

    #[test]
    fn paragraphs_become_one_line_separated_by_one_blank_line() {
        assert_eq!(
            md("\n\nOne\nparagraph\n\n\n\nTwo\n\n"),
            "One paragraph\n\nTwo"
        );
    }

    #[test]
    fn hard_breaks_become_backslash_newline() {
        assert_eq!(md("one  \ntwo\\\nthree"), "one\\\ntwo\\\nthree");
    }

    #[test]
    fn headings_are_atx_and_keep_their_attributes() {
        assert_eq!(
            md("Title {#intro .lead data-x=1}\n===\n\n### Sub ###"),
            "# Title {#intro .lead data-x=1}\n\n### Sub"
        );
    }

    #[test]
    fn a_heading_with_a_hard_break_stays_setext() {
        assert_eq!(md("One\\\ntwo\n---"), "One\\\ntwo\n---");
    }

    #[test]
    fn heading_shift_moves_levels_within_one_to_six() {
        let events = events("# A\n\n##### B\n\n###### C");
        let down = RenderOptions {
            heading_shift: 1,
            ..RenderOptions::default()
        };
        assert_eq!(render(&events, &down), "## A\n\n###### B\n\n###### C");
        let up = RenderOptions {
            heading_shift: -2,
            ..RenderOptions::default()
        };
        assert_eq!(render(&events, &up), "# A\n\n### B\n\n#### C");
    }

    #[test]
    fn inline_markup_is_normalised() {
        assert_eq!(
            md("_em_ __strong__ ~strike~ ***both*** **_strong em_**"),
            "*em* **strong** ~~strike~~ ***both*** **_strong em_**"
        );
    }

    #[test]
    fn touching_emphasis_alternates_delimiters() {
        assert_eq!(md("*a*_b_ and _a_*b*c"), "*a*_b_ and _a_*b*c");
        assert_eq!(md("*_nested_*"), "*_nested_*");
    }

    #[test]
    fn code_spans_get_a_fence_longer_than_any_backtick_run() {
        assert_eq!(md("`plain`"), "`plain`");
        assert_eq!(md("``a ` b``"), "``a ` b``");
        assert_eq!(md("``` `` ```"), "``` `` ```");
        assert_eq!(md("`` `tick` ``"), "`` `tick` ``");
    }

    #[test]
    fn links_use_angle_brackets_only_when_needed() {
        assert_eq!(
            md("[a](https://x.y/p_(q) \"T \\\"q\\\"\") [b](<my page.html>) [c](<x)y>)"),
            "[a](https://x.y/p_(q) \"T \\\"q\\\"\") [b](<my page.html>) [c](<x)y>)"
        );
    }

    #[test]
    fn links_showing_their_own_url_become_autolinks() {
        assert_eq!(
            md("<https://x.y/a> [https://x.y/b](https://x.y/b) <me@x.y> [other](https://x.y)"),
            "<https://x.y/a> <https://x.y/b> <me@x.y> [other](https://x.y)"
        );
    }

    #[test]
    fn images_keep_alt_markup_and_title() {
        assert_eq!(
            md("![An *alt*](/i.png \"Title\")"),
            "![An *alt*](/i.png \"Title\")"
        );
    }

    #[test]
    fn unsafe_urls_leave_only_the_text() {
        assert_eq!(
            md("[click *me*](javascript:alert(1)) and ![pic](data:image/png;base64,xx)."),
            "click *me* and pic."
        );
        assert_eq!(md("<javascript:alert(1)>"), "javascript:alert(1)");
    }

    #[test]
    fn urls_are_resolved_and_tagged_through_the_options() {
        let opts = RenderOptions {
            base_url: Some("https://example.com/blog/post/".into()),
            utm_scope: vec!["https://example.com/".into()],
            utm: vec![("utm_source".into(), "article".into())],
            ..RenderOptions::default()
        };
        assert_eq!(
            render(&events("[next](../next/) ![i](i.png)"), &opts),
            "[next](https://example.com/blog/next/?utm_source=article) \
             ![i](https://example.com/blog/post/i.png?utm_source=article)"
        );
        // The shown URL no longer matches the target, so it stays an inline link.
        assert_eq!(
            render(&events("<https://example.com/x>"), &opts),
            "[https://example.com/x](https://example.com/x?utm_source=article)"
        );
    }

    #[test]
    fn lists_keep_numbers_tightness_and_tasks() {
        assert_eq!(md("3) a\n4) b"), "3. a\n4. b");
        assert_eq!(md("* a\n\n* b"), "- a\n\n- b");
        assert_eq!(md("- [ ] todo\n- [x] done"), "- [ ] todo\n- [x] done");
        assert_eq!(md("1. a\n   - b\n10. c"), "1. a\n   - b\n2. c");
        assert_eq!(
            md("9. nine\n10. ten\n    continued\n\n    more"),
            "9. nine\n\n10. ten continued\n\n    more"
        );
    }

    #[test]
    fn adjacent_lists_alternate_markers() {
        assert_eq!(
            md("- a\n\n+ b\n\n- c\n\n1. d\n\n1) e"),
            "- a\n\n* b\n\n- c\n\n1. d\n\n1) e"
        );
    }

    #[test]
    fn block_quotes_nest_and_mark_blank_lines() {
        assert_eq!(
            md("> a\n>\n> > b\n> - c\n> - d"),
            "> a\n>\n> > b\n>\n> - c\n> - d"
        );
    }

    #[test]
    fn code_blocks_are_fenced_long_enough() {
        assert_eq!(md("    indented\n"), "```\nindented\n```");
        assert_eq!(
            md("````md\n```\ninner\n```\n````"),
            "````md\n```\ninner\n```\n````"
        );
        assert_eq!(md("~~~ a`b\nx\n~~~"), "~~~a`b\nx\n~~~");
    }

    #[test]
    fn rules_avoid_the_list_bullet() {
        assert_eq!(md("***\n\n- ***"), "---\n\n- ***");
    }

    #[test]
    fn tables_are_aligned_pipe_tables() {
        assert_eq!(
            md("|a|b|c|\n|:-|:-:|-:|\n|1|x\\|y|`p\\|q`|"),
            "| a   | b    | c      |\n\
             | :-- | :--: | -----: |\n\
             | 1   | x\\|y | `p\\|q` |"
        );
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference_and_listed_last() {
        assert_eq!(
            md("[^b]: Beta.\n\nA[^a] and B[^b].\n\n[^a]: Alpha.\n\n    More alpha."),
            "A[^1] and B[^2].\n\n[^1]: Alpha.\n\n    More alpha.\n\n[^2]: Beta."
        );
    }

    #[test]
    fn raw_html_passes_through_as_blocks_and_inline() {
        assert_eq!(
            md("<div>\n*raw*\n</div>\nText <b>bold</b>."),
            "<div>\n*raw*\n</div>\nText <b>bold</b>."
        );
        assert_eq!(
            md("<!-- note -->\nText after"),
            "<!-- note -->\n\nText after"
        );
    }

    #[test]
    fn text_that_looks_like_markup_is_escaped() {
        assert_eq!(md("\\*not emphasis\\*"), "\\*not emphasis\\*");
        assert_eq!(md("\\# not a heading"), "\\# not a heading");
        assert_eq!(md("1986\\. A great year"), "1986\\. A great year");
        assert_eq!(md("\\- not a list"), "\\- not a list");
        assert_eq!(md("\\<not-html>"), "\\<not-html>");
        assert_eq!(md("\\[not a link\\](x)"), "\\[not a link\\](x)");
        assert_eq!(md(r"C:\\Users\\me"), r"C:\\Users\\me");
        assert_eq!(
            md("&lt;b&gt; &amp;amp; snake_case"),
            "\\<b> \\&amp; snake_case"
        );
    }

    #[test]
    fn smart_punctuation_stays_unicode_and_straight_quotes_stay_straight() {
        assert_eq!(md("\"Hi\" -- it's..."), "“Hi” – it’s…");
        assert_eq!(md("\\\"Hi\\\" \\-\\- \\.\\.\\."), "\\\"Hi\\\" \\-- \\.\\..");
    }

    #[test]
    fn significant_spaces_become_character_references() {
        assert_eq!(md("&#32;lead and trail&#32;"), "&#32;lead and trail&#32;");
        assert_eq!(md("*&#32;x*"), "*&#32;x*");
    }

    #[test]
    fn a_slice_without_its_footnote_definitions_shows_the_label_as_text() {
        let all = events("Intro[^n].\n\nBody[^n].\n\n[^n]: Note.");
        let first_paragraph = &all[..matching_end(&all, 0) + 1];
        assert_eq!(
            render(first_paragraph, &RenderOptions::default()),
            "Intro\\[^n\\]."
        );
    }

    #[test]
    fn a_slice_keeps_the_whole_bodys_footnote_numbers() {
        let all = events("A[^a].\n\n## S\n\nB[^b] and A[^a].\n\n[^b]: Beta.\n[^a]: Alpha.");
        let opts = RenderOptions {
            note_numbers: super::super::NoteNumbers::of(&all),
            ..RenderOptions::default()
        };
        let second = all
            .iter()
            .position(|e| matches!(e, Event::Start(Tag::Heading { .. })))
            .unwrap();
        let paragraph = &all[second + 3..matching_end(&all, second + 3) + 1];
        // Its definitions elsewhere, the references keep their numbers in the whole body.
        assert_eq!(render(paragraph, &opts), "B[^2] and A[^1].");
        // The definitions alone, numbered the same, whatever order they were written in.
        let defs_at = all
            .iter()
            .position(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
            .unwrap();
        assert_eq!(
            render(&all[defs_at..], &opts),
            "[^1]: Alpha.\n\n[^2]: Beta."
        );
    }

    #[test]
    fn the_article_example_round_trips() {
        let article = "\
# Leverage and Networking

> Dek — one sentence promising the reader what they will take away. (replace)

Simply put, “leverage” is the ability to accomplish more by use of a tool.

## 1. When you have strong enough relationships

<!-- expand to ~450 words:
  - Example: a time someone acted for you before you asked.
-->

---

*Expanded from “Leverage and Networking”, first published at
<https://example.com/blog/leverage-and-networking/>.*
";
        assert_round_trip(article);
        assert_eq!(
            md(article),
            "\
# Leverage and Networking

> Dek — one sentence promising the reader what they will take away. (replace)

Simply put, “leverage” is the ability to accomplish more by use of a tool.

## 1. When you have strong enough relationships

<!-- expand to ~450 words:
  - Example: a time someone acted for you before you asked.
-->

---

*Expanded from “Leverage and Networking”, first published at \
<https://example.com/blog/leverage-and-networking/>.*"
        );
    }

    #[test]
    fn degradations_are_what_the_output_shows() {
        for raw_html in [RawHtml::Keep, RawHtml::Sanitize, RawHtml::Text] {
            let opts = RenderOptions {
                raw_html,
                ..RenderOptions::default()
            };
            degradations_hold(&opts);
        }
    }

    fn degradations_hold(opts: &RenderOptions) {
        for construct in Construct::ALL {
            let out = render(&events(construct.sample()), opts);
            let kept = match construct {
                Construct::Table => out.contains("| a   | b   |"),
                Construct::HtmlBlock => out.contains("<div class=\"box\">"),
                Construct::InlineHtml => out.contains("<kbd>Ctrl</kbd>"),
                // As raw HTML, or (`raw_html: text`) as a Markdown hard break.
                Construct::LineBreakTag => out.contains("one<br>two") || out.contains("one\\\ntwo"),
                Construct::CodeSpan => out.contains("`run()`"),
                Construct::Strikethrough => out.contains("~~free~~"),
                Construct::Image { alt: true } => out.contains("![A chart]("),
                Construct::Image { alt: false } => out.contains("![]("),
                Construct::HeadingAttributes => out.contains("{#setup .wide}"),
                Construct::HeadingCustomAttributes => out.contains("{#setup .wide data-x=1}"),
                Construct::ListStart => out.starts_with("7. seven"),
            };
            assert_eq!(
                degradation(opts.raw_html, construct).is_none(),
                kept,
                "{construct:?} with {:?} renders as:\n{out}",
                opts.raw_html
            );
        }
    }
}
