//! The `social` venue and `thread`: numbered posts within a network's limit, counted as the
//! network counts them.

use repurpose::thread::{Counter, graphemes};
use repurpose::venue::builtin::TEMPLATES;

use crate::harness::{FIXTURES, Project};

/// What separates two posts in `social.txt`.
const SEPARATOR: &str = "\n\n────────────\n\n";

/// The fixtures' titles, by slug.
const TITLES: [(&str, &str); 4] = [
    ("small-audiences", "Small Audiences, Long Echoes"),
    (
        "every-construct",
        "Every Construct: a <Field> Guide & [b]Test[/b]",
    ),
    ("plain-notes", "Notes From a Quiet Week"),
    ("per-venue", "One Post, Four Rooms"),
];

/// The posts of a thread file, checked: each within `limit` as `counter` counts and, when
/// there are several, ending with its `n/N` marker. Returns them without their markers.
#[track_caller]
fn posts(text: &str, limit: usize, counter: Counter) -> Vec<String> {
    let posts: Vec<&str> = text.trim_end_matches('\n').split(SEPARATOR).collect();
    let total = posts.len();
    posts
        .iter()
        .enumerate()
        .map(|(i, post)| {
            let n = counter.count(post);
            assert!(n <= limit, "post {} counts {n} > {limit}:\n{post}", i + 1);
            if total == 1 {
                return post.to_string();
            }
            let marker = format!("\n\n{}/{total}", i + 1);
            post.strip_suffix(&marker)
                .unwrap_or_else(|| panic!("post {} does not end with `{marker}`:\n{post}", i + 1))
                .to_string()
        })
        .collect()
}

/// The built-in social template with its header replaced.
fn social_template(header: &str) -> String {
    let builtin = TEMPLATES
        .iter()
        .find(|(name, _)| *name == "social.txt.tera")
        .expect("social is built in")
        .1;
    let body = builtin.split_once("---#}").expect("it has a header").1;
    format!("{{#---\n{header}\n---#}}{body}")
}

/// A post with links far longer than the 23 characters X and Mastodon count them for.
fn post_with_long_links() -> String {
    let long = |i: usize| {
        format!(
            "https://example.org/archive/2024/03/a-rather-long-path-to-post-number-{i}/?ref=thread"
        )
    };
    let mut md = String::from("---\ntitle: Links Everywhere\n---\n\n");
    for i in 0..8 {
        md.push_str(&format!(
            "Paragraph {i} points at [the source {i}]({}) and at {} as well, and says a few more words about why it matters to the people who read it.\n\n",
            long(i),
            long(i + 100)
        ));
    }
    md
}

#[test]
fn every_fixture_is_a_numbered_thread_of_posts_within_500() {
    let p = Project::built_fixtures();
    for (_, slug) in FIXTURES {
        let text = p.read(&format!("out/{slug}/social.txt"));
        let mastodon = posts(
            &text,
            500,
            Counter {
                url_length: Some(23),
            },
        );
        // The fixtures' links are short enough that counting them whole fits too.
        let whole = posts(&text, 500, Counter::default());
        // The short post fits one post, which then has no marker.
        assert_eq!(mastodon.len() == 1, slug == "plain-notes", "{slug}: {text}");
        assert_eq!(mastodon, whole);
        let title = TITLES.iter().find(|(s, _)| *s == slug).unwrap().1;
        assert!(
            mastodon[0].starts_with(&format!("{title}\n\n")),
            "{slug}: the title opens the thread: {}",
            mastodon[0]
        );
        let canonical = format!("https://example.com/blog/{slug}/");
        let last = mastodon.last().unwrap();
        assert!(
            last.ends_with(&format!("\n\n{canonical}")),
            "{slug}: the canonical link closes it: {last}"
        );
        assert_eq!(
            text.lines().filter(|line| *line == canonical).count(),
            1,
            "{slug}: the link is in the last post only"
        );
        assert!(
            !text.contains("**") && !text.contains("]("),
            "{slug}: plain text, no Markdown"
        );
    }
}

#[test]
fn x_counts_every_link_as_23_characters() {
    let p = Project::new();
    p.write("posts/links.md", &post_with_long_links());
    p.write(
        "templates/social.txt.tera",
        &social_template("description: X\nmax_chars: 280\nurl_length: 23"),
    );
    p.run(&["build", "posts", "--venue", "social"])
        .expect_code(0);
    let text = p.read("out/links/social.txt");
    let x = Counter {
        url_length: Some(23),
    };
    let posts = posts(&text, 280, x);
    assert!(
        posts.iter().any(|post| graphemes(post) > 280),
        "some post is longer than 280 as typed, which only counting links as 23 allows: {posts:#?}"
    );
    for i in 0..8 {
        let url = format!(
            "https://example.org/archive/2024/03/a-rather-long-path-to-post-number-{i}/?ref=thread"
        );
        assert!(
            posts
                .iter()
                .any(|post| post.contains(&format!("the source {i} ({url})"))),
            "link {i} whole, with its text"
        );
    }
}

#[test]
fn bluesky_counts_links_whole_and_never_splits_them() {
    let p = Project::new();
    p.write("posts/links.md", &post_with_long_links());
    p.write(
        "templates/bluesky.txt.tera",
        &social_template("description: Bluesky\nmax_chars: 300"),
    );
    p.run(&["build", "posts", "--venue", "bluesky"])
        .expect_code(0);
    let text = p.read("out/links/bluesky.txt");
    let posts = posts(&text, 300, Counter::default());
    for i in (0..8).chain(100..108) {
        let url = format!(
            "https://example.org/archive/2024/03/a-rather-long-path-to-post-number-{i}/?ref=thread"
        );
        assert!(
            posts.iter().any(|post| post.contains(&url)),
            "{url} whole in one post"
        );
    }
}

#[test]
fn emoji_cjk_and_a_600_character_word_stay_within_the_limit() {
    let p = Project::new();
    let word = "supercalifragilistic".repeat(30);
    p.write(
        "posts/wide.md",
        &format!(
            "---\ntitle: Wide 🌍 Text\n---\n\n{}\n\n{}\n\n{word} and after.\n",
            "Café au lait 👩‍👩‍👧‍👦 🇫🇷 👍🏽. ".repeat(40),
            "今日は小さな読者について書きます。".repeat(30)
        ),
    );
    p.run(&["build", "posts", "--venue", "social"])
        .expect_code(0);
    let text = p.read("out/wide/social.txt");
    let posts = posts(
        &text,
        500,
        Counter {
            url_length: Some(23),
        },
    );
    assert!(posts[0].starts_with("Wide 🌍 Text\n\n"));
    let joined: String = posts.iter().map(|p| p.trim_end_matches('…')).collect();
    assert!(joined.contains(&word), "the long word's parts, in order");
    assert!(
        posts
            .iter()
            .any(|p| p.chars().count() > 500 && graphemes(p) <= 500),
        "counted by cluster: the family emoji is seven code points and one character"
    );
}

#[test]
fn a_thread_template_with_too_small_a_limit_is_refused_by_name() {
    let p = Project::with_fixtures(&["plain-notes.md"]);
    p.write(
        "templates/tiny.txt.tera",
        &social_template("description: Tiny\nmax_chars: 20"),
    );
    let run = p.run(&["build", "posts"]).expect_code(1);
    run.expect_stderr_contains("error: templates/tiny.txt.tera: not loaded: `max_chars: 20` is too small for `thread`: a thread needs at least 50 characters a post");
    assert!(
        p.exists("out/plain-notes/social.txt"),
        "the other venues are built"
    );
    assert!(!p.exists("out/plain-notes/tiny.txt"));
}
