//! The plan: for each post and target, what `publish` would do (create, update, resume,
//! unchanged, or impossible, with why), worked out from the post as it is now, the ledger,
//! and, where the ledger knows nothing, a look-up on the service (read-only).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::publish::{Service, Target};
use crate::pipeline::{PostRun, Session, summary_text, venue_body};

use super::ledger::{IssuePost, Ledger};
use super::recipients::{self, Subscriber};
use super::{Secret, smtp, wordpress};

impl Step {
    /// Makes the step impossible, with why; it sends nothing.
    pub(super) fn impossible(&mut self, why: String) {
        self.action = Action::Impossible;
        self.detail = why;
        self.payload = Payload::None;
    }

    /// Records that carrying the step out failed.
    pub(super) fn fail(&mut self, error: &anyhow::Error) {
        self.result = Some("failed");
        self.error = Some(format!("{error:#}"));
    }
}

/// What publishing does for one post at one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Send it for the first time.
    Create,
    /// Send what changed, in place of what was sent.
    Update,
    /// Finish a send that stopped part-way (a newsletter: the subscribers left).
    Resume,
    /// Nothing to send: what is there is what would be sent.
    Unchanged,
    /// Cannot be sent; `detail` says why.
    Impossible,
}

impl Action {
    /// The word the plan prints.
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Resume => "resume",
            Action::Unchanged => "unchanged",
            Action::Impossible => "impossible",
        }
    }
}

/// One post at one target.
#[derive(Debug, Serialize)]
pub struct Step {
    /// The post's slug.
    pub post: String,
    /// The post's file, relative to the ledger's folder.
    pub source: String,
    /// The target's name.
    pub target: String,
    /// The target's service.
    pub service: &'static str,
    /// What happens.
    pub action: Action,
    /// Why, or what: "3 subscribers", "post 12, found by its slug", the reason it is
    /// impossible.
    pub detail: String,
    /// The remote id, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where readers see it, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What became of it, once `publish` carried it out: `done` or `failed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// What was done, once carried out: `create`, `update`, `found` (a post the ledger had
    /// lost, updated), `send`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performed: Option<&'static str>,
    /// The hash of the post's file.
    #[serde(skip)]
    pub(super) from: String,
    /// What would be sent.
    #[serde(skip)]
    pub(super) payload: Payload,
}

/// What a step sends.
#[derive(Debug, Default)]
pub(super) enum Payload {
    /// Nothing.
    #[default]
    None,
    /// A blog post, and the images to upload before it.
    Draft(Box<wordpress::Draft>, Vec<super::uploads::Pending>),
    /// A newsletter section: the post's part of an issue.
    Section(Box<Section>),
    /// A thread's parts to post and edit.
    Thread(Box<super::network::Posting>),
    /// An article for a host (Discourse, Forem), and the images to upload before it.
    Article(Box<super::host::Article>, Vec<super::uploads::Pending>),
}

/// One post's part of a newsletter issue.
#[derive(Debug, Clone)]
pub(super) struct Section {
    pub title: String,
    pub summary: String,
    pub html: String,
    pub text: String,
    /// The ledger's record of the post in the issue.
    pub record: IssuePost,
    /// The issue to resume, when the step resumes one.
    pub resume: Option<String>,
}

/// A target made ready: its secrets read, its client set up, its subscribers read.
#[derive(Debug)]
pub(super) enum Ready {
    /// Cannot be used: why.
    Broken(String),
    /// A WordPress site whose login works.
    WordPress(Box<wordpress::Client>),
    /// An SMTP server (not yet connected) and its subscribers.
    Smtp(Box<Mail>),
    /// A social network, logged in, its limits read.
    Social(super::network::Social),
    /// A site that keeps articles, logged in.
    Host(Box<dyn super::host::Host>),
}

/// A newsletter target, ready to send.
#[derive(Debug)]
pub(super) struct Mail {
    pub server: smtp::Server,
    pub credentials: Option<smtp::Credentials>,
    pub subscribers: Vec<Subscriber>,
    /// `--resend-uncertain`: send again to subscribers left uncertain.
    pub resend_uncertain: bool,
    /// `site.language`, for the HTML part's `lang` (`en` when unset).
    pub language: String,
}

