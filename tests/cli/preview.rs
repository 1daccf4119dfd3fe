//! `repurpose preview`: the page, its panels and counts, its safety, `--open`, how `build`
//! treats it, and (ignored unless chromium is there) the page in a headless browser.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use scraper::{ElementRef, Html, Selector};

use crate::harness::{FIXTURES, Project};

/// Every built-in venue's output files, by venue.
const OUTPUTS: [(&str, &[&str]); 4] = [
    ("article", &["article.md"]),
    ("blog", &["blog.html"]),
    ("forum", &["forum.bbcode"]),
    ("newsletter", &["newsletter.html", "newsletter.txt"]),
];

const SITE: &str = "site:\n  url: https://example.com/blog\n  title: Example\n";

fn select<'a>(doc: &'a Html, css: &str) -> Vec<ElementRef<'a>> {
    doc.select(&Selector::parse(css).expect("valid selector"))
        .collect()
}

fn text(el: &ElementRef<'_>) -> String {
    el.text().collect()
}

/// A project with every fixture and a site configuration.
fn project() -> Project {
    let names: Vec<&str> = FIXTURES.iter().map(|(f, _)| *f).collect();
    let p = Project::with_fixtures(&names);
    p.write("repurpose.yaml", SITE);
    p
}

/// Checks that every built-in venue has its panel and each output shows something; returns
/// the problems found (empty when all is well), so the browser test can use it on the DOM
/// chromium produced.
fn panel_problems(doc: &Html) -> Vec<String> {
    let mut problems = Vec::new();
    for (venue, files) in OUTPUTS {
        let sections = select(doc, &format!("section.venue[data-venue=\"{venue}\"]"));
        let [section] = sections.as_slice() else {
            problems.push(format!("{} sections for {venue}", sections.len()));
            continue;
        };
        for file in files {
            let css = format!(".output[data-file=\"{file}\"]");
            let outputs: Vec<ElementRef<'_>> = section
                .select(&Selector::parse(&css).expect("valid selector"))
                .collect();
            let [output] = outputs.as_slice() else {
                problems.push(format!("{} panels for {file}", outputs.len()));
                continue;
            };
            let inside = |css: &str| -> Vec<ElementRef<'_>> {
                output
                    .select(&Selector::parse(css).expect("valid selector"))
                    .collect()
            };
            let filled = |css: &str| inside(css).iter().any(|e| !text(e).trim().is_empty());
            if !filled("pre.source") {
                problems.push(format!("{file}: no text as written"));
            }
            if inside(".count").len() != 3 {
                problems.push(format!("{file}: not three counts"));
            }
            match output.value().attr("data-kind") {
                Some("frame") => {
                    let frames = inside("iframe");
                    let Some(frame) = frames.first() else {
                        problems.push(format!("{file}: no frame"));
                        continue;
                    };
                    let sandbox = frame.value().attr("sandbox");
                    if sandbox.is_none_or(|s| s.contains("allow-scripts")) {
                        problems.push(format!("{file}: frame sandbox is {sandbox:?}"));
                    }
                    if frame.value().attr("srcdoc").is_none_or(|s| s.len() < 200) {
                        problems.push(format!("{file}: empty srcdoc"));
                    }
                }
                Some("bbcode") => {
                    if !filled(".forum") || inside(".forum strong").is_empty() {
                        problems.push(format!("{file}: BBCode not rendered"));
                    }
                }
                Some("text") => {}
                other => problems.push(format!("{file}: kind {other:?}")),
            }
        }
    }
    problems
}

#[test]
fn preview_writes_one_page_with_every_venue_and_no_venue_files() {
    let p = project();
    for (file, slug) in FIXTURES {
        let run = p.run(&["preview", &format!("posts/{file}")]).expect_code(0);
        let page = format!("out/{slug}/index.html");
        assert_eq!(run.stdout, format!("{page}\n"), "the page's path on stdout");
        run.expect_stderr_contains("preview of 7 venues (8 files) written");
        let doc = Html::parse_document(&p.read(&page));
        assert_eq!(panel_problems(&doc), Vec::<String>::new(), "{slug}");
        assert!(select(&doc, "script").is_empty(), "no scripts in the page");
        let files: Vec<String> = std::fs::read_dir(p.path().join("out").join(slug))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["index.html"], "only the page is written");
    }
    assert!(!p.exists("out/manifest.json"), "preview writes no manifest");
}

