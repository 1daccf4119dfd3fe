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

/// Removes temporary files a killed build left in `dir`; only ours, by their name.
pub fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(TEMP_PREFIX)
            && name.ends_with(TEMP_SUFFIX)
            && entry.file_type().is_ok_and(|t| t.is_file())
        {
            // Best effort: a leftover temporary file is harmless, only untidy.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a rename, so
/// the file is always either its old complete content or the new one. Skips the write
/// when the file already holds these bytes. Refuses to write through a symlink.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<Written> {
    let existing = existing(path)?;
    if let Some(meta) = &existing
        && meta.len() == bytes.len() as u64
        && std::fs::read(path).is_ok_and(|old| old == bytes)
    {
        return Ok(Written::Unchanged);
    }
    replace(path, existing.as_ref(), |file| file.write_all(bytes))?;
    Ok(Written::Changed)
}

/// Like `write_atomic`, for a file in a folder just created, so nothing is there to compare
/// with or to keep the mode of: the same temporary file and rename, without looking first.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    replace(path, None, |file| file.write_all(bytes))
}

/// Like `write_atomic`, for content written as it is made (the manifest of a large
/// archive), so it never has to sit in memory whole; always writes.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    let existing = existing(path)?;
    replace(path, existing.as_ref(), |file| {
        let mut buffered = std::io::BufWriter::new(file);
        write(&mut buffered)?;
        buffered.flush()
    })
}

/// What is at `path` now, if anything; a symbolic link is refused.
fn existing(path: &Path) -> Result<Option<std::fs::Metadata>> {
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

/// Writes a temporary file beside `path` with `write`, then renames it over `path`.
fn replace(
    path: &Path,
    existing: Option<&std::fs::Metadata>,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
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
    // outputs, being derived, do not need (a rebuild recreates them).
    if let (Some(_), Some(permissions)) = (existing, permissions) {
        // The umask applied at creation; an existing file's mode is restored exactly.
        tmp.as_file()
            .set_permissions(permissions)
            .with_context(fail)?;
    }
    tmp.persist(path).map_err(|e| e.error).with_context(fail)?;
    Ok(())
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
}
