//! The incremental build: every venue of each post into `<out>/<slug>/`, rendering only the
//! posts whose inputs changed, writing only files whose bytes changed, and keeping the
//! manifest (`manifest.json`) that says which files are repurpose's.
//!
//! `plan` finds what to build, `post` builds one post through the session and `write` puts
//! its files in place; `stale` settles the manifest and the outputs no longer built;
//! `sources` names posts as the manifest records them.

mod context;
mod plan;
mod post;
mod sources;
mod stale;
mod write;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context as _, Result};
use rayon::prelude::*;

use crate::config::Config;
use crate::manifest::{Files, Manifest, Name, PostEntry};
use crate::output;
use crate::pipeline::SessionOptions;
use crate::pipeline::report::{self, Problems, Stderr};
use crate::progress::Progress;
use crate::status::Status;
use crate::venue::Venue;

use context::{Building, VenueScope};
use plan::{
    Held, Planned, Recorded, drop_slug_clashes, drop_taken_slugs, plan, put_back, restamp,
    take_previous,
};
use post::{PostBuilt, build_one};
use sources::SourceKeys;
use stale::{report_stale, settle, stale_outputs};

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

/// Counts for the summary line, added up across workers.
#[derive(Debug, Default)]
struct Tally {
    built: AtomicUsize,
    fresh: AtomicUsize,
    written: AtomicUsize,
    unchanged: AtomicUsize,
    failed: Problems,
}

impl Tally {
    fn add(counter: &AtomicUsize, n: usize) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    fn get(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::Relaxed)
    }
}

