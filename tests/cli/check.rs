//! `repurpose check`: the loss report, its JSON, its exit codes — and that it writes nothing.
//! `build` prints the same warnings.

use std::collections::BTreeSet;
use std::path::Path;

use pretty_assertions::assert_eq;

use crate::harness::{Project, VENUE_FILES};

/// A post nothing is lost from: a summary, a question, plain paragraphs.
const CLEAN: &str =
    "---\ntitle: Clean\nsummary: A clean post.\nquestion: Does it pass?\n---\nPlain words only.\n";

/// The report on the construct-heavy fixture, with no configuration (so no `site.url`).
const EVERY_CONSTRUCT: &str = "\
warning: posts/every-construct.md:13: relative link `../about/` stays relative outside the blog: set `site.url` in repurpose.yaml or `canonical_url` in the front matter
warning: posts/every-construct.md:56: image `images/chart.png` cannot be linked from article, discourse, forum, newsletter, social (read away from your site) without an address: set `site.media_url` (where the output folder is served) or `site.url` in repurpose.yaml; until then they link to `media/<file>`
warning: posts/every-construct.md:65: link to a `javascript:` URL shown as its text only, in every venue
warning: posts/every-construct.md:65: inline HTML reduced to its text in discourse
warning: posts/every-construct.md:67: raw HTML block reduced to its text in discourse
note: posts/every-construct.md:13: inline code shown as plain text in forum
note: posts/every-construct.md:24: numbered list not starting at 1 shown as bullets with its numbers in forum
warning: posts/every-construct.md:49: table rendered as preformatted text in forum
note: posts/every-construct.md:56: image shown without its alt text in forum
note: posts/every-construct.md:61: inline code shown as plain text in forum
warning: posts/every-construct.md:65: inline HTML reduced to its text in forum
warning: posts/every-construct.md:67: raw HTML block reduced to its text in forum
warning: posts/every-construct.md:13: struck-through text shown without its strikethrough in newsletter.txt
note: posts/every-construct.md:49: table rendered as plain-text columns in newsletter.txt
warning: posts/every-construct.md:65: inline HTML reduced to its text in newsletter
warning: posts/every-construct.md:67: raw HTML block stripped of scripts, styles, forms, classes and ids in newsletter.html
warning: posts/every-construct.md:67: raw HTML block reduced to its text in newsletter.txt
warning: posts/every-construct.md:13: struck-through text shown without its strikethrough in social
note: posts/every-construct.md:13: inline code shown as plain text in social
note: posts/every-construct.md:49: table rendered as one plain-text line a row in social
note: posts/every-construct.md:61: inline code shown as plain text in social
warning: posts/every-construct.md:65: inline HTML reduced to its text in social
warning: posts/every-construct.md:67: raw HTML block reduced to its text in social
";

/// Every file and folder under the project, to prove a run wrote nothing.
fn tree(p: &Project) -> BTreeSet<String> {
    walkdir::WalkDir::new(p.path())
        .into_iter()
        .map(|e| {
            let e = e.expect("walk the project");
            let modified = std::fs::metadata(e.path())
                .and_then(|m| m.modified())
                .expect("modification time");
            let relative = e.path().strip_prefix(p.path()).expect("inside the project");
            format!("{} {modified:?}", relative.display())
        })
        .collect()
}

#[test]
fn every_construct_fixture_reports_each_loss_with_its_line() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    let run = p.run(&["check", "posts/every-construct.md"]).expect_code(0);
    assert_eq!(run.stdout, EVERY_CONSTRUCT);
    assert_eq!(
        run.stderr,
        "checked 1 post for 7 venues: 15 warnings, 8 notes\n"
    );
}

