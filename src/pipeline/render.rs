//! A post through the templates: the venues it wants, the edition each reads, and each
//! output rendered in memory.

use anyhow::Result;

use crate::config::Site;
use crate::context::Renders;
use crate::media::MediaRefs;
use crate::post::{Editions, Post};
use crate::venue::{Catalog, Output, Rendered, Venue, tera_report};

/// The venues of `venues` the post asks for (front matter `venues:` / `skip_venues:`), in
/// their order: the one place that question is asked.
pub fn wanted<'v>(post: &Post, venues: &[&'v Venue]) -> Vec<&'v Venue> {
    venues
        .iter()
        .copied()
        .filter(|v| post.wants_venue(&v.name))
        .collect()
}

/// The post as each of `venues` it wants reads it; `render_post` renders from them and
/// `findings::diagnose` reports on them.
pub fn editions<'p>(post: &'p Post, venues: &[&Venue]) -> Editions<'p> {
    Editions::new(post, wanted(post, venues).iter().map(|v| v.name.as_str()))
}

/// Renders every output of every venue the post wants, in memory, each venue from its
/// edition of the post (`Editions`). A template that fails costs only its own output; its
/// error (naming the post and template) is returned beside the outputs that worked.
pub fn render_post(
    post: &Post,
    editions: &Editions<'_>,
    venues: &[&Venue],
    catalog: &Catalog,
    site: &Site,
) -> Outputs {
    render_wanted(post, editions, &wanted(post, venues), catalog, site)
}

/// A post's outputs rendered, and the errors of those that failed.
#[derive(Debug, Default)]
pub struct Outputs {
    /// The outputs rendered, in venue and output order.
    pub outputs: Vec<Rendered>,
    /// One error per output whose template failed, naming the post and the template.
    pub failures: Vec<anyhow::Error>,
}

/// `render_post` over venues the post is known to want.
pub(super) fn render_wanted(
    post: &Post,
    editions: &Editions<'_>,
    wanted: &[&Venue],
    catalog: &Catalog,
    site: &Site,
) -> Outputs {
    // One cache per edition: venues reading the same post share its renders.
    let mut renders: Vec<Renders<'_>> = editions.all().map(Renders::new).collect();
    let mut out = Outputs::default();
    for venue in wanted {
        let renders = &mut renders[editions.index(&venue.name)];
        for output in &venue.outputs {
            match render_output(renders, post, venue, output, catalog, site) {
                Ok(rendered) => out.outputs.push(rendered),
                Err(err) => out.failures.push(err),
            }
        }
    }
    out
}

/// Renders one output of a venue for `post` (whose cache `renders` is); the error names the
/// post, the venue and the template.
pub fn render_output(
    renders: &mut Renders<'_>,
    post: &Post,
    venue: &Venue,
    output: &Output,
    catalog: &Catalog,
    site: &Site,
) -> Result<Rendered> {
    let ctx = renders.context(output, &venue.name, site, output.needs);
    match tera::Context::from_serialize(&ctx)
        .and_then(|ctx| catalog.tera.render(&output.template, &ctx))
    {
        Ok(text) => {
            let (mut text, dropped_links) = output.format.guard_links(text);
            // Trimmed in place: a copy and its growth by one byte would hold the output
            // twice over, and the outputs of a post are all held until they are written.
            text.truncate(text.trim_end().len());
            text.push('\n');
            if text.capacity() - text.len() > 4096 {
                text.shrink_to_fit();
            }
            Ok(Rendered {
                venue: venue.name.clone(),
                file: output.file.clone(),
                bytes: text.into_bytes(),
                dropped_links,
            })
        }
        Err(err) => Err(anyhow::anyhow!(
            "{}: venue `{}` failed in template {}:\n{}",
            post.source.display(),
            venue.name,
            output.origin_name(),
            tera_report(&err)
        )),
    }
}

/// The body alone of `venue`'s first output, rendered in its format with its settings, as
/// the template sees it in `{{ body }}`: what a service that wraps the page itself (a
/// WordPress post) takes instead of the whole file. None when the venue has no output.
/// `media`, when given, says where the post's images are instead of its media folder (the
/// URLs a service gave them on upload).
pub fn venue_body(
    post: &Post,
    venue: &Venue,
    site: &Site,
    media: Option<&MediaRefs>,
) -> Option<String> {
    let output = venue.outputs.first()?;
    let editions = Editions::new(post, [venue.name.as_str()]);
    let mut renders = renders_for(editions.get(&venue.name), media);
    let needs = crate::venue::Needs {
        body: true,
        notes: false,
        ..output.needs
    };
    let context = renders.context(output, &venue.name, site, needs);
    Some(context.body.as_str().unwrap_or_default().trim().to_string())
}

/// The thread of `venue`'s output that cuts the post into one (the social venue), cut again
/// for a network: each post at most the template's `max_chars` and the network's, lengths
/// counted as the network counts (`url_length`). `None` when no output of the venue makes a
/// thread.
pub fn venue_thread(
    post: &Post,
    venue: &Venue,
    site: &Site,
    max_chars: usize,
    url_length: Option<usize>,
    media: Option<&MediaRefs>,
) -> Option<Vec<String>> {
    let output = venue.outputs.iter().find(|o| o.needs.thread)?;
    let mut output = output.clone();
    let limit = output
        .header
        .max_chars
        .unwrap_or(crate::thread::DEFAULT_LIMIT)
        .min(max_chars);
    output.header.max_chars = Some(limit);
    output.header.url_length = url_length;
    let editions = Editions::new(post, [venue.name.as_str()]);
    let mut renders = renders_for(editions.get(&venue.name), media);
    let needs = crate::venue::Needs {
        body: false,
        notes: false,
        thread: true,
        ..output.needs
    };
    let context = renders.context(&output, &venue.name, site, needs);
    Some(context.thread.into_iter().map(|p| p.text).collect())
}

/// Every output of `venue` for `post`, the post's local images linked as `media` says (the
/// URLs a service gave them on upload) instead of under the venue's media URL.
pub fn render_venue_with(
    post: &Post,
    venue: &Venue,
    catalog: &Catalog,
    site: &Site,
    media: &MediaRefs,
) -> Outputs {
    let editions = Editions::new(post, [venue.name.as_str()]);
    let mut renders = renders_for(editions.get(&venue.name), Some(media));
    let mut out = Outputs::default();
    for output in &venue.outputs {
        match render_output(&mut renders, post, venue, output, catalog, site) {
            Ok(rendered) => out.outputs.push(rendered),
            Err(err) => out.failures.push(err),
        }
    }
    out
}

/// A render cache for `post`, its images linked as `media` says when given.
fn renders_for<'p>(post: &'p Post, media: Option<&MediaRefs>) -> Renders<'p> {
    let renders = Renders::new(post);
    match media {
        Some(refs) => renders.with_media(refs.clone()),
        None => renders,
    }
}

/// The post's summary as plain text: front matter's `summary`, else the body's opening
/// words (at most `words`), for a newsletter's preheader or a blog post's excerpt.
pub fn summary_text(post: &Post, words: usize) -> String {
    if let Some(summary) = &post.meta.summary {
        return summary.trim().to_string();
    }
    let text = crate::markdown::plain_text(&post.events);
    let mut out: Vec<&str> = text.split_whitespace().take(words + 1).collect();
    if out.len() > words {
        out.truncate(words);
        let mut s = out.join(" ");
        s.push('…');
        return s;
    }
    out.join(" ")
}
