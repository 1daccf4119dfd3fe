//! The social networks a thread is posted to (Mastodon, Bluesky), as publishing sees them:
//! the `Network` trait each client implements, how a network counts and limits a post, and
//! a posted part's reference. Threads are planned and sent in `thread`.

use serde::{Deserialize, Serialize};

use super::upload::{Uploaded, Uploader};
use crate::media::image::Format;

/// How a network counts and limits a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The most characters (grapheme clusters) a post may hold.
    pub max_chars: usize,
    /// What every URL counts for, where the network counts links at a fixed length
    /// (Mastodon's `characters_reserved_per_url`); `None` counts them whole.
    pub url_length: Option<usize>,
    /// The most bytes of UTF-8 a post may hold, where the network limits those too
    /// (Bluesky: 3,000).
    pub max_bytes: Option<usize>,
    /// How the network limits the images a post carries.
    pub media: MediaLimits,
}

/// How a network limits the images a post carries; `None` where it does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MediaLimits {
    /// The most images one post carries (Mastodon's `max_media_attachments`, Bluesky's 4).
    pub max_images: Option<usize>,
    /// The most bytes one image may have (Mastodon's `image_size_limit`, Bluesky's
    /// 1,000,000 of the `app.bsky.embed.images` lexicon).
    pub max_bytes: Option<u64>,
    /// The most pixels (width × height) one image may have (Mastodon's
    /// `image_matrix_limit`).
    pub max_pixels: Option<u64>,
    /// The image formats the network takes, of those repurpose reads (Mastodon's
    /// `supported_mime_types`).
    pub formats: Option<Formats>,
}

impl MediaLimits {
    /// Nothing said.
    pub const NONE: MediaLimits = MediaLimits {
        max_images: None,
        max_bytes: None,
        max_pixels: None,
        formats: None,
    };
}

/// Every format repurpose reads.
const FORMATS: [Format; 5] = [
    Format::Png,
    Format::Jpeg,
    Format::Gif,
    Format::Webp,
    Format::Svg,
];

/// A set of image formats.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Formats(u8);

impl Formats {
    fn bit(format: Format) -> u8 {
        match format {
            Format::Png => 1,
            Format::Jpeg => 2,
            Format::Gif => 4,
            Format::Webp => 8,
            Format::Svg => 16,
        }
    }

    /// The formats of those MIME types that repurpose reads (others are left out).
    pub fn from_mime_types<'a>(types: impl IntoIterator<Item = &'a str>) -> Formats {
        let mut set = Formats::default();
        for mime in types {
            let mime = mime.trim();
            if let Some(format) = FORMATS.iter().find(|f| f.mime().eq_ignore_ascii_case(mime)) {
                set.0 |= Formats::bit(*format);
            }
        }
        set
    }

    /// Whether the set holds `format`.
    pub fn contains(self, format: Format) -> bool {
        self.0 & Formats::bit(format) != 0
    }
}

impl std::fmt::Debug for Formats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(
                FORMATS
                    .iter()
                    .filter(|x| self.contains(**x))
                    .map(|x| x.name()),
            )
            .finish()
    }
}

/// One post of a thread as the network holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartRef {
    /// The network's id: a Mastodon status id, a Bluesky `at://` URI.
    pub id: String,
    /// Where readers see it.
    pub url: String,
    /// Bluesky's content id (a reply names both the URI and the CID of what it replies
    /// to); empty elsewhere.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub cid: String,
}

/// What a post replies to: the thread's first post and the post before it.
#[derive(Debug, Clone, Copy)]
pub struct Reply<'a> {
    pub root: &'a PartRef,
    pub parent: &'a PartRef,
}

/// A social network, logged in; it takes images too (`Uploader`).
pub trait Network: Uploader {
    /// How the network counts a post and how long one may be (Mastodon reads them from
    /// the instance).
    fn limits(&self) -> anyhow::Result<Limits>;

