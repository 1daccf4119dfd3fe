//! The client against a scripted HTTP server on 127.0.0.1.
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use super::*;
use crate::publish::upload::{Upload, Uploaded, Uploader};

/// One request as the test server saw it.
struct Seen {
    /// `GET /?rest_route=… HTTP/1.1`
    line: String,
    /// The request line and the headers.
    head: String,
    body: String,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        let (_, value) = self.head.lines().skip(1).find_map(|line| {
            line.split_once(':')
                .filter(|(key, _)| key.eq_ignore_ascii_case(name))
        })?;
        Some(value.trim())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// A server on 127.0.0.1 answering each connection with the next canned `(status, body)`
/// (status 0: the connection closes without an answer) and recording the requests; the site
/// URL (with a path) and the record.
fn serve(answers: Vec<(u16, &str)>) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}/blog", listener.local_addr().expect("an address"));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    let answers: Vec<(u16, String)> = answers.into_iter().map(|(s, b)| (s, b.into())).collect();
    thread::spawn(move || {
        for (status, body) in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            while !head.ends_with("\r\n\r\n")
                && reader.read_line(&mut head).expect("a request head") > 0
            {}
            let line = head.lines().next().unwrap_or_default().to_string();
            let mut seen = Seen {
                line,
                head,
                body: String::new(),
            };
            let length = seen
                .header("content-length")
                .map_or(0, |n| n.parse().expect("a length"));
            let mut request_body = vec![0; length];
            reader.read_exact(&mut request_body).expect("the body");
            seen.body = String::from_utf8_lossy(&request_body).into_owned();
            record.lock().expect("the record").push(seen);
            if status == 0 {
                continue;
            }
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            reader
                .into_inner()
                .write_all(reply.as_bytes())
                .expect("the reply is written");
        }
    });
    (url, seen)
}

fn client(url: &str) -> Client {
    let password = Secret::new("abcd EFGH 1234 ijkl".into());
    Client::new(Site::new(url, "editor", password).expect("a valid URL"))
}

fn draft() -> Draft {
    Draft {
        title: "Leverage & networking".into(),
        content: "<p>Body</p>".into(),
        excerpt: "Short".into(),
        slug: "leverage".into(),
        date: Some("2024-05-01".into()),
        tags: vec!["Rust".into(), "cli".into()],
        status: "draft".into(),
    }
}

fn untagged() -> Draft {
    let tags = Vec::new();
    Draft { tags, ..draft() }
}

/// The error, with its chain, as the user reads it.
fn error<T: fmt::Debug>(result: anyhow::Result<T>) -> String {
    format!("{:#}", result.expect_err("an error"))
}

/// The request lines the server saw, without ` HTTP/1.1`.
fn lines(seen: &Mutex<Vec<Seen>>) -> Vec<String> {
    let seen = seen.lock().expect("the record");
    seen.iter()
        .map(|request| request.line.replace(" HTTP/1.1", ""))
        .collect()
}

/// The JSON of a WordPress error.
fn wp_error(code: &str, message: &str, status: u16) -> String {
    json!({"code": code, "message": message, "data": {"status": status}}).to_string()
}

/// The REST API's index of a site that takes application passwords.
const INDEX: &str = r#"{"authentication":{"application-passwords":{"endpoints":{}}}}"#;

const POST: &str = r#"{"id":7,"link":"http://x/?p=7","status":"draft","slug":"leverage"}"#;

