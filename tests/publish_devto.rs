//! `repurpose publish` to a dev.to target, against tests/servers/devto_server.py (a small
//! Forem that follows the API v1 reference): create, a re-run that creates nothing, an edit
//! updating the article in place (and never its `published`), a lost answer or a lost ledger
//! that must not duplicate, a 429 waited out, a 500 that a later run makes good, a wrong key.

#![allow(clippy::unwrap_used)]

#[path = "support/devto.rs"]
mod devto;
#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::Command;

use devto::{KEY, Server};
use run::Run;
use serde_json::{Value, json};

const POST: &str = "---\ntitle: Reading the tides\nsummary: Why the harbour empties twice a day.\ndate: 2026-11-30\ntags: [sea, Field-Notes, moon, tides, harbour]\n---\nThe moon pulls, *the water follows*.\n\n## Low water\n\nWhat do you watch for at low water?\n";

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(server: &Server, published: bool) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\npublish:\n  dev:\n    service: devto\n    url: {}\n    token_env: TEST_DEVTO_KEY\n    published: {published}\n",
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
            .env("TEST_DEVTO_KEY", key)
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

fn articles(server: &Server) -> Vec<Value> {
    server.state()["articles"].as_array().unwrap().clone()
}

fn creates(server: &Server) -> usize {
    server.requests("POST", "/api/articles")
}

#[test]
fn create_then_unchanged_then_an_edit_updates_the_same_article() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);

    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains(
            "posts/tides.md  dev  create      a new article; dev.to takes at most 4 tags of \
             lowercase letters and digits: sent `Field-Notes` as `fieldnotes`; left out `harbour`"
        ),
        "{plan:?}"
    );
    assert!(articles(&server).is_empty(), "--plan sends nothing");
    assert!(project.ledger().is_empty(), "--plan records nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let held = articles(&server);
    assert_eq!(held.len(), 1, "{held:#?}");
    let article = &held[0];
    assert_eq!(article["title"], "Reading the tides");
    assert_eq!(
        article["published"], false,
        "a draft unless the config says so"
    );
    assert_eq!(
        article["canonical_url"],
        "https://letters.example.org/tides/"
    );
    assert_eq!(
        article["description"],
        "Why the harbour empties twice a day."
    );
    // Four tags of lowercase letters and digits, as Forem takes them; the fifth left out.
    assert_eq!(
        article["tags"],
        json!(["sea", "fieldnotes", "moon", "tides"])
    );
    let body = article["body_markdown"].as_str().unwrap();
    assert!(!body.starts_with("---"), "no front matter: {body}");
    assert!(body.ends_with("<!-- repurpose:tides -->\n"), "{body}");
    assert!(
        publish.stdout.contains(&format!(
            "created posts/tides.md → dev: {}",
            article["url"].as_str().unwrap()
        )),
        "{publish:?}"
    );

    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("dev  unchanged"), "{again:?}");
    assert!(!again.stdout.contains("edited on the site"), "{again:?}");
    assert_eq!(creates(&server), 1);
    assert_eq!(
        server.requests("PUT", &format!("/api/articles/{}", article["id"])),
        0
    );

    project.edit();
    let status = project.run(&["status"]);
    assert!(
        status
            .stdout
            .contains("posts/tides.md  dev  stale            the post changed since"),
        "{status:?}"
    );
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout.contains(&format!(
            "update      article {}: the post changed since",
            article["id"]
        )),
        "{plan:?}"
    );
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    let after = articles(&server);
    assert_eq!(after.len(), 1, "updated in place: {after:#?}");
    assert_eq!(after[0]["id"], article["id"]);
    assert!(
        after[0]["body_markdown"]
            .as_str()
            .unwrap()
            .contains("low water, and why?")
    );
    assert_eq!(creates(&server), 1);
    let status = project.run(&["status", "--json"]);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    assert_eq!(rows[0]["id"], article["id"].to_string());
    assert!(!project.ledger().contains(KEY));
}

#[test]
fn an_update_leaves_published_as_the_writer_set_it_on_the_site() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, true);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let article = articles(&server)[0].clone();
    assert_eq!(article["published"], true);
    server.site(&json!({"action": "edit_article", "id": article["id"], "published": false}));
    project.edit();
    let update = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(update.code, 0, "{update:?}");
    let after = &articles(&server)[0];
    assert_eq!(after["published"], false, "unpublished by hand, left so");
    assert!(
        after["body_markdown"]
            .as_str()
            .unwrap()
            .contains("and why?")
    );
}

