//! `repurpose.yaml`: the site the posts belong to, where outputs and templates go, which
//! venues to build, and the writer's own settings for each venue.
//!
//! Precedence: command-line options win over this file, the file over template headers,
//! template headers over built-in defaults. Paths are relative to the file's folder.

mod discover;
mod overrides;
pub mod publish;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Deserialize;
use serde_yaml::Value;

use crate::error::Located;
pub use crate::venue::settings::{CONFIGURABLE as OVERRIDE_KEYS, Utm};
use crate::venue::{Catalog, Venue};
use crate::yaml::{Reader, key_name, kind};
use discover::Found;
pub use overrides::VenueSettings;

/// Every top-level key, in the order docs/configuration.md documents them.
pub const KEYS: [&str; 7] = [
    "site",
    "out",
    "templates",
    "default_venues",
    "utm",
    "venues",
    "publish",
];

/// The configuration file's contents; `Config::default()` when there is no file.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// `site:`: `url`, `title`, `author`, … — any keys; templates see them as `site`.
    pub site: Site,
    /// `out:`: the output folder, relative to the file's folder.
    pub out: Option<PathBuf>,
    /// `templates:`: the templates folder, relative to the file's folder.
    pub templates: Option<PathBuf>,
    /// `default_venues:`: the venues built when the command line names none (all when empty).
    pub default_venues: Vec<String>,
    /// `utm:`: parameters for every venue that adds utm parameters.
    pub utm: Utm,
    /// `venues:`: template header settings by venue name.
    pub venues: BTreeMap<String, VenueSettings>,
    /// `publish:`: the places posts are sent to, by target name.
    pub publish: BTreeMap<String, publish::Target>,
    /// The file and its text, for errors found later and the build fingerprint.
    file: Option<(PathBuf, String)>,
    /// What the file allows but was probably not meant, for `warn`.
    doubts: Vec<Doubt>,
    /// How the file was found, for `-v`.
    found: Found,
    /// The folder the unset `out` and `templates` are looked for in: the discovered file's
    /// folder, else the current folder (empty).
    root: PathBuf,
}

/// Something the file allows but was probably not meant: a misspelt `site:` key, a
/// placeholder `site.url`; or another configuration nearer the inputs than the one used.
#[derive(Debug, Clone)]
struct Doubt {
    /// The line in the file, when the doubt is about one.
    line: Option<usize>,
    message: String,
}

/// The `site:` keys repurpose or its built-in templates read; any other key is the
/// writer's own, for their templates.
pub const SITE_KEYS: [&str; 6] = [
    "url",
    "title",
    "author",
    "newsletter",
    "language",
    "media_url",
];

/// The `site:` map.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct Site {
    /// Every key as written.
    pub map: BTreeMap<String, serde_yaml::Value>,
}

impl Site {
    fn text(&self, key: &str) -> Option<&str> {
        self.map
            .get(key)
            .and_then(serde_yaml::Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    }

    /// `site.url`, the root URL posts are published under.
    pub fn url(&self) -> Option<&str> {
        self.text("url")
    }

    /// `site.media_url`, where the output folder's media are served from when not under
    /// `site.url` (a CDN, a bucket): an image is at `<media_url>/<slug>/media/<file>`.
    pub fn media_url(&self) -> Option<&str> {
        self.text("media_url")
    }

    /// Where a post's media are served from, ending in `/`: `site.media_url`, else
    /// `site.url`, followed by `<slug>/media/`. `None` when neither is set.
    pub fn media_base(&self, slug: &str) -> Option<String> {
        // A media_url that is no URL is passed over for site.url.
        let folder = self
            .media_url()
            .and_then(crate::markdown::folder_url)
            .or_else(|| self.url().and_then(crate::markdown::folder_url))?;
        Some(format!("{folder}{slug}/{}/", crate::media::FOLDER))
    }

    /// `site.author`, the default author.
    pub fn author(&self) -> Option<&str> {
        self.text("author")
    }
}

impl Config {
    /// The folder the unset `out` and `templates` are looked for in: the discovered file's,
    /// else the current folder (empty).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Reads a configuration file; errors name the file and line.
    pub fn load(path: &Path) -> Result<Config> {
        let text = crate::error::read_text(path)?;
        Config::parse(path, &text)
    }

