//! Raw HTML in a post reduced to text: tags, scripts and styles dropped, entities decoded,
//! block tags read as paragraph breaks.

/// Tags that end a paragraph when raw HTML is reduced to text.
const HTML_BLOCK_TAGS: &str = "address article aside blockquote br caption dd details div dl dt \
    figcaption figure footer h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary \
    table tbody td tfoot th thead tr ul";

/// Raw HTML as paragraphs of text, as a browser shows it: block-level tags (`<p>`,
/// `<div>`, `<li>`, `<br>` …) separate paragraphs, other tags are dropped, and each run of
/// whitespace reads as one space. For formats that cannot keep raw HTML.
pub fn html_paragraphs(raw: &str) -> Vec<String> {
    let mut marked = String::with_capacity(raw.len());
    for (i, piece) in raw.split('<').enumerate() {
        if i > 0 {
            let name = piece
                .strip_prefix('/')
                .unwrap_or(piece)
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if HTML_BLOCK_TAGS.split_whitespace().any(|tag| tag == name) {
                marked.push_str("\n\n");
            }
            marked.push('<');
        }
        marked.push_str(piece);
    }
    let text = strip_html(&marked);
    let mut paragraphs = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !words.is_empty() {
                paragraphs.push(words.join(" "));
                words.clear();
            }
            continue;
        }
        words.extend(
            line.split(|c: char| c.is_ascii_whitespace())
                .filter(|w| !w.is_empty()),
        );
    }
    paragraphs
}

/// Raw HTML reduced to its text: tags removed, `<script>`/`<style>` content dropped,
/// comments dropped, the common entities decoded.
pub fn strip_html(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if let Some(body) = rest.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        // Compared in place: lower-casing what is left of the HTML at every tag would make
        // a block of many tags quadratic.
        let skip_to = if starts_with_ignore_ascii_case(rest, "<script") {
            Some("</script")
        } else if starts_with_ignore_ascii_case(rest, "<style") {
            Some("</style")
        } else {
            None
        };
        if let Some(close) = skip_to {
            rest = match find_ignore_ascii_case(rest, close) {
                Some(at) => rest[at..].find('>').map_or("", |gt| &rest[at + gt + 1..]),
                None => "",
            };
            continue;
        }
        let looks_like_tag = rest[1..]
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        if !looks_like_tag {
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        rest = rest.find('>').map_or("", |gt| &rest[gt + 1..]);
    }
    out.push_str(rest);
    decode_entities(&out)
}

/// Whether `text` starts with `prefix` (ASCII, lower case), ignoring ASCII case.
pub fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Byte offset of the first `needle` (ASCII) in `hay`, ignoring ASCII case. The needle is
/// ASCII, so a match never starts inside a multi-byte character.
pub fn find_ignore_ascii_case(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Tracks an inline `<script>` or `<style>` whose content must be dropped. Inline raw HTML
/// arrives one tag per event, so the script's text comes as ordinary text events between
/// the opening and closing tags: formats that reduce raw HTML to text feed every inline tag
/// to `feed` and drop text while `active`.
#[derive(Debug, Default, Clone, Copy)]
pub struct ScriptSkip {
    close: Option<&'static str>,
}

impl ScriptSkip {
    /// Whether text is being dropped.
    pub fn active(self) -> bool {
        self.close.is_some()
    }

    /// Feeds one inline HTML tag. Returns `true` when the tag belongs to a dropped element
    /// (it opened one, closed one, or came inside one) and must not be written.
    pub fn feed(&mut self, html: &str) -> bool {
        let lower = html.to_ascii_lowercase();
        if let Some(close) = self.close {
            if lower.contains(close) {
                self.close = None;
            }
            return true;
        }
        for (name, close) in [("script", "</script"), ("style", "</style")] {
            if opens_element(&lower, name) {
                if !lower.contains(close) {
                    self.close = Some(close);
                }
                return true;
            }
        }
        false
    }

    /// Stops dropping: an unclosed inline `<script>` must not swallow later blocks.
    pub fn reset(&mut self) {
        self.close = None;
    }
}

/// Whether lower-cased `html` starts with an opening `<name` tag (not `<names…`).
pub fn opens_element(html: &str, name: &str) -> bool {
    html.trim_start()
        .strip_prefix('<')
        .and_then(|rest| rest.strip_prefix(name))
        .is_some_and(|rest| rest.starts_with(|c: char| c == '>' || c == '/' || c.is_whitespace()))
}

/// Decodes the HTML entities writers actually type in Markdown.
fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        // Looked for among the first 12 bytes, which may end inside a character: `;` is
        // ASCII, so where it is found is a character boundary.
        let Some(semi) = rest.bytes().take(12).position(|b| b == b';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..semi];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some('\u{a0}'),
            "mdash" => Some('—'),
            "ndash" => Some('–'),
            "hellip" => Some('…'),
            "copy" => Some('©'),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_html_drops_tags_scripts_and_comments() {
        assert_eq!(
            strip_html("<p>Hi <b>there</b><script>alert(1)</script><!-- x --> &amp; bye</p>"),
            "Hi there & bye"
        );
        assert_eq!(strip_html("a < b"), "a < b");
    }

    #[test]
    fn strip_html_finds_script_ends_in_any_case_after_multibyte_text() {
        assert_eq!(strip_html("<ScRiPt>x</SCRIPT >é<b>é</b>"), "éé");
        assert_eq!(strip_html("<STYLE>p{}</style>ok"), "ok");
        assert_eq!(strip_html("<script>never closed"), "");
        // A tag whose eighth byte falls inside a character.
        assert_eq!(strip_html("<abcdefé>x<scrîpt>y"), "xy");
    }

    #[test]
    fn entities_followed_by_multibyte_text_decode_without_panicking() {
        // Found by fuzzing (`<p>&mp;` then three invalid bytes, read as U+FFFD): the
        // 12-byte window for the entity's `;` ended inside a character.
        assert_eq!(
            strip_html("<p>&mp;\u{fffd}\u{fffd}\u{fffd}"),
            "&mp;\u{fffd}\u{fffd}\u{fffd}"
        );
        assert_eq!(decode_entities("&mp;aéééé"), "&mp;aéééé");
        assert_eq!(decode_entities("&amp;éééé &#xe9;"), "&éééé é");
        assert_eq!(decode_entities("&ééééééé;"), "&ééééééé;");
    }
}
