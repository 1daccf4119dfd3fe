//! A post's media: the local images it shows, found on disk, checked, and copied into the
//! post's output folder (`<out>/<slug>/media/`), and the reference each venue gets to them.
//!
//! `find` locates and resolves the files, `image` reads and scales them; this file holds
//! the images of one post, the copies venues ask for, and the references they get.

mod find;
pub mod image;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::hash::ContentHash;
use crate::manifest::Dependency;

pub use find::{Wanted, local_path};
use image::{Format, Probed};

/// The folder, inside a post's output folder, its media are copied to.
pub const FOLDER: &str = "media";

/// The venue name the manifest gives a post's media files.
pub const VENUE: &str = "media";

/// How a venue refers to the post's own images.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MediaLinks {
    /// A full URL under `site.media_url`, else under `site.url`: for outputs read away from
    /// the site (an email, a forum, a social network).
    #[default]
    Absolute,
    /// `media/<file>`, relative to the output: for a page that sits beside its media.
    Relative,
}

/// One local image of a post, read and checked.
#[derive(Debug, Clone)]
pub struct Image {
    /// The destination as the post first writes it.
    pub dest: String,
    /// The post-file line of that first use.
    pub line: usize,
    /// Its alt text there.
    pub alt: String,
    /// The file, as found from the post's folder (for messages).
    pub source: PathBuf,
    /// The file every link followed: the one read.
    canonical: PathBuf,
    /// The destination's file path, relative to the post's folder (what the manifest records).
    pub path: String,
    /// The file's bytes.
    pub bytes: Arc<[u8]>,
    /// Their hash.
    pub hash: ContentHash,
    /// Its format and size.
    pub probed: Probed,
    /// Its name in the media folder: `<name>-<short hash>.<ext>`.
    pub file: String,
    /// Copies made for venues that cannot show the original (too wide, another format).
    copies: Vec<Copy>,
}

/// A copy of an image for venues with the same needs.
#[derive(Debug, Clone)]
struct Copy {
    /// What it was made for: the widest copy, the formats shown.
    wanted: (Option<u32>, Vec<Format>),
    /// The copy, or `None` when the original already serves.
    made: Option<Made>,
}

/// A copy written beside the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// Its name in the media folder.
    pub file: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    pub bytes: Arc<[u8]>,
}

/// The local images of a post.
#[derive(Debug, Clone, Default)]
pub struct Media {
    images: Vec<Image>,
    /// Each destination written (the same file may be written two ways) to its image.
    by_dest: HashMap<String, usize>,
}

/// What a venue asks of the post's images: how it links them, the widest it shows them,
/// the formats it shows (its template header's `media`, `image_width`, `image_formats`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Needs {
    pub links: MediaLinks,
    pub image_width: Option<u32>,
    pub image_formats: Vec<Format>,
}

