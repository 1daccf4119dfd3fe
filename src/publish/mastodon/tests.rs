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
    let err = error(other.create("hello", &[], None, "k"));
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
            max_bytes: None,
            media: MediaLimits {
                max_images: Some(4),
                max_bytes: Some(16 * 1024 * 1024),
                max_pixels: Some(8_294_400),
                formats: Some(Formats::from_mime_types([
                    "image/jpeg",
                    "image/png",
                    "image/gif",
                    "image/webp"
                ])),
            }
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
    let first = client.create("One", &[], None, &client.key("a")).unwrap();
    let second = client
        .create("Two", &[], reply(&first, &first), &client.key("b"))
        .unwrap();
    let third = client
        .create("Three", &[], reply(&first, &second), &client.key("c"))
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
    let first = client.create("One", &[], None, &key).unwrap();
    let again = client.create("One", &[], None, &key).unwrap();
    assert_eq!(first, again);
    assert_eq!(server.statuses().len(), 1);
}

#[test]
fn a_reply_whose_answer_was_lost_is_found_not_posted_twice() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let first = client.create("One", &[], None, "k1").unwrap();
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
        .create("Two", &[], reply(&first, &first), "k2")
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
    let before = client.create("Older post", &[], None, "k0").unwrap();
    client
        .create("A reply", &[], reply(&before, &before), "k-r")
        .unwrap();
    assert_eq!(
        client
            .find(&crate::publish::network::part_hash("One"), None, "k1")
            .unwrap(),
        None
    );
    server.set_faults(&json!({"drop_after_store_on": 1}));
    let err = client.create("One", &[], None, "k1").expect_err("lost");
    assert!(http::unanswered(&err), "{err:#}");
    let found = client
        .find(&crate::publish::network::part_hash("One"), None, "k1")
        .unwrap()
        .expect("found");
    assert_eq!(found.id, server.statuses()[2]["id"].as_str().unwrap());
    // And sending it again under its key, as Mastodon dedups, makes nothing new.
    assert_eq!(client.create("One", &[], None, "k1").unwrap(), found);
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
    let part = client.create("One", &[], None, "k1").unwrap();
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
    client.create("One", &[], None, "k1").unwrap();
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
    let err = error(client.create("One", &[], None, "k1"));
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
    let err = error(client.create("Two", &[], reply(&gone, &gone), "k2"));
    assert!(err.contains("404 Not Found: Record not found"), "{err}");
}

#[test]
fn an_edit_changes_the_status_in_place() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    assert!(client.edits());
    let first = client.create("One", &[], None, "k1").unwrap();
    let edited = client.edit(&first, "One, edited", &[]).unwrap();
    assert_eq!(edited, first);
    let status = held(&server, &first.id);
    assert_eq!(status["text"], "One, edited");
    assert_eq!(status["content"], "<p>One, edited</p>");
    assert!(status["edited_at"].is_string(), "{status}");
    assert_eq!(server.statuses().len(), 1);
    let err = error(client.edit(&first, &"x".repeat(501), &[]));
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
    let part = client.create(&exact, &[], None, "exact").expect("accepted");
    assert_eq!(held(&server, &part.id)["text"], exact.as_str());

    for one_more in ["👩‍👩‍👧‍👦", "🇺🇳", "e\u{301}", "語", "x"] {
        let over = format!("{exact}{one_more}");
        let why = fits(&over, limits).expect_err("one past the limit");
        assert!(why.starts_with("501 characters"), "{why}");
        let err = error(client.create(&over, &[], None, &format!("over {one_more}")));
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

/// A PNG of `width` × `height` pixels.
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([200, 80, 40]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    bytes.into_inner()
}

fn upload<'a>(bytes: &'a [u8], name: &'a str, alt: &'a str) -> Upload<'a> {
    Upload {
        bytes,
        name,
        mime: "image/png",
        alt,
        width: 3,
        height: 2,
    }
}

#[test]
fn an_upload_is_stored_with_its_alt_text() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let bytes = png(3, 2);
    let uploaded = client
        .upload(&upload(&bytes, "chart-1a2b.png", "A chart, growing"))
        .unwrap();
    let media = server.media();
    assert_eq!(media.len(), 1);
    let held = &media[0];
    assert_eq!(uploaded.id, held["id"].as_str().unwrap());
    assert_eq!(uploaded.url, held["url"].as_str().unwrap());
    assert!(
        uploaded.url.ends_with("/original/chart-1a2b.png"),
        "{uploaded:?}"
    );
    assert_eq!(uploaded.extra, json!({"description": "A chart, growing"}));
    assert_eq!(held["description"], "A chart, growing");
    assert_eq!(held["filename"], "chart-1a2b.png");
    assert_eq!(held["mime_type"], "image/png");
    assert_eq!(held["size"], bytes.len());
    assert_eq!(held["meta"]["original"], json!({"width": 3, "height": 2}));
    assert_eq!(
        held["sha256"],
        crate::hash::ContentHash::of(&bytes)
            .0
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    assert!(held["status_id"].is_null(), "attached to nothing yet");
    let uploads: Vec<_> = server.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/api/v2/media")
        .map(|r| r["authorization"].clone())
        .collect();
    assert_eq!(uploads, ["Bearer ***"]);
}

#[test]
fn an_upload_still_processing_is_asked_for_until_it_has_a_url() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    server.set_faults(&json!({"media_processing": 2}));
    let bytes = png(2, 2);
    let uploaded = client.upload(&upload(&bytes, "a.png", "")).unwrap();
    assert!(uploaded.url.ends_with("/original/a.png"), "{uploaded:?}");
    let id = &uploaded.id;
    assert_eq!(
        server.requests(),
        [
            "POST /api/v2/media".to_string(),
            format!("GET /api/v1/media/{id}"),
            format!("GET /api/v1/media/{id}"),
            format!("GET /api/v1/media/{id}"),
        ]
    );
}

