//! Which posts a build renders: each post's slug and inputs hash, found by reading as
//! little as it can, so up-to-date posts are never parsed and slug clashes are found before
//! anything is written.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context as _, Result};

use crate::manifest::{ContentHash, FileEntry, Manifest, Name, PostEntry};
use crate::output;
use crate::pipeline::report::{Sink, Stderr};
use crate::post::Post;

use super::sources::SourceKeys;
use super::{BuildInputs, OutputName};

/// A post file, once its slug and inputs hash are known. One a post (100,000 for as many
/// posts, all held until the manifest is settled), so it copies nothing it can borrow or
/// share: its path is the run's, its key the name the manifest's entry holds too, and its
/// slug the name its files' folder has in the manifest.
#[derive(Debug)]
pub(super) struct Planned<'a> {
    pub(super) source: &'a Path,
    /// The source as the manifest records it (`SourceKeys`).
    pub(super) key: Name,
    pub(super) slug: Name,
    pub(super) inputs: ContentHash,
    pub(super) size: u64,
    pub(super) mtime: u64,
    /// Its outputs are up to date: same inputs as in the manifest, files present, every
    /// chosen output's fingerprint the one recorded.
    pub(super) fresh: bool,
    /// When the post, its images and what all venues share are unchanged but some outputs'
    /// templates or settings changed: those outputs, the only ones rendered again (the
    /// others' files are kept as they are). Empty: every output of every chosen venue.
    /// A boxed list, as the text below is a boxed string: 8 bytes less each than a `Vec`
    /// and a `String` (one plan a post, all held at once).
    pub(super) only: Box<[OutputName]>,
    /// Up to date, but found so by its bytes or its images' bytes: a size or time changed
    /// (a `touch`, a checkout), and the manifest should record the new ones so the next
    /// build need not read them again.
    pub(super) restamp: bool,
    /// The post's text when it is to be built and `Held` kept it: read once, for its slug
    /// and inputs hash here, then parsed by the build from this copy.
    pub(super) text: Option<Box<str>>,
    /// The manifest's entry for its slug, when it is to be built: taken out of the manifest
    /// before the build, so that it goes as soon as the post's new entry is made, rather
    /// than both being held for every post until the last is built (a `--force` build of
    /// 100,000 posts would hold two of each entry's files).
    pub(super) previous: Option<Box<PostEntry>>,
}

/// The bytes of post text the plan keeps for the build, all posts together. Every post to
/// build is planned before any is built (slug clashes must be found before anything is
/// written), so a cold build of a large archive would hold every post at once — about
/// 45 MiB for 10,000 posts, against a 128 MiB target for 100,000 (docs/benchmarks.md). A
/// post beyond it is read again when it is built, from the page cache. At 8 MiB the held
/// texts were 6 MiB of the peak of a `--force` build of 100,000 posts, and the second reads
/// they spared over 2 MiB made no difference a cold build of 1,000 posts could measure.
const HELD_TEXT: usize = 2 << 20;

/// Post texts the plan kept for the build, counted against `HELD_TEXT`; shared by the
/// plan's workers.
#[derive(Debug, Default)]
pub(super) struct Held(AtomicUsize);

impl Held {
    /// `text`, when it fits in what is left of the budget.
    fn keep(&self, text: String) -> Option<Box<str>> {
        let before = self.0.fetch_add(text.len(), Ordering::Relaxed);
        (before.saturating_add(text.len()) <= HELD_TEXT).then(|| text.into_boxed_str())
    }
}

/// A post as the previous build's manifest records it, looked up by its source.
#[derive(Debug, Clone, Copy)]
pub(super) struct Recorded<'m> {
    /// The slug it was written under.
    pub(super) slug: Name,
    /// Its entry.
    pub(super) entry: &'m PostEntry,
}

