//! Front matter: the YAML between `---` lines at the top of a post, as a typed `Meta`.
//!
//! All YAML handling for posts lives here. Errors carry the line and column in the post
//! file (the YAML parser's location plus the front matter's offset) and name the key.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use crate::error::Located;

/// The post's front matter: the known keys typed, every other key kept in `extra`.
#[derive(Debug, Default, Clone)]
pub struct Meta {
    /// `title`
    pub title: Option<String>,
    /// `date`, as the writer typed it (validated as a date or RFC 3339 date-time).
    pub date: Option<String>,
    /// `author`
    pub author: Option<String>,
    /// `tags`: a list, or one comma-separated string.
    pub tags: Vec<String>,
    /// `summary`, alias `description`.
    pub summary: Option<String>,
    /// `slug`
    pub slug: Option<String>,
    /// `canonical_url`, alias `url`.
    pub canonical_url: Option<String>,
    /// `question`: the prompt a forum post or newsletter ends with.
    pub question: Option<String>,
    /// `venues`: only these venues.
    pub venues: Option<Vec<String>>,
    /// `skip_venues`: every venue but these.
    pub skip_venues: Vec<String>,
    /// Every other key, for templates as `post.extra`.
    pub extra: BTreeMap<String, Value>,
}

/// A post's text split at its front matter.
#[derive(Debug)]
pub struct Split<'a> {
    /// The YAML between the fences, if there was front matter.
    pub yaml: Option<&'a str>,
    /// The Markdown after the closing fence.
    pub body: &'a str,
    /// 1-based line of the first YAML line (the line after the opening `---`).
    pub yaml_line: usize,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits `text` (LF line endings, no BOM) into front matter and body.
pub fn split(text: &str) -> Result<Split<'_>, Located> {
    let no_front_matter = Split {
        yaml: None,
        body: text,
        yaml_line: 1,
        body_line: 1,
    };
    let Some(first_end) = text.find('\n') else {
        return Ok(no_front_matter);
    };
    if text[..first_end].trim_end() != "---" {
        return Ok(no_front_matter);
    }
    let yaml_start = first_end + 1;
    let mut offset = yaml_start;
    for (line, raw) in (2..).zip(text[yaml_start..].split_inclusive('\n')) {
        let content = raw.trim_end();
        if content == "---" || content == "..." {
            return Ok(Split {
                yaml: Some(&text[yaml_start..offset]),
                body: &text[offset + raw.len()..],
                yaml_line: 2,
                body_line: line + 1,
            });
        }
        offset += raw.len();
    }
    Err(Located::new(
        1,
        1,
        "front matter is never closed: the `---` on line 1 opens it; add a line with only `---` where it ends",
    ))
}

/// Parses the YAML of a front matter block; `first_line` is its line in the post file.
pub fn parse(yaml: &str, first_line: usize) -> Result<Meta, Located> {
    if yaml.trim().is_empty() {
        return Ok(Meta::default());
    }
    let value: Value = serde_yaml::from_str(yaml)
        .map_err(|e| crate::error::yaml(&e, first_line, "invalid front matter"))?;
    let mut map = match value {
        Value::Mapping(map) => map,
        Value::Null => Mapping::new(),
        other => {
            return Err(Located::new(
                first_line,
                1,
                format!(
                    "front matter must be a map of `key: value` lines, found {}",
                    kind(&other)
                ),
            ));
        }
    };
    let mut fields = Fields {
        map: &mut map,
        yaml,
        first_line,
    };
    let meta = Meta {
        title: fields.text("title")?,
        date: fields.date("date")?,
        author: fields.text("author")?,
        tags: fields.list("tags")?.unwrap_or_default(),
        summary: match fields.text("summary")? {
            Some(s) => Some(s),
            None => fields.text("description")?,
        },
        slug: fields.text("slug")?,
        canonical_url: match fields.web_url("canonical_url")? {
            Some(s) => Some(s),
            None => fields.web_url("url")?,
        },
        question: fields.text("question")?,
        venues: fields.list("venues")?,
        skip_venues: fields.list("skip_venues")?.unwrap_or_default(),
        extra: BTreeMap::new(),
    };
    let extra = map
        .into_iter()
        .map(|(k, v)| (key_name(&k), v))
        .collect::<BTreeMap<_, _>>();
    Ok(Meta { extra, ..meta })
}

/// Takes known keys out of the map, typing each and naming it in errors.
struct Fields<'m> {
    map: &'m mut Mapping,
    yaml: &'m str,
    first_line: usize,
}

