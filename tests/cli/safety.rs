//! Nothing already written is lost: `--clean` removes only what repurpose wrote, an output
//! never replaces a file it did not write, a venue not chosen is not stale, outputs that
//! are not what the manifest says are repaired, a failed write leaves a post all old, and
//! two runs never write one folder at once.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::harness::Project;

const POST: &str = "---\ntitle: Kept Safe\ndate: 2024-05-01\n---\n\nA paragraph with a [link](https://example.org/).\n\n## A section\n\nMore words here. What do you think?\n";

/// The output files of one post, as the manifest lists them.
fn manifest_paths(p: &Project, slug: &str) -> Vec<String> {
    let json: serde_json::Value =
        serde_json::from_str(&p.read("out/manifest.json")).expect("manifest JSON");
    json["posts"][slug]["files"]
        .as_array()
        .map(|files| {
            files
                .iter()
                .filter_map(|f| f["path"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(unix)]
#[test]
fn clean_never_removes_through_a_symbolic_link_out_of_the_output_folder() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.write("posts/stays.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    // The post's folder is moved elsewhere and `out/kept` made a link to it.
    std::fs::rename(p.path().join("out/kept"), p.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(p.path().join("elsewhere"), p.path().join("out/kept")).unwrap();
    std::fs::remove_file(p.path().join("posts/kept.md")).unwrap();
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    for file in ["forum.bbcode", "blog.html", "newsletter.txt"] {
        assert!(
            p.exists(&format!("elsewhere/{file}")),
            "{file} outside `out` removed\n{}",
            run.stderr
        );
    }
    run.expect_stderr_contains("left `out/kept/blog.html` in place: `out/kept` is a symbolic link, and nothing outside `out` is removed");
    // No longer listed: the next --clean has nothing to say.
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    run.refute_stderr_contains("left");
}

#[test]
fn clean_leaves_a_file_changed_since_it_was_written() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.write("posts/stays.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write(
        "out/kept/forum.bbcode",
        "my own notes, typed over the output\n",
    );
    std::fs::remove_file(p.path().join("posts/kept.md")).unwrap();
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    assert_eq!(
        p.read("out/kept/forum.bbcode"),
        "my own notes, typed over the output\n"
    );
    run.expect_stderr_contains(
        "warning: left `out/kept/forum.bbcode` in place: it changed since repurpose wrote it",
    );
    assert!(
        !p.exists("out/kept/blog.html"),
        "unchanged files are removed"
    );
    run.expect_stderr_contains("removed out/kept/blog.html");
}

#[test]
fn an_output_never_replaces_a_file_repurpose_did_not_write() {
    // `-o .` with a post whose slug is its folder's name: the article venue's `article.md`
    // would land on `posts/article.md`, the post itself.
    let p = Project::new();
    let post = "---\ntitle: Folder Name\nslug: posts\n---\n\nThe source, which must survive.\n";
    p.write("posts/article.md", post);
    p.write(
        "posts/other.md",
        "---\ntitle: Other\n---\n\nAnother post.\n",
    );
    let run = p.run(&["build", "posts", "-o", "."]).expect_code(1);
    assert_eq!(
        p.read("posts/article.md"),
        post,
        "the source post is intact"
    );
    run.expect_stderr_contains("refusing to replace `./posts/article.md`: repurpose did not write it (`./manifest.json` does not list it); move it away or build into another folder with `-o`");
    assert!(
        !p.exists("posts/forum.bbcode"),
        "nothing of that post written"
    );
    assert!(p.exists("other/forum.bbcode"), "the other post still built");
}

#[test]
fn a_file_in_place_that_holds_the_same_bytes_is_not_a_clash() {
    // A manifest lost (deleted by hand): the outputs already there are what would be
    // written, so the build goes on and lists them again.
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    std::fs::remove_file(p.path().join("out/manifest.json")).unwrap();
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("0 files written, 8 unchanged");
    assert_eq!(manifest_paths(&p, "kept").len(), 8);
}

#[test]
fn building_one_venue_keeps_every_other_venues_files() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/kept.md", &POST.replace("More words", "Other words"));
    let run = p
        .run(&["build", "posts/kept.md", "--venue", "forum", "--clean"])
        .expect_code(0);
    run.refute_stderr_contains("no longer built");
    run.refute_stderr_contains("removed");
    for file in ["blog.html", "newsletter.html", "social.txt", "article.md"] {
        assert!(p.exists(&format!("out/kept/{file}")), "{file} removed");
    }
    assert!(p.read("out/kept/forum.bbcode").contains("Other words"));
    let listed = manifest_paths(&p, "kept");
    assert_eq!(listed.len(), 8, "every file still listed: {listed:?}");
    // A full build later still removes nothing.
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    run.refute_stderr_contains("removed");
    assert_eq!(manifest_paths(&p, "kept").len(), 8);
}

#[test]
fn a_venue_the_post_no_longer_wants_is_stale_until_clean_removes_it() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write(
        "posts/kept.md",
        &POST.replace(
            "date: 2024-05-01\n",
            "date: 2024-05-01\nskip_venues: [blog]\n",
        ),
    );
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains(
        "warning: 1 file is in `out` no longer built (from `posts/kept.md`); `--clean` removes it",
    );
    // Said again on the next build, though the post is up to date, and still removable.
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("1 file is in `out` no longer built");
    let run = p.run(&["build", "posts", "--clean"]).expect_code(0);
    run.expect_stderr_contains("removed out/kept/blog.html");
    assert!(!p.exists("out/kept/blog.html"));
    assert!(p.exists("out/kept/forum.bbcode"));
    assert_eq!(manifest_paths(&p, "kept").len(), 7);
}

#[test]
fn outputs_left_by_an_interrupted_build_are_repaired_after_the_edit_is_undone() {
    // The state a build killed after its renames but before its manifest leaves: outputs
    // hold the edited post, the manifest vouches for the old one. Then the edit is undone.
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    let old = p.read("out/kept/blog.html");
    p.write("posts/kept.md", &POST.replace("More words", "Edited words"));
    p.run(&["build", "posts", "-o", "edited"]).expect_code(0);
    for file in ["blog.html", "forum.bbcode", "social.txt"] {
        let edited = p.read(&format!("edited/kept/{file}"));
        p.write(&format!("out/kept/{file}"), &edited);
    }
    p.write("posts/kept.md", POST);
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("3 files written, 5 unchanged");
    assert_eq!(p.read("out/kept/blog.html"), old);
    assert!(!p.read("out/kept/social.txt").contains("Edited"));
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("1 up to date");
}

#[test]
fn an_output_truncated_by_hand_is_rebuilt() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    let blog = p.read("out/kept/blog.html");
    p.write("out/kept/blog.html", "");
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("1 file written, 7 unchanged");
    assert_eq!(p.read("out/kept/blog.html"), blog);
}

#[test]
fn a_leftover_temporary_file_in_the_output_folder_is_removed() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    // A kill exactly at the manifest's rename, and one while a post's files were staged.
    p.write("out/.repurpose-AbC123.tmp", "{\"half\": ");
    p.write("out/kept/.repurpose-XyZ789.tmp", "<html>half");
    p.write("out/notes.tmp", "not ours");
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("1 up to date");
    assert!(!p.exists("out/.repurpose-AbC123.tmp"));
    assert!(!p.exists("out/kept/.repurpose-XyZ789.tmp"));
    assert!(
        p.exists("out/notes.tmp"),
        "only our temporary files are removed"
    );
}

