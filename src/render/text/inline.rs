//! Inline text: words, breaks, raw inline HTML, note numbers, task boxes, super- and subscripts.

use std::borrow::Cow;

use crate::markdown::{strip_html, superscript};

use super::links::Span;
use super::{GLUE, TextWriter};

pub(super) const SUPERSCRIPT_DIGITS: [char; 10] =
    ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

pub(super) const SUBSCRIPT_DIGITS: [char; 10] = ['₀', '₁', '₂', '₃', '₄', '₅', '₆', '₇', '₈', '₉'];

impl TextWriter<'_> {
    pub(super) fn push_text(&mut self, text: &str) {
        if self.in_metadata || self.skipping.active() {
            return;
        }
        if let Some(code) = &mut self.code {
            code.push_str(text);
            return;
        }
        let text = if text.contains(GLUE) {
            Cow::Owned(text.replace(GLUE, ""))
        } else {
            Cow::Borrowed(text)
        };
        let text = text.as_ref();
        // Upper case would break a URL shown as a link's own text.
        let shows_url = matches!(self.spans.last(), Some(Span::Link(link))
            if link.autolink || link.dest == text || link.dest.strip_prefix("mailto:") == Some(text));
        if self.heading == Some(1) && !shows_url {
            self.inline.push_str(&text.to_uppercase());
        } else {
            self.inline.push_str(text);
        }
    }

    pub(super) fn inline_html(&mut self, raw: &str) {
        if self.skipping.feed(raw) {
            return;
        }
        let (_, name) = tag_name(raw);
        if name == "br" {
            self.inline.push('\n');
            return;
        }
        self.push_text(&strip_html(raw).replace('\n', " "));
    }

    pub(super) fn html(&mut self, raw: &str) {
        match &mut self.html {
            Some(block) => block.push_str(raw),
            None => self.inline_html(raw),
        }
    }

    pub(super) fn footnote_reference(&mut self, label: &str) {
        // A slice may hold a reference without its definition: nothing to point at.
        if let Some(n) = self.notes.number(label) {
            self.inline.push_str(&superscript(n));
        }
    }

    pub(super) fn task_marker(&mut self, done: bool) {
        let mark = if done { "[x] " } else { "[ ] " };
        match self.containers.last_mut() {
            // Part of the item's prefix, so wrapped lines align under the task's text.
            Some(item) if !item.started && self.inline.is_empty() => {
                item.first.push_str(mark);
                item.rest.push_str("    ");
                self.prefix_width += 4;
            }
            _ => self.inline.push_str(mark),
        }
    }

    pub(super) fn end_script(&mut self, digits: &[char; 10]) {
        let Some(Span::Script(start)) = self.spans.pop() else {
            return;
        };
        let text = self.inline.get(start..).unwrap_or_default();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            let converted: String = text
                .bytes()
                .map(|b| digits[usize::from(b - b'0')])
                .collect();
            self.inline.truncate(start);
            self.inline.push_str(&converted);
        }
    }
}

/// Collapses runs of spaces and trims each hard-broken segment, so no line leads or trails
/// with a space; leading and trailing line breaks are dropped.
pub(super) fn clean_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, segment) in text.trim_matches('\n').split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        // Runs of spaces left where raw HTML was removed read as one, as in a browser.
        for (j, word) in segment.split(' ').filter(|w| !w.is_empty()).enumerate() {
            if j > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    if out.starts_with('\n') || out.ends_with('\n') {
        out.trim_matches('\n').to_string()
    } else {
        out
    }
}

/// `text` less the lines at either end that hold nothing but spaces: `fill` makes of it
/// what it makes of `clean_inline(text)`, since it skips runs of spaces itself.
pub(super) fn inner_lines(text: &str) -> &str {
    let blank = |b: &u8| matches!(b, b' ' | b'\n');
    let bytes = text.as_bytes();
    let (Some(first), Some(last)) = (
        bytes.iter().position(|b| !blank(b)),
        bytes.iter().rposition(|b| !blank(b)),
    ) else {
        return "";
    };
    // Both ends are next to a `\n` or at an end of the text: char boundaries.
    let start = bytes[..first]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let end = bytes[last..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(text.len(), |i| last + i);
    &text[start..end]
}

/// A tag's name, lower-cased, and whether it is a closing tag.
fn tag_name(raw: &str) -> (bool, String) {
    let inner = raw.trim_start().strip_prefix('<').unwrap_or_default();
    let (closing, inner) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name = inner
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    (closing, name)
}
