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

use std::borrow::Cow;
use std::collections::HashMap;
use std::mem;

use pulldown_cmark::{Alignment, BlockQuoteKind, Event, LinkType, Tag, TagEnd};
use textwrap::core::display_width;

use super::{
    Construct, Degradation, Footnotes, LinkStyle, RenderOptions, ScriptSkip, alert_label,
    html_paragraphs, is_inline, plain_text, shifted_level, split_footnotes, strip_html,
    superscript,
};

/// Stands for the space before a reference number while wrapping, so `[1]` never starts a
/// line on its own. A private-use character, so no writer types it.
const GLUE: char = '\u{E000}';

/// Bullet glyphs by list depth, so nesting shows even where indentation is lost.
const BULLETS: [char; 3] = ['•', '◦', '▪'];

const SUPERSCRIPT_DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
const SUBSCRIPT_DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];

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
    let end_matter = writer.out.split_off(body_end);
    (trimmed(&writer.out), trimmed(&end_matter))
}

/// Lines joined, without leading or trailing blank lines.
fn trimmed(lines: &[String]) -> String {
    let start = lines
        .iter()
        .position(|l| !l.is_empty())
        .unwrap_or(lines.len());
    let end = lines
        .iter()
        .rposition(|l| !l.is_empty())
        .map_or(start, |i| i + 1);
    lines[start..end].join("\n")
}

