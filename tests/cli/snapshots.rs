//! Every built-in venue for each fixture, as a reviewed snapshot.

use crate::harness::{FIXTURES, Project};

#[test]
fn built_in_venues_match_their_snapshots() {
    let names: Vec<&str> = FIXTURES.iter().map(|(f, _)| *f).collect();
    let p = Project::with_fixtures(&names);
    p.write(
        "repurpose.yaml",
        "site:\n  url: https://example.com/blog\n  title: Example\n  author: Site Author\n",
    );
    p.run(&["build", "posts"]).expect_code(0);
    for (_, slug) in FIXTURES {
        for file in [
            "forum.bbcode",
            "blog.html",
            "newsletter.html",
            "newsletter.txt",
            "article.md",
        ] {
            let text = p.read(&format!("out/{slug}/{file}"));
            insta::assert_snapshot!(format!("{slug}__{file}"), text);
        }
    }
}