#[test]
fn an_answer_lost_after_the_site_stored_the_article_does_not_duplicate_it() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    server.faults(&json!({"drop_after_store_on": 1}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(articles(&server).len(), 1);
    assert_eq!(creates(&server), 1);
    let id = articles(&server)[0]["id"].to_string();
    assert!(
        project
            .ledger()
            .contains(&format!("\"action\":\"found\",\"id\":\"{id}\"")),
        "{}",
        project.ledger()
    );
    let again = project.run(&["publish", "posts/tides.md"]);
    assert!(again.stdout.contains("dev  unchanged"), "{again:?}");
}

#[test]
fn a_lost_ledger_finds_the_article_by_its_mark() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let id = articles(&server)[0]["id"].clone();
    std::fs::remove_file(project.root().join("repurpose.ledger")).unwrap();
    project.edit();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(
        plan.stdout.contains(&format!(
            "update      article {id} found on the site (the ledger has no record of it)"
        )),
        "{plan:?}"
    );
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(articles(&server).len(), 1, "no duplicate");
    assert_eq!(creates(&server), 1);
    assert!(
        articles(&server)[0]["body_markdown"]
            .as_str()
            .unwrap()
            .contains("and why?")
    );
}

#[test]
fn an_answer_too_slow_for_the_timeout_does_not_duplicate_the_article() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    server.faults(&json!({"slow_on": 1, "slow_seconds": 3}));
    let args = ["publish", "posts/tides.md"];
    let publish = project.run_env(&args, KEY, &[("REPURPOSE_TIMEOUT", "1")]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(articles(&server).len(), 1);
    assert_eq!(creates(&server), 1);
    assert!(project.ledger().contains("\"action\":\"found\""));
}

#[test]
fn a_rate_limit_is_waited_out() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    server.faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(creates(&server), 2);
    assert_eq!(articles(&server).len(), 1);
}

#[test]
fn a_server_error_is_reported_and_the_next_run_creates_the_article_once() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    server.faults(&json!({"error_500_on": 1}));
    let failed = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(failed.code, 1, "{failed:?}");
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        said.contains(&format!(
            "creating the article `tides` on dev.to at {}/: 500 Internal Server Error",
            server.url
        )),
        "{failed:?}"
    );
    assert!(articles(&server).is_empty());
    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(articles(&server).len(), 1);
}

#[test]
fn a_wrong_key_makes_the_target_impossible_without_printing_the_key() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    let wrong = "not-the-key-3a9";
    let run = project.run_with_key(&["publish", "posts/tides.md"], wrong);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("dev  impossible  checking the login on dev.to"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("401 Unauthorized: unauthorized"),
        "{run:?}"
    );
    assert!(articles(&server).is_empty());
    assert!(project.ledger().is_empty());
}

#[test]
fn an_article_whose_mark_was_edited_away_on_the_site_is_still_updated_with_overwrite() {
    let Some(server) = devto::start() else {
        return;
    };
    let project = Project::new(&server, false);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let article = articles(&server)[0].clone();
    let body = article["body_markdown"].as_str().unwrap();
    let without_mark: String = body
        .lines()
        .filter(|l| !l.contains("repurpose:"))
        .collect::<Vec<_>>()
        .join("\n");
    server.site(
        &json!({"action": "edit_article", "id": article["id"], "body_markdown": without_mark}),
    );
    project.edit();
    let update = project.run(&["publish", "posts/tides.md", "--overwrite"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(articles(&server).len(), 1);
    assert!(
        articles(&server)[0]["body_markdown"]
            .as_str()
            .unwrap()
            .contains("and why?")
    );
}

#[test]
fn images_are_linked_where_the_site_serves_them_and_without_an_address_the_article_waits() {
    let Some(server) = devto::start() else { return };
    let project = Project::new(&server, false);
    let picture = image::RgbImage::from_fn(64, 48, |x, _| image::Rgb([(x % 256) as u8, 80, 40]));
    std::fs::create_dir(project.root().join("posts/img")).unwrap();
    picture
        .save(project.root().join("posts/img/chart.png"))
        .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!("{POST}\n![Tide heights](img/chart.png)\n"),
    )
    .unwrap();

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let body = articles(&server)[0]["body_markdown"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        body.contains("](https://letters.example.org/tides/media/chart-"),
        "{body}"
    );
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(plan.stdout.contains("unchanged"), "{plan:?}");
    assert!(
        plan.stdout
            .contains("; its images are linked at https://letters.example.org/tides/media/"),
        "{plan:?}"
    );

    // Without `site.url` (or `site.media_url`) nothing could load them.
    let config = project.root().join("repurpose.yaml");
    let yaml = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        yaml.replace("site:\n  url: https://letters.example.org\n", ""),
    )
    .unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(
        plan.stdout.contains("impossible")
            && plan.stdout.contains("set `site.media_url` (or `site.url`)"),
        "{plan:?}"
    );
}
