//! `repurpose publish` to a Mastodon target, against the Mastodon stand-in on 127.0.0.1
//! (tests/servers/mastodon_server.py), read back through its state: create, unchanged,
//! edit → update in place, a thread stopped at part k (a 500, a killed run) that resumes at
//! k, a 429 waited out, a lost answer that must not duplicate, a wrong token. Skips where
//! python3 or its `regex` package is missing, unless `REPURPOSE_REQUIRE_SERVERS` is set.

#![allow(clippy::unwrap_used)]

#[path = "support/mastodon.rs"]
mod mastodon;
#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mastodon::{MastodonServer, Options, TOKEN};
use run::Run;
use serde_json::{Value, json};

/// Twelve sentences and a long link: five parts at 200 characters a status.
fn post(edit: &str) -> String {
    let mut body: Vec<String> = (0..12)
        .map(|i| format!("Sentence number {i} is about the tides and the moon."))
        .collect();
    if !edit.is_empty() {
        body[4] = edit.to_string();
    }
    format!(
        "---\ntitle: Reading the tides\ndate: 2026-11-30\n---\n{}\n\nMore at https://example.com/{}\n",
        body.join(" "),
        "x".repeat(200)
    )
}

const PARTS: usize = 5;

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(server: &MastodonServer) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\npublish:\n  toot:\n    service: mastodon\n    url: {}\n    token_env: TEST_MASTODON_TOKEN\n    visibility: unlisted\n",
                server.url()
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("posts/tides.md"), post("")).unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str], token: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_repurpose"));
        command
            .args(args)
            .current_dir(self.root())
            .env("TEST_MASTODON_TOKEN", token)
            .env("NO_COLOR", "1");
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args, TOKEN).output().unwrap())
    }

    fn edit(&self, sentence: &str) {
        std::fs::write(self.root().join("posts/tides.md"), post(sentence)).unwrap();
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.root().join("repurpose.ledger")).unwrap_or_default()
    }
}

/// A server whose statuses take 200 characters, so the post makes a thread of five.
fn start() -> Option<MastodonServer> {
    mastodon::start_with(Options {
        max_characters: 200,
        ..Options::default()
    })
}

/// Asserts the server holds exactly one thread of `n` statuses, in order, each replying to
/// the one before; returns them.
fn one_thread(server: &MastodonServer, n: usize) -> Vec<Value> {
    let statuses = server.statuses();
    assert_eq!(statuses.len(), n, "{statuses:#?}");
    for (i, status) in statuses.iter().enumerate() {
        let parent = match i {
            0 => Value::Null,
            _ => statuses[i - 1]["id"].clone(),
        };
        assert_eq!(status["in_reply_to_id"], parent, "part {}", i + 1);
        assert_eq!(status["visibility"], "unlisted");
    }
    assert!(
        statuses[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("Reading the tides")
    );
    assert!(
        statuses[n - 1]["text"]
            .as_str()
            .unwrap()
            .contains("https://example.com/xxx"),
        "{statuses:#?}"
    );
    statuses
}

/// The ledger's `part` lines' actions, in order.
fn part_actions(project: &Project) -> Vec<String> {
    project
        .ledger()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| event["event"] == "part")
        .map(|event| event["action"].as_str().unwrap().to_string())
        .collect()
}

/// The requests that create or change something.
fn writes(server: &MastodonServer) -> Vec<String> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("POST") || r.starts_with("PUT"))
        .collect()
}

