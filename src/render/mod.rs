//! Body formats: one renderer per format over the post's parsed events.
//!
//! Every renderer is a small writer shaped like pulldown-cmark's own `html.rs`: a struct that
//! holds the output and a little state, with `start_tag` / `end_tag` and exhaustive matches.
//! The helpers in this file are the pieces they share: footnote numbering, link rewriting,
//! heading levels and anchors, and reducing raw HTML to text.

mod bbcode;
mod grid;
mod html;
mod lists;
mod loss;
mod markdown;
mod portable;
mod text;

pub use html::escape_html;
pub use loss::{Construct, Degradation, Impact, constructs, detail};

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::fmt;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

/// A body format: what `body`, `post.excerpt` and `post.sections` are rendered as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// HTML for a web page.
    Html,
    /// HTML for mail clients: inline styles, absolute URLs, no raw HTML.
    Email,
    /// Plain text, wrapped, links as numbered references.
    Text,
    /// BBCode for phpBB-style forums.
    Bbcode,
    /// Normalised CommonMark.
    Markdown,
}

impl Format {
    /// Every format, in the order `--help` and errors list them.
    pub const ALL: [Format; 5] = [
        Format::Html,
        Format::Email,
        Format::Text,
        Format::Bbcode,
        Format::Markdown,
    ];

    /// The name used in template headers (`body: bbcode`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Email => "email",
            Format::Text => "text",
            Format::Bbcode => "bbcode",
            Format::Markdown => "markdown",
        }
    }

    /// Parses a header value such as `bbcode`.
    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The format a template writes by default, from its output extension.
    pub fn for_extension(ext: &str) -> Format {
        match ext.to_ascii_lowercase().as_str() {
            "html" | "htm" | "xhtml" => Format::Html,
            "eml" => Format::Email,
            "bbcode" | "bb" => Format::Bbcode,
            "md" | "markdown" | "mdx" => Format::Markdown,
            _ => Format::Text,
        }
    }

    /// Whether the format is HTML, so template values must be HTML-escaped.
    pub fn is_html(self) -> bool {
        match self {
            Format::Html | Format::Email => true,
            Format::Text | Format::Bbcode | Format::Markdown => false,
        }
    }

    /// Renders `events` (a whole body or any balanced slice of it) in this format.
    pub fn render(self, events: &[Event<'static>], opts: &RenderOptions) -> String {
        match self {
            Format::Html => html::render(events, opts, html::Flavor::Web),
            Format::Email => html::render(events, opts, html::Flavor::Email),
            Format::Text => text::render(events, opts),
            Format::Bbcode => bbcode::render(events, opts),
            Format::Markdown => markdown::render(events, opts),
        }
    }
}

impl Format {
    /// Plain text (a title, a tag) made safe to place in this format's markup, when the
    /// format needs it here rather than from Tera's autoescape: BBCode-looking text is
    /// neutralised for `bbcode`; `None` for the other formats.
    pub fn escape_plain(self, text: &str) -> Option<String> {
        match self {
            Format::Bbcode => Some(bbcode::escape(text)),
            Format::Html | Format::Email | Format::Text | Format::Markdown => None,
        }
    }

    /// A template value from outside the body that may be a URL (`post.canonical_url`,
    /// `site.url`, a front-matter value) made safe to print in this format's markup, when
    /// the format needs it rather than Tera's autoescape: for `bbcode`, an http(s) URL is
    /// percent-encoded so it cannot end the tag it sits in, anything else is escaped as
    /// text; `None` for the other formats.
    pub fn escape_value(self, text: &str) -> Option<String> {
        match self {
            Format::Bbcode => Some(bbcode::escape_value(text)),
            Format::Html | Format::Email | Format::Text | Format::Markdown => None,
        }
    }

    /// A whole rendered output held to what the format may link to: in `bbcode`, a link
    /// or image tag to anything but an http(s) (or mail) URL is made text, and its URL
    /// returned, whatever wrote it (the template or a value it printed). Other formats are
    /// returned as they are.
    pub fn guard_links(self, output: String) -> (String, Vec<String>) {
        match self {
            Format::Bbcode => bbcode::guard_links(&output),
            Format::Html | Format::Email | Format::Text | Format::Markdown => (output, Vec::new()),
        }
    }

