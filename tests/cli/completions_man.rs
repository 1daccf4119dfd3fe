//! `repurpose completions <SHELL>` and `repurpose man`.

use clap::CommandFactory;
use repurpose::cli::Cli;

use crate::harness::Project;

/// Every visible subcommand's name, from the CLI definition itself.
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .map(|s| s.get_name().to_string())
        .collect()
}

#[test]
fn bash_completion_offers_every_subcommand_and_option() {
    let run = Project::new().run(&["completions", "bash"]).expect_code(0);
    run.expect_stdout_contains("complete -F _repurpose");
    let names = subcommands();
    assert!(names.len() >= 6, "{names:?}");
    for name in names {
        run.expect_stdout_contains(&format!("repurpose,{name})"));
    }
    for option in ["--venue", "--stdout", "--quiet", "--color", "--slug"] {
        run.expect_stdout_contains(option);
    }
}

#[test]
fn every_shell_gets_a_script() {
    let p = Project::new();
    for (shell, marker) in [
        ("bash", "_repurpose()"),
        ("zsh", "#compdef repurpose"),
        ("fish", "complete -c repurpose"),
        ("elvish", "edit:completion:arg-completer[repurpose]"),
        (
            "powershell",
            "Register-ArgumentCompleter -Native -CommandName 'repurpose'",
        ),
    ] {
        let run = p.run(&["completions", shell]).expect_code(0);
        run.expect_stdout_contains(marker);
        assert_eq!(run.stderr, "");
    }
    let run = p.run(&["completions", "tcsh"]).expect_code(2);
    run.expect_stderr_contains("invalid value 'tcsh'");
}

/// The roff requests of a page, without roff's apostrophe-string preamble (`.ie`/`.el`
/// defining `\*(Aq`, which clap_mangen puts first).
fn requests(page: &str) -> Vec<&str> {
    page.lines()
        .filter(|l| l.starts_with('.'))
        .filter(|l| !l.starts_with(".ie \\n(.g .ds Aq") && !l.starts_with(".el .ds Aq"))
        .collect()
}

/// groff's warnings about a page, when groff is installed (`-ww`: all of them; `-k`: UTF-8
/// input, as man-db reads pages).
fn groff_warnings(page: &str) -> Option<String> {
    use std::io::Write;
    let mut child = std::process::Command::new("groff")
        .args(["-k", "-man", "-ww", "-z", "-Tutf8"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(page.as_bytes()).ok()?;
    let output = child.wait_with_output().ok()?;
    assert!(output.status.success());
    Some(String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn man_prints_a_roff_page_that_starts_with_th() {
    let run = Project::new().run(&["man"]).expect_code(0);
    let page = run.stdout;
    let requests = requests(&page);
    assert!(
        requests[0].starts_with(".TH repurpose 1 "),
        "the first request is .TH: {requests:?}"
    );
    assert!(
        requests[0].ends_with(" \"repurpose manual\""),
        "{}",
        requests[0]
    );
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(requests.contains(&section), "{section}: {requests:?}");
    }
    for name in subcommands() {
        assert!(
            page.contains(&format!("repurpose\\-{name}(1)")),
            "{name}: {page}"
        );
    }
    match groff_warnings(&page) {
        Some(warnings) => assert_eq!(warnings, "", "groff reads it cleanly"),
        None => eprintln!("groff is not installed; the page was checked without it"),
    }
}

#[test]
fn man_dir_writes_a_page_per_subcommand() {
    let p = Project::new();
    let run = p.run(&["man", "--dir", "man/man1"]).expect_code(0);
    let mut pages = vec!["repurpose".to_string()];
    pages.extend(subcommands().into_iter().map(|s| format!("repurpose-{s}")));
    for page in &pages {
        let path = format!("man/man1/{page}.1");
        run.expect_stderr_contains(&format!("wrote {path}\n"));
        let text = p.read(&path);
        let first = requests(&text)[0].to_string();
        assert!(
            first.starts_with(&format!(".TH {page} 1 ")),
            "{path}: {first}"
        );
        if let Some(warnings) = groff_warnings(&text) {
            assert_eq!(warnings, "", "{path}");
        }
    }
    let written = std::fs::read_dir(p.path().join("man/man1"))
        .unwrap()
        .count();
    assert_eq!(written, pages.len(), "no page for `help`");
}
