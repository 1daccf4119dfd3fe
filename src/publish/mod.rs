//! Publishing: the targets named under `publish:` in repurpose.yaml, the plan of what each
//! would receive, the ledger of what was sent where, and one module per service.
//!
//! `publish` always works out the plan first (`plan`): the posts as they are now, rendered
//! through the session, against the ledger and, where the ledger knows nothing, a look-up
//! on the service. `--plan` stops there; otherwise `carry_out` sends exactly that plan,
//! recording each send in the ledger as soon as the service took it.

pub mod article;
#[cfg(test)]
mod article_test_server;
pub mod bluesky;
mod connect;
pub mod devto;
pub mod discourse;
pub mod host;
pub mod http;
pub mod ledger;
pub mod mastodon;
pub mod multipart;
pub mod network;
pub mod plan;
pub mod recipients;
pub mod secret;
mod send;
pub mod smtp;
pub mod status;
pub mod thread;
pub mod upload;
mod uploads;
pub mod wordpress;

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::config::publish::{Service, Target};
use crate::pipeline::Session;
use crate::status::Usage;

pub use ledger::Ledger;
pub use plan::{Action, Prepared, Step};
pub use secret::Secret;
pub use send::Sent;

/// A plan: every step, and the posts that could not be read.
#[derive(Debug)]
pub struct Plan<'s> {
    /// One step per post and target, post by post, targets in the configuration's order.
    pub steps: Vec<Step>,
    /// Posts that could not be read or parsed (each error names the file and line).
    pub problems: Vec<anyhow::Error>,
    /// The targets, each made ready (secrets read, login checked).
    ready: Vec<(&'s Target, plan::Ready)>,
}

