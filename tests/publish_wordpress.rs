//! `repurpose publish` to a WordPress target, against a real WordPress on 127.0.0.1
//! (Debian's package, MariaDB, `php -S`: tests/servers/wordpress.sh), read back through its
//! REST API and the page it renders: create, unchanged, edit → update in place, a lost
//! ledger that must not duplicate, a wrong password. Skips where the packages are missing,
//! unless `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run).

#![allow(clippy::unwrap_used)]

#[path = "support/run.rs"]
mod run;
#[path = "support/wordpress.rs"]
mod wordpress;

use run::Run;

use std::path::Path;
use std::process::Command;

use serde_json::Value;
use wordpress::WordPress;

const POST: &str = "---\ntitle: Reading the tides\nsummary: Why the harbour empties twice a day.\ndate: 2026-11-30\ntags: [sea, Field Notes]\n---\nThe moon pulls, *the water follows*.\n\n## Low water\n\nWhat do you watch for at low water?\n";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(wp: &WordPress) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\npublish:\n  blog:\n    service: wordpress\n    url: {}\n    username: {}\n    password_env: TEST_WP_PASSWORD\n    status: publish\n",
                wp.url, wp.user
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("posts/tides.md"), POST).unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn run(&self, args: &[&str], password: &str) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_repurpose"))
            .args(args)
            .current_dir(self.root())
            .env("TEST_WP_PASSWORD", password)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Run::from(out)
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.root().join("repurpose.ledger")).unwrap_or_default()
    }
}

/// Every post (any status) with this slug or a slug WordPress derived from it (`-2`).
fn posts_like(wp: &WordPress, slug: &str) -> Vec<Value> {
    let all = wp.get_json("/wp/v2/posts&status=any&context=edit&per_page=100");
    all.as_array()
        .unwrap()
        .iter()
        .filter(|p| {
            p["slug"]
                .as_str()
                .is_some_and(|s| s == slug || s.starts_with(&format!("{slug}-")))
        })
        .cloned()
        .collect()
}

fn tag_names(wp: &WordPress, post: &Value) -> Vec<String> {
    let mut names: Vec<String> = post["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| {
            wp.get_json(&format!("/wp/v2/tags/{id}"))["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn create_then_unchanged_then_an_edit_updates_the_same_post() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);

    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("posts/tides.md  blog  create      a new post, status `publish`"),
        "{plan:?}"
    );
    assert!(posts_like(&wp, "tides").is_empty(), "--plan sends nothing");
    assert!(project.ledger().is_empty(), "--plan records nothing");

    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = posts_like(&wp, "tides");
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let post = &posts[0];
    let id = post["id"].as_u64().unwrap();
    assert_eq!(post["title"]["raw"], "Reading the tides");
    assert_eq!(post["status"], "publish");
    assert_eq!(
        post["excerpt"]["raw"],
        "Why the harbour empties twice a day."
    );
    assert!(
        post["date"].as_str().unwrap().starts_with("2026-11-30"),
        "{post:#}"
    );
    let content = post["content"]["raw"].as_str().unwrap();
    assert!(
        content.contains("The moon pulls, <em>the water follows</em>."),
        "{content}"
    );
    assert!(content.contains("Low water</h2>"), "{content}");
    assert!(
        !content.contains("<html") && !content.contains("<article"),
        "the body, not the page: {content}"
    );
    assert_eq!(tag_names(&wp, post), ["Field Notes", "sea"]);
    assert!(
        publish.stdout.contains(&format!(
            "created posts/tides.md → blog: {}",
            post["link"].as_str().unwrap()
        )),
        "{publish:?}"
    );
    let page = wp.page(id);
    assert!(
        page.contains("Reading the tides") && page.contains("<em>the water follows</em>"),
        "the rendered page"
    );

    let again = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("blog  unchanged"), "{again:?}");
    assert_eq!(posts_like(&wp, "tides").len(), 1);

    std::fs::write(
        project.root().join("posts/tides.md"),
        POST.replace("low water?", "low water, and why?"),
    )
    .unwrap();
    let status = project.run(&["status"], &wp.password);
    assert!(
        status
            .stdout
            .contains("posts/tides.md  blog  stale            the post changed since"),
        "{status:?}"
    );
    let plan = project.run(&["publish", "--plan"], &wp.password);
    assert!(
        plan.stdout
            .contains(&format!("update      post {id}: the post changed since")),
        "{plan:?}"
    );
    let update = project.run(&["publish"], &wp.password);
    assert_eq!(update.code, 0, "{update:?}");
    let posts = posts_like(&wp, "tides");
    assert_eq!(posts.len(), 1, "updated in place: {posts:#?}");
    assert_eq!(posts[0]["id"].as_u64(), Some(id));
    assert!(
        posts[0]["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("low water, and why?")
    );
    assert!(wp.page(id).contains("low water, and why?"));
    let status = project.run(&["status", "--json"], &wp.password);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    assert_eq!(rows[0]["id"], id.to_string());

    for run in [&plan, &publish, &again, &update, &status] {
        assert!(
            !run.stdout.contains(&wp.password) && !run.stderr.contains(&wp.password),
            "{run:?}"
        );
    }
    assert!(!project.ledger().contains(&wp.password));
}

#[test]
fn a_fresh_clone_without_the_ledger_updates_the_post_instead_of_duplicating_it() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let first = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(first.code, 0, "{first:?}");
    let id = posts_like(&wp, "tides")[0]["id"].as_u64().unwrap();

    // A fresh clone: the same posts and configuration, no ledger.
    std::fs::remove_file(project.root().join("repurpose.ledger")).unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        POST.replace("The moon pulls", "The moon still pulls"),
    )
    .unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert!(
        plan.stdout.contains(&format!(
            "update      post {id} found on the site by its mark"
        )),
        "{plan:?}"
    );
    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = posts_like(&wp, "tides");
    assert_eq!(posts.len(), 1, "no duplicate: {posts:#?}");
    assert!(
        posts[0]["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("The moon still pulls")
    );
    assert!(
        project
            .ledger()
            .contains(&format!("\"action\":\"found\",\"id\":\"{id}\"")),
        "{}",
        project.ledger()
    );
}

