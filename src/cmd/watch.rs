//! `repurpose watch`: build, then rebuild whenever a post, a template or the configuration
//! changes, until Ctrl-C.
//!
//! Each rebuild resolves the options again (the configuration may have changed where the
//! templates or outputs live) and runs the ordinary incremental build, which renders only
//! the posts whose inputs changed. Events under the output folder are ignored, so the
//! build's own writes never trigger another build.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use anyhow::{Context as _, Result};
use notify_debouncer_full::notify::event::{EventKind, ModifyKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};

use crate::cli::BuildArgs;
use crate::pipeline::{self, BuildOptions};
use crate::shell::{self, report};
use crate::status::{Status, Usage};

/// How long the files must be quiet before a rebuild: an editor's save (write, rename,
/// chmod) arrives as one batch.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// What the main loop waits for.
#[derive(Debug)]
enum Message {
    /// Paths that changed, after debouncing.
    Changed(Vec<PathBuf>),
    /// The watcher could not follow some changes.
    Trouble(String),
    /// Ctrl-C (or SIGTERM): stop after the build in progress.
    Stop,
}

/// Watches and rebuilds until stopped; a broken edit is reported and waited out.
pub fn run(args: &BuildArgs) -> Result<Status> {
    let (tx, rx) = mpsc::channel();
    stop_on_signal(tx.clone())?;
    let events = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let message = match result {
            Ok(events) => Message::Changed(
                events
                    .into_iter()
                    .filter(|e| changes_content(&e.kind))
                    .flat_map(|e| e.event.paths)
                    .collect(),
            ),
            Err(errors) => Message::Trouble(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        };
        // The receiver is gone only when watching has stopped.
        let _ = events.send(message);
    })
    .context("failed to start watching for changes")?;

    let cwd = std::env::current_dir()
        .and_then(|d| d.canonicalize())
        .context("failed to read the current folder")?;
    let mut scope = Scope::new(args, None, None, &cwd);
    let mut roots = Roots::default();
    // Watch before the first build, so an edit made while it runs is not missed.
    roots.update(&mut debouncer, &scope);
    match rebuild(args, &mut scope, &cwd, true, true) {
        Ok(summary) => shell::status(&summary),
        // A usage error (an unknown `--venue`) will not go away by editing files.
        Err(err) if err.is::<Usage>() => return Err(err),
        Err(err) => {
            report(&err);
            shell::status("not built; fix the problem above and save");
        }
    }
    roots.update(&mut debouncer, &scope);
    if roots.watched.is_empty() {
        anyhow::bail!("nothing to watch: none of the inputs exists");
    }
    shell::status(format_args!(
        "watching {} for changes (Ctrl-C stops)",
        scope.describe(&cwd)
    ));

    while let Some(changed) = next_changes(&rx) {
        let changed = scope.relevant(changed);
        if changed.is_empty() {
            continue;
        }
        let what = describe_changes(&changed, &cwd);
        let config_changed = changed.contains(&scope.config);
        match rebuild(args, &mut scope, &cwd, false, config_changed) {
            Ok(summary) => shell::status(format_args!("{what} → {summary}")),
            Err(err) => {
                report(&err);
                shell::status(format_args!(
                    "{what} → not built; fix the problem above and save"
                ));
            }
        }
        roots.update(&mut debouncer, &scope);
    }
    shell::status("stopped watching");
    Ok(Status::Success)
}

/// Resolves the options afresh (the configuration may have changed) and builds, one line
/// for the whole build instead of one per post; the scope follows the new options.
/// `--force` applies to the first build: later ones render what changed. The
/// configuration's warnings are printed when `warn` (the first build, the file changed),
/// not again on every save of a post.
fn rebuild(
    args: &BuildArgs,
    scope: &mut Scope,
    cwd: &Path,
    first: bool,
    warn: bool,
) -> Result<pipeline::Summary> {
    let opts = super::build_options(args)?;
    if warn {
        opts.config.warn();
    }
    *scope = Scope::new(args, Some(&opts), Some(scope), cwd);
    pipeline::build(&BuildOptions {
        post_lines: false,
        force: opts.force && first,
        ..opts
    })
}

