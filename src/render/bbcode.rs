//! The `bbcode` body format: BBCode as phpBB-style forums accept it.
//!
//! Shaped like pulldown-cmark's `html.rs`: a writer holding the output and a little state,
//! with `start_tag` / `end_tag` and exhaustive matches. Separators between blocks are owed
//! rather than written: a block records the separator it needs (`Sep`) and it is written only
//! when the next content arrives. That way there is never a leading or trailing blank line,
//! and a slice of the body (a section) renders as cleanly as the whole post.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Range;

use pulldown_cmark::{Alignment, BlockQuoteKind, Event, LinkType, Tag, TagEnd};

use super::{
    Construct, Degradation, Footnotes, RenderOptions, ScriptSkip, is_safe_url, matching_end,
    opens_element, plain_text, shifted_level, split_footnotes, strip_html, superscript,
};

/// Invisible, zero-width, and not a tag-name character: see [`escape_text`].
const WORD_JOINER: char = '\u{2060}';

/// phpBB has no `[hr]` (and custom ones differ from board to board), so a rule is a line of
/// box-drawing characters: plain text that reads as a divider on every forum and in every
/// font, and that no BBCode parser can misread.
const RULE: &str = "────────────";

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
        renumber: Option<u64>,
    },
    Item {
        tight: bool,
    },
    DefinitionList,
    Definition,
}

/// Where a link points once rewritten for the forum.
#[derive(Debug)]
enum Target {
    Url(String),
    Email(String),
    /// Unsafe or meaningless on a forum: the link text alone is written.
    Text,
}

#[derive(Debug)]
struct OpenLink {
    /// Where the link text starts in `out`; the text is taken back out at the link's end,
    /// because whether it equals the URL decides between `[url]…` and `[url=…]…`.
    start: usize,
    target: Target,
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

    // --- Output and separators ---

    /// Writes the owed separator: content is about to follow.
    fn flush(&mut self) {
        let sep = std::mem::replace(&mut self.sep, Sep::None);
        match sep {
            Sep::None => {}
            Sep::Space => self.out.push(' '),
            Sep::Line => self.out.push('\n'),
            Sep::Blank => self.out.push_str("\n\n"),
        }
        self.fresh = false;
    }

    /// Writes BBCode we generate ourselves: never escaped.
    fn markup(&mut self, s: &str) {
        self.flush();
        self.out.push_str(s);
    }

    /// Writes text from the post: escaped, or kept verbatim inside a code block.
    fn text(&mut self, text: &str) {
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        if self.skip_inline.active() {
            return;
        }
        self.flush();
        escape_text(text, &mut self.out);
    }

    /// A block begins: it owes the separator of the container it is in, unless it is the
    /// container's first content.
    fn start_block(&mut self) {
        self.skip_inline.reset();
        if !self.fresh {
            self.sep = self.block_sep();
        }
    }

    fn block_sep(&self) -> Sep {
        match self.containers.last() {
            None if self.one_line => Sep::Space,
            None | Some(Container::Quote | Container::Item { tight: false }) => Sep::Blank,
            Some(
                Container::Item { tight: true }
                | Container::List { .. }
                | Container::DefinitionList
                | Container::Definition,
            ) => Sep::Line,
        }
    }

    /// The next content starts on its own line, with no blank line before it (`[*]`,
    /// closing tags).
    fn own_line(&mut self) {
        self.sep = if self.out.is_empty() {
            Sep::None
        } else {
            Sep::Line
        };
    }

    fn close_container(&mut self, closer: &str) {
        self.containers.pop();
        self.own_line();
        self.markup(closer);
    }

    // --- Blocks ---

    fn start_quote(&mut self, kind: Option<BlockQuoteKind>) {
        self.start_block();
        self.markup("[quote]");
        self.containers.push(Container::Quote);
        self.sep = Sep::Line;
        self.fresh = true;
        if let Some(kind) = kind {
            let label = match kind {
                BlockQuoteKind::Note => "Note",
                BlockQuoteKind::Tip => "Tip",
                BlockQuoteKind::Important => "Important",
                BlockQuoteKind::Warning => "Warning",
                BlockQuoteKind::Caution => "Caution",
            };
            self.markup(&format!("[b]{label}[/b]"));
            // The label heads the quote's text rather than standing apart from it.
            self.sep = Sep::Line;
            self.fresh = true;
        }
    }

    /// phpBB's `[list=1]` always counts from 1 and has no start attribute, so a list that
    /// starts elsewhere is written as a plain `[list]` whose items carry their own numbers
    /// (`[*]7. …`): the numbers stay right on every board, at the cost of a bullet before
    /// them, and nesting still works (unlike numbered lines outside a list).
    fn start_list(&mut self, start: Option<u64>, tight: bool) {
        self.start_block();
        self.markup(if start == Some(1) {
            "[list=1]"
        } else {
            "[list]"
        });
        self.containers.push(Container::List {
            tight,
            renumber: start.filter(|&n| n != 1),
        });
        self.fresh = true;
    }

    fn start_item(&mut self) {
        let (tight, number) = match self.containers.last_mut() {
            Some(Container::List { tight, renumber }) => {
                let number = *renumber;
                *renumber = renumber.map(|n| n.saturating_add(1));
                (*tight, number)
            }
            _ => (true, None),
        };
        self.own_line();
        self.markup("[*]");
        if let Some(n) = number {
            self.markup(&format!("{n}. "));
        }
        self.containers.push(Container::Item { tight });
        self.fresh = true;
    }

    /// Forums don't parse inside `[code]`, so the content goes in verbatim; only its own
    /// closing tag could end the block early.
    fn end_code_block(&mut self) {
        let mut content = self.code.take().unwrap_or_default();
        if content.ends_with('\n') {
            content.pop();
        }
        // phpBB drops the line break right after `[code]`, so the opening tag can sit on
        // its own line and the code starts at its first column.
        self.markup("[code]\n");
        self.markup(&neutralise_code_end(&content));
        self.markup("\n[/code]");
    }

