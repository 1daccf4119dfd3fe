//! Bounds on YAML text (a post's front matter, `repurpose.yaml`), checked before the YAML
//! parser reads it.
//!
//! The parser's time grows with the square of flow nesting: it looks at every open
//! `[` or `{` again for each token, so `x: [[[[…]]]]` took 257 s for 400 kB before failing
//! at its recursion limit. The bounds keep that work small; no file a person writes
//! comes near them.

use crate::error::Located;

/// What is bounded, for one kind of file.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// What the text is, in messages: "front matter".
    pub what: &'static str,
    /// The largest text read, in bytes.
    pub max_bytes: usize,
}

/// A post's front matter: 64 KiB is dozens of pages of keys.
pub const FRONT_MATTER: Bounds = Bounds {
    what: "front matter",
    max_bytes: 64 << 10,
};

/// `repurpose.yaml`: 1 MiB holds thousands of venues and publish targets.
pub const CONFIG: Bounds = Bounds {
    what: "the configuration",
    max_bytes: 1 << 20,
};

/// A template's `{#--- … ---#}` header: a dozen keys, never near 64 KiB.
pub const TEMPLATE_HEADER: Bounds = Bounds {
    what: "the template header",
    max_bytes: 64 << 10,
};

/// The deepest nesting of flow lists and maps read (the parser itself stops at 128).
pub const MAX_DEPTH: usize = 32;

/// The most `[` and `{` read in one text, wherever they stand (in quotes, comments and
/// block text too): the backstop that bounds the parser's work whatever the text hides
/// from the depth count. At this many, the parser's quadratic pass takes well under a
/// second; a page of BBCode in a block scalar has a few thousand.
pub const MAX_FLOW: usize = 16_384;

/// Checks `text` against `bounds` before it is parsed; `first_line` is the text's first
/// line in its file. The error names the line and column (in characters) where a bound was
/// passed.
///
/// The depth counts the brackets that open or close flow lists and maps where YAML reads
/// them: not inside quoted strings, comments or block scalars (`|`, `>`), so a title such
/// as `"[[[draft]]]"` or a block of BBCode is never refused for its brackets.
pub fn check(text: &str, first_line: usize, bounds: Bounds) -> Result<(), Located> {
    let what = bounds.what;
    if text.len() > bounds.max_bytes {
        let newlines = text.as_bytes()[..bounds.max_bytes]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        return Err(Located::new(
            first_line + newlines,
            1,
            format!(
                "{what} is {} KiB, over the {} KiB read (no real file comes near it); is a `---` line missing where it ends?",
                text.len() >> 10,
                bounds.max_bytes >> 10
            ),
        ));
    }
    let mut scan = Scan::default();
    for (n, line) in text.lines().enumerate() {
        scan.line(line).map_err(|(column, exceeded)| {
            let message = match exceeded {
                Exceeded::Depth => format!(
                    "{what} nests lists and maps (`[` or `{{`) more than {MAX_DEPTH} deep here; no real file needs that many levels (a post needs two or three): flatten it"
                ),
                Exceeded::Flows => format!(
                    "{what} has more than {MAX_FLOW} `[` and `{{` by here; no real file needs that many: write long lists one `- item` per line"
                ),
            };
            Located::new(first_line + n, column, message)
        })?;
    }
    Ok(())
}

/// Which bound a line passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exceeded {
    Depth,
    Flows,
}

/// A light reading of YAML's flow structure, line by line.
#[derive(Debug, Default)]
struct Scan {
    /// Open flow lists and maps.
    depth: usize,
    /// Every `[` and `{` seen.
    flows: usize,
    /// The quote a quoted string open at the end of the last line started with.
    quote: Option<char>,
    /// The indentation of the line that opened a block scalar, while in one.
    block: Option<usize>,
}

impl Scan {
    /// Reads one line; on a bound passed, its column (1-based, in characters).
    fn line(&mut self, line: &str) -> Result<(), (usize, Exceeded)> {
        // The depth first: an honest file that nests too deep is told so, not told to count.
        self.structure(line)?;
        for (column, c) in line.chars().enumerate() {
            if c == '[' || c == '{' {
                self.flows += 1;
                if self.flows > MAX_FLOW {
                    return Err((column + 1, Exceeded::Flows));
                }
            }
        }
        Ok(())
    }

