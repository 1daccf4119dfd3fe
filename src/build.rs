//! `repurpose build`: every venue for each post, into `<out>/<slug>/`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;

use anyhow::{Context as _, Result};

use crate::cli::BuildArgs;
use crate::config::Config;
use crate::manifest::{FileEntry, Manifest, PostEntry};
use crate::output;
use crate::pipeline::report::{self as reporting};
use crate::pipeline::{PostRun, Session, SessionOptions};
use crate::post::Post;
use crate::progress::Progress;
use crate::venue::{Catalog, Rendered, Venue};
use crate::{Status, report};

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
    /// The source as the manifest records it (`SourceKeys`).
    key: String,
    slug: String,
    inputs: String,
    size: u64,
    mtime: u64,
    /// Its outputs are up to date: same inputs as in the manifest, files present.
    fresh: bool,
    /// Up to date, but found so by its bytes: its size or time changed (a `touch`, a
    /// checkout), and the manifest should record the new ones so the next build need not
    /// read it again.
    restamp: bool,
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
    let session = Session::open(SessionOptions {
        config: opts.config.clone(),
        templates: opts.templates.clone(),
        venues: opts.venues.clone(),
        findings: !crate::shell::is_quiet(),
    })
    .map_err(reporting::unopened)?;
    let tally = Tally::default();
    for err in session.problems() {
        report(err);
        Tally::add(&tally.failed, 1);
    }
    let catalog = &session.catalog;
    let venues = session.venues();
    explain_sources(opts, &venues);
    let build_inputs = build_inputs(catalog, session.config.bytes(), &venues);

    let (files, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    for err in &errors {
        report(err);
        Tally::add(&tally.failed, 1);
    }
    // Held until the manifest is written: one run at a time writes into `<out>`.
    let lock = output::lock(&opts.out)?;
    let mut previous = Manifest::read(&opts.out)?;
    let sources = SourceKeys::new(&opts.out)?;
    let mut recovered = previous.recover(lock.pending(), &opts.out);
    if !previous.keyed {
        recovered += sources.rekey(&mut previous);
    }
    let keys = sources.keys(&files);
    let venue_scope = VenueScope {
        chosen: venues.iter().map(|v| v.name.as_str()).collect(),
        catalog,
    };

    // First pass: slugs and inputs hashes only, so clashes are found before anything is
    // written and up-to-date posts are never parsed.
    let by_source: HashMap<&str, (&String, &PostEntry)> = previous
        .posts
        .iter()
        .map(|(slug, entry)| (entry.source.as_str(), (slug, entry)))
        .collect();
    let planned: Vec<Result<Planned>> = files
        .par_iter()
        .zip(&keys)
        .map(|(file, key)| plan(file, key, &build_inputs, &by_source, &opts.out, opts.force))
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
    Tally::add(
        &tally.failed,
        drop_taken_slugs(&mut plans, &previous, &sources),
    );
    // Every file an earlier run wrote, wherever the manifest lists it, with what it wrote
    // there: the files a post may replace (not needed when every post is up to date).
    let mut ours: HashMap<&str, Vec<crate::manifest::ContentHash>> = HashMap::new();
    if plans.iter().any(|p| !p.fresh) {
        for file in previous
            .posts
            .values()
            .flat_map(|entry| entry.files.iter().chain(&entry.stale))
        {
            ours.entry(file.path.as_str()).or_default().push(file.hash);
        }
    }
    let context = Building {
        build_inputs: &build_inputs,
        session: &session,
        scope: &venue_scope,
        ours: &ours,
        sources: &sources,
        lock: &lock,
        out: &opts.out,
    };

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
            match build_one(plan, &context, previous.posts.get(&plan.slug), &progress) {
                Ok(PostBuilt {
                    entry,
                    written,
                    unchanged,
                    failures,
                }) => {
                    Tally::add(&tally.built, 1);
                    Tally::add(&tally.written, written);
                    Tally::add(&tally.unchanged, unchanged);
                    Tally::add(&tally.failed, failures);
                    let files = written + unchanged;
                    let line = format!(
                        "{:<32} {} file{} → {}",
                        plan.slug,
                        files,
                        if files == 1 { "" } else { "s" },
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
    drop(ours);
    drop(by_source);
    let nothing_built = built.is_empty();
    let mut manifest = previous;
    let current = manifest.is_current();
    let restamped = restamp(&mut manifest, &plans);
    settle(&mut manifest, built);
    let given: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let stale = stale_outputs(&manifest, &given, &sources);
    // Nothing built, recovered, restamped or removed: the manifest on disk is already this
    // one, and a no-op rebuild of a large archive should not pay for writing it again.
    let unchanged = nothing_built
        && recovered == 0
        && restamped == 0
        && (stale.is_empty() || !opts.clean)
        && current;
    report_stale(&stale, &mut manifest, &opts.out, opts.clean);
    if !unchanged {
        manifest
            .write(&opts.out)
            .with_context(|| format!("failed to write the manifest in `{}`", opts.out.display()))?;
    }
    // The manifest now lists everything the journal announced.
    lock.clear()?;

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
    key: &str,
    build_inputs: &str,
    by_source: &HashMap<&str, (&String, &PostEntry)>,
    out: &Path,
    force: bool,
) -> Result<Planned> {
    let meta = std::fs::metadata(source)
        .with_context(|| format!("failed to read `{}`", source.display()))?;
    let (size, mtime) = (meta.len(), output::mtime_ns(&meta));
    let known = by_source.get(key).filter(|(_, entry)| {
        !force
            && entry.build == build_inputs
            && !entry.inputs.is_empty()
            && outputs_intact(out, &entry.files)
    });
    let planned = |slug: &str, inputs: String, fresh: bool| Planned {
        source: source.to_path_buf(),
        key: key.to_string(),
        slug: slug.to_string(),
        inputs,
        size,
        mtime,
        fresh,
        restamp: false,
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
        return Ok(Planned {
            restamp: true,
            ..planned(slug, inputs, true)
        });
    }
    let text = crate::error::utf8(source, bytes)?;
    let slug = Post::slug_of(source, &text)?;
    Ok(planned(&slug, inputs, false))
}

/// Whether every file of a manifest entry is still in `<out>` as it was written: the size
/// and modification time recorded. A file edited by hand, or rewritten by a build that was
/// killed before it wrote the manifest, fails this and its post is built again. A post's
/// files share one folder, so it is listed once and each file's metadata read through the
/// listing; temporary files a killed build left there are removed on the way.
fn outputs_intact(out: &Path, files: &[FileEntry]) -> bool {
    fn split(f: &FileEntry) -> Option<(&str, &str)> {
        f.path.rsplit_once('/')
    }
    let intact = |f: &FileEntry| {
        output::inside(out, &f.path)
            .ok()
            .and_then(|path| std::fs::symlink_metadata(path).ok())
            .is_some_and(|m| m.is_file() && f.matches(output::Stamp::of(&m)))
    };
    let Some((dir, _)) = files.first().and_then(split) else {
        return files.iter().all(intact);
    };
    if files.iter().any(|f| split(f).map(|(d, _)| d) != Some(dir)) {
        return files.iter().all(intact);
    }
    // A post folder that is a link is never listed (nor cleaned): writing would refuse it.
    let Ok(folder) = output::inside(out, dir) else {
        return false;
    };
    if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
        return false;
    }
    let Ok(listing) = std::fs::read_dir(&folder) else {
        return false;
    };
    let mut missing: Vec<&FileEntry> = files.iter().collect();
    let mut leftovers = false;
    for entry in listing.flatten() {
        let name = entry.file_name();
        if let Some(at) = missing
            .iter()
            .position(|f| split(f).is_some_and(|(_, file)| name == *file))
        {
            // The listing's metadata does not follow a symbolic link.
            let Ok(meta) = entry.metadata() else {
                return false;
            };
            if !meta.is_file() || !missing[at].matches(output::Stamp::of(&meta)) {
                return false;
            }
            missing.swap_remove(at);
        } else if output::is_temporary(&name) {
            leftovers = true;
        }
    }
    if leftovers {
        output::remove_stale_temporaries(&folder);
    }
    missing.is_empty()
}

/// A post built: its manifest entry and what happened to its files.
#[derive(Debug)]
struct PostBuilt {
    entry: PostEntry,
    /// Files written because their content changed.
    written: usize,
    /// Files rendered with the content they already had.
    unchanged: usize,
    /// Problems reported for it as they happened (failed outputs, files not written).
    failures: usize,
}

/// The venues of this run, to tell which of a post's earlier outputs are stale: only those
/// of a venue that no longer exists or that the post no longer wants. A venue merely not
/// chosen this time (`--venue forum`) keeps its files, and so does one whose template
/// failed.
#[derive(Debug)]
struct VenueScope<'c> {
    chosen: HashSet<&'c str>,
    catalog: &'c Catalog,
}

impl VenueScope<'_> {
    /// Whether `old`, an output the post had and did not write this time, is still one of
    /// its outputs.
    fn keeps(&self, post: &PostRun<'_>, old: &FileEntry) -> bool {
        // A template failed this run: a venue or file missing may be one of its, not gone.
        let failed = !self.catalog.errors.is_empty();
        let Some(venue) = self.catalog.get(&old.venue) else {
            return failed || self.catalog.is_broken(&old.venue);
        };
        if !self.chosen.contains(venue.name.as_str()) {
            return true;
        }
        if !post.wants(&venue.name) {
            return false;
        }
        let file = old
            .path
            .rsplit_once('/')
            .map_or(old.path.as_str(), |(_, f)| f);
        // Chosen and wanted, a file it still writes: its render failed this time.
        failed || venue.outputs.iter().any(|o| o.file == file)
    }
}

