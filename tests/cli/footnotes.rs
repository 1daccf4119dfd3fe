//! Footnotes across the pieces a template places apart (`post.intro`, `post.sections`,
//! `post.outro`, `post.excerpt`): a reference in one piece and its definition in another
//! (all notes at the end of the post) still make one working footnote, in every format;
//! `check` names the references it cannot keep and the notes nothing refers to.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::harness::Project;

const POST: &str = "notes-at-the-end.md";
const SLUG: &str = "notes-at-the-end";

/// The fixture's notes by the number they get: in order of first reference.
const NOTES: [&str; 4] = [
    "Three times, in three different ways.",
    "Hours still matter for",
    "Ninety days is the least I give.",
    "See the note on notice",
];

fn built(extra_templates: &[(&str, &str)]) -> Project {
    let p = Project::with_fixtures(&[POST]);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\n  title: Example\n",
    );
    for (name, text) in extra_templates {
        p.write(&format!("templates/{name}"), text);
    }
    p.run(&["build", "posts"]).expect_code(0);
    p
}

/// Each footnote of a Markdown document: `(label, definition's text)`, and the labels
/// referenced, as another CommonMark parser reads them.
struct ReadBack {
    references: Vec<String>,
    definitions: Vec<(String, String)>,
    /// Text that reads as a reference but is not one.
    literal: Vec<String>,
    /// Whether every definition comes after every other top-level block.
    defs_last: bool,
}

fn read_back(md: &str) -> ReadBack {
    let mut out = ReadBack {
        references: Vec::new(),
        definitions: Vec::new(),
        literal: Vec::new(),
        defs_last: true,
    };
    let mut depth = 0usize;
    let mut in_def: Option<(String, String)> = None;
    let mut seen_def = false;
    for event in Parser::new_ext(md, Options::ENABLE_FOOTNOTES) {
        match &event {
            Event::Start(tag) => {
                if depth == 0 {
                    match tag {
                        Tag::FootnoteDefinition(label) => {
                            seen_def = true;
                            in_def = Some((label.to_string(), String::new()));
                        }
                        _ if seen_def => out.defs_last = false,
                        _ => {}
                    }
                }
                depth += 1;
            }
            Event::End(end) => {
                depth -= 1;
                if depth == 0 && *end == TagEnd::FootnoteDefinition {
                    out.definitions.extend(in_def.take());
                }
            }
            Event::FootnoteReference(label) => out.references.push(label.to_string()),
            Event::Text(t) => {
                if t.contains("[^") {
                    out.literal.push(t.to_string());
                }
                if let Some((_, text)) = in_def.as_mut() {
                    text.push_str(t);
                }
            }
            Event::Html(_) | Event::Rule if depth == 0 && seen_def => out.defs_last = false,
            _ => {}
        }
    }
    out
}

/// Asserts that every reference of a Markdown document resolves, each note is defined
/// once with the fixture's text, and the notes are numbered 1, 2, … in order.
#[track_caller]
fn assert_notes_resolve(md: &str, what: &str) {
    let back = read_back(md);
    assert!(
        back.literal.is_empty(),
        "{what}: literal references {:?}\n{md}",
        back.literal
    );
    let defined: HashMap<&str, &str> = back
        .definitions
        .iter()
        .map(|(l, t)| (l.as_str(), t.as_str()))
        .collect();
    for label in &back.references {
        assert!(
            defined.contains_key(label.as_str()),
            "{what}: `[^{label}]` has no definition\n{md}"
        );
    }
    let labels: Vec<&str> = back.definitions.iter().map(|(l, _)| l.as_str()).collect();
    let unique: HashSet<&str> = labels.iter().copied().collect();
    assert_eq!(
        unique.len(),
        labels.len(),
        "{what}: a note defined twice\n{md}"
    );
    for (i, note) in NOTES.iter().enumerate() {
        let label = (i + 1).to_string();
        let text = defined
            .get(label.as_str())
            .unwrap_or_else(|| panic!("{what}: no note {label}\n{md}"));
        assert!(text.starts_with(note), "{what}: note {label} is {text:?}");
    }
}

