//! `repurpose build`: outputs, manifest, selection, rebuilds.

use std::path::Path;

use crate::harness::{FIXTURES, Project, VENUE_FILES};

#[test]
fn each_fixture_gets_all_eight_files() {
    let names: Vec<&str> = FIXTURES.iter().map(|(f, _)| *f).collect();
    let p = Project::with_fixtures(&names);
    let run = p.run(&["build", "posts"]).expect_code(0);
    for (_, slug) in FIXTURES {
        for file in VENUE_FILES {
            let text = p.read(&format!("out/{slug}/{file}"));
            assert!(!text.trim().is_empty(), "{slug}/{file} is empty");
            assert!(
                text.ends_with('\n') && !text.ends_with("\n\n"),
                "{slug}/{file} ends with one newline"
            );
        }
        // One line per post.
        run.expect_stdout_contains(slug);
    }
    // Eight outputs each, and every-construct.md's chart in its media folder.
    run.expect_stderr_contains("built 4 posts (33 files written, 0 unchanged)");
    assert!(p.path().join("out/every-construct/media").is_dir());
}

#[test]
fn manifest_lists_every_file_with_size_and_hash() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts/plain-notes.md"]).expect_code(0);
    let manifest: serde_json::Value = serde_json::from_str(&p.read("out/manifest.json")).unwrap();
    let files = manifest["posts"]["plain-notes"]["files"]
        .as_array()
        .unwrap();
    assert_eq!(files.len(), VENUE_FILES.len());
    for file in files {
        let path = file["path"].as_str().unwrap();
        let bytes = std::fs::read(p.path().join("out").join(path)).unwrap();
        assert_eq!(
            file["bytes"].as_u64().unwrap(),
            bytes.len() as u64,
            "{path}"
        );
        assert!(file["hash"].as_str().unwrap().starts_with("sha256:"));
    }
    assert_eq!(
        manifest["posts"]["plain-notes"]["title"],
        "Notes From a Quiet Week"
    );
}

#[test]
fn rebuild_skips_up_to_date_posts_and_leaves_files_alone() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    let path = p.path().join("out/plain-notes/blog.html");
    let before = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("built 0 posts (0 files written, 0 unchanged), 1 up to date");
    assert_eq!(run.stdout, "", "no line for a post that was not built");
    let run = p.run(&["build", "posts", "--force"]).expect_code(0);
    run.expect_stderr_contains("built 1 post (0 files written, 8 unchanged)");
    assert_eq!(
        std::fs::metadata(&path).unwrap().modified().unwrap(),
        before
    );
}

#[test]
fn a_change_to_the_post_templates_or_config_rebuilds() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    let rebuilt = |p: &Project| p.run(&["build", "posts"]).expect_code(0);
    rebuilt(&p).expect_stderr_contains("1 up to date");

    // A configuration change.
    p.write("repurpose.yaml", "site:\n  url: https://example.org\n");
    rebuilt(&p).expect_stderr_contains("built 1 post (8 files written");
    rebuilt(&p).expect_stderr_contains("1 up to date");

    // A new template: its venue alone is rendered.
    p.write("templates/extra.txt.tera", "{{ post.title }}\n");
    rebuilt(&p).expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");

    // A post change: every output but discourse.md, which leaves the title to the forum's
    // title field.
    retitle(&p);
    rebuilt(&p).expect_stderr_contains("built 1 post (8 files written, 1 unchanged)");

    // A deleted output.
    std::fs::remove_file(p.path().join("out/plain-notes/forum.bbcode")).unwrap();
    rebuilt(&p).expect_stderr_contains("built 1 post (1 file written, 8 unchanged)");
}

