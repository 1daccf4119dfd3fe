//! The writer controls each venue from the post: venue-only blocks, `venues:` front matter
//! for one venue, and `<!-- more -->` — on the `per-venue` fixture and small posts.

use pretty_assertions::assert_eq;

use crate::harness::{Project, fixtures};

/// The four built-in venues' files.
const FILES: [&str; 5] = [
    "forum.bbcode",
    "blog.html",
    "newsletter.html",
    "newsletter.txt",
    "article.md",
];

/// A template that prints what a venue's templates get, one `key=value` per line; added to
/// each built-in venue as `<venue>.facts.txt` (a second file of the same venue).
const FACTS: &str = r#"{#---
body: text
excerpt_words: 4
---#}
title={{ post.title }}
summary={{ post.summary }}
tags={{ post.tags | join(sep=",") }}
issue={{ post.extra.issue | default(value="") }}
question={{ post.question | default(value="") }}
words={{ post.word_count }}
outline={% for h in post.outline %}{{ h.title }};{% endfor %}
sections={% for s in post.sections %}{{ s.title }};{% endfor %}
excerpt={{ post.excerpt | replace(from="\n", to=" ") }}
"#;

/// The per-venue fixture built with a site configuration (and, with `facts`, the facts
/// template in every built-in venue).
fn built(facts: bool) -> Project {
    let p = Project::with_fixtures(&["per-venue.md"]);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\n  title: Example\n",
    );
    if facts {
        for venue in ["forum", "blog", "newsletter", "article"] {
            p.write(&format!("templates/{venue}.facts.txt.tera"), FACTS);
        }
    }
    let run = p.run(&["build", "posts"]).expect_code(0);
    // Only the placeholder `site.url`'s warning: nothing about the post.
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning"))
        .collect();
    assert!(
        warnings.len() == 1 && warnings[0].starts_with("warning: repurpose.yaml:2: `site.url` is"),
        "{}",
        run.stderr
    );
    p
}

