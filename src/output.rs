//! Writing outputs: inside `<out>` only, atomically, and only when the bytes changed.

use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, Result};

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// New or changed content was written.
    Changed,
    /// The file already held exactly these bytes; it was not touched.
    Unchanged,
}

/// `root/relative`, refusing any relative path that could leave `root`.
pub fn inside(root: &Path, relative: &str) -> Result<PathBuf> {
    let rel = Path::new(relative);
    let safe = !relative.is_empty()
        && !relative.contains('\0')
        && rel.components().all(|c| matches!(c, Component::Normal(_)));
    if !safe {
        anyhow::bail!(
            "refusing to write `{relative}`: output paths must stay inside `{}`",
            root.display()
        );
    }
    Ok(root.join(rel))
}

/// `<out>/<slug>`, a post's output folder, refusing one that is a symbolic link: outputs
/// never leave `out`.
pub fn post_folder(out: &Path, slug: &str) -> Result<PathBuf> {
    let dir = inside(out, slug)?;
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
    Ok(dir)
}

/// The mode a new output gets: what any new file gets (0666 less the umask).
#[cfg(unix)]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o666))
}

/// Elsewhere a temporary file's permissions are the ordinary ones already.
#[cfg(not(unix))]
fn new_file_permissions() -> Option<std::fs::Permissions> {
    None
}

/// Temporary files are named `.repurpose-<random>.tmp`.
const TEMP_PREFIX: &str = ".repurpose-";
/// See `TEMP_PREFIX`.
const TEMP_SUFFIX: &str = ".tmp";

/// Whether a file name is one of our temporary files' (`.repurpose-*.tmp`).
pub fn is_temporary(name: &std::ffi::OsStr) -> bool {
    let name = name.to_string_lossy();
    name.starts_with(TEMP_PREFIX) && name.ends_with(TEMP_SUFFIX)
}

/// Removes temporary files a killed build left in `dir`; only ours, by their name.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if is_temporary(&entry.file_name()) && entry.file_type().is_ok_and(|t| t.is_file()) {
            // Best effort: a leftover temporary file is harmless, only untidy.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// A file's size and modification time as a build left it. The manifest keeps one per
/// output, so the next build can tell with one `stat` whether the file is still what it
/// wrote: one edited by hand, or rewritten by a build that was killed before it could
/// record it, differs in one or the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stamp {
    /// Size in bytes.
    pub len: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime: u64,
}

impl Stamp {
    /// The stamp of a file's metadata.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            mtime: mtime_ns(meta),
        }
    }
}

/// A file's modification time in nanoseconds since the epoch (0 when unknown).
pub fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .and_then(|d| u64::try_from(d.as_nanos()).ok())
        .unwrap_or(0)
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// the file is always either its old complete content or the new one. Skips the write
/// when the file already holds these bytes. Refuses to write through a symlink.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Written> {
    let existing = existing(path)?;
    if holds(path, existing.as_ref(), bytes) {
        return Ok(Written::Unchanged);
    }
    let tmp = temporary(path, existing.as_ref(), |file| file.write_all(bytes))?;
    persist(tmp, path)?;
    Ok(Written::Changed)
}

/// Whether the file at `path` (whose metadata is `existing`) holds exactly `bytes`.
pub fn holds(path: &Path, existing: Option<&std::fs::Metadata>, bytes: &[u8]) -> bool {
    existing.is_some_and(|meta| {
        meta.len() == bytes.len() as u64 && std::fs::read(path).is_ok_and(|old| old == bytes)
    })
}

/// Like `write_atomic`, for content written as it is made (the manifest of a large
/// archive), so it never has to sit in memory whole; always writes.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let existing = existing(path)?;
    let tmp = temporary(path, existing.as_ref(), |file| {
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered)?;
        buffered.flush()
    })?;
    persist(tmp, path)
}

/// What is at `path` now, if anything; a symbolic link is refused.
pub fn existing(path: &Path) -> Result<Option<std::fs::Metadata>> {
    let existing = std::fs::symlink_metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| m.file_type().is_symlink())
    {
        anyhow::bail!(
            "refusing to write `{}`: it is a symbolic link",
            path.display()
        );
    }
    Ok(existing)
}

