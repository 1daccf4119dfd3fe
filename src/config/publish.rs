//! `publish:` in `repurpose.yaml`: the places posts are sent to, each a target name with
//! its service and settings. Secrets are never written here: a target names the
//! environment variables that hold them (`password_env: WORDPRESS_PASSWORD`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_yaml::{Mapping, Value};

use crate::error::Located;
use crate::yaml::{Reader, key_name, scalar_text};

/// The services a target can name, in the order the docs list them.
pub const SERVICES: [&str; 6] = [
    "smtp",
    "wordpress",
    "mastodon",
    "bluesky",
    "discourse",
    "devto",
];

/// One target under `publish:`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target's name, as `--target` names it and the ledger records it.
    pub name: String,
    /// The venue whose output it sends (default: the service's usual venue).
    pub venue: String,
    /// The service and its settings.
    pub service: Service,
    /// The line of the target's name in the file, for errors found later.
    pub line: usize,
}

/// A target's service, with the settings it reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Service {
    /// The newsletter, one email per subscriber.
    Smtp(Smtp),
    /// The blog, as a WordPress post.
    WordPress(WordPress),
    /// The social thread, as statuses each replying to the one before.
    Mastodon(Mastodon),
    /// The social thread, as `app.bsky.feed.post` records on a PDS.
    Bluesky(Bluesky),
    /// The discourse venue, as a forum topic.
    Discourse(Discourse),
    /// A Markdown venue (hugo by default), as a Forem (dev.to) article.
    Devto(Devto),
}

impl Service {
    /// The service's name as `service:` writes it.
    pub fn name(&self) -> &'static str {
        match self {
            Service::Smtp(_) => "smtp",
            Service::WordPress(_) => "wordpress",
            Service::Mastodon(_) => "mastodon",
            Service::Bluesky(_) => "bluesky",
            Service::Discourse(_) => "discourse",
            Service::Devto(_) => "devto",
        }
    }

    /// The venue a target of this service sends when it names none.
    pub fn usual_venue(&self) -> &'static str {
        match self {
            Service::Smtp(_) => "newsletter",
            Service::WordPress(_) => "blog",
            Service::Mastodon(_) | Service::Bluesky(_) => "social",
            Service::Discourse(_) => "discourse",
            Service::Devto(_) => "hugo",
        }
    }
}

/// `service: smtp`.
#[derive(Debug, Clone, PartialEq)]
pub struct Smtp {
    /// `smtp://host:port` (STARTTLS when offered), `smtps://host:port` (TLS), `?insecure`.
    pub url: String,
    /// The sender, `Name <address>` or `address`.
    pub from: String,
    /// The subscribers: a CSV file with an `email` column (and `name`), resolved against
    /// the configuration's folder.
    pub list: PathBuf,
    /// The environment variable holding the SMTP login name, if the server wants one.
    pub username_env: Option<String>,
    /// The environment variable holding the SMTP password.
    pub password_env: Option<String>,
    /// The unsubscribe URL, with `{email}` where the subscriber's address goes.
    pub unsubscribe: String,
    /// The subject; default the post's title (several posts: their titles).
    pub subject: Option<String>,
    /// At most this many messages a second.
    pub rate: Option<f64>,
}

/// `service: wordpress`.
#[derive(Debug, Clone, PartialEq)]
pub struct WordPress {
    /// The site's root URL.
    pub url: String,
    /// The WordPress user the application password belongs to.
    pub username: String,
    /// The environment variable holding the application password.
    pub password_env: String,
    /// `draft` (the default), `publish`, `pending` or `private`.
    pub status: String,
}

/// `service: mastodon`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mastodon {
    /// The instance's root URL.
    pub url: String,
    /// The environment variable holding the access token (scopes `write:statuses` and
    /// `write:media`, and `read:statuses` for look-ups).
    pub token_env: String,
    /// `public` (the default), `unlisted`, `private` or `direct`.
    pub visibility: String,
}

