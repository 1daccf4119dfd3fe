//! Venues: discovered from template files, built-in and the writer's own, compiled once.
//!
//! `templates/<venue>.<ext>.tera` writes `<venue>.<ext>`; templates sharing a `<venue>` stem
//! are one venue with several files; `_`-prefixed files are partials. A writer's file with a
//! built-in's name replaces the built-in.

pub mod builtin;
pub mod header;
mod needs;
mod rendered;
pub mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use tera::Tera;

use crate::hash::ContentHash;
use crate::render::Format;

pub use header::Header;
pub use needs::Needs;
pub use rendered::Rendered;

/// Where a template came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary.
    BuiltIn,
    /// A file in the templates folder.
    File(PathBuf),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::BuiltIn => f.write_str("built-in"),
            Origin::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// One template of a venue: one output file.
#[derive(Debug, Clone)]
pub struct Output {
    /// The template's name in Tera (its file name, e.g. `forum.bbcode.tera`).
    pub template: String,
    /// The file it writes (e.g. `forum.bbcode`).
    pub file: String,
    /// Header settings.
    pub header: Header,
    /// The body format it renders with.
    pub format: Format,
    /// Built-in or a file.
    pub origin: Origin,
    /// Which optional pieces of the post the template uses.
    pub needs: Needs,
}

impl Output {
    /// `max_chars` as a limit on the whole file. A template that cuts the post into a
    /// `thread` has none: there it is each post's length, which the thread keeps to.
    pub fn file_max_chars(&self) -> Option<usize> {
        if self.needs.thread {
            None
        } else {
            self.header.max_chars
        }
    }

    /// The template as users know it: its path, or `built-in <name>`.
    pub fn origin_name(&self) -> String {
        match &self.origin {
            Origin::BuiltIn => format!("built-in `{}`", self.template),
            Origin::File(path) => format!("`{}`", path.display()),
        }
    }
}

/// A venue: a name and the files it writes.
#[derive(Debug, Clone)]
pub struct Venue {
    /// The template files' shared stem.
    pub name: String,
    /// One per template, ordered by file name.
    pub outputs: Vec<Output>,
}

impl Venue {
    /// The first description among the venue's templates.
    pub fn description(&self) -> &str {
        self.outputs
            .iter()
            .map(|o| o.header.description.as_str())
            .find(|d| !d.is_empty())
            .unwrap_or("")
    }
}

/// Every venue, with one Tera holding every template compiled.
#[derive(Debug)]
pub struct Catalog {
    /// Venues by name.
    pub venues: Vec<Venue>,
    /// The compiled templates, filters registered.
    pub tera: Tera,
    /// Templates that could not be used, each naming its file; their venues are missing.
    pub errors: Vec<anyhow::Error>,
    /// Venues left with no output by those errors: naming one is not naming an unknown
    /// venue, since its error is already reported.
    pub broken: Vec<String>,
    /// By template name, a hash of the templates its output may read: itself, every
    /// partial, and any template one of those names (an `include` or `extends` of another's).
    sources: BTreeMap<String, ContentHash>,
    /// The templates Tera escapes HTML in.
    escaped: Vec<String>,
}

impl Catalog {
    /// Loads the built-in templates and those in `dir` (when given), compiling them once.
    /// A broken template is reported in `errors` and left out; the others still load.
    pub fn load(dir: Option<&Path>) -> Result<Catalog> {
        let mut sources: BTreeMap<String, (String, Origin)> = builtin::TEMPLATES
            .iter()
            .map(|(name, text)| (name.to_string(), (text.to_string(), Origin::BuiltIn)))
            .collect();
        let mut errors = Vec::new();
        let mut unread = Vec::new();
        if let Some(dir) = dir {
            for path in template_files(dir)? {
                let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
                    continue;
                };
                match crate::error::read_text(&path) {
                    Ok(text) => {
                        sources.insert(name, (text, Origin::File(path)));
                    }
                    Err(e) => {
                        unread.push(name);
                        errors.push(e);
                    }
                }
            }
        }

