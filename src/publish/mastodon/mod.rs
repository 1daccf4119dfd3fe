//! The social thread on Mastodon: each part a status replying to the one before, through
//! the REST API with an access token (`Authorization: Bearer`).
//!
//! Mastodon takes an `Idempotency-Key` on every create and, for an hour, answers the same
//! key with the status it made the first time: a part whose answer was lost is sent again
//! under the same key rather than posted twice.
//!
//! Images go up first as media attachments (`POST /api/v2/media`, the alt text as their
//! `description`), each then named by id in the one status that shows it (at most
//! `max_media_attachments`, 4; an attachment belongs to one status only). An upload Mastodon
//! is still processing answers 202 without a URL: it is asked for again until it has one.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow};
use serde_json::{Value, json};

use super::Secret;
use super::http::{Api, Method, Reply};
use super::multipart::Form;
use super::network::{
    Formats, Limits, MediaLimits, Network, PartRef, Reply as InReplyTo, part_hash,
};
use super::upload::{Upload, Uploaded, Uploader};
use crate::config::publish::Mastodon;

/// What repurpose assumes when the instance does not say: Mastodon's own 500, and links
/// counted whole (the safe side: a server that shortens them only counts less).
const DEFAULT_LIMITS: Limits = Limits {
    max_chars: 500,
    url_length: None,
    max_bytes: None,
    media: MediaLimits::NONE,
};

/// How long an upload Mastodon is still processing is waited for, at most.
const PROCESSING_WAIT: Duration = Duration::from_secs(60);

/// How many of the account's latest statuses `find` reads for a first part.
const LATEST: &str = "20";

/// A Mastodon account on one instance, logged in with an access token.
#[derive(Debug)]
pub struct Client {
    api: Api,
    /// Prints as `***`; read only where the header is built.
    token: Secret,
    /// The variable the token came from, for errors.
    token_env: String,
    visibility: String,
    /// Our account's id, from `verify_credentials`.
    account: OnceLock<String>,
    limits: OnceLock<Limits>,
}

impl Client {
    /// A client for the instance in `settings`, posting with `token`; nothing is sent yet.
    pub fn new(settings: &Mastodon, token: Secret) -> anyhow::Result<Client> {
        let root = super::http::root(&settings.url, "Mastodon")?;
        Ok(Client {
            api: Api::new(root, "Mastodon"),
            token,
            token_env: settings.token_env.clone(),
            visibility: settings.visibility.clone(),
            account: OnceLock::new(),
            limits: OnceLock::new(),
        })
    }

    /// Checks the token (`GET /api/v1/accounts/verify_credentials`) and learns whose it is.
    pub fn check_login(&self) -> anyhow::Result<()> {
        self.account().map(|_| ())
    }

    /// Our account's id.
    fn account(&self) -> anyhow::Result<&str> {
        if let Some(id) = self.account.get() {
            return Ok(id);
        }
        let what = "checking the login";
        let reply = self.get(what, "api/v1/accounts/verify_credentials", &[])?;
        if reply.status == 401 || reply.status == 403 {
            return Err(self.refused(what, &reply)).with_context(|| {
                format!(
                    "the token in {} was refused: make a new one (Preferences → Development) with the scopes write:statuses, write:media, read:statuses and read:accounts",
                    self.token_env
                )
            });
        }
        let account = self.expect(what, &reply)?;
        let id =
            id_of(&account["id"]).ok_or_else(|| self.unexpected(what, &reply, "no account id"))?;
        Ok(self.account.get_or_init(|| id))
    }

    /// The `Authorization` header's value: the one place the token is read.
    fn authorization(&self) -> String {
        format!("Bearer {}", self.token.expose())
    }

    fn get(&self, what: &str, path: &str, query: &[(&str, &str)]) -> anyhow::Result<Reply> {
        let auth = self.authorization();
        self.api
            .call(what, Method::Get, path, query, &[("Authorization", &auth)])
    }

