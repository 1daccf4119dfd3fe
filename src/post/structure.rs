//! The post's shape, derived from its events: title heading, outline, main points
//! (intro / sections / outro), excerpt and closing question. Each is a small pass.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};
use serde::Serialize;

use super::sentences::{self, cut_inline, inline_text, paragraph, sentence_ends, word_count};
use crate::markdown::{Anchors, is_inline, matching_end, plain_text};

/// The top-level blocks of an event list, as index ranges.
pub fn blocks(events: &[Event<'_>]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let end = match events[i] {
            Event::Start(_) => matching_end(events, i),
            _ => i,
        };
        out.push(i..end + 1);
        i = end + 1;
    }
    out
}

/// The level and plain text of a heading block starting at `events[range.start]`.
fn heading(events: &[Event<'_>], range: &Range<usize>) -> Option<(HeadingLevel, String)> {
    match &events[range.start] {
        Event::Start(Tag::Heading { level, .. }) => {
            Some((*level, plain_text(&events[range.start + 1..range.end - 1])))
        }
        _ => None,
    }
}

/// The first heading's text anywhere in the body.
pub fn first_heading(events: &[Event<'_>]) -> Option<String> {
    blocks(events)
        .iter()
        .find_map(|b| heading(events, b))
        .map(|(_, text)| text)
}

/// When the body opens with a level-1 heading that is the title (or there is no title
/// yet), remove it: every template prints the title itself.
pub fn remove_title_heading(events: &mut Vec<Event<'static>>, title: Option<&str>) {
    let Some(first) = blocks(events).into_iter().next() else {
        return;
    };
    if let Some((HeadingLevel::H1, text)) = heading(events, &first)
        && title.is_none_or(|t| t.trim() == text.trim())
    {
        events.drain(first);
    }
}

/// The smallest heading level used in the body, if any.
pub fn top_heading_level(events: &[Event<'_>]) -> Option<HeadingLevel> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(*level),
            _ => None,
        })
        .min()
}

/// One entry of `post.outline`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct OutlineEntry {
    /// Heading level after normalisation (the post's top level is 2).
    pub level: u8,
    /// The heading's plain text.
    pub title: String,
    /// The heading's id in the blog page.
    pub anchor: String,
}

/// Every heading, in order, with the anchors the HTML renderer gives them.
pub fn outline(events: &[Event<'_>], shift: i8) -> Vec<OutlineEntry> {
    let mut anchors = Anchors::default();
    let mut out = Vec::new();
    for (i, event) in events.iter().enumerate() {
        if let Event::Start(Tag::Heading { level, id, .. }) = event {
            let end = matching_end(events, i);
            let title = plain_text(&events[i + 1..end]);
            let anchor = anchors.anchor(id.as_deref(), &title);
            out.push(OutlineEntry {
                level: crate::markdown::shifted_level(*level, shift),
                title,
                anchor,
            });
        }
    }
    out
}

/// The post cut into its main points. The intro, the outro and a section under a heading
/// are runs of the body's blocks, kept as ranges of it rather than copies (a long post
/// would be held twice); a section made of a list item is its own events, the loose text
/// of a tight item wrapped in a paragraph. Read them with the body they were cut from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Parts {
    /// Blocks before the first main point.
    intro: Range<usize>,
    /// `(title, body)` per main point.
    sections: Vec<(String, Section)>,
    /// Blocks after the last main point.
    outro: Range<usize>,
}

/// A main point's body.
#[derive(Debug, Clone, PartialEq)]
enum Section {
    /// The blocks under a heading, as a range of the body.
    Blocks(Range<usize>),
    /// A list item's content, made blocks by `as_blocks`.
    Item(Vec<Event<'static>>),
}

impl Parts {
    /// The blocks before the first main point, of `body` (the events `parts` cut).
    pub fn intro<'a>(&self, body: &'a [Event<'static>]) -> &'a [Event<'static>] {
        &body[self.intro.clone()]
    }

    /// The blocks after the last main point, of `body`.
    pub fn outro<'a>(&self, body: &'a [Event<'static>]) -> &'a [Event<'static>] {
        &body[self.outro.clone()]
    }

    /// The `i`th main point's body, of `body`.
    pub fn section<'a>(&'a self, i: usize, body: &'a [Event<'static>]) -> &'a [Event<'static>] {
        match &self.sections[i].1 {
            Section::Blocks(range) => &body[range.clone()],
            Section::Item(events) => events,
        }
    }

