//! Links and images: resolved, escaped, and left as text when unsafe.

use pulldown_cmark::{Event, LinkType};

use crate::markdown::plain_text;

use super::escape::{escape_attr, escape_href};
use super::style::{A, IMG};
use super::{Flavor, Writer, close_index};

impl Writer<'_> {
    pub(super) fn link(&mut self, link_type: LinkType, dest: &str, title: &str) {
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
    pub(super) fn image(&mut self, dest: &str, title: &str, rest: &[&Event<'static>]) -> usize {
        let end = close_index(rest);
        let alt = plain_text(rest[..end].iter().copied());
        match self.opts.image_url(dest) {
            None => self.text(&alt),
            Some(src) => {
                let src = escape_href(&src);
                let alt = escape_attr(&alt);
                let title = escape_attr(title);
                let mut attrs = vec![("src", &*src), ("alt", &*alt)];
                // The post's own images have their size read from the file: the page keeps
                // their room while they load, and Outlook (which ignores max-width) shows
                // them no wider than the venue's `image_width`.
                let size = self
                    .opts
                    .image_size(dest)
                    .map(|(w, h)| (w.to_string(), h.to_string()));
                if let Some((width, height)) = &size {
                    attrs.push(("width", width));
                    attrs.push(("height", height));
                }
                match self.flavor {
                    Flavor::Web => {
                        if !title.is_empty() {
                            attrs.push(("title", &title));
                        }
                        attrs.push(("loading", "lazy"));
                    }
                    // A fixed width for Outlook, which ignores max-width.
                    Flavor::Email if size.is_none() => attrs.push(("width", "560")),
                    Flavor::Email => {}
                }
                self.open("img", &attrs, IMG);
            }
        }
        (end + 1).min(rest.len())
    }
}

fn has_mailto(dest: &str) -> bool {
    dest.get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("mailto:"))
}
