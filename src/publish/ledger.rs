//! The ledger: what was sent where, one file beside repurpose.yaml, meant to be committed.
//!
//! It is a log, one JSON object a line, only ever appended to: each line is written whole
//! and flushed to disk (`fsync`) after the service said yes and before the next request,
//! so a kill at any moment leaves every line it holds true. A line cut short by a crash
//! (no newline at its end) is ignored when read and cut off before the next line is
//! written. Reading it folds the lines into the state of each post and target.
//!
//! It holds remote ids, URLs, hashes of what was sent and when; never a secret, and never a
//! subscriber's address: recipients are keyed by a hash of the address and the issue.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

/// The ledger's file name, in the folder of repurpose.yaml.
pub const FILE: &str = "repurpose.ledger";

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum Event {
    /// The first line: what the file is.
    Ledger {
        /// The format's version.
        version: u32,
        /// A word for whoever opens the file.
        about: String,
    },
    /// A post sent to a target that keeps it (a blog): created, updated, or found there.
    Published {
        /// When (UTC, RFC 3339).
        at: String,
        /// The post's slug.
        post: String,
        /// The post's file, relative to the ledger's folder.
        source: String,
        /// The target's name.
        target: String,
        /// `create`, `update` or `found` (a post already there, found by its slug).
        action: String,
        /// The remote id.
        id: String,
        /// Where readers see it.
        url: String,
        /// The hash of what was sent.
        sent: String,
        /// The hash of the post's file when it was sent.
        from: String,
        /// The hash of the title and content as the site stored them (`Remote::stored`):
        /// an edit made on the site since changes it.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        stored: String,
    },
    /// A newsletter issue begun: the posts in it and how many subscribers it goes to.
    Issue {
        /// When.
        at: String,
        /// The target's name.
        target: String,
        /// The issue's id (stable: a hash of its posts and what they said).
        issue: String,
        /// The posts in it, in order.
        posts: Vec<IssuePost>,
        /// The subscribers it goes to.
        recipients: usize,
    },
    /// About to send the issue to one subscriber: once this is written and `delivered` is
    /// not, whether the server took the message is unknown.
    Sending {
        /// When.
        at: String,
        /// The target's name.
        target: String,
        /// The issue's id.
        issue: String,
        /// The subscriber's key (`recipient_key`).
        to: String,
    },
    /// The server accepted the message for this subscriber.
    Delivered {
        /// When.
        at: String,
        /// The target's name.
        target: String,
        /// The issue's id.
        issue: String,
        /// The subscriber's key.
        to: String,
    },
    /// The server refused the message for good (5xx), or for now (4xx, after retries):
    /// not delivered; a refusal for now is tried again by the next `publish`.
    Refused {
        /// When.
        at: String,
        /// The target's name.
        target: String,
        /// The issue's id.
        issue: String,
        /// The subscriber's key.
        to: String,
        /// The SMTP reply code.
        code: u16,
        /// Whether the refusal is for good (5xx).
        permanent: bool,
        /// The server's words.
        reply: String,
    },
    /// About to post part `part` of a thread under `key` (Mastodon's idempotency key,
    /// Bluesky's record key): once this is written and the matching `part` is not, whether
    /// the network posted it is unknown, and it is looked up under that key first.
    Attempt {
        /// When.
        at: String,
        /// The post's slug.
        post: String,
        /// The post's file, relative to the ledger's folder.
        #[serde(default)]
        source: String,
        /// The target's name.
        target: String,
        /// The part's number, from 1.
        part: usize,
        /// The key it is posted under.
        key: String,
        /// The hash of the part's text.
        sent: String,
    },
    /// One part of a thread posted (`create`), edited in place (`edit`), or found on the
    /// network after a run that could not record it (`found`).
    Part {
        /// When.
        at: String,
        /// The post's slug.
        post: String,
        /// The post's file, relative to the ledger's folder.
        source: String,
        /// The target's name.
        target: String,
        /// The target's service (`mastodon`, `bluesky`): a target renamed in repurpose.yaml
        /// is known by it.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        service: String,
        /// The part's number, from 1.
        part: usize,
        /// How many parts the thread had.
        of: usize,
        /// `create`, `edit` or `found`.
        action: String,
        /// The network's id (a status id, an `at://` URI).
        id: String,
        /// Where readers see it.
        url: String,
        /// Bluesky's content id, which replies name.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        cid: String,
        /// The hash of the part's text.
        sent: String,
        /// The hash of the post's file.
        from: String,
        /// The longest a part could be when the thread was cut (the network's limit or the
        /// template's, the smaller): `status` cuts it again the same way to compare.
        max_chars: usize,
        /// What a URL counted for then (`None`: its length).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url_length: Option<usize>,
    },
    /// An image of a post uploaded to a target before the post (`upload::Uploader`): an
    /// image with the same bytes for the same target and place is found here and never
    /// uploaded again.
    Media {
        /// When.
        at: String,
        /// The post's slug.
        post: String,
        /// The target's name.
        target: String,
        /// The hash of the bytes uploaded (`sha256:…`).
        hash: String,
        /// Where in the post it belongs, for services whose uploads belong to one place
        /// (a Mastodon attachment to one status: `part 3`); empty where any place may
        /// reuse it.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        place: String,
        /// The file name it was uploaded under.
        file: String,
        /// What the service answered.
        #[serde(flatten)]
        uploaded: super::upload::Uploaded,
    },
    /// Every subscriber of the issue was tried.
    Finished {
        /// When.
        at: String,
        /// The target's name.
        target: String,
        /// The issue's id.
        issue: String,
    },
}