/// Builds every post; problems are reported as they happen and the others still built.
/// The configuration's own warnings are the caller's to print (`watch` prints them only
/// when the file changes).
pub fn build(opts: &BuildOptions) -> Result<Summary> {
    let started = Instant::now();
    let tally = Tally::default();
    let session = report::open(
        SessionOptions {
            config: opts.config.clone(),
            templates: opts.templates.clone(),
            venues: opts.venues.clone(),
            render_findings: !crate::shell::is_quiet(),
        },
        &tally.failed,
    )?;
    let catalog = &session.catalog;
    let venues = session.venues();
    explain_sources(opts, &venues);
    let build_inputs = BuildInputs::of(&session, &venues);

    let (files, errors) = crate::inputs::collect(&opts.inputs, &opts.out);
    tally.failed.report_all(&Stderr, &errors);
    // Held until the manifest is written: one run at a time writes into `<out>`.
    let lock = output::lock(&opts.out)?;
    let mut previous = Manifest::read(&opts.out)?;
    let sources = SourceKeys::new(&opts.out)?;
    let mut recovered = previous.recover(lock.pending(), &opts.out);
    if !previous.keyed {
        recovered += sources.rekey(&mut previous);
    }
    let keys = sources.keys(&files);
    let venue_scope = VenueScope { catalog };

    // First pass: slugs and inputs hashes only, so clashes are found before anything is
    // written and up-to-date posts are never parsed.
    let by_source: HashMap<&str, Recorded<'_>> = previous
        .posts
        .iter()
        .map(|(slug, entry)| (entry.source.as_str(), Recorded { slug: *slug, entry }))
        .collect();
    let held = Held::default();
    let planned: Vec<Result<Planned<'_>>> = files
        .par_iter()
        .zip(&keys)
        .map(|(file, key)| {
            plan(
                file,
                *key,
                &build_inputs,
                &by_source,
                &held,
                &opts.out,
                opts.force,
            )
        })
        .collect();
    // Gone before the checks below make their own lists: 4.3 MB for 100,000 posts, and with
    // them the no-op build's peak.
    drop(by_source);
    // Kept in the list they were planned in: a second one of 100,000 plans is ~15 MiB.
    let mut plans: Vec<Planned<'_>> = planned
        .into_iter()
        .filter_map(|plan| plan.map_err(|err| tally.failed.report(&Stderr, &err)).ok())
        .collect();
    tally.failed.add(drop_slug_clashes(&mut plans));
    tally
        .failed
        .add(drop_taken_slugs(&mut plans, &previous, &sources));
    // Every file an earlier run wrote, with what it wrote there: the files a post may
    // replace.
    let ours = crate::manifest::Listed::new(&previous);
    take_previous(&mut previous, &mut plans);
    let context = Building {
        build_inputs: &build_inputs,
        session: &session,
        scope: &venue_scope,
        ours: &ours,
        sources: &sources,
        lock: &lock,
        out: &opts.out,
        force: opts.force,
    };

    let progress = Progress::new(plans.len());
    // Boxed as the manifest holds them: a no-op build of 100,000 posts would otherwise hold
    // 19 MB of empty slots, and a cold one move every entry twice more.
    let entries: Vec<Option<(Name, Box<PostEntry>)>> = plans
        .par_iter_mut()
        .enumerate()
        .map(|(index, plan)| {
            if plan.fresh {
                // Its manifest entry stays as it is.
                Tally::add(&tally.fresh, 1);
                let line = crate::shell::is_verbose()
                    .then(|| format!("{:<32} up to date", plan.slug.as_str()));
                progress.done(index, line);
                return None;
            }
            let text = plan.text.take();
            match build_one(plan, text, &context, plan.previous.as_deref(), &progress) {
                Ok(PostBuilt {
                    entry,
                    written,
                    unchanged,
                    failures,
                }) => {
                    Tally::add(&tally.built, 1);
                    // The new entry holds what the post keeps of its old one (not so for
                    // an entry another source had, which the new ones settle), so the old
                    // one becomes it, in the old one's memory: memory freed on one thread
                    // is not reused by another (glibc keeps each thread's in its own
                    // arena), and an entry was read on whichever thread parsed its piece of
                    // the manifest, so a `--force` build would otherwise grow by every
                    // entry it replaces.
                    let entry = match plan.previous.take() {
                        Some(mut old) if sources.same(&old.source, &plan.key) => {
                            old.replace_with(entry);
                            old
                        }
                        old => {
                            plan.previous = old;
                            Box::new(entry)
                        }
                    };
                    Tally::add(&tally.written, written);
                    Tally::add(&tally.unchanged, unchanged);
                    tally.failed.add(failures);
                    let files = written + unchanged;
                    // A post rendered for some of the chosen outputs only says which.
                    let only = match build_inputs.some_of_the_chosen(&plan.only) {
                        Some(files) => format!(" ({} only)", files.join(", ")),
                        None => String::new(),
                    };
                    let line = format!(
                        "{:<32} {} file{} → {}{only}",
                        plan.slug.as_str(),
                        files,
                        if files == 1 { "" } else { "s" },
                        opts.out.join(plan.slug.as_str()).display()
                    );
                    progress.done(index, Some(line).filter(|_| opts.post_lines));
                    Some((plan.slug, entry))
                }
                Err(err) => {
                    tally.failed.report(&progress, &err);
                    progress.done(index, None);
                    None
                }
            }
        })
        .collect();
    progress.finish();

    let built: Vec<(Name, Box<PostEntry>)> = entries.into_iter().flatten().collect();
    drop(ours);
    let nothing_built = built.is_empty();
    let mut manifest = previous;
    put_back(&mut manifest, &mut plans);
    let current = manifest.is_current();
    let restamped = restamp(&mut manifest, &plans);
    // Not needed from here, when the manifest takes this build's entries.
    drop(plans);
    settle(&mut manifest, built);
    let given: HashSet<&str> = keys.iter().map(Name::as_str).collect();
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
        failed: tally.failed.count(),
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

/// One output of a venue, named by the venue and the file it writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct OutputName {
    pub(super) venue: String,
    pub(super) file: String,
}

/// What a post's outputs depend on besides the post: what every venue shares, and each
/// output's own templates and settings. A post whose source, images and shared inputs are
/// unchanged is rendered again only for the outputs whose own changed.
#[derive(Debug)]
pub(super) struct BuildInputs {
    /// The hash of what every venue's outputs depend on: the tool's version, the `site:`
    /// keys and the folder a post's images must lie in (`PostEntry::build`).
    pub(super) shared: String,
    /// The chosen venues, in the session's order.
    chosen: Vec<String>,
    /// Every venue's outputs with their fingerprints (`Catalog::fingerprints`), chosen or
    /// not.
    pub(super) all: BTreeMap<Name, Files>,
    /// Venues whose templates failed this run: not gone, their files kept as they are.
    broken: Vec<String>,
    /// Whether a template failed this run: a venue's output missing may be that one.
    failed: bool,
}