/// What every post of a run is built with.
#[derive(Debug)]
struct Building<'a> {
    build_inputs: &'a str,
    session: &'a Session,
    scope: &'a VenueScope<'a>,
    /// Every path the manifest lists, with the content it recorded there.
    ours: &'a HashMap<&'a str, Vec<crate::manifest::ContentHash>>,
    sources: &'a SourceKeys,
    lock: &'a output::OutLock,
    out: &'a Path,
}

/// Parses, renders and writes one post. `previous` is the manifest's entry for its slug.
fn build_one(
    plan: &Planned,
    run: &Building<'_>,
    previous: Option<&PostEntry>,
    progress: &Progress,
) -> Result<PostBuilt> {
    let built = run.session.run_post(&plan.source)?;
    let post = &built.post;
    reporting::findings(progress, &post.source, built.read_findings());
    for err in &built.failures {
        progress.error(err);
    }
    reporting::findings(progress, &post.source, built.render_findings());
    let write = write_post(post, &plan.key, &built.outputs, run, previous)
        .map_err(|err| err.context(format!("{}: not written", post.source.display())))?;
    let mut failed = built.failures.len();
    if let Some(err) = &write.error {
        progress.error(&anyhow::anyhow!(
            "{}: {} of its files written, the others not: {err:#}",
            post.source.display(),
            write.written
        ));
        failed += 1;
    }
    let mut entry = PostEntry {
        source: plan.key.clone(),
        title: post.title.clone(),
        // A post with a failed output or file is rebuilt next time, whatever its inputs.
        inputs: if failed == 0 {
            plan.inputs.clone()
        } else {
            String::new()
        },
        build: run.build_inputs.to_string(),
        source_size: plan.size,
        source_mtime: plan.mtime,
        files: write.files,
        stale: Vec::new(),
    };
    if let Some(old) = previous.filter(|old| run.sources.same(&old.source, &plan.key)) {
        let written = |f: &FileEntry| entry.files.iter().any(|new| new.path == f.path);
        let (kept, dropped): (Vec<&FileEntry>, Vec<&FileEntry>) = old
            .files
            .iter()
            .filter(|f| !written(f))
            .partition(|f| run.scope.keeps(&built, f));
        let stale: Vec<FileEntry> = old
            .stale
            .iter()
            .filter(|f| !written(f))
            .chain(dropped)
            .cloned()
            .collect();
        entry.files.extend(kept.into_iter().cloned());
        entry.stale = stale;
    }
    Ok(PostBuilt {
        entry,
        written: write.written,
        unchanged: write.unchanged,
        failures: failed,
    })
}

