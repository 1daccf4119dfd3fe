//! A post's own images: found beside it, checked, copied to `<slug>/media/`, linked by each
//! venue as it can, kept up to date like every output. The images are made here.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use crate::harness::Project;

const SITE: &str = "site:\n  url: https://example.com/blog\n";

/// An image of `width` × `height` in `format`: a gradient, so scaling has work to do.
fn picture(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encode a test image");
    out.into_inner()
}

/// A solid image: quick to encode however large.
fn solid(width: u32, height: u32, format: ImageFormat) -> Vec<u8> {
    let img = RgbImage::from_pixel(width, height, Rgb([40, 90, 160]));
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, format)
        .expect("encode a test image");
    out.into_inner()
}

const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="300" height="150" viewBox="0 0 300 150"><rect width="300" height="150" fill="#1a5fb4"/><circle cx="75" cy="75" r="50" fill="#f6d32d"/></svg>"##;

/// The files in `<out>/<slug>/media/`, sorted.
fn media_files(p: &Project, slug: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(p.path().join(format!("out/{slug}/media")))
        .map(|dir| {
            dir.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// The `src` of every `<img>` in an HTML file, with its `width` and `height`.
fn images_in(html: &str) -> Vec<(String, Option<u32>, Option<u32>)> {
    let doc = scraper::Html::parse_document(html);
    let img = scraper::Selector::parse("img").expect("selector");
    doc.select(&img)
        .map(|e| {
            let attr = |name: &str| e.value().attr(name).and_then(|v| v.parse().ok());
            (
                e.value().attr("src").unwrap_or_default().to_string(),
                attr("width"),
                attr("height"),
            )
        })
        .collect()
}

/// A project with one post showing a PNG, a JPEG, a GIF and an SVG, the PNG twice.
fn gallery() -> Project {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/img/wide.png", &picture(2400, 1200, ImageFormat::Png));
    p.write_bytes("posts/img/photo.jpg", &picture(900, 600, ImageFormat::Jpeg));
    p.write_bytes("posts/img/anim.gif", &picture(320, 200, ImageFormat::Gif));
    p.write("posts/img/shape.svg", SVG);
    p.write(
        "posts/gallery.md",
        "---\ntitle: Gallery\n---\nA wide one:\n\n![A wide gradient](img/wide.png)\n\nA photo ![A photo](img/photo.jpg) and a GIF ![A GIF](img/anim.gif).\n\n![A shape](img/shape.svg)\n\nThe wide one again: ![Again](./img/wide.png)\n",
    );
    p
}

#[test]
fn each_image_is_copied_once_and_every_venue_links_it_as_it_can() {
    let p = gallery();
    p.run(&["build", "posts"]).expect_code(0);
    let files = media_files(&p, "gallery");
    // Four originals, each named by its content; the wide PNG's newsletter copy; the GIF's
    // and the SVG's PNG copies for the newsletter, which shows PNG and JPEG only.
    let originals: Vec<&String> = files
        .iter()
        .filter(|f| {
            ["wide-", "photo-", "anim-", "shape-"]
                .iter()
                .any(|s| f.starts_with(s))
        })
        .filter(|f| !f.contains("w."))
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("wide-") && f.ends_with(".png") && !f.contains("-1120w")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("photo-") && f.ends_with(".jpg")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("anim-") && f.ends_with(".gif")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("shape-") && f.ends_with(".svg")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("wide-") && f.ends_with("-1120w.png")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("anim-") && f.ends_with(".png")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.starts_with("shape-") && f.ends_with(".png")),
        "{files:?}"
    );
    assert!(originals.len() >= 4, "{files:?}");

    // The blog links its media folder relatively, with the originals' sizes: the SVG stays SVG.
    let blog = images_in(&p.read("out/gallery/blog.html"));
    assert_eq!(blog.len(), 5, "{blog:?}");
    for (src, width, height) in &blog {
        assert!(src.starts_with("media/"), "{src}");
        assert!(
            p.exists(&format!("out/gallery/{src}")),
            "{src} is in the media folder"
        );
        assert!(width.is_some() && height.is_some(), "{src} has its size");
    }
    assert_eq!(blog[0].1, Some(2400));
    assert_eq!(blog[0].2, Some(1200));
    assert_eq!(
        blog[0].0, blog[4].0,
        "the same file shown twice is one image"
    );
    assert!(blog[3].0.ends_with(".svg"));

    // The newsletter links absolutely, shows at most 560 wide, from PNG or JPEG copies at
    // most 1,120 wide; a smaller image is never scaled up.
    let letter = images_in(&p.read("out/gallery/newsletter.html"));
    assert_eq!(letter.len(), 5, "{letter:?}");
    for (src, width, _) in &letter {
        let file = src
            .strip_prefix("https://example.com/blog/gallery/media/")
            .unwrap_or_else(|| panic!("{src} is under the media URL"));
        assert!(file.ends_with(".png") || file.ends_with(".jpg"), "{src}");
        assert!(width.is_some_and(|w| w <= 560), "{src} shown at {width:?}");
        let bytes = std::fs::read(p.path().join(format!("out/gallery/media/{file}")))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        let copy = image::load_from_memory(&bytes).expect("the copy decodes");
        assert!(copy.width() <= 1120, "{file} is {} wide", copy.width());
    }
    assert_eq!(letter[0].1, Some(560));
    assert_eq!(letter[0].2, Some(280));
    let photo = image::load_from_memory(
        &std::fs::read(p.path().join(format!(
            "out/gallery/media/{}",
            letter[1].0.rsplit('/').next().expect("a file")
        )))
        .expect("the photo"),
    )
    .expect("decodes");
    assert_eq!(
        photo.width(),
        900,
        "a 900 px photo is not scaled up or down"
    );

    // Absolute everywhere read away from the site.
    let forum = p.read("out/gallery/forum.bbcode");
    assert!(
        forum.contains("[img]https://example.com/blog/gallery/media/wide-"),
        "{forum}"
    );
    let hugo = p.read("out/gallery/hugo.md");
    assert!(hugo.contains("](media/wide-"), "{hugo}");
    let social = p.read("out/gallery/social.txt");
    assert!(
        social.contains("https://example.com/blog/gallery/media/"),
        "{social}"
    );

    // Listed in the manifest, as the post's files.
    let manifest: serde_json::Value =
        serde_json::from_str(&p.read("out/manifest.json")).expect("json");
    let listed: Vec<&str> = manifest["posts"]["gallery"]["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["venue"] == "media")
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(listed.len(), files.len(), "{listed:?} {files:?}");
    assert_eq!(
        manifest["posts"]["gallery"]["media"]
            .as_array()
            .map(Vec::len),
        Some(4),
        "the four source images are what the post depends on"
    );
}

#[test]
fn the_blog_names_its_picture_for_sharing() {
    let p = gallery();
    p.run(&["build", "posts", "--venue", "blog"]).expect_code(0);
    let blog = p.read("out/gallery/blog.html");
    assert!(
        blog.contains(
            r#"<meta property="og:image" content="https://example.com/blog/gallery/media/wide-"#
        ),
        "{blog}"
    );
    assert!(blog.contains(r#"<meta property="og:image:width" content="2400">"#));
    assert!(blog.contains(r#"<meta property="og:image:alt" content="A wide gradient">"#));
    assert!(blog.contains(
        r#"<meta name="twitter:image" content="https://example.com/blog/gallery/media/wide-"#
    ));
    // Front matter `image` wins: a URL as written.
    let text = p.read("posts/gallery.md");
    p.write(
        "posts/gallery.md",
        &text.replacen(
            "title: Gallery\n",
            "title: Gallery\nimage: https://cdn.example.org/cover.png\n",
            1,
        ),
    );
    p.run(&["build", "posts", "--venue", "blog"]).expect_code(0);
    assert!(
        p.read("out/gallery/blog.html")
            .contains(r#"<meta property="og:image" content="https://cdn.example.org/cover.png">"#)
    );
}

#[test]
fn site_media_url_is_where_the_absolute_venues_link() {
    let p = gallery();
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\n  media_url: https://cdn.example.net/files/\n",
    );
    p.run(&["build", "posts", "--venue", "forum"])
        .expect_code(0);
    let forum = p.read("out/gallery/forum.bbcode");
    assert!(
        forum.contains("[img]https://cdn.example.net/files/gallery/media/wide-"),
        "{forum}"
    );
}

#[test]
fn missing_corrupt_and_outside_images_are_errors_with_their_lines_and_the_other_posts_build() {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/img/ok.png", &picture(40, 30, ImageFormat::Png));
    let mut truncated = picture(200, 100, ImageFormat::Png);
    truncated.truncate(truncated.len() / 2);
    p.write_bytes("posts/img/cut.png", &truncated);
    p.write("posts/img/notes.png", "these are notes, not a picture\n");
    p.write_bytes("secret.png", &picture(10, 10, ImageFormat::Png));
    p.write(
        "posts/bad.md",
        "---\ntitle: Bad\n---\n![gone](img/missing.png)\n\n![cut](img/cut.png)\n\n![notes](img/notes.png)\n\n![out](../../secret.png)\n\n![gone, shown again: reported once](img/missing.png)\n",
    );
    p.write(
        "posts/good.md",
        "---\ntitle: Good\n---\n![fine](img/ok.png)\n",
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: posts/bad.md: 4 images cannot be used:")
        .expect_stderr_contains("posts/bad.md:4: image `img/missing.png` not found: there is no file `posts/img/missing.png`")
        .expect_stderr_contains("posts/bad.md:6: image `img/cut.png` (`posts/img/cut.png`) cannot be read as PNG")
        .expect_stderr_contains("posts/bad.md:8: image `img/notes.png` (`posts/img/notes.png`) is not an image repurpose can read")
        .expect_stderr_contains("posts/bad.md:10: image `../../secret.png` is outside the project");
    assert!(
        !p.exists("out/bad"),
        "a post with a broken image is not written"
    );
    assert!(p.exists("out/good/blog.html"), "the other post is built");
    assert_eq!(media_files(&p, "good").len(), 1);
    // check says the same, and exits 1.
    p.run(&["check", "posts/bad.md"])
        .expect_code(1)
        .expect_stderr_contains("posts/bad.md:4: image `img/missing.png` not found");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_leading_out_of_the_project_is_refused() {
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(
        outside.path().join("private.png"),
        picture(8, 8, ImageFormat::Png),
    )
    .expect("write");
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write("posts/p.md", "---\ntitle: P\n---\n![x](img/link.png)\n");
    std::fs::create_dir_all(p.path().join("posts/img")).expect("mkdir");
    std::os::unix::fs::symlink(
        outside.path().join("private.png"),
        p.path().join("posts/img/link.png"),
    )
    .expect("symlink");
    p.run(&["build", "posts"])
        .expect_code(1)
        .expect_stderr_contains(
            "posts/p.md:4: image `img/link.png` is a symbolic link leading outside the project",
        );
    assert!(!p.exists("out/p"));
}

#[test]
fn a_40_megapixel_image_gets_a_newsletter_copy_at_most_1120_wide() {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/big.jpg", &solid(8000, 5000, ImageFormat::Jpeg));
    p.write(
        "posts/big.md",
        "---\ntitle: Big\n---\n![A big one](big.jpg)\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let letter = images_in(&p.read("out/big/newsletter.html"));
    assert_eq!(letter.len(), 1);
    assert_eq!((letter[0].1, letter[0].2), (Some(560), Some(350)));
    let file = letter[0].0.rsplit('/').next().expect("a file name");
    assert!(file.ends_with("-1120w.jpg"), "{file}");
    let copy = image::load_from_memory(
        &std::fs::read(p.path().join(format!("out/big/media/{file}"))).expect("copy"),
    )
    .expect("decodes");
    assert_eq!((copy.width(), copy.height()), (1120, 700));
    let blog = images_in(&p.read("out/big/blog.html"));
    assert_eq!((blog[0].1, blog[0].2), (Some(8000), Some(5000)));
}

/// A project whose post `a` shows `posts/img/a.png`, built; and that image's bytes.
fn built_with_one_image() -> (Project, Vec<u8>) {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    let first = picture(64, 48, ImageFormat::Png);
    p.write_bytes("posts/img/a.png", &first);
    p.write("posts/a.md", "---\ntitle: A\n---\n![a](img/a.png)\n");
    p.run(&["build", "posts"]).expect_code(0);
    (p, first)
}

/// Sets the modification time of the file at `path`.
fn set_modified(path: &std::path::Path, time: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .expect("set mtime");
}

/// Overwrites the image at `path` with `len` bytes of garbage given the time `time`, and
/// builds: the post is up to date, so the image was not read (a build that read it would
/// find other bytes and fail on them).
#[track_caller]
fn builds_without_reading(
    p: &Project,
    path: &std::path::Path,
    len: usize,
    time: std::time::SystemTime,
) {
    std::fs::write(path, vec![b'x'; len]).expect("overwrite");
    set_modified(path, time);
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");
}

#[test]
fn an_unchanged_post_reads_no_image_and_a_changed_image_rebuilds_its_post() {
    let (p, first) = built_with_one_image();
    let before = media_files(&p, "a");
    assert_eq!(before.len(), 1);

    // Garbage of the same size, with the recorded time put back: a build that read the
    // image would fail on it; an up-to-date post is not even read.
    let path = p.path().join("posts/img/a.png");
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    builds_without_reading(&p, &path, first.len(), mtime);

    // A real change: the post is built again, the new image gets a new name, the old one is
    // stale until --clean removes it.
    p.write_bytes("posts/img/a.png", &picture(80, 60, ImageFormat::Png));
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("built 1 post");
    let after = media_files(&p, "a");
    assert_eq!(after.len(), 2, "{after:?}");
    assert!(p.read("out/a/blog.html").contains("width=\"80\""));
    p.run(&["build", "posts", "--clean"]).expect_code(0);
    let cleaned = media_files(&p, "a");
    assert_eq!(cleaned.len(), 1, "{cleaned:?}");
    assert_ne!(cleaned, before);
}

#[test]
fn a_touched_image_is_read_once_and_its_new_time_recorded() {
    let (p, first) = built_with_one_image();

    // Touched (a checkout): the same bytes with a new time. Read once, found the same.
    let path = p.path().join("posts/img/a.png");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(60);
    set_modified(&path, later);
    p.run(&["build", "posts"])
        .expect_code(0)
        .expect_stderr_contains("1 up to date");

    // Its new time was recorded: garbage of the same size with that time is not read again
    // (a build that read it would find other bytes and fail on them).
    builds_without_reading(&p, &path, first.len(), later);
}

#[test]
fn check_warns_of_images_with_no_address_too_big_or_over_http() {
    let p = Project::new();
    // No site.url and no site.media_url.
    p.write("repurpose.yaml", "site:\n  title: T\n");
    p.write_bytes("posts/noise.png", &noise(900, 900));
    p.write(
        "posts/p.md",
        "---\ntitle: P\n---\n![noise](noise.png)\n\n![remote](http://images.example.org/x.png)\n",
    );
    let run = p.run(&["check", "posts/p.md"]).expect_code(0);
    run.expect_stdout_contains("warning: posts/p.md:4: image `noise.png` cannot be linked from article, discourse, forum, newsletter, social (read away from your site) without an address")
        .expect_stdout_contains("warning: posts/p.md:6: image `http://images.example.org/x.png` is loaded over `http:`")
        .expect_stdout_contains("image `noise.png` is ")
        .expect_stdout_contains("over its 1.0 MB (`image_max_bytes`)");
}

/// A PNG that does not compress: `width × height × 3` bytes or so.
fn noise(width: u32, height: u32) -> Vec<u8> {
    let mut state: u32 = 12345;
    let img = RgbImage::from_fn(width, height, |_, _| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let [a, b, c, _] = state.to_le_bytes();
        Rgb([a, b, c])
    });
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageRgb8(img)
        .write_to(&mut out, ImageFormat::Png)
        .expect("encode");
    out.into_inner()
}

#[test]
fn the_preview_carries_the_posts_images_in_its_page() {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/img/a.png", &picture(64, 48, ImageFormat::Png));
    p.write("posts/a.md", "---\ntitle: A\n---\n![a](img/a.png)\n");
    p.run(&["preview", "posts/a.md"]).expect_code(0);
    let page = p.read("out/a/index.html");
    // The blog's frame and the newsletter's each carry it: the frame could load neither the
    // media folder (a file: URL) nor the site.
    assert!(
        page.matches("data:image/png;base64,").count() >= 2,
        "the page carries the image"
    );
}

#[test]
fn a_venue_with_a_pixel_limit_warns_of_a_larger_image() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\nvenues:\n  forum:\n    image_max_pixels: 1000000\n",
    );
    p.write_bytes("posts/big.png", &solid(1600, 1000, ImageFormat::Png));
    p.write_bytes("posts/small.png", &solid(800, 600, ImageFormat::Png));
    p.write(
        "posts/p.md",
        "---\ntitle: P\n---\n![big](big.png)\n\n![small](small.png)\n",
    );
    let run = p
        .run(&["check", "posts/p.md", "--venue", "forum"])
        .expect_code(0);
    run.expect_stdout_contains(
        "warning: posts/p.md:4: image `big.png` is 1600 × 1000 pixels in forum (`media/big-",
    )
    .expect_stdout_contains("over its 1,000,000 (`image_max_pixels`)")
    .refute_stdout_contains("image `small.png` is");
}

#[test]
fn images_added_to_a_built_post_are_all_written() {
    // Two media files new at once in a folder that exists: each staged file survives the
    // tidying of the folder (it once removed the file staged before it).
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write(
        "posts/w.md",
        "---\ntitle: W\n---\nNo image yet.\n\n![first](a.png)\n",
    );
    p.write_bytes("posts/a.png", &picture(40, 30, ImageFormat::Png));
    p.run(&["build", "posts"]).expect_code(0);
    p.write_bytes("posts/wide.jpg", &solid(3000, 1500, ImageFormat::Jpeg));
    p.write(
        "posts/w.md",
        "---\ntitle: W\n---\n![first](a.png)\n\n![wide](wide.jpg)\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    let files = media_files(&p, "w");
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().any(|f| f.ends_with("-1120w.jpg")), "{files:?}");
}

#[cfg(unix)]
#[test]
fn a_link_then_dot_dot_reads_the_file_the_system_reads_and_refuses_it_outside() {
    let outside = tempfile::tempdir().expect("temp");
    std::fs::write(
        outside.path().join("private.png"),
        picture(8, 8, ImageFormat::Png),
    )
    .expect("write");
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("deep/a/evil/private.png", &picture(9, 9, ImageFormat::Png));
    std::fs::create_dir_all(p.path().join("deep/a/b")).expect("mkdir");
    std::fs::create_dir_all(p.path().join("posts")).expect("mkdir");
    std::os::unix::fs::symlink("../deep/a/b", p.path().join("posts/sub")).expect("link");
    std::os::unix::fs::symlink(outside.path(), p.path().join("posts/evil")).expect("link");
    // Folded as written, `sub/../evil/private.png` is `posts/evil/private.png`; the system
    // reads `deep/a/evil/private.png` (through `sub`), which is inside: that is the one
    // taken. Straight through `evil`, it is outside: refused.
    p.write(
        "posts/ok.md",
        "---\ntitle: Ok\n---\n![a](sub/../evil/private.png)\n",
    );
    p.write(
        "posts/out.md",
        "---\ntitle: Out\n---\n![a](evil/private.png)\n",
    );
    p.run(&["build", "posts"])
        .expect_code(1)
        .expect_stderr_contains("posts/out.md:4: image `evil/private.png` is a symbolic link leading outside the project");
    let file = media_files(&p, "ok");
    assert_eq!(file.len(), 1, "{file:?}");
    let copied = std::fs::read(p.path().join(format!("out/ok/media/{}", file[0]))).expect("copy");
    assert_eq!(
        copied,
        std::fs::read(p.path().join("deep/a/evil/private.png")).expect("inside")
    );
}

#[test]
fn an_svg_drawn_at_two_sizes_gets_two_copies() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\nvenues:\n  forum:\n    image_width: 60\n    image_formats: [png]\n",
    );
    // 100 px wide: both venues draw it wider than that (the forum at 120, the newsletter at
    // 200, twice its size), so neither drawing is smaller than the original.
    p.write(
        "posts/shape.svg",
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="#1a5fb4"/></svg>"##,
    );
    p.write("posts/s.md", "---\ntitle: S\n---\n![a shape](shape.svg)\n");
    p.run(&["build", "posts"]).expect_code(0);
    let forum = p.read("out/s/forum.bbcode");
    let letter = p.read("out/s/newsletter.html");
    let linked = |text: &str| {
        let at = text.find("/media/shape-").expect("a link to the shape");
        let rest = &text[at + 7..];
        rest[..rest.find(['[', '"']).expect("its end")].to_string()
    };
    let (f, n) = (linked(&forum), linked(&letter));
    assert_ne!(f, n, "each venue links its own drawing");
    for (file, width) in [(f, 120), (n, 200)] {
        let img = image::load_from_memory(
            &std::fs::read(p.path().join(format!("out/s/media/{file}"))).expect("drawn"),
        )
        .expect("decodes");
        assert_eq!(img.width(), width, "{file}");
    }
}

#[test]
fn clean_after_building_one_venue_keeps_the_images_the_others_link() {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/ok.png", &picture(40, 30, ImageFormat::Png));
    p.write("posts/ok.md", "---\ntitle: Ok\n---\n![ok](ok.png)\n");
    p.run(&["build", "posts"]).expect_code(0);
    let blog = p.read("out/ok/blog.html");
    p.write_bytes("posts/ok.png", &picture(41, 30, ImageFormat::Png));
    p.run(&["build", "posts", "--venue", "forum", "--clean"])
        .expect_code(0);
    // The blog was not built again and still links the first image: it stays.
    assert_eq!(p.read("out/ok/blog.html"), blog);
    let src = images_in(&blog).remove(0).0;
    assert!(p.exists(&format!("out/ok/{src}")), "{src} is still there");
    // A full build then leaves it stale, and --clean removes it.
    p.run(&["build", "posts", "--clean"]).expect_code(0);
    assert!(!p.exists(&format!("out/ok/{src}")));
}

#[test]
fn clean_keeps_the_copy_a_venue_not_built_again_links_after_its_settings_changed() {
    let p = Project::new();
    p.write(
        "repurpose.yaml",
        &format!("{SITE}venues:\n  blog: {{image_width: 400}}\n"),
    );
    p.write_bytes("posts/ok.png", &picture(2000, 1000, ImageFormat::Png));
    p.write("posts/ok.md", "---\ntitle: Ok\n---\n![ok](ok.png)\n");
    p.run(&["build", "posts"]).expect_code(0);
    let blog = p.read("out/ok/blog.html");
    // The blog's copy changes, the forum's template too; the forum alone is built.
    p.write(
        "repurpose.yaml",
        &format!("{SITE}venues:\n  blog: {{image_width: 300}}\n  forum: {{heading_offset: 1}}\n"),
    );
    p.run(&["build", "posts", "--venue", "forum", "--clean"])
        .expect_code(0);
    assert_eq!(p.read("out/ok/blog.html"), blog, "the blog was not built");
    for (src, _, _) in images_in(&blog) {
        assert!(p.exists(&format!("out/ok/{src}")), "{src} is still there");
    }
    // Built, the blog links its new copy, and the old one is stale.
    p.run(&["build", "posts", "--clean"]).expect_code(0);
    let now = p.read("out/ok/blog.html");
    assert_ne!(now, blog);
    for (src, _, _) in images_in(&now) {
        assert!(p.exists(&format!("out/ok/{src}")), "{src}");
    }
}

#[test]
fn clean_after_a_slug_change_removes_the_old_folder_whole() {
    let p = Project::new();
    p.write("repurpose.yaml", SITE);
    p.write_bytes("posts/ok.png", &picture(40, 30, ImageFormat::Png));
    p.write("posts/ok.md", "---\ntitle: Ok\n---\n![ok](ok.png)\n");
    p.run(&["build", "posts"]).expect_code(0);
    p.write(
        "posts/ok.md",
        "---\ntitle: Ok\nslug: renamed\n---\n![ok](ok.png)\n",
    );
    p.run(&["build", "posts", "--clean"]).expect_code(0);
    assert!(
        !p.exists("out/ok"),
        "the old slug's folder and its media folder are gone"
    );
    assert_eq!(media_files(&p, "renamed").len(), 1);
}

#[test]
fn with_config_named_the_project_is_the_folder_repurpose_runs_from() {
    let p = Project::new();
    p.write("conf/r.yaml", SITE);
    p.write_bytes("posts/ok.png", &picture(40, 30, ImageFormat::Png));
    p.write("posts/ok.md", "---\ntitle: Ok\n---\n![ok](ok.png)\n");
    p.run(&["build", "--config", "conf/r.yaml", "posts"])
        .expect_code(0);
    assert_eq!(media_files(&p, "ok").len(), 1);
}
