//! A post's files as the manifest holds them: their names once for every post whose files
//! have the same names (`blog.html` of venue `blog`, ... in the post's own folder), and each
//! file's size, hash and time. A manifest of 100,000 posts holds 800,000 files: 48 bytes
//! each this way, where an entry of its own with its names was 64 (~13 MB less). Files
//! whose names no other post has (images, whose names carry their hash) gain nothing: their
//! post's layout is its own, 16 bytes a file.

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use serde::{Deserialize, Serialize};

use super::{ContentHash, FileEntry, Name, OutPath};

/// The files an entry lists, in order.
#[derive(Clone, PartialEq)]
pub struct FileList {
    /// The folder of the first file: the post's own, nearly always, which its other files
    /// are in too; a file elsewhere (an old manifest's) names its own (`Slot::folder`).
    folder: Name,
    /// Each file's names, shared.
    layout: &'static Layout,
    /// Each file's size, hash and time, in the layout's order.
    written: Box<[Written]>,
}

/// The names of a list's files, in order: held once however many lists have them.
#[derive(PartialEq, Eq, Hash)]
struct Layout(Vec<Slot>);

/// A file's names.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Slot {
    /// Its folder when it is not the list's own.
    folder: Option<Name>,
    file: Name,
    venue: Name,
}

/// What a file's entry holds besides its names.
#[derive(Clone, Copy, PartialEq)]
struct Written {
    bytes: u64,
    hash: ContentHash,
    mtime: u64,
}

/// The layout of an empty list.
static EMPTY: Layout = Layout(Vec::new());

/// Every layout made so far. Never freed, as names are not: a build makes one for the
/// venues' outputs and one for each post with files of its own names (its images).
static LAYOUTS: LazyLock<Mutex<HashSet<&'static Layout>>> = LazyLock::new(Mutex::default);

impl Layout {
    /// The shared copy of `slots`.
    fn of(slots: Vec<Slot>) -> &'static Layout {
        if slots.is_empty() {
            return &EMPTY;
        }
        let layout = Layout(slots);
        // A poisoned set is still a set: nothing is half-inserted.
        let mut layouts = LAYOUTS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(&shared) = layouts.get(&layout) {
            return shared;
        }
        let shared: &'static Layout = Box::leak(Box::new(layout));
        layouts.insert(shared);
        shared
    }
}

impl Default for FileList {
    fn default() -> FileList {
        FileList {
            folder: Name::new(""),
            layout: &EMPTY,
            written: Box::default(),
        }
    }
}

impl FileList {
    /// How many files it lists.
    pub fn len(&self) -> usize {
        self.written.len()
    }

    /// Whether it lists none.
    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    /// The file at `i`.
    pub fn get(&self, i: usize) -> Option<FileEntry> {
        Some(self.entry(self.layout.0.get(i)?, self.written.get(i)?))
    }

    /// Each file, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = FileEntry> + ExactSizeIterator + '_ {
        self.layout
            .0
            .iter()
            .zip(&self.written)
            .map(|(slot, written)| self.entry(slot, written))
    }

    /// The entry of the file with these names and this content.
    fn entry(&self, slot: &Slot, written: &Written) -> FileEntry {
        FileEntry {
            path: OutPath::of(slot.folder.unwrap_or(self.folder), slot.file),
            venue: slot.venue,
            bytes: written.bytes,
            hash: written.hash,
            mtime: written.mtime,
        }
    }

    /// Makes the file at `i` be `file`; nothing when there is none there.
    pub fn set(&mut self, i: usize, file: FileEntry) {
        if i >= self.len() {
            return;
        }
        let mut files = self.to_vec();
        files[i] = file;
        *self = files.into_iter().collect();
    }

    /// Keeps only the files `keep` takes; made again only when it refuses one.
    pub fn retain(&mut self, keep: impl Fn(&FileEntry) -> bool) {
        if !self.iter().all(|f| keep(&f)) {
            *self = self.iter().filter(|f| keep(f)).collect();
        }
    }

    /// Where its files' sizes, hashes and times are: the same after `replace_with` by as
    /// many files.
    #[cfg(test)]
    pub(super) fn memory(&self) -> *const u8 {
        self.written.as_ptr().cast()
    }

    /// The files, each an entry of its own.
    pub fn to_vec(&self) -> Vec<FileEntry> {
        self.iter().collect()
    }

    /// Becomes `new`, keeping its own memory when `new` lists as many files: a `--force`
    /// build replaces every entry, and the old ones' memory is where the manifest is.
    pub fn replace_with(&mut self, new: FileList) {
        if self.len() == new.len() {
            self.folder = new.folder;
            self.layout = new.layout;
            self.written.copy_from_slice(&new.written);
        } else {
            *self = new;
        }
    }
}

