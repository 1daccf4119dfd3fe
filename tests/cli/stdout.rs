//! `repurpose build --stdout`: one post's one output file, printed instead of written.

use crate::harness::Project;

const POST: &str = "every-construct.md";

#[test]
fn prints_the_bytes_build_writes_and_writes_nothing() {
    let p = Project::with_fixtures(&[POST]);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\n  author: Site Author\n",
    );
    let source = format!("posts/{POST}");
    let mut printed = Vec::new();
    for (selection, file) in [
        (["--venue", "forum"], "forum.bbcode"),
        (["--venue", "blog"], "blog.html"),
        (["--venue", "article"], "article.md"),
        (["--file", "newsletter.html"], "newsletter.html"),
        (["--file", "newsletter.txt"], "newsletter.txt"),
    ] {
        let mut args = vec!["build", source.as_str(), "--stdout"];
        args.extend(selection);
        let run = p.run(&args).expect_code(0);
        assert_eq!(
            run.stderr,
            "warning: repurpose.yaml:2: `site.url` is `https://example.com/blog`, and example.com is reserved for examples: every canonical link, utm link and image will point there; set it to your site's address\n",
            "{file}: nothing on stderr but the placeholder's warning"
        );
        assert!(
            !p.exists("out"),
            "{file}: nothing written, not even the manifest"
        );
        printed.push((file, run.stdout));
    }
    p.run(&["build", &source]).expect_code(0);
    for (file, stdout) in printed {
        assert_eq!(
            stdout,
            p.read(&format!("out/every-construct/{file}")),
            "{file}"
        );
    }
}

#[test]
fn venue_and_file_together_pick_from_the_venue() {
    let p = Project::with_fixtures(&[POST]);
    let run = p
        .run(&[
            "build",
            "posts",
            "--stdout",
            "--venue",
            "newsletter",
            "--file",
            "newsletter.txt",
        ])
        .expect_code(0);
    assert!(run.stdout.starts_with("EVERY CONSTRUCT"), "{}", run.stdout);
    let run = p
        .run(&[
            "build",
            "posts",
            "--stdout",
            "--venue",
            "forum",
            "--file",
            "blog.html",
        ])
        .expect_code(2);
    run.expect_stderr_contains(
        "error: no output file `blog.html` in this selection; its files are: forum.bbcode",
    );
}

#[test]
fn several_files_ask_for_file() {
    let p = Project::with_fixtures(&[POST]);
    let run = p
        .run(&["build", "posts", "--stdout", "--venue", "newsletter"])
        .expect_code(2);
    assert_eq!(run.stdout, "");
    run.expect_stderr_contains("error: --stdout prints one file, and this selection writes 2 files: newsletter.html, newsletter.txt; choose one with --file NAME (e.g. --file newsletter.txt)");
    let run = p.run(&["build", "posts", "--stdout"]).expect_code(2);
    run.expect_stderr_contains("this selection writes 8 files: article.md, blog.html, discourse.md, forum.bbcode, hugo.md, newsletter.html, newsletter.txt, social.txt; choose one with --file NAME");
    assert!(!p.exists("out"));
}

#[test]
fn several_posts_are_refused() {
    let p = Project::with_fixtures(&[POST, "plain-notes.md"]);
    let run = p
        .run(&["build", "posts", "--stdout", "--venue", "forum"])
        .expect_code(2);
    assert_eq!(run.stdout, "");
    run.expect_stderr_contains("error: --stdout prints one post, and the inputs hold 2: posts/every-construct.md, posts/plain-notes.md; name one post file");
    assert!(!p.exists("out"));
}

#[test]
fn file_needs_stdout_and_stdout_excludes_clean() {
    let p = Project::with_fixtures(&[POST]);
    let run = p
        .run(&["build", "posts", "--file", "forum.bbcode"])
        .expect_code(2);
    run.expect_stderr_contains("--stdout");
    let run = p
        .run(&["build", "posts", "--stdout", "--venue", "forum", "--clean"])
        .expect_code(2);
    run.expect_stderr_contains("the argument '--stdout' cannot be used with '--clean'");
}

#[test]
fn a_post_that_skips_the_venue_or_fails_exits_1() {
    let p = Project::new();
    p.write(
        "posts/a.md",
        "---\ntitle: A\nskip_venues: [forum]\n---\nText.\n",
    );
    let run = p
        .run(&["build", "posts/a.md", "--stdout", "--venue", "forum"])
        .expect_code(1);
    run.expect_stderr_contains("error: posts/a.md: its front matter leaves out venue `forum` (`venues:` or `skip_venues:`), so there is nothing to print");
    p.write("posts/b.md", "---\ntitle: [\n---\nText.\n");
    let run = p
        .run(&["build", "posts/b.md", "--stdout", "--venue", "forum"])
        .expect_code(1);
    run.expect_stderr_contains("error: posts/b.md:3:");
    let run = p
        .run(&["build", "missing.md", "--stdout", "--venue", "forum"])
        .expect_code(1);
    run.expect_stderr_contains("error: `missing.md`: no such file or folder");
    assert!(!p.exists("out"));
}
