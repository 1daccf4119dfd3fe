//! The README and the user guide in `docs/` stay true: their links resolve, `SUMMARY.md`
//! lists every page, the reference names every key and filter, and each example block marked
//! `<!-- checked -->` prints what it shows when run against the fixtures.
//!
//! A checked block is a fenced block right after a `<!-- checked -->` line: `$ repurpose …`
//! lines, each followed by what the command prints (stdout and stderr as a terminal shows
//! them, in either order, timings written `0.00s`). The commands of a block run one after
//! the other in one temporary folder holding a copy of `fixtures/`. When behaviour changes,
//! `REPURPOSE_DOCS_UPDATE=1 cargo test --test cli docs` writes the new output into the pages:
//! read the diff.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Seek};
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::harness::{Project, fixtures};

/// Marks the example block that follows as one to run.
const CHECKED: &str = "<!-- checked -->";

/// Rewrites checked blocks with what their commands print now, instead of failing.
const UPDATE: &str = "REPURPOSE_DOCS_UPDATE";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[track_caller]
fn read(relative: &str) -> String {
    std::fs::read_to_string(root().join(relative))
        .unwrap_or_else(|e| panic!("read {relative}: {e}"))
}

/// The guide's pages, relative to the repository, `docs/SUMMARY.md` included.
fn guide_pages() -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(root().join("docs"))
        .into_iter()
        .map(|entry| entry.expect("walk docs/"))
        .filter(|entry| entry.path().extension().is_some_and(|e| e == "md"))
        .map(|entry| relative(entry.path()))
        .collect();
    pages.sort();
    pages
}

/// README.md and every page of the guide.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_string()];
    pages.extend(guide_pages());
    pages
}

fn relative(path: &Path) -> String {
    let path = path.strip_prefix(root()).expect("inside the repository");
    path.to_string_lossy().replace('\\', "/")
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, only letters, digits, `-` and
/// `_` kept; the second of two equal headings gets `-1`, the third `-2`.
fn anchors(text: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut heading: Option<String> = None;
    for event in Parser::new_ext(text, pulldown_cmark::Options::all()) {
        match event {
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::Text(t) | Event::Code(t) => {
                if let Some(h) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let title = heading.take().unwrap_or_default();
                let slug: String = title
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                    .map(|c| if c == ' ' { '-' } else { c })
                    .collect();
                let count = seen.entry(slug.clone()).or_insert(0);
                anchors.insert(match *count {
                    0 => slug.clone(),
                    n => format!("{slug}-{n}"),
                });
                *count += 1;
            }
            _ => {}
        }
    }
    anchors
}

/// Every link and image destination of a page.
fn links(text: &str) -> Vec<String> {
    Parser::new_ext(text, pulldown_cmark::Options::all())
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                Some(dest_url.into_string())
            }
            _ => None,
        })
        .collect()
}

/// `a/b/../c` as `a/c`; `None` when it climbs out of the repository.
fn normalise(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Some(out)
}

