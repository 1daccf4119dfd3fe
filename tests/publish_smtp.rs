//! `repurpose publish` to a newsletter target, against a real SMTP server on 127.0.0.1
//! (aiosmtpd, tests/servers/smtp_server.py): what each subscriber receives, read back by
//! two mail parsers; the ledger; a send killed part-way and resumed; refusals; a wrong
//! password; `--plan` and `--eml`. Skips where aiosmtpd is missing, unless
//! `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run).

#![allow(clippy::unwrap_used)]

#[path = "support/run.rs"]
mod run;
#[path = "support/smtp.rs"]
mod smtp;

use run::Run;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use smtp::{SmtpOptions, SmtpServer, TlsMode};

const USER: &str = "letters";
const PASSWORD: &str = "pw-Zq81-never-printed";
const SUBSCRIBERS: [&str; 5] = [
    "ann@example.org",
    "bo@example.org",
    "cy@example.org",
    "di@example.org",
    "ed+news@example.org",
];

/// A project folder: repurpose.yaml with one smtp target, subscribers and two posts.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(server: &SmtpServer, extra: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("repurpose.yaml"),
            format!(
                "site:\n  url: https://letters.example.org\n  newsletter: Field Notes\npublish:\n  news:\n    service: smtp\n    url: {}\n    from: Field Notes <notes@example.org>\n    list: subscribers.csv\n    username_env: TEST_SMTP_USER\n    password_env: TEST_SMTP_PASSWORD\n    unsubscribe: https://letters.example.org/unsubscribe?email={{email}}\n{extra}",
                server.url()
            ),
        )
        .unwrap();
        let mut csv = String::from("email,name\n");
        for (i, email) in SUBSCRIBERS.iter().enumerate() {
            csv.push_str(&format!("{email},Reader {i}\n"));
        }
        std::fs::write(root.join("subscribers.csv"), csv).unwrap();
        std::fs::create_dir(root.join("posts")).unwrap();
        std::fs::write(
            root.join("posts/tides.md"),
            "---\ntitle: Reading the tides\nsummary: Why the harbour empties twice a day.\ndate: 2026-11-30\n---\nThe moon pulls, the water follows. See [the chart](https://letters.example.org/chart/).\n\nWhat do you watch for at low water?\n",
        )
        .unwrap();
        std::fs::write(
            root.join("posts/knots.md"),
            "---\ntitle: Three knots worth knowing\n---\nA bowline, a clove hitch and a reef knot.\n",
        )
        .unwrap();
        Project { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn command(&self, args: &[&str], password: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_repurpose"));
        cmd.args(args)
            .current_dir(self.root())
            .env("TEST_SMTP_USER", USER)
            .env("TEST_SMTP_PASSWORD", password)
            .env("NO_COLOR", "1");
        cmd
    }

    /// Starts a run in the background, its output dropped: a test kills it.
    fn spawn(&self, args: &[&str]) -> std::process::Child {
        self.command(args, PASSWORD)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    /// Starts a run in the background and waits until the server stalls it (the faults'
    /// `stall_after`), where a test kills it.
    fn spawn_until_stall(&self, server: &SmtpServer, args: &[&str]) -> std::process::Child {
        let child = self.spawn(args);
        assert!(
            server.wait_for_stall(Duration::from_secs(30)),
            "{}",
            server.log()
        );
        child
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, PASSWORD)
    }

    fn run_with(&self, args: &[&str], password: &str) -> Run {
        let out = self.command(args, password).output().unwrap();
        Run::from(out)
    }

    fn ledger(&self) -> String {
        std::fs::read_to_string(self.root().join("repurpose.ledger")).unwrap_or_default()
    }
}

fn server(faults: Value) -> Option<SmtpServer> {
    smtp::start(SmtpOptions {
        tls: TlsMode::StartTls,
        auth: Some((USER.to_owned(), PASSWORD.to_owned())),
        faults,
    })
}

/// How many messages each address received.
fn received(server: &SmtpServer) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for message in server.messages() {
        for to in message.rcpt_tos() {
            *out.entry(to.to_lowercase()).or_default() += 1;
        }
    }
    out
}

fn assert_no_secret(project: &Project, runs: &[&Run]) {
    for run in runs {
        assert!(
            !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
            "{run:?}"
        );
    }
    assert!(!project.ledger().contains(PASSWORD));
    for address in SUBSCRIBERS {
        assert!(
            !project.ledger().contains(address),
            "the ledger names no subscriber"
        );
    }
}

