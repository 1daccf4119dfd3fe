//! The client against the Mastodon stand-in (tests/servers/mastodon_server.py).
use serde_json::json;

use super::server::{self, MastodonServer, Options, TOKEN};
use super::*;
use crate::publish::http;
use crate::publish::network::fits;

fn settings(server: &MastodonServer) -> Mastodon {
    Mastodon {
        url: server.url(),
        token_env: "MASTODON_TOKEN".into(),
        visibility: "unlisted".into(),
    }
}

fn client(server: &MastodonServer) -> Client {
    Client::new(&settings(server), Secret::new(TOKEN.into())).expect("a valid URL")
}

/// The error, with its chain, as the user reads it.
fn error<T: std::fmt::Debug>(result: anyhow::Result<T>) -> String {
    format!("{:#}", result.expect_err("an error"))
}

fn reply<'a>(root: &'a PartRef, parent: &'a PartRef) -> Option<InReplyTo<'a>> {
    Some(InReplyTo { root, parent })
}

/// The text Mastodon holds for status `id`, read from the server's state.
fn held(server: &MastodonServer, id: &str) -> Value {
    server
        .statuses()
        .into_iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("status {id} is stored"))
}

#[test]
fn a_good_token_logs_in_and_a_wrong_one_is_refused_without_being_printed() {
    let Some(server) = server::start() else {
        return;
    };
    client(&server).check_login().expect("the token is taken");

    let wrong = "wrong-secret-token-123456";
    let other = Client::new(&settings(&server), Secret::new(wrong.into())).unwrap();
    assert!(!format!("{other:?}").contains(wrong), "{other:?}");
    let err = error(other.check_login());
    assert!(
        err.contains("the token in MASTODON_TOKEN was refused"),
        "{err}"
    );
    assert!(
        err.contains("401 Unauthorized: The access token is invalid"),
        "{err}"
    );
    assert!(err.contains(&server.url()), "{err}");
    assert!(!err.contains(wrong), "{err}");
    let err = error(other.create("hello", None, "k"));
    assert!(!err.contains(wrong), "{err}");
    let state = server.state().to_string();
    assert!(!state.contains(wrong) && !state.contains(TOKEN), "{state}");
}

#[test]
fn limits_come_from_the_instance_v2_then_v1() {
    let options = Options {
        max_characters: 1000,
        ..Options::default()
    };
    let Some(server) = server::start_with(options) else {
        return;
    };
    let limits = client(&server).limits().unwrap();
    assert_eq!(
        limits,
        Limits {
            max_chars: 1000,
            url_length: Some(23),
            max_bytes: None
        }
    );
    server.set_instance(&json!({"v2": false, "max_characters": 640}));
    let limits = client(&server).limits().unwrap();
    assert_eq!(limits.max_chars, 640);
    assert_eq!(
        server.requests(),
        [
            "GET /api/v2/instance",
            "GET /api/v2/instance",
            "GET /api/v1/instance"
        ]
    );
    // An instance that says nothing: Mastodon's own 500, links counted whole.
    server.set_instance(&json!({"configuration": false}));
    assert_eq!(client(&server).limits().unwrap(), DEFAULT_LIMITS);
}

#[test]
fn a_thread_is_posted_each_part_replying_to_the_one_before() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let first = client.create("One", None, &client.key("a")).unwrap();
    let second = client
        .create("Two", reply(&first, &first), &client.key("b"))
        .unwrap();
    let third = client
        .create("Three", reply(&first, &second), &client.key("c"))
        .unwrap();
    assert!(
        third.url.ends_with(&format!("/@ana/{}", third.id)),
        "{third:?}"
    );
    let statuses = server.statuses();
    let texts: Vec<_> = statuses.iter().map(|s| s["text"].clone()).collect();
    assert_eq!(texts, ["One", "Two", "Three"]);
    assert_eq!(statuses[0]["in_reply_to_id"], Value::Null);
    assert_eq!(statuses[1]["in_reply_to_id"], first.id.as_str());
    assert_eq!(statuses[2]["in_reply_to_id"], second.id.as_str());
    assert!(statuses.iter().all(|s| s["visibility"] == "unlisted"));
    assert_eq!(statuses[0]["content"], "<p>One</p>");
    let keys: Vec<_> = server.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "POST" && r["path"] == "/api/v1/statuses")
        .map(|r| r["idempotency_key"].clone())
        .collect();
    assert_eq!(keys, [client.key("a"), client.key("b"), client.key("c")]);
}