#[test]
fn a_wrong_password_is_a_clear_error_and_records_nothing() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let wrong = "abcd efgh ijkl mnop qrst uvwx";
    let run = project.run(&["publish", "posts/tides.md"], wrong);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("impossible"), "{run:?}");
    assert!(
        run.stdout
            .contains(&format!("refused the login for user `{}`", wp.user)),
        "{run:?}"
    );
    assert!(
        !run.stdout.contains(wrong) && !run.stderr.contains(wrong),
        "{run:?}"
    );
    assert!(!project.root().join("repurpose.ledger").exists());
    assert!(posts_like(&wp, "tides").is_empty());
    let json = project.run(&["publish", "posts/tides.md", "--plan", "--json"], wrong);
    assert!(!json.stdout.contains(wrong), "{json:?}");
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(report["steps"][0]["action"], "impossible");
}

#[test]
fn someone_elses_post_with_the_same_slug_is_never_overwritten() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let theirs = wp.post_json(
        "/wp/v2/posts",
        &serde_json::json!({"title": "Tides, by a colleague", "slug": "tides", "content": "Their words.", "status": "publish"}),
    );
    let their_id = theirs["id"].as_u64().unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(
        plan.stdout.contains(&format!(
            "impossible  a post with the slug `tides` is already on the site (post {their_id}"
        )),
        "{plan:?}"
    );
    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 1, "{publish:?}");
    let after = wp.get_json(&format!("/wp/v2/posts/{their_id}&context=edit"));
    assert_eq!(after["content"]["raw"], "Their words.", "untouched");
    assert_eq!(posts_like(&wp, "tides").len(), 1, "nothing created either");
    assert!(project.ledger().is_empty());

    // Under another slug the post goes out, and WordPress's renaming cannot lose it: found
    // again by its mark once the ledger is gone.
    std::fs::write(
        project.root().join("posts/tides.md"),
        POST.replace("tags:", "slug: tides-ana\ntags:"),
    )
    .unwrap();
    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 0, "{publish:?}");
    std::fs::remove_file(project.root().join("repurpose.ledger")).unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert!(
        plan.stdout.contains("blog  update      post")
            && plan.stdout.contains("found on the site by its mark"),
        "{plan:?}"
    );
}

