//! `repurpose build`: every venue for each post, into `<out>/<slug>/`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result};

use crate::config::{Config, Site};
use crate::context::Renders;
use crate::manifest::{FileEntry, Manifest, PostEntry};
use crate::output::{self, Written};
use crate::post::Post;
use crate::venue::{Catalog, Venue, tera_report};
use crate::{Status, Usage, report};

/// What `build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Post files and folders.
    pub inputs: Vec<PathBuf>,
    /// The output folder.
    pub out: PathBuf,
    /// The templates folder, when there is one.
    pub templates: Option<PathBuf>,
    /// Only these venues (all when empty).
    pub venues: Vec<String>,
    /// The configuration file, when there is one.
    pub config: Option<PathBuf>,
}

/// One output rendered for a post, before it is written.
#[derive(Debug)]
pub struct Rendered {
    /// The venue that rendered it.
    pub venue: String,
    /// Its file name under `<out>/<slug>/`.
    pub file: String,
    /// The content, ending with one newline.
    pub bytes: Vec<u8>,
}

/// Counts for the summary line.
#[derive(Debug, Default)]
struct Tally {
    posts: usize,
    written: usize,
    unchanged: usize,
    failed: usize,
}

/// Builds every post; problems are reported as they happen and the others still built.
pub fn run(opts: &BuildOptions) -> Result<Status> {
    let started = Instant::now();
    let config = match &opts.config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let catalog = Catalog::load(opts.templates.as_deref())?;
    let mut tally = Tally::default();
    for err in &catalog.errors {
        report(err);
        tally.failed += 1;
    }
    let venues = select(&catalog, &opts.venues)?;

    let (files, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    for err in &errors {
        report(err);
        tally.failed += 1;
    }
    let mut posts = Vec::with_capacity(files.len());
    for file in &files {
        match Post::load(file) {
            Ok(post) => {
                for warning in &post.warnings {
                    eprintln!("warning: {}: {warning}", post.source.display());
                }
                posts.push(post);
            }
            Err(err) => {
                report(&err);
                tally.failed += 1;
            }
        }
    }
    tally.failed += drop_slug_clashes(&mut posts);

    crate::error::create_dir_all(&opts.out)?;
    let mut manifest = Manifest::read(&opts.out);
    for post in &posts {
        let (outputs, failures) = render_post(post, &venues, &catalog, &config.site);
        for err in &failures {
            report(err);
        }
        tally.failed += failures.len();
        match write_post(post, &outputs, &opts.out) {
            Ok((entry, written, unchanged)) => {
                tally.posts += 1;
                tally.written += written;
                tally.unchanged += unchanged;
                println!(
                    "{:<32} {} file{} → {}",
                    post.slug,
                    entry.files.len(),
                    if entry.files.len() == 1 { "" } else { "s" },
                    opts.out.join(&post.slug).display()
                );
                manifest.posts.insert(post.slug.clone(), entry);
            }
            Err(err) => {
                report(&err.context(format!("{}: not written", post.source.display())));
                tally.failed += 1;
            }
        }
    }
    manifest
        .write(&opts.out)
        .with_context(|| format!("failed to write the manifest in `{}`", opts.out.display()))?;

    eprintln!(
        "built {} post{} ({} file{} written, {} unchanged) in {:.2}s{}",
        tally.posts,
        if tally.posts == 1 { "" } else { "s" },
        tally.written,
        if tally.written == 1 { "" } else { "s" },
        tally.unchanged,
        started.elapsed().as_secs_f64(),
        match tally.failed {
            0 => String::new(),
            1 => "; 1 problem reported above".to_string(),
            n => format!("; {n} problems reported above"),
        }
    );
    Ok(if tally.failed == 0 {
        Status::Success
    } else {
        Status::Failure
    })
}

/// The venues to build: all, or those named with `--venue` (an unknown name is a usage
/// error that lists the names there are).
pub fn select<'c>(catalog: &'c Catalog, names: &[String]) -> Result<Vec<&'c Venue>> {
    if names.is_empty() {
        return Ok(catalog.venues.iter().collect());
    }
    let mut out = Vec::new();
    for name in names {
        match catalog.get(name) {
            Some(venue) => {
                if !out.iter().any(|v: &&Venue| v.name == venue.name) {
                    out.push(venue);
                }
            }
            None => {
                return Err(Usage(format!(
                    "unknown venue `{name}`; the venues are: {} (`repurpose venues` describes them)",
                    catalog.names().join(", ")
                ))
                .into());
            }
        }
    }
    Ok(out)
}