impl Media {
    /// Finds, reads and checks the local images `wanted` of the post at `post`: files
    /// relative to the post's folder, which must lie under `root` (the project's folder).
    /// Every image that cannot be used is reported, each with the post's file and line.
    pub fn load(wanted: Vec<Wanted>, post: &Path, root: &Path) -> anyhow::Result<Media> {
        let post_dir = post
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = if root.as_os_str().is_empty() {
            Path::new(".")
        } else {
            root
        };
        let mut media = Media::default();
        let mut by_source: HashMap<PathBuf, usize> = HashMap::new();
        let mut problems = Vec::new();
        // Destinations reported already: an image shown many times is reported once.
        let mut refused: std::collections::HashSet<String> = std::collections::HashSet::new();
        for wanted in wanted {
            if refused.contains(&wanted.dest) {
                continue;
            }
            if let Some(&known) = media.by_dest.get(&wanted.dest) {
                let image = &mut media.images[known];
                if image.alt.is_empty() {
                    image.alt = wanted.alt;
                }
                continue;
            }
            let Some(path) = local_path(&wanted.dest) else {
                continue;
            };
            let mut problem = |why: String| {
                refused.insert(wanted.dest.clone());
                (wanted.line, format!("image `{}` {why}", wanted.dest))
            };
            let (source, canonical) = match find::resolve(post_dir, &path, root) {
                Ok(found) => found,
                Err(refused) => {
                    problems.push(problem(refused.to_string()));
                    continue;
                }
            };
            if let Some(&known) = by_source.get(&canonical) {
                media.by_dest.insert(wanted.dest, known);
                continue;
            }
            let bytes = match std::fs::read(&canonical) {
                Ok(bytes) => bytes,
                Err(e) => {
                    problems.push(problem(format!(
                        "cannot be read: `{}`: {e}",
                        source.display()
                    )));
                    continue;
                }
            };
            let probed = match image::probe(&bytes) {
                Ok(probed) => probed,
                Err(unreadable) => {
                    problems.push(problem(format!("(`{}`) {unreadable}", source.display())));
                    continue;
                }
            };
            let hash = ContentHash::of(&bytes);
            let file = format!("{}-{}.{}", stem(&source), short(&hash), probed.format.ext());
            let index = media.images.len();
            by_source.insert(canonical.clone(), index);
            media.by_dest.insert(wanted.dest.clone(), index);
            media.images.push(Image {
                dest: wanted.dest,
                line: wanted.line,
                alt: wanted.alt,
                source,
                canonical,
                path,
                bytes: bytes.into(),
                hash,
                probed,
                file,
                copies: Vec::new(),
            });
        }
        if problems.is_empty() {
            return Ok(media);
        }
        let file = post.display();
        Err(match problems.as_slice() {
            [(line, message)] => anyhow::anyhow!("{file}:{line}: {message}"),
            all => anyhow::anyhow!(
                "{file}: {} images cannot be used:\n{}",
                all.len(),
                all.iter()
                    .map(|(line, message)| format!("  {file}:{line}: {message}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ),
        })
    }

    /// Whether the post has no local image.
    pub fn is_empty(&self) -> bool {
        self.images.is_empty()
    }

    /// The images, in the order the post first shows them.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// The image a destination names, when it is one of the post's local images.
    pub fn get(&self, dest: &str) -> Option<&Image> {
        self.by_dest.get(dest).map(|&i| &self.images[i])
    }

    /// Makes the copies the venue with `header` needs (images wider than twice its
    /// `image_width`, formats outside its `image_formats`), once per distinct need.
    pub fn prepare(&mut self, needs: &Needs, post: &Path) -> anyhow::Result<()> {
        let Some(wanted) = wanted_copy(needs) else {
            return Ok(());
        };
        for image in &mut self.images {
            if image.copies.iter().any(|c| c.wanted == wanted) {
                continue;
            }
            let made = image::fit(&image.bytes, &image.probed, wanted.0, &wanted.1)
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{}:{}: image `{}` (`{}`) {e}",
                        post.display(),
                        image.line,
                        image.dest,
                        image.source.display()
                    )
                })?
                .map(|copy| {
                    // Named by its width and format: two venues' copies of one image (an
                    // SVG drawn at two sizes) never share a name.
                    let file = format!(
                        "{}-{}-{}w.{}",
                        stem(&image.source),
                        short(&image.hash),
                        copy.width,
                        copy.format.ext()
                    );
                    Made {
                        file,
                        width: copy.width,
                        height: copy.height,
                        format: copy.format,
                        bytes: copy.bytes.into(),
                    }
                });
            image.copies.push(Copy {
                wanted: wanted.clone(),
                made,
            });
        }
        Ok(())
    }

