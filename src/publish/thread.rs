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
}

/// What a thread at a target needs, worked out from the ledger: which parts are missing,
/// which changed, which the post no longer has.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Work {
    /// Parts not posted yet.
    pub missing: Vec<usize>,
    /// Parts posted whose text changed since.
    pub changed: Vec<usize>,
    /// Parts posted that the thread no longer has (it got shorter).
    pub extra: Vec<usize>,
}

impl Work {
    /// Compares the thread's parts (their hashes) with what the ledger recorded.
    pub fn of(hashes: &[String], state: Option<&super::ledger::ThreadState>) -> Work {
        let mut work = Work::default();
        for (i, hash) in hashes.iter().enumerate() {
            let n = i + 1;
            match state.and_then(|s| s.parts.get(&n)) {
                None => work.missing.push(n),
                Some(part) if &part.sent != hash => work.changed.push(n),
                Some(_) => {}
            }
        }
        if let Some(state) = state {
            work.extra = state
                .parts
                .keys()
                .copied()
                .filter(|&n| n > hashes.len())
                .collect();
        }
        work
    }
}

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

/// Plans one post's thread at a network target: the thread cut to the network's limits and
/// checked against them, then compared with what the ledger recorded.
pub(super) fn plan(
    session: &crate::pipeline::Session,
    ledger: &super::Ledger,
    post: &crate::post::Post,
    venue: &crate::venue::Venue,
    social: &Social,
    step: &mut super::Step,
) {
    use super::Action;
    let limits = social.limits;
    let Some(parts) = crate::pipeline::venue_thread(
        post,
        venue,
        &session.config.site,
        limits.max_chars,
        limits.url_length,
    ) else {
        step.detail = format!(
            "the `{}` venue cuts no thread (none of its templates uses `thread`): name the social venue, or one like it",
            venue.name
        );
        return;
    };
    if parts.is_empty() {
        step.detail = "the thread is empty".into();
        return;
    }
    let total = parts.len();
    // Checked before anything is sent: a part the network would refuse must not leave
    // the thread half-posted.
    for (i, text) in parts.iter().enumerate() {
        if let Err(why) = fits(text, limits) {
            step.detail = format!("part {} of {total} does not fit: {why}", i + 1);
            return;
        }
    }
    let hashes: Vec<String> = parts
        .iter()
        .map(|p| crate::hash::hash(p.as_bytes()))
        .collect();
    let state = ledger.thread(&post.slug, &step.target);
    let work = Work::of(&hashes, state.as_deref());
    let edits = social.network.edits();
    let (edit, stuck) = if edits {
        (work.changed.clone(), Vec::new())
    } else {
        (Vec::new(), work.changed.clone())
    };
    let mut notes = Vec::new();
    let posted = state.as_ref().map_or(0, |s| s.parts.len());
    let at = state
        .as_ref()
        .map(|s| s.at().to_string())
        .unwrap_or_default();
    step.action = match state.as_deref() {
        _ if posted == 0 => {
            notes.push(format!("a thread of {total} part{}", plural(total)));
            Action::Create
        }
        Some(s) if !work.missing.is_empty() && edit.is_empty() && s.of == total => {
            notes.push(format!(
                "{} of {total} left (the run of {at} stopped after part {})",
                parts_word(&work.missing),
                work.missing[0].saturating_sub(1)
            ));
            Action::Resume
        }
        _ if !work.missing.is_empty() || !edit.is_empty() => {
            if !edit.is_empty() {
                notes.push(format!("edit {} in place", parts_word(&edit)));
            }
            if !work.missing.is_empty() {
                notes.push(format!("add {}", parts_word(&work.missing)));
            }
            Action::Update
        }
        _ => {
            notes.push(format!("{total} part{} as posted on {at}", plural(total)));
            Action::Unchanged
        }
    };
    if let Some(first) = state.as_ref().and_then(|s| s.parts.get(&1)) {
        step.id = Some(first.remote.id.clone());
        step.url = Some(first.remote.url.clone());
        if step.action != Action::Unchanged {
            let then = state.as_ref().map_or("", |s| s.from());
            if !work.changed.is_empty() || then != step.from {
                notes.push(super::plan::changed(then, &step.from, &venue.name, &at));
            }
        }
    }
    if !stuck.is_empty() {
        notes.push(format!(
            "{} changed since posted, and {} shows no edits: left as posted",
            parts_word(&stuck),
            if step.service == "bluesky" {
                "Bluesky"
            } else {
                "the network"
            }
        ));
    }
    if !work.extra.is_empty() {
        notes.push(format!(
            "{} posted before, no longer in the thread: repurpose never deletes; delete them on the site if they should go",
            parts_word(&work.extra)
        ));
    }
    step.detail = notes.join("; ");
    if matches!(
        step.action,
        Action::Create | Action::Resume | Action::Update
    ) {
        step.payload = super::plan::Payload::Thread(Box::new(Posting {
            parts,
            hashes,
            post: work.missing,
            edit,
            limits,
        }));
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Posts and edits the parts a thread step plans, each recorded in the ledger as soon as
/// the network took it: an `attempt` line before each new part, a `part` line after.
/// Read again from the ledger first: the plan may be old.
pub(super) fn send(
    network: &dyn Network,
    ledger: &mut super::Ledger,
    target: &crate::config::publish::Target,
    step: &mut super::Step,
) -> anyhow::Result<()> {
    use super::ledger::{Event, now};
    let super::plan::Payload::Thread(posting) = &step.payload else {
        return Ok(());
    };
    let total = posting.parts.len();
    let record = |ledger: &mut super::Ledger, n: usize, remote: &PartRef, action: &str| {
        ledger.append(Event::Part {
            at: now(),
            post: step.post.clone(),
            source: step.source.clone(),
            target: target.name.clone(),
            part: n,
            of: total,
            action: action.into(),
            id: remote.id.clone(),
            url: remote.url.clone(),
            cid: remote.cid.clone(),
            sent: posting.hashes[n - 1].clone(),
            from: step.from.clone(),
            max_chars: posting.limits.max_chars,
            url_length: posting.limits.url_length,
        })
    };
    for &n in &posting.edit {
        let state = ledger.thread(&step.post, &target.name);
        let Some(part) = state.as_ref().and_then(|s| s.parts.get(&n)) else {
            continue;
        };
        let text = &posting.parts[n - 1];
        let remote = network
            .edit(&part.remote, text)
            .map_err(|e| e.context(format!("editing part {n} of {total}")))?;
        record(ledger, n, &remote, "edit")?;
    }
    for &n in &posting.post {
        let state = ledger.thread(&step.post, &target.name).unwrap_or_default();
        if state.parts.contains_key(&n) {
            continue;
        }
        let text = &posting.parts[n - 1];
        let sent = &posting.hashes[n - 1];
        let reply = if n == 1 {
            None
        } else {
            let (Some(root), Some(parent)) = (state.parts.get(&1), state.parts.get(&(n - 1)))
            else {
                anyhow::bail!(
                    "part {n} of {total} would reply to part {}, which is not recorded as posted",
                    n - 1
                );
            };
            Some(Reply {
                root: &root.remote,
                parent: &parent.remote,
            })
        };
        let what = |e: anyhow::Error| e.context(format!("posting part {n} of {total}"));
        // A key recorded by a run that stopped before it recorded the part: the network may
        // hold the part under it.
        let pending = state
            .attempts
            .get(&n)
            .filter(|(_, hash)| hash == sent)
            .map(|(key, _)| key.clone());
        let found = match &pending {
            Some(key) => network.find(text, reply, key).map_err(what)?,
            None => None,
        };
        let (remote, action) = match found {
            Some(remote) => (remote, "found"),
            None => {
                let key = match pending {
                    Some(key) => key,
                    None => {
                        let seed = format!("{}\0{}\0{n}\0{sent}", target.name, step.post);
                        let key = network.key(&seed);
                        ledger.append(Event::Attempt {
                            at: now(),
                            post: step.post.clone(),
                            target: target.name.clone(),
                            part: n,
                            key: key.clone(),
                            sent: sent.clone(),
                        })?;
                        key
                    }
                };
                match network.create(text, reply, &key) {
                    Ok(remote) => (remote, "create"),
                    // The answer was lost: the network may have posted it.
                    Err(e) if super::http::unanswered(&e) => {
                        match network.find(text, reply, &key).map_err(what)? {
                            Some(remote) => (remote, "found"),
                            None => (network.create(text, reply, &key).map_err(what)?, "create"),
                        }
                    }
                    Err(e) => return Err(what(e)),
                }
            }
        };
        record(ledger, n, &remote, action)?;
        if n == 1 {
            step.id = Some(remote.id.clone());
            step.url = Some(remote.url.clone());
        }
    }
    step.performed = Some(step.action.word());
    Ok(())
}

#[cfg(test)]
mod tests;
