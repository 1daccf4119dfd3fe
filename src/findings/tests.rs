use std::path::Path;

use pretty_assertions::assert_eq;

use super::*;
use crate::config::Config;
use crate::venue::Catalog;

fn site(yaml: &str) -> Site {
    Config::parse(Path::new("r.yaml"), yaml).unwrap().site
}

/// Every finding for `text` as `p.md`, over the venues of `catalog`.
fn found_in(catalog: &Catalog, site: &Site, text: &str) -> Vec<Diagnostic> {
    let post = Post::parse(Path::new("p.md"), text).unwrap();
    let all: Vec<&Venue> = catalog.venues.iter().collect();
    let venues = crate::pipeline::wanted(&post, &all);
    let editions = crate::pipeline::editions(&post, &venues);
    let crate::pipeline::Outputs { outputs, failures } =
        crate::pipeline::render_post(&post, &editions, &venues, catalog, site);
    assert!(failures.is_empty(), "{failures:?}");
    diagnose(&post, &editions, &venues, site, &outputs)
}

/// The report lines for `text` with the built-in venues and a site URL.
fn report(text: &str) -> Vec<String> {
    let catalog = Catalog::load(None).unwrap();
    let site = site("site:\n  url: https://example.com\n");
    found_in(&catalog, &site, text)
        .iter()
        .map(|d| d.line_for(Path::new("p.md")))
        .collect()
}

/// A catalog of the built-ins plus `templates` (file name, text).
fn catalog_with(templates: &[(&str, &str)]) -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in templates {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let catalog = Catalog::load(Some(dir.path())).unwrap();
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    (dir, catalog)
}

const FRONT: &str = "---\ntitle: T\nsummary: S.\nquestion: Why?\n---\n";