#[test]
fn an_update_keeps_the_status_set_on_the_site_and_a_deleted_post_is_made_again() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let first = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(first.code, 0, "{first:?}");
    let id = posts_like(&wp, "tides")[0]["id"].as_u64().unwrap();

    // Unpublished by hand on the site: an edit updates the text, not the status.
    wp.post_json(
        &format!("/wp/v2/posts/{id}"),
        &serde_json::json!({"status": "draft"}),
    );
    std::fs::write(
        project.root().join("posts/tides.md"),
        POST.replace("The moon pulls", "The moon tugs"),
    )
    .unwrap();
    let update = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(update.code, 0, "{update:?}");
    let post = wp.get_json(&format!("/wp/v2/posts/{id}&context=edit"));
    assert_eq!(post["status"], "draft", "the site's status is kept");
    assert!(
        post["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("The moon tugs")
    );

    // Deleted on the site (to the trash): planned as a new post, and made.
    let deleted = wp
        .agent()
        .delete(&wp.rest(&format!("/wp/v2/posts/{id}")))
        .header("Authorization", &wp.authorization())
        .call()
        .unwrap();
    assert_eq!(deleted.status(), 200);
    std::fs::write(project.root().join("posts/tides.md"), POST).unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert!(
        plan.stdout
            .contains("the one sent before is no longer on the site"),
        "{plan:?}"
    );
    let again = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.contains("created posts/tides.md → blog"),
        "{again:?}"
    );
    let now = posts_like(&wp, "tides");
    assert_eq!(now.len(), 1, "{now:#?}");
    assert_ne!(now[0]["id"].as_u64(), Some(id));
    let status = project.run(&["status"], &wp.password);
    assert!(status.stdout.contains("current"), "{status:?}");
}

#[test]
fn a_ledger_pointing_at_another_sites_post_never_overwrites_it() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    // The ledger says post N is ours, but the site's post N is someone else's (a ledger
    // from another site, a restored database).
    let theirs = wp.post_json(
        "/wp/v2/posts",
        &serde_json::json!({"title": "An essay", "content": "Their essay.", "status": "publish"}),
    );
    let their_id = theirs["id"].as_u64().unwrap();
    let line = format!(
        "{{\"event\":\"published\",\"at\":\"2026-12-01T10:00:00Z\",\"post\":\"tides\",\"source\":\"posts/tides.md\",\"target\":\"blog\",\"action\":\"create\",\"id\":\"{their_id}\",\"url\":\"{}/?p={their_id}\",\"sent\":\"sha256:0\",\"from\":\"sha256:0\"}}\n",
        wp.url
    );
    std::fs::write(project.root().join("repurpose.ledger"), line).unwrap();
    let run = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains(&format!(
            "post {their_id} on the site does not carry this post's mark"
        )),
        "{run:?}"
    );
    let after = wp.get_json(&format!("/wp/v2/posts/{their_id}&context=edit"));
    assert_eq!(after["content"]["raw"], "Their essay.");
}

#[test]
fn with_no_post_named_a_post_deleted_on_the_site_is_not_made_again() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let first = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(first.code, 0, "{first:?}");
    let id = posts_like(&wp, "tides")[0]["id"].as_u64().unwrap();
    let deleted = wp
        .agent()
        .delete(&format!(
            "{}&force=true",
            wp.rest(&format!("/wp/v2/posts/{id}"))
        ))
        .header("Authorization", &wp.authorization())
        .call()
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let bare = project.run(&["publish"], &wp.password);
    assert_eq!(bare.code, 1, "{bare:?}");
    assert!(
        bare.stdout.contains(
            "is no longer on the site (deleted, or in the trash); name the post to send it again"
        ),
        "{bare:?}"
    );
    assert!(posts_like(&wp, "tides").is_empty(), "not made again");
}

#[test]
fn an_edit_made_on_the_site_is_not_overwritten_unless_asked() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let first = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(first.code, 0, "{first:?}");
    let id = posts_like(&wp, "tides")[0]["id"].as_u64().unwrap();
    let post = wp.get_json(&format!("/wp/v2/posts/{id}&context=edit"));
    let edited = post["content"]["raw"]
        .as_str()
        .unwrap()
        .replace("The moon pulls", "The moon (as the editor put it) pulls");
    wp.post_json(
        &format!("/wp/v2/posts/{id}"),
        &serde_json::json!({"content": edited}),
    );

    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("blog  unchanged   post")
            && plan
                .stdout
                .contains("(edited on the site since; left as it is)"),
        "{plan:?}"
    );

    std::fs::write(
        project.root().join("posts/tides.md"),
        POST.replace("low water?", "low water, and why?"),
    )
    .unwrap();
    let refused = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(
        refused.stdout.contains(&format!(
            "impossible  post {id} was edited on the site since it was sent"
        )),
        "{refused:?}"
    );
    let kept = wp.get_json(&format!("/wp/v2/posts/{id}&context=edit"));
    assert!(
        kept["content"]["raw"]
            .as_str()
            .unwrap()
            .contains("as the editor put it"),
        "the site's edit is kept"
    );

    let overwrite = project.run(&["publish", "posts/tides.md", "--overwrite"], &wp.password);
    assert_eq!(overwrite.code, 0, "{overwrite:?}");
    assert!(
        overwrite
            .stdout
            .contains("the edits made on the site since are replaced (--overwrite)"),
        "{overwrite:?}"
    );
    let now = wp.get_json(&format!("/wp/v2/posts/{id}&context=edit"));
    let content = now["content"]["raw"].as_str().unwrap();
    assert!(content.contains("low water, and why?") && !content.contains("as the editor put it"));
    let again = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert!(
        again.stdout.contains("blog  unchanged   post")
            && !again.stdout.contains("edited on the site"),
        "{again:?}"
    );
}

