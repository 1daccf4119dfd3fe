//! `repurpose init`: the built-in templates, a commented `repurpose.yaml` and a post to edit.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::status::Status;
use crate::venue::builtin;

/// The configuration `init` writes: every key, the defaults as commented-out examples.
const CONFIG: &str = r#"# repurpose configuration. Every key is optional; an unknown key is an error. repurpose
# reads ./repurpose.yaml, else the nearest one above the posts it is given.
# Command-line options win over this file, this file over the templates' headers, the
# headers over the built-in defaults. Paths are relative to this file's folder.

# Your site. Templates see this map as `site`; add any key you like and use it there
# as site.<key>.
site:
  # Root URL of your blog: set it to your site's address. Posts are then canonical at
  # <url>/<slug>/ unless their front matter sets canonical_url, and links to it get the
  # newsletter's utm parameters; until it is set, posts have no canonical link.
  # url: https://example.com/blog
  title: My Blog
  # Default author for posts that don't name one.
  author: Your Name
  # Used by the newsletter templates.
  newsletter: My Newsletter
  # The blog page's <html lang>; en when unset.
  # language: en
  # Where the output folder is served from when its images are not under url (a CDN,
  # a bucket): the venues read away from your site (newsletter, forum, social, ...)
  # link a post's image as <media_url>/<slug>/media/<file>. When unset: under url.
  # media_url: https://cdn.example.com/blog

# Output folder; -o on the command line wins. When unset: out, in this file's folder
# (with --config: in the folder you run repurpose from).
# out: public

# Templates folder, adding venues or replacing built-in ones; -t wins. When unset:
# templates, in this file's folder (with --config: in the folder you run repurpose
# from), when it exists.
# templates: templates

# The venues every command (build, check, preview, watch) makes when no --venue is
# given. When unset: every venue (`repurpose venues` lists them).
# default_venues: [forum, blog, newsletter]

# utm parameters for the venues that add them to links to your site (the newsletter's
# templates set utm_source: newsletter, utm_medium: email, utm_campaign: "{slug}").
# Each one here replaces the template's parameter of the same name or adds one; ~
# removes one. {slug} in a value is the post's slug.
# utm:
#   utm_campaign: spring-{slug}

# Per-venue settings, over the template's header: max_chars, max_words, excerpt_words,
# heading_offset, wrap, links (numbered | inline), raw_html (keep | sanitize | text),
# url_length (the social thread: 23 as X and Mastodon count links, ~ to count them whole
# as Bluesky does), footnotes (native | list), utm (merged over the utm above; a venue
# whose template adds none gets them only from here; ~ turns them off), and for the
# post's own images: media (relative | absolute: media/<file>, or under media_url),
# image_width (shown at most this wide, from copies twice as wide), image_formats (the
# formats shown; others get a PNG or JPEG copy), image_max_bytes and image_max_pixels
# (check warns above them). The venue's name is its template's file name up to the first dot.
# venues:
#   newsletter:
#     excerpt_words: 80      # send the opening and a link, not the whole post
#   forum:
#     max_chars: 10000
#   blog:
#     raw_html: sanitize
#   discourse:
#     image_width: 690       # copies at most 1,380 px wide
#   social:                  # a thread for Bluesky instead of Mastodon
#     max_chars: 300
#     url_length: ~

# Where `repurpose publish` sends posts: target name -> service and settings. Secrets
# are never written here (this file is meant to be committed): name the environment
# variables that hold them (password_env, username_env, token_env). What was sent where is recorded
# in repurpose.ledger, beside this file; commit it too. `repurpose publish --plan` shows
# what would be sent, `repurpose status` what is current or stale.
# publish:
#   blog:                    # the blog venue's body as a WordPress post
#     service: wordpress
#     url: https://blog.example.com
#     username: ana
#     password_env: WORDPRESS_PASSWORD   # an application password (Users > Profile)
#     status: draft          # draft | publish | pending | private
#   news:                    # the newsletter venue, one email per subscriber
#     service: smtp
#     url: smtp://mail.example.com:587   # STARTTLS when offered; smtps:// for TLS
#     from: Ana <ana@example.com>
#     list: subscribers.csv  # an email column, optionally name; relative to this file
#     username_env: SMTP_USER
#     password_env: SMTP_PASSWORD
#     unsubscribe: https://example.com/unsubscribe?email={email}
#     rate: 5                # messages a second at most
#   toots:                   # the social venue's thread, each part replying to the last
#     service: mastodon
#     url: https://mastodon.social
#     token_env: MASTODON_TOKEN          # scopes write:statuses, read:statuses, read:accounts
#   sky:                     # the same thread on Bluesky, cut to 300 characters a post
#     service: bluesky
#     handle: ana.bsky.social
#     password_env: BLUESKY_APP_PASSWORD
#   forum:                   # the discourse venue as a new topic
#     service: discourse
#     url: https://forum.example.com
#     username: ana
#     token_env: DISCOURSE_API_KEY
#     category: writing
#   devto:                   # the hugo venue's Markdown as a dev.to draft
#     service: devto
#     token_env: DEVTO_API_KEY
"#;

