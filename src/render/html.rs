//! The `html` and `email` body formats.
//!
//! One writer serves both: the markup is the same shape, and the email flavor differs only in
//! a few places — inline styles instead of classes and ids (mail clients drop `<style>` and
//! break in-page anchors), text stand-ins for checkboxes, and raw HTML reduced to text
//! (a newsletter must never carry the author's scripts or forms).

use std::collections::{HashMap, HashSet};
use std::ptr;

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};

use super::loss::is_plain_attribute;
use super::{
    Anchors, Construct, Degradation, Footnotes, RawHtml, RenderOptions, ScriptSkip,
    html_paragraphs, is_inline, matching_end, plain_text, shifted_level, split_footnotes,
    strip_html,
};

/// Which HTML the renderer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A web page: classes, heading ids, raw HTML kept.
    Web,
    /// Mail clients: inline styles, absolute URLs, raw HTML reduced to text.
    Email,
}

// Email styles. Gmail and Outlook ignore `<style>` blocks and classes, so every element
// carries its look inline. Font stacks are macros so `concat!` can share them.
macro_rules! sans {
    () => {
        "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"
    };
}
macro_rules! mono {
    () => {
        "font-family:SFMono-Regular,Menlo,Consolas,'Liberation Mono','Courier New',monospace"
    };
}
macro_rules! body_text {
    () => {
        concat!(sans!(), ";font-size:16px;line-height:1.6")
    };
}
macro_rules! heading {
    ($size:literal) => {
        concat!(
            sans!(),
            ";font-size:",
            $size,
            ";line-height:1.3;font-weight:bold;margin:24px 0 12px"
        )
    };
}

const P: &str = concat!(body_text!(), ";margin:0 0 16px");
const H1: &str = heading!("28px");
const H2: &str = heading!("24px");
const H3: &str = heading!("20px");
const H4: &str = heading!("18px");
const H5: &str = heading!("16px");
const H6: &str = heading!("14px");
const A: &str = "color:#1a6dd6;text-decoration:underline";
const EM: &str = "font-style:italic";
const STRONG: &str = "font-weight:bold";
const DEL: &str = "text-decoration:line-through";
const SUP: &str = "font-size:12px;line-height:0;vertical-align:super";
const SUB: &str = "font-size:12px;line-height:0;vertical-align:sub";
const CODE: &str = concat!(
    mono!(),
    ";font-size:14px;background-color:#f3f4f6;padding:2px 4px;border-radius:3px"
);
// `pre-wrap` so a long line wraps instead of widening the whole email.
const PRE: &str = concat!(
    mono!(),
    ";font-size:14px;line-height:1.45;background-color:#f3f4f6;padding:12px 16px;",
    "margin:0 0 16px;border-radius:4px;white-space:pre-wrap;word-wrap:break-word"
);
const PRE_CODE: &str = concat!(mono!(), ";font-size:14px");
const BLOCKQUOTE: &str =
    "margin:0 0 16px;padding:0 0 0 16px;border-left:4px solid #d0d7de;color:#555555";
const LIST: &str = concat!(body_text!(), ";margin:0 0 16px;padding:0 0 0 24px");
const LI: &str = concat!(body_text!(), ";margin:0 0 8px");
const DL: &str = "margin:0 0 16px";
const DT: &str = concat!(body_text!(), ";font-weight:bold;margin:0");
const DD: &str = concat!(body_text!(), ";margin:0 0 8px 24px");
const HR: &str = "border:0;border-top:1px solid #d0d7de;margin:24px 0";
const TABLE: &str = concat!(body_text!(), ";border-collapse:collapse;margin:0 0 16px");
const TH: &str =
    "border:1px solid #d0d7de;padding:6px 12px;font-weight:bold;background-color:#f3f4f6";
const TD: &str = "border:1px solid #d0d7de;padding:6px 12px";
const IMG: &str = "display:block;max-width:100%;height:auto;border:0";

/// Renders events as HTML of the given flavor.
pub fn render(events: &[Event<'static>], opts: &RenderOptions, flavor: Flavor) -> String {
    let (main, notes) = split_footnotes(events, opts.note_numbers.as_ref());
    let mut writer = Writer::new(events, opts, flavor, notes);
    writer.run(&main);
    writer.footnotes();
    writer.finish()
}

/// Table state between a `Table` start and its end.
#[derive(Default)]
struct Table {
    alignments: Vec<Alignment>,
    cell: usize,
    in_head: bool,
    body_open: bool,
}

struct Writer<'e> {
    out: String,
    flavor: Flavor,
    opts: &'e RenderOptions,
    notes: Footnotes<'e>,
    /// Heading ids keyed by the heading's `Start` event, computed up front in document
    /// order so they match `post.outline` whatever order the footnotes are written in.
    heading_ids: HashMap<*const Event<'static>, String>,
    /// Footnote labels referenced anywhere: only those get a back link.
    referenced: HashSet<&'e str>,
    /// References written so far per footnote number, for `fnref-N-2` ids.
    ref_counts: HashMap<usize, usize>,
    /// Per open link, whether an `<a>` was written (an unsafe URL leaves only its text).
    links: Vec<bool>,
    table: Table,
    /// Email: the raw HTML block being collected, reduced to text at its end as a whole so
    /// a `<script>` spanning lines is dropped with its content.
    raw_block: Option<String>,
    /// Email: inside an inline `<script>`/`<style>`, the closing tag that ends the skip.
    skip_until: ScriptSkip,
    /// Email: inline tags opened while skipping, whose ends must be skipped too.
    skipped_inline: usize,
}