/// Renders events as plain text.
pub fn render(events: &[Event<'static>], opts: &RenderOptions) -> String {
    match render_split(events, opts) {
        (body, notes) if notes.is_empty() => body,
        (body, notes) if body.is_empty() => notes,
        (body, notes) => format!("{body}\n\n{notes}"),
    }
}

/// An open block that prefixes every line written inside it.
struct Container {
    first: String,
    rest: String,
    /// Whether a line has been written inside, so the next one takes `rest`.
    started: bool,
}

struct ListState {
    next: Option<u64>,
    number_width: usize,
    indent: &'static str,
    bullet: char,
    spaced: bool,
    items_seen: usize,
}

impl ListState {
    fn marker(&mut self) -> String {
        match self.next {
            Some(n) => {
                self.next = Some(n.saturating_add(1));
                format!("{}{n:>w$}. ", self.indent, w = self.number_width)
            }
            None => format!("{}{} ", self.indent, self.bullet),
        }
    }
}

/// An open inline tag whose end needs to know where its text began in `inline`.
enum Span {
    Link(LinkSpan),
    Image { url: Option<String>, start: usize },
    Script(usize),
}

struct LinkSpan {
    url: Option<String>,
    dest: String,
    autolink: bool,
    start: usize,
}

#[derive(Default)]
struct TableState {
    aligns: Vec<Alignment>,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    row: Vec<String>,
}

struct TextWriter<'a> {
    opts: &'a RenderOptions,
    notes: &'a Footnotes<'a>,
    out: Vec<String>,
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
            out: Vec::new(),
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

    // ---- inline text ----

    fn push_text(&mut self, text: &str) {
        if self.in_metadata || self.skipping.active() {
            return;
        }
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        let text = if text.contains(GLUE) {
            Cow::Owned(text.replace(GLUE, ""))
        } else {
            Cow::Borrowed(text)
        };
        let text = text.as_ref();
        // Upper case would break a URL shown as a link's own text.
        let shows_url = matches!(self.spans.last(), Some(Span::Link(link))
            if link.autolink || link.dest == text || link.dest.strip_prefix("mailto:") == Some(text));
        if self.heading == Some(1) && !shows_url {
            self.inline.push_str(&text.to_uppercase());
        } else {
            self.inline.push_str(text);
        }
    }

    fn inline_html(&mut self, raw: &str) {
        if self.skipping.feed(raw) {
            return;
        }
        let (_, name) = tag_name(raw);
        if name == "br" {
            self.inline.push('\n');
            return;
        }
        self.push_text(&strip_html(raw).replace('\n', " "));
    }

    fn html(&mut self, raw: &str) {
        match &mut self.html {
            Some(block) => block.push_str(raw),
            None => self.inline_html(raw),
        }
    }

    fn footnote_reference(&mut self, label: &str) {
        // A slice may hold a reference without its definition: nothing to point at.
        if let Some(n) = self.notes.number(label) {
            self.inline.push_str(&superscript(n));
        }
    }

    fn task_marker(&mut self, done: bool) {
        let mark = if done { "[x] " } else { "[ ] " };
        match self.containers.last_mut() {
            // Part of the item's prefix, so wrapped lines align under the task's text.
            Some(item) if !item.started && self.inline.is_empty() => {
                item.first.push_str(mark);
                item.rest.push_str("    ");
                self.prefix_width += 4;
            }
            _ => self.inline.push_str(mark),
        }
    }

    fn end_script(&mut self, digits: &[char; 10]) {
        let Some(Span::Script(start)) = self.spans.pop() else {
            return;
        };
        let text = self.inline.get(start..).unwrap_or_default();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let converted: String = text
                .bytes()
                .map(|b| digits[usize::from(b - b'0')])
                .collect();
            self.inline.truncate(start);
            self.inline.push_str(&converted);
        }
    }

    // ---- links and images ----

    fn start_link(&mut self, link_type: LinkType, dest: &str) {
        let url = if self.images_open > 0 {
            None
        } else {
            self.opts.detached_url(dest)
        };
        self.spans.push(Span::Link(LinkSpan {
            url,
            dest: dest.to_string(),
            autolink: matches!(link_type, LinkType::Autolink | LinkType::Email),
            start: self.inline.len(),
        }));
    }

    fn end_link(&mut self) {
        let Some(Span::Link(link)) = self.spans.pop() else {
            return;
        };
        let Some(url) = link.url else {
            return;
        };
        let text = self.inline.get(link.start..).unwrap_or_default().trim();
        if text.is_empty() {
            self.inline.push_str(&url);
            return;
        }
        let shows_target =
            text == link.dest || text == url || link.dest.strip_prefix("mailto:") == Some(text);
        if !(link.autolink || shows_target) {
            self.point_at(url);
        }
    }

    fn end_image(&mut self) {
        self.images_open = self.images_open.saturating_sub(1);
        if self.images_open > 0 {
            return;
        }
        let Some(Span::Image { url, start }) = self.spans.pop() else {
            return;
        };
        let alt = self
            .inline
            .split_off(start.min(self.inline.len()))
            .replace(GLUE, " ");
        let alt = alt.trim();
        if alt.is_empty() {
            self.inline.push_str("[Image]");
        } else {
            self.inline.push_str(&format!("[Image: {alt}]"));
        }
        if let Some(url) = url {
            self.point_at(url);
        }
    }

    /// Follows a link's text with its URL: a reference number or the URL in parentheses.
    fn point_at(&mut self, url: String) {
        match self.opts.links {
            LinkStyle::Numbered => {
                let n = self.reference_number(url);
                self.push_reference(&format!("[{n}]"));
            }
            LinkStyle::Inline => {
                self.inline.push_str(" (");
                self.inline.push_str(&url);
                self.inline.push(')');
            }
        }
    }

    fn reference_number(&mut self, url: String) -> usize {
        if let Some(&n) = self.url_numbers.get(&url) {
            return n;
        }
        self.urls.push(url.clone());
        let n = self.urls.len();
        self.url_numbers.insert(url, n);
        n
    }

    fn push_reference(&mut self, label: &str) {
        if !self.inline.is_empty() && !self.inline.ends_with([' ', '\n']) {
            let last_word = self.inline.rsplit([' ', '\n']).next().unwrap_or_default();
            // Glued only while word and number still fit on one line together.
            let fits = display_width(last_word) + 1 + display_width(label) <= self.avail();
            self.inline.push(if fits { GLUE } else { ' ' });
        }
        self.inline.push_str(label);
    }

    // ---- blocks ----

    fn end_block(&mut self) {
        self.flush_inline();
        self.need_blank = true;
    }

    /// Writes the pending inline text, if any, as one wrapped paragraph.
    fn flush_inline(&mut self) {
        self.skipping.reset();
        let text = clean_inline(&mem::take(&mut self.inline));
        if !text.is_empty() {
            self.write_paragraph(&text);
        }
    }

    fn write_paragraph(&mut self, text: &str) {
        let lines = fill(text, self.avail(), "", "");
        self.emit(lines);
    }

    fn end_heading(&mut self) {
        let level = self.heading.take().unwrap_or(6);
        let text = clean_inline(&mem::take(&mut self.inline));
        if !text.is_empty() {
            let avail = self.avail();
            let mut lines = fill(&text, avail, "", "");
            let underline = match level {
                1 => Some('='),
                2 => Some('-'),
                _ => None,
            };
            if let Some(ch) = underline {
                let width = lines.iter().map(|l| display_width(l)).max().unwrap_or(0);
                lines.push(ch.to_string().repeat(width.min(avail)));
            }
            self.emit(lines);
        }
        self.need_blank = true;
    }

    fn rule(&mut self) {
        self.flush_inline();
        let pad = self.avail().saturating_sub(5) / 2;
        self.emit(vec![format!("{}* * *", " ".repeat(pad))]);
        self.need_blank = true;
    }

    fn end_code(&mut self) {
        if let Some(code) = self.code.take() {
            let lines: Vec<String> = code.lines().map(|line| format!("    {line}")).collect();
            self.emit(lines);
        }
        self.need_blank = true;
    }

    fn end_html(&mut self) {
        if let Some(raw) = self.html.take() {
            for paragraph in html_paragraphs(&raw) {
                self.write_paragraph(&paragraph);
                self.need_blank = true;
            }
        }
    }

    fn start_quote(&mut self, kind: Option<BlockQuoteKind>) {
        self.flush_inline();
        self.push_container("> ".into(), "> ".into());
        if let Some(kind) = kind {
            self.emit(vec![format!("{}:", alert_label(kind))]);
        }
    }

    /// `ahead` starts at the list's `Start`; `items` are the offsets in it of the list's
    /// own items.
    fn start_list(&mut self, start: Option<u64>, ahead: &[&Event<'static>], items: &[usize]) {
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
            next: start,
            number_width,
            indent,
            bullet: BULLETS[self.lists.len() % BULLETS.len()],
            spaced,
            items_seen: 0,
        });
    }

    fn start_item(&mut self) {
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

    fn end_cell(&mut self) {
        let cell = clean_inline(&mem::take(&mut self.inline)).replace(['\n', GLUE], " ");
        if let Some(table) = &mut self.table {
            table.row.push(cell);
        }
    }

    fn end_table(&mut self) {
        if let Some(table) = self.table.take() {
            let avail = self.avail();
            let lines = table_grid(&table, avail).unwrap_or_else(|| table_records(&table, avail));
            self.emit(lines);
        }
        self.need_blank = true;
    }

    fn write_notes(&mut self) {
        let notes = self.notes;
        if notes.defs.is_empty() {
            return;
        }
        self.need_blank = true;
        self.emit(vec!["Notes".into(), "-----".into()]);
        self.need_blank = true;
        let width = notes
            .defs
            .iter()
            .map(|(n, ..)| display_width(&superscript(*n)))
            .max()
            .unwrap_or(1);
        let spaced = notes
            .defs
            .iter()
            .any(|(_, _, body)| top_level_blocks(body) > 1);
        for (i, (n, _, body)) in notes.defs.iter().enumerate() {
            if i > 0 {
                self.need_blank = spaced;
            }
            let mark = superscript(*n);
            let pad = " ".repeat(width - display_width(&mark));
            self.push_container(format!("{pad}{mark} "), " ".repeat(width + 1));
            let body: Vec<&Event<'static>> = body.iter().collect();
            self.run(&body);
            self.flush_inline();
            self.close_container();
        }
        self.need_blank = true;
    }

    fn write_link_list(&mut self) {
        if self.urls.is_empty() {
            return;
        }
        self.flush_inline();
        self.need_blank = true;
        let lines: Vec<String> = self
            .urls
            .iter()
            .enumerate()
            .map(|(i, url)| format!("[{}] {url}", i + 1))
            .collect();
        self.emit(lines);
    }

    // ---- the line writer ----

    fn push_container(&mut self, first: String, rest: String) {
        self.prefix_width += display_width(&rest);
        self.containers.push(Container {
            first,
            rest,
            started: false,
        });
    }

    /// Closes the innermost container; one that wrote nothing still shows its marker.
    fn close_container(&mut self) {
        if self
            .containers
            .last()
            .is_some_and(|c| !c.started && !c.first.trim().is_empty())
        {
            self.emit(vec![String::new()]);
        }
        if let Some(closed) = self.containers.pop() {
            self.prefix_width = self
                .prefix_width
                .saturating_sub(display_width(&closed.rest));
        }
    }

    /// Columns left for content inside the open containers.
    fn avail(&self) -> usize {
        self.opts.wrap.saturating_sub(self.prefix_width).max(1)
    }

    /// Writes content lines inside the open containers, after a blank line if one is due.
    /// Lines are taken by value: outside any container they are written as they are.
    fn emit(&mut self, content: Vec<String>) {
        if content.is_empty() {
            return;
        }
        if self.need_blank && !self.out.is_empty() {
            // Only containers already begun continue through the gap.
            let mut blank: String = self
                .containers
                .iter()
                .take_while(|c| c.started)
                .map(|c| c.rest.as_str())
                .collect();
            trim_end_in_place(&mut blank);
            self.out.push(blank);
        }
        self.need_blank = false;
        if self.containers.is_empty() {
            for mut line in content {
                trim_end_in_place(&mut line);
                self.out.push(line);
            }
            return;
        }
        let first: String = self
            .containers
            .iter()
            .map(|c| if c.started { &c.rest } else { &c.first }.as_str())
            .collect();
        let rest: String = self.containers.iter().map(|c| c.rest.as_str()).collect();
        for (i, line) in content.iter().enumerate() {
            let prefix = if i == 0 { &first } else { &rest };
            let mut prefixed = String::with_capacity(prefix.len() + line.len());
            prefixed.push_str(prefix);
            prefixed.push_str(line);
            trim_end_in_place(&mut prefixed);
            self.out.push(prefixed);
        }
        for container in &mut self.containers {
            container.started = true;
        }
    }
}

