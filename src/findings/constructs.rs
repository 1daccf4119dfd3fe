//! Constructs a venue degrades or drops, each named with its line: the renderers' own
//! account (`Format::degradation`) applied to the constructs found in the post.

use crate::post::Editions;
use crate::render::{Impact, constructs, detail};

use super::{Diagnostic, Level, Target};

/// One finding per construct and venue whose outputs cannot show it as written: said once
/// for the venue when all its outputs do the same, else once per output file. A venue is
/// told of the constructs of its edition only (not of blocks it does not show).
pub(super) fn diagnose(editions: &Editions<'_>, targets: &[Target<'_>]) -> Vec<Diagnostic> {
    // The constructs of each edition, found once however many venues read it.
    let found: Vec<_> = editions
        .all()
        .map(|post| constructs(&post.events))
        .collect();
    if found.iter().all(Vec::is_empty) {
        return Vec::new();
    }
    // Outputs that show the post's body (or its parts, or a thread of it); the others never
    // meet a construct.
    let shown: Vec<&Target<'_>> = targets
        .iter()
        .filter(|t| {
            let needs = t.output.needs;
            needs.body || needs.parts || needs.notes || needs.thread
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < shown.len() {
        // The outputs of one venue sit together, in catalog order.
        let venue = shown[i].venue;
        let group: Vec<&Target<'_>> = shown[i..]
            .iter()
            .take_while(|t| t.venue.name == venue.name)
            .copied()
            .collect();
        i += group.len();
        let post = editions.get(&venue.name);
        for &(index, construct) in &found[editions.index(&venue.name)] {
            let line = post.line_of(index);
            // What the account cannot know: the attributes a heading loses, say.
            let detail = post
                .events
                .get(index)
                .and_then(|event| detail(construct, event))
                .map(|d| format!(": {d}"))
                .unwrap_or_default();
            let each: Vec<_> = group
                .iter()
                .map(|t| {
                    // A thread is written by its own walker, whatever the body format.
                    if t.output.needs.thread {
                        crate::thread::degradation(construct)
                    } else {
                        t.output
                            .format
                            .degradation(construct, t.output.header.raw_html)
                    }
                })
                .collect();
            // Said for the venue only when every one of its files does the same.
            let all_same = group.len() == venue.outputs.len()
                && each.iter().all(|d| d.is_some() && *d == each[0]);
            for (target, degradation) in group.iter().zip(&each) {
                let Some(degradation) = degradation else {
                    continue;
                };
                let (place, file) = if all_same {
                    (venue.name.clone(), None)
                } else {
                    let file = (venue.outputs.len() > 1).then(|| target.output.file.clone());
                    (target.place.clone(), file)
                };
                out.push(Diagnostic {
                    level: match degradation.impact {
                        Impact::Lost => Level::Warning,
                        Impact::Changed => Level::Note,
                    },
                    code: "degraded",
                    line,
                    venue: Some(venue.name.clone()),
                    file,
                    message: format!("{} in {place}{detail}", degradation.what),
                });
                if all_same {
                    break;
                }
            }
        }
    }
    out
}
