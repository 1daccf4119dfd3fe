//! The blog as a WordPress post, through the REST API with an application password.
//!
//! Every request goes to `{site}/?rest_route=/wp/v2/…`, which WordPress answers whatever its
//! permalink settings (`/wp-json/` needs pretty permalinks and a rewrite rule).

use std::fmt;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};
use url::Url;

use super::Secret;
use super::http::{Unanswered, decode_entities, describe_body, plain_text, status_line};

mod media;

/// The statuses a post can have that count as "the post exists" (everything but `trash` and
/// `auto-draft`): a lost ledger must find a draft or a scheduled post as surely as a public one.
const LIVE_STATUSES: &str = "publish,future,draft,pending,private";

/// A WordPress site and the login that may write to it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The site root, always ending in `/`, so `?rest_route=` can follow it.
    root: Url,
    username: String,
    password: Secret,
}

impl Site {
    /// The site at `url` (its root as the user writes it: http or https, a path prefix, a
    /// trailing slash or not), logged into as `username` with an application password.
    pub fn new(url: &str, username: &str, password: Secret) -> anyhow::Result<Site> {
        let mut root = Url::parse(url.trim())
            .map_err(|err| anyhow!("the WordPress URL `{url}` is not a valid URL: {err}"))?;
        if !root.password().unwrap_or_default().is_empty() || !root.username().is_empty() {
            // Never echo it: the part before `@` may be a password.
            bail!(
                "the WordPress URL for {} holds a username or password; give them as \
                 `username` and `password_env` instead",
                root.host_str().unwrap_or("the site")
            );
        }
        if !matches!(root.scheme(), "http" | "https") || root.host_str().is_none() {
            bail!("the WordPress URL `{url}` must start with https:// or http:// and name a host");
        }
        if root.scheme() == "http" && !super::http::loopback(&root) {
            bail!(
                "the WordPress URL `{url}` is http://: the application password would cross the \
                 network in the clear; use https:// (http:// is taken only for 127.0.0.1 and localhost)"
            );
        }
        if root.query().is_some() || root.fragment().is_some() {
            bail!("the WordPress URL `{url}` has a `?` or `#` part; give the site's root alone");
        }
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        Ok(Site {
            root,
            username: username.to_string(),
            password,
        })
    }

    /// The site root as requests use it (with its trailing `/`): what errors name.
    pub fn url(&self) -> &str {
        self.root.as_str()
    }

    /// The URL of a REST route (`/wp/v2/posts`) with these query parameters.
    fn endpoint(&self, route: &str, query: &[(&str, &str)]) -> String {
        let mut url = format!("{}?rest_route={route}", self.root);
        for (key, value) in query {
            url.push('&');
            url.push_str(key);
            url.push('=');
            url.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        url
    }

    /// The `Authorization` header's value: the one place the password is read.
    fn authorization(&self) -> String {
        let credentials = format!("{}:{}", self.username, self.password.expose());
        format!("Basic {}", base64(credentials.as_bytes()))
    }
}

/// What repurpose sends: the blog venue's body HTML (not the whole page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub title: String,
    pub content: String,
    pub excerpt: String,
    pub slug: String,
    /// `YYYY-MM-DD` (midnight in the site's time zone), RFC 3339 with an offset (that instant),
    /// or `YYYY-MM-DDTHH:MM:SS` without one (that time in the site's time zone); `None` leaves
    /// the date to WordPress (now, on create; unchanged, on update).
    pub date: Option<String>,
    /// Tag names: the ones WordPress lacks are created.
    pub tags: Vec<String>,
    /// `draft` or `publish` (WordPress turns `publish` with a future date into `future`).
    pub status: String,
}

/// A post as WordPress holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote {
    pub id: u64,
    /// The post's address (`?p=ID` while it is a draft).
    pub link: String,
    pub status: String,
    /// May differ from the draft's: WordPress adds `-2` when another post has the slug.
    pub slug: String,
    /// The content as stored (`content.raw`), where the request asked for it.
    pub content: String,
    /// The title as stored (`title.raw`), where the request asked for it.
    pub title: String,
}

