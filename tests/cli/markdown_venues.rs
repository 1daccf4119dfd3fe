//! `discourse.md` and `hugo.md`: Markdown that another CommonMark parser reads back into
//! what the post says, and front matter that YAML reads back into the post's facts.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::harness::{FIXTURES, Project};

/// Each fixture's headings below the title: `(level, text)`.
fn outline(slug: &str) -> Vec<(u8, &'static str)> {
    match slug {
        "small-audiences" => vec![],
        "every-construct" => vec![
            (2, "Lists"),
            (2, "Quotes and code"),
            (2, "Table"),
            (2, "Images and notes"),
            (2, "Hostile text"),
        ],
        "plain-notes" => vec![
            (2, "What I kept"),
            (3, "A rule of thumb"),
            (2, "What I cut"),
        ],
        // Its venue-only block holds "How I got here" for every venue but forum and newsletter.
        "per-venue" => vec![
            (2, "What changes from room to room"),
            (2, "How I got here"),
            (2, "What stays the same"),
        ],
        other => panic!("no outline for {other}"),
    }
}

/// The headings of a Markdown body.
fn headings(md: &str) -> Vec<(u8, String)> {
    let mut out = Vec::new();
    let mut current: Option<(u8, String)> = None;
    for event in Parser::new_ext(md, Options::all()) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((heading_number(level), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => out.extend(current.take()),
            _ => {}
        }
    }
    out
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Each top-level paragraph of a Markdown body: its text, and whether it is one strong run.
fn paragraphs(md: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut current: Option<(String, bool, usize)> = None;
    for event in Parser::new_ext(md, Options::all()) {
        match &event {
            Event::Start(Tag::Paragraph) if depth == 0 => current = Some((String::new(), true, 0)),
            Event::End(TagEnd::Paragraph) if depth == 0 => {
                out.extend(current.take().map(|(t, strong, _)| (t, strong)));
            }
            Event::Start(Tag::Strong) => {
                if let Some((_, _, s)) = current.as_mut() {
                    *s += 1;
                }
            }
            Event::End(TagEnd::Strong) => {
                if let Some((_, _, s)) = current.as_mut() {
                    *s -= 1;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((text, strong, s)) = current.as_mut() {
                    text.push_str(t);
                    *strong &= *s > 0;
                }
            }
            Event::Start(Tag::BlockQuote(_) | Tag::List(_) | Tag::FootnoteDefinition(_)) => {
                depth += 1
            }
            Event::End(TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::FootnoteDefinition) => {
                depth -= 1
            }
            _ => {}
        }
    }
    out
}

/// The front matter and the body of a Markdown file that starts with `---`.
fn front_matter(md: &str) -> (serde_yaml::Value, &str) {
    let (front, body) = md
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .unwrap_or_else(|| panic!("no front matter: {md}"));
    (
        serde_yaml::from_str(front).expect("front matter is YAML"),
        body,
    )
}

#[test]
fn discourse_topics_end_on_the_question_in_bold_and_the_link_back() {
    let p = Project::built_fixtures();
    let questions = [
        (
            "small-audiences",
            "Where have you seen a small audience make the biggest echo?",
        ),
        (
            "every-construct",
            "Which construct breaks your forum first?",
        ),
        (
            "plain-notes",
            "What would you cut from your own drafts folder?",
        ),
        (
            "per-venue",
            "What do you change when the same idea goes to two places?",
        ),
    ];
    for (_, slug) in FIXTURES {
        let md = p.read(&format!("out/{slug}/discourse.md"));
        let question = questions.iter().find(|(s, _)| *s == slug).unwrap().1;
        let paras = paragraphs(&md);
        let n = paras.len();
        assert_eq!(
            paras[n - 2],
            (question.to_string(), true),
            "{slug}: the question, alone and bold, before the link"
        );
        assert_eq!(
            md.matches(question).count(),
            1,
            "{slug}: taken out of the body"
        );
        let canonical = format!("https://example.com/blog/{slug}/");
        let links: Vec<String> = Parser::new_ext(&md, Options::all())
            .filter_map(|e| match e {
                Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(
            links.last(),
            Some(&canonical),
            "{slug}: the link back comes last"
        );
        assert!(
            paras[n - 1].0.starts_with("Originally published at "),
            "{slug}"
        );
        let got: Vec<(u8, String)> = headings(&md);
        let want: Vec<(u8, String)> = outline(slug)
            .into_iter()
            .map(|(l, t)| (l, t.to_string()))
            .collect();
        assert_eq!(got, want, "{slug}: the post's outline, without the title");
    }
}

#[test]
fn discourse_lists_footnotes_and_reduces_raw_html_to_text() {
    let p = Project::built_fixtures();
    let md = p.read("out/every-construct/discourse.md");
    let events: Vec<Event> = Parser::new_ext(&md, Options::all()).collect();
    assert!(
        !events.iter().any(|e| matches!(
            e,
            Event::FootnoteReference(_) | Event::Start(Tag::FootnoteDefinition(_))
        )),
        "no footnote syntax, which Reddit would show as typed: {md}"
    );
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))),
        "no raw HTML: {md}"
    );
    assert!(md.contains("Footnotes come last¹, but this one is referenced first²."));
    // The notes: a numbered list right after the last rule.
    let last_rule = events.iter().rposition(|e| *e == Event::Rule).unwrap();
    assert!(matches!(
        events[last_rule + 1],
        Event::Start(Tag::List(Some(1)))
    ));
    let list_end = last_rule
        + events[last_rule..]
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::List(true))))
            .unwrap();
    let mut notes = Vec::new();
    for event in &events[last_rule..list_end] {
        match event {
            Event::Start(Tag::Item) => notes.push(String::new()),
            Event::Text(t) | Event::Code(t) => notes.last_mut().unwrap().push_str(t),
            _ => {}
        }
    }
    assert_eq!(
        notes,
        [
            "The second note, with code.",
            "The first note, referenced first."
        ]
    );
    assert!(md.contains("Raw HTML block with markup."), "the text stays");
    assert!(!md.contains("alert(\"no\")"), "the script does not");
}

