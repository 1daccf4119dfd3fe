//! `repurpose publish` to a Bluesky target, against Bluesky's real reference PDS on
//! 127.0.0.1 (npm's `@atproto/pds`: tests/servers/pds), always through
//! tests/servers/fault_proxy.py, which forwards everything to it and counts the creates, and
//! makes the faults the PDS cannot (a 500, a dropped answer, a 429, a slow answer). What the
//! thread became is read back from the PDS itself. Skips where the PDS is not installed,
//! unless `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run).

#![allow(clippy::unwrap_used)]

#[path = "support/bluesky.rs"]
mod bluesky;
#[path = "support/run.rs"]
mod run;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bluesky::{Account, Pds, Proxy};
use run::Run;
use serde_json::{Value, json};

/// Four paragraphs of about 200 characters, with emoji, CJK and links: a thread of several
/// parts at Bluesky's 300.
const POST: &str = "---\ntitle: Reading the tides\ndate: 2026-11-30\n---\nThe moon pulls and the water follows 🌊🌕: twice a day the harbour empties, and the boats lie on their sides in the mud until the sea comes back for them. Nobody here finds it strange any more.\n\nThe tide tables are printed at https://tides.example.org/harbour?month=11 and pinned by the door 👨‍👩‍👧‍👦 of the café, where the fishermen read them over coffee before they decide anything at all.\n\n潮の満ち引きは月が決める。 In Japanese the word for tide is written with water and morning, which says most of what there is to say about it 🇯🇵. More at https://example.com/shio.\n\nWhat do you watch for at low water? Write to me and tell me: the best answers go in the next letter, with your name if you like, and a drawing of the harbour at dawn ✍🏽.\n";

struct Project {
    dir: tempfile::TempDir,
    pds: &'static Pds,
    proxy: Proxy,
    account: Account,
}

impl Project {
    /// A project with a Bluesky target `sky`, an account of its own on the shared PDS, through
    /// a fault proxy of its own; `None` where the PDS is not installed.
    fn new() -> Option<Project> {
        static ACCOUNTS: AtomicUsize = AtomicUsize::new(0);
        let pds = bluesky::shared()?;
        let n = ACCOUNTS.fetch_add(1, Ordering::Relaxed);
        let account = pds.account(&format!("ana{n}.test"));
        let proxy = pds.proxy();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\npublish:\n  sky:\n    service: bluesky\n    url: {}\n    handle: {}\n    password_env: TEST_BSKY_PASSWORD\n",
                proxy.url, account.handle
            ),
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("posts")).unwrap();
        std::fs::write(dir.path().join("posts/tides.md"), POST).unwrap();
        Some(Project {
            dir,
            pds,
            proxy,
            account,
        })
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_repurpose"));
        command
            .args(args)
            .current_dir(self.root())
            .env("TEST_BSKY_PASSWORD", &self.account.password)
            .env("NO_COLOR", "1");
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        let run = Run::from(self.command(args).output().unwrap());
        for secret in [self.account.password.as_str(), "eyJ"] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "a secret in the output: {run:?}"
            );
        }
        run
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.root().join("repurpose.ledger")).unwrap_or_default()
    }

    /// The account's posts on the PDS, oldest first.
    fn posts(&self) -> Vec<Value> {
        self.pds.posts(&self.account.did)
    }

    /// How many createRecord requests reached the proxy since the faults were last set.
    fn creates(&self) -> u64 {
        self.proxy.state()["creates"].as_u64().unwrap()
    }
}