#[test]
fn endpoints_work_for_roots_with_and_without_a_path_or_slash() {
    let site = |url| Site::new(url, "u", Secret::new("p".into())).expect("a valid URL");
    let route = "/wp/v2/posts";
    for (root, want) in [
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com/blog", "https://example.com/blog/"),
        ("http://localhost/blog", "http://localhost/blog/"),
        ("https://example.com/blog/", "https://example.com/blog/"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
    ] {
        let want = format!("{want}?rest_route=/wp/v2/posts");
        assert_eq!(site(root).endpoint(route, &[]), want, "for {root}");
    }
    assert_eq!(
        site("https://example.com/blog").endpoint(route, &[("slug", "a b&c"), ("x", "1")]),
        "https://example.com/blog/?rest_route=/wp/v2/posts&slug=a+b%26c&x=1"
    );
}

#[test]
fn a_bad_url_is_an_error_naming_it_and_no_password_in_it() {
    let site = |url| Site::new(url, "u", Secret::new("p".into()));
    let bad = error(site("example.com/blog"));
    assert!(
        bad.contains("`example.com/blog` is not a valid URL"),
        "{bad}"
    );
    let bad = error(site("ftp://example.com"));
    assert!(
        bad.contains("`ftp://example.com` must start with https://"),
        "{bad}"
    );
    let bad = error(site("https://me:hunter2@example.com"));
    assert!(bad.contains("holds a username or password") && !bad.contains("hunter2"));
}

#[test]
fn basic_auth_encodes_like_rfc_7617() {
    assert_eq!(
        base64(b"Aladdin:open sesame"),
        "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    );
    let short = [b"".as_slice(), b"a", b"ab", b"abc"].map(base64);
    assert_eq!(short, ["", "YQ==", "YWI=", "YWJj"]);
}

#[test]
fn check_login_sends_basic_credentials_and_wants_a_user_who_may_write() {
    let reader = r#"{"id":2,"capabilities":{"edit_posts":false}}"#;
    let (url, seen) = serve(vec![
        (200, r#"{"id":1,"capabilities":{"edit_posts":true}}"#),
        (200, reader),
    ]);
    client(&url).check_login().expect("the login is accepted");
    let refused = error(client(&url).check_login());
    assert!(refused.ends_with("the user `editor` may not write posts (make them an Author)"));
    assert_eq!(
        lines(&seen)[0],
        "GET /blog/?rest_route=/wp/v2/users/me&context=edit"
    );
    let seen = seen.lock().expect("the record");
    let basic = format!("Basic {}", base64(b"editor:abcd EFGH 1234 ijkl"));
    assert_eq!(seen[0].header("authorization"), Some(basic.as_str()));
    let agent = seen[0].header("user-agent").unwrap_or_default();
    assert!(agent.starts_with("repurpose/"), "{agent}");
}

#[test]
fn a_wrong_password_is_a_plain_error_without_the_password() {
    let message = "<strong>Error:</strong> The password you entered for the username \
                   <strong>editor</strong> is incorrect.";
    let refused = wp_error("incorrect_password", message, 401);
    let (url, seen) = serve(vec![(401, &refused), (200, INDEX)]);
    let error = error(client(&url).check_login());
    assert_eq!(
        error,
        format!(
            "checking the login: WordPress at {url}/ refused the login for user `editor`: \
             wrong username or application password (incorrect_password)"
        )
    );
    assert!(!error.contains("abcd"), "{error}");
    assert_eq!(lines(&seen)[1], "GET /blog/?rest_route=/");
}

#[test]
fn a_wrong_password_seen_late_by_wordpress_is_still_a_refused_login() {
    // What WordPress 6.1 answers to a wrong application password on most routes.
    let not_logged_in = wp_error(
        "rest_not_logged_in",
        "You are not currently logged in.",
        401,
    );
    let cannot_create = wp_error("rest_cannot_create", "Sorry, you are not allowed.", 401);
    let answers = vec![
        (401, not_logged_in.as_str()),
        (200, INDEX),
        (401, &cannot_create),
    ];
    let (url, _) = serve(answers);
    let client = client(&url);
    let refused = error(client.check_login());
    assert!(
        refused.ends_with("wrong username or application password (rest_not_logged_in)"),
        "{refused}"
    );
    assert_eq!(
        error(client.create(&untagged())),
        format!(
            "creating the post `leverage`: WordPress at {url}/ refused the login for user \
             `editor`: wrong username or application password (rest_cannot_create)"
        )
    );
}

#[test]
fn a_site_without_application_passwords_is_told_so() {
    let not_logged_in = wp_error(
        "rest_not_logged_in",
        "You are not currently logged in.",
        401,
    );
    let (url, _) = serve(vec![
        (401, &not_logged_in),
        (200, r#"{"authentication":[]}"#),
    ]);
    let error = error(client(&url).check_login());
    assert!(error.contains("does not accept application passwords: they need HTTPS"));
}

#[test]
fn a_site_that_is_not_wordpress_is_told_so() {
    let (url, _) = serve(vec![(200, "<html><body>Hello</body></html>")]);
    let error = error(client(&url).check_login());
    assert!(
        error.contains("the answer is not JSON (the answer: Hello)"),
        "{error}"
    );
    assert!(
        error.contains("WordPress site with its REST API"),
        "{error}"
    );
}

#[test]
fn a_refused_connection_says_so() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    let url = format!("http://{}", listener.local_addr().expect("an address"));
    drop(listener);
    let error = error(client(&url).check_login());
    let want = format!("checking the login on {url}/: could not connect");
    assert!(error.starts_with(&want), "{error}");
}

#[test]
fn create_sends_every_field_with_tag_ids() {
    let (url, seen) = serve(vec![
        (200, r#"[{"id":3,"name":"rust","slug":"rust"}]"#),
        (200, "[]"),
        (201, r#"{"id":4,"name":"cli","slug":"cli"}"#),
        (201, POST),
    ]);
    let remote = client(&url).create(&draft()).expect("created");
    let (link, status, slug) = ("http://x/?p=7".into(), "draft".into(), "leverage".into());
    assert_eq!(
        remote,
        Remote {
            id: 7,
            link,
            status,
            slug,
            content: String::new(),
            title: String::new(),
        }
    );
    let tags = "GET /blog/?rest_route=/wp/v2/tags&search=";
    assert_eq!(
        lines(&seen),
        [
            format!("{tags}Rust&per_page=100&hide_empty=false"),
            format!("{tags}cli&per_page=100&hide_empty=false"),
            "POST /blog/?rest_route=/wp/v2/tags".into(),
            "POST /blog/?rest_route=/wp/v2/posts".into(),
        ]
    );
    let seen = seen.lock().expect("the record");
    assert_eq!(seen[2].json(), json!({"name": "cli"}));
    assert_eq!(
        seen[3].header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        seen[3].json(),
        json!({
            "title": "Leverage & networking",
            "content": "<p>Body</p>",
            "excerpt": "Short",
            "slug": "leverage",
            "status": "draft",
            "tags": [3, 4],
            "date": "2024-05-01T00:00:00",
        })
    );
}

#[test]
fn update_posts_to_the_id_and_an_instant_goes_as_utc() {
    let (url, seen) = serve(vec![(200, POST)]);
    let date = Some("2024-05-01T09:30:00+02:00".into());
    client(&url)
        .update(7, &Draft { date, ..untagged() })
        .expect("updated");
    assert_eq!(lines(&seen), ["POST /blog/?rest_route=/wp/v2/posts/7"]);
    let body = seen.lock().expect("the record")[0].json();
    assert_eq!(body["date_gmt"], "2024-05-01T07:30:00");
    assert_eq!(body.get("date"), None);
    assert_eq!(body["tags"], json!([]));
}

#[test]
fn dates_map_to_local_or_utc_fields() {
    let field = |date| wordpress_date(date).expect("a date");
    assert_eq!(field("2024-05-01"), ("date", "2024-05-01T00:00:00".into()));
    assert_eq!(
        field("2024-05-01T09:30:00"),
        ("date", "2024-05-01T09:30:00".into())
    );
    assert_eq!(
        field("2024-05-01T09:30:00Z"),
        ("date_gmt", "2024-05-01T09:30:00".into())
    );
    let west = field("2024-05-01T01:30:00-03:00");
    assert_eq!(west, ("date_gmt", "2024-05-01T04:30:00".into()));
    assert!(error(wordpress_date("May 1st")).contains("`May 1st`"));
}

#[test]
fn an_existing_tag_reported_by_term_exists_is_reused() {
    let exists: Value = json!({"code": "term_exists", "message": "A term with the name \
        provided already exists in this taxonomy.", "data": {"status": 400, "term_id": 12}});
    let (url, seen) = serve(vec![(200, "[]"), (400, &exists.to_string())]);
    let ids = client(&url).tag_ids(&["Q&A".into()]).expect("the tag's id");
    assert_eq!(ids, vec![12]);
    assert_eq!(lines(&seen).len(), 2);
}

#[test]
fn tags_match_by_name_ignoring_case_and_entities_or_by_slug() {
    let qa = r#"[{"id":5,"name":"Q&amp;A","slug":"qa"}]"#;
    let open_source = r#"[{"id":6,"name":"Open Source","slug":"open-source"}]"#;
    let (url, _) = serve(vec![(200, qa), (200, open_source), (200, qa)]);
    let names = ["q&a".into(), "open-source".into(), "Q&A".into(), " ".into()];
    assert_eq!(client(&url).tag_ids(&names).expect("ids"), vec![5, 6]);
}

#[test]
fn find_by_slug_asks_for_every_status_but_trash() {
    let (url, seen) = serve(vec![(200, &format!("[{POST}]")), (200, "[]")]);
    let client = client(&url);
    let found = client.find_by_slug("leverage").expect("an answer");
    assert_eq!(found.map(|post| post.id), Some(7));
    assert_eq!(client.find_by_slug("other").expect("an answer"), None);
    assert_eq!(
        lines(&seen)[0],
        "GET /blog/?rest_route=/wp/v2/posts&slug=leverage\
         &status=publish%2Cfuture%2Cdraft%2Cpending%2Cprivate&context=edit&per_page=100"
    );
}

#[test]
fn several_posts_with_one_slug_is_an_error_naming_them() {
    let second = POST.replace("\"id\":7", "\"id\":9");
    let (url, _) = serve(vec![(200, &format!("[{POST},{second}]"))]);
    let error = error(client(&url).find_by_slug("leverage"));
    assert!(
        error.contains("2 posts have that slug (ids 7, 9)"),
        "{error}"
    );
}

#[test]
fn get_is_none_for_a_missing_or_trashed_post() {
    let missing = wp_error("rest_post_invalid_id", "Invalid post ID.", 404);
    let trashed = POST.replace("\"draft\"", "\"trash\"");
    let (url, seen) = serve(vec![(404, &missing), (200, &trashed), (200, POST)]);
    let client = client(&url);
    assert_eq!(client.get(7).expect("an answer"), None);
    assert_eq!(client.get(7).expect("an answer"), None);
    assert_eq!(
        client.get(7).expect("an answer").map(|post| post.id),
        Some(7)
    );
    assert_eq!(
        lines(&seen)[0],
        "GET /blog/?rest_route=/wp/v2/posts/7&context=edit"
    );
}

#[test]
fn a_server_error_names_the_site_the_action_and_the_message() {
    let failed = wp_error(
        "db_insert_error",
        "Could not insert post into the database.",
        500,
    );
    let (url, _) = serve(vec![(500, &failed)]);
    assert_eq!(
        error(client(&url).create(&untagged())),
        format!(
            "creating the post `leverage` on {url}/: 500 Internal Server Error: \
             Could not insert post into the database. (db_insert_error)"
        )
    );
}

#[test]
fn a_redirect_names_where_to() {
    let (url, _) = serve(vec![(301, "")]);
    let error = error(client(&url).check_login());
    assert!(
        error.contains("301 Moved Permanently: the site redirects to"),
        "{error}"
    );
}

#[test]
fn an_application_password_never_crosses_the_network_over_plain_http() {
    let err = Site::new("http://blog.example.org", "ana", Secret::new("pw".into()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("is http://: the application password would cross the network in the clear"),
        "{err}"
    );
    for local in [
        "http://127.0.0.1:8080",
        "http://localhost/blog",
        "https://blog.example.org",
    ] {
        assert!(
            Site::new(local, "ana", Secret::new("pw".into())).is_ok(),
            "{local}"
        );
    }
}

/// A small image to upload: the bytes are not UTF-8, as a real file's are not.
fn image() -> Upload<'static> {
    Upload {
        bytes: b"\x89PNG\r\n\x1a\n not really",
        name: "Growth Chart-1a2b3c4d.PNG",
        mime: "image/png",
        alt: "Growth & decline, 2024",
        width: 640,
        height: 480,
    }
}

const MEDIA: &str = r#"{"id":31,"slug":"growth-chart-1a2b3c4d","source_url":"http://x/uploads/growth-chart-1a2b3c4d.png"}"#;

fn uploaded() -> Uploaded {
    Uploaded {
        id: "31".into(),
        url: "http://x/uploads/growth-chart-1a2b3c4d.png".into(),
        extra: Value::Null,
    }
}

#[test]
fn an_upload_sends_the_raw_file_with_its_name_type_slug_and_alt_text_at_once() {
    let (url, seen) = serve(vec![(201, MEDIA)]);
    assert_eq!(client(&url).upload(&image()).expect("uploaded"), uploaded());
    assert_eq!(
        lines(&seen),
        [
            "POST /blog/?rest_route=/wp/v2/media&slug=growth-chart-1a2b3c4d\
          &alt_text=Growth+%26+decline%2C+2024"
        ]
    );
    let seen = seen.lock().expect("the record");
    assert_eq!(seen[0].header("content-type"), Some("image/png"));
    assert_eq!(
        seen[0].header("content-disposition"),
        Some(r#"attachment; filename="growth-chart-1a2b3c4d.png""#)
    );
    assert!(
        seen[0].body.starts_with("\u{fffd}PNG\r\n"),
        "{:?}",
        seen[0].body
    );
}

#[test]
fn an_upload_whose_answer_was_lost_is_found_by_its_slug_not_sent_again() {
    let (url, seen) = serve(vec![(0, ""), (200, &format!("[{MEDIA}]"))]);
    assert_eq!(client(&url).upload(&image()).expect("found"), uploaded());
    assert_eq!(
        lines(&seen)[1],
        "GET /blog/?rest_route=/wp/v2/media&slug=growth-chart-1a2b3c4d&per_page=100"
    );
    assert_eq!(lines(&seen).len(), 2, "no second upload");
}

#[test]
fn a_lost_answer_with_nothing_stored_stays_a_lost_answer() {
    let (url, _) = serve(vec![(0, ""), (200, "[]")]);
    let err = client(&url).upload(&image()).expect_err("an error");
    assert!(
        crate::publish::http::unanswered(&err),
        "the caller must know the site may hold it: {err:#}"
    );
    assert!(
        format!("{err:#}").contains("uploading `Growth Chart-1a2b3c4d.PNG` on http://"),
        "{err:#}"
    );
}

#[test]
fn a_server_error_on_upload_names_the_site_and_wordpress_message() {
    let refused = wp_error(
        "rest_upload_sideload_error",
        "Sorry, you are not allowed to upload this file type.",
        500,
    );
    let (url, seen) = serve(vec![(500, &refused), (200, "[]")]);
    let error = error(client(&url).upload(&image()));
    assert_eq!(
        error,
        format!(
            "uploading `Growth Chart-1a2b3c4d.PNG` on {url}/: 500 Internal Server Error: \
             Sorry, you are not allowed to upload this file type. (rest_upload_sideload_error)"
        )
    );
    // WordPress stores the file before it makes the smaller sizes: a 500 may come after.
    assert!(lines(&seen)[1].starts_with("GET /blog/?rest_route=/wp/v2/media&slug="));
}

#[test]
fn a_file_too_big_for_the_web_server_or_a_multisite_says_which_limit() {
    let nginx = "<html><head><title>413 Request Entity Too Large</title></head></html>";
    let (url, _) = serve(vec![(413, nginx)]);
    let nginx_said = error(client(&url).upload(&image()));
    assert_eq!(
        nginx_said,
        format!(
            "uploading `Growth Chart-1a2b3c4d.PNG` on {url}/: 413 Payload Too Large: the site's \
             web server takes no file of 19 bytes; raise its limit (nginx: \
             `client_max_body_size`, Apache: `LimitRequestBody`) or use a smaller image"
        )
    );
    // A multisite's own limit, `fileupload_maxk`.
    let refused = wp_error(
        "rest_upload_file_too_big",
        "This file is too big. Files must be less than 1500 KB in size.",
        400,
    );
    let (url, _) = serve(vec![(400, &refused)]);
    let wordpress_said = error(client(&url).upload(&image()));
    assert!(
        wordpress_said.ends_with(
            "400 Bad Request: This file is too big. Files must be less than 1500 KB in size. \
             (rest_upload_file_too_big)"
        ),
        "{wordpress_said}"
    );
}

#[test]
fn find_upload_wants_the_exact_slug() {
    let other = r#"[{"id":5,"slug":"growth-chart-1a2b3c4d-2","source_url":"http://x/a-1.png"}]"#;
    let (url, _) = serve(vec![(200, other)]);
    let found = client(&url).find_upload("growth-chart-1a2b3c4d.png");
    assert_eq!(found.expect("an answer"), None);
}

#[test]
fn stored_names_are_fixed_points_of_wordpress_sanitize_title() {
    for (name, slug, file) in [
        ("chart-1a2b3c4d.png", "chart-1a2b3c4d", "chart-1a2b3c4d.png"),
        ("Growth Chart.PNG", "growth-chart", "growth-chart.png"),
        ("--ünïcode  \"x\".jpeg", "n-code-x", "n-code-x.jpeg"),
        ("a.b.c.gif", "a-b-c", "a-b-c.gif"),
        ("snake_case.webp", "snake_case", "snake_case.webp"),
        (".png", "png", "png"),
        ("日本.png", "image", "image.png"),
    ] {
        assert_eq!(
            media::stored_names(name),
            (slug.into(), file.into()),
            "{name}"
        );
    }
}
