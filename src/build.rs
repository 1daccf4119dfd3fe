//! `repurpose build`: every venue for each post, into `<out>/<slug>/`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use anyhow::{Context as _, Result};

use crate::cli::BuildArgs;
use crate::config::{Config, Site};
use crate::context::Renders;
use crate::manifest::{FileEntry, Manifest, PostEntry};
use crate::output::{self, Written};
use crate::post::{Editions, Post};
use crate::progress::Progress;
use crate::venue::{Catalog, Output, Venue, tera_report};
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
    /// Only these venues (when empty: the configuration's `default_venues`, else all).
    pub venues: Vec<String>,
    /// The configuration, read from its file or the defaults.
    pub config: Config,
    /// Rebuild every post, even those whose inputs did not change.
    pub force: bool,
    /// Remove outputs the previous build wrote and this one no longer does.
    pub clean: bool,
    /// Print one line per post built on stdout (`watch` prints one line per rebuild).
    pub post_lines: bool,
}

impl BuildOptions {
    /// The options `build` and `watch` run with: the command line over the configuration
    /// file (read afresh on each call) over the defaults.
    pub fn from_args(args: &BuildArgs) -> Result<BuildOptions> {
        let config = Config::discover(args.sources.config.as_deref(), &args.inputs)?;
        Ok(BuildOptions {
            inputs: args.inputs.clone(),
            out: config.out_dir(args.out.as_deref()),
            templates: config.templates_dir(args.sources.templates.as_deref())?,
            venues: args.venues.clone(),
            config,
            force: args.force,
            clean: args.clean,
            post_lines: true,
        })
    }
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

/// Counts for the summary line, added up across workers.
#[derive(Debug, Default)]
struct Tally {
    built: AtomicUsize,
    fresh: AtomicUsize,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    failed: AtomicUsize,
}

impl Tally {
    fn add(counter: &AtomicUsize, n: usize) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }
}

/// A post file, once its slug and inputs hash are known.
#[derive(Debug)]
struct Planned {
    source: PathBuf,
    slug: String,
    inputs: String,
    size: u64,
    mtime: u64,
    /// Its outputs are up to date: same inputs as in the manifest, files present.
    fresh: bool,
}

/// What a build did, for its summary line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Posts rendered.
    pub built: usize,
    /// Posts skipped because their outputs were up to date.
    pub fresh: usize,
    /// Files written because their content changed.
    pub written: usize,
    /// Files rendered with the content they already had.
    pub unchanged: usize,
    /// Problems reported (posts, templates, outputs).
    pub failed: usize,
    /// Wall time.
    pub elapsed: std::time::Duration,
}