#[test]
fn create_then_unchanged_then_an_edit_updates_the_thread_in_place() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("posts/tides.md  toot  create      a thread of 5 parts"),
        "{plan:?}"
    );
    assert!(server.statuses().is_empty(), "--plan sends nothing");
    assert!(project.ledger().is_empty(), "--plan records nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let statuses = one_thread(&server, PARTS);
    let first_url = statuses[0]["url"].as_str().unwrap();
    assert!(
        publish
            .stdout
            .contains(&format!("created posts/tides.md → toot: {first_url}")),
        "{publish:?}"
    );
    // Every create carried its own key, and Mastodon held each status's text as sent.
    let keys: Vec<Value> = server.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/api/v1/statuses")
        .map(|r| r["idempotency_key"].clone())
        .collect();
    assert_eq!(keys.len(), PARTS);
    assert!(keys.iter().all(Value::is_string), "{keys:?}");
    let distinct: std::collections::BTreeSet<String> = keys.iter().map(Value::to_string).collect();
    assert_eq!(distinct.len(), PARTS);

    let before = writes(&server).len();
    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("toot  unchanged"), "{again:?}");
    assert_eq!(writes(&server).len(), before, "a re-run creates nothing");
    let status = project.run(&["status"]);
    assert!(
        status.stdout.contains("posts/tides.md  toot  current"),
        "{status:?}"
    );

    project.edit("Sentence number 4 now says the water turns twice a day.");
    let plan = project.run(&["publish", "--plan"]);
    assert!(plan.stdout.contains("toot  update"), "{plan:?}");
    assert!(plan.stdout.contains("edit part 2 in place"), "{plan:?}");
    let status = project.run(&["status"]);
    assert!(status.stdout.contains("toot  stale"), "{status:?}");
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    let after = one_thread(&server, PARTS);
    let ids = |s: &[Value]| s.iter().map(|s| s["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&after), ids(&statuses), "edited in place, same ids");
    assert!(
        after[1]["text"]
            .as_str()
            .unwrap()
            .contains("the water turns twice a day"),
        "{after:#?}"
    );
    assert!(after[1]["edited_at"].is_string());
    assert!(
        after[0]["edited_at"].is_null(),
        "unchanged parts are left alone"
    );
    assert_eq!(
        writes(&server)[before..],
        [format!(
            "PUT /api/v1/statuses/{}",
            after[1]["id"].as_str().unwrap()
        )]
    );
    assert!(!project.ledger().contains(TOKEN));
}

#[test]
fn a_thread_stopped_by_a_500_at_part_3_resumes_at_3() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    server.set_faults(&json!({"error_500_on": 3}));
    let first = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(first.code, 1, "{first:?}");
    assert!(
        first.stderr.contains("posting part 3 of 5")
            && first.stderr.contains("500 Internal Server Error"),
        "{first:?}"
    );
    assert_eq!(server.statuses().len(), 2);

    let plan = project.run(&["publish", "--plan"]);
    assert!(plan.stdout.contains("toot  resume"), "{plan:?}");
    assert!(plan.stdout.contains("parts 3–5 of 5 left"), "{plan:?}");
    let resume = project.run(&["publish", "--json"]);
    assert_eq!(resume.code, 0, "{resume:?}");
    let report: Value = serde_json::from_str(&resume.stdout).unwrap();
    assert_eq!(report["sent"], true, "{report:#}");
    assert_eq!(report["steps"][0]["performed"], "resume", "{report:#}");
    one_thread(&server, PARTS);
}

