//! Links, images and autolinks: destinations and titles spelled so they parse back whole.

use pulldown_cmark::{Event, LinkType};

use super::escape::starts_reference;
use super::inline::Last;
use super::{Events, Writer};

impl Writer<'_> {
    pub(super) fn link_start(
        &mut self,
        link_type: LinkType,
        dest: &str,
        title: &str,
        events: &Events<'_>,
        i: usize,
    ) -> usize {
        self.ensure_inline();
        let target = match link_type {
            LinkType::Email => format!("mailto:{dest}"),
            LinkType::Inline
            | LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown
            | LinkType::Autolink
            | LinkType::WikiLink { .. } => dest.to_string(),
        };
        let Some(url) = self.opts.url(&target) else {
            self.links.push(None);
            return i + 1;
        };
        let end = self.index.end(i);
        if title.is_empty()
            && let Some(auto) = autolink(&url, &events[i + 1..end])
        {
            self.put(&auto, Last::Other);
            return end + 1;
        }
        self.protect_bang();
        self.put("[", Last::Other);
        self.links.push(Some(closing(&url, title)));
        i + 1
    }

    /// A `!` that text ends with would turn the `[` about to follow into an image.
    pub(super) fn protect_bang(&mut self) {
        if let Some(run) = &mut self.inline
            && matches!(run.last, Last::Text { .. })
            && run.buf.ends_with('!')
        {
            run.buf.insert(run.buf.len() - 1, '\\');
        }
    }

    pub(super) fn image_start(&mut self, dest: &str, title: &str) {
        match self.opts.image_url(dest) {
            Some(url) => {
                self.put("![", Last::Other);
                self.links.push(Some(closing(&url, title)));
            }
            None => {
                self.ensure_inline();
                self.links.push(None);
            }
        }
    }
}

/// `<url>` when a link shows exactly its own URL and that URL is valid autolink syntax.
pub(super) fn autolink(url: &str, inner: &Events<'_>) -> Option<String> {
    let [Event::Text(text)] = inner else {
        return None;
    };
    let text: &str = text;
    let is_uri = text == url && is_absolute_uri(text);
    let is_email = url.strip_prefix("mailto:") == Some(text) && is_email(text);
    (is_uri || is_email).then(|| format!("<{text}>"))
}

fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !rest
            .chars()
            .any(|c| c.is_ascii_whitespace() || c.is_control() || matches!(c, '<' | '>'))
}

fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c))
        && !domain.is_empty()
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// What closes a link or image: `](url "title")`.
fn closing(url: &str, title: &str) -> String {
    let mut out = String::with_capacity(url.len() + title.len() + 5);
    out.push_str("](");
    push_target(url, title, &mut out);
    out.push(')');
    out
}

/// `url "title"` for inside `(…)`.
fn push_target(url: &str, title: &str, out: &mut String) {
    push_destination(url, out);
    if !title.is_empty() {
        out.push_str(" \"");
        let chars: Vec<char> = title.chars().collect();
        for (k, &c) in chars.iter().enumerate() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '&' if starts_reference(chars[k + 1..].iter().copied()) => out.push_str("\\&"),
                // A line break inside a title could let the next line start a block.
                '\n' => out.push_str("&#10;"),
                '\r' => out.push_str("&#13;"),
                _ => out.push(c),
            }
        }
        out.push('"');
    }
}

/// A link destination: bare when that is unambiguous, else in angle brackets.
fn push_destination(url: &str, out: &mut String) {
    // Every character that matters here is ASCII but the C1 controls: the bytes are read,
    // and the characters only of a URL that has others. The runs between characters to
    // escape are copied whole: a URL copied out as characters, then written one by one,
    // cost 0.8% of `build`'s instructions more.
    let bytes = url.as_bytes();
    let bare = !url.is_empty()
        && !bytes
            .iter()
            .any(|&b| b.is_ascii_whitespace() || b.is_ascii_control() || matches!(b, b'<' | b'>'))
        && (url.is_ascii() || !url.chars().any(char::is_control))
        && parens_balanced(url);
    if !bare {
        out.push('<');
    }
    let mut copied = 0;
    while let Some(found) = bytes[copied..]
        .iter()
        .position(|b| matches!(b, b'\\' | b'<' | b'>' | b'&' | b'\n' | b'\r'))
    {
        let at = copied + found;
        out.push_str(&url[copied..at]);
        out.push_str(match bytes[at] {
            b'\\' => "\\\\",
            b'<' => "\\<",
            b'>' => "\\>",
            b'&' if starts_reference(url[at + 1..].chars()) => "\\&",
            b'\n' => "%0A",
            b'\r' => "%0D",
            _ => &url[at..=at],
        });
        copied = at + 1;
    }
    out.push_str(&url[copied..]);
    if !bare {
        out.push('>');
    }
}

fn parens_balanced(url: &str) -> bool {
    let mut depth = 0usize;
    for b in url.bytes() {
        match b {
            b'(' => depth += 1,
            b')' if depth == 0 => return false,
            b')' => depth -= 1,
            _ => {}
        }
        // pulldown-cmark gives up on deeply nested parentheses.
        if depth > 16 {
            return false;
        }
    }
    depth == 0
}
