//! `repurpose publish` to a Discourse target, against tests/servers/discourse_server.py (a
//! small Discourse that follows the API reference): create, a re-run that creates nothing, an
//! edit updating the topic's first post in place, a lost answer or a lost ledger that must not
//! duplicate, a 429 waited out, a 500 that a later run makes good, a wrong key.

#![allow(clippy::unwrap_used)]

#[path = "support/discourse.rs"]
mod discourse;
#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::Command;

use discourse::{KEY, Server};
use run::Run;
use serde_json::{Value, json};

const POST: &str = "---\ntitle: Reading the tides\nsummary: Why the harbour empties twice a day.\ndate: 2026-11-30\n---\nThe moon pulls, *the water follows*.\n\n## Low water\n\nWhat do you watch for at low water?\n";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(server: &Server) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\npublish:\n  forum:\n    service: discourse\n    url: {}\n    username: ana\n    token_env: TEST_DISCOURSE_KEY\n    category: blog\n",
                server.url
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

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_key(args, KEY)
    }

    fn run_with_key(&self, args: &[&str], key: &str) -> Run {
        self.run_env(args, key, &[])
    }

    fn run_env(&self, args: &[&str], key: &str, env: &[(&str, &str)]) -> Run {
        let out = Command::new(env!("CARGO_BIN_EXE_repurpose"))
            .args(args)
            .envs(env.iter().copied())
            .current_dir(self.root())
            .env("TEST_DISCOURSE_KEY", key)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let run = Run::from(out);
        assert!(
            !run.stdout.contains(key) && !run.stderr.contains(key),
            "the key leaked: {run:?}"
        );
        run
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.root().join("repurpose.ledger")).unwrap_or_default()
    }

    fn edit(&self) {
        let post = POST.replace(
            "What do you watch for at low water?",
            "What do you watch for at low water, and why?",
        );
        std::fs::write(self.root().join("posts/tides.md"), post).unwrap();
    }
}

fn topics(server: &Server) -> Vec<Value> {
    server.state()["topics"].as_array().unwrap().clone()
}

fn posts(server: &Server) -> Vec<Value> {
    server.state()["posts"].as_array().unwrap().clone()
}

#[test]
fn create_then_unchanged_then_an_edit_updates_the_same_topic() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);

    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("posts/tides.md  forum  create      a new topic"),
        "{plan:?}"
    );
    assert!(topics(&server).is_empty(), "--plan sends nothing");
    assert!(project.ledger().is_empty(), "--plan records nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let topics_now = topics(&server);
    assert_eq!(topics_now.len(), 1, "{topics_now:#?}");
    let topic = &topics_now[0];
    assert_eq!(topic["title"], "Reading the tides");
    assert_eq!(topic["external_id"], "repurpose-tides");
    assert_eq!(topic["category_id"], 7);
    let post = &posts(&server)[0];
    let raw = post["raw"].as_str().unwrap();
    assert!(
        raw.starts_with("The moon pulls, *the water follows*."),
        "{raw}"
    );
    assert!(!raw.starts_with("---"), "no front matter: {raw}");
    let url = format!("{}/t/reading-the-tides/{}", server.url, topic["id"]);
    assert!(
        publish
            .stdout
            .contains(&format!("created posts/tides.md → forum: {url}")),
        "{publish:?}"
    );

    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("forum  unchanged"), "{again:?}");
    // What the forum holds (its title capitalised, its body trimmed) is what was recorded.
    assert!(!again.stdout.contains("edited on the site"), "{again:?}");
    assert_eq!(server.requests("POST", "/posts.json"), 1);
    assert_eq!(
        server.requests("PUT", &format!("/posts/{}.json", post["id"])),
        0
    );

    project.edit();
    let status = project.run(&["status"]);
    assert!(
        status
            .stdout
            .contains("posts/tides.md  forum  stale            the post changed since"),
        "{status:?}"
    );
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout.contains(&format!(
            "update      topic {}: the post changed since",
            post["id"]
        )),
        "{plan:?}"
    );
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    let after = posts(&server);
    assert_eq!(after.len(), 1, "updated in place: {after:#?}");
    assert_eq!(after[0]["id"], post["id"]);
    assert_eq!(after[0]["version"], 2);
    assert!(
        after[0]["raw"]
            .as_str()
            .unwrap()
            .contains("low water, and why?")
    );
    assert_eq!(server.requests("POST", "/posts.json"), 1);
    let status = project.run(&["status", "--json"]);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    assert_eq!(rows[0]["id"], post["id"].to_string());
    assert!(!project.ledger().contains(KEY));
}

