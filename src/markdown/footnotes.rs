//! Footnotes lifted out of the flow and numbered in order of first reference, for a whole
//! post or a piece of it.

use std::collections::HashMap;

use pulldown_cmark::{Event, Tag};

use super::matching_end;

/// Footnote definitions lifted out of the flow, numbered in order of first reference.
#[derive(Debug, Default)]
pub struct Footnotes<'e> {
    /// Each defined label's index among the definitions (the first of a label wins).
    labels: HashMap<&'e str, usize>,
    /// The number of each definition, by that index.
    numbers: Vec<usize>,
    /// The whole post's numbers, for a piece whose references point outside it.
    whole: Option<&'e NoteNumbers>,
    /// `(number, label, the definition's inner events)`, by number.
    pub defs: Vec<(usize, &'e str, &'e [Event<'static>])>,
}

impl<'e> Footnotes<'e> {
    /// The number shown for a footnote label, when it has a definition (in these events,
    /// or in the whole post when they are a piece of it).
    pub fn number(&self, label: &str) -> Option<usize> {
        match self.whole {
            Some(whole) => whole.number(label),
            None => self.labels.get(label).map(|&i| self.numbers[i]),
        }
    }
}

/// The footnote numbers of a whole post, shared by the pieces rendered apart from it.
///
/// Cheap to clone, and hashed by a digest computed once: it is part of the render cache
/// key of every piece, and a post may have many pieces and many notes.
#[derive(Debug, Clone)]
pub struct NoteNumbers(std::sync::Arc<NumberTable>);

#[derive(Debug, PartialEq, Eq)]
struct NumberTable {
    numbers: HashMap<String, usize>,
    digest: u64,
}

impl NoteNumbers {
    /// The numbers the renderers give the footnotes of `events`, a whole body; `None` when
    /// it defines no footnote.
    pub fn of(events: &[Event<'static>]) -> Option<NoteNumbers> {
        use std::hash::{Hash, Hasher};
        let (_, notes) = split_footnotes(events, None);
        if notes.defs.is_empty() {
            return None;
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for &(n, label, _) in &notes.defs {
            (n, label).hash(&mut hasher);
        }
        let numbers = notes
            .defs
            .iter()
            .map(|&(n, label, _)| (label.to_string(), n))
            .collect();
        Some(NoteNumbers(std::sync::Arc::new(NumberTable {
            numbers,
            digest: hasher.finish(),
        })))
    }

    /// The number of a label defined in the post.
    pub fn number(&self, label: &str) -> Option<usize> {
        self.0.numbers.get(label).copied()
    }
}

impl PartialEq for NoteNumbers {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0 == other.0
    }
}

impl Eq for NoteNumbers {}

impl std::hash::Hash for NoteNumbers {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.digest.hash(state);
    }
}

/// Splits `events` into the main flow (footnote definitions removed) and the footnotes.
/// Footnotes are numbered 1, 2, … in order of first reference; definitions nobody refers
/// to follow in the order they appear. With `whole`, the events are a piece of a post and
/// keep its numbers: the definitions they hold are listed in that order.
pub fn split_footnotes<'e>(
    events: &'e [Event<'static>],
    whole: Option<&'e NoteNumbers>,
) -> (Vec<&'e Event<'static>>, Footnotes<'e>) {
    let mut main = Vec::with_capacity(events.len());
    // One hash of each label defined and of each reference: with many notes the table
    // outgrows the caches, and each format splits its events again.
    let mut labels: HashMap<&str, usize> = HashMap::new();
    let mut defined: Vec<(&str, &[Event<'static>])> = Vec::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::FootnoteDefinition(label)) = &events[i] {
            let end = matching_end(events, i);
            if let std::collections::hash_map::Entry::Vacant(slot) = labels.entry(&**label) {
                slot.insert(defined.len());
                defined.push((label, &events[i + 1..end]));
            }
            i = end + 1;
        } else {
            main.push(&events[i]);
            i += 1;
        }
    }
    let mut notes = Footnotes::default();
    if let Some(whole) = whole {
        notes.whole = Some(whole);
        let mut defs: Vec<_> = defined
            .iter()
            .filter_map(|&(label, body)| Some((whole.number(label)?, label, body)))
            .collect();
        defs.sort_by_key(|&(n, _, _)| n);
        notes.defs = defs;
        return (main, notes);
    }
    let reference = |e: &Event<'static>| match e {
        Event::FootnoteReference(l) => labels.get(&**l).copied(),
        _ => None,
    };
    // References inside definitions count too, after the main flow's, then definitions
    // no one refers to.
    let in_defs = defined
        .iter()
        .flat_map(|(_, body)| body.iter().filter_map(reference));
    let mut numbers = vec![0; defined.len()];
    for at in main
        .iter()
        .filter_map(|e| reference(e))
        .chain(in_defs)
        .chain(0..defined.len())
    {
        if numbers[at] == 0 {
            let (label, body) = defined[at];
            notes.defs.push((notes.defs.len() + 1, label, body));
            numbers[at] = notes.defs.len();
        }
    }
    notes.labels = labels;
    notes.numbers = numbers;
    (main, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footnotes_are_numbered_by_first_reference() {
        let md = "A[^b] then[^a].\n\n[^a]: Alpha.\n[^b]: Beta.\n";
        let events: Vec<Event<'static>> =
            pulldown_cmark::Parser::new_ext(md, pulldown_cmark::Options::ENABLE_FOOTNOTES)
                .map(Event::into_static)
                .collect();
        let (main, notes) = split_footnotes(&events, None);
        assert_eq!(notes.number("b"), Some(1));
        assert_eq!(notes.number("a"), Some(2));
        assert_eq!(notes.defs[0].1, "b");
        assert!(
            !main
                .iter()
                .any(|e| matches!(e, Event::Start(Tag::FootnoteDefinition(_))))
        );
    }
}