#[test]
fn a_second_build_into_the_same_folder_waits_for_the_first() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    std::fs::create_dir_all(p.path().join("out")).unwrap();
    // Another run holds the folder.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(p.path().join("out/.repurpose.lock"))
        .unwrap();
    lock.lock().unwrap();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("repurpose"))
        .args(["build", "posts"])
        .current_dir(p.path())
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    stderr.read_line(&mut first).unwrap();
    assert_eq!(
        first.trim_end(),
        "waiting for another repurpose run writing into `out` to finish…"
    );
    assert!(
        !p.exists("out/manifest.json"),
        "nothing written while waiting"
    );
    drop(lock);
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert!(status.success(), "{rest}");
    assert!(rest.contains("built 1 post"), "{rest}");
    assert_eq!(manifest_paths(&p, "kept").len(), 8);
}

#[test]
fn two_builds_at_once_into_one_folder_both_finish_cleanly() {
    let p = Project::new();
    for i in 0..120 {
        p.write(
            &format!("posts/p{i:03}.md"),
            &POST.replace("Kept Safe", &format!("Post {i}")),
        );
    }
    let spawn = || {
        Command::new(assert_cmd::cargo::cargo_bin("repurpose"))
            .args(["build", "posts"])
            .current_dir(p.path())
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("error"), "{stderr}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&p.read("out/manifest.json")).expect("manifest JSON");
    assert_eq!(
        json["posts"].as_object().map(serde_json::Map::len),
        Some(120)
    );
}

/// A small tmpfs mounted on a folder for the length of a test; unmounted when dropped.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    /// Mounts `size` bytes of tmpfs on `path`; `None` where this process cannot mount
    /// (not root, or no `mount`), unless `REPURPOSE_REQUIRE_FAULTS` says the run must
    /// test it (CI does).
    fn mount(path: &std::path::Path, size: usize) -> Option<SmallDisk> {
        std::fs::create_dir_all(path).expect("create the mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            return Some(SmallDisk {
                path: path.to_path_buf(),
            });
        }
        assert!(
            std::env::var_os("REPURPOSE_REQUIRE_FAULTS").is_none(),
            "REPURPOSE_REQUIRE_FAULTS is set but a tmpfs could not be mounted (root needed)"
        );
        eprintln!("skipped: cannot mount a tmpfs here (root needed); CI runs this test");
        None
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.path).status();
    }
}

