//! Footnotes a reader cannot follow: a reference with no definition (the parser leaves it
//! as typed), a definition nothing refers to, and a reference whose definition sits in a
//! block a venue does not show.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::post::{Editions, Post, structure};

use super::{Diagnostic, Level, Target};

/// The post's own footnote findings, then those of each venue reading an edition that
/// lost a definition.
pub(super) fn diagnose(
    post: &Post,
    editions: &Editions<'_>,
    targets: &[Target<'_>],
) -> Vec<Diagnostic> {
    let mut out = unmatched(post);
    out.extend(hidden(editions, targets));
    out.extend(in_question(editions, targets));
    out
}

/// The venues (in catalog order) whose outputs show the body, each once, with the edition
/// it reads.
fn showing<'t>(editions: &Editions<'_>, targets: &'t [Target<'_>]) -> Vec<(&'t Target<'t>, usize)> {
    let mut seen: HashSet<&str> = HashSet::new();
    targets
        .iter()
        .filter(|t| {
            let needs = t.output.needs;
            (needs.body || needs.parts || needs.notes || needs.thread)
                && seen.insert(t.venue.name.as_str())
        })
        .map(|t| (t, editions.index(&t.venue.name)))
        .collect()
}

/// References lost with the closing question in the venues whose templates lift it out
/// of the body and print it as plain text.
fn in_question(editions: &Editions<'_>, targets: &[Target<'_>]) -> Vec<Diagnostic> {
    let mut lost = Losses::default();
    for target in targets {
        // A thread always ends on the question alone.
        if !(target.output.header.lift_question || target.output.needs.thread) {
            continue;
        }
        let post = editions.get(&target.venue.name);
        let Some(at) = &post.question_at else {
            continue;
        };
        for (i, label) in structure::references_in_question(&post.events, at) {
            let line = post.line_of(i);
            lost.add(Reference { line, label }, &target.venue.name);
        }
    }
    lost.into_findings("footnote-in-question", |label, venues, several| {
        format!(
            "footnote `[^{label}]` is in the closing question, which {venues} {} on its own as plain text, so the reference is lost there; move it before the question",
            if several { "print" } else { "prints" }
        )
    })
}

/// A footnote reference in the post: its line (when known) and label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Reference<'a> {
    line: Option<usize>,
    label: &'a str,
}

/// References lost, each with the venues losing it, in the order met.
#[derive(Default)]
struct Losses<'a> {
    found: Vec<(Reference<'a>, Vec<&'a str>)>,
    at: HashMap<Reference<'a>, usize>,
}

impl<'a> Losses<'a> {
    fn add(&mut self, reference: Reference<'a>, venue: &'a str) {
        match self.at.get(&reference) {
            Some(&i) => {
                let venues = &mut self.found[i].1;
                if !venues.contains(&venue) {
                    venues.push(venue);
                }
            }
            None => {
                self.at.insert(reference, self.found.len());
                self.found.push((reference, vec![venue]));
            }
        }
    }

    /// One warning per reference; `message` gets its label, the venues, and whether they
    /// are several (for the verb).
    fn into_findings(
        self,
        code: &'static str,
        message: impl Fn(&str, &str, bool) -> String,
    ) -> Vec<Diagnostic> {
        self.found
            .into_iter()
            .map(|(r, venues)| {
                let several = venues.len() > 1;
                warning(code, r.line, message(r.label, &venues.join(", "), several))
            })
            .collect()
    }
}

fn warning(code: &'static str, line: Option<usize>, message: String) -> Diagnostic {
    Diagnostic {
        level: Level::Warning,
        code,
        line,
        venue: None,
        file: None,
        message,
    }
}

/// References with no definition and definitions with no reference.
fn unmatched(post: &Post) -> Vec<Diagnostic> {
    let events = &post.events;
    // Labels defined, with the line of their first definition, in order.
    let mut defined: Vec<(&str, Option<usize>)> = Vec::new();
    let mut labels: HashSet<&str> = HashSet::new();
    let mut referenced: HashSet<&str> = HashSet::new();
    // Text runs typed with a `[^`, which `parse` locates; not those in code blocks.
    let mut typed: Vec<usize> = Vec::new();
    let mut in_code = false;
    for (i, event) in events.iter().enumerate() {
        match event {
            Event::Start(Tag::FootnoteDefinition(label)) if labels.insert(label) => {
                defined.push((label, post.line_of(i)));
            }
            Event::FootnoteReference(label) => {
                referenced.insert(label);
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            Event::Text(_) if !in_code && post.lines.line_of(i).is_some() => typed.push(i),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut said: HashSet<(&str, Option<usize>)> = HashSet::new();
    for i in typed {
        let Event::Text(text) = &events[i] else {
            continue;
        };
        let line = post.line_of(i);
        for label in typed_labels(text) {
            if labels.contains(label) || !said.insert((label, line)) {
                continue;
            }
            out.push(warning(
                "undefined-footnote",
                line,
                format!(
                    "footnote `[^{label}]` has no definition: every venue shows it as typed; add a line `[^{label}]: …` (anywhere in the post) or remove it"
                ),
            ));
        }
    }
    for (label, line) in defined {
        if !referenced.contains(label) {
            out.push(warning(
                "unused-footnote",
                line,
                format!(
                    "footnote `[^{label}]` is defined but never referenced: venues that show the whole body list it with nothing pointing to it, and sections shown apart leave it out; refer to it with `[^{label}]` or remove it"
                ),
            ));
        }
    }
    out
}

/// The labels of what reads as footnote references in a run of text: `[^label]`, the
/// label not empty and without spaces or brackets.
fn typed_labels(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("[^").filter_map(|(at, _)| {
        let rest = &text[at + 2..];
        let end = rest.find(']')?;
        let label = &rest[..end];
        (!label.is_empty() && !label.contains(|c: char| c.is_whitespace() || c == '['))
            .then_some(label)
    })
}

/// References some venues cannot keep because their definition is in a venue-only block
/// those venues do not show: one finding per reference, naming the venues.
fn hidden(editions: &Editions<'_>, targets: &[Target<'_>]) -> Vec<Diagnostic> {
    // The references left without a definition in each edition, found once however many
    // venues read it; the post itself (edition 0) loses none.
    let mut undefined: HashMap<usize, Vec<Reference<'_>>> = HashMap::new();
    let mut lost = Losses::default();
    for (target, index) in showing(editions, targets) {
        if index == 0 {
            continue;
        }
        let venue = target.venue.name.as_str();
        let refs = undefined
            .entry(index)
            .or_insert_with(|| undefined_in(editions.get(venue)));
        for &reference in refs.iter() {
            lost.add(reference, venue);
        }
    }
    lost.into_findings("hidden-footnote", |label, venues, several| {
        format!(
            "footnote `[^{label}]` is defined in a venue-only block that {venues} {} not show, so the note is lost there; move the definition out of the block",
            if several { "do" } else { "does" }
        )
    })
}

/// The references of a post whose label it does not define, each with its line.
fn undefined_in(post: &Post) -> Vec<Reference<'_>> {
    let defined: HashSet<&str> = post
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::FootnoteDefinition(label)) => Some(&**label),
            _ => None,
        })
        .collect();
    let mut said = HashSet::new();
    post.events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e {
            Event::FootnoteReference(label) if !defined.contains(&**label) => {
                said.insert(&**label).then(|| Reference {
                    line: post.line_of(i),
                    label,
                })
            }
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_labels_are_bracketed_without_spaces() {
        let labels: Vec<&str> = typed_labels("a [^x] b [^ y] [^] [^z]").collect();
        assert_eq!(labels, ["x", "z"]);
    }
}
