//! The client against Bluesky's real reference PDS on 127.0.0.1 (tests/servers/pds), through
//! tests/servers/fault_proxy.py for the faults the PDS cannot make. The tests share one PDS,
//! each with an account of its own, and skip with a note where it is not installed.

use std::time::Instant;

use super::*;
use crate::config::publish::Bluesky;
use crate::publish::network::fits;

#[path = "../../../tests/support/bluesky.rs"]
mod pds;

fn settings(url: &str, handle: &str) -> Bluesky {
    Bluesky {
        url: url.to_string(),
        handle: handle.to_string(),
        password_env: "BLUESKY_APP_PASSWORD".to_string(),
    }
}

fn login(url: &str, account: &pds::Account) -> Client {
    Client::login(
        &settings(url, &account.handle),
        Secret::new(account.password.clone()),
    )
    .expect("logging in with the account's password")
}

/// The record key of an `at://` URI.
fn rkey(uri: &str) -> &str {
    uri.rsplit('/').next().unwrap_or_default()
}

#[test]
fn keys_are_tids_that_grow_and_carry_the_seed() {
    let alphabet = "234567abcdefghijklmnopqrstuvwxyz";
    assert_eq!(tid(0, 0), "2222222222222");
    // The largest TID: the top bit is always 0.
    assert_eq!(tid((1 << 53) - 1, 0x3ff), "bzzzzzzzzzzzz");
    let key = tid(1_700_000_000_000_000, 7);
    assert_eq!(key.len(), 13);
    assert!(key.chars().all(|c| alphabet.contains(c)), "{key}");
    assert!(tid(1_700_000_000_000_001, 0) > tid(1_700_000_000_000_000, 0x3ff));
    assert!(tid(5, 1).ends_with('3') && tid(5, 0).ends_with('2'));
}

#[test]
fn logs_in_and_a_wrong_password_is_refused_without_showing_it() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("lena.test");
    let client = login(&pds.url, &ana);
    assert_eq!(client.did(), ana.did);
    assert_eq!(client.handle(), "lena.test");
    let debug = format!("{client:?}");
    assert!(
        !debug.contains(&ana.password) && !debug.contains("eyJ"),
        "{debug}"
    );

    let wrong = Client::login(
        &settings(&pds.url, "lena.test"),
        Secret::new("not-the-password-4711".into()),
    )
    .unwrap_err();
    let message = format!("{wrong:#}");
    assert!(message.contains("Bluesky"), "{message}");
    assert!(message.contains(&pds.url), "{message}");
    assert!(message.contains("401"), "{message}");
    assert!(
        message.contains("Invalid identifier or password"),
        "{message}"
    );
    assert!(message.contains("app password"), "{message}");
    assert!(!message.contains("not-the-password-4711"), "{message}");
    assert!(!format!("{wrong:?}").contains("not-the-password-4711"));
}

#[test]
fn a_thread_replies_to_its_root_and_the_part_before() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("theo.test");
    let client = login(&pds.url, &ana);
    let mut parts: Vec<PartRef> = Vec::new();
    for (i, text) in ["One 🧵", "Two", "Three"].into_iter().enumerate() {
        let key = client.key(&format!("post/{i}/{text}"));
        let reply = parts.first().map(|root| Reply {
            root,
            parent: parts.last().unwrap_or(root),
        });
        let part = client
            .create(text, &[], reply, &key)
            .expect("posting a part");
        assert_eq!(rkey(&part.id), key, "the record key is ours");
        assert_eq!(
            part.url,
            format!("https://bsky.app/profile/theo.test/post/{key}")
        );
        parts.push(part);
    }
    let posts = pds.posts(&ana.did);
    assert_eq!(posts.len(), 3);
    let strong = |part: &PartRef| json!({"uri": part.id, "cid": part.cid});
    for (i, part) in parts.iter().enumerate() {
        let record = pds.post(&ana.did, rkey(&part.id));
        assert_eq!(record["cid"], part.cid.as_str());
        let reply = &record["value"]["reply"];
        if i == 0 {
            assert!(reply.is_null(), "the first part replies to nothing");
        } else {
            assert_eq!(reply["root"], strong(&parts[0]), "part {i}'s root");
            assert_eq!(reply["parent"], strong(&parts[i - 1]), "part {i}'s parent");
        }
    }
    assert!(!client.edits());
    let err = client.edit(&parts[0], "One, edited", &[]).unwrap_err();
    assert!(err.to_string().contains("Bluesky shows no edits"), "{err}");
}