#[test]
fn json_says_a_thread_that_failed_half_way_sent_something() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    server.set_faults(&json!({"error_500_on": 3}));
    let run = project.run(&["publish", "posts/tides.md", "--json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["sent"], true, "{report:#}");
    assert_eq!(report["steps"][0]["result"], "failed", "{report:#}");
    assert_eq!(report["steps"][0]["performed"], "create", "{report:#}");
}

#[test]
fn a_run_killed_after_part_3_was_stored_resumes_without_posting_it_twice() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    // Part 3 is stored, then its answer hangs: the run is killed while it waits.
    server.set_faults(&json!({"slow_on": 3, "slow_seconds": 30}));
    let mut child = project
        .command(&["publish", "posts/tides.md"], TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.statuses().len() < 3 {
        assert!(Instant::now() < deadline, "part 3 was never stored");
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(project.ledger().contains(r#""event":"attempt""#));

    server.set_faults(&json!({}));
    let plan = project.run(&["publish", "--plan"]);
    assert!(plan.stdout.contains("parts 3–5 of 5 left"), "{plan:?}");
    let resume = project.run(&["publish"]);
    assert_eq!(resume.code, 0, "{resume:?}");
    one_thread(&server, PARTS);
    assert_eq!(
        part_actions(&project),
        ["create", "create", "found", "create", "create"]
    );
}

#[test]
fn a_429_is_waited_out() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    server.set_faults(&json!({"rate_limit_on": 2, "retry_after": 1}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    one_thread(&server, PARTS);
    assert_eq!(
        writes(&server).len(),
        PARTS + 1,
        "part 2 sent twice, stored once"
    );
}

#[test]
fn an_answer_lost_after_the_server_stored_a_part_does_not_duplicate_it() {
    for part in [1, 4] {
        let Some(server) = start() else {
            return;
        };
        let project = Project::new(&server);
        server.set_faults(&json!({"drop_after_store_on": part}));
        let publish = project.run(&["publish", "posts/tides.md"]);
        assert_eq!(publish.code, 0, "part {part}: {publish:?}");
        one_thread(&server, PARTS);
        let mut expected = vec!["create"; PARTS];
        expected[part - 1] = "found";
        assert_eq!(part_actions(&project), expected, "part {part}");
    }
}

#[test]
fn an_answer_slower_than_the_timeout_is_looked_up_not_posted_again() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    server.set_faults(&json!({"slow_on": 2, "slow_seconds": 4}));
    let out = project
        .command(&["publish", "posts/tides.md"], TOKEN)
        .env("REPURPOSE_TIMEOUT", "1")
        .output()
        .unwrap();
    let publish = Run::from(out);
    assert_eq!(publish.code, 0, "{publish:?}");
    one_thread(&server, PARTS);
    assert_eq!(
        part_actions(&project),
        ["create", "found", "create", "create", "create"]
    );
}

#[test]
fn a_wrong_token_is_a_clear_error_that_never_shows_it() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    let wrong = "not-the-token-8c1e5f";
    let run = Run::from(
        project
            .command(&["publish", "posts/tides.md"], wrong)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("toot  impossible"), "{run:?}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("The access token is invalid") && all.contains("TEST_MASTODON_TOKEN"),
        "{run:?}"
    );
    assert!(!all.contains(wrong), "{run:?}");
    assert!(server.statuses().is_empty());
    assert!(!project.root().join("repurpose.ledger").exists());
}

#[test]
fn a_longer_thread_adds_parts_at_the_end_and_a_shorter_one_deletes_nothing() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    let first = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(first.code, 0, "{first:?}");
    let long = "It goes on. ".repeat(30);
    project.edit(long.trim());
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout.contains("toot  update") && plan.stdout.contains("; add part"),
        "{plan:?}"
    );
    let before = server.statuses();
    let publish = project.run(&["publish"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let statuses = server.statuses();
    assert!(statuses.len() > PARTS, "{statuses:#?}");
    let grown = one_thread(&server, statuses.len());
    for (old, now) in before.iter().zip(&grown) {
        assert_eq!(old["id"], now["id"], "the first parts are edited in place");
    }

    project.edit("");
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout
            .contains("no longer in the thread: repurpose never deletes"),
        "{plan:?}"
    );
    let publish = project.run(&["publish"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(server.statuses().len(), grown.len(), "nothing deleted");
    assert!(
        !server.requests().iter().any(|r| r.starts_with("DELETE")),
        "{:?}",
        server.requests()
    );
}

#[test]
fn a_thread_of_emoji_cjk_combining_marks_and_long_links_is_cut_as_the_server_counts() {
    let Some(server) = mastodon::start_with(Options {
        max_characters: 120,
        ..Options::default()
    }) else {
        return;
    };
    let project = Project::new(&server);
    let mut body = String::new();
    for i in 0..6 {
        body.push_str(&format!(
            "👩‍👩‍👧‍👦👍🏽🇫🇷🏳️‍🌈 family {i}, see https://example.com/{i}/{} then e\u{301}a\u{308}Z\u{351}\u{36b}. ",
            "long-path-".repeat(30)
        ));
        body.push_str(
            "日本語の文章は空白なしで続きます。句読点で区切られます。潮の満ち引きについて。",
        );
        body.push_str("\n\n");
    }
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!("---\ntitle: Reading the tides\ndate: 2026-11-30\n---\n{body}"),
    )
    .unwrap();
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "no part refused for length: {publish:?}");
    let statuses = server.statuses();
    assert!(statuses.len() > 6, "{}", statuses.len());
    // The long links went whole into parts (each counted 23, not its 300 characters).
    let whole = format!("https://example.com/3/{}", "long-path-".repeat(30));
    assert!(
        statuses
            .iter()
            .any(|s| s["text"].as_str().unwrap().contains(&whole)),
        "{statuses:#?}"
    );
    // Every create was accepted the first time: one POST a status.
    assert_eq!(writes(&server).len(), statuses.len());
}

#[test]
fn a_target_renamed_in_the_configuration_does_not_post_its_threads_again() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    one_thread(&server, PARTS);
    // A ledger written before part lines named their service is read the same.
    let ledger = project.ledger().replace("\"service\":\"mastodon\",", "");
    std::fs::write(project.root().join("repurpose.ledger"), ledger).unwrap();
    let yaml = std::fs::read_to_string(project.root().join("repurpose.yaml")).unwrap();
    std::fs::write(
        project.root().join("repurpose.yaml"),
        yaml.replace("  toot:\n", "  mastodon:\n"),
    )
    .unwrap();
    let run = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("by the target `toot`, which repurpose.yaml no longer names: if `mastodon` is that target renamed, give it its old name back"),
        "{run:?}"
    );
    one_thread(&server, PARTS);
}

#[test]
fn a_thread_that_lost_parts_says_so_in_status_as_the_plan_does() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    // The post loses its last paragraphs: the thread is shorter than what was posted.
    let short = format!(
        "---\ntitle: Reading the tides\ndate: 2026-11-30\n---\nSentence number 0 is about the tides.\n\nMore at https://example.com/{}\n",
        "x".repeat(200)
    );
    std::fs::write(project.root().join("posts/tides.md"), short).unwrap();
    assert_eq!(project.run(&["publish"]).code, 0);
    let status = project.run(&["status"]);
    assert!(status.stdout.contains("current"), "{status:?}");
    assert!(
        status
            .stdout
            .contains("posted before, no longer in the thread"),
        "{status:?}"
    );
}