    /// The answer's JSON when it is 200, else the error naming the status and Mastodon's
    /// message.
    fn expect(&self, what: &str, reply: &Reply) -> anyhow::Result<Value> {
        if reply.status != 200 {
            return Err(self.refused(what, reply));
        }
        match reply.json() {
            Value::Null => Err(self.unexpected(what, reply, "an answer that is not JSON")),
            value => Ok(value),
        }
    }

    fn refused(&self, what: &str, reply: &Reply) -> anyhow::Error {
        let json = reply.json();
        self.api.refused(what, reply, json["error"].as_str())
    }

    fn unexpected(&self, what: &str, reply: &Reply, why: &str) -> anyhow::Error {
        anyhow!(
            "{what} on Mastodon at {}: {why} ({})",
            self.api.root(),
            super::http::describe_body(&reply.body)
        )
    }

    /// The part a status is, from its JSON.
    fn part(&self, what: &str, reply: &Reply, status: &Value) -> anyhow::Result<PartRef> {
        let id =
            id_of(&status["id"]).ok_or_else(|| self.unexpected(what, reply, "no status id"))?;
        let url = status["url"]
            .as_str()
            .or_else(|| status["uri"].as_str())
            .unwrap_or_default()
            .to_string();
        Ok(PartRef {
            id,
            url,
            cid: String::new(),
        })
    }

    /// The text a status was written with (`/source`: `content` is HTML Mastodon made);
    /// `None` when it was deleted since.
    fn source(&self, id: &str) -> anyhow::Result<Option<String>> {
        let id = status_id(id)?;
        let what = format!("reading the text of status {id}");
        let reply = self.get(&what, &format!("api/v1/statuses/{id}/source"), &[])?;
        if reply.status == 404 {
            return Ok(None);
        }
        let source = self.expect(&what, &reply)?;
        Ok(Some(
            source["text"].as_str().unwrap_or_default().to_string(),
        ))
    }

    /// The first of `candidates` (statuses as JSON) that is ours and holds `text`.
    fn first_with_text(
        &self,
        what: &str,
        reply: &Reply,
        candidates: &[Value],
        sent: &str,
    ) -> anyhow::Result<Option<PartRef>> {
        let account = self.account()?;
        for status in candidates {
            if id_of(&status["account"]["id"]).as_deref() != Some(account) {
                continue;
            }
            let Some(id) = id_of(&status["id"]) else {
                continue;
            };
            if self
                .source(&id)?
                .is_some_and(|held| part_hash(&held) == sent)
            {
                return self.part(what, reply, status).map(Some);
            }
        }
        Ok(None)
    }

    /// The instance's limits, asked once: `/api/v2/instance`, else (before Mastodon 4.0)
    /// `/api/v1/instance`, else Mastodon's defaults.
    fn read_limits(&self) -> anyhow::Result<Limits> {
        let what = "reading the instance's limits";
        let mut reply = self.get(what, "api/v2/instance", &[])?;
        if reply.status == 404 {
            reply = self.get(what, "api/v1/instance", &[])?;
            if reply.status == 404 {
                return Ok(DEFAULT_LIMITS);
            }
        }
        let instance = self.expect(what, &reply)?;
        let statuses = &instance["configuration"]["statuses"];
        let number = |value: &Value| value.as_u64().and_then(|n| usize::try_from(n).ok());
        Ok(Limits {
            max_chars: number(&statuses["max_characters"])
                // Pleroma and older forks say it here.
                .or_else(|| number(&instance["max_toot_chars"]))
                .unwrap_or(DEFAULT_LIMITS.max_chars),
            // Not said (a server that only looks like Mastodon): links counted whole, the
            // safe side, since a server that shortens them only counts less.
            url_length: number(&statuses["characters_reserved_per_url"]),
            max_bytes: None,
            media: media_limits(&instance["configuration"]),
        })
    }

    /// A media attachment, from its JSON: its id, its URL (empty while Mastodon processes
    /// it) and its description as Mastodon holds it.
    fn attachment(&self, what: &str, reply: &Reply) -> anyhow::Result<Uploaded> {
        let media = match reply.json() {
            Value::Null => return Err(self.unexpected(what, reply, "an answer that is not JSON")),
            value => value,
        };
        let id = id_of(&media["id"])
            .ok_or_else(|| self.unexpected(what, reply, "no media attachment id"))?;
        Ok(Uploaded {
            id,
            url: media["url"].as_str().unwrap_or_default().to_string(),
            extra: json!({"description": media["description"].as_str().unwrap_or_default()}),
        })
    }

