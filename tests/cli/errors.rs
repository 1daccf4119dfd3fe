//! Bad input: one clear message naming the file (and line), the rest still built.

use crate::harness::Project;

/// A good post beside the bad one, to show the run goes on.
const GOOD: &str = "---\ntitle: Good\n---\nFine.\n";

fn project_with(bad_name: &str, bad: &str) -> Project {
    let p = Project::new();
    p.write("posts/good.md", GOOD);
    p.write(&format!("posts/{bad_name}"), bad);
    p
}

#[test]
fn invalid_yaml_names_file_line_and_column() {
    let p = project_with("bad.md", "---\ntitle: ok\ntags: [a, b\n---\nBody\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains(
        "error: posts/bad.md:4:1: invalid front matter: did not find expected ',' or ']'",
    );
    assert!(
        p.exists("out/good/blog.html"),
        "the good post is still built"
    );
    run.expect_stderr_contains("built 1 post");
}

/// `x: [[[[…]]]]` once kept the YAML parser busy for minutes (its work grows with the
/// square of the nesting); it is refused before parsing, at the line and column.
#[test]
fn deeply_nested_front_matter_is_refused_at_once() {
    let deep = format!(
        "---\ntitle: Deep\nx: {}1{}\n---\nBody\n",
        "[".repeat(30_000),
        "]".repeat(30_000)
    );
    let p = project_with("deep.md", &deep);
    let started = std::time::Instant::now();
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/deep.md:3:36: front matter nests lists and maps (`[` or `{`) more than 32 deep here; no real file needs that many levels");
    assert!(started.elapsed().as_secs() < 20, "{:?}", started.elapsed());
    assert!(p.exists("out/good/blog.html"));
}