#[test]
fn removed_posts_are_reported_and_clean_removes_only_their_files() {
    let p = Project::new();
    p.write("posts/keep.md", "Keep.\n");
    p.write("posts/gone.md", "Gone.\n");
    p.run(&["build", "posts"]).expect_code(0);
    p.write("out/gone/notes-by-hand.txt", "mine\n");
    std::fs::remove_file(p.path().join("posts/gone.md")).unwrap();
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("warning: 8 files are in `out` no longer built (from `posts/gone.md`); `--clean` removes them");
    assert!(p.exists("out/gone/blog.html"), "reported, not removed");
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    run.expect_stderr_contains("removed out/gone/blog.html");
    assert!(!p.exists("out/gone/blog.html"));
    assert_eq!(
        p.read("out/gone/notes-by-hand.txt"),
        "mine\n",
        "never deletes what it did not write"
    );
    let manifest = p.read("out/manifest.json");
    assert!(!manifest.contains("gone/"), "{manifest}");
    assert!(p.exists("out/keep/blog.html"));
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.refute_stderr_contains("no longer built");
}

#[test]
fn venue_option_builds_only_those_venues() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&[
        "build",
        "posts",
        "--venue",
        "forum",
        "--venue",
        "newsletter",
    ])
    .expect_code(0);
    assert!(p.exists("out/plain-notes/forum.bbcode"));
    assert!(p.exists("out/plain-notes/newsletter.txt"));
    assert!(!p.exists("out/plain-notes/blog.html"));
}

#[test]
fn front_matter_can_limit_venues() {
    let p = Project::new();
    p.write("a.md", "---\ntitle: A\nvenues: [blog]\n---\nText.\n");
    p.write(
        "b.md",
        "---\ntitle: B\nskip_venues: forum, article\n---\nText.\n",
    );
    p.run(&["build", "a.md", "b.md"]).expect_code(0);
    assert!(p.exists("out/a/blog.html") && !p.exists("out/a/forum.bbcode"));
    assert!(p.exists("out/b/blog.html") && !p.exists("out/b/forum.bbcode"));
    assert!(!p.exists("out/b/article.md") && p.exists("out/b/newsletter.txt"));
}

#[test]
fn out_option_and_config_site_are_used() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://blog.example.net\n  title: Quiet Blog\n  author: Site Author\n",
    );
    p.run(&["build", "posts", "-o", "public"]).expect_code(0);
    let blog = p.read("public/plain-notes/blog.html");
    assert!(
        blog.contains(r#"<link rel="canonical" href="https://blog.example.net/plain-notes/">"#),
        "{blog}"
    );
    assert!(blog.contains("Quiet Blog"));
    assert!(blog.contains("By Site Author"));
}

#[test]
fn a_template_dropped_into_templates_is_a_new_venue() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write(
        "templates/tweet.txt.tera",
        "{#---\ndescription: One line for a microblog\nbody: text\n---#}\n{{ post.title }} — {{ post.question }} #{{ post.slug }}\n",
    );
    let venues = p.run(&["venues"]).expect_code(0);
    venues.expect_stdout_contains("tweet");
    venues.expect_stdout_contains("templates/tweet.txt.tera");
    p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(
        p.read("out/plain-notes/tweet.txt"),
        "Notes From a Quiet Week — What would you cut from your own drafts folder? #plain-notes\n"
    );
}

#[test]
fn a_template_with_a_built_in_name_replaces_it() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("templates/forum.bbcode.tera", "[b]{{ post.title }}[/b]\n");
    let venues = p.run(&["venues"]).expect_code(0);
    let forum = venues
        .stdout
        .lines()
        .find(|l| l.starts_with("forum"))
        .unwrap();
    assert!(forum.contains("templates/forum.bbcode.tera"), "{forum}");
    p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(
        p.read("out/plain-notes/forum.bbcode"),
        "[b]Notes From a Quiet Week[/b]\n"
    );
}

#[test]
fn folders_are_walked_in_order() {
    let p = Project::new();
    p.write("posts/b.md", "B.\n");
    p.write("posts/a.markdown", "A.\n");
    p.write("posts/.drafts/hidden.md", "H.\n");
    p.write("posts/notes.txt", "not a post\n");
    let run = p.run(&["build", "posts"]).expect_code(0);
    let slugs: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(slugs, ["a", "b"]);
}

#[test]
fn a_touched_but_unchanged_post_is_still_up_to_date() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    let text = p.read("posts/plain-notes.md");
    std::thread::sleep(std::time::Duration::from_millis(20));
    p.write("posts/plain-notes.md", &text); // new modification time, same bytes
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("built 0 posts (0 files written, 0 unchanged), 1 up to date");
}