    fn end_html_block(&mut self) {
        let raw = self.html.take().unwrap_or_default();
        let text = tidy_lines(&strip_html(&raw));
        if !text.is_empty() {
            self.start_block();
            self.text(&text);
        }
    }

    fn rule(&mut self) {
        self.start_block();
        self.markup(RULE);
    }

    /// A table becomes a `[code]` block: forums have no portable table tag, and only a
    /// monospaced block keeps the columns lined up.
    fn table(&mut self, alignments: &[Alignment], events: &[&Event<'static>]) {
        let (rows, has_head) = table_rows(events);
        if rows.is_empty() {
            return;
        }
        self.start_block();
        self.markup(&format_table(alignments, &rows, has_head));
    }

    // --- Inline ---

    fn html(&mut self, html: &str) {
        match &mut self.html {
            Some(block) => block.push_str(html),
            None => self.inline_html(html),
        }
    }

    /// Inline HTML arrives tag by tag, so the text between `<script>` and `</script>` comes
    /// as ordinary text events and is skipped here rather than by `strip_html`.
    fn inline_html(&mut self, html: &str) {
        if self.skip_inline.feed(html) {
            return;
        }
        let lower = html.to_ascii_lowercase();
        if opens_element(&lower, "br") {
            self.markup("\n");
            return;
        }
        let text = strip_html(html);
        if !text.is_empty() {
            self.text(&text);
        }
    }

    fn footnote_reference(&mut self, label: &str) {
        // In a slice (a section) the definition may lie outside it: with no note to point
        // at, a marker would only be noise, so it is left out.
        if let Some(n) = self.notes.number(label) {
            self.markup(&superscript(n));
        }
    }

    fn start_link(&mut self, link_type: LinkType, dest: &str) {
        let target = self.link_target(link_type, dest);
        // The owed separator belongs before the link, not inside the text taken back later.
        self.flush();
        self.links.push(OpenLink {
            start: self.out.len(),
            target,
        });
    }

    fn end_link(&mut self) {
        let Some(link) = self.links.pop() else {
            return;
        };
        let text = self.out.split_off(link.start.min(self.out.len()));
        match link.target {
            Target::Url(url) => wrap_link(&mut self.out, "url", &url, &text),
            Target::Email(address) => wrap_link(&mut self.out, "email", &address, &text),
            Target::Text => self.out.push_str(&text),
        }
    }

    fn link_target(&self, link_type: LinkType, dest: &str) -> Target {
        // An email autolink's destination is the bare address: resolving it as a URL would
        // turn it into a path under the base URL.
        if link_type == LinkType::Email {
            return if is_safe_url(dest) && !dest.is_empty() {
                Target::Email(encode_url(dest))
            } else {
                Target::Text
            };
        }
        let Some(url) = self.opts.detached_url(dest) else {
            return Target::Text;
        };
        match strip_mailto(&url) {
            Some(address) if !address.contains('?') && !address.is_empty() => {
                Target::Email(encode_url(address))
            }
            _ => Target::Url(encode_url(&url)),
        }
    }

    fn image(&mut self, dest: &str, alt: &[&Event<'static>]) {
        match self.opts.image_url(dest) {
            Some(url) => self.markup(&format!("[img]{}[/img]", encode_url(&url))),
            None => self.text(&plain_text(alt.iter().copied())),
        }
    }

    // --- Footnotes ---

    /// The notes, after a rule, one per line: `¹ text`.
    fn footnotes(&mut self) {
        let notes = self.notes;
        if notes.defs.is_empty() {
            return;
        }
        self.rule();
        for &(n, _, body) in &notes.defs {
            let events: Vec<&Event<'static>> = body.iter().collect();
            let mut note = Writer::new(self.opts, notes, true);
            note.run(&events);
            self.own_line();
            self.markup(format!("{} {}", superscript(n), note.out).trim_end());
        }
    }
}

/// Plain text (a title, a tag) made safe to place in BBCode markup; see `escape_text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    escape_text(text, &mut out);
    out
}

/// Makes text from the post safe to place in BBCode.
///
/// BBCode has no escape character (`\[b]` still bolds) and phpBB shows entities such as
/// `&#91;` as typed rather than decoding them, so there is no portable way to write a
/// literal tag. Instead U+2060
/// WORD JOINER goes right after every `[` that would start a tag name (`[b]`, `[/url]`,
/// `[*]`): it is invisible and zero-width, but it is not a tag-name character, so the
/// parser no longer sees a tag. `[1]` or `[ ]` can't be tags and stay untouched.
///
/// A tag can also be formed across two writes (inline code ending in `[` followed by text
/// starting with `b]`), so the end of `out` is checked too.
fn escape_text(s: &str, out: &mut String) {
    if (out.ends_with('[') && starts_tag_name(s))
        || (out.ends_with("[/") && s.starts_with(is_tag_name_start))
    {
        out.push(WORD_JOINER);
    }
    let mut rest = s;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if starts_tag_name(rest) {
            out.push(WORD_JOINER);
        }
    }
    out.push_str(rest);
}

/// Whether text right after a `[` would make it a tag: an optional `/`, then a name.
fn starts_tag_name(after_bracket: &str) -> bool {
    let name = after_bracket.strip_prefix('/').unwrap_or(after_bracket);
    name.starts_with(is_tag_name_start)
}

fn is_tag_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '*'
}

/// Puts a word joiner after the `[` of every `[/code` (any case), the one sequence that
/// would close a `[code]` block early.
fn neutralise_code_end(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for (i, c) in code.char_indices() {
        out.push(c);
        let closes = code
            .get(i + 1..i + 6)
            .is_some_and(|next| next.eq_ignore_ascii_case("/code"));
        if c == '[' && closes {
            out.push(WORD_JOINER);
        }
    }
    out
}

