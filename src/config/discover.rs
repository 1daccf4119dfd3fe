//! Which `repurpose.yaml` a run reads: the one given, the current folder's, or the nearest
//! above the inputs (a project built from its parent folder).

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::{Config, DEFAULT_FILE, Doubt};

/// How the configuration file was chosen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) enum Found {
    /// No file: the defaults.
    #[default]
    Nothing,
    /// `--config`.
    Given,
    /// `repurpose.yaml` in the current folder.
    Here,
    /// The nearest `repurpose.yaml` above this input (the current folder has none).
    Above(PathBuf),
}

impl Config {
    /// The file given; else `repurpose.yaml` in the current folder when it exists (with a
    /// warning when another one is nearer the inputs); else the nearest `repurpose.yaml`
    /// above the inputs but not above the current folder, which the inputs must all find
    /// the same; else the defaults. A discovered file's folder is where the unset `out` and
    /// `templates` are looked for.
    pub fn discover(given: Option<&Path>, inputs: &[PathBuf]) -> Result<Config> {
        if let Some(file) = given {
            if !file.is_file() {
                anyhow::bail!("configuration file `{}` does not exist", file.display());
            }
            return Ok(Config {
                found: Found::Given,
                ..Config::load(file)?
            });
        }
        let here = Path::new(DEFAULT_FILE);
        let nearest = nearest_above(inputs);
        if here.is_file() {
            let mut config = Config {
                found: Found::Here,
                ..Config::load(here)?
            };
            let same = |file: &Path| file.canonicalize().ok() == here.canonicalize().ok();
            if let Some((input, Some(file))) =
                nearest.iter().find(|(_, f)| !f.as_deref().is_none_or(same))
            {
                config.doubts.insert(
                    0,
                    Doubt {
                        line: None,
                        message: format!(
                            "`{}` is nearer `{}`, but `{DEFAULT_FILE}` in the current folder was used (it wins; --config {} uses the other)",
                            file.display(),
                            input.display(),
                            file.display()
                        ),
                    },
                );
            }
            return Ok(config);
        }
        let Some((input, file)) = nearest.first() else {
            return Ok(Config::default());
        };
        if let Some((other, other_file)) = nearest.iter().find(|(_, f)| f != file) {
            let shown = |f: &Option<PathBuf>| {
                f.as_ref().map_or("no configuration".to_string(), |f| {
                    format!("`{}`", f.display())
                })
            };
            return Err(crate::status::Usage(format!(
                "the inputs belong to different projects: `{}` to {}, `{}` to {}; build one project at a time, or choose the configuration with --config",
                input.display(),
                shown(file),
                other.display(),
                shown(other_file)
            ))
            .into());
        }
        let Some(file) = file else {
            return Ok(Config::default());
        };
        Ok(Config {
            found: Found::Above(input.clone()),
            root: file.parent().unwrap_or(Path::new("")).to_path_buf(),
            ..Config::load(file)?
        })
    }

    /// Where the configuration came from, for `-v`.
    pub fn describe(&self) -> String {
        match (&self.found, self.path()) {
            (Found::Above(input), Some(path)) => format!(
                "configuration: `{}` (the nearest above `{}`; none in the current folder)",
                path.display(),
                input.display()
            ),
            (_, Some(path)) => format!("configuration: `{}`", path.display()),
            (_, None) => format!(
                "configuration: none (no ./{DEFAULT_FILE}, none above the inputs; --config names one)"
            ),
        }
    }
}

/// Each input (that exists) with the nearest `repurpose.yaml` in its folder or above, but
/// not in the current folder or above it, shown relative to the current folder when it is
/// inside it.
fn nearest_above(inputs: &[PathBuf]) -> Vec<(PathBuf, Option<PathBuf>)> {
    let cwd = std::env::current_dir().and_then(|d| d.canonicalize()).ok();
    inputs
        .iter()
        .filter_map(|input| {
            let real = input.canonicalize().ok()?;
            let folder = if real.is_dir() {
                real.as_path()
            } else {
                real.parent()?
            };
            // The current folder was looked at already; its ancestors belong to no project
            // of this run (a `repurpose.yaml` in the home folder would take `out` there).
            let file = folder
                .ancestors()
                .take_while(|dir| cwd.as_deref().is_none_or(|cwd| !cwd.starts_with(dir)))
                .map(|dir| dir.join(DEFAULT_FILE))
                .find(|file| file.is_file())
                .map(|file| {
                    cwd.as_deref()
                        .map_or(file.clone(), |cwd| relative(&file, cwd))
                });
            Some((input.clone(), file))
        })
        .collect()
}

/// `file` relative to `cwd` when it is inside it (`blog/repurpose.yaml`) or in a folder
/// above it (`../repurpose.yaml`); else as it is.
fn relative(file: &Path, cwd: &Path) -> PathBuf {
    if let Ok(inside) = file.strip_prefix(cwd) {
        return inside.to_path_buf();
    }
    let (Some(dir), Some(name)) = (file.parent(), file.file_name()) else {
        return file.to_path_buf();
    };
    match cwd.strip_prefix(dir) {
        Ok(below) => below
            .components()
            .map(|_| Path::new(".."))
            .collect::<PathBuf>()
            .join(name),
        Err(_) => file.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_found_above_is_shown_relative_to_the_current_folder() {
        let cwd = Path::new("/home/me/site");
        let shown = |file: &str| relative(Path::new(file), cwd);
        assert_eq!(
            shown("/home/me/site/blog/repurpose.yaml"),
            Path::new("blog/repurpose.yaml")
        );
        assert_eq!(
            shown("/home/me/repurpose.yaml"),
            Path::new("../repurpose.yaml")
        );
        assert_eq!(
            shown("/home/repurpose.yaml"),
            Path::new("../../repurpose.yaml")
        );
        assert_eq!(
            shown("/srv/x/repurpose.yaml"),
            Path::new("/srv/x/repurpose.yaml")
        );
    }
}
