//! One post built: run through the session, its findings reported, its files written, and
//! its manifest entry made.

use anyhow::Result;

use crate::manifest::{Dependency, FileEntry, Files, PostEntry, Prints};
use crate::pipeline::report;
use crate::progress::Progress;
use crate::venue::Venue;

use super::context::Building;
use super::plan::Planned;
use super::write::write_post;

/// The post's text, read again for the build: an error when it is not what the plan found
/// (its slug was checked against the others' from that), as when it changed meanwhile.
fn reread(plan: &Planned<'_>, run: &Building<'_>) -> Result<Box<str>> {
    let bytes = crate::error::read(plan.source)?;
    if crate::manifest::inputs_hash(&run.build_inputs.shared, &bytes) != plan.inputs {
        anyhow::bail!(
            "{}: changed while this build ran (or was edited keeping its size and modification time); not built: build again, with --force if this repeats",
            plan.source.display()
        );
    }
    Ok(crate::error::utf8(plan.source, bytes)?.into_boxed_str())
}

/// A post built: its manifest entry and what happened to its files.
#[derive(Debug)]
pub(super) struct PostBuilt {
    pub(super) entry: PostEntry,
    /// Files written because their content changed.
    pub(super) written: usize,
    /// Files rendered with the content they already had.
    pub(super) unchanged: usize,
    /// Problems reported for it as they happened (failed outputs, files not written).
    pub(super) failures: usize,
}

/// Parses, renders and writes one post. `previous` is the manifest's entry for its slug.
pub(super) fn build_one(
    plan: &Planned<'_>,
    text: Option<Box<str>>,
    run: &Building<'_>,
    previous: Option<&PostEntry>,
    progress: &Progress,
) -> Result<PostBuilt> {
    // Every chosen venue, or those with an output whose templates or settings changed
    // (`Planned::only`), each with those outputs alone: none when the one that changed is
    // gone, so its file is found stale.
    let scoped: Vec<Venue>;
    let venues: Vec<&Venue> = if plan.only.is_empty() {
        run.session.venues()
    } else {
        scoped = run
            .session
            .venues()
            .into_iter()
            .filter(|v| plan.only.iter().any(|o| o.venue == v.name))
            .map(|v| Venue {
                name: v.name.clone(),
                outputs: v
                    .outputs
                    .iter()
                    .filter(|out| {
                        plan.only
                            .iter()
                            .any(|o| o.venue == v.name && o.file == out.file)
                    })
                    .cloned()
                    .collect(),
            })
            .collect();
        scoped.iter().collect()
    };
    // The plan read the post for its slug and hash: it is parsed from that copy, or, when
    // the plan could not keep one, from the file read again, which must still be what the
    // plan read (else its slug was never checked against the others').
    let text = match text {
        Some(text) => text,
        None => reread(plan, run)?,
    };
    let mut post_run = run.session.run_text_in(plan.source, &text, &venues)?;
    let post = &post_run.post;
    // What `check` would warn about, one line each (notes with -v), around the templates'
    // errors.
    report::findings(progress, &post.source, post_run.read_findings());
    for err in &post_run.failures {
        progress.error(err);
    }
    report::findings(progress, &post.source, post_run.render_findings());
    // The post's media beside its outputs: written, listed and kept the same way.
    let mut outputs = std::mem::take(&mut post_run.outputs);
    outputs.extend(
        post_run
            .post
            .media
            .outputs()
            .into_iter()
            .map(|(file, bytes)| crate::venue::Rendered {
                venue: crate::media::VENUE.to_string(),
                file,
                bytes: bytes.to_vec(),
                dropped_links: Vec::new(),
            }),
    );
    let write = write_post(post, &plan.key, &outputs, run, previous)
        .map_err(|err| err.context(format!("{}: not written", post.source.display())))?;
    let mut failed = post_run.failures.len();
    if let Some(err) = &write.error {
        progress.error(&anyhow::anyhow!(
            "{}: {} of its files written, the others not: {err:#}",
            post.source.display(),
            write.written
        ));
        failed += 1;
    }
    let media = post.media.dependencies();
    let prints = fingerprints(plan, run, previous, &venues, &media);
    let mut files = write.files;
    let mut stale = Vec::new();
    if let Some(old) = previous.filter(|old| run.sources.same(&old.source, &plan.key)) {
        let written = |f: &FileEntry| files.iter().any(|new| new.path == f.path);
        let (kept, dropped): (Vec<FileEntry>, Vec<FileEntry>) =
            old.files.iter().filter(|f| !written(f)).partition(|f| {
                run.scope
                    .keeps(&post_run, f, &venues, &prints, &run.build_inputs.all)
            });
        stale = old
            .stale
            .iter()
            .copied()
            .filter(|f| !written(f))
            .chain(dropped)
            .collect();
        files.extend(kept);
    }
    let entry = PostEntry {
        source: plan.key,
        title: post.title.as_str().into(),
        // A post with a failed output or file is rebuilt next time, whatever its inputs.
        inputs: (failed == 0).then_some(plan.inputs),
        build: run.build_inputs.shared.as_str().into(),
        fingerprints: prints,
        source_size: plan.size,
        source_mtime: plan.mtime,
        media: media.into_boxed_slice(),
        files: files.into(),
        stale: stale.into_boxed_slice(),
    };
    Ok(PostBuilt {
        entry,
        written: write.written,
        unchanged: write.unchanged,
        failures: failed,
    })
}

/// The output fingerprints the post's entry records: those of the outputs rendered now,
/// and, when the others' files were built from the post as it is now (only some outputs
/// were rendered, or `--force --venue` rendered the chosen ones of a post, images and site
/// all unchanged), the others' as recorded. After a post changed, only the outputs
/// rendered are listed: another venue's files, if any, were built from the post as it was,
/// and are rendered again when that venue is next chosen.
fn fingerprints(
    plan: &Planned<'_>,
    run: &Building<'_>,
    previous: Option<&PostEntry>,
    venues: &[&Venue],
    media: &[Dependency],
) -> Prints {
    let inputs = run.build_inputs;
    // `--force --venue newsletter` over an unchanged post left the other venues' files as
    // built from the same post: without their prints the next build rendered all six again
    // (1,000 posts: 1.1 s of CPU, 6,000 files found unchanged).
    let same_post = |old: &PostEntry| {
        old.inputs == Some(plan.inputs)
            && old.build == inputs.shared
            && *old.media == *media
            && run.sources.same(&old.source, &plan.key)
    };
    // Those of outputs that still exist: one gone has its file found stale, and is rendered
    // again should it come back.
    let mut prints: Files = match previous {
        Some(old) if !plan.only.is_empty() || same_post(old) => old
            .fingerprints
            .iter()
            .filter(|(file, _)| inputs.exists_file(file))
            .map(|(file, print)| (*file, *print))
            .collect(),
        _ => Files::new(),
    };
    for venue in venues {
        prints.extend(inputs.prints(&venue.name, &venue.outputs));
    }
    Prints::new(prints)
}
