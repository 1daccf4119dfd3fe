//! `repurpose new "Title"`.

use crate::harness::Project;

/// Today's local date, as `new` writes it.
fn today() -> String {
    jiff::ZonedDateTime::now().date().to_string()
}

#[test]
fn writes_the_front_matter_and_prints_the_path() {
    let p = Project::new();
    p.write("repurpose.yaml", "site:\n  author: Maren Holt\n");
    let before = today();
    let run = p
        .run(&["new", "Small audiences, long echoes"])
        .expect_code(0);
    // Read on both sides of the run, in case it crosses midnight.
    let days = [before, today()];
    assert_eq!(run.stdout, "posts/small-audiences-long-echoes.md\n");
    let text = p.read("posts/small-audiences-long-echoes.md");
    assert!(
        text.starts_with("---\ntitle: \"Small audiences, long echoes\"\n"),
        "{text}"
    );
    assert!(
        days.iter()
            .any(|d| text.contains(&format!("\ndate: {d}\n"))),
        "today's date: {text}"
    );
    for line in [
        "author: \"Maren Holt\"\n",
        "tags: []\n",
        "summary:\n",
        "question:\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    assert!(
        !text.contains("slug:"),
        "the file name gives the slug: {text}"
    );
    // Every key has a comment saying what it does.
    for key in ["date", "author", "tags", "summary", "question"] {
        let at = text.find(&format!("\n{key}:")).unwrap();
        let before = &text[..at];
        let comment = before.lines().last().unwrap();
        assert!(comment.starts_with("# "), "{key} has a comment: {text}");
    }
}

#[test]
fn the_new_post_builds_cleanly_and_keeps_its_title() {
    for (title, slug) in [
        ("Leverage: the hidden cost", "leverage-the-hidden-cost"),
        (r#"He said "no" — and 'why' #2"#, "he-said-no-and-why-2"),
        ("- [x] {done} & *bold*: yes", "x-done-bold-yes"),
        (r"C:\path\to\it", "c-path-to-it"),
    ] {
        let p = Project::new();
        p.write(
            "repurpose.yaml",
            "site:\n  author: \"O'Brien: \\\"Ed\\\"\"\n",
        );
        let run = p.run(&["new", title]).expect_code(0);
        let path = run.stdout.trim_end();
        assert_eq!(path, format!("posts/{slug}.md"));
        let built = p.run(&["build", path]).expect_code(0);
        built.refute_stderr_contains("warning");
        built.refute_stderr_contains("error");
        let manifest: serde_json::Value =
            serde_json::from_str(&p.read("out/manifest.json")).unwrap();
        assert_eq!(
            manifest["posts"][slug]["title"], title,
            "title read back exactly"
        );
        let page = p.read(&format!("out/{slug}/blog.html"));
        assert!(
            page.contains("<meta name=\"author\" content=\"O&#39;Brien: &quot;Ed&quot;\">"),
            "author from the configuration: {page}"
        );
    }
}

#[test]
fn refuses_to_overwrite_and_names_the_file() {
    let p = Project::new();
    p.write("posts/my-post.md", "My own words.\n");
    let run = p.run(&["new", "My post"]).expect_code(1);
    assert_eq!(run.stdout, "");
    run.expect_stderr_contains("error: not overwriting `posts/my-post.md`: it already exists; edit it, or choose another title or --slug");
    assert_eq!(p.read("posts/my-post.md"), "My own words.\n");
}

#[test]
fn slug_and_dir_choose_where_it_goes() {
    let p = Project::new();
    let run = p
        .run(&[
            "new",
            "Notes: week 12",
            "--slug",
            "Week 12",
            "--dir",
            "drafts/2024",
        ])
        .expect_code(0);
    assert_eq!(run.stdout, "drafts/2024/week-12.md\n");
    let text = p.read("drafts/2024/week-12.md");
    assert!(
        text.contains("\nslug: week-12\n"),
        "a chosen slug is kept: {text}"
    );
    assert!(
        text.contains("\nauthor:\n"),
        "no configuration, no author: {text}"
    );
    p.run(&["build", "drafts"]).expect_code(0);
    assert!(p.exists("out/week-12/forum.bbcode"));
}

#[test]
fn a_slug_the_file_name_would_lose_is_written_down() {
    let p = Project::new();
    p.run(&["new", "2024-05-01 Launch notes"]).expect_code(0);
    let text = p.read("posts/2024-05-01-launch-notes.md");
    assert!(text.contains("\nslug: 2024-05-01-launch-notes\n"), "{text}");
    p.run(&["build", "posts"]).expect_code(0);
    assert!(p.exists("out/2024-05-01-launch-notes/blog.html"));
}

#[test]
fn config_option_names_the_configuration() {
    let p = Project::new();
    p.write("repurpose.yaml", "site:\n  author: Default Author\n");
    p.write("other.yaml", "site:\n  author: Other Author\n");
    p.run(&["new", "One", "--config", "other.yaml"])
        .expect_code(0);
    assert!(
        p.read("posts/one.md")
            .contains("author: \"Other Author\"\n")
    );
    let run = p
        .run(&["new", "Two", "--config", "missing.yaml"])
        .expect_code(1);
    run.expect_stderr_contains("error: configuration file `missing.yaml` does not exist");
    p.write("bad.yaml", "site:\n  author: [\n");
    let run = p
        .run(&["new", "Three", "--config", "bad.yaml"])
        .expect_code(1);
    run.expect_stderr_contains("error: bad.yaml:");
    assert!(!p.exists("posts/two.md") && !p.exists("posts/three.md"));
}

#[test]
fn titles_without_a_slug_or_on_several_lines_are_usage_errors() {
    let p = Project::new();
    let run = p.run(&["new", "???"]).expect_code(2);
    run.expect_stderr_contains("error: the title \"???\" gives no slug (it has no letters or digits); choose one with --slug");
    p.run(&["new", "???", "--slug", "questions"]).expect_code(0);
    assert!(p.read("posts/questions.md").contains("title: \"???\"\n"));
    let run = p.run(&["new", "two\nlines"]).expect_code(2);
    run.expect_stderr_contains("line break");
    p.run(&["new", "  "]).expect_code(2);
}
