//! All YAML reading: a post's front matter, `repurpose.yaml` and template headers are
//! bounded, parsed and placed here, so each reads its keys the same way and says what is
//! wrong in the same words.

pub mod bounds;
pub mod lines;

use serde_yaml::{Mapping, Value};

use crate::error::Located;
use bounds::Bounds;

/// Parses `text` as a YAML map once it is within `bounds`; `first_line` is its first line in
/// its file. A syntax error reads `{invalid}: …` at its place in the file; `~` is an empty
/// map; any other value is refused with `not_a_map`'s message.
pub fn parse_map(
    text: &str,
    first_line: usize,
    bounds: Bounds,
    invalid: &str,
    not_a_map: impl FnOnce(&Value) -> String,
) -> Result<Mapping, Located> {
    bounds::check(text, first_line, bounds)?;
    let value: Value =
        serde_yaml::from_str(text).map_err(|e| crate::error::yaml(&e, first_line, invalid))?;
    match value {
        Value::Mapping(map) => Ok(map),
        Value::Null => Ok(Mapping::new()),
        other => Err(Located::new(first_line, 1, not_a_map(&other))),
    }
}

/// Reads values out of parsed YAML, placing each error at its key's line in the file and
/// naming the key by its path (`venues.forum.wrap`).
#[derive(Debug, Clone, Copy)]
pub struct Reader<'t> {
    text: &'t str,
    first_line: usize,
}

impl<'t> Reader<'t> {
    /// A reader of `text`, whose first line is line `first_line` of its file.
    pub fn new(text: &'t str, first_line: usize) -> Self {
        Reader { text, first_line }
    }

    /// The file line of the key at `path`; see `lines::key_line`.
    pub fn line(&self, path: &[&str]) -> usize {
        self.first_line + lines::key_line(self.text, path) - 1
    }

    /// `message` at the line of `path`.
    pub fn at(&self, path: &[&str], message: String) -> Located {
        Located::new(self.line(path), 1, message)
    }

    /// "`path` must be {expected}, found {what `found` is}".
    pub fn wrong(&self, path: &[&str], expected: &str, found: &Value) -> Located {
        self.at(
            path,
            format!(
                "`{}` must be {expected}, found {}",
                path.join("."),
                kind(found)
            ),
        )
    }

    /// "unknown key `path` (known: …)".
    pub fn unknown(&self, path: &[&str], known: &[&str]) -> Located {
        self.at(
            path,
            format!(
                "unknown key `{}` (known: {})",
                path.join("."),
                known.join(", ")
            ),
        )
    }
}

/// What a YAML value is, for "found …" in errors.
pub fn kind(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("the text `{s}`"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a map".into(),
        Value::Tagged(t) => kind(&t.value),
    }
}

/// Text of a scalar: strings as they are, numbers and booleans as YAML wrote them.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

/// A key of `repurpose.yaml` or a template header as text: a key that is not text is
/// written back as YAML (`~` is `null`).
pub fn key_name(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .map(|s| s.trim().to_string())
            .unwrap_or_default(),
    }
}

/// A front-matter key as text, as `post.extra` names it: a scalar's text, else Rust's
/// debug form (`~` is `Null`). It differs from `key_name` only for keys that are not text;
/// templates may read those by that name, so it stays.
pub fn post_key_name(key: &Value) -> String {
    scalar_text(key).unwrap_or_else(|| format!("{key:?}"))
}
