//! `--quiet`, `--verbose` and `--color` (with NO_COLOR and CLICOLOR_FORCE).

use assert_cmd::Command;

use crate::harness::{Project, Run};

const ESC: &str = "\u{1b}";

/// Runs `repurpose` with only the colour variables given set, whatever the test's own
/// environment holds.
fn run_env(p: &Project, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::cargo_bin("repurpose").expect("binary is built");
    cmd.current_dir(p.path())
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR")
        .env_remove("CLICOLOR_FORCE")
        .args(args);
    for (key, value) in env {
        cmd.env(key, value);
    }
    let output = cmd.output().expect("run repurpose");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

/// A project whose build reports one error and one warning: a missing input, and the
/// outputs of a post deleted since the last build.
fn error_and_warning() -> Project {
    let p = Project::new();
    p.write("posts/gone.md", "Gone.\n");
    p.write("posts/kept.md", "Kept.\n");
    p.run(&["build", "posts"]).expect_code(0);
    std::fs::remove_file(p.path().join("posts/gone.md")).expect("remove a post");
    p
}

#[test]
fn color_always_colours_the_labels_like_cargo() {
    let p = error_and_warning();
    let run = run_env(&p, &["build", "posts", "missing.md", "--color=always"], &[]).expect_code(1);
    // Bold red error, bold yellow warning.
    run.expect_stderr_contains(&format!(
        "{ESC}[1m{ESC}[31merror:{ESC}[0m `missing.md`: no such file"
    ));
    run.expect_stderr_contains(&format!(
        "{ESC}[1m{ESC}[33mwarning:{ESC}[0m 8 files are in `out` no longer built"
    ));
    // `always` wins over NO_COLOR, as an explicit option should.
    let run = run_env(
        &p,
        &["build", "posts", "missing.md", "--color", "always"],
        &[("NO_COLOR", "1")],
    );
    run.expect_stderr_contains(ESC);
}

#[test]
fn no_color_and_never_leave_the_labels_plain() {
    let p = error_and_warning();
    // CLICOLOR_FORCE makes `auto` colour even into a pipe; NO_COLOR still wins.
    let forced = run_env(
        &p,
        &["build", "posts", "missing.md"],
        &[("CLICOLOR_FORCE", "1")],
    );
    // `auto` follows CLICOLOR_FORCE.
    forced.expect_stderr_contains(ESC);
    for (args, env) in [
        (
            &["build", "posts", "missing.md"][..],
            &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")][..],
        ),
        (
            &["build", "posts", "missing.md", "--color=never"][..],
            &[("CLICOLOR_FORCE", "1")][..],
        ),
        (&["build", "posts", "missing.md"][..], &[][..]),
    ] {
        let run = run_env(&p, args, env).expect_code(1);
        assert!(
            !run.stderr.contains(ESC),
            "{args:?} {env:?}: {:?}",
            run.stderr
        );
        run.expect_stderr_contains("error: `missing.md`: no such file or folder");
        run.expect_stderr_contains("warning: 8 files are in `out` no longer built");
    }
}

#[test]
fn quiet_prints_only_errors() {
    let p = error_and_warning();
    p.write("posts/new.md", "New.\n");
    let run = p.run(&["build", "posts", "--quiet"]).expect_code(0);
    assert_eq!(run.stdout, "", "no line per post");
    assert_eq!(run.stderr, "", "no summary, no warning");
    assert!(
        p.exists("out/new/forum.bbcode"),
        "the build itself happened"
    );
    let run = p
        .run(&["-q", "build", "posts", "missing.md"])
        .expect_code(1);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr, "error: `missing.md`: no such file or folder\n");
}

#[test]
fn quiet_init_lists_nothing() {
    let p = Project::new();
    let run = p.run(&["init", "--quiet"]).expect_code(0);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    assert!(p.exists("posts/example.md"));
}

#[test]
fn quiet_keeps_what_a_command_exists_to_print() {
    let p = Project::new();
    let run = p.run(&["-q", "new", "Hello"]).expect_code(0);
    assert_eq!(run.stdout, "posts/hello.md\n");
    let run = p.run(&["venues", "-q"]).expect_code(0);
    assert!(run.stdout.starts_with("VENUE"), "{}", run.stdout);
    let run = p
        .run(&["build", "posts", "-q", "--stdout", "--venue", "forum"])
        .expect_code(0);
    run.expect_stdout_contains("[b]Hello[/b]");
}

#[test]
fn verbose_shows_up_to_date_posts_and_where_things_come_from() {
    let p = Project::new();
    p.write("posts/one.md", "One.\n");
    p.write("posts/two.md", "Two.\n");
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/two.md", "Two, changed.\n");
    let quiet_about_fresh = p.run(&["build", "posts"]).expect_code(0);
    quiet_about_fresh.refute_stdout_contains("up to date");
    p.write("posts/two.md", "Two, changed again.\n");
    let run = p.run(&["build", "posts", "--verbose"]).expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", run.stdout);
    assert!(
        lines[0].starts_with("one ") && lines[0].ends_with(" up to date"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("two ") && lines[1].ends_with("8 files → out/two"),
        "{}",
        lines[1]
    );
    for detail in [
        "configuration: none (no ./repurpose.yaml, none above the inputs; --config names one)\n",
        "templates: the built-ins (no ./templates; -t names a folder)\n",
        "venues: article, blog, discourse, forum, hugo, newsletter, social\n",
    ] {
        run.expect_stderr_contains(detail);
    }
}

#[test]
fn quiet_and_verbose_exclude_each_other() {
    let run = Project::new().run(&["-q", "-v", "venues"]).expect_code(2);
    run.expect_stderr_contains("the argument '--quiet' cannot be used with '--verbose'");
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let p = Project::new();
    for i in 0..60 {
        p.write(&format!("posts/post-{i:02}.md"), "A post.\n");
    }
    let run = p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(run.stdout.lines().count(), 60);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "only the summary: {:?}", run.stderr);
    assert!(lines[0].starts_with("built 60 posts (480 files written, 0 unchanged)"));
    run.refute_stderr_contains("\r");
    run.refute_stderr_contains(ESC);
}