/// Removes every post whose slug another post also has, reporting each clash once with
/// both files; returns the number of posts removed.
fn drop_slug_clashes(posts: &mut Vec<Post>) -> usize {
    let mut by_slug: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for post in posts.iter() {
        by_slug.entry(&post.slug).or_default().push(&post.source);
    }
    let clashing: Vec<String> = by_slug
        .iter()
        .filter(|(_, files)| files.len() > 1)
        .map(|(slug, files)| {
            let names: Vec<String> = files.iter().map(|f| format!("`{}`", f.display())).collect();
            report(&anyhow::anyhow!(
                "{} would all write `{slug}/`; none of them was built — give each a distinct `slug:` in its front matter",
                names.join(" and ")
            ));
            slug.to_string()
        })
        .collect();
    let before = posts.len();
    posts.retain(|p| !clashing.contains(&p.slug));
    before - posts.len()
}

/// Renders every output of every venue the post wants, in memory. A template that fails
/// costs only its own output; its error (naming the post and template) is returned beside
/// the outputs that worked.
pub fn render_post(
    post: &Post,
    venues: &[&Venue],
    catalog: &Catalog,
    site: &Site,
) -> (Vec<Rendered>, Vec<anyhow::Error>) {
    let mut renders = Renders::new(post);
    let mut outputs = Vec::new();
    let mut failures = Vec::new();
    for venue in venues.iter().filter(|v| post.wants_venue(&v.name)) {
        for output in &venue.outputs {
            let needs = output.needs;
            let ctx = renders.context(output, &venue.name, site, needs);
            let rendered = tera::Context::from_serialize(&ctx)
                .and_then(|ctx| catalog.tera.render(&output.template, &ctx));
            match rendered {
                Ok(text) => {
                    let mut text = text.trim_end().to_string();
                    text.push('\n');
                    outputs.push(Rendered {
                        venue: venue.name.clone(),
                        file: output.file.clone(),
                        bytes: text.into_bytes(),
                    });
                }
                Err(err) => failures.push(anyhow::anyhow!(
                    "{}: venue `{}` failed in template {}:\n{}",
                    post.source.display(),
                    venue.name,
                    output.origin_name(),
                    tera_report(&err)
                )),
            }
        }
    }
    (outputs, failures)
}

/// Writes a post's outputs into `<out>/<slug>/`; returns its manifest entry and how many
/// files were written and left unchanged.
fn write_post(post: &Post, outputs: &[Rendered], out: &Path) -> Result<(PostEntry, usize, usize)> {
    let dir = output::inside(out, &post.slug)?;
    if dir
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        anyhow::bail!(
            "refusing to write into `{}`: it is a symbolic link, and outputs never leave `{}`",
            dir.display(),
            out.display()
        );
    }
    crate::error::create_dir_all(&dir)?;
    output::remove_stale_temporaries(&dir);
    let mut files = Vec::with_capacity(outputs.len());
    let (mut written, mut unchanged) = (0, 0);
    for rendered in outputs {
        let relative = format!("{}/{}", post.slug, rendered.file);
        let path = output::inside(out, &relative)?;
        match output::write_atomic(&path, &rendered.bytes)? {
            Written::Changed => written += 1,
            Written::Unchanged => unchanged += 1,
        }
        files.push(FileEntry::new(
            relative,
            rendered.venue.clone(),
            &rendered.bytes,
        ));
    }
    let entry = PostEntry {
        source: post.source.display().to_string(),
        title: post.title.clone(),
        files,
    };
    Ok((entry, written, unchanged))
}