/// A post to build is read once: the plan reads it for its slug and inputs hash, and the
/// build parses that same copy. (Checked with `strace`, which CI has; skipped without it.)
#[test]
fn a_build_opens_each_post_file_once() {
    let p = Project::with_fixtures(&["every-construct.md", "plain-notes.md"]);
    let Some(trace) = traced_opens(&p, &["build", "posts", "-q"]) else {
        return;
    };
    for post in ["every-construct.md", "plain-notes.md"] {
        let opens = trace
            .lines()
            .filter(|l| l.contains(&format!("posts/{post}\"")) && !l.contains("= -1"))
            .count();
        assert_eq!(opens, 1, "`posts/{post}` opened {opens} times:\n{trace}");
    }
}

#[test]
fn an_output_still_as_written_is_not_read_again_but_with_force() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    // A new title: every output but discourse.md changes (it leaves the title to the
    // forum's field), and that one is known unchanged from the manifest.
    retitle(&p);
    let Some(trace) = traced_opens(&p, &["build", "posts", "-q"]) else {
        return;
    };
    let opened: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("out/plain-notes/discourse.md\""))
        .collect();
    assert!(opened.is_empty(), "discourse.md opened: {opened:#?}");
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");

    // Another title of the same length: the outputs that change keep their sizes, and each
    // is known to hold other bytes from the manifest's hash, not read to compare.
    let text = p
        .read("posts/plain-notes.md")
        .replace("Calm Week", "Mild Week");
    p.write("posts/plain-notes.md", &text);
    let Some(trace) = traced_opens(&p, &["build", "posts", "-q"]) else {
        return;
    };
    let opened: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("out/plain-notes/") && !l.contains(".repurpose-"))
        .filter(|l| !l.contains("O_DIRECTORY"))
        .collect();
    assert!(opened.is_empty(), "outputs opened: {opened:#?}");
    assert!(p.read("out/plain-notes/blog.html").contains("Mild Week"));
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");

    // Edited by hand to the same size, its time put back: only --force, which reads every
    // output, finds it and puts it right.
    let path = p.path().join("out/plain-notes/blog.html");
    let blog = p.read("out/plain-notes/blog.html");
    let time = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap();
    p.write("out/plain-notes/blog.html", &blog.replacen('<', "(", 1));
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    drop(file);
    p.run(&["build", "posts", "--force"])
        .expect_code(0)
        .expect_stderr_contains("(1 file written, 7 unchanged)");
    assert_eq!(p.read("out/plain-notes/blog.html"), blog);
}

#[test]
fn a_post_read_again_for_the_build_must_be_what_the_plan_found() {
    // The plan trusts a post whose size and time are those recorded; a template edit then
    // renders it again from the file, read anew. Edited meanwhile, keeping both, it is not
    // built from bytes whose slug was never checked.
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("templates/card.txt.tera", "card: {{ post.title }}\n");
    p.run(&["build", "posts"]).expect_code(0);
    let path = p.path().join("posts/plain-notes.md");
    let time = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap();
    let text = p.read("posts/plain-notes.md");
    p.write(
        "posts/plain-notes.md",
        &text.replace("Quiet Week", "Still Week"),
    );
    let file = std::fs::File::options().write(true).open(&path).unwrap();
    file.set_modified(time).unwrap();
    drop(file);
    p.write("templates/card.txt.tera", "card! {{ post.title }}\n");
    p.run(&["build", "posts"])
        .expect_code(1)
        .expect_stderr_contains("plain-notes.md: changed while this build ran")
        .expect_stderr_contains("with --force if this repeats");
    assert_eq!(
        p.read("out/plain-notes/card.txt"),
        "card: Notes From a Quiet Week\n"
    );
    p.run(&["build", "posts", "--force"]).expect_code(0);
    assert_eq!(
        p.read("out/plain-notes/card.txt"),
        "card! Notes From a Still Week\n"
    );
}