/// A post read for publishing.
#[derive(Debug)]
pub struct Prepared<'s> {
    /// The post through the session.
    pub run: PostRun<'s>,
    /// Its file, relative to the ledger's folder.
    pub source: String,
    /// The hash of its file.
    pub from: String,
}

/// Reads the post at `path` for publishing: rendered through every venue of the session.
pub fn prepare<'s>(
    session: &'s Session,
    folder: &Path,
    path: &Path,
) -> anyhow::Result<Prepared<'s>> {
    let bytes = std::fs::read(path)
        .map_err(|e| anyhow::anyhow!("cannot read `{}`: {e}", path.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("`{}` is not UTF-8 text", path.display()))?;
    let run = session.run_text(path, &text)?;
    Ok(Prepared {
        run,
        source: relative(folder, path),
        from: crate::hash::hash(text.as_bytes()),
    })
}

/// `path` relative to `folder` when it is inside, with `/` separators; else as given.
pub fn relative(folder: &Path, path: &Path) -> String {
    let folder = if folder.as_os_str().is_empty() {
        Path::new(".")
    } else {
        folder
    };
    // Absolute, and `a/../b` made `b` by the text (no symbolic link is followed): the same
    // file is recorded the same way however it was typed.
    let absolute = |p: &Path| {
        let whole = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut out = PathBuf::new();
        for part in whole.components() {
            match part {
                std::path::Component::ParentDir => {
                    out.pop();
                }
                std::path::Component::CurDir => {}
                other => out.push(other),
            }
        }
        out
    };
    let (folder_abs, path_abs) = (absolute(folder), absolute(path));
    let shown: PathBuf = path_abs
        .strip_prefix(&folder_abs)
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf);
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Sets up each target: reads its secrets from the environment, and checks a WordPress
/// login (a wrong password makes every step there impossible, with WordPress's reason).
pub(super) fn ready(
    target: &Target,
    site: &crate::config::Site,
    options: super::PlanOptions,
) -> Ready {
    let resend_uncertain = options.resend_uncertain;
    match &target.service {
        Service::WordPress(wp) => {
            let password = match Secret::from_env(&wp.password_env, "password_env", &target.name) {
                Ok(p) => p,
                Err(e) => return Ready::Broken(e.to_string()),
            };
            let client = match wordpress::Site::new(&wp.url, &wp.username, password) {
                Ok(site) => wordpress::Client::new(site),
                Err(e) => return Ready::Broken(format!("{e:#}")),
            };
            match client.check_login() {
                Ok(()) => Ready::WordPress(Box::new(client)),
                Err(e) => Ready::Broken(format!("{e:#}")),
            }
        }
        Service::Smtp(mail) => {
            let server = match smtp::Server::parse(&mail.url) {
                Ok(s) => s,
                Err(e) => return Ready::Broken(format!("`url`: {e:#}")),
            };
            let credentials = match (&mail.username_env, &mail.password_env) {
                _ if options.offline => None,
                (None, None) => None,
                (user, Some(password)) => {
                    let username = match user {
                        Some(name) => match std::env::var(name) {
                            Ok(u) if !u.is_empty() => u,
                            _ => {
                                return Ready::Broken(format!(
                                    "the environment variable {name} (named by `username_env`) is not set"
                                ));
                            }
                        },
                        None => {
                            return Ready::Broken(
                                "`password_env` is set but `username_env` is not: the SMTP login needs both".into(),
                            );
                        }
                    };
                    match Secret::from_env(password, "password_env", &target.name) {
                        Ok(password) => Some(smtp::Credentials { username, password }),
                        Err(e) => return Ready::Broken(e.to_string()),
                    }
                }
                (Some(_), None) => {
                    return Ready::Broken(
                        "`username_env` is set but `password_env` is not: the SMTP login needs both".into(),
                    );
                }
            };
            match recipients::read(&mail.list) {
                Ok(subscribers) if subscribers.is_empty() => Ready::Broken(format!(
                    "the subscribers list `{}` has nobody in it",
                    mail.list.display()
                )),
                Ok(subscribers) => Ready::Smtp(Box::new(Mail {
                    server,
                    credentials,
                    subscribers,
                    resend_uncertain,
                    language: site
                        .map
                        .get("language")
                        .and_then(serde_yaml::Value::as_str)
                        .unwrap_or("en")
                        .to_string(),
                })),
                Err(e) => Ready::Broken(format!("{e:#}")),
            }
        }
        Service::Mastodon(_) | Service::Bluesky(_) => match super::connect::social(target) {
            Ok(social) => Ready::Social(social),
            Err(e) => Ready::Broken(format!("{e:#}")),
        },
        Service::Discourse(_) | Service::Devto(_) => match super::connect::host(target) {
            Ok(host) => Ready::Host(host),
            Err(e) => Ready::Broken(format!("{e:#}")),
        },
    }
}