/// The example post `init` writes (today's date is filled in).
const EXAMPLE: &str = r#"---
title: "Three ways to reuse what you write"
date: {date}
tags: [writing, publishing]
summary: "Write once, then let the same words work in every place your readers are."
---

Every post you write is a small investment. Publishing it once, in one place, leaves most of
the return on the table.

Here are three ways to get more from it:

1. **Start a discussion.** Post it as a thread starter in a forum where your readers already
   talk. Their replies will teach you what to write next.
2. **Send it to your list.** A newsletter section brings the post to people who would never
   check your blog, and they can answer with one click.
3. **Expand it into an article.** The short post is the outline; each point becomes a
   section with an example, some evidence and a counter-point.

Run `repurpose build posts/example.md` and look in `out/` for all of them.

<!-- venue: !forum -->
A passage can go to some venues only: this one sits between `<!-- venue: !forum -->` and
`<!-- /venue -->`, so the forum thread leaves it out.
<!-- /venue -->

Which of these would you try first?
"#;

/// Sets up `dir`; refuses to overwrite anything, writing nothing when a file exists.
pub fn run(dir: &Path) -> Result<Status> {
    let mut files: Vec<(PathBuf, String)> = builtin::TEMPLATES
        .iter()
        .map(|(name, text)| (dir.join("templates").join(name), text.to_string()))
        .collect();
    files.push((dir.join("repurpose.yaml"), CONFIG.to_string()));
    files.push((
        dir.join("posts").join("example.md"),
        EXAMPLE.replace("{date}", &crate::date::today()),
    ));
    let existing: Vec<String> = files
        .iter()
        .filter(|(path, _)| path.symlink_metadata().is_ok())
        .map(|(path, _)| format!("`{}`", path.display()))
        .collect();
    if !existing.is_empty() {
        anyhow::bail!(
            "not overwriting {}; nothing was written (move them away or init another folder)",
            existing.join(", ")
        );
    }
    for (path, text) in &files {
        if let Some(parent) = path.parent() {
            crate::error::create_dir_all(parent)?;
        }
        crate::output::write_atomic(path, text.as_bytes())?;
        if !crate::shell::is_quiet() {
            println!("created {}", path.display());
        }
    }
    let cd = if dir == Path::new(".") {
        String::new()
    } else {
        format!("cd {} && ", dir.display())
    };
    if !crate::shell::is_quiet() {
        println!("\nNext: {cd}repurpose build posts/example.md");
    }
    Ok(Status::Success)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;
    use crate::venue::Catalog;

    /// `CONFIG` with every commented-out example (`# key: value`, at any indent) enabled.
    fn uncommented() -> String {
        CONFIG
            .lines()
            .map(|line| {
                let indent = line.len() - line.trim_start().len();
                let rest = &line[indent..];
                let example = rest.strip_prefix("# ").filter(|r| {
                    let key = r.trim_start().split(':').next().unwrap_or("");
                    r.contains(':')
                        && !key.is_empty()
                        && key.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                });
                match example {
                    Some(example) => format!("{}{example}\n", &line[..indent]),
                    None => format!("{line}\n"),
                }
            })
            .collect()
    }

    #[test]
    fn written_config_loads_as_is_and_with_every_example_enabled() {
        let config = Config::parse(Path::new("repurpose.yaml"), CONFIG).unwrap();
        assert_eq!(config.site.url(), None, "the placeholder is not live");
        assert!(config.warnings().is_empty(), "{:?}", config.warnings());
        assert!(config.out.is_none() && config.venues.is_empty());

        let text = uncommented();
        let config = Config::parse(Path::new("repurpose.yaml"), &text).unwrap();
        assert_eq!(config.site.url(), Some("https://example.com/blog"));
        let mut catalog = Catalog::load(None).unwrap();
        config.apply(&mut catalog).unwrap();
        assert_eq!(config.default_venues(&catalog).unwrap().len(), 3);
        assert_eq!(config.venues.len(), 5);
        assert_eq!(config.utm.len(), 1);
        let services: Vec<&str> = config.publish.values().map(|t| t.service.name()).collect();
        assert_eq!(services.len(), crate::config::publish::SERVICES.len());
        for service in crate::config::publish::SERVICES {
            assert!(services.contains(&service), "no `{service}` example");
        }
        assert!(config.out.is_some() && config.templates.is_some());
        assert_eq!(
            config.site.map.get("language").and_then(|v| v.as_str()),
            Some("en")
        );
    }

    #[test]
    fn written_config_documents_every_key() {
        for key in crate::config::KEYS {
            assert!(
                CONFIG.contains(&format!("{key}:")),
                "`{key}` is not documented"
            );
        }
        for key in crate::config::OVERRIDE_KEYS {
            assert!(CONFIG.contains(key), "`venues.*.{key}` is not documented");
        }
    }
}
