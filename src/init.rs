//! `repurpose init`: the built-in templates, a commented `repurpose.yaml` and a post to edit.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::Status;
use crate::venue::builtin;

/// The configuration `init` writes.
const CONFIG: &str = r#"# repurpose configuration. Templates see the `site:` map as `site`.
site:
  # Root URL of your blog. Posts are canonical at <url>/<slug>/ unless their front matter
  # sets canonical_url; newsletter links to it carry utm parameters.
  url: https://example.com/blog
  title: My Blog
  # Default author for posts that don't name one.
  author: Your Name
  # Used by the newsletter templates.
  newsletter: My Newsletter
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