    /// Like `render`, but the end matter (link references and notes of the text format)
    /// separate, so a template can place its own closing lines before it. Formats without
    /// end matter return it empty.
    pub fn render_split(self, events: &[Event<'static>], opts: &RenderOptions) -> (String, String) {
        match self {
            Format::Text => text::render_split(events, opts),
            Format::Html | Format::Email | Format::Bbcode | Format::Markdown => {
                (self.render(events, opts), String::new())
            }
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the text format shows links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LinkStyle {
    /// `text [1]` in the flow, `[1] https://…` listed at the end.
    #[default]
    Numbered,
    /// `text (https://…)` in the flow.
    Inline,
}

/// What the HTML formats do with raw HTML the writer typed in the post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RawHtml {
    /// Verbatim, as CommonMark does (web pages only; email never keeps it).
    #[default]
    Keep,
    /// HTML blocks cleaned by ammonia (no script, style, iframe, form, event attributes or
    /// script URLs); inline tags reduced to their text.
    Sanitize,
    /// Reduced to its text.
    Text,
}

impl RawHtml {
    /// Parses a header value.
    pub fn from_name(name: &str) -> Option<RawHtml> {
        match name {
            "keep" => Some(RawHtml::Keep),
            "sanitize" => Some(RawHtml::Sanitize),
            "text" => Some(RawHtml::Text),
            _ => None,
        }
    }
}

/// How the markdown format writes footnotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FootnoteStyle {
    /// `[^1]` references and `[^1]: …` definitions at the end, for Markdown that knows
    /// footnotes (GitHub, Hugo, Jekyll, Zola, Pandoc).
    #[default]
    Native,
    /// Superscript numbers (`¹`) in the text and a numbered list of the notes after a rule
    /// at the end, for Markdown that does not (Reddit, Discourse without its plugin).
    List,
}

impl FootnoteStyle {
    /// Parses a header value.
    pub fn from_name(name: &str) -> Option<FootnoteStyle> {
        match name {
            "native" => Some(FootnoteStyle::Native),
            "list" => Some(FootnoteStyle::List),
            _ => None,
        }
    }
}

/// Everything a renderer needs besides the events. Part of the render cache key, so a
/// format is rendered once per distinct set of options.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenderOptions {
    /// Column width for wrapped formats (text).
    pub wrap: usize,
    /// Added to each heading's level (after the post's own normalisation), clamped to 1..=6.
    pub heading_shift: i8,
    /// How the text format shows links.
    pub links: LinkStyle,
    /// Relative URLs are resolved against this (the post's canonical URL), when known.
    pub base_url: Option<String>,
    /// URLs starting with one of these prefixes get the `utm` parameters.
    pub utm_scope: Vec<String>,
    /// `(key, value)` query parameters added to in-scope links, in order.
    pub utm: Vec<(String, String)>,
    /// What the HTML and markdown formats do with the writer's raw HTML.
    pub raw_html: RawHtml,
    /// How the markdown format writes footnotes.
    pub footnotes: FootnoteStyle,
    /// The whole post's footnote numbers, when the events are a piece of it (a section, the
    /// excerpt) rendered apart: references then keep the numbers they have in the whole
    /// post, whether or not the definition is in the piece.
    pub note_numbers: Option<NoteNumbers>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            wrap: 72,
            heading_shift: 0,
            links: LinkStyle::Numbered,
            base_url: None,
            utm_scope: Vec::new(),
            utm: Vec::new(),
            raw_html: RawHtml::Keep,
            footnotes: FootnoteStyle::Native,
            note_numbers: None,
        }
    }
}