#[test]
fn link_facets_cover_the_url_bytes_after_emoji_and_cjk() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("facets.test");
    let client = login(&pds.url, &ana);
    let text = "👩‍👩‍👧‍👦🇫🇷 日本語のテキスト https://example.com/a?b=1, \
                then e\u{301}\u{301} (https://example.org/wiki/X_(y)).";
    let key = client.key("facets");
    let part = client.create(text, &[], None, &key).expect("posting");
    let record = pds.post(&ana.did, rkey(&part.id));
    let value = &record["value"];
    assert_eq!(value["text"], text);
    let facets = value["facets"].as_array().expect("facets");
    let uris: Vec<&str> = facets
        .iter()
        .map(|facet| {
            let index = &facet["index"];
            let start = index["byteStart"].as_u64().expect("byteStart") as usize;
            let end = index["byteEnd"].as_u64().expect("byteEnd") as usize;
            let uri = facet["features"][0]["uri"].as_str().expect("a link");
            assert_eq!(
                facet["features"][0]["$type"],
                "app.bsky.richtext.facet#link"
            );
            assert_eq!(&text.as_bytes()[start..end], uri.as_bytes());
            uri
        })
        .collect();
    assert_eq!(
        uris,
        [
            "https://example.com/a?b=1",
            "https://example.org/wiki/X_(y)"
        ]
    );
}

/// 300 grapheme clusters of emoji with skin tones, ZWJ families, flags, combining marks and
/// CJK: 2,820 bytes.
fn three_hundred_clusters() -> String {
    ["👍🏽", "👨‍👩‍👧‍👦", "🇯🇵", "e\u{301}", "日"].concat().repeat(60)
}

#[test]
fn the_pds_counts_graphemes_as_we_do() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("graphemes.test");
    let client = login(&pds.url, &ana);
    let limits = client.limits().expect("limits");
    assert_eq!(limits.max_chars, 300);

    let full = three_hundred_clusters();
    assert!(full.len() <= 3000);
    assert_eq!(fits(&full, limits), Ok(()));
    client
        .create(&full, &[], None, &client.key("300"))
        .expect("300 clusters are taken");

    for extra in ["e\u{301}", "👨‍👩‍👧‍👦", "日"] {
        let over = format!("{full}{extra}");
        let why = fits(&over, limits).expect_err("301 clusters do not fit");
        assert!(why.contains("301 characters"), "{why}");
        let err = client
            .create(&over, &[], None, &client.key(&over))
            .expect_err("the PDS refuses 301 clusters");
        let message = format!("{err:#}");
        assert!(message.contains("400"), "{message}");
        // The PDS's own count, the same as ours.
        assert!(
            message.contains("grapheme too big (maximum 300, got 301)"),
            "{message}"
        );
    }
    // A long URL counts whole, every character of it.
    let url = format!("https://example.com/{}", "a/".repeat(100));
    let with_url = format!("{url} {}", "日".repeat(300 - 1 - url.chars().count()));
    assert_eq!(fits(&with_url, limits), Ok(()));
    let part = client
        .create(&with_url, &[], None, &client.key("url"))
        .expect("300 clusters with a long URL are taken");
    let record = pds.post(&ana.did, rkey(&part.id));
    assert_eq!(record["value"]["facets"][0]["features"][0]["uri"], url);
    let over = format!("{with_url}日");
    assert!(fits(&over, limits).is_err());
    let err = client
        .create(&over, &[], None, &client.key("url+1"))
        .expect_err("the PDS refuses 301 clusters");
    assert!(
        format!("{err:#}").contains("grapheme too big (maximum 300, got 301)"),
        "{err:#}"
    );
    assert_eq!(pds.posts(&ana.did).len(), 2);
}