/// Removes trailing whitespace without a new allocation.
fn trim_end_in_place(line: &mut String) {
    line.truncate(line.trim_end().len());
}

/// Wraps `text` at `width` columns, breaking only between words (at ASCII spaces: a
/// no-break space holds); `\n` starts a new line. `first` indents the first line, `rest`
/// the others. First fit, as `fmt` and mail clients wrap: predictable, and written here
/// because textwrap's general machinery (optimal fit, word splitting) was most of the text
/// format's cost; a word longer than the width stands alone on its line.
fn fill(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for source in text.split('\n') {
        let mut indent = if lines.is_empty() { first } else { rest };
        let mut line = String::from(indent);
        let mut used = 0;
        let mut words = 0;
        for word in source.split(' ').filter(|w| !w.is_empty()) {
            let w = width_of(word);
            let avail = width.saturating_sub(width_of(indent));
            if words > 0 && used + 1 + w > avail {
                lines.push(finish_line(mem::replace(&mut line, String::from(rest))));
                indent = rest;
                used = 0;
                words = 0;
            }
            if words > 0 {
                line.push(' ');
                used += 1;
            }
            line.push_str(word);
            used += w;
            words += 1;
        }
        lines.push(finish_line(line));
    }
    lines
}

/// A wrapped line as written: the glue that held reference numbers to their word becomes a
/// space again, and no line ends in spaces.
fn finish_line(mut line: String) -> String {
    trim_end_in_place(&mut line);
    if line.contains(GLUE) {
        line.replace(GLUE, " ")
    } else {
        line
    }
}

