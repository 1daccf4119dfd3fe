//! The manifest after a build: this build's entries put in, and the outputs earlier builds
//! wrote that no longer are, reported or (`--clean`) removed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::manifest::{FileEntry, Manifest, Name, OutPath, PostEntry};
use crate::output;
use crate::pipeline::report::{Sink, Stderr};

use super::sources::SourceKeys;

/// Puts this build's entries into the manifest. The entries they replace or leave are
/// taken out first, then their files handed over: a post now written under another slug
/// takes its old entry's files as its stale files, and a post taking a slug another
/// source had takes that entry's. (Taking them out first keeps a chain of moves, a → b
/// while b → c, or a swap, from removing an entry just put in.)
pub(super) fn settle(manifest: &mut Manifest, built: Vec<(Name, Box<PostEntry>)>) {
    if manifest.posts.is_empty() {
        // A first build displaces nothing; the map is made from the sorted entries in one
        // go, its nodes full (inserted one by one in order, they stay half empty).
        manifest.posts = built.into_iter().collect();
        return;
    }
    let slug_of: HashMap<&str, Name> = built
        .iter()
        .map(|(slug, entry)| (entry.source.as_str(), *slug))
        .collect();
    let mut displaced: Vec<(Name, Box<PostEntry>)> = Vec::new();
    for (slug, _) in &built {
        if let Some(old) = manifest.posts.remove(slug) {
            displaced.push((*slug, old));
        }
    }
    let moved: Vec<Name> = manifest
        .posts
        .iter()
        .filter(|(_, old)| slug_of.contains_key(old.source.as_str()))
        .map(|(slug, _)| *slug)
        .collect();
    for slug in moved {
        if let Some(old) = manifest.posts.remove(&slug) {
            displaced.push((slug, old));
        }
    }
    // Which entry takes each displaced one's files, known before `built` is moved in.
    let handed: Vec<(Name, Box<PostEntry>)> = displaced
        .into_iter()
        .filter_map(|(slug, old)| {
            let owner = match slug_of.get(old.source.as_str()) {
                // The same post at the same slug: `build_one` took what it keeps.
                Some(now) if *now == slug => return None,
                // The post moved: its old files are its stale ones.
                Some(now) => *now,
                // Another post took this slug (or this one, recorded as typed before keys).
                None => slug,
            };
            Some((owner, old))
        })
        .collect();
    manifest.posts.extend(built);
    for (owner, old) in handed {
        // Files the entry already lists (what `build_one` kept of the same post recorded
        // as typed before keys) are not taken twice.
        if let Some(entry) = manifest.posts.get_mut(&owner) {
            entry.take_stale(*old);
        }
    }
}

/// An output an earlier build wrote that is no longer built.
#[derive(Debug)]
pub(super) struct StaleFile {
    /// The manifest entry that lists it.
    slug: Name,
    /// The file, with what was written there.
    file: FileEntry,
}

/// Outputs earlier builds wrote that are no longer built, by slug: the files of a post
/// whose source is gone, and every entry's stale files (venues a post no longer wants,
/// files of a post now under another slug). A file a post still claims is never one.
pub(super) fn stale_outputs(
    manifest: &Manifest,
    given: &HashSet<&str>,
    sources: &SourceKeys,
) -> Vec<StaleFile> {
    // Whether each entry's post is gone, asked once (a post not given costs a `stat`).
    let gone: Vec<bool> = manifest
        .posts
        .values()
        .map(|entry| !given.contains(entry.source.as_str()) && !sources.exists(&entry.source))
        .collect();
    // Most builds have none: then the files claimed (every file of every post) are not
    // gathered.
    let candidates = manifest
        .posts
        .values()
        .zip(&gone)
        .any(|(entry, gone)| *gone || !entry.stale.is_empty());
    if !candidates {
        return Vec::new();
    }
    let claimed: HashSet<OutPath> = manifest
        .posts
        .values()
        .zip(&gone)
        .filter(|(_, gone)| !**gone)
        .flat_map(|(entry, _)| entry.files.iter().map(|f| f.path))
        .collect();
    let mut stale = Vec::new();
    for ((slug, entry), gone) in manifest.posts.iter().zip(&gone) {
        let files = if *gone {
            entry.files.to_vec()
        } else {
            Vec::new()
        };
        stale.extend(
            files
                .into_iter()
                .chain(entry.stale.iter().copied())
                .filter(|f| !claimed.contains(&f.path))
                .map(|file| StaleFile { slug: *slug, file }),
        );
    }
    stale
}

/// Reports stale outputs, or with `clean` removes them and drops them from the manifest.
/// Only a file whose bytes still hash to what the manifest says was written is removed,
/// and never through a symbolic link; any other is left in place with a warning, and no
/// longer listed (it is not ours any more). Folders are removed when that leaves them empty.
pub(super) fn report_stale(stale: &[StaleFile], manifest: &mut Manifest, out: &Path, clean: bool) {
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
                .filter_map(|stale| manifest.posts.get(&stale.slug))
                .map(|entry| format!("`{}`", entry.source))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", "),
            if stale.len() == 1 { "it" } else { "them" }
        ));
        return;
    }
    let mut forgotten: HashSet<(&str, &OutPath)> = HashSet::new();
    // Folders a file was removed from, each tidied once afterwards.
    let mut emptied: BTreeSet<PathBuf> = BTreeSet::new();
    for StaleFile { slug, file } in stale {
        let relative = file.path.to_string();
        let shown = out.join(&relative);
        match output::remove_if_ours(out, &relative, &file.hash) {
            Ok(Ok(path)) => {
                crate::shell::status(format_args!("removed {}", path.display()));
                // Its folder, and the post's folder around a media folder.
                for dir in path.ancestors().skip(1).take(2) {
                    if dir == out || !dir.starts_with(out) {
                        break;
                    }
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
                Stderr.error(&err);
                continue;
            }
        }
        forgotten.insert((slug.as_str(), &file.path));
    }
    // Deepest first: `<slug>/media` before `<slug>`.
    for dir in emptied.iter().rev() {
        // Temporary files a killed run left there go too (no other run is writing: we hold
        // the folder); then the folder, only when that leaves it empty: nothing else is
        // ever deleted.
        output::remove_stale_temporaries(dir);
        let _ = std::fs::remove_dir(dir);
    }
    for (slug, entry) in &mut manifest.posts {
        let keep = |f: &FileEntry| !forgotten.contains(&(slug.as_str(), &f.path));
        entry.files.retain(keep);
        retain(&mut entry.stale, keep);
    }
    manifest
        .posts
        .retain(|_, entry| !entry.files.is_empty() || !entry.stale.is_empty());
}

/// `list` without the files `keep` refuses; made again only when there is one.
fn retain(list: &mut Box<[FileEntry]>, keep: impl Fn(&FileEntry) -> bool) {
    if !list.iter().all(&keep) {
        *list = list.iter().filter(|f| keep(f)).copied().collect();
    }
}
