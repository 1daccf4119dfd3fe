//! The thread logic: the work left, counting, and sending against an in-memory network
//! that can fail or lose an answer, with a real ledger.

use super::*;
use crate::publish::ledger::{PostedPart, ThreadState};
use crate::publish::network::{Limits, MediaLimits, numbers};
use crate::publish::upload::Uploaded;

fn state(sent: &[&str]) -> ThreadState {
    let mut state = ThreadState {
        of: sent.len(),
        ..ThreadState::default()
    };
    for (i, s) in sent.iter().enumerate() {
        state.parts.insert(
            i + 1,
            PostedPart {
                remote: PartRef {
                    id: format!("{}", i + 1),
                    url: String::new(),
                    cid: String::new(),
                },
                sent: (*s).to_string(),
                at: String::new(),
                from: String::new(),
            },
        );
    }
    state
}

fn hashes(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn the_work_left_is_the_parts_missing_changed_and_gone() {
    let none = Work::of(&hashes(&["a", "b", "c"]), None);
    assert_eq!(none.missing, [1, 2, 3]);
    let half = state(&["a", "b"]);
    let work = Work::of(&hashes(&["a", "b", "c", "d"]), Some(&half));
    assert_eq!((work.missing, work.changed), (vec![3, 4], vec![]));
    let work = Work::of(&hashes(&["a", "x"]), Some(&state(&["a", "b", "c"])));
    assert_eq!(
        (work.missing, work.changed, work.extra),
        (vec![], vec![2], vec![3])
    );
}

#[test]
fn part_numbers_read_as_runs() {
    assert_eq!(numbers(&[2, 5, 7, 8, 9]), "2, 5 and 7–9");
    assert_eq!(parts_word(&[3]), "part 3");
    assert_eq!(parts_word(&[3, 4]), "parts 3–4");
    assert_eq!(parts_word(&[1, 4]), "parts 1 and 4");
}

#[test]
fn a_part_is_checked_as_the_network_counts() {
    let mastodon = Limits {
        max_chars: 31,
        url_length: Some(23),
        max_bytes: None,
        media: MediaLimits::NONE,
    };
    let url = format!("https://example.org/{}", "a".repeat(200));
    assert!(fits(&format!("see {url} now"), mastodon).is_ok());
    let bluesky = Limits {
        max_chars: 300,
        url_length: None,
        max_bytes: Some(3000),
        media: MediaLimits::NONE,
    };
    assert!(fits(&format!("see {url}"), bluesky).is_ok());
    let family = "👨‍👩‍👧‍👦".repeat(200);
    let err = fits(&family, bluesky).unwrap_err();
    assert!(err.contains("bytes of UTF-8"), "{err}");
    let err = fits(&"é".repeat(301), bluesky).unwrap_err();
    assert!(err.starts_with("301 characters"), "{err}");
}

/// A network in memory: posts kept in order; a create can be refused (500) or stored with
/// its answer lost.
#[derive(Default)]
struct Fake {
    posts: std::cell::RefCell<Vec<(String, String, Option<String>)>>,
    creates: std::cell::Cell<usize>,
    refuse_on: Option<usize>,
    lose_answer_on: Option<usize>,
}

impl crate::publish::upload::Uploader for Fake {
    fn upload(&self, image: &crate::publish::upload::Upload<'_>) -> anyhow::Result<Uploaded> {
        Ok(Uploaded {
            id: image.name.to_string(),
            url: String::new(),
            extra: serde_json::Value::Null,
        })
    }
}

impl Network for Fake {
    fn limits(&self) -> anyhow::Result<Limits> {
        Ok(Limits {
            max_chars: 500,
            url_length: Some(23),
            max_bytes: None,
            media: MediaLimits::NONE,
        })
    }

    fn key(&self, seed: &str) -> String {
        crate::hash::short(seed.as_bytes(), 16)
    }

    fn create(
        &self,
        text: &str,
        _media: &[Uploaded],
        reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<PartRef> {
        let n = self.creates.get() + 1;
        self.creates.set(n);
        if self.refuse_on == Some(n) {
            anyhow::bail!("500 Internal Server Error");
        }
        let mut posts = self.posts.borrow_mut();
        if posts.iter().any(|(k, _, _)| k == key) {
            anyhow::bail!("422: the key was used");
        }
        posts.push((key.into(), text.into(), reply.map(|r| r.parent.id.clone())));
        let part = PartRef {
            id: key.into(),
            url: format!("https://net.example/{key}"),
            cid: String::new(),
        };
        if self.lose_answer_on == Some(n) {
            return Err(anyhow::Error::new(crate::publish::http::Unanswered(
                "the connection was lost".into(),
            )));
        }
        Ok(part)
    }

    fn find(
        &self,
        _text: &str,
        _reply: Option<Reply<'_>>,
        key: &str,
    ) -> anyhow::Result<Option<PartRef>> {
        Ok(self
            .posts
            .borrow()
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(k, _, _)| PartRef {
                id: k.clone(),
                url: format!("https://net.example/{k}"),
                cid: String::new(),
            }))
    }

    fn edits(&self) -> bool {
        true
    }

    fn edit(&self, part: &PartRef, text: &str, _media: &[Uploaded]) -> anyhow::Result<PartRef> {
        let mut posts = self.posts.borrow_mut();
        let Some(post) = posts.iter_mut().find(|(k, _, _)| *k == part.id) else {
            anyhow::bail!("404");
        };
        post.1 = text.into();
        Ok(part.clone())
    }
}

fn target() -> crate::config::publish::Target {
    crate::config::publish::Target {
        name: "toot".into(),
        venue: "social".into(),
        service: crate::config::publish::Service::Mastodon(crate::config::publish::Mastodon {
            url: "https://net.example".into(),
            token_env: "T".into(),
            visibility: "public".into(),
        }),
        line: 1,
    }
}

/// The step that sends `parts` given what `ledger` recorded, as the plan makes it.
fn step(ledger: &crate::publish::Ledger, parts: &[&str]) -> crate::publish::Step {
    let parts: Vec<String> = parts.iter().map(|p| (*p).to_string()).collect();
    let hashes: Vec<String> = parts.iter().map(|p| part_hash(p)).collect();
    let state = ledger.thread("hello", "toot");
    let work = Work::of(&hashes, state.as_deref());
    crate::publish::Step {
        post: "hello".into(),
        source: "hello.md".into(),
        target: "toot".into(),
        service: "mastodon",
        action: crate::publish::Action::Create,
        detail: String::new(),
        id: None,
        url: None,
        result: None,
        error: None,
        performed: None,
        from: "f".into(),
        payload: crate::publish::plan::Payload::Thread(Box::new(Posting {
            parts,
            hashes,
            post: work.missing,
            edit: work.changed,
            limits: Fake::default().limits().unwrap(),
            media: Vec::new(),
        })),
    }
}

/// Removes the `part` line of part `n` from the ledger at `path`, as a kill between the
/// network's answer and the ledger's write leaves it.
fn drop_part_line(path: &std::path::Path, n: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let part = format!("\"part\":{n},");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| !l.contains("\"event\":\"part\",") || !l.contains(&part))
        .collect();
    std::fs::write(path, kept.join("\n") + "\n").unwrap();
}

