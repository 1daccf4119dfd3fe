//! The thread's rules, one test each, and the promises it keeps on generated text.

use proptest::prelude::*;

use super::*;

const CANONICAL: &str = "https://example.com/blog/post/";

fn counter(url_length: Option<usize>) -> Counter {
    Counter { url_length }
}

/// The thread of `md` titled `Title`, closing on `CANONICAL`, as texts.
fn posts_of(md: &str, limit: usize, url_length: Option<usize>) -> Vec<String> {
    let events = crate::markdown::parse::events(md);
    let opts = RenderOptions {
        base_url: Some(CANONICAL.to_string()),
        ..RenderOptions::default()
    };
    let frame = Frame {
        title: "Title",
        question: "",
        closing: CANONICAL,
    };
    let posts = thread(frame, &events, &opts, limit, counter(url_length));
    check(&posts, limit, counter(url_length));
    // The same thread when its blocks are never held but walked again for each packing.
    let walked = thread_holding(frame, &events, &opts, limit, counter(url_length), 0);
    assert_eq!(walked, posts, "walked again");
    posts.into_iter().map(|p| p.text).collect()
}

/// The promises every thread keeps: each post within the limit, numbered 1/N … N/N (no
/// marker on a lone post), none empty.
fn check(posts: &[ThreadPost], limit: usize, counter: Counter) {
    let total = posts.len();
    assert!(total >= 1);
    for (i, post) in posts.iter().enumerate() {
        let n = counter.count(&post.text);
        assert!(
            n <= limit,
            "post {} is {n} > {limit}:\n{}",
            i + 1,
            post.text
        );
        assert_eq!((post.number, post.total), (i + 1, total));
        let body = without_marker(&post.text, i + 1, total);
        assert!(!body.trim().is_empty(), "post {} is empty", i + 1);
    }
}

/// A post's text without its `\n\nn/N` marker (which must be there when N > 1).
fn without_marker(text: &str, number: usize, total: usize) -> &str {
    if total == 1 {
        assert!(!text.ends_with("1/1"), "{text}");
        return text;
    }
    let marker = format!("\n\n{number}/{total}");
    text.strip_suffix(&marker)
        .unwrap_or_else(|| panic!("post {number} lacks `{number}/{total}`:\n{text}"))
}

fn bodies(posts: &[String]) -> Vec<&str> {
    let total = posts.len();
    posts
        .iter()
        .enumerate()
        .map(|(i, p)| without_marker(p, i + 1, total))
        .collect()
}

fn sentence(words: usize, seed: &str) -> String {
    let mut s = (0..words)
        .map(|i| format!("{seed}{i}"))
        .collect::<Vec<_>>()
        .join(" ");
    s.push('.');
    s
}

#[test]
fn raw_html_reads_as_the_paragraphs_a_browser_shows() {
    let posts = posts_of("<p>One</p><p>Two</p>\n", 500, None);
    assert_eq!(posts.len(), 1);
    assert!(posts[0].contains("One\n\nTwo"), "{}", posts[0]);
}

#[test]
fn a_short_post_is_one_post_without_a_marker() {
    let posts = posts_of("Just a line.", 500, None);
    assert_eq!(posts, [format!("Title\n\nJust a line.\n\n{CANONICAL}")]);
}

#[test]
fn posts_are_numbered_the_title_first_and_the_link_last() {
    let md = [sentence(40, "a"), sentence(40, "b"), sentence(40, "c")].join("\n\n");
    let posts = posts_of(&md, 200, None);
    assert!(posts.len() > 2, "{posts:#?}");
    assert!(posts[0].starts_with("Title\n\na0 a1"), "{}", posts[0]);
    let last = posts.last().unwrap();
    assert!(
        last.ends_with(&format!("{CANONICAL}\n\n{0}/{0}", posts.len())),
        "{last}"
    );
    assert_eq!(posts.iter().filter(|p| p.contains(CANONICAL)).count(), 1);
}