    /// Parses configuration text; `path` names it in errors and anchors relative paths.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        Config::from_text(path, text).map_err(|e| e.in_file(path))
    }

    fn from_text(path: &Path, text: &str) -> Result<Config, Located> {
        let file = Some((path.to_path_buf(), text.to_string()));
        if text.trim().is_empty() {
            return Ok(Config {
                file,
                ..Config::default()
            });
        }
        let map = crate::yaml::parse_map(
            text,
            1,
            crate::yaml::bounds::CONFIG,
            "invalid configuration",
            |other| {
                format!(
                    "the configuration must be a map of `key: value` lines ({}), found {}",
                    KEYS.join(", "),
                    kind(other)
                )
            },
        )?;
        let reader = Reader::new(text, 1);
        let folder = path.parent().unwrap_or(Path::new(""));
        let mut config = Config {
            file,
            ..Config::default()
        };
        for (key, value) in map {
            let key = key_name(&key);
            if !KEYS.contains(&key.as_str()) {
                return Err(reader.unknown(&[&key], &KEYS));
            }
            if value.is_null() {
                continue;
            }
            match key.as_str() {
                "site" => (config.site, config.doubts) = site(&reader, value)?,
                "out" => config.out = Some(folder.join(self::folder(&reader, "out", &value)?)),
                "templates" => {
                    config.templates =
                        Some(folder.join(self::folder(&reader, "templates", &value)?));
                }
                "default_venues" => config.default_venues = names(&reader, &value)?,
                "utm" => config.utm = overrides::utm(&reader, &value)?,
                "venues" => config.venues = overrides::venues(&reader, &value)?,
                "publish" => config.publish = publish::targets(&reader, folder, &value)?,
                _ => return Err(reader.unknown(&[&key], &KEYS)),
            }
        }
        Ok(config)
    }

    /// Prints a warning for each thing the file allows but was probably not meant (a
    /// `site:` key one edit from a known one, an example domain as `site.url`), naming its
    /// line; returns how many.
    pub fn warn(&self) -> usize {
        for line in self.warnings() {
            crate::shell::warning(line);
        }
        self.doubts.len()
    }

    /// The warnings `warn` prints: `repurpose.yaml:3: message`.
    pub fn warnings(&self) -> Vec<String> {
        let file = self.path().unwrap_or(Path::new(DEFAULT_FILE));
        self.doubts
            .iter()
            .map(|d| match d.line {
                Some(line) => format!("{}:{line}: {}", file.display(), d.message),
                None => d.message.clone(),
            })
            .collect()
    }

