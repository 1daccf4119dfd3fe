//! Finding posts: files as given, folders walked for `*.md` / `*.markdown`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use walkdir::WalkDir;

/// Extensions of post files.
const EXTENSIONS: [&str; 2] = ["md", "markdown"];

/// Whether a path has a post's extension (`.md`, `.markdown`, any case).
pub fn has_post_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| EXTENSIONS.iter().any(|e| ext.eq_ignore_ascii_case(e)))
}

/// Every post file under `inputs`, in a stable order: each input in the order given,
/// folders sorted by file name, hidden folders and `skip` (the output folder) left out.
/// Problems with one input (a missing path, an unreadable folder) are returned beside the
/// files found, so the others are still built.
///
/// A file reached twice (two inputs that overlap, or a symbolic link to a post beside it)
/// is kept once. Canonical paths cost a system call per path component, so they are only
/// computed when a duplicate is possible: several inputs, or a link met while walking.
pub fn collect(inputs: &[PathBuf], skip: &Path) -> (Vec<PathBuf>, Vec<anyhow::Error>) {
    let skip = skip.canonicalize().ok();
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut links = false;
    for input in inputs {
        match walk(input, skip.as_deref(), &mut files, &mut links) {
            Ok(()) => {}
            Err(e) => errors.push(e),
        }
    }
    if inputs.len() > 1 || links {
        let mut seen = std::collections::HashSet::new();
        files.retain(|f: &PathBuf| seen.insert(f.canonicalize().unwrap_or_else(|_| f.clone())));
    }
    // Held for the whole build: grown by doubling, 100,000 paths' list has room for 131,072
    // (0.7 MB more).
    files.shrink_to_fit();
    (files, errors)
}

/// Adds the posts under `input` to `files`; sets `links` when a symbolic link was followed.
fn walk(
    input: &Path,
    skip: Option<&Path>,
    files: &mut Vec<PathBuf>,
    links: &mut bool,
) -> Result<()> {
    let meta = std::fs::metadata(input).map_err(|e| {
        if let Ok(target) = std::fs::read_link(input) {
            anyhow::anyhow!(
                "`{}` is a symbolic link to `{}`, which does not exist",
                input.display(),
                target.display()
            )
        } else if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!("`{}`: no such file or folder", input.display())
        } else {
            anyhow::Error::new(e).context(format!("failed to read `{}`", input.display()))
        }
    })?;
    if meta.is_file() {
        files.push(input.to_path_buf());
        return Ok(());
    }
    let mut errors = Vec::new();
    let walker = WalkDir::new(input)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            let hidden = e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.');
            // Only a folder can be the output folder; files are not canonicalised.
            let is_skip = e.file_type().is_dir()
                && skip.is_some_and(|s| e.path().canonicalize().is_ok_and(|p| p == s));
            !hidden && !is_skip
        });
    let mut found = 0;
    for entry in walker {
        match entry {
            Ok(entry) => {
                *links |= entry.path_is_symlink();
                let is_post = entry.file_type().is_file() && has_post_extension(entry.path());
                if is_post {
                    files.push(entry.into_path());
                    found += 1;
                }
            }
            Err(e) => errors.push(
                match e
                    .path()
                    .and_then(|p| Some((p, std::fs::read_link(p).ok()?)))
                {
                    Some((link, target)) => format!(
                        "`{}` is a symbolic link to `{}`, which does not exist",
                        link.display(),
                        target.display()
                    ),
                    None => e.to_string(),
                },
            ),
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("while reading `{}`: {}", input.display(), errors.join("; "));
    }
    if found == 0 {
        anyhow::bail!(
            "`{}`: no posts found (looked for *.md and *.markdown files)",
            input.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_folders_in_order_skipping_hidden_and_output() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "b.md",
            "a.markdown",
            "notes.txt",
            ".hidden/x.md",
            "out/y.md",
            "sub/c.md",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "x").unwrap();
        }
        let (files, errors) = collect(&[root.to_path_buf()], &root.join("out"));
        assert!(errors.is_empty());
        let names: Vec<String> = files
            .iter()
            .map(|f| f.strip_prefix(root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a.markdown", "b.md", "sub/c.md"]);
    }

    #[test]
    fn missing_inputs_are_reported_and_others_kept() {
        let dir = tempfile::tempdir().unwrap();
        let post = dir.path().join("p.md");
        std::fs::write(&post, "x").unwrap();
        let (files, errors) = collect(
            &[dir.path().join("nope.md"), post.clone()],
            Path::new("out"),
        );
        assert_eq!(files, [post]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("no such file or folder"));
    }

    #[test]
    fn a_post_reached_twice_is_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.md"), "x").unwrap();
        std::os::unix::fs::symlink("a.md", root.join("b.md")).unwrap();
        // A link to a post beside it: one of the two.
        let (files, errors) = collect(&[root.to_path_buf()], &root.join("out"));
        assert!(errors.is_empty());
        assert_eq!(files, [root.join("a.md")]);
        // Overlapping inputs: the folder and a file inside it.
        std::fs::remove_file(root.join("b.md")).unwrap();
        let (files, _) = collect(&[root.to_path_buf(), root.join("a.md")], &root.join("out"));
        assert_eq!(files, [root.join("a.md")]);
    }
}
