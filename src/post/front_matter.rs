//! Front matter: the YAML between `---` lines at the top of a post, as a typed `Meta`.
//!
//! The YAML is read with `crate::yaml`. Errors carry the line and column in the post file
//! (the YAML parser's location plus the front matter's offset) and name the key.

use std::collections::BTreeMap;

use serde_yaml::{Mapping, Value};

use crate::error::Located;
use crate::yaml::{Reader, kind, post_key_name as key_name, scalar_text};

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
    /// `image`: the picture that stands for the post where it is shared (`og:image`), a
    /// path relative to the post or a URL, with the line of its key.
    pub image: Option<(String, usize)>,
    /// `venues` as a list: only these venues.
    pub venues: Option<Vec<String>>,
    /// `skip_venues`: every venue but these.
    pub skip_venues: Vec<String>,
    /// `venues` as a map: front matter for one venue, by venue name.
    pub overrides: BTreeMap<String, Override>,
    /// Every other key, for templates as `post.extra`.
    pub extra: BTreeMap<String, Value>,
    /// Keys in `extra` (the post's or a venue's) that look like a known key misspelt.
    pub misspelt: Vec<Misspelt>,
}

/// A key no field took that is one edit from one that would have: probably a typo, which
/// would otherwise leave the known key unset without a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misspelt {
    /// The post-file line of the key.
    pub line: usize,
    /// The key as written, with its path: `titel`, `venues.forum.titel`.
    pub key: String,
    /// The known key it is one edit from.
    pub known: &'static str,
}

/// The keys the front matter reads at the top.
const KEYS: [&str; 13] = [
    "title",
    "image",
    "date",
    "author",
    "tags",
    "summary",
    "description",
    "slug",
    "canonical_url",
    "url",
    "question",
    "venues",
    "skip_venues",
];

/// The keys a venue's front matter (`venues: {forum: {…}}`) reads.
const VENUE_KEYS: [&str; 9] = [
    "title",
    "date",
    "author",
    "tags",
    "summary",
    "description",
    "canonical_url",
    "url",
    "question",
];

/// One venue's front matter, from the `venues:` map: each key set replaces the post's own
/// for that venue only; unknown keys join that venue's `post.extra`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Override {
    /// `title`
    pub title: Option<String>,
    /// `date`
    pub date: Option<String>,
    /// `author`
    pub author: Option<String>,
    /// `tags`
    pub tags: Option<Vec<String>>,
    /// `summary`, alias `description`.
    pub summary: Option<String>,
    /// `canonical_url`, alias `url`.
    pub canonical_url: Option<String>,
    /// `question`
    pub question: Option<String>,
    /// Every other key.
    pub extra: BTreeMap<String, Value>,
    /// The post-file line of the venue's key under `venues:`, for messages.
    pub line: usize,
}

/// Keys a `venues:` override may not set, and why.
const NOT_PER_VENUE: [(&str, &str); 3] = [
    (
        "slug",
        "the slug cannot differ per venue (each post has one output folder, `<out>/<slug>/`); set `slug` at the top of the front matter",
    ),
    (
        "venues",
        "the venues a post goes to are chosen at the top of the front matter (`venues:` as a list, or `skip_venues:`), not per venue",
    ),
    (
        "skip_venues",
        "the venues a post goes to are chosen at the top of the front matter (`venues:` as a list, or `skip_venues:`), not per venue",
    ),
];