/// Makes a URL unable to end the tag it sits in: `]` would close `[url=…]`, `[` could open
/// a tag inside `[url]…[/url]`, and spaces or quotes confuse attribute parsing. All are
/// percent-encoded, which leaves the URL's meaning unchanged.
fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if matches!(c, '[' | ']' | '"') || c.is_whitespace() || c.is_control() {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A value from outside the body (`post.canonical_url`, a `site:` or front-matter value)
/// made safe to print in a BBCode template: an http(s) URL percent-encoded like the body's
/// links (`encode_url`), so it can neither end the `[url=…]` it sits in nor open a tag;
/// anything else escaped as text.
pub fn escape_value(text: &str) -> String {
    if url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        encode_url(text)
    } else {
        escape(text)
    }
}

/// Makes every `[url=…]`, `[url]…[/url]` and `[img]…[/img]` of a rendered output whose URL
/// could run something (any scheme but http, https, and mailto for links) into text, with
/// a word joiner after its `[`, and returns those URLs. The body never writes one; this
/// holds whatever a template or a value it prints writes.
///
/// Linear in the output: the ends of the tags are found by searches that only move forward
/// (`Ahead`), and a URL is read only up to its first `[`, past which only the few marks
/// `is_web_link` asks for are looked up.
pub fn guard_links(bbcode: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(bbcode.len());
    let mut dropped = Vec::new();
    let mut ahead = Ahead::default();
    let mut copied = 0;
    for (at, _) in bbcode.match_indices('[') {
        let Some((value, mail)) = tag_url(bbcode, at + 1, &mut ahead) else {
            continue;
        };
        if !is_web_link(bbcode, value.clone(), mail, &mut ahead) {
            out.push_str(&bbcode[copied..=at]);
            out.push(WORD_JOINER);
            copied = at + 1;
            dropped.push(reported_url(&bbcode[value]));
        }
    }
    out.push_str(&bbcode[copied..]);
    (out, dropped)
}

/// The longest part of a URL after its first `[` that is read when the `[` may lie in its
/// authority (an IPv6 address, a `[` in a user name): such a URL running on further is left
/// as text, since reading it again for every `[` inside it would be quadratic.
const BRACKETED_AUTHORITY_MAX: usize = 256;

/// A dropped URL as a warning names it: whole, or up to its first `[` and an ellipsis when
/// it runs on far past it (a run of tags in a code block would be named once per tag).
fn reported_url(url: &str) -> String {
    match url.find('[') {
        Some(at) if url.len() - at > BRACKETED_AUTHORITY_MAX => format!("{}…", &url[..at]),
        _ => url.to_string(),
    }
}

/// Where `guard_links` looks ahead in the output, for positions that only move forward.
#[derive(Default)]
struct Ahead {
    /// The `]` that ends a `[url=…]`.
    bracket: Next,
    /// The `[/url]` and `[/img]` that end a `[url]…` and an `[img]…`.
    url_end: Next,
    img_end: Next,
    /// After a URL's first `[`: the end of a relative URL's head (`/`, `?`, `#`), of an
    /// http(s) URL's authority (those and `\`), and a `:` or `&`.
    head_end: Next,
    authority_end: Next,
    mark: Next,
    /// The end of the last URL cut by a `[`, and where it ends once unquoted.
    unquoted_end: Option<(usize, usize)>,
}

/// The first place at or after a position where a search finds something, remembered: the
/// same answer holds for every later position up to it, so when positions only move
/// forward, each part of the text is searched once.
#[derive(Default)]
struct Next {
    from: usize,
    found: Option<Option<usize>>,
}

impl Next {
    fn find(
        &mut self,
        text: &str,
        from: usize,
        search: impl Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        match self.found {
            Some(found) if from >= self.from && found.is_none_or(|at| at >= from) => found,
            _ => {
                let found = search(&text[from..]).map(|at| from + at);
                (self.from, self.found) = (from, Some(found));
                found
            }
        }
    }
}

/// The place in `text` of the URL of the link or image tag opened by the `[` before
/// `after`, with whether a `mailto:` URL is fine there.
fn tag_url(text: &str, after: usize, ahead: &mut Ahead) -> Option<(Range<usize>, bool)> {
    let name = text.get(after..after + 4)?;
    let start = after + 4;
    if name.eq_ignore_ascii_case("url=") {
        let end = ahead.bracket.find(text, start, |rest| rest.find(']'))?;
        return Some((start..end, true));
    }
    let (closing, next, mail) = if name.eq_ignore_ascii_case("url]") {
        ("[/url]", &mut ahead.url_end, true)
    } else if name.eq_ignore_ascii_case("img]") {
        ("[/img]", &mut ahead.img_end, false)
    } else {
        return None;
    };
    let end = next.find(text, start, |rest| {
        super::find_ignore_ascii_case(rest, closing)
    })?;
    Some((start..end, mail))
}

