//! Template filters beyond Tera's own: `wrap`, `excerpt`, `slugify`, `date`, `utm`,
//! `markdown_to`, `json_encode`, `escape_bbcode`, `escape_markdown`, `markdown_link`,
//! `underline` and `display_url`.

// Tera calls filters as `fn(value, Kwargs, &State)`, by value.
#![allow(clippy::needless_pass_by_value)]

use tera::{Error, Kwargs, State, StringInput, Tera, TeraResult, Value};

use crate::post::sentences::{last_sentence_within, word_count};
use crate::render::{Format, RenderOptions};

/// Registers every filter on a Tera instance.
pub fn register(tera: &mut Tera) {
    tera.register_filter("wrap", wrap);
    tera.register_filter("excerpt", excerpt);
    tera.register_filter("slugify", |s: &str, _: Kwargs, _: &State| {
        crate::slug::slugify(s)
    });
    tera.register_filter("date", date);
    tera.register_filter("utm", utm);
    tera.register_filter("markdown_to", markdown_to);
    tera.register_filter("json_encode", json_encode);
    tera.register_filter("underline", underline);
    tera.register_filter("escape_markdown", |s: &str, _: Kwargs, _: &State| {
        crate::render::escape_markdown(s)
    });
    tera.register_filter("markdown_link", markdown_link);
    tera.register_filter("display_url", |s: &str, _: Kwargs, _: &State| {
        display_url(s)
    });
    tera.register_filter("escape_bbcode", |s: StringInput, _: Kwargs, _: &State| {
        if s.is_safe() {
            s.into_value()
        } else {
            Value::safe_string(&Format::Bbcode.escape_plain(s.as_str()).unwrap_or_default())
        }
    });
}