#[test]
fn the_plan_sends_nothing_then_each_subscriber_gets_one_whole_newsletter() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let plan = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout
            .contains("posts/tides.md  news  create      5 subscribers"),
        "{plan:?}"
    );
    assert!(server.messages().is_empty(), "--plan sends nothing");
    assert!(
        !project.root().join("repurpose.ledger").exists(),
        "--plan records nothing"
    );

    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert!(
        publish
            .stdout
            .contains(": 5 delivered, 0 refused, 0 to retry, 0 uncertain"),
        "{publish:?}"
    );
    let counts = received(&server);
    assert_eq!(counts.len(), 5, "{counts:?}");
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");

    for message in server.messages() {
        let to = message.rcpt_tos()[0].clone();
        let parsed = server.parse(&message.eml);
        let headers = &parsed["headers"];
        assert_eq!(headers["From"], "Field Notes <notes@example.org>");
        assert!(headers["To"].as_str().unwrap().contains(&to), "{parsed:#}");
        assert_eq!(headers["Subject"], "Reading the tides");
        assert!(headers["Date"].is_string() && headers["Message-ID"].is_string());
        let encoded = to.replace('+', "%2B").replace('@', "%40");
        assert_eq!(
            headers["List-Unsubscribe"],
            format!("<https://letters.example.org/unsubscribe?email={encoded}>")
        );
        assert_eq!(
            headers["List-Unsubscribe-Post"],
            "List-Unsubscribe=One-Click"
        );
        let structure: Vec<&str> = parsed["structure"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            structure,
            ["multipart/alternative", "text/plain", "text/html"],
            "{parsed:#}"
        );
        let html = parsed["html"].as_str().unwrap();
        assert!(
            html.contains("Why the harbour empties twice a day."),
            "the preheader"
        );
        assert!(html.contains("display:none"), "the preheader is hidden");
        assert!(html.contains("Reading the tides") && html.contains("low water"));
        let text = parsed["text"].as_str().unwrap();
        assert!(
            text.contains("The moon pulls, the water follows."),
            "{text}"
        );
        let links: Vec<&str> = parsed["links"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            links
                .iter()
                .any(|l| l.starts_with("https://letters.example.org/chart/")),
            "{links:?}"
        );
        assert!(
            links
                .iter()
                .any(|l| l.contains(&format!("unsubscribe?email={encoded}"))),
            "{links:?}"
        );
        if let Some(other) = server.parse_with_mailparser(&message.eml) {
            assert_eq!(other["parsed"]["subject"], "Reading the tides");
            assert_eq!(
                other["parsed"]["to"][0]["address"]
                    .as_str()
                    .map(str::to_lowercase),
                Some(to.clone())
            );
            assert!(other["html"].as_str().unwrap().contains("low water"));
            assert!(other["text"].as_str().unwrap().contains("The moon pulls"));
        }
    }

    let again = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("news  unchanged"), "{again:?}");
    assert_eq!(server.messages().len(), 5, "a second run sends nothing");
    let status = project.run(&["status"]);
    assert!(
        status.stdout.contains("posts/tides.md  news  current"),
        "{status:?}"
    );
    assert_no_secret(&project, &[&plan, &publish, &again, &status]);
}

#[test]
fn several_posts_in_one_publish_make_one_issue() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let publish = project.run(&["publish", "posts/tides.md", "posts/knots.md"]);
    assert_eq!(publish.code, 0, "{publish:?}");
    assert_eq!(
        server.messages().len(),
        5,
        "one message per subscriber, not per post"
    );
    let parsed = server.parse(&server.messages()[0].eml);
    assert_eq!(
        parsed["headers"]["Subject"],
        "Reading the tides and Three knots worth knowing"
    );
    let html = parsed["html"].as_str().unwrap();
    assert!(
        html.contains("low water") && html.contains("A bowline"),
        "both posts are sections"
    );
    let status = project.run(&["status", "--json"]);
    let rows: Value = serde_json::from_str(&status.stdout).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "the same issue: {rows:#}");
}