#[test]
fn a_full_disk_leaves_the_post_all_old_and_the_summary_says_what_was_written() {
    let p = Project::new();
    let Some(disk) = SmallDisk::mount(&p.path().join("out"), 256 * 1024) else {
        return;
    };
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    let old: Vec<(String, String)> = manifest_paths(&p, "kept")
        .into_iter()
        .map(|path| {
            let text = p.read(&format!("out/{path}"));
            (path, text)
        })
        .collect();
    // Fill the disk, then free ten pages: room for a file or two of the longer post.
    let filler = disk.path.join("filler");
    {
        use std::io::Write;
        let mut file = std::fs::File::create(&filler).unwrap();
        let chunk = vec![b'x'; 4096];
        while file.write_all(&chunk).is_ok() {}
    }
    let full = std::fs::metadata(&filler).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&filler)
        .unwrap();
    file.set_len(full.saturating_sub(40 * 1024)).unwrap();
    drop(file);

    let long = POST.replace(
        "More words here.",
        &"Many more words, to make every output far longer than the room left. ".repeat(300),
    );
    p.write("posts/kept.md", &long);
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/kept.md: not written");
    run.expect_stderr_contains("No space left on device");
    run.expect_stderr_contains("(0 files written, 0 unchanged)");
    for (path, text) in &old {
        assert!(
            &p.read(&format!("out/{path}")) == text,
            "{path} is not all old"
        );
    }
    let leftovers: Vec<_> = walkdir::WalkDir::new(&disk.path)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Room again: the next build writes every file.
    std::fs::remove_file(&filler).unwrap();
    let run = p.run(&["build", "posts"]).expect_code(0);
    run.expect_stderr_contains("8 files written");
    assert!(p.read("out/kept/blog.html").contains("Many more words"));
}

/// Whether `strace` can run here; with `REPURPOSE_REQUIRE_FAULTS` set (CI) it must.
fn strace_available() -> bool {
    let ok = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok || std::env::var_os("REPURPOSE_REQUIRE_FAULTS").is_none(),
        "REPURPOSE_REQUIRE_FAULTS is set but strace is missing"
    );
    if !ok {
        eprintln!("skipped: strace is not installed; CI runs this test");
    }
    ok
}

/// Runs `repurpose ARGS` in the project under strace, which kills it with SIGKILL at its
/// `when`-th rename (of a file into place, or of the manifest); whether it was killed.
fn killed_at_rename(p: &Project, when: u32, args: &[&str]) -> bool {
    let status = Command::new("strace")
        .args([
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=rename,renameat,renameat2",
            "-e",
        ])
        .arg(format!(
            "inject=rename,renameat,renameat2:signal=KILL:when={when}"
        ))
        .arg(assert_cmd::cargo::cargo_bin("repurpose"))
        .args(args)
        .current_dir(p.path())
        .stderr(Stdio::null())
        .status()
        .expect("run strace");
    !status.success()
}