#[test]
fn a_new_target_on_another_instance_posts_the_thread_there() {
    let (Some(old), Some(new)) = (start(), start()) else {
        return;
    };
    let project = Project::new(&old);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    // The writer moves to another instance: the old target goes, a new one comes.
    let yaml = std::fs::read_to_string(project.root().join("repurpose.yaml")).unwrap();
    std::fs::write(
        project.root().join("repurpose.yaml"),
        yaml.replace("  toot:\n", "  moved:\n")
            .replace(&old.url(), &new.url()),
    )
    .unwrap();
    let run = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(run.code, 0, "{run:?}");
    one_thread(&new, PARTS);
}

#[test]
fn an_instance_raising_its_limit_does_not_recut_the_threads_it_holds() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    server.set_instance(&json!({"max_characters": 500}));
    let plan = project.run(&["publish", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.stdout.contains("toot  unchanged"), "{plan:?}");
    let status = project.run(&["status"]);
    assert!(status.stdout.contains("current"), "{status:?}");
}

#[test]
fn a_run_stopped_at_part_1_is_still_known_with_no_post_named() {
    let Some(server) = start() else {
        return;
    };
    let project = Project::new(&server);
    server.set_faults(&json!({"error_500_on": 1}));
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 1);
    // Only the attempt line: no part was recorded.
    assert!(!project.ledger().contains("\"event\":\"part\""));
    let status = project.run(&["status"]);
    assert!(
        status.stdout.contains("posts/tides.md  toot  incomplete"),
        "{status:?}"
    );
    let run = project.run(&["publish"]);
    assert_eq!(run.code, 0, "{run:?}");
    one_thread(&server, PARTS);
}