#[test]
fn a_send_killed_part_way_resumes_with_no_subscriber_missed_or_doubled() {
    // The server takes the third message and never answers: the run is killed there.
    let Some(server) = server(json!({"stall_after": 2})) else {
        return;
    };
    let project = Project::new(&server, "");
    let mut child = project.spawn_until_stall(&server, &["publish", "posts/tides.md"]);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(server.messages().len(), 3);

    let status = project.run(&["status"]);
    assert!(status.stdout.contains("incomplete"), "{status:?}");
    assert!(
        status.stdout.contains("2 of 5 delivered, 1 uncertain"),
        "{status:?}"
    );
    let plan = project.run(&["publish", "--plan"]);
    assert!(
        plan.stdout.contains("resume") && plan.stdout.contains("2 of 5 subscribers left"),
        "{plan:?}"
    );

    server.set_faults(&Value::Null);
    let resumed = project.run(&["publish"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let counts = received(&server);
    assert_eq!(counts.len(), 5, "every subscriber reached: {counts:?}");
    assert!(counts.values().all(|&n| n == 1), "none twice: {counts:?}");
    let status = project.run(&["status"]);
    assert!(status.stdout.contains("current"), "{status:?}");
    assert!(
        status.stdout.contains("5 of 5 delivered")
            || status.stdout.contains("4 of 5 delivered, 1 uncertain"),
        "{status:?}"
    );
    assert!(
        status.stdout.contains("1 uncertain"),
        "the uncertain one is still reported: {status:?}"
    );
    let offer = project.run(&["publish", "--plan", "--resend-uncertain"]);
    assert!(
        offer.stdout.contains("resume      issue")
            && offer
                .stdout
                .contains("1 uncertain subscribers to send to again (--resend-uncertain)"),
        "{offer:?}"
    );
    assert_eq!(server.messages().len(), 5, "--plan sends nothing");
    assert_no_secret(&project, &[&status, &plan, &resumed]);
}

#[test]
fn a_temporary_refusal_is_retried_and_a_permanent_one_recorded() {
    let Some(server) =
        server(json!({"temporary": {"bo@example.org": 1}, "permanent": ["cy@example.org"]}))
    else {
        return;
    };
    let project = Project::new(&server, "");
    let publish = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(
        publish.code, 0,
        "a refused address is reported, not a failed run: {publish:?}"
    );
    assert!(
        publish.stdout.contains("4 delivered, 1 refused"),
        "{publish:?}"
    );
    assert!(
        publish
            .stderr
            .contains("cy@example.org refused for good: 550"),
        "{publish:?}"
    );
    let counts = received(&server);
    assert_eq!(
        counts.get("bo@example.org"),
        Some(&1),
        "retried after the 451: {counts:?}"
    );
    assert_eq!(counts.get("cy@example.org"), None);
    let temporary = server
        .events()
        .iter()
        .filter(|e| e["event"] == "temporary")
        .count();
    assert_eq!(temporary, 1, "{:?}", server.events());
    let status = project.run(&["status"]);
    assert!(
        status
            .stdout
            .contains("4 of 5 delivered, 1 refused by the server"),
        "{status:?}"
    );
    let again = project.run(&["publish", "posts/tides.md"]);
    assert!(
        again.stdout.contains("news  unchanged"),
        "a refusal for good is not retried: {again:?}"
    );
    assert_eq!(server.messages().len(), 4);
}

#[test]
fn a_wrong_password_is_a_clear_error_and_records_nothing() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let wrong = "wrong-pw-7731";
    for args in [
        &["publish", "posts/tides.md", "--plan"][..],
        &["publish", "posts/tides.md"],
    ] {
        let run = project.run_with(args, wrong);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stdout.contains("news  impossible")
                && run.stdout.contains("refused the login for `letters` (535)"),
            "the plan says so, before anything is sent: {run:?}"
        );
        assert!(
            !run.stderr.contains(wrong) && !run.stdout.contains(wrong),
            "{run:?}"
        );
    }
    assert!(server.messages().is_empty());
    assert!(
        !project.root().join("repurpose.ledger").exists(),
        "nothing recorded: {}",
        project.ledger()
    );
}