#[test]
fn panels_show_counts_against_header_limits() {
    let p = project();
    p.run(&["preview", "posts/every-construct.md"])
        .expect_code(0);
    let doc = Html::parse_document(&p.read("out/every-construct/index.html"));
    let forum_chars = select(
        &doc,
        "[data-file=\"forum.bbcode\"] .count[data-count=\"characters\"]",
    );
    let shown = text(&forum_chars[0]);
    assert!(
        shown.contains(" / 20,000 characters"),
        "the built-in forum's max_chars: {shown}"
    );

    // A venue of the writer's own with tight limits: the counts say by how much it is over.
    p.write(
        "templates/tweet.txt.tera",
        "{#---\ndescription: A short post\nmax_chars: 40\nmax_words: 5\n---#}\n{{ post.title }}: {{ post.summary }}\n",
    );
    p.run(&["preview", "posts/plain-notes.md", "--venue", "tweet"])
        .expect_code(0);
    let doc = Html::parse_document(&p.read("out/plain-notes/index.html"));
    let text_of = |what: &str| {
        let found = select(
            &doc,
            &format!("[data-file=\"tweet.txt\"] .count[data-count=\"{what}\"]"),
        );
        assert_eq!(found.len(), 1, "{what}");
        (
            text(&found[0]),
            found[0].value().attr("class").unwrap_or("").to_string(),
        )
    };
    let (chars, class) = text_of("characters");
    assert!(class.contains("over"), "{class}");
    assert!(
        chars.contains("/ 40 characters") && chars.contains("over by"),
        "{chars}"
    );
    let (words, class) = text_of("words");
    assert!(
        class.contains("over") && words.contains("/ 5 words"),
        "{words}"
    );
    let (bytes, class) = text_of("bytes");
    assert!(!class.contains("over") && !bytes.contains('/'), "{bytes}");
    assert_eq!(
        select(&doc, "section.venue").len(),
        1,
        "--venue shows only that venue"
    );
}