impl RenderOptions {
    /// The URL a link or image should point at in the output: relative URLs resolved against
    /// `base_url`, utm parameters added to in-scope URLs. `None` for a URL that must never
    /// become a link (`javascript:`, `data:`, `vbscript:`).
    pub fn url<'u>(&self, url: &'u str) -> Option<std::borrow::Cow<'u, str>> {
        self.resolve(url, true)
    }

    /// The URL an image loads from: resolved like `url`, but never with utm parameters
    /// (they are for the links readers follow).
    pub fn image_url<'u>(&self, url: &'u str) -> Option<std::borrow::Cow<'u, str>> {
        self.resolve(url, false)
    }

    /// `url` for outputs read away from the post's page (a forum, a plain-text email): a
    /// bare `#fragment` points into the canonical page when it is known, and is `None`
    /// (text only) when it is not; an empty URL is `None` too.
    pub fn detached_url(&self, dest: &str) -> Option<String> {
        if dest.is_empty() {
            return None;
        }
        let url = if dest.starts_with('#') {
            let base = self.base_url.as_deref()?;
            let page = base.split_once('#').map_or(base, |(page, _)| page);
            self.url(&format!("{page}{dest}"))?.into_owned()
        } else {
            self.url(dest)?.into_owned()
        };
        (!url.is_empty()).then_some(url)
    }

    fn resolve<'u>(&self, url: &'u str, utm: bool) -> Option<std::borrow::Cow<'u, str>> {
        use std::borrow::Cow;
        if !is_safe_url(url) {
            return None;
        }
        let mut out: Cow<'u, str> = Cow::Borrowed(url);
        if !url.starts_with('#')
            && !has_scheme(url)
            && let Some(base) = &self.base_url
            && let Ok(base) = url::Url::parse(base)
            && let Ok(joined) = base.join(url)
        {
            out = Cow::Owned(joined.to_string());
        }
        if utm && !self.utm.is_empty() && self.utm_scope.iter().any(|p| out.starts_with(p.as_str()))
        {
            out = Cow::Owned(add_query(&out, &self.utm));
        }
        Some(out)
    }
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`) or is protocol-relative (`//`):
/// the URLs no base URL changes.
pub fn has_scheme(url: &str) -> bool {
    if url.contains(':') {
        starts_with_scheme(url)
    } else {
        url.starts_with("//")
    }
}