#[test]
fn a_question_that_looks_like_markdown_stays_bold_text() {
    let p = Project::new();
    let question = "Is *this* `code`, <b>bold</b> or a [link](x) — or **none**?";
    p.write(
        "posts/q.md",
        &format!("---\ntitle: Q\nquestion: {question:?}\n---\n\nBody text.\n"),
    );
    p.run(&["build", "posts", "--venue", "discourse"])
        .expect_code(0);
    let md = p.read("out/q/discourse.md");
    assert_eq!(
        paragraphs(&md),
        [
            ("Body text.".to_string(), false),
            (question.to_string(), true)
        ],
        "{md}"
    );
}

#[test]
fn hugo_front_matter_holds_the_posts_facts() {
    let p = Project::built_fixtures();
    let facts = [
        (
            "small-audiences",
            "Small Audiences, Long Echoes",
            Some("2024-03-14"),
            vec!["writing", "community"],
            "Why a reply to twelve people can outlast a speech to a thousand — and three ways to make yours carry.",
        ),
        (
            "every-construct",
            "Every Construct: a <Field> Guide & [b]Test[/b]",
            Some("2024-06-01T09:30:00+02:00"),
            vec!["markdown", "testing", "edge cases"],
            "A post that uses every Markdown construct the renderers must handle.",
        ),
        (
            "plain-notes",
            "Notes From a Quiet Week",
            None,
            vec![],
            "Nothing shipped this week, and that was the point. I spent it reading old drafts.",
        ),
    ];
    for (slug, title, date, tags, summary) in facts {
        let md = p.read(&format!("out/{slug}/hugo.md"));
        let (yaml, body) = front_matter(&md);
        assert_eq!(yaml["title"], title, "{slug}");
        assert_eq!(yaml["slug"], slug, "{slug}");
        assert_eq!(yaml["date"].as_str(), date, "{slug}");
        let got_tags: Vec<&str> = yaml["tags"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{slug}: tags is a list"))
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(got_tags, tags, "{slug}");
        assert_eq!(yaml["summary"], summary, "{slug}");
        assert_eq!(yaml["description"], summary, "{slug}");
        assert_eq!(
            yaml["canonical_url"],
            format!("https://example.com/blog/{slug}/").as_str(),
            "{slug}"
        );
        let got: Vec<(u8, String)> = headings(body);
        let want: Vec<(u8, String)> = outline(slug)
            .into_iter()
            .map(|(l, t)| (l, t.to_string()))
            .collect();
        assert_eq!(
            got, want,
            "{slug}: the title is the front matter's, not a heading"
        );
        assert!(!body.contains(&format!("# {title}")), "{slug}");
    }
    let md = p.read("out/every-construct/hugo.md");
    assert!(
        md.contains("last[^1]") && md.contains("\n[^1]: The second note, with `code`."),
        "Hugo, Jekyll and Zola all know footnotes: {md}"
    );
}

#[test]
fn hugo_front_matter_survives_a_hostile_title() {
    let p = Project::new();
    let title = "Evil\n---\ndraft: true\n\"quoted\" # not a comment: [x]";
    p.write(
        "posts/evil.md",
        &format!("---\ntitle: {title:?}\ntags: [\"a: b\", \"- c\"]\n---\n\nBody.\n"),
    );
    p.run(&["build", "posts", "--venue", "hugo"]).expect_code(0);
    let md = p.read("out/evil/hugo.md");
    let (yaml, body) = front_matter(&md);
    assert_eq!(yaml["title"], title);
    assert!(yaml.get("draft").is_none(), "{md}");
    assert_eq!(yaml["tags"][0], "a: b");
    assert_eq!(yaml["tags"][1], "- c");
    assert_eq!(body.trim(), "Body.");
}