    /// Follows the flow structure of one line: quotes, comments, block scalars.
    fn structure(&mut self, line: &str) -> Result<(), (usize, Exceeded)> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(opened) = self.block {
            if line.trim().is_empty() || indent > opened {
                return Ok(());
            }
            self.block = None;
        }
        // Where a value can start: flow brackets and quotes count only there.
        let mut at_value = true;
        let mut previous = ' ';
        let mut content_end = 0;
        let mut chars = line.chars().enumerate().peekable();
        while let Some((column, c)) = chars.next() {
            if let Some(quote) = self.quote {
                if c == quote {
                    // '' inside single quotes is a quote, not the end.
                    if quote == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        self.quote = None;
                        at_value = false;
                    }
                } else if quote == '"' && c == '\\' {
                    chars.next();
                }
                previous = c;
                content_end = column + 1;
                continue;
            }
            match c {
                '#' if previous == ' ' || previous == '\t' || column == 0 => break,
                '"' | '\'' if at_value => self.quote = Some(c),
                '[' | '{' if at_value || self.depth > 0 => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Err((column + 1, Exceeded::Depth));
                    }
                    at_value = true;
                }
                ']' | '}' if self.depth > 0 => {
                    self.depth -= 1;
                    at_value = false;
                }
                ',' if self.depth > 0 => at_value = true,
                ':' | '-' | '?' if chars.peek().is_none_or(|(_, n)| *n == ' ' || *n == '\t') => {
                    at_value = true;
                }
                ' ' | '\t' => {}
                // A tag or an anchor before a value: the value still starts after it.
                '!' | '&' if at_value => {
                    while chars.peek().is_some_and(|(_, n)| *n != ' ' && *n != '\t') {
                        chars.next();
                    }
                }
                _ => at_value = false,
            }
            if c != ' ' && c != '\t' {
                content_end = column + 1;
            }
            previous = c;
        }
        // A value of `|` or `>` (with its indicators) opens a block scalar: its lines, more
        // indented than this one, are text.
        if self.depth == 0 && self.quote.is_none() {
            let content: String = line.chars().take(content_end).collect();
            let last = content.trim_end().rsplit([' ', '\t']).next().unwrap_or("");
            let is_block = last.starts_with(['|', '>'])
                && last[1..]
                    .chars()
                    .all(|c| c == '+' || c == '-' || c.is_ascii_digit());
            if is_block {
                self.block = Some(indent);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_yaml_passes() {
        let text = "title: A [draft] post\ntags: [a, b]\nvenues: {forum: {title: x}}\n";
        assert_eq!(check(text, 2, FRONT_MATTER), Ok(()));
    }

    #[test]
    fn deep_flow_nesting_is_refused_at_its_line_and_column() {
        let text = format!("title: x\nextra: {}1\n", "[".repeat(40));
        let err = check(&text, 2, FRONT_MATTER).unwrap_err();
        assert_eq!((err.line, err.column), (3, 7 + MAX_DEPTH + 1));
        assert!(err.message.contains("more than 32 deep"), "{}", err.message);
    }

    #[test]
    fn brackets_in_quotes_comments_and_block_text_are_not_nesting() {
        let deep = "[".repeat(40);
        let text = format!(
            "title: \"{deep} draft\"\nsub: '{deep} it''s'\n# {deep}\nfooter: |\n  {deep}url=x]\n  [b]bold[/b]\n\n  {deep}\nnext: [a, \"]]]]\", {{b: c}}]\n"
        );
        assert_eq!(check(&text, 2, FRONT_MATTER), Ok(()));
    }

    #[test]
    fn a_tag_or_anchor_does_not_hide_nesting() {
        let text = format!("x: !!seq {}1\ny: &a {}1\n", "[".repeat(40), "{".repeat(40));
        let err = check(&text, 1, FRONT_MATTER).unwrap_err();
        assert_eq!(err.line, 1);
        assert!(err.message.contains("more than 32 deep"), "{}", err.message);
    }

    #[test]
    fn every_bracket_counts_toward_the_backstop() {
        // Brackets hidden in quotes still count: the parser's work is bounded whatever.
        let text = format!("x: \"{}\"\n", "[".repeat(MAX_FLOW + 1));
        let err = check(&text, 2, FRONT_MATTER).unwrap_err();
        assert_eq!((err.line, err.column), (2, 5 + MAX_FLOW));
        assert!(
            err.message.contains("one `- item` per line"),
            "{}",
            err.message
        );
    }

    #[test]
    fn columns_count_characters_and_a_cut_never_splits_one() {
        let text = format!("title: [ééé, {}\n", "[".repeat(40));
        let err = check(&text, 1, FRONT_MATTER).unwrap_err();
        assert_eq!((err.line, err.column), (1, 45));
        // The size bound falls inside a three-byte character.
        let text = format!("title: x\nx: {}\n", "字".repeat(30_000));
        let err = check(&text, 2, FRONT_MATTER).unwrap_err();
        assert!(
            err.message.contains("over the 64 KiB read"),
            "{}",
            err.message
        );
    }

    #[test]
    fn oversized_text_is_refused() {
        let text = "k: v\n".repeat(20_000);
        let err = check(&text, 2, FRONT_MATTER).unwrap_err();
        assert!(
            err.message.contains("over the 64 KiB read"),
            "{}",
            err.message
        );
    }
}