#[test]
fn posts_end_between_paragraphs_rather_than_inside_one() {
    // Each paragraph fits a post of its own, but not two together.
    let one = sentence(20, "one");
    let two = sentence(20, "two");
    let posts = posts_of(&format!("{one}\n\n{two}"), 200, None);
    let bodies = bodies(&posts);
    assert_eq!(bodies[0], format!("Title\n\n{one}"));
    assert!(
        bodies[1].starts_with(&format!("{two}\n\n")),
        "{}",
        bodies[1]
    );
    assert!(!posts.concat().contains('…'));
}

#[test]
fn a_paragraph_longer_than_a_post_splits_between_sentences() {
    let para = (0..12)
        .map(|i| sentence(6, &format!("s{i}w")))
        .collect::<Vec<_>>()
        .join(" ");
    let posts = posts_of(&para, 120, None);
    let bodies = bodies(&posts);
    assert!(bodies.len() > 3);
    for body in &bodies[..bodies.len() - 1] {
        assert!(body.ends_with('.'), "ends on a sentence: {body}");
        assert!(!body.contains('…'), "{body}");
    }
}

#[test]
fn a_sentence_longer_than_a_post_is_cut_at_a_word_with_an_ellipsis() {
    let long = sentence(80, "w");
    let posts = posts_of(&long, 100, None);
    let bodies = bodies(&posts);
    // The title's post takes what fits of the sentence, then each post goes on.
    for body in &bodies[..bodies.len() - 2] {
        assert!(body.ends_with('…'), "{body}");
        let last_word = body.trim_end_matches('…').rsplit(' ').next().unwrap();
        assert!(
            last_word.starts_with('w') && last_word[1..].parse::<usize>().is_ok(),
            "cut between words: {body}"
        );
    }
    let words: Vec<String> = bodies
        .iter()
        .flat_map(|b| b.split_whitespace())
        .map(|w| w.trim_end_matches('…').to_string())
        .collect();
    let mut expected: Vec<String> = vec!["Title".into()];
    expected.extend(long.trim_end_matches('.').split(' ').map(String::from));
    expected.push(CANONICAL.into());
    let last = expected.len() - 2;
    expected[last].push('.');
    assert_eq!(words, expected);
}

#[test]
fn links_and_code_spans_are_never_split() {
    let filler = sentence(8, "f").trim_end_matches('.').to_string();
    let md = format!(
        "{filler} [a link with several words](https://example.org/some/page) and `a code span with spaces` then {filler} [another link here](https://example.org/x) end"
    );
    // From the first limit at which the longer link fits a post of its own.
    for limit in 66..=160 {
        let posts = posts_of(&md, limit, None);
        let all = posts.join("\n");
        assert!(
            all.contains("a link with several words (https://example.org/some/page)"),
            "limit {limit}: {posts:#?}"
        );
        assert!(all.contains("a code span with spaces"), "limit {limit}");
        assert!(all.contains("another link here (https://example.org/x)"));
    }
}

#[test]
fn urls_count_whole_or_as_the_network_counts_them() {
    let url = format!("https://example.com/{}", "segment/".repeat(12));
    let md = format!("{} Read {url} today.", sentence(40, "w"));
    let whole = posts_of(&md, 280, None);
    let x = posts_of(&md, 280, Some(23));
    assert!(whole.len() > 1, "{whole:#?}");
    assert_eq!(x.len(), 1, "at 23 characters a link, it fits: {x:#?}");
    assert!(x[0].chars().count() > 280, "longer than 280 as typed");
    assert!(counter(Some(23)).count(&x[0]) <= 280);
}

#[test]
fn a_600_character_word_is_cut_into_posts_that_fit() {
    let word: String = "abcdefghij".repeat(60);
    let posts = posts_of(&format!("Before {word} after."), 280, None);
    let bodies = bodies(&posts);
    let joined: String = bodies
        .iter()
        .map(|b| b.trim_end_matches('…'))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        joined.replace("\n", "").contains(&word),
        "the word's parts, in order: {bodies:#?}"
    );
    assert!(bodies[0].ends_with('…') && bodies[1].ends_with('…'));
}

