//! `status`: per post and target, what the ledger says against the post as it is now —
//! never published, current, stale (and what changed), or incomplete. Reads only local
//! files: no service is asked.

use serde::Serialize;

use crate::config::publish::{Service, Target};
use crate::pipeline::Session;

use super::ledger::Ledger;
use super::plan::{Prepared, changed, draft, draft_hash, email_parts};

/// Where a post stands at a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Never sent there.
    Never,
    /// What is there is what would be sent now.
    Current,
    /// Sent, but the post or its output changed since.
    Stale,
    /// A send that stopped part-way.
    Incomplete,
}

impl State {
    /// The words `status` prints.
    pub fn words(self) -> &'static str {
        match self {
            State::Never => "never published",
            State::Current => "current",
            State::Stale => "stale",
            State::Incomplete => "incomplete",
        }
    }
}

/// One post at one target.
#[derive(Debug, Serialize)]
pub struct Row {
    /// The post's slug.
    pub post: String,
    /// Its file, relative to the ledger's folder.
    pub source: String,
    /// The target.
    pub target: String,
    /// Its service.
    pub service: &'static str,
    /// Where the post stands.
    pub state: State,
    /// What changed, what is left, or what is there.
    pub detail: String,
    /// The remote id, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where readers see it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// When it was last sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// Where `prepared` stands at `target`, from the ledger.
pub fn row(session: &Session, ledger: &Ledger, prepared: &Prepared<'_>, target: &Target) -> Row {
    let post = &prepared.run.post;
    let mut row = Row {
        post: post.slug.clone(),
        source: prepared.source.clone(),
        target: target.name.clone(),
        service: target.service.name(),
        state: State::Never,
        detail: String::new(),
        id: None,
        url: None,
        at: None,
    };
    let venue = session.catalog.get(&target.venue);
    match &target.service {
        Service::WordPress(wp) => {
            let Some(placed) = ledger.placed(&post.slug, &target.name) else {
                return row;
            };
            row.id = Some(placed.id.clone());
            row.url = Some(placed.url.clone());
            row.at = Some(placed.at.clone());
            let now = venue.map(|v| {
                let site = &session.config.site;
                let (refs, _) = super::uploads::refs(post, v, site, ledger, &target.name);
                draft_hash(&draft(session, post, v, wp, Some(&refs)))
            });
            if now.as_deref() == Some(placed.sent.as_str()) {
                row.state = State::Current;
                row.detail = format!("post {} as sent on {}", placed.id, placed.at);
            } else {
                row.state = State::Stale;
                row.detail = changed(&placed.from, &prepared.from, &target.venue, &placed.at);
            }
        }
        Service::Mastodon(_) | Service::Bluesky(_) => {
            let Some(thread) = ledger.thread(&post.slug, &target.name) else {
                return row;
            };
            let Some(first) = thread.parts.get(&1) else {
                row.state = State::Incomplete;
                row.detail =
                    "part 1 may have been posted by a run that stopped; `publish` looks for it before posting".into();
                return row;
            };
            row.id = Some(first.remote.id.clone());
            row.url = Some(first.remote.url.clone());
            row.at = Some(thread.at().to_string());
            // Cut again to the limits it was posted with: no network is asked.
            let (max_chars, url_length) = thread.cut;
            let now: Option<Vec<String>> = venue.and_then(|v| {
                crate::pipeline::venue_thread(
                    post,
                    v,
                    &session.config.site,
                    max_chars,
                    url_length,
                    None,
                )
            });
            let hashes: Vec<String> = now
                .iter()
                .flatten()
                .map(|p| super::network::part_hash(p))
                .collect();
            let work = super::thread::Work::of(&hashes, Some(&thread));
            // As the plan sees it: parts missing from a thread whose post did not change are
            // a resume; parts the thread no longer has are a note, not a change.
            if !work.missing.is_empty() && work.changed.is_empty() && thread.of == hashes.len() {
                row.state = State::Incomplete;
                row.detail = format!(
                    "{} of {} posted; {} left",
                    thread.parts.len(),
                    thread.of,
                    super::network::parts_word(&work.missing)
                );
            } else if work.missing.is_empty() && work.changed.is_empty() {
                row.state = State::Current;
                row.detail = format!("{} parts as posted on {}", hashes.len(), thread.at());
            } else {
                row.state = State::Stale;
                row.detail = changed(thread.from(), &prepared.from, &target.venue, thread.at());
            }
            if !work.extra.is_empty() {
                row.detail.push_str(&format!(
                    "; {} posted before, no longer in the thread",
                    super::network::parts_word(&work.extra)
                ));
            }
        }
        Service::Discourse(_) | Service::Devto(_) => {
            let Some(placed) = ledger.placed(&post.slug, &target.name) else {
                return row;
            };
            row.id = Some(placed.id.clone());
            row.url = Some(placed.url.clone());
            row.at = Some(placed.at.clone());
            let uploads = super::article::takes_uploads(&target.service);
            let now = venue
                .and_then(|v| {
                    super::article::for_host(session, &prepared.run, v, ledger, target, uploads)
                })
                .map(|(a, _)| a.hash());
            if now.as_deref() == Some(placed.sent.as_str()) {
                row.state = State::Current;
                row.detail = format!("as sent on {}", placed.at);
            } else {
                row.state = State::Stale;
                row.detail = changed(&placed.from, &prepared.from, &target.venue, &placed.at);
            }
        }
        Service::Smtp(_) => {
            let Some(issue) = ledger.issue_of(&post.slug, &target.name) else {
                return row;
            };
            row.id = Some(issue.id.clone());
            row.at = Some(issue.at.clone());
            let mut notes = vec![format!(
                "{} of {} delivered",
                issue.delivered.len(),
                issue.recipients
            )];
            if !issue.uncertain.is_empty() {
                notes.push(format!(
                    "{} uncertain (the run stopped or the connection was lost while sending to them; not resent without --resend-uncertain)",
                    issue.uncertain.len()
                ));
            }
            if !issue.refused.is_empty() {
                notes.push(format!("{} refused by the server", issue.refused.len()));
            }
            if !issue.deferred.is_empty() {
                notes.push(format!("{} to retry", issue.deferred.len()));
            }
            let tried = issue.delivered.len()
                + issue.uncertain.len()
                + issue.refused.len()
                + issue.deferred.len();
            if !issue.finished && issue.recipients > tried {
                notes.push(format!("{} not tried yet", issue.recipients - tried));
            }
            let was = issue.posts.iter().find(|p| p.post == post.slug);
            let now = venue
                .and_then(|v| email_parts(&prepared.run, &v.name))
                .map(|(_, _, sent)| sent);
            if !issue.complete() {
                row.state = State::Incomplete;
                row.detail = format!("issue {}: {}", issue.id, notes.join(", "));
            } else if was.map(|p| p.sent.as_str()) == now.as_deref() {
                row.state = State::Current;
                row.detail = format!("emailed on {}: {}", issue.at, notes.join(", "));
            } else {
                row.state = State::Stale;
                let what = was.map_or_else(String::new, |p| {
                    changed(&p.from, &prepared.from, &target.venue, &issue.at)
                });
                row.detail = format!(
                    "{what}; an email is never sent twice ({})",
                    notes.join(", ")
                );
            }
        }
    }
    row
}