/// A post in a newsletter issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssuePost {
    /// The post's slug.
    pub post: String,
    /// The post's file, relative to the ledger's folder.
    pub source: String,
    /// The hash of the venue's output sent for it.
    pub sent: String,
    /// The hash of the post's file.
    pub from: String,
}

/// What the ledger says of one post at one blog-like target: the last publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// When.
    pub at: String,
    /// The remote id.
    pub id: String,
    /// Where readers see it.
    pub url: String,
    /// The hash of what was sent.
    pub sent: String,
    /// The hash of the post's file then.
    pub from: String,
    /// The post's file then, relative to the ledger's folder.
    pub source: String,
    /// The hash of the title and content as the site stored them then.
    pub stored: String,
}

/// What the ledger says of one post's thread at one target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadState {
    /// The parts posted, by number (from 1), as last posted or edited.
    pub parts: BTreeMap<usize, PostedPart>,
    /// Parts about to be posted when a run stopped, with no `part` line after: number →
    /// (key, hash of the text).
    pub attempts: BTreeMap<usize, (String, String)>,
    /// How many parts the thread had when last posted to.
    pub of: usize,
    /// The post's file then.
    pub source: String,
    /// The limits the thread was last cut to: `(max_chars, url_length)`.
    pub cut: (usize, Option<usize>),
    /// The target's service, as the last part recorded it.
    pub service: String,
}

impl ThreadState {
    /// When the thread was last posted to.
    pub fn at(&self) -> &str {
        self.parts
            .values()
            .map(|p| p.at.as_str())
            .max()
            .unwrap_or("")
    }

    /// The hash of the post's file when the thread was last posted to.
    pub fn from(&self) -> &str {
        self.parts
            .values()
            .max_by(|a, b| a.at.cmp(&b.at))
            .map_or("", |p| p.from.as_str())
    }
}

/// One part of a thread as the ledger records it.
#[derive(Debug, Clone, PartialEq)]
pub struct PostedPart {
    /// The network's reference to it.
    pub remote: super::network::PartRef,
    /// The hash of its text.
    pub sent: String,
    /// When.
    pub at: String,
    /// The hash of the post's file then.
    pub from: String,
}

/// What the ledger says of one newsletter issue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IssueState {
    /// The issue's id.
    pub id: String,
    /// When it was begun.
    pub at: String,
    /// Its posts.
    pub posts: Vec<IssuePost>,
    /// How many subscribers it went to when begun.
    pub recipients: usize,
    /// Subscribers the server accepted it for.
    pub delivered: BTreeSet<String>,
    /// Subscribers being sent to when the run stopped, with no answer recorded.
    pub uncertain: BTreeSet<String>,
    /// Subscribers refused for good, with the code and reply.
    pub refused: BTreeMap<String, (u16, String)>,
    /// Subscribers refused for now (4xx after retries): tried again.
    pub deferred: BTreeMap<String, (u16, String)>,
    /// Whether every subscriber was tried.
    pub finished: bool,
}

impl IssueState {
    /// Whether the subscriber with this key is done with: delivered, refused for good, or
    /// uncertain (never resent without being asked).
    pub fn settled(&self, key: &str) -> bool {
        self.delivered.contains(key)
            || self.refused.contains_key(key)
            || self.uncertain.contains(key)
    }

