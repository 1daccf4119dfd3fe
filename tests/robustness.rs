//! Never a panic: any post goes through the whole pipeline (`Post::parse`, then every
//! built-in venue rendered in memory) without a panic, a stack overflow, or work that grows
//! faster than the post.
//!
//! - Generated posts (`proptest`): a grammar of Markdown constructs, hostile text among
//!   them, with a few promises checked on every output.
//! - Scale: 10,000-deep nesting, a large post, a 100,000-line post, and the shapes that
//!   were once quadratic. Growth is checked on what is counted (events, output bytes at
//!   `n` and `2n`), never on time; the sizes are ones a quadratic pass could not finish in
//!   a debug build within the suite's minute. They run on a thread with the 8 MiB stack the
//!   binary's main thread has, so recursion cannot hide behind a larger one.

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use pulldown_cmark::{Event, Tag};
use repurpose::config::Site;
use repurpose::pipeline::render_post;
use repurpose::post::Post;
use repurpose::venue::{Catalog, Rendered};

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::load(None).expect("the built-in templates load"));

/// A site with a URL, so canonical URLs, utm tags and relative links are all in play.
static SITE: LazyLock<Site> = LazyLock::new(|| {
    serde_yaml::from_str("url: https://example.com/blog\ntitle: Robust\nauthor: R. Obust\n")
        .expect("the site map parses")
});

/// The stack of the binary's main thread on Linux.
const MAIN_STACK: usize = 8 << 20;

/// A post and every output the built-in venues made of it.
struct Built {
    post: Post,
    outputs: Vec<Rendered>,
}

impl Built {
    fn output(&self, file: &str) -> &str {
        let rendered = self
            .outputs
            .iter()
            .find(|r| r.file == file)
            .unwrap_or_else(|| panic!("no {file} among the outputs"));
        std::str::from_utf8(&rendered.bytes).expect("outputs are UTF-8")
    }

    fn total_bytes(&self) -> usize {
        self.outputs.iter().map(|r| r.bytes.len()).sum()
    }
}

/// Parses `text` as a post and renders every built-in venue, which must all succeed.
fn build(text: &str) -> Built {
    let post = Post::parse(Path::new("posts/2024-01-02-robust.md"), text).expect("the post parses");
    let venues: Vec<_> = CATALOG.venues.iter().collect();
    let editions = repurpose::pipeline::editions(&post, &venues);
    let (outputs, failures) = render_post(&post, &editions, &venues, &CATALOG, &SITE);
    if let Some(failure) = failures.first() {
        panic!("a built-in template failed: {failure:#}");
    }
    let expected: usize = venues
        .iter()
        .filter(|v| post.wants_venue(&v.name))
        .map(|v| v.outputs.len())
        .sum();
    assert_eq!(outputs.len(), expected, "one output per template");
    // What `check` reports (and `build` prints) never fails, and names the line of every
    // construct and link it finds.
    for found in repurpose::findings::diagnose(&post, &editions, &venues, &SITE, &outputs) {
        if found.venue.is_none() || found.code == "degraded" {
            assert!(found.line.is_some(), "no line for {found:?}");
        }
    }
    Built { post, outputs }
}

/// Runs `f` on a thread with the main thread's stack, passing on its panic.
fn on_main_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let thread = std::thread::Builder::new()
        .stack_size(MAIN_STACK)
        .spawn(f)
        .expect("a thread starts");
    thread
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

// ---- the promises every output keeps ----

/// How closely the newsletter's HTML is examined.
#[derive(Clone, Copy, PartialEq)]
enum Html {
    /// Parsed as a browser would, to look at every element and attribute.
    Parsed,
    /// Searched for `<script` only: an HTML parser checks scopes along the stack of open
    /// elements, which makes it quadratic in the 10,000-deep nesting of the scale tests.
    Searched,
}

