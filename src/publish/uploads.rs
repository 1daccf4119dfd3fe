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
use super::upload::{Ready, Uploaded, Uploader};

/// An image to upload before the post, and the stand-in for its URL in the body until then.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    /// What the body holds in its place: `https://repurpose.invalid/upload/<hash>`.
    pub stand_in: String,
    /// The image as it is uploaded.
    pub image: Ready,
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
            match ledger.media(target, &upload.image.hash, "") {
                Some(done) => reference.url = done.url,
                None => {
                    reference.url.clone_from(&upload.stand_in);
                    if !pending.iter().any(|p| p.image.hash == upload.image.hash) {
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
        image: Ready {
            name: format!("{stem}.{}", format.ext()),
            mime: format.mime(),
            hash,
            bytes,
            alt: image.alt.clone(),
            width,
            height,
        },
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
    for pending in pending {
        let done = upload_once(uploader, ledger, post, target, "", &pending.image, false)?;
        text = text.replace(&pending.stand_in, &done.url);
    }
    Ok(text)
}

/// The upload of `image` to `target` for `place` (see `Event::Media`): the ledger's when it
/// records one, else uploaded now and recorded at once. With `resend_lost`, an upload whose
/// answer was lost is sent once more (for a service where that makes no second copy, or
/// where a copy nothing shows is removed); otherwise the uploader looks it up itself.
pub(super) fn upload_once(
    uploader: &dyn Uploader,
    ledger: &mut Ledger,
    post: &str,
    target: &str,
    place: &str,
    image: &Ready,
    resend_lost: bool,
) -> anyhow::Result<Uploaded> {
    if let Some(known) = ledger.media(target, &image.hash, place) {
        return Ok(known);
    }
    let upload = image.upload();
    let done = match uploader.upload(&upload) {
        Err(e) if resend_lost && super::http::unanswered(&e) => uploader.upload(&upload),
        done => done,
    }
    .map_err(|e| e.context(format!("uploading {}", image.name)))?;
    ledger.append(Event::Media {
        at: now(),
        post: post.to_string(),
        target: target.to_string(),
        hash: image.hash.clone(),
        place: place.to_string(),
        file: image.name.clone(),
        uploaded: done.clone(),
    })?;
    Ok(done)
}

/// The plan's words for the images still to upload: ` and upload 2 images`, or nothing.
pub(super) fn to_upload(pending: &[Pending]) -> String {
    match pending.len() {
        0 => String::new(),
        1 => format!("; upload 1 image ({})", pending[0].image.name),
        n => format!(
            "; upload {n} images ({})",
            pending
                .iter()
                .map(|p| p.image.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