/// Reads a post just enough to know its slug and whether its outputs are up to date: not
/// at all when its size and modification time are those recorded, else its bytes are hashed
/// and compared; only a post to build has its front matter parsed, for its slug, and keeps
/// its text for the build (as `held` allows). An unchanged post whose outputs' fingerprints
/// changed is planned for those outputs alone.
pub(super) fn plan<'a>(
    source: &'a Path,
    key: Name,
    build_inputs: &BuildInputs,
    by_source: &HashMap<&str, Recorded<'_>>,
    held: &Held,
    out: &Path,
    force: bool,
) -> Result<Planned<'a>> {
    let meta = std::fs::metadata(source)
        .with_context(|| format!("failed to read `{}`", source.display()))?;
    let (size, mtime) = (meta.len(), output::mtime_ns(&meta));
    // An image found the same by its bytes, not its size and time: its new ones are recorded.
    let mut media_read = false;
    let known = by_source
        .get(key.as_str())
        .filter(|Recorded { entry, .. }| {
            !force
                && entry.build == build_inputs.shared
                && entry.inputs.is_some()
                && outputs_intact(out, &entry.files.to_vec())
                && match media_state(source, &entry.media) {
                    Media::AsStamped => true,
                    Media::SameBytes => {
                        media_read = true;
                        true
                    }
                    Media::Changed => false,
                }
        });
    let planned = |slug: Name, inputs: ContentHash| Planned {
        source,
        key,
        slug,
        inputs,
        size,
        mtime,
        fresh: false,
        only: Box::default(),
        restamp: false,
        text: None,
        previous: None,
    };
    // The post as it was built: up to date, but for the outputs that changed since.
    let unchanged = |slug: Name, entry: &PostEntry, inputs: ContentHash| {
        let only = build_inputs.changed(entry).into_boxed_slice();
        Planned {
            fresh: only.is_empty(),
            only,
            ..planned(slug, inputs)
        }
    };
    if let Some(&Recorded { slug, entry }) = known
        && let Some(inputs) = entry.inputs
        && entry.source_size == size
        && entry.source_mtime == mtime
        && mtime != 0
    {
        return Ok(Planned {
            restamp: media_read,
            ..unchanged(slug, entry, inputs)
        });
    }
    let bytes = crate::error::read(source)?;
    let inputs = crate::manifest::inputs_hash(&build_inputs.shared, &bytes);
    if let Some(&Recorded { slug, entry }) = known
        && entry.inputs == Some(inputs)
    {
        let mut plan = Planned {
            restamp: true,
            ..unchanged(slug, entry, inputs)
        };
        if !plan.fresh {
            // Its bytes were UTF-8 when it was built; were they not now, the build reads
            // the file again and says so.
            plan.text = String::from_utf8(bytes)
                .ok()
                .and_then(|text| held.keep(text));
        }
        return Ok(plan);
    }
    let text = crate::error::utf8(source, bytes)?;
    let slug = Post::slug_of(source, &text)?;
    Ok(Planned {
        text: held.keep(text),
        ..planned(Name::new(&slug), inputs)
    })
}