#[test]
fn emoji_cjk_and_accents_count_as_one() {
    let emoji = "👩‍👩‍👧‍👦 👍🏽 🇫🇷 ".repeat(60);
    let posts = posts_of(&emoji, 100, None);
    assert!(posts.len() > 1);
    for post in &posts {
        assert!(graphemes(post) <= 100);
    }
    assert!(
        posts[0].chars().count() > 100,
        "counted by cluster, not by code point: {}",
        posts[0]
    );
    assert!(posts.concat().matches("👩‍👩‍👧‍👦").count() == 60);

    let accents = "e\u{301}te\u{301} ".repeat(100);
    for post in posts_of(&accents, 60, None) {
        assert!(graphemes(&post) <= 60);
        assert!(
            !post.contains("e…\u{301}"),
            "never between a letter and its accent"
        );
    }
}

#[test]
fn cjk_splits_after_full_stops_and_between_characters() {
    let sentence_ja = "今日は小さな読者について書きます。";
    let para = sentence_ja.repeat(12);
    let posts = posts_of(&para, 60, None);
    let bodies = bodies(&posts);
    for body in &bodies[1..bodies.len() - 1] {
        assert!(body.ends_with('。'), "ends on a full stop: {body}");
    }
    let run = "日本語".repeat(100);
    let posts = posts_of(&run, 60, None);
    let joined: String = bodies_owned(&posts)
        .iter()
        .map(|b| b.trim_end_matches('…').to_string())
        .collect();
    assert!(joined.contains(&run));
}

fn bodies_owned(posts: &[String]) -> Vec<String> {
    bodies(posts).into_iter().map(String::from).collect()
}

#[test]
fn a_heading_stays_with_what_it_introduces() {
    // The first paragraph and the heading fit the first post, the second paragraph not.
    let md = format!(
        "{}\n\n## Next part\n\n{}",
        sentence(25, "a"),
        sentence(25, "b")
    );
    let posts = posts_of(&md, 160, None);
    let bodies = bodies(&posts);
    let at = bodies.iter().position(|b| b.contains("Next part")).unwrap();
    assert!(bodies[at].starts_with("Next part\n\nb0"), "{bodies:#?}");
}

#[test]
fn markers_widen_past_nine_posts_and_still_fit() {
    let md = (0..30)
        .map(|i| sentence(9, &format!("p{i}x")))
        .collect::<Vec<_>>()
        .join("\n\n");
    let posts = posts_of(&md, 60, None);
    assert!(posts.len() >= 10, "{}", posts.len());
    let total = posts.len();
    assert!(posts[9].ends_with(&format!("\n\n10/{total}")));
}

#[test]
fn lists_quotes_and_code_keep_their_shape() {
    let md = "- one\n- two\n  1. nested\n\n> quoted *text*\n\n```\nfn main() {\n    go();\n}\n```\n\n| A | B |\n|---|---|\n| 1 | 2 |\n\nSee[^n].\n\n[^n]: The note.\n";
    let posts = posts_of(md, 500, None);
    assert_eq!(
        posts,
        [format!(
            "Title\n\n• one\n• two\n  1. nested\n\n> quoted text\n\nfn main() {{\n    go();\n}}\n\nA | B\n1 | 2\n\nSee¹.\n\n¹ The note.\n\n{CANONICAL}"
        )]
    );
}

#[test]
fn relative_links_resolve_and_unusable_ones_show_their_text() {
    let md = "A [page](../other/), [script](javascript:alert(1)) and <https://e.org/x>.";
    let posts = posts_of(md, 500, None);
    assert!(
        posts[0].contains("A page (https://example.com/blog/other/), script and https://e.org/x."),
        "{}",
        posts[0]
    );
}

/// An image in another's alt text gives its text to the outer one, as in HTML's `alt` and
/// the text format: written whole at every level, nested images once took the thread
/// seconds (the alt text copied again per level).
#[test]
fn an_image_inside_alt_text_adds_only_its_text() {
    let md = "See ![a ![b [c](https://e.com/l) ![d](https://e.com/d.png)](https://e.com/i.png) e](https://e.com/o.png) here.";
    let posts = posts_of(md, 500, None);
    assert!(
        posts[0].contains("See [Image: a b c d e] (https://e.com/o.png) here."),
        "{}",
        posts[0]
    );
}