/// Checks that `posts` are one thread of `texts.len()` parts, in order, each replying to
/// the one before with the first as root, holding `texts`.
#[track_caller]
fn assert_thread(posts: &[Value], texts: &[String]) {
    let got: Vec<&str> = posts
        .iter()
        .map(|p| p["value"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(got, texts, "the parts, in order");
    let strong = |p: &Value| json!({"uri": p["uri"], "cid": p["cid"]});
    for (i, post) in posts.iter().enumerate() {
        let reply = &post["value"]["reply"];
        if i == 0 {
            assert!(reply.is_null(), "the first part replies to nothing");
        } else {
            assert_eq!(reply["root"], strong(&posts[0]), "part {}'s root", i + 1);
            assert_eq!(
                reply["parent"],
                strong(&posts[i - 1]),
                "part {}'s parent",
                i + 1
            );
        }
    }
}

fn texts(posts: &[Value]) -> Vec<String> {
    posts
        .iter()
        .map(|p| p["value"]["text"].as_str().unwrap().to_string())
        .collect()
}

/// Publishes once on a clean proxy and returns the thread's texts.
fn publish_whole(project: &Project) -> Vec<String> {
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = project.posts();
    assert!(posts.len() >= 3, "a thread of several parts: {posts:#?}");
    texts(&posts)
}

#[test]
fn create_then_a_rerun_creates_nothing_and_an_edit_is_reported_not_reposted() {
    let Some(project) = Project::new() else {
        return;
    };
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("posts/tides.md  sky  create"),
        "{plan:?}"
    );
    assert!(plan.stdout.contains("a thread of 4 parts"), "{plan:?}");
    assert_eq!(project.creates(), 0, "--plan creates nothing");
    assert!(project.ledger().is_empty(), "--plan records nothing");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = project.posts();
    assert_eq!(posts.len(), 4, "{posts:#?}");
    let texts = texts(&posts);
    assert_thread(&posts, &texts);
    assert!(texts[0].starts_with("Reading the tides"), "{texts:?}");
    for (i, text) in texts.iter().enumerate() {
        assert!(text.ends_with(&format!("{}/4", i + 1)), "{text}");
    }
    // Each link is a facet whose byte offsets hold exactly the URL, after emoji and CJK.
    let mut links = Vec::new();
    for post in &posts {
        let text = post["value"]["text"].as_str().unwrap();
        for facet in post["value"]["facets"].as_array().into_iter().flatten() {
            let start = facet["index"]["byteStart"].as_u64().unwrap() as usize;
            let end = facet["index"]["byteEnd"].as_u64().unwrap() as usize;
            let uri = facet["features"][0]["uri"].as_str().unwrap();
            assert_eq!(&text.as_bytes()[start..end], uri.as_bytes(), "{text}");
            links.push(uri.to_string());
        }
    }
    assert_eq!(
        links,
        [
            "https://tides.example.org/harbour?month=11",
            "https://example.com/shio",
            "https://letters.example.org/tides/"
        ]
    );
    let first = posts[0]["uri"].as_str().unwrap();
    let rkey = first.rsplit('/').next().unwrap();
    assert!(
        publish.stdout.contains(&format!(
            "https://bsky.app/profile/{}/post/{rkey}",
            project.account.handle
        )),
        "{publish:?}"
    );

    // Again: nothing to do, and not one create reaches the PDS.
    project.proxy.faults(&json!({}));
    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("sky  unchanged"), "{again:?}");
    assert_eq!(project.creates(), 0, "{:?}", project.proxy.calls());

    let status = project.run(&["status"]);
    assert_eq!(status.code, 0, "{status:?}");
    assert!(
        status
            .stdout
            .contains("posts/tides.md  sky  current          4 parts as posted on"),
        "{status:?}"
    );
    let status = project.run(&["status", "--json"]);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    assert_eq!(rows[0]["service"], "bluesky", "{rows:#}");
    assert_eq!(rows[0]["state"], "current", "{rows:#}");
    assert_eq!(rows[0]["id"], first, "{rows:#}");

    // An edit: Bluesky shows none, so the changed part is reported and left as posted.
    let edited = POST.replace("Write to me and tell me", "Write and tell me");
    std::fs::write(project.root().join("posts/tides.md"), edited).unwrap();
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout
            .contains("Bluesky shows no edits: left as posted"),
        "{plan:?}"
    );
    let publish = project.run(&["publish"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(project.creates(), 0, "nothing reposted");
    assert_eq!(self::texts(&project.posts()), texts, "left as posted");
}

#[test]
fn a_500_at_part_3_resumes_at_3_and_ends_with_each_part_once() {
    let Some(project) = Project::new() else {
        return;
    };
    project.proxy.faults(&json!({"error_500_on": 3}));
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 1, "{publish:?}");
    assert!(
        publish.stderr.contains("posting part 3 of 4")
            && publish.stderr.contains("InternalServerError"),
        "{publish:?}"
    );
    assert_eq!(project.posts().len(), 2, "parts 1 and 2 stay");

    let plan = project.run(&["publish", "--plan"]);
    assert!(plan.stdout.contains("sky  resume"), "{plan:?}");
    assert!(plan.stdout.contains("stopped after part 2"), "{plan:?}");
    let resume = project.run(&["publish"]);
    assert_eq!(resume.code, 0, "{resume:?}");
    let posts = project.posts();
    assert_eq!(posts.len(), 4, "{posts:#?}");
    assert_thread(&posts, &texts(&posts));
}