    /// Asks for an attachment Mastodon is still processing until it has a URL (`206
    /// Partial Content` while it has none), waiting longer each time, `PROCESSING_WAIT` at
    /// most.
    fn processed(&self, what: &str, mut uploaded: Uploaded) -> anyhow::Result<Uploaded> {
        let id = status_id(&uploaded.id)?.to_string();
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        while uploaded.url.is_empty() {
            if started.elapsed() + pause > PROCESSING_WAIT {
                anyhow::bail!(
                    "{what} on Mastodon at {}: the attachment {id} was still being processed \
                     after {} s; run `repurpose publish` again later",
                    self.api.root(),
                    PROCESSING_WAIT.as_secs()
                );
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(4));
            let reply = self.get(what, &format!("api/v1/media/{id}"), &[])?;
            if !matches!(reply.status, 200 | 206) {
                return Err(self.refused(what, &reply));
            }
            uploaded = self.attachment(what, &reply)?;
        }
        Ok(uploaded)
    }
}

/// The media limits in an instance's `configuration`: `statuses.max_media_attachments` and
/// `media_attachments` (`image_size_limit`, `image_matrix_limit`, `supported_mime_types`).
fn media_limits(configuration: &Value) -> MediaLimits {
    let media = &configuration["media_attachments"];
    let types = media["supported_mime_types"]
        .as_array()
        .map(|types| Formats::from_mime_types(types.iter().filter_map(Value::as_str)));
    MediaLimits {
        max_images: configuration["statuses"]["max_media_attachments"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok()),
        max_bytes: media["image_size_limit"].as_u64(),
        max_pixels: media["image_matrix_limit"].as_u64(),
        formats: types,
    }
}

/// The `media_ids` of a status, and the `media_attributes` that set each description.
fn media_fields(body: &mut Value, media: &[Uploaded], attributes: bool) {
    if media.is_empty() {
        return;
    }
    body["media_ids"] = media.iter().map(|m| json!(m.id)).collect();
    if attributes {
        body["media_attributes"] = media
            .iter()
            .map(|m| json!({"id": m.id, "description": m.extra["description"]}))
            .collect();
    }
}

impl Uploader for Client {
    /// The attachment as recorded, described with the alt text the post has now: an edit
    /// sends it again (`media_attributes`).
    fn reuse(&self, mut uploaded: Uploaded, image: &Upload<'_>) -> Uploaded {
        uploaded.extra["description"] = json!(image.alt);
        uploaded
    }

    fn upload(&self, image: &Upload<'_>) -> anyhow::Result<Uploaded> {
        let what = format!("uploading the image {}", image.name);
        let form = Form::new()
            .file("file", image.name, image.mime, image.bytes)
            .text("description", image.alt)
            .finish();
        let auth = self.authorization();
        let method = Method::PostBytes {
            content_type: &form.content_type,
            body: &form.bytes,
        };
        let reply = self.api.call(
            &what,
            method,
            "api/v2/media",
            &[],
            &[("Authorization", &auth)],
        )?;
        if !matches!(reply.status, 200 | 202) {
            return Err(self.refused(&what, &reply));
        }
        let uploaded = self.attachment(&what, &reply)?;
        self.processed(&what, uploaded)
    }
}

impl Network for Client {
    fn limits(&self) -> anyhow::Result<Limits> {
        if let Some(limits) = self.limits.get() {
            return Ok(*limits);
        }
        let limits = self.read_limits()?;
        Ok(*self.limits.get_or_init(|| limits))
    }

    fn key(&self, seed: &str) -> String {
        // Mastodon keeps keys per account, any string; a hash says nothing of the post.
        format!("repurpose-{}", crate::hash::short(seed.as_bytes(), 40))
    }