/// Post paths as the manifest records them: relative to the output folder's parent (the
/// project, usually), so a post is the same record whichever folder a build runs from and
/// however its path was typed (`posts/a.md`, `./posts/a.md`, `blog/posts/a.md` from above).
#[derive(Debug)]
struct SourceKeys {
    /// The output folder's parent, canonical.
    base: PathBuf,
}

impl SourceKeys {
    /// The keys for posts built into `out` (which exists: the lock made it).
    fn new(out: &Path) -> Result<SourceKeys> {
        let out = out
            .canonicalize()
            .with_context(|| format!("failed to read `{}`", out.display()))?;
        let base = out.parent().map_or_else(|| out.clone(), Path::to_path_buf);
        Ok(SourceKeys { base })
    }

    /// The key of each post file. Posts mostly share a few folders: each folder is made
    /// canonical once.
    fn keys(&self, files: &[PathBuf]) -> Vec<String> {
        let mut folders: HashMap<&Path, Option<PathBuf>> = HashMap::new();
        files
            .iter()
            .map(|file| {
                let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
                let folder = folder.unwrap_or(Path::new("."));
                let canonical = folder_entry(&mut folders, folder);
                match (canonical, file.file_name()) {
                    (Some(dir), Some(name)) => relative(&dir.join(name), &self.base),
                    // Not resolvable (gone meanwhile): as given, which reading it will report.
                    _ => file.display().to_string(),
                }
            })
            .collect()
    }