/// The step for one post at one target.
pub(super) fn step(
    session: &Session,
    ledger: &Ledger,
    folder: &Path,
    prepared: &Prepared<'_>,
    target: &Target,
    ready: &Ready,
    options: super::PlanOptions,
) -> Step {
    match begin(session, ledger, folder, prepared, target, ready) {
        (step, Some(venue)) => service_step(
            session, ledger, prepared, target, ready, options, step, venue,
        ),
        (step, None) => step,
    }
}

/// The step for one post at one target as far as every service shares it: the step, and
/// the venue to fill it in from; no venue when the step is impossible already
/// (another file has the slug, no such venue, the post leaves it out, its template failed,
/// the target is not ready).
pub(super) fn begin<'s>(
    session: &'s Session,
    ledger: &Ledger,
    folder: &Path,
    prepared: &Prepared<'_>,
    target: &Target,
    ready: &Ready,
) -> (Step, Option<&'s crate::venue::Venue>) {
    let post = &prepared.run.post;
    let mut step = Step {
        post: post.slug.clone(),
        source: prepared.source.clone(),
        target: target.name.clone(),
        service: target.service.name(),
        action: Action::Impossible,
        detail: String::new(),
        id: None,
        url: None,
        result: None,
        error: None,
        performed: None,
        from: prepared.from.clone(),
        payload: Payload::None,
    };
    // A post is known by its slug: another file with the same slug, still there beside
    // this one, is another post (a file moved or renamed is the same post).
    if let Some(sent_from) = ledger.source_of(&post.slug, &target.name)
        && sent_from != prepared.source
        && still_has_slug(&folder.join(&sent_from), &post.slug)
    {
        step.detail = format!(
            "the slug `{}` was sent to this target from {sent_from}, another post: give one of them its own `slug:` in its front matter",
            post.slug
        );
        return (step, None);
    }
    let Some(venue) = session.catalog.get(&target.venue) else {
        step.detail = format!(
            "no venue `{}` here (`repurpose venues` lists them)",
            target.venue
        );
        return (step, None);
    };
    if !post.wants_venue(&venue.name) {
        step.detail = format!(
            "the post leaves out the `{}` venue (front matter `venues`/`skip_venues`)",
            venue.name
        );
        return (step, None);
    }
    if let Some(failed) = prepared
        .run
        .failures
        .iter()
        .find(|e| e.to_string().contains(&format!("venue `{}`", venue.name)))
    {
        step.detail = format!("{failed:#}");
        return (step, None);
    }
    if let Ready::Broken(why) = ready {
        step.detail.clone_from(why);
        return (step, None);
    }
    (step, Some(venue))
}

