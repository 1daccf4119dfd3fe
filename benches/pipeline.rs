//! Criterion benchmarks of the per-post pipeline: parse, each body format, each built-in
//! venue, and a whole post through every venue.
//!
//! The posts are generated at start by `../shared/bench/gen_corpus.py` (override with
//! `GEN_CORPUS=path`) into a temporary folder; when the generator or python3 is missing,
//! a small built-in sample stands in so `cargo bench` still runs. Each iteration goes
//! through every post, and the throughput is reported in posts per second.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use repurpose::config::Site;
use repurpose::pipeline::{Outputs, editions, render_post};
use repurpose::post::Post;
use repurpose::render::{Format, RenderOptions};
use repurpose::venue::{Catalog, Venue};

/// Posts generated for the benchmarks.
const POSTS: usize = 8;
/// The generator's seed: the same posts on every run and machine.
const SEED: &str = "7";

/// One post file's name and text.
struct Source {
    path: PathBuf,
    text: String,
}

fn sources() -> Vec<Source> {
    let generator = std::env::var_os("GEN_CORPUS").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/gen_corpus.py"),
        PathBuf::from,
    );
    match generated(&generator) {
        Ok(posts) => {
            eprintln!(
                "pipeline: {} posts from {} (seed {SEED}, medium)",
                posts.len(),
                generator.display()
            );
            posts
        }
        Err(why) => {
            eprintln!("pipeline: {why}; using {POSTS} built-in sample posts instead");
            (1..=POSTS).map(sample).collect()
        }
    }
}

/// Runs the generator into a temporary folder and reads what it wrote.
fn generated(generator: &Path) -> Result<Vec<Source>, String> {
    if !generator.is_file() {
        return Err(format!("no corpus generator at {}", generator.display()));
    }
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let status = Command::new("python3")
        .arg(generator)
        .arg(dir.path())
        .arg(POSTS.to_string())
        .args(["--seed", SEED, "--size", "medium"])
        .status()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    if !status.success() {
        return Err(format!("{} failed ({status})", generator.display()));
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .map_err(|e| format!("cannot read the generated posts: {e}"))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "md"))
        .collect();
    paths.sort();
    let posts: Vec<Source> = paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let name = path.file_name()?.to_owned();
            Some(Source {
                path: PathBuf::from(name),
                text,
            })
        })
        .collect();
    if posts.len() != POSTS {
        return Err(format!(
            "the generator wrote {} posts, not {POSTS}",
            posts.len()
        ));
    }
    Ok(posts)
}

/// A built-in post covering the constructs the generator writes.
fn sample(n: usize) -> Source {
    let text = format!(
        r#"---
title: "Sample post {n}: small audiences, long echoes"
date: 2024-03-{day:02}T09:30:00Z
author: "Maren Holt"
tags:
  - writing
  - community
summary: "A built-in stand-in for a generated post, used when the generator is missing."
slug: sample-post-{n}
---
Writing for a *small* audience is "different" --- not worse. It's the readers who
answer that shape a post[^1], and a [forum thread](https://example.com/forum/{n}) shows it.

## What changes when ten people read

1. **Replies arrive.** Each reader can be answered, one by one, in `reply_to()` order.
2. **Context is shared.** You can skip the basics -- they know them.
3. **Mistakes are cheap.** A ~~wrong~~ rough claim gets corrected in hours.

> A newsletter with forty readers is a conversation with forty friends.
>
> — Ximena Okafor

```rust
fn echo(post: &Post) -> Result<Venue, Error> {{
    let venue = post.render()?;
    Ok(venue)
}}
```

## Measuring the echo

| venue | readers | replies |
| :--- | ---: | ---: |
| forum | 120 | 14 |
| newsletter | 40 | 9 |

- [x] Post it on the forum
- [ ] Send the newsletter
  - with the excerpt only

![A harbor at dusk](https://img.example.com/2024/03/harbor-{n}.jpg "Harbor")

See the [archive][ref1] for older posts. Where have you seen a small audience make the
biggest echo?

[ref1]: https://example.com/blog/archive "Archive"

[^1]: Or at least the first draft of it.
"#,
        day = n % 28 + 1
    );
    Source {
        path: PathBuf::from(format!("sample-{n}.md")),
        text,
    }
}

fn configure<'a>(c: &'a mut Criterion, name: &str, posts: usize) -> BenchmarkGroup<'a, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(30)
        .throughput(Throughput::Elements(posts as u64));
    group
}

fn parse_all(sources: &[Source]) -> Vec<Post> {
    sources
        .iter()
        .map(|s| Post::parse(&s.path, &s.text).expect("a benchmark post parses"))
        .collect()
}

fn pipeline(c: &mut Criterion) {
    let sources = sources();
    let n = sources.len();
    let posts = parse_all(&sources);
    let catalog = Catalog::load(None).expect("the built-in templates load");
    let site: Site =
        serde_yaml::from_str("url: https://example.com/blog").expect("the site map parses");
    let venues: Vec<&Venue> = catalog.venues.iter().collect();

    let mut group = configure(c, "parse", n);
    group.bench_function("post", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(Post::parse(&s.path, black_box(&s.text)).expect("a post parses"));
            }
        });
    });
    group.finish();

    let opts = RenderOptions::default();
    let mut group = configure(c, "render", n);
    for format in Format::ALL {
        group.bench_function(format.name(), |b| {
            b.iter(|| {
                for post in &posts {
                    black_box(format.render(black_box(&post.events), &opts));
                }
            });
        });
    }
    group.finish();

    let mut group = configure(c, "venue", n);
    for venue in &venues {
        let only = [*venue];
        group.bench_function(venue.name.as_str(), |b| {
            b.iter(|| {
                for post in &posts {
                    let editions = editions(post, &only);
                    let Outputs { outputs, failures } =
                        render_post(post, &editions, &only, &catalog, &site);
                    assert!(failures.is_empty(), "venue `{}` failed", venue.name);
                    black_box(outputs);
                }
            });
        });
    }
    group.finish();

    let mut group = configure(c, "post", n);
    group.bench_function("all-venues", |b| {
        b.iter(|| {
            for s in &sources {
                let post = Post::parse(&s.path, black_box(&s.text)).expect("a post parses");
                let editions = editions(&post, &venues);
                let Outputs { outputs, failures } =
                    render_post(&post, &editions, &venues, &catalog, &site);
                assert!(
                    failures.is_empty(),
                    "a venue failed on {}",
                    s.path.display()
                );
                black_box(outputs);
            }
        });
    });
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