#[test]
fn posts_are_reported_in_input_order_a_blank_line_apart() {
    let p = Project::new();
    p.write(
        "posts/a.md",
        "---\ntitle: A\nsummary: S.\nquestion: Q?\n---\nIt ~~was~~ is.\n",
    );
    p.write("posts/b.md", CLEAN);
    p.write(
        "posts/c.md",
        "---\ntitle: C\nsummary: S.\nquestion: Q?\n---\n| x |\n|---|\n| 1 |\n",
    );
    let run = p
        .run(&[
            "check",
            "posts",
            "--venue",
            "forum",
            "--venue",
            "newsletter",
        ])
        .expect_code(0);
    assert_eq!(
        run.stdout,
        "warning: posts/a.md:6: struck-through text shown without its strikethrough in newsletter.txt\n\
         \n\
         warning: posts/c.md:6: table rendered as preformatted text in forum\n\
         note: posts/c.md:6: table rendered as plain-text columns in newsletter.txt\n"
    );
    assert_eq!(
        run.stderr,
        "checked 3 posts for 2 venues: 2 warnings, 1 note\n"
    );
}

#[test]
fn check_writes_nothing() {
    let p = Project::with_fixtures(&["every-construct.md", "plain-notes.md"]);
    p.write("repurpose.yaml", "site:\n  url: https://example.com\n");
    let before = tree(&p);
    p.run(&["check", "posts"]).expect_code(0);
    p.run(&["check", "posts", "--json"]).expect_code(0);
    p.run(&["check", "posts", "--strict"]).expect_code(1);
    assert_eq!(tree(&p), before);
    assert!(!p.exists("out"));
}

#[test]
fn a_site_url_makes_relative_links_absolute_and_silences_their_warnings() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    p.write("repurpose.yaml", "site:\n  url: https://example.com\n");
    let run = p.run(&["check", "posts"]).expect_code(0);
    run.refute_stdout_contains("relative");
    run.expect_stdout_contains(
        "warning: posts/every-construct.md:49: table rendered as preformatted text in forum\n",
    );
}

#[test]
fn venue_selection_limits_the_report() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    let run = p
        .run(&["check", "posts", "--venue", "newsletter"])
        .expect_code(0);
    run.refute_stdout_contains("in forum");
    run.expect_stdout_contains("in newsletter.txt");
    run.expect_stderr_contains("checked 1 post for 1 venue:");
    let run = p.run(&["check", "posts", "--venue", "nope"]).expect_code(2);
    run.expect_stderr_contains("error: unknown venue `nope`");
}

#[test]
fn the_forum_limit_is_twenty_thousand_characters() {
    let p = Project::new();
    let paragraph = "Forum posts have limits and this one is long. ".repeat(20);
    let body: String = (0..25).map(|_| format!("{paragraph}\n\n")).collect();
    p.write(
        "long.md",
        &format!("---\ntitle: Long\nsummary: S.\nquestion: Q?\n---\n{body}"),
    );
    let run = p.run(&["check", "long.md"]).expect_code(0);
    let forum: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.contains("forum.bbcode"))
        .collect();
    assert_eq!(forum.len(), 1, "{}", run.stdout);
    assert!(
        forum[0].starts_with("warning: long.md: forum.bbcode is 23")
            && forum[0].ends_with(
                " characters, over its limit of 20000 (`max_chars` in built-in `forum.bbcode.tera`)"
            ),
        "{}",
        forum[0]
    );
    p.run(&["check", "long.md", "--strict"]).expect_code(1);
}

