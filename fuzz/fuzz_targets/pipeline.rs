//! Any bytes as a post, through the whole pipeline: parse, then every built-in venue
//! rendered in memory. Nothing may panic, and a few promises the outputs make must hold.
//!
//! From the repository root (`cargo install cargo-fuzz` once; cargo-fuzz passes nightly
//! flags, which a stable toolchain accepts with `RUSTC_BOOTSTRAP=1`; `-a` keeps debug
//! assertions and overflow checks on):
//!
//! ```text
//! RUSTC_BOOTSTRAP=1 cargo fuzz run -a pipeline -- -max_total_time=660 \
//!     -dict=fuzz/pipeline.dict -rss_limit_mb=2048 -timeout=30
//! ```
//!
//! A crash lands in `fuzz/artifacts/pipeline/`; `cargo fuzz tmin -a pipeline <file>`
//! minimises it. The seeds in `fuzz/corpus/pipeline/` are the fixture posts.

#![no_main]

use std::path::Path;
use std::sync::{LazyLock, Once};

use libfuzzer_sys::fuzz_target;
use repurpose::pipeline::{editions, render_post};
use repurpose::config::Site;
use repurpose::post::Post;
use repurpose::venue::Catalog;

/// Loaded once: compiling the templates per input would dwarf the work under test.
static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| Catalog::load(None).expect("the built-in templates load"));

/// A site with a URL, so canonical URLs, utm tags and relative-link resolution all run.
static SITE: LazyLock<Site> = LazyLock::new(|| {
    serde_yaml::from_str("url: https://example.com/blog\ntitle: Fuzz\nauthor: F. Uzz\n")
        .expect("the site map parses")
});

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts on every panic, including the pulldown-cmark panics
    // `repurpose::parse` catches and falls back from (a known upstream bug). Our hook,
    // installed over it, stays silent for those and passes every other panic on to it.
    HOOK.call_once(repurpose::parse::install_panic_hook);

    // The real path: `Post::load` accepts UTF-8 and refuses anything else. Invalid bytes
    // are still worth running, as the replacement characters a lossy decode leaves.
    let text = String::from_utf8_lossy(data);
    check(&text);
});

fn check(text: &str) {
    let Ok(post) = Post::parse(Path::new("posts/2024-01-02-fuzzed-post.md"), text) else {
        return;
    };
    let catalog = &*CATALOG;
    let venues: Vec<_> = catalog.venues.iter().collect();
    let editions = editions(&post, &venues);
    let (outputs, failures) = render_post(&post, &editions, &venues, catalog, &SITE);
    assert!(
        failures.is_empty(),
        "a built-in template failed: {:#}",
        failures[0]
    );
    for output in &outputs {
        let body = String::from_utf8(output.bytes.clone()).expect("outputs are UTF-8");
        assert!(!body.trim().is_empty(), "{} is empty", output.file);
        let lower = body.to_ascii_lowercase();
        match output.file.as_str() {
            "forum.bbcode" => {
                // Forums show `[code]` content verbatim, so a script URL there is only text.
                // The scheme is read as a browser reads it: `[url=javascriptx:…]` is an
                // unknown scheme, not script (the fuzzer found that one).
                for url in bbcode_urls(&outside_code(&lower)) {
                    assert!(!is_script_url(url), "unsafe `{url}` in\n{body}");
                }
            }
            // Text is escaped (`&lt;script`), raw HTML reduced to text: no script element.
            "newsletter.html" => assert!(!lower.contains("<script"), "{body}"),
            "article.md" => check_front_matter(&post, &body),
            _ => {}
        }
    }
}

/// The BBCode a forum parses: everything but the content of `[code]` blocks. Text from the
/// post never holds a literal `[code]` or `[/code]` (the renderer neutralises both), so
/// these are the renderer's own tags.
fn outside_code(bbcode: &str) -> String {
    let mut out = String::with_capacity(bbcode.len());
    let mut rest = bbcode;
    while let Some(open) = rest.find("[code]") {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find("[/code]")
            .map_or("", |close| &rest[open + close + 7..]);
    }
    out.push_str(rest);
    out
}

/// The targets of `[url=…]`, `[url]…[/url]` and `[img]…[/img]` in lower-cased BBCode.
fn bbcode_urls(bbcode: &str) -> Vec<&str> {
    let mut urls = Vec::new();
    for (open, close) in [("[url=", "]"), ("[url]", "[/url]"), ("[img]", "[/img]")] {
        let mut rest = bbcode;
        while let Some(at) = rest.find(open) {
            rest = &rest[at + open.len()..];
            urls.push(rest.find(close).map_or(rest, |end| &rest[..end]));
        }
    }
    urls
}

/// Whether a URL has a scheme that must never become a link or image (the guide's
/// promise, docs/errors.md), read as a browser reads it: ASCII whitespace and controls ignored, any case.
fn is_script_url(url: &str) -> bool {
    let scheme: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .take_while(|&c| c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    url.contains(':') && matches!(scheme.as_str(), "javascript" | "vbscript" | "data" | "file")
}

/// The article draft opens with YAML front matter whose title is the post's.
fn check_front_matter(post: &Post, article: &str) {
    let rest = article
        .strip_prefix("---\n")
        .expect("article.md opens with front matter");
    let end = rest
        .find("\n---\n")
        .expect("article.md front matter is closed");
    let yaml: serde_yaml::Mapping = serde_yaml::from_str(&rest[..end])
        .unwrap_or_else(|e| panic!("article.md front matter is not YAML: {e}\n{}", &rest[..end]));
    let title = yaml.get("title").and_then(serde_yaml::Value::as_str);
    assert_eq!(title, Some(post.title.as_str()), "article.md title");
}