/// Every promise below, for one built post.
fn check_outputs(built: &Built, html: Html) {
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
            !text.contains('\u{E000}'),
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
fn check_social(text: &str) {
    let counter = repurpose::thread::Counter {
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
fn check_discourse(md: &str) {
    for event in pulldown_cmark::Parser::new_ext(md, repurpose::parse::options()) {
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
fn check_forum(bbcode: &str) {
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
fn check_newsletter(html: &str) {
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
fn check_article(post: &Post, article: &str) {
    check_front_matter(post, "article.md", article);
}

/// A Markdown output opens with front matter that is YAML, with the post's title.
fn check_front_matter(post: &Post, file: &str, md: &str) {
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

// ---- generated posts ----

/// Plain words, punctuation that ends (or does not end) sentences, and text that only looks
/// like markup.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "the", "forum", "echo", "Café", "naïve", "東京", "😀", "e.g.", "Dr.", "it's",
            "\"quoted\"", "--", "...", "a_b", "x*y", "1.", "#tag", "<3", "&", "&amp;",
            "&#91;b]", "\\*", "|", "~", "+", "?", "!", "(paren)", "[1]", "[ ]", "end.",
            "Why?", "\u{2060}", "\t",
        ]),
        1 => prop::sample::select(vec![
            "[b]bold[/b]", "[url=javascript:alert(1)]click[/url]",
            "[img]javascript:alert(1)[/img]", "[URL]JavaScript:alert(1)[/URL]", "[/code]",
            "[code]", "[*]", "[quote]x[/quote]", "[size=200]big[/size]", "[/", "[", "]",
            "onerror=alert(1)", "javascript:alert(1)",
        ]),
    ]
    .prop_map(String::from)
}

/// Link and image targets: ordinary, relative, and every flavour of script URL.
fn url() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "https://example.com/a",
        "https://example.com/blog/other/",
        "../rel/page",
        "#frag",
        "/abs/path",
        "chart.png",
        "mailto:a@b.c",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "<java\tscript:alert(1)>",
        "<javascript :alert(1)>",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "<>",
        "http://e.com/a_(b)",
        "https://e.com/?q=[x]&y=\"z\"",
    ])
    .prop_map(String::from)
}

/// One line of inline Markdown: text, code, autolinks, raw inline HTML, footnote
/// references, nested emphasis, links and images.
fn inline() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        6 => prop::collection::vec(word(), 1..6).prop_map(|w| w.join(" ")),
        1 => word().prop_map(|w| format!("`{w}`")),
        1 => prop::sample::select(vec![
            "<https://example.org/x>", "<javascript:alert(1)>", "<JAVASCRIPT:alert(1)>",
            "<mailto:a@b.c>", "<a@b.c>", "https://bare.example.com",
        ]).prop_map(String::from),
        1 => (1..4u8).prop_map(|n| format!("[^{n}]")),
        1 => prop::sample::select(vec![
            "<b>", "</b>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>", "<br>", "<style>p{}</style>",
            "<!-- c -->", "<span onclick=\"x()\">", "<script>", "</script>", "<SCRIPT>",
        ]).prop_map(String::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| v.join(" ")),
            inner.clone().prop_map(|s| format!("*{s}*")),
            inner.clone().prop_map(|s| format!("**{s}**")),
            inner.clone().prop_map(|s| format!("~~{s}~~")),
            inner.clone().prop_map(|s| format!("_{s}_")),
            (inner.clone(), url()).prop_map(|(t, u)| format!("[{t}]({u})")),
            (inner.clone(), url()).prop_map(|(t, u)| format!("![{t}]({u})")),
            (inner, url(), word()).prop_map(|(t, u, title)| {
                format!("[{t}]({u} \"{}\")", title.replace('"', "'"))
            }),
        ]
    })
}

/// Prefixes the first line of `block` with `first` and the others with `rest`.
fn indent(block: &str, first: &str, rest: &str) -> String {
    let mut out = String::new();
    for (i, line) in block.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(if i == 0 { first } else { rest });
        out.push_str(line);
    }
    out
}

/// A list item: a marker (and maybe a task box) before blocks indented under it.
fn item(marker: &str, task: Option<bool>, blocks: &[String]) -> String {
    let first = match task {
        Some(done) => format!("{marker} [{}] ", if done { 'x' } else { ' ' }),
        None => format!("{marker} "),
    };
    let rest = " ".repeat(marker.len() + 1);
    indent(&blocks.join("\n\n"), &first, &rest)
}

/// Leaf blocks: paragraphs, headings, code, rules, raw HTML, tables, footnotes.
fn leaf_block() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::collection::vec(inline(), 1..4).prop_map(|lines| lines.join("\n")),
        2 => (1..=6usize, inline(), prop::option::of(prop::sample::select(vec![
            " {#custom-id}", " {.class}", " {#a .b data=c}", " {#}",
        ]))).prop_map(|(level, text, attrs)| {
            format!("{} {text}{}", "#".repeat(level), attrs.unwrap_or_default())
        }),
        1 => (inline(), prop::sample::select(vec!["===", "---"]))
            .prop_map(|(text, underline)| format!("{text}\n{underline}")),
        1 => (
            prop::sample::select(vec!["", "rust", "html", "a`b", "~~~"]),
            prop::collection::vec(prop::sample::select(vec![
                "fn main() {}", "[/code]", "[/CODE]x", "[b]x[/b]", "<script>alert(1)</script>",
                "  indented", "", "\ttab", "```not a fence",
            ]), 0..4),
        ).prop_map(|(info, lines)| {
            let fence = if info.contains('`') { "~~~~" } else { "````" };
            format!("{fence}{info}\n{}\n{fence}", lines.join("\n"))
        }),
        1 => word().prop_map(|w| format!("    {w} [/code]")),
        1 => prop::sample::select(vec!["---", "***", "___"]).prop_map(String::from),
        1 => prop::sample::select(vec![
            "<div class=\"note\">\n<p>Raw <em>HTML</em> text.</p>\n</div>",
            "<script>\nalert(1)\n</script>",
            "<style>\np { color: red }\n</style>",
            "<!-- a comment -->",
            "<img src=x onerror=alert(1)>",
            "<iframe src=\"javascript:alert(1)\"></iframe>",
            "<table><tr><td onclick=\"x()\">cell</td></tr></table>",
            "<div>\n<script>alert(1)</script>\nafter\n</div>",
        ]).prop_map(String::from),
        1 => (1..4usize, prop::collection::vec(prop::collection::vec(inline(), 1..4), 1..4))
            .prop_map(|(columns, rows)| {
                let mut lines = vec![
                    format!("| {} |", vec!["Head"; columns].join(" | ")),
                    format!("|{}|", vec![":--"; columns].join("|")),
                ];
                lines.extend(rows.iter().map(|cells| format!("| {} |", cells.join(" | "))));
                lines.join("\n")
            }),
        1 => (1..4u8, inline()).prop_map(|(n, text)| format!("[^{n}]: {text}")),
    ]
}

