//! Escaping text, attribute values and URLs for HTML.
//!
//! The escapers follow `pulldown_cmark_escape`, which this crate cannot name: it is only a
//! dependency of pulldown-cmark, and pulldown-cmark 0.13 does not re-export it.

/// Text content: `&`, `<`, `>` (as `escape_html_body_text`).
pub(super) fn escape_body(out: &mut String, text: &str) {
    escape_bytes(out, text, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        _ => None,
    });
}

/// `&`, `<`, `>`, `"` and `'` escaped (as `escape_html`), for HTML text and double- or
/// single-quoted attribute values.
pub fn escape_html(text: &str, out: &mut String) {
    escape_bytes(out, text, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    });
}

/// Appends `text` to `out`, each ASCII byte `entity` names replaced by its entity, the runs
/// between copied whole: pushing character by character was 3% of `build`'s CPU.
fn escape_bytes(out: &mut String, text: &str, entity: impl Fn(u8) -> Option<&'static str>) {
    let mut copied = 0;
    for (at, &b) in text.as_bytes().iter().enumerate() {
        if let Some(entity) = entity(b) {
            out.push_str(&text[copied..at]);
            out.push_str(entity);
            copied = at + 1;
        }
    }
    out.push_str(&text[copied..]);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn runs_copied_whole_escape_as_character_by_character(text in "[a é中&<>\"'\n;#]{0,24}") {
            let by_char = |names: &[(char, &str)]| {
                let mut out = String::new();
                for c in text.chars() {
                    match names.iter().find(|(n, _)| *n == c) {
                        Some((_, entity)) => out.push_str(entity),
                        None => out.push(c),
                    }
                }
                out
            };
            let body = [('&', "&amp;"), ('<', "&lt;"), ('>', "&gt;")];
            let mut out = String::from("x");
            escape_body(&mut out, &text);
            prop_assert_eq!(&out[1..], by_char(&body));
            let html = [body[0], body[1], body[2], ('"', "&quot;"), ('\'', "&#39;")];
            let mut out = String::from("x");
            escape_html(&text, &mut out);
            prop_assert_eq!(&out[1..], by_char(&html));
        }
    }
}
