//! Publishing: the targets named under `publish:` in repurpose.yaml, the plan of what each
//! would receive, the ledger of what was sent where, and one module per service.
//!
//! `publish` always works out the plan first (`plan`): the posts as they are now, rendered
//! through the session, against the ledger and, where the ledger knows nothing, a look-up
//! on the service. `--plan` stops there; otherwise `carry_out` sends exactly that plan,
//! recording each send in the ledger as soon as the service took it.

pub mod ledger;
pub mod plan;
pub mod recipients;
pub mod secret;
mod send;
pub mod smtp;
pub mod status;
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
            session
                .config
                .path()
                .map_or("the configuration".into(), |p| format!("`{}`", p.display()))
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
    let known: Vec<PathBuf> = ledger
        .posts()
        .values()
        .map(|source| folder.join(source))
        .filter(|p| p.is_file())
        .collect();
    if known.is_empty() {
        return Err(Usage(
            "name the posts to publish (files or folders): the ledger records none yet".into(),
        )
        .into());
    }
    Ok((known, Vec::new()))
}

/// Works out what publishing `paths` to `targets` would do. Reads only: nothing is sent.
pub fn plan<'s>(
    session: &'s Session,
    ledger: &Ledger,
    folder: &Path,
    paths: &[PathBuf],
    targets: &[&'s Target],
    resend_uncertain: bool,
) -> Plan<'s> {
    let ready: Vec<(&Target, plan::Ready)> = targets
        .iter()
        .map(|t| (*t, plan::ready(t, &session.config.site, resend_uncertain)))
        .collect();
    let mut steps = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        match plan::prepare(session, folder, path) {
            Ok(prepared) => {
                for (target, ready) in &ready {
                    steps.push(plan::step(session, ledger, &prepared, target, ready));
                }
            }
            Err(e) => problems.push(e),
        }
    }
    Plan {
        steps,
        problems,
        ready,
    }
}

impl Plan<'_> {
    /// How many steps would do `action`.
    pub fn count(&self, action: Action) -> usize {
        self.steps.iter().filter(|s| s.action == action).count()
    }

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
                        if eml.is_some() {
                            continue;
                        }
                        match send::blog(client, ledger, target, step) {
                            Ok(()) => step.result = Some("done"),
                            Err(e) => {
                                step.result = Some("failed");
                                step.error = Some(format!("{e:#}"));
                            }
                        }
                    }
                }
                (plan::Ready::Smtp(mail), Service::Smtp(settings)) => {
                    match send::newsletter(mail, settings, target, ledger, &mut steps, eml) {
                        Ok(issues) => {
                            let clean = issues.iter().all(|i| {
                                i.refused.is_empty()
                                    && i.deferred.is_empty()
                                    && i.uncertain.is_empty()
                            });
                            for step in steps {
                                step.result = Some(if clean { "done" } else { "partial" });
                            }
                            sent.extend(issues);
                        }
                        Err(e) => {
                            for step in steps {
                                step.result = Some("failed");
                                step.error = Some(format!("{e:#}"));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        sent
    }
}