/// The fake's posts as (text, what it replies to, by text).
fn chain(fake: &Fake) -> Vec<(String, Option<String>)> {
    let posts = fake.posts.borrow();
    posts
        .iter()
        .map(|(_, text, parent)| {
            let parent = parent.as_ref().and_then(|id| {
                posts
                    .iter()
                    .find(|(k, _, _)| k == id)
                    .map(|(_, t, _)| t.clone())
            });
            (text.clone(), parent)
        })
        .collect()
}

fn whole(n: usize) -> Vec<(String, Option<String>)> {
    (1..=n)
        .map(|i| {
            (
                format!("part {i}"),
                (i > 1).then(|| format!("part {}", i - 1)),
            )
        })
        .collect()
}

#[test]
fn a_thread_stopped_by_a_refusal_resumes_at_that_part_replying_to_the_one_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repurpose.ledger");
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let fake = Fake {
        refuse_on: Some(3),
        ..Fake::default()
    };
    let parts = ["part 1", "part 2", "part 3", "part 4"];
    let mut first = step(&ledger, &parts);
    let err = send(&fake, &mut ledger, &target(), &mut first).unwrap_err();
    assert!(
        format!("{err:#}").starts_with("posting part 3 of 4: 500"),
        "{err:#}"
    );
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let state = ledger.thread("hello", "toot").unwrap();
    assert_eq!(state.parts.len(), 2);
    let mut again = step(&ledger, &parts);
    let crate::publish::plan::Payload::Thread(posting) = &again.payload else {
        panic!()
    };
    assert_eq!(posting.post, [3, 4]);
    send(&fake, &mut ledger, &target(), &mut again).unwrap();
    assert_eq!(chain(&fake), whole(4));
    // Once whole, nothing is left to send.
    let ledger = crate::publish::Ledger::open(&path).unwrap();
    let done = step(&ledger, &parts);
    let crate::publish::plan::Payload::Thread(posting) = &done.payload else {
        panic!()
    };
    assert!(posting.post.is_empty() && posting.edit.is_empty());
}