    /// `settled`, but an uncertain subscriber is not when `resend_uncertain` is set (`publish
    /// --resend-uncertain`: the writer checked, and wants them sent to again).
    pub fn settled_unless(&self, key: &str, resend_uncertain: bool) -> bool {
        if resend_uncertain && self.uncertain.contains(key) {
            return false;
        }
        self.settled(key)
    }

    /// Whether every subscriber is settled.
    pub fn complete(&self) -> bool {
        self.finished && self.deferred.is_empty()
    }
}

/// The ledger, read.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    events: Vec<Event>,
    /// Bytes of the file up to its last whole line.
    whole: u64,
    /// What the lines say, folded on first use (`folded`); emptied by `append`.
    folded: RefCell<Option<Rc<Folded>>>,
}

/// What a ledger's lines say: the last publish of each post at each target, and each
/// target's newsletter issues.
#[derive(Debug, Default)]
struct Folded {
    placed: HashMap<(String, String), Placed>,
    threads: HashMap<(String, String), Rc<ThreadState>>,
    issues: HashMap<String, Vec<Rc<IssueState>>>,
}

impl Folded {
    fn of(events: &[Event]) -> Folded {
        let mut placed = HashMap::new();
        let mut threads: HashMap<(String, String), ThreadState> = HashMap::new();
        let mut issues: HashMap<String, Vec<IssueState>> = HashMap::new();
        // Where each issue sits in its target's list, by (target, issue id).
        let mut index: HashMap<(&str, &str), usize> = HashMap::new();
        for event in events {
            match event {
                Event::Published {
                    at,
                    post,
                    target,
                    id,
                    url,
                    sent,
                    from,
                    source,
                    stored,
                    ..
                } => {
                    placed.insert(
                        (post.clone(), target.clone()),
                        Placed {
                            at: at.clone(),
                            id: id.clone(),
                            url: url.clone(),
                            sent: sent.clone(),
                            from: from.clone(),
                            source: source.clone(),
                            stored: stored.clone(),
                        },
                    );
                }
                Event::Issue {
                    at,
                    target,
                    issue,
                    posts,
                    recipients,
                } => {
                    let list = issues.entry(target.clone()).or_default();
                    match index.get(&(target.as_str(), issue.as_str())) {
                        Some(&i) => {
                            list[i].recipients = *recipients;
                            list[i].posts.clone_from(posts);
                            list[i].finished = false;
                        }
                        None => {
                            index.insert((target.as_str(), issue.as_str()), list.len());
                            list.push(IssueState {
                                id: issue.clone(),
                                at: at.clone(),
                                posts: posts.clone(),
                                recipients: *recipients,
                                ..IssueState::default()
                            });
                        }
                    }
                }
                Event::Sending {
                    target, issue, to, ..
                } => {
                    if let Some(state) = state(&mut issues, &index, target, issue) {
                        state.uncertain.insert(to.clone());
                        state.deferred.remove(to);
                    }
                }
                Event::Delivered {
                    target, issue, to, ..
                } => {
                    if let Some(state) = state(&mut issues, &index, target, issue) {
                        state.uncertain.remove(to);
                        state.delivered.insert(to.clone());
                    }
                }
                Event::Refused {
                    target,
                    issue,
                    to,
                    code,
                    permanent,
                    reply,
                    ..
                } => {
                    if let Some(state) = state(&mut issues, &index, target, issue) {
                        state.uncertain.remove(to);
                        if *permanent {
                            state.refused.insert(to.clone(), (*code, reply.clone()));
                        } else {
                            state.deferred.insert(to.clone(), (*code, reply.clone()));
                        }
                    }
                }
                Event::Attempt {
                    post,
                    source,
                    target,
                    part,
                    key,
                    sent,
                    ..
                } => {
                    let thread = threads.entry((post.clone(), target.clone())).or_default();
                    if thread.source.is_empty() {
                        thread.source.clone_from(source);
                    }
                    thread.attempts.insert(*part, (key.clone(), sent.clone()));
                }
                Event::Part {
                    at,
                    post,
                    source,
                    target,
                    part,
                    of,
                    id,
                    url,
                    cid,
                    sent,
                    from,
                    max_chars,
                    url_length,
                    service,
                    ..
                } => {
                    let thread = threads.entry((post.clone(), target.clone())).or_default();
                    // Lines written before parts named their service: Bluesky's carry a CID.
                    thread.service = match service.as_str() {
                        "" if cid.is_empty() => "mastodon".into(),
                        "" => "bluesky".into(),
                        named => named.into(),
                    };
                    thread.attempts.remove(part);
                    thread.of = *of;
                    thread.cut = (*max_chars, *url_length);
                    thread.source.clone_from(source);
                    thread.parts.insert(
                        *part,
                        PostedPart {
                            remote: super::network::PartRef {
                                id: id.clone(),
                                url: url.clone(),
                                cid: cid.clone(),
                            },
                            sent: sent.clone(),
                            at: at.clone(),
                            from: from.clone(),
                        },
                    );
                }
                Event::Finished { target, issue, .. } => {
                    if let Some(state) = state(&mut issues, &index, target, issue) {
                        state.finished = true;
                    }
                }
                Event::Ledger { .. } | Event::Media { .. } => {}
            }
        }
        Folded {
            placed,
            threads: threads
                .into_iter()
                .map(|(key, thread)| (key, Rc::new(thread)))
                .collect(),
            issues: issues
                .into_iter()
                .map(|(target, list)| (target, list.into_iter().map(Rc::new).collect()))
                .collect(),
        }
    }
}

