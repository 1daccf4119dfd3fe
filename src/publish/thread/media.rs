//! The images a thread's parts show, and their uploads: a part whose text links one of the
//! post's own images (at its absolute media URL, as the social venue writes it) carries that
//! image, at most as many a post as the network takes, in a format it takes and within its
//! byte limit. Each upload is recorded in the ledger at once, so an unchanged image is never
//! uploaded twice.

use std::sync::Arc;

use crate::media::image::Format;
use crate::publish::ledger::{Event, now};
use crate::publish::network::{MediaLimits, Network, PartImage};
use crate::publish::upload::{Upload, Uploaded};

/// The widest an image scaled down to fit a byte limit starts at (Bluesky's apps show at
/// most 2,000 px).
const WIDEST: u32 = 2000;

/// The images each part shows, and notes on those it cannot carry.
pub(super) fn images(
    post: &crate::post::Post,
    venue: &crate::venue::Venue,
    site: &crate::config::Site,
    parts: &[String],
    limits: MediaLimits,
) -> (Vec<Vec<PartImage>>, Vec<String>) {
    let mut notes = Vec::new();
    let output = venue.outputs.iter().find(|o| o.needs.thread);
    let base = crate::media::base_url(site, &post.slug);
    let (Some(output), Some(base)) = (output, base) else {
        return (Vec::new(), notes);
    };
    if post.media.is_empty() {
        return (Vec::new(), notes);
    }
    let refs = post.media.refs(&output.header, Some(&base));
    let most = limits.max_images.unwrap_or(4);
    let mut all = Vec::new();
    for (i, text) in parts.iter().enumerate() {
        // The images the part links, in the order it shows them, each once.
        let mut shown: Vec<(usize, &crate::media::Image)> = refs
            .iter()
            .filter_map(|(dest, r)| Some((text.find(&r.url)?, post.media.get(dest)?)))
            .collect();
        shown.sort_by_key(|(at, _)| *at);
        shown.dedup_by(|a, b| a.1.hash == b.1.hash);
        if shown.len() > most {
            notes.push(format!(
                "part {} shows {} images and the network takes {most} a post: the rest stay links",
                i + 1,
                shown.len()
            ));
        }
        let mut carried = Vec::new();
        for (_, image) in shown.into_iter().take(most) {
            match ready(post, image, output, limits) {
                Ok(ready) => carried.push(ready),
                Err(why) => notes.push(format!("{} {why}: it stays a link", image.path)),
            }
        }
        all.push(carried);
    }
    (all, notes)
}

/// `image` as the network takes it: the copy the venue shows, else the original; converted
/// to PNG where the network does not take its format, scaled down to JPEG where it is over
/// the byte limit.
fn ready(
    post: &crate::post::Post,
    image: &crate::media::Image,
    output: &crate::venue::Output,
    limits: MediaLimits,
) -> Result<PartImage, String> {
    let (mut bytes, mut format, mut width, mut height, mut name) =
        match post.media.copy_for(image, &output.header) {
            Some(made) => (
                Arc::clone(&made.bytes),
                made.format,
                made.width,
                made.height,
                made.file.clone(),
            ),
            None => (
                Arc::clone(&image.bytes),
                image.probed.format,
                image.probed.width,
                image.probed.height,
                image.file.clone(),
            ),
        };
    let taken = |f: Format| f != Format::Svg && limits.formats.is_none_or(|set| set.contains(f));
    if !taken(format) {
        if format == Format::Svg {
            return Err("is SVG, which the network does not take".into());
        }
        let decoded = ::image::load_from_memory(&bytes).map_err(|e| e.to_string())?;
        bytes = encode(&decoded, Format::Png)?.into();
        format = Format::Png;
        name = renamed(&name, "png");
    }
    if let Some(max) = limits.max_bytes
        && bytes.len() as u64 > max
    {
        let decoded = ::image::load_from_memory(&bytes).map_err(|e| e.to_string())?;
        let (scaled, w, h) = shrink(&decoded, max).ok_or_else(|| {
            format!(
                "is {} bytes, over the network's {max}, and no smaller copy fits",
                bytes.len()
            )
        })?;
        (bytes, format, width, height) = (scaled.into(), Format::Jpeg, w, h);
        name = renamed(&name, "jpg");
    }
    Ok(PartImage {
        hash: crate::hash::hash(&bytes),
        name,
        mime: format.mime(),
        alt: image.alt.clone(),
        width,
        height,
        bytes,
    })
}