/// Blocks, containers nested in containers: quotes (and alerts), bullet and ordered lists
/// starting anywhere, task items, tight and loose.
fn block() -> impl Strategy<Value = String> {
    leaf_block().prop_recursive(4, 40, 4, |inner| {
        prop_oneof![
            (
                prop::option::of(prop::sample::select(vec!["[!NOTE]", "[!WARNING]"])),
                prop::collection::vec(inner.clone(), 1..3),
            )
                .prop_map(|(alert, blocks)| {
                    let mut body = blocks.join("\n\n");
                    if let Some(alert) = alert {
                        body = format!("{alert}\n{body}");
                    }
                    indent(&body, "> ", "> ")
                }),
            (
                prop::sample::select(vec!["-", "*", "+"]),
                prop::collection::vec(
                    (
                        prop::option::of(any::<bool>()),
                        prop::collection::vec(inner.clone(), 1..3)
                    ),
                    1..4
                ),
                any::<bool>(),
            )
                .prop_map(|(marker, items, loose)| {
                    let items: Vec<String> = items
                        .iter()
                        .map(|(task, blocks)| item(marker, *task, blocks))
                        .collect();
                    items.join(if loose { "\n\n" } else { "\n" })
                }),
            (
                prop_oneof![Just(0u64), Just(1), 2..1000u64, Just(999_999_999)],
                prop::sample::select(vec![".", ")"]),
                prop::collection::vec(prop::collection::vec(inner, 1..3), 1..4),
                any::<bool>(),
            )
                .prop_map(|(start, delimiter, items, loose)| {
                    let items: Vec<String> = items
                        .iter()
                        .enumerate()
                        .map(|(i, blocks)| {
                            let n = start.saturating_add(i as u64);
                            item(&format!("{n}{delimiter}"), None, blocks)
                        })
                        .collect();
                    items.join(if loose { "\n\n" } else { "\n" })
                }),
        ]
    })
}

/// Front-matter values chosen to break whatever places them: markup of every output
/// format, template syntax, YAML and Markdown structure, characters YAML refuses.
fn hostile() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "[b]Test[/b] & [url=javascript:alert(1)]x[/url]",
        "<script>alert(1)</script>",
        "A \"quoted\" <Field> Guide",
        "---",
        "# not a heading",
        "*stars* and _under_ and `code`",
        "{{ tera }} {% raw %} {# c #}",
        "line\nbreak",
        "del \u{7f} nel \u{85} ls \u{2028}",
        ": colon",
        "  padded  ",
        "Ends with a question?",
        "emoji 😀 東京",
        "'single' \\ back\\slash",
        "[/code]",
        "&amp; &lt;b&gt;",
        "javascript:alert(1)",
    ])
    .prop_map(String::from)
}

/// Optional YAML front matter with hostile values, written by a YAML serializer so it is
/// always valid: the point is what the templates do with the values.
fn front_matter() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        (
            hostile(),
            prop::option::of(hostile()),
            prop::option::of(hostile()),
            prop::collection::vec(hostile(), 0..3),
            any::<bool>(),
        )
            .prop_map(|(title, question, summary, tags, dated)| {
                let mut map = serde_yaml::Mapping::new();
                map.insert("title".into(), title.into());
                if let Some(question) = question {
                    map.insert("question".into(), question.into());
                }
                if let Some(summary) = summary {
                    map.insert("summary".into(), summary.into());
                }
                if !tags.is_empty() {
                    map.insert("tags".into(), tags.into());
                }
                if dated {
                    map.insert("date".into(), "2024-03-14".into());
                }
                serde_yaml::to_string(&map).expect("a mapping serializes")
            }),
    )
}

