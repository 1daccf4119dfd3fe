//! Finding a post's local images: the image destinations that name a file beside the post,
//! each resolved inside the project, read and checked.

use std::path::{Component, Path, PathBuf};

use crate::markdown::{has_scheme, is_safe_url};

/// A local image as the post writes it: its destination, the line it is on, its alt text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub dest: String,
    pub line: usize,
    pub alt: String,
}

/// The file path a destination names, when it names a local file: a relative URL with no
/// scheme, not a site path (`/img/x.png`), not a fragment; its query and fragment dropped
/// and its percent-escapes decoded (`my%20chart.png`).
pub fn local_path(dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty()
        || dest.starts_with(['#', '/', '?', '\\'])
        || has_scheme(dest)
        || !is_safe_url(dest)
    {
        return None;
    }
    let end = dest.find(['?', '#']).unwrap_or(dest.len());
    let path = percent_encoding::percent_decode_str(&dest[..end])
        .decode_utf8()
        .ok()?;
    (!path.is_empty() && !path.contains('\0')).then(|| path.into_owned())
}

/// Why a local image cannot be used; each message reads after "image `dest` ".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refused {
    Missing(PathBuf),
    Unreadable(PathBuf, String),
    NotAFile(PathBuf),
    Outside {
        path: PathBuf,
        root: PathBuf,
    },
    LinkOutside {
        path: PathBuf,
        target: PathBuf,
        root: PathBuf,
    },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Missing(path) => write!(
                f,
                "not found: there is no file `{}`; images are looked for beside the post",
                path.display()
            ),
            Refused::Unreadable(path, why) => {
                write!(f, "cannot be read: `{}`: {why}", path.display())
            }
            Refused::NotAFile(path) => write!(f, "is not a file: `{}`", path.display()),
            Refused::Outside { path, root } => write!(
                f,
                "is outside the project: `{}` is not under `{}`; only files inside the project are published with a post (copy it there)",
                path.display(),
                root.display()
            ),
            Refused::LinkOutside { path, target, root } => write!(
                f,
                "is a symbolic link leading outside the project: `{}` points to `{}`, not under `{}` (copy the file into the project instead)",
                path.display(),
                target.display(),
                root.display()
            ),
        }
    }
}

/// The file `path` (the destination's, relative to the post's folder) resolved: it must
/// exist, be a file, and lie under `root` once every symbolic link is followed. Returns the
/// path as written (folded, for messages) and the canonical path, the one to read: `a/..`
/// after a link `a` is not where the folded path points.
pub(super) fn resolve(
    post_dir: &Path,
    path: &str,
    root: &Path,
) -> Result<(PathBuf, PathBuf), Refused> {
    let joined = post_dir.join(path);
    let shown = lexical(&joined);
    if !absolute(&shown).starts_with(absolute(root)) {
        return Err(Refused::Outside {
            path: shown,
            root: absolute(root),
        });
    }
    let canonical = match std::fs::canonicalize(&joined) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A dangling link is reported as what it is.
            return Err(match std::fs::symlink_metadata(&joined) {
                Ok(_) => Refused::Unreadable(shown, "a symbolic link to nothing".into()),
                Err(_) => Refused::Missing(shown),
            });
        }
        Err(e) => return Err(Refused::Unreadable(shown, e.to_string())),
    };
    let root_canonical = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !canonical.starts_with(&root_canonical) {
        // Inside as written, outside once links are followed.
        return Err(Refused::LinkOutside {
            path: shown,
            target: canonical,
            root: absolute(root),
        });
    }
    match std::fs::metadata(&canonical) {
        Ok(meta) if meta.is_file() => Ok((shown, canonical)),
        Ok(_) => Err(Refused::NotAFile(shown)),
        Err(e) => Err(Refused::Unreadable(shown, e.to_string())),
    }
}

/// `path` with `.` and `name/..` folded away, as written (no link followed): what messages
/// show, `posts/../img/x.png` as `img/x.png`.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                let last = out.components().next_back();
                if matches!(last, Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path` made absolute against the current folder, folded as `lexical` folds it.
fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) if path.is_relative() => lexical(&cwd.join(path)),
        _ => lexical(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_relative_file_urls_are_local() {
        assert_eq!(
            local_path("img/chart.png").as_deref(),
            Some("img/chart.png")
        );
        assert_eq!(
            local_path("./my%20chart.png?v=2#x").as_deref(),
            Some("./my chart.png")
        );
        for not_local in [
            "https://e.com/a.png",
            "//cdn.e.com/a.png",
            "/static/a.png",
            "#top",
            "",
            "data:image/png;base64,xx",
            "javascript:alert(1)",
        ] {
            assert_eq!(local_path(not_local), None, "{not_local}");
        }
    }

    #[test]
    fn paths_fold_as_written() {
        assert_eq!(
            lexical(Path::new("posts/../img/./x.png")),
            Path::new("img/x.png")
        );
        assert_eq!(lexical(Path::new("../x.png")), Path::new("../x.png"));
    }

    #[test]
    fn a_file_outside_the_root_or_linked_from_outside_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("project");
        let posts = root.join("posts");
        std::fs::create_dir_all(&posts).unwrap();
        std::fs::write(posts.join("in.png"), b"x").unwrap();
        std::fs::write(dir.path().join("secret.png"), b"x").unwrap();
        assert!(resolve(&posts, "in.png", &root).is_ok());
        assert!(matches!(
            resolve(&posts, "../../secret.png", &root),
            Err(Refused::Outside { .. })
        ));
        assert!(matches!(
            resolve(&posts, "nope.png", &root),
            Err(Refused::Missing(_))
        ));
        assert!(matches!(
            resolve(&posts, ".", &root),
            Err(Refused::NotAFile(_))
        ));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path().join("secret.png"), posts.join("link.png"))
                .unwrap();
            let err = resolve(&posts, "link.png", &root).unwrap_err();
            assert!(matches!(err, Refused::LinkOutside { .. }), "{err:?}");
            assert!(err.to_string().contains("symbolic link leading outside"));
        }
    }
}