    /// Whether two recorded sources are the same post: the same key, or (a manifest
    /// written before keys, holding the path as typed) the same file.
    fn same(&self, a: &str, b: &str) -> bool {
        a == b
            || match (
                self.base.join(a).canonicalize(),
                self.base.join(b).canonicalize(),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
    }

    /// Rewrites, once, the sources of a manifest written before keys (paths as typed, from
    /// whichever folder that build ran in) into keys; returns how many changed.
    fn rekey(&self, manifest: &mut Manifest) -> usize {
        let mut changed = 0;
        for entry in manifest.posts.values_mut() {
            // Under the base first: manifests just before `keyed` already held keys.
            let typed = Path::new(&entry.source);
            let found = self
                .base
                .join(typed)
                .canonicalize()
                .or_else(|_| typed.canonicalize());
            if let Ok(path) = found {
                let key = relative(&path, &self.base);
                if key != entry.source {
                    entry.source = key;
                    changed += 1;
                }
            }
        }
        manifest.keyed = true;
        // Written as keyed even when nothing changed.
        changed.max(1)
    }

    /// Whether a recorded source still exists: under the base, or (a manifest written
    /// before keys) as typed, from the current folder.
    fn exists(&self, key: &str) -> bool {
        self.base.join(key).exists() || Path::new(key).exists()
    }
}

/// The canonical form of `folder`, looked up once per folder.
fn folder_entry<'f>(
    folders: &mut HashMap<&'f Path, Option<PathBuf>>,
    folder: &'f Path,
) -> Option<PathBuf> {
    folders
        .entry(folder)
        .or_insert_with(|| folder.canonicalize().ok())
        .clone()
}

/// `path` relative to `base`, both canonical: `..` for each of `base`'s own components.
fn relative(path: &Path, base: &Path) -> String {
    let path: Vec<_> = path.components().collect();
    let base: Vec<_> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for part in &path[common..] {
        out.push(part);
    }
    out.display().to_string()
}