#[test]
fn a_build_killed_at_a_rename_then_the_edit_undone_is_repaired_by_the_next_build() {
    if !strace_available() {
        return;
    }
    let p = Project::new();
    let post = |i: usize, version: &str| {
        POST.replace("Kept Safe", &format!("Post {i}"))
            .replace("More words", &format!("The {version} words"))
    };
    for i in 0..20 {
        p.write(&format!("posts/p{i:02}.md"), &post(i, "first"));
    }
    p.run(&["build", "posts"]).expect_code(0);
    p.run(&["build", "posts", "-o", "expected"]).expect_code(0);
    for i in 0..20 {
        p.write(&format!("posts/p{i:02}.md"), &post(i, "edited"));
    }
    // SIGKILL at the fourth rename: some outputs edited, the manifest not written.
    assert!(
        killed_at_rename(&p, 4, &["build", "posts", "-q"]),
        "the build was killed"
    );
    let edited = walkdir::WalkDir::new(p.path().join("out"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains("edited words")))
        .count();
    assert!(edited > 0, "the kill came after some renames");
    for i in 0..20 {
        p.write(&format!("posts/p{i:02}.md"), &post(i, "first"));
    }
    let run = p.run(&["build", "posts"]).expect_code(0);
    for i in 0..20 {
        for file in ["blog.html", "forum.bbcode", "social.txt", "article.md"] {
            let path = format!("p{i:02}/{file}");
            assert!(
                p.read(&format!("out/{path}")) == p.read(&format!("expected/{path}")),
                "{path} keeps the undone edit\n{}",
                run.stderr
            );
        }
    }
}

#[test]
fn slugs_moved_in_a_chain_keep_every_post_and_file_recorded() {
    let p = Project::new();
    let post = |title: &str, slug: &str| {
        format!("---\ntitle: {title}\nslug: {slug}\n---\nBody {title}.\n")
    };
    p.write("posts/a.md", &post("A", "part-1"));
    p.write("posts/b.md", &post("B", "part-2"));
    p.run(&["build", "posts"]).expect_code(0);
    // a takes b's old slug while b moves on: a chain of moves.
    p.write("posts/a.md", &post("A", "part-2"));
    p.write("posts/b.md", &post("B", "part-3"));
    p.run(&["build", "posts"]).expect_code(0);
    assert_eq!(manifest_paths(&p, "part-2").len(), 8, "a's entry is kept");
    assert_eq!(manifest_paths(&p, "part-3").len(), 8);
    // And a swap.
    p.write("posts/a.md", &post("A edited", "part-3"));
    p.write("posts/b.md", &post("B edited", "part-2"));
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .refute_stderr_contains("refusing");
    assert!(p.read("out/part-3/blog.html").contains("A edited"));
    assert!(p.read("out/part-2/blog.html").contains("B edited"));
    assert!(
        !p.exists("out/part-1"),
        "the first slug's files were removed"
    );
    assert_eq!(manifest_paths(&p, "part-2").len(), 8);
    assert_eq!(manifest_paths(&p, "part-3").len(), 8);
}

#[test]
fn a_slug_changed_and_changed_back_may_replace_its_own_files() {
    let p = Project::new();
    let post = |slug: &str, body: &str| format!("---\ntitle: Flip\nslug: {slug}\n---\n{body}\n");
    p.write("posts/a.md", &post("x", "First."));
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/a.md", &post("y", "Second."));
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/a.md", &post("x", "Third."));
    p.run(&["build", "posts"])
        .expect_code(0)
        .refute_stderr_contains("refusing");
    assert!(p.read("out/x/blog.html").contains("Third."));
}

#[test]
fn a_manifest_json_repurpose_did_not_write_is_never_replaced() {
    let p = Project::new();
    p.write("posts/a.md", POST);
    p.write("public/manifest.json", "{\"name\": \"My PWA\"}\n");
    p.run(&["build", "posts", "-o", "public"])
        .expect_code(1)
        .expect_stderr_contains("public/manifest.json:1:18: not a manifest repurpose wrote");
    assert_eq!(p.read("public/manifest.json"), "{\"name\": \"My PWA\"}\n");
    assert!(!p.exists("public/a"), "nothing built");
}