#[test]
fn a_table_is_named_with_its_line_in_the_file() {
    let lines = report(&format!(
        "{FRONT}Intro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    ));
    assert_eq!(
        lines,
        [
            "warning: p.md:8: table rendered as preformatted text in forum",
            "note: p.md:8: table rendered as plain-text columns in newsletter.txt",
            "note: p.md:8: table rendered as one plain-text line a row in social",
        ]
    );
}

#[test]
fn lines_count_past_a_removed_title_heading() {
    let lines = report("# T\n\nIntro.\n\n~~gone~~\n");
    assert!(
        lines.contains(
            &"warning: p.md:5: struck-through text shown without its strikethrough in newsletter.txt"
                .to_string()
        ),
        "{lines:#?}"
    );
}

#[test]
fn a_venue_whose_files_agree_is_named_once_and_repeats_on_a_line_are_dropped() {
    let lines = report(&format!("{FRONT}Press <kbd>Ctrl</kbd> and <kbd>C</kbd>.\n"));
    assert_eq!(
        lines,
        [
            "warning: p.md:6: inline HTML reduced to its text in discourse",
            "warning: p.md:6: inline HTML reduced to its text in forum",
            "warning: p.md:6: inline HTML reduced to its text in newsletter",
            "warning: p.md:6: inline HTML reduced to its text in social",
        ]
    );
}

#[test]
fn a_venue_whose_files_differ_names_each_file() {
    let lines = report(&format!("{FRONT}<div>\n<b>Hi</b>\n</div>\n"));
    assert_eq!(
        lines,
        [
            "warning: p.md:6: raw HTML block reduced to its text in discourse",
            "warning: p.md:6: raw HTML block reduced to its text in forum",
            "warning: p.md:6: raw HTML block stripped of scripts, styles, forms, classes and ids in newsletter.html",
            "warning: p.md:6: raw HTML block reduced to its text in newsletter.txt",
            "warning: p.md:6: raw HTML block reduced to its text in social",
        ]
    );
}

#[test]
fn comments_and_plain_markdown_find_nothing() {
    let text = format!(
        "{FRONT}<!-- a draft note -->\n\nPlain *text* with [a link](https://e.org/) and ![alt](https://e.org/i.png).\n"
    );
    let lines = report(&text);
    assert_eq!(
        lines,
        ["note: p.md:8: image shown without its alt text in forum"]
    );
}

#[test]
fn relative_links_warn_only_when_no_base_url_is_known() {
    let text = "---\ntitle: T\nsummary: S\nquestion: Q?\n---\n[up](../about/), [part](#part), <hi@example.com>, <https://e.org/>\n";
    let catalog = Catalog::load(None).unwrap();
    let found = found_in(&catalog, &Site::default(), text);
    let relative: Vec<&str> = found
        .iter()
        .filter(|d| d.code == "relative-link")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        relative,
        [
            "relative link `../about/` stays relative outside the blog: set `site.url` in repurpose.yaml or `canonical_url` in the front matter",
            "relative link `#part` stays relative outside the blog: set `site.url` in repurpose.yaml or `canonical_url` in the front matter",
        ]
    );
    assert!(found.iter().all(|d| d.line == Some(6)));
    let with_site = found_in(&catalog, &site("site:\n  url: https://e.com\n"), text);
    assert!(with_site.iter().all(|d| d.code != "relative-link"));
    let canonical = text.replace("title: T", "title: T\ncanonical_url: https://e.com/t/");
    let with_canonical = found_in(&catalog, &Site::default(), &canonical);
    assert!(with_canonical.iter().all(|d| d.code != "relative-link"));
}

#[test]
fn empty_and_script_urls_and_images_without_alt_are_the_posts_own() {
    let lines = report(&format!(
        "{FRONT}An [empty]() link.\n\nA [bad](javascript:alert(1)) one.\n\n![](https://e.org/i.png)\n\n![pic](data:image/png;base64,xx)\n"
    ));
    assert_eq!(
        lines,
        [
            "warning: p.md:6: link `empty` has an empty URL; give it one or remove the link",
            "warning: p.md:8: link to a `javascript:` URL shown as its text only, in every venue",
            "warning: p.md:10: image `https://e.org/i.png` has no alt text: screen readers and the plain-text newsletter cannot describe it",
            "warning: p.md:12: image to a `data:` URL shown as its alt text only, in every venue",
        ]
    );
}

#[test]
fn a_footnote_defined_twice_names_the_first_definition() {
    let lines = report(&format!(
        "{FRONT}Claim[^a].\n\n[^a]: First.\n\n[^a]: Second.\n"
    ));
    assert_eq!(
        lines,
        [
            "warning: p.md:10: footnote `[^a]` is defined again; only its first definition (line 8) is used"
        ]
    );
    // The renderers agree: the first definition is the one shown.
    let post = Post::parse(
        Path::new("p.md"),
        "A[^a].\n\n[^a]: First.\n\n[^a]: Second.\n",
    )
    .unwrap();
    let text = crate::render::Format::Text.render(&post.events, &Default::default());
    assert!(
        text.contains("First.") && !text.contains("Second."),
        "{text}"
    );
}

#[test]
fn missing_summary_and_question_are_notes_for_the_venues_that_show_them() {
    let lines = report("---\ntitle: T\n---\nJust a statement.\n");
    assert_eq!(
        lines,
        [
            "note: p.md: no `question` in the front matter and the post does not end with one: article ends without inviting replies",
            "note: p.md: no `summary` in the front matter: blog uses the post's opening sentences as its summary",
            "note: p.md: no `question` in the front matter and the post does not end with one: discourse ends without inviting replies",
            "note: p.md: no `question` in the front matter and the post does not end with one: forum ends without inviting replies",
            "note: p.md: no `summary` in the front matter: hugo uses the post's opening sentences as its summary",
            "note: p.md: no `question` in the front matter and the post does not end with one: newsletter ends without inviting replies",
        ]
    );
    let found = report("---\ntitle: T\nsummary: S\n---\nDoes it end on a question?\n");
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn limits_warn_when_passed_and_note_when_nearly_reached() {
    let (dir, catalog) = catalog_with(&[
        (
            "short.txt.tera",
            "{#---\nbody: text\nmax_chars: 20\nmax_words: 3\n---#}\n{{ body }}",
        ),
        (
            "near.txt.tera",
            "{#---\nbody: text\nmax_chars: 12\n---#}\n{{ body }}",
        ),
    ]);
    let found = found_in(
        &catalog,
        &Site::default(),
        &format!("{FRONT}One two three four five six.\n"),
    );
    let limits: Vec<String> = found
        .iter()
        .filter(|d| d.code == "length")
        .map(|d| d.line_for(Path::new("p.md")))
        .collect();
    // "One two three four five six." and a newline: 29 characters, 6 words.
    let template = |name: &str| dir.path().join(name).display().to_string();
    assert_eq!(
        limits,
        [
            format!(
                "warning: p.md: near.txt is 29 characters, over its limit of 12 (`max_chars` in `{}`)",
                template("near.txt.tera")
            ),
            format!(
                "warning: p.md: short.txt is 29 characters, over its limit of 20 (`max_chars` in `{}`)",
                template("short.txt.tera")
            ),
            format!(
                "warning: p.md: short.txt is 6 words, over its limit of 3 (`max_words` in `{}`)",
                template("short.txt.tera")
            ),
        ]
    );
    let (_dir, catalog) = catalog_with(&[(
        "near.txt.tera",
        "{#---\nbody: text\nmax_chars: 30\n---#}\n{{ body }}",
    )]);
    let found = found_in(
        &catalog,
        &Site::default(),
        &format!("{FRONT}One two three four five six.\n"),
    );
    let near = found.iter().find(|d| d.code == "length").unwrap();
    assert_eq!(near.level, Level::Note);
    assert!(
        near.message
            .starts_with("near.txt is 29 characters, 96% of its limit of 30"),
        "{}",
        near.message
    );
}

#[test]
fn email_html_is_held_to_gmails_clipping_size_whatever_the_venue_is_called() {
    let (_dir, catalog) =
        catalog_with(&[("digest.html.tera", "{#---\nbody: email\n---#}\n{{ body }}")]);
    let para = "Word ".repeat(200) + "\n\n";
    let big = format!("{FRONT}{}", para.repeat(120));
    let found = found_in(&catalog, &Site::default(), &big);
    let clipped: Vec<(&str, Level)> = found
        .iter()
        .filter(|d| d.code == "gmail-clip")
        .map(|d| (d.file.as_deref().unwrap_or(""), d.level))
        .collect();
    assert_eq!(
        clipped,
        [
            ("digest.html", Level::Warning),
            ("newsletter.html", Level::Warning)
        ]
    );
    let small = found_in(&catalog, &Site::default(), &format!("{FRONT}Short.\n"));
    assert!(small.iter().all(|d| d.code != "gmail-clip"));
}

#[test]
fn words_leave_markup_out() {
    use crate::render::Format;
    assert_eq!(
        count_words(
            "[b]Two[/b] [url=https://e.org/x]words here[/url]",
            Format::Bbcode
        ),
        3
    );
    assert_eq!(
        count_words("[\u{2060}b]kept[\u{2060}/b] [1] - |", Format::Bbcode),
        2
    );
    assert_eq!(
        count_words("<p class=\"x\">One <em>two</em></p>", Format::Html),
        2
    );
    assert_eq!(
        count_words("## Heading\n\n- item\n\n* * *", Format::Markdown),
        2
    );
    assert_eq!(count_chars("é—🙂"), 3);
}

#[test]
fn every_construct_finding_has_a_line() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/every-construct.md"),
    )
    .unwrap();
    let catalog = Catalog::load(None).unwrap();
    let found = found_in(&catalog, &Site::default(), &text);
    assert!(found.len() > 10, "{found:#?}");
    for finding in &found {
        if matches!(
            finding.code,
            "degraded"
                | "relative-link"
                | "unsafe-url"
                | "empty-link"
                | "missing-alt"
                | "duplicate-footnote"
        ) {
            assert!(finding.line.is_some(), "{finding:?}");
        }
    }
}

