//! Raw HTML the writer typed: kept, sanitized or reduced to text, by flavor and `raw_html`.

use crate::markdown::{html_paragraphs, strip_html};
use crate::render::RawHtml;

use super::escape::escape_body;
use super::style::P;
use super::{Flavor, Writer};

impl Writer<'_> {
    /// What happens to raw HTML here: as the options say, but never verbatim in email.
    pub(super) fn raw_mode(&self) -> RawHtml {
        match (self.flavor, self.opts.raw_html) {
            (Flavor::Email, RawHtml::Keep) => RawHtml::Sanitize,
            (_, mode) => mode,
        }
    }

    /// Raw HTML: verbatim on the web by default, as CommonMark does; otherwise blocks are
    /// collected (to be sanitised or reduced at their end) and inline tags become text.
    pub(super) fn raw_html(&mut self, html: &str, block: bool) {
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
        if crate::render::loss::is_line_break(html) {
            self.open("br", &[], "");
        } else {
            escape_body(&mut self.out, &strip_html(html));
        }
    }

    pub(super) fn end_html_block(&mut self) {
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