#[test]
fn a_build_from_another_folder_knows_the_posts_it_built() {
    // Built from inside the project, then from its parent (the configuration found above
    // the inputs): the same posts, not gone ones, and --venue keeps the other venues.
    let p = Project::new();
    p.write("blog/repurpose.yaml", "site:\n  title: Blog\n");
    p.write("blog/posts/a.md", POST);
    p.write("blog/posts/b.md", &POST.replace("Kept Safe", "Other"));
    let run = std::process::Command::new(assert_cmd::cargo::cargo_bin("repurpose"))
        .args(["build", "posts", "-q"])
        .current_dir(p.path().join("blog"))
        .status()
        .unwrap();
    assert!(run.success());
    p.write(
        "blog/posts/a.md",
        &POST.replace("More words", "Edited words"),
    );
    p.run(&["build", "blog/posts/a.md", "--clean"])
        .expect_code(0)
        .refute_stderr_contains("removed");
    p.run(&["build", "./blog/posts/a.md", "--venue", "forum", "--clean"])
        .expect_code(0)
        .refute_stderr_contains("removed");
    assert!(
        p.exists("blog/out/b/blog.html"),
        "the other post's files stay"
    );
    assert!(
        p.exists("blog/out/a/blog.html"),
        "the other venues' files stay"
    );
}

#[test]
fn a_post_built_alone_cannot_take_the_slug_of_another_post() {
    let p = Project::new();
    p.write("posts/a.md", "---\ntitle: A\n---\nBody A.\n");
    p.write("posts/b.md", "---\ntitle: B\n---\nBody B.\n");
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/a.md", "---\ntitle: A\nslug: b\n---\nBody A.\n");
    p.run(&["build", "posts/a.md"])
        .expect_code(1)
        .expect_stderr_contains(
            "`posts/a.md` would write `b/`, which `posts/b.md` writes; it was not built",
        );
    assert!(p.read("out/b/blog.html").contains("Body B."));
    assert_eq!(manifest_paths(&p, "b").len(), 8);
}

