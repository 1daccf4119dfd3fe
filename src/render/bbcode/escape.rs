//! Escaping: text from the post, and values from outside it, made safe to place in BBCode.

use std::fmt::Write as _;

/// Invisible, zero-width, and not a tag-name character: see [`escape_text`].
pub(super) const WORD_JOINER: char = '\u{2060}';

/// Plain text (a title, a tag) made safe to place in BBCode markup; see `escape_text`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    escape_text(text, &mut out);
    out
}

/// Makes text from the post safe to place in BBCode.
///
/// BBCode has no escape character (`\[b]` still bolds) and phpBB shows entities such as
/// `&#91;` as typed rather than decoding them, so there is no portable way to write a
/// literal tag. Instead U+2060
/// WORD JOINER goes right after every `[` that would start a tag name (`[b]`, `[/url]`,
/// `[*]`): it is invisible and zero-width, but it is not a tag-name character, so the
/// parser no longer sees a tag. `[1]` or `[ ]` can't be tags and stay untouched.
///
/// A tag can also be formed across two writes (inline code ending in `[` followed by text
/// starting with `b]`), so the end of `out` is checked too.
pub(super) fn escape_text(s: &str, out: &mut String) {
    if (out.ends_with('[') && starts_tag_name(s))
        || (out.ends_with("[/") && s.starts_with(is_tag_name_start))
    {
        out.push(WORD_JOINER);
    }
    let mut rest = s;
    while let Some(at) = rest.find('[') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if starts_tag_name(rest) {
            out.push(WORD_JOINER);
        }
    }
    out.push_str(rest);
}

/// Whether text right after a `[` would make it a tag: an optional `/`, then a name.
fn starts_tag_name(after_bracket: &str) -> bool {
    let name = after_bracket.strip_prefix('/').unwrap_or(after_bracket);
    name.starts_with(is_tag_name_start)
}

fn is_tag_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '*'
}

/// Puts a word joiner after the `[` of every `[/code` (any case), the one sequence that
/// would close a `[code]` block early.
pub(super) fn neutralise_code_end(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    for (i, c) in code.char_indices() {
        out.push(c);
        let closes = code
            .get(i + 1..i + 6)
            .is_some_and(|next| next.eq_ignore_ascii_case("/code"));
        if c == '[' && closes {
            out.push(WORD_JOINER);
        }
    }
    out
}

/// Makes a URL unable to end the tag it sits in: `]` would close `[url=…]`, `[` could open
/// a tag inside `[url]…[/url]`, and spaces or quotes confuse attribute parsing. All are
/// percent-encoded, which leaves the URL's meaning unchanged.
pub(super) fn encode_url(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if matches!(c, '[' | ']' | '"') || c.is_whitespace() || c.is_control() {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "%{byte:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A value from outside the body (`post.canonical_url`, a `site:` or front-matter value)
/// made safe to print in a BBCode template: an http(s) URL percent-encoded like the body's
/// links (`encode_url`), so it can neither end the `[url=…]` it sits in nor open a tag;
/// anything else escaped as text.
pub fn escape_value(text: &str) -> String {
    if url::Url::parse(text).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
        encode_url(text)
    } else {
        escape(text)
    }
}
