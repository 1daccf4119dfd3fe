//! The article venue as a Forem (dev.to) article, through the Forem API v1 with an API key.
//!
//! Forem has no external id: repurpose ends `body_markdown` with the same HTML comment it
//! leaves in WordPress posts (`wordpress::mark`), which Forem keeps as sent and does not
//! render, and a lost ledger finds the article again by it among the user's own articles.

use anyhow::bail;
use serde_json::{Map, Value, json};

use super::Secret;
use super::host::{Article, Host, Remote};
use super::http::{self, Api, Method, Reply};
use crate::config::publish::Devto;

/// At most this many tags an article (Forem's `MAX_TAG_LIST_SIZE`).
pub const MAX_TAGS: usize = 4;
/// The longest tag Forem takes.
const MAX_TAG: usize = 30;
/// The longest description Forem takes.
const MAX_DESCRIPTION: usize = 170;
/// The most articles `/api/articles/me/all` lists a page.
const PAGE: usize = 1000;
/// The media type of the API's version 1.
const ACCEPT: &str = "application/vnd.forem.api-v1+json";

/// The tags as Forem takes them: lowercase letters and digits only, at most four.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tags {
    /// The tags sent.
    pub sent: Vec<String>,
    /// `(as written, as sent)` for each tag Forem would refuse as written.
    pub changed: Vec<(String, String)>,
    /// The tags left out: past the fourth, or nothing left of them.
    pub dropped: Vec<String>,
}

impl Tags {
    /// The post's tags made fit for Forem, in their order; a tag that becomes one already
    /// sent counts once.
    pub fn of(tags: &[String]) -> Tags {
        let mut fit = Tags::default();
        for tag in tags {
            let cleaned: String = tag
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            if cleaned.is_empty() || cleaned.chars().count() > MAX_TAG {
                fit.dropped.push(tag.clone());
                continue;
            }
            if fit.sent.contains(&cleaned) {
                continue;
            }
            if fit.sent.len() == MAX_TAGS {
                fit.dropped.push(tag.clone());
                continue;
            }
            if cleaned != *tag {
                fit.changed.push((tag.clone(), cleaned.clone()));
            }
            fit.sent.push(cleaned);
        }
        fit
    }

    /// What the plan says about them, when anything differs from the post's tags.
    pub fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.changed.is_empty() {
            let changed: Vec<String> = self
                .changed
                .iter()
                .map(|(from, to)| format!("`{from}` as `{to}`"))
                .collect();
            parts.push(format!("sent {}", changed.join(", ")));
        }
        if !self.dropped.is_empty() {
            let dropped: Vec<String> = self.dropped.iter().map(|t| format!("`{t}`")).collect();
            parts.push(format!("left out {}", dropped.join(", ")));
        }
        (!parts.is_empty()).then(|| {
            format!(
                "dev.to takes at most {MAX_TAGS} tags of lowercase letters and digits: {}",
                parts.join("; ")
            )
        })
    }
}

/// The `body_markdown` repurpose sends: the article's body, then its mark.
pub fn body_markdown(article: &Article) -> String {
    format!(
        "{}\n\n{}\n",
        article.body.trim_end(),
        super::wordpress::mark(&article.slug)
    )
}

/// A Forem site, logged into with an API key.
#[derive(Debug)]
pub struct Client {
    api: Api,
    key: Secret,
    /// Whether a new article is published (an update leaves that to the site).
    published: bool,
    /// How many articles a page of `/api/articles/me/all` asks for.
    page: usize,
}

impl Client {
    /// A client for the Forem site the settings name; nothing is sent until a method is called.
    pub fn new(settings: &Devto, key: Secret) -> anyhow::Result<Client> {
        let root = http::root(&settings.url, "dev.to")?;
        Ok(Client {
            api: Api::new(root, "dev.to"),
            key,
            published: settings.published,
            page: PAGE,
        })
    }

    /// Checks the key (`/api/users/me`).
    pub fn check_login(&self) -> anyhow::Result<()> {
        let what = "checking the login";
        let reply = self.call(what, Method::Get, "api/users/me", &[])?;
        let user = self.expect(what, &reply, &[200])?;
        if user.get("username").and_then(Value::as_str).is_none() {
            bail!(
                "{what} on dev.to at {}: the answer names no user; is this a Forem site's root?",
                self.api.root()
            );
        }
        Ok(())
    }

    /// One request with the API headers: the one place the key is read.
    fn call(
        &self,
        what: &str,
        method: Method<'_>,
        path: &str,
        query: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let headers = [("api-key", self.key.expose()), ("Accept", ACCEPT)];
        self.api.call(what, method, path, query, &headers)
    }

    /// The body of an answer with one of the statuses hoped for; else the error with
    /// Forem's own message (`error`).
    fn expect(&self, what: &str, reply: &Reply, statuses: &[u16]) -> anyhow::Result<Value> {
        if statuses.contains(&reply.status) {
            return Ok(reply.json());
        }
        let body = reply.json();
        let message = body.get("error").and_then(Value::as_str);
        Err(self.api.refused(what, reply, message))
    }