#[test]
fn an_answer_lost_after_the_forum_stored_the_topic_does_not_duplicate_it() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    server.faults(&json!({"drop_after_store_on": 1}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(topics(&server).len(), 1);
    assert_eq!(server.requests("POST", "/posts.json"), 1);
    let id = posts(&server)[0]["id"].to_string();
    assert!(
        project
            .ledger()
            .contains(&format!("\"action\":\"found\",\"id\":\"{id}\"")),
        "{}",
        project.ledger()
    );
    let again = project.run(&["publish", "posts/tides.md"]);
    assert!(again.stdout.contains("forum  unchanged"), "{again:?}");
}

#[test]
fn a_lost_ledger_finds_the_topic_by_its_external_id() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let id = posts(&server)[0]["id"].clone();
    std::fs::remove_file(project.root().join("repurpose.ledger")).unwrap();
    project.edit();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(
        plan.stdout.contains(&format!(
            "update      topic {id} found on the site (the ledger has no record of it)"
        )),
        "{plan:?}"
    );
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(topics(&server).len(), 1, "no duplicate");
    assert_eq!(server.requests("POST", "/posts.json"), 1);
    assert!(
        posts(&server)[0]["raw"]
            .as_str()
            .unwrap()
            .contains("and why?")
    );
}

#[test]
fn an_edit_made_on_the_forum_is_not_overwritten_unless_asked() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let id = posts(&server)[0]["id"].clone();
    server.site(&json!({"action": "edit_post", "post_id": id, "raw": "A moderator's own words, long enough."}));
    project.edit();
    let plan = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(
        plan.stdout.contains("was edited on the site since"),
        "{plan:?}"
    );
    assert!(
        posts(&server)[0]["raw"]
            .as_str()
            .unwrap()
            .starts_with("A moderator's")
    );
    let overwrite = project.run(&["publish", "posts/tides.md", "--overwrite"]);
    assert_eq!(overwrite.code, 0, "{overwrite:?}");
    assert!(
        posts(&server)[0]["raw"]
            .as_str()
            .unwrap()
            .contains("and why?")
    );
}

#[test]
fn an_answer_too_slow_for_the_timeout_does_not_duplicate_the_topic() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    server.faults(&json!({"slow_on": 1, "slow_seconds": 3}));
    let args = ["publish", "posts/tides.md"];
    let publish = project.run_env(&args, KEY, &[("REPURPOSE_TIMEOUT", "1")]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(topics(&server).len(), 1);
    assert_eq!(server.requests("POST", "/posts.json"), 1);
    assert!(project.ledger().contains("\"action\":\"found\""));
}

#[test]
fn a_rate_limit_is_waited_out() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    server.faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(server.requests("POST", "/posts.json"), 2);
    assert_eq!(topics(&server).len(), 1);
}

#[test]
fn a_server_error_is_reported_and_the_next_run_creates_the_topic_once() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    server.faults(&json!({"error_500_on": 1}));
    let failed = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(failed.code, 1, "{failed:?}");
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        said.contains(&format!(
            "creating the topic `repurpose-tides` on Discourse at {}/: 500 Internal Server Error",
            server.url
        )),
        "{failed:?}"
    );
    assert!(topics(&server).is_empty());
    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(topics(&server).len(), 1);
}