#[test]
fn a_later_build_neither_reports_nor_removes_the_page() {
    let p = project();
    p.run(&["preview", "posts/plain-notes.md"]).expect_code(0);
    let page = "out/plain-notes/index.html";
    let before = p.read(page);

    // Built after the preview, then again, then with --clean: the page is never stale.
    for args in [
        &["build", "posts"][..],
        &["build", "posts"],
        &["build", "posts", "--clean"],
        &["build", "posts", "--force", "--clean"],
    ] {
        let run = p.run(args).expect_code(0);
        assert!(
            !run.stderr.contains("no longer built") && !run.stderr.contains("removed"),
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(p.read(page), before, "{args:?} left the page alone");
    }
    assert!(!p.read("out/manifest.json").contains("index.html"));

    // Previewed after a build: still not in the manifest, and the next build is a no-op.
    p.run(&["preview", "posts/plain-notes.md"]).expect_code(0);
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("0 files written");
    run.expect_stderr_contains("4 up to date");

    // The post deleted: `--clean` removes its venue files and nothing else.
    std::fs::remove_file(p.path().join("posts/plain-notes.md")).unwrap();
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    run.expect_stderr_contains("removed out/plain-notes/blog.html");
    run.refute_stderr_contains("index.html");
    assert!(p.exists(page), "the page is the writer's to delete");
}

#[test]
fn bbcode_that_looks_like_script_or_markup_stays_text() {
    let p = Project::new();
    p.write(
        "post.md",
        "---\ntitle: \"<script>alert('title')</script>\"\n---\n\n\
         Text [url=javascript:alert(1)]click[/url] and <script>alert(2)</script> and \
         [img]javascript:alert(3)[/img] and <img src=x onerror=alert(4)>.\n\n\
         [a link](javascript:alert(5)) and [fine](https://example.com/ok).\n",
    );
    // A template of the writer's own writes BBCode as it likes: the converter, not the
    // renderer's neutralising, has to keep these from becoming live links.
    p.write(
        "templates/raw.bbcode.tera",
        "[url=javascript:alert(6)]six[/url] [url]javascript:alert(7)[/url] \
         [img]javascript:alert(8)[/img] [url=https://e.com/\"onmouseover=\"alert(9)]nine[/url] \
         [quote=\"<b onclick=alert(10)>\"]q[/quote] [email=x\" onclick=\"alert(11)]e[/email]\n",
    );
    p.run(&[
        "preview", "post.md", "--venue", "forum", "--venue", "raw", "--venue", "blog",
    ])
    .expect_code(0);
    let html = p.read("out/post/index.html");
    let doc = Html::parse_document(&html);
    assert!(select(&doc, "script").is_empty(), "no script element");
    for el in select(&doc, "*") {
        for (name, value) in el.value().attrs() {
            let url = matches!(name, "href" | "src");
            assert!(
                !(name.starts_with("on")
                    || url && value.trim().to_ascii_lowercase().starts_with("javascript:")),
                "{name}=\"{value}\" on <{}>",
                el.value().name()
            );
        }
    }
    // The blog frame's document is attribute text: its scripts were taken out too.
    let srcdoc = select(&doc, "[data-file=\"blog.html\"] iframe")[0]
        .value()
        .attr("srcdoc")
        .unwrap()
        .to_string();
    let framed = Html::parse_document(&srcdoc);
    assert!(select(&framed, "script").is_empty(), "{srcdoc}");
    assert!(select(&framed, "[onerror]").is_empty(), "{srcdoc}");

    let raw = select(&doc, "[data-file=\"raw.bbcode\"] .forum");
    let shown = text(&raw[0]);
    // The build made them text already (a word joiner after the `[`); the converter would
    // have left them as text anyway.
    assert!(
        shown.contains("[\u{2060}url=javascript:alert(6)]six[/url]"),
        "{shown}"
    );
    assert!(
        shown.contains("[\u{2060}img]javascript:alert(8)[/img]"),
        "{shown}"
    );
    let links: Vec<&str> = select(&doc, "[data-file=\"raw.bbcode\"] .forum a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        links,
        ["https://e.com/%22onmouseover=%22alert(9)"],
        "only the URL that is one, its quotes encoded: {html}"
    );
    let forum = text(&select(&doc, "[data-file=\"forum.bbcode\"] .forum")[0]);
    assert!(
        forum.contains("<script>alert('title')</script>"),
        "the title as text: {forum}"
    );
    let links: Vec<&str> = select(&doc, "[data-file=\"forum.bbcode\"] .forum a")
        .iter()
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, ["https://example.com/ok"]);
}

#[test]
fn a_failing_template_is_reported_and_the_page_still_written() {
    let p = project();
    p.write("templates/broken.txt.tera", "{{ post.nope.deeper }}\n");
    let run = p.run(&["preview", "posts/plain-notes.md"]).expect_code(1);
    run.expect_stderr_contains("venue `broken` failed in template");
    let doc = Html::parse_document(&p.read("out/plain-notes/index.html"));
    assert!(text(&select(&doc, ".problems")[0]).contains("venue `broken` failed"));
    assert_eq!(
        panel_problems(&doc),
        Vec::<String>::new(),
        "the others are all there"
    );
}

#[test]
fn venues_the_post_leaves_out_are_named() {
    let p = Project::new();
    p.write(
        "post.md",
        "---\ntitle: Only Two\nvenues: [forum, blog]\n---\nText.\n",
    );
    p.run(&["preview", "post.md"]).expect_code(0);
    let doc = Html::parse_document(&p.read("out/post/index.html"));
    let names: Vec<&str> = select(&doc, "section.venue")
        .iter()
        .filter_map(|s| s.value().attr("data-venue"))
        .collect();
    assert_eq!(names, ["blog", "forum"]);
    assert!(
        text(&select(&doc, ".skipped")[0]).contains("article, discourse, hugo, newsletter, social")
    );
}

