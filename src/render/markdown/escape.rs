//! Escaping: text written so that it reads back as exactly this text.

/// A fenced code block's info string: escapes and references in it are decoded.
pub(super) fn escape_info(info: &str) -> String {
    let chars: Vec<char> = info.chars().collect();
    let mut out = String::with_capacity(info.len());
    for (k, &c) in chars.iter().enumerate() {
        match c {
            '\\' => out.push_str("\\\\"),
            '&' if starts_reference(chars[k + 1..].iter().copied()) => out.push_str("\\&"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `&` followed by `rest` could be read as an entity or numeric reference.
pub(super) fn starts_reference(rest: impl IntoIterator<Item = char>) -> bool {
    let mut name = 0;
    for c in rest {
        if c.is_ascii_alphanumeric() || c == '#' {
            name += 1;
        } else {
            return name > 0 && c == ';';
        }
    }
    false
}

/// The parse takes a trailing `#` run as the closing sequence and a trailing `{…}` as
/// attributes; an escape keeps either as text.
pub(super) fn protect_heading_end(mut text: String) -> String {
    if text.ends_with('}') {
        text.insert(text.len() - 1, '\\');
    } else if text.ends_with('#') {
        let run = text.trim_end_matches('#').len();
        if run == 0 || text[..run].ends_with([' ', '\t']) {
            text.insert(run, '\\');
        }
    }
    text
}

/// Where a piece of text is being written.
#[derive(Debug)]
pub(super) struct TextContext {
    /// Nothing precedes it on its line, so leading spaces would be stripped.
    pub(super) line_start: bool,
    /// It starts a line that block parsing looks at.
    pub(super) block_start: bool,
    /// The character written just before it.
    pub(super) prev: Option<char>,
    /// It follows a footnote reference.
    pub(super) after_reference: bool,
}

/// Escapes text so that it reads back as exactly this text, appending it to `out`. Line
/// breaks inside a text event read as spaces.
pub(super) fn escape_text(text: &str, cx: &TextContext, out: &mut String) {
    let plain = |c: char| if matches!(c, '\n' | '\r') { ' ' } else { c };
    let first = text.chars().next().map(plain);
    let mut prev = cx.prev;
    let mut rest = text;
    if cx.line_start && matches!(first, Some(' ' | '\t')) {
        out.push_str(if first == Some('\t') { "&#9;" } else { "&#32;" });
        (prev, rest) = (first, &text[1..]);
    } else if cx.block_start {
        let taken = escape_block_start(text, out);
        if taken > 0 {
            (prev, rest) = (text[..taken].chars().next_back(), &text[taken..]);
        }
    } else if cx.after_reference
        && let Some(c @ (':' | '(')) = first
    {
        out.push('\\');
        out.push(c);
        (prev, rest) = (first, &text[1..]);
    }
    // Only the ASCII characters `needs_look` names can need a backslash: the runs between
    // them are copied whole (checking every character was a twentieth of `build`'s CPU).
    let bytes = rest.as_bytes();
    let mut copied = 0;
    while let Some(found) = bytes[copied..].iter().position(|&b| needs_look(b)) {
        let at = copied + found;
        if at > copied {
            out.push_str(&rest[copied..at]);
            prev = rest[copied..at].chars().next_back();
        }
        let c = plain(char::from(bytes[at]));
        let next = rest[at + 1..].chars().next().map(plain);
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' => true,
            // Smart punctuation would curl these on the way back.
            '\'' | '"' => true,
            '-' | '.' => next == Some(c),
            // Inside a word `_` cannot delimit emphasis; keeping it bare keeps snake_case.
            '_' => !(prev.is_some_and(is_wordish) && next.is_some_and(is_wordish)),
            '&' => starts_reference(rest[at + 1..].chars()),
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
        copied = at + 1;
    }
    out.push_str(&rest[copied..]);
}

/// The characters `escape_text` may escape, and the line breaks it makes spaces.
fn needs_look(b: u8) -> bool {
    LOOK[usize::from(b)]
}

/// `needs_look` by byte: a load where a chain of compares ran for every byte of the text.
const LOOK: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < table.len() {
        let b = i as u8;
        table[i] = matches!(
            b,
            b'\\'
                | b'`'
                | b'*'
                | b'['
                | b']'
                | b'<'
                | b'~'
                | b'\''
                | b'"'
                | b'-'
                | b'.'
                | b'_'
                | b'&'
                | b'\n'
                | b'\r'
        );
        i += 1;
    }
    table
};

/// Escapes what would start a heading, quote, list or setext underline at the start of a
/// line; returns how many bytes of `text` it wrote.
fn escape_block_start(text: &str, out: &mut String) -> usize {
    match text.as_bytes().first() {
        Some(&c @ (b'-' | b'+' | b'=' | b'#' | b'>')) => {
            out.push('\\');
            out.push(char::from(c));
            1
        }
        Some(c) if c.is_ascii_digit() => {
            let digits = text.bytes().take_while(u8::is_ascii_digit).count();
            match text.as_bytes().get(digits) {
                Some(&delim @ (b'.' | b')')) if digits <= 9 => {
                    out.push_str(&text[..digits]);
                    out.push('\\');
                    out.push(char::from(delim));
                    digits + 1
                }
                _ => 0,
            }
        }
        _ => 0,
    }
}

pub(super) fn longest_run(s: &str, c: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for ch in s.chars() {
        if ch == c {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

pub(super) fn longest_leading_run(s: &str, c: char) -> usize {
    s.chars().take_while(|&ch| ch == c).count()
}

/// Neither whitespace nor punctuation, in the sense of CommonMark's flanking rules.
pub(super) fn is_wordish(c: char) -> bool {
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `escape_text` as it was before it copied runs whole: every character looked at.
    fn escape_text_char_by_char(text: &str, cx: &TextContext) -> String {
        let mut out = String::new();
        let plain = |c: char| if matches!(c, '\n' | '\r') { ' ' } else { c };
        let first = text.chars().next().map(plain);
        let mut prev = cx.prev;
        let mut rest = text;
        if cx.line_start && matches!(first, Some(' ' | '\t')) {
            out.push_str(if first == Some('\t') { "&#9;" } else { "&#32;" });
            (prev, rest) = (first, &text[1..]);
        } else if cx.block_start {
            let taken = escape_block_start(text, &mut out);
            if taken > 0 {
                (prev, rest) = (text[..taken].chars().next_back(), &text[taken..]);
            }
        } else if cx.after_reference
            && let Some(c @ (':' | '(')) = first
        {
            out.push('\\');
            out.push(c);
            (prev, rest) = (first, &text[1..]);
        }
        let mut chars = rest.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let c = plain(c);
            let next = chars.peek().map(|&(_, n)| plain(n));
            let escape = match c {
                '\\' | '`' | '*' | '[' | ']' | '<' | '~' | '\'' | '"' => true,
                '-' | '.' => next == Some(c),
                '_' => !(prev.is_some_and(is_wordish) && next.is_some_and(is_wordish)),
                '&' => starts_reference(rest[at + 1..].chars()),
                _ => false,
            };
            if escape {
                out.push('\\');
            }
            out.push(c);
            prev = Some(c);
        }
        out
    }

    proptest! {
        #[test]
        fn copying_runs_whole_escapes_as_looking_at_every_character(
            text in "[a_é中 \t\n\r\\\\`*\\[\\]<~'\"\\-.&#;:(0-9+=>)]{0,24}",
            line_start: bool,
            block_start: bool,
            after_reference: bool,
            prev in proptest::option::of("[a_ é*]"),
        ) {
            let cx = TextContext {
                line_start,
                block_start,
                prev: prev.and_then(|p| p.chars().next()),
                after_reference,
            };
            let mut out = String::from("x");
            escape_text(&text, &cx, &mut out);
            prop_assert_eq!(&out[1..], escape_text_char_by_char(&text, &cx));
        }
    }
}