#[test]
fn only_the_venues_a_post_wants_are_checked() {
    let lines = report(
        "---\ntitle: T\nsummary: S\nquestion: Q?\nvenues: [blog]\n---\n| a |\n|---|\n| 1 |\n",
    );
    assert_eq!(lines, Vec::<String>::new());
}

#[test]
fn the_guide_lists_every_degradation_the_renderers_report() {
    use crate::render::{Construct, Format, RawHtml};
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/check.md"))
        .unwrap();
    for format in Format::ALL {
        for raw in [RawHtml::Keep, RawHtml::Sanitize, RawHtml::Text] {
            for construct in Construct::ALL {
                let thread = crate::thread::degradation(construct);
                if let Some(d) = thread.filter(|d| !page.contains(d.what)) {
                    panic!(
                        "docs/check.md does not say what the social thread does to {construct:?}: {}",
                        d.what
                    );
                }
                if let Some(d) = format.degradation(construct, raw) {
                    assert!(
                        page.contains(d.what),
                        "docs/check.md does not say what {format} does to {construct:?}: {}",
                        d.what
                    );
                }
            }
        }
    }
}

#[test]
fn a_file_that_never_shows_the_body_meets_no_construct() {
    let (_dir, catalog) = catalog_with(&[
        ("pair.html.tera", "{#---\nbody: email\n---#}\n{{ body }}"),
        ("pair.txt.tera", "{{ post.title }}"),
    ]);
    let found = found_in(
        &catalog,
        &Site::default(),
        &format!("{FRONT}Press <kbd>Ctrl</kbd>.\n"),
    );
    let pair: Vec<(&str, Option<&str>)> = found
        .iter()
        .filter(|d| d.venue.as_deref() == Some("pair"))
        .map(|d| (d.message.as_str(), d.file.as_deref()))
        .collect();
    assert_eq!(
        pair,
        [(
            "inline HTML reduced to its text in pair.html",
            Some("pair.html")
        )]
    );
}

