//! The preview page: every venue of one post side by side, with counts against limits and
//! the venue's warnings, in one self-contained HTML file.

use std::collections::HashMap;

use anyhow::Result;
use serde::Serialize;

use crate::config::Site;
use crate::post::Post;
use crate::render::Format;
use crate::venue::Rendered;
use crate::venue::{Output, Venue};

/// The page template; Tera escapes every value unless the template says `safe`.
const TEMPLATE: &str = include_str!("page.html.tera");

/// What marks a file as a preview page, in its head: every page since the first carries
/// it, so `preview` replaces an earlier page of any version and no file of the writer's.
const MARKER: &[u8] = br#"<meta name="generator" content="repurpose "#;

/// How far into a file the marker is looked for.
pub const MARKER_WITHIN: u64 = 1024;

/// `repurpose <version>`, the page's `generator`; it begins with `MARKER`'s content.
fn generator() -> String {
    format!("repurpose {}", env!("CARGO_PKG_VERSION"))
}

/// Whether `head`, the start of an existing file, is a preview page's.
pub fn is_preview(head: &[u8]) -> bool {
    head.windows(MARKER.len()).any(|w| w == MARKER)
}

/// One venue's panel: what it rendered for the post and what `check` says about it.
#[derive(Debug)]
pub struct VenuePanel<'a> {
    /// The venue.
    pub venue: &'a Venue,
    /// Its outputs for this post, in the venue's order (a failed one is missing).
    pub outputs: Vec<&'a Rendered>,
    /// Warnings for this venue and post, one line each.
    pub warnings: &'a [String],
}

/// What else the page says about the run.
#[derive(Debug, Default)]
pub struct Notes {
    /// Venues the post's front matter leaves out (`venues:` / `skip_venues:`).
    pub skipped: Vec<String>,
    /// Templates that failed, each message naming the file.
    pub problems: Vec<String>,
    /// Warnings about the post as a whole (a parse that needed a second try).
    pub warnings: Vec<String>,
}

/// Characters, words and bytes of one output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    /// Characters (Unicode scalar values) of the file as written.
    pub chars: usize,
    /// Words a reader sees: markup (HTML tags, BBCode tags) left out.
    pub words: usize,
    /// Bytes of the file as written.
    pub bytes: usize,
}

impl Counts {
    /// The counts of `text`, an output in `format`.
    pub fn of(format: Format, text: &str) -> Counts {
        // Counted as `repurpose check` counts them, so the two agree about limits.
        Counts {
            chars: crate::findings::count_chars(text),
            words: crate::findings::count_words(text, format),
            bytes: text.len(),
        }
    }
}

#[derive(Debug, Serialize)]
struct PageView<'a> {
    title: &'a str,
    slug: &'a str,
    source: String,
    date: Option<&'a str>,
    author: Option<&'a str>,
    word_count: usize,
    reading_time: usize,
    canonical_url: Option<String>,
    generator: String,
    venues: Vec<VenueView<'a>>,
    skipped: &'a [String],
    problems: &'a [String],
    warnings: &'a [String],
}

#[derive(Debug, Serialize)]
struct VenueView<'a> {
    name: &'a str,
    description: &'a str,
    warnings: &'a [String],
    outputs: Vec<OutputView<'a>>,
}

/// How an output is shown.
#[derive(Debug, Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    /// HTML in a sandboxed frame, its source below.
    Frame,
    /// BBCode rendered as a forum would, and as written.
    Bbcode,
    /// Text as written.
    Text,
}

#[derive(Debug, Serialize)]
struct OutputView<'a> {
    file: &'a str,
    format: &'static str,
    kind: Kind,
    /// As written.
    text: &'a str,
    /// Frame: the document for `srcdoc`; BBCode: the HTML a forum would show.
    html: String,
    /// Why the frame shows nothing, when the HTML could not be prepared.
    note: Option<String>,
    counts: Vec<CountView>,
}

#[derive(Debug, Serialize)]
struct CountView {
    what: &'static str,
    value: String,
    limit: Option<String>,
    /// Of the limit, for the bar; at most 100.
    percent: usize,
    over: Option<String>,
}