/// `service: bluesky`.
#[derive(Debug, Clone, PartialEq)]
pub struct Bluesky {
    /// The PDS's root URL (default `https://bsky.social`).
    pub url: String,
    /// The account's handle (`ana.bsky.social`) or DID.
    pub handle: String,
    /// The environment variable holding an app password.
    pub password_env: String,
}

/// `service: discourse`.
#[derive(Debug, Clone, PartialEq)]
pub struct Discourse {
    /// The forum's root URL.
    pub url: String,
    /// The user the topic is posted as (`Api-Username`).
    pub username: String,
    /// The environment variable holding the API key (`Api-Key`).
    pub token_env: String,
    /// The category: its numeric id or its slug; none leaves it to the forum (uncategorized).
    pub category: Option<String>,
}

/// `service: devto`.
#[derive(Debug, Clone, PartialEq)]
pub struct Devto {
    /// The Forem instance's root URL (default `https://dev.to`).
    pub url: String,
    /// The environment variable holding the API key (`api-key` header).
    pub token_env: String,
    /// Whether articles are published; `false` (the default) leaves them as drafts.
    pub published: bool,
}

/// The keys every target reads.
const COMMON: [&str; 2] = ["service", "venue"];
/// The keys of an smtp target, beside the common ones.
const SMTP_KEYS: [&str; 8] = [
    "url",
    "from",
    "list",
    "username_env",
    "password_env",
    "unsubscribe",
    "subject",
    "rate",
];
/// The keys of a wordpress target, beside the common ones.
const WORDPRESS_KEYS: [&str; 4] = ["url", "username", "password_env", "status"];
/// The keys of a mastodon target, beside the common ones.
const MASTODON_KEYS: [&str; 3] = ["url", "token_env", "visibility"];
/// The keys of a bluesky target, beside the common ones.
const BLUESKY_KEYS: [&str; 3] = ["url", "handle", "password_env"];
/// The keys of a discourse target, beside the common ones.
const DISCOURSE_KEYS: [&str; 4] = ["url", "username", "token_env", "category"];
/// The keys of a devto target, beside the common ones.
const DEVTO_KEYS: [&str; 3] = ["url", "token_env", "published"];
/// Mastodon's visibilities.
const VISIBILITIES: [&str; 4] = ["public", "unlisted", "private", "direct"];
/// WordPress's post statuses a target may ask for.
const WORDPRESS_STATUSES: [&str; 4] = ["draft", "publish", "pending", "private"];

/// Keys that would hold a secret: never in this file, which is meant to be committed.
const SECRET_KEYS: [&str; 11] = [
    "password",
    "pass",
    "passwd",
    "token",
    "secret",
    "api_key",
    "apikey",
    "key",
    "app_password",
    "application_password",
    "access_token",
];

/// Reads the `publish:` map.
pub(super) fn targets(
    reader: &Reader<'_>,
    folder: &Path,
    value: &Value,
) -> Result<BTreeMap<String, Target>, Located> {
    let Value::Mapping(map) = value else {
        return Err(reader.wrong(
            &["publish"],
            "a map of target names to settings, like `blog: {service: wordpress, url: …}`",
            value,
        ));
    };
    let mut out = BTreeMap::new();
    for (name, settings) in map {
        let name = key_name(name);
        let target = target(reader, folder, &name, settings)?;
        out.insert(name, target);
    }
    Ok(out)
}