#[test]
fn a_url_longer_than_a_post_is_cut_at_a_boundary_and_still_fits() {
    let url = format!("https://example.com/{}", "very-long-path/".repeat(30));
    let posts = posts_of(&format!("See {url}"), 120, None);
    for body in bodies(&posts).iter().take(posts.len() - 1).skip(1) {
        assert!(body.ends_with('…'), "{body}");
    }
}

#[test]
fn the_closing_link_takes_the_last_sentence_along() {
    // The paragraph fills the first post; the link would stand alone in the second.
    let md = format!("{} What do you think?", sentence(24, "w"));
    let posts = posts_of(&md, 140, None);
    let bodies = bodies(&posts);
    assert_eq!(bodies.len(), 2, "{bodies:#?}");
    assert!(bodies[0].ends_with("w23."), "{}", bodies[0]);
    assert_eq!(bodies[1], format!("What do you think?\n\n{CANONICAL}"));
}

#[test]
fn the_question_closes_the_thread_before_the_link() {
    let events = crate::markdown::parse::events("Body.");
    let frame = Frame {
        title: "Title",
        question: "And you?",
        closing: CANONICAL,
    };
    let posts = thread(
        frame,
        &events,
        &RenderOptions::default(),
        500,
        Counter::default(),
    );
    assert_eq!(
        posts[0].text,
        format!("Title\n\nBody.\n\nAnd you?\n\n{CANONICAL}")
    );
}

#[test]
fn a_title_longer_than_a_post_goes_on_in_the_next() {
    let events = crate::markdown::parse::events("Body.");
    let title = sentence(30, "t");
    let frame = Frame {
        title: &title,
        question: "",
        closing: "",
    };
    let posts = thread(
        frame,
        &events,
        &RenderOptions::default(),
        60,
        Counter::default(),
    );
    check(&posts, 60, Counter::default());
    let texts: Vec<String> = posts.into_iter().map(|p| p.text).collect();
    let bodies = bodies(&texts);
    assert!(bodies[0].starts_with("t0 t1") && bodies[0].ends_with('…'));
    for body in &bodies {
        let last = body.trim_end_matches('…').rsplit(' ').next().unwrap();
        assert!(
            !last.is_empty() && last.trim_end_matches('.').len() > 1,
            "{body}"
        );
    }
    assert!(
        bodies.last().unwrap().ends_with("t29.\n\nBody."),
        "{bodies:#?}"
    );
}

// ----- generated text -----

/// A word: letters with optional trailing punctuation, an emoji, CJK, or an accent.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => ("[a-zA-Z]{1,12}", "[.,!?]?").prop_map(|(w, p)| format!("{w}{p}")),
        1 => prop::sample::select(vec!["👍🏽", "🇫🇷", "👩‍👩‍👧‍👦", "日本語", "café", "e\u{301}té", "Ωmega"])
            .prop_map(String::from),
        // Short enough to fit the smallest post whole: longer ones are cut (tested above).
        1 => "[a-z0-9/]{0,20}".prop_map(|path| format!("https://example.com/{path}x")),
    ]
}

