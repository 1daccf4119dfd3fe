//! One post through a session: read, parsed, rendered for every venue it wants, and
//! everything found about it, as one value.

use std::path::Path;

use anyhow::Result;

use crate::context::Renders;
use crate::findings::{self, Diagnostic, Measure};
use crate::post::{Editions, Post};
use crate::venue::{Output, Rendered, Venue};

use super::Session;
use super::render::{Outputs, render_output, render_wanted, wanted};

/// A post run through a session: what `build` writes, `check` prints, `preview` shows.
#[derive(Debug)]
pub struct PostRun<'s> {
    /// The post, parsed.
    pub post: Post,
    /// The session's venues the post wants, in the session's order.
    pub wanted: Vec<&'s Venue>,
    /// Each output that rendered, venue by venue, file by file.
    pub outputs: Vec<Rendered>,
    /// The outputs whose template failed: each error names the post, venue and template.
    pub failures: Vec<anyhow::Error>,
    /// Everything found about the post, in report order: first what reading it found (its
    /// own warnings, venue names that are no venue), then what rendering it found (the loss
    /// report, lengths, links, footnotes, front matter a venue would use).
    pub findings: Vec<Diagnostic>,
    /// How many of `findings` reading the post found.
    read: usize,
}

impl PostRun<'_> {
    /// What reading the post found: its warnings, venue names that are no venue.
    pub fn read_findings(&self) -> &[Diagnostic] {
        &self.findings[..self.read]
    }

    /// What rendering the post found (empty when the session leaves it out).
    pub fn render_findings(&self) -> &[Diagnostic] {
        &self.findings[self.read..]
    }

    /// Whether the post wants `venue`, one of the session's.
    pub fn wants(&self, venue: &str) -> bool {
        self.wanted.iter().any(|v| v.name == venue)
    }

    /// The size of every output that rendered, with its template's limits.
    pub fn measures(&self) -> Vec<Measure> {
        findings::measure(&self.wanted, &self.outputs)
    }
}

