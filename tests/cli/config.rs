//! `repurpose.yaml`: folders, default venues, utm defaults and per-venue settings, with
//! the command line over the file over the template headers.

use crate::harness::Project;

/// A post linking to its own site, so utm parameters show in every format.
const POST: &str = "---\ntitle: Echoes\nslug: echoes\n---\nA small audience listens closely. It answers, and the answers travel further than the post did. Each reply brings a friend.\n\nRead [the earlier post](https://example.com/blog/earlier/) first.\n\nWhat did yours teach you?\n";

const SITE: &str = "site:\n  url: https://example.com/blog\n  title: Example\n";

fn project(config: &str) -> Project {
    let p = Project::new();
    p.write("posts/echoes.md", POST);
    p.write("repurpose.yaml", &format!("{SITE}{config}"));
    p
}

#[test]
fn folders_are_relative_to_the_file_and_the_command_line_wins() {
    let p = Project::new();
    p.write("posts/echoes.md", POST);
    p.write(
        "site/repurpose.yaml",
        "out: public\ntemplates: my-templates\n",
    );
    p.write(
        "site/my-templates/card.txt.tera",
        "card: {{ post.title }}\n",
    );
    p.run(&["build", "posts", "--config", "site/repurpose.yaml"])
        .expect_code(0);
    assert_eq!(p.read("site/public/echoes/card.txt"), "card: Echoes\n");
    assert!(p.exists("site/public/echoes/forum.bbcode"));
    assert!(!p.exists("out"), "the file's `out` replaces the default");

    p.write("cli-templates/card.txt.tera", "cli: {{ post.title }}\n");
    p.run(&[
        "build",
        "posts",
        "--config",
        "site/repurpose.yaml",
        "-o",
        "cli-out",
        "-t",
        "cli-templates",
    ])
    .expect_code(0);
    assert_eq!(p.read("cli-out/echoes/card.txt"), "cli: Echoes\n");

    let run = p
        .run(&["venues", "--config", "site/repurpose.yaml"])
        .expect_code(0);
    // `venues` reads the file's templates folder too.
    run.expect_stdout_contains("site/my-templates/card.txt.tera");
}

#[test]
fn a_missing_templates_folder_names_the_line() {
    let p = project("templates: nowhere\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains(
        "error: repurpose.yaml:4:1: templates folder `nowhere` does not exist",
    );
}

#[test]
fn default_venues_are_built_unless_the_command_line_names_others() {
    let p = project("default_venues: [forum, blog]\n");
    p.run(&["build", "posts"]).expect_code(0);
    assert!(p.exists("out/echoes/forum.bbcode") && p.exists("out/echoes/blog.html"));
    assert!(!p.exists("out/echoes/newsletter.html") && !p.exists("out/echoes/article.md"));

    p.run(&["build", "posts", "--venue", "article"])
        .expect_code(0);
    assert!(p.exists("out/echoes/article.md"));
}

#[test]
fn unknown_default_venue_names_the_line_and_lists_the_venues() {
    let p = project("default_venues:\n  - forum\n  - blgo\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: repurpose.yaml:6:1: `default_venues` names `blgo`, which is not a venue; the venues are: article, blog, discourse, forum, hugo, newsletter, social");
    assert!(!p.exists("out/echoes"), "nothing is built");
}