#[test]
fn a_template_limit_in_words_warns_and_strict_fails() {
    let p = Project::new();
    p.write(
        "templates/tweet.txt.tera",
        "{#---\ndescription: A short post\nbody: text\nmax_chars: 280\nmax_words: 5\n---#}\n{{ body }}\n",
    );
    p.write(
        "post.md",
        "---\ntitle: T\nsummary: S.\nquestion: Q?\n---\nSix words are one too many.\n",
    );
    let run = p
        .run(&["check", "post.md", "--venue", "tweet"])
        .expect_code(0);
    assert_eq!(
        run.stdout,
        "warning: post.md: tweet.txt is 6 words, over its limit of 5 (`max_words` in `templates/tweet.txt.tera`)\n"
    );
    let run = p
        .run(&["check", "post.md", "--venue", "tweet", "--strict"])
        .expect_code(1);
    assert!(
        run.stderr
            .ends_with("1 warning, 0 notes (--strict: warnings fail the check)\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_big_newsletter_is_held_to_gmails_clipping_size() {
    let p = Project::new();
    let paragraph = "A **sentence** with a [link](https://example.org/page) in it. ".repeat(10);
    let body: String = (0..250).map(|_| format!("{paragraph}\n\n")).collect();
    p.write(
        "big.md",
        &format!("---\ntitle: Big\nsummary: S.\nquestion: Q?\n---\n{body}"),
    );
    let run = p
        .run(&["check", "big.md", "--venue", "newsletter"])
        .expect_code(0);
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("Gmail"))
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(
        line.starts_with("warning: big.md: newsletter.html is ")
            && line.ends_with(
                " KB of HTML: Gmail clips messages over about 102 KB behind \"View entire message\""
            ),
        "{line}"
    );
    let small = Project::new();
    small.write("small.md", CLEAN);
    let run = small.run(&["check", "small.md"]).expect_code(0);
    run.refute_stdout_contains("Gmail");
}

#[test]
fn json_is_one_object_per_post_with_outputs_and_diagnostics() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    p.write("posts/clean.md", CLEAN);
    let run = p.run(&["check", "posts", "--json"]).expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let posts = json.as_array().unwrap();
    assert_eq!(posts.len(), 2);
    let clean = &posts[0];
    assert_eq!(clean["file"], "posts/clean.md");
    assert_eq!(clean["slug"], "clean");
    assert_eq!(clean["diagnostics"], serde_json::json!([]));
    assert_eq!(clean["errors"], serde_json::json!([]));

    let every = &posts[1];
    assert_eq!(every["slug"], "every-construct");
    let outputs = every["outputs"].as_array().unwrap();
    let files: Vec<&str> = outputs
        .iter()
        .map(|o| o["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, VENUE_FILES);
    let forum = &outputs[3];
    assert_eq!(forum["venue"], "forum");
    assert_eq!(forum["format"], "bbcode");
    assert_eq!(forum["max_chars"], 20000);
    assert_eq!(forum["max_words"], serde_json::Value::Null);
    for key in ["bytes", "chars", "words"] {
        assert!(forum[key].as_u64().unwrap() > 100, "{key}: {forum}");
    }
    let table = every["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["line"] == 49 && d["venue"] == "forum")
        .unwrap();
    assert_eq!(
        table,
        &serde_json::json!({
            "level": "warning",
            "code": "degraded",
            "line": 49,
            "venue": "forum",
            "file": null,
            "message": "table rendered as preformatted text in forum"
        })
    );
    let own = every["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unsafe-url")
        .unwrap();
    assert_eq!(own["venue"], serde_json::Value::Null);
    assert_eq!(
        run.stderr,
        "checked 2 posts for 7 venues: 15 warnings, 8 notes\n"
    );
}

#[test]
fn strict_fails_only_on_warnings_and_errors_always_fail() {
    let p = Project::new();
    p.write("clean.md", CLEAN);
    let run = p.run(&["check", "clean.md", "--strict"]).expect_code(0);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "checked 1 post for 7 venues: 0 warnings, 0 notes\n"
    );

    // Notes alone never fail.
    p.write(
        "noted.md",
        "---\ntitle: Noted\n---\nNo summary, no question.\n",
    );
    let run = p.run(&["check", "noted.md", "--strict"]).expect_code(0);
    run.expect_stdout_contains("note: noted.md: no `summary` in the front matter: blog uses the post's opening sentences as its summary\n");

    p.write("bad.md", "---\ntitle: [oops\n---\nBody\n");
    let run = p.run(&["check", "clean.md", "bad.md"]).expect_code(1);
    run.expect_stderr_contains("error: bad.md:3:1: invalid front matter:");
    assert!(
        run.stderr
            .ends_with("checked 2 posts for 7 venues: 1 error, 0 warnings, 0 notes\n"),
        "{}",
        run.stderr
    );
    let run = p.run(&["check", "bad.md", "--json"]).expect_code(1);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json[0]["slug"], serde_json::Value::Null);
    assert!(
        json[0]["errors"][0]
            .as_str()
            .unwrap()
            .starts_with("bad.md:3:1: invalid front matter:")
    );

    p.run(&["check", "missing.md"]).expect_code(1);
}

#[test]
fn a_broken_template_is_an_error_and_the_rest_is_checked() {
    let p = Project::new();
    p.write("clean.md", CLEAN);
    p.write("templates/broken.txt.tera", "{{ post.title | shout }}\n");
    p.write("templates/fails.txt.tera", "{{ post.nothing.here }}\n");
    let run = p.run(&["check", "clean.md"]).expect_code(1);
    run.expect_stderr_contains("template `broken.txt.tera` does not compile");
    run.expect_stderr_contains(
        "error: clean.md: venue `fails` failed in template `templates/fails.txt.tera`",
    );
    assert!(
        run.stderr
            .ends_with("checked 1 post for 8 venues: 2 errors, 0 warnings, 0 notes\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn build_prints_the_warnings_one_line_each_and_keeps_its_exit_code() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    let run = p.run(&["build", "posts"]).expect_code(0);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    let expected: Vec<&str> = EVERY_CONSTRUCT
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings, expected);
    run.refute_stderr_contains("note: ");
    assert!(Path::new(&p.path().join("out/every-construct/forum.bbcode")).is_file());
}

#[test]
fn nesting_past_the_limit_is_a_warning_on_its_line_and_the_text_is_kept() {
    let p = Project::new();
    let deep = format!("{}deepest point\n", "> ".repeat(120));
    p.write(
        "posts/deep.md",
        &format!("---\ntitle: Deep\n---\nA post.\n\n{deep}\nWhat do you think?\n"),
    );
    let expected = "warning: posts/deep.md:6: quotes, lists and inline formatting nest more than 100 levels deep from here; the deeper levels are flattened: their text is kept, their formatting is not";
    let run = p.run(&["build", "posts"]).expect_code(0);
    assert!(run.stderr.lines().any(|l| l == expected), "{}", run.stderr);
    let blog = p.read("out/deep/blog.html");
    assert_eq!(blog.matches("<blockquote>").count(), 100);
    assert!(blog.contains("<p>deepest point</p>"), "{blog}");
    let run = p.run(&["check", "posts", "--json"]).expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let nesting: Vec<i64> = json[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "nesting" && d["level"] == "warning")
        .map(|d| d["line"].as_i64().unwrap())
        .collect();
    assert_eq!(nesting, [6]);
}

#[test]
fn a_front_matter_key_one_edit_from_a_known_one_is_a_warning() {
    let p = Project::new();
    p.write(
        "posts/typo.md",
        "---\ntitel: Echoes\nmood: calm\nvenues:\n  forum:\n    summery: Short.\n---\nA post.\n\nWhat do you think?\n",
    );
    let expected = [
        "warning: posts/typo.md:2: unknown front-matter key `titel`, did you mean `title`?",
        "warning: posts/typo.md:6: unknown front-matter key `venues.forum.summery`, did you mean `summary`?",
    ];
    let warnings = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.starts_with("warning:"))
            .map(String::from)
            .collect()
    };
    let run = p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(warnings(&run.stderr), expected);
    assert!(
        p.read("out/typo/blog.html").contains("<title>Typo</title>"),
        "built, the title from the file name as before"
    );
    let run = p.run(&["check", "posts"]).expect_code(0);
    assert_eq!(warnings(&run.stdout), expected);

    let run = p.run(&["check", "posts", "--json"]).expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let found: Vec<(i64, String)> = json[0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "unknown-key")
        .map(|d| {
            (
                d["line"].as_i64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                2,
                "unknown front-matter key `titel`, did you mean `title`?".to_string()
            ),
            (
                6,
                "unknown front-matter key `venues.forum.summery`, did you mean `summary`?"
                    .to_string()
            ),
        ]
    );
}