impl Override {
    /// The post's front matter with this override's keys set over it.
    pub fn apply(&self, meta: &Meta) -> Meta {
        let mut merged = meta.clone();
        let set = |mine: &Option<String>, into: &mut Option<String>| {
            if mine.is_some() {
                into.clone_from(mine);
            }
        };
        set(&self.title, &mut merged.title);
        set(&self.date, &mut merged.date);
        set(&self.author, &mut merged.author);
        set(&self.summary, &mut merged.summary);
        set(&self.canonical_url, &mut merged.canonical_url);
        set(&self.question, &mut merged.question);
        if let Some(tags) = &self.tags {
            merged.tags.clone_from(tags);
        }
        merged
            .extra
            .extend(self.extra.iter().map(|(k, v)| (k.clone(), v.clone())));
        merged
    }
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
    let mut map = crate::yaml::parse_map(
        yaml,
        first_line,
        crate::yaml::bounds::FRONT_MATTER,
        "invalid front matter",
        |other| {
            format!(
                "front matter must be a map of `key: value` lines, found {}",
                kind(other)
            )
        },
    )?;
    let reader = Reader::new(yaml, first_line);
    let mut fields = Fields {
        map: &mut map,
        reader,
        path: Vec::new(),
    };
    let mut misspelt = Vec::new();
    let (venues, overrides) = match fields.take("venues") {
        Some(Value::Mapping(venues)) => (None, fields.overrides(venues, &mut misspelt)?),
        Some(list @ (Value::String(_) | Value::Sequence(_))) => {
            (Some(fields.list_of("venues", &list)?), BTreeMap::new())
        }
        Some(other) => {
            return Err(fields.wrong(
                "venues",
                "a list of the only venues to build, or a map of front matter per venue like `{forum: {title: …}}`",
                &other,
            ));
        }
        None => (None, BTreeMap::new()),
    };
    let meta = Meta {
        title: fields.text("title")?,
        date: fields.date("date")?,
        author: fields.text("author")?,
        tags: fields.list("tags")?.unwrap_or_default(),
        summary: fields.summary()?,
        slug: fields.text("slug")?,
        canonical_url: fields.canonical_url()?,
        question: fields.text("question")?,
        image: {
            let line = fields.line_of("image");
            fields.text("image")?.map(|image| (image, line))
        },
        venues,
        skip_venues: fields.list("skip_venues")?.unwrap_or_default(),
        overrides,
        extra: BTreeMap::new(),
        misspelt: Vec::new(),
    };
    // The top level's first, then each venue's: in the order they are written.
    misspelt.splice(0..0, fields.misspelt(&KEYS));
    Ok(Meta {
        extra: rest(map),
        misspelt,
        ..meta
    })
}

/// The keys no field took, for `post.extra`.
fn rest(map: Mapping) -> BTreeMap<String, Value> {
    map.into_iter().map(|(k, v)| (key_name(&k), v)).collect()
}

/// Takes known keys out of the map, typing each and naming it in errors.
struct Fields<'m> {
    map: &'m mut Mapping,
    reader: Reader<'m>,
    /// The keys above this map: empty at the top, `["venues", "forum"]` in an override.
    path: Vec<String>,
}