/// Records the new size and time of posts found up to date by their bytes.
fn restamp(manifest: &mut Manifest, plans: &[Planned]) -> usize {
    let mut count = 0;
    for plan in plans.iter().filter(|p| p.fresh && p.restamp) {
        if let Some(entry) = manifest.posts.get_mut(&plan.slug) {
            entry.source_size = plan.size;
            entry.source_mtime = plan.mtime;
            count += 1;
        }
    }
    count
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

/// Removes every post that would write under a slug another post, not in this run, still
/// has in the manifest (`build posts/a.md` after giving it `slug: b`, while `posts/b.md`
/// is there): its files are that post's. Returns the number of posts removed.
fn drop_taken_slugs(plans: &mut Vec<Planned>, previous: &Manifest, sources: &SourceKeys) -> usize {
    let in_run: HashSet<&str> = plans.iter().map(|p| p.key.as_str()).collect();
    let taken: Vec<(usize, String)> = plans
        .iter()
        .enumerate()
        .filter(|(_, plan)| !plan.fresh)
        .filter_map(|(i, plan)| {
            let owner = previous.posts.get(&plan.slug)?;
            let other = !sources.same(&owner.source, &plan.key)
                && !in_run.contains(owner.source.as_str())
                && sources.exists(&owner.source);
            other.then(|| (i, owner.source.clone()))
        })
        .collect();
    for (i, owner) in taken.iter().rev() {
        let plan = plans.remove(*i);
        report(&anyhow::anyhow!(
            "`{}` would write `{}/`, which `{owner}` writes; it was not built — give each a distinct `slug:` in its front matter",
            plan.source.display(),
            plan.slug
        ));
    }
    taken.len()
}

/// Puts this build's entries into the manifest. The entries they replace or leave are
/// taken out first, then their files handed over: a post now written under another slug
/// takes its old entry's files as its stale files, and a post taking a slug another
/// source had takes that entry's. (Taking them out first keeps a chain of moves, a → b
/// while b → c, or a swap, from removing an entry just put in.)
fn settle(manifest: &mut Manifest, built: HashMap<String, PostEntry>) {
    let slug_of: HashMap<String, String> = built
        .iter()
        .map(|(slug, entry)| (entry.source.clone(), slug.clone()))
        .collect();
    let mut displaced: Vec<(String, PostEntry)> = Vec::new();
    for slug in built.keys() {
        if let Some(old) = manifest.posts.remove(slug) {
            displaced.push((slug.clone(), old));
        }
    }
    let moved: Vec<String> = manifest
        .posts
        .iter()
        .filter(|(_, old)| slug_of.contains_key(&old.source))
        .map(|(slug, _)| slug.clone())
        .collect();
    for slug in moved {
        if let Some(old) = manifest.posts.remove(&slug) {
            displaced.push((slug, old));
        }
    }
    manifest.posts.extend(built);
    for (slug, old) in displaced {
        let owner = match slug_of.get(&old.source) {
            // The same post at the same slug: `build_one` took what it keeps.
            Some(now) if *now == slug => continue,
            // The post moved: its old files are its stale ones.
            Some(now) => now.clone(),
            // Another post took this slug (or this one, recorded as typed before keys).
            None => slug,
        };
        // Files the entry already lists (what `build_one` kept of the same post recorded
        // as typed before keys) are not taken twice.
        if let Some(entry) = manifest.posts.get_mut(&owner) {
            entry.take_stale(old);
        }
    }
}

/// Outputs earlier builds wrote that are no longer built, by slug: the files of a post
/// whose source is gone, and every entry's stale files (venues a post no longer wants,
/// files of a post now under another slug). A file a post still claims is never one.
fn stale_outputs(
    manifest: &Manifest,
    given: &HashSet<&str>,
    sources: &SourceKeys,
) -> Vec<(String, FileEntry)> {
    // Whether each entry's post is gone, asked once (a post not given costs a `stat`).
    let gone: Vec<bool> = manifest
        .posts
        .values()
        .map(|entry| !given.contains(entry.source.as_str()) && !sources.exists(&entry.source))
        .collect();
    let claimed: HashSet<&str> = manifest
        .posts
        .values()
        .zip(&gone)
        .filter(|(_, gone)| !**gone)
        .flat_map(|(entry, _)| entry.files.iter().map(|f| f.path.as_str()))
        .collect();
    let mut stale = Vec::new();
    for ((slug, entry), gone) in manifest.posts.iter().zip(&gone) {
        let files = if *gone {
            entry.files.iter().chain(&entry.stale).collect::<Vec<_>>()
        } else {
            entry.stale.iter().collect()
        };
        stale.extend(
            files
                .into_iter()
                .filter(|f| !claimed.contains(f.path.as_str()))
                .map(|f| (slug.clone(), f.clone())),
        );
    }
    stale
}

/// Reports stale outputs, or with `clean` removes them and drops them from the manifest.
/// Only a file whose bytes still hash to what the manifest says was written is removed,
/// and never through a symbolic link; any other is left in place with a warning, and no
/// longer listed (it is not ours any more). Folders are removed when that leaves them empty.
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
                .filter_map(|(slug, _)| manifest.posts.get(slug))
                .map(|entry| format!("`{}`", entry.source))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
            if stale.len() == 1 { "it" } else { "them" }
        ));
        return;
    }
    let mut forgotten: HashSet<(&str, &str)> = HashSet::new();
    // Folders a file was removed from, each tidied once afterwards.
    let mut emptied: std::collections::BTreeSet<PathBuf> = std::collections::BTreeSet::new();
    for (slug, file) in stale {
        let shown = out.join(&file.path);
        match output::remove_if_ours(out, &file.path, &file.hash) {
            Ok(Ok(path)) => {
                crate::shell::status(format_args!("removed {}", path.display()));
                if let Some(dir) = path.parent().filter(|dir| *dir != out) {
                    emptied.insert(dir.to_path_buf());
                }
            }
            Ok(Err(output::Kept::Missing)) => {}
            Ok(Err(output::Kept::Changed)) => crate::shell::warning(format_args!(
                "left `{}` in place: it changed since repurpose wrote it",
                shown.display()
            )),
            Ok(Err(output::Kept::Link(link))) => crate::shell::warning(format_args!(
                "left `{}` in place: `{}` is a symbolic link, and nothing outside `{}` is removed",
                shown.display(),
                link.display(),
                out.display()
            )),
            Ok(Err(output::Kept::Outside)) => crate::shell::warning(format_args!(
                "left `{}` alone: the manifest names a path outside `{}`",
                file.path,
                out.display()
            )),
            Err(err) => {
                // Still ours and still there: listed until a later `--clean` removes it.
                report(&err);
                continue;
            }
        }
        forgotten.insert((slug.as_str(), file.path.as_str()));
    }
    for dir in &emptied {
        // Temporary files a killed run left there go too (no other run is writing: we hold
        // the folder); then the folder, only when that leaves it empty: nothing else is
        // ever deleted.
        output::remove_stale_temporaries(dir);
        let _ = std::fs::remove_dir(dir);
    }
    for (slug, entry) in &mut manifest.posts {
        let keep = |f: &FileEntry| !forgotten.contains(&(slug.as_str(), f.path.as_str()));
        entry.files.retain(keep);
        entry.stale.retain(keep);
    }
    manifest
        .posts
        .retain(|_, entry| !entry.files.is_empty() || !entry.stale.is_empty());
}

