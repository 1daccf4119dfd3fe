//! The one Markdown parse: pulldown-cmark with the extensions writers expect.

use std::cell::Cell;
use std::ops::Range;
use std::panic::{self, AssertUnwindSafe};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::nesting::Flatten;

/// The CommonMark extensions every post is parsed with.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// Parses a Markdown body into an owned event list, merging adjacent text events so
/// renderers see each run of text once.
pub fn events(markdown: &str) -> Vec<Event<'static>> {
    parse_with(markdown, false).events
}

/// The body line of the few events `check` reports on (tables, raw HTML, inline code,
/// strikethrough, images, links, headings with attributes, lists not starting at 1,
/// footnote definitions and references, text typed as a footnote reference), by their
/// index in the event list. Only those are kept, so the
/// cost is a few bytes per such event, not per event or per byte.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Lines(Vec<(u32, u32)>);

impl Lines {
    /// The 1-based body line of `events[index]`, when it is one of the events kept.
    pub fn line_of(&self, index: usize) -> Option<usize> {
        let index = u32::try_from(index).ok()?;
        self.0
            .binary_search_by_key(&index, |&(i, _)| i)
            .ok()
            .map(|at| self.0[at].1 as usize)
    }

    /// The `(event index, body line)` pairs, in event order.
    pub(crate) fn entries(&self) -> &[(u32, u32)] {
        &self.0
    }

    /// Lines from `(event index, body line)` pairs in event order.
    pub(crate) fn from_entries(entries: Vec<(u32, u32)>) -> Lines {
        Lines(entries)
    }

    /// Follows the removal of the first `count` events (the title heading).
    pub fn drop_first(&mut self, count: usize) {
        let count = u32::try_from(count).unwrap_or(u32::MAX);
        self.0.retain(|&(i, _)| i >= count);
        for entry in &mut self.0 {
            entry.0 -= count;
        }
    }
}

/// Whether `check` may report on this event, so its line is worth keeping.
fn is_located(event: &Event<'_>) -> bool {
    match event {
        Event::Start(tag) => match tag {
            Tag::Table(_)
            | Tag::HtmlBlock
            | Tag::Strikethrough
            | Tag::Image { .. }
            | Tag::Link { .. }
            | Tag::FootnoteDefinition(_) => true,
            Tag::Heading {
                id, classes, attrs, ..
            } => id.is_some() || !classes.is_empty() || !attrs.is_empty(),
            Tag::List(start) => start.is_some_and(|n| n != 1),
            _ => false,
        },
        Event::InlineHtml(_) | Event::Code(_) | Event::FootnoteReference(_) => true,
        _ => false,
    }
}

/// Whether a run of text was typed with a footnote reference in it (`[^label]`, its `[`
/// not escaped): the parser leaves one without a definition as text, which `check` reports.
fn types_a_reference(text: &str, markdown: &str, range: &Range<usize>) -> bool {
    text.contains("[^")
        && markdown.get(range.clone()).is_some_and(|source| {
            source
                .match_indices("[^")
                .any(|(at, _)| !source[..at].ends_with('\\'))
        })
}

/// Like `events`, with the lines of the events `check` reports on, and a warning when the
/// parser failed on this text and a simpler parse was used. pulldown-cmark 0.13 panics on
/// a few inputs in its heading-attribute code (`- [ ] \` then an indented `-`); such a post
/// is parsed again without heading attributes, and as one plain paragraph if that fails
/// too, instead of ending the run.
pub fn parse(markdown: &str) -> Parsed {
    parse_with(markdown, true)
}

/// A body parsed: its events, the lines of those `check` reports on, and what went wrong
/// when the parser failed and a simpler parse was used.
#[derive(Debug)]
pub struct Parsed {
    /// The events, adjacent text merged.
    pub events: Vec<Event<'static>>,
    /// The body lines of the events `check` reports on.
    pub lines: Lines,
    /// Why the post was parsed a simpler way, when it was.
    pub warning: Option<String>,
    /// The body line where blocks or inline spans first nest past `MAX_NESTING` levels,
    /// and the levels past it were flattened.
    pub flattened_at: Option<usize>,
}

