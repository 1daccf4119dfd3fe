//! The WordPress the publish tests run against (`tests/support/wordpress.rs`): it comes up,
//! takes a post through the REST API with an application password, shows it on the page it
//! renders, and leaves no process behind. Without the Debian packages the test skips with a
//! note (`bash tests/servers/wordpress.sh install` installs them).

#[path = "support/wordpress.rs"]
mod wordpress;

use serde_json::json;

#[test]
fn wordpress_takes_a_post_shows_it_and_stops() {
    let Some(site) = wordpress::start() else {
        return;
    };
    let folder = site.dir().to_path_buf();

    let tag = site.post_json("/wp/v2/tags", &json!({"name": "Small audiences"}));
    let tag_id = tag["id"].as_u64().expect("a tag id");
    let created = site.post_json(
        "/wp/v2/posts",
        &json!({
            "title": "Writing for small audiences",
            "content": "<p>One reader is <strong>enough</strong>.</p>",
            "excerpt": "Why one reader is enough.",
            "slug": "small-audiences",
            "date": "2024-03-14T09:30:00",
            "tags": [tag_id],
            "status": "publish",
        }),
    );
    let id = created["id"].as_u64().expect("a post id");

    let post = site.get_json(&format!("/wp/v2/posts/{id}?context=edit"));
    assert_eq!(post["title"]["raw"], "Writing for small audiences");
    assert_eq!(
        post["content"]["raw"],
        "<p>One reader is <strong>enough</strong>.</p>"
    );
    assert_eq!(post["excerpt"]["raw"], "Why one reader is enough.");
    assert_eq!(post["slug"], "small-audiences");
    assert_eq!(post["date"], "2024-03-14T09:30:00");
    assert_eq!(post["status"], "publish");
    assert_eq!(post["tags"], json!([tag_id]));

    let page = site.page(id);
    assert!(
        page.contains("Writing for small audiences"),
        "the title is on the page:\n{page}"
    );
    assert!(
        page.contains("<p>One reader is <strong>enough</strong>.</p>"),
        "the content is on the page:\n{page}"
    );
    assert!(
        page.contains(">Small audiences<"),
        "the tag is on the page:\n{page}"
    );

    // A wrong password is refused (WordPress 6.1 answers 401 with a generic code).
    let mut refused = site
        .agent()
        .get(site.rest("/wp/v2/users/me"))
        .header(
            "Authorization",
            wordpress::basic_authorization(&site.user, "wrong"),
        )
        .call()
        .expect("WordPress answers");
    assert_eq!(refused.status().as_u16(), 401);
    let body: serde_json::Value = refused.body_mut().read_json().expect("a JSON error");
    assert_eq!(body["data"]["status"], 401);

    drop(site);
    assert_eq!(
        wordpress::processes_mentioning(&folder),
        Vec::<String>::new()
    );
    assert!(!folder.exists(), "the site's folder is removed");
}

#[test]
fn basic_authorization_is_rfc_7617s() {
    assert_eq!(
        wordpress::basic_authorization("Aladdin", "open sesame"),
        "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    assert_eq!(wordpress::basic_authorization("a", "b c"), "Basic YTpiIGM=");
    assert_eq!(wordpress::basic_authorization("ab", "c"), "Basic YWI6Yw==");
}
