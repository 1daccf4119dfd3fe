//! What the body formats cannot show as written: the constructs of a post that some format
//! degrades or drops, found in the events, and each format's own account of what it does
//! with them (a `degradation` function at the end of each renderer, held to its output by
//! a test there). `check` reports from these, so the report says what the renderers do.

use pulldown_cmark::{Event, Tag};

use super::{Format, RawHtml, html};
use crate::markdown::{matching_end, plain_text};

/// A construct some body format cannot show as written. Only what the post parse can
/// produce (CommonMark with tables, footnotes, strikethrough, task lists, heading
/// attributes) is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Construct {
    /// A pipe table.
    Table,
    /// A raw HTML block (not only comments).
    HtmlBlock,
    /// An inline raw HTML tag other than `<br>` and comments.
    InlineHtml,
    /// An inline `<br>` tag.
    LineBreakTag,
    /// `` `inline code` ``.
    CodeSpan,
    /// `~~struck~~` text.
    Strikethrough,
    /// An image that will be shown (its URL is safe); `alt` when it has alt text.
    Image {
        /// Whether the image has alt text.
        alt: bool,
    },
    /// A heading with `{#id .class}` attributes and no others.
    HeadingAttributes,
    /// A heading with an attribute other than id and class (`{key=value}`, `{onfocus=…}`):
    /// live markup wherever it is kept, so kept only where raw HTML is.
    HeadingCustomAttributes,
    /// A numbered list that does not start at 1.
    ListStart,
}

impl Construct {
    /// Every construct, for tests that hold each format to its account.
    #[cfg(test)]
    pub const ALL: [Construct; 11] = [
        Construct::Table,
        Construct::HtmlBlock,
        Construct::InlineHtml,
        Construct::LineBreakTag,
        Construct::CodeSpan,
        Construct::Strikethrough,
        Construct::Image { alt: true },
        Construct::Image { alt: false },
        Construct::HeadingAttributes,
        Construct::HeadingCustomAttributes,
        Construct::ListStart,
    ];

    /// A small post holding the construct, for those tests.
    #[cfg(test)]
    pub fn sample(self) -> &'static str {
        match self {
            Construct::Table => "| a | b |\n|---|---|\n| 1 | 2 |\n",
            Construct::HtmlBlock => {
                "<div class=\"box\">\n<p>Hi <em>there</em></p>\n<script>steal()</script>\n</div>\n"
            }
            Construct::InlineHtml => "Press <kbd>Ctrl</kbd> now.\n",
            Construct::LineBreakTag => "one<br>two\n",
            Construct::CodeSpan => "Call `run()` now.\n",
            Construct::Strikethrough => "It was ~~free~~ cheap.\n",
            Construct::Image { alt: true } => "![A chart](https://example.com/c.png)\n",
            Construct::Image { alt: false } => "![](https://example.com/c.png)\n",
            Construct::HeadingAttributes => "## Setup {#setup .wide}\n\nText.\n",
            Construct::HeadingCustomAttributes => "## Setup {#setup .wide data-x=1}\n\nText.\n",
            Construct::ListStart => "7. seven\n8. eight\n",
        }
    }
}

/// How much a degradation costs the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Impact {
    /// Something the writer wrote is gone or reads differently: a warning.
    Lost,
    /// Shown another way, nothing of substance lost: a note.
    Changed,
}

/// What a format does to a construct it cannot show as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Degradation {
    /// How much it costs.
    pub impact: Impact,
    /// What happens, as the end of a sentence such as `line 41: … in forum`.
    pub what: &'static str,
}

impl Degradation {
    /// Something is lost.
    pub const fn lost(what: &'static str) -> Option<Degradation> {
        Some(Degradation {
            impact: Impact::Lost,
            what,
        })
    }

    /// Shown another way.
    pub const fn changed(what: &'static str) -> Option<Degradation> {
        Some(Degradation {
            impact: Impact::Changed,
            what,
        })
    }
}

impl Format {
    /// What this format does to `construct` (with the header's `raw_html` handling);
    /// `None` when it shows it as written.
    pub fn degradation(self, construct: Construct, raw_html: RawHtml) -> Option<Degradation> {
        match self {
            Format::Html => html::degradation(html::Flavor::Web, raw_html, construct),
            Format::Email => html::degradation(html::Flavor::Email, raw_html, construct),
            Format::Text => super::text::degradation(construct),
            Format::Bbcode => super::bbcode::degradation(construct),
            Format::Markdown => super::markdown::degradation(raw_html, construct),
        }
    }
}

