//! The files a manifest lists, looked up by path: what `build` may replace.

use std::collections::HashMap;

use super::{ContentHash, Manifest, OutPath, PostEntry};

/// Every file an earlier run wrote, wherever the manifest lists it, with what it wrote
/// there: the files a post may replace. A file is looked up in the entry of the post whose
/// folder holds it (the entry the build took out of the manifest for the post writing
/// there); only the few listed by another entry (an old slug's files, now a post's stale
/// ones) are gathered apart, so a manifest of 800,000 files is not copied.
#[derive(Debug)]
pub struct Listed {
    /// Files listed by an entry other than their folder's.
    elsewhere: HashMap<OutPath, Vec<ContentHash>>,
}

impl Listed {
    /// The index of `manifest`.
    pub fn new(manifest: &Manifest) -> Listed {
        let mut elsewhere: HashMap<OutPath, Vec<ContentHash>> = HashMap::new();
        for (slug, entry) in &manifest.posts {
            for file in entry.files.iter().chain(entry.stale.iter().copied()) {
                if file.path.folder() != slug.as_str() {
                    elsewhere.entry(file.path).or_default().push(file.hash);
                }
            }
        }
        Listed { elsewhere }
    }

    /// What the manifest says was written at `relative`: nothing when it does not list it.
    /// `here` is the manifest's entry for the folder `relative` is in.
    pub fn hashes(&self, relative: &str, here: Option<&PostEntry>) -> Vec<ContentHash> {
        let mut hashes: Vec<ContentHash> = here
            .into_iter()
            .flat_map(|entry| entry.files.iter().chain(entry.stale.iter().copied()))
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
        m.posts.get_mut("other").unwrap().stale = Box::new([extra]);
        let listed = Listed::new(&m);
        let hashes = |relative: &str| {
            let folder = relative.split_once('/').map_or("", |(folder, _)| folder);
            listed.hashes(relative, m.posts.get(folder).map(|entry| &**entry))
        };
        let blog = m.posts["new-slug"].files.get(0).unwrap().hash;
        assert_eq!(hashes("new-slug/blog.html"), [blog, extra.hash]);
        let old = m.posts["new-slug"].stale[0].hash;
        assert_eq!(hashes("old-slug/blog.html"), [old]);
        let loose = m.posts["other"].files.get(0).unwrap().hash;
        assert_eq!(hashes("loose.txt"), [loose]);
        assert!(hashes("new-slug/forum.bbcode").is_empty());
        assert!(hashes("nobody/blog.html").is_empty());
        // Taken out of the manifest by the build: still found through the entry it is given.
        let taken = m.posts.remove("new-slug").unwrap();
        assert_eq!(
            listed.hashes("new-slug/blog.html", Some(&taken)),
            [blog, extra.hash]
        );
        assert_eq!(listed.hashes("new-slug/blog.html", None), [extra.hash]);
    }
}