#[test]
fn keys_are_stable_and_the_same_key_posts_nothing_new() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let key = client.key("post\0part 1\0One");
    assert_eq!(key, client.key("post\0part 1\0One"));
    assert_ne!(key, client.key("post\0part 1\0One!"));
    assert!(key.len() <= 64 && key.is_ascii(), "{key}");
    let first = client.create("One", None, &key).unwrap();
    let again = client.create("One", None, &key).unwrap();
    assert_eq!(first, again);
    assert_eq!(server.statuses().len(), 1);
}

#[test]
fn a_reply_whose_answer_was_lost_is_found_not_posted_twice() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let first = client.create("One", None, "k1").unwrap();
    assert_eq!(
        client
            .find(
                &crate::publish::network::part_hash("Two"),
                reply(&first, &first),
                "k2"
            )
            .unwrap(),
        None
    );
    server.set_faults(&json!({"drop_after_store_on": 1}));
    let err = client
        .create("Two", reply(&first, &first), "k2")
        .expect_err("the answer is lost");
    assert!(http::unanswered(&err), "{err:#}");
    let found = client
        .find(
            &crate::publish::network::part_hash("Two"),
            reply(&first, &first),
            "k2",
        )
        .unwrap()
        .expect("the stored reply is found");
    let stored = server.statuses();
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(found.id, stored[1]["id"].as_str().unwrap());
    // A reply of ours with other text is not it.
    assert_eq!(
        client
            .find(
                &crate::publish::network::part_hash("Other"),
                reply(&first, &first),
                "k3"
            )
            .unwrap(),
        None
    );
}

#[test]
fn a_first_part_whose_answer_was_lost_is_found_among_the_latest_statuses() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let before = client.create("Older post", None, "k0").unwrap();
    client
        .create("A reply", reply(&before, &before), "k-r")
        .unwrap();
    assert_eq!(
        client
            .find(&crate::publish::network::part_hash("One"), None, "k1")
            .unwrap(),
        None
    );
    server.set_faults(&json!({"drop_after_store_on": 1}));
    let err = client.create("One", None, "k1").expect_err("lost");
    assert!(http::unanswered(&err), "{err:#}");
    let found = client
        .find(&crate::publish::network::part_hash("One"), None, "k1")
        .unwrap()
        .expect("found");
    assert_eq!(found.id, server.statuses()[2]["id"].as_str().unwrap());
    // And sending it again under its key, as Mastodon dedups, makes nothing new.
    assert_eq!(client.create("One", None, "k1").unwrap(), found);
    assert_eq!(server.statuses().len(), 3);
}

#[test]
fn a_429_is_waited_out_and_the_post_sent_once() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    server.set_faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let started = std::time::Instant::now();
    let part = client.create("One", None, "k1").unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));
    assert_eq!(server.statuses().len(), 1);
    assert_eq!(part.id, server.statuses()[0]["id"].as_str().unwrap());
    let posts = server
        .requests()
        .into_iter()
        .filter(|r| r == "POST /api/v1/statuses")
        .count();
    assert_eq!(posts, 2);
}

#[test]
fn a_429_with_only_mastodons_rate_limit_reset_is_waited_out_too() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    server
        .set_faults(&json!({"rate_limit_on": 1, "retry_after": 1.5, "retry_after_header": false}));
    let started = std::time::Instant::now();
    client.create("One", None, "k1").unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(1000));
    assert_eq!(server.statuses().len(), 1);
}