/// A whole post: optional front matter, then one or more blocks.
fn post() -> impl Strategy<Value = String> {
    (front_matter(), prop::collection::vec(block(), 1..6)).prop_map(|(yaml, blocks)| {
        let body = blocks.join("\n\n");
        match yaml {
            Some(yaml) => format!("---\n{yaml}---\n\n{body}\n"),
            // A post opening with a `---` line opens front matter, and is refused when the
            // matter is never closed: that is an error by design, not what is tested here.
            None if body.lines().next().is_some_and(|l| l.trim_end() == "---") => {
                format!("Intro.\n\n{body}\n")
            }
            None => format!("{body}\n"),
        }
    })
}

/// A post whose blocks are wrapped, at random, in venue-only blocks (`<!-- venue: … -->` on
/// its own line before the block, `<!-- /venue -->` after it), with `<!-- more -->` between
/// some of them.
fn post_with_venue_blocks() -> impl Strategy<Value = String> {
    let selector = prop::sample::select(vec![
        "forum",
        "blog",
        "newsletter, article",
        "!forum",
        "!blog, !newsletter",
        "another-folder",
    ]);
    let whole = block().prop_filter("the block leaves no code fence open", |b| closes_itself(b));
    prop::collection::vec((whole, prop::option::of(selector), any::<bool>()), 1..6).prop_map(
        |parts| {
            let mut body = vec!["Intro.".to_string()];
            for (block, selector, more) in parts {
                body.push(match selector {
                    Some(venues) => format!("<!-- venue: {venues} -->\n{block}\n<!-- /venue -->"),
                    None => block,
                });
                if more {
                    body.push("<!-- more -->".into());
                }
            }
            format!("{}\n", body.join("\n\n"))
        },
    )
}

/// Whether `block` leaves nothing open that swallows what follows it: the grammar can make
/// a code fence that never closes (a line of strikethrough tildes), and a venue block
/// around it is rightly refused as never closed.
fn closes_itself(block: &str) -> bool {
    let text = format!("{block}\n\n<!-- end -->\n");
    let events: Vec<Event<'_>> =
        pulldown_cmark::Parser::new_ext(&text, repurpose::parse::options()).collect();
    matches!(
        events.as_slice(),
        [.., Event::Start(Tag::HtmlBlock), Event::Html(end), Event::End(_)]
            if end.trim() == "<!-- end -->"
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn generated_posts_build_and_keep_every_promise(text in post()) {
        check_outputs(&build(&text), Html::Parsed);
    }

    #[test]
    fn venue_blocks_around_any_block_build_and_leave_no_marker(text in post_with_venue_blocks()) {
        let built = build(&text);
        check_outputs(&built, Html::Parsed);
        for rendered in &built.outputs {
            let output = built.output(&rendered.file);
            for marker in ["<!-- venue:", "<!-- /venue -->", "<!-- more -->"] {
                prop_assert!(!output.contains(marker), "{marker} in {}:\n{output}", rendered.file);
            }
        }
    }
}

/// The seed posts keep the promises too (and the checks accept what they should).
#[test]
fn fixtures_keep_every_promise() {
    for name in [
        "2024-03-14-small-audiences.md",
        "every-construct.md",
        "plain-notes.md",
        "per-venue.md",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(name);
        let text = std::fs::read_to_string(&path).expect("the fixture reads");
        check_outputs(&build(&text), Html::Parsed);
    }
}

/// What the fuzzer found, minimised, through the whole pipeline (each also has a unit test
/// beside its fix).
#[test]
fn fuzzer_finds_build_and_keep_every_promise() {
    for text in [
        // A title YAML refuses once written raw into article.md's front matter.
        "# \u{7f}",
        "---\ntitle: \"a\\x7fb\\x85c\\u2028d\"\n---\nBody.\n",
        // An entity's 12-byte window ending inside a character.
        "<p>&mp;\u{fffd}\u{fffd}\u{fffd}",
        // Another scheme that starts like `javascript`.
        "A [bad link](javascriptjavascript:alert(1)).",
    ] {
        check_outputs(&build(text), Html::Parsed);
    }
}

#[test]
fn the_promise_checks_catch_what_they_look_for() {
    let forum_link = std::panic::catch_unwind(|| check_forum("[url=JavaScript:x]a[/url]"));
    assert!(forum_link.is_err());
    let forum_image = std::panic::catch_unwind(|| check_forum("[img] data:text/html,x[/img]"));
    assert!(forum_image.is_err());
    // Another scheme that starts the same way (found by fuzzing) is not script.
    check_forum("[url=javascriptjavascript:alert(1)]bad link[/url]");
    // Forums show `[code]` content as typed.
    check_forum("[code]\n[url=javascript:x]a[/url]\n[/code]");
    let handler = std::panic::catch_unwind(|| check_newsletter("<p><img ONERROR=x></p>"));
    assert!(handler.is_err());
    let link = std::panic::catch_unwind(|| check_newsletter("<a href=' java\tscript:x'>a</a>"));
    assert!(link.is_err());
    // Saying it in text is fine.
    check_newsletter("<p>javascript:alert(1) onerror=x &lt;script&gt;</p>");
    let long_post = std::panic::catch_unwind(|| check_social(&"x".repeat(501)));
    assert!(long_post.is_err());
    let unnumbered = std::panic::catch_unwind(|| check_social("One\n\n1/2\n\n────────────\n\nTwo"));
    assert!(unnumbered.is_err());
    check_social("One\n\n1/2\n\n────────────\n\nTwo\n\n2/2");
    let html = std::panic::catch_unwind(|| check_discourse("Text <b>bold</b>."));
    assert!(html.is_err());
    let note = std::panic::catch_unwind(|| check_discourse("Text[^1].\n\n[^1]: Note."));
    assert!(note.is_err());
    check_discourse("Text \\<b>bold\\</b>¹.");
}

// ---- scale ----

/// Counts the `Start` events whose tag `is` accepts.
fn count_starts(events: &[Event<'_>], is: impl Fn(&Tag<'_>) -> bool) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, Event::Start(tag) if is(tag)))
        .count()
}

