//! A template's settings: the YAML in its `{#--- … ---#}` header comment.

use serde::Deserialize;

use crate::error::Located;
use crate::render::{FootnoteStyle, Format, LinkStyle, RawHtml};

/// Opens a header; the template starts with it.
const OPEN: &str = "{#---";
/// Closes a header.
const CLOSE: &str = "---#}";

/// Settings from a template header, with the defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// One line for `repurpose venues`.
    pub description: String,
    /// The body format; `None` means "from the file extension".
    pub body: Option<Format>,
    /// Longest output, in characters, before `check` warns.
    pub max_chars: Option<usize>,
    /// Longest output, in words, before `check` warns.
    pub max_words: Option<usize>,
    /// Words in `post.excerpt`; set means "the venue shows the excerpt, not the body".
    pub excerpt_words: Option<usize>,
    /// Added to every heading level in the body (whose top level is 2).
    pub heading_offset: i8,
    /// Text width for the text format and the `wrap` filter's default.
    pub wrap: usize,
    /// How the text format shows links.
    pub links: LinkStyle,
    /// `utm_*` parameters for links to the writer's own site, in the header's order;
    /// `{slug}` in a value is replaced by the post's slug.
    pub utm: Vec<(String, String)>,
    /// Take the closing question out of `body` / `post.outro` (the template places
    /// `post.question` itself).
    pub lift_question: bool,
    /// What HTML formats do with the writer's raw HTML (email never keeps it verbatim).
    pub raw_html: RawHtml,
    /// The keys `repurpose.yaml` set for this venue (`venues.<name>`), over the header's:
    /// messages about a value say where it came from.
    pub configured: Vec<&'static str>,
    /// How many characters each URL counts for in `thread` (`23` on X and Mastodon, which
    /// shorten links); `None` counts URLs whole, as Bluesky does.
    pub url_length: Option<usize>,
    /// How the markdown format writes footnotes.
    pub footnotes: FootnoteStyle,
}

/// `excerpt_words` when the header does not set it.
pub const EXCERPT_WORDS: usize = 55;

impl Default for Header {
    fn default() -> Self {
        Header {
            description: String::new(),
            body: None,
            max_chars: None,
            max_words: None,
            excerpt_words: None,
            heading_offset: 0,
            wrap: 72,
            links: LinkStyle::Numbered,
            utm: Vec::new(),
            lift_question: false,
            raw_html: RawHtml::Keep,
            configured: Vec::new(),
            url_length: None,
            footnotes: FootnoteStyle::Native,
        }
    }
}

/// The header as written; unknown keys are errors.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    description: Option<String>,
    body: Option<String>,
    max_chars: Option<usize>,
    max_words: Option<usize>,
    excerpt_words: Option<usize>,
    heading_offset: Option<i8>,
    wrap: Option<usize>,
    links: Option<String>,
    utm: Option<serde_yaml::Mapping>,
    lift_question: Option<bool>,
    raw_html: Option<String>,
    url_length: Option<usize>,
    footnotes: Option<String>,
}

