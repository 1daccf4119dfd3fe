use serde_json::json;

use super::*;
use crate::publish::http::unanswered;

use crate::publish::article_test_server::{KEY, Server};

fn start() -> Option<Server> {
    Server::start("devto_server.py")
}

fn settings(server: &Server, published: bool) -> Devto {
    Devto {
        url: server.url.clone(),
        token_env: "DEVTO_KEY".into(),
        published,
    }
}

fn client(server: &Server) -> Client {
    Client::new(&settings(server, false), Secret::new(KEY.into())).unwrap()
}

fn article(slug: &str) -> Article {
    Article {
        title: format!("Notes on {slug}"),
        body: format!("# Notes\n\nThe body of {slug}.\n"),
        summary: "A summary.".into(),
        slug: slug.into(),
        tags: vec!["rust".into(), "Web-Dev".into()],
        canonical_url: Some(format!("https://blog.example.org/{slug}/")),
    }
}

fn articles(server: &Server) -> Vec<Value> {
    server.state()["articles"].as_array().unwrap().clone()
}

#[test]
fn tags_become_four_of_lowercase_letters_and_digits() {
    let tags: Vec<String> = ["Rust", "web-dev", "c++", "rust", "a b", "fifth", "sixth"]
        .map(String::from)
        .to_vec();
    let fit = Tags::of(&tags);
    assert_eq!(fit.sent, ["rust", "webdev", "c", "ab"]);
    assert_eq!(fit.dropped, ["fifth", "sixth"]);
    assert_eq!(
        fit.note().unwrap(),
        "dev.to takes at most 4 tags of lowercase letters and digits: sent `Rust` as `rust`, \
         `web-dev` as `webdev`, `c++` as `c`, `a b` as `ab`; left out `fifth`, `sixth`"
    );
    assert_eq!(Tags::of(&["rust".to_string()]).note(), None);
    assert_eq!(Tags::of(&["--".to_string()]).dropped, ["--"]);
}

#[test]
fn a_long_summary_is_cut_to_fit_the_description() {
    let long = "word ".repeat(60);
    let cut = description(long.trim());
    assert!(cut.chars().count() <= 170, "{cut}");
    assert!(cut.ends_with("word…"), "{cut}");
    assert_eq!(description("Short."), "Short.");
}

#[test]
fn login_is_checked_and_a_wrong_key_is_an_error_without_the_key() {
    let Some(server) = start() else { return };
    client(&server).check_login().unwrap();
    let wrong = Client::new(
        &settings(&server, false),
        Secret::new("wrong-key-77a".into()),
    )
    .unwrap();
    let err = format!("{:#}", wrong.check_login().unwrap_err());
    assert!(err.contains("401 Unauthorized: unauthorized"), "{err}");
    assert!(err.contains("dev.to") && err.contains(&server.url), "{err}");
    assert!(!err.contains("wrong-key-77a"), "{err}");
    assert!(!format!("{wrong:?}").contains("wrong-key-77a"));
    let log = server.state()["requests"].to_string();
    assert!(log.contains(ACCEPT), "{log}");
}

#[test]
fn create_sends_a_draft_with_its_mark_fitted_tags_and_canonical_url() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let mut sent = article("first-post");
    sent.tags.extend(["one", "two", "three"].map(String::from));
    let made = client.create(&sent).unwrap();
    let held = &articles(&server)[0];
    assert_eq!(held["published"], false);
    assert_eq!(held["tags"], json!(["rust", "webdev", "one", "two"]));
    assert_eq!(
        held["canonical_url"],
        "https://blog.example.org/first-post/"
    );
    assert_eq!(held["description"], "A summary.");
    let body = held["body_markdown"].as_str().unwrap();
    assert!(body.ends_with("<!-- repurpose:first-post -->\n"), "{body}");
    assert_eq!(made.id, held["id"].to_string());
    assert_eq!(made.url, held["url"].as_str().unwrap());
    let stored = format!("Notes on first-post\0{body}");
    assert_eq!(made.stored, crate::hash::hash(stored.as_bytes()));
    assert_eq!(client.get(&made.id).unwrap(), Some(made.clone()));
    assert_eq!(client.find("first-post").unwrap(), Some(made));
    assert_eq!(client.find("first").unwrap(), None);
}

