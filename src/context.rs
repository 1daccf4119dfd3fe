//! The template context: a typed, borrowed view of a post for one venue output, with the
//! body formats rendered at most once per post for each distinct set of options.

use std::borrow::Cow;
use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::rc::Rc;

use pulldown_cmark::Event;
use serde::Serialize;
use tera::Value;

use crate::config::Site;
use crate::markdown::NoteNumbers;
use crate::post::Post;
use crate::post::structure::{self, Definitions, OutlineEntry, Parts};
use crate::render::{Format, RenderOptions};
use crate::thread::{Counter, ThreadPost};
use crate::venue::{Needs, Output};

/// What `{{ … }}` can use when rendering one venue output.
#[derive(Debug, Serialize)]
pub struct Context<'a> {
    /// The whole body in the venue's format (without its end matter when the template
    /// places `body_notes` itself).
    pub body: Value,
    /// The body's end matter: the text format's link references and notes.
    pub body_notes: Value,
    /// The post as a numbered thread for a social network: title first, canonical link
    /// last, each post within `max_chars` (computed only when the template names `thread`).
    pub thread: Vec<ThreadPost>,
    /// The post.
    pub post: PostView<'a>,
    /// `repurpose.yaml`'s `site:` map (escaped for BBCode: see `escaped_map`).
    pub site: Cow<'a, BTreeMap<String, serde_yaml::Value>>,
    /// The template being rendered.
    pub venue: VenueView<'a>,
}

/// `post.*` in templates.
#[derive(Debug, Serialize)]
pub struct PostView<'a> {
    title: Value,
    slug: &'a str,
    author: Option<Value>,
    tags: Vec<Value>,
    date: Option<&'a str>,
    summary: Value,
    excerpt: Value,
    question: Option<Value>,
    canonical_url: String,
    word_count: usize,
    reading_time: usize,
    outline: Vec<OutlineView>,
    intro: Value,
    sections: Vec<SectionView>,
    outro: Value,
    notes: Value,
    image: Option<ImageView>,
    extra: Cow<'a, BTreeMap<String, serde_yaml::Value>>,
}

/// `post.image`: the picture that stands for the post where it is shared (`og:image`).
#[derive(Debug, Serialize)]
struct ImageView {
    /// A full URL when one is known (what `og:image` needs), else the venue's own link.
    url: String,
    alt: Value,
    /// Its size in pixels, when read from the file.
    width: Option<u32>,
    height: Option<u32>,
}

/// One `post.outline` entry, its title escaped for the venue.
#[derive(Debug, Serialize)]
struct OutlineView {
    level: u8,
    title: Value,
    anchor: String,
}

/// One `post.sections` entry.
#[derive(Debug, Serialize)]
struct SectionView {
    title: Value,
    body: Value,
}

/// `venue.*` in templates.
#[derive(Debug, Serialize)]
pub struct VenueView<'a> {
    name: &'a str,
    file: &'a str,
    description: &'a str,
    format: &'static str,
    utm: Pairs,
    excerpt_words: Option<usize>,
}

/// Key-value pairs that serialize as a map in their own order (Tera keeps it).
#[derive(Debug)]
struct Pairs(Vec<(String, String)>);

impl Serialize for Pairs {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Which rendered piece of a post a cache entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Piece {
    Body,
    BodyMain,
    BodyNotes,
    Excerpt,
    Intro,
    Section(usize),
    Outro,
    /// `post.notes`: every footnote, numbered as in the pieces.
    Notes,
}

/// A post's footnotes, for the pieces rendered apart from its body.
#[derive(Debug)]
struct PieceNotes {
    numbers: NoteNumbers,
    definitions: Definitions,
}

/// Where the notes of pieces rendered apart go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum NotesGo {
    /// The template places `post.notes`: pieces leave their notes to it.
    Placed,
    /// With the parts the template shows (`[intro, sections, outro]`), each note once.
    WithParts([bool; 3]),
}

/// A cache entry: the piece, its format and options (their number in `Renders::options`),
/// whether the question is lifted, and where its notes go.
type Key = (Piece, Format, usize, bool, NotesGo);