#[test]
fn eml_writes_the_messages_and_sends_nothing() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let run = project.run(&["publish", "posts/tides.md", "--eml", "outbox", "--json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let report: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(report["sent"], false);
    assert_eq!(report["issues"][0]["eml_written"], 5);
    let files: Vec<PathBuf> = std::fs::read_dir(project.root().join("outbox"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 5);
    let parsed = server.parse(&files[0]);
    assert_eq!(parsed["headers"]["Subject"], "Reading the tides");
    assert!(server.messages().is_empty());
    assert!(!project.root().join("repurpose.ledger").exists());
}

#[test]
fn a_secret_in_repurpose_yaml_is_refused_naming_the_key() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "    password: hunter2-in-the-file\n");
    let run = project.run(&["publish", "posts/tides.md", "--plan"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains(
            "repurpose.yaml:13:1: `publish.news.password` would put a secret in repurpose.yaml"
        ),
        "{run:?}"
    );
    assert!(!run.stderr.contains("hunter2"), "{run:?}");
}

#[test]
fn a_second_publish_waits_for_the_first_and_sends_to_no_one_twice() {
    use std::io::{BufRead, BufReader};
    let Some(server) = server(json!({"stall_after": 0})) else {
        return;
    };
    let project = Project::new(&server, "");
    let mut first = project.spawn_until_stall(&server, &["publish", "posts/tides.md"]);
    let mut second = project
        .command(&["publish", "posts/tides.md"], PASSWORD)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = second.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let waiting = rx.recv_timeout(Duration::from_secs(30)).unwrap();
    assert!(
        waiting.contains("waiting for another `repurpose publish`"),
        "{waiting}"
    );
    assert_eq!(
        server.messages().len(),
        1,
        "the second run sends nothing while the first holds the project"
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let status = second.wait().unwrap();
    assert!(
        status.success(),
        "the second run went on once the first was gone"
    );
    let counts = received(&server);
    assert_eq!(counts.len(), 5, "{counts:?}");
    assert!(counts.values().all(|&n| n == 1), "none twice: {counts:?}");
}

#[test]
fn the_ledger_sits_beside_the_configuration_named_with_config() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let elsewhere = tempfile::tempdir().unwrap();
    let config = project.root().join("repurpose.yaml");
    let post = project.root().join("posts/tides.md");
    let out = project
        .command(
            &[
                "publish",
                post.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ],
            PASSWORD,
        )
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        project.ledger().contains("\"source\":\"posts/tides.md\""),
        "{}",
        project.ledger()
    );
    assert!(!elsewhere.path().join("repurpose.ledger").exists());
}

/// Whether strace is here to kill a run at a chosen system call (CI has it).
fn strace() -> bool {
    let here = Command::new("strace")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !here {
        assert!(
            std::env::var_os("REPURPOSE_REQUIRE_FAULTS").is_none(),
            "REPURPOSE_REQUIRE_FAULTS is set but strace is missing"
        );
        eprintln!("skipped: strace is not installed; CI runs this test");
    }
    here
}

/// The run is killed at every line the ledger flushes, one kill point per run: the ledger
/// still reads, what it says was delivered was, and the next run reaches everyone else
/// exactly once. The one left out is the subscriber the run was sending to when it died,
/// reported as uncertain.
#[test]
fn killed_at_any_ledger_line_the_next_run_misses_and_doubles_no_one() {
    if !strace() {
        return;
    }
    // issue, then sending + delivered per subscriber, then finished.
    let lines = 2 + 2 * SUBSCRIBERS.len();
    for k in 1..=lines {
        let Some(server) = server(Value::Null) else {
            return;
        };
        let project = Project::new(&server, "");
        let mut cmd = project.command(&[], PASSWORD);
        cmd.args([
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=fdatasync",
            "-e",
            &format!("inject=fdatasync:signal=KILL:when={k}"),
            env!("CARGO_BIN_EXE_repurpose"),
            "publish",
            "posts/tides.md",
        ]);
        let mut strace = Command::new("strace");
        strace
            .args(cmd.get_args())
            .current_dir(project.root())
            .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))));
        let killed = strace.output().unwrap();
        assert!(!killed.status.success(), "k={k}: the run was killed");
        let before = server.messages().len();

        let status = project.run(&["status", "--json"]);
        assert_eq!(status.code, 0, "k={k}: the ledger still reads: {status:?}");
        let resumed = project.run(&["publish", "posts/tides.md"]);
        assert!(
            resumed.code == 0 || resumed.stderr.contains("uncertain"),
            "k={k}: {resumed:?}"
        );
        let counts = received(&server);
        assert!(
            counts.values().all(|&n| n == 1),
            "k={k}: none twice: {counts:?}"
        );
        let status = project.run(&["status"]);
        let uncertain = usize::from(status.stdout.contains("1 uncertain"));
        assert_eq!(
            counts.len() + uncertain,
            SUBSCRIBERS.len(),
            "k={k}: everyone reached but the one uncertain ({before} before the rerun): {status:?}"
        );
        assert!(
            status
                .stdout
                .contains(&format!("{} of 5 delivered", counts.len()))
                || counts.len() == 5,
            "k={k}: the ledger counts what was delivered: {status:?} {counts:?}"
        );
        if uncertain == 1 {
            // Killed before the message went out: the writer checks, and sends it.
            let resend = project.run(&["publish", "--resend-uncertain"]);
            assert_eq!(resend.code, 0, "k={k}: {resend:?}");
            assert!(
                resend
                    .stdout
                    .contains("1 uncertain subscribers to send to again"),
                "{resend:?}"
            );
            let counts = received(&server);
            assert_eq!(counts.len(), 5, "k={k}: {counts:?}");
            assert!(counts.values().all(|&n| n == 1), "k={k}: {counts:?}");
            assert!(!project.run(&["status"]).stdout.contains("uncertain"));
        }
    }
}