impl Summary {
    /// Exit status: a failure when anything was reported.
    pub fn status(&self) -> Status {
        if self.failed == 0 {
            Status::Success
        } else {
            Status::Failure
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        write!(
            f,
            "built {} post{} ({} file{} written, {} unchanged)",
            self.built,
            plural(self.built),
            self.written,
            plural(self.written),
            self.unchanged
        )?;
        if self.fresh > 0 {
            write!(f, ", {} up to date", self.fresh)?;
        }
        write!(f, " in {:.2}s", self.elapsed.as_secs_f64())?;
        match self.failed {
            0 => Ok(()),
            1 => f.write_str("; 1 problem reported above"),
            n => write!(f, "; {n} problems reported above"),
        }
    }
}

/// Builds every post and prints the summary; problems are reported as they happen and
/// the others still built.
pub fn run(opts: &BuildOptions) -> Result<Status> {
    opts.config.warn();
    let summary = build(opts)?;
    crate::shell::status(&summary);
    Ok(summary.status())
}

/// Builds every post; problems are reported as they happen and the others still built.
/// The configuration's own warnings are the caller's to print (`watch` prints them only
/// when the file changes).
pub fn build(opts: &BuildOptions) -> Result<Summary> {
    let started = Instant::now();
    let config = &opts.config;
    let mut catalog = Catalog::load(opts.templates.as_deref())?;
    let tally = Tally::default();
    for err in &catalog.errors {
        report(err);
        Tally::add(&tally.failed, 1);
    }
    config.apply(&mut catalog)?;
    let venues = chosen_venues(&catalog, config, &opts.venues)?;
    explain_sources(opts, &venues);
    let build_inputs = build_inputs(&catalog, config.bytes(), &venues);

    let (files, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    for err in &errors {
        report(err);
        Tally::add(&tally.failed, 1);
    }
    crate::error::create_dir_all(&opts.out)?;
    let previous = Manifest::read(&opts.out);

    // First pass: slugs and inputs hashes only, so clashes are found before anything is
    // written and up-to-date posts are never parsed.
    let by_source: HashMap<&str, (&String, &PostEntry)> = previous
        .posts
        .iter()
        .map(|(slug, entry)| (entry.source.as_str(), (slug, entry)))
        .collect();
    let planned: Vec<Result<Planned>> = files
        .par_iter()
        .map(|file| plan(file, &build_inputs, &by_source, &opts.out, opts.force))
        .collect();
    let mut plans = Vec::with_capacity(planned.len());
    for plan in planned {
        match plan {
            Ok(plan) => plans.push(plan),
            Err(err) => {
                report(&err);
                Tally::add(&tally.failed, 1);
            }
        }
    }
    Tally::add(&tally.failed, drop_slug_clashes(&mut plans));

    let progress = Progress::new(plans.len());
    let entries: Vec<Option<(String, PostEntry)>> = plans
        .par_iter()
        .enumerate()
        .map(|(index, plan)| {
            if plan.fresh {
                // Its manifest entry stays as it is.
                Tally::add(&tally.fresh, 1);
                let line =
                    crate::shell::is_verbose().then(|| format!("{:<32} up to date", plan.slug));
                progress.done(index, line);
                return None;
            }
            let result = build_one(
                plan,
                &build_inputs,
                &venues,
                &catalog,
                &config.site,
                &opts.out,
                &progress,
            );
            match result {
                Ok((entry, written, unchanged, failures)) => {
                    Tally::add(&tally.built, 1);
                    Tally::add(&tally.written, written);
                    Tally::add(&tally.unchanged, unchanged);
                    Tally::add(&tally.failed, failures);
                    let line = format!(
                        "{:<32} {} file{} → {}",
                        plan.slug,
                        entry.files.len(),
                        if entry.files.len() == 1 { "" } else { "s" },
                        opts.out.join(&plan.slug).display()
                    );
                    progress.done(index, Some(line).filter(|_| opts.post_lines));
                    Some((plan.slug.clone(), entry))
                }
                Err(err) => {
                    progress.error(&err);
                    Tally::add(&tally.failed, 1);
                    progress.done(index, None);
                    None
                }
            }
        })
        .collect();
    progress.finish();

    let built: HashMap<String, PostEntry> = entries.into_iter().flatten().collect();
    let stale = stale_outputs(&previous, &built, &plans, &files);
    drop(by_source);
    // Nothing built and nothing removed: the manifest on disk is already this one, and a
    // no-op rebuild of a large archive should not pay for writing it again.
    let unchanged = built.is_empty() && (stale.is_empty() || !opts.clean) && previous.is_current();
    let mut manifest = previous;
    manifest.posts.extend(built);
    report_stale(&stale, &mut manifest, &opts.out, opts.clean);
    if !unchanged {
        manifest
            .write(&opts.out)
            .with_context(|| format!("failed to write the manifest in `{}`", opts.out.display()))?;
    }

    Ok(Summary {
        built: Tally::get(&tally.built),
        fresh: Tally::get(&tally.fresh),
        written: Tally::get(&tally.written),
        unchanged: Tally::get(&tally.unchanged),
        failed: Tally::get(&tally.failed),
        elapsed: started.elapsed(),
    })
}

/// With `--verbose`: where the configuration and templates come from, and the venues built.
fn explain_sources(opts: &BuildOptions, venues: &[&Venue]) {
    if !crate::shell::is_verbose() {
        return;
    }
    crate::shell::detail(opts.config.describe());
    crate::shell::detail(match &opts.templates {
        Some(dir) => format!("templates: `{}` and the built-ins", dir.display()),
        None => format!(
            "templates: the built-ins (no {}; -t names a folder)",
            Path::new(".")
                .join(opts.config.root())
                .join("templates")
                .display()
        ),
    });
    let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
    crate::shell::detail(format_args!("venues: {}", names.join(", ")));
}

/// What every post's outputs depend on besides the post: the tool's version, the
/// templates, the configuration file and the venues selected.
fn build_inputs(catalog: &Catalog, config: &[u8], venues: &[&Venue]) -> String {
    let names: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
    let mut all = format!(
        "repurpose {}\n{}\n{}\n",
        env!("CARGO_PKG_VERSION"),
        catalog.fingerprint,
        names.join(",")
    )
    .into_bytes();
    all.extend_from_slice(config);
    crate::manifest::hash(&all)
}

/// Reads a post just enough to know its slug and whether its outputs are up to date: not
/// at all when its size and modification time are those recorded, else its bytes are hashed
/// and compared; only a post to build has its front matter parsed, for its slug.
fn plan(
    source: &Path,
    build_inputs: &str,
    by_source: &HashMap<&str, (&String, &PostEntry)>,
    out: &Path,
    force: bool,
) -> Result<Planned> {
    let meta = std::fs::metadata(source)
        .with_context(|| format!("failed to read `{}`", source.display()))?;
    let (size, mtime) = (meta.len(), mtime_ns(&meta));
    let shown = source.display().to_string();
    let known = by_source.get(shown.as_str()).filter(|(_, entry)| {
        !force
            && entry.build == build_inputs
            && !entry.inputs.is_empty()
            && outputs_present(out, &entry.files)
    });
    let planned = |slug: &str, inputs: String, fresh: bool| Planned {
        source: source.to_path_buf(),
        slug: slug.to_string(),
        inputs,
        size,
        mtime,
        fresh,
    };
    if let Some(&(slug, entry)) = known
        && entry.source_size == size
        && entry.source_mtime == mtime
        && mtime != 0
    {
        return Ok(planned(slug, entry.inputs.clone(), true));
    }
    let bytes = crate::error::read(source)?;
    let inputs = crate::manifest::inputs_hash(build_inputs, &bytes);
    if let Some(&(slug, entry)) = known
        && entry.inputs == inputs
    {
        return Ok(planned(slug, inputs, true));
    }
    let text = crate::error::utf8(source, bytes)?;
    let slug = Post::slug_of(source, &text)?;
    Ok(planned(&slug, inputs, false))
}

/// Whether every file of a manifest entry is still in `<out>`. A post's files share one
/// folder, so it is listed once rather than each file looked up on its own (a no-op rebuild
/// is mostly these checks).
fn outputs_present(out: &Path, files: &[FileEntry]) -> bool {
    fn folder(f: &FileEntry) -> Option<&str> {
        f.path.rsplit_once('/').map(|(dir, _)| dir)
    }
    let Some(dir) = files.first().and_then(folder) else {
        return files.iter().all(|f| out.join(&f.path).is_file());
    };
    if files.iter().any(|f| folder(f) != Some(dir)) {
        return files.iter().all(|f| out.join(&f.path).is_file());
    }
    let Ok(listing) = std::fs::read_dir(out.join(dir)) else {
        return false;
    };
    let mut missing: Vec<&str> = files
        .iter()
        .map(|f| {
            f.path
                .rsplit_once('/')
                .map_or(f.path.as_str(), |(_, name)| name)
        })
        .collect();
    for entry in listing.flatten() {
        if let Some(at) = missing.iter().position(|name| entry.file_name() == **name)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            missing.swap_remove(at);
        }
    }
    missing.is_empty()
}

/// A file's modification time in nanoseconds since the epoch (0 when unknown).
fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// Parses, renders and writes one post: its manifest entry, files written and unchanged,
/// and how many of its outputs failed (reported as they happen).
fn build_one(
    plan: &Planned,
    build_inputs: &str,
    venues: &[&Venue],
    catalog: &Catalog,
    site: &Site,
    out: &Path,
    progress: &Progress,
) -> Result<(PostEntry, usize, usize, usize)> {
    let post = Post::load(&plan.source)?;
    for warning in &post.warnings {
        progress.warning(&warning.located(&post.source));
    }
    for found in crate::check::unknown_venues(&post, &catalog.all_names()) {
        progress.warning(&found.located(&post.source));
    }
    let editions = editions(&post, venues);
    let (outputs, failures) = render_post(&post, &editions, venues, catalog, site);
    for err in &failures {
        progress.error(err);
    }
    // What `check` would warn about, one line each (notes with -v); nothing to work out
    // when -q would print none of it.
    let found = if crate::shell::is_quiet() {
        Vec::new()
    } else {
        crate::check::diagnose(&post, &editions, venues, site, &outputs)
    };
    for found in found {
        match found.level {
            crate::check::Level::Warning => progress.warning(&found.located(&post.source)),
            // Notes (shown another way, no loss) only when asked for.
            crate::check::Level::Note => progress.detail(&found.line_for(&post.source)),
        }
    }
    let (mut entry, written, unchanged) = write_post(&post, &outputs, out)
        .map_err(|err| err.context(format!("{}: not written", post.source.display())))?;
    entry.build = build_inputs.to_string();
    entry.source_size = plan.size;
    entry.source_mtime = plan.mtime;
    // A post with a failed output is rebuilt next time, whatever its inputs hash.
    entry.inputs = if failures.is_empty() {
        plan.inputs.clone()
    } else {
        String::new()
    };
    Ok((entry, written, unchanged, failures.len()))
}

/// The templates, with the configuration's settings for each venue applied (an entry for
/// a venue no template defines is an error). Templates that failed are in its `errors`.
pub fn catalog(templates: Option<&Path>, config: &Config) -> Result<Catalog> {
    let mut catalog = Catalog::load(templates)?;
    config.apply(&mut catalog)?;
    Ok(catalog)
}

/// The venues a run makes: those named on the command line (`--venue`), else the
/// configuration's `default_venues`, else all.
pub fn chosen_venues<'c>(
    catalog: &'c Catalog,
    config: &Config,
    names: &[String],
) -> Result<Vec<&'c Venue>> {
    if names.is_empty() {
        config.default_venues(catalog)
    } else {
        select(catalog, names)
    }
}