        let texts: BTreeMap<&str, &str> = sources
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str()))
            .collect();
        let sources_by_template = sources_by_template(&texts);
        let attempted: Vec<String> = sources.keys().cloned().collect();
        let sources_names = attempted.clone();
        let mut partials = Vec::new();
        let mut outputs = Vec::new();
        for (name, (text, origin)) in sources {
            if name.starts_with('_') {
                partials.push((name, text, origin));
                continue;
            }
            match describe(&name, &text, origin.clone()) {
                Ok(output) => outputs.push((output, text)),
                Err(e) => errors.push(e),
            }
        }

        let partial_texts: Vec<&str> = partials.iter().map(|(_, t, _)| t.as_str()).collect();
        for (output, text) in &mut outputs {
            output.needs = Needs::from_sources(
                std::iter::once(text.as_str()).chain(partial_texts.iter().copied()),
            );
        }

        let mut tera = Tera::new();
        crate::filters::register(&mut tera);
        let mut escaped: Vec<String> = [".html.tera", ".htm.tera", ".xml.tera"]
            .map(String::from)
            .to_vec();
        escaped.extend(
            outputs
                .iter()
                .filter(|(o, _)| o.format.is_html())
                .map(|(o, _)| o.template.clone()),
        );
        // Tera escapes a template whose name ends with one of these: which ones it does is
        // part of each venue's fingerprint (a suffix may reach another venue's template).
        let escaped_names: Vec<String> = sources_names
            .iter()
            .filter(|name| escaped.iter().any(|suffix| name.ends_with(suffix.as_str())))
            .cloned()
            .collect();
        tera.autoescape_on(escaped);

        for (name, text, origin) in &partials {
            if let Err(e) = tera.add_raw_template(name, text) {
                errors.push(template_error(origin, name, &e));
            }
        }
        let mut venues: BTreeMap<String, Venue> = BTreeMap::new();
        for (mut output, text) in outputs {
            if let Err(e) = tera.add_raw_template(&output.template, &text) {
                errors.push(template_error(&output.origin, &output.template, &e));
                continue;
            }
            // Tera lists the top-level variables a template (with its includes and parents)
            // uses: a template that never names `body` is not given one to render.
            if let Ok(vars) = tera.get_template_variables(&output.template) {
                output.needs.body = vars.contains("body");
                output.needs.notes = vars.contains("body_notes");
                output.needs.thread = vars.contains("thread");
            }
            if output.needs.thread
                && let Err(e) = thread_limits(&output.header)
            {
                errors.push(anyhow::anyhow!("{}: not loaded: {e}", output.origin));
                continue;
            }
            let name = venue_name(&output.file).to_string();
            venues
                .entry(name.clone())
                .or_insert_with(|| Venue {
                    name,
                    outputs: Vec::new(),
                })
                .outputs
                .push(output);
        }
        let mut broken: Vec<String> = attempted
            .iter()
            .chain(&unread)
            .filter(|name| !name.starts_with('_'))
            .map(|name| venue_name(name).to_string())
            .filter(|name| !venues.contains_key(name))
            .collect();
        broken.sort();
        broken.dedup();
        Ok(Catalog {
            venues: venues.into_values().collect(),
            tera,
            errors,
            broken,
            sources: sources_by_template,
            escaped: escaped_names,
        })
    }

    /// A short hash of everything `output` of `venue` depends on besides the post and the
    /// site: the tool's version, the templates it may read and its settings as the
    /// configuration leaves them. A post's file for the output is up to date while the
    /// fingerprint is the one it was built with; a template or setting of another output,
    /// of the same venue or another, changes only that output's.
    pub fn fingerprint(&self, venue: &Venue, output: &Output) -> String {
        let sources = self
            .sources
            .get(&output.template)
            .map(|h| crate::hash::hex(&h.0))
            .unwrap_or_default();
        // The output as loaded and configured: its file, format, what it reads, its header
        // settings, and whether Tera escapes it; not where its template lies, whose text
        // `sources` covers. `Debug` forms hold no map of unstable order, and the version is
        // hashed with them, so they may change between versions.
        let escaped = self.escaped.contains(&output.template);
        let described = format!(
            "repurpose {}\0{}\0{sources}\0{} {} {:?} {escaped} {:?} {:?}",
            env!("CARGO_PKG_VERSION"),
            venue.name,
            output.template,
            output.file,
            output.format,
            output.needs,
            output.header
        );
        crate::hash::short(described.as_bytes(), FINGERPRINT_DIGITS)
    }

    /// Each output of `venue` by the file it writes, with its fingerprint.
    pub fn fingerprints(&self, venue: &Venue) -> BTreeMap<String, String> {
        venue
            .outputs
            .iter()
            .map(|o| (o.file.clone(), self.fingerprint(venue, o)))
            .collect()
    }

    /// The venue called `name`.
    pub fn get(&self, name: &str) -> Option<&Venue> {
        self.venues.iter().find(|v| v.name == name)
    }

    /// Whether `name` is a venue whose templates all failed (and were reported).
    pub fn is_broken(&self, name: &str) -> bool {
        self.broken.iter().any(|b| b == name)
    }

    /// Every venue name a post may name: those loaded and those whose templates failed.
    pub fn all_names(&self) -> Vec<&str> {
        let mut names = self.names();
        names.extend(self.broken.iter().map(String::as_str));
        names.sort_unstable();
        names
    }

    /// Every venue name, for error hints.
    pub fn names(&self) -> Vec<&str> {
        self.venues.iter().map(|v| v.name.as_str()).collect()
    }
}