/// Whether the tag's URL at `url` in `text` is a web link (or a mail link, when `mail`) or
/// relative: nothing a forum would run. Relative URLs are left to `check`'s `relative-link`.
fn is_web_link(text: &str, url: Range<usize>, mail: bool, ahead: &mut Ahead) -> bool {
    let Some(cut) = text[url.clone()].find('[').map(|at| url.start + at) else {
        return is_web_url(unquote(&text[url]), mail);
    };
    // `unquote` strips the ends only and never a `[`, so each end is stripped on its own.
    let head = unquote(&text[url.start..=cut]);
    let head = &head[..head.len() - 1];
    let start = cut - head.len();
    let end = match ahead.unquoted_end {
        Some((raw, end)) if raw == url.end => end,
        _ => {
            let end = cut + unquote(&text[cut..url.end]).len();
            ahead.unquoted_end = Some((url.end, end));
            end
        }
    };
    // No scheme can hold a `[`: the URL's has to come before it.
    let Some((scheme, rest)) = head
        .split_once(':')
        .filter(|_| super::starts_with_scheme(head))
    else {
        // As in `is_web_url`: the head (up to a `/`, `?` or `#`) holds no `:` or `&`.
        if let Some(at) = head.find(['/', '?', '#']) {
            return !head[..at].contains([':', '&']);
        }
        if head.contains([':', '&']) {
            return false;
        }
        let head_end = ahead
            .head_end
            .find(text, cut, |rest| rest.find(['/', '?', '#']));
        let mark = ahead.mark.find(text, cut, |rest| rest.find([':', '&']));
        return mark.is_none_or(|at| at >= head_end.map_or(end, |at| at.min(end)));
    };
    let special = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => true,
        "mailto" if mail => false,
        _ => return false,
    };
    // Only the scheme and the authority can make a URL fail to parse: when the authority
    // ends before the `[`, the URL up to it says; else the URL up to the authority's end.
    let parsed = if authority_ends_in(rest, special) {
        &text[start..cut]
    } else {
        let stops: &[char] = if special {
            &['/', '\\', '?', '#']
        } else {
            &['/', '?', '#']
        };
        let next = if special {
            &mut ahead.authority_end
        } else {
            &mut ahead.head_end
        };
        // With the character that ends the authority, which `Url::parse` does not trim.
        let authority_end = next
            .find(text, cut, |rest| rest.find(stops))
            .map_or(end, |at| (at + 1).min(end));
        if authority_end - cut > BRACKETED_AUTHORITY_MAX {
            return false;
        }
        &text[start..authority_end]
    };
    url::Url::parse(parsed).is_ok()
}

/// Whether the authority of a URL whose text after `scheme:` starts with `rest` ends within
/// `rest`, as `Url::parse` reads it: tabs and line breaks are skipped; a special scheme's
/// authority comes after any run of `/` and `\` and ends at one of those, `?` or `#`;
/// another scheme has an authority only after `//`, ending at `/`, `?` or `#`.
fn authority_ends_in(rest: &str, special: bool) -> bool {
    let mut chars = rest
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .peekable();
    if special {
        while chars.next_if(|&c| matches!(c, '/' | '\\')).is_some() {}
        chars.any(|c| matches!(c, '/' | '\\' | '?' | '#'))
    } else if chars.next() == Some('/') && chars.next() == Some('/') {
        chars.any(|c| matches!(c, '/' | '?' | '#'))
    } else {
        true
    }
}

/// `is_web_link` for a whole URL, unquoted.
fn is_web_url(url: &str, mail: bool) -> bool {
    if !super::starts_with_scheme(url) {
        // A scheme hidden by characters inside it (`java\tscript:`) or by an entity
        // (`javascript&#58;`, `&#106;avascript:`) would be found by a forum that decodes
        // or cleans the value: a relative URL has no `:` or `&` before its path.
        let head = url.split(['/', '?', '#']).next().unwrap_or_default();
        return !head.contains([':', '&']);
    }
    url::Url::parse(url).is_ok_and(|u| match u.scheme() {
        "http" | "https" => true,
        "mailto" => mail,
        _ => false,
    })
}

/// A tag's URL without what forums strip around it: whitespace, control and zero-width
/// characters, and quotes, plain or as entities (`[url="…"]`, `[url=&quot;…&quot;]`).
fn unquote(url: &str) -> &str {
    const QUOTES: [&str; 7] = ["\"", "'", "&quot;", "&#34;", "&#39;", "&#x27;", "&apos;"];
    let blank = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
    };
    let mut url = url;
    loop {
        let before = url.len();
        url = url.trim_matches(blank);
        for quote in QUOTES {
            if let Some(rest) = strip_prefix_ignore_ascii_case(url, quote) {
                url = rest;
            }
            if let Some(rest) = strip_suffix_ignore_ascii_case(url, quote) {
                url = rest;
            }
        }
        if url.len() == before {
            return url;
        }
    }
}

fn strip_prefix_ignore_ascii_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_ascii_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let at = text.len().checked_sub(suffix.len())?;
    let tail = text.get(at..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..at])
}

/// `[tag]value[/tag]` when the text is the value itself (autolinks), else `[tag=value]text[/tag]`.
fn wrap_link(out: &mut String, tag: &str, value: &str, text: &str) {
    if text.is_empty() || text == value {
        let _ = write!(out, "[{tag}]{value}[/{tag}]");
    } else {
        let _ = write!(out, "[{tag}={value}]{text}[/{tag}]");
    }
}

fn strip_mailto(url: &str) -> Option<&str> {
    let scheme = url.get(..7)?;
    scheme.eq_ignore_ascii_case("mailto:").then(|| &url[7..])
}

/// `[size=…]` is a percentage in phpBB; levels 4–6 are only bold, as a larger size for
/// minor headings would shout.
fn heading_tags(level: u8) -> (&'static str, &'static str) {
    match level {
        1 => ("[size=150][b]", "[/b][/size]"),
        2 => ("[size=130][b]", "[/b][/size]"),
        3 => ("[size=115][b]", "[/b][/size]"),
        _ => ("[b]", "[/b]"),
    }
}

/// Text left by raw HTML: lines trimmed, runs of blank lines reduced to one.
fn tidy_lines(text: &str) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        out.push_str(line);
        blank = false;
    }
    out
}

/// The events strictly between `start` and `end` (empty for a truncated slice).
fn inner<'s, 'e>(
    events: &'s [&'e Event<'static>],
    start: usize,
    end: usize,
) -> &'s [&'e Event<'static>] {
    events.get(start + 1..end).unwrap_or(&[])
}

