//! The promises every built output keeps (no script link in the forum's BBCode, no script
//! in the newsletter, a thread within its limits, front matter that is YAML, …), checked
//! the same way by the proptest (`tests/robustness.rs`) and the fuzz target
//! (`fuzz/fuzz_targets/pipeline.rs`), which both include this file with `#[path]`.

use std::sync::LazyLock;

use pulldown_cmark::{Event, Tag};
// The library's pipeline is reached from these lines only: when it moves, they are what
// changes.
use repurpose::config::Site;
use repurpose::findings::diagnose;
pub use repurpose::markdown::parse::options as markdown_options;
use repurpose::pipeline::{Outputs, editions, render_post};
use repurpose::post::Post;
use repurpose::thread::Counter;
use repurpose::venue::Rendered;
use repurpose::venue::{Catalog, Venue};

/// The built-in venues, loaded once: compiling the templates per post would dwarf the work
/// under test.
pub static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::load(None).expect("the built-in templates load"));

/// A site with a URL, so canonical URLs, utm tags and relative links are all in play.
pub static SITE: LazyLock<Site> = LazyLock::new(|| {
    serde_yaml::from_str("url: https://example.com/blog\ntitle: Robust\nauthor: R. Obust\n")
        .expect("the site map parses")
});

/// The outputs of a render, once no template failed.
fn succeeded(rendered: Outputs) -> Vec<Rendered> {
    if let Some(failure) = rendered.failures.first() {
        panic!("a built-in template failed: {failure:#}");
    }
    rendered.outputs
}

/// A post and every output the built-in venues made of it.
pub struct Built {
    pub post: Post,
    pub outputs: Vec<Rendered>,
    /// The post's text holds the text renderer's glue character itself (U+E000), which
    /// its title or question then show as typed.
    pub typed_glue: bool,
}

impl Built {
    /// The text of one output file.
    pub fn output(&self, file: &str) -> &str {
        let rendered = self
            .outputs
            .iter()
            .find(|r| r.file == file)
            .unwrap_or_else(|| panic!("no {file} among the outputs"));
        std::str::from_utf8(&rendered.bytes).expect("outputs are UTF-8")
    }

    /// The bytes of all outputs together.
    pub fn total_bytes(&self) -> usize {
        self.outputs.iter().map(|r| r.bytes.len()).sum()
    }
}

/// The outputs `venues` make of `post`, rendered in memory as `build` renders them; every
/// template must succeed.
pub fn render(post: &Post, venues: &[&Venue]) -> Vec<Rendered> {
    succeeded(render_post(
        post,
        &editions(post, venues),
        venues,
        &CATALOG,
        &SITE,
    ))
}

/// Renders every built-in venue of `post`, parsed from `text`: one output per template of
/// each venue it wants, and what `check` reports of them (which `build` prints too) names
/// a line wherever it should.
pub fn build_post(post: Post, text: &str) -> Built {
    let venues: Vec<_> = CATALOG.venues.iter().collect();
    let editions = editions(&post, &venues);
    let outputs = succeeded(render_post(&post, &editions, &venues, &CATALOG, &SITE));
    let expected: usize = venues
        .iter()
        .filter(|v| post.wants_venue(&v.name))
        .map(|v| v.outputs.len())
        .sum();
    assert_eq!(outputs.len(), expected, "one output per template");
    // What `check` reports never fails, and names the line of every construct and link it
    // finds.
    for found in diagnose(&post, &editions, &venues, &SITE, &outputs) {
        if found.venue.is_none() || found.code == "degraded" {
            assert!(found.line.is_some(), "no line for {found:?}");
        }
    }
    Built {
        post,
        outputs,
        typed_glue: text.contains(GLUE),
    }
}

/// What the text renderer holds a note's number to its word with while it wraps, and
/// never writes.
const GLUE: char = '\u{E000}';

/// How closely the newsletter's HTML is examined.
#[derive(Clone, Copy, PartialEq)]
pub enum Html {
    /// Parsed as a browser would, to look at every element and attribute.
    Parsed,
    /// Searched for `<script` only: an HTML parser checks scopes along the stack of open
    /// elements, which makes it quadratic in the 10,000-deep nesting of the scale tests.
    Searched,
}

/// Every promise below, for one built post.
pub fn check_outputs(built: &Built, html: Html) {
    for rendered in &built.outputs {
        let text = built.output(&rendered.file);
        assert!(!text.trim().is_empty(), "{} is empty", rendered.file);
    }
    if built.post.wants_venue("forum") {
        check_forum(built.output("forum.bbcode"));
    }
    if built.post.wants_venue("newsletter") {
        let newsletter = built.output("newsletter.html");
        match html {
            Html::Parsed => check_newsletter(newsletter),
            Html::Searched => assert!(
                !newsletter.to_ascii_lowercase().contains("<script"),
                "{newsletter}"
            ),
        }
        let text = built.output("newsletter.txt");
        assert!(
            built.typed_glue || !text.contains(GLUE),
            "the text renderer's glue character leaked:\n{text}"
        );
    }
    if built.post.wants_venue("article") {
        check_article(&built.post, built.output("article.md"));
    }
    if built.post.wants_venue("hugo") {
        check_front_matter(&built.post, "hugo.md", built.output("hugo.md"));
    }
    if built.post.wants_venue("social") {
        check_social(built.output("social.txt"));
    }
    if built.post.wants_venue("discourse") && html == Html::Parsed {
        check_discourse(built.output("discourse.md"));
    }
}

