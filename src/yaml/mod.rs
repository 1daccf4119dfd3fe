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
        serde_yaml::from_str(text).map_err(|e| syntax_error(&e, first_line, invalid))?;
    match value {
        Value::Mapping(map) => Ok(map),
        Value::Null => Ok(Mapping::new()),
        other => Err(Located::new(first_line, 1, not_a_map(&other))),
    }
}

/// A YAML error placed in its file: its location moved by `first_line` (where the YAML
/// starts in the file), and the `at line N column M` parts of the message rewritten to match.
fn syntax_error(err: &serde_yaml::Error, first_line: usize, what: &str) -> Located {
    let offset = first_line - 1;
    let (line, column) = err
        .location()
        .map_or((first_line, 1), |l| (l.line() + offset, l.column()));
    let message = err.to_string();
    let message = match message.find(" at line ") {
        Some(at) => {
            let (head, tail) = message.split_at(at);
            // Keep any ", while parsing … at line N" context, with N moved into the file.
            match tail.find(", while ") {
                Some(w) => format!("{head}{}", shift_lines(&tail[w..], offset)),
                None => head.to_string(),
            }
        }
        None => message,
    };
    Located::new(line, column, format!("{what}: {message}"))
}

/// Adds `offset` to every `line N` in a message.
fn shift_lines(message: &str, offset: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out.push_str(&rest[..i + 5]);
        rest = &rest[i + 5..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        match rest[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + offset).to_string()),
            Err(_) => out.push_str(&rest[..digits]),
        }
        rest = &rest[digits..];
    }
    out.push_str(rest);
    out
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
