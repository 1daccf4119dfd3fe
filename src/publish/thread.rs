//! Threads: the social venue's thread as posts on a network (Mastodon, Bluesky), each
//! replying to the one before. What was posted is recorded part by part in the ledger, so a
//! thread stopped at part k resumes at k, replying to k−1, and never posts a part twice.

use super::network::{Network, PartRef, Posting, Reply, Social, fits, part_hash, parts_word};

mod media;

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

/// Plans one post's thread at a network target: the thread cut to the network's limits and
/// checked against them, then compared with what the ledger recorded.
pub(super) fn plan(
    session: &crate::pipeline::Session,
    ledger: &super::Ledger,
    post: &crate::post::Post,
    venue: &crate::venue::Venue,
    social: &Social,
    target: &crate::config::publish::Target,
    step: &mut super::Step,
) {
    use super::Action;
    let state = ledger.thread(&post.slug, &step.target);
    // A thread posted before is cut as it was then (at most the network's limit now): an
    // instance raising its limit does not re-cut every thread it holds.
    let mut limits = social.limits;
    if let Some((then, _)) = state.as_ref().map(|s| s.cut).filter(|(m, _)| *m > 0) {
        limits.max_chars = limits.max_chars.min(then);
    }
    let Some(parts) = crate::pipeline::venue_thread(
        post,
        venue,
        &session.config.site,
        limits.max_chars,
        limits.url_length,
        None,
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
    let hashes: Vec<String> = parts.iter().map(|p| part_hash(p)).collect();
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
            // A target renamed in repurpose.yaml would post every thread again.
            let elsewhere = ledger.threads_of(&post.slug).into_iter().find(|(t, s)| {
                s.service == step.service
                    && !session.config.publish.contains_key(t)
                    && s.parts
                        .get(&1)
                        .is_some_and(|p| same_account(&p.remote, target))
            });
            if let Some((other, thread)) = elsewhere {
                step.detail = format!(
                    "posted as a thread on {} by the target `{other}`, which repurpose.yaml no longer names: if `{}` is that target renamed, give it its old name back (a thread is never posted twice)",
                    thread.at(),
                    step.target
                );
                return;
            }
            notes.push(format!("a thread of {total} part{}", plural(total)));
            if ledger.events().is_empty() {
                // A thread cannot be found again by its text, as a blog post can.
                notes.push(format!(
                    "no {} here yet: a thread already posted from another copy of the project would be posted again",
                    super::ledger::FILE
                ));
            }
            Action::Create
        }
        // As `status` tells it: parts left of a thread whose posted parts are as they were.
        Some(s) if !work.missing.is_empty() && work.changed.is_empty() && s.of == total => {
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
    let sends = matches!(
        step.action,
        Action::Create | Action::Resume | Action::Update
    );
    let (images, media_notes) = if sends {
        media::images(post, venue, &session.config.site, &parts, limits.media)
    } else {
        Default::default()
    };
    if sends {
        let sent: Vec<usize> = work.missing.iter().chain(&edit).copied().collect();
        let count = media::to_upload(
            social.network.as_ref(),
            ledger,
            &step.target,
            &post.slug,
            &images,
            &sent,
        );
        if count > 0 {
            notes.push(format!("upload {count} image{}", plural(count)));
        }
        notes.extend(media_notes);
    }
    step.detail = notes.join("; ");
    if sends {
        step.payload = super::plan::Payload::Thread(Box::new(Posting {
            parts,
            hashes,
            post: work.missing,
            edit,
            limits,
            media: images,
        }));
    }
}

/// Whether `part` was posted by the account `target` posts as: the same Mastodon instance,
/// the same Bluesky handle. A thread another account posted (a move to a new instance) is
/// no reason to hold back this one.
fn same_account(part: &PartRef, target: &crate::config::publish::Target) -> bool {
    use crate::config::publish::Service;
    let host = |url: &str| {
        url::Url::parse(url)
            .ok()
            .and_then(|u| Some((u.host_str()?.to_lowercase(), u.port_or_known_default())))
    };
    match &target.service {
        Service::Mastodon(m) => host(&part.url).is_some() && host(&part.url) == host(&m.url),
        Service::Bluesky(b) => part
            .url
            .to_lowercase()
            .contains(&format!("/profile/{}/", b.handle.to_lowercase())),
        _ => false,
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
    let record =
        |ledger: &mut super::Ledger, n: usize, remote: &PartRef, action: &str, sent: &str| {
            ledger.append(Event::Part {
                at: now(),
                post: step.post.clone(),
                source: step.source.clone(),
                target: target.name.clone(),
                service: step.service.to_string(),
                part: n,
                of: total,
                action: action.into(),
                id: remote.id.clone(),
                url: remote.url.clone(),
                cid: remote.cid.clone(),
                sent: sent.to_string(),
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
        let media = media::upload(
            network,
            ledger,
            &target.name,
            &step.post,
            n,
            posting.media.get(n - 1).map_or(&[], Vec::as_slice),
        )?;
        let remote = network
            .edit(&part.remote, text, &media)
            .map_err(|e| e.context(format!("editing part {n} of {total}")))?;
        record(ledger, n, &remote, "edit", &posting.hashes[n - 1])?;
        step.performed = Some(step.action.word());
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
        let images = posting.media.get(n - 1).map_or(&[][..], Vec::as_slice);
        // A key recorded by a run that stopped before it recorded the part: the network may
        // hold the part under it, with the text it had then (the post may have been edited
        // since). Found, it is recorded as it is there, then edited where the network can.
        if let Some((key, then)) = state.attempts.get(&n)
            && let Some(remote) = network.find(then, reply, key).map_err(what)?
        {
            record(ledger, n, &remote, "found", then)?;
            if then != sent && network.edits() {
                let media = media::upload(network, ledger, &target.name, &step.post, n, images)?;
                let remote = network
                    .edit(&remote, text, &media)
                    .map_err(|e| e.context(format!("editing part {n} of {total}")))?;
                record(ledger, n, &remote, "edit", sent)?;
            }
            if n == 1 {
                step.id = Some(remote.id.clone());
                step.url = Some(remote.url.clone());
            }
            continue;
        }
        let key = match state.attempts.get(&n) {
            Some((key, then)) if then == sent => key.clone(),
            _ => {
                let seed = format!("{}\0{}\0{n}\0{sent}", target.name, step.post);
                let key = network.key(&seed);
                ledger.append(Event::Attempt {
                    at: now(),
                    post: step.post.clone(),
                    source: step.source.clone(),
                    target: target.name.clone(),
                    part: n,
                    key: key.clone(),
                    sent: sent.clone(),
                })?;
                key
            }
        };
        let media = media::upload(network, ledger, &target.name, &step.post, n, images)?;
        let (remote, action) = match network.create(text, &media, reply, &key) {
            Ok(remote) => (remote, "create"),
            // The answer was lost: the network may have posted it.
            Err(e) if super::http::unanswered(&e) => {
                match network.find(sent, reply, &key).map_err(what)? {
                    Some(remote) => (remote, "found"),
                    None => (
                        network.create(text, &media, reply, &key).map_err(what)?,
                        "create",
                    ),
                }
            }
            Err(e) => return Err(what(e)),
        };
        record(ledger, n, &remote, action, sent)?;
        // Set as soon as a part is on the network: a step failing later still sent some.
        step.performed = Some(step.action.word());
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