/// Every post of the thread within Mastodon's 500 characters (links counted as 23, as the
/// built-in's header says), numbered 1/N … N/N when there are several.
pub fn check_social(text: &str) {
    let counter = Counter {
        url_length: Some(23),
    };
    let posts: Vec<&str> = text
        .trim_end_matches('\n')
        .split("\n\n────────────\n\n")
        .collect();
    let total = posts.len();
    for (i, post) in posts.iter().enumerate() {
        assert!(
            counter.count(post) <= 500,
            "post {} too long:\n{post}",
            i + 1
        );
        if total > 1 {
            let marker = format!("\n\n{}/{total}", i + 1);
            assert!(
                post.ends_with(&marker),
                "post {} lacks {marker}:\n{post}",
                i + 1
            );
        }
    }
}

/// The Markdown forum topic carries no raw HTML and no footnote syntax, which Reddit would
/// show as typed.
pub fn check_discourse(md: &str) {
    for event in pulldown_cmark::Parser::new_ext(md, markdown_options()) {
        assert!(
            !matches!(
                event,
                Event::Html(_)
                    | Event::InlineHtml(_)
                    | Event::FootnoteReference(_)
                    | Event::Start(Tag::FootnoteDefinition(_))
            ),
            "{event:?} in discourse.md:\n{md}"
        );
    }
}

/// No script or data URL becomes a forum link or image.
pub fn check_forum(bbcode: &str) {
    let parsed = outside_code(&bbcode.to_ascii_lowercase());
    // With the colon: `[url=javascriptx:…]` is another scheme (the fuzzer made one).
    assert!(!parsed.contains("[url=javascript:"), "{bbcode}");
    assert!(!parsed.contains("[img]javascript:"), "{bbcode}");
    for url in bbcode_urls(&parsed) {
        assert!(!is_script_url(url), "unsafe `{url}` in\n{bbcode}");
    }
}

/// The BBCode a forum parses: everything but the content of `[code]` blocks, which forums
/// show verbatim. Text from the post never holds a literal `[code]` or `[/code]` (the
/// renderer neutralises both), so these are the renderer's own tags.
fn outside_code(bbcode: &str) -> String {
    let mut out = String::with_capacity(bbcode.len());
    let mut rest = bbcode;
    while let Some(open) = rest.find("[code]") {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find("[/code]")
            .map_or("", |close| &rest[open + close + "[/code]".len()..]);
    }
    out.push_str(rest);
    out
}

/// The targets of `[url=…]`, `[url]…[/url]` and `[img]…[/img]` in lower-cased BBCode.
fn bbcode_urls(bbcode: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    for (open, close) in [("[url=", "]"), ("[url]", "[/url]"), ("[img]", "[/img]")] {
        let mut rest = bbcode;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            urls.push(rest.find(close).map_or(rest, |end| &rest[..end]));
        }
    }
    urls
}

/// Whether a URL has a scheme that must never become a link or image (script, inline
/// data, local files), read as a browser reads it: ASCII whitespace and controls ignored,
/// any case. `javascriptx:` is another scheme, and allowed.
fn is_script_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    url.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file")
}

/// The email HTML runs nothing: no script element, no event-handler attribute, no script
/// URL in a link or image. Post text that merely says `javascript:` or `onerror=` is shown
/// as escaped text, which is harmless, so those are looked for in the markup (elements and
/// attributes, as an HTML parser reads them), not in the text.
pub fn check_newsletter(html: &str) {
    assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
    let doc = scraper::Html::parse_fragment(html);
    for node in doc.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        assert_ne!(element.name(), "script", "{html}");
        for (name, value) in element.attrs() {
            let name = name.to_ascii_lowercase();
            assert!(!name.starts_with("on"), "`{name}` attribute in\n{html}");
            assert!(
                !(matches!(name.as_str(), "href" | "src") && is_script_url(value)),
                "`{name}=\"{value}\"` in\n{html}"
            );
        }
    }
}

/// The article draft opens with front matter that is YAML, with the post's title.
pub fn check_article(post: &Post, article: &str) {
    check_front_matter(post, "article.md", article);
}

/// A Markdown output opens with front matter that is YAML, with the post's title.
pub fn check_front_matter(post: &Post, file: &str, md: &str) {
    let rest = md
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("{file} opens with front matter:\n{md}"));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("{file} front matter is closed:\n{md}"));
    let yaml: serde_yaml::Mapping = serde_yaml::from_str(&rest[..end])
        .unwrap_or_else(|e| panic!("{file} front matter is not YAML: {e}\n{md}"));
    let title = yaml.get("title").and_then(serde_yaml::Value::as_str);
    assert_eq!(title, Some(post.title.as_str()), "{file} title");
}