#[test]
fn article_keeps_footnotes_across_sections_with_the_notes_gathered_at_the_end() {
    let p = built(&[]);
    let md = p.read(&format!("out/{SLUG}/article.md"));
    assert_notes_resolve(&md, "article.md");
    let back = read_back(&md);
    assert!(
        back.defs_last,
        "notes gathered at the end of the draft:\n{md}"
    );
    assert_eq!(back.definitions.len(), NOTES.len(), "{md}");
    // The references keep the numbers they have in the whole post, section by section.
    assert_eq!(back.references, ["1", "2", "3", "2", "4", "3"], "{md}");
    assert!(md.contains("getting it wrong[^1]."), "{md}");
    assert!(md.contains("not the hours[^2]."), "{md}");
    // The colon is escaped so that no reader takes `[^3]:` for the start of a definition.
    assert!(
        md.ends_with("[^4]: See the note on notice[^3]\\: the same rule holds.\n"),
        "{md}"
    );
}

#[test]
fn markdown_venues_of_the_whole_body_keep_their_footnotes() {
    let p = built(&[]);
    let md = p.read(&format!("out/{SLUG}/hugo.md"));
    let body = md.splitn(3, "---\n").nth(2).expect("front matter");
    assert_notes_resolve(body, "hugo.md");
}

/// A template placing the sections in `format`, without `post.notes`: each section then
/// carries the notes it refers to.
fn sections_template(ext: &str) -> String {
    format!(
        "{{{{ post.intro }}}}\n{{% for s in post.sections %}}\n== {{{{ s.title }}}}\n{{{{ s.body }}}}\n{{% endfor %}}\n{{{{ post.outro }}}}\n<!-- {ext} -->\n"
    )
}

#[test]
fn sections_in_every_format_bring_each_note_once_with_the_first_that_refers_to_it() {
    let p = built(&[
        ("secmd.md.tera", &sections_template("md")),
        ("sechtml.html.tera", &sections_template("html")),
        ("secbb.bbcode.tera", &sections_template("bbcode")),
        ("sectxt.txt.tera", &sections_template("txt")),
    ]);

    let md = p.read(&format!("out/{SLUG}/secmd.md"));
    assert_notes_resolve(&md, "secmd.md");
    let sections: Vec<&str> = md.split("== ").collect();
    assert!(sections[1].contains("[^2]: Hours still matter"), "{md}");
    // The second section refers to note 2 again: it was shown with the first.
    assert!(sections[2].contains("as I said about hours[^2]."), "{md}");
    assert!(!sections[2].contains("[^2]:"), "{md}");
    // The last refers to note 4, which refers to note 3: shown with the second already.
    assert!(sections[3].contains("[^4]: See the note"), "{md}");
    assert!(!sections[3].contains("[^3]:"), "{md}");

    let html = p.read(&format!("out/{SLUG}/sechtml.html"));
    assert!(!html.contains("[^"), "{html}");
    for n in 1..=NOTES.len() {
        assert!(
            html.contains(&format!("href=\"#fn-{n}\"")),
            "reference {n}: {html}"
        );
        assert_eq!(
            html.matches(&format!("id=\"fn-{n}\"")).count(),
            1,
            "note {n} once on the page: {html}"
        );
    }

    for file in ["secbb.bbcode", "sectxt.txt"] {
        let text = p.read(&format!("out/{SLUG}/{file}"));
        assert!(!text.contains("[^"), "{file}: {text}");
        assert!(text.contains("not the hours²."), "{file}: {text}");
        assert!(text.contains("² Hours still matter"), "{file}: {text}");
        assert!(text.contains("pushes back⁴."), "{file}: {text}");
        assert!(text.contains("⁴ See the note on notice³"), "{file}: {text}");
        assert_eq!(text.matches("² Hours").count(), 1, "{file}: {text}");
    }
}