/// A post showing one image (the repository's chart) between two paragraphs.
fn with_image(project: &Project, alt: &str) {
    let img = project.root().join("posts/img");
    std::fs::create_dir_all(&img).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/images/chart.png"),
        img.join("chart.png"),
    )
    .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!(
            "---\ntitle: Reading the tides\ndate: 2026-11-30\n---\nThe tides rose all week.\n\n![{alt}](img/chart.png)\n\nThat is all for now.\n"
        ),
    )
    .unwrap();
}

fn uploads(server: &MastodonServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| *r == "POST /api/v2/media")
        .count()
}

#[test]
fn an_image_is_uploaded_once_and_attached_to_the_status_that_shows_it() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    with_image(&project, "A chart of the tides");
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.stdout.contains("upload 1 image"), "{plan:?}");
    assert_eq!(uploads(&server), 0, "--plan uploads nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let media = server.media();
    assert_eq!(
        media.len(),
        1,
        "{media:?} {publish:?} {:?}",
        server.statuses()
    );
    assert_eq!(media[0]["description"], "A chart of the tides");
    assert_eq!(media[0]["mime_type"], "image/png");
    let statuses = server.statuses();
    let showing: Vec<&Value> = statuses
        .iter()
        .filter(|s| s["text"].as_str().unwrap().contains("/tides/media/chart-"))
        .collect();
    assert_eq!(showing.len(), 1, "{statuses:?}");
    assert_eq!(media[0]["status_id"], showing[0]["id"]);
    assert_eq!(showing[0]["media_ids"], json!([media[0]["id"]]));
    assert!(
        project.ledger().contains(r#""event":"media""#),
        "{}",
        project.ledger()
    );

    // A run again sends nothing and uploads nothing.
    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(uploads(&server), 1);
    assert_eq!(server.statuses().len(), statuses.len());
}

#[test]
fn an_edited_part_keeps_its_attachment_and_a_changed_image_is_uploaded_anew() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    with_image(&project, "A chart of the tides");
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    let first = server.media();
    assert_eq!(first.len(), 1);

    // The text changes, the image does not: the status is edited, its attachment sent
    // again, nothing uploaded.
    let post = project.root().join("posts/tides.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text.replace("all week", "all month")).unwrap();
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(uploads(&server), 1, "{update:?}");
    let statuses = server.statuses();
    assert_eq!(statuses.len(), 1);
    assert!(statuses[0]["text"].as_str().unwrap().contains("all month"));
    assert_eq!(statuses[0]["media_ids"], json!([first[0]["id"]]));

    // A new image (new bytes, so a new file name in the text): uploaded and attached.
    let img = project.root().join("posts/img/chart.png");
    let mut chart = image::open(&img).unwrap().to_rgb8();
    chart.put_pixel(0, 0, image::Rgb([1, 2, 3]));
    chart.save(&img).unwrap();
    let update = project.run(&["publish"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(uploads(&server), 2, "{update:?}");
    let media = server.media();
    assert_eq!(server.statuses()[0]["media_ids"], json!([media[1]["id"]]));
    assert_eq!(media[1]["description"], "A chart of the tides");
}

#[test]
fn a_part_showing_five_images_carries_four_and_the_plan_says_so() {
    let Some(server) = mastodon::start_with(Options {
        max_characters: 5000,
        ..Options::default()
    }) else {
        return;
    };
    let project = Project::new(&server);
    let img = project.root().join("posts/img");
    std::fs::create_dir_all(&img).unwrap();
    let mut body = String::new();
    for i in 0..5u8 {
        image::RgbImage::from_pixel(4, 4, image::Rgb([i * 40, 10, 10]))
            .save(img.join(format!("c{i}.png")))
            .unwrap();
        body.push_str(&format!("![Chart {i}](img/c{i}.png)\n\n"));
    }
    std::fs::write(
        project.root().join("posts/tides.md"),
        format!("---\ntitle: Five charts\ndate: 2026-11-30\n---\n{body}"),
    )
    .unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(plan.stdout.contains("upload 4 images"), "{plan:?}");
    assert!(
        plan.stdout
            .contains("part 1 shows 5 images and the network takes 4 a post: the rest stay links"),
        "{plan:?}"
    );
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let media = server.media();
    let described: Vec<&str> = media
        .iter()
        .map(|m| m["description"].as_str().unwrap())
        .collect();
    assert_eq!(described, ["Chart 0", "Chart 1", "Chart 2", "Chart 3"]);
    assert_eq!(
        server.statuses()[0]["media_ids"].as_array().unwrap().len(),
        4
    );
}

#[test]
fn a_refused_upload_posts_nothing_and_a_lost_answer_is_uploaded_again_once() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    with_image(&project, "A chart of the tides");
    server.set_faults(&json!({"upload_error_500_on": 1}));
    let failed = project.run(&["publish", "posts/tides.md"]);
    assert_ne!(failed.code, 0, "{failed:?}");
    let said = format!("{}{}", failed.stdout, failed.stderr);
    assert!(
        said.contains("uploading the image chart-") && said.contains("500 Internal Server Error"),
        "{failed:?}"
    );
    assert!(server.statuses().is_empty(), "the part waits for its image");

    server.set_faults(&json!({"upload_drop_after_store_on": 1}));
    let publish = project.run(&["publish"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    // The lost upload stays on no status (Mastodon removes those after a day); the one sent
    // again is the one shown.
    let media = server.media();
    assert_eq!(media.len(), 2, "{media:?}");
    assert!(media[0]["status_id"].is_null());
    let statuses = server.statuses();
    assert_eq!(statuses.len(), 1);
    assert_eq!(statuses[0]["media_ids"], json!([media[1]["id"]]));
}

#[test]
fn an_svg_image_is_uploaded_as_png() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    let img = project.root().join("posts/img");
    std::fs::create_dir_all(&img).unwrap();
    std::fs::write(
        img.join("logo.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="teal"/></svg>"#,
    )
    .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        "---\ntitle: A logo\ndate: 2026-11-30\n---\nOur logo.\n\n![A teal bar](img/logo.svg)\n",
    )
    .unwrap();
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let media = server.media();
    assert_eq!(media.len(), 1, "{publish:?}");
    assert_eq!(media[0]["mime_type"], "image/png");
    assert!(
        media[0]["filename"].as_str().unwrap().ends_with(".png"),
        "{media:?}"
    );
    assert_eq!(media[0]["description"], "A teal bar");
}

#[test]
fn two_posts_showing_one_image_each_get_their_own_attachment() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    with_image(&project, "A chart of the tides");
    std::fs::write(
        project.root().join("posts/moon.md"),
        "---\ntitle: The moon\ndate: 2026-12-01\n---\nThe moon pulls.\n\n![The same chart](img/chart.png)\n",
    )
    .unwrap();
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    // An attachment is shown by one status only: the second post uploads its own.
    let plan = project.run(&["publish", "posts/moon.md", "--plan"]);
    assert!(plan.stdout.contains("upload 1 image"), "{plan:?}");
    let moon = project.run(&["publish", "posts/moon.md"]);
    assert_eq!(moon.code, 0, "{moon:?}");
    let media = server.media();
    assert_eq!(media.len(), 2, "{media:?}");
    assert_ne!(media[0]["status_id"], media[1]["status_id"]);
    assert_eq!(media[1]["description"], "The same chart");
}

#[test]
fn an_edited_alt_text_reaches_the_attachment() {
    let Some(server) = mastodon::start() else {
        return;
    };
    let project = Project::new(&server);
    with_image(&project, "A chart");
    assert_eq!(project.run(&["publish", "posts/tides.md"]).code, 0);
    with_image(&project, "A tide chart for March");
    let update = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(update.code, 0, "{update:?}");
    assert_eq!(uploads(&server), 1, "the same file: nothing uploaded");
    let media = server.media();
    assert_eq!(
        media[0]["description"], "A tide chart for March",
        "{media:?}"
    );
}
