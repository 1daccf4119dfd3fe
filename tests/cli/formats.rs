//! Each venue's output is what the program that reads it accepts.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::harness::{FIXTURES, Project};

/// Builds every fixture once and hands `(slug, file text)` for one venue file to `check`.
fn for_each_output(file: &str, mut check: impl FnMut(&str, &str)) {
    let p = Project::built_fixtures();
    for (_, slug) in FIXTURES {
        check(slug, &p.read(&format!("out/{slug}/{file}")));
    }
}

#[test]
fn blog_is_valid_html5_with_the_page_metadata() {
    for_each_output("blog.html", |slug, html| {
        let doc = scraper::Html::parse_document(html);
        assert!(
            doc.errors.is_empty(),
            "{slug}: HTML5 parse errors {:?}",
            doc.errors
        );
        let one = |css: &str| {
            let sel = scraper::Selector::parse(css).unwrap();
            doc.select(&sel).count()
        };
        assert_eq!(one("html[lang]"), 1, "{slug}");
        assert_eq!(one("head > meta[charset]"), 1, "{slug}");
        assert_eq!(one("head > meta[name=viewport]"), 1, "{slug}");
        assert_eq!(one("head > title"), 1, "{slug}");
        assert_eq!(one("head > meta[name=description]"), 1, "{slug}");
        assert_eq!(one("head > link[rel=canonical]"), 1, "{slug}");
        assert_eq!(one("head > meta[property='og:title']"), 1, "{slug}");
        assert_eq!(one("head > style"), 1, "{slug}");
        assert_eq!(one("article h1"), 1, "{slug}: one h1, the title");
        if slug == "every-construct" {
            // Raw HTML in the body is kept in the blog, as CommonMark does.
            assert_eq!(one("article div.note"), 1, "{slug}");
        }
    });
}

#[test]
fn blog_escapes_front_matter_values() {
    for_each_output("blog.html", |slug, html| {
        if slug == "every-construct" {
            assert!(html.contains("<title>Every Construct: a &lt;Field&gt; Guide &amp; [b]Test[/b] — Example</title>"), "{html}");
        }
    });
}

#[test]
fn article_reparses_as_commonmark_with_its_sections() {
    let expected: [(&str, &[&str]); 4] = [
        (
            "small-audiences",
            &[
                "1. When readers trust you enough to forward your words without being asked, that’s an echo",
                "2. Every time you answer in public instead of in private, that’s an echo",
                "3. You can also give the same piece several lives by reworking it for each place people gather",
                "Conclusion",
            ],
        ),
        (
            "every-construct",
            &[
                "1. Lists",
                "2. Quotes and code",
                "3. Table",
                "4. Images and notes",
                "5. Hostile text",
                "Conclusion",
            ],
        ),
        (
            "plain-notes",
            &["1. What I kept", "2. What I cut", "Conclusion"],
        ),
        (
            // The article's edition: the `!forum, !newsletter` section is in it.
            "per-venue",
            &[
                "1. What changes from room to room",
                "2. How I got here",
                "3. What stays the same",
                "Conclusion",
            ],
        ),
    ];
    for_each_output("article.md", |slug, md| {
        let (front, body) = md
            .strip_prefix("---\n")
            .and_then(|rest| rest.split_once("\n---\n"))
            .unwrap_or_else(|| panic!("{slug}: front matter"));
        let yaml: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
        assert_eq!(yaml["status"], "draft", "{slug}");
        assert!(
            yaml["title"].as_str().is_some_and(|t| !t.is_empty()),
            "{slug}"
        );
        assert!(yaml["target_words"].as_u64().is_some(), "{slug}");
        let mut h1 = Vec::new();
        let mut h2 = Vec::new();
        let mut current: Option<(HeadingLevel, String)> = None;
        for event in Parser::new_ext(body, Options::all()) {
            match event {
                Event::Start(Tag::Heading { level, .. }) => current = Some((level, String::new())),
                Event::Text(t) | Event::Code(t) => {
                    if let Some((_, text)) = current.as_mut() {
                        text.push_str(&t);
                    }
                }
                Event::End(TagEnd::Heading(_)) => match current.take() {
                    Some((HeadingLevel::H1, t)) => h1.push(t),
                    Some((HeadingLevel::H2, t)) => h2.push(t),
                    _ => {}
                },
                _ => {}
            }
        }
        assert_eq!(h1.len(), 1, "{slug}: one # title");
        let want = expected.iter().find(|(s, _)| *s == slug).unwrap().1;
        assert_eq!(h2, want, "{slug}");
    });
}

