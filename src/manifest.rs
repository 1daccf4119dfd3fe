//! `<out>/manifest.json`: every post and file written, with sizes and content hashes.

mod files;
mod listed;
mod names;
mod prints;
mod read;

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::hash::{ContentHash, hash, hex};
use crate::output::Stamp;
pub use files::FileList;
pub use listed::Listed;
pub use names::{Name, OutPath};
pub use prints::{Files, Prints};
#[doc(hidden)]
pub use read::read_both_ways;

/// The manifest file's name inside `<out>`.
pub const FILE: &str = "manifest.json";

/// The whole manifest.
#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    /// `repurpose <version>` that wrote it.
    pub generator: String,
    /// Whether every post's `source` is relative to the output folder's parent. Manifests
    /// written before kept the path as typed; `build` rewrites those once.
    #[serde(default)]
    pub keyed: bool,
    /// Posts by slug. Each entry is boxed: the map and the lists it is made from or
    /// merged with (the entries read, those a build made) then move a pointer, not ~190
    /// bytes, and never hold two copies of 100,000 entries at once. The slug is the shared
    /// name its files' folder already is: 4 bytes, where a string was 24 and its own
    /// allocation (~7 MB for 100,000 posts).
    #[serde(deserialize_with = "posts_in_one_go")]
    pub posts: BTreeMap<Name, Box<PostEntry>>,
}

/// The posts, gathered in a list and then made into a map in one go: inserted one by one
/// in the file's order (sorted), the map's nodes would stay about half empty, ~15 MB more
/// for 100,000 posts.
fn posts_in_one_go<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<Name, Box<PostEntry>>, D::Error> {
    // A slug listed twice keeps its last entry, as inserting them one by one did.
    Ok(deserializer
        .deserialize_map(PostList)?
        .into_iter()
        .collect())
}

/// Posts as the manifest lists them, by slug, in the file's order.
type Posts = Vec<(Name, Box<PostEntry>)>;

/// Reads a map of posts by slug into a list, in the file's order.
struct PostList;

impl<'de> serde::de::Visitor<'de> for PostList {
    type Value = Posts;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a map of posts by slug")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Posts, A::Error> {
        let mut posts = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(post) = map.next_entry()? {
            posts.push(post);
        }
        Ok(posts)
    }
}

/// One post's outputs. A manifest holds one a post, so its text and lists are boxed, not
/// growable (8 bytes less each), and its source is a shared name: 152 bytes with its files'
/// list, not the 184 its strings and vectors took.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PostEntry {
    /// The source file, relative to the output folder's parent (`SourceKeys`): a shared
    /// name, as the build's list of the posts it was given holds the same text (4 bytes
    /// where a string was 24 and an allocation, twice over: ~5 MB for 100,000 posts).
    pub source: Name,
    /// The post's title.
    pub title: Box<str>,
    /// `inputs_hash` when it was built: unchanged means the outputs are up to date. None
    /// (written empty) when an output failed, so the post is built again next time. Kept as
    /// its 32 bytes, not its 71 characters.
    #[serde(default, with = "inputs_text")]
    pub inputs: Option<ContentHash>,
    /// The hash of what all its venues' outputs depend on besides the post (the tool's
    /// version, the site, where images are found) when it was built: the same for nearly
    /// every post, so held once.
    #[serde(default = "no_build")]
    pub build: Name,
    /// Each output's fingerprint (`Catalog::fingerprint`: its templates and settings) that
    /// its file was built with, by the file it writes (`blog.html`); an output whose
    /// fingerprint changed is rendered again, the others are left as they are. Only outputs
    /// built from these `inputs` and `build` are listed.
    #[serde(default, skip_serializing_if = "Prints::is_empty")]
    pub fingerprints: Prints,
    /// The source's size and modification time (ns since the epoch) when it was built: when
    /// both are unchanged, the source is not even read.
    #[serde(default)]
    pub source_size: u64,
    /// See `source_size`.
    #[serde(default)]
    pub source_mtime: u64,
    /// The files besides the source its outputs depend on (its local images), each with
    /// its size, time and hash when it was built.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub media: Box<[Dependency]>,
    /// Files written under `<out>/<slug>/`.
    pub files: FileList,
    /// Files an earlier build wrote for it that it no longer has (a venue it no longer
    /// wants, its old slug's): still ours, reported until `build --clean` removes them.
    #[serde(default, skip_serializing_if = "<[_]>::is_empty")]
    pub stale: Box<[FileEntry]>,
}

