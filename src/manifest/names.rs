//! The manifest's strings held once: a venue, a file name, a post's folder or its source is
//! shared by every entry and list that names it, so a manifest of 100,000 posts (800,000
//! files) holds each venue and file name once and each post's folder and source once, not
//! once per file or per list.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

/// A string many manifest entries share, interned: its number in the table of every name
/// made, 4 bytes where a pointer was 8, copied without a count. A manifest of 100,000 posts
/// holds 800,000 file entries of three names each; at 4 bytes a name an entry is 64 bytes,
/// not 72 (6.4 MB less, and no reference count to touch when one is cloned).
///
/// Names are never freed: a build holds a few per post (its folder, its media files' names)
/// and the venues' file names, all of which its manifest holds anyway.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Name(u32);

/// The names made so far, found by their text; held under a lock only while a name is made.
#[derive(Default)]
struct Interned {
    /// Every name, hashed and compared by its text.
    names: HashSet<Name>,
    /// What is left of the last block of text leaked: each name's text is copied there,
    /// packed, rather than allocated on its own (an allocation per post's folder).
    free: &'static mut [u8],
}

static INTERNED: LazyLock<Mutex<Interned>> = LazyLock::new(Mutex::default);

/// The bytes of text leaked at a time for names' texts.
const TEXT_BLOCK: usize = 64 << 10;

/// The first block of the table of texts holds this many names; each next one twice as
/// many as the one before, so the table grows without moving what is in it and is read
/// without a lock.
const FIRST_BLOCK: usize = 256;

/// Each name's text, by its number: block `k` holds `FIRST_BLOCK << k` of them.
static TEXTS: [OnceLock<Box<[OnceLock<&'static str>]>>; 24] = [const { OnceLock::new() }; 24];

/// The block of the table of texts that holds name `id`, and its place in it.
fn slot(id: u32) -> (usize, usize) {
    let id = id as usize;
    let block = (id / FIRST_BLOCK + 1).ilog2() as usize;
    (block, id - FIRST_BLOCK * ((1 << block) - 1))
}

impl Interned {
    /// `text` copied into the leaked blocks: it lives as long as the program.
    fn keep(&mut self, text: &str) -> &'static str {
        if self.free.len() < text.len() {
            self.free = Box::leak(vec![0; TEXT_BLOCK.max(text.len())].into_boxed_slice());
        }
        let (here, rest) = std::mem::take(&mut self.free).split_at_mut(text.len());
        self.free = rest;
        here.copy_from_slice(text.as_bytes());
        let here: &'static [u8] = here;
        // The bytes of a `str`: always UTF-8.
        std::str::from_utf8(here).unwrap_or_default()
    }
}

impl Name {
    /// The shared copy of `text`.
    pub fn new(text: &str) -> Name {
        // A poisoned set is still a set of names: a name is in the table before it is in
        // the set.
        let mut interned = INTERNED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(name) = interned.names.get(text) {
            return *name;
        }
        // More names than `u32` numbers would need hundreds of GB of manifest first.
        let id = u32::try_from(interned.names.len()).unwrap_or(u32::MAX);
        let kept = interned.keep(text);
        let (block, at) = slot(id);
        let texts = TEXTS[block]
            .get_or_init(|| (0..FIRST_BLOCK << block).map(|_| OnceLock::new()).collect());
        let _ = texts[at].set(kept);
        let name = Name(id);
        interned.names.insert(name);
        name
    }

    /// The text.
    pub fn as_str(&self) -> &'static str {
        let (block, at) = slot(self.0);
        // Set before the name was handed out.
        TEXTS[block]
            .get()
            .and_then(|texts| texts[at].get())
            .copied()
            .unwrap_or_default()
    }
}

impl std::hash::Hash for Name {
    /// By its text, as `str` hashes: the set of names is searched with a `&str`.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    /// By text: maps keyed by names are written in their texts' order.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Debug for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl std::fmt::Display for Name {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Name {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(Name::new(&text))
    }
}

/// An output's path relative to `<out>`, written `<folder>/<file>`: the folder (the post's
/// slug, shared by its files) and the rest (`blog.html`, `media/a.png`, shared by every
/// post's file of that name), each a `Name`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct OutPath {
    /// Up to the first `/`; empty for a path without one (then `file` is all of it).
    folder: Name,
    file: Name,
}

impl OutPath {
    /// The path `text`.
    pub fn new(text: &str) -> OutPath {
        match text.split_once('/') {
            Some((folder, file)) if !folder.is_empty() => OutPath {
                folder: Name::new(folder),
                file: Name::new(file),
            },
            _ => OutPath {
                folder: Name::new(""),
                file: Name::new(text),
            },
        }
    }

    /// The path of `file` in `folder` (empty: none), as `new` splits it.
    pub(super) fn of(folder: Name, file: Name) -> OutPath {
        OutPath { folder, file }
    }

    /// The folder and file names, as `of` takes them.
    pub(super) fn parts(&self) -> (Name, Name) {
        (self.folder, self.file)
    }

