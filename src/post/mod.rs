//! The post model: a Markdown file parsed once into front matter, events and derived facts.

pub mod edition;
pub mod front_matter;
pub mod markers;
pub mod sentences;
pub mod structure;

use std::path::{Path, PathBuf};

use anyhow::Result;
use pulldown_cmark::Event;

use crate::date::{self, PostDate};
pub use edition::Editions;
pub use front_matter::Meta;
use markers::Markers;
use structure::{OutlineEntry, QuestionAt};

/// Minutes of reading per this many words.
const WORDS_PER_MINUTE: usize = 200;

/// One post, parsed once; every venue renders from this.
#[derive(Debug)]
pub struct Post {
    /// The file it came from.
    pub source: PathBuf,
    /// Front matter.
    pub meta: Meta,
    /// Title: front matter, else the first heading, else the file name.
    pub title: String,
    /// Folder name under `<out>`: lower-case ASCII letters, digits and `-`.
    pub slug: String,
    /// The front-matter date, parsed.
    pub date: Option<PostDate>,
    /// The body's events, the title heading removed.
    pub events: Vec<Event<'static>>,
    /// Heading shift that makes the body's top heading level 2.
    pub heading_shift: i8,
    /// Headings, in order.
    pub outline: Vec<OutlineEntry>,
    /// The closing question: front matter, else the last sentence of the closing paragraph
    /// when it is a question.
    pub question: Option<String>,
    /// Where the question sits in the body, when it was found there.
    pub question_at: Option<QuestionAt>,
    /// Words in the body.
    pub word_count: usize,
    /// 1-based line of the body's first line in the file.
    pub body_line: usize,
    /// Body lines of the events `check` reports on; see `line_of`.
    pub lines: crate::markdown::parse::Lines,
    /// Problems worth a warning that did not stop the post from building.
    pub warnings: Vec<PostWarning>,
    /// Where a `<!-- more -->` ends `post.excerpt`: an index into `events`.
    pub excerpt_at: Option<usize>,
    /// The body's venue-only blocks, when it has any. `events` then holds every block;
    /// each venue reads its own edition (`edition`), without the blocks it does not show.
    pub venue_blocks: Option<Box<Markers>>,
    /// Its local images, read and checked (`Media::load`); empty until the session loads
    /// them. Every edition shares them.
    pub media: std::sync::Arc<crate::media::Media>,
}

/// What is derived from a post's events (and its front matter's question).
struct Facts {
    heading_shift: i8,
    outline: Vec<OutlineEntry>,
    question: Option<String>,
    question_at: Option<QuestionAt>,
    word_count: usize,
}

impl Facts {
    fn of(meta: &Meta, events: &[Event<'static>]) -> Facts {
        let heading_shift = structure::top_heading_level(events).map_or(0, |top| 2 - top as i8);
        let found = structure::closing_question(events);
        let (question, question_at) = match (&meta.question, found) {
            (Some(q), Some(at)) if q.trim() == at.text => (Some(q.clone()), Some(at)),
            (Some(q), _) => (Some(q.clone()), None),
            (None, Some(at)) => (Some(at.text.clone()), Some(at)),
            (None, None) => (None, None),
        };
        Facts {
            heading_shift,
            outline: structure::outline(events, heading_shift),
            question,
            question_at,
            word_count: structure::body_word_count(events),
        }
    }
}

/// A problem with a post that did not stop it from building, with its line when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostWarning {
    /// What kind of problem, for `check --json`: `parse` (the Markdown parser failed, a
    /// `<!-- more -->` with nothing before it), `unknown-key` (a front-matter key that looks
    /// misspelt).
    pub code: &'static str,
    /// The line in the post file.
    pub line: Option<usize>,
    /// What is wrong, without file and line.
    pub message: String,
}

impl PostWarning {
    /// `post.md:7: message`, or `post.md: message`.
    pub fn located(&self, source: &Path) -> String {
        match self.line {
            Some(line) => format!("{}:{line}: {}", source.display(), self.message),
            None => format!("{}: {}", source.display(), self.message),
        }
    }
}

impl Post {
    /// Reads and parses a post file.
    pub fn load(path: &Path) -> Result<Post> {
        let text = crate::error::read_text(path)?;
        Post::parse(path, &text)
    }

    /// The post's slug, reading only its front matter when that is enough (the slug or the
    /// file name gives it); a full parse otherwise. Errors are those `parse` would give.
    pub fn slug_of(path: &Path, text: &str) -> Result<String> {
        let text = normalise(path, text)?;
        let (meta, _) = front(path, &text)?;
        match early_slug(&meta, &stem(path)) {
            Some(slug) => Ok(slug),
            None => Post::parse(path, &text).map(|post| post.slug),
        }
    }

