use serde_json::json;

use super::*;
use crate::publish::http::unanswered;
use crate::publish::upload::{Upload, Uploader};

use crate::publish::article_test_server::{KEY, Server};

fn start() -> Option<Server> {
    Server::start("discourse_server.py")
}

fn settings(server: &Server, category: Option<&str>) -> Discourse {
    Discourse {
        url: server.url.clone(),
        username: "ana".into(),
        token_env: "DISCOURSE_KEY".into(),
        category: category.map(str::to_string),
    }
}

fn client(server: &Server) -> Client {
    Client::new(&settings(server, Some("blog")), Secret::new(KEY.into())).unwrap()
}

fn article(slug: &str) -> Article {
    Article {
        title: format!("notes on {slug}, a long title"),
        body: format!("The body of {slug}, long enough for the forum.\n"),
        summary: "A summary.".into(),
        slug: slug.into(),
        tags: vec!["rust".into()],
        canonical_url: None,
    }
}

#[test]
fn the_external_id_is_the_slug_or_fits_discourse_rules() {
    assert_eq!(external_id("hello-world"), "repurpose-hello-world");
    let long = "a-very-long-slug-that-goes-on-and-on-past-fifty-characters";
    let id = external_id(long);
    assert!(
        id.len() <= 50 && id.starts_with("repurpose-a-very-long"),
        "{id}"
    );
    assert_ne!(id, external_id(&format!("{long}-2")));
    let id = external_id("café");
    assert!(
        id.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        "{id}"
    );
}

#[test]
fn the_topic_id_is_read_from_the_redirect() {
    assert_eq!(
        topic_id_in("http://f.example/forum/t/hello-world/42.json?page="),
        Some(42)
    );
    assert_eq!(topic_id_in("/t/42"), Some(42));
    assert_eq!(topic_id_in("/latest"), None);
}

#[test]
fn login_is_checked_and_a_wrong_key_is_an_error_without_the_key() {
    let Some(server) = start() else { return };
    client(&server).check_login().unwrap();
    assert_eq!(client(&server).category().unwrap(), Some(7));

    let wrong = Client::new(
        &settings(&server, None),
        Secret::new("wrong-key-77a".into()),
    )
    .unwrap();
    let err = format!("{:#}", wrong.check_login().unwrap_err());
    assert!(err.contains("403 Forbidden"), "{err}");
    assert!(err.contains("The API username or key is invalid"), "{err}");
    assert!(!err.contains("wrong-key-77a"), "{err}");
    assert!(!format!("{wrong:?}").contains("wrong-key-77a"));
}

#[test]
fn an_unknown_category_names_the_ones_there_are() {
    let Some(server) = start() else { return };
    let client = Client::new(&settings(&server, Some("news")), Secret::new(KEY.into())).unwrap();
    let err = format!("{:#}", client.check_login().unwrap_err());
    assert!(err.contains("no such category"), "{err}");
    assert!(
        err.contains("blog (7)") && err.contains("general (4)"),
        "{err}"
    );
}

#[test]
fn create_makes_a_topic_found_again_by_its_external_id() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let made = client.create(&article("first-post")).unwrap();
    let state = server.state();
    assert_eq!(state["topics"].as_array().unwrap().len(), 1);
    let topic = &state["topics"][0];
    assert_eq!(topic["external_id"], "repurpose-first-post");
    assert_eq!(topic["category_id"], 7);
    assert_eq!(
        made.url,
        format!(
            "{}/t/notes-on-first-post-a-long-title/{}",
            server.url, topic["id"]
        )
    );
    // The forum capitalised the title and trimmed the body: `stored` is what it holds.
    let held =
        "Notes on first-post, a long title\0The body of first-post, long enough for the forum.";
    assert_eq!(made.stored, crate::hash::hash(held.as_bytes()));
    assert_eq!(client.find("first-post").unwrap(), Some(made.clone()));
    assert_eq!(client.get(&made.id).unwrap(), Some(made));
    assert_eq!(client.find("another-post").unwrap(), None);
}

#[test]
fn a_create_whose_answer_was_lost_is_found_not_made_twice() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.faults(&json!({"drop_after_store_on": 1}));
    let err = client.create(&article("dropped")).unwrap_err();
    assert!(unanswered(&err), "{err:#}");
    let found = client.find("dropped").unwrap().expect("the forum has it");
    assert_eq!(server.state()["topics"].as_array().unwrap().len(), 1);
    // Sent again anyway, the forum refuses the external id: still one topic.
    let err = format!("{:#}", client.create(&article("dropped")).unwrap_err());
    assert!(err.contains("External has already been taken"), "{err}");
    assert_eq!(server.state()["topics"].as_array().unwrap().len(), 1);
    assert_eq!(client.get(&found.id).unwrap(), Some(found));
}