/// A JPEG of `image` within `max` bytes, scaled down step by step from `WIDEST`; with its
/// size.
fn shrink(image: &::image::DynamicImage, max: u64) -> Option<(Vec<u8>, u32, u32)> {
    let mut width = image.width().min(WIDEST);
    while width >= 200 {
        let scaled = image.resize(width, u32::MAX, ::image::imageops::FilterType::Triangle);
        let bytes = encode(&scaled, Format::Jpeg).ok()?;
        if bytes.len() as u64 <= max {
            return Some((bytes, scaled.width(), scaled.height()));
        }
        width = width * 3 / 4;
    }
    None
}

fn encode(image: &::image::DynamicImage, format: Format) -> Result<Vec<u8>, String> {
    let mut out = std::io::Cursor::new(Vec::new());
    match format {
        Format::Jpeg => {
            let rgb = ::image::DynamicImage::ImageRgb8(image.to_rgb8());
            let encoder = ::image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
            rgb.write_with_encoder(encoder).map_err(|e| e.to_string())?;
        }
        _ => image
            .write_to(&mut out, ::image::ImageFormat::Png)
            .map_err(|e| e.to_string())?,
    }
    Ok(out.into_inner())
}

/// `chart-1a2b3c4d.svg` → `chart-1a2b3c4d.png`.
fn renamed(name: &str, ext: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{stem}.{ext}")
}

/// How many of the images of `parts` (numbers from 1) are not uploaded to `target` yet.
pub(super) fn to_upload(
    network: &dyn Network,
    ledger: &crate::publish::Ledger,
    target: &str,
    media: &[Vec<PartImage>],
    parts: &[usize],
) -> usize {
    parts
        .iter()
        .filter_map(|&n| Some((n, media.get(n - 1)?)))
        .flat_map(|(n, images)| images.iter().map(move |image| (n, image)))
        .filter(|(n, image)| {
            ledger
                .media(target, &image.hash, &network.place(*n))
                .is_none()
        })
        .count()
}

/// The uploads of part `n`'s images: those the ledger records, the others uploaded now and
/// recorded at once. An upload whose answer was lost is sent once more: a Bluesky blob is
/// the same blob again, and a Mastodon attachment no status shows is removed by Mastodon.
pub(super) fn upload(
    network: &dyn Network,
    ledger: &mut crate::publish::Ledger,
    target: &str,
    post: &str,
    n: usize,
    images: &[PartImage],
) -> anyhow::Result<Vec<Uploaded>> {
    let place = network.place(n);
    let mut uploaded = Vec::new();
    for image in images {
        if let Some(known) = ledger.media(target, &image.hash, &place) {
            uploaded.push(known);
            continue;
        }
        let upload = Upload {
            bytes: &image.bytes,
            name: &image.name,
            mime: image.mime,
            alt: &image.alt,
            width: image.width,
            height: image.height,
        };
        let done = match network.upload(&upload) {
            Err(e) if crate::publish::http::unanswered(&e) => network.upload(&upload),
            done => done,
        }
        .map_err(|e| e.context(format!("uploading {} for part {n}", image.name)))?;
        ledger.append(Event::Media {
            at: now(),
            post: post.to_string(),
            target: target.to_string(),
            hash: image.hash.clone(),
            place: place.clone(),
            file: image.name.clone(),
            uploaded: done.clone(),
        })?;
        uploaded.push(done);
    }
    Ok(uploaded)
}