impl PostEntry {
    /// Becomes `new`, keeping its own text's and lists' memory where the new ones are the
    /// same size (nearly always: a post's title and outputs rarely change in number).
    pub fn replace_with(&mut self, new: PostEntry) {
        fn keep<T: Clone>(old: &mut Box<[T]>, new: Box<[T]>) {
            if old.len() == new.len() {
                old.clone_from_slice(&new);
            } else {
                *old = new;
            }
        }
        let PostEntry {
            source,
            title,
            inputs,
            build,
            fingerprints,
            source_size,
            source_mtime,
            media,
            files,
            stale,
        } = new;
        self.source = source;
        if self.title != title {
            self.title = title;
        }
        self.inputs = inputs;
        self.build = build;
        self.fingerprints = fingerprints;
        self.source_size = source_size;
        self.source_mtime = source_mtime;
        keep(&mut self.media, media);
        self.files.replace_with(files);
        keep(&mut self.stale, stale);
    }

    /// Takes `old`'s files as stale ones, but those this entry writes.
    pub fn take_stale(&mut self, old: PostEntry) {
        let mut stale = std::mem::take(&mut self.stale).into_vec();
        for file in old.files.iter().chain(old.stale) {
            if !self
                .files
                .iter()
                .chain(stale.iter().copied())
                .any(|f| f.path == file.path)
            {
                stale.push(file);
            }
        }
        self.stale = stale.into_boxed_slice();
    }
}

/// A line of the run's journal: a file about to be renamed into place for a post.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Pending {
    /// The post's slug.
    pub slug: String,
    /// The post's source, as `PostEntry::source`.
    pub source: String,
    /// The file as the manifest will list it.
    pub file: FileEntry,
}

/// A file a post's outputs depend on besides its source (a local image), as the manifest
/// records it: while its size and time are unchanged, the post need not be read to know it
/// is up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dependency {
    /// The path, relative to the post's folder.
    pub path: String,
    pub bytes: u64,
    pub mtime: u64,
    pub hash: ContentHash,
}

/// One output file: its strings are shared `Name`s and its hash is bytes, so it is 64 bytes
/// with nothing apart, and copied as it is. A manifest holds eight or so a post (800,000
/// for 100,000 posts), each post's as a `FileList` (48 bytes a file).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    /// Path relative to `<out>`.
    pub path: OutPath,
    /// The venue that wrote it.
    pub venue: Name,
    /// Size in bytes.
    pub bytes: u64,
    /// The content's SHA-256, written `sha256:<hex>`.
    pub hash: ContentHash,
    /// The file's modification time (ns since the epoch) once written: with `bytes`, what
    /// one `stat` compares to know the file is still the one written. 0 when unknown (a
    /// manifest from an older version), which makes the next build look again.
    #[serde(default)]
    pub mtime: u64,
}

impl FileEntry {
    /// The entry for some content, written with `stamp`.
    pub fn new(path: &str, venue: &str, content: &[u8], stamp: Stamp) -> FileEntry {
        FileEntry {
            path: OutPath::new(path),
            venue: Name::new(venue),
            bytes: content.len() as u64,
            hash: ContentHash::of(content),
            mtime: stamp.mtime,
        }
    }

    /// Whether a file's stamp is the one recorded when it was written.
    pub fn matches(&self, stamp: Stamp) -> bool {
        self.mtime != 0 && stamp.mtime == self.mtime && stamp.len == self.bytes
    }
}

/// `PostEntry::build` of a manifest written before it was recorded.
fn no_build() -> Name {
    Name::new("")
}

/// `repurpose <version>`, the manifest's `generator`.
fn generator() -> String {
    format!("repurpose {}", env!("CARGO_PKG_VERSION"))
}

/// The hash of a post's own bytes with what every venue's outputs share besides it
/// (`PostEntry::build`).
pub fn inputs_hash(build_inputs: &str, source: &[u8]) -> ContentHash {
    let mut hasher = Sha256::new();
    hasher.update(build_inputs.as_bytes());
    hasher.update([0]);
    hasher.update(source);
    ContentHash(hasher.finalize().into())
}

/// `PostEntry::inputs` as the manifest writes it: `sha256:<hex>`, or empty for none.
mod inputs_text {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::hash::ContentHash;

    pub(super) fn serialize<S: Serializer>(
        inputs: &Option<ContentHash>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match inputs {
            Some(hash) => hash.serialize(serializer),
            None => serializer.serialize_str(""),
        }
    }

