//! `repurpose preview`: one post's venues side by side in `<out>/<slug>/index.html`.
//!
//! The venues are rendered in memory by the same code as `build` (`Session::run_post`);
//! only the page is written. It is not a venue output, so it is not in the manifest, and
//! `build` neither reports it as stale nor removes it.

pub mod bbcode;
pub mod frame;
pub mod page;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use crate::config::Config;
use crate::output;
use crate::pipeline::report::{self as reporting, Sink, Stderr};
use crate::pipeline::{Session, SessionOptions};
use crate::shell;
use crate::status::Status;

/// The page's file name in the post's output folder.
pub const FILE: &str = "index.html";

/// What `preview` was asked to do.
#[derive(Debug, Clone)]
pub struct PreviewOptions {
    /// The post file.
    pub post: PathBuf,
    /// The output folder.
    pub out: PathBuf,
    /// The templates folder, when there is one.
    pub templates: Option<PathBuf>,
    /// Only these venues; when empty, the configuration's `default_venues`, else all.
    pub venues: Vec<String>,
    /// The configuration, read from its file or the defaults.
    pub config: Config,
    /// Open the page in the desktop browser.
    pub open: bool,
}

/// Renders the post's venues and writes the page; prints its path on stdout.
pub fn run(opts: &PreviewOptions) -> Result<Status> {
    let started = Instant::now();
    opts.config.warn();
    let session = Session::open(SessionOptions {
        config: opts.config.clone(),
        templates: opts.templates.clone(),
        venues: opts.venues.clone(),
        render_findings: true,
    })
    .map_err(reporting::unopened)?;
    // The page would take the place of that venue's file, and `build` would not notice.
    if let Some(venue) = session
        .catalog
        .venues
        .iter()
        .find(|v| v.outputs.iter().any(|o| o.file == FILE))
    {
        anyhow::bail!(
            "venue `{}` writes `{FILE}`, where the preview page goes; rename its template to preview this post",
            venue.name
        );
    }
    if opts.post.is_dir() {
        anyhow::bail!(
            "`{}` is a folder; `preview` shows one post: give the post's file",
            opts.post.display()
        );
    }
    let mut problems = Vec::new();
    for err in session.problems() {
        Stderr.error(err);
        problems.push(format!("{err:#}"));
    }
    let run = session.run_post(&opts.post)?;
    let post = &run.post;
    reporting::findings(&Stderr, &post.source, run.read_findings());
    for err in &run.failures {
        Stderr.error(err);
        problems.push(format!("{err:#}"));
    }
    let skipped: Vec<String> = session
        .venues()
        .iter()
        .filter(|v| !run.wants(&v.name))
        .map(|v| v.name.clone())
        .collect();
    // `repurpose check`'s findings: the post's own at the top, each venue's in its panel.
    let findings = |venue: Option<&str>| -> Vec<String> {
        run.render_findings()
            .iter()
            .filter(|d| d.venue.as_deref() == venue)
            .map(|d| d.line_for(&post.source))
            .collect()
    };
    let by_venue: Vec<Vec<String>> = run.wanted.iter().map(|v| findings(Some(&v.name))).collect();
    let panels: Vec<page::VenuePanel<'_>> = run
        .wanted
        .iter()
        .zip(&by_venue)
        .map(|(venue, warnings)| page::VenuePanel {
            venue,
            outputs: run
                .outputs
                .iter()
                .filter(|o| o.venue == venue.name)
                .collect(),
            warnings,
        })
        .collect();
    let notes = page::Notes {
        skipped,
        problems,
        warnings: run
            .read_findings()
            .iter()
            .map(|d| d.line_for(&post.source))
            .chain(findings(None))
            .collect(),
    };
    let html = page::render(post, &session.config.site, &panels, &notes)?;

    let path = write_page(&opts.out, &post.slug, html.as_bytes())?;
    shell::stdout(format!("{}\n", path.display()).as_bytes())?;
    shell::status(format!(
        "preview of {} venue{} ({} file{}) written in {:.2}s{}",
        panels.len(),
        if panels.len() == 1 { "" } else { "s" },
        run.outputs.len(),
        if run.outputs.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64(),
        match notes.problems.len() {
            0 => String::new(),
            1 => "; 1 problem reported above".to_string(),
            n => format!("; {n} problems reported above"),
        }
    ));
    if opts.open {
        open(&path);
    }
    Ok(if notes.problems.is_empty() {
        Status::Success
    } else {
        Status::Failure
    })
}

/// Writes the page atomically into `<out>/<slug>/`, never through a symbolic link.
fn write_page(out: &Path, slug: &str, bytes: &[u8]) -> Result<PathBuf> {
    // A build writing into `<out>` at the same time would remove our temporary file.
    let _lock = output::lock(out)?;
    let dir = output::post_folder(out, slug)?;
    crate::error::create_dir_all(&dir)?;
    let path = output::inside(out, &format!("{slug}/{FILE}"))?;
    refuse_foreign(&path)?;
    output::write_atomic(&path, bytes)?;
    Ok(path)
}

/// Refuses to replace an `index.html` that is not an earlier preview page: `-o` may point
/// at a real site, whose page for that slug is the writer's own.
fn refuse_foreign(path: &Path) -> Result<()> {
    use std::io::Read;
    let Some(meta) = output::existing(path)? else {
        return Ok(());
    };
    // The marker is in the page's head; the rest of a large file needs no reading.
    let mut head = Vec::new();
    if meta.is_file() {
        std::fs::File::open(path)
            .and_then(|file| file.take(page::MARKER_WITHIN).read_to_end(&mut head))
            .map_err(|e| anyhow::anyhow!("failed to read `{}`: {e}", path.display()))?;
    }
    if !page::is_preview(&head) {
        anyhow::bail!(
            "refusing to replace `{}`: it is not a page `preview` wrote; \
             move it away or preview into another folder with `-o`",
            path.display()
        );
    }
    Ok(())
}

/// Opens the page in the desktop browser, or says why not; never an error.
fn open(path: &Path) {
    if let Some(why) = no_browser() {
        shell::status(format!(
            "not opened: {why}; open {} in a browser",
            path.display()
        ));
        return;
    }
    // The browser wants an absolute path; a relative one would be resolved against its own
    // working folder.
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match opener::open_browser(&absolute) {
        Ok(()) => shell::status(format!("opened {} in the browser", path.display())),
        Err(err) => shell::status(format!(
            "not opened: no browser could be started ({err}); open {} in a browser",
            path.display()
        )),
    }
}

/// Why no desktop browser can be opened here, when that is known beforehand: on Linux and
/// the BSDs, a session without a display (an SSH login, a container) and no `$BROWSER`.
/// `xdg-open` would otherwise fall back to a text browser inside this terminal.
fn no_browser() -> Option<&'static str> {
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        return None;
    }
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let graphical = ["DISPLAY", "WAYLAND_DISPLAY", "BROWSER", "WSL_DISTRO_NAME"]
        .iter()
        .any(|name| set(name));
    (!graphical)
        .then_some("no desktop browser here (neither DISPLAY, WAYLAND_DISPLAY nor BROWSER is set)")
}
