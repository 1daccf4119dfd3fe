//! Every built-in venue for each fixture, as a reviewed snapshot.

use crate::harness::{FIXTURES, Project, VENUE_FILES};

#[test]
fn built_in_venues_match_their_snapshots() {
    let p = Project::built_fixtures();
    for (_, slug) in FIXTURES {
        for file in VENUE_FILES {
            let text = p.read(&format!("out/{slug}/{file}"));
            insta::assert_snapshot!(format!("{slug}__{file}"), text);
        }
    }
}