#[test]
fn published_comes_from_the_settings_on_create_only() {
    let Some(server) = start() else { return };
    let publishing = Client::new(&settings(&server, true), Secret::new(KEY.into())).unwrap();
    let made = publishing.create(&article("public")).unwrap();
    assert_eq!(articles(&server)[0]["published"], true);
    // Unpublished by hand on the site: an update leaves it so.
    server.site(
        &json!({"action": "edit_article", "id": articles(&server)[0]["id"], "published": false}),
    );
    let mut edited = article("public");
    edited.body.push_str("\nMore.\n");
    publishing.update(&made.id, &edited).unwrap();
    let held = &articles(&server)[0];
    assert_eq!(held["published"], false);
    assert!(held["body_markdown"].as_str().unwrap().contains("More."));
    let put = server.state()["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["method"] == "PUT")
        .cloned()
        .unwrap();
    assert!(put["body"]["article"].get("published").is_none(), "{put}");
}

#[test]
fn a_create_whose_answer_was_lost_is_found_not_made_twice() {
    let Some(server) = start() else { return };
    // Pages of two: the article is found past the first page.
    let client = client(&server).with_page(2);
    for n in 0..2 {
        client.create(&article(&format!("other-{n}"))).unwrap();
    }
    server.faults(&json!({"drop_after_store_on": 1}));
    let err = client.create(&article("dropped")).unwrap_err();
    assert!(unanswered(&err), "{err:#}");
    for n in 2..4 {
        client.create(&article(&format!("other-{n}"))).unwrap();
    }
    let found = client.find("dropped").unwrap().expect("the site has it");
    assert_eq!(articles(&server).len(), 5);
    assert_eq!(client.get(&found.id).unwrap(), Some(found));
    assert!(server.requests("GET", "/api/articles/me/all") >= 3);
}

#[test]
fn an_update_changes_the_article_in_place() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let made = client.create(&article("edited")).unwrap();
    let mut edited = article("edited");
    edited.title = "Notes on edited, revised".into();
    edited.tags = vec!["go".into()];
    let updated = client.update(&made.id, &edited).unwrap();
    assert_eq!(updated.id, made.id);
    assert_ne!(updated.stored, made.stored);
    let held = articles(&server);
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["title"], "Notes on edited, revised");
    assert_eq!(held[0]["tags"], json!(["go"]));
    assert!(
        held[0]["body_markdown"]
            .as_str()
            .unwrap()
            .contains("<!-- repurpose:edited -->")
    );
}

#[test]
fn a_deleted_article_is_gone() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let made = client.create(&article("deleted")).unwrap();
    server.site(&json!({"action": "delete_article", "id": articles(&server)[0]["id"]}));
    assert_eq!(client.get(&made.id).unwrap(), None);
    assert_eq!(client.find("deleted").unwrap(), None);
}

#[test]
fn a_rate_limit_is_waited_out() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let started = std::time::Instant::now();
    client.create(&article("limited")).unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(server.requests("POST", "/api/articles"), 2);
    assert_eq!(articles(&server).len(), 1);
}

#[test]
fn a_server_error_names_the_service_the_site_and_the_message() {
    let Some(server) = start() else { return };
    let client = client(&server);
    server.faults(&json!({"error_500_on": 1}));
    let err = format!("{:#}", client.create(&article("broken")).unwrap_err());
    assert!(
        err.contains("creating the article `broken` on dev.to at"),
        "{err}"
    );
    assert!(err.contains(&server.url), "{err}");
    assert!(
        err.contains("500 Internal Server Error: Internal Server Error"),
        "{err}"
    );
    assert!(articles(&server).is_empty());
}

#[test]
fn forems_refusal_is_shown_in_its_words() {
    let Some(server) = start() else { return };
    let client = client(&server);
    let mut long = article("long");
    long.title = "t".repeat(200);
    let err = format!("{:#}", client.create(&long).unwrap_err());
    assert!(
        err.contains("422 Unprocessable Entity: Title is too long (maximum is 128 characters)"),
        "{err}"
    );
}