#[test]
fn a_template_showing_one_section_and_post_notes_keeps_every_reference() {
    // Note 3 is first referred to in the second section, and by note 4 in the last.
    let template = "{{ post.sections | last | get(key=\"body\") }}\n\n{{ post.notes }}\n";
    let p = built(&[("last.md.tera", template)]);
    let md = p.read(&format!("out/{SLUG}/last.md"));
    assert_notes_resolve(&md, "last.md");
    assert_eq!(read_back(&md).references, ["4", "3"], "{md}");
}

#[test]
fn a_template_placing_post_notes_gets_each_note_once() {
    let template = "{% for s in post.sections %}<h2>{{ s.title }}</h2>\n{{ s.body }}\n{% endfor %}{{ post.notes }}\n";
    let p = built(&[("page.html.tera", template)]);
    let html = p.read(&format!("out/{SLUG}/page.html"));
    for n in 1..=NOTES.len() {
        assert_eq!(
            html.matches(&format!("id=\"fn-{n}\"")).count(),
            1,
            "note {n}: {html}"
        );
    }
    assert_eq!(html.matches("class=\"footnotes\"").count(), 1, "{html}");
    assert!(html.contains("href=\"#fn-2\""), "{html}");
}

#[test]
fn the_newsletter_excerpt_brings_the_note_it_refers_to() {
    let p = Project::with_fixtures(&[POST]);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\nvenues:\n  newsletter:\n    excerpt_words: 20\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let html = p.read(&format!("out/{SLUG}/newsletter.html"));
    assert!(!html.contains("[^"), "{html}");
    assert!(
        html.contains("Three times, in three different ways."),
        "{html}"
    );
    let text = p.read(&format!("out/{SLUG}/newsletter.txt"));
    assert!(text.contains("getting it wrong¹."), "{text}");
    assert!(text.contains("¹ Three times"), "{text}");
}

#[test]
fn check_reports_references_without_notes_and_notes_without_references() {
    let p = Project::new();
    p.write(
        "post.md",
        "---\ntitle: T\n---\nA claim[^a] and a slip[^nope].\n\n`[^code]` is fine, and so is \\[^escaped].\n\n## Later\n\nMore[^a].\n\n[^a]: Alpha.\n[^unused]: Nobody points here.\n",
    );
    let run = p.run(&["check", "post.md"]);
    run.expect_stdout_contains("warning: post.md:4: footnote `[^nope]` has no definition");
    run.expect_stdout_contains(
        "warning: post.md:13: footnote `[^unused]` is defined but never referenced",
    );
    run.refute_stdout_contains("[^code]");
    run.refute_stdout_contains("[^escaped]");
    run.refute_stdout_contains("`[^a]`");
}

#[test]
fn check_reports_a_note_defined_in_a_block_a_venue_does_not_show() {
    let p = Project::new();
    p.write(
        "post.md",
        "---\ntitle: T\n---\nText with a note[^h].\n\n<!-- venue: blog -->\n[^h]: Only the blog sees this.\n<!-- /venue -->\n",
    );
    let run = p.run(&["check", "post.md"]);
    run.expect_stdout_contains("warning: post.md:4: footnote `[^h]` is defined in a venue-only block that article, discourse, forum, hugo, newsletter, social do not show");
}

#[test]
fn check_reports_a_reference_the_closing_question_takes_away() {
    let p = Project::new();
    p.write(
        "post.md",
        "---\ntitle: T\n---\nIntro[^a].\n\nSo. What do you think[^q]?\n\n[^a]: A.\n[^q]: Q.\n",
    );
    let run = p.run(&["check", "post.md"]);
    run.expect_stdout_contains("warning: post.md:6: footnote `[^q]` is in the closing question, which article, discourse, forum, newsletter, social print on its own as plain text");
    run.refute_stdout_contains("`[^a]`");
}