/// Reads one target.
fn target(
    reader: &Reader<'_>,
    folder: &Path,
    name: &str,
    value: &Value,
) -> Result<Target, Located> {
    let at = ["publish", name];
    let Value::Mapping(map) = value else {
        return Err(reader.wrong(
            &at,
            "a map of settings, like `{service: wordpress, url: https://…}`",
            value,
        ));
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(reader.at(
            &at,
            format!("publish target name `{name}` must be letters, digits, `-` and `_`"),
        ));
    }
    let keys = Keys { reader, at, map };
    keys.refuse_secrets()?;
    let service = keys.text("service")?.ok_or_else(|| {
        reader.at(
            &at,
            format!(
                "publish target `{name}` needs `service:` (one of: {})",
                SERVICES.join(", ")
            ),
        )
    })?;
    let service = match service.as_str() {
        "smtp" => {
            keys.only(&SMTP_KEYS)?;
            Service::Smtp(smtp(&keys, folder)?)
        }
        "wordpress" => {
            keys.only(&WORDPRESS_KEYS)?;
            Service::WordPress(wordpress(&keys)?)
        }
        "mastodon" => {
            keys.only(&MASTODON_KEYS)?;
            Service::Mastodon(mastodon(&keys)?)
        }
        "bluesky" => {
            keys.only(&BLUESKY_KEYS)?;
            Service::Bluesky(bluesky(&keys)?)
        }
        "discourse" => {
            keys.only(&DISCOURSE_KEYS)?;
            Service::Discourse(discourse(&keys)?)
        }
        "devto" => {
            keys.only(&DEVTO_KEYS)?;
            Service::Devto(devto(&keys)?)
        }
        other => {
            return Err(reader.at(
                &keys.path("service"),
                format!("unknown service `{other}` (known: {})", SERVICES.join(", ")),
            ));
        }
    };
    Ok(Target {
        name: name.to_string(),
        venue: keys
            .text("venue")?
            .unwrap_or_else(|| service.usual_venue().to_string()),
        service,
        line: reader.line(&at),
    })
}

fn smtp(keys: &Keys<'_, '_>, folder: &Path) -> Result<Smtp, Located> {
    let url = keys.required("url", "the SMTP server, like `smtp://mail.example.com:587`")?;
    keys.no_password_in_url("url", &url)?;
    let unsubscribe = keys.required(
        "unsubscribe",
        "the unsubscribe link, with `{email}` where the address goes",
    )?;
    if !unsubscribe.contains("{email}") {
        return Err(keys.at(
            "unsubscribe",
            "`unsubscribe` must contain `{email}`, where each subscriber's address goes (a one-click unsubscribe link per subscriber, RFC 8058)".into(),
        ));
    }
    let rate = match keys.get("rate") {
        None => None,
        Some(v) => match v.as_f64() {
            Some(r) if r > 0.0 && r.is_finite() => Some(r),
            _ => {
                return Err(keys.wrong(
                    "rate",
                    "a number of messages a second above 0, like `5`",
                    v,
                ));
            }
        },
    };
    let sample = unsubscribe.replace("{email}", "ann%40example.org");
    if !url::Url::parse(&sample).is_ok_and(|u| matches!(u.scheme(), "https" | "http" | "mailto")) {
        return Err(keys.at(
            "unsubscribe",
            "`unsubscribe` must be an https:// (or mailto:) URL with `{email}` in it".into(),
        ));
    }
    let from = keys.required("from", "the sender, like `Ana <ana@example.com>`")?;
    if from.parse::<lettre::message::Mailbox>().is_err() {
        return Err(keys.at(
            "from",
            format!("`from` must be an address, like `Ana <ana@example.com>`, found `{from}`"),
        ));
    }
    Ok(Smtp {
        url,
        from,
        list: folder.join(keys.required(
            "list",
            "the subscribers' CSV file (an `email` column), relative to this file",
        )?),
        username_env: keys.env("username_env")?,
        password_env: keys.env("password_env")?,
        unsubscribe,
        subject: keys.text("subject")?,
        rate,
    })
}

