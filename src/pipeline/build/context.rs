//! What every post of a run is built with: the session, the venues in scope, the files the
//! manifest lists, the sources' keys and the output folder's lock.

use std::collections::BTreeMap;
use std::path::Path;

use crate::manifest::{FileEntry, Files, Name};
use crate::output;
use crate::pipeline::{PostRun, Session};
use crate::venue::{Catalog, Venue};

use super::sources::SourceKeys;

/// The venues of this run, to tell which of a post's earlier outputs are stale: only those
/// of a venue or an output that no longer exists, or of a venue that the post no longer
/// wants. A venue not rendered this time (not chosen, `--venue forum`, or up to date while
/// another venue's template changed) keeps its files, and so does one whose template
/// failed.
#[derive(Debug)]
pub(super) struct VenueScope<'c> {
    pub(super) catalog: &'c Catalog,
}

impl VenueScope<'_> {
    /// Whether `old`, an output the post had and did not write this time, is still one of
    /// its outputs. `rendered` are the venues the post was rendered for now (some with a few
    /// of their outputs, or none); `recorded`, the fingerprints its new manifest entry gives
    /// the outputs built from the post as it is now, and `current`, every output's
    /// fingerprint this run.
    pub(super) fn keeps(
        &self,
        post: &PostRun<'_>,
        old: &FileEntry,
        rendered: &[&Venue],
        recorded: &crate::manifest::Prints,
        current: &BTreeMap<Name, Files>,
    ) -> bool {
        // A template failed this run: a venue or file missing may be one of its, not gone.
        let failed = !self.catalog.errors.is_empty();
        if old.venue == crate::media::VENUE {
            // Every copy the post's images need now was written: an image it no longer
            // writes is still linked only by a venue it wants whose files were built from
            // an earlier version of it, or with other settings (`--venue forum` after the
            // image, or the blog's `image_width`, changed).
            return failed
                || self.catalog.venues.iter().any(|v| {
                    post.post.wants_venue(&v.name)
                        && current.get(v.name.as_str()).is_some_and(|files| {
                            files
                                .iter()
                                .any(|(file, print)| recorded.get(file) != Some(print))
                        })
                });
        }
        let Some(venue) = self.catalog.get(&old.venue) else {
            return failed || self.catalog.is_broken(&old.venue);
        };
        // An output its venue no longer has is gone whether the venue is built now or not,
        // as a venue that no longer exists is.
        let file = old.path.file_name();
        if !venue.outputs.iter().any(|o| o.file == file) {
            return failed;
        }
        if !rendered.iter().any(|v| v.name == venue.name) {
            return true;
        }
        // Rendered and wanted, a file it still writes: up to date, or its render failed.
        post.wants(&venue.name)
    }
}

/// What every post of a run is built with.
#[derive(Debug)]
pub(super) struct Building<'a> {
    pub(super) build_inputs: &'a super::BuildInputs,
    pub(super) session: &'a Session,
    pub(super) scope: &'a VenueScope<'a>,
    /// Every path the manifest lists, with the content it recorded there.
    pub(super) ours: &'a crate::manifest::Listed,
    pub(super) sources: &'a SourceKeys,
    pub(super) lock: &'a output::OutLock,
    pub(super) out: &'a Path,
    /// `--force`: every output's bytes are compared, even one whose size, time and hash
    /// are the manifest's (a hand edit that kept both is put right).
    pub(super) force: bool,
}
