//! A temporary project folder and a way to run `repurpose` in it.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The fixture posts every venue is checked against: `(file name, slug)`.
pub const FIXTURES: [(&str, &str); 4] = [
    ("2024-03-14-small-audiences.md", "small-audiences"),
    ("every-construct.md", "every-construct"),
    ("plain-notes.md", "plain-notes"),
    ("per-venue.md", "per-venue"),
];

/// The files the built-in venues write, one per template in `templates/`, in the order
/// `repurpose venues` lists them.
pub const VENUE_FILES: [&str; 8] = [
    "article.md",
    "blog.html",
    "discourse.md",
    "forum.bbcode",
    "hugo.md",
    "newsletter.html",
    "newsletter.txt",
    "social.txt",
];

/// A project folder that is deleted when the test ends.
pub struct Project {
    dir: TempDir,
}

/// What a run printed and how it exited.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: &Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect_code(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// Panics, showing the whole stderr, unless it holds `text`.
    #[track_caller]
    pub fn expect_stderr_contains(&self, text: &str) -> &Run {
        holds("stderr", &self.stderr, text, true);
        self
    }

    /// Panics, showing the whole stderr, if it holds `text`.
    #[track_caller]
    pub fn refute_stderr_contains(&self, text: &str) -> &Run {
        holds("stderr", &self.stderr, text, false);
        self
    }

    /// Panics, showing the whole stdout, unless it holds `text`.
    #[track_caller]
    pub fn expect_stdout_contains(&self, text: &str) -> &Run {
        holds("stdout", &self.stdout, text, true);
        self
    }

    /// Panics, showing the whole stdout, if it holds `text`.
    #[track_caller]
    pub fn refute_stdout_contains(&self, text: &str) -> &Run {
        holds("stdout", &self.stdout, text, false);
        self
    }
}

/// Panics unless `stream` holds `text` exactly when `wanted`; the message shows the whole
/// stream, `Debug`-quoted when it holds escapes or carriage returns a terminal would act on.
#[track_caller]
fn holds(name: &str, stream: &str, text: &str, wanted: bool) {
    if stream.contains(text) == wanted {
        return;
    }
    let verb = if wanted { "lacks" } else { "holds" };
    if stream.contains(['\u{1b}', '\r']) {
        panic!("{name} {verb} {text:?}\n--- {name}\n{stream:?}");
    }
    panic!("{name} {verb} {text:?}\n--- {name}\n{stream}");
}

impl Project {
    /// An empty project.
    pub fn new() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temporary folder"),
        }
    }

    /// A project with the named fixtures copied into `posts/`, with the images they show
    /// (`fixtures/images/` into `posts/images/`).
    pub fn with_fixtures(names: &[&str]) -> Project {
        let project = Project::new();
        for name in names {
            let text = std::fs::read(fixtures().join(name)).expect("fixture exists");
            project.write_bytes(&format!("posts/{name}"), &text);
        }
        for image in std::fs::read_dir(fixtures().join("images")).expect("fixture images") {
            let path = image.expect("fixture image").path();
            let name = path.file_name().expect("a file name").to_string_lossy();
            let bytes = std::fs::read(&path).expect("fixture image readable");
            project.write_bytes(&format!("posts/images/{name}"), &bytes);
        }
        project
    }

    /// Every fixture built with a site configuration, into `out/`.
    pub fn built_fixtures() -> Project {
        let names: Vec<&str> = FIXTURES.iter().map(|(f, _)| *f).collect();
        let project = Project::with_fixtures(&names);
        project.write(
            "repurpose.yaml",
            "site:\n  url: https://example.com/blog\n  title: Example\n  author: Site Author\n",
        );
        project.run(&["build", "posts"]).expect_code(0);
        project
    }

    /// The project's folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file, creating its folders.
    pub fn write(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    /// Writes a file's bytes, creating its folders.
    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("create folders");
        std::fs::write(path, bytes).expect("write file");
    }

    /// Reads a file as text.
    #[track_caller]
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path().join(relative))
            .unwrap_or_else(|e| panic!("read {relative}: {e}"))
    }

    /// Whether a file or folder exists.
    pub fn exists(&self, relative: &str) -> bool {
        self.path().join(relative).exists()
    }

    /// Runs `repurpose ARGS` in the project folder.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::cargo_bin("repurpose")
            .expect("binary is built")
            .current_dir(self.path())
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .expect("run repurpose");
        Run::from(&output)
    }
}

#[test]
fn the_stream_helpers_fail_on_what_they_look_for() {
    let run = Run {
        code: 0,
        stdout: "built\n".to_owned(),
        stderr: "warning: x\n".to_owned(),
    };
    run.expect_stderr_contains("warning")
        .refute_stderr_contains("built")
        .expect_stdout_contains("built")
        .refute_stdout_contains("warning");
    let fails = |check: fn(&Run)| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&run))).is_err()
    };
    assert!(fails(|r| {
        r.expect_stderr_contains("built");
    }));
    assert!(fails(|r| {
        r.refute_stderr_contains("warning");
    }));
    assert!(fails(|r| {
        r.expect_stdout_contains("warning");
    }));
    assert!(fails(|r| {
        r.refute_stdout_contains("built");
    }));
}