fn wordpress(keys: &Keys<'_, '_>) -> Result<WordPress, Located> {
    let url = keys.required("url", "the site's address, like `https://blog.example.com`")?;
    keys.no_password_in_url("url", &url)?;
    let status = keys.text("status")?.unwrap_or_else(|| "draft".to_string());
    if !WORDPRESS_STATUSES.contains(&status.as_str()) {
        return Err(keys.at(
            "status",
            format!(
                "`status` must be one of {}, found `{status}`",
                WORDPRESS_STATUSES.join(", ")
            ),
        ));
    }
    Ok(WordPress {
        url,
        username: keys.required("username", "the WordPress user the application password belongs to")?,
        password_env: keys.env("password_env")?.ok_or_else(|| {
            keys.missing(
                "password_env",
                "the environment variable holding the application password, like `WORDPRESS_PASSWORD`",
            )
        })?,
        status,
    })
}

fn mastodon(keys: &Keys<'_, '_>) -> Result<Mastodon, Located> {
    let url = keys.required(
        "url",
        "the instance's address, like `https://mastodon.social`",
    )?;
    keys.no_password_in_url("url", &url)?;
    let visibility = keys
        .text("visibility")?
        .unwrap_or_else(|| "public".to_string());
    if !VISIBILITIES.contains(&visibility.as_str()) {
        return Err(keys.at(
            "visibility",
            format!(
                "`visibility` must be one of {}, found `{visibility}`",
                VISIBILITIES.join(", ")
            ),
        ));
    }
    Ok(Mastodon {
        url,
        token_env: keys.required_env(
            "token_env",
            "the environment variable holding an access token with `write:statuses`, like `MASTODON_TOKEN`",
        )?,
        visibility,
    })
}

fn bluesky(keys: &Keys<'_, '_>) -> Result<Bluesky, Located> {
    let url = keys
        .text("url")?
        .unwrap_or_else(|| "https://bsky.social".to_string());
    keys.no_password_in_url("url", &url)?;
    let handle = keys.required("handle", "the account's handle, like `ana.bsky.social`")?;
    let handle = handle.trim_start_matches('@').to_string();
    Ok(Bluesky {
        url,
        handle,
        password_env: keys.required_env(
            "password_env",
            "the environment variable holding an app password, like `BLUESKY_APP_PASSWORD`",
        )?,
    })
}

fn discourse(keys: &Keys<'_, '_>) -> Result<Discourse, Located> {
    let url = keys.required(
        "url",
        "the forum's address, like `https://forum.example.com`",
    )?;
    keys.no_password_in_url("url", &url)?;
    Ok(Discourse {
        url,
        username: keys.required("username", "the user topics are posted as")?,
        token_env: keys.required_env(
            "token_env",
            "the environment variable holding the forum's API key, like `DISCOURSE_API_KEY`",
        )?,
        category: keys.text("category")?,
    })
}

fn devto(keys: &Keys<'_, '_>) -> Result<Devto, Located> {
    let url = keys
        .text("url")?
        .unwrap_or_else(|| "https://dev.to".to_string());
    keys.no_password_in_url("url", &url)?;
    let published = match keys.get("published") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => return Err(keys.wrong("published", "`true` or `false`", v)),
    };
    Ok(Devto {
        url,
        token_env: keys.required_env(
            "token_env",
            "the environment variable holding the API key (dev.to: Settings → Extensions), like `DEVTO_API_KEY`",
        )?,
        published,
    })
}

/// A target's keys, read with their lines.
struct Keys<'r, 't> {
    reader: &'r Reader<'t>,
    at: [&'r str; 2],
    map: &'r Mapping,
}

impl Keys<'_, '_> {
    fn path<'k>(&self, key: &'k str) -> [&'k str; 3]
    where
        Self: 'k,
    {
        [self.at[0], self.at[1], key]
    }

    fn at(&self, key: &str, message: String) -> Located {
        self.reader.at(&[self.at[0], self.at[1], key], message)
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> Located {
        self.reader
            .wrong(&[self.at[0], self.at[1], key], expected, found)
    }

    fn missing(&self, key: &str, what: &str) -> Located {
        self.reader.at(
            &self.at,
            format!("publish target `{}` needs `{key}:`: {what}", self.at[1]),
        )
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map
            .iter()
            .find(|(k, _)| key_name(k) == key)
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Result<Option<String>, Located> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match scalar_text(v) {
                Some(s) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
                Some(_) => Ok(None),
                None => Err(self.wrong(key, "text", v)),
            },
        }
    }

    fn required(&self, key: &str, what: &str) -> Result<String, Located> {
        self.text(key)?.ok_or_else(|| self.missing(key, what))
    }

    /// A key naming an environment variable: the name only, never the secret itself.
    fn env(&self, key: &str) -> Result<Option<String>, Located> {
        let Some(name) = self.text(key)? else {
            return Ok(None);
        };
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            // Not echoed: what is written here may be the secret itself.
            return Err(self.at(
                key,
                format!(
                    "`{key}` must name an environment variable (letters, digits and `_`, like `WORDPRESS_PASSWORD`), not hold the secret itself; this file is meant to be committed"
                ),
            ));
        }
        Ok(Some(name))
    }