/// The indices of the loose lists: those with a paragraph right inside one of their items
/// (pulldown-cmark only emits paragraphs in items of loose lists). Found for every list in
/// one pass before writing, so items know their separators; looking inside each list as it
/// starts would be quadratic in lists nested thousands deep.
fn loose_lists(events: &[&Event<'static>]) -> HashSet<usize> {
    let mut loose = HashSet::new();
    // Each open tag, with its index when it is a list.
    let mut open: Vec<Option<usize>> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if matches!(tag, Tag::Paragraph)
                    && let [.., Some(list), _] = open[..]
                {
                    loose.insert(list);
                }
                open.push(matches!(tag, Tag::List(_)).then_some(i));
            }
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    loose
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

/// Columns padded to their display width (CJK and emoji count double, the word joiner
/// nothing), ` | ` between them, a `-+-` rule under the header.
fn format_table(alignments: &[Alignment], rows: &[Vec<String>], has_head: bool) -> String {
    let columns = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(alignments.len());
    let mut widths = vec![1; columns];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(textwrap::core::display_width(cell));
        }
    }
    let mut lines = Vec::with_capacity(rows.len() + 1);
    for (r, row) in rows.iter().enumerate() {
        let cells: Vec<String> = widths
            .iter()
            .enumerate()
            .map(|(c, &width)| {
                let cell = row.get(c).map_or("", String::as_str);
                let align = alignments.get(c).copied().unwrap_or(Alignment::None);
                pad(cell, width, align)
            })
            .collect();
        lines.push(cells.join(" | ").trim_end().to_string());
        if r == 0 && has_head {
            let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
            lines.push(rule.join("-+-"));
        }
    }
    format!("[code]\n{}\n[/code]", lines.join("\n"))
}