#[test]
fn every_relative_link_resolves() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = read(&page);
        for link in links(&text) {
            if link.contains("://") || link.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match link.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (link.as_str(), None),
            };
            let folder = Path::new(&page).parent().unwrap_or(Path::new(""));
            let target = if path.is_empty() {
                Some(PathBuf::from(&page))
            } else {
                normalise(&folder.join(path))
            };
            let Some(target) = target.filter(|t| root().join(t).exists()) else {
                broken.push(format!("{page}: `{link}`: no such file"));
                continue;
            };
            // The built site holds only docs/: a guide page links nowhere else.
            if page.starts_with("docs/") && !target.starts_with("docs") {
                broken.push(format!("{page}: `{link}` leaves docs/"));
            }
            if let Some(anchor) = anchor {
                let target = target.to_string_lossy().replace('\\', "/");
                if !target.ends_with(".md") {
                    broken.push(format!(
                        "{page}: `{link}`: an anchor into a file not Markdown"
                    ));
                } else if !anchors(&read(&target)).contains(anchor) {
                    broken.push(format!(
                        "{page}: `{link}`: no heading `#{anchor}` in {target}"
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// The pages `docs/SUMMARY.md` lists, in order; panics when a line is not mdBook's
/// `- [Title](page.md)`, indented by two spaces a level.
fn summary() -> Vec<String> {
    let text = read("docs/SUMMARY.md");
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    assert_eq!(
        lines.next(),
        Some("# Summary"),
        "docs/SUMMARY.md opens with `# Summary`"
    );
    let mut entries = Vec::new();
    let mut depth = 0;
    for line in lines {
        let item = line.trim_start_matches(' ');
        let indent = line.len() - item.len();
        let deepest = if entries.is_empty() { 0 } else { depth + 1 };
        assert!(
            indent % 2 == 0 && indent / 2 <= deepest,
            "docs/SUMMARY.md: `{line}` is not indented by two spaces a level"
        );
        depth = indent / 2;
        let target = item
            .strip_prefix("- [")
            .and_then(|rest| rest.split_once("]("))
            .and_then(|(_, rest)| rest.strip_suffix(')'))
            .unwrap_or_else(|| panic!("docs/SUMMARY.md: `{line}` is not `- [Title](page.md)`"));
        entries.push(format!("docs/{target}"));
    }
    entries
}

#[test]
fn summary_lists_every_page_once() {
    let entries = summary();
    let listed: BTreeSet<&String> = entries.iter().collect();
    assert_eq!(
        listed.len(),
        entries.len(),
        "a page listed twice: {entries:?}"
    );
    for entry in &entries {
        assert!(
            entry.ends_with(".md") && root().join(entry).is_file(),
            "docs/SUMMARY.md lists `{entry}`, which does not exist"
        );
    }
    for page in guide_pages() {
        assert!(
            page == "docs/SUMMARY.md" || listed.contains(&page),
            "{page} is not in docs/SUMMARY.md"
        );
    }
}

/// One command of a checked block and what it is shown to print.
struct Step {
    /// The `$ …` line as written.
    line: String,
    args: Vec<String>,
    expected: Vec<String>,
}

/// A checked block: where its lines are in the page and what it runs.
struct Example {
    page: String,
    /// Index of the block's first line after the opening fence (which is also the fence's
    /// line number, counted from 1).
    start: usize,
    /// Index of the closing fence.
    end: usize,
    indent: String,
    steps: Vec<Step>,
}

impl Example {
    fn at(&self) -> String {
        format!("{}:{}", self.page, self.start)
    }
}

/// The words of a command line, as a shell splits them (quotes, no expansions), up to a
/// `#` comment.
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.get_or_insert_with(String::new).push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                word.get_or_insert_with(String::new);
            }
            (None, '#') if word.is_none() => break,
            (None, c) if c.is_whitespace() => words.extend(word.take()),
            (None, c) => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    words
}

/// The checked blocks of a page.
fn examples(page: &str, text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut examples = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim() != CHECKED {
            continue;
        }
        let fence = lines.get(i + 1).copied().unwrap_or("");
        let indent: String = fence.chars().take_while(|c| *c == ' ').collect();
        assert!(
            fence.trim_start().starts_with("```"),
            "{page}:{}: `{CHECKED}` must be followed by a fenced block",
            i + 1
        );
        let start = i + 2;
        let end = (start..lines.len())
            .find(|&j| lines[j].trim() == "```")
            .unwrap_or_else(|| panic!("{page}:{}: the checked block never closes", i + 2));
        let mut steps: Vec<Step> = Vec::new();
        for (j, raw) in lines.iter().enumerate().take(end).skip(start) {
            let line = raw
                .strip_prefix(indent.as_str())
                .unwrap_or(raw.trim_start());
            if let Some(command) = line.strip_prefix("$ ") {
                let args = words(command);
                assert!(
                    args.first().is_some_and(|w| w == "repurpose"),
                    "{page}:{}: a checked block runs only `repurpose` commands",
                    j + 1
                );
                steps.push(Step {
                    line: line.to_string(),
                    args: args[1..].to_vec(),
                    expected: Vec::new(),
                });
            } else {
                let step = steps.last_mut().unwrap_or_else(|| {
                    panic!(
                        "{page}:{}: a checked block starts with `$ repurpose`",
                        j + 1
                    )
                });
                step.expected.push(line.to_string());
            }
        }
        examples.push(Example {
            page: page.to_string(),
            start,
            end,
            indent,
            steps,
        });
    }
    examples
}

/// A line as compared: timings written `0.00s`, no trailing spaces.
fn normalise_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line.trim_end();
    while let Some(at) = rest.find(" in ") {
        let (before, after) = rest.split_at(at + 4);
        out.push_str(before);
        let digits = after.find(|c: char| !c.is_ascii_digit() && c != '.');
        match digits {
            Some(n) if n > 0 && after[n..].starts_with('s') && after[..n].contains('.') => {
                out.push_str("0.00");
                rest = &after[n..];
            }
            _ => rest = after,
        }
    }
    out.push_str(rest);
    out
}

fn output_lines(text: &str) -> Vec<String> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n').map(normalise_line).collect()
}