#[test]
fn the_pds_counts_bytes_as_we_do() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("bytes.test");
    let client = login(&pds.url, &ana);
    let limits = client.limits().expect("limits");
    // 120 families of four, 25 bytes each: 120 clusters, 3,000 bytes.
    let full = "👨‍👩‍👧‍👦".repeat(120);
    assert_eq!(full.len(), 3000);
    assert_eq!(fits(&full, limits), Ok(()));
    client
        .create(&full, &[], None, &client.key("3000"))
        .expect("3,000 bytes are taken");

    let over = format!("{full}a");
    let why = fits(&over, limits).expect_err("3,001 bytes do not fit");
    assert!(why.contains("3001 bytes"), "{why}");
    let err = client
        .create(&over, &[], None, &client.key("3001"))
        .expect_err("the PDS refuses 3,001 bytes");
    let message = format!("{err:#}");
    assert!(message.contains("400 Bad Request"), "{message}");
    assert!(
        message.contains("string too big (maximum 3000, got 3001)"),
        "{message}"
    );
    assert_eq!(pds.posts(&ana.did).len(), 1);
}

#[test]
fn a_part_stored_whose_answer_was_lost_is_found_not_posted_again() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("lost.test");
    let proxy = pds.proxy();
    let client = login(&proxy.url, &ana);
    proxy.faults(&json!({"drop_after_store_on": 1}));
    let key = client.key("dropped");
    let err = client
        .create("Stored, answer lost", &[], None, &key)
        .unwrap_err();
    assert!(http::unanswered(&err), "{err:#}");

    // What the generic side does next: look before posting again.
    let found = client
        .find(
            &crate::publish::network::part_hash("Stored, answer lost"),
            None,
            &key,
        )
        .expect("the look-up")
        .expect("the PDS stored the part");
    assert_eq!(rkey(&found.id), key);
    let posts = pds.posts(&ana.did);
    assert_eq!(posts.len(), 1, "no duplicate");
    assert_eq!(posts[0]["cid"], found.cid.as_str());

    // A key never posted is not found; a key holding other text is an error, not a match.
    assert_eq!(
        client
            .find(
                &crate::publish::network::part_hash("x"),
                None,
                &client.key("never")
            )
            .unwrap(),
        None
    );
    let other = client
        .find(
            &crate::publish::network::part_hash("Other text"),
            None,
            &key,
        )
        .unwrap_err();
    assert!(other.to_string().contains("other text"), "{other}");
}

#[test]
fn a_429_is_waited_out_and_the_part_posted_once() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("waits.test");
    let proxy = pds.proxy();
    let client = login(&proxy.url, &ana);
    proxy.faults(&json!({"rate_limit_on": 1, "retry_after": 1}));
    let started = Instant::now();
    client
        .create("After a wait", &[], None, &client.key("429"))
        .expect("posted after the wait");
    assert!(started.elapsed().as_secs_f64() >= 1.0);
    let creates: Vec<String> = proxy
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("com.atproto.repo.createRecord"))
        .collect();
    assert_eq!(
        creates,
        [
            "com.atproto.repo.createRecord 429",
            "com.atproto.repo.createRecord 200"
        ]
    );
    assert_eq!(pds.posts(&ana.did).len(), 1);
}

#[test]
fn a_500_names_the_service_the_site_and_the_message() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("refused.test");
    let proxy = pds.proxy();
    let client = login(&proxy.url, &ana);
    proxy.faults(&json!({"error_500_on": 1}));
    let err = client
        .create("Refused", &[], None, &client.key("500"))
        .unwrap_err();
    let message = format!("{err:#}");
    assert!(!http::unanswered(&err));
    for said in [
        "posting as @refused.test",
        "Bluesky",
        proxy.url.as_str(),
        "500 Internal Server Error",
        "InternalServerError: Internal Server Error (injected)",
    ] {
        assert!(message.contains(said), "{said:?} in {message}");
    }
    assert!(!message.contains(&ana.password), "{message}");
    assert!(pds.posts(&ana.did).is_empty());
}

#[test]
fn an_expired_token_is_refreshed_and_the_part_posted() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("refresh.test");
    let proxy = pds.proxy();
    let client = login(&proxy.url, &ana);
    proxy.faults(&json!({"expired_token_on": 1}));
    client
        .create("After a refresh", &[], None, &client.key("refresh"))
        .expect("posted with a refreshed token");
    assert_eq!(
        proxy.calls(),
        [
            "com.atproto.server.createSession 200",
            "com.atproto.repo.createRecord 400",
            "com.atproto.server.refreshSession 200",
            "com.atproto.repo.createRecord 200",
        ]
    );
    assert_eq!(pds.posts(&ana.did).len(), 1);
}

