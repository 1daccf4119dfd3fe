//! The WordPress client's uploads against a real WordPress on 127.0.0.1
//! (`tests/support/wordpress.rs`): what the media library stores, what it refuses as a real
//! site would, and how an upload is found again. Skips where the packages are missing,
//! unless `REPURPOSE_REQUIRE_SERVERS` is set (as in .ci/run).

#![allow(clippy::unwrap_used)]

#[path = "support/wordpress.rs"]
mod wordpress;

use std::io::Cursor;

use repurpose::publish::Secret;
use repurpose::publish::upload::{Upload, Uploader};
use repurpose::publish::wordpress::{Client, Site};

fn client(site: &wordpress::WordPress) -> Client {
    let password = Secret::new(site.password.clone());
    Client::new(Site::new(&site.url, &site.user, password).unwrap())
}

/// A PNG of `width` × `height` pixels; `noise` makes it incompressible (about 3 bytes a
/// pixel), else it is one colour.
fn png(width: u32, height: u32, noise: bool) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        if noise {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let [a, b, c, _] = state.to_le_bytes();
            image::Rgb([a, b, c])
        } else {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        }
    });
    let mut bytes = Cursor::new(Vec::new());
    picture
        .write_to(&mut bytes, image::ImageFormat::Png)
        .unwrap();
    bytes.into_inner()
}

fn upload<'a>(bytes: &'a [u8], name: &'a str, mime: &'a str) -> Upload<'a> {
    Upload {
        bytes,
        name,
        mime,
        alt: "A chart: growth in 2024 & after",
        width: 64,
        height: 48,
    }
}

#[test]
fn wordpress_stores_an_upload_with_its_alt_text_and_finds_it_again_by_name() {
    let Some(site) = wordpress::start() else {
        return;
    };
    let client = client(&site);
    let bytes = png(64, 48, false);
    let name = "chart-1a2b3c4d.png";
    let uploaded = client.upload(&upload(&bytes, name, "image/png")).unwrap();

    let media = site.get_json(&format!("/wp/v2/media/{}&context=edit", uploaded.id));
    assert_eq!(media["alt_text"], "A chart: growth in 2024 & after");
    assert_eq!(media["slug"], "chart-1a2b3c4d");
    assert_eq!(media["mime_type"], "image/png");
    assert_eq!(media["source_url"], uploaded.url.as_str());
    assert!(
        uploaded.url.ends_with("/chart-1a2b3c4d.png"),
        "{uploaded:?}"
    );
    let mut served = site.agent().get(&uploaded.url).call().unwrap();
    assert_eq!(served.status().as_u16(), 200);
    assert_eq!(served.body_mut().read_to_vec().unwrap(), bytes);

    assert_eq!(client.find_upload(name).unwrap(), Some(uploaded.clone()));
    assert_eq!(client.find_upload("chart-99999999.png").unwrap(), None);

    // WordPress does not dedupe: the same file again is a second attachment, under
    // another slug and file name. The ledger is what keeps repurpose from sending it again.
    let again = client.upload(&upload(&bytes, name, "image/png")).unwrap();
    assert_ne!(again.id, uploaded.id);
    assert!(again.url.ends_with("/chart-1a2b3c4d-1.png"), "{again:?}");
    let media = site.get_json(&format!("/wp/v2/media/{}", again.id));
    assert_eq!(media["slug"], "chart-1a2b3c4d-2");
    assert_eq!(client.find_upload(name).unwrap(), Some(uploaded));
}

#[test]
fn wordpress_refuses_an_svg_saying_why_and_takes_a_file_over_post_max_size() {
    let Some(site) = wordpress::start() else {
        return;
    };
    let client = client(&site);
    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>"#;
    let err = client
        .upload(&upload(svg, "logo-0badc0de.svg", "image/svg+xml"))
        .unwrap_err();
    assert_eq!(
        format!("{err:#}"),
        format!(
            "uploading `logo-0badc0de.svg` on {}/: 500 Internal Server Error: Sorry, you are \
             not allowed to upload this file type. (rest_upload_sideload_error)",
            site.url
        )
    );
    assert_eq!(site.get_json("/wp/v2/media"), serde_json::json!([]));

    // A single site checks no size of its own (a multisite refuses files over
    // `fileupload_maxk`, 1,500 KB by default), and PHP's `post_max_size` (8 MB here) only
    // warns for a raw body: the limit a real site has is its web server's (nginx's
    // `client_max_body_size`, 1 MB by default, answers 413).
    let big = png(1800, 1700, true);
    assert!(big.len() > 8 * 1024 * 1024, "{}", big.len());
    let stored = client
        .upload(&upload(&big, "noise-0f0f0f0f.png", "image/png"))
        .unwrap();
    let media = site.get_json(&format!("/wp/v2/media/{}", stored.id));
    assert_eq!(media["media_details"]["filesize"], big.len());
}

#[test]
fn a_wide_jpeg_is_served_scaled_and_still_found_by_its_name() {
    let Some(site) = wordpress::start() else {
        return;
    };
    let client = client(&site);
    let picture = image::RgbImage::from_fn(2600, 40, |x, _| image::Rgb([(x % 256) as u8, 9, 9]));
    let mut jpeg = Cursor::new(Vec::new());
    picture
        .write_to(&mut jpeg, image::ImageFormat::Jpeg)
        .unwrap();
    let jpeg = jpeg.into_inner();
    let name = "panorama-5e5e5e5e.jpg";
    let uploaded = client.upload(&upload(&jpeg, name, "image/jpeg")).unwrap();
    // With an image editor (php-gd here), WordPress serves a JPEG over 2,560 pixels
    // (`big_image_size_threshold`; PNGs are spared) as a scaled copy: the address to use.
    let media = site.get_json(&format!("/wp/v2/media/{}", uploaded.id));
    let editor = !media["media_details"]["sizes"]
        .as_object()
        .is_none_or(serde_json::Map::is_empty);
    if editor {
        assert!(
            uploaded.url.ends_with("/panorama-5e5e5e5e-scaled.jpg"),
            "{uploaded:?}"
        );
        assert_eq!(media["media_details"]["width"], 2560);
    } else {
        assert!(
            uploaded.url.ends_with("/panorama-5e5e5e5e.jpg"),
            "{uploaded:?}"
        );
    }
    assert_eq!(client.find_upload(name).unwrap(), Some(uploaded));
}