/// The issue `issue` of `target`, while folding.
fn state<'i>(
    issues: &'i mut HashMap<String, Vec<IssueState>>,
    index: &HashMap<(&str, &str), usize>,
    target: &str,
    issue: &str,
) -> Option<&'i mut IssueState> {
    let &i = index.get(&(target, issue))?;
    issues.get_mut(target)?.get_mut(i)
}

impl Ledger {
    /// The ledger beside the configuration file (in `folder`).
    pub fn path_in(folder: &Path) -> PathBuf {
        folder.join(FILE)
    }

    /// Reads the ledger at `path`; none yet is an empty ledger. A line that does not read
    /// is an error naming the file and line; a last line cut short by a crash is ignored.
    pub fn open(path: &Path) -> Result<Ledger> {
        let mut bytes = Vec::new();
        match File::open(path) {
            Ok(mut file) => {
                file.read_to_end(&mut bytes)
                    .with_context(|| format!("failed to read the ledger `{}`", path.display()))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(anyhow::Error::new(e)
                    .context(format!("failed to read the ledger `{}`", path.display())));
            }
        }
        // A last line cut short by a crash (no newline; maybe mid-character) is not read.
        let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let text = std::str::from_utf8(&bytes[..whole]).map_err(|e| {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            anyhow::anyhow!(
                "{}:{line}: not UTF-8 text; the ledger is written by `repurpose publish`",
                path.display()
            )
        })?;
        let mut events = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let event: Event = serde_json::from_str(line).map_err(|e| {
                anyhow::anyhow!(
                    "{}:{}: not a ledger line ({e}); the ledger is written by `repurpose publish`, one JSON object a line",
                    path.display(),
                    i + 1
                )
            })?;
            events.push(event);
        }
        Ok(Ledger {
            path: path.to_path_buf(),
            events,
            whole: whole as u64,
            folded: RefCell::default(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every line read or written, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// Appends `event` and flushes it to disk before returning.
    pub fn append(&mut self, event: Event) -> Result<()> {
        let fail = |e: std::io::Error| {
            anyhow::Error::new(e).context(format!(
                "failed to write the ledger `{}`",
                self.path.display()
            ))
        };
        let new = !self.path.exists();
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(false)
            .open(&self.path)
            .map_err(fail)?;
        let mut line = String::new();
        if self.events.is_empty() && !matches!(event, Event::Ledger { .. }) {
            let header = Event::Ledger {
                version: 1,
                about: "written by `repurpose publish`: what was sent where. Commit it; it holds no secret. `repurpose status` reads it.".into(),
            };
            line.push_str(&to_line(&header)?);
            self.events.push(header);
        }
        line.push_str(&to_line(&event)?);
        // A line a crash cut short is dropped, so the next one starts whole.
        file.set_len(self.whole).map_err(fail)?;
        file.seek(SeekFrom::Start(self.whole)).map_err(fail)?;
        file.write_all(line.as_bytes()).map_err(fail)?;
        file.sync_data().map_err(fail)?;
        if new && let Some(dir) = self.path.parent() {
            // The file's name itself must survive a crash.
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        self.whole += line.len() as u64;
        self.events.push(event);
        *self.folded.get_mut() = None;
        Ok(())
    }

    /// The ledger's lines folded into what they say, once, and kept until the next append:
    /// the plan asks it for every post and target, and a ledger with many issues holds
    /// hundreds of thousands of lines.
    fn folded(&self) -> Rc<Folded> {
        if let Some(folded) = self.folded.borrow().as_ref() {
            return Rc::clone(folded);
        }
        let folded = Rc::new(Folded::of(&self.events));
        *self.folded.borrow_mut() = Some(Rc::clone(&folded));
        folded
    }

    /// The upload of the bytes hashed `hash` to `target` for `place` (see `Event::Media`),
    /// the latest when there were several.
    pub fn media(&self, target: &str, hash: &str, place: &str) -> Option<super::upload::Uploaded> {
        self.events.iter().rev().find_map(|event| match event {
            Event::Media {
                target: t,
                hash: h,
                place: p,
                uploaded,
                ..
            } if t == target && h == hash && p == place => Some(uploaded.clone()),
            _ => None,
        })
    }

    /// The last publish of `post` to `target`, when there is one.
    pub fn placed(&self, post: &str, target: &str) -> Option<Placed> {
        self.folded()
            .placed
            .get(&(post.to_string(), target.to_string()))
            .cloned()
    }

    /// What was posted of `post`'s thread at `target`, when anything was (or was about to
    /// be).
    pub fn thread(&self, post: &str, target: &str) -> Option<Rc<ThreadState>> {
        self.folded()
            .threads
            .get(&(post.to_string(), target.to_string()))
            .cloned()
    }

    /// Every target `post`'s thread was posted to, with what was posted.
    pub fn threads_of(&self, post: &str) -> Vec<(String, Rc<ThreadState>)> {
        let mut out: Vec<(String, Rc<ThreadState>)> = self
            .folded()
            .threads
            .iter()
            .filter(|((p, _), _)| p == post)
            .map(|((_, target), state)| (target.clone(), Rc::clone(state)))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Every issue sent to `target`, oldest first.
    pub fn issues(&self, target: &str) -> Vec<Rc<IssueState>> {
        self.folded()
            .issues
            .get(target)
            .cloned()
            .unwrap_or_default()
    }

    /// The last issue of `target` that holds `post`.
    pub fn issue_of(&self, post: &str, target: &str) -> Option<Rc<IssueState>> {
        self.folded()
            .issues
            .get(target)?
            .iter()
            .rev()
            .find(|i| i.posts.iter().any(|p| p.post == post))
            .cloned()
    }

    /// Whether anything was sent of `post` to `target`.
    pub fn knows(&self, post: &str, target: &str) -> bool {
        self.placed(post, target).is_some()
            || self.issue_of(post, target).is_some()
            || self.thread(post, target).is_some()
    }

    /// The file `post` was last sent to `target` from.
    pub fn source_of(&self, post: &str, target: &str) -> Option<String> {
        let placed = self.placed(post, target).map(|p| p.source);
        let thread = self
            .thread(post, target)
            .map(|t| t.source.clone())
            .filter(|s| !s.is_empty());
        placed.or(thread).or_else(|| {
            self.issue_of(post, target).and_then(|i| {
                i.posts
                    .iter()
                    .find(|p| p.post == post)
                    .map(|p| p.source.clone())
            })
        })
    }

    /// Every post slug the ledger names, with its file as last recorded.
    pub fn posts(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for event in &self.events {
            match event {
                Event::Published { post, source, .. } | Event::Part { post, source, .. } => {
                    out.insert(post.clone(), source.clone());
                }
                Event::Attempt { post, source, .. } if !source.is_empty() => {
                    out.entry(post.clone()).or_insert_with(|| source.clone());
                }
                Event::Issue { posts, .. } => {
                    for p in posts {
                        out.insert(p.post.clone(), p.source.clone());
                    }
                }
                _ => {}
            }
        }
        out
    }
}

/// Holds the project for one `publish`: a second `publish` in the same folder waits, so two
/// runs never send the same newsletter or create the same post at once. The lock is the
/// folder's own (no file is made for it); the operating system drops it however the
/// process ends.
#[derive(Debug)]
pub struct Held(#[allow(dead_code)] Option<File>);

/// Takes the lock on `folder` (the ledger's) for a run that sends; waits, saying so, while
/// another run holds it. Where a folder cannot be locked (not Linux or macOS), runs
/// unlocked.
pub fn hold(folder: &Path) -> Result<Held> {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    let Ok(dir) = File::open(folder) else {
        return Ok(Held(None));
    };
    match dir.try_lock() {
        Ok(()) => Ok(Held(Some(dir))),
        Err(std::fs::TryLockError::WouldBlock) => {
            crate::shell::status(format_args!(
                "waiting for another `repurpose publish` in `{}` to finish…",
                folder.display()
            ));
            dir.lock()
                .with_context(|| format!("failed to lock `{}`", folder.display()))?;
            Ok(Held(Some(dir)))
        }
        Err(std::fs::TryLockError::Error(_)) => Ok(Held(None)),
    }
}

fn to_line(event: &Event) -> Result<String> {
    let mut line = serde_json::to_string(event)?;
    line.push('\n');
    Ok(line)
}

/// The key a subscriber is recorded under: a hash of the issue and the address (lower
/// case), so the ledger names no address and a key says nothing across issues.
pub fn recipient_key(issue: &str, email: &str) -> String {
    crate::hash::short(
        format!("{issue}\n{}", email.trim().to_lowercase()).as_bytes(),
        20,
    )
}

/// Now, in UTC, as the ledger writes it.
pub fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .map_or_else(|_| jiff::Timestamp::now().to_string(), |t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn published(post: &str, id: &str) -> Event {
        Event::Published {
            at: "2026-12-03T10:00:00Z".into(),
            post: post.into(),
            source: format!("posts/{post}.md"),
            target: "blog".into(),
            action: "create".into(),
            id: id.into(),
            url: format!("https://b.example.org/?p={id}"),
            sent: "s".into(),
            from: "f".into(),
            stored: String::new(),
        }
    }

    #[test]
    fn lines_written_are_read_back_and_the_last_publish_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut ledger = Ledger::open(&path).unwrap();
        ledger.append(published("a", "1")).unwrap();
        ledger.append(published("a", "2")).unwrap();
        let again = Ledger::open(&path).unwrap();
        assert_eq!(again.events().len(), 3, "the header line, then two");
        assert_eq!(again.placed("a", "blog").unwrap().id, "2");
        assert!(again.placed("a", "news").is_none());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("{\"event\":\"ledger\",\"version\":1,"),
            "{text}"
        );
    }

    #[test]
    fn a_line_cut_short_is_ignored_then_cut_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let mut ledger = Ledger::open(&path).unwrap();
        ledger.append(published("a", "1")).unwrap();
        let mut file = OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"{\"event\":\"published\",\"at\":\"20")
            .unwrap();
        let mut ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.events().len(), 2);
        ledger.append(published("b", "9")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(Ledger::open(&path).unwrap().placed("b", "blog").is_some());
    }

    #[test]
    fn a_line_that_is_not_the_ledgers_is_an_error_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        std::fs::write(
            &path,
            "{\"event\":\"ledger\",\"version\":1,\"about\":\"\"}\nnonsense\n",
        )
        .unwrap();
        let err = Ledger::open(&path).unwrap_err().to_string();
        assert!(
            err.contains("repurpose.ledger:2: not a ledger line"),
            "{err}"
        );
    }

    #[test]
    fn an_issue_folds_into_who_got_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut ledger = Ledger::open(&dir.path().join(FILE)).unwrap();
        let ev = |e: &str, to: &str| match e {
            "sending" => Event::Sending {
                at: String::new(),
                target: "news".into(),
                issue: "i1".into(),
                to: to.into(),
            },
            _ => Event::Delivered {
                at: String::new(),
                target: "news".into(),
                issue: "i1".into(),
                to: to.into(),
            },
        };
        ledger
            .append(Event::Issue {
                at: String::new(),
                target: "news".into(),
                issue: "i1".into(),
                posts: vec![IssuePost {
                    post: "a".into(),
                    source: "a.md".into(),
                    sent: "s".into(),
                    from: "f".into(),
                }],
                recipients: 3,
            })
            .unwrap();
        for e in [ev("sending", "x"), ev("delivered", "x"), ev("sending", "y")] {
            ledger.append(e).unwrap();
        }
        ledger
            .append(Event::Refused {
                at: String::new(),
                target: "news".into(),
                issue: "i1".into(),
                to: "z".into(),
                code: 451,
                permanent: false,
                reply: "later".into(),
            })
            .unwrap();
        let issue = ledger.issue_of("a", "news").unwrap();
        assert!(issue.delivered.contains("x") && issue.uncertain.contains("y"));
        assert!(issue.deferred.contains_key("z") && !issue.settled("z"));
        assert!(issue.settled("y") && !issue.complete());
        assert_ne!(
            recipient_key("i1", "A@b.org"),
            recipient_key("i2", "a@b.org")
        );
        assert_eq!(
            recipient_key("i1", "A@b.org"),
            recipient_key("i1", " a@B.org")
        );
    }
}