/// Whether `shown` is `stdout` and `stderr` interleaved, each in its own order.
fn interleaves(shown: &[String], stdout: &[String], stderr: &[String]) -> bool {
    if shown.len() != stdout.len() + stderr.len() {
        return false;
    }
    // can[i][j]: the first i + j shown lines are stdout[..i] and stderr[..j] interleaved.
    let mut can = vec![vec![false; stderr.len() + 1]; stdout.len() + 1];
    can[0][0] = true;
    for i in 0..=stdout.len() {
        for j in 0..=stderr.len() {
            if i > 0 && can[i - 1][j] && shown[i + j - 1] == stdout[i - 1] {
                can[i][j] = true;
            }
            if j > 0 && can[i][j - 1] && shown[i + j - 1] == stderr[j - 1] {
                can[i][j] = true;
            }
        }
    }
    can[stdout.len()][stderr.len()]
}

/// A project holding a copy of the repository's fixtures in `fixtures/`, their images
/// included.
fn project() -> Project {
    let project = Project::new();
    for entry in walkdir::WalkDir::new(fixtures()) {
        let entry = entry.expect("fixture entry");
        if entry.file_type().is_file() {
            let relative = entry
                .path()
                .strip_prefix(fixtures())
                .expect("under fixtures/")
                .to_string_lossy()
                .replace('\\', "/");
            let bytes = std::fs::read(entry.path()).expect("read a fixture");
            project.write_bytes(&format!("fixtures/{relative}"), &bytes);
        }
    }
    project
}

/// Runs `repurpose ARGS` with stdout and stderr into one file, as a terminal shows them.
fn run_merged(project: &Project, args: &[String]) -> String {
    let mut log = tempfile::tempfile().expect("temporary file");
    std::process::Command::new(env!("CARGO_BIN_EXE_repurpose"))
        .current_dir(project.path())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("clone file"))
        .stderr(log.try_clone().expect("clone file"))
        .status()
        .expect("run repurpose");
    let mut text = String::new();
    log.rewind().expect("rewind");
    log.read_to_string(&mut text).expect("read output");
    text
}

/// The block's lines as its commands print them now.
fn rerun(example: &Example) -> Vec<String> {
    let project = project();
    let mut lines = Vec::new();
    for step in &example.steps {
        lines.push(step.line.clone());
        lines.extend(output_lines(&run_merged(&project, &step.args)));
    }
    lines
}

/// Whether every step of the block prints what it shows.
fn holds(example: &Example) -> bool {
    let project = project();
    example.steps.iter().all(|step| {
        let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
        let run = project.run(&args);
        let shown: Vec<String> = step.expected.iter().map(|l| normalise_line(l)).collect();
        interleaves(
            &shown,
            &output_lines(&run.stdout),
            &output_lines(&run.stderr),
        )
    })
}

#[test]
fn checked_examples_print_what_they_show() {
    let update = std::env::var_os(UPDATE).is_some();
    let mut wrong = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = read(&page);
        let examples = examples(&page, &text);
        count += examples.len();
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let mut changed = false;
        // From the last block up, so that earlier blocks keep their line numbers.
        for example in examples.iter().rev() {
            if holds(example) {
                continue;
            }
            changed = true;
            let now = rerun(example);
            wrong.push(format!(
                "{}: this block now reads:\n{}",
                example.at(),
                now.join("\n")
            ));
            let indented = now.iter().map(|l| match l.is_empty() {
                true => String::new(),
                false => format!("{}{l}", example.indent),
            });
            lines.splice(example.start..example.end, indented);
        }
        if update && changed {
            std::fs::write(root().join(&page), lines.join("\n")).expect("write the page");
        }
    }
    assert!(count >= 5, "only {count} checked blocks found");
    assert!(
        wrong.is_empty() || update,
        "checked examples that no longer print what they show ({UPDATE}=1 writes these in):\n\n{}",
        wrong.join("\n\n")
    );
}

/// A term as the reference writes it: in backticks.
fn documents(page: &str, term: &str) -> bool {
    read(page).contains(&format!("`{term}`"))
}

#[test]
fn the_guide_documents_every_configuration_key() {
    for key in repurpose::config::KEYS {
        assert!(
            documents("docs/configuration.md", key),
            "docs/configuration.md does not document `{key}`"
        );
    }
    for key in repurpose::config::OVERRIDE_KEYS {
        assert!(
            documents("docs/configuration.md", key) && documents("docs/templates.md", key),
            "`venues.<name>.{key}` is not in docs/configuration.md and the header table"
        );
    }
}

#[test]
fn the_guide_documents_every_template_header_key() {
    let keys = repurpose::venue::settings::KEYS;
    assert!(keys.len() > 10, "{keys:?}");
    for key in keys {
        assert!(
            documents("docs/templates.md", key),
            "docs/templates.md's header table does not document `{key}`"
        );
    }
}