/// The facts template's output for a venue, as `(key, value)` lines.
fn facts(p: &Project, venue: &str) -> Vec<(String, String)> {
    p.read(&format!("out/per-venue/{venue}.facts.txt"))
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn fact(p: &Project, venue: &str, key: &str) -> String {
    facts(p, venue)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {key} for {venue}"))
}

/// Whether `text` holds `needle`, for a table of expectations.
fn has(text: &str, needle: &str) -> bool {
    text.contains(needle)
}

#[test]
fn each_venue_shows_only_its_blocks_and_no_marker() {
    let p = built(false);
    // (text, files that show it): blocks for one venue, a list with `!`, an inline block.
    let table: [(&str, &[&str]); 5] = [
        // `<!-- venue: newsletter -->` at the start of the body.
        (
            "Hello to everyone who joined",
            &["newsletter.html", "newsletter.txt"],
        ),
        // Inline, inside a paragraph.
        ("asides like this one", &["blog.html"]),
        // A list item for the forum only.
        ("Forum readers answer back", &["forum.bbcode"]),
        // `!forum, !newsletter`, holding a heading.
        ("How I got here", &["blog.html", "article.md"]),
        // At the end of the body.
        ("I will collect the answers", &["forum.bbcode"]),
    ];
    for file in FILES {
        let text = p.read(&format!("out/per-venue/{file}"));
        for (needle, shown_in) in &table {
            assert_eq!(
                has(&text, needle),
                shown_in.contains(&file),
                "`{needle}` in {file}:\n{text}"
            );
        }
        for marker in ["venue:", "/venue", "<!-- more", "<!--more"] {
            assert!(!text.contains(marker), "`{marker}` in {file}:\n{text}");
        }
        // Text on either side of an inline block joins with one space and no gap.
        assert!(
            !text.contains("habits ,") && !text.contains("habits  "),
            "{file}:\n{text}"
        );
    }
    // The blog keeps raw HTML as written, so no comment at all is left in its page.
    assert!(!p.read("out/per-venue/blog.html").contains("<!--"));
}

#[test]
fn a_list_split_by_a_block_stays_one_list_numbered_from_one() {
    let p = built(false);
    let forum = p.read("out/per-venue/forum.bbcode");
    assert_eq!(forum.matches("[list=1]").count(), 1, "{forum}");
    assert_eq!(forum.matches("[*]").count(), 3, "{forum}");
    let txt = p.read("out/per-venue/newsletter.txt");
    assert!(txt.contains("  1. The opening."), "{txt}");
    assert!(txt.contains("  2. The length."), "{txt}");
    let blog = p.read("out/per-venue/blog.html");
    assert_eq!(blog.matches("<ol>").count(), 1, "{blog}");
}

#[test]
fn front_matter_for_one_venue_is_set_over_the_posts_own() {
    let p = built(true);
    let forum = "One post, four rooms: what do you change when you cross-post?";
    assert_eq!(fact(&p, "forum", "title"), forum);
    assert!(p.read("out/per-venue/forum.bbcode").contains(forum));
    for venue in ["blog", "newsletter", "article"] {
        assert_eq!(fact(&p, venue, "title"), "One Post, Four Rooms", "{venue}");
    }
    assert_eq!(
        fact(&p, "forum", "question"),
        "What do you change when you cross-post, and what do you leave alone?"
    );
    assert_eq!(
        fact(&p, "blog", "question"),
        "What do you change when the same idea goes to two places?"
    );
    assert_eq!(
        fact(&p, "newsletter", "summary"),
        "The small edits that let one post fit a forum, a blog and your inbox."
    );
    // An unknown key in an override is that venue's `post.extra`, no other's.
    assert_eq!(fact(&p, "newsletter", "issue"), "42");
    assert_eq!(fact(&p, "blog", "issue"), "");
    assert_eq!(fact(&p, "article", "tags"), "writing,community,drafts");
    assert_eq!(fact(&p, "forum", "tags"), "writing,community");
}

#[test]
fn more_sets_the_excerpt_and_summary_whatever_excerpt_words() {
    let p = built(true);
    // The facts template asks for 4 words; `<!-- more -->` wins, in each venue's edition.
    let blog = "Most of what I write goes to four rooms: the forum where I started, this blog, the newsletter and the longer article I sometimes draft from it. Pasting the same text into all four never worked. Each room has its own habits (the blog has room for asides like this one), and its readers arrive expecting different things.";
    assert_eq!(fact(&p, "blog", "summary"), blog);
    let page = p.read("out/per-venue/blog.html");
    assert!(
        page.contains(&format!("<meta name=\"description\" content=\"{blog}\">")),
        "{page}"
    );
    let forum = fact(&p, "forum", "excerpt");
    assert!(
        forum.starts_with("Most of what I write") && forum.ends_with("expecting different things."),
        "{forum}"
    );
    assert!(!forum.contains("asides"), "{forum}");
    // The newsletter's edition opens with its own greeting.
    assert!(
        fact(&p, "newsletter", "excerpt").starts_with("Hello to everyone who joined"),
        "{}",
        fact(&p, "newsletter", "excerpt")
    );
    // The newsletter's own summary stays its own.
    assert_ne!(fact(&p, "newsletter", "summary"), blog);
}

#[test]
fn outline_sections_and_word_count_follow_each_venue() {
    let p = built(true);
    assert_eq!(
        fact(&p, "blog", "outline"),
        "What changes from room to room;How I got here;What stays the same;"
    );
    assert_eq!(
        fact(&p, "forum", "sections"),
        "What changes from room to room;What stays the same;"
    );
    assert_eq!(
        fact(&p, "newsletter", "sections"),
        "What changes from room to room;What stays the same;"
    );
    // 115 words every venue shows; the history (35) for the article and the blog, the
    // aside (9) for the blog, the third point (14) and the follow-up (9) for the forum, the
    // greeting (16) for the newsletter.
    let words = |venue: &str| fact(&p, venue, "words").parse::<usize>().unwrap();
    assert_eq!(words("article"), 115 + 35);
    assert_eq!(words("blog"), 115 + 35 + 9);
    assert_eq!(words("forum"), 115 + 14 + 9);
    assert_eq!(words("newsletter"), 115 + 16);
    let article = p.read("out/per-venue/article.md");
    assert!(article.contains("## 2. How I got here"), "{article}");
}

#[test]
fn one_venue_to_stdout_is_its_own_edition() {
    let p = Project::with_fixtures(&["per-venue.md"]);
    let run = p
        .run(&[
            "build",
            "posts/per-venue.md",
            "--venue",
            "forum",
            "--stdout",
        ])
        .expect_code(0);
    assert!(
        run.stdout
            .starts_with("[size=150][b]One post, four rooms: what do you change"),
        "{}",
        run.stdout
    );
    run.expect_stdout_contains("Forum readers answer back");
    run.refute_stdout_contains("How I got here");
}

#[test]
fn several_venues_and_everywhere_but() {
    let p = Project::new();
    p.write(
        "posts/p.md",
        "---\ntitle: P\n---\nAll.\n\n<!-- venue: forum, newsletter -->\nForum and newsletter.\n<!-- /venue -->\n\n<!-- venue: !forum, !blog -->\nNot forum, not blog.\n<!-- /venue -->\n\nText <!-- venue: article, blog -->inline for two <!-- /venue -->end.\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let shows = |file: &str, text: &str| p.read(&format!("out/p/{file}")).contains(text);
    for (file, both, neither, inline) in [
        ("forum.bbcode", true, false, false),
        ("newsletter.txt", true, true, false),
        ("blog.html", false, false, true),
        ("article.md", false, true, true),
    ] {
        assert_eq!(shows(file, "Forum and newsletter."), both, "{file}");
        assert_eq!(shows(file, "Not forum, not blog."), neither, "{file}");
        assert_eq!(shows(file, "Text inline for two end."), inline, "{file}");
        assert_eq!(shows(file, "Text end."), !inline, "{file}");
    }
}

#[test]
fn marker_mistakes_name_the_file_and_line_and_the_rest_is_built() {
    for (post, message) in [
        (
            "---\ntitle: T\n---\nA.\n<!-- venue: forum -->\nB.\n",
            "error: posts/bad.md:5:1: this venue block is never closed: add `<!-- /venue -->` on a line of its own where the venue-only content ends",
        ),
        (
            "A.\n\n<!-- /venue -->\n",
            "error: posts/bad.md:3:1: `<!-- /venue -->` closes no block: no `<!-- venue: … -->` is open before it",
        ),
        (
            "<!-- venue: forum -->\nA.\n<!-- venue: blog -->\nB.\n<!-- /venue -->\n<!-- /venue -->\n",
            "error: posts/bad.md:3:1: venue blocks do not nest: this one opens while the block opened on line 1 is still open",
        ),
        (
            "- a <!-- venue: blog -->b\n- c<!-- /venue -->\n",
            "error: posts/bad.md:2:1: `<!-- /venue -->` is not at the level of the `<!-- venue: … -->` it closes (line 1)",
        ),
        (
            "---\ntitle: T\nvenues:\n  forum:\n    slug: other\n---\nA.\n",
            "error: posts/bad.md:5:1: `venues.forum.slug` cannot be set per venue: the slug cannot differ per venue",
        ),
        (
            "---\nvenues:\n  blog: {canonical_url: /relative/}\n---\nA.\n",
            "error: posts/bad.md:3:1: `venues.blog.canonical_url` must be an absolute http(s) URL",
        ),
    ] {
        let p = Project::new();
        p.write("posts/good.md", "---\ntitle: Good\n---\nFine.\n");
        p.write("posts/bad.md", post);
        let run = p.run(&["build", "posts"]).expect_code(1);
        run.expect_stderr_contains(message);
        assert!(p.exists("out/good/blog.html"), "the good post is built");
        let check = p.run(&["check", "posts/bad.md"]).expect_code(1);
        check.expect_stderr_contains(message);
    }
}

#[test]
fn an_unknown_venue_name_is_a_warning_listing_the_venues() {
    let p = Project::new();
    p.write(
        "posts/p.md",
        "---\ntitle: P\nvenues:\n  mastodon: {title: Short}\n---\nA.\n<!-- venue: forun -->\nB.\n<!-- /venue -->\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("warning: posts/p.md:4: the `venues:` front matter names `mastodon`, which is not one of the venues: article, blog, discourse, forum, hugo, newsletter, social (fine if it is a venue of another templates folder; else check its spelling)");
    run.expect_stderr_contains(
        "warning: posts/p.md:7: a venue block names `forun`, which is not one of the venues",
    );
    // A block for no venue here is in none of the outputs.
    assert!(!p.read("out/p/forum.bbcode").contains('B'));
    // With a templates folder that has the venue, there is nothing to warn about.
    p.write("templates/mastodon.txt.tera", "{{ post.title }}\n");
    p.write("templates/forun.txt.tera", "{{ body }}\n");
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.refute_stderr_contains("warning");
    assert_eq!(p.read("out/p/mastodon.txt"), "Short\n");
    assert_eq!(p.read("out/p/forun.txt"), "A.\n\nB.\n");
}

#[test]
fn check_reports_for_each_venue_only_what_it_shows() {
    let p = Project::new();
    p.write(
        "posts/p.md",
        "---\ntitle: P\nsummary: S.\nquestion: Q?\n---\nA.\n<!-- venue: blog -->\n| a |\n|---|\n| 1 |\n<!-- /venue -->\n<!-- venue: forum -->\n| b |\n|---|\n| 2 |\n<!-- /venue -->\n",
    );
    let run = p.run(&["check", "posts"]).expect_code(0);
    assert_eq!(
        run.stdout,
        "warning: posts/p.md:13: table rendered as preformatted text in forum\n"
    );
}

#[test]
fn other_markdown_tools_render_the_source_harmlessly() {
    // The fixture read by a plain CommonMark renderer, as any other tool would: every
    // marker is an HTML comment (a block of its own, or inline), so a browser shows none.
    let source = std::fs::read_to_string(fixtures().join("per-venue.md")).unwrap();
    let body = source.splitn(3, "---\n").nth(2).unwrap();
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(body, pulldown_cmark::Options::empty());
    let events: Vec<pulldown_cmark::Event<'_>> = parser.collect();
    for event in &events {
        if let pulldown_cmark::Event::Html(text) | pulldown_cmark::Event::InlineHtml(text) = event {
            let text = text.trim();
            assert!(
                text.starts_with("<!--")
                    && text.ends_with("-->")
                    && text.matches("-->").count() == 1,
                "`{text}` is one whole comment"
            );
        }
    }
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    let doc = scraper::Html::parse_fragment(&html);
    let shown: String = doc.root_element().text().collect();
    for hidden in ["venue", "more -->", "<!--"] {
        assert!(!shown.contains(hidden), "`{hidden}` shows:\n{shown}");
    }
    // Everything written is there for that tool's readers: every venue's content.
    for text in [
        "Hello to everyone who joined",
        "asides like this one",
        "Forum readers answer back",
        "How I got here",
        "I will collect the answers",
    ] {
        assert!(shown.contains(text), "`{text}` missing:\n{shown}");
    }
}

#[test]
fn a_more_marker_with_nothing_before_it_is_a_warning_at_its_line() {
    let p = Project::new();
    p.write(
        "posts/p.md",
        "---\ntitle: P\n---\n<!-- more -->\n\nThe opening sentence. And more.\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains(
        "warning: posts/p.md:4: `<!-- more -->` has no text before it, so it sets no excerpt",
    );
    let run = p.run(&["check", "posts", "--json"]).expect_code(0);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found = &report[0]["diagnostics"][0];
    assert_eq!(found["code"], "parse");
    assert_eq!(found["line"], 4);
}
