//! Threads: the social venue's thread as posts on a network (Mastodon, Bluesky), each
//! replying to the one before. A network is reached through `Network`; what was posted is
//! recorded part by part in the ledger, so a thread stopped at part k resumes at k, replying
//! to k−1, and never posts a part twice.

use serde::{Deserialize, Serialize};

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

/// A social network, logged in.
pub trait Network {
    /// How the network counts a post and how long one may be (Mastodon reads them from
    /// the instance).
    fn limits(&self) -> anyhow::Result<Limits>;

    /// A key for posting a part for the first time, made from `seed` (stable for the post,
    /// the part and its text): Mastodon's `Idempotency-Key`, Bluesky's record key. It is
    /// recorded in the ledger before the part is posted, and used again for that part
    /// while its text is the same.
    fn key(&self, seed: &str) -> String;

    /// Posts `text`, replying to `reply` unless it is the first part, under `key`. An
    /// answer lost on the way (`http::Unanswered`) may mean the network posted it: call
    /// `find` before posting again.
    fn create(&self, text: &str, reply: Option<Reply<'_>>, key: &str) -> anyhow::Result<PartRef>;

    /// The part posted under `key` (replying to `reply`) by a run whose answer was lost or
    /// that was stopped before it recorded the part; `None` when the network has no such
    /// post, so `create` will not make a second.
    fn find(
        &self,
        text: &str,
        reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<Option<PartRef>>;

    /// Whether posts can be edited in place (Mastodon can; Bluesky shows no edits).
    fn edits(&self) -> bool;

    /// Replaces the text of `part` in place; an error where the network cannot edit.
    fn edit(&self, part: &PartRef, text: &str) -> anyhow::Result<PartRef>;
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
