//! The social venue's thread on Bluesky: each part an `app.bsky.feed.post` record written to
//! the account's PDS over XRPC (`com.atproto.repo.createRecord`, after
//! `com.atproto.server.createSession` with an app password), replying to the thread's first
//! post (`root`) and the one before (`parent`), its links as facets with UTF-8 byte offsets.
//!
//! A part's record key is chosen here, not by the PDS (a TID made when the part is first
//! keyed, recorded in the ledger before the part is sent): a part whose answer was lost is
//! found again by that key with `getRecord`, never posted twice. Bluesky shows no edits.
//!
//! Images go up first as blobs (`com.atproto.repo.uploadBlob`, the bytes as they are), then
//! ride in the post's record as an `app.bsky.embed.images` embed, each with its alt text and
//! aspect ratio. A blob's CID is its content's hash: the same image sent again is the same
//! blob, so a lost answer is simply sent again.

use std::fmt;
use std::sync::Mutex;

use anyhow::{anyhow, bail};
use serde_json::{Value, json};

use super::Secret;
use super::http::{self, Api, Method, Reply as Answer};
use super::network::{Limits, MediaLimits, Network, PartRef, Reply, part_hash};
use super::upload::{Upload, Uploaded, Uploader};

/// The collection every post goes to.
const POST: &str = "app.bsky.feed.post";

/// Where readers see posts: the Bluesky app, whatever PDS holds the account.
const APP: &str = "https://bsky.app";

/// The embed a post's images go in.
const IMAGES: &str = "app.bsky.embed.images";

/// Bluesky's limits (the `app.bsky.feed.post` lexicon: `maxGraphemes` 300, `maxLength`
/// 3000 bytes; `app.bsky.embed.images`: 4 images of at most 1,000,000 bytes each); a URL
/// counts whole, as written.
const LIMITS: Limits = Limits {
    max_chars: 300,
    url_length: None,
    max_bytes: Some(3000),
    media: MediaLimits {
        max_images: Some(4),
        max_bytes: Some(1_000_000),
        max_pixels: None,
        formats: None,
    },
};

/// An account on a PDS, logged in.
pub struct Client {
    api: Api,
    /// The identifier logged in with, for messages and for logging in again.
    identifier: String,
    password: Secret,
    /// The account's DID, the repository posts go to.
    did: String,
    /// The account's handle as the PDS says it, for the posts' URLs.
    handle: String,
    session: Mutex<Session>,
    /// The time part (µs since the epoch) of the last key made, so keys only grow.
    last_key: Mutex<u64>,
}