    fn create(
        &self,
        text: &str,
        media: &[Uploaded],
        reply: Option<InReplyTo<'_>>,
        key: &str,
    ) -> anyhow::Result<PartRef> {
        let what = match reply {
            Some(reply) => format!("posting a reply to status {}", reply.parent.id),
            None => "posting the thread's first status".to_string(),
        };
        let mut body = json!({"status": text, "visibility": self.visibility});
        if let Some(reply) = reply {
            body["in_reply_to_id"] = json!(reply.parent.id);
        }
        media_fields(&mut body, media, false);
        let auth = self.authorization();
        let headers = [("Authorization", auth.as_str()), ("Idempotency-Key", key)];
        let answer = self
            .api
            .call(&what, Method::Post(&body), "api/v1/statuses", &[], &headers)?;
        let status = self.expect(&what, &answer)?;
        self.part(&what, &answer, &status)
    }

    fn find(
        &self,
        sent: &str,
        reply: Option<InReplyTo<'_>>,
        _key: &str,
    ) -> anyhow::Result<Option<PartRef>> {
        match reply {
            // A reply: among the parent's descendants, ours replying to it directly with
            // the same text.
            Some(reply) => {
                let parent = status_id(&reply.parent.id)?;
                let what = format!("looking for a reply to status {parent} already posted");
                let answer = self.get(&what, &format!("api/v1/statuses/{parent}/context"), &[])?;
                if answer.status == 404 {
                    return Ok(None);
                }
                let context = self.expect(&what, &answer)?;
                let children: Vec<Value> = context["descendants"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| id_of(&s["in_reply_to_id"]).as_deref() == Some(parent))
                    .cloned()
                    .collect();
                self.first_with_text(&what, &answer, &children, sent)
            }
            // A first part: sending the same POST again under the same key is how Mastodon
            // itself dedups (it answers with the status the key made, for an hour). Past
            // that hour the key is forgotten, so look here at the account's latest statuses
            // that reply to nothing for one with the same text.
            None => {
                let what = "looking for the thread's first status already posted";
                let account = self.account()?.to_string();
                let answer = self.get(
                    what,
                    &format!("api/v1/accounts/{account}/statuses"),
                    &[
                        ("exclude_replies", "true"),
                        ("exclude_reblogs", "true"),
                        ("limit", LATEST),
                    ],
                )?;
                let latest = self.expect(what, &answer)?;
                // Mastodon keeps an account's replies to itself in this list (its threads'
                // parts): a first part replies to nothing.
                let latest: Vec<Value> = latest
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|s| s["in_reply_to_id"].is_null())
                    .cloned()
                    .collect();
                self.first_with_text(what, &answer, &latest, sent)
            }
        }
    }

    fn place(&self, post: &str, part: usize) -> String {
        // An attachment is shown by one status only: one post's part, never another post's.
        format!("{post} part {part}")
    }

    fn edits(&self) -> bool {
        true
    }

    fn edit(&self, part: &PartRef, text: &str, media: &[Uploaded]) -> anyhow::Result<PartRef> {
        let id = status_id(&part.id)?;
        let what = format!("editing status {id}");
        let mut body = json!({"status": text});
        // An edit leaves the status the attachments it names, none when it names none
        // (Mastodon's UpdateStatusService): they are sent again every time, with their
        // descriptions.
        media_fields(&mut body, media, true);
        let auth = self.authorization();
        let answer = self.api.call(
            &what,
            Method::Put(&body),
            &format!("api/v1/statuses/{id}"),
            &[],
            &[("Authorization", &auth)],
        )?;
        let status = self.expect(&what, &answer)?;
        self.part(&what, &answer, &status)
    }
}

/// A status id from the ledger, checked before it goes into a URL's path: letters and
/// digits only (Mastodon's are digits; some servers' are letters and digits), so a ledger
/// line edited by hand cannot send the token to another route.
fn status_id(id: &str) -> anyhow::Result<&str> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        anyhow::bail!("`{id}` is not a status id (the ledger's line for it was changed?)");
    }
    Ok(id)
}

/// An id as Mastodon writes it: a string (older servers and forks: a number).
fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "../../../tests/support/mastodon.rs"]
mod server;

#[cfg(test)]
mod tests;