#[test]
fn the_guide_documents_every_filter() {
    // The filters are registered by name in one function; the guide must list each.
    let source = read("src/filters.rs");
    let names: Vec<&str> = source
        .split("register_filter(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(names.len() > 5, "{names:?}");
    let page = read("docs/filters.md");
    for name in names {
        assert!(
            page.contains(&format!("| `{name}")),
            "docs/filters.md has no row for the `{name}` filter"
        );
    }
}

#[test]
fn the_guide_walkthrough_venue_works() {
    // The template the walkthrough writes, taken from the page.
    let page = read("docs/templates.md");
    let (_, after) = page
        .split_once("Create `templates/microblog.txt.tera`")
        .expect("the walkthrough creates templates/microblog.txt.tera");
    let (_, block) = after.split_once("```jinja\n").expect("its template block");
    let (block, _) = block.split_once("```").expect("the block closes");
    let template: String = block
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("   ").unwrap_or(l)))
        .collect();
    let p = Project::with_fixtures(&["2024-03-14-small-audiences.md"]);
    p.write("templates/microblog.txt.tera", &template);
    let venues = p.run(&["venues"]).expect_code(0);
    venues.expect_stdout_contains("microblog   microblog.txt");
    p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(
        p.read("out/small-audiences/microblog.txt"),
        "Small Audiences, Long Echoes: Why a reply to twelve people can outlast a speech to a thousand — and three ways to make yours carry.\n\nhttps://example.com/blog/small-audiences/?utm_source=microblog&utm_medium=social\n"
    );
}

#[test]
fn words_split_as_a_shell_does() {
    assert_eq!(
        words(r#"repurpose new "Why small lists win"   # 1. start"#),
        ["repurpose", "new", "Why small lists win"]
    );
    assert_eq!(words("repurpose build ''"), ["repurpose", "build", ""]);
    assert_eq!(words("a#b c"), ["a#b", "c"]);
}

#[test]
fn timings_compare_equal() {
    assert_eq!(
        normalise_line("built 1 post (8 files written, 0 unchanged) in 12.34s  "),
        "built 1 post (8 files written, 0 unchanged) in 0.00s"
    );
    assert_eq!(normalise_line("shown in forum"), "shown in forum");
}

#[test]
fn output_may_interleave_stdout_and_stderr() {
    let s = |v: &[&str]| v.iter().map(|l| (*l).to_owned()).collect::<Vec<_>>();
    let (out, err) = (s(&["a", "b"]), s(&["w", "sum"]));
    assert!(interleaves(&s(&["w", "a", "b", "sum"]), &out, &err));
    assert!(!interleaves(&s(&["b", "a", "w", "sum"]), &out, &err));
    assert!(!interleaves(&s(&["a", "b", "w"]), &out, &err));
}

#[test]
fn anchors_are_github_slugs() {
    let found = anchors(
        "# The writer's loop\n## `discourse.md` and more\n## Keys\n## Keys\n```\n# not\n```\n",
    );
    let want: BTreeSet<String> = ["the-writers-loop", "discoursemd-and-more", "keys", "keys-1"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(found, want);
}

#[test]
fn the_readme_opens_with_the_two_commands_and_says_how_to_install() {
    let readme = read("README.md");
    // A heading, one paragraph, then the block: what runs the main job and what tests it.
    let blocks: Vec<&str> = readme.split("\n\n").collect();
    assert!(blocks[0].starts_with("# "), "{}", blocks[0]);
    assert!(
        !blocks[1].starts_with('#') && !blocks[1].starts_with("```"),
        "README.md opens with a paragraph saying what it is: {}",
        blocks[1]
    );
    let commands: Vec<&str> = blocks[2]
        .strip_prefix("```sh\n")
        .and_then(|b| b.strip_suffix("\n```"))
        .unwrap_or_else(|| panic!("a sh block after the first paragraph: {}", blocks[2]))
        .lines()
        .collect();
    assert_eq!(commands.len(), 2, "{commands:?}");
    assert!(words(commands[1]) == ["cargo", "test"], "{}", commands[1]);
    let run = words(commands[0]);
    let (cargo, args) = run.split_at(4);
    assert_eq!(cargo, ["cargo", "run", "--release", "--"]);
    // It works on the repository as it is: the fixture exists, and the folder the comment
    // names is where the outputs go.
    let p = project();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    p.run(&args).expect_code(0);
    let comment = commands[0].split('#').nth(1).unwrap_or("");
    let folder = comment
        .split_whitespace()
        .find(|w| w.starts_with("out/"))
        .unwrap_or_else(|| panic!("the comment names the output folder: {comment}"));
    assert!(p.exists(&format!("{folder}blog.html")), "{folder}");
    assert!(
        readme.contains("cargo install --path ."),
        "README.md says how to install the binary"
    );
    let lines = readme.lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines: it is for newcomers, the reference goes in docs/"
    );
}