#[test]
fn a_venue_is_told_only_of_the_blocks_it_shows() {
    let lines = report(&format!(
        "{FRONT}Intro.\n<!-- venue: forum -->\n| a |\n|---|\n| 1 |\n<!-- /venue -->\n\n<!-- venue: !forum -->\nSome ~~struck~~ text.\n<!-- /venue -->\n"
    ));
    assert_eq!(
        lines,
        [
            "warning: p.md:8: table rendered as preformatted text in forum",
            "warning: p.md:14: struck-through text shown without its strikethrough in newsletter.txt",
            "warning: p.md:14: struck-through text shown without its strikethrough in social",
        ]
    );
}

#[test]
fn summary_and_question_notes_follow_each_venues_front_matter() {
    let text = "---\ntitle: T\nvenues:\n  blog: {summary: Only the blog has one.}\n  forum: {question: And you?}\n---\nPlain.\n<!-- more -->\nRest.\n";
    let lines = report(text);
    // The `<!-- more -->` gives every venue its summary; only the forum has a question.
    assert_eq!(
        lines,
        [
            "note: p.md: no `question` in the front matter and the post does not end with one: article ends without inviting replies",
            "note: p.md: no `question` in the front matter and the post does not end with one: discourse ends without inviting replies",
            "note: p.md: no `question` in the front matter and the post does not end with one: newsletter ends without inviting replies",
        ]
    );
    let lines =
        report("---\ntitle: T\nvenues:\n  blog: {summary: Only the blog has one.}\n---\nPlain.\n");
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("no `summary`") && l.contains("blog")),
        "{lines:#?}"
    );
}

#[test]
fn unknown_venue_names_are_warnings_with_their_line() {
    let post = Post::parse(
        Path::new("p.md"),
        "---\ntitle: T\nvenues:\n  forumz: {title: X}\n---\nA.\n<!-- venue: blog, nope -->\nB.\n<!-- /venue -->\n",
    )
    .unwrap();
    let found: Vec<String> = unknown_venues(&post, &["blog", "forum"])
        .iter()
        .map(|d| d.line_for(Path::new("p.md")))
        .collect();
    assert_eq!(
        found,
        [
            "warning: p.md:4: the `venues:` front matter names `forumz`, which is not one of the venues: blog, forum (fine if it is a venue of another templates folder; else check its spelling)",
            "warning: p.md:7: a venue block names `nope`, which is not one of the venues: blog, forum (fine if it is a venue of another templates folder; else check its spelling)",
        ]
    );
}