fn parse_with(markdown: &str, locate: bool) -> Parsed {
    if let Some((events, lines, flattened_at)) = quietly(|| collect(markdown, options(), locate)) {
        return Parsed {
            events,
            lines,
            warning: None,
            flattened_at,
        };
    }
    let fallback = options() - Options::ENABLE_HEADING_ATTRIBUTES;
    if let Some((events, lines, flattened_at)) = quietly(|| collect(markdown, fallback, locate)) {
        return Parsed {
            events,
            lines,
            warning: Some("the Markdown parser failed on this post; it was parsed without `{#id .class}` heading attributes".into()),
            flattened_at,
        };
    }
    let events = vec![
        Event::Start(Tag::Paragraph),
        Event::Text(markdown.to_string().into()),
        Event::End(TagEnd::Paragraph),
    ];
    Parsed {
        events,
        lines: Lines::default(),
        warning: Some("the Markdown parser failed on this post; it is used as plain text".into()),
        flattened_at: None,
    }
}

/// The events, and with `locate` the lines of those `is_located` picks; with them, where
/// the first run of levels past `MAX_NESTING` was flattened.
fn collect(markdown: &str, options: Options, locate: bool) -> Collected {
    let mut collector = Collector {
        markdown,
        locate,
        out: Vec::new(),
        lines: Vec::new(),
        at: 0,
        line: 1,
        text: None,
        text_range: 0..0,
        in_html_block: false,
    };
    let mut flatten = Flatten::default();
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        flatten.step(event, range, |event, range| collector.push(event, range));
    }
    collector.flush_text();
    let flattened_at = flatten.first.map(|offset| collector.line_of(offset));
    let Collector { mut out, lines, .. } = collector;
    // A long post's events are kept while it renders: not with the room its growth left
    // (up to as much again).
    if out.capacity() - out.len() > 4096 {
        out.shrink_to_fit();
    }
    (out, Lines(lines), flattened_at)
}

/// What `collect` gives: the events, their lines, and the body line where nesting was first
/// flattened.
type Collected = (Vec<Event<'static>>, Lines, Option<usize>);

/// Gathers the parse's events: adjacent text merged, and with `locate` the lines of the
/// events `check` reports on.
struct Collector<'m> {
    markdown: &'m str,
    locate: bool,
    out: Vec<Event<'static>>,
    lines: Vec<(u32, u32)>,
    /// Lines are counted from the last located event, so the body is scanned about once:
    /// `line` is the line of byte `at`.
    at: usize,
    line: usize,
    /// The run of text being merged, appended to in place: rebuilding the joined text at
    /// every piece is quadratic in a paragraph the parser splits finely (quotes, escapes).
    text: Option<String>,
    /// Where the run of text starts and ends in the source.
    text_range: Range<usize>,
    /// Inside an HTML block, the parse gives what is left of a line's indent past a list
    /// item's content as text (a tab's columns beyond it on every line): part of the block's
    /// HTML, not text every renderer would write outside the block.
    in_html_block: bool,
}

impl Collector<'_> {
    fn push(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Event::Text(next) = event {
            match &mut self.text {
                Some(run) => {
                    run.push_str(&next);
                    self.text_range.end = range.end;
                }
                None => {
                    self.text = Some(next.into_string());
                    self.text_range = range;
                }
            }
            return;
        }
        self.flush_text();
        if self.locate && is_located(&event) {
            self.locate_at(range.start);
        }
        match event {
            Event::Start(Tag::HtmlBlock) => self.in_html_block = true,
            Event::End(TagEnd::HtmlBlock) => self.in_html_block = false,
            _ => {}
        }
        self.out.push(event.into_static());
    }

    /// Ends the run of text, if one is open.
    fn flush_text(&mut self) {
        let Some(run) = self.text.take() else {
            return;
        };
        if self.in_html_block {
            self.out.push(Event::Html(run.into()));
            return;
        }
        if self.locate && types_a_reference(&run, self.markdown, &self.text_range) {
            self.locate_at(self.text_range.start);
        }
        self.out.push(Event::Text(run.into()));
    }

    /// Records the line of the source byte `offset` for the event about to be pushed.
    fn locate_at(&mut self, offset: usize) {
        let line = self.line_of(offset);
        let index = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        self.lines
            .push((index, u32::try_from(line).unwrap_or(u32::MAX)));
    }

    /// The 1-based line of the source byte `offset`, counted from the last one asked for.
    fn line_of(&mut self, offset: usize) -> usize {
        let to = offset.min(self.markdown.len());
        let newlines = |s: &str| s.bytes().filter(|&b| b == b'\n').count();
        if to >= self.at {
            self.line += newlines(&self.markdown[self.at..to]);
        } else {
            self.line -= newlines(&self.markdown[to..self.at]);
        }
        self.at = to;
        self.line
    }
}

