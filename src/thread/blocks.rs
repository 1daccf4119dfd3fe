//! A post's events as the blocks of a thread — paragraphs, headings, list items, code
//! lines, table rows — each a run of sentences made of pieces that are never split: a
//! word with its punctuation, a whole link with its URL, a whole code span.
//!
//! Social networks show text as typed, so the blocks are plain text: emphasis is dropped,
//! a link is `text (URL)` (just the URL when the text is the URL), an image is
//! `[Image: alt] (URL)`, bullets are `•`, `◦`, `▪` by depth, a quote line starts with `> `,
//! footnote references are superscript numbers and the notes follow the body, raw HTML is
//! reduced to its text. Relative URLs are resolved against the post's page, and dropped
//! when there is none, since nobody can follow them from a network.

use pulldown_cmark::{Event, LinkType, Tag, TagEnd};

use super::count::Counter;
use crate::markdown::{
    Footnotes, ScriptSkip, alert_label, html_paragraphs, is_inline, opens_element,
    starts_with_scheme, strip_html, superscript,
};
use crate::post::sentences::sentence_ends;
use crate::render::RenderOptions;

/// Bullet glyphs by list depth, as the text format uses them.
const BULLETS: [char; 3] = ['•', '◦', '▪'];

/// Sentence ends of scripts written without spaces, where a post may end between two
/// characters.
pub const FULL_STOPS: [char; 3] = ['。', '！', '？'];

/// The longest line prefix (bullets, `> `) a block gets: a post nested a hundred deep
/// would otherwise have no room left for its text.
const MAX_LEAD: usize = 12;

/// What separates a block from the one before it in the same post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// A blank line: between paragraphs.
    Blank,
    /// A line break: between the items of a list, the lines of code, the rows of a table.
    Line,
}

impl Gap {
    /// The separator as written.
    pub fn text(self) -> &'static str {
        match self {
            Gap::Blank => "\n\n",
            Gap::Line => "\n",
        }
    }
}

/// What comes before a piece inside its block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sep {
    /// Nothing: the block's first piece.
    #[default]
    None,
    /// A space.
    Space,
    /// A line break (a hard break), then the block's `cont` prefix.
    Line,
}

/// A run of text never split unless it alone is longer than a post: a range of its
/// block's `text` (`Block::text_of`), so a paragraph's words share one buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Where its text starts in the block's `text`.
    pub start: usize,
    /// Where it ends.
    pub end: usize,
    /// Its length as the network counts it.
    pub cost: usize,
    /// What comes before it.
    pub sep: Sep,
}

/// A sentence: the pieces between two places a post may end without an ellipsis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sentence {
    /// Its pieces, the first one's `sep` separating it from the sentence before.
    pub pieces: Vec<Piece>,
    /// Its length with the separators inside it (not the one before it).
    pub cost: usize,
}

/// A paragraph-like unit of the thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// What separates it from the block before.
    pub gap: Gap,
    /// Written before its first line (a bullet, `> `).
    pub lead: String,
    /// Written after each line break inside it, and where it goes on in the next post.
    pub cont: String,
    /// `lead` and `cont` as counted.
    pub lead_cost: usize,
    /// See `lead_cost`.
    pub cont_cost: usize,
    /// A heading: it stays with what it introduces.
    pub heading: bool,
    /// The closing link: it takes the last sentence before it along rather than stand
    /// alone in the last post.
    pub keep_with_previous: bool,
    /// Its sentences, in order.
    pub sentences: Vec<Sentence>,
    /// Its pieces' text, with the separators between them.
    pub text: String,
}

impl Block {
    /// A piece's text.
    pub fn text_of(&self, piece: &Piece) -> &str {
        &self.text[piece.start..piece.end]
    }

    /// A block of plain text (a title, a URL), cut into sentences like a paragraph.
    pub fn plain(text: &str, heading: bool, counter: Counter) -> Block {
        let mut para = Para::default();
        for word in text.split_whitespace() {
            para.space(Sep::Space);
            para.word(word);
        }
        para.finish(Gap::Blank, String::new(), String::new(), heading, counter)
    }

    /// About how many bytes its buffers hold besides the block itself.
    pub fn heap(&self) -> usize {
        let pieces: usize = self.sentences.iter().map(|s| s.pieces.capacity()).sum();
        self.lead.capacity()
            + self.cont.capacity()
            + self.text.capacity()
            + self.sentences.capacity() * std::mem::size_of::<Sentence>()
            + pieces * std::mem::size_of::<Piece>()
    }

