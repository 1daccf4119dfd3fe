//! The `html` and `email` body formats.
//!
//! One writer serves both: the markup is the same shape, and the email flavor differs only in
//! a few places — inline styles instead of classes and ids (mail clients drop `<style>` and
//! break in-page anchors), text stand-ins for checkboxes, and raw HTML reduced to text
//! (a newsletter must never carry the author's scripts or forms).

mod blocks;
mod escape;
mod footnotes;
mod links;
mod markup;
mod raw;
mod style;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Alignment, Event, Tag, TagEnd};

pub use escape::escape_html;

use super::{Construct, Degradation, RawHtml, RenderOptions};
use crate::markdown::{Footnotes, ScriptSkip, is_inline, shifted_level, split_footnotes};
use blocks::{alert_class, heading_ids};
use style::{BLOCKQUOTE, DD, DEL, DL, DT, EM, HR, LI, P, STRONG, SUB, SUP, TABLE};

/// Which HTML the renderer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// A web page: classes, heading ids, raw HTML kept.
    Web,
    /// Mail clients: inline styles, absolute URLs, raw HTML reduced to text.
    Email,
}

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
}

/// Index in `rest` of the `End` closing a tag opened just before it (`rest.len()` if none).
/// A private twin of `crate::markdown::matching_end`, which takes owned events, not references.
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