#[test]
fn the_pds_own_429_past_the_longest_wait_says_when_to_try_again() {
    // The PDS's own rate limit: 30 logins a handle in five minutes, told by `RateLimit-*`
    // headers (no `Retry-After`), the reset minutes away: too long to wait for.
    let Some(pds) = pds::start_with(&[("PDS_RATE_LIMITS_ENABLED", "true")]) else {
        return;
    };
    let ana = pds.account("ana.test");
    let mut logins = 0;
    let started = Instant::now();
    let err = loop {
        match Client::login(
            &settings(&pds.url, &ana.handle),
            Secret::new(ana.password.clone()),
        ) {
            Ok(_) if logins < 100 => logins += 1,
            Ok(_) => panic!("100 logins and no 429"),
            Err(err) => break err,
        }
    };
    assert_eq!(logins, 30);
    let message = format!("{err:#}");
    assert!(message.contains("429 Too Many Requests"), "{message}");
    assert!(message.contains("the service asks to wait"), "{message}");
    assert!(message.contains("RateLimitExceeded"), "{message}");
    assert!(!message.contains(&ana.password), "{message}");
    assert!(started.elapsed().as_secs() < 100, "not waited for");
}

/// A PNG of `width` × `height` pixels, with `padding` bytes of a private chunk so its size
/// can be chosen.
fn png(width: u32, height: u32, padding: usize) -> Vec<u8> {
    let mut bytes = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(width, height, image::Rgb([30, 90, 200]))
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("a PNG");
    let mut png = bytes.into_inner();
    if padding > 0 {
        // A private ancillary chunk (`prVt`) before IEND: readers skip it. Its CRC is not
        // checked by the PDS, which only sniffs the signature.
        let end = png.len() - 12;
        let mut chunk = Vec::with_capacity(padding + 12);
        chunk.extend_from_slice(&u32::try_from(padding).unwrap().to_be_bytes());
        chunk.extend_from_slice(b"prVt");
        chunk.resize(8 + padding, 0);
        chunk.extend_from_slice(&[0; 4]);
        png.splice(end..end, chunk);
    }
    png
}

fn image<'a>(bytes: &'a [u8], name: &'a str, alt: &'a str) -> Upload<'a> {
    Upload {
        bytes,
        name,
        mime: "image/png",
        alt,
        width: 4,
        height: 3,
    }
}

/// The bytes of the blob `cid` in `did`'s repository (`com.atproto.sync.getBlob`), or the
/// status the PDS answered.
fn blob(pds: &pds::Pds, did: &str, cid: &str) -> Result<Vec<u8>, u16> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .get(format!("{}/xrpc/com.atproto.sync.getBlob", pds.url))
        .query("did", did)
        .query("cid", cid)
        .call()
        .expect("getBlob answers");
    let status = response.status().as_u16();
    let bytes = response.body_mut().read_to_vec().expect("the blob");
    if status == 200 {
        Ok(bytes)
    } else {
        Err(status)
    }
}

#[test]
fn an_image_is_uploaded_as_a_blob_and_embedded_with_its_alt_text() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("pix.test");
    let client = login(&pds.url, &ana);
    let bytes = png(4, 3, 0);
    let uploaded = client
        .upload(&image(&bytes, "chart.png", "A chart, growing"))
        .expect("uploading");
    assert!(
        uploaded.id.starts_with("bafkrei"),
        "a raw CID: {uploaded:?}"
    );
    assert_eq!(uploaded.url, "");
    assert_eq!(
        uploaded.extra,
        json!({
            "alt": "A chart, growing",
            "image": {
                "$type": "blob",
                "ref": {"$link": uploaded.id},
                "mimeType": "image/png",
                "size": bytes.len(),
            },
            "aspectRatio": {"width": 4, "height": 3},
        })
    );
    // The same bytes are the same blob.
    let again = client
        .upload(&image(&bytes, "chart.png", "A chart, growing"))
        .unwrap();
    assert_eq!(again, uploaded);

    let part = client
        .create(
            "With a chart",
            std::slice::from_ref(&uploaded),
            None,
            &client.key("img"),
        )
        .expect("posting with the image");
    let record = pds.post(&ana.did, rkey(&part.id));
    assert_eq!(
        record["value"]["embed"],
        json!({"$type": "app.bsky.embed.images", "images": [uploaded.extra]})
    );
    assert_eq!(blob(pds, &ana.did, &uploaded.id), Ok(bytes));
}

