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

#[path = "support/oracles.rs"]
mod oracles;

use std::path::Path;

use oracles::{
    Built, CATALOG, Html, build_post, check_discourse, check_forum, check_newsletter,
    check_outputs, check_social, markdown_options, render,
};
use proptest::prelude::*;
use pulldown_cmark::{Event, Tag};
use repurpose::markdown::MAX_NESTING;
use repurpose::post::Post;

/// The stack of the binary's main thread on Linux.
const MAIN_STACK: usize = 8 << 20;

/// Parses `text` as a post and renders every built-in venue, which must all succeed.
fn build(text: &str) -> Built {
    let post = Post::parse(Path::new("posts/2024-01-02-robust.md"), text).expect("the post parses");
    build_post(post, text)
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
        pulldown_cmark::Parser::new_ext(&text, markdown_options()).collect();
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
        // The text renderer's glue character, typed: the post is a question the
        // newsletter's text part shows as typed (the promise mistook it for a leak).
        "\u{E000}?",
    ] {
        check_outputs(&build(text), Html::Parsed);
    }
    assert!(
        build("\u{E000}?")
            .output("newsletter.txt")
            .contains("\u{E000}?")
    );
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

/// Checks what a post nested past `MAX_NESTING` levels gives: the levels past the limit
/// flattened (so `kept` of the nested tags remain), the deepest text in every output, and
/// `check`'s warning on `line`, where the flattening starts.
fn flattened_past_the_limit(
    built: &Built,
    line: usize,
    kept: usize,
    is: impl Fn(&Tag<'_>) -> bool,
) {
    assert_eq!(count_starts(&built.post.events, is), kept);
    for rendered in &built.outputs {
        let text = built.output(&rendered.file);
        // Text outputs wrap the deepest words one a line, past a hundred quote marks.
        assert!(
            text.contains("deepest"),
            "{}: the deepest text is lost",
            rendered.file
        );
    }
    let warning = built
        .post
        .warnings
        .iter()
        .find(|w| w.code == "nesting")
        .expect("a warning says the nesting was flattened");
    assert_eq!(warning.line, Some(line));
}

#[test]
fn ten_thousand_nested_quotes_flatten_past_the_limit() {
    let built = builds_in_proportion(|n| nested("> ", n), 5_000);
    flattened_past_the_limit(&built, 1, MAX_NESTING, |t| matches!(t, Tag::BlockQuote(_)));
}

#[test]
fn ten_thousand_nested_bullet_lists_flatten_past_the_limit() {
    let built = builds_in_proportion(|n| nested("- ", n), 5_000);
    flattened_past_the_limit(&built, 1, MAX_NESTING, |t| matches!(t, Tag::List(None)));
}

#[test]
fn ten_thousand_nested_ordered_lists_flatten_past_the_limit() {
    let built = builds_in_proportion(|n| nested("7. ", n), 5_000);
    flattened_past_the_limit(&built, 1, MAX_NESTING, |t| matches!(t, Tag::List(Some(7))));
}

#[test]
fn ten_thousand_levels_of_quotes_and_lists_flatten_past_the_limit() {
    let built = builds_in_proportion(|n| nested("> * ", n / 2), 5_000);
    flattened_past_the_limit(&built, 1, MAX_NESTING / 2, |t| {
        matches!(t, Tag::BlockQuote(_))
    });
    let items = count_starts(&built.post.events, |t| matches!(t, Tag::Item));
    assert_eq!(items, MAX_NESTING / 2);
}

#[test]
fn ten_thousand_nested_emphasis_flatten_past_the_limit() {
    let built = builds_in_proportion(
        |n| format!("{}deepest point{}\n", "*a ".repeat(n), " a*".repeat(n)),
        5_000,
    );
    // The paragraph is a level.
    flattened_past_the_limit(&built, 1, MAX_NESTING - 1, |t| matches!(t, Tag::Emphasis));
}

/// Venue blocks, the more marker and footnote definitions nested past the limit keep
/// working: the markers still mark, and no reference loses its note.
#[test]
fn markers_and_notes_past_the_limit_keep_working() {
    let q = "> ".repeat(MAX_NESTING + 2);
    let text = format!(
        "Opening words.\n\n{q}<!-- more -->\n{q}\n{q}<!-- venue: forum -->\n{q}\n{q}deepest point, forum only\n{q}\n{q}<!-- /venue -->\n{q}\n{q}Shown everywhere[^d].\n{q}\n{q}[^d]: The deep note.\n"
    );
    let built = on_main_stack(move || build(&text));
    check_outputs(&built, Html::Parsed);
    for rendered in &built.outputs {
        let output = built.output(&rendered.file);
        assert!(!output.contains("venue:"), "{}: {output}", rendered.file);
        assert!(!output.contains("more --"), "{}: {output}", rendered.file);
        assert!(output.contains("everywhere"), "{}: {output}", rendered.file);
        let forum_only = output.contains("forum only");
        assert_eq!(
            forum_only,
            rendered.file == "forum.bbcode",
            "{}",
            rendered.file
        );
    }
    for file in [
        "forum.bbcode",
        "blog.html",
        "discourse.md",
        "newsletter.txt",
    ] {
        assert!(built.output(file).contains("The deep note."), "{file}");
    }
    assert!(!built.post.warnings.iter().any(|w| w.code != "nesting"));
}

/// Code and raw HTML nested past the limit are flattened into text: in no venue may a
/// script in them come out live, or the markup of a venue break.
#[test]
fn scripts_nested_past_the_limit_stay_text() {
    let quotes = "> ".repeat(MAX_NESTING + 3);
    let text = format!(
        "Intro.\n\n{quotes}```\n{quotes}<script>alert(1)</script>\n{quotes}[url=javascript:x]y[/url]\n{quotes}```\n{quotes}\n{quotes}<div>\n{quotes}<script>alert(2)</script>\n{quotes}</div>\n{quotes}\n{quotes}deepest point <b>b</b> [l](javascript:z)\n"
    );
    let built = on_main_stack(move || build(&text));
    check_outputs(&built, Html::Parsed);
    flattened_past_the_limit(&built, 3, MAX_NESTING, |t| matches!(t, Tag::BlockQuote(_)));
    let blog = built.output("blog.html");
    assert!(
        blog.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{blog}"
    );
    assert!(!blog.contains("<script"), "{blog}");
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
        let outputs = render(&post, &venues);
        best = best.min(start.elapsed().as_secs_f64());
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
    eprintln!("{small:.3} s at n = {n}, {large:.3} s at 4n");
}

/// A list nested `n` deep on one line: each level once held its indent, `n` long. Levels
/// past `MAX_NESTING` are flattened now, so the thread sees a hundred and the parse takes
/// most of the time; `n` is large enough for that to take a fifth of a second, which the
/// clock's jitter cannot sway.
#[test]
#[ignore = "timed: run in release with --ignored"]
fn thread_of_a_deeply_nested_list_builds_in_linear_time() {
    thread_builds_in_linear_time(|n| format!("{}deep\n", "- ".repeat(n)), 1_000_000);
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
// holds the larger to at most 5× the CPU time and the peak memory of the smaller (a
// quadratic pass makes 16×). They run in release, one build at a time:
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

impl Cost {
    /// The build that took less CPU time of this one and `other`.
    fn cheaper(self, other: Cost) -> Cost {
        if other.cpu < self.cpu { other } else { self }
    }
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
    // The image the nested-images shape shows: a post's local image must exist, and the
    // whole build (the image read and copied, every venue rendered) is what is timed.
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("a 1-pixel PNG");
    std::fs::write(dir.path().join("i.png"), png.into_inner()).expect("the image is written");
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

/// `shape(4 n)` costs at most 5× the CPU time and 5× the peak memory of `shape(n)` to
/// build with `venues`. They are built in turns, `n` then `4n`, five times, and the
/// cheapest build of each counts: a stall of the machine (a busy neighbour on a shared
/// host) then has to last through all five turns to decide, and strikes both sizes alike
/// while it lasts. `/proc` counts CPU time in ticks of 10 ms: `n` must make a build of
/// `shape(n)` take a fifth of a second or more, or one tick decides.
fn builds_linearly(name: &str, shape: fn(usize) -> String, n: usize, venues: &[&str]) {
    let (small_text, large_text) = (shape(n), shape(4 * n));
    let mut small = time_build(&small_text, venues);
    let mut large = time_build(&large_text, venues);
    for _ in 1..5 {
        small = small.cheaper(time_build(&small_text, venues));
        large = large.cheaper(time_build(&large_text, venues));
    }
    eprintln!("{name}: n = {n}: {small}; 4n: {large}");
    // A floor of 50 ms keeps a tick of the clock from deciding.
    let floor = std::time::Duration::from_millis(50);
    assert!(
        large.cpu <= 5 * small.cpu.max(floor),
        "{name}: {small} at n = {n}, {large} at 4n"
    );
    // Memory: a floor of 32 MiB for what any build takes (the binary, the templates).
    assert!(
        large.peak <= 5 * small.peak.max(32 << 20),
        "{name}: memory not in proportion: {small} at n = {n}, {large} at 4n"
    );
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn nested_images_build_linearly() {
    builds_linearly(
        "nested images",
        |n| format!("{}x{}\n", "![".repeat(n), "](i.png)".repeat(n)),
        1_500_000,
        &[],
    );
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn deeply_nested_quotes_build_linearly() {
    builds_linearly("nested quotes", |n| nested("> ", n), 4_000_000, &[]);
}

#[test]
#[ignore = "release only: cargo test --release --test robustness -- --ignored"]
fn deeply_nested_emphasis_builds_linearly() {
    builds_linearly(
        "nested emphasis",
        |n| format!("{}x{}\n", "*a ".repeat(n), " a*".repeat(n)),
        // Large enough that both sizes are well past the caches. At 600,000 (150 MiB)
        // the smaller build still cost less per level than the larger one: 4.5× here,
        // and 5.4× once on CI, where pulldown-cmark alone parsing the shape takes 4.4–4.8×
        // and callgrind counts 3.85× the instructions. From 1,000,000 it is 4.0×.
        1_000_000,
        &[],
    );
}

// ---------------------------------------------------------------------------------------
// The BBCode link guard: linear in the output, even where a code block keeps `[` as is.
// ---------------------------------------------------------------------------------------

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

/// `builds_linearly` with the forum venue alone, at n = 10,000.
fn forum_builds_linearly(name: &str, shape: fn(usize) -> String) {
    builds_linearly(name, shape, 10_000, &["forum"]);
}