/// Whether every file of a manifest entry is still in `<out>` as it was written: the size
/// and modification time recorded. A file edited by hand, or rewritten by a build that was
/// killed before it wrote the manifest, fails this and its post is built again. A post's
/// files share one folder, so it is listed once and each file's metadata read through the
/// listing; temporary files a killed build left there are removed on the way.
fn outputs_intact(out: &Path, files: &[FileEntry]) -> bool {
    fn split(f: &FileEntry) -> Option<(std::borrow::Cow<'_, str>, &str)> {
        f.path.split()
    }
    let intact = |f: &FileEntry| {
        output::inside(out, &f.path.to_string())
            .ok()
            .and_then(|path| std::fs::symlink_metadata(path).ok())
            .is_some_and(|m| m.is_file() && f.matches(output::Stamp::of(&m)))
    };
    let mut dirs: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for file in files {
        let Some((dir, _)) = split(file) else {
            return files.iter().all(intact);
        };
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    // A post's outputs and its media: two folders, each listed once.
    dirs.into_iter().all(|dir| {
        let here: Vec<&FileEntry> = files
            .iter()
            .filter(|f| split(f).is_some_and(|(d, _)| d == dir))
            .collect();
        folder_intact(out, &dir, here)
    })
}

/// `outputs_intact` for the files of one folder (`<slug>` or `<slug>/media`), read through
/// one listing of it.
fn folder_intact(out: &Path, dir: &str, mut missing: Vec<&FileEntry>) -> bool {
    fn name_of(f: &FileEntry) -> &str {
        f.path.file_name()
    }
    // A folder that is a link is never listed (nor cleaned): writing would refuse it.
    let Ok(folder) = output::inside(out, dir) else {
        return false;
    };
    if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
        return false;
    }
    let Ok(listing) = std::fs::read_dir(&folder) else {
        return false;
    };
    let mut leftovers = false;
    for entry in listing.flatten() {
        let name = entry.file_name();
        if let Some(at) = missing.iter().position(|f| name == name_of(f)) {
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

/// Whether a post's images are as recorded (`media_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    /// Every one has the size and time recorded: none was read.
    AsStamped,
    /// Some had another size or time but hold the bytes recorded (a `touch`, a checkout).
    SameBytes,
    /// One is gone or holds other bytes.
    Changed,
}

/// The folder a post's images are found from: its own.
fn post_folder(source: &Path) -> &Path {
    source
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether the files besides the source that a post's outputs were built from (its local
/// images) are unchanged: the size and time recorded, else the same bytes.
fn media_state(source: &Path, media: &[crate::manifest::Dependency]) -> Media {
    let folder = post_folder(source);
    let mut state = Media::AsStamped;
    for dep in media {
        let path = folder.join(&dep.path);
        let Ok(meta) = std::fs::metadata(&path) else {
            return Media::Changed;
        };
        if meta.len() == dep.bytes && output::mtime_ns(&meta) == dep.mtime && dep.mtime != 0 {
            continue;
        }
        if !holds(&path, dep) {
            return Media::Changed;
        }
        state = Media::SameBytes;
    }
    state
}

/// Whether the file at `path` holds the bytes `dep` recorded.
fn holds(path: &Path, dep: &crate::manifest::Dependency) -> bool {
    std::fs::read(path).is_ok_and(|bytes| crate::manifest::ContentHash::of(&bytes) == dep.hash)
}

/// Records the new size and time of posts, and of their images, found up to date by their
/// bytes. An image's stamp is taken before its bytes are read again and recorded only if
/// they still hash as recorded, so a stamp never vouches for bytes no build has seen.
pub(super) fn restamp(manifest: &mut Manifest, plans: &[Planned<'_>]) -> usize {
    let mut count = 0;
    for plan in plans.iter().filter(|p| p.fresh && p.restamp) {
        if let Some(entry) = manifest.posts.get_mut(plan.slug.as_str()) {
            entry.source_size = plan.size;
            entry.source_mtime = plan.mtime;
            let folder = post_folder(plan.source);
            for dep in &mut entry.media {
                let path = folder.join(&dep.path);
                let Ok(meta) = std::fs::metadata(&path) else {
                    continue;
                };
                let stamp = output::Stamp::of(&meta);
                if (stamp.len, stamp.mtime) != (dep.bytes, dep.mtime) && holds(&path, dep) {
                    dep.mtime = stamp.mtime;
                }
            }
            count += 1;
        }
    }
    count
}

/// Takes out of the manifest the entry of each post to build, into its plan.
pub(super) fn take_previous(manifest: &mut Manifest, plans: &mut [Planned<'_>]) {
    for plan in plans.iter_mut().filter(|p| !p.fresh) {
        plan.previous = manifest.posts.remove(plan.slug.as_str());
    }
}

/// Puts back into the manifest the entries plans still hold: those of posts that failed,
/// and of slugs another post had (settled with the new entries).
pub(super) fn put_back(manifest: &mut Manifest, plans: &mut [Planned<'_>]) {
    for plan in plans {
        if let Some(old) = plan.previous.take() {
            manifest.posts.insert(plan.slug, old);
        }
    }
}

/// Removes every post whose slug another post also has, reporting each clash once with
/// both files; returns the number of posts removed.
pub(super) fn drop_slug_clashes(plans: &mut Vec<Planned<'_>>) -> usize {
    // The plans in slug order (in their own order within a slug), so each clash is a run:
    // an index a post, where a map of every slug would be ~12 MB for 100,000 posts.
    // Unstable, as the index makes every key distinct: a stable sort's buffer is another
    // 0.8 MB.
    let mut order: Vec<usize> = (0..plans.len()).collect();
    order.sort_unstable_by(|&a, &b| plans[a].slug.cmp(&plans[b].slug).then(a.cmp(&b)));
    let mut clashing: HashSet<usize> = HashSet::new();
    for run in order.chunk_by(|&a, &b| plans[a].slug == plans[b].slug) {
        if run.len() < 2 {
            continue;
        }
        let names: Vec<String> = run
            .iter()
            .map(|&i| format!("`{}`", plans[i].source.display()))
            .collect();
        Stderr.error(&anyhow::anyhow!(
            "{} would all write `{}/`; none of them was built — give each a distinct `slug:` in its front matter",
            names.join(" and "),
            plans[run[0]].slug
        ));
        clashing.extend(run);
    }
    let before = plans.len();
    let mut index = 0;
    plans.retain(|_| {
        index += 1;
        !clashing.contains(&(index - 1))
    });
    before - plans.len()
}

/// Removes every post that would write under a slug another post, not in this run, still
/// has in the manifest (`build posts/a.md` after giving it `slug: b`, while `posts/b.md`
/// is there): its files are that post's. Returns the number of posts removed.
pub(super) fn drop_taken_slugs(
    plans: &mut Vec<Planned<'_>>,
    previous: &Manifest,
    sources: &SourceKeys,
) -> usize {
    let owned_by_another = |plan: &Planned<'_>| {
        let owner = previous.posts.get(plan.slug.as_str())?;
        (!sources.same(&owner.source, &plan.key)).then_some(owner.source.as_str())
    };
    // Every post's source is gathered only when some slug has another owner: the set is
    // 2.2 MB for 100,000 posts, and was the no-op build's peak.
    let mut to_build = plans.iter().filter(|plan| !plan.fresh);
    if !to_build.any(|plan| owned_by_another(plan).is_some()) {
        return 0;
    }
    let in_run: HashSet<&str> = plans.iter().map(|p| p.key.as_str()).collect();
    let taken: Vec<(usize, String)> = plans
        .iter()
        .enumerate()
        .filter(|(_, plan)| !plan.fresh)
        .filter_map(|(i, plan)| {
            let owner = owned_by_another(plan)?;
            let other = !in_run.contains(owner) && sources.exists(owner);
            other.then(|| (i, owner.to_string()))
        })
        .collect();
    for (i, owner) in taken.iter().rev() {
        let plan = plans.remove(*i);
        Stderr.error(&anyhow::anyhow!(
            "`{}` would write `{}/`, which `{owner}` writes; it was not built — give each a distinct `slug:` in its front matter",
            plan.source.display(),
            plan.slug
        ));
    }
    taken.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_post_of_a_clashing_slug_is_dropped_and_the_others_kept_in_order() {
        let plan = |slug: &'static str, file: &'static str| Planned {
            source: Path::new(file),
            key: Name::new(file),
            slug: slug.into(),
            inputs: ContentHash([0; 32]),
            size: 0,
            mtime: 0,
            fresh: false,
            only: Box::default(),
            restamp: false,
            text: None,
            previous: None,
        };
        let mut plans = vec![
            plan("b", "1.md"),
            plan("a", "2.md"),
            plan("d", "3.md"),
            plan("b", "4.md"),
            plan("c", "5.md"),
            plan("a", "6.md"),
            plan("b", "7.md"),
        ];
        assert_eq!(drop_slug_clashes(&mut plans), 5);
        let kept: Vec<&str> = plans.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(kept, ["3.md", "5.md"]);
    }

    #[test]
    fn a_plan_copies_no_string_of_its_own() {
        // One a post, all held at once: its path is borrowed, its key and slug shared names
        // (168 bytes and four strings apart before, then 152 with `Vec` and `String`, then
        // 128 with the key borrowed).
        assert!(std::mem::size_of::<Planned<'_>>() <= 120);
        let a = Name::new("shared-slug");
        let b = Name::new(&String::from("shared-slug"));
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
    }

    #[test]
    fn the_plan_keeps_post_texts_up_to_its_budget_then_none() {
        let held = Held::default();
        let half = "a".repeat(HELD_TEXT / 2);
        assert!(held.keep(half.clone()).is_some());
        assert!(held.keep(half).is_some(), "exactly the budget is kept");
        assert!(held.keep("b".into()).is_none(), "nothing beyond it");
    }
}
