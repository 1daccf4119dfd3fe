//! The manifest's strings held once: a venue, a file name or a post's folder is shared by
//! every entry that names it, so a manifest of 100,000 posts (800,000 files) holds each
//! venue and file name once and each post's folder once, not once per file.

use std::borrow::Borrow;
use std::collections::HashSet;
use std::sync::{Arc, LazyLock, Mutex};

use serde::{Deserialize, Serialize};

/// A string many manifest entries share, interned: one pointer wide, cloned by a count.
///
/// Names are never freed: a build holds a few per post (its folder, its media files' names)
/// and the venues' file names, all of which its manifest holds anyway.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(clippy::box_collection, clippy::redundant_allocation)]
pub struct Name(Arc<Box<str>>);

/// Every name made so far.
static NAMES: LazyLock<Mutex<HashSet<Name>>> = LazyLock::new(Mutex::default);

impl Name {
    /// The shared copy of `text`.
    pub fn new(text: &str) -> Name {
        // A poisoned set is still a set of names: nothing is half-inserted.
        let mut names = NAMES
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(name) = names.get(text) {
            return name.clone();
        }
        let name = Name(Arc::new(text.into()));
        names.insert(name.clone());
        name
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::new(text)
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        **self.0 == *other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        **self.0 == **other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        **self.0 == **other
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
#[derive(Clone, PartialEq, Eq, Hash)]
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
        assert!(Arc::ptr_eq(&a.0, &b.0));
        assert_eq!(std::mem::size_of::<Name>(), std::mem::size_of::<usize>());
        assert_eq!(a, "newsletter.html");
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
