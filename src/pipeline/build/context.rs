//! What every post of a run is built with: the session, the venues in scope, the files the
//! manifest lists, the sources' keys and the output folder's lock.

use std::collections::HashSet;
use std::path::Path;

use crate::manifest::FileEntry;
use crate::output;
use crate::pipeline::{PostRun, Session};
use crate::venue::Catalog;

use super::sources::SourceKeys;

/// The venues of this run, to tell which of a post's earlier outputs are stale: only those
/// of a venue that no longer exists or that the post no longer wants. A venue merely not
/// chosen this time (`--venue forum`) keeps its files, and so does one whose template
/// failed.
#[derive(Debug)]
pub(super) struct VenueScope<'c> {
    pub(super) chosen: HashSet<&'c str>,
    pub(super) catalog: &'c Catalog,
}

impl VenueScope<'_> {
    /// Whether `old`, an output the post had and did not write this time, is still one of
    /// its outputs.
    pub(super) fn keeps(&self, post: &PostRun<'_>, old: &FileEntry) -> bool {
        // A template failed this run: a venue or file missing may be one of its, not gone.
        let failed = !self.catalog.errors.is_empty();
        if old.venue == crate::media::VENUE {
            // An image the post no longer writes may still be linked by a venue it wants
            // that was not built this time (`--venue forum`).
            return failed
                || self.catalog.venues.iter().any(|v| {
                    post.post.wants_venue(&v.name) && !self.chosen.contains(v.name.as_str())
                });
        }
        let Some(venue) = self.catalog.get(&old.venue) else {
            return failed || self.catalog.is_broken(&old.venue);
        };
        if !self.chosen.contains(venue.name.as_str()) {
            return true;
        }
        if !post.wants(&venue.name) {
            return false;
        }
        let file = old.path.file_name();
        // Chosen and wanted, a file it still writes: its render failed this time.
        failed || venue.outputs.iter().any(|o| o.file == file)
    }
}

/// What every post of a run is built with.
#[derive(Debug)]
pub(super) struct Building<'a> {
    pub(super) build_inputs: &'a str,
    pub(super) session: &'a Session,
    pub(super) scope: &'a VenueScope<'a>,
    /// Every path the manifest lists, with the content it recorded there.
    pub(super) ours: &'a crate::manifest::Listed<'a>,
    pub(super) sources: &'a SourceKeys,
    pub(super) lock: &'a output::OutLock,
    pub(super) out: &'a Path,
}