#[test]
fn an_update_edits_the_first_post_and_the_title_in_place() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let made = client.create(&article("edited")).unwrap();
    let mut edited = article("edited");
    edited.body.push_str("\nA paragraph added later.\n");
    let updated = client.update(&made.id, &edited).unwrap();
    assert_eq!(updated.id, made.id);
    assert_ne!(updated.stored, made.stored);
    let post = &server.state()["posts"][0];
    assert_eq!(post["version"], 2);
    assert_eq!(post["edit_reason"], EDIT_REASON);
    assert!(post["raw"].as_str().unwrap().ends_with("added later."));
    // The title only changes through the topic.
    assert_eq!(
        server.requests("PUT", &format!("/t/-/{}.json", post["topic_id"])),
        0
    );
    edited.title = "A new title for the edited post".into();
    let retitled = client.update(&made.id, &edited).unwrap();
    let state = server.state();
    assert_eq!(
        state["topics"][0]["title"],
        "A new title for the edited post"
    );
    assert_eq!(state["posts"][0]["version"], 2, "the body did not change");
    assert!(retitled.url.contains("/t/a-new-title-for-the-edited-post/"));
    assert_eq!(state["topics"].as_array().unwrap().len(), 1);
}

#[test]
fn a_deleted_topic_is_gone() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let made = client.create(&article("deleted")).unwrap();
    let topic_id = server.state()["topics"][0]["id"].clone();
    server.site(&json!({"action": "delete_topic", "topic_id": topic_id}));
    assert_eq!(client.get(&made.id).unwrap(), None);
    assert_eq!(client.find("deleted").unwrap(), None);
    assert_eq!(client.get("99999").unwrap(), None);
}

#[test]
fn a_rate_limit_is_waited_out() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let started = std::time::Instant::now();
    client.create(&article("limited")).unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(server.requests("POST", "/posts.json"), 2);
    assert_eq!(server.state()["topics"].as_array().unwrap().len(), 1);
}

#[test]
fn a_server_error_names_the_service_the_site_and_the_message() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.faults(&json!({"error_500_on": 1}));
    let err = format!("{:#}", client.create(&article("broken")).unwrap_err());
    assert!(err.contains("Discourse"), "{err}");
    assert!(err.contains(&server.url), "{err}");
    assert!(err.contains("500 Internal Server Error"), "{err}");
    assert!(err.contains("Internal Server Error"), "{err}");
    assert_eq!(server.state()["topics"].as_array().unwrap().len(), 0);
}

#[test]
fn the_forums_validation_message_is_shown() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let mut short = article("short");
    short.title = "Too short".into();
    let err = format!("{:#}", client.create(&short).unwrap_err());
    assert!(
        err.contains("422") && err.contains("Title is too short (minimum is 15 characters)"),
        "{err}"
    );
}

#[test]
fn a_topic_another_user_made_with_the_external_id_is_never_taken_over() {
    let Some(server) = start() else { return };
    server.site(
        &json!({"action": "topic_by", "external_id": "repurpose-hello-world", "username": "bob"}),
    );
    let err = client(&server).find("hello-world").unwrap_err().to_string();
    assert!(
        err.contains("`bob` wrote it, not `ana`: repurpose will not take it over"),
        "{err}"
    );
    let state = server.state();
    assert_eq!(state["posts"][0]["raw"], "Another writer wrote this topic.");
}

