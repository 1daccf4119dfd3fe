//! Links and images: numbered references listed at the end, or URLs inline.

use pulldown_cmark::LinkType;
use textwrap::core::display_width;

use crate::render::LinkStyle;

use super::{GLUE, TextWriter};

/// An open inline tag whose end needs to know where its text began in `inline`.
pub(super) enum Span {
    Link(LinkSpan),
    Image { url: Option<String>, start: usize },
    Script(usize),
}

pub(super) struct LinkSpan {
    pub(super) url: Option<String>,
    pub(super) dest: String,
    pub(super) autolink: bool,
    pub(super) start: usize,
}

impl TextWriter<'_> {
    pub(super) fn start_link(&mut self, link_type: LinkType, dest: &str) {
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

    pub(super) fn end_link(&mut self) {
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

    pub(super) fn end_image(&mut self) {
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

    pub(super) fn write_link_list(&mut self) {
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
        self.emit(&lines);
    }
}
