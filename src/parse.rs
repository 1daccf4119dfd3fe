//! The one Markdown parse: pulldown-cmark with the extensions writers expect.

use pulldown_cmark::{Event, Options, Parser};

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
    let mut out: Vec<Event<'static>> = Vec::new();
    for event in Parser::new_ext(markdown, options()) {
        match (out.last_mut(), event) {
            (Some(Event::Text(prev)), Event::Text(next)) => {
                let mut joined = prev.to_string();
                joined.push_str(&next);
                *prev = joined.into();
            }
            (_, event) => out.push(event.into_static()),
        }
    }
    out
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
}
