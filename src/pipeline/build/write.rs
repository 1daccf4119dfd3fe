//! Writing one post's outputs: all or nothing, never over a file repurpose did not write.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;

use crate::manifest::{ContentHash, FileEntry, Name, OutPath, PostEntry};
use crate::output;
use crate::post::Post;
use crate::venue::Rendered;

use super::context::Building;

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
    let hashes = run.ours.hashes(relative, previous);
    if hashes.is_empty() {
        anyhow::bail!(
            "refusing to replace `{}`: repurpose did not write it (`{}` does not list it); move it away or build into another folder with `-o`",
            path.display(),
            manifest.display()
        );
    }
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
pub(super) struct PostWrite {
    /// An entry for each file in place: new, unchanged, or (after a failed rename) as the
    /// manifest had it.
    pub(super) files: Vec<FileEntry>,
    /// Files written because their content changed.
    pub(super) written: usize,
    /// Files that already held their content.
    pub(super) unchanged: usize,
    /// Why some files were not renamed into place, when that happened.
    pub(super) error: Option<anyhow::Error>,
}

/// Writes a post's outputs into `<out>/<slug>/`: every changed file to a temporary file
/// first, then all renamed into place, so a failure while writing (a full disk) leaves the
/// post's files all as they were. A file there that the manifest (`previous`, the entry
/// for this slug) does not list is not ours: nothing of the post is written then.
pub(super) fn write_post(
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
    // Sub-folders (the media folder) made or tidied already: tidied once, before anything
    // is staged there, so no file just staged is taken for a leftover.
    let mut ready: Vec<&str> = Vec::new();
    // The files the manifest lists for this post, as they were written (with `--force`,
    // each is read to be sure).
    let recorded: Vec<FileEntry> = previous
        .filter(|entry| !run.force && run.sources.same(&entry.source, key))
        .map_or_else(Vec::new, |entry| entry.files.to_vec());
    for rendered in outputs {
        let relative = format!("{}/{}", post.slug, rendered.file);
        let path = output::inside(out, &relative)?;
        if let Some((sub, _)) = rendered.file.rsplit_once('/')
            && !ready.contains(&sub)
        {
            // The media folder: made once, never a link out of `<out>`.
            let folder = output::post_folder(&dir, sub)?;
            if !folder.is_dir() {
                crate::error::create_dir_all(&folder)?;
            } else if !made {
                output::remove_stale_temporaries(&folder);
            }
            ready.push(sub);
        }
        let hash = ContentHash::of(&rendered.bytes);
        let existing = if made { None } else { output::existing(&path)? };
        // A file still as the manifest says it was written holds what it was written with:
        // these bytes when the hash is theirs, else other bytes (a template edit that kept
        // the length). Either way it is not read again to know (the plan trusts the same
        // size and time).
        let as_recorded = existing.as_ref().map(output::Stamp::of).and_then(|stamp| {
            recorded
                .iter()
                .find(|f| f.path == relative && f.matches(stamp))
        });
        let stamp = match &existing {
            Some(meta) if as_recorded.is_some_and(|f| f.hash == hash) => output::Stamp::of(meta),
            Some(meta)
                if as_recorded.is_none() && output::holds(&path, Some(meta), &rendered.bytes) =>
            {
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
        files.push(FileEntry {
            path: OutPath::new(&relative),
            venue: Name::new(&rendered.venue),
            bytes: rendered.bytes.len() as u64,
            hash,
            mtime: stamp.mtime,
        });
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
                file: files[i],
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
                    previous?.files.iter().find(|f| f.path == file.path)
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