#[test]
fn a_part_whose_answer_was_lost_is_found_not_posted_twice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repurpose.ledger");
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let fake = Fake {
        lose_answer_on: Some(2),
        ..Fake::default()
    };
    let parts = ["part 1", "part 2", "part 3"];
    let mut first = step(&ledger, &parts);
    send(&fake, &mut ledger, &target(), &mut first).unwrap();
    assert_eq!(chain(&fake), whole(3));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"part\":2,\"of\":3,\"action\":\"found\""),
        "{text}"
    );
}

#[test]
fn a_run_killed_after_its_attempt_line_looks_the_part_up_under_the_recorded_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repurpose.ledger");
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let fake = Fake::default();
    let parts = ["part 1", "part 2"];
    let mut first = step(&ledger, &parts);
    send(&fake, &mut ledger, &target(), &mut first).unwrap();
    // Part 2 posted but its `part` line lost (a kill between the answer and the write):
    // the attempt line is all the ledger holds of it.
    drop_part_line(&path, 2);
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let mut again = step(&ledger, &parts);
    send(&fake, &mut ledger, &target(), &mut again).unwrap();
    assert_eq!(chain(&fake), whole(2), "part 2 was found, not posted again");
    assert_eq!(fake.creates.get(), 2);
}

#[test]
fn changed_parts_are_edited_in_place_and_new_ones_added_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repurpose.ledger");
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let fake = Fake::default();
    let mut first = step(&ledger, &["part 1", "part 2"]);
    send(&fake, &mut ledger, &target(), &mut first).unwrap();
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let mut edit = step(&ledger, &["part 1", "part 2, edited", "part 3"]);
    send(&fake, &mut ledger, &target(), &mut edit).unwrap();
    let texts: Vec<String> = chain(&fake).into_iter().map(|(t, _)| t).collect();
    assert_eq!(texts, ["part 1", "part 2, edited", "part 3"]);
    assert_eq!(chain(&fake)[2].1.as_deref(), Some("part 2, edited"));
}

#[test]
fn a_part_a_killed_run_posted_is_found_under_its_key_even_after_the_post_was_edited() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repurpose.ledger");
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let fake = Fake::default();
    let mut first = step(&ledger, &["part 1", "part 2"]);
    send(&fake, &mut ledger, &target(), &mut first).unwrap();
    // Part 2 posted, its `part` line lost (a kill between the answer and the write); then
    // the writer fixes a typo in it before running again.
    drop_part_line(&path, 2);
    let mut ledger = crate::publish::Ledger::open(&path).unwrap();
    let mut again = step(&ledger, &["part 1", "part 2, fixed", "part 3"]);
    send(&fake, &mut ledger, &target(), &mut again).unwrap();
    let texts: Vec<(String, Option<String>)> = chain(&fake);
    assert_eq!(
        texts,
        [
            ("part 1".to_string(), None),
            ("part 2, fixed".to_string(), Some("part 1".to_string())),
            ("part 3".to_string(), Some("part 2, fixed".to_string())),
        ],
        "part 2 was found under its key and edited, not posted twice"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"part\":2,\"of\":3,\"action\":\"found\""),
        "{text}"
    );
    assert!(
        text.contains("\"part\":2,\"of\":3,\"action\":\"edit\""),
        "{text}"
    );
}