/// Builds `shape(n)` and `shape(2 * n)` and checks that twice the post makes at most about
/// twice the events and output: 2× plus room for numbers gaining a digit, where a quadratic
/// blow-up would make 4×. Returns the larger build.
fn builds_in_proportion(shape: fn(usize) -> String, n: usize) -> Built {
    on_main_stack(move || {
        let small = build(&shape(n));
        let large = build(&shape(2 * n));
        check_outputs(&large, Html::Searched);
        let (e1, e2) = (small.post.events.len(), large.post.events.len());
        assert!(e2 <= 3 * e1, "events: {e1} at n = {n}, {e2} at 2n");
        for (s, l) in small.outputs.iter().zip(&large.outputs) {
            let (b1, b2) = (s.bytes.len(), l.bytes.len());
            assert!(
                b2 <= 3 * b1,
                "{}: {b1} bytes at n = {n}, {b2} bytes at 2n",
                s.file
            );
        }
        large
    })
}

/// `unit` repeated `depth` times on one line, each repetition one level deeper.
fn nested(unit: &str, depth: usize) -> String {
    format!("{}deepest point, is it?\n", unit.repeat(depth))
}

#[test]
fn ten_thousand_nested_quotes_build() {
    let built = builds_in_proportion(|n| nested("> ", n), 5_000);
    let quotes = count_starts(&built.post.events, |t| matches!(t, Tag::BlockQuote(_)));
    assert_eq!(quotes, 10_000);
}

#[test]
fn ten_thousand_nested_bullet_lists_build() {
    let built = builds_in_proportion(|n| nested("- ", n), 5_000);
    let lists = count_starts(&built.post.events, |t| matches!(t, Tag::List(None)));
    assert_eq!(lists, 10_000);
}

#[test]
fn ten_thousand_nested_ordered_lists_build() {
    let built = builds_in_proportion(|n| nested("7. ", n), 5_000);
    let lists = count_starts(&built.post.events, |t| matches!(t, Tag::List(Some(7))));
    assert_eq!(lists, 10_000);
}

#[test]
fn ten_thousand_levels_of_quotes_and_lists_build() {
    let built = builds_in_proportion(|n| nested("> * ", n / 2), 5_000);
    let quotes = count_starts(&built.post.events, |t| matches!(t, Tag::BlockQuote(_)));
    let items = count_starts(&built.post.events, |t| matches!(t, Tag::Item));
    assert_eq!((quotes, items), (5_000, 5_000));
}

#[test]
fn ten_thousand_nested_emphasis_build() {
    let built = builds_in_proportion(
        |n| format!("{}x{}\n", "*a ".repeat(n), " a*".repeat(n)),
        5_000,
    );
    let emphasis = count_starts(&built.post.events, |t| matches!(t, Tag::Emphasis));
    assert_eq!(emphasis, 10_000);
}

/// The fixtures' bodies, repeated to at least `bytes`: every construct, many times over
/// (repeated headings, footnote labels and links included).
fn large_post(bytes: usize) -> String {
    let bodies: Vec<&str> = [
        include_str!("../fixtures/every-construct.md"),
        include_str!("../fixtures/2024-03-14-small-audiences.md"),
        include_str!("../fixtures/plain-notes.md"),
    ]
    .iter()
    .map(|text| text.splitn(3, "---\n").nth(2).unwrap_or(text))
    .collect();
    let mut out = String::with_capacity(bytes + 4096);
    while out.len() < bytes {
        for body in &bodies {
            out.push_str(body);
            out.push_str("\n\n");
        }
    }
    out
}

#[test]
fn a_one_megabyte_post_builds_in_proportion() {
    let built = builds_in_proportion(|n| large_post(n << 10), 512);
    assert!(built.total_bytes() > 1 << 20);
}