    /// The file read, when there was one.
    pub fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|(path, _)| path.as_path())
    }

    /// The text of the file read, empty without one: every output depends on it.
    pub fn bytes(&self) -> &[u8] {
        self.file
            .as_ref()
            .map_or(&[][..], |(_, text)| text.as_bytes())
    }

    /// The templates folder: the command line's, else this file's `templates` (which must
    /// exist), else `templates` in `root` when it exists.
    pub fn templates_dir(&self, given: Option<&Path>) -> Result<Option<PathBuf>> {
        match (given, &self.templates) {
            (Some(dir), _) if !dir.is_dir() => {
                anyhow::bail!("templates folder `{}` does not exist", dir.display())
            }
            (Some(dir), _) => Ok(Some(dir.to_path_buf())),
            (None, Some(dir)) if !dir.is_dir() => Err(self.error(
                &["templates"],
                format!(
                    "templates folder `{}` does not exist (paths here are relative to this file's folder)",
                    dir.display()
                ),
            )),
            (None, Some(dir)) => Ok(Some(dir.clone())),
            (None, None) => Ok(Some(self.root.join("templates")).filter(|d| d.is_dir())),
        }
    }

    /// The output folder: the command line's, else this file's `out`, else `out` in `root`.
    pub fn out_dir(&self, given: Option<&Path>) -> PathBuf {
        given
            .map(Path::to_path_buf)
            .or_else(|| self.out.clone())
            .unwrap_or_else(|| self.root.join("out"))
    }

    /// The venues to build when the command line names none: `default_venues`, else all.
    /// A name no template defines is an error naming its line and the venues there are; a
    /// venue whose templates failed is left out.
    pub fn default_venues<'c>(&self, catalog: &'c Catalog) -> Result<Vec<&'c Venue>> {
        if self.default_venues.is_empty() {
            return Ok(catalog.venues.iter().collect());
        }
        let mut out: Vec<&Venue> = Vec::new();
        for name in &self.default_venues {
            if catalog.is_broken(name) {
                // Its template error is reported already; the other venues still build.
                continue;
            }
            let Some(venue) = catalog.get(name) else {
                let line = self.text().map_or(1, |t| {
                    crate::yaml::lines::item_line(t, "default_venues", name)
                });
                return Err(self.error_at(line, no_such_venue("default_venues", name, catalog)));
            };
            if !out.iter().any(|v| v.name == venue.name) {
                out.push(venue);
            }
        }
        Ok(out)
    }

    /// Applies `utm` and the `venues:` settings to the catalog's template headers. An
    /// entry for a venue no template defines is an error naming it and the venues there are.
    pub fn apply(&self, catalog: &mut Catalog) -> Result<()> {
        if let Some(name) = self
            .venues
            .keys()
            .find(|name| catalog.get(name).is_none() && !catalog.is_broken(name))
        {
            return Err(self.error(&["venues", name], no_such_venue("venues", name, catalog)));
        }
        let reader = Reader::new(self.text().unwrap_or_default(), 1);
        for venue in &mut catalog.venues {
            let own = self.venues.get(&venue.name);
            for output in &mut venue.outputs {
                overrides::apply(&mut output.header, &reader, &self.utm, &venue.name, own)
                    .map_err(|e| self.error_at(e.line, e.message))?;
                // The limits a thread needs, checked on the header as the file leaves it.
                if own.is_some()
                    && output.needs.thread
                    && let Err(e) = crate::venue::thread_limits(&output.header)
                {
                    return Err(self.error(&["venues", &venue.name], e));
                }
            }
        }
        Ok(())
    }

    fn text(&self) -> Option<&str> {
        self.file.as_ref().map(|(_, text)| text.as_str())
    }

    /// An error at the line of `path` in the file.
    fn error(&self, path: &[&str], message: String) -> anyhow::Error {
        let line = self
            .text()
            .map_or(1, |t| crate::yaml::lines::key_line(t, path));
        self.error_at(line, message)
    }

    fn error_at(&self, line: usize, message: String) -> anyhow::Error {
        match &self.file {
            Some((path, _)) => Located::new(line, 1, message).in_file(path),
            None => anyhow::anyhow!(message),
        }
    }
}

/// The configuration file read when `--config` is not given.
pub const DEFAULT_FILE: &str = "repurpose.yaml";

/// Whether `host` is a name reserved for examples and tests, never a real site
/// (RFC 2606 and 6761): example.com/.net/.org and their subdomains, and anything under
/// `.example`, `.test`, `.invalid` or `.localhost`.
fn is_reserved(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let under = |domain: &str| {
        host == domain
            || host
                .strip_suffix(domain)
                .is_some_and(|rest| rest.ends_with('.'))
    };
    ["example.com", "example.net", "example.org"]
        .iter()
        .chain(&["example", "test", "invalid", "localhost"])
        .any(|d| under(d))
}

fn no_such_venue(key: &str, name: &str, catalog: &Catalog) -> String {
    format!(
        "`{key}` names `{name}`, which is not a venue; the venues are: {} (`repurpose venues` describes them)",
        catalog.names().join(", ")
    )
}