/// The `.tera` files directly in `dir`, sorted by name.
fn template_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("failed to read templates folder `{}`", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry
            .with_context(|| format!("failed to read templates folder `{}`", dir.display()))?;
        let path = entry.path();
        let is_template = path.extension().is_some_and(|e| e == "tera");
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if is_template && !hidden && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Reads a venue template's file name and header into an `Output`.
fn describe(name: &str, text: &str, origin: Origin) -> Result<Output> {
    let file = name.strip_suffix(".tera").unwrap_or(name);
    let (venue, ext) = file.split_once('.').unwrap_or((file, ""));
    let valid_venue = !venue.is_empty()
        && venue
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !valid_venue || ext.is_empty() {
        anyhow::bail!(
            "{origin}: not loaded: a template's file name must be `<venue>.<ext>.tera` (like `forum.bbcode.tera`), with a venue name of letters, digits, `-` and `_`"
        );
    }
    let header = header::parse(text).map_err(|e| match &origin {
        Origin::File(path) => e.in_file(path),
        Origin::BuiltIn => anyhow::anyhow!("{name}:{e}"),
    })?;
    let ext_name = ext.rsplit('.').next().unwrap_or(ext);
    let format = header
        .body
        .unwrap_or_else(|| Format::for_extension(ext_name));
    Ok(Output {
        template: name.to_string(),
        file: file.to_string(),
        header,
        format,
        origin,
        needs: Needs::ALL,
    })
}

/// Checks that a template using `thread` has limits a thread can keep.
pub fn thread_limits(header: &Header) -> Result<(), String> {
    use crate::thread::{DEFAULT_LIMIT, MIN_LIMIT};
    let limit = header.max_chars.unwrap_or(DEFAULT_LIMIT);
    if limit < MIN_LIMIT {
        return Err(format!(
            "`max_chars: {limit}` is too small for `thread`: a thread needs at least {MIN_LIMIT} characters a post"
        ));
    }
    match header.url_length {
        Some(length) if length > limit / 2 => Err(format!(
            "`url_length: {length}` leaves too little room in posts of {limit} characters; it may be at most half of `max_chars`"
        )),
        _ => Ok(()),
    }
}

/// Hex digits of an output's fingerprint: 64 bits tell a change apart well enough, and a
/// manifest holds one per output and post (each different set once).
const FINGERPRINT_DIGITS: usize = 16;

/// For each template among `texts` (template name → text) that is not a partial, the hash
/// of the templates its output may read: itself, every partial (any may be included) and
/// every template that defines a component (any may call it, by the component's name), and,
/// found by name in those texts, any other template they include, extend or import, and so
/// on. Tera names the templates it reads in string literals, so a template name never
/// written is never read; a name written in a comment only makes the hash cover a template
/// more than it needs to.
fn sources_by_template(texts: &BTreeMap<&str, &str>) -> BTreeMap<String, ContentHash> {
    use sha2::Digest;
    let partials: Vec<&str> = texts
        .iter()
        .filter(|(name, text)| name.starts_with('_') || defines_component(text))
        .map(|(name, _)| *name)
        .collect();
    texts
        .keys()
        .copied()
        .filter(|name| !name.starts_with('_'))
        .map(|template| {
            let mut read: std::collections::BTreeSet<&str> = std::iter::once(template)
                .chain(partials.iter().copied())
                .collect();
            let mut unread: Vec<&str> = read.iter().copied().collect();
            while let Some(name) = unread.pop() {
                let text = texts.get(name).copied().unwrap_or_default();
                for other in texts.keys().copied() {
                    if !read.contains(other) && text.contains(other) {
                        read.insert(other);
                        unread.push(other);
                    }
                }
            }
            let mut hasher = sha2::Sha256::new();
            for name in read {
                hasher.update(name.as_bytes());
                hasher.update([0]);
                hasher.update(texts.get(name).copied().unwrap_or_default().as_bytes());
                hasher.update([0]);
            }
            (template.to_string(), ContentHash(hasher.finalize().into()))
        })
        .collect()
}

/// Whether `text` defines a Tera component (`{% component name() %}`): components are
/// global, so any template may call one without naming the template it is in.
fn defines_component(text: &str) -> bool {
    text.match_indices("{%").any(|(at, _)| {
        text[at + 2..]
            .trim_start_matches('-')
            .trim_start()
            .strip_prefix("component")
            .is_some_and(|rest| rest.starts_with(char::is_whitespace))
    })
}

/// The venue a file belongs to: its name up to the first dot.
pub fn venue_name(file: &str) -> &str {
    file.split_once('.').map_or(file, |(v, _)| v)
}

/// A Tera compile error, with the template's path and Tera's own report.
fn template_error(origin: &Origin, name: &str, err: &tera::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{origin}: template `{name}` does not compile:\n{}",
        tera_report(err)
    )
}

