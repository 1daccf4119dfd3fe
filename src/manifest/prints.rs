//! Each output's fingerprint a post's files were built with (`PostEntry::fingerprints`),
//! by the file it writes: the same set for nearly every post of a build, so each different
//! set is held once however many posts record it (100,000 posts: one map, not 100,000).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex};

use serde::{Deserialize, Serialize};

use super::Name;

/// Outputs by the file each writes (`forum.bbcode`), with their fingerprints.
pub type Files = BTreeMap<Name, Name>;

/// Each output's fingerprint by its file, shared by every entry with the same ones; empty
/// for a post recorded before fingerprints were.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Prints(Option<Set>);

/// One set of fingerprints, shared.
type Set = Arc<Files>;

/// Every set made so far. Never freed: a build makes one or two.
static SETS: LazyLock<Mutex<HashSet<Set>>> = LazyLock::new(Mutex::default);

impl Prints {
    /// The shared copy of `prints`.
    pub fn new(prints: Files) -> Prints {
        if prints.is_empty() {
            return Prints(None);
        }
        // A poisoned set is still a set: nothing is half-inserted.
        let mut sets = SETS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(set) = sets.get(&prints) {
            return Prints(Some(set.clone()));
        }
        let set = Arc::new(prints);
        sets.insert(set.clone());
        Prints(Some(set))
    }

    /// The fingerprint recorded for the output that writes `file`.
    pub fn get(&self, file: &str) -> Option<&str> {
        self.0.as_ref()?.get(file).map(Name::as_str)
    }

    /// Each output's file and fingerprint, by file.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Name)> {
        self.0.iter().flat_map(|set| set.iter())
    }

    /// Whether none is recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }
}

impl std::fmt::Debug for Prints {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Prints {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Prints {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Prints::new(Files::deserialize(deserializer)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prints(pairs: &[(&str, &str)]) -> Prints {
        Prints::new(
            pairs
                .iter()
                .map(|&(file, print)| (Name::new(file), Name::new(print)))
                .collect(),
        )
    }

    #[test]
    fn the_same_fingerprints_are_held_once_and_read_back() {
        let a = prints(&[
            ("blog.html", "0123456789abcdef"),
            ("newsletter.txt", "fedcba9876543210"),
        ]);
        let b = prints(&[
            ("newsletter.txt", "fedcba9876543210"),
            ("blog.html", "0123456789abcdef"),
        ]);
        let (Some(a_set), Some(b_set)) = (&a.0, &b.0) else {
            panic!("both hold a set");
        };
        assert!(Arc::ptr_eq(a_set, b_set), "one map for both");
        assert_eq!(a.get("newsletter.txt"), Some("fedcba9876543210"));
        assert_eq!(a.get("newsletter.html"), None);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"blog.html":"0123456789abcdef","newsletter.txt":"fedcba9876543210"}"#
        );
        assert_eq!(serde_json::from_str::<Prints>(&json).unwrap(), a);
        assert!(prints(&[]).is_empty() && Prints::default().is_empty());
    }
}