    /// Anything but a hash (empty, or not one this version could have written) reads as
    /// none: the post is built again, as it would have been for a hash that cannot match.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<ContentHash>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(ContentHash::parse(&text))
    }
}

impl Manifest {
    /// The previous manifest in `out`, or an empty one when there is none. A file by that
    /// name that is not one (another tool's `manifest.json`, or one broken by hand) is an
    /// error: it is not ours to replace, and building without it would forget which files
    /// are.
    pub fn read(out: &Path) -> Result<Manifest> {
        let path = out.join(FILE);
        let open = || match std::fs::File::open(&path) {
            Ok(file) => Ok(Some(file)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => {
                Err(anyhow::Error::new(e).context(format!("failed to read `{}`", path.display())))
            }
        };
        let Some(file) = open()? else {
            return Ok(Manifest::default());
        };
        // Parsed as it is read, never held whole: its text is ~3 KB a post (301 MB for
        // 100,000 posts), many times what it parses into. Its posts are parsed in pieces,
        // on every core.
        if let Some(manifest) = read::in_pieces(file) {
            return Ok(manifest);
        }
        // Not laid out as a manifest is written, or broken: parsed again as one stream,
        // which says where it is broken.
        let Some(file) = open()? else {
            return Ok(Manifest::default());
        };
        let reader = std::io::BufReader::with_capacity(1 << 16, file);
        serde_json::from_reader(reader).map_err(|e| {
            if e.is_io() {
                return anyhow::Error::new(e).context(format!("failed to read `{}`", path.display()));
            }
            anyhow::anyhow!(
                "{}:{}:{}: not a manifest repurpose wrote ({e}); nothing was built, since repurpose neither replaces a file it did not write nor can tell its own outputs without it: move it away, or build into another folder with `-o`",
                path.display(),
                e.line(),
                e.column()
            )
        })
    }

    /// Takes into the manifest the files a killed run's journal (`OutLock::pending`) says it
    /// renamed into place in `out`: a line counts only for a file inside its post's folder
    /// that has exactly the size and time the line gives (the rename happened, and nothing
    /// touched the file since). A file the manifest lists with another content gets the
    /// line's, and its post is built again; one it does not list becomes a stale file of
    /// its post: ours, so it may be replaced, and removable by `--clean` until the post
    /// claims it again. Returns how many records changed.
    pub fn recover(&mut self, journal: &[u8], out: &Path) -> usize {
        if journal.is_empty() {
            return 0;
        }
        // Where each path is listed: (slug, in `files` rather than `stale`, index).
        let mut listed: std::collections::HashMap<OutPath, (Name, bool, usize)> =
            std::collections::HashMap::new();
        for (slug, entry) in &self.posts {
            for (i, f) in entry.files.iter().enumerate() {
                listed.insert(f.path, (*slug, true, i));
            }
            for (i, f) in entry.stale.iter().enumerate() {
                listed.entry(f.path).or_insert((*slug, false, i));
            }
        }
        let mut recovered = 0;
        // A line cut short by the kill is not one the renames it announced went ahead of.
        for line in journal.split(|b| *b == b'\n') {
            let Ok(pending) = serde_json::from_slice::<Pending>(line) else {
                continue;
            };
            let path = pending.file.path.to_string();
            let in_folder = path
                .strip_prefix(&pending.slug)
                .is_some_and(|rest| rest.starts_with('/') && !rest[1..].contains('/'));
            let renamed = in_folder
                && crate::output::inside(out, &path)
                    .ok()
                    .and_then(|path| std::fs::symlink_metadata(path).ok())
                    .is_some_and(|meta| meta.is_file() && pending.file.matches(Stamp::of(&meta)));
            if !renamed {
                continue;
            }
            match listed.get(&pending.file.path) {
                Some((slug, in_files, i)) => {
                    let Some(entry) = self.posts.get_mut(slug) else {
                        continue;
                    };
                    let listed = if *in_files {
                        entry.files.get(*i)
                    } else {
                        entry.stale.get(*i).copied()
                    };
                    if listed.is_some_and(|file| file != pending.file) {
                        if *in_files {
                            entry.files.set(*i, pending.file);
                        } else {
                            entry.stale[*i] = pending.file;
                        }
                        // A mix of its old and new files: built again next.
                        entry.inputs = None;
                        recovered += 1;
                    }
                }
                None => {
                    let path = pending.file.path;
                    let slug = Name::new(&pending.slug);
                    let entry = self.posts.entry(slug).or_insert_with(|| {
                        Box::new(PostEntry {
                            source: Name::new(&pending.source),
                            title: Box::default(),
                            inputs: None,
                            build: no_build(),
                            fingerprints: Prints::default(),
                            source_size: 0,
                            source_mtime: 0,
                            media: Box::default(),
                            files: FileList::default(),
                            stale: Box::default(),
                        })
                    });
                    let mut stale = std::mem::take(&mut entry.stale).into_vec();
                    stale.push(pending.file);
                    entry.stale = stale.into_boxed_slice();
                    listed.insert(path, (slug, false, entry.stale.len() - 1));
                    recovered += 1;
                }
            }
        }
        recovered
    }

    /// Whether this manifest was read from disk as written by this version (so writing it
    /// again would change nothing).
    pub fn is_current(&self) -> bool {
        self.generator == generator()
    }

    /// Writes the manifest atomically, streamed: for 10,000 posts its JSON is tens of MB.
    pub fn write(&mut self, out: &Path) -> Result<()> {
        self.generator = generator();
        crate::output::write_atomic_with(&out.join(FILE), |w| {
            serde_json::to_writer_pretty(&mut *w, self)?;
            w.write_all(b"\n")
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_written_as_sha256_hex_and_read_back() {
        let entry = FileEntry::new("a/b.txt", "blog", b"abc", Stamp::default());
        let json = serde_json::to_string(&entry).unwrap();
        assert!(json.contains(
            "\"hash\":\"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""
        ));
        assert_eq!(serde_json::from_str::<FileEntry>(&json).unwrap(), entry);
        for bad in ["md5:00", "sha256:zz", "sha256:ba78"] {
            let json = json.replace(
                "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                bad,
            );
            assert!(serde_json::from_str::<FileEntry>(&json).is_err(), "{bad}");
        }
    }

    #[test]
    fn hash_is_sha256() {
        assert_eq!(
            hash(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn round_trips_through_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest::default();
        m.posts.insert(
            "p".into(),
            Box::new(PostEntry {
                source: "p.md".into(),
                title: "P".into(),
                inputs: Some(inputs_hash("v1", b"post")),
                build: "v1".into(),
                fingerprints: Prints::new(
                    [("forum.bbcode".into(), "0123456789abcdef".into())].into(),
                ),
                source_size: 4,
                source_mtime: 1,
                media: Box::default(),
                files: FileList::from([FileEntry::new(
                    "p/forum.bbcode",
                    "forum",
                    b"x",
                    Stamp { len: 1, mtime: 7 },
                )]),
                stale: Box::default(),
            }),
        );
        m.write(dir.path()).unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), m);
    }

    /// A manifest as 0.1.0 before compact entries wrote it (`to_writer_pretty`): a post with
    /// a local image and a file of an old slug still listed, and a file without a folder.
    pub(super) const WRITTEN_BEFORE: &str = r#"{
  "generator": "repurpose 0.1.0",
  "keyed": true,
  "posts": {
    "new-slug": {
      "source": "posts/a.md",
      "title": "A <b> & \"quoted\"",
      "inputs": "sha256:df9d69a964854418b0715d06fe911d65464b997edfebe33dd7518d43297fc15a",
      "build": "sha256:cdbdf851e380253b69e6130ef420143e793a0f90c76e0855533ca8703d3edb9d",
      "source_size": 1740,
      "source_mtime": 1796350994898598506,
      "media": [
        {
          "path": "images/chart.png",
          "bytes": 2949,
          "mtime": 1796350994898712675,
          "hash": "sha256:1371da04c216fe205b21e02f2923a68822c73414c313ff93001369a6c661f224"
        }
      ],
      "files": [
        {
          "path": "new-slug/blog.html",
          "venue": "blog",
          "bytes": 6122,
          "hash": "sha256:c7434548dd8a8a8a42167585c561eafff3d371781d5989db2806f19297fb49cf",
          "mtime": 1796350994969945799
        },
        {
          "path": "new-slug/media/chart-1371da04.png",
          "venue": "media",
          "bytes": 2949,
          "hash": "sha256:1371da04c216fe205b21e02f2923a68822c73414c313ff93001369a6c661f224",
          "mtime": 1796350994969945799
        }
      ],
      "stale": [
        {
          "path": "old-slug/blog.html",
          "venue": "blog",
          "bytes": 6000,
          "hash": "sha256:a594abe45fd54633300927d319a87f9e67c5af7a0b972ee6191847a3d9d42e7b",
          "mtime": 0
        }
      ]
    },
    "other": {
      "source": "posts/b.md",
      "title": "B",
      "inputs": "",
      "build": "",
      "source_size": 0,
      "source_mtime": 0,
      "files": [
        {
          "path": "loose.txt",
          "venue": "forum",
          "bytes": 1,
          "hash": "sha256:4365606fffd859b80bcdbb90226ee9d20a749dee68b67480cc4350b3599b121b",
          "mtime": 7
        }
      ]
    }
  }
}
"#;

    #[test]
    fn a_manifest_written_before_compact_entries_is_read_and_written_back_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let text = WRITTEN_BEFORE.replace("repurpose 0.1.0", &generator());
        std::fs::write(dir.path().join(FILE), &text).unwrap();
        let mut m = Manifest::read(dir.path()).unwrap();
        let entry = &m.posts["new-slug"];
        assert_eq!(
            entry.files.get(1).unwrap().path,
            "new-slug/media/chart-1371da04.png"
        );
        assert_eq!(entry.files.get(1).unwrap().venue, "media");
        assert_eq!(entry.stale[0].path.folder(), "old-slug");
        assert_eq!(m.posts["other"].files.get(0).unwrap().path, "loose.txt");
        m.write(dir.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join(FILE)).unwrap(),
            text
        );
    }

    #[test]
    fn a_manifest_from_before_builds_and_times_were_recorded_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"generator": "repurpose 0.0.9", "posts": {"p": {"source": "p.md",
            "title": "P", "files": [{"path": "p/forum.bbcode", "venue": "forum", "bytes": 1,
            "hash": "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}]}}}"#;
        std::fs::write(dir.path().join(FILE), old).unwrap();
        let m = Manifest::read(dir.path()).unwrap();
        assert!(!m.keyed);
        let entry = &m.posts["p"];
        assert_eq!((entry.inputs, entry.build.as_str()), (None, ""));
        assert_eq!(entry.files.get(0).unwrap().path, "p/forum.bbcode");
        assert_eq!(entry.files.get(0).unwrap().mtime, 0);
    }

    #[test]
    fn a_file_entry_holds_no_string_of_its_own() {
        // 800,000 of them for 100,000 posts: their path and venue are shared names, and the
        // entry is the hash, two numbers and three names' numbers (96 bytes and two strings
        // before; 72 with names as pointers).
        assert!(std::mem::size_of::<FileEntry>() <= 64);
        assert!(std::mem::size_of::<PostEntry>() <= 152);
        assert!(std::mem::size_of::<FileList>() <= 32);
        let a = FileEntry::new("p/blog.html", "blog", b"a", Stamp::default());
        let b = FileEntry::new("q/blog.html", "blog", b"b", Stamp::default());
        assert!(std::ptr::eq(a.venue.as_str(), b.venue.as_str()));
        assert!(std::ptr::eq(a.path.file(), b.path.file()));
    }

    #[test]
    fn posts_are_keyed_by_their_folders_name_and_written_in_slug_order() {
        // Numbered in the order made ("b" first): the map is still in the slugs' order.
        let entry = |slug: &str| {
            let file = FileEntry::new(&format!("{slug}/blog.html"), "blog", b"x", Stamp::default());
            Box::new(PostEntry {
                source: Name::new(&format!("{slug}.md")),
                title: Box::default(),
                inputs: None,
                build: "".into(),
                fingerprints: Prints::default(),
                source_size: 0,
                source_mtime: 0,
                media: Box::default(),
                files: FileList::from([file]),
                stale: Box::default(),
            })
        };
        let mut m = Manifest::default();
        for slug in ["keyed-order-b", "keyed-order-a"] {
            m.posts.insert(slug.into(), entry(slug));
        }
        let json = serde_json::to_string(&m).unwrap();
        let (a, b) = (
            json.find("\"keyed-order-a\":"),
            json.find("\"keyed-order-b\":"),
        );
        assert!(a.is_some() && a < b, "{json}");
        assert_eq!(serde_json::from_str::<Manifest>(&json).unwrap(), m);
        let (slug, entry) = m.posts.iter().next().unwrap();
        assert!(
            std::ptr::eq(slug.as_str(), entry.files.get(0).unwrap().path.folder()),
            "the slug's text is its folder's"
        );
    }

    #[test]
    fn a_posts_inputs_hash_is_held_as_bytes_and_written_back_as_read() {
        let text = |inputs: &str| {
            format!(r#"{{"source":"p.md","title":"P","inputs":"{inputs}","files":[]}}"#)
        };
        let hash = "sha256:df9d69a964854418b0715d06fe911d65464b997edfebe33dd7518d43297fc15a";
        for inputs in [hash, ""] {
            let entry: PostEntry = serde_json::from_str(&text(inputs)).unwrap();
            assert_eq!(entry.inputs.is_some(), !inputs.is_empty());
            let json = serde_json::to_string(&entry).unwrap();
            assert!(json.contains(&format!(r#""inputs":"{inputs}""#)), "{json}");
        }
        // Not a hash this version writes: built again, as it would have been.
        let entry: PostEntry = serde_json::from_str(&text("sha256:x")).unwrap();
        assert_eq!(entry.inputs, None);
        // 33 bytes in the entry, where a string was 24 and 71 more apart.
        assert_eq!(std::mem::size_of::<Option<ContentHash>>(), 33);
    }

    #[test]
    fn an_entry_replaced_in_place_equals_the_new_one_in_its_own_memory() {
        let m: Manifest = serde_json::from_str(WRITTEN_BEFORE).unwrap();
        let mut old = m.posts["new-slug"].clone();
        let mut new = m.posts["other"].as_ref().clone();
        new.files = old.files.iter().rev().collect();
        let files = old.files.memory();
        old.replace_with(new.clone());
        assert_eq!(*old, new);
        assert!(
            std::ptr::eq(old.files.memory(), files),
            "the old list's memory"
        );
    }

    #[test]
    fn a_manifest_json_that_is_not_ours_is_an_error_naming_its_line() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Manifest::read(dir.path()).unwrap(), Manifest::default());
        std::fs::write(dir.path().join(FILE), "{\n  \"name\": \"My PWA\"\n}\n").unwrap();
        let err = Manifest::read(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("manifest.json:3:1: not a manifest repurpose wrote"),
            "{err}"
        );
        assert!(
            err.contains("move it away, or build into another folder with `-o`"),
            "{err}"
        );
    }

    #[test]
    fn a_killed_runs_journal_is_taken_only_for_files_it_really_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir_all(out.join("p")).unwrap();
        std::fs::write(out.join("p/blog.html"), "x").unwrap();
        std::fs::write(out.join("p/forum.bbcode"), "new").unwrap();
        let stamp = |name: &str| Stamp::of(&std::fs::metadata(out.join(name)).unwrap());
        let blog = FileEntry::new("p/blog.html", "blog", b"x", stamp("p/blog.html"));
        let forum = FileEntry::new("p/forum.bbcode", "forum", b"new", stamp("p/forum.bbcode"));
        let line = |slug: &str, file: &FileEntry| {
            let pending = Pending {
                slug: slug.into(),
                source: "posts/p.md".into(),
                file: *file,
            };
            serde_json::to_string(&pending).unwrap() + "\n"
        };
        // Listed with its old content: the journal's is taken and the post built again.
        let mut m = Manifest::default();
        m.posts.insert(
            "p".into(),
            Box::new(PostEntry {
                source: "posts/p.md".into(),
                title: "P".into(),
                inputs: Some(ContentHash::of(b"p")),
                build: "".into(),
                fingerprints: Prints::default(),
                source_size: 0,
                source_mtime: 0,
                media: Box::default(),
                files: FileList::from([FileEntry::new(
                    "p/forum.bbcode",
                    "forum",
                    b"old",
                    Stamp { len: 3, mtime: 1 },
                )]),
                stale: Box::default(),
            }),
        );
        let mut never_renamed = blog;
        never_renamed.mtime += 1;
        let journal = [
            line("p", &blog),
            line("p", &forum),
            line("p", &never_renamed),
            // Not in its post's folder.
            line("q", &blog),
        ]
        .concat()
            + "{\"slug\":\"p\",\"sou";
        assert_eq!(m.recover(journal.as_bytes(), out), 2);
        assert_eq!(m.posts["p"].files, [forum]);
        assert_eq!(*m.posts["p"].stale, [blog]);
        assert_eq!(m.posts["p"].inputs, None);
        assert!(!m.posts.contains_key("q"));
        // Twice is once.
        assert_eq!(m.recover(journal.as_bytes(), out), 0);
    }
}
