//! Sentences in a paragraph: where they end, and cutting a paragraph's events at one.
//!
//! The excerpt keeps whole sentences from the start of a paragraph; the closing question is
//! the last sentence of the closing paragraph. Both need the paragraph's plain text and a
//! way back from a plain-text offset to the events, closing any inline tags left open.

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

/// Words people abbreviate with a dot mid-sentence; a dot after them ends nothing.
const ABBREVIATIONS: &[&str] = &[
    "e.g.", "i.e.", "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "cf.", "no.", "fig.",
    "approx.", "jr.", "sr.",
];

/// Byte offsets in `text` just past each sentence's end punctuation (and closing quotes),
/// the last one at the end of the text when it does not end with punctuation.
pub fn sentence_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    // Walked in place: a paragraph may be megabytes long, too long to copy out as chars.
    // From one possible end to the next by a byte search: `.`, `!`, `?`, and `…`'s first
    // byte (which other characters share); walking every character was most of the cost.
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = bytes[from..]
        .iter()
        .position(|b| matches!(b, b'.' | b'!' | b'?' | 0xE2))
    {
        let at = from + found;
        let Some(c) = text[at..].chars().next().filter(|&c| is_end_punctuation(c)) else {
            from = at + 1;
            continue;
        };
        let after = at + c.len_utf8();
        let mut chars = text[after..].char_indices().peekable();
        while chars.next_if(|&(_, c)| is_end_punctuation(c)).is_some() {}
        while chars
            .next_if(|&(_, c)| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»'))
            .is_some()
        {}
        let next = chars.peek().copied();
        let end = next.map_or(text.len(), |(o, _)| after + o);
        let at_space = next.is_none_or(|(_, c)| c.is_whitespace());
        if at_space && !is_abbreviation(&text[..after]) {
            ends.push(end);
        }
        from = end;
    }
    if ends.last() != Some(&text.trim_end().len()) && !text.trim().is_empty() {
        let trimmed = text.trim_end().len();
        if ends.last().is_none_or(|&e| e < trimmed) {
            ends.push(trimmed);
        }
    }
    ends
}