#[test]
fn a_folder_or_a_missing_post_is_an_error() {
    let p = project();
    let run = p.run(&["preview", "posts"]).expect_code(1);
    run.expect_stderr_contains("`posts` is a folder; `preview` shows one post");
    let run = p.run(&["preview", "posts/none.md"]).expect_code(1);
    run.expect_stderr_contains("failed to read `posts/none.md`");
    let run = p
        .run(&["preview", "posts/plain-notes.md", "--venue", "fax"])
        .expect_code(2);
    run.expect_stderr_contains("unknown venue `fax`");
    assert!(!p.exists("out"), "nothing written");
}

/// Runs `repurpose` in `p` with some environment variables set and the others named removed.
fn run_with_env(
    p: &Project,
    args: &[&str],
    set: &[(&str, &str)],
    unset: &[&str],
) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("repurpose").expect("binary is built");
    cmd.current_dir(p.path()).args(args);
    for name in unset {
        cmd.env_remove(name);
    }
    for (name, value) in set {
        cmd.env(name, value);
    }
    let out = cmd.output().expect("run repurpose");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DESKTOP: [&str; 4] = ["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME"];

#[cfg(unix)]
#[test]
fn open_without_a_desktop_says_so_and_succeeds() {
    let p = project();
    let (code, stdout, stderr) = run_with_env(
        &p,
        &["preview", "posts/plain-notes.md", "--open"],
        &[],
        &DESKTOP,
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "out/plain-notes/index.html\n");
    assert!(
        stderr.contains("not opened: no desktop browser here")
            && stderr.contains("open out/plain-notes/index.html in a browser"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn open_starts_the_browser_named_by_the_browser_variable() {
    use std::os::unix::fs::PermissionsExt;
    let p = project();
    let script = p.path().join("fake-browser");
    let log = p.path().join("opened.txt");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s' \"$1\" > '{}.tmp' && mv '{0}.tmp' '{0}'\n",
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let (code, _, stderr) = run_with_env(
        &p,
        &["preview", "posts/plain-notes.md", "--open"],
        &[("BROWSER", script.to_str().unwrap())],
        &["DISPLAY", "WAYLAND_DISPLAY"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("opened out/plain-notes/index.html in the browser"),
        "{stderr}"
    );
    // The browser is started in the background; give it a moment.
    let started = Instant::now();
    while !log.exists() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(20));
    }
    let opened = std::fs::read_to_string(&log).expect("the browser was started");
    let expected = p.path().join("out/plain-notes/index.html");
    assert_eq!(
        Path::new(&opened).canonicalize().unwrap(),
        expected.canonicalize().unwrap(),
        "it gets the page's absolute path"
    );
    assert!(Path::new(&opened).is_absolute(), "{opened}");
}

#[cfg(unix)]
#[test]
fn open_with_a_browser_that_cannot_start_still_succeeds() {
    let p = project();
    let (code, stdout, stderr) = run_with_env(
        &p,
        &["preview", "posts/plain-notes.md", "--open"],
        &[("BROWSER", "/nonexistent/browser")],
        &["DISPLAY", "WAYLAND_DISPLAY"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, "out/plain-notes/index.html\n");
    assert!(
        stderr.contains("not opened: no browser could be started"),
        "{stderr}"
    );
}

// --- In a real browser -------------------------------------------------------------------

/// Debian's chromium, or the test fails saying how to get it.
fn chromium() -> PathBuf {
    let paths = std::env::var_os("PATH").unwrap_or_default();
    let dirs: Vec<PathBuf> = std::env::split_paths(&paths).collect();
    ["chromium", "chromium-browser"]
        .iter()
        .flat_map(|name| dirs.iter().map(move |dir| dir.join(name)))
        .find(|path| path.is_file())
        .expect("chromium is not installed: `apt-get install chromium` (.ci/run does)")
}

/// What a headless chromium run printed.
struct Browser {
    stdout: String,
    stderr: String,
}

impl Browser {
    /// The console messages the page logged. Chromium logs each with `--enable-logging`, as
    /// `[…:INFO:CONSOLE:1] "message", source: …` (older versions: `CONSOLE(1)`), whatever the
    /// level; the preview runs no scripts, so any console message at all is a problem.
    fn console(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.contains(":CONSOLE"))
            .collect()
    }
}

/// Loads `page` in headless chromium with `args`, with its own profile, within two minutes.
fn headless(page: &Path, args: &[&str]) -> Browser {
    let profile = tempfile::tempdir().expect("temporary folder");
    let page = page.canonicalize().expect("the page exists");
    let url = url::Url::from_file_path(&page).expect("an absolute path");
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--enable-logging=stderr",
            // Chromium gives sandboxed frames a process of their own, and then a screenshot
            // can be taken before they have painted (a blank blog frame, one run in three
            // here). In the page's own process they are part of its load, as in a browser
            // window by the time anyone looks.
            "--disable-features=IsolateSandboxedIframes",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url.as_str())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes on threads so neither fills up while we wait.
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).map(|_| s)
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).map(|_| s)
    });
    let started = Instant::now();
    loop {
        if child.try_wait().expect("chromium runs").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Browser {
        stdout: out.join().expect("reader thread").unwrap_or_default(),
        stderr: err.join().expect("reader thread").unwrap_or_default(),
    }
}