/// Display width, with a shortcut for ASCII (one column a byte).
fn width_of(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        display_width(text)
    }
}

/// Collapses runs of spaces and trims each hard-broken segment, so no line leads or trails
/// with a space; leading and trailing line breaks are dropped.
fn clean_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, segment) in text.trim_matches('\n').split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // Runs of spaces left where raw HTML was removed read as one, as in a browser.
        for (j, word) in segment.split(' ').filter(|w| !w.is_empty()).enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    if out.starts_with('\n') || out.ends_with('\n') {
        out.trim_matches('\n').to_string()
    } else {
        out
    }
}

/// Every list's own items, as offsets from the list's `Start`, by the list's index. One
/// pass over all the events: scanning each list as it starts would be quadratic in lists
/// nested thousands deep.
fn items_by_list(events: &[&Event<'_>]) -> HashMap<usize, Vec<usize>> {
    let mut lists: HashMap<usize, Vec<usize>> = HashMap::new();
    // Each open tag, with its index when it is a list.
    let mut open: Vec<Option<usize>> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::Item)
                    && let Some(Some(list)) = open.last()
                {
                    lists.entry(*list).or_default().push(i - list);
                }
                open.push(matches!(tag, Tag::List(_)).then_some(i));
            }
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    lists
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

/// How many blocks a footnote definition holds at its top level.
fn top_level_blocks(body: &[Event<'_>]) -> usize {
    let mut depth = 0usize;
    let mut blocks = 0;
    for event in body {
        if let Event::Start(_) = event {
            if depth == 0 {
                blocks += 1;
            }
            depth += 1;
        } else if let Event::End(_) = event {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && matches!(event, Event::Rule) {
            blocks += 1;
        }
    }
    blocks
}

/// A tag's name, lower-cased, and whether it is a closing tag.
fn tag_name(raw: &str) -> (bool, String) {
    let inner = raw.trim_start().strip_prefix('<').unwrap_or_default();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name = inner
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (closing, name)
}

fn table_columns(table: &TableState) -> usize {
    std::iter::once(&table.head)
        .chain(&table.rows)
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(table.aligns.len())
}

/// The table as aligned columns, or `None` when it does not fit in `width`.
fn table_grid(table: &TableState, width: usize) -> Option<Vec<String>> {
    let columns = table_columns(table);
    let mut widths = vec![1; columns];
    for row in std::iter::once(&table.head).chain(&table.rows) {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    let total = widths.iter().sum::<usize>() + 3 * columns.saturating_sub(1);
    if total > width {
        return None;
    }
    let separator: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    let mut lines = vec![grid_row(&table.head, &widths, &table.aligns)];
    lines.push(separator.join("-+-"));
    lines.extend(
        table
            .rows
            .iter()
            .map(|row| grid_row(row, &widths, &table.aligns)),
    );
    Some(lines)
}

fn grid_row(cells: &[String], widths: &[usize], aligns: &[Alignment]) -> String {
    let padded: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, &w)| {
            let cell = cells.get(i).map_or("", String::as_str);
            pad(cell, w, aligns.get(i).copied().unwrap_or(Alignment::None))
        })
        .collect();
    padded.join(" | ").trim_end().to_string()
}

fn pad(text: &str, width: usize, align: Alignment) -> String {
    let gap = width.saturating_sub(display_width(text));
    let (left, right) = match align {
        Alignment::None | Alignment::Left => (0, gap),
        Alignment::Right => (gap, 0),
        Alignment::Center => (gap / 2, gap - gap / 2),
    };
    format!("{}{text}{}", " ".repeat(left), " ".repeat(right))
}

/// The table as one block per row of `Header: value` lines, for tables too wide to align.
fn table_records(table: &TableState, width: usize) -> Vec<String> {
    if table.rows.is_empty() {
        return table
            .head
            .iter()
            .filter(|h| !h.is_empty())
            .flat_map(|h| fill(h, width, "", ""))
            .collect();
    }
    let label_width = table
        .head
        .iter()
        .map(|h| display_width(h) + 2)
        .max()
        .unwrap_or(0);
    let aligned = (label_width <= width / 2).then_some(label_width);
    let mut lines = Vec::new();
    for (r, row) in table.rows.iter().enumerate() {
        if r > 0 {
            lines.push(String::new());
        }
        for (i, value) in row.iter().enumerate() {
            let header = table.head.get(i).map_or("", String::as_str);
            lines.extend(record_field(header, value, width, aligned));
        }
    }
    lines
}

fn record_field(
    header: &str,
    value: &str,
    width: usize,
    label_width: Option<usize>,
) -> Vec<String> {
    if header.is_empty() {
        return fill(value, width, "", "");
    }
    let label = match label_width {
        Some(w) => format!(
            "{header}:{}",
            " ".repeat(w.saturating_sub(display_width(header) + 1))
        ),
        None => format!("{header}: "),
    };
    if value.is_empty() {
        return fill(&format!("{header}:"), width, "", "");
    }
    let hang = " ".repeat(label_width.unwrap_or(2));
    let first_word = value.split(' ').next().unwrap_or_default();
    if display_width(&label) + display_width(first_word) <= width {
        return fill(value, width, &label, &hang);
    }
    // The label would push the first word past the width: give it a line of its own.
    let mut lines = fill(&format!("{header}:"), width, "", "");
    lines.extend(fill(value, width, &hang, &hang));
    lines
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::matching_end;
    use pretty_assertions::assert_eq;

    fn opts(wrap: usize) -> RenderOptions {
        RenderOptions {
            wrap,
            ..RenderOptions::default()
        }
    }

    /// Renders `md` and checks the layout promises every output keeps.
    fn render_md(md: &str, opts: &RenderOptions) -> String {
        let events = crate::markdown::parse::events(md);
        let out = render(&events, opts);
        assert_layout(&out, opts.wrap, &events);
        out
    }

    fn text(md: &str, wrap: usize) -> String {
        render_md(md, &opts(wrap))
    }

    /// No blank line at either end or twice in a row, no trailing spaces, and no line wider
    /// than `wrap` unless it is a code line or a single unbreakable word after its prefix.
    fn assert_layout(out: &str, wrap: usize, events: &[Event<'_>]) {
        assert!(!out.starts_with('\n'), "leading blank line:\n{out}");
        assert!(!out.ends_with('\n'), "trailing newline:\n{out}");
        assert!(!out.contains("\n\n\n"), "double blank line:\n{out}");
        let code = code_lines(events);
        for line in out.lines() {
            assert_eq!(line, line.trim_end(), "trailing space");
            if display_width(line) <= wrap {
                continue;
            }
            let is_code = code.iter().any(|c| line.ends_with(c.as_str()));
            assert!(
                is_code || is_one_word(line),
                "line wider than {wrap}: {line:?}"
            );
        }
    }

    fn code_lines(events: &[Event<'_>]) -> Vec<String> {
        let mut lines = Vec::new();
        let mut in_code = false;
        for event in events {
            if let Event::Start(Tag::CodeBlock(_)) = event {
                in_code = true;
            } else if let Event::End(TagEnd::CodeBlock) = event {
                in_code = false;
            } else if let (true, Event::Text(t)) = (in_code, event) {
                lines.extend(
                    t.lines()
                        .map(|l| l.trim_end().to_string())
                        .filter(|l| !l.is_empty()),
                );
            }
        }
        lines
    }

    fn is_one_word(line: &str) -> bool {
        let is_prefix = |w: &&str| {
            matches!(*w, ">" | "[" | "]" | "[x]" | "•" | "◦" | "▪")
                || w.strip_suffix('.')
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                || w.strip_prefix('[')
                    .and_then(|n| n.strip_suffix(']'))
                    .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
                || w.chars().all(|c| SUPERSCRIPT_DIGITS.contains(&c))
        };
        line.split_whitespace().skip_while(is_prefix).count() == 1
    }

    #[test]
    fn paragraphs_wrap_at_width() {
        assert_eq!(
            text(
                "The quick brown fox jumps over the lazy dog and keeps on running far away.",
                24
            ),
            "The quick brown fox\njumps over the lazy dog\nand keeps on running far\naway."
        );
    }

    #[test]
    fn soft_breaks_are_spaces_and_hard_breaks_start_lines() {
        assert_eq!(
            text(
                "One\ntwo three  \nfour five six seven eight nine ten\\\neleven",
                20
            ),
            "One two three\nfour five six seven\neight nine ten\neleven"
        );
    }

    #[test]
    fn headings_are_underlined_by_level() {
        assert_eq!(
            text(
                "# Big title\n\n## Section\n\n### Minor\n\n#### Tiny\n\nText.",
                72
            ),
            "BIG TITLE\n=========\n\nSection\n-------\n\nMinor\n\nTiny\n\nText."
        );
    }

    #[test]
    fn top_headings_keep_urls_in_their_case() {
        assert_eq!(
            text("# Read <https://example.com/Path>", 72),
            "READ https://example.com/Path\n============================="
        );
    }

    #[test]
    fn heading_shift_changes_the_heading_style() {
        let down = RenderOptions {
            heading_shift: 1,
            ..opts(72)
        };
        assert_eq!(render_md("# Big\n\n## Small", &down), "Big\n---\n\nSmall");
        let up = RenderOptions {
            heading_shift: -1,
            ..opts(72)
        };
        assert_eq!(render_md("## Up", &up), "UP\n==");
    }

    #[test]
    fn long_headings_wrap_with_the_underline_under_the_longest_line() {
        assert_eq!(
            text("## A heading that is long enough to wrap", 20),
            "A heading that is\nlong enough to wrap\n-------------------"
        );
    }

    #[test]
    fn emphasis_strong_strike_and_code_are_plain_text() {
        assert_eq!(
            text("Some *em*, **strong**, ~~gone~~ and `code()`.", 72),
            "Some em, strong, gone and code()."
        );
    }

    #[test]
    fn code_blocks_are_indented_and_never_wrapped() {
        let md = "Before:\n\n```rust\nfn main() { println!(\"far past twenty\"); }\n\n    nested\n```\n\n    indented   code\n\nAfter.";
        assert_eq!(
            text(md, 20),
            "Before:\n\n    fn main() { println!(\"far past twenty\"); }\n\n        nested\n\n    indented   code\n\nAfter."
        );
    }

    #[test]
    fn links_become_numbered_references() {
        let md = "Read [the guide](https://example.com/guide), then [the FAQ](https://example.com/faq) and [the guide again](https://example.com/guide).";
        assert_eq!(
            text(md, 72),
            "Read the guide [1], then the FAQ [2] and the guide again [1].\n\n[1] https://example.com/guide\n[2] https://example.com/faq"
        );
    }

    #[test]
    fn reference_numbers_stay_with_their_word_when_wrapping() {
        assert_eq!(
            text("Read about [the guide](https://example.com/) now.", 20),
            "Read about the\nguide [1] now.\n\n[1] https://example.com/"
        );
    }

    #[test]
    fn inline_style_puts_urls_in_parentheses() {
        let inline = RenderOptions {
            links: LinkStyle::Inline,
            ..opts(72)
        };
        let md =
            "See [the guide](https://example.com/guide) and ![A chart](https://example.com/c.png).";
        assert_eq!(
            render_md(md, &inline),
            "See the guide (https://example.com/guide) and [Image: A chart]\n(https://example.com/c.png)."
        );
    }

    #[test]
    fn autolinks_show_the_url_or_address_once() {
        let md = "Visit <https://example.com/> or <me@example.com> or [https://example.com/x](https://example.com/x).";
        let expected = "Visit https://example.com/ or me@example.com or https://example.com/x.";
        assert_eq!(text(md, 72), expected);
        let inline = RenderOptions {
            links: LinkStyle::Inline,
            ..opts(72)
        };
        assert_eq!(render_md(md, &inline), expected);
    }

    #[test]
    fn images_show_alt_text_and_a_reference() {
        let md = "![A chart](https://example.com/chart.png)\n\nAnd ![](https://example.com/x.png) here, [linked](https://example.com/chart.png).";
        assert_eq!(
            text(md, 72),
            "[Image: A chart] [1]\n\nAnd [Image] [2] here, linked [1].\n\n[1] https://example.com/chart.png\n[2] https://example.com/x.png"
        );
    }

    /// An image in another's alt text gives its text to the outer one, as in HTML's `alt`:
    /// written whole at every level, nested images once took minutes (the alt text copied
    /// again per level).
    #[test]
    fn an_image_inside_alt_text_adds_only_its_text() {
        let md = "![a ![b [c](https://e.com/l) ![d](https://e.com/d.png)](https://e.com/i.png) e](https://e.com/o.png)";
        assert_eq!(
            text(md, 72),
            "[Image: a b c d e] [1]\n\n[1] https://e.com/o.png"
        );
    }

    #[test]
    fn unsafe_links_and_images_keep_only_their_text() {
        let md = "[Click](javascript:alert(1)) and ![Pic](data:image/png;base64,xx) and <javascript:go()>.";
        assert_eq!(text(md, 72), "Click and [Image: Pic] and javascript:go().");
    }

    #[test]
    fn relative_and_fragment_links_resolve_against_the_base_url() {
        let md = "[Other post](../other/) and [below](#setup).";
        let based = RenderOptions {
            base_url: Some("https://example.com/blog/post/".into()),
            utm_scope: vec!["https://example.com/".into()],
            utm: vec![("utm_source".into(), "newsletter".into())],
            ..opts(72)
        };
        assert_eq!(
            render_md(md, &based),
            "Other post [1] and below [2].\n\n[1] https://example.com/blog/other/?utm_source=newsletter\n[2] https://example.com/blog/post/?utm_source=newsletter#setup"
        );
        // Without a page to point at, a fragment leads nowhere.
        assert_eq!(text(md, 72), "Other post [1] and below.\n\n[1] ../other/");
    }

    #[test]
    fn nested_lists_indent_under_the_parent_text() {
        let md = "- Fruit\n  - Apple\n  - Pear\n    1. Small\n    2. Large\n- Vegetables";
        assert_eq!(
            text(md, 72),
            "  • Fruit\n    ◦ Apple\n    ◦ Pear\n      1. Small\n      2. Large\n  • Vegetables"
        );
    }

    #[test]
    fn ordered_lists_keep_their_start_and_right_align_numbers() {
        assert_eq!(text("3. Three\n4. Four", 72), "  3. Three\n  4. Four");
        assert_eq!(
            text("9. Nine\n10. Ten\n11. Eleven", 72),
            "   9. Nine\n  10. Ten\n  11. Eleven"
        );
    }

    #[test]
    fn task_lists_show_checkboxes_after_the_marker() {
        assert_eq!(
            text("- [ ] Pick a title\n- [x] Write the draft", 72),
            "  • [ ] Pick a title\n  • [x] Write the draft"
        );
        assert_eq!(
            text(
                "- [ ] Write the draft of the post for the forum\n- [x] Pick a title",
                30
            ),
            "  • [ ] Write the draft of the\n        post for the forum\n\n  • [x] Pick a title"
        );
    }

    #[test]
    fn loose_lists_are_spaced_and_tight_lists_are_not() {
        assert_eq!(
            text("- a\n- b\n\nPara\n\n- c\n\n- d\n\n  More d.", 72),
            "  • a\n  • b\n\nPara\n\n  • c\n\n  • d\n\n    More d."
        );
    }

    #[test]
    fn tight_lists_of_wrapped_items_are_spaced() {
        assert_eq!(
            text("1. A short one.\n2. A longer item that has to wrap.", 24),
            "  1. A short one.\n\n  2. A longer item that\n     has to wrap."
        );
    }

    #[test]
    fn empty_list_items_keep_their_marker() {
        assert_eq!(text("1. a\n2.\n3. c", 72), "  1. a\n  2.\n  3. c");
    }

    #[test]
    fn nested_quotes_are_prefixed_and_wrapped() {
        let md = "> Outer quote text that is long enough to wrap.\n>\n> > Inner quote text that also wraps.\n\nAfter.";
        assert_eq!(
            text(md, 24),
            "> Outer quote text that\n> is long enough to\n> wrap.\n>\n> > Inner quote text\n> > that also wraps.\n\nAfter."
        );
    }

    #[test]
    fn rules_are_centred_stars() {
        assert_eq!(
            text("Above\n\n---\n\nBelow", 20),
            "Above\n\n       * * *\n\nBelow"
        );
    }

    #[test]
    fn tables_that_fit_are_aligned_columns() {
        let md = "| Item | Qty | Note |\n|:-----|----:|:----:|\n| Apple | 3 | red |\n| Banana | 12 | ripe |";
        assert_eq!(
            text(md, 72),
            "Item   | Qty | Note\n-------+-----+-----\nApple  |   3 | red\nBanana |  12 | ripe"
        );
    }

    #[test]
    fn tables_too_wide_become_header_value_blocks() {
        let md = "| Name | Description |\n|---|---|\n| Leverage | The ability to accomplish more by use of a tool |\n| Reach | How many people see it |";
        assert_eq!(
            text(md, 30),
            "Name:        Leverage\nDescription: The ability to\n             accomplish more\n             by use of a tool\n\nName:        Reach\nDescription: How many people\n             see it"
        );
    }

    #[test]
    fn footnotes_are_numbered_by_reference_and_listed_before_links() {
        let md = "Alpha[^second] and beta[^first], see [docs](https://example.com/docs).\n\n[^first]: The first note, with [a link](https://example.com/note) in it.\n[^second]: The second note.";
        assert_eq!(
            text(md, 30),
            "Alpha¹ and beta², see\ndocs [1].\n\nNotes\n-----\n\n¹ The second note.\n² The first note, with a\n  link [2] in it.\n\n[1] https://example.com/docs\n[2] https://example.com/note"
        );
    }

    #[test]
    fn raw_html_is_reduced_to_text_without_scripts() {
        let md = "<div class=\"note\">\n<p>Kept <b>text</b></p><p>Second</p>\n<script>alert('x')</script>\n</div>\n\nInline <em>html</em> here<script>steal()</script> and<br>after.";
        assert_eq!(
            text(md, 72),
            "Kept text\n\nSecond\n\nInline html here and\nafter."
        );
    }

    #[test]
    fn a_long_url_overflows_on_its_own_line() {
        let url = "https://example.com/a/really/long/path/that/never/breaks";
        assert_eq!(
            text(&format!("See {url} for more.\n\n- Item {url}"), 30),
            format!("See\n{url}\nfor more.\n\n  • Item\n    {url}")
        );
    }

    #[test]
    fn a_slice_of_blocks_renders_alone() {
        let events =
            crate::markdown::parse::events("First.\n\nSecond [x](https://e.com/).\n\nThird.");
        let start = 3;
        let end = matching_end(&events, start);
        assert_eq!(
            render(&events[start..=end], &opts(72)),
            "Second x [1].\n\n[1] https://e.com/"
        );
        assert_eq!(render(&[], &opts(72)), "");
    }

    #[test]
    fn other_extensions_render_sensibly() {
        use pulldown_cmark::{Options, Parser};
        let md = "---\ntitle: Hidden\n---\n\nTerm\n: Its definition.\n\nLevel ^2^, base ~10~, ^high^ and $e=mc^2$.\n\n> [!NOTE]\n> Mind this.";
        let options = Options::ENABLE_DEFINITION_LIST
            | Options::ENABLE_SUPERSCRIPT
            | Options::ENABLE_SUBSCRIPT
            | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_MATH
            | Options::ENABLE_GFM;
        let events: Vec<Event<'static>> = Parser::new_ext(md, options)
            .map(Event::into_static)
            .collect();
        let out = render(&events, &opts(72));
        assert_layout(&out, 72, &events);
        assert_eq!(
            out,
            "Term\n    Its definition.\n\nLevel ², base ₁₀, high and e=mc^2.\n\n> Note:\n> Mind this."
        );
    }

    #[test]
    fn seed_like_post_reads_like_the_newsletter_example() {
        let md = "Fellow Ryze member Walter Paul Bebirian and I were having an interesting discussion about the concept of “leverage” and how it applies to networking.\n\nSimply put, \"leverage\" is the ability to accomplish more by use of a tool than we could through our own direct effort. I have an idea of three ways that this can apply to networking:\n\n  1. When you have strong enough relationships that people take action on your behalf proactively, rather than just responding reactively, that's leverage. Your relationship with them leverages their entire network — that’s when it’s leverage.\n  2. Any time you interact in a public forum rather than one-on-one, that's leverage. The same conversation exposes you to dozens of other people.\n  3. You can also leverage your writing by repurposing it for other venues -- forums, blogs... That's leverage too.\n\nWhat's your idea of how to apply the concept of leverage to networking? Hit reply and tell me.";
        assert_eq!(
            text(md, 72),
            "\
Fellow Ryze member Walter Paul Bebirian and I were having an interesting
discussion about the concept of “leverage” and how it applies to
networking.

Simply put, “leverage” is the ability to accomplish more by use of a
tool than we could through our own direct effort. I have an idea of
three ways that this can apply to networking:

  1. When you have strong enough relationships that people take action
     on your behalf proactively, rather than just responding reactively,
     that’s leverage. Your relationship with them leverages their entire
     network — that’s when it’s leverage.

  2. Any time you interact in a public forum rather than one-on-one,
     that’s leverage. The same conversation exposes you to dozens of
     other people.

  3. You can also leverage your writing by repurposing it for other
     venues – forums, blogs… That’s leverage too.

What’s your idea of how to apply the concept of leverage to networking?
Hit reply and tell me."
        );
    }

    #[test]
    fn degradations_are_what_the_output_shows() {
        for construct in Construct::ALL {
            let out = text(construct.sample(), 72);
            let kept = match construct {
                // Plain text has no table; the columns are checked below.
                Construct::Table => false,
                Construct::HtmlBlock => out.contains("<div"),
                Construct::InlineHtml => out.contains("<kbd>"),
                Construct::LineBreakTag => out.contains("one\ntwo"),
                Construct::CodeSpan => out.contains("run()"),
                Construct::Strikethrough => out.contains("~~free~~"),
                Construct::Image { alt } => {
                    out.contains(if alt { "[Image: A chart]" } else { "[Image]" })
                        && out.contains("https://example.com/c.png")
                }
                Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
                    out.contains("setup") || out.contains("wide") || out.contains("data-x")
                }
                Construct::ListStart => out.contains("7. seven"),
            };
            assert_eq!(
                degradation(construct).is_none(),
                kept,
                "{construct:?} renders as:\n{out}"
            );
        }
        assert_eq!(text(Construct::Table.sample(), 72), "a | b\n--+--\n1 | 2");
    }
}