/// The rest of the step for a WordPress or newsletter target; a thread's and an article's
/// are planned by `thread::plan` and `article::plan`.
#[allow(clippy::too_many_arguments)]
fn service_step(
    session: &Session,
    ledger: &Ledger,
    prepared: &Prepared<'_>,
    target: &Target,
    ready: &Ready,
    options: super::PlanOptions,
    mut step: Step,
    venue: &crate::venue::Venue,
) -> Step {
    let post = &prepared.run.post;
    match &target.service {
        Service::WordPress(wp) => {
            let (refs, pending) =
                super::uploads::refs(post, venue, &session.config.site, ledger, &target.name);
            let draft = draft(session, post, venue, wp, Some(&refs));
            let sent = draft_hash(&draft);
            let placed = ledger.placed(&post.slug, &target.name);
            // A post deleted on the site since (or put in the trash) is looked for again;
            // one edited on the site since is not overwritten unless asked.
            let mut edited = false;
            let gone = match (&placed, ready) {
                (Some(placed), Ready::WordPress(client)) => {
                    let Ok(id) = placed.id.parse::<u64>() else {
                        step.detail = format!(
                            "the ledger's id `{}` for this post is not a WordPress post id",
                            placed.id
                        );
                        return step;
                    };
                    match client.get(id) {
                        // The post with that id must be ours: a ledger pointed at another
                        // site (staging, a restored database) must not overwrite its post.
                        Ok(Some(remote))
                            if !remote.content.contains(&wordpress::mark(&post.slug)) =>
                        {
                            step.detail = format!(
                                "post {id} on the site does not carry this post's mark: it is not the one the ledger recorded (another site, or a restored database?); repurpose will not overwrite it",
                            );
                            return step;
                        }
                        Ok(Some(remote)) => {
                            edited = !placed.stored.is_empty() && remote.stored() != placed.stored;
                            false
                        }
                        Ok(None) => true,
                        Err(e) => {
                            step.detail = format!("{e:#}");
                            return step;
                        }
                    }
                }
                _ => false,
            };
            if gone && options.recorded_only {
                step.detail = format!(
                    "post {} is no longer on the site (deleted, or in the trash); name the post to send it again",
                    placed.as_ref().map_or("", |p| p.id.as_str())
                );
                return step;
            }
            match placed.filter(|_| !gone) {
                Some(placed) => {
                    step.id = Some(placed.id.clone());
                    step.url = Some(placed.url.clone());
                    let what = changed(&placed.from, &prepared.from, &venue.name, &placed.at);
                    if placed.sent == sent {
                        step.action = Action::Unchanged;
                        step.detail = format!("post {} as sent on {}", placed.id, placed.at);
                        if edited {
                            step.detail
                                .push_str(" (edited on the site since; left as it is)");
                        }
                    } else if edited && !options.overwrite {
                        step.detail = format!(
                            "post {} was edited on the site since it was sent on {}, and {what}: copy the site's edits into the post, or `publish --overwrite` to replace them",
                            placed.id, placed.at
                        );
                        return step;
                    } else {
                        step.action = Action::Update;
                        step.detail = format!("post {}: {what}", placed.id);
                        if edited {
                            step.detail.push_str(
                                "; the edits made on the site since are replaced (--overwrite)",
                            );
                        }
                    }
                }
                None => match ready {
                    Ready::WordPress(client) => match locate(client, &post.slug) {
                        Ok(Found::Ours(remote)) => {
                            step.action = Action::Update;
                            step.id = Some(remote.id.to_string());
                            step.url = Some(remote.link.clone());
                            step.detail = format!(
                                "post {} found on the site by its mark (the ledger has no record of it)",
                                remote.id
                            );
                        }
                        Ok(Found::Foreign(remote)) => step.detail = foreign(&post.slug, &remote),
                        Ok(Found::Nothing) => {
                            step.action = Action::Create;
                            step.detail = if gone {
                                format!(
                                    "a new post, status `{}` (the one sent before is no longer on the site)",
                                    wp.status
                                )
                            } else {
                                format!("a new post, status `{}`", wp.status)
                            };
                        }
                        Err(e) => step.detail = format!("{e:#}"),
                    },
                    _ => step.detail = "the target is not ready".into(),
                },
            }
            if step.action != Action::Impossible {
                step.detail.push_str(&super::uploads::to_upload(&pending));
                step.payload = Payload::Draft(Box::new(draft), pending);
            }
        }
        Service::Mastodon(_) | Service::Bluesky(_) | Service::Discourse(_) | Service::Devto(_) => {
            step.detail = "the target is not ready".into();
        }
        Service::Smtp(_) => {
            let Some((html, text, sent)) = email_parts(&prepared.run, &venue.name) else {
                step.detail = format!(
                    "the `{}` venue needs an .html and a .txt output for an email's two parts",
                    venue.name
                );
                return step;
            };
            let subscribers = match ready {
                Ready::Smtp(mail) => mail.subscribers.len(),
                _ => 0,
            };
            let mut resume = None;
            let resend = matches!(ready, Ready::Smtp(mail) if mail.resend_uncertain);
            match ledger.issue_of(&post.slug, &target.name) {
                Some(issue) if !issue.complete() || (resend && !issue.uncertain.is_empty()) => {
                    let left = match ready {
                        Ready::Smtp(mail) => mail
                            .subscribers
                            .iter()
                            .filter(|s| {
                                let key = super::ledger::recipient_key(&issue.id, &s.email);
                                !issue.settled_unless(&key, resend)
                            })
                            .count(),
                        _ => 0,
                    };
                    step.action = Action::Resume;
                    step.id = Some(issue.id.clone());
                    let edited = issue
                        .posts
                        .iter()
                        .any(|p| p.post == post.slug && p.sent != sent);
                    step.detail = if issue.complete() {
                        format!(
                            "issue {}: {left} uncertain subscribers to send to again (--resend-uncertain)",
                            issue.id
                        )
                    } else {
                        format!(
                            "issue {} stopped part-way: {left} of {subscribers} subscribers left{}",
                            issue.id,
                            if resend {
                                String::new()
                            } else {
                                uncertain_note(issue.uncertain.len())
                            }
                        )
                    };
                    if edited {
                        step.detail.push_str(
                            "; the post changed since the issue began: the subscribers left get it as it is now",
                        );
                    }
                    resume = Some(issue.id.clone());
                }
                Some(issue) => {
                    step.action = Action::Unchanged;
                    step.id = Some(issue.id.clone());
                    let was = issue
                        .posts
                        .iter()
                        .find(|p| p.post == post.slug)
                        .map(|p| p.sent.clone());
                    step.detail = if was.as_deref() == Some(sent.as_str()) {
                        format!(
                            "emailed on {} to {} subscribers",
                            issue.at,
                            issue.delivered.len()
                        )
                    } else {
                        format!(
                            "emailed on {}; the post changed since, and an email is never sent twice",
                            issue.at
                        )
                    };
                }
                None if let Some((other, issue)) =
                    emailed_elsewhere(session, ledger, &post.slug) =>
                {
                    step.detail = format!(
                        "emailed on {} by the target `{other}`, which repurpose.yaml no longer names: if `{}` is that target renamed, give it its old name back (an email is never sent twice)",
                        issue.at, target.name
                    );
                }
                None => {
                    step.action = Action::Create;
                    step.detail = format!("{subscribers} subscribers");
                    if ledger.events().is_empty() {
                        // Mail cannot be looked up afterwards, as a blog post can.
                        step.detail.push_str(&format!(
                            " (no {} here yet: a post already emailed from another copy of the project would go out again)",
                            super::ledger::FILE
                        ));
                    }
                }
            }
            if matches!(step.action, Action::Create | Action::Resume) {
                step.payload = Payload::Section(Box::new(Section {
                    title: post.title.clone(),
                    summary: summary_text(post, 30),
                    html,
                    text,
                    record: IssuePost {
                        post: post.slug.clone(),
                        source: prepared.source.clone(),
                        sent,
                        from: prepared.from.clone(),
                    },
                    resume,
                }));
            }
        }
    }
    step
}