/// Refuses to replace the file at `path` unless it is ours: one of the post's own outputs
/// (edited by hand or not: an output is repaired), or a file the manifest lists elsewhere (an
/// earlier slug's, another post's) that still holds what was written there.
fn may_replace(
    path: &Path,
    relative: &str,
    key: &str,
    run: &Building<'_>,
    previous: Option<&PostEntry>,
) -> Result<()> {
    let own = previous
        .filter(|entry| run.sources.same(&entry.source, key))
        .is_some_and(|entry| entry.files.iter().any(|f| f.path == relative));
    if own {
        return Ok(());
    }
    let manifest = run.out.join(crate::manifest::FILE);
    let Some(hashes) = run.ours.get(relative) else {
        anyhow::bail!(
            "refusing to replace `{}`: repurpose did not write it (`{}` does not list it); move it away or build into another folder with `-o`",
            path.display(),
            manifest.display()
        );
    };
    let now = crate::manifest::ContentHash::of(&crate::error::read(path)?);
    if !hashes.contains(&now) {
        anyhow::bail!(
            "refusing to replace `{}`: it changed since repurpose wrote it for another post or slug; move it away or build into another folder with `-o`",
            path.display()
        );
    }
    Ok(())
}

/// What writing a post's files did.
#[derive(Debug)]
struct PostWrite {
    /// An entry for each file in place: new, unchanged, or (after a failed rename) as the
    /// manifest had it.
    files: Vec<FileEntry>,
    /// Files written because their content changed.
    written: usize,
    /// Files that already held their content.
    unchanged: usize,
    /// Why some files were not renamed into place, when that happened.
    error: Option<anyhow::Error>,
}