/// Several files written together: each to a temporary file beside its place first, then
/// all renamed into place. A failure while writing (a full disk, say) leaves every one of
/// them as it was; only a failing rename, which writes no data, can leave some new and
/// some old, and `commit` then says which were renamed.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<(PathBuf, tempfile::NamedTempFile)>,
}

/// A `Batch::commit` that stopped part-way.
#[derive(Debug)]
pub struct PartialCommit {
    /// How many files, in the order staged, are in place with their new content.
    pub renamed: usize,
    /// Why the next one is not.
    pub error: anyhow::Error,
}

impl Batch {
    /// Writes `bytes` to a temporary file beside `path` (whose metadata is `existing`, as
    /// `existing()` read it); returns the stamp the file will have once renamed.
    pub fn stage(
        &mut self,
        path: &Path,
        existing: Option<&std::fs::Metadata>,
        bytes: &[u8],
    ) -> Result<Stamp> {
        let tmp = temporary(path, existing, |file| file.write_all(bytes))?;
        // A rename keeps the modification time: this is the stamp the output will have.
        let meta = tmp
            .as_file()
            .metadata()
            .with_context(|| format!("failed to write `{}`", path.display()))?;
        self.staged.push((path.to_path_buf(), tmp));
        Ok(Stamp::of(&meta))
    }

    /// Renames every staged file into place, in the order staged.
    pub fn commit(self) -> std::result::Result<(), PartialCommit> {
        for (renamed, (path, tmp)) in self.staged.into_iter().enumerate() {
            if let Err(error) = persist(tmp, &path) {
                return Err(PartialCommit { renamed, error });
            }
        }
        Ok(())
    }
}

/// Writes a temporary file beside `path` with `write`; it is removed when dropped unless
/// `persist` renames it over `path`.
fn temporary(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let fail = || format!("failed to write `{}`", path.display());
    // A replaced file keeps its permissions; a new one gets what any new file gets (0666
    // less the umask), not the owner-only mode of a temporary file: outputs are published.
    let permissions = match existing {
        Some(meta) => Some(meta.permissions()),
        None => new_file_permissions(),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX).suffix(TEMP_SUFFIX);
    if let Some(permissions) = &permissions {
        builder.permissions(permissions.clone());
    }
    let mut tmp = builder.tempfile_in(dir).with_context(fail)?;
    write(tmp.as_file_mut()).with_context(fail)?;
    // No fsync: the rename alone makes the swap atomic for anything that kills the process
    // (Ctrl-C, SIGKILL, a crash), which is what a build must survive; forcing every file to
    // disk cost 3–5× the whole build time here, for a guarantee against power loss that the
    // outputs, being derived, do not need (a rebuild recreates them, and the next build
    // notices a file whose size or time is not the one recorded).
    if let (Some(_), Some(permissions)) = (existing, permissions) {
        // The umask applied at creation; an existing file's mode is restored exactly.
        tmp.as_file()
            .set_permissions(permissions)
            .with_context(fail)?;
    }
    Ok(tmp)
}

/// Renames a temporary file from `temporary` over `path`.
fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    tmp.persist(path)
        .map_err(|e| e.error)
        .with_context(|| format!("failed to write `{}`", path.display()))?;
    Ok(())
}

/// The lock file's name inside `<out>`.
const LOCK_FILE: &str = ".repurpose.lock";

/// Holds `<out>` for one run that writes into it; released when dropped (or when the
/// process dies, however it dies: the operating system drops the lock).
///
/// The lock file doubles as the run's journal: before a post's files are renamed into
/// place, what they will be is appended to it, and it is emptied once the manifest lists
/// them. A run killed in between leaves the journal behind, and the next run reads it
/// (`pending`) to know those files are ours although no manifest lists them yet.
#[derive(Debug)]
pub struct OutLock {
    file: std::sync::Mutex<std::fs::File>,
    path: PathBuf,
    pending: Vec<u8>,
    journaled: std::sync::atomic::AtomicBool,
}

impl OutLock {
    /// What a killed run had journaled: empty after a run that finished.
    pub fn pending(&self) -> &[u8] {
        &self.pending
    }