#[test]
#[ignore = "needs chromium; .ci/run installs it and runs ignored browser tests"]
fn browser_catches_console_errors_in_a_deliberately_broken_page() {
    // Proof that the console check below can fail: a script error, and the one a preview
    // would cause if it framed a script (the sandbox blocks it, and says so).
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "script.html",
            "<!DOCTYPE html><title>x</title><p>x</p><script>console.error('deliberate'); nosuchfunction();</script>",
        ),
        (
            "frame.html",
            "<!DOCTYPE html><title>x</title><iframe sandbox srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
        ),
    ];
    for (name, html) in cases {
        let page = dir.path().join(name);
        std::fs::write(&page, html).unwrap();
        let browser = headless(&page, &["--dump-dom"]);
        assert!(
            browser.stdout.contains("<title>x</title>"),
            "{name}: the DOM was dumped: {}",
            browser.stdout
        );
        assert!(
            !browser.console().is_empty(),
            "{name}: no console message found in\n{}",
            browser.stderr
        );
    }
}

#[test]
#[ignore = "needs chromium; .ci/run installs it and runs ignored browser tests"]
fn browser_shows_every_panel_without_console_errors_and_takes_a_screenshot() {
    let with_site = project();
    let bare = Project::with_fixtures(&["every-construct.md"]);
    let mut pages: Vec<PathBuf> = Vec::new();
    for (file, slug) in FIXTURES {
        with_site
            .run(&["preview", &format!("posts/{file}")])
            .expect_code(0);
        pages.push(with_site.path().join(format!("out/{slug}/index.html")));
    }
    // Without `site.url` the venues keep relative links and images: a frame must not try
    // to load them from the disk.
    bare.run(&["preview", "posts/every-construct.md"])
        .expect_code(0);
    pages.push(bare.path().join("out/every-construct/index.html"));

    for page in &pages {
        let browser = headless(page, &["--dump-dom"]);
        assert_eq!(
            browser.console(),
            Vec::<&str>::new(),
            "console messages for {}",
            page.display()
        );
        let dom = Html::parse_document(&browser.stdout);
        assert_eq!(
            panel_problems(&dom),
            Vec::<String>::new(),
            "panels in the DOM chromium built for {}",
            page.display()
        );
    }

    let shots = tempfile::tempdir().unwrap();
    let png = shots.path().join("preview.png");
    let browser = headless(
        &with_site.path().join("out/every-construct/index.html"),
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1400,1000",
            "--hide-scrollbars",
        ],
    );
    let bytes =
        std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot ({e}):\n{}", browser.stderr));
    assert!(
        bytes.len() > 20_000,
        "a screenshot of a full page, not a blank one: {} bytes",
        bytes.len()
    );
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1400, 1000));
}