/// Writes a post's outputs into `<out>/<slug>/`: every changed file to a temporary file
/// first, then all renamed into place, so a failure while writing (a full disk) leaves the
/// post's files all as they were. A file there that the manifest (`previous`, the entry
/// for this slug) does not list is not ours: nothing of the post is written then.
fn write_post(
    post: &Post,
    key: &str,
    outputs: &[Rendered],
    run: &Building<'_>,
    previous: Option<&PostEntry>,
) -> Result<PostWrite> {
    let out = run.out;
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
    let mut batch = output::Batch::default();
    let mut files = Vec::with_capacity(outputs.len());
    // Indexes in `files` of the files staged, in the order staged.
    let mut staged = Vec::new();
    for rendered in outputs {
        let relative = format!("{}/{}", post.slug, rendered.file);
        let path = output::inside(out, &relative)?;
        let existing = if made { None } else { output::existing(&path)? };
        let stamp = match &existing {
            Some(meta) if output::holds(&path, Some(meta), &rendered.bytes) => {
                output::Stamp::of(meta)
            }
            _ => {
                // A file that already holds these bytes is taken as it is, listed or not
                // (a manifest lost, say): nothing of anyone's is replaced then.
                if existing.is_some() {
                    // Dropping `batch` removes what was staged: nothing is replaced.
                    may_replace(&path, &relative, key, run, previous)?;
                }
                staged.push(files.len());
                batch.stage(&path, existing.as_ref(), &rendered.bytes)?
            }
        };
        files.push(FileEntry::new(
            relative,
            rendered.venue.clone(),
            &rendered.bytes,
            stamp,
        ));
    }
    let unchanged = outputs.len() - staged.len();
    if !staged.is_empty() {
        // Journaled before the renames: a run killed among them leaves files no manifest
        // lists, and the next run must know they are ours.
        let mut journal = String::new();
        for &i in &staged {
            let pending = crate::manifest::Pending {
                slug: post.slug.clone(),
                source: key.to_string(),
                file: files[i].clone(),
            };
            journal.push_str(&serde_json::to_string(&pending)?);
            journal.push('\n');
        }
        run.lock.journal(&journal)?;
    }
    match batch.commit() {
        Ok(()) => Ok(PostWrite {
            files,
            written: staged.len(),
            unchanged,
            error: None,
        }),
        Err(partial) => {
            // Files not renamed hold what they held: the manifest's entry, when it had one.
            let not_renamed: HashSet<usize> = staged[partial.renamed..].iter().copied().collect();
            let files = files
                .into_iter()
                .enumerate()
                .filter_map(|(i, file)| {
                    if !not_renamed.contains(&i) {
                        return Some(file);
                    }
                    previous?
                        .files
                        .iter()
                        .find(|f| f.path == file.path)
                        .cloned()
                })
                .collect();
            Ok(PostWrite {
                files,
                written: partial.renamed,
                unchanged,
                error: Some(partial.error),
            })
        }
    }
}