thread_local! {
    /// Set while a panic is expected and handled here, so the hook stays silent.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into `None` without printing it.
fn quietly<T>(f: impl FnOnce() -> T) -> Option<T> {
    let before = QUIET.replace(true);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.set(before);
    result.ok()
}

/// Installs a panic hook that stays silent for the panics `parse` handles itself and
/// reports any other as an internal error worth a bug report.
pub fn install_panic_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if QUIET.get() {
            return;
        }
        crate::shell::error(format_args!(
            "internal error in repurpose {}; please report it with the post that caused it",
            env!("CARGO_PKG_VERSION")
        ));
        default(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacent_text_is_merged() {
        // Smart punctuation splits text at each quote; one Text event remains.
        let events = events("“Leverage” isn't--quite--free.");
        let texts = events
            .iter()
            .filter(|e| matches!(e, Event::Text(_)))
            .count();
        assert_eq!(texts, 1);
    }

    #[test]
    fn an_html_block_holds_its_indent_as_html() {
        // pulldown-cmark gives what is left of a line's indent past a list item's content
        // as a text event inside the block (with a tab, before every line), which every
        // renderer wrote outside it: a stray line, trailing spaces, a paragraph of spaces.
        for (md, html) in [
            (
                "- [ ] - the\n    ===\n    \n    <div>\n    x\n    </div>\n",
                "  <div>\n  x\n  </div>\n",
            ),
            ("- a\n\n\t<div>\n\tx\n\n  ## h\n", "  <div>\n  x\n"),
        ] {
            let events = events(md);
            let start = events
                .iter()
                .position(|e| matches!(e, Event::Start(Tag::HtmlBlock)))
                .expect("an HTML block");
            let end = crate::markdown::matching_end(&events, start);
            let inside = &events[start + 1..end];
            assert!(
                inside.iter().all(|e| matches!(e, Event::Html(_))),
                "{inside:?}"
            );
            let joined: String = inside
                .iter()
                .filter_map(|e| match e {
                    Event::Html(h) => Some(h.as_ref()),
                    _ => None,
                })
                .collect();
            assert_eq!(joined, html);
        }
    }

    #[test]
    fn text_typed_as_a_footnote_reference_is_located_unless_escaped() {
        let Parsed { events, lines, .. } = parse("Fine.\n\nA slip[^nope].\n\nNot one: \\[^x].\n");
        let located: Vec<(usize, &Event<'static>)> = lines
            .entries()
            .iter()
            .map(|&(i, line)| (line as usize, &events[i as usize]))
            .collect();
        assert_eq!(located, [(3, &Event::Text("A slip[^nope].".into()))]);
    }

    #[test]
    fn a_parser_panic_falls_back_instead_of_crashing() {
        let Parsed {
            events, warning, ..
        } = parse("- [ ] \\\n    -\n");
        assert!(!events.is_empty());
        assert!(warning.is_some_and(|w| w.contains("parser failed")));
    }

    #[test]
    fn located_events_keep_their_body_line() {
        let md = "Intro with `code`.\n\n| a |\n|---|\n| 1 |\n\n<div>\nx\n</div>\n\n![alt](i.png) and <b>b</b>\n";
        let Parsed { events, lines, .. } = parse(md);
        let line_of = |pred: fn(&Event<'_>) -> bool| {
            let i = events.iter().position(pred).unwrap();
            lines.line_of(i)
        };
        assert_eq!(line_of(|e| matches!(e, Event::Code(_))), Some(1));
        assert_eq!(
            line_of(|e| matches!(e, Event::Start(Tag::Table(_)))),
            Some(3)
        );
        assert_eq!(
            line_of(|e| matches!(e, Event::Start(Tag::HtmlBlock))),
            Some(7)
        );
        assert_eq!(
            line_of(|e| matches!(e, Event::Start(Tag::Image { .. }))),
            Some(11)
        );
        assert_eq!(line_of(|e| matches!(e, Event::InlineHtml(_))), Some(11));
        assert_eq!(line_of(|e| matches!(e, Event::Start(Tag::Paragraph))), None);
    }

    #[test]
    fn dropping_the_title_shifts_the_lines() {
        let Parsed { mut lines, .. } = parse("# T\n\nSome `code`.\n");
        // Heading start, text, end; paragraph start, text, then the code span.
        assert_eq!(lines.line_of(5), Some(3));
        lines.drop_first(3);
        assert_eq!(lines.line_of(2), Some(3));
        assert_eq!(lines.line_of(5), None);
    }
}