#[test]
fn a_wrong_key_makes_the_target_impossible_without_printing_the_key() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    let wrong = "not-the-key-3a9";
    let run = project.run_with_key(&["publish", "posts/tides.md"], wrong);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("forum  impossible  checking the login on Discourse"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("The API username or key is invalid"),
        "{run:?}"
    );
    assert!(topics(&server).is_empty());
    assert!(project.ledger().is_empty());
}

#[test]
fn a_ledger_pointed_at_another_forum_never_overwrites_the_topic_there_with_that_id() {
    let (Some(a), Some(b)) = (discourse::start(), discourse::start()) else {
        return;
    };
    let project = Project::new(&a);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    // On forum B, someone else's topic holds the same post id.
    let other = Project::new(&b);
    std::fs::write(
        other.root().join("posts/tides.md"),
        POST.replace(
            "title: Reading the tides",
            "title: A stranger's topic here\nslug: stranger",
        )
        .replace("The moon pulls", "Someone else wrote this"),
    )
    .unwrap();
    assert_eq!(other.run(&["publish", "posts/tides.md"]).code, 0);
    let before = posts(&b);
    // The project now points at forum B (staging, then production), its ledger kept.
    let yaml = std::fs::read_to_string(project.root().join("repurpose.yaml")).unwrap();
    std::fs::write(
        project.root().join("repurpose.yaml"),
        yaml.replace(&a.url, &b.url),
    )
    .unwrap();
    project.edit();
    let run = project.run(&["publish", "--overwrite"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("is not the one the ledger recorded for this post"),
        "{run:?}"
    );
    assert_eq!(posts(&b), before, "the stranger's topic is untouched");
}

#[test]
fn images_are_uploaded_once_and_the_topic_refers_to_their_short_urls() {
    let Some(server) = discourse::start() else {
        return;
    };
    let project = Project::new(&server);
    let picture = image::RgbImage::from_fn(320, 200, |x, _| image::Rgb([(x % 256) as u8, 80, 40]));
    std::fs::create_dir(project.root().join("posts/img")).unwrap();
    picture
        .save(project.root().join("posts/img/chart.png"))
        .unwrap();
    let with_image =
        |post: &str| format!("{post}\n![Tide heights at the harbour](img/chart.png)\n");
    std::fs::write(project.root().join("posts/tides.md"), with_image(POST)).unwrap();
    let uploads = |server: &Server| server.state()["uploads"].as_array().unwrap().clone();

    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("a new topic; upload 1 image (chart-"),
        "{plan:?}"
    );
    assert!(uploads(&server).is_empty(), "--plan uploads nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let held = uploads(&server);
    assert_eq!(held.len(), 1, "{held:?}");
    let short_url = held[0]["short_url"].as_str().unwrap();
    let raw = posts(&server)[0]["raw"].as_str().unwrap().to_string();
    assert!(
        raw.contains(short_url),
        "the topic refers to the upload: {raw}"
    );
    assert!(!raw.contains("repurpose.invalid"), "{raw}");
    assert!(raw.contains("Tide heights at the harbour"), "{raw}");
    assert_eq!(project.ledger().matches("\"event\":\"media\"").count(), 1);

    let status = project.run(&["status", "--json"]);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    let again = project.run(&["publish"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("unchanged"), "{again:?}");
    assert_eq!(
        server.requests("POST", "/uploads.json"),
        1,
        "a re-run uploads nothing"
    );

    // An edit sends the topic again, not the image.
    let edited = POST.replace("low water?", "low water, and why?");
    std::fs::write(project.root().join("posts/tides.md"), with_image(&edited)).unwrap();
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(server.requests("POST", "/uploads.json"), 1);
    let raw = posts(&server)[0]["raw"].as_str().unwrap().to_string();
    assert!(raw.contains("and why?") && raw.contains(short_url), "{raw}");
    assert_eq!(topics(&server).len(), 1);
}