#[test]
fn panels_carry_the_findings_of_check() {
    let p = project();
    p.run(&["preview", "posts/every-construct.md"])
        .expect_code(0);
    let doc = Html::parse_document(&p.read("out/every-construct/index.html"));
    let forum = select(&doc, "section.venue[data-venue=\"forum\"] .warnings li");
    let forum: Vec<String> = forum.iter().map(text).collect();
    assert!(
        forum
            .iter()
            .any(|w| w.ends_with("table rendered as preformatted text in forum")),
        "{forum:?}"
    );
    // Each venue's panel has only its own findings; the post's own sit at the top.
    let blog = select(&doc, "section.venue[data-venue=\"blog\"] .warnings li");
    assert!(blog.iter().all(|w| !text(w).contains("in forum")));
    // The page-level list is the one outside every venue section.
    let all = select(&doc, ".warnings li");
    let in_venues = select(&doc, "section.venue .warnings li");
    let top: Vec<String> = all
        .iter()
        .filter(|li| !in_venues.contains(li))
        .map(text)
        .collect();
    let check = p.run(&["check", "posts/every-construct.md"]).expect_code(0);
    let own: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.contains("javascript:"))
        .collect();
    assert!(!own.is_empty());
    for line in own {
        assert!(top.iter().any(|t| t == line), "{line} not in {top:?}");
    }
}

#[test]
fn a_venue_writing_index_html_is_never_overwritten_by_the_page() {
    let p = project();
    p.write("templates/index.html.tera", "<p>{{ post.title }}</p>\n");
    p.run(&["build", "posts/plain-notes.md"]).expect_code(0);
    let before = p.read("out/plain-notes/index.html");
    let run = p.run(&["preview", "posts/plain-notes.md"]).expect_code(1);
    run.expect_stderr_contains("venue `index` writes `index.html`, where the preview page goes");
    assert_eq!(p.read("out/plain-notes/index.html"), before);
    // Not even when that venue is left out: its file from the last build is there.
    p.run(&["preview", "posts/plain-notes.md", "--venue", "forum"])
        .expect_code(1);
    assert_eq!(p.read("out/plain-notes/index.html"), before);
}

#[test]
fn a_page_of_the_writers_own_is_never_replaced_and_an_earlier_preview_is() {
    let p = Project::new();
    p.write("posts/a.md", "---\ntitle: A\nslug: site\n---\nB.\n");
    let home = "<h1>my real homepage</h1>\n";
    p.write("site/index.html", home);
    let run = p.run(&["preview", "posts/a.md", "-o", "."]).expect_code(1);
    run.expect_stderr_contains(
        "refusing to replace `./site/index.html`: it is not a page `preview` wrote; \
         move it away or preview into another folder with `-o`",
    );
    assert_eq!(p.read("site/index.html"), home);

    // Moved away: the page is written, and the next preview replaces it.
    std::fs::remove_file(p.path().join("site/index.html")).unwrap();
    p.run(&["preview", "posts/a.md", "-o", "."]).expect_code(0);
    assert!(p.read("site/index.html").contains("content=\"repurpose "));
    p.write("posts/a.md", "---\ntitle: A again\nslug: site\n---\nB.\n");
    p.run(&["preview", "posts/a.md", "-o", "."]).expect_code(0);
    assert!(p.read("site/index.html").contains("Preview: A again"));

    // A page written by an earlier version, whose marker has no `preview`, is replaced too.
    p.write(
        "site/index.html",
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"repurpose 0.0.9\">\n<title>Preview: A</title>\n",
    );
    p.run(&["preview", "posts/a.md", "-o", "."]).expect_code(0);
    assert!(p.read("site/index.html").contains("Preview: A again"));
}