/// Waits for changes, gathering every batch already queued (changes made during a build
/// make one rebuild); `None` once asked to stop.
fn next_changes(rx: &Receiver<Message>) -> Option<Vec<PathBuf>> {
    let mut changed = Vec::new();
    let mut message = rx.recv().ok()?;
    loop {
        match message {
            Message::Stop => return None,
            Message::Changed(paths) => changed.extend(paths),
            Message::Trouble(text) => shell::warning(format_args!("while watching: {text}")),
        }
        match rx.try_recv() {
            Ok(next) => message = next,
            Err(_) if changed.is_empty() => message = rx.recv().ok()?,
            Err(_) => return Some(changed),
        }
    }
}

/// Whether an event can change what a build reads: reading a file (which the build does)
/// or touching its metadata does not.
fn changes_content(kind: &EventKind) -> bool {
    !matches!(
        kind,
        EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(_))
    )
}

/// Ctrl-C (and SIGTERM, SIGHUP) ask the loop to stop after the build in progress; a second
/// one stops at once.
fn stop_on_signal(tx: Sender<Message>) -> Result<()> {
    let asked = Arc::new(AtomicBool::new(false));
    ctrlc::set_handler(move || {
        if asked.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        let _ = tx.send(Message::Stop);
    })
    .context("failed to set up Ctrl-C handling")
}

/// What this run reads, as absolute paths: changes elsewhere are ignored.
#[derive(Debug, Clone)]
struct Scope {
    /// Input files and folders as given, with their absolute form.
    inputs: Vec<(PathBuf, PathBuf)>,
    /// The configuration file, or where `repurpose.yaml` would be.
    config: PathBuf,
    /// The templates folder, or where `templates/` would be found.
    templates: Option<PathBuf>,
    /// The output folder, resolved and as written (it may be a symbolic link): nothing
    /// under it is ever a reason to rebuild.
    out: Vec<PathBuf>,
}

impl Scope {
    /// The scope of a run with `opts` (when they could be resolved), else what the command
    /// line and the previous scope say.
    fn new(
        args: &BuildArgs,
        opts: Option<&BuildOptions>,
        previous: Option<&Scope>,
        cwd: &Path,
    ) -> Scope {
        // The file found may be above the inputs; while it does not load, the one before.
        let config = match (opts.and_then(|o| o.config.path()), previous) {
            (Some(file), _) => absolute(file, cwd),
            (None, Some(previous)) if args.sources.config.is_none() => previous.config.clone(),
            (None, _) => absolute(
                args.sources
                    .config
                    .as_deref()
                    .unwrap_or(Path::new(crate::config::DEFAULT_FILE)),
                cwd,
            ),
        };
        let templates = match (opts, &args.sources.templates, previous) {
            (Some(opts), _, _) => Some(
                opts.templates
                    .clone()
                    .unwrap_or_else(|| opts.config.root().join("templates")),
            ),
            (None, Some(dir), _) => Some(dir.clone()),
            (None, None, Some(previous)) => previous.templates.clone(),
            (None, None, None) => Some(PathBuf::from("templates")),
        };
        let out = match (opts, &args.out, previous) {
            (Some(opts), _, _) => vec![absolute(&opts.out, cwd), cwd.join(&opts.out)],
            (None, Some(out), _) => vec![absolute(out, cwd), cwd.join(out)],
            (None, None, Some(previous)) => previous.out.clone(),
            (None, None, None) => vec![cwd.join("out")],
        };
        Scope {
            inputs: args
                .inputs
                .iter()
                .map(|i| (i.clone(), absolute(i, cwd)))
                .collect(),
            config,
            templates: templates.map(|t| absolute(&t, cwd)),
            out,
        }
    }