#[test]
fn a_500_on_an_upload_names_the_service_and_a_lost_answer_is_sent_again_as_the_same_blob() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("pixfault.test");
    let proxy = pds.proxy();
    let client = login(&proxy.url, &ana);
    let bytes = png(2, 2, 0);
    proxy.faults(&json!({"upload_error_500_on": 1}));
    let err = client
        .upload(&image(&bytes, "a.png", "alt"))
        .expect_err("refused");
    let message = format!("{err:#}");
    for said in [
        "uploading the image a.png",
        "Bluesky",
        proxy.url.as_str(),
        "500 Internal Server Error",
        "InternalServerError: Internal Server Error (injected)",
    ] {
        assert!(message.contains(said), "{said:?} in {message}");
    }
    assert!(!message.contains(&ana.password), "{message}");

    proxy.faults(&json!({"upload_drop_after_store_on": 1}));
    let lost = client
        .upload(&image(&bytes, "a.png", "alt"))
        .expect_err("the answer is lost");
    assert!(http::unanswered(&lost), "{lost:#}");
    let uploaded = client.upload(&image(&bytes, "a.png", "alt")).unwrap();
    client
        .create(
            "One image",
            std::slice::from_ref(&uploaded),
            None,
            &client.key("1"),
        )
        .unwrap();
    assert_eq!(blob(pds, &ana.did, &uploaded.id), Ok(bytes));
    assert_eq!(
        proxy
            .calls()
            .into_iter()
            .filter(|c| c.starts_with("com.atproto.repo.uploadBlob"))
            .collect::<Vec<_>>(),
        [
            "com.atproto.repo.uploadBlob 500",
            "com.atproto.repo.uploadBlob 0",
            "com.atproto.repo.uploadBlob 200"
        ]
    );
}

#[test]
fn the_pds_refuses_an_upload_over_its_limit_and_a_fifth_image() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("pixlimit.test");
    let client = login(&pds.url, &ana);
    // The PDS's own limit on one upload, PDS_BLOB_UPLOAD_LIMIT: 5 MiB unless set.
    let limit = 5 * 1024 * 1024;
    let at_limit = png(2, 2, 0);
    let over = png(2, 2, limit + 1 - at_limit.len() - 12);
    assert_eq!(over.len(), limit + 1);
    let err = client
        .upload(&image(&over, "big.png", "big"))
        .expect_err("over the PDS's upload limit");
    let message = format!("{err:#}");
    assert!(message.contains("413 Payload Too Large"), "{message}");
    assert!(message.contains("request entity too large"), "{message}");

    let small: Vec<Uploaded> = (0..5)
        .map(|i| {
            let bytes = png(2 + i, 2, 0);
            client.upload(&image(&bytes, "s.png", "small")).unwrap()
        })
        .collect();
    let err = client
        .create("Five", &small, None, &client.key("five"))
        .expect_err("at most 4 images");
    let message = format!("{err:#}");
    assert!(message.contains("400 Bad Request"), "{message}");
    assert!(
        message.contains("array too big (maximum 4, got 5) at $.record.embed.images"),
        "{message}"
    );
    client
        .create("Four", &small[..4], None, &client.key("four"))
        .expect("4 images are taken");
}

#[test]
fn the_lexicons_image_limit_of_1_000_000_bytes_is_enforced_when_the_record_is_made() {
    let Some(pds) = pds::shared() else { return };
    let ana = pds.account("pixmax.test");
    let client = login(&pds.url, &ana);
    let base = png(2, 2, 0).len() + 12;
    let at = png(2, 2, 1_000_000 - base);
    assert_eq!(at.len(), 1_000_000);
    let over = png(2, 2, 1_000_001 - base);
    let at = client.upload(&image(&at, "at.png", "at")).unwrap();
    let over = client
        .upload(&image(&over, "over.png", "over"))
        .expect("the upload itself is taken: the limit is the record's");
    client
        .create("At the limit", &[at], None, &client.key("at"))
        .expect("1,000,000 bytes are taken");
    let err = client
        .create("Over the limit", &[over], None, &client.key("over"))
        .expect_err("1,000,001 bytes are refused");
    let message = format!("{err:#}");
    assert!(message.contains("400 Bad Request"), "{message}");
    assert!(
        message.contains(
            "blob too big (maximum 1000000, got 1000001) at $.record.embed.images[0].image"
        ),
        "{message}"
    );
    assert_eq!(pds.posts(&ana.did).len(), 1);
}