#[test]
fn a_broken_template_of_a_venue_with_several_files_costs_none_of_them() {
    let p = Project::new();
    p.write("posts/a.md", POST);
    p.write("posts/b.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write("templates/newsletter.txt.tera", "{{ post.title }\n");
    p.write("posts/a.md", &POST.replace("More words", "Edited words"));
    p.run(&["build", "posts", "--clean"])
        .expect_code(1)
        .refute_stderr_contains("removed");
    assert!(p.exists("out/a/newsletter.txt"));
    assert_eq!(manifest_paths(&p, "a").len(), 8);
}

#[test]
fn files_a_killed_first_build_renamed_are_still_known_as_ours() {
    if !strace_available() {
        return;
    }
    let p = Project::new();
    p.write("posts/a.md", POST);
    assert!(
        killed_at_rename(&p, 3, &["build", "posts", "-q"]),
        "the build was killed"
    );
    assert!(!p.exists("out/manifest.json"), "killed before its manifest");
    p.write("posts/a.md", &POST.replace("More words", "Edited words"));
    p.run(&["build", "posts"])
        .expect_code(0)
        .refute_stderr_contains("refusing");
    assert!(p.read("out/a/blog.html").contains("Edited words"));
    assert_eq!(manifest_paths(&p, "a").len(), 8);
    assert_eq!(p.read("out/.repurpose.lock"), "", "the journal is emptied");
}

#[test]
fn the_line_for_a_post_counts_the_files_this_build_made() {
    let p = Project::new();
    p.write("posts/a.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/a.md", &POST.replace("More words", "Edited words"));
    let run = p
        .run(&["build", "posts", "--venue", "forum"])
        .expect_code(0);
    run.expect_stdout_contains("a                                1 file → out/a");
}

#[test]
fn a_touched_post_is_read_once_then_known_by_its_time_again() {
    let p = Project::new();
    p.write("posts/a.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    let before = p.read("out/manifest.json");
    // Same bytes, a new modification time (a checkout, a touch).
    std::thread::sleep(std::time::Duration::from_millis(20));
    p.write("posts/a.md", POST);
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");
    let after = p.read("out/manifest.json");
    assert_ne!(before, after, "the new time is recorded");
}

#[test]
fn a_file_of_yours_where_an_old_slug_wrote_is_not_replaced() {
    let p = Project::new();
    let post = |slug: &str| format!("---\ntitle: Notes\nslug: {slug}\n---\nGenerated.\n");
    p.write("posts/a.md", &post("notes"));
    p.run(&["build", "posts", "-o", "."]).expect_code(0);
    p.write("posts/a.md", &post("other"));
    p.run(&["build", "posts", "-o", "."]).expect_code(0);
    // The old slug's files are still listed (stale); the writer makes the folder their own.
    std::fs::remove_dir_all(p.path().join("notes")).unwrap();
    p.write("notes/article.md", "MY OWN NOTES\n");
    p.write("posts/a.md", &post("notes"));
    p.run(&["build", "posts", "-o", "."])
        .expect_code(1)
        .expect_stderr_contains("refusing to replace `./notes/article.md`: it changed since repurpose wrote it for another post or slug");
    assert_eq!(p.read("notes/article.md"), "MY OWN NOTES\n");
}

#[test]
fn a_manifest_from_before_source_keys_is_rewritten_and_slugs_still_swap() {
    let p = Project::new();
    let post = |title: &str, slug: &str| {
        format!("---\ntitle: {title}\nslug: {slug}\n---\nBody {title}.\n")
    };
    p.write("posts/a.md", &post("A", "sa"));
    p.write("posts/b.md", &post("B", "sb"));
    p.run(&["build", "./posts"]).expect_code(0);
    // As an older version wrote it: sources as typed, no `keyed`.
    let old = p
        .read("out/manifest.json")
        .replace("\"source\": \"posts/", "\"source\": \"./posts/")
        .replace("  \"keyed\": true,\n", "");
    assert!(
        old.contains("./posts/a.md") && !old.contains("keyed"),
        "{old}"
    );
    p.write("out/manifest.json", &old);
    p.write("posts/a.md", &post("A", "sb"));
    p.write("posts/b.md", &post("B", "sa"));
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .refute_stderr_contains("would write")
        .refute_stderr_contains("refusing");
    assert!(p.read("out/sb/blog.html").contains("Body A."));
    assert!(p.read("out/sa/blog.html").contains("Body B."));
    let manifest = p.read("out/manifest.json");
    assert!(
        manifest.contains("\"source\": \"posts/a.md\""),
        "{manifest}"
    );
    assert!(manifest.contains("\"keyed\": true"), "{manifest}");
}

#[cfg(unix)]
#[test]
fn an_up_to_date_check_never_reaches_through_a_linked_post_folder() {
    let p = Project::new();
    p.write("posts/kept.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    std::fs::rename(p.path().join("out/kept"), p.path().join("elsewhere")).unwrap();
    std::os::unix::fs::symlink(p.path().join("elsewhere"), p.path().join("out/kept")).unwrap();
    p.write("elsewhere/.repurpose-draft.tmp", "not a leftover of ours");
    p.run(&["build", "posts"])
        .expect_code(1)
        .expect_stderr_contains("it is a symbolic link, and outputs never leave `out`");
    assert!(p.exists("elsewhere/.repurpose-draft.tmp"));
}

#[test]
fn a_killed_run_that_replaced_outputs_is_recorded_so_clean_removes_them() {
    if !strace_available() {
        return;
    }
    let p = Project::new();
    p.write("posts/p.md", POST);
    p.write("posts/q.md", POST);
    p.run(&["build", "posts"]).expect_code(0);
    p.write("posts/p.md", &POST.replace("More words", "Edited words"));
    assert!(
        killed_at_rename(&p, 3, &["build", "posts/p.md", "-q"]),
        "the build was killed"
    );
    std::fs::remove_file(p.path().join("posts/p.md")).unwrap();
    p.run(&["build", "posts", "--clean"])
        .expect_code(0)
        .refute_stderr_contains("in place");
    assert!(!p.exists("out/p"), "every file of the deleted post removed");
    assert!(p.exists("out/q/blog.html"));
}
