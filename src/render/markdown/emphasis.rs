//! Emphasis, strong and strikethrough: which delimiter each run gets so it reads back the same.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::escape::is_wordish;
use super::index::Index;
use super::inline::Last;
use super::{Events, Writer};

/// An open emphasis, strong or strikethrough run.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delimiter {
    pub(super) text: &'static str,
    /// A letter touches the run from outside, so an inner run touching it from inside
    /// must merge with it: with punctuation on both sides a run cannot open or close.
    pub(super) word_before: bool,
    pub(super) word_after: bool,
}

impl Writer<'_> {
    /// Opens `*`/`**` or `_`/`__`.
    ///
    /// Two touching `*` runs merge into one, which then parses differently (`*a**b*`,
    /// `**x**` for emphasis in emphasis, and the rule of 3 on merged runs), so a run that
    /// touches another takes `_` where `_` can work: it cannot open after or close before
    /// a letter. Where it cannot, `*` merging with the neighbour is the only option left.
    /// Along a chain of touching siblings the characters alternate, starting from the end
    /// that can take `_`; emphasis whose only child is strong is written `***x***`.
    pub(super) fn emphasis_start(&mut self, strong: bool, events: &Events<'_>, i: usize) {
        self.ensure_inline();
        let (prev, last) = match &self.inline {
            Some(run) => (run.buf.chars().next_back(), run.last),
            None => (None, Last::LineStart),
        };
        let end = self.index.end(i);
        let word_after = following(events, end) == Follow::Word;
        let c = match last {
            // A touching sibling: `*a**b*` would not be two emphases. Where `_` cannot close
            // before a letter, runs of different widths may still merge (`*a***b**`).
            Last::Closer(prev_run @ ("*" | "**"))
                if word_after && (prev_run.len() == 2) != strong =>
            {
                '*'
            }
            Last::Closer(prev_run @ ("*" | "**" | "_" | "__")) => {
                other_emphasis_char(prev_run.chars().next().unwrap_or('*'))
            }
            Last::Opener(_)
            | Last::Closer(_)
            | Last::LineStart
            | Last::Text { .. }
            | Last::FootnoteRef
            | Last::TaskMarker
            | Last::Other => self.chain_start_char(prev, last, strong, events, i),
        };
        let text = match (strong, c) {
            (false, '_') => "_",
            (true, '_') => "__",
            (false, _) => "*",
            (true, _) => "**",
        };
        self.delimiter_start(Delimiter {
            text,
            word_before: prev.is_some_and(is_wordish),
            word_after,
        });
    }

    /// The character for the first of a chain of touching sibling emphases.
    fn chain_start_char(
        &self,
        prev: Option<char>,
        last: Last,
        strong: bool,
        events: &Events<'_>,
        i: usize,
    ) -> char {
        let parent = self.delimiters.last().copied().unwrap_or(Delimiter {
            text: "",
            word_before: false,
            word_after: false,
        });
        let (count, chain_end) = sibling_chain(events, &self.index, i);
        let opens_with_parent = matches!(last, Last::Opener('*' | '_'));
        let closes_with_parent = is_emphasis_end(events.get(chain_end + 1));
        if opens_with_parent && closes_with_parent && count == 1 {
            // With a letter outside, only merged runs can open or close at all.
            let parent_touches_word = parent.word_before || parent.word_after;
            return if (parent.text == "*" && strong)
                || (parent.text.starts_with('*') && parent_touches_word)
            {
                '*'
            } else {
                other_emphasis_char(parent.text.chars().next().unwrap_or('*'))
            };
        }
        let first_takes_underscore = !prev.is_some_and(is_wordish)
            && !(opens_with_parent && (parent.text.starts_with('_') || parent.word_before));
        let last_takes_underscore = following(events, chain_end) != Follow::Word
            && !(closes_with_parent && (parent.text.starts_with('_') || parent.word_after));
        if count > 1 {
            return if count % 2 == 1 || last_takes_underscore || !first_takes_underscore {
                '*'
            } else {
                '_'
            };
        }
        // A touching child takes `_` itself unless a letter outside it forbids that.
        let end = self.index.end(i);
        let first_child_needs_star = is_emphasis_start(events.get(i + 1))
            && following(events, self.index.end(i + 1)) == Follow::Word;
        let last_child_needs_star = end.checked_sub(1).is_some_and(|k| {
            is_emphasis_end(events.get(k)) && preceding(events, self.index.start(k)) == Follow::Word
        });
        let touches = opens_with_parent
            || closes_with_parent
            || first_child_needs_star
            || last_child_needs_star;
        if touches && first_takes_underscore && last_takes_underscore {
            '_'
        } else {
            '*'
        }
    }

    pub(super) fn delimiter_start(&mut self, delimiter: Delimiter) {
        self.delimiters.push(delimiter);
        let c = delimiter.text.chars().next().unwrap_or('*');
        self.put(delimiter.text, Last::Opener(c));
    }

    pub(super) fn delimiter_end(&mut self) {
        if let Some(run) = &mut self.inline {
            run.protect_trailing_space();
        }
        if let Some(delimiter) = self.delimiters.pop() {
            self.put(delimiter.text, Last::Closer(delimiter.text));
        }
    }
}

/// What comes right after an inline element's end, as far as emphasis flanking cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Follow {
    Word,
    Other,
}

fn following(events: &Events<'_>, end: usize) -> Follow {
    match events.get(end + 1) {
        Some(Event::Text(text)) if text.chars().next().is_some_and(is_wordish) => Follow::Word,
        Some(_) | None => Follow::Other,
    }
}

/// What comes right before an inline element's start, as far as emphasis flanking cares.
fn preceding(events: &Events<'_>, start: usize) -> Follow {
    match start.checked_sub(1).and_then(|k| events.get(k)) {
        Some(Event::Text(text)) if text.chars().next_back().is_some_and(is_wordish) => Follow::Word,
        Some(_) | None => Follow::Other,
    }
}

/// How many emphases touch in a row from `start`, and the index where the last one ends.
fn sibling_chain(events: &Events<'_>, index: &Index, start: usize) -> (usize, usize) {
    let mut count = 1;
    let mut end = index.end(start);
    while is_emphasis_start(events.get(end + 1)) {
        count += 1;
        end = index.end(end + 1);
    }
    (count, end)
}

fn other_emphasis_char(c: char) -> char {
    if c == '_' { '*' } else { '_' }
}

fn is_emphasis_start(event: Option<&&Event<'_>>) -> bool {
    matches!(event, Some(Event::Start(Tag::Emphasis | Tag::Strong)))
}

fn is_emphasis_end(event: Option<&&Event<'_>>) -> bool {
    matches!(event, Some(Event::End(TagEnd::Emphasis | TagEnd::Strong)))
}