    /// The copy of `image` the venue with `header` shows, when it is not the original
    /// (`prepare` made it).
    pub fn copy_for<'m>(&self, image: &'m Image, needs: &Needs) -> Option<&'m Made> {
        let wanted = wanted_copy(needs)?;
        image
            .copies
            .iter()
            .find(|c| c.wanted == wanted)
            .and_then(|c| c.made.as_ref())
    }

    /// The references a venue gets: each local image's URL (relative or under `base`, as
    /// the venue's `media` setting says), and the size to show it at.
    pub fn refs(&self, needs: &Needs, base: Option<&str>) -> MediaRefs {
        let mut refs = BTreeMap::new();
        for (dest, &i) in &self.by_dest {
            let image = &self.images[i];
            let file = self
                .copy_for(image, needs)
                .map_or(image.file.as_str(), |made| made.file.as_str());
            let url = match (needs.links, base) {
                (MediaLinks::Absolute, Some(base)) => format!("{base}{file}"),
                _ => format!("{FOLDER}/{file}"),
            };
            let (width, height) = match needs.image_width {
                Some(max) => image::display_size(image.probed.width, image.probed.height, max),
                None => (image.probed.width, image.probed.height),
            };
            refs.insert(dest.clone(), ImageRef { url, width, height });
        }
        MediaRefs(Arc::new(refs))
    }

    /// The files to write into the post's media folder, by name: every original, and every
    /// copy made.
    pub fn outputs(&self) -> Vec<(String, Arc<[u8]>)> {
        let mut out: Vec<(String, Arc<[u8]>)> = Vec::new();
        let mut push = |file: &str, bytes: &Arc<[u8]>| {
            let file = format!("{FOLDER}/{file}");
            if !out.iter().any(|(f, _)| *f == file) {
                out.push((file, Arc::clone(bytes)));
            }
        };
        for image in &self.images {
            push(&image.file, &image.bytes);
            for made in image.copies.iter().filter_map(|c| c.made.as_ref()) {
                push(&made.file, &made.bytes);
            }
        }
        out
    }

    /// The files the outputs depend on, for the manifest.
    pub fn dependencies(&self) -> Vec<Dependency> {
        self.images
            .iter()
            .map(|image| {
                let meta = std::fs::metadata(&image.canonical).ok();
                Dependency {
                    path: image.path.clone(),
                    bytes: image.bytes.len() as u64,
                    mtime: meta.as_ref().map_or(0, crate::output::mtime_ns),
                    hash: image.hash,
                }
            })
            .collect()
    }
}

/// The copy a venue asks for, `None` when it shows every original as it is.
fn wanted_copy(needs: &Needs) -> Option<(Option<u32>, Vec<Format>)> {
    let widest = needs.image_width.map(|w| w.saturating_mul(2));
    (widest.is_some() || !needs.image_formats.is_empty())
        .then(|| (widest, needs.image_formats.clone()))
}

/// Whether a file's name says it is an image repurpose reads (`chart.png`, `photo.JPG`).
pub fn has_image_extension(path: &Path) -> bool {
    path.extension().is_some_and(|ext| {
        ["png", "jpg", "jpeg", "gif", "webp", "svg"]
            .iter()
            .any(|e| ext.eq_ignore_ascii_case(e))
    })
}

/// The file's name as a slug, for its copies' names (`Growth Chart.PNG` → `growth-chart`).
fn stem(path: &Path) -> String {
    let stem = path
        .file_stem()
        .map(|s| crate::slug::slugify(&s.to_string_lossy()))
        .unwrap_or_default();
    if stem.is_empty() {
        "image".into()
    } else {
        stem.chars()
            .take(60)
            .collect::<String>()
            .trim_end_matches('-')
            .to_string()
    }
}

/// The first 8 hex digits of a hash: enough to tell an image's versions apart.
fn short(hash: &ContentHash) -> String {
    crate::hash::hex(&hash.0)
        .trim_start_matches("sha256:")
        .chars()
        .take(8)
        .collect()
}

/// A venue's references to the post's local images, by destination as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct MediaRefs(Arc<BTreeMap<String, ImageRef>>);

impl MediaRefs {
    /// The reference for a destination, when it names one of the post's local images.
    pub fn get(&self, dest: &str) -> Option<&ImageRef> {
        self.0.get(dest)
    }

    /// References to URLs a service gave (uploads), by destination.
    pub fn from_map(map: BTreeMap<String, ImageRef>) -> MediaRefs {
        MediaRefs(Arc::new(map))
    }

    /// Every reference, by destination.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &ImageRef)> {
        self.0.iter()
    }
}

/// Where a venue finds one image, and the size to show it at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    pub url: String,
    pub width: u32,
    pub height: u32,
}