#[test]
fn images_are_uploaded_once_with_their_alt_text_and_the_post_shows_the_librarys_copies() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    let picture = image::RgbImage::from_fn(320, 200, |x, _| image::Rgb([(x % 256) as u8, 80, 40]));
    std::fs::create_dir(project.root().join("posts/img")).unwrap();
    picture
        .save(project.root().join("posts/img/chart.png"))
        .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!("{POST}\n![Tide heights at the harbour](img/chart.png)\n"),
    )
    .unwrap();

    let plan = project.run(&["publish", "posts/tides.md", "--plan"], &wp.password);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("a new post, status `publish`; upload 1 image (chart-"),
        "{plan:?}"
    );
    assert_eq!(
        wp.get_json("/wp/v2/media"),
        serde_json::json!([]),
        "--plan uploads nothing"
    );

    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 0, "{publish:?}");
    let media = wp.get_json("/wp/v2/media&context=edit");
    let media = media.as_array().unwrap();
    assert_eq!(media.len(), 1, "{media:#?}");
    assert_eq!(media[0]["alt_text"], "Tide heights at the harbour");
    let source_url = media[0]["source_url"].as_str().unwrap();
    let posts = posts_like(&wp, "tides");
    let content = posts[0]["content"]["raw"].as_str().unwrap();
    assert!(
        content.contains(&format!("src=\"{source_url}\"")),
        "the post shows the library's copy: {content}"
    );
    assert!(!content.contains("repurpose.invalid"), "{content}");
    let ledger = project.ledger();
    assert_eq!(ledger.matches("\"event\":\"media\"").count(), 1, "{ledger}");
    assert!(ledger.contains(source_url), "{ledger}");

    let status = project.run(&["status", "--json"], &wp.password);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    let again = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("blog  unchanged"), "{again:?}");
    assert_eq!(
        wp.get_json("/wp/v2/media").as_array().unwrap().len(),
        1,
        "a re-run uploads nothing"
    );

    // An edit to the text sends the post again, but not the image.
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!(
            "{}\n![Tide heights at the harbour](img/chart.png)\n",
            POST.replace("low water?", "low water, and why?")
        ),
    )
    .unwrap();
    let update = project.run(&["publish"], &wp.password);
    assert_eq!(update.code, 0, "{update:?}");
    assert!(!update.stdout.contains("upload"), "{update:?}");
    assert_eq!(wp.get_json("/wp/v2/media").as_array().unwrap().len(), 1);
    let content = posts_like(&wp, "tides")[0]["content"]["raw"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        content.contains(&format!("src=\"{source_url}\"")),
        "{content}"
    );
}

#[test]
fn an_svg_goes_to_the_media_library_as_its_png_drawing() {
    let Some(wp) = wordpress::start() else { return };
    let project = Project::new(&wp);
    std::fs::create_dir(project.root().join("posts/img")).unwrap();
    std::fs::write(
        project.root().join("posts/img/logo.svg"),
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#369"/></svg>"##,
    )
    .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!("{POST}\n![The harbour logo](img/logo.svg)\n"),
    )
    .unwrap();
    let publish = project.run(&["publish", "posts/tides.md"], &wp.password);
    assert_eq!(publish.code, 0, "{publish:?}");
    let media = wp.get_json("/wp/v2/media&context=edit");
    let media = media.as_array().unwrap();
    assert_eq!(media.len(), 1, "{media:#?}");
    assert_eq!(media[0]["mime_type"], "image/png");
    assert_eq!(media[0]["alt_text"], "The harbour logo");
    let source_url = media[0]["source_url"].as_str().unwrap();
    let content = posts_like(&wp, "tides")[0]["content"]["raw"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        content.contains(&format!("src=\"{source_url}\"")),
        "{content}"
    );
}
