//! Unique heading anchors, shared by the blog's ids and `post.outline`.

use std::collections::{HashMap, HashSet};

/// Unique heading anchors: the heading's own `{#id}` when it has one, else its slug,
/// with `-1`, `-2` … appended on repeats. The blog's ids and `post.outline` share this.
#[derive(Debug, Default)]
pub struct Anchors {
    used: HashSet<String>,
    /// The next suffix worth trying for each base: every one below it is taken, so a post
    /// repeating one heading many times does not try them all again for each repeat.
    next: HashMap<String, usize>,
}

impl Anchors {
    /// The anchor for a heading with optional explicit `id` and plain-text `title`.
    pub fn anchor(&mut self, id: Option<&str>, title: &str) -> String {
        let base = match id {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                let slug = crate::slug::slugify(title);
                if slug.is_empty() {
                    "section".to_string()
                } else {
                    slug
                }
            }
        };
        let mut candidate = base.clone();
        if self.used.contains(&candidate) {
            let mut n = self.next.get(&base).copied().unwrap_or(1);
            loop {
                candidate = format!("{base}-{n}");
                n += 1;
                if !self.used.contains(&candidate) {
                    break;
                }
            }
            self.next.insert(base, n);
        }
        self.used.insert(candidate.clone());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_unique() {
        let mut a = Anchors::default();
        assert_eq!(a.anchor(None, "Hello, World"), "hello-world");
        assert_eq!(a.anchor(None, "Hello world"), "hello-world-1");
        assert_eq!(a.anchor(Some("custom"), "x"), "custom");
    }

    #[test]
    fn repeated_anchors_skip_suffixes_taken_by_explicit_ids() {
        let mut a = Anchors::default();
        assert_eq!(a.anchor(Some("a-2"), "x"), "a-2");
        let got: Vec<String> = (0..4).map(|_| a.anchor(None, "A")).collect();
        assert_eq!(got, ["a", "a-1", "a-3", "a-4"]);
        assert_eq!(a.anchor(Some("a"), "x"), "a-5");
    }
}
