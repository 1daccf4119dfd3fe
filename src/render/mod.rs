//! Body formats: one renderer per format over the post's parsed events.
//!
//! Every renderer is a small writer shaped like pulldown-cmark's own `html.rs`: a struct that
//! holds the output and a little state, with `start_tag` / `end_tag` and exhaustive matches.
//! This file holds what the formats share: the `Format` itself and the options a render
//! takes (link rewriting included); the helpers over events, raw HTML and URLs they use
//! are in `crate::markdown`, below the post model.

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
pub use portable::rewrites_any;

use std::fmt;

use pulldown_cmark::Event;

use crate::markdown::{NoteNumbers, add_query, has_scheme, is_safe_url};

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

impl Format {
    /// `opts` with the settings that cannot change this format's render of a post set to
    /// their defaults, so that renders bound to come out the same share one cache entry:
    /// `hugo.md` and `discourse.md` of a post without footnotes or raw HTML were rendered
    /// twice, a third of the markdown format's CPU. `rewritable` is
    /// `portable::rewrites_any` of the post's events.
    pub fn effective_options(
        self,
        opts: &RenderOptions,
        rewritable: bool,
    ) -> std::borrow::Cow<'_, RenderOptions> {
        match self {
            Format::Markdown if !rewritable => std::borrow::Cow::Owned(RenderOptions {
                footnotes: FootnoteStyle::default(),
                raw_html: RawHtml::default(),
                ..opts.clone()
            }),
            Format::Markdown | Format::Html | Format::Email | Format::Text | Format::Bbcode => {
                std::borrow::Cow::Borrowed(opts)
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
    /// Where the post's own images are for this venue, by destination as written.
    pub media: crate::media::MediaRefs,
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
            media: crate::media::MediaRefs::default(),
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
        if let Some(local) = self.media.get(url) {
            return Some(std::borrow::Cow::Owned(local.url.clone()));
        }
        self.resolve(url, false)
    }

    /// The size to show an image at, when it is one of the post's own (read from the file).
    pub fn image_size(&self, url: &str) -> Option<(u32, u32)> {
        self.media.get(url).map(|image| (image.width, image.height))
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

/// Plain text escaped for Markdown; see `markdown::escape`.
pub fn escape_markdown(text: &str) -> String {
    markdown::escape(text)
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
}