fn is_end_punctuation(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_abbreviation(upto: &str) -> bool {
    let word = upto.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(['(', '"', '“', '‘']);
    ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// The end of the last whole sentence of `text` within `limit` words, if even the first
/// fits. Counted sentence by sentence (every end is a word boundary), never from the start
/// again: recounting at each end is quadratic in a long run of short sentences.
pub fn last_sentence_within(text: &str, limit: usize) -> Option<usize> {
    let (mut seen, mut counted) = (0, 0);
    sentence_ends(text)
        .into_iter()
        .take_while(|&end| {
            counted += word_count(&text[seen..end]);
            seen = end;
            counted <= limit
        })
        .last()
}

/// Counts words (whitespace-separated runs containing a letter or digit).
pub fn word_count(text: &str) -> usize {
    // An ASCII letter or digit settles most words without decoding their characters.
    text.split_whitespace()
        .filter(|w| {
            w.bytes().any(|b| b.is_ascii_alphanumeric())
                || (!w.is_ascii() && w.chars().any(char::is_alphanumeric))
        })
        .count()
}

/// The plain text of a paragraph's inline events, as the cut helpers count it.
pub fn inline_text(inner: &[Event<'_>]) -> String {
    let mut out = String::new();
    for event in inner {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// The inline events of a paragraph up to plain-text offset `at` (as counted by
/// `inline_text`), trailing whitespace trimmed and every inline tag still open closed.
/// `suffix` is appended to the last text kept (an ellipsis for a cut mid-sentence).
pub fn cut_inline(inner: &[Event<'static>], at: usize, suffix: &str) -> Vec<Event<'static>> {
    let mut out: Vec<Event<'static>> = Vec::new();
    let mut open: Vec<TagEnd> = Vec::new();
    let mut pos = 0;
    for event in inner {
        if pos >= at {
            break;
        }
        match event {
            Event::Text(t) | Event::Code(t) => {
                let len = t.len();
                if pos + len <= at {
                    out.push(event.clone());
                } else {
                    let mut keep = at - pos;
                    while !t.is_char_boundary(keep) {
                        keep -= 1;
                    }
                    let piece: CowStr<'static> = t[..keep].to_string().into();
                    out.push(match event {
                        Event::Code(_) => Event::Code(piece),
                        _ => Event::Text(piece),
                    });
                }
                pos += len;
            }
            Event::SoftBreak | Event::HardBreak => {
                out.push(event.clone());
                pos += 1;
            }
            Event::Start(tag) => {
                open.push(tag.to_end());
                out.push(event.clone());
            }
            Event::End(_) => {
                open.pop();
                out.push(event.clone());
            }
            _ => out.push(event.clone()),
        }
    }
    trim_end(&mut out);
    if !suffix.is_empty() {
        out.push(Event::Text(suffix.to_string().into()));
    }
    while let Some(end) = open.pop() {
        out.push(Event::End(end));
    }
    drop_empty_tags(&mut out);
    out
}

/// Drops trailing whitespace and breaks from the end of a cut.
fn trim_end(events: &mut Vec<Event<'static>>) {
    while let Some(last) = events.last_mut() {
        match last {
            Event::Text(t) => {
                let trimmed = t.trim_end();
                if trimmed.is_empty() {
                    events.pop();
                } else {
                    if trimmed.len() != t.len() {
                        *t = trimmed.to_string().into();
                    }
                    return;
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                events.pop();
            }
            _ => return,
        }
    }
}

/// Removes `Start` immediately followed by its `End` (an emphasis left with no text), and
/// the tags around it when that leaves them empty in turn. One pass: removing each pair
/// from the middle of the list would be quadratic in a paragraph of many empty links.
fn drop_empty_tags(events: &mut Vec<Event<'static>>) {
    let mut kept: Vec<Event<'static>> = Vec::with_capacity(events.len());
    for event in events.drain(..) {
        if matches!(event, Event::End(_)) && matches!(kept.last(), Some(Event::Start(_))) {
            kept.pop();
        } else {
            kept.push(event);
        }
    }
    *events = kept;
}

/// Wraps inline events into a paragraph.
pub fn paragraph(inner: Vec<Event<'static>>) -> Vec<Event<'static>> {
    let mut out = Vec::with_capacity(inner.len() + 2);
    out.push(Event::Start(Tag::Paragraph));
    out.extend(inner);
    out.push(Event::End(TagEnd::Paragraph));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sentence_ends` as it was before it searched bytes: every character walked.
    fn sentence_ends_char_by_char(text: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            if !is_end_punctuation(c) {
                continue;
            }
            while chars.next_if(|&(_, c)| is_end_punctuation(c)).is_some() {}
            while chars
                .next_if(|&(_, c)| matches!(c, '"' | '\'' | '”' | '’' | ')' | ']' | '»'))
                .is_some()
            {}
            let next = chars.peek().copied();
            let end = next.map_or(text.len(), |(o, _)| o);
            let at_space = next.is_none_or(|(_, c)| c.is_whitespace());
            if at_space && !is_abbreviation(&text[..at + c.len_utf8()]) {
                ends.push(end);
            }
        }
        if ends.last() != Some(&text.trim_end().len()) && !text.trim().is_empty() {
            let trimmed = text.trim_end().len();
            if ends.last().is_none_or(|&e| e < trimmed) {
                ends.push(trimmed);
            }
        }
        ends
    }

    proptest::proptest! {
        #[test]
        fn searching_bytes_finds_the_ends_walking_characters_found(
            text in "[a eE.!?…—’”\"')\\]»\n]{0,30}|(e\\.g|Dr|vs|No)[.!? a…]{0,6}",
        ) {
            proptest::prop_assert_eq!(sentence_ends(&text), sentence_ends_char_by_char(&text));
        }
    }

    #[test]
    fn sentences_end_after_punctuation_and_closing_quotes() {
        let t = "He said “stop.” Then left! Did he? e.g. not";
        let ends = sentence_ends(t);
        let pieces: Vec<&str> = ends.iter().map(|&e| &t[..e]).collect();
        assert_eq!(
            pieces,
            [
                "He said “stop.”",
                "He said “stop.” Then left!",
                "He said “stop.” Then left! Did he?",
                t
            ]
        );
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let t = "Ask Dr. Who, i.e. the doctor. Done.";
        assert_eq!(sentence_ends(t).len(), 2);
    }

    #[test]
    fn cut_closes_open_tags_and_trims() {
        let events = crate::markdown::parse::events("One *two three* four.");
        let inner = &events[1..events.len() - 1];
        let text = inline_text(inner);
        let at = text.find("three").unwrap();
        let cut = cut_inline(inner, at, "…");
        let rendered = crate::markdown::plain_text(&cut);
        assert_eq!(rendered, "One two…");
        assert!(matches!(cut.last(), Some(Event::End(TagEnd::Emphasis))));
    }

    #[test]
    fn cut_before_an_emphasis_drops_it_whole() {
        let events = crate::markdown::parse::events("Intro. *What now?*");
        let inner = &events[1..events.len() - 1];
        let cut = cut_inline(inner, "Intro.".len(), "");
        assert_eq!(cut, vec![Event::Text("Intro.".into())]);
    }

    #[test]
    fn sentences_end_at_punctuation_runs_and_after_closing_marks() {
        let t = "Wait?! “Yes…” (Done.) Fine.\u{a0}x e.g. y";
        let pieces: Vec<&str> = sentence_ends(t).iter().map(|&e| &t[..e]).collect();
        assert_eq!(
            pieces,
            [
                "Wait?!",
                "Wait?! “Yes…”",
                "Wait?! “Yes…” (Done.)",
                "Wait?! “Yes…” (Done.) Fine.",
                t
            ]
        );
        assert_eq!(sentence_ends("?"), [1]);
        assert_eq!(sentence_ends(""), Vec::<usize>::new());
    }

    #[test]
    fn empty_tags_are_dropped_with_the_tags_they_leave_empty() {
        let events = crate::markdown::parse::events("Keep **[](a)*[](b)*** [](c)");
        let mut inner = events[1..events.len() - 1].to_vec();
        drop_empty_tags(&mut inner);
        assert_eq!(
            inner,
            vec![Event::Text("Keep ".into()), Event::Text(" ".into())]
        );
    }

    #[test]
    fn last_sentence_within_a_word_limit() {
        let t = "One two. Three four five. Six.";
        assert_eq!(last_sentence_within(t, 4), Some("One two.".len()));
        assert_eq!(last_sentence_within(t, 6), Some(t.len()));
        assert_eq!(last_sentence_within(t, 1), None);
    }

    #[test]
    fn word_count_ignores_punctuation_runs() {
        assert_eq!(word_count("One — two, three… 4"), 4);
    }
}