#[test]
fn a_run_killed_after_the_pds_stored_part_3_resumes_without_a_duplicate() {
    let Some(project) = Project::new() else {
        return;
    };
    // Part 3 is stored, its answer held back: the run is killed while it waits.
    project
        .proxy
        .faults(&json!({"slow_on": 3, "slow_seconds": 60}));
    let mut child = project
        .command(&["publish", "posts/tides.md"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while project.posts().len() < 3 {
        assert!(Instant::now() < deadline, "part 3 never reached the PDS");
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(project.ledger().contains(r#""event":"attempt""#));

    project.proxy.faults(&json!({}));
    let resume = project.run(&["publish"]);
    assert_eq!(resume.code, 0, "{resume:?}");
    let posts = project.posts();
    assert_eq!(posts.len(), 4, "no duplicate of part 3: {posts:#?}");
    assert_thread(&posts, &texts(&posts));
    assert_eq!(project.creates(), 1, "only part 4 was created");
}

#[test]
fn a_dropped_answer_after_the_store_is_found_not_posted_again() {
    let Some(project) = Project::new() else {
        return;
    };
    project.proxy.faults(&json!({"drop_after_store_on": 2}));
    let texts = publish_whole(&project);
    let posts = project.posts();
    assert_eq!(posts.len(), 4, "{posts:#?}");
    assert_thread(&posts, &texts);
    assert_eq!(project.creates(), 4, "{:?}", project.proxy.calls());
    assert!(project.ledger().contains(r#""action":"found""#));
}

#[test]
fn an_answer_slower_than_the_timeout_is_found_not_posted_again() {
    let Some(project) = Project::new() else {
        return;
    };
    project
        .proxy
        .faults(&json!({"slow_on": 2, "slow_seconds": 6}));
    let publish = Run::from(
        project
            .command(&["publish", "posts/tides.md"])
            .env("REPURPOSE_TIMEOUT", "3")
            .output()
            .unwrap(),
    );
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = project.posts();
    assert_eq!(posts.len(), 4, "{posts:#?}");
    assert_thread(&posts, &texts(&posts));
    assert_eq!(project.creates(), 4, "{:?}", project.proxy.calls());
}

#[test]
fn a_429_is_waited_out() {
    let Some(project) = Project::new() else {
        return;
    };
    project
        .proxy
        .faults(&json!({"rate_limit_on": 2, "retry_after": 2}));
    let started = Instant::now();
    let texts = publish_whole(&project);
    assert!(started.elapsed() >= Duration::from_secs(2));
    let posts = project.posts();
    assert_eq!(posts.len(), 4);
    assert_thread(&posts, &texts);
    let creates: Vec<String> = project
        .proxy
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("com.atproto.repo.createRecord"))
        .collect();
    assert_eq!(
        creates,
        [
            "com.atproto.repo.createRecord 200",
            "com.atproto.repo.createRecord 429",
            "com.atproto.repo.createRecord 200",
            "com.atproto.repo.createRecord 200",
            "com.atproto.repo.createRecord 200",
        ]
    );
}

#[test]
fn a_wrong_password_is_impossible_and_shown_nowhere() {
    let Some(project) = Project::new() else {
        return;
    };
    let wrong = "wrong-app-password-9f3k";
    let run = Run::from(
        project
            .command(&["publish", "posts/tides.md"])
            .env("TEST_BSKY_PASSWORD", wrong)
            .output()
            .unwrap(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("impossible"), "{run:?}");
    assert!(
        run.stdout.contains("Invalid identifier or password"),
        "{run:?}"
    );
    assert!(!run.stdout.contains(wrong) && !run.stderr.contains(wrong));
    assert!(project.posts().is_empty());
    assert!(!project.ledger().contains(wrong));
}

/// A PNG of noise, `side` pixels square: it compresses badly, so it is large.
fn noise_png(side: u32) -> Vec<u8> {
    let mut seed: u32 = 0x2545_f491;
    let image = image::RgbImage::from_fn(side, side, |_, _| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        let [r, g, b, _] = seed.to_le_bytes();
        image::Rgb([r, g, b])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, image::ImageFormat::Png).unwrap();
    bytes.into_inner()
}

#[test]
fn an_image_over_a_megabyte_is_scaled_down_embedded_with_its_alt_text_and_uploaded_once() {
    let Some(project) = Project::new() else {
        return;
    };
    let big = noise_png(800);
    assert!(big.len() > 1_000_000, "{}", big.len());
    std::fs::create_dir(project.root().join("posts/img")).unwrap();
    std::fs::write(project.root().join("posts/img/noise.png"), &big).unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        "---\ntitle: Reading the tides\ndate: 2026-11-30\n---\nThe water at noon.\n\n![Grey water, close up](img/noise.png)\n\nThat is all.\n",
    )
    .unwrap();
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert!(plan.stdout.contains("upload 1 image"), "{plan:?}");

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    let posts = project.posts();
    assert_eq!(posts.len(), 1, "{posts:?}");
    let value = &posts[0]["value"];
    assert!(
        value["text"]
            .as_str()
            .unwrap()
            .contains("/tides/media/noise-"),
        "{value}"
    );
    let embed = &value["embed"];
    assert_eq!(embed["$type"], "app.bsky.embed.images");
    let image = &embed["images"][0];
    assert_eq!(image["alt"], "Grey water, close up");
    assert_eq!(image["image"]["mimeType"], "image/jpeg");
    let size = image["image"]["size"].as_u64().unwrap();
    assert!(size <= 1_000_000, "{size}");
    let (w, h) = (
        image["aspectRatio"]["width"].as_u64().unwrap(),
        image["aspectRatio"]["height"].as_u64().unwrap(),
    );
    assert_eq!(w, h, "square, as the original");
    // The link stays a link facet in the text.
    assert!(
        value["facets"].as_array().is_some_and(|f| !f.is_empty()),
        "{value}"
    );
    assert_eq!(project.proxy.state()["uploads"], 1);

    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert_eq!(
        project.proxy.state()["uploads"],
        1,
        "nothing uploaded again"
    );
    assert_eq!(project.posts().len(), 1);
}
