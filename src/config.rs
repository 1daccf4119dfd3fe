//! `repurpose.yaml`: the site the posts belong to.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

/// The configuration file's contents.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `site:`: `url`, `title`, `author`, … — any keys; templates see them as `site`.
    #[serde(default)]
    pub site: Site,
}

/// The `site:` map.
#[derive(Debug, Default, Deserialize)]
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

    /// `site.author`, the default author.
    pub fn author(&self) -> Option<&str> {
        self.text("author")
    }
}

impl Config {
    /// Reads a configuration file; errors name the file and line.
    pub fn load(path: &Path) -> Result<Config> {
        let text = crate::error::read_text(path)?;
        Config::parse(path, &text)
    }

    /// Parses configuration text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Option<Config> = serde_yaml::from_str(text)
            .map_err(|e| crate::error::yaml(&e, 1, "invalid configuration").in_file(path))?;
        let config = config.unwrap_or_default();
        if let Some(url) = config.site.url()
            && !url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
        {
            anyhow::bail!(
                "{}: `site.url` must be an absolute URL like https://example.com/, found `{url}`",
                path.display()
            );
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_keys_are_kept() {
        let c = Config::parse(
            Path::new("r.yaml"),
            "site:\n  url: https://e.com\n  title: T\n",
        )
        .unwrap();
        assert_eq!(c.site.url(), Some("https://e.com"));
        assert_eq!(c.site.map.len(), 2);
    }

    #[test]
    fn unknown_keys_are_named() {
        let err = Config::parse(Path::new("r.yaml"), "sight:\n  url: x\n").unwrap_err();
        let msg = format!("{err:#}");
        assert!(
            msg.starts_with("r.yaml:1:1: invalid configuration: unknown field `sight`"),
            "{msg}"
        );
    }

    #[test]
    fn relative_site_url_is_refused() {
        assert!(Config::parse(Path::new("r.yaml"), "site:\n  url: example.com\n").is_err());
    }
}
