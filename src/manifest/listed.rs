//! The files a manifest lists, looked up by path: what `build` may replace.

use std::collections::HashMap;

use super::{ContentHash, Manifest, OutPath};

/// Every file an earlier run wrote, wherever the manifest lists it, with what it wrote
/// there: the files a post may replace. A file is looked up in the entry of the post whose
/// folder holds it; only the few listed by another entry (an old slug's files, now a
/// post's stale ones) are gathered apart, so a manifest of 800,000 files is not copied.
#[derive(Debug)]
pub struct Listed<'m> {
    manifest: &'m Manifest,
    /// Files listed by an entry other than their folder's.
    elsewhere: HashMap<&'m OutPath, Vec<ContentHash>>,
}

impl<'m> Listed<'m> {
    /// The index of `manifest`.
    pub fn new(manifest: &'m Manifest) -> Listed<'m> {
        let mut elsewhere: HashMap<&OutPath, Vec<ContentHash>> = HashMap::new();
        for (slug, entry) in &manifest.posts {
            for file in entry.files.iter().chain(&entry.stale) {
                if file.path.folder() != slug {
                    elsewhere.entry(&file.path).or_default().push(file.hash);
                }
            }
        }
        Listed {
            manifest,
            elsewhere,
        }
    }

    /// What the manifest says was written at `relative`: nothing when it does not list it.
    pub fn hashes(&self, relative: &str) -> Vec<ContentHash> {
        let folder = relative.split_once('/').map_or("", |(folder, _)| folder);
        let mut hashes: Vec<ContentHash> = self
            .manifest
            .posts
            .get(folder)
            .into_iter()
            .flat_map(|entry| entry.files.iter().chain(&entry.stale))
            .filter(|f| f.path == relative)
            .map(|f| f.hash)
            .collect();
        let path = OutPath::new(relative);
        hashes.extend(self.elsewhere.get(&path).into_iter().flatten());
        hashes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::FileEntry;
    use crate::output::Stamp;

    #[test]
    fn a_file_is_found_in_its_folders_entry_or_in_the_entry_that_took_it() {
        let mut m: Manifest = serde_json::from_str(super::super::tests::WRITTEN_BEFORE).unwrap();
        let extra = FileEntry::new("new-slug/blog.html", "blog", b"again", Stamp::default());
        m.posts.get_mut("other").unwrap().stale.push(extra.clone());
        let listed = Listed::new(&m);
        let blog = m.posts["new-slug"].files[0].hash;
        assert_eq!(listed.hashes("new-slug/blog.html"), [blog, extra.hash]);
        let old = m.posts["new-slug"].stale[0].hash;
        assert_eq!(listed.hashes("old-slug/blog.html"), [old]);
        let loose = m.posts["other"].files[0].hash;
        assert_eq!(listed.hashes("loose.txt"), [loose]);
        assert!(listed.hashes("new-slug/forum.bbcode").is_empty());
        assert!(listed.hashes("nobody/blog.html").is_empty());
    }
}
