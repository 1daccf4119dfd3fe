//! Escaping text, attribute values and URLs for HTML.
//!
//! The escapers follow `pulldown_cmark_escape`, which this crate cannot name: it is only a
//! dependency of pulldown-cmark, and pulldown-cmark 0.13 does not re-export it.

/// Text content: `&`, `<`, `>` (as `escape_html_body_text`).
pub(super) fn escape_body(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
}

/// `&`, `<`, `>`, `"` and `'` escaped (as `escape_html`), for HTML text and double- or
/// single-quoted attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

/// A double-quoted attribute value.
pub(super) fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_html(text, &mut out);
    out
}

/// A URL as a double-quoted attribute value (as `escape_href`): bytes outside the URL-safe
/// set percent-encoded, `&` and `'` as entities. The result is already attribute-safe;
/// escaping it again as text would turn every `&amp;` between query parameters into
/// `&amp;amp;`.
pub(super) fn escape_href(url: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(url.len());
    for byte in url.bytes() {
        match byte {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            b'!'
            | b'#'..=b'%'
            | b'('..=b';'
            | b'='
            | b'?'..=b'Z'
            | b'^'
            | b'_'
            | b'a'..=b'z'
            | b'~' => {
                out.push(char::from(byte));
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
    out
}