/// Checks BBCode tags open and close in order; returns the first problem.
fn bbcode_balance(text: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        rest = &rest[open + 1..];
        let Some(close) = rest.find(']') else { break };
        let tag = &rest[..close];
        let name = tag
            .trim_start_matches('/')
            .split('=')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let known = [
            "b", "i", "u", "s", "url", "img", "quote", "code", "list", "size", "email", "color",
        ];
        if name == "*" || !known.contains(&name.as_str()) {
            continue;
        }
        if stack.last().is_some_and(|t| t == "code") && !(tag.starts_with('/') && name == "code") {
            continue;
        }
        if tag.starts_with('/') {
            match stack.pop() {
                Some(top) if top == name => {}
                other => return Err(format!("[/{name}] closes {other:?}")),
            }
        } else {
            stack.push(name);
        }
    }
    if stack.is_empty() {
        Ok(())
    } else {
        Err(format!("left open: {stack:?}"))
    }
}

#[test]
fn forum_tags_balance_and_no_markdown_is_left() {
    for_each_output("forum.bbcode", |slug, bb| {
        if let Err(problem) = bbcode_balance(bb) {
            panic!("{slug}: {problem}\n{bb}");
        }
        let outside_code: String = bb
            .split("[code]")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part
                } else {
                    part.split_once("[/code]").map_or("", |(_, after)| after)
                }
            })
            .collect();
        for leftover in ["**", "](", "`", "~~", "<em>", "<p>"] {
            assert!(
                !outside_code.contains(leftover),
                "{slug}: `{leftover}` left over\n{bb}"
            );
        }
        assert!(
            !outside_code
                .lines()
                .any(|l| l.starts_with('#') || l.starts_with("> ") || l.starts_with("- ")),
            "{slug}: Markdown block syntax left over\n{bb}"
        );
        assert!(bb.starts_with("[size=150][b]"), "{slug}: bold title line");
    });
}

#[test]
fn forum_keeps_bbcode_looking_text_literal() {
    for_each_output("forum.bbcode", |slug, bb| {
        if slug == "every-construct" {
            assert!(!bb.contains("[b]not bold"), "{bb}");
            assert!(!bb.contains("[url=javascript"), "{bb}");
            assert!(bb.contains("not bold"));
            assert!(
                bb.contains("[b]Which construct breaks your forum first?[/b]"),
                "{bb}"
            );
        }
        if slug == "small-audiences" {
            assert!(
                bb.contains("“small”") && bb.contains(" — "),
                "curly quotes and dashes stay"
            );
            assert!(bb.ends_with("[size=85]Originally published at [url=https://example.com/blog/small-audiences/]example.com/blog/small-audiences[/url][/size]\n"), "{bb}");
        }
    });
}

#[test]
fn newsletter_text_has_no_markup_and_wraps_at_72() {
    for_each_output("newsletter.txt", |slug, text| {
        for line in text.lines() {
            let width = textwrap::core::display_width(line);
            let unbreakable = !line.trim().contains(' ')
                || line.trim_start().starts_with('[') && !line.trim()[1..].contains(' ');
            let url_line = line
                .split_whitespace()
                .last()
                .is_some_and(|w| w.contains("://"))
                && line.split_whitespace().count() <= 2;
            let code = line.starts_with("    ");
            assert!(
                width <= 72 || unbreakable || url_line || code,
                "{slug}: {width} columns: {line:?}"
            );
        }
        for markup in ["<p", "**", "](", "<a ", "<b>", "~~"] {
            assert!(
                !text.contains(markup),
                "{slug}: `{markup}` in the text part\n{text}"
            );
        }
    });
}

#[test]
fn newsletter_html_is_email_safe() {
    for_each_output("newsletter.html", |slug, html| {
        let doc = scraper::Html::parse_fragment(html);
        let count = |css: &str| doc.select(&scraper::Selector::parse(css).unwrap()).count();
        for banned in ["style", "link", "script", "form", "iframe", "input"] {
            assert_eq!(count(banned), 0, "{slug}: <{banned}> in the email\n{html}");
        }
        assert_eq!(count("[class]"), 0, "{slug}: classes need a stylesheet");
        let sel = scraper::Selector::parse("a[href]").unwrap();
        for a in doc.select(&sel) {
            let href = a.value().attr("href").unwrap();
            assert!(
                href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("mailto:"),
                "{slug}: relative link {href}"
            );
            if href.starts_with("https://example.com/blog/") {
                assert!(
                    href.contains("utm_source=newsletter&utm_medium=email&utm_campaign="),
                    "{slug}: {href}"
                );
            }
        }
        let sel = scraper::Selector::parse("img").unwrap();
        for img in doc.select(&sel) {
            assert!(
                img.value().attr("alt").is_some(),
                "{slug}: image without alt"
            );
            assert!(
                img.value().attr("width").is_some(),
                "{slug}: image without width"
            );
        }
        let sel = scraper::Selector::parse("table[width]").unwrap();
        for table in doc.select(&sel) {
            let width = table.value().attr("width").unwrap();
            assert!(
                width == "100%" || width.parse::<u32>().is_ok_and(|w| w <= 600),
                "{slug}: width {width}"
            );
        }
        assert!(html.contains("Read it on the blog"), "{slug}");
    });
}