    /// The path's first component: the folder of the post that wrote it.
    pub fn folder(&self) -> &str {
        self.folder.as_str()
    }

    /// The path within `folder()` (all of it when it has no folder).
    pub fn file(&self) -> &str {
        self.file.as_str()
    }

    /// The last component: the file's name in its own folder.
    pub fn file_name(&self) -> &str {
        let file = self.file.as_str();
        file.rsplit_once('/').map_or(file, |(_, name)| name)
    }

    /// The folder holding the file (`<slug>`, `<slug>/media`), and its name; `None` for a
    /// path without a folder.
    pub fn split(&self) -> Option<(std::borrow::Cow<'_, str>, &str)> {
        if self.folder.is_empty() {
            return None;
        }
        Some(match self.file.rsplit_once('/') {
            None => (self.folder.as_str().into(), self.file.as_str()),
            Some((sub, name)) => (format!("{}/{sub}", self.folder).into(), name),
        })
    }
}

impl From<&str> for OutPath {
    fn from(text: &str) -> OutPath {
        OutPath::new(text)
    }
}

impl PartialEq<str> for OutPath {
    fn eq(&self, other: &str) -> bool {
        if self.folder.is_empty() {
            return self.file == *other;
        }
        other
            .strip_prefix(self.folder.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .is_some_and(|rest| self.file == *rest)
    }
}

impl PartialEq<&str> for OutPath {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for OutPath {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl std::fmt::Display for OutPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if !self.folder.is_empty() {
            f.write_str(self.folder.as_str())?;
            f.write_str("/")?;
        }
        f.write_str(self.file.as_str())
    }
}

impl std::fmt::Debug for OutPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.to_string(), f)
    }
}

impl Serialize for OutPath {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for OutPath {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(OutPath::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_held_once_however_often_it_is_made() {
        let a = Name::new("newsletter.html");
        let b = Name::new(&String::from("newsletter.html"));
        assert_eq!(a.0, b.0);
        assert!(std::ptr::eq(a.as_str(), b.as_str()), "one copy of the text");
        assert_eq!(std::mem::size_of::<Name>(), 4);
        assert_eq!(a, "newsletter.html");
        assert_ne!(Name::new("newsletter.txt"), a);
    }

    #[test]
    fn names_past_the_first_blocks_read_back_their_own_text_and_sort_by_it() {
        // Enough to fill several blocks of the table (256, 512, 1024, ...) and of text.
        let texts: Vec<String> = (0..5_000)
            .map(|i| format!("names-test-{i}-{}", "x".repeat(i % 40)))
            .collect();
        let names: Vec<Name> = texts.iter().map(|t| Name::new(t)).collect();
        for (name, text) in names.iter().zip(&texts) {
            assert_eq!(name.as_str(), text);
            assert_eq!(Name::new(text), *name);
        }
        let (a, b) = (Name::new("names-test-b"), Name::new("names-test-a"));
        assert!(b < a, "by text, not by when each was made");
        let mut set = HashSet::new();
        set.insert(a);
        assert!(set.contains("names-test-b"));
    }

    #[test]
    fn a_table_slot_is_found_in_the_block_that_holds_it() {
        assert_eq!(slot(0), (0, 0));
        assert_eq!(slot(255), (0, 255));
        assert_eq!(slot(256), (1, 0));
        assert_eq!(slot(767), (1, 511));
        assert_eq!(slot(768), (2, 0));
        let last = FIRST_BLOCK * ((1 << TEXTS.len()) - 1) - 1;
        assert_eq!(slot(u32::try_from(last).unwrap()).0, TEXTS.len() - 1);
    }

    #[test]
    fn out_paths_are_written_back_as_read_and_compare_with_their_text() {
        for text in [
            "post/blog.html",
            "post/media/a.png",
            "no-folder.txt",
            "/rooted",
            "trailing/",
            "a//b",
            "",
        ] {
            let path = OutPath::new(text);
            assert_eq!(path.to_string(), text);
            assert_eq!(path, text);
            let json = serde_json::to_string(&path).unwrap();
            assert_eq!(json, serde_json::to_string(text).unwrap());
            assert_eq!(serde_json::from_str::<OutPath>(&json).unwrap(), path);
        }
        let path = OutPath::new("post/media/a.png");
        assert_eq!(path.folder(), "post");
        assert_eq!(path.file_name(), "a.png");
        assert_eq!(path.split(), Some(("post/media".into(), "a.png")));
        assert_eq!(
            OutPath::new("post/blog.html").split(),
            Some(("post".into(), "blog.html"))
        );
        assert_eq!(OutPath::new("blog.html").split(), None);
        assert_ne!(OutPath::new("ab/c"), "a/bc");
        assert_ne!(OutPath::new("a/bc"), "ab/c");
        assert_ne!(OutPath::new("a/b"), "a/b/");
        assert_ne!(OutPath::new("a/b"), "b");
    }
}