    /// Parses a post's text; `path` names it in errors and gives the fallback title/slug.
    pub fn parse(path: &Path, text: &str) -> Result<Post> {
        let text = normalise(path, text)?;
        let (meta, split) = front(path, &text)?;
        let crate::markdown::parse::Parsed {
            mut events,
            mut lines,
            warning: parse_warning,
            flattened_at,
        } = crate::markdown::parse::parse(split.body);
        let mut warnings: Vec<PostWarning> = parse_warning
            .into_iter()
            .map(|message| PostWarning {
                code: "parse",
                line: None,
                message,
            })
            .collect();
        warnings.extend(flattened_at.map(|line| PostWarning {
            code: "nesting",
            line: Some(line + split.body_line - 1),
            message: format!(
                "quotes, lists and inline formatting nest more than {} levels deep from here; \
                 the deeper levels are flattened: their text is kept, their formatting is not",
                crate::markdown::MAX_NESTING
            ),
        }));
        warnings.extend(meta.misspelt.iter().map(|m| PostWarning {
            code: "unknown-key",
            line: Some(m.line),
            message: format!(
                "unknown front-matter key `{}`, did you mean `{}`?",
                m.key, m.known
            ),
        }));
        let heading_title = structure::first_heading(&events);
        let before = events.len();
        structure::remove_title_heading(&mut events, meta.title.as_deref());
        lines.drop_first(before - events.len());
        let mut excerpt_at = None;
        let mut venue_blocks = None;
        // Most posts have no marker; the memchr-fast look for `<!--` spares them the rest.
        let markers = match split.body.contains("<!--") {
            true => Markers::find(&events, &lines, split.body_line).map_err(|e| e.in_file(path))?,
            false => None,
        };
        if let Some(markers) = markers {
            let all = markers.cut(&[]);
            (events, lines, excerpt_at) = (all.events, all.lines, all.excerpt_at);
            if let Some(line) = all.empty_more {
                warnings.push(PostWarning {
                    code: "parse",
                    line: Some(line),
                    message: "`<!-- more -->` has no text before it, so it sets no excerpt; the excerpt is the post's opening sentences".into(),
                });
            }
            if markers.has_blocks() {
                venue_blocks = Some(Box::new(markers));
            }
        }
        let stem = stem(path);
        let title = meta
            .title
            .clone()
            .or(heading_title)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| title_from_stem(&stem));
        let slug = early_slug(&meta, &stem).unwrap_or_else(|| {
            let from_title = crate::slug::slugify(&title);
            let slug = if from_title.is_empty() {
                "post".into()
            } else {
                from_title
            };
            crate::slug::safe_folder(slug)
        });
        let facts = Facts::of(&meta, &events);
        Ok(Post {
            source: path.to_path_buf(),
            date: meta.date.as_deref().and_then(date::parse),
            word_count: facts.word_count,
            meta,
            title,
            slug,
            events,
            heading_shift: facts.heading_shift,
            outline: facts.outline,
            question: facts.question,
            question_at: facts.question_at,
            body_line: split.body_line,
            lines,
            warnings,
            excerpt_at,
            venue_blocks,
            media: Default::default(),
        })
    }

    /// Whether some venue reads this post differently: venue-only blocks in the body, or
    /// front matter for one venue (`venues:` as a map).
    pub fn varies_by_venue(&self) -> bool {
        self.venue_blocks.is_some() || !self.meta.overrides.is_empty()
    }

    /// The post as `venue` reads it when that differs from the post itself: the venue-only
    /// blocks it does not show cut out (and everything derived from the body derived again),
    /// its `venues:` front matter set over the post's. `None` when it reads the post as is.
    pub fn edition(&self, venue: &str) -> Option<Post> {
        let own = self.meta.overrides.get(venue);
        let blocks = self
            .venue_blocks
            .as_deref()
            .map(|b| b.shown(venue))
            .filter(|shown| shown.contains(&false));
        if own.is_none() && blocks.is_none() {
            return None;
        }
        let meta = own.map_or_else(|| self.meta.clone(), |o| o.apply(&self.meta));
        let (events, lines, excerpt_at) = match (&self.venue_blocks, blocks) {
            (Some(markers), Some(shown)) => {
                let cut = markers.cut(&shown);
                (cut.events, cut.lines, cut.excerpt_at)
            }
            _ => (self.events.clone(), self.lines.clone(), self.excerpt_at),
        };
        let title = own
            .and_then(|o| o.title.clone())
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| self.title.clone());
        let facts = Facts::of(&meta, &events);
        Some(Post {
            source: self.source.clone(),
            date: meta.date.as_deref().and_then(date::parse),
            word_count: facts.word_count,
            meta,
            title,
            slug: self.slug.clone(),
            events,
            heading_shift: facts.heading_shift,
            outline: facts.outline,
            question: facts.question,
            question_at: facts.question_at,
            body_line: self.body_line,
            lines,
            warnings: Vec::new(),
            excerpt_at,
            venue_blocks: None,
            media: self.media.clone(),
        })
    }

    /// What makes `venue`'s edition what it is: venues with equal keys read the same post.
    /// `None` for a venue that reads the post itself.
    pub fn edition_key(&self, venue: &str) -> Option<(Vec<bool>, Option<&str>)> {
        let own = self
            .meta
            .overrides
            .get_key_value(venue)
            .map(|(name, _)| name.as_str());
        let shown = self
            .venue_blocks
            .as_deref()
            .map(|b| b.shown(venue))
            .unwrap_or_default();
        (own.is_some() || shown.contains(&false)).then_some((shown, own))
    }

    /// The venue names the post's markers and `venues:` map write, each with its line.
    pub fn named_venues(&self) -> Vec<(usize, String, &'static str)> {
        let mut out: Vec<(usize, String, &'static str)> = self
            .venue_blocks
            .iter()
            .flat_map(|b| b.venue_names())
            .map(|(line, name)| (line, name.to_string(), "a venue block"))
            .collect();
        out.extend(
            self.meta
                .overrides
                .iter()
                .map(|(name, o)| (o.line, name.clone(), "the `venues:` front matter")),
        );
        out
    }

    /// The line in the post file of `events[index]`, for the events `check` reports on.
    pub fn line_of(&self, index: usize) -> Option<usize> {
        self.lines
            .line_of(index)
            .map(|line| line + self.body_line - 1)
    }

    /// Every local image the post shows, in order, and the front matter's `image` when it is a
    /// local file. Images inside another's alt text count too: every venue shows the outer one
    /// only, but a file named there must still exist.
    pub fn local_images(&self) -> Vec<crate::media::Wanted> {
        let mut out = Vec::new();
        if let Some((image, line)) = &self.meta.image
            && crate::media::local_path(image).is_some()
        {
            out.push(crate::media::Wanted {
                dest: image.clone(),
                line: *line,
                alt: String::new(),
            });
        }
        // Images inside another's alt text: their files must exist, but no venue shows them,
        // so their alt text is not read (reading it for each of n nested images would be
        // quadratic; the outermost images' alt texts never overlap).
        let mut open = 0usize;
        for (i, event) in self.events.iter().enumerate() {
            match event {
                Event::Start(pulldown_cmark::Tag::Image { dest_url, .. }) => {
                    if crate::media::local_path(dest_url).is_some() {
                        let alt = if open == 0 {
                            let inner = self
                                .events
                                .get(i + 1..crate::markdown::matching_end(&self.events, i))
                                .unwrap_or_default();
                            crate::markdown::plain_text(inner).trim().to_string()
                        } else {
                            String::new()
                        };
                        out.push(crate::media::Wanted {
                            dest: dest_url.to_string(),
                            line: self.line_of(i).unwrap_or(self.body_line),
                            alt,
                        });
                    }
                    open += 1;
                }
                Event::End(pulldown_cmark::TagEnd::Image) => open = open.saturating_sub(1),
                _ => {}
            }
        }
        out
    }

    /// Minutes to read the post, at least 1.
    pub fn reading_time(&self) -> usize {
        self.word_count.div_ceil(WORDS_PER_MINUTE).max(1)
    }

    /// The date as `YYYY-MM-DD`, or as the writer gave a date-time.
    pub fn date_text(&self) -> Option<&str> {
        self.meta.date.as_deref()
    }

    /// The canonical URL: front matter, else `site_url/slug/`.
    pub fn canonical_url(&self, site_url: Option<&str>) -> Option<String> {
        if let Some(url) = &self.meta.canonical_url {
            return Some(url.clone());
        }
        // Built, not concatenated: the slug goes into the path, before a query the site's
        // URL may have (`https://e.com/?lang=en` → `https://e.com/<slug>/?lang=en`).
        let mut url = url::Url::parse(site_url?).ok()?;
        url.path_segments_mut()
            .ok()?
            .pop_if_empty()
            .push(&self.slug)
            .push("");
        Some(url.into())
    }

    /// Whether the post asks for this venue (front matter `venues` / `skip_venues`).
    pub fn wants_venue(&self, venue: &str) -> bool {
        let listed = self
            .meta
            .venues
            .as_ref()
            .is_none_or(|only| only.iter().any(|v| v == venue));
        listed && !self.meta.skip_venues.iter().any(|v| v == venue)
    }
}