impl FromIterator<FileEntry> for FileList {
    fn from_iter<I: IntoIterator<Item = FileEntry>>(files: I) -> FileList {
        let files = files.into_iter();
        let mut slots = Vec::with_capacity(files.size_hint().0);
        let mut written = Vec::with_capacity(files.size_hint().0);
        let mut folder = None;
        for file in files {
            let (its_folder, name) = file.path.parts();
            let own = *folder.get_or_insert(its_folder);
            slots.push(Slot {
                folder: (its_folder != own).then_some(its_folder),
                file: name,
                venue: file.venue,
            });
            written.push(Written {
                bytes: file.bytes,
                hash: file.hash,
                mtime: file.mtime,
            });
        }
        FileList {
            folder: folder.unwrap_or_else(|| Name::new("")),
            layout: Layout::of(slots),
            written: written.into_boxed_slice(),
        }
    }
}

impl From<Vec<FileEntry>> for FileList {
    fn from(files: Vec<FileEntry>) -> FileList {
        files.into_iter().collect()
    }
}

impl<const N: usize> From<[FileEntry; N]> for FileList {
    fn from(files: [FileEntry; N]) -> FileList {
        files.into_iter().collect()
    }
}

impl PartialEq<[FileEntry]> for FileList {
    fn eq(&self, other: &[FileEntry]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl<const N: usize> PartialEq<[FileEntry; N]> for FileList {
    fn eq(&self, other: &[FileEntry; N]) -> bool {
        *self == other[..]
    }
}

impl std::fmt::Debug for FileList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for FileList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for FileList {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Vec::<FileEntry>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Stamp;

    fn file(path: &str, venue: &str, content: &[u8], mtime: u64) -> FileEntry {
        FileEntry::new(path, venue, content, Stamp { len: 0, mtime })
    }

    #[test]
    fn lists_with_the_same_names_share_them_and_read_back_every_file() {
        let a = [
            file("a/blog.html", "blog", b"1", 1),
            file("a/forum.bbcode", "forum", b"2", 2),
        ];
        let b = [
            file("b/blog.html", "blog", b"3", 3),
            file("b/forum.bbcode", "forum", b"4", 4),
        ];
        let (list_a, list_b) = (FileList::from(a), FileList::from(b));
        assert!(
            std::ptr::eq(list_a.layout, list_b.layout),
            "one layout for both"
        );
        assert_eq!(list_a.to_vec(), a);
        assert_eq!(list_b.to_vec(), b);
        assert_eq!(list_b.get(1), Some(b[1]));
        assert_eq!(list_b.get(2), None);
        assert_eq!(std::mem::size_of::<Written>(), 48);
        // Another order is another layout.
        let swapped = FileList::from([b[1], b[0]]);
        assert!(!std::ptr::eq(swapped.layout, list_b.layout));
        assert_eq!(swapped.to_vec(), [b[1], b[0]]);
    }

    #[test]
    fn a_file_outside_the_lists_folder_keeps_its_own() {
        let files = [
            file("new-slug/blog.html", "blog", b"1", 1),
            file("old-slug/blog.html", "blog", b"2", 2),
            file("loose.txt", "forum", b"3", 3),
            file("new-slug/media/a.png", "media", b"4", 4),
        ];
        let list = FileList::from(files);
        assert_eq!(list.to_vec(), files);
        assert_eq!(list, files);
        assert_eq!(
            list.get(2).map(|f| f.path.to_string()),
            Some("loose.txt".into())
        );
        let empty = FileList::default();
        assert!(empty.is_empty() && empty.iter().next().is_none());
        assert_eq!(FileList::from(Vec::new()), empty);
    }

    #[test]
    fn a_file_set_in_place_changes_that_file_alone() {
        let mut list = FileList::from([
            file("p/blog.html", "blog", b"1", 1),
            file("p/forum.bbcode", "forum", b"2", 2),
        ]);
        let newer = file("p/forum.bbcode", "forum", b"22", 5);
        list.set(1, newer);
        assert_eq!(list.get(1), Some(newer));
        let moved = file("q/forum.bbcode", "forum", b"2", 2);
        list.set(1, moved);
        assert_eq!(list.get(1), Some(moved));
        assert_eq!(
            list.get(0).map(|f| f.path.to_string()),
            Some("p/blog.html".into())
        );
        list.set(7, newer);
        assert_eq!(list.len(), 2);
    }

    #[test]
    fn written_as_a_list_of_entries_and_read_back_the_same() {
        let list = FileList::from([
            file("p/blog.html", "blog", b"1", 1),
            file("p/media/a.png", "media", b"2", 2),
        ]);
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, serde_json::to_string(&list.to_vec()).unwrap());
        assert_eq!(serde_json::from_str::<FileList>(&json).unwrap(), list);
    }

    #[test]
    fn replaced_by_as_many_files_it_keeps_its_memory() {
        let mut old = FileList::from([file("p/blog.html", "blog", b"1", 1)]);
        let at = old.written.as_ptr();
        let new = FileList::from([file("p/blog.html", "blog", b"2", 2)]);
        old.replace_with(new.clone());
        assert_eq!(old, new);
        assert!(std::ptr::eq(old.written.as_ptr(), at));
        let two = FileList::from([
            file("p/blog.html", "blog", b"1", 1),
            file("p/forum.bbcode", "forum", b"2", 2),
        ]);
        old.replace_with(two.clone());
        assert_eq!(old, two);
    }
}
