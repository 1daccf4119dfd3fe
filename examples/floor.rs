//! The floor for `bench/compare.sh`: the least work a build of the same posts could do.
//!
//! `cargo run --release --example floor -- IN_DIR OUT_DIR` walks IN_DIR for `*.md`, and for
//! each post reads it, skips its YAML front matter (no YAML parsing), parses the body once
//! with pulldown-cmark (the options `repurpose` uses), renders it eight times to HTML and
//! writes `OUT_DIR/<stem>/{1..8}.html` — the same number of files per post as
//! `repurpose build` with every built-in venue (newsletter writes two). Posts are shared
//! among as many threads as rayon would use (`RAYON_NUM_THREADS`, else the number of CPUs).
//!
//! `floor --compare IN_DIR OUT_DIR` does the same reading, parsing and rendering, then reads
//! each file a run without `--compare` wrote and compares it with the new bytes, writing
//! nothing — the work of `repurpose build --force` over unchanged outputs, whose CPU is held
//! against it. It exits 1 when a file is missing or differs.
//!
//! `floor --atomic IN_DIR OUT_DIR` writes as a build must that never leaves a file
//! half-written: each file to a new temporary file beside it, then renamed over it (no
//! fsync, as `repurpose` does not) — the least a crash-safe writer does per file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use pulldown_cmark::{Event, Parser, html};

/// Files written per post: one per output of the built-in venues.
const FILES_PER_POST: usize = 8;

fn main() {
    let mut args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let mode = match args.first().and_then(|arg| arg.to_str()) {
        Some("--compare") => Mode::Compare,
        Some("--atomic") => Mode::Atomic,
        _ => Mode::Write,
    };
    if mode != Mode::Write {
        args.remove(0);
    }
    let [input, out] = args.as_slice() else {
        eprintln!("usage: floor [--compare | --atomic] IN_DIR OUT_DIR");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut posts = Vec::new();
    walk(input, &mut posts);
    posts.sort();

    let next = AtomicUsize::new(0);
    let different = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads() {
            scope.spawn(|| {
                while let Some(path) = posts.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let differ = build(path, out, mode);
                    different.fetch_add(differ, Ordering::Relaxed);
                }
            });
        }
    });
    let different = different.into_inner();
    eprintln!(
        "floor: {} posts, {} files {} in {:.3}s",
        posts.len(),
        posts.len() * FILES_PER_POST,
        if mode == Mode::Compare {
            "compared"
        } else {
            "written"
        },
        started.elapsed().as_secs_f64()
    );
    if different > 0 {
        eprintln!(
            "floor: {different} files missing or different under `{}`",
            out.display()
        );
        std::process::exit(1);
    }
}

/// What the floor does with the pages it renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Writes each file in place (`std::fs::write`).
    Write,
    /// Writes each file to a temporary file beside it, then renames it into place.
    Atomic,
    /// Compares each file with the one in place, writing nothing.
    Compare,
}

/// The number of worker threads, chosen as rayon chooses its default.
fn threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// Every `*.md` file under `dir`, hidden folders skipped.
fn walk(dir: &Path, posts: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read folder `{}`: {e}", dir.display()));
    for entry in entries {
        let entry = entry.expect("cannot read a folder entry");
        let path = entry.path();
        let file_type = entry.file_type().expect("cannot read a file type");
        if file_type.is_dir() {
            if !entry.file_name().to_string_lossy().starts_with('.') {
                walk(&path, posts);
            }
        } else if path.extension().is_some_and(|ext| ext == "md") {
            posts.push(path);
        }
    }
}

/// Reads, parses once and renders one post eight times, then writes its files (`mode`), or
/// reads them and compares; returns how many were missing or different.
fn build(path: &Path, out: &Path, mode: Mode) -> usize {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read `{}` as UTF-8 text: {e}", path.display()));
    let events: Vec<Event<'_>> =
        Parser::new_ext(body(&text), repurpose::markdown::parse::options()).collect();
    let stem = path.file_stem().expect("a post file has a name");
    let dir = out.join(stem);
    if mode != Mode::Compare {
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create `{}`: {e}", dir.display()));
    }
    let mut different = 0;
    for n in 1..=FILES_PER_POST {
        let mut page = String::with_capacity(text.len() * 2);
        html::push_html(&mut page, events.iter().cloned());
        let file = dir.join(format!("{n}.html"));
        match mode {
            Mode::Compare => {
                // As `repurpose` checks a file before writing it: its length, then its bytes.
                let same = std::fs::symlink_metadata(&file).is_ok_and(|meta| {
                    meta.len() == page.len() as u64
                        && std::fs::read(&file).is_ok_and(|old| old == page.as_bytes())
                });
                different += usize::from(!same);
            }
            Mode::Write => std::fs::write(&file, page)
                .unwrap_or_else(|e| panic!("cannot write `{}`: {e}", file.display())),
            Mode::Atomic => {
                use std::io::Write as _;
                let mut tmp = tempfile::NamedTempFile::new_in(&dir)
                    .unwrap_or_else(|e| panic!("cannot create a file in `{}`: {e}", dir.display()));
                tmp.write_all(page.as_bytes())
                    .and_then(|()| tmp.persist(&file).map(drop).map_err(|e| e.error))
                    .unwrap_or_else(|e| panic!("cannot write `{}`: {e}", file.display()));
            }
        }
    }
    different
}

/// The text after the front matter: everything after the second `---` line when the file
/// opens with one, else the whole text.
fn body(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    if lines.next().map(str::trim_end) != Some("---") {
        return text;
    }
    let mut offset = text.find('\n').map_or(text.len(), |i| i + 1);
    for line in lines {
        offset += line.len();
        if line.trim_end() == "---" {
            return &text[offset..];
        }
    }
    text
}
