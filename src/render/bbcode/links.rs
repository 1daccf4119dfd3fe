//! Links and images: `[url]`, `[email]` and `[img]`, or the text alone when unsafe.

use std::fmt::Write as _;

use pulldown_cmark::{Event, LinkType};

use crate::markdown::{is_safe_url, plain_text};

use super::Writer;
use super::escape::encode_url;

/// Where a link points once rewritten for the forum.
#[derive(Debug)]
pub(super) enum Target {
    Url(String),
    Email(String),
    /// Unsafe or meaningless on a forum: the link text alone is written.
    Text,
}

#[derive(Debug)]
pub(super) struct OpenLink {
    /// Where the link text starts in `out`; the text is taken back out at the link's end,
    /// because whether it equals the URL decides between `[url]…` and `[url=…]…`.
    pub(super) start: usize,
    pub(super) target: Target,
}

impl Writer<'_, '_> {
    pub(super) fn start_link(&mut self, link_type: LinkType, dest: &str) {
        let target = self.link_target(link_type, dest);
        // The owed separator belongs before the link, not inside the text taken back later.
        self.flush();
        self.links.push(OpenLink {
            start: self.out.len(),
            target,
        });
    }

    pub(super) fn end_link(&mut self) {
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

    pub(super) fn image(&mut self, dest: &str, alt: &[&Event<'static>]) {
        match self.opts.image_url(dest) {
            Some(url) => self.markup(&format!("[img]{}[/img]", encode_url(&url))),
            None => self.text(&plain_text(alt.iter().copied())),
        }
    }
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