/// A PNG of `width` × `height` pixels, one colour per row.
fn png(width: u32, height: u32) -> Vec<u8> {
    let picture =
        image::RgbImage::from_fn(width, height, |_, y| image::Rgb([(y % 256) as u8, 120, 40]));
    let mut bytes = std::io::Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

fn image<'a>(bytes: &'a [u8], name: &'a str) -> Upload<'a> {
    Upload {
        bytes,
        name,
        mime: "image/png",
        alt: "A chart",
        width: 800,
        height: 600,
    }
}

fn uploads(server: &Server) -> Vec<Value> {
    server.state()["uploads"].as_array().unwrap().clone()
}

#[test]
fn an_upload_is_a_composer_upload_referred_to_by_its_short_url() {
    let Some(server) = start() else { return };
    let bytes = png(800, 600);
    let uploaded = client(&server)
        .upload(&image(&bytes, "chart-1a2b3c4d.png"))
        .unwrap();
    let held = uploads(&server);
    assert_eq!(held.len(), 1);
    assert_eq!(uploaded.id, held[0]["id"].to_string());
    assert_eq!(uploaded.url, held[0]["short_url"].as_str().unwrap());
    assert!(
        uploaded.url.starts_with("upload://") && uploaded.url.ends_with(".png"),
        "{uploaded:?}"
    );
    assert_eq!(held[0]["original_filename"], "chart-1a2b3c4d.png");
    assert_eq!(held[0]["filesize"], bytes.len());
    assert_eq!(held[0]["type"], "composer");
    // The size the forum read, for `![alt|800x600](upload://…)`; Discourse keeps no alt
    // text on an upload: it is the post's Markdown that carries it.
    assert_eq!(
        uploaded.extra,
        json!({"url": held[0]["url"], "width": 800, "height": 600})
    );
    let log = server.state()["requests"].clone();
    let sent = log
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == "/uploads.json")
        .unwrap()
        .clone();
    assert_eq!(sent["api_key"], "valid");
    assert_eq!(
        sent["form"],
        json!({"type": "composer", "synchronous": "true"})
    );
    assert_eq!(
        sent["files"]["file"],
        json!({"filename": "chart-1a2b3c4d.png", "size": bytes.len()})
    );
}

#[test]
fn the_same_file_twice_is_one_upload_as_discourse_dedupes_by_sha1() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let bytes = png(40, 30);
    let first = client.upload(&image(&bytes, "a-1.png")).unwrap();
    let again = client.upload(&image(&bytes, "b-2.png")).unwrap();
    assert_eq!(first, again);
    assert_eq!(uploads(&server).len(), 1);
    let other = client.upload(&image(&png(41, 30), "a-1.png")).unwrap();
    assert_ne!(other.id, first.id);
}

#[test]
fn an_upload_whose_answer_was_lost_is_sent_again_and_is_the_same_upload() {
    let Some(server) = start() else { return };
    server.faults(&json!({"upload_drop_after_store_on": 1}));
    let bytes = png(40, 30);
    let uploaded = client(&server).upload(&image(&bytes, "lost.png")).unwrap();
    assert_eq!(server.requests("POST", "/uploads.json"), 2);
    let held = uploads(&server);
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(uploaded.id, held[0]["id"].to_string());
}

#[test]
fn a_server_error_on_upload_names_the_service_the_site_and_the_message() {
    let Some(server) = start() else { return };
    server.faults(&json!({"upload_error_500_on": 1}));
    let bytes = png(40, 30);
    let err = client(&server)
        .upload(&image(&bytes, "broken.png"))
        .unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        format!(
            "uploading `broken.png` on Discourse at {}/: 500 Internal Server Error: Internal \
             Server Error",
            server.url
        )
    );
    assert!(uploads(&server).is_empty());
}

#[test]
fn an_upload_waits_out_a_rate_limit() {
    let Some(server) = start() else { return };
    server.faults(&json!({"upload_rate_limit_on": 1, "upload_retry_after": 1}));
    let bytes = png(40, 30);
    client(&server).upload(&image(&bytes, "busy.png")).unwrap();
    assert_eq!(server.requests("POST", "/uploads.json"), 2);
    assert_eq!(uploads(&server).len(), 1);
}

#[test]
fn an_image_over_the_forums_limits_is_refused_with_discourses_message() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.site(&json!({"action": "site_settings", "max_image_size_kb": 1}));
    let bytes = png(400, 300);
    assert!(bytes.len() >= 1024, "{}", bytes.len());
    let err = format!(
        "{:#}",
        client.upload(&image(&bytes, "big.png")).unwrap_err()
    );
    assert_eq!(
        err,
        format!(
            "uploading `big.png` on Discourse at {}/: 422 Unprocessable Entity: Sorry, the \
             image you are trying to upload is too big (maximum size is 1 KB), please resize \
             it and try again.",
            server.url
        )
    );
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>"#;
    let mut logo = image(svg, "logo.svg");
    logo.mime = "image/svg+xml";
    let err = format!("{:#}", client.upload(&logo).unwrap_err());
    assert!(
        err.ends_with(
            "422 Unprocessable Entity: Sorry, the file you are trying to upload is not \
             authorized (authorized extensions: jpg, jpeg, png, gif, heic, heif, webp, avif)."
        ),
        "{err}"
    );
    assert!(uploads(&server).is_empty());
}
