//! `repurpose new "Title"`: a post to write, `<dir>/<slug>.md`, its front matter filled in.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::config::Config;
use crate::status::{Status, Usage};

/// The post `new` writes; each `{…}` is filled in with a YAML value or whole lines.
const TEMPLATE: &str = r#"---
title: {title}
# The day it is published: YYYY-MM-DD, or an RFC 3339 date-time (2024-05-01T09:30:00+02:00).
date: {date}
# The byline; when empty, `site.author` from repurpose.yaml.
{author}
# A list, [writing, community], or a comma-separated string.
tags: []
# One or two sentences for the blog page's description (search results, link previews).
# When empty, the post's opening sentences are used.
summary:
# The question the forum thread and the newsletter end on, to invite replies. When empty,
# the last sentence of the closing paragraph is used if it is a question.
question:
{slug}---

Write the post here, in Markdown.

Open with the point you want readers to take away. Give each main point a `## heading`, or
make the points the items of a numbered list: each becomes a section of the article draft.

Close with the question you want readers to answer, or set `question:` above.
"#;

/// What `new` was asked to do.
#[derive(Debug, Clone)]
pub struct NewOptions {
    /// The post's title, as typed.
    pub title: String,
    /// The folder to write it into.
    pub dir: PathBuf,
    /// The slug asked for with `--slug`, if any.
    pub slug: Option<String>,
    /// The configuration, read from its file or the defaults.
    pub config: Config,
}

/// Writes the new post and prints its path; refuses to overwrite a file.
pub fn run(opts: &NewOptions) -> Result<Status> {
    let title = opts.title.trim();
    if title.is_empty() {
        return Err(Usage(
            "the title is empty; write it in quotes: repurpose new \"My post\"".into(),
        )
        .into());
    }
    if title.chars().any(is_line_break_or_control) {
        return Err(Usage(format!(
            "the title {title:?} has a line break or control character; a title is one line"
        ))
        .into());
    }
    let slug = slug(title, opts.slug.as_deref())?;
    let config = &opts.config;
    let text = post_text(
        title,
        &crate::date::today(),
        config.site.author(),
        &slug,
        opts.slug.is_some(),
    );
    let path = opts.dir.join(format!("{slug}.md"));
    crate::error::create_dir_all(&opts.dir)?;
    write_new(&path, text.as_bytes())?;
    // The path is the command's result (`$EDITOR "$(repurpose new …)"`); a closed stdout
    // changes nothing, the file is written.
    let _ = writeln!(std::io::stdout(), "{}", path.display());
    crate::shell::detail(format!(
        "next: write the post, then `repurpose build {}`",
        path.display()
    ));
    Ok(Status::Success)
}

/// The post's slug: `--slug` or the title, made safe the way `build` makes it. Either may
/// come to nothing (`"???"`), a usage error.
fn slug(title: &str, asked: Option<&str>) -> Result<String> {
    let from = asked.unwrap_or(title);
    let slug = crate::slug::safe_folder(crate::slug::slugify(from));
    if slug.is_empty() {
        let message = match asked {
            Some(asked) => format!(
                "the slug {asked:?} has no letters or digits; slugs are lower-case ASCII letters, digits and `-`"
            ),
            None => format!(
                "the title {title:?} gives no slug (it has no letters or digits); choose one with --slug"
            ),
        };
        return Err(Usage(message).into());
    }
    Ok(slug)
}

/// The file's text. The slug goes into the front matter when it was chosen (so renaming
/// the file keeps it) or when the file name would not give it back (`2024-05-01-x.md` gives
/// `x`); otherwise the file name is the slug.
fn post_text(title: &str, date: &str, author: Option<&str>, slug: &str, chosen: bool) -> String {
    let slug_line = if chosen || crate::slug::from_file_stem(slug) != slug {
        format!(
            "# The output folder under out/; it stays the same if the file is renamed.\nslug: {slug}\n"
        )
    } else {
        String::new()
    };
    let author = author.map_or("author:".to_string(), |a| {
        format!("author: {}", yaml_quote(a))
    });
    fill(
        TEMPLATE,
        &[
            ("{title}", &yaml_quote(title)),
            ("{date}", date),
            ("{author}", &author),
            ("{slug}", &slug_line),
        ],
    )
}

