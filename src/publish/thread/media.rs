//! The images a thread's parts show, and their uploads: a part whose text links one of the
//! post's own images (at its absolute media URL, as the social venue writes it) carries that
//! image, at most as many a post as the network takes, in a format it takes and within its
//! byte limit. Each upload is recorded in the ledger at once, so an unchanged image is never
//! uploaded twice.

use std::sync::Arc;

use crate::media::image::{Format, Probed, Variant, fit, within_bytes};
use crate::publish::network::{MediaLimits, Network, PartImage};
use crate::publish::upload::Uploaded;

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
    let base = site.media_base(&post.slug);
    let (Some(output), Some(base)) = (output, base) else {
        return (Vec::new(), notes);
    };
    if post.media.is_empty() {
        return (Vec::new(), notes);
    }
    let refs = post.media.refs(&output.header.image_needs(), Some(&base));
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
/// to PNG or JPEG where the network does not take its format (an SVG drawn), made smaller
/// where it is over the byte limit (`within_bytes`).
fn ready(
    post: &crate::post::Post,
    image: &crate::media::Image,
    output: &crate::venue::Output,
    limits: MediaLimits,
) -> Result<PartImage, String> {
    let mut ready = match post.media.copy_for(image, &output.header.image_needs()) {
        Some(made) => Ready {
            bytes: Arc::clone(&made.bytes),
            probed: Probed {
                format: made.format,
                width: made.width,
                height: made.height,
            },
            name: made.file.clone(),
        },
        None => Ready {
            bytes: Arc::clone(&image.bytes),
            probed: image.probed,
            name: image.file.clone(),
        },
    };
    let taken = |f: Format| f != Format::Svg && limits.formats.is_none_or(|set| set.contains(f));
    if !taken(ready.probed.format)
        && let Some(variant) = fit(
            &ready.bytes,
            &ready.probed,
            None,
            &[Format::Png, Format::Jpeg],
        )
        .map_err(|e| e.to_string())?
    {
        ready.adopt(variant);
    }
    // Mastodon refuses an image over its matrix limit: scaled down to fit, proportions kept.
    if let Some(max) = limits.max_pixels
        && u64::from(ready.probed.width) * u64::from(ready.probed.height) > max
    {
        let (w, h) = (
            f64::from(ready.probed.width),
            f64::from(ready.probed.height),
        );
        let width = ((max as f64) * w / h).sqrt().floor().max(1.0) as u32;
        if let Some(variant) =
            fit(&ready.bytes, &ready.probed, Some(width), &[]).map_err(|e| e.to_string())?
        {
            ready.adopt(variant);
        }
    }
    if let Some(max) = limits.max_bytes
        && ready.bytes.len() as u64 > max
    {
        let max = usize::try_from(max).unwrap_or(usize::MAX);
        let variant =
            within_bytes(&ready.bytes, &ready.probed, max, Some(WIDEST)).map_err(|e| {
                format!(
                    "is {} bytes, over the network's {max}, and no smaller copy fits ({e})",
                    ready.bytes.len()
                )
            })?;
        ready.adopt(variant);
    }
    Ok(PartImage {
        hash: crate::hash::hash(&ready.bytes),
        mime: ready.probed.format.mime(),
        alt: image.alt.clone(),
        width: ready.probed.width,
        height: ready.probed.height,
        name: ready.name,
        bytes: ready.bytes,
    })
}

/// An image on its way to upload.
struct Ready {
    bytes: Arc<[u8]>,
    probed: Probed,
    name: String,
}

impl Ready {
    /// Takes a converted or smaller copy instead.
    fn adopt(&mut self, variant: Variant) {
        self.name = renamed(&self.name, variant.format.ext());
        self.probed = Probed {
            format: variant.format,
            width: variant.width,
            height: variant.height,
        };
        self.bytes = variant.bytes.into();
    }
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
    post: &str,
    media: &[Vec<PartImage>],
    parts: &[usize],
) -> usize {
    parts
        .iter()
        .filter_map(|&n| Some((n, media.get(n - 1)?)))
        .flat_map(|(n, images)| images.iter().map(move |image| (n, image)))
        .filter(|(n, image)| {
            ledger
                .media(target, &image.hash, &network.place(post, *n))
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
    let place = network.place(post, n);
    images
        .iter()
        .map(|image| {
            crate::publish::uploads::upload_once(network, ledger, post, target, &place, image, true)
                .map(|done| network.reuse(done, &image.upload()))
                .map_err(|e| e.context(format!("part {n}")))
        })
        .collect()
}