/// The targets `--target` names, in the configuration's order; all when none is named. An
/// unknown name is a usage error listing the targets there are.
pub fn targets<'c>(session: &'c Session, names: &[String]) -> Result<Vec<&'c Target>> {
    let all = &session.config.publish;
    if all.is_empty() {
        return Err(Usage(format!(
            "{} has no `publish:` targets: add one (docs/publishing.md shows how), like\n\n  publish:\n    blog:\n      service: wordpress\n      url: https://blog.example.com\n      username: ana\n      password_env: WORDPRESS_PASSWORD",
            session.config.path().map_or_else(
                || "no repurpose.yaml was found (run from the project's folder, or name it with --config), so the configuration".into(),
                |p| format!("`{}`", p.display())
            )
        ))
        .into());
    }
    for name in names {
        if !all.contains_key(name) {
            return Err(Usage(format!(
                "unknown publish target `{name}`; the targets are: {}",
                all.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
            .into());
        }
    }
    Ok(all
        .values()
        .filter(|t| names.is_empty() || names.contains(&t.name))
        .collect())
}

/// The posts to publish: those named (files or folders), else every post the ledger
/// records whose file is still there.
pub fn posts(
    inputs: &[PathBuf],
    ledger: &Ledger,
    folder: &Path,
    out: &Path,
) -> Result<(Vec<PathBuf>, Vec<anyhow::Error>)> {
    if !inputs.is_empty() {
        return Ok(crate::inputs::collect(inputs, out));
    }
    let recorded = ledger.posts();
    // Only files inside the project: a ledger line naming `/etc/passwd` or `../x` is not
    // a post of this project.
    let inside = |source: &&String| {
        let path = Path::new(source.as_str());
        path.is_relative()
            && !path
                .components()
                .any(|c| matches!(c, std::path::Component::ParentDir))
    };
    let known: Vec<PathBuf> = recorded
        .values()
        .filter(inside)
        .map(|source| folder.join(source))
        .filter(|p| p.is_file())
        .collect();
    if known.is_empty() {
        let why = if recorded.is_empty() {
            "the ledger records none yet".to_string()
        } else {
            format!(
                "none of the posts the ledger records is where it recorded it ({})",
                recorded.values().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(Usage(format!("name the posts (files or folders): {why}")).into());
    }
    Ok((known, Vec::new()))
}

/// How a plan is made.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlanOptions {
    /// No post was named: only the post and target pairs the ledger records are planned
    /// (an update, a resume), never a first send of an old post to a new target.
    pub recorded_only: bool,
    /// `--resend-uncertain`.
    pub resend_uncertain: bool,
    /// `--eml`: nothing is sent, so no login is needed.
    pub offline: bool,
    /// `--overwrite`: update a blog post even where it was edited on the site since.
    pub overwrite: bool,
}

/// Works out what publishing `paths` to `targets` would do. Reads only: nothing is sent.
pub fn plan<'s>(
    session: &'s Session,
    ledger: &Ledger,
    folder: &Path,
    paths: &[PathBuf],
    targets: &[&'s Target],
    options: PlanOptions,
) -> Plan<'s> {
    let ready: Vec<(&Target, plan::Ready)> = targets
        .iter()
        .map(|t| (*t, plan::ready(t, &session.config.site, options)))
        .collect();
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    let mut slugs: Vec<(String, String)> = Vec::new();
    let mut prepared_posts = Vec::new();
    for path in paths {
        match plan::prepare(session, folder, path) {
            Ok(prepared) => prepared_posts.push(prepared),
            Err(e) => problems.push(e),
        }
    }
    for prepared in &prepared_posts {
        let slug = &prepared.run.post.slug;
        let twin = slugs
            .iter()
            .find(|(s, _)| s == slug)
            .map(|(_, source)| source.clone());
        slugs.push((slug.clone(), prepared.source.clone()));
        for (target, ready) in &ready {
            if options.recorded_only && !ledger.knows(slug, &target.name) {
                continue;
            }
            let mut step = step(session, ledger, folder, prepared, target, ready, options);
            if let Some(twin) = &twin {
                step.impossible(format!(
                    "{} has the same slug `{slug}`: give one of them its own `slug:` in its front matter",
                    twin
                ));
            }
            steps.push(step);
        }
    }
    plan::whole_issues(session, ledger, folder, &ready, &mut steps);
    // A newsletter's server is asked only when something would go to it: a post already
    // emailed stays `unchanged` while the server is down.
    for (target, ready) in &ready {
        let plan::Ready::Smtp(mail) = ready else {
            continue;
        };
        let sends = |s: &Step| {
            s.target == target.name && matches!(s.action, Action::Create | Action::Resume)
        };
        if options.offline || !steps.iter().any(sends) {
            continue;
        }
        if let Err(why) = plan::check_mail(mail) {
            for step in steps.iter_mut().filter(|s| sends(s)) {
                step.impossible(why.clone());
            }
        }
    }
    Plan {
        steps,
        problems,
        ready,
    }
}

/// The step for one post at one target: a thread and an article are planned by their own
/// modules, a blog post and a newsletter section by `plan::step`.
fn step(
    session: &Session,
    ledger: &Ledger,
    folder: &Path,
    prepared: &plan::Prepared<'_>,
    target: &Target,
    ready: &plan::Ready,
    options: PlanOptions,
) -> Step {
    let (mut step, venue) = match ready {
        plan::Ready::Social(_) | plan::Ready::Host(_) => {
            plan::begin(session, ledger, folder, prepared, target, ready)
        }
        _ => return plan::step(session, ledger, folder, prepared, target, ready, options),
    };
    let Some(venue) = venue else {
        return step;
    };
    match ready {
        plan::Ready::Social(social) => {
            thread::plan(
                session,
                ledger,
                &prepared.run.post,
                venue,
                social,
                target,
                &mut step,
            );
        }
        plan::Ready::Host(host) => match article::for_host(
            session,
            &prepared.run,
            venue,
            ledger,
            target,
            article::takes_uploads(&target.service),
        ) {
            Some(article) => {
                let linked = match article::takes_uploads(&target.service) {
                    true => Ok(None),
                    false => article::linked_media(session, &prepared.run.post),
                };
                let linked = match linked {
                    Ok(linked) => linked,
                    Err(why) => {
                        step.detail = why;
                        return step;
                    }
                };
                article::plan(
                    ledger,
                    host.as_ref(),
                    article,
                    options,
                    &venue.name,
                    &mut step,
                );
                if let Some(base) = linked
                    && step.action != Action::Impossible
                {
                    step.detail
                        .push_str(&format!("; its images are linked at {base}"));
                }
            }
            None => {
                step.detail = format!(
                    "the `{}` venue has no Markdown (.md) output to send",
                    venue.name
                );
            }
        },
        _ => {}
    }
    step
}

impl Plan<'_> {
    /// Carries the plan out, target by target: every create, update and resume, each
    /// recorded in the ledger as soon as it is sent. A step that fails costs only itself
    /// (a newsletter issue: the subscribers left); `eml` writes the newsletter's messages
    /// as files instead of sending them, and records nothing.
    pub fn carry_out(&mut self, ledger: &mut Ledger, eml: Option<&Path>) -> Vec<Sent> {
        let mut sent = Vec::new();
        for (target, ready) in &self.ready {
            let mut steps: Vec<&mut Step> = self
                .steps
                .iter_mut()
                .filter(|s| {
                    s.target == target.name
                        && matches!(s.action, Action::Create | Action::Update | Action::Resume)
                })
                .collect();
            if steps.is_empty() {
                continue;
            }
            match (ready, &target.service) {
                (plan::Ready::WordPress(client), _) => {
                    for step in steps {
                        match send::blog(client, ledger, target, step) {
                            Ok(()) => step.result = Some("done"),
                            Err(e) => step.fail(&e),
                        }
                    }
                }
                (plan::Ready::Social(social), _) => {
                    for step in steps {
                        match thread::send(social.network.as_ref(), ledger, target, step) {
                            Ok(()) => step.result = Some("done"),
                            Err(e) => step.fail(&e),
                        }
                    }
                }
                (plan::Ready::Host(host), _) => {
                    for step in steps {
                        match article::send(host.as_ref(), ledger, target, step) {
                            Ok(()) => step.result = Some("done"),
                            Err(e) => step.fail(&e),
                        }
                    }
                }
                (plan::Ready::Smtp(mail), Service::Smtp(settings)) => {
                    for (posts, outcome) in
                        send::newsletter(mail, settings, target, ledger, &steps, eml)
                    {
                        for step in steps.iter_mut().filter(|s| posts.contains(&s.post)) {
                            match &outcome {
                                Ok(issue) => {
                                    step.result =
                                        Some(if issue.clean() { "done" } else { "partial" });
                                }
                                Err(e) => step.fail(e),
                            }
                        }
                        sent.extend(outcome.ok());
                    }
                }
                _ => {}
            }
        }
        sent
    }
}