#[test]
fn resuming_one_post_of_an_issue_sends_the_whole_issue_in_its_order() {
    let Some(server) = server(json!({"stall_after": 2})) else {
        return;
    };
    let project = Project::new(&server, "");
    let mut child =
        project.spawn_until_stall(&server, &["publish", "posts/tides.md", "posts/knots.md"]);
    child.kill().unwrap();
    child.wait().unwrap();
    server.set_faults(&Value::Null);

    // Only one of the issue's two posts is named: the other comes along.
    let plan = project.run(&["publish", "posts/knots.md", "--plan"]);
    assert!(
        plan.stdout.contains("posts/knots.md  news  resume"),
        "{plan:?}"
    );
    assert!(
        plan.stdout.contains("posts/tides.md  news  resume"),
        "{plan:?}"
    );
    let resumed = project.run(&["publish", "posts/knots.md"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let messages = server.messages();
    assert_eq!(messages.len(), 5);
    for message in &messages {
        let parsed = server.parse(&message.eml);
        assert_eq!(
            parsed["headers"]["Subject"], "Reading the tides and Three knots worth knowing",
            "the same issue for everyone"
        );
        let html = parsed["html"].as_str().unwrap();
        let (tides, knots) = (
            html.find("low water").unwrap(),
            html.find("A bowline").unwrap(),
        );
        assert!(tides < knots, "in the order the issue began with");
    }
}

#[test]
fn with_no_post_named_only_what_the_ledger_records_is_planned() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(
        &server,
        "  blog:\n    service: wordpress\n    url: http://127.0.0.1:9\n    username: ana\n    password_env: NOT_SET_ANYWHERE\n",
    );
    let first = project.run(&["publish", "posts/tides.md", "--target", "news"]);
    assert_eq!(first.code, 0, "{first:?}");
    let plan = project.run(&["publish", "--plan"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(
        plan.stdout.contains("posts/tides.md  news  unchanged"),
        "{plan:?}"
    );
    assert!(
        !plan.stdout.contains("blog"),
        "no first send to a target nobody named: {plan:?}"
    );
}

#[test]
fn two_posts_with_one_slug_are_never_taken_for_each_other() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    std::fs::create_dir(project.root().join("posts/2025")).unwrap();
    std::fs::write(
        project.root().join("posts/2025/tides.md"),
        "---\ntitle: Tides, a year on\n---\nAnother post.\n",
    )
    .unwrap();
    let both = project.run(&["publish", "posts/tides.md", "posts/2025/tides.md", "--plan"]);
    assert_eq!(both.code, 1, "{both:?}");
    assert!(
        both.stdout.contains("has the same slug `tides`"),
        "{both:?}"
    );
    let first = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(first.code, 0, "{first:?}");
    let other = project.run(&["publish", "posts/2025/tides.md", "--plan"]);
    assert_eq!(other.code, 1, "{other:?}");
    assert!(
        other
            .stdout
            .contains("the slug `tides` was sent to this target from posts/tides.md, another post"),
        "{other:?}"
    );
    // A new file at the old path with a slug of its own does not make the moved post
    // another one.
    std::fs::create_dir(project.root().join("posts/2026")).unwrap();
    std::fs::rename(
        project.root().join("posts/tides.md"),
        project.root().join("posts/2026/tides.md"),
    )
    .unwrap();
    std::fs::write(
        project.root().join("posts/tides.md"),
        "---\ntitle: Other\nslug: other\n---\nOther.\n",
    )
    .unwrap();
    let moved = project.run(&["publish", "posts/2026/tides.md", "--plan"]);
    assert!(
        moved
            .stdout
            .contains("posts/2026/tides.md  news  unchanged"),
        "{moved:?}"
    );
    std::fs::rename(
        project.root().join("posts/2026/tides.md"),
        project.root().join("posts/tides.md"),
    )
    .unwrap();
    // Moved, it is the same post.
    std::fs::remove_file(project.root().join("posts/2025/tides.md")).unwrap();
    std::fs::rename(
        project.root().join("posts/tides.md"),
        project.root().join("posts/2025/tides.md"),
    )
    .unwrap();
    let moved = project.run(&["publish", "posts/2025/tides.md", "--plan"]);
    assert!(
        moved
            .stdout
            .contains("posts/2025/tides.md  news  unchanged"),
        "{moved:?}"
    );
    assert_eq!(server.messages().len(), 5);
}

#[test]
fn a_run_killed_while_waiting_to_retry_leaves_the_subscriber_to_retry_not_uncertain() {
    let Some(server) = server(json!({"temporary": {"ann@example.org": 5}})) else {
        return;
    };
    let project = Project::new(&server, "");
    let mut child = project.spawn(&["publish", "posts/tides.md"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !server.events().iter().any(|e| e["event"] == "temporary") {
        assert!(std::time::Instant::now() < deadline, "{}", server.log());
        std::thread::sleep(Duration::from_millis(20));
    }
    // The client waits a second before trying again: killed in that wait.
    std::thread::sleep(Duration::from_millis(400));
    child.kill().unwrap();
    child.wait().unwrap();
    let status = project.run(&["status"]);
    assert!(status.stdout.contains("1 to retry"), "{status:?}");
    assert!(!status.stdout.contains("uncertain"), "{status:?}");
    server.set_faults(&Value::Null);
    let resumed = project.run(&["publish"]);
    assert_eq!(resumed.code, 0, "{resumed:?}");
    let counts = received(&server);
    assert_eq!(counts.len(), 5, "{counts:?}");
    assert!(counts.values().all(|&n| n == 1), "{counts:?}");
}

#[test]
fn an_issue_resumes_whole_or_not_at_all() {
    let Some(server) = server(json!({"stall_after": 2})) else {
        return;
    };
    let project = Project::new(&server, "");
    let mut child =
        project.spawn_until_stall(&server, &["publish", "posts/tides.md", "posts/knots.md"]);
    child.kill().unwrap();
    child.wait().unwrap();
    server.set_faults(&Value::Null);
    // One of the issue's posts can no longer go to the newsletter.
    std::fs::write(
        project.root().join("posts/knots.md"),
        "---\ntitle: Three knots worth knowing\nskip_venues: [newsletter]\n---\nA bowline, a clove hitch and a reef knot.\n",
    )
    .unwrap();
    for args in [
        &["publish", "posts/tides.md", "posts/knots.md"][..],
        &["publish"],
    ] {
        let run = project.run(args);
        assert_eq!(run.code, 1, "{run:?}");
        assert!(
            run.stdout
                .contains("posts/tides.md  news  impossible  issue"),
            "{run:?}"
        );
        assert!(run.stdout.contains("also holds `knots`"), "{run:?}");
    }
    assert_eq!(server.messages().len(), 3, "nobody gets half an issue");
}

#[test]
fn a_mail_server_that_is_down_leaves_what_was_emailed_unchanged() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let first = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(first.code, 0, "{first:?}");
    let config = std::fs::read_to_string(project.root().join("repurpose.yaml")).unwrap();
    let port = server
        .url()
        .split(':')
        .nth(2)
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    std::fs::write(
        project.root().join("repurpose.yaml"),
        config.replace(&port, "9"),
    )
    .unwrap();
    let plan = project.run(&["publish", "--plan"]);
    assert_eq!(
        plan.code, 0,
        "nothing would be sent, so the server is not asked: {plan:?}"
    );
    assert!(plan.stdout.contains("news  unchanged"), "{plan:?}");
    let new = project.run(&["publish", "posts/knots.md", "--plan"]);
    assert_eq!(new.code, 1, "{new:?}");
    assert!(
        new.stdout.contains("posts/knots.md  news  impossible"),
        "{new:?}"
    );
}

#[test]
fn a_renamed_newsletter_target_does_not_email_again() {
    let Some(server) = server(Value::Null) else {
        return;
    };
    let project = Project::new(&server, "");
    let first = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(first.code, 0, "{first:?}");
    let config = std::fs::read_to_string(project.root().join("repurpose.yaml")).unwrap();
    std::fs::write(
        project.root().join("repurpose.yaml"),
        config.replace("  news:\n", "  letters:\n"),
    )
    .unwrap();
    let plan = project.run(&["publish", "posts/tides.md"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(
        plan.stdout
            .contains("by the target `news`, which repurpose.yaml no longer names"),
        "{plan:?}"
    );
    assert_eq!(server.messages().len(), 5);
}
