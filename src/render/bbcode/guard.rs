//! The guard on a whole output: link and image tags to anything but the web or mail become text.

use std::ops::Range;

use super::escape::WORD_JOINER;

/// Makes every `[url=…]`, `[url]…[/url]` and `[img]…[/img]` of a rendered output whose URL
/// could run something (any scheme but http, https, and mailto for links) into text, with
/// a word joiner after its `[`, and returns those URLs. The body never writes one; this
/// holds whatever a template or a value it prints writes.
///
/// Linear in the output: the ends of the tags are found by searches that only move forward
/// (`Ahead`), and a URL is read only up to its first `[`, past which only the few marks
/// `is_web_link` asks for are looked up.
pub fn guard_links(bbcode: &str) -> (String, Vec<String>) {
    let mut out = String::with_capacity(bbcode.len());
    let mut dropped = Vec::new();
    let mut ahead = Ahead::default();
    let mut copied = 0;
    for (at, _) in bbcode.match_indices('[') {
        let Some((value, mail)) = tag_url(bbcode, at + 1, &mut ahead) else {
            continue;
        };
        if !is_web_link(bbcode, value.clone(), mail, &mut ahead) {
            out.push_str(&bbcode[copied..=at]);
            out.push(WORD_JOINER);
            copied = at + 1;
            dropped.push(reported_url(&bbcode[value]));
        }
    }
    out.push_str(&bbcode[copied..]);
    (out, dropped)
}

/// The longest part of a URL after its first `[` that is read when the `[` may lie in its
/// authority (an IPv6 address, a `[` in a user name): such a URL running on further is left
/// as text, since reading it again for every `[` inside it would be quadratic.
const BRACKETED_AUTHORITY_MAX: usize = 256;

/// A dropped URL as a warning names it: whole, or up to its first `[` and an ellipsis when
/// it runs on far past it (a run of tags in a code block would be named once per tag).
fn reported_url(url: &str) -> String {
    match url.find('[') {
        Some(at) if url.len() - at > BRACKETED_AUTHORITY_MAX => format!("{}…", &url[..at]),
        _ => url.to_string(),
    }
}

/// Where `guard_links` looks ahead in the output, for positions that only move forward.
#[derive(Default)]
struct Ahead {
    /// The `]` that ends a `[url=…]`.
    pub(super) bracket: Next,
    /// The `[/url]` and `[/img]` that end a `[url]…` and an `[img]…`.
    pub(super) url_end: Next,
    pub(super) img_end: Next,
    /// After a URL's first `[`: the end of a relative URL's head (`/`, `?`, `#`), of an
    /// http(s) URL's authority (those and `\`), and a `:` or `&`.
    pub(super) head_end: Next,
    pub(super) authority_end: Next,
    pub(super) mark: Next,
    /// The end of the last URL cut by a `[`, and where it ends once unquoted.
    pub(super) unquoted_end: Option<(usize, usize)>,
}

/// The first place at or after a position where a search finds something, remembered: the
/// same answer holds for every later position up to it, so when positions only move
/// forward, each part of the text is searched once.
#[derive(Default)]
struct Next {
    pub(super) from: usize,
    pub(super) found: Option<Option<usize>>,
}

impl Next {
    pub(super) fn find(
        &mut self,
        text: &str,
        from: usize,
        search: impl Fn(&str) -> Option<usize>,
    ) -> Option<usize> {
        match self.found {
            Some(found) if from >= self.from && found.is_none_or(|at| at >= from) => found,
            _ => {
                let found = search(&text[from..]).map(|at| from + at);
                (self.from, self.found) = (from, Some(found));
                found
            }
        }
    }
}

/// The place in `text` of the URL of the link or image tag opened by the `[` before
/// `after`, with whether a `mailto:` URL is fine there.
fn tag_url(text: &str, after: usize, ahead: &mut Ahead) -> Option<(Range<usize>, bool)> {
    let name = text.get(after..after + 4)?;
    let start = after + 4;
    if name.eq_ignore_ascii_case("url=") {
        let end = ahead.bracket.find(text, start, |rest| rest.find(']'))?;
        return Some((start..end, true));
    }
    let (closing, next, mail) = if name.eq_ignore_ascii_case("url]") {
        ("[/url]", &mut ahead.url_end, true)
    } else if name.eq_ignore_ascii_case("img]") {
        ("[/img]", &mut ahead.img_end, false)
    } else {
        return None;
    };
    let end = next.find(text, start, |rest| {
        crate::markdown::find_ignore_ascii_case(rest, closing)
    })?;
    Some((start..end, mail))
}