/// Whether a URL starts with a scheme name and `:` (`https:`, `mailto:`).
pub fn starts_with_scheme(url: &str) -> bool {
    url.split_once(':').is_some_and(|(scheme, _)| {
        scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Tags that end a paragraph when raw HTML is reduced to text.
pub const HTML_BLOCK_TAGS: &str = "address article aside blockquote br caption dd details div dl dt \
    figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary \
    table tbody td tfoot th thead tr ul";

/// Raw HTML as paragraphs of text, as a browser shows it: block-level tags (`<p>`,
/// `<div>`, `<li>`, `<br>` …) separate paragraphs, other tags are dropped, and each run of
/// whitespace reads as one space. For formats that cannot keep raw HTML.
pub fn html_paragraphs(raw: &str) -> Vec<String> {
    let mut marked = String::with_capacity(raw.len());
    for (i, piece) in raw.split('<').enumerate() {
        if i > 0 {
            let name = piece
                .strip_prefix('/')
                .unwrap_or(piece)
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if HTML_BLOCK_TAGS.split_whitespace().any(|tag| tag == name) {
                marked.push_str("\n\n");
            }
            marked.push('<');
        }
        marked.push_str(piece);
    }
    let text = strip_html(&marked);
    let mut paragraphs = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !words.is_empty() {
                paragraphs.push(words.join(" "));
                words.clear();
            }
            continue;
        }
        words.extend(
            line.split(|c: char| c.is_ascii_whitespace())
                .filter(|w| !w.is_empty()),
        );
    }
    paragraphs
}

/// The label a GitHub-style alert (`> [!NOTE]`) reads as in plain text.
pub fn alert_label(kind: pulldown_cmark::BlockQuoteKind) -> &'static str {
    use pulldown_cmark::BlockQuoteKind;
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

/// Plain text escaped for Markdown; see `markdown::escape`.
pub fn escape_markdown(text: &str) -> String {
    markdown::escape(text)
}

/// Whether a URL may become a link or image at all: script and data URLs never do.
pub fn is_safe_url(url: &str) -> bool {
    // Browsers ignore ASCII whitespace and control characters inside the scheme.
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .take(16)
        .collect::<String>()
        .to_ascii_lowercase();
    let has_colon = url.contains(':');
    !(has_colon && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file"))
}

/// `url` as the folder relative URLs resolve against: no query or fragment, its path
/// ending in `/` (`https://e.com/blog?lang=en` → `https://e.com/blog/`); `None` when it is
/// not an absolute URL.
pub fn folder_url(url: &str) -> Option<String> {
    let mut url = url::Url::parse(url).ok()?;
    url.set_query(None);
    url.set_fragment(None);
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Some(url.into())
}

/// Appends query parameters to a URL, before any `#fragment`; keys already present are kept.
pub fn add_query(url: &str, params: &[(String, String)]) -> String {
    let (head, fragment) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let mut out = head.to_string();
    let existing: Vec<&str> = head
        .split_once('?')
        .map(|(_, q)| q.split('&').filter_map(|kv| kv.split('=').next()).collect())
        .unwrap_or_default();
    for (key, value) in params {
        if existing.contains(&key.as_str()) {
            continue;
        }
        out.push(if out.contains('?') { '&' } else { '?' });
        out.extend(url::form_urlencoded::byte_serialize(key.as_bytes()));
        out.push('=');
        out.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
    }
    out.push_str(fragment);
    out
}

/// A heading's level after `shift`, clamped to 1..=6.
pub fn shifted_level(level: HeadingLevel, shift: i8) -> u8 {
    (level as i16 + i16::from(shift)).clamp(1, 6) as u8
}

/// Footnote definitions lifted out of the flow, numbered in order of first reference.
#[derive(Debug, Default)]
pub struct Footnotes<'e> {
    /// Each defined label's index among the definitions (the first of a label wins).
    labels: HashMap<&'e str, usize>,
    /// The number of each definition, by that index.
    numbers: Vec<usize>,
    /// The whole post's numbers, for a piece whose references point outside it.
    whole: Option<&'e NoteNumbers>,
    /// `(number, label, the definition's inner events)`, by number.
    pub defs: Vec<(usize, &'e str, &'e [Event<'static>])>,
}

impl<'e> Footnotes<'e> {
    /// The number shown for a footnote label, when it has a definition (in these events,
    /// or in the whole post when they are a piece of it).
    pub fn number(&self, label: &str) -> Option<usize> {
        match self.whole {
            Some(whole) => whole.number(label),
            None => self.labels.get(label).map(|&i| self.numbers[i]),
        }
    }
}

/// The footnote numbers of a whole post, shared by the pieces rendered apart from it.
///
/// Cheap to clone, and hashed by a digest computed once: it is part of the render cache
/// key of every piece, and a post may have many pieces and many notes.
#[derive(Debug, Clone)]
pub struct NoteNumbers(std::sync::Arc<NumberTable>);

#[derive(Debug, PartialEq, Eq)]
struct NumberTable {
    numbers: HashMap<String, usize>,
    digest: u64,
}

impl NoteNumbers {
    /// The numbers the renderers give the footnotes of `events`, a whole body; `None` when
    /// it defines no footnote.
    pub fn of(events: &[Event<'static>]) -> Option<NoteNumbers> {
        use std::hash::{Hash, Hasher};
        let (_, notes) = split_footnotes(events, None);
        if notes.defs.is_empty() {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for &(n, label, _) in &notes.defs {
            (n, label).hash(&mut hasher);
        }
        let numbers = notes
            .defs
            .iter()
            .map(|&(n, label, _)| (label.to_string(), n))
            .collect();
        Some(NoteNumbers(std::sync::Arc::new(NumberTable {
            numbers,
            digest: hasher.finish(),
        })))
    }

    /// The number of a label defined in the post.
    pub fn number(&self, label: &str) -> Option<usize> {
        self.0.numbers.get(label).copied()
    }
}

impl PartialEq for NoteNumbers {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for NoteNumbers {}

impl std::hash::Hash for NoteNumbers {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.digest.hash(state);
    }
}

/// Splits `events` into the main flow (footnote definitions removed) and the footnotes.
/// Footnotes are numbered 1, 2, … in order of first reference; definitions nobody refers
/// to follow in the order they appear. With `whole`, the events are a piece of a post and
/// keep its numbers: the definitions they hold are listed in that order.
pub fn split_footnotes<'e>(
    events: &'e [Event<'static>],
    whole: Option<&'e NoteNumbers>,
) -> (Vec<&'e Event<'static>>, Footnotes<'e>) {
    let mut main = Vec::with_capacity(events.len());
    // One hash of each label defined and of each reference: with many notes the table
    // outgrows the caches, and each format splits its events again.
    let mut labels: HashMap<&str, usize> = HashMap::new();
    let mut defined: Vec<(&str, &[Event<'static>])> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::FootnoteDefinition(label)) = &events[i] {
            let end = matching_end(events, i);
            if let std::collections::hash_map::Entry::Vacant(slot) = labels.entry(&**label) {
                slot.insert(defined.len());
                defined.push((label, &events[i + 1..end]));
            }
            i = end + 1;
        } else {
            main.push(&events[i]);
            i += 1;
        }
    }
    let mut notes = Footnotes::default();
    if let Some(whole) = whole {
        notes.whole = Some(whole);
        let mut defs: Vec<_> = defined
            .iter()
            .filter_map(|&(label, body)| Some((whole.number(label)?, label, body)))
            .collect();
        defs.sort_by_key(|&(n, _, _)| n);
        notes.defs = defs;
        return (main, notes);
    }
    let reference = |e: &Event<'static>| match e {
        Event::FootnoteReference(l) => labels.get(&**l).copied(),
        _ => None,
    };
    // References inside definitions count too, after the main flow's, then definitions
    // no one refers to.
    let in_defs = defined
        .iter()
        .flat_map(|(_, body)| body.iter().filter_map(reference));
    let mut numbers = vec![0; defined.len()];
    for at in main
        .iter()
        .filter_map(|e| reference(e))
        .chain(in_defs)
        .chain(0..defined.len())
    {
        if numbers[at] == 0 {
            let (label, body) = defined[at];
            notes.defs.push((notes.defs.len() + 1, label, body));
            numbers[at] = notes.defs.len();
        }
    }
    notes.labels = labels;
    notes.numbers = numbers;
    (main, notes)
}

/// Index of the `End` event that closes the `Start` at `start` (or the last index), over
/// owned events or the borrowed ones `split_footnotes` leaves.
pub fn matching_end<'a, E: Borrow<Event<'a>>>(events: &[E], start: usize) -> usize {
    let mut depth = 0usize;
    for (i, event) in events.iter().enumerate().skip(start) {
        match event.borrow() {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    events.len().saturating_sub(1)
}

/// Whether a tag is inline (inside a paragraph's text) rather than a block.
pub fn is_inline(tag: &TagEnd) -> bool {
    match tag {
        TagEnd::Emphasis
        | TagEnd::Strong
        | TagEnd::Strikethrough
        | TagEnd::Superscript
        | TagEnd::Subscript
        | TagEnd::Link
        | TagEnd::Image => true,
        TagEnd::Paragraph
        | TagEnd::Heading(_)
        | TagEnd::BlockQuote(_)
        | TagEnd::CodeBlock
        | TagEnd::HtmlBlock
        | TagEnd::List(_)
        | TagEnd::Item
        | TagEnd::FootnoteDefinition
        | TagEnd::DefinitionList
        | TagEnd::DefinitionListTitle
        | TagEnd::DefinitionListDefinition
        | TagEnd::Table
        | TagEnd::TableHead
        | TagEnd::TableRow
        | TagEnd::TableCell
        | TagEnd::MetadataBlock(_) => false,
    }
}

/// The plain text of some inline events: text, code and breaks, no markup.
pub fn plain_text<'a>(events: impl IntoIterator<Item = &'a Event<'a>>) -> String {
    let mut out = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                out.push_str(t)
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::InlineHtml(h) | Event::Html(h) => out.push_str(&strip_html(h)),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                if !out.ends_with(' ') && !out.is_empty() {
                    out.push(' ');
                }
            }
            Event::Start(_)
            | Event::End(_)
            | Event::FootnoteReference(_)
            | Event::Rule
            | Event::TaskListMarker(_) => {}
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out
}

/// Raw HTML reduced to its text: tags removed, `<script>`/`<style>` content dropped,
/// comments dropped, the common entities decoded.
pub fn strip_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        // Compared in place: lower-casing what is left of the HTML at every tag would make
        // a block of many tags quadratic.
        let skip_to = if starts_with_ignore_ascii_case(rest, "<script") {
            Some("</script")
        } else if starts_with_ignore_ascii_case(rest, "<style") {
            Some("</style")
        } else {
            None
        };
        if let Some(close) = skip_to {
            rest = match find_ignore_ascii_case(rest, close) {
                Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => "",
            };
            continue;
        }
        let looks_like_tag = rest[1..]
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        if !looks_like_tag {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Whether `text` starts with `prefix` (ASCII, lower case), ignoring ASCII case.
pub fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Byte offset of the first `needle` (ASCII) in `hay`, ignoring ASCII case. The needle is
/// ASCII, so a match never starts inside a multi-byte character.
pub fn find_ignore_ascii_case(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Tracks an inline `<script>` or `<style>` whose content must be dropped. Inline raw HTML
/// arrives one tag per event, so the script's text comes as ordinary text events between
/// the opening and closing tags: formats that reduce raw HTML to text feed every inline tag
/// to `feed` and drop text while `active`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScriptSkip {
    close: Option<&'static str>,
}

impl ScriptSkip {
    /// Whether text is being dropped.
    pub fn active(self) -> bool {
        self.close.is_some()
    }

    /// Feeds one inline HTML tag. Returns `true` when the tag belongs to a dropped element
    /// (it opened one, closed one, or came inside one) and must not be written.
    pub fn feed(&mut self, html: &str) -> bool {
        let lower = html.to_ascii_lowercase();
        if let Some(close) = self.close {
            if lower.contains(close) {
                self.close = None;
            }
            return true;
        }
        for (name, close) in [("script", "</script"), ("style", "</style")] {
            if opens_element(&lower, name) {
                if !lower.contains(close) {
                    self.close = Some(close);
                }
                return true;
            }
        }
        false
    }

    /// Stops dropping: an unclosed inline `<script>` must not swallow later blocks.
    pub fn reset(&mut self) {
        self.close = None;
    }
}

/// Whether lower-cased `html` starts with an opening `<name` tag (not `<names…`).
pub fn opens_element(html: &str, name: &str) -> bool {
    html.trim_start()
        .strip_prefix('<')
        .and_then(|rest| rest.strip_prefix(name))
        .is_some_and(|rest| rest.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace()))
}

/// Decodes the HTML entities writers actually type in Markdown.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Looked for among the first 12 bytes, which may end inside a character: `;` is
        // ASCII, so where it is found is a character boundary.
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            "hellip" => Some('…'),
            "copy" => Some('©'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A footnote number as Unicode superscript digits (`¹²`), for text-like formats.
pub fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .bytes()
        .map(|b| DIGITS[usize::from(b - b'0')])
        .collect()
}

/// Unique heading anchors: the heading's own `{#id}` when it has one, else its slug,
/// with `-1`, `-2` … appended on repeats. The blog's ids and `post.outline` share this.
#[derive(Debug, Default)]
pub struct Anchors {
    used: HashSet<String>,
    /// The next suffix worth trying for each base: every one below it is taken, so a post
    /// repeating one heading many times does not try them all again for each repeat.
    next: HashMap<String, usize>,
}

impl Anchors {
    /// The anchor for a heading with optional explicit `id` and plain-text `title`.
    pub fn anchor(&mut self, id: Option<&str>, title: &str) -> String {
        let base = match id {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                let slug = crate::slug::slugify(title);
                if slug.is_empty() {
                    "section".to_string()
                } else {
                    slug
                }
            }
        };
        let mut candidate = base.clone();
        if self.used.contains(&candidate) {
            let mut n = self.next.get(&base).copied().unwrap_or(1);
            loop {
                candidate = format!("{base}-{n}");
                n += 1;
                if !self.used.contains(&candidate) {
                    break;
                }
            }
            self.next.insert(base, n);
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_resolved_against_the_base_and_get_utm_in_scope() {
        let opts = RenderOptions {
            base_url: Some("https://example.com/blog/post/".into()),
            utm_scope: vec!["https://example.com/".into()],
            utm: vec![("utm_source".into(), "newsletter".into())],
            ..RenderOptions::default()
        };
        assert_eq!(
            opts.url("../other/").as_deref(),
            Some("https://example.com/blog/other/?utm_source=newsletter")
        );
        assert_eq!(
            opts.url("https://elsewhere.org/x").as_deref(),
            Some("https://elsewhere.org/x")
        );
        assert_eq!(opts.url("#fn-1").as_deref(), Some("#fn-1"));
        assert_eq!(opts.url("mailto:a@b.c").as_deref(), Some("mailto:a@b.c"));
        assert_eq!(
            opts.image_url("chart.png").as_deref(),
            Some("https://example.com/blog/post/chart.png")
        );
        assert_eq!(
            opts.detached_url("#notes").as_deref(),
            Some("https://example.com/blog/post/?utm_source=newsletter#notes")
        );
        assert_eq!(RenderOptions::default().detached_url("#notes"), None);
    }

    #[test]
    fn script_and_data_urls_are_refused() {
        let opts = RenderOptions::default();
        assert_eq!(opts.url("javascript:alert(1)"), None);
        assert_eq!(opts.url(" JaVa\tScript:alert(1)"), None);
        assert_eq!(opts.url("data:text/html;base64,xx"), None);
        assert!(opts.url("https://example.com/javascript:").is_some());
    }

    #[test]
    fn add_query_keeps_fragment_and_existing_keys() {
        let p = vec![
            ("utm_source".to_string(), "nl".to_string()),
            ("a".to_string(), "x y".to_string()),
        ];
        assert_eq!(
            add_query("https://e.com/p?a=1#top", &p),
            "https://e.com/p?a=1&utm_source=nl#top"
        );
        assert_eq!(
            add_query("https://e.com/p", &p[1..]),
            "https://e.com/p?a=x+y"
        );
    }

    #[test]
    fn strip_html_drops_tags_scripts_and_comments() {
        assert_eq!(
            strip_html("<p>Hi <b>there</b><script>alert(1)</script><!-- x --> &amp; bye</p>"),
            "Hi there & bye"
        );
        assert_eq!(strip_html("a < b"), "a < b");
    }

    #[test]
    fn strip_html_finds_script_ends_in_any_case_after_multibyte_text() {
        assert_eq!(strip_html("<ScRiPt>x</SCRIPT >é<b>é</b>"), "éé");
        assert_eq!(strip_html("<STYLE>p{}</style>ok"), "ok");
        assert_eq!(strip_html("<script>never closed"), "");
        // A tag whose eighth byte falls inside a character.
        assert_eq!(strip_html("<abcdefé>x<scrîpt>y"), "xy");
    }

    #[test]
    fn entities_followed_by_multibyte_text_decode_without_panicking() {
        // Found by fuzzing (`<p>&mp;` then three invalid bytes, read as U+FFFD): the
        // 12-byte window for the entity's `;` ended inside a character.
        assert_eq!(
            strip_html("<p>&mp;\u{fffd}\u{fffd}\u{fffd}"),
            "&mp;\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(decode_entities("&mp;aéééé"), "&mp;aéééé");
        assert_eq!(decode_entities("&amp;éééé &#xe9;"), "&éééé é");
        assert_eq!(decode_entities("&ééééééé;"), "&ééééééé;");
    }

    #[test]
    fn footnotes_are_numbered_by_first_reference() {
        let md = "A[^b] then[^a].\n\n[^a]: Alpha.\n[^b]: Beta.\n";
        let events: Vec<Event<'static>> =
            pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_FOOTNOTES)
                .map(Event::into_static)
                .collect();
        let (main, notes) = split_footnotes(&events, None);
        assert_eq!(notes.number("b"), Some(1));
        assert_eq!(notes.number("a"), Some(2));
        assert_eq!(notes.defs[0].1, "b");
        assert!(
            !main
                .iter()
                .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
        );
    }

    #[test]
    fn anchors_are_unique() {
        let mut a = Anchors::default();
        assert_eq!(a.anchor(None, "Hello, World"), "hello-world");
        assert_eq!(a.anchor(None, "Hello world"), "hello-world-1");
        assert_eq!(a.anchor(Some("custom"), "x"), "custom");
    }

    #[test]
    fn repeated_anchors_skip_suffixes_taken_by_explicit_ids() {
        let mut a = Anchors::default();
        assert_eq!(a.anchor(Some("a-2"), "x"), "a-2");
        let got: Vec<String> = (0..4).map(|_| a.anchor(None, "A")).collect();
        assert_eq!(got, ["a", "a-1", "a-3", "a-4"]);
        assert_eq!(a.anchor(Some("a"), "x"), "a-5");
    }

    #[test]
    fn superscript_digits() {
        assert_eq!(superscript(12), "¹²");
    }
}
