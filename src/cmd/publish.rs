//! `repurpose publish` and `repurpose status`: the plan, carried out or not, and where each
//! post stands at each target.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::Serialize;

use crate::config::Config;
use crate::pipeline::report::{self, Problems, Sink, Stderr};
use crate::pipeline::{Session, SessionOptions};
use crate::publish::{self, Action, Ledger, Sent, Step, ledger};
use crate::status::Status;

/// What `publish` and `status` run with.
#[derive(Debug)]
pub struct PublishOptions {
    /// The posts (files or folders); none: every post the ledger records.
    pub posts: Vec<PathBuf>,
    /// The targets named with `--target`; none: all.
    pub targets: Vec<String>,
    /// The configuration.
    pub config: Config,
    /// The templates folder.
    pub templates: Option<PathBuf>,
    /// Print JSON instead of lines.
    pub json: bool,
    /// `publish --plan`: print the plan, send nothing.
    pub plan_only: bool,
    /// `publish --eml DIR`: write the newsletter's messages as files instead of sending.
    pub eml: Option<PathBuf>,
    /// `publish --resend-uncertain`: send again to subscribers a stopped run left uncertain.
    pub resend_uncertain: bool,
    /// `publish --overwrite`: update blog posts edited on the site since they were sent.
    pub overwrite: bool,
}

/// Opens the session every venue is rendered in (all venues: a target may send any), and
/// the ledger beside the configuration.
fn open(
    options: &PublishOptions,
    problems: &Problems,
) -> Result<(Session, Ledger, PathBuf, Option<ledger::Held>)> {
    let mut config = options.config.clone();
    config.default_venues.clear();
    // The ledger sits beside the configuration file, wherever it was found or named.
    let folder = config
        .path()
        .and_then(Path::parent)
        .map_or_else(|| config.root().to_path_buf(), Path::to_path_buf);
    // A run that sends holds the project before it reads the ledger: a second one waits,
    // then plans from what the first recorded.
    let held = if options.plan_only || options.eml.is_some() {
        None
    } else {
        Some(ledger::hold(&folder)?)
    };
    let session = report::open(
        SessionOptions {
            config,
            templates: options.templates.clone(),
            venues: Vec::new(),
            render_findings: false,
        },
        problems,
    )?;
    let ledger = Ledger::open(&Ledger::path_in(&folder))?;
    Ok((session, ledger, folder, held))
}

/// What `publish --json` prints.
#[derive(Debug, Serialize)]
struct Report<'a> {
    /// Whether anything was sent (false with `--plan` and `--eml`).
    sent: bool,
    steps: &'a [Step],
    issues: Vec<IssueReport<'a>>,
    problems: Vec<String>,
}

#[derive(Debug, Serialize)]
struct IssueReport<'a> {
    issue: &'a str,
    delivered: usize,
    refused: Vec<Refusal<'a>>,
    deferred: Vec<Refusal<'a>>,
    uncertain: &'a [String],
    eml_written: usize,
}

#[derive(Debug, Serialize)]
struct Refusal<'a> {
    email: &'a str,
    reply: &'a str,
}

/// `repurpose publish`.
pub fn run(options: &PublishOptions) -> Result<Status> {
    let problems = Problems::default();
    let (session, mut ledger, folder, _held) = open(options, &problems)?;
    let mut targets = publish::targets(&session, &options.targets)?;
    if options.eml.is_some() {
        // Only a newsletter has messages to write.
        targets.retain(|t| t.service.name() == "smtp");
        if targets.is_empty() {
            return Err(crate::status::Usage(
                "--eml writes a newsletter's messages, and no `smtp` target is chosen".into(),
            )
            .into());
        }
    }
    let out = session.config.out_dir(None);
    let (paths, errors) = publish::posts(&options.posts, &ledger, &folder, &out)?;
    problems.report_all(&Stderr, &errors);
    let mut plan = publish::plan(
        &session,
        &ledger,
        &folder,
        &paths,
        &targets,
        publish::PlanOptions {
            recorded_only: options.posts.is_empty(),
            resend_uncertain: options.resend_uncertain,
            offline: options.eml.is_some(),
            overwrite: options.overwrite,
        },
    );
    problems.report_all(&Stderr, &plan.problems);
    let sends = !options.plan_only;
    if !options.json {
        print!("{}", plan_lines(&plan.steps, options));
    }
    let issues = if sends {
        plan.carry_out(&mut ledger, options.eml.as_deref())
    } else {
        Vec::new()
    };
    for step in &plan.steps {
        if step.action == Action::Impossible {
            problems.add(1);
        }
        if let Some(error) = &step.error {
            Stderr.error(&anyhow::anyhow!(
                "{} → {}: {error}",
                step.source,
                step.target
            ));
            problems.add(1);
        }
    }
    for issue in &issues {
        for (email, reply) in &issue.refused {
            Stderr.warning(&format!(
                "issue {}: {email} refused for good: {reply} (recorded; not retried)",
                issue.issue
            ));
        }
        for (email, reply) in &issue.deferred {
            Stderr.warning(&format!(
                "issue {}: {email} refused for now: {reply} (`repurpose publish` again retries)",
                issue.issue
            ));
        }
        for what in &issue.uncertain {
            Stderr.warning(&format!(
                "issue {}: uncertain whether the server took the message for {what}; not resent (`repurpose status` lists it)",
                issue.issue
            ));
        }
        if !issue.deferred.is_empty() || !issue.uncertain.is_empty() {
            problems.add(1);
        }
    }
    if options.json {
        let report = Report {
            sent: options.eml.is_none()
                && plan.steps.iter().any(|s| {
                    matches!(s.result, Some("done" | "partial"))
                        || (s.result == Some("failed") && s.performed.is_some())
                }),
            steps: &plan.steps,
            issues: issues.iter().map(issue_report).collect(),
            problems: plan
                .problems
                .iter()
                .chain(&errors)
                .map(|e| format!("{e:#}"))
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else if sends {
        print!("{}", done_lines(&plan.steps, &issues, options));
    }
    Ok(problems.status())
}

fn refusals(list: &[(String, String)]) -> Vec<Refusal<'_>> {
    list.iter()
        .map(|(email, reply)| Refusal { email, reply })
        .collect()
}

fn issue_report(issue: &Sent) -> IssueReport<'_> {
    IssueReport {
        issue: &issue.issue,
        delivered: issue.delivered,
        refused: refusals(&issue.refused),
        deferred: refusals(&issue.deferred),
        uncertain: &issue.uncertain,
        eml_written: issue.written,
    }
}