/// The `site:` map, and what in it was probably not meant.
fn site(reader: &Reader<'_>, value: Value) -> Result<(Site, Vec<Doubt>), Located> {
    let Value::Mapping(map) = value else {
        return Err(reader.wrong(&["site"], "a map of `key: value` lines", &value));
    };
    let map: BTreeMap<String, Value> = map.into_iter().map(|(k, v)| (key_name(&k), v)).collect();
    let site = Site { map };
    let line = |key: &str| reader.line(&["site", key]);
    let mut doubts: Vec<Doubt> = site
        .map
        .keys()
        .filter_map(|key| {
            let known = crate::suggest::near(key, &SITE_KEYS)?;
            Some(Doubt {
                line: Some(line(key)),
                message: format!("unknown key `site.{key}`, did you mean `site.{known}`?"),
            })
        })
        .collect();
    if let Some(value) = site.map.get("url")
        && !value.is_null()
    {
        let url = site.url().unwrap_or_default();
        if !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https")) {
            let found = if url.is_empty() {
                kind(value)
            } else {
                format!("`{url}`")
            };
            return Err(reader.at(
                &["site", "url"],
                format!(
                    "`site.url` must be an absolute URL like https://example.com/, found {found}"
                ),
            ));
        }
    }
    if let Some(url) = site.url()
        && let Some(host) = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(String::from))
        && is_reserved(&host)
    {
        let host = host.trim_end_matches('.');
        doubts.push(Doubt {
                line: Some(line("url")),
                message: format!(
                    "`site.url` is `{url}`, and {host} is reserved for examples: every canonical link, utm link and image will point there; set it to your site's address"
                ),
            });
    }
    doubts.sort_by_key(|d| d.line);
    Ok((site, doubts))
}

fn folder(reader: &Reader<'_>, key: &str, value: &Value) -> Result<PathBuf, Located> {
    match value.as_str().map(str::trim) {
        Some(path) if !path.is_empty() => Ok(PathBuf::from(path)),
        _ => Err(reader.wrong(&[key], "a folder path", value)),
    }
}