/// The blog post `post` makes at a WordPress target: its venue's body, not the page, with
/// its images at `media` (the media library's URLs) where given.
pub(super) fn draft(
    session: &Session,
    post: &crate::post::Post,
    venue: &crate::venue::Venue,
    wp: &crate::config::publish::WordPress,
    media: Option<&crate::media::MediaRefs>,
) -> wordpress::Draft {
    let media = media.filter(|_| !post.media.is_empty());
    wordpress::Draft {
        title: post.title.clone(),
        content: format!(
            "{}\n{}",
            venue_body(post, venue, &session.config.site, media).unwrap_or_default(),
            wordpress::mark(&post.slug)
        ),
        excerpt: summary_text(post, 55),
        slug: post.slug.clone(),
        date: post.meta.date.clone(),
        tags: post.meta.tags.clone(),
        status: wp.status.clone(),
    }
}

/// What the site holds for a post the ledger does not know.
pub(super) enum Found {
    /// A post carrying repurpose's mark for this slug: sent before, its ledger line lost.
    Ours(wordpress::Remote),
    /// A post with this slug that repurpose did not send.
    Foreign(wordpress::Remote),
    /// Neither.
    Nothing,
}

/// Looks for the post `slug` on the site: by repurpose's mark (whatever slug WordPress gave
/// it), else by its slug (someone else's post, never to be overwritten).
pub(super) fn locate(client: &wordpress::Client, slug: &str) -> anyhow::Result<Found> {
    if let Some(remote) = client.find_by_mark(slug)? {
        return Ok(Found::Ours(remote));
    }
    Ok(match client.find_by_slug(slug)? {
        Some(remote) => Found::Foreign(remote),
        None => Found::Nothing,
    })
}

