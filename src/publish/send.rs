//! Carrying out a plan: each step sent, and recorded in the ledger as soon as the service
//! said yes, before the next request.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::config::publish::{Smtp, Target};

use super::ledger::{Event, Ledger, now, recipient_key};
use super::plan::{Found, Mail, Payload, Section, Step, draft_hash, foreign, locate};
use super::{smtp, wordpress};

/// Sends one blog step (create or update) and records it.
pub(super) fn blog(
    client: &wordpress::Client,
    ledger: &mut Ledger,
    target: &Target,
    step: &mut Step,
) -> Result<()> {
    let Payload::Draft(draft, pending) = &step.payload else {
        return Ok(());
    };
    // The images first, each recorded as soon as the site has it; the body then refers to
    // the media library's copies.
    let mut draft = draft.as_ref().clone();
    draft.content = super::uploads::upload(
        client,
        ledger,
        &step.post,
        &target.name,
        pending,
        &draft.content,
    )?;
    let draft = &draft;
    // The post the ledger knows, unless it was deleted on the site since.
    let recorded = ledger.placed(&step.post, &target.name).map(|p| p.id);
    let known = match recorded.as_deref().map(str::parse::<u64>) {
        Some(Ok(id)) => client.get(id)?,
        Some(Err(_)) => anyhow::bail!(
            "the ledger's id `{}` for this post is not a WordPress post id",
            recorded.unwrap_or_default()
        ),
        None => None,
    };
    // Looked up again right before creating: the plan may be old, and a post created by a
    // run killed before it could write the ledger must not be created twice.
    let (remote, action) = match known {
        Some(remote) => (client.update(remote.id, draft)?, "update"),
        None => match locate(client, &draft.slug)? {
            // The ledger did not know it (a fresh clone, a run killed before its line was
            // written), but the site has it, marked as ours.
            Found::Ours(remote) => (client.update(remote.id, draft)?, "found"),
            Found::Foreign(remote) => anyhow::bail!("{}", foreign(&draft.slug, &remote)),
            Found::Nothing => (client.create(draft)?, "create"),
        },
    };
    step.performed = Some(action);
    ledger.append(Event::Published {
        at: now(),
        post: step.post.clone(),
        source: step.source.clone(),
        target: target.name.clone(),
        action: action.into(),
        id: remote.id.to_string(),
        url: remote.link.clone(),
        sent: draft_hash(draft),
        from: step.from.clone(),
        stored: remote.stored(),
    })?;
    step.id = Some(remote.id.to_string());
    step.url = Some(remote.link);
    Ok(())
}

impl Sent {
    /// Whether every subscriber tried got it.
    pub fn clean(&self) -> bool {
        self.refused.is_empty() && self.deferred.is_empty() && self.uncertain.is_empty()
    }
}

/// How one newsletter issue went.
#[derive(Debug, Default)]
pub struct Sent {
    /// The issue's id.
    pub issue: String,
    /// Messages the server accepted in this run.
    pub delivered: usize,
    /// Subscribers refused for good in this run, with the server's reply.
    pub refused: Vec<(String, String)>,
    /// Subscribers refused for now (4xx after retries): the next `publish` tries again.
    pub deferred: Vec<(String, String)>,
    /// Messages whose fate is unknown (the connection was lost after the message was sent).
    pub uncertain: Vec<String>,
    /// Files written by `--eml`.
    pub written: usize,
}

/// The posts of one issue and how sending it went.
pub(super) type Outcome = (Vec<String>, Result<Sent>);

/// Sends the newsletter steps of one target: the steps resuming an issue finish it (its
/// posts in the order it began with), the others make one new issue with each post a
/// section. Each issue's outcome comes back with its posts: one failing costs only itself.
pub(super) fn newsletter(
    mail: &Mail,
    settings: &Smtp,
    target: &Target,
    ledger: &mut Ledger,
    steps: &[&mut Step],
    eml: Option<&Path>,
) -> Vec<Outcome> {
    let mut issues: Vec<(String, Vec<Section>)> = Vec::new();
    let mut fresh = Vec::new();
    for step in steps {
        if let Payload::Section(section) = &step.payload {
            match &section.resume {
                Some(id) => match issues.iter_mut().find(|(i, _)| i == id) {
                    Some((_, sections)) => sections.push((**section).clone()),
                    None => issues.push((id.clone(), vec![(**section).clone()])),
                },
                None => fresh.push((**section).clone()),
            }
        }
    }
    let recorded = ledger.issues(&target.name);
    for (id, sections) in &mut issues {
        if let Some(issue) = recorded.iter().find(|i| &i.id == id) {
            let place = |s: &Section| issue.posts.iter().position(|p| p.post == s.record.post);
            sections.sort_by_key(place);
        }
    }
    if !fresh.is_empty() {
        let mut seed = target.name.clone();
        for s in &fresh {
            seed.push('\0');
            seed.push_str(&s.record.post);
            seed.push('\0');
            seed.push_str(&s.record.sent);
        }
        let id = crate::hash::short(seed.as_bytes(), 16);
        issues.push((id, fresh));
    }
    issues
        .into_iter()
        .map(|(id, sections)| {
            let resuming = sections.iter().any(|s| s.resume.is_some());
            let posts = sections.iter().map(|s| s.record.post.clone()).collect();
            let outcome = issue(
                mail, settings, target, ledger, &id, &sections, resuming, eml,
            );
            (posts, outcome)
        })
        .collect()
}

