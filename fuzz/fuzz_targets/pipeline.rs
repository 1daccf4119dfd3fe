//! Any bytes as a post, through the whole pipeline: parse, then every built-in venue
//! rendered in memory. Nothing may panic, and the promises the outputs make must hold: the
//! same checks as the proptest's, from `tests/support/oracles.rs`.
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

// Each includer uses a part of the oracles (this one never reads the byte counts).
#[allow(dead_code)]
#[path = "../../tests/support/oracles.rs"]
mod oracles;

use std::path::Path;
use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use oracles::{Html, build_post, check_outputs};
use repurpose::post::Post;

static HOOK: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    // libFuzzer's panic hook aborts on every panic, including the pulldown-cmark panics
    // `repurpose::markdown::parse` catches and falls back from (a known upstream bug). Our hook,
    // installed over it, stays silent for those and passes every other panic on to it.
    HOOK.call_once(repurpose::markdown::parse::install_panic_hook);

    // The real path: `Post::load` accepts UTF-8 and refuses anything else. Invalid bytes
    // are still worth running, as the replacement characters a lossy decode leaves.
    let text = String::from_utf8_lossy(data);
    let Ok(post) = Post::parse(Path::new("posts/2024-01-02-fuzzed-post.md"), &text) else {
        return;
    };
    // Inputs are small (libFuzzer's `-max_len`), so the newsletter is parsed as a browser
    // would parse it.
    check_outputs(&build_post(post, &text), Html::Parsed);
});
