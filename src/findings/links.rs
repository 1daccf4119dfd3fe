//! The post's own doubtful links, images and footnotes, whatever the venue: relative URLs
//! no venue can make absolute, empty URLs, script URLs the renderers refuse, images
//! without alt text, footnotes defined twice; and the links an output's format left as text.

use std::collections::HashMap;

use pulldown_cmark::{Event, LinkType, Tag};

use crate::config::Site;
use crate::markdown::{has_scheme, is_safe_url, matching_end, plain_text};
use crate::post::Post;
use crate::venue::Rendered;

use super::{Diagnostic, Level};

/// Longest link text or URL quoted in a message, in characters.
const QUOTE_CHARS: usize = 48;

/// Findings about the links, images and footnotes of the post.
pub(super) fn diagnose(post: &Post, site: &Site) -> Vec<Diagnostic> {
    // Relative URLs are resolved against the canonical URL, so they only stay relative
    // when there is none.
    let has_base = post.canonical_url(site.url()).is_some();
    let mut out = Vec::new();
    let mut footnotes: HashMap<&str, Option<usize>> = HashMap::new();
    let events = &post.events;
    for (i, event) in events.iter().enumerate() {
        let warn = |code: &'static str, message: String| Diagnostic {
            level: Level::Warning,
            code,
            line: post.line_of(i),
            venue: None,
            file: None,
            message,
        };
        match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                // An email autolink's destination is the bare address, not a relative URL.
                if *link_type == LinkType::Email {
                    continue;
                }
                let text = quote(&plain_text(inner(events, i)));
                out.extend(check_url(dest_url, has_base, "link", &text).map(|(c, m)| warn(c, m)));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let alt = plain_text(inner(events, i));
                // The post's own files are linked under the media URL (`findings::media`).
                let local = post.media.get(dest_url).is_some();
                let found = check_url(dest_url, has_base || local, "image", &quote(&alt));
                if found.is_none() && alt.trim().is_empty() {
                    out.push(warn(
                        "missing-alt",
                        format!(
                            "image `{}` has no alt text: screen readers and the plain-text newsletter cannot describe it",
                            quote(dest_url)
                        ),
                    ));
                }
                out.extend(found.map(|(c, m)| warn(c, m)));
            }
            Event::Start(Tag::FootnoteDefinition(label)) => {
                // Keyed as the renderers' `split_footnotes` keys them, which keeps the first.
                match footnotes.get(&**label) {
                    Some(first) => out.push(warn(
                        "duplicate-footnote",
                        format!(
                            "footnote `[^{label}]` is defined again; only its first definition{} is used",
                            first.map_or(String::new(), |l| format!(" (line {l})"))
                        ),
                    )),
                    None => {
                        footnotes.insert(label, post.line_of(i));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The events inside the tag that starts at `start`.
fn inner<'e>(events: &'e [Event<'static>], start: usize) -> &'e [Event<'static>] {
    events
        .get(start + 1..matching_end(events, start))
        .unwrap_or_default()
}

/// What is wrong with a link's or image's URL, if anything: `(code, message)`.
fn check_url(url: &str, has_base: bool, what: &str, text: &str) -> Option<(&'static str, String)> {
    if url.trim().is_empty() {
        return Some((
            "empty-link",
            format!("{what} `{text}` has an empty URL; give it one or remove the {what}"),
        ));
    }
    if !is_safe_url(url) {
        let scheme = url
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        let shown = if what == "image" {
            "its alt text"
        } else {
            "its text"
        };
        return Some((
            "unsafe-url",
            format!("{what} to a `{scheme}:` URL shown as {shown} only, in every venue"),
        ));
    }
    if !has_base && !has_scheme(url) {
        return Some((
            "relative-link",
            format!(
                "relative {what} `{}` stays relative outside the blog: set `site.url` in repurpose.yaml or `canonical_url` in the front matter",
                quote(url)
            ),
        ));
    }
    None
}

/// A warning for each link or image an output's format left as text (a BBCode
/// `[url=javascript:…]` that a template or a value it printed wrote, an `ftp:` link),
/// naming the file.
pub(super) fn dropped(outputs: &[Rendered]) -> Vec<Diagnostic> {
    outputs
        .iter()
        .flat_map(|rendered| {
            rendered.dropped_links.iter().map(|url| Diagnostic {
                level: Level::Warning,
                code: "unsafe-url",
                line: None,
                venue: Some(rendered.venue.clone()),
                file: Some(rendered.file.clone()),
                message: format!(
                    "link to `{}` in {} is not an http(s) URL: left as text",
                    quote(url),
                    rendered.file
                ),
            })
        })
        .collect()
}

/// Text for a message: on one line, cut at `QUOTE_CHARS` characters.
fn quote(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= QUOTE_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(QUOTE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}