#[test]
fn a_500_on_an_upload_is_an_error_naming_the_service_and_a_lost_answer_is_unanswered() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let bytes = png(2, 2);
    server.set_faults(&json!({"upload_error_500_on": 1}));
    let err = error(client.upload(&upload(&bytes, "a.png", "alt")));
    assert!(
        err.contains(&format!(
            "uploading the image a.png on Mastodon at {}/: 500 Internal Server Error: We're sorry, but something went wrong on our end.",
            server.url()
        )),
        "{err}"
    );
    assert!(server.media().is_empty());
    assert!(!err.contains(TOKEN), "{err}");

    server.set_faults(&json!({"upload_drop_after_store_on": 1}));
    let lost = client
        .upload(&upload(&bytes, "a.png", "alt"))
        .expect_err("the answer is lost");
    assert!(http::unanswered(&lost), "{lost:#}");
    // Stored all the same: an attachment on no status, which Mastodon removes after a day.
    assert_eq!(server.media().len(), 1);
}

#[test]
fn an_image_over_the_instance_limit_is_refused_as_mastodon_refuses_it() {
    let options = Options {
        image_size_limit: 1024 * 1024,
        ..Options::default()
    };
    let Some(server) = server::start_with(options) else {
        return;
    };
    let client = client(&server);
    let limits = client.limits().unwrap();
    assert_eq!(limits.media.max_bytes, Some(1024 * 1024));
    let big = vec![7u8; 1024 * 1024 + 1];
    let err = error(client.upload(&upload(&big, "big.png", "alt")));
    assert!(
        err.contains(
            "422 Unprocessable Entity: Validation failed: File must be less than 1 MB, File file size must be less than 1 MB"
        ),
        "{err}"
    );
    assert!(server.media().is_empty());
    let exact = vec![7u8; 1024 * 1024];
    client
        .upload(&upload(&exact, "exact.png", "alt"))
        .expect("at the limit is taken");
}

#[test]
fn a_status_carries_its_attachments_each_on_one_status_at_most_four() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let bytes = png(2, 2);
    let media: Vec<Uploaded> = (0..5)
        .map(|i| {
            client
                .upload(&upload(&bytes, &format!("{i}.png"), &format!("image {i}")))
                .unwrap()
        })
        .collect();
    let first = client.create("Four", &media[..4], None, "k1").unwrap();
    let status = held(&server, &first.id);
    let shown = client.get("reading", &format!("api/v1/statuses/{}", first.id), &[]);
    let shown = shown.unwrap().json();
    let ids: Vec<_> = shown["media_attachments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        media[..4].iter().map(|m| m.id.clone()).collect::<Vec<_>>()
    );
    assert_eq!(shown["media_attachments"][2]["description"], "image 2");
    assert_eq!(status["media_ids"].as_array().unwrap().len(), 4);

    // An attachment is on one status only.
    let err = error(client.create("Again", &media[..1], None, "k2"));
    assert!(
        err.contains(&format!(
            "422 Unprocessable Entity: Media {} not found or already attached to another post",
            media[0].id
        )),
        "{err}"
    );
    // Five are too many.
    let err = error(client.create("Five", &media, None, "k3"));
    assert!(err.contains("Cannot attach more than 4 files"), "{err}");
    // Another account's attachment is not ours to show.
    let foreign = Uploaded {
        id: server.foreign_media(),
        url: String::new(),
        extra: json!({"description": ""}),
    };
    let err = error(client.create("Theirs", std::slice::from_ref(&foreign), None, "k4"));
    assert!(
        err.contains(&format!("Media {} not found", foreign.id)),
        "{err}"
    );
    assert_eq!(server.statuses().len(), 1);
}

#[test]
fn an_edit_sends_the_attachments_again_with_their_descriptions() {
    let Some(server) = server::start() else {
        return;
    };
    let client = client(&server);
    let bytes = png(2, 2);
    let one = client.upload(&upload(&bytes, "1.png", "first")).unwrap();
    let two = client.upload(&upload(&bytes, "2.png", "second")).unwrap();
    let part = client
        .create("One", std::slice::from_ref(&one), None, "k1")
        .unwrap();

    let mut renamed = one.clone();
    renamed.extra = json!({"description": "first, described better"});
    client
        .edit(&part, "One, edited", &[renamed, two.clone()])
        .unwrap();
    let status = held(&server, &part.id);
    assert_eq!(status["media_ids"], json!([one.id, two.id]));
    let media = server.media();
    assert_eq!(media[0]["description"], "first, described better");
    assert_eq!(media[1]["status_id"], part.id.as_str());
    let edit = server.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "PUT")
        .count();
    assert_eq!(edit, 1);

    // An edit naming no attachment leaves the status none, as Mastodon does.
    client.edit(&part, "One, plain", &[]).unwrap();
    assert_eq!(held(&server, &part.id)["media_ids"], json!([]));
}

#[test]
fn media_limits_come_from_the_instance() {
    let Some(server) = server::start() else {
        return;
    };
    let media = client(&server).limits().unwrap().media;
    assert_eq!(media.max_images, Some(4));
    assert_eq!(media.max_pixels, Some(8_294_400));
    let formats = media.formats.expect("the instance says");
    use crate::media::image::Format;
    assert!(formats.contains(Format::Png) && formats.contains(Format::Webp));
    assert!(!formats.contains(Format::Svg));
    // An instance that says nothing of media: nothing assumed.
    server.set_instance(&json!({"v2": false, "configuration": false}));
    assert_eq!(client(&server).limits().unwrap().media, MediaLimits::NONE);
}