#[test]
fn venue_settings_replace_the_template_header() {
    let p = project("");
    p.run(&["build", "posts"]).expect_code(0);
    let whole = p.read("out/echoes/newsletter.txt");
    assert!(whole.contains("Each reply brings a friend."), "{whole}");

    p.write(
        "repurpose.yaml",
        &format!("{SITE}venues:\n  newsletter: {{excerpt_words: 8}}\n  newsleter: ~\n"),
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: repurpose.yaml:6:1: `venues` names `newsleter`, which is not a venue; the venues are: article, blog, discourse, forum, hugo, newsletter, social");

    p.write(
        "repurpose.yaml",
        &format!("{SITE}venues:\n  newsletter: {{excerpt_words: 8}}\n"),
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    // An override is part of its venue's inputs: that venue alone is rendered again.
    run.expect_stderr_contains("built 1 post (2 files written, 0 unchanged)");
    let excerpt = p.read("out/echoes/newsletter.txt");
    assert!(
        excerpt.contains("A small audience listens closely."),
        "{excerpt}"
    );
    assert!(
        !excerpt.contains("Each reply brings a friend."),
        "the newsletter sends the excerpt: {excerpt}"
    );

    p.write(
        "repurpose.yaml",
        &format!(
            "{SITE}venues:\n  newsletter: {{excerpt_words: 8}}\n  forum: {{max_chars: 10000}}\n"
        ),
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    // A setting that changes no output still renders its venue again, that venue alone.
    run.expect_stderr_contains("built 1 post (0 files written, 1 unchanged)");
}

#[test]
fn utm_defaults_merge_into_venues_that_add_utm() {
    let p = project("utm:\n  utm_campaign: spring\n  utm_medium: ~\n");
    p.run(&["build", "posts"]).expect_code(0);
    let email = p.read("out/echoes/newsletter.html");
    assert!(
        email.contains(
            "https://example.com/blog/earlier/?utm_source=newsletter&amp;utm_campaign=spring"
        ),
        "the header's utm_source stays, utm_campaign is replaced, utm_medium removed: {email}"
    );
    let forum = p.read("out/echoes/forum.bbcode");
    assert!(
        forum.contains("[url=https://example.com/blog/earlier/]"),
        "the forum's template adds no utm parameters: {forum}"
    );

    p.write(
        "repurpose.yaml",
        &format!(
            "{SITE}utm: {{utm_campaign: spring}}\nvenues:\n  forum:\n    utm: {{utm_source: forum}}\n  newsletter:\n    utm: ~\n"
        ),
    );
    p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/echoes/forum.bbcode");
    assert!(
        forum.contains(
            "[url=https://example.com/blog/earlier/?utm_campaign=spring&utm_source=forum]"
        ),
        "a venue's own utm turns them on, over the file's: {forum}"
    );
    let email = p.read("out/echoes/newsletter.html");
    assert!(
        email.contains("href=\"https://example.com/blog/earlier/\""),
        "`utm: ~` turns them off: {email}"
    );
}

#[test]
fn unknown_keys_and_wrong_types_name_the_key_and_line() {
    let cases = [
        (
            "outt: public\n",
            "error: repurpose.yaml:4:1: unknown key `outt` (known: site, out, templates, default_venues, utm, venues, publish)",
        ),
        (
            "venues:\n  forum:\n    max_char: 5\n",
            "error: repurpose.yaml:6:1: unknown key `venues.forum.max_char` (known: max_chars, max_words, excerpt_words, heading_offset, wrap, links, raw_html, utm, url_length, footnotes, media, image_width, image_formats, image_max_bytes, image_max_pixels)",
        ),
        (
            "venues:\n  forum:\n    body: html\n",
            "error: repurpose.yaml:6:1: `venues.forum.body` cannot be set here: the template is written for its body format",
        ),
        (
            "venues:\n  forum:\n    wrap: wide\n",
            "error: repurpose.yaml:6:1: `venues.forum.wrap` must be a whole number, found the text `wide`",
        ),
        (
            "out: [a]\n",
            "error: repurpose.yaml:4:1: `out` must be a folder path, found a list",
        ),
        (
            "default_venues: [oops\n",
            "error: repurpose.yaml:5:1: invalid configuration: did not find expected ',' or ']'",
        ),
    ];
    for (config, expected) in cases {
        let p = project(config);
        let run = p.run(&["build", "posts"]).expect_code(1);
        assert!(
            run.stderr.starts_with(expected),
            "{config}\n---\n{}",
            run.stderr
        );
        assert!(
            !p.exists("out"),
            "nothing is built with a broken configuration"
        );
    }
}

#[test]
fn check_preview_and_stdout_use_the_same_settings_as_build() {
    let p = project(
        "out: public\ndefault_venues: [forum, newsletter]\nvenues:\n  forum:\n    max_chars: 120\n",
    );
    // check: the forum's limit from the file, and only the default venues.
    let run = p.run(&["check", "posts"]).expect_code(0);
    run.expect_stdout_contains(
        "over its limit of 120 (`venues.forum.max_chars` in the configuration)",
    );
    run.expect_stderr_contains("for 2 venues");
    // preview: into the file's `out`, with the default venues' panels only.
    p.run(&["preview", "posts/echoes.md"]).expect_code(0);
    let page = p.read("public/echoes/index.html");
    assert!(page.contains("data-venue=\"forum\"") && page.contains("data-venue=\"newsletter\""));
    assert!(!page.contains("data-venue=\"blog\""));
    assert!(page.contains("120"), "the limit shown is the file's");
    // --stdout: the one default venue file asked for, as build writes it.
    let printed = p
        .run(&[
            "build",
            "posts/echoes.md",
            "--stdout",
            "--file",
            "forum.bbcode",
        ])
        .expect_code(0);
    p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(printed.stdout, p.read("public/echoes/forum.bbcode"));
    assert!(!p.exists("public/echoes/blog.html"));
}

#[test]
fn watch_has_no_stdout() {
    let p = project("");
    let run = p.run(&["watch", "posts", "--stdout"]).expect_code(2);
    run.expect_stderr_contains("unexpected argument '--stdout'");
}

#[test]
fn the_newsletter_names_itself_from_site_newsletter() {
    let p = project("");
    p.write(
        "repurpose.yaml",
        &format!("{SITE}  newsletter: Small Lists Weekly\n"),
    );
    p.run(&["build", "posts"]).expect_code(0);
    let text = p.read("out/echoes/newsletter.txt");
    assert!(
        text.starts_with("Small Lists Weekly\n\nECHOES\n======\n"),
        "{text}"
    );
    let html = p.read("out/echoes/newsletter.html");
    let name = html.find("Small Lists Weekly").expect("the name is shown");
    assert!(name < html.find("<h1").expect("a title"), "above the title");
}

#[test]
fn a_thread_limit_set_here_is_held_to_what_a_thread_needs() {
    let p = project("venues:\n  social:\n    max_chars: 30\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("repurpose.yaml:");
    run.expect_stderr_contains("`max_chars: 30` is too small for `thread`");
    assert!(!p.exists("out/echoes/social.txt"));
}

#[test]
fn the_thread_and_footnotes_can_be_set_per_venue() {
    let p =
        project("venues:\n  social: {max_chars: 300, url_length: ~}\n  hugo: {footnotes: list}\n");
    let url = format!("https://example.com/{}", "long-path/".repeat(20));
    p.write(
        "posts/echoes.md",
        &format!(
            "---\ntitle: Echoes\nslug: echoes\n---\n{}\n\nSee {url} for more[^n].\n\n[^n]: A note.\n",
            "A sentence of some length that fills the post. ".repeat(12)
        ),
    );
    p.run(&["build", "posts"]).expect_code(0);
    let thread = p.read("out/echoes/social.txt");
    // Counted whole, the URL (over 200 characters) still fits a post of 300 with its marker.
    for post in thread.split("\n\n────────────\n\n") {
        assert!(post.chars().count() <= 300, "{post}");
    }
    assert!(thread.contains(&url), "the URL is whole: {thread}");
    let hugo = p.read("out/echoes/hugo.md");
    assert!(hugo.contains("more¹") && !hugo.contains("[^"), "{hugo}");
    // A wrong value names the key.
    p.write(
        "repurpose.yaml",
        &format!("{SITE}venues:\n  social: {{url_length: 0}}\n"),
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("`venues.social.url_length` must be a whole number of at least 1");
}

#[test]
fn a_site_key_one_edit_from_a_known_one_is_a_warning() {
    let p = Project::new();
    p.write("posts/echoes.md", POST);
    p.write(
        "repurpose.yaml",
        "site:\n  title: Example\n  ulr: https://blog.me/\n  motto: Small is fine\n",
    );
    let expected = ["warning: repurpose.yaml:3: unknown key `site.ulr`, did you mean `site.url`?"];
    for command in ["build", "check"] {
        let run = p.run(&[command, "posts"]).expect_code(0);
        let warnings: Vec<&str> = run
            .stderr
            .lines()
            .filter(|l| l.starts_with("warning:"))
            .collect();
        assert_eq!(warnings, expected, "{command}");
    }
}

/// A project in `blog/` (its own configuration, templates and posts), run from above it.
fn project_in_blog() -> Project {
    let p = Project::new();
    p.write("blog/posts/echoes.md", POST);
    p.write("blog/repurpose.yaml", "site:\n  title: Blog\n");
    p.write(
        "blog/templates/card.txt.tera",
        "card: {{ post.title }} / {{ site.title }}\n",
    );
    p
}

#[test]
fn the_configuration_above_the_inputs_is_used_with_its_templates_and_out() {
    let p = project_in_blog();
    let run = p.run(&["build", "blog/posts", "-v"]).expect_code(0);
    let details: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("configuration:") || l.starts_with("templates:"))
        .collect();
    assert_eq!(
        details,
        [
            "configuration: `blog/repurpose.yaml` (the nearest above `blog/posts`; none in the current folder)",
            "templates: `blog/templates` and the built-ins",
        ]
    );
    assert_eq!(p.read("blog/out/echoes/card.txt"), "card: Echoes / Blog\n");
    assert!(!p.exists("out"));

    // check and preview read the same file.
    let run = p
        .run(&["check", "blog/posts", "--venue", "card", "-v"])
        .expect_code(0);
    run.expect_stderr_contains("configuration: `blog/repurpose.yaml` (the nearest above `blog/posts`; none in the current folder)\n");
    p.run(&["preview", "blog/posts/echoes.md"]).expect_code(0);
    assert!(p.exists("blog/out/echoes/index.html"));
}

#[test]
fn the_current_folders_configuration_wins_with_a_warning() {
    let p = project_in_blog();
    p.write("repurpose.yaml", "site:\n  title: Top\n");
    p.write("templates/card.txt.tera", "top card: {{ site.title }}\n");
    let run = p.run(&["build", "blog/posts"]).expect_code(0);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [
            "warning: `blog/repurpose.yaml` is nearer `blog/posts`, but `repurpose.yaml` in the current folder was used (it wins; --config blog/repurpose.yaml uses the other)"
        ]
    );
    assert_eq!(p.read("out/echoes/card.txt"), "top card: Top\n");

    // Inside the project, its own file: no warning.
    let inside = assert_cmd::Command::cargo_bin("repurpose")
        .unwrap()
        .current_dir(p.path().join("blog"))
        .args(["build", "posts"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&inside.stderr);
    assert!(
        inside.status.success() && !stderr.contains("warning:"),
        "{stderr}"
    );
    assert_eq!(p.read("blog/out/echoes/card.txt"), "card: Echoes / Blog\n");
}

#[test]
fn inputs_of_two_projects_are_a_usage_error() {
    let p = project_in_blog();
    p.write("notes/repurpose.yaml", "site: {}\n");
    p.write("notes/idea.md", "An idea.\n");
    let run = p.run(&["build", "blog/posts", "notes"]).expect_code(2);
    assert_eq!(
        run.stderr,
        "error: the inputs belong to different projects: `blog/posts` to `blog/repurpose.yaml`, `notes` to `notes/repurpose.yaml`; build one project at a time, or choose the configuration with --config\n"
    );
    p.run(&[
        "build",
        "blog/posts",
        "notes",
        "--config",
        "blog/repurpose.yaml",
    ])
    .expect_code(0);
}

#[test]
fn a_configuration_above_the_current_folder_is_not_adopted() {
    // `home/` stands for the home folder: its file belongs to no project run from below it.
    let p = Project::new();
    p.write("home/repurpose.yaml", "site: {title: Home}\n");
    p.write("home/proj/posts/a.md", "---\ntitle: A\n---\nA.\n");
    p.write("home/other/posts/b.md", "---\ntitle: B\n---\nB.\n");
    let run_in_proj = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("repurpose")
            .unwrap()
            .current_dir(p.path().join("home/proj"))
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap()
    };
    for input in ["posts", "../other/posts"] {
        let run = run_in_proj(&["build", input, "-v"]);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{input}: {stderr}");
        assert!(
            stderr.contains("configuration: none (no ./repurpose.yaml, none above the inputs"),
            "{input}: {stderr}"
        );
    }
    assert!(
        !p.exists("home/out"),
        "nothing is written outside the project"
    );
    assert!(!p.exists("home/other/out"));
    assert!(p.exists("home/proj/out/a/forum.bbcode"));
    assert!(p.exists("home/proj/out/b/forum.bbcode"));
    assert!(!p.read("home/proj/out/a/blog.html").contains("Home"));

    // An input outside the current folder still finds its own project's file.
    p.write("home/blog/repurpose.yaml", "site: {title: Blog}\n");
    p.write("home/blog/posts/c.md", "---\ntitle: C\n---\nC.\n");
    let run = run_in_proj(&["build", "../blog/posts"]);
    assert!(run.status.success(), "{run:?}");
    assert!(p.exists("home/blog/out/c/forum.bbcode"));
}
