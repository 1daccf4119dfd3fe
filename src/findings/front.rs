//! Front matter a venue would use but the post lacks: notes, since every venue has a
//! fallback, but the writer may prefer to choose.

use crate::post::Editions;

use super::{Diagnostic, Level, Target};

/// A note per venue whose templates show `post.summary` while neither the front matter nor
/// a `<!-- more -->` gives one, or `post.question` while the post has none at all.
pub(super) fn diagnose(editions: &Editions<'_>, targets: &[Target<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut noted: Vec<(&str, &str)> = Vec::new();
    for target in targets {
        let venue = target.venue.name.as_str();
        let post = editions.get(venue);
        let needs = target.output.needs;
        let mut note = |code: &'static str, message: String| {
            if !noted.contains(&(venue, code)) {
                noted.push((venue, code));
                out.push(Diagnostic {
                    level: Level::Note,
                    code,
                    line: None,
                    venue: Some(venue.to_string()),
                    file: None,
                    message,
                });
            }
        };
        // A `<!-- more -->` is the writer's choice of summary too.
        if needs.summary && post.meta.summary.is_none() && post.excerpt_at.is_none() {
            note(
                "missing-summary",
                format!(
                    "no `summary` in the front matter: {venue} uses the post's opening sentences as its summary"
                ),
            );
        }
        if needs.question && post.question.is_none() {
            note(
                "missing-question",
                format!(
                    "no `question` in the front matter and the post does not end with one: {venue} ends without inviting replies"
                ),
            );
        }
    }
    out
}