/// Reads the header at the top of a template, if it has one.
pub fn parse(template: &str) -> Result<Header, Located> {
    let Some(rest) = template.trim_start_matches('\u{feff}').strip_prefix(OPEN) else {
        return Ok(Header::default());
    };
    let Some(end) = rest.find(CLOSE) else {
        return Err(Located::new(
            1,
            1,
            format!(
                "the header opened with `{OPEN}` is never closed; end it with a line `{CLOSE}`"
            ),
        ));
    };
    let yaml = &rest[..end];
    if yaml.trim().is_empty() {
        return Ok(Header::default());
    }
    let raw: Raw = serde_yaml::from_str(yaml).map_err(|e| {
        let mut err = crate::error::yaml(&e, 1, "invalid template header");
        if !err.message.contains("expected one of") {
            err.message.push_str(" (known keys: description, body, max_chars, max_words, excerpt_words, heading_offset, wrap, links, utm, lift_question, raw_html, url_length, footnotes)");
        }
        err
    })?;
    let line_of = |key: &str| crate::yaml::lines::key_line(yaml, &[key]);
    let body = match raw.body.as_deref() {
        None => None,
        Some(name) => Some(Format::from_name(name).ok_or_else(|| {
            Located::new(
                line_of("body"),
                1,
                format!(
                    "unknown body format `{name}`; use one of: {}",
                    Format::ALL.map(Format::name).join(", ")
                ),
            )
        })?),
    };
    let links = match raw.links.as_deref() {
        None | Some("numbered") => LinkStyle::Numbered,
        Some("inline") => LinkStyle::Inline,
        Some(other) => {
            return Err(Located::new(
                line_of("links"),
                1,
                format!("unknown links style `{other}`; use `numbered` or `inline`"),
            ));
        }
    };
    let raw_html = match raw.raw_html.as_deref() {
        None => RawHtml::Keep,
        Some(name) => RawHtml::from_name(name).ok_or_else(|| {
            Located::new(
                line_of("raw_html"),
                1,
                format!("unknown raw_html handling `{name}`; use `keep`, `sanitize` or `text`"),
            )
        })?,
    };
    if raw.url_length == Some(0) {
        return Err(Located::new(
            line_of("url_length"),
            1,
            "`url_length` must be at least 1: the characters a network counts for each link (23 on X and Mastodon); leave it out to count links whole, as Bluesky does",
        ));
    }
    let footnotes = match raw.footnotes.as_deref() {
        None => FootnoteStyle::Native,
        Some(name) => FootnoteStyle::from_name(name).ok_or_else(|| {
            Located::new(
                line_of("footnotes"),
                1,
                format!("unknown footnotes style `{name}`; use `native` or `list`"),
            )
        })?,
    };
    let utm = match raw.utm {
        None => Vec::new(),
        Some(map) => map
            .into_iter()
            .map(|(k, v)| match (k.as_str(), v.as_str()) {
                (Some(k), Some(v)) => Ok((k.to_string(), v.to_string())),
                _ => Err(Located::new(
                    line_of("utm"),
                    1,
                    "`utm` must map parameter names to text, like `utm_source: newsletter`",
                )),
            })
            .collect::<Result<_, _>>()?,
    };
    let defaults = Header::default();
    Ok(Header {
        description: raw.description.unwrap_or_default().trim().to_string(),
        body,
        max_chars: raw.max_chars,
        max_words: raw.max_words,
        excerpt_words: raw.excerpt_words,
        heading_offset: raw.heading_offset.unwrap_or(0),
        wrap: raw.wrap.unwrap_or(defaults.wrap).max(20),
        links,
        utm,
        lift_question: raw.lift_question.unwrap_or(false),
        raw_html,
        configured: Vec::new(),
        url_length: raw.url_length,
        footnotes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let h = parse(
            "{#---\ndescription: Thread starter\nbody: bbcode\nmax_chars: 20000\nexcerpt_words: 30\nheading_offset: 1\nwrap: 60\nlinks: inline\nutm:\n  utm_source: forum\nlift_question: true\nraw_html: sanitize\nurl_length: 23\nfootnotes: list\n---#}\nrest",
        )
        .unwrap();
        assert_eq!(h.description, "Thread starter");
        assert_eq!(h.body, Some(Format::Bbcode));
        assert_eq!(h.max_chars, Some(20000));
        assert_eq!(h.excerpt_words, Some(30));
        assert_eq!(h.heading_offset, 1);
        assert_eq!(h.wrap, 60);
        assert_eq!(h.links, LinkStyle::Inline);
        assert_eq!(h.utm, [("utm_source".to_string(), "forum".to_string())]);
        assert!(h.lift_question);
        assert_eq!(h.raw_html, RawHtml::Sanitize);
        assert_eq!(h.url_length, Some(23));
        assert_eq!(h.footnotes, FootnoteStyle::List);
    }

    #[test]
    fn no_header_means_defaults() {
        assert_eq!(parse("Hello {{ post.title }}").unwrap(), Header::default());
    }

    #[test]
    fn unknown_keys_are_errors() {
        let err = parse("{#---\ndescription: x\nmax_char: 5\n---#}\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("unknown field `max_char`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_body_format_is_an_error() {
        let err = parse("{#---\nbody: rtf\n---#}\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("unknown body format `rtf`"));
    }

    #[test]
    fn url_length_must_be_positive_and_footnotes_known() {
        let err = parse("{#---\nmax_chars: 280\nurl_length: 0\n---#}\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("`url_length` must be at least 1"),
            "{}",
            err.message
        );
        let err = parse("{#---\nurl_length: short\n---#}\n").unwrap_err();
        assert!(err.message.contains("url_length"), "{}", err.message);
        let err = parse("{#---\nfootnotes: endnotes\n---#}\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message
                .contains("unknown footnotes style `endnotes`; use `native` or `list`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unclosed_header_is_an_error() {
        assert!(parse("{#---\nbody: html\n").is_err());
    }
}