/// 20 MB through every venue makes about 250 MB of output, and takes seconds in a
/// release build but minutes in a debug one; the test above covers the same shape at
/// 1 MB by default. Run it with `cargo test --release --test robustness -- --ignored`.
#[test]
#[ignore = "minutes in a debug build; the 1 MB test covers the shape (run with --release -- --ignored)"]
fn a_twenty_megabyte_post_builds() {
    // Not beside a timed build, whose cores and caches it would take.
    let _one_at_a_time = TIMED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let built = on_main_stack(|| {
        let built = build(&large_post(20 << 20));
        check_outputs(&built, Html::Searched);
        built
    });
    assert!(built.post.outline.len() > 50_000);
    assert!(built.total_bytes() > 20 << 20);
}

/// One line of each common construct in turn (fenced code kept whole).
fn many_lines(lines: usize) -> String {
    const CYCLE: [&str; 16] = [
        "Some text on a line, with *emphasis* and a [link](../p/).",
        "- an item",
        "  - a nested item with `code`",
        "> a quote [b]that looks like BBCode[/b]",
        "",
        "## A heading",
        "",
        "3. an ordered item",
        "| a | b |",
        "|---|---|",
        "| 1 | 2 |",
        "",
        "```",
        "code [/code] <script>",
        "```",
        "Why not?",
    ];
    let mut out = String::new();
    for i in 0..lines {
        out.push_str(CYCLE[i % CYCLE.len()]);
        out.push('\n');
    }
    out
}

#[test]
fn a_hundred_thousand_line_post_builds_in_proportion() {
    let built = builds_in_proportion(many_lines, 50_000);
    assert_eq!(
        count_starts(&built.post.events, |t| matches!(t, Tag::Heading { .. })),
        100_000 / 16
    );
}

#[test]
fn a_hundred_thousand_line_paragraph_builds_in_proportion() {
    let built = builds_in_proportion(
        |n| {
            let mut text: String = (0..n - 1).map(|i| format!("w{i}.\n")).collect();
            text.push_str("And the end?\n");
            text
        },
        50_000,
    );
    assert_eq!(built.post.question.as_deref(), Some("And the end?"));
}

// ---- shapes that were quadratic ----

/// Text the parser splits at every quote, escape and entity, merged back into one text
/// event: once rebuilt from the start at every piece (a minute for 500 kB).
#[test]
fn text_split_into_many_pieces_merges_in_proportion() {
    let built = builds_in_proportion(|n| "\"a\" \\* &amp; <3 ".repeat(n), 20_000);
    let texts = built
        .post
        .events
        .iter()
        .filter(|e| matches!(e, Event::Text(_)))
        .count();
    assert_eq!(texts, 1);
}

/// A repeated heading's anchors: once found by trying every suffix again for each repeat.
#[test]
fn a_heading_repeated_many_times_gets_anchors_in_proportion() {
    let built = builds_in_proportion(|n| "## Same\n\nText.\n\n".repeat(n), 10_000);
    let last = built.post.outline.last().map(|h| h.anchor.as_str());
    assert_eq!(last, Some("same-19999"));
}

/// A paragraph of empty links cut before its closing question: once removed pair by pair
/// from the middle of the list.
#[test]
fn empty_links_before_a_question_are_dropped_in_proportion() {
    let built = builds_in_proportion(|n| format!("x {} end. Why?\n", "[](u) ".repeat(n)), 10_000);
    assert_eq!(built.post.question.as_deref(), Some("Why?"));
}

/// A raw HTML block of many scripts: once lower-cased from each script to the end.
#[test]
fn an_html_block_of_many_scripts_is_reduced_in_proportion() {
    let built = builds_in_proportion(
        |n| "<div>x <script>y</script> <STYLE>z</STYLE></div>\n".repeat(n),
        10_000,
    );
    assert!(!built.output("newsletter.txt").contains('y'));
}

/// An excerpt over many sentences without words: once counted from the start at each one.
#[test]
fn an_excerpt_over_many_wordless_sentences_is_cut_in_proportion() {
    let built = builds_in_proportion(
        |n| format!("Start. {}{}\n", "? ".repeat(n), "word ".repeat(60)),
        20_000,
    );
    assert!(built.post.word_count > 55);
}

/// Front matter nested 10,000 deep is refused before the YAML parser sees it (its work
/// grows with the square of the nesting); nested 30 deep it reaches the templates as
/// `post.extra` and renders.
#[test]
fn deeply_nested_front_matter_is_refused_or_rendered_without_overflow() {
    let nested = |depth: usize| {
        format!(
            "---\nextra: {}1{}\n---\nBody.\n",
            "[".repeat(depth),
            "]".repeat(depth)
        )
    };
    let refused = on_main_stack(move || {
        Post::parse(Path::new("p.md"), &nested(10_000)).map_err(|e| format!("{e:#}"))
    });
    assert!(
        refused.is_err_and(|e| e.starts_with("p.md:2:40: front matter nests lists and maps")),
        "10,000 levels"
    );
    let built = on_main_stack(move || build(&nested(30)));
    check_outputs(&built, Html::Parsed);
}