/// Tera's full report for an error: the message with its source excerpt, and causes.
pub fn tera_report(err: &tera::Error) -> String {
    use std::error::Error as _;
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        out.push_str("\n  caused by: ");
        out.push_str(&cause.to_string());
        source = cause.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_templates_sources_are_itself_the_partials_and_what_it_includes() {
        let sources = |blog: &str, footer: &str| {
            let texts = BTreeMap::from([
                ("_footer.tera", footer),
                ("blog.html.tera", blog),
                ("blog.txt.tera", "{{ post.title }}"),
                ("card.txt.tera", "{% include \"blog.html.tera\" %}"),
                ("forum.bbcode.tera", "[b]{{ post.title }}[/b]"),
            ]);
            sources_by_template(&texts)
        };
        let before = sources("<p>one</p>", "foot");
        assert_eq!(before.len(), 4, "partials have none of their own");
        let blog_edited = sources("<p>two</p>", "foot");
        assert_ne!(before["blog.html.tera"], blog_edited["blog.html.tera"]);
        assert_ne!(
            before["card.txt.tera"], blog_edited["card.txt.tera"],
            "card includes the blog"
        );
        assert_eq!(
            before["blog.txt.tera"], blog_edited["blog.txt.tera"],
            "the same venue's other template does not read it"
        );
        assert_eq!(
            before["forum.bbcode.tera"],
            blog_edited["forum.bbcode.tera"]
        );
        let component = |definition: &str| {
            let texts = BTreeMap::from([
                ("digest.html.tera", definition),
                ("digest.txt.tera", "{{<sig name=\"Maren\"/>}}"),
                ("forum.bbcode.tera", "[b]{{ post.title }}[/b]"),
            ]);
            sources_by_template(&texts)
        };
        let (v1, v2) = (
            component("{%- component sig(name) %}v1 {{ name }}{% endcomponent sig %}"),
            component("{%- component sig(name) %}v2 {{ name }}{% endcomponent sig %}"),
        );
        assert!(
            v1.iter().all(|(template, hash)| v2[template] != *hash),
            "any template may call a component, by its name"
        );
        assert!(!defines_component(
            "{{ post.title }} is a component {% if x %}"
        ));
        let footer_edited = sources("<p>one</p>", "footer");
        assert!(
            before
                .iter()
                .all(|(template, hash)| footer_edited[template] != *hash),
            "any template may include a partial"
        );
    }

    #[test]
    fn a_setting_changes_its_outputs_fingerprint_alone() {
        let mut catalog = Catalog::load(None).unwrap();
        let prints = |c: &Catalog, name: &str| c.fingerprints(c.get(name).unwrap());
        let (newsletter, blog) = (prints(&catalog, "newsletter"), prints(&catalog, "blog"));
        assert_eq!(newsletter["newsletter.html"].len(), FINGERPRINT_DIGITS);
        assert_eq!(
            newsletter.keys().collect::<Vec<_>>(),
            ["newsletter.html", "newsletter.txt"]
        );
        let venue = catalog
            .venues
            .iter_mut()
            .find(|v| v.name == "newsletter")
            .unwrap();
        venue.outputs[0].header.heading_offset += 1;
        let edited = prints(&catalog, "newsletter");
        assert_ne!(edited["newsletter.html"], newsletter["newsletter.html"]);
        assert_eq!(edited["newsletter.txt"], newsletter["newsletter.txt"]);
        assert_eq!(prints(&catalog, "blog"), blog);
    }

    #[test]
    fn builtins_are_the_seven_venues() {
        let catalog = Catalog::load(None).unwrap();
        assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
        assert_eq!(
            catalog.names(),
            [
                "article",
                "blog",
                "discourse",
                "forum",
                "hugo",
                "newsletter",
                "social"
            ]
        );
        let files: Vec<&str> = catalog
            .get("newsletter")
            .unwrap()
            .outputs
            .iter()
            .map(|o| o.file.as_str())
            .collect();
        assert_eq!(files, ["newsletter.html", "newsletter.txt"]);
        assert_eq!(
            catalog.get("forum").unwrap().outputs[0].format,
            Format::Bbcode
        );
    }

    #[test]
    fn only_templates_that_name_body_get_it_rendered() {
        let catalog = Catalog::load(None).unwrap();
        let needs = |venue: &str| catalog.get(venue).unwrap().outputs[0].needs;
        assert!(
            !needs("article").body,
            "the article is built from intro, sections and outro"
        );
        assert!(needs("article").parts);
        assert!(needs("forum").body && !needs("forum").parts);
        let text = &catalog.get("newsletter").unwrap().outputs[1];
        assert!(text.needs.body && text.needs.notes, "{:?}", text.needs);
        assert!(needs("social").thread && !needs("social").body);
        assert!(!needs("forum").thread && !needs("hugo").thread);
    }

    #[test]
    fn thread_templates_need_room_for_a_thread() {
        let header = |yaml: &str| header::parse(&format!("{{#---\n{yaml}\n---#}}")).unwrap();
        assert!(thread_limits(&header("max_chars: 280\nurl_length: 23")).is_ok());
        assert!(
            thread_limits(&header("description: x")).is_ok(),
            "500 by default"
        );
        let small = thread_limits(&header("max_chars: 20")).unwrap_err();
        assert!(
            small.contains("`max_chars: 20` is too small for `thread`"),
            "{small}"
        );
        let long = thread_limits(&header("max_chars: 60\nurl_length: 40")).unwrap_err();
        assert!(
            long.contains("`url_length: 40` leaves too little room"),
            "{long}"
        );
    }

    #[test]
    fn bad_file_names_are_refused() {
        assert!(describe("forum.tera", "", Origin::BuiltIn).is_err());
        assert!(describe("../x.md.tera", "", Origin::BuiltIn).is_err());
        let ok = describe("my-venue.txt.tera", "", Origin::BuiltIn).unwrap();
        assert_eq!(
            (ok.file.as_str(), ok.format),
            ("my-venue.txt", Format::Text)
        );
    }
}
