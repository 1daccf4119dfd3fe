//! `repurpose watch`: the real binary as a child process on a copy of a fixture, edited
//! while it runs. Every wait polls for the expected output with a generous timeout; nothing
//! here measures speed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::harness::{Project, fixtures};

/// How long to wait for anything before failing.
const PATIENCE: Duration = Duration::from_secs(20);

const FIXTURE: &str = "2024-03-14-small-audiences.md";
const POST: &str = "posts/2024-03-14-small-audiences.md";
const FORUM: &str = "out/small-audiences/forum.bbcode";

/// A running `repurpose watch`, killed when dropped.
struct Watcher {
    child: Child,
    stderr: Arc<Mutex<Vec<String>>>,
}

impl Watcher {
    fn start(project: &Project, args: &[&str]) -> Watcher {
        let mut child = Command::new(env!("CARGO_BIN_EXE_repurpose"))
            .arg("watch")
            .args(args)
            .current_dir(project.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start repurpose watch");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let lines = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                lines.lock().expect("stderr lines").push(line);
            }
        });
        Watcher { child, stderr }
    }

    fn lines(&self) -> Vec<String> {
        self.stderr.lock().expect("stderr lines").clone()
    }

    /// Waits until `done` holds, failing with everything printed so far after `PATIENCE`.
    #[track_caller]
    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&[String]) -> bool) {
        let start = Instant::now();
        loop {
            let lines = self.lines();
            if done(&lines) {
                return;
            }
            if let Some(status) = self.child.try_wait().expect("child status") {
                panic!(
                    "watch exited ({status}) while waiting for {what}:\n{}",
                    lines.join("\n")
                );
            }
            if start.elapsed() > PATIENCE {
                panic!("gave up waiting for {what}:\n{}", lines.join("\n"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the `n`th line saying what changed (rebuilds are counted from 1).
    #[track_caller]
    fn wait_for_rebuild(&mut self, n: usize) -> String {
        self.wait_for(&format!("rebuild {n}"), |lines| rebuilds(lines).len() >= n);
        rebuilds(&self.lines())[n - 1].clone()
    }

    /// Sends SIGINT, as Ctrl-C does, and waits for the exit.
    fn interrupt(&mut self) -> ExitStatus {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("child status") {
                return status;
            }
            assert!(start.elapsed() < PATIENCE, "watch did not stop on Ctrl-C");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines a rebuild prints (`changed … → …`).
fn rebuilds(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| l.starts_with("changed ") || l.starts_with("removed "))
        .cloned()
        .collect()
}

/// Saves a file the way many editors do: a hidden temporary file renamed over it.
fn save(project: &Project, relative: &str, text: &str) {
    let path = project.path().join(relative);
    let name = path
        .file_name()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let temporary = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&temporary, text).expect("write temporary file");
    std::fs::rename(&temporary, &path).expect("rename over the file");
}

fn read(project: &Project, relative: &str) -> String {
    std::fs::read_to_string(project.path().join(relative)).unwrap_or_default()
}

/// A project holding a copy of a fixture, a configuration and a template of its own.
fn project() -> Project {
    let p = Project::new();
    let post = std::fs::read_to_string(fixtures().join(FIXTURE)).expect("fixture exists");
    p.write(POST, &post);
    p.write("repurpose.yaml", "site:\n  title: Example\n");
    p.write("templates/card.txt.tera", "card: {{ post.title }}\n");
    p
}

#[cfg(unix)]
#[test]
fn rebuilds_on_edits_survives_broken_ones_and_stops_on_ctrl_c() {
    let p = project();
    let original = read(&p, POST);
    // The output folder is inside the watched folder: its writes must not cause rebuilds.
    let mut watch = Watcher::start(&p, &["."]);
    watch.wait_for("the first build", |lines| {
        lines.iter().any(|l| l.starts_with("watching "))
    });
    let lines = watch.lines();
    assert!(
        lines[0].starts_with("built 1 post (9 files written, 0 unchanged)"),
        "{lines:?}"
    );
    assert_eq!(
        lines[1], "watching ., templates, repurpose.yaml for changes (Ctrl-C stops)",
        "{lines:?}"
    );
    assert!(read(&p, FORUM).contains("Small Audiences"));

    // An edit to the post.
    save(
        &p,
        POST,
        &original.replace("Small Audiences, Long Echoes", "Quiet Rooms"),
    );
    let line = watch.wait_for_rebuild(1);
    // Every file shows the title but discourse.md (the forum's own title field holds it).
    assert!(
        line.starts_with(&format!(
            "changed {POST} → built 1 post (8 files written, 1 unchanged)"
        )),
        "{line}"
    );
    assert!(read(&p, FORUM).contains("Quiet Rooms"));

    // A broken edit: the error, and the watcher carries on.
    save(
        &p,
        POST,
        &original.replacen("title:", "title: [unclosed", 1),
    );
    let line = watch.wait_for_rebuild(2);
    assert!(
        line.starts_with(&format!("changed {POST} → built 0 posts"))
            && line.ends_with("; 1 problem reported above"),
        "{line}"
    );
    let lines = watch.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("error: ./{POST}:"))
                && l.contains("invalid front matter")),
        "{lines:?}"
    );
    assert!(
        read(&p, FORUM).contains("Quiet Rooms"),
        "the last good output stays"
    );

    // Fixed again.
    save(
        &p,
        POST,
        &original.replace("Small Audiences, Long Echoes", "Fixed Echoes"),
    );
    watch.wait_for_rebuild(3);
    assert!(read(&p, FORUM).contains("Fixed Echoes"));

    // A template: re-read on each rebuild; a broken one is reported, then fixed.
    save(&p, "templates/card.txt.tera", "card v2: {{ post.title }}\n");
    let line = watch.wait_for_rebuild(4);
    assert!(
        line.starts_with(
            "changed templates/card.txt.tera → built 1 post (1 file written, 0 unchanged)"
        ),
        "{line}"
    );
    assert_eq!(
        read(&p, "out/small-audiences/card.txt"),
        "card v2: Fixed Echoes\n"
    );
    save(
        &p,
        "templates/card.txt.tera",
        "card: {{ post.title | shout }}\n",
    );
    watch.wait_for_rebuild(5);
    assert!(
        watch.lines().iter().any(|l| l.starts_with(
            "error: templates/card.txt.tera: template `card.txt.tera` does not compile"
        )),
        "{:?}",
        watch.lines()
    );
    save(&p, "templates/card.txt.tera", "card v3: {{ post.title }}\n");
    watch.wait_for_rebuild(6);
    assert_eq!(
        read(&p, "out/small-audiences/card.txt"),
        "card v3: Fixed Echoes\n"
    );

    // The configuration: a broken edit keeps the watcher waiting; a good one rebuilds.
    save(&p, "repurpose.yaml", "site:\n  title: Example\nsitee: {}\n");
    let line = watch.wait_for_rebuild(7);
    assert_eq!(
        line,
        "changed repurpose.yaml → not built; fix the problem above and save"
    );
    assert!(
        watch
            .lines()
            .iter()
            .any(|l| l.starts_with("error: repurpose.yaml:3:1: unknown key `sitee`")),
        "{:?}",
        watch.lines()
    );
    save(
        &p,
        "repurpose.yaml",
        "site:\n  title: Example\nvenues:\n  newsletter: {excerpt_words: 30}\n",
    );
    let line = watch.wait_for_rebuild(8);
    assert!(
        line.starts_with("changed repurpose.yaml → built 1 post (2 files written, 0 unchanged)"),
        "{line}"
    );
    let excerpt = read(&p, "out/small-audiences/newsletter.txt");
    assert!(
        excerpt.contains("Last winter") && !excerpt.contains("Ilse suggested"),
        "the newsletter now sends the excerpt: {excerpt}"
    );

    let status = watch.interrupt();
    assert_eq!(status.code(), Some(0), "{:?}", watch.lines());
    let lines = watch.lines();
    assert_eq!(
        lines.last().map(String::as_str),
        Some("stopped watching"),
        "{lines:?}"
    );
    assert_eq!(
        rebuilds(&lines).len(),
        8,
        "one rebuild per edit; none caused by the build's own writes: {lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("out/")),
        "outputs are never a change: {lines:?}"
    );
}

#[test]
fn an_unknown_venue_stops_before_watching() {
    let p = project();
    let run = p.run(&["watch", "posts", "--venue", "nope"]).expect_code(2);
    assert!(
        run.stderr.starts_with(
            "error: unknown venue `nope`; the venues are: article, blog, card, discourse, forum, hugo, newsletter, social"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn watch_takes_the_build_options() {
    let p = Project::new();
    let run = p.run(&["watch", "--help"]).expect_code(0);
    run.expect_stdout_contains("Ctrl-C stops it (exit 0)");
    for option in [
        "--out",
        "--templates",
        "--venue",
        "--config",
        "--force",
        "--clean",
    ] {
        run.expect_stdout_contains(option);
    }
}

#[cfg(unix)]
#[test]
fn the_configurations_warnings_come_once_and_again_when_it_changes() {
    let p = project();
    let config = "site:\n  url: https://example.com/blog\n";
    p.write("repurpose.yaml", config);
    let mut watch = Watcher::start(&p, &["posts"]);
    watch.wait_for("the first build", |lines| {
        lines.iter().any(|l| l.starts_with("watching "))
    });
    let original = read(&p, POST);
    save(&p, POST, &original.replace("Echoes", "Echoes, again"));
    watch.wait_for_rebuild(1);
    save(&p, "repurpose.yaml", &format!("{config}  title: T\n"));
    watch.wait_for_rebuild(2);
    let warnings: Vec<String> = watch
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    let placeholder = "warning: repurpose.yaml:2: `site.url` is `https://example.com/blog`, and example.com is reserved for examples: every canonical link, utm link and image will point there; set it to your site's address";
    assert_eq!(
        warnings,
        [placeholder, placeholder],
        "the first build and the configuration's change, not the post's: {:?}",
        watch.lines()
    );
    watch.interrupt();
}