    /// A key for posting a part for the first time, made from `seed` (stable for the post,
    /// the part and its text): Mastodon's `Idempotency-Key`, Bluesky's record key. It is
    /// recorded in the ledger before the part is posted, and used again for that part
    /// while its text is the same.
    fn key(&self, seed: &str) -> String;

    /// Posts `text` with the images `media` (uploaded to this network before), replying to
    /// `reply` unless it is the first part, under `key`. An answer lost on the way
    /// (`http::Unanswered`) may mean the network posted it: call `find` before posting
    /// again.
    fn create(
        &self,
        text: &str,
        media: &[Uploaded],
        reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<PartRef>;

    /// The part posted under `key` (replying to `reply`) by a run whose answer was lost or
    /// that was stopped before it recorded the part, whose text hashes to `sent`
    /// (`part_hash`); `None` when the network has no such post, so `create` will not make a
    /// second. The text may differ from the part's now: the post may have been edited since.
    fn find(
        &self,
        sent: &str,
        reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<Option<PartRef>>;

    /// Where an upload belongs, for the ledger (`Event::Media`'s `place`): empty where any
    /// post may show it again (a Bluesky blob), `part N` where it belongs to the one post
    /// that shows it (a Mastodon attachment).
    fn place(&self, _post: &str, _part: usize) -> String {
        String::new()
    }

    /// Whether posts can be edited in place (Mastodon can; Bluesky shows no edits).
    fn edits(&self) -> bool;

    /// Replaces the text and the images of `part` in place; an error where the network
    /// cannot edit.
    fn edit(&self, part: &PartRef, text: &str, media: &[Uploaded]) -> anyhow::Result<PartRef>;
}

/// The hash a part's text is recorded by, of the text as a network keeps it (line ends as
/// LF, no trailing whitespace): a part read back hashes the same.
pub fn part_hash(text: &str) -> String {
    crate::hash::hash(text.replace("\r\n", "\n").trim_end().as_bytes())
}

/// Whether `text` fits `limits` as the network counts it; `Err` says by how much it does
/// not.
pub fn fits(text: &str, limits: Limits) -> Result<(), String> {
    let counter = crate::thread::Counter {
        url_length: limits.url_length,
    };
    let chars = counter.count(text);
    if chars > limits.max_chars {
        return Err(format!(
            "{chars} characters as the network counts them; it takes at most {}",
            limits.max_chars
        ));
    }
    if let Some(max) = limits.max_bytes
        && text.len() > max
    {
        return Err(format!(
            "{} bytes of UTF-8; the network takes at most {max}",
            text.len()
        ));
    }
    Ok(())
}

/// A network made ready: logged in, its limits read.
pub struct Social {
    pub network: Box<dyn Network>,
    pub limits: Limits,
}

impl std::fmt::Debug for Social {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Social")
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// What a thread step sends: every part's text, which parts to post (in order) and which
/// to edit in place.
#[derive(Debug, Clone)]
pub struct Posting {
    /// The parts' texts, part 1 first.
    pub parts: Vec<String>,
    /// The hash of each part's text.
    pub hashes: Vec<String>,
    /// Parts to post, by number (from 1), ascending.
    pub post: Vec<usize>,
    /// Parts posted before whose text changed, to edit in place, by number.
    pub edit: Vec<usize>,
    /// The limits the thread was cut to, as the ledger records them.
    pub limits: Limits,
    /// The images each part shows, part 1 first (none where the list is shorter).
    pub media: Vec<Vec<PartImage>>,
}

/// An image a part shows, as it is to be uploaded.
pub use super::upload::Ready as PartImage;

/// `2, 5 and 7–9`: part numbers, runs joined.
pub fn numbers(parts: &[usize]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for &n in parts {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let words: Vec<String> = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            }
        })
        .collect();
    match words.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// `part 3` or `parts 2 and 5`.
pub fn parts_word(parts: &[usize]) -> String {
    let plural = parts.len() != 1 || numbers(parts).contains('–');
    format!("part{} {}", if plural { "s" } else { "" }, numbers(parts))
}