/// The notes each part carries (intro, sections…, outro), as ranges of the body.
type Carried = Vec<Vec<Range<usize>>>;

/// `Carried` by whether the question is lifted and which parts are shown.
type CarriedByParts = HashMap<(bool, [bool; 3]), Rc<Carried>>;

/// A post with its renders cached: each piece rendered once per format and options.
#[derive(Debug)]
pub struct Renders<'p> {
    post: &'p Post,
    lifted: OnceCell<Vec<Event<'static>>>,
    parts: [OnceCell<Parts>; 2],
    excerpt: OnceCell<Cow<'p, [Event<'static>]>>,
    excerpt_words: usize,
    notes: [OnceCell<Option<PieceNotes>>; 2],
    carried: RefCell<CarriedByParts>,
    /// Each piece rendered, as the template gets it: a long string is shared, not copied,
    /// by every output that shows it.
    cache: HashMap<Key, Value>,
    /// The options pieces were rendered with, each once, numbered for the cache's keys: an
    /// article draft of a list of thousands of items renders a section for each, and a copy
    /// of the options in each key was most of the cache.
    options: HashMap<RenderOptions, usize>,
    /// Whether the markdown format's portable pass could rewrite anything in the post
    /// (`render::rewrites_any`).
    rewritable: OnceCell<bool>,
    /// Where the post's images are, when not its media folder (`with_media`).
    media: Option<crate::media::MediaRefs>,
}

impl<'p> Renders<'p> {
    /// Starts an empty cache for a post.
    pub fn new(post: &'p Post) -> Self {
        Renders {
            post,
            lifted: OnceCell::new(),
            parts: [OnceCell::new(), OnceCell::new()],
            excerpt: OnceCell::new(),
            excerpt_words: 0,
            notes: [OnceCell::new(), OnceCell::new()],
            carried: RefCell::default(),
            cache: HashMap::new(),
            options: HashMap::new(),
            rewritable: OnceCell::new(),
            media: None,
        }
    }

    /// The same cache, the post's local images linked as `refs` says (the URLs a service
    /// gave them on upload) instead of under the venue's media URL.
    pub fn with_media(mut self, refs: crate::media::MediaRefs) -> Self {
        self.media = Some(refs);
        self
    }

    /// The body's events, without the closing question when `lift` is set.
    fn events(&self, lift: bool) -> &[Event<'static>] {
        match (&self.post.question_at, lift) {
            (Some(at), true) => self
                .lifted
                .get_or_init(|| structure::without_question(&self.post.events, at)),
            _ => &self.post.events,
        }
    }

    fn parts(&self, lift: bool) -> &Parts {
        self.parts[usize::from(lift)].get_or_init(|| structure::parts(self.events(lift)))
    }

    /// The footnotes of the body, when it has any.
    fn notes(&self, lift: bool) -> Option<&PieceNotes> {
        self.notes[usize::from(lift)]
            .get_or_init(|| {
                let events = self.events(lift);
                Some(PieceNotes {
                    numbers: NoteNumbers::of(events)?,
                    definitions: Definitions::of(events),
                })
            })
            .as_ref()
    }