#[test]
fn a_venue_whose_templates_are_gone_leaves_stale_files_and_is_rendered_when_back() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("templates/card.txt.tera", "card: {{ post.title }}\n");
    p.run(&["build", "posts"]).expect_code(0);
    let card = p.read("templates/card.txt.tera");
    std::fs::remove_file(p.path().join("templates/card.txt.tera")).unwrap();
    // Gone together with a change to another venue.
    p.write("repurpose.yaml", "utm:\n  utm_campaign: spring\n");
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("1 file is in `out` no longer built");
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .expect_stderr_contains("removed out/plain-notes/card.txt");
    assert!(!p.exists("out/plain-notes/card.txt"));

    p.write("templates/card.txt.tera", &card);
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    assert_eq!(
        p.read("out/plain-notes/card.txt"),
        "card: Notes From a Quiet Week\n"
    );

    // Gone alone.
    std::fs::remove_file(p.path().join("templates/card.txt.tera")).unwrap();
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .expect_stderr_contains("removed out/plain-notes/card.txt");
    p.run(&["build", "posts"])
        .expect_code(0)
        .refute_stderr_contains("no longer built");
}

#[test]
fn an_output_gone_from_a_venue_leaves_a_stale_file_and_its_other_output_as_it_is() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("templates/card.txt.tera", "card: {{ post.title }}\n");
    p.write("templates/card.md.tera", "# {{ post.title }}\n");
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("(10 files written, 0 unchanged)");
    let text = modified(&p, "out/plain-notes/card.txt");
    std::fs::remove_file(p.path().join("templates/card.md.tera")).unwrap();
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("built 1 post (0 files written, 0 unchanged)");
    run.expect_stderr_contains("1 file is in `out` no longer built");
    assert_eq!(modified(&p, "out/plain-notes/card.txt"), text);
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .expect_stderr_contains("removed out/plain-notes/card.md");
    assert!(p.exists("out/plain-notes/card.txt"));
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date")
        .refute_stderr_contains("no longer built");

    // Back: rendered alone.
    p.write("templates/card.md.tera", "# {{ post.title }}\n");
    let run = p.run(&["build", "posts", "-v"]).expect_code(0);
    run.expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    run.expect_stdout_contains("1 file → out/plain-notes (card.md only)");
    assert_eq!(modified(&p, "out/plain-notes/card.txt"), text);

    // Gone while another venue is built: stale at once, as a venue gone is, and the next
    // build of that venue finds the post up to date.
    std::fs::remove_file(p.path().join("templates/card.md.tera")).unwrap();
    p.run(&["build", "posts", "--venue", "forum"])
        .expect_code(0)
        .expect_stderr_contains("1 file is in `out` no longer built");
    p.run(&["build", "posts", "--venue", "forum"])
        .expect_code(0)
        .expect_stderr_contains("built 0 posts (0 files written, 0 unchanged), 1 up to date");
    assert!(p.exists("out/plain-notes/card.txt"));
}

#[test]
fn a_component_edit_renders_every_output_that_may_call_it() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    let define = |version: &str| {
        format!(
            "{{% component sig(name) %}}-- signed {version} {{{{ name }}}}{{% endcomponent sig %}}<h1>{{{{ post.title }}}}</h1>\n"
        )
    };
    p.write("templates/digest.html.tera", &define("v1"));
    p.write(
        "templates/digest.txt.tera",
        "DIGEST {{ post.title }}\n{{<sig name=\"Maren\"/>}}\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    assert!(
        p.read("out/plain-notes/digest.txt")
            .contains("signed v1 Maren")
    );
    // Components are global: the text template calls one the page template defines.
    p.write("templates/digest.html.tera", &define("v2"));
    p.run(&["build", "posts"]).expect_code(0);
    assert!(
        p.read("out/plain-notes/digest.txt")
            .contains("signed v2 Maren")
    );
    settled_in(&p, 10);
}