impl Remote {
    /// A hash of the title and content as the site stores them: recorded after each send,
    /// it tells whether someone edited the post on the site since.
    pub fn stored(&self) -> String {
        crate::hash::hash(format!("{}\0{}", self.title, self.content).as_bytes())
    }
}

/// The mark repurpose leaves at the end of a post's content, an HTML comment readers never
/// see: with the ledger lost, it tells a post repurpose sent (even one WordPress gave
/// another slug) from someone else's post with the same slug.
pub fn mark(slug: &str) -> String {
    format!("<!-- repurpose:{slug} -->")
}

/// A client for one site's posts and tags.
pub struct Client {
    site: Site,
    agent: ureq::Agent,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("site", &self.site)
            .finish_non_exhaustive()
    }
}

/// One HTTP answer, read whole.
struct Reply {
    status: u16,
    body: String,
    location: Option<String>,
}

enum Method<'a> {
    Get,
    Post(Value),
    /// A file as the whole body, with its type and the name to store it under (the media
    /// route's raw upload).
    File {
        bytes: &'a [u8],
        mime: &'a str,
        name: &'a str,
    },
}

impl Client {
    /// A client for `site`; nothing is sent until a method is called.
    pub fn new(site: Site) -> Client {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(60)))
            .http_status_as_error(false)
            // A redirect would drop the Authorization header and turn a POST into a GET; the
            // user is better told the URL to write (http → https, a missing `www.`).
            .max_redirects(0)
            .user_agent(concat!("repurpose/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { site, agent }
    }

    /// The site this client writes to.
    pub fn site(&self) -> &Site {
        &self.site
    }

    /// Checks the login (`users/me`): a wrong username or password, a site without the REST
    /// API, or credentials WordPress ignores are each an error saying so.
    pub fn check_login(&self) -> anyhow::Result<()> {
        let (what, site, name) = ("checking the login", self.site.url(), &self.site.username);
        let reply = self.send(what, "/wp/v2/users/me", &[("context", "edit")], Method::Get)?;
        if reply.status == 401 && !self.offers_application_passwords() {
            bail!(
                "{what}: WordPress at {site} does not accept application passwords: they need \
                 HTTPS (or WP_ENVIRONMENT_TYPE `local`) and WordPress 5.6 or later"
            );
        }
        let user = self.expect(what, &reply, &[200])?;
        if user.get("id").and_then(Value::as_u64).is_none() {
            bail!("{what} on {site}: the answer has no user id; is this a WordPress site's root?");
        }
        let may_write = user
            .pointer("/capabilities/edit_posts")
            .and_then(Value::as_bool);
        if may_write == Some(false) {
            bail!("{what} on {site}: the user `{name}` may not write posts (make them an Author)");
        }
        Ok(())
    }

    /// Whether the REST API's index lists application passwords among its ways to log in;
    /// true when that cannot be told, so the caller says the likelier thing (a wrong password).
    fn offers_application_passwords(&self) -> bool {
        let reply = self.send("reading the REST API index", "/", &[], Method::Get);
        let index = reply
            .ok()
            .and_then(|reply| serde_json::from_str::<Value>(&reply.body).ok());
        let ways = index.as_ref().and_then(|index| index.get("authentication"));
        ways.is_none_or(|ways| ways.get("application-passwords").is_some())
    }

    /// The post with this slug, whatever its status but trashed; `None` when there is none.
    /// Several (drafts may share a slug) is an error naming their ids: guessing could update
    /// the wrong post.
    pub fn find_by_slug(&self, slug: &str) -> anyhow::Result<Option<Remote>> {
        let what = format!("looking for the post `{slug}`");
        let query = [
            ("slug", slug),
            ("status", LIVE_STATUSES),
            ("context", "edit"),
            ("per_page", "100"),
        ];
        self.only_post(
            &what,
            &query,
            |post| post.slug == slug,
            "have that slug",
            "delete or rename all but one",
        )
    }

    /// The one post of those `query` lists that `keep` keeps; None when none is; several is
    /// an error saying they `are` so, naming them, and what to `do`.
    fn only_post(
        &self,
        what: &str,
        query: &[(&str, &str)],
        keep: impl Fn(&Remote) -> bool,
        are: &str,
        to_do: &str,
    ) -> anyhow::Result<Option<Remote>> {
        let mut posts = self
            .list(what, "/wp/v2/posts", query)?
            .iter()
            .map(|post| self.remote(what, post))
            .collect::<anyhow::Result<Vec<_>>>()?;
        posts.retain(keep);
        match posts.len() {
            0 => Ok(None),
            1 => Ok(posts.pop()),
            _ => {
                let ids: Vec<String> = posts.iter().map(|post| post.id.to_string()).collect();
                bail!(
                    "{what} on {}: {} posts {are} (ids {}); {to_do}",
                    self.site.url(),
                    ids.len(),
                    ids.join(", ")
                )
            }
        }
    }

    /// The post carrying `mark(slug)` in its content, whatever its status and slug; None
    /// when there is none. Several is an error naming them.
    pub fn find_by_mark(&self, slug: &str) -> anyhow::Result<Option<Remote>> {
        let what = format!("looking for the post `{slug}`");
        let mark = mark(slug);
        let term = format!("repurpose:{slug}");
        let query = [
            ("search", term.as_str()),
            ("status", LIVE_STATUSES),
            ("context", "edit"),
            ("per_page", "100"),
        ];
        self.only_post(
            &what,
            &query,
            |post| post.content.contains(&mark),
            "carry its mark",
            "delete all but one",
        )
    }

    /// The post with this id; `None` when it is gone (deleted or in the trash).
    pub fn get(&self, id: u64) -> anyhow::Result<Option<Remote>> {
        let what = format!("reading the post {id}");
        let route = format!("/wp/v2/posts/{id}");
        let reply = self.send(&what, &route, &[("context", "edit")], Method::Get)?;
        if reply.status == 404 || reply.status == 410 {
            return Ok(None);
        }
        let post = self.expect(&what, &reply, &[200])?;
        let remote = self.remote(&what, &post)?;
        Ok((remote.status != "trash").then_some(remote))
    }

    /// Tag ids for these names, in order (duplicates once): an existing tag is matched by name
    /// (case-insensitively) or slug, a missing one is created.
    pub fn tag_ids(&self, names: &[String]) -> anyhow::Result<Vec<u64>> {
        let mut ids = Vec::new();
        for name in names {
            let name = name.trim();
            if name.is_empty() {
                continue;
            }
            let id = match self.find_tag(name)? {
                Some(id) => id,
                None => self.create_tag(name)?,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        Ok(ids)
    }

    /// Creates the post; its tags are created first where missing.
    pub fn create(&self, draft: &Draft) -> anyhow::Result<Remote> {
        let what = format!("creating the post `{}`", draft.slug);
        let body = self.post_body(&what, draft)?;
        let reply = self.send(&what, "/wp/v2/posts", &[], Method::Post(body))?;
        let post = self.expect(&what, &reply, &[200, 201])?;
        self.remote(&what, &post)
    }

    /// Replaces the post `id`'s title, content, excerpt, slug, tags, status (and date, when
    /// the draft has one) with the draft's.
    pub fn update(&self, id: u64, draft: &Draft) -> anyhow::Result<Remote> {
        let what = format!("updating the post {id} (`{}`)", draft.slug);
        let mut body = self.post_body(&what, draft)?;
        // The status is set when the post is created; after that it is the site's: a post
        // published (or unpublished) by hand stays so.
        if let Some(fields) = body.as_object_mut() {
            fields.remove("status");
        }
        let route = format!("/wp/v2/posts/{id}");
        let reply = self.send(&what, &route, &[], Method::Post(body))?;
        let post = self.expect(&what, &reply, &[200])?;
        self.remote(&what, &post)
    }

    fn post_body(&self, what: &str, draft: &Draft) -> anyhow::Result<Value> {
        let tags = self.tag_ids(&draft.tags)?;
        let mut body = json!({
            "title": draft.title,
            "content": draft.content,
            "excerpt": draft.excerpt,
            "slug": draft.slug,
            "status": draft.status,
            "tags": tags,
        });
        if let Some(date) = &draft.date {
            let (field, value) = wordpress_date(date).with_context(|| what.to_string())?;
            body[field] = Value::String(value);
        }
        Ok(body)
    }

    fn find_tag(&self, name: &str) -> anyhow::Result<Option<u64>> {
        let what = format!("looking for the tag `{name}`");
        let query = [
            ("search", name),
            ("per_page", "100"),
            ("hide_empty", "false"),
        ];
        let tags = self.list(&what, "/wp/v2/tags", &query)?;
        let wanted = name.to_lowercase();
        let id = tags.iter().find_map(|tag| {
            let same = decode_entities(text(tag, "name")).to_lowercase() == wanted
                || text(tag, "slug") == wanted;
            same.then(|| tag.get("id").and_then(Value::as_u64))
                .flatten()
        });
        Ok(id)
    }

    fn create_tag(&self, name: &str) -> anyhow::Result<u64> {
        let what = format!("creating the tag `{name}`");
        let reply = self.send(
            &what,
            "/wp/v2/tags",
            &[],
            Method::Post(json!({ "name": name })),
        )?;
        // Another spelling of an existing tag (case, an entity): WordPress names its id.
        if reply.status == 400
            && let Ok(error) = serde_json::from_str::<Value>(&reply.body)
            && error.get("code").and_then(Value::as_str) == Some("term_exists")
            && let Some(id) = error.pointer("/data/term_id").and_then(Value::as_u64)
        {
            return Ok(id);
        }
        let tag = self.expect(&what, &reply, &[200, 201])?;
        tag.get("id")
            .and_then(Value::as_u64)
            .ok_or_else(|| anyhow!("{what} on {}: the answer has no tag id", self.site.url()))
    }

    /// The items of a collection route (posts, tags).
    fn list(&self, what: &str, route: &str, query: &[(&str, &str)]) -> anyhow::Result<Vec<Value>> {
        let reply = self.send(what, route, query, Method::Get)?;
        match self.expect(what, &reply, &[200])? {
            Value::Array(items) => Ok(items),
            _ => bail!("{what} on {}: the answer is not a list", self.site.url()),
        }
    }

    /// Sends one request; only a failure to get an answer is an error here.
    fn send(
        &self,
        what: &str,
        route: &str,
        query: &[(&str, &str)],
        method: Method<'_>,
    ) -> anyhow::Result<Reply> {
        let url = self.site.endpoint(route, query);
        let auth = self.site.authorization();
        let result = match method {
            Method::Get => self.agent.get(&url).header("Authorization", &auth).call(),
            Method::Post(body) => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .send_json(body),
            Method::File { bytes, mime, name } => self
                .agent
                .post(&url)
                .header("Authorization", &auth)
                .header("Content-Type", mime)
                .header(
                    "Content-Disposition",
                    format!("attachment; filename=\"{name}\""),
                )
                .send(bytes),
        };
        let site = self.site.url();
        // A request that may have reached the site is `Unanswered`: WordPress may have acted
        // on it (an upload stored), so the caller looks before sending it again.
        let mut response = result.map_err(|err| match err {
            ureq::Error::Timeout(_) => anyhow::Error::new(Unanswered(format!(
                "{what} on {site}: no answer in time ({err})"
            ))),
            ureq::Error::Io(ref io) if io.kind() != std::io::ErrorKind::ConnectionRefused => {
                anyhow::Error::new(Unanswered(format!(
                    "{what} on {site}: the connection was lost: {err}"
                )))
            }
            ureq::Error::Protocol(_) => anyhow::Error::new(Unanswered(format!(
                "{what} on {site}: the connection was lost: {err}"
            ))),
            ureq::Error::Io(_) | ureq::Error::HostNotFound | ureq::Error::ConnectionFailed => {
                anyhow!("{what} on {site}: could not connect: {err}")
            }
            _ => anyhow!("{what} on {site}: {err}"),
        })?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response.body_mut().read_to_string().map_err(|err| {
            anyhow::Error::new(Unanswered(format!(
                "{what} on {site}: reading the answer: {err}"
            )))
        })?;
        Ok(Reply {
            status,
            body,
            location,
        })
    }

    /// The reply's JSON when its status is one of `ok`; otherwise the error WordPress gave,
    /// in words.
    fn expect(&self, what: &str, reply: &Reply, ok: &[u16]) -> anyhow::Result<Value> {
        let site = self.site.url();
        let json = serde_json::from_str::<Value>(&reply.body);
        if ok.contains(&reply.status) {
            return json.map_err(|_| {
                anyhow!(
                    "{what} on {site}: the answer is not JSON ({}); is this the root of a \
                     WordPress site with its REST API on?",
                    describe_body(&reply.body)
                )
            });
        }
        let status = status_line(reply.status);
        if (300..400).contains(&reply.status) {
            let to = reply.location.as_deref().unwrap_or("nowhere said");
            bail!("{what} on {site}: {status}: the site redirects to {to}; write that URL instead");
        }
        let Ok(error) = json else {
            bail!(
                "{what} on {site}: {status}: {}; is this the root of a WordPress site with \
                 its REST API on?",
                describe_body(&reply.body)
            );
        };
        let (code, message) = (text(&error, "code"), text(&error, "message"));
        match code {
            // WordPress answers 401 only to a request it did not log in (a logged-in user
            // who may not do something gets 403). A wrong password often shows as
            // `rest_not_logged_in` or `rest_cannot_create`, not `incorrect_password`: WordPress
            // checks it lazily, after the REST API has looked for login errors.
            // (`application_passwords_disabled…` is not a wrong password: its message says why.)
            _ if reply.status == 401 && !code.starts_with("application_passwords_disabled") => {
                bail!(
                    "{what}: WordPress at {site} refused the login for user `{}`: wrong username or \
                 application password ({code})",
                    self.site.username
                )
            }
            "rest_no_route" => bail!(
                "{what} on {site}: {status}: the site's REST API has no such route; is this \
                 the root of a WordPress site, 5.6 or later? ({code})"
            ),
            _ if code.is_empty() && message.is_empty() => {
                bail!("{what} on {site}: {status}: {}", describe_body(&reply.body))
            }
            _ => bail!(
                "{what} on {site}: {status}: {} ({code})",
                plain_text(message)
            ),
        }
    }

    fn remote(&self, what: &str, post: &Value) -> anyhow::Result<Remote> {
        let id = post.get("id").and_then(Value::as_u64).ok_or_else(|| {
            anyhow!(
                "{what} on {}: the answer is not a post ({})",
                self.site.url(),
                describe_body(&post.to_string())
            )
        })?;
        Ok(Remote {
            id,
            link: text(post, "link").to_string(),
            status: text(post, "status").to_string(),
            slug: text(post, "slug").to_string(),
            content: post
                .pointer("/content/raw")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            title: post
                .pointer("/title/raw")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
    }
}

/// The field and value WordPress wants for a front-matter date: `date` is the site's local
/// time, `date_gmt` UTC. A date alone or a time without an offset is the writer's wall clock,
/// so it goes as local; an instant with an offset goes as UTC, which needs no knowledge of the
/// site's time zone.
fn wordpress_date(date: &str) -> anyhow::Result<(&'static str, String)> {
    let date = date.trim();
    if let Ok(instant) = date.parse::<jiff::Timestamp>() {
        return Ok((
            "date_gmt",
            instant.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
        ));
    }
    if date.len() == 10
        && let Ok(day) = date.parse::<jiff::civil::Date>()
    {
        return Ok(("date", day.strftime("%Y-%m-%dT00:00:00").to_string()));
    }
    if let Ok(local) = date.parse::<jiff::civil::DateTime>() {
        return Ok(("date", local.strftime("%Y-%m-%dT%H:%M:%S").to_string()));
    }
    bail!("the date `{date}` is neither YYYY-MM-DD nor RFC 3339 (2024-05-01T09:30:00+02:00)")
}

/// The string at `key` in a JSON object; empty when there is none.
fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// Standard base64 with padding, for the Basic credentials (RFC 7617).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (chunk.iter().enumerate())
            .fold(0u32, |n, (i, &byte)| n | u32::from(byte) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
        out.push_str(&"=="[..3 - chunk.len()]);
    }
    out
}

#[cfg(test)]
mod tests;