// ---- the social thread: time in proportion to the post ----
//
// Unlike the scale tests above, these time the build: the shapes below once took the thread
// quadratic time without making more events or output, so nothing counted grows faster.
// Each builds the social venue alone (the thread's own share) at `n` and `4n`, the best of
// three runs each, and wants `4n` within five times `n`. Before the fix each one took
// 10 to 100 times as long at `4n`. Seconds in a release build, so ignored by default: run
// them with `cargo test --release --test robustness -- --ignored thread_`.

/// Seconds to parse `text` and build the social thread of it, the best of three runs; the
/// thread is checked like any other.
fn thread_seconds(text: &str) -> f64 {
    let venues: Vec<_> = CATALOG
        .venues
        .iter()
        .filter(|v| v.name == "social")
        .collect();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let post =
            Post::parse(Path::new("posts/2024-01-02-robust.md"), text).expect("the post parses");
        let editions = repurpose::pipeline::editions(&post, &venues);
        let (outputs, failures) = render_post(&post, &editions, &venues, &CATALOG, &SITE);
        best = best.min(start.elapsed().as_secs_f64());
        assert!(failures.is_empty(), "the social template failed");
        let [social] = outputs.as_slice() else {
            panic!("{} outputs for the social venue", outputs.len());
        };
        check_social(std::str::from_utf8(&social.bytes).expect("the thread is UTF-8"));
    }
    best
}

/// Builds the thread of `shape(n)` and `shape(4 * n)`; the larger may take at most five
/// times as long.
fn thread_builds_in_linear_time(shape: fn(usize) -> String, n: usize) {
    // One at a time, so these timings do not share the cores with each other.
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let (small, large) =
        on_main_stack(move || (thread_seconds(&shape(n)), thread_seconds(&shape(4 * n))));
    assert!(
        large <= 5.0 * small,
        "{small:.3} s at n = {n}, {large:.3} s at 4n: not in proportion"
    );
}

/// A list nested `n` deep on one line: each level once held its indent, `n` long.
#[test]
#[ignore = "timed: run in release with --ignored"]
fn thread_of_a_deeply_nested_list_builds_in_linear_time() {
    thread_builds_in_linear_time(|n| format!("{}deep\n", "- ".repeat(n)), 200_000);
}

/// One word of `n` letters: each post cut from it once copied and counted all the rest.
#[test]
#[ignore = "timed: run in release with --ignored"]
fn thread_of_one_enormous_word_builds_in_linear_time() {
    thread_builds_in_linear_time(|n| format!("{}\n", "a".repeat(n)), 2_500_000);
}

/// `n` ideographs with no punctuation: one word for the thread, cut between ideographs.
#[test]
#[ignore = "timed: run in release with --ignored"]
fn thread_of_unpunctuated_ideographs_builds_in_linear_time() {
    thread_builds_in_linear_time(
        |n| {
            let mut text: String = ('\u{4e00}'..='\u{9fa5}').cycle().take(n).collect();
            text.push('\n');
            text
        },
        200_000,
    );
}

/// `n` thumbs up with a skin tone: two characters, one cluster each, no word boundary.
#[test]
#[ignore = "timed: run in release with --ignored"]
fn thread_of_emoji_with_modifiers_builds_in_linear_time() {
    thread_builds_in_linear_time(|n| format!("{}\n", "👍🏽".repeat(n)), 200_000);
}

// ---- linearity of every format: the release binary on generated shapes ----
//
// Each shape here was once slower than linear in some format, or is the kind of post
// that could be. Each test builds the shape at `n` and at `4 n` with the real binary and
// holds the larger to at most 5× the CPU time of the smaller (a quadratic pass makes
// 16×). They run in release, one build at a time:
// `cargo test --release --test robustness -- --ignored`.

/// What one build of a post cost the binary.
#[derive(Debug, Clone, Copy)]
struct Cost {
    /// User CPU time: unlike the wall clock, not stretched by other work on the machine.
    /// System time is left out: it is mostly page faults, whose cost follows the
    /// machine's memory pressure more than the build.
    cpu: std::time::Duration,
    /// The wall clock, for the message.
    wall: std::time::Duration,
    /// Peak resident memory, in bytes (0 where `/proc` cannot tell).
    peak: u64,
}

impl std::fmt::Display for Cost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:.2} s CPU ({:.2} s wall), {} MiB",
            self.cpu.as_secs_f64(),
            self.wall.as_secs_f64(),
            self.peak >> 20
        )
    }
}