    /// The cost of the whole block with its lead.
    pub fn cost(&self) -> usize {
        self.lead_cost + self.sentences_cost(0)
    }

    /// The cost of its sentences from `from` on, with the separators between them.
    pub fn sentences_cost(&self, from: usize) -> usize {
        self.sentences[from..]
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let sep = if i == 0 {
                    0
                } else {
                    self.sep_cost(s.pieces.first().map_or(Sep::Space, |p| p.sep))
                };
                sep + s.cost
            })
            .sum()
    }

    /// What a separator inside the block costs.
    pub fn sep_cost(&self, sep: Sep) -> usize {
        match sep {
            Sep::None => 0,
            Sep::Space => 1,
            Sep::Line => 1 + self.cont_cost,
        }
    }
}

/// The blocks of a post's body, each handed to `sink` as it is made: its main flow, then
/// its footnotes, one per line. `main` and `notes` are the body's events as
/// `split_footnotes` parts them.
pub fn each(
    main: &[&Event<'static>],
    notes: &Footnotes<'_>,
    opts: &RenderOptions,
    counter: Counter,
    sink: impl FnMut(Block),
) {
    let mut walker = Walker::new(opts, counter, notes, sink);
    walker.run(main.iter().copied());
    walker.flush();
    if !notes.defs.is_empty() {
        walker.line_runs += 1;
        walker.run_started = false;
        for &(n, _, body) in &notes.defs {
            walker.push_container(Container::new(format!("{} ", superscript(n)), ""));
            walker.run(body.iter());
            walker.flush();
            walker.pop_container();
        }
    }
}

/// An open block that prefixes the lines written inside it.
#[derive(Debug)]
struct Container {
    first: String,
    rest: String,
}

impl Container {
    fn new(first: String, rest: &str) -> Container {
        Container {
            first,
            rest: rest.to_string(),
        }
    }
}

/// An open link, image or code-like span: whitespace inside does not split pieces.
#[derive(Debug)]
enum Span {
    Link {
        /// Where its text starts in the open piece.
        start: usize,
        url: Option<String>,
        dest: String,
        autolink: bool,
    },
    Image {
        start: usize,
        url: Option<String>,
    },
}

/// The paragraph being collected.
#[derive(Debug, Default)]
struct Para {
    /// The text of the pieces done, with the separators between them.
    buf: String,
    pieces: Vec<Piece>,
    /// The piece being written; costs are counted when it is done.
    open: String,
    open_sep: Sep,
    /// Whitespace seen after `open`: the next text starts a new piece.
    pending: Option<Sep>,
}

impl Para {
    /// Appends text: to the open piece, or as a new piece when whitespace came before it.
    fn word(&mut self, text: &str) {
        if let Some(sep) = self.pending.take() {
            self.close_piece();
            self.open_sep = sep;
        }
        if self.open.is_empty() && self.pieces.is_empty() {
            self.open_sep = Sep::None;
        }
        self.open.push_str(text);
    }

    /// The next text starts a new piece that touches this one (no space between).
    fn touching(&mut self) {
        if self.pending.is_none() {
            self.close_piece();
            self.open_sep = Sep::None;
        }
    }

    /// Whitespace: the next text starts a new piece (a line break wins over a space).
    fn space(&mut self, sep: Sep) {
        if self.open.is_empty() && self.pieces.is_empty() {
            return;
        }
        self.pending = Some(match (self.pending, sep) {
            (Some(Sep::Line), _) | (_, Sep::Line) => Sep::Line,
            _ => Sep::Space,
        });
    }

    fn close_piece(&mut self) {
        if !self.open.is_empty() {
            match self.open_sep {
                Sep::None => {}
                Sep::Space => self.buf.push(' '),
                Sep::Line => self.buf.push('\n'),
            }
            let start = self.buf.len();
            self.buf.push_str(&self.open);
            self.open.clear();
            self.pieces.push(Piece {
                start,
                end: self.buf.len(),
                cost: 0,
                sep: self.open_sep,
            });
        }
    }

    /// The paragraph as a block: costs counted, pieces grouped into sentences. It is left
    /// empty, its buffers kept for the next paragraph.
    fn finish(
        &mut self,
        gap: Gap,
        lead: String,
        cont: String,
        heading: bool,
        counter: Counter,
    ) -> Block {
        self.close_piece();
        let lead_cost = counter.count(&lead);
        let cont_cost = counter.count(&cont);
        // The paragraph's text, as `sentence_ends` reads it: copied out at its size, the
        // buffer kept for the next paragraph (grown anew for each, it was reallocated as
        // often as the text doubled).
        let text = self.buf.clone();
        self.buf.clear();
        self.open_sep = Sep::None;
        self.pending = None;
        let all = &mut self.pieces;
        for piece in all.iter_mut() {
            piece.cost = counter.count(&text[piece.start..piece.end]);
        }
        let mut boundaries = sentence_ends(&text).into_iter().peekable();
        let mut sentences = Vec::new();
        // A sentence's pieces are a run of `all`, copied out whole when it ends: pushed one
        // by one, their vector grew four or five times a sentence (1.1% of `build`'s CPU).
        let mut start = 0;
        let mut cost = 0;
        for (i, piece) in all.iter().enumerate() {
            if i > start {
                cost += match piece.sep {
                    Sep::None => 0,
                    Sep::Space => 1,
                    Sep::Line => 1 + cont_cost,
                };
            }
            cost += piece.cost;
            let end = piece.end;
            while boundaries.next_if(|&b| b < end).is_some() {}
            let at_boundary = boundaries.next_if_eq(&end).is_some();
            // A line break is as good a place to end a post as a sentence's end, and so
            // is a full stop with no space after it (see `FULL_STOPS`).
            let next_sep = all.get(i + 1).map(|p| p.sep);
            let before_break = next_sep == Some(Sep::Line);
            let full_stop =
                next_sep == Some(Sep::None) && text[piece.start..piece.end].ends_with(FULL_STOPS);
            if at_boundary || before_break || full_stop {
                sentences.push(Sentence {
                    pieces: all[start..=i].to_vec(),
                    cost: std::mem::take(&mut cost),
                });
                start = i + 1;
            }
        }
        if start < all.len() {
            sentences.push(Sentence {
                pieces: all[start..].to_vec(),
                cost,
            });
        }
        all.clear();
        Block {
            gap,
            lead,
            cont,
            lead_cost,
            cont_cost,
            heading,
            keep_with_previous: false,
            sentences,
            text,
        }
    }
}

/// Walks the events, handing each block to `sink`.
struct Walker<'a, 'e, S> {
    opts: &'a RenderOptions,
    counter: Counter,
    notes: &'a Footnotes<'e>,
    sink: S,
    containers: Vec<Container>,
    /// Containers from this index on have written no line yet (their `first` is owed).
    fresh_from: usize,
    /// Each open list's next number (`None` for bullets).
    lists: Vec<Option<u64>>,
    /// How many open contexts separate their blocks by a line break (lists, tables, code,
    /// notes), and whether the outermost one has a block yet.
    line_runs: usize,
    run_started: bool,
    para: Option<Para>,
    /// An empty paragraph whose buffers the next one reuses: grown word by word, new ones
    /// were reallocated several times a paragraph (0.7% of `build`'s instructions).
    spare: Para,
    heading: bool,
    spans: Vec<Span>,
    /// Images open, those inside another's alt text included: only the outermost is
    /// written, with the text of all of them as its alt (as HTML's `alt` holds text only).
    /// Each nested one written whole would copy the alt text again, level after level.
    images_open: usize,
    /// An alert's label (`Note:`) waiting for the first paragraph of its quote.
    label: Option<&'static str>,
    skip: ScriptSkip,
    /// Text of the HTML block, code block or front matter being read.
    raw: Option<Raw>,
    /// A table row's cell count so far, for the `|` between cells.
    cells: usize,
}

#[derive(Debug)]
enum Raw {
    Html(String),
    Code(String),
    Metadata,
}

impl<'a, 'e, S: FnMut(Block)> Walker<'a, 'e, S> {
    fn new(opts: &'a RenderOptions, counter: Counter, notes: &'a Footnotes<'e>, sink: S) -> Self {
        Walker {
            opts,
            counter,
            notes,
            sink,
            containers: Vec::new(),
            fresh_from: 0,
            lists: Vec::new(),
            line_runs: 0,
            run_started: false,
            para: None,
            spare: Para::default(),
            heading: false,
            spans: Vec::new(),
            images_open: 0,
            label: None,
            skip: ScriptSkip::default(),
            raw: None,
            cells: 0,
        }
    }

    fn run<'x>(&mut self, events: impl Iterator<Item = &'x Event<'static>>) {
        for event in events {
            self.event(event);
        }
    }

    fn event(&mut self, event: &Event<'static>) {
        if let Some(raw) = &mut self.raw {
            match (raw, event) {
                (Raw::Html(text), Event::Html(t) | Event::Text(t)) => text.push_str(t),
                (Raw::Code(text), Event::Text(t)) => text.push_str(t),
                (
                    _,
                    Event::End(TagEnd::HtmlBlock | TagEnd::CodeBlock | TagEnd::MetadataBlock(_)),
                ) => {
                    self.end_raw();
                }
                _ => {}
            }
            return;
        }
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(*tag),
            Event::Text(t) => {
                if !self.skip.active() {
                    self.text(t);
                }
            }
            Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => self.glued(t),
            Event::Html(html) => self.paragraphs(html),
            Event::InlineHtml(html) => self.inline_html(html),
            Event::FootnoteReference(label) => {
                if let Some(n) = self.notes.number(label) {
                    self.para().word(&superscript(n));
                }
            }
            Event::SoftBreak => self.space(Sep::Space),
            Event::HardBreak => self.space(Sep::Line),
            Event::Rule => self.flush(),
            Event::TaskListMarker(done) => {
                let mark = if *done { "☑" } else { "☐" };
                self.para().word(mark);
                self.space(Sep::Space);
            }
        }
    }

    fn start(&mut self, tag: &Tag<'static>) {
        // A table row is one block; its cells are pieces of it.
        if !is_inline(&tag.to_end()) && !matches!(tag, Tag::TableCell) {
            self.flush();
        }
        match tag {
            Tag::Paragraph | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {}
            Tag::Heading { .. } => self.heading = true,
            Tag::BlockQuote(kind) => {
                self.push_container(Container::new("> ".to_string(), "> "));
                self.label = kind.map(alert_label);
            }
            Tag::CodeBlock(_) => self.raw = Some(Raw::Code(String::new())),
            Tag::HtmlBlock => self.raw = Some(Raw::Html(String::new())),
            Tag::MetadataBlock(_) => self.raw = Some(Raw::Metadata),
            Tag::List(start) => {
                self.enter_run();
                self.lists.push(*start);
            }
            Tag::Item => {
                let depth = self.lists.len().max(1);
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let marker = format!("{n}.");
                        *n = n.saturating_add(1);
                        marker
                    }
                    _ => BULLETS[(depth - 1) % BULLETS.len()].to_string(),
                };
                // Past `MAX_LEAD` the indent alone is too long for `leads` to use: capped
                // there, so a list nested 100,000 deep does not hold gigabytes of spaces.
                let indent = "  ".repeat((depth - 1).min(MAX_LEAD));
                self.push_container(Container::new(format!("{indent}{marker} "), ""));
            }
            Tag::FootnoteDefinition(_) => {}
            Tag::DefinitionList => {}
            Tag::Table(_) => self.enter_run(),
            Tag::TableHead | Tag::TableRow => self.cells = 0,
            Tag::TableCell => {
                if self.cells > 0 {
                    self.space(Sep::Space);
                    self.para().word("|");
                    self.space(Sep::Space);
                }
                self.cells += 1;
            }
            Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript => {}
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let url = self.link_url(*link_type, dest_url);
                let start = self.span_start();
                self.spans.push(Span::Link {
                    start,
                    url,
                    dest: dest_url.to_string(),
                    autolink: matches!(link_type, LinkType::Autolink | LinkType::Email),
                });
            }
            Tag::Image { dest_url, .. } => {
                self.images_open += 1;
                if self.images_open > 1 {
                    return;
                }
                let url = self
                    .opts
                    .image_url(dest_url)
                    .map(std::borrow::Cow::into_owned)
                    .filter(|u| starts_with_scheme(u));
                let start = self.span_start();
                self.spans.push(Span::Image { start, url });
            }
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Link => self.end_link(),
            TagEnd::Image => self.end_image(),
            TagEnd::TableCell => {}
            _ if is_inline(&tag) => {}
            TagEnd::BlockQuote(_) | TagEnd::Item => {
                self.flush();
                self.pop_container();
            }
            TagEnd::List(_) | TagEnd::Table => {
                self.flush();
                if matches!(tag, TagEnd::List(_)) {
                    self.lists.pop();
                }
                self.leave_run();
            }
            _ => self.flush(),
        }
        if !is_inline(&tag) {
            self.skip.reset();
        }
    }

    // ----- blocks -----

    fn enter_run(&mut self) {
        if self.line_runs == 0 {
            self.run_started = false;
        }
        self.line_runs += 1;
    }

    fn leave_run(&mut self) {
        self.line_runs = self.line_runs.saturating_sub(1);
        if self.line_runs == 0 {
            self.run_started = false;
        }
    }

    /// The paragraph being collected, opened when text arrives outside one (a tight list
    /// item's text, a table cell).
    fn para(&mut self) -> &mut Para {
        let label = self.label.take();
        let spare = &mut self.spare;
        let para = self.para.get_or_insert_with(|| std::mem::take(spare));
        if let Some(label) = label {
            para.word(&format!("{label}:"));
            para.space(Sep::Space);
        }
        para
    }

    fn space(&mut self, sep: Sep) {
        if self.spans.is_empty() {
            if let Some(para) = &mut self.para {
                para.space(sep);
            }
        } else {
            self.span_space();
        }
    }

    /// The current paragraph as a block, if there is one.
    fn flush(&mut self) {
        let Some(para) = self.para.take() else {
            return;
        };
        self.spans.clear();
        let heading = std::mem::take(&mut self.heading);
        if para.pieces.is_empty() && para.open.is_empty() {
            return;
        }
        self.emit(para, heading);
    }

    fn emit(&mut self, mut para: Para, heading: bool) {
        let gap = if self.line_runs > 0 && self.run_started {
            Gap::Line
        } else {
            Gap::Blank
        };
        if self.line_runs > 0 {
            self.run_started = true;
        }
        let (lead, cont) = self.leads();
        let block = para.finish(gap, lead, cont, heading, self.counter);
        (self.sink)(block);
        self.spare = para;
    }

    /// The line prefixes of the open containers, at most `MAX_LEAD` characters each (only
    /// the outermost containers are looked at: deeper ones could add nothing).
    fn leads(&mut self) -> (String, String) {
        let mut lead = String::new();
        let mut cont = String::new();
        for (i, c) in self.containers.iter().enumerate().take(MAX_LEAD * 4) {
            let first = if i < self.fresh_from {
                &c.rest
            } else {
                &c.first
            };
            if lead.chars().count() + first.chars().count() <= MAX_LEAD {
                lead.push_str(first);
            }
            if cont.chars().count() + c.rest.chars().count() <= MAX_LEAD {
                cont.push_str(&c.rest);
            }
        }
        self.fresh_from = self.containers.len();
        (lead, cont)
    }

    fn push_container(&mut self, container: Container) {
        self.containers.push(container);
    }

    fn pop_container(&mut self) {
        self.containers.pop();
        self.fresh_from = self.fresh_from.min(self.containers.len());
    }

    fn end_raw(&mut self) {
        match self.raw.take() {
            Some(Raw::Html(html)) => self.paragraphs(&html),
            Some(Raw::Code(code)) => {
                self.enter_run();
                for line in code.trim_end_matches('\n').split('\n') {
                    // One piece per line, its indentation kept: code is split between
                    // lines, never inside one unless it alone is longer than a post. A
                    // blank line is an empty piece, so it stays.
                    let line = line.trim_end();
                    let mut para = std::mem::take(&mut self.spare);
                    if line.trim().is_empty() {
                        para.pieces.push(Piece {
                            start: 0,
                            end: 0,
                            cost: 0,
                            sep: Sep::None,
                        });
                    } else {
                        para.open.push_str(line);
                    }
                    self.emit(para, false);
                }
                self.leave_run();
            }
            Some(Raw::Metadata) | None => {}
        }
    }

    /// Raw HTML as the paragraphs of text a browser would show.
    fn paragraphs(&mut self, html: &str) {
        self.flush();
        for paragraph in html_paragraphs(html) {
            let mut para = std::mem::take(&mut self.spare);
            for word in paragraph.split(' ') {
                para.space(Sep::Space);
                para.word(word);
            }
            self.emit(para, false);
        }
    }

    // ----- inline -----

    fn text(&mut self, text: &str) {
        if !self.spans.is_empty() {
            for (i, part) in text.split(char::is_whitespace).enumerate() {
                if i > 0 {
                    self.span_space();
                }
                if !part.is_empty() {
                    self.para().open.push_str(part);
                }
            }
            return;
        }
        let para = self.para();
        let mut first = true;
        for part in text.split(char::is_whitespace) {
            if !first {
                para.space(Sep::Space);
            }
            first = false;
            // `FULL_STOPS` are not ASCII: most words need no look for them.
            if part.is_ascii() {
                if !part.is_empty() {
                    para.word(part);
                }
                continue;
            }
            // Chinese and Japanese put no space after a sentence: its end is still a
            // place to end a post, so the run is split there into touching pieces.
            let mut rest = part;
            while let Some(at) = rest
                .find(FULL_STOPS)
                .map(|i| i + rest[i..].chars().next().map_or(1, char::len_utf8))
            {
                if at == rest.len() {
                    break;
                }
                para.word(&rest[..at]);
                para.touching();
                rest = &rest[at..];
            }
            if !rest.is_empty() {
                para.word(rest);
            }
        }
    }

    /// Code and math: their text whole, glued to what touches them.
    fn glued(&mut self, text: &str) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if flat.is_empty() {
            return;
        }
        if self.spans.is_empty() {
            self.para().word(&flat);
        } else {
            self.para().open.push_str(&flat);
        }
    }

    /// A space inside a link or image: kept, once, never splitting the piece.
    fn span_space(&mut self) {
        let start = match self.spans.last() {
            Some(Span::Link { start, .. } | Span::Image { start, .. }) => *start,
            None => 0,
        };
        let para = self.para();
        if para.open.len() > start && !para.open.ends_with(' ') {
            para.open.push(' ');
        }
    }

    /// Opens a span in the current piece (a new one after whitespace); returns where its
    /// text starts.
    fn span_start(&mut self) -> usize {
        if self.spans.is_empty() {
            let para = self.para();
            para.word("");
            para.open.len()
        } else {
            self.para().open.len()
        }
    }

    fn end_link(&mut self) {
        let Some(Span::Link {
            start,
            url,
            dest,
            autolink,
        }) = self.spans.pop()
        else {
            return;
        };
        let para = self.para();
        trim_span_end(&mut para.open, start);
        let Some(url) = url else {
            return;
        };
        let text = &para.open[start.min(para.open.len())..];
        if text.is_empty() {
            para.open.push_str(&url);
            return;
        }
        let shows_target =
            text == dest || text == url || dest.strip_prefix("mailto:") == Some(text);
        if !(autolink || shows_target) {
            para.open.push_str(" (");
            para.open.push_str(&url);
            para.open.push(')');
        }
    }

    fn end_image(&mut self) {
        self.images_open = self.images_open.saturating_sub(1);
        if self.images_open > 0 {
            return;
        }
        let Some(Span::Image { start, url }) = self.spans.pop() else {
            return;
        };
        let para = self.para();
        trim_span_end(&mut para.open, start);
        let alt = para.open.split_off(start.min(para.open.len()));
        if alt.is_empty() {
            para.open.push_str("[Image]");
        } else {
            para.open.push_str(&format!("[Image: {alt}]"));
        }
        if let Some(url) = url {
            para.open.push_str(" (");
            para.open.push_str(&url);
            para.open.push(')');
        }
    }

    /// Where a link points from a network: absolute URLs only (relative ones resolved
    /// against the post's page when it is known), never `javascript:` and the like.
    fn link_url(&self, link_type: LinkType, dest: &str) -> Option<String> {
        if self.images_open > 0 {
            return None;
        }
        if link_type == LinkType::Email {
            return Some(dest.to_string()).filter(|d| !d.is_empty());
        }
        self.opts
            .detached_url(dest)
            .filter(|u| starts_with_scheme(u))
    }

    fn inline_html(&mut self, html: &str) {
        if self.skip.feed(html) {
            return;
        }
        if opens_element(&html.to_ascii_lowercase(), "br") {
            self.space(Sep::Line);
            return;
        }
        let text = strip_html(html);
        if !text.is_empty() {
            self.text(&text);
        }
    }
}

/// Drops trailing spaces a span's text ended with.
fn trim_span_end(open: &mut String, start: usize) {
    while open.len() > start && open.ends_with(' ') {
        open.pop();
    }
}
