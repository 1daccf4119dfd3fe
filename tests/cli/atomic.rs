//! Nothing lost: a build killed part-way leaves every file old-and-complete or new.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::harness::Project;

/// Posts in the build; enough that it is still running when it is killed.
const POSTS: usize = 160;

fn post(i: usize, version: &str) -> String {
    let paragraph = format!(
        "This is the {version} version of post {i}, with *emphasis*, a [link](https://example.com/{i}/) and enough words to make each file worth writing. "
    )
    .repeat(6);
    format!(
        "---\ntitle: \"Post {i} ({version})\"\ndate: 2024-01-01\n---\n\n{paragraph}\n\n## A section\n\n{paragraph}\n\n1. one {version}\n2. two {version}\n\nWhat do you think?\n"
    )
}

/// Every file under `dir`, by path relative to it.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk the output folder");
        // The lock file holds the run's journal: not an output.
        if entry.file_type().is_file() && entry.file_name() != ".repurpose.lock" {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("inside")
                .display()
                .to_string();
            out.insert(rel, std::fs::read(entry.path()).expect("read output"));
        }
    }
    out
}

#[test]
fn a_killed_build_leaves_each_file_old_or_new_and_the_next_build_finishes_it() {
    let p = Project::new();
    for i in 0..POSTS {
        p.write(&format!("posts/p{i:04}.md"), &post(i, "old"));
    }
    p.run(&["build", "posts"]).expect_code(0);
    let old = files(&p.path().join("out"));
    for i in 0..POSTS {
        p.write(&format!("posts/p{i:04}.md"), &post(i, "new"));
    }
    p.run(&["build", "posts", "-o", "expected"]).expect_code(0);
    let new = files(&p.path().join("expected"));
    assert_eq!(old.len(), new.len());

    let mut child = Command::new(assert_cmd::cargo::cargo_bin("repurpose"))
        .args(["build", "posts"])
        .current_dir(p.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let built = BufReader::new(stdout).lines().take(POSTS / 8).count();
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    assert_eq!(built, POSTS / 8, "the build was still running when killed");

    let now = files(&p.path().join("out"));
    let (mut same_as_old, mut same_as_new) = (0, 0);
    for (path, bytes) in &now {
        if path.ends_with(".tmp") {
            continue; // a temporary file the kill interrupted; never an output name
        }
        let was = old
            .get(path)
            .unwrap_or_else(|| panic!("unexpected file {path}"));
        let will = &new[path];
        if bytes == was {
            same_as_old += 1;
        } else if bytes == will {
            same_as_new += 1;
        } else {
            panic!(
                "{path} is neither its old nor its new content ({} bytes)",
                bytes.len()
            );
        }
    }
    assert_eq!(
        same_as_old + same_as_new,
        old.len(),
        "every output is still there"
    );
    assert!(
        same_as_new > 0 && same_as_old > 0,
        "killed part-way: {same_as_new} new, {same_as_old} old"
    );

    p.run(&["build", "posts"]).expect_code(0);
    let mut finished = files(&p.path().join("out"));
    let mut new = new;
    // The manifests differ in the files' modification times only.
    let manifests = [&mut finished, &mut new].map(|tree| {
        let bytes = tree.remove("manifest.json").expect("a manifest");
        without_mtimes(&bytes)
    });
    assert!(
        manifests[0] == manifests[1],
        "the manifest records the same files"
    );
    assert!(
        finished == new,
        "the next build completes the job and leaves no temporary files: {:?}",
        finished
            .keys()
            .filter(|k| finished.get(*k) != new.get(*k))
            .collect::<Vec<_>>()
    );
}

/// A manifest's JSON without the `mtime` of each file.
pub fn without_mtimes(bytes: &[u8]) -> serde_json::Value {
    let mut json: serde_json::Value = serde_json::from_slice(bytes).expect("manifest JSON");
    if let Some(posts) = json["posts"].as_object_mut() {
        for post in posts.values_mut() {
            for list in ["files", "stale"] {
                if let Some(files) = post[list].as_array_mut() {
                    for file in files {
                        if let Some(file) = file.as_object_mut() {
                            file.remove("mtime");
                        }
                    }
                }
            }
        }
    }
    json
}