impl Session {
    /// Reads the post at `path` and runs it through every venue of the session.
    pub fn run_post(&self, path: &Path) -> Result<PostRun<'_>> {
        self.run_post_in(path, &self.venues())
    }

    /// Runs a post already read (`text`, the file at `path`) through every venue of the
    /// session.
    pub fn run_text(&self, path: &Path, text: &str) -> Result<PostRun<'_>> {
        self.run_text_in(path, text, &self.venues())
    }

    /// Reads the post at `path` and runs it through `venues`, some of the session's.
    pub fn run_post_in<'s>(&'s self, path: &Path, venues: &[&'s Venue]) -> Result<PostRun<'s>> {
        self.run_text_in(path, &crate::error::read_text(path)?, venues)
    }

    /// Runs a post already read (`text`, the file at `path`) through `venues`, some of the
    /// session's.
    pub fn run_text_in<'s>(
        &'s self,
        path: &Path,
        text: &str,
        venues: &[&'s Venue],
    ) -> Result<PostRun<'s>> {
        let mut post = Post::parse(path, text)?;
        // Copies for every venue the post wants, chosen this time or not: a venue built
        // earlier (`--venue`) keeps linking to its copies.
        let all: Vec<&Venue> = self.catalog.venues.iter().collect();
        self.load_media(&mut post, &all)?;
        Ok(self.run(post, venues, None))
    }

    /// The folder a post's images must lie in: the project's (the folder of a discovered
    /// repurpose.yaml; with `--config`, the folder repurpose runs from, as for `out`), else
    /// the post's own.
    pub fn project_root(&self, post: &Path) -> std::path::PathBuf {
        let folder = |p: &Path| {
            if p.as_os_str().is_empty() {
                Path::new(".").to_path_buf()
            } else {
                p.to_path_buf()
            }
        };
        match self.config.path() {
            Some(_) => folder(self.config.root()),
            None => folder(post.parent().unwrap_or(Path::new(""))),
        }
    }

    /// Reads and checks the post's local images, and makes the copies the venues it wants
    /// among `venues` need.
    pub fn load_media(&self, post: &mut Post, venues: &[&Venue]) -> Result<()> {
        let mut media = crate::media::Media::load(
            post.local_images(),
            &post.source,
            &self.project_root(&post.source),
        )?;
        if !media.is_empty() {
            for venue in wanted(post, venues) {
                for output in &venue.outputs {
                    media.prepare(&output.header.image_needs(), &post.source)?;
                }
            }
        }
        post.media = std::sync::Arc::new(media);
        Ok(())
    }

    /// Reads the post at `path` and renders `output` of `venue` alone (`build --stdout`);
    /// its findings are what reading the post found.
    pub fn run_output<'s>(
        &'s self,
        path: &Path,
        venue: &'s Venue,
        output: &Output,
    ) -> Result<PostRun<'s>> {
        let mut post = Post::load(path)?;
        self.load_media(&mut post, &[venue])?;
        Ok(self.run(post, &[venue], Some(output)))
    }

    /// Renders `post` for `venues` (or only `output` of the one venue), and gathers the
    /// findings.
    fn run<'s>(&'s self, post: Post, venues: &[&'s Venue], only: Option<&Output>) -> PostRun<'s> {
        let site = &self.config.site;
        let wanted = wanted(&post, venues);
        let mut found = findings::post_warnings(&post);
        found.extend(findings::unknown_venues(&post, &self.catalog.all_names()));
        let read = found.len();
        let rendered = {
            let editions = Editions::new(&post, wanted.iter().map(|v| v.name.as_str()));
            match only {
                None => {
                    let rendered = render_wanted(&post, &editions, &wanted, &self.catalog, site);
                    if self.render_findings {
                        // A build may render some outputs of a venue (`wanted` holds it with
                        // those alone); findings name places as the whole venue has them.
                        let whole: Vec<&Venue> = wanted
                            .iter()
                            .map(|v| self.catalog.get(&v.name).unwrap_or(v))
                            .collect();
                        found.extend(findings::diagnose_some(
                            &post,
                            &editions,
                            &whole,
                            &wanted,
                            site,
                            &rendered.outputs,
                        ));
                    }
                    rendered
                }
                Some(output) => {
                    let mut rendered = Outputs::default();
                    for venue in &wanted {
                        let mut renders = Renders::new(editions.get(&venue.name));
                        match render_output(&mut renders, &post, venue, output, &self.catalog, site)
                        {
                            Ok(one) => rendered.outputs.push(one),
                            Err(err) => rendered.failures.push(err),
                        }
                    }
                    rendered
                }
            }
        };
        PostRun {
            post,
            wanted,
            outputs: rendered.outputs,
            failures: rendered.failures,
            findings: found,
            read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::pipeline::SessionOptions;

    fn session(venues: &[&str]) -> Session {
        Session::open(SessionOptions {
            config: Config::default(),
            templates: None,
            venues: venues.iter().map(ToString::to_string).collect(),
            render_findings: true,
        })
        .unwrap()
    }

    const POST: &str = "---\ntitle: T\nskip_venues: [forum]\nvenues:\n  fax: {title: F}\n---\nIntro.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";

    #[test]
    fn a_post_run_renders_only_the_venues_the_post_wants() {
        let session = session(&["forum", "newsletter"]);
        let run = session.run_text(Path::new("p.md"), POST).unwrap();
        let wanted: Vec<&str> = run.wanted.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(wanted, ["newsletter"]);
        assert!(run.wants("newsletter") && !run.wants("forum"));
        let files: Vec<&str> = run.outputs.iter().map(|o| o.file.as_str()).collect();
        assert_eq!(files, ["newsletter.html", "newsletter.txt"]);
        assert!(run.failures.is_empty());
        let measured: Vec<String> = run.measures().into_iter().map(|m| m.file).collect();
        assert_eq!(measured, ["newsletter.html", "newsletter.txt"]);
    }

    #[test]
    fn findings_list_what_reading_found_before_what_rendering_found() {
        let session = session(&[]);
        let run = session.run_text(Path::new("p.md"), POST).unwrap();
        let codes = |found: &[Diagnostic]| found.iter().map(|d| d.code).collect::<Vec<_>>();
        assert_eq!(codes(run.read_findings()), ["unknown-venue"]);
        let rendering = run.render_findings();
        assert!(!rendering.is_empty());
        assert!(
            rendering
                .iter()
                .all(|d| d.venue.as_deref() != Some("forum")),
            "nothing about a venue the post skips: {rendering:?}"
        );
        assert_eq!(run.findings.len(), 1 + rendering.len());
    }

    #[test]
    fn one_output_alone_is_rendered_for_build_stdout() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.md");
        std::fs::write(&path, POST).unwrap();
        let session = session(&[]);
        let venues = session.venues();
        let venue = venues.iter().find(|v| v.name == "newsletter").unwrap();
        let output = &venue.outputs[1];
        let run = session.run_output(&path, venue, output).unwrap();
        let files: Vec<&str> = run.outputs.iter().map(|o| o.file.as_str()).collect();
        assert_eq!(files, [output.file.as_str()]);
        assert!(run.render_findings().is_empty());
        let forum = venues.iter().find(|v| v.name == "forum").unwrap();
        let skipped = session.run_output(&path, forum, &forum.outputs[0]).unwrap();
        assert!(skipped.outputs.is_empty() && !skipped.wants("forum"));
    }
}