impl Fields<'_> {
    fn take(&mut self, key: &str) -> Option<Value> {
        match self.map.remove(key) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// The path of `key`: `["title"]`, or `["venues", "forum", "title"]` in an override.
    fn path_of<'k>(&'k self, key: &'k str) -> Vec<&'k str> {
        let mut path: Vec<&str> = self.path.iter().map(String::as_str).collect();
        path.push(key);
        path
    }

    /// The post-file line of `key:` in the YAML, for errors about its value.
    fn line_of(&self, key: &str) -> usize {
        self.reader.line(&self.path_of(key))
    }

    /// The key as messages name it: `title`, or `venues.forum.title` in an override.
    fn name(&self, key: &str) -> String {
        self.path_of(key).join(".")
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> Located {
        self.reader.wrong(&self.path_of(key), expected, found)
    }

    fn summary(&mut self) -> Result<Option<String>, Located> {
        match self.text("summary")? {
            Some(s) => Ok(Some(s)),
            None => self.text("description"),
        }
    }

    fn canonical_url(&mut self) -> Result<Option<String>, Located> {
        match self.web_url("canonical_url")? {
            Some(s) => Ok(Some(s)),
            None => self.web_url("url"),
        }
    }

    /// The keys left (those no field took) that look like one of `known` misspelt.
    fn misspelt(&self, known: &[&'static str]) -> Vec<Misspelt> {
        let mut found: Vec<Misspelt> = self
            .map
            .keys()
            .map(key_name)
            .filter_map(|key| {
                Some(Misspelt {
                    known: crate::suggest::near(&key, known)?,
                    line: self.line_of(&key),
                    key: self.name(&key),
                })
            })
            .collect();
        found.sort_by_key(|m| m.line);
        found
    }

    /// The `venues:` map: one `Override` per venue, its keys typed as at the top; keys that
    /// look misspelt are added to `misspelt`.
    fn overrides(
        &mut self,
        venues: Mapping,
        misspelt: &mut Vec<Misspelt>,
    ) -> Result<BTreeMap<String, Override>, Located> {
        let mut out = BTreeMap::new();
        for (venue, value) in venues {
            let venue = key_name(&venue);
            let path = vec!["venues".to_string(), venue.clone()];
            let line = self.reader.line(&["venues", &venue]);
            let mut map = match value {
                Value::Mapping(map) => map,
                Value::Null => Mapping::new(),
                other => {
                    return Err(Located::new(
                        line,
                        1,
                        format!(
                            "`venues.{venue}` must be a map of the front matter {venue} gets instead of the post's, like `{{title: …}}`, found {}",
                            kind(&other)
                        ),
                    ));
                }
            };
            let mut fields = Fields {
                map: &mut map,
                reader: self.reader,
                path,
            };
            for (key, why) in NOT_PER_VENUE {
                if fields.map.contains_key(key) {
                    return Err(Located::new(
                        fields.line_of(key),
                        1,
                        format!("`{}` cannot be set per venue: {why}", fields.name(key)),
                    ));
                }
            }
            let one = Override {
                title: fields.text("title")?,
                date: fields.date("date")?,
                author: fields.text("author")?,
                tags: fields.list("tags")?,
                summary: fields.summary()?,
                canonical_url: fields.canonical_url()?,
                question: fields.text("question")?,
                extra: BTreeMap::new(),
                line,
            };
            misspelt.extend(fields.misspelt(&VENUE_KEYS));
            out.insert(
                venue,
                Override {
                    extra: rest(map),
                    ..one
                },
            );
        }
        Ok(out)
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
        match self.take(key) {
            Some(value) => self.list_of(key, &value).map(Some),
            None => Ok(None),
        }
    }

    fn list_of(&self, key: &str, value: &Value) -> Result<Vec<String>, Located> {
        let items = match value {
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
        Ok(items)
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
                    "`{}` must be an absolute http(s) URL like https://example.com/post/, found `{text}`",
                    self.name(key)
                ),
            ))
        }
    }

    fn date(&mut self, key: &str) -> Result<Option<String>, Located> {
        let Some(text) = self.text(key)? else {
            return Ok(None);
        };
        if crate::date::parse(&text).is_none() {
            let message = match crate::date::not_a_day(&text) {
                Some(why) => format!("`{}` is `{text}`, but {why}", self.name(key)),
                None => format!(
                    "`{}` must be a date like 2024-05-01 or an RFC 3339 date-time like 2024-05-01T09:30:00Z, found `{text}`",
                    self.name(key)
                ),
            };
            return Err(Located::new(self.line_of(key), 1, message));
        }
        Ok(Some(text))
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
    fn keys_one_edit_from_a_known_one_are_kept_and_flagged() {
        let m = meta(
            "---\ntitel: Hi\nmood: calm\nvenues:\n  forum:\n    Summary: S\n    tone: loud\n---\n",
        )
        .unwrap();
        assert_eq!(m.title, None);
        assert_eq!(m.extra["titel"], Value::String("Hi".into()), "still kept");
        assert_eq!(
            m.misspelt,
            [
                Misspelt {
                    line: 2,
                    key: "titel".into(),
                    known: "title"
                },
                Misspelt {
                    line: 6,
                    key: "venues.forum.Summary".into(),
                    known: "summary"
                },
            ]
        );
    }

    #[test]
    fn numbers_are_accepted_as_text() {
        let m = meta("---\ntitle: 1984\n---\n").unwrap();
        assert_eq!(m.title.as_deref(), Some("1984"));
    }

    #[test]
    fn venues_as_a_list_restricts_and_as_a_map_overrides() {
        let m = meta("---\nvenues: [forum, blog]\n---\n").unwrap();
        assert_eq!(
            m.venues.as_deref(),
            Some(&["forum".to_string(), "blog".into()][..])
        );
        assert!(m.overrides.is_empty());
        let m = meta("---\nvenues: forum, blog\n---\n").unwrap();
        assert_eq!(m.venues.unwrap(), ["forum", "blog"]);

        let m = meta(
            "---\ntitle: Top\nvenues:\n  forum:\n    title: For the forum\n    tags: [a, b]\n    mood: chatty\n  newsletter: {summary: Short., url: https://e.com/n/}\n---\n",
        )
        .unwrap();
        assert_eq!(m.venues, None, "a map does not restrict the venues");
        assert_eq!(m.title.as_deref(), Some("Top"));
        let forum = &m.overrides["forum"];
        assert_eq!(forum.title.as_deref(), Some("For the forum"));
        assert_eq!(
            forum.tags.as_deref(),
            Some(&["a".to_string(), "b".into()][..])
        );
        assert_eq!(forum.extra["mood"], Value::String("chatty".into()));
        assert_eq!(forum.line, 4);
        let newsletter = &m.overrides["newsletter"];
        assert_eq!(newsletter.summary.as_deref(), Some("Short."));
        assert_eq!(
            newsletter.canonical_url.as_deref(),
            Some("https://e.com/n/")
        );
        assert_eq!(newsletter.line, 8);
    }

    #[test]
    fn an_override_is_merged_over_the_top_level_values() {
        let m = meta(
            "---\ntitle: Top\nsummary: Top summary.\ntags: [x]\nmood: calm\nvenues:\n  forum: {title: Forum title, tags: [], mood: loud, extra_key: 1}\n---\n",
        )
        .unwrap();
        let forum = m.overrides["forum"].apply(&m);
        assert_eq!(forum.title.as_deref(), Some("Forum title"));
        assert_eq!(forum.summary.as_deref(), Some("Top summary."), "kept");
        assert!(forum.tags.is_empty(), "`tags: []` clears them");
        assert_eq!(forum.extra["mood"], Value::String("loud".into()));
        assert!(forum.extra.contains_key("extra_key"));
        assert!(forum.overrides.contains_key("forum"));
    }

    #[test]
    fn override_errors_name_the_key_and_its_line() {
        let err = meta("---\ntitle: T\nvenues:\n  forum:\n    slug: other\n---\n").unwrap_err();
        assert_eq!(err.line, 5);
        assert!(
            err.message.starts_with(
                "`venues.forum.slug` cannot be set per venue: the slug cannot differ per venue"
            ),
            "{}",
            err.message
        );
        let err = meta("---\nvenues: {blog: {skip_venues: [forum]}}\n---\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message
                .contains("`venues.blog.skip_venues` cannot be set per venue")
        );

        let err = meta("---\nvenues:\n  blog:\n    title: ok\n  forum:\n    date: soon\n---\n")
            .unwrap_err();
        assert_eq!(err.line, 6);
        assert!(
            err.message
                .starts_with("`venues.forum.date` must be a date"),
            "{}",
            err.message
        );
        let err = meta("---\nvenues:\n  forum:\n    tags: {a: 1}\n---\n").unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(
            err.message,
            "`venues.forum.tags` must be a list or a comma-separated string, found a map"
        );
        let err = meta("---\nvenues:\n  forum: loud\n---\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.starts_with("`venues.forum` must be a map"),
            "{}",
            err.message
        );
        let err = meta("---\nvenues: 3\n---\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message
                .starts_with("`venues` must be a list of the only venues to build, or a map"),
            "{}",
            err.message
        );
    }

    #[test]
    fn keys_are_found_on_their_own_line_under_their_parent() {
        let yaml =
            "title: venues\nvenues:\n  blog:\n    title: B\n  forum:\n    title: F\nquestion: q\n";
        let line = crate::yaml::lines::key_line;
        assert_eq!(line(yaml, &["venues"]), 2);
        assert_eq!(line(yaml, &["venues", "forum", "title"]), 6);
        assert_eq!(line(yaml, &["venues", "blog", "title"]), 4);
        // Not there: the line of what is.
        assert_eq!(line(yaml, &["venues", "article"]), 2);
        assert_eq!(
            line(
                "venues: {\"forum\": {title: x}}\n",
                &["venues", "forum", "title"]
            ),
            1
        );
    }
}