    /// Appends `text` to the journal (whole lines).
    pub fn journal(&self, text: &str) -> Result<()> {
        use std::sync::atomic::Ordering;
        let mut file = self
            .file
            .lock()
            .map_err(|_| anyhow::anyhow!("the journal in `{}` is poisoned", self.path.display()))?;
        file.write_all(text.as_bytes())
            .with_context(|| format!("failed to write `{}`", self.path.display()))?;
        self.journaled.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Empties the journal once the manifest records everything it held.
    pub fn clear(&self) -> Result<()> {
        use std::sync::atomic::Ordering;
        if self.pending.is_empty() && !self.journaled.load(Ordering::Relaxed) {
            return Ok(());
        }
        let file = self
            .file
            .lock()
            .map_err(|_| anyhow::anyhow!("the journal in `{}` is poisoned", self.path.display()))?;
        file.set_len(0)
            .with_context(|| format!("failed to write `{}`", self.path.display()))
    }
}

/// Takes the output folder for this run, creating it when needed. Another run holding it
/// (a second `build` or `watch` into the same folder) is waited for, with a message saying
/// so: two runs writing one folder at once would remove each other's temporary files and
/// each write a manifest missing the other's posts.
pub fn lock(out: &Path) -> Result<OutLock> {
    use std::io::Read;
    crate::error::create_dir_all(out)?;
    let path = out.join(LOCK_FILE);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("failed to open `{}`", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            crate::shell::status(format_args!(
                "waiting for another repurpose run writing into `{}` to finish…",
                out.display()
            ));
            file.lock()
                .with_context(|| format!("failed to lock `{}`", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(
                anyhow::Error::new(e).context(format!("failed to lock `{}`", path.display()))
            );
        }
    }
    let mut pending = Vec::new();
    file.read_to_end(&mut pending)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    if !pending.is_empty() && !pending.ends_with(b"\n") {
        // A line cut short by a kill: what this run journals starts on a line of its own.
        file.write_all(b"\n")
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    // Holding the folder, no other run is writing: a temporary file here is a leftover of
    // a run that was killed (at the manifest's rename, say).
    remove_stale_temporaries(out);
    Ok(OutLock {
        file: std::sync::Mutex::new(file),
        path,
        pending,
        journaled: std::sync::atomic::AtomicBool::new(false),
    })
}

/// Why `remove_if_ours` left a file in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// The file is not there any more.
    Missing,
    /// A folder on the way, or the file itself, is a symbolic link: removing through it
    /// could delete a file outside `<out>`.
    Link(PathBuf),
    /// Its content is not what was written (edited by hand since, or never ours).
    Changed,
    /// The path is not one an output can have.
    Outside,
}

/// Removes `<root>/<relative>` only when it is a regular file reached without following a
/// symbolic link and its bytes still hash to `hash` (what the manifest says was written).
pub fn remove_if_ours(
    root: &Path,
    relative: &str,
    hash: &crate::hash::ContentHash,
) -> Result<std::result::Result<PathBuf, Kept>> {
    let Ok(path) = inside(root, relative) else {
        return Ok(Err(Kept::Outside));
    };
    let mut walked = root.to_path_buf();
    for part in Path::new(relative).components() {
        walked.push(part);
        match std::fs::symlink_metadata(&walked) {
            Ok(meta) if meta.file_type().is_symlink() => return Ok(Err(Kept::Link(walked))),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Err(Kept::Missing)),
            Err(e) => {
                return Err(
                    anyhow::Error::new(e).context(format!("failed to read `{}`", walked.display()))
                );
            }
        }
    }
    if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
        return Ok(Err(Kept::Changed));
    }
    let bytes = crate::error::read(&path)?;
    if crate::hash::ContentHash::of(&bytes) != *hash {
        return Ok(Err(Kept::Changed));
    }
    std::fs::remove_file(&path)
        .with_context(|| format!("failed to remove `{}`", path.display()))?;
    Ok(Ok(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_root() {
        let root = Path::new("out");
        assert_eq!(inside(root, "a/b.txt").unwrap(), Path::new("out/a/b.txt"));
        for bad in ["", "../x", "a/../../x", "/etc/passwd", "a\0b"] {
            assert!(inside(root, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn unchanged_files_are_not_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.txt");
        assert_eq!(write_atomic(&path, b"one").unwrap(), Written::Changed);
        assert_eq!(write_atomic(&path, b"one").unwrap(), Written::Unchanged);
        assert_eq!(write_atomic(&path, b"two").unwrap(), Written::Changed);
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary files left behind");
    }

    #[cfg(unix)]
    #[test]
    fn outputs_get_ordinary_permissions_and_keep_existing_ones() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        write_atomic(&path, b"one").unwrap();
        let umask = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find_map(|l| l.strip_prefix("Umask:"))
                    .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
            })
            .unwrap_or(0o022);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask, "like any new file, not owner-only");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"two").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn stale_temporaries_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            ".repurpose-abc123.tmp",
            "keep.tmp",
            ".repurpose-notes.txt",
            "blog.html",
        ] {
            std::fs::write(dir.path().join(name), "x").unwrap();
        }
        remove_stale_temporaries(dir.path());
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(left, [".repurpose-notes.txt", "blog.html", "keep.tmp"]);
    }

    #[test]
    fn a_batch_that_fails_while_staging_leaves_every_file_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.txt");
        std::fs::write(&first, "old").unwrap();
        let mut batch = Batch::default();
        batch
            .stage(&first, existing(&first).unwrap().as_ref(), b"new")
            .unwrap();
        // The second file's folder does not exist: staging it fails like a full disk would.
        let second = dir.path().join("gone/second.txt");
        assert!(batch.stage(&second, None, b"new").is_err());
        drop(batch);
        assert_eq!(std::fs::read(&first).unwrap(), b"old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["first.txt"], "no temporary file left");
    }

    #[test]
    fn a_batch_commit_that_stops_says_how_many_files_are_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.txt"), dir.path().join("b.txt"));
        let mut batch = Batch::default();
        let stamp = batch.stage(&a, None, b"aaa").unwrap();
        batch.stage(&b, None, b"bb").unwrap();
        // The second temporary file vanishes before its rename.
        let (_, tmp) = &batch.staged[1];
        std::fs::remove_file(tmp.path()).unwrap();
        let partial = batch.commit().unwrap_err();
        assert_eq!(partial.renamed, 1);
        assert_eq!(std::fs::read(&a).unwrap(), b"aaa");
        assert!(!b.exists());
        let meta = std::fs::metadata(&a).unwrap();
        assert_eq!(Stamp::of(&meta), stamp, "the stamp staged is the file's");
    }

    #[test]
    fn remove_if_ours_removes_only_unchanged_files_reached_without_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("out");
        std::fs::create_dir_all(root.join("post")).unwrap();
        std::fs::write(root.join("post/a.txt"), "mine").unwrap();
        std::fs::write(root.join("post/b.txt"), "edited").unwrap();
        let hash = crate::hash::ContentHash::of(b"mine");
        assert_eq!(
            remove_if_ours(&root, "post/b.txt", &hash).unwrap(),
            Err(Kept::Changed)
        );
        assert_eq!(
            remove_if_ours(&root, "post/c.txt", &hash).unwrap(),
            Err(Kept::Missing)
        );
        assert_eq!(
            remove_if_ours(&root, "../x.txt", &hash).unwrap(),
            Err(Kept::Outside)
        );
        #[cfg(unix)]
        {
            std::fs::create_dir_all(dir.path().join("elsewhere")).unwrap();
            std::fs::write(dir.path().join("elsewhere/a.txt"), "mine").unwrap();
            std::os::unix::fs::symlink(dir.path().join("elsewhere"), root.join("link")).unwrap();
            assert_eq!(
                remove_if_ours(&root, "link/a.txt", &hash).unwrap(),
                Err(Kept::Link(root.join("link")))
            );
            assert!(dir.path().join("elsewhere/a.txt").exists());
        }
        assert_eq!(
            remove_if_ours(&root, "post/a.txt", &hash).unwrap(),
            Ok(root.join("post/a.txt"))
        );
        assert!(!root.join("post/a.txt").exists());
    }
}
