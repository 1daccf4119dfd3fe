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

/// The deepest nesting of flow lists and maps read (the parser itself stops at 128).
pub const MAX_DEPTH: usize = 32;

/// The most flow lists and maps (`[` or `{`) read in one text; together with the size
/// bound, this keeps the parser's work per token small whatever the nesting looks like.
pub const MAX_FLOW: usize = 256;

/// Checks `text` against `bounds` before it is parsed; `first_line` is the text's first
/// line in its file. The error names the line and column where a bound was passed.
///
/// Every `[` and `{` is counted, in quotes and comments too: a quoted `]` can hide a level
/// from the depth, never from the count, which is what bounds the parser's work (the depth
/// is there for the message an honest file gets). A quoted string would need dozens of
/// unclosed brackets to be refused.
pub fn check(text: &str, first_line: usize, bounds: Bounds) -> Result<(), Located> {
    let what = bounds.what;
    if text.len() > bounds.max_bytes {
        let line = first_line + text[..bounds.max_bytes].matches('\n').count();
        return Err(Located::new(
            line,
            1,
            format!(
                "{what} is {} KiB, over the {} KiB read (no real file comes near it); is a `---` line missing where it ends?",
                text.len() >> 10,
                bounds.max_bytes >> 10
            ),
        ));
    }
    let (mut depth, mut flows) = (0usize, 0usize);
    for (n, line) in text.lines().enumerate() {
        for (column, byte) in line.bytes().enumerate() {
            match byte {
                b'[' | b'{' => {
                    depth += 1;
                    flows += 1;
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => continue,
            }
            let at = |message: String| Located::new(first_line + n, column + 1, message);
            if depth > MAX_DEPTH {
                return Err(at(format!(
                    "{what} nests lists and maps (`[` or `{{`) more than {MAX_DEPTH} deep here; no real file needs that many levels (a post needs two or three): flatten it"
                )));
            }
            if flows > MAX_FLOW {
                return Err(at(format!(
                    "{what} has more than {MAX_FLOW} flow lists and maps (`[` or `{{`) by here; no real file needs that many: write long lists one `- item` per line"
                )));
            }
        }
    }
    Ok(())
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
    fn quotes_cannot_hide_nesting() {
        // Each level closes a bracket inside quotes, which the parser does not count, so
        // the depth seen here stays 1; the count of flows still stops it.
        let text = format!("x: {}1\n", "[\"]\", ".repeat(MAX_FLOW + 1));
        let err = check(&text, 1, FRONT_MATTER).unwrap_err();
        assert!(
            err.message.contains("flow lists and maps"),
            "{}",
            err.message
        );
    }

    #[test]
    fn too_many_flow_collections_are_refused() {
        let text = "x: [1]\n".repeat(MAX_FLOW + 1);
        let err = check(&text, 2, FRONT_MATTER).unwrap_err();
        assert_eq!(err.line, 2 + MAX_FLOW);
        assert!(
            err.message.contains("one `- item` per line"),
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
