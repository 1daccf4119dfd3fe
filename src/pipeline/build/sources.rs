//! Post paths as the manifest records them, whichever folder a build runs from.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::manifest::{Manifest, Name};

/// Post paths as the manifest records them: relative to the output folder's parent (the
/// project, usually), so a post is the same record whichever folder a build runs from and
/// however its path was typed (`posts/a.md`, `./posts/a.md`, `blog/posts/a.md` from above).
#[derive(Debug)]
pub(super) struct SourceKeys {
    /// The output folder's parent, canonical.
    base: PathBuf,
}

impl SourceKeys {
    /// The keys for posts built into `out` (which exists: the lock made it).
    pub(super) fn new(out: &Path) -> Result<SourceKeys> {
        let out = out
            .canonicalize()
            .with_context(|| format!("failed to read `{}`", out.display()))?;
        let base = out.parent().map_or_else(|| out.clone(), Path::to_path_buf);
        Ok(SourceKeys { base })
    }

    /// The key of each post file, a shared name as the manifest's `source` is. Posts mostly
    /// share a few folders: each folder is made canonical once.
    pub(super) fn keys(&self, files: &[PathBuf]) -> Vec<Name> {
        let mut folders: HashMap<&Path, Option<PathBuf>> = HashMap::new();
        files
            .iter()
            .map(|file| {
                let folder = file.parent().filter(|p| !p.as_os_str().is_empty());
                let folder = folder.unwrap_or(Path::new("."));
                let canonical = folder_entry(&mut folders, folder);
                Name::new(&match (canonical, file.file_name()) {
                    (Some(dir), Some(name)) => relative(&dir.join(name), &self.base),
                    // Not resolvable (gone meanwhile): as given, which reading it will report.
                    _ => file.display().to_string(),
                })
            })
            .collect()
    }

    /// Whether two recorded sources are the same post: the same key, or (a manifest
    /// written before keys, holding the path as typed) the same file.
    pub(super) fn same(&self, a: &str, b: &str) -> bool {
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
    pub(super) fn rekey(&self, manifest: &mut Manifest) -> usize {
        let mut changed = 0;
        for entry in manifest.posts.values_mut() {
            // Under the base first: manifests just before `keyed` already held keys.
            let typed = Path::new(entry.source.as_str());
            let found = self
                .base
                .join(typed)
                .canonicalize()
                .or_else(|_| typed.canonicalize());
            if let Ok(path) = found {
                let key = relative(&path, &self.base);
                if entry.source != key {
                    entry.source = Name::new(&key);
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
    pub(super) fn exists(&self, key: &str) -> bool {
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
