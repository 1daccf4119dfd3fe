//! The discourse venue as a Discourse topic: created with `POST /posts.json` carrying an
//! `external_id` (so a lost ledger finds the topic again instead of making a second one),
//! edited in place through its first post.
//!
//! The article's tags are not sent: Discourse takes tags only where the forum has tagging
//! turned on, and only those the user may create; a category is the forum's own way to file
//! a topic.

use std::fmt;
use std::sync::OnceLock;

use anyhow::{anyhow, bail};
use serde_json::{Value, json};

use super::Secret;
use super::host::{Article, Host, Remote};
use super::http::{self, Api, Method, Reply};
use crate::config::publish::Discourse;

mod upload;

/// The longest `external_id` Discourse keeps (`Topic::EXTERNAL_ID_MAX_LENGTH`).
const MAX_EXTERNAL_ID: usize = 50;

/// What the edit history shows for repurpose's edits.
const EDIT_REASON: &str = "updated by repurpose";

/// The external id repurpose gives the topic of the post `slug`: `repurpose-<slug>`, or, for a
/// slug Discourse would not take (longer than 50 characters in all, or not letters, digits,
/// `-` and `_`), its first part and a hash of the whole.
pub fn external_id(slug: &str) -> String {
    let id = format!("repurpose-{slug}");
    let fits = id.len() <= MAX_EXTERNAL_ID
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if fits {
        return id;
    }
    let digest = crate::hash::short(slug.as_bytes(), 8);
    let readable: String = slug
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(MAX_EXTERNAL_ID - "repurpose-".len() - 9)
        .collect();
    format!("repurpose-{readable}-{digest}")
}

/// A forum, logged into with an API key as one user.
pub struct Client {
    api: Api,
    username: String,
    key: Secret,
    /// The `category` setting, an id or a slug.
    category: Option<String>,
    /// The category's id, looked up once.
    category_id: OnceLock<Option<u64>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.api)
            .field("username", &self.username)
            .field("key", &self.key)
            .field("category", &self.category)
            .finish()
    }
}

/// The first post of a topic and its topic, as the forum holds them.
struct Held {
    post_id: u64,
    topic_id: u64,
    topic_slug: String,
    title: String,
    raw: String,
}

impl Client {
    /// A client for the forum the settings name; nothing is sent until a method is called.
    pub fn new(settings: &Discourse, key: Secret) -> anyhow::Result<Client> {
        let root = http::root(&settings.url, "Discourse")?;
        Ok(Client {
            api: Api::new(root, "Discourse"),
            username: settings.username.clone(),
            key,
            category: settings.category.clone(),
            category_id: OnceLock::new(),
        })
    }

    /// Checks the key and username (`/session/current.json`) and that the category is there.
    pub fn check_login(&self) -> anyhow::Result<()> {
        let what = "checking the login";
        let reply = self.call(what, Method::Get, "session/current.json")?;
        let user = self.expect(what, &reply, &[200])?;
        let name = user
            .pointer("/current_user/username")
            .and_then(Value::as_str);
        match name {
            Some(name) if name.eq_ignore_ascii_case(&self.username) => {}
            Some(name) => bail!(
                "{what} on Discourse at {}: the key logs in as `{name}`, not `{}`",
                self.api.root(),
                self.username
            ),
            None => bail!(
                "{what} on Discourse at {}: the answer names no user; is this a Discourse forum's root?",
                self.api.root()
            ),
        }
        self.category()?;
        Ok(())
    }