/// The letter of an issue: its posts' sections, one after the other.
fn letter(settings: &Smtp, lang: &str, id: &str, sections: &[Section]) -> smtp::Letter {
    const RULE: &str = "\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\"><tr><td style=\"padding:24px 20px;\"><hr style=\"border:0;border-top:1px solid #dddddd;margin:0;\"></td></tr></table>\n";
    let titles: Vec<&str> = sections.iter().map(|s| s.title.as_str()).collect();
    let subject = settings
        .subject
        .clone()
        .unwrap_or_else(|| match titles.as_slice() {
            [one] => (*one).to_string(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
            [] => String::new(),
        });
    smtp::Letter {
        from: settings.from.clone(),
        subject,
        html: sections
            .iter()
            .map(|s| s.html.trim_end())
            .collect::<Vec<_>>()
            .join(RULE),
        text: sections
            .iter()
            .map(|s| s.text.trim_end())
            .collect::<Vec<_>>()
            .join("\n\n* * *\n\n"),
        preheader: sections
            .first()
            .map(|s| s.summary.clone())
            .unwrap_or_default(),
        issue_id: id.to_string(),
        lang: lang.to_string(),
    }
}

/// Sends one issue to every subscriber not settled yet, recording each as it goes.
#[allow(clippy::too_many_arguments)]
fn issue(
    mail: &Mail,
    settings: &Smtp,
    target: &Target,
    ledger: &mut Ledger,
    id: &str,
    sections: &[Section],
    resuming: bool,
    eml: Option<&Path>,
) -> Result<Sent> {
    let letter = letter(settings, &mail.language, id, sections);
    let state = ledger.issues(&target.name).into_iter().find(|i| i.id == id);
    let todo: Vec<_> = mail
        .subscribers
        .iter()
        .filter(|s| {
            !state.as_ref().is_some_and(|i| {
                i.settled_unless(&recipient_key(id, &s.email), mail.resend_uncertain)
            })
        })
        .collect();
    let mut sent = Sent {
        issue: id.to_string(),
        ..Sent::default()
    };
    if let Some(dir) = eml {
        crate::error::create_dir_all(dir)?;
        for (n, subscriber) in todo.iter().enumerate() {
            let message = smtp::message(&letter, &recipient(subscriber), &settings.unsubscribe)?;
            let path = dir.join(format!("{id}-{:04}.eml", n + 1));
            crate::output::write_atomic(&path, &message.formatted())?;
            sent.written += 1;
        }
        return Ok(sent);
    }
    // Every message builds, and the server is connected (and logged in), before anything
    // is recorded: a bad address or a wrong password records nothing.
    for subscriber in &todo {
        smtp::message(&letter, &recipient(subscriber), &settings.unsubscribe)?;
    }
    let mut mailer = Some(
        smtp::Mailer::connect(&mail.server, mail.credentials.as_ref())
            .map_err(|e| anyhow::anyhow!("{e}"))
            .with_context(|| format!("publish target `{}`", target.name))?,
    );
    if !resuming || state.is_none() {
        ledger.append(Event::Issue {
            at: now(),
            target: target.name.clone(),
            issue: id.to_string(),
            posts: sections.iter().map(|s| s.record.clone()).collect(),
            recipients: mail.subscribers.len(),
        })?;
    }
    let mut pace = smtp::Pace::new(settings.rate);
    let bar = progress(todo.len(), id);
    for subscriber in todo {
        let message = smtp::message(&letter, &recipient(subscriber), &settings.unsubscribe)?;
        let to = recipient_key(id, &subscriber.email);
        let who = Who {
            target: &target.name,
            issue: id,
            to: &to,
        };
        pace.wait();
        bar.inc(1);
        ledger.append(who.sending())?;
        // While waiting to retry (a 4xx, a connection lost before the message went), the
        // subscriber is recorded as not sent, and as being sent to again just before the
        // next try: a run killed in the wait leaves them to retry, not uncertain.
        let mut unrecorded = None;
        let mut pause = |d: Duration| {
            let stop = |e: anyhow::Error, unrecorded: &mut Option<anyhow::Error>| {
                unrecorded.get_or_insert(e);
                Err(smtp::SendError::Connection(
                    "the ledger could not be written".into(),
                ))
            };
            if let Err(e) = ledger.append(who.refused(0, false, "waiting to try again")) {
                return stop(e, &mut unrecorded);
            }
            std::thread::sleep(d);
            // Not sent again unless the ledger says so first.
            if let Err(e) = ledger.append(who.sending()) {
                return stop(e, &mut unrecorded);
            }
            Ok(())
        };
        let outcome = smtp::send_with_retry(
            &mut mailer,
            &mail.server,
            mail.credentials.as_ref(),
            &message,
            &mut pause,
        );
        if let Some(e) = unrecorded {
            return Err(e);
        }
        match outcome {
            Ok(()) => {
                ledger.append(who.delivered())?;
                sent.delivered += 1;
            }
            Err(smtp::SendError::Permanent { code, text }) => {
                ledger.append(who.refused(code, true, &redact(&text, &subscriber.email)))?;
                sent.refused
                    .push((subscriber.email.clone(), format!("{code} {text}")));
            }
            Err(smtp::SendError::Temporary { code, text }) => {
                ledger.append(who.refused(code, false, &redact(&text, &subscriber.email)))?;
                sent.deferred
                    .push((subscriber.email.clone(), format!("{code} {text}")));
            }
            Err(smtp::SendError::Uncertain(why)) => {
                // Left as `sending` in the ledger: never resent without being asked.
                sent.uncertain.push(format!("{}: {why}", subscriber.email));
                mailer = None;
            }
            Err(smtp::SendError::Connection(why)) => {
                ledger.append(who.refused(0, false, &redact(&why, &subscriber.email)))?;
                anyhow::bail!(
                    "publish target `{}`: lost the SMTP server after {} messages: {why}; `repurpose publish` again resumes where it stopped",
                    target.name,
                    sent.delivered
                );
            }
            Err(smtp::SendError::Auth(why)) => {
                ledger.append(who.refused(0, false, &redact(&why, &subscriber.email)))?;
                anyhow::bail!("publish target `{}`: {why}", target.name);
            }
        }
    }
    bar.finish_and_clear();
    ledger.append(Event::Finished {
        at: now(),
        target: target.name.clone(),
        issue: id.to_string(),
    })?;
    Ok(sent)
}

/// A bar on stderr over the subscribers of an issue, when stderr is a terminal and the run
/// is not `--quiet`; hidden otherwise.
fn progress(total: usize, issue: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if crate::shell::is_quiet() || !std::io::stderr().is_terminal() || total < 2 {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total as u64),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "issue {issue} {{bar:40}} {{pos}}/{{len}} subscribers  {{elapsed_precise}}"
    )) {
        bar.set_style(style);
    }
    bar
}