fn paragraphs() -> impl Strategy<Value = Vec<Vec<String>>> {
    prop::collection::vec(prop::collection::vec(word(), 1..60), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn clusters_count_as_segmentation_counts_them(
        chars in prop::collection::vec(prop::sample::select(vec![
            'a', ' ', '\r', '\n', '’', '“', '—', '…', 'é', 'Ł', '\u{AD}', '©', '\u{2028}',
            '\u{301}', '\u{200D}', '\u{FE0F}', '\u{1F3FB}', '👍', '🇫', '한', '\u{1160}',
        ]), 0..12),
    ) {
        use unicode_segmentation::UnicodeSegmentation;
        let text: String = chars.into_iter().collect();
        prop_assert_eq!(graphemes(&text), text.graphemes(true).count(), "{:?}", text);
    }

    #[test]
    fn generated_threads_fit_are_numbered_and_keep_every_word_in_order(
        paras in paragraphs(),
        limit in 50usize..600,
        x in any::<bool>(),
    ) {
        let url_length = x.then_some(23);
        let md = paras
            .iter()
            .map(|p| p.join(" "))
            .collect::<Vec<_>>()
            .join("\n\n");
        let posts = posts_of(&md, limit, url_length);
        let bodies = bodies(&posts);
        // Every word in order: the posts' words, less the `…` that marks a cut.
        let got: Vec<&str> = bodies
            .iter()
            .flat_map(|b| b.split_whitespace())
            .map(|w| w.strip_suffix('…').unwrap_or(w))
            .collect();
        let mut want: Vec<&str> = vec!["Title"];
        want.extend(paras.iter().flatten().map(String::as_str));
        want.push(CANONICAL);
        prop_assert_eq!(got, want);
        // No URL broken: each is whole in one post.
        for url in paras.iter().flatten().filter(|w| w.starts_with("https://")) {
            prop_assert!(bodies.iter().any(|b| b.contains(url.as_str())), "{} broken", url);
        }
    }

    #[test]
    fn generated_markdown_never_overflows(
        lines in prop::collection::vec(
            prop_oneof![
                word(),
                Just("- ".to_string()),
                Just("> ".to_string()),
                Just("1. ".to_string()),
                Just("\n".to_string()),
                Just("\n\n".to_string()),
                Just("```\ncode line\n```".to_string()),
                Just("[link text](https://example.org/a/b)".to_string()),
                Just("`code span`".to_string()),
                Just("## Heading".to_string()),
                Just("x[^1]\n\n[^1]: note".to_string()),
                Just("<b>raw</b><script>x</script>".to_string()),
            ],
            1..200,
        ),
        limit in 50usize..400,
        x in any::<bool>(),
    ) {
        // `posts_of` checks the limit and the numbering.
        posts_of(&lines.join(" "), limit, x.then_some(23));
    }
}

#[test]
fn degradations_are_what_the_output_shows() {
    use crate::render::Construct;
    for construct in Construct::ALL {
        let out = posts_of(construct.sample(), 500, Some(23)).join("\n");
        let kept = match construct {
            Construct::Table => out.contains("|---"),
            Construct::HtmlBlock => out.contains("<div"),
            Construct::InlineHtml => out.contains("<kbd>"),
            Construct::LineBreakTag => out.contains("one\ntwo"),
            Construct::CodeSpan => out.contains("`run()`"),
            Construct::Strikethrough => out.contains("~~free~~"),
            Construct::Image { alt: true } => out.contains("A chart") && out.contains("c.png"),
            Construct::Image { alt: false } => out.contains("c.png"),
            Construct::HeadingAttributes | Construct::HeadingCustomAttributes => {
                out.contains("{#setup")
            }
            Construct::ListStart => out.contains("7. seven"),
        };
        assert_eq!(
            super::degradation(construct).is_none(),
            kept,
            "{construct:?} becomes:\n{out}"
        );
    }
}

#[test]
fn blocks_taking_more_than_the_hold_are_walked_again_not_kept() {
    let md = "A paragraph of a few words. Then another sentence.\n\n".repeat(2_000)
        + "- an item\n- another\n\n> a quote[^n]\n\n[^n]: A note.\n";
    let events = crate::markdown::parse::events(&md);
    let opts = RenderOptions::default();
    let (main, notes) = crate::markdown::split_footnotes(&events, None);
    let source = Source {
        frame: Frame {
            title: "Title",
            question: "What do you think?",
            closing: CANONICAL,
        },
        main: &main,
        notes: &notes,
        opts: &opts,
        counter: counter(Some(23)),
    };
    let held = measure(&source, HOLD);
    let Blocks::Held(blocks) = &held.blocks else {
        panic!("a small post's blocks are kept");
    };
    // The title, 2,000 paragraphs, two items, the quote, the note, the question, the link.
    assert_eq!(blocks.len(), 2_007);
    let walked = measure(&source, 100_000);
    assert!(matches!(walked.blocks, Blocks::Walked(_)));
    assert_eq!((walked.whole, walked.floor), (held.whole, held.floor));
    assert_eq!(
        split(&source, 500, counter(Some(23)), 100_000),
        split(&source, 500, counter(Some(23)), HOLD)
    );
}