/// `wrap(width=72, indent="")`: wraps each paragraph of plain text at `width` columns,
/// never breaking a word; lines already separated by newlines stay separate.
fn wrap(s: StringInput, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let width = kwargs.get::<usize>("width")?.unwrap_or(72).max(1);
    let indent = kwargs.get::<&str>("indent")?.unwrap_or("");
    let options = textwrap::Options::new(width)
        .initial_indent(indent)
        .subsequent_indent(indent)
        .break_words(false);
    let wrapped = s
        .as_str()
        .split('\n')
        .map(|line| {
            if line.trim().is_empty() {
                String::new()
            } else {
                textwrap::fill(line, &options)
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Ok(s.inherit_safety(wrapped))
}

/// `excerpt(words=55)`: the opening whole sentences of a plain-text string, at most
/// `words` words; a first sentence longer than that is cut at a word with `…`.
fn excerpt(s: StringInput, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let limit = kwargs.get::<usize>("words")?.unwrap_or(55);
    let text = s.as_str().trim();
    if word_count(text) <= limit {
        return Ok(s.inherit_safety(text.to_string()));
    }
    let out = match last_sentence_within(text, limit) {
        Some(end) => text[..end].to_string(),
        None => {
            let words: Vec<&str> = text.split_whitespace().take(limit.max(1)).collect();
            format!("{}…", words.join(" "))
        }
    };
    Ok(s.inherit_safety(out))
}

/// `date(format="%B %-d, %Y")`: formats a `YYYY-MM-DD` or RFC 3339 date.
fn date(s: &str, kwargs: Kwargs, _: &State) -> TeraResult<String> {
    let pattern = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let parsed = crate::date::parse(s).ok_or_else(|| {
        Error::message(format!(
            "`date` filter: `{s}` is not a date like 2024-05-01 or an RFC 3339 date-time"
        ))
    })?;
    crate::date::format(&parsed, pattern).ok_or_else(|| {
        Error::message(format!(
            "`date` filter: `{pattern}` is not a valid strftime format"
        ))
    })
}

/// `utm(source=…, medium=…, campaign=…)`: adds `utm_*` parameters to a URL. With no
/// arguments it adds the venue's own (`venue.utm`, from the template header).
fn utm(url: &str, kwargs: Kwargs, state: &State) -> TeraResult<String> {
    let mut params: Vec<(String, String)> = Vec::new();
    for name in ["source", "medium", "campaign", "term", "content"] {
        if let Some(value) = kwargs.get::<&str>(name)? {
            params.push((format!("utm_{name}"), value.to_string()));
        }
    }
    if params.is_empty()
        && let Some(venue) = state.get::<Value>("venue")?
        && let Some(map) = venue.get_from_path("utm").and_then(Value::as_map)
    {
        for (key, value) in map {
            if let Some(v) = value.as_str() {
                params.push((key.to_string(), v.to_string()));
            }
        }
    }
    if url.is_empty() || params.is_empty() {
        return Ok(url.to_string());
    }
    Ok(crate::markdown::add_query(url, &params))
}

/// `markdown_to(format="bbcode")`: renders a Markdown string (a front-matter field, say)
/// in one of the body formats. The result is markup, so it is not escaped again.
fn markdown_to(s: &str, kwargs: Kwargs, state: &State) -> TeraResult<Value> {
    let name = match kwargs.get::<&str>("format")? {
        Some(name) => name.to_string(),
        None => state
            .get::<Value>("venue")?
            .and_then(|v| {
                v.get_from_path("format")
                    .and_then(Value::as_str)
                    .map(String::from)
            })
            .unwrap_or_else(|| "html".to_string()),
    };
    let format = Format::from_name(&name).ok_or_else(|| {
        Error::message(format!(
            "`markdown_to`: unknown format `{name}`; use one of: {}",
            Format::ALL.map(Format::name).join(", ")
        ))
    })?;
    let events = crate::markdown::parse::events(s);
    Ok(Value::safe_string(
        &format.render(&events, &RenderOptions::default()),
    ))
}

/// `markdown_link(url=…)`: the text as a Markdown link to `url`, written by the markdown
/// format so neither can break out (`<url>` when the text is the URL itself). A URL that
/// may never be a link (`javascript:` …) leaves the text alone, escaped.
fn markdown_link(text: &str, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
    let url = kwargs.must_get::<&str>("url")?;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let events = [
        Event::Start(Tag::Paragraph),
        Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: CowStr::from(url.to_string()),
            title: CowStr::from(""),
            id: CowStr::from(""),
        }),
        Event::Text(flat.into()),
        Event::End(TagEnd::Link),
        Event::End(TagEnd::Paragraph),
    ];
    Ok(Value::safe_string(
        &Format::Markdown.render(&events, &RenderOptions::default()),
    ))
}

/// `underline(with="=")`: the text, then a line of `with` as wide as its widest line.
fn underline(s: StringInput, kwargs: Kwargs, _: &State) -> TeraResult<Value> {
    let with = kwargs.get::<&str>("with")?.unwrap_or("-");
    let width = s
        .as_str()
        .lines()
        .map(textwrap::core::display_width)
        .max()
        .unwrap_or(0);
    let line = with.repeat(width.div_ceil(with.chars().count().max(1)));
    let line: String = line.chars().take(width).collect();
    Ok(s.inherit_safety(format!("{}\n{line}", s.as_str())))
}

/// `display_url`: a URL as people read it: no scheme, no `www.`, no trailing slash.
fn display_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    rest.trim_end_matches('/').to_string()
}

/// `json_encode`: the value as JSON; a string becomes a quoted, escaped string that is
/// also valid YAML (for front matter in Markdown venues).
fn json_encode(v: Value, _: Kwargs, _: &State) -> TeraResult<Value> {
    let json = serde_json::to_string(&v).map_err(|e| Error::message(e.to_string()))?;
    Ok(Value::safe_string(&yaml_safe_json(&json)))
}