impl<'e> Writer<'e> {
    fn new(
        events: &'e [Event<'static>],
        opts: &'e RenderOptions,
        flavor: Flavor,
        notes: Footnotes<'e>,
    ) -> Self {
        let referenced = events
            .iter()
            .filter_map(|e| {
                if let Event::FootnoteReference(label) = e {
                    Some(&**label)
                } else {
                    None
                }
            })
            .collect();
        Writer {
            out: String::new(),
            flavor,
            opts,
            notes,
            heading_ids: match flavor {
                Flavor::Web => heading_ids(events),
                Flavor::Email => HashMap::new(),
            },
            referenced,
            ref_counts: HashMap::new(),
            links: Vec::new(),
            table: Table::default(),
            raw_block: None,
            skip_until: ScriptSkip::default(),
            skipped_inline: 0,
        }
    }

    fn finish(mut self) -> String {
        let len = self.out.trim_end_matches('\n').len();
        self.out.truncate(len);
        self.out
    }

    fn run(&mut self, events: &[&Event<'static>]) {
        let mut i = 0;
        while let Some(&event) = events.get(i) {
            i += 1;
            match event {
                Event::Start(tag) => i += self.start_tag(event, tag, &events[i..]),
                Event::End(tag) => self.end_tag(*tag),
                Event::Text(text) => self.text(text),
                Event::Code(code) => self.inline_code(code),
                Event::InlineMath(math) => self.math(math, "math math-inline"),
                Event::DisplayMath(math) => self.math(math, "math math-display"),
                Event::Html(html) => self.raw_html(html, true),
                Event::InlineHtml(html) => self.raw_html(html, false),
                Event::FootnoteReference(label) => self.footnote_ref(label),
                Event::SoftBreak => self.out.push('\n'),
                Event::HardBreak => {
                    self.open("br", &[], "");
                    self.out.push('\n');
                }
                Event::Rule => {
                    self.line();
                    self.open("hr", &[], HR);
                    self.out.push('\n');
                }
                Event::TaskListMarker(done) => self.task_marker(*done),
            }
        }
    }

    /// Opens `tag`; returns how many of the following events (`rest`) it consumed.
    fn start_tag(
        &mut self,
        event: &Event<'static>,
        tag: &Tag<'static>,
        rest: &[&Event<'static>],
    ) -> usize {
        if self.skip_until.active() && is_inline(&tag.to_end()) {
            // Markup inside a dropped inline <script> is dropped with its text.
            if matches!(tag, Tag::Image { .. }) {
                return (close_index(rest) + 1).min(rest.len());
            }
            self.skipped_inline += 1;
            return 0;
        }
        match tag {
            Tag::Paragraph => self.block("p", &[], P),
            Tag::Heading {
                level,
                id: _,
                classes,
                attrs,
            } => self.heading(event, *level, classes, attrs),
            Tag::BlockQuote(kind) => {
                let class = kind.map(alert_class);
                let attrs: &[(&str, &str)] = match &class {
                    Some(class) => &[("class", class)],
                    None => &[],
                };
                self.block("blockquote", attrs, BLOCKQUOTE);
                self.out.push('\n');
            }
            Tag::CodeBlock(kind) => self.code_block(kind),
            Tag::HtmlBlock => {
                self.line();
                if self.raw_mode() != RawHtml::Keep {
                    self.raw_block = Some(String::new());
                }
            }
            Tag::List(start) => self.list(*start),
            Tag::Item => self.block("li", &[], LI),
            Tag::DefinitionList => {
                self.block("dl", &[], DL);
                self.out.push('\n');
            }
            Tag::DefinitionListTitle => self.block("dt", &[], DT),
            Tag::DefinitionListDefinition => self.block("dd", &[], DD),
            Tag::Table(alignments) => {
                self.table = Table {
                    alignments: alignments.clone(),
                    ..Table::default()
                };
                self.block("table", &[], TABLE);
                self.out.push('\n');
            }
            Tag::TableHead => {
                self.table.in_head = true;
                self.table.cell = 0;
                self.block("thead", &[], "");
                self.out.push('\n');
                self.open("tr", &[], "");
            }
            Tag::TableRow => {
                self.line();
                if !self.table.body_open {
                    // Opened lazily so a header-only table has no empty <tbody>.
                    self.table.body_open = true;
                    self.open("tbody", &[], "");
                    self.out.push('\n');
                }
                self.table.cell = 0;
                self.open("tr", &[], "");
            }
            Tag::TableCell => self.table_cell(),
            Tag::Emphasis => self.open("em", &[], EM),
            Tag::Strong => self.open("strong", &[], STRONG),
            Tag::Strikethrough => self.open("del", &[], DEL),
            Tag::Superscript => self.open("sup", &[], SUP),
            Tag::Subscript => self.open("sub", &[], SUB),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id: _,
            } => self.link(*link_type, dest_url, title),
            Tag::Image {
                link_type: _,
                dest_url,
                title,
                id: _,
            } => return self.image(dest_url, title, rest),
            // Definitions are lifted out by `split_footnotes`; one nested where it could not
            // be lifted, and front matter, are not body content.
            Tag::FootnoteDefinition(_) | Tag::MetadataBlock(_) => {
                return (close_index(rest) + 1).min(rest.len());
            }
        }
        0
    }

    fn end_tag(&mut self, tag: TagEnd) {
        if !is_inline(&tag) {
            // An unclosed inline <script> must not swallow the text of later blocks.
            self.skip_until.reset();
            self.skipped_inline = 0;
        } else if self.skipped_inline > 0 {
            self.skipped_inline -= 1;
            return;
        }
        match tag {
            TagEnd::Paragraph => self.close_block("p"),
            TagEnd::Heading(level) => {
                let n = shifted_level(level, self.opts.heading_shift);
                self.close_block(&format!("h{n}"));
            }
            TagEnd::BlockQuote(_) => {
                self.line();
                self.close_block("blockquote");
            }
            TagEnd::CodeBlock => {
                self.close("code");
                self.close_block("pre");
            }
            TagEnd::HtmlBlock => self.end_html_block(),
            TagEnd::List(ordered) => {
                self.line();
                self.close_block(if ordered { "ol" } else { "ul" });
            }
            TagEnd::Item => self.close_block("li"),
            TagEnd::DefinitionList => {
                self.line();
                self.close_block("dl");
            }
            TagEnd::DefinitionListTitle => self.close_block("dt"),
            TagEnd::DefinitionListDefinition => self.close_block("dd"),
            TagEnd::Table => {
                self.line();
                if self.table.body_open {
                    self.close_block("tbody");
                }
                self.close_block("table");
            }
            TagEnd::TableHead => {
                self.close_block("tr");
                self.close_block("thead");
                self.table.in_head = false;
            }
            TagEnd::TableRow => self.close_block("tr"),
            TagEnd::TableCell => {
                self.close(if self.table.in_head { "th" } else { "td" });
                self.table.cell += 1;
            }
            TagEnd::Emphasis => self.close("em"),
            TagEnd::Strong => self.close("strong"),
            TagEnd::Strikethrough => self.close("del"),
            TagEnd::Superscript => self.close("sup"),
            TagEnd::Subscript => self.close("sub"),
            TagEnd::Link => {
                if self.links.pop() == Some(true) {
                    self.close("a");
                }
            }
            // Consumed together with their start.
            TagEnd::Image | TagEnd::FootnoteDefinition | TagEnd::MetadataBlock(_) => {}
        }
    }

    /// Writes `<name attrs style>`. Attribute values must already be escaped. This is where
    /// the flavors part: email drops ids and classes and takes the inline style instead.
    fn open(&mut self, name: &str, attrs: &[(&str, &str)], style: &str) {
        self.out.push('<');
        self.out.push_str(name);
        for &(key, value) in attrs {
            if self.flavor == Flavor::Email && matches!(key, "id" | "class") {
                continue;
            }
            self.out.push(' ');
            self.out.push_str(key);
            self.out.push_str("=\"");
            self.out.push_str(value);
            self.out.push('"');
        }
        if self.flavor == Flavor::Email && !style.is_empty() {
            self.out.push_str(" style=\"");
            self.out.push_str(style);
            self.out.push('"');
        }
        self.out.push('>');
    }

    /// Opens a block element on a line of its own.
    fn block(&mut self, name: &str, attrs: &[(&str, &str)], style: &str) {
        self.line();
        self.open(name, attrs, style);
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    fn close_block(&mut self, name: &str) {
        self.close(name);
        self.out.push('\n');
    }

    /// Starts a new line unless the output is empty or already at one.
    fn line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('\n') {
            self.out.push('\n');
        }
    }

    fn text(&mut self, text: &str) {
        if !self.skip_until.active() {
            escape_body(&mut self.out, text);
        }
    }

    fn inline_code(&mut self, code: &str) {
        if !self.skip_until.active() {
            self.open("code", &[], CODE);
            escape_body(&mut self.out, code);
            self.close("code");
        }
    }

    fn math(&mut self, math: &str, class: &str) {
        if self.skip_until.active() {
            return;
        }
        self.open("span", &[("class", class)], CODE);
        self.out.push_str(&escape_attr(math));
        self.close("span");
    }

    fn heading(
        &mut self,
        event: &Event<'static>,
        level: HeadingLevel,
        classes: &[CowStr<'static>],
        attrs: &[(CowStr<'static>, Option<CowStr<'static>>)],
    ) {
        let n = shifted_level(level, self.opts.heading_shift);
        let style = match n {
            1 => H1,
            2 => H2,
            3 => H3,
            4 => H4,
            5 => H5,
            _ => H6,
        };
        let mut pairs: Vec<(String, String)> = Vec::new();
        // Custom attributes are the author's markup: kept on the web, never in email. Any
        // but id and class can run script (`{autofocus onfocus=…}`), so they are kept only
        // where the author's raw HTML is.
        if self.flavor == Flavor::Web {
            if let Some(id) = self.heading_ids.get(&ptr::from_ref(event)) {
                pairs.push(("id".into(), escape_attr(id)));
            }
            let mut class: Vec<&str> = classes.iter().map(|c| &**c).collect();
            // `{class=x}` and `{id=x}` would duplicate the attributes written above.
            for (key, value) in attrs {
                if key.eq_ignore_ascii_case("class") {
                    class.extend(value.as_deref());
                }
            }
            if !class.is_empty() {
                pairs.push(("class".into(), escape_attr(&class.join(" "))));
            }
            let custom = self.opts.raw_html == RawHtml::Keep;
            for (key, value) in attrs {
                if custom && !is_plain_attribute(key) {
                    let value = value.as_deref().unwrap_or("");
                    pairs.push((escape_attr(key), escape_attr(value)));
                }
            }
        }
        let attrs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (&**k, &**v)).collect();
        self.block(&format!("h{n}"), &attrs, style);
    }

    fn code_block(&mut self, kind: &CodeBlockKind<'static>) {
        self.block("pre", &[], PRE);
        let lang = match kind {
            CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or(""),
            CodeBlockKind::Indented => "",
        };
        if lang.is_empty() {
            self.open("code", &[], PRE_CODE);
        } else {
            let class = escape_attr(&format!("language-{lang}"));
            self.open("code", &[("class", &class)], PRE_CODE);
        }
    }

    fn list(&mut self, start: Option<u64>) {
        match start {
            None => self.block("ul", &[], LIST),
            Some(1) => self.block("ol", &[], LIST),
            Some(n) => self.block("ol", &[("start", &n.to_string())], LIST),
        }
        self.out.push('\n');
    }

    fn table_cell(&mut self) {
        let (name, style) = if self.table.in_head {
            ("th", TH)
        } else {
            ("td", TD)
        };
        let align = match self.table.alignments.get(self.table.cell) {
            Some(Alignment::Left) => Some("left"),
            Some(Alignment::Center) => Some("center"),
            Some(Alignment::Right) => Some("right"),
            Some(Alignment::None) | None => None,
        };
        match (self.flavor, align) {
            (Flavor::Web, Some(align)) => {
                self.open(name, &[("style", &format!("text-align:{align}"))], "");
            }
            (Flavor::Email, Some(align)) => {
                self.open(name, &[], &format!("{style};text-align:{align}"));
            }
            (_, None) => self.open(name, &[], style),
        }
    }

    fn link(&mut self, link_type: LinkType, dest: &str, title: &str) {
        let mailto;
        let dest = if link_type == LinkType::Email && !has_mailto(dest) {
            mailto = format!("mailto:{dest}");
            &mailto
        } else {
            dest
        };
        let Some(url) = self.opts.url(dest) else {
            self.links.push(false);
            return;
        };
        let href = escape_href(&url);
        let title = escape_attr(title);
        let mut attrs = vec![("href", &*href)];
        if !title.is_empty() {
            attrs.push(("title", &title));
        }
        self.open("a", &attrs, A);
        self.links.push(true);
    }

    /// Writes an image from its start, its inner events (the alt text) in `rest`; returns
    /// how many events of `rest` it consumed.
    fn image(&mut self, dest: &str, title: &str, rest: &[&Event<'static>]) -> usize {
        let end = close_index(rest);
        let alt = plain_text(rest[..end].iter().copied());
        match self.opts.image_url(dest) {
            None => self.text(&alt),
            Some(src) => {
                let src = escape_href(&src);
                let alt = escape_attr(&alt);
                let title = escape_attr(title);
                let mut attrs = vec![("src", &*src), ("alt", &*alt)];
                match self.flavor {
                    Flavor::Web => {
                        if !title.is_empty() {
                            attrs.push(("title", &title));
                        }
                        attrs.push(("loading", "lazy"));
                    }
                    // A fixed width for Outlook, which ignores max-width.
                    Flavor::Email => attrs.push(("width", "560")),
                }
                self.open("img", &attrs, IMG);
            }
        }
        (end + 1).min(rest.len())
    }

    fn task_marker(&mut self, done: bool) {
        self.out.push_str(match (self.flavor, done) {
            (Flavor::Web, true) => "<input type=\"checkbox\" disabled checked> ",
            (Flavor::Web, false) => "<input type=\"checkbox\" disabled> ",
            (Flavor::Email, true) => "☑ ",
            (Flavor::Email, false) => "☐ ",
        });
    }

    fn footnote_ref(&mut self, label: &str) {
        let Some(n) = self.notes.number(label) else {
            // No definition in these events (a slice of the body): show it as CommonMark
            // shows an undefined reference, as its source text.
            self.text(&format!("[^{label}]"));
            return;
        };
        match self.flavor {
            Flavor::Web => {
                let count = self.ref_counts.entry(n).or_insert(0);
                *count += 1;
                let id = match *count {
                    1 => format!("fnref-{n}"),
                    count => format!("fnref-{n}-{count}"),
                };
                self.open("sup", &[("class", "footnote-ref"), ("id", &id)], SUP);
                self.open("a", &[("href", &format!("#fn-{n}"))], A);
                self.out.push_str(&n.to_string());
                self.close("a");
                self.close("sup");
            }
            Flavor::Email => {
                self.open("sup", &[], SUP);
                self.out.push_str(&n.to_string());
                self.close("sup");
            }
        }
    }

    /// The notes, after the main flow: a `<section>` with back links on the web; in email
    /// a plain list after a rule, since many mail clients break in-page anchors.
    fn footnotes(&mut self) {
        let defs = self.notes.defs.clone();
        if defs.is_empty() {
            return;
        }
        match self.flavor {
            // The label names the section for screen readers, as a heading would (the Nu
            // checker warns about a section with neither); a visible heading would be words
            // the other venues do not have.
            Flavor::Web => self.block(
                "section",
                &[("class", "footnotes"), ("aria-label", "Footnotes")],
                "",
            ),
            Flavor::Email => self.block("hr", &[], HR),
        }
        self.out.push('\n');
        self.block("ol", &[], LIST);
        self.out.push('\n');
        for (n, label, body) in defs {
            let body: Vec<&Event<'static>> = body.iter().collect();
            self.block("li", &[("id", &format!("fn-{n}"))], LI);
            let back = self.flavor == Flavor::Web && self.referenced.contains(label);
            match body.split_last() {
                // The back link belongs inside the note's last paragraph when it ends in one.
                Some((&last, inner)) if back && matches!(last, Event::End(TagEnd::Paragraph)) => {
                    self.run(inner);
                    self.out.push(' ');
                    self.back_link(n);
                    self.run(&[last]);
                }
                _ if back => {
                    self.run(&body);
                    self.back_link(n);
                }
                _ => self.run(&body),
            }
            self.close_block("li");
        }
        self.close_block("ol");
        if self.flavor == Flavor::Web {
            self.close_block("section");
        }
    }

    fn back_link(&mut self, n: usize) {
        let href = format!("#fnref-{n}");
        let label = format!("Back to reference {n}");
        let attrs = [
            ("href", &*href),
            ("class", "footnote-back"),
            ("aria-label", &*label),
        ];
        self.open("a", &attrs, A);
        self.out.push('↩');
        self.close("a");
    }

    /// What happens to raw HTML here: as the options say, but never verbatim in email.
    fn raw_mode(&self) -> RawHtml {
        match (self.flavor, self.opts.raw_html) {
            (Flavor::Email, RawHtml::Keep) => RawHtml::Sanitize,
            (_, mode) => mode,
        }
    }

    /// Raw HTML: verbatim on the web by default, as CommonMark does; otherwise blocks are
    /// collected (to be sanitised or reduced at their end) and inline tags become text.
    fn raw_html(&mut self, html: &str, block: bool) {
        match (self.raw_mode(), self.raw_block.as_mut()) {
            (RawHtml::Keep, _) => self.out.push_str(html),
            (_, Some(buffer)) if block => buffer.push_str(html),
            (RawHtml::Sanitize | RawHtml::Text, _) => self.raw_inline_text(html),
        }
    }

    /// Inline raw HTML where it may not be kept: its text, and a `<br>` still breaks the
    /// line (written as our own tag, without the writer's attributes).
    fn raw_inline_text(&mut self, html: &str) {
        if self.skip_until.feed(html) {
            return;
        }
        if super::loss::is_line_break(html) {
            self.open("br", &[], "");
        } else {
            escape_body(&mut self.out, &strip_html(html));
        }
    }

    fn end_html_block(&mut self) {
        let Some(raw) = self.raw_block.take() else {
            self.line();
            return;
        };
        if self.raw_mode() == RawHtml::Sanitize {
            let clean = sanitize(&raw, self.opts.base_url.as_deref());
            if !clean.trim().is_empty() {
                self.block("div", &[], P);
                self.out.push_str(clean.trim());
                self.close_block("div");
            }
        } else {
            for paragraph in html_paragraphs(&raw) {
                self.block("p", &[], P);
                escape_body(&mut self.out, &paragraph);
                self.close_block("p");
            }
        }
        self.line();
    }
}

/// Every heading's anchor, in document order, keyed by its `Start` event.
fn heading_ids(events: &[Event<'static>]) -> HashMap<*const Event<'static>, String> {
    let mut anchors = Anchors::default();
    let mut ids = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading { id, .. }) = event {
            let end = matching_end(events, i);
            let title = plain_text(events.get(i + 1..end).unwrap_or_default());
            ids.insert(ptr::from_ref(event), anchors.anchor(id.as_deref(), &title));
        }
    }
    ids
}

/// Index in `rest` of the `End` closing a tag opened just before it (`rest.len()` if none).
/// A private twin of `super::matching_end`, which takes owned events, not references.
fn close_index(rest: &[&Event<'_>]) -> usize {
    let mut depth = 0usize;
    for (i, event) in rest.iter().enumerate() {
        if matches!(event, Event::Start(_)) {
            depth += 1;
        } else if matches!(event, Event::End(_)) {
            if depth == 0 {
                return i;
            }
            depth -= 1;
        }
    }
    rest.len()
}

fn alert_class(kind: BlockQuoteKind) -> String {
    let name = match kind {
        BlockQuoteKind::Note => "note",
        BlockQuoteKind::Tip => "tip",
        BlockQuoteKind::Important => "important",
        BlockQuoteKind::Warning => "warning",
        BlockQuoteKind::Caution => "caution",
    };
    format!("markdown-alert-{name}")
}

/// A raw HTML block cleaned by ammonia: its allow-list keeps formatting, links, images and
/// tables and drops script, style, iframe, form, event attributes and any class or id;
/// links may only be http(s) or mailto, relative ones made absolute against `base` (or
/// dropped when there is none).
fn sanitize(html: &str, base: Option<&str>) -> String {
    let mut cleaner = ammonia::Builder::default();
    cleaner
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => cleaner.url_relative(ammonia::UrlRelative::RewriteWithBase(base)),
        None => cleaner.url_relative(ammonia::UrlRelative::Deny),
    };
    cleaner.clean(html).to_string()
}

fn has_mailto(dest: &str) -> bool {
    dest.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
}

// The escapers below follow `pulldown_cmark_escape`, which this crate cannot name: it is only
// a dependency of pulldown-cmark, and pulldown-cmark 0.13 does not re-export it.

/// Text content: `&`, `<`, `>` (as `escape_html_body_text`).
fn escape_body(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `&`, `<`, `>`, `"` and `'` escaped (as `escape_html`), for HTML text and double- or
/// single-quoted attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A double-quoted attribute value.
fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}

/// A URL as a double-quoted attribute value (as `escape_href`): bytes outside the URL-safe
/// set percent-encoded, `&` and `'` as entities. The result is already attribute-safe;
/// escaping it again as text would turn every `&amp;` between query parameters into
/// `&amp;amp;`.
fn escape_href(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        match byte {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            b'!'
            | b'#'..=b'%'
            | b'('..=b';'
            | b'='
            | b'?'..=b'Z'
            | b'^'
            | b'_'
            | b'a'..=b'z'
            | b'~' => {
                out.push(char::from(byte));
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
    out
}

/// What each flavor cannot show as written, for `check`, given the header's `raw_html`
/// (email never keeps raw HTML verbatim); the test `degradations_are_what_the_output_shows`
/// holds this account to the renderer.
pub fn degradation(flavor: Flavor, raw_html: RawHtml, construct: Construct) -> Option<Degradation> {
    let raw = match (flavor, raw_html) {
        (Flavor::Email, RawHtml::Keep) => RawHtml::Sanitize,
        (_, mode) => mode,
    };
    match (construct, raw) {
        (Construct::HtmlBlock, RawHtml::Sanitize) => {
            Degradation::lost("raw HTML block stripped of scripts, styles, forms, classes and ids")
        }
        (Construct::HtmlBlock, RawHtml::Text) => {
            Degradation::lost("raw HTML block reduced to its text")
        }
        (Construct::InlineHtml, RawHtml::Sanitize | RawHtml::Text) => {
            Degradation::lost("inline HTML reduced to its text")
        }
        (Construct::HeadingAttributes | Construct::HeadingCustomAttributes, _)
            if flavor == Flavor::Email =>
        {
            Degradation::changed("heading attributes `{#id .class}` dropped")
        }
        (Construct::HeadingCustomAttributes, RawHtml::Sanitize | RawHtml::Text) => {
            Degradation::lost("heading attributes other than id and class dropped")
        }
        (
            Construct::HtmlBlock | Construct::InlineHtml | Construct::HeadingCustomAttributes,
            RawHtml::Keep,
        )
        | (
            Construct::Table
            | Construct::LineBreakTag
            | Construct::CodeSpan
            | Construct::Strikethrough
            | Construct::Image { .. }
            | Construct::HeadingAttributes
            | Construct::ListStart,
            _,
        ) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse::events;
    use pretty_assertions::assert_eq;

    fn web(md: &str) -> String {
        render(&events(md), &RenderOptions::default(), Flavor::Web)
    }

    fn web_with(md: &str, opts: &RenderOptions) -> String {
        render(&events(md), opts, Flavor::Web)
    }

    /// What the newsletter caller passes: a base URL and utm parameters for its own site.
    fn email_opts() -> RenderOptions {
        RenderOptions {
            base_url: Some("https://example.com/posts/hello/".into()),
            utm_scope: vec!["https://example.com/".into()],
            utm: vec![
                ("utm_source".into(), "newsletter".into()),
                ("utm_medium".into(), "email".into()),
            ],
            ..RenderOptions::default()
        }
    }

    fn email(md: &str) -> String {
        render(&events(md), &email_opts(), Flavor::Email)
    }

    // Headings

    #[test]
    fn web_headings_are_shifted_and_get_slug_ids() {
        let opts = RenderOptions {
            heading_shift: 1,
            ..RenderOptions::default()
        };
        assert_eq!(
            web_with("# Title\n\n## Sub *part*\n\n###### Deep", &opts),
            "<h2 id=\"title\">Title</h2>\n\
             <h3 id=\"sub-part\">Sub <em>part</em></h3>\n\
             <h6 id=\"deep\">Deep</h6>"
        );
    }

    #[test]
    fn web_heading_keeps_explicit_id_classes_and_attributes_escaped() {
        assert_eq!(
            web("# Hello {#intro .lead .big data-x=a\"b id=dup}"),
            "<h1 id=\"intro\" class=\"lead big\" data-x=\"a&quot;b\">Hello</h1>"
        );
    }

    #[test]
    fn web_heading_keeps_only_id_and_class_unless_raw_html_is_kept() {
        let md = "## Hello {#a&b .c\"d autofocus onfocus=alert(1) class=e'f}";
        for raw_html in [RawHtml::Sanitize, RawHtml::Text] {
            let opts = RenderOptions {
                raw_html,
                ..RenderOptions::default()
            };
            assert_eq!(
                web_with(md, &opts),
                "<h2 id=\"a&amp;b\" class=\"c&quot;d e&#39;f\">Hello</h2>",
                "{raw_html:?}"
            );
        }
        assert!(web(md).contains(" autofocus=\"\" onfocus=\"alert(1)\""));
    }

    #[test]
    fn web_duplicate_heading_titles_get_unique_ids() {
        assert_eq!(
            web("# Intro\n\n## Intro\n\n### Intro {#intro-1}\n\n# Intro"),
            "<h1 id=\"intro\">Intro</h1>\n\
             <h2 id=\"intro-1\">Intro</h2>\n\
             <h3 id=\"intro-1-1\">Intro</h3>\n\
             <h1 id=\"intro-2\">Intro</h1>"
        );
    }

    #[test]
    fn web_heading_ids_match_anchors_over_the_whole_body() {
        let events = events("# A\n\nx[^n]\n\n[^n]: Note.\n\n    # not a heading\n\n# B\n\n# A");
        let mut anchors = Anchors::default();
        let expected: Vec<String> = ["a", "b", "a"]
            .iter()
            .map(|t| anchors.anchor(None, t))
            .collect();
        let html = render(&events, &RenderOptions::default(), Flavor::Web);
        for id in expected {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} in {html}");
        }
    }

    #[test]
    fn email_headings_are_styled_without_ids_or_attributes() {
        let opts = RenderOptions {
            heading_shift: 1,
            ..email_opts()
        };
        assert_eq!(
            render(
                &events("# Title {#t .c onclick=x}\n\n###### Deep"),
                &opts,
                Flavor::Email
            ),
            format!("<h2 style=\"{H2}\">Title</h2>\n<h6 style=\"{H6}\">Deep</h6>")
        );
    }

    // Inline markup

    #[test]
    fn web_emphasis_strong_strike_and_inline_code() {
        assert_eq!(
            web("*a* **b** ~~c~~ `<d> & e`"),
            "<p><em>a</em> <strong>b</strong> <del>c</del> <code>&lt;d&gt; &amp; e</code></p>"
        );
    }

    #[test]
    fn email_emphasis_strong_strike_and_inline_code_are_styled() {
        assert_eq!(
            email("*a* **b** ~~c~~ `<d>`"),
            format!(
                "<p style=\"{P}\"><em style=\"{EM}\">a</em> <strong style=\"{STRONG}\">b</strong> \
                 <del style=\"{DEL}\">c</del> <code style=\"{CODE}\">&lt;d&gt;</code></p>"
            )
        );
    }

    #[test]
    fn web_text_is_escaped() {
        assert_eq!(
            web("Use &lt;b&gt; for bold & a < b > c"),
            "<p>Use &lt;b&gt; for bold &amp; a &lt; b &gt; c</p>"
        );
    }

    #[test]
    fn email_text_is_escaped() {
        assert_eq!(
            email("Use &lt;b&gt; & more"),
            format!("<p style=\"{P}\">Use &lt;b&gt; &amp; more</p>")
        );
    }

    #[test]
    fn soft_breaks_stay_newlines_and_hard_breaks_become_br() {
        assert_eq!(web("a\nb  \nc"), "<p>a\nb<br>\nc</p>");
        assert_eq!(email("a\\\nb"), format!("<p style=\"{P}\">a<br>\nb</p>"));
    }

    // Code blocks

    #[test]
    fn web_fenced_and_indented_code_is_escaped() {
        assert_eq!(
            web("```rust ignore\nif a < b && c {}\n```\n\n    x <y> &z\n"),
            "<pre><code class=\"language-rust\">if a &lt; b &amp;&amp; c {}\n</code></pre>\n\
             <pre><code>x &lt;y&gt; &amp;z\n</code></pre>"
        );
    }

    #[test]
    fn email_code_blocks_wrap_and_have_no_class() {
        assert_eq!(
            email("```rust\na < b & c\n```"),
            format!(
                "<pre style=\"{PRE}\"><code style=\"{PRE_CODE}\">a &lt; b &amp; c\n</code></pre>"
            )
        );
        assert!(PRE.contains("white-space:pre-wrap"));
    }

    // Links and images

    #[test]
    fn web_links_keep_title_and_escape_href() {
        assert_eq!(
            web("[site](https://example.com/a?b=1&c=2 \"The <site> & 'co'\")"),
            "<p><a href=\"https://example.com/a?b=1&amp;c=2\" \
             title=\"The &lt;site&gt; &amp; &#39;co&#39;\">site</a></p>"
        );
        assert_eq!(
            web("[x](<https://e.com/a b\"c>)"),
            "<p><a href=\"https://e.com/a%20b%22c\">x</a></p>"
        );
    }

    #[test]
    fn web_autolinks_for_urls_and_emails() {
        assert_eq!(
            web("<https://example.com/x> and <me@example.com>"),
            "<p><a href=\"https://example.com/x\">https://example.com/x</a> and \
             <a href=\"mailto:me@example.com\">me@example.com</a></p>"
        );
    }

    #[test]
    fn email_links_are_absolute_styled_and_tagged_in_scope() {
        assert_eq!(
            email("[next](../next/ \"Next\") <me@example.com> [out](https://other.org/)"),
            format!(
                "<p style=\"{P}\"><a href=\"https://example.com/posts/next/?utm_source=newsletter&amp;utm_medium=email\" \
                 title=\"Next\" style=\"{A}\">next</a> \
                 <a href=\"mailto:me@example.com\" style=\"{A}\">me@example.com</a> \
                 <a href=\"https://other.org/\" style=\"{A}\">out</a></p>"
            )
        );
    }

    #[test]
    fn web_images_have_plain_alt_title_and_lazy_loading() {
        assert_eq!(
            web("![A *fancy* <b>cat</b> `x`](cat.png \"Cat\") ![](dot.png)"),
            "<p><img src=\"cat.png\" alt=\"A fancy cat x\" title=\"Cat\" loading=\"lazy\"> \
             <img src=\"dot.png\" alt=\"\" loading=\"lazy\"></p>"
        );
    }

    #[test]
    fn email_images_are_absolute_block_and_sized_without_utm() {
        assert_eq!(
            email("![A *fancy* cat](cat.png \"Cat\")\n\n![](https://cdn.org/x.png)"),
            format!(
                "<p style=\"{P}\"><img src=\"https://example.com/posts/hello/cat.png\" \
                 alt=\"A fancy cat\" width=\"560\" style=\"{IMG}\"></p>\n\
                 <p style=\"{P}\"><img src=\"https://cdn.org/x.png\" alt=\"\" width=\"560\" style=\"{IMG}\"></p>"
            )
        );
    }

    #[test]
    fn unsafe_links_and_images_become_text() {
        let md = "[click *me*](javascript:alert(1)) ![pic](data:image/png;base64,xx) \
                  [v](vbscript:x)";
        assert_eq!(web(md), "<p>click <em>me</em> pic v</p>");
        assert_eq!(
            email(md),
            format!("<p style=\"{P}\">click <em style=\"{EM}\">me</em> pic v</p>")
        );
    }

    #[test]
    fn image_inside_link_keeps_both() {
        assert_eq!(
            web("[![logo](l.png)](https://e.com)"),
            "<p><a href=\"https://e.com\"><img src=\"l.png\" alt=\"logo\" loading=\"lazy\"></a></p>"
        );
    }

    // Lists

    #[test]
    fn web_nested_tight_lists_put_text_straight_in_li() {
        assert_eq!(
            web("- a\n  - b\n  - c\n- d"),
            "<ul>\n<li>a\n<ul>\n<li>b</li>\n<li>c</li>\n</ul>\n</li>\n<li>d</li>\n</ul>"
        );
    }

    #[test]
    fn web_ordered_lists_say_start_only_when_not_one() {
        assert_eq!(
            web("3. x\n4. y"),
            "<ol start=\"3\">\n<li>x</li>\n<li>y</li>\n</ol>"
        );
        assert_eq!(web("1. x"), "<ol>\n<li>x</li>\n</ol>");
    }

    #[test]
    fn web_loose_lists_wrap_items_in_paragraphs() {
        assert_eq!(
            web("- a\n\n- b"),
            "<ul>\n<li>\n<p>a</p>\n</li>\n<li>\n<p>b</p>\n</li>\n</ul>"
        );
    }

    #[test]
    fn web_task_items_get_disabled_checkboxes() {
        assert_eq!(
            web("- [ ] todo\n- [x] done"),
            "<ul>\n<li><input type=\"checkbox\" disabled> todo</li>\n\
             <li><input type=\"checkbox\" disabled checked> done</li>\n</ul>"
        );
    }

    #[test]
    fn email_lists_are_styled_and_tasks_use_ballot_boxes() {
        assert_eq!(
            email("- [ ] todo\n- [x] done\n  1. sub"),
            format!(
                "<ul style=\"{LIST}\">\n<li style=\"{LI}\">☐ todo</li>\n\
                 <li style=\"{LI}\">☑ done\n<ol style=\"{LIST}\">\n<li style=\"{LI}\">sub</li>\n</ol>\n</li>\n</ul>"
            )
        );
        assert_eq!(
            email("7. a\n\n8. b"),
            format!(
                "<ol start=\"7\" style=\"{LIST}\">\n<li style=\"{LI}\">\n<p style=\"{P}\">a</p>\n</li>\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">b</p>\n</li>\n</ol>"
            )
        );
    }

    // Quotes, rules

    #[test]
    fn web_nested_quotes_and_rules() {
        assert_eq!(
            web("> a\n>\n> > b\n\n---\n\nc"),
            "<blockquote>\n<p>a</p>\n<blockquote>\n<p>b</p>\n</blockquote>\n</blockquote>\n\
             <hr>\n<p>c</p>"
        );
    }

    #[test]
    fn email_quotes_and_rules_are_styled() {
        assert_eq!(
            email("> a\n>\n> > b\n\n***"),
            format!(
                "<blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">a</p>\n\
                 <blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">b</p>\n</blockquote>\n\
                 </blockquote>\n<hr style=\"{HR}\">"
            )
        );
    }

    // Tables

    #[test]
    fn web_tables_have_head_body_and_alignment() {
        assert_eq!(
            web("| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| *5* | | | |"),
            "<table>\n<thead>\n\
             <tr><th style=\"text-align:left\">a</th><th style=\"text-align:center\">b</th>\
             <th style=\"text-align:right\">c</th><th>d</th></tr>\n\
             </thead>\n<tbody>\n\
             <tr><td style=\"text-align:left\">1</td><td style=\"text-align:center\">2</td>\
             <td style=\"text-align:right\">3</td><td>4</td></tr>\n\
             <tr><td style=\"text-align:left\"><em>5</em></td><td style=\"text-align:center\"></td>\
             <td style=\"text-align:right\"></td><td></td></tr>\n\
             </tbody>\n</table>"
        );
    }

    #[test]
    fn web_header_only_table_has_no_empty_body() {
        assert_eq!(
            web("| a |\n|---|"),
            "<table>\n<thead>\n<tr><th>a</th></tr>\n</thead>\n</table>"
        );
    }

    #[test]
    fn email_tables_collapse_borders_and_style_cells() {
        assert_eq!(
            email("| a | b |\n|--:|---|\n| 1 | 2 |"),
            format!(
                "<table style=\"{TABLE}\">\n<thead>\n\
                 <tr><th style=\"{TH};text-align:right\">a</th><th style=\"{TH}\">b</th></tr>\n\
                 </thead>\n<tbody>\n\
                 <tr><td style=\"{TD};text-align:right\">1</td><td style=\"{TD}\">2</td></tr>\n\
                 </tbody>\n</table>"
            )
        );
        assert!(TABLE.contains("border-collapse:collapse"));
    }

    // Footnotes

    const NOTES: &str = "B[^b] A[^a] again[^b].\n\n[^a]: Alpha.\n[^b]: Beta.\n";

    #[test]
    fn web_footnotes_number_by_first_reference_with_back_links() {
        assert_eq!(
            web(NOTES),
            "<p>B<sup class=\"footnote-ref\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup> \
             A<sup class=\"footnote-ref\" id=\"fnref-2\"><a href=\"#fn-2\">2</a></sup> \
             again<sup class=\"footnote-ref\" id=\"fnref-1-2\"><a href=\"#fn-1\">1</a></sup>.</p>\n\
             <section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n\
             <li id=\"fn-1\">\n<p>Beta. <a href=\"#fnref-1\" class=\"footnote-back\" \
             aria-label=\"Back to reference 1\">↩</a></p>\n</li>\n\
             <li id=\"fn-2\">\n<p>Alpha. <a href=\"#fnref-2\" class=\"footnote-back\" \
             aria-label=\"Back to reference 2\">↩</a></p>\n</li>\n\
             </ol>\n</section>"
        );
    }

    #[test]
    fn web_footnote_back_link_follows_a_final_non_paragraph_and_skips_unreferenced_notes() {
        assert_eq!(
            web("x[^l]\n\n[^l]: Items:\n\n    - one\n\n[^u]: Unused."),
            "<p>x<sup class=\"footnote-ref\" id=\"fnref-1\"><a href=\"#fn-1\">1</a></sup></p>\n\
             <section class=\"footnotes\" aria-label=\"Footnotes\">\n<ol>\n\
             <li id=\"fn-1\">\n<p>Items:</p>\n<ul>\n<li>one</li>\n</ul>\n\
             <a href=\"#fnref-1\" class=\"footnote-back\" aria-label=\"Back to reference 1\">↩</a></li>\n\
             <li id=\"fn-2\">\n<p>Unused.</p>\n</li>\n\
             </ol>\n</section>"
        );
    }

    #[test]
    fn email_footnotes_are_plain_superscripts_and_a_list_after_a_rule() {
        assert_eq!(
            email(NOTES),
            format!(
                "<p style=\"{P}\">B<sup style=\"{SUP}\">1</sup> A<sup style=\"{SUP}\">2</sup> \
                 again<sup style=\"{SUP}\">1</sup>.</p>\n\
                 <hr style=\"{HR}\">\n<ol style=\"{LIST}\">\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">Beta.</p>\n</li>\n\
                 <li style=\"{LI}\">\n<p style=\"{P}\">Alpha.</p>\n</li>\n</ol>"
            )
        );
    }

    #[test]
    fn reference_without_definition_in_a_slice_stays_source_text() {
        let all = events("See[^n].\n\n[^n]: Note.");
        let end = matching_end(&all, 0);
        assert_eq!(
            render(&all[..=end], &RenderOptions::default(), Flavor::Web),
            "<p>See[^n].</p>"
        );
    }

    // Raw HTML

    #[test]
    fn web_keeps_raw_html_block_and_inline_verbatim() {
        assert_eq!(
            web("<div class=\"note\">\n*hi*\n</div>\n\nPress <kbd>Ctrl</kbd> & go."),
            "<div class=\"note\">\n*hi*\n</div>\n<p>Press <kbd>Ctrl</kbd> &amp; go.</p>"
        );
    }

    #[test]
    fn email_sanitizes_raw_html_blocks_and_reduces_inline_tags_to_text() {
        assert_eq!(
            email(
                "<div class=\"note\">\n<b>Hi</b> &amp; &lt;bye&gt;\n\n</div>\n\n\
                 Press <kbd onclick=\"x()\">Ctrl</kbd> now<script>alert(1)</script>.\n\n\
                 <script>\nalert(2)\n</script>\n\n\
                 <style>p { color: red }</style>\n\n\
                 <iframe src=\"https://evil.example\"></iframe>\n\n\
                 <form action=\"/x\"><input name=\"q\"></form>"
            ),
            format!(
                "<div style=\"{P}\"><div>\n<b>Hi</b> &amp; &lt;bye&gt;\n</div></div>\n\
                 <p style=\"{P}\">Press Ctrl now.</p>"
            )
        );
    }

    #[test]
    fn sanitized_links_are_absolute_and_never_script_urls() {
        let opts = RenderOptions {
            raw_html: RawHtml::Sanitize,
            base_url: Some("https://example.com/blog/post/".into()),
            ..RenderOptions::default()
        };
        let events = crate::markdown::parse::events(
            "<p><a href=\"../other/\">ok</a> <a href=\"javascript:alert(1)\">bad</a> <img src=\"x.png\" onerror=\"alert(1)\"></p>",
        );
        assert_eq!(
            render(&events, &opts, Flavor::Web),
            "<div><p><a href=\"https://example.com/blog/other/\" rel=\"noopener noreferrer\">ok</a> \
             <a rel=\"noopener noreferrer\">bad</a> <img src=\"https://example.com/blog/post/x.png\"></p></div>"
        );
    }

    #[test]
    fn web_can_reduce_raw_html_to_text() {
        let opts = RenderOptions {
            raw_html: RawHtml::Text,
            ..RenderOptions::default()
        };
        let events =
            crate::markdown::parse::events("<div>\n<b>Hi</b> there\n</div>\n\nA <kbd>key</kbd>.");
        assert_eq!(
            render(&events, &opts, Flavor::Web),
            "<p>Hi there</p>\n<p>A key.</p>"
        );
    }

    #[test]
    fn email_inline_script_split_across_events_drops_its_content() {
        assert_eq!(
            email(
                "a <script>alert(*1* [l](/x) ![i](i.png))</script> *b <style>x{}</style> c* <scripts>d"
            ),
            format!("<p style=\"{P}\">a  <em style=\"{EM}\">b  c</em> d</p>")
        );
    }

    #[test]
    fn email_never_contains_active_markup() {
        let md = "# T {onclick=x}\n\n<script>x()</script>\n\n\
                  <img src=x onerror=\"alert(1)\">\n\n\
                  A <a href=\"javascript:x\" onmouseover=\"y\">l</a> <svg onload=z></svg>\n\n\
                  [a](javascript:x \"t\") ![i](x.png \"<script>\")\n\n\
                  <form><iframe></iframe></form>\n\n<style>*{}</style>";
        let html = email(md);
        let fragment = scraper::Html::parse_fragment(&html);
        let elements = fragment
            .root_element()
            .descendants()
            .filter_map(scraper::ElementRef::wrap);
        for element in elements {
            let element = element.value();
            assert!(
                !matches!(
                    element.name(),
                    "script" | "style" | "form" | "iframe" | "input"
                ),
                "{} in {html}",
                element.name()
            );
            for (name, _) in element.attrs() {
                assert!(!name.starts_with("on"), "{name} in {html}");
                assert!(!matches!(name, "id" | "class"), "{name} in {html}");
            }
        }
    }

    // Constructs outside the post's parse options, rendered sensibly all the same.

    #[test]
    fn extension_constructs_render_in_both_flavors() {
        use pulldown_cmark::{Options, Parser};
        let md = "---\ntitle: x\n---\n\nTerm\n: Def\n\nH ^2^ O ~i~ $x<y$\n\n> [!NOTE]\n> n";
        let options = Options::ENABLE_DEFINITION_LIST
            | Options::ENABLE_SUPERSCRIPT
            | Options::ENABLE_SUBSCRIPT
            | Options::ENABLE_MATH
            | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
            | Options::ENABLE_GFM;
        let events: Vec<Event<'static>> = Parser::new_ext(md, options)
            .map(Event::into_static)
            .collect();
        assert_eq!(
            render(&events, &RenderOptions::default(), Flavor::Web),
            "<dl>\n<dt>Term</dt>\n<dd>Def</dd>\n</dl>\n\
             <p>H <sup>2</sup> O <sub>i</sub> <span class=\"math math-inline\">x&lt;y</span></p>\n\
             <blockquote class=\"markdown-alert-note\">\n<p>n</p>\n</blockquote>"
        );
        assert_eq!(
            render(&events, &RenderOptions::default(), Flavor::Email),
            format!(
                "<dl style=\"{DL}\">\n<dt style=\"{DT}\">Term</dt>\n<dd style=\"{DD}\">Def</dd>\n</dl>\n\
                 <p style=\"{P}\">H <sup style=\"{SUP}\">2</sup> O <sub style=\"{SUB}\">i</sub> \
                 <span style=\"{CODE}\">x&lt;y</span></p>\n\
                 <blockquote style=\"{BLOCKQUOTE}\">\n<p style=\"{P}\">n</p>\n</blockquote>"
            )
        );
    }

    #[test]
    fn empty_input_renders_nothing() {
        assert_eq!(web(""), "");
        assert_eq!(email(""), "");
    }

    // The page as a browser sees it

    #[test]
    fn web_mixed_document_is_valid_html5() {
        let md = "# Title {.lead}\n\nIntro with *em*, **strong**, ~~del~~, `code`, a \
                  [link](https://e.com/?a=1&b=2 \"t\"), <https://e.com>, <me@e.com>, \
                  ![img *alt*](i.png \"T\"), <kbd>K</kbd> and a note[^1].  \nNext line.\n\n\
                  ## Title\n\n\
                  - [ ] todo\n- [x] done\n  1. nested\n\n  2. loose\n\n\
                  5. five\n6. six\n\n\
                  > quote\n>\n> > nested\n> - in quote\n\n\
                  ```html\n<p>a & b</p>\n```\n\n    indented <x>\n\n\
                  ---\n\n\
                  | L | C | R |\n|:--|:-:|--:|\n| *a* | `b` | [c](/c) |\n\n\
                  <div class=\"raw\">\n<p>raw</p>\n</div>\n\n\
                  Text & <3 and &lt;b&gt; again[^1] and[^2].\n\n\
                  [^1]: First note.\n\n[^2]: Second:\n\n    ```\n    code\n    ```\n";
        let body = web(md);
        let page = format!(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>t</title>\n</head>\n<body>\n<article>\n{body}\n</article>\n</body>\n</html>\n"
        );
        let parsed = scraper::Html::parse_document(&page);
        assert!(parsed.errors.is_empty(), "{:?}\n{page}", parsed.errors);
        assert!(!body.starts_with('\n') && !body.ends_with('\n'));
        assert!(!body.contains("\n\n"), "{body}");
    }

    #[test]
    fn degradations_are_what_the_output_shows() {
        let flavors = [
            (Flavor::Web, RawHtml::Keep),
            (Flavor::Web, RawHtml::Sanitize),
            (Flavor::Web, RawHtml::Text),
            (Flavor::Email, RawHtml::Keep),
            (Flavor::Email, RawHtml::Text),
        ];
        for (flavor, raw_html) in flavors {
            let opts = RenderOptions {
                raw_html,
                ..email_opts()
            };
            for construct in Construct::ALL {
                let out = render(&events(construct.sample()), &opts, flavor);
                let kept = match construct {
                    Construct::Table => out.contains("<table"),
                    Construct::HtmlBlock => {
                        out.contains("class=\"box\"") && out.contains("<script>")
                    }
                    Construct::InlineHtml => out.contains("<kbd>Ctrl</kbd>"),
                    Construct::LineBreakTag => out.contains("one<br>two"),
                    Construct::CodeSpan => out.contains("<code"),
                    Construct::Strikethrough => out.contains("<del"),
                    Construct::Image { alt: true } => out.contains("alt=\"A chart\""),
                    Construct::Image { alt: false } => out.contains("<img "),
                    Construct::HeadingAttributes => {
                        out.contains("id=\"setup\"") && out.contains("class=\"wide\"")
                    }
                    Construct::HeadingCustomAttributes => out.contains("data-x=\"1\""),
                    Construct::ListStart => out.contains("start=\"7\""),
                };
                assert_eq!(
                    degradation(flavor, raw_html, construct).is_none(),
                    kept,
                    "{flavor:?} {raw_html:?} {construct:?} renders as:\n{out}"
                );
            }
        }
    }
}