/// One subscriber of one issue, as the ledger records them.
struct Who<'a> {
    target: &'a str,
    issue: &'a str,
    to: &'a str,
}

impl Who<'_> {
    fn sending(&self) -> Event {
        Event::Sending {
            at: now(),
            target: self.target.into(),
            issue: self.issue.into(),
            to: self.to.into(),
        }
    }

    fn delivered(&self) -> Event {
        Event::Delivered {
            at: now(),
            target: self.target.into(),
            issue: self.issue.into(),
            to: self.to.into(),
        }
    }

    /// A refusal, for good (5xx) or for now (4xx after retries, or the server lost).
    fn refused(&self, code: u16, permanent: bool, reply: &str) -> Event {
        Event::Refused {
            at: now(),
            target: self.target.into(),
            issue: self.issue.into(),
            to: self.to.into(),
            code,
            permanent,
            reply: reply.chars().take(300).collect(),
        }
    }
}

/// A server's reply with the subscriber's address taken out (servers often quote it:
/// `550 5.1.1 <ann@example.org>: Recipient address rejected`): the ledger names no one.
fn redact(reply: &str, email: &str) -> String {
    let lower = reply.to_lowercase();
    let needle = email.trim().to_lowercase();
    if needle.is_empty() {
        return reply.to_string();
    }
    let mut out = String::new();
    let mut rest = 0;
    for (at, _) in lower.match_indices(&needle) {
        // Lower-casing keeps byte offsets for the ASCII an address is; where it did not,
        // the reply is dropped rather than risk keeping the address.
        if !reply.is_char_boundary(at)
            || !reply.is_char_boundary(at + needle.len())
            || lower.len() != reply.len()
        {
            return "(the server's reply named the subscriber; left out)".into();
        }
        out.push_str(&reply[rest..at]);
        out.push_str("subscriber");
        rest = at + needle.len();
    }
    out.push_str(&reply[rest..]);
    out
}

fn recipient(subscriber: &super::recipients::Subscriber) -> smtp::Recipient {
    smtp::Recipient {
        email: subscriber.email.clone(),
        name: subscriber.name.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn a_reply_quoting_the_address_is_stored_without_it() {
        assert_eq!(
            redact(
                "5.1.1 <Ann@Example.org>: Recipient address rejected",
                "ann@example.org"
            ),
            "5.1.1 <subscriber>: Recipient address rejected"
        );
        assert_eq!(redact("mailbox full", "ann@example.org"), "mailbox full");
    }
}