/// The session's tokens.
struct Session {
    access: Secret,
    refresh: Secret,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.api)
            .field("identifier", &self.identifier)
            .field("did", &self.did)
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Logs into the PDS at `settings.url` as `settings.handle` (a handle or a DID) with an
    /// app password (`com.atproto.server.createSession`).
    pub fn login(
        settings: &crate::config::publish::Bluesky,
        password: Secret,
    ) -> anyhow::Result<Client> {
        let api = Api::new(http::root(&settings.url, "Bluesky")?, "Bluesky");
        let identifier = settings.handle.trim().trim_start_matches('@').to_string();
        let (session, did, handle) = create_session(&api, &identifier, &password)?;
        Ok(Client {
            api,
            identifier,
            password,
            did,
            handle,
            session: Mutex::new(session),
            last_key: Mutex::new(0),
        })
    }

    /// The account's DID.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The account's handle, as the PDS says it.
    pub fn handle(&self) -> &str {
        &self.handle
    }

    /// Sends an XRPC call with the session's access token; when the PDS says the token
    /// expired, refreshes the session (logging in again if that fails) and sends it once
    /// more. An expired token is refused before anything is done, so sending again is safe.
    fn xrpc(
        &self,
        what: &str,
        method: Method<'_>,
        nsid: &str,
        query: &[(&str, &str)],
    ) -> anyhow::Result<Answer> {
        let path = format!("xrpc/{nsid}");
        let send = |token: &str| {
            let bearer = format!("Bearer {token}");
            self.api
                .call(what, method, &path, query, &[("Authorization", &bearer)])
        };
        let access = self.session()?.access.clone();
        let answer = send(access.expose())?;
        if !expired(&answer) {
            return Ok(answer);
        }
        let access = self.renew(what)?;
        send(access.expose())
    }

    /// The session, locked.
    fn session(&self) -> anyhow::Result<std::sync::MutexGuard<'_, Session>> {
        self.session
            .lock()
            .map_err(|_| anyhow!("the Bluesky session was left broken by an earlier failure"))
    }

    /// A fresh access token: `refreshSession`, else a new login.
    fn renew(&self, what: &str) -> anyhow::Result<Secret> {
        let mut session = self.session()?;
        let bearer = format!("Bearer {}", session.refresh.expose());
        let answer = self.api.call(
            &format!("{what}: refreshing the session"),
            Method::PostEmpty,
            "xrpc/com.atproto.server.refreshSession",
            &[],
            &[("Authorization", &bearer)],
        )?;
        if answer.ok()
            && let Some(renewed) = tokens(&answer.json())
        {
            *session = renewed;
            return Ok(session.access.clone());
        }
        // The refresh token expired or was revoked too: log in again.
        let (renewed, _, _) = create_session(&self.api, &self.identifier, &self.password)?;
        *session = renewed;
        Ok(session.access.clone())
    }

    /// The error for an XRPC answer that is not the one hoped for, with XRPC's `error` and
    /// `message`.
    fn refused(&self, what: &str, answer: &Answer) -> anyhow::Error {
        self.api
            .refused(what, answer, xrpc_error(answer).as_deref())
    }

    /// The record under `key`, if the repository holds one.
    fn get(&self, what: &str, key: &str) -> anyhow::Result<Option<Value>> {
        let query = [
            ("repo", self.did.as_str()),
            ("collection", POST),
            ("rkey", key),
        ];
        let answer = self.xrpc(what, Method::Get, "com.atproto.repo.getRecord", &query)?;
        if answer.ok() {
            return Ok(Some(answer.json()));
        }
        if error_name(&answer).as_deref() == Some("RecordNotFound") {
            return Ok(None);
        }
        Err(self.refused(what, &answer))
    }

    /// The part a `getRecord` answer describes, checked against the text it should hold.
    fn part_of(&self, record: &Value, sent: &str, key: &str) -> anyhow::Result<PartRef> {
        let (Some(uri), Some(cid)) = (record["uri"].as_str(), record["cid"].as_str()) else {
            bail!(
                "Bluesky at {}: the record `{key}` came back without its URI or CID",
                self.api.root()
            );
        };
        let held = record["value"]["text"].as_str().unwrap_or_default();
        if part_hash(held) != sent {
            bail!(
                "Bluesky at {}: the post with record key `{key}` ({}) holds other text than \
                 this part; it was changed or posted by another program",
                self.api.root(),
                self.post_url(key)
            );
        }
        Ok(PartRef {
            id: uri.to_string(),
            url: self.post_url(key),
            cid: cid.to_string(),
        })
    }

    /// `https://bsky.app/profile/<handle>/post/<rkey>`.
    fn post_url(&self, key: &str) -> String {
        format!("{APP}/profile/{}/post/{key}", self.handle)
    }
}

impl Network for Client {
    fn limits(&self) -> anyhow::Result<Limits> {
        Ok(LIMITS)
    }

    fn key(&self, seed: &str) -> String {
        let now = u64::try_from(jiff::Timestamp::now().as_microsecond()).unwrap_or(0);
        // Keys made by this client only grow, even within one microsecond, and the PDS's
        // repository rejects none of them for order.
        let micros = match self.last_key.lock() {
            Ok(mut last) => {
                *last = now.max(*last + 1);
                *last
            }
            Err(_) => now,
        };
        let hash = crate::hash::ContentHash::of(seed.as_bytes()).0;
        tid(micros, u16::from_be_bytes([hash[0], hash[1]]))
    }