/// The post as each of `venues` it wants reads it; `render_post` renders from them and
/// `check::diagnose` reports on them.
pub fn editions<'p>(post: &'p Post, venues: &[&Venue]) -> Editions<'p> {
    Editions::new(
        post,
        venues
            .iter()
            .filter(|v| post.wants_venue(&v.name))
            .map(|v| v.name.as_str()),
    )
}

/// The venues to build: all, or those named with `--venue` (an unknown name is a usage
/// error that lists the names there are; a venue whose templates failed is left out).
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
            // Its template error is reported already; the other venues still build.
            None if catalog.is_broken(name) => {}
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
fn drop_slug_clashes(plans: &mut Vec<Planned>) -> usize {
    let mut by_slug: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for plan in plans.iter() {
        by_slug.entry(&plan.slug).or_default().push(&plan.source);
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
    let before = plans.len();
    plans.retain(|p| !clashing.contains(&p.slug));
    before - plans.len()
}

/// Outputs the previous build wrote that this one no longer does: posts whose file is
/// gone, posts now writing under another slug, files of venues a post no longer wants.
fn stale_outputs(
    previous: &Manifest,
    built: &HashMap<String, PostEntry>,
    plans: &[Planned],
    inputs: &[PathBuf],
) -> Vec<(String, FileEntry)> {
    let given: HashSet<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let slug_now: HashMap<String, &str> = plans
        .iter()
        .map(|p| (p.source.display().to_string(), p.slug.as_str()))
        .collect();
    let mut stale = Vec::new();
    for (slug, old) in &previous.posts {
        let moved = slug_now.get(&old.source).is_some_and(|now| now != slug);
        let gone = !given.contains(&old.source) && !Path::new(&old.source).exists();
        if moved || gone {
            stale.extend(old.files.iter().map(|f| (old.source.clone(), f.clone())));
            continue;
        }
        if let Some(new) = built.get(slug) {
            for file in &old.files {
                if !new.files.iter().any(|f| f.path == file.path) {
                    stale.push((old.source.clone(), file.clone()));
                }
            }
        }
    }
    stale
}

/// Reports stale outputs, or with `clean` removes them (only files the manifest lists, and
/// their folders when that leaves them empty) and drops them from the manifest.
fn report_stale(stale: &[(String, FileEntry)], manifest: &mut Manifest, out: &Path, clean: bool) {
    if stale.is_empty() {
        return;
    }
    if !clean {
        crate::shell::warning(format_args!(
            "{} file{} in `{}` no longer built (from {}); `--clean` removes {}",
            stale.len(),
            if stale.len() == 1 { " is" } else { "s are" },
            out.display(),
            stale
                .iter()
                .map(|(source, _)| format!("`{source}`"))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
            if stale.len() == 1 { "it" } else { "them" }
        ));
        return;
    }
    for (_, file) in stale {
        let Ok(path) = output::inside(out, &file.path) else {
            continue;
        };
        match std::fs::remove_file(&path) {
            Ok(()) => crate::shell::status(format_args!("removed {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => report(
                &anyhow::Error::new(e).context(format!("failed to remove `{}`", path.display())),
            ),
        }
        if let Some(dir) = path.parent() {
            // Only succeeds when the folder is empty: nothing else is ever deleted.
            let _ = std::fs::remove_dir(dir);
        }
    }
    for entry in manifest.posts.values_mut() {
        entry
            .files
            .retain(|f| !stale.iter().any(|(_, s)| s.path == f.path));
    }
    manifest.posts.retain(|_, entry| !entry.files.is_empty());
}

/// Renders every output of every venue the post wants, in memory, each venue from its
/// edition of the post (`Editions`). A template that fails costs only its own output; its
/// error (naming the post and template) is returned beside the outputs that worked.
pub fn render_post(
    post: &Post,
    editions: &Editions<'_>,
    venues: &[&Venue],
    catalog: &Catalog,
    site: &Site,
) -> (Vec<Rendered>, Vec<anyhow::Error>) {
    let wanted: Vec<&Venue> = venues
        .iter()
        .copied()
        .filter(|v| post.wants_venue(&v.name))
        .collect();
    // One cache per edition: venues reading the same post share its renders.
    let mut renders: Vec<Renders<'_>> = editions.all().map(Renders::new).collect();
    let mut outputs = Vec::new();
    let mut failures = Vec::new();
    for venue in wanted {
        let renders = &mut renders[editions.index(&venue.name)];
        for output in &venue.outputs {
            match render_output(renders, post, venue, output, catalog, site) {
                Ok(rendered) => outputs.push(rendered),
                Err(err) => failures.push(err),
            }
        }
    }
    (outputs, failures)
}

/// Renders one output of a venue for `post` (whose cache `renders` is); the error names the
/// post, the venue and the template.
pub fn render_output(
    renders: &mut Renders<'_>,
    post: &Post,
    venue: &Venue,
    output: &Output,
    catalog: &Catalog,
    site: &Site,
) -> Result<Rendered> {
    let ctx = renders.context(output, &venue.name, site, output.needs);
    match tera::Context::from_serialize(&ctx)
        .and_then(|ctx| catalog.tera.render(&output.template, &ctx))
    {
        Ok(text) => {
            let mut text = text.trim_end().to_string();
            text.push('\n');
            Ok(Rendered {
                venue: venue.name.clone(),
                file: output.file.clone(),
                bytes: text.into_bytes(),
            })
        }
        Err(err) => Err(anyhow::anyhow!(
            "{}: venue `{}` failed in template {}:\n{}",
            post.source.display(),
            venue.name,
            output.origin_name(),
            tera_report(&err)
        )),
    }
}

/// Writes a post's outputs into `<out>/<slug>/`; returns its manifest entry and how many
/// files were written and left unchanged.
fn write_post(post: &Post, outputs: &[Rendered], out: &Path) -> Result<(PostEntry, usize, usize)> {
    let dir = output::post_folder(out, &post.slug)?;
    // A folder made just now holds nothing: no temporary file a killed build left, no
    // output to compare with (a cold build of an archive is mostly these).
    let made = match std::fs::create_dir(&dir) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
        Err(_) => {
            crate::error::create_dir_all(&dir)?;
            false
        }
    };
    if !made {
        output::remove_stale_temporaries(&dir);
    }
    let mut files = Vec::with_capacity(outputs.len());
    let (mut written, mut unchanged) = (0, 0);
    for rendered in outputs {
        let relative = format!("{}/{}", post.slug, rendered.file);
        let path = output::inside(out, &relative)?;
        let result = if made {
            output::write_new(&path, &rendered.bytes).map(|()| Written::Changed)
        } else {
            output::write_atomic(&path, &rendered.bytes)
        };
        match result? {
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
        inputs: String::new(),
        build: String::new(),
        source_size: 0,
        source_mtime: 0,
        files,
    };
    Ok((entry, written, unchanged))
}