    /// The folders to watch: input folders recursively; the folders holding input files,
    /// the configuration and the templates, each on its own.
    fn roots(&self) -> Vec<(PathBuf, RecursiveMode)> {
        let mut roots: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for (_, input) in &self.inputs {
            if input.is_dir() {
                roots.push((input.clone(), RecursiveMode::Recursive));
            } else if let Some(parent) = input.parent() {
                roots.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
            }
        }
        if let Some(parent) = self.config.parent() {
            roots.push((parent.to_path_buf(), RecursiveMode::NonRecursive));
        }
        if let Some(dir) = &self.templates {
            let watched = if dir.is_dir() {
                Some(&**dir)
            } else {
                dir.parent()
            };
            roots.extend(watched.map(|d| (d.to_path_buf(), RecursiveMode::NonRecursive)));
        }
        // A folder watched recursively covers everything under it; a folder watched both
        // ways is watched recursively.
        roots.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then((b.1 == RecursiveMode::Recursive).cmp(&(a.1 == RecursiveMode::Recursive)))
        });
        let mut kept: Vec<(PathBuf, RecursiveMode)> = Vec::new();
        for (path, mode) in roots {
            let covered = kept.iter().any(|(root, root_mode)| {
                root == &path || (*root_mode == RecursiveMode::Recursive && path.starts_with(root))
            });
            if !covered && path.is_dir() {
                kept.push((path, mode));
            }
        }
        kept
    }

    /// The changed paths a build reads, in order, each once.
    fn relevant(&self, paths: Vec<PathBuf>) -> Vec<PathBuf> {
        let mut seen = BTreeSet::new();
        paths
            .into_iter()
            .filter(|p| self.is_relevant(p))
            .filter(|p| seen.insert(p.clone()))
            .collect()
    }

    fn is_relevant(&self, path: &Path) -> bool {
        if self.out.iter().any(|out| path.starts_with(out)) {
            return false;
        }
        if path == self.config {
            return true;
        }
        if let Some(dir) = &self.templates
            && (path == dir || (path.parent() == Some(dir) && has_extension(path, &["tera"])))
        {
            return true;
        }
        self.inputs.iter().any(|(_, input)| {
            if path == input {
                return true;
            }
            let Ok(inside) = path.strip_prefix(input) else {
                return false;
            };
            // The build skips hidden files and folders: editors' swap and lock files.
            let hidden = inside
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'));
            // A folder moved in or out may hold posts.
            let folder = path.is_dir() || (!path.exists() && path.extension().is_none());
            // A post's images change its outputs too.
            !hidden
                && (folder
                    || crate::inputs::has_post_extension(path)
                    || crate::media::has_image_extension(path))
        })
    }

    /// What is watched, for the first line: the inputs, the templates folder and the
    /// configuration file that exist.
    fn describe(&self, cwd: &Path) -> String {
        let mut parts: Vec<String> = self
            .inputs
            .iter()
            .map(|(given, _)| given.display().to_string())
            .collect();
        if let Some(dir) = self.templates.as_ref().filter(|d| d.is_dir()) {
            parts.push(shown(dir, cwd));
        }
        if self.config.is_file() {
            parts.push(shown(&self.config, cwd));
        }
        parts.join(", ")
    }
}

/// The folders being watched, updated after each build (the configuration may move the
/// templates folder).
#[derive(Default)]
struct Roots {
    watched: Vec<(PathBuf, RecursiveMode)>,
    /// Folders that could not be watched, reported once.
    failed: BTreeSet<PathBuf>,
}

impl Roots {
    fn update(
        &mut self,
        debouncer: &mut Debouncer<RecommendedWatcher, RecommendedCache>,
        scope: &Scope,
    ) {
        let wanted = scope.roots();
        for (path, mode) in std::mem::take(&mut self.watched) {
            if wanted.contains(&(path.clone(), mode)) {
                self.watched.push((path, mode));
            } else {
                // A folder that was removed is no longer watched anyway.
                let _ = debouncer.unwatch(&path);
            }
        }
        for (path, mode) in wanted {
            if self.watched.contains(&(path.clone(), mode)) {
                continue;
            }
            match debouncer.watch(&path, mode) {
                Ok(()) => {
                    self.failed.remove(&path);
                    self.watched.push((path, mode));
                }
                Err(err) => {
                    if self.failed.insert(path.clone()) {
                        report(
                            &anyhow::Error::new(err)
                                .context(format!("cannot watch `{}`", path.display())),
                        );
                    }
                }
            }
        }
    }
}

