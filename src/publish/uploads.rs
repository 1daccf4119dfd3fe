//! A post's images at a service that takes uploads (WordPress, Discourse): uploaded before
//! the post and recorded in the ledger, so an unchanged image is never uploaded again.
//!
//! The plan renders the post with the URLs the ledger knows and, for an image not uploaded
//! yet, a stand-in URL; sending uploads those images first and swaps each stand-in for the
//! URL the service gave, which is what the next plan renders from the ledger: the same text,
//! so an unchanged post stays unchanged.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::media::image::{Format, fit};
use crate::media::{Image, MediaRefs};
use crate::post::Post;

use super::ledger::{Event, Ledger, now};
use super::upload::{Upload, Uploaded, Uploader};

/// An image to upload before the post, and the stand-in for its URL in the body until then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pending {
    /// What the body holds in its place: `https://repurpose.invalid/upload/<hash>`.
    pub stand_in: String,
    /// The hash of the bytes uploaded, as the ledger records it.
    pub hash: String,
    pub name: String,
    pub mime: &'static str,
    pub bytes: Arc<[u8]>,
    pub alt: String,
    pub width: u32,
    pub height: u32,
}

/// The references to render `post` with at `target`: each image the ledger has uploaded at
/// the service's URL, each other one at a stand-in; and the uploads the stand-ins wait for.
/// An image no upload can carry (an SVG without a PNG copy) keeps the venue's own reference.
pub(super) fn refs(
    post: &Post,
    venue: &crate::venue::Venue,
    site: &crate::config::Site,
    ledger: &Ledger,
    target: &str,
) -> (MediaRefs, Vec<Pending>) {
    // The header of the output `venue_body` renders.
    let header = venue
        .outputs
        .first()
        .map(|output| output.header.clone())
        .unwrap_or_default();
    let header = &header;
    let base = site.media_base(&post.slug);
    let mut map = BTreeMap::new();
    let mut pending: Vec<Pending> = Vec::new();
    for (dest, default) in post
        .media
        .refs(&header.image_needs(), base.as_deref())
        .iter()
    {
        let mut reference = default.clone();
        if let Some(upload) = post.media.get(dest).and_then(upload_of) {
            match ledger.media(target, &upload.hash, "") {
                Some(done) => reference.url = done.url,
                None => {
                    reference.url.clone_from(&upload.stand_in);
                    if !pending.iter().any(|p| p.hash == upload.hash) {
                        pending.push(upload);
                    }
                }
            }
        }
        map.insert(dest.clone(), reference);
    }
    (MediaRefs::from_map(map), pending)
}

/// What `image` is uploaded as: the original, or a PNG copy of an SVG (neither WordPress nor
/// Discourse takes SVG by default); None when there is no copy to send.
fn upload_of(image: &Image) -> Option<Pending> {
    let (bytes, format, width, height): (Arc<[u8]>, Format, u32, u32) =
        if image.probed.format == Format::Svg {
            let copy = fit(
                &image.bytes,
                &image.probed,
                None,
                &[Format::Png, Format::Jpeg],
            )
            .ok()
            .flatten()?;
            let (width, height) = (copy.width, copy.height);
            (copy.bytes.into(), copy.format, width, height)
        } else {
            let probed = &image.probed;
            (
                Arc::clone(&image.bytes),
                probed.format,
                probed.width,
                probed.height,
            )
        };
    let hash = crate::hash::hash(&bytes);
    let digits = hash.trim_start_matches("sha256:");
    let stem = image
        .file
        .rsplit_once('.')
        .map_or(image.file.as_str(), |(stem, _)| stem);
    Some(Pending {
        stand_in: format!("https://repurpose.invalid/upload/{digits}"),
        name: format!("{stem}.{}", format.ext()),
        mime: format.mime(),
        hash,
        bytes,
        alt: image.alt.clone(),
        width,
        height,
    })
}

/// Uploads each of `pending` the ledger still lacks, recording each as soon as the service
/// has it, and returns `text` with every stand-in swapped for the URL the service gave.
pub(super) fn upload(
    uploader: &dyn Uploader,
    ledger: &mut Ledger,
    post: &str,
    target: &str,
    pending: &[Pending],
    text: &str,
) -> anyhow::Result<String> {
    let mut text = text.to_string();
    for image in pending {
        let done: Uploaded = match ledger.media(target, &image.hash, "") {
            Some(done) => done,
            None => {
                let uploaded = uploader.upload(&Upload {
                    bytes: &image.bytes,
                    name: &image.name,
                    mime: image.mime,
                    alt: &image.alt,
                    width: image.width,
                    height: image.height,
                })?;
                ledger.append(Event::Media {
                    at: now(),
                    post: post.to_string(),
                    target: target.to_string(),
                    hash: image.hash.clone(),
                    place: String::new(),
                    file: image.name.clone(),
                    uploaded: uploaded.clone(),
                })?;
                uploaded
            }
        };
        text = text.replace(&image.stand_in, &done.url);
    }
    Ok(text)
}

/// The plan's words for the images still to upload: ` and upload 2 images`, or nothing.
pub(super) fn to_upload(pending: &[Pending]) -> String {
    match pending.len() {
        0 => String::new(),
        1 => format!("; upload 1 image ({})", pending[0].name),
        n => format!(
            "; upload {n} images ({})",
            pending
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