    /// A required key naming an environment variable.
    fn required_env(&self, key: &str, what: &str) -> Result<String, Located> {
        self.env(key)?.ok_or_else(|| self.missing(key, what))
    }

    /// Every key is one the service reads.
    fn only(&self, keys: &[&str]) -> Result<(), Located> {
        for (key, _) in self.map {
            let key = key_name(key);
            if !COMMON.contains(&key.as_str()) && !keys.contains(&key.as_str()) {
                let known: Vec<&str> = COMMON.iter().chain(keys).copied().collect();
                return Err(self.reader.unknown(&self.path(&key), &known));
            }
        }
        Ok(())
    }

    /// A secret written into the file is an error naming the key, never its value.
    fn refuse_secrets(&self) -> Result<(), Located> {
        for (key, _) in self.map {
            let key = key_name(key);
            if SECRET_KEYS.contains(&key.to_ascii_lowercase().as_str()) {
                return Err(self.at(
                    &key,
                    format!(
                        "`publish.{}.{key}` would put a secret in repurpose.yaml, which is meant to be committed: put it in an environment variable and name that here instead, like `{}_env: {}`",
                        self.at[1],
                        env_key(&key),
                        suggested_variable(self.at[1], &key)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A URL carrying `user:password@` holds a secret.
    fn no_password_in_url(&self, key: &str, url: &str) -> Result<(), Located> {
        // By the text, whatever follows: everything after the scheme up to the last `@`
        // would be a login (a password may hold `/`, `?` or `#`).
        let rest = url.split_once(':').map_or("", |(_, rest)| rest);
        let in_text = rest
            .rsplit_once('@')
            .is_some_and(|(user, _)| user.contains(':'));
        if in_text || url::Url::parse(url).is_ok_and(|parsed| parsed.password().is_some()) {
            return Err(self.at(
                key,
                format!(
                    "`publish.{}.{key}` holds a password (`user:password@`); this file is meant to be committed: name an environment variable with `password_env` instead",
                    self.at[1]
                ),
            ));
        }
        // Read here, so that no later message has to repeat a URL it could not read.
        match url::Url::parse(url) {
            Ok(parsed) if parsed.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            _ => Err(self.at(
                key,
                format!(
                    "`publish.{}.{key}` is not a URL with a host, like `https://blog.example.com` or `smtp://mail.example.com:587`",
                    self.at[1]
                ),
            )),
        }
    }
}

/// The `*_env` key that replaces a secret key: `password` → `password`, `token` → `token`.
fn env_key(key: &str) -> &'static str {
    match key.to_ascii_lowercase().as_str() {
        "token" | "access_token" | "api_key" | "apikey" | "key" | "secret" => "token",
        _ => "password",
    }
}

/// An environment variable name to suggest: `BLOG_PASSWORD` for target `blog`.
fn suggested_variable(target: &str, key: &str) -> String {
    let target: String = target
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{target}_{}", env_key(key).to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<BTreeMap<String, Target>, String> {
        let reader = Reader::new(text, 1);
        let map: Value = serde_yaml::from_str(text).unwrap();
        let value = map.get("publish").unwrap();
        targets(&reader, Path::new("site"), value).map_err(|e| format!("{}: {}", e.line, e.message))
    }

    #[test]
    fn a_wordpress_target_reads_its_settings_with_defaults() {
        let targets = read(
            "publish:\n  blog:\n    service: wordpress\n    url: https://blog.example.org\n    username: ana\n    password_env: WP_PASS\n",
        )
        .unwrap();
        let blog = &targets["blog"];
        assert_eq!(blog.venue, "blog");
        assert_eq!(blog.line, 2);
        let Service::WordPress(wp) = &blog.service else {
            panic!()
        };
        assert_eq!(wp.status, "draft");
        assert_eq!(wp.password_env, "WP_PASS");
    }

    #[test]
    fn an_smtp_target_resolves_its_list_against_the_file() {
        let targets = read(
            "publish:\n  news:\n    service: smtp\n    url: smtp://127.0.0.1:2525\n    from: Ana <ana@example.org>\n    list: subscribers.csv\n    unsubscribe: https://example.org/u?e={email}\n    rate: 2.5\n",
        )
        .unwrap();
        let Service::Smtp(smtp) = &targets["news"].service else {
            panic!()
        };
        assert_eq!(smtp.list, Path::new("site/subscribers.csv"));
        assert_eq!(smtp.rate, Some(2.5));
        assert_eq!(targets["news"].venue, "newsletter");
    }

    #[test]
    fn a_secret_in_the_file_is_an_error_naming_the_key_not_the_value() {
        let err = read(
            "publish:\n  blog:\n    service: wordpress\n    url: https://b.example.org\n    username: ana\n    password: hunter2xyz\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with("6: `publish.blog.password` would put a secret"),
            "{err}"
        );
        assert!(err.contains("password_env: BLOG_PASSWORD"), "{err}");
        assert!(!err.contains("hunter2xyz"), "{err}");
        let err = read(
            "publish:\n  blog:\n    service: wordpress\n    url: https://ana:hunter2xyz@b.example.org\n    username: ana\n    password_env: X\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with("4: `publish.blog.url` holds a password"),
            "{err}"
        );
        assert!(!err.contains("hunter2xyz"), "{err}");
        // Even where the URL does not parse (errors later would echo it), and whatever the
        // password holds.
        for url in [
            "smtp://sam:Xy/9#hunter2xyz@mail.example.org:587",
            "smtp:sam:hunter2xyz@mail.example.org",
        ] {
            let err = read(&format!(
                "publish:\n  news:\n    service: smtp\n    url: \"{url}\"\n    from: a@b.org\n    list: l.csv\n    unsubscribe: https://u/{{email}}\n"
            ))
            .unwrap_err();
            assert!(
                err.starts_with("4: `publish.news.url` holds a password"),
                "{err}"
            );
            assert!(!err.contains("hunter2xyz"), "{err}");
        }
        let err = read("publish:\n  news:\n    service: smtp\n    url: not a url\n    from: a@b.org\n    list: l.csv\n    unsubscribe: https://u/{email}\n").unwrap_err();
        assert_eq!(
            err,
            "4: `publish.news.url` is not a URL with a host, like `https://blog.example.com` or `smtp://mail.example.com:587`"
        );
        // Even where the URL does not parse (errors later would echo it).
        let err = read(
            "publish:\n  news:\n    service: smtp\n    url: smtp://ana:hunter2xyz@mail example.org:587\n    from: a@b.org\n    list: l.csv\n    unsubscribe: https://u/{email}\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with("4: `publish.news.url` holds a password"),
            "{err}"
        );
        assert!(!err.contains("hunter2xyz"), "{err}");
        let err = read(
            "publish:\n  blog:\n    service: wordpress\n    url: https://b.example.org\n    username: ana\n    password_env: abcd efgh ijkl\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with("6: `password_env` must name an environment variable"),
            "{err}"
        );
        assert!(!err.contains("abcd"), "{err}");
    }

    #[test]
    fn the_social_and_forum_services_read_their_settings_with_defaults() {
        let targets = read(
            "publish:\n  toot:\n    service: mastodon\n    url: https://mastodon.example\n    token_env: MASTODON_TOKEN\n  sky:\n    service: bluesky\n    handle: '@ana.bsky.social'\n    password_env: BSKY\n  forum:\n    service: discourse\n    url: https://forum.example\n    username: ana\n    token_env: DISCOURSE_KEY\n    category: 7\n  dev:\n    service: devto\n    token_env: DEVTO_KEY\n    published: true\n",
        )
        .unwrap();
        let Service::Mastodon(m) = &targets["toot"].service else {
            panic!()
        };
        assert_eq!(
            (m.visibility.as_str(), m.token_env.as_str()),
            ("public", "MASTODON_TOKEN")
        );
        assert_eq!(targets["toot"].venue, "social");
        let Service::Bluesky(b) = &targets["sky"].service else {
            panic!()
        };
        assert_eq!(
            (b.url.as_str(), b.handle.as_str()),
            ("https://bsky.social", "ana.bsky.social")
        );
        assert_eq!(targets["sky"].venue, "social");
        let Service::Discourse(d) = &targets["forum"].service else {
            panic!()
        };
        assert_eq!(d.category.as_deref(), Some("7"));
        assert_eq!(targets["forum"].venue, "discourse");
        let Service::Devto(d) = &targets["dev"].service else {
            panic!()
        };
        assert_eq!((d.url.as_str(), d.published), ("https://dev.to", true));
        assert_eq!(targets["dev"].venue, "hugo");
        let err = read("publish:\n  toot:\n    service: mastodon\n    url: https://m.example\n    token: abcdef123456\n").unwrap_err();
        assert!(
            err.starts_with("5: `publish.toot.token` would put a secret"),
            "{err}"
        );
        assert!(err.contains("token_env: TOOT_TOKEN"), "{err}");
        assert!(!err.contains("abcdef123456"), "{err}");
        let err = read("publish:\n  toot:\n    service: mastodon\n    url: https://m.example\n")
            .unwrap_err();
        assert!(
            err.starts_with("2: publish target `toot` needs `token_env:`"),
            "{err}"
        );
        let err = read("publish:\n  toot:\n    service: mastodon\n    url: https://m.example\n    token_env: T\n    visibility: everyone\n").unwrap_err();
        assert!(
            err.starts_with("6: `visibility` must be one of public, unlisted"),
            "{err}"
        );
        let err = read(
            "publish:\n  dev:\n    service: devto\n    token_env: T\n    published: yes please\n",
        )
        .unwrap_err();
        assert!(err.starts_with("5: "), "{err}");
    }

    #[test]
    fn mistakes_name_their_key_and_line() {
        let err = read("publish:\n  x:\n    service: myspace\n").unwrap_err();
        assert_eq!(
            err,
            "3: unknown service `myspace` (known: smtp, wordpress, mastodon, bluesky, discourse, devto)"
        );
        let err = read(
            "publish:\n  x:\n    service: wordpress\n    url: https://e.org\n    usrname: a\n",
        )
        .unwrap_err();
        assert!(
            err.starts_with(
                "5: unknown key `publish.x.usrname` (known: service, venue, url, username"
            ),
            "{err}"
        );
        let err = read(
            "publish:\n  x:\n    service: wordpress\n    url: https://e.org\n    password_env: P\n",
        )
        .unwrap_err();
        assert_eq!(
            err,
            "2: publish target `x` needs `username:`: the WordPress user the application password belongs to"
        );
        let err = read("publish:\n  news:\n    service: smtp\n    url: smtp://h\n    from: a@b.org\n    list: l.csv\n    unsubscribe: https://u\n").unwrap_err();
        assert!(
            err.starts_with("7: `unsubscribe` must contain `{email}`"),
            "{err}"
        );
    }
}