impl std::fmt::Debug for Roots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.watched.iter().map(|(p, _)| p))
            .finish()
    }
}

/// `changed a.md, b.md; removed c.md`, shortened past a few paths.
fn describe_changes(paths: &[PathBuf], cwd: &Path) -> String {
    let (present, gone): (Vec<&PathBuf>, Vec<&PathBuf>) = paths.iter().partition(|p| p.exists());
    let list = |paths: &[&PathBuf]| {
        const SHOWN: usize = 3;
        let mut names: Vec<String> = paths.iter().take(SHOWN).map(|p| shown(p, cwd)).collect();
        if paths.len() > SHOWN {
            names.push(format!("and {} more", paths.len() - SHOWN));
        }
        names.join(", ")
    };
    let mut parts = Vec::new();
    if !present.is_empty() {
        parts.push(format!("changed {}", list(&present)));
    }
    if !gone.is_empty() {
        parts.push(format!("removed {}", list(&gone)));
    }
    parts.join("; ")
}

/// A path as the user would type it: relative to the current folder when under it.
fn shown(path: &Path, cwd: &Path) -> String {
    path.strip_prefix(cwd).unwrap_or(path).display().to_string()
}

/// An absolute path without symbolic links where it exists (the watcher reports events
/// under the folders it was given, resolved).
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    if let Ok(real) = path.canonicalize() {
        return real;
    }
    let joined = cwd.join(path);
    match (joined.parent().map(Path::canonicalize), joined.file_name()) {
        (Some(Ok(parent)), Some(name)) => parent.join(name),
        _ => joined,
    }
}

fn has_extension(path: &Path, extensions: &[&str]) -> bool {
    path.extension()
        .is_some_and(|ext| extensions.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(root: &Path) -> Scope {
        Scope {
            inputs: vec![(PathBuf::from("."), root.to_path_buf())],
            config: root.join("repurpose.yaml"),
            templates: Some(root.join("templates")),
            out: vec![root.join("out")],
        }
    }

    #[test]
    fn outputs_and_hidden_files_never_trigger_a_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let s = scope(root);
        let relevant = s.relevant(vec![
            root.join("out/post/article.md"),
            root.join("out/manifest.json"),
            root.join("posts/.post.md.swp"),
            root.join(".git/x.md"),
            root.join("posts/notes.txt"),
            root.join("posts/img/chart.PNG"),
            root.join("templates/forum.bbcode.tera"),
            root.join("repurpose.yaml"),
            root.join("posts/a.md"),
            root.join("posts/a.md"),
            root.join("posts/B.Markdown"),
        ]);
        let names: Vec<String> = relevant.iter().map(|p| shown(p, root)).collect();
        assert_eq!(
            names,
            [
                "posts/img/chart.PNG",
                "templates/forum.bbcode.tera",
                "repurpose.yaml",
                "posts/a.md",
                "posts/B.Markdown"
            ]
        );
    }

    #[test]
    fn recursive_roots_cover_the_folders_under_them() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("templates")).unwrap();
        let roots = scope(&root).roots();
        assert_eq!(roots, [(root.clone(), RecursiveMode::Recursive)]);
    }

    #[test]
    fn reading_a_file_is_not_a_change() {
        use notify_debouncer_full::notify::event::{
            AccessKind, CreateKind, DataChange, MetadataKind,
        };
        assert!(!changes_content(&EventKind::Access(AccessKind::Any)));
        assert!(!changes_content(&EventKind::Modify(ModifyKind::Metadata(
            MetadataKind::Any
        ))));
        assert!(changes_content(&EventKind::Modify(ModifyKind::Data(
            DataChange::Any
        ))));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
    }

    #[test]
    fn changes_are_listed_briefly() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.md"), "x").unwrap();
        let paths = vec![root.join("a.md"), root.join("gone.md")];
        assert_eq!(
            describe_changes(&paths, root),
            "changed a.md; removed gone.md"
        );
        let many: Vec<PathBuf> = (0..5).map(|i| root.join(format!("{i}.md"))).collect();
        assert_eq!(
            describe_changes(&many, root),
            "removed 0.md, 1.md, 2.md, and 2 more"
        );
    }
}