#[test]
fn a_500_is_an_error_naming_the_service_the_site_and_its_message() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    server.set_faults(&json!({"error_500_on": 1}));
    let err = error(client.create("One", None, "k1"));
    assert!(
        err.contains(&format!(
            "posting the thread's first status on Mastodon at {}/: 500 Internal Server Error: We're sorry, but something went wrong on our end.",
            server.url()
        )),
        "{err}"
    );
    assert!(server.statuses().is_empty());
    // A reply to a status that is gone is Mastodon's 404.
    let gone = PartRef {
        id: "404404".into(),
        url: String::new(),
        cid: String::new(),
    };
    let err = error(client.create("Two", reply(&gone, &gone), "k2"));
    assert!(err.contains("404 Not Found: Record not found"), "{err}");
}

#[test]
fn an_edit_changes_the_status_in_place() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    assert!(client.edits());
    let first = client.create("One", None, "k1").unwrap();
    let edited = client.edit(&first, "One, edited").unwrap();
    assert_eq!(edited, first);
    let status = held(&server, &first.id);
    assert_eq!(status["text"], "One, edited");
    assert_eq!(status["content"], "<p>One, edited</p>");
    assert!(status["edited_at"].is_string(), "{status}");
    assert_eq!(server.statuses().len(), 1);
    let err = error(client.edit(&first, &"x".repeat(501)));
    assert!(
        err.contains(
            "422 Unprocessable Entity: Validation failed: Text character limit of 500 exceeded"
        ),
        "{err}"
    );
}

/// Text that counts exactly `n` as Mastodon counts it: emoji with skin tones, ZWJ
/// families, flags, CJK, combining marks, and a 300-character URL (23), padded with `a`.
fn counted_as(n: usize, url: &str) -> String {
    let mixed = format!(
        "👍🏽 👩‍👩‍👧‍👦 👨🏿‍💻 🇫🇷🇯🇵 🏳️‍🌈 日本語のテキスト 한국어 e\u{301}a\u{308}n\u{303} Z\u{351}\u{36b}\u{343} see {url} ok "
    );
    // Counted by hand: 👍🏽, the family, the technologist and the rainbow flag are one each,
    // the two flags two, 日本語のテキスト 8, 한국어 3, the accented letters 3, Z and its
    // three marks 1, the URL 23; with the spaces and words, 61.
    let counter = crate::thread::Counter {
        url_length: Some(23),
    };
    let have = counter.count(&mixed);
    assert_eq!(have, 61);
    format!("{mixed}{}", "a".repeat(n - have))
}

#[test]
fn counts_agree_with_the_server_at_the_limit_and_one_past_it() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let limits = client.limits().unwrap();
    let url = format!("https://example.com/{}", "p".repeat(300 - 20));
    assert_eq!(url.len(), 300);
    let exact = counted_as(limits.max_chars, &url);
    assert_eq!(fits(&exact, limits), Ok(()));
    assert!(exact.chars().count() > 600, "far more chars than the limit");
    let part = client.create(&exact, None, "exact").expect("accepted");
    assert_eq!(held(&server, &part.id)["text"], exact.as_str());

    for one_more in ["👩‍👩‍👧‍👦", "🇺🇳", "e\u{301}", "語", "x"] {
        let over = format!("{exact}{one_more}");
        let why = fits(&over, limits).expect_err("one past the limit");
        assert!(why.starts_with("501 characters"), "{why}");
        let err = error(client.create(&over, None, &format!("over {one_more}")));
        assert!(
            err.contains("Validation failed: Text character limit of 500 exceeded"),
            "{one_more}: {err}"
        );
    }
    assert_eq!(server.statuses().len(), 1);
}

#[test]
fn a_status_id_from_the_ledger_must_be_letters_and_digits() {
    assert_eq!(
        super::status_id("110000000000000001").unwrap(),
        "110000000000000001"
    );
    for bad in ["", "../../admin", "1/context", "1?x=2"] {
        assert!(super::status_id(bad).is_err(), "{bad}");
    }
}