fn names(reader: &Reader<'_>, value: &Value) -> Result<Vec<String>, Located> {
    let expected = "a list of venue names, like [forum, blog]";
    let Value::Sequence(items) = value else {
        return Err(reader.wrong(&["default_venues"], expected, value));
    };
    items
        .iter()
        .map(|item| match item.as_str().map(str::trim) {
            Some(name) if !name.is_empty() => Ok(name.to_string()),
            _ => Err(reader.wrong(&["default_venues"], expected, item)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Path::new("site/r.yaml"), text)
    }

    fn error(text: &str) -> String {
        format!("{:#}", parse(text).unwrap_err())
    }

    #[test]
    fn site_keys_are_kept() {
        let c = parse("site:\n  url: https://e.com\n  title: T\n").unwrap();
        assert_eq!(c.site.url(), Some("https://e.com"));
        assert_eq!(c.site.map.len(), 2);
    }

    #[test]
    fn reads_every_key_with_paths_relative_to_the_file() {
        let c = parse(
            "site: {title: T}\nout: public\ntemplates: my-templates\ndefault_venues: [forum, blog]\nutm:\n  utm_campaign: spring\nvenues:\n  forum: {max_chars: 10000}\n",
        )
        .unwrap();
        assert_eq!(c.out.as_deref(), Some(Path::new("site/public")));
        assert_eq!(c.templates.as_deref(), Some(Path::new("site/my-templates")));
        assert_eq!(c.default_venues, ["forum", "blog"]);
        assert_eq!(
            c.utm,
            [("utm_campaign".to_string(), Some("spring".to_string()))]
        );
        let mut catalog = Catalog::load(None).unwrap();
        c.apply(&mut catalog).unwrap();
        let forum = &catalog.get("forum").unwrap().outputs[0].header;
        assert_eq!(forum.max_chars, Some(10000));
    }

    #[test]
    fn unknown_keys_are_named_with_their_line() {
        assert_eq!(
            error("site:\n  url: https://e.com\nsight:\n  url: x\n"),
            "site/r.yaml:3:1: unknown key `sight` (known: site, out, templates, default_venues, utm, venues, publish)"
        );
        assert!(error("outt:\n").starts_with("site/r.yaml:1:1: unknown key `outt`"));
    }

    #[test]
    fn wrong_types_name_the_key() {
        assert_eq!(
            error("out: [a, b]\n"),
            "site/r.yaml:1:1: `out` must be a folder path, found a list"
        );
        assert_eq!(
            error("site: {}\ndefault_venues: forum\n"),
            "site/r.yaml:2:1: `default_venues` must be a list of venue names, like [forum, blog], found the text `forum`"
        );
        assert!(error("- a\n").contains("must be a map of `key: value` lines"));
    }

    #[test]
    fn misspelt_site_keys_and_example_domains_are_doubted() {
        let c = parse(
            "out: public\nsite:\n  title: T\n  ulr: https://blog.me/\n  Author: A\n  motto: hi\n",
        )
        .unwrap();
        assert_eq!(
            c.warnings(),
            [
                "site/r.yaml:4: unknown key `site.ulr`, did you mean `site.url`?",
                "site/r.yaml:5: unknown key `site.Author`, did you mean `site.author`?",
            ]
        );
        assert_eq!(c.site.map.len(), 4, "every key is kept for templates");
        let c = parse("site:\n  url: https://www.EXAMPLE.org./blog\n").unwrap();
        assert_eq!(
            c.warnings(),
            [
                "site/r.yaml:2: `site.url` is `https://www.EXAMPLE.org./blog`, and www.example.org is reserved for examples: every canonical link, utm link and image will point there; set it to your site's address"
            ]
        );
        assert!(
            parse("site: {url: https://blog.me/}\n")
                .unwrap()
                .warnings()
                .is_empty()
        );
    }

    #[test]
    fn reserved_hosts_are_those_of_rfc_2606_and_6761() {
        for host in [
            "example.com",
            "docs.example.net",
            "example.org",
            "site.example",
            "blog.test",
            "x.invalid",
            "localhost",
            "app.localhost",
        ] {
            assert!(is_reserved(host), "{host}");
        }
        for host in [
            "myexample.com",
            "example.co",
            "testing.dev",
            "blog.me",
            "test.com",
        ] {
            assert!(!is_reserved(host), "{host}");
        }
    }

    #[test]
    fn relative_site_url_is_refused() {
        assert_eq!(
            error("site:\n  title: T\n  url: example.com\n"),
            "site/r.yaml:3:1: `site.url` must be an absolute URL like https://example.com/, found `example.com`"
        );
    }

    #[test]
    fn empty_file_and_empty_keys_are_the_defaults() {
        let c = parse("# nothing yet\n").unwrap();
        assert!(c.site.map.is_empty() && c.out.is_none());
        let c = parse("site:\nout:\n").unwrap();
        assert!(c.site.map.is_empty() && c.out.is_none());
    }

    #[test]
    fn command_line_wins_over_the_file() {
        let c = parse("out: public\n").unwrap();
        assert_eq!(c.out_dir(Some(Path::new("cli"))), Path::new("cli"));
        assert_eq!(c.out_dir(None), Path::new("site/public"));
        assert_eq!(Config::default().out_dir(None), Path::new("out"));
    }

    #[test]
    fn overrides_and_default_venues_must_name_venues() {
        let catalog = Catalog::load(None).unwrap();
        let c =
            parse("site: {}\nvenues:\n  forum: {wrap: 60}\n  newsleter:\n    wrap: 60\n").unwrap();
        let mut copy = Catalog::load(None).unwrap();
        assert_eq!(
            format!("{:#}", c.apply(&mut copy).unwrap_err()),
            "site/r.yaml:4:1: `venues` names `newsleter`, which is not a venue; the venues are: article, blog, discourse, forum, hugo, newsletter, social (`repurpose venues` describes them)"
        );
        let c = parse("default_venues:\n  - blog\n  - forom\n").unwrap();
        let err = format!("{:#}", c.default_venues(&catalog).unwrap_err());
        assert!(
            err.starts_with("site/r.yaml:3:1: `default_venues` names `forom`"),
            "{err}"
        );
        let c = parse("default_venues: [forum, blog, forum]\n").unwrap();
        let names: Vec<&str> = c
            .default_venues(&catalog)
            .unwrap()
            .iter()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(names, ["forum", "blog"]);
    }
}