/// The text without a byte-order mark, with LF line endings and every NUL replaced by
/// U+FFFD (as CommonMark and browsers do: a NUL reaching an output cuts C strings short and
/// is dropped or shown differently by each reader); an empty file is an error.
fn normalise<'t>(path: &Path, text: &'t str) -> Result<std::borrow::Cow<'t, str>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        anyhow::bail!(
            "{}: the file is empty; write a post in it (Markdown, with optional front matter)",
            path.display()
        );
    }
    let mut text = std::borrow::Cow::Borrowed(text);
    if text.contains('\r') {
        text = std::borrow::Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"));
    }
    if text.contains('\0') {
        text = std::borrow::Cow::Owned(text.replace('\0', "\u{fffd}"));
    }
    Ok(text)
}

/// The front matter, parsed, and where the body starts.
fn front<'t>(path: &Path, text: &'t str) -> Result<(Meta, front_matter::Split<'t>)> {
    let split = front_matter::split(text).map_err(|e| e.in_file(path))?;
    let meta = match split.yaml {
        Some(yaml) => front_matter::parse(yaml, split.yaml_line).map_err(|e| e.in_file(path))?,
        None => Meta::default(),
    };
    Ok((meta, split))
}

/// The file name without its extension.
fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The slug when the front matter's `slug` or the file name gives one; `None` when only
/// the title can.
fn early_slug(meta: &Meta, stem: &str) -> Option<String> {
    [
        meta.slug.as_deref().map(crate::slug::slugify),
        Some(crate::slug::from_file_stem(stem)),
    ]
    .into_iter()
    .flatten()
    .find(|s| !s.is_empty())
    .map(crate::slug::safe_folder)
}

