//! The post's images as each venue carries them: local images with nowhere to be served
//! from, files over a venue's `image_max_bytes`, and remote images loaded over `http:`.

use pulldown_cmark::{Event, Tag};

use crate::config::Site;
use crate::media::MediaLinks;
use crate::post::Post;

use super::{Diagnostic, Level, Target};

/// Findings about the post's images in every venue it goes to.
pub(super) fn diagnose(post: &Post, site: &Site, targets: &[Target<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let images = post.media.images();
    if let Some(first) = images.first()
        && site.media_base(&post.slug).is_none()
    {
        let absolute: Vec<&str> = targets
            .iter()
            .filter(|t| t.output.header.media == MediaLinks::Absolute)
            .map(|t| t.venue.name.as_str())
            .fold(Vec::new(), |mut names, name| {
                if !names.contains(&name) {
                    names.push(name);
                }
                names
            });
        if !absolute.is_empty() {
            let more = match images.len() {
                1 => String::new(),
                2 => " and 1 more".into(),
                n => format!(" and {} more", n - 1),
            };
            out.push(Diagnostic {
                level: Level::Warning,
                code: "no-media-url",
                line: Some(first.line),
                venue: None,
                file: None,
                message: format!(
                    "image `{}`{more} cannot be linked from {} (read away from your site) without an address: set `site.media_url` (where the output folder is served) or `site.url` in repurpose.yaml; until then they link to `media/<file>`",
                    first.dest,
                    absolute.join(", ")
                ),
            });
        }
    }
    for target in targets {
        let header = &target.output.header;
        if header.image_max_bytes.is_none() && header.image_max_pixels.is_none() {
            continue;
        }
        let needs = header.image_needs();
        for image in images {
            let (file, bytes, (width, height)) = match post.media.copy_for(image, &needs) {
                Some(made) => (
                    made.file.as_str(),
                    made.bytes.len(),
                    (made.width, made.height),
                ),
                None => (
                    image.file.as_str(),
                    image.bytes.len(),
                    (image.probed.width, image.probed.height),
                ),
            };
            let pixels = width as usize * height as usize;
            if let Some(max) = header.image_max_pixels
                && pixels > max
            {
                out.push(Diagnostic {
                    level: Level::Warning,
                    code: "image-size",
                    line: Some(image.line),
                    venue: Some(target.venue.name.clone()),
                    file: Some(target.output.file.clone()),
                    message: format!(
                        "image `{}` is {width} × {height} pixels in {} (`media/{file}`), over its {} (`image_max_pixels`): make it smaller",
                        image.dest,
                        target.place,
                        crate::media::image::grouped(max as u64)
                    ),
                });
            }
            let Some(max) = header.image_max_bytes else {
                continue;
            };
            if bytes > max {
                out.push(Diagnostic {
                    level: Level::Warning,
                    code: "image-size",
                    line: Some(image.line),
                    venue: Some(target.venue.name.clone()),
                    file: Some(target.output.file.clone()),
                    message: format!(
                        "image `{}` is {} in {} (`media/{file}`), over its {} (`image_max_bytes`): make the file smaller",
                        image.dest,
                        size(bytes),
                        target.place,
                        size(max)
                    ),
                });
            }
        }
    }
    for (i, event) in post.events.iter().enumerate() {
        if let Event::Start(Tag::Image { dest_url, .. }) = event
            && dest_url
                .get(..5)
                .is_some_and(|s| s.eq_ignore_ascii_case("http:"))
        {
            out.push(Diagnostic {
                level: Level::Warning,
                code: "mixed-content",
                line: post.line_of(i),
                venue: None,
                file: None,
                message: format!(
                    "image `{dest_url}` is loaded over `http:`: a page served over https blocks or flags it as mixed content; use its `https:` address"
                ),
            });
        }
    }
    out
}

/// A byte count as people read it: `812 KB`, `2.4 MB`.
fn size(bytes: usize) -> String {
    if bytes < 1_000_000 {
        format!("{} KB", bytes.div_ceil(1000))
    } else {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    }
}