    /// The main points' titles, in order.
    pub fn titles(&self) -> impl ExactSizeIterator<Item = &str> {
        self.sections.iter().map(|(title, _)| title.as_str())
    }
}

/// Cuts the body into intro, sections and outro: one section per top-level heading, or per
/// item of the main list when the post has no headings, or none at all.
pub fn parts(events: &[Event<'static>]) -> Parts {
    let blocks = blocks(events);
    if let Some(top) = top_heading_level(events) {
        return heading_parts(events, &blocks, top);
    }
    match main_list(events, &blocks) {
        Some(list) => list_parts(events, &blocks, list),
        None => Parts {
            intro: 0..events.len(),
            ..Parts::default()
        },
    }
}

fn heading_parts(events: &[Event<'static>], blocks: &[Range<usize>], top: HeadingLevel) -> Parts {
    let mut parts = Parts::default();
    for block in blocks {
        match heading(events, block) {
            Some((level, title)) if level == top => {
                let body = Section::Blocks(block.end..block.end);
                parts.sections.push((title, body));
            }
            // Blocks follow one another: each one ends the run it belongs to later.
            _ => match parts.sections.last_mut() {
                Some((_, Section::Blocks(body))) => body.end = block.end,
                Some((_, Section::Item(_))) => {}
                None => parts.intro.end = block.end,
            },
        }
    }
    parts
}

/// The block index of the list whose items are the post's main points: the first
/// top-level ordered list with two or more items, else the first such bulleted list.
fn main_list(events: &[Event<'_>], blocks: &[Range<usize>]) -> Option<usize> {
    let candidates = blocks.iter().enumerate().filter_map(|(i, b)| {
        let Event::Start(Tag::List(start)) = &events[b.start] else {
            return None;
        };
        (items(events, b).len() >= 2).then_some((i, start.is_some()))
    });
    let candidates: Vec<(usize, bool)> = candidates.collect();
    candidates
        .iter()
        .find(|(_, ordered)| *ordered)
        .or_else(|| candidates.first())
        .map(|&(i, _)| i)
}

/// The item ranges (inner events, without the `Item` tags) of a list block.
fn items(events: &[Event<'_>], list: &Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut i = list.start + 1;
    while i < list.end - 1 {
        let end = matching_end(events, i);
        out.push(i + 1..end);
        i = end + 1;
    }
    out
}

fn list_parts(events: &[Event<'static>], blocks: &[Range<usize>], list: usize) -> Parts {
    let sections = items(events, &blocks[list])
        .into_iter()
        .map(|item| {
            let body = as_blocks(&events[item]);
            (item_title(&body), Section::Item(body))
        })
        .collect();
    Parts {
        intro: 0..blocks[list].start,
        sections,
        outro: blocks[list].end..events.len(),
    }
}

/// A list item's content as blocks: the loose inline text of tight items (and any task
/// marker) wrapped in a paragraph so every renderer sees ordinary blocks.
fn as_blocks(inner: &[Event<'static>]) -> Vec<Event<'static>> {
    let mut out = Vec::with_capacity(inner.len() + 2);
    let mut inline: Vec<Event<'static>> = Vec::new();
    let mut i = 0;
    while i < inner.len() {
        let is_block = match &inner[i] {
            Event::Start(tag) => !is_inline(&tag.to_end()),
            Event::Rule | Event::Html(_) => true,
            Event::TaskListMarker(_) => {
                i += 1;
                continue;
            }
            _ => false,
        };
        if is_block {
            if !inline.is_empty() {
                out.extend(paragraph(std::mem::take(&mut inline)));
            }
            let end = match inner[i] {
                Event::Start(_) => matching_end(inner, i),
                _ => i,
            };
            out.extend_from_slice(&inner[i..=end]);
            i = end + 1;
        } else {
            let end = match inner[i] {
                Event::Start(_) => matching_end(inner, i),
                _ => i,
            };
            inline.extend_from_slice(&inner[i..=end]);
            i = end + 1;
        }
    }
    if !inline.is_empty() {
        out.extend(paragraph(inline));
    }
    out
}

/// Longest section title taken from a list item before it is cut at a clause.
const TITLE_WORDS: usize = 18;

/// A section title for a list item: its bold lead-in when it opens with one, else its
/// first sentence, cut at a clause or word boundary when long.
fn item_title(body: &[Event<'static>]) -> String {
    if let [Event::Start(Tag::Paragraph), Event::Start(Tag::Strong), ..] = body {
        let end = matching_end(body, 1);
        let lead = plain_text(&body[2..end]);
        let lead = lead.trim().trim_end_matches(['.', ':', '—', '-']).trim();
        if !lead.is_empty() {
            return lead.to_string();
        }
    }
    let first_block = blocks(body).into_iter().next().unwrap_or(0..0);
    let text = plain_text(&body[first_block]);
    let first = sentence_ends(&text)
        .first()
        .map_or(text.as_str(), |&e| &text[..e]);
    let first = first.trim().trim_end_matches(['.', ':', ';', '!']).trim();
    let words: Vec<&str> = first.split_whitespace().collect();
    if words.len() <= TITLE_WORDS {
        return first.to_string();
    }
    let head = &words[..TITLE_WORDS];
    let clause = head
        .iter()
        .rposition(|w| w.ends_with([',', ';', ':']) || *w == "—")
        .filter(|&i| i >= 4);
    match clause {
        Some(i) => head[..=i]
            .join(" ")
            .trim_end_matches([',', ';', ':', ' ', '—'])
            .to_string(),
        None => format!("{}…", words[..TITLE_WORDS - 2].join(" ")),
    }
}

/// The opening of the post as whole sentences, at most `limit` words: paragraphs from the
/// top (headings skipped), the last one cut at a sentence end. When the first sentence is
/// longer than `limit`, it is cut at a word with an ellipsis.
pub fn excerpt<'e>(events: &'e [Event<'static>], limit: usize) -> Cow<'e, [Event<'static>]> {
    // The whole paragraphs taken, which follow one another: borrowed, not copied, unless
    // one is cut (a post of one long paragraph would otherwise be held twice).
    let mut taken: Option<Range<usize>> = None;
    let mut words = 0;
    for block in blocks(events) {
        match &events[block.start] {
            Event::Start(Tag::Paragraph) => {}
            Event::Start(Tag::Heading { .. }) if taken.is_none() => continue,
            _ if taken.is_none() => continue,
            _ => break,
        }
        let inner = &events[block.start + 1..block.end - 1];
        let text = inline_text(inner);
        let count = word_count(&text);
        if words + count <= limit {
            taken = Some(taken.map_or(block.clone(), |t| t.start..block.end));
            words += count;
            continue;
        }
        let budget = limit - words;
        let cut = match sentences::last_sentence_within(&text, budget) {
            Some(end) => paragraph(cut_inline(inner, end, "")),
            None if taken.is_none() => {
                let end = nth_word_end(&text, budget.max(1));
                paragraph(cut_inline(inner, end, "…"))
            }
            None => break,
        };
        let mut out = taken.map_or_else(Vec::new, |t| events[t].to_vec());
        out.extend(cut);
        return Cow::Owned(out);
    }
    Cow::Borrowed(taken.map_or(&[][..], |t| &events[t]))
}

/// The excerpt a `<!-- more -->` marks: the events before `at`, the tags still open there
/// closed, and leading headings skipped as in `excerpt`.
pub fn excerpt_before(events: &[Event<'static>], at: usize) -> Vec<Event<'static>> {
    let mut out = events[..at.min(events.len())].to_vec();
    // A marker inside a paragraph cuts it: no space is left before the close.
    if let Some(Event::Text(text)) = out.last_mut() {
        *text = text.trim_end().to_string().into();
    }
    let mut open = Vec::new();
    for event in &out {
        match event {
            Event::Start(tag) => open.push(tag.to_end()),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    out.extend(open.into_iter().rev().map(Event::End));
    let headings = blocks(&out)
        .into_iter()
        .take_while(|b| matches!(out[b.start], Event::Start(Tag::Heading { .. })))
        .last()
        .map_or(0, |b| b.end);
    out.drain(..headings);
    out
}

/// Byte offset just past the `n`th word of `text`.
fn nth_word_end(text: &str, n: usize) -> usize {
    let mut seen = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                seen += 1;
                if seen == n {
                    return i;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text.len()
}

/// Where the closing question sits: the last top-level paragraph's last sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionAt {
    /// The question's text.
    pub text: String,
    /// The paragraph block holding it.
    pub block: Range<usize>,
    /// Plain-text offset in that paragraph where the question starts.
    pub start: usize,
}

/// The closing paragraph's last sentence, when it is a question.
pub fn closing_question(events: &[Event<'static>]) -> Option<QuestionAt> {
    let block = blocks(events)
        .into_iter()
        .rev()
        .find(|b| matches!(events[b.start], Event::Start(Tag::Paragraph)))?;
    let inner = &events[block.start + 1..block.end - 1];
    let text = inline_text(inner);
    let trimmed = text.trim_end();
    let ends_with_question = trimmed
        .trim_end_matches(['"', '\'', '”', '’', ')'])
        .ends_with('?');
    if !ends_with_question {
        return None;
    }
    let ends = sentence_ends(trimmed);
    let start = match ends.len() {
        0 | 1 => 0,
        n => ends[n - 2],
    };
    let start = start + (trimmed[start..].len() - trimmed[start..].trim_start().len());
    Some(QuestionAt {
        text: trimmed[start..].to_string(),
        block,
        start,
    })
}

/// The body with the closing question taken out (its paragraph dropped when nothing else
/// is left in it), for templates that place `post.question` themselves.
pub fn without_question(events: &[Event<'static>], at: &QuestionAt) -> Vec<Event<'static>> {
    let mut out = Vec::with_capacity(events.len());
    out.extend_from_slice(&events[..at.block.start]);
    if at.start > 0 {
        let inner = &events[at.block.start + 1..at.block.end - 1];
        out.extend(paragraph(cut_inline(inner, at.start, "")));
    }
    out.extend_from_slice(&events[at.block.end..]);
    out
}

/// The footnote definitions of a body, for its pieces (sections, the excerpt) rendered
/// apart from it: a reference in one piece and its definition in another (all notes at the
/// end of the post, the common habit) must still make one working footnote.
#[derive(Debug, Default)]
pub struct Definitions {
    /// The first definition of each label, as a range of the body's events.
    ranges: HashMap<String, Range<usize>>,
    /// Every definition kept, in body order.
    order: Vec<Range<usize>>,
}

impl Definitions {
    /// The definitions of `events`, a whole body (at any depth, as `split_footnotes` finds
    /// them; a label defined twice keeps its first).
    pub fn of(events: &[Event<'_>]) -> Definitions {
        let mut defs = Definitions::default();
        let mut i = 0;
        while i < events.len() {
            if let Event::Start(Tag::FootnoteDefinition(label)) = &events[i] {
                let end = matching_end(events, i);
                if !defs.ranges.contains_key(&**label) {
                    defs.ranges.insert(label.to_string(), i..end + 1);
                    defs.order.push(i..end + 1);
                }
                i = end + 1;
            } else {
                i += 1;
            }
        }
        defs
    }

    /// Every definition of `whole` (the body `of` read), in order: what `post.notes`
    /// renders.
    pub fn all(&self, whole: &[Event<'static>]) -> Vec<Event<'static>> {
        self.order
            .iter()
            .flat_map(|r| whole[r.clone()].iter().cloned())
            .collect()
    }

    /// The notes each of `pieces` (parts of `whole` shown together, in order) carries, as
    /// ranges of `whole`: each note once on the page, with the first piece that refers to
    /// it, directly or through a note that piece carries. Carrying every note a piece
    /// needs instead would repeat notes (and their HTML ids), and a chain of notes
    /// referring to the next would come with every piece.
    pub fn shared(
        &self,
        whole: &[Event<'static>],
        pieces: &[&[Event<'static>]],
    ) -> Vec<Vec<Range<usize>>> {
        let mut wanted = Wanted::default();
        pieces
            .iter()
            .map(|piece| {
                let from = wanted.labels.len();
                let mut i = 0;
                while i < piece.len() {
                    match &piece[i] {
                        Event::Start(Tag::FootnoteDefinition(_)) => {
                            i = matching_end(piece, i);
                        }
                        Event::FootnoteReference(label) => wanted.add(&self.ranges, label),
                        _ => {}
                    }
                    i += 1;
                }
                let mut notes = Vec::new();
                let mut next = from;
                while let Some(&label) = wanted.labels.get(next) {
                    let range = self.ranges[label].clone();
                    for event in &whole[range.clone()] {
                        if let Event::FootnoteReference(inner) = event {
                            wanted.add(&self.ranges, inner);
                        }
                    }
                    notes.push(range);
                    next += 1;
                }
                notes
            })
            .collect()
    }

    /// A piece of `whole` ready to render apart: its own definitions taken out, and
    /// `notes` (ranges of `whole`, from `shared`) appended.
    pub fn piece(
        &self,
        whole: &[Event<'static>],
        piece: &[Event<'static>],
        notes: &[Range<usize>],
    ) -> Vec<Event<'static>> {
        let mut out = Vec::with_capacity(piece.len());
        let mut i = 0;
        while i < piece.len() {
            if let Event::Start(Tag::FootnoteDefinition(_)) = &piece[i] {
                i = matching_end(piece, i) + 1;
                continue;
            }
            out.push(piece[i].clone());
            i += 1;
        }
        for range in notes {
            out.extend_from_slice(&whole[range.clone()]);
        }
        out
    }
}

/// The labels of the notes a piece needs, each once, in the order first met.
#[derive(Default)]
struct Wanted<'d> {
    labels: Vec<&'d str>,
    seen: std::collections::HashSet<&'d str>,
}

impl<'d> Wanted<'d> {
    fn add(&mut self, ranges: &'d HashMap<String, Range<usize>>, label: &str) {
        if let Some((key, _)) = ranges.get_key_value(label)
            && self.seen.insert(key.as_str())
        {
            self.labels.push(key.as_str());
        }
    }
}

/// The footnote references the closing question takes with it when a template lifts it
/// out of the body (`post.question` is plain text): `(event index, label)`.
pub fn references_in_question<'e>(
    events: &'e [Event<'static>],
    at: &QuestionAt,
) -> Vec<(usize, &'e str)> {
    let start = at.block.start + 1;
    let inner = &events[start..at.block.end - 1];
    let is_reference = |e: &Event<'_>| matches!(e, Event::FootnoteReference(_));
    if !inner.iter().any(is_reference) {
        return Vec::new();
    }
    // What stays in the body keeps its references; the first ones are those.
    let kept = match at.start {
        0 => 0,
        cut => cut_inline(inner, cut, "")
            .iter()
            .filter(|e| is_reference(e))
            .count(),
    };
    inner
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Event::FootnoteReference(label) => Some((start + i, &**label)),
            _ => None,
        })
        .skip(kept)
        .collect()
}

/// Words in the body: text and inline code, not code blocks or raw HTML.
pub fn body_word_count(events: &[Event<'_>]) -> usize {
    let mut in_code_block = false;
    let mut count = 0;
    for event in events {
        match event {
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::Text(t) | Event::Code(t) if !in_code_block => count += sentences::word_count(t),
            _ => {}
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse::events;

    #[test]
    fn title_heading_is_removed_only_when_it_opens_the_body() {
        let mut e = events("# Hello\n\nText\n");
        remove_title_heading(&mut e, Some("Hello"));
        assert_eq!(plain_text(&e), "Text");
        let mut e = events("Intro\n\n# Hello\n");
        remove_title_heading(&mut e, None);
        assert_eq!(plain_text(&e), "Intro Hello");
    }

    #[test]
    fn sections_follow_top_level_headings() {
        let e = events("Intro.\n\n## One\n\nA\n\n### Sub\n\nB\n\n## Two\n\nC\n");
        let p = parts(&e);
        assert_eq!(plain_text(p.intro(&e)), "Intro.");
        let titles: Vec<&str> = p.titles().collect();
        assert_eq!(titles, ["One", "Two"]);
        assert_eq!(plain_text(p.section(0, &e)), "A Sub B");
        assert_eq!(plain_text(p.section(1, &e)), "C");
        assert!(p.outro(&e).is_empty());
    }

    #[test]
    fn sections_follow_the_main_list_when_there_are_no_headings() {
        let e = events(
            "Intro:\n\n- a bullet\n- another\n\n1. When you have strong enough relationships that people take action on your behalf proactively, rather than not, that's it. More.\n2. **Public forums.** They scale.\n\nSo there.\n",
        );
        let p = parts(&e);
        assert_eq!(plain_text(p.intro(&e)), "Intro: a bullet another");
        let titles: Vec<&str> = p.titles().collect();
        assert_eq!(
            titles,
            [
                "When you have strong enough relationships that people take action on your behalf proactively, rather than not",
                "Public forums",
            ]
        );
        assert!(matches!(p.section(0, &e)[0], Event::Start(Tag::Paragraph)));
        assert_eq!(plain_text(p.outro(&e)), "So there.");
    }

    #[test]
    fn a_post_without_points_is_all_intro() {
        let e = events("Just text.\n");
        let p = parts(&e);
        assert_eq!(p.titles().len(), 0);
        assert_eq!(plain_text(p.intro(&e)), "Just text.");
    }

    #[test]
    fn excerpt_keeps_whole_sentences_within_the_limit() {
        let e = events("# Skip\n\nOne two three. Four five six. Seven eight nine ten.\n\nMore.\n");
        assert_eq!(
            plain_text(&*excerpt(&e, 7)),
            "One two three. Four five six."
        );
        assert_eq!(
            plain_text(&*excerpt(&e, 100)),
            "One two three. Four five six. Seven eight nine ten. More."
        );
        // Whole paragraphs are the body's own events, not a copy of them; a cut one is new.
        assert!(matches!(excerpt(&e, 100), Cow::Borrowed(b) if b.len() < e.len()));
        assert!(matches!(excerpt(&e, 7), Cow::Owned(_)));
    }

    #[test]
    fn excerpt_cuts_a_long_first_sentence_with_an_ellipsis() {
        let e = events("One *two three* four five six seven.\n");
        assert_eq!(plain_text(&*excerpt(&e, 3)), "One two three…");
    }

    #[test]
    fn excerpt_before_a_marker_closes_what_is_open_and_skips_leading_headings() {
        let e = events("## Start\n\nOne.\n\n- a\n- b\n");
        let at = e
            .iter()
            .rposition(|ev| matches!(ev, Event::Start(Tag::Item)))
            .unwrap();
        let cut = excerpt_before(&e, at);
        assert_eq!(cut, events("One.\n\n- a\n"));
    }

    #[test]
    fn closing_question_is_the_last_sentence_of_the_last_paragraph() {
        let e = events("Intro.\n\nSo that's it. What's *your* idea?\n");
        let q = closing_question(&e).unwrap();
        assert_eq!(q.text, "What’s your idea?");
        let lifted = without_question(&e, &q);
        assert_eq!(plain_text(&lifted), "Intro. So that’s it.");
        assert_eq!(closing_question(&events("No question here.\n")), None);
    }

    #[test]
    fn a_question_alone_in_its_paragraph_lifts_the_paragraph() {
        let e = events("Intro.\n\nWhat do you think?\n");
        let q = closing_question(&e).unwrap();
        assert_eq!(q.start, 0);
        assert_eq!(without_question(&e, &q), events("Intro.\n"));
    }

    #[test]
    fn the_references_a_lifted_question_takes_are_those_after_its_start() {
        let e = events("Intro.\n\nKept[^a]. Asked[^b]?\n\n[^a]: A.\n[^b]: B.\n");
        let q = closing_question(&e).unwrap();
        let labels: Vec<&str> = references_in_question(&e, &q)
            .into_iter()
            .map(|(_, l)| l)
            .collect();
        assert_eq!(labels, ["b"]);
    }

    #[test]
    fn outline_anchors_are_unique_and_levels_normalised() {
        let e = events("# A\n\n## B {#bee}\n\n# A\n");
        let o = outline(&e, 1);
        let got: Vec<(u8, &str, &str)> = o
            .iter()
            .map(|h| (h.level, h.title.as_str(), h.anchor.as_str()))
            .collect();
        assert_eq!(got, [(2, "A", "a"), (3, "B", "bee"), (2, "A", "a-1")]);
    }

    #[test]
    fn each_note_goes_with_the_first_section_that_refers_to_it() {
        let e = events(
            "Intro.\n\n## One\n\nA[^a].\n\n## Two\n\nB[^b], A[^a].\n\n[^a]: Alpha[^c].\n[^b]: Beta.\n[^c]: Gamma.\n",
        );
        let p = parts(&e);
        let defs = Definitions::of(&e);
        let labels = |events: &[Event<'static>]| -> Vec<String> {
            events
                .iter()
                .filter_map(|ev| match ev {
                    Event::Start(Tag::FootnoteDefinition(l)) => Some(l.to_string()),
                    _ => None,
                })
                .collect()
        };
        let pieces = [p.intro(&e), p.section(0, &e), p.section(1, &e), p.outro(&e)];
        let notes = defs.shared(&e, &pieces);
        let shown: Vec<Vec<String>> = pieces
            .iter()
            .zip(&notes)
            .map(|(piece, notes)| labels(&defs.piece(&e, piece, notes)))
            .collect();
        // Section one refers to `a`, whose note refers to `c`; section two holds every
        // definition but brings only `b`, the one note not shown yet.
        assert_eq!(shown, [vec![], vec!["a", "c"], vec!["b"], vec![]]);
        assert_eq!(plain_text(&defs.piece(&e, p.section(1, &e), &[])), "B, A.");
        assert_eq!(labels(&defs.all(&e)), ["a", "b", "c"]);
    }

    #[test]
    fn word_count_skips_code_blocks() {
        let e = events("Two words.\n\n```\nnot counted here\n```\n\nand `code`\n");
        assert_eq!(body_word_count(&e), 4);
    }
}
