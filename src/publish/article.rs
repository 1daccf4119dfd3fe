//! Articles: a post as one document on a site that keeps it and lets it be edited (a
//! Discourse topic, a Forem article). The ledger records the id, and a post the ledger lost
//! is found again by its mark (Forem) or its external id (Discourse), so it is never made
//! twice.

use super::host::{Article, Host};

/// The article a post makes at a host: the venue's Markdown output without its front
/// matter (its fields go as the host's own), the summary, tags and canonical URL.
pub(super) fn article(
    session: &crate::pipeline::Session,
    run: &crate::pipeline::PostRun<'_>,
    venue: &crate::venue::Venue,
) -> Option<Article> {
    let text = run
        .outputs
        .iter()
        .find(|o| o.venue == venue.name && o.file.ends_with(".md"))
        .map(|o| String::from_utf8_lossy(&o.bytes).into_owned())?;
    Some(from_markdown(session, &run.post, &text))
}

/// The article for a host that takes uploads: the venue rendered again with its images at
/// the URLs the ledger has for them at `target`, and a stand-in for each image not
/// uploaded yet; and the uploads those wait for. A post without images is `article`'s.
pub(super) fn with_uploads(
    session: &crate::pipeline::Session,
    run: &crate::pipeline::PostRun<'_>,
    venue: &crate::venue::Venue,
    ledger: &super::Ledger,
    target: &str,
) -> Option<(Article, Vec<super::uploads::Pending>)> {
    let post = &run.post;
    if post.media.is_empty() {
        return article(session, run, venue).map(|a| (a, Vec::new()));
    }
    let site = &session.config.site;
    let (refs, pending) = super::uploads::refs(post, venue, site, ledger, target);
    let outputs = crate::pipeline::render_venue_with(post, venue, &session.catalog, site, &refs);
    let text = outputs
        .outputs
        .iter()
        .find(|o| o.file.ends_with(".md"))
        .map(|o| String::from_utf8_lossy(&o.bytes).into_owned())?;
    Some((from_markdown(session, post, &text), pending))
}

/// Whether the host uploads a post's images (its client is an `Uploader`) rather than
/// linking them where the site serves them.
pub(super) fn takes_uploads(service: &crate::config::publish::Service) -> bool {
    matches!(service, crate::config::publish::Service::Discourse(_))
}

/// The article a post makes at `target`: with the images uploaded where the host takes
/// uploads, else as the venue wrote it.
pub(super) fn for_host(
    session: &crate::pipeline::Session,
    run: &crate::pipeline::PostRun<'_>,
    venue: &crate::venue::Venue,
    ledger: &super::Ledger,
    target: &crate::config::publish::Target,
    uploads: bool,
) -> Option<(Article, Vec<super::uploads::Pending>)> {
    if uploads {
        return with_uploads(session, run, venue, ledger, &target.name);
    }
    let post = &run.post;
    let site = &session.config.site;
    match site.media_base(&post.slug) {
        // A host without uploads links the images where the site serves them, whatever the
        // venue's `media` setting: only a full URL reaches them from there.
        Some(base) if !post.media.is_empty() => {
            let mut needs = venue
                .outputs
                .first()
                .map(|output| output.header.image_needs())
                .unwrap_or_default();
            needs.links = crate::media::MediaLinks::Absolute;
            let refs = post.media.refs(&needs, Some(&base));
            let outputs =
                crate::pipeline::render_venue_with(post, venue, &session.catalog, site, &refs);
            let text = outputs
                .outputs
                .iter()
                .find(|o| o.file.ends_with(".md"))
                .map(|o| String::from_utf8_lossy(&o.bytes).into_owned())?;
            Some((from_markdown(session, post, &text), Vec::new()))
        }
        _ => article(session, run, venue).map(|a| (a, Vec::new())),
    }
}