impl Fields<'_> {
    fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// The post-file line of `key:` in the YAML, for errors about its value.
    fn line_of(&self, key: &str) -> usize {
        self.yaml
            .lines()
            .position(|l| {
                l.strip_prefix(key)
                    .is_some_and(|rest| rest.trim_start().starts_with(':'))
            })
            .map_or(self.first_line, |i| self.first_line + i)
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> Located {
        Located::new(
            self.line_of(key),
            1,
            format!("`{key}` must be {expected}, found {}", kind(found)),
        )
    }

    fn text(&mut self, key: &str) -> Result<Option<String>, Located> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        match scalar_text(&value) {
            Some(s) => Ok(Some(s)),
            None => Err(self.wrong(key, "text", &value)),
        }
    }

    fn list(&mut self, key: &str) -> Result<Option<Vec<String>>, Located> {
        let Some(value) = self.take(key) else {
            return Ok(None);
        };
        let items = match &value {
            Value::String(s) => s
                .split(',')
                .map(|item| {
                    let item = item.trim();
                    // `tags: a, "b c"` is one YAML string; its items may still be quoted.
                    item.strip_prefix('"')
                        .and_then(|i| i.strip_suffix('"'))
                        .unwrap_or(item)
                        .trim()
                })
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            Value::Sequence(seq) => {
                let mut out = Vec::with_capacity(seq.len());
                for item in seq {
                    match scalar_text(item) {
                        Some(s) => out.push(s),
                        None => {
                            return Err(self.wrong(key, "a list of words", item));
                        }
                    }
                }
                out
            }
            other => {
                return Err(self.wrong(key, "a list or a comma-separated string", other));
            }
        };
        Ok(Some(items))
    }

    /// An absolute http(s) URL: it becomes links in every venue, so nothing else will do.
    fn web_url(&mut self, key: &str) -> Result<Option<String>, Located> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        let text = text.trim().to_string();
        if url::Url::parse(&text).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            Ok(Some(text))
        } else {
            Err(Located::new(
                self.line_of(key),
                1,
                format!(
                    "`{key}` must be an absolute http(s) URL like https://example.com/post/, found `{text}`"
                ),
            ))
        }
    }

    fn date(&mut self, key: &str) -> Result<Option<String>, Located> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        if crate::date::parse(&text).is_none() {
            return Err(Located::new(
                self.line_of(key),
                1,
                format!(
                    "`{key}` must be a date like 2024-05-01 or an RFC 3339 date-time like 2024-05-01T09:30:00Z, found `{text}`"
                ),
            ));
        }
        Ok(Some(text))
    }
}

/// Text of a scalar: strings as they are, numbers and booleans as YAML wrote them.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Tagged(t) => scalar_text(&t.value),
        Value::Null | Value::Sequence(_) | Value::Mapping(_) => None,
    }
}

fn key_name(key: &Value) -> String {
    scalar_text(key).unwrap_or_else(|| format!("{key:?}"))
}

/// What a YAML value is, for "found …" in errors.
pub(crate) fn kind(value: &Value) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(text: &str) -> Result<Meta, Located> {
        let split = split(text)?;
        parse(split.yaml.unwrap_or(""), split.yaml_line)
    }

    #[test]
    fn splits_front_matter_from_body() {
        let s = split("---\ntitle: Hi\n---\nBody\n").unwrap();
        assert_eq!(s.yaml, Some("title: Hi\n"));
        assert_eq!(s.body, "Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("# Title\n\n---\n").unwrap();
        assert_eq!(s.yaml, None);
        assert_eq!(s.body, "# Title\n\n---\n");
    }

    #[test]
    fn errors_on_unclosed_front_matter() {
        let err = split("---\ntitle: Hi\n\nBody\n").unwrap_err();
        assert_eq!((err.line, err.column), (1, 1));
        assert!(err.message.contains("never closed"), "{}", err.message);
    }

    #[test]
    fn known_keys_are_typed_and_the_rest_kept_in_extra() {
        let m = meta(
            "---\ntitle: Hi\ndate: 2024-05-01\ntags: rust, \"writing\"\ndescription: S\nurl: https://e.com/x/\nmood: happy\n---\n",
        )
        .unwrap();
        assert_eq!(m.title.as_deref(), Some("Hi"));
        assert_eq!(m.date.as_deref(), Some("2024-05-01"));
        assert_eq!(m.tags, ["rust", "writing"]);
        assert_eq!(m.summary.as_deref(), Some("S"));
        assert_eq!(m.canonical_url.as_deref(), Some("https://e.com/x/"));
        assert_eq!(m.extra["mood"], Value::String("happy".into()));
    }

    #[test]
    fn yaml_errors_point_into_the_post_file() {
        let err = meta("---\ntitle: ok\ntags: [a, b\n---\n").unwrap_err();
        assert_eq!(err.line, 4);
        assert!(
            err.message.starts_with("invalid front matter: "),
            "{}",
            err.message
        );
        assert!(err.message.contains("line 3"), "{}", err.message);
    }

    #[test]
    fn wrong_types_name_the_key() {
        let err = meta("---\ntitle: ok\ntags: 5\n---\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.message,
            "`tags` must be a list or a comma-separated string, found the number `5`"
        );
        let err = meta("---\ndate: tomorrow\n---\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.contains("`date` must be a date"),
            "{}",
            err.message
        );
    }

    #[test]
    fn canonical_url_must_be_an_absolute_web_url() {
        let err = meta("---\ntitle: T\nurl: javascript:alert(1)\n---\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message
                .starts_with("`url` must be an absolute http(s) URL"),
            "{}",
            err.message
        );
        assert!(meta("---\ncanonical_url: /relative/\n---\n").is_err());
    }

    #[test]
    fn numbers_are_accepted_as_text() {
        let m = meta("---\ntitle: 1984\n---\n").unwrap();
        assert_eq!(m.title.as_deref(), Some("1984"));
    }
}