/// Every construct in `events`, with the index of the event it starts at, in order.
pub fn constructs(events: &[Event<'_>]) -> Vec<(usize, Construct)> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let construct = match &events[i] {
            Event::Start(Tag::Table(_)) => Some(Construct::Table),
            Event::Start(Tag::HtmlBlock) => {
                let mut raw = String::new();
                for event in inner(events, i) {
                    if let Event::Html(html) = event {
                        raw.push_str(html);
                    }
                }
                (!is_comment(&raw)).then_some(Construct::HtmlBlock)
            }
            Event::InlineHtml(tag) if is_comment(tag) => None,
            Event::InlineHtml(tag) if is_line_break(tag) => Some(Construct::LineBreakTag),
            Event::InlineHtml(_) => Some(Construct::InlineHtml),
            Event::Code(_) => Some(Construct::CodeSpan),
            Event::Start(Tag::Strikethrough) => Some(Construct::Strikethrough),
            Event::Start(Tag::Image { dest_url, .. }) if crate::markdown::is_safe_url(dest_url) => {
                let alt = plain_text(inner(events, i));
                Some(Construct::Image {
                    alt: !alt.trim().is_empty(),
                })
            }
            Event::Start(Tag::Heading { attrs, .. })
                if attrs.iter().any(|(key, _)| !is_plain_attribute(key)) =>
            {
                Some(Construct::HeadingCustomAttributes)
            }
            Event::Start(Tag::Heading {
                id, classes, attrs, ..
            }) if id.is_some() || !classes.is_empty() || !attrs.is_empty() => {
                Some(Construct::HeadingAttributes)
            }
            Event::Start(Tag::List(Some(start))) if *start != 1 => Some(Construct::ListStart),
            _ => None,
        };
        if let Some(construct) = construct {
            found.push((i, construct));
        }
        i += 1;
    }
    found
}

/// What a finding about the construct at `event` adds to the format's account: the
/// attributes a heading loses, named (`\`autofocus\`, \`onfocus\``).
pub fn detail(construct: Construct, event: &Event<'_>) -> Option<String> {
    match (construct, event) {
        (Construct::HeadingCustomAttributes, Event::Start(Tag::Heading { attrs, .. })) => {
            let names: Vec<String> = attrs
                .iter()
                .filter(|(key, _)| !is_plain_attribute(key))
                .map(|(key, _)| format!("`{key}`"))
                .collect();
            Some(names.join(", "))
        }
        _ => None,
    }
}

/// Whether a heading attribute is one that styles or anchors and never runs anything
/// (`id`, `class`): the only ones an HTML format keeps where raw HTML is not kept.
pub fn is_plain_attribute(key: &str) -> bool {
    key.eq_ignore_ascii_case("id") || key.eq_ignore_ascii_case("class")
}

/// The events inside the tag that starts at `start` (none in an unbalanced slice).
fn inner<'s, 'e>(events: &'s [Event<'e>], start: usize) -> &'s [Event<'e>] {
    events
        .get(start + 1..matching_end(events, start))
        .unwrap_or_default()
}

/// Whether raw HTML is only comments and whitespace: invisible by design everywhere.
fn is_comment(raw: &str) -> bool {
    let mut rest = raw.trim_start();
    while let Some(body) = rest.strip_prefix("<!--") {
        match body.find("-->") {
            Some(end) => rest = body[end + 3..].trim_start(),
            None => return false,
        }
    }
    rest.is_empty()
}

/// Whether an inline tag is `<br>` (`<br/>`, `<BR >`…).
pub fn is_line_break(tag: &str) -> bool {
    crate::markdown::opens_element(&tag.to_ascii_lowercase(), "br")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(md: &str) -> Vec<Construct> {
        constructs(&crate::markdown::parse::events(md))
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    #[test]
    fn each_sample_holds_its_construct() {
        for construct in Construct::ALL {
            assert!(
                found(construct.sample()).contains(&construct),
                "{construct:?}: {:?}",
                found(construct.sample())
            );
        }
    }

    #[test]
    fn comments_and_plain_markdown_are_not_constructs() {
        assert_eq!(
            found("<!-- hidden -->\n\nText <!-- x --> *em* **b**.\n"),
            []
        );
        assert_eq!(found("1. one\n2. two\n\n## Plain\n"), []);
    }

    #[test]
    fn heading_attributes_beyond_id_and_class_are_named() {
        let events =
            crate::markdown::parse::events("## Hi {#a .b autofocus onfocus=alert(1) class=c}\n");
        assert_eq!(
            constructs(&events),
            [(0, Construct::HeadingCustomAttributes)]
        );
        assert_eq!(
            detail(Construct::HeadingCustomAttributes, &events[0]).as_deref(),
            Some("`autofocus`, `onfocus`")
        );
        assert_eq!(
            found("## Hi {#a .b class=c id=d}\n"),
            [Construct::HeadingAttributes]
        );
    }

    #[test]
    fn images_with_unsafe_urls_are_left_to_the_link_checks() {
        assert_eq!(found("![x](javascript:alert(1))\n"), []);
    }
}