/// Why a post cannot go where another post with its slug already is.
pub(super) fn foreign(slug: &str, remote: &wordpress::Remote) -> String {
    format!(
        "a post with the slug `{slug}` is already on the site (post {}, {}) and repurpose did not send it: give this post another `slug` in its front matter, or rename or delete that one",
        remote.id, remote.link
    )
}

/// A post's email parts from `venue`'s outputs (.html, .txt) and their hash; None when the
/// venue lacks one of them.
pub(super) fn email_parts(run: &PostRun<'_>, venue: &str) -> Option<(String, String, String)> {
    let html = output_of(run, venue, ".html")?;
    let text = output_of(run, venue, ".txt")?;
    let sent = crate::hash::hash(format!("{html}\0{text}").as_bytes());
    Some((html, text, sent))
}

/// Connects to a newsletter's server and logs in, as sending will: a wrong password or an
/// unreachable server makes the sending steps impossible in the plan rather than a failure
/// half-way. Only asked when some step would send.
pub(super) fn check_mail(mail: &Mail) -> Result<(), String> {
    smtp::Mailer::connect(&mail.server, mail.credentials.as_ref())
        .map(drop)
        .map_err(|e| e.to_string())
}

/// The newsletter issue of `slug` sent by a target the configuration no longer names (a
/// target renamed would otherwise email every post again).
fn emailed_elsewhere(
    session: &Session,
    ledger: &Ledger,
    slug: &str,
) -> Option<(String, std::rc::Rc<super::ledger::IssueState>)> {
    let gone: std::collections::BTreeSet<&str> = ledger
        .events()
        .iter()
        .filter_map(|e| match e {
            super::ledger::Event::Issue { target, .. } => Some(target.as_str()),
            _ => None,
        })
        .filter(|t| !session.config.publish.contains_key(*t))
        .collect();
    gone.into_iter()
        .find_map(|t| ledger.issue_of(slug, t).map(|i| (t.to_string(), i)))
}

/// Whether the file at `path` is there and is a post whose slug is `slug`.
fn still_has_slug(path: &Path, slug: &str) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| crate::post::Post::slug_of(path, &text).ok())
        .is_some_and(|s| s == slug)
}

/// What changed since a post was sent: the post's file, or only its output.
pub(super) fn changed(then: &str, now: &str, venue: &str, at: &str) -> String {
    if then == now {
        format!("the `{venue}` output changed since {at} (templates or configuration)")
    } else {
        format!("the post changed since {at}")
    }
}

fn uncertain_note(n: usize) -> String {
    match n {
        0 => String::new(),
        1 => "; 1 uncertain (the run stopped or the connection was lost while sending to them), not resent without --resend-uncertain".into(),
        n => format!("; {n} uncertain (the run stopped or the connection was lost while sending to them), not resent without --resend-uncertain"),
    }
}