impl BuildInputs {
    fn of(session: &crate::pipeline::Session, venues: &[&Venue]) -> BuildInputs {
        let config = &session.config;
        // The project's folder, where a configuration file puts it (else each post's own,
        // which its source names), as it is and not as typed: a build run from another
        // folder is the same build.
        let root = config.path().map(|_| {
            std::fs::canonicalize(config.root()).unwrap_or_else(|_| config.root().to_path_buf())
        });
        // `Debug` forms: the site's keys are sorted, its nested maps keep the file's order,
        // and the version is hashed with them.
        let shared = format!(
            "repurpose {}\n{:?}\n{root:?}\n",
            env!("CARGO_PKG_VERSION"),
            config.site,
        );
        let catalog = &session.catalog;
        let all = catalog
            .venues
            .iter()
            .map(|v| {
                let files = catalog
                    .fingerprints(v)
                    .iter()
                    .map(|(file, print)| (Name::new(file), Name::new(print)))
                    .collect();
                (Name::new(&v.name), files)
            })
            .collect();
        BuildInputs {
            shared: crate::manifest::hash(shared.as_bytes()),
            chosen: venues.iter().map(|v| v.name.clone()).collect(),
            all,
            broken: catalog.broken.clone(),
            failed: !catalog.errors.is_empty(),
        }
    }

    /// Whether the output of `venue` that writes `file`, recorded for a post, is still one:
    /// loaded, or possibly one whose template failed this run.
    pub(super) fn exists(&self, venue: &str, file: &str) -> bool {
        match self.all.get(venue) {
            Some(files) => self.failed || files.contains_key(file),
            None => self.broken.iter().any(|b| b == venue),
        }
    }

    /// Whether the output that writes `file`, recorded for a post, is still one (`exists`).
    pub(super) fn exists_file(&self, file: &str) -> bool {
        self.exists(crate::venue::venue_name(file), file)
    }

    /// The fingerprints of the outputs of `venue` among `outputs`.
    pub(super) fn prints<'o>(
        &self,
        venue: &str,
        outputs: impl IntoIterator<Item = &'o crate::venue::Output>,
    ) -> Files {
        let Some(files) = self.all.get(venue) else {
            return Files::new();
        };
        outputs
            .into_iter()
            .filter_map(|o| files.get_key_value(o.file.as_str()))
            .map(|(file, print)| (*file, *print))
            .collect()
    }

    /// The outputs of the chosen venues, each as its venue and file.
    fn chosen_outputs(&self) -> impl Iterator<Item = (&str, &Name, &Name)> {
        self.chosen.iter().flat_map(|venue| {
            self.all
                .get(venue.as_str())
                .into_iter()
                .flatten()
                .map(move |(file, print)| (venue.as_str(), file, print))
        })
    }

    /// The outputs of `entry` to render again: the chosen ones whose fingerprint is not the
    /// one recorded (a template or setting changed since they were built, or the output is
    /// new), and any whose file it lists that no longer exists (so the file is found
    /// stale). Empty when it is up to date.
    pub(super) fn changed(&self, entry: &PostEntry) -> Vec<OutputName> {
        let mut changed: Vec<OutputName> = self
            .chosen_outputs()
            .filter(|(_, file, print)| entry.fingerprints.get(file) != Some(print.as_str()))
            .map(|(venue, file, _)| OutputName {
                venue: venue.to_string(),
                file: file.to_string(),
            })
            .collect();
        for recorded in entry.files.iter() {
            let file = recorded.path.file_name();
            if recorded.venue != crate::media::VENUE
                && !self.exists(&recorded.venue, file)
                && !changed
                    .iter()
                    .any(|c| recorded.venue == c.venue && c.file == file)
            {
                changed.push(OutputName {
                    venue: recorded.venue.to_string(),
                    file: file.to_string(),
                });
            }
        }
        changed
    }

    /// The files of `only` that are outputs of the chosen venues, when they are not all of
    /// them: what a post line says was rendered alone.
    fn some_of_the_chosen<'p>(&self, only: &'p [OutputName]) -> Option<Vec<&'p str>> {
        let files: Vec<&str> = only
            .iter()
            .filter(|o| {
                self.chosen.contains(&o.venue)
                    && self
                        .all
                        .get(o.venue.as_str())
                        .is_some_and(|files| files.contains_key(o.file.as_str()))
            })
            .map(|o| o.file.as_str())
            .collect();
        (!files.is_empty() && files.len() < self.chosen_outputs().count()).then_some(files)
    }
}