/// One timed build at a time (the 20 MB build above waits too), so that builds do not
/// share the cores and caches they are timed on.
static TIMED: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Builds `text` as a post with the built-in `venues` (all of them when empty), by running
/// the `repurpose` binary of this profile in a fresh folder; panics unless the build
/// succeeds. The cost is read
/// from `/proc` while the process runs and once it has exited but is not yet reaped (a
/// zombie keeps its CPU times); elsewhere the CPU time is the wall time.
fn time_build(text: &str, venues: &[&str]) -> Cost {
    let _one_at_a_time = TIMED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("post.md"), text).expect("the post is written");
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_repurpose"))
        .args(["build", "post.md", "-o", "out", "-q"])
        .args(venues.iter().flat_map(|v| ["--venue", v]))
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    let proc = std::path::PathBuf::from(format!("/proc/{}", child.id()));
    let (mut cpu, mut peak) = (None, 0);
    while let Ok(stat) = std::fs::read_to_string(proc.join("stat")) {
        // The fields after the command name, which is in parentheses: state, ppid, …;
        // utime is the 12th, in ticks of 1/100 s.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map_or(vec![], |(_, rest)| rest.split_whitespace().collect());
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok());
        if fields.first() == Some(&"Z") {
            cpu = ticks(11).map(|user| std::time::Duration::from_millis(user * 10));
            break;
        }
        let status = std::fs::read_to_string(proc.join("status")).unwrap_or_default();
        if let Some(kb) = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kb << 10);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let status = child.wait().expect("the binary runs");
    let wall = started.elapsed();
    assert!(status.success(), "the build failed: {status}");
    Cost {
        cpu: cpu.unwrap_or(wall),
        wall,
        peak,
    }
}

/// `shape(4 n)` costs at most 5× the CPU time of `shape(n)` to build with `venues`; each
/// is built twice and the cheaper build counts, so a stall of the machine does not decide.
fn builds_linearly(name: &str, shape: fn(usize) -> String, n: usize, venues: &[&str]) {
    let cheaper = |text: &str| {
        let (a, b) = (time_build(text, venues), time_build(text, venues));
        if a.cpu <= b.cpu { a } else { b }
    };
    let small = cheaper(&shape(n));
    let large = cheaper(&shape(4 * n));
    eprintln!("{name}: n = {n}: {small}; 4n: {large}");
    // A floor of 50 ms keeps a tick of the clock from deciding.
    let floor = std::time::Duration::from_millis(50);
    assert!(
        large.cpu <= 5 * small.cpu.max(floor),
        "{name}: {small} at n = {n}, {large} at 4n"
    );
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn nested_images_build_linearly() {
    builds_linearly(
        "nested images",
        |n| format!("{}x{}\n", "![".repeat(n), "](i.png)".repeat(n)),
        300_000,
        &[],
    );
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn deeply_nested_quotes_build_linearly() {
    builds_linearly("nested quotes", |n| nested("> ", n), 400_000, &[]);
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn deeply_nested_emphasis_builds_linearly() {
    builds_linearly(
        "nested emphasis",
        |n| format!("{}x{}\n", "*a ".repeat(n), " a*".repeat(n)),
        200_000,
        &[],
    );
}

// ---------------------------------------------------------------------------------------
// The BBCode link guard: linear in the output, even where a code block keeps `[` as is.
// ---------------------------------------------------------------------------------------

/// The cheapest of three builds of `text` with `venues`, so a stall of the machine does not
/// decide.
fn cheapest_of_three(text: &str, venues: &[&str]) -> Cost {
    let mut best = time_build(text, venues);
    for _ in 0..2 {
        let cost = time_build(text, venues);
        if cost.cpu < best.cpu {
            best = cost;
        }
    }
    best
}

/// A fenced code block is copied into BBCode with its `[` unescaped, so each `[url]` or
/// `[url=` in it reaches the guard that turns script links into text; it must not look for
/// each tag's end (or read its URL) through the rest of the output.
#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn bbcode_link_guard_is_linear() {
    forum_builds_linearly("`[url]` × n", |n| {
        format!("```\n{}\n```\n", "[url]".repeat(n))
    });
    forum_builds_linearly("`[url=x` × n", |n| {
        format!("```\n{}\n```\n", "[url=x".repeat(n))
    });
}

/// `shape(4 n)` costs at most 5× the CPU time of `shape(n)` to build with the forum venue
/// alone, at n = 10,000.
fn forum_builds_linearly(name: &str, shape: fn(usize) -> String) {
    let n = 10_000;
    let small = cheapest_of_three(&shape(n), &["forum"]);
    let large = cheapest_of_three(&shape(4 * n), &["forum"]);
    eprintln!("{name}: n = {n}: {small}; 4n: {large}");
    // A floor of 50 ms keeps a tick of the clock from deciding.
    let floor = std::time::Duration::from_millis(50);
    assert!(
        large.cpu <= 5 * small.cpu.max(floor),
        "{name}: {small} at n = {n}, {large} at 4n"
    );
}