/// JSON escapes only `"`, `\` and C0 controls, but YAML refuses DEL, the C1 controls,
/// U+FFFE and U+FFFF anywhere in a file, and reads NEL, U+2028 and U+2029 inside a quoted
/// string as line breaks it folds away. Each becomes a `\uXXXX` escape, which both read as
/// the same character. Outside strings JSON is plain ASCII, so only strings change.
fn yaml_safe_json(json: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if matches!(
            c,
            '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{fffe}' | '\u{ffff}'
        ) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    fn render(template: &str, ctx: &Context) -> String {
        let mut tera = Tera::new();
        register(&mut tera);
        tera.add_raw_template("t.txt", template).unwrap();
        tera.render("t.txt", ctx).unwrap()
    }

    #[test]
    fn wrap_filter_wraps_paragraphs() {
        let mut ctx = Context::new();
        ctx.insert("s", "one two three four\n\nfive six");
        assert_eq!(
            render("{{ s | wrap(width=9) }}", &ctx),
            "one two\nthree\nfour\n\nfive six"
        );
    }

    #[test]
    fn excerpt_filter_keeps_whole_sentences() {
        let mut ctx = Context::new();
        ctx.insert("s", "One two. Three four five. Six.");
        assert_eq!(render("{{ s | excerpt(words=4) }}", &ctx), "One two.");
        assert_eq!(render("{{ s | excerpt(words=1) }}", &ctx), "One…");
    }

    #[test]
    fn date_filter_formats() {
        let mut ctx = Context::new();
        ctx.insert("d", "2024-05-01");
        assert_eq!(
            render("{{ d | date(format=\"%d %B %Y\") }}", &ctx),
            "01 May 2024"
        );
    }

    #[test]
    fn utm_filter_uses_arguments_or_the_venue() {
        let mut ctx = Context::new();
        ctx.insert("u", "https://e.com/p/");
        let mut utm = std::collections::BTreeMap::new();
        utm.insert("utm_source", "nl");
        let mut venue = std::collections::BTreeMap::new();
        venue.insert("utm", utm);
        ctx.insert("venue", &venue);
        assert_eq!(
            render("{{ u | utm(source=\"x\", medium=\"y\") }}", &ctx),
            "https://e.com/p/?utm_source=x&utm_medium=y"
        );
        assert_eq!(
            render("{{ u | utm }}", &ctx),
            "https://e.com/p/?utm_source=nl"
        );
    }

    #[test]
    fn underline_and_display_url() {
        let mut ctx = Context::new();
        ctx.insert("t", "Café au lait");
        ctx.insert("u", "https://www.example.com/blog/x/");
        assert_eq!(
            render("{{ t | underline(with=\"=\") }}", &ctx),
            "Café au lait\n============"
        );
        assert_eq!(render("{{ u | display_url }}", &ctx), "example.com/blog/x");
    }

    #[test]
    fn escape_markdown_keeps_text_plain() {
        let mut ctx = Context::new();
        ctx.insert("t", "A <Field> Guide & *stars*\n---");
        assert_eq!(
            render("# {{ t | escape_markdown }}", &ctx),
            "# A \\<Field> Guide & \\*stars\\* \\-\\--"
        );
    }

    #[test]
    fn markdown_link_escapes_text_and_url() {
        let mut ctx = Context::new();
        ctx.insert("t", "a [b] *c*");
        ctx.insert("u", "https://e.com/a b/(c)>");
        ctx.insert("bad", "javascript:alert(1)");
        ctx.insert("same", "https://e.com/x/");
        assert_eq!(
            render("{{ t | markdown_link(url=u) }}", &ctx),
            "[a \\[b\\] \\*c\\*](<https://e.com/a b/(c)\\>>)"
        );
        assert_eq!(
            render("{{ t | markdown_link(url=bad) }}", &ctx),
            "a \\[b\\] \\*c\\*"
        );
        assert_eq!(
            render("{{ same | markdown_link(url=same) }}", &ctx),
            "<https://e.com/x/>"
        );
    }

    #[test]
    fn slugify_and_json_encode() {
        let mut ctx = Context::new();
        ctx.insert("t", "Say \"hi\"\n---");
        assert_eq!(render("{{ t | slugify }}", &ctx), "say-hi");
        assert_eq!(
            render("{{ t | json_encode }}", &ctx),
            "\"Say \\\"hi\\\"\\n---\""
        );
    }

    #[test]
    fn json_encode_escapes_what_yaml_refuses_or_folds() {
        // Found by fuzzing: a title `# \u{7f}` made the article's front matter invalid YAML.
        let title = "a\u{7f}b\u{85}c\u{9f}d\u{2028}e\u{2029}f\u{fffe}g\u{ffff}h\0i\u{feff}j";
        let mut ctx = Context::new();
        ctx.insert("t", title);
        let encoded = render("{{ t | json_encode }}", &ctx);
        assert_eq!(
            encoded,
            "\"a\\u007fb\\u0085c\\u009fd\\u2028e\\u2029f\\ufffeg\\uffffh\\u0000i\u{feff}j\""
        );
        let from_yaml: String = serde_yaml::from_str(&encoded).unwrap();
        assert_eq!(from_yaml, title);
        let from_json: String = serde_json::from_str(&encoded).unwrap();
        assert_eq!(from_json, title);
    }
}
