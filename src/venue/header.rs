//! A template's header: the YAML in its `{#--- … ---#}` comment, read as venue settings.

pub use super::settings::Header;
use super::settings::{self, Source};
use crate::error::Located;
use crate::yaml::Reader;

/// Opens a header; the template starts with it.
const OPEN: &str = "{#---";
/// Closes a header.
const CLOSE: &str = "---#}";

/// `excerpt_words` when the header does not set it.
pub const EXCERPT_WORDS: usize = 55;

/// Reads the header at the top of a template, if it has one, over the defaults.
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
    // The YAML starts right after `{#---`: on the next line when nothing follows it.
    let (yaml, first_line) = match rest[..end].split_once('\n') {
        Some((head, tail)) if head.trim().is_empty() => (tail, 2),
        _ => (&rest[..end], 1),
    };
    let mut header = Header::default();
    if yaml.trim().is_empty() {
        return Ok(header);
    }
    let map = crate::yaml::parse_map(
        yaml,
        first_line,
        crate::yaml::bounds::TEMPLATE_HEADER,
        "invalid template header",
        |other| {
            format!(
                "the template header must be a map of `key: value` lines, found {}",
                crate::yaml::kind(other)
            )
        },
    )?;
    settings::read(
        &mut header,
        &map,
        Source::Header,
        &Reader::new(yaml, first_line),
        &[],
    )?;
    Ok(header)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{FootnoteStyle, Format, LinkStyle, RawHtml};

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
    fn a_description_yaml_reads_as_a_number_is_kept_as_written() {
        // serde read any plain scalar into the description; the settings table does too.
        assert_eq!(
            parse("{#---\ndescription: 2024\n---#}\nx")
                .unwrap()
                .description,
            "2024"
        );
        assert_eq!(
            parse("{#---\ndescription: true\n---#}\nx")
                .unwrap()
                .description,
            "true"
        );
    }

    #[test]
    fn a_header_that_is_not_a_map_is_placed_on_its_first_line() {
        let err = parse("{#---\n[a, b]\n---#}\nx").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1), "{}", err.message);
        assert!(err.message.ends_with("found a list"), "{}", err.message);
        // A syntax error keeps its place in the file.
        let err = parse("{#---\ndescription: x\nwrap: [1\n---#}\nx").unwrap_err();
        assert_eq!(err.line, 4, "{}", err.message);
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
            err.message
                .starts_with("unknown key `max_char` (known: description, body, "),
            "{}",
            err.message
        );
    }

    #[test]
    fn unknown_body_format_is_an_error() {
        let err = parse("{#---\nbody: rtf\n---#}\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(
            err.message,
            "`body` must be `html`, `email`, `text`, `bbcode` or `markdown`, found the text `rtf`"
        );
    }

    #[test]
    fn url_length_must_be_positive_and_footnotes_known() {
        let err = parse("{#---\nmax_chars: 280\nurl_length: 0\n---#}\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message
                .starts_with("`url_length` must be a whole number of at least 1"),
            "{}",
            err.message
        );
        let err = parse("{#---\nurl_length: short\n---#}\n").unwrap_err();
        assert!(err.message.contains("url_length"), "{}", err.message);
        let err = parse("{#---\nfootnotes: endnotes\n---#}\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message
                .contains("`footnotes` must be `native` or `list`, found the text `endnotes`"),
            "{}",
            err.message
        );
    }

    #[test]
    fn unclosed_header_is_an_error() {
        assert!(parse("{#---\nbody: html\n").is_err());
    }

    #[test]
    fn header_errors_read_as_the_configurations_do() {
        let err = parse(
            "{#---
utm:
  utm_source: 5
---#}
",
        )
        .unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(
            err.message,
            "`utm.utm_source` must be text (quote it: \"…\") or ~ to remove the parameter, found the number `5`"
        );
        let err = parse(
            "{#---
max_words: lots
---#}
",
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "`max_words` must be a whole number, found the text `lots`"
        );
        let err = parse(
            "{#---
- a list
---#}
",
        )
        .unwrap_err();
        assert_eq!(
            err.message,
            "the template header must be a map of `key: value` lines, found a list"
        );
    }
}