/// The text of the post's output of `venue` whose file ends with `ending`.
pub(super) fn output_of(run: &PostRun<'_>, venue: &str, ending: &str) -> Option<String> {
    run.outputs
        .iter()
        .find(|o| o.venue == venue && o.file.ends_with(ending))
        .map(|o| String::from_utf8_lossy(&o.bytes).into_owned())
}

/// The hash of what a blog post sends: every field.
pub(super) fn draft_hash(draft: &wordpress::Draft) -> String {
    let fields = [
        draft.title.as_str(),
        &draft.content,
        &draft.excerpt,
        &draft.slug,
        draft.date.as_deref().unwrap_or(""),
        &draft.tags.join("\u{1f}"),
    ];
    crate::hash::hash(fields.join("\0").as_bytes())
}

/// Makes each newsletter issue a step resumes whole: a post of the issue that was not named
/// this time is read again from where the ledger recorded it and added to the plan, so the
/// subscribers left get the same issue as the others. A post that cannot be read makes
/// every step resuming that issue impossible.
pub(super) fn whole_issues(
    session: &Session,
    ledger: &Ledger,
    folder: &Path,
    ready: &[(&Target, Ready)],
    steps: &mut Vec<Step>,
) {
    for (target, ready) in ready {
        let resumed: Vec<String> = steps
            .iter()
            .filter(|s| s.target == target.name && s.action == Action::Resume)
            .filter_map(|s| s.id.clone())
            .collect();
        let mut done: Vec<String> = Vec::new();
        for id in resumed {
            if done.contains(&id) {
                continue;
            }
            done.push(id.clone());
            let Some(issue) = ledger.issues(&target.name).into_iter().find(|i| i.id == id) else {
                continue;
            };
            for post in &issue.posts {
                let resuming = |s: &Step| {
                    s.target == target.name
                        && s.post == post.post
                        && s.action == Action::Resume
                        && s.id.as_deref() == Some(id.as_str())
                };
                if steps.iter().any(resuming) {
                    continue;
                }
                // Named (or read) this time but not resuming with the others: the issue
                // cannot go out whole.
                if let Some(other) = steps
                    .iter()
                    .find(|s| s.target == target.name && s.post == post.post)
                {
                    let why = format!(
                        "issue {id} also holds `{}` ({}), which cannot go out now: {}",
                        post.post, post.source, other.detail
                    );
                    for s in steps
                        .iter_mut()
                        .filter(|s| s.id.as_deref() == Some(id.as_str()) && s.target == target.name)
                    {
                        s.impossible(why.clone());
                    }
                    continue;
                }
                let added = prepare(session, folder, &folder.join(&post.source)).map(|p| {
                    step(
                        session,
                        ledger,
                        folder,
                        &p,
                        target,
                        ready,
                        super::PlanOptions::default(),
                    )
                });
                match added {
                    Ok(step) if step.action == Action::Resume => steps.push(step),
                    Ok(step) => {
                        let why = format!(
                            "issue {id} also holds `{}` ({}), which cannot go out now: {}",
                            post.post, post.source, step.detail
                        );
                        for s in steps.iter_mut().filter(|s| {
                            s.id.as_deref() == Some(id.as_str()) && s.target == target.name
                        }) {
                            s.impossible(why.clone());
                        }
                    }
                    Err(e) => {
                        let why = format!(
                            "issue {id} also holds `{}`, whose file {} cannot be read: {e:#}",
                            post.post, post.source
                        );
                        for s in steps.iter_mut().filter(|s| {
                            s.id.as_deref() == Some(id.as_str()) && s.target == target.name
                        }) {
                            s.impossible(why.clone());
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_recorded_by_its_path_from_the_ledgers_folder_however_typed() {
        let here = Path::new("site");
        assert_eq!(relative(here, Path::new("site/posts/a.md")), "posts/a.md");
        assert_eq!(
            relative(here, Path::new("site/posts/2025/../a.md")),
            "posts/a.md"
        );
        assert_eq!(
            relative(Path::new(""), Path::new("./posts/a.md")),
            "posts/a.md"
        );
    }
}