/// Where a host without uploads finds the post's images: `Ok(None)` when the post has
/// none, the media folder's URL when there is one, else why the article cannot go.
pub(super) fn linked_media(
    session: &crate::pipeline::Session,
    post: &crate::post::Post,
) -> Result<Option<String>, String> {
    if post.media.is_empty() {
        return Ok(None);
    }
    match session.config.site.media_base(&post.slug) {
        Some(base) => Ok(Some(base)),
        None => Err(format!(
            "the post's images need an address the site can load them from, and it takes no \
             uploads: set `site.media_url` (or `site.url`) in repurpose.yaml and put the \
             files of out/{}/media/ there",
            post.slug
        )),
    }
}

/// The article a venue's Markdown output makes.
fn from_markdown(
    session: &crate::pipeline::Session,
    post: &crate::post::Post,
    text: &str,
) -> Article {
    Article {
        title: post.title.clone(),
        body: without_front_matter(text).trim().to_string(),
        summary: crate::pipeline::summary_text(post, 55),
        slug: post.slug.clone(),
        tags: post.meta.tags.clone(),
        canonical_url: post
            .canonical_url(session.config.site.url())
            .filter(|u| !u.is_empty()),
    }
}

/// Markdown without the YAML front matter it opens with, if any.
fn without_front_matter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    match rest.find("\n---\n") {
        Some(end) => &rest[end + 5..],
        None if rest.ends_with("\n---") => "",
        None => text,
    }
}

/// Plans one post at a host: update what the ledger (or, without it, the host) knows of,
/// create what is nowhere, and never overwrite an edit made on the site unless asked.
pub(super) fn plan(
    ledger: &super::Ledger,
    host: &dyn Host,
    (article, pending): (Article, Vec<super::uploads::Pending>),
    options: super::PlanOptions,
    venue: &str,
    step: &mut super::Step,
) {
    use super::Action;
    let noun = host.noun();
    let sent = article.hash();
    let placed = ledger.placed(&step.post, &step.target);
    let mut edited = false;
    let mut gone = false;
    if let Some(placed) = &placed {
        match host.get(&placed.id) {
            // The article with that id must be this post's: a ledger pointed at another site
            // (staging, a restored database) must not overwrite its article with that id.
            Ok(Some(remote)) => match ours(host, &step.post, &remote) {
                Ok(()) => edited = !placed.stored.is_empty() && remote.stored != placed.stored,
                Err(e) => {
                    step.detail = format!("{e:#}");
                    return;
                }
            },
            Ok(None) => gone = true,
            Err(e) => {
                step.detail = format!("{e:#}");
                return;
            }
        }
    }
    if gone && options.recorded_only {
        step.detail = format!(
            "{noun} {} is no longer on the site (deleted); name the post to send it again",
            placed.as_ref().map_or("", |p| p.id.as_str())
        );
        return;
    }
    match placed.filter(|_| !gone) {
        Some(placed) => {
            step.id = Some(placed.id.clone());
            step.url = Some(placed.url.clone());
            let what = super::plan::changed(&placed.from, &step.from, venue, &placed.at);
            if placed.sent == sent {
                step.action = Action::Unchanged;
                step.detail = format!("{noun} {} as sent on {}", placed.id, placed.at);
                if edited {
                    step.detail
                        .push_str(" (edited on the site since; left as it is)");
                }
            } else if edited && !options.overwrite {
                step.detail = format!(
                    "{noun} {} was edited on the site since it was sent on {}, and {what}: copy the site's edits into the post, or `publish --overwrite` to replace them",
                    placed.id, placed.at
                );
                return;
            } else {
                step.action = Action::Update;
                step.detail = format!("{noun} {}: {what}", placed.id);
                if edited {
                    step.detail
                        .push_str("; the edits made on the site since are replaced (--overwrite)");
                }
            }
        }
        None => match host.find(&article.slug) {
            Ok(Some(remote)) => {
                step.action = Action::Update;
                step.id = Some(remote.id.clone());
                step.url = Some(remote.url.clone());
                step.detail = format!(
                    "{noun} {} found on the site (the ledger has no record of it)",
                    remote.id
                );
            }
            Ok(None) => {
                step.action = Action::Create;
                step.detail = if gone {
                    format!("a new {noun} (the one sent before is no longer on the site)")
                } else {
                    format!("a new {noun}")
                };
            }
            Err(e) => step.detail = format!("{e:#}"),
        },
    }
    if matches!(step.action, Action::Create | Action::Update)
        && let Some(note) = host.note(&article)
    {
        step.detail.push_str(&format!("; {note}"));
    }
    if step.action != Action::Impossible {
        step.detail.push_str(&super::uploads::to_upload(&pending));
        step.payload = super::plan::Payload::Article(Box::new(article), pending);
    }
}