    /// The notes each part (intro, sections, outro, in order) carries when the template
    /// shows the parts `shown` and does not place `post.notes`; see `Definitions::shared`.
    /// A part the template does not show carries none.
    fn carried_notes(&self, lift: bool, shown: [bool; 3]) -> Rc<Carried> {
        if let Some(done) = self.carried.borrow().get(&(lift, shown)) {
            return Rc::clone(done);
        }
        let parts = self.parts(lift);
        let body = self.events(lift);
        let empty: &[Event<'static>] = &[];
        let mut pieces: Vec<&[Event<'static>]> =
            vec![if shown[0] { parts.intro(body) } else { empty }];
        pieces.extend((0..parts.titles().len()).map(|i| {
            if shown[1] {
                parts.section(i, body)
            } else {
                empty
            }
        }));
        pieces.push(if shown[2] { parts.outro(body) } else { empty });
        let carried = Rc::new(match self.notes(lift) {
            Some(notes) => notes.definitions.shared(self.events(lift), &pieces),
            None => Vec::new(),
        });
        self.carried
            .borrow_mut()
            .insert((lift, shown), Rc::clone(&carried));
        carried
    }

    /// Renders a piece of the body (a part, the excerpt) apart from it. Its footnote
    /// references keep their numbers in the whole body. Unless the template places
    /// `post.notes` itself, notes come after the piece: each part brings those no earlier
    /// part brought; the excerpt, shown alone, brings all it refers to.
    fn render_piece(
        &self,
        piece: Piece,
        format: Format,
        opts: &RenderOptions,
        lift: bool,
        notes_go: NotesGo,
    ) -> String {
        let parts = self.parts(lift);
        let body = self.events(lift);
        let events: &[Event<'static>] = match piece {
            Piece::Intro => parts.intro(body),
            Piece::Section(i) => parts.section(i, body),
            Piece::Outro => parts.outro(body),
            _ => self.excerpt.get().map_or(&[][..], |e| e.as_ref()),
        };
        let Some(notes) = self.notes(lift) else {
            return format.render(events, opts);
        };
        let whole = self.events(lift);
        let part = match piece {
            Piece::Intro => Some(0),
            Piece::Section(i) => Some(i + 1),
            Piece::Outro => Some(parts.titles().len() + 1),
            _ => None,
        };
        let carried: Vec<Range<usize>> = match (notes_go, part) {
            (NotesGo::Placed, _) => Vec::new(),
            (NotesGo::WithParts(shown), Some(part)) => {
                self.carried_notes(lift, shown)[part].clone()
            }
            (NotesGo::WithParts(_), None) => notes
                .definitions
                .shared(whole, &[events])
                .pop()
                .unwrap_or_default(),
        };
        let events = notes.definitions.piece(whole, events, &carried);
        let opts = RenderOptions {
            note_numbers: Some(notes.numbers.clone()),
            ..opts.clone()
        };
        format.render(&events, &opts)
    }

    /// The excerpt: up to `words` words, or what comes before the post's `<!-- more -->`
    /// whatever the count.
    fn excerpt_events(&mut self, words: usize) -> &[Event<'static>] {
        if let Some(at) = self.post.excerpt_at {
            return self
                .excerpt
                .get_or_init(|| Cow::Owned(structure::excerpt_before(&self.post.events, at)));
        }
        if self.excerpt_words != words {
            self.excerpt = OnceCell::new();
            self.excerpt_words = words;
            self.cache.retain(|k, _| k.0 != Piece::Excerpt);
        }
        self.excerpt
            .get_or_init(|| structure::excerpt(&self.post.events, words))
    }

    fn render(
        &mut self,
        piece: Piece,
        format: Format,
        opts: &RenderOptions,
        lift: bool,
        notes_go: NotesGo,
    ) -> Value {
        // Only the parts depend on which parts are shown; the whole body on neither.
        let notes_go = match (piece, notes_go) {
            (Piece::Body | Piece::BodyMain | Piece::BodyNotes | Piece::Notes, _) => NotesGo::Placed,
            (Piece::Excerpt, NotesGo::WithParts(_)) => NotesGo::WithParts([false; 3]),
            _ => notes_go,
        };
        let rewritable = *self
            .rewritable
            .get_or_init(|| crate::render::rewrites_any(&self.post.events));
        let opts = &*format.effective_options(opts, rewritable);
        let numbered = match self.options.get(opts) {
            Some(&number) => number,
            None => {
                let number = self.options.len();
                self.options.insert(opts.clone(), number);
                number
            }
        };
        let key = (piece, format, numbered, lift, notes_go);
        if let Some(done) = self.cache.get(&key) {
            return done.clone();
        }
        let text = match piece {
            Piece::Body => format.render(self.events(lift), opts),
            Piece::BodyMain | Piece::BodyNotes => {
                let (main, notes) = format.render_split(self.events(lift), opts);
                let other = if piece == Piece::BodyMain {
                    Piece::BodyNotes
                } else {
                    Piece::BodyMain
                };
                let (mine, theirs) = if piece == Piece::BodyMain {
                    (main, notes)
                } else {
                    (notes, main)
                };
                self.cache.insert(
                    (other, format, numbered, lift, notes_go),
                    Value::safe_string(&theirs),
                );
                mine
            }
            Piece::Excerpt | Piece::Intro | Piece::Section(_) | Piece::Outro => {
                self.render_piece(piece, format, opts, lift, notes_go)
            }
            Piece::Notes => match self.notes(lift) {
                Some(notes) => {
                    let opts = RenderOptions {
                        note_numbers: Some(notes.numbers.clone()),
                        ..opts.clone()
                    };
                    format.render(&notes.definitions.all(self.events(lift)), &opts)
                }
                None => String::new(),
            },
        };
        let value = Value::safe_string(&text);
        self.cache.insert(key, value.clone());
        value
    }

    /// The context for one venue output.
    pub fn context<'a>(
        &'a mut self,
        output: &'a Output,
        venue: &'a str,
        site: &'a Site,
        needs: Needs,
    ) -> Context<'a>
    where
        'p: 'a,
    {
        let post = self.post;
        let format = output.format;
        let header = &output.header;
        let canonical = post.canonical_url(site.url()).unwrap_or_default();
        let utm: Vec<(String, String)> = header
            .utm
            .iter()
            .map(|(k, v)| (k.clone(), v.replace("{slug}", &post.slug)))
            .collect();
        let site_folder = site.url().and_then(crate::markdown::folder_url);
        let mut utm_scope = Vec::new();
        utm_scope.extend(site_folder.clone());
        if !canonical.is_empty() {
            utm_scope.push(canonical.clone());
        }
        let opts = RenderOptions {
            wrap: header.wrap,
            heading_shift: post.heading_shift.saturating_add(header.heading_offset),
            links: header.links,
            base_url: Some(canonical.clone())
                .filter(|c| !c.is_empty())
                .or(site_folder),
            utm_scope,
            utm: utm.clone(),
            raw_html: header.raw_html,
            footnotes: header.footnotes,
            note_numbers: None,
            media: self.media.clone().unwrap_or_else(|| {
                post.media.refs(
                    &header.image_needs(),
                    site.media_base(&post.slug).as_deref(),
                )
            }),
        };
        // Lifting a question the post does not have changes nothing: renders that differ
        // only by it share their cache entries.
        let lift = header.lift_question && post.question_at.is_some();
        let notes_go = if needs.post_notes {
            NotesGo::Placed
        } else {
            NotesGo::WithParts([needs.intro, needs.sections, needs.outro])
        };
        let plain = |s: &str| plain_value(format, s);

        let (body, body_notes) = if !needs.body && !needs.notes {
            (Value::safe_string(""), Value::safe_string(""))
        } else if needs.notes {
            (
                self.render(Piece::BodyMain, format, &opts, lift, notes_go),
                self.render(Piece::BodyNotes, format, &opts, lift, notes_go),
            )
        } else {
            (
                self.render(Piece::Body, format, &opts, lift, notes_go),
                Value::safe_string(""),
            )
        };
        if needs.excerpt || post.meta.summary.is_none() {
            self.excerpt_events(
                header
                    .excerpt_words
                    .unwrap_or(crate::venue::header::EXCERPT_WORDS),
            );
        }
        let excerpt = if needs.excerpt {
            self.render(Piece::Excerpt, format, &opts, lift, notes_go)
        } else {
            Value::safe_string("")
        };
        let summary = match &post.meta.summary {
            Some(s) => plain(s),
            None => plain(&crate::markdown::plain_text(
                self.excerpt.get().map_or(&[][..], |e| e.as_ref()),
            )),
        };
        let (intro, sections, outro) = if needs.parts {
            let titles: Vec<String> = self.parts(lift).titles().map(str::to_string).collect();
            let sections = titles
                .iter()
                .enumerate()
                .map(|(i, title)| SectionView {
                    title: plain(title),
                    body: self.render(Piece::Section(i), format, &opts, lift, notes_go),
                })
                .collect();
            (
                self.render(Piece::Intro, format, &opts, lift, notes_go),
                sections,
                self.render(Piece::Outro, format, &opts, lift, notes_go),
            )
        } else {
            (Value::safe_string(""), Vec::new(), Value::safe_string(""))
        };
        let notes = if needs.post_notes {
            self.render(Piece::Notes, format, &opts, lift, notes_go)
        } else {
            Value::safe_string("")
        };
        let thread = if needs.thread {
            // The closing link gets the venue's utm parameters, like the body's links; the
            // question closes the thread on its own, so the body is the one without it.
            let closing = opts.url(&canonical).unwrap_or_default().into_owned();
            let frame = crate::thread::Frame {
                title: &post.title,
                question: post.question.as_deref().unwrap_or(""),
                closing: &closing,
            };
            crate::thread::thread(
                frame,
                self.events(true),
                &opts,
                header.max_chars.unwrap_or(crate::thread::DEFAULT_LIMIT),
                Counter {
                    url_length: header.url_length,
                },
            )
        } else {
            Vec::new()
        };
        let outline = outline_view(&post.outline, header.heading_offset, format);
        Context {
            body,
            body_notes,
            thread,
            post: PostView {
                title: plain(&post.title),
                slug: &post.slug,
                author: post.meta.author.as_deref().or(site.author()).map(plain),
                tags: post.meta.tags.iter().map(|t| plain(t)).collect(),
                date: post.date_text(),
                summary,
                excerpt,
                question: post.question.as_deref().map(plain),
                canonical_url: format.escape_value(&canonical).unwrap_or(canonical),
                word_count: post.word_count,
                reading_time: post.reading_time(),
                outline,
                intro,
                sections,
                outro,
                notes,
                image: post_image(post, site, &opts, format),
                extra: escaped_map(format, &post.meta.extra),
            },
            site: escaped_map(format, &site.map),
            venue: VenueView {
                name: venue,
                file: &output.file,
                description: &output.header.description,
                format: format.name(),
                utm: Pairs(utm),
                excerpt_words: header.excerpt_words,
            },
        }
    }
}

/// The front matter's `image`, else the post's first image: its own file under the media
/// URL (absolute whenever `site.media_url` or `site.url` is known), or the URL written.
fn post_image(post: &Post, site: &Site, opts: &RenderOptions, format: Format) -> Option<ImageView> {
    let (dest, alt) = match &post.meta.image {
        Some((image, _)) if !image.trim().is_empty() => (image.trim().to_string(), String::new()),
        _ => post
            .events
            .iter()
            .enumerate()
            .find_map(|(i, event)| match event {
                Event::Start(pulldown_cmark::Tag::Image { dest_url, .. })
                    if crate::markdown::is_safe_url(dest_url) && !dest_url.trim().is_empty() =>
                {
                    let end = crate::markdown::matching_end(&post.events, i);
                    let inner = post.events.get(i + 1..end).unwrap_or_default();
                    Some((
                        dest_url.to_string(),
                        crate::markdown::plain_text(inner).trim().to_string(),
                    ))
                }
                _ => None,
            })?,
    };
    let view = |url: String, alt: &str, size: Option<(u32, u32)>| ImageView {
        url: format.escape_value(&url).unwrap_or(url),
        alt: plain_value(format, alt),
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
    };
    if let Some(image) = post.media.get(&dest) {
        let alt = if alt.is_empty() { &image.alt } else { &alt };
        let size = Some((image.probed.width, image.probed.height));
        let url = match site.media_base(&post.slug) {
            Some(base) => format!("{base}{}", image.file),
            None => opts.image_url(&dest)?.into_owned(),
        };
        return Some(view(url, alt, size));
    }
    let url = opts.image_url(&dest)?.into_owned();
    Some(view(url, &alt, None))
}

fn outline_view(outline: &[OutlineEntry], offset: i8, format: Format) -> Vec<OutlineView> {
    outline
        .iter()
        .map(|h| OutlineView {
            level: (i16::from(h.level) + i16::from(offset)).clamp(1, 6) as u8,
            title: plain_value(format, &h.title),
            // An explicit `{#id}` is the writer's text, `]` and `[img]` included.
            anchor: format
                .escape_value(&h.anchor)
                .unwrap_or_else(|| h.anchor.clone()),
        })
        .collect()
}

/// A plain-text value for a template in `format`: left to Tera's HTML autoescape in HTML
/// formats, neutralised here for BBCode, as typed for text and Markdown.
fn plain_value(format: Format, text: &str) -> Value {
    match format.escape_plain(text) {
        Some(escaped) => Value::safe_string(&escaped),
        None => Value::from(text),
    }
}

/// A map of the writer's values (`site:`, front-matter extras) for a template in `format`:
/// as written, except in BBCode, which has no autoescape: there every string is made safe
/// to print (`Format::escape_value`), so `site.url` or an extra with `]` or `[img]` in it
/// cannot end a tag the template wrote or open one of its own.
fn escaped_map(
    format: Format,
    map: &BTreeMap<String, serde_yaml::Value>,
) -> Cow<'_, BTreeMap<String, serde_yaml::Value>> {
    match format {
        Format::Bbcode => Cow::Owned(
            map.iter()
                .map(|(key, value)| (key.clone(), escaped_value(format, value)))
                .collect(),
        ),
        Format::Html | Format::Email | Format::Text | Format::Markdown => Cow::Borrowed(map),
    }
}