#[test]
fn nested_configuration_is_refused_at_its_line() {
    let p = Project::new();
    p.write("posts/good.md", GOOD);
    p.write(
        "repurpose.yaml",
        &format!("out: public\nsite: {}1\n", "{a: ".repeat(50_000)),
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("repurpose.yaml:2:");
    run.expect_stderr_contains("the configuration nests lists and maps");
}

#[test]
fn unclosed_front_matter_says_how_to_fix_it() {
    let p = project_with("open.md", "---\ntitle: never closed\n\nBody\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/open.md:1:1: front matter is never closed: the `---` on line 1 opens it; add a line with only `---` where it ends");
}

#[test]
fn wrong_value_types_name_the_key() {
    let p = project_with("tags.md", "---\ntitle: T\ntags: 5\n---\nB\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/tags.md:3:1: `tags` must be a list or a comma-separated string, found the number `5`");
    let p = project_with("date.md", "---\ndate: tomorrow\n---\nB\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/date.md:2:1: `date` must be a date like 2024-05-01");
}

#[test]
fn unreadable_inputs_are_named() {
    let p = project_with("latin1.md", "");
    p.write_bytes("posts/latin1.md", b"caf\xe9\n");
    p.write("posts/empty.md", "\n\n");
    let run = p.run(&["build", "posts", "missing.md"]).expect_code(1);
    run.expect_stderr_contains("error: `missing.md`: no such file or folder");
    run.expect_stderr_contains("error: posts/latin1.md: not UTF-8 text (invalid byte at offset 3)");
    run.expect_stderr_contains("error: posts/empty.md: the file is empty");
    assert!(p.exists("out/good/forum.bbcode"));
}

#[test]
fn unknown_venue_is_a_usage_error() {
    let p = project_with("x.md", GOOD);
    let run = p
        .run(&["build", "posts", "--venue", "twitter"])
        .expect_code(2);
    run.expect_stderr_contains("error: unknown venue `twitter`; the venues are: article, blog, discourse, forum, hugo, newsletter, social (`repurpose venues` describes them)");
    assert!(!p.exists("out"), "nothing is written on a usage error");
}

#[test]
fn unknown_option_is_a_usage_error() {
    let run = Project::new()
        .run(&["build", "--frobnicate", "x.md"])
        .expect_code(2);
    run.expect_stderr_contains("unexpected argument '--frobnicate'");
}

#[test]
fn two_posts_with_one_slug_build_neither() {
    let p = Project::new();
    p.write("posts/one.md", "---\nslug: same\n---\nOne.\n");
    p.write("posts/two.md", "---\nslug: same\n---\nTwo.\n");
    p.write("posts/other.md", "Other.\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains(
        "error: `posts/one.md` and `posts/two.md` would all write `same/`; none of them was built",
    );
    assert!(!p.exists("out/same"));
    assert!(p.exists("out/other/blog.html"));
}

#[test]
fn a_broken_template_is_reported_and_the_other_venues_built() {
    let p = project_with("x.md", GOOD);
    p.write(
        "templates/broken.txt.tera",
        "Line one\n{% if post.title %}\nno endif\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains(
        "error: templates/broken.txt.tera: template `broken.txt.tera` does not compile:",
    );
    assert!(p.exists("out/good/blog.html"));
    assert!(!p.exists("out/good/broken.txt"));
}

#[test]
fn an_unknown_variable_fails_only_that_venue() {
    let p = project_with("x.md", GOOD);
    p.write("templates/typo.txt.tera", "{{ post.titel }}\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("venue `typo` failed in template `templates/typo.txt.tera`");
    // Tera's own report is shown.
    run.expect_stderr_contains("titel");
    assert!(p.exists("out/good/forum.bbcode"));
}

#[test]
fn a_bad_template_header_names_the_key_and_line() {
    let p = project_with("x.md", GOOD);
    p.write(
        "templates/odd.txt.tera",
        "{#---\ndescription: Odd\nwidth: 60\n---#}\n{{ body }}\n",
    );
    let run = p.run(&["venues"]).expect_code(1);
    run.expect_stderr_contains(
        "error: templates/odd.txt.tera:3:1: unknown key `width` (known: description, body, ",
    );
}

#[test]
fn a_markdown_parser_panic_is_a_warning_not_a_crash() {
    // pulldown-cmark 0.13.6 panics on this input in its heading-attribute code.
    let p = project_with("odd.md", "- [ ] \\\n    -\n");
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("warning: posts/odd.md: the Markdown parser failed on this post; it was parsed without `{#id .class}` heading attributes");
    run.refute_stderr_contains("panicked");
    assert!(p.exists("out/odd/forum.bbcode") && p.exists("out/good/forum.bbcode"));
}

#[test]
fn a_template_header_that_is_not_yaml_is_named() {
    let p = project_with("x.md", GOOD);
    p.write(
        "templates/odd.txt.tera",
        "{#---\ndescription: [oops\n---#}\n{{ body }}\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: templates/odd.txt.tera:3:1: invalid template header: did not find expected ',' or ']', while parsing a flow sequence at line 2 column 14");
    assert!(p.exists("out/good/blog.html"));
}

#[test]
fn an_unknown_filter_is_reported_with_teras_own_report() {
    let p = project_with("x.md", GOOD);
    p.write("templates/f.txt.tera", "{{ post.title | shout }}\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: templates/f.txt.tera: template `f.txt.tera` does not compile:\nerror: Unknown filter `shout`\n --> f.txt.tera:1:17");
}

#[test]
fn a_badly_named_template_is_named() {
    let p = project_with("x.md", GOOD);
    p.write("templates/noext.tera", "x\n");
    let run = p.run(&["venues"]).expect_code(1);
    run.expect_stderr_contains("error: templates/noext.tera: not loaded: a template's file name must be `<venue>.<ext>.tera`");
}

#[test]
fn folders_and_dangling_links_given_as_posts_are_named() {
    let p = project_with("x.md", GOOD);
    std::fs::create_dir_all(p.path().join("folder.md")).unwrap();
    std::os::unix::fs::symlink("nowhere.md", p.path().join("dangling.md")).unwrap();
    let run = p
        .run(&["build", "folder.md", "dangling.md", "posts"])
        .expect_code(1);
    run.expect_stderr_contains(
        "error: `folder.md`: no posts found (looked for *.md and *.markdown files)",
    );
    run.expect_stderr_contains(
        "error: `dangling.md` is a symbolic link to `nowhere.md`, which does not exist",
    );
    assert!(p.exists("out/good/blog.html"));
}

/// The lines of `stderr` that start with `error:` or `warning:`.
fn labelled(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("warning:"))
        .collect()
}

#[test]
fn a_date_that_is_no_day_says_why() {
    let p = project_with("feb.md", "---\ntitle: T\ndate: 2026-02-30\n---\nB\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    assert_eq!(
        labelled(&run.stderr),
        ["error: posts/feb.md:3:1: `date` is `2026-02-30`, but February 2026 has 28 days"]
    );
    let p = project_with("us.md", "---\ntitle: T\ndate: 03/12/2026\n---\nB\n");
    let run = p.run(&["build", "posts"]).expect_code(1);
    assert_eq!(
        labelled(&run.stderr),
        [
            "error: posts/us.md:3:1: `date` must be a date like 2024-05-01 or an RFC 3339 date-time like 2024-05-01T09:30:00Z, found `03/12/2026`"
        ]
    );
}

#[test]
fn a_broken_template_of_a_chosen_venue_is_a_template_error_not_an_unknown_venue() {
    let p = project_with("x.md", GOOD);
    p.write(
        "posts/picky.md",
        "---\nvenues: [forum, blog]\n---\n<!-- venue: forum -->\nHi forum.\n<!-- /venue -->\n",
    );
    p.write("templates/forum.bbcode.tera", "[b]{{ post.title [/b]\n");
    let compile_error =
        "error: templates/forum.bbcode.tera: template `forum.bbcode.tera` does not compile:";
    for args in [
        &["build", "posts", "--venue", "forum", "--venue", "blog"][..],
        &["check", "posts", "--venue", "forum", "--venue", "blog"],
    ] {
        let run = p.run(args).expect_code(1);
        assert_eq!(
            labelled(&run.stderr)[0],
            compile_error,
            "{args:?}: {}",
            run.stderr
        );
        run.refute_stderr_contains("unknown venue");
        let output = format!("{}{}", run.stdout, run.stderr);
        assert!(
            !output.contains("which is not one of the venues"),
            "a post naming the broken venue names a venue: {output}"
        );
    }
    assert!(p.exists("out/good/blog.html"), "the other venue is built");
    assert!(!p.exists("out/good/forum.bbcode"));

    // Named by the configuration instead: the same.
    p.write(
        "repurpose.yaml",
        "default_venues: [forum, blog]\nvenues:\n  forum: {max_chars: 5000}\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    assert_eq!(labelled(&run.stderr)[0], compile_error, "{}", run.stderr);
    run.refute_stderr_contains("not a venue");
    let run = p
        .run(&["build", "posts/good.md", "--venue", "forum", "--stdout"])
        .expect_code(1);
    assert_eq!(labelled(&run.stderr)[0], compile_error, "{}", run.stderr);
    run.refute_stderr_contains("writes 0 files");
}

/// Every command sets a run up the same way: a template that does not compile is reported
/// before a usage error stops the run (`preview` once said only the usage error).
#[test]
fn every_command_reports_a_broken_template_before_an_unknown_venue() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("templates/broken.txt.tera", "{{ unclosed\n");
    for command in [
        &["preview", "posts/plain-notes.md"][..],
        &["check", "posts"],
        &["build", "posts"],
        &["build", "posts", "--stdout"],
    ] {
        let args: Vec<&str> = command.iter().copied().chain(["--venue", "fax"]).collect();
        let run = p.run(&args).expect_code(2);
        let template = run
            .stderr
            .find("template `broken.txt.tera` does not compile");
        let usage = run.stderr.find("error: unknown venue `fax`");
        assert!(
            matches!((template, usage), (Some(t), Some(u)) if t < u),
            "{command:?}:\n{}",
            run.stderr
        );
    }
}