    /// The category's id: the setting as it is when it is a number, else the id of the
    /// category with that slug (or name); None when the setting names none.
    pub fn category(&self) -> anyhow::Result<Option<u64>> {
        if let Some(id) = self.category_id.get() {
            return Ok(*id);
        }
        let id = match self.category.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(setting) => Some(self.find_category(setting)?),
        };
        Ok(*self.category_id.get_or_init(|| id))
    }

    fn find_category(&self, setting: &str) -> anyhow::Result<u64> {
        let what = format!("looking for the category `{setting}`");
        let reply = self.call(&what, Method::Get, "categories.json")?;
        let list = self.expect(&what, &reply, &[200])?;
        let categories = list
            .pointer("/category_list/categories")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let id_of = |c: &Value| c.get("id").and_then(Value::as_u64);
        let text = |c: &Value, key: &str| c.get(key).and_then(Value::as_str).map(str::to_string);
        let found = categories.iter().find(|c| {
            id_of(c).is_some_and(|id| id.to_string() == setting)
                || text(c, "slug").is_some_and(|s| s.eq_ignore_ascii_case(setting))
                || text(c, "name").is_some_and(|n| n.eq_ignore_ascii_case(setting))
        });
        if let Some(id) = found.and_then(id_of) {
            return Ok(id);
        }
        let there: Vec<String> = categories
            .iter()
            .filter_map(|c| Some(format!("{} ({})", text(c, "slug")?, id_of(c)?)))
            .collect();
        bail!(
            "{what} on Discourse at {}: the forum has no such category; `category` may be one of: {}",
            self.api.root(),
            if there.is_empty() {
                "(none listed)".to_string()
            } else {
                there.join(", ")
            }
        )
    }

    /// One request with the API headers: the one place the key is read.
    fn call(&self, what: &str, method: Method<'_>, path: &str) -> anyhow::Result<Reply> {
        let headers = [
            ("Api-Key", self.key.expose()),
            ("Api-Username", self.username.as_str()),
            ("Accept", "application/json"),
        ];
        self.api.call(what, method, path, &[], &headers)
    }

    /// The body of an answer with one of the statuses hoped for; else the error with
    /// Discourse's own message (`errors`).
    fn expect(&self, what: &str, reply: &Reply, statuses: &[u16]) -> anyhow::Result<Value> {
        if statuses.contains(&reply.status) {
            return Ok(reply.json());
        }
        Err(self.refused(what, reply))
    }

    fn refused(&self, what: &str, reply: &Reply) -> anyhow::Error {
        let body = reply.json();
        let message = body
            .get("errors")
            .and_then(Value::as_array)
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .or_else(|| {
                body.get("error")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
        self.api.refused(what, reply, message.as_deref())
    }

    /// The post `id` and its topic; None when either is gone.
    fn held(&self, what: &str, id: &str) -> anyhow::Result<Option<Held>> {
        let post_id: u64 = id
            .parse()
            .map_err(|_| anyhow!("{what}: `{id}` is not a Discourse post id"))?;
        let reply = self.call(what, Method::Get, &format!("posts/{post_id}.json"))?;
        if matches!(reply.status, 404 | 410) {
            return Ok(None);
        }
        let post = self.expect(what, &reply, &[200])?;
        if !post.get("deleted_at").is_none_or(Value::is_null) {
            return Ok(None);
        }
        let Some(topic_id) = post.get("topic_id").and_then(Value::as_u64) else {
            bail!(
                "{what} on Discourse at {}: the post has no topic_id",
                self.api.root()
            );
        };
        let Some(topic) = self.topic(what, topic_id)? else {
            return Ok(None);
        };
        let text = |value: &Value, key: &str| {
            value
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Ok(Some(Held {
            post_id,
            topic_id,
            topic_slug: text(&topic, "slug"),
            title: text(&topic, "title"),
            raw: text(&post, "raw"),
        }))
    }

    /// The topic `id` (`/t/{id}.json`); None when it is gone.
    fn topic(&self, what: &str, id: u64) -> anyhow::Result<Option<Value>> {
        let reply = self.call(what, Method::Get, &format!("t/{id}.json"))?;
        if matches!(reply.status, 404 | 410) {
            return Ok(None);
        }
        let topic = self.expect(what, &reply, &[200])?;
        Ok((topic.get("deleted_at").is_none_or(Value::is_null)).then_some(topic))
    }

    fn remote(&self, held: &Held) -> Remote {
        Remote {
            id: held.post_id.to_string(),
            url: format!("{}t/{}/{}", self.api.root(), held.topic_slug, held.topic_id),
            stored: crate::hash::hash(format!("{}\0{}", held.title, held.raw).as_bytes()),
        }
    }

    /// The article as the forum holds it after a create or an update; where it cannot be
    /// read back, as sent (the next run reads it again).
    fn read_back(&self, what: &str, post: &Value, article: &Article) -> anyhow::Result<Remote> {
        let Some(post_id) = post.get("id").and_then(Value::as_u64) else {
            bail!(
                "{what} on Discourse at {}: the answer has no post id",
                self.api.root()
            );
        };
        if let Ok(Some(held)) = self.held(what, &post_id.to_string()) {
            return Ok(self.remote(&held));
        }
        let text = |key: &str| post.get(key).and_then(Value::as_str).unwrap_or_default();
        Ok(self.remote(&Held {
            post_id,
            topic_id: post.get("topic_id").and_then(Value::as_u64).unwrap_or(0),
            topic_slug: text("topic_slug").to_string(),
            title: article.title.clone(),
            raw: match text("raw") {
                "" => article.body.trim_end().to_string(),
                raw => raw.to_string(),
            },
        }))
    }
}

impl Host for Client {
    fn noun(&self) -> &'static str {
        "topic"
    }

    fn uploader(&self) -> Option<&dyn super::upload::Uploader> {
        Some(self)
    }

    fn get(&self, id: &str) -> anyhow::Result<Option<Remote>> {
        let what = format!("reading the post {id}");
        Ok(self.held(&what, id)?.map(|held| self.remote(&held)))
    }

    fn find(&self, slug: &str) -> anyhow::Result<Option<Remote>> {
        let external = external_id(slug);
        let what = format!("looking for the topic `{external}`");
        let path = format!("t/external_id/{external}.json");
        let reply = self.call(&what, Method::Get, &path)?;
        // Discourse answers with a redirect to the topic's own route, which this client
        // never follows by itself: its id is read from the `Location`.
        let topic_id = match reply.status {
            404 | 410 => return Ok(None),
            301 | 302 | 303 | 307 | 308 => reply.location.as_deref().and_then(topic_id_in),
            200 => reply.json().get("id").and_then(Value::as_u64),
            _ => return Err(self.refused(&what, &reply)),
        };
        let Some(topic_id) = topic_id else {
            bail!(
                "{what} on Discourse at {}: the answer does not say which topic it is ({})",
                self.api.root(),
                http::status_line(reply.status)
            );
        };
        let Some(topic) = self.topic(&what, topic_id)? else {
            return Ok(None);
        };
        let first = topic
            .pointer("/post_stream/posts")
            .and_then(Value::as_array)
            .and_then(|posts| {
                posts
                    .iter()
                    .find(|p| p.get("post_number").and_then(Value::as_u64) == Some(1))
            });
        // External ids are unique across the forum, not per user: a topic another user
        // made with this one is theirs, never to be taken over.
        let author = first
            .and_then(|post| post.get("username"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if first.is_some() && !author.eq_ignore_ascii_case(&self.username) {
            bail!(
                "topic {topic_id} on Discourse at {} already has the external id `{external}`, and `{author}` wrote it, not `{}`: repurpose will not take it over; give this post another `slug:` in its front matter",
                self.api.root(),
                self.username
            );
        }
        let first = first
            .and_then(|post| post.get("id"))
            .and_then(Value::as_u64);
        match first {
            Some(post_id) => self.get(&post_id.to_string()),
            None => Ok(None),
        }
    }

    fn create(&self, article: &Article) -> anyhow::Result<Remote> {
        let external = external_id(&article.slug);
        let what = format!("creating the topic `{external}`");
        let mut body = json!({
            "title": article.title,
            "raw": article.body,
            "external_id": external,
        });
        if let Some(category) = self.category()? {
            body["category"] = json!(category);
        }
        let reply = self.call(&what, Method::Post(&body), "posts.json")?;
        if reply.status == 422 && reply.body.contains("External has already been taken") {
            return Err(self.refused(&what, &reply).context(format!(
                "a topic on the forum already holds the external id `{external}`, though it \
                 could not be read: Discourse keeps the id of a deleted topic; restore that \
                 topic, or give the post another `slug:`"
            )));
        }
        let post = self.expect(&what, &reply, &[200, 201])?;
        self.read_back(&what, &post, article)
    }

    fn update(&self, id: &str, article: &Article) -> anyhow::Result<Remote> {
        let what = format!("updating the post {id} (`{}`)", article.slug);
        let Some(held) = self.held(&what, id)? else {
            bail!(
                "{what} on Discourse at {}: the post is gone from the forum",
                self.api.root()
            );
        };
        let mut post = json!({ "id": held.post_id, "topic_id": held.topic_id });
        if held.raw.trim_end() != article.body.trim_end() {
            let body = json!({ "post": { "raw": article.body, "edit_reason": EDIT_REASON } });
            let path = format!("posts/{}.json", held.post_id);
            let reply = self.call(&what, Method::Put(&body), &path)?;
            post = self.expect(&what, &reply, &[200])?;
            post = post.get("post").cloned().unwrap_or(post);
        }
        if !same_title(&held.title, &article.title) {
            let body = json!({ "title": article.title });
            let path = format!("t/-/{}.json", held.topic_id);
            let reply = self.call(&what, Method::Put(&body), &path)?;
            self.expect(&what, &reply, &[200])?;
        }
        self.read_back(&what, &post, article)
    }
}

/// Whether the forum's title is the one sent, as Discourse's `title_prettify` leaves it (its
/// first letter capitalised, its spaces collapsed): no request to set it again.
fn same_title(held: &str, sent: &str) -> bool {
    let pretty = |title: &str| {
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut chars = title.chars();
        chars.next().map_or_else(String::new, |first| {
            first.to_uppercase().chain(chars).collect()
        })
    };
    pretty(held) == pretty(sent)
}

/// The topic id in a topic's URL: `…/t/{slug}/{id}.json?page=` or `…/t/{id}`.
fn topic_id_in(location: &str) -> Option<u64> {
    let path = location.split(['?', '#']).next()?;
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    last.trim_end_matches(".json").parse().ok()
}

#[cfg(test)]
mod tests;