fn escaped_value(format: Format, value: &serde_yaml::Value) -> serde_yaml::Value {
    use serde_yaml::Value as Yaml;
    match value {
        Yaml::String(text) => {
            Yaml::String(format.escape_value(text).unwrap_or_else(|| text.clone()))
        }
        Yaml::Sequence(items) => {
            Yaml::Sequence(items.iter().map(|v| escaped_value(format, v)).collect())
        }
        Yaml::Mapping(map) => Yaml::Mapping(
            map.iter()
                .map(|(k, v)| (k.clone(), escaped_value(format, v)))
                .collect(),
        ),
        Yaml::Tagged(tagged) => escaped_value(format, &tagged.value),
        Yaml::Null | Yaml::Bool(_) | Yaml::Number(_) => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::venue::Catalog;

    /// The built-in markdown outputs that render the whole body: `hugo.md` (native
    /// footnotes, raw HTML kept, question left in) and `discourse.md` (footnotes as a list,
    /// raw HTML as text, question lifted).
    fn markdown_bodies(catalog: &Catalog) -> [&Output; 2] {
        let output = |name: &str| {
            catalog
                .venues
                .iter()
                .flat_map(|v| &v.outputs)
                .find(|o| o.file == name)
                .unwrap()
        };
        [output("hugo.md"), output("discourse.md")]
    }

    fn bodies(text: &str) -> (Vec<String>, usize) {
        let catalog = Catalog::load(None).unwrap();
        let post = Post::parse(std::path::Path::new("p.md"), text).unwrap();
        let mut renders = Renders::new(&post);
        let site = Site::default();
        let bodies = markdown_bodies(&catalog)
            .iter()
            .map(|output| {
                let context = renders.context(output, "v", &site, output.needs);
                context.body.as_str().unwrap().to_string()
            })
            .collect();
        (bodies, renders.cache.len())
    }

    #[test]
    fn markdown_outputs_differing_only_by_what_the_post_lacks_share_one_render() {
        let (plain, renders) = bodies("---\ntitle: T\n---\nOne *two*.\n\n## Three\n\nFour.\n");
        assert_eq!(plain[0], plain[1]);
        assert_eq!(renders, 1);
        let (noted, renders) = bodies("---\ntitle: T\n---\nOne[^1] <b>two</b>.\n\n[^1]: N.\n");
        assert_ne!(noted[0], noted[1]);
        assert_eq!(renders, 2);
        let (asked, renders) = bodies("---\ntitle: T\n---\nOne.\n\nWhat do you think?\n");
        assert_ne!(asked[0], asked[1], "only discourse.md lifts the question");
        assert_eq!(renders, 2);
    }
}