/// Whether the tag's URL at `url` in `text` is a web link (or a mail link, when `mail`) or
/// relative: nothing a forum would run. Relative URLs are left to `check`'s `relative-link`.
fn is_web_link(text: &str, url: Range<usize>, mail: bool, ahead: &mut Ahead) -> bool {
    let Some(cut) = text[url.clone()].find('[').map(|at| url.start + at) else {
        return is_web_url(unquote(&text[url]), mail);
    };
    // `unquote` strips the ends only and never a `[`, so each end is stripped on its own.
    let head = unquote(&text[url.start..=cut]);
    let head = &head[..head.len() - 1];
    let start = cut - head.len();
    let end = match ahead.unquoted_end {
        Some((raw, end)) if raw == url.end => end,
        _ => {
            let end = cut + unquote(&text[cut..url.end]).len();
            ahead.unquoted_end = Some((url.end, end));
            end
        }
    };
    // No scheme can hold a `[`: the URL's has to come before it.
    let Some((scheme, rest)) = head
        .split_once(':')
        .filter(|_| crate::markdown::starts_with_scheme(head))
    else {
        // As in `is_web_url`: the head (up to a `/`, `?` or `#`) holds no `:` or `&`.
        if let Some(at) = head.find(['/', '?', '#']) {
            return !head[..at].contains([':', '&']);
        }
        if head.contains([':', '&']) {
            return false;
        }
        let head_end = ahead
            .head_end
            .find(text, cut, |rest| rest.find(['/', '?', '#']));
        let mark = ahead.mark.find(text, cut, |rest| rest.find([':', '&']));
        return mark.is_none_or(|at| at >= head_end.map_or(end, |at| at.min(end)));
    };
    let special = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => true,
        "mailto" if mail => false,
        _ => return false,
    };
    // Only the scheme and the authority can make a URL fail to parse: when the authority
    // ends before the `[`, the URL up to it says; else the URL up to the authority's end.
    let parsed = if authority_ends_in(rest, special) {
        &text[start..cut]
    } else {
        let stops: &[char] = if special {
            &['/', '\\', '?', '#']
        } else {
            &['/', '?', '#']
        };
        let next = if special {
            &mut ahead.authority_end
        } else {
            &mut ahead.head_end
        };
        // With the character that ends the authority, which `Url::parse` does not trim.
        let authority_end = next
            .find(text, cut, |rest| rest.find(stops))
            .map_or(end, |at| (at + 1).min(end));
        if authority_end - cut > BRACKETED_AUTHORITY_MAX {
            return false;
        }
        &text[start..authority_end]
    };
    url::Url::parse(parsed).is_ok()
}

/// Whether the authority of a URL whose text after `scheme:` starts with `rest` ends within
/// `rest`, as `Url::parse` reads it: tabs and line breaks are skipped; a special scheme's
/// authority comes after any run of `/` and `\` and ends at one of those, `?` or `#`;
/// another scheme has an authority only after `//`, ending at `/`, `?` or `#`.
fn authority_ends_in(rest: &str, special: bool) -> bool {
    let mut chars = rest
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .peekable();
    if special {
        while chars.next_if(|&c| matches!(c, '/' | '\\')).is_some() {}
        chars.any(|c| matches!(c, '/' | '\\' | '?' | '#'))
    } else if chars.next() == Some('/') && chars.next() == Some('/') {
        chars.any(|c| matches!(c, '/' | '?' | '#'))
    } else {
        true
    }
}

/// `is_web_link` for a whole URL, unquoted.
fn is_web_url(url: &str, mail: bool) -> bool {
    if !crate::markdown::starts_with_scheme(url) {
        // A scheme hidden by characters inside it (`java\tscript:`) or by an entity
        // (`javascript&#58;`, `&#106;avascript:`) would be found by a forum that decodes
        // or cleans the value: a relative URL has no `:` or `&` before its path.
        let head = url.split(['/', '?', '#']).next().unwrap_or_default();
        return !head.contains([':', '&']);
    }
    url::Url::parse(url).is_ok_and(|u| match u.scheme() {
        "http" | "https" => true,
        "mailto" => mail,
        _ => false,
    })
}

/// A tag's URL without what forums strip around it: whitespace, control and zero-width
/// characters, and quotes, plain or as entities (`[url="…"]`, `[url=&quot;…&quot;]`).
fn unquote(url: &str) -> &str {
    const QUOTES: [&str; 7] = ["\"", "'", "&quot;", "&#34;", "&#39;", "&#x27;", "&apos;"];
    let blank = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
    };
    let mut url = url;
    loop {
        let before = url.len();
        url = url.trim_matches(blank);
        for quote in QUOTES {
            if let Some(rest) = strip_prefix_ignore_ascii_case(url, quote) {
                url = rest;
            }
            if let Some(rest) = strip_suffix_ignore_ascii_case(url, quote) {
                url = rest;
            }
        }
        if url.len() == before {
            return url;
        }
    }
}

fn strip_prefix_ignore_ascii_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

fn strip_suffix_ignore_ascii_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let at = text.len().checked_sub(suffix.len())?;
    let tail = text.get(at..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &text[..at])
}