    fn create(
        &self,
        text: &str,
        media: &[Uploaded],
        reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<PartRef> {
        let what = format!("posting as @{}", self.handle);
        let body = json!({
            "repo": self.did,
            "collection": POST,
            "rkey": key,
            "record": record(text, media, reply),
        });
        let answer = self.xrpc(
            &what,
            Method::Post(&body),
            "com.atproto.repo.createRecord",
            &[],
        )?;
        if !answer.ok() {
            return Err(self.refused(&what, &answer));
        }
        let created = answer.json();
        match (created["uri"].as_str(), created["cid"].as_str()) {
            (Some(uri), Some(cid)) => Ok(PartRef {
                id: uri.to_string(),
                url: self.post_url(key),
                cid: cid.to_string(),
            }),
            _ => Err(anyhow!(
                "{what} on Bluesky at {}: the answer has no `uri` and `cid`: {}",
                self.api.root(),
                http::describe_body(&answer.body)
            )),
        }
    }

    fn find(
        &self,
        sent: &str,
        _reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<Option<PartRef>> {
        let what = format!("looking up the post `{key}` of @{}", self.handle);
        match self.get(&what, key)? {
            Some(record) => self.part_of(&record, sent, key).map(Some),
            None => Ok(None),
        }
    }

    fn edits(&self) -> bool {
        false
    }

    fn edit(&self, part: &PartRef, _text: &str, _media: &[Uploaded]) -> anyhow::Result<PartRef> {
        bail!(
            "Bluesky shows no edits: the post {} keeps its text (delete it on Bluesky and publish \
             again to post the new text)",
            part.url
        )
    }
}

impl Uploader for Client {
    /// `extra` is the image's entry in the embed, `{alt, image: <blob ref>, aspectRatio}`:
    /// the alt text and size go in the record, not the blob.
    fn upload(&self, image: &Upload<'_>) -> anyhow::Result<Uploaded> {
        let what = format!("uploading the image {}", image.name);
        let method = Method::PostBytes {
            content_type: image.mime,
            body: image.bytes,
        };
        let answer = self.xrpc(&what, method, "com.atproto.repo.uploadBlob", &[])?;
        if !answer.ok() {
            return Err(self.refused(&what, &answer));
        }
        let blob = answer.json()["blob"].take();
        let Some(cid) = blob["ref"]["$link"].as_str().map(str::to_string) else {
            bail!(
                "{what} on Bluesky at {}: the answer has no blob reference: {}",
                self.api.root(),
                http::describe_body(&answer.body)
            );
        };
        let mut entry = json!({"alt": image.alt, "image": blob});
        if image.width > 0 && image.height > 0 {
            entry["aspectRatio"] = json!({"width": image.width, "height": image.height});
        }
        Ok(Uploaded {
            id: cid,
            url: String::new(),
            extra: entry,
        })
    }

    /// The blob as recorded, with this post's alt text and size.
    fn reuse(&self, mut uploaded: Uploaded, image: &Upload<'_>) -> Uploaded {
        uploaded.extra["alt"] = json!(image.alt);
        if image.width > 0 && image.height > 0 {
            uploaded.extra["aspectRatio"] = json!({"width": image.width, "height": image.height});
        }
        uploaded
    }
}

/// A post record: the text, when it was written, its links as facets, its images, what it
/// replies to.
fn record(text: &str, media: &[Uploaded], reply: Option<Reply<'_>>) -> Value {
    let mut record = json!({
        "$type": POST,
        "text": text,
        "createdAt": format!("{:.3}", jiff::Timestamp::now()),
    });
    let facets = facets(text);
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    if !media.is_empty() {
        let images: Vec<Value> = media.iter().map(|m| m.extra.clone()).collect();
        record["embed"] = json!({"$type": IMAGES, "images": images});
    }
    if let Some(reply) = reply {
        let strong = |part: &PartRef| json!({"uri": part.id, "cid": part.cid});
        record["reply"] = json!({"root": strong(reply.root), "parent": strong(reply.parent)});
    }
    record
}

/// Each link in `text` as an `app.bsky.richtext.facet#link`, located by UTF-8 byte offsets
/// (Bluesky's facets count bytes, not characters: the offsets after an emoji are where most
/// clients go wrong). The URLs are the ones `thread::urls` finds, as counted when splitting.
fn facets(text: &str) -> Vec<Value> {
    crate::thread::urls(text)
        .map(|range| {
            json!({
                "index": {"byteStart": range.start, "byteEnd": range.end},
                "features": [{
                    "$type": "app.bsky.richtext.facet#link",
                    "uri": &text[range],
                }],
            })
        })
        .collect()
}

/// A TID, the record key Bluesky's posts use: 13 characters of base32-sortable holding 53
/// bits of microseconds since the epoch and a 10-bit clock id.
fn tid(micros: u64, clock: u16) -> String {
    const ALPHABET: &[u8; 32] = b"234567abcdefghijklmnopqrstuvwxyz";
    let value = ((micros & ((1 << 53) - 1)) << 10) | u64::from(clock & 0x3ff);
    (0..13)
        .rev()
        .map(|i| char::from(ALPHABET[((value >> (5 * i)) & 31) as usize]))
        .collect()
}

/// Logs in: the session's tokens, the DID and the handle.
fn create_session(
    api: &Api,
    identifier: &str,
    password: &Secret,
) -> anyhow::Result<(Session, String, String)> {
    let what = format!("logging in as @{identifier}");
    let body = json!({"identifier": identifier, "password": password.expose()});
    let answer = api.call(
        &what,
        Method::Post(&body),
        "xrpc/com.atproto.server.createSession",
        &[],
        &[],
    )?;
    if !answer.ok() {
        let said = xrpc_error(&answer);
        let err = api.refused(&what, &answer, said.as_deref());
        return Err(match error_name(&answer).as_deref() {
            Some("AuthenticationRequired") => err.context(
                "check the handle and the app password (Settings → Privacy and security → \
                 App passwords on Bluesky)",
            ),
            _ => err,
        });
    }
    let session = answer.json();
    // The answer holds the tokens: it is never shown, only its fields named.
    let (Some(tokens), Some(did), Some(handle)) = (
        tokens(&session),
        session["did"].as_str(),
        session["handle"].as_str(),
    ) else {
        bail!(
            "{what} on Bluesky at {}: the answer lacks `accessJwt`, `refreshJwt`, `did` or `handle`",
            api.root()
        );
    };
    Ok((tokens, did.to_string(), handle.to_string()))
}

/// The tokens of a `createSession` or `refreshSession` answer.
fn tokens(session: &Value) -> Option<Session> {
    Some(Session {
        access: Secret::new(session["accessJwt"].as_str()?.to_string()),
        refresh: Secret::new(session["refreshJwt"].as_str()?.to_string()),
    })
}

/// XRPC's error name (`RecordNotFound`, `ExpiredToken`).
fn error_name(answer: &Answer) -> Option<String> {
    answer.json()["error"].as_str().map(str::to_string)
}

/// `Name: message` from XRPC's error body, for `Api::refused`.
fn xrpc_error(answer: &Answer) -> Option<String> {
    let body = answer.json();
    match (body["error"].as_str(), body["message"].as_str()) {
        (Some(name), Some(message)) if !message.is_empty() => Some(format!("{name}: {message}")),
        (Some(name), _) => Some(name.to_string()),
        (None, Some(message)) => Some(message.to_string()),
        (None, None) => None,
    }
}

/// Whether the PDS refused the call because the access token expired.
fn expired(answer: &Answer) -> bool {
    matches!(answer.status, 400 | 401) && error_name(answer).as_deref() == Some("ExpiredToken")
}

#[cfg(test)]
mod tests;