#[test]
fn a_post_rendered_for_one_output_names_its_findings_as_a_full_build_does() {
    let p = Project::with_fixtures(&["every-construct.md"]);
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/newsletter.html.tera"),
    )
    .unwrap();
    p.write("templates/newsletter.html.tera", &builtin);
    let full = p.run(&["build", "posts"]).expect_code(0);
    full.expect_stderr_contains("in newsletter.html");
    p.write(
        "templates/newsletter.html.tera",
        &format!("{builtin}<!-- edited -->\n"),
    );
    // Only newsletter.html is rendered again: what the full build found in it is found
    // again, named the same (not `in newsletter`, as if the venue had one output).
    let some = p.run(&["build", "posts"]).expect_code(0);
    let found: Vec<&str> = full
        .stderr
        .lines()
        .filter(|l| l.ends_with("in newsletter.html"))
        .collect();
    assert!(!found.is_empty(), "{}", full.stderr);
    for line in found {
        some.expect_stderr_contains(line);
    }
    some.refute_stderr_contains("newsletter.txt");
}

#[test]
fn a_change_to_which_templates_tera_escapes_renders_the_venues_it_reaches() {
    let p = Project::new();
    p.write("posts/a.md", "---\ntitle: Alpha & Omega\n---\nText.\n");
    p.write("templates/page.txt.tera", "PAGE {{ post.title }}\n");
    p.write("templates/homepage.txt.tera", "HOME {{ post.title }}\n");
    p.run(&["build", "posts", "--venue", "page", "--venue", "homepage"])
        .expect_code(0);
    // An HTML body makes Tera escape `page.txt.tera`, and every name ending so.
    p.write(
        "templates/page.txt.tera",
        "{#---\nbody: html\n---#}\nPAGE {{ post.title }}\n",
    );
    let venues = ["build", "posts", "--venue", "page", "--venue", "homepage"];
    p.run(&venues).expect_code(0);
    let fresh: Vec<&str> = venues.iter().copied().chain(["-o", "fresh"]).collect();
    p.run(&fresh).expect_code(0);
    for file in ["page.txt", "homepage.txt"] {
        assert_eq!(
            p.read(&format!("out/a/{file}")),
            p.read(&format!("fresh/a/{file}")),
            "{file}"
        );
    }
}

/// The files `repurpose ARGS` opened in the project, as strace writes its `open` and
/// `openat` calls; None, and the test skipped, when strace is missing (CI has it, and sets
/// `REPURPOSE_REQUIRE_FAULTS` so it is never skipped there).
fn traced_opens(p: &Project, args: &[&str]) -> Option<String> {
    let strace = std::process::Command::new("strace")
        .arg("-V")
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !strace {
        assert!(
            std::env::var_os("REPURPOSE_REQUIRE_FAULTS").is_none(),
            "REPURPOSE_REQUIRE_FAULTS is set but strace is missing"
        );
        eprintln!("skipped: strace is not installed; CI runs this test");
        return None;
    }
    let trace = p.path().join("trace.txt");
    let status = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=open,openat", "-o"])
        .arg(&trace)
        .arg(assert_cmd::cargo::cargo_bin("repurpose"))
        .args(args)
        .current_dir(p.path())
        .status()
        .expect("run strace");
    assert!(status.success(), "repurpose {args:?} failed");
    Some(std::fs::read_to_string(&trace).expect("strace wrote its trace"))
}

/// The modification time of `relative` in the project.
fn modified(p: &Project, relative: &str) -> std::time::SystemTime {
    std::fs::metadata(p.path().join(relative))
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{relative}: {e}"))
}

#[test]
fn a_template_edit_renders_only_its_venue_again() {
    let p = Project::with_fixtures(&["plain-notes.md", "per-venue.md"]);
    let builtin = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/newsletter.html.tera"),
    )
    .unwrap();
    p.write("templates/newsletter.html.tera", &builtin);
    p.run(&["build", "posts"]).expect_code(0);
    let blog = modified(&p, "out/plain-notes/blog.html");
    let text = modified(&p, "out/plain-notes/newsletter.txt");

    p.write(
        "templates/newsletter.html.tera",
        &format!("{builtin}<!-- edited -->\n"),
    );
    // Each post's newsletter.html is rendered and written again; no other output is
    // rendered, not even newsletter.txt, the venue's other template.
    let run = p.run(&["build", "posts", "-v"]).expect_code(0);
    run.expect_stderr_contains("built 2 posts (2 files written, 0 unchanged)");
    run.expect_stdout_contains("1 file → out/plain-notes (newsletter.html only)");
    assert!(
        p.read("out/plain-notes/newsletter.html")
            .contains("<!-- edited -->")
    );
    assert_eq!(modified(&p, "out/plain-notes/blog.html"), blog);
    assert_eq!(modified(&p, "out/plain-notes/newsletter.txt"), text);
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 0 posts (0 files written, 0 unchanged), 2 up to date");

    // The template given back to the built-in: the newsletter's page again, alone.
    std::fs::remove_file(p.path().join("templates/newsletter.html.tera")).unwrap();
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 2 posts (2 files written, 0 unchanged)");
    assert!(
        !p.read("out/plain-notes/newsletter.html")
            .contains("<!-- edited -->")
    );
}