/// A readable title from a file name: `2024-05-01-my-first_post` → `My first post`.
fn title_from_stem(stem: &str) -> String {
    let slug = crate::slug::from_file_stem(stem);
    let words = slug.replace('-', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(name: &str, text: &str) -> Post {
        Post::parse(Path::new(name), text).unwrap()
    }

    #[test]
    fn title_falls_back_to_first_heading() {
        let p = post("x.md", "# From Heading\n\nBody.\n");
        assert_eq!(p.title, "From Heading");
        assert_eq!(p.slug, "x");
        assert_eq!(crate::markdown::plain_text(&p.events), "Body.");
    }

    #[test]
    fn title_falls_back_to_file_name() {
        let p = post("posts/2024-05-01-notes_on-things.md", "Just text.\n");
        assert_eq!(p.title, "Notes on things");
        assert_eq!(p.slug, "notes-on-things");
    }

    #[test]
    fn slug_comes_from_front_matter_first() {
        let p = post("x.md", "---\ntitle: T\nslug: ../../Etc/Passwd\n---\nB\n");
        assert_eq!(p.slug, "etc-passwd");
    }

    #[test]
    fn slug_of_agrees_with_parse() {
        for (name, text) in [
            ("a.md", "---\nslug: Given Slug\n---\nx\n"),
            ("2024-01-01-dated.md", "x\n"),
            ("???.md", "# From The Title\n"),
            ("!!!.md", "no title at all\n"),
        ] {
            let path = Path::new(name);
            assert_eq!(
                Post::slug_of(path, text).unwrap(),
                post(name, text).slug,
                "{name}"
            );
        }
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let p = post(
            "x.md",
            "\u{feff}---\r\ntitle: Hi\r\n---\r\nLine one\r\nline two?\r\n",
        );
        assert_eq!(p.title, "Hi");
        assert_eq!(p.question.as_deref(), Some("Line one line two?"));
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = Post::parse(Path::new("p.md"), "---\ntitle: [oops\n---\n").unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.starts_with("p.md:3:1: invalid front matter:"), "{msg}");
        let err = Post::parse(Path::new("p.md"), " \n").unwrap_err();
        assert!(format!("{err:#}").contains("the file is empty"));
    }

    #[test]
    fn canonical_url_and_reading_time() {
        let p = post("x.md", "---\ntitle: T\n---\nword\n");
        assert_eq!(
            p.canonical_url(Some("https://e.com/")).as_deref(),
            Some("https://e.com/x/")
        );
        assert_eq!(p.canonical_url(None), None);
        assert_eq!(
            p.canonical_url(Some("https://e.com/blog?lang=en#top"))
                .as_deref(),
            Some("https://e.com/blog/x/?lang=en#top")
        );
        assert_eq!(
            p.canonical_url(Some("https://e.com/a]b/")).as_deref(),
            Some("https://e.com/a]b/x/"),
            "escaping is each format's business"
        );
        assert_eq!(p.reading_time(), 1);
    }

    #[test]
    fn front_matter_question_wins() {
        let p = post("x.md", "---\nquestion: And you?\n---\nDone. Really?\n");
        assert_eq!(p.question.as_deref(), Some("And you?"));
        assert!(p.question_at.is_none());
    }

    #[test]
    fn headings_are_normalised_to_start_at_two() {
        assert_eq!(post("x.md", "# T\n\n# A\n\nx\n").heading_shift, 1);
        assert_eq!(post("x.md", "### A\n").heading_shift, -1);
    }
}