    /// The user's articles that `keep` keeps, drafts included, read page by page.
    fn scan(&self, what: &str, mut keep: impl FnMut(&Value) -> bool) -> anyhow::Result<Vec<Value>> {
        let mut kept = Vec::new();
        let per_page = self.page.to_string();
        for page in 1.. {
            let number = page.to_string();
            let query = [("page", number.as_str()), ("per_page", per_page.as_str())];
            let reply = self.call(what, Method::Get, "api/articles/me/all", &query)?;
            let list = self.expect(what, &reply, &[200])?;
            let Some(articles) = list.as_array() else {
                bail!(
                    "{what} on dev.to at {}: the answer is not a list of articles",
                    self.api.root()
                );
            };
            kept.extend(articles.iter().filter(|a| keep(a)).cloned());
            if articles.len() < self.page {
                break;
            }
        }
        Ok(kept)
    }

    fn remote(&self, what: &str, article: &Value) -> anyhow::Result<Remote> {
        let text = |key: &str| article.get(key).and_then(Value::as_str);
        let (Some(id), Some(url)) = (article.get("id").and_then(Value::as_u64), text("url")) else {
            bail!(
                "{what} on dev.to at {}: the answer has no article id or URL",
                self.api.root()
            );
        };
        let (title, body) = (
            text("title").unwrap_or_default(),
            text("body_markdown").unwrap_or_default(),
        );
        Ok(Remote {
            id: id.to_string(),
            url: url.to_string(),
            stored: crate::hash::hash(format!("{title}\0{body}").as_bytes()),
        })
    }

    /// The `article` object sent on create and update (`published` is added on create).
    fn fields(&self, article: &Article) -> Value {
        let mut fields = Map::new();
        fields.insert("title".into(), json!(article.title));
        fields.insert("body_markdown".into(), json!(body_markdown(article)));
        fields.insert("tags".into(), json!(Tags::of(&article.tags).sent));
        let summary = article.summary.trim();
        if !summary.is_empty() {
            fields.insert("description".into(), json!(description(summary)));
        }
        if let Some(url) = &article.canonical_url {
            fields.insert("canonical_url".into(), json!(url));
        }
        Value::Object(fields)
    }

    #[cfg(test)]
    fn with_page(mut self, page: usize) -> Client {
        self.page = page;
        self
    }
}

/// The summary as a Forem description: at most 170 characters, cut at a word with `…`.
fn description(summary: &str) -> String {
    if summary.chars().count() <= MAX_DESCRIPTION {
        return summary.to_string();
    }
    let cut: String = summary.chars().take(MAX_DESCRIPTION - 1).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > MAX_DESCRIPTION / 2 => &cut[..space],
        _ => &cut,
    };
    format!("{}…", cut.trim_end())
}

impl Host for Client {
    fn noun(&self) -> &'static str {
        "article"
    }

    fn note(&self, article: &Article) -> Option<String> {
        Tags::of(&article.tags).note()
    }

    /// `get` reads only the user's own articles, and Forem's ids are unique across the
    /// site: an article `get` found is this user's (its mark may have been edited away).
    fn is_ours(&self, _slug: &str, _remote: &Remote) -> anyhow::Result<bool> {
        Ok(true)
    }

    fn get(&self, id: &str) -> anyhow::Result<Option<Remote>> {
        let what = format!("reading the article {id}");
        // The user's own list, not the public `/api/articles/{id}`: it holds drafts, and a
        // public answer may come from a cache older than the last update.
        let found = self.scan(&what, |a| {
            a.get("id")
                .and_then(Value::as_u64)
                .is_some_and(|n| n.to_string() == id)
        })?;
        found.first().map(|a| self.remote(&what, a)).transpose()
    }

    fn find(&self, slug: &str) -> anyhow::Result<Option<Remote>> {
        let what = format!("looking for the article `{slug}`");
        let mark = super::wordpress::mark(slug);
        let found = self.scan(&what, |a| {
            a.get("body_markdown")
                .and_then(Value::as_str)
                .is_some_and(|body| body.contains(&mark))
        })?;
        match found.as_slice() {
            [] => Ok(None),
            [one] => self.remote(&what, one).map(Some),
            several => {
                let ids: Vec<String> = several
                    .iter()
                    .filter_map(|a| a.get("id").map(Value::to_string))
                    .collect();
                bail!(
                    "{what} on dev.to at {}: {} articles carry its mark (ids {}); delete all but one",
                    self.api.root(),
                    ids.len(),
                    ids.join(", ")
                )
            }
        }
    }

    fn create(&self, article: &Article) -> anyhow::Result<Remote> {
        let what = format!("creating the article `{}`", article.slug);
        let mut fields = self.fields(article);
        fields["published"] = json!(self.published);
        let body = json!({ "article": fields });
        let reply = self.call(&what, Method::Post(&body), "api/articles", &[])?;
        let made = self.expect(&what, &reply, &[200, 201])?;
        self.remote(&what, &made)
    }

    fn update(&self, id: &str, article: &Article) -> anyhow::Result<Remote> {
        let what = format!("updating the article {id} (`{}`)", article.slug);
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            bail!("{what}: `{id}` is not a dev.to article id");
        }
        // No `published`: the writer may have published (or unpublished) it on the site.
        let body = json!({ "article": self.fields(article) });
        let path = format!("api/articles/{id}");
        let reply = self.call(&what, Method::Put(&body), &path, &[])?;
        let updated = self.expect(&what, &reply, &[200])?;
        self.remote(&what, &updated)
    }
}

#[cfg(test)]
mod tests;
