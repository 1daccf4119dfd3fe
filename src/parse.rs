//! The one Markdown parse: pulldown-cmark with the extensions writers expect.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

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
    parse(markdown).0
}

/// Like `events`, with a warning when the parser failed on this text and a simpler parse
/// was used. pulldown-cmark 0.13 panics on a few inputs in its heading-attribute code
/// (`- [ ] \` then an indented `-`); such a post is parsed again without heading
/// attributes, and as one plain paragraph if that fails too, instead of ending the run.
pub fn parse(markdown: &str) -> (Vec<Event<'static>>, Option<String>) {
    if let Some(events) = quietly(|| collect(markdown, options())) {
        return (events, None);
    }
    let fallback = options() - Options::ENABLE_HEADING_ATTRIBUTES;
    if let Some(events) = quietly(|| collect(markdown, fallback)) {
        return (
            events,
            Some("the Markdown parser failed on this post; it was parsed without `{#id .class}` heading attributes".into()),
        );
    }
    let events = vec![
        Event::Start(Tag::Paragraph),
        Event::Text(markdown.to_string().into()),
        Event::End(TagEnd::Paragraph),
    ];
    (
        events,
        Some("the Markdown parser failed on this post; it is used as plain text".into()),
    )
}

fn collect(markdown: &str, options: Options) -> Vec<Event<'static>> {
    let mut out: Vec<Event<'static>> = Vec::new();
    // The run of text being merged, appended to in place: rebuilding the joined text at
    // every piece is quadratic in a paragraph the parser splits finely (quotes, escapes).
    let mut text: Option<String> = None;
    for event in Parser::new_ext(markdown, options) {
        match (&mut text, event) {
            (Some(run), Event::Text(next)) => run.push_str(&next),
            (None, Event::Text(first)) => text = Some(first.into_string()),
            (_, event) => {
                if let Some(run) = text.take() {
                    out.push(Event::Text(run.into()));
                }
                out.push(event.into_static());
            }
        }
    }
    if let Some(run) = text {
        out.push(Event::Text(run.into()));
    }
    out
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
    fn a_parser_panic_falls_back_instead_of_crashing() {
        let (events, warning) = parse("- [ ] \\\n    -\n");
        assert!(!events.is_empty());
        assert!(warning.is_some_and(|w| w.contains("parser failed")));
    }
}