fn pad(cell: &str, width: usize, align: Alignment) -> String {
    let room = width.saturating_sub(textwrap::core::display_width(cell));
    let (left, right) = match align {
        Alignment::None | Alignment::Left => (0, room),
        Alignment::Right => (room, 0),
        Alignment::Center => (room / 2, room - room / 2),
    };
    format!("{}{cell}{}", " ".repeat(left), " ".repeat(right))
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

#[cfg(test)]
mod tests {
    use super::*;

    const WJ: char = WORD_JOINER;

    fn bb(md: &str) -> String {
        render(
            &crate::markdown::parse::events(md),
            &RenderOptions::default(),
        )
    }

    fn bb_with(md: &str, opts: &RenderOptions) -> String {
        render(&crate::markdown::parse::events(md), opts)
    }

    fn site_opts() -> RenderOptions {
        RenderOptions {
            base_url: Some("https://example.com/blog/post/".into()),
            utm_scope: vec!["https://example.com/".into()],
            utm: vec![("utm_source".into(), "forum".into())],
            ..RenderOptions::default()
        }
    }

    /// Checks that the tags phpBB knows open and close in nested order, that `[*]` only
    /// appears inside a list, and that nothing is parsed inside `[code]`.
    fn assert_balanced(bbcode: &str) {
        const NAMES: [&str; 10] = [
            "b", "i", "s", "u", "url", "email", "img", "list", "quote", "size",
        ];
        let mut stack: Vec<String> = Vec::new();
        let mut rest = bbcode;
        while let Some(at) = rest.find('[') {
            rest = &rest[at + 1..];
            let Some(close) = rest.find(']') else { break };
            let tag = &rest[..close];
            let (closing, body) = match tag.strip_prefix('/') {
                Some(name) => (true, name),
                None => (false, tag),
            };
            let name = body.split('=').next().unwrap_or("").to_ascii_lowercase();
            if name == "code" && !closing {
                let end = rest.find("[/code]").expect("unclosed [code]");
                rest = &rest[end + "[/code]".len()..];
                continue;
            }
            if name == "*" && !closing {
                assert_eq!(
                    stack.last().map(String::as_str),
                    Some("list"),
                    "[*] outside a list in {bbcode:?}"
                );
                continue;
            }
            if !NAMES.contains(&name.as_str()) {
                assert!(name != "code", "stray [/code] in {bbcode:?}");
                continue;
            }
            if closing {
                assert_eq!(
                    stack.pop(),
                    Some(name.clone()),
                    "bad [/{name}] in {bbcode:?}"
                );
            } else {
                stack.push(name);
            }
            rest = &rest[close + 1..];
        }
        assert!(stack.is_empty(), "unclosed {stack:?} in {bbcode:?}");
    }

    #[test]
    fn headings_are_sized_bold_lines_per_level() {
        assert_eq!(
            bb("# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six"),
            "[size=150][b]One[/b][/size]\n\n[size=130][b]Two[/b][/size]\n\n\
             [size=115][b]Three[/b][/size]\n\n[b]Four[/b]\n\n[b]Five[/b]\n\n[b]Six[/b]"
        );
    }

    #[test]
    fn heading_shift_moves_levels_and_clamps() {
        let down = RenderOptions {
            heading_shift: 1,
            ..RenderOptions::default()
        };
        assert_eq!(
            bb_with("# One {#one}\n\n###### Six", &down),
            "[size=130][b]One[/b][/size]\n\n[b]Six[/b]"
        );
        let up = RenderOptions {
            heading_shift: -2,
            ..RenderOptions::default()
        };
        assert_eq!(
            bb_with("## Two\n\n### Three", &up),
            "[size=150][b]Two[/b][/size]\n\n[size=150][b]Three[/b][/size]"
        );
    }

    #[test]
    fn emphasis_strong_and_strikethrough() {
        assert_eq!(
            bb("*a* **b** ~~c~~ ***d***"),
            "[i]a[/i] [b]b[/b] [s]c[/s] [i][b]d[/b][/i]"
        );
    }

    #[test]
    fn inline_code_is_plain_escaped_text() {
        assert_eq!(
            bb("Use `[b]x[/b]` and `a*b`."),
            format!("Use [{WJ}b]x[{WJ}/b] and a*b.")
        );
    }

    #[test]
    fn paragraphs_soft_breaks_and_hard_breaks() {
        assert_eq!(
            bb("one\ntwo  \nthree\\\nfour\n\nfive"),
            "one two\nthree\nfour\n\nfive"
        );
    }

    #[test]
    fn curly_quotes_and_dashes_stay_as_typed() {
        assert_eq!(
            bb("\"Leverage\" isn't--quite---free..."),
            "“Leverage” isn’t–quite—free…"
        );
    }

    #[test]
    fn fenced_code_block_is_verbatim() {
        assert_eq!(
            bb("Before\n\n```rust\nlet a = [b]; // **x** <y> &amp;\n\n  indented\n```\n\nAfter"),
            "Before\n\n[code]\nlet a = [b]; // **x** <y> &amp;\n\n  indented\n[/code]\n\nAfter"
        );
    }

    #[test]
    fn indented_code_block_is_verbatim() {
        assert_eq!(
            bb("Para\n\n    indented [i]\n    line two\n"),
            "Para\n\n[code]\nindented [i]\nline two\n[/code]"
        );
    }

    #[test]
    fn code_end_tag_inside_code_block_is_neutralised() {
        assert_eq!(
            bb("```\na [/code] b [/CODE] c [code]\n```"),
            format!("[code]\na [{WJ}/code] b [{WJ}/CODE] c [code]\n[/code]")
        );
    }

    #[test]
    fn links_keep_text_and_drop_title() {
        assert_eq!(
            bb("See [the *docs*](https://e.com/a \"Title\")."),
            "See [url=https://e.com/a]the [i]docs[/i][/url]."
        );
    }

    #[test]
    fn autolinks_use_the_short_forms() {
        assert_eq!(
            bb("<https://e.com/x> and <me@e.com>"),
            "[url]https://e.com/x[/url] and [email]me@e.com[/email]"
        );
    }

    #[test]
    fn mailto_links_become_email_tags() {
        assert_eq!(
            bb("[Write me](mailto:me@e.com) or [ask](mailto:me@e.com?subject=Hi)"),
            "[email=me@e.com]Write me[/email] or [url=mailto:me@e.com?subject=Hi]ask[/url]"
        );
    }

    #[test]
    fn relative_links_resolve_and_get_utm() {
        assert_eq!(
            bb_with("[About](/about) and <https://example.com/x>", &site_opts()),
            "[url=https://example.com/about?utm_source=forum]About[/url] and \
             [url=https://example.com/x?utm_source=forum]https://example.com/x[/url]"
        );
    }

    #[test]
    fn fragment_links_point_into_the_canonical_page_or_become_text() {
        assert_eq!(
            bb_with("[below](#details)", &site_opts()),
            "[url=https://example.com/blog/post/?utm_source=forum#details]below[/url]"
        );
        assert_eq!(bb("[below](#details)"), "below");
    }

    #[test]
    fn brackets_in_urls_are_percent_encoded() {
        assert_eq!(
            bb("[x](<https://e.com/a]b[c d>) ![i](https://e.com/[x].png)"),
            "[url=https://e.com/a%5Db%5Bc%20d]x[/url] [img]https://e.com/%5Bx%5D.png[/img]"
        );
    }

    #[test]
    fn values_from_outside_the_body_cannot_end_or_open_a_tag() {
        assert_eq!(
            escape_value("https://e.com/x]y[url=javascript:alert(1)] \"z\""),
            "https://e.com/x%5Dy%5Burl=javascript:alert(1)%5D%20%22z%22"
        );
        assert_eq!(
            escape_value("Site [img]x[/img]"),
            format!("Site [{WJ}img]x[{WJ}/img]")
        );
        assert_eq!(escape_value("javascript:alert(1)"), "javascript:alert(1)");
    }

    #[test]
    fn links_to_anything_but_the_web_or_mail_are_left_as_text() {
        let (out, dropped) = guard_links(
            "[url=javascript:alert(1)]a[/url] [URL]vbscript:x[/URL] [img]data:x[/img] \
             [url= JaVa\tScRiPt:y]b[/url] [url=ftp://e.com/f]c[/url]",
        );
        assert_eq!(
            out,
            format!(
                "[{WJ}url=javascript:alert(1)]a[/url] [{WJ}URL]vbscript:x[/URL] [{WJ}img]data:x[/img] \
                 [{WJ}url= JaVa\tScRiPt:y]b[/url] [{WJ}url=ftp://e.com/f]c[/url]"
            )
        );
        assert_eq!(
            dropped,
            [
                "javascript:alert(1)",
                "vbscript:x",
                "data:x",
                " JaVa\tScRiPt:y",
                "ftp://e.com/f"
            ]
        );
        let fine = "[url=https://e.com/]a[/url] [url]http://e.com[/url] [img]https://e.com/i.png[/img] \
                    [url=mailto:me@e.com?subject=Hi]m[/url] [url=/about]rel[/url] [url=x [b]";
        assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
        assert_eq!(
            guard_links("[img]mailto:me@e.com[/img]").1,
            ["mailto:me@e.com"]
        );
    }

    #[test]
    fn a_quoted_or_disguised_script_url_is_left_as_text() {
        let hostile = [
            "[url=\"javascript:alert(1)\"]a[/url]",
            "[URL='javascript:alert(1)']b[/URL]",
            "[url=&quot;javascript:alert(1)&quot;]c[/url]",
            "[url=&#39;javascript:alert(1)&#39;]d[/url]",
            "[url= \" 'JaVaScRiPt:alert(1)' \" ]e[/url]",
            "[url=\u{1}\u{FEFF}javascript:alert(1)]f[/url]",
            "[url=javascript&#58;alert(1)]g[/url]",
            "[url=javascript&colon;alert(1)]h[/url]",
            "[url=&#106;avascript:alert(1)]i[/url]",
            "[url=java\u{0}script:alert(1)]j[/url]",
            "[url]\"javascript:alert(1)\"[/url]",
            "[url]&quot;vbscript:x&quot;[/url]",
            "[img]'data:image/png;base64,AAAA'[/img]",
            "[img]\"mailto:me@e.com\"[/img]",
        ];
        for tag in hostile {
            let (out, dropped) = guard_links(tag);
            assert_eq!(out, tag.replacen('[', &format!("[{WJ}"), 1), "{tag}");
            assert_eq!(dropped.len(), 1, "{tag}");
        }
        let fine = "[url=\"https://e.com/\"]a[/url] [url='http://e.com']b[/url] \
                    [url=&quot;mailto:me@e.com&quot;]m[/url] [url]'https://e.com/x'[/url] \
                    [img]\"https://e.com/i.png\"[/img] [url=\"/about\"]rel[/url] \
                    [url=/a?b=c&d=e#f:g]q[/url]";
        assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
    }

    #[test]
    fn a_url_holding_a_bracket_is_judged_whole() {
        // Past its first `[` (where the guard stops reading most of it), a URL still hides
        // a scheme from a forum that drops the inner tag, or breaks its host.
        for tag in [
            "[url]java[b]script:alert(1)[/url]",
            "[url]x[&#58;[/url]",
            "[url=http://a[b]c[/url]",
            "[url]https:a[b]@[/url]",
            "[img]http://[::1[/img]",
        ] {
            let (out, dropped) = guard_links(tag);
            assert_eq!(out, tag.replacen('[', &format!("[{WJ}"), 1), "{tag}");
            assert_eq!(dropped.len(), 1, "{tag}");
        }
        let fine = "[url]http://[::1]/[/url] [url]http://[::1]:8080[/url] [url=x [b] \
                    [url]https://e.com/[x][/url] [url]https://u[s@e.com/[/url] [url]a[b]/c:d[/url]";
        assert_eq!(guard_links(fine), (fine.to_string(), Vec::new()));
        // A run of tags in a code block names each dropped URL up to its first `[`.
        let run = "[url=x:".repeat(100) + "]";
        let (_, dropped) = guard_links(&run);
        assert_eq!(dropped.len(), 100);
        assert_eq!(dropped[0], "x:…");
        assert_eq!(dropped[99], "x:");
    }

    #[test]
    fn images_use_img_tags() {
        assert_eq!(
            bb("![Alt *text*](https://e.com/i.png \"Title\")"),
            "[img]https://e.com/i.png[/img]"
        );
        assert_eq!(
            bb("[![logo](https://e.com/l.png)](https://e.com/)"),
            "[url=https://e.com/][img]https://e.com/l.png[/img][/url]"
        );
    }

    #[test]
    fn unsafe_links_and_images_become_text() {
        assert_eq!(
            bb("[click *me*](javascript:alert(1)) ![a [b] pic](data:image/png;base64,xx)"),
            format!("click [i]me[/i] a [{WJ}b] pic")
        );
    }

    #[test]
    fn bbcode_in_text_stays_literal() {
        assert_eq!(
            bb("[b]bold[/b] [*] [img]x[/img] [B] [1] [ ] a[b"),
            format!("[{WJ}b]bold[{WJ}/b] [{WJ}*] [{WJ}img]x[{WJ}/img] [{WJ}B] [1] [ ] a[{WJ}b")
        );
    }

    #[test]
    fn url_tag_in_text_cannot_become_a_link() {
        assert_eq!(
            bb("[url=javascript:alert(1)]x[/url]"),
            format!("[{WJ}url=javascript:alert(1)]x[{WJ}/url]")
        );
    }

    #[test]
    fn tag_split_across_events_stays_literal() {
        assert_eq!(bb("`[`b]x"), format!("[{WJ}b]x"));
        assert_eq!(bb("`[/`b]x"), format!("[/{WJ}b]x"));
    }

    #[test]
    fn nested_lists_stay_nested() {
        assert_eq!(
            bb("- a\n  - b\n  - c\n- d"),
            "[list]\n[*]a\n[list]\n[*]b\n[*]c\n[/list]\n[*]d\n[/list]"
        );
    }

    #[test]
    fn ordered_list_starting_at_one_uses_list_1() {
        assert_eq!(
            bb("Intro\n\n1. a\n2. b\n\nOutro"),
            "Intro\n\n[list=1]\n[*]a\n[*]b\n[/list]\n\nOutro"
        );
    }

    #[test]
    fn ordered_list_starting_at_seven_keeps_numbers() {
        assert_eq!(
            bb("7. a\n8. b\n9. c"),
            "[list]\n[*]7. a\n[*]8. b\n[*]9. c\n[/list]"
        );
    }

    #[test]
    fn task_items_get_boxes() {
        assert_eq!(
            bb("- [ ] todo\n- [x] done\n- plain"),
            "[list]\n[*]☐ todo\n[*]☑ done\n[*]plain\n[/list]"
        );
    }

    #[test]
    fn loose_list_items_keep_paragraphs_inside_the_item() {
        assert_eq!(
            bb("- one\n\n  more\n\n- two\n\n  - [x] sub\n"),
            "[list]\n[*]one\n\nmore\n[*]two\n\n[list]\n[*]☑ sub\n[/list]\n[/list]"
        );
    }

    #[test]
    fn nested_quotes_stay_nested() {
        assert_eq!(
            bb("> outer\n>\n> > inner\n>\n> after\n\nout"),
            "[quote]\nouter\n\n[quote]\ninner\n[/quote]\n\nafter\n[/quote]\n\nout"
        );
    }

    #[test]
    fn rule_is_a_line_of_box_drawing() {
        assert_eq!(bb("a\n\n---\n\nb"), format!("a\n\n{RULE}\n\nb"));
    }

    #[test]
    fn table_is_an_aligned_code_block() {
        let md = "| Name | Qty | Note |\n|:-----|----:|:----:|\n| Apple | 3 | ok |\n\
                  | Kiwi *fruit* | 12 | [b] |\n| 東京 | `1` | |\n";
        assert_eq!(
            bb(md),
            format!(
                "[code]\n\
                 Name       | Qty | Note\n\
                 -----------+-----+-----\n\
                 Apple      |   3 |  ok\n\
                 Kiwi fruit |  12 | [{WJ}b]\n\
                 東京       |   1 |\n\
                 [/code]"
            )
        );
    }

    #[test]
    fn footnotes_are_numbered_by_reference_and_listed_after_a_rule() {
        let md = "A[^b] and B[^a].\n\n[^a]: Alpha *note*.\n\n    Second para.\n\n[^b]: Beta [b].\n";
        assert_eq!(
            bb(md),
            format!("A¹ and B².\n\n{RULE}\n¹ Beta [{WJ}b].\n² Alpha [i]note[/i]. Second para.")
        );
    }

    #[test]
    fn footnote_reference_without_its_definition_in_the_slice_is_dropped() {
        let events = crate::markdown::parse::events("Text[^n].\n\n[^n]: Note.\n");
        let end = super::super::matching_end(&events, 0);
        assert_eq!(render(&events[..=end], &RenderOptions::default()), "Text.");
    }

    #[test]
    fn a_section_slice_renders_without_leading_separators() {
        let events = crate::markdown::parse::events("# Title\n\nIntro\n\n## Part\n\n- a\n- b\n");
        let part = events
            .iter()
            .position(|e| matches!(e, Event::Start(Tag::Heading { .. })) && e != &events[0])
            .expect("second heading");
        assert_eq!(
            render(&events[part..], &RenderOptions::default()),
            "[size=130][b]Part[/b][/size]\n\n[list]\n[*]a\n[*]b\n[/list]"
        );
    }

    #[test]
    fn raw_html_block_is_reduced_to_text_without_script() {
        let md = "<div>\n<p>Hello <b>[b]</b> &amp; bye</p>\n</div>\n\n\
                  <script>\nalert(1)\n</script>\n\nafter";
        assert_eq!(bb(md), format!("Hello [{WJ}b] & bye\n\nafter"));
    }

    #[test]
    fn inline_html_is_reduced_to_text_without_script() {
        assert_eq!(
            bb("a <span>x</span> <script>alert(\"[b]\")</script>b<br>c"),
            "a x b\nc"
        );
    }

    #[test]
    fn extensions_our_parse_leaves_off_still_render() {
        use pulldown_cmark::{Options, Parser};
        let md = "---\ntitle: x\n---\n\nTerm\n: Definition\n\n> [!WARNING]\n> Careful\n\n\
                  Water is H ~2~ O, x ^2^ and $a+b$\n";
        let options = Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_DEFINITION_LIST
            | Options::ENABLE_GFM
            | Options::ENABLE_MATH
            | Options::ENABLE_SUPERSCRIPT
            | Options::ENABLE_SUBSCRIPT;
        let events: Vec<Event<'static>> = Parser::new_ext(md, options)
            .map(Event::into_static)
            .collect();
        assert_eq!(
            render(&events, &RenderOptions::default()),
            "[b]Term[/b]\nDefinition\n\n[quote]\n[b]Warning[/b]\nCareful\n[/quote]\n\n\
             Water is H 2 O, x 2 and $a+b$"
        );
    }

    #[test]
    fn big_mixed_document_has_balanced_tags() {
        let md = "# Title\n\nIntro with **bold *nested*** and [a link](https://e.com) and \
                  `[/code]` and [b]fake[/b] [url=javascript:x]y[/url].\n\n\
                  > Quote with a list:\n>\n> 1. one\n> 2. two\n>    - deep ![img](https://e.com/i.png)\n>\n\
                  > > Inner [x](javascript:void(0))\n\n\
                  3. three\n\n   loose\n4. four\n\n\
                  - [ ] task\n- [x] ~~done~~\n\n\
                  ```\n[/code] [b] [url]\n```\n\n\
                  | a | b |\n|---|:-:|\n| [i] | [/code] |\n\n\
                  ---\n\n<div>raw <i>html</i></div>\n\nNote[^1] and <em>inline</em>.\n\n\
                  [^1]: The **note** with <https://e.com/n>.\n";
        let out = bb(md);
        assert_balanced(&out);
        assert!(!out.starts_with('\n') && !out.ends_with('\n'), "{out:?}");
        assert!(!out.contains("\n\n\n"), "{out:?}");
    }

    #[test]
    fn balance_checker_catches_mistakes() {
        let bad = std::panic::catch_unwind(|| assert_balanced("[b][i]x[/b][/i]"));
        assert!(bad.is_err());
        let stray = std::panic::catch_unwind(|| assert_balanced("[*]x"));
        assert!(stray.is_err());
        assert_balanced(&format!("[code][b][/code][{WJ}b]"));
    }

    #[test]
    fn degradations_are_what_the_output_shows() {
        for construct in Construct::ALL {
            let out = bb(construct.sample());
            let kept = match construct {
                Construct::Table => out.contains("[table]"),
                Construct::HtmlBlock => out.contains("<div"),
                Construct::InlineHtml => out.contains("<kbd>"),
                Construct::LineBreakTag => out.contains("one\ntwo"),
                // Monospace needs a tag phpBB does not have by default.
                Construct::CodeSpan => out.contains("[code]") || out.contains("[c]"),
                Construct::Strikethrough => out.contains("[s]free[/s]"),
                Construct::Image { alt: true } => out.contains("A chart"),
                Construct::Image { alt: false } => {
                    out.contains("[img]https://example.com/c.png[/img]")
                }
                Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
                    out.contains("setup") || out.contains("wide") || out.contains("data-x")
                }
                Construct::ListStart => out.contains("[list="),
            };
            assert_eq!(
                degradation(construct).is_none(),
                kept,
                "{construct:?} renders as:\n{out}"
            );
        }
        assert_eq!(
            bb(Construct::Table.sample()),
            "[code]\na | b\n--+--\n1 | 2\n[/code]"
        );
    }
}
