//! Linear work, counted in instructions: each shape that once made a format slower than
//! linear is built at `n` and at `4 n` under valgrind's cachegrind, and the larger may
//! execute at most 4.5 times the instructions of the smaller (a quadratic pass makes 16).
//!
//! The count does not move with the machine's load or its caches, unlike the CPU times
//! `tests/robustness.rs` compares: a post with hundreds of thousands of footnotes runs
//! exactly 4.0 times the instructions at 4 n, but takes 5 to 6 times as long, because its
//! label tables outgrow the caches (cachegrind: 5.3 times the last-level misses). Time is
//! a benchmark's business; whether the work grows in proportion is these tests'.
//!
//! They need valgrind and a release build:
//! `cargo test --release --test instructions -- --ignored`; they may run side by side,
//! since the counts do not depend on the load. Without
//! valgrind they pass with a note, unless `REPURPOSE_REQUIRE_FAULTS` (set by `.ci/run`)
//! says this run must have the tools.

use std::process::Command;

/// Instructions the binary executes to build `text` as a post with every built-in venue,
/// or `None` when valgrind cannot run here.
fn instructions(text: &str) -> Option<u64> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join("post.md"), text).expect("the post is written");
    // The image the nested-images shape shows: a post's local image must exist.
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(1, 1)
        .write_to(&mut png, image::ImageFormat::Png)
        .expect("a 1-pixel PNG");
    std::fs::write(dir.path().join("i.png"), png.into_inner()).expect("the image is written");
    let run = Command::new("valgrind")
        .args([
            "--tool=cachegrind",
            "--cache-sim=no",
            "--cachegrind-out-file=/dev/null",
        ])
        .arg(env!("CARGO_BIN_EXE_repurpose"))
        .args(["build", "post.md", "-o", "out", "-q"])
        .current_dir(dir.path())
        .output();
    let run = match run {
        Ok(run) => run,
        Err(err) => {
            assert!(
                std::env::var_os("REPURPOSE_REQUIRE_FAULTS").is_none(),
                "REPURPOSE_REQUIRE_FAULTS is set but valgrind cannot run: {err}"
            );
            eprintln!("valgrind cannot run here ({err}); not counted");
            return None;
        }
    };
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "the build failed: {stderr}");
    assert!(
        dir.path().join("out/post/blog.html").exists(),
        "no outputs: {stderr}"
    );
    // `==123== I   refs:      1,404,516,391`
    let count = stderr
        .lines()
        .find_map(|line| {
            line.split_once("I   refs:")
                .map(|(_, n)| n.trim().replace(',', ""))
        })
        .and_then(|n| n.parse().ok());
    Some(count.unwrap_or_else(|| panic!("no instruction count in valgrind's report: {stderr}")))
}

/// `shape(4 n)` executes at most 4.5 times the instructions of `shape(n)`: 4 for the work
/// in proportion, and room for numbers gaining a digit.
fn builds_in_linear_work(name: &str, shape: fn(usize) -> String, n: usize) {
    let (Some(small), Some(large)) = (instructions(&shape(n)), instructions(&shape(4 * n))) else {
        return;
    };
    let ratio = large as f64 / small as f64;
    eprintln!("{name}: {small} instructions at n = {n}, {large} at 4n: {ratio:.2}×");
    assert!(
        ratio <= 4.5,
        "{name}: {small} instructions at n = {n}, {large} at 4n ({ratio:.2}×)"
    );
}

/// `n` footnotes, each referenced once in one paragraph and defined at the end, the habit
/// of most writers (the 1,000,000 footnotes, smaller).
fn footnotes(n: usize) -> String {
    let mut text = String::from("# Notes\n\n");
    for i in 0..n {
        text.push_str(&format!("Word[^{i}] "));
    }
    text.push_str("\n\n");
    for i in 0..n {
        text.push_str(&format!("[^{i}]: Note {i}.\n"));
    }
    text
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn many_footnotes_build_in_linear_work() {
    builds_in_linear_work("footnotes", footnotes, 5_000);
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn a_list_nested_on_one_line_builds_in_linear_work() {
    builds_in_linear_work("`- ` × n", |n| format!("{}deep\n", "- ".repeat(n)), 5_000);
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn one_enormous_word_builds_in_linear_work() {
    builds_in_linear_work("one word", |n| format!("{}\n", "a".repeat(n)), 100_000);
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn unpunctuated_ideographs_build_in_linear_work() {
    builds_in_linear_work(
        "ideographs",
        |n| {
            let mut text: String = ('\u{4e00}'..='\u{9fa5}').cycle().take(n).collect();
            text.push('\n');
            text
        },
        20_000,
    );
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn one_word_of_links_counted_whole_builds_in_linear_work() {
    // Links under a top-level domain Mastodon may not shorten count whole in the social
    // thread: a word of them is cut across many posts, each reading only what it holds.
    builds_in_linear_work(
        "(https://ci.internal/x) × n",
        |n| format!("{}\n", "(https://ci.internal/x)".repeat(n)),
        2_500,
    );
    builds_in_linear_work(
        "https://ci.internal/ × n",
        |n| format!("{}\n", "https://ci.internal/".repeat(n)),
        2_500,
    );
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn emoji_with_modifiers_build_in_linear_work() {
    builds_in_linear_work("👍🏽 × n", |n| format!("{}\n", "👍🏽".repeat(n)), 20_000);
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn nested_images_build_in_linear_work() {
    builds_in_linear_work(
        "nested images",
        |n| format!("{}x{}\n", "![".repeat(n), "](i.png)".repeat(n)),
        5_000,
    );
}

#[test]
#[ignore = "needs valgrind and a release build: --release --test instructions -- --ignored"]
fn a_long_flat_list_builds_in_linear_work() {
    builds_in_linear_work(
        "flat list",
        |n| format!("# List\n\n{}", "- item\n".repeat(n)),
        5_000,
    );
}
