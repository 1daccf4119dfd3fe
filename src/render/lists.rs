//! Lists as the writers that number their own items see them: the numbers of an ordered
//! list, and which items and paragraphs belong to which list, found in one pass.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag};

/// The numbers of an ordered list's items: its start, then one more per item, held at
/// `u64::MAX` rather than wrapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    next: u64,
}

impl Numbering {
    pub fn starting_at(start: u64) -> Self {
        Numbering { next: start }
    }

    /// The number of the next item.
    pub fn next_number(&mut self) -> u64 {
        let n = self.next;
        self.next = n.saturating_add(1);
        n
    }
}

/// Every list's own items, as offsets from the list's `Start`, by the list's index.
pub fn items_by_list(events: &[&Event<'_>]) -> HashMap<usize, Vec<usize>> {
    let parents = parents(events);
    let mut lists: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        if matches!(event, Event::Start(Tag::Item))
            && let Some(list) = parents[i]
            && is_list(events[list])
        {
            lists.entry(list).or_default().push(i - list);
        }
    }
    lists
}

/// The indices of the loose lists: those with a paragraph right inside one of their items
/// (pulldown-cmark only emits paragraphs in items of loose lists).
pub fn loose_lists(events: &[&Event<'_>]) -> HashSet<usize> {
    let parents = parents(events);
    let mut loose = HashSet::new();
    for (i, event) in events.iter().enumerate() {
        if matches!(event, Event::Start(Tag::Paragraph))
            && let Some(item) = parents[i]
            && let Some(list) = parents[item]
            && is_list(events[list])
        {
            loose.insert(list);
        }
    }
    loose
}

/// For each event, the index of the `Start` it sits right inside (`None` at the top of the
/// slice). One pass with a stack of open tags: looking inside each list as it starts would
/// be quadratic in lists nested thousands deep.
fn parents(events: &[&Event<'_>]) -> Vec<Option<usize>> {
    let mut parents = Vec::with_capacity(events.len());
    let mut open: Vec<usize> = Vec::new();
    for (i, event) in events.iter().enumerate() {
        parents.push(open.last().copied());
        match event {
            Event::Start(_) => open.push(i),
            Event::End(_) => {
                open.pop();
            }
            _ => {}
        }
    }
    parents
}

fn is_list(event: &Event<'_>) -> bool {
    matches!(event, Event::Start(Tag::List(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::markdown::parse::events;

    fn refs<'e>(events: &'e [Event<'static>]) -> Vec<&'e Event<'static>> {
        events.iter().collect()
    }

    #[test]
    fn numbers_count_up_and_stop_at_the_largest() {
        let mut numbers = Numbering::starting_at(u64::MAX - 1);
        assert_eq!(numbers.next_number(), u64::MAX - 1);
        assert_eq!(numbers.next_number(), u64::MAX);
        assert_eq!(numbers.next_number(), u64::MAX);
    }

    #[test]
    fn items_belong_to_their_own_list_only() {
        let events = events("- a\n  - b\n  - c\n- d\n");
        let events = refs(&events);
        let lists = items_by_list(&events);
        assert_eq!(lists.len(), 2);
        let outer = lists[&0].clone();
        assert_eq!(outer.len(), 2);
        let inner = lists
            .iter()
            .find(|&(&l, _)| l != 0)
            .map(|(_, items)| items.len());
        assert_eq!(inner, Some(2));
    }

    #[test]
    fn a_list_is_loose_when_an_item_holds_a_paragraph() {
        let events = events("- a\n\n- b\n\ntext\n\n- c\n- d\n");
        let events = refs(&events);
        let starts: Vec<usize> = (0..events.len()).filter(|&i| is_list(events[i])).collect();
        assert_eq!(starts.len(), 2);
        assert_eq!(loose_lists(&events), HashSet::from([starts[0]]));
    }
}