#[test]
fn a_setting_edit_renders_only_its_venue_again_and_a_site_edit_every_venue() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write("repurpose.yaml", "site:\n  url: https://quietweek.net\n");
    p.run(&["build", "posts"]).expect_code(0);
    let before = p.read("out/plain-notes/forum.bbcode");

    p.write(
        "repurpose.yaml",
        "site:\n  url: https://quietweek.net\nvenues:\n  forum:\n    heading_offset: 1\n",
    );
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    let after = p.read("out/plain-notes/forum.bbcode");
    assert_ne!(before, after);

    // Every venue reads the site.
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://notes.quietweek.net\nvenues:\n  forum:\n    heading_offset: 1\n",
    );
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (");
    settled(&p);
}

#[test]
fn venues_left_out_of_a_build_after_a_post_edit_are_rendered_when_next_chosen() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    retitle(&p);
    p.run(&["build", "posts", "--venue", "forum"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    assert!(p.read("out/plain-notes/forum.bbcode").contains("Calm Week"));
    assert!(!p.read("out/plain-notes/blog.html").contains("Calm Week"));

    // The forum is up to date; the other venues were built from the post as it was.
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("built 1 post (");
    assert!(p.read("out/plain-notes/blog.html").contains("Calm Week"));
    settled(&p);
}

#[test]
fn a_forced_build_of_one_venue_leaves_the_others_up_to_date() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    p.run(&["build", "posts", "--force", "--venue", "newsletter"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (0 files written, 2 unchanged)");
    // The other venues' files were built from the post as it is: nothing to render.
    settled(&p);

    // After an edit, the venue forced alone is up to date; the others, built from the
    // post as it was, are rendered next time.
    retitle(&p);
    p.run(&["build", "posts", "--force", "--venue", "forum"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (6 files written, 1 unchanged)");
    settled(&p);
}

/// Renames plain-notes.md's "Quiet Week" "Calm Week": every output but discourse.md
/// changes (it leaves the title to the forum's field).
fn retitle(p: &Project) {
    let text = p
        .read("posts/plain-notes.md")
        .replace("Quiet Week", "Calm Week");
    p.write("posts/plain-notes.md", &text);
}

/// The one post of `p` is up to date, and every one of its eight files is what a forced
/// build renders.
#[track_caller]
fn settled(p: &Project) {
    settled_in(p, 8);
}

/// The one post of `p` is up to date, and every one of its `files` is what a forced build
/// renders.
#[track_caller]
fn settled_in(p: &Project, files: usize) {
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");
    p.run(&["build", "posts", "--force"])
        .expect_code(0)
        .expect_stderr_contains(&format!("(0 files written, {files} unchanged)"));
}

#[test]
fn a_venue_built_alone_after_its_template_changed_leaves_the_others_up_to_date() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.run(&["build", "posts"]).expect_code(0);
    p.write("templates/forum.bbcode.tera", "[b]{{ post.title }}[/b]\n");
    p.run(&["build", "posts", "--venue", "forum"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post (1 file written, 0 unchanged)");
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 0 posts (0 files written, 0 unchanged), 1 up to date");
    assert!(p.exists("out/plain-notes/blog.html"));
    let manifest = p.read("out/manifest.json");
    assert!(manifest.contains("\"fingerprints\""), "{manifest}");
}