/// The whole page for `post`.
pub fn render(
    post: &Post,
    site: &Site,
    panels: &[VenuePanel<'_>],
    notes: &Notes,
) -> Result<String> {
    let venues = panels
        .iter()
        .map(|panel| VenueView {
            name: &panel.venue.name,
            description: panel.venue.description(),
            warnings: panel.warnings,
            outputs: panel
                .outputs
                .iter()
                .filter_map(|rendered| {
                    let output = panel
                        .venue
                        .outputs
                        .iter()
                        .find(|o| o.file == rendered.file)?;
                    Some(output_view(
                        rendered,
                        output,
                        &inline_images(post, site, output),
                    ))
                })
                .collect(),
        })
        .collect();
    let view = PageView {
        title: &post.title,
        slug: &post.slug,
        source: post.source.display().to_string(),
        date: post.date_text(),
        author: post.meta.author.as_deref().or(site.author()),
        word_count: post.word_count,
        reading_time: post.reading_time(),
        canonical_url: post.canonical_url(site.url()),
        generator: generator(),
        venues,
        skipped: &notes.skipped,
        problems: &notes.problems,
        warnings: &notes.warnings,
    };
    let mut tera = tera::Tera::new();
    tera.autoescape_on([".html"]);
    let rendered = tera
        .add_raw_template("preview.html", TEMPLATE)
        .and_then(|()| tera::Context::from_serialize(&view))
        .and_then(|ctx| tera.render("preview.html", &ctx))
        .map_err(|e| {
            anyhow::anyhow!(
                "the preview page template failed:\n{}",
                crate::venue::tera_report(&e)
            )
        })?;
    Ok(rendered)
}

/// The largest image the preview carries inside the page; a larger one shows its alt text.
const INLINE_BYTES: usize = 4 << 20;

/// The post's own images as the HTML output links them, each with a `data:` URL of the
/// file it links: the frame cannot load the media folder (`file:`) or the site (the
/// network), so the page carries them.
fn inline_images(post: &Post, site: &Site, output: &Output) -> HashMap<String, String> {
    use base64::Engine as _;
    if !matches!(output.format, Format::Html | Format::Email) || post.media.is_empty() {
        return HashMap::new();
    }
    let needs = output.header.image_needs();
    let refs = post
        .media
        .refs(&needs, site.media_base(&post.slug).as_deref());
    refs.iter()
        .filter_map(|(dest, link)| {
            let image = post.media.get(dest)?;
            let (bytes, format) = match post.media.copy_for(image, &needs) {
                Some(made) => (&made.bytes, made.format),
                None => (&image.bytes, image.probed.format),
            };
            (bytes.len() <= INLINE_BYTES).then(|| {
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                (
                    link.url.clone(),
                    format!("data:{};base64,{data}", format.mime()),
                )
            })
        })
        .collect()
}

fn output_view<'a>(
    rendered: &'a Rendered,
    output: &Output,
    images: &HashMap<String, String>,
) -> OutputView<'a> {
    let (format, header) = (output.format, &output.header);
    // Outputs are rendered from `String`s, so this never falls back in practice.
    let text = std::str::from_utf8(&rendered.bytes).unwrap_or_default();
    let counts = Counts::of(format, text);
    let (kind, html, note) = match format {
        Format::Html | Format::Email => match super::frame::for_frame(text, images) {
            Ok(html) => (Kind::Frame, html, None),
            Err(err) => (
                Kind::Frame,
                String::new(),
                Some(format!(
                    "not shown: the HTML could not be prepared for the preview ({err}); its source is below"
                )),
            ),
        },
        Format::Bbcode => (Kind::Bbcode, super::bbcode::to_html(text), None),
        Format::Text | Format::Markdown => (Kind::Text, String::new(), None),
    };
    OutputView {
        file: &rendered.file,
        format: format.name(),
        kind,
        text,
        html,
        note,
        counts: vec![
            count("characters", counts.chars, output.file_max_chars()),
            count("words", counts.words, header.max_words),
            count("bytes", counts.bytes, None),
        ],
    }
}

fn count(what: &'static str, value: usize, limit: Option<usize>) -> CountView {
    CountView {
        what,
        value: thousands(value),
        limit: limit.map(thousands),
        percent: limit.map_or(0, |l| (value.saturating_mul(100) / l.max(1)).min(100)),
        over: limit.filter(|&l| value > l).map(|l| thousands(value - l)),
    }
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_earlier_page_is_a_preview_and_a_site_page_is_not() {
        let earlier = b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
            <meta name=\"generator\" content=\"repurpose 0.1.0\">\n<title>Preview: A</title>";
        assert!(is_preview(earlier));
        assert!(!is_preview(b"<h1>my real homepage</h1>\n"));
        assert!(!is_preview(
            b"<meta name=\"generator\" content=\"Hugo 0.120\">"
        ));
        assert!(!is_preview(b""));
    }

    #[test]
    fn the_marker_is_early_in_the_page() {
        // The page's own marker is found within the bytes `preview` reads of an old page.
        let line = r#"<meta name="generator" content="{{ generator }} preview">"#;
        let at = TEMPLATE
            .find(line)
            .expect("the template carries the marker");
        assert!(at + MARKER.len() < MARKER_WITHIN as usize, "{at}");
        let rendered = line.replace("{{ generator }}", &generator());
        assert!(is_preview(rendered.as_bytes()));
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(20000), "20,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn counts_leave_markup_out_of_words_only() {
        let html = "<p class=\"x\">Two words</p>\n";
        assert_eq!(
            Counts::of(Format::Html, html),
            Counts {
                chars: 27,
                words: 2,
                bytes: 27
            }
        );
        assert_eq!(Counts::of(Format::Bbcode, "[b]Bold[/b] é\n").words, 2);
        assert_eq!(Counts::of(Format::Bbcode, "[b]Bold[/b] é\n").bytes, 15);
        assert_eq!(Counts::of(Format::Text, "a b  c\n").words, 3);
    }

    #[test]
    fn a_count_over_its_limit_says_by_how_much() {
        let c = count("characters", 20_500, Some(20_000));
        assert_eq!(c.over.as_deref(), Some("500"));
        assert_eq!(c.percent, 100);
        let c = count("characters", 5_000, Some(20_000));
        assert_eq!((c.over, c.percent), (None, 25));
        assert_eq!(count("bytes", 3, None).limit, None);
    }
}