/// `template` with each placeholder replaced, in one pass: a value that holds a
/// placeholder's name (a title "About {date}") is never filled in again.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 128);
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match values.iter().find(|(name, _)| rest.starts_with(name)) {
            Some((name, value)) => {
                out.push_str(value);
                rest = &rest[name.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Characters a one-line title cannot hold: controls, and what YAML reads as a line break.
fn is_line_break_or_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Text as a YAML double-quoted scalar, which reads back exactly: `:`, `#`, quotes and
/// leading indicators (`-`, `[`, `&`, `!`…) are plain characters inside the quotes; `"` and
/// `\` are escaped, and so is anything YAML would not take literally there.
fn yaml_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_line_break_or_control(c) || c == '\u{feff}' => {
                out.push_str(&format!("\\u{:04X}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Creates `path` with `bytes`, failing when anything (a file, a folder, a link) is there.
fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!(
                "not overwriting `{}`: it already exists; edit it, or choose another title or --slug",
                path.display()
            );
        }
        Err(e) => {
            return Err(
                anyhow::Error::new(e).context(format!("failed to create `{}`", path.display()))
            );
        }
    };
    file.write_all(bytes)
        .with_context(|| format!("failed to write `{}`", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::post::front_matter;
    use proptest::prelude::*;

    fn meta_of(text: &str) -> front_matter::Meta {
        let split = front_matter::split(text).unwrap();
        front_matter::parse(split.yaml.unwrap(), split.yaml_line).unwrap()
    }

    #[test]
    fn placeholders_in_the_title_or_author_stay_as_typed() {
        let text = post_text(
            "Filling {author} and {date} {slug}",
            "2026-11-27",
            Some("Ann {title}"),
            "x",
            true,
        );
        let meta = meta_of(&text);
        assert_eq!(
            meta.title.as_deref(),
            Some("Filling {author} and {date} {slug}")
        );
        assert_eq!(meta.author.as_deref(), Some("Ann {title}"));
    }

    #[test]
    fn front_matter_reads_back_as_written() {
        let text = post_text(
            "Leverage: \"the\" #1 'trick'",
            "2024-05-01",
            Some("Maren Holt"),
            "leverage",
            false,
        );
        let meta = meta_of(&text);
        assert_eq!(meta.title.as_deref(), Some("Leverage: \"the\" #1 'trick'"));
        assert_eq!(meta.date.as_deref(), Some("2024-05-01"));
        assert_eq!(meta.author.as_deref(), Some("Maren Holt"));
        assert!(meta.tags.is_empty());
        assert_eq!(meta.summary, None);
        assert_eq!(meta.question, None);
        assert_eq!(meta.slug, None, "the file name gives the slug");
        assert!(meta.extra.is_empty(), "{:?}", meta.extra);
    }

    #[test]
    fn no_author_leaves_the_key_empty() {
        let meta = meta_of(&post_text("T", "2024-05-01", None, "t", false));
        assert_eq!(meta.author, None);
    }

    #[test]
    fn slug_is_written_when_chosen_or_when_the_file_name_would_lose_it() {
        let chosen = meta_of(&post_text("T", "2024-05-01", None, "mine", true));
        assert_eq!(chosen.slug.as_deref(), Some("mine"));
        let dated = meta_of(&post_text("T", "2024-05-01", None, "2024-05-01-t", false));
        assert_eq!(dated.slug.as_deref(), Some("2024-05-01-t"));
    }

    #[test]
    fn slugs_come_from_the_title_or_the_choice() {
        assert_eq!(
            slug("What's new in 2.0?", None).unwrap(),
            "whats-new-in-2-0"
        );
        assert_eq!(slug("T", Some("My Slug")).unwrap(), "my-slug");
        assert_eq!(slug("Con", None).unwrap(), "con-post");
        let err = slug("???", None).unwrap_err();
        assert!(err.to_string().contains("--slug"), "{err}");
        assert!(err.downcast_ref::<Usage>().is_some());
    }

    #[test]
    fn yaml_indicators_and_escapes_survive() {
        for title in [
            "- dash",
            "[x] {y}",
            "&anchor *alias !tag %",
            "@at `tick`",
            "yes",
            "null",
            "123",
            "a\\b",
            "trailing:",
            "? key",
            "| > pipes",
            "Café — crème brûlée",
            "\u{feff}bom",
        ] {
            let meta = meta_of(&post_text(title, "2024-05-01", None, "x", false));
            assert_eq!(meta.title.as_deref(), Some(title));
        }
    }

    proptest! {
        #[test]
        fn any_one_line_title_reads_back(title in "\\PC{1,40}") {
            prop_assume!(!title.chars().any(is_line_break_or_control));
            let meta = meta_of(&post_text(&title, "2024-05-01", Some(&title), "x", false));
            prop_assert_eq!(meta.title.as_deref(), Some(title.as_str()));
            prop_assert_eq!(meta.author.as_deref(), Some(title.as_str()));
        }
    }
}