/// The plan as lines: one per post and target, then the counts.
fn plan_lines(steps: &[Step], options: &PublishOptions) -> String {
    let mut out = String::new();
    let head = if options.plan_only {
        "Plan (--plan: nothing is sent)"
    } else if options.eml.is_some() {
        "Plan (--eml: the newsletter's messages are written as files; nothing is sent)"
    } else {
        "Plan"
    };
    let _ = writeln!(out, "{head}:");
    let (post_w, target_w) = widths(steps.iter().map(|s| (&s.source, &s.target)));
    for step in steps {
        let _ = writeln!(
            out,
            "  {:post_w$}  {:target_w$}  {:10}  {}",
            step.source,
            step.target,
            step.action.word(),
            step.detail
        );
    }
    let count = |a: Action| steps.iter().filter(|s| s.action == a).count();
    let _ = writeln!(
        out,
        "{} to create, {} to update, {} to resume, {} unchanged, {} impossible",
        count(Action::Create),
        count(Action::Update),
        count(Action::Resume),
        count(Action::Unchanged),
        count(Action::Impossible)
    );
    out
}

/// What was done, step by step, then each newsletter issue's counts.
fn done_lines(steps: &[Step], issues: &[Sent], options: &PublishOptions) -> String {
    let mut out = String::new();
    for step in steps
        .iter()
        .filter(|s| s.result == Some("done") && s.service != "smtp")
    {
        let _ = writeln!(
            out,
            "{} {} → {}: {}",
            match step.performed {
                Some("create") => "created",
                Some("resume") => "resumed",
                Some("found") => "updated (found on the site)",
                _ => "updated",
            },
            step.source,
            step.target,
            step.url.as_deref().unwrap_or_default()
        );
    }
    for issue in issues {
        if let Some(dir) = &options.eml {
            let _ = writeln!(
                out,
                "wrote {} messages of issue {} into {}",
                issue.written,
                issue.issue,
                dir.display()
            );
        } else {
            let _ = writeln!(
                out,
                "emailed issue {}: {} delivered, {} refused, {} to retry, {} uncertain",
                issue.issue,
                issue.delivered,
                issue.refused.len(),
                issue.deferred.len(),
                issue.uncertain.len()
            );
        }
    }
    out
}

/// `repurpose status`.
pub fn status(options: &PublishOptions) -> Result<Status> {
    let problems = Problems::default();
    let (session, ledger, folder, _) = open(options, &problems)?;
    let targets = publish::targets(&session, &options.targets)?;
    let out = session.config.out_dir(None);
    let (paths, errors) = publish::posts(&options.posts, &ledger, &folder, &out)?;
    problems.report_all(&Stderr, &errors);
    let mut rows = Vec::new();
    for path in &paths {
        match publish::plan::prepare(&session, &folder, path) {
            Ok(prepared) => {
                for target in &targets {
                    rows.push(publish::status::row(&session, &ledger, &prepared, target));
                }
            }
            Err(e) => problems.report(&Stderr, &e),
        }
    }
    if options.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
    } else {
        let (post_w, target_w) = widths(rows.iter().map(|r| (&r.source, &r.target)));
        for row in &rows {
            let mut line = format!(
                "{:post_w$}  {:target_w$}  {:15}  {}",
                row.source,
                row.target,
                row.state.words(),
                row.detail
            );
            if let Some(url) = &row.url {
                let _ = write!(line, " ({url})");
            }
            println!("{}", line.trim_end());
        }
    }
    Ok(problems.status())
}

/// The widths of the post and target columns, for lines that line up.
fn widths<'a>(rows: impl Iterator<Item = (&'a String, &'a String)>) -> (usize, usize) {
    rows.fold((0, 0), |(post, target), (p, t)| {
        (post.max(p.len()), target.max(t.len()))
    })
}