/// Checks that `remote`, the article the ledger recorded for `slug`, is the one the host
/// finds for it (by its external id, by its mark).
fn ours(host: &dyn Host, slug: &str, remote: &super::host::Remote) -> anyhow::Result<()> {
    match host.is_ours(slug, remote)? {
        true => Ok(()),
        false => anyhow::bail!(
            "{} {} on the site is not the one the ledger recorded for this post (another site, or a restored database?); repurpose will not overwrite it",
            host.noun(),
            remote.id
        ),
    }
}

/// Sends one article step (create or update) and records it. Looked up again right before
/// creating: the plan may be old, and an article a killed run created must not be made
/// twice.
pub(super) fn send(
    host: &dyn Host,
    ledger: &mut super::Ledger,
    target: &crate::config::publish::Target,
    step: &mut super::Step,
) -> anyhow::Result<()> {
    let super::plan::Payload::Article(article, pending) = &step.payload else {
        return Ok(());
    };
    // The images first, each recorded as soon as the host has it; the body then refers to
    // the host's copies.
    let mut article = article.as_ref().clone();
    if !pending.is_empty() {
        let Some(uploader) = host.uploader() else {
            anyhow::bail!("this {} host takes no uploads", host.noun());
        };
        article.body = super::uploads::upload(
            uploader,
            ledger,
            &step.post,
            &target.name,
            pending,
            &article.body,
        )?;
    }
    let article = &article;
    let recorded = ledger.placed(&step.post, &target.name).map(|p| p.id);
    let known = match &recorded {
        Some(id) => host.get(id)?,
        None => None,
    };
    let (remote, action) = match known {
        Some(remote) => {
            ours(host, &step.post, &remote)?;
            (host.update(&remote.id, article)?, "update")
        }
        None => match host.find(&article.slug)? {
            Some(remote) => (host.update(&remote.id, article)?, "found"),
            None => match host.create(article) {
                Ok(remote) => (remote, "create"),
                // The answer was lost: the host may have made it.
                // (Recorded as found; for the writer, it was created.)
                Err(e) if super::http::unanswered(&e) => match host.find(&article.slug)? {
                    Some(remote) => (remote, "found after a lost answer"),
                    None => (host.create(article)?, "create"),
                },
                Err(e) => return Err(e),
            },
        },
    };
    let action = match action {
        "found after a lost answer" => {
            step.performed = Some("create");
            "found"
        }
        other => {
            step.performed = Some(other);
            other
        }
    };
    ledger.append(super::ledger::Event::Published {
        at: super::ledger::now(),
        post: step.post.clone(),
        source: step.source.clone(),
        target: target.name.clone(),
        action: action.into(),
        id: remote.id.clone(),
        url: remote.url.clone(),
        sent: article.hash(),
        from: step.from.clone(),
        stored: remote.stored.clone(),
    })?;
    step.id = Some(remote.id);
    step.url = Some(remote.url);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_is_left_out_of_the_body() {
        assert_eq!(
            without_front_matter("---\ntitle: x\n---\n\nBody\n"),
            "\nBody\n"
        );
        assert_eq!(without_front_matter("Body\n---\n"), "Body\n---\n");
        assert_eq!(without_front_matter("---\nunclosed\n"), "---\nunclosed\n");
    }
}
